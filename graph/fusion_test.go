package graph

// Training with the swappable parts: what networks of MLP encoders, late and
// concatenation fusion, the softmax and squared losses learn, and what they
// log.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func variance(v []float64) float64 {
	mean := 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - mean) * (x - mean)
	}
	return s / float64(len(v))
}

// A deep linear network (two linear hidden layers per encoder) with late
// fusion fits y = a·x_0 + b·x_1 + noise on Gaussian inputs, and each
// encoder learns its modality's part: f_r = a_r·x_r + c_r, whose variance
// over the training set, contrib_m<r>, is that of a_r·x_r.
func TestDeepLinearLateFusionFitsBothModalities(t *testing.T) {
	t.Parallel()
	a := []float64{0.8, -0.6, 0.5, 0.3}
	b := []float64{-0.7, 0.9, 0.4}
	const noise = 0.05
	ds := handData(t, dataset.Regression, 0, [][]int{{4}, {3}}, [3]int{200, 50, 200}, 31,
		func(x [][]float64, src *rand.Rand) float64 {
			return dot(a, x[0]) + dot(b, x[1]) + noise*src.NormFloat64()
		})
	enc := mlpEnc("linear", false, 8, 8)
	res := trainRun(t, ds, "joint", []int{0, 1}, partsModel("auto", lateFusion, enc, enc),
		trainOpts{Optimizer: "adam", LR: 0.01, Steps: 300, LogEvery: 100}, 31, nil)
	if res.Status != Completed {
		t.Fatalf("status %s: %s", res.Status, res.Message)
	}
	first, last := res.Log[0], res.Final()
	r2, r20 := metric(t, last, TestAcc), metric(t, first, TestAcc)
	t.Logf("test R² %.3f -> %.4f, test mse %.4f; contrib_m0 %.3f, contrib_m1 %.3f; R² of encoder 0 alone %.3f, of encoder 1 alone %.3f",
		r20, r2, metric(t, last, TestLoss), metric(t, last, Contrib(0)), metric(t, last, Contrib(1)),
		metric(t, last, EncTestAcc(0)), metric(t, last, EncTestAcc(1)))
	if r20 > 0.5 {
		t.Errorf("test R² starts at %v: the test needs an untrained network that does not fit", r20)
	}
	if r2 < 0.99 {
		t.Errorf("test R² %v, want above 0.99 (the noise leaves 0.999)", r2)
	}
	for r, coef := range [][]float64{a, b} {
		n, d := ds.Train.Len(), len(coef)
		part := make([]float64, n)
		for i := range part {
			part[i] = dot(coef, ds.Train.Inputs[r][i*d:(i+1)*d])
		}
		want := variance(part)
		if got := metric(t, last, Contrib(r)); !closeTo(got, want, 0.05, 0) {
			t.Errorf("contrib_m%d = %v, want the variance of modality %d's part of y, %v", r, got, r, want)
		}
	}
}

// fusionData is a binary task whose label depends on both modalities, (3,
// 4) patches and a (6,) vector.
func fusionData(t testing.TB, seed uint64) *dataset.Dataset {
	return handData(t, dataset.Binary, 2, [][]int{{3, 4}, {6}}, [3]int{40, 10, 20}, seed,
		func(x [][]float64, _ *rand.Rand) float64 {
			s := x[0][0] + x[0][4] + x[0][8] + x[1][0] - x[1][1]
			if s >= 0 {
				return 1
			}
			return -1
		})
}

// Metrics of the fusions: contrib_m<r> where the fusion is additive over
// modalities (late, and concatenation without hidden layers) and the network
// sees several; enc_test_acc_m<r> where the encoders have their own scores
// (late fusion) and the network sees several.
func TestFusionMetrics(t *testing.T) {
	t.Parallel()
	ds := fusionData(t, 41)
	encs := []EncoderConfig{patchEnc(3, 0.1), mlpEnc("tanh", false, 4)}
	tests := []struct {
		name            string
		fusion          FusionConfig
		mods            []int
		contrib, encAcc bool
	}{
		{"late joint", lateFusion, []int{0, 1}, true, true},
		{"late joint swapped", lateFusion, []int{1, 0}, true, true},
		{"late uni-modal", lateFusion, []int{1}, false, false},
		{"concat joint", concatFusion("relu"), []int{0, 1}, true, false},
		{"concat joint with hidden layers", concatFusion("relu", 4), []int{0, 1}, false, false},
		{"concat uni-modal", concatFusion("relu"), []int{0}, false, false},
		{"concat uni-modal with hidden layers", concatFusion("tanh", 3), []int{1}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mc, tc := trainOpts{Optimizer: "gd", LR: 0.1, Steps: 4, LogEvery: 2}.apply(partsModel("auto", tt.fusion, encs...))
			net, err := NewNetwork("n", tt.mods, ds, mc, 41)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Train(context.Background(), net, ds, tc, 41, nil)
			if err != nil || res.Status != Completed || len(res.Log) != 3 {
				t.Fatalf("%v, %+v", err, res)
			}
			for _, rec := range res.Log {
				for r := range ds.Modalities {
					seen := slices.Contains(tt.mods, r)
					for _, m := range []struct {
						name string
						want bool
					}{
						{Contrib(r), seen && tt.contrib},
						{EncTestAcc(r), seen && tt.encAcc},
					} {
						v, ok := rec.Get(m.name)
						if ok != m.want {
							t.Errorf("step %d: %s logged %v, want %v", rec.Step, m.name, ok, m.want)
						}
						if ok && !(v >= 0) {
							t.Errorf("step %d: %s = %v", rec.Step, m.name, v)
						}
					}
				}
				if v, _ := rec.Get(Contrib(0)); tt.contrib && !(v > 0) {
					t.Errorf("step %d: contrib_m0 = %v, want a positive variance", rec.Step, v)
				}
			}
			if !tt.contrib || tt.fusion.Kind != "concat" {
				return
			}
			// Without hidden layers, modality r's contribution is h_r W_r,
			// W_r the rows of the head's weights that read r's features.
			p := evalProgram(t, net, ds, ds.Train)
			head := float64s(net.Fusion.(*ConcatFusion).head.W)
			offset := 0
			for i, r := range net.Modalities {
				h, width, n := values(p.features[i]), net.Encoders[i].FeatureWidth(), ds.Train.Len()
				c := make([]float64, n)
				for s := range c {
					c[s] = dot(h[s*width:(s+1)*width], head[offset:offset+width])
				}
				offset += width
				if got, want := metric(t, res.Final(), Contrib(r)), variance(c); !closeTo(got, want, 1e-9, 1e-15) {
					t.Errorf("contrib_m%d = %v, want the variance of h_%d W_%d, %v", r, got, r, r, want)
				}
			}
		})
	}
}

// Under concatenation fusion the encoders' heads are unused: the trainable
// groups hold each encoder's body, then the fusion's weights, and training
// leaves the heads as they were while the loss decreases.
func TestConcatFusionTrainsBodiesNotHeads(t *testing.T) {
	t.Parallel()
	ds := fusionData(t, 42)
	encs := []EncoderConfig{mlpEnc("tanh", true, 4), mlpEnc("relu", false, 5)}
	for _, fusion := range []FusionConfig{concatFusion("relu"), concatFusion("tanh", 4), lateFusion} {
		t.Run(fusion.Kind+fmt.Sprint(fusion.Hidden), func(t *testing.T) {
			t.Parallel()
			mc, tc := trainOpts{Optimizer: "adam", LR: 0.02, Steps: 60, LogEvery: 60}.apply(partsModel("auto", fusion, encs...))
			net, err := NewNetwork("n", []int{0, 1}, ds, mc, 42)
			if err != nil {
				t.Fatal(err)
			}
			groups := net.groups()
			concat := fusion.Kind == "concat"
			if want := len(net.Encoders) + map[bool]int{true: 1, false: 0}[concat]; len(groups) != want {
				t.Fatalf("%d groups, want %d", len(groups), want)
			}
			var heads, trained []*tensor.Dense
			for i, e := range net.Encoders {
				body, head := e.Params()
				heads = append(heads, head...)
				want := body
				if !concat {
					want = append(slices.Clone(body), head...)
				}
				if !slices.Equal(groups[i], want) {
					t.Errorf("group %d holds %d tensors, want encoder %d's body (%d) and, under late fusion, its head (%d)",
						i, len(groups[i]), i, len(body), len(head))
				}
			}
			if concat && !slices.Equal(groups[len(groups)-1], net.Fusion.Params()) {
				t.Error("the last group is not the fusion's weights")
			}
			for _, g := range groups {
				trained = append(trained, g...)
			}
			if !slices.Equal(net.Params(), trained) {
				t.Error("Params() is not the groups' tensors in order")
			}
			for _, h := range heads {
				if got := slices.Contains(trained, h); got != !concat {
					t.Errorf("an encoder head is trainable: %v, want %v", got, !concat)
				}
			}
			snapshot := func(ts []*tensor.Dense) [][]float64 {
				var out [][]float64
				for _, x := range ts {
					out = append(out, slices.Clone(float64s(x)))
				}
				return out
			}
			headsBefore, trainedBefore := snapshot(heads), snapshot(trained)
			res, err := Train(context.Background(), net, ds, tc, 42, nil)
			if err != nil || res.Status != Completed {
				t.Fatalf("%v %+v", err, res)
			}
			before, after := metric(t, res.Log[0], SplitLoss("train")), metric(t, res.Final(), SplitLoss("train"))
			t.Logf("train loss %.4f -> %.4f, test accuracy %.2f", before, after, metric(t, res.Final(), TestAcc))
			if !(after < 0.7*before) {
				t.Errorf("train loss %v -> %v, want a reduction by at least 30%%", before, after)
			}
			if headsAfter := snapshot(heads); concat && !slices.EqualFunc(headsAfter, headsBefore, slices.Equal) {
				t.Error("training changed an encoder head that concatenation fusion does not use")
			}
			for i, w := range snapshot(trained) {
				if slices.Equal(w, trainedBefore[i]) {
					t.Errorf("trainable tensor %d did not change", i)
				}
			}
		})
	}
}

// multiclassData is a 3-class version of the paper's data: in each of two
// modalities of (P, d) = (3, 6) patches, one random patch holds alpha_r
// times the class's direction (e_c in modality 0, e_{3+c} in modality 1)
// and every patch Gaussian noise of standard deviation 0.15 per coordinate.
func multiclassData(t testing.TB, seed uint64) *dataset.Dataset {
	t.Helper()
	const patches, dim, sigma = 3, 6, 0.15
	alpha := []float64{1, 0.6}
	ds := &dataset.Dataset{Task: dataset.Multiclass, Classes: 3}
	for r := range alpha {
		ds.Modalities = append(ds.Modalities, dataset.Modality{Name: fmt.Sprintf("m%d", r), Shape: []int{patches, dim}})
	}
	var splits []*dataset.Split
	for k, n := range []int{90, 30, 150} {
		src := rng.New(seed, fmt.Sprintf("multiclassData/%d", k))
		sp := &dataset.Split{Inputs: make([][]float64, len(alpha)), Labels: make([]float64, n)}
		for i := range sp.Labels {
			c := src.IntN(3)
			sp.Labels[i] = float64(c)
			for r, a := range alpha {
				signal := src.IntN(patches)
				for p := 0; p < patches; p++ {
					for j := 0; j < dim; j++ {
						v := sigma * src.NormFloat64()
						if p == signal && j == 3*r+c {
							v += a
						}
						sp.Inputs[r] = append(sp.Inputs[r], v)
					}
				}
			}
		}
		splits = append(splits, sp)
	}
	ds.Train, ds.Val, ds.Test = splits[0], splits[1], splits[2]
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	return ds
}

// Softmax-loss networks learn a 3-class task: test accuracy well above the
// 1/3 of a guess.
func TestMulticlassNetworksLearn(t *testing.T) {
	t.Parallel()
	ds := multiclassData(t, 51)
	patch := EncoderConfig{Kind: "patch", PatchConfig: PatchConfig{Neurons: 4, Q: 3, Rho: 0.1, Sigma0: 0.1}}
	tests := []struct {
		name string
		mods []int
		mc   ModelConfig
		opts trainOpts
	}{
		{"patch encoders, late fusion, gd", []int{0, 1}, partsModel("auto", lateFusion, patch, patch),
			trainOpts{Optimizer: "gd", LR: 1, Steps: 150, LogEvery: 150}},
		{"patch encoder, uni-modal, gd", []int{0}, partsModel("softmax", lateFusion, patch, patch),
			trainOpts{Optimizer: "gd", LR: 1, Steps: 150, LogEvery: 150}},
		{"mlp encoders, late fusion, sgd", []int{0, 1}, partsModel("auto", lateFusion, mlpEnc("relu", true, 8), mlpEnc("relu", false, 8)),
			trainOpts{Optimizer: "sgd", LR: 0.1, Steps: 150, BatchSize: 16, LogEvery: 150}},
		{"mlp encoders, concat fusion with a hidden layer, adam", []int{0, 1},
			partsModel("auto", concatFusion("relu", 8), mlpEnc("tanh", true, 8), mlpEnc("relu", false, 8)),
			trainOpts{Optimizer: "adam", LR: 0.01, Steps: 150, LogEvery: 150}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := trainRun(t, ds, "n", tt.mods, tt.mc, tt.opts, 51, nil)
			if res.Status != Completed {
				t.Fatalf("status %s: %s", res.Status, res.Message)
			}
			first, last := res.Log[0], res.Final()
			acc := metric(t, last, TestAcc)
			t.Logf("train loss %.3f -> %.3f, test accuracy %.3f -> %.3f", metric(t, first, SplitLoss("train")), metric(t, last, SplitLoss("train")),
				metric(t, first, TestAcc), acc)
			if acc < 0.8 {
				t.Errorf("test accuracy %v, want at least 0.8 (a guess gets 1/3)", acc)
			}
			if l0, l := metric(t, first, SplitLoss("train")), metric(t, last, SplitLoss("train")); !(l < 0.5*l0) {
				t.Errorf("train loss %v -> %v, want it halved", l0, l)
			}
		})
	}
}

// Bugs found while writing the tests above: each test skips while the bug
// is there and checks the intended behaviour once it is fixed.

// A patch encoder on a multiclass task of 2 classes has 2 heads, which it
// takes for the binary +1/-1 pair: it emits one score per sample where the
// softmax reads two.
func TestPatchEncoderOnTwoClassMulticlassTask(t *testing.T) {
	t.Parallel()
	ds := handData(t, dataset.Multiclass, 2, [][]int{{3, 4}}, [3]int{12, 4, 4}, 61, randomLabels(dataset.Multiclass, 2))
	mc, tc := trainOpts{Optimizer: "gd", LR: 0.1, Steps: 2, LogEvery: 1}.apply(partsModel("auto", lateFusion, patchEnc(2, 0.3)))
	net, err := NewNetwork("n", []int{0}, ds, mc, 61)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), net, ds, tc, 61, nil)

	if err != nil || res.Status != Completed {
		t.Fatalf("%v %+v", err, res)
	}
	if got := net.Encoders[0].FeatureWidth(); got != 2*2 {
		t.Errorf("feature width %d, want 2 heads x 2 neurons", got)
	}
}

// Concatenation fusion applies its activation with q = rho = 0, so the
// smoothed ReLU, which FusionConfig.Validate accepts, computes NaN.
func TestConcatFusionSmoothedReLU(t *testing.T) {
	t.Parallel()
	ds := fusionData(t, 62)
	mc, tc := trainOpts{Optimizer: "gd", LR: 0.1, Steps: 2, LogEvery: 1}.apply(
		partsModel("auto", concatFusion("srelu", 4), mlpEnc("tanh", false, 3), mlpEnc("tanh", false, 3)))
	net, err := NewNetwork("n", []int{0, 1}, ds, mc, 62)
	var fe *check.FieldError
	if errors.As(err, &fe) && fe.Field == "fusion-activation" {
		return // refused: fixed by validation
	}
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(context.Background(), net, ds, tc, 62, nil)
	if err != nil {
		t.Fatal(err)
	}

	if res.Status != Completed {
		t.Errorf("status %s: %s", res.Status, res.Message)
	}
}

// The conv encoder with the smoothed ReLU needs q and rho, as the MLP
// encoder does.
func TestConvEncoderSmoothedReLUNeedsQAndRho(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		field  string
		q, rho float64
	}{{"q", 1, 0.1}, {"q", math.NaN(), 0.1}, {"rho", 3, 0}, {"rho", 3, -1}} {
		mc := partsModel("auto", lateFusion, convEnc("srelu", 2))
		mc.Encoders[0].Q, mc.Encoders[0].Rho = c.q, c.rho
		err := mc.Validate()
		var fe *check.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Index != 0 {
			t.Errorf("q = %v, rho = %v: error %v, want a %s error for modality 0", c.q, c.rho, err, c.field)
		}
	}
}
