package runs

import (
	"fmt"
	"reflect"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

var syntheticSourceKind = sourceKind{
	help: "the paper's distribution",
	open: func(c *Config) (source, error) { return newSyntheticSource(c), nil },
}

// syntheticSource draws the paper's distribution (package dataset's
// Synthetic) for every seed. Its per-modality keys are d, patches, alpha,
// beta, mu and sigma-p; the longest list decides K.
type syntheticSource struct {
	cfg  *Config
	k    int
	from string            // the longest list, "alpha = 1,0.45"
	spec dataset.Synthetic // the distribution, once validate has accepted the lists
}

func newSyntheticSource(c *Config) *syntheticSource {
	s := &syntheticSource{cfg: c}
	lists := s.lists()
	longest := lists[0]
	for _, l := range lists[1:] {
		if l.len() > longest.len() {
			longest = l
		}
	}
	s.k, s.from = longest.len(), fmt.Sprintf("%s = %s", longest.key, longest.list)
	return s
}

// lists are the source's per-modality keys.
func (s *syntheticSource) lists() []perModality {
	c := s.cfg
	return []perModality{{"d", c.D}, {"patches", c.Patches}, {"alpha", c.Alpha}, {"beta", c.Beta}, {"mu", c.Mu}, {"sigma-p", c.SigmaP}}
}

func (s *syntheticSource) modalities() (int, string) { return s.k, s.from }

func (s *syntheticSource) task() dataset.Task { return dataset.Binary }
func (s *syntheticSource) classes() int       { return 2 }

// validate checks the lists' lengths, then the distribution they make.
func (s *syntheticSource) validate() error {
	if err := checkLengths(s.lists(), s.k, s.from); err != nil {
		return err
	}
	c := s.cfg
	s.spec = dataset.Synthetic{NTrain: c.NTrain, NVal: c.NVal, NTest: c.NTest}
	for r := 0; r < s.k; r++ {
		s.spec.Modalities = append(s.spec.Modalities, dataset.SyntheticModality{
			Patches: c.Patches.At(r), Dim: c.D.At(r),
			Alpha: c.Alpha.At(r), Beta: c.Beta.At(r), Mu: c.Mu.At(r), SigmaP: c.SigmaP.At(r),
		})
	}
	return s.spec.Validate()
}

func (s *syntheticSource) trainSize() int { return s.cfg.NTrain }

// layout: each seed draws its own dataset, with its sufficiency (a bool per
// sample and modality) and signal patches (an int).
func (s *syntheticSource) layout() dataLayout {
	c := s.cfg
	l := dataset.Layout{Task: dataset.Binary, Classes: 2, Train: c.NTrain, Val: c.NVal, Test: c.NTest}
	for r := 0; r < s.k; r++ {
		l.Modalities = append(l.Modalities, dataset.Modality{Name: fmt.Sprintf("m%d", r), Shape: []int{c.Patches.At(r), c.D.At(r)}})
	}
	n := float64(c.NTrain + c.NVal + c.NTest)
	return dataLayout{DataSize: graph.DataSize{Modalities: l.Modalities, Train: l.Train, Val: l.Val, Test: l.Test, Task: l.Task, Classes: l.Classes},
		perSeed: l.Bytes() + n*float64(s.k)*9}
}

// load: nothing is shared; Generate checks what it draws.
func (s *syntheticSource) load() error { return nil }

func (s *syntheticSource) draw(seed uint64) (*dataset.Dataset, error) { return s.spec.Generate(seed) }

func (s *syntheticSource) moreModalities() string {
	return "give the synthetic lists (d, patches, alpha, beta, mu, sigma-p) one value per modality, e.g. --alpha 1.0,0.4"
}

func (s *syntheticSource) describe() string {
	c := s.cfg
	return fmt.Sprintf("K=%d  d=%s  P=%s  n-train=%d  alpha=%s  mu=%s  sigma-p=%s", s.k, c.D, c.Patches,
		c.NTrain, c.Alpha, c.Mu, c.SigmaP)
}

// perModality is a per-modality list and its key.
type perModality struct {
	key  string
	list fmt.Stringer // a FloatList, IntList or StringList
}

func (l perModality) len() int { return reflect.ValueOf(l.list).Len() }

// checkLengths requires every per-modality list to hold one value, or one
// per modality; from says what decides K.
func checkLengths(lists []perModality, k int, from string) error {
	for _, l := range lists {
		if n := l.len(); n != 1 && n != k {
			return fmt.Errorf("%s = %s has %d values for %d modalities (%s): give one value per modality, or a single value for all", l.key, l.list, n, k, from)
		}
	}
	return nil
}
