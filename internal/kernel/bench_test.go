package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The encoder's products at the sizes of the benchmarks in graph: rows
// n*P, neurons H = 2m, dimension d.
var benchShapes = []struct {
	name       string
	rows, h, d int
}{
	{"ref_N1000_H20_d200", 1000, 20, 200},
	{"default_N1000_H60_d200", 1000, 60, 200},
	{"large_N8000_H40_d100", 8000, 40, 100},
	{"probe_N1000_H40_d100", 1000, 40, 100},
	{"probe_N100000_H60_d200", 100000, 60, 200},
}

func benchProducts[T Float](b *testing.B, dtype string) {
	src := rand.New(rand.NewPCG(1, 2))
	for _, s := range benchShapes {
		x, w := randomSlice[T](src, s.rows*s.d), randomSlice[T](src, s.h*s.d)
		z, dw := make([]T, s.rows*s.h), make([]T, s.h*s.d)
		flops := float64(2 * s.rows * s.h * s.d)
		for name, tile := range map[string]tilesFunc[T]{"asm": tilesAsm[T], "go": tilesGo[T]} {
			var ws Workspace[T]
			b.Run(fmt.Sprintf("NT/%s/%s/%s", s.name, dtype, name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					ws.PackNT(s.h, s.d, w, s.d)
					ws.mulPackedNT(tile, s.rows, x, s.d, z, s.h)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			b.Run(fmt.Sprintf("TN/%s/%s/%s", s.name, dtype, name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					mulTN(tile, s.h, s.d, s.rows, z, s.h, x, s.d, dw, s.d, false, &ws)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkProducts(b *testing.B) {
	b.Run("f64", func(b *testing.B) { benchProducts[float64](b, "float64") })
	b.Run("f32", func(b *testing.B) { benchProducts[float32](b, "float32") })
}
