package report

// Two more figures of a 1-D sweep, on how the competition between the
// modalities goes at each swept value:
//
//	sweep_probe   what the linear probe of each joint encoder keeps of its
//	              uni-modal counterpart's accuracy above chance (kept, see
//	              graph.Kept): 1 as good as alone, 0 at chance. It needs no
//	              known feature, so it reads any encoder; the modality that
//	              loses the competition is the one far below 1. Drawn where
//	              some point knows it.
//	sweep_escape  each modality's escape step (its leading class head's
//	              alignment reaching rho, graph.Escaped), alone and in the
//	              joint network: the race the competition is decided by, and
//	              the delay of the loser. Drawn where some point has escape
//	              steps: encoders with class heads (the patch encoder) on
//	              data with a known feature; other points read n/a.

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/figure"
	"github.com/modcomp/modcomp/internal/stats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// raceFigures are sweep_probe and sweep_escape of a 1-D sweep, each where
// its data are.
func raceFigures(s sweepLine, panelW vg.Length) []figure.File {
	var files []figure.File
	legendW := 2.6 * vg.Inch
	if s.hasKept() {
		files = append(files, figure.File{Name: "sweep_probe", Width: panelW + legendW, Height: 4.4 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return sweepProbeFigure(s) })})
	}
	if s.hasEscapes() {
		w := vg.Length(math.Max(3.6, math.Min(float64(panelW/vg.Inch), 11.5/float64(max(s.k, 1))))) * vg.Inch
		files = append(files, figure.File{Name: "sweep_escape", Width: vg.Length(max(s.k, 1))*w + legendW, Height: 4.6 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return sweepEscapeFigure(s) })})
	}
	return files
}

// hasKept reports whether some point knows what a joint encoder's probe
// keeps.
func (s sweepLine) hasKept() bool {
	for _, sum := range s.at {
		if sum == nil {
			continue
		}
		for _, v := range sum.Joint.ProbeKept {
			if stats.Finite(float64(v)) {
				return true
			}
		}
	}
	return false
}

// escapeTheory is the point's theory aggregate where it has observed
// escape steps of modality r, else nil.
func escapeTheory(sum *Summary, r int) *TheoryAggregate {
	if sum == nil {
		return nil
	}
	a := theoryOfPoint(sum)
	if a == nil || r >= len(a.EscapeAlone) || r >= len(a.EscapeJoint) {
		return nil
	}
	return a
}

// hasEscapes reports whether some point has escape steps.
func (s sweepLine) hasEscapes() bool {
	for _, sum := range s.at {
		if sum != nil && escapeTheory(sum, 0) != nil {
			return true
		}
	}
	return false
}

// sweepProbeFigure is the chance-corrected probe of each joint encoder
// against the swept value: the share of its uni-modal counterpart's probe
// accuracy above chance that it keeps, with the share from which it counts
// as learned jointly (graph.LearnedKeptShare).
func sweepProbeFigure(s sweepLine) (figure.Figure, error) {
	p := figure.NewPanel("", "", "kept = (probe jointly - chance) / (probe alone - chance)")
	p.Add(figure.RefLine{Y: 1, Line: figure.Line(color.Gray{Y: 200}, vg.Points(0.8))})
	p.Add(figure.RefLine{Y: 0, Line: figure.Line(color.Gray{Y: 200}, vg.Points(0.8))})
	p.Add(figure.RefLine{Y: graph.LearnedKeptShare, Line: figure.RefStyle()})
	type series struct {
		color  color.Color
		groups []figure.StatGroup
	}
	var all []series
	lo, hi := 0.0, 1.0
	for r := 0; r < s.k; r++ {
		c := uniColor(r)
		groups := s.groupsOf(s.dodge(r, s.k), c,
			func(sum *Summary) (float64, float64, bool) {
				j := sum.Joint
				if r >= len(j.ProbeKept) || r >= len(j.ProbeKeptStd) {
					return 0, 0, false
				}
				return float64(j.ProbeKept[r]), float64(j.ProbeKeptStd[r]), true
			},
			func(_ *Summary, ss SeedSummary) (float64, bool) {
				if r >= len(ss.Joint.ProbeKept) {
					return 0, false
				}
				return float64(ss.Joint.ProbeKept[r]), true
			})
		for _, g := range groups {
			l, h := stats.MinMax(stats.FiniteValues(append([]float64{g.Mean, g.Lo, g.Hi}, g.Samples...)))
			lo, hi = fmin(lo, l), fmax(hi, h)
		}
		if err := s.lineThrough(p, groups, c); err != nil {
			return figure.Figure{}, err
		}
		all = append(all, series{c, groups})
	}
	shift, jitter := 0.35*s.halfSpan/float64(max(s.k-1, 1)), 0.08*s.halfSpan/float64(max(s.k-1, 1))
	for _, sr := range all {
		p.Add(figure.StatGroups{Groups: sr.groups, Shift: shift, Jitter: jitter})
	}
	s.setX(p)
	pad := 0.06 * (hi - lo)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad

	l := figure.NewLegend()
	for r := 0; r < s.k; r++ {
		l.Add(fmt.Sprintf("joint network's encoder m%d", r), figure.GlyphKey(figure.MeanGlyph(uniColor(r))))
	}
	l.Add("mean ± std over seeds", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add("one seed", figure.GlyphKey(figure.SampleGlyph(color.Gray{Y: 60})))
	l.Add(fmt.Sprintf("learned jointly: kept >= %g", graph.LearnedKeptShare), figure.RefLine{Line: figure.RefStyle()})
	l.Add("1: as alone; 0: chance", figure.RefLine{Line: figure.Line(color.Gray{Y: 200}, vg.Points(0.8))})
	l.Add("kept is NaN (not drawn) where")
	l.Add("  the probe alone is at chance")
	s.notes(l)
	return figure.Figure{
		Title:  fmt.Sprintf("Competition against %s: what the linear probe of each joint encoder\nkeeps of its accuracy above chance alone", s.axis.Key),
		Panels: []*plot.Plot{p},
		Legend: l,
	}, nil
}

// sweepSteps is the length of the training runs of the sweep's points (the
// most steps any network ran), 0 when unknown.
func (s sweepLine) sweepSteps() int {
	n := 0
	for _, sum := range s.at {
		if sum != nil {
			for _, net := range sum.Networks {
				n = max(n, net.Steps)
			}
		}
	}
	return n
}

// sweepEscapeFigure is each modality's escape step alone and in the joint
// network against the swept value, one panel per modality on one scale.
// The means and spreads are over the seeds in which the modality escaped;
// a seed in which it never did sits in the grey band at the top, and the
// k/n above each value count the seeds in which the joint encoder escaped.
func sweepEscapeFigure(s sweepLine) (figure.Figure, error) {
	steps := s.sweepSteps()
	// One scale for every panel, from every seed's steps.
	var vs []float64
	for _, sum := range s.at {
		if sum == nil {
			continue
		}
		for _, ss := range completeSeeds(sum) {
			if ss.Theory != nil {
				vs = append(vs, nums(ss.Theory.EscapeAlone)...)
				vs = append(vs, nums(ss.Theory.EscapeJoint)...)
			}
		}
	}
	sc := stepScale(steps, vs)
	var none []string
	for i, sum := range s.at {
		if sum != nil && escapeTheory(sum, 0) == nil {
			none = append(none, s.axis.Values[i])
		}
	}
	var panels []*plot.Plot
	for r := 0; r < s.k; r++ {
		p := figure.NewPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "", "escape step (alignment reaches rho)")
		band := color.Gray{Y: 232}
		p.Add(escapeBand{lo: sc.bandLo, hi: sc.bandHi, fill: band})
		type stepSeries struct {
			color  color.Color
			groups []figure.StatGroup
		}
		var series []stepSeries
		for i, joint := range []bool{false, true} {
			c := uniColor(r)
			if joint {
				c = roleEncoder.Color(255)
			}
			var groups []figure.StatGroup
			for xi, sum := range s.at {
				a := escapeTheory(sum, r)
				if a == nil {
					continue
				}
				mean, sd := a.EscapeAlone[r], at0(a.EscapeAloneStd, r)
				if joint {
					mean, sd = a.EscapeJoint[r], at0(a.EscapeJointStd, r)
				}
				g := escapeGroup(sc, float64(mean), float64(sd), s.x[xi]+s.dodge(i, 2), c)
				for _, v := range seedEscapes(sum, r, joint) {
					y, _ := sc.at(v)
					g.Samples = append(g.Samples, y)
				}
				groups = append(groups, g)
			}
			series = append(series, stepSeries{c, groups})
		}
		for _, sr := range series {
			// The line runs through the means of the seeds that escaped.
			if err := s.lineThrough(p, sr.groups, sr.color); err != nil {
				return figure.Figure{}, err
			}
		}
		for _, sr := range series {
			p.Add(figure.StatGroups{Groups: sr.groups, Shift: 0.35 * s.halfSpan, Jitter: 0.08 * s.halfSpan})
		}
		s.setX(p)
		sc.yAxis(p)
		// A strip above the band for the counts.
		p.Y.Max += 0.12 * (sc.bandHi - sc.lo)
		p.Add(s.escapeCounts(r))
		panels = append(panels, p)
	}

	l := figure.NewLegend()
	for r := 0; r < s.k; r++ {
		l.Add(fmt.Sprintf("%s: trained alone", modalityNetwork(r)), figure.GlyphKey(figure.MeanGlyph(uniColor(r))))
	}
	l.Add("joint: its encoder m<r>", figure.GlyphKey(figure.MeanGlyph(roleEncoder.Color(255))))
	l.Add("mean ± std over the seeds", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add("  that escaped")
	l.Add("one seed", figure.GlyphKey(figure.SampleGlyph(color.Gray{Y: 60})))
	within := "in training"
	if steps > 0 {
		within = fmt.Sprintf("within %d steps", steps)
	}
	l.Add("grey band: no escape")
	l.Add("  " + within)
	l.Add("k/n: seeds where the joint")
	l.Add("  encoder m<r> escaped")
	if sc.log {
		l.Add("steps on a log scale")
	}
	if n := len(none); n > 0 {
		if n > 4 {
			none = append(none[:3:3], "...")
		}
		l.Add(fmt.Sprintf("no escape steps at %d point%s", n, plural(n)))
		l.Add("  (n/a: no class heads to align):")
		l.Add("  " + strings.Join(none, "; "))
	}
	s.notes(l)
	return figure.Figure{
		Title:  fmt.Sprintf("The race against %s: the step at which each modality's class head escapes (alignment reaches rho)", s.axis.Key),
		Panels: panels,
		Legend: l,
	}, nil
}

// seedEscapes is modality r's escape step alone or in the joint network in
// each complete seed of a point that has them, NaN where it never escaped.
func seedEscapes(sum *Summary, r int, joint bool) []float64 {
	var out []float64
	for _, ss := range completeSeeds(sum) {
		th := ss.Theory
		if th == nil || r >= len(th.EscapeAlone) || r >= len(th.EscapeJoint) {
			continue
		}
		v := th.EscapeAlone[r]
		if joint {
			v = th.EscapeJoint[r]
		}
		out = append(out, float64(v))
	}
	return out
}

// escapeCounts is, at each swept value, "k/n": in how many of the n
// complete seeds the joint network's encoder of modality r escaped; "n/a"
// where the point has no escape steps.
func (s sweepLine) escapeCounts(r int) columnNotes {
	var n columnNotes
	for i, sum := range s.at {
		if sum == nil {
			continue
		}
		label, strong := "n/a", false
		if escapeTheory(sum, r) != nil {
			steps := seedEscapes(sum, r, true)
			escaped := len(stats.FiniteValues(steps))
			label, strong = fmt.Sprintf("%d/%d", escaped, len(steps)), escaped < len(steps)
		}
		n.x, n.labels, n.strong = append(n.x, s.x[i]), append(n.labels, label), append(n.strong, strong)
	}
	return n
}

// escapeGroup is the mean step and its spread on the escape scale, at x: a
// mean of NaN (no seed escaped) draws no mark, and a spread reaching below
// the scale's range ends at its bottom.
func escapeGroup(sc escapeScale, mean, sd float64, x float64, c color.Color) figure.StatGroup {
	g := figure.StatGroup{X: x, Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Color: c}
	if !stats.Finite(mean) {
		return g
	}
	g.Mean, _ = sc.at(mean)
	if !stats.Finite(sd) {
		return g
	}
	lo, hi := mean-sd, mean+sd
	g.Lo = sc.lo
	if !sc.log || lo > 0 {
		if y, _ := sc.at(lo); y > sc.lo {
			g.Lo = y
		}
	}
	g.Hi, _ = sc.at(hi)
	g.Hi = math.Min(g.Hi, sc.top)
	return g
}

// nums is xs as float64s.
func nums(xs []Num) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}
