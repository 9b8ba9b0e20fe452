package runs

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
)

// alignFloor is the smallest alignment drawn: alignment runs from about
// 0.01 at initialisation to about 5, so its axis is logarithmic, and a log
// axis cannot show zero or negative values (an encoder whose best neuron
// points away from the feature). Such values are drawn at the floor, and
// the legend says so when it happens.
const alignFloor = 1e-3

// comparePlots draws the figures of a comparison into dir, each as PNG and
// SVG, and returns the names of the files written. Only networks that
// completed, with a non-empty log, are drawn: a diverged or interrupted
// network would mix a different number of steps, or exploding values, into
// the means; the legends count the runs left out.
func comparePlots(dir *RunDir, cfg *Config, runs []*NetworkRun, s *Summary) ([]string, error) {
	d := newCompareData(jointModalities(runs), runs)
	th := learnedLines(cfg, s, d.k)
	panelW := 4.1 * vg.Inch
	if d.k > 2 {
		panelW = 3.7 * vg.Inch
	}
	legendW := 2.1 * vg.Inch
	figures := []figureFile{
		{"alignment", vg.Length(d.k)*panelW + legendW, 4.2 * vg.Inch, built(func() (figure, error) { return alignmentFigure(d, th) })},
		{"accuracy", vg.Length(2*d.k+1)*1.15*vg.Inch + legendW + 0.8*vg.Inch, 4.5 * vg.Inch, built(func() (figure, error) { return accuracyFigure(d) })},
		{"accuracy_curves", vg.Length(d.k)*panelW + legendW, 4.2 * vg.Inch, built(func() (figure, error) { return accuracyCurvesFigure(d) })},
	}
	figures = append(figures, methodFigures(d, s, th, panelW, legendW)...)
	return saveFigures(dir, figures)
}

// learnedLines are the alignments above which an encoder of each modality
// counts as having learned its feature, labelled: the summary's thresholds
// when it has them, so that the figure and summary.json agree on who
// learned, else rho.
func learnedLines(cfg *Config, s *Summary, k int) []refLine {
	lines := make([]refLine, k)
	for r := range lines {
		lines[r] = refLine{y: cfg.Rho, line: refLineStyle(), label: fmt.Sprintf("rho = %g (learned)", cfg.Rho)}
		if s != nil && r < len(s.LearnedThreshold) && finite(s.LearnedThreshold[r]) && s.LearnedThreshold[r] > 0 {
			th := s.LearnedThreshold[r]
			lines[r].y, lines[r].label = th, fmt.Sprintf("learned: rho/alpha%d = %.3g", r, th)
		}
	}
	return lines
}

// The colours of the roles a network plays, the same in every figure.
const (
	roleAlone   = okBlue       // a uni-modal network, trained alone
	roleEncoder = okVermillion // an encoder inside the joint network
	roleJoint   = okBlack      // the joint network as a whole
)

// refLineStyle is the style of reference lines: rho, chance.
func refLineStyle() draw.LineStyle {
	return draw.LineStyle{Color: color.Gray{Y: 90}, Width: vg.Points(1.2), Dashes: dashes()}
}

// compareData is the logs of a comparison by network, keeping only runs
// that completed with a non-empty log.
type compareData struct {
	k, seeds int      // modalities, and seeds among the runs
	uni      []string // uni-modal network of each modality
	joint    string
	done     map[string][]*NetworkRun // in seed order
	left     int                      // runs left out
}

func newCompareData(k int, runs []*NetworkRun) compareData {
	specs := CompareNetworks(k, []string{"naive"})
	d := compareData{k: k, joint: specs[k].Name, done: map[string][]*NetworkRun{}}
	for _, sp := range specs[:k] {
		d.uni = append(d.uni, sp.Name)
	}
	drawn := map[string]bool{d.joint: true}
	for _, u := range d.uni {
		drawn[u] = true
	}
	seeds := map[uint64]bool{}
	for _, r := range runs {
		if r != nil && !seeds[r.Seed] {
			seeds[r.Seed] = true
			d.seeds++
		}
		if r == nil || r.Status != string(graph.Completed) || len(r.Log) == 0 {
			// Other methods' networks are not drawn here; the methods
			// figure counts its own.
			if r == nil || drawn[r.Network] {
				d.left++
			}
			continue
		}
		d.done[r.Network] = append(d.done[r.Network], r)
	}
	return d
}

// traces is metric over steps in each completed run of network.
func (d compareData) traces(network, metric string) []trace {
	var ts []trace
	for _, r := range d.done[network] {
		t := trace{x: make([]float64, len(r.Log)), y: make([]float64, len(r.Log))}
		for i, rec := range r.Log {
			t.x[i] = float64(rec.Step)
			t.y[i], _ = rec.Get(metric) // NaN when absent
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
		rec, _ := r.Final()
		if v, _ := rec.Get(metric); finite(v) {
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
	traces []trace
	spread spread
	color  color.Color
	width  vg.Length // of the mean's line
}

// roleStyle is the colours and mean-line widths of the roles; a series
// drawn later is thinner, so that where two means coincide (a modality
// learned as well jointly as alone) both stay visible.
func roleStyle(role okabeIto) (color.Color, vg.Length) {
	switch role {
	case roleAlone:
		return role.color(255), vg.Points(3.2)
	case roleEncoder:
		return role.color(255), vg.Points(1.9)
	}
	return role.color(255), vg.Points(1.6)
}

// roleKey is the legend key of a role's mean and band.
func roleKey(role okabeIto) legendKey {
	c, w := roleStyle(role)
	return legendKey{fill: withAlpha(c, bandAlpha(c)), line: ptr(lineStyle(c, w))}
}

// bandAlpha is the opacity of a role's band: black needs less to show as
// much as a colour.
func bandAlpha(c color.Color) uint8 {
	if luminance(c) < 0.05 {
		return 22
	}
	return 40
}

// drawSeries draws each series' mean over its band, and, with perSeed, each
// seed's thin line between the bands and the means.
func drawSeries(p *plot.Plot, ss []series, perSeed bool) error {
	var seeds, means []curve
	for _, s := range ss {
		if perSeed {
			for _, t := range s.traces {
				seeds = append(seeds, curve{x: t.x, y: t.y, line: lineStyle(withAlpha(s.color, 110), thinLine)})
			}
		}
		means = append(means, curve{
			x: s.spread.x, y: s.spread.mean, lo: s.spread.lo, hi: s.spread.hi,
			line: lineStyle(s.color, s.width), fill: withAlpha(s.color, bandAlpha(s.color)),
		})
	}
	return addCurves(p, append(seeds, means...)...)
}

// alignmentFigure is the picture of the competition: for each modality, the
// alignment of its encoder with its feature when trained alone and inside
// the joint network. A modality that loses the competition learns its
// feature alone but stays near its initial alignment in the joint network.
func alignmentFigure(d compareData, learned []refLine) (figure, error) {
	lo, hi := math.NaN(), math.NaN()
	for _, l := range learned {
		lo, hi = fmin(lo, l.y), fmax(hi, l.y)
	}
	clamped := false
	var panels []*plot.Plot
	for r := 0; r < d.k; r++ {
		metric := graph.Align(r)
		p := newPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "training step", fmt.Sprintf("alignment with feature v%d (%s)", r, metric))
		var ss []series
		for _, n := range []struct {
			network string
			role    okabeIto
		}{{d.uni[r], roleAlone}, {d.joint, roleEncoder}} {
			s := series{traces: d.traces(n.network, metric)}
			s.color, s.width = roleStyle(n.role)
			// Summarise the raw values, then clamp what is drawn: the
			// mean of the seeds is the mean the summary reports.
			s.spread = summarizeTraces(s.traces, envMinMax)
			for i := range s.traces {
				clamped = clampBelow(s.traces[i].y, alignFloor) || clamped
				s.traces[i].y = log10s(s.traces[i].y)
			}
			for _, vs := range []*[]float64{&s.spread.mean, &s.spread.lo, &s.spread.hi} {
				clamped = clampBelow(*vs, alignFloor) || clamped
				l, h := minMax(finiteValues(*vs))
				lo, hi = fmin(lo, l), fmax(hi, h)
				*vs = log10s(*vs)
			}
			ss = append(ss, s)
		}
		// Reference lines go under the data, which may sit on them.
		line := learned[r]
		line.y = math.Log10(line.y)
		p.Add(line)
		if err := drawSeries(p, ss, d.maxShown() > 1); err != nil {
			return figure{}, err
		}
		panels = append(panels, p)
	}
	// One y range for every panel, so that heights compare across modalities.
	for _, p := range panels {
		logY(p, lo, hi)
	}

	l := newLegend()
	l.Add("uni-m<r>: trained alone", roleKey(roleAlone))
	l.Add("joint: its encoder m<r>", roleKey(roleEncoder))
	if d.maxShown() > 1 {
		l.Add("mean over seeds", legendKey{line: ptr(lineStyle(color.Gray{Y: 60}, thickLine))})
		l.Add("min-max over seeds", legendKey{fill: color.NRGBA{A: 40}})
		l.Add("one seed", legendKey{line: ptr(lineStyle(color.NRGBA{A: 110}, thinLine))})
	}
	l.Add("threshold of learned", refLine{line: refLineStyle()})
	var extra []string
	if clamped {
		extra = append(extra, fmt.Sprintf("values below %g drawn at %g", alignFloor, alignFloor))
	}
	d.notes(l, extra...)
	return figure{title: "Feature alignment of each modality's encoder, alone and in the joint network", panels: panels, legend: l}, nil
}

func ptr[T any](v T) *T { return &v }

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
	if finite(lowest) && lowest < lo+0.02 {
		lo = math.Max(0, math.Floor((lowest-0.02)*10)/10)
	}
	p.Y.Min, p.Y.Max = lo, 1
	p.Y.Tick.Marker = linearTicks(lo, 1, 0.1, "%.1f")
}

// chanceLine is the accuracy of guessing one of two classes. Only the
// legend names it: the networks that lost the competition sit on it, where
// a label would cover them.
func chanceLine() refLine {
	return refLine{y: 0.5, line: refLineStyle()}
}

// accuracyFigure is the final test accuracy of every network over seeds:
// the uni-modal networks, the joint network, and each encoder of the joint
// network used alone.
func accuracyFigure(d compareData) (figure, error) {
	var groups []statGroup
	var names []string
	add := func(network, metric, name string, c color.Color) {
		vs := d.finals(network, metric)
		if n := d.shown(network); n < d.seeds {
			name += fmt.Sprintf("\n%d of %d seeds", n, d.seeds)
		}
		groups = append(groups, sampleGroup(float64(len(groups)), vs, c))
		names = append(names, name)
	}
	for r := 0; r < d.k; r++ {
		add(d.uni[r], graph.TestAcc, d.uni[r], roleAlone.color(255))
	}
	add(d.joint, graph.TestAcc, d.joint, roleJoint.color(255))
	for r := 0; r < d.k; r++ {
		add(d.joint, graph.EncTestAcc(r), fmt.Sprintf("joint enc m%d", r), roleEncoder.color(255))
	}

	p := newPanel("", "", "test accuracy")
	pg := statGroups{groups: groups, shift: 0.2, jitter: 0.06, format: "%.3f"}
	// The axis covers the samples, not mean - std: a bar may be clipped at
	// the bottom, but the axis keeps its usual range.
	lowest := math.NaN()
	for _, g := range groups {
		l, _ := minMax(g.samples)
		lowest = fmin(lowest, l)
	}
	sep := draw.LineStyle{Color: color.Gray{Y: 170}, Width: vg.Points(0.8)}
	p.Add(vLine{x: float64(d.k) - 0.5, line: sep}, vLine{x: float64(d.k) + 0.5, line: sep})
	p.Add(chanceLine(), pg)
	accuracyAxis(p, lowest)
	p.X.Min, p.X.Max = -0.6, float64(len(groups))-0.4
	p.X.Tick.Marker = namedTicks(names, len(names))
	p.X.Tick.Length = 0

	l := newLegend()
	l.Add("uni-modal, trained alone", legendKey{glyph: ptr(meanGlyph(roleAlone.color(255)))})
	l.Add("joint network", legendKey{glyph: ptr(meanGlyph(roleJoint.color(255)))})
	l.Add("joint's encoder alone", legendKey{glyph: ptr(meanGlyph(roleEncoder.color(255)))})
	l.Add("mean ± std over seeds", legendKey{glyph: ptr(meanGlyph(color.Gray{Y: 60})), bar: true})
	l.Add("one seed", legendKey{glyph: ptr(sampleGlyph(color.Gray{Y: 60}))})
	l.Add("chance", chanceLine())
	d.notes(l)
	return figure{title: "Final test accuracy: uni-modal networks vs the joint network", panels: []*plot.Plot{p}, legend: l}, nil
}

// accuracyCurvesFigure is test accuracy over training, one panel per
// modality: its uni-modal network, its encoder inside the joint network used
// alone, and the joint network.
func accuracyCurvesFigure(d compareData) (figure, error) {
	var panels []*plot.Plot
	lowest := math.NaN()
	for r := 0; r < d.k; r++ {
		p := newPanel(fmt.Sprintf("m%d: alone vs in joint training", r), "training step", "test accuracy")
		var ss []series
		for _, n := range []struct {
			network, metric string
			role            okabeIto
		}{
			{d.uni[r], graph.TestAcc, roleAlone},
			{d.joint, graph.EncTestAcc(r), roleEncoder},
			{d.joint, graph.TestAcc, roleJoint},
		} {
			s := series{traces: d.traces(n.network, n.metric)}
			s.color, s.width = roleStyle(n.role)
			s.spread = summarizeTraces(s.traces, envMinMax)
			l, _ := minMax(finiteValues(s.spread.lo))
			lowest = fmin(lowest, l)
			ss = append(ss, s)
		}
		p.Add(chanceLine())
		if err := drawSeries(p, ss, false); err != nil {
			return figure{}, err
		}
		panels = append(panels, p)
	}
	for _, p := range panels {
		accuracyAxis(p, lowest)
	}

	l := newLegend()
	l.Add("uni-m<r>: trained alone", roleKey(roleAlone))
	l.Add("joint's encoder m<r> alone", roleKey(roleEncoder))
	l.Add("joint network", roleKey(roleJoint))
	if d.maxShown() > 1 {
		l.Add("line: mean over seeds", legendKey{line: ptr(lineStyle(color.Gray{Y: 60}, thickLine))})
		l.Add("band: min-max over seeds", legendKey{fill: color.NRGBA{A: 40}})
	}
	l.Add("chance", chanceLine())
	d.notes(l)
	return figure{title: "Test accuracy during training", panels: panels, legend: l}, nil
}
