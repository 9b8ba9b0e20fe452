package report

import (
	"strings"
	"testing"

	"github.com/modcomp/modcomp/graph"
)

// probeComparison is one seed of a comparison whose encoders have no known
// feature (an MLP): what they learned is read off their linear probes.
func probeComparison(alone, joint [2]float64) []Run {
	run := func(network string, modalities []int, probes ...float64) Run {
		last := graph.Record{Step: 100, Metrics: []graph.Metric{{Name: graph.ValAcc, Value: 0.9}, {Name: graph.TestAcc, Value: 0.9}}}
		for j, r := range modalities {
			last.Metrics = append(last.Metrics, graph.Metric{Name: graph.ProbeTestAcc(r), Value: probes[j]})
		}
		return Run{Seed: 1, Network: network, Modalities: modalities, Method: "naive",
			Status: string(graph.Completed), Steps: 100, Log: []graph.Record{last}}
	}
	return []Run{
		run("uni-m0", []int{0}, alone[0]),
		run("uni-m1", []int{1}, alone[1]),
		run("joint", []int{0, 1}, joint[0], joint[1]),
	}
}

// Learned, winner and verdict read probes on the chance-corrected scale:
// the share of the accuracy above chance (0.5 for two classes) alone that
// the joint encoder keeps.
func TestProbeVerdictsAreChanceCorrected(t *testing.T) {
	t.Parallel()
	set := Setting{K: 2, Seeds: []uint64{1}, Rho: 0.1, Alpha: []float64{1, 1}, Fusion: "late", Chance: 0.5}
	for _, c := range []struct {
		name         string
		alone, joint [2]float64
		learnedAlone [2]bool
		learned      [2]bool
		winner       int
		want         []string // in the winner line and the verdict
	}{
		{
			// A raw ratio would call 0.924 "of" 0.674 more than all of it;
			// both keep what they had, m1 more (kept 2.44 against 1.00).
			name: "the joint encoder beats its uni-modal network", alone: [2]float64{0.9, 0.674}, joint: [2]float64{0.9, 0.924},
			learnedAlone: [2]bool{true, true}, learned: [2]bool{true, true}, winner: 1,
			want: []string{"m1: the modality the joint network learned best (its linear probe keeps 244% of its accuracy above chance alone: 0.924 against 0.674)",
				"every modality learned alone was also learned jointly"},
		},
		{
			// 0.56 of 0.62 is 90% of the raw accuracy but half of what
			// m1 learned above chance: not learned jointly.
			name: "half the accuracy above chance is lost", alone: [2]float64{0.9, 0.62}, joint: [2]float64{0.9, 0.56},
			learnedAlone: [2]bool{true, true}, learned: [2]bool{true, false}, winner: 0,
			want: []string{"m0: the modality the joint network learned best (its linear probe keeps 100% of its accuracy above chance alone",
				"m1 was not learned jointly in 1 of 1 seeds (its linear probe keeps 50% of its accuracy above chance alone: 0.560 against 0.620)"},
		},
		{
			// At chance alone (0.52 < 0.5 + 0.2 x 0.5) m1 learned nothing,
			// so it cannot lose it jointly.
			name: "a modality at chance alone", alone: [2]float64{0.9, 0.52}, joint: [2]float64{0.9, 0.51},
			learnedAlone: [2]bool{true, false}, learned: [2]bool{true, false}, winner: 0,
			want: []string{"every modality learned alone was also learned jointly"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := Summarize(set, probeComparison(c.alone, c.joint), "complete")
			ss := s.PerSeed[0]
			for r := range 2 {
				if ss.Unimodal[r].Learned != c.learnedAlone[r] || ss.Joint.Learned[r] != c.learned[r] {
					t.Errorf("m%d learned alone %v, jointly %v; want %v, %v", r, ss.Unimodal[r].Learned, ss.Joint.Learned[r], c.learnedAlone[r], c.learned[r])
				}
			}
			if s.Winner != c.winner {
				t.Errorf("winner m%d, want m%d", s.Winner, c.winner)
			}
			text := CompareTable(set, s)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the table does not say %q:\n%s", w, text)
				}
			}
		})
	}
}
