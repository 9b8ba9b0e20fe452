package report_test

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/report"
)

// longNumber is a number no table should print: more than twelve digits in
// a row.
var longNumber = regexp.MustCompile(`[0-9]{13,}`)

// TestTablesAtAnyMagnitude renders every table and report of a comparison,
// a training and a sweep whose alignments and losses are huge, tiny or not
// finite (as --lr 1e300 makes them), and wants every number short.
func TestTablesAtAnyMagnitude(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		value float64
		want  string // how the value reads
	}{
		{"huge", 2.156e299, "2.16e+299"},
		{"huge negative", -3e300, "-3.00e+300"},
		{"tiny", 3e-300, "3.00e-300"},
		{"infinite", math.Inf(1), "+Inf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runs := extremeComparison(tc.value)
			s := report.Summarize(setting, runs, "complete")
			table := report.CompareTable(setting, s)
			sw := report.Sweep{Axes: []report.Axis{{Key: "lr", Values: []string{"1e300"}}}, Total: 1,
				Points: []report.Point{{Index: 0, Values: map[string]string{"lr": "1e300"}, Summary: s}}}
			train := report.SummarizeTraining(setting, runs[:1], "complete")
			texts := map[string]string{
				"table":       table,
				"report.md":   string(report.CompareMarkdown(setting, s, table, nil, nil)),
				"sweep table": sw.Table(),
				"train table": report.TrainTable(train),
			}
			for name, text := range texts {
				if m := longNumber.FindString(text); m != "" {
					t.Errorf("%s prints a number of %d digits:\n%s", name, len(m), text)
				}
			}
			if !strings.Contains(table, tc.want) {
				t.Errorf("table does not show %s as %q:\n%s", tc.name, tc.want, table)
			}
			if !strings.Contains(texts["train table"], tc.want) {
				t.Errorf("train table does not show %s as %q:\n%s", tc.name, tc.want, texts["train table"])
			}
		})
	}
}

// extremeComparison is a comparison of setting whose networks all end with
// alignment and training loss v.
func extremeComparison(v float64) []report.Run {
	var runs []report.Run
	for _, seed := range setting.Seeds {
		run := func(network string, modalities []int) report.Run {
			last := graph.Record{Step: 100, Metrics: []graph.Metric{{Name: graph.TestLoss, Value: v},
				{Name: graph.ValAcc, Value: 0.9}, {Name: graph.TestAcc, Value: 0.9}}}
			for _, r := range modalities {
				last.Metrics = append(last.Metrics, graph.Metric{Name: graph.Align(r), Value: v})
			}
			return report.Run{Seed: seed, Network: network, Modalities: modalities, Method: "naive",
				Status: string(graph.Completed), Steps: 100, Log: []graph.Record{last}}
		}
		runs = append(runs, run("uni-m0", []int{0}), run("uni-m1", []int{1}), run("joint", []int{0, 1}))
	}
	return runs
}
