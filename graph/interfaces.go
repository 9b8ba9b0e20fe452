package graph

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Encoder is the network of one modality. It owns its weights: Params are
// dense tensors that training updates in place, and every graph the encoder
// is built into (the training graph, one evaluation graph per split) reads
// the same tensors, so evaluation never needs a rebuild.
type Encoder interface {
	// InputShape is the shape in which the encoder reads a batch of n
	// samples of its modality, whose values are given in row-major order.
	InputShape(n int) tensor.Shape
	// Params returns the trainable weight tensors.
	Params() []*tensor.Dense
	// Build adds the encoder's forward pass over the batch x of n samples to
	// x's graph. name prefixes the nodes it creates.
	Build(x *G.Node, n int, name string) (*Output, error)
}

// Output is what Encoder.Build adds to a graph.
type Output struct {
	// Scores are the encoder's class scores: (n,) when the loss reads one
	// score per sample, (n, C) otherwise.
	Scores *G.Node
	// Params are the nodes bound to Encoder.Params, in the same order.
	Params G.Nodes
	// PreActivations, when not nil, are the (n*P, width) pre-activations of
	// a patch encoder, for the noise-memorisation metric.
	PreActivations *G.Node
}

// Aligner is an Encoder whose class heads can be compared with the
// modality's known feature direction v.
type Aligner interface {
	// Alignment returns one number per class head; it grows as the head
	// learns v (for the binary patch encoder: max_j <w_{+1,j}, v> and
	// max_j <w_{-1,j}, -v>).
	Alignment(v []float64) []float64
}

// Memoriser is an Encoder that can say how much it fits the noise patches.
type Memoriser interface {
	NoiseMemorisation(pre []float64, labels []float64, signalPatch []int) float64
}

// Fusion combines the encoders' outputs into the network's scores.
type Fusion interface {
	// Params returns the fusion's own trainable weights (none for late fusion).
	Params() []*tensor.Dense
	// Fuse adds the fused scores to the encoders' graph and returns them with
	// the nodes bound to Params.
	Fuse(outs []*Output, name string) (*G.Node, G.Nodes, error)
}

// Loss is the training objective on the network's scores.
type Loss interface {
	// Outputs is the number of scores per sample the loss reads for a task
	// with the given number of classes.
	Outputs(classes int) int
	// Build adds the mean loss of scores against labels y to the graph.
	Build(scores, y *G.Node) (*G.Node, error)
	// Evaluate computes the mean loss and accuracy from scores read out of
	// a graph (row-major, Outputs values per sample).
	Evaluate(scores, labels []float64) (loss, accuracy float64)
}

// Optimizer is an update rule for a group of parameters.
type Optimizer interface {
	// Step moves every params[i] against grads[i], in place.
	Step(params, grads []*tensor.Dense)
}
