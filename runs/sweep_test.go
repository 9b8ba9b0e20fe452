package runs

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

// tinySweepConfig is tinyConfig with 40 steps: a 2x2 sweep of it trains in
// about half a second.
func tinySweepConfig(t *testing.T) Config {
	t.Helper()
	c := tinyConfig(t)
	c.Steps = 40
	return c
}

// tinyAxes is the 2x2 grid of the sweep tests: points 0..3 are
// (40, 0.1), (40, 0.2), (60, 0.1), (60, 0.2).
func tinyAxes(t *testing.T) []Axis {
	t.Helper()
	return []Axis{parseAxis(t, "n-train=40,60"), parseAxis(t, "mu[0]=0.1,0.2")}
}

// sweepOnce is the tiny 2x2 sweep; tests that change a sweep directory
// work on a copy (copyTree).
var sweepOnce sharedRun[*SweepOutcome]

func tinySweep(t *testing.T) (Config, *SweepOutcome) {
	t.Helper()
	return sweepOnce.get(t, tinySweepConfig, func(cfg Config) (*SweepOutcome, error) {
		return Sweep(context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: filepath.Join(cfg.Out, "sweep")})
	})
}

// tree maps every file under dir (relative, slash-separated) to its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			files[filepath.ToSlash(rel)+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree fails unless the trees hold the same files with the same bytes.
func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is gone", what, name)
		case g != w:
			t.Errorf("%s: %s changed", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s appeared", what, name)
		}
	}
}

// withoutStatus drops the status.json files, which hold times, from a tree.
func withoutStatus(files map[string]string) map[string]string {
	out := map[string]string{}
	for name, content := range files {
		if filepath.Base(name) != "status.json" {
			out[name] = content
		}
	}
	return out
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	for name, content := range tree(t, src) {
		path := filepath.Join(dst, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pointsTree is the tree of the points/ directory of a sweep directory.
func pointsTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	return tree(t, filepath.Join(dir, "points"))
}

func readDirFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readState(t *testing.T, dir, name string) string {
	t.Helper()
	var s Status
	if err := json.Unmarshal(readDirFile(t, dir, name), &s); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s.State
}

// pointDirs lists the entries of points/ in a sweep directory.
func pointDirs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "points"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func runSweep(t *testing.T, ctx context.Context, cfg Config, axes []Axis, opts SweepOptions) *SweepOutcome {
	t.Helper()
	out, err := Sweep(ctx, cfg, axes, opts)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return out
}

func TestSweepWritesDirectory(t *testing.T) {
	t.Parallel()
	cfg, out := tinySweep(t)
	if out.State != StateComplete || out.Points != 4 || out.Ran != 4 || out.Skipped != 0 {
		t.Errorf("outcome %+v, want complete, 4 points, 4 ran, 0 skipped", *out)
	}
	if out.Dir != filepath.Join(cfg.Out, "sweep") {
		t.Errorf("Dir = %s, want the --dir given", out.Dir)
	}
	for _, name := range []string{"sweep.json", "sweep.csv", "sweep.md", "status.json", "log.jsonl"} {
		if fi, err := os.Stat(filepath.Join(out.Dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", name, err)
		}
	}
	if s := readState(t, out.Dir, "status.json"); s != StateComplete {
		t.Errorf("status.json state %q, want complete", s)
	}

	// sweep.json: the grid and its points.
	var spec SweepSpec
	if err := json.Unmarshal(readDirFile(t, out.Dir, "sweep.json"), &spec); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(spec.Grid, tinyAxes(t)) {
		t.Errorf("sweep.json grid %+v, want %+v", spec.Grid, tinyAxes(t))
	}
	if !reflect.DeepEqual(spec.Points, Points(tinyAxes(t))) {
		t.Errorf("sweep.json points %+v, want %+v", spec.Points, Points(tinyAxes(t)))
	}
	if spec.Base["steps"] != float64(40) || spec.Modcomp["command"] != "sweep" {
		t.Errorf("sweep.json base steps %v, command %v; want 40 and sweep", spec.Base["steps"], spec.Modcomp["command"])
	}

	// points/NNNN: a complete compare run directory per point, of the
	// point's configuration.
	if got, want := pointDirs(t, out.Dir), []string{"0000", "0001", "0002", "0003"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("points/ holds %v, want %v", got, want)
	}
	wantPoint := []struct {
		nTrain int
		mu     FloatList
	}{{40, FloatList{0.1, 0.02}}, {40, FloatList{0.2, 0.02}}, {60, FloatList{0.1, 0.02}}, {60, FloatList{0.2, 0.02}}}
	for i, w := range wantPoint {
		p := filepath.Join(out.Dir, "points", pointName(i))
		for _, name := range []string{"config.json", "metrics.csv", "summary.json", "report.md", "status.json"} {
			if _, err := os.Stat(filepath.Join(p, name)); err != nil {
				t.Errorf("point %d: %v", i, err)
			}
		}
		if s := readState(t, p, "status.json"); s != StateComplete {
			t.Errorf("point %d: status %q, want complete", i, s)
		}
		s, err := readSummary(filepath.Join(p, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if s.State != StateComplete || len(s.SeedsAggregated) != cfg.Seeds {
			t.Errorf("point %d: summary state %q with %d seeds aggregated, want complete and %d", i, s.State, len(s.SeedsAggregated), cfg.Seeds)
		}
		c := Default()
		if err := c.LoadFile(filepath.Join(p, "config.json")); err != nil {
			t.Fatal(err)
		}
		if c.NTrain != w.nTrain || !reflect.DeepEqual(c.Mu, w.mu) || c.Steps != cfg.Steps {
			t.Errorf("point %d config: n-train %d mu %v steps %d, want %d %v %d", i, c.NTrain, c.Mu, c.Steps, w.nTrain, w.mu, cfg.Steps)
		}
	}

	// sweep.csv: one row per point and seed, then one "all" row per point.
	rows, err := csv.NewReader(bytes.NewReader(readDirFile(t, out.Dir, "sweep.csv"))).ReadAll()
	if err != nil {
		t.Fatalf("sweep.csv: %v", err)
	}
	header := rows[0]
	if want := []string{"point", "n-train", "mu[0]", "seed", "seeds"}; len(header) < 5 || !reflect.DeepEqual(header[:5], want) {
		t.Fatalf("sweep.csv header %v, want it to start with %v", header, want)
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[h]; dup {
			t.Errorf("sweep.csv header repeats %q", h)
		}
		col[h] = i
	}
	for _, h := range []string{"uni_m0_test_acc", "uni_m1_test_acc", "joint_test_acc", "joint_test_acc_std", "gap", "gap_std", "winner", "competition"} {
		if _, ok := col[h]; !ok {
			t.Errorf("sweep.csv has no column %q", h)
		}
	}
	rows = rows[1:]
	if want := 4*cfg.Seeds + 4; len(rows) != want {
		t.Errorf("sweep.csv has %d rows, want %d", len(rows), want)
	}
	seen := map[string]bool{}
	for i, row := range rows {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d cells, header %d", i+1, len(row), len(header))
		}
		var idx int
		fmt.Sscan(row[0], &idx)
		w := wantPoint[idx]
		if row[1] != fmt.Sprint(w.nTrain) || row[2] != fmt.Sprint(w.mu[0]) {
			t.Errorf("row %d: point %s with n-train %s mu[0] %s, want %d %v", i+1, row[0], row[1], row[2], w.nTrain, w.mu[0])
		}
		seen[row[0]+"/"+row[col["seed"]]+"/"+row[col["seeds"]]] = true
		if row[col["joint_test_acc"]] == "" || row[col["gap"]] == "" {
			t.Errorf("row %d has no joint_test_acc or gap: %v", i+1, row)
		}
	}
	for i := 0; i < 4; i++ {
		for _, k := range []string{"1/1", "2/1", fmt.Sprintf("all/%d", cfg.Seeds)} {
			if !seen[fmt.Sprintf("%d/%s", i, k)] {
				t.Errorf("sweep.csv has no row for point %d seed/seeds %s", i, k)
			}
		}
	}
	// The "all" rows come after every per-seed row.
	for i, row := range rows {
		if (i >= 4*cfg.Seeds) != (row[col["seed"]] == "all") {
			t.Errorf("row %d has seed %q: want the per-seed rows first, then the 4 \"all\" rows", i+1, row[col["seed"]])
		}
	}

	md := string(readDirFile(t, out.Dir, "sweep.md"))
	for _, w := range []string{"4 of 4 points complete", "`n-train` in {40, 60}", "`mu[0]` in {0.1, 0.2}", "| point | n-train | mu[0] |"} {
		if !strings.Contains(md, w) {
			t.Errorf("sweep.md does not contain %q:\n%s", w, md)
		}
	}
	if !strings.Contains(md, out.Table) || strings.Count(out.Table, "\n") != 2+4 {
		t.Errorf("Table is not the table of sweep.md with 4 rows:\n%s", out.Table)
	}
}

// TestSweepPointIsCompare wants a point's numbers to be those of `compare`
// on the point's configuration.
func TestSweepPointIsCompare(t *testing.T) {
	t.Parallel()
	cfg, out := tinySweep(t)
	axes := tinyAxes(t)
	c, err := Points(axes)[3].At(resolve(t, cfg), axes)
	if err != nil {
		t.Fatal(err)
	}
	c.Out = t.TempDir()
	cmp, err := Compare(context.Background(), resolve(t, c), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"summary.json", "metrics.csv"} {
		if !bytes.Equal(readFile(t, cmp, name), readDirFile(t, out.Dir, "points/0003/"+name)) {
			t.Errorf("point 3's %s differs from compare's on the same configuration", name)
		}
	}
}

func TestSweepResume(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, first.Dir, dir)
	before := pointsTree(t, dir)

	ev := &countEvents{}
	out := runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir, Options: Options{Events: ev}})
	if out.State != StateComplete || out.Ran != 0 || out.Skipped != 4 || out.Points != 4 {
		t.Errorf("resumed complete sweep: %+v, want complete, 0 ran, 4 skipped", *out)
	}
	if n := ev.started(); n != 0 {
		t.Errorf("resuming a complete sweep started %d networks", n)
	}
	sameTree(t, "points/ after resuming a complete sweep", pointsTree(t, dir), before)
	if !bytes.Equal(readDirFile(t, dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv changed on resuming a complete sweep")
	}
	if s := readState(t, dir, "status.json"); s != StateComplete {
		t.Errorf("status.json %q, want complete", s)
	}
}

func TestSweepRedoesPartialPoint(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, first.Dir, dir)
	// A sweep killed while writing point 1: its partial directory is left,
	// its final one never appeared.
	partial := filepath.Join(dir, "points", ".0001.partial")
	if err := os.MkdirAll(partial, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partial, "summary.json"), []byte("junk{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "points", "0001")); err != nil {
		t.Fatal(err)
	}
	before := pointsTree(t, dir)
	out := runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir})
	if out.State != StateComplete || out.Ran != 1 || out.Skipped != 3 {
		t.Errorf("outcome %+v, want complete, 1 ran (point 1), 3 skipped", *out)
	}
	if got, want := pointDirs(t, dir), []string{"0000", "0001", "0002", "0003"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points/ holds %v, want %v (the partial directory removed)", got, want)
	}
	after := pointsTree(t, dir)
	for name, content := range before {
		if !strings.HasPrefix(name, ".0001.partial") && after[name] != content {
			t.Errorf("points/%s of a complete point changed", name)
		}
	}
	for _, p := range []string{"0001"} {
		for _, name := range []string{"summary.json", "metrics.csv", "config.json"} {
			if !bytes.Equal(readDirFile(t, dir, "points/"+p+"/"+name), readDirFile(t, first.Dir, "points/"+p+"/"+name)) {
				t.Errorf("redone point %s: %s differs from the first run's", p, name)
			}
		}
		if s := readState(t, filepath.Join(dir, "points", p), "status.json"); s != StateComplete {
			t.Errorf("redone point %s: status %q", p, s)
		}
	}
	if !bytes.Equal(readDirFile(t, dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv differs from the first run's")
	}
}

// TestSweepRedoesIncompletePointDir wants a points/NNNN directory whose
// status is not complete (copied half, or edited by hand) redone like a
// missing point, and a point that could not be written not reported as a
// complete sweep.
func TestSweepRedoesIncompletePointDir(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, first.Dir, dir)
	if err := os.WriteFile(filepath.Join(dir, "points", "0002", "status.json"), []byte(`{"state":"running"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir})
	if out.State != StateComplete || out.Ran != 1 || out.Skipped != 3 {
		t.Errorf("outcome %+v, want complete, 1 ran (point 2), 3 skipped", *out)
	}
	if got, want := pointDirs(t, dir), []string{"0000", "0001", "0002", "0003"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points/ holds %v, want %v", got, want)
	}
	if s := readState(t, filepath.Join(dir, "points", "0002"), "status.json"); s != StateComplete {
		t.Errorf("redone point 2: status %q", s)
	}
	if !bytes.Equal(readDirFile(t, dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv differs from the first run's")
	}
}

func TestSweepRefusesDifferentSweep(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, first.Dir, dir)
	before := tree(t, dir)

	otherSteps := cfg
	otherSteps.Steps = 41
	otherSeeds := cfg
	otherSeeds.Seeds = 3
	for _, tc := range []struct {
		name string
		cfg  Config
		axes []Axis
	}{
		{"other values", cfg, []Axis{parseAxis(t, "n-train=40,80"), parseAxis(t, "mu[0]=0.1,0.2")}},
		{"other axis", cfg, []Axis{parseAxis(t, "n-train=40,60"), parseAxis(t, "mu[1]=0.1,0.2")}},
		{"axes swapped", cfg, []Axis{parseAxis(t, "mu[0]=0.1,0.2"), parseAxis(t, "n-train=40,60")}},
		{"fewer axes", cfg, []Axis{parseAxis(t, "n-train=40,60")}},
		{"other steps", otherSteps, tinyAxes(t)},
		{"other seeds", otherSeeds, tinyAxes(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &countEvents{}
			_, err := Sweep(context.Background(), tc.cfg, tc.axes, SweepOptions{Dir: dir, Options: Options{Events: ev}})
			if err == nil {
				t.Fatal("Sweep into the directory of a different sweep: no error")
			}
			for _, w := range []string{dir, "different sweep"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n := ev.started(); n != 0 {
				t.Errorf("%d networks started", n)
			}
			sameTree(t, "sweep directory after a refused sweep", tree(t, dir), before)
		})
	}

	// Where and how fast it runs does not make another sweep.
	t.Run("other workers out name", func(t *testing.T) {
		c := cfg
		c.Workers = 2
		c.Out = t.TempDir()
		c.Name = "other"
		out := runSweep(t, context.Background(), c, tinyAxes(t), SweepOptions{Dir: dir})
		if out.Ran != 0 || out.Skipped != 4 || out.State != StateComplete {
			t.Errorf("outcome %+v, want complete, 0 ran, 4 skipped", *out)
		}
		sameTree(t, "points/", pointsTree(t, dir), pointsTree(t, first.Dir))
		if entries, _ := os.ReadDir(c.Out); len(entries) > 0 {
			t.Errorf("a sweep with --dir created %d entries under out", len(entries))
		}
	})
}

func TestSweepWorkersSameNumbers(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	c := cfg
	c.Workers = 2
	c.Out = t.TempDir()
	out := runSweep(t, context.Background(), c, tinyAxes(t), SweepOptions{}) // a new directory under out
	if filepath.Dir(out.Dir) != c.Out || !strings.HasSuffix(out.Dir, "-"+c.Name) {
		t.Errorf("Dir = %s, want <out>/<timestamp>-%s under %s", out.Dir, c.Name, c.Out)
	}
	if !bytes.Equal(readDirFile(t, out.Dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Errorf("sweep.csv with workers=2 differs from workers=1's:\n%s\nvs\n%s", readDirFile(t, out.Dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv"))
	}
}

func TestSweepShards(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	tmp := t.TempDir()
	var dirs []string
	for shard := 0; shard < 2; shard++ {
		dir := filepath.Join(tmp, fmt.Sprintf("shard%d", shard))
		out := runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir, Shard: shard, Shards: 2})
		if out.State != StateComplete || out.Points != 2 || out.Ran != 2 {
			t.Errorf("shard %d/2: %+v, want complete, 2 points, 2 ran", shard, *out)
		}
		want := []string{pointName(shard), pointName(shard + 2)}
		if got := pointDirs(t, dir); !reflect.DeepEqual(got, want) {
			t.Errorf("shard %d/2 points/ holds %v, want %v", shard, got, want)
		}
		if s := readState(t, dir, fmt.Sprintf("status.shard-%d-of-2.json", shard)); s != StateComplete {
			t.Errorf("shard %d/2 status %q", shard, s)
		}
		md := string(readDirFile(t, dir, "sweep.md"))
		if !strings.Contains(md, "2 of 4 points complete") || !strings.Contains(md, fmt.Sprintf("missing: %d, %d", 1-shard, 3-shard)) {
			t.Errorf("shard %d/2 sweep.md does not say 2 of 4 points complete and which are missing:\n%s", shard, md)
		}
		dirs = append(dirs, dir)
	}
	aggOut := filepath.Join(tmp, "agg")
	aggDir, table, err := AggregateInto(aggOut, "merged", dirs)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(aggDir) != aggOut || !strings.HasSuffix(aggDir, "-merged") {
		t.Errorf("aggregate directory %s, want <%s>/<timestamp>-merged", aggDir, aggOut)
	}
	if !bytes.Equal(readDirFile(t, aggDir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Errorf("sweep.csv of the merged shards differs from the unsharded sweep's:\n%s\nvs\n%s", readDirFile(t, aggDir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv"))
	}
	if table != first.Table {
		t.Errorf("merged table differs from the unsharded sweep's:\n%s\nvs\n%s", table, first.Table)
	}
	if s := readState(t, aggDir, "status.json"); s != StateComplete {
		t.Errorf("aggregate status %q", s)
	}
	if _, err := readSweepSpec(aggDir); err != nil {
		t.Errorf("the aggregate directory has no sweep.json: %v", err)
	}
	if md := string(readDirFile(t, aggDir, "sweep.md")); !strings.Contains(md, "4 of 4 points complete") {
		t.Errorf("merged sweep.md:\n%s", md)
	}
}

// TestSweepShardsSharedDir runs two shards at once into one directory, as
// a job array writing to shared storage would.
func TestSweepShardsSharedDir(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	var wg sync.WaitGroup
	outs := make([]*SweepOutcome, 2)
	errs := make([]error, 2)
	for shard := 0; shard < 2; shard++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[shard], errs[shard] = Sweep(context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir, Shard: shard, Shards: 2})
		}()
	}
	wg.Wait()
	for shard, err := range errs {
		if err != nil {
			t.Fatalf("shard %d/2: %v", shard, err)
		}
		if o := outs[shard]; o.State != StateComplete || o.Points != 2 || o.Ran != 2 {
			t.Errorf("shard %d/2: %+v", shard, *o)
		}
		if s := readState(t, dir, fmt.Sprintf("status.shard-%d-of-2.json", shard)); s != StateComplete {
			t.Errorf("status.shard-%d-of-2.json: %q", shard, s)
		}
	}
	if got, want := pointDirs(t, dir), []string{"0000", "0001", "0002", "0003"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points/ holds %v, want %v", got, want)
	}
	sameTree(t, "points/ of the shards", withoutStatus(pointsTree(t, dir)), withoutStatus(pointsTree(t, first.Dir)))
	aggDir, _, err := AggregateInto(t.TempDir(), "agg", []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readDirFile(t, aggDir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv of the shared shard directory differs from the unsharded sweep's")
	}
	// The unsharded sweep then finds every point complete.
	out := runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir})
	if out.Ran != 0 || out.Skipped != 4 {
		t.Errorf("sweep over the shards' directory: %+v, want 0 ran, 4 skipped", *out)
	}
	if !bytes.Equal(readDirFile(t, dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv differs from the unsharded sweep's")
	}
}

// countEvents counts networks started and records logged, and cancels the
// run (if cancel is set) at the record number cancelAt.
type countEvents struct {
	cancel   context.CancelFunc
	cancelAt int

	mu       sync.Mutex
	logged   int
	nStarted int
}

func (e *countEvents) Started(*NetworkRun, int) {
	e.mu.Lock()
	e.nStarted++
	e.mu.Unlock()
}
func (e *countEvents) Finished(*NetworkRun) {}
func (e *countEvents) Logged(*NetworkRun, int) {
	e.mu.Lock()
	e.logged++
	n := e.logged
	e.mu.Unlock()
	if e.cancel != nil && n == e.cancelAt {
		e.cancel()
	}
}

func (e *countEvents) started() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nStarted
}

func TestSweepInterrupted(t *testing.T) {
	t.Parallel()
	cfg, first := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One worker trains the points in order; a point logs seeds x networks
	// x (steps/log-every + 1) = 2 x 3 x 5 = 30 records: cancelling at
	// record 40 interrupts point 1 after point 0 is complete.
	perPoint := cfg.Seeds * (resolve(t, cfg).K + 1) * (cfg.Steps/cfg.LogEvery + 1)
	ev := &countEvents{cancel: cancel, cancelAt: perPoint + 10}
	var progress bytes.Buffer
	out, err := Sweep(ctx, cfg, tinyAxes(t), SweepOptions{Dir: dir, Options: Options{Events: ev}, Progress: &progress})
	if err != nil {
		t.Fatalf("interrupted Sweep returned %v, want an outcome", err)
	}
	if out.State != StateInterrupted || out.Ran != 1 || out.Skipped != 0 || out.Points != 4 {
		t.Errorf("outcome %+v, want interrupted with 1 point ran", *out)
	}
	if s := readState(t, dir, "status.json"); s != StateInterrupted {
		t.Errorf("status.json %q, want interrupted", s)
	}
	if got, want := pointDirs(t, dir), []string{"0000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("points/ holds %v, want only %v: no directory for an unfinished point", got, want)
	}
	if !bytes.Equal(readDirFile(t, dir, "points/0000/summary.json"), readDirFile(t, first.Dir, "points/0000/summary.json")) {
		t.Error("point 0 of the interrupted sweep differs from the complete sweep's")
	}
	if n := strings.Count(progress.String(), "\n"); n != 1 || !strings.HasPrefix(progress.String(), "point 1/4 [n-train=40 mu[0]=0.1]") {
		t.Errorf("progress of the interrupted sweep, want one line for point 0:\n%s", progress.String())
	}
	md := string(readDirFile(t, dir, "sweep.md"))
	if !strings.Contains(md, "1 of 4 points complete (missing: 1, 2, 3)") {
		t.Errorf("sweep.md of the interrupted sweep:\n%s", md)
	}

	// Resuming completes the rest, with the numbers of an uninterrupted sweep.
	progress.Reset()
	out = runSweep(t, context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir, Progress: &progress})
	if out.State != StateComplete || out.Ran != 3 || out.Skipped != 1 {
		t.Errorf("resumed: %+v, want complete, 3 ran, 1 skipped", *out)
	}
	if n := strings.Count(progress.String(), "\n"); n != 3 || !strings.HasPrefix(progress.String(), "point 2/4 ") {
		t.Errorf("progress of the resumed sweep, want 3 lines counting from point 2/4:\n%s", progress.String())
	}
	if s := readState(t, dir, "status.json"); s != StateComplete {
		t.Errorf("status.json %q, want complete", s)
	}
	if !bytes.Equal(readDirFile(t, dir, "sweep.csv"), readDirFile(t, first.Dir, "sweep.csv")) {
		t.Error("sweep.csv of the resumed sweep differs from the uninterrupted sweep's")
	}
}

// TestSweepRefusedBeforeTraining wants every mistake found before any
// directory is created or any network trained.
func TestSweepRefusedBeforeTraining(t *testing.T) {
	t.Parallel()
	cfg := tinySweepConfig(t)
	for _, tc := range []struct {
		name string
		axes []Axis
		want []string
	}{
		{"point with mu above 1", []Axis{parseAxis(t, "n-train=40,60"), parseAxis(t, "mu[0]=0.5,1.5")}, []string{"point 1", "mu[0]=1.5", "mu"}},
		{"point with an invalid optimizer", []Axis{parseAxis(t, "optimizer=gd,foo")}, []string{"point 1", "optimizer"}},
		{"point with lists of different lengths", []Axis{parseAxis(t, "alpha=1,0.4:1,0.4,0.3")}, []string{"point 1", "alpha"}},
		{"index beyond the modalities", []Axis{parseAxis(t, "mu[3]=0.1")}, []string{"point 0", "mu"}},
		{"empty grid", nil, []string{"no grid"}},
		{"repeated key", []Axis{parseAxis(t, "n-train=40,60"), parseAxis(t, "n-train=80")}, []string{"n-train", "twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Out = filepath.Join(t.TempDir(), "out")
			for _, dir := range []string{"", filepath.Join(t.TempDir(), "sweep")} {
				ev := &countEvents{}
				_, err := Sweep(context.Background(), c, tc.axes, SweepOptions{Dir: dir, Options: Options{Events: ev}})
				if err == nil {
					t.Fatalf("Sweep (dir %q): no error", dir)
				}
				t.Logf("%v", err)
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if n := ev.started(); n != 0 {
					t.Errorf("%d networks started", n)
				}
				for _, path := range []string{c.Out, dir} {
					if _, err := os.Stat(path); path != "" && !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("%s exists after a refused sweep", path)
					}
				}
			}
		})
	}

	t.Run("invalid base", func(t *testing.T) {
		c := cfg
		c.Steps = 0
		dir := filepath.Join(t.TempDir(), "sweep")
		if _, err := Sweep(context.Background(), c, tinyAxes(t), SweepOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "steps") {
			t.Errorf("Sweep with steps 0: %v, want an error naming steps", err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after a refused sweep", dir)
		}
	})
	t.Run("bad shard", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sweep")
		for _, s := range [][2]int{{2, 2}, {-1, 2}, {5, 3}} {
			if _, err := Sweep(context.Background(), cfg, tinyAxes(t), SweepOptions{Dir: dir, Shard: s[0], Shards: s[1]}); err == nil || !strings.Contains(err.Error(), "shard") {
				t.Errorf("shard %d/%d: %v, want an error", s[0], s[1], err)
			}
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after a refused sweep", dir)
		}
	})
}

func TestAggregateErrors(t *testing.T) {
	t.Parallel()
	_, first := tinySweep(t)
	out := filepath.Join(t.TempDir(), "agg")
	notSweep := t.TempDir()
	if _, _, err := AggregateInto(out, "agg", nil); err == nil {
		t.Error("AggregateInto with no directory: no error")
	}
	_, _, err := AggregateInto(out, "agg", []string{first.Dir, notSweep})
	if err == nil || !strings.Contains(err.Error(), notSweep) || !strings.Contains(err.Error(), "not a sweep directory") {
		t.Errorf("AggregateInto with a directory without sweep.json: %v, want an error naming it", err)
	}

	// Two different sweeps do not merge.
	other := filepath.Join(t.TempDir(), "other")
	copyTree(t, first.Dir, other)
	var spec SweepSpec
	if err := json.Unmarshal(readDirFile(t, other, "sweep.json"), &spec); err != nil {
		t.Fatal(err)
	}
	spec.Base["steps"] = 41
	if err := (&RunDir{Path: other}).WriteJSON("sweep.json", spec); err != nil {
		t.Fatal(err)
	}
	if _, _, err := AggregateInto(out, "agg", []string{first.Dir, other}); err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Errorf("AggregateInto of two different sweeps: %v, want an error", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists after refused aggregates", out)
	}
}

func TestLoadSweepFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"s.json", `{"steps": 40, "seeds": 3, "alpha": [1, 0.5], "grid": ["n-train=40,60", "mu[0]=0.1..0.3/0.1"]}`},
		{"s.yaml", "steps: 40\nseeds: 3\nalpha: [1, 0.5]\ngrid:\n  - n-train=40,60\n  - mu[0]=0.1..0.3/0.1\n"},
		{"s.yml", "steps: 40\nseeds: 3\nalpha: 1,0.5\ngrid: [\"n-train=40,60\", \"mu[0]=0.1..0.3/0.1\"]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			c := Default()
			grid, err := c.LoadSweepFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"n-train=40,60", "mu[0]=0.1..0.3/0.1"}; !reflect.DeepEqual(grid, want) {
				t.Errorf("grid %q, want %q", grid, want)
			}
			if c.Steps != 40 || c.Seeds != 3 || !reflect.DeepEqual(c.Alpha, FloatList{1, 0.5}) {
				t.Errorf("steps %d seeds %d alpha %v, want 40 3 [1 0.5]", c.Steps, c.Seeds, c.Alpha)
			}
			if def := Default(); c.NTrain != def.NTrain {
				t.Errorf("n-train %d, want the default %d: keys absent from the file keep their value", c.NTrain, def.NTrain)
			}
			for _, s := range grid {
				parseAxis(t, s)
			}
		})
	}
}

func TestLoadSweepFileErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"nogrid.json", `{"steps": 40}`, []string{`no "grid" key`}},
		{"nogrid.yaml", "steps: 40\n", []string{`no "grid" key`}},
		{"string.json", `{"grid": "n-train=40,60"}`, []string{`"grid"`, "list of strings"}},
		{"string.yaml", "grid: n-train=40,60\n", []string{`"grid"`, "list of strings"}},
		{"numbers.json", `{"grid": [1, 2]}`, []string{`"grid"`, "list of strings"}},
		{"object.yaml", "grid:\n  n-train: [40, 60]\n", []string{`"grid"`, "list of strings"}},
		{"unknown.json", `{"stepz": 40, "grid": ["n-train=40,60"]}`, []string{`unknown key "stepz"`, `"steps"`}},
		{"unknown.yaml", "stepz: 40\ngrid: [n-train=40]\n", []string{`unknown key "stepz"`, `"steps"`}},
		{"badvalue.json", `{"steps": "many", "grid": ["n-train=40,60"]}`, []string{`"steps"`, "integer"}},
		{"syntax.json", `{"grid": [`, []string{"JSON"}},
		{"s.txt", `{"grid": ["n-train=40"]}`, []string{`".txt"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			c := Default()
			grid, err := c.LoadSweepFile(path)
			if err == nil {
				t.Fatalf("LoadSweepFile(%s) = %q, want an error", tc.content, grid)
			}
			t.Logf("%v", err)
			for _, w := range append([]string{path}, tc.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		c := Default()
		if _, err := c.LoadSweepFile(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
			t.Error("no error")
		}
	})
}

// TestLoadSweepFileNullGrid wants "grid": null refused like any value that
// is not a list of strings, as the configuration keys refuse null.
func TestLoadSweepFileNullGrid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"null.json", `{"grid": null}`},
		{"null.yaml", "grid:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			c := Default()
			if grid, err := c.LoadSweepFile(path); err == nil {
				t.Errorf("LoadSweepFile(%s) = %q, nil; want an error", tc.content, grid)
			}
		})
	}
}
