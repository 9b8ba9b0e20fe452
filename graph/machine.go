package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// machine runs a Gorgonia graph, node by node in topological order, as
// gorgonia's TapeMachine does, but keeps every node's value from one run to
// the next: an op writes its result into the memory of its previous result
// (UsePreallocDo), so a warm training step allocates nothing for its
// tensors. A TapeMachine drops all its registers on Reset (since gorgonia
// PR #467), which made every step allocate each intermediate anew.
//
// A node's value stays valid, and is safe to read, until the next run.
type machine struct {
	steps  []machineStep
	values []G.Value       // per node of the graph, in topological order
	index  map[*G.Node]int // node -> its position in values
	args   []G.Value       // scratch for the arguments of one op
}

// machineStep computes the value of one op node from its arguments.
type machineStep struct {
	node *G.Node
	op   G.Op
	out  int   // index of the node's value
	args []int // indices of the argument values, in the op's order
	// reuse says the next run writes into the last result (see canReuse).
	reuse bool
}

// newMachine prepares g for running. Nodes without an op (inputs and
// constants) must be bound to their values, which the machine reads in
// place: writing into an input tensor between runs changes what the next
// run computes.
func newMachine(g *G.ExprGraph) (*machine, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("sorting the graph: %w", err)
	}
	m := &machine{values: make([]G.Value, len(sorted)), index: make(map[*G.Node]int, len(sorted))}
	// G.Sort puts every node before its arguments; run them the other way.
	for i := range sorted {
		n := sorted[len(sorted)-1-i]
		m.index[n] = i
		args := g.From(n.ID())
		if n.Op() == nil || args.Len() == 0 {
			if n.Value() == nil {
				return nil, fmt.Errorf("input %v has no value", n)
			}
			m.values[i] = n.Value()
			continue
		}
		st := machineStep{node: n, op: n.Op(), out: i}
		for args.Next() {
			a, ok := m.index[args.Node().(*G.Node)]
			if !ok {
				return nil, fmt.Errorf("%v: an argument is not computed before it", n)
			}
			st.args = append(st.args, a)
		}
		m.steps = append(m.steps, st)
		if len(st.args) > len(m.args) {
			m.args = make([]G.Value, len(st.args))
		}
	}
	return m, nil
}

// run computes every op node once.
func (m *machine) run() error {
	for k := range m.steps {
		st := &m.steps[k]
		args := m.args[:len(st.args)]
		for i, a := range st.args {
			args[i] = m.values[a]
		}
		var v G.Value
		var err error
		if st.reuse {
			v, err = st.op.(G.UsePreallocDoer).UsePreallocDo(m.values[st.out], args...)
		} else {
			v, err = st.op.Do(args...)
			st.reuse = canReuse(st.op, v, args)
		}
		if err != nil {
			return fmt.Errorf("%v: %w", st.node, err)
		}
		m.values[st.out] = v
	}
	return nil
}

// value returns the value of n computed by the last run, nil for a node not
// in the graph.
func (m *machine) value(n *G.Node) G.Value {
	i, ok := m.index[n]
	if !ok {
		return nil
	}
	return m.values[i]
}

// reuser is an op of this package whose UsePreallocDo overwrites every
// value of its preallocated result.
type reuser interface{ overwritesPrealloc() }

// gorgoniaReusers are the ops of gorgonia whose UsePreallocDo overwrites a
// preallocated tensor (through tensor.WithReuse). Others may not: the
// gradient of a slice adds into it, which would accumulate over runs.
var gorgoniaReusers = map[string]bool{"gorgonia.elemBinOp": true, "gorgonia.linAlgBinOp": true}

// canReuse says whether the next run of op may write into its result v: the
// op overwrites a preallocated result (ours, or gorgonia's listed ones, whose
// scalar results it cannot take), and v is memory of its own, not an
// argument or a view of an argument's memory (a reshape).
func canReuse(op G.Op, v G.Value, args []G.Value) bool {
	if _, ok := op.(G.UsePreallocDoer); !ok {
		return false
	}
	if _, ours := op.(reuser); !ours {
		if _, dense := v.(*tensor.Dense); !dense || !gorgoniaReusers[fmt.Sprintf("%T", op)] {
			return false
		}
	}
	for _, a := range args {
		if a != nil && a.Uintptr() == v.Uintptr() {
			return false
		}
	}
	return true
}

// set makes the input node n read v, of n's shape and dtype, from the next
// run on.
func (m *machine) set(n *G.Node, v *tensor.Dense) error {
	i, ok := m.index[n]
	if !ok {
		return fmt.Errorf("%v is not in the machine's graph", n)
	}
	for _, st := range m.steps {
		if st.out == i {
			return fmt.Errorf("%v is computed, not an input", n)
		}
	}
	if !v.Shape().Eq(n.Shape()) || v.Dtype() != n.Dtype() {
		return fmt.Errorf("%v: value of shape %v and dtype %v, want %v and %v", n, v.Shape(), v.Dtype(), n.Shape(), n.Dtype())
	}
	m.values[i] = v
	return nil
}
