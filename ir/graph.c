/* Graph lifetime, arena allocation, values, graph inputs and outputs.
 *
 * Invariants kept here: g->values[i]->id == i; every value name is unique and indexed
 * in the name index; the pointer arrays (values, nodes, inputs, outputs) live in the
 * arena and grow by doubling (the old array is abandoned in the arena).
 */
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"

om_graph *om_graph_create(const char *name)
{
    om_graph_impl *impl = calloc(1, sizeof *impl);
    if (!impl)
        return NULL;
    om_graph *g = &impl->pub;
    g->arena = om_arena_create();
    if (!g->arena)
        goto fail;
    g->name = om_graph_strdup(g, name ? name : "");
    if (!g->name)
        goto fail;
    g->arena_size = -1;
    return g;
fail:
    om_graph_destroy(g);
    return NULL;
}

void om_graph_destroy(om_graph *g)
{
    if (!g)
        return;
    om_graph_impl *impl = om_graph_impl_of(g);
    om_ir_names_free(&impl->names);
    om_ir_hints_free(&impl->hints);
    om_arena_destroy(g->arena);
    free(impl);
}

void *om_graph_alloc(om_graph *g, size_t size)
{
    if (!g)
        return NULL;
    return om_arena_alloc(g->arena, size);
}

const char *om_graph_strdup(om_graph *g, const char *s)
{
    if (!s || !g)
        return NULL;
    size_t n = strlen(s);
    char *p = om_graph_alloc(g, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n + 1);
    return p;
}

om_status om_ir_grow(om_graph *g, void ***arr, size_t n, size_t *cap)
{
    if (n < *cap)
        return OM_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap <= n)
        ncap = n + 1;
    if (ncap > SIZE_MAX / sizeof(void *))
        return om_error(OM_ERR_NO_MEMORY, "graph '%s': too many entries", g->name);
    void **na = om_graph_alloc(g, ncap * sizeof(void *));
    if (!na)
        return om_error(OM_ERR_NO_MEMORY, "graph '%s': out of memory", g->name);
    if (n)
        memcpy(na, *arr, n * sizeof(void *));
    *arr = na;
    *cap = ncap;
    return OM_OK;
}

static bool shape_ok(const om_shape *s, const char *what, const char *name)
{
    if (s->rank > OM_MAX_RANK) {
        om_error(OM_ERR_INVALID_MODEL, "%s '%s': rank %d exceeds the maximum %d", what,
                 name ? name : "", s->rank, OM_MAX_RANK);
        return false;
    }
    return true;
}

/* Copies shape with symbol names moved into the arena. */
static bool copy_shape(om_graph *g, om_shape *dst, const om_shape *src)
{
    if (!src) {
        *dst = om_shape_unknown();
        return true;
    }
    *dst = *src;
    if (dst->rank < 0) {
        *dst = om_shape_unknown();
        return true;
    }
    for (int i = 0; i < dst->rank; i++) {
        if (dst->dims[i] < 0)
            dst->dims[i] = OM_DIM_UNKNOWN;
        dst->syms[i] = NULL;
        if (src->syms[i]) {
            dst->syms[i] = om_graph_strdup(g, src->syms[i]);
            if (!dst->syms[i])
                return false;
        }
    }
    for (int i = dst->rank; i < OM_MAX_RANK; i++) {
        dst->dims[i] = 0;
        dst->syms[i] = NULL;
    }
    return true;
}

static om_value *new_value(om_graph *g, const char *name, om_dtype dt, const om_shape *shape,
                           om_status *st)
{
    *st = OM_OK;
    if (shape && !shape_ok(shape, "value", name)) {
        *st = OM_ERR_INVALID_MODEL;
        return NULL;
    }
    om_value *v = om_graph_alloc(g, sizeof *v);
    if (!v || !copy_shape(g, &v->shape, shape)) {
        *st = om_error(OM_ERR_NO_MEMORY, "out of memory creating value '%s'", name ? name : "");
        return NULL;
    }
    v->dtype = dt;
    v->mem_offset = -1;
    v->kind = OM_VALUE_INTERMEDIATE;
    return v;
}

static om_value *list_value(om_graph *g, om_value *v, const char *name)
{
    om_graph_impl *impl = om_graph_impl_of(g);
    v->name = om_ir_unique_name(g, name);
    if (!v->name) {
        om_error(OM_ERR_NO_MEMORY, "out of memory naming value '%s'", name ? name : "");
        return NULL;
    }
    if (g->n_values >= UINT32_MAX) {
        om_error(OM_ERR_UNSUPPORTED, "graph '%s': too many values", g->name);
        return NULL;
    }
    if (om_ir_grow(g, (void ***)&g->values, g->n_values, &g->cap_values) != OM_OK)
        return NULL;
    if (om_ir_names_insert(&impl->names, v) != OM_OK)
        return NULL;
    v->id = (uint32_t)g->n_values;
    g->values[g->n_values++] = v;
    return v;
}

om_value *om_graph_add_value(om_graph *g, const char *name, om_dtype dt, const om_shape *shape)
{
    if (!g) {
        om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_add_value: graph is NULL");
        return NULL;
    }
    om_status st;
    om_value *v = new_value(g, name, dt, shape, &st);
    if (!v)
        return NULL;
    return list_value(g, v, name);
}

static om_value *make_constant(om_graph *g, const char *name, om_dtype dt, const om_shape *shape,
                               const void *data, size_t nbytes, om_status *st)
{
    *st = OM_ERR_INVALID_MODEL;
    const char *nm = name ? name : "";
    size_t esize = om_dtype_size(dt);
    if (esize == 0) {
        *st = om_error(OM_ERR_UNSUPPORTED, "constant '%s': dtype %s has no fixed element size", nm,
                       om_dtype_name(dt));
        return NULL;
    }
    int64_t numel = om_shape_numel(shape);
    if (numel < 0) {
        om_error(OM_ERR_INVALID_MODEL, "constant '%s': shape must be static", nm);
        return NULL;
    }
    if ((uint64_t)numel > SIZE_MAX / esize || (size_t)numel * esize != nbytes) {
        om_error(OM_ERR_INVALID_MODEL,
                 "constant '%s': %zu bytes of data, expected %lld elements of %s (%llu bytes)",
                 nm, nbytes, (long long)numel, om_dtype_name(dt),
                 (unsigned long long)((uint64_t)numel * esize));
        return NULL;
    }
    if (nbytes && !data) {
        *st = om_error(OM_ERR_INVALID_ARGUMENT, "constant '%s': data is NULL", nm);
        return NULL;
    }
    om_value *v = new_value(g, name, dt, shape, st);
    if (!v)
        return NULL;
    void *copy = om_graph_alloc(g, nbytes);
    if (!copy) {
        *st = om_error(OM_ERR_NO_MEMORY, "constant '%s': out of memory for %zu bytes", nm, nbytes);
        return NULL;
    }
    if (nbytes)
        memcpy(copy, data, nbytes);
    v->kind = OM_VALUE_CONSTANT;
    v->data = copy;
    v->nbytes = nbytes;
    return v;
}

om_value *om_graph_add_constant(om_graph *g, const char *name, om_dtype dt, const om_shape *shape,
                                const void *data, size_t nbytes)
{
    if (!g) {
        om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_add_constant: graph is NULL");
        return NULL;
    }
    om_status st;
    om_value *v = make_constant(g, name, dt, shape, data, nbytes, &st);
    if (!v)
        return NULL;
    return list_value(g, v, name);
}

om_value *om_ir_new_detached_constant(om_graph *g, const char *name, om_dtype dt,
                                      const om_shape *shape, const void *data, size_t nbytes,
                                      om_status *st)
{
    om_value *v = make_constant(g, name, dt, shape, data, nbytes, st);
    if (!v)
        return NULL;
    v->name = om_graph_strdup(g, name ? name : "");
    if (!v->name) {
        *st = om_error(OM_ERR_NO_MEMORY, "out of memory for constant '%s'", name ? name : "");
        return NULL;
    }
    v->id = UINT32_MAX;
    return v;
}

static bool in_graph(const om_graph *g, const om_value *v)
{
    return v && v->id < g->n_values && g->values[v->id] == v;
}

om_status om_graph_add_input(om_graph *g, om_value *v)
{
    if (!g || !v)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_add_input: NULL argument");
    if (!in_graph(g, v))
        return om_error(OM_ERR_INVALID_ARGUMENT, "graph '%s': value '%s' does not belong to it",
                        g->name, v->name);
    if (v->kind == OM_VALUE_CONSTANT || v->producer)
        return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is %s and cannot be an input",
                        g->name, v->name, v->producer ? "produced by a node" : "a constant");
    for (size_t i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == v)
            return om_error(OM_ERR_INVALID_MODEL, "graph '%s': value '%s' is already an input",
                            g->name, v->name);
    om_status st = om_ir_grow(g, (void ***)&g->inputs, g->n_inputs, &g->cap_inputs);
    if (st != OM_OK)
        return st;
    v->kind = OM_VALUE_INPUT;
    g->inputs[g->n_inputs++] = v;
    return OM_OK;
}

om_status om_graph_add_output(om_graph *g, om_value *v)
{
    if (!g || !v)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_graph_add_output: NULL argument");
    if (!in_graph(g, v))
        return om_error(OM_ERR_INVALID_ARGUMENT, "graph '%s': value '%s' does not belong to it",
                        g->name, v->name);
    om_status st = om_ir_grow(g, (void ***)&g->outputs, g->n_outputs, &g->cap_outputs);
    if (st != OM_OK)
        return st;
    v->is_output = true;
    g->outputs[g->n_outputs++] = v;
    return OM_OK;
}

om_value *om_graph_find_value(const om_graph *g, const char *name)
{
    if (!g || !name)
        return NULL;
    return om_ir_names_find(&om_graph_impl_of(g)->names, name);
}
