/* propagate-declared-shapes: carry static declared shapes backwards through
 * shape-preserving ops, so that a value-dependent op upstream (Range with a run-time
 * limit, Reshape with a run-time shape, ...) finds its output's shape declared and can
 * take it (om_infer_outputs_declared) with a run-time check, instead of refusing.
 * Runs before infer-shapes: at that point only graph inputs, constants and what the model
 * declared (graph outputs, value_info) have shapes.
 *
 * Shape-preserving ops (the op families of ir/ops.def):
 *   unary  the output has input 0's shape: unary, math_unary, cast (Cast, CastLike's
 *          input 0), logic_not, clip (min/max are scalars), fused_gelu, softmax
 *   nary   the output is the numpy broadcast of every present input: binary, pow, mod,
 *          bitshift, logic_bool, compare, variadic, where, prelu, fused_elementwise
 *
 * Algorithm. One forward sweep over g->nodes (topological) gives each node output a
 * symbolic description of its shape, from its inputs' descriptions (a value with a
 * static shape is KNOWN(shape)):
 *   KNOWN(s)     the shape is s (a broadcast of KNOWN inputs)
 *   LEAF(l, r)   the shape is broadcast(shape(l), ones of rank r): l is an intermediate
 *                of unknown shape (the output of any other op, or of a preserving op
 *                whose inputs do not combine into one of these forms); r is the largest
 *                rank of an all-ones (or scalar) KNOWN operand met on the way
 *   NONE         not describable (reads a graph input of unknown shape)
 * Combining: LEAF(l,r) with KNOWN(all ones of rank k) is LEAF(l, max(r,k)); LEAF(l,r1)
 * with LEAF(l,r2) (the same leaf) is LEAF(l, max); anything else that involves a LEAF is
 * not describable, and the output becomes a new LEAF of its own.
 * Then for each preserving node whose output D has a static shape S and whose description
 * is LEAF(l, r), l's shape is FORCED to be S when r == 0, or rank(S) > r, or
 * S[0] != 1 (otherwise l could be of lower rank, with S's leading 1s coming from the
 * ones). A forced l gets S, and so does every value described as LEAF(l, r') with
 * r' <= rank(S) (their shape is then exactly S). A broadcast against anything that is
 * not all ones (which may change the shape), two different leaves, a different shape
 * already forced on l by another output, or a graph input stop the propagation.
 *
 * Invariants: only the shape of intermediates (never graph inputs or constants, never a
 * dtype) is set, and only where the value's rank is unknown or equal with every known dim
 * equal (a known different shape is never overridden). Every shape set is implied by
 * the declarations: a model that infer-shapes accepted before is accepted the same way.
 * Sweeps repeat until nothing changes (each sweep that changes something makes at least
 * one more value static, so this ends); at most MAX_SWEEPS, as stopping early only leaves
 * shapes to infer-shapes (a later sweep is needed only when a shape set in one makes an
 * operand all-ones KNOWN for the next, which real models rarely chain).
 * Counters: values-declared (values given a shape), conflicts (a forced shape that
 * disagreed with a shape already known or already forced, not applied).
 */
#include "passes/passes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEPS 16

typedef enum op_class { CLASS_OTHER = 0, CLASS_UNARY, CLASS_NARY } op_class;

/* The family of each op, as a string (ops.def's last column). */
static const char *const op_family[OM_OP_COUNT] = {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) [OM_OP_##e] = #family,
#include "ir/ops.def"
#undef OM_OP
};

static const char *const unary_families[] = {
    "unary", "math_unary", "cast", "logic_not", "clip", "fused_gelu", "softmax",
};
static const char *const nary_families[] = {
    "binary", "pow", "mod", "bitshift", "logic_bool", "compare", "variadic", "where", "prelu", "fused_elementwise",
};

static op_class class_of(om_op op) {
    if ((int)op < 0 || (int)op >= OM_OP_COUNT || !op_family[op]) return CLASS_OTHER;
    const char *f = op_family[op];
    for (size_t i = 0; i < sizeof(unary_families) / sizeof(unary_families[0]); i++)
        if (strcmp(f, unary_families[i]) == 0) return CLASS_UNARY;
    for (size_t i = 0; i < sizeof(nary_families) / sizeof(nary_families[0]); i++)
        if (strcmp(f, nary_families[i]) == 0) return CLASS_NARY;
    return CLASS_OTHER;
}

typedef enum desc_kind { DESC_NONE = 0, DESC_KNOWN, DESC_LEAF } desc_kind;

typedef struct desc {
    desc_kind kind;
    int ones_rank;   /* LEAF */
    uint32_t leaf;   /* LEAF: value id */
    om_shape shape;  /* KNOWN: static */
} desc;

static bool all_ones(const om_shape *s) {
    for (int d = 0; d < s->rank; d++)
        if (s->dims[d] != 1) return false;
    return true;
}

/* Numpy broadcast of two static shapes; false when they do not broadcast. */
static bool broadcast(const om_shape *a, const om_shape *b, om_shape *out) {
    int r = a->rank > b->rank ? a->rank : b->rank;
    if (r > OM_MAX_RANK) return false;
    int64_t dims[OM_MAX_RANK];
    for (int k = 0; k < r; k++) {
        int ia = a->rank - r + k, ib = b->rank - r + k;
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da == db || db == 1) dims[k] = da;
        else if (da == 1) dims[k] = db;
        else return false;
    }
    *out = om_shape_make(r, dims);
    return true;
}

/* The description of v as an operand: KNOWN for a static shape, else what the sweep
 * computed (NONE for graph inputs and values not produced by a live node). */
static desc operand(const desc *derived, const om_value *v) {
    desc q;
    memset(&q, 0, sizeof q);
    if (!v) return q;
    if (om_shape_is_static(&v->shape)) {
        q.kind = DESC_KNOWN;
        q.shape = v->shape;
        return q;
    }
    return derived[v->id];
}

static desc combine(const desc *a, const desc *b) {
    desc q;
    memset(&q, 0, sizeof q);
    if (a->kind == DESC_NONE || b->kind == DESC_NONE) return q;
    if (a->kind == DESC_KNOWN && b->kind == DESC_KNOWN) {
        if (broadcast(&a->shape, &b->shape, &q.shape)) q.kind = DESC_KNOWN;
        return q;
    }
    if (a->kind == DESC_LEAF && b->kind == DESC_LEAF) {
        if (a->leaf != b->leaf) return q;
        q = *a;
        if (b->ones_rank > q.ones_rank) q.ones_rank = b->ones_rank;
        return q;
    }
    const desc *leaf = a->kind == DESC_LEAF ? a : b, *known = a->kind == DESC_LEAF ? b : a;
    if (!all_ones(&known->shape)) return q; /* a broadcast that may change the shape */
    q = *leaf;
    if (known->shape.rank > q.ones_rank) q.ones_rank = known->shape.rank;
    return q;
}

static desc leaf_of(const om_value *v) {
    desc q;
    memset(&q, 0, sizeof q);
    q.kind = DESC_LEAF;
    q.leaf = v->id;
    return q;
}

/* The forward sweep: derived[id] for every node output. */
static void describe(const om_graph *g, desc *derived) {
    memset(derived, 0, g->n_values * sizeof(*derived));
    for (size_t k = 0; k < g->n_nodes; k++) {
        const om_node *n = g->nodes[k];
        if (!n || n->dead) continue;
        op_class c = class_of(n->op);
        desc q;
        memset(&q, 0, sizeof q);
        if (c == CLASS_UNARY && n->n_inputs >= 1) {
            q = operand(derived, n->inputs[0]);
        } else if (c == CLASS_NARY) {
            bool first = true;
            for (int i = 0; i < n->n_inputs; i++) {
                if (!n->inputs[i]) continue;
                desc in = operand(derived, n->inputs[i]);
                q = first ? in : combine(&q, &in);
                first = false;
            }
        }
        for (int o = 0; o < n->n_outputs; o++) {
            const om_value *v = n->outputs[o];
            if (!v || v->id >= g->n_values) continue;
            bool preserved = c != CLASS_OTHER && o == 0 && q.kind != DESC_NONE;
            derived[v->id] = preserved ? q : leaf_of(v);
        }
    }
}

/* l's shape is forced to s by broadcast(shape(l), ones of rank r) == s. */
static bool forced(const om_shape *s, int r) {
    return r == 0 || s->rank > r || (s->rank == r && s->rank > 0 && s->dims[0] != 1);
}

/* v's shape is unknown or agrees with s. */
static bool compatible(const om_value *v, const om_shape *s) {
    if (v->shape.rank < 0) return true;
    if (v->shape.rank != s->rank) return false;
    for (int d = 0; d < s->rank; d++)
        if (v->shape.dims[d] >= 0 && v->shape.dims[d] != s->dims[d]) return false;
    return true;
}

typedef struct forced_shape {
    bool set, conflict;
    om_shape shape;
} forced_shape;

/* One sweep: describes, collects the forced leaf shapes, applies them. *n_set counts the
 * values given a shape. */
static void sweep(om_graph *g, desc *derived, forced_shape *force, int64_t *n_set, int64_t *n_conflicts) {
    describe(g, derived);
    memset(force, 0, g->n_values * sizeof(*force));
    for (size_t k = 0; k < g->n_nodes; k++) {
        const om_node *n = g->nodes[k];
        if (!n || n->dead || class_of(n->op) == CLASS_OTHER || n->n_outputs < 1) continue;
        const om_value *d = n->outputs[0];
        if (!d || d->id >= g->n_values || !om_shape_is_static(&d->shape)) continue;
        const desc *q = &derived[d->id];
        if (q->kind != DESC_LEAF || q->leaf == d->id || q->leaf >= g->n_values) continue;
        if (!forced(&d->shape, q->ones_rank)) continue;
        const om_value *l = g->values[q->leaf];
        forced_shape *f = &force[q->leaf];
        if (l->kind != OM_VALUE_INTERMEDIATE || om_shape_is_static(&l->shape) || f->conflict) continue;
        if (!compatible(l, &d->shape) || (f->set && !om_shape_equal(&f->shape, &d->shape))) {
            f->conflict = true;
            (*n_conflicts)++;
            continue;
        }
        f->set = true;
        f->shape = d->shape;
    }
    for (size_t i = 0; i < g->n_values; i++) {
        om_value *v = g->values[i];
        const desc *q = &derived[i];
        if (!v || v->kind != OM_VALUE_INTERMEDIATE || om_shape_is_static(&v->shape)) continue;
        if (q->kind != DESC_LEAF || q->leaf >= g->n_values) continue;
        const forced_shape *f = &force[q->leaf];
        if (!f->set || f->conflict || q->ones_rank > f->shape.rank) continue;
        if (!compatible(v, &f->shape)) {
            (*n_conflicts)++;
            continue;
        }
        v->shape = f->shape;
        for (int d = 0; d < v->shape.rank; d++) v->shape.syms[d] = NULL;
        (*n_set)++;
    }
}

om_status om_pass_propagate_declared(om_graph *g, const om_pass_opts *opts, bool *changed) {
    if (!g) return om_error(OM_ERR_INVALID_ARGUMENT, "propagate-declared-shapes: no graph");
    if (changed) *changed = false;
    size_t nv = g->n_values ? g->n_values : 1;
    desc *derived = calloc(nv, sizeof(*derived));
    forced_shape *force = calloc(nv, sizeof(*force));
    if (!derived || !force) {
        free(derived);
        free(force);
        return om_error(OM_ERR_NO_MEMORY, "propagate-declared-shapes: out of memory");
    }
    int64_t total = 0, conflicts = 0;
    for (int k = 0; k < MAX_SWEEPS; k++) { /* conflicts: the last sweep's (each sees them all) */
        int64_t n_set = 0;
        conflicts = 0;
        sweep(g, derived, force, &n_set, &conflicts);
        total += n_set;
        if (n_set == 0) break;
    }
    free(derived);
    free(force);
    om_pass_count(opts, "values-declared", total);
    om_pass_count(opts, "conflicts", conflicts);
    if (changed) *changed = total > 0;
    return OM_OK;
}
