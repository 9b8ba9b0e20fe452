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
// distribution, an NPY dataset directory, an NPZ archive, or the two-view
// Fashion-MNIST benchmark. Resolve opens a configuration's source once; the
// source then says how many modalities the data has and what it will look
// like, checks the keys it reads, reads what the seeds share, and draws
// each seed's dataset. One file per source.
type source interface {
	// modalities is the number of modalities K, and what decides it, for
	// messages: "alpha = 1,0.45", "those of data=dir (K=3)".
	modalities() (k int, from string)
	// task is the task of the data, which the loss must fit.
	task() dataset.Task
	// classes is the number of classes of a classification task (2 for
	// binary), 0 for a regression.
	classes() int
	// validate checks the configuration keys the source reads.
	validate() error
	// trainSize is the number of training samples of each seed's dataset,
	// once validate has accepted the keys.
	trainSize() int
	// layout is what each seed's dataset will look like, once validate has
	// accepted the keys, known before a value is read: what the memory
	// estimate needs (memory.go).
	layout() dataLayout
	// load reads and checks, once, what the seeds share (a dataset from
	// files, images), so that a mistake in the data is found before
	// anything is written or trained. draw calls it too. It must be safe
	// for concurrent use.
	load() error
	// draw returns the dataset of seed. It may share data between seeds
	// (read-only) and must be safe for concurrent use.
	draw(seed uint64) (*dataset.Dataset, error)
	// describe names the data in a headline.
	describe() string
	// moreModalities says how to give the data a second modality, for the
	// error about data of one.
	moreModalities() string
}

// dataLayout is a source's data as the memory estimate sees it.
type dataLayout struct {
	// DataSize is each seed's dataset as its networks see it.
	graph.DataSize
	// shared is the bytes the source holds for every seed: what load
	// reads.
	shared float64
	// perSeed is the bytes of each seed's dataset that draw makes anew; 0
	// when every seed shares the data load read.
	perSeed float64
}

// sourceKind is a value of the dataset key.
type sourceKind struct {
	help string
	// open makes the source of c, reading what decides K (an NPY dataset's
	// manifest, an NPZ archive's headers) but not the data.
	open func(c *Config) (source, error)
	// implied, if not nil, tells whether data alone (with the default
	// dataset) means this source: a directory the npy source, an archive
	// the npz source.
	implied func(data string) bool
}

// sources is the registry of the dataset key, one line per source.
var sources = map[string]sourceKind{
	"synthetic":    syntheticSourceKind,
	"npy":          npySourceKind,
	"npz":          npzSourceKind,
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

// taskChoices lists the values of the task key (besides empty: inferred).
func taskChoices() graph.Choices {
	var cs graph.Choices
	tasks := dataset.Tasks()
	for _, t := range slices.Sorted(maps.Keys(tasks)) {
		cs = append(cs, graph.Choice{Name: string(t), Help: tasks[t]})
	}
	return cs
}

// checkTask checks the task key against the data of src: empty, or the
// task of the data (which for an NPZ archive the key decides).
func checkTask(c *Config, src source) error {
	if c.Task == "" || dataset.Task(c.Task) == src.task() {
		return nil
	}
	return &check.FieldError{Field: "task", Index: -1, Value: fmt.Sprintf("%q", c.Task),
		Want: fmt.Sprintf("%s, the task of %s, or empty", src.task(), src.describe())}
}

// source opens the data source of c. data alone, with the default
// dataset, means the source whose kind it implies: npy for a directory,
// npz for an archive.
func (c *Config) source() (source, error) {
	name := c.Dataset
	if name == "synthetic" && c.Data != "" {
		name = "npy"
		for _, n := range slices.Sorted(maps.Keys(sources)) {
			if implied := sources[n].implied; implied != nil && implied(c.Data) {
				name = n
				break
			}
		}
	}
	if c.Task != "" && !slices.Contains(taskChoices().Names(), c.Task) {
		return nil, &check.FieldError{Field: "task", Index: -1, Value: fmt.Sprintf("%q", c.Task), Want: fmt.Sprintf("one of %q, or empty to infer it from the labels", taskChoices().Names())}
	}
	kind, ok := sources[name]
	if !ok {
		return nil, &check.FieldError{Field: "dataset", Index: -1, Value: fmt.Sprintf("%q", c.Dataset), Want: fmt.Sprintf("one of %q", datasetChoices().Names())}
	}
	return kind.open(c)
}
