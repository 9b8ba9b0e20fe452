package report

import (
	"fmt"
	"math"
	"testing"
)

// TestSweepRaceFigures draws sweep_probe and sweep_escape of 1-D sweeps:
// each where its data are, the escape steps n/a where a point has no
// theory (an encoder without class heads), and none of either for
// summaries written before they had the chance-corrected probe.
func TestSweepRaceFigures(t *testing.T) {
	t.Parallel()
	depth := []Axis{{Key: "depth", Values: []string{"1", "2", "3", "4"}}}
	for _, tc := range []struct {
		name  string
		axes  []Axis
		k     int
		edit  func(results []Point) []Point
		wants []string
	}{
		{"theory everywhere", depth, 2, func(rs []Point) []Point { return withTheory(rs, 2, 4) }, []string{"sweep_probe", "sweep_escape"}},
		{"a point without theory", depth, 2, func(rs []Point) []Point {
			rs = withTheory(rs, 2, 4)
			withoutTheory(rs, 3)
			return rs
		}, []string{"sweep_probe", "sweep_escape"}},
		{"no theory", depth, 2, func(rs []Point) []Point { return rs }, []string{"sweep_probe"}},
		{"no kept probe", depth, 2, func(rs []Point) []Point {
			for _, p := range rs {
				s := p.Summary
				for i := range s.PerSeed {
					s.PerSeed[i].Joint.ProbeKept = nil
				}
				aggregate(s, 2, s.PerSeed)
			}
			return withTheory(rs, 2, 4)
		}, []string{"sweep_escape"}},
		{"never escaped jointly", depth, 2, func(rs []Point) []Point {
			rs = withTheory(rs, 2, 4)
			s := rs[2].Summary
			for i := range s.PerSeed {
				s.PerSeed[i].Theory.EscapeJoint[1] = Num(math.NaN())
			}
			s.Theory = aggregateTheory(2, completeSeeds(s))
			return rs
		}, []string{"sweep_probe", "sweep_escape"}},
		{"three modalities, categories", []Axis{{Key: "alpha", Values: []string{"1,0.3,0.3", "1,0.5,0.5"}}}, 3,
			func(rs []Point) []Point { return withTheory(rs, 3, 40) }, []string{"sweep_probe", "sweep_escape"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			results := tc.edit(fakeSweep(tc.axes, tc.k, 3))
			s := newSweepLine(tc.axes[0], completePoints(results))
			drawSVG(t, raceFigures(s, 5*72), tc.wants...)
		})
	}
}

// TestEscapeCounts checks the k/n over the escape panels: the seeds where
// the joint encoder escaped, n/a where the point has no escape steps.
func TestEscapeCounts(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "depth", Values: []string{"1", "2", "3"}}}
	results := withTheory(fakeSweep(axes, 2, 4), 2, 4)
	withoutTheory(results, 2)
	for _, p := range results[:2] {
		for i := range p.Summary.PerSeed {
			p.Summary.PerSeed[i].Theory.EscapeJoint[1] = 50
		}
	}
	s0 := results[0].Summary
	s0.PerSeed[1].Theory.EscapeJoint[1] = Num(math.NaN())
	s0.PerSeed[3].Theory.EscapeJoint[1] = Num(math.NaN())
	s := newSweepLine(axes[0], results)
	if got := s.escapeCounts(1); fmt.Sprint(got.labels, got.strong) != "[2/4 4/4 n/a] [true false false]" {
		t.Errorf("escape counts %v (strong %v), want [2/4 4/4 n/a] [true false false]", got.labels, got.strong)
	}
}
