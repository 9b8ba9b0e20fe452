package graph

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// TrainConfig says how to train a network; the update rule and learning
// rate of each part are in its ModelConfig.
type TrainConfig struct {
	Steps     int // T: number of updates
	BatchSize int // samples per update; 0 means the full training set
	LogEvery  int // evaluate and log every LogEvery steps (and at 0 and T)
	// LogSchedule says at which other steps to log: LogEvery alone
	// (LogScheduleEvery, the zero value) or, with LogScheduleGeometric,
	// also at steps 1, 2, 4, 8, ... where the escape race is decided.
	LogSchedule string
	// Probe adds to the final record of a completed training the linear
	// probes of each encoder's frozen features (see LinearProbe).
	Probe bool
	// Method is the training method; the zero value is plain training.
	Method MethodConfig
	// Teachers holds, for a method that distils (umt), each encoder's
	// teacher's scores on the training split, row-major like its scores.
	Teachers [][]float64
	// KeepTestCorrect keeps, under a classification loss, which test
	// samples each logged record classified correctly (Result.TestCorrect),
	// so that the run can be scored on other groups of the same samples
	// (Regroup) without training it again.
	KeepTestCorrect bool
}

// Validate reports the first setting outside its allowed range for training
// a network of model on nTrain samples: the steps, a batch size that every
// optimizer of the model accepts, the method's settings, and what the method
// needs of the model.
func (c TrainConfig) Validate(model ModelConfig, nTrain int) error {
	return c.validate(nTrain, model.trainedBy(), model.Fusion.Kind)
}

// validate checks c for a network trained by the named optimizers whose
// fusion is of the named kind.
func (c TrainConfig) validate(nTrain int, optimizerNames []string, fusion string) error {
	var ck check.Checker
	ck.PositiveInt("steps", -1, c.Steps)
	ck.PositiveInt("log-every", -1, c.LogEvery)
	if c.LogSchedule != "" {
		ck.OneOf("log-schedule", -1, c.LogSchedule, LogSchedules())
	}
	ck.NonNegativeInt("batch-size", -1, c.BatchSize)
	if c.BatchSize > nTrain {
		ck.Fail(&check.FieldError{Field: "batch-size", Index: -1, Value: c.BatchSize,
			Want: fmt.Sprintf("at most n-train = %d", nTrain)})
	}
	for _, name := range optimizerNames {
		if kind, ok := optimizers[name]; ok {
			kind.batch.check(name, c.BatchSize, nTrain, &ck)
		}
	}
	method := c.method()
	method.validate(&ck)
	if kind, ok := methods[method.Name]; ok && kind.objective.NeedsEncoderScores() && !fusions[fusion].usesHeads {
		var withHeads []string
		for _, f := range Fusions().Names() {
			if fusions[f].usesHeads {
				withHeads = append(withHeads, f)
			}
		}
		ck.Fail(&check.FieldError{Field: "fusion", Index: -1, Value: fmt.Sprintf("%q", fusion),
			Want: fmt.Sprintf("%s with method %s, which reads each encoder's own scores", either(withHeads), method.Name)})
	}
	return ck.Err()
}

// method is c's training method; the zero value is plain training.
func (c TrainConfig) method() MethodConfig {
	if c.Method.Name == "" {
		c.Method.Name = "naive"
	}
	return c.Method
}

// Log schedules: the steps at which Train evaluates and logs a Record.
const (
	// LogScheduleEvery logs at step 0, every LogEvery steps and at the last.
	LogScheduleEvery = "every"
	// LogScheduleGeometric logs at those steps and at 1, 2, 4, 8, ...: the
	// first few dozen steps, where a head escapes and the race between
	// modalities is decided, are then resolved in the curves.
	LogScheduleGeometric = "geometric"
)

// LogSchedules lists the log schedules a TrainConfig accepts.
func LogSchedules() []string { return []string{LogScheduleEvery, LogScheduleGeometric} }

// LogsAt reports whether training by c logs a Record at step (0 <= step <=
// c.Steps). The escape steps do not depend on it: they are tracked every step.
func (c TrainConfig) LogsAt(step int) bool {
	if step == 0 || step == c.Steps || (c.LogEvery > 0 && step%c.LogEvery == 0) {
		return true
	}
	return c.LogSchedule == LogScheduleGeometric && step&(step-1) == 0
}

// Status says how training ended.
type Status string

// How training can end.
const (
	Completed   Status = "completed"   // all steps done
	Diverged    Status = "diverged"    // the loss or a weight became NaN or infinite
	Interrupted Status = "interrupted" // the context was cancelled
)

// Observer receives every logged record as training goes; an error stops
// training and is returned by Train.
type Observer func(Record) error

// Result is the outcome of training one network.
type Result struct {
	Network string
	Status  Status
	Message string // why training stopped early, empty when completed
	Steps   int    // updates done
	Log     []Record
	// TestCorrect holds, with TrainConfig.KeepTestCorrect, per record of
	// Log, whether each test sample was classified correctly.
	TestCorrect [][]bool
}

// Final is the last logged record.
func (r *Result) Final() Record { return r.Log[len(r.Log)-1] }

// Train trains net on ds.Train and logs its metrics on all three splits at
// the steps of cfg's log schedule (TrainConfig.LogsAt): step 0, every
// cfg.LogEvery steps and the last, and with the geometric schedule steps 1,
// 2, 4, 8, ... too. Mini-batches are drawn from the random stream
// "train/batches/<network name>" of seed. Cancelling ctx
// stops training between two steps with status Interrupted; a NaN or infinite
// loss or weight stops it with status Diverged. The returned error is for
// failures of the machinery or of observe, not for these outcomes.
func Train(ctx context.Context, net *Network, ds *dataset.Dataset, cfg TrainConfig, seed uint64, observe Observer) (*Result, error) {
	if ds.Val == nil || ds.Test == nil {
		return nil, fmt.Errorf("train %s: the dataset has no validation and test splits (divide it with SplitByRatio)", net.Name)
	}
	if err := cfg.validate(ds.Train.Len(), net.optimizerNames, net.fusion); err != nil {
		return nil, fmt.Errorf("train %s: %w", net.Name, err)
	}
	mc := cfg.method()
	kind := methods[mc.Name]
	obj := kind.objective
	if obj.NeedsTeachers() && len(cfg.Teachers) != len(net.Encoders) {
		return nil, fmt.Errorf("train %s: method %s needs the scores of %d teachers, got %d", net.Name, mc.Name, len(net.Encoders), len(cfg.Teachers))
	}
	method := kind.build(mc.settings(), net.Modalities)
	t, err := newTrainer(net, ds, cfg, obj, rng.New(seed, "train/batches/"+net.Name))
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", net.Name, err)
	}
	st := t.newStepState(method, rng.New(seed, "train/method/"+net.Name))

	res := &Result{Network: net.Name, Status: Completed}
	logAt := func(step int) error {
		rec, correct, err := t.evaluate(step)
		if err != nil {
			return fmt.Errorf("train %s: evaluate at step %d: %w", net.Name, step, err)
		}
		method.Log(&rec)
		t.logEscapes(&rec)
		res.Log = append(res.Log, rec)
		if cfg.KeepTestCorrect {
			res.TestCorrect = append(res.TestCorrect, correct)
		}
		if observe != nil {
			return observe(rec)
		}
		return nil
	}
	if err := logAt(0); err != nil {
		return res, err
	}
	for step := 1; step <= cfg.Steps; step++ {
		if ctx.Err() != nil {
			res.Status, res.Message = Interrupted, fmt.Sprintf("interrupted after %d of %d steps", res.Steps, cfg.Steps)
			return res, nil
		}
		applied, diverged, err := t.trainStep(method, st, step)
		if applied {
			res.Steps = step
		}
		if err != nil {
			return res, fmt.Errorf("train %s: step %d: %w", net.Name, step, err)
		}
		if diverged != "" {
			res.Status, res.Message = Diverged, diverged
			return res, nil
		}
		if cfg.LogsAt(step) {
			if err := logAt(step); err != nil {
				return res, err
			}
		}
	}
	if cfg.Probe {
		final := &res.Log[len(res.Log)-1]
		if err := t.probe(final); err != nil {
			return res, fmt.Errorf("train %s: linear probe: %w", net.Name, err)
		}
	}
	return res, nil
}

// trainStep runs one step of training: the method sets the loss terms and
// the groups to update, the gradient is computed and the update applied. It
// says whether the update was applied and, when training diverged, why.
func (t *trainer) trainStep(method Method, st *StepState, step int) (applied bool, diverged string, err error) {
	st.reset(step)
	if err := method.Before(st); err != nil {
		return false, "", err
	}
	if t.update.weights != nil {
		copyInto(t.update.weights, st.Weights)
	}
	loss, err := t.gradient()
	if err != nil {
		return false, "", err
	}
	// The loss at the weights left by update step-1 is not finite: that
	// update diverged. Its gradient is never applied.
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return false, fmt.Sprintf("diverged at step %d: the training loss became %v", step-1, loss), nil
	}
	t.collect(st)
	if err := method.After(st); err != nil {
		return false, "", err
	}
	t.applyUpdates(st.Update)
	if i := t.nonFiniteParam(); i >= 0 {
		return true, fmt.Sprintf("diverged at step %d: weight tensor %d holds a NaN or infinite value", step, i), nil
	}
	t.trackEscapes(step)
	return true, "", nil
}

// trainer holds a network's compiled programs and optimizer state.
type trainer struct {
	net    *Network
	ds     *dataset.Dataset
	cfg    TrainConfig
	src    *rand.Rand
	update *program   // forward and backward pass of a training step
	evals  *evaluator // the train, val and test splits
	groups [][]*tensor.Dense
	grads  [][]*tensor.Dense // per group, like groups

	// mini-batch state: a permutation of the training set consumed in order,
	// the loss's target and the teachers' scores for every training sample,
	// and the labels of the current batch
	perm        []int
	next        int
	target      []float64
	teachers    [][]float64
	batchLabels []float64

	// aligned are the encoders that can say how well they align with their
	// modality's feature, and have one.
	aligned []alignedEncoder
}

// alignedEncoder is an encoder of the network that is an Aligner, with its
// modality's feature.
type alignedEncoder struct {
	Aligner
	modality int
	feature  []float64
	// escapes holds, per class head, the first step at which the head's
	// alignment reached its escape level, or -1: tracked every step, since
	// the escape of the theory happens within a few dozen.
	escapes []int
	heads   []float64 // scratch for the heads' alignments
}

func newTrainer(net *Network, ds *dataset.Dataset, cfg TrainConfig, obj Objective, src *rand.Rand) (*trainer, error) {
	t := &trainer{net: net, ds: ds, cfg: cfg, src: src, groups: net.groups()}
	for i, r := range net.Modalities {
		a, ok := net.Encoders[i].(Aligner)
		v := ds.Modalities[r].Feature
		if !ok || v == nil {
			continue
		}
		escapes := make([]int, len(a.AppendAlignment(nil, v)))
		for h := range escapes {
			escapes[h] = -1
		}
		t.aligned = append(t.aligned, alignedEncoder{Aligner: a, modality: r, feature: v, escapes: escapes})
	}
	n := ds.Train.Len()
	batch := cfg.BatchSize
	if batch == 0 {
		batch = n
	}
	spec := programSpec{n: batch, train: true, classes: ds.Classes, objective: obj, readEncs: obj.EncoderScores,
		inputs: make([][]float64, len(net.Encoders)), labels: make([]float64, batch)}
	if obj.Distill {
		spec.teachers = make([][]float64, len(net.Encoders))
	}
	if batch == n {
		// Full batch: alias the training data, no copy per step.
		for i, r := range net.Modalities {
			spec.inputs[i] = ds.Train.Inputs[r]
		}
		spec.labels = ds.Train.Labels
		if obj.Distill {
			copy(spec.teachers, cfg.Teachers)
		}
		t.batchLabels = ds.Train.Labels
	} else {
		t.perm = t.src.Perm(n)
		t.target, _ = net.Loss.Target(ds.Train.Labels, ds.Classes)
		for i := range spec.labels {
			spec.labels[i] = ds.Train.Labels[0] // a valid label; batches overwrite it
		}
		t.batchLabels = make([]float64, batch)
		if obj.Distill {
			t.teachers = cfg.Teachers
			for i, teacher := range cfg.Teachers {
				spec.teachers[i] = make([]float64, len(teacher)/n*batch)
			}
		}
	}
	var err error
	if t.update, err = compile(net, spec); err != nil {
		return nil, err
	}
	if t.evals, err = newEvaluator(net, ds); err != nil {
		return nil, err
	}
	return t, nil
}

// trackEscapes records the heads whose alignment reached their escape level
// at step.
func (t *trainer) trackEscapes(step int) {
	for i := range t.aligned {
		e := &t.aligned[i]
		e.heads = e.AppendAlignment(e.heads[:0], e.feature)
		for h, g := range e.heads {
			if e.escapes[h] < 0 && Escaped(g, e.EscapeLevel()) {
				e.escapes[h] = step
			}
		}
	}
}

// logEscapes adds to rec, per aligned encoder and head, the step at which the
// head escaped so far (NaN: not yet): escape_m<r>_pos, escape_m<r>_neg.
func (t *trainer) logEscapes(rec *Record) {
	for _, e := range t.aligned {
		for h, step := range e.escapes {
			v := math.NaN()
			if step >= 0 {
				v = float64(step)
			}
			rec.add(Escape(e.modality, HeadName(h, len(e.escapes))), v)
		}
	}
}

// applyUpdates applies the optimizer of every group marked in update to its
// gradients.
func (t *trainer) applyUpdates(update []bool) {
	for i, g := range t.groups {
		if update[i] {
			t.net.optimizers[i].Step(g, t.grads[i])
		}
	}
}

// newStepState prepares the state a method sees at each step.
func (t *trainer) newStepState(m Method, src *rand.Rand) *StepState {
	st := &StepState{Update: make([]bool, len(t.groups)), Loss: t.net.Loss, Rand: src,
		HeadLosses: t.headLosses}
	if t.update.weights != nil {
		st.Weights = make([]float64, t.update.weights.Size())
	}
	return st
}

// reset gives st the defaults of step: the fused loss alone, every group
// updated.
func (st *StepState) reset(step int) {
	st.Step = step
	for i := range st.Weights {
		st.Weights[i] = 0
	}
	if len(st.Weights) > 0 {
		st.Weights[0] = 1
	}
	for i := range st.Update {
		st.Update[i] = true
	}
}

// collect hands the step's gradients, and the encoders' scores on the batch
// when the program reads them, to st.
func (t *trainer) collect(st *StepState) {
	st.Grads = t.grads
	st.Labels = t.batchLabels
	if st.EncoderScores == nil {
		st.EncoderScores = make([][]float64, len(t.net.Encoders))
	}
	for i, v := range t.update.encoder {
		if v != nil {
			st.EncoderScores[i] = values(v)
		}
	}
}

// headLosses evaluates the loss of the fused scores and of each encoder's
// own scores on the training and validation splits.
func (t *trainer) headLosses() (train, val []float64, err error) {
	out := make([][]float64, 2)
	for k := range out {
		if err := t.evals.run(k, false); err != nil {
			return nil, nil, err
		}
		so := t.evals.splits[k]
		l, _ := t.net.Loss.Evaluate(so.scores, so.split.Labels)
		out[k] = append(out[k], l)
		for _, scores := range so.encoder {
			l, _ := t.net.Loss.Evaluate(scores, so.split.Labels)
			out[k] = append(out[k], l)
		}
	}
	return out[0], out[1], nil
}

// copyInto copies values into a tensor of either float type.
func copyInto(dst *tensor.Dense, values []float64) {
	switch d := dst.Data().(type) {
	case []float64:
		copy(d, values)
	case []float32:
		for i, v := range values {
			d[i] = float32(v)
		}
	}
}

// gradient computes the loss and its gradients at the current weights, on
// the next mini-batch or on the full batch.
func (t *trainer) gradient() (float64, error) {
	if t.perm != nil {
		t.fillBatch()
	}
	if err := t.update.run(); err != nil {
		return 0, err
	}
	// A run may hand back new gradient tensors (ops that cannot write into
	// their previous result allocate a new one), so they are looked up
	// after every run.
	if t.grads == nil {
		for _, g := range t.groups {
			t.grads = append(t.grads, make([]*tensor.Dense, len(g)))
		}
	}
	k := 0
	for _, gg := range t.grads {
		for j := range gg {
			gg[j] = t.update.grads[k].(*tensor.Dense)
			k++
		}
	}
	return scalar(t.update.loss), nil
}

// fillBatch copies the next mini-batch into the step program's inputs,
// reshuffling after each pass over the training set.
func (t *trainer) fillBatch() {
	b := t.update.n
	if t.next+b > len(t.perm) {
		t.src.Shuffle(len(t.perm), func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
		t.next = 0
	}
	idx := t.perm[t.next : t.next+b]
	t.next += b
	for i, r := range t.net.Modalities {
		copyRows(t.update.inputs[i], t.ds.Train.Inputs[r], idx, t.ds.Modalities[r].Size())
	}
	copyRows(t.update.labels, t.target, idx, len(t.target)/t.ds.Train.Len())
	for k, s := range idx {
		t.batchLabels[k] = t.ds.Train.Labels[s]
	}
	for i, teacher := range t.teachers {
		copyRows(t.update.teachers[i], teacher, idx, len(teacher)/t.ds.Train.Len())
	}
}

// copyRows copies the rows idx of src, of size values each, into dst.
func copyRows(dst *tensor.Dense, src []float64, idx []int, size int) {
	switch d := dst.Data().(type) {
	case []float64:
		for k, s := range idx {
			copy(d[k*size:(k+1)*size], src[s*size:(s+1)*size])
		}
	case []float32:
		for k, s := range idx {
			for j := 0; j < size; j++ {
				d[k*size+j] = float32(src[s*size+j])
			}
		}
	}
}

// nonFiniteParam returns the index of a weight tensor holding a NaN or an
// infinity, or -1.
func (t *trainer) nonFiniteParam() int {
	for i, p := range t.net.Params() {
		if !allFinite(p) {
			return i
		}
	}
	return -1
}
