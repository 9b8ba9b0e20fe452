package figure

import (
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/internal/stats"
)

// Trace is one series over x, e.g. one seed's metric over training steps.
// NaN values are gaps.
type Trace struct {
	X, Y []float64
}

// Envelope says which band SummarizeTraces puts around the mean.
type Envelope int

const (
	MinMaxBand Envelope = iota // min..max of the values
	StdBand                    // mean ± sample standard deviation
)

// Spread is several traces summarised at each x: the mean and a band
// Lo..Hi, from the finite values at that x (N of them).
type Spread struct {
	X, Mean, Lo, Hi []float64
	N               []int
}

// SummarizeTraces summarises ts at every x where at least one has a finite
// value, so that traces logged at different steps, or cut short, still
// combine.
func SummarizeTraces(ts []Trace, env Envelope) Spread {
	at := map[float64][]float64{}
	for _, t := range ts {
		for i := range min(len(t.X), len(t.Y)) {
			if stats.Finite(t.X[i], t.Y[i]) {
				at[t.X[i]] = append(at[t.X[i]], t.Y[i])
			}
		}
	}
	xs := make([]float64, 0, len(at))
	for x := range at {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	var s Spread
	for _, x := range xs {
		vs := at[x]
		m, sd := stats.MeanStd(vs)
		lo, hi := m-sd, m+sd
		if env == MinMaxBand {
			lo, hi = stats.MinMax(vs)
		}
		s.X, s.Mean, s.Lo, s.Hi = append(s.X, x), append(s.Mean, m), append(s.Lo, lo), append(s.Hi, hi)
		s.N = append(s.N, len(vs))
	}
	return s
}

// Curve is a line over X with an optional band, e.g. a mean over seeds and
// its spread: the primitive of every metric-over-steps or over-a-sweep panel.
type Curve struct {
	X, Y   []float64
	Lo, Hi []float64 // band; nil for none
	Line   draw.LineStyle
	Fill   color.Color // band colour; nil for none
}

// AddCurves draws the bands of every curve, then the lines in order, so
// that no band covers another curve's line and later lines lie on top.
func AddCurves(p *plot.Plot, cs ...Curve) error {
	for _, c := range cs {
		if c.Fill != nil && c.Lo != nil && c.Hi != nil {
			if err := addBand(p, c.X, c.Lo, c.Hi, c.Fill); err != nil {
				return err
			}
		}
	}
	for _, c := range cs {
		if err := AddLine(p, c.X, c.Y, c.Line); err != nil {
			return err
		}
	}
	return nil
}

// AddLine draws y over x, broken at NaN values; an isolated point, which a
// line cannot show, is drawn as a dot.
func AddLine(p *plot.Plot, x, y []float64, sty draw.LineStyle) error {
	for _, xys := range lineParts(x, y) {
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

// lineParts are the points of y over x that AddLine draws: one piece per
// stretch between non-finite values.
func lineParts(x, y []float64) []plotter.XYs {
	var parts []plotter.XYs
	n := min(len(x), len(y))
	for _, r := range runsOf(n, func(i int) bool { return stats.Finite(x[i], y[i]) }) {
		xys := make(plotter.XYs, 0, r[1]-r[0])
		for i := r[0]; i < r[1]; i++ {
			xys = append(xys, plotter.XY{X: x[i], Y: y[i]})
		}
		parts = append(parts, xys)
	}
	return parts
}

// addBand fills the area between lo and hi over x, broken at non-finite
// values.
func addBand(p *plot.Plot, x, lo, hi []float64, fill color.Color) error {
	for _, xys := range bandPolygons(x, lo, hi) {
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

// bandPolygons are the outlines addBand fills: per stretch of at least two
// finite points, along hi forward and back along lo.
func bandPolygons(x, lo, hi []float64) []plotter.XYs {
	var polys []plotter.XYs
	n := min(len(x), len(lo), len(hi))
	for _, r := range runsOf(n, func(i int) bool { return stats.Finite(x[i], lo[i], hi[i]) }) {
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
		polys = append(polys, xys)
	}
	return polys
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
