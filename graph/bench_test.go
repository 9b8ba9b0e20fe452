package graph

import (
	"fmt"
	"testing"

	"github.com/modcomp/modcomp/dataset"
)

// benchConfigs are the two sizes of the performance issue: the paper's
// reference configuration and a larger one.
var benchConfigs = []struct {
	name               string
	n, patches, dim, m int
}{
	{"ref_n200_P5_d200_m10", 200, 5, 200, 10},
	{"large_n1000_P8_d100_m20", 1000, 8, 100, 20},
}

func benchTrainer(b *testing.B, n, patches, dim, m int, modalities []int, dtype string) *trainer {
	b.Helper()
	return benchTrainerSplits(b, n, 10, 10, patches, dim, m, modalities, dtype)
}

func benchTrainerSplits(b *testing.B, n, nVal, nTest, patches, dim, m int, modalities []int, dtype string) *trainer {
	b.Helper()
	syn := dataset.Synthetic{NTrain: n, NVal: nVal, NTest: nTest}
	for r := 0; r < 2; r++ {
		syn.Modalities = append(syn.Modalities, dataset.SyntheticModality{Patches: patches, Dim: dim, Alpha: 1, Mu: 0.2, SigmaP: 0.1})
	}
	ds, err := syn.Generate(1)
	if err != nil {
		b.Fatal(err)
	}
	mc := PaperModel(2, PatchConfig{Neurons: m, Q: 3, Rho: 0.1, Sigma0: 0.01}, "gd", 0.1)
	mc.DType = dtype
	net, err := NewNetwork("bench", modalities, ds, mc, 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := newTrainer(net, ds, TrainConfig{Steps: 1, LogEvery: 1}, Objective{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkStep times one full-batch training step of a uni-modal and a
// joint network: everything Train does between two logged steps (the
// method's weights, forward and backward pass, update, divergence check and
// escape tracking).
func BenchmarkStep(b *testing.B) {
	for _, c := range benchConfigs {
		for _, dtype := range []string{"float64", "float32"} {
			for _, net := range []struct {
				name string
				mods []int
			}{{"uni", []int{0}}, {"joint", []int{0, 1}}} {
				b.Run(fmt.Sprintf("%s/%s/%s", c.name, net.name, dtype), func(b *testing.B) {
					tr := benchTrainer(b, c.n, c.patches, c.dim, c.m, net.mods, dtype)
					method := naive{}
					st := tr.newStepState(method, nil)
					if _, _, err := tr.trainStep(method, st, 1); err != nil { // warm up
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, diverged, err := tr.trainStep(method, st, 2+i); err != nil || diverged != "" {
							b.Fatal(err, diverged)
						}
					}
				})
			}
		}
	}
}

// BenchmarkEvaluate times one evaluation pass of a joint network at the
// default configuration's sizes (200 train, 500 validation, 2000 test
// samples, m = 30): every metric of a Record on all three splits.
func BenchmarkEvaluate(b *testing.B) {
	for _, dtype := range []string{"float64", "float32"} {
		b.Run(dtype, func(b *testing.B) {
			tr := benchTrainerSplits(b, 200, 500, 2000, 5, 200, 30, []int{0, 1}, dtype)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := tr.evaluate(0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
