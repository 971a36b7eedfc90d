/* Whole-graph edits: dropping dead nodes, compacting values, rewiring uses, counting uses.
 *
 * om_graph_remove_dead keeps the order of the surviving nodes and clears the producer of
 * values whose producer was dropped. om_graph_compact first removes dead nodes, then
 * keeps exactly the values that are graph inputs, graph outputs, or read/written by a
 * live node, in their previous relative order, renumbers ids to indices and rebuilds the
 * name index. Neither frees memory (the arena owns it).
 */
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"

void om_graph_remove_dead(om_graph *g)
{
    if (!g)
        return;
    size_t k = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *n = g->nodes[i];
        if (!n->dead) {
            g->nodes[k++] = n;
            continue;
        }
        for (int j = 0; j < n->n_outputs; j++) {
            om_value *v = n->outputs[j];
            if (v && v->producer == n) {
                v->producer = NULL;
                v->producer_output = 0;
            }
        }
    }
    g->n_nodes = k;
}

static bool owned(const om_graph *g, const om_value *v)
{
    return v && v->id < g->n_values && g->values[v->id] == v;
}

void om_graph_compact(om_graph *g)
{
    if (!g)
        return;
    om_graph_remove_dead(g);
    size_t n = g->n_values;
    if (n == 0) {
        om_ir_names_rebuild(g);
        return;
    }
    /* Mark kept values in a temporary bitmap; without memory, keep everything. */
    unsigned char *keep = calloc(n, 1);
    if (!keep)
        return;
    for (size_t i = 0; i < g->n_inputs; i++)
        if (owned(g, g->inputs[i]))
            keep[g->inputs[i]->id] = 1;
    for (size_t i = 0; i < g->n_outputs; i++)
        if (owned(g, g->outputs[i]))
            keep[g->outputs[i]->id] = 1;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *nd = g->nodes[i];
        for (int j = 0; j < nd->n_inputs; j++)
            if (owned(g, nd->inputs[j]))
                keep[nd->inputs[j]->id] = 1;
        for (int j = 0; j < nd->n_outputs; j++)
            if (owned(g, nd->outputs[j]))
                keep[nd->outputs[j]->id] = 1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        om_value *v = g->values[i];
        v->id = (uint32_t)k;
        g->values[k++] = v;
    }
    g->n_values = k;
    free(keep);
    /* Rebuilding only re-inserts into a table that is already large enough. */
    om_ir_names_rebuild(g);
}

void om_graph_replace_uses(om_graph *g, om_value *from, om_value *to)
{
    if (!g || !from || !to || from == to)
        return;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *n = g->nodes[i];
        for (int j = 0; j < n->n_inputs; j++)
            if (n->inputs[j] == from)
                n->inputs[j] = to;
    }
    bool replaced = false;
    for (size_t i = 0; i < g->n_outputs; i++) {
        if (g->outputs[i] == from) {
            g->outputs[i] = to;
            replaced = true;
        }
    }
    if (replaced) {
        from->is_output = false;
        to->is_output = true;
    }
}

int om_graph_count_uses(const om_graph *g, const om_value *v)
{
    if (!g || !v)
        return 0;
    int uses = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const om_node *n = g->nodes[i];
        if (n->dead)
            continue;
        for (int j = 0; j < n->n_inputs; j++)
            if (n->inputs[j] == v)
                uses++;
    }
    return uses;
}
