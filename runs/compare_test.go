package runs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/report"
)

// tinyConfig is a comparison small enough to train in well under a second:
// two modalities, two seeds, 60 full-batch steps logged every 10.
func tinyConfig(t *testing.T) Config {
	t.Helper()
	c := Default()
	c.D = IntList{20}
	c.Patches = IntList{3}
	c.NTrain = 40
	c.NVal = 60
	c.NTest = 60
	c.Neurons = 3
	c.Steps = 60
	c.LogEvery = 10
	c.Seeds = 2
	c.Workers = 1
	c.Out = t.TempDir()
	c.Name = "tiny"
	if err := c.Validate(); err != nil {
		t.Fatalf("tiny config: %v", err)
	}
	return c
}

// readFile reads the file name of the run directory of out.
func readFile(t *testing.T, out *Outcome, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(out.Dir.Join(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readCSV parses metrics.csv into its header and rows.
func readCSV(t *testing.T, b []byte) ([]string, [][]string) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("metrics.csv does not parse: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("metrics.csv is empty, want at least a header")
	}
	return rows[0], rows[1:]
}

// readJSONMap decodes a JSON object file of the run directory.
func readJSONMap(t *testing.T, out *Outcome, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, out, name), &m); err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	return m
}

// wantKeys fails unless m holds every key.
func wantKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no key %q (keys: %v)", what, k, sortedMapKeys(m))
		}
	}
}

func sortedMapKeys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// asMap and asList assert the JSON type of v.
func asMap(t *testing.T, what string, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object", what, v)
	}
	return m
}

func asList(t *testing.T, what string, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, want a list", what, v)
	}
	return l
}

// sharedRun is a piece of work several tests read, such as a run
// directory, done once per test binary.
type sharedRun[T any] struct {
	mu   sync.Mutex
	done bool
	cfg  Config
	out  T
}

// get does the work the first time it is asked for: run on the config
// config makes, writing under a directory shared by the test binary. It
// returns that config and run's outcome.
func (s *sharedRun[T]) get(t *testing.T, config func(*testing.T) Config, run func(Config) (T, error)) (Config, T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		cfg := config(t)
		cfg.Out = sharedTempDir(t)
		out, err := run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.cfg, s.out, s.done = cfg, out, true
	}
	return s.cfg, s.out
}

// compareOnce is the tiny comparison: several tests read its run directory.
var compareOnce sharedRun[*Outcome]

func tinyCompare(t *testing.T) (Config, *Outcome) {
	t.Helper()
	return compareOnce.get(t, tinyConfig, func(cfg Config) (*Outcome, error) {
		return Compare(context.Background(), resolve(t, cfg), Options{})
	})
}

// sharedTempDir is a temporary directory that outlives the test that made
// it; TestMain removes it.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "modcomp-runs-test-")
	if err != nil {
		t.Fatal(err)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.dirs = append(shared.dirs, dir)
	return dir
}

// shared lists the directories of sharedTempDir; tests in parallel add to it.
var shared struct {
	mu   sync.Mutex
	dirs []string
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range shared.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

func TestCompareWritesRunDirectory(t *testing.T) {
	t.Parallel()
	cfg, out := tinyCompare(t)
	if out.State != StateComplete {
		t.Errorf("State = %q, want %q", out.State, StateComplete)
	}
	if out.Table == "" {
		t.Error("Table is empty")
	}
	if out.Compare == nil || out.Train != nil {
		t.Errorf("Compare %v, Train %v: want the comparison's summary only", out.Compare, out.Train)
	}
	if got, want := filepath.Dir(out.Dir.Path), cfg.Out; got != want {
		t.Errorf("run directory %s is not directly under out %s", out.Dir.Path, want)
	}
	for _, name := range []string{"config.json", "metrics.csv", "summary.json", "report.md", "status.json", "log.jsonl"} {
		fi, err := os.Stat(out.Dir.Join(name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Size() == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	status := readJSONMap(t, out, "status.json")
	if status["state"] != StateComplete {
		t.Errorf("status.json state = %v, want %q", status["state"], StateComplete)
	}
	wantKeys(t, "status.json", status, "started", "finished")

	// config.json: every key, plus the provenance.
	conf := readJSONMap(t, out, "config.json")
	for _, f := range Fields() {
		wantKeys(t, "config.json", conf, f.Key)
	}
	wantKeys(t, "config.json", conf, metadataKey)
	if got := conf["steps"]; got != float64(cfg.Steps) {
		t.Errorf("config.json steps = %v, want %d", got, cfg.Steps)
	}

	// log.jsonl: one JSON object per line.
	for i, line := range bytes.Split(bytes.TrimSpace(readFile(t, out, "log.jsonl")), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Errorf("log.jsonl line %d does not parse: %v: %s", i+1, err, line)
		}
	}
}

func TestCompareSummaryKeys(t *testing.T) {
	t.Parallel()
	cfg, out := tinyCompare(t)
	s := readJSONMap(t, out, "summary.json")
	wantKeys(t, "summary.json", s, "seeds", "unimodal", "joint", "best_unimodal", "gap", "winner", "per_seed", "networks", "state")

	seeds := asList(t, "seeds", s["seeds"])
	if len(seeds) != cfg.Seeds {
		t.Errorf("seeds = %v, want %d seeds", seeds, cfg.Seeds)
	}
	uni := asList(t, "unimodal", s["unimodal"])
	if len(uni) != resolve(t, cfg).K {
		t.Fatalf("unimodal has %d entries, want %d", len(uni), resolve(t, cfg).K)
	}
	for r, u := range uni {
		um := asMap(t, fmt.Sprintf("unimodal[%d]", r), u)
		wantKeys(t, fmt.Sprintf("unimodal[%d]", r), um, "modality", graph.ValAcc, graph.TestAcc, "test_acc_std", "alignment")
		if um["modality"] != float64(r) {
			t.Errorf("unimodal[%d].modality = %v, want %d", r, um["modality"], r)
		}
		if acc, ok := um[graph.TestAcc].(float64); !ok || acc < 0 || acc > 1 {
			t.Errorf("unimodal[%d].test_acc = %v, want an accuracy", r, um[graph.TestAcc])
		}
	}
	joint := asMap(t, "joint", s["joint"])
	wantKeys(t, "joint", joint, graph.TestAcc, "test_acc_std", "encoder_test_acc", "alignment")
	if l := asList(t, "joint.encoder_test_acc", joint["encoder_test_acc"]); len(l) != resolve(t, cfg).K {
		t.Errorf("joint.encoder_test_acc has %d entries, want %d", len(l), resolve(t, cfg).K)
	}
	if l := asList(t, "joint.alignment", joint["alignment"]); len(l) != resolve(t, cfg).K {
		t.Errorf("joint.alignment has %d entries, want %d", len(l), resolve(t, cfg).K)
	}
	best := asMap(t, "best_unimodal", s["best_unimodal"])
	wantKeys(t, "best_unimodal", best, "modality", graph.TestAcc)
	if m, ok := best["modality"].(float64); !ok || m < 0 || int(m) >= resolve(t, cfg).K {
		t.Errorf("best_unimodal.modality = %v, want a modality", best["modality"])
	}
	if _, ok := s["gap"].(float64); !ok {
		t.Errorf("gap = %v, want a number", s["gap"])
	}
	if w, ok := s["winner"].(float64); !ok || w < -1 || int(w) >= resolve(t, cfg).K {
		t.Errorf("winner = %v, want -1 or a modality", s["winner"])
	}
	perSeed := asList(t, "per_seed", s["per_seed"])
	if len(perSeed) != cfg.Seeds {
		t.Errorf("per_seed has %d entries, want %d", len(perSeed), cfg.Seeds)
	}
	for i, ps := range perSeed {
		wantKeys(t, fmt.Sprintf("per_seed[%d]", i), asMap(t, "per_seed entry", ps), "seed", "unimodal", "joint", "best_unimodal", "gap", "winner")
	}
	networks := asList(t, "networks", s["networks"])
	if want := cfg.Seeds * (resolve(t, cfg).K + 1); len(networks) != want {
		t.Errorf("networks has %d entries, want %d", len(networks), want)
	}
	for i, n := range networks {
		if st := asMap(t, "networks entry", n)["status"]; st != "completed" {
			t.Errorf("networks[%d].status = %v, want completed", i, st)
		}
	}
}

func TestCompareMetricsCSV(t *testing.T) {
	t.Parallel()
	cfg, out := tinyCompare(t)
	header, rows := readCSV(t, readFile(t, out, "metrics.csv"))
	if len(header) < 5 || header[0] != "seed" || header[1] != "network" || header[2] != "step" || header[3] != "status" {
		t.Fatalf("header = %v, want seed,network,step,status,<metrics...>", header)
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; dup {
			t.Errorf("header repeats column %q", h)
		}
		col[h] = i
	}
	for _, m := range []string{graph.SplitLoss("train"), graph.ValAcc, graph.TestAcc, graph.Align(0), graph.Align(1), graph.EncTestAcc(0)} {
		if _, ok := col[m]; !ok {
			t.Errorf("header has no column %q: %v", m, header)
		}
	}
	type key struct {
		seed    string
		network string
		step    string
	}
	seen := map[key]bool{}
	for i, row := range rows {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d cells, header %d", i+1, len(row), len(header))
		}
		k := key{row[0], row[1], row[2]}
		if seen[k] {
			t.Errorf("row %d repeats (seed, network, step) %v", i+1, k)
		}
		seen[k] = true
		if row[3] != "completed" {
			t.Errorf("row %d status = %q, want completed", i+1, row[3])
		}
		if _, err := strconv.ParseFloat(row[col[graph.TestAcc]], 64); err != nil {
			t.Errorf("row %d test_acc = %q: %v", i+1, row[col[graph.TestAcc]], err)
		}
	}
	// One row per (seed, network, logged step): steps 0, 10, ..., 60.
	for _, seed := range cfg.SeedList() {
		for _, spec := range compareNetworks(t, cfg) {
			for step := 0; step <= cfg.Steps; step += cfg.LogEvery {
				k := key{strconv.FormatUint(seed, 10), spec.Name, strconv.Itoa(step)}
				if !seen[k] {
					t.Errorf("no row for %v", k)
				}
			}
		}
	}
	if want := cfg.Seeds * (resolve(t, cfg).K + 1) * (cfg.Steps/cfg.LogEvery + 1); len(rows) != want {
		t.Errorf("metrics.csv has %d rows, want %d", len(rows), want)
	}
}

// TestCompareReproducible checks that the numbers depend only on the
// configuration: not on the number of workers, and not on whether the
// configuration came from a run's config.json.
func TestCompareReproducible(t *testing.T) {
	t.Parallel()
	cfg, first := tinyCompare(t) // workers = 1
	wantCSV := readFile(t, first, "metrics.csv")
	wantSummary := readFile(t, first, "summary.json")

	same := func(name string, out *Outcome) {
		t.Helper()
		if got := readFile(t, out, "metrics.csv"); !bytes.Equal(got, wantCSV) {
			t.Errorf("%s: metrics.csv differs from the workers=1 run's", name)
		}
		if got := readFile(t, out, "summary.json"); !bytes.Equal(got, wantSummary) {
			t.Errorf("%s: summary.json differs from the workers=1 run's\n got: %s\nwant: %s", name, got, wantSummary)
		}
	}

	t.Run("workers=2", func(t *testing.T) {
		c := cfg
		c.Workers = 2
		c.Out = t.TempDir()
		out, err := Compare(context.Background(), resolve(t, c), Options{})
		if err != nil {
			t.Fatal(err)
		}
		same("workers=2", out)
	})

	t.Run("config.json", func(t *testing.T) {
		c := Default()
		if err := c.LoadFile(first.Dir.Join("config.json")); err != nil {
			t.Fatalf("LoadFile(config.json of a run): %v", err)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if c.Out != cfg.Out {
			t.Errorf("config.json out = %q, want %q", c.Out, cfg.Out)
		}
		out, err := Compare(context.Background(), resolve(t, c), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Dir.Path == first.Dir.Path {
			t.Fatalf("the second run reused the first run's directory %s", first.Dir.Path)
		}
		same("config.json", out)
	})
}

func TestCompareDivergence(t *testing.T) {
	t.Parallel()
	// gd does not diverge whatever the learning rate (logistic-loss
	// gradients are bounded, see graph.TestTrainDivergence); adam with a
	// learning rate near the largest float overflows the pre-activations.
	cfg := tinyConfig(t)
	cfg.Optimizer = StringList{"adam"}
	cfg.LR = FloatList{1e308}
	cfg.LogEvery = 1
	cfg.Seeds = 1
	out, err := Compare(context.Background(), resolve(t, cfg), Options{})
	if err != nil {
		t.Fatalf("Compare with diverging networks returned %v, want an Outcome", err)
	}
	if out == nil || out.Dir == nil {
		t.Fatal("no Outcome")
	}
	var s struct {
		Networks []report.NetworkStatus `json:"networks"`
	}
	if err := json.Unmarshal(readFile(t, out, "summary.json"), &s); err != nil {
		t.Fatal(err)
	}
	diverged := map[string]int{} // network -> steps done
	for _, n := range s.Networks {
		if n.Status != "diverged" {
			t.Errorf("seed %d %s: status %q, want diverged", n.Seed, n.Network, n.Status)
			continue
		}
		if n.Message == "" {
			t.Errorf("seed %d %s: diverged without a message", n.Seed, n.Network)
		}
		diverged[n.Network] = n.Steps
	}
	if len(diverged) == 0 {
		t.Fatal("no network diverged")
	}
	// The metrics logged before the divergence are kept, marked diverged.
	header, rows := readCSV(t, readFile(t, out, "metrics.csv"))
	if header[3] != "status" {
		t.Fatalf("header = %v", header)
	}
	perNetwork := map[string]int{}
	for _, row := range rows {
		if row[3] != "diverged" {
			t.Errorf("row %v: status %q, want diverged", row[:4], row[3])
		}
		perNetwork[row[1]]++
	}
	for name := range diverged {
		if perNetwork[name] == 0 {
			t.Errorf("metrics.csv has no rows for the diverged network %s (the metrics logged before it diverged)", name)
		}
	}
	status := readJSONMap(t, out, "status.json")
	if status["state"] != StateComplete {
		t.Errorf("status.json state = %v, want %q: the run finished, its networks diverged", status["state"], StateComplete)
	}
	if _, err := os.Stat(out.Dir.Join("report.md")); err != nil {
		t.Error(err)
	}
}

// cancelEvents cancels the run at the first logged record and counts the
// records logged.
type cancelEvents struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	logged int
}

func (e *cancelEvents) Started(*NetworkRun, int) {}
func (e *cancelEvents) Finished(*NetworkRun)     {}
func (e *cancelEvents) Logged(*NetworkRun, int) {
	e.mu.Lock()
	e.logged++
	e.mu.Unlock()
	e.cancel()
}

func TestCompareInterrupted(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			cfg := tinyConfig(t)
			cfg.Workers = workers
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ev := &cancelEvents{cancel: cancel}
			out, err := Compare(ctx, resolve(t, cfg), Options{Events: ev})
			if err != nil {
				t.Fatalf("interrupted Compare returned %v, want an Outcome", err)
			}
			if out.State != StateInterrupted {
				t.Errorf("State = %q, want %q", out.State, StateInterrupted)
			}
			status := readJSONMap(t, out, "status.json")
			if status["state"] != StateInterrupted {
				t.Errorf("status.json state = %v, want %q", status["state"], StateInterrupted)
			}
			if msg, _ := status["message"].(string); msg == "" {
				t.Error("status.json of an interrupted run has no message")
			}
			_, rows := readCSV(t, readFile(t, out, "metrics.csv"))
			ev.mu.Lock()
			logged := ev.logged
			ev.mu.Unlock()
			if logged == 0 {
				t.Fatal("no record was logged")
			}
			if len(rows) != logged {
				t.Errorf("metrics.csv has %d rows, want the %d records logged before the interruption", len(rows), logged)
			}
			s := readJSONMap(t, out, "summary.json")
			if s["state"] != StateInterrupted {
				t.Errorf("summary.json state = %v, want %q", s["state"], StateInterrupted)
			}
			for _, name := range []string{"config.json", "report.md", "log.jsonl"} {
				if _, err := os.Stat(out.Dir.Join(name)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestTrainSummary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		modalities IntList
		network    string
	}{
		{IntList{0}, "uni-m0"},
		{IntList{1}, "uni-m1"},
		{IntList{0, 1}, "joint"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			cfg := tinyConfig(t)
			cfg.Modalities = tc.modalities
			cfg.Steps = 20
			out, err := Train(context.Background(), resolve(t, cfg), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if out.State != StateComplete {
				t.Errorf("State = %q", out.State)
			}
			if out.Train == nil || out.Compare != nil {
				t.Errorf("Train %v, Compare %v: want the training's summary only", out.Train, out.Compare)
			}
			var s report.TrainSummary
			if err := json.Unmarshal(readFile(t, out, "summary.json"), &s); err != nil {
				t.Fatalf("summary.json: %v", err)
			}
			if s.Network != tc.network || fmt.Sprint(s.Modalities) != fmt.Sprint([]int(tc.modalities)) {
				t.Errorf("network %q modalities %v, want %q %v", s.Network, s.Modalities, tc.network, tc.modalities)
			}
			if s.State != StateComplete || len(s.Seeds) != cfg.Seeds || len(s.SeedsAggregated) != cfg.Seeds || len(s.PerSeed) != cfg.Seeds {
				t.Errorf("summary %+v, want state complete and %d seeds, all aggregated", s, cfg.Seeds)
			}
			for _, sf := range s.PerSeed {
				if sf.Status != "completed" || sf.Steps != cfg.Steps {
					t.Errorf("seed %d: status %q after %d steps", sf.Seed, sf.Status, sf.Steps)
				}
				if _, ok := sf.Final[graph.TestAcc]; !ok {
					t.Errorf("seed %d: no final test_acc", sf.Seed)
				}
			}
			for _, m := range []string{graph.TestAcc, graph.ValAcc, graph.SplitLoss("train")} {
				if _, ok := s.Mean[m]; !ok {
					t.Errorf("mean has no %s", m)
				}
				if _, ok := s.Std[m]; !ok {
					t.Errorf("std has no %s", m)
				}
			}
			_, rows := readCSV(t, readFile(t, out, "metrics.csv"))
			if want := cfg.Seeds * (cfg.Steps/cfg.LogEvery + 1); len(rows) != want {
				t.Errorf("metrics.csv has %d rows, want %d", len(rows), want)
			}
			for _, name := range []string{"config.json", "report.md", "status.json", "log.jsonl"} {
				if _, err := os.Stat(out.Dir.Join(name)); err != nil {
					t.Error(err)
				}
			}
			conf := readJSONMap(t, out, "config.json")
			if cmd := asMap(t, "config.json modcomp", conf[metadataKey])["command"]; cmd != "train" {
				t.Errorf("config.json command = %v, want train", cmd)
			}
		})
	}
}

// TestCompareInterruptStartsNoNetwork wants no network to start once the
// run is cancelled: with one worker, cancelling at the first logged record
// of the first network dispatched (the joint network of the first seed)
// leaves every other network "not started".
func TestCompareInterruptStartsNoNetwork(t *testing.T) {
	t.Parallel()
	cfg := tinyConfig(t)
	cfg.Seeds = 3
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := &cancelEvents{cancel: cancel}
	out, err := Compare(ctx, resolve(t, cfg), Options{Events: ev})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Runs {
		want := runNotStarted
		if r.Seed == cfg.Seed && r.Network == "joint" {
			want = "interrupted"
		}
		if r.Status != want {
			t.Errorf("seed %d %s: status %q with %d records, want %q", r.Seed, r.Network, r.Status, len(r.Log), want)
		}
	}
}

// goroutineEvents records the most goroutines seen while networks start.
type goroutineEvents struct {
	mu  sync.Mutex
	max int
}

func (e *goroutineEvents) Started(*NetworkRun, int) {
	e.mu.Lock()
	e.max = max(e.max, runtime.NumGoroutine())
	e.mu.Unlock()
}
func (e *goroutineEvents) Logged(*NetworkRun, int) {}
func (e *goroutineEvents) Finished(*NetworkRun)    {}

// TestCompareWorkersBounded wants no more workers than networks: Validate
// accepts any workers >= 0, and each worker is a goroutine.
func TestCompareWorkersBounded(t *testing.T) {
	t.Parallel()
	cfg := tinyConfig(t)
	cfg.Seeds = 1
	cfg.Steps = 10
	cfg.Workers = 10000
	ev := &goroutineEvents{}
	if _, err := Compare(context.Background(), resolve(t, cfg), Options{Events: ev}); err != nil {
		t.Fatal(err)
	}
	if ev.max > 1000 {
		t.Errorf("%d goroutines while training %d networks", ev.max, resolve(t, cfg).K+1)
	}
}
