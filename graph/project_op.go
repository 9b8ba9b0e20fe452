package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/kernel"
)

// projectOp computes Z = X Wᵀ: the pre-activation <w_k, x_i> of every neuron
// k (a row of W, (H, d)) on every row i of the data X, (N, d), for the patch
// encoder's features (its scores go through patchOp, which also applies the
// smoothed ReLU and sums). It replaces Mul(X, W) because
//
//   - with neurons as rows, the product and its gradient run in the register
//     tiles of package kernel, several times faster than gonum's on these
//     skinny shapes (H = 20 to 60 neurons), whichever BLAS gorgonia uses;
//   - X is data: its gradient is never needed, so the Op does not offer one,
//     saving a third of the work of a step.
type projectOp struct {
	ws *projectWorkspace
	// inputGrad offers the gradient of X too, when X is the output of a
	// lower layer rather than data.
	inputGrad bool
}

// projectGradOp computes dW = Gᵀ X, (H, d), from the upstream gradient G of
// Z, (N, H), and the data X.
type projectGradOp struct{ ws *projectWorkspace }

// projectInputGradOp computes dX = G W, (N, d), from G, (N, H), and W,
// (H, d).
type projectInputGradOp struct{ ws *projectWorkspace }

// projectWorkspace is the scratch memory of one projection and its gradient.
type projectWorkspace struct {
	f64 kernel.Workspace[float64]
	f32 kernel.Workspace[float32]
}

// project adds Z = X Wᵀ to the graph of x (N, d) and w (H, d); inputGrad
// says that x is not data and needs its gradient.
func project(x, w *G.Node, inputGrad bool) (*G.Node, error) {
	return G.ApplyOp(projectOp{ws: new(projectWorkspace), inputGrad: inputGrad}, x, w)
}

func (projectOp) Arity() int { return 2 }
func (projectOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(m, m, m)
}
func (projectOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, okx := in[0].(tensor.Shape)
	w, okw := in[1].(tensor.Shape)
	if !okx || !okw || len(x) != 2 || len(w) != 2 || x[1] != w[1] {
		return nil, fmt.Errorf("project: data %v and neurons %v, want (N, d) and (H, d)", in[0], in[1])
	}
	return tensor.Shape{x[0], w[0]}, nil
}
func (projectOp) ReturnsPtr() bool      { return false }
func (projectOp) CallsExtern() bool     { return false }
func (projectOp) OverwritesInput() int  { return -1 }
func (projectOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "project") }
func (op projectOp) Hashcode() uint32   { return hashOf(op) }
func (projectOp) String() string        { return "X·Wᵀ" }
func (projectOp) overwritesPrealloc()   {}

func (op projectOp) Do(in ...G.Value) (G.Value, error) {
	x, w := in[0].(*tensor.Dense), in[1].(*tensor.Dense)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape()[0], w.Shape()[0]))
	return op.UsePreallocDo(out, in...)
}

func (op projectOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, w, z := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	n, d, h := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	switch x.Dtype() {
	case tensor.Float64:
		kernel.MulNT(n, h, d, x.Float64s(), d, w.Float64s(), d, z.Float64s(), h, &op.ws.f64)
	case tensor.Float32:
		kernel.MulNT(n, h, d, x.Float32s(), d, w.Float32s(), d, z.Float32s(), h, &op.ws.f32)
	default:
		return nil, fmt.Errorf("project: unsupported dtype %v", x.Dtype())
	}
	return z, nil
}

// DiffWRT: data X has no gradient.
func (op projectOp) DiffWRT(int) []bool { return []bool{op.inputGrad, true} }

func (op projectOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dw, err := G.ApplyOp(projectGradOp{op.ws}, grad, in[0])
	if err != nil {
		return nil, err
	}
	if !op.inputGrad {
		return G.Nodes{nil, dw}, nil
	}
	dx, err := G.ApplyOp(projectInputGradOp{op.ws}, grad, in[1])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, nil
}

func (projectGradOp) Arity() int { return 2 }
func (projectGradOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(m, m, m)
}
func (projectGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, okg := in[0].(tensor.Shape)
	x, okx := in[1].(tensor.Shape)
	if !okg || !okx || len(g) != 2 || len(x) != 2 || g[0] != x[0] {
		return nil, fmt.Errorf("project': gradient %v and data %v, want (N, H) and (N, d)", in[0], in[1])
	}
	return tensor.Shape{g[1], x[1]}, nil
}
func (projectGradOp) ReturnsPtr() bool      { return false }
func (projectGradOp) CallsExtern() bool     { return false }
func (projectGradOp) OverwritesInput() int  { return -1 }
func (projectGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "project'") }
func (op projectGradOp) Hashcode() uint32   { return hashOf(op) }
func (projectGradOp) String() string        { return "Gᵀ·X" }
func (projectGradOp) overwritesPrealloc()   {}

func (op projectGradOp) Do(in ...G.Value) (G.Value, error) {
	g, x := in[0].(*tensor.Dense), in[1].(*tensor.Dense)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(g.Shape()[1], x.Shape()[1]))
	return op.UsePreallocDo(out, in...)
}

func (op projectGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	g, x, dw := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	n, h, d := g.Shape()[0], g.Shape()[1], x.Shape()[1]
	switch x.Dtype() {
	case tensor.Float64:
		kernel.MulTN(h, d, n, g.Float64s(), h, x.Float64s(), d, dw.Float64s(), d, false, &op.ws.f64)
	case tensor.Float32:
		kernel.MulTN(h, d, n, g.Float32s(), h, x.Float32s(), d, dw.Float32s(), d, false, &op.ws.f32)
	default:
		return nil, fmt.Errorf("project': unsupported dtype %v", x.Dtype())
	}
	return dw, nil
}

func (projectGradOp) DiffWRT(int) []bool { return []bool{false, false} }
func (projectGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("project': second derivatives are not implemented")
}

func (projectInputGradOp) Arity() int { return 2 }
func (projectInputGradOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(m, m, m)
}
func (projectInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, okg := in[0].(tensor.Shape)
	w, okw := in[1].(tensor.Shape)
	if !okg || !okw || len(g) != 2 || len(w) != 2 || g[1] != w[0] {
		return nil, fmt.Errorf("∂X project: gradient %v and neurons %v, want (N, H) and (H, d)", in[0], in[1])
	}
	return tensor.Shape{g[0], w[1]}, nil
}
func (projectInputGradOp) ReturnsPtr() bool      { return false }
func (projectInputGradOp) CallsExtern() bool     { return false }
func (projectInputGradOp) OverwritesInput() int  { return -1 }
func (projectInputGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "project∂X") }
func (op projectInputGradOp) Hashcode() uint32   { return hashOf(op) }
func (projectInputGradOp) String() string        { return "G·W" }
func (projectInputGradOp) overwritesPrealloc()   {}

func (op projectInputGradOp) Do(in ...G.Value) (G.Value, error) {
	g, w := in[0].(*tensor.Dense), in[1].(*tensor.Dense)
	out := tensor.New(tensor.Of(w.Dtype()), tensor.WithShape(g.Shape()[0], w.Shape()[1]))
	return op.UsePreallocDo(out, in...)
}

func (op projectInputGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	g, w, dx := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	n, h, d := g.Shape()[0], g.Shape()[1], w.Shape()[1]
	switch w.Dtype() {
	case tensor.Float64:
		op.ws.f64.PackNN(d, h, w.Float64s(), d)
		op.ws.f64.MulPackedNT(n, g.Float64s(), h, dx.Float64s(), d)
	case tensor.Float32:
		op.ws.f32.PackNN(d, h, w.Float32s(), d)
		op.ws.f32.MulPackedNT(n, g.Float32s(), h, dx.Float32s(), d)
	default:
		return nil, fmt.Errorf("∂X project: unsupported dtype %v", w.Dtype())
	}
	return dx, nil
}

func (projectInputGradOp) DiffWRT(int) []bool { return []bool{false, false} }
func (projectInputGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("∂X project: second derivatives are not implemented")
}

// hashOf hashes an Op by its WriteHash.
func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
