/* See cg_conv_ref.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_conv_ref.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"
#include "tests/unit/codegen/cg_jit.h"

static int64_t one_if_zero(int64_t v) { return v ? v : 1; }

void cg_conv_out_size(const cg_conv_case *cc, int64_t *oh, int64_t *ow)
{
    int64_t s = one_if_zero(cc->s), d = one_if_zero(cc->d), span = d * (cc->k - 1) + 1;
    *oh = (cc->h + cc->pads[0] + cc->pads[2] - span) / s + 1;
    *ow = (cc->w + cc->pads[1] + cc->pads[3] - span) / s + 1;
}

om_graph *cg_conv_build(const cg_conv_case *cc, om_node **out_n, float **w_data)
{
    int64_t oh, ow, grp = one_if_zero(cc->group), cg = cc->c / grp;
    cg_conv_out_size(cc, &oh, &ow);
    int64_t xd[4] = {cc->n, cc->c, cc->h, cc->w}, wd[4] = {cc->m, cg, cc->k, cc->k}, yd[4] = {cc->n, cc->m, oh, ow};
    int64_t wn = cc->m * cg * cc->k * cc->k;
    float *wv = malloc((size_t)wn * sizeof *wv);
    assert_non_null(wv);
    cg_fill_random(OM_DT_FLOAT, wv, wn, -1, 1);
    om_graph *g = om_graph_create("t");
    om_shape ws = {.rank = 4};
    memcpy(ws.dims, wd, sizeof wd);
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, xd);
    om_value *w = om_graph_add_constant(g, "w", OM_DT_FLOAT, &ws, wv, (size_t)wn * sizeof *wv);
    assert_non_null(w);
    int64_t bd[1] = {cc->m};
    om_value *b = cc->bias ? cg_input(g, "b", OM_DT_FLOAT, 1, bd) : NULL;
    om_value *res = cc->residual ? cg_input(g, "r", OM_DT_FLOAT, 4, yd) : NULL;
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd), *ins[4] = {x, w, b, res};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, res ? 4 : b ? 3 : 2, &y, 1);
    assert_non_null(n);
    int64_t k[2] = {cc->k, cc->k}, s[2] = {one_if_zero(cc->s), one_if_zero(cc->s)};
    int64_t d[2] = {one_if_zero(cc->d), one_if_zero(cc->d)};
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", s, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "dilations", d, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", cc->pads, 4), OM_OK);
    if (grp != 1)
        assert_int_equal(om_node_set_int(g, n, "group", grp), OM_OK);
    cg_set_epilogue(g, n, cc->act, cc->alpha, cc->beta, cc->residual);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    *out_n = n;
    *w_data = wv;
    return g;
}

void cg_conv_run_check(const cg_conv_case *cc, om_graph *g, const float *W, double tol_rel)
{
    cg_conv_run_check_on(cc, g, W, tol_rel, NULL);
}

void cg_conv_run_check_on(const cg_conv_case *cc, om_graph *g, const float *W, double tol_rel,
                          const om_cg_target_opts *target)
{
    int64_t oh_n, ow_n, s = one_if_zero(cc->s), dl = one_if_zero(cc->d), grp = one_if_zero(cc->group);
    int64_t cg = cc->c / grp, mg = cc->m / grp;
    cg_conv_out_size(cc, &oh_n, &ow_n);
    om_value *x = om_graph_find_value(g, "x"), *b = om_graph_find_value(g, "b"), *y = om_graph_find_value(g, "y");
    om_value *res = cc->residual ? om_graph_find_value(g, "r") : NULL;
    assert_non_null(x);
    assert_non_null(y);
    cg_jit *j;
    if (cg_jit_create(g, target, &j) != OM_OK)
        fail_msg("conv: %s", om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    if (cc->bias)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, b), cc->m, -1, 1);
    if (res)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, res), om_shape_numel(&res->shape), -1, 1);
    cg_jit_run_checked(j);
    const float *X = cg_jit_buf(j, x), *B = cc->bias ? cg_jit_buf(j, b) : NULL;
    const float *R = res ? cg_jit_buf(j, res) : NULL, *Y = cg_jit_buf(j, y);
    int64_t bad = 0;
    for (int64_t ni = 0; ni < cc->n; ni++)
        for (int64_t m = 0; m < cc->m; m++)
            for (int64_t oh = 0; oh < oh_n; oh++)
                for (int64_t ow = 0; ow < ow_n; ow++) {
                    double acc = B ? B[m] : 0, mag = fabs(acc);
                    for (int64_t c = 0; c < cg; c++)
                        for (int64_t kh = 0; kh < cc->k; kh++)
                            for (int64_t kw = 0; kw < cc->k; kw++) {
                                int64_t ih = oh * s - cc->pads[0] + kh * dl, iw = ow * s - cc->pads[1] + kw * dl;
                                if (ih < 0 || ih >= cc->h || iw < 0 || iw >= cc->w)
                                    continue;
                                double xv = X[((ni * cc->c + (m / mg) * cg + c) * cc->h + ih) * cc->w + iw];
                                double wv = W[((m * cg + c) * cc->k + kh) * cc->k + kw];
                                acc += xv * wv;
                                mag += fabs(xv * wv);
                            }
                    int64_t e = ((ni * cc->m + m) * oh_n + oh) * ow_n + ow;
                    if (cc->residual == 1)
                        acc += R[e];
                    acc = cg_ref_act(cc->act, cc->alpha, cc->beta, acc);
                    if (cc->residual == 2)
                        acc += R[e];
                    double tol = tol_rel * (mag + 1) + (cc->act ? 2e-6 * fabs(acc) + 1e-6 : 0);
                    if (!(fabs(Y[e] - acc) <= tol) && bad++ < 5)
                        print_error("y[%lld] (n %lld m %lld oh %lld ow %lld) = %.9g, want %.9g\n", (long long)e,
                                    (long long)ni, (long long)m, (long long)oh, (long long)ow, Y[e], acc);
                }
    if (bad)
        fail_msg("conv N %lld C %lld M %lld in %lldx%lld k %lld s %lld act %s res %d: %lld wrong", (long long)cc->n,
                 (long long)cc->c, (long long)cc->m, (long long)cc->h, (long long)cc->w, (long long)cc->k,
                 (long long)s, cc->act ? cc->act : "-", cc->residual, (long long)bad);
    cg_jit_destroy(j);
}

void cg_conv_each_epilogue(cg_conv_case base, void (*check)(cg_conv_case cc))
{
    static const char *const acts[] = {"Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish",
                                       "Sigmoid", "SiLU", "Tanh", "Gelu", "GeluTanh"};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
        for (int r = 0; r <= 2; r++) {
            cg_conv_case cc = base;
            cc.bias = a % 2 == 0;
            cc.act = acts[a];
            cc.alpha = cc.beta = 0;
            cc.residual = r;
            if (!strcmp(acts[a], "Clip")) {
                cc.alpha = -0.5f;
                cc.beta = 0.7f;
            } else if (!strcmp(acts[a], "LeakyRelu")) {
                cc.alpha = 0.1f;
            } else if (!strcmp(acts[a], "HardSigmoid")) {
                cc.alpha = 0.2f;
                cc.beta = 0.5f;
            }
            check(cc);
        }
    cg_conv_case cc = base;
    cc.bias = false;
    cc.act = NULL;
    cc.residual = 1;
    check(cc);
}
