package report

// The figure of a comparison of training methods: how each modality's
// encoder aligns with its feature inside the joint network trained by each
// method, against the uni-modal network trained alone. A method that beats
// modality competition keeps the weaker modality's curve up with its
// uni-modal reference; naive joint training leaves it near initialisation.

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

// methodFigures are the figures of the training methods of a comparison:
// none unless the summary compares more than one method.
func methodFigures(d compareData, s *Summary, learned []figure.RefLine, panelW, legendW vg.Length) []figure.File {
	if s == nil || len(s.Methods) < 2 {
		return nil
	}
	var methods []string
	for _, m := range s.Methods {
		methods = append(methods, m.Method)
	}
	return []figure.File{{Name: "methods_alignment", Width: vg.Length(d.k)*panelW + legendW, Height: 4.2 * vg.Inch,
		Draw: figure.Built(func() (figure.Figure, error) { return methodsAlignmentFigure(d, methods, learned) })}}
}

// methodColor is the colour of the i-th training method: naive in the
// colour of the joint encoder in the other figures, then the Okabe-Ito
// colours left once blue (the uni-modal network) and yellow (unreadable as
// a line) are taken out.
func methodColor(i int) color.NRGBA {
	order := []figure.OkabeIto{figure.Vermillion, figure.Green, figure.Purple, figure.Black, figure.Orange, figure.SkyBlue}
	return figure.Cycle(order, i).Color(255)
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
func methodsAlignmentFigure(d compareData, methods []string, learned []figure.RefLine) (figure.Figure, error) {
	lo, hi := math.NaN(), math.NaN()
	for _, l := range learned {
		lo, hi = fmin(lo, l.Y), fmax(hi, l.Y)
	}
	clamped, drawn := false, false
	// logged clamps vs to the log axis's floor, widens the y range to cover
	// them, and returns their log10.
	logged := func(vs []float64) []float64 {
		clamped = figure.ClampBelow(vs, alignFloor) || clamped
		l, h := stats.MinMax(stats.FiniteValues(vs))
		lo, hi = fmin(lo, l), fmax(hi, h)
		drawn = drawn || len(stats.FiniteValues(vs)) > 0
		return figure.Log10s(vs)
	}
	var panels []*plot.Plot
	for r := 0; r < d.k; r++ {
		metric := graph.Align(r)
		p := figure.NewPanel(fmt.Sprintf("m%d: joint encoder, by training method", r), "training step",
			fmt.Sprintf("alignment with feature v%d (%s)", r, metric))
		var ss []series
		for i, m := range methods {
			s := series{traces: d.traces(d.methods[m], metric), color: methodColor(i), width: methodWidth(i)}
			// Summarise the raw values, then clamp what is drawn: the mean
			// of the seeds is the mean the summary reports.
			s.spread = figure.SummarizeTraces(s.traces, figure.MinMaxBand)
			for _, vs := range []*[]float64{&s.spread.Mean, &s.spread.Lo, &s.spread.Hi} {
				*vs = logged(*vs)
			}
			ss = append(ss, s)
		}
		uni := figure.SummarizeTraces(d.traces(d.uni[r], metric), figure.MinMaxBand)
		uniMean := logged(uni.Mean)

		// Reference lines go under the data, which may sit on them; the
		// uni-modal reference goes over it, dashed, so that a method whose
		// encoder learns exactly as alone (ume) shows through its gaps.
		line := learned[r]
		line.Y = math.Log10(line.Y)
		p.Add(line)
		var means []figure.Curve
		for _, s := range ss {
			means = append(means, figure.Curve{
				X: s.spread.X, Y: s.spread.Mean, Lo: s.spread.Lo, Hi: s.spread.Hi,
				Line: figure.Line(s.color, s.width), Fill: figure.WithAlpha(s.color, methodBandAlpha(s.color)),
			})
		}
		means = append(means, figure.Curve{X: uni.X, Y: uniMean, Line: uniRefStyle()})
		if err := figure.AddCurves(p, means...); err != nil {
			return figure.Figure{}, err
		}
		panels = append(panels, p)
	}
	// One y range for every panel, so that heights compare across modalities.
	for _, p := range panels {
		figure.LogY(p, lo, hi)
	}

	l := figure.NewLegend()
	l.Add("joint network trained by:")
	for i, m := range methods {
		name := "  " + m
		switch n := d.shown(d.methods[m]); {
		case n == 0:
			name += " (no completed run)"
		case n < d.seeds:
			name += fmt.Sprintf(" (%d of %d seeds)", n, d.seeds)
		}
		c := methodColor(i)
		l.Add(name, figure.CurveKey(figure.Line(c, methodWidth(i)), figure.WithAlpha(c, methodBandAlpha(c))))
	}
	l.Add("uni-m<r>: trained alone", figure.LineKey(uniRefStyle()))
	if d.maxShown() > 1 {
		l.Add("line: mean over seeds", figure.LineKey(figure.Line(color.Gray{Y: 60}, figure.ThickLine)))
		l.Add("band: min-max over seeds", figure.LegendKey{Fill: color.NRGBA{A: 40}})
	}
	l.Add("threshold of learned", figure.RefLine{Line: figure.RefStyle()})
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
	for _, m := range methods {
		drawnRuns += d.shown(d.methods[m])
	}
	d.left = max(0, d.seeds*(d.k+len(methods))-drawnRuns)
	d.notes(l, extra...)
	return figure.Figure{Title: "Feature alignment of the joint network's encoders, by training method", Panels: panels, Legend: l}, nil
}

// uniRefStyle is the dashed line of the uni-modal reference, in the colour
// of a network trained alone.
func uniRefStyle() draw.LineStyle {
	c, _ := roleStyle(roleAlone)
	sty := figure.Line(c, vg.Points(1.7))
	sty.Dashes = figure.Dashes()
	return sty
}

// methodBandAlpha is the opacity of a method's band: lighter than a role's
// band in the other figures, since up to six overlap.
func methodBandAlpha(c color.Color) uint8 {
	return bandAlpha(c) * 3 / 4
}
