//go:build openblas

package graph

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the openblas build tag gorgonia's matrix products (the MLP, conv and
// concatenation layers) run in OpenBLAS through gonum's netlib binding; the
// patch encoder's products stay in package kernel, which is as fast. Build
// with
//
//	CGO_LDFLAGS=-lopenblas go build -tags openblas ./cmd/modcomp
//
// (Debian: apt-get install libopenblas-dev). BLAS is process-wide state in
// gorgonia, so it is chosen once, here.
func init() { G.Use(netlib.Implementation{}) }
