package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeMachine writes the files memoryAvailable reads under a temporary
// root: path to content.
func fakeMachine(t *testing.T, files map[string]string) memoryAvailable {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return memoryAvailable{root: root}
}

const meminfo = "MemTotal:       24000000 kB\nMemFree:        20000000 kB\nMemAvailable:   16777216 kB\n" // 16 GiB available

func TestMemoryAvailable(t *testing.T) {
	t.Parallel()
	const gib = 1 << 30
	for _, tc := range []struct {
		name  string
		files map[string]string
		bytes float64
		from  string // part of it; "" for not ok
	}{
		{"meminfo", map[string]string{"proc/meminfo": meminfo}, 16 * gib, "MemAvailable in /proc/meminfo"},
		{"no meminfo", map[string]string{}, 0, ""},
		{"cgroup v2 limit below", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "0::/job/7\n",
			"sys/fs/cgroup/job/7/memory.max": "4294967296\n", "sys/fs/cgroup/job/7/memory.current": "1073741824\n"},
			3 * gib, "the cgroup limit /sys/fs/cgroup/job/7/memory.max of 4 GiB, 1 GiB of it in use"},
		{"cgroup v2 at the root", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "0::/\n",
			"sys/fs/cgroup/memory.max": "2147483648\n", "sys/fs/cgroup/memory.current": "0\n"}, 2 * gib, "/sys/fs/cgroup/memory.max of 2 GiB"},
		{"cgroup v2 without limit", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "0::/\n",
			"sys/fs/cgroup/memory.max": "max\n"}, 16 * gib, "MemAvailable"},
		{"cgroup v2 limit above", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "0::/\n",
			"sys/fs/cgroup/memory.max": "68719476736\n", "sys/fs/cgroup/memory.current": "0\n"}, 16 * gib, "MemAvailable"},
		{"cgroup v1 limit", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/slurm/job1\n1:cpu:/\n",
			"sys/fs/cgroup/memory/slurm/job1/memory.limit_in_bytes": "8589934592\n", "sys/fs/cgroup/memory/slurm/job1/memory.usage_in_bytes": "4294967296\n"},
			4 * gib, "memory.limit_in_bytes of 8 GiB, 4 GiB of it in use"},
		{"cgroup v1 unlimited", map[string]string{"proc/meminfo": meminfo, "proc/self/cgroup": "4:memory:/\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, 16 * gib, "MemAvailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bytes, from, ok := fakeMachine(t, tc.files).available()
			if ok != (tc.from != "") {
				t.Fatalf("ok = %v, want %v", ok, tc.from != "")
			}
			if bytes != tc.bytes || !strings.Contains(from, tc.from) {
				t.Errorf("available = %s from %q, want %s from %q", formatBytes(bytes), from, formatBytes(tc.bytes), tc.from)
			}
		})
	}
}

func TestCheckMemory(t *testing.T) {
	t.Parallel()
	machine := fakeMachine(t, map[string]string{"proc/meminfo": meminfo})
	const gib = 1 << 30
	for _, tc := range []struct {
		name string
		need memoryNeed
		want []string // parts of the error; nil for none
	}{
		{"fits", memoryNeed{perSeed: gib, seeds: 2, workers: 2, network: 4 * gib, largest: "joint"}, nil},
		{"fits with one worker", memoryNeed{perSeed: 2 * gib, seeds: 4, workers: 4, network: 3 * gib, largest: "joint"},
			[]string{"not enough memory for modcomp compare: it needs about 20.1 GiB (data 8 GiB: 2 GiB per seed × 4 in flight; networks 12 GiB: 4 at once × 3 GiB (joint)), but 16 GiB are available (MemAvailable in /proc/meminfo); with --workers 1 it needs about 5.06 GiB, which fits"}},
		{"does not fit", memoryNeed{shared: 10 * gib, perSeed: 8 * gib, seeds: 2, workers: 2, network: gib, largest: "joint"},
			[]string{"it needs about 28.1 GiB (data 26 GiB: 8 GiB per seed × 2 in flight and 10 GiB read once; networks 2 GiB: 2 at once × 1 GiB (joint))",
				"even with --workers 1 it needs about 19.1 GiB: make the data smaller"}},
		{"data alone", memoryNeed{shared: 20 * gib}, []string{"it needs about 20.1 GiB (data 20 GiB), but 16 GiB are available"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkMemory("modcomp compare", tc.need, machine)
			if tc.want == nil {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %s\ndoes not say\n  %s", err, w)
				}
			}
		})
	}
	if err := checkMemory("x", memoryNeed{shared: 1e18}, memoryAvailable{root: t.TempDir()}); err != nil {
		t.Errorf("without /proc/meminfo: %v, want no check", err)
	}
}

// TestEstimateMemoryOfARun checks what estimateMemory counts for a
// comparison: the seeds in flight and the networks at once are bounded by
// the workers and by the seeds and networks there are.
func TestEstimateMemoryOfARun(t *testing.T) {
	t.Parallel()
	compare := func(p *Plan) []NetworkSpec { return CompareNetworks(p.K, p.Methods) }
	for _, tc := range []struct {
		name                   string
		seeds, workers         int
		wantSeeds, wantWorkers int
	}{
		{"one worker", 5, 1, 1, 1},
		{"two workers", 5, 2, 2, 2},
		{"more workers than seeds", 2, 8, 2, 6},
		{"more workers than networks", 1, 8, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Seeds = tc.seeds
			p := resolve(t, c)
			need, err := estimateMemory([]*Plan{p}, compare, tc.workers)
			if err != nil {
				t.Fatal(err)
			}
			if need.seeds != tc.wantSeeds || need.workers != tc.wantWorkers || need.largest != "joint" {
				t.Errorf("%d seeds in flight, %d networks at once, largest %s; want %d, %d, joint", need.seeds, need.workers, need.largest, tc.wantSeeds, tc.wantWorkers)
			}
			// The default data: (200+500+2000) samples of 2 modalities of 5 x 200.
			if want := 2700.0 * (2*1000*8 + 8 + 2*9); need.perSeed != want || need.shared != 0 {
				t.Errorf("per seed %v shared %v, want %v and 0", need.perSeed, need.shared, want)
			}
		})
	}

	// The example: a hundred million samples of d = 1000.
	c := Default()
	c.NTrain, c.D = 100000000, IntList{1000}
	need, err := estimateMemory([]*Plan{resolve(t, c)}, compare, 2)
	if err != nil {
		t.Fatal(err)
	}
	if tib := need.total() / (1 << 40); tib < 10 {
		t.Errorf("n-train 1e8, d 1000: %s, want over 10 TiB", formatBytes(need.total()))
	}
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		b    float64
		want string
	}{
		{512, "512 B"}, {1536, "1.5 KiB"}, {64 << 20, "64 MiB"}, {1.5 * (1 << 30), "1.5 GiB"}, {8e12, "7.28 TiB"}, {1e21, "867 EiB"},
	} {
		if got := formatBytes(tc.b); got != tc.want {
			t.Errorf("formatBytes(%v) = %q, want %q", tc.b, got, tc.want)
		}
	}
}
