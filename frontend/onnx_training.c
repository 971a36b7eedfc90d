/* The optimizer ops of the ai.onnx.preview.training domain (Adagrad, Momentum, Adam),
 * lowered at import into elementwise IR ops following each op's pseudo code in the ONNX
 * schema. They are deterministic inference-style computations over (R, T, tensors...):
 *
 *   Adagrad(R, T, X1..Xn, G1..Gn, H1..Hn) -> X1_new..Xn_new, H1_new..Hn_new
 *   Momentum(R, T, X1..Xn, G1..Gn, V1..Vn) -> X1_new..Xn_new, V1_new..Vn_new
 *   Adam(R, T, X1..Xn, G1..Gn, V1..Vn, H1..Hn) -> X_new.., V_new.., H_new..
 *
 * R is a float scalar, T an int64 scalar (the update count, a run-time value: the T > 0
 * branches become Where nodes). Arithmetic is f32 like the reference implementation; the
 * scalar factors are computed once and broadcast over every optimized tensor.
 * Gradient (the autodiff op of the same domain) is not lowered: it stays unsupported.
 */
#include <string.h>

#include "frontend/fe_control.h"

typedef struct train_ctx {
    om_fe_ctx *ctx;
    const om_fe_node *n;
} train_ctx;

bool om_fe_is_training_op(const char *domain, const char *op_type)
{
    return strcmp(domain, "ai.onnx.preview.training") == 0 &&
           (strcmp(op_type, "Adagrad") == 0 || strcmp(op_type, "Momentum") == 0 || strcmp(op_type, "Adam") == 0);
}

static const Onnx__AttributeProto *find_attr(const om_fe_node *n, const char *name)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->proto->attribute[i];
        if (a && strcmp(om_fe_str(a->name), name) == 0)
            return a;
    }
    return NULL;
}

static float attr_f(const om_fe_node *n, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    return a ? a->f : dflt;
}

static om_value *op2(train_ctx *t, om_op op, om_value *a, om_value *b)
{
    if (!a || !b)
        return NULL;
    om_value *ins[2] = {a, b};
    return om_fe_emit1(t->ctx, op, NULL, ins, 2);
}

static om_value *op1(train_ctx *t, om_op op, om_value *a)
{
    return a ? om_fe_emit1(t->ctx, op, NULL, &a, 1) : NULL;
}

static om_value *cf(train_ctx *t, float v)
{
    om_shape s = om_shape_scalar();
    om_value *c = om_graph_add_constant(t->ctx->g, NULL, OM_DT_FLOAT, &s, &v, sizeof v);
    if (!c)
        t->ctx->last = om_error(OM_ERR_NO_MEMORY, "out of memory adding a constant");
    return c;
}

static om_value *input(train_ctx *t, size_t i, om_status *st)
{
    const char *nm = i < t->n->proto->n_input ? om_fe_str(t->n->proto->input[i]) : "";
    om_value *v = nm[0] ? om_fe_lookup(t->ctx, nm, t->n->label, st) : NULL;
    if (*st == OM_OK && !v)
        *st = om_error(OM_ERR_INVALID_MODEL, "%s (op %s): input %zu '%s' is not defined", t->n->label,
                       t->n->op_type, i, nm);
    return v;
}

/* Output `i` of the node computed as Identity(v), under the node's ONNX output name. */
static om_status bind_output(train_ctx *t, size_t i, om_value *v)
{
    if (!v)
        return t->ctx->last != OM_OK ? t->ctx->last : om_error(OM_ERR_NO_MEMORY, "%s: out of memory", t->n->label);
    const char *nm = i < t->n->proto->n_output ? om_fe_str(t->n->proto->output[i]) : "";
    if (!nm[0])
        return OM_OK;
    om_value *out = om_fe_new_output(t->ctx, t->n->label, nm);
    if (!out)
        return t->ctx->last;
    if (!om_graph_add_node(t->ctx->g, OM_OP_IDENTITY, NULL, &v, 1, &out, 1))
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", t->n->label);
    return OM_OK;
}

/* T (int64 scalar) as f32, and the i1 "T > 0". */
static om_status update_count(train_ctx *t, om_value *T, om_value **tf, om_value **positive)
{
    om_value *c = op1(t, OM_OP_CAST, T);
    if (!c || om_node_set_int(t->ctx->g, c->producer, "to", 1) != OM_OK)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", t->n->label);
    *tf = c;
    *positive = op2(t, OM_OP_GREATER, c, cf(t, 0.0f));
    return *positive ? OM_OK : om_error(OM_ERR_NO_MEMORY, "%s: out of memory", t->n->label);
}

static om_value *where(train_ctx *t, om_value *c, om_value *a, om_value *b)
{
    if (!c || !a || !b)
        return NULL;
    om_value *ins[3] = {c, a, b};
    return om_fe_emit1(t->ctx, OM_OP_WHERE, NULL, ins, 3);
}

/* G_regularized = norm_coefficient * X + G */
static om_value *regularized(train_ctx *t, om_value *X, om_value *G, float norm)
{
    return op2(t, OM_OP_ADD, op2(t, OM_OP_MUL, cf(t, norm), X), G);
}

static om_status lower_adagrad(train_ctx *t, size_t k, om_value *R, om_value *tf)
{
    const om_fe_node *n = t->n;
    float decay = attr_f(n, "decay_factor", 0.0f), eps = attr_f(n, "epsilon", 1e-6f);
    float norm = attr_f(n, "norm_coefficient", 0.0f);
    /* r = R / (1 + T * decay_factor) */
    om_value *r = op2(t, OM_OP_DIV, R, op2(t, OM_OP_ADD, cf(t, 1.0f), op2(t, OM_OP_MUL, tf, cf(t, decay))));
    om_status st = OM_OK;
    for (size_t i = 0; i < k && st == OM_OK; i++) {
        om_value *X = input(t, 2 + i, &st), *G = st ? NULL : input(t, 2 + k + i, &st);
        om_value *H = st ? NULL : input(t, 2 + 2 * k + i, &st);
        if (st != OM_OK)
            return st;
        om_value *g = regularized(t, X, G, norm);
        om_value *h_new = op2(t, OM_OP_ADD, H, op2(t, OM_OP_MUL, g, g));
        om_value *h_adaptive = op2(t, OM_OP_ADD, op1(t, OM_OP_SQRT, h_new), cf(t, eps));
        om_value *x_new = op2(t, OM_OP_SUB, X, op2(t, OM_OP_DIV, op2(t, OM_OP_MUL, r, g), h_adaptive));
        if ((st = bind_output(t, i, x_new)) == OM_OK)
            st = bind_output(t, k + i, h_new);
    }
    return st;
}

static om_status lower_momentum(train_ctx *t, size_t k, om_value *R, om_value *positive)
{
    const om_fe_node *n = t->n;
    const Onnx__AttributeProto *mode = find_attr(n, "mode");
    bool nesterov = mode && mode->s.len == 8 && memcmp(mode->s.data, "nesterov", 8) == 0;
    if (mode && !nesterov && !(mode->s.len == 8 && memcmp(mode->s.data, "standard", 8) == 0))
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Momentum): mode must be 'standard' or 'nesterov'", n->label);
    float alpha = attr_f(n, "alpha", 0.0f), beta = attr_f(n, "beta", 0.0f);
    float norm = attr_f(n, "norm_coefficient", 0.0f);
    /* beta_adjusted = T > 0 ? beta : 1 */
    om_value *beta_adj = where(t, positive, cf(t, beta), cf(t, 1.0f));
    om_status st = OM_OK;
    for (size_t i = 0; i < k && st == OM_OK; i++) {
        om_value *X = input(t, 2 + i, &st), *G = st ? NULL : input(t, 2 + k + i, &st);
        om_value *V = st ? NULL : input(t, 2 + 2 * k + i, &st);
        if (st != OM_OK)
            return st;
        om_value *g = regularized(t, X, G, norm);
        om_value *v_new = op2(t, OM_OP_ADD, op2(t, OM_OP_MUL, cf(t, alpha), V), op2(t, OM_OP_MUL, beta_adj, g));
        om_value *dir = nesterov ? op2(t, OM_OP_ADD, g, op2(t, OM_OP_MUL, cf(t, alpha), v_new)) : v_new;
        om_value *x_new = op2(t, OM_OP_SUB, X, op2(t, OM_OP_MUL, R, dir));
        if ((st = bind_output(t, i, x_new)) == OM_OK)
            st = bind_output(t, k + i, v_new);
    }
    return st;
}

static om_status lower_adam(train_ctx *t, size_t k, om_value *R, om_value *tf, om_value *positive)
{
    const om_fe_node *n = t->n;
    float alpha = attr_f(n, "alpha", 0.9f), beta = attr_f(n, "beta", 0.999f), eps = attr_f(n, "epsilon", 1e-6f);
    float norm = attr_f(n, "norm_coefficient", 0.0f), post = attr_f(n, "norm_coefficient_post", 0.0f);
    /* R_adjusted = T > 0 ? R * Sqrt(1 - beta**T) / (1 - alpha**T) : R */
    om_value *bt = op2(t, OM_OP_SUB, cf(t, 1.0f), op2(t, OM_OP_POW, cf(t, beta), tf));
    om_value *at = op2(t, OM_OP_SUB, cf(t, 1.0f), op2(t, OM_OP_POW, cf(t, alpha), tf));
    om_value *r_adj = where(t, positive, op2(t, OM_OP_DIV, op2(t, OM_OP_MUL, R, op1(t, OM_OP_SQRT, bt)), at), R);
    om_status st = OM_OK;
    for (size_t i = 0; i < k && st == OM_OK; i++) {
        om_value *X = input(t, 2 + i, &st), *G = st ? NULL : input(t, 2 + k + i, &st);
        om_value *V = st ? NULL : input(t, 2 + 2 * k + i, &st);
        om_value *H = st ? NULL : input(t, 2 + 3 * k + i, &st);
        if (st != OM_OK)
            return st;
        om_value *g = regularized(t, X, G, norm);
        om_value *v_new = op2(t, OM_OP_ADD, op2(t, OM_OP_MUL, cf(t, alpha), V),
                              op2(t, OM_OP_MUL, cf(t, 1.0f - alpha), g));
        om_value *h_new = op2(t, OM_OP_ADD, op2(t, OM_OP_MUL, cf(t, beta), H),
                              op2(t, OM_OP_MUL, cf(t, 1.0f - beta), op2(t, OM_OP_MUL, g, g)));
        om_value *h_sqrt = op2(t, OM_OP_ADD, op1(t, OM_OP_SQRT, h_new), cf(t, eps));
        om_value *x_new = op2(t, OM_OP_SUB, X, op2(t, OM_OP_DIV, op2(t, OM_OP_MUL, r_adj, v_new), h_sqrt));
        om_value *x_final = post != 0.0f ? op2(t, OM_OP_MUL, cf(t, 1.0f - post), x_new) : x_new;
        if ((st = bind_output(t, i, x_final)) == OM_OK && (st = bind_output(t, k + i, v_new)) == OM_OK)
            st = bind_output(t, 2 * k + i, h_new);
    }
    return st;
}

om_status om_fe_import_training(om_fe_ctx *ctx, om_fe_node *n)
{
    train_ctx t = {ctx, n};
    bool adam = strcmp(n->op_type, "Adam") == 0, adagrad = strcmp(n->op_type, "Adagrad") == 0;
    size_t per = adam ? 4 : 3;   /* tensors per optimized variable: X, G, (V), H/V */
    size_t n_in = n->proto->n_input, n_out = n->proto->n_output;
    if (n_in < 2 + per || (n_in - 2) % per != 0)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): %zu inputs; expected R, T and %zu tensors per variable",
                        n->label, n->op_type, n_in, per);
    size_t k = (n_in - 2) / per, outs = adam ? 3 : 2;
    if (n_out != outs * k)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): %zu outputs for %zu variables; expected %zu", n->label,
                        n->op_type, n_out, k, outs * k);
    om_status st = OM_OK;
    om_value *R = input(&t, 0, &st), *T = st ? NULL : input(&t, 1, &st);
    if (st != OM_OK)
        return st;
    if (R->dtype != OM_DT_FLOAT || (T->dtype != OM_DT_INT64))
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): R must be float and T int64 (found %s, %s)", n->label,
                        n->op_type, om_dtype_name(R->dtype), om_dtype_name(T->dtype));
    om_value *tf = NULL, *positive = NULL;
    if ((st = update_count(&t, T, &tf, &positive)) != OM_OK)
        return st;
    if (adagrad)
        return lower_adagrad(&t, k, R, tf);
    if (adam)
        return lower_adam(&t, k, R, tf, positive);
    return lower_momentum(&t, k, R, positive);
}
