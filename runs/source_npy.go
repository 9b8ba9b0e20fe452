package runs

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

var npySourceKind = sourceKind{
	help:    "the dataset directory in data: NPY files and manifest.json",
	open:    openNPY,
	implied: isDir,
}

// openNPY reads the manifest of the dataset directory in data, which says K
// and the splits; the arrays are read by load.
func openNPY(c *Config) (source, error) {
	if c.Data == "" {
		return nil, &check.FieldError{Field: "data", Index: -1, Value: `""`, Want: "the NPY dataset directory of dataset npy"}
	}
	m, err := dataset.ReadManifest(c.Data)
	if err != nil {
		if !isDir(c.Data) && exists(c.Data) {
			return nil, fmt.Errorf("data: %s is a file, not a dataset directory: give an NPZ archive with dataset npz (or data alone), or import NPY files with 'modcomp data import'", c.Data)
		}
		if st, serr := ReadStatus(filepath.Join(c.Data, "status.json")); serr == nil {
			return nil, fmt.Errorf("data: %s is a run directory of modcomp (%s), not a dataset directory: its configuration is in config.json", c.Data, describe(thisHost(), st))
		}
		return nil, fmt.Errorf("data: %w", err)
	}
	return &fileSource{cfg: c, files: m.Layout(), read: func() (*dataset.Dataset, error) { return dataset.Load(c.Data) }}, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
