/* Opset rewrites of the reduce op group (table: frontend/rewrites/reduce.def).
 *
 *   Reduce* (all but ReduceSum) < 18, ReduceSum < 13
 *                    `axes` attribute -> constant int64 input 1 ([count]); no attribute ->
 *                    input 1 omitted (reduce all axes). The IR form is opset 18's:
 *                    Reduce*(data, axes?) with keepdims and noop_with_empty_axes attributes
 *                    (noop_with_empty_axes only matters when the input is given and empty,
 *                    which the attribute form never produces).
 *   TopK < 10        `k` attribute -> constant int64 input 1 of shape [1].
 * ArgMax/ArgMin (1, 11, 12, 13), CumSum (11, 14), Einsum (12) and Det (11) have one meaning
 * across their versions (newer ones only add dtypes or attributes with the old default).
 */
#include "frontend/fe_internal.h"

#include <stdio.h>

/* A constant int64 tensor of shape [count] named "<node or output>/<suffix>". */
static om_status ints_constant(om_fe_ctx *ctx, const om_fe_node *n, const char *suffix, const int64_t *v,
                               int64_t count, om_value **out)
{
    const char *base = n->proto->name && n->proto->name[0] ? n->proto->name
                     : n->n_outputs > 0 && n->outputs[0][0] ? n->outputs[0] : n->op_type;
    char name[256];
    snprintf(name, sizeof name, "%s/%s", base, suffix);
    om_shape s = om_shape_make(1, &count);
    *out = om_graph_add_constant(ctx->g, name, OM_DT_INT64, &s, count ? v : NULL, (size_t)count * sizeof(int64_t));
    if (!*out)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op %s): adding the %s input", n->label, n->op_type, suffix);
    return OM_OK;
}

om_status om_fe_reduce_axes_to_input(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "axes");
    if (n->n_inputs < 1 || !n->inputs[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): missing input 0 (data)", n->label,
                        n->op_type, (long long)ctx->opset);
    if (n->n_inputs > 1)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): %d inputs, expected 1 (axes is an attribute "
                        "in this opset)", n->label, n->op_type, (long long)ctx->opset, n->n_inputs);
    if (!a) {
        om_fe_node_drop_attr(n, "noop_with_empty_axes");
        return OM_OK;
    }
    if (a->kind != OM_ATTR_INTS && a->kind != OM_ATTR_INT)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): attribute axes must be a list of ints",
                        n->label, n->op_type, (long long)ctx->opset);
    om_value *v;
    om_status st = a->kind == OM_ATTR_INTS ? ints_constant(ctx, n, "axes", a->ints, a->count, &v)
                                           : ints_constant(ctx, n, "axes", &a->i, 1, &v);
    if (st != OM_OK)
        return st;
    om_fe_node_drop_attr(n, "axes");
    om_fe_node_drop_attr(n, "noop_with_empty_axes");
    n->inputs[1] = v;
    n->n_inputs = 2;
    return OM_OK;
}

om_status om_fe_reduce_topk_k_to_input(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "k");
    if (n->n_inputs != 1 || !n->inputs[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op TopK, opset %lld): expected 1 input (X), found %d", n->label,
                        (long long)ctx->opset, n->n_inputs);
    if (!a || a->kind != OM_ATTR_INT)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op TopK, opset %lld): attribute k (int) is required", n->label,
                        (long long)ctx->opset);
    om_value *v;
    om_status st = ints_constant(ctx, n, "k", &a->i, 1, &v);
    if (st != OM_OK)
        return st;
    om_fe_node_drop_attr(n, "k");
    n->inputs[1] = v;
    n->n_inputs = 2;
    return OM_OK;
}
