/* Cast and CastLike: every pair of f32, f64, f16, bf16, i8..i64, u8..u64 and bool.
 *
 * One flat loop over the elements (the parallel work loop). Same dtype: one memcpy.
 * Conversions follow C casts as compiled for x86-64 (ONNX Runtime's results there):
 * floats -> ints truncate toward zero, NaN and out-of-range values give the "integer
 * indefinite" value (om_cg_logic_f2i); ints -> ints wrap (truncate or extend by the source's
 * signedness); anything -> bool is != 0 (NaN is true); bool -> anything is 0/1; f64 -> f16/bf16
 * and i64 -> f16 go through f32. Casts to bf16 truncate the f32 value (the low 16 bits are
 * dropped; NaN stays NaN), as ONNX's reference implementation and the backend suite's
 * expected outputs (ONNX 1.12) do; arithmetic in bf16 elsewhere rounds to nearest even, and
 * so do the Casts the precision pass inserts (attribute om_round_nearest = 1).
 * Strings are refused by the shape rule.
 */
#include "codegen/cg_broadcast.h"
#include "codegen/kernels/logic_internal.h"

/* v (an f32/f64 scalar) in range (lo, hi) exclusive: NaN is not. */
static LLVMValueRef in_range(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, double lo, double hi)
{
    LLVMValueRef a = LLVMBuildFCmp(cx->b, LLVMRealOGT, v, om_cg_const(cx, from, lo), "");
    LLVMValueRef b = LLVMBuildFCmp(cx->b, LLVMRealOLT, v, om_cg_const(cx, from, hi), "");
    return LLVMBuildAnd(cx->b, a, b, "");
}

/* x86 cvtt*2si: truncation into a signed int of `bits` bits, INT_MIN when out of range */
static LLVMValueRef cvtt(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, unsigned bits)
{
    LLVMTypeRef t = bits == 32 ? cx->i32 : cx->i64;
    double lim = bits == 32 ? 2147483648.0 : 9223372036854775808.0;
    /* -lim - 1 rounds to -lim in narrow types; -lim itself converts to INT_MIN either way */
    LLVMValueRef ok = in_range(cx, v, from, -lim - 1.0, lim);
    LLVMValueRef safe = LLVMBuildSelect(cx->b, ok, v, om_cg_const(cx, from, 0), "");
    LLVMValueRef r = LLVMBuildFPToSI(cx->b, safe, t, "");
    LLVMValueRef imin = LLVMConstInt(t, bits == 32 ? 0x80000000ull : 0x8000000000000000ull, 0);
    return LLVMBuildSelect(cx->b, ok, r, imin, "");
}

LLVMValueRef om_cg_logic_f2i(om_cg_ctx *cx, LLVMValueRef v, om_dtype from, om_dtype to)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef tt = om_cg_type(cx, to);
    switch (to) {
    case OM_DT_INT8: case OM_DT_INT16: case OM_DT_UINT8: case OM_DT_UINT16:
        return LLVMBuildTrunc(b, cvtt(cx, v, from, 32), tt, "");
    case OM_DT_INT32:
        return cvtt(cx, v, from, 32);
    case OM_DT_UINT32:
        return LLVMBuildTrunc(b, cvtt(cx, v, from, 64), tt, "");
    case OM_DT_UINT64: {
        LLVMValueRef two63 = om_cg_const(cx, from, 9223372036854775808.0);
        LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, v, two63, "");
        LLVMValueRef lo = cvtt(cx, v, from, 64);
        LLVMValueRef hi = cvtt(cx, LLVMBuildFSub(b, v, two63, ""), from, 64);
        hi = LLVMBuildXor(b, hi, LLVMConstInt(cx->i64, 0x8000000000000000ull, 0), "");
        /* NaN takes the low path: 2^63 (the 64-bit integer indefinite) */
        LLVMValueRef nan = LLVMBuildFCmp(b, LLVMRealUNO, v, v, "");
        return LLVMBuildSelect(b, LLVMBuildOr(b, small, nan, ""), lo, hi, "");
    }
    default: /* INT64 */
        return cvtt(cx, v, from, 64);
    }
}

/* f32 -> bf16 by dropping the low 16 bits (NaN stays a quiet NaN with its sign) */
static LLVMValueRef f32_to_bf16_trunc(om_cg_ctx *cx, LLVMValueRef f)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef bits = LLVMBuildBitCast(b, f, cx->i32, "");
    LLVMValueRef hi = LLVMBuildTrunc(b, LLVMBuildLShr(b, bits, om_cg_i32(cx, 16), ""), cx->i16, "");
    LLVMValueRef qnan = LLVMBuildOr(b, hi, LLVMConstInt(cx->i16, 0x7fc0, 0), "");
    LLVMValueRef nan = LLVMBuildFCmp(b, LLVMRealUNO, f, f, "");
    return LLVMBuildBitCast(b, LLVMBuildSelect(b, nan, qnan, hi, ""), cx->bf16, "");
}

static bool castable(om_dtype dt)
{
    return dt == OM_DT_BOOL || om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) ||
           om_dtype_is_unsigned_int(dt);
}

om_status om_cg_emit_cast(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype from = X->dtype, to = Y->dtype;
    if (!castable(from) || !castable(to))
        return om_cg_unsupported(cx, "cast %s -> %s is not supported by this kernel", om_dtype_name(from),
                                 om_dtype_name(to));
    if (!om_shape_is_static(&Y->shape) || !om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "input and output shapes must be static and equal");
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    /* set by the precision pass on the Casts it inserts: round to nearest even, not ONNX's
     * truncation (om_cg_convert's fptrunc rounds) */
    bool round_nearest = om_node_int(n, "om_round_nearest", 0) != 0;
    if (from == to) {
        int64_t bytes = om_shape_numel(&Y->shape) * (int64_t)om_dtype_size(to);
        if (bytes > 0)
            om_cg_memcpy(cx, py, px, om_cg_i64(cx, bytes));
        return OM_OK;
    }
    om_cg_bcast bc;
    const om_value *ins[1] = {X};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 1, ins);
    if (st != OM_OK)
        return st;
    LLVMValueRef v = om_cg_load(cx, from, px, bc.off[1]);
    LLVMValueRef y;
    if (om_dtype_is_float(from) && to != OM_DT_BOOL && !om_dtype_is_float(to)) {
        om_dtype cf = om_cg_logic_compute_dt(from);
        y = om_cg_logic_f2i(cx, om_cg_logic_widen(cx, v, from), cf, to);
    } else if (to == OM_DT_BFLOAT16 && from != OM_DT_BOOL && !round_nearest) {
        y = f32_to_bf16_trunc(cx, om_cg_convert(cx, v, from, OM_DT_FLOAT)); /* from != bf16 */
    } else {
        y = om_cg_convert(cx, v, from, to);
    }
    om_cg_store(cx, to, py, bc.off[0], y);
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}
