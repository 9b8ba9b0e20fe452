package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

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
func (op sreluOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op sreluOp) String() string { return fmt.Sprintf("srelu(q=%v,rho=%v)", op.q, op.rho) }

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
		out := prealloc.Data().([]float64)
		for i, v := range z {
			out[i] = SmoothedReLU(v, op.q, op.rho)
		}
	case []float32:
		out := prealloc.Data().([]float32)
		q, rho := float32(op.q), float32(op.rho)
		for i, v := range z {
			out[i] = smoothedReLU32(v, q, rho)
		}
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
func (op sreluGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op sreluGradOp) String() string { return fmt.Sprintf("srelu'(q=%v,rho=%v)", op.q, op.rho) }

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
		grad, out := in[1].Data().([]float64), prealloc.Data().([]float64)
		for i, v := range z {
			out[i] = grad[i] * SmoothedReLUDeriv(v, op.q, op.rho)
		}
	case []float32:
		grad, out := in[1].Data().([]float32), prealloc.Data().([]float32)
		q, rho := float32(op.q), float32(op.rho)
		for i, v := range z {
			out[i] = grad[i] * smoothedReLUDeriv32(v, q, rho)
		}
	default:
		return nil, fmt.Errorf("srelu': unsupported data %T", z)
	}
	return prealloc, nil
}

func (op sreluGradOp) DiffWRT(inputs int) []bool { return []bool{false, false} }

func (op sreluGradOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("srelu': second derivatives are not implemented")
}
