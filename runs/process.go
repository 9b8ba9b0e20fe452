package runs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Process identifies the process that writes a run or sweep directory, as
// status.json records it, so that a reader can tell a run still going from
// one whose process died without writing its final status (kill -9, a
// crash, a lost node): such a directory says "running" forever.
//
// A PID alone does not identify a process: PIDs are reused, and restart
// with every boot. With the boot and the process's start time, a PID that
// now belongs to another process is not taken for the run's.
type Process struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
	// Boot identifies the host's boot (Linux: /proc/sys/kernel/random/boot_id).
	Boot string `json:"boot,omitempty"`
	// Start is the process's start time, in clock ticks since the boot
	// (Linux: field 22 of /proc/<pid>/stat).
	Start uint64 `json:"start,omitempty"`
}

// host is what a recorded Process is checked against: this machine's name,
// its boot and the directory of its process table. Tests give a fake one.
type host struct {
	name, boot string
	proc       string // "/proc"
}

// thisHost is the machine modcomp runs on.
func thisHost() host {
	name, _ := os.Hostname()
	h := host{name: name, proc: "/proc"}
	if b, err := os.ReadFile(filepath.Join(h.proc, "sys/kernel/random/boot_id")); err == nil {
		h.boot = strings.TrimSpace(string(b))
	}
	return h
}

// self is the Process record of the running process.
func (h host) self() *Process {
	p := &Process{PID: os.Getpid(), Host: h.name, Boot: h.boot}
	if start, err := h.startTime(p.PID); err == nil {
		p.Start = start
	}
	return p
}

// startTime reads the start time of process pid from the process table;
// the error wraps fs.ErrNotExist when there is no such process.
func (h host) startTime(pid int) (uint64, error) {
	path := filepath.Join(h.proc, strconv.Itoa(pid), "stat")
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	start, err := parseStartTime(b)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return start, nil
}

// parseStartTime reads the start time of a process from its stat file,
// "pid (comm) state ppid ...". The command name may hold spaces and
// parentheses, so the fields are counted from the last ')': the start time
// is field 22, the 20th after it.
func parseStartTime(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name in %q", stat)
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 20 {
		return 0, fmt.Errorf("%d fields after the command name, want at least 20", len(fields))
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// liveness is what can be told of a recorded process from here.
type liveness int

const (
	alive   liveness = iota // it runs
	gone                    // it has exited, or its host rebooted
	unknown                 // another host, or no process table to read
)

// check tells whether p still runs, and why not.
func (h host) check(p *Process) (liveness, string) {
	who := fmt.Sprintf("process %d on host %s", p.PID, p.Host)
	switch {
	case p.Host != h.name:
		return unknown, who + " cannot be checked from host " + h.name
	case p.Boot != "" && h.boot != "" && p.Boot != h.boot:
		return gone, who + " is gone: the host has rebooted since"
	}
	start, err := h.startTime(p.PID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(h.proc); serr != nil {
			return unknown, who + " cannot be checked: no process table at " + h.proc
		}
		return gone, who + " is gone"
	case err != nil:
		return unknown, fmt.Sprintf("%s cannot be checked: %v", who, err)
	case p.Start != 0 && start != p.Start:
		return gone, who + " is gone (its PID now belongs to another process)"
	}
	return alive, who + " is running"
}

// resolve returns s as it stands: a status that says running although its
// process is gone becomes interrupted, its message saying why; every other
// status is returned as written.
func (h host) resolve(s Status) Status {
	if s.State != StateRunning || s.Process == nil {
		return s
	}
	if l, why := h.check(s.Process); l == gone {
		s.State = StateInterrupted
		s.Message = why + " without recording how the run ended (killed, e.g. with kill -9, or crashed); the directory holds what was written before"
	}
	return s
}
