package runs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The seed corpora are in testdata/fuzz/FuzzDecodeConfig and
// testdata/fuzz/FuzzLoadYAML; the seeds added here are the basic shapes.

// FuzzDecodeConfig decodes arbitrary bytes as a JSON configuration over the
// defaults and validates the result: it must never panic, and a
// configuration that validates must be usable (its per-modality views are
// built without indexing out of range).
func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add(defaultsJSON)
	f.Add([]byte(`{"alpha": "1,0.4", "mu": [0.3, 0.05], "d": 20}`))
	f.Add([]byte(`{"n-trian": 40}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		_, err := decodeJSON(data, &c, "")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		p, err := c.Resolve()
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		usable(t, p)
		if c.Seeds <= maxFuzzSeeds {
			roundTrip(t, &c)
		}
	})
}

// FuzzLoadYAML loads arbitrary bytes as a YAML configuration file: it must
// never panic, and every error names the file.
func FuzzLoadYAML(f *testing.F) {
	f.Add([]byte("n-train: 40\nalpha: [1, 0.4]\n"))
	f.Add([]byte("alpha: 1,0.4\n"))
	f.Add([]byte("n-trian: 40\n"))
	f.Add([]byte(""))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c := Default()
		if err := c.LoadFile(path); err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		p, err := c.Resolve()
		if err != nil {
			return
		}
		usable(t, p)
	})
}

// maxFuzzSeeds bounds the seed lists the fuzz targets build: Validate
// accepts any positive number of seeds, and config.json lists them all
// (resolvedConfig), so seeds = 2^31 would allocate 16 GiB.
const maxFuzzSeeds = 1 << 16

// usable exercises what a run does with a resolved configuration before
// training: the per-modality views, the seeds and the resolved config.json.
func usable(t *testing.T, p *Plan) {
	t.Helper()
	c, k := &p.Config, p.K
	if k < 2 {
		t.Fatalf("Resolve accepted K = %d", k)
	}
	if s, ok := p.source.(*syntheticSource); ok {
		if len(s.spec.Modalities) != k {
			t.Fatalf("the synthetic data has %d modalities, K = %d", len(s.spec.Modalities), k)
		}
		if err := s.spec.Validate(); err != nil {
			t.Fatalf("Resolve accepted a configuration whose data does not validate: %v", err)
		}
	}
	if len(p.Model.Encoders) != k {
		t.Fatalf("the model has %d encoders, K = %d", len(p.Model.Encoders), k)
	}
	_ = p.Train(c.Method)
	for _, r := range c.Modalities {
		if r < 0 || r >= k {
			t.Fatalf("Validate accepted modality %d of %d", r, k)
		}
	}
	if set := reportSetting(p); len(set.Alpha) != k || (set.Theory != nil && len(set.Theory.LR) != k) {
		t.Fatalf("the reports' setting has %d alphas for K = %d", len(set.Alpha), k)
	}
	_ = CompareNetworks(k, p.Methods)
	_ = TrainNetwork(c.Modalities, k, c.Method)
	if c.Seeds <= maxFuzzSeeds {
		_ = c.SeedList()
	}
	for _, f := range Fields() {
		_ = c.Get(f.Key)
	}
}

// roundTrip checks that config.json of a valid configuration decodes back
// to the same configuration: passing a run's config.json back reproduces it.
func roundTrip(t *testing.T, c *Config) {
	t.Helper()
	b, err := json.Marshal(resolvedConfig(c, "fuzz"))
	if err != nil {
		t.Fatalf("config.json of a valid configuration does not marshal: %v", err)
	}
	back := Default()
	if _, err := decodeJSON(b, &back, ""); err != nil {
		t.Fatalf("config.json does not decode: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(&back, c) {
		t.Fatalf("config.json does not round-trip:\n got %+v\nwant %+v", back, *c)
	}
}
