package runs

import (
	"github.com/modcomp/modcomp/internal/figure"
	"github.com/modcomp/modcomp/report"
)

// A RunDir receives the figures of its run.
var _ figure.Sink = (*RunDir)(nil)

// writeCompare writes metrics.csv, summary.json, the figures and report.md
// of a comparison.
func writeCompare(dir *RunDir, plan *Plan, runs []*NetworkRun, out *Outcome) error {
	set, rs := reportSetting(plan), reportRuns(runs)
	if err := dir.WriteFile("metrics.csv", report.MetricsCSV(rs)); err != nil {
		return err
	}
	s := report.Summarize(set, rs, out.State)
	if err := dir.WriteJSON("summary.json", s); err != nil {
		return err
	}
	// A figure that fails to draw must not cost the numbers: the report
	// says so and lists the figures that were drawn.
	figures, figErr := report.CompareFigures(dir, set, rs, s)
	table := report.CompareTable(set, s)
	if err := dir.WriteFile("report.md", report.CompareMarkdown(set, s, table, figures, figErr)); err != nil {
		return err
	}
	out.Compare, out.Table = s, table
	return nil
}

// writeTrain writes metrics.csv, summary.json and report.md of a training.
func writeTrain(dir *RunDir, plan *Plan, runs []*NetworkRun, out *Outcome) error {
	set, rs := reportSetting(plan), reportRuns(runs)
	if err := dir.WriteFile("metrics.csv", report.MetricsCSV(rs)); err != nil {
		return err
	}
	s := report.SummarizeTraining(set, rs, out.State)
	if err := dir.WriteJSON("summary.json", s); err != nil {
		return err
	}
	table := report.TrainTable(s)
	if err := dir.WriteFile("report.md", report.TrainMarkdown(set, s, table)); err != nil {
		return err
	}
	out.Train, out.Table = s, table
	return nil
}
