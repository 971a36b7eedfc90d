/* BatchNormalization kernel against a double reference: constant parameters (folded at
 * compile time) and run-time parameters, ranks 1-5, f32/f64/f16/bf16, epsilon. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranks),
        cmocka_unit_test(test_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
