//go:build !amd64 || purego

package kernel

// Without the assembly kernels every tile runs in Go.
const hasFMA = false

func tilesAsm[T Float](tiles, w, k int, a []T, rsA, csA, aStep int, b []T, ldb int, c []T, ldc, cStep int, accumulate bool) {
	tilesGo(tiles, w, k, a, rsA, csA, aStep, b, ldb, c, ldc, cStep, accumulate)
}

func sreluAsm[T Float](z, out []T, inv, r, scale T, q int) int { return 0 }

func sreluGradAsm[T Float](z, grad, out []T, inv T, q1 int) int { return 0 }
