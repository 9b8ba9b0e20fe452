package runs

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/check"
)

// writeIDX writes an unsigned-byte IDX array.
func writeIDX(t *testing.T, path string, shape []int, data []byte) {
	t.Helper()
	b := []byte{0, 0, 0x08, byte(len(shape))}
	for _, s := range shape {
		b = binary.BigEndian.AppendUint32(b, uint32(s))
	}
	if err := os.WriteFile(path, append(b, data...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyImages writes an MNIST-style directory of n train and m test 6x6
// images of 3 classes, each class lighting its own rows, with noise.
func tinyImages(t *testing.T, n, m int) string {
	t.Helper()
	dir := t.TempDir()
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", m}} {
		pixels := make([]byte, split.n*36)
		labels := make([]byte, split.n)
		for i := range labels {
			c := i % 3
			labels[i] = byte(c)
			for p := 0; p < 36; p++ {
				v := (i*7 + p*13) % 60 // noise
				if p/12 == c {
					v += 180
				}
				pixels[i*36+p] = byte(v)
			}
		}
		writeIDX(t, filepath.Join(dir, split.prefix+"-images-idx3-ubyte"), []int{split.n, 6, 6}, pixels)
		writeIDX(t, filepath.Join(dir, split.prefix+"-labels-idx1-ubyte"), []int{split.n}, labels)
	}
	return dir
}

func fashionConfig(t *testing.T, dir string) Config {
	t.Helper()
	c := Default()
	c.Dataset, c.Data = "fashion2view", dir
	c.NTrain, c.NVal, c.NTest = 48, 12, 30
	c.ViewDeg, c.ViewStrength, c.Mu = StringList{"rotate", "noise"}, FloatList{20, 0.2}, FloatList{0.3, 0}
	c.Encoder, c.MLPInput, c.Hidden = StringList{"mlp"}, "flat", IntList{8}
	c.Optimizer, c.LR, c.BatchSize = StringList{"adam"}, FloatList{0.01}, 8
	c.Steps, c.LogEvery, c.Seeds, c.Workers = 30, 10, 1, 1
	c.Out = t.TempDir()
	return c
}

// The two-view benchmark runs through compare: a 3-class softmax task on
// two image-shaped modalities, with probes and per-group accuracy.
func TestCompareFashionTwoView(t *testing.T) {
	t.Parallel()
	cfg := fashionConfig(t, tinyImages(t, 90, 30))
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if k := resolve(t, cfg).K; k != 2 {
		t.Fatalf("K = %d, want 2", k)
	}
	out, err := Compare(context.Background(), resolve(t, cfg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Compare
	if len(s.SeedsAggregated) != 1 {
		t.Fatalf("networks did not complete: %+v", s.Networks)
	}
	for _, u := range s.Unimodal {
		if float64(u.TestAcc) < 0.5 || float64(u.ProbeTestAcc) < 0.5 {
			t.Errorf("uni-modal m%d: test %v, probe %v; the tiny images separate 3 classes", u.Modality, u.TestAcc, u.ProbeTestAcc)
		}
	}
	csv := string(readFile(t, out, "metrics.csv"))
	for _, col := range []string{graph.TestAccGroup("10"), graph.ProbeTestAcc(1), graph.EncTestAcc(0)} {
		if !strings.Contains(csv, col) {
			t.Errorf("metrics.csv has no column %s", col)
		}
	}
}

// Bad view settings and a missing image directory are errors naming the key
// or the files, before any training.
func TestFashionTwoViewErrors(t *testing.T) {
	t.Parallel()
	dir := tinyImages(t, 90, 30)
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"unknown degradation", func(c *Config) { c.ViewDeg = StringList{"blur"} }, "view-degradation"},
		{"three views", func(c *Config) { c.ViewStrength = FloatList{1, 2, 3} }, "view-strength"},
		{"bad rotation", func(c *Config) { c.ViewStrength = FloatList{400, 0.1} }, "view-strength"},
		{"unknown dataset", func(c *Config) { c.Dataset = "imagenet" }, "dataset"},
	} {
		cfg := fashionConfig(t, dir)
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", c.name, err, c.want)
		}
	}
	cfg := fashionConfig(t, filepath.Join(dir, "missing"))
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte") || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Errorf("missing images: error %v, want one naming the files and how to install them", err)
	}
}

// npyDirs writes two small NPY datasets of three modalities: one with all
// three splits, one with a training split only.
func npyDirs(t *testing.T) (full, trainOnly string) {
	t.Helper()
	syn := dataset.Synthetic{NTrain: 40, NVal: 10, NTest: 10}
	for range 3 {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: 2, Dim: 4, Alpha: 1, Mu: 0.1, SigmaP: 0.1})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		t.Fatal(err)
	}
	full, trainOnly = filepath.Join(t.TempDir(), "full"), filepath.Join(t.TempDir(), "train")
	if err := dataset.Save(full, ds, nil); err != nil {
		t.Fatal(err)
	}
	ds.Val, ds.Test = nil, nil
	if err := dataset.Save(trainOnly, ds, nil); err != nil {
		t.Fatal(err)
	}
	return full, trainOnly
}

// Every data source, through the registry: it says K and the training-set
// size, and checks its own keys, with an error that names the key.
func TestSources(t *testing.T) {
	t.Parallel()
	full, trainOnly := npyDirs(t)
	images := tinyImages(t, 90, 30)
	ok := []struct {
		name      string
		edit      func(*Config)
		k, nTrain int
	}{
		{"synthetic", func(c *Config) {}, 2, 200},
		{"synthetic with three modalities", func(c *Config) { c.Alpha, c.Mu = FloatList{1, 0.5, 0.5}, FloatList{0.1} }, 3, 200},
		{"npy", func(c *Config) { c.Dataset, c.Data = "npy", full }, 3, 40},
		{"data alone means npy", func(c *Config) { c.Data = full }, 3, 40},
		{"npy divided per seed", func(c *Config) { c.Data, c.Split = trainOnly, FloatList{0.25, 0.25} }, 3, 20},
		{"npz", func(c *Config) { c.Dataset, c.Data = "npz", numpyNPZ("multiclass_split_savez") }, 2, 5},
		{"data alone means npz", func(c *Config) { c.Data, c.Split = numpyNPZ("binary_savez"), FloatList{0.2, 0.2} }, 2, 4},
		{"fashion2view", func(c *Config) { *c = fashionConfig(t, images) }, 2, 48},
	}
	tested := map[string]bool{}
	for _, c := range ok {
		cfg := Default()
		cfg.Optimizer = StringList{"adam"}
		c.edit(&cfg)
		p, err := cfg.Resolve()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if p.K != c.k || p.NTrain != c.nTrain {
			t.Errorf("%s: K %d, n-train %d; want %d, %d", c.name, p.K, p.NTrain, c.k, c.nTrain)
		}
		tested[cfg.Dataset] = true
	}
	for _, name := range datasetChoices().Names() {
		if !tested[name] {
			t.Errorf("source %s is not tested", name)
		}
	}

	bad := []struct {
		name  string
		edit  func(*Config)
		field string // the FieldError's key, or "" for another error
		want  string
	}{
		{"unknown dataset", func(c *Config) { c.Dataset = "imagenet" }, "dataset", "fashion2view"},
		{"npy without data", func(c *Config) { c.Dataset = "npy" }, "data", "NPY dataset directory"},
		{"npy directory missing", func(c *Config) { c.Data = filepath.Join(full, "missing") }, "", "data: "},
		{"npy split of one value", func(c *Config) { c.Data, c.Split = trainOnly, FloatList{0.2} }, "split", "two fractions"},
		{"npy lists for other K", func(c *Config) { c.Data, c.LR = full, FloatList{1, 1} }, "", "lr = 1,1 has 2 values for 3 modalities (those of data="},
		{"synthetic lists of different lengths", func(c *Config) { c.Alpha = FloatList{1, 0.4, 0.3} }, "", "mu = 0.1,0.02 has 2 values for 3 modalities (alpha = 1,0.4,0.3)"},
		{"synthetic mu", func(c *Config) { c.Mu = FloatList{1.5} }, "mu", ""},
		{"fashion2view degradation", func(c *Config) { *c = fashionConfig(t, images); c.ViewDeg = StringList{"blur"} }, "view-degradation", ""},
		{"fashion2view lists", func(c *Config) { *c = fashionConfig(t, images); c.Mu = FloatList{0.1, 0.1, 0.1} }, "", "(the two views of fashion2view)"},
		// Each source says its task, which the loss must fit.
		{"synthetic is binary", func(c *Config) { c.Loss = "softmax" }, "", `loss "softmax" does not fit a binary task`},
		{"npy says its task", func(c *Config) { c.Data, c.Loss = full, "mse" }, "", `loss "mse" does not fit a binary task`},
		{"fashion2view is multiclass", func(c *Config) { *c = fashionConfig(t, images); c.Loss = "logistic" }, "", `loss "logistic" does not fit a multiclass task`},
	}
	for _, c := range bad {
		cfg := Default()
		c.edit(&cfg)
		_, err := cfg.Resolve()
		var fe *check.FieldError
		switch {
		case err == nil:
			t.Errorf("%s: accepted", c.name)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s: error %v, want one on %s", c.name, err, c.field)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q, want it to say %q", c.name, err, c.want)
		}
	}
}

// --help lists, for every key that names a part, exactly the parts its
// registry offers.
func TestHelpListsTheRegistries(t *testing.T) {
	t.Parallel()
	help := map[string]string{}
	for _, f := range Fields() {
		help[f.Key] = f.Help
		if strings.ContainsAny(f.Help, "{}") {
			t.Errorf("%s: help %q holds a placeholder", f.Key, f.Help)
		}
	}
	for key, names := range map[string][]string{
		"dataset": datasetChoices().Names(), "encoder": graph.EncoderKinds().Names(), "fusion": graph.Fusions().Names(),
		"loss": graph.Losses().Names(), "optimizer": graph.Optimizers().Names(),
		"method": graph.Methods().Names(), "methods": graph.Methods().Names(), "task": taskChoices().Names(),
	} {
		for _, name := range names {
			if !strings.Contains(help[key], name+" (") {
				t.Errorf("%s: help %q does not list %s", key, help[key], name)
			}
		}
	}
}
