package runs

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/check"
)

// Plan is a Config resolved once: what the runs derive from the settings,
// worked out and checked by Resolve, then handed to every stage (training,
// run directories, sweep points) so that none derives it again. Nothing
// changes a Plan after Resolve.
type Plan struct {
	// Config is the settings the plan was resolved from: what config.json
	// records.
	Config Config
	// K is the number of modalities of the data.
	K int
	// NTrain is the number of training samples of each seed's dataset.
	NTrain int
	// Model is the network part, one encoder configuration per modality.
	Model graph.ModelConfig
	// Methods are the training methods of a comparison: naive first, then
	// the others of Config.Methods, each once.
	Methods []string
	// kindRates says that the configuration named no learning rate, so
	// Config.LR holds each encoder kind's own (defaultRates).
	kindRates bool

	train  map[string]graph.TrainConfig // per method of Config.Method and Methods
	source source
}

// Resolve checks c and works out, once, what runs need of it: the data
// source and K, the model, and the training of every method it names. An
// error names the first mistake: the key, the value and what is allowed.
// With data set it reads the dataset's manifest, not its arrays.
func (c Config) Resolve() (*Plan, error) {
	p := &Plan{Config: c.clone()}
	if err := p.resolve(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate reports the first mistake in c, as Resolve does.
func (c *Config) Validate() error {
	_, err := c.Resolve()
	return err
}

// maxSeeds bounds seeds: a typo such as 1000000 would otherwise queue
// millions of trainings.
const maxSeeds = 100000

func (p *Plan) resolve() error {
	c := &p.Config
	var ck check.Checker
	ck.PositiveInt("seeds", -1, c.Seeds)
	if c.Seeds > maxSeeds {
		ck.Fail(&check.FieldError{Field: "seeds", Index: -1, Value: c.Seeds, Want: fmt.Sprintf("at most %d", maxSeeds)})
	}
	ck.NonNegativeInt("workers", -1, c.Workers)
	if strings.ContainsAny(c.Name, `/\`) || c.Name == "." || c.Name == ".." {
		ck.Fail(&check.FieldError{Field: "name", Index: -1, Value: fmt.Sprintf("%q", c.Name), Want: "a name without path separators"})
	}
	ck.OneOf("mlp-input", -1, c.MLPInput, []string{"flat", "patch"})
	// Keys shared by every encoder are checked here, so that an error does
	// not name one modality for them.
	ck.PositiveInt("neurons", -1, c.Neurons)
	ck.PositiveInt("depth", -1, c.Depth)
	if c.Depth > 1 {
		ck.PositiveInt("width", -1, c.Width)
	}
	ck.AtLeast("q", -1, c.Q, 2)
	ck.Positive("rho", -1, c.Rho)
	if err := ck.Err(); err != nil {
		return err
	}

	src, err := c.source()
	if err != nil {
		return err
	}
	k, from := src.modalities()
	if k < 2 {
		return fmt.Errorf("the data has %d modality (%s), want at least 2 to compare: %s", k, from, src.moreModalities())
	}
	if err := src.validate(); err != nil {
		return err
	}
	if err := checkTask(c, src); err != nil {
		return err
	}
	p.source, p.K, p.NTrain = src, k, src.trainSize()

	lists := []perModality{{"encoder", c.Encoder}, {"sigma0", c.Sigma0}, {"activation", c.Activation},
		{"init-scale", c.InitScale}, {"optimizer", c.Optimizer}}
	if len(c.LR) > 0 {
		lists = append(lists, perModality{"lr", c.LR})
	}
	if err := checkLengths(lists, k, from); err != nil {
		return err
	}
	if len(c.LR) == 0 {
		c.LR, p.kindRates = defaultRates(c.Encoder, k), true
	}
	p.Model = c.model(k)
	if err := p.Model.Validate(); err != nil {
		return err
	}
	if err := p.Model.FitsTask(src.task()); err != nil {
		return err
	}

	for _, m := range c.Methods {
		ck.OneOf("methods", -1, m, graph.Methods().Names())
	}
	if err := ck.Err(); err != nil {
		return err
	}
	p.Methods = []string{"naive"}
	for _, m := range c.Methods {
		if !slices.Contains(p.Methods, m) {
			p.Methods = append(p.Methods, m)
		}
	}
	p.train = map[string]graph.TrainConfig{}
	for _, m := range append([]string{c.Method}, p.Methods...) {
		tc := graph.TrainConfig{Steps: c.Steps, BatchSize: c.BatchSize, LogEvery: c.LogEvery, LogSchedule: c.LogSched, Probe: c.Probe,
			Method: graph.MethodConfig{Name: m, Settings: methodSettings{c}}}
		if err := tc.Validate(p.Model, p.NTrain); err != nil {
			return err
		}
		p.train[m] = tc
	}

	seen := map[int]bool{}
	for _, r := range c.Modalities {
		if r < 0 || r >= k || seen[r] {
			return &check.FieldError{Field: "modalities", Index: -1, Value: c.Modalities, Want: fmt.Sprintf("distinct modality indices in 0..%d", k-1)}
		}
		seen[r] = true
	}
	return nil
}

// Train is the training part of the plan for method, which must be
// Config.Method or one of Methods.
func (p *Plan) Train(method string) graph.TrainConfig {
	tc, ok := p.train[method]
	if !ok {
		panic(fmt.Sprintf("runs: method %q is not part of the plan", method)) // a defect: specs come from the plan
	}
	return tc
}

// model is the network part of c for k modalities.
func (c *Config) model(k int) graph.ModelConfig {
	m := graph.ModelConfig{
		Fusion: graph.FusionConfig{Kind: c.Fusion, Hidden: c.FusionHid, Activation: c.FusionAct, Scale: c.FusionInit,
			Optimizer: c.Optimizer.At(0), LR: c.LR.At(0)},
		Loss: c.Loss, DType: c.DType,
	}
	for r := 0; r < k; r++ {
		m.Encoders = append(m.Encoders, graph.EncoderConfig{
			Kind:        c.Encoder.At(r),
			PatchConfig: graph.PatchConfig{Neurons: c.Neurons, Q: c.Q, Rho: c.Rho, Sigma0: c.Sigma0.At(r), Depth: c.Depth, Width: c.Width},
			MLP: graph.MLPConfig{Hidden: c.Hidden, Activation: c.Activation.At(r), PerPatch: c.MLPInput == "patch",
				Scale: c.InitScale.At(r), LayerScale: c.LayerScale},
			Conv:      graph.ConvConfig{Channels: c.ConvChan, Kernel: c.ConvKernel, Activation: c.Activation.At(r), Scale: c.InitScale.At(r), Input: c.ConvInput},
			Optimizer: c.Optimizer.At(r),
			LR:        c.LR.At(r),
		})
	}
	return m
}

// methodSettings gives a training method its settings from the
// configuration, by key: a method's flags are Config fields like any other
// (graph.MethodSettings).
type methodSettings struct{ c *Config }

// Float returns the number under key.
func (s methodSettings) Float(key string) float64 {
	switch v := s.field(key); v.Kind() {
	case reflect.Float64:
		return v.Float()
	case reflect.Int:
		return float64(v.Int())
	}
	panic(fmt.Sprintf("runs: a training method reads the setting %q as a number; it is not one", key))
}

// Int returns the integer under key.
func (s methodSettings) Int(key string) int {
	if v := s.field(key); v.Kind() == reflect.Int {
		return int(v.Int())
	}
	panic(fmt.Sprintf("runs: a training method reads the setting %q as an integer; it is not one", key))
}

// field is the value of key. A method that reads a key the configuration
// does not have is a defect of the program, not a user's mistake.
func (s methodSettings) field(key string) reflect.Value {
	v, ok := s.c.field(key)
	if !ok {
		panic(fmt.Sprintf("runs: a training method reads the setting %q, which is not a configuration key", key))
	}
	return v
}

// defaultRates are the learning rates of modalities whose configuration
// names none: each encoder kind's own (graph.DefaultLR), one value when
// they agree. An unknown kind gets 0, which validation then reports with
// the kind.
func defaultRates(encoders StringList, k int) FloatList {
	rates := make(FloatList, k)
	for r := range rates {
		rates[r], _ = graph.DefaultLR(encoders.At(r))
	}
	if slices.Min(rates) == slices.Max(rates) {
		return rates[:1]
	}
	return rates
}
