/* The softmax family's kernel (Softmax, LogSoftmax, Hardmax) against a double-precision
 * reference: every axis of ranks 1-4 (also negative), coerce_2d (opset < 13 semantics),
 * large inputs (stability), f32/f64/f16/bf16; Hardmax picks the first of tied maxima. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* The reference of element k of one softmax vector v[0..len) (stride `st`). */
static double ref(om_op op, om_dtype dt, const void *px, int64_t base, int64_t st, int64_t len, int64_t k)
{
    double mx = -INFINITY, sum = 0;
    int64_t arg = 0;
    for (int64_t i = 0; i < len; i++) {
        double v = cg_get(dt, px, base + i * st);
        if (v > mx)
            mx = v, arg = i;
    }
    if (op == OM_OP_HARDMAX)
        return k == arg ? 1.0 : 0.0;
    for (int64_t i = 0; i < len; i++)
        sum += exp(cg_get(dt, px, base + i * st) - mx);
    double xk = cg_get(dt, px, base + k * st);
    return op == OM_OP_SOFTMAX ? exp(xk - mx) / sum : xk - mx - log(sum);
}

static void check_op(om_op op, om_dtype dt, int r, const int64_t *dims, int64_t axis_attr, bool coerce, double scale)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, dims);
    om_node *n = om_graph_add_node(g, op, "sm", &x, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis_attr), OM_OK);
    if (coerce)
        assert_int_equal(om_node_set_int(g, n, "coerce_2d", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    int64_t numel = om_shape_numel(&x->shape);
    cg_fill_random(dt, cg_jit_buf(j, x), numel, -scale, scale);
    if (op == OM_OP_HARDMAX) /* coarse values: ties are frequent (the first maximum wins) */
        for (int64_t e = 0; e < numel; e++)
            cg_set(dt, cg_jit_buf(j, x), e, (double)(int)cg_get(dt, cg_jit_buf(j, x), e));
    cg_jit_run_checked(j);
    int a = (int)(axis_attr < 0 ? axis_attr + r : axis_attr);
    int64_t outer = 1, len = 1, inner = 1;
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= dims[i];
        else if (i == a || coerce)
            len *= dims[i];
        else
            inner *= dims[i];
    }
    double tol = dt == OM_DT_FLOAT16 ? 2e-3 : dt == OM_DT_BFLOAT16 ? 1e-2 : 1e-6;
    const void *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t base = o * len * inner + in;
            for (int64_t k = 0; k < len; k++) {
                double want = ref(op, dt, px, base, inner, len, k);
                double got = cg_get(dt, py, base + k * inner);
                double mag = fabs(want) > 1e-2 ? fabs(want) : 1e-2;
                /* x - lse cancels: the error scales with the input's magnitude */
                double xm = fabs(cg_get(dt, px, base + k * inner));
                if (op == OM_OP_LOG_SOFTMAX)
                    mag = fmax(mag, fmax(1.0, xm));
                if (!(fabs(got - want) <= tol * mag * 2))
                    fail_msg("%s %s rank %d axis %d coerce %d: [%lld,%lld,%lld] = %.8g, want %.8g", om_op_name(op),
                             om_dtype_name(dt), r, a, coerce, (long long)o, (long long)k, (long long)in, got, want);
            }
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void check(om_dtype dt, int r, const int64_t *dims, int64_t axis_attr, bool coerce, double scale)
{
    check_op(OM_OP_SOFTMAX, dt, r, dims, axis_attr, coerce, scale);
    check_op(OM_OP_LOG_SOFTMAX, dt, r, dims, axis_attr, coerce, scale);
    check_op(OM_OP_HARDMAX, dt, r, dims, axis_attr, coerce, scale);
}

static void test_axes(void **state)
{
    int64_t d[4] = {3, 4, 5, 6};
    for (int r = 1; r <= 4; r++)
        for (int a = 0; a < r; a++) {
            check(OM_DT_FLOAT, r, d, a, false, 5);
            check(OM_DT_FLOAT, r, d, a - r, true, 5);
        }
}

static void test_stability_and_sizes(void **state)
{
    int64_t big[2] = {4, 1000}, one[2] = {5, 1}, odd[3] = {2, 7, 33}, wide[3] = {2, 3, 700};
    check(OM_DT_FLOAT, 2, big, 1, false, 200);   /* exp(200) would overflow without the max */
    check(OM_DT_FLOAT, 2, one, -1, false, 3);     /* length-1 softmax is 1 */
    check(OM_DT_FLOAT, 3, odd, 1, false, 3);
    check(OM_DT_FLOAT, 0, NULL, -1, false, 3);    /* rank 0: one element */
    check(OM_DT_FLOAT, 3, wide, 1, false, 50);    /* inner 700: 3 blocks, the last partial */
    check(OM_DT_FLOAT16, 3, wide, 0, false, 5);
}

static void test_dtypes(void **state)
{
    int64_t d[3] = {2, 9, 17};
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int t = 0; t < 3; t++) {
        check(dts[t], 3, d, -1, false, 4);
        check(dts[t], 3, d, 1, false, 4);
        check(dts[t], 3, d, 1, true, 4);
    }
}

/* A NaN in a row makes that whole row NaN (Softmax, LogSoftmax); other rows are normal. */
static void test_nan_row(void **state)
{
    static const om_op ops[2] = {OM_OP_SOFTMAX, OM_OP_LOG_SOFTMAX};
    for (int o = 0; o < 2; o++) {
        int64_t dims[2] = {2, 40};
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, dims), *y = cg_value(g, "y", OM_DT_FLOAT, 2, dims);
        om_node *n = om_graph_add_node(g, ops[o], "sm", &x, 1, &y, 1);
        assert_int_equal(om_node_set_int(g, n, "axis", -1), OM_OK);
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        cg_jit *j;
        if (cg_jit_create(g, NULL, &j) != OM_OK)
            fail_msg("%s: %s", om_op_name(ops[o]), om_last_error());
        float *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
        for (int i = 0; i < 80; i++)
            px[i] = (float)(i % 7) - 3.0f;
        px[7] = NAN;
        cg_jit_run_checked(j);
        for (int i = 0; i < 40; i++)
            if (!isnan(py[i]))
                fail_msg("%s: element %d of the NaN row is %g", om_op_name(ops[o]), i, py[i]);
        for (int i = 40; i < 80; i++)
            if (isnan(py[i]))
                fail_msg("%s: element %d of the finite row is NaN", om_op_name(ops[o]), i);
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes),
        cmocka_unit_test(test_stability_and_sizes),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_nan_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
