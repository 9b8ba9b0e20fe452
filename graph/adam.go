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
		m, v := o.m[i], o.v[i]
		switch w := p.Data().(type) {
		case []float64:
			g := grads[i].Data().([]float64)
			for k := range w {
				m[k] = adamBeta1*m[k] + (1-adamBeta1)*g[k]
				v[k] = adamBeta2*v[k] + (1-adamBeta2)*g[k]*g[k]
				w[k] -= lr * m[k] / (math.Sqrt(v[k]) + adamEps)
			}
		case []float32:
			g := grads[i].Data().([]float32)
			for k := range w {
				gk := float64(g[k])
				m[k] = adamBeta1*m[k] + (1-adamBeta1)*gk
				v[k] = adamBeta2*v[k] + (1-adamBeta2)*gk*gk
				w[k] -= float32(lr * m[k] / (math.Sqrt(v[k]) + adamEps))
			}
		}
	}
}
