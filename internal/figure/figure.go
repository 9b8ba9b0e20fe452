// Package figure draws the figures of modcomp on gonum/plot and saves them
// as PNG and SVG: the Okabe-Ito palette, panels with readable defaults and
// log axes, curves (a line with a band, such as the mean and spread of
// several traces), reference lines, groups of samples with their mean and
// spread, heat maps with a colour bar and annotated cells, legends, and
// figures of panels side by side under a title.
//
// It knows nothing of what is drawn: callers turn their results into
// traces, groups and grids. Figures are functions that draw on a
// draw.Canvas, so that one figure renders to both formats; Save writes them
// through a Sink, such as a run directory.
package figure

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure is panels side by side under a title, with an optional legend
// column at the right shared by the panels. plot.Align gives the panels
// data areas of the same size, so that their axes line up.
type Figure struct {
	Title  string
	Panels []*plot.Plot
	Legend *plot.Legend // nil for none
}

// Draw draws the figure on c.
func (f Figure) Draw(c draw.Canvas) {
	c = DrawTitle(c, f.Title)
	c = draw.Crop(c, vg.Points(4), -vg.Points(8), vg.Points(4), 0)
	if f.Legend != nil {
		box := f.Legend.Rectangle(c)
		width := box.Max.X - box.Min.X
		gap := vg.Points(14)
		right := draw.Crop(c, c.Max.X-c.Min.X-width, 0, 0, 0)
		// Level the legend's top with the panels' data areas, below their titles.
		if len(f.Panels) > 0 {
			right.Max.Y = f.Panels[0].DataCanvas(c).Max.Y
		}
		f.Legend.Draw(right)
		c = draw.Crop(c, 0, -(width + gap), 0, 0)
	}
	if len(f.Panels) == 0 {
		return
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(f.Panels), PadX: vg.Points(18)}
	canvases := plot.Align([][]*plot.Plot{f.Panels}, tiles, c)
	for i, p := range f.Panels {
		p.Draw(canvases[0][i])
	}
}

// DrawTitle writes title centred at the top of c and returns the canvas
// below it (c itself for no title).
func DrawTitle(c draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return c
	}
	sty := textStyle(titleFontSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	top := c.Max.Y - vg.Points(6)
	c.FillText(sty, vg.Point{X: c.Center().X, Y: top}, title)
	return draw.Crop(c, 0, 0, 0, -(vg.Points(6) + sty.Height(title) + vg.Points(6)))
}
