package report

import (
	"fmt"
	"math"

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
	// Accuracy is the fraction of seeds whose predicted winner is the
	// modality the joint network learned, over Seeds of them;
	// FirstAccuracy the fraction whose predicted winner escaped first in
	// the joint network, over FirstSeeds.
	Accuracy      Num `json:"winner_prediction_accuracy"`
	Seeds         int `json:"seeds"`
	FirstAccuracy Num `json:"first_escape_prediction_accuracy"`
	FirstSeeds    int `json:"first_escape_seeds"`
}

func aggregateTheory(k int, seeds []SeedSummary) *TheoryAggregate {
	if len(seeds) == 0 || seeds[0].Theory == nil {
		return nil
	}
	a := &TheoryAggregate{}
	mean := func(f func(*Theory) Num) Num {
		var xs []float64
		for _, ss := range seeds {
			if v := float64(f(ss.Theory)); !math.IsNaN(v) {
				xs = append(xs, v)
			}
		}
		m, _ := stats.MeanStd(xs)
		return Num(m)
	}
	for r := 0; r < k; r++ {
		a.PredictedEscape = append(a.PredictedEscape, mean(func(t *Theory) Num { return t.PredictedEscape[r] }))
		a.EscapeAlone = append(a.EscapeAlone, mean(func(t *Theory) Num { return t.EscapeAlone[r] }))
		a.EscapeJoint = append(a.EscapeJoint, mean(func(t *Theory) Num { return t.EscapeJoint[r] }))
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
