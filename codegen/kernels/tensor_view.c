/* Kernels whose output is an affine view of the input, through om_cg_tensor_strided_copy
 * (tensor_common.h): Expand, Tile, DepthToSpace, SpaceToDepth (Slice and Split: tensor_slice.c).
 *
 *   Expand        numpy broadcast: a broadcast dim reads with stride 0.
 *   Tile          output dim i (rep_i * d_i) is walked as the pair (rep, j) with strides
 *                 (0, stride_i): 2 * rank view dims before merging.
 *   DepthToSpace  DCR: x viewed [N, b, b, C', H, W] -> [N, C', H, b, W, b];
 *                 CRD: x viewed [N, C', b, b, H, W] -> [N, C', H, b, W, b].
 *   SpaceToDepth  x viewed [N, C, H', b, W', b] -> [N, b, b, C, H', W'].
 * Any dtype (elements moved as integers of their size).
 * Expand's shape / Tile's repeats computed at run time (the shape rule took the declared
 * output) are loaded and checked: each shape value must broadcast with the input dim to the
 * compiled output dim (v == out, or v == 1 under an input dim that is not 1); each repeat
 * must be out / in (any repeat >= 0 for an empty input dim). Otherwise the kernel returns
 * OM_ART_CHECK_SHAPE_VALUE before moving anything.
 */
#include "codegen/kernels/tensor_common.h"
#include "codegen/kernels/rt_shape.h"

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

static om_status check_expand_shape(om_cg_ctx *cx, const om_value *X, const om_value *Y)
{
    const om_value *S = om_node_input(cx->node, 1);
    int64_t ks = om_shape_numel(&S->shape);
    int ro = Y->shape.rank, rx = X->shape.rank;
    if (S->dtype != OM_DT_INT64 && S->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "input 1 (shape) has dtype %s", om_dtype_name(S->dtype));
    if (ks < 0 || ro != (rx > ks ? rx : ks))
        return om_cg_unsupported(cx, "input 1 (shape) has %lld values for output rank %d", (long long)ks, ro);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef ok = NULL;
    for (int k = 0; k < ks; k++) {
        int o = k + (ro - (int)ks), xi = o - (ro - rx);
        int64_t xd = xi >= 0 ? X->shape.dims[xi] : 1, yd = Y->shape.dims[o];
        LLVMValueRef v = om_cg_rt_int(cx, 1, k);
        LLVMValueRef good = LLVMBuildICmp(b, LLVMIntEQ, v, om_cg_i64(cx, yd), "");
        if (xd != 1)
            good = LLVMBuildOr(b, good, LLVMBuildICmp(b, LLVMIntEQ, v, om_cg_i64(cx, 1), ""), "");
        ok = om_cg_rt_and(cx, ok, good);
    }
    om_cg_rt_check(cx, ok);
    return OM_OK;
}

static om_status check_tile_repeats(om_cg_ctx *cx, const om_value *X, const om_value *Y)
{
    const om_value *R = om_node_input(cx->node, 1);
    int r = X->shape.rank;
    if (R->dtype != OM_DT_INT64 && R->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "input 1 (repeats) has dtype %s", om_dtype_name(R->dtype));
    if (om_shape_numel(&R->shape) != r)
        return om_cg_unsupported(cx, "input 1 (repeats) has %lld values for rank %d",
                                 (long long)om_shape_numel(&R->shape), r);
    LLVMValueRef ok = NULL;
    for (int i = 0; i < r; i++) {
        int64_t d = X->shape.dims[i], o = Y->shape.dims[i];
        LLVMValueRef v = om_cg_rt_int(cx, 1, i);
        if (d == 0)
            ok = om_cg_rt_and(cx, ok, LLVMBuildICmp(cx->b, LLVMIntSGE, v, om_cg_i64(cx, 0), ""));
        else
            ok = om_cg_rt_and_eq(cx, ok, v, o / d);
    }
    om_cg_rt_check(cx, ok);
    return OM_OK;
}

om_status om_cg_emit_expand(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X, *Y;
    om_status st = check_io(cx, n, &X, &Y);
    if (st != OM_OK)
        return st;
    int ro = Y->shape.rank, rx = X->shape.rank;
    if (rx > ro)
        return om_cg_unsupported(cx, "input rank %d exceeds output rank %d", rx, ro);
    int64_t xs[OM_MAX_RANK], ss[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    for (int i = 0; i < ro; i++) {
        int xi = i - (ro - rx);
        int64_t xd = xi >= 0 ? X->shape.dims[xi] : 1;
        if (xd != 1 && xd != Y->shape.dims[i])
            return om_cg_unsupported(cx, "input dim %d (%lld) does not broadcast to %lld", xi, (long long)xd,
                                     (long long)Y->shape.dims[i]);
        ss[i] = xd == 1 ? 0 : xs[xi];
    }
    if (om_node_input(n, 1) && !om_cg_rt_is_const(om_node_input(n, 1)) &&
        (st = check_expand_shape(cx, X, Y)) != OM_OK)
        return st;
    return om_cg_tensor_strided_copy(cx, om_cg_in(cx, 0), om_cg_out(cx, 0), om_dtype_size(X->dtype), ro,
                                     Y->shape.dims, ss, 0);
}

om_status om_cg_emit_tile(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X, *Y;
    om_status st = check_io(cx, n, &X, &Y);
    if (st != OM_OK)
        return st;
    int r = X->shape.rank;
    if (Y->shape.rank != r)
        return om_cg_unsupported(cx, "output rank %d differs from input rank %d", Y->shape.rank, r);
    int64_t xs[OM_MAX_RANK], dims[2 * OM_MAX_RANK], ss[2 * OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    for (int i = 0; i < r; i++) {
        int64_t d = X->shape.dims[i], o = Y->shape.dims[i];
        if (d == 0) {
            if (o != 0)
                return om_cg_unsupported(cx, "dim %d: empty input, output %lld", i, (long long)o);
            /* nothing to copy; a run-time repeats input is still checked */
            if (om_node_input(n, 1) && !om_cg_rt_is_const(om_node_input(n, 1)))
                return check_tile_repeats(cx, X, Y);
            return OM_OK;
        }
        if (o % d != 0)
            return om_cg_unsupported(cx, "output dim %d (%lld) is not a multiple of %lld", i, (long long)o,
                                     (long long)d);
        dims[2 * i] = o / d;
        ss[2 * i] = 0;
        dims[2 * i + 1] = d;
        ss[2 * i + 1] = xs[i];
    }
    if (om_node_input(n, 1) && !om_cg_rt_is_const(om_node_input(n, 1)) &&
        (st = check_tile_repeats(cx, X, Y)) != OM_OK)
        return st;
    return om_cg_tensor_strided_copy(cx, om_cg_in(cx, 0), om_cg_out(cx, 0), om_dtype_size(X->dtype), 2 * r, dims,
                                     ss, 0);
}


om_status om_cg_emit_depth_space(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X, *Y;
    om_status st = check_io(cx, n, &X, &Y);
    if (st != OM_OK)
        return st;
    if (X->shape.rank != 4 || Y->shape.rank != 4)
        return om_cg_unsupported(cx, "rank 4 expected");
    int64_t b = om_node_int(n, "blocksize", 0);
    int64_t N = X->shape.dims[0], C = X->shape.dims[1], H = X->shape.dims[2], W = X->shape.dims[3];
    if (b < 1)
        return om_cg_unsupported(cx, "blocksize %lld", (long long)b);
    int64_t dims[6], ss[6];
    if (n->op == OM_OP_DEPTH_TO_SPACE) {
        if (C % (b * b) != 0)
            return om_cg_unsupported(cx, "channels %lld not a multiple of %lld", (long long)C, (long long)(b * b));
        int64_t c2 = C / (b * b);
        bool crd = strcmp(om_node_string(n, "mode", "DCR"), "CRD") == 0;
        int64_t s_c = crd ? b * b * H * W : H * W;
        int64_t s_b1 = crd ? b * H * W : b * c2 * H * W;
        int64_t s_b2 = crd ? H * W : c2 * H * W;
        int64_t d[6] = {N, c2, H, b, W, b}, s[6] = {C * H * W, s_c, W, s_b1, 1, s_b2};
        memcpy(dims, d, sizeof d);
        memcpy(ss, s, sizeof s);
        if (Y->shape.dims[1] != c2 || Y->shape.dims[2] != H * b || Y->shape.dims[3] != W * b)
            return om_cg_unsupported(cx, "output shape does not match DepthToSpace");
    } else {
        if (H % b != 0 || W % b != 0)
            return om_cg_unsupported(cx, "spatial dims not multiples of %lld", (long long)b);
        int64_t d[6] = {N, b, b, C, H / b, W / b}, s[6] = {C * H * W, W, 1, H * W, b * W, b};
        memcpy(dims, d, sizeof d);
        memcpy(ss, s, sizeof s);
        if (Y->shape.dims[1] != C * b * b || Y->shape.dims[2] != H / b || Y->shape.dims[3] != W / b)
            return om_cg_unsupported(cx, "output shape does not match SpaceToDepth");
    }
    return om_cg_tensor_strided_copy(cx, om_cg_in(cx, 0), om_cg_out(cx, 0), om_dtype_size(X->dtype), 6, dims, ss,
                                     0);
}
