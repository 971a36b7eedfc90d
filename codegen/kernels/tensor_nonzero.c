/* NonZero(X) with a run-time X (a constant X is folded by the shape rule,
 * passes/infer/tensor_fold.c): the output is int64 [rank, count], the coordinates of the
 * non-zero elements in row-major order (NaN is non-zero, -0.0 is zero). count is the
 * compiled (declared) dim 1; the kernel counts the non-zeros first and returns
 * OM_ART_CHECK_OUTPUT_SIZE when they differ, so it never writes past the output. Then one
 * pass writes coordinate d of the j-th non-zero at out[d * count + j]. One work item; any
 * numeric dtype (compared through om_cg_convert to bool).
 */
#include "codegen/kernels/tensor_common.h"

om_status om_cg_emit_nonzero(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    int r = X->shape.rank;
    if (!om_cg_type(cx, X->dtype) || X->dtype == OM_DT_STRING)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(X->dtype));
    if (r < 1 || Y->dtype != OM_DT_INT64 || Y->shape.rank != 2 || Y->shape.dims[0] != r)
        return om_cg_unsupported(cx, "output must be i64 [%d, count] for a rank-%d input (rank 0 not supported)", r, r);
    LLVMBuilderRef b = cx->b;
    int64_t numel = om_shape_numel(&X->shape), count = Y->shape.dims[1];
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef cnt = om_cg_alloca(cx, cx->i64, "count");
    LLVMBuildStore(b, om_cg_i64(cx, 0), cnt);
    om_cg_loop l;
    LLVMValueRef k;
    if (numel > 0) {
        k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, numel), "k");
        LLVMValueRef t = om_cg_convert(cx, om_cg_load(cx, X->dtype, px, k), X->dtype, OM_DT_BOOL);
        LLVMValueRef nz = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntNE, t, LLVMConstNull(LLVMTypeOf(t)), ""), cx->i64, "");
        LLVMBuildStore(b, LLVMBuildAdd(b, LLVMBuildLoad2(b, cx->i64, cnt, ""), nz, ""), cnt);
        om_cg_for_end(cx, &l);
    }
    LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildLoad2(b, cx->i64, cnt, ""), om_cg_i64(cx, count), "");
    om_cg_check(cx, ok, OM_ART_CHECK_OUTPUT_SIZE);
    if (count == 0)
        return OM_OK;
    LLVMValueRef pos = om_cg_alloca(cx, cx->i64, "pos");
    LLVMBuildStore(b, om_cg_i64(cx, 0), pos);
    k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, numel), "k");
    LLVMValueRef t = om_cg_convert(cx, om_cg_load(cx, X->dtype, px, k), X->dtype, OM_DT_BOOL);
    LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, t, LLVMConstNull(LLVMTypeOf(t)), "");
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "nz");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
    LLVMBuildCondBr(b, nz, then, next);
    LLVMPositionBuilderAtEnd(b, then);
    LLVMValueRef j = LLVMBuildLoad2(b, cx->i64, pos, "j"), rest = k;
    for (int d = r - 1; d >= 0; d--) {
        int64_t dim = X->shape.dims[d];
        LLVMValueRef c = d > 0 ? LLVMBuildURem(b, rest, om_cg_i64(cx, dim), "") : rest;
        if (d > 0)
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, dim), "");
        om_cg_store(cx, OM_DT_INT64, py, om_cg_add(cx, om_cg_i64(cx, d * count), j), c);
    }
    LLVMBuildStore(b, LLVMBuildAdd(b, j, om_cg_i64(cx, 1), ""), pos);
    LLVMBuildBr(b, next);
    LLVMPositionBuilderAtEnd(b, next);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
