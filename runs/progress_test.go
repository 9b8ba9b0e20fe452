package runs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestFitLine(t *testing.T) {
	t.Parallel()
	active := []string{"seed 1 joint 120/600", "seed 1 uni-m0 300/600", "seed 2 uni-m1 10/600"}
	const head, tail = "3/15 networks done", "0:12 elapsed, ETA 1:05"
	full := head + " | " + strings.Join(active, ", ") + " | " + tail
	for _, tc := range []struct {
		name   string
		active []string
		width  int
		want   string
	}{
		{"no limit", active, 0, full},
		{"fits exactly", active, len(full), full},
		{"one entry gives way", active, len(full) - 1, head + " | seed 1 joint 120/600, seed 1 uni-m0 300/600, +1 more | " + tail},
		{"two give way", active, 80, head + " | seed 1 joint 120/600, +2 more | " + tail},
		{"only the count", active, 60, head + " | 3 running | " + tail},
		{"no list", active, 50, head + " | " + tail},
		{"cut", active, 20, "3/15 networks done |"},
		{"nothing running, cut", nil, 10, "3/15 netwo"},
		{"nothing running, fits", nil, 80, head + " | " + tail},
	} {
		got := fitLine(head, tc.active, tail, tc.width)
		if got != tc.want {
			t.Errorf("%s: fitLine(width %d) =\n%q, want\n%q", tc.name, tc.width, got, tc.want)
		}
		if tc.width > 0 && len(got) > tc.width {
			t.Errorf("%s: %d columns, more than %d", tc.name, len(got), tc.width)
		}
	}
}

// TestProgressFitsTerminal draws the status line of many workers on
// terminals of several widths: every redraw, from one \r to the next, must
// fit in one row, so that \r redraws all of it.
func TestProgressFitsTerminal(t *testing.T) {
	t.Parallel()
	cfg := Default()
	cfg.Seeds, cfg.Steps = 8, 600
	specs := CompareNetworks(2, []string{"naive"})
	for _, columns := range []int{0, 20, 40, 80, 200} {
		var buf bytes.Buffer
		p := NewProgress(&buf, &cfg, specs)
		if columns > 0 {
			p.Columns = func() int { return columns }
		}
		var runs []*NetworkRun
		for s := range 8 {
			for _, spec := range specs {
				r := &NetworkRun{Seed: uint64(s + 1), Network: spec.Name, Modalities: spec.Modalities}
				runs = append(runs, r)
				p.Started(r, cfg.Steps)
			}
		}
		for _, r := range runs[:5] {
			p.Finished(r)
		}
		p.Close()
		draws := strings.Split(buf.String(), "\r")
		if len(draws) < 5 {
			t.Fatalf("%d columns: %d draws, want one per finished network", columns, len(draws))
		}
		for _, d := range draws {
			if strings.Contains(d, "\n") {
				t.Errorf("%d columns: a draw holds a newline: %q", columns, d)
			}
			if columns > 0 && len(d) >= columns {
				t.Errorf("%d columns: a draw of %d columns: %q", columns, len(d), d)
			}
		}
		if columns == 0 && !strings.Contains(buf.String(), fmt.Sprintf("seed 8 uni-m1 0/%d", cfg.Steps)) {
			t.Errorf("without a width the line lists every running network:\n%q", buf.String())
		}
	}
}
