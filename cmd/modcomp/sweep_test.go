package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/runs"
)

// sweepFlags are tinyFlags without --quiet, so that progress is printed.
func sweepFlags(out string) []string {
	var flags []string
	for _, f := range tinyFlags(out) {
		if f != "--quiet" {
			flags = append(flags, f)
		}
	}
	return flags
}

// sweepArgs is `sweep` with the tiny flags and extra.
func sweepArgs(out string, extra ...string) []string {
	return append(append([]string{"sweep"}, sweepFlags(out)...), extra...)
}

// grid2x2 is a 2x2 grid: points (40, 0.1), (40, 0.2), (60, 0.1), (60, 0.2).
var grid2x2 = []string{"--grid", "n-train=40,60", "--grid", "mu[0]=0.1,0.2"}

var labels2x2 = []string{"[n-train=40 mu[0]=0.1]", "[n-train=40 mu[0]=0.2]", "[n-train=60 mu[0]=0.1]", "[n-train=60 mu[0]=0.2]"}

// sweepSpec reads sweep.json of a sweep directory.
func sweepSpec(t *testing.T, dir string) runs.SweepSpec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "sweep.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s runs.SweepSpec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noDir fails if path exists.
func noDir(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists after a failed command (%v)", path, err)
	}
}

// tableRows counts the rows of a markdown table in text.
func tableRows(text string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "| ") {
			n++
		}
	}
	return n - 1 // the header
}

func TestSweepCommand(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "results")
	dir := filepath.Join(tmp, "sweep")
	code, stdout, stderr := modcomp(t, sweepArgs(out, append(grid2x2, "--dir", dir)...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"| point | n-train | mu[0] |", "4 of 4 points complete (4 this run, 0 found complete)", "sweep directory: " + dir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not contain %q:\n%s", want, stdout)
		}
	}
	if n := tableRows(stdout); n != 4 {
		t.Errorf("the table has %d rows, want 4:\n%s", n, stdout)
	}
	// One progress line per point on stderr, whatever the order they finish in.
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 4 {
		t.Errorf("stderr has %d lines, want one per point:\n%s", len(lines), stderr)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "point ") || !strings.Contains(l, "/4 [") || !strings.Contains(l, "gap") || !strings.Contains(l, "ETA") {
			t.Errorf("progress line %q, want \"point i/4 [label]: ... gap ... ETA ...\"", l)
		}
	}
	for _, label := range labels2x2 {
		if n := strings.Count(stderr, label); n != 1 {
			t.Errorf("stderr mentions %s %d times, want once:\n%s", label, n, stderr)
		}
	}
	spec := sweepSpec(t, dir)
	if want := []runs.Axis{{Key: "n-train", Values: []string{"40", "60"}}, {Key: "mu[0]", Values: []string{"0.1", "0.2"}}}; !reflect.DeepEqual(spec.Grid, want) {
		t.Errorf("sweep.json grid %+v, want %+v", spec.Grid, want)
	}
	if spec.Base["steps"] != float64(20) {
		t.Errorf("sweep.json base steps %v, want the flag's 20", spec.Base["steps"])
	}
	for _, name := range []string{"sweep.csv", "sweep.md", "status.json", "points/0003/summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	noDir(t, out) // --dir given: nothing under --out

	// Again: everything is found complete.
	code, stdout, stderr = modcomp(t, sweepArgs(out, append(grid2x2, "--dir", dir)...)...)
	if code != 0 {
		t.Fatalf("second sweep: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "4 of 4 points complete (0 this run, 4 found complete)") || tableRows(stdout) != 4 {
		t.Errorf("second sweep stdout:\n%s", stdout)
	}
	if stderr != "" {
		t.Errorf("second sweep printed progress for points it did not run:\n%s", stderr)
	}

	// Another grid into the same directory is refused.
	code, _, stderr = modcomp(t, sweepArgs(out, "--grid", "n-train=40,80", "--dir", dir)...)
	if code != exitError {
		t.Errorf("another grid into the same --dir: exit %d, want %d", code, exitError)
	}
	oneLineError(t, stderr, dir, "different sweep")
}

// TestSweepGridValueWithCommas wants one --grid flag to be one axis, its
// commas separating values (or, on a per-modality key, list entries), not
// flags.
func TestSweepGridValueWithCommas(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "sweep")
	code, stdout, stderr := modcomp(t, sweepArgs(filepath.Join(tmp, "results"), "--grid", "alpha=1,0.4:1,0.6", "--dir", dir, "--quiet", "--json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("--quiet printed on stderr:\n%s", stderr)
	}
	var o runs.SweepOutcome
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("--json stdout: %v\n%s", err, stdout)
	}
	if o.Dir != dir || o.State != runs.StateComplete || o.Points != 2 || o.Ran != 2 {
		t.Errorf("--json outcome %+v, want dir %s, complete, 2 points ran", o, dir)
	}
	spec := sweepSpec(t, dir)
	if want := []runs.Axis{{Key: "alpha", Values: []string{"1,0.4", "1,0.6"}}}; !reflect.DeepEqual(spec.Grid, want) {
		t.Errorf("sweep.json grid %+v, want %+v", spec.Grid, want)
	}
	c := runConfig(t, filepath.Join(dir, "points", "0001"))
	if !reflect.DeepEqual(c.Alpha, runs.FloatList{1, 0.6}) {
		t.Errorf("point 1 alpha %v, want [1 0.6]", c.Alpha)
	}
}

func TestSweepFile(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	path := filepath.Join(tmp, "sweep.yaml")
	if err := os.WriteFile(path, []byte("seed: 7\nsteps: 30\ngrid:\n  - n-train=40,60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "sweep")
	// The file's grid comes first, then the --grid flags; flags win over
	// the file's keys.
	code, stdout, stderr := modcomp(t, sweepArgs(filepath.Join(tmp, "results"), "--sweep", path, "--grid", "mu[0]=0.1,0.2", "--dir", dir, "--quiet")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "4 of 4 points complete") {
		t.Errorf("stdout:\n%s", stdout)
	}
	spec := sweepSpec(t, dir)
	if want := []runs.Axis{{Key: "n-train", Values: []string{"40", "60"}}, {Key: "mu[0]", Values: []string{"0.1", "0.2"}}}; !reflect.DeepEqual(spec.Grid, want) {
		t.Errorf("sweep.json grid %+v, want %+v", spec.Grid, want)
	}
	if spec.Base["seed"] != float64(7) || spec.Base["steps"] != float64(20) {
		t.Errorf("sweep.json base seed %v steps %v, want the file's seed 7 and the flag's steps 20", spec.Base["seed"], spec.Base["steps"])
	}

	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"nogrid.yaml", "steps: 30\n", []string{"grid"}},
		{"unknown.yaml", "stepz: 30\ngrid: [n-train=40]\n", []string{"stepz", "steps"}},
		{"badaxis.yaml", "grid: [n-trian=40]\n", []string{"n-trian", "n-train"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "results")
			code, _, stderr := modcomp(t, sweepArgs(out, "--sweep", path)...)
			if code == 0 {
				t.Fatal("exit 0")
			}
			oneLineError(t, stderr, tc.want...)
			noRunDir(t, out)
		})
	}
}

func TestSweepShardsAggregate(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	out := filepath.Join(tmp, "results")
	whole := filepath.Join(tmp, "whole")
	if code, _, stderr := modcomp(t, sweepArgs(out, append(grid2x2, "--dir", whole, "--quiet")...)...); code != 0 {
		t.Fatalf("unsharded sweep: exit %d: %s", code, stderr)
	}
	var shards []string
	for i, shard := range []string{"0/2", "1/2"} {
		dir := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		code, stdout, stderr := modcomp(t, sweepArgs(out, append(grid2x2, "--dir", dir, "--shard", shard)...)...)
		if code != 0 {
			t.Fatalf("--shard %s: exit %d: %s", shard, code, stderr)
		}
		if !strings.Contains(stdout, "2 of 2 points complete (2 this run, 0 found complete)") || tableRows(stdout) != 2 {
			t.Errorf("--shard %s stdout:\n%s", shard, stdout)
		}
		if n := strings.Count(stderr, "\n"); n != 2 || !strings.Contains(stderr, labels2x2[i]) || !strings.Contains(stderr, labels2x2[i+2]) {
			t.Errorf("--shard %s progress, want points %d and %d:\n%s", shard, i, i+2, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "status.shard-"+string(rune('0'+i))+"-of-2.json")); err != nil {
			t.Error(err)
		}
		shards = append(shards, dir)
	}
	aggOut := filepath.Join(tmp, "agg")
	code, stdout, stderr := modcomp(t, append([]string{"aggregate", "--out", aggOut, "--name", "merged"}, shards...)...)
	if code != 0 {
		t.Fatalf("aggregate: exit %d: %s", code, stderr)
	}
	if tableRows(stdout) != 4 || !strings.Contains(stdout, "aggregate directory: "+aggOut+string(filepath.Separator)) {
		t.Errorf("aggregate stdout:\n%s", stdout)
	}
	entries, err := os.ReadDir(aggOut)
	if err != nil || len(entries) != 1 || !strings.HasSuffix(entries[0].Name(), "-merged") {
		t.Fatalf("--out %s holds %v (%v), want one <timestamp>-merged directory", aggOut, entries, err)
	}
	agg := filepath.Join(aggOut, entries[0].Name())
	if !bytes.Equal(readBytes(t, filepath.Join(agg, "sweep.csv")), readBytes(t, filepath.Join(whole, "sweep.csv"))) {
		t.Error("sweep.csv of the aggregated shards differs from the unsharded sweep's")
	}

	// --quiet prints only the directory.
	code, stdout, _ = modcomp(t, append([]string{"aggregate", "--out", aggOut, "--quiet"}, shards...)...)
	if code != 0 || strings.Count(stdout, "\n") != 1 || !strings.HasPrefix(stdout, "aggregate directory: ") {
		t.Errorf("aggregate --quiet: exit %d, stdout:\n%s", code, stdout)
	}
}

func TestSweepBadFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flags []string
		want  []string
		code  int
	}{
		{"shard i = n", []string{"--shard", "2/2"}, []string{`--shard = "2/2"`, "0 <= I < N"}, exitUsage},
		{"negative shard", []string{"--shard", "-1/2"}, []string{`--shard = "-1/2"`}, exitUsage},
		{"shard not I/N", []string{"--shard", "x"}, []string{`--shard = "x"`}, exitUsage},
		{"zero shards", []string{"--shard", "1/0"}, []string{`--shard = "1/0"`}, exitUsage},
		{"unknown grid key", []string{"--grid", "n-trian=40"}, []string{"n-trian", `did you mean "n-train"`}, exitUsage},
		{"bad grid range", []string{"--grid", "mu[0]=0.5..0.1/0.1"}, []string{"0.5..0.1/0.1", "from <= to"}, exitUsage},
		{"grid value not for the key", []string{"--grid", "n-train=abc"}, []string{`"abc"`, "integer"}, exitUsage},
		{"invalid point", []string{"--grid", "mu[0]=0.5,1.5"}, []string{"point 1", "mu"}, exitError},
		{"grid index past the modalities", []string{"--grid", "alpha[5]=1,2"}, []string{"alpha[5]", "modality 5", "2 modalities"}, exitError},
		{"no grid", nil, []string{"no grid"}, 0},
		{"repeated grid key", []string{"--grid", "n-train=40", "--grid", "n-train=60"}, []string{"n-train", "twice"}, 0},
		{"argument", []string{"extra"}, []string{"no arguments", "extra"}, exitUsage},
		{"missing sweep file", []string{"--sweep", "/nonexistent/sweep.yaml"}, []string{"/nonexistent/sweep.yaml"}, exitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			out := filepath.Join(tmp, "results")
			dir := filepath.Join(tmp, "sweep")
			flags := []string{"--dir", dir}
			if tc.name != "no grid" && !strings.Contains(strings.Join(tc.flags, " "), "--grid") {
				flags = append(flags, grid2x2...)
			}
			flags = append(flags, tc.flags...)
			code, stdout, stderr := modcomp(t, sweepArgs(out, flags...)...)
			t.Logf("exit %d, stderr: %s", code, strings.TrimSpace(stderr))
			if code == 0 {
				t.Fatalf("exit 0, want an error; stdout:\n%s", stdout)
			}
			if tc.code != 0 && code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if stdout != "" {
				t.Errorf("stdout of a failed sweep:\n%s", stdout)
			}
			oneLineError(t, stderr, tc.want...)
			noRunDir(t, out)
			noDir(t, dir)
		})
	}
}

// TestSweepShardTrailingText wants --shard to be exactly I/N.
func TestSweepShardTrailingText(t *testing.T) {
	t.Parallel()
	for _, shard := range []string{"0/2x", "1/2/3", "0/2 4"} {
		tmp := t.TempDir()
		dir := filepath.Join(tmp, "sweep")
		code, _, stderr := modcomp(t, sweepArgs(filepath.Join(tmp, "results"), append(grid2x2, "--dir", dir, "--shard", shard)...)...)
		if code != exitUsage {
			t.Errorf("--shard %q: exit %d, want %d", shard, code, exitUsage)
			continue
		}
		oneLineError(t, stderr, "--shard")
		noDir(t, dir)
	}
}

func TestAggregateBadArgs(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "agg")
	code, stdout, stderr := modcomp(t, "aggregate", "--out", out)
	if code != exitUsage || stdout != "" {
		t.Errorf("aggregate with no directory: exit %d (want %d), stdout %q", code, exitUsage, stdout)
	}
	oneLineError(t, stderr, "aggregate needs")
	noRunDir(t, out)

	// A compare run directory is not a sweep directory.
	results := t.TempDir()
	if code, _, stderr := modcomp(t, command([]string{"compare"}, results)...); code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	entries, err := os.ReadDir(results)
	if err != nil || len(entries) != 1 {
		t.Fatalf("compare wrote %v (%v)", entries, err)
	}
	for _, dir := range []string{filepath.Join(results, entries[0].Name()), filepath.Join(results, "nonexistent")} {
		code, stdout, stderr = modcomp(t, "aggregate", "--out", out, dir)
		if code != exitError || stdout != "" {
			t.Errorf("aggregate %s: exit %d (want %d), stdout %q", dir, code, exitError, stdout)
		}
		oneLineError(t, stderr, dir, "not a sweep directory")
		noRunDir(t, out)
	}
}
