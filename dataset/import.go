package dataset

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// NPYFiles names the NPY files of one split: one input file per modality,
// in modality order, and the labels.
type NPYFiles struct {
	X []string `json:"x"`
	Y string   `json:"y"`
}

func (f NPYFiles) empty() bool { return len(f.X) == 0 && f.Y == "" }

// ImportSource says where a dataset of the user's comes from: an NPZ archive,
// or NPY files per split. Load builds the dataset, Import saves it.
//
// An NPZ archive (numpy.savez or numpy.savez_compressed) holds the training
// split under the keys x0, ..., x{K-1} (one input per modality, numbered
// from 0 without gaps) and y, and optionally a validation and a test split
// under val_x0, ..., val_y and test_x0, ..., test_y. Any other key is an
// error.
//
// Each input array is (n, sample shape...), the sample shape being the
// modality's and the same in every split; labels are (n,). Give both a
// validation and a test split, or neither: a training-only dataset is
// divided per seed by Dataset.SplitByRatio.
type ImportSource struct {
	// NPZ is the path of an NPZ archive; leave the NPY files empty then.
	NPZ string `json:"npz,omitempty"`
	// Train, Val and Test name NPY files when NPZ is empty. Val and Test
	// are both given or both empty.
	Train NPYFiles `json:"train,omitzero"`
	Val   NPYFiles `json:"val,omitzero"`
	Test  NPYFiles `json:"test,omitzero"`
}

// maxImportClasses bounds the classes labels may imply: a label of 10^9 in
// an integer array is far likelier a quantity than a class index, and a
// softmax over a billion classes would exhaust memory long after loading.
const maxImportClasses = 1 << 16

// Load reads the arrays src names and builds a dataset, checking every array
// and value first; errors name the archive and key, or the NPY file, and the
// sample.
//
// An empty task is inferred from the labels of all splits together: all -1
// or +1 (even if only one of the two occurs) is Binary; otherwise
// non-negative integers (of an integer dtype, or integral floats) are
// Multiclass with max+1 classes, so 0/1 labels are two classes, which the
// softmax loss handles; otherwise float labels are Regression, while integer
// labels that fit no classification are an error. An explicit task
// overrides the inference, and the labels must fit it. Either way a
// classification has at most 65536 classes.
func (src ImportSource) Load(task Task) (*Dataset, error) {
	splits, err := src.splits(false)
	if err != nil {
		return nil, err
	}
	ds, err := buildDataset(splits, task)
	if err != nil {
		return nil, src.named(err)
	}
	return ds, nil
}

// Layout is a dataset's shape without its inputs' values: what a program
// needs to plan for it (how many modalities, their sample shapes, the
// samples of each split, the task) before reading it whole.
type Layout struct {
	Task    Task
	Classes int
	// Modalities holds each modality's name and sample shape.
	Modalities []Modality
	// Train, Val and Test are the samples of each split; Val and Test are
	// 0 for a training-only dataset.
	Train, Val, Test int
}

// Bytes is the memory the dataset takes once loaded: every input and
// label as a float64.
func (l *Layout) Bytes() float64 {
	n := float64(l.Train + l.Val + l.Test)
	b := n * 8 // labels
	for _, m := range l.Modalities {
		b += n * float64(m.Size()) * 8
	}
	return b
}

// Layout reads what Load would build without reading the inputs' values:
// the headers of every array (dtypes, shapes, samples per split, checked
// as Load checks them) and the labels, which decide the task as in Load.
// A NaN in an input, which only Load finds, is the one mistake it misses.
func (src ImportSource) Layout(task Task) (*Layout, error) {
	splits, err := src.splits(true)
	if err != nil {
		return nil, err
	}
	l, err := layoutOf(splits, task, false)
	if err != nil {
		return nil, src.named(err)
	}
	return l, nil
}

// splits reads the arrays src names; with headers, the inputs only up to
// their headers (their Data is nil) and the labels whole.
func (src ImportSource) splits(headers bool) ([]rawSplit, error) {
	npy := !(src.Train.empty() && src.Val.empty() && src.Test.empty())
	switch {
	case src.NPZ != "" && npy:
		return nil, errors.New("give an NPZ archive or NPY files, not both")
	case src.NPZ != "":
		var headerOnly func(key string) bool
		if headers {
			headerOnly = func(key string) bool { return key != "y" && key != "val_y" && key != "test_y" }
		}
		z, err := readNPZFile(src.NPZ, headerOnly)
		if err != nil {
			return nil, err
		}
		splits, err := npzSplits(z)
		if err != nil {
			return nil, src.named(err)
		}
		return splits, nil
	case src.Train.empty():
		return nil, errors.New("no source: give an NPZ archive, or NPY files for the inputs and labels of the training split")
	}
	return npyFileSplits(src, headers)
}

// named prefixes err with the archive's path: errors about NPY files name
// the file already.
func (src ImportSource) named(err error) error {
	if src.NPZ != "" {
		return fmt.Errorf("%s: %w", src.NPZ, err)
	}
	return err
}

// Import reads src, checks it as Load does and saves the dataset to dir as
// Save does, recording src in the manifest's source. dir must be new or
// empty; that is checked before reading anything. Inputs are stored as
// float64 whatever their dtype, so Load(dir) returns exactly the values of
// src.
func Import(dir string, src ImportSource, task Task) error {
	if err := checkEmptyDir(dir); err != nil {
		return fmt.Errorf("dataset %q: %w", dir, err)
	}
	ds, err := src.Load(task)
	if err != nil {
		return err
	}
	return Save(dir, ds, map[string]any{"import": src})
}

// rawArray is an array with the name errors give it: `key "x0"` in an NPZ
// archive, the path of an NPY file.
type rawArray struct {
	name string
	*Array
}

// rawSplit is a split's arrays before any check.
type rawSplit struct {
	name string // "train", "val" or "test"
	x    []rawArray
	y    rawArray
}

// npzSplits maps the keys of z to splits: train first, then val and test
// when given.
func npzSplits(z *NPZ) ([]rawSplit, error) {
	prefixes := []string{"", "val_", "test_"}
	// inputs[p][r] is the key of input r of split p; hasY[p] whether its
	// labels are there.
	var inputs [3]map[int]string
	var hasY [3]bool
	unknown := ""
	for p := range inputs {
		inputs[p] = map[int]string{}
	}
	for _, key := range z.Keys {
		p, rest := 0, key
		for q := len(prefixes) - 1; q > 0; q-- {
			if after, ok := strings.CutPrefix(key, prefixes[q]); ok {
				p, rest = q, after
				break
			}
		}
		if rest == "y" {
			hasY[p] = true
		} else if r, ok := inputIndex(rest); ok {
			inputs[p][r] = key
		} else if unknown == "" {
			unknown = key
		}
	}
	k := 0 // the number of modalities: x0, x1, ... without gaps
	for inputs[0][k] != "" {
		k++
	}
	if unknown != "" {
		hint := ""
		if strings.HasPrefix(unknown, "arr_") {
			hint = " (numpy names arrays given without a keyword arr_0, arr_1, ...: save with numpy.savez(path, x0=..., y=...))"
		}
		return nil, fmt.Errorf("key %q is not a dataset key%s; want %s", unknown, hint, expectedKeys(k))
	}
	if k == 0 {
		return nil, fmt.Errorf("no key x0; want %s", expectedKeys(k))
	}
	if len(inputs[0]) > k {
		beyond := slices.Max(slices.Collect(maps.Keys(inputs[0])))
		return nil, fmt.Errorf("key %q is missing but key %q is there: inputs are numbered from x0 without gaps; want %s",
			"x"+strconv.Itoa(k), inputs[0][beyond], expectedKeys(beyond+1))
	}
	if !hasY[0] {
		return nil, fmt.Errorf("key %q is missing; want %s", "y", expectedKeys(k))
	}
	given := func(p int) bool { return hasY[p] || len(inputs[p]) > 0 }
	if given(1) != given(2) {
		have, lack := "val", "test"
		if given(2) {
			have, lack = lack, have
		}
		return nil, fmt.Errorf("%s keys without %s keys: give both a validation split (%s) and a test split (%s), or neither (then the training split is divided per seed, see Dataset.SplitByRatio)",
			have, lack, splitKeys(prefixes[1], k), splitKeys(prefixes[2], k))
	}
	splits := []rawSplit{npzSplit(z, "train", "", k)}
	if !given(1) {
		return splits, nil
	}
	for p := 1; p < 3; p++ {
		name := strings.TrimSuffix(prefixes[p], "_")
		for r := range k {
			if inputs[p][r] == "" {
				return nil, fmt.Errorf("key %q is missing: the %s split wants %s, one input per modality as in the training split",
					prefixes[p]+"x"+strconv.Itoa(r), name, splitKeys(prefixes[p], k))
			}
		}
		for _, r := range slices.Sorted(maps.Keys(inputs[p])) {
			if key := inputs[p][r]; r >= k {
				return nil, fmt.Errorf("key %q is beyond the modalities of the training split: the %s split wants %s",
					key, name, splitKeys(prefixes[p], k))
			}
		}
		if !hasY[p] {
			return nil, fmt.Errorf("key %q is missing: the %s split wants %s", prefixes[p]+"y", name, splitKeys(prefixes[p], k))
		}
		splits = append(splits, npzSplit(z, name, prefixes[p], k))
	}
	return splits, nil
}

func npzSplit(z *NPZ, name, prefix string, k int) rawSplit {
	arr := func(key string) rawArray { return rawArray{"key " + strconv.Quote(key), z.Arrays[key]} }
	s := rawSplit{name: name, y: arr(prefix + "y")}
	for r := range k {
		s.x = append(s.x, arr(prefix+"x"+strconv.Itoa(r)))
	}
	return s
}

// inputIndex parses the r of "x<r>", written as Python's str(r) would.
func inputIndex(s string) (int, bool) {
	digits, ok := strings.CutPrefix(s, "x")
	if !ok {
		return 0, false
	}
	r, err := strconv.Atoi(digits)
	// No one has 2^31 modalities; the bound keeps r+1 from overflowing.
	if err != nil || r < 0 || r > math.MaxInt32 || strconv.Itoa(r) != digits {
		return 0, false
	}
	return r, true
}

// splitKeys lists the keys of one split of k modalities: "x0, x1 and y".
func splitKeys(prefix string, k int) string {
	switch {
	case k == 0: // how many is unknown
		return prefix + "x0, " + prefix + "x1, ... and " + prefix + "y"
	case k > 4: // k may come from a key such as x999999999
		return fmt.Sprintf("%[1]sx0, %[1]sx1, ..., %[1]sx%[2]d and %[1]sy", prefix, k-1)
	}
	var keys []string
	for r := range k {
		keys = append(keys, prefix+"x"+strconv.Itoa(r))
	}
	return strings.Join(keys, ", ") + " and " + prefix + "y"
}

func expectedKeys(k int) string {
	return fmt.Sprintf("%s (training split), optionally with %s (validation) and %s (test)",
		splitKeys("", k), splitKeys("val_", k), splitKeys("test_", k))
}

// npyFileSplits reads the NPY files of src; with headers, the input files
// only up to their headers.
func npyFileSplits(src ImportSource, headers bool) ([]rawSplit, error) {
	if src.Val.empty() != src.Test.empty() {
		have, lack := "val", "test"
		if src.Val.empty() {
			have, lack = lack, have
		}
		return nil, fmt.Errorf("%s files without %s files: give both a validation and a test split, or neither (then the training split is divided per seed, see Dataset.SplitByRatio)", have, lack)
	}
	named := []struct {
		name  string
		files NPYFiles
	}{{"train", src.Train}, {"val", src.Val}, {"test", src.Test}}
	var splits []rawSplit
	for _, n := range named {
		if n.name != "train" && n.files.empty() {
			continue
		}
		f := n.files
		switch {
		case len(f.X) == 0:
			return nil, fmt.Errorf("%s split: no input files; give one NPY file per modality", n.name)
		case f.Y == "":
			return nil, fmt.Errorf("%s split: no labels file", n.name)
		case len(f.X) != len(src.Train.X):
			return nil, fmt.Errorf("%s split has %d input files but the training split has %d: give one per modality", n.name, len(f.X), len(src.Train.X))
		}
		s := rawSplit{name: n.name}
		for i, path := range append(slices.Clone(f.X), f.Y) {
			read := ReadNPYFile
			if headers && i < len(f.X) {
				read = readNPYHeaderFile
			}
			a, err := read(path)
			if err != nil {
				return nil, err
			}
			s.x = append(s.x, rawArray{path, a})
		}
		s.x, s.y = s.x[:len(f.X)], s.x[len(f.X)]
		splits = append(splits, s)
	}
	return splits, nil
}

// buildDataset checks the arrays of splits (train, then val and test if
// given) and assembles them. The first problem is the error.
func buildDataset(splits []rawSplit, task Task) (*Dataset, error) {
	l, err := layoutOf(splits, task, true)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Task: l.Task, Classes: l.Classes, Modalities: l.Modalities}
	for _, s := range splits {
		split := &Split{Labels: s.y.Data}
		for _, x := range s.x {
			split.Inputs = append(split.Inputs, x.Data)
		}
		switch s.name {
		case "train":
			ds.Train = split
		case "val":
			ds.Val = split
		default:
			ds.Test = split
		}
	}
	// Everything Validate checks was checked above with the arrays' names.
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("internal error: the imported dataset is invalid: %w", err)
	}
	return ds, nil
}

// layoutOf checks the arrays of splits (train, then val and test if given)
// and the labels, and with values the inputs' values too, and describes
// them. The first problem is the error.
func layoutOf(splits []rawSplit, task Task, values bool) (*Layout, error) {
	switch task {
	case "", Binary, Multiclass, Regression:
	default:
		return nil, fmt.Errorf("unknown task %q, want %q, %q, %q or empty to infer it from the labels", task, Binary, Multiclass, Regression)
	}
	train := splits[0]
	var ys []rawArray
	for _, s := range splits {
		if err := checkSplitShapes(s, train); err != nil {
			return nil, err
		}
		ys = append(ys, s.y)
	}
	if values {
		for _, s := range splits {
			for _, x := range s.x {
				if err := checkFinite(x.Data, x.Shape[1:]); err != nil {
					return nil, fmt.Errorf("%s: %w", x.name, err)
				}
			}
		}
	}
	task, classes, err := labelTask(ys, task)
	if err != nil {
		return nil, err
	}
	l := &Layout{Task: task, Classes: classes}
	for r, x := range train.x {
		l.Modalities = append(l.Modalities, Modality{Name: "m" + strconv.Itoa(r), Shape: slices.Clone(x.Shape[1:])})
	}
	for _, s := range splits {
		n := s.y.Shape[0]
		switch s.name {
		case "train":
			l.Train = n
		case "val":
			l.Val = n
		default:
			l.Test = n
		}
	}
	return l, nil
}

// checkSplitShapes checks the dtypes and shapes of s, and that its samples
// have the shapes of train's.
func checkSplitShapes(s, train rawSplit) error {
	y := s.y
	if y.DType == "|b1" {
		return fmt.Errorf("%s: labels are bool, want integers or floats (convert with y.astype(int))", y.name)
	}
	if len(y.Shape) != 1 {
		return fmt.Errorf("%s: shape %s, want (n,): one label per sample", y.name, formatShape(y.Shape))
	}
	n := y.Shape[0]
	if n == 0 {
		return fmt.Errorf("%s holds no labels: every split needs at least one sample", y.name)
	}
	if len(s.x) != len(train.x) {
		return fmt.Errorf("%s split has %d inputs but the training split has %d", s.name, len(s.x), len(train.x))
	}
	for r, x := range s.x {
		if err := wantKinds(x.name, x.Array, "a float or integer", 'f', 'i', 'u'); err != nil {
			return err
		}
		if len(x.Shape) < 2 {
			return fmt.Errorf("%s: shape %s, want (n, sample shape...), e.g. (n, 1) for one value per sample", x.name, formatShape(x.Shape))
		}
		if x.Shape[0] != n {
			return fmt.Errorf("%s holds %d samples but %s holds %d labels", x.name, x.Shape[0], y.name, n)
		}
		sample := x.Shape[1:]
		if slices.Contains(sample, 0) {
			return fmt.Errorf("%s: shape %s: a sample of shape %s holds no values", x.name, formatShape(x.Shape), formatShape(sample))
		}
		if want := train.x[r]; !slices.Equal(sample, want.Shape[1:]) {
			return fmt.Errorf("%s has samples of shape %s but %s has samples of shape %s", x.name, formatShape(sample), want.name, formatShape(want.Shape[1:]))
		}
	}
	return nil
}

// labelSite is where a label is, for error messages.
type labelSite struct {
	name string
	i    int
	v    float64
}

func (l *labelSite) String() string {
	return fmt.Sprintf("%s: label %d is %s", l.name, l.i, strconv.FormatFloat(l.v, 'g', -1, 64))
}

// labelTask infers the task from the labels ys of all splits, or checks
// them against the task given, and returns it with its number of classes.
func labelTask(ys []rawArray, task Task) (Task, int, error) {
	var notBinary, notClass, largest *labelSite
	allInt := true
	for _, y := range ys {
		if err := checkLabels(y.name, y.Data, Regression, 0); err != nil {
			return "", 0, err // a NaN or infinity
		}
		if dt, err := lookupDType(y.DType); err != nil || dt.kind == 'f' {
			allInt = false
		}
		for i, v := range y.Data {
			if notBinary == nil && v != 1 && v != -1 {
				notBinary = &labelSite{y.name, i, v}
			}
			if notClass == nil && (v < 0 || v != math.Trunc(v)) {
				notClass = &labelSite{y.name, i, v}
			}
			if largest == nil || v > largest.v {
				largest = &labelSite{y.name, i, v}
			}
		}
	}
	if task == "" {
		switch {
		case notBinary == nil:
			task = Binary
		case notClass == nil:
			task = Multiclass
		case allInt:
			return "", 0, fmt.Errorf("the integer labels fit no classification task: %s, not -1 or +1 (binary); %s, not a class index 0, 1, 2, ... (multiclass); give the task regression if they are quantities",
				notBinary, notClass)
		default:
			task = Regression
		}
	}
	switch task {
	case Binary:
		for _, y := range ys {
			if err := checkLabels(y.name, y.Data, Binary, 2); err != nil {
				return "", 0, err
			}
		}
		return Binary, 2, nil
	case Multiclass:
		if notClass != nil {
			return "", 0, fmt.Errorf("%s, want a class index 0, 1, 2, ... for a multiclass task", notClass)
		}
		if largest.v < 1 {
			return "", 0, fmt.Errorf("%s: every label is 0, a single class; a classification task needs at least 2", ys[0].name)
		}
		if largest.v >= maxImportClasses {
			return "", 0, fmt.Errorf("%s, which makes %.0f classes, more than the %d allowed; give the task regression if the labels are quantities",
				largest, largest.v+1, maxImportClasses)
		}
		return Multiclass, int(largest.v) + 1, nil
	}
	return Regression, 0, nil
}
