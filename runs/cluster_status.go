package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SlurmStatus is the state of a sweep directory: its points complete and
// missing, per shard, and the state of the task that last ran each shard.
type SlurmStatus struct {
	Dir      string        `json:"dir"`
	Shards   []ShardStatus `json:"shards"`
	Total    int           `json:"points"`
	Complete int           `json:"complete"`
	Missing  []Point       `json:"missing"`
	Jobs     []SlurmJob    `json:"jobs"`
	// SchedulerError says why some task states are UNKNOWN.
	SchedulerError string `json:"scheduler_error,omitempty"`
	schedErr       error  // the first of them
}

// ShardStatus is one shard of a sweep: the points whose index is Shard
// modulo the number of shards.
type ShardStatus struct {
	Shard    int   `json:"shard"`
	Points   int   `json:"points"`
	Complete int   `json:"complete"`
	Missing  []int `json:"missing"`
	// Job and Task name the array task that last ran the shard; State is
	// its state: the scheduler's (PENDING, RUNNING, COMPLETED, FAILED,
	// CANCELLED, TIMEOUT, ...), FORGOTTEN or UNKNOWN; empty: never
	// submitted.
	Job   string `json:"job,omitempty"`
	Task  int    `json:"task"`
	State string `json:"state,omitempty"`
	Log   string `json:"log,omitempty"`
}

// Active lists the shards whose task has not ended, or cannot be told to
// have ended (UNKNOWN).
func (s *SlurmStatus) Active() []int {
	var out []int
	for _, sh := range s.Shards {
		if sh.Job != "" && !taskEnded(sh.State) {
			out = append(out, sh.Shard)
		}
	}
	return out
}

// Unknown lists the shards whose task's state could not be asked.
func (s *SlurmStatus) Unknown() []int {
	var out []int
	for _, sh := range s.Shards {
		if sh.State == TaskUnknown {
			out = append(out, sh.Shard)
		}
	}
	return out
}

// SweepStatus reads the points of the sweep directory dir and asks the
// scheduler for the state of its tasks. A directory never submitted to
// Slurm has one shard, or as many as the shards that ran in it. When the
// scheduler cannot be asked, the states are UNKNOWN and SchedulerError
// says why; that is not an error.
func SweepStatus(ctx context.Context, dir string, sched Scheduler) (*SlurmStatus, error) {
	dir, spec, err := openSweepSpec(dir)
	if err != nil {
		return nil, err
	}
	rec, err := readSlurmRecord(dir)
	if errors.Is(err, fs.ErrNotExist) {
		rec, err = &SlurmRecord{Shards: localShards(dir)}, nil
	}
	if err != nil {
		return nil, err
	}
	if sched == nil {
		sched = Slurm{}
	}
	return slurmStatus(ctx, dir, spec, rec, sched)
}

// localShards is the number of shards of a sweep run with --shard I/N
// into dir, from its status.shard-I-of-N.json files; 1 if there are none.
func localShards(dir string) int {
	names, _ := filepath.Glob(filepath.Join(dir, "status.shard-*-of-*.json"))
	n := 1
	for _, name := range names {
		var i, k int
		if _, err := fmt.Sscanf(filepath.Base(name), "status.shard-%d-of-%d.json", &i, &k); err == nil && k > n {
			n = k
		}
	}
	return n
}

func slurmStatus(ctx context.Context, dir string, spec *SweepSpec, rec *SlurmRecord, sched Scheduler) (*SlurmStatus, error) {
	st := &SlurmStatus{Dir: dir, Total: len(spec.Points), Jobs: rec.Jobs, Missing: []Point{}}
	if st.Jobs == nil {
		st.Jobs = []SlurmJob{}
	}
	d := &RunDir{Path: dir}
	st.Shards = make([]ShardStatus, rec.Shards)
	for i := range st.Shards {
		st.Shards[i] = ShardStatus{Shard: i, Task: i, Missing: []int{}}
	}
	for _, p := range spec.Points {
		sh := &st.Shards[p.Index%rec.Shards]
		sh.Points++
		if pointComplete(d, p.Index) {
			sh.Complete++
			st.Complete++
		} else {
			sh.Missing = append(sh.Missing, p.Index)
			st.Missing = append(st.Missing, p)
		}
	}
	// The last job that ran each shard, and the states of those jobs.
	for _, job := range rec.Jobs {
		for _, t := range job.Tasks {
			if t >= 0 && t < rec.Shards {
				st.Shards[t].Job = job.ID
			}
		}
	}
	var errs []string
	var firstErr error
	states := map[string]map[int]string{}
	for i := range st.Shards {
		sh := &st.Shards[i]
		if sh.Job == "" {
			continue
		}
		sh.Log = filepath.Join(dir, slurmLogs, fmt.Sprintf("%s_%d.log", sh.Job, sh.Task))
		tasks, asked := states[sh.Job]
		if !asked {
			var err error
			tasks, err = sched.Tasks(ctx, sh.Job)
			switch {
			case errors.Is(err, ErrJobUnknown):
				tasks = map[int]string{}
			case err != nil:
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				tasks = nil
				errs = append(errs, err.Error())
				if firstErr == nil {
					firstErr = err
				}
			}
			states[sh.Job] = tasks
		}
		switch state, listed := tasks[sh.Task]; {
		case tasks == nil:
			sh.State = TaskUnknown
		case !listed:
			sh.State = TaskForgotten
		default:
			sh.State = state
		}
	}
	st.SchedulerError, st.schedErr = strings.Join(slices.Compact(errs), "; "), firstErr
	return st, nil
}

// MissingLabels names the missing points: "1 [n-train=40 mu[0]=0.2], 3 [...]".
func (s *SlurmStatus) MissingLabels() string {
	var parts []string
	for _, p := range s.Missing {
		parts = append(parts, fmt.Sprintf("%d [%s]", p.Index, p.Label))
	}
	return strings.Join(parts, ", ")
}

// Table renders the status per shard as aligned text.
func (s *SlurmStatus) Table() string {
	var b strings.Builder
	rows := [][]string{{"shard", "points", "complete", "missing", "task", "state"}}
	for _, sh := range s.Shards {
		missing := "-"
		if len(sh.Missing) > 0 {
			missing = joinInts(sh.Missing, ",")
		}
		task, state := "-", "-"
		if sh.Job != "" {
			task, state = fmt.Sprintf("%s_%d", sh.Job, sh.Task), sh.State
		}
		rows = append(rows, []string{strconv.Itoa(sh.Shard), strconv.Itoa(sh.Points), strconv.Itoa(sh.Complete), missing, task, state})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				fmt.Fprintf(&b, "%s\n", c)
			} else {
				fmt.Fprintf(&b, "%-*s  ", widths[i], c)
			}
		}
	}
	return b.String()
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}

// WaitOptions are the settings of WaitSweep.
type WaitOptions struct {
	// Progress receives a line whenever the tasks' states or the number of
	// complete points change; nil for none.
	Progress io.Writer
	// Poll is the time between two looks at the job; 0 for every second
	// at first, then up to every 30 s as the wait grows longer.
	Poll time.Duration
	// Scheduler is asked; nil for Slurm{}.
	Scheduler Scheduler
}

// SlurmOutcome is the result of waiting for a sweep's tasks: their final
// status and the aggregate written into the sweep directory.
type SlurmOutcome struct {
	Status *SlurmStatus `json:"status"`
	Table  string       `json:"table"`
}

// maxAskFailures is how many looks at the job in a row may fail (the
// controller busy or restarting) before WaitSweep gives up.
const maxAskFailures = 10

// WaitSweep blocks until every task of the sweep directory's jobs has
// ended, then aggregates the complete points into the directory (sweep.csv,
// sweep.md, plots) and records the outcome in status.json. When points are
// missing (a task failed, was cancelled or timed out), the outcome is
// returned with an error that names them. Cancelling ctx stops the wait,
// not the job.
func WaitSweep(ctx context.Context, dir string, opts WaitOptions) (*SlurmOutcome, error) {
	dir, spec, err := openSweepSpec(dir)
	if err != nil {
		return nil, err
	}
	rec, err := readSlurmRecord(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sweep directory %s has no Slurm job to wait for (no %s): it was not submitted with --slurm", dir, slurmJobs)
	}
	if err != nil {
		return nil, err
	}
	sched := opts.Scheduler
	if sched == nil {
		sched = Slurm{}
	}
	start := time.Now()
	var st *SlurmStatus
	last, failures := "", 0
	for {
		st, err = slurmStatus(ctx, dir, spec, rec, sched)
		if err != nil && ctx.Err() == nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: stopped waiting; the job keeps running: follow it with modcomp sweep status %s, collect it with modcomp sweep wait %s", ErrInterrupted, dir, dir)
		}
		if st.schedErr != nil {
			failures++
			if errors.Is(st.schedErr, ErrNoScheduler) || failures >= maxAskFailures {
				return nil, fmt.Errorf("cannot follow the Slurm job of %s: %s", dir, st.SchedulerError)
			}
		} else {
			failures = 0
		}
		if line := waitLine(st); line != last && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "%s | %s\n", line, formatDuration(time.Since(start)))
			last = line
		}
		if len(st.Active()) == 0 {
			break
		}
		poll := opts.Poll
		if poll == 0 {
			poll = min(max(time.Since(start)/10, time.Second), 30*time.Second)
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
	d := &RunDir{Path: dir}
	table, err := Aggregate(d, []string{dir})
	if err != nil {
		return nil, fmt.Errorf("%w (sweep directory %s)", err, dir)
	}
	out := &SlurmOutcome{Status: st, Table: table}
	status := Status{State: StateComplete, Finished: time.Now().UTC(), Message: fmt.Sprintf("%d of %d points complete", st.Complete, st.Total)}
	if len(rec.Jobs) > 0 {
		status.Started = rec.Jobs[0].Submitted
	}
	if len(st.Missing) == 0 {
		d.WriteStatus(status)
		return out, nil
	}
	err = &MissingPointsError{Status: st}
	status.State, status.Message = StateFailed, err.Error()
	d.WriteStatus(status)
	return out, err
}

// waitLine summarises the tasks' states: "job 12: 1 RUNNING, 1 COMPLETED; 3 of 4 points complete".
func waitLine(st *SlurmStatus) string {
	byJob := map[string]map[string]int{}
	var jobs []string
	for _, sh := range st.Shards {
		if sh.Job == "" {
			continue
		}
		if byJob[sh.Job] == nil {
			byJob[sh.Job] = map[string]int{}
			jobs = append(jobs, sh.Job)
		}
		byJob[sh.Job][sh.State]++
	}
	var parts []string
	for _, j := range jobs {
		var states []string
		for s, n := range byJob[j] {
			states = append(states, fmt.Sprintf("%d %s", n, s))
		}
		sort.Strings(states)
		parts = append(parts, fmt.Sprintf("job %s: %s", j, strings.Join(states, ", ")))
	}
	return fmt.Sprintf("%s; %d of %d points complete", strings.Join(parts, "; "), st.Complete, st.Total)
}

// MissingPointsError is a sweep whose tasks have ended with points
// missing.
type MissingPointsError struct {
	Status *SlurmStatus
}

func (e *MissingPointsError) Error() string {
	st := e.Status
	var shards []string
	for _, sh := range st.Shards {
		if len(sh.Missing) > 0 {
			s := fmt.Sprintf("shard %d", sh.Shard)
			if sh.Job != "" {
				s += fmt.Sprintf(" (task %s_%d %s, log %s)", sh.Job, sh.Task, sh.State, sh.Log)
			}
			shards = append(shards, s)
		}
	}
	return fmt.Sprintf("%d of %d points missing: %s; from %s; resubmit them with modcomp sweep resubmit %s",
		len(st.Missing), st.Total, st.MissingLabels(), strings.Join(shards, ", "), st.Dir)
}
