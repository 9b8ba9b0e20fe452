package report

import (
	"bytes"
	"encoding/csv"
	"math"
	"sort"
	"strconv"
)

// MetricsCSV renders metrics.csv: one row per (seed, network, logged step),
// in that order, with the columns seed, network, step, status, then every
// metric name in order of first appearance (see graph.Record). A metric a
// network does not have (e.g. enc_test_acc_m0 for a uni-modal network) is an
// empty cell; a metric that is undefined (an empty group) is NaN. pandas
// reads both as NaN. status is the network's final status, on every row, so
// that rows of a diverged network are easy to drop.
func MetricsCSV(runs []Run) []byte {
	var names []string
	seen := map[string]bool{}
	// Columns follow the network with the most metrics (the joint one), so
	// that related metrics sit side by side.
	ordered := append([]Run(nil), runs...)
	sort.SliceStable(ordered, func(i, j int) bool { return metricCount(ordered[i]) > metricCount(ordered[j]) })
	for _, r := range ordered {
		for _, rec := range r.Log {
			for _, m := range rec.Metrics {
				if !seen[m.Name] {
					seen[m.Name] = true
					names = append(names, m.Name)
				}
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(append([]string{"seed", "network", "step", "status"}, names...))
	col := make(map[string]int, len(names))
	for i, n := range names {
		col[n] = 4 + i
	}
	for _, r := range runs {
		for _, rec := range r.Log {
			row := make([]string, 4+len(names))
			row[0] = strconv.FormatUint(r.Seed, 10)
			row[1] = r.Network
			row[2] = strconv.Itoa(rec.Step)
			row[3] = r.Status
			for _, m := range rec.Metrics {
				row[col[m.Name]] = formatFloat(m.Value)
			}
			w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func metricCount(r Run) int {
	if len(r.Log) == 0 {
		return 0
	}
	return len(r.Log[0].Metrics)
}

// formatFloat writes the shortest decimal that reads back as the same
// float64, so files reproduce bit for bit.
func formatFloat(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
