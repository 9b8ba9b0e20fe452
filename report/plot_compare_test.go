package runs

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/graph"
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

// runs builds completed NetworkRuns in the order execute returns them: by
// seed, then uni-m0, ..., uni-m<k-1>, joint.
func (f fakeCompare) runs() []*NetworkRun {
	var out []*NetworkRun
	for s := 0; s < f.seeds; s++ {
		seed := uint64(s + 1)
		jitter := 0.02 * float64(s)
		for _, spec := range CompareNetworks(f.k, []string{"naive"}) {
			r := &NetworkRun{Seed: seed, Network: spec.Name, Modalities: spec.Modalities, Status: string(graph.Completed), Steps: f.steps}
			joint := len(spec.Modalities) > 1
			for step := 0; step <= f.steps; step += f.every {
				rec := graph.Record{Step: step}
				add := func(name string, v float64) { rec.Metrics = append(rec.Metrics, graph.Metric{Name: name, Value: v}) }
				acc := growth(0.5, 0.85+jitter, 0.03, step)
				add(graph.ValAcc, acc)
				add(graph.TestAcc, acc)
				for _, m := range spec.Modalities {
					if joint {
						end := 0.85 + jitter
						if m == f.loser {
							end = 0.5
						}
						add(graph.EncTestAcc(m), growth(0.5, end, 0.03, step))
					}
				}
				for _, m := range spec.Modalities {
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

// config is a configuration of f's size.
func (f fakeCompare) config() *Config {
	cfg := Default()
	cfg.Alpha, cfg.Mu = nil, nil
	for r := 0; r < f.k; r++ {
		cfg.Alpha = append(cfg.Alpha, 1/float64(r+1))
		cfg.Mu = append(cfg.Mu, 0.1)
	}
	cfg.Seeds, cfg.Steps, cfg.LogEvery = f.seeds, f.steps, f.every
	return &cfg
}

// summary is a Summary carrying the per-modality learned thresholds.
func (f fakeCompare) summary(cfg *Config) *Summary {
	s := &Summary{}
	for r := 0; r < f.k; r++ {
		s.LearnedThreshold = append(s.LearnedThreshold, cfg.Rho/cfg.Alpha.At(r))
	}
	return s
}

func tempRunDir(t *testing.T) *RunDir {
	t.Helper()
	dir, err := CreateRunDir(t.TempDir(), "t", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkFigures checks that files are the PNG and SVG of each figure, that
// each is a non-empty, valid image, and that no temporary file was left
// behind.
func checkFigures(t *testing.T, dir *RunDir, files []string, figures ...string) {
	t.Helper()
	var want []string
	for _, f := range figures {
		want = append(want, f+".png", f+".svg")
	}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", files, want)
	}
	for _, name := range files {
		b, err := os.ReadFile(dir.Join(name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
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
	entries, err := os.ReadDir(dir.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
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

var compareFigures = []string{"alignment", "accuracy", "accuracy_curves"}

func TestComparePlots(t *testing.T) {
	for _, f := range []fakeCompare{
		{k: 2, seeds: 2, steps: 300, every: 25, loser: 1},
		{k: 3, seeds: 2, steps: 300, every: 25, loser: 2},
	} {
		t.Run(fmt.Sprintf("K=%d", f.k), func(t *testing.T) {
			cfg := f.config()
			dir := tempRunDir(t)
			files, err := comparePlots(dir, cfg, f.runs(), f.summary(cfg))
			if err != nil {
				t.Fatal(err)
			}
			checkFigures(t, dir, files, compareFigures...)
		})
	}
}

// TestComparePlotsRobust draws comparisons that a real run can produce:
// one seed, diverged networks with NaN metrics, NaN points in completed
// logs, empty logs, no completed network at all, and no summary.
func TestComparePlotsRobust(t *testing.T) {
	base := fakeCompare{k: 2, seeds: 2, steps: 200, every: 20, loser: 1}
	cases := map[string]func(runs []*NetworkRun) []*NetworkRun{
		"one seed": func(runs []*NetworkRun) []*NetworkRun { return runs[:3] },
		"diverged": func(runs []*NetworkRun) []*NetworkRun {
			j := runs[5] // joint, seed 2
			j.Status = string(graph.Diverged)
			for i := range j.Log[len(j.Log)/2:] {
				for m := range j.Log[len(j.Log)/2+i].Metrics {
					j.Log[len(j.Log)/2+i].Metrics[m].Value = math.NaN()
				}
			}
			return runs
		},
		"NaN points": func(runs []*NetworkRun) []*NetworkRun {
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
		"empty logs": func(runs []*NetworkRun) []*NetworkRun {
			runs[0].Log = nil
			runs[4].Log, runs[4].Status = nil, runFailed
			runs[5].Log, runs[5].Status = nil, runNotStarted
			return runs
		},
		"nothing completed": func(runs []*NetworkRun) []*NetworkRun {
			for _, r := range runs {
				r.Log, r.Status = nil, runNotStarted
			}
			return runs
		},
		"infinite values": func(runs []*NetworkRun) []*NetworkRun {
			runs[1].Log[3].Metrics[0].Value = math.Inf(1)
			runs[2].Log[4].Metrics[1].Value = math.Inf(-1)
			return runs
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base.config()
			dir := tempRunDir(t)
			files, err := comparePlots(dir, cfg, edit(base.runs()), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkFigures(t, dir, files, compareFigures...)
		})
	}
}

func TestHeatMap(t *testing.T) {
	nan := math.NaN()
	maps := map[string]heatMap{
		"sequential": {
			z:      [][]float64{{0.5, 0.62, 0.7, 0.81}, {0.55, nan, 0.9, 0.97}, {0.6, 0.74, 0.88, 1}},
			xTicks: []string{"0.05", "0.1", "0.2", "0.4"}, yTicks: []string{"100", "200", "400"},
			xLabel: "mu_1", yLabel: "n-train", zLabel: "joint test accuracy", format: "%.2f",
			zMin: nan, zMax: nan,
		},
		"diverging": {
			z:      [][]float64{{-0.1, 0.05}, {0.2, 0}},
			xLabel: "alpha_1", yLabel: "mu_1", zLabel: "gap", format: "%+.2f", diverging: true,
			zMin: nan, zMax: nan,
		},
		"constant": {z: [][]float64{{1, 1, 1}}, zMin: nan, zMax: nan, format: "%.0f"},
		"all NaN":  {z: [][]float64{{nan, nan}, {nan, nan}}, zMin: nan, zMax: nan, format: "%.1f"},
		"empty":    {zMin: nan, zMax: nan},
		"fixed":    {z: [][]float64{{-1, 0.5, 3}}, zMin: 0, zMax: 1, format: "%.1f"},
	}
	for name, h := range maps {
		t.Run(name, func(t *testing.T) {
			dir := tempRunDir(t)
			files, err := saveFigure(dir, "heat", 7*vg.Inch, 4.5*vg.Inch, func(c draw.Canvas) error {
				return h.draw(c, "phase diagram: "+name)
			})
			if err != nil {
				t.Fatal(err)
			}
			checkFigures(t, dir, files, "heat")
		})
	}
}

func TestHeatMapColors(t *testing.T) {
	nan := math.NaN()
	h := heatMap{z: [][]float64{{0, 1}, {2, nan}}, zMin: nan, zMax: nan, format: "%.0f"}
	if lo, hi := h.colorRange(); lo != 0 || hi != 2 {
		t.Errorf("range = %g..%g, want 0..2", lo, hi)
	}
	d := heatMap{z: [][]float64{{-0.1, 0.3}}, diverging: true, zMin: nan, zMax: nan}
	if lo, hi := d.colorRange(); lo != -0.3 || hi != 0.3 {
		t.Errorf("diverging range = %g..%g, want -0.3..0.3, centred on zero", lo, hi)
	}
	c := heatMap{z: [][]float64{{2, 2}}, zMin: nan, zMax: nan}
	if lo, hi := c.colorRange(); !(lo < 2 && hi > 2) {
		t.Errorf("constant range = %g..%g, want around 2", lo, hi)
	}
	p, bar, err := h.plots()
	if err != nil || p == nil || bar == nil {
		t.Fatalf("plots: %v", err)
	}
	cm, err := h.colorMap(0, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Sequential: low values dark, high values light, so that annotations
	// switch from white to black text.
	low, _ := cm.At(0)
	high, _ := cm.At(2)
	if !(luminance(low) < 0.2 && luminance(high) > 0.6) {
		t.Errorf("luminance %g at min, %g at max: want dark to light", luminance(low), luminance(high))
	}
}

func TestSummarizeTraces(t *testing.T) {
	nan := math.NaN()
	ts := []trace{
		{x: []float64{0, 10, 20}, y: []float64{1, 3, nan}},
		{x: []float64{0, 10, 20, 30}, y: []float64{3, 5, 7, 9}},
		{x: []float64{0, 10}, y: []float64{nan, nan}},
	}
	s := summarizeTraces(ts, envMinMax)
	want := spread{
		x: []float64{0, 10, 20, 30}, mean: []float64{2, 4, 7, 9},
		lo: []float64{1, 3, 7, 9}, hi: []float64{3, 5, 7, 9}, n: []int{2, 2, 1, 1},
	}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("min-max spread = %v, want %v", s, want)
	}
	sd := summarizeTraces(ts, envStd)
	if d := sd.hi[0] - sd.mean[0]; math.Abs(d-math.Sqrt2) > 1e-12 {
		t.Errorf("std band half-width = %g, want sqrt(2)", d)
	}
	if e := summarizeTraces(nil, envMinMax); len(e.x) != 0 {
		t.Errorf("no traces: %v, want empty", e)
	}
}

func TestRunsOf(t *testing.T) {
	ys := []float64{1, math.NaN(), 2, 3, math.Inf(1), 4}
	got := runsOf(len(ys), func(i int) bool { return finite(ys[i]) })
	if want := [][2]int{{0, 1}, {2, 4}, {5, 6}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("runsOf = %v, want %v", got, want)
	}
}

func TestLog10Ticks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0.005, 5, "0.01 0.1 1"},
		// Fewer than three powers of ten in range: 2s and 5s are labelled too.
		{0.015, 3.5, "0.02 0.05 0.1 0.2 0.5 1 2"},
		{0.15, 6, "0.2 0.5 1 2 5"},
		{1e-4, 1e6, "0.0001 0.001 0.01 0.1 1 10 100 1000 10000 100000 1e+06"},
	} {
		var labels []string
		for _, tk := range (log10Ticks{}).Ticks(math.Log10(c.lo), math.Log10(c.hi)) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("labels over %g..%g = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

func TestJitterOffset(t *testing.T) {
	if jitterOffset(0, 1) != 0 {
		t.Error("one sample must sit in the middle")
	}
	for n := 2; n < 8; n++ {
		for i := 0; i < n; i++ {
			o := jitterOffset(i, n)
			if o < -1 || o > 1 || (i > 0 && o <= jitterOffset(i-1, n)) {
				t.Fatalf("jitterOffset(%d, %d) = %g: want increasing within [-1, 1]", i, n, o)
			}
		}
	}
}

func TestRenderRecoversPanics(t *testing.T) {
	_, err := render("png", vg.Inch, vg.Inch, func(draw.Canvas) error { panic("bad input") })
	if err == nil || !strings.Contains(err.Error(), "bad input") {
		t.Errorf("err = %v, want the panic as an error", err)
	}
	if _, err := render("gif", vg.Inch, vg.Inch, func(draw.Canvas) error { return nil }); err == nil {
		t.Error("unknown format: want an error")
	}
}
