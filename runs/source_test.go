package runs

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
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
	s := out.Summary.(*Summary)
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
