package runs

// Plotting primitives on gonum/plot, shared by the figures of this package:
// a palette, panels with readable defaults, curves with a band over x,
// points with error bars per category (or per swept value), reference
// lines, heat maps of a 2-D grid with a colour bar, a row of panels with a
// shared legend, and rendering to PNG and SVG. Figures are functions that
// draw on a draw.Canvas, so that one figure renders to both formats.

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// okabeIto names the colours of the Okabe-Ito palette, which stay distinct
// for colour-blind readers.
type okabeIto int

// The colours of the Okabe-Ito palette.
const (
	okBlack okabeIto = iota
	okOrange
	okSkyBlue
	okGreen
	okYellow
	okBlue
	okVermillion
	okPurple
)

// color returns the colour with opacity alpha (255: opaque).
func (o okabeIto) color(alpha uint8) color.NRGBA {
	rgb := [...][3]uint8{
		{0, 0, 0}, {230, 159, 0}, {86, 180, 233}, {0, 158, 115},
		{240, 228, 66}, {0, 114, 178}, {213, 94, 0}, {204, 121, 167},
	}[((int(o)%8)+8)%8]
	return color.NRGBA{R: rgb[0], G: rgb[1], B: rgb[2], A: alpha}
}

// withAlpha returns c with opacity alpha.
func withAlpha(c color.Color, alpha uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = alpha
	return n
}

// Sizes shared by the figures: fonts a little smaller than gonum's defaults
// so that several panels fit side by side without crowding.
const (
	pngDPI        = 150
	titleFontSize = vg.Length(13)
	panelFontSize = vg.Length(11.5)
	labelFontSize = vg.Length(11)
	tickFontSize  = vg.Length(10)
	noteFontSize  = vg.Length(9)
)

// Line widths shared by the figures, in points.
const (
	thickLine vg.Length = 2.2
	thinLine  vg.Length = 0.8
)

// dashes is the dash pattern of reference lines; a function, because a
// slice cannot be a constant.
func dashes() []vg.Length { return []vg.Length{vg.Points(5), vg.Points(3)} }

// lineStyle is a solid line; dashed lines add dashes().
func lineStyle(c color.Color, width vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: width}
}

// textStyle is the default font at size, in black.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a plot with the figures' fonts and a light grid.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = panelFontSize
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = labelFontSize
		a.Tick.Label.Font.Size = tickFontSize
		a.Tick.Length = vg.Points(4)
	}
	p.Legend.TextStyle.Font.Size = tickFontSize
	g := plotter.NewGrid()
	g.Vertical = lineStyle(color.Gray{Y: 225}, vg.Points(0.5))
	g.Horizontal = g.Vertical
	p.Add(g)
	return p
}

// logY makes the y axis of p logarithmic for values in [lo, hi] (lo > 0),
// with a margin: the plotters must be given log10 of their values (see
// log10s). gonum's own plot.LogScale places the glyph box of the y axis
// label at the arithmetic middle of the range, which on a log axis lies near
// the top and squashes the panel; log10 values on a linear axis with
// log-scale ticks avoid that, and cannot panic on a non-positive value.
func logY(p *plot.Plot, lo, hi float64) {
	if !(lo > 0) || !finite(lo) {
		lo = 1e-3
	}
	if !(hi > lo) || !finite(hi) {
		hi = lo * 10
	}
	p.Y.Min, p.Y.Max = math.Log10(lo)-0.1, math.Log10(hi)+0.1
	p.Y.Tick.Marker = log10Ticks{}
}

// log10s is log10 of each value, NaN for NaN and for values that are not
// positive: callers clamp first what they want drawn.
func log10s(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = math.NaN()
		if v > 0 {
			out[i] = math.Log10(v)
		}
	}
	return out
}

// powerLabel writes a tick value of a log axis: 0.001, 0.02, 1, 500, 1e+06.
func powerLabel(v float64) string {
	if v >= 1 && v < 1e6 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// log10Ticks are the ticks of an axis of log10 values: labelled powers of
// ten and unlabelled multiples between them, plus labelled 2s and 5s when
// the range holds fewer than three powers of ten, so that a short axis
// still has a few labels.
type log10Ticks struct{}

// Ticks returns the ticks from min to max (in log10 units).
func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	if !finite(min, max) || max <= min || max-min > 300 {
		return nil
	}
	// Ends a rounding error away from a power of ten still show it.
	const eps = 1e-9
	min, max = min-eps, max+eps
	decades := 0
	for k := math.Ceil(min); k <= max; k++ {
		decades++
	}
	var ts []plot.Tick
	for k := math.Floor(min); k <= math.Ceil(max); k++ {
		for m := 1; m <= 9; m++ {
			v := k + math.Log10(float64(m))
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (decades < 3 && (m == 2 || m == 5)) {
				t.Label = powerLabel(float64(m) * math.Pow(10, k))
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// linearTicks are ticks every step from lo to hi, labelled with format.
func linearTicks(lo, hi, step float64, format string) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step*1e-9 {
			return ts
		}
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf(format, v)})
	}
}

// finite reports whether every value is neither NaN nor infinite.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// runsOf splits the indices 0..n-1 into maximal runs where ok holds: the
// pieces of a series between its NaN points.
func runsOf(n int, ok func(i int) bool) [][2]int {
	var out [][2]int
	start := -1
	for i := 0; i <= n; i++ {
		if i < n && ok(i) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	return out
}

// trace is one series over x, e.g. one seed's metric over training steps.
// NaN values are gaps.
type trace struct {
	x, y []float64
}

// envelope says which band summarizeTraces puts around the mean.
type envelope int

const (
	envMinMax envelope = iota // min..max of the values
	envStd                    // mean ± sample standard deviation
)

// spread is several traces summarised at each x: the mean and a band lo..hi,
// from the finite values at that x (n of them).
type spread struct {
	x, mean, lo, hi []float64
	n               []int
}

// summarizeTraces summarises ts at every x where at least one has a finite
// value, so that traces logged at different steps, or cut short, still
// combine.
func summarizeTraces(ts []trace, env envelope) spread {
	at := map[float64][]float64{}
	for _, t := range ts {
		for i := range min(len(t.x), len(t.y)) {
			if finite(t.x[i], t.y[i]) {
				at[t.x[i]] = append(at[t.x[i]], t.y[i])
			}
		}
	}
	xs := make([]float64, 0, len(at))
	for x := range at {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	var s spread
	for _, x := range xs {
		vs := at[x]
		m, sd := meanStd(vs)
		lo, hi := m-sd, m+sd
		if env == envMinMax {
			lo, hi = minMax(vs)
		}
		s.x, s.mean, s.lo, s.hi = append(s.x, x), append(s.mean, m), append(s.lo, lo), append(s.hi, hi)
		s.n = append(s.n, len(vs))
	}
	return s
}

// minMax is the smallest and the largest of vs (NaN for none).
func minMax(vs []float64) (float64, float64) {
	if len(vs) == 0 {
		return math.NaN(), math.NaN()
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// finiteValues is vs without its NaN and infinite values.
func finiteValues(vs []float64) []float64 {
	var out []float64
	for _, v := range vs {
		if finite(v) {
			out = append(out, v)
		}
	}
	return out
}

// addLine draws y over x, broken at NaN values; an isolated point, which a
// line cannot show, is drawn as a dot.
func addLine(p *plot.Plot, x, y []float64, sty draw.LineStyle) error {
	n := min(len(x), len(y))
	for _, r := range runsOf(n, func(i int) bool { return finite(x[i], y[i]) }) {
		xys := make(plotter.XYs, 0, r[1]-r[0])
		for i := r[0]; i < r[1]; i++ {
			xys = append(xys, plotter.XY{X: x[i], Y: y[i]})
		}
		if len(xys) == 1 {
			s, err := plotter.NewScatter(xys)
			if err != nil {
				return err
			}
			s.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: sty.Width + vg.Points(0.5), Shape: draw.CircleGlyph{}}
			p.Add(s)
			continue
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.LineStyle = sty
		p.Add(l)
	}
	return nil
}

// addBand fills the area between lo and hi over x, broken at NaN values.
func addBand(p *plot.Plot, x, lo, hi []float64, fill color.Color) error {
	n := min(len(x), len(lo), len(hi))
	for _, r := range runsOf(n, func(i int) bool { return finite(x[i], lo[i], hi[i]) }) {
		if r[1]-r[0] < 2 {
			continue
		}
		var xys plotter.XYs
		for i := r[0]; i < r[1]; i++ {
			xys = append(xys, plotter.XY{X: x[i], Y: hi[i]})
		}
		for i := r[1] - 1; i >= r[0]; i-- {
			xys = append(xys, plotter.XY{X: x[i], Y: lo[i]})
		}
		poly, err := plotter.NewPolygon(xys)
		if err != nil {
			return err
		}
		poly.Color = fill
		poly.LineStyle.Width = 0
		p.Add(poly)
	}
	return nil
}

// curve is a line over x with an optional band, e.g. a mean over seeds and
// its spread: the primitive of every metric-over-steps or over-a-sweep panel.
type curve struct {
	x, y   []float64
	lo, hi []float64 // band; nil for none
	line   draw.LineStyle
	fill   color.Color // band colour; nil for none
}

// addCurves draws the bands of every curve, then the lines in order, so
// that no band covers another curve's line and later lines lie on top.
func addCurves(p *plot.Plot, cs ...curve) error {
	for _, c := range cs {
		if c.fill != nil && c.lo != nil && c.hi != nil {
			if err := addBand(p, c.x, c.lo, c.hi, c.fill); err != nil {
				return err
			}
		}
	}
	for _, c := range cs {
		if err := addLine(p, c.x, c.y, c.line); err != nil {
			return err
		}
	}
	return nil
}

// clampBelow raises the values of vs below floor to floor, in place, for a
// log axis, and reports whether any was; NaN stays NaN.
func clampBelow(vs []float64, floor float64) bool {
	changed := false
	for i, v := range vs {
		if v < floor {
			vs[i], changed = floor, true
		}
	}
	return changed
}

// refLine is a horizontal reference line across a panel (a threshold, the
// chance level), labelled above its right end.
type refLine struct {
	y     float64
	line  draw.LineStyle
	label string
}

// Plot draws the line and its label.
func (r refLine) Plot(c draw.Canvas, p *plot.Plot) {
	if !finite(r.y) || r.y < p.Y.Min || r.y > p.Y.Max {
		return
	}
	_, trY := p.Transforms(&c)
	y := trY(r.y)
	c.StrokeLine2(r.line, c.Min.X, y, c.Max.X, y)
	if r.label != "" {
		sty := textStyle(noteFontSize)
		sty.Color = r.line.Color
		sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
		c.FillText(sty, vg.Point{X: c.Max.X - vg.Points(4), Y: y + vg.Points(2)}, r.label)
	}
}

// DataRange includes the line's y and leaves x to the other plotters.
func (r refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	if !finite(r.y) {
		return math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.y, r.y
}

// Thumbnail draws the line in a legend.
func (r refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.line, c.Min.X, y, c.Max.X, y)
}

// vLine is a vertical separator across a panel at x.
type vLine struct {
	x    float64
	line draw.LineStyle
}

// Plot draws the line.
func (v vLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	if c.ContainsX(x) {
		c.StrokeLine2(v.line, x, c.Min.Y, x, c.Max.Y)
	}
}

// legendKey is a legend thumbnail: a band, a line, a glyph, or any of them
// on top of each other, for entries that stand for more than one plotter.
type legendKey struct {
	fill  color.Color
	line  *draw.LineStyle
	glyph *draw.GlyphStyle
	bar   bool // a vertical error bar through the glyph
}

// Thumbnail draws the key.
func (k legendKey) Thumbnail(c *draw.Canvas) {
	mid := c.Center()
	if k.fill != nil {
		h := (c.Max.Y - c.Min.Y) * 0.35
		c.FillPolygon(k.fill, []vg.Point{
			{X: c.Min.X, Y: mid.Y - h}, {X: c.Max.X, Y: mid.Y - h},
			{X: c.Max.X, Y: mid.Y + h}, {X: c.Min.X, Y: mid.Y + h},
		})
	}
	if k.line != nil {
		c.StrokeLine2(*k.line, c.Min.X, mid.Y, c.Max.X, mid.Y)
	}
	if k.glyph != nil {
		if k.bar {
			h := (c.Max.Y - c.Min.Y) * 0.6
			bar := lineStyle(k.glyph.Color, vg.Points(1.2))
			c.StrokeLine2(bar, mid.X, mid.Y-h, mid.X, mid.Y+h)
			for _, y := range []vg.Length{mid.Y - h, mid.Y + h} {
				c.StrokeLine2(bar, mid.X-vg.Points(4), y, mid.X+vg.Points(4), y)
			}
		}
		c.DrawGlyphNoClip(*k.glyph, mid)
	}
}

// statGroup is the values at one position x (a category, or a value of a
// swept parameter), e.g. one network's final test accuracy over seeds: the
// mean, the band lo..hi around it, and the seeds' own values as samples.
// The mean and band are given rather than computed from the samples where
// a summary already holds them (a sweep's), so that a figure never
// disagrees with the table beside it; sampleGroup computes them.
type statGroup struct {
	x            float64
	mean, lo, hi float64 // NaN for none
	samples      []float64
	color        color.Color
}

// sampleGroup is the group of values at x: their mean with a ± one
// standard deviation band, NaN values left out.
func sampleGroup(x float64, values []float64, c color.Color) statGroup {
	m, sd := meanStd(finiteValues(values))
	return statGroup{x: x, mean: m, lo: m - sd, hi: m + sd, samples: values, color: c}
}

// statGroups draws each group as its mean with a bar from lo to hi at x,
// labelled with the mean when format is set, and its samples as small dots
// in a column just left of the bar, spread sideways so that equal values
// stay visible.
type statGroups struct {
	groups []statGroup
	shift  float64 // the samples' column is at x - shift, in x units
	jitter float64 // half-width of the samples' sideways spread, in x units
	format string  // label of the mean, e.g. "%.3f"; "" for none
}

// jitterOffset is the sideways offset of the i-th of n samples, in [-1, 1]:
// evenly spaced in sample order, so that a figure is the same on every
// render and the samples keep their order (seed order) from left to right.
func jitterOffset(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	return -1 + 2*float64(i)/float64(n-1)
}

// Plot draws the groups.
func (g statGroups) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, gr := range g.groups {
		if !finite(gr.x) {
			continue
		}
		vs := finiteValues(gr.samples)
		dot := sampleGlyph(gr.color)
		for i, v := range vs {
			pt := vg.Point{X: trX(gr.x - g.shift + g.jitter*jitterOffset(i, len(vs))), Y: trY(v)}
			if c.Contains(pt) {
				c.DrawGlyph(dot, pt)
			}
		}
		x := trX(gr.x)
		if finite(gr.lo, gr.hi) && gr.hi > gr.lo {
			bar := lineStyle(gr.color, vg.Points(1.6))
			lo, hi := trY(gr.lo), trY(gr.hi)
			capW := vg.Points(5)
			c.StrokeLines(bar, c.ClipLinesY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
			for _, yy := range []vg.Length{lo, hi} {
				if c.ContainsY(yy) {
					c.StrokeLine2(bar, x-capW, yy, x+capW, yy)
				}
			}
		}
		if !finite(gr.mean) {
			continue
		}
		pt := vg.Point{X: x, Y: trY(gr.mean)}
		if !c.Contains(pt) {
			continue
		}
		c.DrawGlyph(meanGlyph(gr.color), pt)
		if g.format != "" {
			sty := textStyle(noteFontSize)
			sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
			c.FillText(sty, vg.Point{X: x + vg.Points(9), Y: pt.Y}, fmt.Sprintf(g.format, gr.mean))
		}
	}
}

// sampleGlyph is the dot of one sample of a statGroup.
func sampleGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: withAlpha(c, 170), Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}}
}

// meanGlyph is the marker of a statGroup's mean.
func meanGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: vg.Points(4.2), Shape: draw.CircleGlyph{}}
}

// DataRange covers every sample, mean and bar.
func (g statGroups) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, gr := range g.groups {
		vs := finiteValues(append([]float64{gr.mean, gr.lo, gr.hi}, gr.samples...))
		if len(vs) == 0 || !finite(gr.x) {
			continue
		}
		lo, hi := minMax(vs)
		xmin, xmax = math.Min(xmin, gr.x-g.shift-g.jitter), math.Max(xmax, gr.x+g.jitter)
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	return xmin, xmax, ymin, ymax
}

// heatMap is a 2-D grid of values drawn as coloured cells with a colour bar,
// e.g. a phase diagram of a sweep over two parameters. Rows go up the y
// axis (row 0 at the bottom) and columns along x; cells have equal sizes
// whatever the swept values, which name the ticks.
type heatMap struct {
	z              [][]float64 // z[row][col]; NaN cells are grey
	xTicks, yTicks []string    // one per column, one per row
	xLabel, yLabel string
	zLabel         string // the colour bar's label
	format         string // cell annotation, e.g. "%.2f"; "" for none
	// diverging centres a blue-white-red colour map on zero (for signed
	// values such as an accuracy gap); otherwise the map is sequential.
	diverging bool
	// zMin, zMax fix the colour range; NaN for the range of the values.
	zMin, zMax float64
}

// heatGrid adapts a heatMap to plotter.GridXYZ, at index coordinates.
type heatGrid struct{ z [][]float64 }

func (g heatGrid) Dims() (c, r int) {
	if len(g.z) == 0 {
		return 0, 0
	}
	return len(g.z[0]), len(g.z)
}
func (g heatGrid) Z(c, r int) float64 {
	if c < len(g.z[r]) {
		return g.z[r][c]
	}
	return math.NaN()
}
func (g heatGrid) X(c int) float64 { return float64(c) }
func (g heatGrid) Y(r int) float64 { return float64(r) }

// colorRange is the range of the colour map: zMin..zMax where set, else
// the range of the finite values, symmetric around zero when diverging,
// and never empty (a colour map needs min < max).
func (h heatMap) colorRange() (float64, float64) {
	var vs []float64
	for _, row := range h.z {
		vs = append(vs, finiteValues(row)...)
	}
	lo, hi := minMax(vs)
	if h.diverging && finite(lo, hi) {
		m := math.Max(math.Abs(lo), math.Abs(hi))
		lo, hi = -m, m
	}
	if finite(h.zMin) {
		lo = h.zMin
	}
	if finite(h.zMax) {
		hi = h.zMax
	}
	if !finite(lo, hi) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.1, 0.5)
		lo, hi = lo-d, hi+d
	}
	return lo, hi
}

// colorMap is the heat map's colour map over lo..hi: blue-white-red when
// diverging, else viridis (perceptually uniform, readable in grey and by
// colour-blind readers).
func (h heatMap) colorMap(lo, hi float64) (palette.ColorMap, error) {
	var cm palette.ColorMap
	if h.diverging {
		cm = moreland.SmoothBlueRed()
	} else {
		var err error
		cm, err = moreland.NewLuminance([]color.Color{
			color.NRGBA{0x44, 0x01, 0x54, 255}, color.NRGBA{0x3b, 0x52, 0x8b, 255},
			color.NRGBA{0x21, 0x90, 0x8c, 255}, color.NRGBA{0x5e, 0xc9, 0x62, 255},
			color.NRGBA{0xfd, 0xe7, 0x25, 255},
		})
		if err != nil {
			return nil, err
		}
	}
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm, nil
}

// luminance is the relative luminance of c in [0, 1], to pick a text
// colour that reads on it.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}

// cellColor is the colour of value v under the heat map's palette.
func cellColor(hm *plotter.HeatMap, v float64) color.Color {
	pal := hm.Palette.Colors()
	switch {
	case !finite(v):
		return hm.NaN
	case v <= hm.Min:
		return pal[0]
	case v >= hm.Max:
		return pal[len(pal)-1]
	}
	return pal[int((v-hm.Min)/(hm.Max-hm.Min)*float64(len(pal)-1)+0.5)]
}

// plots returns the heat map's panel and its colour bar's.
func (h heatMap) plots() (*plot.Plot, *plot.Plot, error) {
	lo, hi := h.colorRange()
	cm, err := h.colorMap(lo, hi)
	if err != nil {
		return nil, nil, err
	}
	p := newPanel("", h.xLabel, h.yLabel)
	cols, rows := heatGrid{h.z}.Dims()
	if cols > 0 && rows > 0 {
		hm := plotter.NewHeatMap(heatGrid{h.z}, cm.Palette(255))
		hm.Min, hm.Max = lo, hi
		hm.NaN = color.Gray{Y: 200}
		// Values outside a fixed range take the end colours.
		pal := hm.Palette.Colors()
		hm.Underflow, hm.Overflow = pal[0], pal[len(pal)-1]
		p.Add(hm)
		if h.format != "" {
			if err := h.annotate(p, hm); err != nil {
				return nil, nil, err
			}
		}
	}
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Marker = namedTicks(h.xTicks, cols)
	p.Y.Tick.Marker = namedTicks(h.yTicks, rows)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0

	bar := plot.New()
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Label.Text = h.zLabel
	bar.Y.Label.TextStyle.Font.Size = labelFontSize
	bar.Y.Tick.Label.Font.Size = tickFontSize
	bar.Y.Tick.Length = vg.Points(3)
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	return p, bar, nil
}

// annotate writes each cell's value on it, in black or white, whichever
// reads on the cell's colour.
func (h heatMap) annotate(p *plot.Plot, hm *plotter.HeatMap) error {
	var l plotter.XYLabels
	var styles []text.Style
	for r, row := range h.z {
		for c, v := range row {
			lbl := "n/a"
			if finite(v) {
				lbl = fmt.Sprintf(h.format, v)
			}
			sty := textStyle(noteFontSize)
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			if luminance(cellColor(hm, v)) < 0.45 {
				sty.Color = color.White
			}
			l.XYs = append(l.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			l.Labels = append(l.Labels, lbl)
			styles = append(styles, sty)
		}
	}
	labels, err := plotter.NewLabels(l)
	if err != nil {
		return err
	}
	labels.TextStyle = styles
	p.Add(labels)
	return nil
}

// namedTicks labels the positions 0..n-1 with names (their index when
// names are missing).
func namedTicks(names []string, n int) plot.ConstantTicks {
	ts := make(plot.ConstantTicks, n)
	for i := range ts {
		lbl := fmt.Sprint(i)
		if i < len(names) {
			lbl = names[i]
		}
		ts[i] = plot.Tick{Value: float64(i), Label: lbl}
	}
	return ts
}

// draw draws the heat map under title, with its colour bar at the right,
// level with the cells.
func (h heatMap) draw(c draw.Canvas, title string) error {
	p, bar, err := h.plots()
	if err != nil {
		return err
	}
	drawWithBar(c, title, p, bar)
	return nil
}

// drawWithBar draws the heat map panel p under title, with its colour bar
// (bar, as heatMap.plots makes them) at the right, level with the cells.
func drawWithBar(c draw.Canvas, title string, p, bar *plot.Plot) {
	c = draw.Crop(drawTitle(c, title), vg.Points(6), 0, vg.Points(4), 0)
	const barWidth = 0.22 * vg.Inch
	// The colour bar's axis (label, tick labels) sits left of the bar; its
	// width does not depend on the canvas's, so measure it on c.
	axisW := bar.DataCanvas(c).Min.X - c.Min.X
	margin := vg.Points(8)
	barLeft := c.Max.X - margin - barWidth - axisW
	heatC := draw.Crop(c, 0, barLeft-vg.Points(14)-c.Max.X, 0, 0)
	p.Draw(heatC)
	dataC := p.DataCanvas(heatC)
	bar.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: barLeft, Y: dataC.Min.Y},
		Max: vg.Point{X: c.Max.X - margin, Y: dataC.Max.Y},
	}})
}

// drawTitle writes title centred at the top of c and returns the canvas
// below it (c itself for no title).
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return c
	}
	sty := textStyle(titleFontSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	top := c.Max.Y - vg.Points(6)
	c.FillText(sty, vg.Point{X: c.Center().X, Y: top}, title)
	return draw.Crop(c, 0, 0, 0, -(vg.Points(6) + sty.Height(title) + vg.Points(6)))
}

// figure is panels side by side under a title, with an optional legend
// column at the right shared by the panels. plot.Align gives the panels
// data areas of the same size, so that their axes line up.
type figure struct {
	title  string
	panels []*plot.Plot
	legend *plot.Legend // nil for none
}

// newLegend returns an empty legend in the figures' font, to be filled with
// Add and drawn by a figure.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = tickFontSize
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(24)
	l.Padding = vg.Points(3)
	return &l
}

// draw draws the figure on c.
func (f figure) draw(c draw.Canvas) {
	c = drawTitle(c, f.title)
	c = draw.Crop(c, vg.Points(4), -vg.Points(8), vg.Points(4), 0)
	if f.legend != nil {
		box := f.legend.Rectangle(c)
		width := box.Max.X - box.Min.X
		gap := vg.Points(14)
		right := draw.Crop(c, c.Max.X-c.Min.X-width, 0, 0, 0)
		// Level the legend's top with the panels' data areas, below their titles.
		if len(f.panels) > 0 {
			right.Max.Y = f.panels[0].DataCanvas(c).Max.Y
		}
		f.legend.Draw(right)
		c = draw.Crop(c, 0, -(width + gap), 0, 0)
	}
	if len(f.panels) == 0 {
		return
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(f.panels), PadX: vg.Points(18)}
	canvases := plot.Align([][]*plot.Plot{f.panels}, tiles, c)
	for i, p := range f.panels {
		p.Draw(canvases[0][i])
	}
}

// figureFile is a figure to save: its base file name, its size, and how to
// draw it.
type figureFile struct {
	name string
	w, h vg.Length
	draw func(draw.Canvas) error
}

// built draws the figure build makes, building it on the first call only
// (saveFigure draws each figure twice, as PNG and SVG). Building inside the
// drawing lets render turn a panic of gonum/plot while building into an
// error too.
func built(build func() (figure, error)) func(draw.Canvas) error {
	var f figure
	var err error
	done := false
	return func(c draw.Canvas) error {
		if !done {
			f, err = build()
			done = true
		}
		if err != nil {
			return err
		}
		f.draw(c)
		return nil
	}
}

// saveFigures saves each of figures by saveFigure and returns the names of
// the files written. A figure that fails does not stop the others: each
// stands alone.
func saveFigures(dir *RunDir, figures []figureFile) ([]string, error) {
	var files []string
	var errs []error
	for _, f := range figures {
		names, err := saveFigure(dir, f.name, f.w, f.h, f.draw)
		files = append(files, names...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return files, errors.Join(errs...)
}

// saveFigure renders fn on a w×h canvas to base.png and base.svg in dir,
// each written atomically, and returns their names.
func saveFigure(dir *RunDir, base string, w, h vg.Length, fn func(draw.Canvas) error) ([]string, error) {
	var names []string
	for _, format := range []string{"png", "svg"} {
		b, err := render(format, w, h, fn)
		if err != nil {
			return names, fmt.Errorf("%s.%s: %w", base, format, err)
		}
		name := base + "." + format
		if err := dir.WriteFile(name, b); err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

// render draws on a new canvas of format ("png" or "svg") and returns the
// encoded file. gonum/plot panics on some inputs (a non-positive value on
// its log scale, a colour map whose min is not below its max); render turns a panic into an error, so
// that a figure that cannot be drawn never takes down the run that made
// the numbers.
func render(format string, w, h vg.Length, fn func(draw.Canvas) error) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("drawing failed: %v", p)
		}
	}()
	var cw vg.CanvasWriterTo
	switch format {
	case "png":
		cw = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))}
	case "svg":
		cw = vgsvg.New(w, h)
	default:
		return nil, fmt.Errorf("unknown image format %q", format)
	}
	if err := fn(draw.New(cw)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
