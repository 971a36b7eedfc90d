/* The register-blocked f32 Conv kernel (codegen/kernels/conv_fast.c) against a plain C
 * reference conv (double accumulation, zero padding by bounds checks) over random data:
 * 1x1 as GEMM with channel and lane tails (6 x 4 and, on planes >= 512 with M % 8 == 0,
 * 8 x 3 tiles), k x k on the flattened plane (3x3 pad 1, dilated,
 * 5x5), the row layout (valid convs, stride 2 with 3x3 / 7x7 / 1x1, asymmetric pads), the
 * packed-panel layout (strided / narrow convs with >= 16 output channels, K blocks; rows
 * copied with stride-2 row loads or gathered),
 * groups, depthwise (stride 1 and 2, channel multiplier 2), 1-D, shapes big enough to be cut
 * into several chunks, every fused activation and both residual positions — on the host
 * (AVX-512 here: 16 lanes, 32 registers), on -mcpu=haswell (AVX2: 8 lanes, 16 registers) and
 * on baseline x86-64 (SSE: 4 lanes) when the host can run them. cg_jit_run_checked also
 * checks that a 3-range split of the work items agrees with one range. The emitted IR is
 * checked to use llvm.fma on <16 x float> / <8 x float> vectors, and the kernels to call no
 * library function on the host, baseline x86-64 and aarch64.
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

#define F2(...) ((fc){2, __VA_ARGS__})

static void run_pointwise(void)
{
    /* 1x1 stride 1: channel tails (M % MR), lane tails (H*W % 16), one-vector planes */
    static const int64_t hw[][2] = {{7, 7}, {14, 14}, {5, 3}, {1, 1}, {9, 56}, {8, 8}, {4, 33}};
    static const int64_t cm[][2] = {{5, 1}, {16, 7}, {3, 13}, {32, 24}, {70, 37}};
    for (size_t a = 0; a < sizeof hw / sizeof hw[0]; a++)
        for (size_t q = 0; q < sizeof cm / sizeof cm[0]; q++)
            check(F2(a % 2 ? 2 : 1, cm[q][0], cm[q][1], 1, {hw[a][0], hw[a][1]}, {1, 1}, {1, 1}, {1, 1}, {0},
                     (q & 1) != 0));
    /* planes >= 512 with M % 8 == 0 (the 8 x 3-vector tile on AVX-512): lane tails of 1-3
     * vectors (621 = 12*48 + 45, 784 = 16*48 + 16), M % 8 == 0 but not % 16, K blocks
     * (C 700 > the 682 channels of a 48-lane tile's 128 KiB panel), and M % 8 != 0 (6 x 4) */
    static const int64_t hw2[][2] = {{23, 27}, {28, 28}};
    static const int64_t cm2[][2] = {{32, 24}, {700, 16}, {13, 40}, {9, 20}};
    for (size_t a = 0; a < sizeof hw2 / sizeof hw2[0]; a++)
        for (size_t q = 0; q < sizeof cm2 / sizeof cm2[0]; q++)
            check(F2(1, cm2[q][0], cm2[q][1], 1, {hw2[a][0], hw2[a][1]}, {1, 1}, {1, 1}, {1, 1}, {0}, q != 1));
    fc f = F2(1, 24, 16, 1, {23, 27}, {1, 1}, {1, 1}, {1, 1}, {0}, true);
    f.act = "Relu";
    f.residual = 1;
    check(f);
    /* K blocks with the residual epilogue after the last one, with and without bias (the
     * first K block starts from the bias or zero, the others from the partial sums in Y) */
    for (int bias = 0; bias < 2; bias++) {
        fc kr = F2(1, 700, 24, 1, {23, 27}, {1, 1}, {1, 1}, {1, 1}, {0}, bias != 0);
        kr.act = "Relu";
        kr.residual = 2 - bias;
        check(kr);
    }
}

static void run_kxk_flat(void)
{
    check(F2(1, 8, 16, 1, {14, 14}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));
    check(F2(2, 5, 9, 1, {7, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false));
    check(F2(1, 3, 6, 1, {11, 19}, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true));
    check(F2(1, 4, 4, 1, {10, 12}, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}, true)); /* dilated, same size */
    check(F2(1, 4, 5, 1, {9, 10}, {3, 3}, {1, 1}, {1, 1}, {0, 1, 2, 1}, true));  /* OW == IW, OH != IH */
    check(F2(1, 6, 4, 1, {3, 2}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));   /* plane < one vector */
}

static void run_row(void)
{
    check(F2(1, 3, 5, 1, {9, 21}, {3, 3}, {1, 1}, {1, 1}, {0}, true));               /* valid, stride 1 */
    check(F2(1, 3, 8, 1, {23, 37}, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, true));    /* stem */
    check(F2(2, 6, 10, 1, {15, 15}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false));
    check(F2(1, 8, 12, 1, {14, 14}, {1, 1}, {2, 2}, {1, 1}, {0}, true));            /* 1x1 stride 2 */
    check(F2(1, 2, 3, 1, {8, 70}, {3, 3}, {1, 2}, {1, 1}, {1, 0, 2, 1}, true));     /* asymmetric pads, wide */
    check(F2(1, 2, 3, 1, {9, 40}, {2, 3}, {3, 1}, {1, 1}, {0, 1, 1, 0}, false));    /* stride 3 rows */
    check(F2(1, 2, 2, 1, {5, 9}, {3, 3}, {1, 2}, {2, 1}, {2, 1, 2, 1}, true));      /* dilated, strided */
}

static void run_packed(void)
{
    /* >= 16 output channels, one group, strided or narrow rows: the gathered panel */
    check(F2(1, 40, 20, 1, {14, 14}, {1, 1}, {2, 2}, {1, 1}, {0}, true));            /* 1x1 stride 2 */
    check(F2(2, 40, 17, 1, {13, 14}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true));   /* K blocks, M tail */
    check(F2(1, 5, 33, 1, {9, 12}, {3, 3}, {1, 1}, {1, 1}, {0}, false));             /* valid, narrow */
    check(F2(1, 6, 16, 1, {11, 9}, {3, 2}, {2, 2}, {2, 1}, {1, 0, 2, 1}, true));     /* dilated, asymmetric */
    check(F2(1, 300, 16, 1, {6, 6}, {1, 1}, {2, 2}, {1, 1}, {0}, false));             /* many K blocks */
    fc f = F2(1, 24, 32, 1, {15, 15}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true);
    f.act = "Relu";
    f.residual = 1;
    check(f);
    /* width stride 2, rows >= one vector: packed too; rows of whole vectors are copied with
     * (stride-2) row loads, tiles with a vector across two rows gathered */
    check(F2(1, 3, 16, 1, {64, 64}, {7, 7}, {2, 2}, {1, 1}, {3, 3, 3, 3}, true));    /* stem, 8 x 3, 1 K block */
    check(F2(1, 20, 24, 1, {56, 56}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true));   /* 28x28 out: rows split */
    check(F2(2, 3, 17, 1, {22, 70}, {7, 7}, {2, 2}, {1, 1}, {3, 2, 3, 4}, false));   /* asymmetric pads, M tail */
    check(F2(1, 2, 16, 1, {8, 70}, {3, 3}, {1, 2}, {1, 1}, {1, 0, 2, 1}, true));     /* stride 2 along W only */
    fc s2 = F2(1, 40, 16, 1, {40, 64}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true);  /* row loads, K blocks */
    s2.act = "Relu";
    s2.residual = 2;
    check(s2);
}

static void run_groups(void)
{
    check(F2(1, 8, 12, 2, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));
    check(F2(1, 12, 6, 3, {9, 13}, {1, 1}, {1, 1}, {1, 1}, {0}, true));
    /* depthwise 3x3 stride 1 and 2, channel multiplier 2 */
    check(F2(2, 5, 5, 5, {17, 17}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));
    check(F2(1, 7, 7, 7, {16, 35}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true));
    check(F2(1, 4, 8, 4, {12, 12}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false));
    check(F2(1, 6, 6, 6, {20, 20}, {5, 5}, {2, 2}, {1, 1}, {2, 2, 2, 2}, true));
}

static void run_1d_and_chunks(void)
{
    check((fc){1, 2, 3, 4, 1, {40}, {5}, {1}, {1}, {2, 2}, true});
    check((fc){1, 1, 4, 6, 2, {33}, {3}, {2}, {1}, {1, 0}, false});
    check((fc){1, 1, 3, 5, 1, {50}, {1}, {1}, {1}, {0, 0}, true});
    /* several chunks: flat (X chunk of 256 KiB over 64 channels) and row */
    check(F2(1, 64, 20, 1, {40, 41}, {1, 1}, {1, 1}, {1, 1}, {0}, true));
    check(F2(1, 64, 9, 1, {40, 40}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true));
    check(F2(1, 128, 9, 1, {30, 80}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false));
}

static void run_epilogues(void)
{
    static const char *acts[] = {"Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid",
                                 "SiLU", "Tanh", "Gelu", "GeluTanh"};
    for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
        fc f = F2(1, 6, 10, 1, {9, 9}, {1, 1}, {1, 1}, {1, 1}, {0}, true);
        f.act = acts[a];
        f.alpha = !strcmp(acts[a], "Clip") ? -0.5f : 0.1f;
        f.beta = !strcmp(acts[a], "Clip") ? 0.7f : 0.5f;
        f.residual = (int)(a % 3);
        check(f);
        fc r = F2(1, 4, 7, 1, {11, 13}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, false);
        r.act = f.act;
        r.alpha = f.alpha;
        r.beta = f.beta;
        r.residual = (int)((a + 1) % 3);
        check(r);
    }
    fc d = F2(1, 8, 8, 8, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true);
    d.act = "Clip";
    d.alpha = 0;
    d.beta = 6;
    check(d);
    fc s = F2(1, 8, 16, 1, {14, 14}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true);
    s.act = "Relu";
    s.residual = 1;
    check(s);
}

static void run_all(void)
{
    run_pointwise();
    run_kxk_flat();
    run_row();
    run_packed();
    run_groups();
    run_1d_and_chunks();
    run_epilogues();
}

static void test_host(void **state)
{
    (void)state;
    g_target = NULL;
    run_all();
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
    run_all();
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
    run_pointwise();
    run_row();
    run_packed();
    run_groups();
    g_target = NULL;
}

/* The kernel is explicit vector code: llvm.fma on <VL x float> for the target's width. */
static void check_ir(const om_cg_target_opts *t, const char *want)
{
    int64_t xd[4] = {1, 32, 14, 14}, wd[4] = {64, 32, 3, 3};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, xd), *w = cg_input(g, "w", OM_DT_FLOAT, 4, wd);
    int64_t yd[4] = {1, 64, 14, 14}, k[2] = {3, 3}, p[4] = {1, 1, 1, 1};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd), *ins[2] = {x, w};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, 2, &y, 1);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", p, 4), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(om_cg_emit_llvm_ir(g, t, f), OM_OK);
    fclose(f);
    if (!strstr(buf, want))
        fail_msg("kernel IR has no '%s'", want);
    free(buf);
    om_graph_destroy(g);
}

static void test_ir_vectors(void **state)
{
    (void)state;
    static const om_cg_target_opts avx512 = {"x86_64-unknown-linux-gnu", "x86-64", "+avx512f,+avx2,+fma,+avx", 3};
    static const om_cg_target_opts avx2 = {"x86_64-unknown-linux-gnu", "haswell", "", 3};
    check_ir(&avx512, "@llvm.fma.v16f32");
    check_ir(&avx2, "@llvm.fma.v8f32");
    check_ir(&avx512, "@llvm.masked.load.v16f32");
}

/* Every layout and epilogue compiles without libcalls (fmaf, expf, ...) on the host, on
 * baseline x86-64 (no FMA: llvm.fmuladd) and on aarch64. */
static void test_no_libcalls(void **state)
{
    (void)state;
    static const int64_t shapes[][7] = {
        /* C, M, group, k, stride, pad, H=W */
        {8, 16, 1, 1, 1, 0, 9}, {8, 16, 1, 3, 1, 1, 9}, {3, 8, 1, 7, 2, 3, 15}, {6, 6, 6, 3, 2, 1, 12}};
    for (size_t q = 0; q < sizeof shapes / sizeof shapes[0]; q++) {
        const int64_t *s = shapes[q];
        int64_t o = (s[6] + 2 * s[5] - s[3]) / s[4] + 1;
        int64_t xd[4] = {1, s[0], s[6], s[6]}, wd[4] = {s[1], s[0] / s[2], s[3], s[3]}, yd[4] = {1, s[1], o, o};
        int64_t k[2] = {s[3], s[3]}, st[2] = {s[4], s[4]}, p[4] = {s[5], s[5], s[5], s[5]};
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, xd), *w = cg_input(g, "w", OM_DT_FLOAT, 4, wd);
        om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd), *ins[2] = {x, w};
        om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, 2, &y, 1);
        assert_int_equal(om_node_set_ints(g, n, "kernel_shape", k, 2), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "strides", st, 2), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "pads", p, 4), OM_OK);
        assert_int_equal(om_node_set_int(g, n, "group", s[2]), OM_OK);
        assert_int_equal(om_node_set_string(g, n, "om_activation", q % 2 ? "SiLU" : "Gelu"), OM_OK);
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        for (int t = 0; t < 3; t++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "conv_fast");
        cg_jit_assert_no_libcalls(g, NULL, "conv_fast");
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_ir_vectors),
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_avx2),
        cmocka_unit_test(test_sse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
