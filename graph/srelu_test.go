package graph

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// closeTo reports whether got is within rel·max(|got|, |want|) + abs of want.
func closeTo(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))+abs
}

func TestSmoothedReLUValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		z, q, rho    float64
		value, deriv float64
	}{
		// q = 3, rho = 0.1: z^3/(0.03) on [0, rho], z - 0.2/3 above.
		{"q3 far below", -5, 3, 0.1, 0, 0},
		{"q3 just below 0", -1e-12, 3, 0.1, 0, 0},
		{"q3 at 0", 0, 3, 0.1, 0, 0},
		{"q3 between", 0.05, 3, 0.1, 0.05 * 0.05 * 0.05 / 0.03, 0.25},
		{"q3 at rho", 0.1, 3, 0.1, 0.1 / 3, 1},
		{"q3 above", 1, 3, 0.1, 1 - 0.2/3, 1},
		{"q3 far above", 1e6, 3, 0.1, 1e6 - 0.2/3, 1},
		// q = 4, rho = 0.5: z^4/(4·0.125) = 2 z^4 on [0, rho], z - 0.375 above.
		{"q4 below", -0.3, 4, 0.5, 0, 0},
		{"q4 at 0", 0, 4, 0.5, 0, 0},
		{"q4 between", 0.25, 4, 0.5, 0.0078125, 0.125},
		{"q4 at rho", 0.5, 4, 0.5, 0.125, 1},
		{"q4 above", 2, 4, 0.5, 1.625, 1},
		// q = 2.5 (math.Pow path), rho = 1: z^2.5/2.5 on [0, 1], z - 0.6 above.
		{"q2.5 below", -1, 2.5, 1, 0, 0},
		{"q2.5 at 0", 0, 2.5, 1, 0, 0},
		{"q2.5 between", 0.25, 2.5, 1, 0.0125, 0.125},
		{"q2.5 at rho", 1, 2.5, 1, 0.4, 1},
		{"q2.5 above", 3, 2.5, 1, 2.4, 1},
		// q = 2: the quadratic (Huber-like) case, rho = 2.
		{"q2 between", 1, 2, 2, 0.25, 0.5},
		{"q2 above", 3, 2, 2, 2, 1},
		// q = 10 is an integer order beyond the fast path of pow.
		{"q10 between", 0.05, 10, 0.1, math.Pow(0.5, 10) * 0.1 / 10, math.Pow(0.5, 9)},
		{"q10 at rho", 0.1, 10, 0.1, 0.01, 1},
	}
	for _, tt := range tests {
		if got := SmoothedReLU(tt.z, tt.q, tt.rho); !closeTo(got, tt.value, 1e-14, 0) {
			t.Errorf("%s: SmoothedReLU(%v, q=%v, rho=%v) = %v, want %v", tt.name, tt.z, tt.q, tt.rho, got, tt.value)
		}
		if got := SmoothedReLUDeriv(tt.z, tt.q, tt.rho); !closeTo(got, tt.deriv, 1e-14, 0) {
			t.Errorf("%s: SmoothedReLUDeriv(%v, q=%v, rho=%v) = %v, want %v", tt.name, tt.z, tt.q, tt.rho, got, tt.deriv)
		}
	}
}

// orders are the (q, rho) pairs the property tests sweep: the paper's q = 3
// and 4, a non-integer order and an integer order beyond pow's fast path.
var orders = []struct{ q, rho float64 }{{3, 0.1}, {4, 0.5}, {2.5, 1}, {2, 0.3}, {9, 0.2}}

func TestSmoothedReLUContinuousAtKinks(t *testing.T) {
	t.Parallel()
	const eps = 1e-9
	for _, o := range orders {
		for _, kink := range []float64{0, o.rho} {
			// The value is Lipschitz with constant 1 and the derivative with
			// constant (q-1)/rho, so over 2 eps both change by at most that
			// much (plus rounding).
			lo, hi := kink-eps, kink+eps
			if d := math.Abs(SmoothedReLU(hi, o.q, o.rho) - SmoothedReLU(lo, o.q, o.rho)); d > 2*eps+1e-15 {
				t.Errorf("q=%v rho=%v: value jumps by %v across %v", o.q, o.rho, d, kink)
			}
			lip := (o.q - 1) / o.rho
			if d := math.Abs(SmoothedReLUDeriv(hi, o.q, o.rho) - SmoothedReLUDeriv(lo, o.q, o.rho)); d > 2*eps*lip+1e-15 {
				t.Errorf("q=%v rho=%v: derivative jumps by %v across %v", o.q, o.rho, d, kink)
			}
			// The value at the kink lies between its neighbours'.
			v := SmoothedReLU(kink, o.q, o.rho)
			if v < SmoothedReLU(lo, o.q, o.rho) || v > SmoothedReLU(hi, o.q, o.rho) {
				t.Errorf("q=%v rho=%v: value %v at %v is not between its neighbours'", o.q, o.rho, v, kink)
			}
		}
		// Both branches meet at rho: rho^q/(q rho^(q-1)) = rho - (1-1/q) rho = rho/q.
		if got, want := SmoothedReLU(o.rho, o.q, o.rho), o.rho/o.q; !closeTo(got, want, 1e-14, 0) {
			t.Errorf("q=%v rho=%v: srelu(rho) = %v, want rho/q = %v", o.q, o.rho, got, want)
		}
	}
}

func TestSmoothedReLUDerivMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	const h = 1e-6
	for _, o := range orders {
		checked := 0
		for i := 0; i <= 400; i++ {
			z := -o.rho + 3*o.rho*float64(i)/400 // [-rho, 2 rho]
			if math.Abs(z) < 10*h || math.Abs(z-o.rho) < 10*h {
				continue // a kink between z-h and z+h
			}
			fd := (SmoothedReLU(z+h, o.q, o.rho) - SmoothedReLU(z-h, o.q, o.rho)) / (2 * h)
			if got := SmoothedReLUDeriv(z, o.q, o.rho); !closeTo(got, fd, 1e-6, 1e-8) {
				t.Errorf("q=%v rho=%v z=%v: derivative %v, finite difference %v", o.q, o.rho, z, got, fd)
			}
			checked++
		}
		if checked < 390 {
			t.Fatalf("q=%v rho=%v: only %d points checked", o.q, o.rho, checked)
		}
	}
}

func TestSmoothedReLUMonotoneAndBelowReLU(t *testing.T) {
	t.Parallel()
	for _, o := range orders {
		prev := SmoothedReLU(-o.rho, o.q, o.rho)
		for i := 1; i <= 300; i++ {
			z := -o.rho + 3*o.rho*float64(i)/300
			v := SmoothedReLU(z, o.q, o.rho)
			if v < prev {
				t.Errorf("q=%v rho=%v: srelu decreases at z=%v", o.q, o.rho, z)
			}
			// srelu is convex with srelu(0) = 0, so it never exceeds max(z, 0).
			if v > math.Max(z, 0)+1e-15 {
				t.Errorf("q=%v rho=%v: srelu(%v) = %v exceeds relu", o.q, o.rho, z, v)
			}
			if d := SmoothedReLUDeriv(z, o.q, o.rho); d < 0 || d > 1 {
				t.Errorf("q=%v rho=%v: srelu'(%v) = %v outside [0, 1]", o.q, o.rho, z, d)
			}
			prev = v
		}
	}
}

func TestPowFastPathMatchesMathPow(t *testing.T) {
	t.Parallel()
	for e := 0.0; e <= 10; e += 0.5 {
		for _, x := range []float64{-1.5, -0.3, 0, 1e-3, 0.37, 1, 2.5} {
			if x < 0 && e != math.Trunc(e) {
				continue // NaN either way
			}
			if got, want := powT(x, e), math.Pow(x, e); !closeTo(got, want, 1e-14, 0) {
				t.Errorf("powT(%v, %v) = %v, math.Pow gives %v", x, e, got, want)
			}
		}
	}
}

// sreluInputs covers the three regions of srelu(q, rho=0.1) and its kinks.
var sreluInputs = []float64{-2, -0.1, -1e-3, 0, 1e-3, 0.02, 0.05, 0.0999, 0.1, 0.1001, 0.3, 1, 7.5}

// runSReLUGraph evaluates srelu over sreluInputs and the gradient of
// sum_i c_i srelu(x_i) through a TapeMachine, returning both as float64.
func runSReLUGraph(t *testing.T, dtype tensor.Dtype, q, rho float64, c []float64) (y, dx []float64) {
	t.Helper()
	g := G.NewGraph()
	n := len(sreluInputs)
	x := G.NewVector(g, dtype, G.WithShape(n), G.WithName("x"),
		G.WithValue(newDense(dtype, tensor.Shape{n}, append([]float64(nil), sreluInputs...))))
	coef := G.NewVector(g, dtype, G.WithShape(n), G.WithName("c"),
		G.WithValue(newDense(dtype, tensor.Shape{n}, append([]float64(nil), c...))))
	a, err := applySReLU(x, q, rho)
	if err != nil {
		t.Fatal(err)
	}
	weighted, err := G.HadamardProd(a, coef)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Sum(weighted)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, x)
	if err != nil {
		t.Fatal(err)
	}
	var yv, dxv G.Value
	G.Read(a, &yv)
	G.Read(grads[0], &dxv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := yv.Dtype(); got != dtype {
		t.Fatalf("srelu output has dtype %v, want %v", got, dtype)
	}
	if got := yv.Shape(); !got.Eq(tensor.Shape{n}) {
		t.Fatalf("srelu output has shape %v, want (%d)", got, n)
	}
	return append([]float64(nil), values(yv)...), append([]float64(nil), values(dxv)...)
}

func TestSReLUOpMatchesScalarFunction(t *testing.T) {
	t.Parallel()
	c := make([]float64, len(sreluInputs))
	for i := range c {
		c[i] = 0.5 + float64(i%4) // distinct upstream gradients, not all 1
	}
	for _, q := range []float64{3, 4, 2.5} {
		const rho = 0.1
		t.Run(fmt.Sprintf("float64/q=%v", q), func(t *testing.T) {
			y, dx := runSReLUGraph(t, tensor.Float64, q, rho, c)
			for i, z := range sreluInputs {
				// The Op rearranges the expression without branches: equal
				// up to rounding.
				if want := SmoothedReLU(z, q, rho); !closeTo(y[i], want, 1e-14, 0) {
					t.Errorf("srelu(%v) = %v through the graph, %v from SmoothedReLU", z, y[i], want)
				}
				if want := c[i] * SmoothedReLUDeriv(z, q, rho); !closeTo(dx[i], want, 1e-14, 0) {
					t.Errorf("d/dx c·srelu(x) at %v = %v through the graph, want %v", z, dx[i], want)
				}
			}
		})
		t.Run(fmt.Sprintf("float32/q=%v", q), func(t *testing.T) {
			y, dx := runSReLUGraph(t, tensor.Float32, q, rho, c)
			for i, z := range sreluInputs {
				if want := SmoothedReLU(z, q, rho); !closeTo(y[i], want, 1e-6, 1e-7) {
					t.Errorf("float32 srelu(%v) = %v, float64 %v", z, y[i], want)
				}
				if want := c[i] * SmoothedReLUDeriv(z, q, rho); !closeTo(dx[i], want, 1e-6, 1e-7) {
					t.Errorf("float32 d/dx c·srelu(x) at %v = %v through the graph, float64 %v", z, dx[i], want)
				}
			}
		})
	}
}

// Gorgonia merges nodes whose op hashes and children coincide, so two
// smoothed ReLUs of different order or threshold applied to the same node must
// stay distinct.
func TestSReLUOpsWithDifferentParametersStayDistinct(t *testing.T) {
	t.Parallel()
	g := G.NewGraph()
	n := len(sreluInputs)
	x := G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName("x"),
		G.WithValue(newDense(tensor.Float64, tensor.Shape{n}, append([]float64(nil), sreluInputs...))))
	params := []struct{ q, rho float64 }{{3, 0.1}, {4, 0.1}, {3, 0.2}, {3, 0.1}}
	outs := make([]G.Value, len(params))
	for i, p := range params {
		a, err := applySReLU(x, p.q, p.rho)
		if err != nil {
			t.Fatal(err)
		}
		G.Read(a, &outs[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	for i, p := range params {
		got := values(outs[i])
		for k, z := range sreluInputs {
			if want := SmoothedReLU(z, p.q, p.rho); !closeTo(got[k], want, 1e-14, 0) {
				t.Errorf("srelu(q=%v, rho=%v)(%v) = %v, want %v", p.q, p.rho, z, got[k], want)
			}
		}
	}
	a, b := sreluOp{q: 3, rho: 0.1}, sreluOp{q: 4, rho: 0.1}
	if a.Hashcode() == b.Hashcode() || a.Hashcode() == (sreluOp{q: 3, rho: 0.2}).Hashcode() {
		t.Errorf("sreluOps with different parameters share a hash code")
	}
	if a.Hashcode() != (sreluOp{q: 3, rho: 0.1}).Hashcode() {
		t.Errorf("equal sreluOps hash differently")
	}
	if a.Hashcode() == (sreluGradOp{a}).Hashcode() {
		t.Errorf("srelu and its derivative share a hash code")
	}
}

func TestSReLUOpRejectsNonTensorInput(t *testing.T) {
	t.Parallel()
	if _, err := (sreluOp{q: 3, rho: 0.1}).Do(G.NewF64(1)); err == nil {
		t.Error("srelu accepted a scalar F64")
	}
	if _, err := (sreluGradOp{sreluOp{q: 3, rho: 0.1}}).Do(G.NewF64(1), G.NewF64(1)); err == nil {
		t.Error("srelu' accepted a scalar F64")
	}
}
