/* Opset rewrites of the logic group (table: logic.def).
 *
 *   Pow, And, Or, Xor, Equal, Greater, Less < 7
 *                     `broadcast`/`axis` -> numpy broadcasting: with broadcast=1 B's shape
 *                     matches a run of A's dims starting at `axis`; when that run is not
 *                     aligned to the end, a constant B is re-declared with trailing 1 dims
 *                     (a non-constant B is unsupported); without broadcast the shapes are
 *                     equal, which numpy broadcasting covers.
 *   Cast < 6          `to` was a string ("FLOAT", "INT64", ...) -> the int dtype code.
 * Max/Min/Sum/Mean < 6 only lose `consumed_inputs` (the generic rule); before opset 8 their
 * inputs had equal shapes, a special case of broadcasting.
 */
#include "frontend/fe_internal.h"

#include <string.h>
#include <strings.h>

om_status om_fe_logic_legacy_broadcast(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *bc = om_fe_node_attr(n, "broadcast");
    const om_attr *ax = om_fe_node_attr(n, "axis");
    bool on = bc && bc->kind == OM_ATTR_INT && bc->i != 0;
    if (on && ax && n->n_inputs == 2 && n->inputs[0] && n->inputs[1]) {
        om_value *a = n->inputs[0], *b = n->inputs[1];
        int ra = a->shape.rank, rb = b->shape.rank;
        int64_t axis = ax->kind == OM_ATTR_INT ? ax->i : 0;
        if (ra >= 0 && axis < 0)
            axis += ra;
        if (ra < 0 || rb < 0 || axis < 0 || axis + rb > ra)
            return om_error(OM_ERR_UNSUPPORTED,
                            "%s (op %s, opset %lld): legacy broadcast with axis=%lld needs known ranks "
                            "with axis + rank('%s') <= rank('%s') (ranks %d, %d)",
                            n->label, n->op_type, (long long)ctx->opset, (long long)axis, b->name, a->name,
                            rb, ra);
        int trailing = ra - (int)axis - rb;
        if (trailing > 0) {
            if (b->kind != OM_VALUE_CONSTANT)
                return om_error(OM_ERR_UNSUPPORTED,
                                "%s (op %s, opset %lld): legacy broadcast of non-constant '%s' at axis %lld",
                                n->label, n->op_type, (long long)ctx->opset, b->name, (long long)axis);
            om_shape s = b->shape;
            for (int i = 0; i < trailing; i++)
                s.dims[s.rank++] = 1;
            char name[256];
            snprintf(name, sizeof name, "%s/broadcast", b->name);
            om_value *nb = om_graph_add_constant(ctx->g, name, b->dtype, &s, b->data, b->nbytes);
            if (!nb)
                return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op %s)", n->label, n->op_type);
            n->inputs[1] = nb;
        }
    }
    om_fe_node_drop_attr(n, "broadcast");
    om_fe_node_drop_attr(n, "axis");
    return OM_OK;
}

om_status om_fe_logic_cast_to_string(om_fe_ctx *ctx, om_fe_node *n)
{
    om_attr *to = om_fe_node_attr(n, "to");
    if (!to || to->kind != OM_ATTR_STRING)
        return OM_OK; /* absent or already an int: the shape rule reports it */
    static const struct { const char *name; om_dtype dt; } names[] = {
        {"FLOAT", OM_DT_FLOAT},   {"UINT8", OM_DT_UINT8},   {"INT8", OM_DT_INT8},
        {"UINT16", OM_DT_UINT16}, {"INT16", OM_DT_INT16},   {"INT32", OM_DT_INT32},
        {"INT64", OM_DT_INT64},   {"STRING", OM_DT_STRING}, {"BOOL", OM_DT_BOOL},
        {"FLOAT16", OM_DT_FLOAT16}, {"DOUBLE", OM_DT_DOUBLE}, {"UINT32", OM_DT_UINT32},
        {"UINT64", OM_DT_UINT64}, {"BFLOAT16", OM_DT_BFLOAT16},
    };
    const char *s = to->s ? to->s : "";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            om_fe_node_drop_attr(n, "to");
            return om_fe_node_set_int(ctx, n, "to", names[i].dt);
        }
    }
    return om_error(OM_ERR_INVALID_MODEL, "%s (op Cast, opset %lld): attribute 'to' is '%s', not a tensor type name",
                    n->label, (long long)ctx->opset, s);
}
