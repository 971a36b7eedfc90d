/* Gather-family kernels: Gather, Compress, GatherElements, GatherND, ReverseSequence.
 *
 * Index policy (tensor_common.h): a negative index counts from the end; an index still out
 * of [0, n) is clamped into it, so a bad run-time index never reads out of bounds (ONNX
 * leaves it undefined; ONNX Runtime reports an error). An empty gathered axis (n = 0)
 * with a non-empty output zero-fills the output.
 *
 *   Gather        data viewed [outer, N, inner], indices flat [M]: out[o, m, :] =
 *                 data[o, idx[m], :]; work items over (o, m), each a copy of `inner`
 *                 elements (one load/store when inner = 1, else a memcpy of constant size).
 *   Compress      the same with the indices of the constant condition's true entries, held
 *                 in a constant global (without axis, data is viewed flat: [1, numel, 1]).
 *                 A run-time condition (declared output shape) is counted at run time and
 *                 checked against the compiled dim (OM_ART_CHECK_OUTPUT_SIZE), then the
 *                 selected slices are copied in order (emit_compress_runtime).
 *   GatherElements  the output walks the indices' shape; data offset = the output
 *                 position's offset in data with the axis coordinate replaced by idx.
 *   GatherND      work items over (batch, index tuple); each reads k indices, one per
 *                 leading data dim after the batch dims, and copies the slice behind them.
 *   ReverseSequence  work items over (dim 0, dim 1); t < len[b] reads time len[b]-1-t,
 *                 else t (len clamped to [0, T]); copies the trailing dims' run.
 * Any data dtype (moved as integers of its size); indices i32 or i64.
 */
#include "codegen/cg_nest.h"
#include "codegen/kernels/tensor_common.h"

#include <stdlib.h>

/* Copies `count` elements of size es from src[soff] to dst[doff] (element offsets). */
static void copy_run(om_cg_ctx *cx, size_t es, LLVMValueRef src, LLVMValueRef soff, LLVMValueRef dst,
                     LLVMValueRef doff, int64_t count)
{
    om_dtype mdt = om_cg_tensor_bits_dtype(es);
    if (count == 1) {
        om_cg_store(cx, mdt, dst, doff, om_cg_load(cx, mdt, src, soff));
        return;
    }
    LLVMValueRef sb = om_cg_mul(cx, soff, om_cg_i64(cx, (int64_t)es));
    LLVMValueRef db = om_cg_mul(cx, doff, om_cg_i64(cx, (int64_t)es));
    LLVMValueRef s = LLVMBuildInBoundsGEP2(cx->b, cx->i8, src, &sb, 1, "");
    LLVMValueRef d = LLVMBuildInBoundsGEP2(cx->b, cx->i8, dst, &db, 1, "");
    om_cg_memcpy(cx, d, s, om_cg_i64(cx, count * (int64_t)es));
}

/* out[o, m, :] = data[o, clamp(idx[m]), :] */
static om_status emit_gather_axis(om_cg_ctx *cx, size_t es, LLVMValueRef data, LLVMValueRef idx, om_dtype idt,
                                  LLVMValueRef out, int64_t outer, int64_t N, int64_t M, int64_t inner)
{
    if (om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "element size %zu not supported", es);
    int64_t total = outer * M * inner;
    if (total == 0)
        return OM_OK;
    if (N == 0) {
        om_cg_tensor_zero(cx, out, total * (int64_t)es);
        return OM_OK;
    }
    om_cg_loop l;
    LLVMValueRef w = om_cg_for_work(cx, &l, outer * M, "w");
    LLVMValueRef o = om_cg_i64(cx, 0), m = w;
    if (outer > 1 && M > 1) {
        o = LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, M), "o");
        m = LLVMBuildURem(cx->b, w, om_cg_i64(cx, M), "m");
    } else if (M == 1) {
        o = w;
        m = om_cg_i64(cx, 0);
    }
    LLVMValueRef i = om_cg_tensor_wrap_clamp(cx, om_cg_tensor_load_index(cx, idt, idx, m), N);
    LLVMValueRef soff = om_cg_mul(cx, om_cg_mad(cx, o, N, i), om_cg_i64(cx, inner));
    LLVMValueRef doff = om_cg_mul(cx, w, om_cg_i64(cx, inner));
    copy_run(cx, es, data, soff, out, doff, inner);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

/* Whether a little-endian element is non-zero; for floats -0.0 (only the sign bit, the top
 * bit of the last byte) is zero and NaN is non-zero. */
static bool elem_nonzero(const unsigned char *p, size_t size, bool is_float)
{
    for (size_t b = 0; b < size; b++) {
        unsigned char v = is_float && b == size - 1 ? (unsigned char)(p[b] & 0x7f) : p[b];
        if (v)
            return true;
    }
    return false;
}

/* Compress with a run-time condition (the model declared the output shape): one pass
 * counts the true entries among the first min(len, N) (a true entry at k >= N fails with
 * OM_ART_CHECK_INDEX) and checks the count against the compiled dim
 * (OM_ART_CHECK_OUTPUT_SIZE); a second pass copies each selected [outer, :, inner] slice to
 * the next output position. One work item. */
static om_status emit_compress_runtime(om_cg_ctx *cx, const om_value *C, const om_value *X, const om_value *Y,
                                       int64_t outer, int64_t N, int64_t inner, int axis)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef ct = om_cg_type(cx, C->dtype);
    size_t es = om_dtype_size(X->dtype);
    if (!ct || C->shape.rank != 1 || C->shape.dims[0] < 0 || om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "condition must be a 1-D numeric tensor of static length");
    int64_t len = C->shape.dims[0], M = Y->shape.dims[axis];
    LLVMValueRef pc = om_cg_in(cx, 1);
    LLVMValueRef cnt = om_cg_alloca(cx, cx->i64, "count");
    LLVMBuildStore(b, om_cg_i64(cx, 0), cnt);
    LLVMValueRef ok = LLVMConstInt(cx->i1, 1, 0);
    om_cg_loop l;
    LLVMValueRef k;
    if (len > 0) {
        k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
        LLVMValueRef c = om_cg_load(cx, C->dtype, pc, k);
        LLVMValueRef t = om_cg_convert(cx, c, C->dtype, OM_DT_BOOL);
        LLVMValueRef inr = LLVMBuildICmp(b, LLVMIntSLT, k, om_cg_i64(cx, N), "");
        LLVMValueRef sel = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntNE, t, LLVMConstNull(LLVMTypeOf(t)), ""), inr, "");
        LLVMValueRef old = LLVMBuildLoad2(b, cx->i64, cnt, "");
        LLVMBuildStore(b, LLVMBuildAdd(b, old, LLVMBuildZExt(b, sel, cx->i64, ""), ""), cnt);
        om_cg_for_end(cx, &l);
        /* a true entry beyond the axis */
        if (len > N) {
            LLVMValueRef bad = om_cg_alloca(cx, cx->i1, "beyond");
            LLVMBuildStore(b, LLVMConstInt(cx->i1, 0, 0), bad);
            k = om_cg_for(cx, &l, om_cg_i64(cx, N), om_cg_i64(cx, len), "k");
            LLVMValueRef t2 = om_cg_convert(cx, om_cg_load(cx, C->dtype, pc, k), C->dtype, OM_DT_BOOL);
            LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, t2, LLVMConstNull(LLVMTypeOf(t2)), "");
            LLVMBuildStore(b, LLVMBuildOr(b, LLVMBuildLoad2(b, cx->i1, bad, ""), nz, ""), bad);
            om_cg_for_end(cx, &l);
            om_cg_check(cx, LLVMBuildNot(b, LLVMBuildLoad2(b, cx->i1, bad, ""), ""), OM_ART_CHECK_INDEX);
        }
    }
    ok = LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildLoad2(b, cx->i64, cnt, ""), om_cg_i64(cx, M), "");
    om_cg_check(cx, ok, OM_ART_CHECK_OUTPUT_SIZE);
    int64_t lim = len < N ? len : N;
    if (M == 0 || outer * inner == 0 || lim == 0)
        return OM_OK;
    LLVMValueRef pos = om_cg_alloca(cx, cx->i64, "pos");
    LLVMBuildStore(b, om_cg_i64(cx, 0), pos);
    k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, lim), "k");
    LLVMValueRef t = om_cg_convert(cx, om_cg_load(cx, C->dtype, pc, k), C->dtype, OM_DT_BOOL);
    LLVMValueRef sel = LLVMBuildICmp(b, LLVMIntNE, t, LLVMConstNull(LLVMTypeOf(t)), "");
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "sel");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
    LLVMBuildCondBr(b, sel, then, next);
    LLVMPositionBuilderAtEnd(b, then);
    LLVMValueRef m = LLVMBuildLoad2(b, cx->i64, pos, "m");
    om_cg_loop lo;
    LLVMValueRef o = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, outer), "o");
    LLVMValueRef soff = om_cg_mul(cx, om_cg_mad(cx, o, N, k), om_cg_i64(cx, inner));
    LLVMValueRef doff = om_cg_mul(cx, om_cg_mad(cx, o, M, m), om_cg_i64(cx, inner));
    copy_run(cx, es, om_cg_in(cx, 0), soff, om_cg_out(cx, 0), doff, inner);
    om_cg_for_end(cx, &lo);
    LLVMBuildStore(b, LLVMBuildAdd(b, m, om_cg_i64(cx, 1), ""), pos);
    LLVMBuildBr(b, next);
    LLVMPositionBuilderAtEnd(b, next);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

static om_status emit_compress(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y)
{
    const om_value *C = om_node_input(n, 1);
    if (C && (C->kind != OM_VALUE_CONSTANT || !C->data)) {
        const om_attr *aa = om_node_attr(n, "axis");
        int r = X->shape.rank;
        int64_t outer = 1, inner = 1, N;
        int a = 0;
        if (aa) {
            a = (int)(aa->i < 0 ? aa->i + r : aa->i);
            if (a < 0 || a >= r || Y->shape.rank != r)
                return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)aa->i, r);
            for (int i = 0; i < r; i++) {
                if (i < a)
                    outer *= X->shape.dims[i];
                else if (i > a)
                    inner *= X->shape.dims[i];
            }
            N = X->shape.dims[a];
        } else {
            if (Y->shape.rank != 1)
                return om_cg_unsupported(cx, "output rank %d, expected 1 without axis", Y->shape.rank);
            N = om_shape_numel(&X->shape);
        }
        if (om_shape_numel(&Y->shape) != outer * Y->shape.dims[a] * inner)
            return om_cg_unsupported(cx, "the output shape does not match the input's");
        return emit_compress_runtime(cx, C, X, Y, outer, N, inner, a);
    }
    if (!C || C->kind != OM_VALUE_CONSTANT || C->shape.rank != 1 || om_dtype_size(C->dtype) == 0 ||
        C->nbytes != (size_t)C->shape.dims[0] * om_dtype_size(C->dtype))
        return om_cg_unsupported(cx, "data-dependent output shape: the condition must be a constant");
    const om_attr *aa = om_node_attr(n, "axis");
    int64_t outer = 1, N, inner = 1;
    int r = X->shape.rank;
    if (aa) {
        int64_t a = aa->i < 0 ? aa->i + r : aa->i;
        if (a < 0 || a >= r)
            return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)aa->i, r);
        for (int i = 0; i < r; i++) {
            if (i < a)
                outer *= X->shape.dims[i];
            else if (i > a)
                inner *= X->shape.dims[i];
        }
        N = X->shape.dims[a];
    } else {
        N = om_shape_numel(&X->shape);
    }
    int64_t len = C->shape.dims[0], M = 0;
    int64_t *sel = malloc((size_t)(len > 0 ? len : 1) * sizeof *sel);
    if (!sel)
        return om_error(OM_ERR_NO_MEMORY, "out of memory");
    size_t cs = om_dtype_size(C->dtype);
    for (int64_t k = 0; k < len && k < N; k++)
        if (elem_nonzero((const unsigned char *)C->data + k * (int64_t)cs, cs, om_dtype_is_float(C->dtype)))
            sel[M++] = k;
    if (om_shape_numel(&Y->shape) != outer * M * inner) {
        free(sel);
        return om_cg_unsupported(cx, "output has %lld elements, the condition selects %lld",
                                 (long long)om_shape_numel(&Y->shape), (long long)(outer * M * inner));
    }
    LLVMValueRef gv = M > 0 ? om_cg_tensor_global_i64(cx, sel, M, "om_compress_idx") : NULL;
    free(sel);
    if (M > 0 && !gv)
        return om_error(OM_ERR_NO_MEMORY, "out of memory");
    if (M == 0)
        return OM_OK;
    return emit_gather_axis(cx, om_dtype_size(X->dtype), om_cg_in(cx, 0), gv, OM_DT_INT64, om_cg_out(cx, 0), outer,
                            N, M, inner);
}

om_status om_cg_emit_gather(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *I = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !I)
        return om_cg_unsupported(cx, "inputs 0 and 1 are required");
    if (X->dtype != Y->dtype)
        return om_cg_unsupported(cx, "output dtype %s differs from data %s", om_dtype_name(Y->dtype),
                                 om_dtype_name(X->dtype));
    if (n->op == OM_OP_COMPRESS)
        return emit_compress(cx, n, X, Y);
    if (I->dtype != OM_DT_INT64 && I->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "indices dtype %s (i32 or i64 expected)", om_dtype_name(I->dtype));
    int r = X->shape.rank;
    int64_t a = om_node_int(n, "axis", 0);
    if (a < 0)
        a += r;
    if (a < 0 || a >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)om_node_int(n, "axis", 0), r);
    int64_t outer = 1, inner = 1, M = om_shape_numel(&I->shape);
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= X->shape.dims[i];
        else if (i > a)
            inner *= X->shape.dims[i];
    }
    if (om_shape_numel(&Y->shape) != outer * M * inner)
        return om_cg_unsupported(cx, "output has %lld elements, expected %lld", (long long)om_shape_numel(&Y->shape),
                                 (long long)(outer * M * inner));
    return emit_gather_axis(cx, om_dtype_size(X->dtype), om_cg_in(cx, 0), om_cg_in(cx, 1), I->dtype,
                            om_cg_out(cx, 0), outer, X->shape.dims[a], M, inner);
}

om_status om_cg_emit_gather_elements(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *I = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !I)
        return om_cg_unsupported(cx, "inputs 0 and 1 are required");
    om_dtype mdt = om_cg_tensor_bits_dtype(om_dtype_size(X->dtype));
    if (X->dtype != Y->dtype || mdt == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(X->dtype));
    if (I->dtype != OM_DT_INT64 && I->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "indices dtype %s (i32 or i64 expected)", om_dtype_name(I->dtype));
    int r = X->shape.rank;
    if (I->shape.rank != r || !om_shape_equal(&I->shape, &Y->shape) || r < 1)
        return om_cg_unsupported(cx, "indices and output must have data's rank and equal shapes");
    int64_t a = om_node_int(n, "axis", 0);
    if (a < 0)
        a += r;
    if (a < 0 || a >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)om_node_int(n, "axis", 0), r);
    int64_t total = om_shape_numel(&Y->shape);
    if (total == 0)
        return OM_OK;
    int64_t N = X->shape.dims[a];
    if (N == 0) {
        om_cg_tensor_zero(cx, om_cg_out(cx, 0), total * (int64_t)om_dtype_size(X->dtype));
        return OM_OK;
    }
    int64_t xs[OM_MAX_RANK], ys[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    om_cg_tensor_strides(&Y->shape, ys);
    for (int i = 0; i < r; i++)
        if (i != a && I->shape.dims[i] > X->shape.dims[i])
            return om_cg_unsupported(cx, "indices dim %d (%lld) exceeds data's (%lld)", i,
                                     (long long)I->shape.dims[i], (long long)X->shape.dims[i]);
    int64_t st[2][OM_MAX_RANK + 1];
    for (int i = 0; i < r; i++) {
        st[0][i] = i == a ? 0 : xs[i];
        st[1][i] = ys[i];
    }
    om_cg_nest nest;
    LLVMValueRef off[2];
    om_cg_nest_open(cx, &nest, r, Y->shape.dims, 2, (const int64_t (*)[OM_MAX_RANK + 1])st, 256, off);
    LLVMValueRef i = om_cg_tensor_wrap_clamp(cx, om_cg_tensor_load_index(cx, I->dtype, om_cg_in(cx, 1), off[1]), N);
    LLVMValueRef so = om_cg_mad(cx, i, xs[a], off[0]);
    om_cg_store(cx, mdt, om_cg_out(cx, 0), off[1], om_cg_load(cx, mdt, om_cg_in(cx, 0), so));
    om_cg_nest_close(cx, &nest);
    return OM_OK;
}

om_status om_cg_emit_gather_nd(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *I = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !I)
        return om_cg_unsupported(cx, "inputs 0 and 1 are required");
    size_t es = om_dtype_size(X->dtype);
    if (X->dtype != Y->dtype || om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(X->dtype));
    if (I->dtype != OM_DT_INT64 && I->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "indices dtype %s (i32 or i64 expected)", om_dtype_name(I->dtype));
    int r = X->shape.rank, q = I->shape.rank;
    int64_t b = om_node_int(n, "batch_dims", 0);
    int64_t k = q >= 1 ? I->shape.dims[q - 1] : 0;
    if (q < 1 || b < 0 || b >= q || b >= r || k < 1 || k > r - b)
        return om_cg_unsupported(cx, "invalid batch_dims %lld / index depth %lld for ranks %d, %d", (long long)b,
                                 (long long)k, r, q);
    int64_t xs[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    int64_t nb = 1, nm = 1, slice = 1;
    for (int i = 0; i < b; i++)
        nb *= I->shape.dims[i];
    for (int i = (int)b; i < q - 1; i++)
        nm *= I->shape.dims[i];
    for (int i = (int)(b + k); i < r; i++)
        slice *= X->shape.dims[i];
    int64_t bstride = b > 0 ? xs[b - 1] : 0;
    if (om_shape_numel(&Y->shape) != nb * nm * slice)
        return om_cg_unsupported(cx, "output has %lld elements, expected %lld", (long long)om_shape_numel(&Y->shape),
                                 (long long)(nb * nm * slice));
    if (nb * nm * slice == 0)
        return OM_OK;
    for (int j = 0; j < k; j++)
        if (X->shape.dims[b + j] == 0) {
            om_cg_tensor_zero(cx, om_cg_out(cx, 0), nb * nm * slice * (int64_t)es);
            return OM_OK;
        }
    LLVMValueRef px = om_cg_in(cx, 0), pi = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_loop l;
    LLVMValueRef w = om_cg_for_work(cx, &l, nb * nm, "w");
    LLVMValueRef bi = nm == 1 ? w : LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, nm), "b");
    LLVMValueRef soff = om_cg_mul(cx, bi, om_cg_i64(cx, bstride));
    for (int j = 0; j < k; j++) {
        LLVMValueRef ii = om_cg_tensor_load_index(cx, I->dtype, pi, om_cg_mad(cx, w, k, om_cg_i64(cx, j)));
        ii = om_cg_tensor_wrap_clamp(cx, ii, X->shape.dims[b + j]);
        soff = om_cg_mad(cx, ii, xs[b + j], soff);
    }
    copy_run(cx, es, px, soff, py, om_cg_mul(cx, w, om_cg_i64(cx, slice)), slice);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

om_status om_cg_emit_reverse_sequence(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *L = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !L)
        return om_cg_unsupported(cx, "inputs 0 and 1 are required");
    size_t es = om_dtype_size(X->dtype);
    if (X->dtype != Y->dtype || om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED || L->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "dtype %s / lengths %s not supported", om_dtype_name(X->dtype),
                                 om_dtype_name(L->dtype));
    int r = X->shape.rank;
    int64_t ta = om_node_int(n, "time_axis", 0), ba = om_node_int(n, "batch_axis", 1);
    if (r < 2 || !((ta == 0 && ba == 1) || (ta == 1 && ba == 0)) || !om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "time_axis/batch_axis must be 0/1 on rank >= 2");
    int64_t d0 = X->shape.dims[0], d1 = X->shape.dims[1], inner = 1, T = X->shape.dims[ta];
    for (int i = 2; i < r; i++)
        inner *= X->shape.dims[i];
    if (d0 * d1 * inner == 0)
        return OM_OK;
    LLVMBuilderRef b = cx->b;
    om_cg_loop l;
    LLVMValueRef w = om_cg_for_work(cx, &l, d0 * d1, "w");
    LLVMValueRef i0 = LLVMBuildUDiv(b, w, om_cg_i64(cx, d1), "i0");
    LLVMValueRef i1 = LLVMBuildURem(b, w, om_cg_i64(cx, d1), "i1");
    LLVMValueRef bi = ba == 0 ? i0 : i1, t = ta == 0 ? i0 : i1;
    LLVMValueRef len = om_cg_load(cx, OM_DT_INT64, om_cg_in(cx, 1), bi);
    len = om_cg_max(cx, OM_DT_INT64, len, om_cg_i64(cx, 0));
    len = om_cg_min(cx, OM_DT_INT64, len, om_cg_i64(cx, T));
    LLVMValueRef rev = LLVMBuildICmp(b, LLVMIntSLT, t, len, "");
    LLVMValueRef rt = LLVMBuildSub(b, LLVMBuildSub(b, len, om_cg_i64(cx, 1), ""), t, "");
    LLVMValueRef st = LLVMBuildSelect(b, rev, rt, t, "st");
    LLVMValueRef src = ta == 0 ? om_cg_mad(cx, st, d1, i1) : om_cg_mad(cx, i0, d1, st);
    copy_run(cx, es, om_cg_in(cx, 0), om_cg_mul(cx, src, om_cg_i64(cx, inner)), om_cg_out(cx, 0),
             om_cg_mul(cx, w, om_cg_i64(cx, inner)), inner);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
