package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/modcomp/modcomp/internal/stats"
)

// EscapeAgreement is how well the theory companion's predicted escape steps
// match the observed ones, over encoders (one modality of one seed), in
// the uni-modal networks or in the joint network. Its statistics are of the
// N encoders whose steps are both known.
type EscapeAgreement struct {
	Encoders int
	N        int
	// MedianRatio is the median of observed / predicted; MedianError and
	// MaxError the median and the largest of |observed / predicted - 1|.
	MedianRatio Num
	MedianError Num
	MaxError    Num
	// Corr is the correlation of the predicted and observed steps, LogCorr
	// that of their logarithms (NaN for fewer than three encoders, a step
	// of 0, or no spread): steps from a few dozen to a few hundred read on
	// a log scale.
	Corr    Num
	LogCorr Num
	// Never counts the encoders that did not escape within the training
	// steps, NotPredicted those predicted not to, Both those of which both
	// hold.
	Never        int
	NotPredicted int
	Both         int
}

// escapePair is one encoder: its modality, predicted escape step and
// observed one (NaN: not predicted within the steps; never).
type escapePair struct {
	modality            int
	predicted, observed float64
	winner              bool // the modality predicted to win
}

// escapePairs is the encoders of the seeds that carry a theory, observed
// alone (joint false) or in the joint network, and the most modalities of
// any seed.
func escapePairs(seeds []SeedSummary, joint bool) ([]escapePair, int) {
	var out []escapePair
	k := 0
	for _, ss := range seeds {
		th := ss.Theory
		if th == nil {
			continue
		}
		observed := th.EscapeAlone
		if joint {
			observed = th.EscapeJoint
		}
		for m := range th.PredictedEscape {
			o := math.NaN()
			if m < len(observed) {
				o = float64(observed[m])
			}
			out = append(out, escapePair{modality: m, predicted: float64(th.PredictedEscape[m]), observed: o, winner: m == th.PredictedWinner})
			k = max(k, m+1)
		}
	}
	return out, k
}

// agreement is the EscapeAgreement of ps.
func agreement(ps []escapePair) EscapeAgreement {
	a := EscapeAgreement{Encoders: len(ps)}
	var ratios, errs, xs, ys, logX, logY []float64
	for _, p := range ps {
		okP, okO := stats.Finite(p.predicted), stats.Finite(p.observed)
		switch {
		case !okP && !okO:
			a.Both++
			a.Never++
			a.NotPredicted++
		case !okO:
			a.Never++
		case !okP:
			a.NotPredicted++
		default:
			a.N++
			if p.predicted > 0 {
				r := p.observed / p.predicted
				ratios, errs = append(ratios, r), append(errs, math.Abs(r-1))
			}
			xs, ys = append(xs, p.predicted), append(ys, p.observed)
			if p.predicted > 0 && p.observed > 0 {
				logX, logY = append(logX, math.Log10(p.predicted)), append(logY, math.Log10(p.observed))
			}
		}
	}
	a.MedianRatio, a.MedianError = Num(median(ratios)), Num(median(errs))
	a.MaxError = Num(math.NaN())
	if len(errs) > 0 {
		_, hi := stats.MinMax(errs)
		a.MaxError = Num(hi)
	}
	a.Corr = Num(correlation(xs, ys))
	// A log correlation leaving out a step of 0 would describe other
	// encoders than N.
	a.LogCorr = Num(math.NaN())
	if len(logX) == a.N {
		a.LogCorr = Num(correlation(logX, logY))
	}
	return a
}

// median is the median of the finite values of vs, the mean of the middle
// two for an even count (NaN for none).
func median(vs []float64) float64 {
	vs = stats.FiniteValues(vs)
	if len(vs) == 0 {
		return math.NaN()
	}
	sort.Float64s(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// correlation is the Pearson correlation of xs and ys: NaN for fewer than
// three pairs, where it says little, or when either has no spread.
func correlation(xs, ys []float64) float64 {
	if len(xs) < 3 || len(xs) != len(ys) {
		return math.NaN()
	}
	r := stat.Correlation(xs, ys, nil)
	if !stats.Finite(r) {
		return math.NaN()
	}
	return r
}

// SweepTheory is the theory companion over every complete seed of a
// sweep's points that carries a theory: how well the escape steps were
// predicted, alone and jointly, and how often the predicted winner escaped
// first in the joint network (FirstRight of FirstSeeds, the seeds with a
// predicted winner and a first escaper) and was the modality the joint
// network learned (Right of Seeds, the seeds with a predicted winner and a
// learned modality).
type SweepTheory struct {
	Points                 int
	Alone, Joint           EscapeAgreement
	FirstRight, FirstSeeds int
	Right, Seeds           int
	// Outcome is how well the race predicted the outcome; nil where it
	// does not apply.
	Outcome *OutcomeAgreement
}

// gapTolerance is the gap, either way, below which a gap counts as none
// when the signs of predicted and observed gaps are compared: about one
// standard error of a test accuracy near 0.95 on 2000 test samples. It was
// set before any comparison and is not tuned.
const gapTolerance = 0.005

// OutcomeAgreement is how well the race's predictions (Race) match what
// training did over a sweep's points (their means over seeds) and seeds.
type OutcomeAgreement struct {
	Points, Seeds int
	// SignAgree counts the points where the predicted and observed gaps
	// have the same sign, a gap within gapTolerance of 0 counting as none.
	SignAgree int
	// GapError is the mean absolute difference between predicted and
	// observed gap over points, SeedGapError over seeds.
	GapError, SeedGapError Num
	// CompetitionAgree counts the points where competition is predicted in
	// at least half of the seeds exactly where it is observed in at least
	// half; CompetitionError is the mean absolute difference of the
	// fractions of seeds.
	CompetitionAgree int
	CompetitionError Num
	// Per seed: competition predicted and observed (Both), predicted only,
	// observed only, neither.
	Both, PredictedOnly, ObservedOnly, Neither int
	// LearnedRight counts the seeds whose joint network was predicted to
	// learn exactly the modalities it learned.
	LearnedRight int
}

// gapSign is the sign of a gap, 0 within gapTolerance.
func gapSign(g float64) int {
	switch {
	case g > gapTolerance:
		return 1
	case g < -gapTolerance:
		return -1
	}
	return 0
}

// outcomeAgreement compares the race with training over points; nil when
// no point carries the race.
func outcomeAgreement(points []Point) *OutcomeAgreement {
	o := &OutcomeAgreement{}
	var gapErr, seedGapErr, compErr []float64
	for _, p := range points {
		a := theoryOfPoint(p.Summary)
		if a == nil || a.RaceAggregate == nil {
			continue
		}
		o.Points++
		pg, og := float64(a.RaceAggregate.Gap), float64(p.Summary.Gap)
		if gapSign(pg) == gapSign(og) {
			o.SignAgree++
		}
		gapErr = append(gapErr, math.Abs(pg-og))
		pc, oc := float64(a.RaceAggregate.Competition), float64(competitionFraction(p.Summary))
		if (pc >= 0.5) == (oc >= 0.5) {
			o.CompetitionAgree++
		}
		compErr = append(compErr, math.Abs(pc-oc))
		for _, ss := range completeSeeds(p.Summary) {
			if ss.Theory == nil || ss.Theory.Race == nil {
				continue
			}
			rc := ss.Theory.Race
			o.Seeds++
			seedGapErr = append(seedGapErr, math.Abs(float64(rc.Gap-ss.Gap)))
			switch pc, oc := rc.Competition, competition(ss); {
			case pc && oc:
				o.Both++
			case pc:
				o.PredictedOnly++
			case oc:
				o.ObservedOnly++
			default:
				o.Neither++
			}
			if slices.Equal(rc.LearnedJointly, ss.Joint.Learned) {
				o.LearnedRight++
			}
		}
	}
	if o.Points == 0 {
		return nil
	}
	mean := func(xs []float64) Num { m, _ := stats.MeanStd(xs); return Num(m) }
	o.GapError, o.SeedGapError, o.CompetitionError = mean(gapErr), mean(seedGapErr), mean(compErr)
	return o
}

// Markdown is the race's agreement with training, for sweep.md.
func (o *OutcomeAgreement) Markdown() string {
	return fmt.Sprintf("Outcome predicted before training (the race of the modalities, `graph/theory.go`), over the %d point%s and %d seeds where it applies:\n\n"+
		"- gap (best uni-modal minus joint test accuracy): the predicted and observed signs agree at %d of %d points (a gap within ±%.3f counts as none); "+
		"mean absolute error of the predicted gap %.3f over points, %.3f over seeds;\n"+
		"- competition (a modality learned alone stays unlearned jointly): predicted in at least half of the seeds exactly where observed at %d of %d points "+
		"(mean absolute error of the fraction of seeds %.2f); per seed, predicted and observed %d, predicted only %d, observed only %d, neither %d;\n"+
		"- the joint network learned exactly the predicted modalities in %d of %d seeds.\n",
		o.Points, plural(o.Points), o.Seeds, o.SignAgree, o.Points, gapTolerance, float64(o.GapError), float64(o.SeedGapError),
		o.CompetitionAgree, o.Points, float64(o.CompetitionError), o.Both, o.PredictedOnly, o.ObservedOnly, o.Neither,
		o.LearnedRight, o.Seeds)
}

// Theory is the theory companion over the sweep; nil when no complete seed
// carries a theory (the prediction does not apply).
func (sw Sweep) Theory() *SweepTheory {
	var seeds []SeedSummary
	t := &SweepTheory{}
	for _, p := range completePoints(sw.Points) {
		a, complete := theoryOfPoint(p.Summary), completeSeeds(p.Summary)
		if a == nil || !slices.ContainsFunc(complete, func(ss SeedSummary) bool { return ss.Theory != nil }) {
			continue
		}
		t.Points++
		seeds = append(seeds, complete...)
		t.FirstRight += count(a.FirstAccuracy, a.FirstSeeds)
		t.FirstSeeds += a.FirstSeeds
		t.Right += count(a.Accuracy, a.Seeds)
		t.Seeds += a.Seeds
	}
	if t.Points == 0 {
		return nil
	}
	alone, _ := escapePairs(seeds, false)
	joint, _ := escapePairs(seeds, true)
	t.Alone, t.Joint = agreement(alone), agreement(joint)
	t.Outcome = outcomeAgreement(completePoints(sw.Points))
	return t
}

// count is how many of n seeds a fraction f of them is (0 for none).
func count(f Num, n int) int {
	if n == 0 || !stats.Finite(float64(f)) {
		return 0
	}
	return int(math.Round(float64(f) * float64(n)))
}

// Markdown is the theory companion over the sweep, for sweep.md: how often
// the predicted winner was right, and a table of the escape steps' agreement.
func (t *SweepTheory) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Theory companion, over the %d point%s where it applies: the predicted winner escaped first in the joint network in %d of %d seeds "+
		"and was the modality the joint network learned in %d of %d (seeds with a predicted winner and, jointly, a first escape or a learned modality). "+
		"Escape steps, observed against predicted (error = |observed / predicted - 1|; r: correlation of the steps, and of their logarithms):\n\n",
		t.Points, plural(t.Points), t.FirstRight, t.FirstSeeds, t.Right, t.Seeds)
	fmt.Fprintf(&b, "| network | encoders | both steps known | median observed/predicted | median error | largest error | r | r (log steps) | never escaped | not predicted |\n")
	fmt.Fprintf(&b, "|%s\n", strings.Repeat("---|", 10))
	for _, row := range []struct {
		name string
		a    EscapeAgreement
	}{{"alone", t.Alone}, {"joint", t.Joint}} {
		a := row.a
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s | %s | %s | %s | %d | %d |\n", row.name, a.Encoders, a.N,
			numText(a.MedianRatio, 2), percent(a.MedianError), percent(a.MaxError),
			numText(a.Corr, 3), numText(a.LogCorr, 3), a.Never, a.NotPredicted)
	}
	return b.String()
}

// numText formats v as Number does, or "n/a" when it could not be
// computed (NaN or infinite).
func numText(v Num, decimals int) string {
	if !stats.Finite(float64(v)) {
		return "n/a"
	}
	return Number(float64(v), decimals)
}

// percent formats a fraction as a percentage, "5.2%".
func percent(v Num) string {
	if !stats.Finite(float64(v)) {
		return "n/a"
	}
	return numText(100*v, 1) + "%"
}
