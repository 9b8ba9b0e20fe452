package graph

import "gorgonia.org/tensor"

// GradientDescent is the paper's update, w <- w - eta grad. With full
// batches it is gradient descent ("gd"); on mini-batches, SGD ("sgd").
type GradientDescent struct {
	LR float64 // eta
}

// Step applies the update in place.
func (o *GradientDescent) Step(params, grads []*tensor.Dense) {
	for i, p := range params {
		switch w := p.Data().(type) {
		case []float64:
			g := grads[i].Data().([]float64)
			for k := range w {
				w[k] -= o.LR * g[k]
			}
		case []float32:
			g, lr := grads[i].Data().([]float32), float32(o.LR)
			for k := range w {
				w[k] -= lr * g[k]
			}
		}
	}
}
