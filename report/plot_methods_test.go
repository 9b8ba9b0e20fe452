package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/figure"
)

// methodRuns are the fake runs of a comparison of methods: f's runs, with
// after each seed's naive joint network one joint network per other method
// in methods[1:], whose losing encoder (f.loser) learns a little more with
// each method, in the order Summarize takes them (seed, then network).
func (f fakeCompare) methodRuns(methods []string) []Run {
	base := f.runs()
	per := f.k + 1
	var out []Run
	for s := 0; s < f.seeds; s++ {
		seedRuns := base[s*per : (s+1)*per]
		out = append(out, seedRuns...)
		joint := seedRuns[f.k]
		joint.Method = "naive"
		for i, m := range methods[1:] {
			r := Run{Seed: joint.Seed, Network: "joint-" + m, Modalities: joint.Modalities, Method: m,
				Status: joint.Status, Steps: joint.Steps}
			for _, rec := range joint.Log {
				c := graph.Record{Step: rec.Step, Metrics: slices.Clone(rec.Metrics)}
				for j, mt := range c.Metrics {
					if strings.HasPrefix(mt.Name, graph.Align(f.loser)) {
						c.Metrics[j].Value = growth(0.015, 0.1*float64(i+2)+0.01*float64(s), 0.02, rec.Step)
					}
				}
				r.Log = append(r.Log, c)
			}
			out = append(out, r)
		}
	}
	return out
}

// methodSummary is f.summary with the methods listed.
func (f fakeCompare) methodSummary(methods []string) *Summary {
	s := f.summary()
	for _, m := range methods {
		s.Methods = append(s.Methods, MethodAggregate{Method: m})
	}
	return s
}

var methodFiguresWant = append(slices.Clone(compareFigureNames), "methods_alignment")

func TestMethodsAlignmentFigure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		f       fakeCompare
		methods []string
	}{
		{fakeCompare{k: 2, seeds: 2, steps: 300, every: 25, loser: 1}, []string{"naive", "ume"}},
		{fakeCompare{k: 3, seeds: 2, steps: 300, every: 25, loser: 2}, []string{"naive", "ogm-ge", "gblend"}},
		{fakeCompare{k: 2, seeds: 3, steps: 300, every: 20, loser: 1}, []string{"naive", "ume", "umt", "ogm-ge", "alternating", "gblend"}},
	} {
		t.Run(fmt.Sprintf("K=%d %d methods", c.f.k, len(c.methods)), func(t *testing.T) {
			t.Parallel()
			files := drawSVG(t, compareFigures(c.f.setting(), c.f.methodRuns(c.methods), c.f.methodSummary(c.methods)), methodFiguresWant...)
			texts := svgTexts(t, files, "methods_alignment")
			for _, want := range append(slices.Clone(c.methods), "uni-m<r>: trained alone", "threshold of learned",
				fmt.Sprintf("%d seeds", c.f.seeds)) {
				if !slices.Contains(texts, want) {
					t.Errorf("the legend has no %q: %q", want, texts)
				}
			}
			for r := 0; r < c.f.k; r++ {
				if want := fmt.Sprintf("m%d: joint encoder, by training method", r); !slices.Contains(texts, want) {
					t.Errorf("no panel %q", want)
				}
			}
		})
	}
}

// Only a comparison of several methods draws the methods figure.
func TestMethodsAlignmentFigureOnlyWithMethods(t *testing.T) {
	t.Parallel()
	f := fakeCompare{k: 2, seeds: 2, steps: 100, every: 20, loser: 1}
	for name, s := range map[string]*Summary{
		"no summary":  nil,
		"naive only":  f.methodSummary([]string{"naive"}),
		"no methods":  f.summary(),
		"two methods": f.methodSummary([]string{"naive", "ume"}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := compareFigureNames
			if name == "two methods" {
				want = methodFiguresWant
			}
			drawSVG(t, compareFigures(f.setting(), f.methodRuns([]string{"naive", "ume"}), s), want...)
		})
	}
}

// TestMethodsAlignmentFigureRobust draws comparisons of methods that a real
// run can produce: one seed, a method whose network diverged in some seeds
// or in all, a method the summary lists without any run, NaN and
// non-positive alignments, and no alignment at all (encoders without a
// known feature).
func TestMethodsAlignmentFigureRobust(t *testing.T) {
	t.Parallel()
	methods := []string{"naive", "ume", "umt"}
	base := fakeCompare{k: 2, seeds: 2, steps: 200, every: 20, loser: 1}
	per := base.k + len(methods)
	network := func(runs []Run, seed int, name string) *Run {
		for i := seed * per; i < (seed+1)*per; i++ {
			if runs[i].Network == name {
				return &runs[i]
			}
		}
		t.Fatalf("no network %s for seed %d", name, seed)
		return nil
	}
	diverge := func(r *Run) {
		r.Status = string(graph.Diverged)
		r.Log = r.Log[:len(r.Log)/2]
		for m := range r.Log[len(r.Log)-1].Metrics {
			r.Log[len(r.Log)-1].Metrics[m].Value = math.Inf(1)
		}
	}
	cases := []struct {
		name    string
		edit    func(runs []Run) []Run
		methods []string // listed by the summary; nil for methods
		legend  []string // texts the legend must hold
	}{
		{name: "one seed", edit: func(runs []Run) []Run { return runs[:per] },
			legend: []string{"1 seed"}},
		{name: "diverged in one seed", edit: func(runs []Run) []Run {
			diverge(network(runs, 1, "joint-umt"))
			return runs
		}, legend: []string{"umt (1 of 2 seeds)", "1 run not completed: left out"}},
		{name: "diverged in every seed", edit: func(runs []Run) []Run {
			diverge(network(runs, 0, "joint-umt"))
			diverge(network(runs, 1, "joint-umt"))
			return runs
		}, legend: []string{"umt (no completed run)"}},
		{name: "listed without runs", edit: func(runs []Run) []Run { return runs },
			methods: append(slices.Clone(methods), "gblend"), legend: []string{"gblend (no completed run)"}},
		{name: "NaN and non-positive", edit: func(runs []Run) []Run {
			for _, r := range runs {
				for i := range r.Log {
					for m := range r.Log[i].Metrics {
						switch {
						case i%3 == 1:
							r.Log[i].Metrics[m].Value = math.NaN()
						case i == 2 && strings.HasPrefix(r.Log[i].Metrics[m].Name, "align_"):
							r.Log[i].Metrics[m].Value = -0.5
						}
					}
				}
			}
			return runs
		}, legend: []string{"values below 0.001 drawn at 0.001"}},
		{name: "no alignment", edit: func(runs []Run) []Run {
			for _, r := range runs {
				for i := range r.Log {
					r.Log[i].Metrics = slices.DeleteFunc(r.Log[i].Metrics, func(m graph.Metric) bool { return strings.HasPrefix(m.Name, "align_") })
				}
			}
			return runs
		}, legend: []string{"no alignment logged"}},
		{name: "nothing completed", edit: func(runs []Run) []Run {
			for i := range runs {
				runs[i].Log, runs[i].Status = nil, "not started"
			}
			return runs
		}, legend: []string{"naive (no completed run)", "ume (no completed run)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			listed := c.methods
			if listed == nil {
				listed = methods
			}
			files := drawSVG(t, compareFigures(base.setting(), c.edit(base.methodRuns(methods)), base.methodSummary(listed)), methodFiguresWant...)
			texts := svgTexts(t, files, "methods_alignment")
			for _, want := range c.legend {
				if !slices.Contains(texts, want) {
					t.Errorf("the legend has no %q: %q", want, texts)
				}
			}
		})
	}
}

func TestMethodColorsAndWidths(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := range 6 {
		c := methodColor(i)
		key := fmt.Sprint(c)
		if seen[key] {
			t.Errorf("method %d reuses colour %v", i, c)
		}
		seen[key] = true
		if alone, _ := roleStyle(roleAlone); fmt.Sprint(alone) == key {
			t.Errorf("method %d has the colour of the uni-modal reference", i)
		}
		if figure.Luminance(c) > 0.8 {
			t.Errorf("method %d: colour %v too light for a line on white", i, c)
		}
		if i > 0 && methodWidth(i) > methodWidth(i-1) {
			t.Errorf("method %d is drawn wider than method %d", i, i-1)
		}
	}
	if c, _ := roleStyle(roleEncoder); methodColor(0) != c {
		t.Errorf("naive's colour %v is not the joint encoder's %v of the other figures", methodColor(0), c)
	}
	_ = methodColor(-1) // no panic
	_ = methodWidth(-1)
}

// The figures of the naive comparison count, in their legends, the runs
// they leave out: not the runs of other methods, which they never draw.
func TestComparePlotsCountOnlyTheirRuns(t *testing.T) {
	t.Parallel()
	f := fakeCompare{k: 2, seeds: 2, steps: 100, every: 20, loser: 1}
	methods := []string{"naive", "umt"}
	runs := f.methodRuns(methods)
	runs[3].Status = string(graph.Diverged) // seed 1's joint-umt
	files := drawSVG(t, compareFigures(f.setting(), runs, f.methodSummary(methods)), methodFiguresWant...)
	for _, name := range compareFigureNames {
		if texts := svgTexts(t, files, name); slices.Contains(texts, "1 run not completed: left out") {
			t.Errorf("%s: the legend counts the diverged joint-umt, which it does not draw", name)
		}
	}
	if !slices.Contains(svgTexts(t, files, "methods_alignment"), "1 run not completed: left out") {
		t.Error("methods_alignment: the legend does not count the diverged joint-umt")
	}
}
