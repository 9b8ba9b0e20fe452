package runs

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/stats"
	"github.com/modcomp/modcomp/report"
)

// ExportData draws the planned dataset (synthetic, or the two views of
// Fashion-MNIST) for Config.Seed and saves it to dir as NPY arrays with a
// manifest (see dataset.Save); the manifest's source records the
// configuration and seed that reproduce it. A dataset too large for the
// memory available is refused before it is drawn.
func ExportData(plan *Plan, dir string) error {
	cfg := &plan.Config
	l := plan.source.layout()
	if err := checkMemory("modcomp data export", memoryNeed{shared: l.shared, perSeed: l.perSeed, seeds: 1}, thisMachine()); err != nil {
		return err
	}
	ds, err := plan.source.draw(cfg.Seed)
	if err != nil {
		return err
	}
	source := map[string]any{"generator": cfg.Dataset, "seed": cfg.Seed, "config": resolvedConfig(cfg, "data export")}
	return dataset.Save(dir, ds, source)
}

// ImportData checks the arrays src names (an NPZ archive, or NPY files per
// split) and writes them to the new or empty directory dir as a dataset
// directory that --data reads (see dataset.Import); task is as the task
// key, empty to infer it from the labels. It returns what it wrote, in a
// few lines.
func ImportData(dir string, src dataset.ImportSource, task string) (string, error) {
	l, err := src.Layout(dataset.Task(task))
	if err != nil {
		return "", err
	}
	if err := checkMemory("modcomp data import", memoryNeed{shared: l.Bytes()}, thisMachine()); err != nil {
		return "", err
	}
	if err := dataset.Import(dir, src, l.Task); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wrote dataset %s: %s\n", dir, describeLayout(l))
	fmt.Fprintf(&b, "use it with --data %s; describe it with modcomp data inspect %s\n", dir, dir)
	return b.String(), nil
}

// describeLayout says what a dataset holds in one line: "binary task, 2
// modalities (m0 (3, 8), m1 (10)), train 300 samples; val and test drawn
// per seed (the split key)".
func describeLayout(l *dataset.Layout) string {
	var mods []string
	for _, m := range l.Modalities {
		mods = append(mods, fmt.Sprintf("%s %v", m.Name, m.Shape))
	}
	s := fmt.Sprintf("%s task", l.Task)
	if l.Task == dataset.Multiclass {
		s += fmt.Sprintf(" of %d classes", l.Classes)
	}
	s += fmt.Sprintf(", %d modalities (%s), ", len(l.Modalities), strings.Join(mods, ", "))
	if l.Val == 0 {
		return s + fmt.Sprintf("train %d samples; val and test drawn from them per seed (the split key)", l.Train)
	}
	return s + fmt.Sprintf("train %d, val %d, test %d samples", l.Train, l.Val, l.Test)
}

// InspectData describes the dataset at path as --data reads it: a dataset
// directory (manifest.json and NPY files, with all three splits or a
// training split only) or an NPZ archive, whose task is task (empty: inferred
// from the labels). It gives the layout, label balance, sufficiency per modality,
// and value statistics per split; every array is read and checked first.
func InspectData(path, task string) (string, error) {
	c := Default()
	c.Data, c.Task = path, task
	src, err := c.source()
	if err != nil {
		return "", err
	}
	files, ok := src.(*fileSource)
	if !ok {
		return "", fmt.Errorf("data %s: not a dataset directory or an NPZ archive", path)
	}
	if err := checkTask(&c, src); err != nil {
		return "", err
	}
	if err := checkMemory("modcomp data inspect", memoryNeed{shared: files.layout().shared}, thisMachine()); err != nil {
		return "", err
	}
	if err := files.load(); err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	ds := files.base
	var b bytes.Buffer
	fmt.Fprintf(&b, "dataset %s: %s task, %d classes, %d modalities\n\n", path, ds.Task, ds.Classes, len(ds.Modalities))
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "modality\tsample shape\tfeature")
	for _, m := range ds.Modalities {
		feature := "none"
		if m.Feature != nil {
			feature = fmt.Sprintf("d=%d, norm %s", len(m.Feature), report.Number(norm(m.Feature), 4))
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\n", m.Name, m.Shape, feature)
	}
	tw.Flush()
	fmt.Fprintln(&b)

	tw = tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	header := []string{"split", "n", "labels"}
	for _, m := range ds.Modalities {
		header = append(header, m.Name+" sufficient", m.Name+" mean±std", m.Name+" signal z (suff/insuff)")
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, ns := range ds.Splits() {
		s := ns.Split
		row := []string{ns.Name, fmt.Sprint(s.Len()), labelCounts(ds, s)}
		for r, m := range ds.Modalities {
			suff := "unknown"
			if s.Sufficient != nil {
				suff = fmt.Sprintf("%.3f", fractionTrue(s.Sufficient[r]))
			}
			mean, std := stats.MeanStd(s.Inputs[r])
			row = append(row, suff, report.Number(mean, 4)+"±"+report.Number(std, 4), signalStrength(m, s, r))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	if files.split() {
		val, test := splitSizes(ds.Train.Len(), c.Split)
		fmt.Fprintf(&b, "\nonly a training split: each seed draws val and test from it (split %s: %d and %d samples, leaving %d for training)\n",
			c.Split, val, test, ds.Train.Len()-val-test)
	}
	return b.String(), nil
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func fractionTrue(bs []bool) float64 {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return float64(n) / float64(len(bs))
}

// labelCounts counts each label value: "+1: 104, -1: 96".
func labelCounts(ds *dataset.Dataset, s *dataset.Split) string {
	if ds.Task == dataset.Regression {
		m, sd := stats.MeanStd(s.Labels)
		return fmt.Sprintf("mean %s, std %s", report.Number(m, 3), report.Number(sd, 3))
	}
	counts := map[float64]int{}
	for _, y := range s.Labels {
		counts[y]++
	}
	var parts []string
	if ds.Task == dataset.Binary {
		return fmt.Sprintf("+1: %d, -1: %d", counts[1], counts[-1])
	}
	for c := 0; c < ds.Classes; c++ {
		parts = append(parts, fmt.Sprintf("%d: %d", c, counts[float64(c)]))
	}
	return strings.Join(parts, ", ")
}

// signalStrength is the mean of y <x_signal, v> over sufficient and over
// insufficient samples: alpha_r and beta_r for the paper's distribution.
func signalStrength(m dataset.Modality, s *dataset.Split, r int) string {
	if m.Feature == nil || s.SignalPatch == nil || s.Sufficient == nil || len(m.Shape) != 2 {
		return "unknown"
	}
	size, d := m.Size(), m.Shape[1]
	var sum [2]float64
	var n [2]int
	for i, y := range s.Labels {
		p := s.SignalPatch[r][i]
		patch := s.Inputs[r][i*size+p*d : i*size+(p+1)*d]
		dot := 0.0
		for j, v := range m.Feature {
			dot += patch[j] * v
		}
		k := 1
		if s.Sufficient[r][i] {
			k = 0
		}
		sum[k] += y * dot
		n[k]++
	}
	f := func(k int) string {
		if n[k] == 0 {
			return "-"
		}
		return report.Number(sum[k]/float64(n[k]), 3)
	}
	return f(0) + "/" + f(1)
}
