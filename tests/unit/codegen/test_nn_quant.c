/* Quantization kernels against C references (nearbyint: round half to even in the default
 * mode): QuantizeLinear/DequantizeLinear per tensor and per axis (u8, i8, i32), exact .5
 * ties and saturation; DynamicQuantizeLinear; MatMulInteger (batch broadcast, per-row /
 * per-column zero points) and QLinearMatMul; ConvInteger and QLinearConv (pads, strides,
 * groups, per-channel weight scale and zero point, bias). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double sat(double v, om_dtype dt)
{
    double lo = dt == OM_DT_UINT8 ? 0 : -128, hi = dt == OM_DT_UINT8 ? 255 : 127;
    return v < lo ? lo : v > hi ? hi : v;
}

static cg_jit *build(om_graph *g)
{
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("compile: %s", om_last_error());
    return j;
}

/* y = QuantizeLinear(x, s, zp) then z = DequantizeLinear(y, s, zp), axis 1 of [2, C, 5]. */
static void check_qdq(om_dtype qt, int64_t C, bool per_axis)
{
    int64_t dx[3] = {2, C, 5}, dc = per_axis ? C : 1;
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 3, dx), *s = cg_input(g, "s", OM_DT_FLOAT, per_axis ? 1 : 0, &dc);
    om_value *zp = cg_input(g, "zp", qt, per_axis ? 1 : 0, &dc);
    om_value *y = cg_value(g, "y", qt, 3, dx), *z = cg_value(g, "z", OM_DT_FLOAT, 3, dx);
    om_node *q = om_graph_add_node(g, OM_OP_QUANTIZE_LINEAR, "q", (om_value *[]){x, s, zp}, 3, &y, 1);
    om_node *dq = om_graph_add_node(g, OM_OP_DEQUANTIZE_LINEAR, "dq", (om_value *[]){y, s, zp}, 3, &z, 1);
    assert_non_null(q);
    assert_non_null(dq);
    om_graph_add_output(g, y);
    om_graph_add_output(g, z);
    cg_jit *j = build(g);
    int64_t nx = 10 * C;
    float *px = cg_jit_buf(j, x), *ps = cg_jit_buf(j, s);
    for (int64_t c = 0; c < dc; c++) {
        ps[c] = (float)(0.25 * (double)(c + 1)); /* exact binary scales: x/s ties are exact */
        cg_set(qt, cg_jit_buf(j, zp), c, qt == OM_DT_UINT8 ? 100 + (double)c : (double)c - 3);
    }
    for (int64_t i = 0; i < nx; i++)
        px[i] = (float)((i % 7 == 0) ? (double)(i % 11) * 0.125 - 0.5 : cg_uniform(-120, 120));
    px[0] = 1e9f; /* saturates */
    px[1] = -1e9f;
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < nx; i++) {
        int64_t c = per_axis ? (i / 5) % C : 0;
        double scale = ps[c], zpv = cg_get(qt, cg_jit_buf(j, zp), c);
        double want = sat(nearbyint((double)(px[i] / (float)scale)) + zpv, qt);
        double got = cg_get(qt, cg_jit_buf(j, y), i);
        if (got != want) fail_msg("quantize %s x[%lld] = %.9g: got %g, want %g", om_dtype_name(qt), (long long)i, px[i], got, want);
        double dwant = (want - zpv) * scale, dgot = ((float *)cg_jit_buf(j, z))[i];
        if (fabs(dgot - dwant) > 1e-6 * (1 + fabs(dwant))) fail_msg("dequantize [%lld]: got %g, want %g", (long long)i, dgot, dwant);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_quantize_dequantize(void **state)
{
    check_qdq(OM_DT_UINT8, 3, false);
    check_qdq(OM_DT_INT8, 3, false);
    check_qdq(OM_DT_UINT8, 4, true);
    check_qdq(OM_DT_INT8, 5, true);
}

static void test_dynamic(void **state)
{
    for (int t = 0; t < 3; t++) {
        int64_t n = 37;
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, &n);
        om_value *o[3] = {cg_value(g, "y", OM_DT_UINT8, 1, &n), cg_value(g, "s", OM_DT_FLOAT, 0, NULL),
                          cg_value(g, "z", OM_DT_UINT8, 0, NULL)};
        assert_non_null(om_graph_add_node(g, OM_OP_DYNAMIC_QUANTIZE_LINEAR, "d", &x, 1, o, 3));
        for (int i = 0; i < 3; i++) om_graph_add_output(g, o[i]);
        cg_jit *j = build(g);
        float *px = cg_jit_buf(j, x);
        double lo = t == 0 ? -3 : t == 1 ? 0.5 : -7, hi = t == 0 ? 5 : t == 1 ? 9 : -1; /* mixed, positive, negative */
        for (int64_t i = 0; i < n; i++) px[i] = (float)cg_uniform(lo, hi);
        cg_jit_run_checked(j);
        float mn = 0, mx = 0;
        for (int64_t i = 0; i < n; i++) {
            mn = px[i] < mn ? px[i] : mn;
            mx = px[i] > mx ? px[i] : mx;
        }
        float scale = (mx - mn) / 255.0f;
        double zp = sat(nearbyint(0 - mn / scale), OM_DT_UINT8);
        assert_float_equal(*(float *)cg_jit_buf(j, o[1]), scale, 0);
        assert_int_equal(*(uint8_t *)cg_jit_buf(j, o[2]), (int)zp);
        for (int64_t i = 0; i < n; i++) {
            double want = sat(nearbyint(px[i] / scale) + zp, OM_DT_UINT8);
            if (((uint8_t *)cg_jit_buf(j, o[0]))[i] != want) fail_msg("dynamic y[%lld] wrong", (long long)i);
        }
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
}

/* A [B?, M, K] x B [K, N] (or batched) with zero points; QLinear when ql. */
static void check_qmatmul(bool ql, int ra, const int64_t *da, int rb, const int64_t *db, int ry, const int64_t *dy,
                          bool row_zp)
{
    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", OM_DT_UINT8, ra, da), *b = cg_input(g, "b", OM_DT_INT8, rb, db);
    int64_t M = da[ra - 2], K = da[ra - 1], N = db[rb - 1];
    om_value *az = cg_input(g, "az", OM_DT_UINT8, row_zp ? 1 : 0, &M), *bz = cg_input(g, "bz", OM_DT_INT8, row_zp ? 1 : 0, &N);
    om_value *as = cg_input(g, "as", OM_DT_FLOAT, 0, NULL), *bs = cg_input(g, "bs", OM_DT_FLOAT, 0, NULL);
    om_value *ys = cg_input(g, "ys", OM_DT_FLOAT, 0, NULL), *yz = cg_input(g, "yz", OM_DT_UINT8, 0, NULL);
    om_value *y = cg_value(g, "y", ql ? OM_DT_UINT8 : OM_DT_INT32, ry, dy);
    if (ql) assert_non_null(om_graph_add_node(g, OM_OP_QLINEAR_MATMUL, "m", (om_value *[]){a, as, az, b, bs, bz, ys, yz}, 8, &y, 1));
    else assert_non_null(om_graph_add_node(g, OM_OP_MATMUL_INTEGER, "m", (om_value *[]){a, b, az, bz}, 4, &y, 1));
    om_graph_add_output(g, y);
    cg_jit *j = build(g);
    int64_t na = om_shape_numel(&a->shape), nb = om_shape_numel(&b->shape), ny = om_shape_numel(&y->shape);
    cg_fill_random(OM_DT_UINT8, cg_jit_buf(j, a), na, 0, 255);
    cg_fill_random(OM_DT_INT8, cg_jit_buf(j, b), nb, -128, 127);
    cg_fill_random(OM_DT_UINT8, cg_jit_buf(j, az), row_zp ? M : 1, 0, 255);
    cg_fill_random(OM_DT_INT8, cg_jit_buf(j, bz), row_zp ? N : 1, -10, 10);
    *(float *)cg_jit_buf(j, as) = 0.02f;
    *(float *)cg_jit_buf(j, bs) = 0.03f;
    *(float *)cg_jit_buf(j, ys) = 7.5f;
    *(uint8_t *)cg_jit_buf(j, yz) = 120;
    cg_jit_run_checked(j);
    int64_t nbat = ny / (M * N);
    for (int64_t t = 0; t < nbat; t++) {
        /* batch broadcast: a batch dim of 1 (or a missing one) repeats */
        int64_t ta = (ra > 2 && da[0] > 1) ? t : 0, tb = (rb > 2 && db[0] > 1) ? t : 0;
        for (int64_t m = 0; m < M; m++)
            for (int64_t n = 0; n < N; n++) {
                int64_t acc = 0;
                for (int64_t k = 0; k < K; k++)
                    acc += (int64_t)(cg_get(OM_DT_UINT8, cg_jit_buf(j, a), (ta * M + m) * K + k) -
                                     cg_get(OM_DT_UINT8, cg_jit_buf(j, az), row_zp ? m : 0)) *
                           (int64_t)(cg_get(OM_DT_INT8, cg_jit_buf(j, b), (tb * K + k) * N + n) -
                                     cg_get(OM_DT_INT8, cg_jit_buf(j, bz), row_zp ? n : 0));
                double want = (double)acc;
                if (ql) want = sat(nearbyintf((float)acc * (0.02f * 0.03f / 7.5f)) + 120, OM_DT_UINT8);
                double got = cg_get(y->dtype, cg_jit_buf(j, y), (t * M + m) * N + n);
                if (got != want) fail_msg("%s [%lld,%lld,%lld] = %g, want %g", ql ? "QLinearMatMul" : "MatMulInteger",
                                          (long long)t, (long long)m, (long long)n, got, want);
            }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_matmul(void **state)
{
    int64_t a2[2] = {4, 7}, b2[2] = {7, 5}, y2[2] = {4, 5};
    int64_t a3[3] = {3, 4, 7}, b3[3] = {1, 7, 5}, y3[3] = {3, 4, 5};
    check_qmatmul(false, 2, a2, 2, b2, 2, y2, false);
    check_qmatmul(false, 2, a2, 2, b2, 2, y2, true);
    check_qmatmul(false, 3, a3, 3, b3, 3, y3, false);
    check_qmatmul(false, 2, a2, 3, (int64_t[]){3, 7, 5}, 3, y3, false);
    check_qmatmul(false, 2, (int64_t[]){2, 3}, 2, (int64_t[]){3, 9000}, 2, (int64_t[]){2, 9000}, true); /* long rows */
    check_qmatmul(true, 2, a2, 2, b2, 2, y2, false);
    check_qmatmul(true, 3, a3, 3, b3, 3, y3, false);
}

/* 2-D integer conv: x u8 [1, C, 7, W], w i8 [M, C/g, 3, 2], stride 2, pads 1, group g. */
static void check_qconv(bool ql, int64_t C, int64_t M, int64_t g_, int64_t W)
{
    int64_t H = 7, KH = 3, KW = 2, S = 2, P = 1;
    int64_t OH = (H + 2 * P - KH) / S + 1, OW = (W + 2 * P - KW) / S + 1;
    int64_t dx[4] = {1, C, H, W}, dw[4] = {M, C / g_, KH, KW}, dy[4] = {1, M, OH, OW};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_UINT8, 4, dx), *w = cg_input(g, "w", OM_DT_INT8, 4, dw);
    om_value *xz = cg_input(g, "xz", OM_DT_UINT8, 0, NULL), *wz = cg_input(g, "wz", OM_DT_INT8, 1, &M);
    om_value *xs = cg_input(g, "xs", OM_DT_FLOAT, 0, NULL), *ws = cg_input(g, "ws", OM_DT_FLOAT, 1, &M);
    om_value *ys = cg_input(g, "ys", OM_DT_FLOAT, 0, NULL), *yz = cg_input(g, "yz", OM_DT_INT8, 0, NULL);
    om_value *bias = cg_input(g, "bias", OM_DT_INT32, 1, &M);
    om_value *y = cg_value(g, "y", ql ? OM_DT_INT8 : OM_DT_INT32, 4, dy);
    om_node *n = ql ? om_graph_add_node(g, OM_OP_QLINEAR_CONV, "c", (om_value *[]){x, xs, xz, w, ws, wz, ys, yz, bias}, 9, &y, 1)
                    : om_graph_add_node(g, OM_OP_CONV_INTEGER, "c", (om_value *[]){x, w, xz, wz}, 4, &y, 1);
    assert_non_null(n);
    om_node_set_int(g, n, "group", g_);
    om_node_set_ints(g, n, "strides", (int64_t[]){S, S}, 2);
    om_node_set_ints(g, n, "pads", (int64_t[]){P, P, P, P}, 4);
    om_graph_add_output(g, y);
    cg_jit *j = build(g);
    cg_fill_random(OM_DT_UINT8, cg_jit_buf(j, x), C * H * W, 0, 255);
    cg_fill_random(OM_DT_INT8, cg_jit_buf(j, w), M * (C / g_) * KH * KW, -128, 127);
    *(uint8_t *)cg_jit_buf(j, xz) = 128;
    cg_fill_random(OM_DT_INT8, cg_jit_buf(j, wz), M, -5, 5);
    cg_fill_random(OM_DT_INT32, cg_jit_buf(j, bias), M, -1000, 1000);
    *(float *)cg_jit_buf(j, xs) = 0.05f;
    *(float *)cg_jit_buf(j, ys) = 3.0f;
    *(int8_t *)cg_jit_buf(j, yz) = -5;
    for (int64_t m = 0; m < M; m++) ((float *)cg_jit_buf(j, ws))[m] = 0.01f * (float)(m + 1);
    cg_jit_run_checked(j);
    int64_t Cg = C / g_, Mg = M / g_;
    for (int64_t m = 0; m < M; m++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                int64_t acc = ql ? (int64_t)cg_get(OM_DT_INT32, cg_jit_buf(j, bias), m) : 0;
                for (int64_t c = 0; c < Cg; c++)
                    for (int64_t ky = 0; ky < KH; ky++)
                        for (int64_t kx = 0; kx < KW; kx++) {
                            int64_t iy = oy * S - P + ky, ix = ox * S - P + kx;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            int64_t ci = (m / Mg) * Cg + c;
                            acc += ((int64_t)cg_get(OM_DT_UINT8, cg_jit_buf(j, x), (ci * H + iy) * W + ix) - 128) *
                                   ((int64_t)cg_get(OM_DT_INT8, cg_jit_buf(j, w), ((m * Cg + c) * KH + ky) * KW + kx) -
                                    (int64_t)cg_get(OM_DT_INT8, cg_jit_buf(j, wz), m));
                        }
                double want = (double)acc;
                if (ql) {
                    float mult = 0.05f / 3.0f * (0.01f * (float)(m + 1));
                    want = sat(nearbyintf((float)acc * mult) - 5, OM_DT_INT8);
                }
                double got = cg_get(y->dtype, cg_jit_buf(j, y), (m * OH + oy) * OW + ox);
                if (got != want) fail_msg("%s [%lld,%lld,%lld] = %g, want %g", ql ? "QLinearConv" : "ConvInteger",
                                          (long long)m, (long long)oy, (long long)ox, got, want);
            }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_conv(void **state)
{
    check_qconv(false, 2, 3, 1, 6);
    check_qconv(false, 4, 4, 2, 6);
    check_qconv(true, 2, 3, 1, 6);
    check_qconv(true, 3, 3, 3, 6);
    check_qconv(true, 2, 2, 1, 16500); /* rows of 8251 outputs: the per-output path */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantize_dequantize),
        cmocka_unit_test(test_dynamic),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_conv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
