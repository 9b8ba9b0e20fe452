package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sreluOp applies the smoothed ReLU elementwise in one pass over memory.
// Composing it from Rectify, Sub and HadamardProd takes six passes forward and
// more backward; the fused Op and its derivative take one each.
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
	switch z := in[0].Data().(type) {
	case []float64:
		sreluForward(z, prealloc.Data().([]float64), op.q, op.rho)
	case []float32:
		sreluForward(z, prealloc.Data().([]float32), op.q, op.rho)
	default:
		return nil, fmt.Errorf("srelu: unsupported data %T", z)
	}
	return prealloc, nil
}

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
	switch z := in[0].Data().(type) {
	case []float64:
		sreluBackward(z, in[1].Data().([]float64), prealloc.Data().([]float64), op.q, op.rho)
	case []float32:
		sreluBackward(z, in[1].Data().([]float32), prealloc.Data().([]float32), op.q, op.rho)
	default:
		return nil, fmt.Errorf("srelu': unsupported data %T", z)
	}
	return prealloc, nil
}

func (op sreluGradOp) DiffWRT(inputs int) []bool { return []bool{false, false} }

func (op sreluGradOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("srelu': second derivatives are not implemented")
}

// The kernels below compute srelu and its derivative without branches, which
// pre-activations scattered around 0 would make unpredictable: with
// u = clamp(z/rho, 0, 1),
//
//	srelu(z)  = u^q rho/q + max(z - rho, 0)
//	srelu'(z) = u^(q-1)
//
// which equal the piecewise definition of SmoothedReLU in each region. The
// order q = 3 of the paper gets its own loop with the powers unrolled.

// sreluForward sets out[i] = srelu(z[i]).
func sreluForward[T float32 | float64](z, out []T, q, rho float64) {
	r, inv, scale := T(rho), T(1/rho), T(rho/q)
	if q == 3 {
		for i, v := range z {
			u := min(max(v*inv, 0), 1)
			out[i] = u*u*u*scale + max(v-r, 0)
		}
		return
	}
	for i, v := range z {
		u := min(max(v*inv, 0), 1)
		out[i] = powT(u, q)*scale + max(v-r, 0)
	}
}

// sreluBackward sets out[i] = grad[i] srelu'(z[i]).
func sreluBackward[T float32 | float64](z, grad, out []T, q, rho float64) {
	inv := T(1 / rho)
	if q == 3 {
		for i, v := range z {
			u := min(max(v*inv, 0), 1)
			out[i] = grad[i] * u * u
		}
		return
	}
	for i, v := range z {
		u := min(max(v*inv, 0), 1)
		out[i] = grad[i] * powT(u, q-1)
	}
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
