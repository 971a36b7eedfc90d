/* fuse-epilogue: bias, residual Add and activation after Conv/Gemm/MatMul fused into the
 * kernel's store (codegen/cg_epilogue.h reads the attributes this pass writes).
 *
 * From each f32 Conv/Gemm/MatMul node without an epilogue, the chain of its output's single
 * readers is matched, in this order, each step optional:
 *   1. MatMul only, no input 2 yet: Add(y, c), c a constant bias over the last axis ([N],
 *      [1..,N] or one element) that does not widen y  -> input 2 = c as [N]
 *   2. Add(y, r), r a non-constant value of exactly y's shape and dtype  -> om_residual = 1,
 *      input 3 = r
 *   3. an activation: Relu, Clip (constant or absent min/max), Sigmoid, HardSigmoid,
 *      HardSwish, LeakyRelu, Tanh, Gelu, or SiLU = Mul(y, Sigmoid(y)) (y read by exactly the
 *      Sigmoid and the Mul, the Sigmoid's output only by the Mul)  -> om_activation
 *      (+ om_alpha, om_beta)
 *   4. when step 2 did not fire but step 3 did: Add(act, r) as in 2  -> om_residual = 2
 * A step fires only when the value it consumes has a single reader and is not a graph output
 * (om_pat_single_use). ResNet's conv -> Add -> Relu is 2+3, MobileNetV2's conv -> Clip is 3,
 * BERT's MatMul -> Add(bias) -> Gelu is 1+3 and MatMul -> Add(bias) -> Add(residual) is 1+2.
 * The rewritten kernel is a new node inserted before the last matched node, producing its
 * output value (om_pat_replace_root keeps names of graph outputs); the matched nodes die.
 * Counter: epilogues-fused (kernels that got an epilogue), ops-fused (nodes absorbed).
 */
#include <string.h>

#include "passes/pattern.h"

typedef struct epi_match {
    om_node *kernel;
    om_node *nodes[8];   /* absorbed nodes, in chain order */
    int n_nodes;
    om_value *bias;      /* MatMul: constant bias (original value) */
    om_value *residual;
    int residual_mode;   /* 0, 1, 2 */
    const char *act;
    float alpha, beta;
    bool has_alpha, has_beta;
    om_value *out;       /* value the fused kernel produces */
} epi_match;

static bool same_type(const om_value *a, const om_value *b)
{
    return a->dtype == b->dtype && a->shape.rank >= 0 && om_shape_is_static(&a->shape) &&
           om_shape_equal(&a->shape, &b->shape);
}

/* Step 2/4: y's single reader is Add(y, r) with r of y's shape (the Add not widening). */
static om_node *match_residual(const om_graph *g, om_value *y, om_value **r)
{
    om_node *add = om_pat_user_op(g, y, OM_OP_ADD);
    if (!add || add->n_outputs != 1)
        return NULL;
    om_value *o = om_pat_other_input(add, y);
    if (!o || o->kind == OM_VALUE_CONSTANT || !same_type(o, y) || !same_type(add->outputs[0], y))
        return NULL;
    *r = o;
    return add;
}

/* Step 1: y's single reader is Add(y, c) with c a constant bias over the last axis. */
static om_node *match_bias(const om_graph *g, om_value *y, om_value **c)
{
    om_node *add = om_pat_user_op(g, y, OM_OP_ADD);
    if (!add)
        return NULL;
    om_value *o = om_pat_other_input(add, y);
    if (!o || !om_pat_is_const(o) || o->dtype != OM_DT_FLOAT || !same_type(add->outputs[0], y) ||
        y->shape.rank < 1)
        return NULL;
    int64_t N = y->shape.dims[y->shape.rank - 1];
    int64_t cn = om_shape_numel(&o->shape);
    if (o->shape.rank > y->shape.rank || (cn != N && cn != 1))
        return NULL;
    for (int i = 0; i < o->shape.rank - 1; i++)
        if (o->shape.dims[i] != 1)
            return NULL;
    *c = o;
    return add;
}

/* Constant scalar input i of n (absent -> *present = false). False when present but not a
 * constant scalar. */
static bool opt_scalar(const om_node *n, int i, float *out, bool *present)
{
    const om_value *v = om_node_input(n, i);
    *present = v != NULL;
    if (!v)
        return true;
    double d;
    if (!om_pat_const_scalar(v, &d))
        return false;
    *out = (float)d;
    return true;
}

/* Step 3: an activation reading y alone (or the SiLU pair). Fills m->act/alpha/beta and
 * appends the absorbed nodes; returns the activation's output or NULL. */
static om_value *match_activation(const om_graph *g, om_value *y, epi_match *m)
{
    om_node *users[3];
    int nu = om_pat_users(g, y, users, 3);
    if (y->is_output)
        return NULL;
    if (nu == 2) { /* SiLU: Mul(y, Sigmoid(y)) */
        om_node *sg = NULL, *mul = NULL;
        for (int i = 0; i < 2; i++) {
            if (users[i]->op == OM_OP_SIGMOID)
                sg = users[i];
            else if (users[i]->op == OM_OP_MUL)
                mul = users[i];
        }
        if (!sg || !mul || sg->n_outputs != 1 || om_pat_user_op(g, sg->outputs[0], OM_OP_MUL) != mul ||
            om_pat_other_input(mul, sg->outputs[0]) != y || !same_type(mul->outputs[0], y))
            return NULL;
        m->act = "SiLU";
        m->nodes[m->n_nodes++] = sg;
        m->nodes[m->n_nodes++] = mul;
        return mul->outputs[0];
    }
    if (nu != 1)
        return NULL;
    om_node *a = users[0];
    if (a->n_outputs < 1 || om_node_input(a, 0) != y || !same_type(a->outputs[0], y))
        return NULL;
    m->has_alpha = m->has_beta = false;
    switch (a->op) {
    case OM_OP_RELU: m->act = "Relu"; break;
    case OM_OP_SIGMOID: m->act = "Sigmoid"; break;
    case OM_OP_TANH: m->act = "Tanh"; break;
    case OM_OP_HARD_SWISH: m->act = "HardSwish"; break;
    case OM_OP_GELU:
        m->act = strcmp(om_node_string(a, "approximate", "none"), "tanh") == 0 ? "GeluTanh" : "Gelu";
        break;
    case OM_OP_LEAKY_RELU:
        m->act = "LeakyRelu";
        m->alpha = om_node_float(a, "alpha", 0.01f);
        m->has_alpha = true;
        break;
    case OM_OP_HARD_SIGMOID:
        m->act = "HardSigmoid";
        m->alpha = om_node_float(a, "alpha", 0.2f);
        m->beta = om_node_float(a, "beta", 0.5f);
        m->has_alpha = m->has_beta = true;
        break;
    case OM_OP_CLIP:
        m->act = "Clip";
        if (a->n_inputs > 1) {
            if (!opt_scalar(a, 1, &m->alpha, &m->has_alpha) || !opt_scalar(a, 2, &m->beta, &m->has_beta))
                return NULL;
        } else { /* opset < 11 attributes (the frontend may keep them) */
            m->has_alpha = om_node_attr(a, "min") != NULL;
            m->has_beta = om_node_attr(a, "max") != NULL;
            m->alpha = om_node_float(a, "min", 0);
            m->beta = om_node_float(a, "max", 0);
        }
        break;
    default:
        return NULL;
    }
    m->nodes[m->n_nodes++] = a;
    return a->outputs[0];
}

static bool has_epilogue(const om_node *n)
{
    return om_node_attr(n, "om_activation") || om_node_attr(n, "om_residual") ||
           (n->op == OM_OP_MATMUL && om_node_input(n, 2)) || n->n_inputs > 3;
}

static bool match(const om_graph *g, om_node *k, epi_match *m)
{
    memset(m, 0, sizeof *m);
    m->kernel = k;
    if (k->n_outputs != 1 || has_epilogue(k))
        return false;
    om_value *y = k->outputs[0];
    if (y->dtype != OM_DT_FLOAT || !om_shape_is_static(&y->shape))
        return false;
    om_value *cur = y, *v;
    om_node *n;
    if (k->op == OM_OP_MATMUL && om_pat_single_use(g, cur) && (n = match_bias(g, cur, &v))) {
        m->bias = v;
        m->nodes[m->n_nodes++] = n;
        cur = n->outputs[0];
    }
    if (om_pat_single_use(g, cur) && (n = match_residual(g, cur, &v))) {
        m->residual = v;
        m->residual_mode = 1;
        m->nodes[m->n_nodes++] = n;
        cur = n->outputs[0];
    }
    om_value *a = match_activation(g, cur, m);
    if (a) {
        cur = a;
        if (!m->residual_mode && om_pat_single_use(g, cur) && (n = match_residual(g, cur, &v))) {
            m->residual = v;
            m->residual_mode = 2;
            m->nodes[m->n_nodes++] = n;
            cur = n->outputs[0];
        }
    } else {
        m->act = NULL;
    }
    m->out = cur;
    return m->n_nodes > 0;
}

static om_status rewrite(om_graph *g, epi_match *m)
{
    om_node *k = m->kernel, *last = m->nodes[m->n_nodes - 1];
    om_value *ins[4] = {NULL, NULL, NULL, NULL};
    int nin = k->n_inputs;
    for (int i = 0; i < nin && i < 3; i++)
        ins[i] = k->inputs[i];
    if (m->bias && m->bias->shape.rank == 1 && m->bias->dtype == OM_DT_FLOAT &&
        m->bias->shape.dims[0] == k->outputs[0]->shape.dims[k->outputs[0]->shape.rank - 1]) {
        ins[2] = m->bias; /* already [N] f32 */
        nin = 3;
    } else if (m->bias) {
        om_value *y = k->outputs[0];
        int64_t N = y->shape.dims[y->shape.rank - 1];
        double *vals = om_graph_alloc(g, (size_t)(N ? N : 1) * sizeof(double));
        if (!vals)
            return om_error(OM_ERR_NO_MEMORY, "fuse-epilogue: out of memory");
        int64_t cn = om_shape_numel(&m->bias->shape);
        for (int64_t j = 0; j < N; j++)
            vals[j] = om_pat_const_at(m->bias, cn == 1 ? 0 : j);
        char name[128];
        snprintf(name, sizeof name, "%s_bias", y->name ? y->name : "matmul");
        ins[2] = om_pat_const_f32(g, name, 1, &N, vals);
        if (!ins[2])
            return om_error(OM_ERR_NO_MEMORY, "fuse-epilogue: out of memory");
        if (nin < 3)
            nin = 3;
    }
    if (m->residual) {
        ins[3] = m->residual;
        nin = 4;
    }
    om_node *f = om_pat_replace_root(g, last, k->op, ins, nin);
    if (!f)
        return om_error(OM_ERR_NO_MEMORY, "fuse-epilogue: out of memory");
    f->name = k->name;
    om_status st = om_pat_copy_attrs(g, f, k);
    if (st == OM_OK && m->act)
        st = om_node_set_string(g, f, "om_activation", m->act);
    if (st == OM_OK && m->act && m->has_alpha)
        st = om_node_set_float(g, f, "om_alpha", m->alpha);
    if (st == OM_OK && m->act && m->has_beta)
        st = om_node_set_float(g, f, "om_beta", m->beta);
    if (st == OM_OK && m->residual_mode)
        st = om_node_set_int(g, f, "om_residual", m->residual_mode);
    if (st != OM_OK)
        return st;
    k->dead = true;
    for (int i = 0; i < m->n_nodes; i++)
        m->nodes[i]->dead = true;
    return OM_OK;
}

om_status om_pass_fuse_epilogue(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "fuse-epilogue: no graph");
    if (changed)
        *changed = false;
    int64_t fused = 0, absorbed = 0;
    size_t count = g->n_nodes;
    for (size_t i = 0; i < count; i++) {
        om_node *k = g->nodes[i];
        if (!k || k->dead || (k->op != OM_OP_CONV && k->op != OM_OP_GEMM && k->op != OM_OP_MATMUL))
            continue;
        epi_match m;
        if (!match(g, k, &m))
            continue;
        om_status st = rewrite(g, &m);
        if (st != OM_OK)
            return st;
        fused++;
        absorbed += m.n_nodes;
        count = g->n_nodes; /* a node was inserted later in the list; the kernel is dead */
    }
    if (fused)
        om_graph_remove_dead(g);
    om_pass_count(opts, "epilogues-fused", fused);
    om_pass_count(opts, "ops-fused", absorbed);
    if (changed)
        *changed = fused > 0;
    return OM_OK;
}
