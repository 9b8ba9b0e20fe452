package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// raceSeed is a seed's prediction by the race: uni-modal accuracies, the
// joint accuracy and the modalities learned alone and jointly.
type raceSeed struct {
	uni           []float64
	joint         float64
	alone, jointL []bool
}

// race makes the Race of a raceSeed, as raceOf would.
func (rs raceSeed) race() *Race {
	rc := &Race{JointTestAcc: Num(rs.joint), LearnedAlone: rs.alone, LearnedJointly: rs.jointL, FitStep: 40}
	best := math.Inf(-1)
	for r, a := range rs.uni {
		rc.UnimodalTestAcc = append(rc.UnimodalTestAcc, Num(a))
		best = math.Max(best, a)
		rc.AlignmentAlone = append(rc.AlignmentAlone, 1)
		rc.AlignmentJoint = append(rc.AlignmentJoint, 1)
		rc.JointEscape = append(rc.JointEscape, Num(4+10*r))
		rc.DriveNeeded = append(rc.DriveNeeded, Num(4+20*r))
		rc.DriveJoint = append(rc.DriveJoint, 15)
		if rs.alone[r] && !rs.jointL[r] {
			rc.Competition = true
		}
	}
	rc.Gap = Num(best - rs.joint)
	return rc
}

// withRace gives the seeds of point p the races of seeds, in order, and
// recomputes the point's aggregate.
func withRace(results []Point, p int, seeds ...raceSeed) {
	s := results[p].Summary
	for i := range s.PerSeed {
		ss := &s.PerSeed[i]
		if ss.Theory == nil {
			nan := []Num{Num(math.NaN()), Num(math.NaN())}
			ss.Theory = &Theory{PredictedWinner: -1, FirstEscaper: -1, PredictedEscape: nan, EscapeAlone: nan, EscapeJoint: nan}
		}
		ss.Theory.Race = seeds[i].race()
	}
	s.Theory = aggregateTheory(len(s.Unimodal), completeSeeds(s))
}

func TestAggregateRace(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "mu[0]", Values: []string{"0.1"}}}
	results := fakeSweep(axes, 2, 3)
	withRace(results, 0,
		raceSeed{[]float64{0.95, 0.99}, 0.95, []bool{true, true}, []bool{true, false}},
		raceSeed{[]float64{0.95, 0.99}, 0.96, []bool{true, true}, []bool{true, false}},
		raceSeed{[]float64{0.95, 0.98}, 0.999, []bool{true, true}, []bool{true, true}})
	a := results[0].Summary.Theory.RaceAggregate
	if a == nil {
		t.Fatal("no race over the seeds")
	}
	// By hand: means 0.95 and 0.98667, joint 0.96967; the best is m1, and
	// the gap the mean of 0.04, 0.03, -0.019.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"uni m0", float64(a.UnimodalTestAcc[0]), 0.95},
		{"uni m1", float64(a.UnimodalTestAcc[1]), (0.99 + 0.99 + 0.98) / 3},
		{"joint", float64(a.JointTestAcc), (0.95 + 0.96 + 0.999) / 3},
		{"gap", float64(a.Gap), (0.04 + 0.03 - 0.019) / 3},
		{"learned m1 jointly", float64(a.LearnedJointlyFraction[1]), 1.0 / 3},
		{"competition", float64(a.Competition), 2.0 / 3},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if a.BestUnimodal != 1 || !a.LearnedJointly[0] || a.LearnedJointly[1] {
		t.Errorf("best m%d, learned jointly %v; want m1, [true false]", a.BestUnimodal, a.LearnedJointly)
	}
	// summary.json carries the prediction under theory, and reads back.
	b, err := json.Marshal(results[0].Summary)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"predicted_unimodal_test_acc":[0.95,`, `"predicted_learned_jointly":[true,false]`, `"predicted_gap":`, `"predicted_joint_test_acc":`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("summary.json has no %s", key)
		}
	}
	if back.Theory.RaceAggregate == nil || back.PerSeed[2].Theory.Race == nil || !back.PerSeed[2].Theory.LearnedJointly[1] {
		t.Errorf("the race does not read back from summary.json: %+v", back.Theory)
	}
	line := predictedLine(results[0].Summary.Theory, 3)
	for _, want := range []string{"uni-modal m0 0.950, m1 0.987", "joint 0.970", "m1 in 1/3", "gap +0.017 (best m1)", "competition in 2/3 seeds"} {
		if !strings.Contains(line, want) {
			t.Errorf("predicted line %q has no %q", line, want)
		}
	}
}

// TestOutcomeAgreement checks the race against training over a sweep by
// hand: fakeSweep's points lose the last modality in more seeds as they
// rise, and the race predicts some right and some wrong.
func TestOutcomeAgreement(t *testing.T) {
	t.Parallel()
	axes := []Axis{{Key: "alpha[1]", Values: []string{"0.4", "0.5", "0.6"}}, {Key: "mu[0]", Values: []string{"0.1"}}}
	results := fakeSweep(axes, 2, 2)
	// Observed, from fakeSweepPoint: point 0 loses no seed (gap -0.014 and
	// -0.014: both modalities learned), point 1 seed 1 (gaps +0.001,
	// -0.014), point 2 both (gaps +0.016, +0.016).
	no, lost := []bool{true, true}, []bool{true, false}
	withRace(results, 0, raceSeed{[]float64{0.97, 0.9}, 0.99, no, no}, raceSeed{[]float64{0.97, 0.9}, 0.99, no, no})
	withRace(results, 1, raceSeed{[]float64{0.97, 0.9}, 0.95, no, lost}, raceSeed{[]float64{0.97, 0.9}, 0.95, no, lost})
	withRace(results, 2, raceSeed{[]float64{0.97, 0.9}, 0.99, no, no}, raceSeed{[]float64{0.97, 0.9}, 0.99, no, no})
	o := outcomeAgreement(results)
	if o == nil {
		t.Fatal("no agreement")
	}
	var obsGap [3]float64
	for i, p := range results {
		obsGap[i] = float64(p.Summary.Gap)
	}
	// Predicted gaps -0.02, +0.02, -0.02 against the observed.
	wantErr := (math.Abs(-0.02-obsGap[0]) + math.Abs(0.02-obsGap[1]) + math.Abs(-0.02-obsGap[2])) / 3
	if math.Abs(float64(o.GapError)-wantErr) > 1e-12 {
		t.Errorf("gap error %v, want %v", o.GapError, wantErr)
	}
	wantSign := 0
	for i, pg := range []float64{-0.02, 0.02, -0.02} {
		if gapSign(pg) == gapSign(obsGap[i]) {
			wantSign++
		}
	}
	// Competition: predicted at point 1 (2/2), observed at point 1 (1/2)
	// and 2 (2/2): the points agree at 0 and 1. Per seed: point 1 seed 1
	// both, seed 2 predicted only; point 2 observed only twice.
	if o.Points != 3 || o.Seeds != 6 || o.SignAgree != wantSign || o.CompetitionAgree != 2 ||
		o.Both != 1 || o.PredictedOnly != 1 || o.ObservedOnly != 2 || o.Neither != 2 || o.LearnedRight != 3 {
		t.Errorf("agreement %+v; want 3 points, 6 seeds, signs %d, competition at 2 points, per seed 1/1/2/2, learned right 3", *o, wantSign)
	}
	sw := Sweep{Axes: axes, Points: results, Total: 3}
	md := string(sw.Markdown(nil, nil))
	for _, want := range []string{"Outcome predicted before training", "exactly where observed at 2 of 3 points", "| gap predicted |", "| +0.020 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("sweep.md has no %q:\n%s", want, md)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(sw.CSV())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, row := range rows[1:] {
		if row[col["point"]] == "1" && row[col["seed"]] == "all" {
			if row[col["predicted_gap"]] != "0.020000000000000018" && !strings.HasPrefix(row[col["predicted_gap"]], "0.02") {
				t.Errorf("point 1: predicted_gap %q, want 0.02", row[col["predicted_gap"]])
			}
			if row[col["predicted_competition"]] != "1" || row[col["predicted_joint_m1_learned"]] != "0" {
				t.Errorf("point 1: predicted_competition %q, predicted_joint_m1_learned %q; want 1 and 0",
					row[col["predicted_competition"]], row[col["predicted_joint_m1_learned"]])
			}
		}
	}
	// The phase diagrams draw the predicted boundary.
	g := newPhaseGrid(axes, results)
	if h, title := g.competitionMap(); len(h.Boundary) != 3 || !h.Boundary[1][0] || h.Boundary[0][0] || !strings.Contains(title, "predicted boundary") {
		t.Errorf("competition map boundary %v, title %q", h.Boundary, title)
	}
}
