package runs

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/modcomp/modcomp/graph"
)

// openRunLog opens log.jsonl in the run directory and returns a logger that
// writes JSON records there and, when extra is not nil, to extra as well.
func openRunLog(dir *RunDir, extra *slog.Logger) (*os.File, *slog.Logger, error) {
	f, err := os.OpenFile(dir.Join("log.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("run log: %w", err)
	}
	var h slog.Handler = slog.NewJSONHandler(f, nil)
	if extra != nil {
		h = slog.NewMultiHandler(h, extra.Handler())
	}
	return f, slog.New(h), nil
}

// nopEvents ignores every event.
type nopEvents struct{}

func (nopEvents) Started(*NetworkRun, int) {}
func (nopEvents) Logged(*NetworkRun, int)  {}
func (nopEvents) Finished(*NetworkRun)     {}

// logEvents forwards events and logs how each network ended.
type logEvents struct {
	Events
	logger *slog.Logger
}

func (e logEvents) Finished(r *NetworkRun) {
	attrs := []any{"seed", r.Seed, "network", r.Network, "status", r.Status, "steps", r.Steps,
		"elapsed", r.Elapsed.Round(1e6).String()}
	if final, ok := r.Final(); ok {
		if v, ok := final.Get(graph.TestAcc); ok {
			attrs = append(attrs, graph.TestAcc, v)
		}
	}
	switch r.Status {
	case "completed", runNotStarted:
		e.logger.Info("network finished", attrs...)
	default:
		e.logger.Warn("network stopped early", append(attrs, "message", r.Message)...)
	}
	e.Events.Finished(r)
}
