// This file multiplies the matrices of the patch encoder: the projection
// Z = X Wᵀ of every patch on every neuron (MulNT) and its weight gradient
// dW = Gᵀ X (MulTN), about 85% of a training step. Both are blocked into
// tiles of 4 rows and 4 to 12 columns (8 to 24 in float32), each computed by
// a micro-kernel that keeps its tile in registers while it runs over the
// shared dimension.

package kernel

import (
	"slices"
	"unsafe"
)

// Float is the element type of the matrices.
type Float interface{ float32 | float64 }

// Sizes of the register tiles: rows of a tile, and its widest column count in
// vectors of 256 bits (12 float64 or 24 float32).
const (
	tileRows    = 4
	tileVectors = 3
	vectorBytes = 32
	// kc bounds the shared dimension a tile runs over before its partial
	// sums go back to memory, so that its panels stay in the L1 cache.
	kc = 128
)

// Workspace holds the scratch memory of the products of one caller: packed
// panels and a spare tile. The zero value is ready; it grows to the largest
// product it has served and is then reused without allocating.
type Workspace[T Float] struct {
	packed []T // MulNT: b packed in panels, (k × n rounded up)
	n, k   int // the shape of the packed b
	aTail  []T // the last, partial rows (MulNT) or columns (MulTN) of a, zero-padded
	bTail  []T // MulTN: the last, partial panel of b, zero-padded
	tile   [tileRows * tileVectors * vectorBytes / 4]T
}

// lanes is the number of T in a 256-bit vector: 4 for float64, 8 for float32.
func lanes[T Float]() int {
	var zero T
	return vectorBytes / int(unsafe.Sizeof(zero))
}

// panelWidth returns the width of the panel starting at column j of n
// columns: full panels of 3 vectors, then the narrowest of 1, 2 or 3 vectors
// that covers what remains, except that a remainder of 3 to 4 vectors
// is split 2 + 2 rather than 3 + 1, whose single vector of sums would wait on
// the latency of its fused multiply-adds.
func panelWidth(j, n, lane int) int {
	rest := n - j
	switch {
	case rest <= lane:
		return lane
	case rest <= 2*lane || rest > 3*lane && rest <= 4*lane:
		return 2 * lane
	}
	return tileVectors * lane
}

// grow returns s with length n, reusing its memory when it can.
func grow[T Float](s []T, n int) []T { return slices.Grow(s[:0], n)[:n] }

// MulNT sets c = a bᵀ for row-major a (m×k), b (n×k) and c (m×n) with
// leading dimensions lda, ldb and ldc: c[i,j] = sum_l a[i,l] b[j,l].
func MulNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, ws *Workspace[T]) {
	ws.PackNT(n, k, b, ldb)
	ws.MulPackedNT(m, a, lda, c, ldc)
}

// tilesFunc is a micro-kernel over a column of tiles: tilesGo or tilesAsm.
type tilesFunc[T Float] func(tiles, w, k int, a []T, rsA, csA, aStep int, b []T, ldb int, c []T, ldc, cStep int, accumulate bool)

// PackNT keeps b (n×k, leading dimension ldb) in the workspace for the
// products MulPackedNT computes with it, so that a caller multiplying many
// blocks of rows by the same b packs it once. It is packed in panels, each
// (k × width), so that a tile reads its row l of b as one contiguous run:
// packed[p0 + l*width + jj] = b[j0+jj, l], zero beyond column n.
func (ws *Workspace[T]) PackNT(n, k int, b []T, ldb int) {
	ws.pack(n, k, b, ldb, 1)
}

// PackNN is PackNT for bᵀ given as b (k×n, leading dimension ldb): the
// products MulPackedNT then computes are c = a b.
func (ws *Workspace[T]) PackNN(n, k int, b []T, ldb int) {
	ws.pack(n, k, b, 1, ldb)
}

// pack packs the n×k matrix whose entry (j, l) is b[j*sj + l*sl].
func (ws *Workspace[T]) pack(n, k int, b []T, sj, sl int) {
	lane := lanes[T]()
	ws.n, ws.k = n, k
	total := 0
	for j := 0; j < n; j += panelWidth(j, n, lane) {
		total += panelWidth(j, n, lane) * k
	}
	ws.packed = grow(ws.packed, total)
	off := 0
	for j := 0; j < n; {
		w := panelWidth(j, n, lane)
		p := ws.packed[off : off+w*k]
		for l := 0; l < k; l++ {
			row := p[l*w : (l+1)*w]
			for jj := range row {
				if j+jj < n {
					row[jj] = b[(j+jj)*sj+l*sl]
				} else {
					row[jj] = 0
				}
			}
		}
		off += w * k
		j += w
	}
}

// MulPackedNT sets c = a bᵀ for the b of the last PackNT, (n×k), and
// row-major a (m×k) and c (m×n) with leading dimensions lda and ldc.
func (ws *Workspace[T]) MulPackedNT(m int, a []T, lda int, c []T, ldc int) {
	ws.mulPackedNT(tilesKernel[T], m, a, lda, c, ldc)
}

func (ws *Workspace[T]) mulPackedNT(tiles tilesFunc[T], m int, a []T, lda int, c []T, ldc int) {
	n, k, lane := ws.n, ws.k, lanes[T]()
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	full := m / tileRows // row tiles inside a
	ws.aTail = grow(ws.aTail, tileRows*kc)
	for l0 := 0; l0 < k; l0 += kc {
		kk := min(kc, k-l0)
		accumulate := l0 > 0
		// a's last, partial row tile, copied with zero rows past m.
		if full*tileRows < m {
			for r := 0; r < tileRows; r++ {
				dst, i := ws.aTail[r*kk:(r+1)*kk], full*tileRows+r
				if i < m {
					copy(dst, a[i*lda+l0:i*lda+l0+kk])
				} else {
					clear(dst)
				}
			}
		}
		off := 0
		for j := 0; j < n; {
			w := panelWidth(j, n, lane)
			bt := ws.packed[off+l0*w:]
			switch {
			case j+w > n:
				for i := 0; i < full*tileRows; i += tileRows {
					ws.spill(tiles, w, kk, a[i*lda+l0:], lda, 1, bt, w, c, i, j, m, n, ldc, accumulate)
				}
			case full > 0:
				// Every full row tile of this panel in one call: a and c move
				// down by 4 rows from tile to tile.
				tiles(full, w, kk, a[l0:], lda, 1, tileRows*lda, bt, w, c[j:], ldc, tileRows*ldc, accumulate)
			}
			if full*tileRows < m {
				ws.spill(tiles, w, kk, ws.aTail, kk, 1, bt, w, c, full*tileRows, j, m, n, ldc, accumulate)
			}
			off += w * k
			j += w
		}
	}
}

// MulTN sets c = aᵀ b, or adds aᵀ b to c when add is true, for row-major a
// (k×m), b (k×n) and c (m×n) with leading dimensions lda, ldb and ldc:
// c[i,j] (+)= sum_l a[l,i] b[l,j]. Adding lets a caller sum the product over
// row blocks of a and b it computes one at a time.
func MulTN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, add bool, ws *Workspace[T]) {
	mulTN(tilesKernel[T], m, n, k, a, lda, b, ldb, c, ldc, add, ws)
}

func mulTN[T Float](tiles tilesFunc[T], m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, add bool, ws *Workspace[T]) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !add {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	lane := lanes[T]()
	full := m / tileRows // row tiles of c, from whole columns of a
	ws.aTail = grow(ws.aTail, kc*tileRows)
	ws.bTail = grow(ws.bTail, kc*tileVectors*lane)
	for l0 := 0; l0 < k; l0 += kc {
		kk := min(kc, k-l0)
		accumulate := add || l0 > 0
		// a's last, partial column tile, rows l0.., copied with zero
		// columns past m: read down its columns, row stride 1, column
		// stride 4.
		if full*tileRows < m {
			for l := 0; l < kk; l++ {
				dst := ws.aTail[l*tileRows : (l+1)*tileRows]
				src := a[(l0+l)*lda+full*tileRows : (l0+l)*lda+m]
				copy(dst, src)
				clear(dst[len(src):])
			}
		}
		for j := 0; j < n; {
			w := panelWidth(j, n, lane)
			// b's panel: rows l0.. of columns j..j+w, in place or copied
			// with zero columns past n.
			bt, ldbt := b[l0*ldb+j:], ldb
			if j+w > n {
				bt, ldbt = ws.bTail, w
				for l := 0; l < kk; l++ {
					dst := bt[l*w : (l+1)*w]
					src := b[(l0+l)*ldb+j : (l0+l)*ldb+n]
					copy(dst, src)
					clear(dst[len(src):])
				}
			}
			// a's tiles are columns i..i+4 of rows l0.., read down the
			// columns (row stride 1, column stride lda).
			switch {
			case j+w > n:
				for i := 0; i < full*tileRows; i += tileRows {
					ws.spill(tiles, w, kk, a[l0*lda+i:], 1, lda, bt, ldbt, c, i, j, m, n, ldc, accumulate)
				}
			case full > 0:
				// Every full tile in one call: a moves right by 4 columns
				// and c down by 4 rows from tile to tile.
				tiles(full, w, kk, a[l0*lda:], 1, lda, tileRows, bt, ldbt, c[j:], ldc, tileRows*ldc, accumulate)
			}
			if full*tileRows < m {
				ws.spill(tiles, w, kk, ws.aTail, 1, tileRows, bt, ldbt, c, full*tileRows, j, m, n, ldc, accumulate)
			}
			j += w
		}
	}
}

// spill computes a tile that overhangs c's last rows or columns in the
// workspace's spare tile and copies the part inside c.
func (ws *Workspace[T]) spill(tiles tilesFunc[T], w, k int, a []T, rsA, csA int, b []T, ldb int, c []T, i, j, m, n, ldc int, accumulate bool) {
	t := ws.tile[:tileRows*w]
	rows, cols := min(tileRows, m-i), min(w, n-j)
	if accumulate {
		clear(t)
		for r := 0; r < rows; r++ {
			copy(t[r*w:r*w+cols], c[(i+r)*ldc+j:])
		}
	}
	tiles(1, w, k, a, rsA, csA, 0, b, ldb, t, w, 0, accumulate)
	for r := 0; r < rows; r++ {
		copy(c[(i+r)*ldc+j:(i+r)*ldc+j+cols], t[r*w:r*w+cols])
	}
}

// tilesGo is the pure-Go micro-kernel: for each of tiles tiles, r < 4 and
// col < w,
//
//	c[r*ldc+col] = (c[r*ldc+col] if accumulate) + sum_{l<k} a[r*rsA+l*csA] b[l*ldb+col]
//
// with a moved on by aStep and c by cStep from tile to tile, summed from
// l = 0 up as the assembly kernel does.
func tilesGo[T Float](tiles, w, k int, a []T, rsA, csA, aStep int, b []T, ldb int, c []T, ldc, cStep int, accumulate bool) {
	for t := 0; t < tiles; t++ {
		tileGo(w, k, a[t*aStep:], rsA, csA, b, ldb, c[t*cStep:], ldc, accumulate)
	}
}

// tileGo computes one tile of tilesGo, in 4 × 4 blocks whose sums the
// compiler keeps in registers.
func tileGo[T Float](w, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	for j := 0; j < w; j += 4 {
		var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33 T
		for l := 0; l < k; l++ {
			bl := b[l*ldb+j : l*ldb+j+4]
			b0, b1, b2, b3 := bl[0], bl[1], bl[2], bl[3]
			al := l * csA
			a0, a1, a2, a3 := a[al], a[al+rsA], a[al+2*rsA], a[al+3*rsA]
			s00, s01, s02, s03 = s00+a0*b0, s01+a0*b1, s02+a0*b2, s03+a0*b3
			s10, s11, s12, s13 = s10+a1*b0, s11+a1*b1, s12+a1*b2, s13+a1*b3
			s20, s21, s22, s23 = s20+a2*b0, s21+a2*b1, s22+a2*b2, s23+a2*b3
			s30, s31, s32, s33 = s30+a3*b0, s31+a3*b1, s32+a3*b2, s33+a3*b3
		}
		for r, sums := range [tileRows][4]T{{s00, s01, s02, s03}, {s10, s11, s12, s13}, {s20, s21, s22, s23}, {s30, s31, s32, s33}} {
			dst := c[r*ldc+j : r*ldc+j+4]
			for col, v := range sums {
				if accumulate {
					v += dst[col]
				}
				dst[col] = v
			}
		}
	}
}
