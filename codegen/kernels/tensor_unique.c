/* Unique(X; axis?, sorted = 1) with a run-time X (a constant X is folded by the shape rule,
 * passes/infer/tensor_fold.c, which this kernel matches). X is viewed as [outer, units,
 * inner]: without axis outer = inner = 1 and units = numel; with axis a unit is the slice
 * X[:, u, :], compared element by element (lexicographically, in row-major order).
 * Outputs: Y [.., ny, ..] the unique units (ascending when sorted, else in order of first
 * occurrence), indices [ny] (first occurrence of each), inverse_indices [units] (place in Y
 * of each unit), counts [ny] — any of outputs 1-3 may be absent.
 *
 * ny is the compiled (declared) dim; the kernel finds the real number and returns
 * OM_ART_CHECK_OUTPUT_SIZE before writing any output when it differs. Algorithm (one work
 * item, scratch in three stack arrays of `units` i64 — 192 KiB at most — so units is
 * capped at OM_CG_UNIQUE_MAX_UNITS):
 *   1. order = 0..units-1, sorted by unit value with a stable bottom-up merge sort
 *      (O(units log units) unit comparisons; equal units keep index order, so the first of
 *      a run of equals is its first occurrence);
 *   2. runs of equal units are groups: first[g] = first unit of group g (value rank g),
 *      group[u] = g; the number of groups is checked;
 *   3. place of group g in Y: g when sorted, else the order of first occurrences (order is
 *      reused to hold it);
 *   4. writes Y, indices, inverse_indices and counts.
 * Floats compare with ordered < and > (NaN compares equal to everything: unspecified by
 * ONNX); f16/bf16 through f32; bool and unsigned ints unsigned. Elements are copied with
 * memcpy. No library calls besides memcpy.
 */
#include "codegen/kernels/tensor_common.h"

#define OM_CG_UNIQUE_MAX_UNITS 8192

typedef struct unique_ctx {
    om_cg_ctx *cx;
    om_dtype dt;
    LLVMValueRef px;
    int64_t outer, units, inner;
} unique_ctx;

/* i32 -1 / 0 / 1: unit a compared with unit b (i64 values). */
static LLVMValueRef unit_cmp(const unique_ctx *u, LLVMValueRef a, LLVMValueRef bu)
{
    om_cg_ctx *cx = u->cx;
    LLVMBuilderRef b = cx->b;
    int64_t len = u->outer * u->inner;
    if (len == 0)
        return om_cg_i32(cx, 0);
    LLVMValueRef res = om_cg_alloca(cx, cx->i32, "cmp");
    LLVMBuildStore(b, om_cg_i32(cx, 0), res);
    om_cg_loop l;
    LLVMValueRef e = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, len), "e");
    LLVMValueRef o = u->inner == 1 ? e : LLVMBuildUDiv(b, e, om_cg_i64(cx, u->inner), "");
    LLVMValueRef i = u->inner == 1 ? om_cg_i64(cx, 0) : LLVMBuildURem(b, e, om_cg_i64(cx, u->inner), "");
    LLVMValueRef ka = om_cg_add(cx, om_cg_mul(cx, om_cg_mad(cx, o, u->units, a), om_cg_i64(cx, u->inner)), i);
    LLVMValueRef kb = om_cg_add(cx, om_cg_mul(cx, om_cg_mad(cx, o, u->units, bu), om_cg_i64(cx, u->inner)), i);
    LLVMValueRef xa = om_cg_load(cx, u->dt, u->px, ka), xb = om_cg_load(cx, u->dt, u->px, kb), lt, gt;
    if (om_dtype_is_float(u->dt)) {
        if (u->dt == OM_DT_FLOAT16 || u->dt == OM_DT_BFLOAT16) {
            xa = om_cg_convert(cx, xa, u->dt, OM_DT_FLOAT);
            xb = om_cg_convert(cx, xb, u->dt, OM_DT_FLOAT);
        }
        lt = LLVMBuildFCmp(b, LLVMRealOLT, xa, xb, "");
        gt = LLVMBuildFCmp(b, LLVMRealOGT, xa, xb, "");
    } else if (om_dtype_is_signed_int(u->dt)) {
        lt = LLVMBuildICmp(b, LLVMIntSLT, xa, xb, "");
        gt = LLVMBuildICmp(b, LLVMIntSGT, xa, xb, "");
    } else {
        lt = LLVMBuildICmp(b, LLVMIntULT, xa, xb, "");
        gt = LLVMBuildICmp(b, LLVMIntUGT, xa, xb, "");
    }
    LLVMValueRef c = LLVMBuildSelect(b, lt, om_cg_i32(cx, -1), LLVMBuildSelect(b, gt, om_cg_i32(cx, 1), om_cg_i32(cx, 0), ""), "");
    LLVMValueRef cur = LLVMBuildLoad2(b, cx->i32, res, "");
    LLVMValueRef undecided = LLVMBuildICmp(b, LLVMIntEQ, cur, om_cg_i32(cx, 0), "");
    LLVMBuildStore(b, LLVMBuildSelect(b, undecided, c, cur, ""), res);
    om_cg_for_end(cx, &l);
    return LLVMBuildLoad2(b, cx->i32, res, "cmp");
}

/* Element pointer &base[i] of an i64 array (i: i64 value). */
static LLVMValueRef i64_at(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef i)
{
    return LLVMBuildInBoundsGEP2(cx->b, cx->i64, base, &i, 1, "");
}

/* Stable bottom-up merge sort of order[0..units) by unit value, tmp as scratch: the passes
 * (run widths 1, 2, 4, ...) are unrolled at compile time, each a loop over its pairs of
 * runs; a merge takes from the right run only when strictly smaller (stability), then
 * copies the two tails. */
static void sort_units(const unique_ctx *u, LLVMValueRef order, LLVMValueRef tmp)
{
    om_cg_ctx *cx = u->cx;
    LLVMBuilderRef b = cx->b;
    int64_t n = u->units;
    LLVMValueRef as = om_cg_alloca(cx, cx->i64, "a"), bs = om_cg_alloca(cx, cx->i64, "b");
    LLVMValueRef ks = om_cg_alloca(cx, cx->i64, "k");
    for (int64_t w = 1; w < n; w *= 2) {
        om_cg_loop l;
        LLVMValueRef bi = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, (n + 2 * w - 1) / (2 * w)), "pair");
        LLVMValueRef lo = om_cg_mul(cx, bi, om_cg_i64(cx, 2 * w)), nn = om_cg_i64(cx, n);
        LLVMValueRef mid = om_cg_add(cx, lo, om_cg_i64(cx, w)), hi = om_cg_add(cx, lo, om_cg_i64(cx, 2 * w));
        mid = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, mid, nn, ""), mid, nn, "mid");
        hi = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, hi, nn, ""), hi, nn, "hi");
        LLVMBuildStore(b, lo, as);
        LLVMBuildStore(b, mid, bs);
        LLVMBuildStore(b, lo, ks);
        LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "merge.cond");
        LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "merge.body");
        LLVMBasicBlockRef tail = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "merge.tail");
        LLVMBuildBr(b, cond);
        LLVMPositionBuilderAtEnd(b, cond);
        LLVMValueRef ai = LLVMBuildLoad2(b, cx->i64, as, ""), bj = LLVMBuildLoad2(b, cx->i64, bs, "");
        LLVMValueRef more = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSLT, ai, mid, ""),
                                         LLVMBuildICmp(b, LLVMIntSLT, bj, hi, ""), "");
        LLVMBuildCondBr(b, more, body, tail);
        LLVMPositionBuilderAtEnd(b, body);
        LLVMValueRef oa = om_cg_load(cx, OM_DT_INT64, order, ai), ob = om_cg_load(cx, OM_DT_INT64, order, bj);
        LLVMValueRef c = unit_cmp(u, ob, oa); /* may open blocks: the builder ends after them */
        LLVMValueRef takeb = LLVMBuildICmp(b, LLVMIntSLT, c, om_cg_i32(cx, 0), "takeb");
        LLVMValueRef k = LLVMBuildLoad2(b, cx->i64, ks, "");
        om_cg_store(cx, OM_DT_INT64, tmp, k, LLVMBuildSelect(b, takeb, ob, oa, ""));
        LLVMValueRef tb = LLVMBuildZExt(b, takeb, cx->i64, "");
        LLVMBuildStore(b, LLVMBuildAdd(b, ai, LLVMBuildSub(b, om_cg_i64(cx, 1), tb, ""), ""), as);
        LLVMBuildStore(b, LLVMBuildAdd(b, bj, tb, ""), bs);
        LLVMBuildStore(b, LLVMBuildAdd(b, k, om_cg_i64(cx, 1), ""), ks);
        LLVMBuildBr(b, cond);
        LLVMPositionBuilderAtEnd(b, tail);
        ai = LLVMBuildLoad2(b, cx->i64, as, "");
        bj = LLVMBuildLoad2(b, cx->i64, bs, "");
        k = LLVMBuildLoad2(b, cx->i64, ks, "");
        LLVMValueRef na = LLVMBuildSub(b, mid, ai, ""), nb = LLVMBuildSub(b, hi, bj, "");
        om_cg_memcpy(cx, i64_at(cx, tmp, k), i64_at(cx, order, ai), om_cg_mul(cx, na, om_cg_i64(cx, 8)));
        om_cg_memcpy(cx, i64_at(cx, tmp, om_cg_add(cx, k, na)), i64_at(cx, order, bj),
                     om_cg_mul(cx, nb, om_cg_i64(cx, 8)));
        om_cg_for_end(cx, &l);
        om_cg_memcpy(cx, order, tmp, om_cg_i64(cx, n * 8));
    }
}

/* Opens `if (cond) {`: returns the join block; close with close_if. */
static LLVMBasicBlockRef open_if(om_cg_ctx *cx, LLVMValueRef cond, const char *name)
{
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, name);
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "endif");
    LLVMBuildCondBr(cx->b, cond, then, join);
    LLVMPositionBuilderAtEnd(cx->b, then);
    return join;
}

static void close_if(om_cg_ctx *cx, LLVMBasicBlockRef join)
{
    LLVMBuildBr(cx->b, join);
    LLVMPositionBuilderAtEnd(cx->b, join);
}

/* The output of index i if present with `count` i64 values; *bad on a mismatch. */
static const om_value *int_output(const om_node *n, int i, int64_t count, bool *bad)
{
    if (i >= n->n_outputs || !n->outputs[i])
        return NULL;
    const om_value *v = n->outputs[i];
    if (v->dtype != OM_DT_INT64 || v->shape.rank != 1 || v->shape.dims[0] != count)
        *bad = true;
    return v;
}

om_status om_cg_emit_unique(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (!om_cg_type(cx, X->dtype) || X->dtype == OM_DT_STRING || Y->dtype != X->dtype ||
        om_cg_tensor_bits_dtype(om_dtype_size(X->dtype)) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(X->dtype));
    unique_ctx u = {cx, X->dtype, om_cg_in(cx, 0), 1, 0, 1};
    int r = X->shape.rank, axis = 0;
    const om_attr *aa = om_node_attr(n, "axis");
    if (aa) {
        axis = (int)(aa->i < 0 ? aa->i + r : aa->i);
        if (axis < 0 || axis >= r || Y->shape.rank != r)
            return om_cg_unsupported(cx, "axis %lld for rank %d (output rank %d)", (long long)aa->i, r, Y->shape.rank);
        for (int i = 0; i < r; i++) {
            if (i < axis)
                u.outer *= X->shape.dims[i];
            else if (i > axis)
                u.inner *= X->shape.dims[i];
            if (i != axis && Y->shape.dims[i] != X->shape.dims[i])
                return om_cg_unsupported(cx, "output dim %d differs from the input's", i);
        }
        u.units = X->shape.dims[axis];
    } else {
        if (Y->shape.rank != 1)
            return om_cg_unsupported(cx, "output rank %d, expected 1 without axis", Y->shape.rank);
        u.units = om_shape_numel(&X->shape);
    }
    int64_t ny = Y->shape.dims[aa ? axis : 0];
    bool bad = false;
    const om_value *IDX = int_output(n, 1, ny, &bad), *INV = int_output(n, 2, u.units, &bad),
                   *CNT = int_output(n, 3, ny, &bad);
    if (bad)
        return om_cg_unsupported(cx, "indices/counts must be i64 [%lld], inverse_indices i64 [%lld]", (long long)ny,
                                 (long long)u.units);
    if (u.units > OM_CG_UNIQUE_MAX_UNITS)
        return om_cg_unsupported(cx, "%lld units to compare, at most %d supported", (long long)u.units,
                                 OM_CG_UNIQUE_MAX_UNITS);
    if (u.units == 0 || ny < 1 || ny > u.units)
        return ny == 0 && u.units == 0 ? OM_OK
                                       : om_cg_unsupported(cx, "%lld unique units of %lld", (long long)ny,
                                                           (long long)u.units);
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef arr = LLVMArrayType2(cx->i64, (uint64_t)u.units);
    LLVMValueRef order = om_cg_alloca(cx, arr, "order"), first = om_cg_alloca(cx, arr, "first");
    LLVMValueRef group = om_cg_alloca(cx, arr, "group"); /* also the sort's scratch */
    om_cg_loop l, lo;
    /* 1. sort */
    LLVMValueRef k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, u.units), "u");
    om_cg_store(cx, OM_DT_INT64, order, k, k);
    om_cg_for_end(cx, &l);
    sort_units(&u, order, group);
    /* 2. groups */
    LLVMValueRef ng = om_cg_alloca(cx, cx->i64, "ngroups");
    LLVMBuildStore(b, om_cg_i64(cx, 0), ng);
    k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, u.units), "k");
    LLVMValueRef cur = om_cg_load(cx, OM_DT_INT64, order, k);
    LLVMValueRef k0 = LLVMBuildICmp(b, LLVMIntEQ, k, om_cg_i64(cx, 0), "");
    LLVMValueRef prev = om_cg_load(cx, OM_DT_INT64, order,
                                   LLVMBuildSelect(b, k0, k, LLVMBuildSub(b, k, om_cg_i64(cx, 1), ""), ""));
    LLVMValueRef c = unit_cmp(&u, prev, cur);
    LLVMValueRef isnew = LLVMBuildOr(b, k0, LLVMBuildICmp(b, LLVMIntNE, c, om_cg_i32(cx, 0), ""), "");
    LLVMBasicBlockRef join = open_if(cx, isnew, "newgroup");
    LLVMValueRef g = LLVMBuildLoad2(b, cx->i64, ng, "");
    om_cg_store(cx, OM_DT_INT64, first, g, cur);
    LLVMBuildStore(b, LLVMBuildAdd(b, g, om_cg_i64(cx, 1), ""), ng);
    close_if(cx, join);
    om_cg_store(cx, OM_DT_INT64, group, cur, LLVMBuildSub(b, LLVMBuildLoad2(b, cx->i64, ng, ""), om_cg_i64(cx, 1), ""));
    om_cg_for_end(cx, &l);
    om_cg_check(cx, LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildLoad2(b, cx->i64, ng, ""), om_cg_i64(cx, ny), ""),
                OM_ART_CHECK_OUTPUT_SIZE);
    /* 3. places (order[g] when not sorted) */
    bool sorted = om_node_int(n, "sorted", 1) != 0;
    if (!sorted) {
        LLVMValueRef pc = om_cg_alloca(cx, cx->i64, "place");
        LLVMBuildStore(b, om_cg_i64(cx, 0), pc);
        k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, u.units), "u");
        LLVMValueRef gk = om_cg_load(cx, OM_DT_INT64, group, k);
        LLVMValueRef isfirst = LLVMBuildICmp(b, LLVMIntEQ, om_cg_load(cx, OM_DT_INT64, first, gk), k, "");
        join = open_if(cx, isfirst, "first");
        LLVMValueRef p = LLVMBuildLoad2(b, cx->i64, pc, "");
        om_cg_store(cx, OM_DT_INT64, order, gk, p);
        LLVMBuildStore(b, LLVMBuildAdd(b, p, om_cg_i64(cx, 1), ""), pc);
        close_if(cx, join);
        om_cg_for_end(cx, &l);
    }
    /* 4. outputs */
    size_t es = om_dtype_size(X->dtype);
    LLVMValueRef py = om_cg_out(cx, 0);
    LLVMValueRef pidx = IDX ? om_cg_out(cx, 1) : NULL, pinv = INV ? om_cg_out(cx, 2) : NULL;
    LLVMValueRef pcnt = CNT ? om_cg_out(cx, 3) : NULL;
    if (pcnt)
        om_cg_tensor_zero(cx, pcnt, ny * 8);
    k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, ny), "g");
    LLVMValueRef place = sorted ? k : om_cg_load(cx, OM_DT_INT64, order, k);
    LLVMValueRef f = om_cg_load(cx, OM_DT_INT64, first, k);
    if (pidx)
        om_cg_store(cx, OM_DT_INT64, pidx, place, f);
    if (u.outer * u.inner > 0) {
        LLVMValueRef o = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, u.outer), "o");
        LLVMValueRef sb = om_cg_mul(cx, om_cg_mad(cx, o, u.units, f), om_cg_i64(cx, u.inner * (int64_t)es));
        LLVMValueRef db = om_cg_mul(cx, om_cg_mad(cx, o, ny, place), om_cg_i64(cx, u.inner * (int64_t)es));
        LLVMValueRef src = LLVMBuildInBoundsGEP2(b, cx->i8, u.px, &sb, 1, "");
        LLVMValueRef dst = LLVMBuildInBoundsGEP2(b, cx->i8, py, &db, 1, "");
        om_cg_memcpy(cx, dst, src, om_cg_i64(cx, u.inner * (int64_t)es));
        om_cg_for_end(cx, &lo);
    }
    om_cg_for_end(cx, &l);
    if (pinv || pcnt) {
        k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, u.units), "u");
        LLVMValueRef gk = om_cg_load(cx, OM_DT_INT64, group, k);
        LLVMValueRef p = sorted ? gk : om_cg_load(cx, OM_DT_INT64, order, gk);
        if (pinv)
            om_cg_store(cx, OM_DT_INT64, pinv, k, p);
        if (pcnt)
            om_cg_store(cx, OM_DT_INT64, pcnt, p,
                        LLVMBuildAdd(b, om_cg_load(cx, OM_DT_INT64, pcnt, p), om_cg_i64(cx, 1), ""));
        om_cg_for_end(cx, &l);
    }
    return OM_OK;
}
