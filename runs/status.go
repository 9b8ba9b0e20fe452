package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ReadStatus reads a status file: status.json of a run, point or sweep
// directory, or a sweep shard's status.shard-<i>-of-<n>.json. A status that
// says running although the process that wrote it is gone (same host, and
// the PID has exited or now belongs to another process, or the host has
// rebooted) is returned as interrupted, its message saying so: that
// process was killed (kill -9) or crashed before it could record how the
// run ended. A running status from another host is returned as written.
func ReadStatus(path string) (Status, error) {
	return thisHost().readStatus(path)
}

func (h host) readStatus(path string) (Status, error) {
	var s Status
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return h.resolve(s), nil
}

// statusFiles lists the status files of dir: status.json, then a sweep's
// shard status files in name order.
func statusFiles(dir string) []string {
	var names []string
	if _, err := os.Stat(filepath.Join(dir, "status.json")); err == nil {
		names = append(names, "status.json")
	}
	shards, _ := filepath.Glob(filepath.Join(dir, "status.shard-*.json"))
	for _, s := range shards {
		names = append(names, filepath.Base(s))
	}
	return names
}

// DescribeStatus says, in a line per status file, how the run or sweep in
// dir stands: its state (a stale "running" read as interrupted, see
// ReadStatus), since when, and for a sweep how many points are complete.
func DescribeStatus(dir string) (string, error) {
	return thisHost().describeStatus(dir)
}

func (h host) describeStatus(dir string) (string, error) {
	names := statusFiles(dir)
	if len(names) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return "", err
		}
		return "", fmt.Errorf("%s holds no status.json: not a run or sweep directory of modcomp", dir)
	}
	var b strings.Builder
	for _, name := range names {
		s, err := h.readStatus(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s: %s\n", filepath.Join(dir, name), describe(h, s))
	}
	if spec, err := readSweepSpec(dir); err == nil {
		complete := 0
		for _, p := range spec.Points {
			if pointComplete(&RunDir{Path: dir}, p.Index) {
				complete++
			}
		}
		fmt.Fprintf(&b, "%s: %d of %d points complete\n", dir, complete, len(spec.Points))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return b.String(), nil
}

// describe renders a status read by readStatus in one line: "interrupted:
// process 4242 on host n7 is gone ...; started 2026-01-02 10:00:00 UTC".
func describe(h host, s Status) string {
	line := s.State
	if s.Message != "" {
		line += ": " + s.Message
	}
	if s.State == StateRunning && s.Process != nil {
		_, why := h.check(s.Process)
		line += ": " + why
	}
	when := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	var times []string
	if !s.Started.IsZero() {
		times = append(times, "started "+when(s.Started))
	}
	if !s.Finished.IsZero() {
		times = append(times, "finished "+when(s.Finished))
	}
	if len(times) > 0 {
		line += "; " + strings.Join(times, ", ")
	}
	return line
}

// checkNotRunning refuses to start a sweep in dir while a live process runs
// the same sweep (or shard: name is its status file) there: the two would
// redo each other's unfinished points. A status left running by a process
// that is gone is what a resume is for.
func (h host) checkNotRunning(dir *RunDir, name string) error {
	s, err := h.readStatus(dir.Join(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.State != StateRunning || s.Process == nil || *s.Process == *h.self() {
		return nil // a new directory says running with this very process
	}
	if l, why := h.check(s.Process); l == alive {
		return fmt.Errorf("sweep directory %q is in use: its %s says running and %s (started %s): wait for it to finish or stop it before resuming",
			dir.Path, name, why, s.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return nil
}

// SweepNotes lists, for the sweep directories dirs, every status that is
// not complete (a stale "running" read as interrupted, see ReadStatus), one
// line each: an aggregate of a sweep still running, or of one whose
// process is gone, holds only the points complete so far.
func SweepNotes(dirs []string) []string { return thisHost().sweepNotes(dirs) }

func (h host) sweepNotes(dirs []string) []string {
	var notes []string
	for _, d := range dirs {
		for _, name := range statusFiles(d) {
			s, err := h.readStatus(filepath.Join(d, name))
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %v", filepath.Join(d, name), err))
				continue
			}
			if s.State == StateComplete {
				continue
			}
			note := fmt.Sprintf("%s: %s", filepath.Join(d, name), describe(h, s))
			if slices.Contains([]string{StateInterrupted, StateFailed}, s.State) {
				note += fmt.Sprintf("; run the same sweep with --dir %s to finish its points", d)
			}
			notes = append(notes, note)
		}
	}
	return notes
}
