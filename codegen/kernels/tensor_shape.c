/* Kernels of the tensor group that move no data or need none:
 *   Shape, Size      normally folded by the shape rule (the node is dead); when a node
 *                    reaches codegen anyway, the static dims are stored as int64 constants.
 *   Squeeze, Unsqueeze  the bytes do not change: the Reshape copy (memmove, in-place safe).
 *   NonZero, Unique  folded when their input is constant; otherwise unsupported
 *                    (data-dependent output shape) — reaching codegen is an error.
 */
#include "codegen/kernels/tensor_common.h"

om_status om_cg_emit_shape(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X || Y->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "expects an input and an int64 output");
    LLVMValueRef py = om_cg_out(cx, 0);
    if (n->op == OM_OP_SIZE) {
        om_cg_store(cx, OM_DT_INT64, py, om_cg_i64(cx, 0), om_cg_i64(cx, om_shape_numel(&X->shape)));
        return OM_OK;
    }
    int r = X->shape.rank;
    int64_t start = om_node_int(n, "start", 0), end = om_node_int(n, "end", r);
    if (start < 0)
        start += r;
    if (end < 0)
        end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    if (om_shape_numel(&Y->shape) != (end > start ? end - start : 0))
        return om_cg_unsupported(cx, "output has %lld elements, expected %lld",
                                 (long long)om_shape_numel(&Y->shape), (long long)(end > start ? end - start : 0));
    for (int64_t i = start; i < end; i++)
        om_cg_store(cx, OM_DT_INT64, py, om_cg_i64(cx, i - start), om_cg_i64(cx, X->shape.dims[i]));
    return OM_OK;
}

om_status om_cg_emit_squeeze(om_cg_ctx *cx, const om_node *n)
{
    return om_cg_emit_reshape(cx, n);
}

om_status om_cg_emit_fold_only(om_cg_ctx *cx, const om_node *n)
{
    (void)n;
    return om_cg_unsupported(cx, "data-dependent output shape: only a constant input is supported (folded at "
                                 "compile time)");
}
