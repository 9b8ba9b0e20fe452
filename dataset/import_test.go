package dataset

import (
	"archive/zip"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/internal/rng"
)

// npzExpect is the NAME.json written next to each fixture by
// testdata/make_npz_fixtures.py.
type npzExpect struct {
	Arrays []struct {
		Key string `json:"key"`
		npyExpect
	} `json:"arrays"`
	Task      Task           `json:"task"`
	Classes   int            `json:"classes"`
	N         map[string]int `json:"n"`
	ReadError string         `json:"read_error"`
	LoadError string         `json:"load_error"`
}

// checkNPZDir reads every NAME.npz of dir with ReadNPZFile and builds its
// dataset, comparing both with NAME.json. It returns the archives that
// built a dataset.
func checkNPZDir(t *testing.T, dir string) []string {
	t.Helper()
	jsons, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(jsons) == 0 {
		t.Fatalf("no fixtures in %s (err %v)", dir, err)
	}
	var valid []string
	for _, jpath := range jsons {
		name := strings.TrimSuffix(filepath.Base(jpath), ".json")
		path := filepath.Join(dir, name+".npz")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(jpath)
			if err != nil {
				t.Fatal(err)
			}
			var want npzExpect
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("%s: %v", jpath, err)
			}
			z, err := ReadNPZFile(path)
			if want.ReadError != "" {
				if err == nil || !strings.Contains(err.Error(), want.ReadError) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Fatalf("ReadNPZFile: error %v, want one naming the path and containing %q", err, want.ReadError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, w := range want.Arrays {
				keys = append(keys, w.Key)
				a := z.Arrays[w.Key]
				if a == nil {
					continue
				}
				if !slices.Equal(a.Shape, w.Shape) || a.DType != w.DType {
					t.Errorf("key %q: shape %v dtype %s, want %v %s", w.Key, a.Shape, a.DType, w.Shape, w.DType)
				}
				wv := make([]float64, len(w.Values))
				for i, v := range w.Values {
					wv[i] = float64(v)
				}
				if err := sameValues(a.Data, wv); err != nil {
					t.Errorf("key %q: %v", w.Key, err)
				}
			}
			if !slices.Equal(z.Keys, keys) {
				t.Fatalf("keys %q, want %q", z.Keys, keys)
			}
			ds, err := ImportSource{NPZ: path}.Load("")
			if want.LoadError != "" {
				if err == nil || !strings.Contains(err.Error(), want.LoadError) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Fatalf("Load: error %v, want one naming the path and containing %q", err, want.LoadError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ds.Task != want.Task || ds.Classes != want.Classes {
				t.Errorf("task %s with %d classes, want %s with %d", ds.Task, ds.Classes, want.Task, want.Classes)
			}
			n := map[string]int{}
			for _, ns := range ds.Splits() {
				n[ns.Name] = ns.Split.Len()
			}
			if !equalMaps(n, want.N) {
				t.Errorf("split sizes %v, want %v", n, want.N)
			}
			checkLayout(t, ImportSource{NPZ: path}, ds)
			valid = append(valid, path)
		})
	}
	return valid
}

func equalMaps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestNPZFixtures(t *testing.T) {
	checkNPZDir(t, filepath.Join("testdata", "npz"))
}

// TestNPZFromNumpy regenerates the fixtures with the numpy installed now,
// checks the Go reader against them, imports each valid one and has numpy
// check that the dataset directory holds the archive's values exactly.
func TestNPZFromNumpy(t *testing.T) {
	py := numpyPython(t)
	dir := t.TempDir()
	out, err := exec.Command(py, filepath.Join("testdata", "make_npz_fixtures.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("make_npz_fixtures.py: %v\n%s", err, out)
	}
	valid := checkNPZDir(t, dir)
	if len(valid) == 0 {
		t.Fatal("no valid archive among the fixtures")
	}
	args := []string{filepath.Join("testdata", "check_npz_import.py")}
	for i, path := range valid {
		ds := filepath.Join(t.TempDir(), "ds"+string(rune('a'+i)))
		if err := Import(ds, ImportSource{NPZ: path}, ""); err != nil {
			t.Fatal(err)
		}
		args = append(args, path, ds)
	}
	out, err = exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy disagrees with the imported directories: %v\n%s", err, out)
	}
}

// archive is the arrays of an NPZ archive in order, edited by the methods
// below into each test case; every method returns a copy.
type archive []keyed

func (a archive) without(keys ...string) archive {
	var out archive
	for _, k := range a {
		if !slices.Contains(keys, k.key) {
			out = append(out, k)
		}
	}
	return out
}

// with sets key to x, in place if key is there and last otherwise.
func (a archive) with(key string, x *Array) archive {
	out := slices.Clone(a)
	for i := range out {
		if out[i].key == key {
			out[i].a = x
			return out
		}
	}
	return append(out, keyed{key, x})
}

func (a archive) renamed(from, to string) archive {
	out := slices.Clone(a)
	for i := range out {
		if out[i].key == from {
			out[i].key = to
		}
	}
	return out
}

// edited passes a copy of the array under key through edit.
func (a archive) edited(key string, edit func(*Array)) archive {
	for _, k := range a {
		if k.key == key {
			x := &Array{Shape: slices.Clone(k.a.Shape), DType: k.a.DType, Data: slices.Clone(k.a.Data)}
			edit(x)
			return a.with(key, x)
		}
	}
	panic("no key " + key)
}

func (a archive) get(key string) *Array {
	for _, k := range a {
		if k.key == key {
			return k.a
		}
	}
	return nil
}

// write saves a as an NPZ archive in a new temporary directory.
func (a archive) write(t *testing.T, method uint16) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.npz")
	if err := os.WriteFile(path, npzOf(t, method, a...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func values(shape []int, dtype string, f func(i int) float64) *Array {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Array{Shape: shape, DType: dtype, Data: seq(n, f)}
}

func labels(dtype string, ys ...float64) *Array {
	return &Array{Shape: []int{len(ys)}, DType: dtype, Data: ys}
}

// importBase is a valid binary dataset of two modalities, (2, 3) and (5,),
// with 4, 2 and 3 samples in its train, val and test splits.
func importBase() archive {
	x0 := func(n int, off float64) *Array {
		return values([]int{n, 2, 3}, "<f8", func(i int) float64 { return float64(i)/4 - 1 + off })
	}
	x1 := func(n int, off float64) *Array {
		return values([]int{n, 5}, "<f4", func(i int) float64 { return float64(i)*0.5 + off })
	}
	return archive{
		{"x0", x0(4, 0)}, {"x1", x1(4, 0)}, {"y", labels("<i8", 1, -1, -1, 1)},
		{"val_x0", x0(2, 10)}, {"val_x1", x1(2, 10)}, {"val_y", labels("<i8", -1, 1)},
		{"test_x0", x0(3, 20)}, {"test_x1", x1(3, 20)}, {"test_y", labels("<i8", 1, 1, -1)},
	}
}

func trainOnly(a archive) archive {
	return a.without("val_x0", "val_x1", "val_y", "test_x0", "test_x1", "test_y")
}

// checkImported compares ds with the arrays it was built from.
func checkImported(t *testing.T, ds *Dataset, a archive) {
	t.Helper()
	prefixes := map[string]string{"train": "", "val": "val_", "test": "test_"}
	for _, ns := range ds.Splits() {
		p := prefixes[ns.Name]
		if y := a.get(p + "y"); !reflect.DeepEqual(ns.Split.Labels, y.Data) {
			t.Errorf("%s labels %v, want %v", ns.Name, ns.Split.Labels, y.Data)
		}
		if len(ns.Split.Inputs) != len(ds.Modalities) {
			t.Fatalf("%s: %d inputs for %d modalities", ns.Name, len(ns.Split.Inputs), len(ds.Modalities))
		}
		for r, x := range ns.Split.Inputs {
			want := a.get(p + "x" + strconv.Itoa(r))
			if err := sameValues(x, want.Data); err != nil {
				t.Errorf("%s input %d: %v", ns.Name, r, err)
			}
			if !slices.Equal(ds.Modalities[r].Shape, want.Shape[1:]) {
				t.Errorf("modality %d: shape %v, want %v", r, ds.Modalities[r].Shape, want.Shape[1:])
			}
		}
	}
	if (a.get("val_y") != nil) != (ds.Val != nil) || (a.get("test_y") != nil) != (ds.Test != nil) {
		t.Errorf("the dataset has %d splits, want those of the archive", len(ds.Splits()))
	}
}

func TestImportSourceLoadNPZ(t *testing.T) {
	base := importBase()
	tests := []struct {
		name    string
		arrays  archive
		method  uint16
		task    Task
		want    Task
		classes int
	}{
		{"binary, three splits", base, zip.Store, "", Binary, 2},
		{"deflated", base, zip.Deflate, "", Binary, 2},
		{"binary from float -1/+1", base.edited("y", func(a *Array) { a.DType = "<f8" }), zip.Store, "", Binary, 2},
		{"all +1 is binary", trainOnly(base).with("y", labels("<i8", 1, 1, 1, 1)), zip.Store, "", Binary, 2},
		{"0/1 integers are two classes", trainOnly(base).with("y", labels("<i8", 0, 1, 1, 0)), zip.Store, "", Multiclass, 2},
		{"a class only in test", base.with("y", labels("<i8", 0, 1, 1, 0)).with("val_y", labels("<i8", 1, 0)).with("test_y", labels("<i8", 2, 0, 1)),
			zip.Deflate, "", Multiclass, 3},
		{"integral floats are classes", trainOnly(base).with("y", labels("<f4", 0, 2, 1, 2)), zip.Store, "", Multiclass, 3},
		{"float labels are regression", trainOnly(base).with("y", labels("<f8", 0.5, -1, 2, 3)), zip.Store, "", Regression, 0},
		{"integral float labels beyond classes are regression", trainOnly(base).with("y", labels("<f8", -1, 0, 1, 2)), zip.Store, "", Regression, 0},
		{"integer labels as regression", trainOnly(base).with("y", labels("<i8", -1, 0, 1, 5)), zip.Store, Regression, Regression, 0},
		{"-1/+1 as regression", base, zip.Store, Regression, Regression, 0},
		{"explicit binary", base, zip.Store, Binary, Binary, 2},
		{"explicit multiclass", trainOnly(base).with("y", labels("<i8", 0, 1, 1, 0)), zip.Store, Multiclass, Multiclass, 2},
		{"one modality", base.without("x1", "val_x1", "test_x1"), zip.Store, "", Binary, 2},
		{"training split only", trainOnly(base), zip.Deflate, "", Binary, 2},
		{"keys in any order", archive{base[8], base[3], base[1], base[2], base[5], base[0], base[7], base[4], base[6]}, zip.Store, "", Binary, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ImportSource{NPZ: tt.arrays.write(t, tt.method)}.Load(tt.task)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Task != tt.want || ds.Classes != tt.classes {
				t.Errorf("task %s with %d classes, want %s with %d", ds.Task, ds.Classes, tt.want, tt.classes)
			}
			checkImported(t, ds, tt.arrays)
		})
	}
}

func TestImportSourceLoadNPZErrors(t *testing.T) {
	base := importBase()
	tests := []struct {
		name   string
		arrays archive
		task   Task
		want   string
	}{
		{"unknown key", base.with("labels", labels("<i8", 1)), "",
			`key "labels" is not a dataset key; want x0, x1 and y (training split), optionally with val_x0, val_x1 and val_y (validation) and test_x0, test_x1 and test_y (test)`},
		{"positional arrays", archive{{"arr_0", base.get("x0")}, {"arr_1", base.get("y")}}, "",
			`key "arr_0" is not a dataset key (numpy names arrays given without a keyword arr_0, arr_1, ...: save with numpy.savez(path, x0=..., y=...)); want x0, x1, ... and y (training split), optionally with val_x0, val_x1, ... and val_y (validation) and test_x0, test_x1, ... and test_y (test)`},
		{"leading zero", base.renamed("x1", "x01"), "",
			`key "x01" is not a dataset key; want x0 and y (training split), optionally with val_x0 and val_y (validation) and test_x0 and test_y (test)`},
		{"empty archive", nil, "",
			`no key x0; want x0, x1, ... and y (training split), optionally with val_x0, val_x1, ... and val_y (validation) and test_x0, test_x1, ... and test_y (test)`},
		{"no x0", trainOnly(base).without("x0"), "",
			`no key x0; want x0, x1, ... and y (training split), optionally with val_x0, val_x1, ... and val_y (validation) and test_x0, test_x1, ... and test_y (test)`},
		{"gap", trainOnly(base).renamed("x1", "x2"), "",
			`key "x1" is missing but key "x2" is there: inputs are numbered from x0 without gaps; want x0, x1, x2 and y (training split), optionally with val_x0, val_x1, val_x2 and val_y (validation) and test_x0, test_x1, test_x2 and test_y (test)`},
		{"gap to a large index", trainOnly(base).renamed("x1", "x9"), "",
			`key "x1" is missing but key "x9" is there: inputs are numbered from x0 without gaps; want x0, x1, ..., x9 and y (training split), optionally with val_x0, val_x1, ..., val_x9 and val_y (validation) and test_x0, test_x1, ..., test_x9 and test_y (test)`},
		{"index beyond int32", trainOnly(base).renamed("x1", "x2147483648"), "",
			`key "x2147483648" is not a dataset key; want x0 and y (training split), optionally with val_x0 and val_y (validation) and test_x0 and test_y (test)`},
		{"no labels", base.without("y"), "",
			`key "y" is missing; want x0, x1 and y (training split), optionally with val_x0, val_x1 and val_y (validation) and test_x0, test_x1 and test_y (test)`},
		{"val without test", base.without("test_x0", "test_x1", "test_y"), "",
			`val keys without test keys: give both a validation split (val_x0, val_x1 and val_y) and a test split (test_x0, test_x1 and test_y), or neither (then the training split is divided per seed, see Dataset.SplitByRatio)`},
		{"test without val", trainOnly(base).with("test_y", labels("<i8", 1)), "",
			`test keys without val keys: give both a validation split (val_x0, val_x1 and val_y) and a test split (test_x0, test_x1 and test_y), or neither (then the training split is divided per seed, see Dataset.SplitByRatio)`},
		{"val input missing", base.without("val_x1"), "",
			`key "val_x1" is missing: the val split wants val_x0, val_x1 and val_y, one input per modality as in the training split`},
		{"test input beyond the modalities", base.with("test_x2", base.get("test_x1")), "",
			`key "test_x2" is beyond the modalities of the training split: the test split wants test_x0, test_x1 and test_y`},
		{"val labels missing", base.without("val_y"), "",
			`key "val_y" is missing: the val split wants val_x0, val_x1 and val_y`},
		{"unknown task", base, "ranking",
			`unknown task "ranking", want "binary", "multiclass", "regression" or empty to infer it from the labels`},
		{"bool labels", base.edited("y", func(a *Array) { a.DType, a.Data = "|b1", []float64{1, 0, 0, 1} }), "",
			`key "y": labels are bool, want integers or floats (convert with y.astype(int))`},
		{"2-d labels", base.edited("y", func(a *Array) { a.Shape = []int{4, 1} }), "",
			`key "y": shape (4, 1), want (n,): one label per sample`},
		{"no samples", base.with("test_y", labels("<i8")).with("test_x0", values([]int{0, 2, 3}, "<f8", nil)), "",
			`key "test_y" holds no labels: every split needs at least one sample`},
		{"bool input", base.edited("x1", func(a *Array) { a.DType = "|b1"; clear(a.Data) }), "",
			`key "x1": dtype |b1, want a float or integer dtype`},
		{"1-d input", base.with("x0", values([]int{4}, "<f8", func(i int) float64 { return 1 })), "",
			`key "x0": shape (4,), want (n, sample shape...), e.g. (n, 1) for one value per sample`},
		{"samples and labels disagree", base.edited("x1", func(a *Array) { a.Shape[0], a.Data = 3, a.Data[:15] }), "",
			`key "x1" holds 3 samples but key "y" holds 4 labels`},
		{"empty sample", base.with("val_x1", values([]int{2, 0}, "<f8", nil)), "",
			`key "val_x1": shape (2, 0): a sample of shape (0,) holds no values`},
		{"sample shapes differ", base.edited("val_x0", func(a *Array) { a.Shape = []int{2, 3, 2} }), "",
			`key "val_x0" has samples of shape (3, 2) but key "x0" has samples of shape (2, 3)`},
		{"flattened samples", base.edited("test_x0", func(a *Array) { a.Shape = []int{3, 6} }), "",
			`key "test_x0" has samples of shape (6,) but key "x0" has samples of shape (2, 3)`},
		{"NaN input", base.edited("x1", func(a *Array) { a.Data[13] = math.NaN() }), "",
			`key "x1": sample 2, value [3] is NaN, want a finite number`},
		{"infinite input", base.edited("val_x0", func(a *Array) { a.Data[8] = math.Inf(1) }), "",
			`key "val_x0": sample 1, value [0, 2] is +Inf, want a finite number`},
		{"NaN label", base.edited("test_y", func(a *Array) { a.DType = "<f8"; a.Data[1] = math.NaN() }), "",
			`key "test_y": label 1 is NaN, want a finite number`},
		{"integer labels that fit no classification", trainOnly(base).with("y", labels("<i8", 0, -1, 1, 1)), "",
			`the integer labels fit no classification task: key "y": label 0 is 0, not -1 or +1 (binary); key "y": label 1 is -1, not a class index 0, 1, 2, ... (multiclass); give the task regression if they are quantities`},
		{"one class", trainOnly(base).with("y", labels("<i8", 0, 0, 0, 0)), "",
			`key "y": every label is 0, a single class; a classification task needs at least 2`},
		{"too many classes", trainOnly(base).with("y", labels("<i8", 0, 1, 70000, 2)), "",
			`key "y": label 2 is 70000, which makes 70001 classes, more than the 65536 allowed; give the task regression if the labels are quantities`},
		{"0/1 labels for a binary task", trainOnly(base).with("y", labels("<i8", 0, 1, 1, 0)), Binary,
			`key "y": label 0 is 0: binary labels must be -1 or +1, not 0/1 (convert with y = 2*y - 1)`},
		{"label 2 for a binary task", base.with("val_y", labels("<i8", 1, 2)), Binary,
			`key "val_y": label 1 is 2, want -1 or +1 for a binary task`},
		{"-1 for a multiclass task", base, Multiclass,
			`key "y": label 1 is -1, want a class index 0, 1, 2, ... for a multiclass task`},
		{"fraction for a multiclass task", trainOnly(base).with("y", labels("<f8", 0, 1, 1.5, 2)), Multiclass,
			`key "y": label 2 is 1.5, want a class index 0, 1, 2, ... for a multiclass task`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.arrays.write(t, zip.Deflate)
			ds, err := ImportSource{NPZ: path}.Load(tt.task)
			if err == nil {
				t.Fatalf("Load succeeded (%s, %d training samples), want an error", ds.Task, ds.Train.Len())
			}
			if want := path + ": " + tt.want; err.Error() != want {
				t.Fatalf("error\n  %s\nwant\n  %s", err, want)
			}
		})
	}
}

// npyFiles writes each array of a to dir/<key>.npy and names them by split.
func npyFiles(t *testing.T, dir string, a archive) ImportSource {
	t.Helper()
	var src ImportSource
	for _, k := range a {
		path := filepath.Join(dir, k.key+".npy")
		if err := WriteNPYFile(path, k.a); err != nil {
			t.Fatal(err)
		}
		files := &src.Train
		name := k.key
		if rest, ok := strings.CutPrefix(name, "val_"); ok {
			files, name = &src.Val, rest
		} else if rest, ok := strings.CutPrefix(name, "test_"); ok {
			files, name = &src.Test, rest
		}
		if name == "y" {
			files.Y = path
		} else {
			files.X = append(files.X, path)
		}
	}
	return src
}

// Separate NPY files make the same dataset as an archive of them.
func TestImportSourceLoadNPYFiles(t *testing.T) {
	for _, arrays := range []archive{importBase(), trainOnly(importBase())} {
		dir := t.TempDir()
		src := npyFiles(t, dir, arrays)
		ds, err := src.Load("")
		if err != nil {
			t.Fatal(err)
		}
		want, err := ImportSource{NPZ: arrays.write(t, zip.Store)}.Load("")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ds, want) {
			t.Errorf("dataset of NPY files differs from that of the archive:\ngot  %+v\nwant %+v", ds, want)
		}
		checkImported(t, ds, arrays)
		checkLayout(t, src, ds)
	}
}

func TestImportSourceLoadNPYFilesErrors(t *testing.T) {
	dir := t.TempDir()
	good := npyFiles(t, dir, importBase())
	bad := npyFiles(t, t.TempDir(), importBase().
		edited("x1", func(a *Array) { a.Shape[0], a.Data = 3, a.Data[:15] }).
		edited("val_x1", func(a *Array) { a.Data[7] = math.NaN() }).
		edited("test_x0", func(a *Array) { a.Shape = []int{3, 6} }))
	path := func(name string) string { return filepath.Join(dir, name+".npy") }
	tests := []struct {
		name string
		src  func(s ImportSource) ImportSource
		want string
	}{
		{"archive and files", func(s ImportSource) ImportSource { s.NPZ = "data.npz"; return s },
			"give an NPZ archive or NPY files, not both"},
		{"nothing", func(ImportSource) ImportSource { return ImportSource{} },
			"no source: give an NPZ archive, or NPY files for the inputs and labels of the training split"},
		{"no training files", func(s ImportSource) ImportSource { s.Train = NPYFiles{}; return s },
			"no source: give an NPZ archive, or NPY files for the inputs and labels of the training split"},
		{"no training inputs", func(s ImportSource) ImportSource { s.Train.X = nil; return s },
			"train split: no input files; give one NPY file per modality"},
		{"no training labels", func(s ImportSource) ImportSource { s.Train.Y = ""; return s },
			"train split: no labels file"},
		{"val without test", func(s ImportSource) ImportSource { s.Test = NPYFiles{}; return s },
			"val files without test files: give both a validation and a test split, or neither (then the training split is divided per seed, see Dataset.SplitByRatio)"},
		{"test without val", func(s ImportSource) ImportSource { s.Val = NPYFiles{}; return s },
			"test files without val files: give both a validation and a test split, or neither (then the training split is divided per seed, see Dataset.SplitByRatio)"},
		{"val with one input", func(s ImportSource) ImportSource { s.Val.X = s.Val.X[:1]; return s },
			"val split has 1 input files but the training split has 2: give one per modality"},
		{"val without labels", func(s ImportSource) ImportSource { s.Val.Y = ""; return s },
			"val split: no labels file"},
		{"missing file", func(s ImportSource) ImportSource { s.Test.X[1] = path("nope"); return s },
			"open " + path("nope") + ": no such file or directory"},
		{"not an NPY file", func(s ImportSource) ImportSource {
			s.Test.Y = filepath.Join("testdata", "npz", "binary_savez.npz")
			return s
		},
			filepath.Join("testdata", "npz", "binary_savez.npz") + `: not an NPY file: starts with "PK\x03\x04\x14\x00", want "\x93NUMPY"`},
		{"samples and labels disagree", func(ImportSource) ImportSource { return ImportSource{Train: bad.Train} },
			bad.Train.X[1] + " holds 3 samples but " + bad.Train.Y + " holds 4 labels"},
		{"sample shapes differ", func(s ImportSource) ImportSource { s.Test = bad.Test; return s },
			bad.Test.X[0] + " has samples of shape (6,) but " + path("x0") + " has samples of shape (2, 3)"},
		{"NaN input", func(s ImportSource) ImportSource { s.Val = bad.Val; return s },
			bad.Val.X[1] + ": sample 1, value [2] is NaN, want a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src(ImportSource{
				Train: NPYFiles{X: slices.Clone(good.Train.X), Y: good.Train.Y},
				Val:   NPYFiles{X: slices.Clone(good.Val.X), Y: good.Val.Y},
				Test:  NPYFiles{X: slices.Clone(good.Test.X), Y: good.Test.Y},
			})
			ds, err := src.Load("")
			if err == nil {
				t.Fatalf("Load succeeded (%d training samples), want an error", ds.Train.Len())
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n  %s\nwant\n  %s", err, tt.want)
			}
			// Layout finds every mistake Load does but a NaN, from the
			// headers alone.
			_, err = src.Layout("")
			if tt.name == "NaN input" {
				if err != nil {
					t.Errorf("Layout: %v, want no error: it does not read the inputs", err)
				}
			} else if err == nil || err.Error() != tt.want {
				t.Errorf("Layout: error\n  %v\nwant\n  %s", err, tt.want)
			}
		})
	}
}

// checkLayout wants the layout of src to describe ds.
func checkLayout(t *testing.T, src ImportSource, ds *Dataset) {
	t.Helper()
	l, err := src.Layout("")
	if err != nil {
		t.Fatalf("Layout: %v", err)
	}
	want := &Layout{Task: ds.Task, Classes: ds.Classes, Modalities: ds.Modalities, Train: ds.Train.Len(), Val: ds.Val.Len(), Test: ds.Test.Len()}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("Layout = %+v, want %+v", l, want)
	}
}

// TestLayoutTruncatedInput wants a file shorter than its header says
// refused by Layout, which reads only the header, as by Load.
func TestLayoutTruncatedInput(t *testing.T) {
	dir := t.TempDir()
	src := npyFiles(t, dir, trainOnly(importBase()))
	fi, err := os.Stat(src.Train.X[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(src.Train.X[1], fi.Size()-8); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"Load":   func() error { _, err := src.Load(""); return err },
		"Layout": func() error { _, err := src.Layout(""); return err },
	} {
		if err := read(); err == nil || !strings.HasPrefix(err.Error(), src.Train.X[1]+": ") {
			t.Errorf("%s of a truncated file: %v, want an error naming it", name, err)
		}
	}
}

// Import writes a directory Load reads back exactly, training-only ones
// included, with the source in the manifest.
func TestImport(t *testing.T) {
	tests := []struct {
		name string
		src  func(t *testing.T) (ImportSource, archive)
	}{
		{"archive", func(t *testing.T) (ImportSource, archive) {
			return ImportSource{NPZ: importBase().write(t, zip.Deflate)}, importBase()
		}},
		{"training-only archive", func(t *testing.T) (ImportSource, archive) {
			a := trainOnly(importBase()).with("y", labels("<f8", 0.5, 1, -2, 3))
			return ImportSource{NPZ: a.write(t, zip.Store)}, a
		}},
		{"NPY files", func(t *testing.T) (ImportSource, archive) {
			a := importBase().with("y", labels("<i8", 2, 0, 1, 1)).with("val_y", labels("<i8", 0, 0)).with("test_y", labels("<i8", 1, 2, 0))
			return npyFiles(t, t.TempDir(), a), a
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, arrays := tt.src(t)
			want, err := src.Load("")
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "ds")
			if err := Import(dir, src, ""); err != nil {
				t.Fatal(err)
			}
			got, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load(Import(src)) differs from src.Load():\ngot  %+v\nwant %+v", got, want)
			}
			checkImported(t, got, arrays)
			m, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			var source struct{ Import ImportSource }
			if err := json.Unmarshal(m.Source, &source); err != nil || !reflect.DeepEqual(source.Import, src) {
				t.Errorf("manifest source %s (%v), want the import source %+v", m.Source, err, src)
			}
			if got.Val == nil {
				if err := got.SplitByRatio(0.25, 0.25, rng.New(1, "split")); err != nil {
					t.Errorf("dividing the training-only import: %v", err)
				}
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	// The directory is checked before the source is read.
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Import(full, ImportSource{NPZ: "missing.npz"}, "")
	want := `dataset "` + full + `": directory is not empty (holds notes.txt); a dataset is written only into a new or empty directory`
	if err == nil || err.Error() != want {
		t.Errorf("import into a non-empty directory: error %v, want %q", err, want)
	}
	// A source that fails the checks writes nothing.
	dir := filepath.Join(t.TempDir(), "ds")
	path := importBase().edited("test_x1", func(a *Array) { a.Data[0] = math.Inf(-1) }).write(t, zip.Store)
	err = Import(dir, ImportSource{NPZ: path}, "")
	want = path + `: key "test_x1": sample 0, value [0] is -Inf, want a finite number`
	if err == nil || err.Error() != want {
		t.Errorf("import of a bad archive: error %v, want %q", err, want)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("a failed import created %s", dir)
	}
}
