package runs

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
)

// TrainNetwork names the network that sees modalities out of k, trained by
// method: "uni-m<r>" for one modality, "joint" for all of them, "joint-m0-m2"
// for a subset, with "-<method>" appended for a method other than naive.
func TrainNetwork(modalities []int, k int, method string) NetworkSpec {
	var name string
	switch {
	case len(modalities) == 1:
		name = fmt.Sprintf("uni-m%d", modalities[0])
	case len(modalities) == k:
		name = "joint"
	default:
		parts := []string{"joint"}
		for _, r := range modalities {
			parts = append(parts, fmt.Sprintf("m%d", r))
		}
		name = strings.Join(parts, "-")
	}
	if method != "naive" {
		name += "-" + method
	}
	return NetworkSpec{Name: name, Modalities: modalities, Method: method}
}

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
}

// SeedFinal is one seed's outcome in a TrainSummary.
type SeedFinal struct {
	Seed    uint64         `json:"seed"`
	Status  string         `json:"status"`
	Message string         `json:"message,omitempty"`
	Steps   int            `json:"steps"`
	Final   map[string]Num `json:"final"`
}

// Train trains the network of Config.Modalities by Config.Method for every
// seed and writes a run directory like Compare: config.json, metrics.csv,
// summary.json (a TrainSummary) and report.md.
func Train(ctx context.Context, plan *Plan, opts Options) (*Outcome, error) {
	if opts.Command == "" {
		opts.Command = "train"
	}
	return run(ctx, plan, opts, []NetworkSpec{TrainNetwork(plan.Config.Modalities, plan.K, plan.Config.Method)}, writeTrain)
}

func writeTrain(dir *RunDir, plan *Plan, runs []*NetworkRun, state string) (string, any, error) {
	if err := dir.WriteFile("metrics.csv", metricsCSV(runs)); err != nil {
		return "", nil, err
	}
	cfg := &plan.Config
	s := &TrainSummary{State: state, Network: runs[0].Network, Modalities: runs[0].Modalities, Seeds: cfg.SeedList(),
		Mean: map[string]Num{}, Std: map[string]Num{}}
	var names []string
	values := map[string][]float64{}
	for _, r := range runs {
		sf := SeedFinal{Seed: r.Seed, Status: r.Status, Message: r.Message, Steps: r.Steps, Final: map[string]Num{}}
		if final, ok := r.Final(); ok {
			for _, m := range final.Metrics {
				sf.Final[m.Name] = Num(m.Value)
				if r.Status == "completed" {
					if _, seen := values[m.Name]; !seen {
						names = append(names, m.Name)
					}
					values[m.Name] = append(values[m.Name], m.Value)
				}
			}
		}
		if r.Status == "completed" {
			s.SeedsAggregated = append(s.SeedsAggregated, r.Seed)
		}
		s.PerSeed = append(s.PerSeed, sf)
	}
	for _, n := range names {
		m, sd := meanStd(values[n])
		s.Mean[n], s.Std[n] = Num(m), Num(sd)
	}
	if err := dir.WriteJSON("summary.json", s); err != nil {
		return "", nil, err
	}
	table := trainTable(s, names)
	var md bytes.Buffer
	fmt.Fprintf(&md, "# modcomp train: %s\n\nState: **%s**. %s; configuration `%s` (every key in `config.json`).\n\n```\n%s```\n",
		s.Network, s.State, seedRange(s.Seeds), headline(cfg), table)
	if err := dir.WriteFile("report.md", md.Bytes()); err != nil {
		return "", nil, err
	}
	return table, s, nil
}

// trainTable has one row per final metric: each seed's value and the mean.
func trainTable(s *TrainSummary, names []string) string {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "network %s (modalities %v), %s\n\n", s.Network, s.Modalities, seedRange(s.Seeds))
	tw := tabwriter.NewWriter(&buf, 0, 0, 3, ' ', 0)
	header := []string{"metric"}
	for _, sf := range s.PerSeed {
		header = append(header, fmt.Sprintf("seed %d", sf.Seed))
	}
	fmt.Fprintln(tw, strings.Join(append(header, "mean±std"), "\t"))
	for _, n := range names {
		row := []string{n}
		for _, sf := range s.PerSeed {
			if v, ok := sf.Final[n]; ok {
				row = append(row, fmt.Sprintf("%.3f", float64(v)))
			} else {
				row = append(row, "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(append(row, pm(s.Mean[n], s.Std[n], 3)), "\t"))
	}
	tw.Flush()
	for _, sf := range s.PerSeed {
		if sf.Status != "completed" {
			fmt.Fprintf(&buf, "seed %d: %s %s\n", sf.Seed, sf.Status, sf.Message)
		}
	}
	return buf.String()
}
