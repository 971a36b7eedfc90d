/* plan-memory: place intermediate values in one arena by liveness.
 *
 * Planned values: intermediates (produced by a live node) that are not graph outputs;
 * graph inputs, outputs and constants live in their own buffers (mem_offset -1). A value
 * is live from its producer through its last consumer, both inclusive: the interval is
 * [index of the producing node, index of the last node reading it] in g->nodes (an unread
 * value, like MaxPool's unused Indices, lives at its producer only). So the inputs and
 * outputs of one node never share memory (no in-place reuse yet).
 * Sizes are numel * dtype size rounded up to 64 bytes; every offset is a multiple of 64.
 * Placement is greedy by size (largest first, ties by definition order): each value goes
 * into the best-fitting gap (smallest that fits, lowest offset on ties) between the
 * already-placed values whose lifetimes overlap its own, or above all of them. Values of
 * 0 elements get offset 0 and take no space. g->arena_size is the highest end.
 * Needs static shapes and sized dtypes (error naming the value otherwise).
 * Counters: arena-bytes, peak-live-bytes (max over nodes of the sum of the rounded sizes
 * live there: a lower bound for any arena), intermediates-bytes (sum of rounded sizes),
 * values-planned.
 */
#include "passes/passes.h"

#include <inttypes.h>
#include <stdlib.h>

#define ALIGN 64

typedef struct item {
    om_value *v;
    int64_t size;  /* rounded */
    size_t first, last;
    int64_t offset;
    size_t order;  /* definition order */
} item;

static int by_size_desc(const void *pa, const void *pb) {
    const item *a = pa, *b = pb;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int by_offset(const void *pa, const void *pb) {
    const item *a = *(const item *const *)pa, *b = *(const item *const *)pb;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

om_status om_pass_plan_memory(om_graph *g, const om_pass_opts *opts, bool *changed) {
    if (!g) return om_error(OM_ERR_INVALID_ARGUMENT, "plan-memory: no graph");
    if (changed) *changed = false;
    om_status st = OM_OK;
    size_t *last_use = NULL, *def_at = NULL;
    item *items = NULL;
    item **placed = NULL;
    int64_t *live_sum = NULL, *old_offset = NULL;
    size_t nv = g->n_values, nn = g->n_nodes;
    last_use = malloc((nv ? nv : 1) * sizeof(*last_use));
    def_at = malloc((nv ? nv : 1) * sizeof(*def_at));
    items = malloc((nv ? nv : 1) * sizeof(*items));
    placed = malloc((nv ? 2 * nv : 1) * sizeof(*placed)); /* placed values, then scratch */
    live_sum = calloc(nn + 1, sizeof(*live_sum));
    old_offset = malloc((nv ? nv : 1) * sizeof(*old_offset));
    if (!last_use || !def_at || !items || !placed || !live_sum || !old_offset) {
        st = om_error(OM_ERR_NO_MEMORY, "plan-memory: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nv; i++) {
        last_use[i] = def_at[i] = SIZE_MAX;
        old_offset[i] = g->values[i] ? g->values[i]->mem_offset : -1;
        if (g->values[i]) g->values[i]->mem_offset = -1;
    }
    for (size_t k = 0; k < nn; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead) continue;
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] && n->outputs[o]->id < nv) def_at[n->outputs[o]->id] = k;
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] && n->inputs[i]->id < nv) last_use[n->inputs[i]->id] = k;
    }
    size_t count = 0;
    int64_t total = 0;
    int64_t planned = 0;
    for (size_t i = 0; i < nv; i++) {
        om_value *v = g->values[i];
        if (!v || v->kind != OM_VALUE_INTERMEDIATE || v->is_output || def_at[i] == SIZE_MAX) continue;
        int64_t numel = om_shape_numel(&v->shape);
        size_t esize = om_dtype_size(v->dtype);
        if (numel < 0) {
            st = om_error(OM_ERR_INVALID_MODEL, "value '%s' (output of node '%s') has no static shape; memory planning needs static shapes",
                          v->name, v->producer && v->producer->name ? v->producer->name : "");
            goto fail;
        }
        if (esize == 0) {
            st = om_error(OM_ERR_UNSUPPORTED, "value '%s' has dtype %s with no fixed element size", v->name,
                          om_dtype_name(v->dtype));
            goto fail;
        }
        planned++;
        if (numel == 0) {
            v->mem_offset = 0;
            continue;
        }
        if ((uint64_t)numel > (uint64_t)INT64_MAX / 2 / esize) {
            st = om_error(OM_ERR_UNSUPPORTED, "value '%s' is too large (%" PRId64 " elements)", v->name, numel);
            goto fail;
        }
        int64_t size = (numel * (int64_t)esize + ALIGN - 1) / ALIGN * ALIGN;
        size_t last = last_use[i] == SIZE_MAX || last_use[i] < def_at[i] ? def_at[i] : last_use[i];
        items[count++] = (item){v, size, def_at[i], last, -1, i};
        total += size;
        live_sum[def_at[i]] += size; /* difference array, summed below */
        live_sum[last + 1] -= size;
    }
    qsort(items, count, sizeof(*items), by_size_desc);
    int64_t arena = 0;
    size_t n_placed = 0;
    for (size_t a = 0; a < count; a++) {
        item *it = &items[a];
        /* The placed values whose lifetimes overlap it, by offset. */
        size_t m = 0;
        for (size_t b = 0; b < n_placed; b++) {
            item *p = placed[b];
            if (p->first <= it->last && it->first <= p->last) placed[n_placed + m++] = p;
        }
        qsort(placed + n_placed, m, sizeof(*placed), by_offset);
        int64_t best = -1, best_gap = INT64_MAX, cursor = 0;
        for (size_t b = 0; b < m; b++) {
            item *p = placed[n_placed + b];
            if (p->offset > cursor) {
                int64_t gap = p->offset - cursor;
                if (gap >= it->size && gap < best_gap) best = cursor, best_gap = gap;
            }
            if (p->offset + p->size > cursor) cursor = p->offset + p->size;
        }
        it->offset = best >= 0 ? best : cursor;
        it->v->mem_offset = it->offset;
        if (it->offset + it->size > arena) arena = it->offset + it->size;
        placed[n_placed++] = it;
    }
    int64_t peak = 0, live = 0;
    for (size_t k = 0; k < nn; k++) {
        live += live_sum[k];
        if (live > peak) peak = live;
    }
    bool moved = g->arena_size != arena;
    for (size_t i = 0; i < nv && !moved; i++) moved = g->values[i] && g->values[i]->mem_offset != old_offset[i];
    if (changed) *changed = moved;
    g->arena_size = arena;
    om_pass_count(opts, "arena-bytes", arena);
    om_pass_count(opts, "peak-live-bytes", peak);
    om_pass_count(opts, "intermediates-bytes", total);
    om_pass_count(opts, "values-planned", planned);
fail:
    free(last_use);
    free(def_at);
    free(items);
    free(placed);
    free(live_sum);
    if (st != OM_OK && old_offset) /* leave the graph as it was */
        for (size_t i = 0; i < nv; i++)
            if (g->values[i]) g->values[i]->mem_offset = old_offset[i];
    free(old_offset);
    return st;
}
