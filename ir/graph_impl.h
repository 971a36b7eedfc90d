/* Private to ir/: the parts of a graph that ir.h does not show.
 *
 * om_graph_create allocates an om_graph_impl whose first member is the public om_graph,
 * so every om_graph * handed out can be converted back (om_graph_impl_of). The impl
 * holds the name index: an open-addressing hash table from value name to value, used by
 * om_graph_find_value and by unique-name generation. The index is keyed by each value's
 * current name; renaming a value by writing v->name directly bypasses it (lookups of
 * the new name miss until om_graph_compact rebuilds the index).
 */
#ifndef OM_IR_GRAPH_IMPL_H
#define OM_IR_GRAPH_IMPL_H

#include "ir/arena.h"
#include "ir/ir.h"

typedef struct om_name_index {
    om_value **slots; /* NULL = empty; malloc'd */
    size_t cap;       /* power of two, or 0 */
    size_t count;
} om_name_index;

/* Next suffix to try per base name, so generating many "x_<k>" stays linear. */
typedef struct om_suffix_hint {
    char *base;   /* malloc'd; NULL = empty slot */
    uint64_t next;
} om_suffix_hint;

typedef struct om_suffix_table {
    om_suffix_hint *slots; /* malloc'd */
    size_t cap, count;
} om_suffix_table;

typedef struct om_graph_impl {
    om_graph pub;
    om_name_index names;
    om_suffix_table hints;
    uint64_t anon_counter; /* next suffix for generated names of unnamed values */
} om_graph_impl;

static inline om_graph_impl *om_graph_impl_of(const om_graph *g)
{
    return (om_graph_impl *)g;
}

/* names.c */
om_value *om_ir_names_find(const om_name_index *ix, const char *name);
om_status om_ir_names_insert(om_name_index *ix, om_value *v);   /* v->name must be new */
void om_ir_names_remove(om_name_index *ix, const om_value *v);
void om_ir_names_free(om_name_index *ix);
void om_ir_hints_free(om_suffix_table *t);
om_status om_ir_names_rebuild(om_graph *g);
/* A name not used by any value: `base` itself if free (and base != NULL), else
 * "base_1", "base_2", ...; unnamed values get "v_<n>". Allocated in the arena. */
const char *om_ir_unique_name(om_graph *g, const char *base);

/* graph.c: grows one of the graph's pointer arrays (arena-backed) to hold n+1 entries. */
om_status om_ir_grow(om_graph *g, void ***arr, size_t n, size_t *cap);

/* Creates a constant value that is not listed in g->values (for tensor attributes).
 * Copies data; checks nbytes against the shape and dtype. On failure: NULL, om_error
 * set and its status in *st. */
om_value *om_ir_new_detached_constant(om_graph *g, const char *name, om_dtype dt,
                                      const om_shape *shape, const void *data, size_t nbytes,
                                      om_status *st);

/* Node description for diagnostics: "node 'conv1' (Conv)" or "node #3 (Conv)". */
const char *om_ir_node_desc(const om_node *n, char *buf, size_t size);

#endif /* OM_IR_GRAPH_IMPL_H */
