/* dce: dead code elimination.
 *
 * A node is live if one of its outputs is a graph output or is read by a live node.
 * Each sweep walks g->nodes backwards, marking the inputs of live nodes as needed and
 * marking nodes with no needed output dead; sweeps repeat until one marks nothing (in
 * topological order the first sweep is exact and the second confirms it). Dead nodes
 * are dropped with om_graph_remove_dead, then om_graph_compact drops every value that
 * nothing uses any more (outputs of dead nodes, unused constants). Graph inputs always
 * stay: they are the model's interface even when unread.
 * Counters: nodes-removed, values-removed.
 */
#include "passes/passes.h"

#include <stdlib.h>

om_status om_pass_dce(om_graph *g, const om_pass_opts *opts, bool *changed) {
    if (!g) return om_error(OM_ERR_INVALID_ARGUMENT, "dce: no graph");
    if (changed) *changed = false;
    bool *needed = calloc(g->n_values ? g->n_values : 1, sizeof(bool));
    if (!needed) return om_error(OM_ERR_NO_MEMORY, "dce: out of memory");
    int64_t nodes_removed = 0;
    bool marked;
    do {
        marked = false;
        for (size_t i = 0; i < g->n_values; i++) needed[i] = false;
        for (size_t i = 0; i < g->n_outputs; i++)
            if (g->outputs[i] && g->outputs[i]->id < g->n_values) needed[g->outputs[i]->id] = true;
        for (size_t k = g->n_nodes; k-- > 0;) {
            om_node *n = g->nodes[k];
            if (!n || n->dead) continue;
            bool live = false;
            for (int o = 0; o < n->n_outputs && !live; o++)
                if (n->outputs[o] && n->outputs[o]->id < g->n_values && needed[n->outputs[o]->id]) live = true;
            if (!live) {
                n->dead = true;
                nodes_removed++;
                marked = true;
                continue;
            }
            for (int i = 0; i < n->n_inputs; i++)
                if (n->inputs[i] && n->inputs[i]->id < g->n_values) needed[n->inputs[i]->id] = true;
        }
    } while (marked);
    free(needed);
    size_t values_before = g->n_values;
    if (nodes_removed) om_graph_remove_dead(g);
    om_graph_compact(g);
    int64_t values_removed = (int64_t)(values_before - g->n_values);
    om_pass_count(opts, "nodes-removed", nodes_removed);
    om_pass_count(opts, "values-removed", values_removed);
    if (changed) *changed = nodes_removed > 0 || values_removed > 0;
    return OM_OK;
}
