package runs_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/runs"
)

// A grid axis lists the values of one configuration key: a scalar key's
// values separated by commas, a per-modality key's lists separated by
// colons, a range from..to/step with its ends, or one modality's entry.
func ExampleParseAxis() {
	for _, spec := range []string{"n-train=100,200,400", "alpha=1,0.4:1,0.6", "mu[0]=0..0.3/0.1"} {
		a, err := runs.ParseAxis(spec)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %q\n", a.Key, a.Values)
	}
	_, err := runs.ParseAxis("n-trian=100,200")
	fmt.Println(err)
	// Output:
	// n-train: ["100" "200" "400"]
	// alpha: ["1,0.4" "1,0.6"]
	// mu[0]: ["0" "0.1" "0.2" "0.3"]
	// grid "n-trian=100,200": unknown key "n-trian" (did you mean "n-train"?)
}

// Set takes a value as a flag spells it; a mistake names the key and
// leaves the configuration as it was.
func ExampleConfig_Set() {
	cfg := runs.Default()
	if err := cfg.Set("alpha", "1, 0.6"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("alpha", cfg.Get("alpha"))
	fmt.Println(cfg.Set("n-train", "many"))
	fmt.Println(cfg.Set("sigma", "0.1"))
	fmt.Println("n-train", cfg.Get("n-train"))
	// Output:
	// alpha 1,0.6
	// n-train = "many": want an integer
	// unknown key "sigma" (did you mean "sigma0"?)
	// n-train 200
}

// Resolve checks a configuration once and works out what the runs need:
// the number of modalities, the model, the methods of a comparison and the
// training of each. A mistake is an error that names the key.
func ExampleConfig_Resolve() {
	cfg := runs.Default()
	cfg.Methods = runs.StringList{"ogm-ge", "ume"}
	plan, err := cfg.Resolve()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("K", plan.K, "n-train", plan.NTrain, "encoder", plan.Model.Encoders[1].Kind, "fusion", plan.Model.Fusion.Kind)
	for _, spec := range runs.CompareNetworks(plan.K, plan.Methods) {
		fmt.Printf("%-13s modalities %v, method %s, %d steps\n", spec.Name, spec.Modalities, spec.Method, plan.Train(spec.Method).Steps)
	}

	cfg.Fusion = "concat"
	_, err = cfg.Resolve()
	fmt.Println(err)
	// Output:
	// K 2 n-train 200 encoder patch fusion late
	// uni-m0        modalities [0], method naive, 600 steps
	// uni-m1        modalities [1], method naive, 600 steps
	// joint         modalities [0 1], method naive, 600 steps
	// joint-ogm-ge  modalities [0 1], method ogm-ge, 600 steps
	// joint-ume     modalities [0 1], method ume, 600 steps
	// fusion = "concat": want late with method ogm-ge, which reads each encoder's own scores
}

// ImportData checks a numpy archive and writes it as a dataset directory
// that --data reads; InspectData describes it, or the archive itself.
func ExampleImportData() {
	dir, err := os.MkdirTemp("", "modcomp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// An archive written by numpy.savez(path, x0=..., x1=..., y=...).
	archive := filepath.Join("..", "dataset", "testdata", "npz", "binary_savez.npz")
	text, err := runs.ImportData(filepath.Join(dir, "mine"), dataset.ImportSource{NPZ: archive}, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(strings.ReplaceAll(text, dir, "DIR"))
	_, err = runs.ImportData(filepath.Join(dir, "nan"), dataset.ImportSource{NPZ: filepath.Join("..", "dataset", "testdata", "npz", "err_nan_savez.npz")}, "")
	fmt.Println(strings.ReplaceAll(err.Error(), filepath.Join("..", "dataset", "testdata", "npz")+string(filepath.Separator), ""))
	// Output:
	// wrote dataset DIR/mine: binary task, 2 modalities (m0 [2 3], m1 [4]), train 6 samples; val and test drawn from them per seed (the split key)
	// use it with --data DIR/mine; describe it with modcomp data inspect DIR/mine
	// err_nan_savez.npz: key "x0": sample 1, value [0, 1] is NaN, want a finite number
}

// ReadStatus reads status.json and tells a run still going from one whose
// process is gone: this one was written by this very process, which runs.
func ExampleReadStatus() {
	dir, err := os.MkdirTemp("", "modcomp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	run := &runs.RunDir{Path: dir}
	if err := run.WriteStatus(runs.Status{State: runs.StateRunning}); err != nil {
		log.Fatal(err)
	}
	s, err := runs.ReadStatus(run.Join("status.json"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.State, s.Process.PID == os.Getpid())
	// Output:
	// running true
}
