package report

import (
	"math"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/internal/figure"
)

// withTheory gives every seed of results a Theory for k modalities, as
// theoryOf would: predicted escape steps that move with the point, observed
// ones a few percent off, a modality that never escapes (and is not
// predicted to) now and then, and the joint escape of the modality
// predicted to lose sometimes missing (it lost the competition). spread
// widens the range of the steps (1: a few dozen to a few hundred). The
// points' aggregates are recomputed.
func withTheory(results []Point, k int, spread float64) []Point {
	nan := math.NaN()
	for pi := range results {
		s := results[pi].Summary
		for si := range s.PerSeed {
			ss := &s.PerSeed[si]
			th := &Theory{PredictedWinner: -1}
			best := math.Inf(1)
			for r := 0; r < k; r++ {
				pred := 30 * math.Pow(spread, float64((r+pi+si)%4)/3) * (1 + 0.4*float64((r+2*si+pi)%3))
				alone := pred * (1 + 0.04*float64((si+r)%3-1))
				joint := alone * (1 + 0.03*float64(pi%2))
				if (pi+si+r)%7 == 3 {
					pred, alone, joint = nan, nan, nan
				}
				th.PredictedEscape = append(th.PredictedEscape, Num(math.Round(pred)))
				th.EscapeAlone = append(th.EscapeAlone, Num(math.Round(alone)))
				th.EscapeJoint = append(th.EscapeJoint, Num(math.Round(joint)))
				if pred < best {
					best, th.PredictedWinner = pred, r
				}
			}
			first, earliest := -1, math.Inf(1)
			for r := range th.EscapeJoint {
				if r != th.PredictedWinner && (pi+si)%3 == 1 {
					th.EscapeJoint[r] = Num(nan) // lost the competition
				}
				if e := float64(th.EscapeJoint[r]); e < earliest {
					first, earliest = r, e
				}
			}
			th.FirstRight = th.PredictedWinner >= 0 && th.PredictedWinner == first
			th.Right = th.PredictedWinner >= 0 && (si+pi)%4 != 2
			ss.Winner = th.PredictedWinner
			if !th.Right && th.PredictedWinner >= 0 {
				ss.Winner = (th.PredictedWinner + 1) % k
			}
			ss.Theory = th
		}
		s.Theory = aggregateTheory(k, completeSeeds(s))
		for _, ss := range s.PerSeed {
			s.Networks = append(s.Networks, NetworkStatus{Seed: ss.Seed, Network: "joint", Status: "completed", Steps: 300})
		}
	}
	return results
}

// withoutTheory removes the theory from point i of results, as for a
// configuration the prediction does not cover.
func withoutTheory(results []Point, i int) {
	s := results[i].Summary
	s.Theory = nil
	for j := range s.PerSeed {
		s.PerSeed[j].Theory = nil
	}
}

var theoryFigureNames = []string{"theory_escape", "theory_accuracy"}

// drawTheory draws the theory figures of a sweep into a new directory and
// checks them.
func drawTheory(t *testing.T, axes []Axis, results []Point, figures ...string) {
	t.Helper()
	drawSVG(t, theoryFigures(axes, completePoints(results), Sweep{Axes: axes, Points: results}.Theory()), figures...)
}

func TestTheoryPlots1D(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.45", "0.5", "0.55", "0.6", "0.65"}}}
	t.Run("K=2", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 4, 2), 2, 4)
		withoutTheory(results, 3)
		drawTheory(t, axes, results, theoryFigureNames...)
	})
	t.Run("K=3 log steps", func(t *testing.T) {
		drawTheory(t, axes, withTheory(fakeSweep(axes, 3, 3), 3, 40), theoryFigureNames...)
	})
	t.Run("one seed", func(t *testing.T) {
		drawTheory(t, axes, withTheory(fakeSweep(axes, 2, 1), 2, 3), theoryFigureNames...)
	})
	t.Run("categorical", func(t *testing.T) {
		cat := []Axis{{Key: "alpha", Values: []string{"1,0.3", "1,0.5", "0.5,1"}}}
		drawTheory(t, cat, withTheory(fakeSweep(cat, 2, 3), 2, 3), theoryFigureNames...)
	})
	t.Run("one value", func(t *testing.T) {
		one := []Axis{{Key: "mu[0]", Values: []string{"0.1"}}}
		drawTheory(t, one, withTheory(fakeSweep(one, 2, 2), 2, 3), theoryFigureNames...)
	})
}

func TestTheoryPlots2D(t *testing.T) {
	t.Parallel()
	axes := []Axis{
		{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}},
		{Key: "mu[0]", Values: []string{"0", "0.1", "0.2", "0.3"}},
	}
	t.Run("K=2", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 3, 5), 2, 4)
		withoutTheory(results, 0)
		drawTheory(t, axes, results, theoryFigureNames...)
	})
	t.Run("K=3 one seed", func(t *testing.T) {
		drawTheory(t, axes, withTheory(fakeSweep(axes, 3, 1), 3, 4), theoryFigureNames...)
	})
	t.Run("3 axes", func(t *testing.T) {
		three := append(append([]Axis(nil), axes...), Axis{Key: "n-train", Values: []string{"100", "200"}})
		drawTheory(t, three, withTheory(fakeSweep(three, 2, 2), 2, 4), theoryFigureNames...)
	})
}

// TestTheoryPlotsEdges draws the figures at the edges: no escape at all,
// every step the same, seeds without a predicted winner, no axis.
func TestTheoryPlotsEdges(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5"}}}
	t.Run("never", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 2), 2, 4)
		for _, r := range results {
			for i := range r.Summary.PerSeed {
				th := r.Summary.PerSeed[i].Theory
				for m := range th.PredictedEscape {
					th.PredictedEscape[m], th.EscapeAlone[m], th.EscapeJoint[m] = Num(math.NaN()), Num(math.NaN()), Num(math.NaN())
				}
				th.PredictedWinner, th.FirstRight, th.Right = -1, false, false
			}
			r.Summary.Theory = aggregateTheory(2, completeSeeds(r.Summary))
		}
		drawTheory(t, axes, results, theoryFigureNames...)
	})
	t.Run("equal steps", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 2), 2, 4)
		for _, r := range results {
			for i := range r.Summary.PerSeed {
				th := r.Summary.PerSeed[i].Theory
				for m := range th.PredictedEscape {
					th.PredictedEscape[m], th.EscapeAlone[m], th.EscapeJoint[m] = 50, 50, 50
				}
			}
		}
		drawTheory(t, axes, results, theoryFigureNames...)
	})
	t.Run("zero steps", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 2), 2, 40)
		results[0].Summary.PerSeed[0].Theory.PredictedEscape[0] = 0
		results[0].Summary.PerSeed[0].Theory.EscapeAlone[0] = 0
		drawTheory(t, axes, results, theoryFigureNames...)
	})
	t.Run("no axis", func(t *testing.T) {
		drawTheory(t, nil, withTheory(fakeSweep(nil, 2, 3), 2, 4), "theory_escape")
	})
	t.Run("incomplete seeds only", func(t *testing.T) {
		results := withTheory(fakeSweep(axes, 2, 2), 2, 4)
		for _, r := range results {
			for i := range r.Summary.PerSeed {
				r.Summary.PerSeed[i].Complete = false
			}
		}
		drawTheory(t, axes, results)
	})
}

// TestTheoryPlotsNoTheory checks that a sweep without the theory (and one
// with no point) has no theory figure, and that the sweep's own figures
// are then all the sweep draws.
func TestTheoryPlotsNoTheory(t *testing.T) {
	t.Parallel()
	one := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}}}
	two := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5"}}, {Key: "mu[0]", Values: []string{"0", "0.1"}}}
	for _, axes := range [][]Axis{nil, one, two} {
		for _, results := range [][]Point{nil, fakeSweep(axes, 2, 3), {{Index: 0}}} {
			files := figure.Files{}
			names, err := figure.Save(files, theoryFigures(axes, completePoints(results), Sweep{Axes: axes, Points: results}.Theory()))
			if err != nil || len(names) != 0 || len(files) != 0 {
				t.Errorf("%d axes, %d points without theory: files %v, err %v; want nothing", len(axes), len(results), names, err)
			}
		}
	}
	drawSweep(t, one, fakeSweep(one, 2, 3), lineFigures)
}

// TestSweepPlotsTheory checks that a sweep's figures include the theory's
// when its seeds carry one, and saves those of a 2-D sweep as PNG and SVG.
func TestSweepPlotsTheory(t *testing.T) {
	t.Parallel()
	one := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}}}
	drawSweep(t, one, withTheory(fakeSweep(one, 2, 3), 2, 4), append(append([]string(nil), lineFigures...), append([]string{"sweep_escape"}, theoryFigureNames...)...))
	two := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5"}}, {Key: "mu[0]", Values: []string{"0", "0.1"}}}
	files := figure.Files{}
	names, err := Sweep{Axes: two, Points: withTheory(fakeSweep(two, 2, 3), 2, 4)}.SaveFigures(files)
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, files, names, append(append([]string(nil), phaseFigures...), theoryFigureNames...)...)
}

func TestEscapeStats(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	ps := []escapePair{
		{predicted: 100, observed: 110},
		{predicted: 50, observed: 50},
		{predicted: 200, observed: 180},
		{predicted: nan, observed: 300},
		{predicted: 80, observed: nan},
		{predicted: nan, observed: nan},
	}
	s := newEscapeScale(300, ps)
	a := agreement(ps)
	if a.Encoders != 6 || a.N != 3 || a.Never != 2 || a.NotPredicted != 2 || a.Both != 1 {
		t.Errorf("counts %d encoders, n %d, never %d, not predicted %d, both %d; want 6, 3, 2, 2, 1", a.Encoders, a.N, a.Never, a.NotPredicted, a.Both)
	}
	if math.Abs(float64(a.MedianRatio)-1) > 1e-12 || math.Abs(float64(a.MedianError)-0.1) > 1e-12 || math.Abs(float64(a.MaxError)-0.1) > 1e-12 {
		t.Errorf("median ratio %g, median error %g, largest %g; want 1, 0.1, 0.1", a.MedianRatio, a.MedianError, a.MaxError)
	}
	if !(a.Corr > 0.95 && a.LogCorr > 0.95) {
		t.Errorf("correlations %g, %g of logs; want near 1", a.Corr, a.LogCorr)
	}
	if line := agreementLine(a, s.log); !strings.Contains(line, "median 1.00, median |error| 10%") || !strings.Contains(line, "r = 0.99, n = 3") {
		t.Errorf("panel line %q", line)
	}
	if s.log {
		t.Error("steps 50..300 drawn on a log scale, want linear")
	}
	if wide := newEscapeScale(0, []escapePair{{predicted: 10, observed: 12}, {predicted: 900, observed: 800}}); !wide.log {
		t.Error("steps 10..900 drawn on a linear scale, want log")
	}
	if y, ok := s.at(nan); ok || y <= s.top || y >= s.bandHi {
		t.Errorf("a missing step at %g (finite %v), want inside the band above %g", y, ok, s.top)
	}
}

func TestWilson(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{4, 4, 0.5101, 1},
		{0, 4, 0, 0.4899},
		{3, 4, 0.3006, 0.9544},
	} {
		lo, hi := wilson(c.k, c.n, 1.96)
		if math.Abs(lo-c.lo) > 1e-3 || math.Abs(hi-c.hi) > 1e-3 {
			t.Errorf("wilson(%d, %d) = %.4f..%.4f, want %.4f..%.4f", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := wilson(0, 0, 1.96); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("wilson(0, 0) = %g..%g, want NaN", lo, hi)
	}
}
