package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// program is a network compiled for a fixed batch: input tensors that the
// caller fills (or that alias a split's data), a machine that runs the graph,
// and the values it reads out on every run. A value read out stays valid
// until the next run, which overwrites it.
type program struct {
	m      *machine
	reads  []read
	xs     []*G.Node // per encoder, the input node
	n      int
	inputs []*tensor.Dense // per encoder, shape InputShape(n)
	labels *tensor.Dense   // the loss's target; training programs only

	scores   G.Value   // fused scores
	encoder  []G.Value // per encoder scores, when read
	pre      []G.Value // per encoder pre-activations, nil entries when not read
	features []G.Value // per encoder features, when read
	contrib  []G.Value // per encoder contribution to the scores, nil entries when not read
	loss     G.Value   // training programs only
	grads    []G.Value // training programs only, one per Network.Params()
	// weights of the loss terms and the teachers' scores, when the training
	// objective has more than the fused loss (see Objective)
	weights  *tensor.Dense
	teachers []*tensor.Dense
}

// read says that a run sets *into to the value of node.
type read struct {
	node *G.Node
	into *G.Value
}

// read adds node to the outputs of p, read into *into after every run.
func (p *program) read(node *G.Node, into *G.Value) {
	p.reads = append(p.reads, read{node, into})
}

// programSpec says what to compile.
type programSpec struct {
	n      int
	inputs [][]float64 // per encoder: data to alias (float64) or copy, nil to allocate
	// bound, when set, holds per encoder the input tensor to read in place,
	// of the network's dtype (views of a split's chunks); it takes the
	// place of inputs.
	bound        []*tensor.Dense
	labels       []float64 // nil for an evaluation program
	classes      int
	train        bool // add the loss and its gradients
	readPre      bool // read the encoders' pre-activations
	readEncs     bool // read each encoder's own scores (late fusion)
	readContrib  bool // read each encoder's contribution to the fused scores
	readFeatures bool // read each encoder's features
	objective    Objective
	teachers     [][]float64 // per encoder, the teacher's scores of the batch (Objective.Distill)
}

func compile(net *Network, spec programSpec) (*program, error) {
	g := G.NewGraph()
	k := len(net.Encoders)
	p := &program{n: spec.n, encoder: make([]G.Value, k), pre: make([]G.Value, k),
		features: make([]G.Value, k), contrib: make([]G.Value, k)}
	dtype := net.Params()[0].Dtype()
	var outs []*Output
	var params G.Nodes
	usesHeads := net.usesHeads()
	for i, enc := range net.Encoders {
		shape := enc.InputShape(spec.n)
		var in *tensor.Dense
		if spec.bound != nil {
			in = spec.bound[i]
			if !in.Shape().Eq(shape) || in.Dtype() != dtype {
				return nil, fmt.Errorf("encoder %d: input tensor of shape %v and dtype %v, want %v and %v", i, in.Shape(), in.Dtype(), shape, dtype)
			}
		} else {
			data := spec.inputs[i]
			if data == nil {
				data = make([]float64, shape.TotalSize())
			}
			if len(data) != shape.TotalSize() {
				return nil, fmt.Errorf("encoder %d: input holds %d values, want %v", i, len(data), shape)
			}
			in = newDense(dtype, shape, data)
		}
		p.inputs = append(p.inputs, in)
		name := fmt.Sprintf("m%d", net.Modalities[i])
		x := G.NewTensor(g, dtype, len(shape), G.WithShape(shape...), G.WithValue(in), G.WithName(name+".x"))
		p.xs = append(p.xs, x)
		out, err := enc.Build(x, spec.n, name)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
		params = append(params, out.Body...)
		if usesHeads {
			params = append(params, out.Head...)
			if spec.readEncs {
				p.read(out.Scores, &p.encoder[i])
			}
		}
		if spec.readPre && out.PreActivations != nil {
			p.read(out.PreActivations, &p.pre[i])
		}
		if spec.readFeatures {
			p.read(out.Features, &p.features[i])
		}
	}
	fused, err := net.Fusion.Fuse(outs, "fusion")
	if err != nil {
		return nil, err
	}
	params = append(params, fused.Params...)
	p.read(fused.Scores, &p.scores)
	if spec.readContrib {
		for i, c := range fused.Contributions {
			if c != nil {
				p.read(c, &p.contrib[i])
			}
		}
	}
	if spec.train {
		target, shape := net.Loss.Target(spec.labels, spec.classes)
		p.labels = newDense(dtype, shape, target)
		y := G.NewTensor(g, dtype, len(shape), G.WithShape(shape...), G.WithValue(p.labels), G.WithName("y"))
		loss, err := net.Loss.Build(fused.Scores, y)
		if err != nil {
			return nil, fmt.Errorf("loss: %w", err)
		}
		if loss, err = p.objective(net, spec, outs, y, loss); err != nil {
			return nil, fmt.Errorf("loss: %w", err)
		}
		grads, err := gradients(loss, params)
		if err != nil {
			return nil, fmt.Errorf("gradient: %w", err)
		}
		p.read(loss, &p.loss)
		p.grads = make([]G.Value, len(grads))
		for i, gr := range grads {
			p.read(gr, &p.grads[i])
		}
	}
	// Compiling only what the outputs need drops the gradients of the
	// inputs, which gorgonia's symbolic differentiation adds but training
	// never reads.
	roots := make(G.Nodes, len(p.reads))
	for i, r := range p.reads {
		roots[i] = r.node
	}
	if p.m, err = newMachine(g.ExactSubgraphRoots(roots...)); err != nil {
		return nil, err
	}
	return p, nil
}

// objective returns the training loss of a method's Objective: the fused
// loss alone, or the weighted sum
//
//	w_0 L(f, y) + sum_r w_{1+r} L(f_r, y) + sum_r w_{1+K+r} mean |f_r - t_r|²
//
// of the terms it has, with the weights an input the method sets each step.
func (p *program) objective(net *Network, spec programSpec, outs []*Output, y, fusedLoss *G.Node) (*G.Node, error) {
	obj := spec.objective
	if !obj.PerEncoder && !obj.Distill {
		return fusedLoss, nil
	}
	g := fusedLoss.Graph()
	dtype := net.Params()[0].Dtype()
	terms := G.Nodes{fusedLoss}
	if obj.PerEncoder {
		for i, o := range outs {
			l, err := net.Loss.Build(o.Scores, y)
			if err != nil {
				return nil, fmt.Errorf("encoder %d: %w", i, err)
			}
			terms = append(terms, l)
		}
	}
	if obj.Distill {
		for i, o := range outs {
			shape := o.Scores.Shape().Clone()
			if len(spec.teachers[i]) != shape.TotalSize() {
				return nil, fmt.Errorf("encoder %d: teacher scores hold %d values, want %v", i, len(spec.teachers[i]), shape)
			}
			t := newDense(dtype, shape, spec.teachers[i])
			p.teachers = append(p.teachers, t)
			tn := G.NewTensor(g, dtype, len(shape), G.WithShape(shape...), G.WithValue(t), G.WithName(fmt.Sprintf("teacher%d", i)))
			d, err := G.Sub(o.Scores, tn)
			if err == nil {
				d, err = G.Square(d)
			}
			if err == nil {
				d, err = G.Mean(d)
			}
			if err != nil {
				return nil, fmt.Errorf("encoder %d: distillation: %w", i, err)
			}
			terms = append(terms, d)
		}
	}
	p.weights = newDense(dtype, tensor.Shape{len(terms)}, make([]float64, len(terms)))
	w := G.NewVector(g, dtype, G.WithShape(len(terms)), G.WithValue(p.weights), G.WithName("term weights"))
	var total *G.Node
	for i, term := range terms {
		wi, err := G.Slice(w, G.S(i))
		if err != nil {
			return nil, err
		}
		weighted, err := G.Mul(wi, term)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = weighted
		} else if total, err = G.Add(total, weighted); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// gradients differentiates the scalar loss with respect to params. It is
// G.Grad with a seed dL/dL = 1 made in the loss's own graph: G.Grad adds one
// process-wide constant node to every graph, and graphs compiled
// concurrently race on that node (its hash is computed lazily, on first use).
func gradients(loss *G.Node, params G.Nodes) (G.Nodes, error) {
	dtype, ok := loss.Type().(tensor.Dtype)
	if !ok {
		return nil, fmt.Errorf("loss of type %v, want a scalar", loss.Type())
	}
	var one any = 1.0
	if dtype == tensor.Float32 {
		one = float32(1)
	}
	seed := G.NewScalar(loss.Graph(), dtype, G.WithValue(one), G.WithName("dL/dL"))
	return G.Backpropagate(G.Nodes{loss}, G.Nodes{seed}, params)
}

// bind makes the next runs read inputs, one per encoder, in place of the
// program's own input tensors.
func (p *program) bind(inputs []*tensor.Dense) error {
	for i, x := range p.xs {
		if err := p.m.set(x, inputs[i]); err != nil {
			return fmt.Errorf("encoder %d: %w", i, err)
		}
	}
	return nil
}

// run executes the program once and reads out its values.
func (p *program) run() error {
	if err := p.m.run(); err != nil {
		return err
	}
	for _, r := range p.reads {
		*r.into = p.m.value(r.node)
	}
	return nil
}

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
