package runs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/modcomp/modcomp/internal/atomicfile"
)

// RunDir is a run directory, <out>/<UTC timestamp>-<name>/. It is created
// new for every invocation and never reused; every file in it is written to
// a temporary name and renamed, so a reader never sees half a file.
//
// status.json says whether the run is "running", "complete", "interrupted"
// or "failed", and which process wrote it; a directory whose status is not
// "complete" holds whatever the run finished before it stopped. A run
// killed without a chance to write its status (kill -9) leaves "running":
// ReadStatus tells it from a live one.
type RunDir struct {
	Path string
}

// Status is the content of status.json.
type Status struct {
	State    string    `json:"state"` // running, complete, interrupted, failed
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	Message  string    `json:"message,omitempty"`
	// Process is the process that wrote the status: a reader checks it to
	// tell a run still going from one whose process is gone (ReadStatus).
	Process *Process `json:"process,omitempty"`
}

// The states of a run.
const (
	StateRunning = "running"
	// StateSubmitted is a sweep handed to a cluster's scheduler: its tasks
	// run elsewhere and record their own status per shard.
	StateSubmitted   = "submitted"
	StateComplete    = "complete"
	StateInterrupted = "interrupted"
	StateFailed      = "failed"
)

// CreateRunDir makes a new run directory under out named after now (UTC) and
// name, and checks that it can write there. If a directory of that name
// exists (two runs in the same second), it appends -2, -3, ...: an existing
// run directory is never written into.
func CreateRunDir(out, name string, now time.Time) (*RunDir, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("output directory %q cannot be created: %w", out, err)
	}
	base := now.UTC().Format("20060102T150405Z")
	if name != "" {
		base += "-" + name
	}
	for i := 1; ; i++ {
		path := filepath.Join(out, base)
		if i > 1 {
			path = fmt.Sprintf("%s-%d", path, i)
		}
		err := os.Mkdir(path, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("run directory cannot be created in %q: %w", out, err)
		}
		d := &RunDir{Path: path}
		if err := d.WriteStatus(Status{State: StateRunning, Started: now.UTC()}); err != nil {
			return nil, fmt.Errorf("run directory %q is not writable: %w", path, err)
		}
		return d, nil
	}
}

// Join returns the path of name inside the run directory.
func (d *RunDir) Join(name string) string { return filepath.Join(d.Path, name) }

// WriteFile writes data to name atomically (temporary file, then rename).
func (d *RunDir) WriteFile(name string, data []byte) error {
	return atomicfile.WriteFile(d.Join(name), data)
}

// WriteJSON writes v as indented JSON to name atomically.
func (d *RunDir) WriteJSON(name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return d.WriteFile(name, buf.Bytes())
}

// WriteStatus records the state of the run in status.json, and the
// process recording it.
func (d *RunDir) WriteStatus(s Status) error { return d.writeStatus("status.json", s) }

// writeStatus records s in the status file name (a sweep shard has its
// own), with this process unless s names one.
func (d *RunDir) writeStatus(name string, s Status) error {
	if s.Process == nil {
		s.Process = thisHost().self()
	}
	return d.WriteJSON(name, s)
}
