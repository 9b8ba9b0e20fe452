package graph

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// EncoderConfig chooses an encoder kind and its hyper-parameters.
type EncoderConfig struct {
	Kind string // one of EncoderKinds(); "patch" is the paper's
	PatchConfig
}

// ModelConfig chooses the parts of a network.
type ModelConfig struct {
	Encoder EncoderConfig
	DType   string // "float64" or "float32"
}

// newEncoderFunc makes an encoder for a modality with the given number of
// class heads, drawing its initial weights from src.
type newEncoderFunc func(cfg EncoderConfig, m dataset.Modality, heads int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error)

// encoderKinds is the registry of encoder kinds, one file per kind.
var encoderKinds = map[string]newEncoderFunc{
	"patch": newPatchEncoder,
}

// EncoderKinds lists the encoder kinds a config may name.
func EncoderKinds() []string { return sortedKeys(encoderKinds) }

func newPatchEncoder(cfg EncoderConfig, m dataset.Modality, heads int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error) {
	if len(m.Shape) != 2 {
		return nil, fmt.Errorf("patch encoder needs samples of shape (P, d), modality %s has shape %v", m.Name, m.Shape)
	}
	return NewPatchEncoder(cfg.PatchConfig, m.Shape[0], m.Shape[1], heads, dtype, src), nil
}

// Validate reports the first hyper-parameter outside its allowed range.
func (c ModelConfig) Validate() error {
	var ck check.Checker
	ck.OneOf("encoder", -1, c.Encoder.Kind, EncoderKinds())
	ck.OneOf("dtype", -1, c.DType, sortedKeys(dtypes))
	if c.Encoder.Kind == "patch" {
		ck.PositiveInt("neurons", -1, c.Encoder.Neurons)
		ck.AtLeast("q", -1, c.Encoder.Q, 2)
		ck.Positive("rho", -1, c.Encoder.Rho)
		ck.NonNegative("sigma0", -1, c.Encoder.Sigma0)
	}
	return ck.Err()
}

// Network is a multi-modal network: one encoder per modality it sees, a
// fusion of their scores and a loss.
type Network struct {
	Name       string
	Modalities []int // the dataset modality each encoder reads
	Encoders   []Encoder
	Fusion     Fusion
	Loss       Loss
}

// NewNetwork makes the network called name that sees the given modalities of
// ds: uni-modal with one modality, late-fusion joint with several. The initial
// weights of the encoder of modality r come from the random stream
// "init/encoder/r" of seed, so a uni-modal network and the joint network of
// the same seed start from exactly the same encoder weights.
func NewNetwork(name string, modalities []int, ds *dataset.Dataset, cfg ModelConfig, seed uint64) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("network %s: %w", name, err)
	}
	if len(modalities) == 0 {
		return nil, fmt.Errorf("network %s: no modalities", name)
	}
	loss := LogisticLoss{}
	if ds.Task != dataset.Binary {
		return nil, fmt.Errorf("network %s: task %q is not supported yet (binary only)", name, ds.Task)
	}
	heads := ds.Classes
	net := &Network{Name: name, Modalities: modalities, Fusion: LateFusion{}, Loss: loss}
	seen := map[int]bool{}
	for _, r := range modalities {
		if r < 0 || r >= len(ds.Modalities) {
			return nil, fmt.Errorf("network %s: modality %d does not exist (the dataset has %d: 0..%d)", name, r, len(ds.Modalities), len(ds.Modalities)-1)
		}
		if seen[r] {
			return nil, fmt.Errorf("network %s: modality %d listed twice", name, r)
		}
		seen[r] = true
		src := rng.New(seed, fmt.Sprintf("init/encoder/%d", r))
		enc, err := encoderKinds[cfg.Encoder.Kind](cfg.Encoder, ds.Modalities[r], heads, dtypes[cfg.DType], src)
		if err != nil {
			return nil, fmt.Errorf("network %s: %w", name, err)
		}
		net.Encoders = append(net.Encoders, enc)
	}
	return net, nil
}

// Params returns every trainable tensor: the encoders' in order, then the
// fusion's.
func (n *Network) Params() []*tensor.Dense {
	var ps []*tensor.Dense
	for _, e := range n.Encoders {
		ps = append(ps, e.Params()...)
	}
	return append(ps, n.Fusion.Params()...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
