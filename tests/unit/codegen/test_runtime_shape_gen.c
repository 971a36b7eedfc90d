/* Run-time shape inputs of the generator kernels (issue 3): ConstantOfShape (shape), OneHot
 * (depth, with values also read at run time), Range (start / limit / delta: the count is
 * checked, the values computed from the run-time start and delta), and the Hann / Hamming /
 * Blackman windows (size). Each input is a graph INPUT; the output shape is the compiled
 * (declared) one. (a) agreeing values: output equals a plain-C reference; (b) disagreeing
 * values: the kernel's check fails the run (OM_ERR_INVALID_ARGUMENT), no output written. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static cg_jit *jit(om_graph *g, const char *what)
{
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    return j;
}

/* The check must fire and leave output y untouched. */
static void run_bad(cg_jit *j, const om_value *y)
{
    size_t bytes = (size_t)om_shape_numel(&y->shape) * om_dtype_size(y->dtype);
    unsigned char *p = cg_jit_buf(j, y);
    memset(p, 0x7e, bytes);
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(cg_jit_run(j, 3), OM_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < bytes; i++)
        if (p[i] != 0x7e)
            fail_msg("output '%s' byte %zu written although the check failed", y->name, i);
}

static void test_constant_of_shape(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t three = 3, yd[3] = {4, 3, 2};
    om_value *s = cg_input(g, "s", OM_DT_INT64, 1, &three), *y = cg_value(g, "y", OM_DT_INT32, 3, yd);
    om_node *n = om_graph_add_node(g, OM_OP_CONSTANT_OF_SHAPE, "c", &s, 1, &y, 1);
    int64_t one = 1;
    int32_t seven = 7;
    om_shape vs = om_shape_make(1, &one);
    om_value *v = om_graph_add_constant(g, "value", OM_DT_INT32, &vs, &seven, 4);
    assert_int_equal(om_node_set_tensor(g, n, "value", v), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "ConstantOfShape");
    int64_t *sp = cg_jit_buf(j, s);
    sp[0] = 4, sp[1] = 3, sp[2] = 2;
    cg_jit_run_checked(j);
    const int32_t *yp = cg_jit_buf(j, y);
    for (int i = 0; i < 24; i++)
        assert_int_equal(yp[i], 7);
    sp[2] = 3;
    run_bad(j, y);
    sp[0] = 2, sp[1] = 3, sp[2] = 4; /* same count, other shape */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_one_hot(void **state)
{
    (void)state;
    /* indices [2,2] (f32), depth f32 scalar, values i32 [2] at run time, axis 1 -> [2,10,2] */
    om_graph *g = om_graph_create("t");
    int64_t id[2] = {2, 2}, two = 2, yd[3] = {2, 10, 2};
    om_value *ins[3] = {cg_input(g, "i", OM_DT_FLOAT, 2, id), cg_input(g, "d", OM_DT_FLOAT, 0, NULL),
                        cg_input(g, "v", OM_DT_INT32, 1, &two)};
    om_value *y = cg_value(g, "y", OM_DT_INT32, 3, yd);
    om_node *n = om_graph_add_node(g, OM_OP_ONE_HOT, "oh", ins, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "OneHot");
    float *ip = cg_jit_buf(j, ins[0]), *dp = cg_jit_buf(j, ins[1]);
    int32_t *vp = cg_jit_buf(j, ins[2]);
    float idx[4] = {1, 9, -1, 2.7f};
    memcpy(ip, idx, sizeof idx);
    dp[0] = 10.0f;
    vp[0] = -3, vp[1] = 5;
    cg_jit_run_checked(j);
    const int32_t *yp = cg_jit_buf(j, y);
    for (int o = 0; o < 2; o++)
        for (int d = 0; d < 10; d++)
            for (int i = 0; i < 2; i++) {
                int64_t k = (int64_t)idx[o * 2 + i];
                if (k < 0)
                    k += 10;
                assert_int_equal(yp[(o * 10 + d) * 2 + i], k == d ? 5 : -3);
            }
    vp[0] = 0, vp[1] = 1; /* values are read at run time */
    cg_jit_run_checked(j);
    assert_int_equal(yp[(0 * 10 + 1) * 2 + 0], 1);
    assert_int_equal(yp[(0 * 10 + 2) * 2 + 0], 0);
    dp[0] = 10.5f; /* truncates to 10: fine */
    cg_jit_run_checked(j);
    dp[0] = 11.0f;
    run_bad(j, y);
    dp[0] = 9.0f;
    run_bad(j, y);
    dp[0] = NAN;
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void range_case(om_dtype dt, double s, double l, double d, int64_t count, double bad_l, double bad_d)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[3] = {cg_input(g, "s", dt, 0, NULL), cg_input(g, "l", dt, 0, NULL), cg_input(g, "d", dt, 0, NULL)};
    om_value *y = cg_value(g, "y", dt, 1, &count);
    assert_non_null(om_graph_add_node(g, OM_OP_RANGE, "r", ins, 3, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Range");
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, d);
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < count; i++) {
        double want = s + (double)i * d, got = cg_get(dt, cg_jit_buf(j, y), i);
        if (fabs(got - want) > 1e-4)
            fail_msg("Range %s [%lld] = %g, want %g", om_dtype_name(dt), (long long)i, got, want);
    }
    /* another start with the same count: the values follow the run-time start */
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s + 1);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l + 1);
    cg_jit_run_checked(j);
    if (count > 0)
        assert_true(fabs(cg_get(dt, cg_jit_buf(j, y), 0) - (s + 1)) < 1e-6);
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, bad_l);
    run_bad(j, y);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, bad_d);
    run_bad(j, y);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, 0); /* delta 0 is invalid */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_range(void **state)
{
    (void)state;
    range_case(OM_DT_FLOAT, 1, 5, 2, 2, 5.5, 1);           /* ceil(4/2) = 2; 4.5/2 -> 3 */
    range_case(OM_DT_FLOAT, 0.5, 10, 0.25, 38, 10.1, 0.5); /* 38 exactly */
    range_case(OM_DT_INT32, 10, 6, -3, 2, 3, -1);          /* ceil(-4/-3) = 2 */
    range_case(OM_DT_INT64, -5, 1000, 7, 144, 1010, 3);    /* ceil(1005/7) = 144; ceil(1015/7) = 145 */
    range_case(OM_DT_DOUBLE, 3, -3, -0.5, 12, -4, 0.5);
    range_case(OM_DT_INT32, 0, 5, -1, 0, -2, 1); /* empty; limit -2 gives 2, delta 1 gives 5 */
}

static double window_ref(om_op op, int64_t i, int64_t size, bool periodic)
{
    double N = periodic ? (double)size : (double)(size - 1), a = N > 0 ? 2.0 * 3.14159265358979323846 * (double)i / N : 0;
    if (op == OM_OP_HANN_WINDOW)
        return 0.5 - 0.5 * cos(a);
    if (op == OM_OP_HAMMING_WINDOW)
        return 25.0 / 46.0 - 21.0 / 46.0 * cos(a);
    return 0.42 - 0.5 * cos(a) + 0.08 * cos(2 * a);
}

static void test_windows(void **state)
{
    (void)state;
    om_op ops[3] = {OM_OP_HANN_WINDOW, OM_OP_HAMMING_WINDOW, OM_OP_BLACKMAN_WINDOW};
    for (int k = 0; k < 6; k++) {
        om_graph *g = om_graph_create("t");
        int64_t ten = 10;
        om_dtype sdt = k % 2 ? OM_DT_INT64 : OM_DT_INT32;
        om_value *s = cg_input(g, "s", sdt, 0, NULL), *y = cg_value(g, "y", OM_DT_FLOAT, 1, &ten);
        om_node *n = om_graph_add_node(g, ops[k / 2], "w", &s, 1, &y, 1);
        bool periodic = k % 2 == 0;
        assert_int_equal(om_node_set_int(g, n, "periodic", periodic), OM_OK);
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        cg_jit *j = jit(g, om_op_name(ops[k / 2]));
        cg_set(sdt, cg_jit_buf(j, s), 0, 10);
        cg_jit_run_checked(j);
        const float *yp = cg_jit_buf(j, y);
        for (int i = 0; i < 10; i++)
            assert_true(fabs(yp[i] - window_ref(ops[k / 2], i, 10, periodic)) < 1e-6);
        cg_set(sdt, cg_jit_buf(j, s), 0, 9);
        run_bad(j, y);
        cg_set(sdt, cg_jit_buf(j, s), 0, -10);
        run_bad(j, y);
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_of_shape),
        cmocka_unit_test(test_one_hot),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
