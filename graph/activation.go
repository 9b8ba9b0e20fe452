package graph

import (
	"maps"
	"slices"

	G "gorgonia.org/gorgonia"
)

// activations maps the activation names of MLP, convolutional and fused
// layers to the function that applies them; srelu is the paper's smoothed
// ReLU, with the encoder's q and rho.
var activations = map[string]func(x *G.Node, q, rho float64) (*G.Node, error){
	"relu":   func(x *G.Node, _, _ float64) (*G.Node, error) { return G.Rectify(x) },
	"srelu":  applySReLU,
	"tanh":   func(x *G.Node, _, _ float64) (*G.Node, error) { return G.Tanh(x) },
	"linear": func(x *G.Node, _, _ float64) (*G.Node, error) { return x, nil },
}

// Activations lists the activation names a config may use.
func Activations() []string { return slices.Sorted(maps.Keys(activations)) }
