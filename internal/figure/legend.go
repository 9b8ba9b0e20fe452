package figure

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// NewLegend returns an empty legend in the figures' font, to be filled with
// Add and drawn by a Figure.
func NewLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = tickFontSize
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(24)
	l.Padding = vg.Points(3)
	return &l
}

// LegendKey is a legend thumbnail: a band, a line, a glyph, or any of them
// on top of each other, for entries that stand for more than one plotter.
type LegendKey struct {
	Fill  color.Color
	Line  *draw.LineStyle
	Glyph *draw.GlyphStyle
	Bar   bool // a vertical error bar through the glyph
}

// Thumbnail draws the key.
func (k LegendKey) Thumbnail(c *draw.Canvas) {
	mid := c.Center()
	if k.Fill != nil {
		h := (c.Max.Y - c.Min.Y) * 0.35
		c.FillPolygon(k.Fill, []vg.Point{
			{X: c.Min.X, Y: mid.Y - h}, {X: c.Max.X, Y: mid.Y - h},
			{X: c.Max.X, Y: mid.Y + h}, {X: c.Min.X, Y: mid.Y + h},
		})
	}
	if k.Line != nil {
		c.StrokeLine2(*k.Line, c.Min.X, mid.Y, c.Max.X, mid.Y)
	}
	if k.Glyph != nil {
		if k.Bar {
			h := (c.Max.Y - c.Min.Y) * 0.6
			bar := Line(k.Glyph.Color, vg.Points(1.2))
			c.StrokeLine2(bar, mid.X, mid.Y-h, mid.X, mid.Y+h)
			for _, y := range []vg.Length{mid.Y - h, mid.Y + h} {
				c.StrokeLine2(bar, mid.X-vg.Points(4), y, mid.X+vg.Points(4), y)
			}
		}
		c.DrawGlyphNoClip(*k.Glyph, mid)
	}
}

// LineKey is the legend key of a line.
func LineKey(sty draw.LineStyle) LegendKey { return LegendKey{Line: &sty} }

// CurveKey is the legend key of a Curve: its line over its band.
func CurveKey(line draw.LineStyle, fill color.Color) LegendKey {
	return LegendKey{Line: &line, Fill: fill}
}

// GlyphKey is the legend key of a glyph.
func GlyphKey(sty draw.GlyphStyle) LegendKey { return LegendKey{Glyph: &sty} }

// ErrorBarKey is the legend key of a StatGroup's mean and bar.
func ErrorBarKey(mean draw.GlyphStyle) LegendKey { return LegendKey{Glyph: &mean, Bar: true} }
