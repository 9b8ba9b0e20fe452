package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/figure"
)

// fakeCompare describes the fake runs of a comparison: k modalities, some
// seeds, and the modality that loses the competition in the joint network
// (its joint encoder never learns its feature).
type fakeCompare struct {
	k, seeds, steps, every int
	loser                  int
}

// growth is a learning curve from start to end with rate rate per step.
func growth(start, end, rate float64, step int) float64 {
	return end - (end-start)*math.Exp(-rate*float64(step))
}

// runs builds completed runs in the order Summarize takes them: by seed,
// then uni-m0, ..., uni-m<k-1>, joint.
func (f fakeCompare) runs() []Run {
	var out []Run
	all := make([]int, f.k)
	for m := range all {
		all[m] = m
	}
	for s := 0; s < f.seeds; s++ {
		seed := uint64(s + 1)
		jitter := 0.02 * float64(s)
		for n := 0; n <= f.k; n++ {
			r := Run{Seed: seed, Network: "joint", Modalities: all, Method: "naive", Status: string(graph.Completed), Steps: f.steps}
			if n < f.k {
				r.Network, r.Modalities = modalityNetwork(n), []int{n}
			}
			joint := n == f.k
			for step := 0; step <= f.steps; step += f.every {
				rec := graph.Record{Step: step}
				add := func(name string, v float64) { rec.Metrics = append(rec.Metrics, graph.Metric{Name: name, Value: v}) }
				acc := growth(0.5, 0.85+jitter, 0.03, step)
				add(graph.ValAcc, acc)
				add(graph.TestAcc, acc)
				for _, m := range r.Modalities {
					if joint {
						end := 0.85 + jitter
						if m == f.loser {
							end = 0.5
						}
						add(graph.EncTestAcc(m), growth(0.5, end, 0.03, step))
					}
				}
				for _, m := range r.Modalities {
					end := 2.0 + float64(m) + jitter
					if joint && m == f.loser {
						end = 0.03
					}
					a := growth(0.015, end, 0.02, step)
					add(graph.AlignHead(m, graph.HeadPos), a)
					add(graph.AlignHead(m, graph.HeadNeg), a)
					add(graph.Align(m), a)
				}
				r.Log = append(r.Log, rec)
			}
			out = append(out, r)
		}
	}
	return out
}

// setting is the setting of f's runs.
func (f fakeCompare) setting() Setting {
	set := Setting{Description: "fake", K: f.k, Rho: 0.1, Fusion: "late"}
	for r := 0; r < f.k; r++ {
		set.Alpha = append(set.Alpha, 1/float64(r+1))
	}
	for s := 0; s < f.seeds; s++ {
		set.Seeds = append(set.Seeds, uint64(s+1))
	}
	return set
}

// summary is a Summary carrying the per-modality learned thresholds.
func (f fakeCompare) summary() *Summary {
	s := &Summary{}
	set := f.setting()
	for r := 0; r < f.k; r++ {
		s.LearnedThreshold = append(s.LearnedThreshold, set.learnedThreshold(r))
	}
	return s
}

// drawSVG draws figures as SVG only, into memory, checks that they are the
// figures named want and well-formed, and returns them by name. A PNG
// costs twenty times as much to draw; the tests of saving (checkFigures)
// draw those.
func drawSVG(t *testing.T, figures []figure.File, want ...string) figure.Files {
	t.Helper()
	files := figure.Files{}
	var names []string
	for _, f := range figures {
		b, err := figure.Render("svg", f.Width, f.Height, f.Draw)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files.WriteFile(f.Name+".svg", b)
		names = append(names, f.Name)
		if err := wellFormed(b); err != nil {
			t.Errorf("%s.svg is not well-formed XML: %v", f.Name, err)
		}
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("figures = %v, want %v", names, want)
	}
	keep(t, files)
	return files
}

// keep writes files to the directory $MODCOMP_FIGURES, if set, to look at.
func keep(t *testing.T, files figure.Files) {
	out := os.Getenv("MODCOMP_FIGURES")
	if out == "" {
		return
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(out, sanitize(t.Name())+"-"+name), b, 0o644); err != nil {
			t.Log(err)
		}
	}
}

// checkFigures checks that names are the PNG and SVG of each figure and that
// each is a non-empty, valid image.
func checkFigures(t *testing.T, files figure.Files, names []string, figures ...string) {
	t.Helper()
	var want []string
	for _, f := range figures {
		want = append(want, f+".png", f+".svg")
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", names, want)
	}
	if len(files) != len(names) {
		t.Errorf("%d files written, %d named", len(files), len(names))
	}
	for _, name := range names {
		b := files[name]
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
			continue
		}
		switch filepath.Ext(name) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if w := img.Bounds().Dx(); w < 600 {
				t.Errorf("%s is %d pixels wide, want a readable figure", name, w)
			}
		case ".svg":
			if !bytes.HasPrefix(b, []byte("<?xml")) && !bytes.HasPrefix(b, []byte("<svg")) {
				t.Errorf("%s does not start as an SVG: %.40q", name, b)
			}
			if err := wellFormed(b); err != nil {
				t.Errorf("%s is not well-formed XML: %v", name, err)
			}
		default:
			t.Errorf("unexpected file %s", name)
		}
	}
	keep(t, files)
}

// sanitize makes a test name a file name.
func sanitize(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			out[i] = '_'
		}
	}
	return string(out)
}

// wellFormed reads the XML document b to its end.
func wellFormed(b []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := dec.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// svgTexts returns the text elements of the SVG figure name, trimmed.
func svgTexts(t *testing.T, files figure.Files, name string) []string {
	t.Helper()
	b, ok := files[name+".svg"]
	if !ok {
		t.Fatalf("no %s.svg", name)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			inText = tk.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				out = append(out, strings.TrimSpace(string(tk)))
			}
		}
	}
}

var compareFigureNames = []string{"alignment", "accuracy", "accuracy_curves"}

func TestCompareFigures(t *testing.T) {
	t.Parallel()
	f := fakeCompare{k: 2, seeds: 2, steps: 300, every: 25, loser: 1}
	files := figure.Files{}
	names, err := CompareFigures(files, f.setting(), f.runs(), f.summary())
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, files, names, compareFigureNames...)
	f = fakeCompare{k: 3, seeds: 2, steps: 300, every: 25, loser: 2}
	texts := svgTexts(t, drawSVG(t, compareFigures(f.setting(), f.runs(), f.summary()), compareFigureNames...), "alignment")
	for _, want := range []string{"m2: alone vs in joint training", "learned: rho/alpha2 = 0.3", "2 seeds"} {
		if !slices.Contains(texts, want) {
			t.Errorf("the alignment figure has no %q: %q", want, texts)
		}
	}
}

// The alignment figure draws, per modality, each network's mean over seeds
// with its min-max band: the mean is the seeds' mean, which Summarize
// reports at the last step.
func TestCompareDataDrawn(t *testing.T) {
	t.Parallel()
	f := fakeCompare{k: 2, seeds: 3, steps: 100, every: 50, loser: 1}
	runs := f.runs()
	d := newCompareData(f.k, runs)
	if d.uni[1] != "uni-m1" || d.joint != "joint" || d.seeds != 3 || d.left != 0 || d.shown("joint") != 3 {
		t.Fatalf("compare data: uni %v, joint %s, %d seeds, %d left, %d joint shown", d.uni, d.joint, d.seeds, d.left, d.shown("joint"))
	}
	sp := figure.SummarizeTraces(d.traces("joint", graph.Align(0)), figure.MinMaxBand)
	if fmt.Sprint(sp.X) != "[0 50 100]" || fmt.Sprint(sp.N) != "[3 3 3]" {
		t.Fatalf("steps %v with %v seeds, want [0 50 100] with 3 each", sp.X, sp.N)
	}
	s := Summarize(f.setting(), runs, "complete")
	if last := sp.Mean[2]; math.Abs(last-float64(s.Joint.Alignment[0])) > 1e-12 {
		t.Errorf("alignment drawn at the end %g, summary %g", last, s.Joint.Alignment[0])
	}
	var finals []float64
	for _, r := range runs[f.k : f.k+1] {
		_, last := r.endpoints()
		v, _ := last.Get(graph.Align(0))
		finals = append(finals, v)
	}
	if lo, hi := sp.Lo[2], sp.Hi[2]; !(lo <= finals[0] && finals[0] <= hi && lo < hi) {
		t.Errorf("band %g..%g at the end does not hold seed 1's %g", lo, hi, finals[0])
	}
	if got := d.finals("uni-m1", graph.TestAcc); len(got) != 3 {
		t.Errorf("final test accuracies %v, want one per seed", got)
	}
}

// TestCompareFiguresRobust draws comparisons that a real run can produce:
// one seed, diverged networks with NaN metrics, NaN points in completed
// logs, empty logs, no completed network at all, and no summary.
func TestCompareFiguresRobust(t *testing.T) {
	t.Parallel()
	base := fakeCompare{k: 2, seeds: 2, steps: 200, every: 20, loser: 1}
	cases := map[string]func(runs []Run) []Run{
		"one seed": func(runs []Run) []Run { return runs[:3] },
		"diverged": func(runs []Run) []Run {
			j := &runs[5] // joint, seed 2
			j.Status = string(graph.Diverged)
			for i := range j.Log[len(j.Log)/2:] {
				for m := range j.Log[len(j.Log)/2+i].Metrics {
					j.Log[len(j.Log)/2+i].Metrics[m].Value = math.NaN()
				}
			}
			return runs
		},
		"NaN points": func(runs []Run) []Run {
			for _, r := range runs {
				for i := range r.Log {
					if i%3 == 1 || i == len(r.Log)-1 {
						for m := range r.Log[i].Metrics {
							r.Log[i].Metrics[m].Value = math.NaN()
						}
					}
				}
			}
			// Non-positive alignments, which a log axis cannot show.
			runs[2].Log[0].Metrics[len(runs[2].Log[0].Metrics)-1].Value = -0.5
			return runs
		},
		"empty logs": func(runs []Run) []Run {
			runs[0].Log = nil
			runs[4].Log, runs[4].Status = nil, "failed"
			runs[5].Log, runs[5].Status = nil, "not started"
			return runs
		},
		"nothing completed": func(runs []Run) []Run {
			for i := range runs {
				runs[i].Log, runs[i].Status = nil, "not started"
			}
			return runs
		},
		"infinite values": func(runs []Run) []Run {
			runs[1].Log[3].Metrics[0].Value = math.Inf(1)
			runs[2].Log[4].Metrics[1].Value = math.Inf(-1)
			return runs
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			drawSVG(t, compareFigures(base.setting(), edit(base.runs()), nil), compareFigureNames...)
		})
	}
}
