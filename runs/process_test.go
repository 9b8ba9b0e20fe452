package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeHost is a host "node1" in its boot "boot-1" whose process table
// holds the given processes, PID to start time.
func fakeHost(t *testing.T, procs map[int]uint64) host {
	t.Helper()
	proc := t.TempDir()
	for pid, start := range procs {
		dir := filepath.Join(proc, fmt.Sprint(pid))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		// The command name holds a space and a parenthesis, as names may.
		stat := fmt.Sprintf("%d (mod comp) x) S 1 %d %d 0 -1 4194304 100 0 0 0 5 1 0 0 20 0 3 0 %d 10000000 500 18446744073709551615\n", pid, pid, pid, start)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return host{name: "node1", boot: "boot-1", proc: proc}
}

func TestProcessLiveness(t *testing.T) {
	t.Parallel()
	h := fakeHost(t, map[int]uint64{100: 5550, 200: 7770})
	started := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	running := func(p *Process) Status { return Status{State: StateRunning, Started: started, Process: p} }
	for _, tc := range []struct {
		name     string
		status   Status
		liveness liveness
		state    string // after resolve
		message  string // part of the message after resolve
	}{
		{"alive", running(&Process{PID: 100, Host: "node1", Boot: "boot-1", Start: 5550}), alive, StateRunning, ""},
		{"exited", running(&Process{PID: 300, Host: "node1", Boot: "boot-1", Start: 5550}), gone, StateInterrupted, "process 300 on host node1 is gone"},
		{"PID reused", running(&Process{PID: 200, Host: "node1", Boot: "boot-1", Start: 1234}), gone, StateInterrupted, "PID now belongs to another process"},
		{"rebooted", running(&Process{PID: 100, Host: "node1", Boot: "boot-0", Start: 5550}), gone, StateInterrupted, "rebooted"},
		{"no start time recorded", running(&Process{PID: 100, Host: "node1"}), alive, StateRunning, ""},
		{"another host", running(&Process{PID: 300, Host: "node2", Boot: "boot-9", Start: 1}), unknown, StateRunning, ""},
		{"no process recorded", running(nil), unknown, StateRunning, ""},
		{"complete", Status{State: StateComplete, Process: &Process{PID: 300, Host: "node1"}}, gone, StateComplete, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := tc.status.Process; p != nil {
				if l, why := h.check(p); l != tc.liveness {
					t.Errorf("check = %d (%s), want %d", l, why, tc.liveness)
				}
			}
			got := h.resolve(tc.status)
			if got.State != tc.state {
				t.Errorf("resolved state %q, want %q", got.State, tc.state)
			}
			if !strings.Contains(got.Message, tc.message) {
				t.Errorf("message %q does not say %q", got.Message, tc.message)
			}
			if tc.state == StateInterrupted && !strings.Contains(got.Message, "kill -9") {
				t.Errorf("message %q does not say how a process dies without a status", got.Message)
			}
		})
	}

	t.Run("no process table", func(t *testing.T) {
		noProc := host{name: "node1", boot: "boot-1", proc: filepath.Join(t.TempDir(), "none")}
		if l, why := noProc.check(&Process{PID: 100, Host: "node1", Boot: "boot-1", Start: 5550}); l != unknown {
			t.Errorf("check without /proc = %d (%s), want unknown", l, why)
		}
	})
}

// TestThisProcessIsAlive checks the record of the running process against
// the real process table.
func TestThisProcessIsAlive(t *testing.T) {
	t.Parallel()
	h := thisHost()
	if _, err := os.Stat(filepath.Join(h.proc, "self", "stat")); err != nil {
		t.Skipf("no process table: %v", err)
	}
	p := h.self()
	if p.PID != os.Getpid() || p.Start == 0 || p.Host == "" {
		t.Fatalf("self = %+v, want this PID, a start time and a host", p)
	}
	if l, why := h.check(p); l != alive {
		t.Errorf("check(self) = %d: %s", l, why)
	}
	reused := *p
	reused.Start++
	if l, _ := h.check(&reused); l != gone {
		t.Errorf("check of this PID with another start time = %d, want gone", l)
	}
}

// TestSweepRefusesALiveRun wants a sweep directory that a live process is
// running refused, and one left running by a process that is gone resumed.
func TestSweepRefusesALiveRun(t *testing.T) {
	t.Parallel()
	h := fakeHost(t, map[int]uint64{100: 5550})
	for _, tc := range []struct {
		name string
		pid  int
		want string // part of the error; "" for none
	}{
		{"live", 100, "is in use"},
		{"gone", 101, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := &RunDir{Path: t.TempDir()}
			st := Status{State: StateRunning, Started: time.Now(), Process: &Process{PID: tc.pid, Host: "node1", Boot: "boot-1", Start: 5550}}
			if err := dir.writeStatus("status.shard-0-of-2.json", st); err != nil {
				t.Fatal(err)
			}
			err := h.checkNotRunning(dir, "status.shard-0-of-2.json")
			if tc.want == "" {
				if err != nil {
					t.Errorf("checkNotRunning: %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "process 100") {
				t.Errorf("checkNotRunning: %v, want an error saying %q and naming the process", err, tc.want)
			}
			if err := h.checkNotRunning(dir, "status.shard-1-of-2.json"); err != nil {
				t.Errorf("another shard: %v, want none", err)
			}
		})
	}
}

func TestDescribeStatus(t *testing.T) {
	t.Parallel()
	h := fakeHost(t, map[int]uint64{100: 5550})
	started := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		status Status
		want   []string
	}{
		{"live", Status{State: StateRunning, Started: started, Process: &Process{PID: 100, Host: "node1", Start: 5550}},
			[]string{"running: process 100 on host node1 is running", "started 2026-01-02 10:00:00 UTC"}},
		{"killed", Status{State: StateRunning, Started: started, Process: &Process{PID: 101, Host: "node1", Start: 5550}},
			[]string{"interrupted: process 101 on host node1 is gone", "kill -9"}},
		{"elsewhere", Status{State: StateRunning, Started: started, Process: &Process{PID: 101, Host: "node2"}},
			[]string{"running: process 101 on host node2 cannot be checked from host node1"}},
		{"complete", Status{State: StateComplete, Started: started, Finished: started.Add(time.Minute)},
			[]string{"complete; started 2026-01-02 10:00:00 UTC, finished 2026-01-02 10:01:00 UTC"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := &RunDir{Path: t.TempDir()}
			if err := dir.WriteJSON("status.json", tc.status); err != nil {
				t.Fatal(err)
			}
			text, err := h.describeStatus(dir.Path)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("status %q does not say %q", text, w)
				}
			}
			notes := h.sweepNotes([]string{dir.Path})
			if (len(notes) == 0) != (tc.status.State == StateComplete) {
				t.Errorf("notes %q for a %s status", notes, tc.name)
			}
		})
	}
	if _, err := h.describeStatus(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no status.json") {
		t.Errorf("describeStatus of an empty directory: %v", err)
	}
}
