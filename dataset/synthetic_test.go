package dataset

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/internal/check"
)

// synStats is a distribution with two different modalities and enough
// samples for the statistics below to be tight (4000 training samples, 0.1 s).
var synStats = Synthetic{
	Modalities: []SyntheticModality{
		{Patches: 4, Dim: 8, Alpha: 1, Beta: 0.25, Mu: 0.3, SigmaP: 0.5},
		{Patches: 3, Dim: 12, Alpha: 0.6, Beta: 0, Mu: 0.1, SigmaP: 0.2},
	},
	NTrain: 4000, NVal: 50, NTest: 60,
}

func synGenerate(t *testing.T, s Synthetic, seed uint64) *Dataset {
	t.Helper()
	ds, err := s.Generate(seed)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func synDot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// synPatch returns patch p of sample i of modality r in split.
func synPatch(ds *Dataset, split *Split, r, i, p int) []float64 {
	P, d := ds.Modalities[r].Shape[0], ds.Modalities[r].Shape[1]
	off := (i*P + p) * d
	return split.Inputs[r][off : off+d]
}

// withinBinomial reports whether k successes in n trials are within five
// standard deviations of probability prob.
func withinBinomial(k, n int, prob float64) bool {
	return math.Abs(float64(k)-float64(n)*prob) <= 5*math.Sqrt(float64(n)*prob*(1-prob))+1e-9
}

func TestSyntheticShapesAndFeatures(t *testing.T) {
	t.Parallel()
	ds := synGenerate(t, synStats, 1)
	if err := ds.Validate(); err != nil {
		t.Fatalf("generated dataset is invalid: %v", err)
	}
	if ds.Task != Binary || ds.Classes != 2 {
		t.Errorf("task %s with %d classes, want binary with 2", ds.Task, ds.Classes)
	}
	for _, ns := range ds.Splits() {
		want := map[string]int{"train": synStats.NTrain, "val": synStats.NVal, "test": synStats.NTest}[ns.Name]
		if ns.Split.Len() != want {
			t.Errorf("split %s has %d samples, want %d", ns.Name, ns.Split.Len(), want)
		}
	}
	for r, m := range ds.Modalities {
		sm := synStats.Modalities[r]
		if m.Name != []string{"m0", "m1"}[r] || !reflect.DeepEqual(m.Shape, []int{sm.Patches, sm.Dim}) || m.Size() != sm.Patches*sm.Dim {
			t.Errorf("modality %d: name %q, shape %v, size %d", r, m.Name, m.Shape, m.Size())
		}
		if len(m.Feature) != sm.Dim {
			t.Fatalf("modality %d: feature of length %d, want %d", r, len(m.Feature), sm.Dim)
		}
	}
	// Features are unit vectors, for any dimension and seed, and differ
	// between seeds.
	for _, d := range []int{1, 2, 3, 50, 500} {
		s := Synthetic{Modalities: []SyntheticModality{{Patches: 2, Dim: d, Alpha: 1, SigmaP: 0.1}, {Patches: 1, Dim: d, Alpha: 1}},
			NTrain: 1, NVal: 1, NTest: 1}
		if d == 1 {
			s.Modalities[0].SigmaP = 0 // a noise patch needs a second dimension
		}
		for seed := uint64(0); seed < 5; seed++ {
			a, b := synGenerate(t, s, seed), synGenerate(t, s, seed+100)
			for r := range a.Modalities {
				v := a.Modalities[r].Feature
				if n := math.Sqrt(synDot(v, v)); math.Abs(n-1) > 1e-12 {
					t.Errorf("d=%d seed %d modality %d: feature has norm %v", d, seed, r, n)
				}
				if d > 1 && reflect.DeepEqual(v, b.Modalities[r].Feature) {
					t.Errorf("d=%d: seeds %d and %d give the same feature", d, seed, seed+100)
				}
			}
			if d > 1 && reflect.DeepEqual(a.Modalities[0].Feature, a.Modalities[1].Feature) {
				t.Errorf("d=%d seed %d: both modalities have the same feature", d, seed)
			}
		}
	}
}

func TestSyntheticPatches(t *testing.T) {
	t.Parallel()
	ds := synGenerate(t, synStats, 2)
	for _, ns := range ds.Splits() {
		sp := ns.Split
		for r, m := range ds.Modalities {
			sm := synStats.Modalities[r]
			v := m.Feature
			for i, y := range sp.Labels {
				signal := sp.SignalPatch[r][i]
				z := sm.Beta
				if sp.Sufficient[r][i] {
					z = sm.Alpha
				}
				for p := 0; p < sm.Patches; p++ {
					x := synPatch(ds, sp, r, i, p)
					if p == signal {
						for j := range x {
							if x[j] != z*y*v[j] {
								t.Fatalf("%s sample %d modality %d: signal patch %v, want %v·%v·v", ns.Name, i, r, x, z, y)
							}
						}
						continue
					}
					if dot := synDot(x, v); math.Abs(dot) >= 1e-12 {
						t.Fatalf("%s sample %d modality %d patch %d: noise has <x, v> = %v", ns.Name, i, r, p, dot)
					}
					if synDot(x, x) == 0 {
						t.Fatalf("%s sample %d modality %d patch %d: noise patch is zero", ns.Name, i, r, p)
					}
				}
			}
		}
	}
}

func TestSyntheticStatistics(t *testing.T) {
	t.Parallel()
	ds := synGenerate(t, synStats, 3)
	sp := ds.Train
	n := sp.Len()

	positive := 0
	for i, y := range sp.Labels {
		switch y {
		case 1:
			positive++
		case -1:
		default:
			t.Fatalf("label %d is %v", i, y)
		}
	}
	if !withinBinomial(positive, n, 0.5) {
		t.Errorf("%d of %d labels are +1, want about half", positive, n)
	}

	for r, sm := range synStats.Modalities {
		insufficient := 0
		positions := make([]int, sm.Patches)
		for i := 0; i < n; i++ {
			if !sp.Sufficient[r][i] {
				insufficient++
			}
			positions[sp.SignalPatch[r][i]]++
		}
		if !withinBinomial(insufficient, n, sm.Mu) {
			t.Errorf("modality %d: %d of %d samples insufficient, want about mu = %v", r, insufficient, n, sm.Mu)
		}
		for p, c := range positions {
			if !withinBinomial(c, n, 1/float64(sm.Patches)) {
				t.Errorf("modality %d: the signal is at patch %d in %d of %d samples, want about 1/%d", r, p, c, n, sm.Patches)
			}
		}

		// Noise: mean 0 and, coordinate by coordinate, variance
		// sigma_p² (1 - v_j²), whose mean over j is sigma_p² (d-1)/d.
		v := ds.Modalities[r].Feature
		sum, sum2 := make([]float64, sm.Dim), make([]float64, sm.Dim)
		count := 0
		for i := 0; i < n; i++ {
			for p := 0; p < sm.Patches; p++ {
				if p == sp.SignalPatch[r][i] {
					continue
				}
				for j, x := range synPatch(ds, sp, r, i, p) {
					sum[j] += x
					sum2[j] += x * x
				}
				count++
			}
		}
		s2 := sm.SigmaP * sm.SigmaP
		total := 0.0
		for j := range sum {
			mean, variance := sum[j]/float64(count), sum2[j]/float64(count)
			want := s2 * (1 - v[j]*v[j])
			// The standard error of a variance estimate from count draws is
			// want·sqrt(2/count), about 1.4% here.
			if math.Abs(variance-want) > 6*want*math.Sqrt(2/float64(count)) {
				t.Errorf("modality %d coordinate %d: noise variance %v, want sigma_p²(1-v_j²) = %v", r, j, variance, want)
			}
			if math.Abs(mean) > 6*math.Sqrt(want/float64(count)) {
				t.Errorf("modality %d coordinate %d: noise mean %v, want 0", r, j, mean)
			}
			total += variance
		}
		d := float64(sm.Dim)
		if got, want := total/d, s2*(d-1)/d; math.Abs(got-want) > 0.03*want {
			t.Errorf("modality %d: noise variance per coordinate %v, want sigma_p²(d-1)/d = %v", r, got, want)
		}
	}

	// Modalities are sufficient independently: each group's frequency is the
	// product of the modalities' probabilities.
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		counts[sp.Group(i)]++
	}
	for _, g := range ds.Groups() {
		prob := 1.0
		for r, c := range g {
			if mu := synStats.Modalities[r].Mu; c == '1' {
				prob *= 1 - mu
			} else {
				prob *= mu
			}
		}
		if !withinBinomial(counts[g], n, prob) {
			t.Errorf("group %s holds %d of %d samples, want about %v", g, counts[g], n, prob)
		}
	}
}

func TestSyntheticEdgeCases(t *testing.T) {
	t.Parallel()
	// mu = 0 and mu = 1: every sample sufficient, or none.
	s := Synthetic{Modalities: []SyntheticModality{
		{Patches: 2, Dim: 3, Alpha: 2, Beta: 0.5, Mu: 0, SigmaP: 1},
		{Patches: 2, Dim: 3, Alpha: 2, Beta: 0.5, Mu: 1, SigmaP: 1},
	}, NTrain: 200, NVal: 1, NTest: 1}
	ds := synGenerate(t, s, 4)
	for i := 0; i < ds.Train.Len(); i++ {
		if !ds.Train.Sufficient[0][i] || ds.Train.Sufficient[1][i] {
			t.Fatalf("sample %d: sufficiency %v with mu = (0, 1)", i, ds.Train.Group(i))
		}
	}
	// One patch: no noise, the input is the signal alone. d = 1 is allowed
	// when no noise patch needs a second dimension.
	for _, m := range []SyntheticModality{
		{Patches: 1, Dim: 1, Alpha: 1, SigmaP: 0.3},
		{Patches: 3, Dim: 1, Alpha: 1, SigmaP: 0},
	} {
		ds := synGenerate(t, Synthetic{Modalities: []SyntheticModality{m}, NTrain: 20, NVal: 1, NTest: 1}, 5)
		v := ds.Modalities[0].Feature[0]
		if math.Abs(v) != 1 {
			t.Errorf("d = 1: feature %v, want ±1", v)
		}
		for i, y := range ds.Train.Labels {
			for p := 0; p < m.Patches; p++ {
				want := 0.0
				if p == ds.Train.SignalPatch[0][i] {
					want = y * v
				}
				if got := ds.Train.Inputs[0][i*m.Patches+p]; got != want {
					t.Errorf("%+v sample %d patch %d: %v, want %v", m, i, p, got, want)
				}
			}
		}
	}
}

func TestSyntheticSeedsAndSplits(t *testing.T) {
	t.Parallel()
	s := synStats
	s.NTrain, s.NVal, s.NTest = 40, 40, 40
	a, b := synGenerate(t, s, 7), synGenerate(t, s, 7)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different datasets")
	}
	c := synGenerate(t, s, 8)
	if reflect.DeepEqual(a.Train, c.Train) || reflect.DeepEqual(a.Modalities, c.Modalities) {
		t.Error("seeds 7 and 8 gave the same data")
	}
	// The three splits are different draws.
	if reflect.DeepEqual(a.Train.Inputs, a.Val.Inputs) || reflect.DeepEqual(a.Train.Inputs, a.Test.Inputs) ||
		reflect.DeepEqual(a.Val.Inputs, a.Test.Inputs) || reflect.DeepEqual(a.Train.Labels, a.Test.Labels) {
		t.Error("two splits hold the same samples")
	}

	// Resizing the test split (and the validation split) leaves the
	// features and the training data as they are.
	bigger := s
	bigger.NTest = 100
	d := synGenerate(t, bigger, 7)
	if !reflect.DeepEqual(a.Modalities, d.Modalities) || !reflect.DeepEqual(a.Train, d.Train) || !reflect.DeepEqual(a.Val, d.Val) {
		t.Error("changing n-test changed the features, the training or the validation split")
	}
	// The test split grows at its end: its first samples are unchanged.
	for r := range a.Test.Inputs {
		if k := len(a.Test.Inputs[r]); !reflect.DeepEqual(a.Test.Inputs[r], d.Test.Inputs[r][:k]) {
			t.Errorf("modality %d: the first %d test samples changed with n-test", r, s.NTest)
		}
	}
	if !reflect.DeepEqual(a.Test.Labels, d.Test.Labels[:s.NTest]) {
		t.Error("the first test labels changed with n-test")
	}
	bigger.NVal = 7
	e := synGenerate(t, bigger, 7)
	if !reflect.DeepEqual(a.Train, e.Train) || !reflect.DeepEqual(d.Test, e.Test) {
		t.Error("changing n-val changed the training or the test split")
	}
	// A feature depends on the seed and its modality's dimension only.
	other := s
	other.Modalities = append([]SyntheticModality(nil), s.Modalities...)
	other.Modalities[0].Mu, other.Modalities[0].Alpha = 0.9, 3
	other.Modalities[1].SigmaP = 2
	f := synGenerate(t, other, 7)
	if !reflect.DeepEqual(a.Modalities, f.Modalities) {
		t.Error("changing alpha, mu or sigma-p changed the features")
	}
}

func TestSyntheticValidate(t *testing.T) {
	t.Parallel()
	good := func() Synthetic {
		return Synthetic{Modalities: []SyntheticModality{
			{Patches: 3, Dim: 5, Alpha: 1, Beta: 0.1, Mu: 0.3, SigmaP: 0.1},
			{Patches: 2, Dim: 4, Alpha: 0.5, Beta: 0, Mu: 0.05, SigmaP: 0.1},
		}, NTrain: 10, NVal: 5, NTest: 5}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(*Synthetic)
		field string
		index int
	}{
		{"zero patches", func(s *Synthetic) { s.Modalities[1].Patches = 0 }, "patches", 1},
		{"negative patches", func(s *Synthetic) { s.Modalities[0].Patches = -1 }, "patches", 0},
		{"zero d", func(s *Synthetic) { s.Modalities[0].Dim = 0 }, "d", 0},
		{"d = 1 with noise patches", func(s *Synthetic) { s.Modalities[1].Dim = 1 }, "d", 1},
		{"negative alpha", func(s *Synthetic) { s.Modalities[1].Alpha = -0.5 }, "alpha", 1},
		{"NaN alpha", func(s *Synthetic) { s.Modalities[0].Alpha = math.NaN() }, "alpha", 0},
		{"infinite alpha", func(s *Synthetic) { s.Modalities[0].Alpha = math.Inf(1) }, "alpha", 0},
		{"negative beta", func(s *Synthetic) { s.Modalities[0].Beta = -0.1 }, "beta", 0},
		{"mu above 1", func(s *Synthetic) { s.Modalities[1].Mu = 1.5 }, "mu", 1},
		{"negative mu", func(s *Synthetic) { s.Modalities[0].Mu = -0.01 }, "mu", 0},
		{"NaN mu", func(s *Synthetic) { s.Modalities[0].Mu = math.NaN() }, "mu", 0},
		{"negative sigma-p", func(s *Synthetic) { s.Modalities[1].SigmaP = -1 }, "sigma-p", 1},
		{"zero n-train", func(s *Synthetic) { s.NTrain = 0 }, "n-train", -1},
		{"zero n-val", func(s *Synthetic) { s.NVal = 0 }, "n-val", -1},
		{"negative n-test", func(s *Synthetic) { s.NTest = -5 }, "n-test", -1},
	}
	for _, tt := range tests {
		s := good()
		tt.edit(&s)
		err := s.Validate()
		var fe *check.FieldError
		switch {
		case err == nil:
			t.Errorf("%s: accepted", tt.name)
			continue
		case !errors.As(err, &fe):
			t.Errorf("%s: error %v is not a *check.FieldError", tt.name, err)
		case fe.Field != tt.field || fe.Index != tt.index || !strings.Contains(err.Error(), tt.field):
			t.Errorf("%s: error %q names field %q of modality %d, want %q of %d", tt.name, err, fe.Field, fe.Index, tt.field, tt.index)
		}
		if _, gerr := s.Generate(1); gerr == nil || !errors.As(gerr, &fe) || fe.Field != tt.field {
			t.Errorf("%s: Generate returned %v, want the validation error", tt.name, gerr)
		}
	}
	if err := (Synthetic{NTrain: 1, NVal: 1, NTest: 1}).Validate(); err == nil {
		t.Error("no modalities: accepted")
	}
}

// The error of Generate repeats "synthetic dataset" when there are no
// modalities: Validate says "synthetic dataset: no modalities" and Generate
// wraps it in another "synthetic dataset: ".
func TestSyntheticNoModalitiesErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := Synthetic{NTrain: 1, NVal: 1, NTest: 1}.Generate(1)
	if err == nil {
		t.Fatal("no modalities: accepted")
	}
	if strings.Count(err.Error(), "synthetic dataset") != 1 {
		t.Errorf("error %q repeats its prefix", err)
	}
}

// synClone deep-copies a dataset so that a test case can break it.
func synClone(d *Dataset) *Dataset {
	c := *d
	c.Modalities = nil
	for _, m := range d.Modalities {
		m.Shape = append([]int(nil), m.Shape...)
		m.Feature = append([]float64(nil), m.Feature...)
		c.Modalities = append(c.Modalities, m)
	}
	cloneSplit := func(s *Split) *Split {
		if s == nil {
			return nil
		}
		o := &Split{Labels: append([]float64(nil), s.Labels...)}
		for _, x := range s.Inputs {
			o.Inputs = append(o.Inputs, append([]float64(nil), x...))
		}
		if s.Sufficient != nil {
			o.Sufficient = [][]bool{}
			for _, x := range s.Sufficient {
				o.Sufficient = append(o.Sufficient, append([]bool(nil), x...))
			}
		}
		if s.SignalPatch != nil {
			o.SignalPatch = [][]int{}
			for _, x := range s.SignalPatch {
				o.SignalPatch = append(o.SignalPatch, append([]int(nil), x...))
			}
		}
		return o
	}
	c.Train, c.Val, c.Test = cloneSplit(d.Train), cloneSplit(d.Val), cloneSplit(d.Test)
	return &c
}

func TestDatasetValidate(t *testing.T) {
	t.Parallel()
	base := synGenerate(t, Synthetic{Modalities: []SyntheticModality{
		{Patches: 3, Dim: 4, Alpha: 1, Beta: 0.1, Mu: 0.3, SigmaP: 0.5},
		{Patches: 2, Dim: 5, Alpha: 0.5, Beta: 0, Mu: 0.2, SigmaP: 0.5},
	}, NTrain: 6, NVal: 4, NTest: 5}, 9)
	if err := base.Validate(); err != nil {
		t.Fatalf("generated dataset: %v", err)
	}
	valid := []struct {
		name string
		edit func(*Dataset)
	}{
		{"unknown sufficiency and patches", func(d *Dataset) {
			for _, ns := range d.Splits() {
				ns.Split.Sufficient, ns.Split.SignalPatch = nil, nil
			}
		}},
		{"no features", func(d *Dataset) { d.Modalities[0].Feature, d.Modalities[1].Feature = nil, nil }},
		{"regression", func(d *Dataset) { d.Task, d.Classes = Regression, 0; d.Val.Labels[0] = 3.7 }},
		{"multiclass", func(d *Dataset) {
			d.Task, d.Classes = Multiclass, 3
			for _, ns := range d.Splits() {
				for i := range ns.Split.Labels {
					ns.Split.Labels[i] = float64(i % 3)
				}
			}
		}},
	}
	for _, tt := range valid {
		d := synClone(base)
		tt.edit(d)
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	tests := []struct {
		name string
		edit func(*Dataset)
		want string // a part of the message that locates the problem
	}{
		{"no modalities", func(d *Dataset) { d.Modalities = nil }, "no modalities"},
		{"unknown task", func(d *Dataset) { d.Task = "ranking" }, "ranking"},
		{"binary with 3 classes", func(d *Dataset) { d.Classes = 3 }, "3 classes"},
		{"multiclass with 1 class", func(d *Dataset) { d.Task, d.Classes = Multiclass, 1 }, "1 classes"},
		{"empty shape", func(d *Dataset) { d.Modalities[1].Shape = nil }, "modality 1"},
		{"zero in shape", func(d *Dataset) { d.Modalities[0].Shape = []int{3, 0} }, "modality 0"},
		{"feature of the wrong length", func(d *Dataset) { d.Modalities[1].Feature = d.Modalities[1].Feature[:4] }, "modality 1"},
		{"missing split", func(d *Dataset) { d.Val = nil }, "both the val and the test split"},
		{"empty split", func(d *Dataset) { d.Test = &Split{Inputs: [][]float64{nil, nil}} }, "split test"},
		{"missing input", func(d *Dataset) { d.Train.Inputs = d.Train.Inputs[:1] }, "split train"},
		{"short input", func(d *Dataset) { d.Val.Inputs[1] = d.Val.Inputs[1][:len(d.Val.Inputs[1])-1] }, "split val: modality 1"},
		{"long input", func(d *Dataset) { d.Test.Inputs[0] = append(d.Test.Inputs[0], 0) }, "split test: modality 0"},
		{"fewer labels than inputs", func(d *Dataset) { d.Train.Labels = d.Train.Labels[:5] }, "split train"},
		{"NaN input", func(d *Dataset) { d.Test.Inputs[1][7] = math.NaN() }, "split test: modality 1: sample 0, value [1, 2] is NaN, want a finite number"},
		{"infinite input", func(d *Dataset) { d.Train.Inputs[0][12*5+1] = math.Inf(-1) }, "split train: modality 0: sample 5, value [0, 1] is -Inf"},
		{"binary label 0", func(d *Dataset) { d.Val.Labels[2] = 0 }, "label 2"},
		{"binary label NaN", func(d *Dataset) { d.Val.Labels[1] = math.NaN() }, "label 1"},
		{"multiclass label out of range", func(d *Dataset) {
			d.Task, d.Classes = Multiclass, 3
			for _, ns := range d.Splits() {
				for i := range ns.Split.Labels {
					ns.Split.Labels[i] = 0
				}
			}
			d.Test.Labels[3] = 3
		}, "split test: label 3"},
		{"multiclass label not an integer", func(d *Dataset) {
			d.Task, d.Classes = Multiclass, 3
			for _, ns := range d.Splits() {
				for i := range ns.Split.Labels {
					ns.Split.Labels[i] = 1
				}
			}
			d.Train.Labels[0] = 1.5
		}, "split train: label 0"},
		{"regression label infinite", func(d *Dataset) { d.Task, d.Classes = Regression, 0; d.Val.Labels[3] = math.Inf(1) }, "split val: label 3"},
		{"sufficiency for one modality", func(d *Dataset) { d.Train.Sufficient = d.Train.Sufficient[:1] }, "split train: sufficiency"},
		{"sufficiency too short", func(d *Dataset) { d.Val.Sufficient[1] = d.Val.Sufficient[1][:2] }, "split val: modality 1"},
		{"signal patches for three modalities", func(d *Dataset) {
			d.Test.SignalPatch = append(d.Test.SignalPatch, d.Test.SignalPatch[0])
		}, "split test: signal patches"},
		{"signal patches too long", func(d *Dataset) { d.Train.SignalPatch[0] = append(d.Train.SignalPatch[0], 0) }, "split train: modality 0"},
		{"signal patch negative", func(d *Dataset) { d.Val.SignalPatch[0][1] = -1 }, "split val: modality 0: signal patch of sample 1"},
		{"signal patch past the last", func(d *Dataset) { d.Test.SignalPatch[1][4] = 2 }, "split test: modality 1: signal patch of sample 4"},
	}
	for _, tt := range tests {
		d := synClone(base)
		tt.edit(d)
		err := d.Validate()
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not contain %q", tt.name, err, tt.want)
		}
	}
	if !reflect.DeepEqual(base, synClone(base)) {
		t.Fatal("synClone does not copy faithfully")
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		k    int
		want []string
	}{
		{1, []string{"1", "0"}},
		{2, []string{"11", "10", "01", "00"}},
		{3, []string{"111", "110", "101", "100", "011", "010", "001", "000"}},
	} {
		s := Synthetic{NTrain: 30, NVal: 1, NTest: 1}
		for r := 0; r < tt.k; r++ {
			s.Modalities = append(s.Modalities, SyntheticModality{Patches: 2, Dim: 3, Alpha: 1, Mu: 0.2 + 0.2*float64(r), SigmaP: 0.1})
		}
		ds := synGenerate(t, s, 10)
		if got := ds.Groups(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%d modalities: groups %v, want %v", tt.k, got, tt.want)
		}
		for i := 0; i < ds.Train.Len(); i++ {
			g := ds.Train.Group(i)
			if len(g) != tt.k {
				t.Fatalf("sample %d: group %q for %d modalities", i, g, tt.k)
			}
			for r := range tt.k {
				if (g[r] == '1') != ds.Train.Sufficient[r][i] {
					t.Errorf("sample %d: group %q disagrees with the sufficiency of modality %d", i, g, r)
				}
			}
		}
		ds.Train.Sufficient = nil
		if ds.Groups() != nil || ds.Train.Group(0) != "" {
			t.Errorf("%d modalities: groups without sufficiency", tt.k)
		}
	}
	var names []string
	ds := synGenerate(t, synStats, 1)
	for _, ns := range ds.Splits() {
		names = append(names, ns.Name)
	}
	if !reflect.DeepEqual(names, []string{"train", "val", "test"}) {
		t.Errorf("splits %v", names)
	}
}
