/* Det kernel against a reference (Gaussian elimination with partial pivoting in long
 * double): random batches of M = 1..12, a matrix that needs row swaps (zero leading
 * element), a singular matrix (det 0), the 0x0 matrix (det 1), f32/f64/f16. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double ref_det(const double *a0, int m)
{
    long double a[16 * 16], det = 1;
    for (int i = 0; i < m * m; i++)
        a[i] = a0[i];
    for (int c = 0; c < m; c++) {
        int p = c;
        for (int r = c + 1; r < m; r++)
            if (fabsl(a[r * m + c]) > fabsl(a[p * m + c]))
                p = r;
        if (a[p * m + c] == 0)
            return 0;
        if (p != c) {
            for (int k = 0; k < m; k++) {
                long double t = a[c * m + k];
                a[c * m + k] = a[p * m + k];
                a[p * m + k] = t;
            }
            det = -det;
        }
        det *= a[c * m + c];
        for (int r = c + 1; r < m; r++) {
            long double f = a[r * m + c] / a[c * m + c];
            for (int k = c; k < m; k++)
                a[r * m + k] -= f * a[c * m + k];
        }
    }
    return (double)det;
}

/* kind: 0 random, 1 zero leading element, 2 singular (row 1 = row 0) */
static void check(om_dtype dt, int64_t batch, int m, int kind)
{
    om_graph *g = om_graph_create("t");
    int64_t dims[3] = {batch, m, m};
    om_value *x = cg_input(g, "x", dt, 3, dims), *y = cg_value(g, "y", dt, 1, dims);
    om_graph_add_node(g, OM_OP_DET, "det", &x, 1, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Det: %s", om_last_error());
    void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, px, batch * m * m, -2, 2);
    for (int64_t b = 0; b < batch && m > 1; b++) {
        if (kind == 1)
            cg_set(dt, px, b * m * m, 0);
        if (kind == 2)
            for (int k = 0; k < m; k++)
                cg_set(dt, px, b * m * m + m + k, cg_get(dt, px, b * m * m + k));
    }
    cg_jit_run_checked(j);
    double a[16 * 16];
    double tol = dt == OM_DT_FLOAT16 ? 1e-2 : dt == OM_DT_FLOAT ? 1e-5 : 1e-10;
    for (int64_t b = 0; b < batch; b++) {
        for (int i = 0; i < m * m; i++)
            a[i] = cg_get(dt, px, b * m * m + i);
        double want = ref_det(a, m), got = cg_get(dt, cg_jit_buf(j, y), b);
        if (dt == OM_DT_FLOAT16)
            want = cg_f16_to_f32(cg_f32_to_f16((float)want));
        if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
            fail_msg("%s M %d kind %d: det[%lld] = %.10g, want %.10g", om_dtype_name(dt), m, kind, (long long)b, got,
                     want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_sizes(void **state)
{
    for (int m = 1; m <= 12; m++) {
        check(OM_DT_FLOAT, 5, m, 0);
        check(OM_DT_DOUBLE, 3, m, 0);
    }
    check(OM_DT_FLOAT, 2, 0, 0);   /* 0x0: det 1 */
}

static void test_pivoting_singular(void **state)
{
    for (int m = 2; m <= 6; m++) {
        check(OM_DT_FLOAT, 4, m, 1);
        check(OM_DT_DOUBLE, 4, m, 2);
    }
    check(OM_DT_FLOAT16, 3, 3, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_pivoting_singular),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
