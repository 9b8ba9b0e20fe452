package runs

import (
	"fmt"
	"math"
	"sync"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/check"
	"github.com/modcomp/modcomp/internal/rng"
)

// fileSource is the data of a user's files: an NPY dataset directory
// (source_npy.go) or an NPZ archive (source_npz.go). Opening it reads only
// the layout (a manifest, or the arrays' headers and the labels); load
// reads and checks every array once, and the seeds share the dataset. A
// dataset with only a training split is divided per seed (the split key).
type fileSource struct {
	cfg   *Config
	files *dataset.Layout
	read  func() (*dataset.Dataset, error)

	once sync.Once
	base *dataset.Dataset
	err  error
}

func (s *fileSource) modalities() (int, string) {
	return len(s.files.Modalities), "those of " + s.describe()
}

func (s *fileSource) task() dataset.Task { return s.files.Task }
func (s *fileSource) classes() int       { return s.files.Classes }

// split tells whether each seed divides the training split.
func (s *fileSource) split() bool { return s.files.Val == 0 }

func (s *fileSource) validate() error {
	if !s.split() {
		return nil
	}
	split := s.cfg.Split
	if len(split) != 2 {
		return &check.FieldError{Field: "split", Index: -1, Value: split, Want: "two fractions val,test, e.g. 0.15,0.15"}
	}
	// What SplitByRatio would refuse for every seed, refused now.
	n := s.files.Train
	nVal, nTest := splitSizes(n, split)
	if !(split[0] > 0 && split[1] > 0 && split[0]+split[1] < 1) || nVal < 1 || nTest < 1 || n-nVal-nTest < 1 {
		return &check.FieldError{Field: "split", Index: -1, Value: split,
			Want: fmt.Sprintf("two fractions val,test > 0 with val + test < 1 that leave each of val, test and train at least one of the %d samples of %s", n, s.cfg.Data)}
	}
	return nil
}

// splitSizes is how many of n samples SplitByRatio sends to val and test.
func splitSizes(n int, split FloatList) (val, test int) {
	return int(math.Round(split[0] * float64(n))), int(math.Round(split[1] * float64(n)))
}

func (s *fileSource) trainSize() int {
	n := s.files.Train
	if s.split() {
		val, test := splitSizes(n, s.cfg.Split)
		n -= val + test
	}
	return n
}

func (s *fileSource) layout() dataLayout {
	l := s.files
	size := graph.DataSize{Modalities: l.Modalities, Train: l.Train, Val: l.Val, Test: l.Test, Task: l.Task, Classes: l.Classes}
	out := dataLayout{DataSize: size, shared: l.Bytes()}
	if s.split() {
		size.Val, size.Test = splitSizes(l.Train, s.cfg.Split)
		size.Train -= size.Val + size.Test
		out.DataSize, out.perSeed = size, l.Bytes() // each seed's split copies every sample
	}
	return out
}

func (s *fileSource) load() error {
	s.once.Do(func() {
		s.base, s.err = s.read()
	})
	return s.err
}

func (s *fileSource) draw(seed uint64) (*dataset.Dataset, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	if !s.split() {
		return s.base, nil
	}
	ds := *s.base
	if err := ds.SplitByRatio(s.cfg.Split[0], s.cfg.Split[1], rng.New(seed, "dataset/split")); err != nil {
		return nil, fmt.Errorf("data %s: %w", s.cfg.Data, err)
	}
	return &ds, nil
}

// dataKey says which data the source reads: sweep points of equal keys
// share one source.
func (s *fileSource) dataKey() string {
	return fmt.Sprintf("%q %v %s", s.cfg.Data, s.cfg.Split, s.files.Task)
}

func (s *fileSource) moreModalities() string {
	return "give one input array per modality (x0, x1, ... in an archive; one --x per modality to modcomp data import)"
}

func (s *fileSource) describe() string {
	return fmt.Sprintf("data=%s (K=%d)", s.cfg.Data, len(s.files.Modalities))
}
