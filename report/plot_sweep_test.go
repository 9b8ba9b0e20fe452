package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/figure"
)

// fakeSweepPoint is the summary of one point of k modalities over seeds: at
// level 0 every modality is learned alone and jointly; the higher the level,
// the weaker the last modality alone, and in the first lost seeds it loses
// the competition (learned alone, not jointly) and joint training falls
// behind the best uni-modal network.
func fakeSweepPoint(k, seeds int, level float64, lost int) *Summary {
	s := &Summary{State: "complete", Winner: -1}
	for r := 0; r < k; r++ {
		s.LearnedThreshold = append(s.LearnedThreshold, 0.1*(1+level*float64(r)))
	}
	for i := 0; i < seeds; i++ {
		jitter := 0.01 * float64(i)
		ss := SeedSummary{Seed: uint64(i + 1), Complete: true, Winner: 0}
		for r := 0; r < k; r++ {
			acc := 0.97 - 0.4*level*float64(r)/float64(max(k-1, 1)) - jitter
			ss.Unimodal = append(ss.Unimodal, UnimodalResult{
				Modality: r, ValAcc: Num(acc), TestAcc: Num(acc - 0.004),
				Alignment: Num(2.5 - level*float64(r) + jitter), AlignmentInit: 0.02, Learned: true,
			})
		}
		joint := 0.98 - jitter
		for r := 0; r < k; r++ {
			align, learned, enc := 2.4-level*float64(r)+jitter, true, float64(ss.Unimodal[r].TestAcc)
			if r == k-1 && i < lost {
				align, learned, enc = 0.015+0.01*jitter, false, 0.5
				joint -= 0.03 * level
			}
			ss.Joint.EncoderTestAcc = append(ss.Joint.EncoderTestAcc, Num(enc))
			ss.Joint.Alignment = append(ss.Joint.Alignment, Num(align))
			ss.Joint.AlignmentInit = append(ss.Joint.AlignmentInit, 0.02)
			ss.Unimodal[r].ProbeTestAcc = ss.Unimodal[r].TestAcc
			ss.Joint.ProbeTestAcc = append(ss.Joint.ProbeTestAcc, Num(enc))
			ss.Joint.ProbeKept = append(ss.Joint.ProbeKept, Num(graph.Kept(enc, float64(ss.Unimodal[r].ProbeTestAcc), 0.5)))
			ss.Joint.Learned = append(ss.Joint.Learned, learned)
		}
		ss.Joint.ValAcc, ss.Joint.TestAcc = Num(joint), Num(joint)
		ss.BestUnimodal = Best{Modality: 0, ValAcc: ss.Unimodal[0].ValAcc, TestAcc: ss.Unimodal[0].TestAcc}
		ss.Gap = ss.BestUnimodal.TestAcc - ss.Joint.TestAcc
		s.Seeds = append(s.Seeds, ss.Seed)
		s.SeedsAggregated = append(s.SeedsAggregated, ss.Seed)
		s.PerSeed = append(s.PerSeed, ss)
	}
	aggregate(s, k, s.PerSeed)
	return s
}

// fakeSweep is the results of a sweep over axes, the level of a point
// rising with its index; the points listed in skip are missing (not
// complete).
func fakeSweep(axes []Axis, k, seeds int, skip ...int) []Point {
	points := gridPoints(axes)
	var out []Point
	for _, p := range points {
		if slices.Contains(skip, p.Index) {
			continue
		}
		level := float64(p.Index) / float64(max(len(points)-1, 1))
		lost := int(math.Round(level * float64(seeds)))
		p.Summary = fakeSweepPoint(k, seeds, level, lost)
		out = append(out, p)
	}
	return out
}

// gridPoints enumerates the points of a grid over axes, the last axis
// varying fastest, as a sweep numbers them.
func gridPoints(axes []Axis) []Point {
	points := []Point{{Values: map[string]string{}}}
	for _, a := range axes {
		var next []Point
		for _, p := range points {
			for _, v := range a.Values {
				values := maps.Clone(p.Values)
				values[a.Key] = v
				next = append(next, Point{Values: values})
			}
		}
		points = next
	}
	for i := range points {
		points[i].Index = i
	}
	return points
}

var (
	lineFigures  = []string{"sweep_accuracy", "sweep_alignment", "sweep_probe"}
	phaseFigures = []string{"phase_gap", "phase_competition", "phase_joint_accuracy"}
)

// drawSweep draws the sweep's figures into a new directory and checks them.
func drawSweep(t *testing.T, axes []Axis, results []Point, figures []string) {
	t.Helper()
	drawSVG(t, Sweep{Axes: axes, Points: results}.figures(), figures...)
}

func TestSweepPlots1DNumeric(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8"}}}
	drawSweep(t, axes, fakeSweep(axes, 2, 3), lineFigures)
}

func TestSweepPlots1DCategorical(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha", Values: []string{"1,0.3,0.3", "1,0.5,0.5", "0.8,0.8,0.8", "0.5,1,1"}}}
	t.Run("K=3", func(t *testing.T) { drawSweep(t, axes, fakeSweep(axes, 3, 3), lineFigures) })
	t.Run("one seed", func(t *testing.T) { drawSweep(t, axes, fakeSweep(axes, 3, 1), lineFigures) })
	t.Run("missing point", func(t *testing.T) { drawSweep(t, axes, fakeSweep(axes, 3, 2, 1), lineFigures) })
}

func TestSweepPlots1DLogAxis(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "n-train", Values: []string{"50", "100", "200", "400", "800", "1600"}}}
	drawSweep(t, axes, fakeSweep(axes, 2, 4), lineFigures)
}

func TestSweepPlots2D(t *testing.T) {
	t.Parallel()
	axes := []Axis{
		{Key: "alpha[1]", Values: []string{"0.3", "0.4", "0.5", "0.6"}},
		{Key: "mu[0]", Values: []string{"0.05", "0.1", "0.15", "0.2", "0.25"}},
	}
	results := fakeSweep(axes, 2, 3, 7)
	nan := Num(math.NaN())
	// NaN values, as a summary read from JSON holds for null: a gap, a
	// joint accuracy, and a point whose seeds all failed.
	results[3].Summary.Gap = nan
	results[4].Summary.Joint.TestAcc = nan
	for i := range results[5].Summary.PerSeed {
		results[5].Summary.PerSeed[i].Complete = false
	}
	results[5].Summary.SeedsAggregated = nil
	aggregate(results[5].Summary, 2, nil)
	drawSweep(t, axes, results, phaseFigures)
}

func TestSweepPlots3D(t *testing.T) {
	t.Parallel()
	axes := []Axis{
		{Key: "alpha[1]", Values: []string{"0.3", "0.5", "0.7"}},
		{Key: "mu[0]", Values: []string{"0.05", "0.15"}},
		{Key: "n-train", Values: []string{"100", "200"}},
	}
	results := fakeSweep(axes, 3, 2)
	drawSweep(t, axes, results, phaseFigures)

	// The heat maps are a slice at the first value of the third axis.
	g := newPhaseGrid(axes, results)
	for i, row := range g.at {
		for j, s := range row {
			want := -1
			for _, r := range results {
				v := r.Values
				if v["alpha[1]"] == axes[0].Values[i] && v["mu[0]"] == axes[1].Values[j] && v["n-train"] == "100" {
					want = r.Index
				}
			}
			if s == nil || want < 0 || s != results[want].Summary {
				t.Errorf("cell (%d, %d): want the summary of point %d", i, j, want)
			}
		}
	}
	if sub := g.subtitle(); !strings.Contains(sub, "n-train=100") || !strings.Contains(sub, "rows (y): alpha[1]") {
		t.Errorf("subtitle %q must name the slice and the axes", sub)
	}
}

// TestSweepPlotsEdges draws sweeps at the edges: one value per axis,
// NaN everywhere, and no complete point at all.
func TestSweepPlotsEdges(t *testing.T) {
	t.Parallel()
	one1 := []Axis{{Key: "mu[0]", Values: []string{"0.1"}}}
	t.Run("1-D one value", func(t *testing.T) { drawSweep(t, one1, fakeSweep(one1, 2, 2), lineFigures) })
	one2 := []Axis{{Key: "mu[0]", Values: []string{"0.1"}}, {Key: "alpha[1]", Values: []string{"0.4"}}}
	t.Run("2-D one value", func(t *testing.T) { drawSweep(t, one2, fakeSweep(one2, 2, 2), phaseFigures) })
	t.Run("all NaN", func(t *testing.T) {
		axes := []Axis{{Key: "alpha[1]", Values: []string{"0.2", "0.4", "0.6"}}}
		results := fakeSweep(axes, 2, 2)
		nan := Num(math.NaN())
		for _, r := range results {
			s := r.Summary
			for i := range s.PerSeed {
				ss := &s.PerSeed[i]
				ss.Joint.TestAcc = nan
				for m := range ss.Unimodal {
					ss.Unimodal[m].TestAcc, ss.Unimodal[m].Alignment = nan, nan
					ss.Joint.Alignment[m] = nan
				}
			}
			*s = Summary{PerSeed: s.PerSeed, LearnedThreshold: []float64{math.NaN(), math.NaN()}}
			aggregate(s, 2, s.PerSeed)
		}
		// No alignment anywhere (an mlp): no alignment figure.
		drawSweep(t, axes, results, []string{"sweep_accuracy", "sweep_probe"})
		// One seed's alignment is enough to draw it.
		results[1].Summary.PerSeed[0].Joint.Alignment[0] = 0.5
		drawSweep(t, axes, results, lineFigures)
	})
	t.Run("non-positive alignment", func(t *testing.T) {
		axes := []Axis{{Key: "alpha[1]", Values: []string{"0.2", "0.4"}}}
		results := fakeSweep(axes, 2, 2)
		results[0].Summary.PerSeed[0].Joint.Alignment[1] = -0.3
		aggregate(results[0].Summary, 2, results[0].Summary.PerSeed)
		drawSweep(t, axes, results, lineFigures)
	})
	for _, axes := range [][]Axis{nil, one1, one2} {
		files := figure.Files{}
		names, err := Sweep{Axes: axes}.SaveFigures(files)
		if err != nil || len(names) != 0 || len(files) != 0 {
			t.Errorf("%d axes, no point: files %v, err %v; want nothing", len(axes), names, err)
		}
	}
}

func TestAxisPositions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		values        []string
		x             string
		numeric, logX bool
	}{
		{[]string{"0.2", "0.4", "0.3"}, "[0.2 0.4 0.3]", true, false},
		{[]string{"100", "200", "400", "800"}, "[2 2.30103 2.60206 2.90309]", true, true},
		// Over a factor of 10, but evenly spaced: linear.
		{[]string{"10", "40", "70", "100"}, "[10 40 70 100]", true, false},
		{[]string{"1,0.4", "1,0.6"}, "[0 1]", false, false},
		{[]string{"0.1"}, "[0]", false, false},
		{[]string{"0.1", "0.1"}, "[0 1]", false, false},
		{[]string{"1", "NaN"}, "[0 1]", false, false},
		{nil, "[]", false, false},
	} {
		x, numeric, logX := axisPositions(c.values)
		got := fmt.Sprintf("%.6g", x)
		if got != c.x || numeric != c.numeric || logX != c.logX {
			t.Errorf("axisPositions(%q) = %s, %v, %v; want %s, %v, %v", c.values, got, numeric, logX, c.x, c.numeric, c.logX)
		}
	}
}

// TestSweepLineSeeds checks that the dots are the complete seeds only, and
// that the means drawn are the summary's.
func TestSweepLineSeeds(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "mu[0]", Values: []string{"0.1", "0.2", "0.3"}}}
	results := fakeSweep(axes, 2, 3, 2)
	s0 := results[0].Summary
	s0.PerSeed = append(s0.PerSeed, SeedSummary{Seed: 9, Complete: false, Unimodal: []UnimodalResult{{TestAcc: 0.1}, {TestAcc: 0.1}}})
	s := newSweepLine(axes[0], results)
	if fmt.Sprint(s.missing) != "[0.3]" || s.k != 2 || s.minSeeds != 3 || s.maxSeeds != 3 {
		t.Errorf("missing %v, k %d, seeds %d-%d; want [0.3], 2, 3-3", s.missing, s.k, s.minSeeds, s.maxSeeds)
	}
	groups := s.groupsOf(0, nil,
		func(sum *Summary) (float64, float64, bool) {
			return float64(sum.Unimodal[1].TestAcc), float64(sum.Unimodal[1].TestAccStd), true
		},
		func(_ *Summary, ss SeedSummary) (float64, bool) { return float64(ss.Unimodal[1].TestAcc), true })
	if len(groups) != 2 {
		t.Fatalf("%d groups, want one per complete point", len(groups))
	}
	g := groups[0]
	if len(g.Samples) != 3 {
		t.Errorf("samples %v: want the 3 complete seeds only", g.Samples)
	}
	if g.Mean != float64(s0.Unimodal[1].TestAcc) || g.Hi-g.Mean != float64(s0.Unimodal[1].TestAccStd) {
		t.Errorf("mean %g, bar to %g; want the summary's %g ± %g", g.Mean, g.Hi, s0.Unimodal[1].TestAcc, s0.Unimodal[1].TestAccStd)
	}
	if got := s.lostCounts(1).labels; fmt.Sprint(got) != "[0/3 2/3]" {
		t.Errorf("lost counts %v, want [0/3 2/3]", got)
	}
}

func TestPhaseLabels(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "a", Values: []string{"1", "2"}}, {Key: "b", Values: []string{"x", "y"}}}
	g := newPhaseGrid(axes, fakeSweep(axes, 2, 4, 1))
	m, title := g.competitionMap()
	if got := fmt.Sprint(m.Labels); got != "[[0/4 n/a] [3/4 4/4]]" {
		t.Errorf("labels %s, want [[0/4 n/a] [3/4 4/4]]", got)
	}
	if !strings.Contains(title, "1 not complete") {
		t.Errorf("title %q must count the missing point", title)
	}
	gap, _ := g.gapMap()
	if !gap.Diverging || !math.IsNaN(gap.Z[0][1]) {
		t.Errorf("gap map: diverging %v, missing cell %g; want true, NaN", gap.Diverging, gap.Z[0][1])
	}
}

func TestWrapParts(t *testing.T) {
	t.Parallel()
	got := wrapParts([]string{"rows (y): a, columns (x): b", "slice at c=1, d=2 (first values)", "3 seeds per point"}, 40)
	want := "rows (y): a, columns (x): b;\nslice at c=1, d=2 (first values);\n3 seeds per point"
	if got != want {
		t.Errorf("wrapParts = %q, want %q", got, want)
	}
	if got := wrapParts([]string{"a", "b"}, 40); got != "a; b" {
		t.Errorf("wrapParts = %q, want %q", got, "a; b")
	}
}
