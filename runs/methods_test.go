package runs

// Comparisons of the training methods of the joint network: summary.json's
// "methods", the methods table, metrics.csv, failures of one method, and
// the configuration of methods.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/report"
)

// allMethods are the training methods, in the order a comparison lists
// them: naive first (the order of Config.Methods, naive moved to the front).
var allMethods = []string{"naive", "ume", "umt", "ogm-ge", "alternating", "gblend"}

// methodsConfig is tinyConfig comparing every training method over 30
// steps, with naive given last: the plan moves it first.
func methodsConfig(t *testing.T) Config {
	t.Helper()
	c := tinyConfig(t)
	c.Steps = 30
	c.Methods = StringList{"ume", "umt", "ogm-ge", "alternating", "gblend", "naive"}
	c.GBlendEvery = 5
	c.Name = "methods"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// methodsOnce is the comparison of every method.
var methodsOnce sharedRun[*Outcome]

func methodsCompare(t *testing.T) (Config, *Outcome) {
	t.Helper()
	return methodsOnce.get(t, methodsConfig, func(cfg Config) (*Outcome, error) {
		return Compare(context.Background(), resolve(t, cfg), Options{})
	})
}

// loadSummary decodes summary.json of out.
func loadSummary(t *testing.T, out *Outcome) *report.Summary {
	t.Helper()
	var s report.Summary
	if err := json.Unmarshal(readFile(t, out, "summary.json"), &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// methodJSON returns summary.json's "methods" entries as JSON objects.
func methodJSON(t *testing.T, out *Outcome) []map[string]any {
	t.Helper()
	var ms []map[string]any
	for i, m := range asList(t, "methods", readJSONMap(t, out, "summary.json")["methods"]) {
		ms = append(ms, asMap(t, fmt.Sprintf("methods[%d]", i), m))
	}
	return ms
}

func TestCompareMethodsSummary(t *testing.T) {
	t.Parallel()
	cfg, out := methodsCompare(t)
	if out.State != StateComplete {
		t.Fatalf("state %s", out.State)
	}
	s := loadSummary(t, out)
	for _, n := range s.Networks {
		if n.Status != string(graph.Completed) {
			t.Errorf("seed %d %s: %s %s", n.Seed, n.Network, n.Status, n.Message)
		}
	}
	if want := cfg.Seeds * (resolve(t, cfg).K + len(allMethods)); len(s.Networks) != want {
		t.Errorf("%d networks, want %d", len(s.Networks), want)
	}

	ms := methodJSON(t, out)
	var names []string
	for _, m := range ms {
		names = append(names, fmt.Sprint(m["method"]))
		wantKeys(t, "methods entry", m, "method", "seeds", graph.TestAcc, "test_acc_std", "gap", "gap_std",
			"encoder_test_acc", "alignment", "learned_fraction")
		if seeds := asList(t, "seeds", m["seeds"]); len(seeds) != cfg.Seeds {
			t.Errorf("%s: aggregated over %v, want %d seeds", m["method"], seeds, cfg.Seeds)
		}
	}
	if !slices.Equal(names, allMethods) {
		t.Fatalf("methods %v, want %v", names, allMethods)
	}
	// naive is the joint network: the same numbers, and the same gap.
	joint := readJSONMap(t, out, "summary.json")["joint"].(map[string]any)
	for key, v := range joint {
		if !reflect.DeepEqual(ms[0][key], v) {
			t.Errorf("methods[naive].%s = %v, joint.%s = %v", key, ms[0][key], key, v)
		}
	}
	full := readJSONMap(t, out, "summary.json")
	if ms[0]["gap"] != full["gap"] || ms[0]["gap_std"] != full["gap_std"] {
		t.Errorf("naive gap %v±%v, the comparison's %v±%v", ms[0]["gap"], ms[0]["gap_std"], full["gap"], full["gap_std"])
	}
	// The methods differ from naive, and each method's gap is the best
	// uni-modal model's test accuracy minus its own.
	for i, m := range s.Methods {
		if i > 0 && m.TestAcc == s.Methods[0].TestAcc && reflect.DeepEqual(m.Alignment, s.Methods[0].Alignment) {
			t.Errorf("%s: the same test accuracy and alignment as naive", m.Method)
		}
		best := s.BestUnimodal.Modality
		gap := 0.0
		for _, ss := range s.PerSeed {
			gap += float64(ss.Unimodal[best].TestAcc - ss.Methods[i].TestAcc)
		}
		if gap /= float64(len(s.PerSeed)); !closeEnough(float64(m.Gap), gap) {
			t.Errorf("%s: gap %v, want %v", m.Method, m.Gap, gap)
		}
	}
	// Per seed: one entry per method, naive's the seed's joint network.
	for _, ss := range s.PerSeed {
		if len(ss.Methods) != len(allMethods) {
			t.Fatalf("seed %d: %d methods", ss.Seed, len(ss.Methods))
		}
		for i, m := range ss.Methods {
			if m.Method != allMethods[i] || !m.Completed {
				t.Errorf("seed %d: methods[%d] = %s completed %v", ss.Seed, i, m.Method, m.Completed)
			}
		}
		if !reflect.DeepEqual(jsonOf(t, ss.Methods[0].JointResult), jsonOf(t, ss.Joint)) {
			t.Errorf("seed %d: naive's result differs from the joint network's", ss.Seed)
		}
	}
}

func closeEnough(a, b float64) bool {
	d := a - b
	return d < 1e-12 && d > -1e-12
}

// jsonOf is v written as JSON, where NaN reads null and so compares.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompareMethodsTable(t *testing.T) {
	t.Parallel()
	_, out := methodsCompare(t)
	const title = "training methods of the joint network"
	for name, text := range map[string]string{"stdout table": out.Table, "report.md": string(readFile(t, out, "report.md"))} {
		i := strings.Index(text, title)
		if i < 0 {
			t.Errorf("%s has no methods table:\n%s", name, text)
			continue
		}
		lines := strings.Split(text[i:], "\n")
		if len(lines) < 2+len(allMethods) {
			t.Fatalf("%s: methods table too short:\n%s", name, text[i:])
		}
		if h := strings.Fields(lines[1]); len(h) < 4 || h[0] != "method" || h[1] != "seeds" {
			t.Errorf("%s: header %q", name, lines[1])
		}
		for k, m := range allMethods {
			f := strings.Fields(lines[2+k])
			if len(f) < 2 || f[0] != m || f[1] != "2" {
				t.Errorf("%s: row %d = %q, want method %s over 2 seeds", name, k, lines[2+k], m)
			}
		}
	}
	// A comparison of naive alone has no methods table.
	_, plain := tinyCompare(t)
	if strings.Contains(plain.Table, title) {
		t.Error("a comparison of naive alone prints a methods table")
	}
}

func TestCompareMethodsMetricsCSV(t *testing.T) {
	t.Parallel()
	cfg, out := methodsCompare(t)
	header, rows := readCSV(t, readFile(t, out, "metrics.csv"))
	for _, col := range []string{graph.OGMCoeff(0), graph.OGMCoeff(1), graph.GBlendFused, graph.GBlendWeight(0), graph.GBlendWeight(1)} {
		if !slices.Contains(header, col) {
			t.Errorf("metrics.csv has no column %s: %v", col, header)
		}
	}
	count := map[string]int{}
	for _, row := range rows {
		count[row[1]]++
	}
	for _, spec := range compareNetworks(t, cfg) {
		if want := cfg.Seeds * (cfg.Steps/cfg.LogEvery + 1); count[spec.Name] != want {
			t.Errorf("metrics.csv has %d rows of %s, want %d", count[spec.Name], spec.Name, want)
		}
	}
	for _, name := range []string{"joint", "joint-ume", "joint-umt", "joint-ogm-ge", "joint-alternating", "joint-gblend"} {
		if count[name] == 0 {
			t.Errorf("metrics.csv has no row of %s", name)
		}
	}
	// A method's own metrics are in its rows only.
	col := slices.Index(header, graph.OGMCoeff(0))
	for _, row := range rows {
		if col >= 0 && (row[col] != "") != (row[1] == "joint-ogm-ge") {
			t.Errorf("%s step %s: ogm_coeff_m0 = %q", row[1], row[2], row[col])
		}
	}
	if _, err := os.Stat(out.Dir.Join("methods_alignment.png")); err != nil {
		t.Errorf("no methods figure: %v", err)
	}
}

func TestCompareMethodsWorkersIndependent(t *testing.T) {
	t.Parallel()
	cfg, first := methodsCompare(t) // workers = 1
	c := cfg
	c.Workers = 2
	c.Out = t.TempDir()
	out, err := Compare(context.Background(), resolve(t, c), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"metrics.csv", "summary.json"} {
		if !bytes.Equal(readFile(t, out, name), readFile(t, first, name)) {
			t.Errorf("%s differs between workers 1 and 2", name)
		}
	}
}

// A method whose network diverges costs only its own row: umt with a huge
// weight on the distillation term, whose gradient (unlike the logistic
// loss's) grows with the scores, blows up under gd in a few steps.
func TestCompareMethodDiverges(t *testing.T) {
	t.Parallel()
	_, plain := tinyCompare(t) // naive alone, same data and networks
	cfg := tinyConfig(t)
	cfg.Methods = StringList{"umt", "ume"}
	cfg.UMTWeight = 1e300
	out, err := Compare(context.Background(), resolve(t, cfg), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out.State != StateComplete {
		t.Errorf("state %s, want %s", out.State, StateComplete)
	}
	s, want := loadSummary(t, out), loadSummary(t, plain)
	for _, n := range s.Networks {
		diverged := n.Status == string(graph.Diverged)
		if diverged != (n.Network == "joint-umt") {
			t.Errorf("seed %d %s: %s %s", n.Seed, n.Network, n.Status, n.Message)
		}
		if diverged && n.Steps >= cfg.Steps {
			t.Errorf("seed %d %s: diverged after %d of %d steps", n.Seed, n.Network, n.Steps, cfg.Steps)
		}
	}
	// The main comparison is that of naive alone.
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"seeds_aggregated", s.SeedsAggregated, want.SeedsAggregated},
		{"unimodal", s.Unimodal, want.Unimodal},
		{"joint", s.Joint, want.Joint},
		{"best_unimodal", s.BestUnimodal, want.BestUnimodal},
		{"gap", []report.Num{s.Gap, s.GapStd}, []report.Num{want.Gap, want.GapStd}},
		{"winner", s.Winner, want.Winner},
		{"verdict", s.Verdict, want.Verdict},
	} {
		if g, w := jsonOf(t, f.got), jsonOf(t, f.want); g != w {
			t.Errorf("%s = %s, want %s (the comparison without methods)", f.name, g, w)
		}
	}
	if len(s.SeedsAggregated) != cfg.Seeds {
		t.Fatalf("aggregated over %v", s.SeedsAggregated)
	}
	// umt counts no seed, the others every seed.
	seeds := map[string]int{}
	for _, m := range s.Methods {
		seeds[m.Method] = len(m.Seeds)
	}
	if w := map[string]int{"naive": 2, "umt": 0, "ume": 2}; !reflect.DeepEqual(seeds, w) {
		t.Errorf("seeds per method %v, want %v", seeds, w)
	}
	for _, ss := range s.PerSeed {
		if !ss.Complete || ss.Methods[1].Method != "umt" || ss.Methods[1].Completed {
			t.Errorf("seed %d: complete %v, methods[1] = %+v", ss.Seed, ss.Complete, ss.Methods[1])
		}
	}
	// summary.json keeps its "methods" entry, with nulls.
	for _, m := range methodJSON(t, out) {
		if m["method"] == "umt" && (m[graph.TestAcc] != nil || len(asList(t, "seeds", m["seeds"])) != 0) {
			t.Errorf("umt: test_acc %v over seeds %v, want null over none", m[graph.TestAcc], m["seeds"])
		}
	}
	// The table says so, and report.md lists the diverged networks.
	var row string
	for _, line := range strings.Split(out.Table, "\n") {
		if strings.HasPrefix(line, "umt ") {
			row = line
		}
	}
	if f := strings.Fields(row); len(f) < 4 || f[1] != "0" || f[2] != "n/a" || f[3] != "n/a" {
		t.Errorf("umt row %q, want 0 seeds and n/a", row)
	}
	if md := string(readFile(t, out, "report.md")); !strings.Contains(md, "joint-umt: diverged") {
		t.Errorf("report.md does not list the diverged umt networks:\n%s", md)
	}
}

func TestMethodList(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		methods StringList
		want    []string
	}{
		{nil, []string{"naive"}},
		{StringList{}, []string{"naive"}},
		{StringList{"naive"}, []string{"naive"}},
		{StringList{"ume"}, []string{"naive", "ume"}},
		{StringList{"gblend", "naive", "ume", "gblend", "naive", "ume"}, []string{"naive", "gblend", "ume"}},
	} {
		cfg := Default()
		cfg.Methods = c.methods
		if got := resolve(t, cfg).Methods; !slices.Equal(got, c.want) {
			t.Errorf("methods %v: Plan.Methods = %v, want %v", c.methods, got, c.want)
		}
	}
	specs := CompareNetworks(3, []string{"naive", "ogm-ge"})
	var names, methods []string
	for _, s := range specs {
		names, methods = append(names, s.Name), append(methods, s.Method)
	}
	if want := []string{"uni-m0", "uni-m1", "uni-m2", "joint", "joint-ogm-ge"}; !slices.Equal(names, want) {
		t.Errorf("networks %v, want %v", names, want)
	}
	if want := []string{"naive", "naive", "naive", "naive", "ogm-ge"}; !slices.Equal(methods, want) {
		t.Errorf("methods %v, want %v", methods, want)
	}
	if s := TrainNetwork([]int{0, 1}, 2, "gblend"); s.Name != "joint-gblend" || s.Method != "gblend" {
		t.Errorf("TrainNetwork = %+v", s)
	}
}

func TestMethodConfigErrors(t *testing.T) {
	t.Parallel()
	concat := func(c *Config) {
		c.Fusion = "concat"
	}
	for _, c := range []struct {
		name  string
		edit  func(c *Config)
		field string // "" when valid
	}{
		{"every method", func(c *Config) { c.Methods = StringList(allMethods) }, ""},
		{"unknown method", func(c *Config) { c.Methods = StringList{"ume", "bogus"} }, "methods"},
		{"unknown train method", func(c *Config) { c.Method = "Naive" }, "method"},
		{"ume with concat", func(c *Config) { concat(c); c.Methods = StringList{"ume"} }, "fusion"},
		{"ogm-ge with concat", func(c *Config) { concat(c); c.Methods = StringList{"naive", "ogm-ge"} }, "fusion"},
		{"train method with concat", func(c *Config) { concat(c); c.Method = "alternating" }, "fusion"},
		{"naive with concat", func(c *Config) { concat(c); c.Methods = StringList{"naive"} }, ""},
		{"gblend every 0", func(c *Config) { c.Methods = StringList{"gblend"}; c.GBlendEvery = 0 }, "gblend-every"},
		{"gblend every 0 unused", func(c *Config) { c.GBlendEvery = 0 }, ""},
		{"negative umt weight", func(c *Config) { c.Method = "umt"; c.UMTWeight = -1 }, "umt-weight"},
		{"negative ogm alpha", func(c *Config) { c.Methods = StringList{"ogm-ge"}; c.OGMAlpha = -0.5 }, "ogm-alpha"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := tinyConfig(t)
			c.edit(&cfg)
			err := cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *check.FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("Validate: %v, want an error about %s", err, c.field)
			}
		})
	}
}

// The methods' keys round-trip through config.json.
func TestMethodKeysInConfigJSON(t *testing.T) {
	t.Parallel()
	cfg, out := methodsCompare(t)
	c := Default()
	if err := c.LoadFile(out.Dir.Join("config.json")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Methods, cfg.Methods) || c.GBlendEvery != cfg.GBlendEvery || c.UMTWeight != cfg.UMTWeight ||
		c.OGMAlpha != cfg.OGMAlpha || c.OGMStart != cfg.OGMStart || c.OGMEnd != cfg.OGMEnd || c.Method != cfg.Method {
		t.Errorf("config.json gives methods %v every %d umt %v ogm %v %d %d method %q; want %v %d %v %v %d %d %q",
			c.Methods, c.GBlendEvery, c.UMTWeight, c.OGMAlpha, c.OGMStart, c.OGMEnd, c.Method,
			cfg.Methods, cfg.GBlendEvery, cfg.UMTWeight, cfg.OGMAlpha, cfg.OGMStart, cfg.OGMEnd, cfg.Method)
	}
}

// countdownCtx is a context whose Err turns to context.Canceled after n
// calls: an interruption at an exact point of a run, for tests.
type countdownCtx struct {
	context.Context
	mu sync.Mutex
	n  int
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

// A umt network interrupted while its teachers train was interrupted, like
// every other network stopped by a cancellation, not failed.
func TestUMTInterruptedWhileTeachersTrain(t *testing.T) {
	t.Parallel()
	cfg := tinyConfig(t)
	cfg.Methods = StringList{"umt"}
	run := &NetworkRun{Seed: 1, Network: "joint-umt", Modalities: []int{0, 1}, Method: "umt", Status: runNotStarted}
	// Err is called once by trainOne, then once per step of the first
	// teacher: cancelled after its 3rd step.
	ctx := &countdownCtx{Context: context.Background(), n: 4}
	plan := resolve(t, cfg)
	trainOne(ctx, plan, run, newDataCache(plan.source, 1), nil, nil)
	if run.Status != string(graph.Interrupted) {
		t.Errorf("status %q (%s), want %q", run.Status, run.Message, graph.Interrupted)
	}
}
