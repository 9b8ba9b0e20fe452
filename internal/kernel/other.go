//go:build !amd64 || purego

package kernel

// Without the assembly kernels every tile runs in Go.
const hasFMA = false

func tileAsm[T Float](w, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	tileGo(w, k, a, rsA, csA, b, ldb, c, ldc, accumulate)
}

func sreluAsm[T Float](z, out []T, inv, r, scale T, q int) int { return 0 }

func sreluGradAsm[T Float](z, grad, out []T, inv T, q1 int) int { return 0 }
