package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

var fashionSourceKind = sourceKind{
	help: "two views of Fashion-MNIST",
	open: func(c *Config) (source, error) { return &fashionSource{cfg: c}, nil },
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

func (s *fashionSource) modalities() (int, string) { return 2, "the two views of fashion2view" }

func (s *fashionSource) task() dataset.Task { return dataset.Multiclass }
func (s *fashionSource) classes() int       { return 10 }

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
	k, from := s.modalities()
	if err := checkLengths([]perModality{{"view-degradation", c.ViewDeg}, {"view-strength", c.ViewStrength}, {"mu", c.Mu}}, k, from); err != nil {
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

func (s *fashionSource) trainSize() int { return s.cfg.NTrain }

// fashionImages and fashionSide are the images of Fashion-MNIST: 60000
// for training, 10000 for testing, 28 x 28 pixels of a byte.
const fashionImages, fashionSide = 70000, 28

// layout: the images are read once (a byte per pixel); each seed builds its
// two views of them.
func (s *fashionSource) layout() dataLayout {
	c := s.cfg
	side := []int{fashionSide, fashionSide}
	l := dataset.Layout{Task: dataset.Multiclass, Classes: 10, Train: c.NTrain, Val: c.NVal, Test: c.NTest,
		Modalities: []dataset.Modality{{Name: "view0", Shape: side}, {Name: "view1", Shape: side}}}
	n := float64(c.NTrain + c.NVal + c.NTest)
	return dataLayout{DataSize: graph.DataSize{Modalities: l.Modalities, Train: l.Train, Val: l.Val, Test: l.Test, Task: l.Task, Classes: l.Classes},
		shared: fashionImages * (fashionSide*fashionSide + 1), perSeed: l.Bytes() + n*2*9}
}

func (s *fashionSource) load() error {
	s.once.Do(func() {
		s.train, s.test, s.err = dataset.LoadMNISTDir(s.dir())
		if s.err != nil {
			s.err = fmt.Errorf("fashion2view: %w (install Debian's dataset-fashion-mnist, or give the directory of the IDX files with --data)", s.err)
		}
	})
	return s.err
}

func (s *fashionSource) draw(seed uint64) (*dataset.Dataset, error) {
	if err := s.load(); err != nil {
		return nil, err
	}
	return s.twoView().Build(s.train, s.test, seed)
}

func (s *fashionSource) moreModalities() string { return "fashion2view has two views" }

func (s *fashionSource) describe() string {
	c := s.cfg
	return fmt.Sprintf("fashion2view (%s) views=%s strength=%s mu=%s n-train=%d", s.dir(), c.ViewDeg, c.ViewStrength, c.Mu, c.NTrain)
}
