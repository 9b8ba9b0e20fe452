package report

// The figures of a sweep. A sweep asks how the outcome of the competition
// moves with the configuration, so its figures put the swept values on an
// axis:
//
//	one axis:   sweep_accuracy   test accuracy of each uni-modal network and
//	                             of the joint network, and the gap between
//	                             the best of them and the joint network
//	            sweep_alignment  each modality's alignment alone and inside
//	                             the joint network, with the seeds where it
//	                             lost the competition counted (where some
//	                             encoder has an alignment)
//	            sweep_probe      what each joint encoder's linear probe keeps
//	                             of its accuracy above chance alone
//	            sweep_escape     each modality's escape step alone and in
//	                             the joint network (plot_sweep_race.go)
//	two axes:   phase_gap, phase_competition, phase_joint_accuracy
//	                             heat maps (phase diagrams), the first axis
//	                             up the rows and the second along the columns
//	more axes:  the same heat maps over the first two axes, at the first value
//	            of every other axis (named in the title): a slice, because a
//	            figure per value of the other axes would multiply quickly and
//	            sweep.csv holds every point anyway
//
// The numbers drawn are the points' summaries (means and standard deviations
// over the seeds whose networks all completed), so that the figures and
// sweep.md agree; each seed's own value is a small dot beside them.

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/modcomp/modcomp/internal/figure"
	"github.com/modcomp/modcomp/internal/stats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SaveFigures draws the figures of the sweep into sink, each as PNG and
// SVG, and returns the names of the files written. Points missing (not
// complete yet) are left out of the 1-D figures and drawn as grey "n/a"
// cells in the heat maps. A sweep with no axis or no complete point has no
// figure.
func (sw Sweep) SaveFigures(sink figure.Sink) ([]string, error) {
	return figure.Save(sink, sw.figures())
}

// figures are the figures of the sweep, to save.
func (sw Sweep) figures() []figure.File {
	axes := sw.Axes
	valid := completePoints(sw.Points)
	if len(axes) == 0 || len(valid) == 0 {
		return nil
	}
	var figures []figure.File
	if len(axes) == 1 {
		s := newSweepLine(axes[0], valid)
		panelW := vg.Length(math.Min(7, math.Max(4, 3.2+0.32*float64(len(s.x))))) * vg.Inch
		alignW := vg.Length(math.Max(3.6, math.Min(float64(panelW/vg.Inch), 11.5/float64(max(s.k, 1))))) * vg.Inch
		legendW := 2.3 * vg.Inch
		figures = append(figures,
			figure.File{Name: "sweep_accuracy", Width: panelW*1.75 + legendW + 0.4*vg.Inch, Height: 4.4 * vg.Inch,
				Draw: figure.Built(func() (figure.Figure, error) { return sweepAccuracyFigure(s) })})
		// Encoders without a known feature (an mlp) have no alignment: no
		// figure of empty panels.
		if s.hasAlignment() {
			figures = append(figures, figure.File{Name: "sweep_alignment", Width: vg.Length(max(s.k, 1))*alignW + legendW, Height: 4.4 * vg.Inch,
				Draw: figure.Built(func() (figure.Figure, error) { return sweepAlignmentFigure(s) })})
		}
		figures = append(figures, raceFigures(s, panelW)...)
	} else {
		g := newPhaseGrid(axes, valid)
		w, h := g.size()
		for _, f := range []struct {
			name  string
			build func() (figure.HeatMap, string)
		}{
			{"phase_gap", g.gapMap},
			{"phase_competition", g.competitionMap},
			{"phase_joint_accuracy", g.jointAccuracyMap},
		} {
			m, title := f.build()
			figures = append(figures, figure.File{Name: f.name, Width: w, Height: h, Draw: func(c draw.Canvas) error { return m.Draw(c, title) }})
		}
	}
	return append(figures, theoryFigures(axes, valid, sw.Theory())...)
}

// completePoints are the points of results that have a summary: those whose
// seeds have all finished.
func completePoints(results []Point) []Point {
	var complete []Point
	for _, r := range results {
		if r.Summary != nil {
			complete = append(complete, r)
		}
	}
	return complete
}

// uniColor is the colour of modality r's uni-modal network in every sweep
// figure. It avoids the colours of the joint network (black) and of its
// encoders (vermillion), so that in the alignment figure a modality alone
// and inside the joint network read apart, and keeps modality 0 in the
// compare figures' blue.
func uniColor(r int) color.Color {
	order := []figure.OkabeIto{figure.Blue, figure.Green, figure.Purple, figure.SkyBlue, figure.Orange}
	return figure.Cycle(order, r).Color(255)
}

// axisPositions places the values of a swept axis on x. Numbers go on a
// numeric axis, at log10 of their value when they are positive and spread
// over a factor of 4 or more with steps more even on a log axis than on a linear
// one (n-train = 100, 200, 400, 800); anything else (a list such as "1,0.4",
// a single value, a value that does not parse) is a category, at its index
// in axis order.
func axisPositions(values []string) (x []float64, numeric, logX bool) {
	x = make([]float64, len(values))
	for i := range x {
		x[i] = float64(i)
	}
	if len(values) < 2 {
		return x, false, false
	}
	vs := make([]float64, len(values))
	for i, s := range values {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !stats.Finite(v) {
			return x, false, false
		}
		vs[i] = v
	}
	sorted := append([]float64(nil), vs...)
	sort.Float64s(sorted)
	if sorted[0] == sorted[len(sorted)-1] {
		return x, false, false
	}
	if sorted[0] > 0 && sorted[len(sorted)-1]/sorted[0] >= 4 && len(sorted) >= 3 &&
		unevenness(figure.Log10s(sorted)) < unevenness(sorted) {
		return figure.Log10s(vs), true, true
	}
	return vs, true, false
}

// unevenness is the coefficient of variation of the steps between sorted
// values: 0 when they are evenly spaced.
func unevenness(sorted []float64) float64 {
	var steps []float64
	for i := 1; i < len(sorted); i++ {
		steps = append(steps, sorted[i]-sorted[i-1])
	}
	m, sd := stats.MeanStd(steps)
	if !(m > 0) {
		return math.Inf(1)
	}
	return sd / m
}

// sweepLine is a 1-D sweep: the summary at each value of its axis (nil
// where the point is missing) and where each value sits on x.
type sweepLine struct {
	axis           Axis
	x              []float64
	numeric, logX  bool
	at             []*Summary
	k              int // modalities: the most of any point
	minSeeds       int // complete seeds of the points drawn, fewest and most
	maxSeeds       int
	missing        []string // values without a complete point
	step, halfSpan float64  // smallest distance between positions; dodge room
}

func newSweepLine(a Axis, results []Point) sweepLine {
	s := sweepLine{axis: a, at: make([]*Summary, len(a.Values)), minSeeds: math.MaxInt}
	s.x, s.numeric, s.logX = axisPositions(a.Values)
	for _, r := range results {
		for i, v := range a.Values {
			if s.at[i] == nil && r.Values[a.Key] == v {
				s.at[i] = r.Summary
				break
			}
		}
	}
	for i, sum := range s.at {
		if sum == nil {
			s.missing = append(s.missing, a.Values[i])
			continue
		}
		s.k = max(s.k, len(sum.Unimodal))
		n := len(completeSeeds(sum))
		s.minSeeds, s.maxSeeds = min(s.minSeeds, n), max(s.maxSeeds, n)
	}
	if s.minSeeds == math.MaxInt {
		s.minSeeds = 0
	}
	s.step = 1
	if s.numeric {
		sorted := append([]float64(nil), s.x...)
		sort.Float64s(sorted)
		s.step = math.Inf(1)
		for i := 1; i < len(sorted); i++ {
			if d := sorted[i] - sorted[i-1]; d > 0 {
				s.step = math.Min(s.step, d)
			}
		}
	}
	s.halfSpan = 0.3 * s.step
	return s
}

// hasAlignment reports whether some complete seed of some point has a
// finite alignment, alone or jointly.
func (s sweepLine) hasAlignment() bool {
	for _, sum := range s.at {
		if sum == nil {
			continue
		}
		for _, ss := range completeSeeds(sum) {
			for _, u := range ss.Unimodal {
				if stats.Finite(float64(u.Alignment)) {
					return true
				}
			}
			for _, a := range ss.Joint.Alignment {
				if stats.Finite(float64(a)) {
					return true
				}
			}
		}
	}
	return false
}

// completeSeeds is the per-seed summaries of the seeds whose networks all
// completed: those the point's means are taken over.
func completeSeeds(s *Summary) []SeedSummary {
	var out []SeedSummary
	for _, ss := range s.PerSeed {
		if ss.Complete {
			out = append(out, ss)
		}
	}
	return out
}

// dodge is the x offset of the i-th of n series at one swept value, so that
// their error bars stand side by side instead of on top of each other.
func (s sweepLine) dodge(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	return s.halfSpan * (-1 + 2*float64(i)/float64(n-1))
}

// setX lays out the x axis: the swept values as ticks (at most a dozen
// labelled, else gonum's own ticks), with room for the dodged series.
func (s sweepLine) setX(p *plot.Plot) {
	lo, hi := stats.MinMax(s.x)
	pad := s.halfSpan + 0.3*s.step
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.X.Label.Text = s.axis.Key
	switch {
	case !s.numeric || len(s.x) <= 12:
		ts := make(plot.ConstantTicks, len(s.x))
		for i, v := range s.axis.Values {
			ts[i] = plot.Tick{Value: s.x[i], Label: v}
		}
		p.X.Tick.Marker = ts
	case s.logX:
		p.X.Tick.Marker = figure.Log10Ticks{}
	}
	if !s.numeric {
		p.X.Tick.Length = 0
	}
}

// lineThrough draws the means of a series at the swept values, in x order,
// as a thin line broken at missing points: on a numeric axis only, since a
// line between categories would claim values in between.
func (s sweepLine) lineThrough(p *plot.Plot, groups []figure.StatGroup, c color.Color) error {
	if !s.numeric {
		return nil
	}
	sorted := append([]figure.StatGroup(nil), groups...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].X < sorted[j].X })
	x, y := make([]float64, len(sorted)), make([]float64, len(sorted))
	for i, g := range sorted {
		x[i], y[i] = g.X, g.Mean
	}
	return figure.AddLine(p, x, y, figure.Line(figure.WithAlpha(c, 150), vg.Points(1.1)))
}

// notes adds the legend's closing lines: seeds per point and missing points.
func (s sweepLine) notes(l *plot.Legend) {
	if s.minSeeds == s.maxSeeds {
		l.Add(fmt.Sprintf("%d seed%s per point", s.maxSeeds, plural(s.maxSeeds)))
	} else {
		l.Add(fmt.Sprintf("%d-%d seeds per point", s.minSeeds, s.maxSeeds))
	}
	if n := len(s.missing); n > 0 {
		l.Add(fmt.Sprintf("%d point%s not complete:", n, plural(n)))
		shown := s.missing
		if len(shown) > 4 {
			shown = append(shown[:3:3], "...")
		}
		l.Add("  " + strings.Join(shown, "; "))
	}
}

// groupsOf is one series over the sweep: at each complete point, the mean
// and standard deviation the summary reports (stat) and each complete
// seed's value (seed), at the point's x shifted by off. stat or seed may
// report ok = false where the series has no value (a modality a point does
// not have).
func (s sweepLine) groupsOf(off float64, c color.Color,
	stat func(*Summary) (m, sd float64, ok bool),
	seed func(*Summary, SeedSummary) (float64, bool),
) []figure.StatGroup {
	var out []figure.StatGroup
	for i, sum := range s.at {
		if sum == nil {
			continue
		}
		m, sd, ok := stat(sum)
		if !ok {
			continue
		}
		g := figure.StatGroup{X: s.x[i] + off, Mean: m, Lo: m - sd, Hi: m + sd, Color: c}
		for _, ss := range completeSeeds(sum) {
			if v, ok := seed(sum, ss); ok {
				g.Samples = append(g.Samples, v)
			}
		}
		out = append(out, g)
	}
	return out
}

// sweepAccuracyFigure is the outcome of the sweep: the test accuracy of each
// uni-modal network and of the joint network against the swept value, and
// the gap between the best uni-modal network (picked on validation) and the
// joint network, which is positive where joint training loses.
func sweepAccuracyFigure(s sweepLine) (figure.Figure, error) {
	acc := figure.NewPanel("Test accuracy", "", "test accuracy")
	type accSeries struct {
		name   string
		color  color.Color
		groups []figure.StatGroup
	}
	var series []accSeries
	n := s.k + 1
	for r := 0; r < s.k; r++ {
		c := uniColor(r)
		series = append(series, accSeries{modalityNetwork(r), c, s.groupsOf(s.dodge(r, n), c,
			func(sum *Summary) (float64, float64, bool) {
				if r >= len(sum.Unimodal) {
					return 0, 0, false
				}
				return float64(sum.Unimodal[r].TestAcc), float64(sum.Unimodal[r].TestAccStd), true
			},
			func(_ *Summary, ss SeedSummary) (float64, bool) {
				if r >= len(ss.Unimodal) {
					return 0, false
				}
				return float64(ss.Unimodal[r].TestAcc), true
			})})
	}
	jc := roleJoint.Color(255)
	series = append(series, accSeries{"joint", jc, s.groupsOf(s.dodge(s.k, n), jc,
		func(sum *Summary) (float64, float64, bool) {
			return float64(sum.Joint.TestAcc), float64(sum.Joint.TestAccStd), true
		},
		func(_ *Summary, ss SeedSummary) (float64, bool) { return float64(ss.Joint.TestAcc), true })})

	shift, jitter := 0.35*s.halfSpan/float64(max(n-1, 1)), 0.08*s.halfSpan/float64(max(n-1, 1))
	acc.Add(chanceLine())
	lowest := math.NaN()
	for _, sr := range series {
		if err := s.lineThrough(acc, sr.groups, sr.color); err != nil {
			return figure.Figure{}, err
		}
		for _, g := range sr.groups {
			l, _ := stats.MinMax(stats.FiniteValues(append([]float64{g.Mean}, g.Samples...)))
			lowest = fmin(lowest, l)
		}
	}
	for _, sr := range series {
		acc.Add(figure.StatGroups{Groups: sr.groups, Shift: shift, Jitter: jitter})
	}
	s.setX(acc)
	accuracyAxis(acc, lowest)

	// The gap of each seed is taken against the modality the point's
	// summary picked, so that the dots average to the mean drawn.
	gap := figure.NewPanel("Gap: best uni-modal minus joint", "", "test accuracy gap")
	gc := figure.Vermillion.Color(255)
	groups := s.groupsOf(0, gc,
		func(sum *Summary) (float64, float64, bool) { return float64(sum.Gap), float64(sum.GapStd), true },
		func(sum *Summary, ss SeedSummary) (float64, bool) {
			b := sum.BestUnimodal.Modality
			if b < 0 || b >= len(ss.Unimodal) {
				return 0, false
			}
			return float64(ss.Unimodal[b].TestAcc - ss.Joint.TestAcc), true
		})
	// Unlabelled: the legend names it, and a label would cover the bars
	// that straddle zero.
	gap.Add(figure.RefLine{Y: 0, Line: figure.RefStyle()})
	if err := s.lineThrough(gap, groups, gc); err != nil {
		return figure.Figure{}, err
	}
	gap.Add(figure.StatGroups{Groups: groups, Shift: 0.35 * s.halfSpan, Jitter: 0.08 * s.halfSpan})
	s.setX(gap)
	gap.Y.Label.Text = "gap (> 0: joint training loses)"
	// Centred on zero, so that the sign of a gap reads at a glance.
	figure.SymmetricAround(gap, 0)

	l := figure.NewLegend()
	for _, sr := range series {
		name := sr.name
		if name != "joint" {
			name += ": trained alone"
		} else {
			name = "joint network"
		}
		l.Add(name, figure.GlyphKey(figure.MeanGlyph(sr.color)))
	}
	l.Add("gap of the best uni-modal", figure.GlyphKey(figure.MeanGlyph(gc)))
	l.Add("mean ± std over seeds", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add("one seed", figure.GlyphKey(figure.SampleGlyph(color.Gray{Y: 60})))
	l.Add("chance; gap 0", figure.RefLine{Line: figure.RefStyle()})
	s.notes(l)
	return figure.Figure{
		Title:  fmt.Sprintf("Uni-modal vs joint training against %s", s.axis.Key),
		Panels: []*plot.Plot{acc, gap},
		Legend: l,
	}, nil
}

// modalityNetwork is the name of modality r's uni-modal network.
func modalityNetwork(r int) string { return fmt.Sprintf("uni-m%d", r) }

// sweepAlignmentFigure is the competition against the swept value: for each
// modality, the final alignment of its uni-modal network and of its encoder
// inside the joint network, with the threshold of a learned feature. A
// modality that loses the competition is learned alone (above the
// threshold) but not jointly (below it); the k/n above each value counts
// the seeds where that happened.
func sweepAlignmentFigure(s sweepLine) (figure.Figure, error) {
	lo, hi := math.NaN(), math.NaN()
	clamped := false
	// log10 of a positive value; the values below the floor are drawn at it.
	lg := func(v float64) float64 {
		if !stats.Finite(v) {
			return math.NaN()
		}
		if v < alignFloor {
			v, clamped = alignFloor, true
		}
		lo, hi = fmin(lo, v), fmax(hi, v)
		return math.Log10(v)
	}
	varying := false
	var panels []*plot.Plot
	var notes []columnNotes
	for r := 0; r < s.k; r++ {
		p := figure.NewPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "", fmt.Sprintf("final alignment with v%d", r))
		type alignSeries struct {
			color  color.Color
			groups []figure.StatGroup
		}
		var series []alignSeries
		for i, joint := range []bool{false, true} {
			c := uniColor(r)
			if joint {
				c = roleEncoder.Color(255)
			}
			groups := s.groupsOf(s.dodge(i, 2), c,
				func(sum *Summary) (float64, float64, bool) {
					if joint {
						if r >= len(sum.Joint.Alignment) || r >= len(sum.Joint.AlignmentStd) {
							return 0, 0, false
						}
						return float64(sum.Joint.Alignment[r]), float64(sum.Joint.AlignmentStd[r]), true
					}
					if r >= len(sum.Unimodal) {
						return 0, 0, false
					}
					return float64(sum.Unimodal[r].Alignment), float64(sum.Unimodal[r].AlignmentStd), true
				},
				func(_ *Summary, ss SeedSummary) (float64, bool) {
					if joint {
						if r >= len(ss.Joint.Alignment) {
							return 0, false
						}
						return float64(ss.Joint.Alignment[r]), true
					}
					if r >= len(ss.Unimodal) {
						return 0, false
					}
					return float64(ss.Unimodal[r].Alignment), true
				})
			// The summary's mean and std are of the raw values; only what is
			// drawn goes to log10. The bottom of a bar does not set the axis:
			// with few seeds, mean - std is often near or below zero, and the
			// axis would then stretch over decades where no seed lies. Such a
			// bar runs off the bottom of the panel instead.
			for gi := range groups {
				g := &groups[gi]
				if g.Lo > 0 {
					g.Lo = math.Log10(g.Lo)
				} else if stats.Finite(g.Lo) {
					g.Lo = math.Log10(alignFloor) - 10
				}
				g.Mean, g.Hi = lg(g.Mean), lg(g.Hi)
				for j, v := range g.Samples {
					g.Samples[j] = lg(v)
				}
			}
			series = append(series, alignSeries{c, groups})
		}
		// Reference lines go under the data, which may sit on them.
		th, varies := s.thresholds(r)
		varying = varying || varies
		for i, t := range th {
			if !stats.Finite(t) || !(t > 0) {
				continue
			}
			lo, hi = fmin(lo, t), fmax(hi, t)
			y := math.Log10(t)
			if !varies {
				p.Add(figure.RefLine{Y: y, Line: figure.RefStyle(), Label: fmt.Sprintf("learned: %.3g", t)})
				break
			}
			w := s.halfSpan + 0.2*s.step
			if err := figure.AddLine(p, []float64{s.x[i] - w, s.x[i] + w}, []float64{y, y}, figure.RefStyle()); err != nil {
				return figure.Figure{}, err
			}
		}
		for _, sr := range series {
			if err := s.lineThrough(p, sr.groups, sr.color); err != nil {
				return figure.Figure{}, err
			}
		}
		for _, sr := range series {
			p.Add(figure.StatGroups{Groups: sr.groups, Shift: 0.35 * s.halfSpan, Jitter: 0.08 * s.halfSpan})
		}
		s.setX(p)
		notes = append(notes, s.lostCounts(r))
		panels = append(panels, p)
	}
	// One y range for every panel, so that heights compare across
	// modalities, with a strip at the top for the counts.
	for i, p := range panels {
		figure.LogY(p, lo, hi)
		p.Y.Max += 0.3
		p.Add(notes[i])
	}

	l := figure.NewLegend()
	for r := 0; r < s.k; r++ {
		l.Add(fmt.Sprintf("%s: trained alone", modalityNetwork(r)), figure.GlyphKey(figure.MeanGlyph(uniColor(r))))
	}
	l.Add("joint: its encoder m<r>", figure.GlyphKey(figure.MeanGlyph(roleEncoder.Color(255))))
	l.Add("mean ± std over seeds", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add("one seed", figure.GlyphKey(figure.SampleGlyph(color.Gray{Y: 60})))
	if varying {
		l.Add("threshold of learned", figure.RefLine{Line: figure.RefStyle()})
		l.Add("  (rho/alpha_r, per point)")
	} else {
		l.Add("threshold of learned", figure.RefLine{Line: figure.RefStyle()})
	}
	l.Add("k/n: seeds where m<r> was")
	l.Add("  learned alone, not jointly")
	if clamped {
		l.Add(fmt.Sprintf("values below %g drawn at %g", alignFloor, alignFloor))
	}
	s.notes(l)
	return figure.Figure{
		Title:  fmt.Sprintf("Competition against %s: final alignment alone and in the joint network", s.axis.Key),
		Panels: panels,
		Legend: l,
	}, nil
}

// thresholds is modality r's learned threshold at each swept value (NaN
// where missing), and whether it differs between values: it does when the
// sweep moves alpha_r.
func (s sweepLine) thresholds(r int) ([]float64, bool) {
	th := make([]float64, len(s.at))
	first, varies := math.NaN(), false
	for i, sum := range s.at {
		th[i] = math.NaN()
		if sum != nil && r < len(sum.LearnedThreshold) && stats.Finite(sum.LearnedThreshold[r]) {
			th[i] = sum.LearnedThreshold[r]
			if math.IsNaN(first) {
				first = th[i]
			} else if math.Abs(th[i]-first) > 1e-9*math.Abs(first) {
				varies = true
			}
		}
	}
	return th, varies
}

// lostCounts is, at each swept value, "k/n": in how many of the n complete
// seeds modality r learned its feature alone but not in the joint network.
func (s sweepLine) lostCounts(r int) columnNotes {
	var n columnNotes
	for i, sum := range s.at {
		if sum == nil {
			continue
		}
		seeds := completeSeeds(sum)
		lost, known := 0, 0
		for _, ss := range seeds {
			if r < len(ss.Unimodal) && r < len(ss.Joint.Learned) {
				known++
				if ss.Unimodal[r].Learned && !ss.Joint.Learned[r] {
					lost++
				}
			}
		}
		if known == 0 {
			continue
		}
		n.x = append(n.x, s.x[i])
		n.labels = append(n.labels, fmt.Sprintf("%d/%d", lost, known))
		n.strong = append(n.strong, lost > 0)
	}
	return n
}

// columnNotes writes a short label at the top of a panel above each x, e.g.
// a count per swept value; strong labels are in black, the others in grey,
// so that the nonzero counts stand out.
type columnNotes struct {
	x      []float64
	labels []string
	strong []bool
}

// Plot draws the labels.
func (n columnNotes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for i, x := range n.x {
		sty := figure.NoteStyle()
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		if i < len(n.strong) && !n.strong[i] {
			sty.Color = color.Gray{Y: 140}
		}
		pt := vg.Point{X: trX(x), Y: c.Max.Y - vg.Points(3)}
		if c.ContainsX(pt.X) {
			c.FillText(sty, pt, n.labels[i])
		}
	}
}

// phaseGrid is a sweep over two or more axes seen as a grid over the first
// two: at[row][col] is the summary at the first axis's row-th value and the
// second's col-th (nil where the point is missing), the other axes held at
// their first values.
type phaseGrid struct {
	rows, cols Axis
	fixed      []string // "key=value" of the other axes
	at         [][]*Summary
	missing    int
	seeds      []int // complete seeds of the points present
}

func newPhaseGrid(axes []Axis, results []Point) phaseGrid {
	g := phaseGrid{rows: axes[0], cols: axes[1]}
	for _, a := range axes[2:] {
		if len(a.Values) > 0 {
			g.fixed = append(g.fixed, a.Key+"="+a.Values[0])
		}
	}
	g.at = make([][]*Summary, len(g.rows.Values))
	for i := range g.at {
		g.at[i] = make([]*Summary, len(g.cols.Values))
	}
	index := func(values []string, v string) int {
		for i, x := range values {
			if x == v {
				return i
			}
		}
		return -1
	}
next:
	for _, r := range results {
		for _, a := range axes[2:] {
			if len(a.Values) > 0 && r.Values[a.Key] != a.Values[0] {
				continue next
			}
		}
		i, j := index(g.rows.Values, r.Values[g.rows.Key]), index(g.cols.Values, r.Values[g.cols.Key])
		if i >= 0 && j >= 0 && g.at[i][j] == nil {
			g.at[i][j] = r.Summary
		}
	}
	for _, row := range g.at {
		for _, s := range row {
			if s == nil {
				g.missing++
			} else {
				g.seeds = append(g.seeds, len(completeSeeds(s)))
			}
		}
	}
	return g
}

// size is a figure size that gives every cell room for its label.
func (g phaseGrid) size() (vg.Length, vg.Length) {
	w := math.Min(14, math.Max(7, 3.2+0.75*float64(len(g.cols.Values))))
	h := math.Min(10, math.Max(4.2, 1.9+0.42*float64(len(g.rows.Values))))
	return vg.Length(w) * vg.Inch, vg.Length(h) * vg.Inch
}

// values is f at every cell, NaN where the point is missing.
func (g phaseGrid) values(f func(*Summary) float64) [][]float64 {
	z := make([][]float64, len(g.at))
	for i, row := range g.at {
		z[i] = make([]float64, len(row))
		for j, s := range row {
			z[i][j] = math.NaN()
			if s != nil {
				z[i][j] = f(s)
			}
		}
	}
	return z
}

// subtitle says how to read the grid: which axis runs along which side,
// the slice drawn when there are more axes, seeds, and missing points.
func (g phaseGrid) subtitle() string {
	parts := []string{fmt.Sprintf("rows (y): %s, columns (x): %s", g.rows.Key, g.cols.Key)}
	if len(g.fixed) > 0 {
		parts = append(parts, "slice at "+strings.Join(g.fixed, ", ")+" (first values)")
	}
	if len(g.seeds) > 0 {
		lo, hi := g.seeds[0], g.seeds[0]
		for _, n := range g.seeds {
			lo, hi = min(lo, n), max(hi, n)
		}
		if lo == hi {
			parts = append(parts, fmt.Sprintf("%d seed%s per point", hi, plural(hi)))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d seeds per point", lo, hi))
		}
	}
	if g.missing > 0 {
		parts = append(parts, fmt.Sprintf("%d not complete (n/a)", g.missing))
	}
	return wrapParts(parts, 72)
}

// wrapParts joins parts with "; ", starting a new line before a part that
// would take the line past width characters, so that a long subtitle (many
// fixed axes) stays inside a narrow figure.
func wrapParts(parts []string, width int) string {
	var b strings.Builder
	line := 0
	for i, p := range parts {
		if i > 0 {
			if line+2+len(p) > width {
				b.WriteString(";\n")
				line = 0
			} else {
				b.WriteString("; ")
				line += 2
			}
		}
		b.WriteString(p)
		line += len(p)
	}
	return b.String()
}

// base is a heat map of the grid's cells with its axes named.
func (g phaseGrid) base(z [][]float64) figure.HeatMap {
	return figure.HeatMap{
		Z: z, XTicks: g.cols.Values, YTicks: g.rows.Values,
		XLabel: g.cols.Key, YLabel: g.rows.Key,
		ZMin: math.NaN(), ZMax: math.NaN(),
	}
}

// cellFormat is the precision of an accuracy in a cell: three decimals
// (the resolution of a test set of a few thousand samples) while the cells
// are wide enough, two when there are many columns.
func (g phaseGrid) cellFormat(sign string) string {
	if len(g.cols.Values) > 9 {
		return "%" + sign + ".2f"
	}
	return "%" + sign + ".3f"
}

// gapMap is the phase diagram of the paper's question: where does joint
// training lose to the best uni-modal network (red, gap > 0) and where does
// it win (blue)?
func (g phaseGrid) gapMap() (figure.HeatMap, string) {
	h := g.base(g.values(func(s *Summary) float64 { return float64(s.Gap) }))
	h.ZLabel, h.Format, h.Diverging = "gap (> 0: joint training loses)", g.cellFormat("+"), true
	title := "Gap: best uni-modal minus joint test accuracy"
	if h.Boundary = g.predicted(func(a *RaceAggregate) bool { return gapSign(float64(a.Gap)) > 0 }); h.Boundary != nil {
		title += fmt.Sprintf("\ndashed: predicted boundary of a gap above +%.3f", gapTolerance)
	}
	return h, title + "\n" + g.subtitle()
}

// predicted is the region of cells where the race predicts in (nil when
// no cell carries the race's prediction): the boundary drawn over a phase
// diagram.
func (g phaseGrid) predicted(in func(*RaceAggregate) bool) [][]bool {
	out := make([][]bool, len(g.at))
	found := false
	for i, row := range g.at {
		out[i] = make([]bool, len(row))
		for j, s := range row {
			if s == nil {
				continue
			}
			if a := theoryOfPoint(s); a != nil && a.RaceAggregate != nil {
				found = true
				out[i][j] = in(a.RaceAggregate)
			}
		}
	}
	if !found {
		return nil
	}
	return out
}

// competitionMap is the phase diagram of the mechanism: the fraction of
// seeds in which a modality learned alone stayed unlearned in joint
// training, each cell labelled with the count of seeds, "2/3".
func (g phaseGrid) competitionMap() (figure.HeatMap, string) {
	z := g.values(func(s *Summary) float64 { return float64(competitionFraction(s)) })
	h := g.base(z)
	h.ZLabel, h.ZMin, h.ZMax = "fraction of seeds with competition", 0, 1
	labels := make([][]string, len(g.at))
	for i, row := range g.at {
		labels[i] = make([]string, len(row))
		for j, s := range row {
			labels[i][j] = "n/a"
			if s != nil {
				labels[i][j] = fraction(Num(z[i][j]), len(completeSeeds(s)))
			}
		}
	}
	h.Labels = labels
	title := "Competition: fraction of seeds where a modality learned alone stayed unlearned jointly"
	if h.Boundary = g.predicted(func(a *RaceAggregate) bool { return a.Competition >= 0.5 }); h.Boundary != nil {
		title += "\ndashed: predicted boundary of competition in at least half of the seeds"
	}
	return h, title + "\n" + g.subtitle()
}

// jointAccuracyMap is the joint network's test accuracy over the grid.
func (g phaseGrid) jointAccuracyMap() (figure.HeatMap, string) {
	h := g.base(g.values(func(s *Summary) float64 { return float64(s.Joint.TestAcc) }))
	h.ZLabel, h.Format = "joint test accuracy", g.cellFormat("")
	return h, "Joint network's test accuracy\n" + g.subtitle()
}
