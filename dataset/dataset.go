package dataset

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Task says what the labels of a dataset mean.
type Task string

// The tasks modcomp trains for.
const (
	Binary     Task = "binary"     // labels are -1 or +1 (the paper's task)
	Multiclass Task = "multiclass" // labels are class indices 0..Classes-1
	Regression Task = "regression" // labels are real numbers
)

// Tasks lists every task with what its labels are, for help texts.
func Tasks() map[Task]string {
	return map[Task]string{Binary: "labels -1 or +1", Multiclass: "labels 0..C-1", Regression: "real labels"}
}

// Modality describes one input modality shared by every split.
type Modality struct {
	Name string
	// Shape is the shape of one sample's input, e.g. [P, d] for P patches of
	// dimension d.
	Shape []int
	// Feature is the unit vector v_r that carries the label, in R^d; nil when
	// the data has no known feature (e.g. real data).
	Feature []float64
}

// IsPatches reports whether the samples are P patches of dimension d around
// a known feature v_r in R^d: shape (P, d) and a feature of length d, as the
// paper's data are.
func (m Modality) IsPatches() bool {
	return len(m.Shape) == 2 && m.Feature != nil && len(m.Feature) == m.Shape[1]
}

// Size is the number of values in one sample of the modality.
func (m Modality) Size() int {
	n := 1
	for _, s := range m.Shape {
		n *= s
	}
	return n
}

// Split is a set of samples: train, validation or test.
type Split struct {
	// Inputs holds one array per modality, row-major with shape (n, Shape...).
	Inputs [][]float64
	// Labels holds one label per sample, as the Task defines.
	Labels []float64
	// Sufficient[r][i] tells whether modality r of sample i carried its
	// strong signal (z_r = alpha_r). Nil when unknown.
	Sufficient [][]bool
	// SignalPatch[r][i] is the index of the patch of modality r that carries
	// the signal in sample i. Nil when unknown.
	SignalPatch [][]int
}

// Len is the number of samples; 0 for a nil split, so that code sizing the
// splits of a training-only dataset (see SplitByRatio) need not check first.
func (s *Split) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Labels)
}

// Group returns, for sample i, the pattern of sufficient modalities as a
// string of 0s and 1s, one per modality ("10": modality 0 sufficient,
// modality 1 not). It returns "" when sufficiency is unknown.
func (s *Split) Group(i int) string {
	if s.Sufficient == nil {
		return ""
	}
	b := make([]byte, len(s.Sufficient))
	for r, suff := range s.Sufficient {
		b[r] = '0'
		if suff[i] {
			b[r] = '1'
		}
	}
	return string(b)
}

// Dataset is a multi-modal dataset with train, validation and test splits.
type Dataset struct {
	Task Task
	// Classes is the number of classes: 2 for Binary, C for Multiclass, 0 for
	// Regression.
	Classes    int
	Modalities []Modality
	Train      *Split
	Val        *Split
	Test       *Split
}

// Splits returns the splits the dataset has with their names, in the order
// train, val, test. A training-only dataset (before SplitByRatio) has just
// train: listing absent splits as nil would make every loop over them check.
func (d *Dataset) Splits() []NamedSplit {
	var out []NamedSplit
	for _, ns := range []NamedSplit{{"train", d.Train}, {"val", d.Val}, {"test", d.Test}} {
		if ns.Split != nil {
			out = append(out, ns)
		}
	}
	return out
}

// NamedSplit pairs a split with its name.
type NamedSplit struct {
	Name  string
	Split *Split
}

// Groups lists every sufficiency pattern of the dataset's modalities
// ("11", "10", "01", "00" for two), or nil when sufficiency is unknown.
func (d *Dataset) Groups() []string {
	if d.Train == nil || d.Train.Sufficient == nil {
		return nil
	}
	k := len(d.Modalities)
	groups := make([]string, 0, 1<<k)
	for mask := (1 << k) - 1; mask >= 0; mask-- {
		b := make([]byte, k)
		for r := 0; r < k; r++ {
			b[r] = '0'
			if mask&(1<<(k-1-r)) != 0 {
				b[r] = '1'
			}
		}
		groups = append(groups, string(b))
	}
	return groups
}

// Validate checks that the dataset is consistent: every split has one input
// per modality of the right size, labels valid for the task, finite values,
// and features of the right dimension. Errors name the split and modality.
func (d *Dataset) Validate() error {
	if len(d.Modalities) == 0 {
		return errors.New("dataset has no modalities")
	}
	switch d.Task {
	case Binary:
		if d.Classes != 2 {
			return fmt.Errorf("binary task with %d classes, want 2", d.Classes)
		}
	case Multiclass:
		if d.Classes < 2 {
			return fmt.Errorf("multiclass task with %d classes, want at least 2", d.Classes)
		}
	case Regression:
	default:
		return fmt.Errorf("unknown task %q, want %q, %q or %q", d.Task, Binary, Multiclass, Regression)
	}
	for r, m := range d.Modalities {
		if len(m.Shape) == 0 {
			return fmt.Errorf("modality %d (%s): empty sample shape", r, m.Name)
		}
		for _, s := range m.Shape {
			if s < 1 {
				return fmt.Errorf("modality %d (%s): sample shape %v has a non-positive size", r, m.Name, m.Shape)
			}
		}
		if m.Feature != nil {
			if dim := m.Shape[len(m.Shape)-1]; len(m.Feature) != dim {
				return fmt.Errorf("modality %d (%s): feature has %d values, want the last dimension %d", r, m.Name, len(m.Feature), dim)
			}
		}
	}
	if d.Train == nil {
		return errors.New("split train is missing")
	}
	if (d.Val == nil) != (d.Test == nil) {
		return errors.New("give both the val and the test split, or neither (and divide train with SplitByRatio)")
	}
	for _, ns := range d.Splits() {
		if err := d.validateSplit(ns.Split); err != nil {
			return fmt.Errorf("split %s: %w", ns.Name, err)
		}
	}
	// Group accuracies and memorisation compare splits: what one split knows
	// about its samples, every split must know.
	for _, ns := range d.Splits()[1:] {
		if (ns.Split.Sufficient == nil) != (d.Train.Sufficient == nil) {
			return fmt.Errorf("split %s: sufficiency is given for some splits but not for others", ns.Name)
		}
		if (ns.Split.SignalPatch == nil) != (d.Train.SignalPatch == nil) {
			return fmt.Errorf("split %s: signal patches are given for some splits but not for others", ns.Name)
		}
	}
	return nil
}

func (d *Dataset) validateSplit(s *Split) error {
	n := s.Len()
	if n == 0 {
		return errors.New("no samples")
	}
	if len(s.Inputs) != len(d.Modalities) {
		return fmt.Errorf("%d input arrays for %d modalities", len(s.Inputs), len(d.Modalities))
	}
	for r, x := range s.Inputs {
		if want := n * d.Modalities[r].Size(); len(x) != want {
			return fmt.Errorf("modality %d: %d values, want %d samples x %v = %d", r, len(x), n, d.Modalities[r].Shape, want)
		}
		if err := checkFinite(x, d.Modalities[r].Shape); err != nil {
			return fmt.Errorf("modality %d: %w", r, err)
		}
	}
	for i, y := range s.Labels {
		switch {
		case d.Task == Binary && y != 1 && y != -1:
			return fmt.Errorf("label %d is %v, want -1 or +1 for a binary task", i, y)
		case d.Task == Multiclass && (y != math.Trunc(y) || y < 0 || y >= float64(d.Classes)):
			return fmt.Errorf("label %d is %v, want a class index in 0..%d", i, y, d.Classes-1)
		case math.IsNaN(y) || math.IsInf(y, 0):
			return fmt.Errorf("label %d is %v, want a finite number", i, y)
		}
	}
	if s.Sufficient != nil {
		if len(s.Sufficient) != len(d.Modalities) {
			return fmt.Errorf("sufficiency given for %d modalities, want %d", len(s.Sufficient), len(d.Modalities))
		}
		for r, suff := range s.Sufficient {
			if len(suff) != n {
				return fmt.Errorf("modality %d: sufficiency given for %d samples, want %d", r, len(suff), n)
			}
		}
	}
	if s.SignalPatch != nil {
		if len(s.SignalPatch) != len(d.Modalities) {
			return fmt.Errorf("signal patches given for %d modalities, want %d", len(s.SignalPatch), len(d.Modalities))
		}
		for r, pos := range s.SignalPatch {
			if len(pos) != n {
				return fmt.Errorf("modality %d: signal patches given for %d samples, want %d", r, len(pos), n)
			}
			patches := d.Modalities[r].Shape[0]
			for i, p := range pos {
				if p < 0 || p >= patches {
					return fmt.Errorf("modality %d: signal patch of sample %d is %d, want 0..%d", r, i, p, patches-1)
				}
			}
		}
	}
	return nil
}

// checkFinite finds the first NaN or infinity in x, samples of shape sample
// in a row, and says where it is in terms a numpy user can index with:
// x[17][3, 41] is "sample 17, value [3, 41]".
func checkFinite(x []float64, sample []int) error {
	size := 1
	for _, s := range sample {
		size *= s
	}
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sample %d, value %s is %v, want a finite number", j/size, formatIndex(j%size, sample, false), v)
		}
	}
	return nil
}

// SplitByRatio divides a dataset that has only a training split into
// training, validation and test splits: a random permutation drawn from src
// sends a fraction val of the samples to Val, test to Test and the rest to
// Train.
func (d *Dataset) SplitByRatio(val, test float64, src *rand.Rand) error {
	if d.Val != nil || d.Test != nil {
		return errors.New("the dataset is split already")
	}
	if !(val > 0 && test > 0 && val+test < 1) {
		return fmt.Errorf("split fractions val = %v and test = %v: want both > 0 with val + test < 1", val, test)
	}
	all := d.Train
	n := all.Len()
	nVal, nTest := int(math.Round(val*float64(n))), int(math.Round(test*float64(n)))
	if nVal < 1 || nTest < 1 || n-nVal-nTest < 1 {
		return fmt.Errorf("%d samples cannot be split into %v / %v / rest with at least one sample each", n, val, test)
	}
	perm := src.Perm(n)
	d.Val = all.subset(d, perm[:nVal])
	d.Test = all.subset(d, perm[nVal:nVal+nTest])
	d.Train = all.subset(d, perm[nVal+nTest:])
	return nil
}

// subset returns the samples idx of s, in that order.
func (s *Split) subset(d *Dataset, idx []int) *Split {
	out := &Split{Labels: pick(s.Labels, idx, 1)}
	for r, x := range s.Inputs {
		out.Inputs = append(out.Inputs, pick(x, idx, d.Modalities[r].Size()))
	}
	for _, suff := range s.Sufficient {
		out.Sufficient = append(out.Sufficient, pick(suff, idx, 1))
	}
	for _, pos := range s.SignalPatch {
		out.SignalPatch = append(out.SignalPatch, pick(pos, idx, 1))
	}
	return out
}

// pick returns the rows idx of xs, rows of size values each, in that order.
func pick[T any](xs []T, idx []int, size int) []T {
	out := make([]T, len(idx)*size)
	for k, i := range idx {
		copy(out[k*size:(k+1)*size], xs[i*size:(i+1)*size])
	}
	return out
}
