package graph

import "gorgonia.org/tensor"

// GradientDescent is the paper's update, w <- w - eta grad. With full
// batches it is gradient descent ("gd"); on mini-batches, SGD ("sgd").
type GradientDescent struct {
	LR float64 // eta
}

// gd and sgd are one update rule under two names, so that a configuration
// says which batches it means and a mistaken batch size is caught.
var (
	gdOptimizer = optimizerKind{
		help:  "full-batch gradient descent, the paper's",
		batch: fullBatch,
		build: func(lr float64) Optimizer { return &GradientDescent{LR: lr} },
	}
	sgdOptimizer = optimizerKind{
		help:  "mini-batch gradient descent",
		batch: miniBatch,
		build: func(lr float64) Optimizer { return &GradientDescent{LR: lr} },
	}
)

// Step applies the update in place.
func (o *GradientDescent) Step(params, grads []*tensor.Dense) {
	for i, p := range params {
		if p.Dtype() == tensor.Float32 {
			descend(p.Float32s(), grads[i].Float32s(), float32(o.LR))
		} else {
			descend(p.Float64s(), grads[i].Float64s(), o.LR)
		}
	}
}

// descend sets w -= lr g.
func descend[T float32 | float64](w, g []T, lr T) {
	for k := range w {
		w[k] -= lr * g[k]
	}
}
