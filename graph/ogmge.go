package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/check"
)

// ogmGE is on-the-fly gradient modulation with generalisation enhancement
// (Peng et al., CVPR 2022). At every active step it scores each encoder on
// the batch by s_u = sum_i p_u(y_i | x_i), the probability its scores alone
// give the true class, and compares it with the others: rho_u = s_u /
// min_{v != u} s_v. The gradient of a dominant encoder (rho_u > 1) is scaled
// by k_u = 1 - tanh(alpha rho_u); as generalisation enhancement, every
// encoder's gradient receives Gaussian noise with the standard deviation of
// its own entries.
type ogmGE struct {
	alpha      float64
	start, end int
	modalities []int
	coeff      []float64 // the last step's k_u, for the log
}

var ogmGEMethod = methodKind{
	help:      "on-the-fly gradient modulation",
	objective: Objective{EncoderScores: true},
	validate: func(s MethodSettings, ck *check.Checker) {
		start, end := s.Int("ogm-start"), s.Int("ogm-end")
		ck.NonNegative("ogm-alpha", -1, s.Float("ogm-alpha"))
		ck.NonNegativeInt("ogm-start", -1, start)
		ck.NonNegativeInt("ogm-end", -1, end)
		if end != 0 && end < start {
			ck.Fail(&check.FieldError{Field: "ogm-end", Index: -1, Value: end,
				Want: fmt.Sprintf("0 (the last step) or at least ogm-start = %d", start)})
		}
	},
	build: func(s MethodSettings, modalities []int) Method {
		return newOGMGE(s.Float("ogm-alpha"), s.Int("ogm-start"), s.Int("ogm-end"), modalities)
	},
}

func newOGMGE(alpha float64, start, end int, modalities []int) *ogmGE {
	coeff := make([]float64, len(modalities))
	for i := range coeff {
		coeff[i] = 1
	}
	return &ogmGE{alpha: alpha, start: start, end: end, modalities: modalities, coeff: coeff}
}

func (*ogmGE) Before(*StepState) error { return nil }

// After modulates the encoders' gradients.
func (m *ogmGE) After(st *StepState) error {
	for i := range m.coeff {
		m.coeff[i] = 1
	}
	if st.Step < m.start || (m.end > 0 && st.Step > m.end) || len(m.modalities) < 2 {
		return nil
	}
	loss, ok := st.Loss.(ClassLoss)
	if !ok {
		var classLosses []string
		for _, name := range Losses().Names() {
			if _, ok := losses[name].loss.(ClassLoss); ok {
				classLosses = append(classLosses, name)
			}
		}
		return fmt.Errorf("ogm-ge needs a classification loss (%s), not %T", either(classLosses), st.Loss)
	}
	score := make([]float64, len(m.modalities))
	for u, scores := range st.EncoderScores {
		for _, v := range loss.TrueClassProbability(scores, st.Labels) {
			score[u] += v
		}
	}
	for u := range score {
		other := math.Inf(1)
		for v, s := range score {
			if v != u {
				other = math.Min(other, s)
			}
		}
		if rho := score[u] / other; rho > 1 {
			m.coeff[u] = 1 - math.Tanh(m.alpha*rho)
		}
		// As in the authors' algorithm, every encoder's gradient gets the
		// noise; only the dominant one's is also scaled down.
		for _, g := range st.Grads[u] {
			modulate(g, m.coeff[u], st)
		}
	}
	return nil
}

// modulate scales g by k and adds N(0, std(g)²) noise.
func modulate(g *tensor.Dense, k float64, st *StepState) {
	v := float64s(g)
	mean, sq := 0.0, 0.0
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	std := math.Sqrt(sq / float64(len(v)))
	switch d := g.Data().(type) {
	case []float64:
		for j := range d {
			d[j] = d[j]*k + std*st.Rand.NormFloat64()
		}
	case []float32:
		for j := range d {
			d[j] = float32(float64(d[j])*k + std*st.Rand.NormFloat64())
		}
	}
}

// Log records each encoder's last coefficient k_u (1: not modulated).
func (m *ogmGE) Log(rec *Record) {
	for i, r := range m.modalities {
		rec.add(OGMCoeff(r), m.coeff[i])
	}
}
