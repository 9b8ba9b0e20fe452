package report

import (
	"bytes"
	"fmt"
	"strings"
)

// numbers formats vs as Number does: "[0.100 0.222]".
func numbers(vs []float64, decimals int) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = Number(v, decimals)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// CompareMarkdown renders report.md of a comparison: readable on its own,
// with the table (CompareTable), the verdict, the figures written (names
// ending in .png are shown; figErr says what could not be drawn) and how to
// read the files beside it.
func CompareMarkdown(set Setting, s *Summary, table string, figures []string, figErr error) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# modcomp compare\n\n")
	fmt.Fprintf(&b, "State: **%s**. %s, aggregated over %s whose networks all completed.\n\n",
		s.State, seedRange(s.Seeds), seedRange(s.SeedsAggregated))
	fmt.Fprintf(&b, "Configuration: `%s` (every key in `config.json`).\n\n", set.Description)
	fmt.Fprintf(&b, "**Verdict:** %s.\n\n", s.Verdict)
	fmt.Fprintf(&b, "```\n%s```\n\n", table)
	fmt.Fprintf(&b, "Accuracies are means ± standard deviations over seeds. The best uni-modal model is picked on validation accuracy and reported on test. ")
	fmt.Fprintf(&b, "Alignment of an encoder of modality r is the mean over its two class heads of max_j <w_{r,c,j}, ±v_r>. ")
	fmt.Fprintf(&b, "A feature counts as learned when alpha_r times the alignment passes rho = %g, i.e. when the alignment passes %s: the neurons' response to the signal has left the polynomial region of the smoothed ReLU.\n\n", set.Rho, numbers(s.LearnedThreshold, 3))
	if p := problems(s); len(p) > 0 {
		fmt.Fprintf(&b, "## Networks that did not complete\n\n")
		for _, line := range p {
			fmt.Fprintf(&b, "- %s\n", line)
		}
		fmt.Fprintln(&b)
	}
	if figErr != nil {
		fmt.Fprintf(&b, "Some plots could not be drawn: %v\n\n", figErr)
	}
	if len(figures) > 0 {
		fmt.Fprintf(&b, "## Plots\n\n")
		for _, p := range figures {
			if strings.HasSuffix(p, ".png") {
				fmt.Fprintf(&b, "![%s](%s)\n\n", strings.TrimSuffix(p, ".png"), p)
			}
		}
	}
	fmt.Fprintf(&b, "## Per seed\n\n| seed | best uni-modal | its test acc | joint test acc | gap | winner |\n|---|---|---|---|---|---|\n")
	for _, ss := range s.PerSeed {
		win := "none"
		if ss.Winner >= 0 {
			win = fmt.Sprintf("m%d", ss.Winner)
		}
		complete := ""
		if !ss.Complete {
			complete = " (incomplete)"
		}
		fmt.Fprintf(&b, "| %d%s | m%d | %s | %s | %s | %s |\n", ss.Seed, complete, ss.BestUnimodal.Modality,
			Number(float64(ss.BestUnimodal.TestAcc), 3), Number(float64(ss.Joint.TestAcc), 3), signed(float64(ss.Gap), 3), win)
	}
	if md := raceMarkdown(s); md != "" {
		fmt.Fprintf(&b, "\n%s", md)
	}
	fmt.Fprintf(&b, "\n## Files\n\n")
	fmt.Fprintf(&b, "- `config.json`: the resolved configuration; `modcomp compare --config config.json` reproduces this run.\n")
	fmt.Fprintf(&b, "- `metrics.csv`: every logged metric of every network and seed over steps (one row per seed, network and step).\n")
	fmt.Fprintf(&b, "- `summary.json`: the numbers above, aggregated and per seed.\n")
	fmt.Fprintf(&b, "- `status.json`: whether the run completed; `log.jsonl`: structured log.\n")
	return b.Bytes()
}
