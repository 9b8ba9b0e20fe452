package graph

import (
	"fmt"
	"math/rand/v2"

	"github.com/modcomp/modcomp/internal/check"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConcatFusion concatenates the encoders' features, passes them through
// optional fused hidden layers and a linear head: f = head(act(...[h_1, ...,
// h_K]...)). The encoders' own heads are unused.
type ConcatFusion struct {
	widths     []int // feature width of each encoder
	outputs    int
	activation string
	hidden     []*linear
	head       *linear
}

var concatFusionKind = fusionKind{
	help:     "one head over the concatenated features",
	weights:  true,
	validate: validateConcat,
	build:    newConcatFusion,
}

func validateConcat(c FusionConfig, ck *check.Checker) {
	for _, h := range c.Hidden {
		ck.PositiveInt("fusion-hidden", -1, h)
	}
	// srelu needs an encoder's q and rho; fused layers have none.
	ck.OneOf("fusion-activation", -1, c.Activation, []string{"linear", "relu", "tanh"})
	ck.Positive("fusion-init", -1, c.Scale)
}

func newConcatFusion(cfg FusionConfig, features []int, outputs int, dtype tensor.Dtype, src *rand.Rand) Fusion {
	f := &ConcatFusion{widths: features, outputs: outputs, activation: cfg.Activation}
	width := 0
	for _, w := range features {
		width += w
	}
	for _, h := range cfg.Hidden {
		f.hidden = append(f.hidden, newLinear(width, h, cfg.Scale, dtype, src))
		width = h
	}
	f.head = newLinear(width, outputs, cfg.Scale, dtype, src)
	return f
}

// Params returns the fused hidden layers and the head.
func (f *ConcatFusion) Params() []*tensor.Dense {
	var ps []*tensor.Dense
	for _, l := range f.hidden {
		ps = append(ps, l.params()...)
	}
	return append(ps, f.head.params()...)
}

// Fuse concatenates the features and applies the fused layers. Without
// hidden layers the head is additive over modalities, f = sum_r h_r W_r + b,
// and h_r W_r is modality r's contribution.
func (f *ConcatFusion) Fuse(outs []*Output, name string) (*Fused, error) {
	feats := make([]*G.Node, len(outs))
	for i, o := range outs {
		feats[i] = o.Features
	}
	h := feats[0]
	if len(feats) > 1 {
		var err error
		if h, err = G.Concat(1, feats...); err != nil {
			return nil, fmt.Errorf("%s: concatenation: %w", name, err)
		}
	}
	n := h.Shape()[0]
	fused := &Fused{}
	for l, layer := range f.hidden {
		z, w, b, err := layer.build(h, fmt.Sprintf("%s.layer%d", name, l))
		if err != nil {
			return nil, err
		}
		if h, err = activations[f.activation](z, 0, 0); err != nil {
			return nil, fmt.Errorf("%s.layer%d: %w", name, l, err)
		}
		fused.Params = append(fused.Params, w, b)
	}
	scores, w, b, err := f.head.scores(h, n, name+".head")
	if err != nil {
		return nil, err
	}
	fused.Scores, fused.Params = scores, append(fused.Params, w, b)
	fused.Contributions = make([]*G.Node, len(outs))
	if len(f.hidden) == 0 {
		offset := 0
		for i, width := range f.widths {
			block, err := G.Slice(w, G.S(offset, offset+width))
			if err != nil {
				return nil, fmt.Errorf("%s: contribution %d: %w", name, i, err)
			}
			c, err := G.Mul(feats[i], block)
			if err == nil {
				c, err = scoresOf(c, n, f.outputs)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: contribution %d: %w", name, i, err)
			}
			fused.Contributions[i] = c
			offset += width
		}
	}
	return fused, nil
}
