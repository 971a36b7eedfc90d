/* Kernels for Slice and Split (moved out of tensor_view.c): Slice is an affine view of its
 * input through om_cg_tensor_strided_copy (per sliced axis start/step from the starts/ends/
 * axes/steps inputs, same clamping as the shape rule in passes/infer/tensor_index.c; stride =
 * step * input stride, negative steps included; base offset = sum of the starts). Split is
 * the reverse of Concat: per outer index one memcpy per output (work items = product of the
 * dims before the axis). Any dtype (elements moved as integers of their size).
 */
#include "codegen/kernels/tensor_common.h"

#include <string.h>

static om_status check_io(om_cg_ctx *cx, const om_node *n, const om_value **X, const om_value **Y)
{
    *X = om_node_input(n, 0);
    *Y = n->outputs[0];
    if (!*X)
        return om_cg_unsupported(cx, "input 0 is required");
    if ((*X)->dtype != (*Y)->dtype || om_cg_tensor_bits_dtype(om_dtype_size((*X)->dtype)) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s -> %s not supported by this kernel", om_dtype_name((*X)->dtype),
                                 om_dtype_name((*Y)->dtype));
    return OM_OK;
}

/* Same clamping as the shape rule (passes/infer/tensor_index.c). */
static void slice_axis(int64_t d, int64_t start, int64_t end, int64_t step, int64_t *s_out, int64_t *count)
{
    if (start < 0)
        start += d;
    if (end < 0)
        end += d;
    int64_t c;
    if (step > 0) {
        start = start < 0 ? 0 : start > d ? d : start;
        end = end < 0 ? 0 : end > d ? d : end;
        c = end > start ? (end - start + step - 1) / step : 0;
    } else {
        start = start < 0 ? 0 : start > d - 1 ? d - 1 : start;
        end = end < -1 ? -1 : end > d - 1 ? d - 1 : end;
        c = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    *s_out = start;
    *count = c;
}

om_status om_cg_emit_slice(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X, *Y;
    om_status st = check_io(cx, n, &X, &Y);
    if (st != OM_OK)
        return st;
    int r = X->shape.rank;
    if (Y->shape.rank != r)
        return om_cg_unsupported(cx, "output rank %d differs from input rank %d", Y->shape.rank, r);
    int64_t starts[OM_MAX_RANK], ends[OM_MAX_RANK], axes[OM_MAX_RANK], steps[OM_MAX_RANK];
    int ns, ne, na = 0, nst = 0;
    if (!om_cg_tensor_const_ints(om_node_input(n, 1), starts, OM_MAX_RANK, &ns) ||
        !om_cg_tensor_const_ints(om_node_input(n, 2), ends, OM_MAX_RANK, &ne) || ne != ns)
        return om_cg_unsupported(cx, "starts and ends must be constant int tensors of equal length");
    if (om_node_input(n, 3)) {
        if (!om_cg_tensor_const_ints(om_node_input(n, 3), axes, OM_MAX_RANK, &na) || na != ns)
            return om_cg_unsupported(cx, "axes must be a constant int tensor like starts");
    } else {
        for (int i = 0; i < ns; i++)
            axes[i] = i;
    }
    if (om_node_input(n, 4)) {
        if (!om_cg_tensor_const_ints(om_node_input(n, 4), steps, OM_MAX_RANK, &nst) || nst != ns)
            return om_cg_unsupported(cx, "steps must be a constant int tensor like starts");
    } else {
        for (int i = 0; i < ns; i++)
            steps[i] = 1;
    }
    int64_t xs[OM_MAX_RANK], ss[OM_MAX_RANK], base = 0;
    om_cg_tensor_strides(&X->shape, xs);
    int64_t want[OM_MAX_RANK];
    for (int i = 0; i < r; i++) {
        ss[i] = xs[i];
        want[i] = X->shape.dims[i];
    }
    for (int i = 0; i < ns; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        if (a < 0 || a >= r || steps[i] == 0)
            return om_cg_unsupported(cx, "axis %lld / step %lld invalid for rank %d", (long long)axes[i],
                                     (long long)steps[i], r);
        int64_t s0, c;
        slice_axis(X->shape.dims[a], starts[i], ends[i], steps[i], &s0, &c);
        want[a] = c;
        ss[a] = xs[a] * steps[i];
        if (c > 0)
            base += s0 * xs[a];
    }
    for (int i = 0; i < r; i++)
        if (want[i] != Y->shape.dims[i])
            return om_cg_unsupported(cx, "output dim %d is %lld, the slice gives %lld", i,
                                     (long long)Y->shape.dims[i], (long long)want[i]);
    return om_cg_tensor_strided_copy(cx, om_cg_in(cx, 0), om_cg_out(cx, 0), om_dtype_size(X->dtype), r,
                                     Y->shape.dims, ss, base);
}

om_status om_cg_emit_split(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0);
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", 0);
    if (axis < 0)
        axis += r;
    if (axis < 0 || axis >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)om_node_int(n, "axis", 0), r);
    size_t es = om_dtype_size(X->dtype);
    int64_t outer = 1, inner = 1, total = 0;
    for (int i = 0; i < axis; i++)
        outer *= X->shape.dims[i];
    for (int i = (int)axis + 1; i < r; i++)
        inner *= X->shape.dims[i];
    for (int k = 0; k < n->n_outputs; k++) {
        const om_value *Y = n->outputs[k];
        if (Y->dtype != X->dtype || Y->shape.rank != r)
            return om_cg_unsupported(cx, "output %d is %s rank %d, input %s rank %d", k, om_dtype_name(Y->dtype),
                                     Y->shape.rank, om_dtype_name(X->dtype), r);
        for (int i = 0; i < r; i++)
            if (i != axis && Y->shape.dims[i] != X->shape.dims[i])
                return om_cg_unsupported(cx, "output %d dim %d differs from the input's", k, i);
        total += Y->shape.dims[axis];
    }
    if (total != X->shape.dims[axis])
        return om_cg_unsupported(cx, "outputs sum to %lld along axis %lld, input has %lld", (long long)total,
                                 (long long)axis, (long long)X->shape.dims[axis]);
    int64_t row = X->shape.dims[axis] * inner;
    if (outer == 0 || row == 0)
        return OM_OK;
    LLVMValueRef px = om_cg_in(cx, 0);
    om_cg_loop l;
    LLVMValueRef o = om_cg_for_work(cx, &l, outer, "o");
    int64_t off = 0;
    for (int k = 0; k < n->n_outputs; k++) {
        int64_t len = n->outputs[k]->shape.dims[axis] * inner;
        if (len == 0)
            continue;
        LLVMValueRef src_i = om_cg_mad(cx, o, row * (int64_t)es, om_cg_i64(cx, off * (int64_t)es));
        LLVMValueRef dst_i = om_cg_mad(cx, o, len * (int64_t)es, NULL);
        LLVMValueRef src = LLVMBuildInBoundsGEP2(cx->b, cx->i8, px, &src_i, 1, "");
        LLVMValueRef dst = LLVMBuildInBoundsGEP2(cx->b, cx->i8, om_cg_out(cx, k), &dst_i, 1, "");
        om_cg_memcpy(cx, dst, src, om_cg_i64(cx, len * (int64_t)es));
        off += len;
    }
    om_cg_for_end(cx, &l);
    return OM_OK;
}
