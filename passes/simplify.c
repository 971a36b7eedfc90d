/* simplify: algebraic simplification of ops that do nothing or undo each other.
 *
 * Rules (each node visited in topological order; sweeps repeat until one changes nothing,
 * at most 8 sweeps):
 *   - forwarding (y := x, the node dies when nothing else reads it): Identity; Reshape,
 *     Flatten, Squeeze, Unsqueeze whose output shape equals the input's; Transpose with the
 *     identity permutation; Cast to the input's dtype; Pad whose pads are all zero; Slice
 *     whose steps are all 1 and whose output shape equals the input's; Mul by a constant
 *     of ones (either side), Div by ones (divisor), Add of zeros (either side), Sub of zeros
 *     (subtrahend) — only when the constant does not widen the output by broadcasting and
 *     the dtype stays (forwarding checks that y and x have the same dtype and shape).
 *   - Transpose(Transpose(x, p1), p2) -> Transpose(x, p1[p2[i]]), or x when that is the
 *     identity.
 *   - Chains of two reshape-like ops (Reshape, Flatten, Squeeze, Unsqueeze) with a static
 *     final shape: the outer becomes Reshape(x, const final shape) (or x when the shapes
 *     are equal: this covers Squeeze/Unsqueeze pairs that cancel).
 * Invariants: a graph output keeps its value (name, dtype, shape): forwarding never replaces
 * a graph output, and rewritten nodes keep producing the same value. Inputs that become
 * unread are left for dce. Needs shapes (infer-shapes) for the shape conditions; nodes with
 * unknown shapes are left alone.
 * Counters: nodes-forwarded, transposes-composed, reshapes-merged.
 */
#include "passes/pattern.h"

#include <stdlib.h>
#include <string.h>

static bool reshape_like(om_op op)
{
    return op == OM_OP_RESHAPE || op == OM_OP_FLATTEN || op == OM_OP_SQUEEZE || op == OM_OP_UNSQUEEZE;
}

/* perm of Transpose n (default: reversed dims); false if rank unknown or malformed */
static bool get_perm(const om_node *n, int rank, int64_t *perm)
{
    if (rank < 0 || rank > OM_MAX_RANK)
        return false;
    const int64_t *p;
    int c = om_node_ints(n, "perm", &p);
    if (c < 0) {
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
        return true;
    }
    if (c != rank)
        return false;
    for (int i = 0; i < rank; i++) {
        if (p[i] < 0 || p[i] >= rank)
            return false;
        perm[i] = p[i];
    }
    return true;
}

static bool is_identity_perm(const int64_t *perm, int rank)
{
    for (int i = 0; i < rank; i++)
        if (perm[i] != i)
            return false;
    return true;
}

static bool same_type(const om_value *a, const om_value *b)
{
    return a && b && a->dtype == b->dtype && a->dtype != OM_DT_UNDEFINED && om_shape_is_static(&a->shape) &&
           om_shape_equal(&a->shape, &b->shape);
}

/* Mul/Div/Add/Sub with a neutral constant: the non-constant operand to forward, or NULL */
static om_value *neutral_operand(const om_node *n)
{
    om_value *x, *c;
    int ci;
    if (!om_pat_split_const(n, &x, &c, &ci))
        return NULL;
    double one_or_zero = n->op == OM_OP_MUL || n->op == OM_OP_DIV ? 1.0 : 0.0;
    if ((n->op == OM_OP_DIV || n->op == OM_OP_SUB) && ci != 1)
        return NULL;
    if (!om_pat_const_all(c, one_or_zero, 0.0))
        return NULL;
    return same_type(x, n->outputs[0]) ? x : NULL;
}

static bool all_zero_pads(const om_node *n)
{
    om_value *pads = om_node_input(n, 1);
    if (!om_pat_is_const(pads))
        return false;
    int64_t k = om_shape_numel(&pads->shape);
    for (int64_t i = 0; i < k; i++)
        if (om_pat_const_at(pads, i) != 0)
            return false;
    return true;
}

static bool unit_steps(const om_node *n)
{
    om_value *steps = om_node_input(n, 4);
    if (!steps)
        return true;
    if (!om_pat_is_const(steps))
        return false;
    int64_t k = om_shape_numel(&steps->shape);
    for (int64_t i = 0; i < k; i++)
        if (om_pat_const_at(steps, i) != 1)
            return false;
    return true;
}

/* Every input after the data (shape, axes, pads, starts...) is absent or a constant. When
 * one is computed at run time, the kernel checks its values against the compiled shapes
 * (the model declared them): removing the node would remove that check. */
static bool params_const(const om_node *n)
{
    for (int i = 1; i < n->n_inputs; i++) {
        const om_value *v = om_node_input(n, i);
        if (v && !om_pat_is_const(v))
            return false;
    }
    return true;
}

/* the value node n could be replaced by, or NULL */
static om_value *forward_target(const om_node *n)
{
    om_value *x = om_node_input(n, 0), *y = n->outputs[0];
    if (!x || !y || n->n_outputs != 1)
        return NULL;
    if (n->op != OM_OP_MUL && n->op != OM_OP_DIV && n->op != OM_OP_ADD && n->op != OM_OP_SUB && !params_const(n))
        return NULL;
    switch (n->op) {
    case OM_OP_IDENTITY:
        return x;
    case OM_OP_RESHAPE: case OM_OP_FLATTEN: case OM_OP_SQUEEZE: case OM_OP_UNSQUEEZE:
    case OM_OP_CAST:
        return same_type(x, y) ? x : NULL;
    case OM_OP_TRANSPOSE: {
        int64_t perm[OM_MAX_RANK];
        return same_type(x, y) && get_perm(n, x->shape.rank, perm) && is_identity_perm(perm, x->shape.rank) ? x
                                                                                                             : NULL;
    }
    case OM_OP_PAD:
        return same_type(x, y) && all_zero_pads(n) ? x : NULL;
    case OM_OP_SLICE:
        return same_type(x, y) && unit_steps(n) ? x : NULL;
    case OM_OP_MUL: case OM_OP_DIV: case OM_OP_ADD: case OM_OP_SUB:
        return neutral_operand(n);
    default:
        return NULL;
    }
}

static om_status compose_transposes(om_graph *g, om_node *n, bool *did, const om_pass_opts *opts)
{
    om_node *inner = om_pat_producer(om_node_input(n, 0), OM_OP_TRANSPOSE);
    if (!inner)
        return OM_OK;
    om_value *x = om_node_input(inner, 0), *y = n->outputs[0];
    int rank = x ? x->shape.rank : -1;
    int64_t p1[OM_MAX_RANK], p2[OM_MAX_RANK], p[OM_MAX_RANK];
    if (!x || !get_perm(inner, rank, p1) || !get_perm(n, rank, p2))
        return OM_OK;
    for (int i = 0; i < rank; i++)
        p[i] = p1[p2[i]];
    if (is_identity_perm(p, rank) && om_pat_forward(g, y, x)) {
        n->dead = true;
        om_pat_kill_if_unused(g, inner);
        om_pass_count(opts, "transposes-composed", 1);
        *did = true;
        return OM_OK;
    }
    om_node *t = om_pat_replace_root(g, n, OM_OP_TRANSPOSE, &x, 1);
    if (!t || om_node_set_ints(g, t, "perm", p, rank) != OM_OK)
        return om_error(OM_ERR_NO_MEMORY, "simplify: out of memory rewriting Transpose '%s'", n->name);
    om_pat_kill_if_unused(g, inner);
    om_pass_count(opts, "transposes-composed", 1);
    *did = true;
    return OM_OK;
}

static om_status merge_reshapes(om_graph *g, om_node *n, bool *did, const om_pass_opts *opts)
{
    om_node *inner = om_pat_producer(om_node_input(n, 0), OM_OP_COUNT);
    if (!inner || !reshape_like(inner->op) || !params_const(inner) || !params_const(n))
        return OM_OK;
    om_value *x = om_node_input(inner, 0), *y = n->outputs[0];
    if (!x || !om_shape_is_static(&y->shape) || x->dtype != y->dtype)
        return OM_OK;
    if (om_shape_equal(&x->shape, &y->shape) && om_pat_forward(g, y, x)) {
        n->dead = true;
        om_pat_kill_if_unused(g, inner);
        om_pass_count(opts, "reshapes-merged", 1);
        *did = true;
        return OM_OK;
    }
    char name[64];
    snprintf(name, sizeof name, "%s_shape", y->name);
    om_value *shape = om_pat_const_i64(g, name, y->shape.rank, y->shape.dims);
    if (!shape)
        return OM_ERR_NO_MEMORY;
    om_value *ins[2] = {x, shape};
    om_node *r = om_pat_replace_root(g, n, OM_OP_RESHAPE, ins, 2);
    if (!r)
        return om_error(OM_ERR_NO_MEMORY, "simplify: out of memory rewriting '%s'", n->name);
    om_pat_kill_if_unused(g, inner);
    om_pass_count(opts, "reshapes-merged", 1);
    *did = true;
    return OM_OK;
}

om_status om_pass_simplify(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "simplify: no graph");
    if (changed)
        *changed = false;
    bool any = false;
    /* make the counters show (as 0) even when nothing fires */
    om_pass_count(opts, "nodes-forwarded", 0);
    om_pass_count(opts, "transposes-composed", 0);
    om_pass_count(opts, "reshapes-merged", 0);
    for (int sweep = 0; sweep < 8; sweep++) {
        bool did = false;
        /* g->nodes may grow while we walk (inserted before the current node): index by count */
        for (size_t k = 0; k < g->n_nodes; k++) {
            om_node *n = g->nodes[k];
            if (!n || n->dead || n->n_outputs < 1 || !n->outputs[0])
                continue;
            om_value *to = forward_target(n);
            if (to && om_pat_forward(g, n->outputs[0], to)) {
                n->dead = true;
                om_pass_count(opts, "nodes-forwarded", 1);
                did = true;
                continue;
            }
            om_status st = OM_OK;
            size_t before = g->n_nodes;
            if (n->op == OM_OP_TRANSPOSE)
                st = compose_transposes(g, n, &did, opts);
            else if (reshape_like(n->op))
                st = merge_reshapes(g, n, &did, opts);
            if (st != OM_OK)
                return st;
            if (g->n_nodes > before)
                k += g->n_nodes - before; /* skip past the inserted node to n's slot */
        }
        if (!did)
            break;
        om_graph_remove_dead(g);
        any = true;
    }
    if (changed)
        *changed = any;
    return OM_OK;
}
