/* Run-time shape inputs of the generator kernels (issue 3): ConstantOfShape (shape), OneHot
 * (depth, with values also read at run time), Range (start / limit / delta: the count is
 * checked, the values computed from the run-time start and delta), and the Hann / Hamming /
 * Blackman windows (size), MelWeightMatrix (every input: the filters are computed at run
 * time) and STFT (frame_step, frame_length: the values set the frame
 * offsets and the transform length). Each input is a graph INPUT; the output shape is the compiled
 * (declared) one. (a) agreeing values: output equals a plain-C reference; (b) disagreeing
 * values: the kernel's check fails the run (OM_ERR_INVALID_ARGUMENT), no output written. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static cg_jit *jit(om_graph *g, const char *what)
{
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    return j;
}

/* The check must fire and leave output y untouched. */
static void run_bad(cg_jit *j, const om_value *y)
{
    size_t bytes = (size_t)om_shape_numel(&y->shape) * om_dtype_size(y->dtype);
    unsigned char *p = cg_jit_buf(j, y);
    memset(p, 0x7e, bytes);
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(cg_jit_run(j, 3), OM_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < bytes; i++)
        if (p[i] != 0x7e)
            fail_msg("output '%s' byte %zu written although the check failed", y->name, i);
}

static void test_constant_of_shape(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t three = 3, yd[3] = {4, 3, 2};
    om_value *s = cg_input(g, "s", OM_DT_INT64, 1, &three), *y = cg_value(g, "y", OM_DT_INT32, 3, yd);
    om_node *n = om_graph_add_node(g, OM_OP_CONSTANT_OF_SHAPE, "c", &s, 1, &y, 1);
    int64_t one = 1;
    int32_t seven = 7;
    om_shape vs = om_shape_make(1, &one);
    om_value *v = om_graph_add_constant(g, "value", OM_DT_INT32, &vs, &seven, 4);
    assert_int_equal(om_node_set_tensor(g, n, "value", v), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "ConstantOfShape");
    int64_t *sp = cg_jit_buf(j, s);
    sp[0] = 4, sp[1] = 3, sp[2] = 2;
    cg_jit_run_checked(j);
    const int32_t *yp = cg_jit_buf(j, y);
    for (int i = 0; i < 24; i++)
        assert_int_equal(yp[i], 7);
    sp[2] = 3;
    run_bad(j, y);
    sp[0] = 2, sp[1] = 3, sp[2] = 4; /* same count, other shape */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_one_hot(void **state)
{
    (void)state;
    /* indices [2,2] (f32), depth f32 scalar, values i32 [2] at run time, axis 1 -> [2,10,2] */
    om_graph *g = om_graph_create("t");
    int64_t id[2] = {2, 2}, two = 2, yd[3] = {2, 10, 2};
    om_value *ins[3] = {cg_input(g, "i", OM_DT_FLOAT, 2, id), cg_input(g, "d", OM_DT_FLOAT, 0, NULL),
                        cg_input(g, "v", OM_DT_INT32, 1, &two)};
    om_value *y = cg_value(g, "y", OM_DT_INT32, 3, yd);
    om_node *n = om_graph_add_node(g, OM_OP_ONE_HOT, "oh", ins, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "OneHot");
    float *ip = cg_jit_buf(j, ins[0]), *dp = cg_jit_buf(j, ins[1]);
    int32_t *vp = cg_jit_buf(j, ins[2]);
    float idx[4] = {1, 9, -1, 2.7f};
    memcpy(ip, idx, sizeof idx);
    dp[0] = 10.0f;
    vp[0] = -3, vp[1] = 5;
    cg_jit_run_checked(j);
    const int32_t *yp = cg_jit_buf(j, y);
    for (int o = 0; o < 2; o++)
        for (int d = 0; d < 10; d++)
            for (int i = 0; i < 2; i++) {
                int64_t k = (int64_t)idx[o * 2 + i];
                if (k < 0)
                    k += 10;
                assert_int_equal(yp[(o * 10 + d) * 2 + i], k == d ? 5 : -3);
            }
    vp[0] = 0, vp[1] = 1; /* values are read at run time */
    cg_jit_run_checked(j);
    assert_int_equal(yp[(0 * 10 + 1) * 2 + 0], 1);
    assert_int_equal(yp[(0 * 10 + 2) * 2 + 0], 0);
    dp[0] = 10.5f; /* truncates to 10: fine */
    cg_jit_run_checked(j);
    dp[0] = 11.0f;
    run_bad(j, y);
    dp[0] = 9.0f;
    run_bad(j, y);
    dp[0] = NAN;
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void range_case(om_dtype dt, double s, double l, double d, int64_t count, double bad_l, double bad_d)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[3] = {cg_input(g, "s", dt, 0, NULL), cg_input(g, "l", dt, 0, NULL), cg_input(g, "d", dt, 0, NULL)};
    om_value *y = cg_value(g, "y", dt, 1, &count);
    assert_non_null(om_graph_add_node(g, OM_OP_RANGE, "r", ins, 3, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Range");
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, d);
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < count; i++) {
        double want = s + (double)i * d, got = cg_get(dt, cg_jit_buf(j, y), i);
        if (fabs(got - want) > 1e-4)
            fail_msg("Range %s [%lld] = %g, want %g", om_dtype_name(dt), (long long)i, got, want);
    }
    /* another start with the same count: the values follow the run-time start */
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s + 1);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l + 1);
    cg_jit_run_checked(j);
    if (count > 0)
        assert_true(fabs(cg_get(dt, cg_jit_buf(j, y), 0) - (s + 1)) < 1e-6);
    cg_set(dt, cg_jit_buf(j, ins[0]), 0, s);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, bad_l);
    run_bad(j, y);
    cg_set(dt, cg_jit_buf(j, ins[1]), 0, l);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, bad_d);
    run_bad(j, y);
    cg_set(dt, cg_jit_buf(j, ins[2]), 0, 0); /* delta 0 is invalid */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_range(void **state)
{
    (void)state;
    range_case(OM_DT_FLOAT, 1, 5, 2, 2, 5.5, 1);           /* ceil(4/2) = 2; 4.5/2 -> 3 */
    range_case(OM_DT_FLOAT, 0.5, 10, 0.25, 38, 10.1, 0.5); /* 38 exactly */
    range_case(OM_DT_INT32, 10, 6, -3, 2, 3, -1);          /* ceil(-4/-3) = 2 */
    range_case(OM_DT_INT64, -5, 1000, 7, 144, 1010, 3);    /* ceil(1005/7) = 144; ceil(1015/7) = 145 */
    range_case(OM_DT_DOUBLE, 3, -3, -0.5, 12, -4, 0.5);
    range_case(OM_DT_INT32, 0, 5, -1, 0, -2, 1); /* empty; limit -2 gives 2, delta 1 gives 5 */
}

static double window_ref(om_op op, int64_t i, int64_t size, bool periodic)
{
    double N = periodic ? (double)size : (double)(size - 1), a = N > 0 ? 2.0 * 3.14159265358979323846 * (double)i / N : 0;
    if (op == OM_OP_HANN_WINDOW)
        return 0.5 - 0.5 * cos(a);
    if (op == OM_OP_HAMMING_WINDOW)
        return 25.0 / 46.0 - 21.0 / 46.0 * cos(a);
    return 0.42 - 0.5 * cos(a) + 0.08 * cos(2 * a);
}

static void test_windows(void **state)
{
    (void)state;
    om_op ops[3] = {OM_OP_HANN_WINDOW, OM_OP_HAMMING_WINDOW, OM_OP_BLACKMAN_WINDOW};
    for (int k = 0; k < 6; k++) {
        om_graph *g = om_graph_create("t");
        int64_t ten = 10;
        om_dtype sdt = k % 2 ? OM_DT_INT64 : OM_DT_INT32;
        om_value *s = cg_input(g, "s", sdt, 0, NULL), *y = cg_value(g, "y", OM_DT_FLOAT, 1, &ten);
        om_node *n = om_graph_add_node(g, ops[k / 2], "w", &s, 1, &y, 1);
        bool periodic = k % 2 == 0;
        assert_int_equal(om_node_set_int(g, n, "periodic", periodic), OM_OK);
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        cg_jit *j = jit(g, om_op_name(ops[k / 2]));
        cg_set(sdt, cg_jit_buf(j, s), 0, 10);
        cg_jit_run_checked(j);
        const float *yp = cg_jit_buf(j, y);
        for (int i = 0; i < 10; i++)
            assert_true(fabs(yp[i] - window_ref(ops[k / 2], i, 10, periodic)) < 1e-6);
        cg_set(sdt, cg_jit_buf(j, s), 0, 9);
        run_bad(j, y);
        cg_set(sdt, cg_jit_buf(j, s), 0, -10);
        run_bad(j, y);
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
}

/* Reference one-sided STFT of a real signal x[S] (batch 1): frames of length L every
 * `step` samples, optional window, K = L/2+1 bins; out [F, K, 2]. */
static void stft_ref(const float *x, const float *win, int64_t L, int64_t step, int64_t F, int64_t K, double *out)
{
    for (int64_t f = 0; f < F; f++)
        for (int64_t k = 0; k < K; k++) {
            double re = 0, im = 0;
            for (int64_t j = 0; j < L; j++) {
                double v = x[f * step + j] * (win ? win[j] : 1.0), a = 2.0 * 3.14159265358979323846 * (double)(j * k) / (double)L;
                re += v * cos(a);
                im -= v * sin(a);
            }
            out[(f * K + k) * 2] = re;
            out[(f * K + k) * 2 + 1] = im;
        }
}

static void stft_check(cg_jit *j, const om_value *x, const om_value *y, const float *win, int64_t L, int64_t step)
{
    int64_t F = y->shape.dims[1], K = y->shape.dims[2];
    double want[64 * 2];
    stft_ref(cg_jit_buf(j, x), win, L, step, F, K, want);
    const float *yp = cg_jit_buf(j, y);
    for (int64_t i = 0; i < F * K * 2; i++)
        if (fabs(yp[i] - want[i]) > 1e-4)
            fail_msg("STFT L %lld step %lld: y[%lld] = %g, want %g", (long long)L, (long long)step, (long long)i, yp[i],
                     want[i]);
}

static void test_stft(void **state)
{
    (void)state;
    /* run-time frame_step with a window [4]: signal [1,16,1] -> [1,4,3,2] needs step 4 */
    om_graph *g = om_graph_create("t");
    int64_t xd[3] = {1, 16, 1}, four = 4, yd[4] = {1, 4, 3, 2};
    om_value *ins[3] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), cg_input(g, "step", OM_DT_INT64, 0, NULL),
                        cg_input(g, "win", OM_DT_FLOAT, 1, &four)};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, yd);
    om_node *n = om_graph_add_node(g, OM_OP_STFT, "s", ins, 3, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "frame_length", 4), OM_OK); /* from the window, as the shape rule writes */
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "STFT");
    float *xp = cg_jit_buf(j, ins[0]), *wp = cg_jit_buf(j, ins[2]);
    int64_t *sp = cg_jit_buf(j, ins[1]);
    for (int i = 0; i < 16; i++)
        xp[i] = (float)((i * 5) % 7) - 3.0f;
    float win[4] = {0.5f, 1.0f, 1.0f, 0.25f};
    memcpy(wp, win, sizeof win);
    sp[0] = 4;
    cg_jit_run_checked(j);
    stft_check(j, ins[0], y, win, 4, 4);
    sp[0] = 3; /* 5 frames */
    run_bad(j, y);
    sp[0] = 0;
    run_bad(j, y);
    sp[0] = -4;
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
    /* run-time frame_step and frame_length, no window: [1,16,1] -> [1,4,3,2]: length 4 with
     * step 4, or length 5 with step 3 (1 + 11/3 = 4 frames): both run, each with its own
     * transform length */
    g = om_graph_create("t");
    om_value *ins2[4] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), cg_input(g, "step", OM_DT_INT64, 0, NULL), NULL,
                         cg_input(g, "len", OM_DT_INT32, 0, NULL)};
    y = cg_value(g, "y", OM_DT_FLOAT, 4, yd);
    assert_non_null(om_graph_add_node(g, OM_OP_STFT, "s", ins2, 4, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    j = jit(g, "STFT");
    xp = cg_jit_buf(j, ins2[0]);
    for (int i = 0; i < 16; i++)
        xp[i] = (float)((i * 3) % 5) - 1.5f;
    sp = cg_jit_buf(j, ins2[1]);
    int32_t *lp = cg_jit_buf(j, ins2[3]);
    sp[0] = 4, lp[0] = 4;
    cg_jit_run_checked(j);
    stft_check(j, ins2[0], y, NULL, 4, 4);
    sp[0] = 3, lp[0] = 5;
    cg_jit_run_checked(j);
    stft_check(j, ins2[0], y, NULL, 5, 3);
    sp[0] = 3, lp[0] = 4; /* 5 frames */
    run_bad(j, y);
    sp[0] = 4, lp[0] = 6; /* 4 bins */
    run_bad(j, y);
    sp[0] = 4, lp[0] = 5; /* 3 frames */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* The ONNX reference MelWeightMatrix in double: out [dlen/2+1, bins]. */
static void mel_ref(int64_t bins, int64_t dlen, int64_t rate, double lo_hz, double hi_hz, double *out)
{
    int64_t rows = dlen / 2 + 1, fb[64];
    double lo = 2595.0 * log10(1.0 + lo_hz / 700.0), hi = 2595.0 * log10(1.0 + hi_hz / 700.0);
    double step = (hi - lo) / (double)(bins + 2);
    for (int64_t i = 0; i < bins + 2; i++)
        fb[i] = (int64_t)floor((double)(dlen + 1) * 700.0 * (pow(10.0, ((double)i * step + lo) / 2595.0) - 1.0) /
                               (double)rate);
    memset(out, 0, sizeof(double) * (size_t)(rows * bins));
    for (int64_t i = 0; i < bins; i++) {
        int64_t l = fb[i], c = fb[i + 1], h = fb[i + 2];
        for (int64_t j = l; j <= c; j++)
            if (j >= 0 && j < rows)
                out[j * bins + i] = c == l ? 1.0 : (double)(j - l) / (double)(c - l);
        for (int64_t j = c; j < h; j++)
            if (j >= 0 && j < rows)
                out[j * bins + i] = (double)(h - j) / (double)(h - c);
    }
}

static void test_mel(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t yd[2] = {9, 8};
    om_value *ins[5] = {cg_input(g, "bins", OM_DT_INT32, 0, NULL), cg_input(g, "dlen", OM_DT_INT64, 0, NULL),
                        cg_input(g, "rate", OM_DT_INT32, 0, NULL), cg_input(g, "lo", OM_DT_FLOAT, 0, NULL),
                        cg_input(g, "hi", OM_DT_FLOAT, 0, NULL)};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 2, yd);
    assert_non_null(om_graph_add_node(g, OM_OP_MEL_WEIGHT_MATRIX, "m", ins, 5, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "MelWeightMatrix");
    int32_t *bp = cg_jit_buf(j, ins[0]), *rp = cg_jit_buf(j, ins[2]);
    int64_t *dp = cg_jit_buf(j, ins[1]);
    float *lp = cg_jit_buf(j, ins[3]), *hp = cg_jit_buf(j, ins[4]);
    /* the suite's values, then other rates / edges / an odd dft_length with the same shape */
    struct { int64_t dlen, rate; float lo, hi; } runs[4] = {
        {16, 8192, 0, 4096}, {17, 16000, 100, 7000}, {16, 44100, 20, 20000}, {17, 8000, 300, 3400}};
    double want[72];
    for (int r = 0; r < 4; r++) {
        bp[0] = 8, dp[0] = runs[r].dlen, rp[0] = (int32_t)runs[r].rate, lp[0] = runs[r].lo, hp[0] = runs[r].hi;
        cg_jit_run_checked(j);
        mel_ref(8, runs[r].dlen, runs[r].rate, runs[r].lo, runs[r].hi, want);
        const float *yp = cg_jit_buf(j, y);
        for (int i = 0; i < 72; i++)
            if (fabs(yp[i] - want[i]) > 1e-6)
                fail_msg("run %d: y[%d] = %g, want %g", r, i, yp[i], want[i]);
    }
    bp[0] = 7; /* other bins */
    run_bad(j, y);
    bp[0] = 8, dp[0] = 18; /* 10 rows */
    run_bad(j, y);
    dp[0] = 16, rp[0] = 0; /* no sample rate */
    run_bad(j, y);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* The run-time paths (saturating float->int loads, Range's ceil, the mel filters' exp/log/
 * floor) call nothing but memcpy/memmove/memset on every target. */
static void test_no_libcalls(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t two = 2, cnt = 5, yd[2] = {9, 8}, od[2] = {2, 10};
    om_value *r[3] = {cg_input(g, "s", OM_DT_FLOAT, 0, NULL), cg_input(g, "l", OM_DT_FLOAT, 0, NULL),
                      cg_input(g, "d", OM_DT_FLOAT, 0, NULL)};
    om_value *ry = cg_value(g, "ry", OM_DT_FLOAT, 1, &cnt);
    assert_non_null(om_graph_add_node(g, OM_OP_RANGE, "range", r, 3, &ry, 1));
    om_value *m[5] = {cg_input(g, "bins", OM_DT_INT32, 0, NULL), cg_input(g, "dlen", OM_DT_INT32, 0, NULL),
                      cg_input(g, "rate", OM_DT_INT32, 0, NULL), cg_input(g, "lo", OM_DT_FLOAT, 0, NULL),
                      cg_input(g, "hi", OM_DT_DOUBLE, 0, NULL)};
    om_value *my = cg_value(g, "my", OM_DT_FLOAT, 2, yd);
    assert_non_null(om_graph_add_node(g, OM_OP_MEL_WEIGHT_MATRIX, "mel", m, 5, &my, 1));
    om_value *o[3] = {cg_input(g, "i", OM_DT_INT64, 1, &two), cg_input(g, "depth", OM_DT_DOUBLE, 0, NULL),
                      cg_input(g, "v", OM_DT_FLOAT, 1, &two)};
    om_value *oy = cg_value(g, "oy", OM_DT_FLOAT, 2, od);
    assert_non_null(om_graph_add_node(g, OM_OP_ONE_HOT, "onehot", o, 3, &oy, 1));
    assert_int_equal(om_graph_add_output(g, ry), OM_OK);
    assert_int_equal(om_graph_add_output(g, my), OM_OK);
    assert_int_equal(om_graph_add_output(g, oy), OM_OK);
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "run-time Range/MelWeightMatrix/OneHot");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_of_shape),
        cmocka_unit_test(test_one_hot),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_stft),
        cmocka_unit_test(test_mel),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
