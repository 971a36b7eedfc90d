/* The recurrent kernels (RNN, GRU, LSTM: codegen/kernels/seq_rnn.c) against a plain
 * double-precision reference of the ONNX equations: forward / reverse / bidirectional,
 * layout 0 and 1, with and without B, initial_h/initial_c, peepholes, sequence_lens
 * (shorter rows: zero padding in Y, Y_h from the last valid step), clip,
 * linear_before_reset, input_forget, and non-default activations with alpha/beta. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct cfg {
    om_op op;
    int T, B, I, H, D, layout;
    bool reverse, bias, init, peep, seqlens, lbr, input_forget;
    float clip;
    const char *acts[6]; /* NULL: defaults */
    int n_acts;
    float alpha[6], beta[6];
    int n_alpha, n_beta;
} cfg;

typedef struct ract {
    const char *name;
    double a, b;
} ract;

static double act(const ract *f, double x)
{
    const char *s = f->name;
    if (!strcasecmp(s, "Sigmoid")) return 1.0 / (1.0 + exp(-x));
    if (!strcasecmp(s, "Tanh")) return tanh(x);
    if (!strcasecmp(s, "Relu")) return x > 0 ? x : 0;
    if (!strcasecmp(s, "Affine")) return f->a * x + f->b;
    if (!strcasecmp(s, "LeakyRelu")) return x < 0 ? f->a * x : x;
    if (!strcasecmp(s, "ThresholdedRelu")) return x > f->a ? x : 0;
    if (!strcasecmp(s, "ScaledTanh")) return f->a * tanh(f->b * x);
    if (!strcasecmp(s, "HardSigmoid")) return fmax(0, fmin(1, f->a * x + f->b));
    if (!strcasecmp(s, "Elu")) return x < 0 ? f->a * (exp(x) - 1) : x;
    if (!strcasecmp(s, "Softsign")) return x / (1 + fabs(x));
    return log1p(exp(x)); /* Softplus */
}

static double clipv(const cfg *c, double v)
{
    if (c->clip > 0)
        v = fmin(c->clip, fmax(-c->clip, v));
    return v;
}

/* reference: fills y [T,D,B,H] (layout 0 order), yh, yc [D,B,H] */
static void reference(const cfg *c, const ract *acts, const float *x, const float *w, const float *r, const float *bias,
                      const int32_t *seq, const float *h0, const float *c0, const float *p, double *y, double *yh,
                      double *yc)
{
    int G = c->op == OM_OP_LSTM ? 4 : c->op == OM_OP_GRU ? 3 : 1, per = c->op == OM_OP_LSTM ? 3 : G == 3 ? 2 : 1;
    int T = c->T, B = c->B, I = c->I, H = c->H, D = c->D;
    double h[64], cc[64], gx[256], gh[256], tmp[64];
    memset(y, 0, sizeof(double) * (size_t)(T * D * B * H));
    for (int d = 0; d < D; d++)
        for (int b = 0; b < B; b++) {
            const ract *fa = acts + d * per;
            bool rev = c->reverse || d == 1;
            int len = seq ? seq[b] : T;
            for (int j = 0; j < H; j++) {
                int hi = c->layout ? (b * D + d) * H + j : (d * B + b) * H + j;
                h[j] = h0 ? h0[hi] : 0;
                cc[j] = c0 ? c0[hi] : 0;
            }
            for (int t = 0; t < len; t++) {
                int tt = rev ? len - 1 - t : t;
                const float *xt = x + (c->layout ? (b * T + tt) * I : (tt * B + b) * I);
                for (int row = 0; row < G * H; row++) {
                    double sx = bias ? bias[d * 2 * G * H + row] : 0, sh = bias ? bias[d * 2 * G * H + G * H + row] : 0;
                    for (int k = 0; k < I; k++)
                        sx += xt[k] * w[(d * G * H + row) * I + k];
                    for (int k = 0; k < H; k++)
                        sh += h[k] * r[(d * G * H + row) * H + k];
                    gx[row] = sx;
                    gh[row] = sh;
                }
                if (c->op == OM_OP_RNN) {
                    for (int j = 0; j < H; j++)
                        h[j] = act(&fa[0], clipv(c, gx[j] + gh[j]));
                } else if (c->op == OM_OP_GRU) {
                    double z[64], rr[64];
                    for (int j = 0; j < H; j++) {
                        z[j] = act(&fa[0], clipv(c, gx[j] + gh[j]));
                        rr[j] = act(&fa[0], clipv(c, gx[H + j] + gh[H + j]));
                        tmp[j] = rr[j] * h[j];
                    }
                    for (int j = 0; j < H; j++) {
                        double hp;
                        if (c->lbr) {
                            hp = rr[j] * gh[2 * H + j];
                        } else {
                            hp = bias ? bias[d * 6 * H + 3 * H + 2 * H + j] : 0;
                            for (int k = 0; k < H; k++)
                                hp += tmp[k] * r[(d * 3 * H + 2 * H + j) * H + k];
                        }
                        double hh = act(&fa[1], clipv(c, gx[2 * H + j] + hp));
                        gx[2 * H + j] = (1 - z[j]) * hh; /* keep h[] intact until all j are done */
                        gh[2 * H + j] = z[j];
                    }
                    for (int j = 0; j < H; j++)
                        h[j] = gx[2 * H + j] + gh[2 * H + j] * h[j];
                } else {
                    for (int j = 0; j < H; j++) {
                        double pi = p ? p[d * 3 * H + j] : 0, po = p ? p[d * 3 * H + H + j] : 0,
                               pf = p ? p[d * 3 * H + 2 * H + j] : 0;
                        double ig = act(&fa[0], clipv(c, gx[j] + gh[j] + pi * cc[j]));
                        double fg = c->input_forget ? 1 - ig : act(&fa[0], clipv(c, gx[2 * H + j] + gh[2 * H + j] + pf * cc[j]));
                        double cg = act(&fa[1], clipv(c, gx[3 * H + j] + gh[3 * H + j]));
                        cc[j] = fg * cc[j] + ig * cg;
                        double og = act(&fa[0], clipv(c, gx[H + j] + gh[H + j] + po * cc[j]));
                        h[j] = og * act(&fa[2], cc[j]);
                    }
                }
                for (int j = 0; j < H; j++)
                    y[((tt * D + d) * B + b) * H + j] = h[j];
            }
            for (int j = 0; j < H; j++) {
                yh[(d * B + b) * H + j] = h[j];
                yc[(d * B + b) * H + j] = cc[j];
            }
        }
}

static void check(const cfg *c)
{
    int G = c->op == OM_OP_LSTM ? 4 : c->op == OM_OP_GRU ? 3 : 1, per = c->op == OM_OP_LSTM ? 3 : G == 3 ? 2 : 1;
    int T = c->T, B = c->B, I = c->I, H = c->H, D = c->D;
    om_graph *g = om_graph_create("t");
    int64_t xd[3] = {T, B, I}, wd[3] = {D, G * H, I}, rd[3] = {D, G * H, H}, bd[2] = {D, 2 * G * H}, sd[1] = {B};
    int64_t hd[3] = {D, B, H}, pd[2] = {D, 3 * H}, yd[4] = {T, D, B, H};
    if (c->layout) {
        xd[0] = B, xd[1] = T, hd[0] = B, hd[1] = D, yd[0] = B, yd[1] = T, yd[2] = D;
    }
    om_value *in[8] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), cg_input(g, "w", OM_DT_FLOAT, 3, wd),
                       cg_input(g, "r", OM_DT_FLOAT, 3, rd), NULL, NULL, NULL, NULL, NULL};
    if (c->bias) in[3] = cg_input(g, "b", OM_DT_FLOAT, 2, bd);
    if (c->seqlens) in[4] = cg_input(g, "seq", OM_DT_INT32, 1, sd);
    if (c->init) in[5] = cg_input(g, "h0", OM_DT_FLOAT, 3, hd);
    if (c->init && c->op == OM_OP_LSTM) in[6] = cg_input(g, "c0", OM_DT_FLOAT, 3, hd);
    if (c->peep) in[7] = cg_input(g, "p", OM_DT_FLOAT, 2, pd);
    int nin = c->op == OM_OP_LSTM ? 8 : 6;
    om_value *out[3] = {cg_value(g, "y", OM_DT_FLOAT, 4, yd), cg_value(g, "yh", OM_DT_FLOAT, 3, hd),
                        cg_value(g, "yc", OM_DT_FLOAT, 3, hd)};
    int nout = c->op == OM_OP_LSTM ? 3 : 2;
    om_node *n = om_graph_add_node(g, c->op, "rnn", in, nin, out, nout);
    assert_int_equal(om_node_set_int(g, n, "hidden_size", H), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "layout", c->layout), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "direction", D == 2 ? "bidirectional" : c->reverse ? "reverse" : "forward"),
                     OM_OK);
    if (c->lbr) assert_int_equal(om_node_set_int(g, n, "linear_before_reset", 1), OM_OK);
    if (c->input_forget) assert_int_equal(om_node_set_int(g, n, "input_forget", 1), OM_OK);
    if (c->clip > 0) assert_int_equal(om_node_set_float(g, n, "clip", c->clip), OM_OK);
    if (c->n_acts) assert_int_equal(om_node_set_strings(g, n, "activations", c->acts, c->n_acts), OM_OK);
    if (c->n_alpha) assert_int_equal(om_node_set_floats(g, n, "activation_alpha", c->alpha, c->n_alpha), OM_OK);
    if (c->n_beta) assert_int_equal(om_node_set_floats(g, n, "activation_beta", c->beta, c->n_beta), OM_OK);
    for (int o = 0; o < nout; o++)
        assert_int_equal(om_graph_add_output(g, out[o]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(c->op), om_last_error());
    for (int i = 0; i < 8; i++) {
        if (!in[i]) continue;
        int64_t ne = om_shape_numel(&in[i]->shape);
        if (i == 4) {
            int32_t *s = cg_jit_buf(j, in[i]);
            for (int b = 0; b < B; b++)
                s[b] = b == 0 ? T : (int32_t)(cg_rand() % (uint64_t)(T + 1));
        } else {
            cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, in[i]), ne, -1.0, 1.0);
        }
    }
    cg_jit_run_checked(j);
    /* activations for the reference (defaults and alpha/beta consumption as the kernel's contract) */
    static const char *const dflt[3][3] = {{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
    ract acts[6];
    int ia = 0, ib = 0;
    for (int k = 0; k < per * D; k++) {
        const char *nm = c->n_acts ? c->acts[c->n_acts == per ? k % per : k] : dflt[per - 1][k % per];
        acts[k].name = nm;
        bool ta = !strcasecmp(nm, "Affine") || !strcasecmp(nm, "LeakyRelu") || !strcasecmp(nm, "ThresholdedRelu") ||
                  !strcasecmp(nm, "ScaledTanh") || !strcasecmp(nm, "HardSigmoid") || !strcasecmp(nm, "Elu");
        bool tb = !strcasecmp(nm, "Affine") || !strcasecmp(nm, "ScaledTanh") || !strcasecmp(nm, "HardSigmoid");
        acts[k].a = !strcasecmp(nm, "LeakyRelu") ? 0.01 : !strcasecmp(nm, "HardSigmoid") ? 0.2 : 1.0;
        acts[k].b = !strcasecmp(nm, "HardSigmoid") ? 0.5 : !strcasecmp(nm, "ScaledTanh") ? 1.0 : 0.0;
        if (ta && ia < c->n_alpha) acts[k].a = c->alpha[ia++];
        if (tb && ib < c->n_beta) acts[k].b = c->beta[ib++];
    }
    int ny = T * D * B * H, nh = D * B * H;
    double *y = calloc((size_t)ny, sizeof *y), *yh = calloc((size_t)nh, sizeof *yh), *yc = calloc((size_t)nh, sizeof *yc);
    assert_non_null(y);
    assert_non_null(yh);
    assert_non_null(yc);
    reference(c, acts, cg_jit_buf(j, in[0]), cg_jit_buf(j, in[1]), cg_jit_buf(j, in[2]), in[3] ? cg_jit_buf(j, in[3]) : NULL,
              in[4] ? cg_jit_buf(j, in[4]) : NULL, in[5] ? cg_jit_buf(j, in[5]) : NULL,
              in[6] ? cg_jit_buf(j, in[6]) : NULL, in[7] ? cg_jit_buf(j, in[7]) : NULL, y, yh, yc);
    const float *gy = cg_jit_buf(j, out[0]), *gh = cg_jit_buf(j, out[1]), *gc = nout > 2 ? cg_jit_buf(j, out[2]) : NULL;
    for (int t = 0; t < T; t++)
        for (int d = 0; d < D; d++)
            for (int b = 0; b < B; b++)
                for (int k = 0; k < H; k++) {
                    double want = y[((t * D + d) * B + b) * H + k];
                    int at = c->layout ? ((b * T + t) * D + d) * H + k : ((t * D + d) * B + b) * H + k;
                    if (!(fabs(gy[at] - want) <= 1e-4 + 1e-4 * fabs(want)))
                        fail_msg("%s Y[t%d d%d b%d %d] = %.7g, want %.7g", om_op_name(c->op), t, d, b, k, gy[at], want);
                }
    for (int d = 0; d < D; d++)
        for (int b = 0; b < B; b++)
            for (int k = 0; k < H; k++) {
                int at = c->layout ? (b * D + d) * H + k : (d * B + b) * H + k;
                double wh = yh[(d * B + b) * H + k], wc = yc[(d * B + b) * H + k];
                if (!(fabs(gh[at] - wh) <= 1e-4 + 1e-4 * fabs(wh)))
                    fail_msg("%s Y_h[d%d b%d %d] = %.7g, want %.7g", om_op_name(c->op), d, b, k, gh[at], wh);
                if (gc && !(fabs(gc[at] - wc) <= 1e-4 + 1e-4 * fabs(wc)))
                    fail_msg("%s Y_c[d%d b%d %d] = %.7g, want %.7g", om_op_name(c->op), d, b, k, gc[at], wc);
            }
    free(y);
    free(yh);
    free(yc);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_rnn(void **state)
{
    (void)state;
    cfg c = {.op = OM_OP_RNN, .T = 4, .B = 3, .I = 5, .H = 6, .D = 1};
    check(&c);
    c.bias = c.init = true;
    check(&c);
    c.reverse = true, c.seqlens = true;
    check(&c);
    c.reverse = false, c.D = 2, c.layout = 1;
    check(&c);
    cfg r = {.op = OM_OP_RNN, .T = 3, .B = 2, .I = 3, .H = 4, .D = 2, .bias = true, .n_acts = 2,
             .acts = {"Relu", "LeakyRelu"}, .alpha = {0.3f}, .n_alpha = 1, .clip = 0.5f};
    check(&r);
    r.acts[0] = "HardSigmoid", r.acts[1] = "Affine", r.alpha[0] = 0.4f, r.alpha[1] = 2.0f, r.n_alpha = 2;
    r.beta[0] = 0.1f, r.beta[1] = -0.5f, r.n_beta = 2, r.clip = 0;
    check(&r);
    r.acts[0] = "Elu", r.acts[1] = "Softsign";
    check(&r);
    r.acts[0] = "Softplus", r.acts[1] = "ScaledTanh";
    check(&r);
    r.acts[0] = "ThresholdedRelu", r.acts[1] = "Tanh", r.alpha[0] = 0.1f;
    check(&r);
}

static void test_gru(void **state)
{
    (void)state;
    cfg c = {.op = OM_OP_GRU, .T = 4, .B = 3, .I = 5, .H = 6, .D = 1};
    check(&c);
    c.bias = c.init = true;
    check(&c);
    c.lbr = true;
    check(&c);
    c.reverse = true, c.seqlens = true, c.lbr = false;
    check(&c);
    c.reverse = false, c.D = 2, c.layout = 1, c.clip = 0.7f;
    check(&c);
    c.lbr = true;
    c.n_acts = 2, c.acts[0] = "HardSigmoid", c.acts[1] = "Relu";
    check(&c);
}

static void test_lstm(void **state)
{
    (void)state;
    cfg c = {.op = OM_OP_LSTM, .T = 4, .B = 3, .I = 5, .H = 6, .D = 1};
    check(&c);
    c.bias = c.init = c.peep = true;
    check(&c);
    c.reverse = true, c.seqlens = true;
    check(&c);
    c.reverse = false, c.D = 2, c.layout = 1, c.clip = 0.9f;
    check(&c);
    c.input_forget = true, c.n_acts = 6;
    const char *a6[6] = {"Sigmoid", "Tanh", "Tanh", "HardSigmoid", "Softsign", "Relu"};
    memcpy(c.acts, a6, sizeof a6);
    check(&c);
}

/* an unknown activation name is refused by codegen, not crashed on */
static void test_bad_activation(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t xd[3] = {2, 1, 2}, wd[3] = {1, 3, 2}, rd[3] = {1, 3, 3}, hd[3] = {1, 1, 3}, yd[4] = {2, 1, 1, 3};
    om_value *in[3] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), cg_input(g, "w", OM_DT_FLOAT, 3, wd),
                       cg_input(g, "r", OM_DT_FLOAT, 3, rd)};
    om_value *out[2] = {cg_value(g, "y", OM_DT_FLOAT, 4, yd), cg_value(g, "yh", OM_DT_FLOAT, 3, hd)};
    om_node *n = om_graph_add_node(g, OM_OP_RNN, "rnn", in, 3, out, 2);
    const char *bad[1] = {"Swish"};
    assert_int_equal(om_node_set_strings(g, n, "activations", bad, 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, out[1]), OM_OK);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "Swish"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn),
        cmocka_unit_test(test_gru),
        cmocka_unit_test(test_lstm),
        cmocka_unit_test(test_bad_activation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
