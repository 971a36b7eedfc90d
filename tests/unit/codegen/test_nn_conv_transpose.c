/* ConvTranspose kernel against a scatter-form reference (each input element adds
 * X * W[k] at o = i*S - P + k*D, the transpose of Conv), which the kernel's gather form
 * must reproduce: 1-D/2-D/3-D, groups, strides, dilations, begin pads, end pads (negative
 * = output_padding), bias, f32/f64/f16; rows short enough for the row-scatter path and one
 * longer than its buffer (the per-output gather). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct ct_case {
    int nsp;
    int64_t N, C, M, group;
    int64_t I[3], K[3], S[3], D[3], P[6];
    bool bias;
} ct_case;

static void check(om_dtype dt, const ct_case *t)
{
    int nsp = t->nsp, r = nsp + 2;
    int64_t dx[5] = {t->N, t->C}, dw[5] = {t->C, t->M / t->group}, dy[5] = {t->N, t->M};
    int64_t isz = 1, ksz = 1, osz = 1, O[3];
    for (int d = 0; d < nsp; d++) {
        O[d] = t->S[d] * (t->I[d] - 1) + (t->K[d] - 1) * t->D[d] + 1 - t->P[d] - t->P[nsp + d];
        dx[2 + d] = t->I[d];
        dw[2 + d] = t->K[d];
        dy[2 + d] = O[d];
        isz *= t->I[d];
        ksz *= t->K[d];
        osz *= O[d];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dx), *w = cg_input(g, "w", dt, r, dw);
    int64_t dm = t->M;
    om_value *b = t->bias ? cg_input(g, "b", dt, 1, &dm) : NULL, *y = cg_value(g, "y", dt, r, dy);
    om_value *in[3] = {x, w, b};
    om_node *n = om_graph_add_node(g, OM_OP_CONV_TRANSPOSE, "ct", in, b ? 3 : 2, &y, 1);
    assert_non_null(n);
    om_node_set_int(g, n, "group", t->group);
    om_node_set_ints(g, n, "strides", t->S, nsp);
    om_node_set_ints(g, n, "dilations", t->D, nsp);
    om_node_set_ints(g, n, "pads", t->P, 2 * nsp);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("ConvTranspose: %s", om_last_error());
    int64_t nx = t->N * t->C * isz, nw = t->C * (t->M / t->group) * ksz, ny = t->N * t->M * osz;
    cg_fill_random(dt, cg_jit_buf(j, x), nx, -1, 1);
    cg_fill_random(dt, cg_jit_buf(j, w), nw, -1, 1);
    if (b) cg_fill_random(dt, cg_jit_buf(j, b), t->M, -1, 1);
    cg_jit_run_checked(j);
    double *ref = calloc((size_t)ny, sizeof *ref);
    const void *px = cg_jit_buf(j, x), *pw = cg_jit_buf(j, w), *py = cg_jit_buf(j, y);
    int64_t Cg = t->C / t->group, Mg = t->M / t->group;
    for (int64_t nn = 0; nn < t->N; nn++)
        for (int64_t m = 0; m < t->M; m++)
            for (int64_t o = 0; o < osz; o++)
                ref[(nn * t->M + m) * osz + o] = b ? cg_get(dt, cg_jit_buf(j, b), m) : 0;
    for (int64_t nn = 0; nn < t->N; nn++)
        for (int64_t c = 0; c < t->C; c++)
            for (int64_t i = 0; i < isz; i++)
                for (int64_t ml = 0; ml < Mg; ml++)
                    for (int64_t k = 0; k < ksz; k++) {
                        int64_t ii = i, kk = k, oflat = 0;
                        int64_t ic[3], kc[3];
                        for (int d = nsp - 1; d >= 0; d--) {
                            ic[d] = ii % t->I[d];
                            ii /= t->I[d];
                            kc[d] = kk % t->K[d];
                            kk /= t->K[d];
                        }
                        bool in_range = true;
                        for (int d = 0; d < nsp; d++) {
                            int64_t od = ic[d] * t->S[d] - t->P[d] + kc[d] * t->D[d];
                            in_range &= od >= 0 && od < O[d];
                            oflat = oflat * O[d] + od;
                        }
                        if (!in_range) continue;
                        int64_t m = (c / Cg) * Mg + ml;
                        ref[(nn * t->M + m) * osz + oflat] +=
                            cg_get(dt, px, (nn * t->C + c) * isz + i) * cg_get(dt, pw, (c * Mg + ml) * ksz + k);
                    }
    double tol = dt == OM_DT_FLOAT16 ? 2e-2 : 1e-5;
    for (int64_t e = 0; e < ny; e++) {
        double got = cg_get(dt, py, e);
        if (!(fabs(got - ref[e]) <= tol * (1 + fabs(ref[e]))))
            fail_msg("%s %d-D: y[%lld] = %.7g, want %.7g", om_dtype_name(dt), nsp, (long long)e, got, ref[e]);
    }
    free(ref);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_shapes(void **state)
{
    ct_case c1 = {1, 2, 3, 4, 1, {5}, {3}, {2}, {1}, {1, -1}, true};
    ct_case c2 = {2, 1, 4, 6, 2, {4, 3}, {3, 2}, {3, 2}, {1, 2}, {1, 0, 0, -1}, true};
    ct_case c3 = {3, 1, 2, 2, 1, {3, 2, 4}, {2, 2, 3}, {1, 2, 1}, {2, 1, 1}, {0, 1, 1, 0, 0, 1}, false};
    ct_case dw = {2, 2, 4, 4, 4, {5, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true};
    ct_case wide = {1, 1, 1, 2, 1, {40}, {20}, {3}, {1}, {2, 5}, false};
    ct_case long_row = {1, 1, 2, 2, 1, {3000}, {3}, {3}, {1}, {0, 0}, true}; /* 9000 > the row buffer: gather */
    check(OM_DT_FLOAT, &c1);
    check(OM_DT_FLOAT, &c2);
    check(OM_DT_FLOAT, &c3);
    check(OM_DT_FLOAT, &dw);
    check(OM_DT_FLOAT, &wide);
    check(OM_DT_FLOAT, &long_row);
    check(OM_DT_DOUBLE, &c2);
    check(OM_DT_FLOAT16, &c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shapes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
