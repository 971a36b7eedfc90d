/* The register-blocked f32 convolution kernel (codegen/kernels/conv_fast.c), reached from
 * the generic Conv emitter (conv.c) for the cases it covers: f32, 1-D or 2-D, any group
 * (depthwise included), pads, dilations, strides 1 or 2 along the width. conv.c validates the
 * node and reads the fused epilogue first; this kernel only decides whether it applies and
 * emits it. Private to codegen/kernels.
 *
 * 1-D convolutions come in as 2-D ones with IH = OH = KH = SH = DH = 1 and PH = 0.
 */
#ifndef OM_CODEGEN_KERNELS_CONV_FAST_H
#define OM_CODEGEN_KERNELS_CONV_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include "codegen/cg_epilogue.h"

typedef struct om_cg_conv_geom {
    int64_t N, C, M, group;   /* X [N, C, IH, IW], W [M, C/group, KH, KW], Y [N, M, OH, OW] */
    int64_t IH, IW, KH, KW, SH, SW, DH, DW, PH, PW, OH, OW; /* PH, PW: begin pads */
    bool has_bias;            /* input 2 present ([M]) */
} om_cg_conv_geom;

/* The SIMD shape of the current target: f32 lanes per vector (16 with AVX-512F, 8 with
 * AVX/AVX2, 4 for SSE and NEON), the number of vector registers (32 or 16) and whether it
 * has fused multiply-add (llvm.fma would otherwise become a call to fmaf). Derived from the
 * target machine's feature string, else from its CPU name. */
void om_cg_conv_simd(om_cg_ctx *cx, int *lanes, int *regs, bool *fma);

/* Emits the fast kernel for geometry g and epilogue ep into the current kernel function and
 * sets *done, or leaves the function untouched with *done = false when the case is not
 * covered (the caller then emits the generic kernel). Output shape and attributes must have
 * been validated by the caller; every size is > 0. */
om_status om_cg_conv_fast(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done);

#endif
