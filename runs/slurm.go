package runs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

var (
	// ErrNoScheduler means the scheduler's commands are not installed here.
	ErrNoScheduler = errors.New("Slurm is not available here")
	// ErrJobUnknown means the scheduler does not know the job (any more):
	// it forgets ended jobs after a while.
	ErrJobUnknown = errors.New("Slurm does not know this job (it forgets ended jobs after MinJobAge, 300 s by default)")
)

// Slurm is the Scheduler of a Slurm cluster: it submits with sbatch and
// reads the state of array tasks with squeue, so it needs neither
// accounting (sacct) nor a database. Finished tasks stay visible to
// `squeue -t all` for MinJobAge seconds (Slurm's default 300); a task it no
// longer lists has ended, and a job it has forgotten entirely is
// ErrJobUnknown.
type Slurm struct {
	// Bin is the directory holding sbatch and squeue; empty: look them up
	// on PATH.
	Bin string
}

// Name is "Slurm".
func (Slurm) Name() string { return "Slurm" }

// command returns the path of a Slurm command, or an error that says what
// is missing.
func (s Slurm) command(name string) (string, error) {
	if s.Bin != "" {
		path := filepath.Join(s.Bin, name)
		if _, err := exec.LookPath(path); err != nil {
			return "", fmt.Errorf("%w: %s not found in %s", ErrNoScheduler, name, s.Bin)
		}
		return path, nil
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found on PATH (Slurm's commands are on a cluster's login nodes; scripts/slurm-local.sh starts a local Slurm)", ErrNoScheduler, name)
	}
	return path, nil
}

// run runs a Slurm command and returns its stdout; a failure carries the
// command's stderr.
func (s Slurm) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := s.command(name)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := oneLine(stderr.String())
		if msg == "" {
			msg = oneLine(stdout.String())
		}
		if msg == "" {
			msg = err.Error()
		}
		return nil, &commandError{name: name, msg: msg}
	}
	return stdout.Bytes(), nil
}

// commandError is a Slurm command that ran and failed.
type commandError struct{ name, msg string }

func (e *commandError) Error() string { return e.name + ": " + e.msg }

// Submit runs `sbatch --parsable --array=TASKS SCRIPT` and returns the job
// id. The array given here overrides the script's own.
func (s Slurm) Submit(ctx context.Context, script string, tasks []int) (string, error) {
	out, err := s.run(ctx, "sbatch", "--parsable", "--array="+ArraySpec(tasks), script)
	if err != nil {
		if ce := (*commandError)(nil); errors.As(err, &ce) {
			return "", fmt.Errorf("sbatch refused the job: %s", ce.msg)
		}
		return "", err
	}
	// --parsable prints "JOBID" or "JOBID;CLUSTER".
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return "", fmt.Errorf("sbatch printed %q, want a job id", oneLine(string(out)))
	}
	return id, nil
}

// Tasks runs `squeue -j JOB -t all` and returns the state of every array
// task it lists (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT,
// ...). A pending remainder of the array, listed as one line "2-3", counts
// for each of its tasks.
func (s Slurm) Tasks(ctx context.Context, job string) (map[int]string, error) {
	out, err := s.run(ctx, "squeue", "-j", job, "-t", "all", "-h", "-o", "%F|%K|%T")
	if err != nil {
		if ce := (*commandError)(nil); errors.As(err, &ce) && strings.Contains(ce.msg, "Invalid job id") {
			return nil, fmt.Errorf("job %s: %w", job, ErrJobUnknown)
		}
		return nil, err
	}
	return parseSqueue(job, out)
}

// parseSqueue reads lines "ARRAYJOB|TASKS|STATE" of squeue -o '%F|%K|%T'.
func parseSqueue(job string, out []byte) (map[int]string, error) {
	states := map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 3 {
			return nil, fmt.Errorf("squeue -j %s printed %q, want ARRAYJOB|TASKS|STATE", job, line)
		}
		if f[0] != job {
			continue // another job's line (squeue -j of a task id lists its array)
		}
		tasks, err := parseArraySpec(f[1])
		if err != nil {
			return nil, fmt.Errorf("squeue -j %s printed tasks %q: %w", job, f[1], err)
		}
		state := f[2]
		if i := strings.IndexByte(state, ' '); i >= 0 {
			state = state[:i] // "CANCELLED by 0"
		}
		for _, t := range tasks {
			states[t] = state
		}
	}
	if len(states) == 0 {
		return nil, fmt.Errorf("job %s: %w", job, ErrJobUnknown)
	}
	return states, nil
}

// ArraySpec writes task indices as sbatch's --array wants them: "0-3,7".
func ArraySpec(tasks []int) string {
	var parts []string
	for i := 0; i < len(tasks); {
		j := i
		for j+1 < len(tasks) && tasks[j+1] == tasks[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(tasks[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", tasks[i], tasks[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// parseArraySpec reads the task indices of squeue's %K: "3", "0-3",
// "0,2,5-7%1", "[0-3]", "1-7:2".
func parseArraySpec(s string) ([]int, error) {
	s = strings.Trim(s, "[]")
	if i := strings.IndexByte(s, '%'); i >= 0 {
		s = s[:i] // the throttle: at most that many at once
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		span, stepText, hasStep := strings.Cut(part, ":")
		from, to, isRange := strings.Cut(span, "-")
		a, err := strconv.Atoi(from)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("task %q is not an index", part)
		}
		b, step := a, 1
		if isRange {
			if b, err = strconv.Atoi(to); err != nil || b < a {
				return nil, fmt.Errorf("tasks %q are not a range", part)
			}
		}
		if hasStep {
			if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
				return nil, fmt.Errorf("tasks %q have no valid step", part)
			}
		}
		if (b-a)/step > 1_000_000 {
			return nil, fmt.Errorf("tasks %q: too many", part)
		}
		for t := a; t <= b; t += step {
			out = append(out, t)
		}
	}
	return out, nil
}

// oneLine joins the lines of a command's message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
