package runs

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/modcomp/modcomp/graph"
)

// Config is everything that determines a run's numbers. Its keys are the
// command-line flag names: a config file, the flags and the config.json of a
// run directory all use the same names. Per-modality lists hold one value per
// modality, or a single value for every modality. The number of modalities K
// is that of the data: the length of the longest synthetic list (d, patches,
// alpha, beta, mu, sigma-p), or that of the NPY dataset named by data.
// Resolve checks a Config and works out what runs need of it (a Plan).
type Config struct {
	// Data: the paper's synthetic distribution, an NPY dataset directory, an
	// NPZ archive or two views of Fashion-MNIST.
	Dataset      string     `json:"dataset" help:"where the data come from: {datasets}"`
	Data         string     `json:"data" help:"npy: the dataset directory; npz: the NPZ archive (data alone implies npy or npz); fashion2view: the directory of the IDX files (default /usr/share/datasets/fashion-mnist)"`
	Split        FloatList  `json:"split" help:"npy, npz: fractions val,test of a dataset that gives only a training split, drawn per seed"`
	Task         string     `json:"task" help:"npz: the task of the labels: {tasks}; empty: inferred from them (-1/+1 binary, integers 0..C-1 multiclass, floats regression)"`
	ViewDeg      StringList `json:"view-degradation" help:"fashion2view: degradation of each view: none, rotate, noise, occlude"`
	ViewStrength FloatList  `json:"view-strength" help:"fashion2view: strength per view: rotate max degrees, noise std (pixels in [0,1]), occlude side fraction"`
	D            IntList    `json:"d" help:"dimension d of a patch, per modality"`
	Patches      IntList    `json:"patches" help:"patches P per input, per modality"`
	NTrain       int        `json:"n-train" help:"training samples"`
	NVal         int        `json:"n-val" help:"validation samples (used to pick the best uni-modal model)"`
	NTest        int        `json:"n-test" help:"test samples (every reported accuracy)"`
	Alpha        FloatList  `json:"alpha" help:"signal strength alpha_r of a sufficient sample, per modality"`
	Beta         FloatList  `json:"beta" help:"signal strength beta_r of an insufficient sample, per modality"`
	Mu           FloatList  `json:"mu" help:"fraction mu_r of insufficient samples, per modality (probability)"`
	SigmaP       FloatList  `json:"sigma-p" help:"standard deviation sigma_p of the noise patches, per modality"`

	// Model: encoders, fusion, loss.
	Encoder    StringList `json:"encoder" help:"encoder kind per modality: {encoders}"`
	Neurons    int        `json:"neurons" help:"patch encoder: neurons m per class"`
	Depth      int        `json:"depth" help:"patch encoder: layers L; L-1 blocks h + V srelu(U h) below the paper's heads (1: the paper's encoder)"`
	Width      int        `json:"width" help:"patch encoder: smoothed-ReLU units of each block (depth > 1)"`
	Q          float64    `json:"q" help:"order q of the smoothed ReLU (>= 2)"`
	Rho        float64    `json:"rho" help:"threshold rho of the smoothed ReLU"`
	Sigma0     FloatList  `json:"sigma0" help:"patch encoder: standard deviation sigma0 of the initial weights, per modality"`
	Hidden     IntList    `json:"hidden" help:"mlp encoder: hidden layer widths, e.g. 64,64 (empty: a linear encoder)"`
	Activation StringList `json:"activation" help:"mlp and conv encoders: activation per modality: relu, srelu, tanh, linear"`
	MLPInput   string     `json:"mlp-input" help:"mlp encoder: patch (applied to every patch, summed over patches) or flat (the flattened input)"`
	InitScale  FloatList  `json:"init-scale" help:"mlp and conv encoders: initial weights N(0, (scale/sqrt(fan-in))^2), per modality"`
	LayerScale FloatList  `json:"layer-scale" help:"mlp encoder: extra init factor per layer (hidden layers, then the head); empty: all 1"`
	ConvChan   IntList    `json:"conv-channels" help:"conv encoder: channels of each 3x3-style convolution, e.g. 8,16"`
	ConvKernel int        `json:"conv-kernel" help:"conv encoder: kernel size k (odd)"`
	ConvInput  string     `json:"conv-input" help:"conv encoder: image (samples (H, W) or (C, H, W) as images), patch (samples (P, d) as P patches of d channels, convolved along the patches) or auto (patch for the paper's patch data, image otherwise)"`
	Fusion     string     `json:"fusion" help:"how the encoders' outputs combine: {fusions}"`
	FusionHid  IntList    `json:"fusion-hidden" help:"concat fusion: widths of fused hidden layers before the head (empty: a linear head)"`
	FusionAct  string     `json:"fusion-activation" help:"concat fusion: activation of the fused hidden layers"`
	FusionInit float64    `json:"fusion-init" help:"concat fusion: init scale of the fused layers"`
	Loss       string     `json:"loss" help:"auto (the loss of the data's task) or {losses}"`
	DType      string     `json:"dtype" help:"floating-point type of the networks: float64 or float32"`

	// Training.
	Optimizer StringList `json:"optimizer" help:"update rule per modality (the fusion uses modality 0's): {optimizers}"`
	LR        FloatList  `json:"lr" help:"learning rate eta per modality; empty: each encoder kind's own ({rates}); the fusion uses modality 0's"`
	Steps     int        `json:"steps" help:"training steps T (updates)"`
	BatchSize int        `json:"batch-size" help:"samples per update for sgd and adam; 0 = the full training set"`
	LogEvery  int        `json:"log-every" help:"log metrics every this many steps (steps)"`
	LogSched  string     `json:"log-schedule" help:"when to log besides every log-every steps: every (nothing else) or geometric (also steps 1, 2, 4, 8, ..., where the escape race is decided)"`
	Probe     bool       `json:"probe" help:"fit a linear probe on each trained encoder's frozen features (true or false)"`

	// Training methods of the joint network.
	Method      string     `json:"method" help:"training method of the network of 'modcomp train': {methods}"`
	Methods     StringList `json:"methods" help:"training methods 'modcomp compare' trains a joint network with (naive always): {methods}"`
	OGMAlpha    float64    `json:"ogm-alpha" help:"ogm-ge: alpha of the coefficient 1 - tanh(alpha rho)"`
	OGMStart    int        `json:"ogm-start" help:"ogm-ge: first modulated step"`
	OGMEnd      int        `json:"ogm-end" help:"ogm-ge: last modulated step (0: the last step)"`
	UMTWeight   float64    `json:"umt-weight" help:"umt: weight of the distillation towards the uni-modal teachers"`
	GBlendEvery int        `json:"gblend-every" help:"gblend: re-estimate the blending weights every this many steps"`

	// Seeds: seed, seed+1, ..., seed+seeds-1; each draws its own data and initial weights.
	Seed  uint64 `json:"seed" help:"first random seed"`
	Seeds int    `json:"seeds" help:"number of seeds to run (seed, seed+1, ...)"`

	// Networks trained by `modcomp train`: one modality for a uni-modal
	// network, several for a joint network.
	Modalities IntList `json:"modalities" help:"modalities of the network trained by 'modcomp train', e.g. 0 or 0,1"`

	// Invocation settings: they do not change any number.
	Out     string `json:"out" help:"directory under which run directories are created"`
	Name    string `json:"name" help:"name appended to the run directory's timestamp"`
	Workers int    `json:"workers" help:"networks trained in parallel; 0 = number of CPUs"`
}

//go:embed defaults.json
var defaultsJSON []byte

// Default returns the embedded default configuration: the paper's regime,
// tuned so that `modcomp compare` shows modality competition.
func Default() Config {
	var c Config
	if _, err := decodeJSON(defaultsJSON, &c, ""); err != nil {
		panic(fmt.Sprintf("runs: embedded defaults.json: %v", err)) // a build defect, caught by tests
	}
	return c
}

// Field describes one configuration key.
type Field struct {
	Key  string // flag name and config key
	Help string
}

// Fields lists the configuration keys in declaration order.
func Fields() []Field {
	choices := helpChoices()
	t := reflect.TypeOf(Config{})
	fields := make([]Field, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = Field{Key: f.Tag.Get("json"), Help: choices.Replace(f.Tag.Get("help"))}
	}
	return fields
}

// helpChoices fills the placeholders of the help tags with the names each
// registry offers and their help, so that --help lists exactly what
// validation accepts.
func helpChoices() *strings.Replacer {
	return strings.NewReplacer(
		"{datasets}", datasetChoices().String(),
		"{tasks}", taskChoices().String(),
		"{encoders}", graph.EncoderKinds().String(),
		"{fusions}", graph.Fusions().String(),
		"{losses}", graph.Losses().String(),
		"{optimizers}", graph.Optimizers().String(),
		"{methods}", graph.Methods().String(),
		"{rates}", defaultRateList(),
	)
}

// defaultRateList names each encoder kind's default learning rate, for the
// help of lr: "conv 0.1, mlp 0.1, patch 1".
func defaultRateList() string {
	var parts []string
	for _, k := range graph.EncoderKinds().Names() {
		lr, _ := graph.DefaultLR(k)
		parts = append(parts, fmt.Sprintf("%s %g", k, lr))
	}
	return strings.Join(parts, ", ")
}

// clone returns a copy of c that shares no per-modality list with it.
func (c Config) clone() Config {
	v := reflect.ValueOf(&c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Slice && !f.IsNil() {
			cp := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
			reflect.Copy(cp, f)
			f.Set(cp)
		}
	}
	return c
}

// Get returns the value of key as a flag would spell it ("1,0.4" for lists).
func (c *Config) Get(key string) string {
	v, ok := c.field(key)
	if !ok {
		return ""
	}
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprint(v.Interface())
}

// Set parses value as a flag would and stores it under key. On error the
// configuration is left unchanged.
func (c *Config) Set(key, value string) error {
	v, ok := c.field(key)
	if !ok {
		return unknownKeyError(key)
	}
	parsed := reflect.New(v.Type())
	var err error
	switch p := parsed.Interface().(type) {
	case *string:
		*p = value
	case *int:
		*p, err = strconv.Atoi(strings.TrimSpace(value))
	case *uint64:
		*p, err = strconv.ParseUint(strings.TrimSpace(value), 10, 64)
	case *float64:
		*p, err = strconv.ParseFloat(strings.TrimSpace(value), 64)
	case *bool:
		*p, err = strconv.ParseBool(strings.TrimSpace(value))
	case *FloatList:
		*p, err = parseFloatList(value)
	case *IntList:
		*p, err = parseIntList(value)
	case *StringList:
		*p = parseStringList(value)
	default:
		return fmt.Errorf("%s: unsupported field type %T", key, p)
	}
	if err != nil {
		return fmt.Errorf("%s = %q: want %s", key, value, kindWord(v.Kind(), v.Type()))
	}
	v.Set(parsed.Elem())
	return nil
}

func (c *Config) field(key string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).Tag.Get("json") == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func kindWord(k reflect.Kind, t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(StringList{}):
		return "a name or a comma-separated list of names, e.g. patch,mlp"
	case t == reflect.TypeOf(FloatList{}):
		return "a number or a comma-separated list of numbers, e.g. 1.0,0.4"
	case t == reflect.TypeOf(IntList{}):
		return "an integer or a comma-separated list of integers, e.g. 0,1"
	case k == reflect.Int:
		return "an integer"
	case k == reflect.Uint64:
		return "a non-negative integer"
	case k == reflect.Float64:
		return "a number"
	case k == reflect.Bool:
		return "true or false"
	}
	return "a string"
}

// metadataKey holds provenance in config.json (version, commit, command);
// loading accepts and ignores it so a run's config.json can be passed back.
const metadataKey = "modcomp"

// LoadFile overlays the keys of a JSON or YAML file (by extension: .json,
// .yaml, .yml) onto c. Unknown keys, null values and values of the wrong type
// are errors that name the key.
func (c *Config) LoadFile(path string) error {
	_, err := c.loadFile(path, "")
	return err
}

// LoadSweepFile overlays the configuration keys of a sweep file onto c and
// returns its "grid": a list of axes in the syntax of --grid, e.g.
//
//	{"seeds": 3, "grid": ["alpha[1]=0.2..0.6/0.1", "mu[0]=0.1..0.5/0.1"]}
func (c *Config) LoadSweepFile(path string) ([]string, error) {
	raw, err := c.loadFile(path, "grid")
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("sweep file %s: no \"grid\" key: want e.g. \"grid\": [\"n-train=100,200\"]", path)
	}
	if strings.TrimSpace(string(raw)) == "null" {
		return nil, fmt.Errorf("sweep file %s: key \"grid\": got null, want a list of strings such as [\"n-train=100,200\"]", path)
	}
	var grid []string
	if err := json.Unmarshal(raw, &grid); err != nil {
		return nil, fmt.Errorf("sweep file %s: key \"grid\": got %s, want a list of strings such as [\"n-train=100,200\"]", path, raw)
	}
	return grid, nil
}

// loadFile overlays the keys of a file onto c and returns the raw value of
// the key extra, which is not a configuration key (nil if absent).
func (c *Config) loadFile(path, extra string) (json.RawMessage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var raw json.RawMessage
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		raw, err = decodeYAML(data, c, extra)
	case ".json":
		raw, err = decodeJSON(data, c, extra)
	default:
		err = fmt.Errorf("unknown extension %q, want .json, .yaml or .yml", filepath.Ext(path))
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return raw, nil
}

// decodeJSON overlays the keys of a JSON object onto c and returns the raw
// value of the key extra.
func decodeJSON(data []byte, c *Config, extra string) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("invalid JSON at byte %d: %w", syn.Offset, err)
		}
		return nil, fmt.Errorf("want a JSON object of configuration keys: %w", err)
	}
	var raw json.RawMessage
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch {
		case k == metadataKey:
		case extra != "" && k == extra:
			raw = m[k]
		default:
			if err := c.setJSON(k, m[k]); err != nil {
				return nil, err
			}
		}
	}
	return raw, nil
}

// decodeYAML overlays the keys of a YAML mapping onto c and returns the
// value of the key extra as JSON. Each value is converted on its own, so
// that an error names its key, and string keys take the YAML text as
// written (a name such as 2024-01-01 stays a string).
func decodeYAML(data []byte, c *Config, extra string) (json.RawMessage, error) {
	var m map[string]yaml.Node
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	var raw json.RawMessage
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k == metadataKey {
			continue
		}
		node := m[k]
		if extra != "" && k == extra {
			var value any
			if err := node.Decode(&value); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			b, err := json.Marshal(value)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			raw = b
			continue
		}
		v, ok := c.field(k)
		if !ok {
			return nil, unknownKeyError(k)
		}
		if v.Kind() == reflect.String && node.Kind == yaml.ScalarNode && node.Tag != "!!null" {
			v.SetString(node.Value)
			continue
		}
		var value any
		if err := node.Decode(&value); err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
		b, err := json.Marshal(value)
		if err != nil {
			return nil, fmt.Errorf("key %q: got %s, want %s", k, yamlText(&node), kindWord(v.Kind(), v.Type()))
		}
		if err := c.setJSON(k, b); err != nil {
			return nil, err
		}
	}
	return raw, nil
}

// yamlText renders a YAML value for an error message.
func yamlText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return "a YAML " + n.Tag
	}
	return strings.TrimSpace(string(b))
}

// setJSON stores the JSON value raw under key, refusing null: a key that is
// present must say what it means.
func (c *Config) setJSON(key string, raw json.RawMessage) error {
	v, ok := c.field(key)
	if !ok {
		return unknownKeyError(key)
	}
	want := kindWord(v.Kind(), v.Type())
	if strings.TrimSpace(string(raw)) == "null" {
		return fmt.Errorf("key %q: got null, want %s", key, want)
	}
	parsed := reflect.New(v.Type())
	if err := json.Unmarshal(raw, parsed.Interface()); err != nil {
		return fmt.Errorf("key %q: got %s, want %s", key, raw, want)
	}
	v.Set(parsed.Elem())
	return nil
}

func unknownKeyError(key string) error {
	best, bestDist := "", 3
	for _, f := range Fields() {
		if d := editDistance(key, f.Key); d < bestDist {
			best, bestDist = f.Key, d
		}
	}
	if best != "" {
		return fmt.Errorf("unknown key %q (did you mean %q?)", key, best)
	}
	return fmt.Errorf("unknown key %q; run 'modcomp compare --help' for the keys", key)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// SeedList returns the seeds of the run.
func (c *Config) SeedList() []uint64 {
	seeds := make([]uint64, c.Seeds)
	for i := range seeds {
		seeds[i] = c.Seed + uint64(i)
	}
	return seeds
}
