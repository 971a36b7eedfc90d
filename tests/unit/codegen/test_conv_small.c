/* The output-channel-vectorized f32 Conv kernel for small output planes
 * (codegen/kernels/conv_small.c) and the pack-conv-small pass that re-lays its weights,
 * against a plain C reference conv (double accumulation, zero padding by bounds checks) over
 * random data: 3x3 pad 1 stride 1 and 2, 1x1 stride 1 and 2 (the pass leaves stride-1
 * short-K 1x1 to conv_fast: checked too, as not packed), 7x7 and 14x14 planes, asymmetric
 * pads, dilation, odd input channel counts, M 16 (16-wide panels) and multiples of 32, two
 * images, every fused activation and both residual positions. cg_jit_run_checked also
 * checks that a 3-range split of the work items agrees with one range. The pass must fire
 * (om_packed_conv set, W replaced) exactly where expected; the kernels must call no library
 * function on the host, baseline x86-64 and aarch64.
 * Tolerance: |got - ref| <= 1e-5 * sum|w*x| (+ 2e-6 relative for the activations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_jit.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"

typedef struct sc {
    int64_t n, c, m, h, w, k, s, d;
    int64_t pads[4];
    bool bias;
    const char *act; /* NULL: none */
    float alpha, beta;
    int residual;
} sc;

/* Builds the conv with W a random constant, runs pack-conv-small and checks whether it
 * fired as `packed` says; returns the graph, *wref the original weights (caller frees). */
static om_graph *build(const sc *cc, bool packed, om_node **out_n, float **wref, int64_t oh, int64_t ow)
{
    int64_t xd[4] = {cc->n, cc->c, cc->h, cc->w}, wd[4] = {cc->m, cc->c, cc->k, cc->k}, yd[4] = {cc->n, cc->m, oh, ow};
    int64_t wn = cc->m * cc->c * cc->k * cc->k;
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
    int64_t k[2] = {cc->k, cc->k}, s[2] = {cc->s, cc->s}, d[2] = {cc->d, cc->d};
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", s, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "dilations", d, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", cc->pads, 4), OM_OK);
    cg_set_epilogue(g, n, cc->act, cc->alpha, cc->beta, cc->residual);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    om_pass_opts opts = {.pass_name = "pack-conv-small"};
    bool changed = false;
    assert_int_equal(om_pass_pack_conv_small(g, &opts, &changed), OM_OK);
    assert_int_equal(changed, packed);
    int64_t nb = om_node_int(n, "om_packed_conv", 0);
    if (packed) {
        assert_int_equal(nb, cc->m % 32 == 0 ? 32 : 16);
        assert_ptr_not_equal(n->inputs[1], w);
        assert_true(om_shape_equal(&n->inputs[1]->shape, &w->shape));
        /* panel layout: element (k, j) of panel p is W[p*nb + j][k] */
        const float *pw = n->inputs[1]->data;
        int64_t K = wn / cc->m;
        for (int64_t m = 0; m < cc->m; m++)
            for (int64_t q = 0; q < K; q++)
                assert_true(pw[((m / nb) * K + q) * nb + m % nb] == wv[m * K + q]);
    } else {
        assert_int_equal(nb, 0);
        assert_ptr_equal(n->inputs[1], w);
    }
    *out_n = n;
    *wref = wv;
    return g;
}

static void check(sc cc, bool packed)
{
    if (!cc.s)
        cc.s = 1;
    if (!cc.d)
        cc.d = 1;
    int64_t span = cc.d * (cc.k - 1) + 1;
    int64_t oh_n = (cc.h + cc.pads[0] + cc.pads[2] - span) / cc.s + 1;
    int64_t ow_n = (cc.w + cc.pads[1] + cc.pads[3] - span) / cc.s + 1;
    om_node *n;
    float *W;
    om_graph *g = build(&cc, packed, &n, &W, oh_n, ow_n);
    om_value *x = n->inputs[0], *b = om_node_input(n, 2), *res = om_node_input(n, 3), *y = n->outputs[0];
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("conv: %s", om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    if (b)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, b), cc.m, -1, 1);
    if (res)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, res), om_shape_numel(&res->shape), -1, 1);
    cg_jit_run_checked(j);

    const float *X = cg_jit_buf(j, x), *B = b ? cg_jit_buf(j, b) : NULL;
    const float *R = res ? cg_jit_buf(j, res) : NULL, *Y = cg_jit_buf(j, y);
    int64_t bad = 0;
    for (int64_t ni = 0; ni < cc.n; ni++)
        for (int64_t m = 0; m < cc.m; m++)
            for (int64_t oh = 0; oh < oh_n; oh++)
                for (int64_t ow = 0; ow < ow_n; ow++) {
                    double s = B ? B[m] : 0, mag = fabs(s);
                    for (int64_t c = 0; c < cc.c; c++)
                        for (int64_t kh = 0; kh < cc.k; kh++)
                            for (int64_t kw = 0; kw < cc.k; kw++) {
                                int64_t ih = oh * cc.s - cc.pads[0] + kh * cc.d, iw = ow * cc.s - cc.pads[1] + kw * cc.d;
                                if (ih < 0 || ih >= cc.h || iw < 0 || iw >= cc.w)
                                    continue;
                                double xv = X[((ni * cc.c + c) * cc.h + ih) * cc.w + iw];
                                double wv = W[((m * cc.c + c) * cc.k + kh) * cc.k + kw];
                                s += xv * wv;
                                mag += fabs(xv * wv);
                            }
                    int64_t e = ((ni * cc.m + m) * oh_n + oh) * ow_n + ow;
                    if (cc.residual == 1)
                        s += R[e];
                    s = cg_ref_act(cc.act, cc.alpha, cc.beta, s);
                    if (cc.residual == 2)
                        s += R[e];
                    double tol = 1e-5 * (mag + 1) + (cc.act ? 2e-6 * fabs(s) + 1e-6 : 0);
                    if (!(fabs(Y[e] - s) <= tol) && bad++ < 5)
                        print_error("y[%lld] (n %lld m %lld oh %lld ow %lld) = %.9g, want %.9g\n", (long long)e,
                                    (long long)ni, (long long)m, (long long)oh, (long long)ow, Y[e], s);
                }
    if (bad)
        fail_msg("conv C %lld M %lld in %lldx%lld k %lld s %lld act %s res %d: %lld wrong", (long long)cc.c,
                 (long long)cc.m, (long long)cc.h, (long long)cc.w, (long long)cc.k, (long long)cc.s,
                 cc.act ? cc.act : "-", cc.residual, (long long)bad);
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(W);
}

static void test_shapes(void **state)
{
    (void)state;
    /* n, c, m, h, w, k, s, d, pads, bias */
    check((sc){1, 16, 32, 7, 7, 3, 1, 1, {1, 1, 1, 1}, true}, true);      /* stage-4 3x3, one tile tail */
    check((sc){1, 5, 64, 14, 14, 3, 1, 1, {1, 1, 1, 1}, true}, true);     /* 14x14, odd C, two panels */
    check((sc){2, 3, 16, 14, 14, 3, 2, 1, {1, 1, 1, 1}, false}, true);    /* stride 2 -> 7x7, NB 16, 2 images */
    check((sc){1, 7, 48, 28, 28, 3, 2, 1, {1, 1, 1, 1}, true}, true);     /* stride 2 -> 14x14, NB 16 */
    check((sc){1, 4, 32, 9, 8, 3, 1, 2, {2, 1, 0, 2}, true}, true);       /* dilated, asymmetric pads */
    check((sc){1, 3, 32, 13, 13, 7, 2, 1, {3, 3, 3, 3}, true}, true);     /* 7x7 kernel, stride 2 */
    check((sc){1, 512, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, true}, true);     /* 1x1 stride 1, long K */
    check((sc){1, 513, 16, 5, 3, 1, 1, 1, {0, 0, 0, 0}, false}, true);    /* 1x1 odd C, odd plane */
    check((sc){1, 24, 32, 14, 14, 1, 2, 1, {0, 0, 0, 0}, true}, true);    /* 1x1 stride 2, short K */
    check((sc){2, 9, 16, 13, 13, 1, 2, 1, {0, 0, 0, 0}, false}, true);   /* 1x1 stride 2, odd plane */
    check((sc){1, 256, 32, 14, 14, 1, 1, 1, {0, 0, 0, 0}, true}, true);   /* 1x1 stride 1, C 256 */
    check((sc){1, 300, 64, 5, 5, 1, 1, 1, {0, 0, 0, 0}, false}, true);    /* 1x1 25 positions: 13 + 12 */
    check((sc){1, 40, 32, 13, 13, 1, 2, 1, {0, 0, 0, 0}, true}, true);    /* 1x1 s2 49 positions: 13*3 + 10 */
    /* not packed: stride-1 short-K 1x1 (C < 256), M not a multiple of 16, large plane */
    check((sc){1, 64, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, true}, false);
    check((sc){1, 255, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, false}, false);
    check((sc){1, 8, 24, 7, 7, 3, 1, 1, {1, 1, 1, 1}, true}, false);
    check((sc){1, 4, 16, 15, 15, 3, 1, 1, {1, 1, 1, 1}, true}, false);
}

static void test_epilogues(void **state)
{
    (void)state;
    static const char *const acts[] = {"Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish",
                                       "Sigmoid", "SiLU", "Tanh", "Gelu", "GeluTanh"};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
        for (int r = 0; r <= 2; r++) {
            sc cc = {1, 6, 32, 7, 7, 3, 1, 1, {1, 1, 1, 1}, a % 2 == 0, acts[a], 0, 0, r};
            if (!strcmp(acts[a], "Clip")) {
                cc.alpha = -0.5f;
                cc.beta = 0.7f;
            } else if (!strcmp(acts[a], "LeakyRelu")) {
                cc.alpha = 0.1f;
            } else if (!strcmp(acts[a], "HardSigmoid")) {
                cc.alpha = 0.2f;
                cc.beta = 0.5f;
            }
            check(cc, true);
        }
    check((sc){1, 6, 32, 7, 7, 3, 1, 1, {1, 1, 1, 1}, false, NULL, 0, 0, 1}, true); /* residual alone */
}

/* The kernel compiles without libcalls (fmaf, expf, ...) on the host, on baseline x86-64 (no
 * FMA: llvm.fmuladd) and on aarch64. */
static void test_no_libcalls(void **state)
{
    (void)state;
    static const char *const acts[] = {"SiLU", "Gelu"};
    for (int q = 0; q < 2; q++) {
        sc cc = {1, 8, 32, 7, 7, 3, q + 1, 1, {1, 1, 1, 1}, true, acts[q], 0, 0, 0};
        int64_t o = (7 + 2 - 3) / cc.s + 1;
        om_node *n;
        float *W;
        om_graph *g = build(&cc, true, &n, &W, o, o);
        for (int t = 0; t < 3; t++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "conv_small");
        cg_jit_assert_no_libcalls(g, NULL, "conv_small");
        om_graph_destroy(g);
        free(W);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_epilogues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
