/* Explicit SIMD helpers for the elementwise-family kernels (fused_elementwise, binary,
 * unary, math_unary, clip, the ConvTranspose fast path): the target's f32 lane count and
 * vector loads/stores of a compile-time number of active lanes (a masked load/store when
 * fewer than all lanes are active, so a tail never touches memory past its last element).
 * Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_EW_VEC_H
#define OM_CODEGEN_KERNELS_EW_VEC_H

#include "codegen/cg_internal.h"

/* f32 lanes of the widest vector register of the current target: 16 with AVX-512F, 8 with
 * AVX/AVX2, else 4 (SSE, NEON). */
int om_cg_vec_lanes(om_cg_ctx *cx);
/* Vector registers of the target (32 with AVX-512 and on AArch64, else 16). */
int om_cg_vec_regs(om_cg_ctx *cx);

/* <lanes x t> */
LLVMTypeRef om_cg_vec_type(LLVMTypeRef t, int lanes);
/* The scalar s in every lane. */
LLVMValueRef om_cg_vec_splat(om_cg_ctx *cx, LLVMValueRef s, int lanes);
/* The constant v (of element type t) in every lane. */
LLVMValueRef om_cg_vec_const(LLVMTypeRef t, double v, int lanes);

/* Loads lanes elements of type t at element `index` of base; only the first `active`
 * (1..lanes, compile time) are read (the others are undefined/poison-free zeros). */
LLVMValueRef om_cg_vec_load(om_cg_ctx *cx, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef index, int lanes,
                            int active);
/* Stores the first `active` lanes of v at element `index` of base. */
void om_cg_vec_store(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v, int active);

/* Runtime tails: the lane mask (lane < n) for an i64 count n (any value; n >= lanes gives
 * all lanes), and loads/stores under such a mask (masked-off lanes read as zero). */
LLVMValueRef om_cg_vec_mask_lt(om_cg_ctx *cx, LLVMValueRef n, int lanes);
LLVMValueRef om_cg_vec_load_masked(om_cg_ctx *cx, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef index,
                                   LLVMValueRef mask);
void om_cg_vec_store_masked(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef index, LLVMValueRef v, LLVMValueRef mask);

#endif
