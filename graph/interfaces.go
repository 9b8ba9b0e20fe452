package graph

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Encoder is the network of one modality: a body that maps the modality's
// input to a representation (features), and a head that maps the features to
// the encoder's own class scores. It owns its weights: they are dense tensors
// that training updates in place, and every graph the encoder is built into
// (the training graph, one evaluation graph per split) reads the same
// tensors, so evaluation never needs a rebuild.
type Encoder interface {
	// InputShape is the shape in which the encoder reads a batch of n
	// samples of its modality, whose values are given in row-major order.
	InputShape(n int) tensor.Shape
	// FeatureWidth is the width h of the encoder's features, (n, h).
	FeatureWidth() int
	// Params returns the trainable tensors of the body and of the head.
	// Under late fusion both train; under concatenation fusion the head is
	// unused and only the body trains.
	Params() (body, head []*tensor.Dense)
	// Build adds the encoder's forward pass over the batch x of n samples to
	// x's graph. name prefixes the nodes it creates.
	Build(x *G.Node, n int, name string) (*Output, error)
}

// Output is what Encoder.Build adds to a graph.
type Output struct {
	// Features is the representation, (n, h): what concatenation fusion
	// combines and what a linear probe reads.
	Features *G.Node
	// Scores are the encoder's own class scores, (n,) when the loss reads
	// one score per sample and (n, C) otherwise: what late fusion sums.
	Scores *G.Node
	// Body and Head are the nodes bound to Params, in the same order.
	Body, Head G.Nodes
	// PreActivations, when not nil, are the (n*P, width) pre-activations of
	// a patch encoder, for the noise-memorisation metric.
	PreActivations *G.Node
}

// Aligner is an Encoder whose class heads can be compared with the
// modality's known feature direction v.
type Aligner interface {
	// AppendAlignment appends to dst one number per class head, which grows
	// as the head learns v (for the binary patch encoder: max_j <w_{+1,j}, v>
	// and max_j <w_{-1,j}, -v>).
	AppendAlignment(dst, v []float64) []float64
	// EscapeLevel is the alignment at which a head counts as having left
	// the polynomial region of its activation: rho for the patch encoder.
	EscapeLevel() float64
}

// Memoriser is an Encoder that can say how much it fits the noise patches.
type Memoriser interface {
	NoiseMemorisation(pre []float64, labels []float64, signalPatch []int) float64
}

// Fusion combines the encoders' outputs into the network's scores. Whether
// it reads the encoders' scores or their features is a property of its kind
// (fusionKind.usesHeads), known before any network is built.
type Fusion interface {
	// Params returns the fusion's own trainable weights.
	Params() []*tensor.Dense
	// Fuse adds the fused scores to the encoders' graph and returns them,
	// with the nodes bound to Params and, per encoder, its additive
	// contribution to the scores (nil where the fusion is not additive).
	Fuse(outs []*Output, name string) (*Fused, error)
}

// Fused is what Fusion.Fuse adds to a graph.
type Fused struct {
	Scores        *G.Node
	Params        G.Nodes
	Contributions []*G.Node
}

// Loss is the training objective on the network's scores.
type Loss interface {
	// Outputs is the number of scores per sample the loss reads for a task
	// with the given number of classes.
	Outputs(classes int) int
	// Build adds the mean loss of scores against the labels to the graph.
	// y holds the labels as Target encodes them.
	Build(scores, y *G.Node) (*G.Node, error)
	// Target encodes labels for Build: one value per sample, or a one-hot
	// row per sample for a softmax.
	Target(labels []float64, classes int) (values []float64, shape tensor.Shape)
	// Evaluate computes the mean loss and a score from scores read out of a
	// graph (row-major, Outputs values per sample): the accuracy for
	// classification, the coefficient of determination R² for regression.
	Evaluate(scores, labels []float64) (loss, accuracy float64)
}

// ClassLoss is a Loss over classes: its scores give each class a
// probability.
type ClassLoss interface {
	Loss
	// TrueClassProbability returns, per sample, the probability the scores
	// (row-major, Outputs values per sample) give the sample's label.
	TrueClassProbability(scores, labels []float64) []float64
}

// Optimizer is an update rule for a group of parameters.
type Optimizer interface {
	// Step moves every params[i] against grads[i], in place.
	Step(params, grads []*tensor.Dense)
}

// Method is how a network is trained: which loss terms each step follows and
// what happens to the gradients. "naive" is plain joint training (the
// paper's); the others rebalance the modalities. One file per method, which
// also declares the method's registry entry (methodKind): its settings, and
// its Objective, which says what the method needs.
type Method interface {
	// Before sets, for step st.Step, the weights of the loss terms and the
	// groups to update.
	Before(st *StepState) error
	// After may rescale or perturb the gradients of step st.Step.
	After(st *StepState) error
	// Log adds the method's own values to a logged record.
	Log(rec *Record)
}

// Objective lists the terms of a training loss beyond the loss of the fused
// scores, L(f, y). A method declares it in its registry entry, and it says
// what the method needs (NeedsTeachers, NeedsEncoderScores).
type Objective struct {
	// PerEncoder adds each encoder's own loss L(f_r, y).
	PerEncoder bool
	// Distill adds, per encoder, the mean squared distance between its
	// scores f_r and those of its uni-modal teacher (TrainConfig.Teachers).
	Distill bool
	// EncoderScores makes each encoder's scores on the batch available to
	// the method (StepState.EncoderScores).
	EncoderScores bool
}

// NeedsTeachers tells whether training needs the scores of each encoder's
// trained uni-modal network (TrainConfig.Teachers).
func (o Objective) NeedsTeachers() bool { return o.Distill }

// NeedsEncoderScores tells whether training reads each encoder's own
// scores, which only a fusion that uses the encoders' heads has.
func (o Objective) NeedsEncoderScores() bool { return o.PerEncoder || o.Distill || o.EncoderScores }
