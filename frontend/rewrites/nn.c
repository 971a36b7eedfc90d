/* Frontend rewrites of the nn group (table: frontend/rewrites/nn.def).
 *
 *   Upsample 7..8     scales attribute -> constant input; then as below
 *   Upsample 9        -> Resize(X, <no roi>, scales) with the opset-10 Resize meaning
 *   Resize 10         (X, scales) -> Resize(X, <no roi>, scales), coordinate mode
 *                     asymmetric and nearest_mode floor (the opset 10 semantics: src = dst /
 *                     scale, nearest takes the floor); mode linear stays linear
 * Resize 11 keeps its inputs (roi, scales, sizes) and attributes; its
 * tf_half_pixel_for_nn mode is kept as an IR attribute value the kernel knows.
 */
#include "frontend/fe_internal.h"

#include <stdio.h>
#include <string.h>

static om_status set_string(om_fe_ctx *ctx, om_fe_node *n, const char *name, const char *v)
{
    om_attr *a = om_fe_node_attr(n, name);
    if (!a) {
        if (n->n_attrs >= n->cap_attrs)
            return om_error(OM_ERR_INTERNAL, "%s (op %s): no room for attribute '%s'", n->label, n->op_type, name);
        a = &n->attrs[n->n_attrs++];
        memset(a, 0, sizeof *a);
        a->name = om_graph_strdup(ctx->g, name);
    }
    a->kind = OM_ATTR_STRING;
    a->s = om_graph_strdup(ctx->g, v);
    if (!a->name || !a->s)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    return OM_OK;
}

/* (X, scales) with opset-10 Resize meaning -> canonical Resize. */
static om_status to_resize13(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs < 2 || !n->inputs[0] || !n->inputs[1])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): needs inputs X and scales", n->label,
                        n->op_type, (long long)ctx->opset);
    const om_attr *m = om_fe_node_attr(n, "mode");
    const char *mode = m && m->kind == OM_ATTR_STRING && m->s ? m->s : "nearest";
    if (strcmp(mode, "bilinear") == 0)
        mode = "linear";
    if (strcmp(mode, "nearest") != 0 && strcmp(mode, "linear") != 0)
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s, opset %lld): mode '%s' is not supported", n->label,
                        n->op_type, (long long)ctx->opset, mode);
    om_status st;
    if ((st = set_string(ctx, n, "mode", mode)) != OM_OK ||
        (st = set_string(ctx, n, "coordinate_transformation_mode", "asymmetric")) != OM_OK ||
        (st = set_string(ctx, n, "nearest_mode", "floor")) != OM_OK)
        return st;
    n->inputs[2] = n->inputs[1];
    n->inputs[1] = NULL;
    n->n_inputs = 3;
    n->op_type = "Resize";
    n->op = OM_OP_RESIZE;
    return OM_OK;
}

om_status om_fe_nn_upsample_attr(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "scales");
    if (n->n_inputs >= 2 && n->inputs[1])
        return to_resize13(ctx, n);
    if (!a || a->kind != OM_ATTR_FLOATS || a->count < 1)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Upsample, opset %lld): no 'scales' attribute", n->label,
                        (long long)ctx->opset);
    int64_t count = a->count;
    om_shape s = om_shape_make(1, &count);
    char name[256];
    snprintf(name, sizeof name, "%s/scales", n->n_outputs ? n->outputs[0] : "upsample");
    om_value *v = om_graph_add_constant(ctx->g, name, OM_DT_FLOAT, &s, a->floats, (size_t)count * sizeof(float));
    if (!v)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op Upsample)", n->label);
    om_fe_node_drop_attr(n, "scales");
    n->inputs[1] = v;
    n->n_inputs = 2;
    return to_resize13(ctx, n);
}

om_status om_fe_nn_upsample9(om_fe_ctx *ctx, om_fe_node *n) { return to_resize13(ctx, n); }

om_status om_fe_nn_resize10(om_fe_ctx *ctx, om_fe_node *n) { return to_resize13(ctx, n); }
