/* Flatten and Reshape kernels: the output holds the input's bytes (small tensors: one copy;
 * large: 64 KiB work items, whose split must not change the result). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static void check(om_op op, om_dtype dt, int rin, const int64_t *din, int rout, const int64_t *dout,
                  int64_t want_work)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, rin, din), *y = cg_value(g, "y", dt, rout, dout);
    om_value *ins[2] = {x, NULL};
    int nin = 1;
    if (op == OM_OP_RESHAPE) {
        int64_t rank = rout;
        om_shape s1 = om_shape_make(1, &rank);
        ins[1] = om_graph_add_constant(g, "shape", OM_DT_INT64, &s1, dout, sizeof(int64_t) * (size_t)rout);
        nin = 2;
    }
    assert_non_null(om_graph_add_node(g, op, "n", ins, nin, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    assert_int_equal(cg_jit_result(j)->steps[0].work_items, want_work);
    int64_t n = om_shape_numel(&x->shape);
    size_t bytes = (size_t)n * om_dtype_size(dt);
    unsigned char *p = cg_jit_buf(j, x);
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)cg_rand();
    cg_jit_run_checked(j);
    assert_memory_equal(cg_jit_buf(j, y), p, bytes ? bytes : 1);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_flatten(void **state)
{
    int64_t a[4] = {2, 3, 4, 5}, f[2] = {6, 20}, s[2] = {1, 1};
    check(OM_OP_FLATTEN, OM_DT_FLOAT, 4, a, 2, f, 1);
    check(OM_OP_FLATTEN, OM_DT_INT8, 4, a, 2, f, 1);
    check(OM_OP_FLATTEN, OM_DT_FLOAT16, 0, NULL, 2, s, 1);
}

static void test_reshape(void **state)
{
    int64_t a[3] = {4, 6, 8}, b[2] = {24, 8}, big[2] = {300, 1000}, bigr[3] = {1000, 3, 100};
    int64_t z[2] = {0, 5}, zr[1] = {0};
    check(OM_OP_RESHAPE, OM_DT_FLOAT, 3, a, 2, b, 1);
    check(OM_OP_RESHAPE, OM_DT_DOUBLE, 3, a, 2, b, 1);
    check(OM_OP_RESHAPE, OM_DT_BOOL, 3, a, 2, b, 1);
    /* 1.2 MB: ceil(1200000 / 65536) = 19 chunks, the last one partial */
    check(OM_OP_RESHAPE, OM_DT_FLOAT, 2, big, 3, bigr, 19);
    check(OM_OP_RESHAPE, OM_DT_FLOAT, 2, z, 1, zr, 1);
}

static void test_size_mismatch(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t a[1] = {6}, b[1] = {5};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, a), *y = cg_value(g, "y", OM_DT_FLOAT, 1, b);
    assert_non_null(om_graph_add_node(g, OM_OP_FLATTEN, "fl", &x, 1, &y, 1));
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "node 'fl' (Flatten): input has 24 bytes, output 20"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_reshape),
        cmocka_unit_test(test_size_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
