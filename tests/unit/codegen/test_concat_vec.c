/* Concat's piece-wise path (codegen/kernels/concat.c: fewer than 8 outer rows of more than
 * 64 KiB, each run cut into 64 KiB pieces shared between work items) against a plain C
 * reference: runs of several pieces with a partial last piece, runs shorter than a piece,
 * empty inputs, outer = 1..7, and the row path (outer = 8, or rows of at most one piece);
 * run whole and in 3 chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* inputs [outer, ext[k], inner] of dt concatenated along axis 1 */
static void check(om_dtype dt, int64_t outer, int64_t inner, int nin, const int64_t *ext)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[4];
    int64_t total = 0;
    for (int k = 0; k < nin; k++) {
        int64_t d[3] = {outer, ext[k], inner};
        char nm[16];
        snprintf(nm, sizeof nm, "x%d", k);
        ins[k] = cg_input(g, nm, dt, 3, d);
        total += ext[k];
    }
    int64_t od[3] = {outer, total, inner};
    om_value *y = cg_value(g, "y", dt, 3, od);
    om_node *n = om_graph_add_node(g, OM_OP_CONCAT, "cat", ins, nin, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Concat: %s", om_last_error());
    int64_t es = (int64_t)om_dtype_size(dt);
    for (int k = 0; k < nin; k++) {
        unsigned char *p = cg_jit_buf(j, ins[k]);
        for (int64_t i = 0; i < outer * ext[k] * inner * es; i++)
            p[i] = (unsigned char)cg_rand();
    }
    cg_jit_run_checked(j);
    const unsigned char *py = cg_jit_buf(j, y);
    for (int64_t o = 0; o < outer; o++) {
        int64_t at = 0;
        for (int k = 0; k < nin; k++) {
            int64_t len = ext[k] * inner * es;
            const unsigned char *px = cg_jit_buf(j, ins[k]);
            if (len && memcmp(py + (o * total * inner * es) + at, px + o * len, (size_t)len))
                fail_msg("outer %lld of %lld, input %d (%lld bytes) differs", (long long)o, (long long)outer, k,
                         (long long)len);
            at += len;
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_pieces(void **state)
{
    int64_t big[4] = {24, 0, 7, 13};      /* x 1600 floats: 150 KiB, -, 44 KiB, 81 KiB */
    int64_t small[3] = {1, 2, 3};
    for (int64_t outer = 1; outer <= 8; outer += 3) {
        check(OM_DT_FLOAT, outer, 1600, 4, big);
        check(OM_DT_INT8, outer, 5, 3, small);           /* small rows: row path */
        check(OM_DT_INT8, outer, 5000, 3, small);        /* 30000-byte row: row path */
        check(OM_DT_INT8, outer, 20000, 3, small);       /* pieces of 20000..60000 bytes */
    }
    int64_t exact[2] = {16, 32};          /* x 1024 floats: exactly 1 and 2 pieces */
    check(OM_DT_FLOAT, 1, 1024, 2, exact);
    check(OM_DT_FLOAT, 8, 1024, 2, exact); /* the row path */
    int64_t one[1] = {100};
    check(OM_DT_DOUBLE, 2, 1000, 1, one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_pieces)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
