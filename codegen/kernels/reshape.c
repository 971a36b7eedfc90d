/* Flatten and Reshape: the bytes do not change, so the kernel copies the input to the output
 * (memmove, so an in-place plan where both are the same buffer is fine). A constant shape
 * input is not read. A shape input computed at run time (the shape rule took the declared
 * output shape) is loaded and resolved as ONNX specifies: 0 copies the input dim at the same
 * index unless allowzero = 1, at most one -1 (inferred from the element count; forbidden
 * next to a 0 with allowzero = 1, and when the other dims multiply to 0), anything else
 * below -1 is invalid; the kernel returns OM_ART_CHECK_SHAPE_VALUE unless every resolved dim
 * equals the compiled output dim. Large copies are split into 64 KiB work items so the
 * runtime can spread them over threads.
 */
#include "codegen/kernels/rt_shape.h"

#define CHUNK ((int64_t)64 * 1024)

/* The run-time check of a non-constant shape input (input 1) against Y's static dims. */
static om_status check_shape_input(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y)
{
    const om_value *S = om_node_input(n, 1);
    if (S->dtype != OM_DT_INT64 && S->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "input 1 '%s' (shape) has dtype %s, expected i64", S->name,
                                 om_dtype_name(S->dtype));
    int r = Y->shape.rank;
    if (om_shape_numel(&S->shape) != r)
        return om_cg_unsupported(cx, "input 1 '%s' (shape) has %lld values, the output rank is %d", S->name,
                                 (long long)om_shape_numel(&S->shape), r);
    bool allowzero = om_node_int(n, "allowzero", 0) != 0;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef ok = NULL, negs = om_cg_i64(cx, 0), zeros = om_cg_i64(cx, 0);
    for (int k = 0; k < r; k++) {
        LLVMValueRef v = om_cg_rt_int(cx, 1, k);
        int64_t want = Y->shape.dims[k];
        LLVMValueRef is_neg = LLVMBuildICmp(b, LLVMIntEQ, v, om_cg_i64(cx, -1), "");
        LLVMValueRef is_zero = LLVMBuildICmp(b, LLVMIntEQ, v, om_cg_i64(cx, 0), "");
        LLVMValueRef good = LLVMBuildICmp(b, LLVMIntEQ, v, om_cg_i64(cx, want), "");
        if (!allowzero && k < X->shape.rank && X->shape.dims[k] == want)
            good = LLVMBuildOr(b, good, is_zero, "");
        else if (!allowzero)
            good = LLVMBuildAnd(b, good, LLVMBuildNot(b, is_zero, ""), "");
        /* -1 here is resolved from the element count: exact when the other dims multiply to
         * a non-zero count (the static counts agree) */
        int64_t others = 1;
        for (int j = 0; j < r; j++)
            if (j != k)
                others *= Y->shape.dims[j];
        if (others != 0)
            good = LLVMBuildOr(b, good, is_neg, "");
        ok = om_cg_rt_and(cx, ok, good);
        negs = LLVMBuildAdd(b, negs, LLVMBuildZExt(b, is_neg, cx->i64, ""), "");
        zeros = LLVMBuildAdd(b, zeros, LLVMBuildZExt(b, is_zero, cx->i64, ""), "");
    }
    if (r > 0) {
        ok = om_cg_rt_and(cx, ok, LLVMBuildICmp(b, LLVMIntULE, negs, om_cg_i64(cx, 1), ""));
        if (allowzero) /* 0 and -1 together are invalid */
            ok = om_cg_rt_and(cx, ok, LLVMBuildNot(b, LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntNE, negs, om_cg_i64(cx, 0), ""),
                                                             LLVMBuildICmp(b, LLVMIntNE, zeros, om_cg_i64(cx, 0), ""), ""), ""));
    }
    om_cg_rt_check(cx, ok);
    return OM_OK;
}

om_status om_cg_emit_reshape(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    int64_t nbytes = om_shape_numel(&Y->shape) * (int64_t)om_dtype_size(Y->dtype);
    int64_t xbytes = om_shape_numel(&X->shape) * (int64_t)om_dtype_size(X->dtype);
    if (nbytes != xbytes)
        return om_cg_unsupported(cx, "input has %lld bytes, output %lld", (long long)xbytes, (long long)nbytes);
    if (n->op == OM_OP_RESHAPE && om_node_input(n, 1) && !om_cg_rt_is_const(om_node_input(n, 1))) {
        om_status st = check_shape_input(cx, n, X, Y);
        if (st != OM_OK)
            return st;
    }
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    if (nbytes <= CHUNK) {
        if (nbytes > 0)
            LLVMBuildMemMove(cx->b, py, 1, px, 1, om_cg_i64(cx, nbytes));
        return OM_OK;
    }
    int64_t chunks = (nbytes + CHUNK - 1) / CHUNK;
    om_cg_loop l;
    LLVMValueRef c = om_cg_for_work(cx, &l, chunks, "chunk");
    LLVMValueRef off = om_cg_mul(cx, c, om_cg_i64(cx, CHUNK));
    LLVMValueRef rest = LLVMBuildSub(cx->b, om_cg_i64(cx, nbytes), off, "");
    LLVMValueRef big = LLVMBuildICmp(cx->b, LLVMIntSGT, rest, om_cg_i64(cx, CHUNK), "");
    LLVMValueRef len = LLVMBuildSelect(cx->b, big, om_cg_i64(cx, CHUNK), rest, "len");
    LLVMValueRef dst = LLVMBuildInBoundsGEP2(cx->b, cx->i8, py, &off, 1, "");
    LLVMValueRef src = LLVMBuildInBoundsGEP2(cx->b, cx->i8, px, &off, 1, "");
    LLVMBuildMemMove(cx->b, dst, 1, src, 1, len);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
