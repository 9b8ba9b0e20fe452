package graph

import (
	"github.com/modcomp/modcomp/dataset"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SquaredLoss is the mean squared error of one real output per sample,
// mean_i (f_i - y_i)², for regression.
type SquaredLoss struct{}

var squaredLossKind = lossKind{help: "real targets; its accuracy is R²", task: dataset.Regression, auto: true, loss: SquaredLoss{}}

// Outputs is 1.
func (SquaredLoss) Outputs(int) int { return 1 }

// Target is the labels themselves.
func (SquaredLoss) Target(labels []float64, _ int) ([]float64, tensor.Shape) {
	return labels, tensor.Shape{len(labels)}
}

// Build adds the mean squared error.
func (SquaredLoss) Build(f, y *G.Node) (*G.Node, error) {
	d, err := G.Sub(f, y)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq)
}

// Evaluate returns the mean squared error and, in place of an accuracy, the
// coefficient of determination R² = 1 - SS_res/SS_tot.
func (SquaredLoss) Evaluate(scores, labels []float64) (loss, r2 float64) {
	mean := 0.0
	for _, y := range labels {
		mean += y
	}
	mean /= float64(len(labels))
	var res, tot float64
	for i, y := range labels {
		res += (scores[i] - y) * (scores[i] - y)
		tot += (y - mean) * (y - mean)
	}
	n := float64(len(labels))
	if tot == 0 {
		return res / n, 0
	}
	return res / n, 1 - res/tot
}
