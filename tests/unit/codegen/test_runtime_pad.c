/* Pad with run-time pads, axes and constant_value (codegen/kernels/tensor_pad.c): pads/axes
 * are graph INPUTS and the output shape is the compiled (declared) one. Pads that agree give
 * the plain C reference in every mode (the begin offsets come from the run-time values: two
 * pad splits with the same totals give different results), negative pads crop; pads whose
 * totals disagree, begins beyond the output, a repeated or out-of-range axis fail the
 * run-time check (cg_jit_run returns OM_ERR_INVALID_ARGUMENT). */
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

static int64_t ref_coord(const char *mode, int64_t t, int64_t d)
{
    if (t >= 0 && t < d)
        return t;
    if (!strcmp(mode, "constant"))
        return -1;
    if (!strcmp(mode, "edge"))
        return t < 0 ? 0 : d - 1;
    if (d == 1)
        return 0;
    while (t < 0 || t >= d)
        t = t < 0 ? -t : 2 * (d - 1) - t;
    return t;
}

/* Pad of x [2, 3, 4] (f32) compiled for output dims yd with run-time pads (and axes when
 * na < 3); runs with `pads`/`axes` and returns cg_jit_run's status; on OM_OK checks every
 * element against the reference built from those values. */
static om_status pad_run(const char *mode, const int64_t *yd, int na, const int64_t *pads, const int64_t *axes,
                         om_dtype idt)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd[3] = {2, 3, 4};
    int64_t np = 2 * na, nax = na;
    om_value *ins[4] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), cg_input(g, "pads", idt, 1, &np),
                        cg_input(g, "cv", OM_DT_FLOAT, 0, NULL), NULL};
    int nin = 3;
    if (axes) {
        ins[3] = cg_input(g, "axes", idt, 1, &nax);
        nin = 4;
    }
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 3, yd);
    om_node *n = om_graph_add_node(g, OM_OP_PAD, "p", ins, nin, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "mode", mode), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Pad: %s", om_last_error());
    float *px = cg_jit_buf(j, ins[0]);
    for (int i = 0; i < 24; i++)
        px[i] = (float)(i + 1);
    *(float *)cg_jit_buf(j, ins[2]) = -0.5f;
    for (int k = 0; k < 2 * na; k++)
        cg_set(idt, cg_jit_buf(j, ins[1]), k, (double)pads[k]);
    for (int k = 0; axes && k < na; k++)
        cg_set(idt, cg_jit_buf(j, ins[3]), k, (double)axes[k]);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        cg_jit_run_checked(j);
        int64_t begin[3] = {0, 0, 0};
        for (int k = 0; k < na; k++) {
            int64_t a = axes ? (axes[k] < 0 ? axes[k] + 3 : axes[k]) : k;
            begin[a] = pads[k];
        }
        const float *py = cg_jit_buf(j, y);
        for (int64_t e = 0; e < yd[0] * yd[1] * yd[2]; e++) {
            int64_t rest = e, src = 0, mul = 1;
            bool cst = false;
            for (int i = 2; i >= 0; i--) {
                int64_t c = rest % yd[i], s;
                rest /= yd[i];
                s = ref_coord(mode, c - begin[i], xd[i]);
                if (s < 0)
                    cst = true;
                src += s * mul;
                mul *= xd[i];
            }
            float want = cst ? -0.5f : px[src];
            if (py[e] != want)
                fail_msg("Pad %s: element %lld = %g, want %g", mode, (long long)e, py[e], want);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    return st;
}

static void test_pad_agree(void **state)
{
    (void)state;
    static const char *const modes[3] = {"constant", "edge", "reflect"};
    const int64_t yd[3] = {3, 6, 7};
    /* [begins..., ends...]: the same totals split two ways */
    const int64_t p1[6] = {1, 2, 0, 0, 1, 3}, p2[6] = {0, 0, 3, 1, 3, 0};
    /* cropping: a negative begin */
    const int64_t p3[6] = {0, -1, 2, 1, 4, 1};
    const int64_t yd3[3] = {3, 6, 7};
    for (int m = 0; m < 3; m++) {
        assert_int_equal(pad_run(modes[m], yd, 3, p1, NULL, OM_DT_INT64), OM_OK);
        assert_int_equal(pad_run(modes[m], yd, 3, p2, NULL, OM_DT_INT32), OM_OK);
        assert_int_equal(pad_run(modes[m], yd3, 3, p3, NULL, OM_DT_INT64), OM_OK);
    }
    /* axes input (negative axis): pads only the last dim */
    const int64_t ya[3] = {2, 3, 9}, pa[2] = {2, 3}, axes[1] = {-1};
    assert_int_equal(pad_run("reflect", ya, 1, pa, axes, OM_DT_INT64), OM_OK);
    assert_int_equal(pad_run("constant", ya, 1, pa, axes, OM_DT_INT32), OM_OK);
}

static void test_pad_disagree(void **state)
{
    (void)state;
    const int64_t yd[3] = {3, 6, 7};
    const int64_t wrong[6] = {1, 2, 0, 0, 1, 2};   /* last dim total 6, compiled 7 */
    const int64_t far[6] = {1, 2, 100, 0, 1, -97}; /* totals agree, begin beyond the output */
    assert_int_equal(pad_run("constant", yd, 3, wrong, NULL, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(pad_run("edge", yd, 3, far, NULL, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
    const int64_t ya[3] = {2, 3, 9}, pa[4] = {2, 1, 3, 0}, rep[2] = {2, -1}, oob[2] = {2, 3};
    assert_int_equal(pad_run("constant", ya, 2, pa, rep, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(pad_run("constant", ya, 2, pa, oob, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pad_agree),
        cmocka_unit_test(test_pad_disagree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
