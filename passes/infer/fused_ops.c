/* Shape rules of the fused ops of ir/ops/fused.def (made by graph passes).
 *
 * fused_gelu: Gelu(X) -> Y, elementwise: Y has X's dtype (a float type) and shape; the
 * attribute approximate, when present, is "none" or "tanh".
 */
#include <string.h>

#include "ir/winograd.h"
#include "passes/infer/infer.h"

om_status om_infer_fused_gelu(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    st = om_infer_check_float(n, 0);
    if (st != OM_OK)
        return st;
    const char *ap = om_node_string(n, "approximate", "none");
    if (strcmp(ap, "none") != 0 && strcmp(ap, "tanh") != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute approximate is '%s', expected \"none\" or \"tanh\"",
                              ap);
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

/* winograd_conv: WinogradConv(X, U, B?, R?) -> Y, workspace (ir/ops/fused.def): X f32 [N, C, H, W] and
 * U f32 [36, M, C] with static shapes, B f32 [M] when present, pads four values in 0..2;
 * Y f32 [N, M, H + pt + pb - 2, W + pl + pr - 2] with both spatial sizes >= 1, M a multiple
 * of 8; the workspace f32 [om_winograd_workspace_floats] (ir/winograd.h). */
om_status om_infer_winograd_conv(om_graph *g, om_node *n)
{
    om_value *x, *u;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &u)) != OM_OK)
        return st;
    if (x->dtype != OM_DT_FLOAT || u->dtype != OM_DT_FLOAT || x->shape.rank != 4 || u->shape.rank != 3 ||
        !om_shape_is_static(&x->shape) || !om_shape_is_static(&u->shape))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "needs static f32 X [N, C, H, W] and U [36, M, C]");
    int64_t C = x->shape.dims[1], M = u->shape.dims[1];
    if (u->shape.dims[0] != 36 || u->shape.dims[2] != C)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "U has shape [%lld, %lld, %lld], expected [36, M, %lld]",
                              (long long)u->shape.dims[0], (long long)M, (long long)u->shape.dims[2], (long long)C);
    const om_value *b = om_node_input(n, 2);
    if (b && (b->dtype != OM_DT_FLOAT || b->shape.rank != 1 || b->shape.dims[0] != M))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "bias must be f32 [%lld]", (long long)M);
    const int64_t *p = NULL;
    if (om_node_ints(n, "pads", &p) != 4)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute pads must have 4 values");
    for (int i = 0; i < 4; i++)
        if (p[i] < 0 || p[i] > 2)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "pads[%d] = %lld, expected 0..2", i, (long long)p[i]);
    om_shape out = x->shape;
    out.dims[1] = M;
    out.syms[1] = NULL;
    out.dims[2] = x->shape.dims[2] + p[0] + p[2] - 2;
    out.dims[3] = x->shape.dims[3] + p[1] + p[3] - 2;
    if (out.dims[2] < 1 || out.dims[3] < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the output plane is empty");
    if (M % OM_WINOGRAD_MR != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "M = %lld is not a multiple of %d", (long long)M,
                              OM_WINOGRAD_MR);
    om_status st2 = om_infer_set_output(g, n, 0, OM_DT_FLOAT, &out);
    if (st2 != OM_OK)
        return st2;
    om_shape ws = {.rank = 1};
    ws.dims[0] = om_winograd_workspace_floats(x->shape.dims[0], C, M, out.dims[2], out.dims[3]);
    return om_infer_set_output(g, n, 1, OM_DT_FLOAT, &ws);
}
