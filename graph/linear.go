package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linear is a fully connected layer y = x W + b, with W (in, out) drawn from
// N(0, (scale/sqrt(in))²) and b = 0: the building block of MLP encoders,
// encoder heads and fused layers.
type linear struct {
	W, B *tensor.Dense
}

func newLinear(in, out int, scale float64, dtype tensor.Dtype, src *rand.Rand) *linear {
	w := make([]float64, in*out)
	std := scale / math.Sqrt(float64(in))
	for i := range w {
		w[i] = std * src.NormFloat64()
	}
	return &linear{
		W: newDense(dtype, tensor.Shape{in, out}, w),
		B: newDense(dtype, tensor.Shape{out}, make([]float64, out)),
	}
}

func (l *linear) params() []*tensor.Dense { return []*tensor.Dense{l.W, l.B} }

// build adds y = x W + b for x (n, in) and returns y (n, out) with the nodes
// of W and b.
func (l *linear) build(x *G.Node, name string) (y, w, b *G.Node, err error) {
	g := x.Graph()
	in, out := l.W.Shape()[0], l.W.Shape()[1]
	w = G.NewMatrix(g, l.W.Dtype(), G.WithShape(in, out), G.WithValue(l.W), G.WithName(name+".W"))
	b = G.NewVector(g, l.B.Dtype(), G.WithShape(out), G.WithValue(l.B), G.WithName(name+".b"))
	xw, err := G.Mul(x, w)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	y, err = G.BroadcastAdd(xw, b, nil, []byte{0})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: bias: %w", name, err)
	}
	return y, w, b, nil
}

// scores adds a head's class scores for x (n, in): x W + b, (n, out), or
// (n,) when out is 1 (see scoresOf); it returns them with the nodes of W
// and b.
func (l *linear) scores(x *G.Node, n int, name string) (s, w, b *G.Node, err error) {
	y, w, b, err := l.build(x, name)
	if err != nil {
		return nil, nil, nil, err
	}
	if s, err = scoresOf(y, n, l.W.Shape()[1]); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, w, b, nil
}

// scoresOf turns (n, outputs) scores into (n,) when there is one output, the
// shape one-score losses read.
func scoresOf(y *G.Node, n, outputs int) (*G.Node, error) {
	if outputs != 1 {
		return y, nil
	}
	return G.Reshape(y, tensor.Shape{n})
}
