package report

import (
	"math"
	"strconv"
)

// fixedBelow is the magnitude from which Number switches to an exponent: up
// to 99999.999 a number stays in fixed notation, as wide as five digits
// before the point.
const fixedBelow = 1e5

// Number formats v for the tables, report.md and sweep.md, readable at any
// magnitude: with decimals digits after the point in the usual range, and
// with three significant digits and an exponent when it is too large for
// that, or so small that the fixed digits would show only zeros. NaN and
// infinities are written plainly.
//
//	Number(0.95234, 3)  "0.952"
//	Number(114, 0)      "114"
//	Number(2.2e299, 2)  "2.20e+299"
//	Number(3e-7, 3)     "3.00e-07"
//	Number(0, 3)        "0.000"
//	Number(NaN, 3)      "NaN"
//	Number(-Inf, 3)     "-Inf"
//
// Every number the tables print goes through it, so that no value, however
// a run ended, makes a column hundreds of digits wide.
func Number(v float64, decimals int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case fixed(v, decimals):
		return strconv.FormatFloat(v, 'f', decimals, 64)
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}

// fixed tells whether v reads well with decimals digits after the point:
// zero, or a magnitude below fixedBelow that does not round to zero.
func fixed(v float64, decimals int) bool {
	a := math.Abs(v)
	return a == 0 || (a < fixedBelow && a >= 0.5*math.Pow10(-decimals))
}

// signed is Number with a sign always: "+0.036", "-0.012", "+Inf".
func signed(v float64, decimals int) string {
	s := Number(v, decimals)
	if v >= 0 && !math.IsInf(v, 1) {
		return "+" + s
	}
	return s
}

// spread formats the spread std of a mean as Number does, but with the
// mean's precision when the mean reads in fixed notation: 0.952±0.000
// rather than 0.952±4.00e-04. A spread has no sign: an infinite one (the
// variance of huge values overflows) is "Inf".
func spread(std, mean float64, decimals int) string {
	if math.IsInf(std, 0) {
		return "Inf"
	}
	if fixed(mean, decimals) && math.Abs(std) < fixedBelow {
		return strconv.FormatFloat(std, 'f', decimals, 64)
	}
	return Number(std, decimals)
}
