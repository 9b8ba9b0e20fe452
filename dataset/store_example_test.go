package dataset_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/modcomp/modcomp/dataset"
)

// tinySynthetic is two modalities of 3 patches in R^4, with a few samples.
func tinySynthetic() *dataset.Dataset {
	m := dataset.SyntheticModality{Patches: 3, Dim: 4, Alpha: 1, Beta: 0.1, Mu: 0.2, SigmaP: 0.5}
	cfg := dataset.Synthetic{Modalities: []dataset.SyntheticModality{m, m}, NTrain: 8, NVal: 4, NTest: 4}
	ds, err := cfg.Generate(1)
	if err != nil {
		log.Fatal(err)
	}
	return ds
}

// Save writes one NPY file per split and modality plus manifest.json; in
// numpy, np.load(dir + "/train_x0.npy") is the (8, 3, 4) training input of
// modality 0.
func ExampleSave() {
	tmp, err := os.MkdirTemp("", "modcomp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "synthetic")

	source := map[string]any{"generator": "synthetic", "seed": 1}
	if err := dataset.Save(dir, tinySynthetic(), source); err != nil {
		log.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, dataset.ManifestFile))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(manifest))
	// Output:
	// {
	//   "format": "modcomp-dataset",
	//   "version": 1,
	//   "task": "binary",
	//   "classes": 2,
	//   "modalities": [
	//     {
	//       "name": "m0",
	//       "shape": [
	//         3,
	//         4
	//       ],
	//       "feature": "feature_m0.npy"
	//     },
	//     {
	//       "name": "m1",
	//       "shape": [
	//         3,
	//         4
	//       ],
	//       "feature": "feature_m1.npy"
	//     }
	//   ],
	//   "splits": {
	//     "train": {
	//       "n": 8,
	//       "inputs": [
	//         "train_x0.npy",
	//         "train_x1.npy"
	//       ],
	//       "labels": "train_y.npy",
	//       "sufficient": "train_sufficient.npy",
	//       "signal_patch": "train_signal_patch.npy"
	//     },
	//     "val": {
	//       "n": 4,
	//       "inputs": [
	//         "val_x0.npy",
	//         "val_x1.npy"
	//       ],
	//       "labels": "val_y.npy",
	//       "sufficient": "val_sufficient.npy",
	//       "signal_patch": "val_signal_patch.npy"
	//     },
	//     "test": {
	//       "n": 4,
	//       "inputs": [
	//         "test_x0.npy",
	//         "test_x1.npy"
	//       ],
	//       "labels": "test_y.npy",
	//       "sufficient": "test_sufficient.npy",
	//       "signal_patch": "test_signal_patch.npy"
	//     }
	//   },
	//   "source": {
	//     "generator": "synthetic",
	//     "seed": 1
	//   }
	// }
}

func ExampleLoad() {
	tmp, err := os.MkdirTemp("", "modcomp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "synthetic")
	if err := dataset.Save(dir, tinySynthetic(), nil); err != nil {
		log.Fatal(err)
	}

	ds, err := dataset.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task:", ds.Task)
	for _, m := range ds.Modalities {
		fmt.Printf("modality %s: sample shape %v, feature of %d values\n", m.Name, m.Shape, len(m.Feature))
	}
	for _, ns := range ds.Splits() {
		fmt.Printf("%s: %d samples, %d values in modality 0\n", ns.Name, ns.Split.Len(), len(ns.Split.Inputs[0]))
	}

	// A directory that is not a dataset says what is wrong with it.
	_, err = dataset.Load(tmp)
	fmt.Println(strings.ReplaceAll(err.Error(), tmp, "TMP"))
	// Output:
	// task: binary
	// modality m0: sample shape [3 4], feature of 4 values
	// modality m1: sample shape [3 4], feature of 4 values
	// train: 8 samples, 96 values in modality 0
	// val: 4 samples, 48 values in modality 0
	// test: 4 samples, 48 values in modality 0
	// dataset "TMP": manifest.json is missing: not a dataset directory, or Save did not finish
}
