/* Opset rewrites of the math group (table: math.def).
 *
 *   PRelu < 7    the slope had no broadcasting rule; exporters (PyTorch) wrote a per-channel
 *                slope of shape [C] for X of shape [N, C, d1, ...]. A constant 1-D slope whose
 *                length equals X's dim 1 (and X has rank >= 3, so numpy's trailing alignment
 *                would pick the wrong axis) is re-declared as [C, 1, ..., 1]; every other
 *                slope is left to the unidirectional broadcasting of opset 7.
 * The other math ops' older versions differ only by `consumed_inputs` (dropped by the
 * generic rule) or by the dtypes allowed, so they need no entry.
 */
#include "frontend/fe_internal.h"

#include <stdio.h>

om_status om_fe_math_prelu_channel_slope(om_fe_ctx *ctx, om_fe_node *n)
{
    (void)ctx;
    if (n->n_inputs != 2 || !n->inputs[0] || !n->inputs[1])
        return OM_OK;
    const om_value *x = n->inputs[0], *s = n->inputs[1];
    if (x->shape.rank < 3 || s->kind != OM_VALUE_CONSTANT || s->shape.rank != 1)
        return OM_OK;
    int64_t c = s->shape.dims[0];
    if (c <= 1 || x->shape.dims[1] != c)
        return OM_OK;
    om_shape ns = s->shape;
    ns.rank = x->shape.rank - 1;
    ns.dims[0] = c;
    for (int i = 1; i < ns.rank; i++)
        ns.dims[i] = 1;
    char name[256];
    snprintf(name, sizeof name, "%s/per_channel", s->name);
    om_value *v = om_graph_add_constant(ctx->g, name, s->dtype, &ns, s->data, s->nbytes);
    if (!v)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op %s)", n->label, n->op_type);
    n->inputs[1] = v;
    return OM_OK;
}
