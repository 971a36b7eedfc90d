/* Compress with a run-time condition (codegen/kernels/tensor_gather.c): the condition is a
 * graph INPUT and the output shape the compiled (declared) one. A condition with as many
 * true entries as the compiled dim gives the plain C reference (with and without axis,
 * bool/f32/i32 conditions, shorter than the axis); another count fails with the run-time
 * check, as does a true entry beyond the axis (cg_jit_run returns OM_ERR_INVALID_ARGUMENT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* x [3, 4, 2] (i32 0..23); axis -1..2 or 3 for "no axis"; the output dim along the axis
 * is m (compiled); runs with cond[0..len) and returns cg_jit_run's status, checking the
 * result against the reference on OM_OK. */
static om_status compress_run(int axis, int64_t m, om_dtype cdt, const double *cond, int64_t len)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd[3] = {3, 4, 2};
    int a = axis < 0 ? axis + 3 : axis;
    int64_t yd[3] = {3, 4, 2}, yflat = m;
    if (a < 3)
        yd[a] = m;
    om_value *ins[2] = {cg_input(g, "x", OM_DT_INT32, 3, xd), cg_input(g, "c", cdt, 1, &len)};
    om_value *y = a < 3 ? cg_value(g, "y", OM_DT_INT32, 3, yd) : cg_value(g, "y", OM_DT_INT32, 1, &yflat);
    om_node *n = om_graph_add_node(g, OM_OP_COMPRESS, "co", ins, 2, &y, 1);
    if (a < 3)
        assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Compress: %s", om_last_error());
    int32_t *px = cg_jit_buf(j, ins[0]);
    for (int i = 0; i < 24; i++)
        px[i] = i * 7 - 5;
    for (int64_t k = 0; k < len; k++)
        cg_set(cdt, cg_jit_buf(j, ins[1]), k, cond[k]);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        cg_jit_run_checked(j);
        const int32_t *py = cg_jit_buf(j, y);
        int64_t outer = 1, inner = 1, N = 24;
        if (a < 3) {
            for (int i = 0; i < a; i++)
                outer *= xd[i];
            for (int i = a + 1; i < 3; i++)
                inner *= xd[i];
            N = xd[a];
        }
        int64_t e = 0;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t k = 0; k < len && k < N; k++) {
                if (cond[k] == 0)
                    continue;
                for (int64_t i = 0; i < inner; i++, e++)
                    assert_int_equal(py[e], px[(o * N + k) * inner + i]);
            }
        assert_int_equal(e, om_shape_numel(&y->shape));
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    return st;
}

static void test_compress_agree(void **state)
{
    (void)state;
    const double c4[4] = {0, 1, 0, 1}, c3[3] = {1, 0, 1}, c2[2] = {0, 1};
    assert_int_equal(compress_run(1, 2, OM_DT_BOOL, c4, 4), OM_OK);
    assert_int_equal(compress_run(-3, 2, OM_DT_FLOAT, c3, 3), OM_OK);
    assert_int_equal(compress_run(2, 1, OM_DT_INT32, c2, 2), OM_OK);
    assert_int_equal(compress_run(1, 1, OM_DT_BOOL, c2, 2), OM_OK); /* shorter than the axis */
    double flat[30] = {0};
    flat[0] = flat[5] = flat[23] = 1;
    assert_int_equal(compress_run(3, 3, OM_DT_BOOL, flat, 24), OM_OK); /* no axis */
    const double none[4] = {0, 0, 0, 0};
    assert_int_equal(compress_run(1, 0, OM_DT_BOOL, none, 4), OM_OK);
}

static void test_compress_disagree(void **state)
{
    (void)state;
    const double c4[4] = {1, 1, 0, 1}, c5[5] = {1, 0, 0, 0, 1};
    assert_int_equal(compress_run(1, 2, OM_DT_BOOL, c4, 4), OM_ERR_INVALID_ARGUMENT); /* 3 true, 2 compiled */
    /* a true entry beyond the axis (4 entries): the check fires, nothing is read past it */
    assert_int_equal(compress_run(1, 2, OM_DT_BOOL, c5, 5), OM_ERR_INVALID_ARGUMENT);
    double flat[30] = {0};
    flat[0] = flat[29] = 1;
    assert_int_equal(compress_run(3, 1, OM_DT_BOOL, flat, 30), OM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compress_agree),
        cmocka_unit_test(test_compress_disagree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
