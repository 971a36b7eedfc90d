/* Pad (codegen/kernels/tensor_pad.c) against a plain C reference: modes constant, edge and
 * reflect on ranks 1-4, pads larger than the dim (reflect folds repeatedly), negative pads
 * (cropping), the axes input, a constant_value of another dtype (converted), a run-time
 * constant_value, empty inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* source coordinate, or -1 for the constant value */
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
    while (t < 0 || t >= d) /* reflect step by step */
        t = t < 0 ? -t : 2 * (d - 1) - t;
    return t;
}

static void pad_case(om_dtype dt, const char *mode, int r, const int64_t *xd, const int64_t *pads, int na,
                     const int64_t *axes, int cv_kind /* 0 none, 1 constant f32, 2 runtime input */)
{
    om_graph *g = om_graph_create("t");
    int64_t yd[OM_MAX_RANK], begin[OM_MAX_RANK] = {0};
    memcpy(yd, xd, sizeof(int64_t) * (size_t)r);
    for (int k = 0; k < na; k++) {
        int a = axes ? (int)(axes[k] < 0 ? axes[k] + r : axes[k]) : k;
        begin[a] = pads[k];
        yd[a] += pads[k] + pads[k + na];
    }
    int64_t np = 2 * na;
    om_shape ps = om_shape_make(1, &np);
    om_value *ins[4] = {cg_input(g, "x", dt, r, xd), om_graph_add_constant(g, "pads", OM_DT_INT64, &ps, pads,
                                                                           (size_t)np * 8), NULL, NULL};
    int nin = 2;
    float cvf = 2.75f;
    om_shape sc = om_shape_scalar();
    if (cv_kind == 1)
        ins[2] = om_graph_add_constant(g, "cv", OM_DT_FLOAT, &sc, &cvf, 4);
    else if (cv_kind == 2)
        ins[2] = cg_input(g, "cv", dt, 0, NULL);
    if (cv_kind)
        nin = 3;
    if (axes) {
        int64_t n_ax = na;
        om_shape as = om_shape_make(1, &n_ax);
        ins[3] = om_graph_add_constant(g, "axes", OM_DT_INT64, &as, axes, (size_t)na * 8);
        nin = 4;
    }
    om_value *y = cg_value(g, "y", dt, r, yd);
    om_node *n = om_graph_add_node(g, OM_OP_PAD, "p", ins, nin, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "mode", mode), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Pad: %s", om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, ins[0]), om_shape_numel(&ins[0]->shape), -100, 100);
    double cv = 0;
    if (cv_kind == 1)
        cv = dt == OM_DT_INT32 ? 2 : 2.75;
    if (cv_kind == 2) {
        cg_set(dt, cg_jit_buf(j, ins[2]), 0, -7);
        cv = -7;
    }
    cg_jit_run_checked(j);
    const void *px = cg_jit_buf(j, ins[0]), *py = cg_jit_buf(j, y);
    for (int64_t e = 0; e < om_shape_numel(&y->shape); e++) {
        int64_t rest = e, src = 0, mul = 1;
        bool cst = false;
        for (int i = r - 1; i >= 0; i--) {
            int64_t c = rest % yd[i];
            rest /= yd[i];
            int64_t s = ref_coord(mode, c - begin[i], xd[i]);
            if (s < 0)
                cst = true;
            else
                src += s * mul;
            mul *= xd[i];
        }
        double want = cst ? cv : cg_get(dt, px, src), got = cg_get(dt, py, e);
        if (got != want)
            fail_msg("Pad %s %s rank %d: element %lld = %g, want %g", mode, om_dtype_name(dt), r, (long long)e, got,
                     want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_modes(void **state)
{
    (void)state;
    static const char *const modes[3] = {"constant", "edge", "reflect"};
    int64_t xd[4] = {2, 3, 4, 5};
    int64_t pads[8] = {0, 1, 2, 1, 1, 0, 3, 2};
    for (int m = 0; m < 3; m++)
        for (int r = 1; r <= 4; r++) {
            int64_t p[8];
            for (int k = 0; k < r; k++) {
                p[k] = pads[k];
                p[k + r] = pads[4 + k];
            }
            pad_case(OM_DT_FLOAT, modes[m], r, xd + 4 - r, p, r, NULL, 0);
            pad_case(OM_DT_INT32, modes[m], r, xd + 4 - r, p, r, NULL, m == 0 ? 1 : 0);
        }
    int64_t big[4] = {7, 9, 8, 5}; /* pads beyond the dim: reflect folds more than once */
    int64_t d2[2] = {3, 2};
    pad_case(OM_DT_DOUBLE, "reflect", 2, d2, big, 2, NULL, 0);
    pad_case(OM_DT_FLOAT16, "edge", 2, d2, big, 2, NULL, 0);
    int64_t d1[1] = {1}, p1[2] = {3, 4};
    pad_case(OM_DT_FLOAT, "reflect", 1, d1, p1, 1, NULL, 0);
}

static void test_crop_axes_value(void **state)
{
    (void)state;
    int64_t xd[3] = {4, 5, 6};
    int64_t crop[6] = {-1, 2, 0, 1, -2, -3};
    pad_case(OM_DT_FLOAT, "constant", 3, xd, crop, 3, NULL, 2);
    int64_t ap[4] = {2, 1, 0, 3}, axes[2] = {-1, 0};
    pad_case(OM_DT_INT8, "constant", 3, xd, ap, 2, axes, 2);
    pad_case(OM_DT_FLOAT, "reflect", 3, xd, ap, 2, axes, 0);
    int64_t ed[2] = {0, 3}, ep[4] = {1, 0, 1, 1};
    pad_case(OM_DT_FLOAT, "constant", 2, ed, ep, 2, NULL, 1); /* empty input: all constant */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_crop_axes_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
