package graph

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/check"
)

// MethodConfig chooses a training method and its settings.
type MethodConfig struct {
	Name string // one of Methods()
	// OGMAlpha is alpha of OGM-GE's coefficient 1 - tanh(alpha rho); the
	// modulation is active from step OGMStart to OGMEnd (0: the end).
	OGMAlpha         float64
	OGMStart, OGMEnd int
	// UMTWeight weighs the distillation term of the uni-modal teacher.
	UMTWeight float64
	// GBlendEvery re-estimates gradient blending's weights every this many
	// steps.
	GBlendEvery int
}

// methods is the registry of training methods, one file per method.
var methods = map[string]func(cfg MethodConfig, modalities []int) Method{
	"naive":       func(MethodConfig, []int) Method { return naive{} },
	"ume":         newUME,
	"umt":         newUMT,
	"ogm-ge":      newOGMGE,
	"alternating": newAlternating,
	"gblend":      newGBlend,
}

// Methods lists the method names a config may use.
func Methods() []string { return slices.Sorted(maps.Keys(methods)) }

// Validate reports the first setting outside its allowed range.
func (c MethodConfig) Validate() error {
	var ck check.Checker
	ck.OneOf("method", -1, c.Name, Methods())
	switch c.Name {
	case "ogm-ge":
		ck.NonNegative("ogm-alpha", -1, c.OGMAlpha)
		ck.NonNegativeInt("ogm-start", -1, c.OGMStart)
		ck.NonNegativeInt("ogm-end", -1, c.OGMEnd)
		if c.OGMEnd != 0 && c.OGMEnd < c.OGMStart {
			ck.Fail(&check.FieldError{Field: "ogm-end", Index: -1, Value: c.OGMEnd,
				Want: fmt.Sprintf("0 (the last step) or at least ogm-start = %d", c.OGMStart)})
		}
	case "umt":
		ck.NonNegative("umt-weight", -1, c.UMTWeight)
	case "gblend":
		ck.PositiveInt("gblend-every", -1, c.GBlendEvery)
	}
	return ck.Err()
}

// StepState is what a Method sees and changes at a training step.
type StepState struct {
	Step int
	// Weights of the loss terms of this step: the fused loss, then each
	// encoder's own loss, then each encoder's distillation term (those the
	// Objective has). Before sets them.
	Weights []float64
	// Update says, per group (each encoder's, then the fusion's), whether
	// the optimizer applies this step's gradient.
	Update []bool
	// Grads holds, per group, this step's gradients, which After may change.
	Grads [][]*tensor.Dense
	// EncoderScores holds, per encoder, its scores on the batch
	// (Objective.EncoderScores), and Labels the batch's labels.
	EncoderScores [][]float64
	Labels        []float64
	Loss          Loss
	// Rand is the method's own random stream.
	Rand *rand.Rand
	// HeadLosses evaluates the loss of the fused scores and of each
	// encoder's scores on the training and the validation split.
	HeadLosses func() (train, val []float64, err error)
}

// naive is plain joint training: the loss of the fused scores, every group
// updated every step.
type naive struct{}

func (naive) Objective() Objective    { return Objective{} }
func (naive) Before(*StepState) error { return nil }
func (naive) After(*StepState) error  { return nil }
func (naive) Log(*Record)             {}

// trueClassProbability is, per sample, the probability a classifier's
// scores give the true class: sigmoid(y f) for the logistic loss, the
// softmax of the true class otherwise.
func trueClassProbability(loss Loss, scores, labels []float64) ([]float64, error) {
	p := make([]float64, len(labels))
	switch loss.(type) {
	case LogisticLoss:
		for i, y := range labels {
			p[i] = 1 / (1 + math.Exp(-y*scores[i]))
		}
	case SoftmaxLoss:
		c := len(scores) / len(labels)
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
	default:
		return nil, fmt.Errorf("the method needs a classification loss (logistic or softmax), not %T", loss)
	}
	return p, nil
}
