/* Opset rewrites of the tensor group (table: tensor.def): attribute forms of older opsets
 * become the constant inputs of the newest form.
 *
 *   Squeeze, Unsqueeze < 13   `axes` attribute -> int64 input 1 (Squeeze without axes keeps
 *                             no input: every size-1 dim is squeezed)
 *   Split < 13                `split` attribute -> int64 input 1 (opset 1's input form kept)
 *   Slice < 10                `starts`/`ends`/`axes` attributes -> int64 inputs 1..3
 *   Pad < 11                  `pads` (opset 1: `paddings`) -> int64 input 1; `value` (float,
 *                             default 0) -> a float scalar input 2 when non-zero (the Pad
 *                             kernel converts constant_value to the data's dtype)
 *   Scatter (all)             -> ScatterElements (same inputs and axis; deprecated in 11)
 *   Tile < 6                  the (input, tiles, axis) form is unsupported (named error)
 */
#include "frontend/fe_internal.h"

#include <string.h>

/* Makes room for `count` inputs (new slots NULL). */
static om_status grow_inputs(om_fe_ctx *ctx, om_fe_node *n, int count)
{
    if (count <= n->cap_inputs) {
        for (int i = n->n_inputs; i < count; i++)
            n->inputs[i] = NULL;
        if (n->n_inputs < count)
            n->n_inputs = count;
        return OM_OK;
    }
    om_value **in = om_graph_alloc(ctx->g, (size_t)count * sizeof *in);
    if (!in)
        return om_error(OM_ERR_NO_MEMORY, "%s (op %s): out of memory", n->label, n->op_type);
    for (int i = 0; i < n->n_inputs; i++)
        in[i] = n->inputs[i];
    n->inputs = in;
    n->cap_inputs = count;
    n->n_inputs = count;
    return OM_OK;
}

/* A 1-D int64 constant "<node>/<suffix>" holding vals[0..count). */
static om_status ints_constant(om_fe_ctx *ctx, const om_fe_node *n, const char *suffix, const int64_t *vals,
                               int64_t count, om_value **out)
{
    om_shape s = om_shape_make(1, &count);
    const char *base = n->proto->name && n->proto->name[0] ? n->proto->name
                       : n->n_outputs ? n->outputs[0] : "node";
    char name[256];
    snprintf(name, sizeof name, "%s/%s", base, suffix);
    int64_t dummy = 0;
    *out = om_graph_add_constant(ctx->g, name, OM_DT_INT64, &s, count ? (const void *)vals : &dummy,
                                 (size_t)count * sizeof(int64_t));
    if (!*out)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op %s): adding input '%s'", n->label, n->op_type, suffix);
    return OM_OK;
}

/* Moves INTS attribute `attr` into input `slot` (a missing attribute leaves the input as it
 * is). `required` errors when neither the attribute nor the input exists. */
static om_status attr_to_input(om_fe_ctx *ctx, om_fe_node *n, const char *attr, int slot, bool required)
{
    om_attr *a = om_fe_node_attr(n, attr);
    if (!a) {
        if (required && (n->n_inputs <= slot || !n->inputs[slot]))
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): attribute '%s' is required", n->label,
                            n->op_type, (long long)ctx->opset, attr);
        return OM_OK;
    }
    if (a->kind != OM_ATTR_INTS && a->kind != OM_ATTR_INT)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' must be a list of ints", n->label,
                        n->op_type, attr);
    int64_t one = a->i;
    const int64_t *vals = a->kind == OM_ATTR_INTS ? a->ints : &one;
    int64_t count = a->kind == OM_ATTR_INTS ? a->count : 1;
    om_value *v;
    om_status st = ints_constant(ctx, n, attr, vals, count, &v);
    if (st != OM_OK)
        return st;
    if ((st = grow_inputs(ctx, n, slot + 1 > n->n_inputs ? slot + 1 : n->n_inputs)) != OM_OK)
        return st;
    n->inputs[slot] = v;
    om_fe_node_drop_attr(n, attr);
    return OM_OK;
}

om_status om_fe_tensor_axes_to_input(om_fe_ctx *ctx, om_fe_node *n)
{
    return attr_to_input(ctx, n, "axes", 1, strcmp(n->op_type, "Unsqueeze") == 0);
}

om_status om_fe_tensor_split_to_input(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs > 1 && n->inputs[1]) {
        om_fe_node_drop_attr(n, "split");
        return OM_OK;
    }
    return attr_to_input(ctx, n, "split", 1, false);
}

om_status om_fe_tensor_slice_to_inputs(om_fe_ctx *ctx, om_fe_node *n)
{
    om_status st;
    if ((st = attr_to_input(ctx, n, "starts", 1, true)) != OM_OK ||
        (st = attr_to_input(ctx, n, "ends", 2, true)) != OM_OK ||
        (st = attr_to_input(ctx, n, "axes", 3, false)) != OM_OK)
        return st;
    return OM_OK;
}

om_status om_fe_tensor_pad_to_inputs(om_fe_ctx *ctx, om_fe_node *n)
{
    om_attr *p = om_fe_node_attr(n, "pads");
    if (!p && (p = om_fe_node_attr(n, "paddings")) != NULL)
        p->name = "pads";
    om_status st = attr_to_input(ctx, n, "pads", 1, true);
    if (st != OM_OK)
        return st;
    om_attr *v = om_fe_node_attr(n, "value");
    if (v && v->kind == OM_ATTR_FLOAT && v->f != 0.0f) {
        om_shape s = om_shape_scalar();
        const char *base = n->proto->name && n->proto->name[0] ? n->proto->name
                           : n->n_outputs ? n->outputs[0] : "pad";
        char name[256];
        snprintf(name, sizeof name, "%s/value", base);
        om_value *c = om_graph_add_constant(ctx->g, name, OM_DT_FLOAT, &s, &v->f, sizeof(float));
        if (!c)
            return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op Pad): adding the constant value", n->label);
        if ((st = grow_inputs(ctx, n, 3)) != OM_OK)
            return st;
        n->inputs[2] = c;
    }
    om_fe_node_drop_attr(n, "value");
    return OM_OK;
}

om_status om_fe_tensor_scatter_to_elements(om_fe_ctx *ctx, om_fe_node *n)
{
    (void)ctx;
    n->op = OM_OP_SCATTER_ELEMENTS;
    return OM_OK;
}

om_status om_fe_tensor_tile_legacy(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs > 2)
        return om_error(OM_ERR_UNSUPPORTED,
                        "%s (op Tile, opset %lld): the (input, tiles, axis) form of opset 1 is unsupported; "
                        "re-export with opset >= 6 (repeats per axis)",
                        n->label, (long long)ctx->opset);
    return OM_OK;
}
