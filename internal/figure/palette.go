package figure

import "image/color"

// OkabeIto names the colours of the Okabe-Ito palette, which stay distinct
// for colour-blind readers.
type OkabeIto int

// The colours of the Okabe-Ito palette.
const (
	Black OkabeIto = iota
	Orange
	SkyBlue
	Green
	Yellow
	Blue
	Vermillion
	Purple
)

// Color returns the colour with opacity alpha (255: opaque).
func (o OkabeIto) Color(alpha uint8) color.NRGBA {
	rgb := [...][3]uint8{
		{0, 0, 0}, {230, 159, 0}, {86, 180, 233}, {0, 158, 115},
		{240, 228, 66}, {0, 114, 178}, {213, 94, 0}, {204, 121, 167},
	}[((int(o)%8)+8)%8]
	return color.NRGBA{R: rgb[0], G: rgb[1], B: rgb[2], A: alpha}
}

// Cycle is the i-th colour of order, wrapping around (negative i too): the
// colour of the i-th of several series.
func Cycle(order []OkabeIto, i int) OkabeIto {
	return order[((i%len(order))+len(order))%len(order)]
}

// WithAlpha returns c with opacity alpha.
func WithAlpha(c color.Color, alpha uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = alpha
	return n
}

// Luminance is the relative luminance of c in [0, 1], to pick a text colour
// that reads on it.
func Luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
}
