package graph

import (
	"fmt"

	"github.com/modcomp/modcomp/dataset"
)

// The memory a network needs, estimated from its configuration and the
// sizes of its data before anything is allocated, so that a configuration
// too large for the machine is refused with a number rather than killed by
// the runtime. Every formula is here; the registry entries of the encoder
// kinds and optimizers point to theirs.
//
// Training one network holds, besides the dataset itself (which package
// runs counts, once per seed in flight), at its peak, the linear probe at
// the end of training:
//
//	weights      w values per encoder and fusion: the parameters, their
//	             gradients, the optimizer's state (Adam: two float64
//	             moments) and the patch encoder's packed copy of W
//	training     the batch's rows times the values a step keeps per row for
//	             the gradient: the patch encoder's pre-activations z,
//	             (n*P, H) with H = heads*m (2m for the binary task), and its
//	             scratch of blocks of 256 rows; an MLP's or a convolution's
//	             activations and their gradients
//	evaluation   one chunk of about 1024 x 200 input values (evalChunkValues) per split
//	             size, forward only, and per split the scores of every
//	             sample: fused, per encoder and per encoder's contribution
//	copies       the network's own copies of its inputs: in float32, every
//	             split converted (evaluation) and the training batch; a
//	             mini-batch's rows
//	probe        at the end, the features of every split at once, computed
//	             in one piece per split (not in chunks: for the patch
//	             encoder, two (n*P, H) tensors per split), and the probe's
//	             copies of them
//
// The estimate counts what the tensors hold, in the network's dtype, and
// what Go's garbage collector leaves alive between steps; it does not count
// Gorgonia's bookkeeping of the graph (small, and independent of n), nor the
// heap the collector lets grow beyond the live data before it runs (see
// GOGC). TestMemoryEstimate compares it with the live heap measured on a
// few sizes of every encoder kind.

// Memory is an estimate, in bytes, of what training one network holds at
// its peak besides its dataset.
type Memory struct {
	Weights    float64 // parameters, gradients, optimizer state
	Training   float64 // what a training step keeps for the gradient
	Evaluation float64 // evaluation chunks and every split's scores
	Copies     float64 // the network's own copies of its inputs
	Probe      float64 // the linear probes' features at the end of training
}

// Total is the sum of the parts.
func (m Memory) Total() float64 {
	return m.Weights + m.Training + m.Evaluation + m.Copies + m.Probe
}

// DataSize is the size of the data a network trains on: what the estimate
// needs of a dataset, known before its values are read or drawn.
type DataSize struct {
	// Modalities holds every modality's sample shape, as the dataset's.
	Modalities []dataset.Modality
	// Train, Val and Test are the samples of each split.
	Train, Val, Test int
	Task             dataset.Task
	Classes          int
}

// encoderMemory is what one encoder of a modality needs, in values of the
// network's dtype, for the estimate to scale by the rows it sees.
type encoderMemory struct {
	weights int // trainable values, and the copies of them the encoder keeps
	scratch int // values the encoder's ops keep whatever the batch
	rows    int // rows per sample: P for the patch encoder and a per-patch MLP, 1 otherwise
	train   int // values a training step keeps per row for the gradient
	forward int // values an evaluation keeps per row
	probe   int // values the probe's features take per row
	path    int // values per row the features add when the scores do not need them
	feature int // feature width: values per sample of the features
}

// EstimateMemory estimates what training the network that sees modalities
// of data needs (see Memory), as NewNetwork and Train would build it from
// model and train.
func EstimateMemory(model ModelConfig, train TrainConfig, modalities []int, data DataSize) (Memory, error) {
	var m Memory
	if err := model.Validate(); err != nil {
		return m, err
	}
	loss, err := lossFor(model.Loss, data.Task)
	if err != nil {
		return m, err
	}
	size := 8.0 // bytes per value of the dtype
	if dtypes[model.DType].Size() == 4 {
		size = 4
	}
	outputs := loss.Outputs(data.Classes)
	fusion := fusions[model.Fusion.Kind]
	batch := train.BatchSize
	if batch == 0 {
		batch = data.Train
	}
	all := float64(data.Train + data.Val + data.Test)
	splits := []int{data.Train, data.Val, data.Test}

	values := 1 // input values of a sample, which set the evaluation's chunks
	for _, r := range modalities {
		if r < 0 || r >= len(data.Modalities) {
			return m, fmt.Errorf("modality %d does not exist (the data has %d)", r, len(data.Modalities))
		}
		values = max(values, data.Modalities[r].Size())
	}
	features := 0
	for _, r := range modalities {
		ec, mod := model.Encoders[r], data.Modalities[r]
		em := encoderKinds[ec.Kind].memory(ec, mod, outputs)
		if !fusion.usesHeads {
			// The fusion reads the features: a step computes them and
			// their gradient too.
			em.train += 2 * em.path
			em.forward += em.path
		}
		features += em.feature
		state := float64(optimizers[ec.Optimizer].state) * 8 / size // float64 moments, in values
		m.Weights += (float64(em.weights)*(2+state) + float64(em.scratch)) * size

		rows := float64(em.rows)
		m.Training += float64(batch) * rows * float64(em.train) * size
		// One program per distinct chunk size, each keeping one chunk.
		chunks := map[int]bool{}
		for _, n := range splits {
			chunks[evalChunk(n, values)] = true
		}
		for c := range chunks {
			m.Evaluation += float64(c) * rows * float64(em.forward) * size
		}

		sample := float64(mod.Size())
		if size == 4 {
			m.Copies += all * sample * size            // every split, for evaluation
			m.Copies += float64(batch) * sample * size // the training batch
		} else if batch < data.Train {
			m.Copies += float64(batch) * sample * size // the mini-batch's rows
		}
		if train.Probe {
			m.Probe += all * rows * float64(em.probe) * size
			m.Probe += 3 * all * float64(em.feature) * 8 // features, their copy, standardised
			if size == 4 {
				m.Probe += all * sample * size // the probe programs' inputs
			}
		}
	}
	if fusion.weights {
		w := fusionWeights(model.Fusion, features, outputs)
		state := float64(optimizers[model.Fusion.Optimizer].state) * 8 / size
		m.Weights += float64(w) * (2 + state) * size
		m.Training += 6 * float64(batch) * float64(features+sum(model.Fusion.Hidden)) * size
	}
	// Every split's scores, kept as float64: fused, and per encoder its own
	// scores and its contribution.
	m.Evaluation += all * float64(outputs) * float64(1+2*len(modalities)) * 8
	return m, nil
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// patchMemory: W (H, d) and the packed copy the product keeps; the scratch
// of a block of 256 rows and its activations; per row, z for the gradient
// (training) or the scores (evaluation); the probe computes the scores too,
// and for the features the projection and its smoothed ReLU.
func patchMemory(cfg EncoderConfig, m dataset.Modality, outputs int) encoderMemory {
	heads := outputs
	if outputs == 1 {
		heads = 2
	}
	h := heads * cfg.Neurons
	p, d := shapeAt(m, 0), shapeAt(m, 1)
	em := encoderMemory{weights: 2 * h * d, scratch: 2 * (patchBlockRows + p) * h,
		rows: p, train: h, forward: h, probe: 3 * h, path: 2 * h, feature: h}
	// Each block below the heads: U and V, and per row its product, its
	// activation, what it writes back and the sum, (2 Width + 2 d) values,
	// twice over in training for their gradients.
	blocks, w := max(0, cfg.Depth-1), cfg.Width
	em.weights += blocks * 2 * w * d
	em.train += blocks * 4 * (w + d)
	em.forward += blocks * 2 * (w + d)
	em.probe += blocks * 2 * (w + d)
	return em
}

// mlpMemory: the layers' weights; per row and hidden unit, the product,
// the bias broadcast to its rows, their sum and the activation, and in
// training their gradients; the probe adds the pooled features (measured:
// about five values per row and unit).
func mlpMemory(cfg EncoderConfig, m dataset.Modality, outputs int) encoderMemory {
	rows, in := 1, m.Size()
	if cfg.MLP.PerPatch {
		rows, in = shapeAt(m, 0), shapeAt(m, 1)
	}
	weights, width, hidden := 0, in, 0
	for _, h := range cfg.MLP.Hidden {
		weights += width*h + h
		width = h
		hidden += h
	}
	weights += width*outputs + outputs
	return encoderMemory{weights: weights, rows: rows, train: 8 * hidden, forward: 4 * hidden, probe: 5 * hidden, feature: width}
}

// convMemory: the filters and the head; per sample and layer, the unfolded
// input of the convolution (C_in k² values per pixel), its output (the
// product and its transposition), the activation, and the pooled image
// with the positions of its maxima; in training their gradients too.
func convMemory(cfg EncoderConfig, m dataset.Modality, outputs int) encoderMemory {
	shape, kernel, _, err := convGeometry(cfg.Conv, m)
	if err != nil { // the encoder refuses such a modality when it is built
		shape, kernel = [3]int{1, shapeAt(m, 0), shapeAt(m, 1)}, [2]int{cfg.Conv.Kernel, cfg.Conv.Kernel}
	}
	c, h, w := shape[0], shape[1], shape[2]
	kk := kernel[0] * kernel[1]
	weights, perSample := 0, 0
	for _, out := range cfg.Conv.Channels {
		weights += out * c * kk
		perSample += h*w*c*kk + 3*h*w*out
		if h >= 2 && w >= 2 {
			h, w = h/2, w/2
			perSample += 2 * h * w * out
		}
		c = out
	}
	weights += c*outputs + outputs
	return encoderMemory{weights: weights, rows: 1, train: 2 * perSample, forward: perSample, probe: perSample, feature: c}
}

// shapeAt is axis i of m's sample shape, 1 when it has fewer axes (the
// encoder refuses such a modality when it is built; the estimate need not).
func shapeAt(m dataset.Modality, i int) int {
	if i < len(m.Shape) {
		return m.Shape[i]
	}
	return 1
}

// fusionWeights is the number of weights of a concatenation's fused layers
// and head.
func fusionWeights(cfg FusionConfig, features, outputs int) int {
	weights, width := 0, features
	for _, h := range cfg.Hidden {
		weights += width*h + h
		width = h
	}
	return weights + width*outputs + outputs
}
