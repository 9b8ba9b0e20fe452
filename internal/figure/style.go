package figure

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

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

// Line widths shared by the figures, in points: a mean and a single seed.
const (
	ThickLine vg.Length = 2.2
	ThinLine  vg.Length = 0.8
)

// Dashes is the dash pattern of reference lines; a function, because a
// slice cannot be a constant.
func Dashes() []vg.Length { return []vg.Length{vg.Points(5), vg.Points(3)} }

// Line is a solid line; dashed lines add Dashes().
func Line(c color.Color, width vg.Length) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: width}
}

// RefStyle is the style of reference lines: a threshold, chance.
func RefStyle() draw.LineStyle {
	return draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1.2), Dashes: Dashes()}
}

// NoteStyle is the text style of notes inside a panel: small, black.
func NoteStyle() text.Style { return textStyle(noteFontSize) }

// textStyle is the default font at size, in black.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}
