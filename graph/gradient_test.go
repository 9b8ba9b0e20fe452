package graph

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/rng"
)

// gradDataset is a tiny three-modality dataset with different patch counts
// and dimensions per modality, so that a mix-up of shapes or of the order of
// encoders cannot go unnoticed.
func gradDataset(t *testing.T) *dataset.Dataset {
	t.Helper()
	syn := dataset.Synthetic{
		Modalities: []dataset.SyntheticModality{
			{Patches: 3, Dim: 8, Alpha: 1, Beta: 0.2, Mu: 0.3, SigmaP: 0.3},
			{Patches: 2, Dim: 12, Alpha: 0.8, Beta: 0.1, Mu: 0.2, SigmaP: 0.3},
			{Patches: 3, Dim: 16, Alpha: 0.6, Beta: 0, Mu: 0.1, SigmaP: 0.25},
		},
		NTrain: 20, NVal: 2, NTest: 2,
	}
	ds, err := syn.Generate(11)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// gradModel is the paper's patch encoder with m = 3 neurons per class and
// rho = 0.1. sigma0 = 0.3 is far above the paper's 0.01 on purpose: with
// patches of norm about 1 the pre-activations <w, x_p> are then about
// N(0, 0.3²), so roughly half sit below 0, a seventh in the polynomial part
// (0, rho) and a third in the linear part above rho, and the finite
// differences exercise all three branches of the smoothed ReLU (the test
// checks that each region holds at least 5% of them and at least 20).
func gradModel(q float64, dtype string) ModelConfig {
	mc := PaperModel(3, PatchConfig{Neurons: 3, Q: q, Rho: 0.1, Sigma0: 0.3}, "gd", 1)
	mc.DType = dtype
	return mc
}

// compileTrainStep compiles net's full-batch training program on ds.Train the
// way newTrainer does, also reading the pre-activations.
func compileTrainStep(t *testing.T, net *Network, ds *dataset.Dataset) *program {
	t.Helper()
	spec := programSpec{n: ds.Train.Len(), train: true, readPre: true, classes: ds.Classes,
		inputs: make([][]float64, len(net.Encoders)), labels: ds.Train.Labels}
	for i, r := range net.Modalities {
		spec.inputs[i] = ds.Train.Inputs[r]
	}
	p, err := compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// referenceScores computes, without gorgonia, the score f_r(X_i) of every
// encoder of net on every sample of split:
// f_r = sum_{p, j} srelu(<w_{+1,j}, x_p>) - srelu(<w_{-1,j}, x_p>).
func referenceScores(net *Network, split *dataset.Split) [][]float64 {
	n := split.Len()
	out := make([][]float64, len(net.Encoders))
	for i, r := range net.Modalities {
		e := net.Encoders[i].(*PatchEncoder)
		w := float64s(e.W)
		cols := e.Heads * e.Neurons
		x := split.Inputs[r]
		f := make([]float64, n)
		for s := 0; s < n; s++ {
			for p := 0; p < e.Patches; p++ {
				patch := x[(s*e.Patches+p)*e.Dim : (s*e.Patches+p+1)*e.Dim]
				for j := 0; j < cols; j++ {
					z := 0.0
					for k, v := range patch {
						z += w[j*e.Dim+k] * v
					}
					a := SmoothedReLU(z, e.Q, e.Rho)
					if j >= e.Neurons {
						a = -a
					}
					f[s] += a
				}
			}
		}
		out[i] = f
	}
	return out
}

// referenceLoss is the paper's loss of net on split computed from
// referenceScores: (1/n) sum_i log(1 + exp(-y_i sum_r f_r(X_i))).
func referenceLoss(net *Network, split *dataset.Split) float64 {
	scores := referenceScores(net, split)
	loss := 0.0
	for s, y := range split.Labels {
		f := 0.0
		for _, fr := range scores {
			f += fr[s]
		}
		loss += softplus(-y * f)
	}
	return loss / float64(split.Len())
}

func TestLossGradientMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	ds := gradDataset(t)
	tests := []struct {
		name       string
		modalities []int
		q          float64
	}{
		{"uni-modal m1 q=3", []int{1}, 3},
		{"uni-modal m2 q=2.5", []int{2}, 2.5},
		{"joint m0+m1 q=3", []int{0, 1}, 3},
		{"joint m2+m0+m1 q=4", []int{2, 0, 1}, 4},
		{"joint m0+m1+m2 q=2.5", []int{0, 1, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			net, err := NewNetwork(tt.name, tt.modalities, ds, gradModel(tt.q, "float64"), 5)
			if err != nil {
				t.Fatal(err)
			}
			checkGradient(t, net, ds)
		})
	}
}

func checkGradient(t *testing.T, net *Network, ds *dataset.Dataset) {
	t.Helper()
	const (
		h   = 1e-5 // central differences: error O(h²) ~ 1e-10, rounding ~ 1e-16/h
		rel = 1e-6
		abs = 1e-10 // for entries whose gradient is (nearly) zero
	)
	p := compileTrainStep(t, net, ds)
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	params := net.Params()
	if len(p.grads) != len(params) {
		t.Fatalf("%d gradients for %d weight tensors", len(p.grads), len(params))
	}
	loss := scalar(p.loss)
	if want := referenceLoss(net, ds.Train); !closeTo(loss, want, 1e-12, 0) {
		t.Fatalf("graph loss %v, reference loss %v", loss, want)
	}

	// Where the pre-activations sit: every region of srelu must be exercised.
	var below, poly, linear int
	for i, e := range net.Encoders {
		rho := e.(*PatchEncoder).Rho
		for _, z := range values(p.pre[i]) {
			switch {
			case z < 0:
				below++
			case z < rho:
				poly++
			default:
				linear++
			}
		}
	}
	total := below + poly + linear
	t.Logf("pre-activations: %d below 0, %d in (0, rho), %d above rho", below, poly, linear)
	for _, c := range []int{below, poly, linear} {
		if c < total/20 || c < 20 {
			t.Fatalf("a region of the smoothed ReLU holds only %d of %d pre-activations", c, total)
		}
	}

	analytic := make([][]float64, len(params))
	pre := make([][]float64, len(params))
	for i, g := range p.grads {
		if !g.Shape().Eq(params[i].Shape()) {
			t.Fatalf("gradient %d has shape %v, weights %v", i, g.Shape(), params[i].Shape())
		}
		analytic[i] = append([]float64(nil), values(g)...)
		pre[i] = append([]float64(nil), values(p.pre[i])...)
	}

	lossAt := func() float64 {
		if err := p.run(); err != nil {
			t.Fatal(err)
		}
		return scalar(p.loss)
	}
	var checked, skipped, nonzero int
	worst := 0.0
	for i, param := range params {
		e := net.Encoders[i].(*PatchEncoder)
		w := param.Data().([]float64)
		cols := e.Heads * e.Neurons
		x := ds.Train.Inputs[net.Modalities[i]]
		rows := len(x) / e.Dim
		for k := range w {
			row, col := k/cols, k%cols
			// Moving w[k] by ±h moves z[s, col] by ±h·x[s, row]; skip the
			// entry if that crosses a kink of srelu, where the second
			// derivative jumps and central differences lose their O(h²).
			crosses := false
			for s := 0; s < rows && !crosses; s++ {
				z, dz := pre[i][s*cols+col], 2*h*math.Abs(x[s*e.Dim+row])
				crosses = math.Abs(z) <= dz || math.Abs(z-e.Rho) <= dz
			}
			if crosses {
				skipped++
				continue
			}
			orig := w[k]
			w[k] = orig + h
			lp := lossAt()
			w[k] = orig - h
			lm := lossAt()
			w[k] = orig
			fd := (lp - lm) / (2 * h)
			got := analytic[i][k]
			if !closeTo(got, fd, rel, abs) {
				t.Errorf("weights %d (modality %d) entry %d (dim %d, neuron %d): gradient %.12g, finite difference %.12g",
					i, net.Modalities[i], k, row, col, got, fd)
			}
			if got != 0 {
				nonzero++
				worst = math.Max(worst, math.Abs(got-fd)/math.Abs(got))
			}
			checked++
		}
	}
	t.Logf("%d entries checked, %d skipped at a kink, %d non-zero; worst relative error %.2g", checked, skipped, nonzero, worst)
	if skipped > checked/20 {
		t.Errorf("%d entries skipped at a kink, %d checked", skipped, checked)
	}
	if nonzero < checked/2 {
		t.Errorf("only %d of %d gradient entries are non-zero: the check is too weak", nonzero, checked)
	}
	// The perturbations must leave the weights as they were.
	if after := lossAt(); after != loss {
		t.Errorf("loss %v after the finite differences, %v before", after, loss)
	}
}

func TestFloat32GradientAgreesWithFloat64(t *testing.T) {
	t.Parallel()
	ds := gradDataset(t)
	for _, mods := range [][]int{{0}, {1, 2}, {0, 1, 2}} {
		t.Run(fmt.Sprint(mods), func(t *testing.T) {
			net64, err := NewNetwork("n", mods, ds, gradModel(3, "float64"), 9)
			if err != nil {
				t.Fatal(err)
			}
			net32, err := NewNetwork("n", mods, ds, gradModel(3, "float32"), 9)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range net32.Params() {
				w32 := w.Data().([]float32)
				for k, v := range net64.Params()[i].Data().([]float64) {
					if w32[k] != float32(v) {
						t.Fatalf("float32 weights %d entry %d = %v, want float32(%v)", i, k, w32[k], v)
					}
				}
			}
			p64, p32 := compileTrainStep(t, net64, ds), compileTrainStep(t, net32, ds)
			for _, p := range []*program{p64, p32} {
				if err := p.run(); err != nil {
					t.Fatal(err)
				}
			}
			if l32, l64 := scalar(p32.loss), scalar(p64.loss); !closeTo(l32, l64, 1e-5, 0) {
				t.Errorf("float32 loss %v, float64 loss %v", l32, l64)
			}
			worst := 0.0
			for i := range p64.grads {
				g64, g32 := values(p64.grads[i]), values(p32.grads[i])
				scale := 0.0
				for _, v := range g64 {
					scale = math.Max(scale, math.Abs(v))
				}
				if scale == 0 {
					t.Fatalf("gradient %d is zero", i)
				}
				for k := range g64 {
					// Relative 1e-3, with a floor of 1e-6 of the tensor's
					// largest entry for entries near zero.
					if !closeTo(g32[k], g64[k], 1e-3, 1e-6*scale) {
						t.Errorf("gradient %d entry %d: float32 %v, float64 %v", i, k, g32[k], g64[k])
					}
					if g64[k] != 0 {
						worst = math.Max(worst, math.Abs(g32[k]-g64[k])/math.Abs(g64[k]))
					}
				}
			}
			t.Logf("worst relative difference %.2g", worst)
		})
	}
}

// The forward pass on hand-made weights: alignment, noise memorisation and
// the pooling of a multi-class encoder.

func TestPatchEncoderAlignment(t *testing.T) {
	t.Parallel()
	// d = 2, m = 2, binary: rows are w_{+1,0}, w_{+1,1}, w_{-1,0}, w_{-1,1};
	// the second coordinate is orthogonal to v.
	e := &PatchEncoder{PatchConfig: PatchConfig{Neurons: 2, Q: 3, Rho: 0.1}, Patches: 1, Dim: 2, Heads: 2, Paired: true,
		W: newDense(dtypes["float64"], []int{4, 2}, []float64{
			0.5, 9,
			-1, 9,
			2, 9,
			-0.25, 9,
		})}
	v := []float64{1, 0}
	// Head +1: max(0.5, -1) = 0.5. Head -1 aligns with -v: max(-2, 0.25) = 0.25.
	if got := e.AppendAlignment(nil, v); !reflect.DeepEqual(got, []float64{0.5, 0.25}) {
		t.Errorf("binary alignment %v, want [0.5 0.25]", got)
	}
	// Three heads of one neuron each: every head is compared with +v.
	e3 := &PatchEncoder{PatchConfig: PatchConfig{Neurons: 1, Q: 3, Rho: 0.1}, Patches: 1, Dim: 2, Heads: 3,
		W: newDense(dtypes["float32"], []int{3, 2}, []float64{0.5, 0, -1, 0, 2, 0})}
	if got := e3.AppendAlignment(nil, v); !reflect.DeepEqual(got, []float64{0.5, -1, 2}) {
		t.Errorf("3-head alignment %v, want [0.5 -1 2]", got)
	}
}

func TestPatchEncoderNoiseMemorisation(t *testing.T) {
	t.Parallel()
	e := &PatchEncoder{PatchConfig: PatchConfig{Neurons: 2}, Patches: 3, Heads: 2, Paired: true}
	// Pre-activations of 2 samples x 3 patches, 4 neurons (+1, +1, -1, -1).
	pre := []float64{
		// sample 0 (y = +1, signal at patch 1): own neurons are columns 0, 1
		1, 2, 50, 50, // patch 0
		99, 99, 99, 99, // patch 1: the signal, ignored
		3, -1, 50, 50, // patch 2
		// sample 1 (y = -1, signal at patch 0): own neurons are columns 2, 3
		99, 99, 99, 99,
		50, 50, -4, -5,
		50, 50, -7, -6,
	}
	got := e.NoiseMemorisation(pre, []float64{1, -1}, []int{1, 0})
	if want := (3 + -4) / 2.0; got != want {
		t.Errorf("noise memorisation %v, want %v", got, want)
	}
}

func TestPatchEncoderMultiClassScores(t *testing.T) {
	t.Parallel()
	const n, heads = 4, 3
	cfg := PatchConfig{Neurons: 2, Q: 3, Rho: 0.1, Sigma0: 0.5}
	e := NewPatchEncoder(cfg, 2, 5, heads, dtypes["float64"], rng.New(1, "test"))
	x := make([]float64, n*e.Patches*e.Dim)
	src := rng.New(2, "test")
	for i := range x {
		x[i] = src.NormFloat64()
	}
	g := G.NewGraph()
	xn := G.NewTensor(g, tensor.Float64, 2, G.WithShape(e.InputShape(n)...), G.WithValue(newDense(tensor.Float64, e.InputShape(n), x)))
	out, err := e.Build(xn, n, "enc")
	if err != nil {
		t.Fatal(err)
	}
	var scores G.Value
	G.Read(out.Scores, &scores)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if !scores.Shape().Eq(tensor.Shape{n, heads}) {
		t.Fatalf("scores of shape %v, want (%d, %d)", scores.Shape(), n, heads)
	}
	w := float64s(e.W)
	got := values(scores)
	for s := 0; s < n; s++ {
		for c := 0; c < heads; c++ {
			want := 0.0
			for p := 0; p < e.Patches; p++ {
				for j := c * cfg.Neurons; j < (c+1)*cfg.Neurons; j++ {
					z := 0.0
					for k := 0; k < e.Dim; k++ {
						z += w[j*e.Dim+k] * x[(s*e.Patches+p)*e.Dim+k]
					}
					want += SmoothedReLU(z, cfg.Q, cfg.Rho)
				}
			}
			if !closeTo(got[s*heads+c], want, 1e-12, 0) {
				t.Errorf("sample %d head %d: score %v, want F_c = %v", s, c, got[s*heads+c], want)
			}
		}
	}
}

func TestLogisticLossEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scores, labels []float64
		loss, acc      float64
	}{
		{[]float64{0}, []float64{1}, math.Ln2, 0}, // a zero score counts as wrong
		{[]float64{2, -3}, []float64{1, -1}, (math.Log1p(math.Exp(-2)) + math.Log1p(math.Exp(-3))) / 2, 1},
		{[]float64{2, 3}, []float64{1, -1}, (math.Log1p(math.Exp(-2)) + 3 + math.Log1p(math.Exp(-3))) / 2, 0.5},
		{[]float64{1000, -1000}, []float64{-1, -1}, 1000 / 2.0, 0.5}, // no overflow
		{[]float64{-800, 800}, []float64{-1, 1}, 0, 1},
	}
	for _, tt := range tests {
		loss, acc := LogisticLoss{}.Evaluate(tt.scores, tt.labels)
		if !closeTo(loss, tt.loss, 1e-14, 1e-300) || acc != tt.acc {
			t.Errorf("Evaluate(%v, %v) = %v, %v; want %v, %v", tt.scores, tt.labels, loss, acc, tt.loss, tt.acc)
		}
	}
}
