/* Concat kernel against a reference: every axis of ranks 1-4 (also negative), 1-4 inputs
 * with different extents along the axis including empty ones, several dtypes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static void check(om_dtype dt, int r, const int64_t *dims, int64_t axis_attr, int nin, const int64_t *ext)
{
    int axis = (int)(axis_attr < 0 ? axis_attr + r : axis_attr);
    om_graph *g = om_graph_create("t");
    om_value *ins[4];
    int64_t od[4], total = 0;
    for (int k = 0; k < nin; k++) {
        int64_t d[4];
        memcpy(d, dims, sizeof(int64_t) * (size_t)r);
        d[axis] = ext[k];
        total += ext[k];
        char nm[16];
        snprintf(nm, sizeof nm, "x%d", k);
        ins[k] = cg_input(g, nm, dt, r, d);
    }
    memcpy(od, dims, sizeof(int64_t) * (size_t)r);
    od[axis] = total;
    om_value *y = cg_value(g, "y", dt, r, od);
    om_node *n = om_graph_add_node(g, OM_OP_CONCAT, "cat", ins, nin, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis_attr), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Concat: %s", om_last_error());
    size_t es = om_dtype_size(dt);
    for (int k = 0; k < nin; k++) {
        unsigned char *p = cg_jit_buf(j, ins[k]);
        for (int64_t i = 0; i < om_shape_numel(&ins[k]->shape) * (int64_t)es; i++)
            p[i] = (unsigned char)cg_rand();
    }
    cg_jit_run_checked(j);
    /* reference: walk the output, find the input and its element */
    int64_t numel = om_shape_numel(&y->shape), inner = 1;
    for (int i = axis + 1; i < r; i++)
        inner *= dims[i];
    const unsigned char *py = cg_jit_buf(j, y);
    for (int64_t e = 0; e < numel; e++) {
        int64_t o = e / (total * inner), rest = e % (total * inner);
        int64_t a = rest / inner, in = rest % inner;
        int k = 0;
        while (a >= ext[k]) {
            a -= ext[k];
            k++;
        }
        const unsigned char *px = cg_jit_buf(j, ins[k]);
        int64_t src = (o * ext[k] + a) * inner + in;
        if (memcmp(py + e * (int64_t)es, px + src * (int64_t)es, es))
            fail_msg("rank %d axis %d elem %lld differs", r, axis, (long long)e);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_axes(void **state)
{
    int64_t d[4] = {2, 3, 4, 5};
    int64_t ext2[2] = {1, 3}, ext3[3] = {2, 0, 5}, ext1[1] = {4}, ext4[4] = {1, 1, 2, 7};
    for (int r = 1; r <= 4; r++)
        for (int a = 0; a < r; a++) {
            check(OM_DT_FLOAT, r, d, a, 2, ext2);
            check(OM_DT_FLOAT, r, d, a, 3, ext3);
            check(OM_DT_INT16, r, d, a - r, 4, ext4);
            check(OM_DT_FLOAT, r, d, a, 1, ext1);
        }
}

static void test_dtypes(void **state)
{
    int64_t d[3] = {3, 64, 9}, ext[2] = {100, 28};
    check(OM_DT_DOUBLE, 3, d, 1, 2, ext);
    check(OM_DT_INT8, 3, d, 1, 2, ext);
    check(OM_DT_BOOL, 3, d, 2, 2, ext);
    check(OM_DT_FLOAT16, 3, d, -1, 2, ext);
}

static void test_bad_axis(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[2] = {2, 3};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, d), *y = cg_value(g, "y", OM_DT_FLOAT, 2, d);
    om_node *n = om_graph_add_node(g, OM_OP_CONCAT, "c", &x, 1, &y, 1);
    om_node_set_int(g, n, "axis", 2);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "node 'c' (Concat): axis 2 out of range for rank 2"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_bad_axis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
