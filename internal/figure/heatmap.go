package figure

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/internal/stats"
)

// HeatMap is a 2-D grid of values drawn as coloured cells with a colour bar,
// e.g. a phase diagram of a sweep over two parameters. Rows go up the y
// axis (row 0 at the bottom) and columns along x; cells have equal sizes
// whatever the values of the axes, which name the ticks.
type HeatMap struct {
	Z              [][]float64 // Z[row][col]; NaN cells are grey
	XTicks, YTicks []string    // one per column, one per row
	XLabel, YLabel string
	ZLabel         string // the colour bar's label
	// Each cell is annotated with Labels[row][col] ("" for none) when
	// Labels is set, else with its value in Format (e.g. "%.2f"; "n/a" for
	// NaN) when Format is set.
	Format string
	Labels [][]string
	// Diverging centres a blue-white-red colour map on zero (for signed
	// values such as an accuracy gap); otherwise the map is sequential.
	Diverging bool
	// ZMin, ZMax fix the colour range; NaN for the range of the values.
	ZMin, ZMax float64
	// Boundary, when set, marks a region of cells, Boundary[row][col]
	// (e.g. where a theory predicts an outcome): a thick dashed line runs
	// along every edge between a cell inside and a cell outside it.
	Boundary [][]bool
}

// BoundaryStyle is the line of a heat map's Boundary: black, thick, dashed,
// so that it reads on every colour of the map.
func BoundaryStyle() draw.LineStyle {
	return draw.LineStyle{Color: color.Black, Width: vg.Points(2.6), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
}

// boundaryEdges are the segments, in cell coordinates (cell (r, c) spans
// c-0.5..c+0.5 and r-0.5..r+0.5), that outline the region in: between a
// cell inside and a neighbour outside, and along the grid's border where a
// cell inside touches it, so that the outline is closed.
func boundaryEdges(in [][]bool) [][2]plotter.XY {
	at := func(r, c int) bool { return r >= 0 && r < len(in) && c >= 0 && c < len(in[r]) && in[r][c] }
	var edges [][2]plotter.XY
	for r, row := range in {
		for c := range row {
			x, y := float64(c), float64(r)
			if c == 0 && at(r, c) {
				edges = append(edges, [2]plotter.XY{{X: x - 0.5, Y: y - 0.5}, {X: x - 0.5, Y: y + 0.5}})
			}
			if r == 0 && at(r, c) {
				edges = append(edges, [2]plotter.XY{{X: x - 0.5, Y: y - 0.5}, {X: x + 0.5, Y: y - 0.5}})
			}
			if at(r, c) != at(r, c+1) {
				edges = append(edges, [2]plotter.XY{{X: x + 0.5, Y: y - 0.5}, {X: x + 0.5, Y: y + 0.5}})
			}
			if at(r, c) != at(r+1, c) {
				edges = append(edges, [2]plotter.XY{{X: x - 0.5, Y: y + 0.5}, {X: x + 0.5, Y: y + 0.5}})
			}
		}
	}
	return edges
}

// heatGrid adapts a HeatMap to plotter.GridXYZ, at index coordinates.
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

// colorRange is the range of the colour map: ZMin..ZMax where set, else
// the range of the finite values, symmetric around zero when diverging,
// and never empty (a colour map needs min < max).
func (h HeatMap) colorRange() (float64, float64) {
	var vs []float64
	for _, row := range h.Z {
		vs = append(vs, stats.FiniteValues(row)...)
	}
	lo, hi := stats.MinMax(vs)
	if h.Diverging && stats.Finite(lo, hi) {
		m := math.Max(math.Abs(lo), math.Abs(hi))
		lo, hi = -m, m
	}
	if stats.Finite(h.ZMin) {
		lo = h.ZMin
	}
	if stats.Finite(h.ZMax) {
		hi = h.ZMax
	}
	if !stats.Finite(lo, hi) {
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
func (h HeatMap) colorMap(lo, hi float64) (palette.ColorMap, error) {
	var cm palette.ColorMap
	if h.Diverging {
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

// cellColor is the colour of value v under the heat map's palette.
func cellColor(hm *plotter.HeatMap, v float64) color.Color {
	pal := hm.Palette.Colors()
	switch {
	case !stats.Finite(v):
		return hm.NaN
	case v <= hm.Min:
		return pal[0]
	case v >= hm.Max:
		return pal[len(pal)-1]
	}
	return pal[int((v-hm.Min)/(hm.Max-hm.Min)*float64(len(pal)-1)+0.5)]
}

// plots returns the heat map's panel and its colour bar's.
func (h HeatMap) plots() (*plot.Plot, *plot.Plot, error) {
	lo, hi := h.colorRange()
	cm, err := h.colorMap(lo, hi)
	if err != nil {
		return nil, nil, err
	}
	p := NewPanel("", h.XLabel, h.YLabel)
	cols, rows := heatGrid{h.Z}.Dims()
	if cols > 0 && rows > 0 {
		hm := plotter.NewHeatMap(heatGrid{h.Z}, cm.Palette(255))
		hm.Min, hm.Max = lo, hi
		hm.NaN = color.Gray{Y: 200}
		// Values outside a fixed range take the end colours.
		pal := hm.Palette.Colors()
		hm.Underflow, hm.Overflow = pal[0], pal[len(pal)-1]
		p.Add(hm)
		for _, e := range boundaryEdges(h.Boundary) {
			l, err := plotter.NewLine(plotter.XYs{e[0], e[1]})
			if err != nil {
				return nil, nil, err
			}
			l.LineStyle = BoundaryStyle()
			p.Add(l)
		}
		if err := h.annotate(p, hm); err != nil {
			return nil, nil, err
		}
	}
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Marker = NamedTicks(h.XTicks, cols)
	p.Y.Tick.Marker = NamedTicks(h.YTicks, rows)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0

	bar := plot.New()
	bar.HideX()
	bar.X.Padding, bar.Y.Padding = 0, 0
	bar.Y.Label.Text = h.ZLabel
	bar.Y.Label.TextStyle.Font.Size = labelFontSize
	bar.Y.Tick.Label.Font.Size = tickFontSize
	bar.Y.Tick.Length = vg.Points(3)
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	return p, bar, nil
}

// cellLabels is the annotation of every cell, [row][col]: Labels, or the
// values in Format; nil for none.
func (h HeatMap) cellLabels() [][]string {
	if h.Labels != nil {
		return h.Labels
	}
	if h.Format == "" {
		return nil
	}
	labels := make([][]string, len(h.Z))
	for r, row := range h.Z {
		labels[r] = make([]string, len(row))
		for c, v := range row {
			labels[r][c] = "n/a"
			if stats.Finite(v) {
				labels[r][c] = fmt.Sprintf(h.Format, v)
			}
		}
	}
	return labels
}

// annotate writes each cell's label on it, in black or white, whichever
// reads on the colour hm gives the cell.
func (h HeatMap) annotate(p *plot.Plot, hm *plotter.HeatMap) error {
	var l plotter.XYLabels
	var styles []text.Style
	for r, row := range h.cellLabels() {
		for c, lbl := range row {
			if lbl == "" {
				continue
			}
			v := math.NaN()
			if r < len(h.Z) && c < len(h.Z[r]) {
				v = h.Z[r][c]
			}
			sty := NoteStyle()
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			if Luminance(cellColor(hm, v)) < 0.45 {
				sty.Color = color.White
			}
			l.XYs = append(l.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			l.Labels = append(l.Labels, lbl)
			styles = append(styles, sty)
		}
	}
	if len(l.XYs) == 0 {
		return nil
	}
	labels, err := plotter.NewLabels(l)
	if err != nil {
		return err
	}
	labels.TextStyle = styles
	p.Add(labels)
	return nil
}

// Draw draws the heat map under title, with its colour bar at the right,
// level with the cells.
func (h HeatMap) Draw(c draw.Canvas, title string) error {
	p, bar, err := h.plots()
	if err != nil {
		return err
	}
	c = draw.Crop(DrawTitle(c, title), vg.Points(6), 0, vg.Points(4), 0)
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
	return nil
}
