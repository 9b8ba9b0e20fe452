package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/modcomp/modcomp/report"
)

// Aggregate reads the complete points of one sweep from dirs (a sweep
// directory, or the directories of its shards) and writes into out:
//
//	sweep.csv   one row per point and seed, then one per point (seed "all")
//	            with means over seeds and, in the *_std columns, their spread
//	sweep.md    a table of the points
//	plots       1-D grid: accuracies against the swept value; 2-D grid:
//	            heat maps (phase diagrams) of the gap and of the fraction of
//	            seeds in which competition left a modality unlearned
//
// It returns the markdown table.
func Aggregate(out *RunDir, dirs []string) (string, error) {
	_, sw, err := readSweep(dirs)
	if err != nil {
		return "", err
	}
	if err := out.WriteFile("sweep.csv", sw.CSV()); err != nil {
		return "", err
	}
	figures, figErr := sw.SaveFigures(out)
	if err := out.WriteFile("sweep.md", sw.Markdown(figures, figErr)); err != nil {
		return "", err
	}
	return sw.Table(), nil
}

// AggregateInto merges the sweep directories dirs into a new directory
// <out>/<timestamp>-<name>/ holding a copy of sweep.json and the aggregate
// (see Aggregate). It returns the directory and the markdown table.
func AggregateInto(out, name string, dirs []string) (string, string, error) {
	spec, _, err := readSweep(dirs)
	if err != nil {
		return "", "", err
	}
	dir, err := CreateRunDir(out, name, time.Now())
	if err != nil {
		return "", "", err
	}
	if err := dir.WriteJSON("sweep.json", spec); err != nil {
		return "", "", err
	}
	table, err := Aggregate(dir, dirs)
	if err != nil {
		return dir.Path, "", err
	}
	st := Status{State: StateComplete, Finished: time.Now().UTC(), Message: "aggregate of " + strings.Join(dirs, ", ")}
	return dir.Path, table, dir.WriteStatus(st)
}

// readSweep reads the spec and every complete point from dirs, which must
// hold the same sweep. A point complete in several dirs is read from the
// first.
func readSweep(dirs []string) (*SweepSpec, report.Sweep, error) {
	var sw report.Sweep
	if len(dirs) == 0 {
		return nil, sw, errors.New("aggregate: no sweep directory given")
	}
	var spec *SweepSpec
	for _, d := range dirs {
		s, err := readSweepSpec(d)
		if err != nil {
			return nil, sw, fmt.Errorf("aggregate: %s is not a sweep directory: %w", d, err)
		}
		if spec == nil {
			spec = s
		} else if !reflect.DeepEqual(sameSweep(spec), sameSweep(s)) {
			return nil, sw, fmt.Errorf("aggregate: %s holds a different sweep than %s", d, dirs[0])
		}
	}
	for _, a := range spec.Grid {
		sw.Axes = append(sw.Axes, report.Axis(a))
	}
	sw.Total = len(spec.Points)
	for _, p := range spec.Points {
		found := false
		for _, d := range dirs {
			dir := &RunDir{Path: d}
			if !pointComplete(dir, p.Index) {
				continue
			}
			s, err := readSummary(filepath.Join(d, "points", pointName(p.Index), "summary.json"))
			if err != nil {
				return nil, sw, err
			}
			sw.Points = append(sw.Points, report.Point{Index: p.Index, Values: p.Values, Summary: s})
			found = true
			break
		}
		if !found {
			sw.Missing = append(sw.Missing, strconv.Itoa(p.Index))
		}
	}
	return spec, sw, nil
}

func readSummary(path string) (*report.Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s report.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}
