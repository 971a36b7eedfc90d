/* MatMul kernel against a plain C reference (double accumulation) over random data: 2-D,
 * 1-D on either side and both, batch broadcasting (missing and size-1 batch dims), rows
 * wider than the kernel's column block, empty K and empty outputs, every supported dtype.
 * cg_jit_run_checked also checks that a 3-range split gives the same bytes.
 * Tolerance: |got - ref| <= rtol * sum|a*b| (+ the output rounding for f16/bf16); ints exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double tol_for(om_dtype dt, double ref, double abssum)
{
    switch (dt) {
    case OM_DT_FLOAT: return 1e-5 * abssum + 1e-30;
    case OM_DT_DOUBLE: return 1e-12 * abssum + 1e-300;
    case OM_DT_FLOAT16: return 1e-3 * fabs(ref) + 1e-5 * abssum + 1e-7;
    case OM_DT_BFLOAT16: return 8e-3 * fabs(ref) + 1e-5 * abssum + 1e-7;
    default: return 0;
    }
}

/* ra/rb ranks with dims; checks numpy semantics. */
static void check_matmul(om_dtype dt, int ra, const int64_t *ad, int rb, const int64_t *bd)
{
    int64_t M = ra >= 2 ? ad[ra - 2] : 1, K = ad[ra - 1], N = rb >= 2 ? bd[rb - 1] : 1;
    int nba = ra > 2 ? ra - 2 : 0, nbb = rb > 2 ? rb - 2 : 0, nb = nba > nbb ? nba : nbb;
    int64_t bdim[8], yd[8];
    int ry = 0;
    for (int i = 0; i < nb; i++) {
        int64_t da = i >= nb - nba ? ad[i - (nb - nba)] : 1, db = i >= nb - nbb ? bd[i - (nb - nbb)] : 1;
        bdim[i] = da == 1 ? db : da;
        yd[ry++] = bdim[i];
    }
    if (ra >= 2)
        yd[ry++] = M;
    if (rb >= 2)
        yd[ry++] = N;

    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", dt, ra, ad), *b = cg_input(g, "b", dt, rb, bd);
    om_value *y = cg_value(g, "y", dt, ry, yd), *ins[2] = {a, b};
    assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    if (st != OM_OK)
        fail_msg("matmul %s: %s", om_dtype_name(dt), om_last_error());
    int64_t na = om_shape_numel(&a->shape), nbv = om_shape_numel(&b->shape);
    bool isf = om_dtype_is_float(dt);
    double lo = om_dtype_is_unsigned_int(dt) ? 0 : isf ? -1 : -9, hi = isf ? 1 : 9;
    cg_fill_random(dt, cg_jit_buf(j, a), na, lo, hi);
    cg_fill_random(dt, cg_jit_buf(j, b), nbv, lo, hi);
    cg_jit_run_checked(j);

    const void *A = cg_jit_buf(j, a), *B = cg_jit_buf(j, b), *Y = cg_jit_buf(j, y);
    int64_t batch = 1;
    for (int i = 0; i < nb; i++)
        batch *= bdim[i];
    for (int64_t bi = 0; bi < batch; bi++) {
        /* batch offsets with broadcasting */
        int64_t rem = bi, aoff = 0, boff = 0, astr = M * K, bstr = K * N;
        for (int i = nb - 1; i >= 0; i--) {
            int64_t idx = rem % bdim[i];
            rem /= bdim[i];
            if (i >= nb - nba) {
                int64_t da = ad[i - (nb - nba)];
                aoff += (da == 1 ? 0 : idx) * astr;
                astr *= da;
            }
            if (i >= nb - nbb) {
                int64_t db = bd[i - (nb - nbb)];
                boff += (db == 1 ? 0 : idx) * bstr;
                bstr *= db;
            }
        }
        for (int64_t i = 0; i < M; i++)
            for (int64_t jj = 0; jj < N; jj++) {
                double s = 0, as = 0;
                int64_t si = 0;
                for (int64_t k = 0; k < K; k++) {
                    double p = cg_get(dt, A, aoff + i * K + k) * cg_get(dt, B, boff + k * N + jj);
                    s += p;
                    as += fabs(p);
                    si += (int64_t)cg_get(dt, A, aoff + i * K + k) * (int64_t)cg_get(dt, B, boff + k * N + jj);
                }
                int64_t e = (bi * M + i) * N + jj;
                double got = cg_get(dt, Y, e);
                if (!isf) {
                    unsigned char tmp[8];
                    cg_set(dt, tmp, 0, (double)si);
                    s = cg_get(dt, tmp, 0);
                }
                if (!(fabs(got - s) <= tol_for(dt, s, as)))
                    fail_msg("matmul %s A rank %d B rank %d: y[%lld] = %.9g, want %.9g", om_dtype_name(dt), ra, rb,
                             (long long)e, got, s);
            }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_2d(void **state)
{
    int64_t a[2] = {3, 5}, b[2] = {5, 7};
    check_matmul(OM_DT_FLOAT, 2, a, 2, b);
    int64_t a1[2] = {1, 1}, b1[2] = {1, 1};
    check_matmul(OM_DT_FLOAT, 2, a1, 2, b1);
    int64_t a2[2] = {17, 64}, b2[2] = {64, 33};
    check_matmul(OM_DT_FLOAT, 2, a2, 2, b2);
}

static void test_wide_rows(void **state)
{
    /* N over the 256-column block: full blocks plus a tail, and exactly one/two blocks */
    int64_t a[2] = {4, 9}, b[2] = {9, 600};
    check_matmul(OM_DT_FLOAT, 2, a, 2, b);
    int64_t b2[2] = {9, 256}, b3[2] = {9, 512};
    check_matmul(OM_DT_FLOAT, 2, a, 2, b2);
    check_matmul(OM_DT_FLOAT, 2, a, 2, b3);
}

static void test_1d(void **state)
{
    int64_t k[1] = {6}, b[2] = {6, 4}, a[2] = {5, 6};
    check_matmul(OM_DT_FLOAT, 1, k, 2, b);      /* [6] @ [6,4] -> [4] */
    check_matmul(OM_DT_FLOAT, 2, a, 1, k);      /* [5,6] @ [6] -> [5] */
    check_matmul(OM_DT_FLOAT, 1, k, 1, k);      /* [6] @ [6] -> scalar */
    int64_t b3[3] = {2, 6, 3}, a3[3] = {3, 5, 6};
    check_matmul(OM_DT_FLOAT, 1, k, 3, b3);     /* [6] @ [2,6,3] -> [2,3] */
    check_matmul(OM_DT_FLOAT, 3, a3, 1, k);     /* [3,5,6] @ [6] -> [3,5] */
}

static void test_batch_broadcast(void **state)
{
    int64_t a[3] = {2, 3, 4}, b[3] = {2, 4, 5};
    check_matmul(OM_DT_FLOAT, 3, a, 3, b);
    int64_t a4[4] = {2, 1, 3, 4}, b3[3] = {3, 4, 5};
    check_matmul(OM_DT_FLOAT, 4, a4, 3, b3);    /* -> [2,3,3,5] */
    int64_t b2[2] = {4, 5};
    check_matmul(OM_DT_FLOAT, 3, a, 2, b2);     /* B broadcast over the batch */
    int64_t a2[2] = {3, 4}, b4[4] = {2, 3, 4, 2};
    check_matmul(OM_DT_FLOAT, 2, a2, 4, b4);    /* A broadcast */
    int64_t a5[4] = {1, 3, 2, 4}, b5[4] = {2, 1, 4, 3};
    check_matmul(OM_DT_FLOAT, 4, a5, 4, b5);    /* both broadcast -> [2,3,2,3] */
}

static void test_empty(void **state)
{
    int64_t a[2] = {3, 0}, b[2] = {0, 4};
    check_matmul(OM_DT_FLOAT, 2, a, 2, b);      /* K = 0: zeros */
    int64_t a2[2] = {0, 4}, b2[2] = {4, 5};
    check_matmul(OM_DT_FLOAT, 2, a2, 2, b2);    /* M = 0: nothing */
    int64_t a3[3] = {0, 2, 4}, b3[2] = {4, 5};
    check_matmul(OM_DT_FLOAT, 3, a3, 2, b3);
}

static void test_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT32, OM_DT_INT64,
                                   OM_DT_UINT32, OM_DT_UINT64};
    int64_t a[3] = {2, 5, 37}, b[2] = {37, 300}, k[1] = {37};
    for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++) {
        check_matmul(dts[d], 3, a, 2, b);
        check_matmul(dts[d], 1, k, 1, k);
    }
}

static void test_rejects(void **state)
{
    /* int8 has no MatMul kernel; mismatched inner dims are an invalid model */
    int64_t a[2] = {2, 3}, b[2] = {3, 2}, bad[2] = {4, 2}, y[2] = {2, 2};
    for (int c = 0; c < 2; c++) {
        om_dtype dt = c == 0 ? OM_DT_INT8 : OM_DT_FLOAT;
        om_graph *g = om_graph_create("t");
        om_value *va = cg_input(g, "a", dt, 2, a), *vb = cg_input(g, "b", dt, 2, c == 0 ? b : bad);
        om_value *vy = cg_value(g, "y", dt, 2, y), *ins[2] = {va, vb};
        assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, 2, &vy, 1));
        assert_int_equal(om_graph_add_output(g, vy), OM_OK);
        cg_jit *j;
        om_status st = cg_jit_create(g, NULL, &j);
        assert_int_equal(st, c == 0 ? OM_ERR_UNSUPPORTED : OM_ERR_INVALID_MODEL);
        assert_null(j);
        assert_non_null(strstr(om_last_error(), "mm"));
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_2d),
        cmocka_unit_test(test_wide_rows),
        cmocka_unit_test(test_1d),
        cmocka_unit_test(test_batch_broadcast),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
