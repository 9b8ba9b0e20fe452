package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listDir lists the names in dir.
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

// tempFiles lists the temporary files Write may leave in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var tmp []string
	for _, n := range listDir(t, dir) {
		if strings.Contains(n, ".tmp") {
			tmp = append(tmp, n)
		}
	}
	return tmp
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	for _, content := range []string{"first", "second, longer than the first", ""} {
		if err := WriteFile(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != content {
			t.Errorf("read %q, %v; want %q", b, err, content)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644", fi.Mode().Perm())
		}
		if tmp := tempFiles(t, dir); len(tmp) > 0 {
			t.Errorf("temporary files left: %v", tmp)
		}
	}
	if got := listDir(t, dir); len(got) != 1 {
		t.Errorf("dir holds %v, want only a.txt", got)
	}
	// A missing parent is created.
	nested := filepath.Join(dir, "sub", "b.txt")
	if err := WriteFile(nested, []byte("b")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(nested); string(b) != "b" {
		t.Errorf("nested file holds %q", b)
	}
}

// TestWriteFailureKeepsOldFile checks that a failure, of the writer or of
// the final rename, names the path, keeps what was there and leaves no
// temporary file.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, path string) // what is at path before
		write func(io.Writer) error
		check func(t *testing.T, path string) // that it is still there
	}{
		{
			name: "the writer fails",
			setup: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			write: func(w io.Writer) error {
				w.Write([]byte("half"))
				return errors.New("disk on fire")
			},
			check: func(t *testing.T, path string) {
				if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
					t.Errorf("after the failure path holds %q, %v; want the old content", b, err)
				}
			},
		},
		{
			name: "the rename fails",
			setup: func(t *testing.T, path string) {
				if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			write: func(w io.Writer) error { _, err := w.Write([]byte("data")); return err },
			check: func(t *testing.T, path string) {
				if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
					t.Errorf("the directory in the way was replaced: %v", err)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "taken")
			c.setup(t, path)
			err := Write(path, c.write)
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Write = %v, want an error naming %s", err, path)
			}
			c.check(t, path)
			if tmp := tempFiles(t, dir); len(tmp) > 0 {
				t.Errorf("temporary files left after a failed write: %v", tmp)
			}
		})
	}
}
