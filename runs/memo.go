package runs

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

// memo lets the points of a sweep share the networks they would train
// identically. Along an axis of modality 1's signal strength, for example,
// every point draws the same data for modality 0 (the data streams do not
// depend on another modality's alpha, mu or sigma-p), so its uni-modal
// network trains to the same numbers at each point: it is trained once.
//
// A network is identified by everything its training reads, hashed: the
// values of its modalities' inputs, the labels, its modalities' signal
// patches, the features, its name, seed, model and training configuration.
// The sufficiency of every modality decides only the groups of test
// samples whose accuracies a record holds (test_acc_g<pattern>): under a
// classification loss the memo keeps which test samples each record got
// right and scores a shared run on each point's own groups (graph.Regroup),
// so that uni-modal m1 is shared along mu[0] too; under other losses the
// sufficiency is part of the key. Two runs with the same key compute the
// same records bit for bit, so a point directory holds the same numbers
// whether its network was trained or shared.
type memo struct {
	seeds [2]maphash.Seed // two 64-bit hashes, so that a collision is out of reach
	hits  atomic.Int64    // runs copied rather than trained

	mu      sync.Mutex
	entries map[[2]uint64]*memoEntry
}

type memoEntry struct {
	once    sync.Once
	run     NetworkRun
	correct [][]uint64 // per record, the test samples classified correctly, as bits
}

func newMemo() *memo {
	return &memo{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, entries: map[[2]uint64]*memoEntry{}}
}

// do runs train for run unless a run with the same key has: then it copies
// that run's outcome into run, its group accuracies scored on ds. train
// returns, when it kept them, which test samples each record classified
// correctly. A run that failed or was interrupted is not shared, so that
// the next point tries again.
func (m *memo) do(run *NetworkRun, key [2]uint64, ds *dataset.Dataset, train func() [][]bool) {
	m.mu.Lock()
	e, ok := m.entries[key]
	if !ok {
		e = &memoEntry{}
		m.entries[key] = e
	}
	m.mu.Unlock()
	trained := false
	e.once.Do(func() {
		correct := train()
		trained = true
		e.run = *run
		for _, c := range correct {
			e.correct = append(e.correct, packBits(c))
		}
	})
	if trained {
		if run.Status != string(graph.Completed) {
			m.mu.Lock()
			delete(m.entries, key)
			m.mu.Unlock()
		}
		return
	}
	if e.run.Status != string(graph.Completed) {
		train() // the shared run did not complete: train this one
		return
	}
	run.Status, run.Message, run.Steps = e.run.Status, e.run.Message, e.run.Steps
	run.Log = make([]graph.Record, len(e.run.Log))
	for i, rec := range e.run.Log {
		run.Log[i] = graph.Record{Step: rec.Step, Metrics: slices.Clone(rec.Metrics)}
		if e.correct != nil {
			graph.Regroup(&run.Log[i], unpackBits(e.correct[i], ds.Test.Len()), ds)
		}
	}
	m.hits.Add(1)
}

// regroups says whether runs under loss on ds can be shared across the
// sufficiency of the modalities, their group accuracies scored again from
// the test samples each record classified correctly.
func (m *memo) regroups(loss graph.Loss, ds *dataset.Dataset) bool {
	_, classes := loss.(graph.ClassLoss)
	return classes && ds.Test.Sufficient != nil
}

func packBits(bs []bool) []uint64 {
	out := make([]uint64, (len(bs)+63)/64)
	for i, b := range bs {
		if b {
			out[i/64] |= 1 << (i % 64)
		}
	}
	return out
}

func unpackBits(words []uint64, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = words[i/64]&(1<<(i%64)) != 0
	}
	return out
}

// shares says whether runs trained by tc can be shared: plain training,
// whose configuration key hashes in full (a method reads settings by key,
// and a method with teachers reads their scores).
func (m *memo) shares(tc graph.TrainConfig) bool {
	return (tc.Method.Name == "" || tc.Method.Name == "naive") && tc.Teachers == nil
}

// key hashes what training run by tc reads from ds, plan and its own spec;
// the modalities' sufficiency unless the memo regroups the runs.
func (m *memo) key(plan *Plan, ds *dataset.Dataset, run *NetworkRun, tc graph.TrainConfig, regroup bool) [2]uint64 {
	var out [2]uint64
	for i, seed := range m.seeds {
		var h maphash.Hash
		h.SetSeed(seed)
		fmt.Fprintf(&h, "%s|%v|%s|%d|%s|%d|%d|%t|", run.Network, run.Modalities, run.Method, run.Seed, ds.Task, ds.Classes, len(ds.Modalities), regroup)
		model := plan.Model
		for _, r := range run.Modalities {
			fmt.Fprintf(&h, "%#v|%v|", model.Encoders[r], ds.Modalities[r].Shape)
			writeFloats(&h, ds.Modalities[r].Feature)
		}
		fmt.Fprintf(&h, "%#v|%s|%s|%d|%d|%d|%s|%v|", model.Fusion, model.Loss, model.DType, tc.Steps, tc.BatchSize, tc.LogEvery, tc.LogSchedule, tc.Probe)
		for _, ns := range ds.Splits() {
			sp := ns.Split
			fmt.Fprintf(&h, "%s|%d|", ns.Name, sp.Len())
			writeFloats(&h, sp.Labels)
			for _, r := range run.Modalities {
				writeFloats(&h, sp.Inputs[r])
				if sp.SignalPatch != nil {
					for _, p := range sp.SignalPatch[r] {
						writeUint(&h, uint64(p))
					}
				}
			}
			if regroup {
				continue
			}
			for _, suff := range sp.Sufficient {
				for _, b := range suff {
					if b {
						h.WriteByte(1)
					} else {
						h.WriteByte(0)
					}
				}
			}
		}
		out[i] = h.Sum64()
	}
	return out
}

// writeFloats hashes the bits of vs.
func writeFloats(h *maphash.Hash, vs []float64) {
	for _, v := range vs {
		writeUint(h, math.Float64bits(v))
	}
}

func writeUint(h *maphash.Hash, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	h.Write(b[:])
}
