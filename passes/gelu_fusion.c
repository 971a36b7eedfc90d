/* gelu-fusion: the Erf and Tanh forms of GELU -> Gelu (ir/ops/fused.def).
 *
 * Patterns (f32; Add/Mul operands in either order; constants are one-element, compared with
 * a relative tolerance of 1e-4):
 *   erf:  e = Erf(Div(x, sqrt 2) | Mul(x, 1/sqrt 2)),   a = Add(e, 1)
 *   tanh: c = Pow(x, 3) | Mul(Mul(x, x), x) | Mul(x, Mul(x, x))
 *         e = Tanh(Mul(Add(x, Mul(c, 0.044715)), sqrt(2/pi))),   a = Add(e, 1)
 * followed by the product of a, x and 0.5 in any of the shapes PyTorch exports:
 *   Mul(Mul(x, a), 0.5)   Mul(a, Mul(x, 0.5))   Mul(Mul(a, 0.5), x)
 * -> Gelu(x) {approximate = "none" | "tanh"} writing the last Mul's value. Every matched
 * intermediate must have a single reader and not be a graph output (x may have any number).
 * Counters: gelus-fused-erf, gelus-fused-tanh.
 */
#include <math.h>

#include "passes/pattern.h"

#define REL 1e-4

static bool const_near(const om_value *v, double want)
{
    double c;
    return om_pat_const_scalar(v, &c) && fabs(c - want) <= REL * fabs(want);
}

/* n is a binary op `op` with one input `x` and the other a constant near `c` */
static bool op_x_const(const om_node *n, om_op op, const om_value *x, double c)
{
    om_value *o, *k;
    return n && n->op == op && om_pat_split_const(n, &o, &k, NULL) && o == x && const_near(k, c);
}

/* x^3 as Pow(x, 3) or Mul(Mul(x, x), x) in either order; stores x */
static bool match_cube(const om_graph *g, const om_value *v, om_value **x, om_node **chain, int *nc)
{
    om_node *p = om_pat_producer(v, OM_OP_COUNT);
    if (!p || !om_pat_single_use(g, v))
        return false;
    if (p->op == OM_OP_POW && const_near(p->inputs[1], 3.0)) {
        *x = p->inputs[0];
        chain[(*nc)++] = p;
        return true;
    }
    if (p->op != OM_OP_MUL)
        return false;
    for (int s = 0; s < 2; s++) {
        om_node *sq = om_pat_producer(p->inputs[s], OM_OP_MUL);
        om_value *xo = p->inputs[1 - s];
        if (sq && sq->inputs[0] == xo && sq->inputs[1] == xo && om_pat_single_use(g, sq->outputs[0])) {
            *x = xo;
            chain[(*nc)++] = sq;
            chain[(*nc)++] = p;
            return true;
        }
    }
    return false;
}

/* the product of a, x and 0.5 after a; returns the root Mul or NULL */
static om_node *match_tail(const om_graph *g, om_node *add1, const om_value *x, om_node **chain, int *nc)
{
    om_value *a = add1->outputs[0];
    om_node *m1 = om_pat_user_op(g, a, OM_OP_MUL);
    if (!m1)
        return NULL;
    om_value *o = om_pat_other_input(m1, a);
    if (!o)
        return NULL;
    chain[(*nc)++] = m1;
    if (o == x) { /* Mul(Mul(x, a), 0.5) */
        om_node *m2 = om_pat_user_op(g, m1->outputs[0], OM_OP_MUL);
        if (m2 && op_x_const(m2, OM_OP_MUL, m1->outputs[0], 0.5)) {
            chain[(*nc)++] = m2;
            return m2;
        }
        return NULL;
    }
    om_node *h = om_pat_producer(o, OM_OP_MUL);
    if (h && op_x_const(h, OM_OP_MUL, x, 0.5) && om_pat_single_use(g, o)) { /* Mul(a, Mul(x, 0.5)) */
        chain[(*nc)++] = h;
        return m1;
    }
    if (const_near(o, 0.5)) { /* Mul(Mul(a, 0.5), x) */
        om_node *m2 = om_pat_user_op(g, m1->outputs[0], OM_OP_MUL);
        if (m2 && om_pat_other_input(m2, m1->outputs[0]) == x) {
            chain[(*nc)++] = m2;
            return m2;
        }
    }
    return NULL;
}

/* tries the pattern around Erf/Tanh node e */
static om_status try_fuse(om_graph *g, om_node *e, bool *fused)
{
    *fused = false;
    om_node *chain[16];
    int nc = 0;
    om_value *u = om_node_input(e, 0), *x = NULL;
    om_node *pu = om_pat_producer(u, OM_OP_COUNT);
    if (!pu || !om_pat_single_use(g, u) || pu->n_inputs != 2)
        return OM_OK;
    bool tanh_form = e->op == OM_OP_TANH;
    if (!tanh_form) {
        om_value *o, *k;
        if (!om_pat_split_const(pu, &o, &k, NULL))
            return OM_OK;
        if ((pu->op == OM_OP_DIV && pu->inputs[0] == o && const_near(k, sqrt(2.0))) ||
            (pu->op == OM_OP_MUL && const_near(k, sqrt(0.5))))
            x = o;
        else
            return OM_OK;
        chain[nc++] = pu;
    } else {
        om_value *inner, *k;
        if (pu->op != OM_OP_MUL || !om_pat_split_const(pu, &inner, &k, NULL) || !const_near(k, sqrt(2.0 / M_PI)))
            return OM_OK;
        om_node *add = om_pat_producer(inner, OM_OP_ADD);
        if (!add || !om_pat_single_use(g, inner))
            return OM_OK;
        for (int s = 0; s < 2 && !x; s++) {
            om_node *mc = om_pat_producer(add->inputs[s], OM_OP_MUL);
            om_value *cube, *kc, *cx = NULL;
            int save = nc;
            if (mc && om_pat_single_use(g, add->inputs[s]) && om_pat_split_const(mc, &cube, &kc, NULL) &&
                const_near(kc, 0.044715) && match_cube(g, cube, &cx, chain, &nc) && cx == add->inputs[1 - s]) {
                x = cx;
                chain[nc++] = mc;
            } else {
                nc = save;
            }
        }
        if (!x)
            return OM_OK;
        chain[nc++] = add;
        chain[nc++] = pu;
    }
    if (!x || x->dtype != OM_DT_FLOAT || !om_shape_is_static(&x->shape))
        return OM_OK;
    chain[nc++] = e;
    om_node *add1 = om_pat_user_op(g, e->outputs[0], OM_OP_ADD);
    if (!add1 || !op_x_const(add1, OM_OP_ADD, e->outputs[0], 1.0))
        return OM_OK;
    chain[nc++] = add1;
    om_node *root = match_tail(g, add1, x, chain, &nc);
    if (!root || !om_shape_equal(&root->outputs[0]->shape, &x->shape) || root->outputs[0]->dtype != x->dtype)
        return OM_OK;
    om_node *gl = om_pat_replace_root(g, root, OM_OP_GELU, &x, 1);
    if (!gl || om_node_set_string(g, gl, "approximate", tanh_form ? "tanh" : "none") != OM_OK)
        return om_error(OM_ERR_NO_MEMORY, "gelu-fusion: out of memory");
    om_pat_kill_chain(g, chain, nc);
    *fused = true;
    return OM_OK;
}

om_status om_pass_gelu_fusion(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "gelu-fusion: no graph");
    if (changed)
        *changed = false;
    int64_t n_erf = 0, n_tanh = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead || (n->op != OM_OP_ERF && n->op != OM_OP_TANH))
            continue;
        bool did;
        om_status st = try_fuse(g, n, &did);
        if (st != OM_OK)
            return st;
        if (did && n->op == OM_OP_ERF)
            n_erf++;
        else if (did)
            n_tanh++;
    }
    if (n_erf || n_tanh)
        om_graph_remove_dead(g);
    om_pass_count(opts, "gelus-fused-erf", n_erf);
    om_pass_count(opts, "gelus-fused-tanh", n_tanh);
    if (changed)
        *changed = n_erf || n_tanh;
    return OM_OK;
}
