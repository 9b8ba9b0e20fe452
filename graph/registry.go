package graph

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

// The registries: every part a configuration can name, one line each. The
// entry itself lives in the part's file (the paper's patch encoder, late
// fusion and logistic loss in model.go, gd and sgd in gd.go) and says what
// the part is (a line of help), which of its settings are valid, and what it
// needs; no code switches on a part's name. Adding a part is its file and
// one line here.

var encoderKinds = map[string]encoderKind{
	"patch": patchEncoderKind,
	"mlp":   mlpEncoderKind,
	"conv":  convEncoderKind,
}

var fusions = map[string]fusionKind{
	"late":   lateFusionKind,
	"concat": concatFusionKind,
}

var losses = map[string]lossKind{
	"logistic": logisticLossKind,
	"softmax":  softmaxLossKind,
	"mse":      squaredLossKind,
}

var optimizers = map[string]optimizerKind{
	"gd":   gdOptimizer,
	"sgd":  sgdOptimizer,
	"adam": adamOptimizer,
}

var methods = map[string]methodKind{
	"naive":       naiveMethod,
	"ume":         umeMethod,
	"umt":         umtMethod,
	"ogm-ge":      ogmGEMethod,
	"alternating": alternatingMethod,
	"gblend":      gBlendMethod,
}

// encoderKind is an encoder as the registry knows it.
type encoderKind struct {
	help string
	// rate is the learning rate the kind's default settings train with by
	// full-batch gradient descent on the default data: the rate a
	// configuration that names none uses (DefaultLR).
	rate float64
	// validate checks the kind's settings for modality r.
	validate func(cfg EncoderConfig, r int, ck *check.Checker)
	// build makes an encoder for modality m whose head emits outputs scores
	// per sample, drawing its initial weights from src.
	build func(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error)
	// memory is what the encoder built for m needs (memory.go).
	memory func(cfg EncoderConfig, m dataset.Modality, outputs int) encoderMemory
}

// fusionKind is a fusion as the registry knows it.
type fusionKind struct {
	help string
	// usesHeads says the fusion reads the encoders' own scores, and so
	// trains their heads, rather than their features. A training method
	// that reads each encoder's scores needs it.
	usesHeads bool
	// weights says the fusion has weights of its own, which
	// FusionConfig.Optimizer trains.
	weights bool
	// validate checks the fusion's settings; nil when it has none.
	validate func(cfg FusionConfig, ck *check.Checker)
	// build makes the fusion of encoders with the given feature widths,
	// emitting outputs scores per sample, drawing its weights from src.
	build func(cfg FusionConfig, features []int, outputs int, dtype tensor.Dtype, src *rand.Rand) Fusion
}

// lossKind is a loss as the registry knows it.
type lossKind struct {
	help string
	task dataset.Task // the task whose labels the loss reads
	auto bool         // loss "auto" picks it for its task: one loss per task
	loss Loss
}

// optimizerKind is an update rule as the registry knows it.
type optimizerKind struct {
	help  string
	batch batchRule // the batch sizes it accepts
	build func(lr float64) Optimizer
	// state is the float64 values it keeps per weight (memory.go).
	state int
}

// methodKind is a training method as the registry knows it.
type methodKind struct {
	help string
	// objective is the loss terms the method trains with, and so what it
	// needs: the uni-modal teachers' scores when it distils, and each
	// encoder's own scores (a fusion that uses the heads) for any term
	// beyond the loss of the fused scores (see Objective).
	objective Objective
	// validate checks the method's settings; nil when it has none.
	validate func(s MethodSettings, ck *check.Checker)
	// build makes the method for a network that sees the given modalities.
	build func(s MethodSettings, modalities []int) Method
}

// Choice is a name a configuration key accepts, with a line of help.
type Choice struct {
	Name, Help string
}

// Choices are the names one registry offers, sorted.
type Choices []Choice

// Names returns the names alone, as validation lists them.
func (cs Choices) Names() []string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return names
}

// String lists every name with its help, as --help shows them:
// "concat (one head over ...), late (the sum of ...)".
func (cs Choices) String() string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name + " (" + c.Help + ")"
	}
	return strings.Join(parts, ", ")
}

// choices lists the entries of a registry, sorted by name.
func choices[K any](registry map[string]K, help func(K) string) Choices {
	var cs Choices
	for _, name := range slices.Sorted(maps.Keys(registry)) {
		cs = append(cs, Choice{name, help(registry[name])})
	}
	return cs
}

// EncoderKinds lists the encoder kinds a configuration may name.
func EncoderKinds() Choices {
	return choices(encoderKinds, func(k encoderKind) string { return k.help })
}

// DefaultLR is the learning rate an encoder of kind trains with when the
// configuration names none: the paper's 1 for its patch encoder, less for
// encoders whose steps at that rate diverge.
func DefaultLR(kind string) (float64, bool) {
	k, ok := encoderKinds[kind]
	return k.rate, ok
}

// Fusions lists the fusions a configuration may name.
func Fusions() Choices { return choices(fusions, func(k fusionKind) string { return k.help }) }

// Losses lists the losses a configuration may name, besides "auto".
func Losses() Choices { return choices(losses, func(k lossKind) string { return k.help }) }

// Optimizers lists the update rules a configuration may name.
func Optimizers() Choices {
	return choices(optimizers, func(k optimizerKind) string { return k.help })
}

// Methods lists the training methods a configuration may name.
func Methods() Choices { return choices(methods, func(k methodKind) string { return k.help }) }

// either lists names as "a, b or c".
func either(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// quoted quotes every name.
func quoted(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return q
}
