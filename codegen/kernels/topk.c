/* TopK(X, K): the K largest (largest = 1, default) or smallest elements along `axis`
 * (default -1) and their int64 indices, sorted best first; equal values keep the lower
 * index first (as ONNX specifies). sorted = 0 allows any order; this kernel always sorts.
 * K is static: a constant, or computed at run time with declared output shapes; then the
 * kernel loads it and returns OM_ART_CHECK_SHAPE_VALUE unless it equals the compiled K.
 *
 * X is viewed as [outer, N, inner] and the outputs as [outer, K, inner]; the work loop runs
 * over the outer * inner lines. Each line is an insertion into the output itself, which
 * always holds the best `cnt` elements seen so far in order: element j enters when fewer
 * than K are held or when it beats the current last, then moves up past every held element
 * it strictly beats (so ties stay in index order). O(N * K) per line; no scratch memory.
 * NaN never beats anything and every number beats NaN, so NaNs come last (in index order),
 * as in the ONNX reference's sort.
 * dtypes: floats (f16/bf16 compared in f32) and integers.
 */
#include "codegen/cg_internal.h"
#include "codegen/kernels/rt_shape.h"

/* x strictly better than y */
static LLVMValueRef beats(om_cg_ctx *cx, om_dtype c, bool largest, LLVMValueRef x, LLVMValueRef y)
{
    if (om_dtype_is_float(c)) /* a number also beats NaN (NaNs go last, as the ONNX reference sorts) */
        return LLVMBuildOr(cx->b, LLVMBuildFCmp(cx->b, largest ? LLVMRealOGT : LLVMRealOLT, x, y, ""),
                           LLVMBuildAnd(cx->b, LLVMBuildFCmp(cx->b, LLVMRealUNO, y, y, ""),
                                        LLVMBuildFCmp(cx->b, LLVMRealORD, x, x, ""), ""), "beats");
    bool s = om_dtype_is_signed_int(c);
    return LLVMBuildICmp(cx->b, largest ? (s ? LLVMIntSGT : LLVMIntUGT) : (s ? LLVMIntSLT : LLVMIntULT), x, y, "beats");
}

static LLVMBasicBlockRef block(om_cg_ctx *cx, const char *name)
{
    return LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, name);
}

om_status om_cg_emit_topk(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *V = n->outputs[0], *I = n->outputs[1];
    if (!X || n->n_outputs != 2)
        return om_cg_unsupported(cx, "needs input X and two outputs");
    om_dtype dt = X->dtype;
    if (!om_cg_type(cx, dt) || dt == OM_DT_BOOL || V->dtype != dt || I->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_is_static(&X->shape) || !om_shape_is_static(&V->shape) || !om_shape_equal(&V->shape, &I->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", -1);
    int64_t a = axis < 0 ? axis + r : axis;
    if (r < 1 || a < 0 || a >= r || V->shape.rank != r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)axis, r);
    int64_t outer = 1, len = X->shape.dims[a], inner = 1, k = V->shape.dims[a];
    for (int i = 0; i < r; i++) {
        if (i != a && V->shape.dims[i] != X->shape.dims[i])
            return om_cg_unsupported(cx, "output dim %d differs from the input's", i);
        if (i < a)
            outer *= X->shape.dims[i];
        else if (i > a)
            inner *= X->shape.dims[i];
    }
    if (k > len || k < 0)
        return om_cg_unsupported(cx, "K = %lld exceeds the axis length %lld", (long long)k, (long long)len);
    const om_value *K = om_node_input(n, 1);
    if (K && !om_cg_rt_is_const(K)) {
        om_status st = om_cg_rt_check_ints(cx, 1, &k, 1);
        if (st != OM_OK)
            return st;
    }
    if (outer * inner * k == 0)
        return OM_OK;
    bool largest = om_node_int(n, "largest", 1) != 0;
    om_dtype c = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? OM_DT_FLOAT : dt;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), pv = om_cg_out(cx, 0), pi = om_cg_out(cx, 1);
    LLVMValueRef zero = om_cg_i64(cx, 0), one = om_cg_i64(cx, 1), kk = om_cg_i64(cx, k);
    LLVMValueRef cnt_slot = om_cg_alloca(cx, cx->i64, "cnt");

    om_cg_loop lw, lj;
    LLVMValueRef w = om_cg_for_work(cx, &lw, outer * inner, "w");
    LLVMValueRef o = w, in = zero;
    if (inner > 1) {
        o = LLVMBuildUDiv(b, w, om_cg_i64(cx, inner), "o");
        in = LLVMBuildURem(b, w, om_cg_i64(cx, inner), "in");
    }
    LLVMValueRef xb = om_cg_mad(cx, o, len * inner, in), yb = om_cg_mad(cx, o, k * inner, in);
    LLVMBuildStore(b, zero, cnt_slot);
    LLVMValueRef j = om_cg_for(cx, &lj, zero, om_cg_i64(cx, len), "j");
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_mad(cx, j, inner, xb)), dt, c);
    LLVMValueRef cnt = LLVMBuildLoad2(b, cx->i64, cnt_slot, "cnt");
    LLVMValueRef full = LLVMBuildICmp(b, LLVMIntSGE, cnt, kk, "full");
    /* the last held value (read even when not full: a valid address, the value is unused) */
    LLVMValueRef lastv = om_cg_convert(cx, om_cg_load(cx, dt, pv, om_cg_mad(cx, om_cg_i64(cx, k - 1), inner, yb)), dt, c);
    LLVMValueRef enter = LLVMBuildOr(b, LLVMBuildNot(b, full, ""), beats(cx, c, largest, x, lastv), "enter");
    LLVMBasicBlockRef pre = block(cx, "enter"), hdr = block(cx, "shift"), body = block(cx, "move"),
                      place = block(cx, "place"), next = block(cx, "next");
    LLVMBuildCondBr(b, enter, pre, next);

    LLVMPositionBuilderAtEnd(b, pre);
    LLVMValueRef pos0 = LLVMBuildSelect(b, full, om_cg_i64(cx, k - 1), cnt, "pos0");
    LLVMBuildStore(b, LLVMBuildSelect(b, full, cnt, om_cg_add(cx, cnt, one), ""), cnt_slot);
    LLVMBuildBr(b, hdr);

    /* while (pos > 0 && x beats held[pos - 1]) { held[pos] = held[pos - 1]; pos--; } */
    LLVMPositionBuilderAtEnd(b, hdr);
    LLVMValueRef pos = LLVMBuildPhi(b, cx->i64, "pos");
    LLVMValueRef has_prev = LLVMBuildICmp(b, LLVMIntSGT, pos, zero, "");
    LLVMValueRef prev = LLVMBuildSelect(b, has_prev, LLVMBuildSub(b, pos, one, ""), zero, "prev");
    LLVMValueRef prev_at = om_cg_mad(cx, prev, inner, yb);
    LLVMValueRef pvv = om_cg_load(cx, dt, pv, prev_at);
    LLVMValueRef move = LLVMBuildAnd(b, has_prev, beats(cx, c, largest, x, om_cg_convert(cx, pvv, dt, c)), "");
    LLVMBuildCondBr(b, move, body, place);

    LLVMPositionBuilderAtEnd(b, body);
    LLVMValueRef pos_at = om_cg_mad(cx, pos, inner, yb);
    om_cg_store(cx, dt, pv, pos_at, pvv);
    om_cg_store(cx, OM_DT_INT64, pi, pos_at, om_cg_load(cx, OM_DT_INT64, pi, prev_at));
    LLVMBuildBr(b, hdr);
    LLVMAddIncoming(pos, &pos0, &pre, 1);
    LLVMAddIncoming(pos, &prev, &body, 1);

    LLVMPositionBuilderAtEnd(b, place);
    pos_at = om_cg_mad(cx, pos, inner, yb);
    om_cg_store(cx, dt, pv, pos_at, om_cg_convert(cx, x, c, dt));
    om_cg_store(cx, OM_DT_INT64, pi, pos_at, j);
    LLVMBuildBr(b, next);

    LLVMPositionBuilderAtEnd(b, next);
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
