package runs

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// source is where a configuration's data comes from: the paper's synthetic
// distribution, an NPY dataset, or the two-view Fashion-MNIST benchmark.
type source interface {
	// modalities is the number of modalities K, or an error saying why the
	// data cannot be read.
	modalities() (int, error)
	// validate checks the configuration keys the source reads.
	validate() error
	// trainSize is the number of training samples.
	trainSize() (int, error)
	// draw returns the dataset of seed. It may share data between seeds
	// (read-only) and must be safe for concurrent use.
	draw(seed uint64) (*dataset.Dataset, error)
	// describe names the data in a headline.
	describe() string
}

// sources is the registry of the dataset key.
var sources = map[string]func(c *Config) source{
	"synthetic":    func(c *Config) source { return syntheticSource{c} },
	"npy":          func(c *Config) source { return &npySource{cfg: c} },
	"fashion2view": func(c *Config) source { return &fashionSource{cfg: c} },
}

// source returns the data source of c; data alone (with the default
// dataset) means an NPY dataset.
func (c *Config) source() (source, error) {
	name := c.Dataset
	if name == "synthetic" && c.Data != "" {
		name = "npy"
	}
	newSource, ok := sources[name]
	if !ok {
		return nil, &check.FieldError{Field: "dataset", Index: -1, Value: fmt.Sprintf("%q", c.Dataset), Want: fmt.Sprintf("one of %q", slices.Sorted(maps.Keys(sources)))}
	}
	return newSource(c), nil
}

// syntheticSource draws the paper's distribution (package dataset's
// Synthetic) for every seed.
type syntheticSource struct{ cfg *Config }

func (s syntheticSource) modalities() (int, error) {
	c := s.cfg
	k := 0
	for _, l := range []int{len(c.D), len(c.Patches), len(c.Alpha), len(c.Beta), len(c.Mu), len(c.SigmaP)} {
		k = max(k, l)
	}
	return k, nil
}

func (s syntheticSource) validate() error {
	c := s.cfg
	k, _ := s.modalities()
	err := checkLengths([]perModality{{"d", c.D}, {"patches", c.Patches}, {"alpha", c.Alpha},
		{"beta", c.Beta}, {"mu", c.Mu}, {"sigma-p", c.SigmaP}}, k, c.longestList())
	if err != nil {
		return err
	}
	return c.Synthetic().Validate()
}

func (s syntheticSource) trainSize() (int, error) { return s.cfg.NTrain, nil }

func (s syntheticSource) draw(seed uint64) (*dataset.Dataset, error) {
	return s.cfg.Synthetic().Generate(seed)
}

func (s syntheticSource) describe() string {
	c := s.cfg
	return fmt.Sprintf("K=%d  d=%s  P=%s  n-train=%d  alpha=%s  mu=%s  sigma-p=%s", c.K(), c.D, c.Patches,
		c.NTrain, c.Alpha, c.Mu, c.SigmaP)
}

// npySource reads an NPY dataset directory once and shares it between seeds;
// a dataset with only a training split is divided per seed.
type npySource struct {
	cfg  *Config
	once sync.Once
	base *dataset.Dataset
	err  error
}

func (s *npySource) modalities() (int, error) {
	m, err := dataset.ReadManifest(s.cfg.Data)
	if err != nil {
		return 0, fmt.Errorf("data: %w", err)
	}
	return len(m.Modalities), nil
}

func (s *npySource) validate() error {
	if s.cfg.Data == "" {
		return &check.FieldError{Field: "data", Index: -1, Value: `""`, Want: "the NPY dataset directory of dataset npy"}
	}
	_, err := s.trainSize()
	return err
}

func (s *npySource) trainSize() (int, error) {
	m, err := dataset.ReadManifest(s.cfg.Data)
	if err != nil {
		return 0, fmt.Errorf("data: %w", err)
	}
	n := m.Splits.Train.N
	if m.Splits.Val == nil {
		split := s.cfg.Split
		if len(split) != 2 {
			return 0, &check.FieldError{Field: "split", Index: -1, Value: split, Want: "two fractions val,test, e.g. 0.15,0.15"}
		}
		n -= int(math.Round(split[0]*float64(n))) + int(math.Round(split[1]*float64(n)))
	}
	return n, nil
}

func (s *npySource) draw(seed uint64) (*dataset.Dataset, error) {
	s.once.Do(func() { s.base, s.err = dataset.Load(s.cfg.Data) })
	if s.err != nil {
		return nil, s.err
	}
	if s.base.Val != nil {
		return s.base, nil
	}
	ds := *s.base
	if err := ds.SplitByRatio(s.cfg.Split[0], s.cfg.Split[1], rng.New(seed, "dataset/split")); err != nil {
		return nil, fmt.Errorf("data %s: %w", s.cfg.Data, err)
	}
	return &ds, nil
}

func (s *npySource) describe() string {
	k, _ := s.modalities()
	return fmt.Sprintf("data=%s (K=%d)", s.cfg.Data, k)
}

// defaultFashionDir is where Debian's dataset-fashion-mnist installs the
// IDX files.
const defaultFashionDir = "/usr/share/datasets/fashion-mnist"

// fashionSource builds the two-view Fashion-MNIST benchmark: modality 0 is
// an image under one degradation, modality 1 a different image of the same
// class under another. The images are read once and shared by the seeds.
type fashionSource struct {
	cfg         *Config
	once        sync.Once
	train, test *dataset.Images
	err         error
}

func (s *fashionSource) dir() string {
	if s.cfg.Data != "" {
		return s.cfg.Data
	}
	return defaultFashionDir
}

func (s *fashionSource) modalities() (int, error) { return 2, nil }

func (s *fashionSource) twoView() dataset.TwoView {
	c := s.cfg
	t := dataset.TwoView{NTrain: c.NTrain, NVal: c.NVal, NTest: c.NTest}
	for r := range t.Views {
		t.Views[r] = dataset.View{Degradation: c.ViewDeg.At(r), Strength: c.ViewStrength.At(r), Mu: c.Mu.At(r)}
	}
	return t
}

func (s *fashionSource) validate() error {
	c := s.cfg
	if err := checkLengths([]perModality{{"view-degradation", c.ViewDeg}, {"view-strength", c.ViewStrength}, {"mu", c.Mu}}, 2,
		"the two views of fashion2view"); err != nil {
		return err
	}
	if err := s.twoView().Validate(); err != nil {
		return err
	}
	// Find a missing download now rather than when the first network starts.
	for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		path := filepath.Join(s.dir(), name)
		if !exists(path) && !exists(path+".gz") {
			return fmt.Errorf("fashion2view: %s(.gz) not found in %s: install Debian's dataset-fashion-mnist, or give the directory of the IDX files with --data", name, s.dir())
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (s *fashionSource) trainSize() (int, error) { return s.cfg.NTrain, nil }

func (s *fashionSource) draw(seed uint64) (*dataset.Dataset, error) {
	s.once.Do(func() {
		s.train, s.test, s.err = dataset.LoadMNISTDir(s.dir())
		if s.err != nil {
			s.err = fmt.Errorf("fashion2view: %w (install Debian's dataset-fashion-mnist, or give the directory of the IDX files with --data)", s.err)
		}
	})
	if s.err != nil {
		return nil, s.err
	}
	return s.twoView().Build(s.train, s.test, seed)
}

func (s *fashionSource) describe() string {
	c := s.cfg
	return fmt.Sprintf("fashion2view (%s) views=%s strength=%s mu=%s n-train=%d", s.dir(), c.ViewDeg, c.ViewStrength, c.Mu, c.NTrain)
}
