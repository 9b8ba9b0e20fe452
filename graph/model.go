package graph

// This file is the paper's network in one place (Huang et al., ICML 2022, §3).
//
// Symbols, as in the paper:
//
//	K        number of modalities, r = 0..K-1
//	P, d     patches per input, dimension of a patch; X_r = (x_{r,1}, ..., x_{r,P})
//	m        neurons per class in each encoder
//	q, rho   order and threshold of the smoothed ReLU
//	sigma0   standard deviation of the initial weights
//	eta      learning rate (step size) of gradient descent
//
// Smoothed ReLU of order q >= 2 and threshold rho > 0:
//
//	srelu(z) = 0                        if z <= 0
//	         = z^q / (q rho^(q-1))      if 0 <= z <= rho
//	         = z - (1 - 1/q) rho        if z >= rho
//
// Encoder of modality r, class c in {+1, -1}, neurons w_{r,c,j} in R^d:
//
//	F_{r,c}(X_r) = sum_{j=1..m} sum_{p=1..P} srelu(<w_{r,c,j}, x_{r,p}>)
//
// Uni-modal network of modality r and late-fusion joint network:
//
//	f_r(X_r) = F_{r,+1}(X_r) - F_{r,-1}(X_r)        f(X) = sum_r f_r(X_r)
//
// Logistic loss over n samples, initialisation and training:
//
//	L = (1/n) sum_i log(1 + exp(-y_i f(X_i)))
//	w_{r,c,j} ~ N(0, sigma0^2 I_d)
//	w <- w - eta grad_w L        (full-batch gradient descent, T steps)
//
// With more than two classes an encoder has one head F_{r,c} per class and
// emits all of them as scores; the loss is then softmax cross-entropy.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SmoothedReLU is srelu(z) of order q and threshold rho. The fused Op of
// srelu_op.go computes it over whole tensors, rearranged without branches.
func SmoothedReLU(z, q, rho float64) float64 {
	switch {
	case z <= 0:
		return 0
	case z <= rho:
		// z^q / (q rho^(q-1)), written so that neither power under- or
		// overflows for large q or tiny rho.
		return powT(z/rho, q) * (rho / q)
	default:
		return z - (1-1/q)*rho
	}
}

// SmoothedReLUDeriv is srelu'(z) = (z/rho)^(q-1) on [0, rho], 0 below and 1
// above; it is continuous, so the value at the kinks 0 and rho is unambiguous.
func SmoothedReLUDeriv(z, q, rho float64) float64 {
	switch {
	case z <= 0:
		return 0
	case z <= rho:
		return powT(z/rho, q-1)
	default:
		return 1
	}
}

// PatchConfig holds the hyper-parameters of the paper's patch encoder.
type PatchConfig struct {
	Neurons int     // m: neurons per class
	Q       float64 // q: order of the smoothed ReLU
	Rho     float64 // rho: threshold of the smoothed ReLU
	Sigma0  float64 // sigma0: standard deviation of the initial weights
	// Depth is L: L-1 blocks of Width smoothed-ReLU units applied to every
	// patch below the class heads. 1 (or 0) is the paper's encoder.
	Depth, Width int
}

// PatchEncoder is the paper's encoder of one modality: m neurons per class
// applied to every patch through the smoothed ReLU and summed into class
// scores F_{r,c}.
type PatchEncoder struct {
	PatchConfig
	Patches int // P
	Dim     int // d
	Heads   int // class heads: 2 (c = +1, -1) for one score per sample, C otherwise
	// Paired says the two heads are the classes +1 and -1 of one score
	// f = F_{+1} - F_{-1} (a binary or regression task), not two classes.
	Paired bool
	// Blocks are the L-1 layers below the heads, each applied to every
	// patch: h_l = h_{l-1} + V_l srelu(U_l h_{l-1}), h_0 = x_p.
	Blocks []Block
	// W holds the neurons as rows, head by head: W[c*m+j, :] = w_{c,j},
	// with head 0 the class +1 and head 1 the class -1 in the binary case.
	W *tensor.Dense // (Heads*m, d)

	// scratch is the working memory every graph of the encoder shares:
	// they run one at a time, as one goroutine trains a network.
	scratch *patchScratches
}

// Block is one layer below the heads: Width smoothed-ReLU units read the
// patch's representation h and write back into it,
//
//	h_l = h_{l-1} + V_l srelu(U_l h_{l-1}),   h_0 = x_p,
//
// and the heads read h_{L-1} where the paper's read x_p. Every layer starts
// in the paper's small-init regime, where a neuron's response to a patch is
// inside the polynomial part of the smoothed ReLU and grows only as the
// neuron learns:
//
//	w_{c,j} ~ N(0, sigma0^2 I)   as in the paper: <w, x_p> of order sigma0 |x_p|
//	U_l     ~ N(0, (rho/2)^2 I)  a unit's response to a unit-norm patch has
//	                             standard deviation rho/2: polynomial, but where
//	                             srelu'(z) = (z/rho)^(q-1) still passes a gradient
//	V_l     = 0                  the block starts as the identity
//
// so that a deeper encoder starts as exactly the paper's (h_{L-1} = x_p) and
// each block's contribution grows from zero as it learns. Without the
// identity path, layers of small units compose their polynomials (z^q of
// z^q ...) and no gradient reaches the lower ones; with larger units, the
// heads' steps at the paper's learning rate diverge.
type Block struct {
	U *tensor.Dense // (Width, d)
	V *tensor.Dense // (d, Width)
}

// NewPatchEncoder makes the encoder of outputs scores per sample: one score
// from the paired heads +1 and -1, or one head per class. It draws the
// initial weights from src: the heads' w ~ N(0, sigma0² I) first, then each
// block's U ~ N(0, I/d); every V starts at 0.
func NewPatchEncoder(cfg PatchConfig, patches, dim, outputs int, dtype tensor.Dtype, src *rand.Rand) *PatchEncoder {
	heads, paired := outputs, outputs == 1
	if paired {
		heads = 2
	}
	w := make([]float64, dim*heads*cfg.Neurons)
	for i := range w {
		w[i] = cfg.Sigma0 * src.NormFloat64()
	}
	e := &PatchEncoder{
		PatchConfig: cfg, Patches: patches, Dim: dim, Heads: heads, Paired: paired,
		W: newDense(dtype, tensor.Shape{heads * cfg.Neurons, dim}, w),
	}
	for l := 1; l < cfg.Depth; l++ {
		u := make([]float64, cfg.Width*dim)
		for i := range u {
			u[i] = cfg.Rho / 2 * src.NormFloat64()
		}
		e.Blocks = append(e.Blocks, Block{
			U: newDense(dtype, tensor.Shape{cfg.Width, dim}, u),
			V: newDense(dtype, tensor.Shape{dim, cfg.Width}, make([]float64, dim*cfg.Width)),
		})
	}
	return e
}

// InputShape is (n*P, d): every patch of every sample is a row, so one matrix
// product applies every neuron to every patch.
func (e *PatchEncoder) InputShape(n int) tensor.Shape { return tensor.Shape{n * e.Patches, e.Dim} }

// FeatureWidth is Heads*m: one pooled activation per neuron.
func (e *PatchEncoder) FeatureWidth() int { return e.Heads * e.Neurons }

// Params returns the blocks' U and V and W as the body; the head, which
// sums neurons into class scores, has no weights.
func (e *PatchEncoder) Params() (body, head []*tensor.Dense) {
	for _, b := range e.Blocks {
		body = append(body, b.U, b.V)
	}
	return append(body, e.W), nil
}

// Build adds F_{r,c} to x's graph and returns f_r = F_{+1} - F_{-1} (n,) for
// paired heads, or every F_c (n, C) otherwise. Its features are each neuron's
// activation summed over the patches, (n, Heads*m).
func (e *PatchEncoder) Build(x *G.Node, n int, name string) (*Output, error) {
	g := x.Graph()
	h := e.Heads * e.Neurons
	// Blocks: h_l = h_{l-1} + V_l srelu(U_l h_{l-1}) on every patch, (n*P, d).
	var body G.Nodes
	for l, b := range e.Blocks {
		label := fmt.Sprintf("%s.block%d", name, l+1)
		u := G.NewMatrix(g, b.U.Dtype(), G.WithShape(b.U.Shape()...), G.WithValue(b.U), G.WithName(label+".U"))
		v := G.NewMatrix(g, b.V.Dtype(), G.WithShape(b.V.Shape()...), G.WithValue(b.V), G.WithName(label+".V"))
		z, err := project(x, u, l > 0) // (n*P, Width); the patches themselves are data
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		a, err := applySReLU(z, e.Q, e.Rho)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		back, err := project(a, v, true) // (n*P, d): V srelu(U h)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		if x, err = G.Add(x, back); err != nil {
			return nil, fmt.Errorf("%s: %w", label, err)
		}
		body = append(body, u, v)
	}
	deep := len(e.Blocks) > 0
	in := e.W.Shape()[1]
	w := G.NewMatrix(g, e.W.Dtype(), G.WithShape(h, in), G.WithValue(e.W), G.WithName(name+".W"))
	body = append(body, w)
	// F_c(X) = sum_p sum_j srelu(<w_{c,j}, x_p>), (n,) as f = F_{+1} - F_{-1}
	// or (n, C); pre holds every <w_{c,j}, x_p>, (n*P, H*m). One Op
	// (patch_op.go) computes them in cache-sized blocks.
	scores, pre, err := patchScores(x, w, e, deep)
	if err != nil {
		return nil, fmt.Errorf("%s: class scores: %w", name, err)
	}
	// The features sum srelu over patches only, (n, H*m); a graph computes
	// them only when something reads them (concatenation fusion, a linear
	// probe).
	z, err := project(x, w, deep) // (n*P, H*m): <w_{c,j}, x_p> for every patch and neuron
	if err != nil {
		return nil, fmt.Errorf("%s: pre-activations: %w", name, err)
	}
	a, err := applySReLU(z, e.Q, e.Rho) // (n*P, H*m)
	if err != nil {
		return nil, fmt.Errorf("%s: srelu: %w", name, err)
	}
	perPatch, err := G.Reshape(a, tensor.Shape{n, e.Patches, h})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	features, err := G.Sum(perPatch, 1) // (n, H*m)
	if err != nil {
		return nil, fmt.Errorf("%s: features: %w", name, err)
	}
	return &Output{Features: features, Scores: scores, Body: body, PreActivations: pre}, nil
}

// AppendAlignment appends to dst the feature alignment of each class head
// with the modality's feature v: max_j <w_{c,j}, h(s_c v)> with s_c = +1 for
// head 0 and -1 for head 1, so that both numbers grow as the encoder learns
// v; h is the hidden layers' output on a patch s_c v, the patch itself for
// the paper's encoder (h(s_c v) = s_c v).
func (e *PatchEncoder) AppendAlignment(dst, v []float64) []float64 {
	for c := 0; c < e.Heads; c++ {
		sign := 1.0
		if e.Paired && c == 1 {
			sign = -1
		}
		patch := v // h(s_c v) = s_c v: the sign is applied to the dot products
		if len(e.Blocks) > 0 {
			patch = make([]float64, len(v))
			for k, vk := range v {
				patch[k] = sign * vk
			}
			for _, b := range e.Blocks {
				patch = e.block(b, patch)
			}
			sign = 1
		}
		best := math.Inf(-1)
		for j := c * e.Neurons; j < (c+1)*e.Neurons; j++ {
			best = math.Max(best, sign*rowDot(e.W, j, patch))
		}
		dst = append(dst, best)
	}
	return dst
}

// block returns x + V srelu(U x) for one patch x.
func (e *PatchEncoder) block(b Block, x []float64) []float64 {
	a := make([]float64, b.U.Shape()[0])
	for i := range a {
		a[i] = SmoothedReLU(rowDot(b.U, i, x), e.Q, e.Rho)
	}
	out := slices.Clone(x)
	for k := range out {
		out[k] += rowDot(b.V, k, a)
	}
	return out
}

// rowDot is <m[i, :], x> for a matrix m of either float type.
func rowDot(m *tensor.Dense, i int, x []float64) float64 {
	if m.Dtype() == tensor.Float32 {
		return dotWith(m.Float32s()[i*len(x):(i+1)*len(x)], x)
	}
	return dotWith(m.Float64s()[i*len(x):(i+1)*len(x)], x)
}

func dotWith[T float32 | float64](a []T, x []float64) float64 {
	s := 0.0
	for k, v := range a {
		s += float64(v) * x[k]
	}
	return s
}

// EscapeLevel is rho: a head whose alignment reaches it has escaped the
// tensor-power phase (Escaped in theory.go). Its response to a signal patch,
// alpha_r times the alignment, leaves the polynomial part of the smoothed
// ReLU only later when alpha_r < 1 (Learned in theory.go).
func (e *PatchEncoder) EscapeLevel() float64 { return e.Rho }

// NoiseMemorisation measures how much the encoder fits noise: the mean over
// samples of the largest pre-activation <w_{y_i,j}, x_{i,p}> of the sample's
// own class head over its noise patches p (every patch but the signal one).
// pre is the (n*P, Heads*m) pre-activation matrix of the samples.
func (e *PatchEncoder) NoiseMemorisation(pre []float64, labels []float64, signalPatch []int) float64 {
	if e.Patches < 2 {
		return math.NaN() // no noise patches to memorise
	}
	h := e.Heads * e.Neurons
	total := 0.0
	for i, y := range labels {
		c := headOf(y, e.Paired)
		best := math.Inf(-1)
		for p := 0; p < e.Patches; p++ {
			if p == signalPatch[i] {
				continue
			}
			row := pre[(i*e.Patches+p)*h:]
			for j := c * e.Neurons; j < (c+1)*e.Neurons; j++ {
				best = math.Max(best, row[j])
			}
		}
		total += best
	}
	return total / float64(len(labels))
}

// headOf maps a label to its class head: +1 -> 0 and -1 -> 1 for paired
// heads, the class index otherwise.
func headOf(y float64, paired bool) int {
	if paired {
		if y > 0 {
			return 0
		}
		return 1
	}
	return int(y)
}

// LateFusion is the paper's joint network: the sum of the encoders' scores,
// f = sum_r f_r.
type LateFusion struct{}

// Params is empty: late fusion has no weights of its own.
func (LateFusion) Params() []*tensor.Dense { return nil }

// Fuse sums the encoders' scores; each encoder contributes its f_r.
func (LateFusion) Fuse(outs []*Output, name string) (*Fused, error) {
	f := outs[0].Scores
	contributions := []*G.Node{f}
	for _, o := range outs[1:] {
		var err error
		if f, err = G.Add(f, o.Scores); err != nil {
			return nil, fmt.Errorf("%s: late fusion: %w", name, err)
		}
		contributions = append(contributions, o.Scores)
	}
	return &Fused{Scores: f, Contributions: contributions}, nil
}

// LogisticLoss is the paper's loss for labels y in {-1, +1} and one score f
// per sample: mean log(1 + exp(-y f)).
type LogisticLoss struct{}

// Outputs is 1: one real score per sample.
func (LogisticLoss) Outputs(classes int) int { return 1 }

// Target is the labels themselves, -1 or +1.
func (LogisticLoss) Target(labels []float64, classes int) ([]float64, tensor.Shape) {
	return labels, tensor.Shape{len(labels)}
}

// Build adds the mean loss over the batch, (1/n) sum_i log(1 + exp(-y_i f_i)),
// computed stably in one Op (logistic_op.go); f and y are (n,).
func (LogisticLoss) Build(f, y *G.Node) (*G.Node, error) {
	return G.ApplyOp(logisticOp{}, f, y)
}

// Evaluate returns the mean loss and the accuracy of scores (n,) on labels.
// A score of exactly 0 counts as wrong.
func (LogisticLoss) Evaluate(scores, labels []float64) (loss, accuracy float64) {
	correct := 0
	for i, y := range labels {
		m := y * scores[i]
		loss += softplus(-m)
		if m > 0 {
			correct++
		}
	}
	n := float64(len(labels))
	return loss / n, float64(correct) / n
}

// TrueClassProbability is sigmoid(y f) per sample: the probability the
// score f gives the label y.
func (LogisticLoss) TrueClassProbability(scores, labels []float64) []float64 {
	p := make([]float64, len(labels))
	for i, y := range labels {
		p[i] = 1 / (1 + math.Exp(-y*scores[i]))
	}
	return p
}

// softplus is log(1 + exp(x)) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Ensure the paper's parts satisfy the contracts.
var (
	_ Encoder   = (*PatchEncoder)(nil)
	_ Fusion    = LateFusion{}
	_ ClassLoss = LogisticLoss{}
)

// The paper's parts as the configuration names them (registry.go).
var (
	patchEncoderKind = encoderKind{
		help:     "the paper's",
		rate:     1, // the paper's
		validate: validatePatch,
		build:    newPatchEncoder,
		memory:   patchMemory,
	}
	lateFusionKind = fusionKind{
		help:      "the sum of the encoders' scores, the paper's",
		usesHeads: true,
		build: func(FusionConfig, []int, int, tensor.Dtype, *rand.Rand) Fusion {
			return LateFusion{}
		},
	}
	logisticLossKind = lossKind{help: "labels -1/+1, the paper's", task: dataset.Binary, auto: true, loss: LogisticLoss{}}
)

func validatePatch(c EncoderConfig, r int, ck *check.Checker) {
	ck.PositiveInt("neurons", r, c.Neurons)
	ck.AtLeast("q", r, c.Q, 2)
	ck.Positive("rho", r, c.Rho)
	ck.NonNegative("sigma0", r, c.Sigma0)
	ck.NonNegativeInt("depth", r, c.Depth)
	if c.Depth > 1 {
		ck.PositiveInt("width", r, c.Width)
	}
}

func newPatchEncoder(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error) {
	if len(m.Shape) != 2 {
		return nil, fmt.Errorf("the patch encoder needs samples of shape (P, d); modality %s has shape %v (use encoder mlp or conv)", m.Name, m.Shape)
	}
	return NewPatchEncoder(cfg.PatchConfig, m.Shape[0], m.Shape[1], outputs, dtype, src), nil
}
