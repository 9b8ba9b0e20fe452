package graph

import (
	"math"
	"testing"
)

func TestEscapedAndLearned(t *testing.T) {
	const rho = 0.1
	for _, c := range []struct {
		name             string
		gamma, alpha     float64
		escaped, learned bool
	}{
		{"before escape", 0.05, 1, false, false},
		{"at rho, alpha 1", 0.1, 1, true, true},
		// The default alpha_1: escaped at rho, learned only from rho/0.45.
		{"escaped, response still polynomial", 0.15, 0.45, true, false},
		{"learned at rho/alpha", LearnedAlignment(0.45, rho), 0.45, true, true},
		{"strong signal learns before escape", 0.08, 2, false, true},
		{"no known feature", math.NaN(), 1, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Escaped(c.gamma, rho); got != c.escaped {
				t.Errorf("Escaped(%g, %g) = %v, want %v", c.gamma, rho, got, c.escaped)
			}
			if got := Learned(c.gamma, c.alpha, rho); got != c.learned {
				t.Errorf("Learned(%g, %g, %g) = %v, want %v", c.gamma, c.alpha, rho, got, c.learned)
			}
		})
	}
}

// PredictEscape stops where Escaped says the head has escaped.
func TestPredictEscapeStopsAtEscape(t *testing.T) {
	const rho, q, eta = 0.1, 3, 1.0
	c := EscapeRate(SignalMoment(1, 0.2, 0.1, q), q, rho)
	steps := PredictEscape(0.01, eta, c, q, rho, 10000)
	if steps <= 0 {
		t.Fatalf("no escape predicted: %d", steps)
	}
	g := 0.01
	for range steps - 1 {
		g += eta * c * math.Pow(g, q-1)
	}
	if Escaped(g, rho) || !Escaped(g+eta*c*math.Pow(g, q-1), rho) {
		t.Errorf("PredictEscape = %d: alignment %g one step before, want escape exactly then", steps, g)
	}
	if PredictEscape(rho, eta, c, q, rho, 10) != 0 {
		t.Error("an alignment already at rho must escape at step 0")
	}
}
