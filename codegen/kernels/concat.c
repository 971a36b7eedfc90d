/* Concat along any axis (attribute axis, negative counts from the end), any number of
 * inputs of the output's dtype.
 *
 * With outer = product of dims before the axis, each input k contributes a contiguous run
 * of len_k = dims_k[axis] * product(dims after the axis) elements per outer index, placed at
 * offset off_k inside the output's run of sum(len_k). Empty inputs are skipped.
 *
 * Work items: when outer >= CC_MIN_OUTER (enough rows to share between threads) or a whole
 * output row is at most one piece (nothing worth sharing), the parallel work loop is over
 * outer and each run is one memcpy of a compile-time size (LLVM inlines small ones).
 * Otherwise (typically N = 1 and axis 1: outer = 1, megabytes per row) each run is cut
 * into pieces of at most CC_PIECE bytes and the work items are the (outer index, input,
 * piece) triples, so two threads share even a single large copy; a work item finds its
 * input through a chain of compile-time ranges and copies min(CC_PIECE, rest) bytes.
 * Either way each output byte is written by exactly one work item.
 */
#include "codegen/cg_internal.h"

#define CC_MIN_OUTER 8
#define CC_PIECE ((int64_t)64 * 1024)

/* Pieces: work item w -> o = w / P, r = w % P; input k owns r in [cum_k, cum_k + np_k). */
static void cc_pieces(om_cg_ctx *cx, const om_node *n, int64_t axis, int64_t inner, int64_t outer, int64_t row,
                      size_t es)
{
    LLVMBuilderRef b = cx->b;
    int64_t P = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        int64_t bytes = n->inputs[k]->shape.dims[axis] * inner * (int64_t)es;
        P += (bytes + CC_PIECE - 1) / CC_PIECE;
    }
    LLVMValueRef py = om_cg_out(cx, 0);
    om_cg_loop l;
    LLVMValueRef w = om_cg_for_work(cx, &l, outer * P, "w");
    LLVMValueRef o = outer > 1 ? LLVMBuildUDiv(b, w, om_cg_i64(cx, P), "o") : om_cg_i64(cx, 0);
    LLVMValueRef r = outer > 1 ? LLVMBuildURem(b, w, om_cg_i64(cx, P), "r") : w;
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cc_done");
    int64_t cum = 0, off = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        int64_t len = n->inputs[k]->shape.dims[axis] * inner * (int64_t)es;
        int64_t np = (len + CC_PIECE - 1) / CC_PIECE;
        if (np == 0)
            continue;
        LLVMBasicBlockRef mine = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cc_copy");
        LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cc_next");
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntULT, r, om_cg_i64(cx, cum + np), ""), mine, next);
        LLVMPositionBuilderAtEnd(b, mine);
        LLVMValueRef start = om_cg_mul(cx, LLVMBuildNUWSub(b, r, om_cg_i64(cx, cum), ""), om_cg_i64(cx, CC_PIECE));
        LLVMValueRef rest = LLVMBuildNUWSub(b, om_cg_i64(cx, len), start, "");
        LLVMValueRef big = LLVMBuildICmp(b, LLVMIntUGT, rest, om_cg_i64(cx, CC_PIECE), "");
        LLVMValueRef nb = LLVMBuildSelect(b, big, om_cg_i64(cx, CC_PIECE), rest, "");
        LLVMValueRef src_i = om_cg_add(cx, om_cg_mad(cx, o, len, NULL), start);
        LLVMValueRef dst_i = om_cg_add(cx, om_cg_mad(cx, o, row * (int64_t)es, om_cg_i64(cx, off)), start);
        LLVMValueRef src = LLVMBuildInBoundsGEP2(b, cx->i8, om_cg_in(cx, k), &src_i, 1, "");
        LLVMValueRef dst = LLVMBuildInBoundsGEP2(b, cx->i8, py, &dst_i, 1, "");
        om_cg_memcpy(cx, dst, src, nb);
        LLVMBuildBr(b, done);
        LLVMPositionBuilderAtEnd(b, next);
        cum += np;
        off += len;
    }
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
    om_cg_for_end(cx, &l);
}

om_status om_cg_emit_concat(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    int r = Y->shape.rank;
    int64_t axis = om_node_int(n, "axis", 0);
    if (axis < 0)
        axis += r;
    if (r == 0 || axis < 0 || axis >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d",
                                 (long long)om_node_int(n, "axis", 0), r);
    size_t es = om_dtype_size(Y->dtype);
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= Y->shape.dims[i];
    for (int i = (int)axis + 1; i < r; i++)
        inner *= Y->shape.dims[i];
    int64_t row = Y->shape.dims[axis] * inner, total = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        const om_value *X = om_node_input(n, k);
        if (!X)
            return om_cg_unsupported(cx, "input %d is omitted", k);
        if (X->dtype != Y->dtype || X->shape.rank != r)
            return om_cg_unsupported(cx, "input %d is %s rank %d, output %s rank %d", k,
                                     om_dtype_name(X->dtype), X->shape.rank, om_dtype_name(Y->dtype), r);
        for (int i = 0; i < r; i++)
            if (i != axis && X->shape.dims[i] != Y->shape.dims[i])
                return om_cg_unsupported(cx, "input %d dim %d is %lld, output's is %lld", k, i,
                                         (long long)X->shape.dims[i], (long long)Y->shape.dims[i]);
        total += X->shape.dims[axis];
    }
    if (total != Y->shape.dims[axis])
        return om_cg_unsupported(cx, "inputs sum to %lld along axis %lld, output has %lld",
                                 (long long)total, (long long)axis, (long long)Y->shape.dims[axis]);
    if (outer == 0 || row == 0)
        return OM_OK;
    if (outer < CC_MIN_OUTER && row * (int64_t)es > CC_PIECE) {
        cc_pieces(cx, n, axis, inner, outer, row, es);
        return OM_OK;
    }
    LLVMValueRef py = om_cg_out(cx, 0);
    om_cg_loop l;
    LLVMValueRef o = om_cg_for_work(cx, &l, outer, "o");
    int64_t off = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        const om_value *X = n->inputs[k];
        int64_t len = X->shape.dims[axis] * inner;
        if (len == 0)
            continue;
        LLVMValueRef src_i = om_cg_mad(cx, o, len * (int64_t)es, NULL);
        LLVMValueRef dst_i = om_cg_mad(cx, o, row * (int64_t)es, om_cg_i64(cx, off * (int64_t)es));
        LLVMValueRef src = LLVMBuildInBoundsGEP2(cx->b, cx->i8, om_cg_in(cx, k), &src_i, 1, "");
        LLVMValueRef dst = LLVMBuildInBoundsGEP2(cx->b, cx->i8, py, &dst_i, 1, "");
        om_cg_memcpy(cx, dst, src, om_cg_i64(cx, len * (int64_t)es));
        off += len;
    }
    om_cg_for_end(cx, &l);
    return OM_OK;
}
