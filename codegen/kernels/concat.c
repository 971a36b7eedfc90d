/* Concat along any axis (attribute axis, negative counts from the end), any number of
 * inputs of the output's dtype.
 *
 * With outer = product of dims before the axis, each input k contributes a contiguous run
 * of len_k = dims_k[axis] * product(dims after the axis) elements per outer index, placed at
 * offset off_k inside the output's run of sum(len_k). The parallel work loop is over outer;
 * each run is one memcpy of a compile-time size (LLVM inlines small ones). Empty inputs are
 * skipped.
 */
#include "codegen/cg_internal.h"

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
