package graph

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

// MLPConfig holds the hyper-parameters of an MLP encoder.
type MLPConfig struct {
	Hidden     []int  // widths of the hidden layers, e.g. 64, 64
	Activation string // one of Activations()
	// PerPatch applies the MLP to every patch of a (P, d) modality and sums
	// the last hidden layer over the patches, like the paper's encoder;
	// otherwise the MLP reads the flattened input.
	PerPatch bool
	// Scale sets the initial weights of layer l to N(0, (Scale LayerScale[l]
	// / sqrt(fan-in))²); LayerScale lists the hidden layers then the head,
	// and may be empty (all 1).
	Scale      float64
	LayerScale []float64
}

// MLPEncoder is a multi-layer perceptron: hidden layers with an activation,
// then a linear head. Its features are the last hidden layer.
type MLPEncoder struct {
	cfg      MLPConfig
	q, rho   float64 // for the srelu activation
	rows, in int     // rows per sample and their width: (P, d) per patch, (1, P*d) flattened
	layers   []*linear
	head     *linear
}

var mlpEncoderKind = encoderKind{
	help: "a multi-layer perceptron",
	// At the paper's rate of 1 its ReLU units die or its steps overshoot
	// (test accuracy 0.50 and 0.72 on the default data); at 0.1 both
	// modalities train (0.951 and 0.989).
	rate:     0.1,
	validate: validateMLP,
	build:    newMLPEncoder,
	memory:   mlpMemory,
}

func validateMLP(c EncoderConfig, r int, ck *check.Checker) {
	for _, h := range c.MLP.Hidden {
		ck.PositiveInt("hidden", r, h)
	}
	ck.OneOf("activation", r, c.MLP.Activation, Activations())
	ck.Positive("init-scale", r, c.MLP.Scale)
	if n := len(c.MLP.LayerScale); n > 0 && n != len(c.MLP.Hidden)+1 {
		ck.Fail(&check.FieldError{Field: "layer-scale", Index: r, Value: c.MLP.LayerScale,
			Want: fmt.Sprintf("one scale per layer: %d hidden layers and the head", len(c.MLP.Hidden))})
	}
	for _, s := range c.MLP.LayerScale {
		ck.Positive("layer-scale", r, s)
	}
	if c.MLP.Activation == "srelu" {
		ck.AtLeast("q", r, c.Q, 2)
		ck.Positive("rho", r, c.Rho)
	}
}

func newMLPEncoder(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error) {
	e := &MLPEncoder{cfg: cfg.MLP, q: cfg.Q, rho: cfg.Rho, rows: 1, in: m.Size()}
	if cfg.MLP.PerPatch {
		if len(m.Shape) != 2 {
			return nil, fmt.Errorf("a per-patch MLP needs samples of shape (P, d); modality %s has shape %v", m.Name, m.Shape)
		}
		e.rows, e.in = m.Shape[0], m.Shape[1]
	}
	scale := func(l int) float64 {
		if len(cfg.MLP.LayerScale) == 0 {
			return cfg.MLP.Scale
		}
		return cfg.MLP.Scale * cfg.MLP.LayerScale[l]
	}
	width := e.in
	for l, h := range cfg.MLP.Hidden {
		e.layers = append(e.layers, newLinear(width, h, scale(l), dtype, src))
		width = h
	}
	e.head = newLinear(width, outputs, scale(len(cfg.MLP.Hidden)), dtype, src)
	return e, nil
}

// InputShape is (n*P, d) per patch, (n, P*d) flattened.
func (e *MLPEncoder) InputShape(n int) tensor.Shape { return tensor.Shape{n * e.rows, e.in} }

// FeatureWidth is the width of the last hidden layer (of the input without
// hidden layers).
func (e *MLPEncoder) FeatureWidth() int {
	if len(e.layers) == 0 {
		return e.in
	}
	return e.layers[len(e.layers)-1].W.Shape()[1]
}

// Params returns the hidden layers as the body and the linear head.
func (e *MLPEncoder) Params() (body, head []*tensor.Dense) {
	for _, l := range e.layers {
		body = append(body, l.params()...)
	}
	return body, e.head.params()
}

// Build adds the MLP: hidden layers, the sum over patches when per patch,
// and the head.
func (e *MLPEncoder) Build(x *G.Node, n int, name string) (*Output, error) {
	out := &Output{}
	h := x // (n*rows, in)
	for l, layer := range e.layers {
		z, w, b, err := layer.build(h, fmt.Sprintf("%s.layer%d", name, l))
		if err != nil {
			return nil, err
		}
		if h, err = activations[e.cfg.Activation](z, e.q, e.rho); err != nil {
			return nil, fmt.Errorf("%s.layer%d: %w", name, l, err)
		}
		out.Body = append(out.Body, w, b)
	}
	if e.rows > 1 {
		// Sum pooling over patches: (n*P, h) -> (n, P, h) -> (n, h).
		perPatch, err := G.Reshape(h, tensor.Shape{n, e.rows, e.FeatureWidth()})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if h, err = G.Sum(perPatch, 1); err != nil {
			return nil, fmt.Errorf("%s: pooling: %w", name, err)
		}
	}
	out.Features = h // (n, h)
	scores, w, b, err := e.head.scores(h, n, name+".head")
	if err != nil {
		return nil, err
	}
	out.Scores, out.Head = scores, G.Nodes{w, b}
	return out, nil
}
