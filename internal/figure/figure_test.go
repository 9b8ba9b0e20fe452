package figure

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// svgTexts returns the text elements of an SVG file, trimmed: what a
// figure writes, in drawing order.
func svgTexts(t *testing.T, b []byte) []string {
	t.Helper()
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

// saveOne saves one figure drawn by fn into memory and checks that both
// files were written and read as a PNG and an SVG; it returns the SVG.
func saveOne(t *testing.T, fn func(draw.Canvas) error) []byte {
	t.Helper()
	files := Files{}
	names, err := Save(files, []File{{Name: "f", Width: 7 * vg.Inch, Height: 4.5 * vg.Inch, Draw: fn}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[f.png f.svg]" {
		t.Fatalf("names %v, want [f.png f.svg]", names)
	}
	if _, err := png.Decode(bytes.NewReader(files["f.png"])); err != nil {
		t.Errorf("f.png: %v", err)
	}
	return files["f.svg"]
}

// A curve is its points, broken at NaN values, over its band: hi forward,
// lo back.
func TestCurvePointsAndBand(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	x := []float64{0, 1, 2, 3, 4, 5}
	y := []float64{1, 2, nan, 4, 5, 6}
	lo := []float64{0.5, 1.5, 2.5, 3.5, nan, 5.5}
	hi := []float64{1.5, 2.5, 3.5, 4.5, nan, 6.5}
	if got := fmt.Sprint(lineParts(x, y)); got != "[[{0 1} {1 2}] [{3 4} {4 5} {5 6}]]" {
		t.Errorf("line pieces %s", got)
	}
	// The band stops at the NaN at x = 4; the single point at x = 5 has no
	// area and is left out.
	if got := fmt.Sprint(bandPolygons(x, lo, hi)); got != "[[{0 1.5} {1 2.5} {2 3.5} {3 4.5} {3 3.5} {2 2.5} {1 1.5} {0 0.5}]]" {
		t.Errorf("band outline %s", got)
	}
	// AddCurves draws every band before any line.
	p := plot.New()
	if err := AddCurves(p,
		Curve{X: x, Y: y, Lo: lo, Hi: hi, Line: Line(color.Black, 1), Fill: color.Gray{Y: 200}},
		Curve{X: []float64{0, 1}, Y: []float64{3, nan}, Line: Line(color.Black, 1)},
	); err != nil {
		t.Fatal(err)
	}
	xmin, xmax, ymin, ymax := p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
	if xmin != 0 || xmax != 5 || ymin != 0.5 || ymax != 6 {
		t.Errorf("data range x %g..%g, y %g..%g; want 0..5, 0.5..6", xmin, xmax, ymin, ymax)
	}
}

func TestSummarizeTraces(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	ts := []Trace{
		{X: []float64{0, 10, 20}, Y: []float64{1, 3, nan}},
		{X: []float64{0, 10, 20, 30}, Y: []float64{3, 5, 7, 9}},
		{X: []float64{0, 10}, Y: []float64{nan, nan}},
	}
	s := SummarizeTraces(ts, MinMaxBand)
	want := Spread{
		X: []float64{0, 10, 20, 30}, Mean: []float64{2, 4, 7, 9},
		Lo: []float64{1, 3, 7, 9}, Hi: []float64{3, 5, 7, 9}, N: []int{2, 2, 1, 1},
	}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("min-max spread = %v, want %v", s, want)
	}
	sd := SummarizeTraces(ts, StdBand)
	if d := sd.Hi[0] - sd.Mean[0]; math.Abs(d-math.Sqrt2) > 1e-12 {
		t.Errorf("std band half-width = %g, want sqrt(2)", d)
	}
	if e := SummarizeTraces(nil, MinMaxBand); len(e.X) != 0 {
		t.Errorf("no traces: %v, want empty", e)
	}
}

func TestRunsOf(t *testing.T) {
	t.Parallel()
	ys := []float64{1, math.NaN(), 2, 3, math.Inf(1), 4}
	got := runsOf(len(ys), func(i int) bool { return !math.IsNaN(ys[i]) && !math.IsInf(ys[i], 0) })
	if want := [][2]int{{0, 1}, {2, 4}, {5, 6}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("runsOf = %v, want %v", got, want)
	}
}

func TestLog10Ticks(t *testing.T) {
	t.Parallel()
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
		for _, tk := range (Log10Ticks{}).Ticks(math.Log10(c.lo), math.Log10(c.hi)) {
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
	t.Parallel()
	if JitterOffset(0, 1) != 0 {
		t.Error("one sample must sit in the middle")
	}
	for n := 2; n < 8; n++ {
		for i := 0; i < n; i++ {
			o := JitterOffset(i, n)
			if o < -1 || o > 1 || (i > 0 && o <= JitterOffset(i-1, n)) {
				t.Fatalf("JitterOffset(%d, %d) = %g: want increasing within [-1, 1]", i, n, o)
			}
		}
	}
}

// A group is its samples in a column left of its mean, in seed order, with
// a bar over mean ± std; its range covers them all.
func TestStatGroups(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	g := SampleGroup(2, []float64{0.5, nan, 0.7, 0.9}, color.Black)
	if math.Abs(g.Mean-0.7) > 1e-12 || math.Abs(g.Hi-g.Mean-0.2) > 1e-12 || math.Abs(g.Mean-g.Lo-0.2) > 1e-12 {
		t.Errorf("group mean %g, bar %g..%g; want 0.7 ± 0.2 over the finite samples", g.Mean, g.Lo, g.Hi)
	}
	sg := StatGroups{Groups: []StatGroup{g}, Shift: 0.2, Jitter: 0.05}
	if got := fmt.Sprintf("%.3g", sg.samplePositions(g)); got != "[{1.75 0.5} {1.8 0.7} {1.85 0.9}]" {
		t.Errorf("samples drawn at %s", got)
	}

	groups := StatGroups{Groups: []StatGroup{
		{X: 1, Mean: 0.5, Lo: 0.4, Hi: 0.6, Samples: []float64{0.3, nan}},
		{X: 2, Mean: nan, Lo: nan, Hi: nan, Samples: []float64{0.9}},
		{X: nan, Mean: 5, Lo: 5, Hi: 5},
		{X: 3, Mean: nan, Lo: nan, Hi: nan},
	}, Shift: 0.1}
	xmin, xmax, ymin, ymax := groups.DataRange()
	if xmin != 0.9 || xmax != 2 || ymin != 0.3 || ymax != 0.9 {
		t.Errorf("range x %g..%g, y %g..%g; want 0.9..2, 0.3..0.9", xmin, xmax, ymin, ymax)
	}
}

// A heat map writes each cell's value (or its own label) on it, in white on
// dark cells, and draws the rows up the y axis.
func TestHeatMapCells(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	h := HeatMap{
		Z:      [][]float64{{0.5, 0.62}, {nan, 0.97}},
		XTicks: []string{"0.05", "0.1"}, YTicks: []string{"100", "200"},
		XLabel: "mu_1", YLabel: "n-train", ZLabel: "joint test accuracy", Format: "%.2f",
		ZMin: nan, ZMax: nan,
	}
	if got := fmt.Sprint(h.cellLabels()); got != "[[0.50 0.62] [n/a 0.97]]" {
		t.Errorf("cell labels %s", got)
	}
	texts := svgTexts(t, saveOne(t, func(c draw.Canvas) error { return h.Draw(c, "phase diagram") }))
	for _, want := range []string{"phase diagram", "0.50", "0.62", "n/a", "0.97", "mu_1", "n-train", "joint test accuracy", "0.05", "200"} {
		if !slices.Contains(texts, want) {
			t.Errorf("the figure has no text %q: %q", want, texts)
		}
	}
	h.Labels = [][]string{{"1/3", ""}, {"n/a", "3/3"}}
	if got := fmt.Sprint(h.cellLabels()); got != "[[1/3 ] [n/a 3/3]]" {
		t.Errorf("own labels %s", got)
	}
	texts = svgTexts(t, saveOne(t, func(c draw.Canvas) error { return h.Draw(c, "") }))
	if !slices.Contains(texts, "3/3") || slices.Contains(texts, "0.97") {
		t.Errorf("with labels, the cells show them instead of values: %q", texts)
	}
}

// A boundary runs along the cell edges between the region and the rest:
// here the region is the top-right corner of a 2 x 3 grid.
func TestHeatMapBoundary(t *testing.T) {
	t.Parallel()
	in := [][]bool{{false, false, true}, {false, true, true}}
	got := fmt.Sprint(boundaryEdges(in))
	// Row 0: between columns 1 and 2 (x = 1.5), above column 1 (y = 0.5),
	// the bottom border under column 2 and its right border; row 1: between
	// columns 0 and 1 (x = 0.5), the top border above column 1, the right
	// border, the top border above column 2.
	want := "[[{1.5 -0.5} {1.5 0.5}] [{0.5 0.5} {1.5 0.5}] [{1.5 -0.5} {2.5 -0.5}] [{2.5 -0.5} {2.5 0.5}] " +
		"[{0.5 0.5} {0.5 1.5}] [{0.5 1.5} {1.5 1.5}] [{2.5 0.5} {2.5 1.5}] [{1.5 1.5} {2.5 1.5}]]"
	if got != want {
		t.Errorf("edges %s, want %s", got, want)
	}
	if e := boundaryEdges([][]bool{{true, true}, {true, true}}); len(e) != 8 {
		t.Errorf("a region that fills a 2 x 2 grid has edges %v, want its border of 8", e)
	}
	if e := boundaryEdges([][]bool{{false, false}}); len(e) != 0 {
		t.Errorf("an empty region has edges %v", e)
	}
	nan := math.NaN()
	h := HeatMap{Z: [][]float64{{0, 1, 2}, {3, 4, 5}}, ZMin: nan, ZMax: nan, Format: "%.0f", Boundary: in}
	if b := saveOne(t, func(c draw.Canvas) error { return h.Draw(c, "with a boundary") }); len(b) == 0 {
		t.Error("nothing drawn")
	}
}

func TestHeatMapColors(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	h := HeatMap{Z: [][]float64{{0, 1}, {2, nan}}, ZMin: nan, ZMax: nan, Format: "%.0f"}
	if lo, hi := h.colorRange(); lo != 0 || hi != 2 {
		t.Errorf("range = %g..%g, want 0..2", lo, hi)
	}
	d := HeatMap{Z: [][]float64{{-0.1, 0.3}}, Diverging: true, ZMin: nan, ZMax: nan}
	if lo, hi := d.colorRange(); lo != -0.3 || hi != 0.3 {
		t.Errorf("diverging range = %g..%g, want -0.3..0.3, centred on zero", lo, hi)
	}
	c := HeatMap{Z: [][]float64{{2, 2}}, ZMin: nan, ZMax: nan}
	if lo, hi := c.colorRange(); !(lo < 2 && hi > 2) {
		t.Errorf("constant range = %g..%g, want around 2", lo, hi)
	}
	cm, err := h.colorMap(0, 2)
	if err != nil {
		t.Fatal(err)
	}
	// Sequential: low values dark, high values light, so that annotations
	// switch from white to black text.
	low, _ := cm.At(0)
	high, _ := cm.At(2)
	if !(Luminance(low) < 0.2 && Luminance(high) > 0.6) {
		t.Errorf("luminance %g at min, %g at max: want dark to light", Luminance(low), Luminance(high))
	}
	hm := &plotter.HeatMap{Palette: cm.Palette(255), Min: 0, Max: 2, NaN: color.Gray{Y: 200}}
	if cellColor(hm, nan) != hm.NaN || cellColor(hm, -5) != hm.Palette.Colors()[0] || cellColor(hm, 9) != hm.Palette.Colors()[254] {
		t.Error("cell colours: want grey for NaN and the end colours outside the range")
	}
}

// Heat maps at the edges still draw: constant, all NaN, empty, values
// outside a fixed range.
func TestHeatMapEdges(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for name, h := range map[string]HeatMap{
		"constant": {Z: [][]float64{{1, 1, 1}}, ZMin: nan, ZMax: nan, Format: "%.0f"},
		"all NaN":  {Z: [][]float64{{nan, nan}, {nan, nan}}, ZMin: nan, ZMax: nan, Format: "%.1f"},
		"empty":    {ZMin: nan, ZMax: nan},
		"fixed":    {Z: [][]float64{{-1, 0.5, 3}}, ZMin: 0, ZMax: 1, Format: "%.1f"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			saveOne(t, func(c draw.Canvas) error { return h.Draw(c, name) })
		})
	}
}

// A figure draws its title, its panels' titles and its legend.
func TestFigure(t *testing.T) {
	t.Parallel()
	p := NewPanel("left panel", "step", "value")
	if err := AddCurves(p, Curve{X: []float64{0, 1, 2}, Y: []float64{1, 2, 3}, Line: Line(Blue.Color(255), ThickLine)}); err != nil {
		t.Fatal(err)
	}
	p.Add(RefLine{Y: 2, Line: RefStyle(), Label: "threshold"})
	q := NewPanel("right panel", "step", "value")
	LogY(q, 0.01, 5)
	l := NewLegend()
	l.Add("mean", CurveKey(Line(Blue.Color(255), ThickLine), WithAlpha(Blue.Color(255), 40)))
	l.Add("one seed", GlyphKey(SampleGlyph(color.Black)))
	svg := saveOne(t, Built(func() (Figure, error) {
		return Figure{Title: "the title", Panels: []*plot.Plot{p, q}, Legend: l}, nil
	}))
	texts := svgTexts(t, svg)
	for _, want := range []string{"the title", "left panel", "right panel", "threshold", "mean", "one seed", "0.1", "1"} {
		if !slices.Contains(texts, want) {
			t.Errorf("the figure has no text %q: %q", want, texts)
		}
	}
}

// Save writes every figure it can and reports the others; a figure that
// panics in gonum/plot is an error, not a crash.
func TestSave(t *testing.T) {
	t.Parallel()
	files := Files{}
	ok := func(draw.Canvas) error { return nil }
	names, err := Save(files, []File{
		{Name: "a", Width: vg.Inch, Height: vg.Inch, Draw: ok},
		{Name: "b", Width: vg.Inch, Height: vg.Inch, Draw: func(draw.Canvas) error { panic("bad input") }},
		{Name: "c", Width: vg.Inch, Height: vg.Inch, Draw: func(draw.Canvas) error { return errors.New("no data") }},
		{Name: "d", Width: vg.Inch, Height: vg.Inch, Draw: ok},
	})
	if fmt.Sprint(names) != "[a.png a.svg d.png d.svg]" || len(files) != 4 {
		t.Errorf("names %v, files %d; want a and d, each as PNG and SVG", names, len(files))
	}
	if err == nil || !strings.Contains(err.Error(), "b.png: drawing failed: bad input") || !strings.Contains(err.Error(), "c.png: no data") {
		t.Errorf("err = %v, want both failures named", err)
	}
	if _, err := Render("gif", vg.Inch, vg.Inch, ok); err == nil {
		t.Error("unknown format: want an error")
	}
}
