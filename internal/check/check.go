// Package check validates configuration values and reports a mistake as a
// FieldError naming the field, the value and what is allowed.
//
// Field names are the command-line flag names ("n-train", "sigma-p") so that
// a user reads the same name in an error as in --help, whether the value came
// from a flag, a config file or library code.
package check

import (
	"fmt"
	"math"
)

// FieldError is a configuration value outside its allowed range.
type FieldError struct {
	Field string // flag name, e.g. "mu"
	Index int    // modality index for per-modality lists, or -1
	Value any
	Want  string // what is allowed, e.g. "a probability in [0, 1]"
}

func (e *FieldError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s = %v for modality %d: want %s", e.Field, e.Value, e.Index, e.Want)
	}
	return fmt.Sprintf("%s = %v: want %s", e.Field, e.Value, e.Want)
}

// Checker collects the first error of a sequence of checks, so a validator
// reads as a list of rules.
type Checker struct{ err error }

// Err returns the first failed check, or nil.
func (c *Checker) Err() error { return c.err }

// Fail records err unless an earlier check already failed.
func (c *Checker) Fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *Checker) fail(field string, index int, value any, want string) {
	c.Fail(&FieldError{Field: field, Index: index, Value: value, Want: want})
}

// PositiveInt requires v >= 1.
func (c *Checker) PositiveInt(field string, index, v int) {
	if v < 1 {
		c.fail(field, index, v, "a positive integer")
	}
}

// NonNegativeInt requires v >= 0.
func (c *Checker) NonNegativeInt(field string, index, v int) {
	if v < 0 {
		c.fail(field, index, v, "an integer >= 0")
	}
}

// Positive requires a finite v > 0.
func (c *Checker) Positive(field string, index int, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		c.fail(field, index, v, "a finite number > 0")
	}
}

// NonNegative requires a finite v >= 0.
func (c *Checker) NonNegative(field string, index int, v float64) {
	if !(v >= 0) || math.IsInf(v, 0) {
		c.fail(field, index, v, "a finite number >= 0")
	}
}

// Probability requires v in [0, 1].
func (c *Checker) Probability(field string, index int, v float64) {
	if !(v >= 0 && v <= 1) {
		c.fail(field, index, v, "a probability in [0, 1]")
	}
}

// AtLeast requires a finite v >= min.
func (c *Checker) AtLeast(field string, index int, v, min float64) {
	if !(v >= min) || math.IsInf(v, 0) {
		c.fail(field, index, v, fmt.Sprintf("a finite number >= %v", min))
	}
}

// OneOf requires v to be one of allowed.
func (c *Checker) OneOf(field string, index int, v string, allowed []string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.fail(field, index, fmt.Sprintf("%q", v), fmt.Sprintf("one of %q", allowed))
}
