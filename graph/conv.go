package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/modcomp/modcomp/dataset"
	"github.com/modcomp/modcomp/internal/check"
)

// ConvConfig holds the hyper-parameters of a convolutional encoder.
type ConvConfig struct {
	Channels   []int  // output channels of each convolution, e.g. 8, 16
	Kernel     int    // k: k x k kernels (k x 1 over patches), padded to keep the size
	Activation string // one of Activations()
	Scale      float64
	Input      string // one of ConvInputs()
}

// The ways a conv encoder reads a modality's samples.
const (
	// ConvInputImage reads (H, W) or (C, H, W) as an image.
	ConvInputImage = "image"
	// ConvInputPatch reads (P, d) as a sequence of P patches whose d values
	// are the channels, so a convolution is the paper's projection of each
	// patch (and its neighbours) and the global average is over patches.
	ConvInputPatch = "patch"
	// ConvInputAuto reads patches when the modality is made of patches
	// around a known feature (the paper's data) and images otherwise.
	ConvInputAuto = "auto"
)

// ConvInputs are the values of ConvConfig.Input.
func ConvInputs() []string { return []string{ConvInputAuto, ConvInputImage, ConvInputPatch} }

// convGeometry is the image a conv encoder sees in modality m: its channels,
// height and width, the kernel's height and width, and whether the samples
// are read as patches, (P, d) -> (d, P, 1).
func convGeometry(c ConvConfig, m dataset.Modality) (shape [3]int, kernel [2]int, patches bool, err error) {
	patches = c.Input == ConvInputPatch || (c.Input == ConvInputAuto && m.IsPatches())
	k := c.Kernel
	switch {
	case patches && len(m.Shape) == 2:
		return [3]int{m.Shape[1], m.Shape[0], 1}, [2]int{k, 1}, true, nil
	case patches:
		return shape, kernel, true, fmt.Errorf("the conv encoder reads patches from samples of shape (P, d); modality %s has shape %v", m.Name, m.Shape)
	case len(m.Shape) == 2:
		return [3]int{1, m.Shape[0], m.Shape[1]}, [2]int{k, k}, false, nil
	case len(m.Shape) == 3:
		return [3]int{m.Shape[0], m.Shape[1], m.Shape[2]}, [2]int{k, k}, false, nil
	}
	return shape, kernel, false, fmt.Errorf("the conv encoder needs images of shape (H, W) or (C, H, W); modality %s has shape %v", m.Name, m.Shape)
}

// ConvEncoder is a small 2-D convolutional network for image-shaped
// modalities, (H, W) or (C, H, W): per layer a k x k convolution, the
// activation and a 2 x 2 max pooling (while the image is at least 2 x 2);
// then a global average pooling gives the features, (n, last channels), and
// a linear head the scores. Read as patches, a (P, d) sample is a (d, P, 1)
// image and the kernels are k x 1: a 1-D convolution over the patches.
type ConvEncoder struct {
	cfg     ConvConfig
	q, rho  float64
	shape   [3]int          // C, H, W
	kernel  [2]int          // kh, kw
	patches bool            // samples (P, d) read as (d, P, 1)
	filters []*tensor.Dense // (c_out, c_in, kh, kw)
	pools   []bool          // whether layer l pools
	head    *linear
}

var convEncoderKind = encoderKind{
	help:     "2-D convolutions, for images",
	rate:     0.1,
	validate: validateConv,
	build:    newConvEncoder,
	memory:   convMemory,
}

func validateConv(c EncoderConfig, r int, ck *check.Checker) {
	if len(c.Conv.Channels) == 0 {
		ck.Fail(&check.FieldError{Field: "conv-channels", Index: r, Value: "(none)", Want: "at least one convolution, e.g. 8,16"})
	}
	for _, ch := range c.Conv.Channels {
		ck.PositiveInt("conv-channels", r, ch)
	}
	ck.PositiveInt("conv-kernel", r, c.Conv.Kernel)
	if c.Conv.Kernel%2 == 0 {
		ck.Fail(&check.FieldError{Field: "conv-kernel", Index: r, Value: c.Conv.Kernel, Want: "an odd size, so that padding keeps the image size"})
	}
	ck.OneOf("activation", r, c.Conv.Activation, Activations())
	ck.OneOf("conv-input", -1, c.Conv.Input, ConvInputs())
	ck.Positive("init-scale", r, c.Conv.Scale)
	if c.Conv.Activation == "srelu" {
		ck.AtLeast("q", r, c.Q, 2)
		ck.Positive("rho", r, c.Rho)
	}
}

func newConvEncoder(cfg EncoderConfig, m dataset.Modality, outputs int, dtype tensor.Dtype, src *rand.Rand) (Encoder, error) {
	e := &ConvEncoder{cfg: cfg.Conv, q: cfg.Q, rho: cfg.Rho}
	var err error
	if e.shape, e.kernel, e.patches, err = convGeometry(cfg.Conv, m); err != nil {
		return nil, err
	}
	kh, kw := e.kernel[0], e.kernel[1]
	in, h, w := e.shape[0], e.shape[1], e.shape[2]
	for _, out := range cfg.Conv.Channels {
		f := make([]float64, out*in*kh*kw)
		std := cfg.Conv.Scale / math.Sqrt(float64(in*kh*kw))
		for i := range f {
			f[i] = std * src.NormFloat64()
		}
		e.filters = append(e.filters, newDense(dtype, tensor.Shape{out, in, kh, kw}, f))
		pool := h >= 2 && w >= 2
		e.pools = append(e.pools, pool)
		if pool {
			h, w = h/2, w/2
		}
		in = out
	}
	e.head = newLinear(in, outputs, cfg.Conv.Scale, dtype, src)
	return e, nil
}

// InputShape is (n, C, H, W), or (n, P, d) for patches.
func (e *ConvEncoder) InputShape(n int) tensor.Shape {
	if e.patches {
		return tensor.Shape{n, e.shape[1], e.shape[0]}
	}
	return tensor.Shape{n, e.shape[0], e.shape[1], e.shape[2]}
}

// FeatureWidth is the number of channels of the last convolution.
func (e *ConvEncoder) FeatureWidth() int { return e.cfg.Channels[len(e.cfg.Channels)-1] }

// Params returns the filters as the body and the linear head.
func (e *ConvEncoder) Params() (body, head []*tensor.Dense) {
	return append([]*tensor.Dense(nil), e.filters...), e.head.params()
}

// Build adds the convolutions, the global average pooling and the head.
func (e *ConvEncoder) Build(x *G.Node, n int, name string) (*Output, error) {
	out := &Output{}
	g := x.Graph()
	kh, kw := e.kernel[0], e.kernel[1]
	h := x
	if e.patches {
		// (n, P, d) -> (n, d, P) -> (n, d, P, 1): the patches' values are channels.
		t, err := G.Transpose(x, 0, 2, 1)
		if err != nil {
			return nil, fmt.Errorf("%s: patches as channels: %w", name, err)
		}
		if h, err = G.Reshape(t, tensor.Shape{n, e.shape[0], e.shape[1], 1}); err != nil {
			return nil, fmt.Errorf("%s: patches as channels: %w", name, err)
		}
	}
	for l, f := range e.filters {
		layer := fmt.Sprintf("%s.conv%d", name, l)
		filter := G.NewTensor(g, f.Dtype(), 4, G.WithShape(f.Shape()...), G.WithValue(f), G.WithName(layer+".filter"))
		out.Body = append(out.Body, filter)
		z, err := G.Conv2d(h, filter, tensor.Shape{kh, kw}, []int{kh / 2, kw / 2}, []int{1, 1}, []int{1, 1})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", layer, err)
		}
		if h, err = activations[e.cfg.Activation](z, e.q, e.rho); err != nil {
			return nil, fmt.Errorf("%s: %w", layer, err)
		}
		if e.pools[l] {
			if h, err = G.MaxPool2D(h, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}); err != nil {
				return nil, fmt.Errorf("%s: pooling: %w", layer, err)
			}
		}
	}
	// Global average pooling: (n, C, H, W) -> (n, C, H*W) -> (n, C). One
	// axis at a time: gorgonia's mean over two axes at once mixes channels.
	s := h.Shape()
	flat, err := G.Reshape(h, tensor.Shape{s[0], s[1], s[2] * s[3]})
	if err != nil {
		return nil, fmt.Errorf("%s: global pooling: %w", name, err)
	}
	features, err := G.Mean(flat, 2)
	if err != nil {
		return nil, fmt.Errorf("%s: global pooling: %w", name, err)
	}
	out.Features = features
	scores, w, b, err := e.head.scores(features, n, name+".head")
	if err != nil {
		return nil, err
	}
	out.Scores, out.Head = scores, G.Nodes{w, b}
	return out, nil
}
