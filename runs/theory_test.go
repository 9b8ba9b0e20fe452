package runs

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareSummaryPredicts checks that summary.json carries the race's
// predictions under theory, over seeds and per seed, and the table its
// predicted line.
func TestCompareSummaryPredicts(t *testing.T) {
	t.Parallel()
	cfg, out := tinyCompare(t)
	s := readJSONMap(t, out, "summary.json")
	th := asMap(t, "theory", s["theory"])
	wantKeys(t, "theory", th, "predicted_unimodal_test_acc", "predicted_joint_test_acc", "predicted_gap", "predicted_learned_jointly")
	k := resolve(t, cfg).K
	if l := asList(t, "predicted_unimodal_test_acc", th["predicted_unimodal_test_acc"]); len(l) != k {
		t.Errorf("predicted_unimodal_test_acc %v, want %d accuracies", l, k)
	}
	for i, v := range asList(t, "predicted_learned_jointly", th["predicted_learned_jointly"]) {
		if _, ok := v.(bool); !ok {
			t.Errorf("predicted_learned_jointly[%d] = %v, want true or false", i, v)
		}
	}
	for _, ps := range asList(t, "per_seed", s["per_seed"]) {
		wantKeys(t, "per_seed theory", asMap(t, "theory", asMap(t, "per_seed", ps)["theory"]),
			"predicted_unimodal_test_acc", "predicted_joint_test_acc", "predicted_gap", "predicted_learned_jointly", "predicted_competition")
	}
	if table := string(readFile(t, out, "report.md")); !strings.Contains(table, "predicted  ") || !strings.Contains(table, "## Predicted before training") {
		t.Errorf("report.md has no predicted line or section:\n%s", table)
	}
}

// TestSweepPredictsCompetitionAtExtremes runs a small sweep (d = 20, n =
// 50) over the signal of modality 1 and the insufficient fraction of
// modality 0 and checks the race against training at the two extreme
// points of the grid: a weak modality 1 with modality 0 always sufficient
// loses the competition (learned alone, not jointly), and one as strong as
// modality 0, needed on half the samples, does not; the race predicts both,
// in every seed.
func TestSweepPredictsCompetitionAtExtremes(t *testing.T) {
	t.Parallel()
	cfg := tinyConfig(t)
	cfg.NTrain, cfg.Neurons, cfg.Steps, cfg.LogEvery, cfg.Probe = 50, 5, 150, 50, false
	cfg.SigmaP, cfg.Mu = FloatList{0.2}, FloatList{0.3, 0}
	axes := []Axis{parseAxis(t, "alpha[1]=0.4,1"), parseAxis(t, "mu[0]=0,0.5")}
	dir := filepath.Join(cfg.Out, "sweep")
	if _, err := Sweep(context.Background(), cfg, axes, SweepOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	want := map[string]string{"0": "1", "3": "0"} // the extremes: competition in every seed, in none
	seen := 0
	for _, row := range rows[1:] {
		w, extreme := want[row[col["point"]]]
		if !extreme {
			continue
		}
		seen++
		if got, pred := row[col["competition"]], row[col["predicted_competition"]]; got != w || pred != w {
			t.Errorf("point %s seed %s: competition %s, predicted %s; want %s", row[col["point"]], row[col["seed"]], got, pred, w)
		}
		if row[col["predicted_gap"]] == "" {
			t.Errorf("point %s seed %s: no predicted gap", row[col["point"]], row[col["seed"]])
		}
	}
	if seen != 2*(cfg.Seeds+1) {
		t.Errorf("%d rows of the extreme points, want %d", seen, 2*(cfg.Seeds+1))
	}
	md, err := os.ReadFile(filepath.Join(dir, "sweep.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Outcome predicted before training") {
		t.Errorf("sweep.md has no agreement of the race:\n%s", md)
	}
}
