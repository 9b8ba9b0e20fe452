package kernel

// tilesKernel computes a column of tiles with the assembly micro-kernel when
// the CPU has one, with tilesGo otherwise.
func tilesKernel[T Float](tiles, w, k int, a []T, rsA, csA, aStep int, b []T, ldb int, c []T, ldc, cStep int, accumulate bool) {
	if hasFMA {
		tilesAsm(tiles, w, k, a, rsA, csA, aStep, b, ldb, c, ldc, cStep, accumulate)
		return
	}
	tilesGo(tiles, w, k, a, rsA, csA, aStep, b, ldb, c, ldc, cStep, accumulate)
}
