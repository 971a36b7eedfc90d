/* The depthwise f32 Conv kernel (codegen/kernels/conv_dw.c) against a plain C reference conv
 * (double accumulation, zero padding by bounds checks) over random data: 3x3 pad 1 stride 1
 * and 2 over odd sizes 7..113 (interior row blocks, column-vector loops, constant border
 * masks; rows of at most VL/2 outputs go to conv_fast and must agree too), 5x5 and 7x7,
 * asymmetric and zero pads, batches, every fused activation and both residual positions —
 * on the host (AVX-512 here: 16 lanes), on -mcpu=haswell (AVX2: 8 lanes) and on baseline
 * x86-64 (SSE: 4 lanes). cg_jit_run_checked also checks that a 3-range split of the work
 * items agrees with one range. The emitted IR is checked to come from this kernel (no
 * conv_fast accumulator allocas) and the kernels to call no library function on the host,
 * baseline x86-64 and aarch64.
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

#include "tests/unit/codegen/cg_jit.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"

typedef struct fc {
    int nsp;
    int64_t n, c, m, group;
    int64_t in[2], k[2], s[2], d[2], pads[4];
    bool bias;
    const char *act; /* NULL: none */
    float alpha, beta;
    int residual;
} fc;

static const om_cg_target_opts *g_target; /* NULL: host */

static void check(fc cc)
{
    int nsp = cc.nsp, r = nsp + 2;
    int64_t xd[4] = {cc.n, cc.c}, wd[4] = {cc.m, cc.c / cc.group}, yd[4] = {cc.n, cc.m}, out[2];
    for (int d = 0; d < nsp; d++) {
        if (!cc.s[d])
            cc.s[d] = 1;
        if (!cc.d[d])
            cc.d[d] = 1;
        xd[2 + d] = cc.in[d];
        wd[2 + d] = cc.k[d];
        int64_t span = cc.d[d] * (cc.k[d] - 1) + 1;
        out[d] = (cc.in[d] + cc.pads[d] + cc.pads[nsp + d] - span) / cc.s[d] + 1;
        yd[2 + d] = out[d];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, r, xd), *w = cg_input(g, "w", OM_DT_FLOAT, r, wd);
    int64_t bd[1] = {cc.m};
    om_value *b = cc.bias ? cg_input(g, "b", OM_DT_FLOAT, 1, bd) : NULL;
    om_value *res = cc.residual ? cg_input(g, "r", OM_DT_FLOAT, r, yd) : NULL;
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, r, yd), *ins[4] = {x, w, b, res};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, res ? 4 : b ? 3 : 2, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", cc.k, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", cc.s, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "dilations", cc.d, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", cc.pads, 2 * nsp), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "group", cc.group), OM_OK);
    cg_set_epilogue(g, n, cc.act, cc.alpha, cc.beta, cc.residual);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, g_target, &j) != OM_OK)
        fail_msg("conv: %s", om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, w), om_shape_numel(&w->shape), -1, 1);
    if (b)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, b), cc.m, -1, 1);
    if (res)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, res), om_shape_numel(&res->shape), -1, 1);
    cg_jit_run_checked(j);

    const float *X = cg_jit_buf(j, x), *W = cg_jit_buf(j, w), *B = b ? cg_jit_buf(j, b) : NULL;
    const float *R = res ? cg_jit_buf(j, res) : NULL, *Y = cg_jit_buf(j, y);
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
                    double s = B ? B[m] : 0, mag = fabs(s);
                    int64_t gi = m / mg;
                    for (int64_t c = 0; c < cg; c++)
                        for (int64_t kh = 0; kh < kh_n; kh++)
                            for (int64_t kw = 0; kw < kw_n; kw++) {
                                int64_t ih = oh * sh - ph + kh * dh, iw = ow * sw - pw + kw * dw;
                                if (ih < 0 || ih >= ih_n || iw < 0 || iw >= iw_n)
                                    continue;
                                double xv = X[((ni * cc.c + gi * cg + c) * ih_n + ih) * iw_n + iw];
                                double wv = W[((m * cg + c) * kh_n + kh) * kw_n + kw];
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
        fail_msg("conv %d-D C %lld M %lld group %lld in %lldx%lld k %lldx%lld s %lldx%lld act %s res %d: %lld wrong",
                 nsp, (long long)cc.c, (long long)cc.m, (long long)cc.group, (long long)ih_n, (long long)iw_n,
                 (long long)kh_n, (long long)kw_n, (long long)sh, (long long)sw, cc.act ? cc.act : "-",
                 cc.residual, (long long)bad);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* depthwise: C = M = group */
static fc dwc(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t s, int64_t p0, int64_t p1, int64_t p2,
              int64_t p3, bool bias)
{
    fc f = {2, n, c, c, c, {h, w}, {k, k}, {s, s}, {1, 1}, {p0, p1, p2, p3}, bias, NULL, 0, 0, 0};
    return f;
}

static void run_3x3(bool many)
{
    static const int64_t sz[] = {7, 9, 14, 15, 28, 33, 56, 57, 113};
    size_t nsz = many ? sizeof sz / sizeof sz[0] : 5;
    for (size_t a = 0; a < nsz; a++)
        for (int64_t s = 1; s <= 2; s++) {
            check(dwc(1, 3, sz[a], sz[a], 3, s, 1, 1, 1, 1, (a + s) % 2 == 0));
            check(dwc(1, 2, sz[a], sz[(a + 2) % nsz], 3, s, 1, 1, 1, 1, true)); /* non-square */
        }
}

static void run_other(void)
{
    check(dwc(2, 5, 17, 19, 3, 1, 0, 1, 2, 1, true));  /* asymmetric pads */
    check(dwc(1, 4, 21, 40, 3, 2, 1, 0, 0, 1, false)); /* stride 2, asymmetric */
    check(dwc(1, 3, 12, 11, 3, 1, 0, 0, 0, 0, true));  /* valid */
    check(dwc(1, 3, 30, 31, 5, 1, 2, 2, 2, 2, true));  /* 5x5 */
    check(dwc(1, 3, 31, 30, 5, 2, 2, 2, 2, 2, false)); /* 5x5 stride 2 */
    check(dwc(1, 2, 9, 9, 5, 1, 2, 2, 2, 2, true));    /* 5x5 flat */
    check(dwc(1, 2, 23, 25, 7, 2, 3, 3, 3, 3, true));  /* 7x7 */
    check(dwc(1, 2, 3, 2, 3, 1, 1, 1, 1, 1, true));    /* plane < one vector */
    check(dwc(1, 2, 4, 300, 3, 1, 1, 1, 1, 1, true));  /* wide: column-vector loop */
    check(dwc(1, 2, 5, 301, 3, 2, 1, 1, 1, 1, false));
    check(dwc(3, 40, 20, 20, 3, 1, 1, 1, 1, 1, true)); /* several chunks */
}

static void run_epilogues(void)
{
    static const char *acts[] = {"Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid",
                                 "SiLU", "Tanh", "Gelu", "GeluTanh"};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++)
        for (int res = 0; res <= 2; res++) {
            fc f = dwc(1, 3, 13, 13, 3, 1 + (int64_t)(a % 2), 1, 1, 1, 1, true);
            f.act = acts[a];
            f.alpha = !strcmp(acts[a], "Clip") ? -0.5f : 0.1f;
            f.beta = !strcmp(acts[a], "Clip") ? 0.7f : 0.5f;
            f.residual = res;
            check(f);
            fc r = dwc(1, 2, 37, 37, 3, 2 - (int64_t)(a % 2), 1, 1, 1, 1, false);
            r.act = f.act;
            r.alpha = f.alpha;
            r.beta = f.beta;
            r.residual = (res + 1) % 3;
            check(r);
        }
    fc d = dwc(1, 8, 56, 56, 3, 1, 1, 1, 1, 1, true);
    d.act = "Clip";
    d.alpha = 0;
    d.beta = 6;
    check(d);
    d.residual = 2;
    check(d);
    fc e = dwc(1, 8, 112, 112, 3, 2, 0, 0, 1, 1, true); /* TF-style asymmetric stride-2 pads */
    e.act = "Relu";
    check(e);
}

static void test_host(void **state)
{
    (void)state;
    g_target = NULL;
    run_3x3(true);
    run_other();
    run_epilogues();
}

static void test_avx2(void **state)
{
    (void)state;
#if !defined(__x86_64__)
    skip();
#endif
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        skip();
    static const om_cg_target_opts t = {NULL, "haswell", NULL, 3};
    g_target = &t;
    run_3x3(false);
    run_other();
    g_target = NULL;
}

static void test_sse(void **state)
{
    (void)state;
#if !defined(__x86_64__)
    skip();
#endif
    static const om_cg_target_opts t = {NULL, "x86-64", NULL, 3};
    g_target = &t;
    run_3x3(false);
    run_other();
    g_target = NULL;
}

static om_graph *dw_graph(int64_t s)
{
    int64_t xd[4] = {1, 32, 28, 28}, wd[4] = {32, 1, 3, 3}, yd[4] = {1, 32, 28 / s, 28 / s};
    int64_t k[2] = {3, 3}, st[2] = {s, s}, p[4] = {1, 1, 1, 1};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, xd), *w = cg_input(g, "w", OM_DT_FLOAT, 4, wd);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd), *ins[2] = {x, w};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, 2, &y, 1);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", st, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", p, 4), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "group", 32), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "om_activation", "HardSwish"), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    return g;
}

/* The IR is this kernel's: masked loads with constant masks, no accumulator allocas
 * (conv_fast keeps its accumulators in "acc" allocas). */
static void test_ir(void **state)
{
    (void)state;
    for (int64_t s = 1; s <= 2; s++) {
        om_graph *g = dw_graph(s);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(om_cg_emit_llvm_ir(g, NULL, f), OM_OK);
        fclose(f);
        if (!strstr(buf, "llvm.masked.load") || strstr(buf, "%acc"))
            fail_msg("stride %lld: kernel IR is not the depthwise kernel's", (long long)s);
        free(buf);
        om_graph_destroy(g);
    }
}

static void test_no_libcalls(void **state)
{
    (void)state;
    for (int64_t s = 1; s <= 2; s++) {
        om_graph *g = dw_graph(s);
        for (int t = 0; t < 3; t++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "depthwise conv");
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host), cmocka_unit_test(test_avx2), cmocka_unit_test(test_sse),
        cmocka_unit_test(test_ir), cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
