/* ScatterElements and ScatterND (codegen/kernels/tensor_scatter.c) against plain C
 * references: every reduction (none, add, mul, max, min) on f32, i32, f16 and i64 data,
 * duplicate indices (accumulate in index order), negative indices, out-of-range indices
 * (skipped: data there stays unchanged), indices smaller than data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const char *const reds[5] = {"none", "add", "mul", "max", "min"};

static double reduce(int red, double a, double b)
{
    switch (red) {
    case 1: return a + b;
    case 2: return a * b;
    case 3: return a > b ? a : b;
    case 4: return a < b ? a : b;
    default: return b;
    }
}

/* Rounds v to what dt can hold (so the reference accumulates like the kernel). */
static double as_dt(om_dtype dt, double v)
{
    unsigned char buf[8];
    cg_set(dt, buf, 0, v);
    return cg_get(dt, buf, 0);
}

static void check_out(om_dtype dt, const void *got, const double *want, int64_t n, const char *what)
{
    double tol = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? 1e-2 : 1e-5;
    for (int64_t i = 0; i < n; i++) {
        double gv = cg_get(dt, got, i);
        if (!(fabs(gv - want[i]) <= tol * (1 + fabs(want[i]))))
            fail_msg("%s %s: element %lld = %g, want %g", what, om_dtype_name(dt), (long long)i, gv, want[i]);
    }
}

static void elements_case(om_dtype dt, int red, int r, const int64_t *xd, const int64_t *id, int axis)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[3] = {cg_input(g, "x", dt, r, xd), cg_input(g, "i", OM_DT_INT64, r, id), cg_input(g, "u", dt, r, id)};
    om_value *y = cg_value(g, "y", dt, r, xd);
    om_node *n = om_graph_add_node(g, OM_OP_SCATTER_ELEMENTS, "se", ins, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "reduction", reds[red]), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("ScatterElements: %s", om_last_error());
    int64_t nx = om_shape_numel(&ins[0]->shape), ni = om_shape_numel(&ins[1]->shape), N = xd[axis];
    cg_fill_random(dt, cg_jit_buf(j, ins[0]), nx, -3, 3);
    cg_fill_random(dt, cg_jit_buf(j, ins[2]), ni, -3, 3);
    int64_t *pi = cg_jit_buf(j, ins[1]);
    for (int64_t e = 0; e < ni; e++)
        pi[e] = (int64_t)(cg_rand() % (uint64_t)(2 * N + 4)) - N - 2; /* some out of range */
    cg_jit_run_checked(j);
    double *want = malloc((size_t)nx * sizeof *want);
    for (int64_t e = 0; e < nx; e++)
        want[e] = cg_get(dt, cg_jit_buf(j, ins[0]), e);
    for (int64_t e = 0; e < ni; e++) {
        int64_t c[OM_MAX_RANK], rest = e;
        for (int i = r - 1; i >= 0; i--) {
            c[i] = rest % id[i];
            rest /= id[i];
        }
        int64_t k = pi[e] < 0 ? pi[e] + N : pi[e];
        if (k < 0 || k >= N)
            continue;
        c[axis] = k;
        int64_t dst = 0;
        for (int i = 0; i < r; i++)
            dst = dst * xd[i] + c[i];
        want[dst] = as_dt(dt, reduce(red, want[dst], cg_get(dt, cg_jit_buf(j, ins[2]), e)));
    }
    check_out(dt, cg_jit_buf(j, y), want, nx, reds[red]);
    free(want);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_scatter_elements(void **state)
{
    (void)state;
    int64_t xd[3] = {4, 5, 3}, id[3] = {2, 5, 3};
    for (int red = 0; red < 5; red++)
        for (int a = 0; a < 3; a++) {
            elements_case(OM_DT_FLOAT, red, 3, xd, id, a);
            elements_case(OM_DT_INT32, red, 3, xd, id, a);
        }
    int64_t x1[2] = {1, 5}, i1[2] = {1, 4};
    elements_case(OM_DT_FLOAT16, 1, 2, x1, i1, 1);
    for (int red = 3; red < 5; red++) { /* max/min of 16-bit floats work on their bits */
        elements_case(OM_DT_FLOAT16, red, 3, xd, id, 1);
        elements_case(OM_DT_BFLOAT16, red, 3, xd, id, 2);
    }
    elements_case(OM_DT_INT64, 2, 2, x1, i1, 1);
}

static void nd_case(om_dtype dt, int red, int r, const int64_t *xd, int q, const int64_t *id)
{
    om_graph *g = om_graph_create("t");
    int64_t k = id[q - 1], ud[OM_MAX_RANK];
    int ru = 0;
    for (int i = 0; i < q - 1; i++)
        ud[ru++] = id[i];
    for (int i = (int)k; i < r; i++)
        ud[ru++] = xd[i];
    om_value *ins[3] = {cg_input(g, "x", dt, r, xd), cg_input(g, "i", OM_DT_INT64, q, id), cg_input(g, "u", dt, ru, ud)};
    om_value *y = cg_value(g, "y", dt, r, xd);
    om_node *n = om_graph_add_node(g, OM_OP_SCATTER_ND, "snd", ins, 3, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "reduction", reds[red]), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("ScatterND: %s", om_last_error());
    int64_t nx = om_shape_numel(&ins[0]->shape), nu = om_shape_numel(&ins[2]->shape);
    int64_t tuples = om_shape_numel(&ins[1]->shape) / k, slice = nu / tuples;
    cg_fill_random(dt, cg_jit_buf(j, ins[0]), nx, -3, 3);
    cg_fill_random(dt, cg_jit_buf(j, ins[2]), nu, -3, 3);
    int64_t *pi = cg_jit_buf(j, ins[1]);
    for (int64_t t = 0; t < tuples; t++)
        for (int64_t jj = 0; jj < k; jj++)
            pi[t * k + jj] = (int64_t)(cg_rand() % (uint64_t)(2 * xd[jj] + 2)) - xd[jj] - 1;
    cg_jit_run_checked(j);
    double *want = malloc((size_t)nx * sizeof *want);
    for (int64_t e = 0; e < nx; e++)
        want[e] = cg_get(dt, cg_jit_buf(j, ins[0]), e);
    for (int64_t t = 0; t < tuples; t++) {
        int64_t off = 0;
        bool ok = true;
        for (int64_t jj = 0; jj < k; jj++) {
            int64_t v = pi[t * k + jj] < 0 ? pi[t * k + jj] + xd[jj] : pi[t * k + jj];
            ok &= v >= 0 && v < xd[jj];
            off = off * xd[jj] + v;
        }
        if (!ok)
            continue;
        off *= slice;
        for (int64_t s = 0; s < slice; s++)
            want[off + s] = as_dt(dt, reduce(red, want[off + s], cg_get(dt, cg_jit_buf(j, ins[2]), t * slice + s)));
    }
    check_out(dt, cg_jit_buf(j, y), want, nx, reds[red]);
    free(want);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_scatter_nd(void **state)
{
    (void)state;
    int64_t xd[3] = {4, 4, 4}, i1[2] = {6, 1}, i2[3] = {2, 3, 2}, i3[2] = {5, 3};
    for (int red = 0; red < 5; red++) {
        nd_case(OM_DT_FLOAT, red, 3, xd, 2, i1);
        nd_case(OM_DT_INT32, red, 3, xd, 3, i2);
        nd_case(OM_DT_DOUBLE, red, 3, xd, 2, i3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scatter_elements),
        cmocka_unit_test(test_scatter_nd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
