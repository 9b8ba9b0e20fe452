package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// sreluDefinition is the piecewise definition of the paper.
func sreluDefinition(z, q, rho float64) float64 {
	switch {
	case z <= 0:
		return 0
	case z <= rho:
		return math.Pow(z, q) / (q * math.Pow(rho, q-1))
	default:
		return z - (1-1/q)*rho
	}
}

// sreluInputs straddles both kinks, with the kinks themselves, signed zeros
// and a NaN, in a length that is not a multiple of any vector width.
func sreluInputs(rho float64) []float64 {
	src := rand.New(rand.NewPCG(3, 4))
	z := []float64{0, math.Copysign(0, -1), rho, -rho, 2 * rho, 1e-300, -1e300, 1e300, math.NaN()}
	for len(z) < 203 {
		z = append(z, rho*3*(src.Float64()-0.4))
	}
	return z
}

func testSReLU[T Float](t *testing.T) {
	for _, q := range []float64{2, 3, 4, 2.5} {
		for _, rho := range []float64{0.1, 1} {
			t.Run(fmt.Sprintf("q=%v rho=%v", q, rho), func(t *testing.T) {
				in := sreluInputs(rho)
				z, grad := make([]T, len(in)), make([]T, len(in))
				for i, v := range in {
					z[i], grad[i] = T(v), T(1+float64(i%7))
				}
				got, want := make([]T, len(z)), make([]T, len(z))
				SReLU(z, got, q, rho)
				sreluGo(z, want, q, rho)
				gotD, wantD := make([]T, len(z)), make([]T, len(z))
				SReLUGrad(z, grad, gotD, q, rho)
				sreluGradGo(z, grad, wantD, q, rho)
				for i, v := range z {
					if !sameBits(got[i], want[i]) || !sameBits(gotD[i], wantD[i]) {
						t.Fatalf("z[%d] = %v: srelu %v, srelu' %v; in Go %v, %v", i, v, got[i], gotD[i], want[i], wantD[i])
					}
					if math.IsNaN(float64(v)) || math.Abs(float64(v)) > 1e30 {
						continue
					}
					tol := 1e-12
					if _, f32 := any(v).(float32); f32 {
						tol = 1e-5
					}
					if d := sreluDefinition(float64(v), q, rho); math.Abs(float64(got[i])-d) > tol*(1+math.Abs(d)) {
						t.Fatalf("srelu(%v) = %v, the definition gives %v", v, got[i], d)
					}
				}
			})
		}
	}
}

// sameBits compares two values as numbers, NaN equal to NaN and the two
// zeros equal: the only freedom the assembly has.
func sameBits[T Float](a, b T) bool {
	return a == b || a != a && b != b
}

func TestSReLUFloat64(t *testing.T) { testSReLU[float64](t) }
func TestSReLUFloat32(t *testing.T) { testSReLU[float32](t) }

func BenchmarkSReLU(b *testing.B) {
	z, grad, out := make([]float64, 20000), make([]float64, 20000), make([]float64, 20000)
	for i := range z {
		z[i], grad[i] = float64(i%97-48)/300, 1
	}
	b.Run("forward", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			SReLU(z, out, 3, 0.1)
		}
	})
	b.Run("backward", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			SReLUGrad(z, grad, out, 3, 0.1)
		}
	})
	b.Run("forward-go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sreluGo(z, out, 3, 0.1)
		}
	})
}
