/* Softmax along `axis` (default -1; negative counts from the end), numerically stable:
 * y = exp(x - max) / sum(exp(x - max)) over the softmax dim.
 *
 * The tensor is viewed as [outer, N, inner] with N = dims[axis] (or, with the attribute
 * coerce_2d=1 that the frontend sets for opset < 13, N = product of dims[axis..] and
 * inner = 1). The parallel work loop runs over outer * inner rows; each row makes three
 * passes of stride `inner`: max, exp(x - max) stored into y while summing, scale by 1/sum.
 * dtypes: f32; f16/bf16 in f32; f64 with the f32 exp of math.c (f32 accuracy).
 */
#include "codegen/cg_internal.h"

om_status om_cg_emit_softmax(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (!om_dtype_is_float(dt) || X->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(X->dtype));
    if (!om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "output shape differs from the input's");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", -1);
    int64_t a = axis < 0 ? axis + r : axis;
    if (r == 0 ? (a != 0 && a != -1) : (a < 0 || a >= r))
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)axis, r);
    bool coerce = om_node_int(n, "coerce_2d", 0) != 0;
    int64_t outer = 1, len = 1, inner = 1;
    for (int i = 0; i < r; i++) {
        int64_t d = X->shape.dims[i];
        if (i < a)
            outer *= d;
        else if (i == a || coerce)
            len *= d;
        else
            inner *= d;
    }
    int64_t rows = outer * inner;
    if (rows == 0 || len == 0)
        return OM_OK;
    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");

    om_cg_loop lr, l1, l2, l3;
    LLVMValueRef row = om_cg_for_work(cx, &lr, rows, "row");
    /* base = (row / inner) * len * inner + row % inner */
    LLVMValueRef base = row;
    if (inner > 1) {
        LLVMValueRef o = LLVMBuildSDiv(b, row, om_cg_i64(cx, inner), "");
        LLVMValueRef i = LLVMBuildSRem(b, row, om_cg_i64(cx, inner), "");
        base = om_cg_mad(cx, o, len * inner, i);
    } else {
        base = om_cg_mul(cx, row, om_cg_i64(cx, len));
    }
    /* pass 1: max */
    LLVMBuildStore(b, LLVMConstReal(ct, -__builtin_inf()), acc);
    LLVMValueRef k = om_cg_for(cx, &l1, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    LLVMValueRef idx = om_cg_mad(cx, k, inner, base);
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMBuildStore(b, om_cg_max(cx, cdt, LLVMBuildLoad2(b, ct, acc, ""), x), acc);
    om_cg_for_end(cx, &l1);
    LLVMValueRef mx = LLVMBuildLoad2(b, ct, acc, "max");
    /* pass 2: e = exp(x - max) into y, sum */
    LLVMBuildStore(b, LLVMConstReal(ct, 0), acc);
    k = om_cg_for(cx, &l2, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    idx = om_cg_mad(cx, k, inner, base);
    x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMValueRef d = LLVMBuildFSub(b, x, mx, "");
    LLVMValueRef e = om_cg_convert(cx, om_cg_exp_f32(cx, om_cg_convert(cx, d, cdt, OM_DT_FLOAT)),
                                   OM_DT_FLOAT, cdt);
    LLVMValueRef sum = LLVMBuildFAdd(b, LLVMBuildLoad2(b, ct, acc, ""), e, "");
    LLVMSetFastMathFlags(sum, LLVMFastMathAllowReassoc);   /* lets LLVM vectorize the sum */
    LLVMBuildStore(b, sum, acc);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, e, cdt, dt));
    om_cg_for_end(cx, &l2);
    LLVMValueRef inv = LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), LLVMBuildLoad2(b, ct, acc, ""), "inv");
    /* pass 3: scale */
    k = om_cg_for(cx, &l3, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    idx = om_cg_mad(cx, k, inner, base);
    LLVMValueRef y = om_cg_convert(cx, om_cg_load(cx, dt, py, idx), dt, cdt);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, LLVMBuildFMul(b, y, inv, ""), cdt, dt));
    om_cg_for_end(cx, &l3);
    om_cg_for_end(cx, &lr);
    return OM_OK;
}
