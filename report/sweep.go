package report

import (
	"bytes"
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
	fmt.Fprintf(&md, "competition = fraction of seeds in which a modality learned alone stayed unlearned in joint training")
	if sw.hasKept() {
		fmt.Fprintf(&md, "; m<r> kept = the share of its accuracy above chance alone that the linear probe of the joint network's encoder of m<r> keeps, (probe jointly - chance) / (probe alone - chance), mean over seeds")
	}
	fmt.Fprintf(&md, ".\n\n%s\n", sw.Table())
	if th := sw.Theory(); th != nil {
		fmt.Fprintf(&md, "%s\n", th.Markdown())
		if th.Outcome != nil {
			fmt.Fprintf(&md, "%s\n", th.Outcome.Markdown())
		}
	}
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

// hasKept reports whether some point knows what its joint encoders' probes
// keep of their accuracy above chance alone (Joint.ProbeKept): the table's
// columns "m<r> kept".
func (sw Sweep) hasKept() bool {
	return slices.ContainsFunc(sw.Points, func(p Point) bool {
		return slices.ContainsFunc(p.Summary.Joint.ProbeKept, func(v Num) bool { return !math.IsNaN(float64(v)) })
	})
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
	// The race's columns only where some point has its prediction.
	race := slices.ContainsFunc(results, func(p Point) bool { return p.Summary.Theory != nil && p.Summary.Theory.RaceAggregate != nil })
	header = append(header, "joint test", "gap")
	if race {
		header = append(header, "gap predicted")
	}
	header = append(header, "winner", "competition")
	if race {
		header = append(header, "competition predicted")
	}
	kept := sw.hasKept()
	if kept {
		for r := 0; r < k; r++ {
			header = append(header, fmt.Sprintf("m%d kept", r))
		}
	}
	header = append(header, "winner predicted", "seeds")
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
		predicted, gap, comp := "-", "-", "-"
		if s.Theory != nil {
			predicted = fraction(s.Theory.Accuracy, s.Theory.Seeds)
			if ra := s.Theory.RaceAggregate; ra != nil {
				gap, comp = fmt.Sprintf("%+.3f", float64(ra.Gap)), fraction(ra.Competition, len(s.SeedsAggregated))
			}
		}
		row = append(row, pm(s.Joint.TestAcc, s.Joint.TestAccStd, 3), signedPM(s.Gap, s.GapStd))
		if race {
			row = append(row, gap)
		}
		row = append(row, modalityName(s.Winner), fraction(competitionFraction(s), len(s.SeedsAggregated)))
		if race {
			row = append(row, comp)
		}
		if kept {
			for m := 0; m < k; m++ {
				j := s.Joint
				if m < len(j.ProbeKept) && m < len(j.ProbeKeptStd) {
					row = append(row, pm(j.ProbeKept[m], j.ProbeKeptStd[m], 2))
				} else {
					row = append(row, "n/a")
				}
			}
		}
		row = append(row, predicted, strconv.Itoa(len(s.SeedsAggregated)))
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
