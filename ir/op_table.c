/* The op table: ops.def expanded into an array indexed by om_op, plus name lookup.
 * Lookup is a linear scan with strcmp; the table is small and lookups happen once per
 * node at import or parse time.
 */
#include <string.h>

#include "ir/ir.h"

static const om_op_info op_table[OM_OP_COUNT] = {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) \
    [OM_OP_##e] = {name, min_in, max_in, min_out, max_out},
#include "ir/ops.def"
#undef OM_OP
};

const om_op_info *om_op_get(om_op op)
{
    if ((int)op < 0 || (int)op >= OM_OP_COUNT)
        return NULL;
    return &op_table[op];
}

const char *om_op_name(om_op op)
{
    const om_op_info *info = om_op_get(op);
    return info ? info->name : "?";
}

om_op om_op_lookup(const char *name)
{
    if (!name)
        return OM_OP_COUNT;
    for (int i = 0; i < OM_OP_COUNT; i++)
        if (strcmp(op_table[i].name, name) == 0)
            return (om_op)i;
    return OM_OP_COUNT;
}
