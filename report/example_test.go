package report_test

import (
	"fmt"
	"strings"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/report"
)

// setting is a comparison of two modalities over two seeds, the second
// modality's signal half as strong as the first's: its encoder has learned
// its feature from an alignment of rho/alpha_1 = 0.2.
var setting = report.Setting{Description: "an example", K: 2, Seeds: []uint64{1, 2}, Rho: 0.1, Alpha: []float64{1, 0.5}, Fusion: "late"}

// comparison is the runs of a comparison in the order Summarize takes them:
// per seed, the uni-modal network of each modality, then the joint network,
// whose encoder of modality 1 reaches alignment align1.
func comparison(align1 float64) []report.Run {
	var runs []report.Run
	for i, seed := range setting.Seeds {
		d := 0.01 * float64(i)
		run := func(network string, modalities []int, acc float64, align ...float64) report.Run {
			first := graph.Record{Step: 0, Metrics: []graph.Metric{{Name: graph.ValAcc, Value: 0.5}, {Name: graph.TestAcc, Value: 0.5}}}
			last := graph.Record{Step: 100, Metrics: []graph.Metric{{Name: graph.ValAcc, Value: acc}, {Name: graph.TestAcc, Value: acc}}}
			for j, r := range modalities {
				first.Metrics = append(first.Metrics, graph.Metric{Name: graph.Align(r), Value: 0.02})
				last.Metrics = append(last.Metrics, graph.Metric{Name: graph.Align(r), Value: align[j]})
			}
			return report.Run{Seed: seed, Network: network, Modalities: modalities, Method: "naive",
				Status: string(graph.Completed), Steps: 100, Log: []graph.Record{first, last}}
		}
		runs = append(runs,
			run("uni-m0", []int{0}, 0.90+d, 1.5),
			run("uni-m1", []int{1}, 0.97+d, 2.5),
			run("joint", []int{0, 1}, 0.91+d+0.25*align1, 1.5, align1),
		)
	}
	return runs
}

// Modality 1, learned alone, loses the competition in the joint network:
// its joint encoder stays near its initial alignment.
func ExampleSummarize() {
	s := report.Summarize(setting, comparison(0.03), "complete")
	fmt.Println(s.Brief())
	// The table pads its columns with blanks, trimmed here at line ends.
	for _, line := range strings.Split(strings.TrimSpace(report.CompareTable(setting, s)), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// 2 seeds, gap +0.052±0.000, winner m0
	// network               val acc       test acc      probe   align m0         align m1
	// uni-modal m0          0.905±0.007   0.905±0.007   n/a     1.50±0.00        -
	// uni-modal m1          0.975±0.007   0.975±0.007   n/a     -                2.50±0.00
	// joint (late fusion)   0.922±0.007   0.922±0.007           1.50±0.00        0.03±0.00
	//   joint encoder m0                  n/a           n/a     learned in 2/2
	//   joint encoder m1                  n/a           n/a                      learned in 0/2
	//
	// best uni-modal  m1 (picked on val acc 0.975), test acc 0.975±0.007
	// gap             best uni-modal - joint = +0.052±0.000 test acc (positive: joint training lost)
	// winner          m0: the modality the joint network learned (alignment 1.50 of 1.50 alone)
	// verdict         joint training is worse than the best uni-modal model (m1) by 5.2 points of test accuracy; m1 stayed unlearned in joint training in 2 of 2 seeds (alignment 0.03, 2.50 alone)
}

// A sweep of two points: where modality 1's joint encoder stays below its
// threshold, joint training loses; where it passes it, joint training wins.
func ExampleSweep_Table() {
	sw := report.Sweep{Axes: []report.Axis{{Key: "alpha[1]", Values: []string{"0.5", "0.8"}}}, Total: 2}
	for i, align1 := range []float64{0.03, 0.3} {
		s := report.Summarize(setting, comparison(align1), "complete")
		sw.Points = append(sw.Points, report.Point{Index: i, Values: map[string]string{"alpha[1]": sw.Axes[0].Values[i]}, Summary: s})
	}
	fmt.Print(sw.Table())
	// Output:
	// | point | alpha[1] | uni-m0 test | uni-m1 test | joint test | gap | winner | competition | winner predicted | seeds |
	// |---|---|---|---|---|---|---|---|---|---|
	// | 0 | 0.5 | 0.905±0.007 | 0.975±0.007 | 0.922±0.007 | +0.052±0.000 | m0 | 2/2 | - | 2 |
	// | 1 | 0.8 | 0.905±0.007 | 0.975±0.007 | 0.990±0.007 | -0.015±0.000 | m0 | 0/2 | - | 2 |
}
