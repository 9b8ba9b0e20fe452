// Package stats holds the few statistics that results, tables and figures
// share: the mean and sample standard deviation of a handful of seeds, and
// the range and finite values of a series. They are written out rather than
// taken from gonum/stat, whose sums run in a different order, so that
// numbers written to disk stay the same bit for bit across versions.
package stats

import "math"

// MeanStd is the mean and the sample standard deviation of xs (0 for one
// value, NaN for none).
func MeanStd(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	if len(xs) == 1 {
		return m, 0
	}
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
}

// MinMax is the smallest and the largest of vs: NaN for none, and NaN when
// one of them is NaN (pass FiniteValues to ignore those).
func MinMax(vs []float64) (float64, float64) {
	if len(vs) == 0 {
		return math.NaN(), math.NaN()
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// Finite reports whether every value is neither NaN nor infinite.
func Finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// FiniteValues is vs without its NaN and infinite values.
func FiniteValues(vs []float64) []float64 {
	var out []float64
	for _, v := range vs {
		if Finite(v) {
			out = append(out, v)
		}
	}
	return out
}
