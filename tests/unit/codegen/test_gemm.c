/* Gemm kernel against a plain C reference (double accumulation) over random data: every
 * transA/transB combination, alpha/beta (incl. beta = 0 skipping C), every C broadcast form
 * (none, scalar, [1], [N], [1,N], [M,1], [M,N], [1,1]), rows wider than the column block,
 * f32/f64/f16/bf16 and the integer dtypes. cg_jit_run_checked also checks a 3-range split.
 * Tolerance: |got - ref| <= rtol * (|alpha| sum|a*b| + |beta c|) (+ f16 output rounding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef enum c_form { C_NONE, C_SCALAR, C_ONE, C_N, C_1N, C_M1, C_MN, C_11, C_FORMS } c_form;

static double tol_for(om_dtype dt, double ref, double mag)
{
    switch (dt) {
    case OM_DT_FLOAT: return 1e-5 * mag + 1e-30;
    case OM_DT_DOUBLE: return 1e-12 * mag + 1e-300;
    case OM_DT_FLOAT16: return 1e-3 * fabs(ref) + 1e-5 * mag + 1e-7;
    case OM_DT_BFLOAT16: return 8e-3 * fabs(ref) + 1e-5 * mag + 1e-7;
    default: return 0;
    }
}

static void check_gemm(om_dtype dt, int64_t M, int64_t K, int64_t N, bool ta, bool tb, float alpha, float beta,
                       c_form cf)
{
    int64_t ad[2] = {ta ? K : M, ta ? M : K}, bd[2] = {tb ? N : K, tb ? K : N}, yd[2] = {M, N};
    int64_t cd[2];
    int cr = 0;
    switch (cf) {
    case C_SCALAR: cr = 0; break;
    case C_ONE: cr = 1; cd[0] = 1; break;
    case C_N: cr = 1; cd[0] = N; break;
    case C_1N: cr = 2; cd[0] = 1; cd[1] = N; break;
    case C_M1: cr = 2; cd[0] = M; cd[1] = 1; break;
    case C_MN: cr = 2; cd[0] = M; cd[1] = N; break;
    case C_11: cr = 2; cd[0] = 1; cd[1] = 1; break;
    default: break;
    }
    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", dt, 2, ad), *b = cg_input(g, "b", dt, 2, bd);
    om_value *c = cf == C_NONE ? NULL : cg_input(g, "c", dt, cr, cd);
    om_value *y = cg_value(g, "y", dt, 2, yd), *ins[3] = {a, b, c};
    om_node *n = om_graph_add_node(g, OM_OP_GEMM, "gemm", ins, c ? 3 : 2, &y, 1);
    assert_non_null(n);
    if (ta)
        assert_int_equal(om_node_set_int(g, n, "transA", 1), OM_OK);
    if (tb)
        assert_int_equal(om_node_set_int(g, n, "transB", 1), OM_OK);
    if (alpha != 1.0f)
        assert_int_equal(om_node_set_float(g, n, "alpha", alpha), OM_OK);
    if (beta != 1.0f)
        assert_int_equal(om_node_set_float(g, n, "beta", beta), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    if (st != OM_OK)
        fail_msg("gemm %s: %s", om_dtype_name(dt), om_last_error());
    bool isf = om_dtype_is_float(dt);
    double lo = om_dtype_is_unsigned_int(dt) ? 0 : isf ? -1 : -9, hi = isf ? 1 : 9;
    cg_fill_random(dt, cg_jit_buf(j, a), M * K, lo, hi);
    cg_fill_random(dt, cg_jit_buf(j, b), K * N, lo, hi);
    if (c)
        cg_fill_random(dt, cg_jit_buf(j, c), om_shape_numel(&c->shape), lo, hi);
    cg_jit_run_checked(j);

    const void *A = cg_jit_buf(j, a), *B = cg_jit_buf(j, b), *Y = cg_jit_buf(j, y);
    const void *Cb = c ? cg_jit_buf(j, c) : NULL;
    int64_t c_rows = cr == 2 ? cd[0] : 1, c_cols = cr >= 1 ? cd[cr - 1] : 1;
    for (int64_t i = 0; i < M; i++)
        for (int64_t jj = 0; jj < N; jj++) {
            double s = 0, as = 0;
            int64_t si = 0;
            for (int64_t k = 0; k < K; k++) {
                double av = cg_get(dt, A, ta ? k * M + i : i * K + k);
                double bv = cg_get(dt, B, tb ? jj * K + k : k * N + jj);
                s += av * bv;
                as += fabs(av * bv);
                si += (int64_t)av * (int64_t)bv;
            }
            double want, mag = fabs(alpha) * as;
            if (isf) {
                want = alpha * s;
                if (Cb && beta != 0.0f) {
                    double cv = cg_get(dt, Cb, (c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : jj));
                    want += beta * cv;
                    mag += fabs(beta * cv);
                }
            } else {
                int64_t w = si * (int64_t)alpha;
                if (Cb && beta != 0.0f)
                    w += (int64_t)beta * (int64_t)cg_get(dt, Cb, (c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : jj));
                unsigned char tmp[8];
                cg_set(dt, tmp, 0, (double)w);
                want = cg_get(dt, tmp, 0);
            }
            double got = cg_get(dt, Y, i * N + jj);
            if (!(fabs(got - want) <= tol_for(dt, want, mag)))
                fail_msg("gemm %s M%lld K%lld N%lld tA%d tB%d C form %d: y[%lld,%lld] = %.9g, want %.9g",
                         om_dtype_name(dt), (long long)M, (long long)K, (long long)N, ta, tb, (int)cf,
                         (long long)i, (long long)jj, got, want);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_transposes(void **state)
{
    for (int t = 0; t < 4; t++) {
        check_gemm(OM_DT_FLOAT, 3, 5, 4, t & 1, t & 2, 1.0f, 1.0f, C_MN);
        check_gemm(OM_DT_FLOAT, 7, 33, 19, t & 1, t & 2, 1.0f, 1.0f, C_NONE);
        check_gemm(OM_DT_FLOAT, 1, 1, 1, t & 1, t & 2, 1.0f, 1.0f, C_SCALAR);
    }
}

static void test_c_forms(void **state)
{
    for (int cf = 0; cf < C_FORMS; cf++)
        for (int t = 0; t < 4; t++)
            check_gemm(OM_DT_FLOAT, 4, 6, 5, t & 1, t & 2, 1.0f, 1.0f, (c_form)cf);
}

static void test_alpha_beta(void **state)
{
    check_gemm(OM_DT_FLOAT, 3, 5, 4, false, false, 0.5f, 1.0f, C_MN);
    check_gemm(OM_DT_FLOAT, 3, 5, 4, true, true, 0.25f, 0.35f, C_1N);
    check_gemm(OM_DT_FLOAT, 3, 5, 4, false, true, -2.0f, -1.5f, C_M1);
    check_gemm(OM_DT_FLOAT, 3, 5, 4, true, false, 1.0f, 0.0f, C_MN); /* beta 0 skips C */
}

static void test_wide_rows(void **state)
{
    /* N over the 256-column block (blocks + tail), both B layouts */
    check_gemm(OM_DT_FLOAT, 3, 10, 700, false, false, 1.0f, 1.0f, C_N);
    check_gemm(OM_DT_FLOAT, 3, 10, 700, true, true, 0.5f, 2.0f, C_MN);
    check_gemm(OM_DT_FLOAT, 2, 300, 512, false, true, 1.0f, 1.0f, C_1N);
}

static void test_dtypes(void **state)
{
    static const om_dtype fl[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (size_t d = 0; d < 3; d++)
        for (int t = 0; t < 4; t++)
            check_gemm(fl[d], 5, 40, 270, t & 1, t & 2, 0.5f, 2.0f, C_N);
    static const om_dtype in[] = {OM_DT_INT32, OM_DT_INT64, OM_DT_UINT32, OM_DT_UINT64};
    for (size_t d = 0; d < 4; d++)
        for (int t = 0; t < 4; t++) {
            check_gemm(in[d], 4, 7, 9, t & 1, t & 2, 1.0f, 1.0f, C_MN);
            check_gemm(in[d], 4, 7, 9, t & 1, t & 2, 2.0f, 3.0f, C_M1);
        }
}

static void test_rejects(void **state)
{
    /* C of [M+1, N] does not broadcast: invalid model naming the node */
    int64_t a[2] = {2, 3}, b[2] = {3, 4}, c[2] = {3, 4}, y[2] = {2, 4};
    om_graph *g = om_graph_create("t");
    om_value *va = cg_input(g, "a", OM_DT_FLOAT, 2, a), *vb = cg_input(g, "b", OM_DT_FLOAT, 2, b);
    om_value *vc = cg_input(g, "c", OM_DT_FLOAT, 2, c);
    om_value *vy = cg_value(g, "y", OM_DT_FLOAT, 2, y), *ins[3] = {va, vb, vc};
    assert_non_null(om_graph_add_node(g, OM_OP_GEMM, "gemm_bad", ins, 3, &vy, 1));
    assert_int_equal(om_graph_add_output(g, vy), OM_OK);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "gemm_bad"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transposes),
        cmocka_unit_test(test_c_forms),
        cmocka_unit_test(test_alpha_beta),
        cmocka_unit_test(test_wide_rows),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
