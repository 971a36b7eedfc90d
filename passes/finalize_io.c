/* finalize-io: every graph output slot gets its own value, produced by a node.
 *
 * Codegen and the runtime write each output into its own user buffer, so an output
 * cannot be a graph input or a constant (nothing would write it) and one value cannot
 * fill two output slots. For each slot, in order: if the value is not an intermediate,
 * or an earlier slot already holds it, an Identity node copying it is appended to
 * g->nodes and the slot is pointed at the copy. The copy has the original's dtype and
 * shape and the original's name made unique by the IR ("y" -> "y_1"). Afterwards
 * is_output is true exactly for the values listed in g->outputs. Other nodes may still
 * read an output value; that is fine. Counter: copies-inserted.
 */
#include "passes/passes.h"

om_status om_pass_finalize_io(om_graph *g, const om_pass_opts *opts, bool *changed) {
    if (!g) return om_error(OM_ERR_INVALID_ARGUMENT, "finalize-io: no graph");
    if (changed) *changed = false;
    int64_t copies = 0;
    for (size_t i = 0; i < g->n_outputs; i++) {
        om_value *v = g->outputs[i];
        if (!v) return om_error(OM_ERR_INVALID_MODEL, "finalize-io: graph output %zu is missing", i);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) dup = g->outputs[j] == v;
        if (v->kind == OM_VALUE_INTERMEDIATE && v->producer && !dup) continue;
        om_value *copy = om_graph_add_value(g, v->name, v->dtype, &v->shape);
        if (!copy) return om_error(OM_ERR_NO_MEMORY, "finalize-io: out of memory copying output '%s'", v->name);
        om_node *n = om_graph_add_node(g, OM_OP_IDENTITY, copy->name, &v, 1, &copy, 1);
        if (!n) return om_error(OM_ERR_NO_MEMORY, "finalize-io: out of memory copying output '%s'", v->name);
        g->outputs[i] = copy;
        copies++;
    }
    for (size_t i = 0; i < g->n_values; i++)
        if (g->values[i]) g->values[i]->is_output = false;
    for (size_t i = 0; i < g->n_outputs; i++) g->outputs[i]->is_output = true;
    om_pass_count(opts, "copies-inserted", copies);
    if (changed) *changed = copies > 0;
    return OM_OK;
}
