package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modcomp/modcomp/runs"
)

// TestSlurmIntegration runs the Slurm commands against a real Slurm: a
// 2 x 2-point sweep as a 2-task array with --wait, whose sweep.csv must
// equal a local run's row for row; then a sweep whose task 1 is cancelled
// while it runs, whose points status and wait must report missing, and
// whose resubmission must submit task 1 alone.
//
// It runs when sbatch is on PATH and `scontrol ping` answers; otherwise it
// is skipped, and says so. With MODCOMP_TEST_SLURM=1 (as in .ci/run) a
// missing Slurm is a failure instead. scripts/slurm-local.sh starts a
// single-node Slurm on this machine (as root).
func TestSlurmIntegration(t *testing.T) {
	requireSlurm(t)
	buildBinary(t) // skips with -short
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "results")
	env := os.Environ()
	// Whatever happens, no task of this test outlives it: the directories
	// it writes into are removed afterwards.
	var dirs []string
	t.Cleanup(func() { cancelJobs(t, dirs) })

	t.Run("wait", func(t *testing.T) {
		local := localSweep(t)
		dir := filepath.Join(tmp, "array")
		dirs = append(dirs, dir)
		code, stdout, stderr := runSlurm(t, env, 5*time.Minute, sweepArgs(out, append(grid2x2, "--dir", dir, "--slurm", "2", "--wait",
			"--sbatch-arg=--time=10", "--sbatch-arg=--cpus-per-task=1")...)...)
		if code != 0 {
			t.Fatalf("--slurm 2 --wait: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		t.Logf("stderr:\n%s", stderr)
		job := jobLine.FindStringSubmatch(stderr)
		if job == nil {
			t.Fatalf("no job id on stderr:\n%s", stderr)
		}
		wantContains(t, "stderr", stderr, "array tasks 0-1 of 0-1", fmt.Sprintf("job %s: 2 COMPLETED; 4 of 4 points complete", job[1]))
		wantContains(t, "stdout", stdout, fmt.Sprintf("4 of 4 points complete; Slurm job %s (tasks 0-1)\n", job[1]))
		sameCSV(t, filepath.Join(dir, "sweep.csv"), filepath.Join(local, "sweep.csv"))
		for task := range 2 {
			log := filepath.Join(dir, "slurm", "logs", fmt.Sprintf("%s_%d.log", job[1], task))
			wantContains(t, "the log of task "+fmt.Sprint(task), string(readBytes(t, log)), "2 of 2 points complete")
		}
	})

	t.Run("cancelled task", func(t *testing.T) {
		// Shard 1 holds the points with a million steps: it runs until
		// cancelled, while shard 0 finishes in seconds.
		dir := filepath.Join(tmp, "cancel")
		dirs = append(dirs, dir)
		slow := []string{"--grid", "n-train=40,60", "--grid", "steps=20,1000000"}
		code, stdout, stderr := runSlurm(t, env, time.Minute, sweepArgs(out, append(slow, "--dir", dir, "--slurm", "2", "--sbatch-arg=--time=10")...)...)
		if code != 0 {
			t.Fatalf("--slurm 2: exit %d\n%s%s", code, stdout, stderr)
		}
		m := jobLine.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("no job id on stdout:\n%s", stdout)
		}
		job := m[1]
		// Cancel task 1 once it runs the sweep (its status file is there).
		task := job + "_1"
		waitFor(t, 2*time.Minute, "task "+task+" running its shard", func() bool {
			_, err := os.Stat(filepath.Join(dir, "status.shard-1-of-2.json"))
			return squeueState(t, task) == "RUNNING" && err == nil
		})
		if out, err := exec.Command("scancel", task).CombinedOutput(); err != nil {
			t.Fatalf("scancel %s: %v: %s", task, err, out)
		}

		code, stdout, stderr = runSlurm(t, env, 3*time.Minute, "sweep", "wait", dir)
		t.Logf("sweep wait: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		if code != exitError {
			t.Errorf("wait with task 1 cancelled: exit %d, want %d", code, exitError)
		}
		wantContains(t, "wait's stderr", stderr,
			"modcomp: 2 of 4 points missing: 1 [n-train=40 steps=1000000], 3 [n-train=60 steps=1000000]; from shard 1 (task "+task+" CANCELLED")
		if n := tableRows(stdout); n != 2 {
			t.Errorf("the aggregate has %d points, want shard 0's 2:\n%s", n, stdout)
		}
		wantContains(t, "sweep.md", string(readBytes(t, filepath.Join(dir, "sweep.md"))), "2 of 4 points complete (missing: 1, 3)")

		code, stdout, stderr = runSlurm(t, env, time.Minute, "sweep", "status", dir)
		t.Logf("sweep status:\n%s", stdout)
		if code != 0 {
			t.Fatalf("status: exit %d: %s", code, stderr)
		}
		wantContains(t, "status", stdout,
			fmt.Sprintf("0      2       2         -        %s_0  COMPLETED\n", job),
			fmt.Sprintf("1      2       0         1,3      %s_1  CANCELLED\n", job),
			"2 of 4 points complete; missing: 1 [n-train=40 steps=1000000], 3 [n-train=60 steps=1000000]\n",
			"modcomp sweep resubmit "+dir)

		// Resubmission submits task 1 alone; it is cancelled again.
		code, stdout, stderr = runSlurm(t, env, time.Minute, "sweep", "resubmit", dir)
		if code != 0 {
			t.Fatalf("resubmit: exit %d\n%s%s", code, stdout, stderr)
		}
		m = jobLine.FindStringSubmatch(stdout)
		if m == nil || !strings.Contains(stdout, "array task 1 of 0-1") {
			t.Fatalf("resubmit stdout:\n%s", stdout)
		}
		again := m[1]
		listed, err := exec.Command("squeue", "-j", again, "-t", "all", "-h", "-o", "%K").CombinedOutput()
		if err != nil || strings.TrimSpace(string(listed)) != "1" {
			t.Errorf("squeue -j %s lists tasks %q (%v), want 1 alone", again, listed, err)
		}
		if out, err := exec.Command("scancel", again).CombinedOutput(); err != nil {
			t.Fatalf("scancel %s: %v: %s", again, err, out)
		}
		code, _, stderr = runSlurm(t, env, 3*time.Minute, "sweep", "wait", "--quiet", dir)
		if code != exitError || !strings.Contains(stderr, "task "+again+"_1 ") {
			t.Errorf("wait after the resubmission was cancelled: exit %d: %s", code, stderr)
		}
	})
}

// requireSlurm skips the test unless Slurm answers here; with
// MODCOMP_TEST_SLURM=1 it fails instead.
func requireSlurm(t *testing.T) {
	t.Helper()
	reason := ""
	if _, err := exec.LookPath("sbatch"); err != nil {
		reason = "sbatch is not on PATH"
	} else if out, err := exec.Command("scontrol", "ping").CombinedOutput(); err != nil || !strings.Contains(string(out), "is UP") {
		reason = fmt.Sprintf("`scontrol ping` does not answer UP (%v): %s", err, strings.TrimSpace(string(out)))
	}
	if reason == "" {
		return
	}
	if os.Getenv("MODCOMP_TEST_SLURM") == "1" {
		t.Fatalf("MODCOMP_TEST_SLURM=1 but Slurm is not usable here: %s", reason)
	}
	t.Skipf("SKIPPED: the Slurm integration test needs a Slurm (%s); start a local one as root with scripts/slurm-local.sh", reason)
}

// runSlurm runs the binary with a deadline, so that a job that never
// starts fails the test with Slurm's view of it rather than hang.
func runSlurm(t *testing.T, env []string, limit time.Duration, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var stdout, stderr strings.Builder
	cmd := exec.CommandContext(ctx, buildBinary(t), args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		queue, _ := exec.Command("squeue", "-t", "all").CombinedOutput()
		t.Fatalf("modcomp %s did not finish in %v\nstderr:\n%s\nsqueue -t all:\n%s", strings.Join(args, " "), limit, stderr.String(), queue)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// squeueState is the state of one array task (JOB_TASK), or "".
func squeueState(t *testing.T, task string) string {
	t.Helper()
	out, _ := exec.Command("squeue", "-j", task, "-t", "all", "-h", "-o", "%T").Output()
	return strings.TrimSpace(string(out))
}

// waitFor polls cond every 200 ms until it holds, failing after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			queue, _ := exec.Command("squeue", "-t", "all").CombinedOutput()
			t.Fatalf("no %s after %v\nsqueue -t all:\n%s", what, limit, queue)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// cancelJobs cancels every job recorded in the sweep directories and waits
// until their tasks have ended, so that none writes into a removed
// directory.
func cancelJobs(t *testing.T, dirs []string) {
	var jobs []string
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "slurm", "jobs.json"))
		if err != nil {
			continue
		}
		var rec runs.SlurmRecord
		if json.Unmarshal(b, &rec) == nil {
			for _, j := range rec.Jobs {
				jobs = append(jobs, j.ID)
			}
		}
	}
	if len(jobs) == 0 {
		return
	}
	exec.Command("scancel", jobs...).Run()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("squeue", "-j", strings.Join(jobs, ","), "-h", "-o", "%i %T").Output()
		if strings.TrimSpace(string(out)) == "" {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("Slurm jobs %v still listed a minute after scancel", jobs)
}
