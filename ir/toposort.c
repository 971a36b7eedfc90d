/* Stable topological sort of g->nodes (Kahn's algorithm with a min-heap on the current
 * position), so nodes already in order keep their order and every node lands as early as
 * its producers allow. Inputs produced by nodes outside g->nodes (or by nothing) count as
 * ready. A cycle leaves nodes unplaced: one of them is reported by walking unplaced
 * producers until a node repeats, and g->nodes is left unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"

typedef struct heap {
    size_t *a;
    size_t n;
} heap;

static void heap_push(heap *h, size_t x)
{
    size_t i = h->n++;
    h->a[i] = x;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->a[p] <= h->a[i])
            break;
        size_t t = h->a[p];
        h->a[p] = h->a[i];
        h->a[i] = t;
        i = p;
    }
}

static size_t heap_pop(heap *h)
{
    size_t top = h->a[0];
    h->a[0] = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->a[l] < h->a[m])
            m = l;
        if (r < h->n && h->a[r] < h->a[m])
            m = r;
        if (m == i)
            break;
        size_t t = h->a[m];
        h->a[m] = h->a[i];
        h->a[i] = t;
        i = m;
    }
    return top;
}

/* Position in g->nodes of the node producing v, or SIZE_MAX. */
static size_t producer_pos(const om_graph *g, const size_t *prod, const om_value *v)
{
    if (!v || v->id >= g->n_values || g->values[v->id] != v)
        return SIZE_MAX;
    return prod[v->id];
}

om_status om_graph_toposort(om_graph *g)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_toposort: graph is NULL");
    size_t nn = g->n_nodes, nv = g->n_values;
    if (nn == 0)
        return OM_OK;
    om_status st = OM_OK;
    size_t *prod = malloc((nv ? nv : 1) * sizeof *prod);
    size_t *indeg = calloc(nn, sizeof *indeg);
    size_t *edge_start = calloc(nn + 1, sizeof *edge_start);
    size_t *edges = NULL;
    size_t *order = malloc(nn * sizeof *order);
    heap h = {malloc(nn * sizeof(size_t)), 0};
    if (!prod || !indeg || !edge_start || !order || !h.a)
        goto oom;
    for (size_t i = 0; i < nv; i++)
        prod[i] = SIZE_MAX;
    for (size_t i = 0; i < nn; i++) {
        om_node *n = g->nodes[i];
        for (int j = 0; j < n->n_outputs; j++) {
            om_value *v = n->outputs[j];
            if (v && v->id < nv && g->values[v->id] == v)
                prod[v->id] = i;
        }
    }
    /* Edges producer -> consumer in CSR form; one edge per input occurrence. */
    size_t n_edges = 0;
    for (size_t i = 0; i < nn; i++) {
        om_node *n = g->nodes[i];
        for (int j = 0; j < n->n_inputs; j++) {
            size_t p = producer_pos(g, prod, n->inputs[j]);
            if (p != SIZE_MAX) {
                edge_start[p + 1]++;
                indeg[i]++;
                n_edges++;
            }
        }
    }
    for (size_t i = 0; i < nn; i++)
        edge_start[i + 1] += edge_start[i];
    edges = malloc((n_edges ? n_edges : 1) * sizeof *edges);
    size_t *fill = calloc(nn, sizeof *fill);
    if (!edges || !fill) {
        free(fill);
        goto oom;
    }
    for (size_t i = 0; i < nn; i++) {
        om_node *n = g->nodes[i];
        for (int j = 0; j < n->n_inputs; j++) {
            size_t p = producer_pos(g, prod, n->inputs[j]);
            if (p != SIZE_MAX)
                edges[edge_start[p] + fill[p]++] = i;
        }
    }
    free(fill);

    for (size_t i = 0; i < nn; i++)
        if (indeg[i] == 0)
            heap_push(&h, i);
    size_t placed = 0;
    while (h.n) {
        size_t i = heap_pop(&h);
        order[placed++] = i;
        for (size_t e = edge_start[i]; e < edge_start[i + 1]; e++)
            if (--indeg[edges[e]] == 0)
                heap_push(&h, edges[e]);
    }
    if (placed < nn) {
        /* Walk back through unplaced producers from any unplaced node; since every
         * unplaced node has an unplaced producer, the walk must revisit a node. */
        size_t cur = SIZE_MAX;
        for (size_t i = 0; i < nn; i++)
            if (indeg[i] > 0) {
                cur = i;
                break;
            }
        unsigned char *seen = calloc(nn, 1);
        if (!seen)
            goto oom;
        while (!seen[cur]) {
            seen[cur] = 1;
            om_node *n = g->nodes[cur];
            size_t next = cur;
            for (int j = 0; j < n->n_inputs; j++) {
                size_t p = producer_pos(g, prod, n->inputs[j]);
                if (p != SIZE_MAX && indeg[p] > 0) {
                    next = p;
                    break;
                }
            }
            cur = next;
        }
        free(seen);
        char desc[256];
        st = om_error(OM_ERR_INVALID_MODEL, "graph '%s': %s is on a cycle", g->name,
                      om_ir_node_desc(g->nodes[cur], desc, sizeof desc));
        goto done;
    }
    /* Permute in place through a scratch copy (reuse prod if it is large enough). */
    om_node **sorted = malloc(nn * sizeof *sorted);
    if (!sorted)
        goto oom;
    for (size_t i = 0; i < nn; i++)
        sorted[i] = g->nodes[order[i]];
    memcpy(g->nodes, sorted, nn * sizeof *sorted);
    free(sorted);
    goto done;
oom:
    st = om_error(OM_ERR_NO_MEMORY, "graph '%s': out of memory in toposort", g->name);
done:
    free(prod);
    free(indeg);
    free(edge_start);
    free(edges);
    free(order);
    free(h.a);
    return st;
}
