package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modcomp/modcomp/runs"
)

// TestStatusAfterKill9 kills a comparison with SIGKILL, which leaves no
// chance to write its status: status.json still says running, and modcomp
// status must read it as interrupted, while it read the live run as
// running.
func TestStatusAfterKill9(t *testing.T) {
	t.Parallel()
	p := longRun(t)
	code, stdout, stderr := modcomp(t, "status", p.runDir)
	if code != 0 {
		t.Fatalf("status of a live run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "running: process ") || !strings.Contains(stdout, "is running") {
		t.Errorf("status of a live run:\n%s", stdout)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	var st runs.Status
	b, err := os.ReadFile(filepath.Join(p.runDir, "status.json"))
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil || st.State != runs.StateRunning || st.Process == nil || st.Process.PID != p.cmd.Process.Pid {
		t.Fatalf("status.json after kill -9: %+v, %v; want running, written by PID %d", st, err, p.cmd.Process.Pid)
	}
	code, stdout, stderr = modcomp(t, "status", p.runDir)
	if code != 0 {
		t.Fatalf("status of a killed run: exit %d: %s", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stdout))
	for _, want := range []string{"status.json: interrupted", fmt.Sprintf("process %d", p.cmd.Process.Pid), "is gone", "kill -9"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status of a killed run does not say %q:\n%s", want, stdout)
		}
	}
	if got, err := runs.ReadStatus(filepath.Join(p.runDir, "status.json")); err != nil || got.State != runs.StateInterrupted {
		t.Errorf("ReadStatus after kill -9: %+v, %v; want interrupted", got, err)
	}
}

func TestStatusBadArgs(t *testing.T) {
	t.Parallel()
	code, _, stderr := modcomp(t, "status")
	if code != exitUsage {
		t.Errorf("status without DIR: exit %d, want %d", code, exitUsage)
	}
	oneLineError(t, stderr, "status needs")
	empty := t.TempDir()
	code, _, stderr = modcomp(t, "status", empty)
	if code != exitError {
		t.Errorf("status of an empty directory: exit %d, want %d", code, exitError)
	}
	oneLineError(t, stderr, empty, "no status.json")
}

// TestSweepKill9 runs a sweep that would take minutes: a second sweep
// into its directory is refused while it runs; once it is killed with
// SIGKILL, status and aggregate read it as interrupted.
func TestSweepKill9(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	args := append(sweepArgs(t.TempDir(), "--grid", "n-train=40,60", "--dir", dir, "--quiet"), "--steps", "100000", "--log-every", "1000", "--workers", "1")
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	status := filepath.Join(dir, "status.json")
	for {
		if s, err := runs.ReadStatus(status); err == nil && s.State == runs.StateRunning {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the sweep exited (code %d) before it started", cmd.ProcessState.ExitCode())
		case <-time.After(20 * time.Millisecond):
		}
	}

	code, _, stderr := modcomp(t, args...)
	if code != exitError {
		t.Errorf("a second sweep into a live sweep's directory: exit %d, want %d", code, exitError)
	}
	oneLineError(t, stderr, dir, "in use", fmt.Sprintf("process %d", cmd.Process.Pid))

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	code, stdout, stderr := modcomp(t, "status", dir)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"status.json: interrupted", "is gone", "0 of 2 points complete"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status of a killed sweep does not say %q:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = modcomp(t, "aggregate", "--out", t.TempDir(), dir)
	if code != 0 {
		t.Fatalf("aggregate: exit %d: %s", code, stderr)
	}
	if want := "note: " + status + ": interrupted"; !strings.Contains(stdout, want) || !strings.Contains(stdout, "--dir "+dir) {
		t.Errorf("aggregate of a killed sweep does not say %q and how to finish it:\n%s", want, stdout)
	}
}
