package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/modcomp/modcomp/internal/atomicfile"
)

// ManifestFile is the name of the manifest inside a dataset directory.
const ManifestFile = "manifest.json"

// ManifestFormat and ManifestVersion identify the layout Save writes and Load
// reads; Load refuses anything else rather than guess.
const (
	ManifestFormat  = "modcomp-dataset"
	ManifestVersion = 1
)

// Manifest is the JSON file (manifest.json) that describes a dataset
// directory. File names in it are relative to the directory.
type Manifest struct {
	// Format is always "modcomp-dataset", so that a stray manifest.json of
	// another tool is not mistaken for a dataset.
	Format string `json:"format"`
	// Version is the layout version, 1; a later layout bumps it.
	Version int `json:"version"`
	// Task is "binary" (labels -1/+1), "multiclass" (labels 0..classes-1) or
	// "regression" (real labels).
	Task Task `json:"task"`
	// Classes is 2 for binary, the number of classes for multiclass, and 0
	// for regression.
	Classes int `json:"classes"`
	// Modalities lists the modalities in order; modality r is the r-th input
	// file of every split.
	Modalities []ManifestModality `json:"modalities"`
	// Splits names the files of the train, validation and test splits.
	Splits ManifestSplits `json:"splits"`
	// Source is free-form provenance, e.g. the generator configuration and
	// seed; Load does not interpret it. Absent when Save was given nil.
	Source json.RawMessage `json:"source,omitempty"`
}

// ManifestModality describes one modality.
type ManifestModality struct {
	// Name is a label for people, e.g. "m0" or "audio".
	Name string `json:"name"`
	// Shape is the shape of one sample's input, e.g. [P, d].
	Shape []int `json:"shape"`
	// Feature names a float (d,) NPY file holding the modality's feature
	// vector v_r, d being the last entry of Shape; empty when the data has no
	// known feature.
	Feature string `json:"feature,omitempty"`
}

// ManifestSplits holds the three splits; all are required.
type ManifestSplits struct {
	// Train is the training split.
	Train *ManifestSplit `json:"train"`
	// Val is the validation split, used for model selection.
	Val *ManifestSplit `json:"val"`
	// Test is the held-out test split.
	Test *ManifestSplit `json:"test"`
}

// ManifestSplit names the files of one split.
type ManifestSplit struct {
	// N is the number of samples, the first axis of every file below; it
	// lets a reader check the files against each other and size a split
	// without opening them.
	N int `json:"n"`
	// Inputs names one NPY file per modality, in the order of Modalities,
	// each of shape (N, modality shape...) and a float or integer dtype.
	Inputs []string `json:"inputs"`
	// Labels names an (N,) NPY file: integers for binary (-1/+1) and
	// multiclass tasks, floats for regression.
	Labels string `json:"labels"`
	// Sufficient names an optional bool (N, K) NPY file: whether modality r
	// of sample i carried its strong signal. Empty when unknown.
	Sufficient string `json:"sufficient,omitempty"`
	// SignalPatch names an optional integer (N, K) NPY file: the index of
	// the patch of modality r that carries the signal in sample i. Empty
	// when unknown.
	SignalPatch string `json:"signal_patch,omitempty"`
}

// splits pairs each split of the manifest with its name, in file order.
func (s *ManifestSplits) splits() []struct {
	name  string
	split *ManifestSplit
} {
	return []struct {
		name  string
		split *ManifestSplit
	}{{"train", s.Train}, {"val", s.Val}, {"test", s.Test}}
}

// Save writes ds to dir as NPY files that numpy loads with np.load, plus
// manifest.json. source is stored in the manifest as provenance (it must
// marshal to JSON) and may be nil.
//
// dir is created if needed and must otherwise be empty, so that Save never
// mixes two datasets. Each file is written atomically and manifest.json
// comes last: a directory without it is an interrupted Save.
func Save(dir string, ds *Dataset, source any) error {
	if err := save(dir, ds, source); err != nil {
		return fmt.Errorf("dataset %q: %w", dir, err)
	}
	return nil
}

func save(dir string, ds *Dataset, source any) error {
	if ds == nil {
		return errors.New("nil dataset")
	}
	if err := ds.Validate(); err != nil {
		return fmt.Errorf("refusing to save an invalid dataset: %w", err)
	}
	m := Manifest{
		Format:  ManifestFormat,
		Version: ManifestVersion,
		Task:    ds.Task,
		Classes: ds.Classes,
	}
	if source != nil {
		raw, err := json.Marshal(source)
		if err != nil {
			return fmt.Errorf("source: %w", err)
		}
		m.Source = raw
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := checkEmptyDir(dir); err != nil {
		return err
	}
	write := func(name string, a *Array) error {
		return WriteNPYFile(filepath.Join(dir, name), a)
	}
	k := len(ds.Modalities)
	for r, mod := range ds.Modalities {
		mm := ManifestModality{Name: mod.Name, Shape: slices.Clone(mod.Shape)}
		if mod.Feature != nil {
			mm.Feature = fmt.Sprintf("feature_m%d.npy", r)
			if err := write(mm.Feature, &Array{Shape: []int{len(mod.Feature)}, DType: "<f8", Data: mod.Feature}); err != nil {
				return err
			}
		}
		m.Modalities = append(m.Modalities, mm)
	}
	labelDType := "<i8"
	if ds.Task == Regression {
		labelDType = "<f8"
	}
	splits := map[string]*ManifestSplit{}
	for _, ns := range ds.Splits() {
		s, n := ns.Split, ns.Split.Len()
		ms := &ManifestSplit{N: n, Labels: ns.Name + "_y.npy"}
		for r, x := range s.Inputs {
			name := fmt.Sprintf("%s_x%d.npy", ns.Name, r)
			shape := append([]int{n}, ds.Modalities[r].Shape...)
			if err := write(name, &Array{Shape: shape, DType: "<f8", Data: x}); err != nil {
				return err
			}
			ms.Inputs = append(ms.Inputs, name)
		}
		if err := write(ms.Labels, &Array{Shape: []int{n}, DType: labelDType, Data: s.Labels}); err != nil {
			return err
		}
		if s.Sufficient != nil {
			ms.Sufficient = ns.Name + "_sufficient.npy"
			data := make([]float64, n*k)
			for r, suff := range s.Sufficient {
				for i, b := range suff {
					if b {
						data[i*k+r] = 1
					}
				}
			}
			if err := write(ms.Sufficient, &Array{Shape: []int{n, k}, DType: "|b1", Data: data}); err != nil {
				return err
			}
		}
		if s.SignalPatch != nil {
			ms.SignalPatch = ns.Name + "_signal_patch.npy"
			data := make([]float64, n*k)
			for r, pos := range s.SignalPatch {
				for i, p := range pos {
					data[i*k+r] = float64(p)
				}
			}
			if err := write(ms.SignalPatch, &Array{Shape: []int{n, k}, DType: "<i8", Data: data}); err != nil {
				return err
			}
		}
		splits[ns.Name] = ms
	}
	m.Splits = ManifestSplits{Train: splits["train"], Val: splits["val"], Test: splits["test"]}
	b, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return atomicfile.WriteFile(filepath.Join(dir, ManifestFile), b)
}

// checkEmptyDir refuses a directory that holds anything, so that a dataset
// is never mixed with another; a directory that does not exist is fine.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("directory is not empty (holds %s); a dataset is written only into a new or empty directory", entries[0].Name())
	}
	return nil
}

// ReadManifest reads and checks dir/manifest.json without reading the
// arrays, e.g. to recover the source a dataset was generated from.
func ReadManifest(dir string) (*Manifest, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", dir, err)
	}
	return m, nil
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(dir); derr != nil {
			return nil, derr
		}
		return nil, fmt.Errorf("%s is missing: not a dataset directory, or Save did not finish", ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	// A misspelt key ("label" for "labels") would otherwise be ignored and
	// turn into a confusing missing-file error, or silently drop a file.
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, jsonError(b, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: unexpected data after the JSON object", ManifestFile)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return &m, nil
}

// jsonError adds the line number to a syntax error, which encoding/json
// reports only as a byte offset.
func jsonError(b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
		return fmt.Errorf("invalid JSON on line %d: %w", line, err)
	}
	return err
}

// check verifies what Load needs before it opens any array: the format,
// the modality shapes the arrays are checked against, and file names that
// stay inside the directory.
func (m *Manifest) check() error {
	if m.Format != ManifestFormat {
		return fmt.Errorf("format is %q, want %q", m.Format, ManifestFormat)
	}
	if m.Version != ManifestVersion {
		return fmt.Errorf("unsupported version %d; this build reads version %d", m.Version, ManifestVersion)
	}
	switch m.Task {
	case Binary:
		if m.Classes != 2 {
			return fmt.Errorf("classes is %d, want 2 for a binary task", m.Classes)
		}
	case Multiclass:
		if m.Classes < 2 {
			return fmt.Errorf("classes is %d, want at least 2 for a multiclass task", m.Classes)
		}
	case Regression:
	default:
		return fmt.Errorf("task is %q, want %q, %q or %q", m.Task, Binary, Multiclass, Regression)
	}
	if len(m.Modalities) == 0 {
		return errors.New("modalities: none listed")
	}
	for r, mod := range m.Modalities {
		if len(mod.Shape) == 0 {
			return fmt.Errorf("modalities[%d].shape is empty, want the shape of one sample, e.g. [patches, d]", r)
		}
		for _, s := range mod.Shape {
			if s < 1 {
				return fmt.Errorf("modalities[%d].shape %v has a non-positive size", r, mod.Shape)
			}
		}
		if err := checkFileName(fmt.Sprintf("modalities[%d].feature", r), mod.Feature, true); err != nil {
			return err
		}
	}
	if m.Splits.Train == nil {
		return errors.New("splits.train is missing")
	}
	if (m.Splits.Val == nil) != (m.Splits.Test == nil) {
		return errors.New("splits: give both val and test, or neither (then the training split is divided by ratio, see Dataset.SplitByRatio)")
	}
	for _, ns := range m.Splits.splits() {
		field := "splits." + ns.name
		s := ns.split
		if s == nil {
			continue
		}
		if s.N < 1 {
			return fmt.Errorf("%s.n is %d, want the number of samples (at least 1)", field, s.N)
		}
		if len(s.Inputs) != len(m.Modalities) {
			return fmt.Errorf("%s.inputs lists %d files for %d modalities", field, len(s.Inputs), len(m.Modalities))
		}
		for r, name := range s.Inputs {
			if err := checkFileName(fmt.Sprintf("%s.inputs[%d]", field, r), name, false); err != nil {
				return err
			}
		}
		if err := checkFileName(field+".labels", s.Labels, false); err != nil {
			return err
		}
		if err := checkFileName(field+".sufficient", s.Sufficient, true); err != nil {
			return err
		}
		if err := checkFileName(field+".signal_patch", s.SignalPatch, true); err != nil {
			return err
		}
	}
	return nil
}

// Layout is the dataset the manifest describes, without reading an array
// (see Layout).
func (m *Manifest) Layout() *Layout {
	l := &Layout{Task: m.Task, Classes: m.Classes, Train: m.Splits.Train.N}
	for _, mm := range m.Modalities {
		l.Modalities = append(l.Modalities, Modality{Name: mm.Name, Shape: slices.Clone(mm.Shape)})
	}
	if m.Splits.Val != nil {
		l.Val, l.Test = m.Splits.Val.N, m.Splits.Test.N
	}
	return l
}

// checkFileName refuses names that leave the dataset directory: a manifest
// from elsewhere must not make Load read arbitrary files.
func checkFileName(field, name string, optional bool) error {
	if name == "" {
		if optional {
			return nil
		}
		return fmt.Errorf("%s is missing, want an NPY file name", field)
	}
	if !filepath.IsLocal(name) {
		return fmt.Errorf("%s is %q, want a file name inside the dataset directory", field, name)
	}
	return nil
}

// Load reads the dataset Save wrote to dir, or one a user laid out the same
// way (see Manifest). It checks every array against the manifest, and the
// result with Dataset.Validate; errors name the offending file or manifest
// field. A manifest may give only the training split: the dataset then has
// no Val and Test until SplitByRatio divides it.
func Load(dir string) (*Dataset, error) {
	ds, err := load(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", dir, err)
	}
	return ds, nil
}

func load(dir string) (*Dataset, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	k := len(m.Modalities)
	ds := &Dataset{Task: m.Task, Classes: m.Classes}
	for r, mm := range m.Modalities {
		mod := Modality{Name: mm.Name, Shape: mm.Shape}
		if mm.Feature != "" {
			d := mm.Shape[len(mm.Shape)-1]
			a, err := readArray(dir, mm.Feature, fmt.Sprintf("modalities[%d].feature", r))
			if err != nil {
				return nil, err
			}
			if err := wantKinds(mm.Feature, a, "a float or integer", 'f', 'i', 'u'); err != nil {
				return nil, err
			}
			if len(a.Shape) != 1 || a.Shape[0] != d {
				return nil, fmt.Errorf("%s: shape %s, want (%d,): the feature has the size of the last axis of modality %d's shape %v",
					mm.Feature, formatShape(a.Shape), d, r, mm.Shape)
			}
			mod.Feature = a.Data
		}
		ds.Modalities = append(ds.Modalities, mod)
	}
	for _, ns := range m.Splits.splits() {
		if ns.split == nil {
			continue
		}
		s, err := loadSplit(dir, "splits."+ns.name, ns.split, m, k)
		if err != nil {
			return nil, err
		}
		switch ns.name {
		case "train":
			ds.Train = s
		case "val":
			ds.Val = s
		default:
			ds.Test = s
		}
	}
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	return ds, nil
}

func loadSplit(dir, field string, ms *ManifestSplit, m *Manifest, k int) (*Split, error) {
	s := &Split{}
	y, err := readArray(dir, ms.Labels, field+".labels")
	if err != nil {
		return nil, err
	}
	if y.DType == "|b1" {
		return nil, fmt.Errorf("%s: labels are bool, want %s", ms.Labels, labelWant(m.Task))
	}
	if len(y.Shape) != 1 {
		return nil, fmt.Errorf("%s: shape %s, want (%d,): one label per sample", ms.Labels, formatShape(y.Shape), ms.N)
	}
	n := y.Shape[0]
	if n != ms.N {
		return nil, fmt.Errorf("%s holds %d labels but the manifest says %s.n = %d", ms.Labels, n, field, ms.N)
	}
	if err := checkLabels(ms.Labels, y.Data, m.Task, m.Classes); err != nil {
		return nil, err
	}
	s.Labels = y.Data
	for r, name := range ms.Inputs {
		a, err := readArray(dir, name, fmt.Sprintf("%s.inputs[%d]", field, r))
		if err != nil {
			return nil, err
		}
		if err := wantKinds(name, a, "a float or integer", 'f', 'i', 'u'); err != nil {
			return nil, err
		}
		shape := m.Modalities[r].Shape
		if len(a.Shape) > 0 && a.Shape[0] != n {
			return nil, fmt.Errorf("%s holds %d samples but %s holds %d labels", name, a.Shape[0], ms.Labels, n)
		}
		if len(a.Shape) != 1+len(shape) || !slices.Equal(a.Shape[1:], shape) {
			return nil, fmt.Errorf("%s: shape %s, want %s: (n, shape of modality %d)", name, formatShape(a.Shape), formatShape(append([]int{n}, shape...)), r)
		}
		// Validate would catch this too, but without the file name.
		if err := checkFinite(a.Data, shape); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		s.Inputs = append(s.Inputs, a.Data)
	}
	if ms.Sufficient != "" {
		a, err := readArray(dir, ms.Sufficient, field+".sufficient")
		if err != nil {
			return nil, err
		}
		if err := wantKinds(ms.Sufficient, a, "bool", 'b'); err != nil {
			return nil, err
		}
		if err := wantSampleByModality(ms.Sufficient, a, n, k, ms.Labels); err != nil {
			return nil, err
		}
		s.Sufficient = make([][]bool, k)
		for r := range s.Sufficient {
			s.Sufficient[r] = make([]bool, n)
			for i := range n {
				s.Sufficient[r][i] = a.Data[i*k+r] == 1
			}
		}
	}
	if ms.SignalPatch != "" {
		a, err := readArray(dir, ms.SignalPatch, field+".signal_patch")
		if err != nil {
			return nil, err
		}
		if err := wantKinds(ms.SignalPatch, a, "an integer", 'i', 'u'); err != nil {
			return nil, err
		}
		if err := wantSampleByModality(ms.SignalPatch, a, n, k, ms.Labels); err != nil {
			return nil, err
		}
		s.SignalPatch = make([][]int, k)
		for r := range s.SignalPatch {
			patches := m.Modalities[r].Shape[0]
			s.SignalPatch[r] = make([]int, n)
			for i := range n {
				p := a.Data[i*k+r]
				if p < 0 || p >= float64(patches) {
					return nil, fmt.Errorf("%s: sample %d, modality %d: signal patch %v, want 0..%d", ms.SignalPatch, i, r, p, patches-1)
				}
				s.SignalPatch[r][i] = int(p)
			}
		}
	}
	return s, nil
}

// readArray reads dir/name; field is where the manifest names the file, so
// a user can tell a typo in the manifest from a missing file.
func readArray(dir, name, field string) (*Array, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: file is missing (named by %s in %s)", name, field, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := readNPYOpen(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

// wantKinds requires a's dtype to be one of kinds ('f', 'i', 'u', 'b').
func wantKinds(name string, a *Array, want string, kinds ...byte) error {
	dt, err := lookupDType(a.DType)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !slices.Contains(kinds, dt.kind) {
		return fmt.Errorf("%s: dtype %s, want %s dtype", name, a.DType, want)
	}
	return nil
}

func wantSampleByModality(name string, a *Array, n, k int, labels string) error {
	if n != k && slices.Equal(a.Shape, []int{k, n}) {
		return fmt.Errorf("%s: shape %s, want (%d, %d): (samples, modalities); the array looks transposed", name, formatShape(a.Shape), n, k)
	}
	if len(a.Shape) > 0 && a.Shape[0] != n {
		return fmt.Errorf("%s holds %d samples but %s holds %d labels", name, a.Shape[0], labels, n)
	}
	if len(a.Shape) != 2 || a.Shape[1] != k {
		return fmt.Errorf("%s: shape %s, want (%d, %d): (samples, modalities)", name, formatShape(a.Shape), n, k)
	}
	return nil
}

func labelWant(t Task) string {
	switch t {
	case Binary:
		return "integers -1 or +1 for a binary task"
	case Multiclass:
		return "integer class indices for a multiclass task"
	default:
		return "real numbers for a regression task"
	}
}

// checkLabels checks label values here rather than in Validate alone, so
// that the error names the file and catches the common 0/1 encoding.
func checkLabels(name string, y []float64, task Task, classes int) error {
	for i, v := range y {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return fmt.Errorf("%s: label %d is %v, want a finite number", name, i, v)
		case task == Binary && v == 0:
			return fmt.Errorf("%s: label %d is 0: binary labels must be -1 or +1, not 0/1 (convert with y = 2*y - 1)", name, i)
		case task == Binary && v != 1 && v != -1:
			return fmt.Errorf("%s: label %d is %v, want -1 or +1 for a binary task", name, i, v)
		case task == Multiclass && (v != math.Trunc(v) || v < 0 || v >= float64(classes)):
			return fmt.Errorf("%s: label %d is %s, want a class index in 0..%d", name, i, strconv.FormatFloat(v, 'g', -1, 64), classes-1)
		}
	}
	return nil
}
