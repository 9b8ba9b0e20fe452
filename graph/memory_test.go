package graph

import (
	"context"
	"runtime"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// TestMemoryFlatOverLongRun trains for 3000 steps and checks that neither
// the live heap nor the allocation per step grows: a leak of even one small
// tensor per step would show in both. (Not parallel: it reads process-wide
// memory statistics.)
func TestMemoryFlatOverLongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	syn := dataset.Synthetic{NTrain: 50, NVal: 20, NTest: 20}
	for r := 0; r < 2; r++ {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: 3, Dim: 20, Alpha: 1, Mu: 0.2, SigmaP: 0.2})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		t.Fatal(err)
	}
	const steps, every = 3000, 500
	mc, tc := trainOpts{Optimizer: "gd", LR: 0.5, Steps: steps, LogEvery: every}.apply(trainModel)
	net, err := NewNetwork("joint", []int{0, 1}, ds, mc, 1)
	if err != nil {
		t.Fatal(err)
	}
	type sample struct{ heap, total uint64 }
	var samples []sample
	observe := func(Record) error {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		samples = append(samples, sample{m.HeapAlloc, m.TotalAlloc})
		return nil
	}
	res, err := Train(context.Background(), net, ds, tc, 1, observe)
	if err != nil || res.Status != Completed {
		t.Fatalf("%v %v", err, res.Status)
	}
	// samples[1] is after the first 500 steps (warm-up done); compare the
	// intervals after it.
	first, last := samples[1], samples[len(samples)-1]
	if growth := int64(last.heap) - int64(first.heap); growth > 256<<10 {
		t.Errorf("live heap grew by %d KB over %d steps (%d KB -> %d KB)", growth>>10, steps-every, first.heap>>10, last.heap>>10)
	}
	perStep := func(a, b sample) float64 { return float64(b.total-a.total) / every }
	early, late := perStep(samples[1], samples[2]), perStep(samples[len(samples)-2], samples[len(samples)-1])
	if late > 1.1*early {
		t.Errorf("allocation per step grew from %.0f to %.0f bytes", early, late)
	}
	t.Logf("live heap %d KB -> %d KB; %.0f -> %.0f bytes allocated per step (the TapeMachine reallocates its registers each run)",
		first.heap>>10, last.heap>>10, early, late)
}
