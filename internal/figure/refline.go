package figure

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/internal/stats"
)

// RefLine is a horizontal reference line across a panel (a threshold, the
// chance level), labelled above its right end.
type RefLine struct {
	Y     float64
	Line  draw.LineStyle
	Label string
}

// Plot draws the line and its label.
func (r RefLine) Plot(c draw.Canvas, p *plot.Plot) {
	if !stats.Finite(r.Y) || r.Y < p.Y.Min || r.Y > p.Y.Max {
		return
	}
	_, trY := p.Transforms(&c)
	y := trY(r.Y)
	c.StrokeLine2(r.Line, c.Min.X, y, c.Max.X, y)
	if r.Label != "" {
		sty := NoteStyle()
		sty.Color = r.Line.Color
		sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
		c.FillText(sty, vg.Point{X: c.Max.X - vg.Points(4), Y: y + vg.Points(2)}, r.Label)
	}
}

// DataRange includes the line's y and leaves x to the other plotters.
func (r RefLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	if !stats.Finite(r.Y) {
		return math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.Y, r.Y
}

// Thumbnail draws the line in a legend.
func (r RefLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.Line, c.Min.X, y, c.Max.X, y)
}

// VLine is a vertical separator across a panel at X.
type VLine struct {
	X    float64
	Line draw.LineStyle
}

// Plot draws the line.
func (v VLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.X)
	if c.ContainsX(x) {
		c.StrokeLine2(v.Line, x, c.Min.Y, x, c.Max.Y)
	}
}
