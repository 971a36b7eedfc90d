/* Cast and CastLike against C casts: every pair of the 13 dtypes on values representable
 * in both, then the out-of-range and NaN float -> int results (x86-64 C cast semantics,
 * which ONNX Runtime shows there), bool in both directions, truncation to bf16, and
 * CastLike taking the second input's dtype. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const om_dtype k_dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT8,
                                 OM_DT_INT16, OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8, OM_DT_UINT16,
                                 OM_DT_UINT32, OM_DT_UINT64, OM_DT_BOOL};
#define N_DTS (sizeof k_dts / sizeof k_dts[0])

/* Runs Cast(x: from[n]) -> to (or CastLike with a `like` of dtype to) on vals; out gets the
 * raw output bytes (8 per element at most). */
static bool g_round_nearest;   /* next run_cast sets om_round_nearest = 1 on the Cast */

static void run_cast(om_dtype from, om_dtype to, bool like, const double *vals, int64_t n, void *out)
{
    om_graph *g = om_graph_create("t");
    int64_t d[1] = {n}, d1[1] = {1};
    om_value *x = cg_input(g, "x", from, 1, d), *y = cg_value(g, "y", to, 1, d);
    om_value *ins[2] = {x, like ? cg_input(g, "like", to, 1, d1) : NULL};
    om_node *nd = om_graph_add_node(g, like ? OM_OP_CAST_LIKE : OM_OP_CAST, "c", ins, like ? 2 : 1, &y, 1);
    assert_non_null(nd);
    if (!like)
        assert_int_equal(om_node_set_int(g, nd, "to", to), OM_OK);
    if (g_round_nearest)
        assert_int_equal(om_node_set_int(g, nd, "om_round_nearest", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s -> %s: %s", om_dtype_name(from), om_dtype_name(to), om_last_error());
    for (int64_t i = 0; i < n; i++)
        cg_set(from, cg_jit_buf(j, x), i, vals[i]);
    cg_jit_run_checked(j);
    memcpy(out, cg_jit_buf(j, y), (size_t)n * om_dtype_size(to));
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* lowest/highest value representable exactly in every pair member (plus small fractions) */
static void test_every_pair(void **state)
{
    (void)state;
    enum { N = 301 };
    double vals[N];
    unsigned char out[N * 8];
    for (size_t a = 0; a < N_DTS; a++)
        for (size_t b = 0; b < N_DTS; b++) {
            om_dtype from = k_dts[a], to = k_dts[b];
            bool uns = om_dtype_is_unsigned_int(from) || om_dtype_is_unsigned_int(to) || from == OM_DT_BOOL;
            for (int i = 0; i < N; i++) {
                double v = uns ? i * 0.4 : (i - N / 2) * 0.4;   /* within int8/uint8 */
                if (!om_dtype_is_float(from))
                    v = trunc(v);
                if (from == OM_DT_BOOL)
                    v = i % 3 == 0;
                if (!om_dtype_is_float(from) && v > 120)
                    v = 120;
                vals[i] = v;
                /* read back what the input dtype holds (f16/bf16 round) */
                unsigned char tmp[8];
                cg_set(from, tmp, 0, v);
                vals[i] = cg_get(from, tmp, 0);
            }
            run_cast(from, to, (a + b) % 2 == 1, vals, N, out);
            for (int i = 0; i < N; i++) {
                double want;
                if (to == OM_DT_BOOL)
                    want = vals[i] != 0;
                else if (to == OM_DT_BFLOAT16) { /* truncation of the f32 value */
                    float f = (float)vals[i];
                    uint32_t u;
                    memcpy(&u, &f, 4);
                    want = cg_bf16_to_f32((uint16_t)(u >> 16));
                } else if (om_dtype_is_float(to)) {
                    unsigned char tmp[8];
                    cg_set(to, tmp, 0, vals[i]);
                    want = cg_get(to, tmp, 0);
                } else
                    want = trunc(vals[i]);
                if (!om_dtype_is_float(to) && want < 0 && om_dtype_is_unsigned_int(to))
                    fail_msg("bad test value");
                double got = cg_get(to, out, i);
                if (got != want)
                    fail_msg("%s -> %s elem %d: %.9g -> %.9g, want %.9g", om_dtype_name(from), om_dtype_name(to), i,
                             vals[i], got, want);
            }
        }
}

static void test_float_to_int_out_of_range(void **state)
{
    (void)state;
    const double v[8] = {3e9, -3e9, NAN, 300.7, -1.5, 1e19, -1e19, 5e9};
    unsigned char out[64];
    for (int f = 0; f < 2; f++) {
        om_dtype from = f ? OM_DT_DOUBLE : OM_DT_FLOAT;
        run_cast(from, OM_DT_INT32, false, v, 8, out);
        const int32_t *i32 = (const int32_t *)out;
        assert_int_equal(i32[0], INT32_MIN);
        assert_int_equal(i32[1], INT32_MIN);
        assert_int_equal(i32[2], INT32_MIN);
        assert_int_equal(i32[3], 300);
        assert_int_equal(i32[4], -1);
        run_cast(from, OM_DT_UINT8, false, v, 8, out);
        assert_int_equal(out[3], 300 & 0xff); /* 32-bit conversion, then truncation */
        assert_int_equal(out[4], 0xff);
        assert_int_equal(out[2], 0);          /* INT_MIN truncated */
        run_cast(from, OM_DT_INT64, false, v, 8, out);
        const int64_t *i64 = (const int64_t *)out;
        assert_true(i64[0] == 3000000000ll);
        assert_true(i64[5] == INT64_MIN);
        assert_true(i64[6] == INT64_MIN);
        assert_true(i64[2] == INT64_MIN);
        run_cast(from, OM_DT_UINT64, false, v, 8, out);
        const uint64_t *u64 = (const uint64_t *)out;
        /* 1e19 rounds to 9999999980506447872 in f32 */
        assert_true(u64[5] == (f ? 10000000000000000000ull : (uint64_t)(float)1e19));
        assert_true(u64[0] == 3000000000ull);
        assert_true(u64[4] == (uint64_t)-1);  /* -1 as a signed 64-bit value */
        run_cast(from, OM_DT_UINT32, false, v, 8, out);
        const uint32_t *u32 = (const uint32_t *)out;
        assert_true(u32[7] == (uint32_t)5000000000ull);
        assert_true(u32[0] == 3000000000u);
    }
    /* f16 and bf16 sources widen to f32 first */
    const double h[3] = {-7.75, 65504, NAN};
    run_cast(OM_DT_FLOAT16, OM_DT_INT16, false, h, 3, out);
    const int16_t *i16 = (const int16_t *)out;
    assert_int_equal(i16[0], -7);
    assert_int_equal(i16[1], (int16_t)65504);
    assert_int_equal(i16[2], 0);
}

static void test_bool(void **state)
{
    (void)state;
    const double v[5] = {0, -0.0, NAN, 0.25, -3};
    unsigned char out[40];
    run_cast(OM_DT_FLOAT, OM_DT_BOOL, false, v, 5, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 1);
    assert_int_equal(out[3], 1);
    assert_int_equal(out[4], 1);
    const double bv[3] = {1, 0, 1};
    run_cast(OM_DT_BOOL, OM_DT_INT64, false, bv, 3, out);
    const int64_t *i64 = (const int64_t *)out;
    assert_true(i64[0] == 1 && i64[1] == 0 && i64[2] == 1);
    run_cast(OM_DT_BOOL, OM_DT_FLOAT16, true, bv, 3, out);
    const uint16_t *h = (const uint16_t *)out;
    assert_int_equal(h[0], 0x3c00);
    assert_int_equal(h[1], 0);
}

/* f32 -> bf16 drops the low 16 bits (the backend suite's expected values); NaN stays NaN */
static void test_bf16_truncates(void **state)
{
    (void)state;
    const double v[4] = {0.47892547, -1.99999988, NAN, -INFINITY};
    unsigned char out[8];
    run_cast(OM_DT_FLOAT, OM_DT_BFLOAT16, false, v, 4, out);
    const uint16_t *h = (const uint16_t *)out;
    assert_int_equal(h[0], 0x3ef5);
    assert_int_equal(h[1], 0xbfff);
    assert_int_equal(h[2] & 0x7fc0, 0x7fc0);
    assert_int_equal(h[3], 0xff80);
}

/* om_round_nearest (set by the precision pass on its Casts): f32 -> bf16 rounds to nearest
 * even instead: 0.47892547 (0x3EF5361F) -> 0x3EF5, -1.99999988 -> -2.0 (0xC000), 1.00390625
 * (exactly half way, 0x3F808000) -> 0x3F80 (even), 1.005859375 (0x3F80C000) -> 0x3F81. */
static void test_bf16_round_nearest(void **state)
{
    (void)state;
    const double v[5] = {0.47892547, -1.99999988, 1.00390625, 1.005859375, NAN};
    unsigned char out[10];
    g_round_nearest = true;
    run_cast(OM_DT_FLOAT, OM_DT_BFLOAT16, false, v, 5, out);
    g_round_nearest = false;
    uint16_t h[5];
    memcpy(h, out, sizeof h);
    assert_int_equal(h[0], 0x3ef5);
    assert_int_equal(h[1], 0xc000);
    assert_int_equal(h[2], 0x3f80);
    assert_int_equal(h[3], 0x3f81);
    assert_int_equal(h[4] & 0x7f80, 0x7f80);
    assert_true((h[4] & 0x7f) != 0);   /* still a NaN */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair),
        cmocka_unit_test(test_float_to_int_out_of_range),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_bf16_truncates),
        cmocka_unit_test(test_bf16_round_nearest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
