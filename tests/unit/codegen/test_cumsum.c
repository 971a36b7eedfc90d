/* CumSum kernel against a plain C reference: every axis of ranks 1-3 (also negative),
 * exclusive and reverse, long inner rows (blocks), float and integer dtypes, and an axis
 * given at run time (one specialized branch per axis; out of range zero-fills). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* runtime_axis: the axis is a graph input holding `axis` (i32) instead of a constant */
static void check(om_dtype dt, int r, const int64_t *dims, int64_t axis, bool excl, bool rev, bool runtime_axis)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, dims);
    om_value *ax;
    int32_t a32 = (int32_t)axis;
    if (runtime_axis) {
        ax = cg_input(g, "axis", OM_DT_INT32, 0, NULL);
    } else {
        om_shape s = om_shape_scalar();
        ax = om_graph_add_constant(g, "axis", OM_DT_INT64, &s, &axis, 8);
    }
    om_value *in[2] = {x, ax};
    om_node *n = om_graph_add_node(g, OM_OP_CUM_SUM, "cs", in, 2, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "exclusive", excl), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "reverse", rev), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("CumSum: %s", om_last_error());
    int64_t numel = om_shape_numel(&x->shape);
    void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, px, numel, om_dtype_is_unsigned_int(dt) ? 0 : -10, 10);
    if (runtime_axis)
        memcpy(cg_jit_buf(j, ax), &a32, 4);
    cg_jit_run_checked(j);
    const void *py = cg_jit_buf(j, y);
    bool bad = axis < -r || axis >= r;
    int a = (int)(axis < 0 ? axis + r : axis);
    int64_t outer = 1, len = bad ? 1 : dims[a], inner = 1;
    for (int i = 0; i < r && !bad; i++) {
        if (i < a)
            outer *= dims[i];
        else if (i > a)
            inner *= dims[i];
    }
    if (bad)
        outer = numel;
    double tol = dt == OM_DT_FLOAT16 ? 2e-2 : dt == OM_DT_BFLOAT16 ? 1e-1 : 1e-5;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in0 = 0; in0 < inner; in0++) {
            double s = 0;
            for (int64_t kk = 0; kk < len; kk++) {
                int64_t k = rev ? len - 1 - kk : kk;
                int64_t at = (o * len + k) * inner + in0;
                double x = cg_get(dt, px, at), want = excl ? s : s + x;
                s += x;
                if (bad)
                    want = 0;
                double got = cg_get(dt, py, at);
                if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
                    fail_msg("%s rank %d axis %lld excl %d rev %d: [%lld] = %g, want %g", om_dtype_name(dt), r,
                             (long long)axis, excl, rev, (long long)at, got, want);
            }
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_axes_modes(void **state)
{
    int64_t d[3] = {3, 4, 5};
    for (int r = 1; r <= 3; r++)
        for (int a = 0; a < r; a++)
            for (int m = 0; m < 4; m++)
                check(OM_DT_FLOAT, r, d, m & 1 ? a - r : a, m & 1, (m >> 1) & 1, false);
}

static void test_blocks_dtypes(void **state)
{
    int64_t wide[3] = {2, 6, 600}, d[2] = {5, 7};
    check(OM_DT_FLOAT, 3, wide, 1, true, true, false);
    check(OM_DT_DOUBLE, 3, wide, 0, false, false, false);
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT32, OM_DT_INT64,
                                   OM_DT_UINT32, OM_DT_INT8};
    for (int t = 0; t < 7; t++) {
        check(dts[t], 2, d, 1, false, false, false);
        check(dts[t], 2, d, 0, true, true, false);
    }
}

static void test_runtime_axis(void **state)
{
    int64_t d[3] = {3, 4, 5};
    for (int64_t a = -3; a < 3; a++)
        check(OM_DT_FLOAT, 3, d, a, a == 1, a < 0, true);
    check(OM_DT_FLOAT, 3, d, 3, false, false, true);   /* out of range: zeros */
    check(OM_DT_INT32, 3, d, -4, false, false, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes_modes),
        cmocka_unit_test(test_blocks_dtypes),
        cmocka_unit_test(test_runtime_axis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
