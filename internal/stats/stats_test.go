package stats

import (
	"fmt"
	"math"
	"testing"
)

func TestMeanStd(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		xs       []float64
		mean, sd string
	}{
		{nil, "NaN", "NaN"},
		{[]float64{2}, "2", "0"},
		{[]float64{1, 3}, "2", "1.41421"},
		{[]float64{0.5, 0.5, 0.5}, "0.5", "0"},
	} {
		m, sd := MeanStd(c.xs)
		if got := fmt.Sprintf("%.6g %.6g", m, sd); got != c.mean+" "+c.sd {
			t.Errorf("MeanStd(%v) = %s, want %s %s", c.xs, got, c.mean, c.sd)
		}
	}
}

func TestMinMaxAndFinite(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	vs := []float64{3, nan, -1, inf, 2}
	if got := FiniteValues(vs); fmt.Sprint(got) != "[3 -1 2]" {
		t.Errorf("FiniteValues = %v, want [3 -1 2]", got)
	}
	if lo, hi := MinMax(FiniteValues(vs)); lo != -1 || hi != 3 {
		t.Errorf("MinMax = %g, %g; want -1, 3", lo, hi)
	}
	if lo, hi := MinMax(nil); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("MinMax(nil) = %g, %g; want NaN", lo, hi)
	}
	if Finite(1, nan) || Finite(-inf) || !Finite() || !Finite(0, 1) {
		t.Error("Finite: want false for NaN and ±Inf only")
	}
}
