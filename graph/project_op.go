package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// projectOp computes Z = X Wᵀ: the pre-activation <w_k, x_i> of every neuron
// k (a row of W, (H, d)) on every row i of the data X, (N, d). It replaces
// Mul(X, W) for two reasons, both measured (see BenchmarkStep):
//
//   - With neurons as rows, the forward product is N·H dot products of
//     length d and the backward one H·N axpys of length d. Gorgonia's Mul on
//     a (d, H) matrix runs axpys of length H (20 to 60 here), which BLAS
//     kernels handle poorly.
//   - X is data: its gradient is never needed, so the Op does not offer one,
//     saving a third of the work of a step.
type projectOp struct{}

// projectGradOp computes dW = Gᵀ X, (H, d), from the upstream gradient G of
// Z, (N, H), and the data X.
type projectGradOp struct{}

// project adds Z = X Wᵀ to the graph of x (N, d) and w (H, d).
func project(x, w *G.Node) (*G.Node, error) { return G.ApplyOp(projectOp{}, x, w) }

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

func (op projectOp) Do(in ...G.Value) (G.Value, error) {
	x, w := in[0].(*tensor.Dense), in[1].(*tensor.Dense)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape()[0], w.Shape()[0]))
	return op.UsePreallocDo(out, in...)
}

func (projectOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, w, z := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	n, d, h := x.Shape()[0], x.Shape()[1], w.Shape()[0]
	if _, native := G.WhichBLAS().(gonum.Implementation); native {
		switch zd := z.Data().(type) {
		case []float64:
			projectRows(x.Data().([]float64), w.Data().([]float64), zd, d, gonum.Implementation{}.Ddot)
			return z, nil
		case []float32:
			projectRows(x.Data().([]float32), w.Data().([]float32), zd, d, gonum.Implementation{}.Sdot)
			return z, nil
		}
	}
	return z, gemm(blas.NoTrans, blas.Trans, n, h, d, x, d, w, d, z, h)
}

// DiffWRT: the data X has no gradient.
func (projectOp) DiffWRT(int) []bool { return []bool{false, true} }

func (projectOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dw, err := G.ApplyOp(projectGradOp{}, grad, in[0])
	if err != nil {
		return nil, err
	}
	return G.Nodes{nil, dw}, nil
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

func (op projectGradOp) Do(in ...G.Value) (G.Value, error) {
	g, x := in[0].(*tensor.Dense), in[1].(*tensor.Dense)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(g.Shape()[1], x.Shape()[1]))
	return op.UsePreallocDo(out, in...)
}

func (projectGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	g, x, dw := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	n, h, d := g.Shape()[0], g.Shape()[1], x.Shape()[1]
	if _, native := G.WhichBLAS().(gonum.Implementation); native {
		switch dwd := dw.Data().(type) {
		case []float64:
			projectGradRows(g.Data().([]float64), x.Data().([]float64), dwd, d, gonum.Implementation{}.Daxpy)
			return dw, nil
		case []float32:
			projectGradRows(g.Data().([]float32), x.Data().([]float32), dwd, d, gonum.Implementation{}.Saxpy)
			return dw, nil
		}
	}
	return dw, gemm(blas.Trans, blas.NoTrans, h, d, n, g, h, x, d, dw, d)
}

func (projectGradOp) DiffWRT(int) []bool { return []bool{false, false} }
func (projectGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("project': second derivatives are not implemented")
}

// With gonum's pure-Go BLAS, the products run row by row: one dot product
// (forward) or axpy (backward) of full length d per entry. gonum's Gemm cuts d
// into blocks of 64 and pays its overhead per block, which on these skinny
// shapes (H = 20 to 60 neurons) made it 1.4-1.5x slower (measured at
// n*P = 1000, d = 200, H = 20). A cgo BLAS (the openblas build tag) gets one
// Gemm call instead of thousands of small ones.

// projectRows sets z = x wᵀ for x (N, d), w (H, d), z (N, H).
func projectRows[T float32 | float64](x, w, z []T, d int, dot func(n int, x []T, incX int, y []T, incY int) T) {
	h := len(w) / d
	for i := 0; i < len(x)/d; i++ {
		xi := x[i*d : (i+1)*d]
		zi := z[i*h : (i+1)*h]
		for j := range zi {
			zi[j] = dot(d, xi, 1, w[j*d:(j+1)*d], 1)
		}
	}
}

// projectGradRows sets dw = gᵀ x for g (N, H), x (N, d), dw (H, d),
// skipping the zeros that the smoothed ReLU leaves in g.
func projectGradRows[T float32 | float64](g, x, dw []T, d int, axpy func(n int, alpha T, x []T, incX int, y []T, incY int)) {
	clear(dw)
	h := len(dw) / d
	for l := 0; l < len(x)/d; l++ {
		xl := x[l*d : (l+1)*d]
		for i, v := range g[l*h : (l+1)*h] {
			if v != 0 {
				axpy(d, v, xl, 1, dw[i*d:(i+1)*d], 1)
			}
		}
	}
}

// gemm computes C = op(A) op(B) for row-major m×n C with the BLAS gorgonia
// uses (G.Use), in the dtype of the operands.
func gemm(ta, tb blas.Transpose, m, n, k int, a *tensor.Dense, lda int, b *tensor.Dense, ldb int, c *tensor.Dense, ldc int) error {
	impl := G.WhichBLAS()
	switch cd := c.Data().(type) {
	case []float64:
		impl.Dgemm(ta, tb, m, n, k, 1, a.Data().([]float64), lda, b.Data().([]float64), ldb, 0, cd, ldc)
	case []float32:
		impl.Sgemm(ta, tb, m, n, k, 1, a.Data().([]float32), lda, b.Data().([]float32), ldb, 0, cd, ldc)
	default:
		return fmt.Errorf("gemm: unsupported data %T", cd)
	}
	return nil
}

// hashOf hashes an Op by its WriteHash.
func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
