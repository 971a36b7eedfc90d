/* Per-output-channel affine folding into Conv/Gemm/MatMul weights (see channel_affine.h). */
#include "passes/channel_affine.h"

#include <stdlib.h>
#include <string.h>

static bool f32_const(const om_value *v)
{
    return om_pat_is_const(v) && v->dtype == OM_DT_FLOAT;
}

int64_t om_pat_affine_channels(const om_node *p)
{
    /* a producer that already carries a fused epilogue (an activation, a residual input)
     * computes act(y + r): an affine map after it does not commute */
    if (!p || p->dead || p->n_outputs != 1 || p->n_inputs > 3 || om_node_attr(p, "om_activation"))
        return -1;
    const om_value *y = p->outputs[0];
    if (!y || y->dtype != OM_DT_FLOAT || !om_shape_is_static(&y->shape) || y->shape.rank < 2)
        return -1;
    om_value *w = om_node_input(p, 1), *b = om_node_input(p, 2);
    switch (p->op) {
    case OM_OP_CONV:
        if (!f32_const(w) || w->shape.rank < 1 || w->shape.dims[0] != y->shape.dims[1])
            return -1;
        if (b && (!f32_const(b) || om_shape_numel(&b->shape) != y->shape.dims[1]))
            return -1;
        return y->shape.dims[1];
    case OM_OP_GEMM: {
        if (!f32_const(w) || w->shape.rank != 2 || y->shape.rank != 2)
            return -1;
        int64_t n = y->shape.dims[1];
        bool tb = om_node_int(p, "transB", 0) != 0;
        if (w->shape.dims[tb ? 0 : 1] != n)
            return -1;
        if (b) {
            double *tmp = malloc((size_t)n * sizeof(double));
            bool ok = tmp && f32_const(b) && om_pat_per_channel(b, &y->shape, 1, tmp);
            free(tmp);
            if (!ok)
                return -1;
        }
        return n;
    }
    case OM_OP_MATMUL: {
        om_value *a = om_node_input(p, 0);
        if (p->n_inputs != 2 || !a || a->shape.rank != 2 || !f32_const(w) || w->shape.rank != 2 || y->shape.rank != 2)
            return -1;
        return y->shape.dims[1];
    }
    default:
        return -1;
    }
}

om_status om_pat_fold_affine(om_graph *g, om_node *p, om_node *root, const double *scale, const double *shift,
                             bool *done)
{
    *done = false;
    int64_t C = om_pat_affine_channels(p);
    om_value *y = root->outputs[0];
    if (C < 0 || !y || y->dtype != p->outputs[0]->dtype || !om_shape_equal(&y->shape, &p->outputs[0]->shape))
        return OM_OK;
    om_value *w = om_node_input(p, 1), *b = om_node_input(p, 2);
    int64_t wn = om_shape_numel(&w->shape);
    double *nw = malloc((size_t)(wn ? wn : 1) * sizeof(double));
    double *nb = malloc((size_t)C * sizeof(double));
    om_status st = OM_OK;
    if (!nw || !nb) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory folding into '%s'", p->name);
        goto fail;
    }
    double beta = p->op == OM_OP_GEMM ? om_node_float(p, "beta", 1.0f) : 1.0;
    if (p->op == OM_OP_GEMM && b)
        om_pat_per_channel(b, &p->outputs[0]->shape, 1, nb);
    for (int64_t c = 0; c < C; c++) {
        double bias = b ? (p->op == OM_OP_GEMM ? beta * nb[c] : om_pat_const_at(b, c)) : 0.0;
        nb[c] = bias * scale[c] + (shift ? shift[c] : 0.0);
    }
    bool tb = p->op == OM_OP_GEMM && om_node_int(p, "transB", 0) != 0;
    for (int64_t i = 0; i < wn; i++) {
        int64_t c;
        if (p->op == OM_OP_CONV || tb)
            c = i / (wn / C); /* rows: W[M, ...] or B[N, K] */
        else
            c = i % C;        /* columns: B[K, N] */
        nw[i] = om_pat_const_at(w, i) * scale[c];
    }
    char name[96];
    snprintf(name, sizeof name, "%s_folded", w->name);
    om_value *w2 = om_pat_const_f32(g, name, w->shape.rank, w->shape.dims, nw);
    snprintf(name, sizeof name, "%s_bias", y->name);
    om_value *b2 = om_pat_const_f32(g, name, 1, &C, nb);
    if (!w2 || !b2) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory folding into '%s'", p->name);
        goto fail;
    }
    om_op op = p->op == OM_OP_MATMUL ? OM_OP_GEMM : p->op;
    om_value *ins[3] = {om_node_input(p, 0), w2, b2};
    om_node *n = om_pat_replace_root(g, root, op, ins, 3);
    if (!n) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory folding into '%s'", p->name);
        goto fail;
    }
    if (p->op != OM_OP_MATMUL) {
        st = om_pat_copy_attrs(g, n, p);
        if (st == OM_OK && p->op == OM_OP_GEMM && om_node_attr(p, "beta"))
            st = om_node_set_float(g, n, "beta", 1.0f);
        if (st != OM_OK)
            goto fail;
    }
    n->name = p->name;
    p->dead = true;
    *done = true;
fail:
    free(nw);
    free(nb);
    return st;
}
