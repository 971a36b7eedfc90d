/* PRelu(X, slope): y = x < 0 ? slope * x : x, slope broadcast unidirectionally to X
 * (family prelu of ir/ops/math.def).
 *
 * The loops come from cg_broadcast.h, the broadcast nest of the binary kernels: per-dim
 * strides (0 along slope's broadcast dims), size-1 dims dropped, adjacent contiguous dims
 * merged, leading dims fused into the parallel work loop. A per-channel slope [C, 1, 1]
 * thus gives a contiguous inner loop with a loop-invariant slope. The output must have
 * X's shape (unidirectional: the slope never widens the output).
 *
 * dtypes: f32, f64 natively; f16 and bf16 in f32; i32, i64 (signed compare), u32, u64
 * (never negative: a copy). NaN x passes through.
 */
#include "codegen/cg_broadcast.h"

om_status om_cg_emit_prelu(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *S = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !S)
        return om_cg_unsupported(cx, "inputs X and slope are required");
    om_dtype dt = Y->dtype;
    bool flt = om_dtype_is_float(dt), sgn = om_dtype_is_signed_int(dt), uns = om_dtype_is_unsigned_int(dt);
    if (!flt && !sgn && !uns)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (X->dtype != dt || S->dtype != dt)
        return om_cg_unsupported(cx, "mixed dtypes %s, %s -> %s", om_dtype_name(X->dtype), om_dtype_name(S->dtype),
                                 om_dtype_name(dt));
    if (!om_shape_equal(&X->shape, &Y->shape) || !om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "output shape must be X's and static");
    LLVMValueRef px = om_cg_in(cx, 0), ps = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {X, S};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 2, ins);
    if (st != OM_OK)
        return st;
    om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, bc.off[1]), dt, cdt);
    LLVMValueRef s = om_cg_convert(cx, om_cg_load(cx, dt, ps, bc.off[2]), dt, cdt);
    LLVMValueRef y = x;
    if (flt) {
        LLVMValueRef neg = LLVMBuildFCmp(cx->b, LLVMRealOLT, x, LLVMConstReal(LLVMTypeOf(x), 0.0), "");
        y = LLVMBuildSelect(cx->b, neg, LLVMBuildFMul(cx->b, s, x, ""), x, "");
    } else if (sgn) {
        LLVMValueRef neg = LLVMBuildICmp(cx->b, LLVMIntSLT, x, LLVMConstInt(LLVMTypeOf(x), 0, 0), "");
        y = LLVMBuildSelect(cx->b, neg, LLVMBuildMul(cx->b, s, x, ""), x, "");
    }
    om_cg_store(cx, dt, py, bc.off[0], om_cg_convert(cx, y, cdt, dt));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}
