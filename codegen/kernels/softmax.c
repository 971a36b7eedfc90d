/* Softmax along `axis` (default -1; negative counts from the end), numerically stable:
 * y = exp(x - max) / sum(exp(x - max)) over the softmax dim.
 *
 * The tensor is viewed as [outer, N, inner] with N = dims[axis] (or, with the attribute
 * coerce_2d=1 that the frontend sets for opset < 13, N = product of dims[axis..] and
 * inner = 1). Three passes per softmax: max, exp(x - max) stored into y while summing,
 * scale by 1/sum.
 *   inner == 1: the work loop runs over the outer rows; each pass is a contiguous loop.
 *   inner  > 1: the work loop runs over (outer, block of up to BLOCK inner positions);
 *               the running max and sum of the block live in two stack arrays, and every
 *               pass loops k over N outside and the block's contiguous positions inside,
 *               so the inner loops vectorize.
 * dtypes: f32; f16/bf16 in f32; f64 with the f32 exp of math.c (f32 accuracy).
 */
#include "codegen/cg_internal.h"

#define BLOCK 256

/* exp in the compute type (f64 goes through the f32 polynomial) */
static LLVMValueRef exp_c(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef d)
{
    return om_cg_convert(cx, om_cg_exp_f32(cx, om_cg_convert(cx, d, cdt, OM_DT_FLOAT)), OM_DT_FLOAT, cdt);
}

static om_status emit_blocked(om_cg_ctx *cx, om_dtype dt, om_dtype cdt, int64_t outer, int64_t len,
                              int64_t inner)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef mx = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "max");
    LLVMValueRef sm = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "sum");
    LLVMValueRef zero = om_cg_i64(cx, 0);

    om_cg_loop lw, lk, li, li2;
    LLVMValueRef w = om_cg_for_work(cx, &lw, outer * nb, "w");
    LLVMValueRef o = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        o = LLVMBuildSDiv(b, w, om_cg_i64(cx, nb), "o");
        i0 = om_cg_mul(cx, LLVMBuildSRem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef base = om_cg_mad(cx, o, len * inner, i0);   /* element (o, 0, i0) */

    /* pass 1: max[i] = max over k of x[base + k*inner + i]; sum[i] = 0 */
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, cdt, mx, i, LLVMConstReal(ct, -__builtin_inf()));
    om_cg_store(cx, cdt, sm, i, LLVMConstReal(ct, 0));
    om_cg_for_end(cx, &li);
    LLVMValueRef k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    LLVMValueRef rowb = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, rowb, i)), dt, cdt);
    om_cg_store(cx, cdt, mx, i, om_cg_max(cx, cdt, om_cg_load(cx, cdt, mx, i), x));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    /* pass 2: y = exp(x - max), sum += y */
    k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    rowb = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef idx = om_cg_add(cx, rowb, i);
    x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMValueRef e = exp_c(cx, cdt, LLVMBuildFSub(b, x, om_cg_load(cx, cdt, mx, i), ""));
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, e, cdt, dt));
    om_cg_store(cx, cdt, sm, i, LLVMBuildFAdd(b, om_cg_load(cx, cdt, sm, i), e, ""));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    /* pass 3: sum = 1/sum; y *= sum */
    i = om_cg_for(cx, &li2, zero, cnt, "i");
    om_cg_store(cx, cdt, sm, i, LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), om_cg_load(cx, cdt, sm, i), ""));
    om_cg_for_end(cx, &li2);
    k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    rowb = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    idx = om_cg_add(cx, rowb, i);
    LLVMValueRef y = om_cg_convert(cx, om_cg_load(cx, dt, py, idx), dt, cdt);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, LLVMBuildFMul(b, y, om_cg_load(cx, cdt, sm, i), ""), cdt, dt));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

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
    if (outer * inner == 0 || len == 0)
        return OM_OK;
    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    if (inner > 1)
        return emit_blocked(cx, dt, cdt, outer, len, inner);
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");

    om_cg_loop lr, l1, l2, l3;
    LLVMValueRef row = om_cg_for_work(cx, &lr, outer, "row");
    LLVMValueRef base = om_cg_mul(cx, row, om_cg_i64(cx, len));
    /* pass 1: max */
    LLVMBuildStore(b, LLVMConstReal(ct, -__builtin_inf()), acc);
    LLVMValueRef k = om_cg_for(cx, &l1, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    LLVMValueRef idx = om_cg_add(cx, base, k);
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMBuildStore(b, om_cg_max(cx, cdt, LLVMBuildLoad2(b, ct, acc, ""), x), acc);
    om_cg_for_end(cx, &l1);
    LLVMValueRef mx = LLVMBuildLoad2(b, ct, acc, "max");
    /* pass 2: e = exp(x - max) into y, sum */
    LLVMBuildStore(b, LLVMConstReal(ct, 0), acc);
    k = om_cg_for(cx, &l2, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    idx = om_cg_add(cx, base, k);
    x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMValueRef e = exp_c(cx, cdt, LLVMBuildFSub(b, x, mx, ""));
    LLVMValueRef sum = LLVMBuildFAdd(b, LLVMBuildLoad2(b, ct, acc, ""), e, "");
    LLVMSetFastMathFlags(sum, LLVMFastMathAllowReassoc);   /* lets LLVM vectorize the sum */
    LLVMBuildStore(b, sum, acc);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, e, cdt, dt));
    om_cg_for_end(cx, &l2);
    LLVMValueRef inv = LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), LLVMBuildLoad2(b, ct, acc, ""), "inv");
    /* pass 3: scale */
    k = om_cg_for(cx, &l3, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    idx = om_cg_add(cx, base, k);
    LLVMValueRef y = om_cg_convert(cx, om_cg_load(cx, dt, py, idx), dt, cdt);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, LLVMBuildFMul(b, y, inv, ""), cdt, dt));
    om_cg_for_end(cx, &l3);
    om_cg_for_end(cx, &lr);
    return OM_OK;
}
