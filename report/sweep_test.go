package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// withMethod gives point p of results a training method m beside naive,
// whose network completed in every seed but the first.
func withMethod(results []Point, p int, m string) {
	s := results[p].Summary
	for i := range s.PerSeed {
		ss := &s.PerSeed[i]
		ss.Methods = []MethodResult{{Method: "naive", Completed: true, JointResult: ss.Joint},
			{Method: m, Completed: i > 0, JointResult: ss.Joint}}
	}
	aggregate(s, len(s.Unimodal), s.PerSeed)
}

// TestSweepCSV reads sweep.csv back: every row has every column, once; the
// rows of one seed leave the spreads empty and those over seeds fill them;
// a point without the theory or a method leaves their columns empty.
func TestSweepCSV(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}}}
	results := withTheory(fakeSweep(axes, 2, 2), 2, 4)
	withoutTheory(results, 2)
	withMethod(results, 1, "ume")
	rows, err := csv.NewReader(bytes.NewReader(Sweep{Axes: axes, Points: results}.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; dup {
			t.Errorf("column %q twice", h)
		}
		col[h] = i
	}
	for _, h := range []string{"point", "alpha[1]", "seed", "seeds", "uni_m1_test_acc_std", "joint_m1_learned", "gap_std",
		"predicted_escape_m1", "prediction_right", "ume_test_acc", "ume_gap_std", "ume_m1_learned",
		"uni_m1_probe_test_acc_std", "joint_m1_probe_test_acc", "joint_m1_probe_kept", "joint_m1_probe_kept_std",
		"escape_alone_m1_std", "escape_joint_m1_std", "escaped_alone_m1", "escaped_joint_m1"} {
		if _, ok := col[h]; !ok {
			t.Errorf("no column %q in %v", h, header)
		}
	}
	if len(rows) != 1+3*2+3 {
		t.Fatalf("%d rows, want a header, 6 of seeds and 3 over seeds", len(rows))
	}
	for i, row := range rows[1:] {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d cells, header %d", i+1, len(row), len(header))
		}
		cell := func(name string) string { return row[col[name]] }
		point, all := cell("point"), cell("seed") == "all"
		if std := cell("gap_std"); (std != "") != all {
			t.Errorf("row %d (seed %s): gap_std %q, want a spread over seeds only", i+1, cell("seed"), std)
		}
		for _, name := range []string{"predicted_escape_m0", "escape_median_error_alone", "escape_median_error_joint"} {
			if theory := cell(name); (theory == "") != (point == "2") {
				t.Errorf("row %d (point %s): %s %q, want empty at point 2 only", i+1, point, name, theory)
			}
		}
		// Point 1's ume network completed in seed 2 only.
		wantUme := point == "1" && (all || cell("seed") == "2")
		if ume := cell("ume_test_acc"); (ume != "") != wantUme {
			t.Errorf("row %d (point %s, seed %s): ume_test_acc %q", i+1, point, cell("seed"), ume)
		}
		if all && cell("seeds") != "2" || !all && cell("seeds") != "1" {
			t.Errorf("row %d: seeds %q", i+1, cell("seeds"))
		}
	}
	// The columns follow the order they are read in: the point, then each
	// modality alone, the joint network, the outcome, the theory, methods.
	order := []string{"seeds", "uni_m0_val_acc", "uni_m1_learned", "joint_val_acc", "joint_enc_m0_test_acc", "best_unimodal",
		"winner", "competition", "predicted_escape_m0", "predicted_winner", "escape_median_error_alone", "escape_median_error_joint", "ume_test_acc"}
	if !slices.IsSortedFunc(order, func(a, b string) int { return col[a] - col[b] }) {
		t.Errorf("columns out of order: %s", strings.Join(header, ","))
	}
}

// TestSweepTheory checks the theory companion over a sweep: the seeds
// counted are the points' own, the agreement pools every complete seed's
// escape steps, and sweep.md reports both.
func TestSweepTheory(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}}}
	if th := (Sweep{Axes: axes, Points: fakeSweep(axes, 2, 3)}).Theory(); th != nil {
		t.Errorf("a sweep without the theory has %+v, want none", th)
	}
	results := withTheory(fakeSweep(axes, 2, 3), 2, 4)
	withoutTheory(results, 2)
	sw := Sweep{Axes: axes, Points: results, Total: 3}
	th := sw.Theory()
	if th == nil {
		t.Fatal("no theory")
	}
	var first, firstSeeds int
	for _, p := range results[:2] {
		a := p.Summary.Theory
		first += count(a.FirstAccuracy, a.FirstSeeds)
		firstSeeds += a.FirstSeeds
	}
	if th.Points != 2 || th.FirstRight != first || th.FirstSeeds != firstSeeds {
		t.Errorf("%d points, first right %d of %d; want 2 points, %d of %d", th.Points, th.FirstRight, th.FirstSeeds, first, firstSeeds)
	}
	var seeds []SeedSummary
	for _, p := range results[:2] {
		seeds = append(seeds, p.Summary.PerSeed...)
	}
	alone, _ := escapePairs(seeds, false)
	if want := agreement(alone); th.Alone != want || th.Alone.Encoders != 2*3*2 {
		t.Errorf("agreement alone %+v, want %+v over 12 encoders", th.Alone, want)
	}
	md := string(sw.Markdown(nil, nil))
	for _, want := range []string{
		fmt.Sprintf("over the 2 points where it applies: the predicted winner escaped first in the joint network in %d of %d seeds", first, firstSeeds),
		"| network | encoders | both steps known | median observed/predicted | median error | largest error |",
		fmt.Sprintf("| alone | 12 | %d | %.2f | %.1f%% |", th.Alone.N, float64(th.Alone.MedianRatio), 100*float64(th.Alone.MedianError)),
	} {
		if !strings.Contains(md, want) {
			t.Errorf("sweep.md has no %q:\n%s", want, md)
		}
	}
}

// TestSweepCSVEscapedAndKept reads the columns of the race back: a seed's
// escaped_* is 1 where its escape step is known and 0 where it never came,
// and the point's is the fraction of its seeds, with the mean and spread of
// the steps over the seeds that escaped; the kept probe is the seed's, and
// its mean over seeds the point's.
func TestSweepCSVEscapedAndKept(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "depth", Values: []string{"1", "2"}}}
	results := withTheory(fakeSweep(axes, 2, 4), 2, 4)
	s := results[1].Summary
	for i, step := range []float64{40, math.NaN(), 60, math.NaN()} {
		s.PerSeed[i].Theory.EscapeJoint[1] = Num(step)
		s.PerSeed[i].Joint.ProbeKept[1] = Num(0.1 * float64(i))
	}
	aggregate(s, 2, s.PerSeed)
	rows, err := csv.NewReader(bytes.NewReader(Sweep{Axes: axes, Points: results}.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	want := map[string][]string{ // point 1's rows: seeds 1-4, then all
		"escape_joint_m1":     {"40", "NaN", "60", "NaN", "50"},
		"escape_joint_m1_std": {"", "", "", "", formatFloat(math.Sqrt(200))},
		"escaped_joint_m1":    {"1", "0", "1", "0", "0.5"},
		"joint_m1_probe_kept": {"0", "0.1", "0.2", formatFloat(0.30000000000000004), formatFloat(float64(s.Joint.ProbeKept[1]))},
	}
	var got = map[string][]string{}
	for _, row := range rows[1:] {
		if row[col["point"]] != "1" {
			continue
		}
		for name := range want {
			got[name] = append(got[name], row[col[name]])
		}
	}
	for name, w := range want {
		if fmt.Sprint(got[name]) != fmt.Sprint(w) {
			t.Errorf("%s = %q, want %q", name, got[name], w)
		}
	}
}

// TestSweepTableKept wants the table's columns of the kept probe where some
// point knows it, and neither them nor their mention in sweep.md otherwise
// (summaries written before they had it).
func TestSweepTableKept(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "depth", Values: []string{"1", "2"}}}
	for _, tc := range []struct {
		name string
		kept bool
	}{{"known", true}, {"unknown", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			results := fakeSweep(axes, 2, 3)
			if !tc.kept {
				for _, p := range results {
					for i := range p.Summary.PerSeed {
						p.Summary.PerSeed[i].Joint.ProbeKept = nil
					}
					aggregate(p.Summary, 2, p.Summary.PerSeed)
				}
			}
			sw := Sweep{Axes: axes, Points: results, Total: 2}
			table, md := sw.Table(), string(sw.Markdown(nil, nil))
			j := results[1].Summary.Joint
			for _, want := range []string{"| m0 kept | m1 kept |", "| " + pm(j.ProbeKept[0], j.ProbeKeptStd[0], 2) + " | " + pm(j.ProbeKept[1], j.ProbeKeptStd[1], 2) + " |", "m<r> kept = "} {
				if has := strings.Contains(table+md, want); has != tc.kept {
					t.Errorf("table and sweep.md contain %q: %v, want %v\n%s", want, has, tc.kept, md)
				}
			}
		})
	}
}
