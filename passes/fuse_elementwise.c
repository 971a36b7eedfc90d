/* fuse-elementwise: maximal trees of f32 elementwise ops grouped into one FusedElementwise
 * node (ir/ops/fused.def; kernel codegen/kernels/fused_elementwise.c).
 *
 * Fusible nodes: Add, Sub, Mul, Div (numpy broadcasting), Relu, Sigmoid, Tanh, Gelu
 * (approximate "none"), Clip with constant (or absent) scalar bounds, and the attribute-free
 * float ops of the math_unary family (Abs, Neg, Exp, Log, Sqrt, Reciprocal, Floor, Ceil,
 * Round, Sign, Erf, Sin, Cos, ..., Softplus, Softsign, Mish, and LeakyRelu/HardSigmoid/
 * HardSwish/Elu/... only without attributes, i.e. with their defaults); every input and
 * the output f32 with static shapes.
 * Grouping: nodes are visited last to first; an unvisited fusible node is a root and grows
 * through its inputs: an input produced by a fusible node that has no other reader and is
 * not a graph output joins the group (so the group is a tree whose inner values nobody else
 * sees). A group of at least two nodes becomes one FusedElementwise writing the root's
 * output value; its inputs are the group's external values (at most 32, each once).
 * Each element of Y evaluates the whole tree, so a member whose output is smaller than Y
 * (broadcast later) is recomputed per element: members are limited to 64 per group.
 * Counters: groups-fused, ops-fused.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "passes/pattern.h"

#define FE_MAX_IN 32
#define FE_MAX_OPS 64

static bool fe_math_unary_ok(om_op op)
{
    switch (op) {
    case OM_OP_ABS: case OM_OP_NEG: case OM_OP_EXP: case OM_OP_LOG: case OM_OP_SQRT: case OM_OP_RECIPROCAL:
    case OM_OP_FLOOR: case OM_OP_CEIL: case OM_OP_ROUND: case OM_OP_SIGN: case OM_OP_ERF:
    case OM_OP_SIN: case OM_OP_COS: case OM_OP_TAN: case OM_OP_ASIN: case OM_OP_ACOS: case OM_OP_ATAN:
    case OM_OP_SINH: case OM_OP_COSH: case OM_OP_ASINH: case OM_OP_ACOSH: case OM_OP_ATANH:
    case OM_OP_SOFTPLUS: case OM_OP_SOFTSIGN: case OM_OP_LEAKY_RELU: case OM_OP_HARD_SIGMOID:
    case OM_OP_HARD_SWISH:
        return true;
    default:
        return false;
    }
}

static bool f32_static(const om_value *v)
{
    return v && v->dtype == OM_DT_FLOAT && v->shape.rank >= 0 && om_shape_is_static(&v->shape);
}

/* n can be a member; alpha and beta get Clip's bounds. */
static bool fusible(const om_node *n, float *alpha, float *beta)
{
    *alpha = -INFINITY;
    *beta = INFINITY;
    if (n->dead || n->n_outputs != 1 || !f32_static(n->outputs[0]))
        return false;
    switch (n->op) {
    case OM_OP_ADD: case OM_OP_SUB: case OM_OP_MUL: case OM_OP_DIV:
        if (n->n_inputs != 2 || !f32_static(n->inputs[0]) || !f32_static(n->inputs[1]) || n->n_attrs)
            return false;
        return true;
    case OM_OP_CLIP: {
        if (n->n_inputs < 1 || !f32_static(n->inputs[0]) || n->n_attrs)
            return false;
        for (int i = 1; i < n->n_inputs && i < 3; i++) {
            const om_value *b = n->inputs[i];
            double d;
            if (!b)
                continue;
            if (b->dtype != OM_DT_FLOAT || !om_pat_const_scalar(b, &d))
                return false;
            *(i == 1 ? alpha : beta) = (float)d;
        }
        return n->n_inputs <= 3;
    }
    case OM_OP_GELU:
        if (strcmp(om_node_string(n, "approximate", "none"), "none") != 0)
            return false;
        /* fall through */
    case OM_OP_RELU: case OM_OP_SIGMOID: case OM_OP_TANH:
        return n->n_inputs == 1 && f32_static(n->inputs[0]) && (n->op == OM_OP_GELU || !n->n_attrs);
    default:
        return fe_math_unary_ok(n->op) && n->n_inputs == 1 && f32_static(n->inputs[0]) && !n->n_attrs;
    }
}

typedef struct fe_group {
    om_node *members[FE_MAX_OPS];
    float alpha[FE_MAX_OPS], beta[FE_MAX_OPS];
    int n;
} fe_group;

static int member_index(const fe_group *gr, const om_node *p)
{
    for (int i = 0; i < gr->n; i++)
        if (gr->members[i] == p)
            return i;
    return -1;
}

/* Grows the group from member index `at` through its inputs (depth first). */
static void grow(const om_graph *g, fe_group *gr, int at, const bool *taken, const size_t *pos)
{
    om_node *m = gr->members[at];
    int nin = m->op == OM_OP_CLIP ? 1 : m->n_inputs;
    for (int i = 0; i < nin; i++) {
        om_value *v = m->inputs[i];
        om_node *p = v ? om_pat_producer(v, OM_OP_COUNT) : NULL;
        float a, b;
        if (!p || gr->n >= FE_MAX_OPS || member_index(gr, p) >= 0 || taken[pos[p->id]] ||
            !om_pat_single_use(g, v) || !fusible(p, &a, &b))
            continue;
        gr->members[gr->n] = p;
        gr->alpha[gr->n] = a;
        gr->beta[gr->n] = b;
        gr->n++;
        grow(g, gr, gr->n - 1, taken, pos);
    }
}

static om_status build(om_graph *g, fe_group *gr, const size_t *pos, bool *built)
{
    *built = false;
    /* evaluation order = graph order (the members form a tree under the root, which is last) */
    for (int i = 1; i < gr->n; i++)
        for (int j = i; j > 0 && pos[gr->members[j - 1]->id] > pos[gr->members[j]->id]; j--) {
            om_node *t = gr->members[j];
            gr->members[j] = gr->members[j - 1];
            gr->members[j - 1] = t;
            float ta = gr->alpha[j], tb = gr->beta[j];
            gr->alpha[j] = gr->alpha[j - 1], gr->beta[j] = gr->beta[j - 1];
            gr->alpha[j - 1] = ta, gr->beta[j - 1] = tb;
        }
    om_value *ins[FE_MAX_IN];
    int nin = 0;
    int64_t args[2 * FE_MAX_OPS];
    const char *names[FE_MAX_OPS];
    for (int j = 0; j < gr->n; j++) {
        om_node *m = gr->members[j];
        names[j] = om_op_name(m->op);
        int ar = (m->op == OM_OP_CLIP) ? 1 : m->n_inputs;
        for (int k = 0; k < 2; k++) {
            args[2 * j + k] = -1;
            if (k >= ar)
                continue;
            om_value *v = m->inputs[k];
            om_node *p = v->kind == OM_VALUE_INTERMEDIATE ? v->producer : NULL;
            int mi = p ? member_index(gr, p) : -1;
            if (mi >= 0) {
                args[2 * j + k] = -2 - mi; /* fixed up below: results follow the inputs */
                continue;
            }
            int e = -1;
            for (int q = 0; q < nin; q++)
                if (ins[q] == v)
                    e = q;
            if (e < 0) {
                if (nin >= FE_MAX_IN)
                    return OM_OK; /* too many inputs: leave the group alone */
                ins[nin] = v;
                e = nin++;
            }
            args[2 * j + k] = e;
        }
    }
    for (int j = 0; j < 2 * gr->n; j++)
        if (args[j] <= -2)
            args[j] = nin + (-2 - args[j]);
    om_node *root = gr->members[gr->n - 1];
    om_node *f = om_pat_replace_root(g, root, OM_OP_FUSED_ELEMENTWISE, ins, nin);
    if (!f)
        return om_error(OM_ERR_NO_MEMORY, "fuse-elementwise: out of memory");
    f->name = root->name;
    om_status st = om_node_set_strings(g, f, "ops", names, gr->n);
    if (st == OM_OK)
        st = om_node_set_ints(g, f, "args", args, 2 * gr->n);
    bool clip = false;
    for (int j = 0; j < gr->n; j++)
        clip |= gr->members[j]->op == OM_OP_CLIP;
    if (st == OM_OK && clip)
        st = om_node_set_floats(g, f, "alphas", gr->alpha, gr->n);
    if (st == OM_OK && clip)
        st = om_node_set_floats(g, f, "betas", gr->beta, gr->n);
    if (st != OM_OK)
        return st;
    for (int j = 0; j < gr->n; j++)
        gr->members[j]->dead = true;
    *built = true;
    return OM_OK;
}

om_status om_pass_fuse_elementwise(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "fuse-elementwise: no graph");
    if (changed)
        *changed = false;
    size_t count = g->n_nodes;
    uint32_t max_id = 0;
    for (size_t i = 0; i < count; i++)
        if (g->nodes[i] && g->nodes[i]->id > max_id)
            max_id = g->nodes[i]->id;
    size_t *pos = calloc((size_t)max_id + 1, sizeof *pos);
    bool *taken = calloc(count ? count : 1, sizeof *taken);
    fe_group *gr = malloc(sizeof *gr);
    om_status st = OM_OK;
    int64_t groups = 0, absorbed = 0;
    if (!pos || !taken || !gr) {
        st = om_error(OM_ERR_NO_MEMORY, "fuse-elementwise: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < count; i++)
        if (g->nodes[i])
            pos[g->nodes[i]->id] = i;
    for (size_t r = count; r-- > 0;) {
        om_node *n = g->nodes[r];
        float a, b;
        if (!n || taken[r] || !fusible(n, &a, &b))
            continue;
        gr->n = 1;
        gr->members[0] = n;
        gr->alpha[0] = a;
        gr->beta[0] = b;
        grow(g, gr, 0, taken, pos);
        for (int j = 0; j < gr->n; j++)
            taken[pos[gr->members[j]->id]] = true;
        if (gr->n < 2)
            continue;
        bool built;
        if ((st = build(g, gr, pos, &built)) != OM_OK)
            goto fail;
        if (built) {
            groups++;
            absorbed += gr->n;
        }
    }
    if (groups)
        om_graph_remove_dead(g);
    om_pass_count(opts, "groups-fused", groups);
    om_pass_count(opts, "ops-fused", absorbed);
    if (changed)
        *changed = groups > 0;
fail:
    free(pos);
    free(taken);
    free(gr);
    return st;
}
