package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/stats"
)

// Theory is, for one seed, the theory companion's prediction (see
// graph/theory.go) against what training did: per modality, the step at
// which its encoder's first class head escapes (graph.Escaped: its alignment
// reaches rho), predicted from the data parameters and the actual initial
// weights, and observed (every step) in the uni-modal network and in the
// joint one; and the modality predicted to win, the first to escape.
type Theory struct {
	PredictedEscape []Num `json:"predicted_escape"`      // NaN: not within the training steps
	EscapeAlone     []Num `json:"observed_escape_alone"` // uni-modal networks; NaN: never
	EscapeJoint     []Num `json:"observed_escape_joint"` // naive joint network; NaN: never
	PredictedWinner int   `json:"predicted_winner"`      // -1 when no modality is predicted to escape
	// FirstEscaper is the modality whose joint encoder escaped first (-1:
	// none did, or several at the same step). FirstRight says whether the
	// predicted winner is FirstEscaper; Right whether it is the modality
	// the joint network learned (Summary.Winner of the seed). They differ
	// when both modalities are learned jointly.
	FirstEscaper int  `json:"first_escaper"`
	FirstRight   bool `json:"first_right"`
	Right        bool `json:"right"`
	// Race is how the race of the modalities (graph.Race) says the seed's
	// networks end, predicted from the same initial alignments; nil where
	// it does not apply (TheorySetting.Race).
	*Race
}

// Race is, for one seed, the outcome of training predicted before it by
// the race of the modalities (graph.Race; the formulas are in
// graph/theory.go): per modality, whether its uni-modal network learns its
// feature and its test accuracy; the joint network's test accuracy and the
// modalities it learns; the gap between the best predicted uni-modal
// network and the joint one; and whether a modality learned alone is
// predicted to stay unlearned jointly (competition). The rest explain the
// race of the joint network: its predicted alignments and escape steps
// (comparable with training's), the drive each modality needs to be learned
// and the drive it gets, and the step at which memorisation has fitted the
// samples the first modality learned cannot carry.
type Race struct {
	UnimodalTestAcc []Num  `json:"predicted_unimodal_test_acc"`
	JointTestAcc    Num    `json:"predicted_joint_test_acc"`
	Gap             Num    `json:"predicted_gap"`
	LearnedAlone    []bool `json:"predicted_learned_alone"`
	LearnedJointly  []bool `json:"predicted_learned_jointly"`
	Competition     bool   `json:"predicted_competition"`
	AlignmentAlone  []Num  `json:"predicted_alignment_alone"`
	AlignmentJoint  []Num  `json:"predicted_alignment_joint"`
	JointEscape     []Num  `json:"predicted_escape_joint"` // NaN: not within the steps
	DriveNeeded     []Num  `json:"predicted_drive_needed"` // steps of full drive to be learned; NaN: never
	DriveJoint      []Num  `json:"predicted_drive_joint"`  // steps of full drive received jointly
	FitStep         Num    `json:"predicted_fit_step"`     // NaN: not within the steps
}

// raceOf runs the race for one seed from the initial alignments of its
// uni-modal networks' heads (the joint network's encoders start from the
// same weights); nil when the race does not apply or a head's initial
// alignment is unknown.
func raceOf(set Setting, runs []Run) *Race {
	ts, k := set.Theory, set.K
	if ts == nil || !ts.Race {
		return nil
	}
	rc := graph.Race{Q: ts.Q, Rho: set.Rho, Neurons: ts.Neurons, N: ts.NTrain, Steps: ts.Steps}
	for r := 0; r < k; r++ {
		first, _ := runs[r].endpoints()
		m := graph.RaceModality{Alpha: set.Alpha[r], Beta: ts.Beta[r], Mu: ts.Mu[r], SigmaP: ts.SigmaP[r],
			D: ts.D[r], P: ts.P[r], Sigma0: ts.Sigma0[r], LR: ts.LR[r]}
		for _, head := range []string{graph.HeadPos, graph.HeadNeg} {
			g := float64(get(first, graph.AlignHead(r, head)))
			if math.IsNaN(g) {
				return nil
			}
			m.Gamma0 = append(m.Gamma0, g)
		}
		rc.Modalities = append(rc.Modalities, m)
	}
	all := make([]int, k)
	out := &Race{Gap: Num(math.NaN())}
	best := math.Inf(-1)
	for r := 0; r < k; r++ {
		all[r] = r
		alone := rc.Predict([]int{r})
		out.UnimodalTestAcc = append(out.UnimodalTestAcc, Num(alone.TestAcc))
		out.LearnedAlone = append(out.LearnedAlone, alone.Learned[0])
		out.AlignmentAlone = append(out.AlignmentAlone, Num(alone.Alignment[0]))
		best = math.Max(best, alone.TestAcc)
	}
	joint := rc.Predict(all)
	out.JointTestAcc, out.Gap = Num(joint.TestAcc), Num(best-joint.TestAcc)
	out.LearnedJointly = joint.Learned
	out.FitStep = stepNum(joint.FitStep)
	for r := 0; r < k; r++ {
		out.AlignmentJoint = append(out.AlignmentJoint, Num(joint.Alignment[r]))
		out.JointEscape = append(out.JointEscape, stepNum(joint.Escape[r]))
		out.DriveNeeded = append(out.DriveNeeded, finiteNum(joint.DriveNeeded[r]))
		out.DriveJoint = append(out.DriveJoint, Num(joint.Drive[r]))
		if out.LearnedAlone[r] && !out.LearnedJointly[r] {
			out.Competition = true
		}
	}
	return out
}

// stepNum is a step, NaN for -1 (none).
func stepNum(step int) Num {
	if step < 0 {
		return Num(math.NaN())
	}
	return Num(step)
}

// finiteNum is v, NaN where it is infinite.
func finiteNum(v float64) Num {
	if math.IsInf(v, 0) {
		return Num(math.NaN())
	}
	return Num(v)
}

// theoryOf compares prediction and training for one seed whose runs are
// ordered as Summarize takes them; nil when the theory does not apply.
func theoryOf(set Setting, runs []Run, winner int) *Theory {
	ts, k := set.Theory, set.K
	if ts == nil {
		return nil
	}
	th := &Theory{PredictedWinner: -1}
	best := math.Inf(1)
	for r := 0; r < k; r++ {
		first, last := runs[r].endpoints()
		moment := graph.SignalMoment(set.Alpha[r], ts.Beta[r], ts.Mu[r], ts.Q)
		c := graph.EscapeRate(moment, ts.Q, set.Rho)
		predicted := math.NaN()
		for _, head := range []string{graph.HeadPos, graph.HeadNeg} {
			gamma0 := float64(get(first, graph.AlignHead(r, head)))
			if t := graph.PredictEscape(gamma0, ts.LR[r], c, ts.Q, set.Rho, ts.Steps); t >= 0 {
				predicted = nanMin(predicted, float64(t))
			}
		}
		th.PredictedEscape = append(th.PredictedEscape, Num(predicted))
		th.EscapeAlone = append(th.EscapeAlone, firstEscape(last, r))
		_, joint := runs[k].endpoints()
		th.EscapeJoint = append(th.EscapeJoint, firstEscape(joint, r))
		if predicted < best {
			best, th.PredictedWinner = predicted, r
		}
	}
	th.Right = th.PredictedWinner >= 0 && th.PredictedWinner == winner
	th.FirstEscaper = -1
	earliest := math.Inf(1)
	for r, e := range th.EscapeJoint {
		switch {
		case float64(e) < earliest:
			th.FirstEscaper, earliest = r, float64(e)
		case float64(e) == earliest:
			th.FirstEscaper = -1 // a tie: no modality escaped first
		}
	}
	th.FirstRight = th.PredictedWinner >= 0 && th.PredictedWinner == th.FirstEscaper
	th.Race = raceOf(set, runs)
	return th
}

// firstEscape is the earliest escape step of modality r's heads in a final
// record (NaN if neither escaped).
func firstEscape(rec graph.Record, r int) Num {
	return Num(nanMin(float64(get(rec, graph.Escape(r, graph.HeadPos))), float64(get(rec, graph.Escape(r, graph.HeadNeg)))))
}

// nanMin is the smaller of a and b, ignoring NaN.
func nanMin(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Min(a, b)
}

// TheoryAggregate is the theory companion over the seeds of a comparison.
type TheoryAggregate struct {
	PredictedEscape []Num `json:"predicted_escape"` // means over the seeds where each is defined
	EscapeAlone     []Num `json:"observed_escape_alone"`
	EscapeJoint     []Num `json:"observed_escape_joint"`
	// EscapeAloneStd and EscapeJointStd are the spreads of the observed
	// steps over the same seeds; EscapedAlone and EscapedJoint the
	// fractions of seeds in which the modality escaped at all.
	EscapeAloneStd []Num `json:"observed_escape_alone_std"`
	EscapeJointStd []Num `json:"observed_escape_joint_std"`
	EscapedAlone   []Num `json:"escaped_alone"`
	EscapedJoint   []Num `json:"escaped_joint"`
	// Accuracy is the fraction of seeds whose predicted winner is the
	// modality the joint network learned, over Seeds of them;
	// FirstAccuracy the fraction whose predicted winner escaped first in
	// the joint network, over FirstSeeds.
	Accuracy      Num `json:"winner_prediction_accuracy"`
	Seeds         int `json:"seeds"`
	FirstAccuracy Num `json:"first_escape_prediction_accuracy"`
	FirstSeeds    int `json:"first_escape_seeds"`
	// RaceAggregate is the race's prediction over the seeds; nil where it
	// does not apply.
	*RaceAggregate
}

// RaceAggregate is the race's prediction over the seeds of a comparison,
// taken as training's outcome is: means over seeds, the best uni-modal
// network picked on its mean (predicted) accuracy, the gap the mean over
// seeds of its accuracy minus the joint network's. A modality is predicted
// learned jointly when it is in more than half of the seeds
// (LearnedJointlyFraction has the fraction); Competition is the fraction of
// seeds with predicted competition.
type RaceAggregate struct {
	UnimodalTestAcc        []Num  `json:"predicted_unimodal_test_acc"`
	JointTestAcc           Num    `json:"predicted_joint_test_acc"`
	Gap                    Num    `json:"predicted_gap"`
	BestUnimodal           int    `json:"predicted_best_unimodal"`
	LearnedJointly         []bool `json:"predicted_learned_jointly"`
	LearnedJointlyFraction []Num  `json:"predicted_learned_jointly_fraction"`
	LearnedAloneFraction   []Num  `json:"predicted_learned_alone_fraction"`
	Competition            Num    `json:"predicted_competition"`
}

// aggregateRace is the race over seeds; nil when a seed lacks it.
func aggregateRace(k int, seeds []SeedSummary) *RaceAggregate {
	var races []*Race
	for _, ss := range seeds {
		if ss.Theory == nil || ss.Theory.Race == nil || len(ss.Theory.UnimodalTestAcc) < k {
			return nil
		}
		races = append(races, ss.Theory.Race)
	}
	if len(races) == 0 {
		return nil
	}
	col := func(f func(*Race) float64) Num {
		xs := make([]float64, len(races))
		for i, rc := range races {
			xs[i] = f(rc)
		}
		m, _ := stats.MeanStd(xs)
		return Num(m)
	}
	frac := func(f func(*Race) bool) Num {
		n := 0
		for _, rc := range races {
			if f(rc) {
				n++
			}
		}
		return Num(float64(n) / float64(len(races)))
	}
	a := &RaceAggregate{BestUnimodal: -1}
	for r := 0; r < k; r++ {
		a.UnimodalTestAcc = append(a.UnimodalTestAcc, col(func(rc *Race) float64 { return float64(rc.UnimodalTestAcc[r]) }))
		if a.BestUnimodal < 0 || a.UnimodalTestAcc[r] > a.UnimodalTestAcc[a.BestUnimodal] {
			a.BestUnimodal = r
		}
		f := frac(func(rc *Race) bool { return rc.LearnedJointly[r] })
		a.LearnedJointlyFraction = append(a.LearnedJointlyFraction, f)
		a.LearnedJointly = append(a.LearnedJointly, f > 0.5)
		a.LearnedAloneFraction = append(a.LearnedAloneFraction, frac(func(rc *Race) bool { return rc.LearnedAlone[r] }))
	}
	a.JointTestAcc = col(func(rc *Race) float64 { return float64(rc.JointTestAcc) })
	a.Gap = col(func(rc *Race) float64 { return float64(rc.UnimodalTestAcc[a.BestUnimodal] - rc.JointTestAcc) })
	a.Competition = frac(func(rc *Race) bool { return rc.Competition })
	return a
}

func aggregateTheory(k int, seeds []SeedSummary) *TheoryAggregate {
	if len(seeds) == 0 || seeds[0].Theory == nil {
		return nil
	}
	a := &TheoryAggregate{}
	// The mean and spread over the seeds where f is defined, and the
	// fraction of seeds where it is.
	meanStd := func(f func(*Theory) Num) (Num, Num, Num) {
		var xs []float64
		for _, ss := range seeds {
			if v := float64(f(ss.Theory)); !math.IsNaN(v) {
				xs = append(xs, v)
			}
		}
		m, sd := stats.MeanStd(xs)
		return Num(m), Num(sd), Num(float64(len(xs)) / float64(len(seeds)))
	}
	for r := 0; r < k; r++ {
		m, _, _ := meanStd(func(t *Theory) Num { return t.PredictedEscape[r] })
		a.PredictedEscape = append(a.PredictedEscape, m)
		m, sd, f := meanStd(func(t *Theory) Num { return t.EscapeAlone[r] })
		a.EscapeAlone, a.EscapeAloneStd, a.EscapedAlone = append(a.EscapeAlone, m), append(a.EscapeAloneStd, sd), append(a.EscapedAlone, f)
		m, sd, f = meanStd(func(t *Theory) Num { return t.EscapeJoint[r] })
		a.EscapeJoint, a.EscapeJointStd, a.EscapedJoint = append(a.EscapeJoint, m), append(a.EscapeJointStd, sd), append(a.EscapedJoint, f)
	}
	right, firstRight := 0, 0
	for _, ss := range seeds {
		th := ss.Theory
		if th.PredictedWinner < 0 {
			continue
		}
		if ss.Winner >= 0 {
			a.Seeds++
			if th.Right {
				right++
			}
		}
		if th.FirstEscaper >= 0 {
			a.FirstSeeds++
			if th.FirstRight {
				firstRight++
			}
		}
	}
	a.Accuracy, a.FirstAccuracy = ratio(right, a.Seeds), ratio(firstRight, a.FirstSeeds)
	a.RaceAggregate = aggregateRace(k, seeds)
	return a
}

// ratio is a/b, NaN for b = 0.
func ratio(a, b int) Num {
	if b == 0 {
		return Num(math.NaN())
	}
	return Num(float64(a) / float64(b))
}

// theoryLine is the table's line about the theory companion.
func theoryLine(a *TheoryAggregate) string {
	if a == nil {
		return ""
	}
	steps := func(xs []Num) string {
		s := ""
		for r, x := range xs {
			if r > 0 {
				s += ", "
			}
			if math.IsNaN(float64(x)) {
				s += fmt.Sprintf("m%d never", r)
			} else {
				s += fmt.Sprintf("m%d %s", r, Number(float64(x), 0))
			}
		}
		return s
	}
	return fmt.Sprintf("escape step predicted %s; observed alone %s, jointly %s; the predicted winner escaped first jointly in %s seeds and was learned in %s",
		steps(a.PredictedEscape), steps(a.EscapeAlone), steps(a.EscapeJoint), fraction(a.FirstAccuracy, a.FirstSeeds), fraction(a.Accuracy, a.Seeds))
}

// predictedLine is the table's line of the race's prediction: each network's
// test accuracy, what the joint network learns, the gap and the
// competition, over n seeds.
func predictedLine(a *TheoryAggregate, n int) string {
	if a == nil || a.RaceAggregate == nil {
		return ""
	}
	ra := a.RaceAggregate
	var uni, learned []string
	for r, acc := range ra.UnimodalTestAcc {
		uni = append(uni, fmt.Sprintf("m%d %.3f", r, float64(acc)))
		learned = append(learned, fmt.Sprintf("m%d in %s", r, fraction(ra.LearnedJointlyFraction[r], n)))
	}
	return fmt.Sprintf("test acc uni-modal %s, joint %.3f; joint learns %s seeds; gap %+.3f (best m%d); competition in %s seeds",
		strings.Join(uni, ", "), float64(ra.JointTestAcc), strings.Join(learned, ", "), float64(ra.Gap), ra.BestUnimodal,
		fraction(ra.Competition, n))
}

// raceMarkdown is report.md's section on the race's prediction: how it is
// made, then predicted against observed per seed; "" where the race does
// not apply.
func raceMarkdown(s *Summary) string {
	if s.Theory == nil || s.Theory.RaceAggregate == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Predicted before training\n\n")
	fmt.Fprintf(&b, "The `predicted` line comes from the race of the modalities (`graph/theory.go`), run for each seed from its initial alignments, before training. For each class head it iterates gradient descent on a reduced state:\n\n")
	fmt.Fprintf(&b, "- signal: every neuron's alignment, gamma <- gamma + (eta_r/2) sum_g p_g |l'_g| z_{r,g} srelu'(z_{r,g} gamma), over the groups g of training samples by which modalities are sufficient (z = alpha_r, or beta_r where insufficient);\n")
	fmt.Fprintf(&b, "- noise: each sample's noise memorised by its own gradient, psi <- psi + kappa (eta_r/n) |l'_g| sigma_p^2 (d-1) srelu'(psi), sped up by the other samples' noise, kappa = 1 + 0.5 sqrt(a n (P-1)/d) (a: the fraction of samples still being fitted; 0.5 calibrated on networks that can only memorise);\n")
	fmt.Fprintf(&b, "- loss: |l'_g| = 1/(1 + exp(f_g)), f_g the group's score through the features and the memorised noise.\n\n")
	fmt.Fprintf(&b, "A modality is learned when its predicted alignment at the last step passes rho/alpha_r, as training's is judged. ")
	fmt.Fprintf(&b, "The loser's criterion: it needs some steps of full gradient to be learned (drive needed); once the winner has fitted its sufficient samples, only the fraction mu_w the winner cannot carry still drive it, memorisation fits those too (fit step: their loss has halved), and the drive it gets within the training steps may fall short. ")
	fmt.Fprintf(&b, "Test accuracy: a fresh sample is classified right with probability Phi(mu/s), mu the learned features' response to its signal and s the spread of the memorised weights' response to its noise. ")
	fmt.Fprintf(&b, "When the features dominate this is 1 - (1/2) prod_{r in S} mu_r for the learned modalities S and beta = 0: right where some learned modality is sufficient, a guess elsewhere.\n\n")
	k := len(s.Unimodal)
	header := []string{"seed"}
	for r := 0; r < k; r++ {
		header = append(header, fmt.Sprintf("uni-m%d test", r))
	}
	header = append(header, "joint test", "gap", "learned jointly", "escape jointly", "drive needed / got jointly", "fit step")
	fmt.Fprintf(&b, "Predicted / observed (the drive and the fit step are the race's own):\n\n| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, ss := range s.PerSeed {
		th := ss.Theory
		if th == nil || th.Race == nil {
			continue
		}
		row := []string{fmt.Sprint(ss.Seed)}
		for r := 0; r < k; r++ {
			row = append(row, fmt.Sprintf("%.3f / %.3f", float64(th.UnimodalTestAcc[r]), float64(ss.Unimodal[r].TestAcc)))
		}
		var learned, observed, escape, drive []string
		for r := 0; r < k; r++ {
			if th.LearnedJointly[r] {
				learned = append(learned, fmt.Sprintf("m%d", r))
			}
			if ss.Joint.Learned[r] {
				observed = append(observed, fmt.Sprintf("m%d", r))
			}
			escape = append(escape, fmt.Sprintf("m%d %s / %s", r, stepText(th.JointEscape[r]), stepText(th.EscapeJoint[r])))
			drive = append(drive, fmt.Sprintf("m%d %s / %.1f", r, stepText(th.DriveNeeded[r]), float64(th.DriveJoint[r])))
		}
		row = append(row, fmt.Sprintf("%.3f / %.3f", float64(th.JointTestAcc), float64(ss.Joint.TestAcc)),
			fmt.Sprintf("%+.3f / %+.3f", float64(th.Gap), float64(ss.Gap)),
			fmt.Sprintf("{%s} / {%s}", strings.Join(learned, ","), strings.Join(observed, ",")),
			strings.Join(escape, ", "), strings.Join(drive, ", "), stepText(th.FitStep))
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	return b.String()
}

// stepText is a step, "never" for NaN.
func stepText(v Num) string {
	if math.IsNaN(float64(v)) {
		return "never"
	}
	return fmt.Sprintf("%.0f", float64(v))
}
