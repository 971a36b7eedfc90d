/* Run-time shape inputs (issue 3): helpers for kernels whose shape-determining input (a
 * shape, axes, repeats, K, depth or size tensor) is not a compile-time constant. The shape
 * rule then took the output shapes the model declared; the kernel loads the input's values
 * at run time, computes what they imply exactly as ONNX specifies, and checks that against
 * the compiled static shapes with om_cg_check(.., OM_ART_CHECK_SHAPE_VALUE). Private to
 * codegen/kernels.
 *
 * The element count of such an input is static (its shape is known), so the loads are
 * unrolled: om_cg_rt_int(cx, i, k) is element k of input i as an i64 value. Checks are
 * accumulated in an i1 "ok" value (om_cg_rt_and) and emitted once (om_cg_rt_check) before
 * the kernel's work loop, so a failing input never reaches the loops.
 */
#ifndef OM_CODEGEN_KERNELS_RT_SHAPE_H
#define OM_CODEGEN_KERNELS_RT_SHAPE_H

#include "codegen/cg_internal.h"

/* True when v is present, a constant, and holds its data (the static path applies). */
bool om_cg_rt_is_const(const om_value *v);

/* Element k of input i (any integer dtype, bool, or float truncated toward zero) as i64.
 * NULL when the dtype is not one of those. */
LLVMValueRef om_cg_rt_int(om_cg_ctx *cx, int i, int64_t k);

/* ok && cond (ok may be NULL: then cond). */
LLVMValueRef om_cg_rt_and(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef cond);
/* ok && (a == c) for an i64 value a and a constant c. */
LLVMValueRef om_cg_rt_and_eq(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef a, int64_t c);

/* Emits the check (when ok is not NULL): the kernel returns OM_ART_CHECK_SHAPE_VALUE if
 * ok is false at run time. */
void om_cg_rt_check(om_cg_ctx *cx, LLVMValueRef ok);

/* Checks input i (count = its static element count, at most OM_MAX_RANK * 2) element by
 * element against want[0..count). Returns an om_cg_unsupported status when input i's
 * dtype is not an integer type or its count differs from `count`. */
om_status om_cg_rt_check_ints(om_cg_ctx *cx, int i, const int64_t *want, int64_t count);

/* The bit mask (bit a set for axis a) of the count axes held by input i, each normalized
 * for `rank` (negative counts from the end). *ok gets (ok &&) every value in [-rank, rank)
 * and no axis named twice. Returns the i64 mask. */
LLVMValueRef om_cg_rt_axes_mask(om_cg_ctx *cx, int i, int64_t count, int rank, LLVMValueRef *ok);

/* ok && (mask is one of masks[0..n)). n = 0 gives a false condition. */
LLVMValueRef om_cg_rt_and_mask_in(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef mask, const uint64_t *masks, int n);

#endif
