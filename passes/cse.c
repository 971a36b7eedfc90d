/* cse: common subexpression elimination.
 *
 * Constants first: constants with the same dtype, shape and bytes are merged into the first
 * one (uses redirected; a constant that is a graph output is kept). Then nodes, in
 * topological order: a node with the same op, the same input values (same order, omitted
 * inputs in the same places), the same number of outputs and equal attributes (same set of
 * names; equal kinds and values, floats compared bitwise, tensor attributes by dtype, shape
 * and bytes) as an earlier live node is a duplicate: each of its outputs is replaced by the
 * earlier node's output and it dies. Since inputs are compared by identity and nodes are
 * visited in topological order, chains of duplicates merge in one sweep.
 * Never merged: nondeterministic ops (Random*, Bernoulli, Multinomial), nodes without
 * outputs, and duplicates with an output that is a graph output (its name must stay).
 * Lookup is a hash table keyed by op, inputs and attribute count (collisions compared in full).
 * Counters: constants-merged, nodes-merged.
 */
#include "passes/pattern.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static bool same_const(const om_value *a, const om_value *b)
{
    return a->dtype == b->dtype && om_shape_equal(&a->shape, &b->shape) && a->nbytes == b->nbytes &&
           (a->nbytes == 0 || (a->data && b->data && memcmp(a->data, b->data, a->nbytes) == 0));
}

static bool same_attr(const om_attr *a, const om_attr *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case OM_ATTR_INT: return a->i == b->i;
    case OM_ATTR_FLOAT: return memcmp(&a->f, &b->f, sizeof(float)) == 0;
    case OM_ATTR_STRING: return strcmp(a->s, b->s) == 0;
    case OM_ATTR_INTS:
        return a->count == b->count && (a->count == 0 || memcmp(a->ints, b->ints, (size_t)a->count * 8) == 0);
    case OM_ATTR_FLOATS:
        return a->count == b->count && (a->count == 0 || memcmp(a->floats, b->floats, (size_t)a->count * 4) == 0);
    case OM_ATTR_STRINGS:
        if (a->count != b->count)
            return false;
        for (int i = 0; i < a->count; i++)
            if (strcmp(a->strings[i], b->strings[i]) != 0)
                return false;
        return true;
    case OM_ATTR_TENSOR: return a->tensor && b->tensor && same_const(a->tensor, b->tensor);
    default: return false;
    }
}

static bool same_node(const om_node *a, const om_node *b)
{
    if (a->op != b->op || a->n_inputs != b->n_inputs || a->n_outputs != b->n_outputs || a->n_attrs != b->n_attrs)
        return false;
    for (int i = 0; i < a->n_inputs; i++)
        if (a->inputs[i] != b->inputs[i])
            return false;
    for (int i = 0; i < a->n_attrs; i++) {
        const om_attr *other = om_node_attr(b, a->attrs[i].name);
        if (!other || !same_attr(&a->attrs[i], other))
            return false;
    }
    return true;
}

static bool nondeterministic(om_op op)
{
    const char *name = om_op_name(op);
    return strncmp(name, "Random", 6) == 0 || strcmp(name, "Bernoulli") == 0 || strcmp(name, "Multinomial") == 0;
}

static uint64_t node_hash(const om_node *n)
{
    uint64_t h = mix((uint64_t)n->op, (uint64_t)n->n_attrs);
    for (int i = 0; i < n->n_inputs; i++)
        h = mix(h, n->inputs[i] ? (uint64_t)n->inputs[i]->id + 1 : 0);
    return h;
}

/* open-addressing table of pointers keyed by a 64-bit hash */
typedef struct table {
    void **items;
    uint64_t *hashes;
    size_t cap;
} table;

static bool table_init(table *t, size_t n)
{
    t->cap = 16;
    while (t->cap < 2 * n + 2)
        t->cap *= 2;
    t->items = calloc(t->cap, sizeof(void *));
    t->hashes = calloc(t->cap, sizeof(uint64_t));
    return t->items && t->hashes;
}

static void table_free(table *t)
{
    free(t->items);
    free(t->hashes);
}

om_status om_pass_cse(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "cse: no graph");
    if (changed)
        *changed = false;
    int64_t consts_merged = 0, nodes_merged = 0;
    table t = {0};
    /* constants */
    if (!table_init(&t, g->n_values)) {
        table_free(&t);
        return om_error(OM_ERR_NO_MEMORY, "cse: out of memory");
    }
    for (size_t i = 0; i < g->n_values; i++) {
        om_value *v = g->values[i];
        if (!v || v->kind != OM_VALUE_CONSTANT || !v->data || v->is_output)
            continue;
        uint64_t h = mix(hash_bytes(v->data, v->nbytes), (uint64_t)v->dtype);
        size_t s = h & (t.cap - 1);
        bool merged = false;
        for (; t.items[s]; s = (s + 1) & (t.cap - 1)) {
            om_value *u = t.items[s];
            if (t.hashes[s] == h && same_const(u, v)) {
                if (om_graph_count_uses(g, v) > 0) {
                    om_graph_replace_uses(g, v, u);
                    consts_merged++;
                }
                merged = true;
                break;
            }
        }
        if (!merged) {
            t.items[s] = v;
            t.hashes[s] = h;
        }
    }
    table_free(&t);
    /* nodes */
    if (!table_init(&t, g->n_nodes)) {
        table_free(&t);
        return om_error(OM_ERR_NO_MEMORY, "cse: out of memory");
    }
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead || n->n_outputs < 1 || nondeterministic(n->op))
            continue;
        uint64_t h = node_hash(n);
        size_t s = h & (t.cap - 1);
        om_node *dup = NULL;
        for (; t.items[s]; s = (s + 1) & (t.cap - 1))
            if (t.hashes[s] == h && same_node(t.items[s], n)) {
                dup = t.items[s];
                break;
            }
        if (!dup) {
            t.items[s] = n;
            t.hashes[s] = h;
            continue;
        }
        bool keeps_output = false;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] && n->outputs[o]->is_output)
                keeps_output = true;
        if (keeps_output)
            continue;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] && dup->outputs[o])
                om_graph_replace_uses(g, n->outputs[o], dup->outputs[o]);
        n->dead = true;
        nodes_merged++;
    }
    table_free(&t);
    if (nodes_merged)
        om_graph_remove_dead(g);
    if (consts_merged || nodes_merged)
        om_graph_compact(g);
    om_pass_count(opts, "constants-merged", consts_merged);
    om_pass_count(opts, "nodes-merged", nodes_merged);
    if (changed)
        *changed = consts_merged || nodes_merged;
    return OM_OK;
}
