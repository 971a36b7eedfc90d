/* Opset rewrites of the logic group (table: logic.def).
 *
 *   Pow, And, Or, Xor, Equal, Greater, Less < 7
 *                     `broadcast`/`axis` -> numpy broadcasting, by the same rewrite as
 *                     Add/Sub/Mul/Div (om_fe_legacy_broadcast in frontend/opset_rewrites.c).
 *   Cast < 6          `to` was a string ("FLOAT", "INT64", ...) -> the int dtype code.
 * Max/Min/Sum/Mean < 6 only lose `consumed_inputs` (the generic rule); before opset 8 their
 * inputs had equal shapes, a special case of broadcasting.
 */
#include "frontend/fe_internal.h"

#include <string.h>
#include <strings.h>

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
