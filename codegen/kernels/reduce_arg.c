/* ArgMax / ArgMin along `axis` (default 0): the int64 index of the largest / smallest element;
 * ties go to the first index, or to the last with select_last_index = 1. NaN counts as
 * larger (ArgMax) and smaller (ArgMin) than any number, as numpy's argmax/argmin do: the
 * first NaN wins (the last one with select_last_index). keepdims only changes the output
 * shape, not the data layout.
 *
 * The tensor is viewed as [outer, N, inner] (N = dims[axis] >= 1):
 *   inner == 1, N >= 2 VL (f32, f64, ints): the work loop runs over outer rows; VL lanes
 *               keep per-lane bests and indices (compare + select on vectors), merged at
 *               the end with the tie rule; the tail joins the same way.
 *   inner == 1 otherwise: a scalar best value and index per row.
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

/* (v, i) replaces (bv, bi) when v is strictly better, or as good with a lower index
 * (first) / higher index (last); NaNs are as good as each other. Scalars only. */
static LLVMValueRef final_take(om_cg_ctx *cx, om_dtype c, bool is_max, bool last, LLVMValueRef v, LLVMValueRef i,
                               LLVMValueRef bv, LLVMValueRef bi)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef strict, same;
    LLVMValueRef idx = LLVMBuildICmp(b, last ? LLVMIntSGT : LLVMIntSLT, i, bi, "");
    if (om_dtype_is_float(c)) {
        LLVMValueRef vn = LLVMBuildFCmp(b, LLVMRealUNO, v, v, ""), bn = LLVMBuildFCmp(b, LLVMRealUNO, bv, bv, "");
        strict = LLVMBuildOr(b, LLVMBuildFCmp(b, is_max ? LLVMRealOGT : LLVMRealOLT, v, bv, ""),
                             LLVMBuildAnd(b, vn, LLVMBuildNot(b, bn, ""), ""), "");
        same = LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealOEQ, v, bv, ""), LLVMBuildAnd(b, vn, bn, ""), "");
    } else {
        bool s = om_dtype_is_signed_int(c);
        strict = LLVMBuildICmp(b, is_max ? (s ? LLVMIntSGT : LLVMIntUGT) : (s ? LLVMIntSLT : LLVMIntULT), v, bv, "");
        same = LLVMBuildICmp(b, LLVMIntEQ, v, bv, "");
    }
    return LLVMBuildOr(b, strict, LLVMBuildAnd(b, same, idx, ""), "take");
}

static LLVMValueRef splat(om_cg_ctx *cx, LLVMValueRef s, unsigned vl)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), vl);
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetUndef(vt), s, om_cg_i32(cx, 0), "");
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetUndef(vt), LLVMConstNull(LLVMVectorType(cx->i32, vl)), "splat");
}

static LLVMValueRef vload(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index, unsigned vl)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    LLVMValueRef ptr = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(cx->b, LLVMVectorType(t, vl), ptr, "");
    LLVMSetAlignment(v, (unsigned)om_dtype_size(dt));
    return v;
}

/* inner == 1 and N >= VL (no 16-bit float conversion): lane l tracks the best of elements
 * l, l + VL, ... (indices grow within a lane, so the lane rule is the scalar one); then the
 * lanes and the tail are merged with final_take. */
static void emit_vector_rows(om_cg_ctx *cx, om_dtype dt, int64_t outer, int64_t len, bool is_max, bool last,
                             unsigned vl)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef et = om_cg_type(cx, dt), vt = LLVMVectorType(et, vl), it = LLVMVectorType(cx->i64, vl);
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef vbest = om_cg_alloca(cx, vt, "vbest"), vidx = om_cg_alloca(cx, it, "vidx");
    LLVMValueRef sbest = om_cg_alloca(cx, et, "sbest"), sidx = om_cg_alloca(cx, cx->i64, "sidx");
    LLVMValueRef iota[64];
    for (unsigned l = 0; l < vl; l++)
        iota[l] = om_cg_i64(cx, l);
    LLVMValueRef viota = LLVMConstVector(iota, vl);
    int64_t nv = len / vl;
    om_cg_loop lw, lj;
    LLVMValueRef w = om_cg_for_work(cx, &lw, outer, "w");
    LLVMValueRef base = om_cg_mul(cx, w, om_cg_i64(cx, len));
    LLVMBuildStore(b, vload(cx, dt, px, base, vl), vbest);
    LLVMBuildStore(b, viota, vidx);
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 1), om_cg_i64(cx, nv), "j");
    LLVMValueRef k0 = om_cg_mul(cx, j, om_cg_i64(cx, vl));
    LLVMValueRef x = vload(cx, dt, px, om_cg_add(cx, base, k0), vl);
    LLVMValueRef bv = LLVMBuildLoad2(b, vt, vbest, ""), bi = LLVMBuildLoad2(b, it, vidx, "");
    LLVMValueRef take = better(cx, dt, is_max, last, x, bv);
    LLVMBuildStore(b, LLVMBuildSelect(b, take, x, bv, ""), vbest);
    LLVMBuildStore(b, LLVMBuildSelect(b, take, LLVMBuildAdd(b, splat(cx, k0, vl), viota, ""), bi, ""), vidx);
    om_cg_for_end(cx, &lj);
    /* merge the lanes, then the tail */
    bv = LLVMBuildLoad2(b, vt, vbest, "");
    bi = LLVMBuildLoad2(b, it, vidx, "");
    LLVMValueRef sv = LLVMBuildExtractElement(b, bv, om_cg_i32(cx, 0), ""), si = LLVMBuildExtractElement(b, bi, om_cg_i32(cx, 0), "");
    for (unsigned l = 1; l < vl; l++) {
        LLVMValueRef v = LLVMBuildExtractElement(b, bv, om_cg_i32(cx, (int32_t)l), "");
        LLVMValueRef i = LLVMBuildExtractElement(b, bi, om_cg_i32(cx, (int32_t)l), "");
        LLVMValueRef t = final_take(cx, dt, is_max, last, v, i, sv, si);
        sv = LLVMBuildSelect(b, t, v, sv, "");
        si = LLVMBuildSelect(b, t, i, si, "");
    }
    LLVMBuildStore(b, sv, sbest);
    LLVMBuildStore(b, si, sidx);
    LLVMValueRef k = om_cg_for(cx, &lj, om_cg_i64(cx, nv * vl), om_cg_i64(cx, len), "k");
    LLVMValueRef xs = om_cg_load(cx, dt, px, om_cg_add(cx, base, k));
    sv = LLVMBuildLoad2(b, et, sbest, "");
    si = LLVMBuildLoad2(b, cx->i64, sidx, "");
    LLVMValueRef t = final_take(cx, dt, is_max, last, xs, k, sv, si);
    LLVMBuildStore(b, LLVMBuildSelect(b, t, xs, sv, ""), sbest);
    LLVMBuildStore(b, LLVMBuildSelect(b, t, k, si, ""), sidx);
    om_cg_for_end(cx, &lj);
    om_cg_store(cx, OM_DT_INT64, py, w, LLVMBuildLoad2(b, cx->i64, sidx, ""));
    om_cg_for_end(cx, &lw);
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
    unsigned vl = (unsigned)(64 / om_dtype_size(dt));
    if (vl > 16)
        vl = 16; /* the index vector is <vl x i64> */
    if (inner == 1 && c == dt && len >= 2 * (int64_t)vl) {
        emit_vector_rows(cx, dt, outer, len, is_max, last, vl);
        return OM_OK;
    }
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
