package runs

import (
	"archive/zip"
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// numpyNPZ is a fixture numpy.savez or numpy.savez_compressed wrote (see
// dataset/testdata/make_npz_fixtures.py).
func numpyNPZ(name string) string {
	return filepath.Join("..", "dataset", "testdata", "npz", name+".npz")
}

// keyed is an array of an NPZ archive.
type keyed struct {
	key string
	a   *dataset.Array
}

// writeNPZ writes the arrays as numpy.savez does: a zip of <key>.npy.
func writeNPZ(t *testing.T, path string, arrays ...keyed) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, k := range arrays {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: k.key + ".npy", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if err := dataset.WriteNPY(w, k.a); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// userArrays are the arrays of a user's two-modality binary dataset of n
// samples whose modality 0 tells the label: x0 (n, 2, 3), x1 (n, 4), y.
func userArrays(n int) (x0, x1, y *dataset.Array) {
	x0 = &dataset.Array{Shape: []int{n, 2, 3}, DType: "<f8", Data: make([]float64, n*6)}
	x1 = &dataset.Array{Shape: []int{n, 4}, DType: "<f4", Data: make([]float64, n*4)}
	y = &dataset.Array{Shape: []int{n}, DType: "<i8", Data: make([]float64, n)}
	for i := range n {
		y.Data[i] = float64(2*(i%2) - 1)
		for j := range 6 {
			x0.Data[i*6+j] = y.Data[i] + 0.1*float64((i*7+j*3)%11)
		}
		for j := range 4 {
			x1.Data[i*4+j] = 0.1 * float64((i*5+j)%7)
		}
	}
	return x0, x1, y
}

// npzConfig is a tiny comparison of MLP encoders on the archive at path.
func npzConfig(t *testing.T, path string) Config {
	t.Helper()
	c := tinyConfig(t)
	c.Data = path
	c.Encoder, c.MLPInput, c.Hidden = StringList{"mlp"}, "flat", IntList{4}
	c.Optimizer, c.LR = StringList{"adam"}, FloatList{0.05}
	c.Steps, c.LogEvery = 20, 10
	return c
}

// startCounter counts the networks that start training.
type startCounter struct{ n atomic.Int32 }

func (s *startCounter) Started(*NetworkRun, int) { s.n.Add(1) }
func (s *startCounter) Logged(*NetworkRun, int)  {}
func (s *startCounter) Finished(*NetworkRun)     {}

// TestCompareOnNPZ compares on an archive with a training split only,
// divided per seed, and on one with all three splits: data alone picks the
// npz source, and the splits are those of the archive or of the split key.
func TestCompareOnNPZ(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x0, x1, y := userArrays(40)
	trainOnly := writeNPZ(t, filepath.Join(dir, "train.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", y})
	vx0, vx1, vy := userArrays(10)
	full := writeNPZ(t, filepath.Join(dir, "full.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", y},
		keyed{"val_x0", vx0}, keyed{"val_x1", vx1}, keyed{"val_y", vy}, keyed{"test_x0", vx0}, keyed{"test_x1", vx1}, keyed{"test_y", vy})
	for _, tc := range []struct {
		name      string
		path      string
		nTrain    int
		val, test int
	}{
		{"training split only", trainOnly, 28, 6, 6},
		{"three splits", full, 40, 10, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := npzConfig(t, tc.path)
			c.Split = FloatList{0.15, 0.15}
			p := resolve(t, c)
			if _, ok := p.source.(*fileSource); !ok || p.K != 2 || p.NTrain != tc.nTrain {
				t.Fatalf("source %T, K %d, n-train %d; want the npz source, 2, %d", p.source, p.K, p.NTrain, tc.nTrain)
			}
			out, err := Compare(context.Background(), p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if out.State != StateComplete || len(out.Compare.SeedsAggregated) != 2 {
				t.Fatalf("state %s, %d seeds aggregated; want complete, 2", out.State, len(out.Compare.SeedsAggregated))
			}
			ds, err := p.source.draw(1)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Train.Len() != tc.nTrain || ds.Val.Len() != tc.val || ds.Test.Len() != tc.test {
				t.Errorf("seed 1's splits %d/%d/%d, want %d/%d/%d", ds.Train.Len(), ds.Val.Len(), ds.Test.Len(), tc.nTrain, tc.val, tc.test)
			}
		})
	}
}

// TestDataErrorsBeforeRunDirectory wants every mistake in the user's data
// to be one error naming the file (or key) and the index, before a run
// directory is made or a network starts.
func TestDataErrorsBeforeRunDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x0, x1, y := userArrays(40)
	nan := *x0
	nan.Data = append([]float64(nil), x0.Data...)
	nan.Data[17*6+4] = math.NaN()
	badY := *y
	badY.Data = append([]float64(nil), y.Data...)
	badY.Data[9] = 3
	short := *x1
	short.Shape, short.Data = []int{39, 4}, x1.Data[:39*4]

	// A dataset directory whose training labels hold a 0.
	npyDir := filepath.Join(dir, "dataset")
	ds, err := dataset.ImportSource{NPZ: writeNPZ(t, filepath.Join(dir, "ok.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", y})}.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if err := dataset.Save(npyDir, ds, nil); err != nil {
		t.Fatal(err)
	}
	labels := filepath.Join(npyDir, "train_y.npy")
	zero := *y
	zero.Data = append([]float64(nil), y.Data...)
	zero.Data[5] = 0
	if err := dataset.WriteNPYFile(labels, &zero); err != nil {
		t.Fatal(err)
	}
	nanDir := filepath.Join(dir, "nan-dataset")
	if err := os.CopyFS(nanDir, os.DirFS(npyDir)); err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteNPYFile(filepath.Join(nanDir, "train_y.npy"), y); err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteNPYFile(filepath.Join(nanDir, "train_x0.npy"), &nan); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		data string
		edit func(*Config)
		want []string
	}{
		{"NaN in an archive", writeNPZ(t, filepath.Join(dir, "nan.npz"), keyed{"x0", &nan}, keyed{"x1", x1}, keyed{"y", y}), nil,
			[]string{"nan.npz", `key "x0"`, "sample 17, value [1, 1] is NaN"}},
		{"NaN in a directory", nanDir, nil, []string{"train_x0.npy", "sample 17, value [1, 1] is NaN"}},
		{"label fits no task", writeNPZ(t, filepath.Join(dir, "labels.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", &badY}), nil,
			[]string{"labels.npz", `key "y"`, "label 9 is 3"}},
		{"label not of the task given", writeNPZ(t, filepath.Join(dir, "labels2.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", &badY}),
			func(c *Config) { c.Task = "binary" }, []string{"labels2.npz", `key "y"`, "label 9 is 3", "binary"}},
		{"binary label 0 in a directory", npyDir, nil, []string{"train_y.npy", "label 5 is 0"}},
		{"samples and labels disagree", writeNPZ(t, filepath.Join(dir, "short.npz"), keyed{"x0", x0}, keyed{"x1", &short}, keyed{"y", y}), nil,
			[]string{"short.npz", `key "x1" holds 39 samples but key "y" holds 40 labels`}},
		{"encoder cannot read the samples", writeNPZ(t, filepath.Join(dir, "ok2.npz"), keyed{"x0", x0}, keyed{"x1", x1}, keyed{"y", y}),
			func(c *Config) { c.MLPInput = "patch" }, []string{"network joint", "modality 1", "(P, d)", "ok2.npz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := npzConfig(t, tc.data)
			if tc.edit != nil {
				tc.edit(&c)
			}
			var starts startCounter
			p, err := c.Resolve() // the headers and labels: some mistakes are found here
			if err == nil {
				_, err = Compare(context.Background(), p, Options{Events: &starts})
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "run directory") {
				t.Errorf("error %q: want one line, before any run directory", err)
			}
			if entries, _ := os.ReadDir(c.Out); len(entries) > 0 {
				t.Errorf("%s holds %s after the error", c.Out, entries[0].Name())
			}
			if n := starts.n.Load(); n > 0 {
				t.Errorf("%d networks started", n)
			}
		})
	}
}

// TestSourcesFromFiles covers the npz source and the task key through
// Resolve: what it infers or is told, and the mistakes it refuses.
func TestSourcesFromFiles(t *testing.T) {
	t.Parallel()
	full, trainOnly := npyDirs(t)
	for _, tc := range []struct {
		name    string
		edit    func(*Config)
		k, n    int
		task    dataset.Task
		wantErr string
	}{
		{"numpy savez, training split only", func(c *Config) { c.Data = numpyNPZ("binary_savez") }, 2, 4, dataset.Binary, ""},
		{"numpy savez_compressed, three splits", func(c *Config) { c.Data = numpyNPZ("binary_split_compressed") }, 1, 6, dataset.Binary, "at least 2"},
		{"dataset npz named", func(c *Config) { c.Dataset, c.Data = "npz", numpyNPZ("multiclass_split_savez") }, 2, 5, dataset.Multiclass, ""},
		{"task inferred: regression", func(c *Config) { c.Data = numpyNPZ("regression_savez") }, 2, 2, dataset.Regression, ""},
		{"task given: regression of 0/1 labels", func(c *Config) { c.Data, c.Task = numpyNPZ("multiclass_split_savez"), "regression" }, 2, 5, dataset.Regression, ""},
		{"task of a directory, given", func(c *Config) { c.Data, c.Task = full, "binary" }, 3, 40, dataset.Binary, ""},
		{"task not the directory's", func(c *Config) { c.Data, c.Task = full, "regression" }, 0, 0, "", `task = "regression": want binary, the task of data=`},
		{"task unknown", func(c *Config) { c.Data, c.Task = full, "ranking" }, 0, 0, "", `task = "ranking": want one of ["binary" "multiclass" "regression"]`},
		{"task of synthetic data", func(c *Config) { c.Task = "multiclass" }, 0, 0, "", `task = "multiclass": want binary`},
		{"archive missing", func(c *Config) { c.Data = filepath.Join(t.TempDir(), "none.npz") }, 0, 0, "", "none.npz: no such file"},
		{"NPY file for a directory", func(c *Config) { c.Dataset, c.Data = "npy", numpyNPZ("binary_savez") }, 0, 0, "", "is a file, not a dataset directory"},
		{"positional savez", func(c *Config) { c.Data = numpyNPZ("err_positional_savez") }, 0, 0, "", "numpy.savez(path, x0=..., y=...)"},
		{"split leaving no training sample", func(c *Config) { c.Data, c.Split = trainOnly, FloatList{0.5, 0.49} }, 0, 0, "", "split = 0.5,0.49"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Encoder, c.MLPInput, c.Hidden, c.Optimizer = StringList{"mlp"}, "flat", IntList{4}, StringList{"adam"}
			c.Loss = "auto"
			tc.edit(&c)
			p, err := c.Resolve()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.K != tc.k || p.NTrain != tc.n || p.source.task() != tc.task {
				t.Errorf("K %d, n-train %d, task %s; want %d, %d, %s", p.K, p.NTrain, p.source.task(), tc.k, tc.n, tc.task)
			}
		})
	}
}

// TestSweepPointsShareTheData wants the points of a sweep over the user's
// files to read them once, and those over synthetic data to keep their own
// distributions.
func TestSweepPointsShareTheData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		data  string
		axis  string
		share bool
	}{
		{"archive, lr swept", numpyNPZ("binary_savez"), "lr=0.1,0.2", true},
		{"archive, split swept", numpyNPZ("binary_savez"), "split=0.2,0.2:0.3,0.3", false},
		{"synthetic, mu swept", "", "mu=0.1,0.2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Data, c.Seeds, c.Steps = tc.data, 1, 2
			c.Encoder, c.MLPInput, c.Hidden, c.Optimizer = StringList{"mlp"}, "flat", IntList{4}, StringList{"adam"}
			base := resolve(t, c)
			axes := []Axis{parseAxis(t, tc.axis)}
			var plans []*Plan
			for _, pt := range Points(axes) {
				pc, err := pt.At(base, axes)
				if err != nil {
					t.Fatal(err)
				}
				plans = append(plans, resolve(t, pc))
			}
			if err := prepareSweep(base, plans, 1); err != nil {
				t.Fatal(err)
			}
			for i, p := range plans {
				if shared := p.source == base.source; shared != tc.share {
					t.Errorf("point %d shares the base's source: %v, want %v", i, shared, tc.share)
				}
			}
		})
	}
}

// TestInspectDataLayouts describes every layout --data reads.
func TestInspectDataLayouts(t *testing.T) {
	t.Parallel()
	full, trainOnly := npyDirs(t)
	run := &RunDir{Path: t.TempDir()}
	if err := run.WriteStatus(Status{State: StateComplete}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, task string
		want             []string // in the description, or the error
		err              bool
	}{
		{"directory", full, "", []string{"binary task", "3 modalities", "train   40", "val     10", "test    10"}, false},
		{"directory, training split only", trainOnly, "", []string{"train   40", "only a training split: each seed draws val and test from it (split 0.15,0.15: 6 and 6 samples, leaving 28 for training)"}, false},
		{"numpy savez, training split only", numpyNPZ("binary_savez"), "", []string{"binary task", "m0    ", "[2 3]", "[4]", "train   6", "only a training split"}, false},
		{"numpy savez_compressed, three splits", numpyNPZ("multiclass_split_savez"), "", []string{"multiclass task, 4 classes", "train   5", "val     2", "test    2"}, false},
		{"task given", numpyNPZ("multiclass_split_savez"), "regression", []string{"regression task", "mean "}, false},
		{"NaN", numpyNPZ("err_nan_savez"), "", []string{`key "x0": sample 1, value [0, 1] is NaN`}, true},
		{"run directory", run.Path, "", []string{run.Path, "is a run directory of modcomp (complete", "config.json"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text, err := InspectData(tc.path, tc.task)
			if tc.err {
				if err == nil {
					t.Fatalf("no error; described\n%s", text)
				}
				text = err.Error()
			} else if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q does not say %q", text, w)
				}
			}
		})
	}
}

// TestImportData imports numpy's archives and NPY files into directories
// that --data reads with the same layout.
func TestImportData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	x0, x1, y := userArrays(12)
	for name, a := range map[string]*dataset.Array{"x0": x0, "x1": x1, "y": y} {
		if err := dataset.WriteNPYFile(filepath.Join(dir, name+".npy"), a); err != nil {
			t.Fatal(err)
		}
	}
	npy := dataset.ImportSource{Train: dataset.NPYFiles{X: []string{filepath.Join(dir, "x0.npy"), filepath.Join(dir, "x1.npy")}, Y: filepath.Join(dir, "y.npy")}}
	for _, tc := range []struct {
		name string
		src  dataset.ImportSource
		task string
		want string
	}{
		{"numpy savez", dataset.ImportSource{NPZ: numpyNPZ("binary_savez")}, "", "binary task, 2 modalities (m0 [2 3], m1 [4]), train 6 samples; val and test drawn from them per seed"},
		{"numpy savez_compressed", dataset.ImportSource{NPZ: numpyNPZ("multiclass_split_savez")}, "", "multiclass task of 4 classes, 2 modalities (m0 [2 2], m1 [3]), train 5, val 2, test 2 samples"},
		{"task given", dataset.ImportSource{NPZ: numpyNPZ("multiclass_split_savez")}, "regression", "regression task"},
		{"NPY files", npy, "", "binary task, 2 modalities (m0 [2 3], m1 [4]), train 12 samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "imported")
			text, err := ImportData(out, tc.src, tc.task)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, tc.want) || !strings.Contains(text, "--data "+out) {
				t.Errorf("ImportData says %q, want %q and how to use it", text, tc.want)
			}
			src, err := tc.src.Load(dataset.Task(tc.task))
			if err != nil {
				t.Fatal(err)
			}
			back, err := dataset.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if back.Task != src.Task || back.Train.Len() != src.Train.Len() || len(back.Modalities) != len(src.Modalities) {
				t.Errorf("imported %s task, %d samples, %d modalities; want %s, %d, %d", back.Task, back.Train.Len(), len(back.Modalities), src.Task, src.Train.Len(), len(src.Modalities))
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name string
			src  dataset.ImportSource
			dir  string
			want string
		}{
			{"NaN", dataset.ImportSource{NPZ: numpyNPZ("err_nan_savez")}, "", `key "x0": sample 1, value [0, 1] is NaN`},
			{"not empty", dataset.ImportSource{NPZ: numpyNPZ("binary_savez")}, dir, "not empty"},
			{"nothing", dataset.ImportSource{}, "", "no source"},
		} {
			out := tc.dir
			if out == "" {
				out = filepath.Join(t.TempDir(), "imported")
			}
			if _, err := ImportData(out, tc.src, ""); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
			}
			if tc.dir == "" {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("%s: %s was written", tc.name, out)
				}
			}
		}
	})
}
