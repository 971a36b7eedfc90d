/* Creating nodes: append, insert before/after a position, and input access.
 *
 * A new node gets a fresh id (g->next_node_id++), copies of its input and output
 * arrays in the arena, and becomes the producer of each of its outputs. Arity is not
 * checked here (om_ir_verify does that against the op table), so passes may build a
 * node in steps; NULL outputs and out-of-range ops are refused.
 */
#include <stdio.h>
#include <string.h>

#include "ir/graph_impl.h"

const char *om_ir_node_desc(const om_node *n, char *buf, size_t size)
{
    if (!n)
        snprintf(buf, size, "node (null)");
    else if (n->name && n->name[0])
        snprintf(buf, size, "node '%s' (%s)", n->name, om_op_name(n->op));
    else
        snprintf(buf, size, "node #%u (%s)", n->id, om_op_name(n->op));
    return buf;
}

static om_node *new_node(om_graph *g, om_op op, const char *name, om_value *const *inputs,
                         int n_inputs, om_value *const *outputs, int n_outputs)
{
    if (!g) {
        om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_add_node: graph is NULL");
        return NULL;
    }
    const char *nm = name ? name : "";
    if (!om_op_get(op)) {
        om_error(OM_ERR_INVALID_ARGUMENT, "node '%s': op %d is out of range", nm, (int)op);
        return NULL;
    }
    if (n_inputs < 0 || n_outputs < 0 || (n_inputs > 0 && !inputs) || (n_outputs > 0 && !outputs)) {
        om_error(OM_ERR_INVALID_ARGUMENT, "node '%s' (%s): bad input/output arrays", nm,
                 om_op_name(op));
        return NULL;
    }
    for (int i = 0; i < n_outputs; i++) {
        if (!outputs[i]) {
            om_error(OM_ERR_INVALID_ARGUMENT, "node '%s' (%s): output %d is NULL", nm,
                     om_op_name(op), i);
            return NULL;
        }
    }
    om_node *n = om_graph_alloc(g, sizeof *n);
    om_value **ins = om_graph_alloc(g, (size_t)n_inputs * sizeof *ins);
    om_value **outs = om_graph_alloc(g, (size_t)n_outputs * sizeof *outs);
    const char *nname = om_graph_strdup(g, nm);
    if (!n || !ins || !outs || !nname ||
        om_ir_grow(g, (void ***)&g->nodes, g->n_nodes, &g->cap_nodes) != OM_OK) {
        om_error(OM_ERR_NO_MEMORY, "node '%s' (%s): out of memory", nm, om_op_name(op));
        return NULL;
    }
    if (n_inputs)
        memcpy(ins, inputs, (size_t)n_inputs * sizeof *ins);
    if (n_outputs)
        memcpy(outs, outputs, (size_t)n_outputs * sizeof *outs);
    n->id = g->next_node_id++;
    n->op = op;
    n->name = nname;
    n->n_inputs = n_inputs;
    n->inputs = ins;
    n->n_outputs = n_outputs;
    n->outputs = outs;
    for (int i = 0; i < n_outputs; i++) {
        outs[i]->producer = n;
        outs[i]->producer_output = i;
    }
    return n;
}

/* Inserts n at index pos of g->nodes (capacity already ensured by new_node). */
static void place_at(om_graph *g, om_node *n, size_t pos)
{
    memmove(&g->nodes[pos + 1], &g->nodes[pos], (g->n_nodes - pos) * sizeof *g->nodes);
    g->nodes[pos] = n;
    g->n_nodes++;
}

om_node *om_graph_add_node(om_graph *g, om_op op, const char *name, om_value *const *inputs,
                           int n_inputs, om_value *const *outputs, int n_outputs)
{
    om_node *n = new_node(g, op, name, inputs, n_inputs, outputs, n_outputs);
    if (n)
        g->nodes[g->n_nodes++] = n;
    return n;
}

static bool find_pos(const om_graph *g, const om_node *pos, size_t *idx)
{
    if (!g || !pos)
        return false;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i] == pos) {
            *idx = i;
            return true;
        }
    }
    return false;
}

static om_node *insert_at(om_graph *g, om_node *pos, bool after, om_op op, const char *name,
                          om_value *const *inputs, int n_inputs, om_value *const *outputs,
                          int n_outputs)
{
    size_t idx;
    if (!find_pos(g, pos, &idx)) {
        om_error(OM_ERR_INVALID_ARGUMENT, "cannot insert node '%s' (%s): position node is %s",
                 name ? name : "", om_op_name(op), pos ? "not in the graph" : "NULL");
        return NULL;
    }
    om_node *n = new_node(g, op, name, inputs, n_inputs, outputs, n_outputs);
    if (n)
        place_at(g, n, after ? idx + 1 : idx);
    return n;
}

om_node *om_graph_insert_node_before(om_graph *g, om_node *pos, om_op op, const char *name,
                                     om_value *const *inputs, int n_inputs,
                                     om_value *const *outputs, int n_outputs)
{
    return insert_at(g, pos, false, op, name, inputs, n_inputs, outputs, n_outputs);
}

om_node *om_graph_insert_node_after(om_graph *g, om_node *pos, om_op op, const char *name,
                                    om_value *const *inputs, int n_inputs,
                                    om_value *const *outputs, int n_outputs)
{
    return insert_at(g, pos, true, op, name, inputs, n_inputs, outputs, n_outputs);
}

om_value *om_node_input(const om_node *n, int i)
{
    if (!n || i < 0 || i >= n->n_inputs || !n->inputs)
        return NULL;
    return n->inputs[i];
}
