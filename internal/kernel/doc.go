// Package kernel holds the hot loops of a training step: the two matrix
// products of the patch encoder (MulNT, MulTN) and the smoothed ReLU with its
// derivative (SReLU, SReLUGrad).
//
// On CPUs with AVX2 and FMA (chosen at run time, golang.org/x/sys/cpu) they
// run in assembly (*_amd64.s); elsewhere, under the purego build tag, and
// when a test asks for it, in Go. Both paths add in the same order, from the
// first index up, so their results differ only by the rounding of fused
// multiply-adds in the products; the smoothed ReLU is bit-identical.
//
// The package holds no state: a Workspace per caller keeps the packed panels
// of the products, so concurrent networks never share memory and a warm call
// allocates nothing.
package kernel
