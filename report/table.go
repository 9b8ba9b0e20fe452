package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/modcomp/modcomp/graph"
)

// pm formats a mean and spread as "0.855±0.005", or "n/a" when undefined,
// through Number.
func pm(mean, std Num, digits int) string {
	if math.IsNaN(float64(mean)) {
		return "n/a"
	}
	if math.IsNaN(float64(std)) {
		return Number(float64(mean), digits)
	}
	return Number(float64(mean), digits) + "±" + spread(float64(std), float64(mean), digits)
}

// seedRange describes the seeds compactly: "5 seeds (1-5)".
func seedRange(seeds []uint64) string {
	switch len(seeds) {
	case 0:
		return "no seeds"
	case 1:
		return fmt.Sprintf("1 seed (%d)", seeds[0])
	}
	return fmt.Sprintf("%d seeds (%d-%d)", len(seeds), seeds[0], seeds[len(seeds)-1])
}

// CompareTable renders a comparison as the table printed on stdout and
// embedded in report.md: one row per network with mean±std over seeds, the
// best uni-modal model, the gap, the winner, the theory and the verdict,
// then, with several training methods, one row per method.
func CompareTable(set Setting, s *Summary) string {
	table := compareTable(set, s)
	if mt := methodTable(s); mt != "" {
		table += "\ntraining methods of the joint network (gap: best uni-modal minus the method's joint test accuracy):\n" + mt
	}
	return table
}

// compareTable is the table of the networks and the lines under it.
func compareTable(set Setting, s *Summary) string {
	k := len(s.Unimodal)
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	header := []string{"network", "val acc", "test acc", "probe"}
	for r := 0; r < k; r++ {
		header = append(header, fmt.Sprintf("align m%d", r))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, u := range s.Unimodal {
		row := []string{fmt.Sprintf("uni-modal m%d", u.Modality), pm(u.ValAcc, u.ValAccStd, 3), pm(u.TestAcc, u.TestAccStd, 3),
			pm(u.ProbeTestAcc, u.ProbeTestAccStd, 3)}
		for r := 0; r < k; r++ {
			if r == u.Modality {
				row = append(row, pm(u.Alignment, u.AlignmentStd, 2))
			} else {
				row = append(row, "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	j := s.Joint
	row := []string{fmt.Sprintf("joint (%s fusion)", set.Fusion), pm(j.ValAcc, j.ValAccStd, 3), pm(j.TestAcc, j.TestAccStd, 3), ""}
	for r := 0; r < k; r++ {
		row = append(row, pm(j.Alignment[r], j.AlignmentStd[r], 2))
	}
	fmt.Fprintln(tw, strings.Join(row, "\t"))
	for r := 0; r < k; r++ {
		row := []string{fmt.Sprintf("  joint encoder m%d", r), "", pm(j.EncoderTestAcc[r], j.EncoderTestAccStd[r], 3),
			pm(j.ProbeTestAcc[r], j.ProbeTestAccStd[r], 3)}
		for q := 0; q < k; q++ {
			if q == r {
				row = append(row, fmt.Sprintf("learned in %s", fraction(j.LearnedFraction[r], len(s.SeedsAggregated))))
			} else {
				row = append(row, "")
			}
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()

	var out bytes.Buffer
	fmt.Fprintf(&out, "%s\n", buf.String())
	kv := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	if b := s.BestUnimodal; b.Modality >= 0 {
		fmt.Fprintf(kv, "best uni-modal\tm%d (picked on val acc %s), test acc %s\n", b.Modality, Number(float64(b.ValAcc), 3),
			pm(s.Unimodal[b.Modality].TestAcc, s.Unimodal[b.Modality].TestAccStd, 3))
	}
	fmt.Fprintf(kv, "gap\tbest uni-modal - joint = %s test acc (positive: joint training lost)\n", signedPM(s.Gap, s.GapStd))
	switch w := s.Winner; {
	case w >= 0 && !math.IsNaN(float64(j.Alignment[w])):
		fmt.Fprintf(kv, "winner\tm%d: the modality the joint network learned (alignment %s of %s alone)\n",
			w, Number(float64(j.Alignment[w]), 2), Number(float64(s.Unimodal[w].Alignment), 2))
	case w >= 0:
		fmt.Fprintf(kv, "winner\tm%d: the modality the joint network learned best (its linear probe keeps %s of its accuracy above chance alone: %s against %s)\n",
			w, keptText(s, w), Number(float64(j.ProbeTestAcc[w]), 3), Number(float64(s.Unimodal[w].ProbeTestAcc), 3))
	default:
		fmt.Fprintf(kv, "winner\tnone: no joint encoder learned its feature\n")
	}
	if line := theoryLine(s.Theory); line != "" {
		fmt.Fprintf(kv, "theory\t%s\n", line)
	}
	if line := predictedLine(s.Theory, len(s.SeedsAggregated)); line != "" {
		fmt.Fprintf(kv, "predicted\t%s\n", line)
	}
	fmt.Fprintf(kv, "verdict\t%s\n", s.Verdict)
	kv.Flush()
	return out.String()
}

func signedPM(mean, std Num) string {
	if math.IsNaN(float64(mean)) {
		return "n/a"
	}
	return signed(float64(mean), 3) + "±" + spread(float64(std), float64(mean), 3)
}

// fraction renders a fraction of n seeds as "3/5".
func fraction(f Num, n int) string {
	if math.IsNaN(float64(f)) {
		return "n/a"
	}
	return fmt.Sprintf("%d/%d", int(math.Round(float64(f)*float64(n))), n)
}

// methodTable compares the training methods of the joint network: test
// accuracy, gap to the best uni-modal model, and per modality the encoder's
// stand-alone accuracy, its alignment and in how many seeds it learned the
// modality.
func methodTable(s *Summary) string {
	if len(s.Methods) < 2 {
		return ""
	}
	k := len(s.Unimodal)
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	header := []string{"method", "seeds", "test acc", "gap"}
	for r := 0; r < k; r++ {
		header = append(header, fmt.Sprintf("enc m%d alone", r), fmt.Sprintf("align m%d", r), fmt.Sprintf("m%d learned", r))
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, m := range s.Methods {
		n := len(m.Seeds)
		row := []string{m.Method, fmt.Sprint(n), pm(m.TestAcc, m.TestAccStd, 3), signedPM(m.Gap, m.GapStd)}
		for r := 0; r < k; r++ {
			row = append(row, pm(m.EncoderTestAcc[r], m.EncoderTestAccStd[r], 3), pm(m.Alignment[r], m.AlignmentStd[r], 2),
				fraction(m.LearnedFraction[r], n))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	return buf.String()
}

// problems lists the networks that did not complete, one line each.
func problems(s *Summary) []string {
	var out []string
	for _, n := range s.Networks {
		if n.Status != string(graph.Completed) {
			msg := fmt.Sprintf("seed %d %s: %s", n.Seed, n.Network, n.Status)
			if n.Message != "" {
				msg += ": " + n.Message
			}
			out = append(out, msg)
		}
	}
	return out
}
