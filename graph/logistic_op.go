package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// logisticOp is the logistic loss of LogisticLoss in one Op: from the scores
// f and the labels y, both (n,), the scalar
//
//	L = (1/n) sum_i log(1 + exp(-y_i f_i))
//
// Built from gorgonia's elementwise ops it took seven ops forward and eight
// backward, each allocating its result at every step.
type logisticOp struct{}

// logisticGradOp is dL/df_i = -(g/n) y_i sigmoid(-y_i f_i), from f, y and the
// upstream gradient g of L.
type logisticGradOp struct{}

func (logisticOp) Arity() int { return 2 }
func (logisticOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(v, v, a)
}
func (logisticOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	f, okf := in[0].(tensor.Shape)
	y, oky := in[1].(tensor.Shape)
	if !okf || !oky || len(f) != 1 || !f.Eq(y) {
		return nil, fmt.Errorf("logistic loss: scores %v and labels %v, want both (n,)", in[0], in[1])
	}
	return tensor.ScalarShape(), nil
}
func (logisticOp) ReturnsPtr() bool      { return false }
func (logisticOp) CallsExtern() bool     { return false }
func (logisticOp) OverwritesInput() int  { return -1 }
func (logisticOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "logistic") }
func (op logisticOp) Hashcode() uint32   { return hashOf(op) }
func (logisticOp) String() string        { return "mean log(1+exp(-y f))" }
func (logisticOp) overwritesPrealloc()   {}

func (op logisticOp) Do(in ...G.Value) (G.Value, error) {
	switch in[0].Dtype() {
	case tensor.Float64:
		return op.UsePreallocDo(new(G.F64), in...)
	case tensor.Float32:
		return op.UsePreallocDo(new(G.F32), in...)
	}
	return nil, fmt.Errorf("%v: unsupported dtype %v", op, in[0].Dtype())
}

func (op logisticOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	f, okf := in[0].(*tensor.Dense)
	y, oky := in[1].(*tensor.Dense)
	if !okf || !oky {
		return nil, fmt.Errorf("%v: inputs %T and %T, want dense tensors", op, in[0], in[1])
	}
	switch out := prealloc.(type) {
	case *G.F64:
		*out = G.F64(logisticMean(f.Float64s(), y.Float64s()))
	case *G.F32:
		*out = G.F32(logisticMean(f.Float32s(), y.Float32s()))
	default:
		return nil, fmt.Errorf("%v: result %T, want a scalar", op, prealloc)
	}
	return prealloc, nil
}

func (logisticOp) DiffWRT(int) []bool { return []bool{true, false} }

func (logisticOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	df, err := G.ApplyOp(logisticGradOp{}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{df, nil}, nil
}

func (logisticGradOp) Arity() int { return 3 }
func (logisticGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(v, v, a, v)
}
func (logisticGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	f, ok := in[0].(tensor.Shape)
	if !ok || len(f) != 1 {
		return nil, fmt.Errorf("logistic loss': scores %v, want (n,)", in[0])
	}
	return f.Clone(), nil
}
func (logisticGradOp) ReturnsPtr() bool      { return false }
func (logisticGradOp) CallsExtern() bool     { return false }
func (logisticGradOp) OverwritesInput() int  { return -1 }
func (logisticGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "logistic'") }
func (op logisticGradOp) Hashcode() uint32   { return hashOf(op) }
func (logisticGradOp) String() string        { return "∂ mean log(1+exp(-y f))" }
func (logisticGradOp) overwritesPrealloc()   {}

func (op logisticGradOp) Do(in ...G.Value) (G.Value, error) {
	f, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: scores %T, want a dense tensor", op, in[0])
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(f.Dtype()), tensor.WithShape(f.Shape().Clone()...)), in...)
}

func (op logisticGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	f, okf := in[0].(*tensor.Dense)
	y, oky := in[1].(*tensor.Dense)
	out, oko := prealloc.(*tensor.Dense)
	if !okf || !oky || !oko {
		return nil, fmt.Errorf("%v: inputs %T, %T and result %T, want dense tensors", op, in[0], in[1], prealloc)
	}
	switch g := in[2].(type) {
	case *G.F64:
		logisticGrad(f.Float64s(), y.Float64s(), out.Float64s(), float64(*g))
	case *G.F32:
		logisticGrad(f.Float32s(), y.Float32s(), out.Float32s(), float32(*g))
	default:
		return nil, fmt.Errorf("%v: upstream gradient %T, want a scalar", op, in[2])
	}
	return out, nil
}

func (logisticGradOp) DiffWRT(int) []bool { return []bool{false, false, false} }
func (op logisticGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not implemented", op)
}

// logisticMean is (1/n) sum_i softplus(-y_i f_i), summed in float64.
func logisticMean[T float32 | float64](f, y []T) float64 {
	total := 0.0
	for i, fi := range f {
		total += softplus(-float64(y[i]) * float64(fi))
	}
	return total / float64(len(f))
}

// logisticGrad sets out_i = -(g/n) y_i sigmoid(-y_i f_i).
func logisticGrad[T float32 | float64](f, y, out []T, g T) {
	scale := g / T(len(f))
	for i, fi := range f {
		m := -float64(y[i]) * float64(fi)
		out[i] = -scale * y[i] * T(sigmoid(m))
	}
}

// sigmoid is 1/(1+exp(-x)) without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
