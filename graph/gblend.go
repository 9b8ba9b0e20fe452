package graph

import (
	"fmt"
	"math"

	"github.com/modcomp/modcomp/internal/check"
)

// gBlend is gradient blending (Wang et al., CVPR 2020): the loss is a
// weighted sum over the heads, the fused scores and each encoder's own,
// sum_h w_h L_h, with w_h proportional to G_h / O_h², re-estimated every
// GBlendEvery steps from how each head's losses moved since the last
// estimate: G_h, the generalisation gain, is the decrease of its validation
// loss; O_h, the overfitting, is the increase of its gap between validation
// and training loss. Heads that did not generalise (G_h <= 0) get weight 0;
// the weights start equal and sum to 1.
type gBlend struct {
	every      int
	modalities []int
	weights    []float64
	// losses at the last estimate, per head
	lastTrain, lastVal []float64
}

var gBlendMethod = methodKind{
	help:      "gradient blending",
	objective: Objective{PerEncoder: true},
	validate: func(s MethodSettings, ck *check.Checker) {
		ck.PositiveInt("gblend-every", -1, s.Int("gblend-every"))
	},
	build: func(s MethodSettings, modalities []int) Method {
		return newGBlend(s.Int("gblend-every"), modalities)
	},
}

func newGBlend(every int, modalities []int) *gBlend {
	w := make([]float64, 1+len(modalities))
	for i := range w {
		w[i] = 1 / float64(len(w))
	}
	return &gBlend{every: every, modalities: modalities, weights: w}
}

// Before re-estimates the weights every GBlendEvery steps and applies them.
func (m *gBlend) Before(st *StepState) error {
	if (st.Step-1)%m.every == 0 {
		train, val, err := st.HeadLosses()
		if err != nil {
			return fmt.Errorf("gblend: %w", err)
		}
		if m.lastVal != nil {
			m.estimate(train, val)
		}
		m.lastTrain, m.lastVal = train, val
	}
	copy(st.Weights, m.weights)
	return nil
}

// estimate sets w_h proportional to G_h / O_h².
func (m *gBlend) estimate(train, val []float64) {
	w := make([]float64, len(m.weights))
	total := 0.0
	for h := range w {
		gain := m.lastVal[h] - val[h]
		over := (val[h] - train[h]) - (m.lastVal[h] - m.lastTrain[h])
		if gain <= 0 {
			continue
		}
		// A head that generalises without overfitting more gets a weight
		// bounded by a tiny floor on O², not an infinite one.
		w[h] = gain / math.Max(over*over, 1e-12)
		total += w[h]
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return // no head generalised (or the losses are not finite): keep the last weights
	}
	for h := range w {
		m.weights[h] = w[h] / total
	}
}

func (*gBlend) After(*StepState) error { return nil }

// Log records the weights of the fused head and of each encoder's head.
func (m *gBlend) Log(rec *Record) {
	rec.add(GBlendFused, m.weights[0])
	for i, r := range m.modalities {
		rec.add(GBlendWeight(r), m.weights[1+i])
	}
}
