package report

import (
	"fmt"
	"math"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/stats"
)

// Summary is summary.json: the comparison of the uni-modal networks with the
// joint network, per seed and aggregated (mean and standard deviation) over
// the seeds whose networks all completed.
type Summary struct {
	State           string   `json:"state"` // complete, interrupted, failed
	Seeds           []uint64 `json:"seeds"`
	SeedsAggregated []uint64 `json:"seeds_aggregated"`
	// LearnedThreshold holds, per modality, the alignment rho/alpha_r from
	// which an encoder counts as having learned the feature
	// (graph.LearnedAlignment): its response alpha_r <w, v_r> to a
	// sufficient signal patch has left the polynomial part of the smoothed
	// ReLU.
	LearnedThreshold []float64 `json:"learned_threshold"`

	Unimodal     []UnimodalAggregate `json:"unimodal"`
	Joint        JointAggregate      `json:"joint"`
	BestUnimodal Best                `json:"best_unimodal"`
	Gap          Num                 `json:"gap"` // best uni-modal minus joint test accuracy
	GapStd       Num                 `json:"gap_std"`
	Winner       int                 `json:"winner"` // modality the joint network learned; -1 if none
	Verdict      string              `json:"verdict"`

	// Methods compares the training methods of the joint network; its
	// first entry, naive, is Joint.
	Methods []MethodAggregate `json:"methods"`
	// Theory is the theory companion over seeds, where it applies.
	Theory *TheoryAggregate `json:"theory,omitempty"`

	PerSeed  []SeedSummary   `json:"per_seed"`
	Networks []NetworkStatus `json:"networks"`

	chance float64 // Setting.Chance, for the probes' chance-corrected scale
}

// UnimodalAggregate is one modality's uni-modal network over seeds.
type UnimodalAggregate struct {
	Modality      int `json:"modality"`
	ValAcc        Num `json:"val_acc"`
	ValAccStd     Num `json:"val_acc_std"`
	TestAcc       Num `json:"test_acc"`
	TestAccStd    Num `json:"test_acc_std"`
	Alignment     Num `json:"alignment"`
	AlignmentStd  Num `json:"alignment_std"`
	AlignmentInit Num `json:"alignment_init"`
	// ProbeTestAcc is the test accuracy of a linear probe of the encoder's
	// frozen features.
	ProbeTestAcc    Num `json:"probe_test_acc"`
	ProbeTestAccStd Num `json:"probe_test_acc_std"`
	// LearnedFraction is the fraction of seeds in which the encoder learned
	// its modality (see README: alignment past rho/alpha_r).
	LearnedFraction Num `json:"learned_fraction"`
}

// JointAggregate is the late-fusion joint network over seeds; lists hold one
// entry per modality.
type JointAggregate struct {
	ValAcc            Num   `json:"val_acc"`
	ValAccStd         Num   `json:"val_acc_std"`
	TestAcc           Num   `json:"test_acc"`
	TestAccStd        Num   `json:"test_acc_std"`
	EncoderTestAcc    []Num `json:"encoder_test_acc"`
	EncoderTestAccStd []Num `json:"encoder_test_acc_std"`
	Alignment         []Num `json:"alignment"`
	AlignmentStd      []Num `json:"alignment_std"`
	AlignmentInit     []Num `json:"alignment_init"`
	ProbeTestAcc      []Num `json:"probe_test_acc"`
	ProbeTestAccStd   []Num `json:"probe_test_acc_std"`
	// ProbeKept is the mean over seeds of JointResult.ProbeKept.
	ProbeKept       []Num `json:"probe_kept"`
	ProbeKeptStd    []Num `json:"probe_kept_std"`
	LearnedFraction []Num `json:"learned_fraction"`
}

// Best is the uni-modal network with the highest validation accuracy,
// reported with its test accuracy.
type Best struct {
	Modality int `json:"modality"`
	ValAcc   Num `json:"val_acc"`
	TestAcc  Num `json:"test_acc"`
}

// SeedSummary is the comparison for one seed.
type SeedSummary struct {
	Seed         uint64           `json:"seed"`
	Complete     bool             `json:"complete"` // all networks completed
	Unimodal     []UnimodalResult `json:"unimodal"`
	Joint        JointResult      `json:"joint"`
	BestUnimodal Best             `json:"best_unimodal"`
	Gap          Num              `json:"gap"`
	Winner       int              `json:"winner"`
	// Methods holds the joint network of each training method, naive
	// (the same as Joint) first.
	Methods []MethodResult `json:"methods"`
	// Theory compares the predicted escape steps and winner with training,
	// where the prediction applies (patch encoders, synthetic data, gd).
	Theory *Theory `json:"theory,omitempty"`
}

// MethodResult is the joint network trained by one method, for one seed.
type MethodResult struct {
	Method    string `json:"method"`
	Completed bool   `json:"completed"`
	JointResult
}

// MethodAggregate is the joint network trained by one method over seeds,
// and its gap to the best uni-modal model.
type MethodAggregate struct {
	Method string `json:"method"`
	// Seeds are the aggregated seeds where this method's network completed.
	Seeds []uint64 `json:"seeds"`
	JointAggregate
	Gap    Num `json:"gap"`
	GapStd Num `json:"gap_std"`
}

// UnimodalResult is one uni-modal network's final metrics for one seed.
type UnimodalResult struct {
	Modality      int  `json:"modality"`
	ValAcc        Num  `json:"val_acc"`
	TestAcc       Num  `json:"test_acc"`
	Alignment     Num  `json:"alignment"`
	AlignmentInit Num  `json:"alignment_init"`
	ProbeTestAcc  Num  `json:"probe_test_acc"`
	Learned       bool `json:"learned"`
}

// JointResult is the joint network's final metrics for one seed.
type JointResult struct {
	ValAcc         Num   `json:"val_acc"`
	TestAcc        Num   `json:"test_acc"`
	EncoderTestAcc []Num `json:"encoder_test_acc"`
	Alignment      []Num `json:"alignment"`
	AlignmentInit  []Num `json:"alignment_init"`
	ProbeTestAcc   []Num `json:"probe_test_acc"`
	// ProbeKept is, per encoder, the share of its uni-modal counterpart's
	// probe accuracy above chance that its probe keeps (graph.Kept): 1 as
	// good as alone, 0 at chance; NaN where the probe alone does not beat
	// chance.
	ProbeKept []Num  `json:"probe_kept"`
	Learned   []bool `json:"learned"`
}

// NetworkStatus says how one network of one seed ended.
type NetworkStatus struct {
	Seed    uint64 `json:"seed"`
	Network string `json:"network"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Steps   int    `json:"steps"`
}

// Summarize compares the uni-modal networks of a comparison with its joint
// network, per seed and over the seeds whose networks all completed. runs
// holds, for every seed of set in order, the uni-modal network of each
// modality in order, then the joint network of each training method, naive
// first. state is the run's ("complete", "interrupted").
func Summarize(set Setting, runs []Run, state string) *Summary {
	k := set.K
	s := &Summary{State: state, Seeds: set.Seeds, Winner: -1, chance: set.Chance}
	for r := 0; r < k; r++ {
		s.LearnedThreshold = append(s.LearnedThreshold, set.learnedThreshold(r))
	}
	perSeed := len(runs) / len(s.Seeds)
	for i, seed := range s.Seeds {
		ss := seedSummary(set, seed, runs[i*perSeed:(i+1)*perSeed])
		s.PerSeed = append(s.PerSeed, ss)
		if ss.Complete {
			s.SeedsAggregated = append(s.SeedsAggregated, seed)
		}
	}
	for _, r := range runs {
		s.Networks = append(s.Networks, NetworkStatus{Seed: r.Seed, Network: r.Network, Status: r.Status, Message: r.Message, Steps: r.Steps})
	}
	var complete []SeedSummary
	for _, ss := range s.PerSeed {
		if ss.Complete {
			complete = append(complete, ss)
		}
	}
	aggregate(s, k, complete)
	s.Verdict = verdict(s)
	return s
}

func seedSummary(set Setting, seed uint64, runs []Run) SeedSummary {
	k := set.K
	// A seed counts for the comparison when its uni-modal networks and the
	// naive joint network completed; each other method's joint network is
	// aggregated over the seeds where it completed.
	ss := SeedSummary{Seed: seed, Complete: true, Winner: -1}
	for _, r := range runs[:k+1] {
		if !r.completed() {
			ss.Complete = false
		}
	}
	for r := 0; r < k; r++ {
		first, last := runs[r].endpoints()
		u := UnimodalResult{
			Modality: r, ValAcc: get(last, graph.ValAcc), TestAcc: get(last, graph.TestAcc),
			Alignment: get(last, graph.Align(r)), AlignmentInit: get(first, graph.Align(r)),
			ProbeTestAcc: get(last, graph.ProbeTestAcc(r)),
		}
		if math.IsNaN(float64(u.Alignment)) {
			// Without a known feature, its linear probe says (graph.LearnedAlone).
			u.Learned = graph.LearnedAlone(float64(u.ProbeTestAcc), set.Chance)
		} else {
			u.Learned = set.learned(r, u.Alignment)
		}
		ss.Unimodal = append(ss.Unimodal, u)
	}
	for j, run := range runs[k:] {
		ss.Methods = append(ss.Methods, MethodResult{Method: run.Method, Completed: run.completed(),
			JointResult: jointResult(set, run, ss.Unimodal)})
		if j == 0 {
			ss.Joint = ss.Methods[0].JointResult
		}
	}
	ss.BestUnimodal = Best{Modality: -1, ValAcc: Num(math.NaN()), TestAcc: Num(math.NaN())}
	for _, u := range ss.Unimodal {
		if ss.BestUnimodal.Modality < 0 || u.ValAcc > ss.BestUnimodal.ValAcc {
			ss.BestUnimodal = Best{Modality: u.Modality, ValAcc: u.ValAcc, TestAcc: u.TestAcc}
		}
	}
	ss.Gap = ss.BestUnimodal.TestAcc - ss.Joint.TestAcc
	ss.Winner = winner(set, ss)
	ss.Theory = theoryOf(set, runs, ss.Winner)
	return ss
}

// get reads a metric of a record (NaN when absent).
func get(rec graph.Record, name string) Num { v, _ := rec.Get(name); return Num(v) }

// jointResult is the final state of a joint network's run. An encoder has
// learned its modality when its alignment passes rho/alpha_r, or, without a
// known feature, when its linear probe keeps most of its uni-modal
// counterpart's accuracy above chance (graph.LearnedKept).
func jointResult(set Setting, run Run, uni []UnimodalResult) JointResult {
	k := set.K
	first, last := run.endpoints()
	j := JointResult{ValAcc: get(last, graph.ValAcc), TestAcc: get(last, graph.TestAcc)}
	for r := 0; r < k; r++ {
		j.EncoderTestAcc = append(j.EncoderTestAcc, get(last, graph.EncTestAcc(r)))
		j.Alignment = append(j.Alignment, get(last, graph.Align(r)))
		j.AlignmentInit = append(j.AlignmentInit, get(first, graph.Align(r)))
		j.ProbeTestAcc = append(j.ProbeTestAcc, get(last, graph.ProbeTestAcc(r)))
		kept := graph.Kept(float64(j.ProbeTestAcc[r]), float64(uni[r].ProbeTestAcc), set.Chance)
		j.ProbeKept = append(j.ProbeKept, Num(kept))
		if math.IsNaN(float64(uni[r].Alignment)) {
			j.Learned = append(j.Learned, uni[r].Learned && graph.LearnedKept(kept))
		} else {
			j.Learned = append(j.Learned, set.learned(r, j.Alignment[r]))
		}
	}
	return j
}

// winner is the modality whose joint encoder kept the largest fraction of
// the alignment its uni-modal network reached alone: the modality the joint
// network learned. -1 when no joint encoder learned its feature.
func winner(set Setting, ss SeedSummary) int {
	best, bestRatio := -1, math.Inf(-1)
	for r, a := range ss.Joint.Alignment {
		if !ss.Joint.Learned[r] {
			continue
		}
		ratio := float64(a)
		if alone := float64(ss.Unimodal[r].Alignment); alone > 0 {
			ratio /= alone
		}
		if math.IsNaN(ratio) {
			// No known feature: how much of its probe accuracy above chance
			// the encoder keeps in joint training.
			ratio = graph.Kept(float64(ss.Joint.ProbeTestAcc[r]), float64(ss.Unimodal[r].ProbeTestAcc), set.Chance)
		}
		if ratio > bestRatio {
			best, bestRatio = r, ratio
		}
	}
	return best
}

func aggregate(s *Summary, k int, seeds []SeedSummary) {
	col := func(f func(SeedSummary) Num) (Num, Num) { return columnStats(seeds, f) }
	frac := func(f func(SeedSummary) bool) Num { return columnFraction(seeds, f) }
	for r := 0; r < k; r++ {
		u := UnimodalAggregate{Modality: r}
		u.ValAcc, u.ValAccStd = col(func(ss SeedSummary) Num { return ss.Unimodal[r].ValAcc })
		u.TestAcc, u.TestAccStd = col(func(ss SeedSummary) Num { return ss.Unimodal[r].TestAcc })
		u.Alignment, u.AlignmentStd = col(func(ss SeedSummary) Num { return ss.Unimodal[r].Alignment })
		u.AlignmentInit, _ = col(func(ss SeedSummary) Num { return ss.Unimodal[r].AlignmentInit })
		u.ProbeTestAcc, u.ProbeTestAccStd = col(func(ss SeedSummary) Num { return ss.Unimodal[r].ProbeTestAcc })
		u.LearnedFraction = frac(func(ss SeedSummary) bool { return ss.Unimodal[r].Learned })
		s.Unimodal = append(s.Unimodal, u)
	}
	s.Joint = aggregateJoint(k, seeds, func(ss SeedSummary) JointResult { return ss.Joint })
	// The best uni-modal model is picked on mean validation accuracy and
	// reported on test, as a researcher would pick it without seeing test data.
	s.BestUnimodal = Best{Modality: -1, ValAcc: Num(math.NaN()), TestAcc: Num(math.NaN())}
	for _, u := range s.Unimodal {
		if s.BestUnimodal.Modality < 0 || u.ValAcc > s.BestUnimodal.ValAcc {
			s.BestUnimodal = Best{Modality: u.Modality, ValAcc: u.ValAcc, TestAcc: u.TestAcc}
		}
	}
	best := s.BestUnimodal.Modality
	s.Gap, s.GapStd = col(func(ss SeedSummary) Num { return ss.Unimodal[best].TestAcc - ss.Joint.TestAcc })
	if len(seeds) > 0 {
		for mi, mr := range seeds[0].Methods {
			var done []SeedSummary
			for _, ss := range seeds {
				if ss.Methods[mi].Completed {
					done = append(done, ss)
				}
			}
			m := MethodAggregate{Method: mr.Method, Seeds: []uint64{},
				JointAggregate: aggregateJoint(k, done, func(ss SeedSummary) JointResult { return ss.Methods[mi].JointResult })}
			for _, ss := range done {
				m.Seeds = append(m.Seeds, ss.Seed)
			}
			m.Gap, m.GapStd = columnStats(done, func(ss SeedSummary) Num { return ss.Unimodal[best].TestAcc - ss.Methods[mi].TestAcc })
			s.Methods = append(s.Methods, m)
		}
	}
	s.Theory = aggregateTheory(k, seeds)
	if s.Methods == nil {
		s.Methods = []MethodAggregate{}
	}
	wins := make([]int, k)
	for _, ss := range seeds {
		if ss.Winner >= 0 {
			wins[ss.Winner]++
		}
	}
	for r, w := range wins {
		if w > 0 && (s.Winner < 0 || w > wins[s.Winner]) {
			s.Winner = r
		}
	}
}

// aggregateJoint is the mean and spread over seeds of the joint results pick
// returns.
func aggregateJoint(k int, seeds []SeedSummary, pick func(SeedSummary) JointResult) JointAggregate {
	col := func(f func(SeedSummary) Num) (Num, Num) { return columnStats(seeds, f) }
	var j JointAggregate
	j.ValAcc, j.ValAccStd = col(func(ss SeedSummary) Num { return pick(ss).ValAcc })
	j.TestAcc, j.TestAccStd = col(func(ss SeedSummary) Num { return pick(ss).TestAcc })
	for r := 0; r < k; r++ {
		m, sd := col(func(ss SeedSummary) Num { return pick(ss).EncoderTestAcc[r] })
		j.EncoderTestAcc, j.EncoderTestAccStd = append(j.EncoderTestAcc, m), append(j.EncoderTestAccStd, sd)
		m, sd = col(func(ss SeedSummary) Num { return pick(ss).Alignment[r] })
		j.Alignment, j.AlignmentStd = append(j.Alignment, m), append(j.AlignmentStd, sd)
		m, _ = col(func(ss SeedSummary) Num { return pick(ss).AlignmentInit[r] })
		j.AlignmentInit = append(j.AlignmentInit, m)
		m, sd = col(func(ss SeedSummary) Num { return pick(ss).ProbeTestAcc[r] })
		j.ProbeTestAcc, j.ProbeTestAccStd = append(j.ProbeTestAcc, m), append(j.ProbeTestAccStd, sd)
		m, sd = col(func(ss SeedSummary) Num { return at0(pick(ss).ProbeKept, r) })
		j.ProbeKept, j.ProbeKeptStd = append(j.ProbeKept, m), append(j.ProbeKeptStd, sd)
		j.LearnedFraction = append(j.LearnedFraction, columnFraction(seeds, func(ss SeedSummary) bool { return pick(ss).Learned[r] }))
	}
	return j
}

// at0 is xs[r], NaN where xs is too short (a summary written before it
// had the value).
func at0(xs []Num, r int) Num {
	if r >= len(xs) {
		return Num(math.NaN())
	}
	return xs[r]
}

// columnStats is the mean and standard deviation of f over seeds.
func columnStats(seeds []SeedSummary, f func(SeedSummary) Num) (Num, Num) {
	xs := make([]float64, len(seeds))
	for i, ss := range seeds {
		xs[i] = float64(f(ss))
	}
	m, sd := stats.MeanStd(xs)
	return Num(m), Num(sd)
}

// columnFraction is the fraction of seeds for which f holds (NaN for none).
func columnFraction(seeds []SeedSummary, f func(SeedSummary) bool) Num {
	if len(seeds) == 0 {
		return Num(math.NaN())
	}
	n := 0
	for _, ss := range seeds {
		if f(ss) {
			n++
		}
	}
	return Num(float64(n) / float64(len(seeds)))
}

// verdict is the one-line conclusion of a comparison.
func verdict(s *Summary) string {
	n := len(s.SeedsAggregated)
	if n == 0 {
		return "no seed completed all its networks: nothing to compare"
	}
	best := s.BestUnimodal.Modality
	gap := 100 * float64(s.Gap)
	var out string
	if gap > 0 {
		out = fmt.Sprintf("joint training is worse than the best uni-modal model (m%d) by %.1f points of test accuracy", best, gap)
	} else {
		out = fmt.Sprintf("joint training matches or beats the best uni-modal model (m%d) by %.1f points of test accuracy", best, math.Abs(gap)) // not -0.0
	}
	var losers []string
	for r, f := range s.Joint.LearnedFraction {
		unlearned := int(math.Round((1 - float64(f)) * float64(n)))
		if unlearned == 0 || float64(s.Unimodal[r].LearnedFraction) == 0 {
			continue
		}
		if math.IsNaN(float64(s.Unimodal[r].Alignment)) {
			losers = append(losers, fmt.Sprintf("m%d was not learned jointly in %d of %d seeds (its linear probe keeps %s of its accuracy above chance alone: %s against %s)",
				r, unlearned, n, keptText(s, r), Number(float64(s.Joint.ProbeTestAcc[r]), 3), Number(float64(s.Unimodal[r].ProbeTestAcc), 3)))
			continue
		}
		losers = append(losers, fmt.Sprintf("m%d stayed unlearned in joint training in %d of %d seeds (alignment %s, %s alone)",
			r, unlearned, n, Number(float64(s.Joint.Alignment[r]), 2), Number(float64(s.Unimodal[r].Alignment), 2)))
	}
	if len(losers) == 0 {
		return out + "; every modality learned alone was also learned jointly"
	}
	for _, l := range losers {
		out += "; " + l
	}
	return out
}

// keptText is the share of its accuracy above chance that the joint encoder
// of modality r keeps, as a percentage: "93%".
func keptText(s *Summary, r int) string {
	kept := graph.Kept(float64(s.Joint.ProbeTestAcc[r]), float64(s.Unimodal[r].ProbeTestAcc), s.chance)
	if math.IsNaN(kept) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*kept)
}

// Brief is the comparison in one line: "5 seeds, gap +0.036±0.008, winner m0".
func (s *Summary) Brief() string {
	return fmt.Sprintf("%d seeds, gap %s, winner %s", len(s.SeedsAggregated), signedPM(s.Gap, s.GapStd), modalityName(s.Winner))
}

// modalityName is "m<r>", or "none" for -1.
func modalityName(r int) string {
	if r < 0 {
		return "none"
	}
	return fmt.Sprintf("m%d", r)
}
