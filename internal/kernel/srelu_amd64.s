//go:build !purego

#include "textflag.h"

// The smoothed ReLU and its derivative over n values (a multiple of the
// vector width), for an integer order q: with u = min(max(z/rho, 0), 1),
//
//	sreluF64:     out = u^q (rho/q) + max(z - rho, 0)
//	sreluGradF64: out = grad u^(q-1)
//
// multiplied in the order srelu.go's Go loops use, so that both give the same
// bits. VMAXPD and VMINPD return their second source when one is NaN: z's
// side goes there, so a NaN stays a NaN as in Go.

// func sreluF64(z, out unsafe.Pointer, n int, inv, r, scale float64, q int)
TEXT ·sreluF64(SB), NOSPLIT, $0-56
	MOVQ z+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSD inv+24(FP), Y8
	VBROADCASTSD r+32(FP), Y9
	VBROADCASTSD scale+40(FP), Y10
	MOVQ q+48(FP), R8
	VXORPD Y11, Y11, Y11
	MOVQ $0x3FF0000000000000, AX
	MOVQ AX, X12
	VBROADCASTSD X12, Y12
	SHRQ $2, CX
	JZ   fdone

floop:
	VMOVUPD (SI), Y0
	VMULPD  Y8, Y0, Y1
	VMAXPD  Y1, Y11, Y1
	VMINPD  Y1, Y12, Y1
	VMOVAPD Y1, Y2
	MOVQ    R8, DX

fpow:
	DECQ    DX
	JZ      fpowdone
	VMULPD  Y1, Y2, Y2
	JMP     fpow

fpowdone:
	VMULPD  Y10, Y2, Y2
	VSUBPD  Y9, Y0, Y3
	VMAXPD  Y3, Y11, Y3
	VADDPD  Y3, Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     floop

fdone:
	VZEROUPPER
	RET

// func sreluGradF64(z, grad, out unsafe.Pointer, n int, inv float64, q1 int)
TEXT ·sreluGradF64(SB), NOSPLIT, $0-48
	MOVQ z+0(FP), SI
	MOVQ grad+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	VBROADCASTSD inv+32(FP), Y8
	MOVQ q1+40(FP), R8
	VXORPD Y11, Y11, Y11
	MOVQ $0x3FF0000000000000, AX
	MOVQ AX, X12
	VBROADCASTSD X12, Y12
	SHRQ $2, CX
	JZ   gdone

gloop:
	VMOVUPD (SI), Y0
	VMULPD  Y8, Y0, Y1
	VMAXPD  Y1, Y11, Y1
	VMINPD  Y1, Y12, Y1
	VMOVAPD Y1, Y2
	MOVQ    R8, DX

gpow:
	DECQ    DX
	JZ      gpowdone
	VMULPD  Y1, Y2, Y2
	JMP     gpow

gpowdone:
	VMULPD  (BX), Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     gloop

gdone:
	VZEROUPPER
	RET

// func sreluF32(z, out unsafe.Pointer, n int, inv, r, scale float32, q int)
TEXT ·sreluF32(SB), NOSPLIT, $0-48
	MOVQ z+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS inv+24(FP), Y8
	VBROADCASTSS r+28(FP), Y9
	VBROADCASTSS scale+32(FP), Y10
	MOVQ q+40(FP), R8
	VXORPS Y11, Y11, Y11
	MOVL $0x3F800000, AX
	MOVL AX, X12
	VBROADCASTSS X12, Y12
	SHRQ $3, CX
	JZ   f32done

f32loop:
	VMOVUPS (SI), Y0
	VMULPS  Y8, Y0, Y1
	VMAXPS  Y1, Y11, Y1
	VMINPS  Y1, Y12, Y1
	VMOVAPS Y1, Y2
	MOVQ    R8, DX

f32pow:
	DECQ    DX
	JZ      f32powdone
	VMULPS  Y1, Y2, Y2
	JMP     f32pow

f32powdone:
	VMULPS  Y10, Y2, Y2
	VSUBPS  Y9, Y0, Y3
	VMAXPS  Y3, Y11, Y3
	VADDPS  Y3, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     f32loop

f32done:
	VZEROUPPER
	RET

// func sreluGradF32(z, grad, out unsafe.Pointer, n int, inv float32, q1 int)
TEXT ·sreluGradF32(SB), NOSPLIT, $0-48
	MOVQ z+0(FP), SI
	MOVQ grad+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	VBROADCASTSS inv+32(FP), Y8
	MOVQ q1+40(FP), R8
	VXORPS Y11, Y11, Y11
	MOVL $0x3F800000, AX
	MOVL AX, X12
	VBROADCASTSS X12, Y12
	SHRQ $3, CX
	JZ   g32done

g32loop:
	VMOVUPS (SI), Y0
	VMULPS  Y8, Y0, Y1
	VMAXPS  Y1, Y11, Y1
	VMINPS  Y1, Y12, Y1
	VMOVAPS Y1, Y2
	MOVQ    R8, DX

g32pow:
	DECQ    DX
	JZ      g32powdone
	VMULPS  Y1, Y2, Y2
	JMP     g32pow

g32powdone:
	VMULPS  (BX), Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     g32loop

g32done:
	VZEROUPPER
	RET
