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

// Record is everything logged about a network at one step. Metrics appear in
// a fixed order for a given network and dataset:
//
//	train_loss, train_acc, val_loss, val_acc, test_loss, test_acc
//	enc_test_acc_m<r>          stand-alone test accuracy of encoder r (sign of f_r alone), joint networks
//	test_acc_g<pattern>        test accuracy on samples whose sufficient modalities match pattern
//	                           ("10": modality 0 sufficient, modality 1 not); NaN for an empty group
//	align_m<r>_pos, _neg       feature alignment of encoder r's class heads:
//	                           max_j <w_{r,+1,j}, v_r> and max_j <w_{r,-1,j}, -v_r>
//	align_m<r>                 mean of the heads' alignments
//	memo_m<r>                  noise memorisation of encoder r: mean over training samples of the largest
//	                           pre-activation of the sample's own class head on its noise patches
//
// Alignment and memorisation are logged for encoders that support them
// (Aligner, Memoriser) when the dataset knows its features and signal patches.
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

// evaluate runs the evaluation programs and computes the record of step.
func (t *trainer) evaluate(step int) (Record, error) {
	rec := Record{Step: step}
	loss := t.net.Loss
	outputs := loss.Outputs(t.ds.Classes)
	for k, ns := range t.ds.Splits() {
		p := t.eval[k]
		if err := p.run(); err != nil {
			return rec, fmt.Errorf("%s split: %w", ns.Name, err)
		}
		l, acc := loss.Evaluate(values(p.scores), ns.Split.Labels)
		rec.add(ns.Name+"_loss", l)
		rec.add(ns.Name+"_acc", acc)
		if ns.Name == "test" {
			if len(t.net.Encoders) > 1 {
				for i, r := range t.net.Modalities {
					_, acc := loss.Evaluate(values(p.encoder[i]), ns.Split.Labels)
					rec.add(fmt.Sprintf("enc_test_acc_m%d", r), acc)
				}
			}
			scores := values(p.scores)
			for _, group := range t.ds.Groups() {
				rec.add("test_acc_g"+group, groupAccuracy(loss, scores, outputs, ns.Split, group))
			}
		}
	}
	t.alignment(&rec)
	t.memorisation(&rec, t.eval[0])
	return rec, nil
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
	for i, r := range t.net.Modalities {
		a, ok := t.net.Encoders[i].(Aligner)
		v := t.ds.Modalities[r].Feature
		if !ok || v == nil {
			continue
		}
		heads := a.Alignment(v)
		mean := 0.0
		for c, h := range heads {
			rec.add(fmt.Sprintf("align_m%d_%s", r, headName(c, len(heads))), h)
			mean += h
		}
		rec.add(fmt.Sprintf("align_m%d", r), mean/float64(len(heads)))
	}
}

func (t *trainer) memorisation(rec *Record, train *program) {
	sp := t.ds.Train
	for i, r := range t.net.Modalities {
		m, ok := t.net.Encoders[i].(Memoriser)
		if !ok || train.pre[i] == nil || sp.SignalPatch == nil {
			continue
		}
		rec.add(fmt.Sprintf("memo_m%d", r), m.NoiseMemorisation(values(train.pre[i]), sp.Labels, sp.SignalPatch[r]))
	}
}

// headName names class head c: "pos" and "neg" for the binary heads (+1, -1),
// "c<k>" otherwise.
func headName(c, heads int) string {
	if heads == 2 {
		return [2]string{"pos", "neg"}[c]
	}
	return fmt.Sprintf("c%d", c)
}
