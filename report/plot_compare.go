package report

// The figures of a comparison: how each modality's feature alignment grows
// alone and inside the joint network (the competition itself), the final
// test accuracies, and the test accuracies over training.

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/modcomp/modcomp/graph"
	"github.com/modcomp/modcomp/internal/figure"
	"github.com/modcomp/modcomp/internal/stats"
)

// alignFloor is the smallest alignment drawn: alignment runs from about
// 0.01 at initialisation to about 5, so its axis is logarithmic, and a log
// axis cannot show zero or negative values (an encoder whose best neuron
// points away from the feature). Such values are drawn at the floor, and
// the legend says so when it happens.
const alignFloor = 1e-3

// CompareFigures draws the figures of a comparison (its runs as Summarize
// takes them, and their summary s, which may be nil) into sink, each as PNG
// and SVG, and returns the names of the files written. Only networks that
// completed, with a non-empty log, are drawn: a diverged or interrupted
// network would mix a different number of steps, or exploding values, into
// the means; the legends count the runs left out.
func CompareFigures(sink figure.Sink, set Setting, runs []Run, s *Summary) ([]string, error) {
	return figure.Save(sink, compareFigures(set, runs, s))
}

// compareFigures are the figures of a comparison, to save.
func compareFigures(set Setting, runs []Run, s *Summary) []figure.File {
	d := newCompareData(set.K, runs)
	th := learnedLines(set.Rho, s, d.k)
	panelW := 4.1 * vg.Inch
	if d.k > 2 {
		panelW = 3.7 * vg.Inch
	}
	legendW := 2.1 * vg.Inch
	figures := []figure.File{
		{Name: "alignment", Width: vg.Length(d.k)*panelW + legendW, Height: 4.2 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return alignmentFigure(d, th) })},
		{Name: "accuracy", Width: vg.Length(2*d.k+1)*1.15*vg.Inch + legendW + 0.8*vg.Inch, Height: 4.5 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return accuracyFigure(d) })},
		{Name: "accuracy_curves", Width: vg.Length(d.k)*panelW + legendW, Height: 4.2 * vg.Inch,
			Draw: figure.Built(func() (figure.Figure, error) { return accuracyCurvesFigure(d) })},
	}
	return append(figures, methodFigures(d, s, th, panelW, legendW)...)
}

// learnedLines are the alignments above which an encoder of each modality
// counts as having learned its feature, labelled: the summary's thresholds
// when it has them, so that the figure and summary.json agree on who
// learned, else rho.
func learnedLines(rho float64, s *Summary, k int) []figure.RefLine {
	lines := make([]figure.RefLine, k)
	for r := range lines {
		lines[r] = figure.RefLine{Y: rho, Line: figure.RefStyle(), Label: fmt.Sprintf("rho = %g (learned)", rho)}
		if s != nil && r < len(s.LearnedThreshold) && stats.Finite(s.LearnedThreshold[r]) && s.LearnedThreshold[r] > 0 {
			th := s.LearnedThreshold[r]
			lines[r].Y, lines[r].Label = th, fmt.Sprintf("learned: rho/alpha%d = %.3g", r, th)
		}
	}
	return lines
}

// The colours of the roles a network plays, the same in every figure.
const (
	roleAlone   = figure.Blue       // a uni-modal network, trained alone
	roleEncoder = figure.Vermillion // an encoder inside the joint network
	roleJoint   = figure.Black      // the joint network as a whole
)

// compareData is the logs of a comparison by network, keeping only runs
// that completed with a non-empty log. Networks are found by what they are
// (a uni-modal network sees one modality, a joint network all of them,
// trained by its method) and labelled with their runs' names, uni-m<r> and
// joint where no run shows one.
type compareData struct {
	k, seeds int              // modalities, and seeds among the runs
	uni      []string         // name of the uni-modal network of each modality
	joint    string           // name of the naive joint network
	done     map[string][]Run // by network name, in seed order
	left     int              // runs of these networks left out
	// methods is the name of the joint network of each training method.
	methods map[string]string
}

func newCompareData(k int, runs []Run) compareData {
	d := compareData{k: k, uni: make([]string, k), joint: "joint", done: map[string][]Run{}, methods: map[string]string{}}
	for r := range d.uni {
		d.uni[r] = modalityNetwork(r)
	}
	for _, r := range runs {
		switch {
		case len(r.Modalities) == 1 && r.Modalities[0] < k:
			d.uni[r.Modalities[0]] = r.Network
		case len(r.Modalities) == k && r.Method == "naive":
			d.joint = r.Network
		}
		if len(r.Modalities) == k {
			d.methods[r.Method] = r.Network
		}
	}
	drawn := map[string]bool{d.joint: true}
	for _, u := range d.uni {
		drawn[u] = true
	}
	seeds := map[uint64]bool{}
	for _, r := range runs {
		if !seeds[r.Seed] {
			seeds[r.Seed] = true
			d.seeds++
		}
		if !r.completed() || len(r.Log) == 0 {
			// Other methods' networks are not drawn here; the methods
			// figure counts its own.
			if drawn[r.Network] {
				d.left++
			}
			continue
		}
		d.done[r.Network] = append(d.done[r.Network], r)
	}
	return d
}

// traces is metric over steps in each completed run of network.
func (d compareData) traces(network, metric string) []figure.Trace {
	var ts []figure.Trace
	for _, r := range d.done[network] {
		t := figure.Trace{X: make([]float64, len(r.Log)), Y: make([]float64, len(r.Log))}
		for i, rec := range r.Log {
			t.X[i] = float64(rec.Step)
			t.Y[i], _ = rec.Get(metric) // NaN when absent
		}
		ts = append(ts, t)
	}
	return ts
}

// finals is the last logged value of metric in each completed run of
// network, NaN values left out.
func (d compareData) finals(network, metric string) []float64 {
	var vs []float64
	for _, r := range d.done[network] {
		_, rec := r.endpoints()
		if v, _ := rec.Get(metric); stats.Finite(v) {
			vs = append(vs, v)
		}
	}
	return vs
}

// shown is the number of seeds drawn for network.
func (d compareData) shown(network string) int { return len(d.done[network]) }

// maxShown is the largest number of seeds drawn for any network.
func (d compareData) maxShown() int {
	n := 0
	for _, rs := range d.done {
		n = max(n, len(rs))
	}
	return n
}

// notes are the legend's closing lines: how many seeds, and what was left out.
func (d compareData) notes(l *plot.Legend, extra ...string) {
	l.Add(fmt.Sprintf("%d seed%s", d.seeds, plural(d.seeds)))
	if d.left > 0 {
		l.Add(fmt.Sprintf("%d run%s not completed: left out", d.left, plural(d.left)))
	}
	for _, e := range extra {
		l.Add(e)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// series is one network's metric in a panel: its seeds' traces and their
// summary, in its role's colour.
type series struct {
	traces []figure.Trace
	spread figure.Spread
	color  color.Color
	width  vg.Length // of the mean's line
}

// roleStyle is the colours and mean-line widths of the roles; a series
// drawn later is thinner, so that where two means coincide (a modality
// learned as well jointly as alone) both stay visible.
func roleStyle(role figure.OkabeIto) (color.Color, vg.Length) {
	switch role {
	case roleAlone:
		return role.Color(255), vg.Points(3.2)
	case roleEncoder:
		return role.Color(255), vg.Points(1.9)
	}
	return role.Color(255), vg.Points(1.6)
}

// roleKey is the legend key of a role's mean and band.
func roleKey(role figure.OkabeIto) figure.LegendKey {
	c, w := roleStyle(role)
	return figure.CurveKey(figure.Line(c, w), figure.WithAlpha(c, bandAlpha(c)))
}

// bandAlpha is the opacity of a role's band: black needs less to show as
// much as a colour.
func bandAlpha(c color.Color) uint8 {
	if figure.Luminance(c) < 0.05 {
		return 22
	}
	return 40
}

// drawSeries draws each series' mean over its band, and, with perSeed, each
// seed's thin line between the bands and the means.
func drawSeries(p *plot.Plot, ss []series, perSeed bool) error {
	var seeds, means []figure.Curve
	for _, s := range ss {
		if perSeed {
			for _, t := range s.traces {
				seeds = append(seeds, figure.Curve{X: t.X, Y: t.Y, Line: figure.Line(figure.WithAlpha(s.color, 110), figure.ThinLine)})
			}
		}
		means = append(means, figure.Curve{
			X: s.spread.X, Y: s.spread.Mean, Lo: s.spread.Lo, Hi: s.spread.Hi,
			Line: figure.Line(s.color, s.width), Fill: figure.WithAlpha(s.color, bandAlpha(s.color)),
		})
	}
	return figure.AddCurves(p, append(seeds, means...)...)
}

// alignmentFigure is the picture of the competition: for each modality, the
// alignment of its encoder with its feature when trained alone and inside
// the joint network. A modality that loses the competition learns its
// feature alone but stays near its initial alignment in the joint network.
func alignmentFigure(d compareData, learned []figure.RefLine) (figure.Figure, error) {
	lo, hi := math.NaN(), math.NaN()
	for _, l := range learned {
		lo, hi = fmin(lo, l.Y), fmax(hi, l.Y)
	}
	clamped := false
	var panels []*plot.Plot
	for r := 0; r < d.k; r++ {
		metric := graph.Align(r)
		p := figure.NewPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "training step", fmt.Sprintf("alignment with feature v%d (%s)", r, metric))
		var ss []series
		for _, n := range []struct {
			network string
			role    figure.OkabeIto
		}{{d.uni[r], roleAlone}, {d.joint, roleEncoder}} {
			s := series{traces: d.traces(n.network, metric)}
			s.color, s.width = roleStyle(n.role)
			// Summarise the raw values, then clamp what is drawn: the
			// mean of the seeds is the mean the summary reports.
			s.spread = figure.SummarizeTraces(s.traces, figure.MinMaxBand)
			for i := range s.traces {
				clamped = figure.ClampBelow(s.traces[i].Y, alignFloor) || clamped
				s.traces[i].Y = figure.Log10s(s.traces[i].Y)
			}
			for _, vs := range []*[]float64{&s.spread.Mean, &s.spread.Lo, &s.spread.Hi} {
				clamped = figure.ClampBelow(*vs, alignFloor) || clamped
				l, h := stats.MinMax(stats.FiniteValues(*vs))
				lo, hi = fmin(lo, l), fmax(hi, h)
				*vs = figure.Log10s(*vs)
			}
			ss = append(ss, s)
		}
		// Reference lines go under the data, which may sit on them.
		line := learned[r]
		line.Y = math.Log10(line.Y)
		p.Add(line)
		if err := drawSeries(p, ss, d.maxShown() > 1); err != nil {
			return figure.Figure{}, err
		}
		panels = append(panels, p)
	}
	// One y range for every panel, so that heights compare across modalities.
	for _, p := range panels {
		figure.LogY(p, lo, hi)
	}

	l := figure.NewLegend()
	l.Add("uni-m<r>: trained alone", roleKey(roleAlone))
	l.Add("joint: its encoder m<r>", roleKey(roleEncoder))
	if d.maxShown() > 1 {
		l.Add("mean over seeds", figure.LineKey(figure.Line(color.Gray{Y: 60}, figure.ThickLine)))
		l.Add("min-max over seeds", figure.LegendKey{Fill: color.NRGBA{A: 40}})
		l.Add("one seed", figure.LineKey(figure.Line(color.NRGBA{A: 110}, figure.ThinLine)))
	}
	l.Add("threshold of learned", figure.RefLine{Line: figure.RefStyle()})
	var extra []string
	if clamped {
		extra = append(extra, fmt.Sprintf("values below %g drawn at %g", alignFloor, alignFloor))
	}
	d.notes(l, extra...)
	return figure.Figure{Title: "Feature alignment of each modality's encoder, alone and in the joint network", Panels: panels, Legend: l}, nil
}

// fmin and fmax ignore a NaN operand, unlike math.Min and math.Max.
func fmin(a, b float64) float64 {
	if math.IsNaN(b) || b >= a {
		return a
	}
	return b
}

func fmax(a, b float64) float64 {
	if math.IsNaN(b) || b <= a {
		return a
	}
	return b
}

// accuracyAxis sets y to an accuracy axis from 0.4 (or lower, when a value
// is) to 1, with ticks every 0.1.
func accuracyAxis(p *plot.Plot, lowest float64) {
	lo := 0.4
	if stats.Finite(lowest) && lowest < lo+0.02 {
		lo = math.Max(0, math.Floor((lowest-0.02)*10)/10)
	}
	p.Y.Min, p.Y.Max = lo, 1
	p.Y.Tick.Marker = figure.LinearTicks(lo, 1, 0.1, "%.1f")
}

// chanceLine is the accuracy of guessing one of two classes. Only the
// legend names it: the networks that lost the competition sit on it, where
// a label would cover them.
func chanceLine() figure.RefLine {
	return figure.RefLine{Y: 0.5, Line: figure.RefStyle()}
}

// accuracyFigure is the final test accuracy of every network over seeds:
// the uni-modal networks, the joint network, and each encoder of the joint
// network used alone.
func accuracyFigure(d compareData) (figure.Figure, error) {
	var groups []figure.StatGroup
	var names []string
	add := func(network, metric, name string, c color.Color) {
		vs := d.finals(network, metric)
		if n := d.shown(network); n < d.seeds {
			name += fmt.Sprintf("\n%d of %d seeds", n, d.seeds)
		}
		groups = append(groups, figure.SampleGroup(float64(len(groups)), vs, c))
		names = append(names, name)
	}
	for r := 0; r < d.k; r++ {
		add(d.uni[r], graph.TestAcc, d.uni[r], roleAlone.Color(255))
	}
	add(d.joint, graph.TestAcc, d.joint, roleJoint.Color(255))
	for r := 0; r < d.k; r++ {
		add(d.joint, graph.EncTestAcc(r), fmt.Sprintf("joint enc m%d", r), roleEncoder.Color(255))
	}

	p := figure.NewPanel("", "", "test accuracy")
	pg := figure.StatGroups{Groups: groups, Shift: 0.2, Jitter: 0.06, Format: "%.3f"}
	// The axis covers the samples, not mean - std: a bar may be clipped at
	// the bottom, but the axis keeps its usual range.
	lowest := math.NaN()
	for _, g := range groups {
		l, _ := stats.MinMax(g.Samples)
		lowest = fmin(lowest, l)
	}
	sep := draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(0.8)}
	p.Add(figure.VLine{X: float64(d.k) - 0.5, Line: sep}, figure.VLine{X: float64(d.k) + 0.5, Line: sep})
	p.Add(chanceLine(), pg)
	accuracyAxis(p, lowest)
	p.X.Min, p.X.Max = -0.6, float64(len(groups))-0.4
	p.X.Tick.Marker = figure.NamedTicks(names, len(names))
	p.X.Tick.Length = 0

	l := figure.NewLegend()
	l.Add("uni-modal, trained alone", figure.GlyphKey(figure.MeanGlyph(roleAlone.Color(255))))
	l.Add("joint network", figure.GlyphKey(figure.MeanGlyph(roleJoint.Color(255))))
	l.Add("joint's encoder alone", figure.GlyphKey(figure.MeanGlyph(roleEncoder.Color(255))))
	l.Add("mean ± std over seeds", figure.ErrorBarKey(figure.MeanGlyph(color.Gray{Y: 60})))
	l.Add("one seed", figure.GlyphKey(figure.SampleGlyph(color.Gray{Y: 60})))
	l.Add("chance", chanceLine())
	d.notes(l)
	return figure.Figure{Title: "Final test accuracy: uni-modal networks vs the joint network", Panels: []*plot.Plot{p}, Legend: l}, nil
}

// accuracyCurvesFigure is test accuracy over training, one panel per
// modality: its uni-modal network, its encoder inside the joint network used
// alone, and the joint network.
func accuracyCurvesFigure(d compareData) (figure.Figure, error) {
	var panels []*plot.Plot
	lowest := math.NaN()
	for r := 0; r < d.k; r++ {
		p := figure.NewPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "training step", "test accuracy")
		var ss []series
		for _, n := range []struct {
			network, metric string
			role            figure.OkabeIto
		}{
			{d.uni[r], graph.TestAcc, roleAlone},
			{d.joint, graph.EncTestAcc(r), roleEncoder},
			{d.joint, graph.TestAcc, roleJoint},
		} {
			s := series{traces: d.traces(n.network, n.metric)}
			s.color, s.width = roleStyle(n.role)
			s.spread = figure.SummarizeTraces(s.traces, figure.MinMaxBand)
			l, _ := stats.MinMax(stats.FiniteValues(s.spread.Lo))
			lowest = fmin(lowest, l)
			ss = append(ss, s)
		}
		p.Add(chanceLine())
		if err := drawSeries(p, ss, false); err != nil {
			return figure.Figure{}, err
		}
		panels = append(panels, p)
	}
	for _, p := range panels {
		accuracyAxis(p, lowest)
	}

	l := figure.NewLegend()
	l.Add("uni-m<r>: trained alone", roleKey(roleAlone))
	l.Add("joint's encoder m<r> alone", roleKey(roleEncoder))
	l.Add("joint network", roleKey(roleJoint))
	if d.maxShown() > 1 {
		l.Add("line: mean over seeds", figure.LineKey(figure.Line(color.Gray{Y: 60}, figure.ThickLine)))
		l.Add("band: min-max over seeds", figure.LegendKey{Fill: color.NRGBA{A: 40}})
	}
	l.Add("chance", chanceLine())
	d.notes(l)
	return figure.Figure{Title: "Test accuracy during training", Panels: panels, Legend: l}, nil
}
