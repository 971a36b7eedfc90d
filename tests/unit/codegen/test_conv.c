/* Conv kernel against a plain C reference (double accumulation, explicit zero padding by
 * bounds checks) over random data: 2-D with pads/strides/dilations combinations and
 * asymmetric pads, groups, depthwise, bias present or absent, 1-D and 3-D, rows wider than
 * the kernel's output block, kernels larger than the input (all padding), kernels wider
 * than the unrolled interior path, f32/f64/f16/bf16,
 * absent attributes taking ONNX defaults; and the rejected cases (auto_pad, int dtype,
 * wrong output shape, absurd stride or group). cg_jit_run_checked also checks that a
 * 3-range split agrees.
 * Tolerance: |got - ref| <= rtol * sum|w*x| (+ the output rounding for f16/bf16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct conv_case {
    om_dtype dt;
    int nsp;
    int64_t n, c, m, group;
    int64_t in[3], k[3], s[3], d[3], pads[6];
    bool bias;
    bool no_attrs; /* leave strides/dilations/pads/kernel_shape/group absent (defaults) */
} conv_case;

static double tol_for(om_dtype dt, double ref, double mag)
{
    switch (dt) {
    case OM_DT_FLOAT: return 1e-5 * mag + 1e-30;
    case OM_DT_DOUBLE: return 1e-12 * mag + 1e-300;
    case OM_DT_FLOAT16: return 1e-3 * fabs(ref) + 1e-5 * mag + 1e-7;
    default: return 8e-3 * fabs(ref) + 1e-5 * mag + 1e-7;
    }
}

static void check_conv(conv_case cc)
{
    int nsp = cc.nsp, r = nsp + 2;
    int64_t xd[5] = {cc.n, cc.c}, wd[5] = {cc.m, cc.c / cc.group}, yd[5] = {cc.n, cc.m}, out[3];
    for (int d = 0; d < nsp; d++) {
        if (!cc.s[d])
            cc.s[d] = 1;
        if (!cc.d[d])
            cc.d[d] = 1;
        xd[2 + d] = cc.in[d];
        wd[2 + d] = cc.k[d];
        int64_t span = cc.d[d] * (cc.k[d] - 1) + 1;
        out[d] = (cc.in[d] + cc.pads[d] + cc.pads[nsp + d] - span) / cc.s[d] + 1;
        yd[2 + d] = out[d];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", cc.dt, r, xd), *w = cg_input(g, "w", cc.dt, r, wd);
    int64_t bd[1] = {cc.m};
    om_value *b = cc.bias ? cg_input(g, "b", cc.dt, 1, bd) : NULL;
    om_value *y = cg_value(g, "y", cc.dt, r, yd), *ins[3] = {x, w, b};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv", ins, b ? 3 : 2, &y, 1);
    assert_non_null(n);
    if (!cc.no_attrs) {
        assert_int_equal(om_node_set_ints(g, n, "kernel_shape", cc.k, nsp), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "strides", cc.s, nsp), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "dilations", cc.d, nsp), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "pads", cc.pads, 2 * nsp), OM_OK);
        assert_int_equal(om_node_set_int(g, n, "group", cc.group), OM_OK);
    }
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    if (st != OM_OK)
        fail_msg("conv %s: %s", om_dtype_name(cc.dt), om_last_error());
    cg_fill_random(cc.dt, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    cg_fill_random(cc.dt, cg_jit_buf(j, w), om_shape_numel(&w->shape), -1, 1);
    if (b)
        cg_fill_random(cc.dt, cg_jit_buf(j, b), cc.m, -1, 1);
    cg_jit_run_checked(j);

    const void *X = cg_jit_buf(j, x), *W = cg_jit_buf(j, w), *B = b ? cg_jit_buf(j, b) : NULL;
    const void *Y = cg_jit_buf(j, y);
    int64_t osz = 1, ksz = 1, isz = 1, cg = cc.c / cc.group, mg = cc.m / cc.group;
    for (int d = 0; d < nsp; d++) {
        osz *= out[d];
        ksz *= cc.k[d];
        isz *= cc.in[d];
    }
    for (int64_t ni = 0; ni < cc.n; ni++)
        for (int64_t m = 0; m < cc.m; m++)
            for (int64_t o = 0; o < osz; o++) {
                int64_t oi[3], rem = o;
                for (int d = nsp - 1; d >= 0; d--) {
                    oi[d] = rem % out[d];
                    rem /= out[d];
                }
                double s = B ? cg_get(cc.dt, B, m) : 0, mag = fabs(s);
                int64_t gi = m / mg;
                for (int64_t c = 0; c < cg; c++)
                    for (int64_t kk = 0; kk < ksz; kk++) {
                        int64_t ki[3], kr = kk, xoff = 0;
                        bool inside = true;
                        for (int d = nsp - 1; d >= 0; d--) {
                            ki[d] = kr % cc.k[d];
                            kr /= cc.k[d];
                        }
                        for (int d = 0; d < nsp; d++) {
                            int64_t pos = oi[d] * cc.s[d] - cc.pads[d] + ki[d] * cc.d[d];
                            if (pos < 0 || pos >= cc.in[d])
                                inside = false;
                            xoff = xoff * cc.in[d] + pos;
                        }
                        if (!inside)
                            continue;
                        double xv = cg_get(cc.dt, X, (ni * cc.c + gi * cg + c) * isz + xoff);
                        double wv = cg_get(cc.dt, W, (m * cg + c) * ksz + kk);
                        s += xv * wv;
                        mag += fabs(xv * wv);
                    }
                int64_t e = (ni * cc.m + m) * osz + o;
                double got = cg_get(cc.dt, Y, e);
                if (!(fabs(got - s) <= tol_for(cc.dt, s, mag)))
                    fail_msg("conv %s %d-D group %lld: y[%lld] = %.9g, want %.9g", om_dtype_name(cc.dt), nsp,
                             (long long)cc.group, (long long)e, got, s);
            }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_2d_basic(void **state)
{
    /* the ONNX test_basic_conv_* geometry, with and without padding */
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 1, 1, 1, {5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false});
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 1, 1, 1, {5, 5}, {3, 3}, {1, 1}, {1, 1}, {0}, false});
    check_conv((conv_case){OM_DT_FLOAT, 2, 2, 3, 4, 1, {7, 6}, {3, 2}, {1, 1}, {1, 1}, {0}, true});
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 3, 5, 1, {6, 7}, {1, 1}, {1, 1}, {1, 1}, {0}, true});
}

static void test_2d_strides_pads_dilations(void **state)
{
    static const int64_t strides[][2] = {{1, 1}, {2, 2}, {3, 1}, {1, 2}};
    static const int64_t dils[][2] = {{1, 1}, {2, 2}, {1, 3}};
    static const int64_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 0, 2, 1}, {0, 2, 1, 0}, {3, 3, 3, 3}};
    for (size_t s = 0; s < 4; s++)
        for (size_t d = 0; d < 3; d++)
            for (size_t p = 0; p < 5; p++) {
                conv_case cc = {OM_DT_FLOAT, 2, 1, 2, 3, 1, {9, 8}, {3, 3}, {0}, {0}, {0}, (p & 1) != 0};
                memcpy(cc.s, strides[s], sizeof strides[s]);
                memcpy(cc.d, dils[d], sizeof dils[d]);
                memcpy(cc.pads, pads[p], sizeof pads[p]);
                check_conv(cc);
            }
    /* ONNX test_conv_with_strides_and_asymmetric_padding geometry */
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 1, 1, 1, {7, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 0, 1, 0}, false});
    /* kernel wider than the input: most taps in the padding */
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 2, 2, 1, {2, 3}, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, true});
}

static void test_groups(void **state)
{
    check_conv((conv_case){OM_DT_FLOAT, 2, 2, 4, 6, 2, {6, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true});
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 6, 3, 3, {5, 7}, {2, 3}, {2, 1}, {1, 2}, {0, 1, 1, 0}, false});
    /* depthwise: group = C = M, and channel multiplier 2 */
    check_conv((conv_case){OM_DT_FLOAT, 2, 2, 5, 5, 5, {8, 8}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true});
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 4, 8, 4, {7, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, true});
}

static void test_1d_3d(void **state)
{
    check_conv((conv_case){OM_DT_FLOAT, 1, 2, 3, 4, 1, {20}, {5}, {2}, {1}, {2, 1}, true});
    check_conv((conv_case){OM_DT_FLOAT, 1, 1, 4, 4, 2, {17}, {3}, {1}, {3}, {3, 3}, false});
    check_conv((conv_case){OM_DT_FLOAT, 1, 1, 2, 2, 1, {700}, {4}, {1}, {1}, {1, 2}, true}); /* > 256 per row */
    /* taps beyond the unrolled interior path (Kn > 16), and a kernel exactly 16 wide */
    check_conv((conv_case){OM_DT_FLOAT, 1, 1, 2, 3, 1, {60}, {20}, {2}, {1}, {3, 4}, true});
    check_conv((conv_case){OM_DT_FLOAT, 1, 1, 1, 2, 1, {40}, {16}, {1}, {2}, {5, 0}, false});
    check_conv((conv_case){OM_DT_FLOAT, 3, 1, 2, 3, 1, {5, 6, 7}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1},
                           {1, 1, 1, 1, 1, 1}, true});
    check_conv((conv_case){OM_DT_FLOAT, 3, 2, 4, 4, 2, {6, 5, 8}, {2, 3, 2}, {2, 1, 3}, {1, 2, 1},
                           {0, 1, 2, 1, 0, 1}, false});
}

static void test_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (size_t d = 0; d < 3; d++) {
        check_conv((conv_case){dts[d], 2, 1, 4, 6, 2, {7, 7}, {3, 3}, {2, 1}, {1, 1}, {1, 1, 1, 1}, true});
        check_conv((conv_case){dts[d], 1, 1, 3, 3, 3, {300}, {3}, {1}, {2}, {2, 2}, true});
    }
}

static void test_default_attrs(void **state)
{
    /* no attributes at all: strides 1, dilations 1, pads 0, group 1, kernel_shape from W */
    check_conv((conv_case){OM_DT_FLOAT, 2, 1, 3, 2, 1, {6, 5}, {2, 3}, {1, 1}, {1, 1}, {0}, true, true});
}

static om_status build_bad(int which)
{
    int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, yd[4] = {1, 3, 3, 3};
    om_dtype dt = which == 1 ? OM_DT_INT32 : OM_DT_FLOAT;
    if (which == 2)
        yd[3] = 4; /* wrong output width */
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, 4, xd), *w = cg_input(g, "w", dt, 4, wd);
    om_value *y = cg_value(g, "y", dt, 4, yd), *ins[2] = {x, w};
    om_node *n = om_graph_add_node(g, OM_OP_CONV, "conv_bad", ins, 2, &y, 1);
    if (which == 0)
        om_node_set_string(g, n, "auto_pad", "SAME_UPPER");
    if (which == 3) {
        int64_t huge[2] = {(int64_t)1 << 40, 1};
        om_node_set_ints(g, n, "strides", huge, 2);
    }
    if (which == 4)
        om_node_set_int(g, n, "group", ((int64_t)1 << 62) + 1);
    om_graph_add_output(g, y);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    assert_null(j);
    assert_non_null(strstr(om_last_error(), "conv_bad"));
    om_graph_destroy(g);
    return st;
}

static void test_rejects(void **state)
{
    assert_int_equal(build_bad(0), OM_ERR_UNSUPPORTED);   /* auto_pad left in place */
    assert_int_equal(build_bad(1), OM_ERR_UNSUPPORTED);   /* int32 */
    assert_int_equal(build_bad(2), OM_ERR_INVALID_MODEL); /* output shape does not match */
    assert_int_equal(build_bad(3), OM_ERR_INVALID_MODEL); /* absurd stride */
    assert_int_equal(build_bad(4), OM_ERR_INVALID_MODEL); /* absurd group */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_2d_basic),
        cmocka_unit_test(test_2d_strides_pads_dilations),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_1d_3d),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_default_attrs),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
