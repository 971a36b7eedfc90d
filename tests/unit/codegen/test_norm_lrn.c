/* LRN kernel against a double reference: odd and even window sizes (asymmetric window),
 * size 1, a window wider than C, a window above the unrolled limit (runtime loop), the
 * sqrt special cases of beta (0.5, 0.75, 1) and a general beta through exp/log, ranks 2-5,
 * f32/f64/f16/bf16. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static void check(om_dtype dt, int r, const int64_t *dims, int64_t size, float alpha, float beta, float bias)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, dims);
    om_node *n = om_graph_add_node(g, OM_OP_LRN, "lrn", &x, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "size", size), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "alpha", alpha), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "beta", beta), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "bias", bias), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("LRN: %s", om_last_error());
    int64_t numel = om_shape_numel(&x->shape), C = dims[1], S = 1;
    for (int i = 2; i < r; i++)
        S *= dims[i];
    const void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, cg_jit_buf(j, x), numel, -3, 3);
    cg_jit_run_checked(j);
    int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
    double tol = dt == OM_DT_FLOAT16 ? 2e-3 : dt == OM_DT_BFLOAT16 ? 1e-2 : dt == OM_DT_DOUBLE ? 1e-6 : 2e-6;
    for (int64_t e = 0; e < numel; e++) {
        int64_t s = e % S, c = (e / S) % C, nb = e / (S * C);
        double sum = 0;
        for (int64_t cc = c - lo; cc <= c + hi; cc++)
            if (cc >= 0 && cc < C) {
                double v = cg_get(dt, px, (nb * C + cc) * S + s);
                sum += v * v;
            }
        double want = cg_get(dt, px, e) / pow((double)bias + (double)alpha / (double)size * sum, (double)beta);
        double got = cg_get(dt, cg_jit_buf(j, y), e);
        if (!(fabs(got - want) <= tol * (fabs(want) + 1e-3)))
            fail_msg("%s size %lld beta %g elem %lld: %.9g, want %.9g", om_dtype_name(dt), (long long)size, beta,
                     (long long)e, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_windows(void **state)
{
    int64_t d[4] = {2, 7, 3, 5};
    check(OM_DT_FLOAT, 4, d, 1, 1e-4f, 0.75f, 1.0f);
    check(OM_DT_FLOAT, 4, d, 3, 2e-4f, 0.75f, 2.0f);
    check(OM_DT_FLOAT, 4, d, 4, 0.1f, 0.75f, 1.0f);   /* even: window [c-1, c+2] */
    check(OM_DT_FLOAT, 4, d, 5, 0.5f, 0.75f, 1.0f);
    check(OM_DT_FLOAT, 4, d, 11, 0.5f, 0.75f, 1.0f);  /* wider than C */
    int64_t wide[3] = {2, 45, 17};
    check(OM_DT_FLOAT, 3, wide, 37, 0.5f, 0.75f, 1.0f); /* above the unroll limit */
    check(OM_DT_FLOAT, 3, wide, 36, 0.5f, 0.3f, 1.5f);
}

static void test_betas_and_ranks(void **state)
{
    int64_t d2[2] = {3, 9}, d3[3] = {2, 5, 33}, d5[5] = {1, 4, 2, 3, 5};
    check(OM_DT_FLOAT, 2, d2, 3, 0.5f, 0.5f, 1.0f);
    check(OM_DT_FLOAT, 3, d3, 3, 0.5f, 1.0f, 1.0f);
    check(OM_DT_FLOAT, 3, d3, 5, 0.5f, 0.3f, 0.7f);
    check(OM_DT_FLOAT, 5, d5, 3, 1.0f, 2.0f, 1.0f);
    check(OM_DT_FLOAT, 3, d3, 2, 0.5f, 0.0f, 1.0f);   /* beta 0: y = x */
}

static void test_dtypes(void **state)
{
    int64_t d[4] = {2, 6, 4, 9};
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int t = 0; t < 3; t++) {
        check(dts[t], 4, d, 3, 0.5f, 0.75f, 1.0f);
        check(dts[t], 4, d, 5, 0.5f, 0.6f, 2.0f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_betas_and_ranks),
        cmocka_unit_test(test_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
