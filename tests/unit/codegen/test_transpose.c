/* Transpose kernel against a reference over every permutation of ranks 0-4, size-1 dims,
 * the default (reversed) permutation, negative perm entries and every element size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* perm NULL: default (reversed) */
static void check(om_dtype dt, int r, const int64_t *dims, const int64_t *perm)
{
    int64_t p[4], od[4];
    for (int i = 0; i < r; i++) {
        p[i] = perm ? (perm[i] < 0 ? perm[i] + r : perm[i]) : r - 1 - i;
        od[i] = dims[p[i]];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims), *y = cg_value(g, "y", dt, r, od);
    om_node *n = om_graph_add_node(g, OM_OP_TRANSPOSE, "tr", &x, 1, &y, 1);
    assert_non_null(n);
    if (perm)
        assert_int_equal(om_node_set_ints(g, n, "perm", perm, r), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Transpose: %s", om_last_error());
    int64_t numel = om_shape_numel(&x->shape);
    size_t es = om_dtype_size(dt);
    unsigned char *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    for (size_t i = 0; i < (size_t)numel * es; i++)
        px[i] = (unsigned char)cg_rand();
    cg_jit_run_checked(j);
    int64_t xs[4], acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xs[i] = acc;
        acc *= dims[i];
    }
    for (int64_t e = 0; e < numel; e++) {
        int64_t rem = e, src = 0;
        for (int i = r - 1; i >= 0; i--) {
            src += (rem % od[i]) * xs[p[i]];
            rem /= od[i];
        }
        if (memcmp(py + e * (int64_t)es, px + src * (int64_t)es, es))
            fail_msg("rank %d elem %lld: wrong source element", r, (long long)e);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* all permutations of 0..r-1 via Heap's algorithm */
static void all_perms(om_dtype dt, int r, const int64_t *dims)
{
    int64_t p[4] = {0, 1, 2, 3};
    int c[4] = {0};
    check(dt, r, dims, p);
    int i = 0;
    while (i < r) {
        if (c[i] < i) {
            int k = i % 2 ? c[i] : 0;
            int64_t t = p[k];
            p[k] = p[i];
            p[i] = t;
            check(dt, r, dims, p);
            c[i]++;
            i = 0;
        } else {
            c[i++] = 0;
        }
    }
}

static void test_all_permutations(void **state)
{
    int64_t d1[1] = {7}, d2[2] = {5, 9}, d3[3] = {3, 4, 5}, d4[4] = {2, 3, 4, 5}, d4b[4] = {3, 1, 17, 1};
    check(OM_DT_FLOAT, 0, NULL, NULL);
    all_perms(OM_DT_FLOAT, 1, d1);
    all_perms(OM_DT_FLOAT, 2, d2);
    all_perms(OM_DT_FLOAT, 3, d3);
    all_perms(OM_DT_FLOAT, 4, d4);
    all_perms(OM_DT_FLOAT, 4, d4b);
}

static void test_dtypes_and_defaults(void **state)
{
    int64_t d3[3] = {6, 7, 8}, nchw[4] = {2, 16, 9, 9}, to_nhwc[4] = {0, 2, 3, 1}, neg[3] = {-1, 0, -2};
    check(OM_DT_INT8, 3, d3, NULL);
    check(OM_DT_FLOAT16, 3, d3, NULL);
    check(OM_DT_DOUBLE, 3, d3, NULL);
    check(OM_DT_INT64, 3, d3, neg);
    check(OM_DT_BOOL, 4, nchw, to_nhwc);
    check(OM_DT_FLOAT, 4, nchw, to_nhwc);
}

static void test_bad_perm(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[2] = {2, 3}, perm[2] = {0, 0};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, d), *y = cg_value(g, "y", OM_DT_FLOAT, 2, d);
    om_node *n = om_graph_add_node(g, OM_OP_TRANSPOSE, "tp", &x, 1, &y, 1);
    om_node_set_ints(g, n, "perm", perm, 2);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "node 'tp' (Transpose): perm is not a permutation"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_permutations),
        cmocka_unit_test(test_dtypes_and_defaults),
        cmocka_unit_test(test_bad_perm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
