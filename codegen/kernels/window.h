/* Helpers shared by the sliding-window kernels (codegen/kernels/conv.c, pool.c): signed
 * min/max and ceil-division on i64 values, the valid ranges of a window over an input of
 * known extent (kernel positions, output positions, the compile-time interior) and reading
 * the window attributes (kernel_shape, strides, dilations, pads). Private to codegen/kernels.
 *
 * Every range is half-open [lo, hi) and may be empty (hi <= lo); strides and dilations are
 * compile-time constants >= 1. Attribute values are bounded to 2^31-1 so index arithmetic
 * in i64 cannot overflow.
 */
#ifndef OM_CODEGEN_KERNELS_WINDOW_H
#define OM_CODEGEN_KERNELS_WINDOW_H

#include <stdint.h>

#include "codegen/cg_internal.h"

LLVMValueRef om_cg_win_smax(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef om_cg_win_smin(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);
/* max(0, ceil(num / den)) for a constant den >= 1. */
LLVMValueRef om_cg_win_ceil_div0(om_cg_ctx *cx, LLVMValueRef num, int64_t den);
/* [lo, hi): the kernel positions kd in [0, K) with lb <= base + kd*D < ub. */
void om_cg_win_krange(om_cg_ctx *cx, LLVMValueRef base, int64_t lb, int64_t ub, int64_t K, int64_t D,
                      LLVMValueRef *lo, LLVMValueRef *hi);
/* [olo, ohi): the outputs o in [s0, s1) whose input column o*S + off lies in [0, I). */
void om_cg_win_orange(om_cg_ctx *cx, LLVMValueRef off, int64_t S, int64_t I, LLVMValueRef s0,
                      LLVMValueRef s1, LLVMValueRef *olo, LLVMValueRef *ohi);
/* [ilo, ihi) within [j0, jend): the interior outputs, whose every tap kn in [0, K) reads an
 * input column o*S - P + kn*D inside [0, I) (the bounds are compile-time constants). */
void om_cg_win_interior(om_cg_ctx *cx, int64_t K, int64_t S, int64_t D, int64_t P, int64_t I,
                        LLVMValueRef j0, LLVMValueRef jend, LLVMValueRef *ilo, LLVMValueRef *ihi);
/* Reads INTS attribute `name` into out[0..count): absent -> dflt everywhere; present with
 * another count, or a value outside minv..2^31-1 -> OM_ERR_INVALID_MODEL naming the node,
 * op, attribute and index. */
om_status om_cg_win_ints(const om_node *n, const char *name, int count, int64_t dflt, int64_t minv,
                         int64_t *out);

#endif
