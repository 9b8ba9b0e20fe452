package graph

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// program is a network compiled for a fixed batch: input tensors that the
// caller fills (or that alias a split's data), a TapeMachine, and the values
// it copies out on every run.
//
// Outputs are copied out with Read nodes into values that persist across
// runs: a TapeMachine reuses the memory of intermediate nodes (gorgonia issue
// 576), so reading a node's value after the run is not safe.
type program struct {
	vm     G.VM
	n      int
	inputs []*tensor.Dense // per encoder, shape InputShape(n)
	labels *tensor.Dense   // (n,) or nil for evaluation programs

	scores  G.Value   // fused scores
	encoder []G.Value // per encoder scores
	pre     []G.Value // per encoder pre-activations, nil entries when not read
	loss    G.Value   // training programs only
	grads   []G.Value // training programs only, one per Network.Params()
}

// programSpec says what to compile.
type programSpec struct {
	n        int
	inputs   [][]float64 // per encoder: data to alias (float64) or copy, nil to allocate
	labels   []float64   // nil for an evaluation program
	train    bool        // add the loss and its gradients
	readPre  bool        // read the encoders' pre-activations
	readEncs bool        // read each encoder's scores
}

func compile(net *Network, spec programSpec) (*program, error) {
	warmUpGorgonia.Do(warmUp)
	g := G.NewGraph()
	p := &program{n: spec.n, encoder: make([]G.Value, len(net.Encoders)), pre: make([]G.Value, len(net.Encoders))}
	dtype := net.Params()[0].Dtype()
	var roots G.Nodes
	var outs []*Output
	var params G.Nodes
	for i, enc := range net.Encoders {
		shape := enc.InputShape(spec.n)
		data := spec.inputs[i]
		if data == nil {
			data = make([]float64, shape.TotalSize())
		}
		if len(data) != shape.TotalSize() {
			return nil, fmt.Errorf("encoder %d: input holds %d values, want %v", i, len(data), shape)
		}
		in := newDense(dtype, shape, data)
		p.inputs = append(p.inputs, in)
		name := fmt.Sprintf("m%d", net.Modalities[i])
		x := G.NewTensor(g, dtype, len(shape), G.WithShape(shape...), G.WithValue(in), G.WithName(name+".x"))
		out, err := enc.Build(x, spec.n, name)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
		params = append(params, out.Params...)
		if spec.readEncs {
			roots = append(roots, G.Read(out.Scores, &p.encoder[i]))
		}
		if spec.readPre && out.PreActivations != nil {
			roots = append(roots, G.Read(out.PreActivations, &p.pre[i]))
		}
	}
	scores, fusionParams, err := net.Fusion.Fuse(outs, "fusion")
	if err != nil {
		return nil, err
	}
	params = append(params, fusionParams...)
	roots = append(roots, G.Read(scores, &p.scores))
	if spec.train {
		p.labels = newDense(dtype, tensor.Shape{spec.n}, spec.labels)
		y := G.NewVector(g, dtype, G.WithShape(spec.n), G.WithValue(p.labels), G.WithName("y"))
		loss, err := net.Loss.Build(scores, y)
		if err != nil {
			return nil, fmt.Errorf("loss: %w", err)
		}
		grads, err := G.Grad(loss, params...)
		if err != nil {
			return nil, fmt.Errorf("gradient: %w", err)
		}
		roots = append(roots, G.Read(loss, &p.loss))
		p.grads = make([]G.Value, len(grads))
		for i, gr := range grads {
			roots = append(roots, G.Read(gr, &p.grads[i]))
		}
	}
	// Compiling only what the roots need drops the gradients of the inputs,
	// which gorgonia's symbolic differentiation adds but training never reads.
	p.vm = G.NewTapeMachine(g.ExactSubgraphRoots(roots...))
	return p, nil
}

// warmUpGorgonia guards warmUp. Gorgonia hashes its shared constant nodes
// (the 1 that seeds every gradient) lazily, on the first symbolic
// differentiation in the process; networks compiled concurrently would race
// on that write. Differentiating once, first, avoids it.
var warmUpGorgonia sync.Once

func warmUp() {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		x := G.NewScalar(g, dt, G.WithName("x"))
		if y, err := G.Mul(x, x); err == nil {
			G.Grad(y, x)
		}
	}
}

// run executes the program once.
func (p *program) run() error {
	defer p.vm.Reset()
	return p.vm.RunAll()
}

func (p *program) close() { p.vm.Close() }

// scalar converts a scalar Value (a loss) to float64.
func scalar(v G.Value) float64 {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s)
	case *G.F32:
		return float64(*s)
	case *tensor.Dense:
		return float64s(s)[0]
	}
	panic(fmt.Sprintf("graph: loss value of type %T", v))
}

// values returns the float64 values of a tensor Value read out of a program.
func values(v G.Value) []float64 { return float64s(v.(*tensor.Dense)) }
