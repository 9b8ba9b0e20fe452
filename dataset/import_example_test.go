package dataset_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/modcomp/modcomp/dataset"
)

// In numpy, np.savez(path, x0=..., x1=..., y=..., val_x0=..., ...) writes
// an archive Import turns into a dataset directory, inferring the task from
// the labels: here float labels 0..3, so four classes.
func ExampleImport() {
	tmp, err := os.MkdirTemp("", "modcomp-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "mine")

	src := dataset.ImportSource{NPZ: filepath.Join("testdata", "npz", "multiclass_split_savez.npz")}
	if err := dataset.Import(dir, src, ""); err != nil {
		log.Fatal(err)
	}
	ds, err := dataset.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task:", ds.Task, "with", ds.Classes, "classes")
	for _, m := range ds.Modalities {
		fmt.Printf("modality %s: sample shape %v\n", m.Name, m.Shape)
	}
	for _, ns := range ds.Splits() {
		fmt.Printf("%s: %d samples\n", ns.Name, ns.Split.Len())
	}
	// Output:
	// task: multiclass with 4 classes
	// modality m0: sample shape [2 2]
	// modality m1: sample shape [3]
	// train: 5 samples
	// val: 2 samples
	// test: 2 samples
}

// An archive with only x0, x1 and y gives a training split, which
// SplitByRatio divides per seed. Problems are found before anything is
// used, and named by key, sample and position.
func ExampleImportSource_Load() {
	ds, err := dataset.ImportSource{NPZ: filepath.Join("testdata", "npz", "binary_savez.npz")}.Load("")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("task:", ds.Task, "splits:", len(ds.Splits()), "train:", ds.Train.Len())
	if err := ds.SplitByRatio(1.0/3, 1.0/3, rand.New(rand.NewPCG(1, 2))); err != nil {
		log.Fatal(err)
	}
	fmt.Println("train:", ds.Train.Len(), "val:", ds.Val.Len(), "test:", ds.Test.Len())

	_, err = dataset.ImportSource{NPZ: filepath.Join("testdata", "npz", "err_nan_savez.npz")}.Load("")
	fmt.Println(err)
	// Output:
	// task: binary splits: 1 train: 6
	// train: 2 val: 2 test: 2
	// testdata/npz/err_nan_savez.npz: key "x0": sample 1, value [0, 1] is NaN, want a finite number
}

func ExampleReadNPZFile() {
	z, err := dataset.ReadNPZFile(filepath.Join("testdata", "npz", "binary_savez.npz"))
	if err != nil {
		log.Fatal(err)
	}
	for _, key := range z.Keys {
		a := z.Arrays[key]
		fmt.Printf("%s: shape %v, dtype %s\n", key, a.Shape, a.DType)
	}
	// Output:
	// x0: shape [6 2 3], dtype <f8
	// x1: shape [6 4], dtype <f4
	// y: shape [6], dtype <i8
}
