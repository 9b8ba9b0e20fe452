package runs

import (
	"fmt"
	"maps"
	"slices"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/check"
)

// source is where a configuration's data comes from: the paper's synthetic
// distribution, an NPY dataset, or the two-view Fashion-MNIST benchmark.
// Resolve opens a configuration's source once; the source then says how
// many modalities the data has, checks the keys it reads, and draws each
// seed's dataset. One file per source.
type source interface {
	// modalities is the number of modalities K, and what decides it, for
	// messages: "alpha = 1,0.45", "those of data=dir (K=3)".
	modalities() (k int, from string)
	// task is the task of the data, which the loss must fit.
	task() dataset.Task
	// validate checks the configuration keys the source reads.
	validate() error
	// trainSize is the number of training samples of each seed's dataset,
	// once validate has accepted the keys.
	trainSize() int
	// draw returns the dataset of seed. It may share data between seeds
	// (read-only) and must be safe for concurrent use.
	draw(seed uint64) (*dataset.Dataset, error)
	// describe names the data in a headline.
	describe() string
}

// sourceKind is a value of the dataset key.
type sourceKind struct {
	help string
	// open makes the source of c, reading what decides K (an NPY dataset's
	// manifest) but not the data.
	open func(c *Config) (source, error)
}

// sources is the registry of the dataset key, one line per source.
var sources = map[string]sourceKind{
	"synthetic":    syntheticSourceKind,
	"npy":          npySourceKind,
	"fashion2view": fashionSourceKind,
}

// datasetChoices lists the values of the dataset key.
func datasetChoices() graph.Choices {
	var cs graph.Choices
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		cs = append(cs, graph.Choice{Name: name, Help: sources[name].help})
	}
	return cs
}

// source opens the data source of c; data alone (with the default dataset)
// means an NPY dataset.
func (c *Config) source() (source, error) {
	name := c.Dataset
	if name == "synthetic" && c.Data != "" {
		name = "npy"
	}
	kind, ok := sources[name]
	if !ok {
		return nil, &check.FieldError{Field: "dataset", Index: -1, Value: fmt.Sprintf("%q", c.Dataset), Want: fmt.Sprintf("one of %q", datasetChoices().Names())}
	}
	return kind.open(c)
}
