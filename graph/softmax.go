package graph

import (
	"math"

	"github.com/modcomp/modcomp/dataset"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftmaxLoss is the cross-entropy of a softmax over C class scores, for
// labels that are class indices: mean_i [log sum_c exp(f_ic) - f_{i,y_i}].
type SoftmaxLoss struct{}

var (
	softmaxLossKind           = lossKind{help: "class indices 0..C-1", task: dataset.Multiclass, auto: true, loss: SoftmaxLoss{}}
	_               ClassLoss = SoftmaxLoss{}
)

// Outputs is C: one score per class.
func (SoftmaxLoss) Outputs(classes int) int { return classes }

// Target is the one-hot encoding of the labels, (n, C).
func (SoftmaxLoss) Target(labels []float64, classes int) ([]float64, tensor.Shape) {
	onehot := make([]float64, len(labels)*classes)
	for i, y := range labels {
		onehot[i*classes+int(y)] = 1
	}
	return onehot, tensor.Shape{len(labels), classes}
}

// Build adds the mean cross-entropy. Gorgonia's LogSumExp is wrong in
// v0.9.18, so the log-sum-exp is written out, shifted by the row maximum
// for stability (the loss does not depend on the shift).
func (SoftmaxLoss) Build(f, y *G.Node) (*G.Node, error) {
	m, err := G.Max(f, 1) // (n,)
	if err != nil {
		return nil, err
	}
	shifted, err := G.BroadcastSub(f, m, nil, []byte{1}) // (n, C)
	if err != nil {
		return nil, err
	}
	e, err := G.Exp(shifted)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(e, 1)
	if err != nil {
		return nil, err
	}
	lse, err := G.Log(s) // (n,)
	if err != nil {
		return nil, err
	}
	yf, err := G.HadamardProd(y, shifted)
	if err != nil {
		return nil, err
	}
	picked, err := G.Sum(yf, 1) // (n,): the shifted score of the true class
	if err != nil {
		return nil, err
	}
	ce, err := G.Sub(lse, picked)
	if err != nil {
		return nil, err
	}
	return G.Mean(ce)
}

// Evaluate returns the mean cross-entropy and the accuracy of the arg max.
func (SoftmaxLoss) Evaluate(scores, labels []float64) (loss, accuracy float64) {
	c := len(scores) / len(labels)
	correct := 0
	for i, y := range labels {
		row := scores[i*c : (i+1)*c]
		best, m := 0, math.Inf(-1)
		for k, v := range row {
			if v > m {
				best, m = k, v
			}
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(v - m)
		}
		loss += m + math.Log(sum) - row[int(y)]
		if best == int(y) {
			correct++
		}
	}
	n := float64(len(labels))
	return loss / n, float64(correct) / n
}

// TrueClassProbability is, per sample, the softmax of its class's score.
func (SoftmaxLoss) TrueClassProbability(scores, labels []float64) []float64 {
	c := len(scores) / len(labels)
	p := make([]float64, len(labels))
	for i, y := range labels {
		row := scores[i*c : (i+1)*c]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(v - m)
		}
		p[i] = math.Exp(row[int(y)]-m) / sum
	}
	return p
}
