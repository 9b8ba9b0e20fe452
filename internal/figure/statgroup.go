package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/internal/stats"
)

// StatGroup is the values at one position X (a category, or a value of a
// swept parameter), e.g. one network's final test accuracy over seeds: the
// mean, the band Lo..Hi around it, and the seeds' own values as samples.
// The mean and band are given rather than computed from the samples where
// a summary already holds them (a sweep's), so that a figure never
// disagrees with the table beside it; SampleGroup computes them.
type StatGroup struct {
	X            float64
	Mean, Lo, Hi float64 // NaN for none
	Samples      []float64
	Color        color.Color
}

// SampleGroup is the group of values at x: their mean with a ± one
// standard deviation band, non-finite values left out.
func SampleGroup(x float64, values []float64, c color.Color) StatGroup {
	m, sd := stats.MeanStd(stats.FiniteValues(values))
	return StatGroup{X: x, Mean: m, Lo: m - sd, Hi: m + sd, Samples: values, Color: c}
}

// StatGroups draws each group as its mean with a bar from Lo to Hi at X,
// labelled with the mean when Format is set, and its samples as small dots
// in a column just left of the bar, spread sideways so that equal values
// stay visible.
type StatGroups struct {
	Groups []StatGroup
	Shift  float64 // the samples' column is at X - Shift, in x units
	Jitter float64 // half-width of the samples' sideways spread, in x units
	Format string  // label of the mean, e.g. "%.3f"; "" for none
}

// JitterOffset is the sideways offset of the i-th of n samples, in [-1, 1]:
// evenly spaced in sample order, so that a figure is the same on every
// render and the samples keep their order (seed order) from left to right.
func JitterOffset(i, n int) float64 {
	if n <= 1 {
		return 0
	}
	return -1 + 2*float64(i)/float64(n-1)
}

// samplePositions are where the finite samples of gr are drawn, in data
// coordinates.
func (g StatGroups) samplePositions(gr StatGroup) plotter.XYs {
	vs := stats.FiniteValues(gr.Samples)
	xys := make(plotter.XYs, len(vs))
	for i, v := range vs {
		xys[i] = plotter.XY{X: gr.X - g.Shift + g.Jitter*JitterOffset(i, len(vs)), Y: v}
	}
	return xys
}

// Plot draws the groups.
func (g StatGroups) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, gr := range g.Groups {
		if !stats.Finite(gr.X) {
			continue
		}
		dot := SampleGlyph(gr.Color)
		for _, s := range g.samplePositions(gr) {
			pt := vg.Point{X: trX(s.X), Y: trY(s.Y)}
			if c.Contains(pt) {
				c.DrawGlyph(dot, pt)
			}
		}
		x := trX(gr.X)
		if stats.Finite(gr.Lo, gr.Hi) && gr.Hi > gr.Lo {
			bar := Line(gr.Color, vg.Points(1.6))
			lo, hi := trY(gr.Lo), trY(gr.Hi)
			capW := vg.Points(5)
			c.StrokeLines(bar, c.ClipLinesY([]vg.Point{{X: x, Y: lo}, {X: x, Y: hi}})...)
			for _, yy := range []vg.Length{lo, hi} {
				if c.ContainsY(yy) {
					c.StrokeLine2(bar, x-capW, yy, x+capW, yy)
				}
			}
		}
		if !stats.Finite(gr.Mean) {
			continue
		}
		pt := vg.Point{X: x, Y: trY(gr.Mean)}
		if !c.Contains(pt) {
			continue
		}
		c.DrawGlyph(MeanGlyph(gr.Color), pt)
		if g.Format != "" {
			sty := NoteStyle()
			sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
			c.FillText(sty, vg.Point{X: x + vg.Points(9), Y: pt.Y}, fmt.Sprintf(g.Format, gr.Mean))
		}
	}
}

// SampleGlyph is the dot of one sample of a StatGroup.
func SampleGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: WithAlpha(c, 170), Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}}
}

// MeanGlyph is the marker of a StatGroup's mean.
func MeanGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: vg.Points(4.2), Shape: draw.CircleGlyph{}}
}

// DataRange covers every sample, mean and bar.
func (g StatGroups) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, gr := range g.Groups {
		vs := stats.FiniteValues(append([]float64{gr.Mean, gr.Lo, gr.Hi}, gr.Samples...))
		if len(vs) == 0 || !stats.Finite(gr.X) {
			continue
		}
		lo, hi := stats.MinMax(vs)
		xmin, xmax = math.Min(xmin, gr.X-g.Shift-g.Jitter), math.Max(xmax, gr.X+g.Jitter)
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	return xmin, xmax, ymin, ymax
}
