package runs

import (
	"fmt"
	"slices"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

// prepare readies plans before anything is written or trained: runs that
// do not fit in memory are refused with the estimate (memory.go), and the
// data the seeds share are read and checked, so that a mistake in them (a
// NaN, a bad label, arrays that disagree) is one error naming the file and
// the index before a run directory exists or a network starts; so is an
// encoder that cannot read its modality's samples (the patch encoder on
// samples that are not (P, d)). what names the run in messages ("modcomp
// compare"); specs are the networks of each plan.
func prepare(what string, plans []*Plan, specs func(*Plan) []NetworkSpec, workers int) error {
	need, err := estimateMemory(plans, specs, workers)
	if err != nil {
		return err
	}
	if err := checkMemory(what, need, thisMachine()); err != nil {
		return err
	}
	for _, p := range plans {
		if err := checkEncoders(p, specs(p)); err != nil {
			return err
		}
	}
	loaded := map[source]bool{}
	for _, p := range plans {
		if loaded[p.source] {
			continue
		}
		loaded[p.source] = true
		if err := p.source.load(); err != nil {
			return fmt.Errorf("data: %w", err)
		}
	}
	return nil
}

// checkEncoders builds, on the data's shapes alone, the network of every
// modality specs see: each encoder checks that it can read its modality.
func checkEncoders(p *Plan, specs []NetworkSpec) error {
	var modalities []int
	for _, s := range specs {
		for _, r := range s.Modalities {
			if !slices.Contains(modalities, r) {
				modalities = append(modalities, r)
			}
		}
	}
	slices.Sort(modalities)
	name := "of modalities " + fmt.Sprint(modalities)
	for _, s := range specs {
		if len(s.Modalities) == len(modalities) {
			name = s.Name // it sees them all: the joint network
		}
	}
	l := p.source.layout()
	shapes := &dataset.Dataset{Task: l.Task, Classes: l.Classes, Modalities: l.Modalities}
	if _, err := graph.NewNetwork(name, modalities, shapes, p.Model, p.Config.Seed); err != nil {
		return fmt.Errorf("%w (data: %s)", err, p.source.describe())
	}
	return nil
}

// sharable is a source whose data other plans may share: plans whose
// sources have the same key read the data once (sweep points over the
// user's files).
type sharable interface {
	dataKey() string
}

// prepareSweep prepares the points of a sweep around base: points whose
// data are base's share its source, so that the user's data are read once
// and held once for the whole sweep.
func prepareSweep(base *Plan, points []*Plan, workers int) error {
	if b, ok := base.source.(sharable); ok {
		for _, p := range points {
			if s, ok := p.source.(sharable); ok && s.dataKey() == b.dataKey() {
				p.source = base.source
			}
		}
	}
	compare := func(p *Plan) []NetworkSpec { return CompareNetworks(p.K, p.Methods) }
	return prepare("modcomp sweep", points, compare, workers)
}
