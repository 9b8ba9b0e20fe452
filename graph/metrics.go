package graph

import (
	"fmt"
	"math"

	"github.com/modcomp/modcomp/dataset"
)

// Metric is one named number of a Record.
type Metric struct {
	Name  string
	Value float64
}

// Record is everything logged about a network at one step: its metrics, in
// the fixed order metricnames.go lists them.
type Record struct {
	Step    int
	Metrics []Metric
}

// Get returns the value of the metric called name.
func (r Record) Get(name string) (float64, bool) {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value, true
		}
	}
	return math.NaN(), false
}

func (r *Record) add(name string, v float64) { r.Metrics = append(r.Metrics, Metric{name, v}) }

// evaluate runs the network on every split and computes the record of step
// and, with TrainConfig.KeepTestCorrect under a classification loss, which
// test samples it classified correctly.
func (t *trainer) evaluate(step int) (Record, []bool, error) {
	rec := Record{Step: step}
	var correct []bool
	loss := t.net.Loss
	outputs := loss.Outputs(t.ds.Classes)
	for k, so := range t.evals.splits {
		if err := t.evals.run(k, so.name == "train"); err != nil {
			return rec, nil, err
		}
		l, acc := loss.Evaluate(so.scores, so.split.Labels)
		rec.add(SplitLoss(so.name), l)
		rec.add(SplitAcc(so.name), acc)
		if so.name == "test" {
			if len(t.net.Encoders) > 1 {
				for i, r := range t.net.Modalities {
					if so.encoder[i] == nil {
						continue // the fusion does not use the encoders' own scores
					}
					_, acc := loss.Evaluate(so.encoder[i], so.split.Labels)
					rec.add(EncTestAcc(r), acc)
				}
			}
			for _, group := range t.ds.Groups() {
				rec.add(TestAccGroup(group), groupAccuracy(loss, so.scores, outputs, so.split, group))
			}
			if _, classes := loss.(ClassLoss); classes && t.cfg.KeepTestCorrect {
				correct = sampleCorrect(loss, so.scores, outputs, so.split.Labels)
			}
		}
	}
	train := t.evals.splits[0]
	t.alignment(&rec)
	t.contribution(&rec, train)
	t.memorisation(&rec, train)
	return rec, correct, nil
}

// sampleCorrect is, per sample, whether the loss counts its scores as
// correct: the sample's accuracy on its own.
func sampleCorrect(loss Loss, scores []float64, outputs int, labels []float64) []bool {
	correct := make([]bool, len(labels))
	for i := range labels {
		_, acc := loss.Evaluate(scores[i*outputs:(i+1)*outputs], labels[i:i+1])
		correct[i] = acc == 1
	}
	return correct
}

// Regroup sets in rec the test accuracy of every group of ds's test split
// (TestAccGroup) from correct, which of its samples the network classified
// correctly (Result.TestCorrect of a run on the same samples and labels).
// A network that reads only some modalities trains the same whatever the
// others' sufficiency, which only decides the groups: a run can be shared
// between datasets that differ there, and Regroup gives each the record its
// own training would have logged, bit for bit (accuracy = correct / n).
func Regroup(rec *Record, correct []bool, ds *dataset.Dataset) {
	right, n := map[string]int{}, map[string]int{}
	for i, ok := range correct {
		g := ds.Test.Group(i)
		n[g]++
		if ok {
			right[g]++
		}
	}
	for _, group := range ds.Groups() {
		acc := math.NaN()
		if n[group] > 0 {
			acc = float64(right[group]) / float64(n[group])
		}
		rec.set(TestAccGroup(group), acc)
	}
}

// set gives the metric called name the value v, adding it when rec has
// none.
func (r *Record) set(name string, v float64) {
	for i := range r.Metrics {
		if r.Metrics[i].Name == name {
			r.Metrics[i].Value = v
			return
		}
	}
	r.add(name, v)
}

// contribution logs, for a network of several modalities, the variance over
// the training set of each modality's additive contribution to the scores
// (averaged over outputs): how much each modality moves the prediction.
func (t *trainer) contribution(rec *Record, train *splitOutputs) {
	if len(t.net.Encoders) < 2 {
		return
	}
	n := train.split.Len()
	for i, r := range t.net.Modalities {
		if train.contrib[i] == nil {
			continue
		}
		rec.add(Contrib(r), columnVariance(train.contrib[i], n))
	}
}

// columnVariance is the variance over rows of an (n, k) row-major matrix,
// averaged over its k columns.
func columnVariance(v []float64, n int) float64 {
	k := len(v) / n
	total := 0.0
	for c := 0; c < k; c++ {
		mean := 0.0
		for i := 0; i < n; i++ {
			mean += v[i*k+c]
		}
		mean /= float64(n)
		for i := 0; i < n; i++ {
			d := v[i*k+c] - mean
			total += d * d
		}
	}
	return total / float64(n*k)
}

// groupAccuracy is the accuracy on the samples of split in group.
func groupAccuracy(loss Loss, scores []float64, outputs int, split *dataset.Split, group string) float64 {
	var s, y []float64
	labels := split.Labels
	for i := range labels {
		if split.Group(i) == group {
			s = append(s, scores[i*outputs:(i+1)*outputs]...)
			y = append(y, labels[i])
		}
	}
	if len(y) == 0 {
		return math.NaN()
	}
	_, acc := loss.Evaluate(s, y)
	return acc
}

func (t *trainer) alignment(rec *Record) {
	for _, e := range t.aligned {
		heads := e.AppendAlignment(nil, e.feature)
		mean := 0.0
		for c, h := range heads {
			rec.add(AlignHead(e.modality, HeadName(c, len(heads))), h)
			mean += h
		}
		rec.add(Align(e.modality), mean/float64(len(heads)))
	}
}

func (t *trainer) memorisation(rec *Record, train *splitOutputs) {
	for i, r := range t.net.Modalities {
		if math.IsNaN(train.memo[i]) {
			if _, ok := t.net.Encoders[i].(Memoriser); !ok || train.split.SignalPatch == nil {
				continue
			}
		}
		rec.add(Memo(r), train.memo[i])
	}
}

// probe fits a linear probe on each encoder's features and adds its
// accuracies to rec.
func (t *trainer) probe(rec *Record) error {
	var splits [3]*program
	for k, ns := range t.ds.Splits() {
		spec := programSpec{n: ns.Split.Len(), classes: t.ds.Classes, inputs: make([][]float64, len(t.net.Encoders)), readFeatures: true}
		for i, r := range t.net.Modalities {
			spec.inputs[i] = ns.Split.Inputs[r]
		}
		p, err := compile(t.net, spec)
		if err != nil {
			return err
		}
		if err := p.run(); err != nil {
			return fmt.Errorf("%s features: %w", ns.Name, err)
		}
		splits[k] = p
	}
	for i, r := range t.net.Modalities {
		var data [3]ProbeData
		for k, ns := range t.ds.Splits() {
			x := append([]float64(nil), values(splits[k].features[i])...)
			data[k] = ProbeData{X: x, H: t.net.Encoders[i].FeatureWidth(), Labels: ns.Split.Labels}
		}
		res, err := LinearProbe(t.ds.Task, t.ds.Classes, data[0], data[1], data[2])
		if err != nil {
			return fmt.Errorf("encoder of modality %d: %w", r, err)
		}
		rec.add(ProbeValAcc(r), res.ValAcc)
		rec.add(ProbeTestAcc(r), res.TestAcc)
	}
	return nil
}

// EncoderScores returns, per encoder of a (trained) network, its own scores
// on split, row-major: what a uni-modal teacher contributes to a method that
// distils (TrainConfig.Teachers). The network must use its encoders' heads.
func EncoderScores(net *Network, split *dataset.Split) ([][]float64, error) {
	if !net.usesHeads() {
		return nil, fmt.Errorf("network %s: its fusion does not use the encoders' own scores", net.Name)
	}
	spec := programSpec{n: split.Len(), inputs: make([][]float64, len(net.Encoders)), readEncs: true}
	for i, r := range net.Modalities {
		spec.inputs[i] = split.Inputs[r]
	}
	p, err := compile(net, spec)
	if err != nil {
		return nil, fmt.Errorf("network %s: %w", net.Name, err)
	}
	if err := p.run(); err != nil {
		return nil, fmt.Errorf("network %s: %w", net.Name, err)
	}
	out := make([][]float64, len(p.encoder))
	for i, v := range p.encoder {
		out[i] = append([]float64(nil), values(v)...)
	}
	return out, nil
}
