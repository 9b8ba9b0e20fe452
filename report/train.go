package report

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/stats"
)

// TrainSummary is summary.json of `modcomp train`: the final metrics of one
// network per seed, and their mean and standard deviation over the seeds
// where it completed.
type TrainSummary struct {
	State           string         `json:"state"`
	Network         string         `json:"network"`
	Modalities      []int          `json:"modalities"`
	Seeds           []uint64       `json:"seeds"`
	SeedsAggregated []uint64       `json:"seeds_aggregated"`
	Mean            map[string]Num `json:"mean"`
	Std             map[string]Num `json:"std"`
	PerSeed         []SeedFinal    `json:"per_seed"`
	// Metrics names the metrics of Mean in the order the network logs
	// them: the rows of TrainTable.
	Metrics []string `json:"-"`
}

// SeedFinal is one seed's outcome in a TrainSummary.
type SeedFinal struct {
	Seed    uint64         `json:"seed"`
	Status  string         `json:"status"`
	Message string         `json:"message,omitempty"`
	Steps   int            `json:"steps"`
	Final   map[string]Num `json:"final"`
}

// SummarizeTraining summarises the runs of one network, one per seed of
// set, in seed order; state is the run's.
func SummarizeTraining(set Setting, runs []Run, state string) *TrainSummary {
	s := &TrainSummary{State: state, Seeds: set.Seeds, Mean: map[string]Num{}, Std: map[string]Num{}}
	if len(runs) > 0 {
		s.Network, s.Modalities = runs[0].Network, runs[0].Modalities
	}
	values := map[string][]float64{}
	for _, r := range runs {
		sf := SeedFinal{Seed: r.Seed, Status: r.Status, Message: r.Message, Steps: r.Steps, Final: map[string]Num{}}
		if len(r.Log) > 0 {
			for _, m := range r.Log[len(r.Log)-1].Metrics {
				sf.Final[m.Name] = Num(m.Value)
				if r.completed() {
					if _, seen := values[m.Name]; !seen {
						s.Metrics = append(s.Metrics, m.Name)
					}
					values[m.Name] = append(values[m.Name], m.Value)
				}
			}
		}
		if r.completed() {
			s.SeedsAggregated = append(s.SeedsAggregated, r.Seed)
		}
		s.PerSeed = append(s.PerSeed, sf)
	}
	for _, n := range s.Metrics {
		m, sd := stats.MeanStd(values[n])
		s.Mean[n], s.Std[n] = Num(m), Num(sd)
	}
	return s
}

// TrainTable has one row per final metric: each seed's value and the mean.
func TrainTable(s *TrainSummary) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "network %s (modalities %v), %s\n\n", s.Network, s.Modalities, seedRange(s.Seeds))
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	header := []string{"metric"}
	for _, sf := range s.PerSeed {
		header = append(header, fmt.Sprintf("seed %d", sf.Seed))
	}
	fmt.Fprintln(tw, strings.Join(append(header, "mean±std"), "\t"))
	for _, n := range s.Metrics {
		row := []string{n}
		for _, sf := range s.PerSeed {
			if v, ok := sf.Final[n]; ok {
				row = append(row, Number(float64(v), 3))
			} else {
				row = append(row, "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(append(row, pm(s.Mean[n], s.Std[n], 3)), "\t"))
	}
	tw.Flush()
	for _, sf := range s.PerSeed {
		if sf.Status != string(graph.Completed) {
			fmt.Fprintf(&buf, "seed %d: %s %s\n", sf.Seed, sf.Status, sf.Message)
		}
	}
	return buf.String()
}

// TrainMarkdown renders report.md of a training: its table (TrainTable).
func TrainMarkdown(set Setting, s *TrainSummary, table string) []byte {
	var md bytes.Buffer
	fmt.Fprintf(&md, "# modcomp train: %s\n\nState: **%s**. %s; configuration `%s` (every key in `config.json`).\n\n```\n%s```\n",
		s.Network, s.State, seedRange(s.Seeds), set.Description, table)
	return md.Bytes()
}
