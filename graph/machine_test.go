package graph

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
)

// The machine keeps every value between runs and lets ops write into them:
// a run must compute exactly what the first run did, for every kind of
// network and objective, or an op that accumulates into its result (as
// gorgonia's gradient of a slice does) would drift from run to run.
func TestMachineRunsAreRepeatable(t *testing.T) {
	t.Parallel()
	bin := partsData(t, dataset.Binary, 2, []int{3, 4}, []int{2, 5}, []int{4, 4})
	multi := partsData(t, dataset.Multiclass, 3, []int{3, 4}, []int{6})
	mixed := []EncoderConfig{patchEnc(3, 0.3), mlpEnc("tanh", true, 4), convEnc("relu", 2)}
	cases := []struct {
		name string
		ds   *dataset.Dataset
		mods []int
		mc   ModelConfig
		obj  Objective
	}{
		{"patch late", bin, []int{0}, partsModel("auto", lateFusion, mixed...), Objective{}},
		{"patch + mlp + conv late", bin, []int{0, 1, 2}, partsModel("auto", lateFusion, mixed...), Objective{}},
		{"concat, hidden", bin, []int{0, 1}, partsModel("auto", concatFusion("relu", 4), mixed...), Objective{}},
		{"softmax patch + mlp", multi, []int{0, 1}, partsModel("auto", lateFusion, patchEnc(3, 0.3), mlpEnc("relu", false, 5)), Objective{}},
		{"weighted terms (gblend, alternating)", bin, []int{0, 1}, partsModel("auto", lateFusion, mixed...), Objective{PerEncoder: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			net, err := NewNetwork(c.name, c.mods, c.ds, c.mc, 3)
			if err != nil {
				t.Fatal(err)
			}
			perturbBiases(net, 3)
			spec := programSpec{n: c.ds.Train.Len(), train: true, readPre: true, readEncs: true, classes: c.ds.Classes,
				inputs: make([][]float64, len(net.Encoders)), labels: c.ds.Train.Labels, objective: c.obj}
			for i, r := range net.Modalities {
				spec.inputs[i] = c.ds.Train.Inputs[r]
			}
			p, err := compile(net, spec)
			if err != nil {
				t.Fatal(err)
			}
			if p.weights != nil {
				copyInto(p.weights, []float64{0.5, 0.3, 0.2})
			}
			var first []float64
			for run := 0; run < 3; run++ {
				if err := p.run(); err != nil {
					t.Fatal(err)
				}
				got := []float64{scalar(p.loss)}
				for _, g := range p.grads {
					got = append(got, values(g)...)
				}
				if run == 0 {
					first = got
					continue
				}
				for i := range got {
					if got[i] != first[i] && !(math.IsNaN(got[i]) && math.IsNaN(first[i])) {
						t.Fatalf("run %d: value %d is %v, %v at the first run", run, i, got[i], first[i])
					}
				}
			}
		})
	}
}

// The gradient of a slice adds into its result: were the machine to hand it
// the result of the previous run, the gradient would grow run after run.
func TestMachineDoesNotReuseAccumulatingOps(t *testing.T) {
	t.Parallel()
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	head, err := G.Slice(w, G.S(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	sq, err := G.Square(head)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := G.Sum(sq)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := gradients(loss, G.Nodes{w})
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMachine(g.ExactSubgraphRoots(grads[0]))
	if err != nil {
		t.Fatal(err)
	}
	for run := 0; run < 3; run++ {
		if err := m.run(); err != nil {
			t.Fatal(err)
		}
		if got := m.value(grads[0]).Data().([]float64); !slices.Equal(got, []float64{2, 4, 0}) {
			t.Fatalf("run %d: gradient %v, want [2 4 0]", run, got)
		}
	}
}

// Evaluation in chunks gathers what one program over the whole split
// computes.
func TestEvaluatorMatchesWholeSplits(t *testing.T) {
	t.Parallel()
	// Samples of 20 patches of 6 values run in chunks of at most limit
	// samples: a training split of 2 limit - 1 samples runs in two chunks of
	// limit samples that overlap by one.
	limit := evalChunkValues / (20 * 6)
	syn := dataset.Synthetic{NTrain: 2*limit - 1, NVal: 7, NTest: 30}
	for r := 0; r < 2; r++ {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: 20, Dim: 6, Alpha: 1, Mu: 0.2, SigmaP: 0.5})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, dtype := range []string{"float64", "float32"} {
		mc := PaperModel(2, PatchConfig{Neurons: 3, Q: 3, Rho: 0.1, Sigma0: 0.3}, "gd", 1)
		mc.DType = dtype
		net, err := NewNetwork("joint", []int{0, 1}, ds, mc, 2)
		if err != nil {
			t.Fatal(err)
		}
		e, err := newEvaluator(net, ds)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(e.splits[0].starts); got != 2 {
			t.Fatalf("%s: the training split runs in %d chunks, want 2", dtype, got)
		}
		for k, ns := range ds.Splits() {
			if err := e.run(k, true); err != nil {
				t.Fatal(err)
			}
			spec := programSpec{n: ns.Split.Len(), classes: ds.Classes, inputs: make([][]float64, 2), readEncs: true, readPre: true, readContrib: true}
			for i, r := range net.Modalities {
				spec.inputs[i] = ns.Split.Inputs[r]
			}
			whole, err := compile(net, spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := whole.run(); err != nil {
				t.Fatal(err)
			}
			so := e.splits[k]
			same(t, dtype+" "+ns.Name+" scores", so.scores, values(whole.scores))
			for i := range net.Encoders {
				same(t, dtype+" "+ns.Name+" encoder scores", so.encoder[i], values(whole.encoder[i]))
				same(t, dtype+" "+ns.Name+" contributions", so.contrib[i], values(whole.contrib[i]))
				if ns.Name != "train" {
					continue
				}
				want := net.Encoders[i].(Memoriser).NoiseMemorisation(values(whole.pre[i]), ns.Split.Labels, ns.Split.SignalPatch[i])
				if !closeTo(so.memo[i], want, 1e-12, 0) {
					t.Errorf("%s: memorisation of encoder %d %v in chunks, %v whole", dtype, i, so.memo[i], want)
				}
			}
		}
	}
}

// same compares values that the same arithmetic computed, bit for bit.
func same(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: value %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// A warm training step allocates almost nothing: the machine keeps its
// values. (An allocation count, not a time: it does not depend on the
// machine the test runs on.)
func TestWarmStepAllocations(t *testing.T) {
	syn := dataset.Synthetic{NTrain: 50, NVal: 10, NTest: 10}
	for r := 0; r < 2; r++ {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: 5, Dim: 20, Alpha: 1, Mu: 0.2, SigmaP: 0.1})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, dtype := range []string{"float64", "float32"} {
		mc := PaperModel(2, PatchConfig{Neurons: 10, Q: 3, Rho: 0.1, Sigma0: 0.01}, "gd", 0.1)
		mc.DType = dtype
		net, err := NewNetwork("joint", []int{0, 1}, ds, mc, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := newTrainer(net, ds, TrainConfig{Steps: 1, LogEvery: 1}, Objective{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		st := tr.newStepState(naive{}, nil)
		step := 0
		allocs := testing.AllocsPerRun(20, func() {
			step++
			if _, diverged, err := tr.trainStep(naive{}, st, step); err != nil || diverged != "" {
				t.Fatal(err, diverged)
			}
		})
		if allocs > 20 {
			t.Errorf("%s: a warm joint step allocates %v times, want at most 20", dtype, allocs)
		}
	}
}
