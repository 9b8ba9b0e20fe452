//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// hasFMA says whether this CPU runs the assembly kernels: AVX2 for the
// vectors, FMA for the products.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
