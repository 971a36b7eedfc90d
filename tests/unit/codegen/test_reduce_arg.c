/* ArgMax / ArgMin kernels against a plain C reference: every axis of ranks 1-4, inner
 * blocks (inner > 256), ties (first vs last index with select_last_index), NaN (wins, first
 * or last), float and integer dtypes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* fill: 0 random, 1 few distinct values (ties), 2 random with some NaN */
static void check(om_op op, om_dtype dt, int r, const int64_t *dims, int64_t axis, bool last, int fill)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims);
    int a = (int)(axis < 0 ? axis + r : axis);
    int64_t od[OM_MAX_RANK];
    for (int i = 0; i < r; i++)
        od[i] = i == a ? 1 : dims[i];
    om_value *y = cg_value(g, "y", OM_DT_INT64, r, od);
    om_node *n = om_graph_add_node(g, op, "arg", &x, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "select_last_index", last), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    int64_t numel = om_shape_numel(&x->shape);
    void *px = cg_jit_buf(j, x);
    if (fill == 1)
        cg_fill_random(dt, px, numel, 0, 3);
    else
        cg_fill_random(dt, px, numel, om_dtype_is_unsigned_int(dt) ? 0 : -50, 50);
    if (fill == 2)
        for (int64_t i = 0; i < numel; i += 7)
            cg_set(dt, px, i, NAN);
    cg_jit_run_checked(j);
    int64_t outer = 1, len = dims[a], inner = 1;
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= dims[i];
        else if (i > a)
            inner *= dims[i];
    }
    const int64_t *py = cg_jit_buf(j, y);
    bool is_max = op == OM_OP_ARG_MAX;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t best = 0;
            double bv = cg_get(dt, px, o * len * inner + in);
            for (int64_t k = 1; k < len; k++) {
                double v = cg_get(dt, px, (o * len + k) * inner + in);
                bool take;
                if (isnan(bv))
                    take = last && isnan(v);
                else if (isnan(v))
                    take = true;
                else
                    take = is_max ? (last ? v >= bv : v > bv) : (last ? v <= bv : v < bv);
                if (take)
                    best = k, bv = v;
            }
            int64_t got = py[o * inner + in];
            if (got != best)
                fail_msg("%s %s rank %d axis %d last %d: [%lld,%lld] = %lld, want %lld", om_op_name(op),
                         om_dtype_name(dt), r, a, last, (long long)o, (long long)in, (long long)got, (long long)best);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_axes_and_ties(void **state)
{
    int64_t d[4] = {3, 4, 5, 6};
    for (int r = 1; r <= 4; r++)
        for (int a = 0; a < r; a++)
            for (int last = 0; last < 2; last++) {
                check(OM_OP_ARG_MAX, OM_DT_FLOAT, r, d, a, last, 1);
                check(OM_OP_ARG_MIN, OM_DT_FLOAT, r, d, a - r, last, 1);
            }
}

static void test_blocks_nan_dtypes(void **state)
{
    int64_t wide[3] = {2, 5, 600}, d[3] = {4, 9, 3};
    check(OM_OP_ARG_MAX, OM_DT_FLOAT, 3, wide, 1, false, 0);
    check(OM_OP_ARG_MIN, OM_DT_FLOAT, 3, wide, 1, true, 1);
    for (int last = 0; last < 2; last++) {
        check(OM_OP_ARG_MAX, OM_DT_FLOAT, 3, d, 1, last, 2);
        check(OM_OP_ARG_MIN, OM_DT_DOUBLE, 3, d, 2, last, 2);
    }
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT32, OM_DT_INT64,
                                   OM_DT_INT8, OM_DT_UINT8, OM_DT_UINT16};
    for (int t = 0; t < 8; t++)
        for (int last = 0; last < 2; last++) {
            check(OM_OP_ARG_MAX, dts[t], 3, d, 1, last, 1);
            check(OM_OP_ARG_MIN, dts[t], 3, d, 0, last, 0);
        }
}

/* rows of N >= 2 VL along the innermost axis take the vector path (lanes + tail) */
static void test_vector_rows(void **state)
{
    int64_t d[2] = {3, 100}, e[2] = {2, 37}, f[3] = {2, 2, 70};
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_INT8, OM_DT_INT64, OM_DT_UINT16};
    for (int t = 0; t < 5; t++)
        for (int last = 0; last < 2; last++)
            for (int fill = 0; fill < 3; fill++) {
                if (fill == 2 && !om_dtype_is_float(dts[t]))
                    continue;
                check(OM_OP_ARG_MAX, dts[t], 2, d, 1, last, fill);
                check(OM_OP_ARG_MIN, dts[t], 2, e, -1, last, fill);
                check(OM_OP_ARG_MAX, dts[t], 3, f, 2, last, fill);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes_and_ties),
        cmocka_unit_test(test_blocks_nan_dtypes),
        cmocka_unit_test(test_vector_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
