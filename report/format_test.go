package report

import (
	"fmt"
	"math"
	"testing"
)

func TestNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v        float64
		decimals int
		want     string
	}{
		{0.95234, 3, "0.952"},
		{1.5, 2, "1.50"},
		{114, 0, "114"},
		{0, 3, "0.000"},
		{-0.0123, 3, "-0.012"},
		{99999.9, 1, "99999.9"},
		{1e5, 2, "1.00e+05"},
		{2.156e299, 2, "2.16e+299"},
		{-3e300, 3, "-3.00e+300"},
		{math.MaxFloat64, 3, "1.80e+308"},
		{3e-7, 3, "3.00e-07"},
		{0.0004, 3, "4.00e-04"},
		{0.0005, 3, "0.001"}, // rounds to a digit the fixed notation shows
		{5e-324, 2, "4.94e-324"},
		{math.NaN(), 3, "NaN"},
		{math.Inf(1), 3, "+Inf"},
		{math.Inf(-1), 2, "-Inf"},
	} {
		if got := Number(tc.v, tc.decimals); got != tc.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tc.v, tc.decimals, got, tc.want)
		}
	}
}

func TestPlusMinus(t *testing.T) {
	t.Parallel()
	nan, inf := Num(math.NaN()), Num(math.Inf(1))
	for _, tc := range []struct {
		mean, std Num
		digits    int
		pm        string // pm(mean, std, digits)
		signed    string // signedPM(mean, std), 3 digits
	}{
		{0.952, 0.007, 3, "0.952±0.007", "+0.952±0.007"},
		{0.952, 0.0004, 3, "0.952±0.000", "+0.952±0.000"}, // the mean's precision
		{-0.015, 0, 3, "-0.015±0.000", "-0.015±0.000"},
		{2.2e299, 1e298, 2, "2.20e+299±1.00e+298", "+2.20e+299±1.00e+298"},
		{1.5, 3e200, 2, "1.50±3.00e+200", "+1.500±3.00e+200"},
		{3e-7, 1e-7, 3, "3.00e-07±1.00e-07", "+3.00e-07±1.00e-07"},
		{0.5, nan, 3, "0.500", "+0.500±NaN"},
		{nan, 0.1, 3, "n/a", "n/a"},
		{inf, nan, 3, "+Inf", "+Inf±NaN"},
		{-inf, 0, 3, "-Inf±0.000", "-Inf±0.000"},
		{1.26e299, inf, 2, "1.26e+299±Inf", "+1.26e+299±Inf"}, // the variance overflowed
	} {
		if got := pm(tc.mean, tc.std, tc.digits); got != tc.pm {
			t.Errorf("pm(%v, %v, %d) = %q, want %q", float64(tc.mean), float64(tc.std), tc.digits, got, tc.pm)
		}
		if got := signedPM(tc.mean, tc.std); got != tc.signed {
			t.Errorf("signedPM(%v, %v) = %q, want %q", float64(tc.mean), float64(tc.std), got, tc.signed)
		}
	}
}

func ExampleNumber() {
	for _, v := range []float64{0.95234, 2.156e299, 3e-7, math.NaN(), math.Inf(-1)} {
		fmt.Println(Number(v, 3))
	}
	// Output:
	// 0.952
	// 2.16e+299
	// 3.00e-07
	// NaN
	// -Inf
}
