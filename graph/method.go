package graph

import (
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/internal/check"
)

// MethodConfig chooses a training method and its settings.
type MethodConfig struct {
	Name string // one of Methods(); a TrainConfig's zero value is "naive"
	// Settings gives the method its settings by configuration key; nil
	// reads every setting as 0.
	Settings MethodSettings
}

// MethodSettings gives a training method its settings by configuration key
// ("ogm-alpha", "umt-weight"): each method's file says which keys it reads
// and what values they may take.
type MethodSettings interface {
	Float(key string) float64
	Int(key string) int
}

// SettingValues are MethodSettings held in a map; a key it does not hold
// reads 0.
type SettingValues map[string]float64

// Float returns the value of key.
func (v SettingValues) Float(key string) float64 { return v[key] }

// Int returns the value of key, truncated to an integer.
func (v SettingValues) Int(key string) int { return int(v[key]) }

// Validate reports the first mistake in the method's name or settings.
func (c MethodConfig) Validate() error {
	var ck check.Checker
	c.validate(&ck)
	return ck.Err()
}

func (c MethodConfig) validate(ck *check.Checker) {
	kind, ok := methods[c.Name]
	if !ok {
		ck.OneOf("method", -1, c.Name, Methods().Names())
		return
	}
	if kind.validate != nil {
		kind.validate(c.settings(), ck)
	}
}

// Objective is the loss terms the method trains with, which say what it
// needs (see Objective); the zero Objective for a name that is not a
// method.
func (c MethodConfig) Objective() Objective { return methods[c.Name].objective }

func (c MethodConfig) settings() MethodSettings {
	if c.Settings == nil {
		return SettingValues(nil)
	}
	return c.Settings
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
