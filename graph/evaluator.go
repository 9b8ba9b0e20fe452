package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
)

// evalChunkValues bounds the input values an evaluation runs at once (1024
// patches of 200 values), so that its memory does not grow with the splits:
// a patch encoder keeps its pre-activations for one chunk only, and a
// convolution its unfolded images.
const evalChunkValues = 1024 * 200

// evaluator runs a network over the train, validation and test splits in
// chunks of samples and gathers what each split's chunks computed. Splits
// whose chunks have the same size share a program.
type evaluator struct {
	net     *Network
	outputs int // scores per sample
	splits  []*splitOutputs
	pre     []float64 // scratch: one chunk's pre-activations in float64
}

// splitOutputs holds one split cut into chunks and what the last evaluation
// computed on it.
type splitOutputs struct {
	name  string
	split *dataset.Split
	prog  *program
	chunk int // samples per run
	// starts holds the first sample of each chunk. Every chunk is full: the
	// last starts early enough to end with the split, and only its samples
	// past the chunk before are gathered.
	starts []int
	inputs [][]*tensor.Dense // per chunk, per encoder: views of the split's inputs

	scores  []float64   // fused scores, (n, outputs)
	encoder [][]float64 // per encoder, its own scores; nil when the fusion does not read them
	contrib [][]float64 // per encoder, its additive contribution; nil where the fusion has none
	memo    []float64   // per encoder, noise memorisation (train split, Memoriser encoders); NaN otherwise
}

func newEvaluator(net *Network, ds *dataset.Dataset) (*evaluator, error) {
	dtype := net.Params()[0].Dtype()
	e := &evaluator{net: net, outputs: net.Loss.Outputs(ds.Classes)}
	programs := map[int]*program{} // by chunk size
	k := len(net.Encoders)
	for _, ns := range ds.Splits() {
		n := ns.Split.Len()
		chunk := evalChunk(n, sampleValues(net.Encoders))
		so := &splitOutputs{name: ns.Name, split: ns.Split, chunk: chunk,
			scores: make([]float64, n*e.outputs), encoder: make([][]float64, k), contrib: make([][]float64, k),
			memo: make([]float64, k)}
		if net.usesHeads() {
			for i := range k {
				so.encoder[i] = make([]float64, n*e.outputs)
			}
		}
		for start := 0; start < n; start += chunk {
			so.starts = append(so.starts, min(start, n-chunk))
		}
		typed := make([]any, k) // per encoder, the split's inputs in the network's dtype
		for i, r := range net.Modalities {
			typed[i] = inDtype(dtype, ns.Split.Inputs[r])
		}
		for _, start := range so.starts {
			views := make([]*tensor.Dense, k)
			for i, enc := range net.Encoders {
				size := enc.InputShape(1).TotalSize()
				views[i] = view(typed[i], start*size, (start+chunk)*size, enc.InputShape(chunk))
			}
			so.inputs = append(so.inputs, views)
		}
		if programs[chunk] == nil {
			// The program reads the chunks in place: it is compiled on the
			// first and bound to each in turn.
			spec := programSpec{n: chunk, classes: ds.Classes, bound: so.inputs[0],
				readEncs: true, readPre: true, readContrib: true}
			p, err := compile(net, spec)
			if err != nil {
				return nil, err
			}
			programs[chunk] = p
		}
		so.prog = programs[chunk]
		e.splits = append(e.splits, so)
	}
	return e, nil
}

// inDtype returns values as the backing of a tensor of dtype: themselves
// for float64, a converted copy for float32.
func inDtype(dtype tensor.Dtype, values []float64) any {
	if dtype == tensor.Float32 {
		v32 := make([]float32, len(values))
		for i, v := range values {
			v32[i] = float32(v)
		}
		return v32
	}
	return values
}

// view makes a tensor of shape on backing[lo:hi], a []float64 or []float32.
func view(backing any, lo, hi int, shape tensor.Shape) *tensor.Dense {
	switch b := backing.(type) {
	case []float32:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b[lo:hi]))
	default:
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b.([]float64)[lo:hi]))
	}
}

// run evaluates the network on split k and gathers its outputs; memo says
// whether to measure noise memorisation too.
func (e *evaluator) run(k int, memo bool) error {
	so := e.splits[k]
	p, chunk := so.prog, so.chunk
	memoriser := make([]Memoriser, len(e.net.Encoders))
	for i := range so.memo {
		so.memo[i] = math.NaN()
		if m, ok := e.net.Encoders[i].(Memoriser); ok && memo && so.split.SignalPatch != nil {
			memoriser[i], so.memo[i] = m, 0
		}
	}
	done := 0 // samples gathered
	for c, start := range so.starts {
		if err := p.bind(so.inputs[c]); err != nil {
			return err
		}
		if err := p.run(); err != nil {
			return fmt.Errorf("%s split, samples %d to %d: %w", so.name, start, start+chunk, err)
		}
		skip := done - start // samples of this chunk gathered before
		gather := func(dst []float64, v G.Value) {
			copyValues(dst[done*e.outputs:(start+chunk)*e.outputs], v, skip*e.outputs)
		}
		gather(so.scores, p.scores)
		for i := range so.encoder {
			if so.encoder[i] != nil {
				gather(so.encoder[i], p.encoder[i])
			}
			if p.contrib[i] != nil {
				if so.contrib[i] == nil {
					so.contrib[i] = make([]float64, len(so.scores))
				}
				gather(so.contrib[i], p.contrib[i])
			}
			if memoriser[i] != nil && p.pre[i] == nil {
				memoriser[i], so.memo[i] = nil, math.NaN() // the encoder has no pre-activations
			}
			if memoriser[i] != nil {
				// Mean over the chunk's new samples, weighted into the
				// split's mean.
				pre := p.pre[i].(*tensor.Dense)
				rowsPer := pre.Shape()[0] / chunk
				width := pre.Shape()[1]
				e.pre = e.pre[:0]
				e.pre = appendValues(e.pre, pre, skip*rowsPer*width)
				r := e.net.Modalities[i]
				fresh := start + chunk - done
				m := memoriser[i].NoiseMemorisation(e.pre, so.split.Labels[done:start+chunk], so.split.SignalPatch[r][done:start+chunk])
				so.memo[i] += m * float64(fresh) / float64(so.split.Len())
			}
		}
		done = start + chunk
	}
	return nil
}

// copyValues copies the values of v from offset on into dst, converting
// float32 to float64.
func copyValues(dst []float64, v G.Value, offset int) {
	t := v.(*tensor.Dense)
	if t.Dtype() == tensor.Float32 {
		for i, x := range t.Float32s()[offset : offset+len(dst)] {
			dst[i] = float64(x)
		}
		return
	}
	copy(dst, t.Float64s()[offset:offset+len(dst)])
}

// appendValues appends the values of t from offset on to dst, as float64.
func appendValues(dst []float64, t *tensor.Dense, offset int) []float64 {
	if t.Dtype() == tensor.Float32 {
		for _, x := range t.Float32s()[offset:] {
			dst = append(dst, float64(x))
		}
		return dst
	}
	return append(dst, t.Float64s()[offset:]...)
}

// sampleValues is the largest number of input values of one sample among
// encoders.
func sampleValues(encoders []Encoder) int {
	v := 1
	for _, enc := range encoders {
		v = max(v, enc.InputShape(1).TotalSize())
	}
	return v
}

// evalChunk is the samples of one evaluation chunk of a split of n samples
// of values input values each: as many chunks as evalChunkValues needs, of
// equal size, the last overlapping the one before by fewer samples than
// there are chunks.
func evalChunk(n, values int) int {
	if n == 0 {
		return 0
	}
	limit := max(1, evalChunkValues/values)
	chunks := (n + limit - 1) / limit
	return (n + chunks - 1) / chunks
}
