package graph

// Tests of the training methods of a network (method.go and one file per
// method): the weighted objective they train, what each does to the
// weights, the gradients and its own log, and their configuration.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// methodNet makes the network name over modalities of ds, trained with o's
// optimizer and learning rate, and o's TrainConfig with method.
func methodNet(t testing.TB, ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, o trainOpts, method MethodConfig, seed uint64) (*Network, TrainConfig) {
	t.Helper()
	mc, tc := o.apply(mc)
	tc.Method = method
	net, err := NewNetwork(name, modalities, ds, mc, seed)
	if err != nil {
		t.Fatal(err)
	}
	return net, tc
}

// methodTrain trains the network name over modalities of ds with method
// (and teachers, for umt) and returns it with its result; it fails the test
// unless training completed.
func methodTrain(t testing.TB, ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, o trainOpts, method MethodConfig, teachers [][]float64, seed uint64, observe func(*Network, Record) error) (*Network, *Result) {
	t.Helper()
	net, tc := methodNet(t, ds, name, modalities, mc, o, method, seed)
	tc.Teachers = teachers
	var obs Observer
	if observe != nil {
		obs = func(r Record) error { return observe(net, r) }
	}
	res, err := Train(context.Background(), net, ds, tc, seed, obs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Completed {
		t.Fatalf("%s (%s): %s: %s", name, method.Name, res.Status, res.Message)
	}
	return net, res
}

// uniTeachers trains the uni-modal network of each modality and returns
// its scores on the training split: the teachers of umt.
func uniTeachers(t testing.TB, ds *dataset.Dataset, modalities []int, mc ModelConfig, o trainOpts, seed uint64) [][]float64 {
	t.Helper()
	var out [][]float64
	for _, r := range modalities {
		net, _ := methodTrain(t, ds, fmt.Sprintf("uni-m%d", r), []int{r}, mc, o, MethodConfig{Name: "naive"}, nil, seed, nil)
		scores, err := EncoderScores(net, ds.Train)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, scores[0])
	}
	return out
}

// snapshotGroups copies the weights of every optimizer group of net.
func snapshotGroups(net *Network) [][][]float64 {
	var out [][][]float64
	for _, g := range net.groups() {
		var gs [][]float64
		for _, w := range g {
			gs = append(gs, slices.Clone(float64s(w)))
		}
		out = append(out, gs)
	}
	return out
}

// encoderWeights copies the weights of encoder i of net: body, then head.
func encoderWeights(net *Network, i int) [][]float64 {
	body, head := net.Encoders[i].Params()
	var out [][]float64
	for _, w := range append(slices.Clone(body), head...) {
		out = append(out, slices.Clone(float64s(w)))
	}
	return out
}

func sameWeights(a, b [][]float64) bool { return slices.EqualFunc(a, b, slices.Equal) }

// sameLog compares two logs, NaN equal to NaN (reflect.DeepEqual never
// equates NaNs, and a log may hold some: an empty group's accuracy).
func sameLog(a, b []Record) bool {
	return slices.EqualFunc(a, b, func(x, y Record) bool {
		return x.Step == y.Step && slices.EqualFunc(x.Metrics, y.Metrics, func(m, n Metric) bool {
			return m.Name == n.Name && (m.Value == n.Value || (math.IsNaN(m.Value) && math.IsNaN(n.Value)))
		})
	})
}

// sameResult compares two results, their logs with sameLog.
func sameResult(a, b *Result) bool {
	return a.Network == b.Network && a.Status == b.Status && a.Message == b.Message && a.Steps == b.Steps && sameLog(a.Log, b.Log)
}

// ---------------------------------------------------------------------------
// The weighted objective.

// The training loss of an Objective, w_0 L(f, y) + sum_r w_{1+r} L(f_r, y)
// + sum_r w_{1+K+r} mean |f_r - t_r|², has the value of its definition and
// the gradient of its value, for weights that are all different.
func TestWeightedObjectiveGradient(t *testing.T) {
	t.Parallel()
	binary := gradDataset(t)
	multi := partsData(t, dataset.Multiclass, 3, []int{2, 4}, []int{6}, []int{3, 3})
	cases := []struct {
		name    string
		ds      *dataset.Dataset
		mods    []int
		mc      ModelConfig
		obj     Objective
		weights []float64
	}{
		{"patch per-encoder and distill", binary, []int{0, 1}, gradModel(3, "float64"),
			Objective{PerEncoder: true, Distill: true}, []float64{0.7, 1.3, 0.45, 2.1, 0.35}},
		{"patch per-encoder, 3 modalities reordered", binary, []int{2, 0, 1}, gradModel(3, "float64"),
			Objective{PerEncoder: true}, []float64{0.6, 1.1, 0.3, 0.9}},
		{"patch distill only", binary, []int{1, 2}, gradModel(2.5, "float64"),
			Objective{Distill: true}, []float64{1, 0.8, 1.7}},
		{"patch fused loss off", binary, []int{0, 2}, gradModel(3, "float64"),
			Objective{PerEncoder: true, Distill: true}, []float64{0, 1.2, 0.5, 0.25, 3}},
		{"mlp softmax per-encoder and distill", multi, []int{0, 1, 2},
			partsModel("auto", lateFusion, mlpEnc("tanh", true, 4), mlpEnc("tanh", false, 3), mlpEnc("relu", false, 4)),
			Objective{PerEncoder: true, Distill: true}, []float64{0.9, 0.4, 1.6, 0.7, 0.3, 1.1, 2.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			net, err := NewNetwork(c.name, c.mods, c.ds, c.mc, 5)
			if err != nil {
				t.Fatal(err)
			}
			perturbBiases(net, 5)
			n := c.ds.Train.Len()
			outputs := net.Loss.Outputs(c.ds.Classes)
			spec := programSpec{n: n, train: true, readEncs: true, classes: c.ds.Classes, objective: c.obj,
				inputs: make([][]float64, len(c.mods)), labels: c.ds.Train.Labels}
			for i, r := range c.mods {
				spec.inputs[i] = c.ds.Train.Inputs[r]
			}
			src := rng.New(9, "teachers")
			var teachers [][]float64
			if c.obj.Distill {
				for range c.mods {
					tv := make([]float64, n*outputs)
					for j := range tv {
						tv[j] = src.NormFloat64()
					}
					teachers = append(teachers, tv)
				}
				spec.teachers = teachers
			}
			p, err := compile(net, spec)
			if err != nil {
				t.Fatal(err)
			}
			if p.weights == nil || p.weights.Size() != len(c.weights) {
				t.Fatalf("the program has %v term weights, want %d", p.weights, len(c.weights))
			}
			if len(p.teachers) != len(teachers) {
				t.Fatalf("the program has %d teacher inputs, want %d", len(p.teachers), len(teachers))
			}
			copyInto(p.weights, c.weights)
			if err := p.run(); err != nil {
				t.Fatal(err)
			}

			// The value: each term computed outside the graph from the scores
			// the program read, weighted in the documented order.
			labels := c.ds.Train.Labels
			fused, _ := net.Loss.Evaluate(values(p.scores), labels)
			want := c.weights[0] * fused
			next := 1
			if c.obj.PerEncoder {
				for i := range c.mods {
					l, _ := net.Loss.Evaluate(values(p.encoder[i]), labels)
					want += c.weights[next] * l
					next++
				}
			}
			if c.obj.Distill {
				for i := range c.mods {
					d := 0.0
					for j, v := range values(p.encoder[i]) {
						d += (v - teachers[i][j]) * (v - teachers[i][j])
					}
					want += c.weights[next] * d / float64(n*outputs)
					next++
				}
			}
			if got := scalar(p.loss); !closeTo(got, want, 1e-10, 0) {
				t.Fatalf("weighted loss %.15g, want %.15g", got, want)
			}
			checkProgramGradient(t, p, net.Params(), 0.5)
		})
	}
}

// ---------------------------------------------------------------------------
// ume: each encoder on its own loss, exactly as alone.

func TestUMEEncodersTrainExactlyAsAlone(t *testing.T) {
	t.Parallel()
	const seed = 7
	ds := trainData(t, seed)
	o := trainOpts{Optimizer: "gd", LR: 1, Steps: 40, LogEvery: 10}
	mods := []int{0, 1}
	joint, jres := methodTrain(t, ds, "joint-ume", mods, trainModel, o, MethodConfig{Name: "ume"}, nil, seed, nil)
	naive, _ := methodTrain(t, ds, "joint", mods, trainModel, o, MethodConfig{Name: "naive"}, nil, seed, nil)
	init, _ := methodNet(t, ds, "init", mods, trainModel, o, MethodConfig{}, seed)
	for i, r := range mods {
		uni, ures := methodTrain(t, ds, fmt.Sprintf("uni-m%d", r), []int{r}, trainModel, o, MethodConfig{Name: "naive"}, nil, seed, nil)
		got, want := encoderWeights(joint, i), encoderWeights(uni, 0)
		if !sameWeights(got, want) {
			t.Errorf("m%d: the ume joint encoder's weights differ from its uni-modal network's", r)
		}
		if sameWeights(want, encoderWeights(init, i)) {
			t.Fatalf("m%d: the uni-modal network did not train", r)
		}
		if sameWeights(encoderWeights(naive, i), want) {
			t.Errorf("m%d: naive joint training also gives the uni-modal weights: the test cannot tell ume from naive", r)
		}
		if len(jres.Log) != len(ures.Log) {
			t.Fatalf("m%d: %d joint records, %d uni-modal", r, len(jres.Log), len(ures.Log))
		}
		for k, rec := range jres.Log {
			for _, name := range []string{Align(r), AlignHead(r, HeadPos), AlignHead(r, HeadNeg), Memo(r)} {
				if g, w := metric(t, rec, name), metric(t, ures.Log[k], name); g != w {
					t.Errorf("step %d: joint %s = %v, uni-modal %v", rec.Step, name, g, w)
				}
			}
		}
	}
}

// ---------------------------------------------------------------------------
// alternating: one encoder per step, on its own loss.

// alternatingCase is a joint network trained by alternating.
type alternatingCase struct {
	name string
	ds   *dataset.Dataset
	mods []int
	mc   ModelConfig
	opt  string
	lr   float64
}

func alternatingCases(t *testing.T) []alternatingCase {
	return []alternatingCase{
		{"K=2", trainData(t, 8), []int{0, 1}, trainModel, "gd", 1},
		{"K=3 reordered", gradDataset(t), []int{2, 0, 1}, gradModel(3, "float64"), "gd", 0.2},
		// Adam moves weights even on a zero gradient, from its momentum:
		// the encoders not in turn must not be stepped at all.
		{"K=2 adam", trainData(t, 8), []int{0, 1}, trainModel, "adam", 0.01},
	}
}

func TestAlternatingUpdatesOneEncoderPerStep(t *testing.T) {
	t.Parallel()
	for _, c := range alternatingCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k := len(c.mods)
			const rounds = 4
			o := trainOpts{Optimizer: c.opt, LR: c.lr, Steps: rounds * k, LogEvery: 1}
			var prev [][][]float64
			net, _ := methodTrain(t, c.ds, "joint-alternating", c.mods, c.mc, o, MethodConfig{Name: "alternating"}, nil, 3,
				func(net *Network, rec Record) error {
					cur := snapshotGroups(net)
					if rec.Step > 0 {
						turn := (rec.Step - 1) % k
						for g := range cur {
							if changed := !sameWeights(cur[g], prev[g]); changed != (g == turn) {
								t.Errorf("step %d: encoder %d changed: %v, want %v", rec.Step, g, changed, g == turn)
							}
						}
					}
					prev = cur
					return nil
				})
			// After rounds*K steps each encoder took rounds steps on its own
			// loss: exactly what its uni-modal network does in rounds steps.
			uo := o
			uo.Steps = rounds
			for i, r := range c.mods {
				uni, _ := methodTrain(t, c.ds, fmt.Sprintf("uni-m%d", r), []int{r}, c.mc, uo, MethodConfig{Name: "naive"}, nil, 3, nil)
				if !sameWeights(encoderWeights(net, i), encoderWeights(uni, 0)) {
					t.Errorf("encoder %d (m%d) after %d alternating steps differs from its uni-modal network after %d", i, r, rounds*k, rounds)
				}
			}
		})
	}
}

// The loss of each alternating step is its encoder's own, and the other
// encoders get no gradient: a step of Train's loop, done by hand.
func TestAlternatingStepLossIsTheEncodersOwn(t *testing.T) {
	t.Parallel()
	for _, c := range alternatingCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k := len(c.mods)
			net, tc := methodNet(t, c.ds, "joint-alternating", c.mods, c.mc, trainOpts{Optimizer: c.opt, LR: c.lr, Steps: 3 * k, LogEvery: 1},
				MethodConfig{Name: "alternating"}, 3)
			m := alternatingMethod.build(tc.Method.settings(), net.Modalities)
			tr, err := newTrainer(net, c.ds, tc, alternatingMethod.objective, rng.New(3, "batches"))
			if err != nil {
				t.Fatal(err)
			}
			st := tr.newStepState(m, rng.New(3, "method"))
			for step := 1; step <= tc.Steps; step++ {
				turn := (step - 1) % k
				st.reset(step)
				if err := m.Before(st); err != nil {
					t.Fatal(err)
				}
				wantWeights := make([]float64, 1+k)
				wantWeights[1+turn] = 1
				if !slices.Equal(st.Weights, wantWeights) {
					t.Errorf("step %d: weights %v, want %v", step, st.Weights, wantWeights)
				}
				copyInto(tr.update.weights, st.Weights)
				// The encoder's own loss at the current weights.
				if err := tr.evals.run(0, false); err != nil {
					t.Fatal(err)
				}
				want, _ := net.Loss.Evaluate(tr.evals.splits[0].encoder[turn], c.ds.Train.Labels)
				loss, err := tr.gradient()
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(loss, want, 1e-12, 0) {
					t.Errorf("step %d: loss %.15g, want encoder %d's own %.15g", step, loss, turn, want)
				}
				tr.collect(st)
				for g, grads := range st.Grads {
					zero := true
					for _, gr := range grads {
						for _, v := range float64s(gr) {
							zero = zero && v == 0
						}
					}
					if zero != (g != turn) {
						t.Errorf("step %d: encoder %d's gradient is zero: %v, want %v", step, g, zero, g != turn)
					}
				}
				if err := m.After(st); err != nil {
					t.Fatal(err)
				}
				tr.applyUpdates(st.Update)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// ogm-ge: the dominant encoder's gradient scaled by 1 - tanh(alpha rho),
// plus noise of its own standard deviation.

// ogmState is a hand-made step with two encoders' gradients of n entries
// each, drawn N(0.3, 2²), and logistic scores for n samples: encoder 0 sure
// of the true class (scores 2y), encoder 1 undecided (scores 0).
func ogmState(t *testing.T, step, n int, dtype tensor.Dtype) (*StepState, [][]float64) {
	t.Helper()
	src := rng.New(4, "ogm grads")
	labels := make([]float64, n)
	strong, weak := make([]float64, n), make([]float64, n)
	for i := range labels {
		labels[i] = float64(2*(i%2) - 1)
		strong[i] = 2 * labels[i]
	}
	st := &StepState{Step: step, Labels: labels, Loss: LogisticLoss{}, EncoderScores: [][]float64{strong, weak},
		Rand: rng.New(4, "ogm noise"), Update: []bool{true, true}}
	var orig [][]float64
	for range 2 {
		g := make([]float64, 2000)
		for j := range g {
			g[j] = 0.3 + 2*src.NormFloat64()
		}
		orig = append(orig, slices.Clone(g))
		// Two tensors per group, as a body and a head.
		st.Grads = append(st.Grads, []*tensor.Dense{
			newDense(dtype, tensor.Shape{40, 25}, slices.Clone(g[:1000])),
			newDense(dtype, tensor.Shape{1000}, slices.Clone(g[1000:])),
		})
	}
	return st, orig
}

func groupValues(g []*tensor.Dense) []float64 {
	var out []float64
	for _, x := range g {
		out = append(out, float64s(x)...)
	}
	return out
}

func meanAndStd(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)))
}

func TestOGMGECoefficientAndNoise(t *testing.T) {
	t.Parallel()
	const alpha = 0.5
	for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dtype.String(), func(t *testing.T) {
			t.Parallel()
			const n = 10
			st, orig := ogmState(t, 3, n, dtype)
			m := newOGMGE(alpha, 0, 0, []int{0, 2})
			if obj := ogmGEMethod.objective; !obj.EncoderScores || obj.PerEncoder || obj.Distill {
				t.Errorf("objective %+v, want the encoders' scores and no extra term", obj)
			}
			if err := m.Before(st); err != nil {
				t.Fatal(err)
			}
			if err := m.After(st); err != nil {
				t.Fatal(err)
			}
			// s_0 = n sigmoid(2), s_1 = n / 2: encoder 0 dominates.
			rho := (n / (1 + math.Exp(-2))) / (n * 0.5)
			k := 1 - math.Tanh(alpha*rho)
			var rec Record
			m.Log(&rec)
			if got := metric(t, rec, OGMCoeff(0)); !closeTo(got, k, 1e-12, 0) {
				t.Errorf("ogm_coeff_m0 = %v, want 1 - tanh(%g * %g) = %v", got, alpha, rho, k)
			}
			if got := metric(t, rec, OGMCoeff(2)); got != 1 {
				t.Errorf("ogm_coeff_m2 = %v, want 1 (not dominant)", got)
			}
			if _, ok := rec.Get(OGMCoeff(1)); ok {
				t.Error("logged ogm_coeff_m1 for a network of modalities 0 and 2")
			}
			// The weak encoder's gradient is not scaled (k = 1): what it
			// gained, if anything, is noise (see TestOGMGENoiseOnEveryEncoder).
			// The slope of what it gained against the gradient is k - 1 = 0,
			// within 4 standard errors of a regression on 2000 points.
			weak := groupValues(st.Grads[1])
			gm, gs := meanAndStd(orig[1])
			cov := 0.0
			for j, v := range weak {
				cov += (v - orig[1][j]) * (orig[1][j] - gm)
			}
			if slope := cov / float64(len(weak)) / (gs * gs); math.Abs(slope) > 4/math.Sqrt(2000) {
				t.Errorf("encoder 1's gradient scaled by %.3f, want 1", 1+slope)
			}
			// The strong one's is k g + noise, the noise N(0, std(g)²),
			// std(g) computed per tensor.
			got := groupValues(st.Grads[0])
			for part, r := range [][2]int{{0, 1000}, {1000, 2000}} {
				noise := make([]float64, r[1]-r[0])
				for j := range noise {
					noise[j] = got[r[0]+j] - k*orig[0][r[0]+j]
				}
				nm, ns := meanAndStd(noise)
				_, gs := meanAndStd(orig[0][r[0]:r[1]])
				// 1000 draws: the sample std is within 4 standard errors
				// (std/sqrt(2000)) of the true one, the mean within 4 std/sqrt(1000).
				if math.Abs(ns-gs) > 4*gs/math.Sqrt(2000) || math.Abs(nm) > 4*gs/math.Sqrt(1000) {
					t.Errorf("tensor %d: noise mean %.3f std %.3f, want mean 0 and std %.3f (the gradient's)", part, nm, ns, gs)
				}
				// The scaled gradient, not the original, is what remains
				// after the noise: correlation with g near k / sqrt(k²+1).
				cov := 0.0
				_, ps := meanAndStd(got[r[0]:r[1]])
				gm, _ := meanAndStd(orig[0][r[0]:r[1]])
				pm, _ := meanAndStd(got[r[0]:r[1]])
				for j := r[0]; j < r[1]; j++ {
					cov += (got[j] - pm) * (orig[0][j] - gm)
				}
				corr := cov / float64(r[1]-r[0]) / (ps * gs)
				if want := k / math.Sqrt(k*k+1); math.Abs(corr-want) > 0.08 {
					t.Errorf("tensor %d: correlation of the modulated gradient with the original %.3f, want %.3f", part, corr, want)
				}
			}
		})
	}
}

// Generalisation enhancement perturbs every encoder's gradient while the
// modulation is active, not only the dominant one's: in the paper
// (Algorithm 1, theta_u <- theta_u - eta (k_u g_u + h(theta_u)) for every
// modality u) and in the authors' code (GeWu-Lab/OGM-GE_CVPR2022, main.py:
// grad * coeff_a + N(0, std(grad)) for audio and visual alike, coeff 1 for
// the weaker one).
func TestOGMGENoiseOnEveryEncoder(t *testing.T) {
	t.Parallel()
	st, orig := ogmState(t, 3, 10, tensor.Float64)
	m := newOGMGE(0.5, 0, 0, []int{0, 1})
	if err := m.After(st); err != nil {
		t.Fatal(err)
	}
	weak := groupValues(st.Grads[1])
	for part, r := range [][2]int{{0, 1000}, {1000, 2000}} {
		noise := make([]float64, r[1]-r[0])
		for j := range noise {
			noise[j] = weak[r[0]+j] - orig[1][r[0]+j]
		}
		_, ns := meanAndStd(noise)
		_, gs := meanAndStd(orig[1][r[0]:r[1]])
		if math.Abs(ns-gs) > 4*gs/math.Sqrt(2000) {
			t.Errorf("weaker encoder, tensor %d: noise std %.3f, want its gradient's %.3f", part, ns, gs)
		}
	}
}

func TestOGMGEActiveWindow(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		start, end, step int
		active           bool
	}{
		{5, 10, 4, false},
		{5, 10, 5, true},
		{5, 10, 10, true},
		{5, 10, 11, false},
		{0, 0, 1, true},
		{0, 0, 100000, true}, // end 0: to the last step
		{3, 0, 2, false},
	} {
		st, orig := ogmState(t, c.step, 10, tensor.Float64)
		m := newOGMGE(1, c.start, c.end, []int{0, 1})
		// A coefficient left from an active step is reset by an inactive one.
		if prev, _ := ogmState(t, c.start, 10, tensor.Float64); !c.active {
			if err := m.After(prev); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.After(st); err != nil {
			t.Fatal(err)
		}
		var rec Record
		m.Log(&rec)
		k0 := metric(t, rec, OGMCoeff(0))
		changed := !slices.Equal(groupValues(st.Grads[0]), orig[0])
		if changed != c.active || (k0 < 1) != c.active {
			t.Errorf("window [%d, %d] at step %d: gradient changed %v, coefficient %v; want active %v", c.start, c.end, c.step, changed, k0, c.active)
		}
		if !c.active && !slices.Equal(groupValues(st.Grads[1]), orig[1]) {
			t.Errorf("window [%d, %d] at step %d: the weaker encoder's gradient changed", c.start, c.end, c.step)
		}
	}
}

func TestOGMGESoftmaxAndErrors(t *testing.T) {
	t.Parallel()
	// Softmax: 3 samples, 3 classes; encoder 1 is the surer one.
	labels := []float64{0, 2, 1}
	s0 := []float64{1, 0, 0, 0, 0, 1, 0, 1, 0}
	s1 := []float64{3, 0, 0, 0, 0, 3, 0, 3, 0}
	p0 := SoftmaxLoss{}.TrueClassProbability(s0, labels)
	e := math.E
	if want := e / (e + 2); !closeTo(p0[0], want, 1e-14, 0) || !closeTo(p0[2], want, 1e-14, 0) {
		t.Errorf("softmax true-class probabilities %v, want %v each", p0, want)
	}
	grads := func() [][]*tensor.Dense {
		return [][]*tensor.Dense{
			{newDense(tensor.Float64, tensor.Shape{4}, []float64{1, -2, 3, 0.5})},
			{newDense(tensor.Float64, tensor.Shape{4}, []float64{1, -2, 3, 0.5})},
		}
	}
	st := &StepState{Step: 1, Labels: labels, Loss: SoftmaxLoss{}, EncoderScores: [][]float64{s0, s1}, Grads: grads(), Rand: rng.New(1, "x")}
	m := newOGMGE(0.3, 0, 0, []int{0, 1})
	if err := m.After(st); err != nil {
		t.Fatal(err)
	}
	var rec Record
	m.Log(&rec)
	p1 := SoftmaxLoss{}.TrueClassProbability(s1, labels)
	rho := (p1[0] + p1[1] + p1[2]) / (p0[0] + p0[1] + p0[2])
	if got, want := metric(t, rec, OGMCoeff(1)), 1-math.Tanh(0.3*rho); !closeTo(got, want, 1e-12, 0) {
		t.Errorf("softmax: ogm_coeff_m1 = %v, want %v", got, want)
	}
	if got := metric(t, rec, OGMCoeff(0)); got != 1 {
		t.Errorf("softmax: ogm_coeff_m0 = %v, want 1", got)
	}

	// A regression loss has no true class.
	st = &StepState{Step: 1, Labels: []float64{0.5, -1}, Loss: SquaredLoss{}, EncoderScores: [][]float64{{1, 2}, {0, 1}}, Grads: grads(), Rand: rng.New(1, "x")}
	if err := m.After(st); err == nil || !strings.Contains(err.Error(), "classification") {
		t.Errorf("ogm-ge with a regression loss: error %v, want one asking for a classification loss", err)
	}
	// ... and so does Train on a regression task.
	ds := handData(t, dataset.Regression, 0, [][]int{{2, 3}, {2, 3}}, [3]int{10, 4, 4}, 3, randomLabels(dataset.Regression, 0))
	net, tc := methodNet(t, ds, "joint-ogm-ge", []int{0, 1}, partsModel("auto", lateFusion, mlpEnc("tanh", false, 3), mlpEnc("tanh", false, 3)),
		trainOpts{Optimizer: "gd", LR: 0.1, Steps: 3, LogEvery: 1}, MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-alpha": 0.5}}, 3)
	if _, err := Train(context.Background(), net, ds, tc, 3, nil); err == nil || !strings.Contains(err.Error(), "ogm-ge") {
		t.Errorf("Train of ogm-ge on a regression task: error %v, want an ogm-ge error", err)
	}
}

// ---------------------------------------------------------------------------
// gblend: weights proportional to G/O², re-estimated every GBlendEvery steps.

func TestGBlendEstimate(t *testing.T) {
	t.Parallel()
	newG := func() *gBlend {
		return newGBlend(3, []int{0, 1})
	}
	g := newG()
	for _, w := range g.weights {
		if w != 1.0/3 {
			t.Fatalf("initial weights %v, want 1/3 each", g.weights)
		}
	}
	// Heads: fused, m0, m1. G = lastVal - val; O = (val - train) - (lastVal - lastTrain).
	g.lastTrain, g.lastVal = []float64{0.6, 0.65, 0.69}, []float64{0.7, 0.7, 0.7}
	train, val := []float64{0.3, 0.5, 0.68}, []float64{0.5, 0.6, 0.71}
	// fused: G = 0.2, O = 0.2 - 0.1 = 0.1 -> 20; m0: G = 0.1, O = 0.1 - 0.05 = 0.05 -> 40; m1: G < 0 -> 0.
	g.estimate(train, val)
	want := []float64{20.0 / 60, 40.0 / 60, 0}
	for h := range want {
		if !closeTo(g.weights[h], want[h], 1e-9, 1e-15) {
			t.Errorf("weights %v, want %v", g.weights, want)
			break
		}
	}
	if sum := g.weights[0] + g.weights[1] + g.weights[2]; !closeTo(sum, 1, 1e-15, 0) {
		t.Errorf("weights sum to %v", sum)
	}

	// No head generalised: the last weights stay.
	last := slices.Clone(g.weights)
	g.lastTrain, g.lastVal = train, val
	g.estimate([]float64{0.2, 0.4, 0.6}, []float64{0.5, 0.65, 0.72})
	if !slices.Equal(g.weights, last) {
		t.Errorf("weights %v after no gain, want the last ones %v", g.weights, last)
	}

	// A head that generalises without overfitting more (O = 0) takes
	// nearly all the weight, and the weights stay finite.
	g = newG()
	g.lastTrain, g.lastVal = []float64{0.5, 0.5, 0.5}, []float64{0.7, 0.7, 0.7}
	g.estimate([]float64{0.4, 0.3, 0.45}, []float64{0.6, 0.6, 0.65})
	// fused: G 0.1, O 0 -> 1e11; m0: G 0.1, O 0.1 -> 10; m1: G 0.05, O 0 -> 5e10.
	if !(g.weights[0] > 0.66 && g.weights[0] < 0.67 && g.weights[2] > 0.33 && g.weights[1] < 1e-9) {
		t.Errorf("weights %v, want about 2/3, 0, 1/3", g.weights)
	}
	if sum := g.weights[0] + g.weights[1] + g.weights[2]; !closeTo(sum, 1, 1e-12, 0) {
		t.Errorf("weights sum to %v", sum)
	}
}

func TestGBlendBeforeReestimatesEveryN(t *testing.T) {
	t.Parallel()
	const every, steps = 3, 10
	m := newGBlend(every, []int{0, 1})
	if obj := gBlendMethod.objective; !obj.PerEncoder || obj.Distill {
		t.Errorf("objective %+v, want the per-encoder losses", obj)
	}
	var calls []int
	step := 0
	// Validation losses fall by 0.1 (fused), 0.05 (m0) and rise (m1) per
	// estimate, training losses by twice as much.
	st := &StepState{Weights: make([]float64, 3), Update: []bool{true, true},
		HeadLosses: func() ([]float64, []float64, error) {
			calls = append(calls, step)
			c := float64(len(calls))
			return []float64{1 - 0.2*c, 1 - 0.1*c, 1}, []float64{1 - 0.1*c, 1 - 0.05*c, 1 + 0.01*c}, nil
		}}
	for step = 1; step <= steps; step++ {
		st.reset(step)
		if err := m.Before(st); err != nil {
			t.Fatal(err)
		}
		var rec Record
		m.Log(&rec)
		logged := []float64{metric(t, rec, GBlendFused), metric(t, rec, GBlendWeight(0)), metric(t, rec, GBlendWeight(1))}
		if !slices.Equal(st.Weights, logged) {
			t.Errorf("step %d: weights %v, logged %v", step, st.Weights, logged)
		}
		if step <= every && !slices.Equal(st.Weights, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}) {
			t.Errorf("step %d: weights %v before the first estimate, want 1/3 each", step, st.Weights)
		}
		if step > every {
			// G: 0.1, 0.05, < 0; O: 0.1, 0.05 -> w: 10, 20, 0.
			want := []float64{1.0 / 3, 2.0 / 3, 0}
			for h := range want {
				if !closeTo(st.Weights[h], want[h], 1e-9, 1e-12) {
					t.Errorf("step %d: weights %v, want %v", step, st.Weights, want)
					break
				}
			}
		}
	}
	if want := []int{1, 4, 7, 10}; !slices.Equal(calls, want) {
		t.Errorf("HeadLosses called at steps %v, want %v", calls, want)
	}
	// Its errors are Before's.
	boom := errors.New("boom")
	st.HeadLosses = func() ([]float64, []float64, error) { return nil, nil, boom }
	st.reset(4*every + 1) // a step that re-estimates
	if err := m.Before(st); !errors.Is(err, boom) {
		t.Errorf("Before with a failing HeadLosses: %v, want it wrapped", err)
	}
}

// HeadLosses, as Train gives it, is the loss of the fused scores and of
// each encoder's on the training and validation splits.
func TestHeadLosses(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 5)
	net, tc := methodNet(t, ds, "joint", []int{1, 0}, trainModel, trainOpts{Optimizer: "gd", LR: 1, Steps: 1, LogEvery: 1}, MethodConfig{Name: "gblend", Settings: SettingValues{"gblend-every": 1}}, 5)
	tr, err := newTrainer(net, ds, tc, Objective{PerEncoder: true}, rng.New(5, "b"))
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := tr.headLosses()
	if err != nil {
		t.Fatal(err)
	}
	scores := referenceScores(net, ds.Train)
	vscores := referenceScores(net, ds.Val)
	for k, c := range []struct {
		got    []float64
		scores [][]float64
		split  *dataset.Split
	}{{train, scores, ds.Train}, {val, vscores, ds.Val}} {
		fused := make([]float64, c.split.Len())
		for i := range fused {
			fused[i] = c.scores[0][i] + c.scores[1][i]
		}
		want := []float64{}
		for _, s := range append([][]float64{fused}, c.scores...) {
			l, _ := LogisticLoss{}.Evaluate(s, c.split.Labels)
			want = append(want, l)
		}
		if len(c.got) != 3 {
			t.Fatalf("split %d: %d losses, want 3", k, len(c.got))
		}
		for h := range want {
			if !closeTo(c.got[h], want[h], 1e-10, 0) {
				t.Errorf("split %d: head losses %v, want %v", k, c.got, want)
				break
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Configuration and errors.

func TestMethodConfigValidate(t *testing.T) {
	t.Parallel()
	if got, want := Methods().Names(), []string{"alternating", "gblend", "naive", "ogm-ge", "ume", "umt"}; !slices.Equal(got, want) {
		t.Errorf("Methods() = %v, want %v", got, want)
	}
	for _, c := range []struct {
		cfg   MethodConfig
		field string // "" when valid
	}{
		{MethodConfig{Name: "naive"}, ""},
		{MethodConfig{Name: "ume"}, ""},
		{MethodConfig{Name: "alternating"}, ""},
		{MethodConfig{Name: "ogm-ge"}, ""},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-alpha": 0.5, "ogm-start": 10, "ogm-end": 20}}, ""},
		{MethodConfig{Name: "umt"}, ""},
		{MethodConfig{Name: "gblend", Settings: SettingValues{"gblend-every": 1}}, ""},
		// The settings of other methods are not checked.
		{MethodConfig{Name: "ume", Settings: SettingValues{"ogm-alpha": -1, "umt-weight": -1, "gblend-every": 0}}, ""},
		{MethodConfig{Name: "bogus"}, "method"},
		{MethodConfig{Name: ""}, "method"},
		{MethodConfig{Name: "Naive"}, "method"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-alpha": -0.1}}, "ogm-alpha"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-alpha": math.NaN()}}, "ogm-alpha"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-alpha": math.Inf(1)}}, "ogm-alpha"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-start": -1}}, "ogm-start"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-end": -1}}, "ogm-end"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-start": 5, "ogm-end": 1}}, "ogm-end"},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-start": 5, "ogm-end": 5}}, ""},
		{MethodConfig{Name: "ogm-ge", Settings: SettingValues{"ogm-start": 5, "ogm-end": 0}}, ""},
		{MethodConfig{Name: "umt", Settings: SettingValues{"umt-weight": -0.5}}, "umt-weight"},
		{MethodConfig{Name: "umt", Settings: SettingValues{"umt-weight": math.Inf(1)}}, "umt-weight"},
		{MethodConfig{Name: "gblend", Settings: SettingValues{"gblend-every": 0}}, "gblend-every"},
		{MethodConfig{Name: "gblend", Settings: SettingValues{"gblend-every": -3}}, "gblend-every"},
	} {
		err := c.cfg.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%+v: %v, want valid", c.cfg, err)
			}
			continue
		}
		var fe *check.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: error %v, want one about %s", c.cfg, err, c.field)
		}
	}
}

func TestTrainMethodErrors(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 2)
	o := trainOpts{Optimizer: "gd", LR: 1, Steps: 3, LogEvery: 1}
	train := func(mc ModelConfig, mods []int, method MethodConfig, teachers [][]float64) error {
		net, tc := methodNet(t, ds, "n", mods, mc, o, method, 2)
		tc.Teachers = teachers
		_, err := Train(context.Background(), net, ds, tc, 2, nil)
		return err
	}
	// umt needs one teacher per encoder.
	for _, teachers := range [][][]float64{nil, {make([]float64, ds.Train.Len())}} {
		if err := train(trainModel, []int{0, 1}, MethodConfig{Name: "umt", Settings: SettingValues{"umt-weight": 1}}, teachers); err == nil || !strings.Contains(err.Error(), "teacher") {
			t.Errorf("umt with %d teachers: error %v, want one about teachers", len(teachers), err)
		}
	}
	// Teachers of the wrong size.
	bad := [][]float64{make([]float64, 3), make([]float64, ds.Train.Len())}
	if err := train(trainModel, []int{0, 1}, MethodConfig{Name: "umt", Settings: SettingValues{"umt-weight": 1}}, bad); err == nil {
		t.Error("umt with a teacher of 3 scores for 30 samples: no error")
	}
	// An invalid method configuration.
	if err := train(trainModel, []int{0, 1}, MethodConfig{Name: "gblend"}, nil); err == nil || !strings.Contains(err.Error(), "gblend-every") {
		t.Errorf("gblend every 0: error %v", err)
	}
	if err := train(trainModel, []int{0, 1}, MethodConfig{Name: "nope"}, nil); err == nil || !strings.Contains(err.Error(), "method") {
		t.Errorf("unknown method: error %v", err)
	}
	// Every method but naive reads the encoders' own scores: not under
	// concatenation fusion.
	concat := cloneModel(trainModel)
	concat.Fusion = FusionConfig{Kind: "concat", Activation: "relu", Scale: 1, Optimizer: "gd", LR: 1}
	teachers := [][]float64{make([]float64, ds.Train.Len()), make([]float64, ds.Train.Len())}
	for _, name := range Methods().Names() {
		cfg := MethodConfig{Name: name, Settings: SettingValues{"ogm-alpha": 0.5, "umt-weight": 1, "gblend-every": 2}}
		err := train(concat, []int{0, 1}, cfg, teachers)
		if name == "naive" {
			if err != nil {
				t.Errorf("naive with concat fusion: %v", err)
			}
			continue
		}
		var fe *check.FieldError
		if !errors.As(err, &fe) || fe.Field != "fusion" || !strings.Contains(fe.Want, "late") {
			t.Errorf("%s with concat fusion: error %v, want a fusion error asking for late", name, err)
		}
	}
	// The zero method is naive.
	a := trainRun(t, ds, "joint", []int{0, 1}, trainModel, o, 2, nil)
	_, b := methodTrain(t, ds, "joint", []int{0, 1}, trainModel, o, MethodConfig{Name: "naive"}, nil, 2, nil)
	if !sameResult(a, b) {
		t.Error("training with the zero MethodConfig differs from naive")
	}
}

// Under mini-batches, each step's batch carries its samples' teacher scores
// and labels.
func TestMiniBatchTeachersAndLabels(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 3)
	n := ds.Train.Len()
	net, tc := methodNet(t, ds, "joint-umt", []int{0, 1}, trainModel, trainOpts{Optimizer: "sgd", LR: 0.5, Steps: 10, BatchSize: 8, LogEvery: 1}, MethodConfig{Name: "umt", Settings: SettingValues{"umt-weight": 1}}, 3)
	tc.Teachers = make([][]float64, 2)
	for i := range tc.Teachers {
		tc.Teachers[i] = make([]float64, n)
		for s := range tc.Teachers[i] {
			tc.Teachers[i][s] = float64(100*i + s)
		}
	}
	tr, err := newTrainer(net, ds, tc, Objective{Distill: true, EncoderScores: true}, rng.New(3, "b"))
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 6; step++ { // more than one pass over the 30 samples
		if _, err := tr.gradient(); err != nil {
			t.Fatal(err)
		}
		idx := tr.perm[tr.next-tc.BatchSize : tr.next]
		for k, s := range idx {
			for i := range tc.Teachers {
				if got := float64s(tr.update.teachers[i])[k]; got != tc.Teachers[i][s] {
					t.Fatalf("step %d: batch row %d holds teacher %d's score %v, want sample %d's %v", step, k, i, got, s, tc.Teachers[i][s])
				}
			}
			if tr.batchLabels[k] != ds.Train.Labels[s] {
				t.Fatalf("step %d: batch label %d is %v, want sample %d's %v", step, k, tr.batchLabels[k], s, ds.Train.Labels[s])
			}
		}
	}
}

// Every method trains a small joint network to the end, under full-batch
// gd and under sgd, deterministically, logs its own metrics and trains
// differently from naive.
func TestEveryMethodTrains(t *testing.T) {
	t.Parallel()
	const seed = 11
	ds := trainData(t, seed)
	mods := []int{0, 1}
	for _, o := range []trainOpts{
		{Optimizer: "gd", LR: 1, Steps: 20, LogEvery: 5},
		{Optimizer: "sgd", LR: 0.5, Steps: 20, BatchSize: 8, LogEvery: 5},
	} {
		teachers := uniTeachers(t, ds, mods, trainModel, o, seed)
		_, naive := methodTrain(t, ds, "joint", mods, trainModel, o, MethodConfig{Name: "naive"}, nil, seed, nil)
		for _, name := range Methods().Names() {
			t.Run(o.Optimizer+"/"+name, func(t *testing.T) {
				t.Parallel()
				cfg := MethodConfig{Name: name, Settings: SettingValues{"ogm-alpha": 0.5, "umt-weight": 0.5, "gblend-every": 4}}
				run := func() *Result {
					_, res := methodTrain(t, ds, "joint", mods, trainModel, o, cfg, teachers, seed, nil)
					return res
				}
				res := run()
				if len(res.Log) != 5 || res.Steps != o.Steps {
					t.Fatalf("%d records after %d steps, want 5 after %d", len(res.Log), res.Steps, o.Steps)
				}
				if again := run(); !sameResult(res, again) {
					t.Error("two runs differ")
				}
				if name != "naive" && sameLog(res.Log, naive.Log) {
					t.Error("the same log as naive training")
				}
				for _, rec := range res.Log {
					var own []string
					for _, m := range rec.Metrics {
						if strings.HasPrefix(m.Name, "ogm_") || strings.HasPrefix(m.Name, "gblend_") {
							own = append(own, m.Name)
						}
					}
					switch name {
					case "ogm-ge":
						if !slices.Equal(own, []string{OGMCoeff(0), OGMCoeff(1)}) {
							t.Fatalf("step %d: method metrics %v", rec.Step, own)
						}
						k0, k1 := metric(t, rec, OGMCoeff(0)), metric(t, rec, OGMCoeff(1))
						if !(k0 > 0 && k0 <= 1 && k1 > 0 && k1 <= 1) || (rec.Step > 0 && k0 < 1 && k1 < 1) {
							t.Errorf("step %d: coefficients %v, %v: want in (0, 1], at most one below 1", rec.Step, k0, k1)
						}
					case "gblend":
						if !slices.Equal(own, []string{GBlendFused, GBlendWeight(0), GBlendWeight(1)}) {
							t.Fatalf("step %d: method metrics %v", rec.Step, own)
						}
						sum := 0.0
						for _, m := range own {
							w := metric(t, rec, m)
							if !(w >= 0 && w <= 1) {
								t.Errorf("step %d: %s = %v", rec.Step, m, w)
							}
							sum += w
						}
						if !closeTo(sum, 1, 1e-12, 0) {
							t.Errorf("step %d: gblend weights sum to %v", rec.Step, sum)
						}
					default:
						if len(own) > 0 {
							t.Fatalf("step %d: %s logs %v", rec.Step, name, own)
						}
					}
				}
				if name == "gblend" {
					moved := false
					for _, rec := range res.Log[1:] {
						moved = moved || metric(t, rec, GBlendFused) != 1.0/3
					}
					if !moved {
						t.Error("the blending weights never left 1/3")
					}
				}
				if name == "ogm-ge" {
					modulated := false
					for _, rec := range res.Log[1:] {
						modulated = modulated || metric(t, rec, OGMCoeff(0)) < 1 || metric(t, rec, OGMCoeff(1)) < 1
					}
					if !modulated {
						t.Error("no logged step was modulated")
					}
				}
			})
		}
	}
}
