/* The prelu kernel (codegen/kernels/math_prelu.c) against a plain C reference: slope
 * shapes that broadcast unidirectionally to X (scalar-like [1], trailing [C], full shape,
 * per-channel [C,1,1], leading ones, rank 0), every supported dtype, NaN inputs, chunked
 * runs; and a slope that does not broadcast is refused with a message. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct shp { int rank; int64_t d[5]; } shp;

static void check(om_dtype dt, shp xs, shp ss)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, xs.rank, xs.d), *s = cg_input(g, "slope", dt, ss.rank, ss.d);
    om_value *y = cg_value(g, "y", dt, xs.rank, xs.d);
    om_value *ins[2] = {x, s};
    assert_non_null(om_graph_add_node(g, OM_OP_PRELU, "p", ins, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("PRelu %s: %s", om_dtype_name(dt), om_last_error());
    int64_t n = om_shape_numel(&x->shape), m = om_shape_numel(&s->shape);
    bool uns = om_dtype_is_unsigned_int(dt);
    cg_fill_random(dt, cg_jit_buf(j, x), n, uns ? 0 : -10, 10);
    cg_fill_random(dt, cg_jit_buf(j, s), m, uns ? 0 : -3, 3);
    if (om_dtype_is_float(dt) && n > 1)
        cg_set(dt, cg_jit_buf(j, x), 1, NAN);
    cg_jit_run_checked(j);
    /* reference: slope index by aligning trailing dims (size-1 dims broadcast) */
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, si = 0, sstride = 1;
        int64_t idx[5];
        for (int k = xs.rank - 1; k >= 0; k--) {
            idx[k] = rem % xs.d[k];
            rem /= xs.d[k];
        }
        for (int k = ss.rank - 1; k >= 0; k--) {
            int xk = k + xs.rank - ss.rank;
            if (ss.d[k] != 1)
                si += idx[xk] * sstride;
            sstride *= ss.d[k];
        }
        double xv = cg_get(dt, cg_jit_buf(j, x), i), sv = cg_get(dt, cg_jit_buf(j, s), si);
        unsigned char tmp[8];
        cg_set(dt, tmp, 0, xv < 0 ? sv * xv : xv);
        double want = cg_get(dt, tmp, 0), got = cg_get(dt, cg_jit_buf(j, y), i);
        double tol = dt == OM_DT_FLOAT16 ? 2e-3 * fabs(want) : dt == OM_DT_BFLOAT16 ? 1.6e-2 * fabs(want) : 0;
        if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol))
            fail_msg("PRelu %s elem %lld: x %g slope %g -> %g, want %g", om_dtype_name(dt), (long long)i, xv, sv,
                     got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_shapes_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16,
                                   OM_DT_INT32, OM_DT_INT64, OM_DT_UINT32, OM_DT_UINT64};
    static const shp cases[][2] = {
        {{3, {2, 3, 4}}, {1, {1}}},
        {{3, {3, 4, 5}}, {1, {5}}},
        {{3, {3, 4, 5}}, {3, {3, 4, 5}}},
        {{4, {2, 3, 4, 5}}, {3, {3, 1, 1}}},
        {{5, {2, 3, 4, 5, 6}}, {4, {3, 1, 1, 1}}},
        {{3, {2, 3, 40}}, {3, {1, 3, 1}}},
        {{2, {300, 7}}, {2, {300, 1}}},
        {{0, {0}}, {0, {0}}},
        {{2, {0, 4}}, {1, {4}}},
    };
    for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            check(dts[d], cases[c][0], cases[c][1]);
}

static void test_bad_slope(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t dx[3] = {2, 3, 4}, ds[1] = {3};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 3, dx), *s = cg_input(g, "s", OM_DT_FLOAT, 1, ds);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 3, dx);
    om_value *ins[2] = {x, s};
    assert_non_null(om_graph_add_node(g, OM_OP_PRELU, "p", ins, 2, &y, 1));
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_string_equal(om_last_error(), "node 'p' (PRelu): input 1 's' dim 0 is 3, not broadcastable to 4");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_dtypes),
        cmocka_unit_test(test_bad_slope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
