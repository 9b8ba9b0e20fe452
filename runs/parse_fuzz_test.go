package runs

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzParseStartTime checks that no stat file makes parseStartTime panic,
// and that the start time of a well-formed line, whatever the command
// name, is its field 22.
func FuzzParseStartTime(f *testing.F) {
	f.Add("4242 (modcomp) S 1 4242 4242 0 -1 4194304 100 0 0 0 5 1 0 0 20 0 3 0 1044024 10000000 500", uint64(7))
	f.Add("1 (a) b) c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", uint64(0))
	f.Add("", uint64(1))
	f.Fuzz(func(t *testing.T, stat string, start uint64) {
		parseStartTime([]byte(stat))
		comm := strings.Map(func(r rune) rune {
			if r == '\n' {
				return -1
			}
			return r
		}, stat)
		line := fmt.Sprintf("7 (%s) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n", comm, start)
		got, err := parseStartTime([]byte(line))
		if err != nil || got != start {
			t.Fatalf("parseStartTime(%q) = %d, %v; want %d", line, got, err, start)
		}
	})
}

// FuzzParseMemoryFiles checks that no /proc/meminfo or /proc/self/cgroup
// makes their parsers panic, and that what they accept is sane: a
// non-negative amount, cgroup paths inside the hierarchy.
func FuzzParseMemoryFiles(f *testing.F) {
	f.Add([]byte(meminfo), []byte("0::/user.slice/job\n4:memory:/slurm/job1\n"))
	f.Add([]byte("MemAvailable: -5 kB\n"), []byte("0::/../../etc\n"))
	f.Add([]byte("MemAvailable:\n"), []byte("::\n:memory\n"))
	f.Fuzz(func(t *testing.T, mem, cgroup []byte) {
		if b, ok := parseMemAvailable(mem); ok && !(b >= 0) {
			t.Fatalf("MemAvailable %v accepted", b)
		}
		v2, v1 := parseCgroups(cgroup)
		for _, p := range []string{v2, v1} {
			for _, part := range strings.Split(p, "/") {
				if part == ".." {
					t.Fatalf("cgroup path %q leaves the hierarchy", p)
				}
			}
		}
	})
}
