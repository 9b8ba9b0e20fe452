package graph

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/modcomp/modcomp/dataset"
)

// ProbeData is one split of frozen features: X is (n, H) row-major.
type ProbeData struct {
	X      []float64
	H      int
	Labels []float64
}

// ProbeResult is a fitted probe's scores; for regression the "accuracies" are R².
type ProbeResult struct {
	TrainAcc, ValAcc, TestAcc float64
	Lambda                    float64 // the selected L2 strength
}

// probeLambdas is the grid of L2 strengths LinearProbe selects from. The
// penalty is lambda/2 ||w||² added to the mean loss (the bias is not
// penalised).
var probeLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10}

// Solver settings of the logistic and softmax probes.
const (
	// probeMaxIter caps the L-BFGS iterations: a separable training set has
	// its optimum only because of the L2 term, far out for a small lambda,
	// and the probe uses the last iterate when the cap is reached.
	probeMaxIter = 500
	// probeGradTol stops L-BFGS when the infinity norm of the gradient of
	// the objective (a mean loss, of order 1) falls below it.
	probeGradTol = 1e-6
)

// LinearProbe fits a linear model on train for task (dataset.Binary: labels -1/+1, logistic regression;
// dataset.Multiclass: labels 0..classes-1, softmax regression; dataset.Regression: ridge regression),
// for each L2 strength in a fixed grid, picks the one with the best validation accuracy (ties: the larger
// strength), and reports train, validation and test accuracy of that model.
//
// Every feature is standardised with the mean and standard deviation of the
// training split (a constant feature becomes 0). For each lambda in
// {1e-4, 1e-3, 1e-2, 1e-1, 1, 10} the probe minimises the mean loss plus
// lambda/2 ||w||², the bias unpenalised: the mean cross-entropy with
// L-BFGS from zero weights, at most 500 iterations, for Binary and
// Multiclass; in closed form for Regression. Accuracy is sign agreement for
// Binary (a score of exactly 0 is wrong), arg max for Multiclass and
// R² = 1 - SS_res/SS_tot (0 when SS_tot is 0) for Regression. classes is
// used by Multiclass only (it must be at least 2).
//
// It returns an error for an unknown task, an empty split, H < 1, a split
// whose X does not hold n*H values or whose H differs from train's,
// non-finite features (or features of validation or test so much larger
// than on train that standardising overflows), and labels the task does not
// allow.
func LinearProbe(task dataset.Task, classes int, train, val, test ProbeData) (ProbeResult, error) {
	outputs := 1
	switch task {
	case dataset.Binary, dataset.Regression:
	case dataset.Multiclass:
		if classes < 2 {
			return ProbeResult{}, fmt.Errorf("linear probe: multiclass task with %d classes, want at least 2", classes)
		}
		outputs = classes
	default:
		return ProbeResult{}, fmt.Errorf("linear probe: unknown task %q, want %q, %q or %q",
			task, dataset.Binary, dataset.Multiclass, dataset.Regression)
	}
	if train.H < 1 {
		return ProbeResult{}, fmt.Errorf("linear probe: train: H = %d, want at least 1", train.H)
	}
	h := train.H
	splits := [3]ProbeData{train, val, test}
	names := [3]string{"train", "validation", "test"}
	for i, d := range splits {
		if err := probeCheck(d, h, task, classes); err != nil {
			return ProbeResult{}, fmt.Errorf("linear probe: %s: %w", names[i], err)
		}
	}

	std := newProbeStandardizer(train.X, len(train.Labels), h)
	var xs [3][]float64
	for i, d := range splits {
		var err error
		if xs[i], err = std.apply(d.X); err != nil {
			return ProbeResult{}, fmt.Errorf("linear probe: %s: %w", names[i], err)
		}
	}
	xTrain, xVal, xTest := xs[0], xs[1], xs[2]

	var fit func(lambda float64) (probeModel, error)
	switch task {
	case dataset.Regression:
		fit = newProbeRidge(xTrain, len(train.Labels), h, train.Labels).fit
	default:
		obj := &probeObjective{x: xTrain, n: len(train.Labels), h: h, outputs: outputs, y: train.Labels}
		fit = obj.fit
	}

	// Walk the grid from the largest lambda down and keep a model only when
	// it is strictly better on validation: ties go to the larger lambda.
	var (
		best    probeModel
		bestVal = math.Inf(-1)
		res     ProbeResult
	)
	for i := len(probeLambdas) - 1; i >= 0; i-- {
		lambda := probeLambdas[i]
		m, err := fit(lambda)
		if err != nil {
			return ProbeResult{}, fmt.Errorf("linear probe: lambda %g: %w", lambda, err)
		}
		acc := probeAccuracy(task, m.scores(xVal), val.Labels, outputs)
		if acc > bestVal || best.w == nil {
			best, bestVal = m, acc
			res.Lambda = lambda
		}
	}
	res.ValAcc = bestVal
	res.TrainAcc = probeAccuracy(task, best.scores(xTrain), train.Labels, outputs)
	res.TestAcc = probeAccuracy(task, best.scores(xTest), test.Labels, outputs)
	return res, nil
}

// probeCheck validates one split against the training width h and the task.
func probeCheck(d ProbeData, h int, task dataset.Task, classes int) error {
	n := len(d.Labels)
	if n == 0 {
		return errors.New("no samples")
	}
	if d.H != h {
		if d.H < 1 {
			return fmt.Errorf("H = %d, want at least 1", d.H)
		}
		return fmt.Errorf("H = %d, train has %d", d.H, h)
	}
	if len(d.X) != n*h {
		return fmt.Errorf("len(X) = %d, want n*H = %d*%d = %d", len(d.X), n, h, n*h)
	}
	for k, v := range d.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("feature %d of sample %d is %v", k%h, k/h, v)
		}
	}
	for i, y := range d.Labels {
		switch {
		case task == dataset.Binary && y != 1 && y != -1:
			return fmt.Errorf("label %d is %v, want -1 or +1", i, y)
		case task == dataset.Multiclass && (y != math.Trunc(y) || y < 0 || y >= float64(classes)):
			return fmt.Errorf("label %d is %v, want an integer in [0, %d)", i, y, classes)
		case task == dataset.Regression && (math.IsNaN(y) || math.IsInf(y, 0)):
			return fmt.Errorf("label %d is %v, want a finite number", i, y)
		}
	}
	return nil
}

// probeStandardizer maps feature j to (x/div[j] - mean[j]) * scale[j]:
// div[j] is the largest magnitude of the feature on the training split (so
// that no intermediate overflows, whatever the magnitude of the features),
// mean[j] and 1/scale[j] the mean and standard deviation of x/div[j] there,
// and scale[j] is 0 for a constant feature.
type probeStandardizer struct {
	div, mean, scale []float64
}

func newProbeStandardizer(x []float64, n, h int) probeStandardizer {
	s := probeStandardizer{div: make([]float64, h), mean: make([]float64, h), scale: make([]float64, h)}
	for i := range n {
		for j, v := range x[i*h : (i+1)*h] {
			s.div[j] = math.Max(s.div[j], math.Abs(v))
		}
	}
	for j, d := range s.div {
		if d == 0 {
			s.div[j] = 1 // an all-zero feature
		}
	}
	for i := range n {
		for j, v := range x[i*h : (i+1)*h] {
			s.mean[j] += v / s.div[j]
		}
	}
	floats.Scale(1/float64(n), s.mean)
	for i := range n {
		for j, v := range x[i*h : (i+1)*h] {
			d := v/s.div[j] - s.mean[j]
			s.scale[j] += d * d
		}
	}
	for j, ss := range s.scale {
		// The values are at most 1 in magnitude. The mean of a constant
		// feature can differ from its value by a rounding error, which
		// would otherwise be blown up to ±1: a standard deviation at the
		// level of rounding counts as constant.
		if sd := math.Sqrt(ss / float64(n)); sd > 1e-12 {
			s.scale[j] = 1 / sd
		} else {
			s.scale[j] = 0
		}
	}
	return s
}

// apply returns the standardised copy of x, (n, H) row-major, or an error if
// a value overflows (a feature of another split that is astronomically larger
// than on the training split).
func (s probeStandardizer) apply(x []float64) ([]float64, error) {
	h := len(s.mean)
	out := make([]float64, len(x))
	for k, v := range x {
		j := k % h
		if s.scale[j] == 0 {
			continue
		}
		z := (v/s.div[j] - s.mean[j]) * s.scale[j]
		if math.IsInf(z, 0) || math.IsNaN(z) {
			return nil, fmt.Errorf("feature %d of sample %d (%v) overflows when standardised with the training statistics", j, k/h, v)
		}
		out[k] = z
	}
	return out, nil
}

// probeModel is a fitted linear model: w is (outputs, H) row-major, b has one
// bias per output.
type probeModel struct {
	w, b []float64
}

// scores returns the (n, outputs) row-major scores of the standardised x.
func (m probeModel) scores(x []float64) []float64 {
	outputs := len(m.b)
	h := len(m.w) / outputs
	n := len(x) / h
	s := make([]float64, n*outputs)
	for i := range n {
		row := x[i*h : (i+1)*h]
		for c := range outputs {
			s[i*outputs+c] = floats.Dot(m.w[c*h:(c+1)*h], row) + m.b[c]
		}
	}
	return s
}

// probeAccuracy scores (n, outputs) predictions against labels.
func probeAccuracy(task dataset.Task, scores, labels []float64, outputs int) float64 {
	n := len(labels)
	switch task {
	case dataset.Binary:
		correct := 0
		for i, y := range labels {
			if scores[i]*y > 0 {
				correct++
			}
		}
		return float64(correct) / float64(n)
	case dataset.Multiclass:
		correct := 0
		for i, y := range labels {
			if floats.MaxIdx(scores[i*outputs:(i+1)*outputs]) == int(y) {
				correct++
			}
		}
		return float64(correct) / float64(n)
	default:
		mean := floats.Sum(labels) / float64(n)
		var ssRes, ssTot float64
		for i, y := range labels {
			r := y - scores[i]
			ssRes += r * r
			d := y - mean
			ssTot += d * d
		}
		if ssTot == 0 {
			return 0
		}
		return 1 - ssRes/ssTot
	}
}

// probeObjective is the L2-regularised mean cross-entropy of a linear model
// on standardised features x (n, h): logistic for outputs = 1 (labels ±1),
// softmax for outputs = C (labels 0..C-1). The parameters are W (outputs, h)
// row-major followed by the outputs biases.
type probeObjective struct {
	x       []float64
	n, h    int
	outputs int
	y       []float64
	lambda  float64

	scratch []float64 // one row of scores, for softmax
}

// eval returns the objective at params and writes its gradient into grad.
func (p *probeObjective) eval(params, grad []float64) float64 {
	if p.outputs == 1 {
		return p.evalLogistic(params, grad)
	}
	return p.evalSoftmax(params, grad)
}

// evalLogistic: f = 1/n sum_i log(1 + exp(-y_i s_i)) + lambda/2 ||w||²,
// s_i = w·x_i + b.
func (p *probeObjective) evalLogistic(params, grad []float64) float64 {
	h := p.h
	w, b := params[:h], params[h]
	gw := grad[:h]
	clear(grad)
	var loss, gb float64
	for i := range p.n {
		row := p.x[i*h : (i+1)*h]
		m := p.y[i] * (floats.Dot(w, row) + b) // margin
		// log(1+exp(-m)) and its derivative -sigma(-m), without overflow.
		var sig float64 // sigma(-m) = 1/(1+exp(m))
		if m > 0 {
			e := math.Exp(-m)
			loss += math.Log1p(e)
			sig = e / (1 + e)
		} else {
			e := math.Exp(m)
			loss += -m + math.Log1p(e)
			sig = 1 / (1 + e)
		}
		r := -p.y[i] * sig
		floats.AddScaled(gw, r, row)
		gb += r
	}
	inv := 1 / float64(p.n)
	loss *= inv
	floats.Scale(inv, gw)
	floats.AddScaled(gw, p.lambda, w)
	grad[h] = gb * inv
	return loss + 0.5*p.lambda*floats.Dot(w, w)
}

// evalSoftmax: f = 1/n sum_i (logsumexp(s_i) - s_{i,y_i}) + lambda/2 ||W||²,
// s_i = W x_i + b.
func (p *probeObjective) evalSoftmax(params, grad []float64) float64 {
	h, c := p.h, p.outputs
	w, b := params[:c*h], params[c*h:]
	gw, gb := grad[:c*h], grad[c*h:]
	clear(grad)
	if len(p.scratch) != c {
		p.scratch = make([]float64, c)
	}
	s := p.scratch
	var loss float64
	for i := range p.n {
		row := p.x[i*h : (i+1)*h]
		for k := range c {
			s[k] = floats.Dot(w[k*h:(k+1)*h], row) + b[k]
		}
		yi := int(p.y[i])
		mx := floats.Max(s)
		var z float64
		for k := range c {
			s[k] = math.Exp(s[k] - mx)
			z += s[k]
		}
		// loss_i = log z + mx - s_y; s now holds exp(s_k - mx).
		loss += math.Log(z) - math.Log(s[yi])
		for k := range c {
			r := s[k] / z // p_ik
			if k == yi {
				r--
			}
			if r != 0 {
				floats.AddScaled(gw[k*h:(k+1)*h], r, row)
			}
			gb[k] += r
		}
	}
	inv := 1 / float64(p.n)
	floats.Scale(inv, grad)
	floats.AddScaled(gw, p.lambda, w)
	return loss*inv + 0.5*p.lambda*floats.Dot(w, w)
}

// fit minimises the objective for lambda with gonum's L-BFGS from zero
// weights.
func (p *probeObjective) fit(lambda float64) (probeModel, error) {
	p.lambda = lambda
	dim := p.outputs*p.h + p.outputs
	x, err := probeMinimize(p.eval, make([]float64, dim), probeMaxIter, probeGradTol)
	if err != nil {
		return probeModel{}, err
	}
	return probeModel{w: x[:p.outputs*p.h], b: x[p.outputs*p.h:]}, nil
}

// probeMinimize minimises a smooth function from x0 with gonum/optimize's
// LBFGS (default Bisection line search) and returns the minimiser. eval
// returns the value at its first argument and writes the gradient into its
// second; optimize asks for both at the same point, and a one-point cache
// computes them in a single pass. It stops when the infinity norm of the
// gradient falls below gradTol or after maxIter major iterations; reaching
// the cap is not an error (the best iterate stands), nor is
// optimize.ErrNoProgress (the line search cannot move the iterate in
// floating point: it is a minimum to machine precision). Any other optimizer
// error, and a non-finite result, is returned.
func probeMinimize(eval func(x, grad []float64) float64, x0 []float64, maxIter int, gradTol float64) ([]float64, error) {
	dim := len(x0)
	var (
		cacheX = make([]float64, dim)
		cacheG = make([]float64, dim)
		cacheF float64
		cached bool
	)
	at := func(x []float64) {
		if !cached || !floats.Equal(x, cacheX) {
			cacheF = eval(x, cacheG)
			copy(cacheX, x)
			cached = true
		}
	}
	problem := optimize.Problem{
		Func: func(x []float64) float64 { at(x); return cacheF },
		Grad: func(g, x []float64) { at(x); copy(g, cacheG) },
	}
	settings := &optimize.Settings{
		GradientThreshold: gradTol,
		MajorIterations:   maxIter,
		// Only the gradient threshold and the cap stop the run: no stop on
		// a stalled function value.
		Converger: optimize.NeverTerminate{},
	}
	method := &optimize.LBFGS{GradStopThreshold: gradTol}
	res, err := optimize.Minimize(problem, x0, settings, method)
	if err != nil && (res == nil || !errors.Is(err, optimize.ErrNoProgress)) {
		return nil, fmt.Errorf("optimizer: %w", err)
	}
	for _, v := range res.X {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("optimizer: non-finite weights")
		}
	}
	return res.X, nil
}

// probeRidge solves ridge regression on standardised features in closed
// form: w = (XᵀX + n lambda I)⁻¹ Xᵀ(y - ȳ), b = ȳ - x̄ᵀw, which minimises
// 1/(2n) ||y - Xw - b||² + lambda/2 ||w||².
type probeRidge struct {
	n, h  int
	xtx   *mat.SymDense
	xty   *mat.VecDense
	xMean []float64
	yMean float64
}

func newProbeRidge(x []float64, n, h int, y []float64) *probeRidge {
	r := &probeRidge{n: n, h: h, xMean: make([]float64, h), yMean: floats.Sum(y) / float64(n)}
	// Centre the columns exactly (standardisation leaves rounding errors)
	// so that the intercept decouples.
	xc := make([]float64, len(x))
	copy(xc, x)
	for i := range n {
		floats.Add(r.xMean, xc[i*h:(i+1)*h])
	}
	floats.Scale(1/float64(n), r.xMean)
	for i := range n {
		floats.Sub(xc[i*h:(i+1)*h], r.xMean)
	}
	yc := make([]float64, n)
	for i, v := range y {
		yc[i] = v - r.yMean
	}
	xm := mat.NewDense(n, h, xc)
	r.xtx = mat.NewSymDense(h, nil)
	r.xtx.SymOuterK(1, xm.T())
	r.xty = mat.NewVecDense(h, nil)
	r.xty.MulVec(xm.T(), mat.NewVecDense(n, yc))
	return r
}

func (r *probeRidge) fit(lambda float64) (probeModel, error) {
	a := mat.NewSymDense(r.h, nil)
	a.CopySym(r.xtx)
	for j := range r.h {
		a.SetSym(j, j, a.At(j, j)+float64(r.n)*lambda)
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(a); !ok {
		return probeModel{}, errors.New("ridge system is not positive definite")
	}
	w := mat.NewVecDense(r.h, nil)
	if err := chol.SolveVecTo(w, r.xty); err != nil {
		// A Condition error only warns of ill-conditioning; the n lambda
		// on the diagonal bounds it, and the solution is still computed.
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return probeModel{}, fmt.Errorf("ridge solve: %w", err)
		}
	}
	wr := make([]float64, r.h)
	copy(wr, w.RawVector().Data)
	b := r.yMean - floats.Dot(r.xMean, wr)
	return probeModel{w: wr, b: []float64{b}}, nil
}
