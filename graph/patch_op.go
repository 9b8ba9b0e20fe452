package graph

import (
	"fmt"
	"hash"
	"slices"
	"unsafe"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/kernel"
)

// patchOp computes a patch encoder's class scores (model.go) in one Op:
//
//	z = X Wᵀ                                   (n*P, H): every patch on every neuron
//	F_c(X_i) = sum_p sum_j srelu(z[i*P+p, c*m+j])  per head c
//
// giving f_i = F_{+1} - F_{-1}, (n,), for paired heads and every F_c,
// (n, heads), otherwise. It works through the rows in blocks that stay in
// the cache from the product to the sum, and keeps only z, which the
// gradient needs: separate ops for the product, the smoothed ReLU and the
// sum held three more (n*P, H) tensors and read each from memory again.
//
// patchGradOp computes dL/dW from dL/dF and the z of the same run, block by
// block: dZ = dL/dF spread over the heads' neurons times srelu'(z), then
// dW += dZᵀ X over the block's rows.
type patchOp struct {
	patches, heads, neurons int
	paired                  bool
	q, rho                  float64
	// inputGrad offers the gradient of the input too, when the patches are
	// the output of a lower layer rather than data.
	inputGrad bool
	// state holds z and scratch memory; the gradient op and the
	// pre-activations op of the same encoder share it.
	state *patchState
}

type patchGradOp struct{ patchOp }

// patchInputGradOp computes dL/dX = dZ W from dL/dF and the z of the same
// run, block by block.
type patchInputGradOp struct{ patchOp }

// preActivationsOp reads the z of the last run of its patchOp, (n*P, H),
// for the noise-memorisation metric and the gradient checks. (Not embedded:
// it must not take the patchOp's UsePreallocDo.)
type preActivationsOp struct{ enc patchOp }

// patchState is the memory of one patch op, per dtype: its own z, and the
// scratch it shares with every patch op of its encoder.
type patchState struct {
	f64 patchBuffers[float64]
	f32 patchBuffers[float32]
}

// patchBuffers are z and the scratch of one dtype.
type patchBuffers[T kernel.Float] struct {
	z     []T
	zView *tensor.Dense // z as a tensor, for preActivationsOp
	*patchScratch[T]
}

// patchScratch is the memory an op needs only while it runs: one block of
// rows and the products' workspace. The graphs of one encoder (training,
// evaluation, probes) run one at a time, so their ops share one.
type patchScratch[T kernel.Float] struct {
	block []T
	ws    kernel.Workspace[T]
}

// patchScratches holds an encoder's scratch per dtype.
type patchScratches struct {
	f64 patchScratch[float64]
	f32 patchScratch[float32]
}

// patchBlockRows is about the number of rows of a block: its z and scratch,
// 2 × 256 × H values, stay in a core's L2 cache.
const patchBlockRows = 256

// patchScores adds the class scores of the encoder with neurons w (H, d) on
// the patches x (n*P, d) to x's graph, and the node of its pre-activations z,
// which a graph computes only when something reads it. inputGrad says that x
// is not data and needs its gradient.
func patchScores(x, w *G.Node, e *PatchEncoder, inputGrad bool) (scores, pre *G.Node, err error) {
	if e.scratch == nil {
		e.scratch = new(patchScratches)
	}
	state := &patchState{f64: patchBuffers[float64]{patchScratch: &e.scratch.f64},
		f32: patchBuffers[float32]{patchScratch: &e.scratch.f32}}
	op := patchOp{patches: e.Patches, heads: e.Heads, neurons: e.Neurons, paired: e.Paired,
		q: e.Q, rho: e.Rho, inputGrad: inputGrad, state: state}
	if scores, err = G.ApplyOp(op, x, w); err != nil {
		return nil, nil, err
	}
	if pre, err = G.ApplyOp(preActivationsOp{enc: op}, scores); err != nil {
		return nil, nil, err
	}
	return scores, pre, nil
}

// width is H, the neurons of all heads.
func (op patchOp) width() int { return op.heads * op.neurons }

// outputs is the number of scores per sample.
func (op patchOp) outputs() int {
	if op.paired {
		return 1
	}
	return op.heads
}

// scoreShape is the shape of the scores of n samples.
func (op patchOp) scoreShape(n int) tensor.Shape {
	if op.paired {
		return tensor.Shape{n}
	}
	return tensor.Shape{n, op.heads}
}

func (op patchOp) Arity() int { return 2 }
func (op patchOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, G.TensorType{Dims: len(op.scoreShape(1)), Of: a})
}
func (op patchOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, okx := in[0].(tensor.Shape)
	w, okw := in[1].(tensor.Shape)
	if !okx || !okw || len(x) != 2 || len(w) != 2 || x[1] != w[1] || x[0]%op.patches != 0 || w[0] != op.width() {
		return nil, fmt.Errorf("%v: patches %v and neurons %v, want (n*%d, d) and (%d, d)", op, in[0], in[1], op.patches, op.width())
	}
	return op.scoreShape(x[0] / op.patches), nil
}
func (op patchOp) ReturnsPtr() bool      { return false }
func (op patchOp) CallsExtern() bool     { return false }
func (op patchOp) OverwritesInput() int  { return -1 }
func (op patchOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%v", op) }
func (op patchOp) Hashcode() uint32      { return hashOf(op) }
func (op patchOp) String() string {
	return fmt.Sprintf("Σ srelu(X·Wᵀ)(P=%d, heads=%d, m=%d, paired=%v, q=%v, rho=%v)", op.patches, op.heads, op.neurons, op.paired, op.q, op.rho)
}
func (op patchOp) overwritesPrealloc() {}

func (op patchOp) Do(in ...G.Value) (G.Value, error) {
	x, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: input is %T, want a dense tensor", op, in[0])
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(op.scoreShape(x.Shape()[0]/op.patches)...))
	return op.UsePreallocDo(out, in...)
}

func (op patchOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, w, out := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	switch x.Dtype() {
	case tensor.Float64:
		patchForward(op, &op.state.f64, x.Float64s(), w.Float64s(), out.Float64s())
	case tensor.Float32:
		patchForward(op, &op.state.f32, x.Float32s(), w.Float32s(), out.Float32s())
	default:
		return nil, fmt.Errorf("%v: unsupported dtype %v", op, x.Dtype())
	}
	return out, nil
}

// DiffWRT: data X has no gradient.
func (op patchOp) DiffWRT(int) []bool { return []bool{op.inputGrad, true} }

func (op patchOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dw, err := G.ApplyOp(patchGradOp{op}, grad, in[0], in[1])
	if err != nil {
		return nil, err
	}
	if !op.inputGrad {
		return G.Nodes{nil, dw}, nil
	}
	dx, err := G.ApplyOp(patchInputGradOp{op}, grad, in[0], in[1])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, nil
}

func (op patchGradOp) Arity() int { return 3 }
func (op patchGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(G.TensorType{Dims: len(op.scoreShape(1)), Of: a}, m, m, m)
}
func (op patchGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	w, ok := in[2].(tensor.Shape)
	if !ok || len(w) != 2 {
		return nil, fmt.Errorf("%v: neurons %v, want (H, d)", op, in[2])
	}
	return w.Clone(), nil
}
func (op patchGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%v", op) }
func (op patchGradOp) Hashcode() uint32      { return hashOf(op) }
func (op patchGradOp) String() string        { return "∂W " + op.patchOp.String() }

func (op patchGradOp) Do(in ...G.Value) (G.Value, error) {
	w, ok := in[2].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: neurons are %T, want a dense tensor", op, in[2])
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(w.Dtype()), tensor.WithShape(w.Shape().Clone()...)), in...)
}

func (op patchGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	g, x, dw := in[0].(*tensor.Dense), in[1].(*tensor.Dense), prealloc.(*tensor.Dense)
	switch x.Dtype() {
	case tensor.Float64:
		patchBackward(op.patchOp, &op.state.f64, g.Float64s(), x.Float64s(), dw.Float64s())
	case tensor.Float32:
		patchBackward(op.patchOp, &op.state.f32, g.Float32s(), x.Float32s(), dw.Float32s())
	default:
		return nil, fmt.Errorf("%v: unsupported dtype %v", op, x.Dtype())
	}
	return dw, nil
}

func (op patchGradOp) DiffWRT(int) []bool { return []bool{false, false, false} }
func (op patchGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not implemented", op)
}

func (op patchInputGradOp) Arity() int    { return 3 }
func (op patchInputGradOp) Type() hm.Type { return patchGradOp(op).Type() }
func (op patchInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, ok := in[1].(tensor.Shape)
	if !ok || len(x) != 2 {
		return nil, fmt.Errorf("%v: patches %v, want (n*P, d)", op, in[1])
	}
	return x.Clone(), nil
}
func (op patchInputGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "∂X %v", op.patchOp) }
func (op patchInputGradOp) Hashcode() uint32      { return hashOf(op) }
func (op patchInputGradOp) String() string        { return "∂X " + op.patchOp.String() }

func (op patchInputGradOp) Do(in ...G.Value) (G.Value, error) {
	x, ok := in[1].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: patches are %T, want a dense tensor", op, in[1])
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...)), in...)
}

func (op patchInputGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	g, w, dx := in[0].(*tensor.Dense), in[2].(*tensor.Dense), prealloc.(*tensor.Dense)
	switch w.Dtype() {
	case tensor.Float64:
		patchInputBackward(op.patchOp, &op.state.f64, g.Float64s(), w.Float64s(), dx.Float64s())
	case tensor.Float32:
		patchInputBackward(op.patchOp, &op.state.f32, g.Float32s(), w.Float32s(), dx.Float32s())
	default:
		return nil, fmt.Errorf("%v: unsupported dtype %v", op, w.Dtype())
	}
	return dx, nil
}

func (op patchInputGradOp) DiffWRT(int) []bool { return []bool{false, false, false} }
func (op patchInputGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: second derivatives are not implemented", op)
}

func (op preActivationsOp) Arity() int { return 1 }
func (op preActivationsOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: len(op.enc.scoreShape(1)), Of: a}, G.TensorType{Dims: 2, Of: a})
}
func (op preActivationsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) == 0 {
		return nil, fmt.Errorf("%v: scores %v", op, in[0])
	}
	return tensor.Shape{s[0] * op.enc.patches, op.enc.width()}, nil
}
func (op preActivationsOp) ReturnsPtr() bool      { return true }
func (op preActivationsOp) CallsExtern() bool     { return false }
func (op preActivationsOp) OverwritesInput() int  { return -1 }
func (op preActivationsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "z of %v", op.enc) }
func (op preActivationsOp) Hashcode() uint32      { return hashOf(op) }
func (op preActivationsOp) String() string        { return "z of " + op.enc.String() }
func (op preActivationsOp) DiffWRT(int) []bool    { return []bool{false} }
func (op preActivationsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("%v: pre-activations are not differentiable", op)
}

// Do returns z as a tensor that shares the op's memory: valid, like every
// value of a run, until the next run.
func (op preActivationsOp) Do(in ...G.Value) (G.Value, error) {
	s, ok := in[0].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%v: scores are %T, want a dense tensor", op, in[0])
	}
	shape := tensor.Shape{s.Shape()[0] * op.enc.patches, op.enc.width()}
	switch s.Dtype() {
	case tensor.Float64:
		return op.enc.state.f64.view(shape), nil
	case tensor.Float32:
		return op.enc.state.f32.view(shape), nil
	}
	return nil, fmt.Errorf("%v: unsupported dtype %v", op, s.Dtype())
}

// view returns z as a tensor of the given shape, made again only when z has
// moved.
func (b *patchBuffers[T]) view(shape tensor.Shape) *tensor.Dense {
	if b.zView == nil || b.zView.Uintptr() != uintptr(unsafe.Pointer(unsafe.SliceData(b.z))) || !b.zView.Shape().Eq(shape) {
		b.zView = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b.z))
	}
	return b.zView
}

// blockRows is the number of rows of a block: whole samples, about
// patchBlockRows rows.
func (op patchOp) blockRows() int { return max(1, patchBlockRows/op.patches) * op.patches }

// patchForward sets out to the scores of the patches x, keeping z in b.
func patchForward[T kernel.Float](op patchOp, b *patchBuffers[T], x, w, out []T) {
	h := op.width()
	d := len(w) / h
	rows := len(x) / d
	b.z = slices.Grow(b.z[:0], rows*h)[:rows*h]
	block := op.blockRows()
	b.block = slices.Grow(b.block[:0], (block+1)*h)[:(block+1)*h]
	b.ws.PackNT(h, d, w, d)
	for r0 := 0; r0 < rows; r0 += block {
		r1 := min(rows, r0+block)
		z := b.z[r0*h : r1*h]
		b.ws.MulPackedNT(r1-r0, x[r0*d:], d, z, h)
		a, perNeuron := b.block[:len(z)], b.block[block*h:]
		kernel.SReLU(z, a, op.q, op.rho)
		for i := r0 / op.patches; i < r1/op.patches; i++ {
			sample := a[(i*op.patches-r0)*h : (i*op.patches-r0+op.patches)*h]
			sumHeads(op, sample, perNeuron, out[i*op.outputs():])
		}
	}
}

// sumHeads sets the scores of one sample from the activations a of its P
// rows: it sums the rows into perNeuron, (H,), then each head's neurons,
// F_{+1} - F_{-1} into out[0] for paired heads, F_c into out[c] otherwise.
// (Summing rows first keeps the additions independent of each other.)
func sumHeads[T kernel.Float](op patchOp, a, perNeuron, out []T) {
	h := op.width()
	copy(perNeuron, a[:h])
	for p := 1; p < op.patches; p++ {
		for j, v := range a[p*h : (p+1)*h] {
			perNeuron[j] += v
		}
	}
	headSum := func(c int) T {
		var sum T
		for _, v := range perNeuron[c*op.neurons : (c+1)*op.neurons] {
			sum += v
		}
		return sum
	}
	if op.paired {
		out[0] = headSum(0) - headSum(1)
		return
	}
	for c := 0; c < op.heads; c++ {
		out[c] = headSum(c)
	}
}

// spread sets row, dL/dA of one row of sample i, from g = dL/dF: s_c g_i
// on the neurons of head c for paired heads (s = +1, -1), g_{i,c} otherwise.
func spread[T kernel.Float](op patchOp, g []T, i int, row []T) {
	for c := 0; c < op.heads; c++ {
		var v T
		switch {
		case op.paired && c == 0:
			v = g[i]
		case op.paired:
			v = -g[i]
		default:
			v = g[i*op.heads+c]
		}
		head := row[c*op.neurons : (c+1)*op.neurons]
		for j := range head {
			head[j] = v
		}
	}
}

// patchBackward sets dw = dL/dW from g = dL/dF and the z kept by the forward
// pass of the same run.
func patchBackward[T kernel.Float](op patchOp, b *patchBuffers[T], g, x, dw []T) {
	h := op.width()
	d := len(dw) / h
	rows := len(x) / d
	block := op.blockRows()
	for r0 := 0; r0 < rows; r0 += block {
		r1 := min(rows, r0+block)
		dz := b.blockGrad(op, g, r0, r1)
		kernel.MulTN(h, d, r1-r0, dz, h, x[r0*d:], d, dw, d, r0 > 0, &b.ws)
	}
}

// patchInputBackward sets dx = dL/dX = dZ W from g = dL/dF and the z kept by
// the forward pass of the same run.
func patchInputBackward[T kernel.Float](op patchOp, b *patchBuffers[T], g, w, dx []T) {
	h := op.width()
	d := len(w) / h
	rows := len(dx) / d
	block := op.blockRows()
	b.ws.PackNN(d, h, w, d)
	for r0 := 0; r0 < rows; r0 += block {
		r1 := min(rows, r0+block)
		dz := b.blockGrad(op, g, r0, r1)
		b.ws.MulPackedNT(r1-r0, dz, h, dx[r0*d:], d)
	}
}

// blockGrad returns dZ = dL/dZ of rows r0 to r1 in the block scratch: g
// spread over the heads' neurons, times srelu'(z).
func (b *patchBuffers[T]) blockGrad(op patchOp, g []T, r0, r1 int) []T {
	h := op.width()
	dz := b.block[:(r1-r0)*h]
	for r := r0; r < r1; r++ {
		spread(op, g, r/op.patches, dz[(r-r0)*h:(r-r0+1)*h])
	}
	kernel.SReLUGrad(b.z[r0*h:r1*h], dz, dz, op.q, op.rho)
	return dz
}
