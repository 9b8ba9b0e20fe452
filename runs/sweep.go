package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/modcomp/modcomp/report"
)

// A sweep directory holds:
//
//	sweep.json          the base configuration, the grid and its points
//	points/0007/        one complete `compare` run directory per finished point
//	sweep.csv, sweep.md the aggregated table (see Aggregate), and its plots
//	status.json         running, complete, interrupted (status.shard-i-of-n.json for a shard)
//	log.jsonl           structured log
//
// A point's directory appears only when the point is complete: it is
// written under points/.0007.partial and renamed. Running the same sweep
// again into the same directory skips the complete points and redoes the
// others, so a sweep killed even with SIGKILL loses at most the points in
// flight.

// SweepSpec is sweep.json.
type SweepSpec struct {
	Modcomp map[string]any `json:"modcomp"`
	Base    map[string]any `json:"base"`
	Grid    []Axis         `json:"grid"`
	Points  []Point        `json:"points"`
}

// SweepOptions are the invocation settings of a sweep.
type SweepOptions struct {
	Options
	// Dir is the sweep directory; empty for a new <out>/<timestamp>-<name>.
	// An existing directory of the same sweep is resumed.
	Dir string
	// Shard and Shards select the points whose index is Shard modulo Shards;
	// Shards 0 or 1 means every point.
	Shard, Shards int
	// Progress receives one line per finished point; nil for none.
	Progress io.Writer
}

// SweepOutcome is what a sweep leaves behind.
type SweepOutcome struct {
	Dir     string `json:"dir"`
	State   string `json:"state"`
	Points  int    `json:"points"`  // points of this shard
	Skipped int    `json:"skipped"` // found complete and not rerun
	Ran     int    `json:"ran"`     // completed by this invocation
	Table   string `json:"table"`
}

// Sweep runs a full comparison (every seed, every uni-modal network and the
// joint one) at every point of the grid axes around base, in parallel over
// base.Workers workers, and aggregates the points into sweep.csv, sweep.md
// and plots.
func Sweep(ctx context.Context, base Config, axes []Axis, opts SweepOptions) (*SweepOutcome, error) {
	spec, basePlan, plans, err := planSweep(base, axes)
	if err != nil {
		return nil, err
	}
	if opts.Shards > 1 && (opts.Shard < 0 || opts.Shard >= opts.Shards) {
		return nil, fmt.Errorf("shard %d/%d: want 0 <= i < n", opts.Shard, opts.Shards)
	}
	points := spec.Points
	if err := prepareSweep(basePlan, plans, base.Workers); err != nil {
		return nil, err
	}

	dir, err := openSweepDir(base, spec, opts.Dir)
	if err != nil {
		return nil, err
	}
	statusName := "status.json"
	if opts.Shards > 1 {
		statusName = fmt.Sprintf("status.shard-%d-of-%d.json", opts.Shard, opts.Shards)
	}
	if err := thisHost().checkNotRunning(dir, statusName); err != nil {
		return nil, err
	}
	start := time.Now()
	writeStatus := func(s Status) { dir.writeStatus(statusName, s) }
	writeStatus(Status{State: StateRunning, Started: start.UTC()})
	logFile, logger, err := openRunLog(dir, opts.Logger)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()

	out := &SweepOutcome{Dir: dir.Path}
	var writeErrs errorList
	var groups []*group
	var progress *pointProgress
	for i, p := range points {
		if opts.Shards > 1 && p.Index%opts.Shards != opts.Shard {
			continue
		}
		out.Points++
		if pointComplete(dir, p.Index) {
			out.Skipped++
			continue
		}
		// Leftovers of an earlier, interrupted attempt at this point.
		os.RemoveAll(dir.Join(filepath.Join("points", partialName(p.Index))))
		os.RemoveAll(dir.Join(filepath.Join("points", pointName(p.Index))))
		p, plan := p, plans[i]
		groups = append(groups, newGroup(plan, CompareNetworks(plan.K, plan.Methods), func(g *group) {
			if ctx.Err() != nil {
				return // interrupted networks: the point is redone on resume
			}
			s, err := writePoint(dir, p, plan, g.runs)
			if err != nil {
				logger.Error("point not written", "point", p.Index, "err", err)
				writeErrs.add(fmt.Errorf("point %d (%s): %w", p.Index, p.Label, err))
				return
			}
			progress.done(p, s)
		}))
	}
	progress = newPointProgress(opts.Progress, len(groups), out.Points, out.Skipped)
	logger.Info("sweep started", "dir", dir.Path, "points", out.Points, "complete", out.Skipped, "to run", len(groups))

	events := opts.Events
	if events == nil {
		events = nopEvents{}
	}
	execute(ctx, groups, base.Workers, logEvents{events, logger})
	out.Ran = progress.count()

	out.State = StateComplete
	if ctx.Err() != nil {
		out.State = StateInterrupted
	}
	table, err := Aggregate(dir, []string{dir.Path})
	if err == nil {
		err = writeErrs.err()
	}
	if err != nil {
		writeStatus(Status{State: StateFailed, Started: start.UTC(), Finished: time.Now().UTC(), Message: err.Error()})
		return out, fmt.Errorf("%w (sweep directory %s)", err, dir.Path)
	}
	out.Table = table
	writeStatus(Status{State: out.State, Started: start.UTC(), Finished: time.Now().UTC(),
		Message: fmt.Sprintf("%d of %d points complete", out.Skipped+out.Ran, out.Points)})
	logger.Info("sweep finished", "state", out.State, "ran", out.Ran, "elapsed", time.Since(start).Round(time.Millisecond).String())
	return out, nil
}

// planSweep checks the base configuration and the grid, and resolves the
// configuration of every point, so that a mistake fails before anything is
// written or trained.
func planSweep(base Config, axes []Axis) (SweepSpec, *Plan, []*Plan, error) {
	basePlan, err := base.Resolve()
	if err != nil {
		return SweepSpec{}, nil, nil, err
	}
	if len(axes) == 0 {
		return SweepSpec{}, nil, nil, errors.New("sweep: no grid: give at least one --grid key=values")
	}
	seen := map[string]bool{}
	for _, a := range axes {
		if seen[a.Key] {
			return SweepSpec{}, nil, nil, fmt.Errorf("sweep: grid key %s given twice", a.Key)
		}
		seen[a.Key] = true
	}
	points := Points(axes)
	plans := make([]*Plan, len(points))
	for i, p := range points {
		c, err := p.At(basePlan, axes)
		if err == nil {
			plans[i], err = c.Resolve()
		}
		if err != nil {
			return SweepSpec{}, nil, nil, fmt.Errorf("sweep point %d (%s): %w", p.Index, p.Label, err)
		}
	}
	return SweepSpec{Modcomp: metadata("sweep", &base), Base: configKeys(&base), Grid: axes, Points: points}, basePlan, plans, nil
}

// openSweepDir creates the sweep directory, or checks that an existing one
// holds the same sweep.
func openSweepDir(base Config, spec SweepSpec, path string) (*RunDir, error) {
	if path == "" {
		dir, err := CreateRunDir(base.Out, base.Name, time.Now())
		if err != nil {
			return nil, err
		}
		return dir, dir.WriteJSON("sweep.json", spec)
	}
	if err := os.MkdirAll(filepath.Join(path, "points"), 0o755); err != nil {
		return nil, fmt.Errorf("sweep directory %q cannot be created: %w", path, err)
	}
	dir := &RunDir{Path: path}
	old, err := readSweepSpec(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !onlySweepFiles(path) {
			return nil, fmt.Errorf("%q is not a sweep directory (no sweep.json) and holds other files: choose another --dir", path)
		}
		return dir, dir.WriteJSON("sweep.json", spec)
	case err != nil:
		return nil, err
	}
	if !reflect.DeepEqual(sameSweep(old), sameSweep(&spec)) {
		return nil, fmt.Errorf("sweep directory %q holds a different sweep (its sweep.json differs in the base configuration or the grid); resume it with the same flags or choose another --dir", path)
	}
	return dir, nil
}

// onlySweepFiles reports whether dir holds nothing but what a starting sweep
// writes, so that shards starting together in one new directory accept it.
func onlySweepFiles(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if name != "points" && name != "log.jsonl" && !strings.HasPrefix(name, "status") && !strings.HasPrefix(name, ".") {
			return false
		}
	}
	return true
}

// sameSweep is what must match for two sweeps to share a directory: the
// base configuration (but where and how fast it runs) and the grid.
func sameSweep(s *SweepSpec) any {
	base := map[string]any{}
	for k, v := range s.Base {
		if k != "out" && k != "name" && k != "workers" {
			base[k] = v
		}
	}
	// Round-trip through JSON so a spec read from disk and one built in
	// memory compare equal.
	b, _ := json.Marshal(struct {
		Base map[string]any
		Grid []Axis
	}{base, s.Grid})
	var v any
	json.Unmarshal(b, &v)
	return v
}

func readSweepSpec(dir string) (*SweepSpec, error) {
	b, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		return nil, err
	}
	var s SweepSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "sweep.json"), err)
	}
	return &s, nil
}

func pointName(i int) string   { return fmt.Sprintf("%04d", i) }
func partialName(i int) string { return "." + pointName(i) + ".partial" }

// pointComplete reports whether point i of the sweep in dir has finished.
func pointComplete(dir *RunDir, i int) bool {
	b, err := os.ReadFile(dir.Join(filepath.Join("points", pointName(i), "status.json")))
	if err != nil {
		return false
	}
	var s Status
	return json.Unmarshal(b, &s) == nil && s.State == StateComplete
}

// writePoint writes a finished point as a compare run directory, under a
// partial name first, then renamed into place.
func writePoint(dir *RunDir, p Point, plan *Plan, runs []*NetworkRun) (*report.Summary, error) {
	tmp := dir.Join(filepath.Join("points", partialName(p.Index)))
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	pd := &RunDir{Path: tmp}
	if err := pd.WriteJSON("config.json", resolvedConfig(&plan.Config, "sweep point")); err != nil {
		return nil, err
	}
	out := &Outcome{State: StateComplete}
	if err := writeCompare(pd, plan, runs, out); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if err := pd.WriteStatus(Status{State: StateComplete, Finished: now, Message: p.Label}); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir.Join(filepath.Join("points", pointName(p.Index)))); err != nil {
		return nil, err
	}
	return out.Compare, nil
}

// errorList collects errors from concurrent workers.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorList) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs...)
}

// pointProgress prints one line per finished point with an estimate of the
// time left.
type pointProgress struct {
	w       io.Writer
	start   time.Time
	toRun   int
	total   int
	skipped int

	mu       sync.Mutex
	finished int
}

func newPointProgress(w io.Writer, toRun, total, skipped int) *pointProgress {
	return &pointProgress{w: w, start: time.Now(), toRun: toRun, total: total, skipped: skipped}
}

func (p *pointProgress) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.finished
}

func (p *pointProgress) done(pt Point, s *report.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	if p.w == nil {
		return
	}
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) / float64(p.finished) * float64(p.toRun-p.finished))
	fmt.Fprintf(p.w, "point %d/%d [%s]: %s | %s elapsed, ETA %s\n",
		p.skipped+p.finished, p.total, pt.Label, s.Brief(), formatDuration(elapsed), formatDuration(eta))
}

// metadata is the provenance block of config.json and sweep.json.
func metadata(command string, cfg *Config) map[string]any {
	return map[string]any{"version": Version, "commit": Commit(), "command": command, "seeds": cfg.SeedList()}
}

// configKeys maps every configuration key of cfg to its value.
func configKeys(cfg *Config) map[string]any {
	m := map[string]any{}
	for _, f := range Fields() {
		v, _ := cfg.field(f.Key)
		m[f.Key] = v.Interface()
	}
	return m
}
