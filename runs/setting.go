package runs

import (
	"fmt"

	"github.com/modcomp/modcomp/report"
)

// reportSetting is what the reports of a run of plan need to know of it.
func reportSetting(plan *Plan) report.Setting {
	cfg, k := &plan.Config, plan.K
	set := report.Setting{Description: headline(plan), K: k, Seeds: cfg.SeedList(), Rho: cfg.Rho, Fusion: cfg.Fusion,
		Chance: chance(plan.source.classes())}
	for r := 0; r < k; r++ {
		set.Alpha = append(set.Alpha, cfg.Alpha.At(r))
	}
	if theoryApplies(cfg, k) {
		th := &report.TheorySetting{Q: cfg.Q, Steps: cfg.Steps, Race: raceApplies(cfg),
			Neurons: cfg.Neurons, NTrain: plan.NTrain}
		for r := 0; r < k; r++ {
			th.Beta = append(th.Beta, cfg.Beta.At(r))
			th.Mu = append(th.Mu, cfg.Mu.At(r))
			th.LR = append(th.LR, cfg.LR.At(r))
			th.D = append(th.D, cfg.D.At(r))
			th.P = append(th.P, cfg.Patches.At(r))
			th.SigmaP = append(th.SigmaP, cfg.SigmaP.At(r))
			th.Sigma0 = append(th.Sigma0, cfg.Sigma0.At(r))
		}
		set.Theory = th
	}
	return set
}

// theoryApplies tells whether the theory companion's prediction covers cfg
// of k modalities: the paper's patch encoders on the synthetic data, trained
// by gradient descent.
func theoryApplies(cfg *Config, k int) bool {
	if cfg.Dataset != "synthetic" || cfg.Data != "" {
		return false
	}
	for r := 0; r < k; r++ {
		if cfg.Encoder.At(r) != "patch" || (cfg.Optimizer.At(r) != "gd" && cfg.Optimizer.At(r) != "sgd") {
			return false
		}
	}
	return true
}

// raceApplies tells whether, where the theory applies, the race of the
// modalities (graph.Race) also does: the scores of the encoders add (late
// fusion) and the loss is the logistic loss of the synthetic data's binary
// labels.
func raceApplies(cfg *Config) bool {
	return cfg.Fusion == "late" && (cfg.Loss == "auto" || cfg.Loss == "logistic")
}

// reportRuns is runs as the reports read them, in the same order.
func reportRuns(runs []*NetworkRun) []report.Run {
	out := make([]report.Run, len(runs))
	for i, r := range runs {
		out[i] = report.Run{Seed: r.Seed, Network: r.Network, Modalities: r.Modalities, Method: r.Method,
			Status: r.Status, Message: r.Message, Steps: r.Steps, Log: r.Log}
	}
	return out
}

// headline describes the configuration in one line.
func headline(plan *Plan) string {
	cfg, data := &plan.Config, plan.source.describe()
	model := fmt.Sprintf("encoder=%s fusion=%s", cfg.Encoder, cfg.Fusion)
	if cfg.Encoder.String() == "patch" {
		model = fmt.Sprintf("m=%d q=%g rho=%g sigma0=%s %s", cfg.Neurons, cfg.Q, cfg.Rho, cfg.Sigma0, model)
	}
	return fmt.Sprintf("%s  %s  %s lr=%s T=%d", data, model, cfg.Optimizer, cfg.LR, cfg.Steps)
}

// chance is the score of guessing among classes balanced classes: 1/C, or
// 0, the R² of predicting the mean, for a regression (no classes).
func chance(classes int) float64 {
	if classes == 0 {
		return 0
	}
	return 1 / float64(classes)
}
