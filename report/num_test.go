package report

import (
	"encoding/json"
	"math"
	"testing"
)

func TestNumJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    Num
		want string
	}{
		{Num(0.5), "0.5"}, {Num(math.NaN()), "null"}, {Num(math.Inf(1)), "null"}, {Num(-3), "-3"}, {Num(1e-7), "1e-07"},
	} {
		b, err := json.Marshal(tc.n)
		if err != nil || string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", float64(tc.n), b, err, tc.want)
		}
		var back Num
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("Unmarshal(%s): %v", b, err)
		}
		if !(back == tc.n || math.IsNaN(float64(back)) && (math.IsNaN(float64(tc.n)) || math.IsInf(float64(tc.n), 0))) {
			t.Errorf("%v read back as %v", float64(tc.n), float64(back))
		}
	}
}
