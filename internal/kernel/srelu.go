package kernel

import "math"

// SReLU sets out[i] = srelu(z[i]), the smoothed ReLU of order q >= 2 and
// threshold rho (graph.SmoothedReLU), computed without branches: with
// u = min(max(z/rho, 0), 1),
//
//	srelu(z) = u^q rho/q + max(z - rho, 0)
//
// which equals the piecewise definition in each of its three regions.
func SReLU[T Float](z, out []T, q, rho float64) {
	head := 0
	if p, ok := asmPower(q); ok && hasFMA {
		head = sreluAsm(z, out, T(1/rho), T(rho), T(rho/q), p)
	}
	sreluGo(z[head:], out[head:len(z)], q, rho)
}

// SReLUGrad sets out[i] = grad[i] srelu'(z[i]), with srelu'(z) = u^(q-1).
func SReLUGrad[T Float](z, grad, out []T, q, rho float64) {
	head := 0
	if p, ok := asmPower(q - 1); ok && hasFMA {
		head = sreluGradAsm(z, grad, out, T(1/rho), p)
	}
	sreluGradGo(z[head:], grad[head:len(z)], out[head:len(z)], q, rho)
}

// asmPower returns the order as the repeat count of the assembly loops,
// which take integer powers from 1 to 64.
func asmPower(e float64) (int, bool) {
	if e < 1 || e > 64 || e != math.Trunc(e) {
		return 0, false
	}
	return int(e), true
}

// sreluGo is SReLU in Go, multiplying in the assembly's order.
func sreluGo[T Float](z, out []T, q, rho float64) {
	r, inv, scale := T(rho), T(1/rho), T(rho/q)
	if q == 3 {
		for i, v := range z {
			u := min(max(v*inv, 0), 1)
			out[i] = u*u*u*scale + max(v-r, 0)
		}
		return
	}
	for i, v := range z {
		u := min(max(v*inv, 0), 1)
		out[i] = pow(u, q)*scale + max(v-r, 0)
	}
}

// sreluGradGo is SReLUGrad in Go, multiplying in the assembly's order.
func sreluGradGo[T Float](z, grad, out []T, q, rho float64) {
	inv := T(1 / rho)
	if q == 3 {
		for i, v := range z {
			u := min(max(v*inv, 0), 1)
			out[i] = grad[i] * (u * u)
		}
		return
	}
	for i, v := range z {
		u := min(max(v*inv, 0), 1)
		out[i] = grad[i] * pow(u, q-1)
	}
}

// pow is x^e: for integer e from 1 to 64 by repeated multiplication,
// x·x·...·x from the left, as the assembly does; otherwise math.Pow.
func pow[T Float](x T, e float64) T {
	if n, ok := asmPower(e); ok {
		r := x
		for k := 1; k < n; k++ {
			r *= x
		}
		return r
	}
	if e == 0 {
		return 1
	}
	return T(math.Pow(float64(x), e))
}
