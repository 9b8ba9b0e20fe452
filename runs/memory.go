package runs

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/modcomp/modcomp/graph"
)

// The memory a run needs is estimated before anything is allocated
// (prepare), and a run that does not fit is refused with the estimate and
// the memory available, rather than killed by the runtime halfway:
//
//	data      what each source holds for every seed (a dataset read from
//	          files, images), once; and each seed's dataset for the seeds
//	          in flight. A seed's dataset is drawn when its first network
//	          starts and freed when its last one ends, and networks start
//	          seed by seed, so at most one seed per network training at once
//	          is in flight.
//	networks  the networks training at once (the workers, or fewer when
//	          there are fewer networks), each counted as the largest of
//	          the run: graph.EstimateMemory, whose peak is the linear probe
//	          at the end of training.
//	program   a fixed allowance for the program, its graphs and its logs.
//
// The estimate is of the live data; Go's collector lets the heap grow past
// it between collections, so a run that needs nearly all the memory
// available may still fail. It is compared with what the machine has
// available (Linux: MemAvailable in /proc/meminfo) and, under a cgroup
// memory limit, with what is left of that limit.

// programAllowance is the memory of the program beyond its data and
// networks: the runtime, Gorgonia's graphs, logged metrics.
const programAllowance = 64 << 20

// memoryNeed is the estimate of a run.
type memoryNeed struct {
	shared  float64 // data read once for every seed
	perSeed float64 // each seed's dataset
	seeds   int     // seeds in flight
	workers int     // networks training at once
	network float64 // the largest network
	largest string  // its name
}

func (n memoryNeed) data() float64     { return n.shared + n.perSeed*float64(n.seeds) }
func (n memoryNeed) networks() float64 { return float64(n.workers) * n.network }
func (n memoryNeed) total() float64    { return n.data() + n.networks() + programAllowance }

// estimateMemory is the need of training the networks of specs(plan) for
// every seed of each plan, the plans' groups sharing workers, as execute
// runs them. Plans sharing a source count its data once.
func estimateMemory(plans []*Plan, specs func(*Plan) []NetworkSpec, workers int) (memoryNeed, error) {
	var need memoryNeed
	jobs, seeds := 0, 0
	counted := map[source]bool{}
	for _, p := range plans {
		l := p.source.layout()
		if !counted[p.source] {
			counted[p.source] = true
			need.shared += l.shared
		}
		need.perSeed = max(need.perSeed, l.perSeed)
		seeds += p.Config.Seeds
		for _, spec := range specs(p) {
			jobs += p.Config.Seeds
			m, err := graph.EstimateMemory(p.Model, p.Train(spec.Method), spec.Modalities, l.DataSize)
			if err != nil {
				return need, fmt.Errorf("network %s: %w", spec.Name, err)
			}
			if m.Total() > need.network {
				need.network, need.largest = m.Total(), spec.Name
			}
		}
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	need.workers = min(workers, jobs)
	need.seeds = min(seeds, need.workers)
	return need, nil
}

// checkMemory refuses a need beyond the memory available, saying what
// would fit; what names the run ("this comparison"). Where the memory
// available cannot be read, nothing is refused.
func checkMemory(what string, need memoryNeed, avail memoryAvailable) error {
	free, from, ok := avail.available()
	if !ok || need.total() <= free {
		return nil
	}
	parts := []string{fmt.Sprintf("data %s", formatBytes(need.data()))}
	if need.perSeed > 0 {
		parts[0] += fmt.Sprintf(": %s per seed × %d in flight", formatBytes(need.perSeed), need.seeds)
		if need.shared > 0 {
			parts[0] += fmt.Sprintf(" and %s read once", formatBytes(need.shared))
		}
	}
	if need.workers > 0 {
		parts = append(parts, fmt.Sprintf("networks %s: %d at once × %s (%s)", formatBytes(need.networks()), need.workers, formatBytes(need.network), need.largest))
	}
	msg := fmt.Sprintf("not enough memory for %s: it needs about %s (%s), but %s are available (%s)",
		what, formatBytes(need.total()), strings.Join(parts, "; "), formatBytes(free), from)
	if need.workers > 1 {
		one := need
		one.workers, one.seeds = 1, 1
		if one.total() <= free {
			return fmt.Errorf("%s; with --workers 1 it needs about %s, which fits", msg, formatBytes(one.total()))
		}
		msg += fmt.Sprintf("; even with --workers 1 it needs about %s", formatBytes(one.total()))
	}
	return fmt.Errorf("%s: make the data smaller (n-train, n-val, n-test, or the samples' size) or the networks (neurons, hidden), or use a machine with more memory", msg)
}

// formatBytes renders b in binary units with three significant digits:
// "745 MiB", "7.28 TiB".
func formatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for b >= 1024 && u < len(units)-1 {
		b /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return strconv.FormatFloat(b, 'g', 3, 64) + " " + units[u]
}

// memoryAvailable reads the memory a run may use from the files of a Linux
// system under root ("/"; a fake tree in tests).
type memoryAvailable struct{ root string }

// thisMachine is the machine modcomp runs on.
func thisMachine() memoryAvailable { return memoryAvailable{root: "/"} }

// available is the memory available, in bytes, and where that comes from;
// ok is false where it cannot be read (not Linux).
func (m memoryAvailable) available() (bytes float64, from string, ok bool) {
	bytes, ok = m.memAvailable()
	if !ok {
		return 0, "", false
	}
	from = "MemAvailable in /proc/meminfo"
	if limit, used, path, ok := m.cgroupLimit(); ok && limit-used < bytes {
		bytes = math.Max(0, limit-used)
		from = fmt.Sprintf("the cgroup limit %s of %s, %s of it in use", path, formatBytes(limit), formatBytes(used))
	}
	return bytes, from, true
}

// memAvailable is MemAvailable of /proc/meminfo.
func (m memoryAvailable) memAvailable() (float64, bool) {
	b, err := os.ReadFile(filepath.Join(m.root, "proc/meminfo"))
	if err != nil {
		return 0, false
	}
	return parseMemAvailable(b)
}

// parseMemAvailable reads "MemAvailable: <n> kB" of /proc/meminfo, in
// bytes.
func parseMemAvailable(meminfo []byte) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err != nil || kb < 0 || math.IsInf(kb, 0) || math.IsNaN(kb) {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}

// cgroupLimit is the memory limit of the process's cgroup and its usage,
// with the file that sets the limit: cgroup v2's memory.max, or v1's
// memory.limit_in_bytes, in the process's own cgroup or at the root of the
// hierarchy (which is the container's own in a container). ok is false
// without a limit.
func (m memoryAvailable) cgroupLimit() (limit, used float64, path string, ok bool) {
	b, _ := os.ReadFile(filepath.Join(m.root, "proc/self/cgroup"))
	v2, v1 := parseCgroups(b)
	cg := filepath.Join(m.root, "sys/fs/cgroup")
	for _, try := range []struct{ limit, usage string }{
		{filepath.Join(cg, v2, "memory.max"), filepath.Join(cg, v2, "memory.current")},
		{filepath.Join(cg, "memory.max"), filepath.Join(cg, "memory.current")},
		{filepath.Join(cg, "memory", v1, "memory.limit_in_bytes"), filepath.Join(cg, "memory", v1, "memory.usage_in_bytes")},
		{filepath.Join(cg, "memory", "memory.limit_in_bytes"), filepath.Join(cg, "memory", "memory.usage_in_bytes")},
	} {
		limit, ok := readBytesFile(try.limit)
		// "max", or v1's "no limit" (the largest page-aligned int64).
		if !ok || limit >= 1<<60 {
			continue
		}
		used, _ := readBytesFile(try.usage)
		rel, err := filepath.Rel(m.root, try.limit)
		if err != nil {
			rel = try.limit
		}
		return limit, used, "/" + rel, true
	}
	return 0, 0, "", false
}

// parseCgroups reads the process's cgroups from /proc/self/cgroup, lines
// "id:controllers:path": v2 is the path of the unified hierarchy ("0::"),
// v1 that of the memory controller's. A path that would leave the
// hierarchy ("..") is ignored.
func parseCgroups(b []byte) (v2, v1 string) {
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !filepath.IsLocal(strings.TrimPrefix(parts[2], "/")) && parts[2] != "/" {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" {
				v1 = parts[2]
			}
		}
	}
	return v2, v1
}

// readBytesFile reads a number of bytes from a cgroup file; "max" and
// anything else that is not a number is not ok.
func readBytesFile(path string) (float64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	return v, err == nil
}
