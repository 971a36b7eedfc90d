/* The signal kernels (codegen/kernels/seq_dft.c, seq_window.c): DFT against a direct
 * double-precision sum (real and complex input, every axis, inverse, onesided, dft_length
 * padding and truncation), STFT (window, complex signal), the window functions against
 * their formulas and MelWeightMatrix against the ONNX suite's expected matrix. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const double PI = 3.14159265358979323846;

/* sum_j x[j] e^{sign 2 pi i jk/n} for j < min(len, n) */
static void dft_ref(const double *xr, const double *xi, int64_t len, int64_t n, int64_t k, int sign, double *re,
                    double *im)
{
    *re = *im = 0;
    for (int64_t j = 0; j < len && j < n; j++) {
        double a = sign * 2 * PI * (double)j * (double)k / (double)n;
        *re += xr[j] * cos(a) - xi[j] * sin(a);
        *im += xr[j] * sin(a) + xi[j] * cos(a);
    }
}

static void check_dft(int r, const int64_t *dims, int axis, int64_t n, bool inverse, bool onesided, om_dtype dt)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, dims);
    int64_t od[8];
    memcpy(od, dims, sizeof(int64_t) * (size_t)r);
    int64_t K = onesided ? n / 2 + 1 : n;
    od[axis] = K;
    od[r - 1] = 2;
    om_value *y = cg_value(g, "y", dt, r, od);
    om_node *nd = om_graph_add_node(g, OM_OP_DFT, "dft", &x, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, nd, "axis", axis), OM_OK);
    assert_int_equal(om_node_set_int(g, nd, "dft_length", n), OM_OK);
    assert_int_equal(om_node_set_int(g, nd, "inverse", inverse), OM_OK);
    assert_int_equal(om_node_set_int(g, nd, "onesided", onesided), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("DFT: %s", om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, x), om_shape_numel(&x->shape), -1, 1);
    cg_jit_run_checked(j);
    int64_t C = dims[r - 1], L = dims[axis], outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= dims[d];
    for (int d = axis + 1; d < r - 1; d++)
        inner *= dims[d];
    double xr[64], xi[64];
    const void *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    double tol = dt == OM_DT_FLOAT ? 1e-5 : 1e-12;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            for (int64_t l = 0; l < L; l++) {
                int64_t at = ((o * L + l) * inner + i) * C;
                xr[l] = cg_get(dt, px, at);
                xi[l] = C == 2 ? cg_get(dt, px, at + 1) : 0;
            }
            for (int64_t k = 0; k < K; k++) {
                double re, im;
                dft_ref(xr, xi, L, n, k, inverse ? 1 : -1, &re, &im);
                if (inverse)
                    re /= (double)n, im /= (double)n;
                int64_t at = ((o * K + k) * inner + i) * 2;
                double gr = cg_get(dt, py, at), gi = cg_get(dt, py, at + 1);
                if (!(fabs(gr - re) <= tol * (1 + fabs(re))) || !(fabs(gi - im) <= tol * (1 + fabs(im))))
                    fail_msg("DFT axis %d n %lld inv %d [o%lld k%lld i%lld] = (%g, %g), want (%g, %g)", axis,
                             (long long)n, inverse, (long long)o, (long long)k, (long long)i, gr, gi, re, im);
            }
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_dft(void **state)
{
    (void)state;
    int64_t a[4] = {2, 8, 3, 1};
    check_dft(4, a, 1, 8, false, false, OM_DT_FLOAT);
    check_dft(4, a, 2, 3, false, false, OM_DT_FLOAT);
    check_dft(4, a, 0, 2, false, false, OM_DT_DOUBLE);
    check_dft(4, a, 1, 8, false, true, OM_DT_FLOAT);   /* onesided */
    check_dft(4, a, 1, 11, false, true, OM_DT_FLOAT);  /* zero padding */
    check_dft(4, a, 1, 5, false, false, OM_DT_FLOAT);  /* truncation */
    int64_t c[3] = {2, 6, 2};
    check_dft(3, c, 1, 6, true, false, OM_DT_FLOAT);   /* complex inverse */
    check_dft(3, c, 1, 6, false, false, OM_DT_DOUBLE);
    check_dft(3, c, 0, 4, true, false, OM_DT_FLOAT);
}

static void check_stft(int64_t B, int64_t S, int64_t C, int64_t step, int64_t flen, bool window, bool onesided)
{
    om_graph *g = om_graph_create("t");
    int64_t xd[3] = {B, S, C}, one = 1;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 3, xd);
    int64_t st64 = step;
    om_value *stp = om_graph_add_constant(g, "step", OM_DT_INT64, &(om_shape){.rank = 0}, &st64, 8);
    (void)one;
    om_value *win = window ? cg_input(g, "win", OM_DT_FLOAT, 1, &flen) : NULL;
    int64_t F = 1 + (S - flen) / step, K = onesided ? flen / 2 + 1 : flen;
    int64_t yd[4] = {B, F, K, 2};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd);
    om_value *in[3] = {x, stp, win};
    om_node *nd = om_graph_add_node(g, OM_OP_STFT, "stft", in, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, nd, "frame_step", step), OM_OK);
    assert_int_equal(om_node_set_int(g, nd, "frame_length", flen), OM_OK);
    assert_int_equal(om_node_set_int(g, nd, "onesided", onesided), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("STFT: %s", om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, x), B * S * C, -1, 1);
    if (win)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, win), flen, 0, 1);
    cg_jit_run_checked(j);
    const float *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y), *pw = win ? cg_jit_buf(j, win) : NULL;
    double xr[64], xi[64];
    for (int64_t b = 0; b < B; b++)
        for (int64_t f = 0; f < F; f++) {
            for (int64_t l = 0; l < flen; l++) {
                int64_t at = (b * S + f * step + l) * C;
                double w = pw ? pw[l] : 1.0;
                xr[l] = px[at] * w;
                xi[l] = C == 2 ? px[at + 1] * w : 0;
            }
            for (int64_t k = 0; k < K; k++) {
                double re, im;
                dft_ref(xr, xi, flen, flen, k, -1, &re, &im);
                int64_t at = ((b * F + f) * K + k) * 2;
                if (!(fabs(py[at] - re) <= 1e-5 * (1 + fabs(re))) || !(fabs(py[at + 1] - im) <= 1e-5 * (1 + fabs(im))))
                    fail_msg("STFT [b%lld f%lld k%lld] = (%g, %g), want (%g, %g)", (long long)b, (long long)f,
                             (long long)k, py[at], py[at + 1], re, im);
            }
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_stft(void **state)
{
    (void)state;
    check_stft(2, 40, 1, 5, 8, true, true);
    check_stft(1, 37, 1, 3, 16, false, true);
    check_stft(1, 30, 2, 4, 6, false, false);
    check_stft(2, 12, 2, 1, 5, true, false);
}

static void check_window(om_op op, int64_t size, bool periodic)
{
    om_graph *g = om_graph_create("t");
    int32_t sz = (int32_t)size;
    om_value *s = om_graph_add_constant(g, "size", OM_DT_INT32, &(om_shape){.rank = 0}, &sz, 4);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 1, &size);
    om_node *nd = om_graph_add_node(g, op, "w", &s, 1, &y, 1);
    assert_int_equal(om_node_set_int(g, nd, "periodic", periodic), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    double N = periodic ? (double)size : (double)(size - 1);
    for (int64_t i = 0; i < size; i++) {
        double a = 2 * PI * (double)i / N, want;
        if (op == OM_OP_HANN_WINDOW)
            want = pow(sin(PI * (double)i / N), 2);
        else if (op == OM_OP_HAMMING_WINDOW)
            want = 0.54347826086 - 0.45652173913 * cos(a);
        else
            want = 0.42 - 0.5 * cos(a) + 0.08 * cos(2 * a);
        if (!(fabs(py[i] - want) <= 1e-6))
            fail_msg("%s(%lld, periodic %d)[%lld] = %.8g, want %.8g", om_op_name(op), (long long)size, periodic,
                     (long long)i, py[i], want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_windows(void **state)
{
    (void)state;
    om_op ops[3] = {OM_OP_HANN_WINDOW, OM_OP_HAMMING_WINDOW, OM_OP_BLACKMAN_WINDOW};
    for (int k = 0; k < 3; k++) {
        check_window(ops[k], 10, true);
        check_window(ops[k], 10, false);
        check_window(ops[k], 33, true);
    }
}

/* the backend suite's test_melweightmatrix: 8 bins, dft_length 16, 8192 Hz, 0..4096 Hz */
static void test_mel(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int32_t bins = 8, dlen = 16, rate = 8192;
    float lo = 0, hi = 4096;
    om_shape sc = {.rank = 0};
    om_value *in[5] = {om_graph_add_constant(g, "bins", OM_DT_INT32, &sc, &bins, 4),
                       om_graph_add_constant(g, "dlen", OM_DT_INT32, &sc, &dlen, 4),
                       om_graph_add_constant(g, "rate", OM_DT_INT32, &sc, &rate, 4),
                       om_graph_add_constant(g, "lo", OM_DT_FLOAT, &sc, &lo, 4),
                       om_graph_add_constant(g, "hi", OM_DT_FLOAT, &sc, &hi, 4)};
    int64_t yd[2] = {9, 8};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 2, yd);
    om_graph_add_node(g, OM_OP_MEL_WEIGHT_MATRIX, "mel", in, 5, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("MelWeightMatrix: %s", om_last_error());
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    /* ones at (0,0) (0,1) (1,2) (1,3) (2,4) (3,5) (4,6) (5,7), zeros elsewhere */
    static const int ones[8][2] = {{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 7}};
    float want[72] = {0};
    for (int k = 0; k < 8; k++)
        want[ones[k][0] * 8 + ones[k][1]] = 1;
    for (int i = 0; i < 72; i++)
        if (py[i] != want[i])
            fail_msg("MelWeightMatrix[%d][%d] = %g, want %g", i / 8, i % 8, py[i], want[i]);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dft),
        cmocka_unit_test(test_stft),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_mel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
