package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/runs"
)

// tinyFlags configure a comparison that trains in a fraction of a second.
func tinyFlags(out string) []string {
	return []string{
		"--d", "20", "--patches", "3", "--n-train", "40", "--n-val", "60", "--n-test", "60",
		"--neurons", "3", "--steps", "20", "--log-every", "10", "--seeds", "1", "--workers", "2",
		"--out", out, "--quiet",
	}
}

// modcomp runs the command line args (without the program name) in process
// and returns the exit code, stdout and stderr.
func modcomp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	inProcess.Lock()
	defer inProcess.Unlock()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"modcomp"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// inProcess makes in-process runs take turns: urfave/cli v2 writes its
// package-level help flag and command while parsing. Tests that run the
// binary go in parallel.
var inProcess sync.Mutex

// command builds the arguments of a command: its name(s), the tiny flags,
// extra flags, then positional arguments.
func command(name []string, out string, extra ...string) []string {
	return append(append(append([]string(nil), name...), tinyFlags(out)...), extra...)
}

// noRunDir fails if out holds anything.
func noRunDir(t *testing.T, out string) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("--out %s holds %d entries (first %s) after a failed command, want none", out, len(entries), entries[0].Name())
	}
}

// oneLineError checks that stderr is a single line mentioning every part,
// without a stack trace.
func oneLineError(t *testing.T, stderr string, parts ...string) {
	t.Helper()
	line := strings.TrimRight(stderr, "\n")
	if line == "" {
		t.Fatal("nothing on stderr")
	}
	if strings.Contains(line, "\n") {
		t.Errorf("stderr has several lines, want one:\n%s", stderr)
	}
	if !strings.HasPrefix(line, "modcomp: ") {
		t.Errorf("stderr %q does not start with \"modcomp: \"", line)
	}
	for _, bad := range []string{"panic", "goroutine ", ".go:"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr looks like a crash (%q):\n%s", bad, stderr)
		}
	}
	for _, p := range parts {
		if !strings.Contains(line, p) {
			t.Errorf("stderr %q does not mention %q", line, p)
		}
	}
}

// jsonOutput is what --json prints.
type jsonOutput struct {
	RunDir  string         `json:"run_dir"`
	State   string         `json:"state"`
	Summary map[string]any `json:"summary"`
}

func decodeOutput(t *testing.T, stdout string) jsonOutput {
	t.Helper()
	var o jsonOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("stdout is not the --json object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON value:\n%s", stdout)
	}
	if o.RunDir == "" || o.Summary == nil {
		t.Fatalf("--json output without run_dir or summary: %s", stdout)
	}
	if fi, err := os.Stat(o.RunDir); err != nil || !fi.IsDir() {
		t.Fatalf("run_dir %s: %v", o.RunDir, err)
	}
	return o
}

// runConfig reads config.json of a run directory.
func runConfig(t *testing.T, dir string) runs.Config {
	t.Helper()
	c := runs.Default()
	if err := c.LoadFile(filepath.Join(dir, "config.json")); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareBadFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flags []string
		want  []string // parts of the one-line error
		code  int      // 0: any non-zero code
	}{
		{"mu above 1", []string{"--mu", "1.5"}, []string{"mu = 1.5", "probability"}, exitError},
		{"lists of different lengths", []string{"--alpha", "1,0.4,0.3", "--mu", "0.1,0.2"}, []string{"mu = 0.1,0.2 has 2 values", "3"}, exitError},
		{"unknown optimizer", []string{"--optimizer", "foo"}, []string{`optimizer = "foo"`, "gd"}, exitError},
		{"d zero", []string{"--d", "0"}, []string{"d = 0", "positive integer"}, exitError},
		{"steps not a number", []string{"--steps", "abc"}, []string{`--steps = "abc"`, "want an integer"}, exitUsage},
		{"list item not a number", []string{"--alpha", "1,x"}, []string{`--alpha = "1,x"`, "list of numbers"}, exitUsage},
		{"negative seed", []string{"--seed", "-1"}, []string{`--seed = "-1"`, "non-negative integer"}, exitUsage},
		{"name with a slash", []string{"--name", "a/b"}, []string{`name = "a/b"`, "path separators"}, exitError},
		{"gd with a batch size", []string{"--batch-size", "10"}, []string{"batch-size = 10", "optimizer gd"}, exitError},
		{"modality out of range", []string{"--modalities", "0,5"}, []string{"modalities = 0,5", "0..1"}, exitError},
		{"unknown flag", []string{"--stepz", "5"}, []string{"stepz"}, 0},
		{"argument", []string{"extra"}, []string{"no arguments", "extra"}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results")
			code, stdout, stderr := modcomp(t, command([]string{"compare"}, out, tc.flags...)...)
			t.Logf("exit %d, stderr: %s", code, strings.TrimSpace(stderr))
			if code == 0 {
				t.Fatalf("exit 0, want an error; stdout:\n%s", stdout)
			}
			if tc.code != 0 && code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			oneLineError(t, stderr, tc.want...)
			noRunDir(t, out)
		})
	}
}

// TestUnknownFlagIsUsageError wants a misspelt flag to be a usage error
// like a bad flag value: exit code 2, the suggestion on stderr, and nothing
// on stdout (which --json reserves for the result).
func TestUnknownFlagIsUsageError(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "results")
	code, stdout, stderr := modcomp(t, command([]string{"compare"}, out, "--stepz", "5")...)
	if code != exitUsage || stdout != "" {
		t.Errorf("`modcomp compare --stepz 5` exits %d (want %d) with %d bytes on stdout", code, exitUsage, len(stdout))
	}
	oneLineError(t, stderr, "stepz")
	noRunDir(t, out)
}

// TestTrainRepeatedModality wants --modalities 0,0 refused before a run
// directory is created, like any other bad value.
func TestTrainRepeatedModality(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "results")
	code, _, stderr := modcomp(t, command([]string{"train"}, out, "--modalities", "0,0")...)
	if code == 0 {
		t.Fatal("exit 0")
	}
	oneLineError(t, stderr, "modalities = 0,0")
	noRunDir(t, out)
}

func TestCompareJSON(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := modcomp(t, command([]string{"compare"}, out, "--json", "--seeds", "2")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	o := decodeOutput(t, stdout)
	if o.State != runs.StateComplete {
		t.Errorf("state = %q, want complete", o.State)
	}
	if filepath.Dir(o.RunDir) != out {
		t.Errorf("run_dir %s is not under --out %s", o.RunDir, out)
	}
	for _, k := range []string{"seeds", "unimodal", "joint", "best_unimodal", "gap", "winner", "per_seed"} {
		if _, ok := o.Summary[k]; !ok {
			t.Errorf("summary has no key %q", k)
		}
	}
	// The printed summary is summary.json.
	b, err := os.ReadFile(filepath.Join(o.RunDir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]any
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	printed, _ := json.Marshal(o.Summary)
	stored, _ := json.Marshal(file)
	if !bytes.Equal(printed, stored) {
		t.Errorf("--json summary differs from summary.json")
	}
	if c := runConfig(t, o.RunDir); c.Seeds != 2 || c.Steps != 20 {
		t.Errorf("config.json has seeds %d steps %d, want 2 and 20", c.Seeds, c.Steps)
	}
}

func TestCompareTable(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := modcomp(t, command([]string{"compare"}, out)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"uni-modal m0", "joint", "verdict", "run directory: " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not mention %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("--quiet printed on stderr: %s", stderr)
	}
}

// TestConfigFile checks that a JSON or YAML --config overlays the defaults
// and that flags given on the command line win over it.
func TestConfigFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"c.json", `{"d": 20, "patches": 3, "n-train": 40, "n-val": 60, "n-test": 60, "neurons": 3,
 "steps": 30, "log-every": 10, "seeds": 1, "name": "fromfile", "alpha": "1,0.5", "out": "OUT"}`},
		{"c.yaml", "d: 20\npatches: 3\nn-train: 40\nn-val: 60\nn-test: 60\nneurons: 3\nsteps: 30\nlog-every: 10\nseeds: 1\nname: fromfile\nalpha: [1, 0.5]\nout: OUT\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fileOut := filepath.Join(dir, "file-out")
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, []byte(strings.ReplaceAll(tc.content, "OUT", fileOut)), 0o644); err != nil {
				t.Fatal(err)
			}
			flagOut := filepath.Join(dir, "flag-out")
			code, stdout, stderr := modcomp(t, "compare", "--config", path, "--steps", "20", "--out", flagOut, "--quiet", "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			o := decodeOutput(t, stdout)
			if filepath.Dir(o.RunDir) != flagOut {
				t.Errorf("run directory %s, want it under the --out flag %s", o.RunDir, flagOut)
			}
			if _, err := os.Stat(fileOut); err == nil {
				t.Errorf("the config file's out %s was created although --out was given", fileOut)
			}
			if !strings.HasSuffix(o.RunDir, "-fromfile") {
				t.Errorf("run directory %s does not carry the file's name", o.RunDir)
			}
			c := runConfig(t, o.RunDir)
			if c.Steps != 20 {
				t.Errorf("steps = %d, want 20 from the flag", c.Steps)
			}
			if c.Neurons != 3 || c.NTrain != 40 || c.Alpha.String() != "1,0.5" {
				t.Errorf("neurons %d n-train %d alpha %s, want 3, 40 and 1,0.5 from the file", c.Neurons, c.NTrain, c.Alpha)
			}
			if c.Optimizer.String() != runs.Default().Optimizer.String() {
				t.Errorf("optimizer = %q, want the default", c.Optimizer)
			}
		})
	}

	// A run's config.json reproduces the run.
	t.Run("config.json", func(t *testing.T) {
		out := t.TempDir()
		code, stdout, stderr := modcomp(t, command([]string{"compare"}, out, "--json")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		first := decodeOutput(t, stdout)
		code, stdout, stderr = modcomp(t, "compare", "--config", filepath.Join(first.RunDir, "config.json"), "--quiet", "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		second := decodeOutput(t, stdout)
		if second.RunDir == first.RunDir {
			t.Fatal("the second run reused the first run's directory")
		}
		for _, name := range []string{"metrics.csv", "summary.json"} {
			a, _ := os.ReadFile(filepath.Join(first.RunDir, name))
			b, _ := os.ReadFile(filepath.Join(second.RunDir, name))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s differs between a run and its rerun from config.json", name)
			}
		}
	})
}

func TestConfigFileErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"typo.json", `{"n-trian": 40}`, []string{`unknown key "n-trian"`, `did you mean "n-train"`, "typo.json"}},
		{"typo.yaml", "n-trian: 40\n", []string{`unknown key "n-trian"`, `did you mean "n-train"`}},
		{"type.json", `{"d": "abc"}`, []string{`key "d"`, `"abc"`}},
		{"invalid.yaml", "n-train: [40\n", []string{"invalid YAML"}},
		{"invalid.json", `{"n-train": }`, []string{"invalid JSON"}},
		{"c.toml", "n-train = 40\n", []string{`unknown extension ".toml"`}},
		{"bad-value.json", `{"mu": [0.3, 1.5]}`, []string{"mu = 1.5 for modality 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "results")
			code, _, stderr := modcomp(t, command([]string{"compare"}, out, "--config", path)...)
			t.Logf("exit %d, stderr: %s", code, strings.TrimSpace(stderr))
			if code == 0 {
				t.Fatal("exit 0, want an error")
			}
			oneLineError(t, stderr, tc.want...)
			noRunDir(t, out)
		})
	}
	t.Run("missing", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "results")
		missing := filepath.Join(t.TempDir(), "nope.yaml")
		code, _, stderr := modcomp(t, command([]string{"compare"}, out, "--config", missing)...)
		if code == 0 {
			t.Fatal("exit 0")
		}
		oneLineError(t, stderr, missing, "no such file")
		noRunDir(t, out)
	})
}

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := modcomp(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(stdout, runs.Version) {
			t.Errorf("%v printed %q, want the version %s", args, stdout, runs.Version)
		}
	}
}

func TestTrain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ modalities, network string }{{"0", "uni-m0"}, {"0,1", "joint"}} {
		t.Run(tc.network, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := modcomp(t, command([]string{"train"}, out, "--modalities", tc.modalities, "--json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			o := decodeOutput(t, stdout)
			if o.Summary["network"] != tc.network || o.State != runs.StateComplete {
				t.Errorf("network %v state %s, want %s complete", o.Summary["network"], o.State, tc.network)
			}
			for _, name := range []string{"config.json", "metrics.csv", "summary.json", "report.md", "status.json", "log.jsonl"} {
				if _, err := os.Stat(filepath.Join(o.RunDir, name)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	t.Run("table", func(t *testing.T) {
		code, stdout, stderr := modcomp(t, command([]string{"train"}, t.TempDir(), "--modalities", "1")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "uni-m1") || !strings.Contains(stdout, graph.TestAcc) {
			t.Errorf("stdout:\n%s", stdout)
		}
	})
}

func TestDataExportInspect(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	data := []string{"data", "export", "--d", "20,16", "--patches", "3", "--n-train", "40", "--n-val", "30", "--n-test", "50", "--seed", "3"}
	code, stdout, stderr := modcomp(t, append(data, dir)...)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, dir) || !strings.Contains(stdout, "seed 3") {
		t.Errorf("export printed %q", stdout)
	}
	code, stdout, stderr = modcomp(t, "data", "inspect", dir)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"[3 20]", "[3 16]", "binary", "2 modalities", "train", "val", "test", "40", "30", "50"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output does not mention %q:\n%s", want, stdout)
		}
	}

	t.Run("export into a non-empty directory", func(t *testing.T) {
		code, _, stderr := modcomp(t, append(data, dir)...)
		if code == 0 {
			t.Fatal("exit 0")
		}
		oneLineError(t, stderr, dir, "not empty")
	})
	t.Run("export bad flag", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad")
		code, _, stderr := modcomp(t, "data", "export", "--mu", "2", bad)
		if code == 0 {
			t.Fatal("exit 0")
		}
		oneLineError(t, stderr, "mu = 2")
		if _, err := os.Stat(bad); err == nil {
			t.Errorf("%s was created", bad)
		}
	})
	t.Run("no argument", func(t *testing.T) {
		for _, sub := range []string{"export", "inspect"} {
			code, _, stderr := modcomp(t, "data", sub)
			if code != exitUsage {
				t.Errorf("data %s without DIR: exit %d, want %d", sub, code, exitUsage)
			}
			oneLineError(t, stderr, "one argument")
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nope")
		code, _, stderr := modcomp(t, "data", "inspect", missing)
		if code == 0 {
			t.Fatal("exit 0")
		}
		oneLineError(t, stderr, missing, "no such file")
	})
	t.Run("not a dataset", func(t *testing.T) {
		empty := t.TempDir()
		code, _, stderr := modcomp(t, "data", "inspect", empty)
		if code == 0 {
			t.Fatal("exit 0")
		}
		oneLineError(t, stderr, empty, "manifest.json")
	})
	t.Run("truncated npy", func(t *testing.T) {
		broken := filepath.Join(t.TempDir(), "broken")
		if err := os.CopyFS(broken, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		npy := filepath.Join(broken, "train_x0.npy")
		fi, err := os.Stat(npy)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(npy, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := modcomp(t, "data", "inspect", broken)
		if code == 0 {
			t.Fatal("exit 0 on a truncated file")
		}
		oneLineError(t, stderr, "train_x0.npy")
		t.Logf("%s", strings.TrimSpace(stderr))
	})
}

// TestOutIsAFile checks that an --out that cannot hold run directories
// fails before any training: with a thousand times the tiny steps, training
// first would make this test slow, not just wrong.
func TestOutIsAFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "sub")} {
		for _, cmd := range []string{"compare", "train"} {
			code, stdout, stderr := modcomp(t, command([]string{cmd}, out, "--steps", "20000")...)
			if code == 0 {
				t.Fatalf("%s --out %s: exit 0:\n%s", cmd, out, stdout)
			}
			oneLineError(t, stderr, out, "cannot be created")
			t.Logf("%s", strings.TrimSpace(stderr))
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep" {
		t.Errorf("the file was changed: %q", b)
	}
}

// The signal tests run the real binary: signals and exit codes belong to a
// process.

var binary struct {
	once sync.Once
	path string
	err  error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "modcomp-bin-")
		if err != nil {
			binary.err = err
			return
		}
		removeAfterTests(dir)
		binary.path = filepath.Join(dir, "modcomp")
		cmd := exec.Command("go", "build", "-o", binary.path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			binary.err = errors.New(string(out) + err.Error())
		}
	})
	if binary.err != nil {
		t.Fatalf("go build: %v", binary.err)
	}
	return binary.path
}

// builtDirs are removed when the tests have run.
var builtDirs struct {
	sync.Mutex
	dirs []string
}

func removeAfterTests(dir string) {
	builtDirs.Lock()
	defer builtDirs.Unlock()
	builtDirs.dirs = append(builtDirs.dirs, dir)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range builtDirs.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// process is a running modcomp binary.
type process struct {
	cmd    *exec.Cmd
	runDir string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
}

// longRun starts a comparison that would train for minutes and returns
// once its run directory exists and training has started.
func longRun(t *testing.T) *process {
	t.Helper()
	bin := buildBinary(t)
	out := t.TempDir()
	p := &process{
		cmd:    exec.Command(bin, command([]string{"compare"}, out, "--steps", "100000", "--log-every", "1000", "--workers", "1")...),
		stderr: &syncBuffer{},
		exited: make(chan struct{}),
	}
	p.cmd.Stdout, p.cmd.Stderr = &syncBuffer{}, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	// Wait (polling, without a deadline of our own: go test's -timeout is
	// the guard) until the run directory's log says training started.
	for {
		matches, _ := filepath.Glob(filepath.Join(out, "*", "log.jsonl"))
		if len(matches) == 1 {
			dir := filepath.Dir(matches[0])
			b, _ := os.ReadFile(matches[0])
			if _, err := os.Stat(filepath.Join(dir, "status.json")); err == nil && bytes.Contains(b, []byte("run started")) {
				p.runDir = dir
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("modcomp exited (code %d) before training started; stderr:\n%s", p.cmd.ProcessState.ExitCode(), p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait returns the exit code of the process, failing the test if it does
// not exit within a minute (a hang, not a slow machine).
func (p *process) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(time.Minute):
		p.cmd.Process.Kill()
		<-p.exited
		t.Fatalf("modcomp did not exit after SIGINT; stderr:\n%s", p.stderr.String())
		return -1
	}
}

func TestSignalInterruptsCleanly(t *testing.T) {
	t.Parallel()
	p := longRun(t)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != exitInterrupted {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitInterrupted, p.stderr.String())
	}
	runDir := p.runDir
	b, err := os.ReadFile(filepath.Join(runDir, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st runs.Status
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if st.State != runs.StateInterrupted {
		t.Errorf("status.json state %q, want %q", st.State, runs.StateInterrupted)
	}
	csv, err := os.ReadFile(filepath.Join(runDir, "metrics.csv"))
	if err != nil {
		t.Fatalf("no metrics.csv after an interruption: %v", err)
	}
	if !bytes.HasPrefix(csv, []byte("seed,network,step,status")) {
		t.Errorf("metrics.csv starts %q", csv[:min(len(csv), 40)])
	}
	t.Logf("metrics.csv holds %d rows logged before the interruption", bytes.Count(csv, []byte("\n"))-1)
	for _, name := range []string{"summary.json", "report.md", "config.json"} {
		if _, err := os.Stat(filepath.Join(runDir, name)); err != nil {
			t.Error(err)
		}
	}
	for _, want := range []string{"stopping after the current step", "modcomp: interrupted"} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, p.stderr.String())
		}
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	t.Parallel()
	p := longRun(t)
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// Send the second signal once the first was handled, so that the two
	// are not merged into one by the kernel.
	for !strings.Contains(p.stderr.String(), "interrupt again to exit at once") {
		select {
		case <-p.exited:
			t.Fatalf("exited after one signal before the second was sent (exit %d); stderr:\n%s", p.cmd.ProcessState.ExitCode(), p.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != exitInterrupted {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitInterrupted, p.stderr.String())
	}
	runDir := p.runDir
	// Usually the second signal beats the clean shutdown, which leaves the
	// status "running"; either way the directory is never half a file.
	b, err := os.ReadFile(filepath.Join(runDir, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st runs.Status
	if err := json.Unmarshal(b, &st); err != nil {
		t.Errorf("status.json is not valid JSON after an immediate exit: %v", err)
	}
	t.Logf("status.json after the second signal: %s", st.State)
}

// A flag after the directory is not parsed by urfave/cli; the error says
// how to write the command.
func TestFlagAfterDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	code, _, stderr := modcomp(t, "data", "export", dir, "--n-test", "5")
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	oneLineError(t, stderr, "modcomp data export --n-test 5 "+dir)
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s was written", dir)
	}
}
