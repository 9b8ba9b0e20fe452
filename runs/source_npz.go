package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

var npzSourceKind = sourceKind{
	help:    "the NPZ archive in data, from numpy.savez: x0, x1, ... and y, optionally val_* and test_*",
	open:    openNPZ,
	implied: isNPZ,
}

// openNPZ reads the headers of the archive's arrays and its labels, which
// say K, the splits and the task (the task key, or inferred from the
// labels); the inputs are read by load. See dataset.ImportSource for the
// keys an archive holds.
func openNPZ(c *Config) (source, error) {
	if c.Data == "" {
		return nil, &check.FieldError{Field: "data", Index: -1, Value: `""`, Want: "the NPZ archive of dataset npz"}
	}
	src := dataset.ImportSource{NPZ: c.Data}
	l, err := src.Layout(dataset.Task(c.Task))
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return &fileSource{cfg: c, files: l, read: func() (*dataset.Dataset, error) { return src.Load(l.Task) }}, nil
}

// isNPZ tells an archive: a regular file, or a path named .npz.
func isNPZ(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
