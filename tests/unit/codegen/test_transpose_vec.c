/* Transpose's tiled path (codegen/kernels/transpose.c: T x T tiles moved through an
 * in-register shufflevector transpose, 4-byte dtypes) against a plain C reference: the
 * BERT key transpose [1,128,12,64] perm (0,2,3,1), 2-D transposes, extra outer and inner
 * dims, sizes that are multiples of 8 but not 16 (tiles on AVX2/SSE, the element loop on
 * AVX-512), a 2-byte dtype (element loop); on the host, AVX2 (haswell) and SSE (x86-64),
 * whole and in 3 chunks; results must be bit-identical; no libcalls on x86-64 baseline and
 * aarch64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_sse = {NULL, "x86-64", NULL, 3};
static const om_cg_target_opts *const k_targets[3] = {NULL, &k_haswell, &k_sse};

static void check(om_dtype dt, int r, const int64_t *dx, const int64_t *perm, const om_cg_target_opts *t)
{
    int64_t dy[6], n = 1, xs[6], acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xs[i] = acc;
        acc *= dx[i];
    }
    for (int i = 0; i < r; i++) {
        dy[i] = dx[perm[i]];
        n *= dx[i];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dx), *y = cg_value(g, "y", dt, r, dy);
    om_node *nd = om_graph_add_node(g, OM_OP_TRANSPOSE, "tr", &x, 1, &y, 1);
    assert_non_null(nd);
    assert_int_equal(om_node_set_ints(g, nd, "perm", perm, r), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("Transpose: %s", om_last_error());
    size_t es = om_dtype_size(dt);
    unsigned char *px = cg_jit_buf(j, x);
    for (int64_t i = 0; i < n * (int64_t)es; i++)
        px[i] = (unsigned char)cg_rand();
    cg_jit_run_checked(j);
    const unsigned char *py = cg_jit_buf(j, y);
    for (int64_t e = 0; e < n; e++) {
        int64_t rest = e, src = 0;
        for (int i = r - 1; i >= 0; i--) {
            src += (rest % dy[i]) * xs[perm[i]];
            rest /= dy[i];
        }
        if (memcmp(py + e * (int64_t)es, px + src * (int64_t)es, es))
            fail_msg("rank %d cpu %s: y[%lld] differs from x[%lld]", r, t && t->cpu ? t->cpu : "host", (long long)e,
                     (long long)src);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_tiles(void **state)
{
    int64_t bert[4] = {1, 128, 12, 64}, pb[4] = {0, 2, 3, 1};
    int64_t sq[2] = {48, 32}, p2[2] = {1, 0};
    int64_t odd[2] = {24, 40};                        /* multiples of 8, not 16 */
    int64_t in3[3] = {32, 16, 3}, p3[3] = {1, 0, 2};  /* inner dim kept: element loop */
    int64_t out3[4] = {3, 16, 5, 32}, p4[4] = {0, 3, 2, 1};
    for (int ti = 0; ti < 3; ti++) {
        const om_cg_target_opts *t = k_targets[ti];
        check(OM_DT_FLOAT, 4, bert, pb, t);
        check(OM_DT_FLOAT, 2, sq, p2, t);
        check(OM_DT_INT32, 2, odd, p2, t);
        check(OM_DT_FLOAT, 3, in3, p3, t);
        check(OM_DT_FLOAT, 4, out3, p4, t);
        check(OM_DT_FLOAT16, 2, sq, p2, t);
    }
}

static void test_no_libcalls(void **state)
{
    int64_t dx[4] = {1, 128, 12, 64}, perm[4] = {0, 2, 3, 1}, dy[4] = {1, 12, 64, 128};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *y = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_node *nd = om_graph_add_node(g, OM_OP_TRANSPOSE, "tr", &x, 1, &y, 1);
    assert_non_null(nd);
    assert_int_equal(om_node_set_ints(g, nd, "perm", perm, 4), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    for (int i = 0; i < 3; i++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[i], "Transpose tiles");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tiles), cmocka_unit_test(test_no_libcalls)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
