//go:build !purego

package kernel

import "unsafe"

// The assembly micro-kernels of matmul_amd64.s, one per element type and
// tile width in vectors; strides are in bytes.
//
//go:noescape
func kernF64x3(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

//go:noescape
func kernF64x2(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

//go:noescape
func kernF64x1(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

//go:noescape
func kernF32x3(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

//go:noescape
func kernF32x2(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

//go:noescape
func kernF32x1(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

var asmKernels = [2][tileVectors + 1]func(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int){
	{nil, kernF32x1, kernF32x2, kernF32x3},
	{nil, kernF64x1, kernF64x2, kernF64x3},
}

// tilesAsm runs the assembly micro-kernel of width w (in elements) over
// tiles tiles, after checking that they lie inside a, b and c: the assembly
// does not.
func tilesAsm[T Float](tiles, w, k int, a []T, rsA, csA, aStep int, b []T, ldb int, c []T, ldc, cStep int, accumulate bool) {
	last := tiles - 1
	_ = a[last*aStep+(tileRows-1)*rsA+(k-1)*csA]
	_ = b[(k-1)*ldb+w-1]
	_ = c[last*cStep+(tileRows-1)*ldc+w-1]
	size := int(unsafe.Sizeof(a[0]))
	acc := 0
	if accumulate {
		acc = 1
	}
	asmKernels[size/8][w*size/vectorBytes](tiles, k, unsafe.Pointer(&a[0]), rsA*size, csA*size, aStep*size,
		unsafe.Pointer(&b[0]), ldb*size, unsafe.Pointer(&c[0]), ldc*size, cStep*size, acc)
}
