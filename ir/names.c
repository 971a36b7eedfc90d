/* The value-name index of a graph and unique-name generation (see graph_impl.h).
 *
 * Open addressing with linear probing over value pointers; the key is the value's
 * current name (FNV-1a). Deletion uses backward-shift so no tombstones are needed. The
 * table keeps at most half its slots full.
 *
 * Unique names: a second small table remembers, per base name, the next suffix to try,
 * so adding "x" ten thousand times probes once per value, not k times. The hint is only
 * a starting point; the name index is always consulted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

om_value *om_ir_names_find(const om_name_index *ix, const char *name)
{
    if (!name || ix->cap == 0)
        return NULL;
    size_t mask = ix->cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        om_value *v = ix->slots[i];
        if (!v)
            return NULL;
        if (strcmp(v->name, name) == 0)
            return v;
    }
}

static void place(om_value **slots, size_t cap, om_value *v)
{
    size_t mask = cap - 1;
    size_t i = hash_str(v->name) & mask;
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = v;
}

om_status om_ir_names_insert(om_name_index *ix, om_value *v)
{
    if ((ix->count + 1) * 2 > ix->cap) {
        size_t ncap = ix->cap ? ix->cap * 2 : 64;
        om_value **ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return om_error(OM_ERR_NO_MEMORY, "out of memory growing the value name index");
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i])
                place(ns, ncap, ix->slots[i]);
        free(ix->slots);
        ix->slots = ns;
        ix->cap = ncap;
    }
    place(ix->slots, ix->cap, v);
    ix->count++;
    return OM_OK;
}

void om_ir_names_remove(om_name_index *ix, const om_value *v)
{
    if (ix->cap == 0)
        return;
    size_t mask = ix->cap - 1;
    size_t i = hash_str(v->name) & mask;
    while (ix->slots[i] && ix->slots[i] != v)
        i = (i + 1) & mask;
    if (!ix->slots[i])
        return;
    ix->slots[i] = NULL;
    ix->count--;
    /* Backward shift: re-place the rest of the cluster. */
    for (size_t j = (i + 1) & mask; ix->slots[j]; j = (j + 1) & mask) {
        om_value *w = ix->slots[j];
        ix->slots[j] = NULL;
        place(ix->slots, ix->cap, w);
    }
}

void om_ir_names_free(om_name_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = ix->count = 0;
}

om_status om_ir_names_rebuild(om_graph *g)
{
    om_name_index *ix = &om_graph_impl_of(g)->names;
    if (ix->cap)
        memset(ix->slots, 0, ix->cap * sizeof *ix->slots);
    ix->count = 0;
    for (size_t i = 0; i < g->n_values; i++) {
        om_status st = om_ir_names_insert(ix, g->values[i]);
        if (st != OM_OK)
            return st;
    }
    return OM_OK;
}

void om_ir_hints_free(om_suffix_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].base);
    free(t->slots);
    t->slots = NULL;
    t->cap = t->count = 0;
}

/* The hint slot for base, created (next = 1) if absent; NULL on out of memory. */
static om_suffix_hint *hint_for(om_suffix_table *t, const char *base)
{
    if ((t->count + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 32;
        om_suffix_hint *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].base)
                continue;
            size_t j = hash_str(t->slots[i].base) & (ncap - 1);
            while (ns[j].base)
                j = (j + 1) & (ncap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    size_t mask = t->cap - 1;
    size_t i = hash_str(base) & mask;
    for (; t->slots[i].base; i = (i + 1) & mask)
        if (strcmp(t->slots[i].base, base) == 0)
            return &t->slots[i];
    size_t n = strlen(base);
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, base, n + 1);
    t->slots[i].base = copy;
    t->slots[i].next = 1;
    t->count++;
    return &t->slots[i];
}

const char *om_ir_unique_name(om_graph *g, const char *base)
{
    om_graph_impl *impl = om_graph_impl_of(g);
    if (base && !om_ir_names_find(&impl->names, base))
        return om_graph_strdup(g, base);
    size_t blen = base ? strlen(base) : 1;
    char stack[128];
    char *buf = blen + 24 <= sizeof stack ? stack : malloc(blen + 24);
    if (!buf)
        return NULL;
    const char *result = NULL;
    om_suffix_hint *hint = base ? hint_for(&impl->hints, base) : NULL;
    uint64_t k = hint ? hint->next : 1;
    for (;; k++) {
        if (base)
            snprintf(buf, blen + 24, "%s_%" PRIu64, base, k);
        else
            snprintf(buf, blen + 24, "v_%" PRIu64, impl->anon_counter++);
        if (!om_ir_names_find(&impl->names, buf)) {
            result = om_graph_strdup(g, buf);
            break;
        }
    }
    if (hint)
        hint->next = k + 1;
    if (buf != stack)
        free(buf);
    return result;
}
