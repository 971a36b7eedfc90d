/* BatchNormalization kernel against a double reference: constant parameters (folded at
 * compile time) and run-time parameters, ranks 1-5, f32/f64/f16/bf16, epsilon; training
 * mode (batch statistics over every axis but 1, running mean/var with momentum). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static void check(om_dtype dt, int r, const int64_t *dims, bool constant, float eps)
{
    int64_t C = r >= 2 ? dims[1] : dims[0];
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, dims);
    om_value *p[4];
    static const char *names[4] = {"scale", "bias", "mean", "var"};
    unsigned char *data[4];
    for (int k = 0; k < 4; k++) {
        size_t bytes = (size_t)C * om_dtype_size(dt);
        data[k] = malloc(bytes + 8);
        assert_non_null(data[k]);
        cg_fill_random(dt, data[k], C, k == 3 ? 0.1 : -2, k == 3 ? 3 : 2);
        om_shape s = om_shape_make(1, &C);
        p[k] = constant ? om_graph_add_constant(g, names[k], dt, &s, data[k], bytes)
                        : cg_input(g, names[k], dt, 1, &C);
        assert_non_null(p[k]);
    }
    om_value *ins[5] = {x, p[0], p[1], p[2], p[3]};
    om_node *n = om_graph_add_node(g, OM_OP_BATCH_NORMALIZATION, "bn", ins, 5, &y, 1);
    assert_int_equal(om_node_set_float(g, n, "epsilon", eps), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("BatchNormalization: %s", om_last_error());
    if (!constant)
        for (int k = 0; k < 4; k++)
            memcpy(cg_jit_buf(j, p[k]), data[k], (size_t)C * om_dtype_size(dt));
    int64_t numel = om_shape_numel(&x->shape), S = 1;
    for (int i = 2; i < r; i++)
        S *= dims[i];
    cg_fill_random(dt, cg_jit_buf(j, x), numel, -5, 5);
    cg_jit_run_checked(j);
    double tol = dt == OM_DT_FLOAT16 ? 2e-2 : dt == OM_DT_BFLOAT16 ? 1e-1 : dt == OM_DT_DOUBLE ? 1e-12 : 1e-5;
    for (int64_t e = 0; e < numel; e++) {
        int64_t c = r >= 2 ? (e / S) % C : e;
        double xv = cg_get(dt, cg_jit_buf(j, x), e);
        double want = cg_get(dt, data[0], c) * (xv - cg_get(dt, data[2], c)) /
                          sqrt(cg_get(dt, data[3], c) + (double)eps) + cg_get(dt, data[1], c);
        double got = cg_get(dt, cg_jit_buf(j, y), e);
        if (!(fabs(got - want) <= tol * (1 + fabs(want))))
            fail_msg("%s rank %d const %d elem %lld: %.9g, want %.9g", om_dtype_name(dt), r, constant,
                     (long long)e, got, want);
    }
    for (int k = 0; k < 4; k++)
        free(data[k]);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_ranks(void **state)
{
    int64_t d1[1] = {6}, d2[2] = {3, 5}, d4[4] = {2, 3, 7, 9}, d5[5] = {1, 4, 3, 5, 2};
    for (int c = 0; c < 2; c++) {
        check(OM_DT_FLOAT, 1, d1, c, 1e-5f);
        check(OM_DT_FLOAT, 2, d2, c, 1e-5f);
        check(OM_DT_FLOAT, 4, d4, c, 1e-3f);
        check(OM_DT_FLOAT, 5, d5, c, 0.5f);
    }
}

static void test_dtypes(void **state)
{
    int64_t d4[4] = {2, 8, 5, 11};
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int t = 0; t < 3; t++) {
        check(dts[t], 4, d4, true, 1e-5f);
        check(dts[t], 4, d4, false, 1e-5f);
    }
}

static void check_training(om_dtype dt, int r, const int64_t *dims, int n_out, float mom, float eps)
{
    int64_t C = dims[1], S = 1, N = dims[0];
    for (int i = 2; i < r; i++)
        S *= dims[i];
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, dims);
    om_value *p[4], *outs[3] = {y, cg_value(g, "rm", dt, 1, &C), cg_value(g, "rv", dt, 1, &C)};
    static const char *names[4] = {"scale", "bias", "mean", "var"};
    for (int k = 0; k < 4; k++)
        p[k] = cg_input(g, names[k], dt, 1, &C);
    om_value *ins[5] = {x, p[0], p[1], p[2], p[3]};
    om_node *n = om_graph_add_node(g, OM_OP_BATCH_NORMALIZATION, "bn", ins, 5, outs, n_out);
    assert_int_equal(om_node_set_int(g, n, "training_mode", 1), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "momentum", mom), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "epsilon", eps), OM_OK);
    for (int o = 0; o < n_out; o++)
        assert_int_equal(om_graph_add_output(g, outs[o]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("BatchNormalization (training): %s", om_last_error());
    const void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, cg_jit_buf(j, x), N * C * S, -5, 5);
    for (int k = 0; k < 4; k++)
        cg_fill_random(dt, cg_jit_buf(j, p[k]), C, k == 3 ? 0.1 : -2, k == 3 ? 3 : 2);
    cg_jit_run_checked(j);
    double tol = dt == OM_DT_FLOAT16 ? 2e-2 : dt == OM_DT_DOUBLE ? 1e-9 : 2e-5;
    for (int64_t c = 0; c < C; c++) {
        double sum = 0, ssq = 0, cnt = (double)(N * S);
        for (int64_t b = 0; b < N; b++)
            for (int64_t s = 0; s < S; s++)
                sum += cg_get(dt, px, (b * C + c) * S + s);
        double mean = sum / cnt;
        for (int64_t b = 0; b < N; b++)
            for (int64_t s = 0; s < S; s++) {
                double d = cg_get(dt, px, (b * C + c) * S + s) - mean;
                ssq += d * d;
            }
        double var = ssq / cnt;
        for (int64_t b = 0; b < N; b++)
            for (int64_t s = 0; s < S; s++) {
                int64_t e = (b * C + c) * S + s;
                double want = (cg_get(dt, px, e) - mean) / sqrt(var + (double)eps) * cg_get(dt, cg_jit_buf(j, p[0]), c) +
                              cg_get(dt, cg_jit_buf(j, p[1]), c);
                double got = cg_get(dt, cg_jit_buf(j, y), e);
                if (!(fabs(got - want) <= tol * (1 + fabs(want))))
                    fail_msg("training %s elem %lld: %.9g, want %.9g", om_dtype_name(dt), (long long)e, got, want);
            }
        double want_stats[2] = {cg_get(dt, cg_jit_buf(j, p[2]), c) * mom + mean * (1 - (double)mom),
                                cg_get(dt, cg_jit_buf(j, p[3]), c) * mom + var * (1 - (double)mom)};
        for (int o = 1; o < n_out; o++) {
            double got = cg_get(dt, cg_jit_buf(j, outs[o]), c);
            if (!(fabs(got - want_stats[o - 1]) <= tol * (1 + fabs(want_stats[o - 1]))))
                fail_msg("training %s running %s[%lld]: %.9g, want %.9g", om_dtype_name(dt), o == 1 ? "mean" : "var",
                         (long long)c, got, want_stats[o - 1]);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_training(void **state)
{
    int64_t d2[2] = {6, 3}, d4[4] = {2, 3, 4, 5}, d5[5] = {3, 4, 2, 3, 5};
    check_training(OM_DT_FLOAT, 4, d4, 3, 0.9f, 1e-5f);
    check_training(OM_DT_FLOAT, 2, d2, 3, 0.5f, 1e-2f);
    check_training(OM_DT_FLOAT, 5, d5, 1, 0.9f, 1e-5f);
    check_training(OM_DT_FLOAT, 4, d4, 2, 0.1f, 1e-5f);
    check_training(OM_DT_DOUBLE, 4, d4, 3, 0.9f, 1e-5f);
    check_training(OM_DT_FLOAT16, 4, d4, 3, 0.9f, 1e-5f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
