package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The Slurm commands run the binary with a fake Slurm on PATH: its sbatch
// runs the array tasks at once, one after the other, as a real Slurm would
// run them (the script, in its --chdir, output to its --output), and its
// squeue reports their end states. FAKE_SLURM_CANCEL=I leaves task I out
// and reports it CANCELLED; FAKE_SBATCH_REFUSE=MSG makes sbatch fail with
// MSG. The same commands against a real Slurm: slurm_integration_test.go.

const fakeSbatch = `#!/bin/sh
state=$FAKE_SLURM_STATE
array=; script=
for a in "$@"; do
  case $a in
    --array=*) array=${a#--array=} ;;
    -*) ;;
    *) script=$a ;;
  esac
done
if [ -n "$FAKE_SBATCH_REFUSE" ]; then
  echo "sbatch: error: $FAKE_SBATCH_REFUSE" >&2
  echo "sbatch: error: Batch job submission failed" >&2
  exit 1
fi
job=$(( $(cat "$state/next" 2>/dev/null || echo 0) + 1 ))
echo $job > "$state/next"
out=$(sed -n 's/^#SBATCH --output=//p' "$script")
chdir=$(sed -n 's/^#SBATCH --chdir=//p' "$script")
: > "$state/$job"
for t in $(echo "$array" | tr ',' ' '); do
  case $t in *-*) seq "${t%-*}" "${t#*-}" ;; *) echo "$t" ;; esac
done | while read -r t; do
  if [ "$FAKE_SLURM_CANCEL" = "$t" ]; then
    echo "$job|$t|CANCELLED" >> "$state/$job"
    continue
  fi
  log=$(echo "$out" | sed "s/%A/$job/; s/%a/$t/")
  if (cd "$chdir" && SLURM_ARRAY_TASK_ID=$t SLURM_ARRAY_JOB_ID=$job bash "$script") > "$log" 2>&1; then
    echo "$job|$t|COMPLETED" >> "$state/$job"
  else
    echo "$job|$t|FAILED" >> "$state/$job"
  fi
done
echo $job
`

const fakeSqueue = `#!/bin/sh
job=$2
if [ ! -f "$FAKE_SLURM_STATE/$job" ]; then
  echo "slurm_load_jobs error: Invalid job id specified" >&2
  exit 1
fi
cat "$FAKE_SLURM_STATE/$job"
`

// fakeSlurm is a directory of fake Slurm commands and their state.
type fakeSlurm struct{ bin, state string }

func newFakeSlurm(t *testing.T) fakeSlurm {
	t.Helper()
	f := fakeSlurm{bin: t.TempDir(), state: t.TempDir()}
	for name, body := range map[string]string{"sbatch": fakeSbatch, "squeue": fakeSqueue} {
		if err := os.WriteFile(filepath.Join(f.bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// env is the environment of a modcomp that finds the fake Slurm first on
// PATH, plus extra variables.
func (f fakeSlurm) env(extra ...string) []string {
	return append(append(os.Environ(), "PATH="+f.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_SLURM_STATE="+f.state), extra...)
}

// runBinary runs the modcomp binary with env and returns the exit code,
// stdout and stderr.
func runBinary(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("modcomp %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

// sameCSV fails unless the CSV files hold the same rows.
func sameCSV(t *testing.T, got, want string) {
	t.Helper()
	read := func(path string) [][]string {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return rows
	}
	g, w := read(got), read(want)
	for i := 0; i < max(len(g), len(w)); i++ {
		switch {
		case i >= len(g):
			t.Errorf("%s lacks row %d of %s: %v", got, i, want, w[i])
		case i >= len(w):
			t.Errorf("%s has an extra row %d: %v", got, i, g[i])
		case strings.Join(g[i], ",") != strings.Join(w[i], ","):
			t.Errorf("row %d differs:\n%s: %v\n%s: %v", i, got, g[i], want, w[i])
		}
	}
}

// localSweep returns the directory of the 2x2 sweep run here (once, for
// every test; they only read it).
func localSweep(t *testing.T) string {
	t.Helper()
	local.once.Do(func() {
		tmp, err := os.MkdirTemp("", "modcomp-local-sweep-")
		if err != nil {
			local.err = err.Error()
			return
		}
		removeAfterTests(tmp)
		dir := filepath.Join(tmp, "local")
		code, _, stderr := modcomp(t, sweepArgs(filepath.Join(tmp, "results"), append(grid2x2, "--dir", dir, "--quiet")...)...)
		if code != 0 {
			local.err = fmt.Sprintf("exit %d: %s", code, stderr)
			return
		}
		local.dir = dir
	})
	if local.err != "" {
		t.Fatalf("local sweep: %s", local.err)
	}
	return local.dir
}

var local struct {
	once     sync.Once
	dir, err string
}

var jobLine = regexp.MustCompile(`submitted Slurm job (\d+): `)

func TestSlurmSweepWait(t *testing.T) {
	t.Parallel()
	f := newFakeSlurm(t)
	tmp := t.TempDir()
	local := localSweep(t)
	dir := filepath.Join(tmp, "slurm")
	code, stdout, stderr := runBinary(t, f.env(), sweepArgs(filepath.Join(tmp, "results"),
		append(grid2x2, "--dir", dir, "--slurm", "2", "--wait", "--sbatch-arg=--time=5")...)...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	wantContains(t, "stderr", stderr, "submitted Slurm job 1: array tasks 0-1 of 0-1 (task I runs shard I/2); 4 of 4 points to run\n",
		"sweep directory: "+dir+"\n", "task logs:       "+dir+"/slurm/logs/1_<task>.log\n", "job 1: 2 COMPLETED; 4 of 4 points complete | ")
	wantContains(t, "stdout", stdout, "| point | n-train | mu[0] |", "4 of 4 points complete; Slurm job 1 (tasks 0-1)\nsweep directory: "+dir+"\n")
	if n := tableRows(stdout); n != 4 {
		t.Errorf("the table has %d rows, want 4:\n%s", n, stdout)
	}
	sameCSV(t, filepath.Join(dir, "sweep.csv"), filepath.Join(local, "sweep.csv"))
	for _, name := range []string{"slurm/array.sbatch", "slurm/sweep-file.json", "slurm/jobs.json", "slurm/logs/1_0.log", "slurm/logs/1_1.log", "sweep.md", "phase_gap.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	// Each task's log shows its own points.
	wantContains(t, "the log of task 1", string(readBytes(t, filepath.Join(dir, "slurm/logs/1_1.log"))), labels2x2[1], labels2x2[3], "2 of 2 points complete")
	if s := sweepSpec(t, dir); s.Base["steps"] != float64(20) {
		t.Errorf("sweep.json steps %v", s.Base["steps"])
	}

	// Submitting again finds every point complete.
	code, stdout, stderr = runBinary(t, f.env(), sweepArgs(filepath.Join(tmp, "results"), append(grid2x2, "--dir", dir, "--slurm", "2")...)...)
	if code != 0 || !strings.Contains(stdout, "nothing to submit: all 4 points are complete") {
		t.Errorf("second submission: exit %d:\n%s%s", code, stdout, stderr)
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

// TestSlurmCancelledTask follows a sweep whose task 1 is cancelled: status
// names its points missing, wait exits non-zero naming them, and resubmit
// runs only shard 1.
func TestSlurmCancelledTask(t *testing.T) {
	t.Parallel()
	f := newFakeSlurm(t)
	tmp := t.TempDir()
	local := localSweep(t)
	dir := filepath.Join(tmp, "slurm")
	code, stdout, stderr := runBinary(t, f.env("FAKE_SLURM_CANCEL=1"), sweepArgs(filepath.Join(tmp, "results"),
		append(grid2x2, "--dir", dir, "--slurm", "2")...)...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	wantContains(t, "stdout", stdout, "submitted Slurm job 1: array tasks 0-1 of 0-1", "follow it:       modcomp sweep status "+dir+"\n",
		"aggregate:       modcomp sweep wait "+dir+"   ")
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}

	code, stdout, stderr = runBinary(t, f.env(), "sweep", "status", dir)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	wantContains(t, "status", stdout,
		"4 points in 2 shards; Slurm job 1 (tasks 0-1)\n",
		"shard  points  complete  missing  task  state\n0      2       2         -        1_0   COMPLETED\n1      2       0         1,3      1_1   CANCELLED\n",
		"2 of 4 points complete; missing: 1 [n-train=40 mu[0]=0.2], 3 [n-train=60 mu[0]=0.2]\n",
		"shard 1 has ended with points missing (logs in "+dir+"/slurm/logs); resubmit: modcomp sweep resubmit "+dir+"\n")

	code, stdout, stderr = runBinary(t, f.env(), "sweep", "wait", dir)
	if code != exitError {
		t.Errorf("wait with a cancelled task: exit %d, want %d", code, exitError)
	}
	oneLineError(t, stderr[strings.Index(stderr, "modcomp: "):], "2 of 4 points missing: 1 [n-train=40 mu[0]=0.2], 3 [n-train=60 mu[0]=0.2]",
		"task 1_1 CANCELLED", "modcomp sweep resubmit "+dir)
	if n := tableRows(stdout); n != 2 || !strings.Contains(stdout, "2 of 4 points complete") {
		t.Errorf("wait printed %d rows, want the 2 complete points:\n%s", n, stdout)
	}
	wantContains(t, "sweep.md", string(readBytes(t, filepath.Join(dir, "sweep.md"))), "2 of 4 points complete (missing: 1, 3)")

	code, stdout, stderr = runBinary(t, f.env(), "sweep", "resubmit", "--sbatch-arg=--time=60", dir)
	if code != 0 {
		t.Fatalf("resubmit: exit %d:\n%s%s", code, stdout, stderr)
	}
	wantContains(t, "resubmit", stdout, "submitted Slurm job 2: array task 1 of 0-1 (task I runs shard I/2); 2 of 4 points to run\n")
	wantContains(t, "the script", string(readBytes(t, filepath.Join(dir, "slurm/array.sbatch"))), "#SBATCH --time=60\n")
	code, stdout, stderr = runBinary(t, f.env(), "sweep", "wait", "--quiet", dir)
	if code != 0 {
		t.Fatalf("wait after resubmit: exit %d:\n%s%s", code, stdout, stderr)
	}
	wantContains(t, "wait", stdout, "4 of 4 points complete; Slurm jobs 1 (tasks 0-1), 2 (task 1)\n")
	sameCSV(t, filepath.Join(dir, "sweep.csv"), filepath.Join(local, "sweep.csv"))
}

func TestSlurmSbatchMissingOrRefusing(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "results")
	// No sbatch anywhere on PATH.
	empty := t.TempDir()
	env := append(os.Environ(), "PATH="+empty)
	dir := filepath.Join(tmp, "missing")
	code, stdout, stderr := runBinary(t, env, sweepArgs(out, append(grid2x2, "--dir", dir, "--slurm", "2")...)...)
	if code != exitError || stdout != "" {
		t.Errorf("sbatch missing: exit %d (want %d), stdout %q", code, exitError, stdout)
	}
	oneLineError(t, stderr, "Slurm is not available here: sbatch not found on PATH", "scripts/slurm-local.sh")
	noDir(t, dir)
	noRunDir(t, out)

	f := newFakeSlurm(t)
	dir = filepath.Join(tmp, "refused")
	code, stdout, stderr = runBinary(t, f.env("FAKE_SBATCH_REFUSE=invalid partition specified: nope"),
		sweepArgs(out, append(grid2x2, "--dir", dir, "--slurm", "2", "--sbatch-arg=--partition=nope", "--wait")...)...)
	if code != exitError || stdout != "" {
		t.Errorf("sbatch refusing: exit %d (want %d), stdout %q", code, exitError, stdout)
	}
	oneLineError(t, stderr, "sbatch refused the job: sbatch: error: invalid partition specified: nope sbatch: error: Batch job submission failed")
	noDir(t, dir)

	// status without squeue still shows the points.
	code, stdout, stderr = runBinary(t, f.env(), sweepArgs(out, append(grid2x2, "--dir", dir, "--slurm", "2")...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runBinary(t, env, "sweep", "status", dir)
	if code != 0 {
		t.Fatalf("status without squeue: exit %d: %s", code, stderr)
	}
	wantContains(t, "status without squeue", stdout, "1_0   UNKNOWN", "4 of 4 points complete",
		"cannot tell whether shards 0-1 have ended: Slurm is not available here: squeue not found on PATH")
	code, _, stderr = runBinary(t, env, "sweep", "wait", dir)
	if code != exitError {
		t.Errorf("wait without squeue: exit %d", code)
	}
	oneLineError(t, stderr, "cannot follow the Slurm job of "+dir, "squeue not found on PATH")
}

func TestSlurmBadFlags(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	local := localSweep(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
		code int
	}{
		{"wait without --slurm", append(sweepArgs(tmp, grid2x2...), "--wait"), []string{"--wait goes with --slurm N"}, exitUsage},
		{"sbatch-arg without --slurm", append(sweepArgs(tmp, grid2x2...), "--sbatch-arg=--time=5"), []string{"--sbatch-arg goes with --slurm N"}, exitUsage},
		{"zero tasks", append(sweepArgs(tmp, grid2x2...), "--slurm", "0"), []string{"--slurm 0", "at least 1"}, exitUsage},
		{"not a number", append(sweepArgs(tmp, grid2x2...), "--slurm", "two"), []string{"two"}, exitUsage},
		{"with --shard", append(sweepArgs(tmp, grid2x2...), "--slurm", "2", "--shard", "0/2"), []string{"drop --shard"}, exitUsage},
		{"more tasks than points", append(sweepArgs(tmp, grid2x2...), "--slurm", "5"), []string{"5 array tasks for 4 points", "at most 4"}, exitError},
		{"reserved sbatch option", append(sweepArgs(tmp, grid2x2...), "--slurm", "2", "--sbatch-arg=--array=0-9"), []string{"modcomp sets --array itself"}, exitError},
		{"sbatch value alone", append(sweepArgs(tmp, grid2x2...), "--slurm", "2", "--sbatch-arg", "gpu"), []string{`--sbatch-arg "gpu"`, "one sbatch option per --sbatch-arg"}, exitError},
		{"status without a directory", []string{"sweep", "status"}, []string{"sweep status needs one argument"}, exitUsage},
		{"status of two", []string{"sweep", "status", "a", "b"}, []string{"sweep status needs one argument"}, exitUsage},
		{"status of no sweep", []string{"sweep", "status", tmp}, []string{tmp, "not a sweep directory"}, exitError},
		{"flag after the directory", []string{"sweep", "status", tmp, "--json"}, []string{"put the flags first"}, exitUsage},
		{"wait for a local sweep", []string{"sweep", "wait", local}, []string{"no Slurm job to wait for"}, exitError},
		{"resubmit a local sweep", []string{"sweep", "resubmit", local}, []string{"never submitted to Slurm"}, exitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := modcomp(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if stdout != "" {
				t.Errorf("stdout: %s", stdout)
			}
			oneLineError(t, stderr, tc.want...)
		})
	}
	noRunDir(t, filepath.Join(tmp, "results"))
}

// TestSweepStatusLocal wants status to work on any sweep directory.
func TestSweepStatusLocal(t *testing.T) {
	t.Parallel()
	local := localSweep(t)
	code, stdout, stderr := modcomp(t, "sweep", "status", local)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantContains(t, "status", stdout, "4 points in 1 shard; no Slurm job\n", "0      4       4         -        -     -\n",
		"4 of 4 points complete\n", "this sweep was not submitted to Slurm")
	code, stdout, _ = modcomp(t, "sweep", "status", "--json", local)
	if code != 0 || !strings.Contains(stdout, `"complete": 4`) {
		t.Errorf("status --json: exit %d:\n%s", code, stdout)
	}
}
