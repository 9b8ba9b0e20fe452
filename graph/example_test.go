package graph_test

import (
	"context"
	"fmt"
	"log"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

// exampleData is a small two-modality dataset: modality 0 carries a strong
// signal, modality 1 a weaker one.
func exampleData() *dataset.Dataset {
	syn := dataset.Synthetic{
		Modalities: []dataset.SyntheticModality{
			{Patches: 3, Dim: 16, Alpha: 1, Beta: 0, Mu: 0.2, SigmaP: 0.2},
			{Patches: 3, Dim: 16, Alpha: 0.5, Beta: 0, Mu: 0.05, SigmaP: 0.2},
		},
		NTrain: 50, NVal: 20, NTest: 100,
	}
	ds, err := syn.Generate(1)
	if err != nil {
		log.Fatal(err)
	}
	return ds
}

// exampleModel is the paper's network for two modalities: patch encoders
// with 4 neurons per class, late fusion, the logistic loss, and full-batch
// gradient descent with learning rate 1 for every encoder.
var exampleModel = graph.PaperModel(2, graph.PatchConfig{Neurons: 4, Q: 3, Rho: 0.1, Sigma0: 0.01}, "gd", 1)

// A joint network has one encoder per modality; the patch encoder of a
// binary task holds its 2m neurons as the rows of a (2m, d) matrix.
func ExampleNewNetwork() {
	ds := exampleData()
	net, err := graph.NewNetwork("joint", []int{0, 1}, ds, exampleModel, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(net.Name, "sees modalities", net.Modalities)
	for _, w := range net.Params() {
		fmt.Println("weights", w.Shape())
	}
	// Output:
	// joint sees modalities [0 1]
	// weights (8, 16)
	// weights (8, 16)
}

// Train runs full-batch gradient descent, the optimizer exampleModel names,
// and logs every metric at step 0, every LogEvery steps and at the end.
func ExampleTrain() {
	ds := exampleData()
	net, err := graph.NewNetwork("m0", []int{0}, ds, exampleModel, 1)
	if err != nil {
		log.Fatal(err)
	}
	cfg := graph.TrainConfig{Steps: 200, LogEvery: 100}
	res, err := graph.Train(context.Background(), net, ds, cfg, 1, func(r graph.Record) error {
		acc, _ := r.Get(graph.SplitAcc("train"))
		fmt.Printf("step %d: train accuracy %.2f\n", r.Step, acc)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	final := res.Final()
	testAcc, _ := final.Get(graph.TestAcc)
	align, _ := final.Get(graph.Align(0))
	fmt.Println(res.Status, "after", res.Steps, "steps")
	fmt.Printf("test accuracy %.2f\n", testAcc)
	fmt.Println("feature learned (align_m0 > rho):", align > exampleModel.Encoders[0].Rho)
	// Output:
	// step 0: train accuracy 0.86
	// step 100: train accuracy 0.98
	// step 200: train accuracy 1.00
	// completed after 200 steps
	// test accuracy 0.86
	// feature learned (align_m0 > rho): true
}

// The training methods a configuration may name, each with its line of
// help; the other registries (EncoderKinds, Fusions, Losses, Optimizers)
// list theirs the same way.
func ExampleMethods() {
	for _, m := range graph.Methods() {
		fmt.Printf("%-12s %s\n", m.Name, m.Help)
	}
	// Output:
	// alternating  one encoder per step, on its own loss
	// gblend       gradient blending
	// naive        plain joint training, the paper's
	// ogm-ge       on-the-fly gradient modulation
	// ume          uni-modal ensemble
	// umt          uni-modal teacher
}

// A training method reads its settings by configuration key; a mistake is
// an error that names the key.
func ExampleMethodConfig_Validate() {
	mc := graph.MethodConfig{Name: "ogm-ge", Settings: graph.SettingValues{"ogm-alpha": 0.5, "ogm-start": 50, "ogm-end": 10}}
	fmt.Println(mc.Validate())
	// Output:
	// ogm-end = 10: want 0 (the last step) or at least ogm-start = 50
}

// The race of the modalities in the paper's default regime: each modality
// is learned alone, but jointly modality 1 gets too little drive before
// memorisation fits the samples modality 0 cannot carry.
func ExampleRace_Predict() {
	m0 := graph.RaceModality{Alpha: 1, Mu: 0.1, SigmaP: 0.1, D: 200, P: 5, Sigma0: 0.01, LR: 1, Gamma0: []float64{0.02, 0.02}}
	m1 := m0
	m1.Alpha, m1.Mu = 0.45, 0.02
	rc := graph.Race{Q: 3, Rho: 0.1, Neurons: 30, N: 200, Steps: 600, Modalities: []graph.RaceModality{m0, m1}}
	for _, network := range [][]int{{0}, {1}, {0, 1}} {
		p := rc.Predict(network)
		fmt.Printf("network %v: learned %v, test acc %.3f\n", network, p.Learned, p.TestAcc)
	}
	p := rc.Predict([]int{0, 1})
	fmt.Printf("jointly, m1 needs %.0f steps of full drive and gets %.0f; memorisation fits m0's insufficient samples by step %d\n",
		p.DriveNeeded[1], p.Drive[1], p.FitStep)
	// Output:
	// network [0]: learned [true], test acc 0.950
	// network [1]: learned [true], test acc 0.990
	// network [0 1]: learned [true false], test acc 0.950
	// jointly, m1 needs 23 steps of full drive and gets 16; memorisation fits m0's insufficient samples by step 47
}

// EstimateMemory says what training a network will hold before anything
// is allocated: here the paper's joint network on 10000 samples of two
// modalities of 5 patches of 200, trained by gradient descent with a
// linear probe at the end, whose features of every split are the peak.
func ExampleEstimateMemory() {
	m := graph.PaperModel(2, graph.PatchConfig{Neurons: 30, Q: 3, Rho: 0.1, Sigma0: 0.01}, "gd", 1)
	var mods []dataset.Modality
	for r := range 2 {
		mods = append(mods, dataset.Modality{Name: fmt.Sprintf("m%d", r), Shape: []int{5, 200}})
	}
	data := graph.DataSize{Modalities: mods, Train: 10000, Val: 500, Test: 2000, Task: dataset.Binary, Classes: 2}
	est, err := graph.EstimateMemory(m, graph.TrainConfig{Steps: 600, LogEvery: 20, Probe: true}, []int{0, 1}, data)
	if err != nil {
		log.Fatal(err)
	}
	mib := func(b float64) float64 { return b / (1 << 20) }
	fmt.Printf("training %.0f MiB (z: 10000 x 5 rows x 60 values x 8 bytes x 2 encoders), probe %.0f MiB, total %.0f MiB\n",
		mib(est.Training), mib(est.Probe), mib(est.Total()))
	// Output:
	// training 46 MiB (z: 10000 x 5 rows x 60 values x 8 bytes x 2 encoders), probe 206 MiB, total 255 MiB
}
