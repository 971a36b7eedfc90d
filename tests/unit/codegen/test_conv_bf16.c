/* The bf16 Conv kernel (codegen/kernels/conv_bf16.c: implicit-im2col GEMM on the bf16
 * dot-product micro-tile) against a plain C reference conv over the same bf16 inputs
 * (double accumulation, zero padding by bounds checks), on the host (AVX512-BF16 here:
 * vdpbf16ps) and on Skylake-AVX512 (no BF16: two f32 FMAs per pair):
 *   - 1x1 stride 1 (the linear masked-load packing) with row tails (M % 8) and a column tail
 *     (H*W % 32), several images;
 *   - 3x3 pad 1 stride 1 with an odd K (C*9: the half last pair), dilation 2, 5x5;
 *   - the gathered packing: stride 2 (3x3, 1x1, the 7x7 stem shape with C = 3), asymmetric
 *     pads, 1-D convolutions;
 *   - bias, Relu and both residual positions on vectors, Sigmoid per element;
 *   - group 2 and Haswell (not covered: the generic direct kernel, same results);
 *   - AMX (amx-tile + amx-bf16: 32-row tdpbf16ps blocks over the packed panel) where
 *     M >= 32 (K % 32 != 0 and odd K through the zero-padded tail tiles): compiled for sapphirerapids everywhere (tdpbf16ps in the
 *     IR exactly then), run on that target and the host's where the host has AMX (else the
 *     test reports a skip): 1x1 and 3x3, linear and gathered packing, 8-row and tail rows
 *     after the AMX blocks, column tails, epilogues, work items of several column tiles
 *     (a short last group; K = 4608 where the stack bound allows 2);
 *   - compile-time evaluation (folding) of a bf16 conv on the host: on an AMX host the
 *     process must get the tile-data permission first (run before any other test);
 *   - no library calls on the host, baseline x86-64 and aarch64.
 * Tolerance: the output is rounded to bf16 once (8e-3 relative) on top of f32 accumulation
 * (1e-5 * sum |w*x|); products of bf16 inputs are exact in f32.
 * cg_jit_run_checked also checks that a 3-range split of the work items agrees with one range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"

static const om_cg_target_opts k_skx = {NULL, "skylake-avx512", NULL, 3};
static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_spr = {NULL, "sapphirerapids", NULL, 3};

typedef struct fc {
    int nsp;
    int64_t n, c, m, group;
    int64_t in[2], k[2], s[2], d[2], pads[4];
    bool bias;
    const char *act; /* NULL: none */
    int residual;
} fc;

static const om_cg_target_opts *g_target; /* NULL: host */

static om_graph *build(fc *cc, om_value **v, int64_t *out)
{
    const om_dtype dt = OM_DT_BFLOAT16;
    int nsp = cc->nsp, r = nsp + 2;
    int64_t xd[4] = {cc->n, cc->c}, wd[4] = {cc->m, cc->c / cc->group}, yd[4] = {cc->n, cc->m};
    for (int d = 0; d < nsp; d++) {
        if (!cc->s[d])
            cc->s[d] = 1;
        if (!cc->d[d])
            cc->d[d] = 1;
        xd[2 + d] = cc->in[d];
        wd[2 + d] = cc->k[d];
        int64_t span = cc->d[d] * (cc->k[d] - 1) + 1;
        out[d] = (cc->in[d] + cc->pads[d] + cc->pads[nsp + d] - span) / cc->s[d] + 1;
        yd[2 + d] = out[d];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, xd), *w = cg_input(g, "w", dt, r, wd);
    int64_t bd[1] = {cc->m};
    om_value *b = cc->bias ? cg_input(g, "b", dt, 1, bd) : NULL;
    om_value *res = cc->residual ? cg_input(g, "r", dt, r, yd) : NULL;
    om_value *y = cg_value(g, "y", dt, r, yd), *ins[4] = {x, w, b, res};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, res ? 4 : b ? 3 : 2, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", cc->k, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", cc->s, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "dilations", cc->d, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", cc->pads, 2 * nsp), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "group", cc->group), OM_OK);
    if (cc->act)
        assert_int_equal(om_node_set_string(g, n, "om_activation", cc->act), OM_OK);
    if (cc->residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", cc->residual), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    v[0] = x, v[1] = w, v[2] = b, v[3] = res, v[4] = y;
    return g;
}

static void check(fc cc)
{
    const om_dtype dt = OM_DT_BFLOAT16;
    int nsp = cc.nsp;
    int64_t out[2];
    om_value *v[5];
    om_graph *g = build(&cc, v, out);
    om_value *x = v[0], *w = v[1], *b = v[2], *res = v[3], *y = v[4];
    cg_jit *j;
    if (cg_jit_create(g, g_target, &j) != OM_OK)
        fail_msg("conv: %s", om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    cg_fill_random(dt, cg_jit_buf(j, w), om_shape_numel(&w->shape), -1, 1);
    if (b)
        cg_fill_random(dt, cg_jit_buf(j, b), cc.m, -1, 1);
    if (res)
        cg_fill_random(dt, cg_jit_buf(j, res), om_shape_numel(&res->shape), -1, 1);
    cg_jit_run_checked(j);

    const void *X = cg_jit_buf(j, x), *W = cg_jit_buf(j, w), *B = b ? cg_jit_buf(j, b) : NULL;
    const void *R = res ? cg_jit_buf(j, res) : NULL, *Y = cg_jit_buf(j, y);
    int64_t oh_n = nsp == 2 ? out[0] : 1, ow_n = out[nsp - 1];
    int64_t ih_n = nsp == 2 ? cc.in[0] : 1, iw_n = cc.in[nsp - 1];
    int64_t kh_n = nsp == 2 ? cc.k[0] : 1, kw_n = cc.k[nsp - 1];
    int64_t sh = nsp == 2 ? cc.s[0] : 1, sw = cc.s[nsp - 1], dh = nsp == 2 ? cc.d[0] : 1, dw = cc.d[nsp - 1];
    int64_t ph = nsp == 2 ? cc.pads[0] : 0, pw = cc.pads[nsp - 1];
    int64_t cg = cc.c / cc.group, mg = cc.m / cc.group, bad = 0;
    for (int64_t ni = 0; ni < cc.n; ni++)
        for (int64_t m = 0; m < cc.m; m++)
            for (int64_t oh = 0; oh < oh_n; oh++)
                for (int64_t ow = 0; ow < ow_n; ow++) {
                    double s = B ? cg_get(dt, B, m) : 0, mag = fabs(s);
                    int64_t gi = m / mg;
                    for (int64_t c = 0; c < cg; c++)
                        for (int64_t kh = 0; kh < kh_n; kh++)
                            for (int64_t kw = 0; kw < kw_n; kw++) {
                                int64_t ih = oh * sh - ph + kh * dh, iw = ow * sw - pw + kw * dw;
                                if (ih < 0 || ih >= ih_n || iw < 0 || iw >= iw_n)
                                    continue;
                                double xv = cg_get(dt, X, ((ni * cc.c + gi * cg + c) * ih_n + ih) * iw_n + iw);
                                double wv = cg_get(dt, W, ((m * cg + c) * kh_n + kh) * kw_n + kw);
                                s += xv * wv;
                                mag += fabs(xv * wv);
                            }
                    int64_t e = ((ni * cc.m + m) * oh_n + oh) * ow_n + ow;
                    if (cc.residual == 1)
                        s += cg_get(dt, R, e);
                    s = cg_ref_act(cc.act, 0, 0, s);
                    if (cc.residual == 2)
                        s += cg_get(dt, R, e);
                    double got = cg_get(dt, Y, e);
                    double tol = 8e-3 * fabs(s) + 1e-5 * (mag + 1) + 1e-6;
                    if (!(fabs(got - s) <= tol) && bad++ < 5)
                        print_error("y[%lld] (n %lld m %lld oh %lld ow %lld) = %.9g, want %.9g\n", (long long)e,
                                    (long long)ni, (long long)m, (long long)oh, (long long)ow, got, s);
                }
    if (bad)
        fail_msg("bf16 conv %d-D C %lld M %lld group %lld in %lldx%lld k %lldx%lld s %lldx%lld act %s res %d cpu %s: "
                 "%lld wrong", nsp, (long long)cc.c, (long long)cc.m, (long long)cc.group, (long long)ih_n,
                 (long long)iw_n, (long long)kh_n, (long long)kw_n, (long long)sh, (long long)sw,
                 cc.act ? cc.act : "-", cc.residual, g_target && g_target->cpu ? g_target->cpu : "host", (long long)bad);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

#define F2(...) ((fc){2, __VA_ARGS__})

static void run_all(void)
{
    /* n, c, m, group, in, k, s, d, pads, bias, act, residual */
    check(F2(2, 6, 13, 1, {9, 7}, {1, 1}, {1, 1}, {1, 1}, {0}, true));          /* 1x1, tails */
    check(F2(1, 16, 24, 1, {8, 8}, {1, 1}, {1, 1}, {1, 1}, {0}, true, "Relu", 1));
    check(F2(1, 5, 8, 1, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu")); /* K = 45 odd */
    check(F2(1, 4, 9, 1, {11, 12}, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}, false, NULL, 2)); /* dilated */
    check(F2(1, 3, 8, 1, {9, 9}, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true, "Sigmoid", 1));
    check(F2(1, 4, 16, 1, {11, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Relu")); /* gathered */
    check(F2(2, 8, 11, 1, {10, 10}, {1, 1}, {2, 2}, {1, 1}, {0}, false, "Relu", 2));
    check(F2(1, 3, 16, 1, {20, 18}, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, true, "Relu")); /* the stem */
    check(F2(1, 6, 8, 1, {7, 9}, {3, 2}, {1, 1}, {1, 1}, {0, 1, 2, 0}, true));      /* asymmetric pads */
    check((fc){1, 2, 4, 10, 1, {20}, {3}, {1}, {1}, {1, 1}, true, "Relu"});        /* 1-D, linear */
    check((fc){1, 1, 5, 8, 1, {21}, {3}, {2}, {1}, {1, 0}, false, NULL, 1});         /* 1-D, gathered */
    check(F2(1, 4, 8, 2, {6, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));       /* group: generic */
}

static void test_host(void **state)
{
    (void)state;
    g_target = NULL;
    run_all();
}

static void test_skx(void **state)
{
    (void)state;
    g_target = &k_skx;
    run_all();
}

static void test_haswell_generic(void **state)
{
    (void)state;
    g_target = &k_haswell;
    check(F2(1, 6, 13, 1, {9, 7}, {1, 1}, {1, 1}, {1, 1}, {0}, true, "Relu", 1));
    g_target = NULL;
}

static bool amx_host(void)
{
    return cg_jit_host_has("amx-tile") && cg_jit_host_has("amx-bf16");
}

/* amx: 1 when the sapphirerapids kernel must use AMX, -1 when it must not */
static void check_amx(fc cc, int amx)
{
    int64_t out[2];
    om_value *v[5];
    om_graph *g = build(&cc, v, out);
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    assert_int_equal(om_cg_emit_llvm_ir(g, &k_spr, f), OM_OK);
    fclose(f);
    if ((strstr(txt, "@llvm.x86.tdpbf16ps(") != NULL) != (amx > 0))
        fail_msg("bf16 conv C %lld M %lld k %lldx%lld: AMX %s", (long long)cc.c, (long long)cc.m, (long long)cc.k[0],
                 (long long)cc.k[1], amx > 0 ? "not used" : "used where it does not fit");
    free(txt);
    om_graph_destroy(g);
    if (!amx_host())
        return;
    g_target = &k_spr;
    check(cc);
    g_target = NULL;
    check(cc);
}

static void test_amx(void **state)
{
    (void)state;
    /* n, c, m, group, in, k, s, d, pads, bias, act, residual */
    check_amx(F2(2, 64, 40, 1, {9, 7}, {1, 1}, {1, 1}, {1, 1}, {0}, true, "Relu", 1), 1);  /* 8 rows after */
    check_amx(F2(1, 32, 64, 1, {8, 8}, {1, 1}, {1, 1}, {1, 1}, {0}, false, "Sigmoid", 2), 1);
    check_amx(F2(1, 32, 36, 1, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"), 1); /* 4-row tail */
    check_amx(F2(1, 64, 32, 1, {11, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, NULL, 1), 1); /* gathered */
    check_amx(F2(1, 64, 64, 1, {10, 10}, {1, 1}, {2, 2}, {1, 1}, {0}, false, "Relu", 2), 1);
    check_amx(F2(1, 5, 40, 1, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu"), 1); /* K = 45 */
    check_amx(F2(1, 3, 64, 1, {20, 18}, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, true, "Relu"), 1); /* the stem */
    check_amx(F2(1, 64, 16, 1, {8, 8}, {1, 1}, {1, 1}, {1, 1}, {0}, true), -1);                  /* M < 32 */
    /* work items of 4 column tiles: 6 tiles = a group of 4 and one of 2 (with the tail), 2 images */
    check_amx(F2(2, 32, 36, 1, {13, 13}, {1, 1}, {1, 1}, {1, 1}, {0}, true, "Relu", 1), 1);
    /* K = 4608: 2 tiles per item (stack bound), 4 tiles = 2 items */
    check_amx(F2(1, 512, 32, 1, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false, "Relu"), 1);
    if (!amx_host()) {
        print_message("this host has no AMX-BF16: the AMX conv kernels were compiled and inspected, not run\n");
        skip();
    }
}

/* Compile-time evaluation (constant folding) of a bf16 conv runs the host's kernel in this
 * process: on an AMX host that is AMX code, which needs the tile-data permission first
 * (om_cg_amx_permit in eval.c; without it: SIGILL). Runs first in this binary, before any
 * cg_jit has asked for the permission. */
static void test_eval_amx_first(void **state)
{
    (void)state;
    const om_dtype dt = OM_DT_BFLOAT16;
    enum { C = 32, M = 32, H = 6, W = 6 };
    static uint16_t xd[C * H * W], wd[M * C], yd[M * H * W];
    cg_fill_random(dt, xd, C * H * W, -1, 1);
    cg_fill_random(dt, wd, M * C, -1, 1);
    om_graph *g = om_graph_create("t");
    int64_t xs[4] = {1, C, H, W}, ws[4] = {M, C, 1, 1}, ys[4] = {1, M, H, W}, k[2] = {1, 1};
    om_shape sx = om_shape_make(4, xs), sw = om_shape_make(4, ws);
    om_value *x = om_graph_add_constant(g, "x", dt, &sx, xd, sizeof xd);
    om_value *w = om_graph_add_constant(g, "w", dt, &sw, wd, sizeof wd);
    om_value *y = cg_value(g, "y", dt, 4, ys), *ins[2] = {x, w};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, 2, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
    void *outs[1] = {aligned_alloc(64, sizeof yd + 64)};
    assert_non_null(outs[0]);
    if (om_cg_eval_node(g, n, outs) != OM_OK)
        fail_msg("eval: %s", om_last_error());
    memcpy(yd, outs[0], sizeof yd);
    free(outs[0]);
    for (int m = 0; m < M; m++)
        for (int p = 0; p < H * W; p++) {
            double s = 0, mag = 0;
            for (int c = 0; c < C; c++) {
                double v = cg_get(dt, wd, m * C + c) * cg_get(dt, xd, c * H * W + p);
                s += v;
                mag += fabs(v);
            }
            double got = cg_get(dt, yd, m * H * W + p);
            if (!(fabs(got - s) <= 8e-3 * fabs(s) + 1e-5 * (mag + 1) + 1e-6))
                fail_msg("folded bf16 conv: y[%d, %d] = %.9g, want %.9g", m, p, got, s);
        }
    om_graph_destroy(g);
}

static void test_no_libcalls(void **state)
{
    (void)state;
    fc a = F2(1, 5, 8, 1, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true, "Relu", 1);
    fc b = F2(1, 4, 16, 1, {11, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true, "Sigmoid", 2);
    fc *cs[2] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        int64_t out[2];
        om_value *v[5];
        om_graph *g = build(cs[i], v, out);
        for (int t = 0; t < 3; t++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "bf16 Conv");
        cg_jit_assert_no_libcalls(g, &k_skx, "bf16 Conv");
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_amx_first),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_skx),
        cmocka_unit_test(test_haswell_generic),
        cmocka_unit_test(test_amx),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
