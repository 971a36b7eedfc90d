/* Fused epilogues of Conv, Gemm and MatMul (codegen/cg_epilogue.c and the kernels that call
 * it) against C references: Conv + bias + residual (before the activation) + Relu, Conv +
 * Clip(0, 6), Conv + SiLU, Gemm + LeakyRelu + residual after the activation, MatMul (batched)
 * + bias + Gelu, MatMul + bias + HardSwish + residual; chunked runs (cg_jit_run_checked); an
 * unknown activation and a residual of the wrong shape are refused with a message. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"

static void set_epilogue(om_graph *g, om_node *n, const char *a, double alpha, double beta, int residual)
{
    if (a)
        assert_int_equal(om_node_set_string(g, n, "om_activation", a), OM_OK);
    if (a && (!strcmp(a, "Clip") || !strcmp(a, "LeakyRelu")))
        assert_int_equal(om_node_set_float(g, n, "om_alpha", (float)alpha), OM_OK);
    if (a && !strcmp(a, "Clip"))
        assert_int_equal(om_node_set_float(g, n, "om_beta", (float)beta), OM_OK);
    if (residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", residual), OM_OK);
}

static void check_close(const char *what, int64_t i, double got, double want)
{
    if (fabs(got - want) > 1e-4 + 1e-4 * fabs(want))
        fail_msg("%s[%lld] = %.9g, want %.9g", what, (long long)i, got, want);
}

/* Conv 2-D, 3x3 pad 1, [1,3,5,6] -> [1,4,5,6], optional bias and residual. */
static void conv_case(const char *a, double alpha, double beta, int residual, bool bias)
{
    enum { C = 3, M = 4, H = 5, W = 6 };
    int64_t dx[4] = {1, C, H, W}, dw[4] = {M, C, 3, 3}, db[1] = {M}, dy[4] = {1, M, H, W};
    om_graph *g = om_graph_create("conv");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx);
    om_value *w = cg_input(g, "w", OM_DT_FLOAT, 4, dw);
    om_value *b = cg_input(g, "b", OM_DT_FLOAT, 1, db);
    om_value *r = cg_input(g, "r", OM_DT_FLOAT, 4, dy);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_value *ins[4] = {x, w, bias ? b : NULL, r};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "c", ins, residual ? 4 : 3, &y, 1);
    assert_non_null(n);
    int64_t ks[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", ks, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", pads, 4), OM_OK);
    set_epilogue(g, n, a, alpha, beta, residual);
    om_graph_add_output(g, y);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *px = cg_jit_buf(j, x), *pw = cg_jit_buf(j, w), *pb = cg_jit_buf(j, b), *pr = cg_jit_buf(j, r);
    cg_fill_random(OM_DT_FLOAT, px, C * H * W, -2, 2);
    cg_fill_random(OM_DT_FLOAT, pw, M * C * 9, -1, 1);
    cg_fill_random(OM_DT_FLOAT, pb, M, -1, 1);
    cg_fill_random(OM_DT_FLOAT, pr, M * H * W, -3, 3);
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    for (int m = 0; m < M; m++)
        for (int oh = 0; oh < H; oh++)
            for (int ow = 0; ow < W; ow++) {
                double s = bias ? pb[m] : 0;
                for (int c = 0; c < C; c++)
                    for (int kh = 0; kh < 3; kh++)
                        for (int kw = 0; kw < 3; kw++) {
                            int ih = oh + kh - 1, iw = ow + kw - 1;
                            if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                s += (double)pw[((m * C + c) * 3 + kh) * 3 + kw] * px[(c * H + ih) * W + iw];
                        }
                int64_t i = (m * H + oh) * W + ow;
                if (residual == 1)
                    s += pr[i];
                s = cg_ref_act(a, alpha, beta, s);
                if (residual == 2)
                    s += pr[i];
                check_close("conv", i, py[i], s);
            }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_conv_relu_residual(void **state) { (void)state; conv_case("Relu", 0, 0, 1, true); }
static void test_conv_clip(void **state) { (void)state; conv_case("Clip", 0, 6, 0, true); }
static void test_conv_silu(void **state) { (void)state; conv_case("SiLU", 0, 0, 0, false); }
static void test_conv_residual_after(void **state) { (void)state; conv_case("Relu", 0, 0, 2, false); }

/* Gemm [M,K] x [K,N] + C[N], LeakyRelu, residual after. */
static void test_gemm_leaky_residual(void **state)
{
    (void)state;
    enum { M = 7, K = 5, N = 9 };
    int64_t da[2] = {M, K}, db[2] = {K, N}, dc[1] = {N}, dy[2] = {M, N};
    om_graph *g = om_graph_create("gemm");
    om_value *va = cg_input(g, "a", OM_DT_FLOAT, 2, da), *vb = cg_input(g, "b", OM_DT_FLOAT, 2, db);
    om_value *vc = cg_input(g, "c", OM_DT_FLOAT, 1, dc), *vr = cg_input(g, "r", OM_DT_FLOAT, 2, dy);
    om_value *vy = cg_value(g, "y", OM_DT_FLOAT, 2, dy);
    om_value *ins[4] = {va, vb, vc, vr};
    om_node *n = om_graph_add_node(g, OM_OP_GEMM, "g", ins, 4, &vy, 1);
    set_epilogue(g, n, "LeakyRelu", 0.1, 0, 2);
    om_graph_add_output(g, vy);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *pa = cg_jit_buf(j, va), *pb = cg_jit_buf(j, vb), *pc = cg_jit_buf(j, vc), *pr = cg_jit_buf(j, vr);
    cg_fill_random(OM_DT_FLOAT, pa, M * K, -2, 2);
    cg_fill_random(OM_DT_FLOAT, pb, K * N, -2, 2);
    cg_fill_random(OM_DT_FLOAT, pc, N, -1, 1);
    cg_fill_random(OM_DT_FLOAT, pr, M * N, -1, 1);
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, vy);
    for (int i = 0; i < M; i++)
        for (int jj = 0; jj < N; jj++) {
            double s = pc[jj];
            for (int k = 0; k < K; k++)
                s += (double)pa[i * K + k] * pb[k * N + jj];
            s = cg_ref_act("LeakyRelu", 0.1, 0, s) + pr[i * N + jj];
            check_close("gemm", i * N + jj, py[i * N + jj], s);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* Batched MatMul [2,3,K] x [K,N] + bias[N], activation, optional residual before it. */
static void matmul_case(const char *a, int residual)
{
    enum { B = 2, M = 3, K = 4, N = 5 };
    int64_t da[3] = {B, M, K}, db[2] = {K, N}, dc[1] = {N}, dy[3] = {B, M, N};
    om_graph *g = om_graph_create("matmul");
    om_value *va = cg_input(g, "a", OM_DT_FLOAT, 3, da), *vb = cg_input(g, "b", OM_DT_FLOAT, 2, db);
    om_value *vc = cg_input(g, "c", OM_DT_FLOAT, 1, dc), *vr = cg_input(g, "r", OM_DT_FLOAT, 3, dy);
    om_value *vy = cg_value(g, "y", OM_DT_FLOAT, 3, dy);
    om_value *ins[4] = {va, vb, vc, vr};
    om_node *n = om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, residual ? 4 : 3, &vy, 1);
    set_epilogue(g, n, a, 0, 0, residual);
    om_graph_add_output(g, vy);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *pa = cg_jit_buf(j, va), *pb = cg_jit_buf(j, vb), *pc = cg_jit_buf(j, vc), *pr = cg_jit_buf(j, vr);
    cg_fill_random(OM_DT_FLOAT, pa, B * M * K, -2, 2);
    cg_fill_random(OM_DT_FLOAT, pb, K * N, -2, 2);
    cg_fill_random(OM_DT_FLOAT, pc, N, -1, 1);
    cg_fill_random(OM_DT_FLOAT, pr, B * M * N, -1, 1);
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, vy);
    for (int i = 0; i < B * M; i++)
        for (int jj = 0; jj < N; jj++) {
            double s = pc[jj];
            for (int k = 0; k < K; k++)
                s += (double)pa[i * K + k] * pb[k * N + jj];
            if (residual == 1)
                s += pr[i * N + jj];
            s = cg_ref_act(a, 0, 0, s);
            check_close("matmul", i * N + jj, py[i * N + jj], s);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_matmul_bias_gelu(void **state) { (void)state; matmul_case("Gelu", 0); }
static void test_matmul_bias_residual_hardswish(void **state) { (void)state; matmul_case("HardSwish", 1); }
static void test_matmul_bias_only(void **state) { (void)state; matmul_case(NULL, 0); }

static void test_refused(void **state)
{
    (void)state;
    int64_t da[2] = {2, 3}, db[2] = {3, 4}, dy[2] = {2, 4}, dr[2] = {1, 4};
    for (int bad = 0; bad < 2; bad++) {
        om_graph *g = om_graph_create("bad");
        om_value *va = cg_input(g, "a", OM_DT_FLOAT, 2, da), *vb = cg_input(g, "b", OM_DT_FLOAT, 2, db);
        om_value *vr = cg_input(g, "r", OM_DT_FLOAT, 2, dr);
        om_value *vy = cg_value(g, "y", OM_DT_FLOAT, 2, dy);
        om_value *ins[4] = {va, vb, NULL, vr};
        om_node *n = om_graph_add_node(g, OM_OP_GEMM, "g1", ins, 4, &vy, 1);
        if (bad == 0)
            assert_int_equal(om_node_set_string(g, n, "om_activation", "Swoosh"), OM_OK);
        else
            assert_int_equal(om_node_set_int(g, n, "om_residual", 1), OM_OK);
        om_graph_add_output(g, vy);
        cg_jit *j = NULL;
        assert_int_not_equal(cg_jit_create(g, NULL, &j), OM_OK);
        assert_non_null(strstr(om_last_error(), bad == 0 ? "Swoosh" : "om_residual"));
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_relu_residual),
        cmocka_unit_test(test_conv_clip),
        cmocka_unit_test(test_conv_silu),
        cmocka_unit_test(test_conv_residual_after),
        cmocka_unit_test(test_gemm_leaky_residual),
        cmocka_unit_test(test_matmul_bias_gelu),
        cmocka_unit_test(test_matmul_bias_residual_hardswish),
        cmocka_unit_test(test_matmul_bias_only),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
