package runs

import (
	"context"
	"math"
	"testing"

	"github.com/modcomp/modcomp/graph"
)

// Along an axis of modality 1's signal strength, modality 0's data, and so
// its uni-modal network, are the same at every point: the memo trains it
// once and hands the second point the same records, which equal those of
// training it anew. Modality 1's network differs and is trained.
func TestMemoSharesIdenticalNetworks(t *testing.T) {
	t.Parallel()
	plans := make([]*Plan, 2)
	for i, alpha1 := range []float64{0.4, 0.6} {
		cfg := tinyConfig(t)
		cfg.Alpha = FloatList{1, alpha1}
		plans[i] = resolve(t, cfg)
	}
	train := func(plan *Plan, shared *memo, network string, r int) *NetworkRun {
		t.Helper()
		run := &NetworkRun{Seed: 1, Network: network, Modalities: []int{r}, Method: "naive", Status: runNotStarted}
		if !trainOne(context.Background(), plan, run, newDataCache(plan.source, 1), shared, nil) || run.Status != "completed" {
			t.Fatalf("%s: %s %s", network, run.Status, run.Message)
		}
		return run
	}
	shared := newMemo()
	first := train(plans[0], shared, "uni-m0", 0)
	second := train(plans[1], shared, "uni-m0", 0)
	if got := shared.hits.Load(); got != 1 {
		t.Fatalf("%d runs shared, want 1: modality 0's network is the same at both points", got)
	}
	alone := train(plans[1], nil, "uni-m0", 0)
	if !sameRecords(second.Log, alone.Log) || !sameRecords(first.Log, alone.Log) {
		t.Fatal("the shared records differ from those of training the network anew")
	}
	m1a, m1b := train(plans[0], shared, "uni-m1", 1), train(plans[1], shared, "uni-m1", 1)
	if got := shared.hits.Load(); got != 1 {
		t.Fatalf("%d runs shared, want 1: modality 1's data differ between the points", got)
	}
	if sameRecords(m1a.Log, m1b.Log) {
		t.Fatal("modality 1's networks on different data trained to the same records")
	}
}

// sameRecords compares records bit for bit, so that NaN equals NaN.
func sameRecords(a, b []graph.Record) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Step != b[i].Step || len(a[i].Metrics) != len(b[i].Metrics) {
			return false
		}
		for j, m := range a[i].Metrics {
			o := b[i].Metrics[j]
			if m.Name != o.Name || math.Float64bits(m.Value) != math.Float64bits(o.Value) {
				return false
			}
		}
	}
	return true
}
