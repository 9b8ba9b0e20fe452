//go:build !purego

#include "textflag.h"

// Micro-kernels of tilesKernel for CPUs with AVX2 and FMA: tiles of 4 rows
// and 1 to 3 vectors of columns (4 to 12 float64, 8 to 24 float32) of
//
//	c[r, col] = (c[r, col] if acc) + sum_{l<k} a[r, l] b[l, col]
//
// with a read through byte strides rsA (next row) and csA (next l), so that
// one kernel serves a = X (rows of patches) and a = Gᵀ (columns of the
// gradient), b through its row stride ldb and c through ldc. A tile's sums
// stay in Y0-Y11 for the whole run over l; Y12-Y14 hold row l of b and Y15
// the broadcast a[r, l]. One call computes a column of tiles that share b:
// after each tile, a moves on by aStep bytes and c by cStep. Each function is
//
//	func kern<T>x<V>(tiles, k int, a unsafe.Pointer, rsA, csA, aStep int, b unsafe.Pointer, ldb int, c unsafe.Pointer, ldc, cStep, acc int)

#define LOADARGS \
	MOVQ a+16(FP), BX; \
	MOVQ rsA+24(FP), R8; \
	MOVQ csA+32(FP), R10; \
	MOVQ ldb+56(FP), R11; \
	MOVQ c+64(FP), DX; \
	MOVQ ldc+72(FP), R12; \
	MOVQ acc+88(FP), AX; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (R12)(R12*2), R13

// TILE starts a tile: its a (kept in BX for the next tile), b and count of l.
#define TILE \
	MOVQ BX, SI; \
	MOVQ b+48(FP), DI; \
	MOVQ k+8(FP), CX

#define ZERO12 \
	VXORPD Y0, Y0, Y0; VXORPD Y1, Y1, Y1; VXORPD Y2, Y2, Y2; VXORPD Y3, Y3, Y3; \
	VXORPD Y4, Y4, Y4; VXORPD Y5, Y5, Y5; VXORPD Y6, Y6, Y6; VXORPD Y7, Y7, Y7; \
	VXORPD Y8, Y8, Y8; VXORPD Y9, Y9, Y9; VXORPD Y10, Y10, Y10; VXORPD Y11, Y11, Y11

// One l of a 3-vector tile: row l of b, then each row r's a[r, l] times it.
#define STEP3(MOVU, BCAST, FMA) \
	MOVU (DI), Y12; MOVU 32(DI), Y13; MOVU 64(DI), Y14; \
	BCAST (SI), Y15; FMA Y12, Y15, Y0; FMA Y13, Y15, Y1; FMA Y14, Y15, Y2; \
	BCAST (SI)(R8*1), Y15; FMA Y12, Y15, Y3; FMA Y13, Y15, Y4; FMA Y14, Y15, Y5; \
	BCAST (SI)(R8*2), Y15; FMA Y12, Y15, Y6; FMA Y13, Y15, Y7; FMA Y14, Y15, Y8; \
	BCAST (SI)(R9*1), Y15; FMA Y12, Y15, Y9; FMA Y13, Y15, Y10; FMA Y14, Y15, Y11; \
	ADDQ R10, SI; ADDQ R11, DI

#define STEP2(MOVU, BCAST, FMA) \
	MOVU (DI), Y12; MOVU 32(DI), Y13; \
	BCAST (SI), Y15; FMA Y12, Y15, Y0; FMA Y13, Y15, Y1; \
	BCAST (SI)(R8*1), Y15; FMA Y12, Y15, Y3; FMA Y13, Y15, Y4; \
	BCAST (SI)(R8*2), Y15; FMA Y12, Y15, Y6; FMA Y13, Y15, Y7; \
	BCAST (SI)(R9*1), Y15; FMA Y12, Y15, Y9; FMA Y13, Y15, Y10; \
	ADDQ R10, SI; ADDQ R11, DI

#define STEP1(MOVU, BCAST, FMA) \
	MOVU (DI), Y12; \
	BCAST (SI), Y15; FMA Y12, Y15, Y0; \
	BCAST (SI)(R8*1), Y15; FMA Y12, Y15, Y3; \
	BCAST (SI)(R8*2), Y15; FMA Y12, Y15, Y6; \
	BCAST (SI)(R9*1), Y15; FMA Y12, Y15, Y9; \
	ADDQ R10, SI; ADDQ R11, DI

// Add the tile's previous values (acc != 0), then store it; rows of c are
// DX, DX+ldc, DX+2ldc and DX+3ldc.
#define ADD3(ADDV) \
	ADDV (DX), Y0, Y0; ADDV 32(DX), Y1, Y1; ADDV 64(DX), Y2, Y2; \
	ADDV (DX)(R12*1), Y3, Y3; ADDV 32(DX)(R12*1), Y4, Y4; ADDV 64(DX)(R12*1), Y5, Y5; \
	ADDV (DX)(R12*2), Y6, Y6; ADDV 32(DX)(R12*2), Y7, Y7; ADDV 64(DX)(R12*2), Y8, Y8; \
	ADDV (DX)(R13*1), Y9, Y9; ADDV 32(DX)(R13*1), Y10, Y10; ADDV 64(DX)(R13*1), Y11, Y11

#define STORE3(MOVU) \
	MOVU Y0, (DX); MOVU Y1, 32(DX); MOVU Y2, 64(DX); \
	MOVU Y3, (DX)(R12*1); MOVU Y4, 32(DX)(R12*1); MOVU Y5, 64(DX)(R12*1); \
	MOVU Y6, (DX)(R12*2); MOVU Y7, 32(DX)(R12*2); MOVU Y8, 64(DX)(R12*2); \
	MOVU Y9, (DX)(R13*1); MOVU Y10, 32(DX)(R13*1); MOVU Y11, 64(DX)(R13*1)

#define ADD2(ADDV) \
	ADDV (DX), Y0, Y0; ADDV 32(DX), Y1, Y1; \
	ADDV (DX)(R12*1), Y3, Y3; ADDV 32(DX)(R12*1), Y4, Y4; \
	ADDV (DX)(R12*2), Y6, Y6; ADDV 32(DX)(R12*2), Y7, Y7; \
	ADDV (DX)(R13*1), Y9, Y9; ADDV 32(DX)(R13*1), Y10, Y10

#define STORE2(MOVU) \
	MOVU Y0, (DX); MOVU Y1, 32(DX); \
	MOVU Y3, (DX)(R12*1); MOVU Y4, 32(DX)(R12*1); \
	MOVU Y6, (DX)(R12*2); MOVU Y7, 32(DX)(R12*2); \
	MOVU Y9, (DX)(R13*1); MOVU Y10, 32(DX)(R13*1)

#define ADD1(ADDV) \
	ADDV (DX), Y0, Y0; ADDV (DX)(R12*1), Y3, Y3; ADDV (DX)(R12*2), Y6, Y6; ADDV (DX)(R13*1), Y9, Y9

#define STORE1(MOVU) \
	MOVU Y0, (DX); MOVU Y3, (DX)(R12*1); MOVU Y6, (DX)(R12*2); MOVU Y9, (DX)(R13*1)

// KERNEL defines one function: per tile, its loop over l (k >= 1), two
// steps at a time to halve the loop's overhead, then the store.
#define KERNEL(STEP, ADD, STORE, MOVU, BCAST, FMA, ADDV) \
	LOADARGS; \
tile: \
	TILE; \
	ZERO12; \
	TESTQ $1, CX; \
	JZ pairs; \
	STEP(MOVU, BCAST, FMA); \
	DECQ CX; \
	JZ done; \
pairs: \
	STEP(MOVU, BCAST, FMA); \
	STEP(MOVU, BCAST, FMA); \
	SUBQ $2, CX; \
	JNZ pairs; \
done: \
	CMPQ AX, $0; \
	JEQ store; \
	ADD(ADDV); \
store: \
	STORE(MOVU); \
	ADDQ aStep+40(FP), BX; \
	ADDQ cStep+80(FP), DX; \
	DECQ tiles+0(FP); \
	JNZ tile; \
	VZEROUPPER; \
	RET

TEXT ·kernF64x3(SB), NOSPLIT, $0-96
	KERNEL(STEP3, ADD3, STORE3, VMOVUPD, VBROADCASTSD, VFMADD231PD, VADDPD)

TEXT ·kernF64x2(SB), NOSPLIT, $0-96
	KERNEL(STEP2, ADD2, STORE2, VMOVUPD, VBROADCASTSD, VFMADD231PD, VADDPD)

TEXT ·kernF64x1(SB), NOSPLIT, $0-96
	KERNEL(STEP1, ADD1, STORE1, VMOVUPD, VBROADCASTSD, VFMADD231PD, VADDPD)

TEXT ·kernF32x3(SB), NOSPLIT, $0-96
	KERNEL(STEP3, ADD3, STORE3, VMOVUPS, VBROADCASTSS, VFMADD231PS, VADDPS)

TEXT ·kernF32x2(SB), NOSPLIT, $0-96
	KERNEL(STEP2, ADD2, STORE2, VMOVUPS, VBROADCASTSS, VFMADD231PS, VADDPS)

TEXT ·kernF32x1(SB), NOSPLIT, $0-96
	KERNEL(STEP1, ADD1, STORE1, VMOVUPS, VBROADCASTSS, VFMADD231PS, VADDPS)
