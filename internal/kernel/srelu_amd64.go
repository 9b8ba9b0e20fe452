//go:build !purego

package kernel

import "unsafe"

// The assembly loops of srelu_amd64.s, over a multiple of 4 float64 or 8
// float32 values.
//
//go:noescape
func sreluF64(z, out unsafe.Pointer, n int, inv, r, scale float64, q int)

//go:noescape
func sreluGradF64(z, grad, out unsafe.Pointer, n int, inv float64, q1 int)

//go:noescape
func sreluF32(z, out unsafe.Pointer, n int, inv, r, scale float32, q int)

//go:noescape
func sreluGradF32(z, grad, out unsafe.Pointer, n int, inv float32, q1 int)

// sreluAsm runs the assembly over the longest head of z that fills whole
// vectors and returns its length.
func sreluAsm[T Float](z, out []T, inv, r, scale T, q int) int {
	n := len(z) &^ (lanes[T]() - 1)
	if n == 0 {
		return 0
	}
	_ = out[n-1]
	switch zz := any(z).(type) {
	case []float64:
		sreluF64(unsafe.Pointer(&zz[0]), unsafe.Pointer(&out[0]), n, float64(inv), float64(r), float64(scale), q)
	case []float32:
		sreluF32(unsafe.Pointer(&zz[0]), unsafe.Pointer(&out[0]), n, float32(inv), float32(r), float32(scale), q)
	}
	return n
}

// sreluGradAsm is sreluAsm for the derivative.
func sreluGradAsm[T Float](z, grad, out []T, inv T, q1 int) int {
	n := len(z) &^ (lanes[T]() - 1)
	if n == 0 {
		return 0
	}
	_, _ = grad[n-1], out[n-1]
	switch zz := any(z).(type) {
	case []float64:
		sreluGradF64(unsafe.Pointer(&zz[0]), unsafe.Pointer(&grad[0]), unsafe.Pointer(&out[0]), n, float64(inv), q1)
	case []float32:
		sreluGradF32(unsafe.Pointer(&zz[0]), unsafe.Pointer(&grad[0]), unsafe.Pointer(&out[0]), n, float32(inv), q1)
	}
	return n
}
