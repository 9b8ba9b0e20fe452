package runs

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/internal/check"
)

// wantErrContains fails unless err is not nil and its message holds every
// part.
func wantErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// resolve is cfg's plan; the test stops if cfg does not resolve.
func resolve(t testing.TB, cfg Config) *Plan {
	t.Helper()
	p, err := cfg.Resolve()
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return p
}

// compareNetworks are the networks a comparison of cfg trains.
func compareNetworks(t testing.TB, cfg Config) []NetworkSpec {
	t.Helper()
	p := resolve(t, cfg)
	return CompareNetworks(p.K, p.Methods)
}

func TestDefaultValidates(t *testing.T) {
	t.Parallel()
	c := Default()
	p, err := c.Resolve()
	if err != nil {
		t.Fatalf("Default().Resolve() = %v", err)
	}
	if p.K != 2 {
		t.Errorf("Default() resolves K = %d, want 2", p.K)
	}
	// Every key is documented and reads back through Get.
	for _, f := range Fields() {
		if f.Key == "" || f.Help == "" {
			t.Errorf("field %+v has no key or no help", f)
		}
	}
	// Default returns a fresh value: changing one does not change the next.
	c.Alpha[0] = 42
	if Default().Alpha[0] == 42 {
		t.Error("Default() shares its lists between calls")
	}
}

// TestSetAndGet sets every kind of key from a flag's spelling and reads it
// back.
func TestSetAndGet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, value string
		want       any    // the field after Set
		get        string // Get's spelling, when it differs from value
	}{
		{"encoder", "patch", StringList{"patch"}, ""},
		{"name", "my run", "my run", ""},
		{"n-train", "40", 40, ""},
		{"n-train", " 40 ", 40, "40"},
		{"steps", "7", 7, ""},
		{"seed", "18446744073709551615", uint64(18446744073709551615), ""},
		{"lr", "0.5", FloatList{0.5}, ""},
		{"lr", "1e-3", FloatList{1e-3}, "0.001"},
		{"alpha", "1,0.4", FloatList{1, 0.4}, ""},
		{"alpha", "0.4", FloatList{0.4}, ""},
		{"alpha", " 1 , 0.4 ", FloatList{1, 0.4}, "1,0.4"},
		{"d", "20", IntList{20}, ""},
		{"d", "20,16", IntList{20, 16}, ""},
		{"modalities", "0,1", IntList{0, 1}, ""},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			c := Default()
			if err := c.Set(tc.key, tc.value); err != nil {
				t.Fatalf("Set(%q, %q) = %v", tc.key, tc.value, err)
			}
			v, ok := c.field(tc.key)
			if !ok {
				t.Fatalf("no field %q", tc.key)
			}
			if got := v.Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("after Set(%q, %q) the field is %#v, want %#v", tc.key, tc.value, got, tc.want)
			}
			get := tc.get
			if get == "" {
				get = tc.value
			}
			if got := c.Get(tc.key); got != get {
				t.Errorf("Get(%q) = %q, want %q", tc.key, got, get)
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key, value string
		want       []string // parts of the error message
	}{
		{"n-train", "abc", []string{`n-train = "abc"`, "want an integer"}},
		{"n-train", "1.5", []string{`n-train = "1.5"`, "want an integer"}},
		{"n-train", "", []string{`n-train = ""`, "want an integer"}},
		{"steps", "1e3", []string{`steps = "1e3"`, "want an integer"}},
		{"seed", "-1", []string{`seed = "-1"`, "want a non-negative integer"}},
		{"seed", "18446744073709551616", []string{`seed = "18446744073709551616"`, "non-negative integer"}},
		{"lr", "fast", []string{`lr = "fast"`, "want a number"}},
		{"lr", "1e400", []string{`lr = "1e400"`, "want a number"}},
		{"alpha", "1,x", []string{`alpha = "1,x"`, "comma-separated list of numbers"}},
		{"alpha", "1,,0.4", []string{`alpha = "1,,0.4"`, "list of numbers"}},
		{"mu", "[0.1, 0.2]", []string{`mu = "[0.1, 0.2]"`, "list of numbers"}},
		{"d", "1,x", []string{`d = "1,x"`, "comma-separated list of integers"}},
		{"d", "20.5", []string{`d = "20.5"`, "list of integers"}},
		{"modalities", "0;1", []string{`modalities = "0;1"`, "list of integers"}},
		{"n-trian", "40", []string{`unknown key "n-trian"`, `did you mean "n-train"`}},
		{"sigmap", "0.1", []string{`unknown key "sigmap"`, `did you mean "sigma-p"`}},
		{"learning-rate", "0.1", []string{`unknown key "learning-rate"`}},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			c := Default()
			err := c.Set(tc.key, tc.value)
			wantErrContains(t, err, tc.want...)
			t.Logf("Set(%q, %q): %v", tc.key, tc.value, err)
		})
	}
}

// writeConfig writes content to a file called name in a temporary directory.
func writeConfig(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	want := Default()
	want.NTrain = 40
	want.Alpha = FloatList{1, 0.4}
	want.Mu = FloatList{0.3}
	want.D = IntList{20, 16}
	want.Optimizer = StringList{"sgd"}
	want.BatchSize = 8
	want.Seed = 7
	want.LR = FloatList{0.25}
	want.Name = "from-file"

	for _, tc := range []struct{ name, content string }{
		{"config.json", `{
  "n-train": 40, "alpha": [1, 0.4], "mu": 0.3, "d": "20,16",
  "optimizer": "sgd", "batch-size": 8, "seed": 7, "lr": 0.25, "name": "from-file",
  "modcomp": {"version": "0.1.0", "commit": "abc", "command": "compare", "seeds": [7, 8]}
}`},
		{"config.yaml", `# a comment
n-train: 40
alpha: [1, 0.4]
mu: 0.3
d: "20,16"
optimizer: sgd
batch-size: 8
seed: 7
lr: 0.25
name: from-file
modcomp:
  version: 0.1.0
  seeds: [7, 8]
`},
		{"config.yml", `n-train: 40
alpha:
  - 1
  - 0.4
mu: "0.3"
d: [20, 16]
optimizer: sgd
batch-size: 8
seed: 7
lr: 0.25
name: from-file
`},
		{"UPPER.JSON", `{"n-train": 40, "alpha": "1,0.4", "mu": [0.3], "d": [20, 16], "optimizer": "sgd", "batch-size": 8, "seed": 7, "lr": 0.25, "name": "from-file"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			if err := c.LoadFile(writeConfig(t, tc.name, tc.content)); err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if !reflect.DeepEqual(c, want) {
				for _, f := range Fields() {
					if c.Get(f.Key) != want.Get(f.Key) {
						t.Errorf("%s = %q, want %q", f.Key, c.Get(f.Key), want.Get(f.Key))
					}
				}
				t.Fatalf("LoadFile gave %+v, want %+v", c, want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// TestLoadFileLists checks the three spellings of a per-modality list in
// both formats.
func TestLoadFileLists(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content string
		want          FloatList
	}{
		{"one.json", `{"alpha": 0.4}`, FloatList{0.4}},
		{"list.json", `{"alpha": [1, 0.4]}`, FloatList{1, 0.4}},
		{"string.json", `{"alpha": "1,0.4"}`, FloatList{1, 0.4}},
		{"one.yaml", "alpha: 0.4\n", FloatList{0.4}},
		{"list.yaml", "alpha: [1, 0.4]\n", FloatList{1, 0.4}},
		{"string.yaml", "alpha: \"1,0.4\"\n", FloatList{1, 0.4}},
		{"bare.yaml", "alpha: 1,0.4\n", FloatList{1, 0.4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			if err := c.LoadFile(writeConfig(t, tc.name, tc.content)); err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if !reflect.DeepEqual(c.Alpha, tc.want) {
				t.Errorf("alpha = %v, want %v", c.Alpha, tc.want)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"typo.json", `{"n-trian": 40}`, []string{`unknown key "n-trian"`, `did you mean "n-train"`}},
		{"typo.yaml", "n-trian: 40\n", []string{`unknown key "n-trian"`, `did you mean "n-train"`}},
		{"far.json", `{"epochs": 40}`, []string{`unknown key "epochs"`}},
		{"string-for-int.json", `{"d": "abc"}`, []string{`key "d"`, `"abc"`, "list of integers"}},
		{"string-for-int.yaml", "n-train: abc\n", []string{`key "n-train"`, `"abc"`, "want an integer"}},
		{"float-for-int.json", `{"n-train": 1.5}`, []string{`key "n-train"`, "1.5", "want an integer"}},
		{"object-for-list.json", `{"alpha": {"x": 1}}`, []string{`key "alpha"`, `{"x": 1}`, "list of numbers"}},
		{"object-for-list.yaml", "alpha:\n  x: 1\n", []string{`key "alpha"`, `{"x":1}`, "list of numbers"}},
		{"list-for-number.json", `{"q": [1, 2]}`, []string{`key "q"`, "[1, 2]", "want a number"}},
		{"number-for-string.json", `{"optimizer": 3}`, []string{`key "optimizer"`, "3", "want a name"}},
		{"number-for-name.json", `{"dtype": 3}`, []string{`key "dtype"`, "3", "want a string"}},
		{"negative-seed.json", `{"seed": -1}`, []string{`key "seed"`, "-1", "non-negative integer"}},
		{"huge-int.json", `{"steps": 1e400}`, []string{`key "steps"`, "1e400", "want an integer"}},
		{"huge-float.json", `{"lr": 1e400}`, []string{`key "lr"`, "1e400", "want a number"}},
		{"bad-list-item.json", `{"alpha": [1, "x"]}`, []string{`key "alpha"`, `[1, "x"]`}},
		{"bad-list-string.json", `{"mu": "1,x"}`, []string{`key "mu"`, `"1,x"`}},
		{"syntax.json", `{"n-train": 40,}`, []string{"invalid JSON", "syntax.json"}},
		{"truncated.json", `{"n-train": 40`, []string{"truncated.json", "JSON"}},
		{"array.json", `[1, 2]`, []string{"want a JSON object of configuration keys"}},
		{"syntax.yaml", "n-train: [40\n", []string{"invalid YAML", "syntax.yaml"}},
		{"tabs.yaml", "n-train:\n\t- 40\n", []string{"invalid YAML"}},
		{"scalar.yaml", "just a string\n", []string{"invalid YAML"}},
		{"infinity.yaml", "lr: .inf\n", []string{"infinity.yaml"}},
		{"config.toml", "n-train = 40\n", []string{"config.toml", `unknown extension ".toml"`, ".json, .yaml or .yml"}},
		{"config", `{"n-train": 40}`, []string{`unknown extension ""`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			err := c.LoadFile(writeConfig(t, tc.name, tc.content))
			wantErrContains(t, err, tc.want...)
			t.Logf("%s: %v", tc.name, err)
		})
	}

	t.Run("missing", func(t *testing.T) {
		c := Default()
		path := filepath.Join(t.TempDir(), "nope.json")
		err := c.LoadFile(path)
		wantErrContains(t, err, path)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error %v does not wrap fs.ErrNotExist", err)
		}
	})
}

// TestLoadFileNull checks that an explicit null is refused rather than
// silently read as the default (scalars) or as 0 (lists).
func TestLoadFileNull(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content, key string }{
		{"scalar.json", `{"lr": null}`, "lr"},
		{"list.json", `{"mu": null}`, "mu"},
		{"empty.yaml", "n-train:\n", "n-train"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			err := c.LoadFile(writeConfig(t, tc.name, tc.content))
			wantErrContains(t, err, `"`+tc.key+`"`, "null")
		})
	}
}

// TestSetKeepsValueOnError wants a failed Set to leave the configuration
// as it was, as a library caller that reports the error and goes on
// expects.
func TestSetKeepsValueOnError(t *testing.T) {
	t.Parallel()
	for _, kv := range [][2]string{{"lr", "fast"}, {"lr", "1e400"}, {"n-train", "abc"}, {"alpha", "1,x"}, {"seed", "-1"}} {
		c := Default()
		before := c.Get(kv[0])
		if err := c.Set(kv[0], kv[1]); err == nil {
			t.Fatalf("Set(%q, %q) succeeded", kv[0], kv[1])
		}
		if got := c.Get(kv[0]); got != before {
			t.Errorf("failed Set(%q, %q) changed %s from %q to %q", kv[0], kv[1], kv[0], before, got)
		}
	}
}

// TestLoadFileYAMLValueErrorsNameKey wants a YAML value that has no JSON
// form (.inf, .nan, a mapping with non-string keys) to be reported against
// its key, like every other wrong value.
func TestLoadFileYAMLValueErrorsNameKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ content, key string }{
		{"lr: .inf\n", "lr"},
		{"mu: .nan\n", "mu"},
		{"alpha: {1: 2}\n", "alpha"},
	} {
		c := Default()
		wantErrContains(t, c.LoadFile(writeConfig(t, "c.yaml", tc.content)), `"`+tc.key+`"`)
	}
}

// TestLoadFileYAMLStringKept wants a YAML string key to keep the text the
// user wrote: an unquoted date is a YAML timestamp, which the YAML-to-JSON
// conversion turns into RFC 3339.
func TestLoadFileYAMLStringKept(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.LoadFile(writeConfig(t, "c.yaml", "name: 2024-01-01\n")); err != nil {
		t.Fatal(err)
	}
	if c.Name != "2024-01-01" {
		t.Errorf("name = %q, want %q", c.Name, "2024-01-01")
	}
}

// TestLoadFileKeepsUnsetKeys checks that a file overlays only its keys.
func TestLoadFileKeepsUnsetKeys(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Neurons = 3
	if err := c.LoadFile(writeConfig(t, "c.json", `{"steps": 9}`)); err != nil {
		t.Fatal(err)
	}
	if c.Steps != 9 || c.Neurons != 3 || c.NTrain != Default().NTrain {
		t.Errorf("steps %d neurons %d n-train %d, want 9, 3 (kept) and the default", c.Steps, c.Neurons, c.NTrain)
	}
	// An empty YAML file and an empty JSON object change nothing.
	for _, f := range []struct{ name, content string }{{"empty.yaml", ""}, {"empty.json", "{}"}} {
		d := Default()
		if err := d.LoadFile(writeConfig(t, f.name, f.content)); err != nil {
			t.Errorf("%s: %v", f.name, err)
		} else if !reflect.DeepEqual(d, Default()) {
			t.Errorf("%s changed the configuration", f.name)
		}
	}
}

// TestValidate breaks one key of the default configuration per case and
// checks that the error names the key and the value.
func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		edit  func(c *Config)
		field string // the FieldError's field; "" when the error is not a FieldError
		index int    // the FieldError's modality index, -1 for none
		want  []string
	}{
		{"d zero", func(c *Config) { c.D = IntList{0} }, "d", 0, []string{"d = 0", "positive integer"}},
		{"d negative m1", func(c *Config) { c.D = IntList{20, -3} }, "d", 1, []string{"d = -3", "modality 1"}},
		{"d one with noise", func(c *Config) { c.D = IntList{1} }, "d", 0, []string{"d = 1", "at least 2"}},
		{"patches zero", func(c *Config) { c.Patches = IntList{0} }, "patches", 0, []string{"patches = 0"}},
		{"patches negative", func(c *Config) { c.Patches = IntList{3, -1} }, "patches", 1, []string{"patches = -1"}},
		{"n-train zero", func(c *Config) { c.NTrain = 0 }, "n-train", -1, []string{"n-train = 0"}},
		{"n-train negative", func(c *Config) { c.NTrain = -5 }, "n-train", -1, []string{"n-train = -5"}},
		{"n-val zero", func(c *Config) { c.NVal = 0 }, "n-val", -1, []string{"n-val = 0"}},
		{"n-test negative", func(c *Config) { c.NTest = -1 }, "n-test", -1, []string{"n-test = -1"}},
		{"neurons zero", func(c *Config) { c.Neurons = 0 }, "neurons", -1, []string{"neurons = 0"}},
		{"steps zero", func(c *Config) { c.Steps = 0 }, "steps", -1, []string{"steps = 0"}},
		{"steps negative", func(c *Config) { c.Steps = -10 }, "steps", -1, []string{"steps = -10"}},
		{"log-every zero", func(c *Config) { c.LogEvery = 0 }, "log-every", -1, []string{"log-every = 0"}},
		{"seeds zero", func(c *Config) { c.Seeds = 0 }, "seeds", -1, []string{"seeds = 0"}},
		{"seeds negative", func(c *Config) { c.Seeds = -2 }, "seeds", -1, []string{"seeds = -2"}},
		{"workers negative", func(c *Config) { c.Workers = -1 }, "workers", -1, []string{"workers = -1"}},
		{"mu above 1", func(c *Config) { c.Mu = FloatList{1.5, 0.1} }, "mu", 0, []string{"mu = 1.5", "probability in [0, 1]"}},
		{"mu negative", func(c *Config) { c.Mu = FloatList{0.3, -0.1} }, "mu", 1, []string{"mu = -0.1", "modality 1"}},
		{"mu NaN", func(c *Config) { c.Set("mu", "NaN") }, "mu", 0, []string{"mu = NaN"}},
		{"q below 2", func(c *Config) { c.Q = 1.5 }, "q", -1, []string{"q = 1.5", ">= 2"}},
		{"q infinite", func(c *Config) { c.Set("q", "Inf") }, "q", -1, []string{"q = +Inf"}},
		{"rho zero", func(c *Config) { c.Rho = 0 }, "rho", -1, []string{"rho = 0", "> 0"}},
		{"rho negative", func(c *Config) { c.Rho = -0.1 }, "rho", -1, []string{"rho = -0.1"}},
		{"sigma0 negative", func(c *Config) { c.Sigma0 = FloatList{-0.01} }, "sigma0", 0, []string{"sigma0 = -0.01", ">= 0"}},
		{"sigma-p negative", func(c *Config) { c.SigmaP = FloatList{-0.1} }, "sigma-p", 0, []string{"sigma-p = -0.1"}},
		{"alpha negative", func(c *Config) { c.Alpha = FloatList{1, -0.4} }, "alpha", 1, []string{"alpha = -0.4", "modality 1"}},
		{"alpha infinite", func(c *Config) { c.Set("alpha", "1,+Inf") }, "alpha", 1, []string{"alpha = +Inf"}},
		{"beta negative", func(c *Config) { c.Beta = FloatList{-1} }, "beta", 0, []string{"beta = -1"}},
		{"lr zero", func(c *Config) { c.LR = FloatList{0} }, "lr", 0, []string{"lr = 0", "> 0"}},
		{"lr negative", func(c *Config) { c.LR = FloatList{-1} }, "lr", 0, []string{"lr = -1"}},
		{"lr NaN", func(c *Config) { c.Set("lr", "NaN") }, "lr", 0, []string{"lr = NaN"}},
		{"optimizer", func(c *Config) { c.Optimizer = StringList{"foo"} }, "optimizer", 0, []string{`optimizer = "foo"`, "gd", "sgd", "adam"}},
		{"encoder", func(c *Config) { c.Encoder = StringList{"transformer"} }, "encoder", 0, []string{`encoder = "transformer"`, "patch"}},
		{"dtype", func(c *Config) { c.DType = "float16" }, "dtype", -1, []string{`dtype = "float16"`, "float64", "float32"}},
		{"gd with a batch size", func(c *Config) { c.BatchSize = 10 }, "batch-size", -1, []string{"batch-size = 10", "optimizer gd"}},
		{"sgd without a batch size", func(c *Config) { c.Optimizer = StringList{"sgd"} }, "batch-size", -1, []string{"batch-size = 0", "optimizer sgd"}},
		{"sgd with the full batch", func(c *Config) { c.Optimizer = StringList{"sgd"}; c.BatchSize = c.NTrain }, "batch-size", -1, []string{"batch-size = 200", "1..199"}},
		{"adam batch above n-train", func(c *Config) { c.Optimizer = StringList{"adam"}; c.BatchSize = 201 }, "batch-size", -1, []string{"batch-size = 201", "n-train = 200"}},
		{"batch-size negative", func(c *Config) { c.Optimizer = StringList{"adam"}; c.BatchSize = -1 }, "batch-size", -1, []string{"batch-size = -1"}},
		{"modalities out of range", func(c *Config) { c.Modalities = IntList{0, 2} }, "modalities", -1, []string{"modalities = 0,2", "0..1"}},
		{"modalities negative", func(c *Config) { c.Modalities = IntList{-1} }, "modalities", -1, []string{"modalities = -1"}},
		{"name with a slash", func(c *Config) { c.Name = "a/b" }, "name", -1, []string{`name = "a/b"`, "path separators"}},
		{"name with a backslash", func(c *Config) { c.Name = `a\b` }, "name", -1, []string{`name = "a\\b"`}},
		{"name dot-dot", func(c *Config) { c.Name = ".." }, "name", -1, []string{`name = ".."`}},
		{"loss of another task", func(c *Config) { c.Loss = "mse" }, "", -1, []string{`loss "mse"`, "binary task", `"logistic" or auto`}},
		{"one modality", func(c *Config) { c.Alpha, c.Mu = FloatList{1}, FloatList{0.3} }, "", -1,
			[]string{"1 modality", "want at least 2"}},
		{"lists of different lengths", func(c *Config) { c.Alpha, c.Mu = FloatList{1, 0.4, 0.3}, FloatList{0.1, 0.2} }, "", -1,
			[]string{"mu = 0.1,0.2 has 2 values", "3"}},
		{"d list too long", func(c *Config) { c.D = IntList{20, 20, 20} }, "", -1,
			[]string{"has 2 values", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			wantErrContains(t, err, tc.want...)
			t.Logf("%v", err)
			if tc.field == "" {
				return
			}
			var fe *check.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *check.FieldError", err, err)
			}
			if fe.Field != tc.field || fe.Index != tc.index {
				t.Errorf("FieldError names %s[%d], want %s[%d]", fe.Field, fe.Index, tc.field, tc.index)
			}
		})
	}
}

// TestValidateListLengthsNameValues wants the list-length error to name
// both lists and their values, like every other validation error.
func TestValidateListLengthsNameValues(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Alpha, c.Mu = FloatList{1, 0.4, 0.3}, FloatList{0.1, 0.2}
	wantErrContains(t, c.Validate(), "mu", "0.1,0.2", "alpha", "1,0.4,0.3")
}

// TestValidateModalitiesDistinct wants a network that sees a modality twice
// to be refused by Validate, before a run directory is created: graph
// refuses it only when the network is built, so `modcomp train --modalities
// 0,0` makes a run directory whose every network "failed".
func TestValidateModalitiesDistinct(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Modalities = IntList{0, 0}
	err := c.Validate()
	var fe *check.FieldError
	if !errors.As(err, &fe) || fe.Field != "modalities" {
		t.Errorf("Validate() = %v, want a FieldError naming modalities", err)
	}
	wantErrContains(t, err, "modalities = 0,0")
}

func TestKAndSeedList(t *testing.T) {
	t.Parallel()
	c := Default()
	c.D = IntList{20, 20, 20}
	c.Alpha, c.Mu = FloatList{1}, FloatList{0.3}
	p := resolve(t, c)
	if p.K != 3 {
		t.Errorf("K = %d, want 3 (the longest list)", p.K)
	}
	c.Seed, c.Seeds = 5, 3
	if got := c.SeedList(); !reflect.DeepEqual(got, []uint64{5, 6, 7}) {
		t.Errorf("SeedList = %v, want [5 6 7]", got)
	}
	// The per-modality views use the single value for every modality.
	s := p.source.(*syntheticSource).spec
	if len(s.Modalities) != 3 || s.Modalities[2].Alpha != 1 || s.Modalities[2].Dim != 20 {
		t.Errorf("Synthetic = %+v, want 3 modalities with alpha 1 and d 20", s.Modalities)
	}
}
