package runs

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modcomp/modcomp/report"
)

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// readStatus decodes status.json of d.
func readStatus(t *testing.T, d *RunDir) Status {
	t.Helper()
	b, err := os.ReadFile(d.Join("status.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Status
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("status.json: %v: %s", err, b)
	}
	return s
}

func TestCreateRunDirName(t *testing.T) {
	t.Parallel()
	// A time in another zone: the name is in UTC.
	now := time.Date(2024, 3, 9, 23, 4, 5, 600, time.FixedZone("UTC-5", -5*3600))
	for _, tc := range []struct{ name, want string }{
		{"tiny", "20240310T040405Z-tiny"},
		{"", "20240310T040405Z"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results", "nested") // created as needed
			d, err := CreateRunDir(out, tc.name, now)
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(out, tc.want); d.Path != want {
				t.Errorf("run directory %s, want %s", d.Path, want)
			}
			if fi, err := os.Stat(d.Path); err != nil || !fi.IsDir() {
				t.Fatalf("run directory not created: %v", err)
			}
			s := readStatus(t, d)
			if s.State != StateRunning || !s.Started.Equal(now) || !s.Finished.IsZero() {
				t.Errorf("status.json = %+v, want running since %v", s, now)
			}
			if got := listDir(t, d.Path); len(got) != 1 || got[0] != "status.json" {
				t.Errorf("a new run directory holds %v, want only status.json", got)
			}
			if d.Join("x.csv") != filepath.Join(d.Path, "x.csv") {
				t.Errorf("Join = %s", d.Join("x.csv"))
			}
		})
	}
}

// TestCreateRunDirNeverReuses checks that runs started in the same second
// get distinct directories and that an existing directory is never written
// into.
func TestCreateRunDirNeverReuses(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	// A directory of the first name already exists, with a file in it.
	existing := filepath.Join(out, "20240102T030405Z-run")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(existing, "status.json")
	if err := os.WriteFile(marker, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{existing: true}
	for i := 0; i < 3; i++ {
		d, err := CreateRunDir(out, "run", now)
		if err != nil {
			t.Fatal(err)
		}
		if seen[d.Path] {
			t.Fatalf("call %d reused %s", i+1, d.Path)
		}
		seen[d.Path] = true
		if !strings.HasPrefix(filepath.Base(d.Path), "20240102T030405Z-run-") {
			t.Errorf("run directory %s, want 20240102T030405Z-run-<n>", d.Path)
		}
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "old" {
		t.Errorf("the existing directory was written into: %q, %v", b, err)
	}
	if got := len(listDir(t, out)); got != 4 {
		t.Errorf("out holds %d directories, want 4", got)
	}
	// A regular file of the name is not reused either.
	file := filepath.Join(out, "20240102T030405Z-f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := CreateRunDir(out, "f", now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Path == file {
		t.Errorf("CreateRunDir returned the regular file %s", file)
	}
}

func TestCreateRunDirOutUnderFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{file, filepath.Join(file, "results")} {
		_, err := CreateRunDir(out, "x", time.Now())
		wantErrContains(t, err, out, "cannot be created", "not a directory")
		t.Logf("%v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "x" {
		t.Errorf("the file was changed: %q", b)
	}
}

func TestCreateRunDirNotWritable(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	if err := os.Chmod(out, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(out, 0o755) })
	// Root (and some file systems) write anyway: then there is nothing to test.
	if f, err := os.CreateTemp(out, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("the directory is writable despite mode 0500 (running as root?)")
	}
	_, err := CreateRunDir(out, "x", time.Now())
	wantErrContains(t, err, out, "cannot be created", "permission denied")
	t.Logf("%v", err)
	if got := listDir(t, out); len(got) != 0 {
		t.Errorf("out holds %v after the failure, want nothing", got)
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	d, err := CreateRunDir(t.TempDir(), "json", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]any{
		"a":   []int{1, 2},
		"nan": report.Num(math.NaN()),
		"inf": report.Num(math.Inf(-1)),
		"x":   report.Num(0.1),
		"s":   "quote \" and <html>",
	}
	if err := d.WriteJSON("v.json", v); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(d.Join("v.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("WriteJSON output does not parse: %v\n%s", err, b)
	}
	if got["nan"] != nil || got["inf"] != nil || got["x"] != 0.1 || got["s"] != v["s"] {
		t.Errorf("read back %v", got)
	}
	// A value JSON cannot hold is an error naming the file, and writes nothing.
	err = d.WriteJSON("bad.json", map[string]any{"f": math.NaN()})
	wantErrContains(t, err, "bad.json")
	if _, serr := os.Stat(d.Join("bad.json")); serr == nil {
		t.Error("bad.json was written")
	}
	for _, name := range listDir(t, d.Path) {
		if strings.Contains(name, ".tmp") {
			t.Errorf("temporary file %s left", name)
		}
	}

	// WriteStatus round-trips, omitting a zero Finished.
	st := Status{State: StateFailed, Started: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Message: "boom"}
	if err := d.WriteStatus(st); err != nil {
		t.Fatal(err)
	}
	if got := readStatus(t, d); got.State != StateFailed || got.Message != "boom" || !got.Finished.IsZero() {
		t.Errorf("status.json = %+v", got)
	}
	raw, _ := os.ReadFile(d.Join("status.json"))
	if strings.Contains(string(raw), "finished") {
		t.Errorf("status.json has a zero finished time: %s", raw)
	}
}
