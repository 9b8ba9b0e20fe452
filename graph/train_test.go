package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// trainSynthetic is a tiny two-modality distribution whose four sufficiency
// groups are all populated in a test split of 60 (mu = 0.3 for both).
var trainSynthetic = dataset.Synthetic{
	Modalities: []dataset.SyntheticModality{
		{Patches: 3, Dim: 10, Alpha: 1, Beta: 0.2, Mu: 0.3, SigmaP: 0.2},
		{Patches: 3, Dim: 10, Alpha: 0.6, Beta: 0.1, Mu: 0.3, SigmaP: 0.2},
	},
	NTrain: 30, NVal: 10, NTest: 60,
}

var trainModel = ModelConfig{
	Encoder: EncoderConfig{Kind: "patch", PatchConfig: PatchConfig{Neurons: 4, Q: 3, Rho: 0.1, Sigma0: 0.05}},
	DType:   "float64",
}

func trainData(t testing.TB, seed uint64) *dataset.Dataset {
	t.Helper()
	ds, err := trainSynthetic.Generate(seed)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// trainRun makes the network name over modalities of ds and trains it.
func trainRun(t testing.TB, ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, tc TrainConfig, seed uint64, observe Observer) *Result {
	t.Helper()
	res, err := tryTrain(ds, name, modalities, mc, tc, seed, observe)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tryTrain is trainRun for goroutines other than the test's.
func tryTrain(ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, tc TrainConfig, seed uint64, observe Observer) (*Result, error) {
	net, err := NewNetwork(name, modalities, ds, mc, seed)
	if err != nil {
		return nil, err
	}
	return Train(context.Background(), net, ds, tc, seed, observe)
}

func metric(t testing.TB, r Record, name string) float64 {
	t.Helper()
	v, ok := r.Get(name)
	if !ok {
		t.Fatalf("step %d: no metric %s", r.Step, name)
	}
	return v
}

// logHasNaN reports a NaN metric, which reflect.DeepEqual never equates.
func logHasNaN(log []Record) bool {
	for _, r := range log {
		for _, m := range r.Metrics {
			if math.IsNaN(m.Value) {
				return true
			}
		}
	}
	return false
}

var determinismConfigs = []struct {
	name string
	tc   TrainConfig
}{
	{"gd", TrainConfig{Optimizer: "gd", LR: 1, Steps: 30, LogEvery: 10}},
	{"sgd", TrainConfig{Optimizer: "sgd", LR: 0.5, Steps: 30, BatchSize: 8, LogEvery: 10}},
	{"adam", TrainConfig{Optimizer: "adam", LR: 0.01, Steps: 30, BatchSize: 8, LogEvery: 10}},
}

func TestTrainIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, c := range determinismConfigs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := func(seed uint64) *Result {
				return trainRun(t, trainData(t, seed), "joint", []int{0, 1}, trainModel, c.tc, seed, nil)
			}
			a, b := run(1), run(1)
			if a.Status != Completed || len(a.Log) != 4 {
				t.Fatalf("status %s with %d records, want completed with 4", a.Status, len(a.Log))
			}
			if logHasNaN(a.Log) {
				t.Fatal("the log holds a NaN metric; pick a config where every group is populated")
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("two runs of the same config and seed differ:\n%v\n%v", a.Log, b.Log)
			}
			if other := run(2); reflect.DeepEqual(a.Log, other.Log) {
				t.Error("seeds 1 and 2 gave the same log")
			}
		})
	}
}

func TestTrainIsDeterministicConcurrently(t *testing.T) {
	t.Parallel()
	for _, c := range determinismConfigs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := trainRun(t, trainData(t, 3), "joint", []int{0, 1}, trainModel, c.tc, 3, nil)
			shared := trainData(t, 3) // read concurrently by two of the runs
			const runs = 4
			results := make([]*Result, runs)
			errs := make([]error, runs)
			var wg sync.WaitGroup
			for k := range runs {
				ds := shared
				if k >= 2 {
					ds = trainData(t, 3)
				}
				wg.Go(func() {
					results[k], errs[k] = tryTrain(ds, "joint", []int{0, 1}, trainModel, c.tc, 3, nil)
				})
			}
			wg.Wait()
			for k, got := range results {
				if errs[k] != nil {
					t.Fatalf("run %d: %v", k, errs[k])
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent run %d differs from a sequential run:\n%v\n%v", k, got.Log, want.Log)
				}
			}
			if !reflect.DeepEqual(shared, trainData(t, 3)) {
				t.Error("training modified the dataset")
			}
		})
	}
}

// Mini-batches come from a stream named after the network, so renaming a
// network changes sgd's batches but leaves full-batch gd untouched.
func TestTrainBatchStreamFollowsNetworkName(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 4)
	for _, c := range determinismConfigs[:2] {
		a := trainRun(t, ds, "a", []int{0}, trainModel, c.tc, 4, nil)
		b := trainRun(t, ds, "b", []int{0}, trainModel, c.tc, 4, nil)
		if same := reflect.DeepEqual(a.Log, b.Log); same != (c.tc.BatchSize == 0) {
			t.Errorf("%s: renaming the network changed the log: %v, want %v", c.name, !same, c.tc.BatchSize != 0)
		}
	}
}

func TestUniModalAndJointEncodersStartEqual(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 5)
	weights := func(name string, mods []int, seed uint64) map[int][]float64 {
		net, err := NewNetwork(name, mods, ds, trainModel, seed)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int][]float64{}
		for i, r := range net.Modalities {
			out[r] = append([]float64(nil), float64s(net.Encoders[i].(*PatchEncoder).W)...)
		}
		return out
	}
	uni0, uni1 := weights("u0", []int{0}, 7), weights("u1", []int{1}, 7)
	joint, swapped := weights("j", []int{0, 1}, 7), weights("s", []int{1, 0}, 7)
	for _, r := range []int{0, 1} {
		uni := map[int]map[int][]float64{0: uni0, 1: uni1}[r]
		if !reflect.DeepEqual(uni[r], joint[r]) || !reflect.DeepEqual(uni[r], swapped[r]) {
			t.Errorf("encoder of modality %d: uni-modal and joint initial weights differ", r)
		}
	}
	if reflect.DeepEqual(joint[0], joint[1]) {
		t.Error("the encoders of modalities 0 and 1 start from the same weights")
	}
	if other := weights("j", []int{0, 1}, 8); reflect.DeepEqual(other[0], joint[0]) {
		t.Error("seeds 7 and 8 give the same initial weights")
	}
	// Initial weights have the standard deviation sigma0.
	sum2, n := 0.0, 0
	for _, w := range joint {
		for _, v := range w {
			sum2 += v * v
			n++
		}
	}
	if sd := math.Sqrt(sum2 / float64(n)); math.Abs(sd-trainModel.Encoder.Sigma0) > 0.2*trainModel.Encoder.Sigma0 {
		t.Errorf("initial weights have standard deviation %v, want about sigma0 = %v", sd, trainModel.Encoder.Sigma0)
	}
}

// Logistic-loss gradients are bounded and a single giant gd step separates
// this tiny training set (the loss drops to 0 and the gradient with it), so
// gd does not diverge even with lr = MaxFloat64. Adam moves every weight by
// about lr whatever the gradient, and with lr near the largest float the
// pre-activations overflow and F_{+1} - F_{-1} becomes Inf - Inf = NaN.
func TestTrainDivergence(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 6)
	for _, c := range []struct {
		name  string
		tc    TrainConfig
		dtype string
	}{
		{"adam full batch", TrainConfig{Optimizer: "adam", LR: 1e308, Steps: 50, LogEvery: 1}, "float64"},
		{"adam mini-batch", TrainConfig{Optimizer: "adam", LR: 1e308, BatchSize: 10, Steps: 50, LogEvery: 1}, "float64"},
		{"adam float32", TrainConfig{Optimizer: "adam", LR: 1e38, Steps: 50, LogEvery: 1}, "float32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mc := trainModel
			mc.DType = c.dtype
			var observed []Record
			res := trainRun(t, ds, "joint", []int{0, 1}, mc, c.tc, 6, func(r Record) error {
				observed = append(observed, r)
				return nil
			})
			if res.Status != Diverged {
				t.Fatalf("status %s after %d steps, want %s", res.Status, res.Steps, Diverged)
			}
			if !strings.HasPrefix(res.Message, fmt.Sprintf("diverged at step %d: ", res.Steps)) {
				t.Errorf("message %q does not say where it diverged", res.Message)
			}
			if res.Steps < 1 || res.Steps >= c.tc.Steps {
				t.Errorf("diverged after %d steps, want 1..%d", res.Steps, c.tc.Steps-1)
			}
			// Logged every step, the log holds steps 0..Steps at most: no
			// update follows the one that diverged.
			if len(res.Log) > res.Steps+1 || res.Log[0].Step != 0 || res.Final().Step > res.Steps {
				t.Errorf("diverged at step %d with %d records, the last at step %d", res.Steps, len(res.Log), res.Final().Step)
			}
			if !reflect.DeepEqual(observed, res.Log) {
				t.Errorf("the observer saw %d records, the log holds %d", len(observed), len(res.Log))
			}
			t.Logf("%s", res.Message)
		})
	}
}

// A gd run with an absurd learning rate completes: see TestTrainDivergence.
func TestTrainHugeLearningRateGDCompletes(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 6)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, TrainConfig{Optimizer: "gd", LR: 1e300, Steps: 5, LogEvery: 1}, 6, nil)
	if res.Status != Completed || metric(t, res.Final(), "train_loss") != 0 {
		t.Errorf("status %s (%s), train loss %v; want completed with loss 0", res.Status, res.Message, metric(t, res.Final(), "train_loss"))
	}
}

// The divergence check reads the loss computed before each update, so when
// update k leaves finite weights whose loss is NaN, the record logged at step
// k already shows train_loss = NaN, update k+1 runs on NaN gradients, and the
// run is reported as diverged at step k+1.
func TestTrainStopsAtFirstNonFiniteLoss(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 6)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, TrainConfig{Optimizer: "adam", LR: 1e308, Steps: 50, LogEvery: 1}, 6, nil)
	if res.Status != Diverged {
		t.Fatalf("status %s, want %s", res.Status, Diverged)
	}
	// Only the record of the update that diverged may show a non-finite
	// loss: no further update is applied.
	for _, r := range res.Log {
		if l := metric(t, r, "train_loss"); (math.IsNaN(l) || math.IsInf(l, 0)) && r.Step != res.Steps {
			t.Errorf("step %d was logged with train_loss = %v, yet training went on to step %d (%s)", r.Step, l, res.Steps, res.Message)
		}
	}
}

func TestTrainInterruptedFromObserver(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 7)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	net, err := NewNetwork("joint", []int{0, 1}, ds, trainModel, 7)
	if err != nil {
		t.Fatal(err)
	}
	tc := TrainConfig{Optimizer: "gd", LR: 1, Steps: 100, LogEvery: 2}
	res, err := Train(ctx, net, ds, tc, 7, func(r Record) error {
		if r.Step == 6 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Interrupted || res.Steps != 6 {
		t.Errorf("status %s after %d steps, want %s after 6", res.Status, res.Steps, Interrupted)
	}
	if !strings.Contains(res.Message, "6 of 100") {
		t.Errorf("message %q does not say how far training got", res.Message)
	}
	if len(res.Log) != 4 || res.Final().Step != 6 {
		t.Errorf("%d records up to step %d, want 4 up to step 6", len(res.Log), res.Final().Step)
	}

	// A context cancelled before training logs step 0 and does no update.
	done, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	res, err = Train(done, net, ds, tc, 7, nil)
	if err != nil || res.Status != Interrupted || res.Steps != 0 || len(res.Log) != 1 {
		t.Errorf("cancelled context: err %v, status %s, %d steps, %d records; want interrupted after 0 steps with 1 record",
			err, res.Status, res.Steps, len(res.Log))
	}
}

func TestTrainReturnsObserverError(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 8)
	net, err := NewNetwork("uni", []int{0}, ds, trainModel, 8)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop here")
	res, err := Train(context.Background(), net, ds, TrainConfig{Optimizer: "gd", LR: 1, Steps: 20, LogEvery: 5}, 8,
		func(r Record) error {
			if r.Step == 10 {
				return stop
			}
			return nil
		})
	if !errors.Is(err, stop) {
		t.Fatalf("Train returned %v, want the observer's error", err)
	}
	if res == nil || res.Final().Step != 10 || res.Steps != 10 {
		t.Errorf("result %+v, want the records up to step 10", res)
	}
}

func TestTrainOptimizersReduceLoss(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 9)
	for _, c := range []struct {
		name  string
		tc    TrainConfig
		dtype string
	}{
		{"gd", TrainConfig{Optimizer: "gd", LR: 1, Steps: 60, LogEvery: 60}, "float64"},
		{"sgd", TrainConfig{Optimizer: "sgd", LR: 1, Steps: 60, BatchSize: 8, LogEvery: 60}, "float64"},
		{"adam", TrainConfig{Optimizer: "adam", LR: 0.01, Steps: 60, BatchSize: 8, LogEvery: 60}, "float64"},
		{"adam full batch", TrainConfig{Optimizer: "adam", LR: 0.01, Steps: 60, LogEvery: 60}, "float64"},
		{"gd float32", TrainConfig{Optimizer: "gd", LR: 1, Steps: 60, LogEvery: 60}, "float32"},
		{"sgd float32", TrainConfig{Optimizer: "sgd", LR: 1, Steps: 60, BatchSize: 7, LogEvery: 60}, "float32"},
		{"adam float32", TrainConfig{Optimizer: "adam", LR: 0.01, Steps: 60, BatchSize: 8, LogEvery: 60}, "float32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mc := trainModel
			mc.DType = c.dtype
			res := trainRun(t, ds, "joint", []int{0, 1}, mc, c.tc, 9, nil)
			if res.Status != Completed || res.Steps != c.tc.Steps || len(res.Log) != 2 {
				t.Fatalf("status %s after %d steps with %d records", res.Status, res.Steps, len(res.Log))
			}
			before, after := metric(t, res.Log[0], "train_loss"), metric(t, res.Final(), "train_loss")
			t.Logf("train loss %.4f -> %.4f, train acc %.2f", before, after, metric(t, res.Final(), "train_acc"))
			if !(after < 0.8*before) {
				t.Errorf("train loss %v -> %v, want a reduction by at least 20%%", before, after)
			}
		})
	}
}

func TestTrainLogSchedule(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 10)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, TrainConfig{Optimizer: "gd", LR: 1, Steps: 25, LogEvery: 10}, 10, nil)
	var steps []int
	for _, r := range res.Log {
		steps = append(steps, r.Step)
	}
	if want := []int{0, 10, 20, 25}; !reflect.DeepEqual(steps, want) {
		t.Errorf("logged steps %v, want %v", steps, want)
	}
	var names []string
	for _, m := range res.Final().Metrics {
		names = append(names, m.Name)
	}
	for _, want := range []string{"train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc",
		"enc_test_acc_m0", "enc_test_acc_m1", "test_acc_g11", "test_acc_g10", "test_acc_g01", "test_acc_g00",
		"align_m0_pos", "align_m0_neg", "align_m0", "align_m1_pos", "align_m1_neg", "align_m1", "memo_m0", "memo_m1"} {
		if _, ok := res.Final().Get(want); !ok {
			t.Errorf("no metric %s in %v", want, names)
		}
	}
	for _, r := range res.Log {
		if len(r.Metrics) != len(names) {
			t.Errorf("step %d logs %d metrics, the last step %d", r.Step, len(r.Metrics), len(names))
		}
		for i, m := range r.Metrics {
			if i < len(names) && m.Name != names[i] {
				t.Errorf("step %d: metric %d is %s, at the last step %s", r.Step, i, m.Name, names[i])
			}
		}
	}
}

func TestTrainConfigValidate(t *testing.T) {
	t.Parallel()
	good := TrainConfig{Optimizer: "gd", LR: 1, Steps: 10, LogEvery: 5}
	const nTrain = 20
	if err := good.Validate(nTrain); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, ok := range []TrainConfig{
		{Optimizer: "gd", LR: 1, Steps: 1, LogEvery: 100, BatchSize: nTrain}, // gd with the full batch spelled out
		{Optimizer: "sgd", LR: 0.1, Steps: 1, LogEvery: 1, BatchSize: 1},
		{Optimizer: "sgd", LR: 0.1, Steps: 1, LogEvery: 1, BatchSize: nTrain - 1},
		{Optimizer: "adam", LR: 1e-3, Steps: 1, LogEvery: 1},
		{Optimizer: "adam", LR: 1e-3, Steps: 1, LogEvery: 1, BatchSize: 5},
		{Optimizer: "adam", LR: 1e-3, Steps: 1, LogEvery: 1, BatchSize: nTrain},
	} {
		if err := ok.Validate(nTrain); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	tests := []struct {
		name  string
		edit  func(*TrainConfig)
		field string
	}{
		{"unknown optimizer", func(c *TrainConfig) { c.Optimizer = "rmsprop" }, "optimizer"},
		{"empty optimizer", func(c *TrainConfig) { c.Optimizer = "" }, "optimizer"},
		{"zero lr", func(c *TrainConfig) { c.LR = 0 }, "lr"},
		{"negative lr", func(c *TrainConfig) { c.LR = -0.1 }, "lr"},
		{"NaN lr", func(c *TrainConfig) { c.LR = math.NaN() }, "lr"},
		{"infinite lr", func(c *TrainConfig) { c.LR = math.Inf(1) }, "lr"},
		{"zero steps", func(c *TrainConfig) { c.Steps = 0 }, "steps"},
		{"negative steps", func(c *TrainConfig) { c.Steps = -3 }, "steps"},
		{"zero log-every", func(c *TrainConfig) { c.LogEvery = 0 }, "log-every"},
		{"negative batch", func(c *TrainConfig) { c.BatchSize = -1 }, "batch-size"},
		{"gd with a mini-batch", func(c *TrainConfig) { c.BatchSize = 5 }, "batch-size"},
		{"gd with a batch above n", func(c *TrainConfig) { c.BatchSize = nTrain + 1 }, "batch-size"},
		{"sgd with batch 0", func(c *TrainConfig) { c.Optimizer = "sgd" }, "batch-size"},
		{"sgd with the full batch", func(c *TrainConfig) { c.Optimizer, c.BatchSize = "sgd", nTrain }, "batch-size"},
		{"sgd with a batch above n", func(c *TrainConfig) { c.Optimizer, c.BatchSize = "sgd", nTrain+5 }, "batch-size"},
		{"adam with a batch above n", func(c *TrainConfig) { c.Optimizer, c.BatchSize = "adam", nTrain+1 }, "batch-size"},
	}
	for _, tt := range tests {
		c := good
		tt.edit(&c)
		err := c.Validate(nTrain)
		var fe *check.FieldError
		switch {
		case err == nil:
			t.Errorf("%s: %+v accepted", tt.name, c)
		case !errors.As(err, &fe):
			t.Errorf("%s: error %v is not a *check.FieldError", tt.name, err)
		case fe.Field != tt.field || !strings.Contains(err.Error(), tt.field):
			t.Errorf("%s: error %q names field %q, want %q", tt.name, err, fe.Field, tt.field)
		}
	}
	// Train refuses a bad config before it touches the network.
	ds := trainData(t, 1)
	net, err := NewNetwork("n", []int{0}, ds, trainModel, 1)
	if err != nil {
		t.Fatal(err)
	}
	bad := good
	bad.Optimizer = "sgd"
	var fe *check.FieldError
	if _, err := Train(context.Background(), net, ds, bad, 1, nil); !errors.As(err, &fe) || fe.Field != "batch-size" {
		t.Errorf("Train with sgd and batch 0 returned %v, want a batch-size error", err)
	}
}

func TestModelConfigValidate(t *testing.T) {
	t.Parallel()
	if err := trainModel.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, ok := range []func(*ModelConfig){
		func(c *ModelConfig) { c.DType = "float32" },
		func(c *ModelConfig) { c.Encoder.Sigma0 = 0 },
		func(c *ModelConfig) { c.Encoder.Q = 2 },
		func(c *ModelConfig) { c.Encoder.Q = 2.5 },
	} {
		c := trainModel
		ok(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	tests := []struct {
		name  string
		edit  func(*ModelConfig)
		field string
	}{
		{"unknown encoder", func(c *ModelConfig) { c.Encoder.Kind = "mlp" }, "encoder"},
		{"empty encoder", func(c *ModelConfig) { c.Encoder.Kind = "" }, "encoder"},
		{"unknown dtype", func(c *ModelConfig) { c.DType = "float16" }, "dtype"},
		{"empty dtype", func(c *ModelConfig) { c.DType = "" }, "dtype"},
		{"zero neurons", func(c *ModelConfig) { c.Encoder.Neurons = 0 }, "neurons"},
		{"negative neurons", func(c *ModelConfig) { c.Encoder.Neurons = -2 }, "neurons"},
		{"q below 2", func(c *ModelConfig) { c.Encoder.Q = 1.5 }, "q"},
		{"q zero", func(c *ModelConfig) { c.Encoder.Q = 0 }, "q"},
		{"q NaN", func(c *ModelConfig) { c.Encoder.Q = math.NaN() }, "q"},
		{"q infinite", func(c *ModelConfig) { c.Encoder.Q = math.Inf(1) }, "q"},
		{"rho zero", func(c *ModelConfig) { c.Encoder.Rho = 0 }, "rho"},
		{"rho negative", func(c *ModelConfig) { c.Encoder.Rho = -0.1 }, "rho"},
		{"rho NaN", func(c *ModelConfig) { c.Encoder.Rho = math.NaN() }, "rho"},
		{"sigma0 negative", func(c *ModelConfig) { c.Encoder.Sigma0 = -0.01 }, "sigma0"},
		{"sigma0 infinite", func(c *ModelConfig) { c.Encoder.Sigma0 = math.Inf(1) }, "sigma0"},
	}
	ds := trainData(t, 1)
	for _, tt := range tests {
		c := trainModel
		tt.edit(&c)
		err := c.Validate()
		var fe *check.FieldError
		switch {
		case err == nil:
			t.Errorf("%s: %+v accepted", tt.name, c)
			continue
		case !errors.As(err, &fe):
			t.Errorf("%s: error %v is not a *check.FieldError", tt.name, err)
		case fe.Field != tt.field || !strings.Contains(err.Error(), tt.field):
			t.Errorf("%s: error %q names field %q, want %q", tt.name, err, fe.Field, tt.field)
		}
		// NewNetwork validates the config too.
		if _, err := NewNetwork("n", []int{0}, ds, c, 1); !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: NewNetwork returned %v, want a %s error", tt.name, err, tt.field)
		}
	}
}

func TestNewNetworkRejectsBadModalities(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 1)
	for _, mods := range [][]int{nil, {}, {2}, {-1}, {0, 0}, {1, 0, 1}} {
		if _, err := NewNetwork("n", mods, ds, trainModel, 1); err == nil {
			t.Errorf("modalities %v accepted", mods)
		}
	}
	reg := *ds
	reg.Task, reg.Classes = dataset.Regression, 0
	if _, err := NewNetwork("n", []int{0}, &reg, trainModel, 1); err == nil {
		t.Error("a regression dataset accepted")
	}
}

// Every logged metric agrees with a computation from the weights that does
// not use gorgonia.
func TestRecordMetricsMatchReference(t *testing.T) {
	t.Parallel()
	for _, mods := range [][]int{{1}, {0, 1}} {
		ds := trainData(t, 11)
		net, err := NewNetwork("n", mods, ds, trainModel, 11)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Train(context.Background(), net, ds, TrainConfig{Optimizer: "gd", LR: 1, Steps: 15, LogEvery: 100}, 11, nil)
		if err != nil || res.Status != Completed {
			t.Fatalf("%v %v", err, res)
		}
		rec := res.Final() // logged with the weights net holds now
		want := map[string]float64{}
		for _, ns := range ds.Splits() {
			enc := referenceScores(net, ns.Split)
			f := make([]float64, ns.Split.Len())
			for _, fr := range enc {
				for i, v := range fr {
					f[i] += v
				}
			}
			loss, acc := 0.0, 0.0
			for i, y := range ns.Split.Labels {
				loss += softplus(-y * f[i])
				if y*f[i] > 0 {
					acc++
				}
			}
			n := float64(ns.Split.Len())
			want[ns.Name+"_loss"], want[ns.Name+"_acc"] = loss/n, acc/n
			if ns.Name != "test" {
				continue
			}
			if len(mods) > 1 {
				for k, r := range mods {
					right := 0.0
					for i, y := range ns.Split.Labels {
						if y*enc[k][i] > 0 {
							right++
						}
					}
					want[fmt.Sprintf("enc_test_acc_m%d", r)] = right / n
				}
			}
			for _, g := range ds.Groups() {
				right, total := 0.0, 0.0
				for i, y := range ns.Split.Labels {
					if ns.Split.Group(i) == g {
						total++
						if y*f[i] > 0 {
							right++
						}
					}
				}
				want["test_acc_g"+g] = right / total
			}
		}
		for k, r := range mods {
			e := net.Encoders[k].(*PatchEncoder)
			w, cols, v := float64s(e.W), 2*e.Neurons, ds.Modalities[r].Feature
			best := [2]float64{math.Inf(-1), math.Inf(-1)}
			for j := 0; j < cols; j++ {
				dot := 0.0
				for i := range v {
					dot += w[j*e.Dim+i] * v[i]
				}
				if j < e.Neurons {
					best[0] = math.Max(best[0], dot)
				} else {
					best[1] = math.Max(best[1], -dot)
				}
			}
			name := fmt.Sprintf("align_m%d", r)
			want[name+"_pos"], want[name+"_neg"], want[name] = best[0], best[1], (best[0]+best[1])/2
			memo := 0.0
			sp := ds.Train
			for i, y := range sp.Labels {
				own := 0
				if y < 0 {
					own = e.Neurons
				}
				m := math.Inf(-1)
				for p := 0; p < e.Patches; p++ {
					if p == sp.SignalPatch[r][i] {
						continue
					}
					for j := own; j < own+e.Neurons; j++ {
						z := 0.0
						for c := 0; c < e.Dim; c++ {
							z += w[j*e.Dim+c] * sp.Inputs[r][(i*e.Patches+p)*e.Dim+c]
						}
						m = math.Max(m, z)
					}
				}
				memo += m
			}
			want[fmt.Sprintf("memo_m%d", r)] = memo / float64(sp.Len())
		}
		if len(rec.Metrics) != len(want) {
			t.Errorf("%v: %d metrics logged, want %d", mods, len(rec.Metrics), len(want))
		}
		for name, w := range want {
			if got := metric(t, rec, name); !closeTo(got, w, 1e-9, 1e-12) {
				t.Errorf("%v: %s = %v, want %v", mods, name, got, w)
			}
		}
	}
}

// Mini-batches hold the right samples, cover the training set once per pass
// and give the loss of those samples.
func TestMiniBatches(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 12)
	n := ds.Train.Len()
	for _, dtype := range []string{"float64", "float32"} {
		mc := trainModel
		mc.DType = dtype
		net, err := NewNetwork("n", []int{1, 0}, ds, mc, 12)
		if err != nil {
			t.Fatal(err)
		}
		const batch = 8 // 3 batches per pass over 30 samples, 6 left out
		tr, err := newTrainer(net, ds, TrainConfig{Optimizer: "sgd", LR: 1, Steps: 1, BatchSize: batch, LogEvery: 1}, rng.New(12, "batches"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(tr.close)
		tol := 1e-12
		if dtype == "float32" {
			tol = 1e-5
		}
		seen := map[int]bool{}
		for step := 0; step < 9; step++ {
			if step%3 == 0 {
				seen = map[int]bool{}
			}
			tr.fillBatch()
			if err := tr.update.run(); err != nil {
				t.Fatal(err)
			}
			// Find each batch row of modality 0 (read by encoder 1) in the
			// training set: float64 rows are copies, float32 rows roundings.
			sub := &dataset.Split{Inputs: make([][]float64, len(ds.Modalities))}
			var idx []int
			labels := values(tr.update.labels)
			size0 := ds.Modalities[0].Size()
			batch0 := values(tr.update.inputs[1])
			for k := 0; k < batch; k++ {
				row := batch0[k*size0 : (k+1)*size0]
				found := -1
				for s := 0; s < n && found < 0; s++ {
					same := true
					for c, v := range ds.Train.Inputs[0][s*size0 : (s+1)*size0] {
						if (dtype == "float64" && row[c] != v) || float32(row[c]) != float32(v) {
							same = false
							break
						}
					}
					if same {
						found = s
					}
				}
				if found < 0 {
					t.Fatalf("%s step %d: batch row %d is no training sample", dtype, step, k)
				}
				if seen[found] {
					t.Errorf("%s step %d: sample %d twice in one pass", dtype, step, found)
				}
				seen[found] = true
				if labels[k] != ds.Train.Labels[found] {
					t.Errorf("%s step %d: row %d has label %v, sample %d has %v", dtype, step, k, labels[k], found, ds.Train.Labels[found])
				}
				idx = append(idx, found)
			}
			for r := range ds.Modalities {
				size := ds.Modalities[r].Size()
				for _, s := range idx {
					sub.Inputs[r] = append(sub.Inputs[r], ds.Train.Inputs[r][s*size:(s+1)*size]...)
				}
			}
			for _, s := range idx {
				sub.Labels = append(sub.Labels, ds.Train.Labels[s])
			}
			// The encoder of modality 1 reads the batch of modality 1 too.
			size1 := ds.Modalities[1].Size()
			for k, s := range idx {
				got := values(tr.update.inputs[0])[k*size1 : (k+1)*size1]
				for c, v := range ds.Train.Inputs[1][s*size1 : (s+1)*size1] {
					if !closeTo(got[c], v, 1e-7, 0) {
						t.Fatalf("%s step %d: modality 1 of row %d is not sample %d's", dtype, step, k, s)
					}
				}
			}
			if got, want := scalar(tr.update.loss), referenceLoss(net, sub); !closeTo(got, want, tol, 0) {
				t.Errorf("%s step %d: batch loss %v, reference %v", dtype, step, got, want)
			}
		}
	}
}

func TestOptimizerSteps(t *testing.T) {
	t.Parallel()
	w0 := []float64{1, -2, 0.5, 0}
	grads := [][]float64{{0.1, -0.2, 3, 0}, {-0.1, 0.2, 1, 0}, {0.3, 0.3, -2, 0}}
	for _, dtype := range []string{"float64", "float32"} {
		dt := dtypes[dtype]
		tol := 1e-12
		if dtype == "float32" {
			tol = 1e-6
		}
		// Gradient descent: w - lr·g.
		w := newDense(dt, []int{2, 2}, append([]float64(nil), w0...))
		(&GradientDescent{LR: 0.5}).Step([]*tensor.Dense{w}, []*tensor.Dense{newDense(dt, []int{2, 2}, append([]float64(nil), grads[0]...))})
		for k, v := range float64s(w) {
			if want := w0[k] - 0.5*grads[0][k]; !closeTo(v, want, tol, 0) {
				t.Errorf("%s gd: w[%d] = %v, want %v", dtype, k, v, want)
			}
		}
		// Adam, against the textbook update with bias-corrected moments.
		w = newDense(dt, []int{2, 2}, append([]float64(nil), w0...))
		opt := &Adam{LR: 0.01}
		want := append([]float64(nil), w0...)
		m, v := make([]float64, 4), make([]float64, 4)
		for step, g := range grads {
			opt.Step([]*tensor.Dense{w}, []*tensor.Dense{newDense(dt, []int{2, 2}, append([]float64(nil), g...))})
			tt := float64(step + 1)
			for k := range want {
				m[k] = 0.9*m[k] + 0.1*g[k]
				v[k] = 0.999*v[k] + 0.001*g[k]*g[k]
				mh, vh := m[k]/(1-math.Pow(0.9, tt)), v[k]/(1-math.Pow(0.999, tt))
				want[k] -= 0.01 * mh / (math.Sqrt(vh) + 1e-8)
			}
			for k, got := range float64s(w) {
				// The folded bias correction moves eps slightly: 1e-8 relative.
				if !closeTo(got, want[k], 1e-7, tol) {
					t.Errorf("%s adam step %d: w[%d] = %v, want %v", dtype, step+1, k, got, want[k])
				}
			}
		}
		// A first Adam step moves every weight with a non-zero gradient by lr.
		if got := float64s(w)[3]; got != 0 {
			t.Errorf("%s adam: a weight with zero gradient moved to %v", dtype, got)
		}
	}
}

// The Record documentation lists the metrics in the order train_loss,
// train_acc, val_loss, val_acc, test_loss, test_acc, enc_test_acc_m<r>,
// test_acc_g<pattern>, align_m<r>_pos/_neg, align_m<r>, memo_m<r>.
func TestRecordMetricOrderMatchesDoc(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 13)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, TrainConfig{Optimizer: "gd", LR: 1, Steps: 1, LogEvery: 1}, 13, nil)
	want := []string{"train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc",
		"enc_test_acc_m0", "enc_test_acc_m1", "test_acc_g11", "test_acc_g10", "test_acc_g01", "test_acc_g00",
		"align_m0_pos", "align_m0_neg", "align_m0", "align_m1_pos", "align_m1_neg", "align_m1", "memo_m0", "memo_m1"}
	var got []string
	for _, m := range res.Final().Metrics {
		got = append(got, m.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("metrics in the order\n%v\nthe documentation says\n%v", got, want)
	}
}
