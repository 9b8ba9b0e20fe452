package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Axis is one swept configuration key and its values, as the grid spells
// them ("mu[0]" with "0.1", "0.2").
type Axis struct {
	Key    string
	Values []string
}

// Point is one point of a sweep: its index in the grid, the value of every
// axis by key, and the summary of its comparison (nil while the point is
// not complete).
type Point struct {
	Index   int
	Values  map[string]string
	Summary *Summary
}

// Sweep is the complete points of a sweep over a grid, as the aggregate
// reads them: sweep.csv, sweep.md and the figures.
type Sweep struct {
	Axes    []Axis
	Points  []Point  // the complete points, in grid order
	Total   int      // points in the grid
	Missing []string // indices of the points not complete
}

// Markdown renders sweep.md: what the sweep covered, the table (Table), and
// the figures written (names ending in .png are shown; figErr says what
// could not be drawn).
func (sw Sweep) Markdown(figures []string, figErr error) []byte {
	var md bytes.Buffer
	fmt.Fprintf(&md, "# modcomp sweep\n\n%d of %d points complete", len(sw.Points), sw.Total)
	if len(sw.Missing) > 0 {
		fmt.Fprintf(&md, " (missing: %s)", strings.Join(sw.Missing, ", "))
	}
	fmt.Fprintf(&md, ". Grid: ")
	for i, a := range sw.Axes {
		if i > 0 {
			fmt.Fprint(&md, " x ")
		}
		fmt.Fprintf(&md, "`%s` in {%s}", a.Key, strings.Join(a.Values, ", "))
	}
	fmt.Fprintf(&md, ".\n\nGap = best uni-modal (picked on validation) minus joint test accuracy; ")
	fmt.Fprintf(&md, "competition = fraction of seeds in which a modality learned alone stayed unlearned in joint training.\n\n%s\n", sw.Table())
	if figErr != nil {
		fmt.Fprintf(&md, "Some plots could not be drawn: %v\n\n", figErr)
	}
	for _, p := range figures {
		if strings.HasSuffix(p, ".png") {
			fmt.Fprintf(&md, "![%s](%s)\n\n", strings.TrimSuffix(p, ".png"), p)
		}
	}
	return md.Bytes()
}

// competition reports whether, in one seed, some modality learned alone
// stayed unlearned in the joint network.
func competition(ss SeedSummary) bool {
	for r, u := range ss.Unimodal {
		if u.Learned && !ss.Joint.Learned[r] {
			return true
		}
	}
	return false
}

// competitionFraction is the fraction of aggregated seeds with competition.
func competitionFraction(s *Summary) Num {
	n, c := 0, 0
	for _, ss := range s.PerSeed {
		if ss.Complete {
			n++
			if competition(ss) {
				c++
			}
		}
	}
	if n == 0 {
		return Num(math.NaN())
	}
	return Num(float64(c) / float64(n))
}

// CSV renders sweep.csv: one row per point and seed, then one per point
// (seed "all") with means over seeds and, in the *_std columns, their
// spread.
func (sw Sweep) CSV() []byte {
	axes, results := sw.Axes, sw.Points
	k := 0
	for _, r := range results {
		k = max(k, len(r.Summary.Unimodal))
	}
	header := []string{"point"}
	for _, a := range axes {
		header = append(header, a.Key)
	}
	header = append(header, "seed", "seeds")
	metric := func(name string, std bool) {
		header = append(header, name)
		if std {
			header = append(header, name+"_std")
		}
	}
	for r := 0; r < k; r++ {
		metric(fmt.Sprintf("uni_m%d_val_acc", r), true)
		metric(fmt.Sprintf("uni_m%d_test_acc", r), true)
		metric(fmt.Sprintf("uni_m%d_alignment", r), true)
		metric(fmt.Sprintf("uni_m%d_learned", r), false)
	}
	metric("joint_val_acc", true)
	metric("joint_test_acc", true)
	for r := 0; r < k; r++ {
		metric(fmt.Sprintf("joint_enc_m%d_test_acc", r), true)
		metric(fmt.Sprintf("joint_m%d_alignment", r), true)
		metric(fmt.Sprintf("joint_m%d_learned", r), false)
	}
	metric("best_unimodal", false)
	metric("best_unimodal_test_acc", false)
	metric("gap", true)
	metric("winner", false)
	metric("competition", false)
	for r := 0; r < k; r++ {
		metric(fmt.Sprintf("predicted_escape_m%d", r), false)
		metric(fmt.Sprintf("escape_alone_m%d", r), false)
		metric(fmt.Sprintf("escape_joint_m%d", r), false)
	}
	metric("predicted_winner", false)
	metric("first_escape_right", false)
	metric("prediction_right", false)
	// One block per training method beyond naive (the joint_* columns).
	methods := sweepMethods(results)
	for _, m := range methods {
		metric(m+"_test_acc", true)
		metric(m+"_gap", true)
		for r := 0; r < k; r++ {
			metric(fmt.Sprintf("%s_m%d_alignment", m, r), true)
			metric(fmt.Sprintf("%s_m%d_learned", m, r), false)
		}
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	newRow := func(r Point, seed string, seeds int) []string {
		row := make([]string, len(header))
		row[0] = strconv.Itoa(r.Index)
		for i, a := range axes {
			row[1+i] = r.Values[a.Key]
		}
		row[col["seed"]], row[col["seeds"]] = seed, strconv.Itoa(seeds)
		return row
	}
	num := func(row []string, name string, v Num) { row[col[name]] = formatFloat(float64(v)) }
	flag := func(b bool) Num {
		if b {
			return 1
		}
		return 0
	}
	for _, r := range results {
		for _, ss := range r.Summary.PerSeed {
			if !ss.Complete {
				continue
			}
			row := newRow(r, strconv.FormatUint(ss.Seed, 10), 1)
			for m, u := range ss.Unimodal {
				num(row, fmt.Sprintf("uni_m%d_val_acc", m), u.ValAcc)
				num(row, fmt.Sprintf("uni_m%d_test_acc", m), u.TestAcc)
				num(row, fmt.Sprintf("uni_m%d_alignment", m), u.Alignment)
				num(row, fmt.Sprintf("uni_m%d_learned", m), flag(u.Learned))
			}
			num(row, "joint_val_acc", ss.Joint.ValAcc)
			num(row, "joint_test_acc", ss.Joint.TestAcc)
			for m := range ss.Joint.Alignment {
				num(row, fmt.Sprintf("joint_enc_m%d_test_acc", m), ss.Joint.EncoderTestAcc[m])
				num(row, fmt.Sprintf("joint_m%d_alignment", m), ss.Joint.Alignment[m])
				num(row, fmt.Sprintf("joint_m%d_learned", m), flag(ss.Joint.Learned[m]))
			}
			row[col["best_unimodal"]] = strconv.Itoa(ss.BestUnimodal.Modality)
			num(row, "best_unimodal_test_acc", ss.BestUnimodal.TestAcc)
			num(row, "gap", ss.Gap)
			row[col["winner"]] = strconv.Itoa(ss.Winner)
			num(row, "competition", flag(competition(ss)))
			if th := ss.Theory; th != nil {
				for m := range th.PredictedEscape {
					num(row, fmt.Sprintf("predicted_escape_m%d", m), th.PredictedEscape[m])
					num(row, fmt.Sprintf("escape_alone_m%d", m), th.EscapeAlone[m])
					num(row, fmt.Sprintf("escape_joint_m%d", m), th.EscapeJoint[m])
				}
				row[col["predicted_winner"]] = strconv.Itoa(th.PredictedWinner)
				num(row, "first_escape_right", flag(th.FirstRight))
				num(row, "prediction_right", flag(th.Right))
			}
			for _, mr := range ss.Methods {
				if mr.Method == "naive" || !mr.Completed {
					continue
				}
				num(row, mr.Method+"_test_acc", mr.TestAcc)
				num(row, mr.Method+"_gap", ss.Unimodal[r.Summary.BestUnimodal.Modality].TestAcc-mr.TestAcc)
				for m := range mr.Alignment {
					num(row, fmt.Sprintf("%s_m%d_alignment", mr.Method, m), mr.Alignment[m])
					num(row, fmt.Sprintf("%s_m%d_learned", mr.Method, m), flag(mr.Learned[m]))
				}
			}
			w.Write(row)
		}
	}
	for _, r := range results {
		s := r.Summary
		row := newRow(r, "all", len(s.SeedsAggregated))
		for m, u := range s.Unimodal {
			num(row, fmt.Sprintf("uni_m%d_val_acc", m), u.ValAcc)
			num(row, fmt.Sprintf("uni_m%d_val_acc_std", m), u.ValAccStd)
			num(row, fmt.Sprintf("uni_m%d_test_acc", m), u.TestAcc)
			num(row, fmt.Sprintf("uni_m%d_test_acc_std", m), u.TestAccStd)
			num(row, fmt.Sprintf("uni_m%d_alignment", m), u.Alignment)
			num(row, fmt.Sprintf("uni_m%d_alignment_std", m), u.AlignmentStd)
			num(row, fmt.Sprintf("uni_m%d_learned", m), u.LearnedFraction)
		}
		j := s.Joint
		num(row, "joint_val_acc", j.ValAcc)
		num(row, "joint_val_acc_std", j.ValAccStd)
		num(row, "joint_test_acc", j.TestAcc)
		num(row, "joint_test_acc_std", j.TestAccStd)
		for m := range j.Alignment {
			num(row, fmt.Sprintf("joint_enc_m%d_test_acc", m), j.EncoderTestAcc[m])
			num(row, fmt.Sprintf("joint_enc_m%d_test_acc_std", m), j.EncoderTestAccStd[m])
			num(row, fmt.Sprintf("joint_m%d_alignment", m), j.Alignment[m])
			num(row, fmt.Sprintf("joint_m%d_alignment_std", m), j.AlignmentStd[m])
			num(row, fmt.Sprintf("joint_m%d_learned", m), j.LearnedFraction[m])
		}
		row[col["best_unimodal"]] = strconv.Itoa(s.BestUnimodal.Modality)
		num(row, "best_unimodal_test_acc", s.BestUnimodal.TestAcc)
		num(row, "gap", s.Gap)
		num(row, "gap_std", s.GapStd)
		row[col["winner"]] = strconv.Itoa(s.Winner)
		num(row, "competition", competitionFraction(s))
		if th := s.Theory; th != nil {
			for m := range th.PredictedEscape {
				num(row, fmt.Sprintf("predicted_escape_m%d", m), th.PredictedEscape[m])
				num(row, fmt.Sprintf("escape_alone_m%d", m), th.EscapeAlone[m])
				num(row, fmt.Sprintf("escape_joint_m%d", m), th.EscapeJoint[m])
			}
			num(row, "first_escape_right", th.FirstAccuracy)
			num(row, "prediction_right", th.Accuracy)
		}
		for _, ma := range s.Methods {
			if ma.Method == "naive" {
				continue
			}
			num(row, ma.Method+"_test_acc", ma.TestAcc)
			num(row, ma.Method+"_test_acc_std", ma.TestAccStd)
			num(row, ma.Method+"_gap", ma.Gap)
			num(row, ma.Method+"_gap_std", ma.GapStd)
			for m := range ma.Alignment {
				num(row, fmt.Sprintf("%s_m%d_alignment", ma.Method, m), ma.Alignment[m])
				num(row, fmt.Sprintf("%s_m%d_alignment_std", ma.Method, m), ma.AlignmentStd[m])
				num(row, fmt.Sprintf("%s_m%d_learned", ma.Method, m), ma.LearnedFraction[m])
			}
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// sweepMethods lists the training methods beyond naive that the points were
// compared with, in order of first appearance.
func sweepMethods(results []Point) []string {
	var out []string
	for _, r := range results {
		for _, m := range r.Summary.Methods {
			if m.Method != "naive" && !slices.Contains(out, m.Method) {
				out = append(out, m.Method)
			}
		}
	}
	return out
}

// Table is the markdown table of the points.
func (sw Sweep) Table() string {
	axes, results := sw.Axes, sw.Points
	var b bytes.Buffer
	k := 0
	for _, r := range results {
		k = max(k, len(r.Summary.Unimodal))
	}
	header := []string{"point"}
	for _, a := range axes {
		header = append(header, a.Key)
	}
	for r := 0; r < k; r++ {
		header = append(header, fmt.Sprintf("uni-m%d test", r))
	}
	header = append(header, "joint test", "gap", "winner", "competition", "winner predicted", "seeds")
	methods := sweepMethods(results)
	for _, m := range methods {
		header = append(header, m+" test")
	}
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, r := range results {
		s := r.Summary
		row := []string{strconv.Itoa(r.Index)}
		for _, a := range axes {
			row = append(row, r.Values[a.Key])
		}
		for m := 0; m < k; m++ {
			if m < len(s.Unimodal) {
				row = append(row, pm(s.Unimodal[m].TestAcc, s.Unimodal[m].TestAccStd, 3))
			} else {
				row = append(row, "")
			}
		}
		predicted := "-"
		if s.Theory != nil {
			predicted = fraction(s.Theory.Accuracy, s.Theory.Seeds)
		}
		row = append(row, pm(s.Joint.TestAcc, s.Joint.TestAccStd, 3), signedPM(s.Gap, s.GapStd),
			modalityName(s.Winner), fraction(competitionFraction(s), len(s.SeedsAggregated)), predicted, strconv.Itoa(len(s.SeedsAggregated)))
		for _, m := range methods {
			cell := "n/a"
			for _, ma := range s.Methods {
				if ma.Method == m {
					cell = pm(ma.TestAcc, ma.TestAccStd, 3)
				}
			}
			row = append(row, cell)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	return b.String()
}
