package report

// The figures of the theory companion over a sweep (see theory.go and
// graph/theory.go), drawn when the points' seeds carry a Theory:
//
//	theory_escape    the predicted escape step of each modality against the
//	                 observed one, one mark per point, seed and modality: in
//	                 the uni-modal network (left) and in the joint network
//	                 (right), where the modality predicted to lose is an open
//	                 mark. A step that never came (or was not predicted
//	                 within the training steps) sits on a grey band at the
//	                 top (at the right).
//	theory_accuracy  one axis: the fraction of seeds whose predicted winner
//	                 escaped first in the joint network, and the fraction
//	                 whose predicted winner was the modality it learned,
//	                 against the swept value; two or more axes: heat maps of
//	                 both fractions over the first two (a slice at the first
//	                 value of the others, as the phase diagrams are).

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

// theoryFigures are the theory companion's figures of a sweep over axes
// with complete points results, whose theory over every point is th: none
// when th is nil (the prediction does not apply).
func theoryFigures(axes []Axis, results []Point, th *SweepTheory) []figure.File {
	if th == nil {
		return nil
	}
	figures := []figure.File{{Name: "theory_escape", Width: 11.6 * vg.Inch, Height: 5.4 * vg.Inch,
		Draw: figure.Built(func() (figure.Figure, error) { return theoryEscapeFigure(results, th) })}}
	switch {
	case len(axes) == 1:
		s := newSweepLine(axes[0], results)
		panelW := vg.Length(math.Min(7, math.Max(4.2, 3.2+0.4*float64(len(s.x))))) * vg.Inch
		figures = append(figures, figure.File{Name: "theory_accuracy", Width: panelW + 2.9*vg.Inch, Height: 4.4 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return theoryAccuracyFigure(s) })})
	case len(axes) >= 2:
		g := newPhaseGrid(axes, results)
		_, h := g.size()
		// Two heat maps side by side, each with its colour bar.
		w := vg.Length(math.Min(9, math.Max(4.6, 2.4+0.7*float64(len(g.cols.Values))))) * vg.Inch
		figures = append(figures, figure.File{Name: "theory_accuracy", Width: 2 * w, Height: h + 0.3*vg.Inch, Draw: func(c draw.Canvas) error {
			return theoryAccuracyMaps(g, c)
		}})
	}
	return figures
}

// theoryOfPoint is a point's theory aggregate: the summary's own, so that
// the figure and sweep.md agree, or else one computed from its complete
// seeds; nil where the theory does not apply.
func theoryOfPoint(s *Summary) *TheoryAggregate {
	if s == nil {
		return nil
	}
	if s.Theory != nil {
		return s.Theory
	}
	seeds := completeSeeds(s)
	if len(seeds) == 0 || seeds[0].Theory == nil {
		return nil
	}
	k := len(seeds[0].Theory.PredictedEscape)
	for _, ss := range seeds {
		if ss.Theory == nil || len(ss.Theory.PredictedEscape) < k ||
			len(ss.Theory.EscapeAlone) < k || len(ss.Theory.EscapeJoint) < k {
			return nil
		}
	}
	return aggregateTheory(k, seeds)
}

// trainingSteps is the length of the training runs of results (the most
// steps any network ran), 0 when unknown: a prediction missing is "not
// within" this many steps.
func trainingSteps(results []Point) int {
	n := 0
	for _, r := range results {
		for _, net := range r.Summary.Networks {
			n = max(n, net.Steps)
		}
	}
	return n
}

// escapeScale maps escape steps to the axes of the escape figure, shared by
// both axes of both panels so that y = x is the diagonal: log10 of the step
// when the steps spread over a factor of 8 or more, else the step itself.
// Above (right of) the range of the steps lies a band for the steps that
// never came (were not predicted).
type escapeScale struct {
	log            bool
	lo, hi         float64 // the range of the finite steps, as drawn
	top            float64 // the top of the regular region, as drawn
	bandLo, bandHi float64 // the band, as drawn
}

func newEscapeScale(steps int, pairs ...[]escapePair) escapeScale {
	var vs []float64
	for _, ps := range pairs {
		for _, p := range ps {
			vs = append(vs, p.predicted, p.observed)
		}
	}
	return stepScale(steps, vs)
}

// stepScale is the escape scale of the steps vs (NaN and infinite values,
// the steps that never came, left out of the range) in training runs of
// steps steps.
func stepScale(steps int, vs []float64) escapeScale {
	vs = stats.FiniteValues(vs)
	var s escapeScale
	lo, hi := stats.MinMax(vs)
	s.log = len(vs) > 0 && lo >= 1 && hi/lo >= 8
	if s.log {
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	if !stats.Finite(lo, hi) {
		// No step known: the range of training, or any.
		lo, hi = 0, float64(max(steps, 100))
	}
	if hi-lo < 1e-9 {
		d := 10.0
		if s.log {
			d = 0.2
		}
		lo, hi = lo-d, hi+d
	}
	span := hi - lo
	s.lo, s.hi = lo-0.05*span, hi+0.05*span
	if !s.log && lo >= 0 {
		s.lo = math.Max(s.lo, 0)
	}
	s.top = s.hi
	s.bandLo, s.bandHi = s.top+0.05*span, s.top+0.2*span
	return s
}

// at is where step v is drawn, and whether it is finite (else the band).
func (s escapeScale) at(v float64) (float64, bool) {
	if !stats.Finite(v) {
		return (s.bandLo + s.bandHi) / 2, false
	}
	if s.log {
		return math.Log10(math.Max(v, 1)), true
	}
	return v, true
}

// bandTicks are the ticks of an escape axis: inner's up to the top of the
// regular region, then one tick naming the band.
type bandTicks struct {
	inner plot.Ticker
	top   float64
	band  float64
	label string
}

// Ticks returns the ticks from min to max.
func (b bandTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for _, t := range b.inner.Ticks(min, b.top) {
		if t.Value >= min && t.Value <= b.top {
			ts = append(ts, t)
		}
	}
	return append(ts, plot.Tick{Value: b.band, Label: b.label})
}

// stepTicks are about five labelled ticks at a round step (1, 2 or 5 times
// a power of ten), written as integers where they are, with unlabelled
// ticks halfway: steps are counts, and gonum's default ticks write them
// "25.00".
type stepTicks struct{}

// Ticks returns the ticks from min to max.
func (stepTicks) Ticks(min, max float64) []plot.Tick {
	if !stats.Finite(min, max) || max <= min {
		return nil
	}
	raw := (max - min) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	for i := math.Ceil(min / step * 2); i/2*step <= max+step*1e-9; i++ {
		v := i / 2 * step
		t := plot.Tick{Value: v}
		if math.Mod(i, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// axes lays out both axes of p.
func (s escapeScale) axes(p *plot.Plot, steps int) {
	var inner plot.Ticker = stepTicks{}
	if s.log {
		inner = figure.Log10Ticks{}
	}
	band := (s.bandLo + s.bandHi) / 2
	beyond := "none"
	if steps > 0 {
		beyond = fmt.Sprintf("> %d", steps)
	}
	p.X.Min, p.X.Max = s.lo, s.bandHi
	p.X.Tick.Marker = bandTicks{inner: inner, top: s.top, band: band, label: beyond}
	p.X.Padding = 0
	s.yAxis(p)
}

// yAxis lays out the y axis of p only: the steps, then the band of those
// that never came.
func (s escapeScale) yAxis(p *plot.Plot) {
	var inner plot.Ticker = stepTicks{}
	if s.log {
		inner = figure.Log10Ticks{}
	}
	p.Y.Min, p.Y.Max = s.lo, s.bandHi
	p.Y.Tick.Marker = bandTicks{inner: inner, top: s.top, band: (s.bandLo + s.bandHi) / 2, label: "never"}
	p.Y.Padding = 0
}

// escapeBand shades the band of the steps that never came: a horizontal
// strip across the panel, or a vertical one.
type escapeBand struct {
	vertical bool
	lo, hi   float64
	fill     color.Color
}

// Plot fills the band.
func (b escapeBand) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var r vg.Rectangle
	if b.vertical {
		r = vg.Rectangle{Min: vg.Point{X: trX(b.lo), Y: c.Min.Y}, Max: vg.Point{X: trX(b.hi), Y: c.Max.Y}}
	} else {
		r = vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: trY(b.lo)}, Max: vg.Point{X: c.Max.X, Y: trY(b.hi)}}
	}
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
}

// escapeMark is one mark of the escape figure, at drawn coordinates.
type escapeMark struct {
	x, y  float64
	glyph draw.GlyphStyle
}

// escapeMarks draws marks inside the panel; it has no data range, the
// escape scale sets the axes.
type escapeMarks []escapeMark

// Plot draws the marks.
func (ms escapeMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, m := range ms {
		pt := vg.Point{X: trX(m.x), Y: trY(m.y)}
		if c.Contains(pt) {
			c.DrawGlyph(m.glyph, pt)
		}
	}
}

// modalityShape is modality r's mark: a disc, a triangle, a square.
func modalityShape(r int) draw.GlyphDrawer {
	shapes := [...]draw.GlyphDrawer{draw.CircleGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}}
	return shapes[((r%len(shapes))+len(shapes))%len(shapes)]
}

// openGlyph draws a shape as an outline thick enough to read: the shape,
// then a smaller white copy on top.
type openGlyph struct{ shape draw.GlyphDrawer }

// DrawGlyph draws the outline.
func (o openGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	o.shape.DrawGlyph(c, sty, pt)
	inner := sty
	inner.Color = color.White
	inner.Radius = sty.Radius - vg.Points(1.4)
	if inner.Radius > 0 {
		// The shapes fill with the canvas's colour, which Canvas.DrawGlyph
		// set to the mark's.
		c.SetColor(inner.Color)
		o.shape.DrawGlyph(c, inner, pt)
		c.SetColor(sty.Color)
	}
}

// escapeGlyph is modality r's mark, open for a modality predicted to lose.
func escapeGlyph(r int, open bool) draw.GlyphStyle {
	sty := draw.GlyphStyle{Color: figure.WithAlpha(uniColor(r), 215), Radius: vg.Points(3.6), Shape: modalityShape(r)}
	if open {
		sty.Shape = openGlyph{modalityShape(r)}
	}
	return sty
}

// agreementLine is the panel title's line of the agreement a, with the
// correlation of the steps as drawn: of their logarithms on a log scale.
func agreementLine(a EscapeAgreement, log bool) string {
	if a.N == 0 {
		return "no step both predicted and observed"
	}
	out := fmt.Sprintf("observed/predicted: median %.2f, median |error| %.0f%%\n", float64(a.MedianRatio), 100*float64(a.MedianError))
	r, what := a.Corr, "r"
	if log {
		r, what = a.LogCorr, "r (log steps)"
	}
	if stats.Finite(float64(r)) {
		out += fmt.Sprintf("%s = %.2f, ", what, float64(r))
	}
	return out + fmt.Sprintf("n = %d with both steps", a.N)
}

// escapePanel is one panel of the escape figure: the pairs of one network
// on the shared scale, with y = x and the bands, under its title and the
// pairs' agreement.
func escapePanel(title string, ps []escapePair, a EscapeAgreement, s escapeScale, steps int, openLosers bool) *plot.Plot {
	p := figure.NewPanel(title+"\n"+agreementLine(a, s.log), "predicted escape step", "observed escape step")
	band := color.Gray{Y: 232}
	p.Add(escapeBand{lo: s.bandLo, hi: s.bandHi, fill: band}, escapeBand{vertical: true, lo: s.bandLo, hi: s.bandHi, fill: band})
	diag := figure.Line(color.Gray{Y: 90}, vg.Points(1))
	diag.Dashes = figure.Dashes()
	// The diagonal ends where the band begins, since the band's steps are
	// not values.
	p.Add(diagonal{lo: s.lo, hi: s.top, line: diag})

	// The marks in a band are spread over it (by modality across, by order
	// along a corner) so that they do not hide each other; a known step is
	// drawn where it is.
	half := (s.bandHi - s.bandLo) / 2
	var corner []escapePair
	var marks escapeMarks
	k := 0
	for _, q := range ps {
		k = max(k, q.modality+1)
	}
	for _, q := range ps {
		x, okX := s.at(q.predicted)
		y, okY := s.at(q.observed)
		switch {
		case !okX && !okY:
			corner = append(corner, q)
			continue
		case !okY:
			y += 0.4 * half * figure.JitterOffset(q.modality, k)
		case !okX:
			x += 0.4 * half * figure.JitterOffset(q.modality, k)
		}
		marks = append(marks, escapeMark{x, y, escapeGlyph(q.modality, openLosers && !q.winner)})
	}
	for i, q := range corner {
		x, _ := s.at(q.predicted)
		y, _ := s.at(q.observed)
		x += 0.6 * half * figure.JitterOffset(i, len(corner))
		y += 0.4 * half * figure.JitterOffset(q.modality, k)
		marks = append(marks, escapeMark{x, y, escapeGlyph(q.modality, openLosers && !q.winner)})
	}
	// Winners on top: in the joint panel, their filled marks lie on the
	// diagonal and the open marks of the losers above it.
	sort.SliceStable(marks, func(i, j int) bool { return isOpen(marks[i].glyph) && !isOpen(marks[j].glyph) })
	p.Add(marks)
	s.axes(p, steps)
	return p
}

// isOpen tells whether a mark is drawn open.
func isOpen(g draw.GlyphStyle) bool {
	_, ok := g.Shape.(openGlyph)
	return ok
}

// diagonal is the line y = x from lo to hi.
type diagonal struct {
	lo, hi float64
	line   draw.LineStyle
}

// Plot draws the line.
func (d diagonal) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.StrokeLines(d.line, c.ClipLinesXY([]vg.Point{{X: trX(d.lo), Y: trY(d.lo)}, {X: trX(d.hi), Y: trY(d.hi)}})...)
}

// Thumbnail draws the line in a legend.
func (d diagonal) Thumbnail(c *draw.Canvas) {
	c.StrokeLine2(d.line, c.Min.X, c.Min.Y, c.Max.X, c.Max.Y)
}

// theoryEscapeFigure is the predicted escape step of each modality against
// the observed one, alone and in the joint network, with the agreement th
// holds for the sweep.
func theoryEscapeFigure(results []Point, th *SweepTheory) (figure.Figure, error) {
	var seeds []SeedSummary
	for _, p := range results {
		seeds = append(seeds, completeSeeds(p.Summary)...)
	}
	alone, k := escapePairs(seeds, false)
	joint, kj := escapePairs(seeds, true)
	k = max(k, kj)
	steps := trainingSteps(results)
	s := newEscapeScale(steps, alone, joint)
	sa, sj := th.Alone, th.Joint
	pa := escapePanel("Trained alone (uni-modal networks)", alone, sa, s, steps, false)
	pj := escapePanel("In the joint network", joint, sj, s, steps, true)

	l := figure.NewLegend()
	for r := 0; r < k; r++ {
		l.Add(fmt.Sprintf("m%d", r), figure.GlyphKey(escapeGlyph(r, false)))
	}
	l.Add("joint, predicted to lose", figure.GlyphKey(escapeGlyph(0, true)))
	diag := figure.Line(color.Gray{Y: 90}, vg.Points(1))
	diag.Dashes = figure.Dashes()
	l.Add("observed = predicted", diagonal{line: diag})
	l.Add("")
	within := "in training"
	if steps > 0 {
		within = fmt.Sprintf("within %d steps", steps)
	}
	l.Add("grey bands: no escape " + within)
	l.Add(fmt.Sprintf("top, never escaped: alone %d,", sa.Never))
	l.Add(fmt.Sprintf("  joint %d", sj.Never))
	l.Add(fmt.Sprintf("right, none predicted: %d", max(sa.NotPredicted, sj.NotPredicted)))
	l.Add(fmt.Sprintf("corner, neither: alone %d,", sa.Both))
	l.Add(fmt.Sprintf("  joint %d", sj.Both))
	l.Add("")
	l.Add("one mark per point, seed")
	l.Add(fmt.Sprintf("  and modality: %d marks", len(alone)))
	l.Add(fmt.Sprintf("  (%d points); equal steps", len(results)))
	l.Add("  overlap")
	return figure.Figure{
		Title:  "Theory companion: predicted against observed escape step (alignment reaching rho)",
		Panels: []*plot.Plot{pa, pj},
		Legend: l,
	}, nil
}

// wilson is the Wilson score interval of k successes in n trials at z
// standard errors (NaN for n = 0): an interval that stays inside [0, 1]
// and is not empty at 0 or n successes, which a handful of seeds often
// gives.
func wilson(k, n int, z float64) (float64, float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	p, nf := float64(k)/float64(n), float64(n)
	d := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / d
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// accuracySeries is one of the fractions of the accuracy figure.
type accuracySeries struct {
	name  string // a heat map's title
	short string // the legend's entry
	color color.Color
	frac  func(*TheoryAggregate) (Num, int)
}

// theorySeries are the two fractions: the theory's own claim (the
// predicted winner escapes first) and its consequence (it is the modality
// the joint network learns).
func theorySeries() []accuracySeries {
	return []accuracySeries{
		{"predicted winner escaped first in the joint network", "escaped first jointly", figure.Vermillion.Color(255), func(a *TheoryAggregate) (Num, int) { return a.FirstAccuracy, a.FirstSeeds }},
		{"predicted winner was the modality learned jointly", "was learned jointly", figure.Blue.Color(255), func(a *TheoryAggregate) (Num, int) { return a.Accuracy, a.Seeds }},
	}
}

// theoryAccuracyFigure is the prediction's accuracy against the swept
// value: each fraction with its 95% Wilson interval, and under the data the
// counts "k/n" of seeds at each point, one row per fraction.
func theoryAccuracyFigure(s sweepLine) (figure.Figure, error) {
	p := figure.NewPanel("", "", "fraction of seeds")
	series := theorySeries()
	p.Add(figure.RefLine{Y: 1, Line: figure.Line(color.Gray{Y: 200}, vg.Points(0.8))})
	chance := 1 / float64(max(s.k, 2))
	// Unlabelled: the legend names it, and a label would cover a bar.
	p.Add(figure.RefLine{Y: chance, Line: figure.RefStyle()})
	var none []string
	for i, sum := range s.at {
		if sum != nil && theoryOfPoint(sum) == nil {
			none = append(none, s.axis.Values[i])
		}
	}
	var rows []countRow
	for si, sr := range series {
		// Dodged less than the sweep figures' series: two series without
		// samples beside their bars need little room.
		off := 0.12 * s.step * (-1 + 2*float64(si)/float64(max(len(series)-1, 1)))
		var marks accuracyMarks
		row := countRow{color: sr.color}
		// The line's points: every swept value, NaN (a break) where the
		// point is missing or has no fraction.
		var line []figure.StatGroup
		for i, sum := range s.at {
			line = append(line, figure.StatGroup{X: s.x[i] + off, Mean: math.NaN()})
			if sum == nil {
				continue
			}
			row.x = append(row.x, s.x[i])
			a := theoryOfPoint(sum)
			if a == nil {
				row.labels = append(row.labels, "n/a")
				continue
			}
			f, n := sr.frac(a)
			if n == 0 || !stats.Finite(float64(f)) {
				row.labels = append(row.labels, fmt.Sprintf("-/%d", n))
				continue
			}
			right := int(math.Round(float64(f) * float64(n)))
			lo, hi := wilson(right, n, 1.96)
			row.labels = append(row.labels, fmt.Sprintf("%d/%d", right, n))
			marks = append(marks, figure.StatGroup{X: s.x[i] + off, Mean: float64(f), Lo: lo, Hi: hi, Color: sr.color})
			line[i].Mean = float64(f)
		}
		rows = append(rows, row)
		if err := s.lineThrough(p, line, sr.color); err != nil {
			return figure.Figure{}, err
		}
		p.Add(marks)
	}
	p.Add(countRows(rows))
	s.setX(p)
	// Room under 0 for the rows of counts.
	p.Y.Min, p.Y.Max = -0.06-0.09*float64(len(rows)), 1.06
	p.Y.Tick.Marker = figure.LinearTicks(0, 1, 0.25, "%.2f")

	l := figure.NewLegend()
	l.Add("the predicted winner...")
	for _, sr := range series {
		l.Add(sr.short, figure.GlyphKey(figure.MeanGlyph(sr.color)))
	}
	l.Add("95% Wilson interval", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add(fmt.Sprintf("chance (1/%d)", max(s.k, 2)), figure.RefLine{Line: figure.RefStyle()})
	l.Add("")
	l.Add("rows under the data: k/n,")
	l.Add("  right in k of the n seeds")
	l.Add("  with a predicted winner and")
	l.Add("  an escape (a learned modality)")
	if n := len(none); n > 0 {
		if n > 4 {
			none = append(none[:3:3], "...")
		}
		l.Add(fmt.Sprintf("no theory at %d point%s (n/a):", n, plural(n)))
		l.Add("  " + strings.Join(none, "; "))
	}
	s.notes(l)
	return figure.Figure{
		Title:  fmt.Sprintf("Theory companion: is the modality predicted to escape first the winner? (against %s)", s.axis.Key),
		Panels: []*plot.Plot{p},
		Legend: l,
	}, nil
}

// accuracyMarks draws fractions as discs with thin interval bars, lighter
// than the marks: with a handful of seeds the intervals are wide, and would
// otherwise outweigh the fractions themselves.
type accuracyMarks []figure.StatGroup

// Plot draws the marks.
func (ms accuracyMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, m := range ms {
		x := trX(m.X)
		if stats.Finite(m.Lo, m.Hi) && m.Hi > m.Lo {
			bar := figure.Line(figure.WithAlpha(m.Color, 150), vg.Points(1.2))
			lo, hi := trY(m.Lo), trY(m.Hi)
			c.StrokeLines(bar, c.ClipLinesY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
			for _, y := range []vg.Length{lo, hi} {
				if c.ContainsY(y) {
					c.StrokeLine2(bar, x-vg.Points(4), y, x+vg.Points(4), y)
				}
			}
		}
		if pt := (vg.Point{X: x, Y: trY(m.Mean)}); stats.Finite(m.Mean) && c.Contains(pt) {
			c.DrawGlyph(figure.MeanGlyph(m.Color), pt)
		}
	}
}

// countRow is one row of labels under a panel's data, one per x.
type countRow struct {
	x      []float64
	labels []string
	color  color.Color
}

// countRows writes its rows at the bottom of the panel, the first on top.
type countRows []countRow

// Plot draws the rows.
func (rs countRows) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := figure.NoteStyle()
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
	h := sty.Height("0/0") + vg.Points(3)
	for i, r := range rs {
		sty.Color = r.color
		y := c.Min.Y + vg.Points(3) + vg.Length(len(rs)-1-i)*h
		for j, x := range r.x {
			if pt := (vg.Point{X: trX(x), Y: y}); c.ContainsX(pt.X) && j < len(r.labels) {
				c.FillText(sty, pt, r.labels[j])
			}
		}
	}
}

// theoryAccuracyMaps draws, side by side on c, heat maps of both fractions
// over the grid's first two axes, each cell labelled "k/n".
func theoryAccuracyMaps(g phaseGrid, c draw.Canvas) error {
	title := "Theory companion: fraction of seeds whose predicted winner was right\n" + g.subtitle()
	none := 0
	for _, row := range g.at {
		for _, s := range row {
			if s != nil && theoryOfPoint(s) == nil {
				none++
			}
		}
	}
	if none > 0 {
		title += fmt.Sprintf("; no theory at %d point%s (n/a)", none, plural(none))
	}
	c = figure.DrawTitle(c, title)
	half := (c.Max.X - c.Min.X) / 2
	for i, sr := range theorySeries() {
		z := g.values(func(s *Summary) float64 {
			if a := theoryOfPoint(s); a != nil {
				f, _ := sr.frac(a)
				return float64(f)
			}
			return math.NaN()
		})
		labels := make([][]string, len(g.at))
		for r, row := range g.at {
			labels[r] = make([]string, len(row))
			for col, s := range row {
				labels[r][col] = "n/a"
				if a := theoryOfPoint(s); a != nil {
					f, n := sr.frac(a)
					labels[r][col] = fraction(f, n)
				}
			}
		}
		h := g.base(z)
		h.ZLabel, h.ZMin, h.ZMax, h.Labels = "fraction of seeds", 0, 1, labels
		sub := draw.Crop(c, vg.Length(i)*half, -vg.Length(1-i)*half, 0, 0)
		if err := h.Draw(sub, sr.name); err != nil {
			return err
		}
	}
	return nil
}
