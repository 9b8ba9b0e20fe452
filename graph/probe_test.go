package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// probeGen draws a split of n samples with h features from a seeded stream:
// feature(r, x) fills the row x, label(r, x) returns its label.
func probeGen(seed uint64, n, h int, feature func(r *rand.Rand, x []float64, i int), label func(r *rand.Rand, x []float64, i int) float64) ProbeData {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := ProbeData{X: make([]float64, n*h), H: h, Labels: make([]float64, n)}
	for i := range n {
		x := d.X[i*h : (i+1)*h]
		feature(r, x, i)
		d.Labels[i] = label(r, x, i)
	}
	return d
}

// probeSplits draws train, validation and test splits of the given sizes.
func probeSplits(seed uint64, sizes [3]int, h int, feature func(r *rand.Rand, x []float64, i int), label func(r *rand.Rand, x []float64, i int) float64) (train, val, test ProbeData) {
	return probeGen(seed, sizes[0], h, feature, label),
		probeGen(seed+1, sizes[1], h, feature, label),
		probeGen(seed+2, sizes[2], h, feature, label)
}

func gaussianRow(r *rand.Rand, x []float64, _ int) {
	for j := range x {
		x[j] = r.NormFloat64()
	}
}

// probeDir is a fixed unit direction in R^h.
func probeDir(seed uint64, h int) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	w := make([]float64, h)
	var norm float64
	for j := range w {
		w[j] = r.NormFloat64()
		norm += w[j] * w[j]
	}
	for j := range w {
		w[j] /= math.Sqrt(norm)
	}
	return w
}

func dotProbe(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestLinearProbeAccuracy(t *testing.T) {
	const h = 20
	wStar := probeDir(1, h)
	// Separable with a margin: the label is the sign along w*, and the
	// sample is pushed 1 further away from the boundary.
	signRow := func(r *rand.Rand, x []float64, i int) {
		gaussianRow(r, x, i)
		y := 1.0
		if dotProbe(wStar, x) < 0 {
			y = -1
		}
		for j := range x {
			x[j] += y * wStar[j]
		}
	}
	signLabel := func(_ *rand.Rand, x []float64, _ int) float64 {
		if dotProbe(wStar, x) > 0 {
			return 1
		}
		return -1
	}
	// Features on wildly different scales and offsets: standardisation must
	// undo them.
	scaledRow := func(r *rand.Rand, x []float64, i int) {
		signRow(r, x, i)
		for j := range x {
			x[j] = x[j]*math.Pow(10, float64(j%5-2)) + float64(100*j)
		}
	}
	scaledLabel := func(_ *rand.Rand, x []float64, _ int) float64 {
		var s float64
		for j := range x {
			s += wStar[j] * (x[j] - float64(100*j)) / math.Pow(10, float64(j%5-2))
		}
		if s > 0 {
			return 1
		}
		return -1
	}
	randomLabel := func(r *rand.Rand, _ []float64, _ int) float64 {
		if r.IntN(2) == 0 {
			return -1
		}
		return 1
	}
	const classes = 4
	classRow := func(r *rand.Rand, x []float64, i int) {
		gaussianRow(r, x, i)
		x[i%classes] += 3 // class-dependent mean 3 e_c
	}
	classLabel := func(_ *rand.Rand, _ []float64, i int) float64 { return float64(i % classes) }

	tests := []struct {
		name     string
		task     dataset.Task
		classes  int
		sizes    [3]int
		row      func(*rand.Rand, []float64, int)
		label    func(*rand.Rand, []float64, int) float64
		minTest  float64
		maxTest  float64
		minTrain float64
	}{
		{"separable binary", dataset.Binary, 2, [3]int{500, 300, 2000}, signRow, signLabel, 0.99, 1, 1},
		{"separable binary, scaled features", dataset.Binary, 2, [3]int{500, 300, 2000}, scaledRow, scaledLabel, 0.99, 1, 1},
		{"noise binary", dataset.Binary, 2, [3]int{400, 400, 4000}, gaussianRow, randomLabel, 0.46, 0.54, 0},
		{"multiclass means", dataset.Multiclass, classes, [3]int{400, 400, 2000}, classRow, classLabel, 0.9, 1, 0.9},
		{"noise multiclass", dataset.Multiclass, classes, [3]int{400, 400, 4000}, gaussianRow,
			func(r *rand.Rand, _ []float64, _ int) float64 { return float64(r.IntN(classes)) }, 0.21, 0.29, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			train, val, test := probeSplits(11, tc.sizes, h, tc.row, tc.label)
			res, err := LinearProbe(tc.task, tc.classes, train, val, test)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", res)
			if res.TestAcc < tc.minTest || res.TestAcc > tc.maxTest {
				t.Errorf("test accuracy %.4f, want in [%g, %g]", res.TestAcc, tc.minTest, tc.maxTest)
			}
			if res.TrainAcc < tc.minTrain {
				t.Errorf("train accuracy %.4f, want at least %g", res.TrainAcc, tc.minTrain)
			}
			if !probeInGrid(res.Lambda) {
				t.Errorf("lambda %g not in the grid %v", res.Lambda, probeLambdas)
			}
		})
	}
}

func probeInGrid(l float64) bool {
	for _, g := range probeLambdas {
		if g == l {
			return true
		}
	}
	return false
}

// TestLinearProbeSeparableTerminates: a training set separated with a wide
// margin has no finite optimum without the L2 term; the iteration cap must
// stop the small lambdas and the probe must still be exact and deterministic.
func TestLinearProbeSeparableTerminates(t *testing.T) {
	const h = 30
	w := probeDir(3, h)
	row := func(r *rand.Rand, x []float64, i int) {
		gaussianRow(r, x, i)
		y := float64(1 - 2*(i%2))
		for j := range x {
			x[j] += 5 * y * w[j] // margin 5 along w
		}
	}
	label := func(_ *rand.Rand, _ []float64, i int) float64 { return float64(1 - 2*(i%2)) }
	train, val, test := probeSplits(5, [3]int{300, 200, 500}, h, row, label)
	a, err := LinearProbe(dataset.Binary, 2, train, val, test)
	if err != nil {
		t.Fatal(err)
	}
	if a.TrainAcc != 1 || a.ValAcc != 1 || a.TestAcc != 1 {
		t.Errorf("accuracies %+v, want all 1", a)
	}
	// Every lambda separates perfectly: the tie goes to the largest.
	if a.Lambda != probeLambdas[len(probeLambdas)-1] {
		t.Errorf("lambda %g, want the largest %g on a tie", a.Lambda, probeLambdas[len(probeLambdas)-1])
	}
	b, err := LinearProbe(dataset.Binary, 2, train, val, test)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("not deterministic: %+v then %+v", a, b)
	}
}

// TestLinearProbeTieLargerLambda: with only constant features every lambda
// gives the same model (the bias alone), so the largest lambda is selected.
func TestLinearProbeTieLargerLambda(t *testing.T) {
	row := func(_ *rand.Rand, x []float64, _ int) { x[0], x[1] = 3, -0.1 }
	label := func(_ *rand.Rand, _ []float64, i int) float64 {
		if i%4 == 0 {
			return -1
		}
		return 1
	}
	train, val, test := probeSplits(1, [3]int{40, 40, 40}, 2, row, label)
	res, err := LinearProbe(dataset.Binary, 2, train, val, test)
	if err != nil {
		t.Fatal(err)
	}
	want := ProbeResult{TrainAcc: 0.75, ValAcc: 0.75, TestAcc: 0.75, Lambda: 10}
	if res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
}

func TestLinearProbeRidge(t *testing.T) {
	const h = 15
	wStar := probeDir(2, h)
	tests := []struct {
		name      string
		sizes     [3]int
		noise     float64
		signal    float64
		minR2     float64 // on test
		maxR2     float64
		minLambda float64
		maxLambda float64
	}{
		// An exact linear target: less shrinkage is always better.
		{"exact target", [3]int{200, 100, 500}, 0, 1, 0.999, 1, 1e-4, 1e-4},
		{"small noise", [3]int{200, 100, 500}, 0.01, 1, 0.999, 1, 1e-4, 1e-2},
		// Few training samples, a weak signal and strong noise: the
		// unregularised fit memorises the noise, and shrinkage wins on
		// validation.
		{"strong noise", [3]int{25, 1000, 1000}, 3, 0.3, -0.1, 0.1, 1, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			label := func(r *rand.Rand, x []float64, _ int) float64 {
				return tc.signal*dotProbe(wStar, x) + 2 + tc.noise*r.NormFloat64()
			}
			train, val, test := probeSplits(21, tc.sizes, h, gaussianRow, label)
			res, err := LinearProbe(dataset.Regression, 0, train, val, test)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", res)
			if res.TestAcc < tc.minR2 || res.TestAcc > tc.maxR2 {
				t.Errorf("test R² %.6f, want in [%g, %g]", res.TestAcc, tc.minR2, tc.maxR2)
			}
			if res.Lambda < tc.minLambda || res.Lambda > tc.maxLambda {
				t.Errorf("lambda %g, want in [%g, %g]", res.Lambda, tc.minLambda, tc.maxLambda)
			}
		})
	}
}

// TestLinearProbeStrongNoiseLambda: two Gaussian classes, means ±1.5 w in
// 40 dimensions with unit noise, and only 30 training samples. A small
// lambda separates the training set along the noise (the max-margin
// direction); a large one keeps the direction of the class means, which is
// what generalises, and wins on validation. (A regression counterpart is
// the "strong noise" case of TestLinearProbeRidge.) Over 20 seeds of this
// construction the selected lambda was 1 or 10 every time.
func TestLinearProbeStrongNoiseLambda(t *testing.T) {
	const h = 40
	w := probeDir(4, h)
	row := func(r *rand.Rand, x []float64, i int) {
		y := float64(1 - 2*(i%2))
		for j := range x {
			x[j] = r.NormFloat64() + 1.5*y*w[j]
		}
	}
	label := func(_ *rand.Rand, _ []float64, i int) float64 { return float64(1 - 2*(i%2)) }
	train, val, test := probeSplits(100, [3]int{30, 1000, 1000}, h, row, label)
	res, err := LinearProbe(dataset.Binary, 2, train, val, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Lambda < 1 {
		t.Errorf("lambda %g, want at least 1", res.Lambda)
	}
	if res.TrainAcc != 1 {
		t.Errorf("train accuracy %g, want 1 (30 samples in 40 dimensions)", res.TrainAcc)
	}
}

// TestProbeObjectiveGradient compares the analytic gradient of the logistic
// and softmax objectives with central finite differences.
func TestProbeObjectiveGradient(t *testing.T) {
	tests := []struct {
		name    string
		outputs int
		lambda  float64
	}{
		{"logistic", 1, 0.3},
		{"logistic, no L2", 1, 0},
		{"softmax 3", 3, 0.3},
		{"softmax 5, small L2", 5, 1e-3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const n, h = 17, 6
			r := rand.New(rand.NewPCG(uint64(tc.outputs), uint64(n)))
			p := &probeObjective{x: make([]float64, n*h), n: n, h: h, outputs: tc.outputs, y: make([]float64, n), lambda: tc.lambda}
			for k := range p.x {
				p.x[k] = r.NormFloat64()
			}
			for i := range p.y {
				if tc.outputs == 1 {
					p.y[i] = float64(2*r.IntN(2) - 1)
				} else {
					p.y[i] = float64(r.IntN(tc.outputs))
				}
			}
			dim := tc.outputs*h + tc.outputs
			params := make([]float64, dim)
			for k := range params {
				params[k] = r.NormFloat64()
			}
			grad := make([]float64, dim)
			p.eval(params, grad)
			scratch := make([]float64, dim)
			const eps = 1e-6
			for k := range params {
				old := params[k]
				params[k] = old + eps
				fp := p.eval(params, scratch)
				params[k] = old - eps
				fm := p.eval(params, scratch)
				params[k] = old
				fd := (fp - fm) / (2 * eps)
				if math.Abs(fd-grad[k]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("d/dparam[%d]: analytic %.10g, finite difference %.10g", k, grad[k], fd)
				}
			}
		})
	}
}

// TestProbeObjectiveValue checks the objective against a direct evaluation at
// a point: the logistic loss of margin m is log(1+exp(-m)) and the softmax
// loss of a uniform score row is log C.
func TestProbeObjectiveValue(t *testing.T) {
	x := []float64{1, 2, -1, 0.5}
	lg := &probeObjective{x: x, n: 2, h: 2, outputs: 1, y: []float64{1, -1}, lambda: 0.5}
	params := []float64{0.3, -0.2, 0.1} // w, b
	s0 := 0.3*1 - 0.2*2 + 0.1
	s1 := 0.3*-1 - 0.2*0.5 + 0.1
	want := (math.Log1p(math.Exp(-s0))+math.Log1p(math.Exp(s1)))/2 + 0.25*(0.09+0.04)
	if got := lg.eval(params, make([]float64, 3)); math.Abs(got-want) > 1e-12 {
		t.Errorf("logistic objective %v, want %v", got, want)
	}
	sm := &probeObjective{x: x, n: 2, h: 2, outputs: 3, y: []float64{0, 2}, lambda: 1}
	if got := sm.eval(make([]float64, 9), make([]float64, 9)); math.Abs(got-math.Log(3)) > 1e-12 {
		t.Errorf("softmax objective at zero %v, want log 3 = %v", got, math.Log(3))
	}
	// Huge margins must not overflow.
	big := &probeObjective{x: []float64{1e3, -1e3}, n: 2, h: 1, outputs: 1, y: []float64{-1, 1}}
	if got := big.eval([]float64{10, 0}, make([]float64, 2)); math.Abs(got-1e4) > 1e-6 {
		t.Errorf("logistic objective with margins -1e4: %v, want 1e4", got)
	}
}

// TestProbeMinimize minimises a badly scaled convex quadratic and the
// Rosenbrock function, stops an unbounded descent at the cap without an
// error, and reports a NaN objective.
func TestProbeMinimize(t *testing.T) {
	scales := []float64{1, 10, 100, 1000, 0.1}
	quad := func(x, g []float64) float64 {
		var f float64
		for i, v := range x {
			d := v - float64(i)
			f += 0.5 * scales[i] * d * d
			g[i] = scales[i] * d
		}
		return f
	}
	rosen := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	tests := []struct {
		name string
		f    func(x, g []float64) float64
		x0   []float64
		want []float64
	}{
		{"quadratic", quad, make([]float64, 5), []float64{0, 1, 2, 3, 4}},
		{"rosenbrock", rosen, []float64{-1.2, 1}, []float64{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, err := probeMinimize(tc.f, tc.x0, 1000, 1e-9)
			if err != nil {
				t.Fatal(err)
			}
			for i := range x {
				if math.Abs(x[i]-tc.want[i]) > 1e-6 {
					t.Fatalf("x = %v, want %v", x, tc.want)
				}
			}
		})
	}
	t.Run("iteration cap", func(t *testing.T) {
		// exp(-x) decreases forever: only the cap stops it.
		evals := 0
		f := func(x, g []float64) float64 { evals++; g[0] = -math.Exp(-x[0]); return math.Exp(-x[0]) }
		x, err := probeMinimize(f, []float64{0}, 7, 1e-300)
		if err != nil {
			t.Fatal(err)
		}
		if x[0] <= 0 || evals > 200 {
			t.Errorf("x = %v after %d evaluations", x, evals)
		}
	})
	t.Run("NaN", func(t *testing.T) {
		nan := func(x, g []float64) float64 { g[0] = 0; return math.NaN() }
		if _, err := probeMinimize(nan, []float64{0}, 10, 1e-6); err == nil {
			t.Error("NaN objective: no error")
		}
	})
}

func TestProbeStandardizer(t *testing.T) {
	// Columns: constant 5, constant 0.1 (whose mean has a rounding error),
	// zero, and a varying column.
	const n, h = 7, 4
	x := make([]float64, n*h)
	for i := range n {
		x[i*h], x[i*h+1], x[i*h+2], x[i*h+3] = 5, 0.1, 0, float64(i*i)
	}
	s := newProbeStandardizer(x, n, h)
	z, err := s.apply(x)
	if err != nil {
		t.Fatal(err)
	}
	var mean, sq float64
	for i := range n {
		for j := range 3 {
			if z[i*h+j] != 0 {
				t.Errorf("constant column %d, sample %d standardised to %v, want 0", j, i, z[i*h+j])
			}
		}
		mean += z[i*h+3]
		sq += z[i*h+3] * z[i*h+3]
	}
	if math.Abs(mean/n) > 1e-12 || math.Abs(sq/n-1) > 1e-12 {
		t.Errorf("varying column: mean %v, variance %v; want 0, 1", mean/n, sq/n)
	}
	// Other splits use the training statistics; a constant column stays 0
	// whatever its value there.
	other, err := s.apply([]float64{7, -3, 2, 18})
	if err != nil {
		t.Fatal(err)
	}
	if other[0] != 0 || other[1] != 0 || other[2] != 0 {
		t.Errorf("constant columns of another split: %v, want 0", other[:3])
	}
	for _, v := range append(z, other...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite standardised value %v", v)
		}
	}

	// Extreme magnitudes: features of order 1e300 (whose squares overflow)
	// standardise exactly like features of order 1.
	big := make([]float64, len(x))
	for k, v := range x {
		big[k] = v * 1e300
	}
	zb, err := newProbeStandardizer(big, n, h).apply(big)
	if err != nil {
		t.Fatal(err)
	}
	for k := range z {
		if math.Abs(zb[k]-z[k]) > 1e-12 {
			t.Fatalf("features scaled by 1e300: standardised %v, want %v", zb, z)
		}
	}

	// A probe with a constant column works and ignores it.
	for _, task := range []dataset.Task{dataset.Binary, dataset.Regression} {
		row := func(r *rand.Rand, x []float64, _ int) { x[0], x[1] = 0.1, r.NormFloat64() }
		label := func(_ *rand.Rand, x []float64, _ int) float64 {
			if task == dataset.Regression {
				return 2*x[1] + 1
			}
			if x[1] > 0 {
				return 1
			}
			return -1
		}
		train, val, test := probeSplits(9, [3]int{200, 100, 200}, 2, row, label)
		res, err := LinearProbe(task, 2, train, val, test)
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		if res.TestAcc < 0.97 || math.IsNaN(res.TrainAcc) {
			t.Errorf("%s with a constant column: %+v", task, res)
		}
	}
}

func TestProbeAccuracy(t *testing.T) {
	tests := []struct {
		name    string
		task    dataset.Task
		outputs int
		scores  []float64
		labels  []float64
		want    float64
	}{
		{"binary, zero score is wrong", dataset.Binary, 1, []float64{0.5, -2, 0, 0}, []float64{1, -1, 1, -1}, 0.5},
		{"binary, all wrong", dataset.Binary, 1, []float64{-1, 1}, []float64{1, -1}, 0},
		{"multiclass arg max", dataset.Multiclass, 3, []float64{0, 1, 0, 5, 1, 2, 0, 0, 1}, []float64{1, 1, 2}, 2.0 / 3},
		{"R² perfect", dataset.Regression, 1, []float64{1, 2, 3}, []float64{1, 2, 3}, 1},
		{"R² of the mean", dataset.Regression, 1, []float64{2, 2, 2}, []float64{1, 2, 3}, 0},
		{"R² negative", dataset.Regression, 1, []float64{3, 2, 1}, []float64{1, 2, 3}, -3},
		{"R² constant labels", dataset.Regression, 1, []float64{1, 2}, []float64{4, 4}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := probeAccuracy(tc.task, tc.scores, tc.labels, tc.outputs); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLinearProbeErrors(t *testing.T) {
	good := func() ProbeData {
		return ProbeData{X: []float64{1, 2, 3, 4, 5, 7}, H: 2, Labels: []float64{1, -1, 1}}
	}
	with := func(f func(*ProbeData)) ProbeData {
		d := good()
		f(&d)
		return d
	}
	multi := func(labels ...float64) ProbeData {
		return ProbeData{X: []float64{1, 2, 3, 4, 5, 7}, H: 2, Labels: labels}
	}
	tests := []struct {
		name             string
		task             dataset.Task
		classes          int
		train, val, test ProbeData
		want             string
	}{
		{"unknown task", dataset.Task("ranking"), 2, good(), good(), good(), "unknown task"},
		{"multiclass with 1 class", dataset.Multiclass, 1, multi(0, 0, 0), multi(0, 0, 0), multi(0, 0, 0), "classes"},
		{"empty train", dataset.Binary, 2, ProbeData{H: 2}, good(), good(), "train: no samples"},
		{"empty validation", dataset.Binary, 2, good(), ProbeData{H: 2}, good(), "validation: no samples"},
		{"empty test", dataset.Binary, 2, good(), good(), ProbeData{H: 2}, "test: no samples"},
		{"H zero", dataset.Binary, 2, with(func(d *ProbeData) { d.H = 0 }), good(), good(), "H = 0"},
		{"H negative", dataset.Binary, 2, with(func(d *ProbeData) { d.H = -2 }), good(), good(), "H = -2"},
		{"H zero in test", dataset.Binary, 2, good(), good(), with(func(d *ProbeData) { d.H = 0 }), "test: H = 0"},
		{"H mismatch", dataset.Binary, 2, good(), with(func(d *ProbeData) { d.H = 3; d.X = make([]float64, 9) }), good(), "validation: H = 3, train has 2"},
		{"len X short", dataset.Binary, 2, with(func(d *ProbeData) { d.X = d.X[:5] }), good(), good(), "len(X) = 5"},
		{"len X long", dataset.Binary, 2, good(), good(), with(func(d *ProbeData) { d.X = append(d.X, 1, 2) }), "test: len(X) = 8"},
		{"NaN feature", dataset.Binary, 2, with(func(d *ProbeData) { d.X[3] = math.NaN() }), good(), good(), "feature 1 of sample 1 is NaN"},
		{"Inf feature", dataset.Binary, 2, good(), with(func(d *ProbeData) { d.X[0] = math.Inf(1) }), good(), "validation: feature 0 of sample 0 is +Inf"},
		{"-Inf feature", dataset.Regression, 0, good(), good(), with(func(d *ProbeData) { d.X[5] = math.Inf(-1) }), "test: feature 1 of sample 2 is -Inf"},
		{"binary label 0", dataset.Binary, 2, with(func(d *ProbeData) { d.Labels[1] = 0 }), good(), good(), "label 1 is 0"},
		{"binary label 2", dataset.Binary, 2, good(), good(), with(func(d *ProbeData) { d.Labels[2] = 2 }), "test: label 2 is 2"},
		{"binary label NaN", dataset.Binary, 2, with(func(d *ProbeData) { d.Labels[0] = math.NaN() }), good(), good(), "label 0 is NaN"},
		{"multiclass label too large", dataset.Multiclass, 3, multi(0, 1, 2), multi(0, 3, 1), multi(0, 1, 2), "validation: label 1 is 3"},
		{"multiclass label negative", dataset.Multiclass, 3, multi(0, -1, 2), multi(0, 1, 1), multi(0, 1, 2), "label 1 is -1"},
		{"multiclass label fractional", dataset.Multiclass, 3, multi(0, 1, 2), multi(0, 1, 1), multi(0, 1.5, 2), "test: label 1 is 1.5"},
		{"validation feature overflows", dataset.Binary, 2, with(func(d *ProbeData) { d.X = []float64{1e-300, 1, -1e-300, 2, 0, 3} }),
			with(func(d *ProbeData) { d.X[0] = 1e300 }), good(), "validation: feature 0 of sample 0 (1e+300) overflows"},
		{"regression label NaN", dataset.Regression, 0, with(func(d *ProbeData) { d.Labels[2] = math.NaN() }), good(), good(), "label 2 is NaN"},
		{"regression label Inf", dataset.Regression, 0, good(), with(func(d *ProbeData) { d.Labels[0] = math.Inf(-1) }), good(), "label 0 is -Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := LinearProbe(tc.task, tc.classes, tc.train, tc.val, tc.test)
			if err == nil {
				t.Fatalf("no error, result %+v", res)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	// The good splits themselves are accepted by every task.
	for _, task := range []dataset.Task{dataset.Binary, dataset.Regression} {
		if _, err := LinearProbe(task, 2, good(), good(), good()); err != nil {
			t.Errorf("%s on good data: %v", task, err)
		}
	}
	if _, err := LinearProbe(dataset.Multiclass, 3, multi(0, 1, 2), multi(0, 1, 2), multi(2, 1, 0)); err != nil {
		t.Errorf("multiclass on good data: %v", err)
	}
}

// BenchmarkLinearProbe: n = 2000 training samples (500 validation, 500
// test), H = 60, binary. "separable" has a margin, as the features of a
// trained encoder often do, so the small lambdas drive the weights far out;
// "noisy" flips 10% of the labels.
func BenchmarkLinearProbe(b *testing.B) {
	const h = 60
	w := probeDir(8, h)
	sign := func(x []float64) float64 {
		if dotProbe(w, x) < 0 {
			return -1
		}
		return 1
	}
	separable := func(r *rand.Rand, x []float64, i int) {
		gaussianRow(r, x, i)
		y := sign(x)
		for j := range x {
			x[j] += 0.5 * y * w[j]
		}
	}
	tests := []struct {
		name  string
		row   func(*rand.Rand, []float64, int)
		label func(*rand.Rand, []float64, int) float64
	}{
		{"separable", separable, func(_ *rand.Rand, x []float64, _ int) float64 { return sign(x) }},
		{"noisy", gaussianRow, func(r *rand.Rand, x []float64, _ int) float64 {
			if r.Float64() < 0.1 {
				return -sign(x)
			}
			return sign(x)
		}},
	}
	for _, tc := range tests {
		train, val, test := probeSplits(41, [3]int{2000, 500, 500}, h, tc.row, tc.label)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := LinearProbe(dataset.Binary, 2, train, val, test); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
