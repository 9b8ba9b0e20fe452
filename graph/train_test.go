package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
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

// trainModel is the paper's network for two modalities; the tests set its
// optimizer and learning rate with trainOpts.apply.
var trainModel = PaperModel(2, PatchConfig{Neurons: 4, Q: 3, Rho: 0.1, Sigma0: 0.05}, "gd", 1)

// trainOpts says how a test trains: the optimizer and learning rate that the
// model configuration holds per encoder and for the fusion, and the
// TrainConfig.
type trainOpts struct {
	Optimizer                  string
	LR                         float64
	Steps, BatchSize, LogEvery int
}

// apply returns a copy of mc whose encoders and fusion all train with o's
// optimizer and learning rate, and o's TrainConfig.
func (o trainOpts) apply(mc ModelConfig) (ModelConfig, TrainConfig) {
	mc = cloneModel(mc)
	for r := range mc.Encoders {
		mc.Encoders[r].Optimizer, mc.Encoders[r].LR = o.Optimizer, o.LR
	}
	mc.Fusion.Optimizer, mc.Fusion.LR = o.Optimizer, o.LR
	return mc, TrainConfig{Steps: o.Steps, BatchSize: o.BatchSize, LogEvery: o.LogEvery}
}

// cloneModel is a deep copy of mc, which a test may edit without touching
// the configuration it came from.
func cloneModel(mc ModelConfig) ModelConfig {
	mc.Encoders = slices.Clone(mc.Encoders)
	for r := range mc.Encoders {
		e := &mc.Encoders[r]
		e.MLP.Hidden = slices.Clone(e.MLP.Hidden)
		e.MLP.LayerScale = slices.Clone(e.MLP.LayerScale)
		e.Conv.Channels = slices.Clone(e.Conv.Channels)
	}
	mc.Fusion.Hidden = slices.Clone(mc.Fusion.Hidden)
	return mc
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
func trainRun(t testing.TB, ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, o trainOpts, seed uint64, observe Observer) *Result {
	t.Helper()
	res, err := tryTrain(ds, name, modalities, mc, o, seed, observe)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tryTrain is trainRun for goroutines other than the test's.
func tryTrain(ds *dataset.Dataset, name string, modalities []int, mc ModelConfig, o trainOpts, seed uint64, observe Observer) (*Result, error) {
	mc, tc := o.apply(mc)
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

// sameBits makes NaN metrics comparable (reflect.DeepEqual never equates
// NaN, which marks a head that has not escaped yet): it returns a copy of
// the result with every metric replaced by its bit pattern.
func sameBits(r *Result) any {
	type metric struct {
		Name string
		Bits uint64
	}
	out := struct {
		Network, Status, Message string
		Steps                    int
		Log                      [][]metric
	}{r.Network, string(r.Status), r.Message, r.Steps, nil}
	for _, rec := range r.Log {
		ms := []metric{{"step", uint64(rec.Step)}}
		for _, m := range rec.Metrics {
			ms = append(ms, metric{m.Name, math.Float64bits(m.Value)})
		}
		out.Log = append(out.Log, ms)
	}
	return out
}

var determinismConfigs = []struct {
	name string
	tc   trainOpts
}{
	{"gd", trainOpts{Optimizer: "gd", LR: 1, Steps: 30, LogEvery: 10}},
	{"sgd", trainOpts{Optimizer: "sgd", LR: 0.5, Steps: 30, BatchSize: 8, LogEvery: 10}},
	{"adam", trainOpts{Optimizer: "adam", LR: 0.01, Steps: 30, BatchSize: 8, LogEvery: 10}},
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
			if !reflect.DeepEqual(sameBits(a), sameBits(b)) {
				t.Errorf("two runs of the same config and seed differ:\n%v\n%v", a.Log, b.Log)
			}
			if other := run(2); reflect.DeepEqual(sameBits(a), sameBits(other)) {
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
				if !reflect.DeepEqual(sameBits(got), sameBits(want)) {
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
		a.Network, b.Network = "", ""
		if same := reflect.DeepEqual(sameBits(a), sameBits(b)); same != (c.tc.BatchSize == 0) {
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
	if sd := math.Sqrt(sum2 / float64(n)); math.Abs(sd-trainModel.Encoders[0].Sigma0) > 0.2*trainModel.Encoders[0].Sigma0 {
		t.Errorf("initial weights have standard deviation %v, want about sigma0 = %v", sd, trainModel.Encoders[0].Sigma0)
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
		tc    trainOpts
		dtype string
	}{
		{"adam full batch", trainOpts{Optimizer: "adam", LR: 1e308, Steps: 50, LogEvery: 1}, "float64"},
		{"adam mini-batch", trainOpts{Optimizer: "adam", LR: 1e308, BatchSize: 10, Steps: 50, LogEvery: 1}, "float64"},
		{"adam float32", trainOpts{Optimizer: "adam", LR: 1e38, Steps: 50, LogEvery: 1}, "float32"},
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
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, trainOpts{Optimizer: "gd", LR: 1e300, Steps: 5, LogEvery: 1}, 6, nil)
	if res.Status != Completed || metric(t, res.Final(), SplitLoss("train")) != 0 {
		t.Errorf("status %s (%s), train loss %v; want completed with loss 0", res.Status, res.Message, metric(t, res.Final(), SplitLoss("train")))
	}
}

// The divergence check reads the loss computed before each update, so when
// update k leaves finite weights whose loss is NaN, the record logged at step
// k already shows train_loss = NaN, update k+1 runs on NaN gradients, and the
// run is reported as diverged at step k+1.
func TestTrainStopsAtFirstNonFiniteLoss(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 6)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, trainOpts{Optimizer: "adam", LR: 1e308, Steps: 50, LogEvery: 1}, 6, nil)
	if res.Status != Diverged {
		t.Fatalf("status %s, want %s", res.Status, Diverged)
	}
	// Only the record of the update that diverged may show a non-finite
	// loss: no further update is applied.
	for _, r := range res.Log {
		if l := metric(t, r, SplitLoss("train")); (math.IsNaN(l) || math.IsInf(l, 0)) && r.Step != res.Steps {
			t.Errorf("step %d was logged with train_loss = %v, yet training went on to step %d (%s)", r.Step, l, res.Steps, res.Message)
		}
	}
}

func TestTrainInterruptedFromObserver(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 7)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mc, tc := trainOpts{Optimizer: "gd", LR: 1, Steps: 100, LogEvery: 2}.apply(trainModel)
	net, err := NewNetwork("joint", []int{0, 1}, ds, mc, 7)
	if err != nil {
		t.Fatal(err)
	}
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
	mc, tc := trainOpts{Optimizer: "gd", LR: 1, Steps: 20, LogEvery: 5}.apply(trainModel)
	net, err := NewNetwork("uni", []int{0}, ds, mc, 8)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop here")
	res, err := Train(context.Background(), net, ds, tc, 8,
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
		tc    trainOpts
		dtype string
	}{
		{"gd", trainOpts{Optimizer: "gd", LR: 1, Steps: 60, LogEvery: 60}, "float64"},
		{"sgd", trainOpts{Optimizer: "sgd", LR: 1, Steps: 60, BatchSize: 8, LogEvery: 60}, "float64"},
		{"adam", trainOpts{Optimizer: "adam", LR: 0.01, Steps: 60, BatchSize: 8, LogEvery: 60}, "float64"},
		{"adam full batch", trainOpts{Optimizer: "adam", LR: 0.01, Steps: 60, LogEvery: 60}, "float64"},
		{"gd float32", trainOpts{Optimizer: "gd", LR: 1, Steps: 60, LogEvery: 60}, "float32"},
		{"sgd float32", trainOpts{Optimizer: "sgd", LR: 1, Steps: 60, BatchSize: 7, LogEvery: 60}, "float32"},
		{"adam float32", trainOpts{Optimizer: "adam", LR: 0.01, Steps: 60, BatchSize: 8, LogEvery: 60}, "float32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mc := trainModel
			mc.DType = c.dtype
			res := trainRun(t, ds, "joint", []int{0, 1}, mc, c.tc, 9, nil)
			if res.Status != Completed || res.Steps != c.tc.Steps || len(res.Log) != 2 {
				t.Fatalf("status %s after %d steps with %d records", res.Status, res.Steps, len(res.Log))
			}
			before, after := metric(t, res.Log[0], SplitLoss("train")), metric(t, res.Final(), SplitLoss("train"))
			t.Logf("train loss %.4f -> %.4f, train acc %.2f", before, after, metric(t, res.Final(), SplitAcc("train")))
			if !(after < 0.8*before) {
				t.Errorf("train loss %v -> %v, want a reduction by at least 20%%", before, after)
			}
		})
	}
}

func TestTrainLogSchedule(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 10)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, trainOpts{Optimizer: "gd", LR: 1, Steps: 25, LogEvery: 10}, 10, nil)
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
	for _, want := range []string{SplitLoss("train"), SplitAcc("train"), SplitLoss("val"), ValAcc, TestLoss, TestAcc,
		EncTestAcc(0), EncTestAcc(1), TestAccGroup("11"), TestAccGroup("10"), TestAccGroup("01"), TestAccGroup("00"),
		AlignHead(0, HeadPos), AlignHead(0, HeadNeg), Align(0), AlignHead(1, HeadPos), AlignHead(1, HeadNeg), Align(1), Contrib(0), Contrib(1),
		Memo(0), Memo(1)} {
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

func TestLogsAt(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		schedule string
		steps    int
		every    int
		want     []int
	}{
		{"", 25, 10, []int{0, 10, 20, 25}},
		{LogScheduleEvery, 25, 10, []int{0, 10, 20, 25}},
		{LogScheduleGeometric, 25, 10, []int{0, 1, 2, 4, 8, 10, 16, 20, 25}},
		{LogScheduleGeometric, 70, 20, []int{0, 1, 2, 4, 8, 16, 20, 32, 40, 60, 64, 70}},
		{LogScheduleGeometric, 3, 50, []int{0, 1, 2, 3}},
	} {
		t.Run(fmt.Sprintf("%s/%d/%d", c.schedule, c.steps, c.every), func(t *testing.T) {
			tc := TrainConfig{Steps: c.steps, LogEvery: c.every, LogSchedule: c.schedule}
			var got []int
			for step := 0; step <= c.steps; step++ {
				if tc.LogsAt(step) {
					got = append(got, step)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("logged steps %v, want %v", got, c.want)
			}
		})
	}
}

// The geometric schedule logs more steps and changes nothing else: the
// records at the steps both schedules log, escape steps included, are the
// same bit for bit.
func TestTrainGeometricLogSchedule(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 10)
	o := trainOpts{Optimizer: "gd", LR: 1, Steps: 25, LogEvery: 10}
	every := trainRun(t, ds, "joint", []int{0, 1}, trainModel, o, 10, nil)
	mc, tc := o.apply(trainModel)
	tc.LogSchedule = LogScheduleGeometric
	net, err := NewNetwork("joint", []int{0, 1}, ds, mc, 10)
	if err != nil {
		t.Fatal(err)
	}
	geo, err := Train(context.Background(), net, ds, tc, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	byStep := map[int]Record{}
	for _, r := range geo.Log {
		steps = append(steps, r.Step)
		byStep[r.Step] = r
	}
	if want := []int{0, 1, 2, 4, 8, 10, 16, 20, 25}; !reflect.DeepEqual(steps, want) {
		t.Fatalf("logged steps %v, want %v", steps, want)
	}
	for _, r := range every.Log {
		g := byStep[r.Step]
		if len(g.Metrics) != len(r.Metrics) {
			t.Fatalf("step %d: %d metrics, %d with the default schedule", r.Step, len(g.Metrics), len(r.Metrics))
		}
		for i, m := range r.Metrics {
			if gm := g.Metrics[i]; gm.Name != m.Name || math.Float64bits(gm.Value) != math.Float64bits(m.Value) {
				t.Errorf("step %d: %s = %v, %v with the default schedule", r.Step, gm.Name, gm.Value, m.Value)
			}
		}
	}
}

func TestTrainConfigValidate(t *testing.T) {
	t.Parallel()
	good := TrainConfig{Steps: 10, LogEvery: 5}
	const nTrain = 20
	if err := good.validate(nTrain, []string{"gd"}, "late"); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, ok := range []struct {
		c          TrainConfig
		optimizers []string
	}{
		{TrainConfig{Steps: 1, LogEvery: 100, BatchSize: nTrain}, []string{"gd"}}, // gd with the full batch spelled out
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: 1}, []string{"sgd"}},
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: nTrain - 1}, []string{"sgd"}},
		{TrainConfig{Steps: 1, LogEvery: 1}, []string{"adam"}},
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: 5}, []string{"adam"}},
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: nTrain}, []string{"adam"}},
		// One name per encoder and one for the fusion.
		{TrainConfig{Steps: 1, LogEvery: 1}, []string{"gd", "adam", "gd"}},
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: 5}, []string{"sgd", "adam", "sgd"}},
		// Without optimizers only the range of the batch size matters.
		{TrainConfig{Steps: 1, LogEvery: 1, BatchSize: 5}, nil},
		{TrainConfig{Steps: 1, LogEvery: 1}, nil},
		{TrainConfig{Steps: 1, LogEvery: 1, LogSchedule: LogScheduleEvery}, nil},
		{TrainConfig{Steps: 1, LogEvery: 1, LogSchedule: LogScheduleGeometric}, nil},
	} {
		if err := ok.c.validate(nTrain, ok.optimizers, "late"); err != nil {
			t.Errorf("%+v with %q: %v", ok.c, ok.optimizers, err)
		}
	}
	tests := []struct {
		name       string
		edit       func(*TrainConfig)
		optimizers []string
		field      string
	}{
		{"zero steps", func(c *TrainConfig) { c.Steps = 0 }, []string{"gd"}, "steps"},
		{"negative steps", func(c *TrainConfig) { c.Steps = -3 }, []string{"adam"}, "steps"},
		{"zero log-every", func(c *TrainConfig) { c.LogEvery = 0 }, []string{"gd"}, "log-every"},
		{"negative log-every", func(c *TrainConfig) { c.LogEvery = -1 }, nil, "log-every"},
		{"unknown log schedule", func(c *TrainConfig) { c.LogSchedule = "linear" }, nil, "log-schedule"},
		{"negative batch", func(c *TrainConfig) { c.BatchSize = -1 }, []string{"adam"}, "batch-size"},
		{"gd with a mini-batch", func(c *TrainConfig) { c.BatchSize = 5 }, []string{"gd"}, "batch-size"},
		{"gd with a batch above n", func(c *TrainConfig) { c.BatchSize = nTrain + 1 }, []string{"gd"}, "batch-size"},
		{"sgd with batch 0", func(c *TrainConfig) {}, []string{"sgd"}, "batch-size"},
		{"sgd with the full batch", func(c *TrainConfig) { c.BatchSize = nTrain }, []string{"sgd"}, "batch-size"},
		{"sgd with a batch above n", func(c *TrainConfig) { c.BatchSize = nTrain + 5 }, []string{"sgd"}, "batch-size"},
		{"adam with a batch above n", func(c *TrainConfig) { c.BatchSize = nTrain + 1 }, []string{"adam"}, "batch-size"},
		{"a batch above n without optimizers", func(c *TrainConfig) { c.BatchSize = nTrain + 1 }, nil, "batch-size"},
		// Every part's optimizer must accept the batch.
		{"gd and sgd with the full batch", func(c *TrainConfig) {}, []string{"gd", "sgd"}, "batch-size"},
		{"sgd and gd with a mini-batch", func(c *TrainConfig) { c.BatchSize = 5 }, []string{"sgd", "gd"}, "batch-size"},
		{"adam encoders and a gd fusion with a mini-batch", func(c *TrainConfig) { c.BatchSize = 5 }, []string{"adam", "adam", "gd"}, "batch-size"},
	}
	for _, tt := range tests {
		c := good
		tt.edit(&c)
		err := c.validate(nTrain, tt.optimizers, "late")
		var fe *check.FieldError
		switch {
		case err == nil:
			t.Errorf("%s: %+v with %q accepted", tt.name, c, tt.optimizers)
		case !errors.As(err, &fe):
			t.Errorf("%s: error %v is not a *check.FieldError", tt.name, err)
		case fe.Field != tt.field || !strings.Contains(err.Error(), tt.field):
			t.Errorf("%s: error %q names field %q, want %q", tt.name, err, fe.Field, tt.field)
		case fe.Index != -1:
			t.Errorf("%s: error %q names modality %d, want none", tt.name, err, fe.Index)
		}
	}

	// Train refuses a bad config before it touches the network, checking
	// the optimizer of every part: sgd with batch 0...
	ds := trainData(t, 1)
	mc, tc := trainOpts{Optimizer: "sgd", LR: 1, Steps: 10, LogEvery: 5}.apply(trainModel)
	net, err := NewNetwork("n", []int{0}, ds, mc, 1)
	if err != nil {
		t.Fatal(err)
	}
	var fe *check.FieldError
	if _, err := Train(context.Background(), net, ds, tc, 1, nil); !errors.As(err, &fe) || fe.Field != "batch-size" {
		t.Errorf("Train with sgd and batch 0 returned %v, want a batch-size error", err)
	}
	// ...and mini-batches for adam encoders whose concatenation fusion
	// trains by gd.
	mc, tc = trainOpts{Optimizer: "adam", LR: 0.01, Steps: 10, BatchSize: 5, LogEvery: 5}.apply(trainModel)
	mc.Fusion = FusionConfig{Kind: "concat", Activation: "relu", Scale: 1, Optimizer: "gd", LR: 1}
	if net, err = NewNetwork("n", []int{0, 1}, ds, mc, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := Train(context.Background(), net, ds, tc, 1, nil); !errors.As(err, &fe) || fe.Field != "batch-size" || !strings.Contains(err.Error(), "gd") {
		t.Errorf("Train with a gd fusion and batch 5 returned %v, want a batch-size error about gd", err)
	}
	mc.Fusion.Optimizer = "adam"
	if net, err = NewNetwork("n", []int{0, 1}, ds, mc, 1); err != nil {
		t.Fatal(err)
	}
	if res, err := Train(context.Background(), net, ds, tc, 1, nil); err != nil || res.Status != Completed {
		t.Errorf("Train with adam everywhere and batch 5: %v, %v", res, err)
	}
}

// validateModel is a valid configuration that every part of ModelConfig.Validate
// reads: a patch encoder, an MLP encoder and a concatenation fusion.
func validateModel() ModelConfig {
	mc := cloneModel(trainModel)
	mc.Encoders[1] = EncoderConfig{Kind: "mlp", Optimizer: "adam", LR: 0.01,
		MLP: MLPConfig{Hidden: []int{4, 3}, Activation: "relu", Scale: 1}}
	return mc
}

func TestModelConfigValidate(t *testing.T) {
	t.Parallel()
	convEnc := EncoderConfig{Kind: "conv", Optimizer: "gd", LR: 1,
		Conv: ConvConfig{Channels: []int{2, 3}, Kernel: 3, Activation: "tanh", Scale: 1, Input: ConvInputAuto}}
	concat := FusionConfig{Kind: "concat", Hidden: []int{4}, Activation: "tanh", Scale: 1, Optimizer: "gd", LR: 0.5}
	for _, base := range []ModelConfig{trainModel, validateModel()} {
		if err := base.Validate(); err != nil {
			t.Fatalf("good config %+v: %v", base, err)
		}
	}
	for i, ok := range []func(*ModelConfig){
		func(c *ModelConfig) { c.DType = "float32" },
		func(c *ModelConfig) { c.Encoders[0].Sigma0 = 0 },
		func(c *ModelConfig) { c.Encoders[0].Q = 2 },
		func(c *ModelConfig) { c.Encoders[0].Q = 2.5 },
		func(c *ModelConfig) { c.Loss = "mse" }, // whether it fits the task is NewNetwork's business
		func(c *ModelConfig) { c.Loss = "softmax" },
		func(c *ModelConfig) { c.Encoders[1].MLP.Hidden = nil },                            // a linear encoder
		func(c *ModelConfig) { c.Encoders[1].MLP.LayerScale = []float64{1, 0.5, 2} },       // one per layer and the head
		func(c *ModelConfig) { c.Encoders[1].MLP.Activation, c.Encoders[1].Q = "tanh", 0 }, // q only matters for srelu
		func(c *ModelConfig) {
			c.Encoders[1].MLP.Activation, c.Encoders[1].Q, c.Encoders[1].Rho = "srelu", 3, 0.1
		},
		func(c *ModelConfig) { c.Encoders[0] = convEnc },
		func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Kernel = 1 },
		func(c *ModelConfig) { c.Fusion = concat },
		func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Hidden = nil },
		// Late fusion has no weights: its optimizer is not read.
		func(c *ModelConfig) { c.Fusion.Optimizer, c.Fusion.LR = "", math.NaN() },
	} {
		c := validateModel()
		ok(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("good edit %d, %+v: %v", i, c, err)
		}
	}
	tests := []struct {
		name  string
		edit  func(*ModelConfig)
		field string
		index int // the modality the error names, -1 for none
	}{
		{"unknown encoder", func(c *ModelConfig) { c.Encoders[1].Kind = "transformer" }, "encoder", 1},
		{"empty encoder", func(c *ModelConfig) { c.Encoders[0].Kind = "" }, "encoder", 0},
		{"unknown dtype", func(c *ModelConfig) { c.DType = "float16" }, "dtype", -1},
		{"empty dtype", func(c *ModelConfig) { c.DType = "" }, "dtype", -1},
		{"unknown loss", func(c *ModelConfig) { c.Loss = "hinge" }, "loss", -1},
		{"empty loss", func(c *ModelConfig) { c.Loss = "" }, "loss", -1},
		{"unknown fusion", func(c *ModelConfig) { c.Fusion.Kind = "attention" }, "fusion", -1},
		{"empty fusion", func(c *ModelConfig) { c.Fusion.Kind = "" }, "fusion", -1},
		// The paper's patch encoder.
		{"zero neurons", func(c *ModelConfig) { c.Encoders[0].Neurons = 0 }, "neurons", 0},
		{"negative neurons", func(c *ModelConfig) { c.Encoders[0].Neurons = -2 }, "neurons", 0},
		{"q below 2", func(c *ModelConfig) { c.Encoders[0].Q = 1.5 }, "q", 0},
		{"q zero", func(c *ModelConfig) { c.Encoders[0].Q = 0 }, "q", 0},
		{"q NaN", func(c *ModelConfig) { c.Encoders[0].Q = math.NaN() }, "q", 0},
		{"q infinite", func(c *ModelConfig) { c.Encoders[0].Q = math.Inf(1) }, "q", 0},
		{"rho zero", func(c *ModelConfig) { c.Encoders[0].Rho = 0 }, "rho", 0},
		{"rho negative", func(c *ModelConfig) { c.Encoders[0].Rho = -0.1 }, "rho", 0},
		{"rho NaN", func(c *ModelConfig) { c.Encoders[0].Rho = math.NaN() }, "rho", 0},
		{"sigma0 negative", func(c *ModelConfig) { c.Encoders[0].Sigma0 = -0.01 }, "sigma0", 0},
		{"sigma0 infinite", func(c *ModelConfig) { c.Encoders[0].Sigma0 = math.Inf(1) }, "sigma0", 0},
		// Each encoder's optimizer and learning rate.
		{"unknown optimizer", func(c *ModelConfig) { c.Encoders[1].Optimizer = "rmsprop" }, "optimizer", 1},
		{"empty optimizer", func(c *ModelConfig) { c.Encoders[0].Optimizer = "" }, "optimizer", 0},
		{"zero lr", func(c *ModelConfig) { c.Encoders[1].LR = 0 }, "lr", 1},
		{"negative lr", func(c *ModelConfig) { c.Encoders[0].LR = -0.1 }, "lr", 0},
		{"NaN lr", func(c *ModelConfig) { c.Encoders[1].LR = math.NaN() }, "lr", 1},
		{"infinite lr", func(c *ModelConfig) { c.Encoders[0].LR = math.Inf(1) }, "lr", 0},
		// The MLP encoder.
		{"mlp zero width", func(c *ModelConfig) { c.Encoders[1].MLP.Hidden = []int{4, 0} }, "hidden", 1},
		{"mlp negative width", func(c *ModelConfig) { c.Encoders[1].MLP.Hidden = []int{-4} }, "hidden", 1},
		{"mlp unknown activation", func(c *ModelConfig) { c.Encoders[1].MLP.Activation = "sigmoid" }, "activation", 1},
		{"mlp empty activation", func(c *ModelConfig) { c.Encoders[1].MLP.Activation = "" }, "activation", 1},
		{"mlp zero init scale", func(c *ModelConfig) { c.Encoders[1].MLP.Scale = 0 }, "init-scale", 1},
		{"mlp NaN init scale", func(c *ModelConfig) { c.Encoders[1].MLP.Scale = math.NaN() }, "init-scale", 1},
		{"mlp a layer scale short", func(c *ModelConfig) { c.Encoders[1].MLP.LayerScale = []float64{1, 1} }, "layer-scale", 1},
		{"mlp a layer scale too many", func(c *ModelConfig) { c.Encoders[1].MLP.LayerScale = []float64{1, 1, 1, 1} }, "layer-scale", 1},
		{"mlp zero layer scale", func(c *ModelConfig) { c.Encoders[1].MLP.LayerScale = []float64{1, 0, 1} }, "layer-scale", 1},
		{"mlp srelu with q below 2", func(c *ModelConfig) {
			c.Encoders[1].MLP.Activation, c.Encoders[1].Q, c.Encoders[1].Rho = "srelu", 1, 0.1
		}, "q", 1},
		{"mlp srelu without rho", func(c *ModelConfig) {
			c.Encoders[1].MLP.Activation, c.Encoders[1].Q, c.Encoders[1].Rho = "srelu", 3, 0
		}, "rho", 1},
		// The conv encoder.
		{"conv without channels", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Channels = nil }, "conv-channels", 0},
		{"conv zero channels", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Channels = []int{2, 0} }, "conv-channels", 0},
		{"conv even kernel", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Kernel = 4 }, "conv-kernel", 0},
		{"conv zero kernel", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Kernel = 0 }, "conv-kernel", 0},
		{"conv unknown activation", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Activation = "gelu" }, "activation", 0},
		{"conv zero init scale", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].Conv.Scale = 0 }, "init-scale", 0},
		{"conv lr", func(c *ModelConfig) { c.Encoders[0] = convEnc; c.Encoders[0].LR = 0 }, "lr", 0},
		// Concatenation fusion and its own optimizer.
		{"concat zero hidden", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Hidden = []int{3, 0} }, "fusion-hidden", -1},
		{"concat unknown activation", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Activation = "swish" }, "fusion-activation", -1},
		{"concat zero init", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Scale = 0 }, "fusion-init", -1},
		{"concat unknown optimizer", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Optimizer = "lbfgs" }, "optimizer", -1},
		{"concat empty optimizer", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.Optimizer = "" }, "optimizer", -1},
		{"concat zero lr", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.LR = 0 }, "lr", -1},
		{"concat NaN lr", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.LR = math.NaN() }, "lr", -1},
		{"concat infinite lr", func(c *ModelConfig) { c.Fusion = concat; c.Fusion.LR = math.Inf(1) }, "lr", -1},
	}
	ds := trainData(t, 1)
	for _, tt := range tests {
		c := validateModel()
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
		case fe.Index != tt.index:
			t.Errorf("%s: error %q is about modality %d, want %d", tt.name, err, fe.Index, tt.index)
		case tt.index >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("modality %d", tt.index)):
			t.Errorf("%s: error %q does not name modality %d", tt.name, err, tt.index)
		}
		// NewNetwork validates the config too, even for a modality it does
		// not see.
		if _, err := NewNetwork("n", []int{0}, ds, c, 1); !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: NewNetwork returned %v, want a %s error", tt.name, err, tt.field)
		}
	}
	// A configuration without encoders.
	c := validateModel()
	c.Encoders = nil
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "encoder") {
		t.Errorf("no encoders: error %v, want one about encoders", err)
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
	// The paper's loss does not fit a regression task; loss auto picks one
	// that does.
	reg := *ds
	reg.Task, reg.Classes = dataset.Regression, 0
	mc := cloneModel(trainModel)
	mc.Loss = "logistic"
	if _, err := NewNetwork("n", []int{0}, &reg, mc, 1); err == nil {
		t.Error("a regression dataset accepted with the logistic loss")
	}
	if net, err := NewNetwork("n", []int{0}, &reg, trainModel, 1); err != nil {
		t.Errorf("a regression dataset with loss auto: %v", err)
	} else if _, ok := net.Loss.(SquaredLoss); !ok {
		t.Errorf("loss auto picked %T for a regression task, want SquaredLoss", net.Loss)
	}
}

// Every logged metric agrees with a computation from the weights that does
// not use gorgonia.
func TestRecordMetricsMatchReference(t *testing.T) {
	t.Parallel()
	for _, mods := range [][]int{{1}, {0, 1}} {
		ds := trainData(t, 11)
		mc, tc := trainOpts{Optimizer: "gd", LR: 1, Steps: 15, LogEvery: 100}.apply(trainModel)
		net, err := NewNetwork("n", mods, ds, mc, 11)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Train(context.Background(), net, ds, tc, 11, nil)
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
					want[EncTestAcc(r)] = right / n
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
				want[TestAccGroup(g)] = right / total
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
			name := Align(r)
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
			want[Memo(r)] = memo / float64(sp.Len())
		}
		// A joint network logs the variance of each f_r over the training
		// set.
		if len(mods) > 1 {
			for k, fr := range referenceScores(net, ds.Train) {
				mean, v := 0.0, 0.0
				for _, x := range fr {
					mean += x
				}
				mean /= float64(len(fr))
				for _, x := range fr {
					v += (x - mean) * (x - mean)
				}
				want[Contrib(mods[k])] = v / float64(len(fr))
			}
		}
		logged := 0 // escape steps are checked by the theory tests
		for _, m := range rec.Metrics {
			if !strings.HasPrefix(m.Name, "escape_") {
				logged++
			}
		}
		if logged != len(want) {
			t.Errorf("%v: %d metrics logged, want %d", mods, logged, len(want))
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
		const batch = 8 // 3 batches per pass over 30 samples, 6 left out
		mc, tc := trainOpts{Optimizer: "sgd", LR: 1, Steps: 1, BatchSize: batch, LogEvery: 1}.apply(trainModel)
		mc.DType = dtype
		net, err := NewNetwork("n", []int{1, 0}, ds, mc, 12)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := newTrainer(net, ds, tc, Objective{}, rng.New(12, "batches"))
		if err != nil {
			t.Fatal(err)
		}
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
// test_acc_g<pattern>, align_m<r>_pos/_neg, align_m<r>, contrib_m<r>,
// memo_m<r>, then escape_m<r>_pos/_neg.
func TestRecordMetricOrderMatchesDoc(t *testing.T) {
	t.Parallel()
	ds := trainData(t, 13)
	res := trainRun(t, ds, "joint", []int{0, 1}, trainModel, trainOpts{Optimizer: "gd", LR: 1, Steps: 1, LogEvery: 1}, 13, nil)
	want := []string{SplitLoss("train"), SplitAcc("train"), SplitLoss("val"), ValAcc, TestLoss, TestAcc,
		EncTestAcc(0), EncTestAcc(1), TestAccGroup("11"), TestAccGroup("10"), TestAccGroup("01"), TestAccGroup("00"),
		AlignHead(0, HeadPos), AlignHead(0, HeadNeg), Align(0), AlignHead(1, HeadPos), AlignHead(1, HeadNeg), Align(1),
		Contrib(0), Contrib(1), Memo(0), Memo(1),
		Escape(0, HeadPos), Escape(0, HeadNeg), Escape(1, HeadPos), Escape(1, HeadNeg)}
	var got []string
	for _, m := range res.Final().Metrics {
		got = append(got, m.Name)
	}

	if !reflect.DeepEqual(got, want) {
		t.Errorf("metrics in the order\n%v\nthe documentation says\n%v", got, want)
	}
}
