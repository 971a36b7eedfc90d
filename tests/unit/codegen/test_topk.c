/* TopK kernel against a plain C reference (a stable selection): every axis of ranks 1-3,
 * largest and smallest, K from 0 to N, ties (lower index first), float and integer dtypes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static bool nan_fill; /* every 5th element NaN */

/* x better than y for the reference: numbers beat NaN */
static bool ref_beats(double x, double y, bool largest)
{
    if (isnan(x))
        return false;
    if (isnan(y))
        return true;
    return largest ? x > y : x < y;
}

static void check(om_dtype dt, int r, const int64_t *dims, int64_t axis, int64_t k, bool largest, bool ties)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims);
    int a = (int)(axis < 0 ? axis + r : axis);
    int64_t od[OM_MAX_RANK], one = 1;
    for (int i = 0; i < r; i++)
        od[i] = i == a ? k : dims[i];
    om_shape ks = om_shape_make(1, &one);
    om_value *in[2] = {x, om_graph_add_constant(g, "k", OM_DT_INT64, &ks, &k, 8)};
    om_value *out[2] = {cg_value(g, "v", dt, r, od), cg_value(g, "i", OM_DT_INT64, r, od)};
    om_node *n = om_graph_add_node(g, OM_OP_TOP_K, "topk", in, 2, out, 2);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "largest", largest), OM_OK);
    assert_int_equal(om_graph_add_output(g, out[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, out[1]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("TopK: %s", om_last_error());
    int64_t numel = om_shape_numel(&x->shape);
    void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, px, numel, om_dtype_is_unsigned_int(dt) ? 0 : -40, ties ? 3 : 40);
    for (int64_t e = 0; nan_fill && e < numel; e += 5)
        cg_set(dt, px, e, NAN);
    cg_jit_run_checked(j);
    int64_t outer = 1, len = dims[a], inner = 1;
    for (int i = 0; i < r; i++) {
        if (i < a)
            outer *= dims[i];
        else if (i > a)
            inner *= dims[i];
    }
    const void *pv = cg_jit_buf(j, out[0]);
    const int64_t *pi = cg_jit_buf(j, out[1]);
    bool *used = calloc((size_t)len + 1, 1);
    assert_non_null(used);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in0 = 0; in0 < inner; in0++) {
            memset(used, 0, (size_t)len + 1);
            for (int64_t t = 0; t < k; t++) {
                /* the best unused element, lowest index on ties */
                int64_t best = -1;
                double bv = 0;
                for (int64_t e = 0; e < len; e++) {
                    double v = cg_get(dt, px, (o * len + e) * inner + in0);
                    if (used[e])
                        continue;
                    if (best < 0 || ref_beats(v, bv, largest))
                        best = e, bv = v;
                }
                used[best] = true;
                int64_t at = (o * k + t) * inner + in0;
                double gv = cg_get(dt, pv, at);
                if (pi[at] != best || (gv != bv && !(isnan(gv) && isnan(bv))))
                    fail_msg("%s rank %d axis %d k %lld largest %d: [%lld,%lld,%lld] = (%g, %lld), want (%g, %lld)",
                             om_dtype_name(dt), r, a, (long long)k, largest, (long long)o, (long long)t,
                             (long long)in0, cg_get(dt, pv, at), (long long)pi[at], bv, (long long)best);
            }
        }
    free(used);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_axes_k(void **state)
{
    int64_t d[3] = {3, 7, 5};
    for (int r = 1; r <= 3; r++)
        for (int a = 0; a < r; a++)
            for (int64_t k = 0; k <= d[a]; k += d[a] > 4 ? 2 : 1) {
                check(OM_DT_FLOAT, r, d, a, k, true, false);
                check(OM_DT_FLOAT, r, d, a - r, k, false, false);
            }
}

static void test_ties_dtypes(void **state)
{
    int64_t d[2] = {4, 30}, big[1] = {300};
    check(OM_DT_FLOAT, 2, d, 1, 30, true, true);   /* full sort, many ties */
    check(OM_DT_FLOAT, 2, d, 1, 7, false, true);
    check(OM_DT_FLOAT, 1, big, 0, 10, true, false);
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT32, OM_DT_INT64,
                                   OM_DT_INT8, OM_DT_UINT8};
    for (int t = 0; t < 7; t++) {
        check(dts[t], 2, d, 1, 5, true, true);
        check(dts[t], 2, d, 0, 2, false, false);
    }
}

static void test_nan_last(void **state)
{
    int64_t d[2] = {3, 23};
    nan_fill = true;
    check(OM_DT_FLOAT, 2, d, 1, 23, true, false);
    check(OM_DT_FLOAT, 2, d, 1, 21, false, false);
    check(OM_DT_DOUBLE, 2, d, 0, 2, true, false);
    nan_fill = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes_k),
        cmocka_unit_test(test_ties_dtypes),
        cmocka_unit_test(test_nan_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
