package graph

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// TestMemoryEstimate trains networks of every encoder kind and compares
// EstimateMemory with what they hold: the live heap at the last logged step
// (network, trainer, evaluation chunks and scores), besides the dataset,
// plus what the linear probe allocates at the end. (Not parallel: it reads
// process-wide memory statistics.)
func TestMemoryEstimate(t *testing.T) {
	patch := PatchConfig{Neurons: 20, Q: 3, Rho: 0.1, Sigma0: 0.01}
	for _, tc := range []struct {
		name       string
		n, p, d, k int
		model      func(mc *ModelConfig)
		batch      int
	}{
		{"patch", 1000, 5, 100, 2, nil, 0},
		{"patch n=2000 d=50", 2000, 5, 50, 2, nil, 0},
		{"patch P=10 m=40", 500, 10, 100, 2, func(mc *ModelConfig) { setPatch(mc, PatchConfig{Neurons: 40, Q: 3, Rho: 0.1}) }, 0},
		{"patch float32", 1000, 5, 100, 2, func(mc *ModelConfig) { mc.DType = "float32" }, 0},
		{"patch K=3", 1000, 5, 100, 3, nil, 0},
		{"patch depth 3", 1000, 5, 100, 2, func(mc *ModelConfig) {
			setPatch(mc, PatchConfig{Neurons: 10, Q: 3, Rho: 0.1, Sigma0: 0.01, Depth: 3, Width: 32})
		}, 0},
		{"patch adam mini-batch", 1000, 5, 100, 2, func(mc *ModelConfig) { setOptimizer(mc, "adam", 0.01) }, 100},
		{"patch concat", 1000, 5, 100, 2, func(mc *ModelConfig) {
			mc.Fusion = FusionConfig{Kind: "concat", Activation: "relu", Scale: 1, Optimizer: "gd", LR: 0.1}
		}, 0},
		{"mlp per patch", 300, 5, 100, 2, func(mc *ModelConfig) {
			setMLP(mc, MLPConfig{Hidden: []int{64, 32}, Activation: "relu", PerPatch: true, Scale: 1})
		}, 0},
		{"mlp flat", 500, 5, 100, 2, func(mc *ModelConfig) { setMLP(mc, MLPConfig{Hidden: []int{64}, Activation: "relu", Scale: 1}) }, 0},
		{"conv image", 150, 12, 12, 2, func(mc *ModelConfig) {
			setConv(mc, ConvConfig{Channels: []int{4, 8}, Kernel: 3, Activation: "relu", Scale: 1, Input: ConvInputImage})
		}, 0},
		{"conv patches", 500, 5, 100, 2, func(mc *ModelConfig) {
			setConv(mc, ConvConfig{Channels: []int{8, 16}, Kernel: 3, Activation: "relu", Scale: 1, Input: ConvInputAuto})
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			syn := dataset.Synthetic{NTrain: tc.n, NVal: tc.n / 4, NTest: tc.n / 2}
			for r := 0; r < tc.k; r++ {
				syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: tc.p, Dim: tc.d, Alpha: 1, Mu: 0.2, SigmaP: 0.1})
			}
			ds, err := syn.Generate(1)
			if err != nil {
				t.Fatal(err)
			}
			mc := PaperModel(tc.k, patch, "gd", 0.1)
			if tc.model != nil {
				tc.model(&mc)
			}
			modalities := make([]int, tc.k)
			for r := range modalities {
				modalities[r] = r
			}
			tc := TrainConfig{Steps: 2, BatchSize: tc.batch, LogEvery: 1, Probe: true}
			size := DataSize{Modalities: ds.Modalities, Train: ds.Train.Len(), Val: ds.Val.Len(), Test: ds.Test.Len(), Task: ds.Task, Classes: ds.Classes}
			est, err := EstimateMemory(mc, tc, modalities, size)
			if err != nil {
				t.Fatal(err)
			}

			before := liveHeap()
			net, err := NewNetwork("joint", modalities, ds, mc, 1)
			if err != nil {
				t.Fatal(err)
			}
			var live, allocated uint64
			observe := func(rec Record) error {
				if rec.Step == tc.Steps {
					live = liveHeap()
					allocated = totalAlloc()
				}
				return nil
			}
			res, err := Train(context.Background(), net, ds, tc, 1, observe)
			if err != nil || res.Status != Completed {
				t.Fatalf("%v %v", err, res.Status)
			}
			probe := totalAlloc() - allocated
			runtime.KeepAlive(ds)
			measured := float64(live-before) + float64(probe)
			ratio := est.Total() / measured
			t.Logf("estimate %s (weights %s, training %s, evaluation %s, copies %s, probe %s); measured %s (live %s + probe allocations %s): ratio %.2f",
				mib(est.Total()), mib(est.Weights), mib(est.Training), mib(est.Evaluation), mib(est.Copies), mib(est.Probe),
				mib(measured), mib(float64(live-before)), mib(float64(probe)), ratio)
			if ratio < 0.8 || ratio > 1.5 {
				t.Errorf("estimate %s, measured %s: ratio %.2f, want 0.8 to 1.5", mib(est.Total()), mib(measured), ratio)
			}
		})
	}
}

func mib(b float64) string { return fmt.Sprintf("%.2f MiB", b/(1<<20)) }

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func setPatch(mc *ModelConfig, p PatchConfig) {
	for r := range mc.Encoders {
		mc.Encoders[r].PatchConfig = p
	}
}

func setOptimizer(mc *ModelConfig, name string, lr float64) {
	for r := range mc.Encoders {
		mc.Encoders[r].Optimizer, mc.Encoders[r].LR = name, lr
	}
	mc.Fusion.Optimizer, mc.Fusion.LR = name, lr
}

func setMLP(mc *ModelConfig, m MLPConfig) {
	for r := range mc.Encoders {
		mc.Encoders[r].Kind, mc.Encoders[r].MLP = "mlp", m
	}
}

func setConv(mc *ModelConfig, c ConvConfig) {
	for r := range mc.Encoders {
		mc.Encoders[r].Kind, mc.Encoders[r].Conv = "conv", c
	}
}
