//go:build !purego

package kernel

import "unsafe"

// The assembly micro-kernels of matmul_amd64.s, one per element type and
// tile width in vectors; strides are in bytes.
//
//go:noescape
func kernF64x3(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

//go:noescape
func kernF64x2(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

//go:noescape
func kernF64x1(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

//go:noescape
func kernF32x3(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

//go:noescape
func kernF32x2(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

//go:noescape
func kernF32x1(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int)

var asmKernels = [2][tileVectors + 1]func(k int, a unsafe.Pointer, rsA, csA int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc int, acc int){
	{nil, kernF32x1, kernF32x2, kernF32x3},
	{nil, kernF64x1, kernF64x2, kernF64x3},
}

// tileAsm runs the assembly micro-kernel of width w (in elements) after
// checking that the tile lies inside a, b and c: the assembly does not.
func tileAsm[T Float](w, k int, a []T, rsA, csA int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	_ = a[(tileRows-1)*rsA+(k-1)*csA]
	_ = b[(k-1)*ldb+w-1]
	_ = c[(tileRows-1)*ldc+w-1]
	size := int(unsafe.Sizeof(a[0]))
	acc := 0
	if accumulate {
		acc = 1
	}
	asmKernels[size/8][w*size/vectorBytes](k, unsafe.Pointer(&a[0]), rsA*size, csA*size,
		unsafe.Pointer(&b[0]), ldb*size, unsafe.Pointer(&c[0]), ldc*size, acc)
}
