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
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/modcomp/modcomp/internal/atomicfile"
)

// A sweep submitted to a cluster runs as one array job, one task per shard:
// task I runs `modcomp sweep --shard I/N` into the sweep directory, which
// must be on a file system the compute nodes share. Besides the files of a
// sweep (see Sweep), the directory then holds
//
//	slurm/sweep-file.json  the sweep file every task runs: the base configuration and the grid
//	slurm/array.sbatch     the array job script, as last submitted
//	slurm/jobs.json        the submissions: job ids, their tasks, the sbatch options (SlurmRecord)
//	slurm/logs/J_I.log     the output of task I of job J
//	slurm/modcomp          a copy of the binary, when it was a temporary one of `go run`
//
// Points are written by the tasks as they finish, so a task that fails or
// is cancelled loses only its own points in flight; SweepStatus lists what
// is missing and ResubmitSweep submits again only the shards that miss
// points.

// Scheduler submits array jobs to a cluster's batch system and reports the
// state of their tasks. Slurm implements it.
type Scheduler interface {
	// Name names the scheduler in messages ("Slurm").
	Name() string
	// Submit submits the job script as an array of the given tasks and
	// returns the job id.
	Submit(ctx context.Context, script string, tasks []int) (job string, err error)
	// Tasks returns the state of each task of the job the scheduler still
	// lists, by task index, in the scheduler's words (PENDING, RUNNING,
	// COMPLETED, FAILED, CANCELLED, ...); ErrJobUnknown if it lists none.
	Tasks(ctx context.Context, job string) (map[int]string, error)
}

// Task states besides the scheduler's own.
const (
	// TaskForgotten is a task the scheduler no longer lists: it has ended.
	TaskForgotten = "FORGOTTEN"
	// TaskUnknown is a task whose state could not be asked (see
	// SlurmStatus.SchedulerError).
	TaskUnknown = "UNKNOWN"
)

// taskEnded reports whether a task in state will not run any more.
func taskEnded(state string) bool {
	switch state {
	case "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
		"BOOT_FAIL", "DEADLINE", "PREEMPTED", TaskForgotten:
		return true
	}
	return false
}

// The files of a sweep submitted to Slurm, relative to the sweep directory.
const (
	slurmSweepFile = "slurm/sweep-file.json"
	slurmScript    = "slurm/array.sbatch"
	slurmJobs      = "slurm/jobs.json"
	slurmLogs      = "slurm/logs"
	slurmBinary    = "slurm/modcomp"
)

// SlurmRecord is slurm/jobs.json: how the sweep's tasks are submitted and
// every submission so far.
type SlurmRecord struct {
	Shards  int    `json:"shards"`  // array tasks: task I runs shard I/Shards
	Workdir string `json:"workdir"` // the tasks' working directory
	Workers int    `json:"workers"` // --workers of the tasks; 0: the CPUs Slurm allocated
	// SbatchArgs are the options passed through to sbatch, in the order
	// given; a later option wins over an earlier one.
	SbatchArgs []string   `json:"sbatch_args"`
	Jobs       []SlurmJob `json:"jobs"`
}

// SlurmJob is one submission of the sweep's array job.
type SlurmJob struct {
	ID         string    `json:"id"`
	Tasks      []int     `json:"tasks"`
	Submitted  time.Time `json:"submitted"`
	Executable string    `json:"executable"` // the modcomp binary the tasks run
	SbatchArgs []string  `json:"sbatch_args"`
}

// SlurmOptions are the settings of submitting a sweep to Slurm.
type SlurmOptions struct {
	// Dir is the sweep directory; empty for a new <out>/<timestamp>-<name>.
	Dir string
	// Tasks is the number of array tasks, one per shard.
	Tasks int
	// SbatchArgs are passed through to sbatch, one option each, e.g.
	// "--time=30" or "--partition gpu".
	SbatchArgs []string
	// Executable is the absolute path of the modcomp binary the tasks run.
	// A temporary binary of `go run` is copied into the sweep directory.
	Executable string
	// Workdir is the tasks' working directory (relative paths of the
	// configuration resolve there); empty for the current one.
	Workdir string
	// Scheduler submits; nil for Slurm{}.
	Scheduler Scheduler
}

// SlurmSubmission is what a submission did.
type SlurmSubmission struct {
	Dir    string `json:"dir"`
	Job    string `json:"job,omitempty"` // empty: nothing was submitted
	Tasks  []int  `json:"tasks"`         // the array tasks (shards) submitted
	Shards int    `json:"shards"`
	// Running are shards left alone because a task of an earlier job
	// still runs them.
	Running []int  `json:"running,omitempty"`
	Points  int    `json:"points"`
	Missing int    `json:"missing"` // points not complete at submission
	Script  string `json:"script"`
	Logs    string `json:"logs"` // the log of task I is Logs with %a replaced by I
	// CopiedExecutable is set when the running binary was temporary (go
	// run) and was copied into the sweep directory for the tasks.
	CopiedExecutable string `json:"copied_executable,omitempty"`
}

// SubmitSweep writes the sweep of base over axes into its directory and
// submits it as an array job of opts.Tasks tasks, one per shard. Only the
// shards with points not yet complete are submitted, so submitting into a
// directory whose sweep was partly run resumes it; a shard that a task of
// an earlier submission still runs is left to it. A directory it created
// is removed again when the submission fails.
func SubmitSweep(ctx context.Context, base Config, axes []Axis, opts SlurmOptions) (*SlurmSubmission, error) {
	spec, _, _, err := planSweep(base, axes)
	if err != nil {
		return nil, err
	}
	if opts.Tasks < 1 {
		return nil, fmt.Errorf("slurm: %d array tasks: want at least 1", opts.Tasks)
	}
	if opts.Tasks > len(spec.Points) {
		return nil, fmt.Errorf("slurm: %d array tasks for %d points: a task would have no point; use at most %d", opts.Tasks, len(spec.Points), len(spec.Points))
	}
	if err := checkSbatchArgs(opts.SbatchArgs); err != nil {
		return nil, err
	}
	exe, err := checkExecutable(opts.Executable)
	if err != nil {
		return nil, err
	}
	workdir, err := workdirOf(opts.Workdir)
	if err != nil {
		return nil, err
	}
	sched := opts.Scheduler
	if sched == nil {
		sched = Slurm{}
	}
	created := opts.Dir == ""
	if !created {
		if _, err := os.Stat(opts.Dir); errors.Is(err, fs.ErrNotExist) {
			created = true
		}
	}
	dir, err := openSweepDir(base, spec, opts.Dir)
	if err != nil {
		return nil, err
	}
	if dir.Path, err = filepath.Abs(dir.Path); err != nil {
		return nil, err
	}
	for _, p := range []string{dir.Path, workdir} {
		if err := checkClusterPath(p); err != nil {
			removeIf(created, dir.Path)
			return nil, err
		}
	}
	rec, err := readSlurmRecord(dir.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rec = &SlurmRecord{Shards: opts.Tasks}
	case err != nil:
		return nil, err
	case rec.Shards != opts.Tasks:
		return nil, fmt.Errorf("sweep directory %s was submitted as %d array tasks, not %d: give --slurm %d, or resubmit its missing shards with modcomp sweep resubmit %s",
			dir.Path, rec.Shards, opts.Tasks, rec.Shards, dir.Path)
	}
	// This invocation says how the tasks run: its sbatch options replace
	// those of an earlier --slurm into the directory (a resubmission adds
	// to them instead).
	rec.Workdir, rec.Workers = workdir, base.Workers
	rec.SbatchArgs = append([]string{}, opts.SbatchArgs...)
	// The tasks run exactly this sweep, whatever the flags of a later
	// invocation: it is written once per submission, and a task started
	// with another configuration is refused by the sweep directory.
	file := resolvedConfig(&base, "sweep")
	var grid []string
	for _, a := range axes {
		grid = append(grid, axisSpec(a))
	}
	file["grid"] = grid
	if err := dir.WriteJSON(slurmSweepFile, file); err != nil {
		removeIf(created, dir.Path)
		return nil, err
	}
	sub, err := submitMissing(ctx, dir.Path, &spec, rec, sched, exe)
	if err != nil {
		if sub == nil || sub.Job == "" { // a submitted job's tasks need the directory
			removeIf(created, dir.Path)
		}
		return sub, err
	}
	return sub, nil
}

// ResubmitSweep submits again, with the settings recorded in the sweep
// directory, the shards that miss points and whose task has ended. extra
// sbatch options are added to the recorded ones (and win over them).
// executable is the modcomp binary the tasks run now.
func ResubmitSweep(ctx context.Context, dir string, extra []string, executable string, sched Scheduler) (*SlurmSubmission, error) {
	if err := checkSbatchArgs(extra); err != nil {
		return nil, err
	}
	exe, err := checkExecutable(executable)
	if err != nil {
		return nil, err
	}
	if sched == nil {
		sched = Slurm{}
	}
	dir, spec, err := openSweepSpec(dir)
	if err != nil {
		return nil, err
	}
	rec, err := readSlurmRecord(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sweep directory %s was never submitted to Slurm (no %s): submit it with modcomp sweep --slurm N --dir %s and its flags", dir, slurmJobs, dir)
	}
	if err != nil {
		return nil, err
	}
	rec.SbatchArgs = append(rec.SbatchArgs, extra...)
	return submitMissing(ctx, dir, spec, rec, sched, exe)
}

// submitMissing writes the job script and submits the shards of rec with
// missing points whose task has ended, then records the job.
func submitMissing(ctx context.Context, dir string, spec *SweepSpec, rec *SlurmRecord, sched Scheduler, exe string) (*SlurmSubmission, error) {
	st, err := slurmStatus(ctx, dir, spec, rec, sched)
	if err != nil {
		return nil, err
	}
	sub := &SlurmSubmission{Dir: dir, Shards: rec.Shards, Points: st.Total, Missing: st.Total - st.Complete,
		Script: filepath.Join(dir, slurmScript), Logs: filepath.Join(dir, slurmLogs, "JOB_%a.log")}
	for _, sh := range st.Shards {
		switch {
		case len(sh.Missing) == 0:
		case sh.State == TaskUnknown:
			return nil, fmt.Errorf("cannot tell whether shard %d still runs in job %s: %s", sh.Shard, sh.Job, st.SchedulerError)
		case sh.Job != "" && !taskEnded(sh.State):
			sub.Running = append(sub.Running, sh.Shard)
		default:
			sub.Tasks = append(sub.Tasks, sh.Shard)
		}
	}
	if len(sub.Tasks) == 0 {
		return sub, nil
	}
	if goRunBinary(exe) {
		copied, err := copyExecutable(exe, filepath.Join(dir, slurmBinary))
		if err != nil {
			return nil, err
		}
		exe, sub.CopiedExecutable = copied, copied
	}
	if err := os.MkdirAll(filepath.Join(dir, slurmLogs), 0o755); err != nil {
		return nil, fmt.Errorf("slurm logs: %w", err)
	}
	script := jobScript(dir, rec, exe)
	if err := atomicfile.WriteFile(sub.Script, []byte(script)); err != nil {
		return nil, err
	}
	job, err := sched.Submit(ctx, sub.Script, sub.Tasks)
	if err != nil {
		return nil, err
	}
	sub.Job = job
	sub.Logs = filepath.Join(dir, slurmLogs, job+"_%a.log")
	rec.Jobs = append(rec.Jobs, SlurmJob{ID: job, Tasks: sub.Tasks, Submitted: time.Now().UTC(), Executable: exe,
		SbatchArgs: slices.Clone(rec.SbatchArgs)})
	d := &RunDir{Path: dir}
	if err := d.WriteJSON(slurmJobs, rec); err != nil {
		return sub, fmt.Errorf("%s job %s was submitted but not recorded in %s (%w): cancel it (scancel %s) or note its id",
			sched.Name(), job, d.Join(slurmJobs), err, job)
	}
	d.WriteStatus(Status{State: StateSubmitted, Started: time.Now().UTC(),
		Message: fmt.Sprintf("submitted to %s as job %s, tasks %s", sched.Name(), job, ArraySpec(sub.Tasks))})
	return sub, nil
}

// jobScript is the array job script: every task runs the same binary on
// the same sweep file into the same directory, on its own shard.
func jobScript(dir string, rec *SlurmRecord, exe string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by modcomp: the Slurm array job of the sweep in %s.\n", dir)
	fmt.Fprintf(&b, "# Array task I runs shard I/%d, the points whose index is I modulo %d,\n", rec.Shards, rec.Shards)
	fmt.Fprintf(&b, "# into the sweep directory. The sbatch options below the first four are\n")
	fmt.Fprintf(&b, "# those given with --sbatch-arg; a later one wins.\n")
	fmt.Fprintf(&b, "#   modcomp sweep status %s     points complete and missing per shard\n", dir)
	fmt.Fprintf(&b, "#   modcomp sweep resubmit %s   submit again the shards with missing points\n", dir)
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", jobName(dir))
	fmt.Fprintf(&b, "#SBATCH --array=0-%d\n", rec.Shards-1)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", sbatchQuote(strings.ReplaceAll(filepath.Join(dir, slurmLogs), "%", "%%")+"/%A_%a.log"))
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", sbatchQuote(rec.Workdir))
	for _, a := range rec.SbatchArgs {
		fmt.Fprintf(&b, "#SBATCH %s\n", a)
	}
	fmt.Fprintf(&b, "exec %s sweep --sweep %s --dir %s --shard \"${SLURM_ARRAY_TASK_ID}/%d\"",
		shellQuote(exe), shellQuote(filepath.Join(dir, slurmSweepFile)), shellQuote(dir), rec.Shards)
	if rec.Workers == 0 {
		// As many workers as CPUs allocated to the task, when sbatch was
		// given --cpus-per-task; otherwise all the CPUs the task sees.
		fmt.Fprintf(&b, " --workers \"${SLURM_CPUS_PER_TASK:-0}\"")
	}
	fmt.Fprintf(&b, "\n")
	return b.String()
}

// jobName is the array job's name in squeue: modcomp-<directory name>.
func jobName(dir string) string {
	name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(filepath.Base(dir), "_")
	return "modcomp-" + name
}

// sbatchQuote quotes a value of an #SBATCH line that holds spaces.
func sbatchQuote(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`
	}
	return s
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkClusterPath refuses a directory whose path the job script cannot
// carry in an #SBATCH line.
func checkClusterPath(dir string) error {
	if strings.ContainsAny(dir, "\"\\\n") {
		return fmt.Errorf("directory %q: a directory for Slurm must not contain a quote, a backslash or a newline", dir)
	}
	return nil
}

// axisSpec writes an axis back as a --grid flag spells it.
func axisSpec(a Axis) string {
	sep := ","
	base, index, _ := splitIndex(a.Key)
	var c Config
	if f, ok := c.field(base); ok && index < 0 {
		if t := f.Type(); t == reflect.TypeOf(FloatList{}) || t == reflect.TypeOf(IntList{}) {
			sep = ":"
		}
	}
	return a.Key + "=" + strings.Join(a.Values, sep)
}

// reservedSbatch are the options modcomp sets itself.
var reservedSbatch = map[string]string{
	"--array": "one task per shard", "-a": "one task per shard",
	"--output": "one log per task in the sweep directory", "-o": "one log per task in the sweep directory",
	"--error": "one log per task in the sweep directory", "-e": "one log per task in the sweep directory",
	"--chdir": "the directory modcomp was run from", "-D": "the directory modcomp was run from",
	"--wrap": "the job script", "--parsable": "to read the job id",
}

// checkSbatchArgs checks that each option passed through to sbatch is one
// option that modcomp does not set itself.
func checkSbatchArgs(args []string) error {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || strings.ContainsAny(a, "\n\r") {
			return fmt.Errorf("--sbatch-arg %q: want one sbatch option per --sbatch-arg, e.g. --sbatch-arg=--time=30 or --sbatch-arg '--partition gpu'", a)
		}
		name := strings.FieldsFunc(a, func(r rune) bool { return r == '=' || r == ' ' || r == '\t' })[0]
		if !strings.HasPrefix(name, "--") && len(name) > 2 {
			name = name[:2] // -pdebug
		}
		for opt, why := range reservedSbatch {
			if name == opt || (strings.HasPrefix(opt, "--") && len(name) >= 4 && strings.HasPrefix(opt, name)) {
				return fmt.Errorf("--sbatch-arg %q: modcomp sets %s itself (%s)", a, opt, why)
			}
		}
	}
	return nil
}

// checkExecutable checks the binary the tasks are to run.
func checkExecutable(path string) (string, error) {
	if path == "" || !filepath.IsAbs(path) {
		return "", fmt.Errorf("slurm: the modcomp binary for the tasks must be an absolute path, got %q", path)
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		return "", fmt.Errorf("slurm: the modcomp binary for the tasks %s: not a file (%v)", path, err)
	}
	return path, nil
}

// workdirOf returns the absolute working directory of the tasks.
func workdirOf(dir string) (string, error) {
	if dir == "" {
		return os.Getwd()
	}
	return filepath.Abs(dir)
}

// goRunBinary reports whether path is a binary that `go run` built in a
// temporary directory and deletes when it exits.
func goRunBinary(path string) bool {
	return strings.Contains(path, string(filepath.Separator)+"go-build") && filepath.Base(filepath.Dir(path)) == "exe"
}

// copyExecutable copies the binary at from to to, executable.
func copyExecutable(from, to string) (string, error) {
	f, err := os.Open(from)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := atomicfile.Write(to, func(w io.Writer) error {
		_, err := io.Copy(w, f)
		return err
	}); err != nil {
		return "", fmt.Errorf("copy of the modcomp binary for the tasks: %w", err)
	}
	if err := os.Chmod(to, 0o755); err != nil {
		return "", err
	}
	return to, nil
}

func removeIf(cond bool, dir string) {
	if cond {
		os.RemoveAll(dir)
	}
}

// openSweepSpec returns the absolute path of the sweep directory dir and
// its sweep.json.
func openSweepSpec(dir string) (string, *SweepSpec, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, err
	}
	spec, err := readSweepSpec(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("%s is not a sweep directory (no sweep.json)", dir)
	}
	return abs, spec, err
}

func readSlurmRecord(dir string) (*SlurmRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, slurmJobs))
	if err != nil {
		return nil, err
	}
	var r SlurmRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, slurmJobs), err)
	}
	if r.Shards < 1 {
		return nil, fmt.Errorf("%s: %d shards, want at least 1", filepath.Join(dir, slurmJobs), r.Shards)
	}
	return &r, nil
}
