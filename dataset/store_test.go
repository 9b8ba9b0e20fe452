package dataset

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func smallSynthetic(t *testing.T) *Dataset {
	t.Helper()
	m := SyntheticModality{Patches: 3, Dim: 10, Alpha: 1, Beta: 0.2, Mu: 0.3, SigmaP: 0.5}
	ds, err := Synthetic{Modalities: []SyntheticModality{m, m}, NTrain: 20, NVal: 10, NTest: 10}.Generate(7)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// handMade builds a dataset with no optional arrays, for the tasks
// Synthetic does not produce.
func handMade(task Task, classes int, labels []float64) *Dataset {
	n := len(labels)
	split := func(offset float64) *Split {
		x0 := seq(n*2, func(i int) float64 { return float64(i)/4 + offset })
		x1 := seq(n*3*2, func(i int) float64 { return -float64(i) + offset })
		return &Split{Inputs: [][]float64{x0, x1}, Labels: labels}
	}
	return &Dataset{
		Task:       task,
		Classes:    classes,
		Modalities: []Modality{{Name: "audio", Shape: []int{2}}, {Name: "video", Shape: []int{3, 2}}},
		Train:      split(0),
		Val:        split(100),
		Test:       split(200),
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		ds     *Dataset
		source any
	}{
		{"synthetic", smallSynthetic(t), map[string]any{"generator": "synthetic", "seed": 7}},
		{"multiclass, nil source", handMade(Multiclass, 3, []float64{0, 2, 1, 1}), nil},
		{"regression", handMade(Regression, 0, []float64{0.5, -3, 1e-9, 7}), "hand made"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ds")
			if err := Save(dir, tt.ds, tt.source); err != nil {
				t.Fatal(err)
			}
			got, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.ds) {
				t.Errorf("Load(Save(ds)) differs from ds:\ngot  %+v\nwant %+v", got, tt.ds)
			}
			m, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tt.source == nil {
				if m.Source != nil {
					t.Errorf("source %s, want none", m.Source)
				}
			} else {
				var got any
				if err := json.Unmarshal(m.Source, &got); err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(tt.source)
				var want any
				json.Unmarshal(b, &want)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("source %v, want %v", got, want)
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}

// TestSaveLayout pins the file names and dtypes numpy users rely on.
func TestSaveLayout(t *testing.T) {
	dir := t.TempDir()
	ds := smallSynthetic(t)
	if err := Save(dir, ds, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		shape []int
		dtype string
	}{
		"feature_m0.npy":         {[]int{10}, "<f8"},
		"feature_m1.npy":         {[]int{10}, "<f8"},
		"train_x0.npy":           {[]int{20, 3, 10}, "<f8"},
		"train_x1.npy":           {[]int{20, 3, 10}, "<f8"},
		"train_y.npy":            {[]int{20}, "<i8"},
		"train_sufficient.npy":   {[]int{20, 2}, "|b1"},
		"train_signal_patch.npy": {[]int{20, 2}, "<i8"},
		"val_x0.npy":             {[]int{10, 3, 10}, "<f8"},
		"val_x1.npy":             {[]int{10, 3, 10}, "<f8"},
		"val_y.npy":              {[]int{10}, "<i8"},
		"val_sufficient.npy":     {[]int{10, 2}, "|b1"},
		"val_signal_patch.npy":   {[]int{10, 2}, "<i8"},
		"test_x0.npy":            {[]int{10, 3, 10}, "<f8"},
		"test_x1.npy":            {[]int{10, 3, 10}, "<f8"},
		"test_y.npy":             {[]int{10}, "<i8"},
		"test_sufficient.npy":    {[]int{10, 2}, "|b1"},
		"test_signal_patch.npy":  {[]int{10, 2}, "<i8"},
		ManifestFile:             {},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%d files, want %d", len(entries), len(want))
	}
	for _, e := range entries {
		w, ok := want[e.Name()]
		if !ok {
			t.Errorf("unexpected file %s", e.Name())
			continue
		}
		if e.Name() == ManifestFile {
			continue
		}
		a, err := ReadNPYFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a.Shape, w.shape) || a.DType != w.dtype {
			t.Errorf("%s: shape %v dtype %s, want %v %s", e.Name(), a.Shape, a.DType, w.shape, w.dtype)
		}
	}
	// The file is (n, K) while memory is modality-major.
	a, err := ReadNPYFile(filepath.Join(dir, "train_signal_patch.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.Data[5*2+1], float64(ds.Train.SignalPatch[1][5]); got != want {
		t.Errorf("signal patch of sample 5, modality 1 is %v in the file, want %v", got, want)
	}
}

func TestSaveRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Save(dir, smallSynthetic(t), nil)
	if err == nil || !strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %v, want one saying %s is not empty", err, dir)
	}
}

func TestSaveRefusesInvalidDataset(t *testing.T) {
	ds := smallSynthetic(t)
	ds.Val.Labels[0] = 0
	dir := filepath.Join(t.TempDir(), "ds")
	err := Save(dir, ds, nil)
	if err == nil || !strings.Contains(err.Error(), "invalid dataset") {
		t.Fatalf("error %v, want an invalid dataset error", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("Save created %s for an invalid dataset", dir)
	}
}

// TestLoadOptionalFilesAbsent checks that a user's dataset without the
// synthetic-only arrays loads with those fields nil.
func TestLoadOptionalFilesAbsent(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, smallSynthetic(t), nil); err != nil {
		t.Fatal(err)
	}
	editManifest(t, dir, func(m map[string]any) {
		for _, mod := range m["modalities"].([]any) {
			delete(mod.(map[string]any), "feature")
		}
		for _, s := range m["splits"].(map[string]any) {
			delete(s.(map[string]any), "sufficient")
			delete(s.(map[string]any), "signal_patch")
		}
		m["source"] = map[string]any{"anything": []any{1, "goes", map[string]any{"here": true}}}
	})
	ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range ds.Modalities {
		if mod.Feature != nil {
			t.Errorf("modality %s has a feature", mod.Name)
		}
	}
	for _, ns := range ds.Splits() {
		if ns.Split.Sufficient != nil || ns.Split.SignalPatch != nil {
			t.Errorf("split %s has sufficiency or signal patches", ns.Name)
		}
	}
}

func editManifest(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editNPY rewrites dir/name after passing its array through edit.
func editNPY(t *testing.T, dir, name string, edit func(*Array)) {
	t.Helper()
	path := filepath.Join(dir, name)
	a, err := ReadNPYFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(a)
	if err := WriteNPYFile(path, a); err != nil {
		t.Fatal(err)
	}
}

func writeRaw(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		want   []string // every string must appear in the error
	}{
		{"missing manifest", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ManifestFile))
		}, []string{"manifest.json is missing"}},
		{"bad manifest JSON", func(t *testing.T, dir string) {
			writeRaw(t, dir, ManifestFile, []byte("{\n  \"format\": \"modcomp-dataset\",\n  \"version\": 1,,\n}"))
		}, []string{"manifest.json", "invalid JSON on line 3"}},
		{"data after manifest JSON", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			writeRaw(t, dir, ManifestFile, append(b, "{}"...))
		}, []string{"manifest.json", "after the JSON object"}},
		{"unknown manifest key", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) {
				s := m["splits"].(map[string]any)["train"].(map[string]any)
				s["label"] = s["labels"]
			})
		}, []string{"manifest.json", `unknown field "label"`}},
		{"unknown split", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) {
				s := m["splits"].(map[string]any)
				s["validation"] = s["val"]
			})
		}, []string{"manifest.json", `unknown field "validation"`}},
		{"missing split", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { delete(m["splits"].(map[string]any), "val") })
		}, []string{"manifest.json", "give both val and test, or neither"}},
		{"wrong format", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["format"] = "something-else" })
		}, []string{"manifest.json", `format is "something-else"`}},
		{"future version", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["version"] = 2 })
		}, []string{"manifest.json", "unsupported version 2"}},
		{"unknown task", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["task"] = "ranking" })
		}, []string{"manifest.json", `task is "ranking"`}},
		{"too few inputs", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) {
				s := m["splits"].(map[string]any)["test"].(map[string]any)
				s["inputs"] = s["inputs"].([]any)[:1]
			})
		}, []string{"manifest.json", "splits.test.inputs lists 1 files for 2 modalities"}},
		{"file outside the directory", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) {
				m["splits"].(map[string]any)["train"].(map[string]any)["labels"] = "../train_y.npy"
			})
		}, []string{"manifest.json", "splits.train.labels", "inside the dataset directory"}},
		{"missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "val_y.npy"))
		}, []string{"val_y.npy: file is missing", "splits.val.labels"}},
		{"missing optional file named in manifest", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "test_sufficient.npy"))
		}, []string{"test_sufficient.npy: file is missing"}},
		{"truncated npy", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "train_x1.npy")
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()-10); err != nil {
				t.Fatal(err)
			}
		}, []string{"train_x1.npy", "data holds 4790 bytes, shape (20, 3, 10) of <f8 needs 4800"}},
		{"not an npy file", func(t *testing.T, dir string) {
			writeRaw(t, dir, "val_x0.npy", []byte("a,b\n1,2\n"))
		}, []string{"val_x0.npy", "not an NPY file"}},
		{"labels as strings", func(t *testing.T, dir string) {
			writeRaw(t, dir, "train_y.npy", npyFile(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (20,), }", make([]byte, 20*12)))
		}, []string{"train_y.npy", `unsupported dtype "<U3"`}},
		{"labels as bool", func(t *testing.T, dir string) {
			editNPY(t, dir, "train_y.npy", func(a *Array) {
				a.DType = "|b1"
				for i := range a.Data {
					a.Data[i] = float64(i % 2)
				}
			})
		}, []string{"train_y.npy", "labels are bool, want integers -1 or +1"}},
		{"inputs as bool", func(t *testing.T, dir string) {
			editNPY(t, dir, "test_x0.npy", func(a *Array) {
				a.DType = "|b1"
				clear(a.Data)
			})
		}, []string{"test_x0.npy", "dtype |b1, want a float or integer dtype"}},
		{"sufficient as float", func(t *testing.T, dir string) {
			editNPY(t, dir, "train_sufficient.npy", func(a *Array) { a.DType = "<f8" })
		}, []string{"train_sufficient.npy", "dtype <f8, want bool dtype"}},
		{"signal patch as float", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_signal_patch.npy", func(a *Array) { a.DType = "<f4" })
		}, []string{"val_signal_patch.npy", "dtype <f4, want an integer dtype"}},
		{"wrong input shape", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_x0.npy", func(a *Array) { a.Shape = []int{10, 10, 3} })
		}, []string{"val_x0.npy", "shape (10, 10, 3), want (10, 3, 10)"}},
		{"flattened input", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_x1.npy", func(a *Array) { a.Shape = []int{10, 30} })
		}, []string{"val_x1.npy", "shape (10, 30), want (10, 3, 10)"}},
		{"count mismatch between modalities and labels", func(t *testing.T, dir string) {
			editNPY(t, dir, "test_x1.npy", func(a *Array) {
				a.Shape[0] = 9
				a.Data = a.Data[:9*30]
			})
		}, []string{"test_x1.npy holds 9 samples but test_y.npy holds 10 labels"}},
		{"labels disagree with manifest n", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_y.npy", func(a *Array) {
				a.Shape[0] = 11
				a.Data = append(a.Data, 1)
			})
		}, []string{"val_y.npy holds 11 labels but the manifest says splits.val.n = 10"}},
		{"labels not 1-d", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_y.npy", func(a *Array) { a.Shape = []int{10, 1} })
		}, []string{"val_y.npy: shape (10, 1), want (10,)"}},
		{"0/1 labels", func(t *testing.T, dir string) {
			editNPY(t, dir, "train_y.npy", func(a *Array) {
				for i, y := range a.Data {
					a.Data[i] = (y + 1) / 2
				}
			})
		}, []string{"train_y.npy", "-1 or +1, not 0/1"}},
		{"label 2 in a binary task", func(t *testing.T, dir string) {
			editNPY(t, dir, "test_y.npy", func(a *Array) { a.Data[4] = 2 })
		}, []string{"test_y.npy: label 4 is 2, want -1 or +1"}},
		{"sufficient count mismatch", func(t *testing.T, dir string) {
			editNPY(t, dir, "train_sufficient.npy", func(a *Array) {
				a.Shape[0] = 19
				a.Data = a.Data[:38]
			})
		}, []string{"train_sufficient.npy holds 19 samples but train_y.npy holds 20 labels"}},
		{"sufficient transposed", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_sufficient.npy", func(a *Array) {
				a.Shape = []int{2, 10}
				a.Data = fortranToC(a.Data, a.Shape)
			})
		}, []string{"val_sufficient.npy", "shape (2, 10), want (10, 2)", "transposed"}},
		{"signal patch 1-d", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_signal_patch.npy", func(a *Array) {
				a.Shape = []int{10}
				a.Data = a.Data[:10]
			})
		}, []string{"val_signal_patch.npy", "shape (10,), want (10, 2)"}},
		{"signal patch out of range", func(t *testing.T, dir string) {
			editNPY(t, dir, "test_signal_patch.npy", func(a *Array) { a.Data[3] = 3 })
		}, []string{"test_signal_patch.npy: sample 1, modality 1: signal patch 3, want 0..2"}},
		{"feature of the wrong size", func(t *testing.T, dir string) {
			editNPY(t, dir, "feature_m1.npy", func(a *Array) {
				a.Shape = []int{9}
				a.Data = a.Data[:9]
			})
		}, []string{"feature_m1.npy", "shape (9,), want (10,)"}},
		{"non-finite input", func(t *testing.T, dir string) {
			editNPY(t, dir, "val_x1.npy", func(a *Array) { a.Data[31] = math.NaN() })
		}, []string{"val_x1.npy: sample 1, value [0, 1] is NaN, want a finite number"}},
		{"binary with 3 classes", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m map[string]any) { m["classes"] = 3 })
		}, []string{"manifest.json: classes is 3, want 2 for a binary task"}},
	}
	base := t.TempDir()
	ds := smallSynthetic(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(base, fmt.Sprintf("case%02d", i))
			if err := Save(dir, ds, nil); err != nil {
				t.Fatal(err)
			}
			tt.mutate(t, dir)
			got, err := Load(dir)
			if err == nil {
				t.Fatalf("Load succeeded (%d train samples), want an error", got.Train.Len())
			}
			t.Log(err)
			for _, w := range append(tt.want, dir) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nowhere")
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "Save did not finish") {
		t.Fatalf("error %v, want one saying %s does not exist", err, dir)
	}
}
