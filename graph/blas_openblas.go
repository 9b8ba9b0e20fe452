//go:build openblas

package graph

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the openblas build tag every matrix product, gorgonia's and
// projectOp's, runs in OpenBLAS through gonum's netlib binding. Build with
//
//	CGO_LDFLAGS=-lopenblas go build -tags openblas ./cmd/modcomp
//
// (Debian: apt-get install libopenblas-dev). BLAS is process-wide state in
// gorgonia, so it is chosen once, here.
func init() { G.Use(netlib.Implementation{}) }
