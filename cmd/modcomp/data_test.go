package main

import (
	"archive/zip"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// numpyNPZ is a fixture numpy.savez or numpy.savez_compressed wrote (see
// dataset/testdata/make_npz_fixtures.py).
func numpyNPZ(name string) string {
	p, _ := filepath.Abs(filepath.Join("..", "..", "dataset", "testdata", "npz", name+".npz"))
	return p
}

// mlpFlags train small MLPs, which read samples of any shape.
var mlpFlags = []string{"--encoder", "mlp", "--mlp-input", "flat", "--hidden", "4", "--optimizer", "adam", "--lr", "0.05", "--probe", "false"}

// TestDataCommandsOnNPZ runs what a user of numpy does: inspect the
// archive, compare on it, import it, and compare on the directory.
func TestDataCommandsOnNPZ(t *testing.T) {
	t.Parallel()
	archive := numpyNPZ("binary_savez")
	code, stdout, stderr := modcomp(t, "data", "inspect", archive)
	if code != 0 {
		t.Fatalf("data inspect: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"binary task", "[2 3]", "[4]", "train   6", "only a training split"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("data inspect does not say %q:\n%s", want, stdout)
		}
	}
	for _, data := range []string{archive, filepath.Join(t.TempDir(), "imported")} {
		if data != archive {
			code, stdout, stderr = modcomp(t, "data", "import", "--npz", archive, data)
			if code != 0 {
				t.Fatalf("data import: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote dataset "+data+": binary task, 2 modalities") {
				t.Errorf("data import printed %q", stdout)
			}
		}
		out := t.TempDir()
		args := append(command([]string{"compare"}, out, mlpFlags...), "--data", data, "--split", "0.2,0.2")
		code, stdout, stderr = modcomp(t, args...)
		if code != 0 {
			t.Fatalf("compare --data %s: exit %d: %s", data, code, stderr)
		}
		if !strings.Contains(stdout, "uni-modal m1") || !strings.Contains(stdout, "run directory: "+out) {
			t.Errorf("compare --data %s printed:\n%s", data, stdout)
		}
	}
}

// TestDataImportCommand imports NPY files, and refuses what it should with
// one line.
func TestDataImportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The arrays of the numpy fixture, as NPY files.
	code, _, stderr := modcomp(t, "data", "import", "--npz", numpyNPZ("multiclass_split_savez"), filepath.Join(dir, "from-npz"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	src := filepath.Join(dir, "from-npz")
	npy := func(name string) string { return filepath.Join(src, name+".npy") }
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		wants []string // stdout on success, the one-line error otherwise
	}{
		{"NPY files of three splits", []string{"--x", npy("train_x0"), "--x", npy("train_x1"), "--y", npy("train_y"),
			"--val-x", npy("val_x0"), "--val-x", npy("val_x1"), "--val-y", npy("val_y"),
			"--test-x", npy("test_x0"), "--test-x", npy("test_x1"), "--test-y", npy("test_y")},
			exitOK, []string{"multiclass task of 4 classes, 2 modalities (m0 [2 2], m1 [3]), train 5, val 2, test 2 samples"}},
		{"NPY files of a training split, task given", []string{"--task", "regression", "--x", npy("train_x0"), "--x", npy("train_x1"), "--y", npy("train_y")},
			exitOK, []string{"regression task, 2 modalities", "train 5 samples; val and test drawn from them per seed"}},
		{"no source", nil, exitError, []string{"no source: give an NPZ archive, or NPY files"}},
		{"both", []string{"--npz", numpyNPZ("binary_savez"), "--x", npy("train_x0"), "--y", npy("train_y")}, exitError, []string{"not both"}},
		{"val without test", []string{"--x", npy("train_x0"), "--y", npy("train_y"), "--val-x", npy("val_x0"), "--val-y", npy("val_y")},
			exitError, []string{"val files without test files"}},
		{"samples and labels disagree", []string{"--x", npy("train_x0"), "--y", npy("val_y")}, exitError,
			[]string{npy("train_x0") + " holds 5 samples but " + npy("val_y") + " holds 2 labels"}},
		{"NaN", []string{"--npz", numpyNPZ("err_nan_savez")}, exitError, []string{`key "x0": sample 1, value [0, 1] is NaN`}},
		{"unknown task", []string{"--task", "ranking", "--npz", numpyNPZ("binary_savez")}, exitError, []string{`unknown task "ranking"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "data")
			code, stdout, stderr := modcomp(t, append(append([]string{"data", "import"}, tc.args...), out)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, stderr)
			}
			if tc.code != exitOK {
				oneLineError(t, stderr, tc.wants...)
				noDir(t, out)
				return
			}
			for _, w := range tc.wants {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout %q does not say %q", stdout, w)
				}
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		code, _, stderr := modcomp(t, "data", "import", "--npz", numpyNPZ("binary_savez"))
		if code != exitUsage {
			t.Errorf("without DIR: exit %d, want %d", code, exitUsage)
		}
		oneLineError(t, stderr, "one argument")
	})
}

// TestDataMistakesAreOneLine wants a configuration or data that cannot run
// refused with one line and exit 1 before a run directory is made:
// memory that is not there, data with a NaN, an encoder that cannot read
// its modality.
func TestDataMistakesAreOneLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"memory", []string{"--n-train", "100000000", "--d", "1000"}, []string{"not enough memory for modcomp compare: it needs about", "TiB", "are available"}},
		{"NaN", append([]string{"--data", nanNPZ(t)}, mlpFlags...), []string{"nan.npz", `key "x1": sample 4, value [2] is NaN`}},
		{"encoder for the data", []string{"--data", numpyNPZ("binary_savez")}, []string{"network joint: modality 1: the patch encoder needs samples of shape (P, d)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results")
			code, _, stderr := modcomp(t, command([]string{"compare"}, out, tc.args...)...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			oneLineError(t, stderr, tc.want...)
			noRunDir(t, out)
		})
	}
}

// nanNPZ writes an archive of two modalities whose x1 holds a NaN at
// sample 4, value 2.
func nanNPZ(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nan.npz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	n := 10
	x := &dataset.Array{Shape: []int{n, 3}, Data: make([]float64, 3*n)}
	y := &dataset.Array{Shape: []int{n}, DType: "<i8", Data: make([]float64, n)}
	for i := range n {
		y.Data[i] = float64(2*(i%2) - 1)
	}
	x1 := &dataset.Array{Shape: x.Shape, Data: append([]float64(nil), x.Data...)}
	x1.Data[4*3+2] = math.NaN()
	for _, k := range []struct {
		key string
		a   *dataset.Array
	}{{"x0", x}, {"x1", x1}, {"y", y}} {
		w, err := zw.Create(k.key + ".npy")
		if err == nil {
			err = dataset.WriteNPY(w, k.a)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNPZFromNumpyToCompare writes an archive with the numpy installed now
// (skipped without it), and compares on it.
func TestNPZFromNumpyToCompare(t *testing.T) {
	t.Parallel()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skipf("no numpy for %s: %v", py, err)
	}
	dir := t.TempDir()
	archive := filepath.Join(dir, "mine.npz")
	script := `import numpy as np, sys
rng = np.random.default_rng(0)
y = rng.choice([-1, 1], 80)
x0 = rng.normal(size=(80, 3, 4)) + 0.5 * y[:, None, None]
x1 = rng.normal(size=(80, 6)).astype(np.float32)
np.savez_compressed(sys.argv[1], x0=x0, x1=x1, y=y)`
	if out, err := exec.Command(py, "-c", script, archive).CombinedOutput(); err != nil {
		t.Fatalf("numpy: %v: %s", err, out)
	}
	out := t.TempDir()
	code, stdout, stderr := modcomp(t, append(command([]string{"compare"}, out, mlpFlags...), "--data", archive)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "joint (late fusion)") {
		t.Errorf("stdout:\n%s", stdout)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("%d run directories, want 1", len(entries))
	}
}
