package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/kernel"
)

// sreluOp applies the smoothed ReLU elementwise in one pass over memory, in
// the vector loops of package kernel. Composing it from Rectify, Sub and
// HadamardProd takes six passes forward and more backward; the fused Op and
// its derivative take one each.
type sreluOp struct{ q, rho float64 }

// sreluGradOp computes grad ⊙ srelu'(z), the backward pass of sreluOp.
type sreluGradOp struct{ sreluOp }

// applySReLU adds srelu(z) to z's graph.
func applySReLU(z *G.Node, q, rho float64) (*G.Node, error) {
	return G.ApplyOp(sreluOp{q: q, rho: rho}, z)
}

func (op sreluOp) Arity() int { return 1 }
func (op sreluOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op sreluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("srelu: input has no shape")
	}
	return s.Clone(), nil
}
func (op sreluOp) ReturnsPtr() bool     { return false }
func (op sreluOp) CallsExtern() bool    { return false }
func (op sreluOp) OverwritesInput() int { return -1 }
func (op sreluOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "srelu(q=%v,rho=%v)", op.q, op.rho)
}
func (op sreluOp) Hashcode() uint32 { return hashOf(op) }
func (op sreluOp) String() string   { return fmt.Sprintf("srelu(q=%v,rho=%v)", op.q, op.rho) }

func (op sreluOp) Do(in ...G.Value) (G.Value, error) {
	z, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("srelu: input is %T, want a dense tensor", in[0])
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(z.Shape().Clone()...)), in...)
}

func (op sreluOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	z, out := in[0].(*tensor.Dense), prealloc.(*tensor.Dense)
	switch z.Dtype() {
	case tensor.Float64:
		kernel.SReLU(z.Float64s(), out.Float64s(), op.q, op.rho)
	case tensor.Float32:
		kernel.SReLU(z.Float32s(), out.Float32s(), op.q, op.rho)
	default:
		return nil, fmt.Errorf("srelu: unsupported dtype %v", z.Dtype())
	}
	return out, nil
}

func (op sreluOp) overwritesPrealloc() {}

func (op sreluOp) DiffWRT(inputs int) []bool { return []bool{true} }

func (op sreluOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(sreluGradOp{op}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dz}, nil
}

func (op sreluGradOp) Arity() int { return 2 }
func (op sreluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op sreluGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "srelu'(q=%v,rho=%v)", op.q, op.rho)
}
func (op sreluGradOp) Hashcode() uint32 { return hashOf(op) }
func (op sreluGradOp) String() string   { return fmt.Sprintf("srelu'(q=%v,rho=%v)", op.q, op.rho) }

func (op sreluGradOp) Do(in ...G.Value) (G.Value, error) {
	z, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("srelu': input is %T, want a dense tensor", in[0])
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(z.Shape().Clone()...)), in...)
}

func (op sreluGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	z, grad, out := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	switch z.Dtype() {
	case tensor.Float64:
		kernel.SReLUGrad(z.Float64s(), grad.Float64s(), out.Float64s(), op.q, op.rho)
	case tensor.Float32:
		kernel.SReLUGrad(z.Float32s(), grad.Float32s(), out.Float32s(), op.q, op.rho)
	default:
		return nil, fmt.Errorf("srelu': unsupported dtype %v", z.Dtype())
	}
	return out, nil
}

func (op sreluGradOp) DiffWRT(inputs int) []bool { return []bool{false, false} }

func (op sreluGradOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("srelu': second derivatives are not implemented")
}

// powT is x^e, by repeated multiplication for the small integer orders the
// paper uses.
func powT[T float32 | float64](x T, e float64) T {
	if e >= 0 && e <= 8 && e == math.Trunc(e) {
		r := T(1)
		for k := 0; k < int(e); k++ {
			r *= x
		}
		return r
	}
	return T(math.Pow(float64(x), e))
}
