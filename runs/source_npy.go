package runs

import (
	"fmt"
	"math"
	"sync"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

var npySourceKind = sourceKind{
	help: "the dataset in data",
	open: openNPY,
}

// npySource reads an NPY dataset directory once and shares it between seeds;
// a dataset with only a training split is divided per seed (split).
type npySource struct {
	cfg      *Config
	manifest *dataset.Manifest

	once sync.Once
	base *dataset.Dataset
	err  error
}

// openNPY reads the manifest of the dataset in data, which says K; the
// arrays are read when the first seed is drawn.
func openNPY(c *Config) (source, error) {
	if c.Data == "" {
		return nil, &check.FieldError{Field: "data", Index: -1, Value: `""`, Want: "the NPY dataset directory of dataset npy"}
	}
	m, err := dataset.ReadManifest(c.Data)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return &npySource{cfg: c, manifest: m}, nil
}

func (s *npySource) modalities() (int, string) {
	return len(s.manifest.Modalities), "those of " + s.describe()
}

func (s *npySource) task() dataset.Task { return s.manifest.Task }

func (s *npySource) validate() error {
	if s.manifest.Splits.Val == nil && len(s.cfg.Split) != 2 {
		return &check.FieldError{Field: "split", Index: -1, Value: s.cfg.Split, Want: "two fractions val,test, e.g. 0.15,0.15"}
	}
	return nil
}

func (s *npySource) trainSize() int {
	n := s.manifest.Splits.Train.N
	if s.manifest.Splits.Val == nil {
		split := s.cfg.Split
		n -= int(math.Round(split[0]*float64(n))) + int(math.Round(split[1]*float64(n)))
	}
	return n
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
	return fmt.Sprintf("data=%s (K=%d)", s.cfg.Data, len(s.manifest.Modalities))
}
