package graph

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

// Every registry lists its entries sorted by name, each with a line of
// help, and the list --help shows names them all.
func TestRegistriesDescribeTheirEntries(t *testing.T) {
	t.Parallel()
	for part, cs := range map[string]Choices{
		"encoder": EncoderKinds(), "fusion": Fusions(), "loss": Losses(), "optimizer": Optimizers(), "method": Methods(),
	} {
		names := cs.Names()
		if len(names) == 0 || !slices.IsSorted(names) {
			t.Errorf("%s: names %v, want a sorted, non-empty list", part, names)
		}
		for _, c := range cs {
			if c.Help == "" {
				t.Errorf("%s %s has no help", part, c.Name)
			}
			if !strings.Contains(cs.String(), c.Name+" ("+c.Help+")") {
				t.Errorf("%s: %q does not list %s with its help", part, cs.String(), c.Name)
			}
		}
	}
}

// Each optimizer's batch rule, through the registry: gd takes the full
// batch only, sgd mini-batches only, adam either; a refused batch size is
// an error on batch-size that names the optimizers that take it.
func TestOptimizerBatchRules(t *testing.T) {
	t.Parallel()
	const n = 20
	full, mini := []int{0, n}, []int{1, 5, n - 1}
	accepts := map[string][]int{"gd": full, "sgd": mini, "adam": append(full, mini...)}
	if got := Optimizers().Names(); !slices.Equal(got, []string{"adam", "gd", "sgd"}) {
		t.Fatalf("optimizers %v: this table covers adam, gd and sgd", got)
	}
	for _, name := range Optimizers().Names() {
		for _, batch := range append(full, mini...) {
			err := TrainConfig{Steps: 1, LogEvery: 1, BatchSize: batch}.validate(n, []string{name}, "late")
			want := slices.Contains(accepts[name], batch)
			var fe *check.FieldError
			switch {
			case want && err != nil:
				t.Errorf("%s with batch %d: %v, want it accepted", name, batch, err)
			case want:
			case !errors.As(err, &fe) || fe.Field != "batch-size":
				t.Errorf("%s with batch %d: error %v, want a batch-size error", name, batch, err)
			default:
				var takers []string
				for _, o := range Optimizers().Names() {
					if slices.Contains(accepts[o], batch) {
						takers = append(takers, o)
					}
				}
				if hint := "use optimizer " + either(takers); !strings.Contains(fe.Want, hint) {
					t.Errorf("%s with batch %d: %q, want %q", name, batch, err, hint)
				}
			}
		}
	}
}

// The fusion rules, through the registry: a method that reads each
// encoder's own scores needs a fusion that uses the heads, and only a
// fusion with weights of its own has its optimizer read and its batch rule
// applied.
func TestFusionRules(t *testing.T) {
	t.Parallel()
	for _, fusion := range Fusions().Names() {
		kind := fusions[fusion]
		for _, method := range Methods().Names() {
			tc := TrainConfig{Steps: 1, LogEvery: 1, Method: MethodConfig{Name: method, Settings: SettingValues{"gblend-every": 1}}}
			err := tc.validate(20, []string{"gd"}, fusion)
			needs := methods[method].objective.NeedsEncoderScores()
			var fe *check.FieldError
			switch {
			case needs && !kind.usesHeads:
				if !errors.As(err, &fe) || fe.Field != "fusion" || !strings.Contains(fe.Want, "late") || !strings.Contains(fe.Want, method) {
					t.Errorf("%s with %s fusion: error %v, want a fusion error asking for late", method, fusion, err)
				}
			case err != nil:
				t.Errorf("%s with %s fusion: %v", method, fusion, err)
			}
		}

		mc := cloneModel(trainModel)
		mc.Fusion = FusionConfig{Kind: fusion, Activation: "relu", Scale: 1, Optimizer: "rmsprop", LR: 1}
		err := mc.Validate()
		var fe *check.FieldError
		if kind.weights != (errors.As(err, &fe) && fe.Field == "optimizer" && fe.Index == -1) {
			t.Errorf("%s fusion (weights %v) with an unknown optimizer: %v", fusion, kind.weights, err)
		}
		mc.Fusion.Optimizer = "gd"
		if got, want := len(mc.trainedBy()), len(mc.Encoders); kind.weights != (got == want+1) {
			t.Errorf("%s fusion (weights %v): trained by %v", fusion, kind.weights, mc.trainedBy())
		}
	}
}

// The losses, through the registry: "auto" picks exactly one loss per task,
// and a loss of another task is refused, naming the one that fits.
func TestLossForTask(t *testing.T) {
	t.Parallel()
	for _, task := range []dataset.Task{dataset.Binary, dataset.Multiclass, dataset.Regression} {
		var auto []string
		for _, name := range Losses().Names() {
			if losses[name].task == task && losses[name].auto {
				auto = append(auto, name)
			}
		}
		if len(auto) != 1 {
			t.Fatalf("%s task: auto picks %v, want one loss", task, auto)
		}
		if l, err := lossFor("auto", task); err != nil || l != losses[auto[0]].loss {
			t.Errorf("%s task: auto gives %T, %v; want %s", task, l, err, auto[0])
		}
		for _, name := range Losses().Names() {
			_, err := lossFor(name, task)
			if fits := losses[name].task == task; fits != (err == nil) {
				t.Errorf("loss %s for a %s task: %v", name, task, err)
			} else if !fits && !strings.Contains(err.Error(), `"`+auto[0]+`" or auto`) {
				t.Errorf("loss %s for a %s task: %v, want it to name %s", name, task, err, auto[0])
			}
		}
	}
}

// The classification losses give true-class probabilities that agree with
// their own loss: mean -log p is the loss Evaluate reports.
func TestTrueClassProbabilityMatchesTheLoss(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ scores, labels []float64 }{
		"logistic": {[]float64{2, -0.5, 0, 3}, []float64{1, 1, -1, -1}},
		"softmax":  {[]float64{1, 0, -1, 0.5, 2, 0, 0, 0, 0}, []float64{0, 1, 2}},
	}
	for _, name := range Losses().Names() {
		cl, ok := losses[name].loss.(ClassLoss)
		if !ok {
			continue
		}
		c, ok := cases[name]
		if !ok {
			t.Fatalf("no case for the classification loss %s", name)
		}
		p := cl.TrueClassProbability(c.scores, c.labels)
		nll := 0.0
		for _, v := range p {
			nll -= math.Log(v)
		}
		if loss, _ := cl.Evaluate(c.scores, c.labels); math.Abs(nll/float64(len(p))-loss) > 1e-12 {
			t.Errorf("%s: mean -log p = %v, loss %v", name, nll/float64(len(p)), loss)
		}
	}
}

// What each method needs, as its entry declares it: the uni-modal
// teachers' scores, each encoder's own scores.
func TestMethodNeeds(t *testing.T) {
	t.Parallel()
	needs := map[string]struct{ teachers, scores bool }{
		"naive":       {false, false},
		"ume":         {false, true},
		"umt":         {true, true},
		"ogm-ge":      {false, true},
		"alternating": {false, true},
		"gblend":      {false, true},
	}
	for _, name := range Methods().Names() {
		want, ok := needs[name]
		if !ok {
			t.Errorf("method %s: say here what it needs", name)
			continue
		}
		obj := MethodConfig{Name: name}.Objective()
		if obj.NeedsTeachers() != want.teachers || obj.NeedsEncoderScores() != want.scores {
			t.Errorf("%s: needs teachers %v, each encoder's scores %v; want %v, %v", name,
				obj.NeedsTeachers(), obj.NeedsEncoderScores(), want.teachers, want.scores)
		}
		if m := methods[name].build(SettingValues{"gblend-every": 1}, []int{0, 1}); m == nil {
			t.Errorf("%s: build returned nil", name)
		}
	}
}
