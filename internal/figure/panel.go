package figure

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/modcomp/modcomp/internal/stats"
)

// NewPanel returns a plot with the figures' fonts and a light grid.
func NewPanel(title, xLabel, yLabel string) *plot.Plot {
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
	g.Vertical = Line(color.Gray{Y: 225}, vg.Points(0.5))
	g.Horizontal = g.Vertical
	p.Add(g)
	return p
}

// LogY makes the y axis of p logarithmic for values in [lo, hi] (lo > 0),
// with a margin: the plotters must be given log10 of their values (see
// Log10s). gonum's own plot.LogScale places the glyph box of the y axis
// label at the arithmetic middle of the range, which on a log axis lies near
// the top and squashes the panel; log10 values on a linear axis with
// log-scale ticks avoid that, and cannot panic on a non-positive value.
func LogY(p *plot.Plot, lo, hi float64) {
	if !(lo > 0) || !stats.Finite(lo) {
		lo = 1e-3
	}
	if !(hi > lo) || !stats.Finite(hi) {
		hi = lo * 10
	}
	p.Y.Min, p.Y.Max = math.Log10(lo)-0.1, math.Log10(hi)+0.1
	p.Y.Tick.Marker = Log10Ticks{}
}

// Log10s is log10 of each value, NaN for NaN and for values that are not
// positive: callers clamp first what they want drawn (ClampBelow).
func Log10s(vs []float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = math.NaN()
		if v > 0 {
			out[i] = math.Log10(v)
		}
	}
	return out
}

// ClampBelow raises the values of vs below floor to floor, in place, for a
// log axis, and reports whether any was; NaN stays NaN.
func ClampBelow(vs []float64, floor float64) bool {
	changed := false
	for i, v := range vs {
		if v < floor {
			vs[i], changed = floor, true
		}
	}
	return changed
}

// powerLabel writes a tick value of a log axis: 0.001, 0.02, 1, 500, 1e+06.
func powerLabel(v float64) string {
	if v >= 1 && v < 1e6 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// Log10Ticks are the ticks of an axis of log10 values: labelled powers of
// ten and unlabelled multiples between them, plus labelled 2s and 5s when
// the range holds fewer than three powers of ten, so that a short axis
// still has a few labels.
type Log10Ticks struct{}

// Ticks returns the ticks from min to max (in log10 units).
func (Log10Ticks) Ticks(min, max float64) []plot.Tick {
	if !stats.Finite(min, max) || max <= min || max-min > 300 {
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

// LinearTicks are ticks every step from lo to hi, labelled with format.
func LinearTicks(lo, hi, step float64, format string) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step*1e-9 {
			return ts
		}
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf(format, v)})
	}
}

// NamedTicks labels the positions 0..n-1 with names (their index when
// names are missing).
func NamedTicks(names []string, n int) plot.ConstantTicks {
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

// SymmetricAround widens the y range of p so that it is centred on c: a
// value near c then sits in the middle, and its side reads at a glance.
func SymmetricAround(p *plot.Plot, c float64) {
	// Plot.Add has grown the range to every plotter's data.
	ymin, ymax := p.Y.Min, p.Y.Max
	if !stats.Finite(ymin, ymax) || ymin > ymax {
		return
	}
	m := math.Max(math.Abs(ymin-c), math.Abs(ymax-c))
	if !(m > 0) {
		m = 0.01
	}
	m *= 1.1
	p.Y.Min, p.Y.Max = c-m, c+m
}
