/* The Gelu kernel (codegen/kernels/fused_gelu.c) against double references of both forms
 * (erf and tanh) on f32 and f64 over [-6, 6] plus 0, +-inf and NaN, chunked runs
 * (cg_jit_run_checked), and the message for an unknown approximate attribute. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double ref(double x, bool tanh_form)
{
    if (tanh_form)
        return 0.5 * x * (1.0 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
}

static void run(om_dtype dt, const char *approximate)
{
    enum { N = 203 };
    int64_t dims[1] = {N};
    om_graph *g = om_graph_create("gelu");
    om_value *x = cg_input(g, "x", dt, 1, dims);
    om_value *y = cg_value(g, "y", dt, 1, dims);
    om_node *n = om_graph_add_node(g, OM_OP_GELU, "gelu", &x, 1, &y, 1);
    assert_non_null(n);
    if (approximate)
        assert_int_equal(om_node_set_string(g, n, "approximate", approximate), OM_OK);
    om_graph_add_output(g, y);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    void *bx = cg_jit_buf(j, x);
    for (int i = 0; i < N - 4; i++)
        cg_set(dt, bx, i, -6.0 + 12.0 * i / (N - 5));
    cg_set(dt, bx, N - 4, 0.0);
    cg_set(dt, bx, N - 3, INFINITY);
    cg_set(dt, bx, N - 2, -INFINITY);
    cg_set(dt, bx, N - 1, NAN);
    cg_jit_run_checked(j);
    bool tf = approximate && strcmp(approximate, "tanh") == 0;
    const void *by = cg_jit_buf(j, y);
    for (int i = 0; i < N - 3; i++) {
        double xv = cg_get(dt, bx, i), want = ref(xv, tf), got = cg_get(dt, by, i);
        if (fabs(got - want) > 1e-5 + 1e-5 * fabs(want))
            fail_msg("%s gelu(%g) = %.9g, want %.9g", tf ? "tanh" : "erf", xv, got, want);
    }
    assert_true(isinf(cg_get(dt, by, N - 3)) && cg_get(dt, by, N - 3) > 0);
    /* 0.5 * -inf * (1 + -1) is NaN in IEEE arithmetic; the limit is 0: accept either */
    double ninf = cg_get(dt, by, N - 2);
    assert_true(isnan(ninf) || ninf == 0.0);
    assert_true(isnan(cg_get(dt, by, N - 1)));
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_erf_f32(void **state) { (void)state; run(OM_DT_FLOAT, NULL); run(OM_DT_FLOAT, "none"); }
static void test_tanh_f32(void **state) { (void)state; run(OM_DT_FLOAT, "tanh"); }
static void test_f64(void **state) { (void)state; run(OM_DT_DOUBLE, NULL); run(OM_DT_DOUBLE, "tanh"); }

static void test_bad_attribute(void **state)
{
    (void)state;
    int64_t dims[1] = {4};
    om_graph *g = om_graph_create("gelu");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, dims);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 1, dims);
    om_node *n = om_graph_add_node(g, OM_OP_GELU, "g1", &x, 1, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "approximate", "fast"), OM_OK);
    om_graph_add_output(g, y);
    cg_jit *j = NULL;
    assert_int_not_equal(cg_jit_create(g, NULL, &j), OM_OK);
    assert_non_null(strstr(om_last_error(), "fast"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erf_f32),
        cmocka_unit_test(test_tanh_f32),
        cmocka_unit_test(test_f64),
        cmocka_unit_test(test_bad_attribute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
