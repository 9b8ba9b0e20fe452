package graph

// Tests of the swappable parts: MLP and conv encoders, concatenation fusion,
// the softmax and squared losses. Their gradients are checked against finite
// differences of the graph's own loss, and their forward passes against
// computations without gorgonia.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/rng"
)

// labelFunc gives a sample its label from its inputs, one slice per
// modality; src is for label noise.
type labelFunc func(x [][]float64, src *rand.Rand) float64

// handData makes a dataset by hand: modalities of the given sample shapes
// with N(0, 1) inputs, sizes[0], [1] and [2] samples in the train, val and
// test splits, drawn from streams of seed, and labels from label.
func handData(t testing.TB, task dataset.Task, classes int, shapes [][]int, sizes [3]int, seed uint64, label labelFunc) *dataset.Dataset {
	t.Helper()
	ds, err := makeHandData(task, classes, shapes, sizes, seed, label)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func makeHandData(task dataset.Task, classes int, shapes [][]int, sizes [3]int, seed uint64, label labelFunc) (*dataset.Dataset, error) {
	ds := &dataset.Dataset{Task: task, Classes: classes}
	for r, s := range shapes {
		ds.Modalities = append(ds.Modalities, dataset.Modality{Name: fmt.Sprintf("m%d", r), Shape: s})
	}
	var splits []*dataset.Split
	for k, n := range sizes {
		src := rng.New(seed, fmt.Sprintf("handData/%d", k))
		sp := &dataset.Split{Inputs: make([][]float64, len(shapes)), Labels: make([]float64, n)}
		for i := 0; i < n; i++ {
			x := make([][]float64, len(shapes))
			for r, m := range ds.Modalities {
				x[r] = make([]float64, m.Size())
				for j := range x[r] {
					x[r][j] = src.NormFloat64()
				}
				sp.Inputs[r] = append(sp.Inputs[r], x[r]...)
			}
			sp.Labels[i] = label(x, src)
		}
		splits = append(splits, sp)
	}
	ds.Train, ds.Val, ds.Test = splits[0], splits[1], splits[2]
	return ds, ds.Validate()
}

// randomLabels draws labels valid for the task, unrelated to the inputs.
func randomLabels(task dataset.Task, classes int) labelFunc {
	return func(_ [][]float64, src *rand.Rand) float64 {
		switch task {
		case dataset.Binary:
			return float64(2*src.IntN(2) - 1)
		case dataset.Multiclass:
			return float64(src.IntN(classes))
		}
		return src.NormFloat64()
	}
}

// Configurations of the parts, trained by gd with learning rate 0.1 unless
// a test says otherwise. q and rho are set for the srelu activation.

func mlpEnc(activation string, perPatch bool, hidden ...int) EncoderConfig {
	return EncoderConfig{Kind: "mlp", Optimizer: "gd", LR: 0.1, PatchConfig: PatchConfig{Q: 3, Rho: 0.1},
		MLP: MLPConfig{Hidden: hidden, Activation: activation, PerPatch: perPatch, Scale: 1}}
}

func convEnc(activation string, channels ...int) EncoderConfig {
	return EncoderConfig{Kind: "conv", Optimizer: "gd", LR: 0.1, PatchConfig: PatchConfig{Q: 3, Rho: 0.1},
		Conv: ConvConfig{Channels: channels, Kernel: 3, Activation: activation, Scale: 1, Input: ConvInputAuto}}
}

// convPatchEnc is convEnc reading (P, d) samples as P patches of d channels.
func convPatchEnc(activation string, channels ...int) EncoderConfig {
	e := convEnc(activation, channels...)
	e.Conv.Input = ConvInputPatch
	return e
}

func patchEnc(neurons int, sigma0 float64) EncoderConfig {
	return EncoderConfig{Kind: "patch", Optimizer: "gd", LR: 0.1,
		PatchConfig: PatchConfig{Neurons: neurons, Q: 3, Rho: 0.1, Sigma0: sigma0}}
}

// deepPatchEnc is patchEnc with depth-1 hidden layers of width units.
func deepPatchEnc(neurons int, sigma0 float64, depth, width int) EncoderConfig {
	e := patchEnc(neurons, sigma0)
	e.Depth, e.Width = depth, width
	return e
}

var lateFusion = FusionConfig{Kind: "late"}

func concatFusion(activation string, hidden ...int) FusionConfig {
	return FusionConfig{Kind: "concat", Hidden: hidden, Activation: activation, Scale: 1, Optimizer: "gd", LR: 0.1}
}

func partsModel(loss string, fusion FusionConfig, encoders ...EncoderConfig) ModelConfig {
	return ModelConfig{Encoders: encoders, Fusion: fusion, Loss: loss, DType: "float64"}
}

// perturbBiases adds N(0, 0.1²) to every bias (every weight vector) of net:
// biases start at 0, and a ReLU unit whose inputs are all 0 would then sit
// exactly at its kink, where no finite difference is meaningful.
func perturbBiases(net *Network, seed uint64) {
	src := rng.New(seed, "perturbBiases")
	for _, p := range net.Params() {
		if p.Dims() != 1 {
			continue
		}
		w := p.Data().([]float64)
		for k := range w {
			w[k] += 0.1 * src.NormFloat64()
		}
	}
}

// checkProgramGradient compares every entry of the gradient that the
// training program p computes for params with a central finite difference
// of the loss p computes. Where they disagree, a second difference with
// step 2h tells a wrong gradient (both differences agree, and their
// extrapolation to step 0 does not match) from a perturbation that crosses
// a kink of the loss (a ReLU, the smoothed ReLU's second derivative at 0
// and rho, the choice of a max pooling), where they do not; such entries
// are skipped, and they must be rare. At least a fraction minNonzero of the
// gradient entries must be non-zero, or the check is too weak.
func checkProgramGradient(t *testing.T, p *program, params []*tensor.Dense, minNonzero float64) {
	t.Helper()
	const (
		h   = 1e-5 // central differences: error O(h²) ~ 1e-10, rounding ~ 1e-16/h
		rel = 1e-6
		abs = 1e-10 // for entries whose gradient is (nearly) zero
	)
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	if len(p.grads) != len(params) {
		t.Fatalf("%d gradients for %d weight tensors", len(p.grads), len(params))
	}
	loss := scalar(p.loss)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		t.Fatalf("loss %v", loss)
	}
	analytic := make([][]float64, len(params))
	for i, g := range p.grads {
		if !g.Shape().Eq(params[i].Shape()) {
			t.Fatalf("gradient %d has shape %v, weights %v", i, g.Shape(), params[i].Shape())
		}
		analytic[i] = append([]float64(nil), values(g)...)
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
		w := param.Data().([]float64)
		for k := range w {
			orig := w[k]
			diff := func(step float64) float64 {
				w[k] = orig + step
				lp := lossAt()
				w[k] = orig - step
				lm := lossAt()
				w[k] = orig
				return (lp - lm) / (2 * step)
			}
			got, fd := analytic[i][k], diff(h)
			if !closeTo(got, fd, rel, abs) {
				fd2 := diff(2 * h)
				if !closeTo(fd2, fd, rel, abs) {
					skipped++
					continue
				}
				// Smooth but curved: Richardson's extrapolation cancels the
				// O(h²) error of the difference.
				if extrapolated := (4*fd - fd2) / 3; !closeTo(got, extrapolated, rel, abs) {
					t.Errorf("weights %d %v entry %d: gradient %.12g, finite difference %.12g", i, param.Shape(), k, got, extrapolated)
				}
				fd = (4*fd - fd2) / 3
			}
			if got != 0 {
				nonzero++
				worst = math.Max(worst, math.Abs(got-fd)/math.Abs(got))
			}
			checked++
		}
	}
	t.Logf("loss %.4g; %d entries checked, %d skipped at a kink, %d non-zero; worst relative error %.2g", loss, checked, skipped, nonzero, worst)
	if skipped > checked/20 {
		t.Errorf("%d entries skipped at a kink, %d checked", skipped, checked)
	}
	if float64(nonzero) < minNonzero*float64(checked) {
		t.Errorf("only %d of %d gradient entries are non-zero: the check is too weak", nonzero, checked)
	}
	if after := lossAt(); after != loss {
		t.Errorf("loss %v after the finite differences, %v before", after, loss)
	}
}

// gradCase is a network whose gradient is checked.
type gradCase struct {
	name string
	ds   *dataset.Dataset
	mods []int
	mc   ModelConfig
}

// runGradCases checks the gradient of each case; a fraction minNonzero of
// the entries of each must be non-zero.
func runGradCases(t *testing.T, minNonzero float64, cases []gradCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			net, err := NewNetwork(c.name, c.mods, c.ds, c.mc, 3)
			if err != nil {
				t.Fatal(err)
			}
			perturbBiases(net, 3)
			checkProgramGradient(t, compileTrainStep(t, net, c.ds), net.Params(), minNonzero)
		})
	}
}

// partsData are the small datasets of the gradient checks: 12 training
// samples with random labels.
func partsData(t testing.TB, task dataset.Task, classes int, shapes ...[]int) *dataset.Dataset {
	return handData(t, task, classes, shapes, [3]int{12, 2, 2}, 21, randomLabels(task, classes))
}

func TestMLPEncoderGradient(t *testing.T) {
	t.Parallel()
	// Patches (P, d) = (3, 4): read per patch or flattened to 12 values.
	ds := partsData(t, dataset.Binary, 2, []int{3, 4})
	var cases []gradCase
	for _, perPatch := range []bool{false, true} {
		input := map[bool]string{false: "flat", true: "per-patch"}[perPatch]
		cases = append(cases, gradCase{input + " no hidden layer", ds, []int{0},
			partsModel("auto", lateFusion, mlpEnc("linear", perPatch))})
		for _, act := range []string{"relu", "tanh", "linear", "srelu"} {
			for _, hidden := range [][]int{{5}, {5, 4}} {
				cases = append(cases, gradCase{fmt.Sprintf("%s %s %v", input, act, hidden), ds, []int{0},
					partsModel("auto", lateFusion, mlpEnc(act, perPatch, hidden...))})
			}
		}
	}
	runGradCases(t, 0.5, cases)
}

func TestConvEncoderGradient(t *testing.T) {
	t.Parallel()
	// Images (H, W) and (C, H, W). One or two layers pool 4 x 4, 5 x 5
	// (odd) and 8 x 8 images to 2 x 2 maps, and 6 x 6 to 3 x 3 and 1 x 1;
	// three layers pool 4 x 4 to 2 x 2, then 1 x 1, then no more. Biases,
	// of which the conv encoder has none, are the head's.
	ds := partsData(t, dataset.Binary, 2, []int{4, 4}, []int{2, 8, 8}, []int{2, 5, 5}, []int{6, 6}, []int{2, 6, 6})
	images := func(r int, enc EncoderConfig) ModelConfig {
		encs := slices.Repeat([]EncoderConfig{convEnc("tanh", 2)}, len(ds.Modalities))
		encs[r] = enc
		return partsModel("auto", lateFusion, encs...)
	}
	runGradCases(t, 0.5, []gradCase{
		{"(H, W) one layer tanh", ds, []int{0}, images(0, convEnc("tanh", 3))},
		{"(H, W) one layer relu", ds, []int{0}, images(0, convEnc("relu", 3))},
		{"(C, H, W) two layers relu", ds, []int{1}, images(1, convEnc("relu", 3, 2))},
		{"(C, H, W) two layers tanh", ds, []int{1}, images(1, convEnc("tanh", 2, 3))},
		{"(C, H, W) two layers linear", ds, []int{1}, images(1, convEnc("linear", 2, 2))},
		{"(C, H, W) two layers srelu", ds, []int{1}, images(1, convEnc("srelu", 3, 2))},
		{"odd 5 x 5 one layer relu", ds, []int{2}, images(2, convEnc("relu", 3))},
		{"joint (H, W) + (C, H, W)", ds, []int{0, 2}, images(0, convEnc("relu", 2))},
		// Last maps 3 x 3 and 1 x 1.
		{"(H, W) 6 x 6 one layer tanh", ds, []int{3}, images(3, convEnc("tanh", 3))},
		{"(H, W) 6 x 6 two layers relu", ds, []int{3}, images(3, convEnc("relu", 3, 2))},
		{"(C, H, W) 6 x 6 one layer relu", ds, []int{4}, images(4, convEnc("relu", 3))},
		{"odd 5 x 5 two layers relu", ds, []int{2}, images(2, convEnc("relu", 2, 2))},
	})
	// Patches (P, d) = (3, 4) and (5, 2) read as d channels along P, 3 x 1
	// kernels, no pooling (the image is P x 1).
	patches := partsData(t, dataset.Binary, 2, []int{3, 4}, []int{5, 2})
	runGradCases(t, 0.5, []gradCase{
		{"patches one layer srelu", patches, []int{0}, partsModel("auto", lateFusion, convPatchEnc("srelu", 3), convPatchEnc("srelu", 2))},
		{"patches two layers relu", patches, []int{1}, partsModel("auto", lateFusion, convPatchEnc("relu", 2), convPatchEnc("relu", 3, 2))},
		{"patches joint tanh", patches, []int{0, 1}, partsModel("auto", lateFusion, convPatchEnc("tanh", 3), convPatchEnc("tanh", 2, 2))},
	})
	// On the 1 x 1 map only the centre of the third layer's 3 x 3 filters
	// meets data: 32 of their 36 entries have no gradient.
	runGradCases(t, 0.4, []gradCase{
		{"three layers down to 1 x 1", ds, []int{0}, images(0, convEnc("tanh", 2, 2, 2))},
	})
}

func TestFusionGradient(t *testing.T) {
	t.Parallel()
	ds := partsData(t, dataset.Binary, 2, []int{3, 4}, []int{2, 5}, []int{4, 4})
	mixed := []EncoderConfig{patchEnc(3, 0.3), mlpEnc("tanh", true, 4), convEnc("tanh", 2)}
	runGradCases(t, 0.5, []gradCase{
		{"late patch + mlp", ds, []int{0, 1}, partsModel("auto", lateFusion, mixed...)},
		{"late mlp + patch + conv", ds, []int{1, 0, 2}, partsModel("auto", lateFusion, mixed...)},
		{"concat patch + mlp", ds, []int{0, 1}, partsModel("auto", concatFusion("relu"), mixed...)},
		{"concat mlp + conv, hidden tanh", ds, []int{1, 2}, partsModel("auto", concatFusion("tanh", 4), mixed...)},
		{"concat patch + mlp + conv, hidden relu", ds, []int{0, 1, 2}, partsModel("auto", concatFusion("relu", 5, 3), mixed...)},
		{"concat uni-modal mlp, hidden linear", ds, []int{1}, partsModel("auto", concatFusion("linear", 3), mixed...)},
		{"concat over a linear mlp without hidden layers", ds, []int{1, 0},
			partsModel("auto", concatFusion("tanh"), patchEnc(3, 0.3), mlpEnc("relu", false), convEnc("tanh", 2))},
	})
}

// The deeper patch encoder: blocks h + V srelu(U h) below the paper's heads,
// alone, jointly and under concatenation, binary and multi-class. V starts
// at 0, where U has no gradient: the check moves V and U away from their
// initial values so that every weight has a gradient and the units' inputs
// span every region of the smoothed ReLU.
func TestDeepPatchEncoderGradient(t *testing.T) {
	t.Parallel()
	bin := partsData(t, dataset.Binary, 2, []int{3, 4}, []int{2, 5})
	multi := partsData(t, dataset.Multiclass, 3, []int{3, 4}, []int{2, 5})
	var cases []gradCase
	for _, depth := range []int{2, 3} {
		deep := []EncoderConfig{deepPatchEnc(3, 0.3, depth, 5), deepPatchEnc(2, 0.3, depth, 4)}
		cases = append(cases,
			gradCase{fmt.Sprintf("depth %d alone", depth), bin, []int{0}, partsModel("auto", lateFusion, deep...)},
			gradCase{fmt.Sprintf("depth %d joint", depth), bin, []int{0, 1}, partsModel("auto", lateFusion, deep...)},
			gradCase{fmt.Sprintf("depth %d softmax", depth), multi, []int{0, 1}, partsModel("auto", lateFusion, deep...)},
			gradCase{fmt.Sprintf("depth %d concat", depth), bin, []int{0, 1}, partsModel("auto", concatFusion("tanh"), deep...)},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			net, err := NewNetwork(c.name, c.mods, c.ds, c.mc, 3)
			if err != nil {
				t.Fatal(err)
			}
			perturbBiases(net, 3)
			src := rng.New(4, "blocks")
			for _, enc := range net.Encoders {
				for _, b := range enc.(*PatchEncoder).Blocks {
					for k, u := range b.U.Data().([]float64) {
						b.U.Data().([]float64)[k] = 8 * u
					}
					for k := range b.V.Data().([]float64) {
						b.V.Data().([]float64)[k] = 0.3 * src.NormFloat64()
					}
				}
			}
			checkProgramGradient(t, compileTrainStep(t, net, c.ds), net.Params(), 0.9)
		})
	}
}

func TestLossGradient(t *testing.T) {
	t.Parallel()
	multi := partsData(t, dataset.Multiclass, 3, []int{3, 4}, []int{6})
	reg := partsData(t, dataset.Regression, 0, []int{3, 4}, []int{6})
	encs := []EncoderConfig{mlpEnc("tanh", true, 4), mlpEnc("tanh", false, 5)}
	runGradCases(t, 0.5, []gradCase{
		{"softmax patch encoder", multi, []int{0}, partsModel("softmax", lateFusion, patchEnc(3, 0.3), encs[1])},
		{"softmax late mlp", multi, []int{0, 1}, partsModel("auto", lateFusion, encs...)},
		{"softmax late patch + mlp", multi, []int{0, 1}, partsModel("auto", lateFusion, patchEnc(3, 0.3), encs[1])},
		{"softmax concat, hidden", multi, []int{0, 1}, partsModel("softmax", concatFusion("tanh", 4), encs...)},
		{"mse late mlp", reg, []int{0, 1}, partsModel("mse", lateFusion, encs...)},
		{"mse late patch + mlp", reg, []int{1, 0}, partsModel("auto", lateFusion, patchEnc(3, 0.3), encs[1])},
		{"mse concat", reg, []int{0, 1}, partsModel("auto", concatFusion("relu"), encs...)},
	})
}

// The losses' Evaluate against hand-computed values.
func TestSoftmaxAndSquaredLossEvaluate(t *testing.T) {
	t.Parallel()
	lse := func(v ...float64) float64 {
		s := 0.0
		for _, x := range v {
			s += math.Exp(x)
		}
		return math.Log(s)
	}
	loss, acc := SoftmaxLoss{}.Evaluate([]float64{1, 2, 3, 0, 0, 5, 7, -1, 2}, []float64{2, 0, 0})
	wantLoss := (lse(1, 2, 3) - 3 + lse(0, 0, 5) - 0 + lse(7, -1, 2) - 7) / 3
	if !closeTo(loss, wantLoss, 1e-14, 0) || acc != 2.0/3 {
		t.Errorf("softmax: loss %v, accuracy %v; want %v, 2/3", loss, acc, wantLoss)
	}
	// No overflow with huge scores.
	if loss, acc := (SoftmaxLoss{}).Evaluate([]float64{1000, 0, -1000}, []float64{1}); !closeTo(loss, 1000, 1e-12, 0) || acc != 0 {
		t.Errorf("softmax of huge scores: loss %v, accuracy %v; want 1000, 0", loss, acc)
	}
	// Mean squared error and R² = 1 - SS_res/SS_tot.
	loss, r2 := SquaredLoss{}.Evaluate([]float64{1, 2, 4}, []float64{1, 3, 5})
	if mean := 3.0; !closeTo(loss, 2.0/3, 1e-14, 0) || !closeTo(r2, 1-2/((1-mean)*(1-mean)+(5-mean)*(5-mean)), 1e-14, 0) {
		t.Errorf("mse: loss %v, R² %v; want 2/3, 0.75", loss, r2)
	}
	if _, r2 := (SquaredLoss{}).Evaluate([]float64{3, 3}, []float64{3, 3}); r2 != 0 {
		t.Errorf("mse on constant labels: R² %v, want 0", r2)
	}
	// Targets: one-hot rows for the softmax, the labels for mse.
	v, shape := SoftmaxLoss{}.Target([]float64{2, 0}, 3)
	if fmt.Sprint(v, shape) != "[0 0 1 1 0 0] (2, 3)" {
		t.Errorf("softmax target %v %v", v, shape)
	}
	if v, shape := (SquaredLoss{}).Target([]float64{0.5, -2}, 0); fmt.Sprint(v, shape) != "[0.5 -2] (2)" {
		t.Errorf("mse target %v %v", v, shape)
	}
}

// activate is the reference of the activations.
func activate(name string, z, q, rho float64) float64 {
	switch name {
	case "relu":
		return math.Max(z, 0)
	case "tanh":
		return math.Tanh(z)
	case "srelu":
		return SmoothedReLU(z, q, rho)
	}
	return z
}

// referenceLinear is y = x W + b for x of rows rows.
func referenceLinear(l *linear, x []float64, rows int) []float64 {
	w, b := float64s(l.W), float64s(l.B)
	in, out := l.W.Shape()[0], l.W.Shape()[1]
	y := make([]float64, rows*out)
	for i := 0; i < rows; i++ {
		for o := 0; o < out; o++ {
			s := b[o]
			for k := 0; k < in; k++ {
				s += x[i*in+k] * w[k*out+o]
			}
			y[i*out+o] = s
		}
	}
	return y
}

// referenceMLP computes an MLP encoder's features (n, h) and scores (n,
// outputs) on x of n samples without gorgonia.
func referenceMLP(e *MLPEncoder, x []float64, n int) (features, scores []float64) {
	h, rows := x, n*e.rows
	for _, l := range e.layers {
		h = referenceLinear(l, h, rows)
		for k, z := range h {
			h[k] = activate(e.cfg.Activation, z, e.q, e.rho)
		}
	}
	width := e.FeatureWidth()
	features = make([]float64, n*width)
	for s := 0; s < n; s++ {
		for p := 0; p < e.rows; p++ {
			for c := 0; c < width; c++ {
				features[s*width+c] += h[(s*e.rows+p)*width+c]
			}
		}
	}
	return features, referenceLinear(e.head, features, n)
}

// referenceConv computes a conv encoder's features (n, channels) and scores
// on x of n samples: same-size cross-correlations with zero padding, the
// activation, 2 x 2 max pooling, the global average and the head.
func referenceConv(e *ConvEncoder, x []float64, n int) (features, scores []float64) {
	k := e.cfg.Kernel
	for s := 0; s < n; s++ {
		c, h, w := e.shape[0], e.shape[1], e.shape[2]
		img := append([]float64(nil), x[s*c*h*w:(s+1)*c*h*w]...)
		for l, filter := range e.filters {
			f := float64s(filter)
			out := filter.Shape()[0]
			conv := make([]float64, out*h*w)
			for o := 0; o < out; o++ {
				for i := 0; i < h; i++ {
					for j := 0; j < w; j++ {
						sum := 0.0
						for ci := 0; ci < c; ci++ {
							for a := 0; a < k; a++ {
								for b := 0; b < k; b++ {
									ii, jj := i+a-k/2, j+b-k/2
									if ii < 0 || ii >= h || jj < 0 || jj >= w {
										continue
									}
									sum += f[((o*c+ci)*k+a)*k+b] * img[(ci*h+ii)*w+jj]
								}
							}
						}
						conv[(o*h+i)*w+j] = activate(e.cfg.Activation, sum, e.q, e.rho)
					}
				}
			}
			img, c = conv, out
			if e.pools[l] {
				ph, pw := h/2, w/2
				pooled := make([]float64, c*ph*pw)
				for ch := 0; ch < c; ch++ {
					for i := 0; i < ph; i++ {
						for j := 0; j < pw; j++ {
							m := math.Inf(-1)
							for a := 0; a < 2; a++ {
								for b := 0; b < 2; b++ {
									m = math.Max(m, img[(ch*h+2*i+a)*w+2*j+b])
								}
							}
							pooled[(ch*ph+i)*pw+j] = m
						}
					}
				}
				img, h, w = pooled, ph, pw
			}
		}
		for ch := 0; ch < c; ch++ {
			mean := 0.0
			for _, v := range img[ch*h*w : (ch+1)*h*w] {
				mean += v
			}
			features = append(features, mean/float64(h*w))
		}
	}
	return features, referenceLinear(e.head, features, n)
}

// evalProgram compiles net's evaluation program on split, reading the
// encoders' features and contributions.
func evalProgram(t *testing.T, net *Network, ds *dataset.Dataset, split *dataset.Split) *program {
	t.Helper()
	spec := programSpec{n: split.Len(), classes: ds.Classes, inputs: make([][]float64, len(net.Encoders)),
		readEncs: true, readFeatures: true, readContrib: true}
	for i, r := range net.Modalities {
		spec.inputs[i] = split.Inputs[r]
	}
	p, err := compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	return p
}

func sameValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for k := range got {
		if !closeTo(got[k], want[k], 1e-10, 1e-12) {
			t.Errorf("%s[%d] = %v, want %v", what, k, got[k], want[k])
			return
		}
	}
}

// The conv encoder's features are the means of its last feature maps, for
// last maps of 3 x 3, 2 x 2 and 1 x 1 (gorgonia's mean over two axes at once
// gets the first wrong and panics on the last; the encoder reduces one axis
// at a time).
func TestConvEncoderGlobalAveragePooling(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		image  []int
		layers int
	}{{[]int{6, 6}, 1}, {[]int{8, 8}, 2}, {[]int{4, 4}, 2}, {[]int{2, 5, 5}, 1}} {
		ds, err := makeHandData(dataset.Binary, 2, [][]int{c.image}, [3]int{2, 1, 1}, 9, randomLabels(dataset.Binary, 2))
		if err != nil {
			t.Fatal(err)
		}
		channels := []int{3, 2, 4}[:c.layers]
		net, err := NewNetwork("pool", []int{0}, ds, partsModel("auto", lateFusion, convEnc("linear", channels...)), 9)
		if err != nil {
			t.Fatal(err)
		}
		spec := programSpec{n: 2, classes: 2, inputs: [][]float64{ds.Train.Inputs[0]}, readFeatures: true}
		p, err := compile(net, spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.run(); err != nil {
			t.Fatal(err)
		}
		want, _ := referenceConv(net.Encoders[0].(*ConvEncoder), ds.Train.Inputs[0], 2)
		got := values(p.features[0])
		for k := range want {
			if !closeTo(got[k], want[k], 1e-10, 1e-12) {
				t.Errorf("image %v, %d layers: features %v, want the channel means %v", c.image, c.layers, got, want)
				break
			}
		}
	}
}

// The encoders compute what their documentation says, on the modality
// shapes they accept, for one score (binary) and several (3 classes).
func TestEncodersMatchReference(t *testing.T) {
	t.Parallel()
	shapes := [][]int{{3, 4}, {6, 6}, {2, 5, 5}, {7}, {2, 8, 8}}
	for _, task := range []struct {
		task    dataset.Task
		classes int
	}{{dataset.Binary, 2}, {dataset.Multiclass, 3}} {
		ds := handData(t, task.task, task.classes, shapes, [3]int{5, 1, 1}, 4, randomLabels(task.task, task.classes))
		for _, c := range []struct {
			name string
			r    int
			enc  EncoderConfig
		}{
			{"mlp flat relu", 0, mlpEnc("relu", false, 5, 3)},
			{"mlp per-patch tanh", 0, mlpEnc("tanh", true, 4)},
			{"mlp per-patch srelu", 0, mlpEnc("srelu", true, 4, 2)},
			{"mlp per-patch linear without hidden layers", 0, mlpEnc("linear", true)},
			{"mlp flat on (H, W)", 1, mlpEnc("tanh", false, 3)},
			{"mlp flat on (C, H, W)", 2, mlpEnc("relu", false, 3)},
			{"mlp on (d,)", 3, mlpEnc("relu", false, 3)},
			{"conv (H, W) relu", 1, convEnc("relu", 3, 2)},
			{"conv (C, H, W) tanh", 2, convEnc("tanh", 2, 3)},
			{"conv (C, H, W) srelu three layers", 2, convEnc("srelu", 2, 2, 3)},
			{"conv (H, W) to 3 x 3", 1, convEnc("linear", 3)},
			{"conv odd (C, H, W) to 2 x 2", 2, convEnc("relu", 3)},
			{"conv (C, H, W) to 2 x 2", 4, convEnc("tanh", 3, 2)},
			{"conv (C, H, W) to 4 x 4", 4, convEnc("relu", 3)},
		} {
			t.Run(fmt.Sprintf("%s %s", task.task, c.name), func(t *testing.T) {
				encs := slices.Repeat([]EncoderConfig{mlpEnc("relu", false)}, len(shapes))
				encs[c.r] = c.enc
				net, err := NewNetwork("n", []int{c.r}, ds, partsModel("auto", lateFusion, encs...), 5)
				if err != nil {
					t.Fatal(err)
				}
				perturbBiases(net, 5)
				p := evalProgram(t, net, ds, ds.Train)
				var features, scores []float64
				switch e := net.Encoders[0].(type) {
				case *MLPEncoder:
					features, scores = referenceMLP(e, ds.Train.Inputs[c.r], ds.Train.Len())
				case *ConvEncoder:
					features, scores = referenceConv(e, ds.Train.Inputs[c.r], ds.Train.Len())
				default:
					t.Fatalf("encoder %T", e)
				}
				n, width, outputs := ds.Train.Len(), net.Encoders[0].FeatureWidth(), net.Loss.Outputs(ds.Classes)
				if got := p.features[0].Shape(); !got.Eq(tensor.Shape{n, width}) {
					t.Errorf("features of shape %v, want (%d, %d)", got, n, width)
				}
				wantShape := tensor.Shape{n, outputs}
				if outputs == 1 {
					wantShape = tensor.Shape{n}
				}
				if got := p.scores.Shape(); !got.Eq(wantShape) {
					t.Errorf("scores of shape %v, want %v", got, wantShape)
				}
				sameValues(t, "features", values(p.features[0]), features)
				sameValues(t, "scores", values(p.scores), scores)
			})
		}
	}
}

// Concatenation fusion: f = head(act(hidden([h_1, ..., h_K]))), and without
// hidden layers each modality's contribution h_r W_r adds up to f - b.
func TestConcatFusionMatchesReference(t *testing.T) {
	t.Parallel()
	for _, task := range []struct {
		task    dataset.Task
		classes int
	}{{dataset.Binary, 2}, {dataset.Multiclass, 3}, {dataset.Regression, 0}} {
		ds := handData(t, task.task, task.classes, [][]int{{3, 4}, {6}}, [3]int{6, 1, 1}, 6, randomLabels(task.task, task.classes))
		for _, hidden := range [][]int{nil, {4}, {4, 3}} {
			t.Run(fmt.Sprintf("%s hidden %v", task.task, hidden), func(t *testing.T) {
				mc := partsModel("auto", concatFusion("tanh", hidden...), mlpEnc("relu", true, 3), mlpEnc("tanh", false, 2))
				net, err := NewNetwork("n", []int{1, 0}, ds, mc, 7)
				if err != nil {
					t.Fatal(err)
				}
				perturbBiases(net, 7)
				p := evalProgram(t, net, ds, ds.Train)
				n := ds.Train.Len()
				// Features in the order of the network's modalities, side by side.
				f0, _ := referenceMLP(net.Encoders[0].(*MLPEncoder), ds.Train.Inputs[1], n)
				f1, _ := referenceMLP(net.Encoders[1].(*MLPEncoder), ds.Train.Inputs[0], n)
				sameValues(t, "features of modality 1", values(p.features[0]), f0)
				sameValues(t, "features of modality 0", values(p.features[1]), f1)
				w0, w1 := len(f0)/n, len(f1)/n
				h := make([]float64, 0, n*(w0+w1))
				for s := 0; s < n; s++ {
					h = append(h, f0[s*w0:(s+1)*w0]...)
					h = append(h, f1[s*w1:(s+1)*w1]...)
				}
				fusion := net.Fusion.(*ConcatFusion)
				for _, l := range fusion.hidden {
					h = referenceLinear(l, h, n)
					for k, z := range h {
						h[k] = math.Tanh(z)
					}
				}
				sameValues(t, "scores", values(p.scores), referenceLinear(fusion.head, h, n))
				for i := range net.Encoders {
					if (p.contrib[i] != nil) != (len(hidden) == 0) {
						t.Fatalf("encoder %d: contribution read %v with %d hidden layers", i, p.contrib[i] != nil, len(hidden))
					}
				}
				if len(hidden) > 0 {
					return
				}
				// f = contribution 0 + contribution 1 + b.
				outputs := net.Loss.Outputs(ds.Classes)
				b := float64s(fusion.head.B)
				c0, c1, f := values(p.contrib[0]), values(p.contrib[1]), values(p.scores)
				sum := make([]float64, len(f))
				for k := range f {
					sum[k] = c0[k] + c1[k] + b[k%outputs]
				}
				sameValues(t, "sum of the contributions and the bias", sum, f)
			})
		}
	}
}

// A network reports a modality it cannot read, or a loss that does not fit
// the task, when it is made, naming the network, the modality and the
// problem.
func TestNewNetworkShapeErrors(t *testing.T) {
	t.Parallel()
	shapes := [][]int{{4, 4, 2}, {6}, {3, 4}, {2, 2, 2, 2}, {6, 6}}
	bin := handData(t, dataset.Binary, 2, shapes, [3]int{4, 1, 1}, 8, randomLabels(dataset.Binary, 2))
	multi := handData(t, dataset.Multiclass, 3, shapes, [3]int{4, 1, 1}, 8, randomLabels(dataset.Multiclass, 3))
	reg := handData(t, dataset.Regression, 0, shapes, [3]int{4, 1, 1}, 8, randomLabels(dataset.Regression, 0))
	// Modality r reads with enc; the others with a flat MLP, which reads
	// any shape.
	with := func(loss string, r int, enc EncoderConfig) ModelConfig {
		encs := make([]EncoderConfig, len(shapes))
		for i := range encs {
			encs[i] = mlpEnc("relu", false, 3)
		}
		encs[r] = enc
		return partsModel(loss, lateFusion, encs...)
	}
	tests := []struct {
		name string
		ds   *dataset.Dataset
		mods []int
		mc   ModelConfig
		want []string // all in the error; nil: no error
	}{
		{"patch encoder on (H, W, C)", bin, []int{0}, with("auto", 0, patchEnc(2, 0.1)),
			[]string{"network n:", "modality 0", "patch encoder", "(P, d)", "[4 4 2]"}},
		{"patch encoder on (d,)", bin, []int{2, 1}, with("auto", 1, patchEnc(2, 0.1)),
			[]string{"modality 1", "patch encoder", "(P, d)", "[6]"}},
		{"conv encoder on (d,)", bin, []int{1}, with("auto", 1, convEnc("relu", 2)),
			[]string{"network n:", "modality 1", "conv encoder", "(H, W) or (C, H, W)", "[6]"}},
		{"conv encoder on 4 axes", bin, []int{3}, with("auto", 3, convEnc("relu", 2)),
			[]string{"modality 3", "conv encoder", "[2 2 2 2]"}},
		{"per-patch mlp on 3 axes", bin, []int{0}, with("auto", 0, mlpEnc("relu", true, 3)),
			[]string{"network n:", "modality 0", "per-patch MLP", "(P, d)", "[4 4 2]"}},
		{"per-patch mlp on (d,)", bin, []int{1}, with("auto", 1, mlpEnc("relu", true, 3)),
			[]string{"modality 1", "per-patch MLP", "[6]"}},
		{"softmax on a binary task", bin, []int{2}, with("softmax", 2, mlpEnc("relu", false)),
			[]string{"network n:", `loss "softmax"`, "binary", `"logistic"`}},
		{"mse on a binary task", bin, []int{2}, with("mse", 2, mlpEnc("relu", false)),
			[]string{`loss "mse"`, "binary"}},
		{"logistic on a multiclass task", multi, []int{2}, with("logistic", 2, mlpEnc("relu", false)),
			[]string{`loss "logistic"`, "multiclass", `"softmax"`}},
		{"softmax on a regression task", reg, []int{2}, with("softmax", 2, mlpEnc("relu", false)),
			[]string{`loss "softmax"`, "regression", `"mse"`}},
		{"too few encoder configurations", bin, []int{0}, partsModel("auto", lateFusion, mlpEnc("relu", false)),
			[]string{"network n:", "1 encoder configurations for 5 modalities"}},
		{"too many encoder configurations", bin, []int{0}, partsModel("auto", lateFusion, slices.Repeat([]EncoderConfig{mlpEnc("relu", false)}, 6)...),
			[]string{"6 encoder configurations for 5 modalities"}},
		// What each part reads.
		{"flat mlp on (H, W, C)", bin, []int{0}, with("auto", 0, mlpEnc("relu", false, 3)), nil},
		{"flat mlp on 4 axes", bin, []int{3}, with("auto", 3, mlpEnc("relu", false, 3)), nil},
		{"patch encoder on (P, d)", bin, []int{2}, with("auto", 2, patchEnc(2, 0.1)), nil},
		{"per-patch mlp on (P, d)", bin, []int{2}, with("auto", 2, mlpEnc("relu", true, 3)), nil},
		{"conv encoder on (H, W)", bin, []int{4}, with("auto", 4, convEnc("relu", 2)), nil},
		{"conv encoder on (C, H, W)", bin, []int{0}, with("auto", 0, convEnc("relu", 2)), nil},
		{"conv encoder on (P, d)", bin, []int{2}, with("auto", 2, convEnc("relu", 2)), nil},
		{"auto loss on each task", reg, []int{0, 1}, with("auto", 0, mlpEnc("relu", false)), nil},
		{"softmax on a multiclass task", multi, []int{0}, with("softmax", 0, mlpEnc("relu", false)), nil},
		{"patch encoder on a multiclass task", multi, []int{2}, with("auto", 2, patchEnc(2, 0.1)), nil},
		{"patch encoder on a regression task", reg, []int{2}, with("mse", 2, patchEnc(2, 0.1)), nil},
	}
	for _, tt := range tests {
		net, err := NewNetwork("n", tt.mods, tt.ds, tt.mc, 1)
		switch {
		case tt.want == nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == nil:
			// The network compiles and evaluates.
			if p, err := compile(net, programSpec{n: 2, classes: tt.ds.Classes, inputs: make([][]float64, len(tt.mods))}); err != nil {
				t.Errorf("%s: compile: %v", tt.name, err)
			} else {
				if err := p.run(); err != nil {
					t.Errorf("%s: run: %v", tt.name, err)
				}
			}
		case err == nil:
			t.Errorf("%s: accepted", tt.name)
		default:
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not say %q", tt.name, err, w)
				}
			}
		}
	}
}
