package runs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeScheduler stands in for Slurm: it records submissions and reports
// the task states a test sets.
type fakeScheduler struct {
	mu        sync.Mutex
	submitErr error
	submitted [][]int                          // the tasks of each submission; job i+1
	states    map[string]map[int]string        // by job, by task
	tasksErr  func(job string, call int) error // an error for this call, or nil
	onTasks   func(f *fakeScheduler, job string, call int)
	calls     int
}

func newFake() *fakeScheduler { return &fakeScheduler{states: map[string]map[int]string{}} }

func (f *fakeScheduler) Name() string { return "Slurm" }

func (f *fakeScheduler) Submit(_ context.Context, script string, tasks []int) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.submitErr != nil {
		return "", f.submitErr
	}
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("fake sbatch: %w", err)
	}
	f.submitted = append(f.submitted, tasks)
	job := fmt.Sprint(len(f.submitted))
	f.states[job] = map[int]string{}
	for _, t := range tasks {
		f.states[job][t] = "PENDING"
	}
	return job, nil
}

func (f *fakeScheduler) Tasks(_ context.Context, job string) (map[int]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.onTasks != nil {
		f.onTasks(f, job, f.calls)
	}
	if f.tasksErr != nil {
		if err := f.tasksErr(job, f.calls); err != nil {
			return nil, err
		}
	}
	s, ok := f.states[job]
	if !ok {
		return nil, fmt.Errorf("job %s: %w", job, ErrJobUnknown)
	}
	out := map[int]string{}
	for k, v := range s {
		out[k] = v
	}
	return out, nil
}

// set sets the state of tasks of job.
func (f *fakeScheduler) set(job, state string, tasks ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.states[job] == nil {
		f.states[job] = map[int]string{}
	}
	for _, t := range tasks {
		f.states[job][t] = state
	}
}

// fakeExecutable is a file standing in for the modcomp binary.
func fakeExecutable(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modcomp")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// runTask does what array task i does: the sweep of the sweep file the
// submission wrote, shard i/n, into the sweep directory.
func runTask(t *testing.T, dir string, i, n int) {
	t.Helper()
	cfg := Default()
	specs, err := cfg.LoadSweepFile(filepath.Join(dir, slurmSweepFile))
	if err != nil {
		t.Fatalf("task %d: %v", i, err)
	}
	var axes []Axis
	for _, s := range specs {
		axes = append(axes, parseAxis(t, s))
	}
	if _, err := Sweep(context.Background(), cfg, axes, SweepOptions{Dir: dir, Shard: i, Shards: n}); err != nil {
		t.Fatalf("task %d: %v", i, err)
	}
}

func wantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s does not contain %q:\n%s", what, p, text)
		}
	}
}

// TestSubmitSweepLifecycle follows a sweep submitted as a 2-task array:
// the script and the sweep file, task 1 cancelled, its points named
// missing, resubmission of shard 1 only, and the aggregate equal to a local
// run's once it completes.
func TestSubmitSweepLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, local := tinySweep(t)
	cfg, axes := tinySweepConfig(t), tinyAxes(t)
	work := t.TempDir()
	dir := filepath.Join(work, "sweep")
	exe := fakeExecutable(t)
	fake := newFake()

	sub, err := SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 2, SbatchArgs: []string{"--time=10", "--partition debug"},
		Executable: exe, Workdir: work, Scheduler: fake})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Job != "1" || !reflect.DeepEqual(sub.Tasks, []int{0, 1}) || sub.Points != 4 || sub.Missing != 4 || sub.Dir != dir {
		t.Errorf("submission %+v, want job 1, tasks [0 1], 4 points missing in %s", sub, dir)
	}
	script := string(readDirFile(t, dir, slurmScript))
	wantContains(t, "the job script", script,
		"#!/bin/bash\n",
		"#SBATCH --array=0-1\n",
		"#SBATCH --output="+dir+"/slurm/logs/%A_%a.log\n",
		"#SBATCH --chdir="+work+"\n",
		"#SBATCH --time=10\n#SBATCH --partition debug\n",
		fmt.Sprintf("exec '%s' sweep --sweep '%s/slurm/sweep-file.json' --dir '%s' --shard \"${SLURM_ARRAY_TASK_ID}/2\"\n", exe, dir, dir))
	if strings.Contains(script, "--workers") {
		t.Errorf("the script sets --workers although the configuration has %d:\n%s", cfg.Workers, script)
	}
	// The sweep file reproduces the sweep: a task with it opens the
	// directory without complaint (tested by running them below).
	var rec SlurmRecord
	if err := json.Unmarshal(readDirFile(t, dir, slurmJobs), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Shards != 2 || rec.Workdir != work || len(rec.Jobs) != 1 || rec.Jobs[0].ID != "1" || rec.Jobs[0].Executable != exe {
		t.Errorf("jobs.json %+v", rec)
	}
	if fi, err := os.Stat(filepath.Join(dir, slurmLogs)); err != nil || !fi.IsDir() {
		t.Errorf("no log directory before submission: %v", err)
	}

	// Task 0 runs, task 1 is cancelled before it finishes a point.
	runTask(t, dir, 0, 2)
	fake.set("1", "COMPLETED", 0)
	fake.set("1", "CANCELLED", 1)
	out, err := WaitSweep(ctx, dir, WaitOptions{Scheduler: fake, Poll: time.Millisecond})
	var missing *MissingPointsError
	if !errors.As(err, &missing) || out == nil {
		t.Fatalf("WaitSweep with task 1 cancelled: %v, want a MissingPointsError and the outcome", err)
	}
	wantContains(t, "the error", err.Error(), "2 of 4 points missing: 1 [n-train=40 mu[0]=0.2], 3 [n-train=60 mu[0]=0.2]",
		"shard 1 (task 1_1 CANCELLED, log "+dir+"/slurm/logs/1_1.log)", "modcomp sweep resubmit "+dir)
	if out.Status.Complete != 2 || len(out.Status.Missing) != 2 || tableRowCount(out.Table) != 2 {
		t.Errorf("outcome: %d complete, missing %v, table:\n%s", out.Status.Complete, out.Status.Missing, out.Table)
	}
	wantContains(t, "sweep.md", string(readDirFile(t, dir, "sweep.md")), "2 of 4 points complete (missing: 1, 3)")
	if s := readState(t, dir, "status.json"); s != StateFailed {
		t.Errorf("status.json %s, want failed", s)
	}

	// Resubmission: shard 1 only, with one more sbatch option.
	sub, err = ResubmitSweep(ctx, dir, []string{"--time=20"}, exe, fake)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Job != "2" || !reflect.DeepEqual(sub.Tasks, []int{1}) || sub.Missing != 2 {
		t.Errorf("resubmission %+v, want job 2 of task 1 for 2 points", sub)
	}
	wantContains(t, "the job script", string(readDirFile(t, dir, slurmScript)), "#SBATCH --time=10\n#SBATCH --partition debug\n#SBATCH --time=20\n")
	// While it runs, another resubmission leaves it alone.
	fake.set("2", "RUNNING", 1)
	sub, err = ResubmitSweep(ctx, dir, nil, exe, fake)
	if err != nil || sub.Job != "" || !reflect.DeepEqual(sub.Running, []int{1}) {
		t.Errorf("resubmission while shard 1 runs: %+v, %v; want nothing submitted, shard 1 running", sub, err)
	}
	st, err := SweepStatus(ctx, dir, fake)
	if err != nil {
		t.Fatal(err)
	}
	wantTable := "shard  points  complete  missing  task  state\n" +
		"0      2       2         -        1_0   COMPLETED\n" +
		"1      2       0         1,3      2_1   RUNNING\n"
	if st.Table() != wantTable {
		t.Errorf("status table:\n%s\nwant:\n%s", st.Table(), wantTable)
	}

	runTask(t, dir, 1, 2)
	fake.set("2", "COMPLETED", 1)
	out, err = WaitSweep(ctx, dir, WaitOptions{Scheduler: fake, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status.Complete != 4 || readState(t, dir, "status.json") != StateComplete {
		t.Errorf("after shard 1 completed: %d of 4 complete, status %s", out.Status.Complete, readState(t, dir, "status.json"))
	}
	if got, want := readDirFile(t, dir, "sweep.csv"), readDirFile(t, local.Dir, "sweep.csv"); !bytes.Equal(got, want) {
		t.Errorf("sweep.csv of the array job differs from a local run's:\n%s\nwant:\n%s", got, want)
	}
	if len(fake.submitted) != 2 {
		t.Errorf("%d submissions, want 2", len(fake.submitted))
	}
}

func tableRowCount(table string) int {
	n := 0
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| ") {
			n++
		}
	}
	return n - 1
}

// TestSubmitSweepFailure wants a refused submission to leave no new
// directory behind, and an existing one in place.
func TestSubmitSweepFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, axes := tinySweepConfig(t), tinyAxes(t)
	exe := fakeExecutable(t)
	fake := newFake()
	fake.submitErr = errors.New("sbatch refused the job: invalid partition")
	for _, existing := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "sweep")
		if existing {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		_, err := SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 2, Executable: exe, Scheduler: fake})
		if err == nil || !strings.Contains(err.Error(), "invalid partition") {
			t.Errorf("existing %v: error %v, want sbatch's", existing, err)
		}
		_, statErr := os.Stat(dir)
		if existing && statErr != nil {
			t.Errorf("the existing directory is gone: %v", statErr)
		}
		if !existing && !errors.Is(statErr, fs.ErrNotExist) {
			t.Errorf("the directory made for the sweep is left after the failure (%v)", statErr)
		}
	}
	// Without --dir, nothing is left under Out either.
	_, err := SubmitSweep(ctx, cfg, axes, SlurmOptions{Tasks: 2, Executable: exe, Scheduler: fake})
	if err == nil {
		t.Fatal("no error")
	}
	if entries, _ := os.ReadDir(cfg.Out); len(entries) != 0 {
		t.Errorf("%s holds %d entries after a refused submission", cfg.Out, len(entries))
	}
}

func TestSubmitSweepRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, axes := tinySweepConfig(t), tinyAxes(t)
	exe := fakeExecutable(t)
	for _, tc := range []struct {
		name string
		opts SlurmOptions
		want string
	}{
		{"no tasks", SlurmOptions{Tasks: 0}, "at least 1"},
		{"more tasks than points", SlurmOptions{Tasks: 5}, "5 array tasks for 4 points"},
		{"relative executable", SlurmOptions{Tasks: 2, Executable: "modcomp"}, "absolute path"},
		{"missing executable", SlurmOptions{Tasks: 2, Executable: "/nonexistent/modcomp"}, "/nonexistent/modcomp"},
		{"sbatch arg not an option", SlurmOptions{Tasks: 2, SbatchArgs: []string{"debug"}}, "one sbatch option per --sbatch-arg"},
		{"--array", SlurmOptions{Tasks: 2, SbatchArgs: []string{"--array=0-3"}}, "sets --array itself"},
		{"-a", SlurmOptions{Tasks: 2, SbatchArgs: []string{"-a", "0-3"}}, "sets -a itself"},
		{"--output abbreviated", SlurmOptions{Tasks: 2, SbatchArgs: []string{"--outp=x"}}, "sets --output itself"},
		{"-o attached", SlurmOptions{Tasks: 2, SbatchArgs: []string{"-ox.log"}}, "sets -o itself"},
		{"--chdir", SlurmOptions{Tasks: 2, SbatchArgs: []string{"--chdir /tmp"}}, "sets --chdir itself"},
		{"newline", SlurmOptions{Tasks: 2, SbatchArgs: []string{"--time=1\n#SBATCH --x"}}, "one sbatch option"},
		{"quote in the directory", SlurmOptions{Tasks: 2, Dir: "a\"b"}, "must not contain a quote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			tmp := t.TempDir()
			opts := tc.opts
			opts.Scheduler = fake
			if opts.Executable == "" {
				opts.Executable = exe
			}
			if opts.Dir != "" {
				opts.Dir = filepath.Join(tmp, opts.Dir)
			}
			c := cfg
			c.Out = filepath.Join(tmp, "results")
			_, err := SubmitSweep(ctx, c, axes, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
			if len(fake.submitted) > 0 {
				t.Errorf("submitted %v", fake.submitted)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("the refused submission left %s", entries[0].Name())
			}
		})
	}
	// Other flags (-A account, -p partition, --time) pass.
	if err := checkSbatchArgs([]string{"-A", "x"}); err == nil {
		t.Error(`"x" alone is not an option, want an error`)
	}
	if err := checkSbatchArgs([]string{"-A proj", "-pgpu", "--time=5", "--mem=4G", "--cpus-per-task=4", "--account=a", "--exclusive"}); err != nil {
		t.Errorf("ordinary options refused: %v", err)
	}
}

// TestSubmitSweepIntoSubmittedDir wants a second --slurm into a directory
// to keep its number of tasks, and to submit only what is missing.
func TestSubmitSweepIntoSubmittedDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, local := tinySweep(t)
	cfg, axes := tinySweepConfig(t), tinyAxes(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, local.Dir, dir)
	exe := fakeExecutable(t)
	fake := newFake()
	// Every point is complete: nothing to submit, nothing recorded.
	sub, err := SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 2, Executable: exe, Scheduler: fake})
	if err != nil || sub.Job != "" || len(sub.Tasks) != 0 {
		t.Fatalf("complete sweep: %+v, %v; want nothing submitted", sub, err)
	}
	// Point 2 lost: shard 0 of 2 is submitted.
	if err := os.RemoveAll(filepath.Join(dir, "points", "0002")); err != nil {
		t.Fatal(err)
	}
	sub, err = SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 2, Executable: exe, Scheduler: fake, SbatchArgs: []string{"--time=5"}})
	if err != nil || sub.Job != "1" || !reflect.DeepEqual(sub.Tasks, []int{0}) || sub.Missing != 1 {
		t.Fatalf("point 2 missing: %+v, %v; want job 1 of task 0", sub, err)
	}
	// Another --slurm says how the tasks run now: its sbatch options
	// replace the earlier ones.
	fake.set("1", "FAILED", 0)
	sub, err = SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 2, Executable: exe, Scheduler: fake, SbatchArgs: []string{"--time=9"}})
	if err != nil || sub.Job != "2" {
		t.Fatalf("after job 1 failed: %+v, %v; want job 2", sub, err)
	}
	if script := string(readDirFile(t, dir, slurmScript)); strings.Contains(script, "--time=5") || !strings.Contains(script, "#SBATCH --time=9\n") {
		t.Errorf("the script after a second --slurm:\n%s", script)
	}
	_, err = SubmitSweep(ctx, cfg, axes, SlurmOptions{Dir: dir, Tasks: 3, Executable: exe, Scheduler: fake})
	if err == nil || !strings.Contains(err.Error(), "was submitted as 2 array tasks, not 3") {
		t.Errorf("--slurm 3 into a directory of 2 tasks: %v", err)
	}
	// A different grid is refused as for a local sweep.
	_, err = SubmitSweep(ctx, cfg, []Axis{parseAxis(t, "n-train=40,80")}, SlurmOptions{Dir: dir, Tasks: 2, Executable: exe, Scheduler: fake})
	if err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Errorf("another grid: %v", err)
	}
	// A scheduler that cannot be asked whether shard 0 still runs stops a
	// resubmission rather than run the shard twice.
	fake.tasksErr = func(string, int) error { return errors.New("squeue: Socket timed out") }
	_, err = ResubmitSweep(ctx, dir, nil, exe, fake)
	if err == nil || !strings.Contains(err.Error(), "cannot tell whether shard 0 still runs in job 2: squeue: Socket timed out") {
		t.Errorf("resubmit with squeue failing: %v", err)
	}
}

func TestResubmitNotSubmitted(t *testing.T) {
	t.Parallel()
	_, local := tinySweep(t)
	exe := fakeExecutable(t)
	_, err := ResubmitSweep(context.Background(), local.Dir, nil, exe, newFake())
	if err == nil || !strings.Contains(err.Error(), "never submitted to Slurm") {
		t.Errorf("resubmit of a local sweep: %v", err)
	}
	_, err = ResubmitSweep(context.Background(), t.TempDir(), nil, exe, newFake())
	if err == nil || !strings.Contains(err.Error(), "not a sweep directory") {
		t.Errorf("resubmit of an empty directory: %v", err)
	}
	_, err = WaitSweep(context.Background(), local.Dir, WaitOptions{Scheduler: newFake()})
	if err == nil || !strings.Contains(err.Error(), "no Slurm job to wait for") {
		t.Errorf("wait for a local sweep: %v", err)
	}
}

// submittedCopy is a copy of the tiny sweep's complete directory with a
// record of job 7 of tasks 0 and 1.
func submittedCopy(t *testing.T) string {
	t.Helper()
	_, local := tinySweep(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, local.Dir, dir)
	rec := SlurmRecord{Shards: 2, Jobs: []SlurmJob{{ID: "7", Tasks: []int{0, 1}}}}
	if err := (&RunDir{Path: dir}).WriteJSON(slurmJobs, rec); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestWaitSweepFollowsTheJob(t *testing.T) {
	t.Parallel()
	dir := submittedCopy(t)
	fake := newFake()
	fake.onTasks = func(f *fakeScheduler, job string, call int) {
		states := map[int]string{1: "PENDING", 2: "RUNNING", 3: "RUNNING", 4: "COMPLETED"}
		if s, ok := states[call]; ok {
			f.states[job] = map[int]string{0: s, 1: s}
		}
	}
	// One failed look (the controller busy) does not stop the wait.
	fake.tasksErr = func(_ string, call int) error {
		if call == 3 {
			return errors.New("squeue: slurm_load_jobs error: Socket timed out on send/recv operation")
		}
		return nil
	}
	var progress bytes.Buffer
	out, err := WaitSweep(context.Background(), dir, WaitOptions{Scheduler: fake, Poll: time.Millisecond, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status.Complete != 4 || fake.calls != 4 {
		t.Errorf("%d points complete after %d looks, want 4 after 4", out.Status.Complete, fake.calls)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	want := []string{"job 7: 2 PENDING; 4 of 4 points complete", "job 7: 2 RUNNING; 4 of 4 points complete",
		"job 7: 2 UNKNOWN; 4 of 4 points complete", "job 7: 2 COMPLETED; 4 of 4 points complete"}
	if len(lines) != len(want) {
		t.Fatalf("progress:\n%s\nwant one line per change: %q", progress.String(), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w+" | ") {
			t.Errorf("progress line %d %q, want %q", i, lines[i], w)
		}
	}
}

func TestWaitSweepEnds(t *testing.T) {
	t.Parallel()
	// A job Slurm has forgotten has ended.
	dir := submittedCopy(t)
	out, err := WaitSweep(context.Background(), dir, WaitOptions{Scheduler: newFake(), Poll: time.Millisecond})
	if err != nil || out.Status.Shards[0].State != TaskForgotten {
		t.Errorf("forgotten job: %v, %+v", err, out)
	}
	// Slurm's commands missing: at once, an error that says so.
	fake := newFake()
	fake.tasksErr = func(string, int) error { return fmt.Errorf("%w: squeue not found on PATH", ErrNoScheduler) }
	_, err = WaitSweep(context.Background(), dir, WaitOptions{Scheduler: fake, Poll: time.Hour})
	if err == nil || !strings.Contains(err.Error(), "squeue not found on PATH") || fake.calls != 1 {
		t.Errorf("squeue missing: %v", err)
	}
	// Failing every time: gives up after maxAskFailures looks.
	fake = newFake()
	fake.tasksErr = func(string, int) error { return errors.New("squeue: Unable to contact slurm controller") }
	_, err = WaitSweep(context.Background(), dir, WaitOptions{Scheduler: fake, Poll: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "Unable to contact slurm controller") || fake.calls != maxAskFailures {
		t.Errorf("controller down: %v after %d looks", err, fake.calls)
	}
	// Interrupted: the wait stops, the job is left running.
	fake = newFake()
	fake.set("7", "RUNNING", 0, 1)
	ctx, cancel := context.WithCancel(context.Background())
	fake.onTasks = func(_ *fakeScheduler, _ string, call int) {
		if call == 2 {
			cancel()
		}
	}
	_, err = WaitSweep(ctx, dir, WaitOptions{Scheduler: fake, Poll: time.Millisecond})
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "the job keeps running") {
		t.Errorf("interrupted wait: %v", err)
	}
}

func TestSweepStatusWithoutSlurm(t *testing.T) {
	t.Parallel()
	_, local := tinySweep(t)
	st, err := SweepStatus(context.Background(), local.Dir, newFake())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Shards) != 1 || st.Complete != 4 || len(st.Jobs) != 0 || st.Shards[0].State != "" {
		t.Errorf("status of a local sweep: %+v", st)
	}
	// A sweep run in shards into one directory has as many shards.
	dir := filepath.Join(t.TempDir(), "sweep")
	copyTree(t, local.Dir, dir)
	for _, name := range []string{"status.shard-0-of-3.json", "status.shard-2-of-3.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(`{"state":"complete"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.RemoveAll(filepath.Join(dir, "points", "0001"))
	st, err = SweepStatus(context.Background(), dir, newFake())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Shards) != 3 || !reflect.DeepEqual(st.Shards[1].Missing, []int{1}) || st.MissingLabels() != "1 [n-train=40 mu[0]=0.2]" {
		t.Errorf("status of a sweep in 3 shards with point 1 missing: %+v", st)
	}
}

func TestAxisSpecRoundTrip(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"n-train=40,60", "alpha=1,0.4:1,0.6", "mu[0]=0.1..0.3/0.1", "method=naive,ogm-ge", "alpha=0.5"} {
		a := parseAxis(t, spec)
		if b := parseAxis(t, axisSpec(a)); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: written back as %q, parsed as %+v, want %+v", spec, axisSpec(a), b, a)
		}
	}
}

func TestGoRunBinary(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/tmp/go-build1234/b001/exe/modcomp":     true,
		"/home/me/.cache/go-build/x/exe/modcomp": true,
		"/usr/local/bin/modcomp":                 false,
		"/tmp/go-build1234/b001/modcomp.test":    false,
	} {
		if goRunBinary(path) != want {
			t.Errorf("goRunBinary(%s) = %v, want %v", path, !want, want)
		}
	}
	// The copy runs like the original.
	from := fakeExecutable(t)
	to := filepath.Join(t.TempDir(), "slurm", "modcomp")
	if _, err := copyExecutable(from, to); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(to)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("copy: %v, mode %v", err, fi.Mode())
	}
}
