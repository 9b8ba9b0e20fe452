package runs

// The figure of a comparison of training methods: how each modality's
// encoder aligns with its feature inside the joint network trained by each
// method, against the uni-modal network trained alone. A method that beats
// modality competition keeps the weaker modality's curve up with its
// uni-modal reference; naive joint training leaves it near initialisation.

import (
	"fmt"
	"image/color"
	"math"

	"github.com/modcomp/modcomp/graph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// methodFigures are the figures of the training methods of a comparison:
// none unless the summary compares more than one method.
func methodFigures(d compareData, s *Summary, learned []refLine, panelW, legendW vg.Length) []figureFile {
	if s == nil || len(s.Methods) < 2 {
		return nil
	}
	var methods []string
	for _, m := range s.Methods {
		methods = append(methods, m.Method)
	}
	return []figureFile{{"methods_alignment", vg.Length(d.k)*panelW + legendW, 4.2 * vg.Inch,
		built(func() (figure, error) { return methodsAlignmentFigure(d, methods, learned) })}}
}

// methodColor is the colour of the i-th training method: naive in the
// colour of the joint encoder in the other figures, then the Okabe-Ito
// colours left once blue (the uni-modal network) and yellow (unreadable as
// a line) are taken out.
func methodColor(i int) color.NRGBA {
	order := [...]okabeIto{okVermillion, okGreen, okPurple, okBlack, okOrange, okSkyBlue}
	return order[((i%len(order))+len(order))%len(order)].color(255)
}

// methodWidth is the width of the i-th method's mean line: later ones are
// thinner and drawn on top, so that where two methods coincide (naive and
// ume on the modality that wins the competition) both stay visible.
func methodWidth(i int) vg.Length {
	widths := [...]float64{4.2, 2.8, 2.2, 1.8, 1.5}
	if i >= 0 && i < len(widths) {
		return vg.Points(widths[i])
	}
	return vg.Points(1.3)
}

// methodsAlignmentFigure is, for each modality, the alignment of the joint
// network's encoder with the modality's feature over training, one line per
// training method (mean over the seeds where it completed, with the min-max
// band), and the uni-modal network's alignment as a dashed reference.
func methodsAlignmentFigure(d compareData, methods []string, learned []refLine) (figure, error) {
	specs := CompareNetworks(d.k, methods)[d.k:]
	lo, hi := math.NaN(), math.NaN()
	for _, l := range learned {
		lo, hi = fmin(lo, l.y), fmax(hi, l.y)
	}
	clamped, drawn := false, false
	// logged clamps vs to the log axis's floor, widens the y range to cover
	// them, and returns their log10.
	logged := func(vs []float64) []float64 {
		clamped = clampBelow(vs, alignFloor) || clamped
		l, h := minMax(finiteValues(vs))
		lo, hi = fmin(lo, l), fmax(hi, h)
		drawn = drawn || len(finiteValues(vs)) > 0
		return log10s(vs)
	}
	var panels []*plot.Plot
	for r := 0; r < d.k; r++ {
		metric := graph.Align(r)
		p := newPanel(fmt.Sprintf("m%d: joint encoder, by training method", r), "training step",
			fmt.Sprintf("alignment with feature v%d (%s)", r, metric))
		var ss []series
		for i, sp := range specs {
			s := series{traces: d.traces(sp.Name, metric), color: methodColor(i), width: methodWidth(i)}
			// Summarise the raw values, then clamp what is drawn: the mean
			// of the seeds is the mean the summary reports.
			s.spread = summarizeTraces(s.traces, envMinMax)
			for _, vs := range []*[]float64{&s.spread.mean, &s.spread.lo, &s.spread.hi} {
				*vs = logged(*vs)
			}
			ss = append(ss, s)
		}
		uni := summarizeTraces(d.traces(d.uni[r], metric), envMinMax)
		uniMean := logged(uni.mean)

		// Reference lines go under the data, which may sit on them; the
		// uni-modal reference goes over it, dashed, so that a method whose
		// encoder learns exactly as alone (ume) shows through its gaps.
		line := learned[r]
		line.y = math.Log10(line.y)
		p.Add(line)
		var means []curve
		for _, s := range ss {
			means = append(means, curve{
				x: s.spread.x, y: s.spread.mean, lo: s.spread.lo, hi: s.spread.hi,
				line: lineStyle(s.color, s.width), fill: withAlpha(s.color, methodBandAlpha(s.color)),
			})
		}
		means = append(means, curve{x: uni.x, y: uniMean, line: uniRefStyle()})
		if err := addCurves(p, means...); err != nil {
			return figure{}, err
		}
		panels = append(panels, p)
	}
	// One y range for every panel, so that heights compare across modalities.
	for _, p := range panels {
		logY(p, lo, hi)
	}

	l := newLegend()
	l.Add("joint network trained by:")
	for i, sp := range specs {
		name := "  " + sp.Method
		switch n := d.shown(sp.Name); {
		case n == 0:
			name += " (no completed run)"
		case n < d.seeds:
			name += fmt.Sprintf(" (%d of %d seeds)", n, d.seeds)
		}
		c := methodColor(i)
		l.Add(name, legendKey{fill: withAlpha(c, methodBandAlpha(c)), line: ptr(lineStyle(c, methodWidth(i)))})
	}
	l.Add("uni-m<r>: trained alone", legendKey{line: ptr(uniRefStyle())})
	if d.maxShown() > 1 {
		l.Add("line: mean over seeds", legendKey{line: ptr(lineStyle(color.Gray{Y: 60}, thickLine))})
		l.Add("band: min-max over seeds", legendKey{fill: color.NRGBA{A: 40}})
	}
	l.Add("threshold of learned", refLine{line: refLineStyle()})
	var extra []string
	if clamped {
		extra = append(extra, fmt.Sprintf("values below %g drawn at %g", alignFloor, alignFloor))
	}
	if !drawn {
		extra = append(extra, "no alignment logged")
	}
	// The runs left out are counted over the networks of this figure, every
	// seed's uni-modal networks and joint networks, whatever d counted.
	drawnRuns := 0
	for _, n := range d.uni {
		drawnRuns += d.shown(n)
	}
	for _, sp := range specs {
		drawnRuns += d.shown(sp.Name)
	}
	d.left = max(0, d.seeds*(d.k+len(specs))-drawnRuns)
	d.notes(l, extra...)
	return figure{title: "Feature alignment of the joint network's encoders, by training method", panels: panels, legend: l}, nil
}

// uniRefStyle is the dashed line of the uni-modal reference, in the colour
// of a network trained alone.
func uniRefStyle() draw.LineStyle {
	c, _ := roleStyle(roleAlone)
	sty := lineStyle(c, vg.Points(1.7))
	sty.Dashes = dashes()
	return sty
}

// methodBandAlpha is the opacity of a method's band: lighter than a role's
// band in the other figures, since up to six overlap.
func methodBandAlpha(c color.Color) uint8 {
	return bandAlpha(c) * 3 / 4
}
