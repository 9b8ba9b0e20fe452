package runs

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/stats"
)

// ExportData draws the planned dataset (synthetic, or the two views of
// Fashion-MNIST) for Config.Seed and saves it to dir as NPY arrays with a
// manifest (see dataset.Save); the manifest's source records the
// configuration and seed that reproduce it.
func ExportData(plan *Plan, dir string) error {
	cfg := &plan.Config
	ds, err := plan.source.draw(cfg.Seed)
	if err != nil {
		return err
	}
	source := map[string]any{"generator": cfg.Dataset, "seed": cfg.Seed, "config": resolvedConfig(cfg, "data export")}
	return dataset.Save(dir, ds, source)
}

// InspectData describes the dataset in dir: its layout, label balance,
// sufficiency per modality, and value statistics per split.
func InspectData(dir string) (string, error) {
	ds, err := dataset.Load(dir)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "dataset %s: %s task, %d classes, %d modalities\n\n", dir, ds.Task, ds.Classes, len(ds.Modalities))
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "modality\tsample shape\tfeature")
	for _, m := range ds.Modalities {
		feature := "none"
		if m.Feature != nil {
			feature = fmt.Sprintf("d=%d, norm %.4f", len(m.Feature), norm(m.Feature))
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
			row = append(row, suff, fmt.Sprintf("%.4f±%.4f", mean, std), signalStrength(m, s, r))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
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
		return fmt.Sprintf("mean %.3f, std %.3f", m, sd)
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
		return fmt.Sprintf("%.3f", sum[k]/float64(n[k]))
	}
	return f(0) + "/" + f(1)
}
