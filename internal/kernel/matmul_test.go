package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveNT and naiveTN are the definitions, summed in float64.
func naiveNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				s += float64(a[i*lda+l]) * float64(b[j*ldb+l])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func naiveTN[T Float](m, n, k int, a []T, lda int, b []T, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				s += float64(a[l*lda+i]) * float64(b[l*ldb+j])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func randomSlice[T Float](src *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(src.NormFloat64())
	}
	return s
}

// shapes cover full tiles, every partial tile (rows and columns not
// multiples of 4 or of a panel), the shared dimension across kc chunks,
// padded leading dimensions, and the encoder's real shapes.
var shapes = []struct{ m, n, k, pad int }{
	{1, 1, 1, 0}, {4, 4, 1, 0}, {3, 5, 7, 2}, {4, 12, 16, 0}, {5, 13, 9, 1},
	{8, 24, 33, 0}, {7, 9, 257, 3}, {13, 20, 200, 0}, {12, 17, 513, 5},
	{40, 20, 100, 0}, {64, 60, 200, 0}, {2, 30, 3, 0}, {30, 2, 3, 1},
}

// checkClose compares got with the float64 reference within a tolerance
// proportional to k and the magnitude of the terms (values ~ N(0, 1)).
func checkClose[T Float](t *testing.T, what string, got []T, ldc, m, n, k int, want []float64) {
	t.Helper()
	eps := 1e-15
	if _, f32 := any(got[0]).(float32); f32 {
		eps = 1e-6
	}
	tol := 4 * eps * float64(k) * math.Sqrt(float64(k))
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g, w := float64(got[i*ldc+j]), want[i*n+j]
			if math.Abs(g-w) > tol*(1+math.Abs(w)) {
				t.Fatalf("%s: c[%d,%d] = %v, want %v (tolerance %.2g)", what, i, j, g, w, tol)
			}
		}
	}
}

// checkPadding checks that the columns of c past n kept their values.
func checkPadding[T Float](t *testing.T, what string, c, before []T, m, n, ldc int) {
	t.Helper()
	for i := 0; i < m; i++ {
		for j := n; j < ldc; j++ {
			if c[i*ldc+j] != before[i*ldc+j] {
				t.Fatalf("%s wrote c[%d,%d], past the %d columns of c", what, i, j, n)
			}
		}
	}
}

func testProducts[T Float](t *testing.T) {
	src := rand.New(rand.NewPCG(1, 2))
	kernels := map[string]tilesFunc[T]{"go": tilesGo[T], "asm": tilesAsm[T]}
	for _, s := range shapes {
		for name, tile := range kernels {
			t.Run(fmt.Sprintf("%s/m%d_n%d_k%d_pad%d", name, s.m, s.n, s.k, s.pad), func(t *testing.T) {
				var ws Workspace[T]
				// c = a bᵀ with a (m×k), b (n×k)
				lda, ldb, ldc := s.k+s.pad, s.k+s.pad, s.n+s.pad
				a, b := randomSlice[T](src, s.m*lda), randomSlice[T](src, s.n*ldb)
				c := randomSlice[T](src, s.m*ldc) // garbage the product must overwrite
				before := append([]T(nil), c...)
				ws.PackNT(s.n, s.k, b, ldb)
				ws.mulPackedNT(tile, s.m, a, lda, c, ldc)
				checkClose(t, "MulNT", c, ldc, s.m, s.n, s.k, naiveNT(s.m, s.n, s.k, a, lda, b, ldb))
				checkPadding(t, "MulNT", c, before, s.m, s.n, ldc)
				// c = a b with a (m×k), b (k×n): bᵀ packed from b.
				bt := make([]T, s.k*ldc)
				for j := 0; j < s.n; j++ {
					for l := 0; l < s.k; l++ {
						bt[l*ldc+j] = b[j*ldb+l]
					}
				}
				c = randomSlice[T](src, s.m*ldc)
				before = append(before[:0], c...)
				ws.PackNN(s.n, s.k, bt, ldc)
				ws.mulPackedNT(tile, s.m, a, lda, c, ldc)
				checkClose(t, "MulPackedNT after PackNN", c, ldc, s.m, s.n, s.k, naiveNT(s.m, s.n, s.k, a, lda, b, ldb))
				checkPadding(t, "MulPackedNT after PackNN", c, before, s.m, s.n, ldc)
				// c = aᵀ b with a (k×m), b (k×n)
				lda, ldb = s.m+s.pad, s.n+s.pad
				a, b = randomSlice[T](src, s.k*lda), randomSlice[T](src, s.k*ldb)
				c = randomSlice[T](src, s.m*ldc)
				before = append(before[:0], c...)
				mulTN(tile, s.m, s.n, s.k, a, lda, b, ldb, c, ldc, false, &ws)
				want := naiveTN(s.m, s.n, s.k, a, lda, b, ldb)
				checkClose(t, "MulTN", c, ldc, s.m, s.n, s.k, want)
				checkPadding(t, "MulTN", c, before, s.m, s.n, ldc)
				// Adding the product to what c holds: c = 2 aᵀ b.
				mulTN(tile, s.m, s.n, s.k, a, lda, b, ldb, c, ldc, true, &ws)
				for i := range want {
					want[i] *= 2
				}
				checkClose(t, "MulTN adding", c, ldc, s.m, s.n, s.k, want)
				checkPadding(t, "MulTN adding", c, before, s.m, s.n, ldc)
			})
		}
	}
}

func TestProductsFloat64(t *testing.T) { testProducts[float64](t) }
func TestProductsFloat32(t *testing.T) { testProducts[float32](t) }
