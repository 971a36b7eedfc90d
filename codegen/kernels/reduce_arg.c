/* ArgMax / ArgMin along `axis` (default 0): the int64 index of the largest / smallest element;
 * ties go to the first index, or to the last with select_last_index = 1. NaN counts as
 * larger (ArgMax) and smaller (ArgMin) than any number, as numpy's argmax/argmin do: the
 * first NaN wins (the last one with select_last_index). keepdims only changes the output
 * shape, not the data layout.
 *
 * The tensor is viewed as [outer, N, inner] (N = dims[axis] >= 1):
 *   inner == 1: the work loop runs over outer rows, a scalar best value and index.
 *   inner  > 1: work items = (outer, block of up to BLOCK inner positions); the block's
 *               best values and indices live in stack arrays, k loops outside and the
 *               contiguous positions inside (compare + select: vectorizes).
 * dtypes: floats (f16/bf16 compared in f32), all integer types.
 */
#include "codegen/cg_internal.h"

#define BLOCK 256

/* whether x replaces best */
static LLVMValueRef better(om_cg_ctx *cx, om_dtype c, bool is_max, bool last, LLVMValueRef x, LLVMValueRef best)
{
    LLVMBuilderRef b = cx->b;
    if (om_dtype_is_float(c)) {
        LLVMRealPredicate pr = is_max ? (last ? LLVMRealOGE : LLVMRealOGT) : (last ? LLVMRealOLE : LLVMRealOLT);
        LLVMValueRef cmp = LLVMBuildFCmp(b, pr, x, best, "");
        LLVMValueRef xnan = LLVMBuildFCmp(b, LLVMRealUNO, x, x, "");
        if (!last)
            xnan = LLVMBuildAnd(b, xnan, LLVMBuildFCmp(b, LLVMRealORD, best, best, ""), "");
        return LLVMBuildOr(b, cmp, xnan, "better");
    }
    bool s = om_dtype_is_signed_int(c);
    LLVMIntPredicate pr = is_max ? (last ? (s ? LLVMIntSGE : LLVMIntUGE) : (s ? LLVMIntSGT : LLVMIntUGT))
                                 : (last ? (s ? LLVMIntSLE : LLVMIntULE) : (s ? LLVMIntSLT : LLVMIntULT));
    return LLVMBuildICmp(b, pr, x, best, "better");
}

om_status om_cg_emit_arg_reduce(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    if (!om_cg_type(cx, dt) || dt == OM_DT_BOOL || Y->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "dtype %s -> %s not supported by this kernel", om_dtype_name(dt),
                                 om_dtype_name(Y->dtype));
    if (!om_shape_is_static(&X->shape) || !om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", 0);
    int64_t a = axis < 0 ? axis + r : axis;
    if (r < 1 || a < 0 || a >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)axis, r);
    int64_t outer = 1, len = X->shape.dims[a], inner = 1;
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= X->shape.dims[i];
        else if (i > a)
            inner *= X->shape.dims[i];
    }
    if (om_shape_numel(&Y->shape) != outer * inner)
        return om_cg_unsupported(cx, "output has %lld elements, expected %lld", (long long)om_shape_numel(&Y->shape),
                                 (long long)(outer * inner));
    if (outer * inner == 0)
        return OM_OK;
    if (len <= 0)
        return om_cg_unsupported(cx, "axis %lld has no elements", (long long)a);
    bool is_max = n->op == OM_OP_ARG_MAX, last = om_node_int(n, "select_last_index", 0) != 0;
    om_dtype c = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? OM_DT_FLOAT : dt;
    LLVMTypeRef ct = om_cg_type(cx, c);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), zero = om_cg_i64(cx, 0), one = om_cg_i64(cx, 1);

    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef bv = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "bestv");
    LLVMValueRef bi = om_cg_alloca(cx, LLVMArrayType2(cx->i64, (uint64_t)bs), "besti");
    om_cg_loop lw, lk, li;
    LLVMValueRef w = om_cg_for_work(cx, &lw, outer * nb, "w");
    LLVMValueRef o = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        o = LLVMBuildUDiv(b, w, om_cg_i64(cx, nb), "o");
        i0 = om_cg_mul(cx, LLVMBuildURem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef base = om_cg_mad(cx, o, len * inner, i0); /* element (o, 0, i0) */
    /* k = 0 initializes */
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, c, bv, i, om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, base, i)), dt, c));
    om_cg_store(cx, OM_DT_INT64, bi, i, zero);
    om_cg_for_end(cx, &li);
    LLVMValueRef k = om_cg_for(cx, &lk, one, om_cg_i64(cx, len), "k");
    LLVMValueRef row = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, row, i)), dt, c);
    LLVMValueRef best = om_cg_load(cx, c, bv, i);
    LLVMValueRef take = better(cx, c, is_max, last, x, best);
    om_cg_store(cx, c, bv, i, LLVMBuildSelect(b, take, x, best, ""));
    om_cg_store(cx, OM_DT_INT64, bi, i, LLVMBuildSelect(b, take, k, om_cg_load(cx, OM_DT_INT64, bi, i), ""));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    LLVMValueRef ob = om_cg_mad(cx, o, inner, i0);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, OM_DT_INT64, py, om_cg_add(cx, ob, i), om_cg_load(cx, OM_DT_INT64, bi, i));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
