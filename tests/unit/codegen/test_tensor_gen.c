/* Generator kernels (codegen/kernels/tensor_gen.c, tensor_shape.c) against plain C
 * references: Range (f32, i32, i64, negative delta), ConstantOfShape (default, f32, i64,
 * zero value, empty), EyeLike (k in -3..3, several dtypes), Trilu (upper/lower, k from a
 * run-time input or absent, batches), OneHot (axis everywhere, negative and out-of-range
 * indices, float indices), and the Shape/Size kernels used when a node is not folded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
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

static void range_case(om_dtype dt, double s, double l, double d, int64_t count)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[3] = {cg_input(g, "s", dt, 0, NULL), cg_input(g, "l", dt, 0, NULL), cg_input(g, "d", dt, 0, NULL)};
    om_value *y = cg_value(g, "y", dt, 1, &count);
    om_graph_add_node(g, OM_OP_RANGE, "r", ins, 3, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Range");
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, d);
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < count; i++) {
        double want = s + (double)i * d, got = cg_get(dt, cg_jit_buf(j, y), i);
        if (!(got - want < 1e-4 && want - got < 1e-4))
            fail_msg("Range %s [%lld] = %g, want %g", om_dtype_name(dt), (long long)i, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_range(void **state)
{
    (void)state;
    range_case(OM_DT_FLOAT, 1, 5, 2, 2);
    range_case(OM_DT_FLOAT, 0.5, 10, 0.25, 38);
    range_case(OM_DT_INT32, 10, 6, -3, 2);
    range_case(OM_DT_INT64, -5, 1000, 7, 144); /* ceil(1005 / 7): the count is checked at run time */
    range_case(OM_DT_DOUBLE, 3, -3, -0.5, 12);
}

static void cos_case(om_dtype dt, const void *value, double want, int r, const int64_t *dims)
{
    om_graph *g = om_graph_create("t");
    int64_t rr = r;
    om_shape ss = om_shape_make(1, &rr);
    om_value *s = om_graph_add_constant(g, "shape", OM_DT_INT64, &ss, dims, (size_t)r * 8);
    om_value *y = cg_value(g, "y", dt, r, dims);
    om_node *n = om_graph_add_node(g, OM_OP_CONSTANT_OF_SHAPE, "c", &s, 1, &y, 1);
    if (value) {
        int64_t one = 1;
        om_shape vs = om_shape_make(1, &one);
        om_value *v = om_graph_add_constant(g, "value", dt, &vs, value, om_dtype_size(dt));
        assert_int_equal(om_node_set_tensor(g, n, "value", v), OM_OK);
    }
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "ConstantOfShape");
    memset(cg_jit_buf(j, y), 0x5a, (size_t)om_shape_numel(&y->shape) * om_dtype_size(dt));
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < om_shape_numel(&y->shape); i++)
        assert_true(cg_get(dt, cg_jit_buf(j, y), i) == want);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_constant_of_shape(void **state)
{
    (void)state;
    int64_t d[3] = {4, 3, 2}, z[2] = {0, 5};
    float one = 1;
    int64_t seven = -7, zero = 0;
    int32_t i32 = 3;
    cos_case(OM_DT_FLOAT, NULL, 0, 3, d);
    cos_case(OM_DT_FLOAT, &one, 1, 3, d);
    cos_case(OM_DT_INT64, &seven, -7, 2, d);
    cos_case(OM_DT_INT64, &zero, 0, 1, d);
    cos_case(OM_DT_INT32, &i32, 3, 2, z);
}

static void eye_case(om_dtype in_dt, om_dtype dt, int64_t rows, int64_t cols, int64_t k)
{
    om_graph *g = om_graph_create("t");
    int64_t d[2] = {rows, cols};
    om_value *x = cg_input(g, "x", in_dt, 2, d), *y = cg_value(g, "y", dt, 2, d);
    om_node *n = om_graph_add_node(g, OM_OP_EYE_LIKE, "e", &x, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "k", k), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "EyeLike");
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t c = 0; c < cols; c++)
            assert_true(cg_get(dt, cg_jit_buf(j, y), i * cols + c) == (c - i == k ? 1 : 0));
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_eye_like(void **state)
{
    (void)state;
    for (int64_t k = -3; k <= 3; k++) {
        eye_case(OM_DT_INT32, OM_DT_FLOAT, 4, 5, k);
        eye_case(OM_DT_FLOAT, OM_DT_INT64, 5, 3, k);
    }
    eye_case(OM_DT_FLOAT, OM_DT_BOOL, 3, 3, 0);
    eye_case(OM_DT_FLOAT, OM_DT_FLOAT16, 3, 4, 1);
}

static void trilu_case(bool upper, bool has_k, int64_t k, int r, const int64_t *d)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[2] = {cg_input(g, "x", OM_DT_INT64, r, d), has_k ? cg_input(g, "k", OM_DT_INT64, 0, NULL) : NULL};
    om_value *y = cg_value(g, "y", OM_DT_INT64, r, d);
    om_node *n = om_graph_add_node(g, OM_OP_TRILU, "t", ins, has_k ? 2 : 1, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "upper", upper), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Trilu");
    int64_t *px = cg_jit_buf(j, ins[0]), total = om_shape_numel(&ins[0]->shape);
    for (int64_t i = 0; i < total; i++)
        px[i] = i + 1;
    if (has_k)
        *(int64_t *)cg_jit_buf(j, ins[1]) = k;
    else
        k = 0;
    cg_jit_run_checked(j);
    const int64_t *py = cg_jit_buf(j, y);
    int64_t N = d[r - 2], M = d[r - 1];
    for (int64_t e = 0; e < total; e++) {
        int64_t i = (e / M) % N, c = e % M;
        bool keep = upper ? c - i >= k : c - i <= k;
        assert_int_equal(py[e], keep ? px[e] : 0);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_trilu(void **state)
{
    (void)state;
    int64_t d2[2] = {4, 5}, d3[3] = {2, 3, 3}, d1[3] = {3, 1, 5};
    for (int64_t k = -6; k <= 6; k += 2)
        for (int up = 0; up < 2; up++) {
            trilu_case(up, true, k, 2, d2);
            trilu_case(up, true, k, 3, d3);
            trilu_case(up, true, k, 3, d1);
        }
    trilu_case(true, false, 0, 2, d2);
    trilu_case(false, false, 0, 3, d3);
}

static void one_hot_case(om_dtype it, int q, const int64_t *id, int64_t depth, int axis)
{
    om_graph *g = om_graph_create("t");
    int ro = q + 1, a = axis < 0 ? axis + ro : axis;
    int64_t yd[OM_MAX_RANK];
    for (int i = 0, jx = 0; i < ro; i++)
        yd[i] = i == a ? depth : id[jx++];
    int64_t two = 2;
    float dep = (float)depth;
    om_shape sc = om_shape_scalar();
    om_value *ins[3] = {cg_input(g, "i", it, q, id), om_graph_add_constant(g, "depth", OM_DT_FLOAT, &sc, &dep, 4),
                        cg_input(g, "v", OM_DT_INT32, 1, &two)};
    om_value *y = cg_value(g, "y", OM_DT_INT32, ro, yd);
    om_node *n = om_graph_add_node(g, OM_OP_ONE_HOT, "oh", ins, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "OneHot");
    int64_t ni = om_shape_numel(&ins[0]->shape);
    for (int64_t e = 0; e < ni; e++)
        cg_set(it, cg_jit_buf(j, ins[0]), e, (double)((int64_t)(cg_rand() % (uint64_t)(2 * depth + 4)) - depth - 2));
    int32_t *pv = cg_jit_buf(j, ins[2]);
    pv[0] = -3;
    pv[1] = 11;
    cg_jit_run_checked(j);
    const int32_t *py = cg_jit_buf(j, y);
    int64_t inner = 1;
    for (int i = a; i < q; i++)
        inner *= id[i];
    for (int64_t e = 0; e < om_shape_numel(&y->shape); e++) {
        int64_t in = e % inner, dd = (e / inner) % depth, o = e / (inner * depth);
        int64_t v = (int64_t)cg_get(it, cg_jit_buf(j, ins[0]), o * inner + in);
        if (v < 0)
            v += depth;
        assert_int_equal(py[e], v == dd ? 11 : -3);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_one_hot(void **state)
{
    (void)state;
    int64_t id[2] = {3, 4};
    for (int a = -3; a <= 2; a++) {
        one_hot_case(OM_DT_INT64, 2, id, 5, a);
        one_hot_case(OM_DT_FLOAT, 2, id, 3, a);
    }
    one_hot_case(OM_DT_INT32, 1, id, 10, 0);
}

static void test_shape_kernels(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t d[4] = {2, 3, 5, 7}, two = 2;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, d);
    om_value *s = cg_value(g, "s", OM_DT_INT64, 1, &two), *z = cg_value(g, "z", OM_DT_INT64, 0, NULL);
    om_node *n = om_graph_add_node(g, OM_OP_SHAPE, "sh", &x, 1, &s, 1);
    assert_int_equal(om_node_set_int(g, n, "start", -3), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "end", 3), OM_OK);
    om_graph_add_node(g, OM_OP_SIZE, "sz", &x, 1, &z, 1);
    assert_int_equal(om_graph_add_output(g, s), OM_OK);
    assert_int_equal(om_graph_add_output(g, z), OM_OK);
    cg_jit *j = jit(g, "Shape");
    cg_jit_run_checked(j);
    const int64_t *ps = cg_jit_buf(j, s), *pz = cg_jit_buf(j, z);
    assert_int_equal(ps[0], 3);
    assert_int_equal(ps[1], 5);
    assert_int_equal(pz[0], 210);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),  cmocka_unit_test(test_constant_of_shape), cmocka_unit_test(test_eye_like),
        cmocka_unit_test(test_trilu),  cmocka_unit_test(test_one_hot),           cmocka_unit_test(test_shape_kernels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
