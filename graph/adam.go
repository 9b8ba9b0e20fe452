package graph

import (
	"math"

	"gorgonia.org/tensor"
)

// Adam is the update of Kingma and Ba (2015) with bias-corrected moment
// estimates and the usual constants beta1 = 0.9, beta2 = 0.999, eps = 1e-8.
type Adam struct {
	LR float64 // step size

	t    int
	m, v [][]float64 // first and second moments, one per parameter tensor
}

var adamOptimizer = optimizerKind{
	help:  "Adam, full or mini-batches",
	batch: anyBatch,
	build: func(lr float64) Optimizer { return &Adam{LR: lr} },
	state: 2, // the moments m and v
}

const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// Step applies one Adam update in place. Moments are kept in float64 for
// either dtype.
func (o *Adam) Step(params, grads []*tensor.Dense) {
	if o.m == nil {
		for _, p := range params {
			o.m = append(o.m, make([]float64, p.Size()))
			o.v = append(o.v, make([]float64, p.Size()))
		}
	}
	o.t++
	// Fold both bias corrections into the step size.
	lr := o.LR * math.Sqrt(1-math.Pow(adamBeta2, float64(o.t))) / (1 - math.Pow(adamBeta1, float64(o.t)))
	for i, p := range params {
		if p.Dtype() == tensor.Float32 {
			adamUpdate(p.Float32s(), grads[i].Float32s(), o.m[i], o.v[i], lr)
		} else {
			adamUpdate(p.Float64s(), grads[i].Float64s(), o.m[i], o.v[i], lr)
		}
	}
}

// adamUpdate moves w by one Adam step of size lr, updating the moments m
// and v in float64.
func adamUpdate[T float32 | float64](w, g []T, m, v []float64, lr float64) {
	for k := range w {
		gk := float64(g[k])
		m[k] = adamBeta1*m[k] + (1-adamBeta1)*gk
		v[k] = adamBeta2*v[k] + (1-adamBeta2)*gk*gk
		w[k] -= T(lr * m[k] / (math.Sqrt(v[k]) + adamEps))
	}
}
