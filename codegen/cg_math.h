/* Vectorizable transcendental functions emitted inline as LLVM IR (codegen/math_ext.c),
 * complementing om_cg_exp_f32 / om_cg_tanh_f32 / om_cg_sigmoid_f32 of cg_internal.h.
 *
 * Every function takes and returns f32 or <N x float> (same type in and out) and emits only
 * instructions that never become libm calls (fadd/fmul/fdiv, llvm.fmuladd, llvm.fabs,
 * llvm.copysign, llvm.sqrt, compares, selects, integer bit operations), so the kernels
 * that use them stay free of external symbols. Scalar and vector forms give identical bits.
 * Special values follow C99 Annex F (NaN in -> NaN out; domain errors -> NaN; poles ->
 * +-inf). The maximum error of each, measured against libm in double over dense sweeps by
 * tests/unit/codegen/test_math_ext.c, is stated at its definition in math_ext.c.
 *
 * om_cg_floor/ceil/round_even work on f32 or f64 scalars or vectors (exact results).
 */
#ifndef OM_CODEGEN_CG_MATH_H
#define OM_CODEGEN_CG_MATH_H

#include "codegen/cg_internal.h"

LLVMValueRef om_cg_log_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_erf_f32(om_cg_ctx *cx, LLVMValueRef x);
/* log(1 + x) and exp(x) - 1, accurate (relatively) near 0 */
LLVMValueRef om_cg_log1p_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_expm1_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_sin_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_cos_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_tan_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_asin_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_acos_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_atan_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_sinh_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_cosh_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_asinh_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_acosh_f32(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_atanh_f32(om_cg_ctx *cx, LLVMValueRef x);
/* x^y with C99 pow semantics (negative x with integral y gives the signed result,
 * negative x with non-integral y NaN, pow(x, 0) = 1, pow(1, y) = 1, zero and inf cases). */
LLVMValueRef om_cg_pow_f32(om_cg_ctx *cx, LLVMValueRef x, LLVMValueRef y);

/* exp and log over the whole f64 range (range reduction in f64, the f32 polynomial on the
 * reduced argument): relative error ~2e-7, not f64 precision. f64 scalars or vectors. */
LLVMValueRef om_cg_exp_f64(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_log_f64(om_cg_ctx *cx, LLVMValueRef x);

/* Exact rounding of f32 / f64 (scalar or vector) to an integral value: toward -inf, toward
 * +inf, and to nearest with ties to even (ONNX Round). NaN, inf and -0 are kept. */
LLVMValueRef om_cg_floor(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_ceil(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_round_even(om_cg_ctx *cx, LLVMValueRef x);

#endif
