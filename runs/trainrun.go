package runs

import (
	"context"
	"fmt"
	"strings"
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

// Train trains the network of Config.Modalities by Config.Method for every
// seed and writes a run directory like Compare: config.json, metrics.csv,
// summary.json (a report.TrainSummary) and report.md.
func Train(ctx context.Context, plan *Plan, opts Options) (*Outcome, error) {
	if opts.Command == "" {
		opts.Command = "train"
	}
	return run(ctx, plan, opts, []NetworkSpec{TrainNetwork(plan.Config.Modalities, plan.K, plan.Config.Method)}, writeTrain)
}
