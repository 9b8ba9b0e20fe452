package graph

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// scaleConfig is one point of the scale table: n training samples, K
// modalities of P patches in R^d, m neurons per class, float64.
type scaleConfig struct{ n, patches, dim, m, k int }

// scaleConfigs vary one axis at a time around the reference configuration
// (n=200, P=5, d=200, m=10, K=2): n from 200 to 5000, d from 50 to 2000, m
// 10, 30, 60 and K 2 to 4. scripts/bench.sh scale runs them one by one (by
// name) next to the PyTorch peer; keep its list in step with this one.
var scaleConfigs = func() []scaleConfig {
	ref := scaleConfig{200, 5, 200, 10, 2}
	cs := []scaleConfig{ref}
	for _, n := range []int{500, 1000, 2000, 5000} {
		c := ref
		c.n = n
		cs = append(cs, c)
	}
	for _, d := range []int{50, 500, 1000, 2000} {
		c := ref
		c.dim = d
		cs = append(cs, c)
	}
	for _, m := range []int{30, 60} {
		c := ref
		c.m = m
		cs = append(cs, c)
	}
	for _, k := range []int{3, 4} {
		c := ref
		c.k = k
		cs = append(cs, c)
	}
	return cs
}()

// scaleDataset draws the synthetic data of c with 10 validation and 10 test
// samples, so that the training inputs are nearly all of it.
func scaleDataset(b *testing.B, c scaleConfig) *dataset.Dataset {
	b.Helper()
	syn := dataset.Synthetic{NTrain: c.n, NVal: 10, NTest: 10}
	for r := 0; r < c.k; r++ {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: c.patches, Dim: c.dim, Alpha: 1, Mu: 0.2, SigmaP: 0.1})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

// BenchmarkScale times one full-batch training step of the joint network
// (all K modalities, late fusion, gradient descent, float64) at each of
// scaleConfigs, and measures the memory the network holds. Metrics:
//
//	ms/step   time of one step (the same trainStep as BenchmarkStep)
//	data_MB   the network's training inputs: n*P*d*K*8 bytes
//	net_MB    the network's own memory: live heap (runtime.MemStats.HeapAlloc
//	          after runtime.GC) once the network and trainer are built and
//	          one step has run, minus the live heap with only the dataset
//	          drawn. Weights, gradients, optimizer state, the machine's
//	          registers and any copy of the data the network makes.
//	mem/data  (net_MB + data_MB) / data_MB: the memory per network relative
//	          to its data (the performance issue's target: at most 1.5).
//	est_MB    what EstimateMemory says a training step holds (its weights
//	          and training parts; the benchmark neither evaluates nor
//	          probes), to compare with net_MB
//
// Steps after the first allocate almost nothing (see BenchmarkStep's
// allocs/op), so the live heap after a warm step is also the peak of a step.
func BenchmarkScale(b *testing.B) {
	for _, c := range scaleConfigs {
		c := c
		b.Run(fmt.Sprintf("n=%d/d=%d/m=%d/K=%d", c.n, c.dim, c.m, c.k), func(b *testing.B) {
			ds := scaleDataset(b, c)
			before := liveHeap()
			mods := make([]int, c.k)
			for r := range mods {
				mods[r] = r
			}
			mc := PaperModel(c.k, PatchConfig{Neurons: c.m, Q: 3, Rho: 0.1, Sigma0: 0.01}, "gd", 0.1)
			net, err := NewNetwork("scale", mods, ds, mc, 1)
			if err != nil {
				b.Fatal(err)
			}
			tr, err := newTrainer(net, ds, TrainConfig{Steps: 1, LogEvery: 1}, Objective{}, nil)
			if err != nil {
				b.Fatal(err)
			}
			method := naive{}
			st := tr.newStepState(method, nil)
			if _, _, err := tr.trainStep(method, st, 1); err != nil { // warm up
				b.Fatal(err)
			}
			after := liveHeap()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, diverged, err := tr.trainStep(method, st, 2+i); err != nil || diverged != "" {
					b.Fatal(err, diverged)
				}
			}
			b.StopTimer()
			runtime.KeepAlive(ds)
			const mb = 1 << 20
			data := float64(c.n*c.patches*c.dim*c.k*8) / mb
			own := (float64(after) - float64(before)) / mb
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/step")
			b.ReportMetric(data, "data_MB")
			b.ReportMetric(own, "net_MB")
			b.ReportMetric((own+data)/data, "mem/data")
			est, err := EstimateMemory(mc, TrainConfig{Steps: 1, LogEvery: 1}, mods,
				DataSize{Modalities: ds.Modalities, Train: c.n, Val: ds.Val.Len(), Test: ds.Test.Len(), Task: ds.Task, Classes: ds.Classes})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric((est.Weights+est.Training)/mb, "est_MB")
		})
	}
}

// liveHeap is the heap held by reachable objects, in bytes.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
