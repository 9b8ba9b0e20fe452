package dataset

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/internal/rng"
)

// indexed is a training-only dataset of n samples in which every value
// tells the sample it belongs to: modality 0 of sample i is (i, -i), its
// label is +1 for even i, and its sufficiency and signal patches follow i,
// so that a split can be checked sample by sample.
func indexed(n int) *Dataset {
	s := &Split{Sufficient: [][]bool{make([]bool, n), make([]bool, n)}, SignalPatch: [][]int{make([]int, n), make([]int, n)}}
	var x0, x1 []float64
	for i := 0; i < n; i++ {
		x0 = append(x0, float64(i), -float64(i))
		for k := 0; k < 6; k++ {
			x1 = append(x1, float64(1000*i+k))
		}
		s.Labels = append(s.Labels, float64(1-2*(i%2)))
		s.Sufficient[0][i], s.Sufficient[1][i] = i%3 == 0, i%5 != 0
		s.SignalPatch[0][i], s.SignalPatch[1][i] = i%2, i%3
	}
	s.Inputs = [][]float64{x0, x1}
	return &Dataset{
		Task:       Binary,
		Classes:    2,
		Modalities: []Modality{{Name: "a", Shape: []int{2}}, {Name: "b", Shape: []int{3, 2}}},
		Train:      s,
	}
}

// sampleIndices returns the original index of every sample of split, and
// checks that all its arrays agree with that sample of indexed.
func sampleIndices(t *testing.T, name string, s *Split) []int {
	t.Helper()
	var idx []int
	for k := 0; k < s.Len(); k++ {
		i := int(s.Inputs[0][2*k])
		idx = append(idx, i)
		want := indexed(i + 1).Train
		if !reflect.DeepEqual(s.Inputs[0][2*k:2*k+2], want.Inputs[0][2*i:2*i+2]) ||
			!reflect.DeepEqual(s.Inputs[1][6*k:6*k+6], want.Inputs[1][6*i:6*i+6]) ||
			s.Labels[k] != want.Labels[i] {
			t.Fatalf("%s: sample %d (originally %d) has mixed inputs or labels", name, k, i)
		}
		for r := 0; r < 2; r++ {
			if s.Sufficient[r][k] != want.Sufficient[r][i] || s.SignalPatch[r][k] != want.SignalPatch[r][i] {
				t.Fatalf("%s: sample %d (originally %d): sufficiency or signal patch of modality %d not moved along", name, k, i, r)
			}
		}
	}
	return idx
}

func TestSplitByRatioSizes(t *testing.T) {
	tests := []struct {
		n                   int
		val, test           float64
		nTrain, nVal, nTest int
	}{
		{100, 0.15, 0.15, 70, 15, 15},
		{100, 0.1, 0.3, 60, 10, 30},
		{10, 0.25, 0.25, 4, 3, 3}, // 2.5 rounds to 3
		{7, 0.1, 0.2, 5, 1, 1},    // 0.7 and 1.4 round to 1
		{3, 1.0 / 3, 1.0 / 3, 1, 1, 1},
		{20, 0.44, 0.44, 2, 9, 9}, // 8.8 rounds to 9
	}
	for _, tt := range tests {
		ds := indexed(tt.n)
		if err := ds.SplitByRatio(tt.val, tt.test, rng.New(1, "split")); err != nil {
			t.Errorf("n = %d, %v / %v: %v", tt.n, tt.val, tt.test, err)
			continue
		}
		if got := [3]int{ds.Train.Len(), ds.Val.Len(), ds.Test.Len()}; got != [3]int{tt.nTrain, tt.nVal, tt.nTest} {
			t.Errorf("n = %d, %v / %v: train, val, test of %v samples, want %d, %d, %d", tt.n, tt.val, tt.test, got, tt.nTrain, tt.nVal, tt.nTest)
		}
		if err := ds.Validate(); err != nil {
			t.Errorf("n = %d, %v / %v: the split dataset is invalid: %v", tt.n, tt.val, tt.test, err)
		}
	}
}

// Every sample lands in exactly one split, with its label, inputs,
// sufficiency and signal patches; the order is a random permutation.
func TestSplitByRatioDisjointAndComplete(t *testing.T) {
	const n = 50
	ds := indexed(n)
	if err := ds.SplitByRatio(0.2, 0.3, rng.New(2, "split")); err != nil {
		t.Fatal(err)
	}
	var all []int
	for _, ns := range ds.Splits() {
		all = append(all, sampleIndices(t, ns.Name, ns.Split)...)
	}
	sorted := slices.Sorted(slices.Values(all))
	for i, v := range sorted {
		if v != i {
			t.Fatalf("the splits hold samples %v, want each of 0..%d once", sorted, n-1)
		}
	}
	if train := sampleIndices(t, "train", ds.Train); slices.IsSorted(train) {
		t.Errorf("the training split keeps the original order %v: the split is not random", train)
	}
	// Optional arrays stay absent when absent.
	bare := indexed(n)
	bare.Train.Sufficient, bare.Train.SignalPatch = nil, nil
	if err := bare.SplitByRatio(0.2, 0.3, rng.New(2, "split")); err != nil {
		t.Fatal(err)
	}
	for _, ns := range bare.Splits() {
		if ns.Split.Sufficient != nil || ns.Split.SignalPatch != nil {
			t.Errorf("split %s gained sufficiency or signal patches", ns.Name)
		}
	}
	// The same permutation with or without them.
	for k, ns := range bare.Splits() {
		if !reflect.DeepEqual(ns.Split.Inputs, ds.Splits()[k].Split.Inputs) {
			t.Errorf("split %s differs with and without the optional arrays", ns.Name)
		}
	}
}

func TestSplitByRatioDeterministic(t *testing.T) {
	split := func(seed uint64) *Dataset {
		ds := indexed(40)
		if err := ds.SplitByRatio(0.25, 0.25, rng.New(seed, "split")); err != nil {
			t.Fatal(err)
		}
		return ds
	}
	a, b := split(7), split(7)
	if !reflect.DeepEqual(a, b) {
		t.Error("two splits with the same seed differ")
	}
	if c := split(8); reflect.DeepEqual(a.Train, c.Train) {
		t.Error("seeds 7 and 8 give the same split")
	}
}

func TestSplitByRatioErrors(t *testing.T) {
	tests := []struct {
		name      string
		ds        func() *Dataset
		val, test float64
		want      string
	}{
		{"zero val", func() *Dataset { return indexed(20) }, 0, 0.2, "fractions"},
		{"zero test", func() *Dataset { return indexed(20) }, 0.2, 0, "fractions"},
		{"negative val", func() *Dataset { return indexed(20) }, -0.1, 0.2, "fractions"},
		{"NaN test", func() *Dataset { return indexed(20) }, 0.2, math.NaN(), "fractions"},
		{"infinite val", func() *Dataset { return indexed(20) }, math.Inf(1), 0.2, "fractions"},
		{"nothing left to train", func() *Dataset { return indexed(20) }, 0.5, 0.5, "fractions"},
		{"more than everything", func() *Dataset { return indexed(20) }, 0.7, 0.6, "fractions"},
		{"too few for val", func() *Dataset { return indexed(4) }, 0.1, 0.5, "4 samples cannot be split"},
		{"too few for test", func() *Dataset { return indexed(4) }, 0.5, 0.1, "4 samples cannot be split"},
		{"too few to train", func() *Dataset { return indexed(2) }, 0.3, 0.3, "2 samples cannot be split"},
		{"one sample", func() *Dataset { return indexed(1) }, 0.4, 0.4, "1 samples cannot be split"},
		{"already split", func() *Dataset {
			ds := indexed(20)
			if err := ds.SplitByRatio(0.2, 0.2, rng.New(1, "split")); err != nil {
				t.Fatal(err)
			}
			return ds
		}, 0.2, 0.2, "split already"},
		{"only a validation split", func() *Dataset {
			ds := indexed(20)
			ds.Val = indexed(3).Train
			return ds
		}, 0.2, 0.2, "split already"},
		{"only a test split", func() *Dataset {
			ds := indexed(20)
			ds.Test = indexed(3).Train
			return ds
		}, 0.2, 0.2, "split already"},
	}
	for _, tt := range tests {
		ds := tt.ds()
		before := fmt.Sprintf("%+v", *ds)
		err := ds.SplitByRatio(tt.val, tt.test, rng.New(1, "split"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
		if after := fmt.Sprintf("%+v", *ds); after != before {
			t.Errorf("%s: a refused split changed the dataset", tt.name)
		}
	}
}

// trainOnlyDir saves a full dataset to a directory and removes the
// validation and test splits from its manifest and its files, keeping those
// of the splits named in keep.
func trainOnlyDir(t *testing.T, ds *Dataset, keep ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := Save(dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"val", "test"} {
		if slices.Contains(keep, name) {
			continue
		}
		editManifest(t, dir, func(m map[string]any) { delete(m["splits"].(map[string]any), name) })
		files, err := filepath.Glob(filepath.Join(dir, name+"_*.npy"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files of split %s: %v", name, err)
		}
		for _, f := range files {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// A manifest may give only the training split; the dataset then loads
// without validation and test splits, which SplitByRatio makes.
func TestLoadTrainOnly(t *testing.T) {
	full := smallSynthetic(t)
	dir := trainOnlyDir(t, full)
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Val != nil || ds.Test != nil {
		t.Fatalf("val %v, test %v; want neither", ds.Val, ds.Test)
	}
	if !reflect.DeepEqual(ds.Train, full.Train) || !reflect.DeepEqual(ds.Modalities, full.Modalities) {
		t.Error("the training split or the modalities differ from those saved")
	}
	n := ds.Train.Len()
	if err := ds.SplitByRatio(0.25, 0.25, rng.New(3, "split")); err != nil {
		t.Fatal(err)
	}
	if got := ds.Train.Len() + ds.Val.Len() + ds.Test.Len(); got != n || ds.Val.Len() != 5 || ds.Test.Len() != 5 {
		t.Errorf("split into %d, %d, %d samples; want 10, 5, 5", ds.Train.Len(), ds.Val.Len(), ds.Test.Len())
	}
	if err := ds.Validate(); err != nil {
		t.Errorf("the split dataset is invalid: %v", err)
	}
	// Only one of val and test is an error, naming the manifest.
	for _, keep := range []string{"val", "test"} {
		_, err := Load(trainOnlyDir(t, full, keep))
		if err == nil || !strings.Contains(err.Error(), ManifestFile) || !strings.Contains(err.Error(), "give both val and test, or neither") {
			t.Errorf("manifest with train and %s only: error %v, want one saying to give both val and test or neither", keep, err)
		}
	}
	// Without a training split there is nothing to load.
	dir = trainOnlyDir(t, full)
	editManifest(t, dir, func(m map[string]any) { delete(m["splits"].(map[string]any), "train") })
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "splits.train is missing") {
		t.Errorf("manifest without splits: error %v, want one saying splits.train is missing", err)
	}
}

// Save writes a training-only dataset, which Validate accepts, and Load
// reads it back.
func TestSaveTrainOnly(t *testing.T) {
	ds := indexed(12)
	if err := ds.Validate(); err != nil {
		t.Fatalf("a training-only dataset is invalid: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "ds")
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return Save(dir, ds, nil)
	}()

	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ds) {
		t.Errorf("Load(Save(ds)) differs from ds:\ngot  %+v\nwant %+v", got, ds)
	}
}

// A training-only dataset lists only its training split, and the absent
// splits have no samples, so readers need not special-case it.
func TestTrainOnlySplits(t *testing.T) {
	ds := indexed(6)
	splits := ds.Splits()
	if len(splits) != 1 || splits[0].Name != "train" || splits[0].Split != ds.Train {
		t.Errorf("Splits() = %+v, want only train", splits)
	}
	if n := ds.Val.Len() + ds.Test.Len(); n != 0 {
		t.Errorf("absent splits hold %d samples, want 0", n)
	}
	if err := ds.SplitByRatio(1.0/3, 1.0/3, rng.New(1, "split")); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ns := range ds.Splits() {
		names = append(names, ns.Name)
	}
	if !slices.Equal(names, []string{"train", "val", "test"}) {
		t.Errorf("after SplitByRatio, Splits() names %v, want train, val, test", names)
	}
}
