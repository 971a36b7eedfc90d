/* Structural verifier (om_ir_verify). Reports the first violation found, naming the
 * graph, the node (name and op) and the value. Checks, in order:
 *   values    non-NULL, id == index, named, known kind and dtype, rank <= OM_MAX_RANK,
 *             unique names; constants have a static shape and data of exactly
 *             numel * dtype size bytes; kind INPUT iff listed in g->inputs
 *   nodes     known op, arity within the op table's bounds, required inputs present
 *             (index < min_inputs), inputs/outputs belong to the graph, outputs are
 *             intermediates, attributes well-formed and uniquely named, node ids unique
 *   producers an intermediate is produced by at most one live node, and one that is read
 *             (by a live node or as a graph output) by exactly one, which v->producer names
 *   order     each live node comes after the producers of its inputs
 *   outputs   listed values belong to the graph and carry is_output, and vice versa.
 * Unused intermediates without a producer are tolerated (om_graph_compact drops them);
 * dead nodes are ignored. Shapes are not checked here (shape inference does that).
 */
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"

typedef struct vstate {
    const om_graph *g;
    int *live_producers;   /* per value id: number of live nodes listing it as an output */
    unsigned char *used;   /* per value id: read by a live node or a graph output */
    unsigned char *ready;  /* per value id: available at the current node */
    const om_node **producer; /* per value id: the (last) live node producing it */
} vstate;

#define GRAPH_NAME(g) ((g)->name ? (g)->name : "")

static bool owned(const om_graph *g, const om_value *v)
{
    return v && v->id < g->n_values && g->values[v->id] == v;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static om_status check_constant_data(const om_graph *g, const om_value *v, const char *what)
{
    size_t esize = om_dtype_size(v->dtype);
    int64_t numel = om_shape_numel(&v->shape);
    if (esize == 0)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s '%s': dtype %s cannot hold constant data",
                        GRAPH_NAME(g), what, v->name, om_dtype_name(v->dtype));
    if (numel < 0)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s '%s': shape is not static",
                        GRAPH_NAME(g), what, v->name);
    if ((uint64_t)numel > SIZE_MAX / esize || (size_t)numel * esize != v->nbytes)
        return om_error(OM_ERR_INVALID_MODEL,
                        "graph '%s': %s '%s': has %zu bytes of data, expected %lld elements of %s = %llu bytes",
                        GRAPH_NAME(g), what, v->name, v->nbytes, (long long)numel,
                        om_dtype_name(v->dtype), (unsigned long long)((uint64_t)numel * esize));
    if (v->nbytes > 0 && !v->data)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s '%s': data is NULL", GRAPH_NAME(g), what,
                        v->name);
    return OM_OK;
}

static om_status check_values(vstate *s)
{
    const om_graph *g = s->g;
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        if (!v)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value #%zu is NULL", GRAPH_NAME(g), i);
        if (!v->name)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value #%zu has no name", GRAPH_NAME(g), i);
        if (v->id != i)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has id %u but is at index %zu",
                            GRAPH_NAME(g), v->name, v->id, i);
        if (v->kind != OM_VALUE_INTERMEDIATE && v->kind != OM_VALUE_INPUT && v->kind != OM_VALUE_CONSTANT)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has unknown kind %d",
                            GRAPH_NAME(g), v->name, (int)v->kind);
        if (v->dtype != OM_DT_UNDEFINED && om_dtype_name(v->dtype)[0] == '?')
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has unknown dtype %d",
                            GRAPH_NAME(g), v->name, (int)v->dtype);
        if (v->shape.rank > OM_MAX_RANK || v->shape.rank < -1)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has rank %d (must be -1..%d)",
                            GRAPH_NAME(g), v->name, v->shape.rank, OM_MAX_RANK);
        for (int d = 0; d < v->shape.rank; d++)
            if (v->shape.dims[d] < OM_DIM_UNKNOWN)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has dim %d = %lld",
                                GRAPH_NAME(g), v->name, d, (long long)v->shape.dims[d]);
        if (v->kind == OM_VALUE_CONSTANT) {
            om_status st = check_constant_data(g, v, "constant");
            if (st != OM_OK)
                return st;
        }
        if (v->kind != OM_VALUE_INTERMEDIATE)
            s->ready[i] = 1;
    }
    /* Unique names: sort a copy of the name pointers. */
    if (g->n_values > 1) {
        const char **names = malloc(g->n_values * sizeof *names);
        if (!names)
            return om_error(OM_ERR_NO_MEMORY, "verifier: out of memory");
        for (size_t i = 0; i < g->n_values; i++)
            names[i] = g->values[i]->name;
        qsort(names, g->n_values, sizeof *names, cmp_str);
        for (size_t i = 1; i < g->n_values; i++) {
            if (strcmp(names[i - 1], names[i]) == 0) {
                om_status st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': value name '%s' is used twice",
                                        GRAPH_NAME(g), names[i]);
                free(names);
                return st;
            }
        }
        free(names);
    }
    /* Kind INPUT iff listed as an input. */
    unsigned char *listed = calloc(g->n_values ? g->n_values : 1, 1);
    if (!listed)
        return om_error(OM_ERR_NO_MEMORY, "verifier: out of memory");
    om_status st = OM_OK;
    for (size_t i = 0; i < g->n_inputs && st == OM_OK; i++) {
        const om_value *v = g->inputs[i];
        if (!owned(g, v))
            st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': input #%zu '%s' is not a value of the graph",
                          GRAPH_NAME(g), i, v && v->name ? v->name : "(null)");
        else if (v->kind != OM_VALUE_INPUT)
            st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': input #%zu '%s' is not of kind input",
                          GRAPH_NAME(g), i, v->name);
        else if (listed[v->id])
            st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is listed twice as an input",
                          GRAPH_NAME(g), v->name);
        else
            listed[v->id] = 1;
    }
    for (size_t i = 0; i < g->n_values && st == OM_OK; i++)
        if (g->values[i]->kind == OM_VALUE_INPUT && !listed[i])
            st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' has kind input but is not a graph input",
                          GRAPH_NAME(g), g->values[i]->name);
    free(listed);
    return st;
}

static om_status check_attrs(const om_graph *g, const om_node *n, const char *nd)
{
    if (n->n_attrs < 0 || (n->n_attrs > 0 && !n->attrs))
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: bad attribute array", GRAPH_NAME(g), nd);
    for (int i = 0; i < n->n_attrs; i++) {
        const om_attr *a = &n->attrs[i];
        if (!a->name)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: attribute #%d has no name", GRAPH_NAME(g), nd, i);
        for (int j = 0; j < i; j++)
            if (n->attrs[j].name && strcmp(n->attrs[j].name, a->name) == 0)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: attribute '%s' appears twice",
                                GRAPH_NAME(g), nd, a->name);
        bool bad = false;
        switch (a->kind) {
        case OM_ATTR_INT:
        case OM_ATTR_FLOAT: break;
        case OM_ATTR_STRING: bad = !a->s; break;
        case OM_ATTR_INTS: bad = a->count < 0 || (a->count > 0 && !a->ints); break;
        case OM_ATTR_FLOATS: bad = a->count < 0 || (a->count > 0 && !a->floats); break;
        case OM_ATTR_STRINGS:
            bad = a->count < 0 || (a->count > 0 && !a->strings);
            for (int k = 0; !bad && k < a->count; k++)
                bad = !a->strings[k];
            break;
        case OM_ATTR_TENSOR:
            if (!a->tensor || a->tensor->kind != OM_VALUE_CONSTANT)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: tensor attribute '%s' holds no constant",
                                GRAPH_NAME(g), nd, a->name);
            else {
                char what[300];
                if (snprintf(what, sizeof what, "%s: tensor attribute '%s'", nd, a->name) < 0)
                    what[0] = '\0'; /* truncation is fine: it is a message */
                om_status st = check_constant_data(g, a->tensor, what);
                if (st != OM_OK)
                    return st;
            }
            break;
        default:
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: attribute '%s' has unknown kind %d",
                            GRAPH_NAME(g), nd, a->name, (int)a->kind);
        }
        if (bad)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: attribute '%s' has missing data",
                            GRAPH_NAME(g), nd, a->name);
    }
    return OM_OK;
}

static void arity_text(char *buf, size_t size, int lo, int hi)
{
    if (hi < 0)
        snprintf(buf, size, "at least %d", lo);
    else if (lo == hi)
        snprintf(buf, size, "%d", lo);
    else
        snprintf(buf, size, "%d to %d", lo, hi);
}

static om_status check_node(vstate *s, const om_node *n, size_t pos)
{
    const om_graph *g = s->g;
    char nd[300], ar[64];
    om_ir_node_desc(n, nd, sizeof nd);
    const om_op_info *info = om_op_get(n->op);
    if (!info)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': node #%zu '%s' has unknown op %d", GRAPH_NAME(g),
                        pos, n->name ? n->name : "", (int)n->op);
    if (n->n_inputs < info->min_inputs || (info->max_inputs >= 0 && n->n_inputs > info->max_inputs)) {
        arity_text(ar, sizeof ar, info->min_inputs, info->max_inputs);
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s has %d inputs, %s takes %s", GRAPH_NAME(g), nd,
                        n->n_inputs, info->name, ar);
    }
    if (n->n_outputs < info->min_outputs || (info->max_outputs >= 0 && n->n_outputs > info->max_outputs)) {
        arity_text(ar, sizeof ar, info->min_outputs, info->max_outputs);
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s has %d outputs, %s produces %s", GRAPH_NAME(g),
                        nd, n->n_outputs, info->name, ar);
    }
    if ((n->n_inputs > 0 && !n->inputs) || (n->n_outputs > 0 && !n->outputs))
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s has a NULL input or output array", GRAPH_NAME(g), nd);
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *v = n->inputs[i];
        if (!v) {
            if (i < info->min_inputs)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: input %d is required but omitted",
                                GRAPH_NAME(g), nd, i);
            continue;
        }
        if (!owned(g, v))
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: input %d '%s' is not a value of the graph",
                            GRAPH_NAME(g), nd, i, v->name ? v->name : "(null)");
    }
    for (int i = 0; i < n->n_outputs; i++) {
        const om_value *v = n->outputs[i];
        if (!v)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: output %d is NULL", GRAPH_NAME(g), nd, i);
        if (!owned(g, v))
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: output %d '%s' is not a value of the graph",
                            GRAPH_NAME(g), nd, i, v->name ? v->name : "(null)");
        if (v->kind != OM_VALUE_INTERMEDIATE)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: output %d '%s' is a graph %s, not an intermediate",
                            GRAPH_NAME(g), nd, i, v->name, v->kind == OM_VALUE_INPUT ? "input" : "constant");
        for (int j = 0; j < i; j++)
            if (n->outputs[j] == v)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s: value '%s' is outputs %d and %d",
                                GRAPH_NAME(g), nd, v->name, j, i);
        s->live_producers[v->id]++;
        s->producer[v->id] = n;
    }
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i])
            s->used[n->inputs[i]->id] = 1;
    return check_attrs(g, n, nd);
}

static om_status check_nodes(vstate *s)
{
    const om_graph *g = s->g;
    if (g->n_nodes > 0 && !g->nodes)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': node array is NULL", GRAPH_NAME(g));
    uint32_t *ids = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *ids);
    if (!ids)
        return om_error(OM_ERR_NO_MEMORY, "verifier: out of memory");
    om_status st = OM_OK;
    size_t n_ids = 0;
    for (size_t i = 0; i < g->n_nodes && st == OM_OK; i++) {
        const om_node *n = g->nodes[i];
        if (!n) {
            st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': node #%zu is NULL", GRAPH_NAME(g), i);
            break;
        }
        ids[n_ids++] = n->id;
        if (!n->dead)
            st = check_node(s, n, i);
    }
    if (st == OM_OK && n_ids > 1) {
        qsort(ids, n_ids, sizeof *ids, cmp_u32);
        for (size_t i = 1; i < n_ids; i++)
            if (ids[i] == ids[i - 1]) {
                st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': node id %u is used by two nodes",
                              GRAPH_NAME(g), ids[i]);
                break;
            }
    }
    free(ids);
    return st;
}

static om_status check_outputs(vstate *s)
{
    const om_graph *g = s->g;
    for (size_t i = 0; i < g->n_outputs; i++) {
        const om_value *v = g->outputs[i];
        if (!owned(g, v))
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': output #%zu '%s' is not a value of the graph",
                            GRAPH_NAME(g), i, v && v->name ? v->name : "(null)");
        if (!v->is_output)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': output #%zu '%s' is not marked is_output",
                            GRAPH_NAME(g), i, v->name);
        s->used[v->id] = 1;
    }
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        if (!v->is_output)
            continue;
        bool found = false;
        for (size_t j = 0; j < g->n_outputs && !found; j++)
            found = g->outputs[j] == v;
        if (!found)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is marked is_output but is not a graph output",
                            GRAPH_NAME(g), v->name);
    }
    return OM_OK;
}

static om_status check_producers(vstate *s)
{
    const om_graph *g = s->g;
    char nd[300];
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        int np = s->live_producers[i];
        if (v->kind != OM_VALUE_INTERMEDIATE)
            continue;
        if (np > 1)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is produced by %d live nodes",
                            GRAPH_NAME(g), v->name, np);
        if (np == 0 && s->used[i])
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is used but no live node produces it",
                            GRAPH_NAME(g), v->name);
        if (np == 1) {
            const om_node *p = s->producer[i];
            if (v->producer != p)
                return om_error(OM_ERR_INVALID_MODEL,
                                "graph '%s': value '%s' is produced by %s but its producer field says %s",
                                GRAPH_NAME(g), v->name, om_ir_node_desc(p, nd, sizeof nd),
                                v->producer ? (v->producer->dead ? "a dead node" : "another node") : "none");
            if (v->producer_output < 0 || v->producer_output >= p->n_outputs ||
                p->outputs[v->producer_output] != v)
                return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s': producer_output %d does not match %s",
                                GRAPH_NAME(g), v->name, v->producer_output, om_ir_node_desc(p, nd, sizeof nd));
        }
    }
    return OM_OK;
}

static om_status check_order(vstate *s)
{
    const om_graph *g = s->g;
    char nd[300];
    for (size_t i = 0; i < g->n_nodes; i++) {
        const om_node *n = g->nodes[i];
        if (n->dead)
            continue;
        for (int j = 0; j < n->n_inputs; j++) {
            const om_value *v = n->inputs[j];
            if (v && !s->ready[v->id])
                return om_error(OM_ERR_INVALID_MODEL,
                                "graph '%s': %s reads '%s' (input %d) before its producer %s: nodes are not in topological order",
                                GRAPH_NAME(g), om_ir_node_desc(n, nd, sizeof nd), v->name, j,
                                s->producer[v->id] == n ? "(itself)" : "runs");
        }
        for (int j = 0; j < n->n_outputs; j++)
            s->ready[n->outputs[j]->id] = 1;
    }
    return OM_OK;
}

om_status om_ir_verify(const om_graph *g)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_verify: graph is NULL");
    if ((g->n_values > 0 && !g->values) || (g->n_inputs > 0 && !g->inputs) || (g->n_outputs > 0 && !g->outputs))
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': NULL value, input or output array", GRAPH_NAME(g));
    size_t nv = g->n_values ? g->n_values : 1;
    vstate s = {g, calloc(nv, sizeof(int)), calloc(nv, 1), calloc(nv, 1), calloc(nv, sizeof(om_node *))};
    om_status st;
    if (!s.live_producers || !s.used || !s.ready || !s.producer) {
        st = om_error(OM_ERR_NO_MEMORY, "verifier: out of memory");
        goto done;
    }
    if ((st = check_values(&s)) != OM_OK || (st = check_nodes(&s)) != OM_OK ||
        (st = check_outputs(&s)) != OM_OK || (st = check_producers(&s)) != OM_OK)
        goto done;
    st = check_order(&s);
done:
    free(s.live_producers);
    free(s.used);
    free(s.ready);
    free(s.producer);
    return st;
}
