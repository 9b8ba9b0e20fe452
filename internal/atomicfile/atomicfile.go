// Package atomicfile writes files that a reader sees whole or not at all:
// the content goes to a temporary file beside the target, is synced, and
// the temporary file is renamed over the target. A crash or a failed write
// leaves the old file (or none) and no temporary file.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what write writes, creating path's
// directory if needed. The file is readable by everyone (0644): results and
// datasets are for sharing.
func Write(path string, write func(io.Writer) error) error {
	if err := writeTemp(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteFile is Write of data.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeTemp(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The leading dot hides the temporary file from a reader listing the
	// directory; a unique name lets two writers in one directory coexist.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	err = f.Chmod(0o644) // CreateTemp makes files private
	if err == nil {
		err = write(f)
	}
	if err == nil {
		// Synced before the rename, so that a crash cannot leave a renamed
		// but empty file.
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
