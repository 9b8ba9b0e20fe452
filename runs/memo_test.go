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

// Along an axis of modality 0's insufficient fraction, modality 1's data
// are the same at every point but the groups of test samples (which
// modalities are sufficient) are not: the memo trains modality 1's network
// once and scores its records on each point's groups, which must equal
// training it anew there, bit for bit, also where a group is empty.
func TestMemoRegroupsAcrossSufficiency(t *testing.T) {
	t.Parallel()
	for _, mu0 := range [][2]float64{{0.1, 0.4}, {0, 0.3}} {
		plans := make([]*Plan, 2)
		for i, mu := range mu0 {
			cfg := tinyConfig(t)
			cfg.Mu = FloatList{mu, 0.2}
			plans[i] = resolve(t, cfg)
		}
		train := func(plan *Plan, shared *memo) *NetworkRun {
			t.Helper()
			run := &NetworkRun{Seed: 1, Network: "uni-m1", Modalities: []int{1}, Method: "naive", Status: runNotStarted}
			if !trainOne(context.Background(), plan, run, newDataCache(plan.source, 1), shared, nil) || run.Status != "completed" {
				t.Fatalf("mu[0] %v: %s %s", mu0, run.Status, run.Message)
			}
			return run
		}
		shared := newMemo()
		first, second := train(plans[0], shared), train(plans[1], shared)
		if got := shared.hits.Load(); got != 1 {
			t.Fatalf("mu[0] %v: %d runs shared, want 1: modality 1's data are the same at both points", mu0, got)
		}
		alone := train(plans[1], nil)
		if !sameRecords(second.Log, alone.Log) {
			t.Errorf("mu[0] %v: the shared records differ from those of training the network anew", mu0)
		}
		if sameRecords(first.Log, second.Log) {
			t.Errorf("mu[0] %v: the two points' records are the same: their groups should differ", mu0)
		}
	}
}
