/* Kernels of the tensor group that move no data or need none:
 *   Shape, Size      normally folded by the shape rule (the node is dead); when a node
 *                    reaches codegen anyway, the static dims are stored as int64 constants.
 *   Squeeze, Unsqueeze  the bytes do not change: the Reshape copy (memmove, in-place safe).
 *                    An axes input computed at run time is loaded and turned into an axis
 *                    mask (negative axes count from the end: rank of the input for Squeeze,
 *                    of the output for Unsqueeze; out of range or repeated is invalid); the
 *                    mask must be one of those that give the compiled output shape
 *                    (enumerated here), else OM_ART_CHECK_SHAPE_VALUE.
 *   NonZero, Unique  folded when their input is constant; otherwise unsupported
 *                    (data-dependent output shape) — reaching codegen is an error.
 */
#include "codegen/kernels/tensor_common.h"
#include "codegen/kernels/rt_shape.h"

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

/* Whether axis mask m (over the larger of the two shapes) gives Y from X: for Squeeze the
 * masked X dims are 1 and the others are Y; for Unsqueeze the masked Y dims are 1 and the
 * others are X. */
static bool mask_fits(const om_shape *big, const om_shape *small, uint64_t m)
{
    int j = 0;
    for (int i = 0; i < big->rank; i++) {
        if (m >> i & 1) {
            if (big->dims[i] != 1)
                return false;
            continue;
        }
        if (j >= small->rank || big->dims[i] != small->dims[j])
            return false;
        j++;
    }
    return j == small->rank;
}

static om_status check_axes_input(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y)
{
    const om_value *A = om_node_input(n, 1);
    if (A->dtype != OM_DT_INT64 && A->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "input 1 '%s' (axes) has dtype %s, expected i64", A->name,
                                 om_dtype_name(A->dtype));
    int64_t count = om_shape_numel(&A->shape);
    if (count == 0 && n->op == OM_OP_SQUEEZE)
        return OM_OK; /* no axes: every 1 is squeezed, fully static */
    bool unsq = n->op == OM_OP_UNSQUEEZE;
    const om_shape *big = unsq ? &Y->shape : &X->shape, *small = unsq ? &X->shape : &Y->shape;
    if (count < 0 || big->rank - small->rank != count)
        return om_cg_unsupported(cx, "input 1 '%s' (axes) has %lld values, the ranks differ by %d", A->name,
                                 (long long)count, big->rank - small->rank);
    uint64_t masks[1 << OM_MAX_RANK];
    int nm = 0;
    for (uint64_t m = 0; m < ((uint64_t)1 << big->rank); m++)
        if (__builtin_popcountll(m) == count && mask_fits(big, small, m))
            masks[nm++] = m;
    if (nm == 0)
        return om_cg_unsupported(cx, "no axes give the output shape from the input's");
    LLVMValueRef ok = NULL;
    LLVMValueRef mask = om_cg_rt_axes_mask(cx, 1, count, big->rank, &ok);
    om_cg_rt_check(cx, om_cg_rt_and_mask_in(cx, ok, mask, masks, nm));
    return OM_OK;
}

om_status om_cg_emit_squeeze(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *A = om_node_input(n, 1);
    if (X && A && !om_cg_rt_is_const(A)) {
        om_status st = check_axes_input(cx, n, X, n->outputs[0]);
        if (st != OM_OK)
            return st;
    }
    return om_cg_emit_reshape(cx, n);
}

om_status om_cg_emit_fold_only(om_cg_ctx *cx, const om_node *n)
{
    (void)n;
    return om_cg_unsupported(cx, "data-dependent output shape: only a constant input is supported (folded at "
                                 "compile time)");
}
