package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/modcomp/modcomp/report"
)

// Options are the invocation settings of a run that are not configuration:
// they change how a run reports, never its numbers.
type Options struct {
	// Events receives progress; nil for none.
	Events Events
	// Logger receives structured logs; nil discards them. Every run also
	// logs to log.jsonl in its run directory.
	Logger *slog.Logger
	// Command names the command in config.json ("compare", "train").
	Command string
}

// Outcome is what a run leaves behind.
type Outcome struct {
	Dir *RunDir
	// Compare is summary.json of Compare; nil for Train.
	Compare *report.Summary
	// Train is summary.json of Train; nil for Compare.
	Train *report.TrainSummary
	Table string // the table printed on stdout
	Runs  []*NetworkRun
	State string
}

// Compare trains, for every seed of the plan, one uni-modal network per
// modality and the late-fusion joint network (one per training method of
// plan.Methods) on the same data, from the same initial encoder weights, and
// writes the comparison to a new run directory under Config.Out (see RunDir
// for its files). An interrupted comparison (ctx cancelled) still writes
// everything finished so far and reports state "interrupted".
func Compare(ctx context.Context, plan *Plan, opts Options) (*Outcome, error) {
	if opts.Command == "" {
		opts.Command = "compare"
	}
	return run(ctx, plan, opts, CompareNetworks(plan.K, plan.Methods), writeCompare)
}

// writer renders a run's results into its directory and records in out
// the summary and the table for stdout.
type writer func(dir *RunDir, plan *Plan, runs []*NetworkRun, out *Outcome) error

// run is the life cycle shared by every command that trains networks:
// create the run directory, record the configuration, train, write the
// results, and mark the directory complete, interrupted or failed.
func run(ctx context.Context, plan *Plan, opts Options, specs []NetworkSpec, write writer) (*Outcome, error) {
	cfg := &plan.Config
	if err := prepare("modcomp "+opts.Command, []*Plan{plan}, func(*Plan) []NetworkSpec { return specs }, cfg.Workers); err != nil {
		return nil, err
	}
	start := time.Now()
	dir, err := CreateRunDir(cfg.Out, cfg.Name, start)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	fail := func(err error) (*Outcome, error) {
		logger.Error("run failed", "err", err)
		dir.WriteStatus(Status{State: StateFailed, Started: start.UTC(), Finished: time.Now().UTC(), Message: err.Error()})
		return nil, fmt.Errorf("%w (run directory %s)", err, dir.Path)
	}
	logFile, runLogger, err := openRunLog(dir, opts.Logger)
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	logger = runLogger
	if err := dir.WriteJSON("config.json", resolvedConfig(cfg, opts.Command)); err != nil {
		return fail(err)
	}
	logger.Info("run started", "dir", dir.Path, "command", opts.Command, "seeds", cfg.Seeds, "networks", len(specs))

	events := opts.Events
	if events == nil {
		events = nopEvents{}
	}
	g := newGroup(plan, specs, nil)
	execute(ctx, []*group{g}, cfg.Workers, logEvents{events, logger})
	runs := g.runs

	state := StateComplete
	if ctx.Err() != nil {
		state = StateInterrupted
	}
	out := &Outcome{Dir: dir, Runs: runs, State: state}
	if err := write(dir, plan, runs, out); err != nil {
		return fail(err)
	}
	if err := allFailed(runs); err != nil {
		return fail(err)
	}
	st := Status{State: state, Started: start.UTC(), Finished: time.Now().UTC()}
	if state == StateInterrupted {
		st.Message = "interrupted: the results cover the networks finished before the interruption"
	}
	if err := dir.WriteStatus(st); err != nil {
		return fail(err)
	}
	logger.Info("run finished", "state", state, "elapsed", time.Since(start).Round(time.Millisecond).String())
	return out, nil
}

// allFailed returns an error when no network trained at all, so that a run
// that produced nothing does not exit as a success.
func allFailed(runs []*NetworkRun) error {
	for _, r := range runs {
		if r.Status != runFailed {
			return nil
		}
	}
	return fmt.Errorf("every network failed; the first: seed %d %s: %s", runs[0].Seed, runs[0].Network, runs[0].Message)
}

// ErrInterrupted is returned by commands whose run was interrupted, after
// the run directory was written.
var ErrInterrupted = errors.New("interrupted")
