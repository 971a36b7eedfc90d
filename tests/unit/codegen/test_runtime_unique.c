/* NonZero and Unique with a run-time input (codegen/kernels/tensor_nonzero.c,
 * tensor_unique.c): the output sizes are the compiled (declared) ones. Data whose real count
 * agrees gives the plain C reference (Unique: sorted / first-occurrence order, flat and
 * along an axis, f32 with -0.0, i32, u8, f16; all four outputs or only Y); another count
 * makes the kernel's check fire (cg_jit_run returns OM_ERR_INVALID_ARGUMENT) before it
 * writes anything. Both kernels call nothing but memcpy/memmove/memset on every target. */
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

/* ---- NonZero ----------------------------------------------------------------------------- */

/* NonZero of x [2, 3, 4] (dtype dt, values vals) compiled for `count` non-zeros. */
static om_status nonzero_run(om_dtype dt, const double *vals, int64_t count)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd[3] = {2, 3, 4}, yd[2] = {3, count};
    om_value *x = cg_input(g, "x", dt, 3, xd), *y = cg_value(g, "y", OM_DT_INT64, 2, yd);
    om_graph_add_node(g, OM_OP_NON_ZERO, "nz", &x, 1, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("NonZero: %s", om_last_error());
    for (int k = 0; k < 24; k++)
        cg_set(dt, cg_jit_buf(j, x), k, vals[k]);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        cg_jit_run_checked(j);
        const int64_t *py = cg_jit_buf(j, y);
        int64_t c = 0;
        for (int k = 0; k < 24; k++) {
            if (vals[k] == 0)
                continue;
            assert_int_equal(py[0 * count + c], k / 12);
            assert_int_equal(py[1 * count + c], k / 4 % 3);
            assert_int_equal(py[2 * count + c], k % 4);
            c++;
        }
        assert_int_equal(c, count);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    return st;
}

static void test_nonzero(void **state)
{
    (void)state;
    double v[24] = {0};
    v[0] = 1, v[5] = -2, v[11] = 3, v[23] = 7;
    assert_int_equal(nonzero_run(OM_DT_FLOAT, v, 4), OM_OK);
    assert_int_equal(nonzero_run(OM_DT_BOOL, v, 4), OM_OK);
    assert_int_equal(nonzero_run(OM_DT_INT64, v, 4), OM_OK);
    v[7] = -0.0; /* zero */
    assert_int_equal(nonzero_run(OM_DT_FLOAT, v, 4), OM_OK);
    assert_int_equal(nonzero_run(OM_DT_FLOAT, v, 3), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(nonzero_run(OM_DT_FLOAT, v, 5), OM_ERR_INVALID_ARGUMENT);
    double z[24] = {0};
    assert_int_equal(nonzero_run(OM_DT_INT32, z, 0), OM_OK);
    assert_int_equal(nonzero_run(OM_DT_INT32, z, 1), OM_ERR_INVALID_ARGUMENT);
}

/* ---- Unique ------------------------------------------------------------------------------ */

typedef struct uref {
    int64_t outer, units, inner;
    const double *x;
} uref;

static int ucmp(const uref *u, int64_t a, int64_t b)
{
    for (int64_t o = 0; o < u->outer; o++)
        for (int64_t i = 0; i < u->inner; i++) {
            double xa = u->x[(o * u->units + a) * u->inner + i], xb = u->x[(o * u->units + b) * u->inner + i];
            if (xa != xb)
                return xa < xb ? -1 : 1;
        }
    return 0;
}

/* Reference: first occurrences in order, then (sorted) ordered by value. ys[k] is the
 * first index of output unit k; inv/cnt as ONNX. Returns ny. */
static int64_t unique_ref(const uref *u, bool sorted, int64_t *ys, int64_t *inv, int64_t *cnt)
{
    int64_t ny = 0;
    for (int64_t a = 0; a < u->units; a++) {
        bool seen = false;
        for (int64_t k = 0; k < ny && !seen; k++)
            seen = ucmp(u, ys[k], a) == 0;
        if (!seen)
            ys[ny++] = a;
    }
    if (sorted) /* insertion sort of the first occurrences by value */
        for (int64_t i = 1; i < ny; i++) {
            int64_t key = ys[i], j = i - 1;
            while (j >= 0 && ucmp(u, ys[j], key) > 0) {
                ys[j + 1] = ys[j];
                j--;
            }
            ys[j + 1] = key;
        }
    for (int64_t k = 0; k < ny; k++)
        cnt[k] = 0;
    for (int64_t a = 0; a < u->units; a++)
        for (int64_t k = 0; k < ny; k++)
            if (ucmp(u, ys[k], a) == 0) {
                inv[a] = k;
                cnt[k]++;
                break;
            }
    return ny;
}

/* Unique of x (rank r, dims xd, dtype dt, values vals) with axis (or -99 for none) and
 * sorted; compiled for ny_decl unique units (the real number when < 0); `all` makes the
 * four outputs, else only Y. Returns cg_jit_run's status, checking the reference on OM_OK. */
static om_status unique_run(om_dtype dt, int r, const int64_t *xd, const double *vals, int axis, bool sorted,
                            int64_t ny_decl, bool all)
{
    uref u = {1, 1, 1, vals};
    int64_t numel = 1;
    for (int i = 0; i < r; i++)
        numel *= xd[i];
    int a = axis == -99 ? -1 : axis < 0 ? axis + r : axis;
    if (a >= 0) {
        for (int i = 0; i < r; i++) {
            if (i < a)
                u.outer *= xd[i];
            else if (i > a)
                u.inner *= xd[i];
        }
        u.units = xd[a];
    } else {
        u.units = numel;
    }
    int64_t *ys = calloc((size_t)u.units + 1, 8), *inv = calloc((size_t)u.units + 1, 8),
            *cnt = calloc((size_t)u.units + 1, 8);
    assert_non_null(ys);
    assert_non_null(inv);
    assert_non_null(cnt);
    int64_t ny = unique_ref(&u, sorted, ys, inv, cnt);
    int64_t nyd = ny_decl < 0 ? ny : ny_decl;
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, xd);
    int64_t yd[OM_MAX_RANK];
    memcpy(yd, xd, sizeof(int64_t) * (size_t)r);
    om_value *outs[4];
    if (a >= 0) {
        yd[a] = nyd;
        outs[0] = cg_value(g, "y", dt, r, yd);
    } else {
        outs[0] = cg_value(g, "y", dt, 1, &nyd);
    }
    outs[1] = cg_value(g, "indices", OM_DT_INT64, 1, &nyd);
    outs[2] = cg_value(g, "inverse", OM_DT_INT64, 1, &u.units);
    outs[3] = cg_value(g, "counts", OM_DT_INT64, 1, &nyd);
    int no = all ? 4 : 1;
    om_node *n = om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, outs, no);
    if (a >= 0)
        assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "sorted", sorted), OM_OK);
    for (int i = 0; i < no; i++)
        assert_int_equal(om_graph_add_output(g, outs[i]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Unique: %s", om_last_error());
    for (int64_t k = 0; k < numel; k++)
        cg_set(dt, cg_jit_buf(j, x), k, vals[k]);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        cg_jit_run_checked(j);
        const void *py = cg_jit_buf(j, outs[0]);
        for (int64_t o = 0; o < u.outer; o++)
            for (int64_t k = 0; k < ny; k++)
                for (int64_t i = 0; i < u.inner; i++) {
                    double got = cg_get(dt, py, (o * ny + k) * u.inner + i);
                    double want = vals[(o * u.units + ys[k]) * u.inner + i];
                    if (got != want)
                        fail_msg("Unique %s sorted=%d axis=%d: Y[%lld,%lld,%lld] = %g, want %g", om_dtype_name(dt),
                                 sorted, axis, (long long)o, (long long)k, (long long)i, got, want);
                }
        if (all) {
            const int64_t *pi = cg_jit_buf(j, outs[1]), *pv = cg_jit_buf(j, outs[2]), *pc = cg_jit_buf(j, outs[3]);
            for (int64_t k = 0; k < ny; k++) {
                assert_int_equal(pi[k], ys[k]);
                assert_int_equal(pc[k], cnt[k]);
            }
            for (int64_t k = 0; k < u.units; k++)
                assert_int_equal(pv[k], inv[k]);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(ys);
    free(inv);
    free(cnt);
    return st;
}

static void test_unique_agree(void **state)
{
    (void)state;
    /* the suite's flat case and -0.0 == 0.0 */
    const double flat[6] = {2, 1, 1, 3, 4, 3};
    const int64_t d6 = 6;
    for (int s = 0; s < 2; s++) {
        assert_int_equal(unique_run(OM_DT_FLOAT, 1, &d6, flat, -99, s, -1, true), OM_OK);
        assert_int_equal(unique_run(OM_DT_INT32, 1, &d6, flat, -99, s, -1, false), OM_OK);
    }
    const double zeros[6] = {0, -0.0, 1, -1, 0, -1};
    assert_int_equal(unique_run(OM_DT_FLOAT, 1, &d6, zeros, -99, true, 3, true), OM_OK);
    /* along axes of [2, 4, 2] (the suite's 3-d case) and random small-range data */
    const int64_t d3[3] = {2, 4, 2};
    const double x3[16] = {1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1};
    for (int s = 0; s < 2; s++)
        for (int ax = -3; ax < 3; ax++) {
            assert_int_equal(unique_run(OM_DT_FLOAT, 3, d3, x3, ax, s, -1, true), OM_OK);
            assert_int_equal(unique_run(OM_DT_UINT8, 3, d3, x3, ax, s, -1, true), OM_OK);
        }
    double rnd[120];
    for (int i = 0; i < 120; i++)
        rnd[i] = (double)(cg_rand() % 5) - 2;
    const int64_t d4[4] = {2, 3, 4, 5};
    for (int s = 0; s < 2; s++) {
        assert_int_equal(unique_run(OM_DT_INT32, 4, d4, rnd, -99, s, -1, true), OM_OK);
        assert_int_equal(unique_run(OM_DT_FLOAT16, 4, d4, rnd, -99, s, -1, true), OM_OK);
        assert_int_equal(unique_run(OM_DT_INT32, 4, d4, rnd, 3, s, -1, true), OM_OK);
        assert_int_equal(unique_run(OM_DT_DOUBLE, 4, d4, rnd, 1, s, -1, false), OM_OK);
    }
    /* 1000 units (10 merge passes, odd run lengths), many repeats: stability shows in indices */
    static double big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (double)(cg_rand() % 61) - 30;
    const int64_t d1000 = 1000;
    assert_int_equal(unique_run(OM_DT_INT16, 1, &d1000, big, -99, true, -1, true), OM_OK);
    assert_int_equal(unique_run(OM_DT_FLOAT, 1, &d1000, big, 0, false, -1, true), OM_OK);
}

/* More units than the kernel's stack scratch allows: a clean compile-time refusal. */
static void test_unique_too_many(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    const int64_t xd = 8193, ny = 5;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, &xd), *y = cg_value(g, "y", OM_DT_FLOAT, 1, &ny);
    om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, &y, 1);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "node 'u' (Unique): 8193 units to compare, at most 8192 supported"));
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

static void test_unique_disagree(void **state)
{
    (void)state;
    const double flat[6] = {2, 1, 1, 3, 4, 3};
    const int64_t d6 = 6;
    assert_int_equal(unique_run(OM_DT_FLOAT, 1, &d6, flat, -99, true, 3, true), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(unique_run(OM_DT_FLOAT, 1, &d6, flat, -99, false, 5, true), OM_ERR_INVALID_ARGUMENT);
    const int64_t d3[3] = {2, 4, 2};
    const double x3[16] = {1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1};
    assert_int_equal(unique_run(OM_DT_FLOAT, 3, d3, x3, 1, true, 4, false), OM_ERR_INVALID_ARGUMENT);
}

static void test_no_libcalls(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    const int64_t xd[2] = {4, 3}, nd[2] = {2, 5}, one = 4;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT16, 2, xd);
    om_value *nz = cg_value(g, "nz", OM_DT_INT64, 2, nd);
    om_graph_add_node(g, OM_OP_NON_ZERO, "nz", &x, 1, &nz, 1);
    int64_t yd[2] = {4, 3};
    om_value *outs[4] = {cg_value(g, "y", OM_DT_FLOAT16, 2, yd), cg_value(g, "i", OM_DT_INT64, 1, &one),
                         cg_value(g, "v", OM_DT_INT64, 1, &one), cg_value(g, "c", OM_DT_INT64, 1, &one)};
    om_node *u = om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, outs, 4);
    assert_int_equal(om_node_set_int(g, u, "axis", 0), OM_OK);
    assert_int_equal(om_graph_add_output(g, nz), OM_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(om_graph_add_output(g, outs[i]), OM_OK);
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "NonZero/Unique");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonzero),
        cmocka_unit_test(test_unique_agree),
        cmocka_unit_test(test_unique_disagree),
        cmocka_unit_test(test_unique_too_many),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
