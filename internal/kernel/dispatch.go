package kernel

// tileKernel computes one tile with the assembly micro-kernel when the CPU
// has one, with tileGo otherwise.
func tileKernel[T Float](w, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	if hasFMA {
		tileAsm(w, k, a, rsA, csA, b, ldb, c, ldc, accumulate)
		return
	}
	tileGo(w, k, a, rsA, csA, b, ldb, c, ldc, accumulate)
}
