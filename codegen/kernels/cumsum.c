/* CumSum(x, axis): running sums along one axis; exclusive = 1 leaves the current element
 * out (the first output is 0), reverse = 1 sums from the end.
 *
 * x is viewed as [outer, N, inner]. Work items = (outer, block of up to BLOCK inner
 * positions); a stack array holds the block's running sums, k walks the axis (forward or
 * backward) outside and the block's contiguous positions inside (vectorizes). For
 * inner == 1 the block is one running scalar.
 * A constant axis (the usual case) specializes the kernel. An axis computed at run time
 * is read from its input and dispatched over the rank's possible axes (each branch
 * specialized, work_items = 1); a run-time axis out of [-r, r) zero-fills the output.
 * dtypes: f32, f64; f16/bf16 accumulate in f32; integers in their own type (wrapping).
 */
#include "codegen/cg_internal.h"

#include <string.h>

#define BLOCK 256

static void emit_axis(om_cg_ctx *cx, const om_value *X, int a, bool work, bool exclusive, bool reverse)
{
    LLVMBuilderRef b = cx->b;
    om_dtype dt = X->dtype;
    om_dtype c = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? OM_DT_FLOAT : dt;
    LLVMTypeRef ct = om_cg_type(cx, c);
    int r = X->shape.rank;
    int64_t outer = 1, len = X->shape.dims[a], inner = 1;
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= X->shape.dims[i];
        else if (i > a)
            inner *= X->shape.dims[i];
    }
    if (outer * len * inner == 0)
        return;
    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), zero = om_cg_i64(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "acc");
    om_cg_loop lw, lk, li;
    LLVMValueRef w = work ? om_cg_for_work(cx, &lw, outer * nb, "w")
                          : om_cg_for(cx, &lw, zero, om_cg_i64(cx, outer * nb), "w");
    LLVMValueRef o = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        o = LLVMBuildUDiv(b, w, om_cg_i64(cx, nb), "o");
        i0 = om_cg_mul(cx, LLVMBuildURem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef base = om_cg_mad(cx, o, len * inner, i0);
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, c, acc, i, om_cg_const(cx, c, 0));
    om_cg_for_end(cx, &li);
    LLVMValueRef kk = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    LLVMValueRef k = reverse ? LLVMBuildSub(b, om_cg_i64(cx, len - 1), kk, "k") : kk;
    LLVMValueRef row = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef idx = om_cg_add(cx, row, i);
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, c);
    LLVMValueRef s = om_cg_load(cx, c, acc, i);
    LLVMValueRef t = om_dtype_is_float(c) ? LLVMBuildFAdd(b, s, x, "") : LLVMBuildAdd(b, s, x, "");
    om_cg_store(cx, c, acc, i, t);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, exclusive ? s : t, c, dt));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    om_cg_for_end(cx, &lw);
}

om_status om_cg_emit_cumsum(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *A = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !A)
        return om_cg_unsupported(cx, "inputs x and axis are required");
    om_dtype dt = X->dtype;
    if (!om_cg_type(cx, dt) || dt == OM_DT_BOOL || Y->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_is_static(&X->shape) || !om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "shapes must be static and equal");
    if (A->dtype != OM_DT_INT32 && A->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "axis dtype %s (expected i32 or i64)", om_dtype_name(A->dtype));
    int r = X->shape.rank;
    if (r < 1)
        return om_cg_unsupported(cx, "rank 0 input");
    bool exclusive = om_node_int(n, "exclusive", 0) != 0, reverse = om_node_int(n, "reverse", 0) != 0;
    if (A->kind == OM_VALUE_CONSTANT) {
        int64_t a;
        if (!A->data || A->nbytes < om_dtype_size(A->dtype))
            return om_cg_unsupported(cx, "axis constant has no data");
        if (A->dtype == OM_DT_INT64) {
            memcpy(&a, A->data, 8);
        } else {
            int32_t t;
            memcpy(&t, A->data, 4);
            a = t;
        }
        if (a < -r || a >= r)
            return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)a, r);
        emit_axis(cx, X, (int)(a < 0 ? a + r : a), true, exclusive, reverse);
        return OM_OK;
    }
    /* run-time axis: one specialized branch per possible axis */
    LLVMBuilderRef b = cx->b;
    LLVMValueRef av = om_cg_convert(cx, om_cg_load(cx, A->dtype, om_cg_in(cx, 1), om_cg_i64(cx, 0)), A->dtype,
                                    OM_DT_INT64);
    LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, av, om_cg_i64(cx, 0), "");
    av = LLVMBuildSelect(b, neg, om_cg_add(cx, av, om_cg_i64(cx, r)), av, "axis");
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "bad_axis");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "axis_done");
    LLVMValueRef sw = LLVMBuildSwitch(b, av, bad, (unsigned)r);
    for (int a = 0; a < r; a++) {
        LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "axis");
        LLVMAddCase(sw, om_cg_i64(cx, a), bb);
        LLVMPositionBuilderAtEnd(b, bb);
        emit_axis(cx, X, a, false, exclusive, reverse);
        LLVMBuildBr(b, done);
    }
    LLVMPositionBuilderAtEnd(b, bad);
    size_t bytes = (size_t)om_shape_numel(&X->shape) * om_dtype_size(dt);
    if (bytes)
        LLVMBuildMemSet(b, om_cg_out(cx, 0), LLVMConstInt(cx->i8, 0, 0), om_cg_i64(cx, (int64_t)bytes), 1);
    LLVMBuildBr(b, done);
    LLVMMoveBasicBlockAfter(done, LLVMGetLastBasicBlock(cx->fn));
    LLVMPositionBuilderAtEnd(b, done);
    return OM_OK;
}
