package graph

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// EncoderConfig chooses the encoder of one modality and how it trains.
type EncoderConfig struct {
	Kind string // one of EncoderKinds(); "patch" is the paper's
	PatchConfig
	MLP  MLPConfig
	Conv ConvConfig
	// Optimizer and LR update this encoder's weights.
	Optimizer string
	LR        float64
}

// FusionConfig chooses how encoders are combined.
type FusionConfig struct {
	Kind string // one of Fusions(): "late" (the paper's) or "concat"
	// Hidden are the widths of fused hidden layers after the concatenation
	// (concat only); the head follows them.
	Hidden     []int
	Activation string
	Scale      float64 // init: std = Scale/sqrt(fan-in)
	// Optimizer and LR update the fusion's own weights.
	Optimizer string
	LR        float64
}

// ModelConfig chooses the parts of a network.
type ModelConfig struct {
	// Encoders holds one configuration per modality of the dataset; a
	// network uses those of the modalities it sees.
	Encoders []EncoderConfig
	Fusion   FusionConfig
	Loss     string // one of Losses(), or "auto": from the dataset's task
	DType    string // "float64" or "float32"
}

// encoderKind is one entry of the encoder registry.
type encoderKind struct {
	// validate checks the kind's hyper-parameters for modality r.
	validate func(cfg EncoderConfig, r int, ck *check.Checker)
	// build makes an encoder for modality m whose head emits outputs scores
	// per sample, drawing its initial weights from src.
	build func(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error)
}

// encoderKinds is the registry of encoder kinds, one file per kind.
var encoderKinds = map[string]encoderKind{
	"patch": {validatePatch, newPatchEncoder},
	"mlp":   {validateMLP, newMLPEncoder},
	"conv":  {validateConv, newConvEncoder},
}

// EncoderKinds lists the encoder kinds a config may name.
func EncoderKinds() []string { return slices.Sorted(maps.Keys(encoderKinds)) }

func validatePatch(c EncoderConfig, r int, ck *check.Checker) {
	ck.PositiveInt("neurons", r, c.Neurons)
	ck.AtLeast("q", r, c.Q, 2)
	ck.Positive("rho", r, c.Rho)
	ck.NonNegative("sigma0", r, c.Sigma0)
}

func newPatchEncoder(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error) {
	if len(m.Shape) != 2 {
		return nil, fmt.Errorf("the patch encoder needs samples of shape (P, d); modality %s has shape %v (use encoder mlp or conv)", m.Name, m.Shape)
	}
	return NewPatchEncoder(cfg.PatchConfig, m.Shape[0], m.Shape[1], outputs, dtype, src), nil
}

// fusions is the registry of fusions, one file per fusion.
var fusions = map[string]func(cfg FusionConfig, features []int, outputs int, dtype tensor.Dtype, src *rand.Rand) Fusion{
	"late":   func(FusionConfig, []int, int, tensor.Dtype, *rand.Rand) Fusion { return LateFusion{} },
	"concat": newConcatFusion,
}

// Fusions lists the fusion names a config may use.
func Fusions() []string { return slices.Sorted(maps.Keys(fusions)) }

// losses is the registry of losses, one file per loss, and the loss "auto"
// picks for each task.
var (
	losses = map[string]Loss{
		"logistic": LogisticLoss{},
		"softmax":  SoftmaxLoss{},
		"mse":      SquaredLoss{},
	}
	lossForTask = map[dataset.Task]string{
		dataset.Binary:     "logistic",
		dataset.Multiclass: "softmax",
		dataset.Regression: "mse",
	}
)

// Losses lists the loss names a config may use, besides "auto".
func Losses() []string { return slices.Sorted(maps.Keys(losses)) }

// Validate reports the first hyper-parameter outside its allowed range.
func (c ModelConfig) Validate() error {
	var ck check.Checker
	ck.OneOf("dtype", -1, c.DType, slices.Sorted(maps.Keys(dtypes)))
	ck.OneOf("loss", -1, c.Loss, append(Losses(), "auto"))
	ck.OneOf("fusion", -1, c.Fusion.Kind, Fusions())
	if len(c.Encoders) == 0 {
		ck.Fail(fmt.Errorf("no encoder configured"))
	}
	for r, e := range c.Encoders {
		ck.OneOf("encoder", r, e.Kind, EncoderKinds())
		if kind, ok := encoderKinds[e.Kind]; ok {
			kind.validate(e, r, &ck)
		}
		validateOptimizer(e.Optimizer, e.LR, r, &ck)
	}
	if c.Fusion.Kind == "concat" {
		for _, h := range c.Fusion.Hidden {
			ck.PositiveInt("fusion-hidden", -1, h)
		}
		// srelu needs an encoder's q and rho; fused layers have none.
		ck.OneOf("fusion-activation", -1, c.Fusion.Activation, []string{"linear", "relu", "tanh"})
		ck.Positive("fusion-init", -1, c.Fusion.Scale)
		validateOptimizer(c.Fusion.Optimizer, c.Fusion.LR, -1, &ck)
	}
	return ck.Err()
}

func validateOptimizer(name string, lr float64, r int, ck *check.Checker) {
	ck.OneOf("optimizer", r, name, Optimizers())
	ck.Positive("lr", r, lr)
}

// Network is a multi-modal network: one encoder per modality it sees, a
// fusion of their outputs and a loss.
type Network struct {
	Name       string
	Modalities []int // the dataset modality each encoder reads
	Encoders   []Encoder
	Fusion     Fusion
	Loss       Loss
	// optimizers update, in order, each encoder's trainable tensors and then
	// the fusion's (see groups); optimizerNames name them.
	optimizers     []Optimizer
	optimizerNames []string
}

// NewNetwork makes the network called name that sees the given modalities of
// ds: uni-modal with one modality, joint with several. The initial weights of
// the encoder of modality r come from the random stream "init/encoder/r" of
// seed, so a uni-modal network and the joint network of the same seed start
// from exactly the same encoder weights. The fusion's weights, when it has
// any, come from "init/fusion/<modalities>".
func NewNetwork(name string, modalities []int, ds *dataset.Dataset, cfg ModelConfig, seed uint64) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	if len(modalities) == 0 {
		return nil, fmt.Errorf("network %s: no modalities", name)
	}
	if len(cfg.Encoders) != len(ds.Modalities) {
		return nil, fmt.Errorf("network %s: %d encoder configurations for %d modalities", name, len(cfg.Encoders), len(ds.Modalities))
	}
	lossName := cfg.Loss
	if lossName == "auto" {
		lossName = lossForTask[ds.Task]
	}
	loss := losses[lossName]
	if err := lossFits(lossName, ds.Task); err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	dtype := dtypes[cfg.DType]
	outputs := loss.Outputs(ds.Classes)
	net := &Network{Name: name, Modalities: modalities, Loss: loss}
	seen := map[int]bool{}
	var features []int
	for _, r := range modalities {
		if r < 0 || r >= len(ds.Modalities) {
			return nil, fmt.Errorf("network %s: modality %d does not exist (the dataset has %d: 0..%d)", name, r, len(ds.Modalities), len(ds.Modalities)-1)
		}
		if seen[r] {
			return nil, fmt.Errorf("network %s: modality %d listed twice", name, r)
		}
		seen[r] = true
		ec := cfg.Encoders[r]
		src := rng.New(seed, fmt.Sprintf("init/encoder/%d", r))
		enc, err := encoderKinds[ec.Kind].build(ec, ds.Modalities[r], outputs, dtype, src)
		if err != nil {
			return nil, fmt.Errorf("network %s: modality %d: %w", name, r, err)
		}
		net.Encoders = append(net.Encoders, enc)
		net.optimizers = append(net.optimizers, optimizers[ec.Optimizer](ec.LR))
		net.optimizerNames = append(net.optimizerNames, ec.Optimizer)
		features = append(features, enc.FeatureWidth())
	}
	src := rng.New(seed, fmt.Sprintf("init/fusion/%v", modalities))
	net.Fusion = fusions[cfg.Fusion.Kind](cfg.Fusion, features, outputs, dtype, src)
	if len(net.Fusion.Params()) > 0 {
		net.optimizers = append(net.optimizers, optimizers[cfg.Fusion.Optimizer](cfg.Fusion.LR))
		net.optimizerNames = append(net.optimizerNames, cfg.Fusion.Optimizer)
	}
	return net, nil
}

// lossFits checks that a loss suits a task.
func lossFits(loss string, task dataset.Task) error {
	if want := lossForTask[task]; loss != want {
		return fmt.Errorf("loss %q does not fit a %s task (want %q or auto)", loss, task, want)
	}
	return nil
}

// groups returns the trainable tensors of each optimizer group: one per
// encoder (its body, and its head under a fusion that uses heads), then the
// fusion's own, if any.
func (n *Network) groups() [][]*tensor.Dense {
	var gs [][]*tensor.Dense
	for _, e := range n.Encoders {
		body, head := e.Params()
		g := append([]*tensor.Dense(nil), body...)
		if n.Fusion.UsesHeads() {
			g = append(g, head...)
		}
		gs = append(gs, g)
	}
	if ps := n.Fusion.Params(); len(ps) > 0 {
		gs = append(gs, ps)
	}
	return gs
}

// Params returns every trainable tensor, group after group.
func (n *Network) Params() []*tensor.Dense {
	var ps []*tensor.Dense
	for _, g := range n.groups() {
		ps = append(ps, g...)
	}
	return ps
}

// PaperModel is the paper's network for k modalities: patch encoders with
// the given hyper-parameters, late fusion and the loss of the task, trained
// in float64 by the named optimizer ("gd" for the paper's algorithm) with
// learning rate lr.
func PaperModel(k int, patch PatchConfig, optimizer string, lr float64) ModelConfig {
	cfg := ModelConfig{Fusion: FusionConfig{Kind: "late"}, Loss: "auto", DType: "float64"}
	for r := 0; r < k; r++ {
		cfg.Encoders = append(cfg.Encoders, EncoderConfig{Kind: "patch", PatchConfig: patch, Optimizer: optimizer, LR: lr})
	}
	return cfg
}
