/* Helpers shared by the logic group's kernels (codegen/kernels/logic_*.c, cast.c): private
 * to those files. */
#ifndef OM_CODEGEN_KERNELS_LOGIC_INTERNAL_H
#define OM_CODEGEN_KERNELS_LOGIC_INTERNAL_H

#include "codegen/cg_internal.h"

/* The dtype elementwise math is done in: f16/bf16 widen to f32, others are themselves. */
static inline om_dtype om_cg_logic_compute_dt(om_dtype dt)
{
    return (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
}

/* v (an element of dtype dt) in om_cg_logic_compute_dt(dt). bf16 widens by a shift of its
 * bits instead of fpext: LLVM narrows exact operations (select, min/max, fneg, fabs) on
 * fpext'd operands back to bf16, which targets without bf16 arithmetic then lower through
 * the __truncsfbf2 libcall; integer bits keep the computation in f32. */
static inline LLVMValueRef om_cg_logic_widen(om_cg_ctx *cx, LLVMValueRef v, om_dtype dt)
{
    if (dt != OM_DT_BFLOAT16)
        return om_cg_convert(cx, v, dt, om_cg_logic_compute_dt(dt));
    LLVMValueRef bits = LLVMBuildZExt(cx->b, LLVMBuildBitCast(cx->b, v, cx->i16, ""), cx->i32, "");
    bits = LLVMBuildShl(cx->b, bits, LLVMConstInt(cx->i32, 16, 0), "");
    return LLVMBuildBitCast(cx->b, bits, cx->f32, "");
}

/* Float -> integer conversion with the results of a C cast on x86-64 (what ONNX Runtime
 * produces there), never poison: truncation toward zero; for a NaN or out-of-range value
 * the 32-bit (i8, i16, i32, u8, u16: then truncated) or 64-bit (i64, u32: then truncated)
 * conversion yields the "integer indefinite" INT_MIN / INT64_MIN; u64 converts values
 * >= 2^63 by subtracting 2^63 first. `from` is f32 or f64 (widen 16-bit floats first), `to`
 * an integer dtype (bool is not: use om_cg_convert, != 0). */
LLVMValueRef om_cg_logic_f2i(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, om_dtype to);

#endif
