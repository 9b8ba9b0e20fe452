package dataset_test

import (
	"fmt"
	"log"

	"github.com/modcomp/modcomp/dataset"
)

// Generate draws the paper's distribution: in each modality one of P patches
// is z·y·v and the others are noise orthogonal to v, with z = alpha for the
// sufficient samples and beta for the others (a fraction mu).
func ExampleSynthetic_Generate() {
	syn := dataset.Synthetic{
		Modalities: []dataset.SyntheticModality{
			{Patches: 5, Dim: 20, Alpha: 1.0, Beta: 0, Mu: 0.3, SigmaP: 0.1},
			{Patches: 3, Dim: 10, Alpha: 0.4, Beta: 0, Mu: 0.05, SigmaP: 0.1},
		},
		NTrain: 200, NVal: 50, NTest: 100,
	}
	ds, err := syn.Generate(1)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range ds.Modalities {
		fmt.Printf("modality %s: samples of shape %v, feature in R^%d\n", m.Name, m.Shape, len(m.Feature))
	}
	for _, ns := range ds.Splits() {
		fmt.Printf("%s: %d samples, %d values of modality 0\n", ns.Name, ns.Split.Len(), len(ns.Split.Inputs[0]))
	}
	positive := 0
	groups := map[string]int{}
	for i, y := range ds.Train.Labels {
		if y > 0 {
			positive++
		}
		groups[ds.Train.Group(i)]++
	}
	fmt.Println("training labels +1:", positive, "of", ds.Train.Len())
	for _, g := range ds.Groups() {
		fmt.Printf("group %s (sufficient modalities): %d samples\n", g, groups[g])
	}
	// Output:
	// modality m0: samples of shape [5 20], feature in R^20
	// modality m1: samples of shape [3 10], feature in R^10
	// train: 200 samples, 20000 values of modality 0
	// val: 50 samples, 5000 values of modality 0
	// test: 100 samples, 10000 values of modality 0
	// training labels +1: 101 of 200
	// group 11 (sufficient modalities): 134 samples
	// group 10 (sufficient modalities): 8 samples
	// group 01 (sufficient modalities): 56 samples
	// group 00 (sufficient modalities): 2 samples
}
