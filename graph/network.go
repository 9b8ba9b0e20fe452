package graph

import (
	"fmt"
	"maps"
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

// Validate reports the first hyper-parameter outside its allowed range.
func (c ModelConfig) Validate() error {
	var ck check.Checker
	ck.OneOf("dtype", -1, c.DType, slices.Sorted(maps.Keys(dtypes)))
	ck.OneOf("loss", -1, c.Loss, append(Losses().Names(), "auto"))
	ck.OneOf("fusion", -1, c.Fusion.Kind, Fusions().Names())
	if len(c.Encoders) == 0 {
		ck.Fail(fmt.Errorf("no encoder configured"))
	}
	for r, e := range c.Encoders {
		ck.OneOf("encoder", r, e.Kind, EncoderKinds().Names())
		if kind, ok := encoderKinds[e.Kind]; ok {
			kind.validate(e, r, &ck)
		}
		validateOptimizer(e.Optimizer, e.LR, r, &ck)
	}
	if kind, ok := fusions[c.Fusion.Kind]; ok {
		if kind.validate != nil {
			kind.validate(c.Fusion, &ck)
		}
		if kind.weights {
			validateOptimizer(c.Fusion.Optimizer, c.Fusion.LR, -1, &ck)
		}
	}
	return ck.Err()
}

// FitsTask reports a loss that does not fit task, the task of the data the
// model will train on.
func (c ModelConfig) FitsTask(task dataset.Task) error {
	_, err := lossFor(c.Loss, task)
	return err
}

func validateOptimizer(name string, lr float64, r int, ck *check.Checker) {
	ck.OneOf("optimizer", r, name, Optimizers().Names())
	ck.Positive("lr", r, lr)
}

// trainedBy names the optimizers that train a network of c: each encoder's,
// then the fusion's when it has weights.
func (c ModelConfig) trainedBy() []string {
	var names []string
	for _, e := range c.Encoders {
		names = append(names, e.Optimizer)
	}
	if fusions[c.Fusion.Kind].weights {
		names = append(names, c.Fusion.Optimizer)
	}
	return names
}

// Network is a multi-modal network: one encoder per modality it sees, a
// fusion of their outputs and a loss.
type Network struct {
	Name       string
	Modalities []int // the dataset modality each encoder reads
	Encoders   []Encoder
	Fusion     Fusion
	Loss       Loss
	// fusion is the kind of Fusion (registry.go).
	fusion string
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
	loss, err := lossFor(cfg.Loss, ds.Task)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	dtype := dtypes[cfg.DType]
	outputs := loss.Outputs(ds.Classes)
	net := &Network{Name: name, Modalities: modalities, Loss: loss, fusion: cfg.Fusion.Kind}
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
		net.optimizers = append(net.optimizers, optimizers[ec.Optimizer].build(ec.LR))
		net.optimizerNames = append(net.optimizerNames, ec.Optimizer)
		features = append(features, enc.FeatureWidth())
	}
	src := rng.New(seed, fmt.Sprintf("init/fusion/%v", modalities))
	net.Fusion = fusions[cfg.Fusion.Kind].build(cfg.Fusion, features, outputs, dtype, src)
	if len(net.Fusion.Params()) > 0 {
		net.optimizers = append(net.optimizers, optimizers[cfg.Fusion.Optimizer].build(cfg.Fusion.LR))
		net.optimizerNames = append(net.optimizerNames, cfg.Fusion.Optimizer)
	}
	return net, nil
}

// lossFor returns the loss called name for a task, or for "auto" the one
// the task picks, and refuses a loss of another task.
func lossFor(name string, task dataset.Task) (Loss, error) {
	var fits []string
	for _, n := range Losses().Names() {
		kind := losses[n]
		if kind.task != task {
			continue
		}
		if n == name || (name == "auto" && kind.auto) {
			return kind.loss, nil
		}
		fits = append(fits, n)
	}
	return nil, fmt.Errorf("loss %q does not fit a %s task (want %s or auto)", name, task, either(quoted(fits)))
}

// usesHeads tells whether the network's fusion reads the encoders' own
// scores, and so trains their heads.
func (n *Network) usesHeads() bool { return fusions[n.fusion].usesHeads }

// groups returns the trainable tensors of each optimizer group: one per
// encoder (its body, and its head under a fusion that uses heads), then the
// fusion's own, if any.
func (n *Network) groups() [][]*tensor.Dense {
	var gs [][]*tensor.Dense
	for _, e := range n.Encoders {
		body, head := e.Params()
		g := append([]*tensor.Dense(nil), body...)
		if n.usesHeads() {
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
