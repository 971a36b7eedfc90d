/* layernorm-fusion: the decomposed layer normalization (as PyTorch exports it) ->
 * LayerNormalization.
 *
 * Pattern (f32; operands of Add/Mul in either order):
 *   m  = ReduceMean(x, axes = the last k dims, keepdims = 1)
 *   d  = Sub(x, m)                       d has exactly two readers: the Pow and the Div/Mul
 *   v  = ReduceMean(Pow(d, 2), same axes, keepdims = 1)
 *   s  = Sqrt(Add(v, eps))               eps: a one-element constant
 *   n  = Div(d, s)  |  Mul(d, Reciprocal(s))
 *   [y = Mul(n, gamma)]  [z = Add(y, beta)]   gamma, beta: f32 constants that broadcast
 *                                        over the normalized dims only (or one element)
 * -> LayerNormalization(x, gamma', beta') {axis = rank - k, epsilon = eps} writing the value
 * of the last matched node; gamma' / beta' have the normalized dims' shape (ones / zeros when
 * absent). Every intermediate except d must have a single reader and not be a graph output.
 * The axes come from the attribute (opset < 18) or a constant second input.
 * Counter: layernorms-fused.
 */
#include <stdlib.h>
#include <string.h>

#include "passes/pattern.h"

/* axes of ReduceMean r as a suffix of rank `rank`: returns the first axis, or -1 */
static int suffix_axes(const om_node *r, int rank)
{
    if (om_node_int(r, "keepdims", 1) == 0 || rank < 1)
        return -1;
    int64_t axes[OM_MAX_RANK];
    int k = 0;
    const int64_t *a;
    int c = om_node_ints(r, "axes", &a);
    om_value *ai = om_node_input(r, 1);
    if (c > 0 && c <= OM_MAX_RANK) {
        for (int i = 0; i < c; i++)
            axes[k++] = a[i];
    } else if (ai && om_pat_is_const(ai) && om_shape_numel(&ai->shape) >= 1 &&
               om_shape_numel(&ai->shape) <= OM_MAX_RANK) {
        for (int64_t i = 0; i < om_shape_numel(&ai->shape); i++)
            axes[k++] = (int64_t)om_pat_const_at(ai, i);
    } else {
        return -1;
    }
    bool seen[OM_MAX_RANK] = {false};
    for (int i = 0; i < k; i++) {
        int64_t x = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (x < 0 || x >= rank || seen[x])
            return -1;
        seen[x] = true;
    }
    for (int i = rank - k; i < rank; i++)
        if (!seen[i])
            return -1;
    return rank - k;
}

static bool same_axes(const om_node *a, const om_node *b, int rank)
{
    int x = suffix_axes(a, rank);
    return x >= 0 && x == suffix_axes(b, rank);
}

/* a gamma/beta constant broadcast over the normalized dims [axis, rank) of shape xs:
 * fills out[0..count) or returns false */
static bool affine_param(const om_value *c, const om_shape *xs, int axis, double *out, int64_t count)
{
    if (!om_pat_is_const(c) || c->dtype != OM_DT_FLOAT)
        return false;
    int64_t n = om_shape_numel(&c->shape);
    if (n == 1) {
        for (int64_t i = 0; i < count; i++)
            out[i] = om_pat_const_at(c, 0);
        return true;
    }
    if (n != count || c->shape.rank > xs->rank)
        return false;
    for (int i = 0; i < c->shape.rank; i++) {
        int xi = xs->rank - c->shape.rank + i;
        if (xi < axis ? c->shape.dims[i] != 1 : c->shape.dims[i] != xs->dims[xi])
            return false;
    }
    for (int64_t i = 0; i < count; i++)
        out[i] = om_pat_const_at(c, i);
    return true;
}

/* tries the pattern rooted at Sub node `sub`; *fused says whether it fired */
static om_status try_fuse(om_graph *g, om_node *sub, bool *fused)
{
    *fused = false;
    om_node *chain[12];
    int nc = 0;
    om_value *x = om_node_input(sub, 0), *d = sub->outputs[0];
    om_node *m = om_pat_producer(om_node_input(sub, 1), OM_OP_REDUCE_MEAN);
    if (!x || !m || om_node_input(m, 0) != x || x->dtype != OM_DT_FLOAT || !om_shape_is_static(&x->shape) ||
        !om_pat_single_use(g, m->outputs[0]) || d->is_output)
        return OM_OK;
    int rank = x->shape.rank, axis = suffix_axes(m, rank);
    if (axis < 0)
        return OM_OK;
    om_node *users[2];
    if (om_pat_users(g, d, users, 2) != 2)
        return OM_OK;
    om_node *pw = users[0]->op == OM_OP_POW ? users[0] : users[1];
    om_node *dv = pw == users[0] ? users[1] : users[0];
    if (pw->op != OM_OP_POW || pw->inputs[0] != d || !om_pat_const_all(pw->inputs[1], 2.0, 0.0))
        return OM_OK;
    chain[nc++] = m;
    chain[nc++] = sub;
    chain[nc++] = pw;
    om_node *v = om_pat_user_op(g, pw->outputs[0], OM_OP_REDUCE_MEAN);
    if (!v || !same_axes(v, m, rank))
        return OM_OK;
    chain[nc++] = v;
    om_node *ae = om_pat_user_op(g, v->outputs[0], OM_OP_ADD);
    double eps;
    om_value *veps = ae ? om_pat_other_input(ae, v->outputs[0]) : NULL;
    if (!ae || !om_pat_const_scalar(veps, &eps))
        return OM_OK;
    chain[nc++] = ae;
    om_node *sq = om_pat_user_op(g, ae->outputs[0], OM_OP_SQRT);
    if (!sq)
        return OM_OK;
    chain[nc++] = sq;
    om_node *root;
    if (dv->op == OM_OP_DIV && dv->inputs[0] == d && dv->inputs[1] == sq->outputs[0] &&
        om_pat_single_use(g, sq->outputs[0])) {
        root = dv;
    } else if (dv->op == OM_OP_MUL) {
        om_node *rc = om_pat_user_op(g, sq->outputs[0], OM_OP_RECIPROCAL);
        if (!rc || om_pat_other_input(dv, d) != rc->outputs[0] || !om_pat_single_use(g, rc->outputs[0]))
            return OM_OK;
        chain[nc++] = rc;
        root = dv;
    } else {
        return OM_OK;
    }
    chain[nc++] = root;
    int64_t count = 1;
    for (int i = axis; i < rank; i++)
        count *= x->shape.dims[i];
    double *gb = malloc((size_t)(count ? count : 1) * 2 * sizeof(double));
    if (!gb)
        return om_error(OM_ERR_NO_MEMORY, "layernorm-fusion: out of memory");
    double *gamma = gb, *beta = gb + count;
    for (int64_t i = 0; i < count; i++) {
        gamma[i] = 1.0;
        beta[i] = 0.0;
    }
    om_node *mg = om_pat_user_op(g, root->outputs[0], OM_OP_MUL);
    if (mg && affine_param(om_pat_other_input(mg, root->outputs[0]), &x->shape, axis, gamma, count) &&
        om_shape_equal(&mg->outputs[0]->shape, &x->shape)) {
        root = mg;
        chain[nc++] = mg;
    }
    om_node *ab = om_pat_user_op(g, root->outputs[0], OM_OP_ADD);
    if (ab && affine_param(om_pat_other_input(ab, root->outputs[0]), &x->shape, axis, beta, count) &&
        om_shape_equal(&ab->outputs[0]->shape, &x->shape)) {
        root = ab;
        chain[nc++] = ab;
    }
    om_status st = OM_OK;
    if (!om_shape_equal(&root->outputs[0]->shape, &x->shape) || root->outputs[0]->dtype != OM_DT_FLOAT)
        goto done;
    char name[96];
    snprintf(name, sizeof name, "%s_gamma", root->outputs[0]->name);
    om_value *vg = om_pat_const_f32(g, name, rank - axis, x->shape.dims + axis, gamma);
    snprintf(name, sizeof name, "%s_beta", root->outputs[0]->name);
    om_value *vb = om_pat_const_f32(g, name, rank - axis, x->shape.dims + axis, beta);
    om_value *ins[3] = {x, vg, vb};
    om_node *ln = vg && vb ? om_pat_replace_root(g, root, OM_OP_LAYER_NORMALIZATION, ins, 3) : NULL;
    if (!ln || om_node_set_int(g, ln, "axis", axis) != OM_OK ||
        om_node_set_float(g, ln, "epsilon", (float)eps) != OM_OK) {
        st = om_error(OM_ERR_NO_MEMORY, "layernorm-fusion: out of memory");
        goto done;
    }
    om_pat_kill_chain(g, chain, nc);
    *fused = true;
done:
    free(gb);
    return st;
}

om_status om_pass_layernorm_fusion(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "layernorm-fusion: no graph");
    if (changed)
        *changed = false;
    int64_t fused = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead || n->op != OM_OP_SUB)
            continue;
        bool did;
        om_status st = try_fuse(g, n, &did);
        if (st != OM_OK)
            return st;
        if (did)
            fused++; /* the LayerNormalization went in after k, before the old root */
    }
    if (fused)
        om_graph_remove_dead(g);
    om_pass_count(opts, "layernorms-fused", fused);
    if (changed)
        *changed = fused > 0;
    return OM_OK;
}
