package runs

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/graph"
)

// NetworkSpec names a network to train: the modalities it sees and its
// training method.
type NetworkSpec struct {
	Name       string // "uni-m0", "joint", "joint-ogm-ge", ...
	Modalities []int
	Method     string // "naive" for plain training
}

// CompareNetworks are the networks of a comparison: one uni-modal network
// per modality, then the joint network of all of them for each training
// method ("joint" for naive, "joint-<method>" for the others).
func CompareNetworks(k int, methods []string) []NetworkSpec {
	var specs []NetworkSpec
	all := make([]int, k)
	for r := 0; r < k; r++ {
		specs = append(specs, NetworkSpec{Name: fmt.Sprintf("uni-m%d", r), Modalities: []int{r}, Method: "naive"})
		all[r] = r
	}
	for _, m := range methods {
		name := "joint"
		if m != "naive" {
			name += "-" + m
		}
		specs = append(specs, NetworkSpec{Name: name, Modalities: all, Method: m})
	}
	return specs
}

// jointModalities is the number of modalities of a comparison's runs: those
// its joint network sees.
func jointModalities(runs []*NetworkRun) int {
	k := 0
	for _, r := range runs {
		if r != nil {
			k = max(k, len(r.Modalities))
		}
	}
	return k
}

// NetworkRun is the outcome of training one network for one seed.
type NetworkRun struct {
	Seed       uint64
	Network    string
	Modalities []int
	Method     string
	Status     string // a graph.Status, or "failed" / "not started"
	Message    string
	Steps      int
	Log        []graph.Record
	Elapsed    time.Duration
}

// Final returns the last logged record, if any.
func (r *NetworkRun) Final() (graph.Record, bool) {
	if len(r.Log) == 0 {
		return graph.Record{}, false
	}
	return r.Log[len(r.Log)-1], true
}

// Extra states of a NetworkRun beyond graph.Status.
const (
	runFailed     = "failed"
	runNotStarted = "not started"
)

// Events receives what happens while networks train; Progress implements it.
type Events interface {
	Started(run *NetworkRun, steps int)
	Logged(run *NetworkRun, step int)
	Finished(run *NetworkRun)
}

// group is the networks of one plan: those of a comparison, or of one point
// of a sweep. Its runs are ordered by seed, then network.
type group struct {
	plan *Plan
	runs []*NetworkRun
	data *dataCache
	// done, if not nil, is called once every run of the group has finished,
	// by the worker that finished the last one. It is not called for a
	// group that an interruption left unfinished.
	done func(*group)

	mu   sync.Mutex
	left int
}

// newGroup lists every network of specs for every seed of plan.
func newGroup(plan *Plan, specs []NetworkSpec, done func(*group)) *group {
	g := &group{plan: plan, data: newDataCache(plan.source, len(specs)), done: done}
	for _, s := range plan.Config.SeedList() {
		for _, spec := range specs {
			g.runs = append(g.runs, &NetworkRun{Seed: s, Network: spec.Name, Modalities: spec.Modalities, Method: spec.Method, Status: runNotStarted})
		}
	}
	g.left = len(g.runs)
	return g
}

// finished records that one run of the group ended and calls done after
// the last.
func (g *group) finished() {
	g.mu.Lock()
	g.left--
	last := g.left == 0
	g.mu.Unlock()
	if last && g.done != nil {
		g.done(g)
	}
}

// job is one network of one group.
type job struct {
	g   *group
	run *NetworkRun
}

// execute trains every network of every group on up to workers goroutines.
// Each run depends only on its configuration, seed and network, so the
// numbers do not depend on the number of workers or on their scheduling. A
// network that diverges or fails does not stop the others; cancelling ctx
// stops them all, and networks not yet started stay "not started".
func execute(ctx context.Context, groups []*group, workers int, events Events) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var order []job
	for _, g := range groups {
		for _, i := range dispatchOrder(g.runs) {
			order = append(order, job{g, g.runs[i]})
		}
	}
	shared := newMemo()
	jobs := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(order)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if trainOne(ctx, j.g.plan, j.run, j.g.data, shared, events) {
					j.g.finished()
				}
			}
		}()
	}
dispatch:
	for _, j := range order {
		select {
		case jobs <- j:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
}

// dispatchOrder starts, seed by seed, the networks that see the most
// modalities first, so that the costly joint network of the last seed does
// not run alone at the end while other workers idle. The order changes when
// a network runs, never its numbers.
func dispatchOrder(runs []*NetworkRun) []int {
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := runs[order[a]], runs[order[b]]
		if ra.Seed != rb.Seed {
			return ra.Seed < rb.Seed
		}
		return len(ra.Modalities) > len(rb.Modalities)
	})
	return order
}

// trainOne trains one network and records its outcome in run; failures are
// recorded, not returned, so that the other networks go on. It reports
// whether the network ran at all.
func trainOne(ctx context.Context, plan *Plan, run *NetworkRun, data *dataCache, shared *memo, events Events) (ran bool) {
	if ctx.Err() != nil {
		return false // cancelled while queued: the run stays "not started"
	}
	ran = true
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			run.Status, run.Message = runFailed, fmt.Sprintf("internal error: %v", p)
		}
		run.Elapsed = time.Since(start)
		if events != nil {
			events.Finished(run)
		}
	}()
	ds, err := data.get(run.Seed)
	defer data.release(run.Seed)
	if err != nil {
		run.Status, run.Message = runFailed, err.Error()
		return
	}
	net, err := graph.NewNetwork(run.Network, run.Modalities, ds, plan.Model, run.Seed)
	if err != nil {
		run.Status, run.Message = runFailed, err.Error()
		return
	}
	tc := plan.Train(run.Method)
	if tc.Method.Objective().NeedsTeachers() {
		if tc.Teachers, err = teachers(ctx, plan, ds, run); err != nil {
			run.Status, run.Message = runFailed, err.Error()
			if ctx.Err() != nil {
				run.Status, run.Message = string(graph.Interrupted), "interrupted while training the uni-modal teachers"
			}
			return
		}
	}
	if events != nil {
		events.Started(run, plan.Config.Steps)
	}
	sharing := shared != nil && shared.shares(tc)
	regroup := sharing && shared.regroups(net.Loss, ds)
	tc.KeepTestCorrect = regroup
	train := func() (correct [][]bool) {
		res, err := graph.Train(ctx, net, ds, tc, run.Seed, func(rec graph.Record) error {
			if events != nil {
				events.Logged(run, rec.Step)
			}
			return nil
		})
		if res != nil {
			run.Status, run.Message, run.Steps, run.Log = string(res.Status), res.Message, res.Steps, res.Log
			correct = res.TestCorrect
		}
		if err != nil {
			run.Status, run.Message = runFailed, err.Error()
		}
		return correct
	}
	if sharing {
		shared.do(run, shared.key(plan, ds, run, tc, regroup), ds, train)
	} else {
		train()
	}
	return ran
}

// teachers trains, for a method that distils, the uni-modal network of
// each modality the run sees (from the same initial weights as the joint
// network's encoders, exactly as a comparison's uni-modal networks) and
// returns their scores on the training split.
func teachers(ctx context.Context, plan *Plan, ds *dataset.Dataset, run *NetworkRun) ([][]float64, error) {
	var out [][]float64
	for _, r := range run.Modalities {
		name := fmt.Sprintf("uni-m%d", r)
		net, err := graph.NewNetwork(name, []int{r}, ds, plan.Model, run.Seed)
		if err != nil {
			return nil, err
		}
		tc := plan.Train("naive")
		tc.Probe = false
		res, err := graph.Train(ctx, net, ds, tc, run.Seed, nil)
		if err != nil {
			return nil, fmt.Errorf("teacher %s: %w", name, err)
		}
		if res.Status != graph.Completed {
			return nil, fmt.Errorf("teacher %s: %s", name, res.Message)
		}
		scores, err := graph.EncoderScores(net, ds.Train)
		if err != nil {
			return nil, fmt.Errorf("teacher %s: %w", name, err)
		}
		out = append(out, scores[0])
	}
	return out, nil
}

// dataCache draws each seed's dataset once and frees it when the last of the
// seed's networks is done, so that memory holds only the seeds in flight.
type dataCache struct {
	// src reads what the seeds share (an NPY dataset, images) once.
	src   source
	users int // networks per seed

	mu    sync.Mutex
	seeds map[uint64]*seedData
}

type seedData struct {
	once sync.Once
	ds   *dataset.Dataset
	err  error
	done int
}

func newDataCache(src source, users int) *dataCache {
	return &dataCache{src: src, users: users, seeds: map[uint64]*seedData{}}
}

func (c *dataCache) entry(seed uint64) *seedData {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.seeds[seed]
	if !ok {
		e = &seedData{}
		c.seeds[seed] = e
	}
	return e
}

func (c *dataCache) get(seed uint64) (*dataset.Dataset, error) {
	e := c.entry(seed)
	e.once.Do(func() { e.ds, e.err = c.src.draw(seed) })
	return e.ds, e.err
}

func (c *dataCache) release(seed uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.seeds[seed]; e != nil {
		e.done++
		if e.done == c.users {
			e.ds = nil
		}
	}
}
