package report_test

import (
	"fmt"
	"strings"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/report"
)

// record is a network's log at one step: its test and validation accuracy
// and the alignment of each of its encoders (modality: alignment).
func record(step int, acc float64, align map[int]float64) graph.Record {
	rec := graph.Record{Step: step, Metrics: []graph.Metric{{Name: graph.ValAcc, Value: acc}, {Name: graph.TestAcc, Value: acc}}}
	for r := 0; r < 2; r++ {
		if a, ok := align[r]; ok {
			rec.Metrics = append(rec.Metrics, graph.Metric{Name: graph.Align(r), Value: a})
		}
	}
	return rec
}

// Two seeds of a comparison where modality 1, learned alone, loses the
// competition in the joint network: its joint encoder stays near its initial
// alignment, below rho/alpha_1 = 0.2.
func ExampleSummarize() {
	set := report.Setting{Description: "an example", K: 2, Seeds: []uint64{1, 2}, Rho: 0.1, Alpha: []float64{1, 0.5}, Fusion: "late"}
	var runs []report.Run
	for i, seed := range set.Seeds {
		d := 0.01 * float64(i)
		run := func(network string, modalities []int, acc float64, align map[int]float64) report.Run {
			start := map[int]float64{}
			for r := range align {
				start[r] = 0.02
			}
			return report.Run{Seed: seed, Network: network, Modalities: modalities, Method: "naive",
				Status: string(graph.Completed), Steps: 100, Log: []graph.Record{record(0, 0.5, start), record(100, acc, align)}}
		}
		runs = append(runs,
			run("uni-m0", []int{0}, 0.90+d, map[int]float64{0: 1.5}),
			run("uni-m1", []int{1}, 0.97+d, map[int]float64{1: 2.5}),
			run("joint", []int{0, 1}, 0.91+d, map[int]float64{0: 1.5, 1: 0.03}),
		)
	}
	s := report.Summarize(set, runs, "complete")
	fmt.Println(s.Brief())
	// The table pads its columns with blanks, trimmed here at line ends.
	for _, line := range strings.Split(strings.TrimSpace(report.CompareTable(set, s)), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// 2 seeds, gap +0.060±0.000, winner m0
	// network               val acc       test acc      probe   align m0         align m1
	// uni-modal m0          0.905±0.007   0.905±0.007   n/a     1.50±0.00        -
	// uni-modal m1          0.975±0.007   0.975±0.007   n/a     -                2.50±0.00
	// joint (late fusion)   0.915±0.007   0.915±0.007           1.50±0.00        0.03±0.00
	//   joint encoder m0                  n/a           n/a     learned in 2/2
	//   joint encoder m1                  n/a           n/a                      learned in 0/2
	//
	// best uni-modal  m1 (picked on val acc 0.975), test acc 0.975±0.007
	// gap             best uni-modal - joint = +0.060±0.000 test acc (positive: joint training lost)
	// winner          m0: the modality the joint network learned (alignment 1.50 of 1.50 alone)
	// verdict         joint training is worse than the best uni-modal model (m1) by 6.0 points of test accuracy; m1 stayed unlearned in joint training in 2 of 2 seeds (alignment 0.03, 2.50 alone)
}
