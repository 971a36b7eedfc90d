/* tools/tensor_values.c: half-precision conversion (exact values, rounding to nearest
 * even, subnormals, infinities, NaN), saturating integer stores, dtype names, shapes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/tensor_values.h"

static void test_half_exact_values(void **state)
{
    (void)state;
    struct { uint16_t h; float f; } cases[] = {
        {0x0000, 0.0f}, {0x3c00, 1.0f}, {0xc000, -2.0f}, {0x3555, 0.333251953125f},
        {0x7bff, 65504.0f}, {0x0400, 6.103515625e-05f}, {0x0001, 5.960464477539063e-08f},
        {0x03ff, 6.097555160522461e-05f}, {0x7c00, INFINITY}, {0xfc00, -INFINITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(om_tv_half_to_float(cases[i].h) == cases[i].f);
        assert_int_equal(om_tv_float_to_half(cases[i].f), cases[i].h);
    }
    assert_true(isnan(om_tv_half_to_float(0x7e00)));
    assert_int_equal(om_tv_float_to_half(NAN) & 0x7c00, 0x7c00);
    assert_true((om_tv_float_to_half(NAN) & 0x3ff) != 0);
}

static void test_half_rounding(void **state)
{
    (void)state;
    /* 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0) */
    assert_int_equal(om_tv_float_to_half(1.0f + 0x1p-11f), 0x3c00);
    /* 1 + 3*2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even) */
    assert_int_equal(om_tv_float_to_half(1.0f + 3 * 0x1p-11f), 0x3c02);
    assert_int_equal(om_tv_float_to_half(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
    assert_int_equal(om_tv_float_to_half(70000.0f), 0x7c00);     /* overflow */
    assert_int_equal(om_tv_float_to_half(65519.0f), 0x7bff);     /* rounds down to max */
    assert_int_equal(om_tv_float_to_half(65520.0f), 0x7c00);     /* rounds up to inf */
    assert_int_equal(om_tv_float_to_half(1e-10f), 0x0000);       /* underflow */
    assert_int_equal(om_tv_float_to_half(-1e-10f), 0x8000);
    assert_int_equal(om_tv_float_to_half(0x1p-25f), 0x0000);     /* half of min subnormal: tie to even 0 */
    assert_int_equal(om_tv_float_to_half(0x1.8p-24f), 0x0002);   /* 1.5 units: tie to even 2 */
    /* every half round-trips */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
            continue; /* NaN */
        assert_int_equal(om_tv_float_to_half(om_tv_half_to_float((uint16_t)h)), h);
    }
}

static void test_get_set(void **state)
{
    (void)state;
    unsigned char buf[64];
    om_tv_set(buf, 3, 0, 300.0);     /* int8 saturates */
    om_tv_set(buf, 3, 1, -300.0);
    om_tv_set(buf, 3, 2, 2.6);       /* rounds */
    assert_true(om_tv_get(buf, 3, 0) == 127);
    assert_true(om_tv_get(buf, 3, 1) == -128);
    assert_true(om_tv_get(buf, 3, 2) == 3);
    om_tv_set(buf, 2, 0, -5.0);      /* uint8 saturates at 0 */
    assert_true(om_tv_get(buf, 2, 0) == 0);
    om_tv_set(buf, 7, 1, -123456789012.0);
    assert_true(om_tv_get(buf, 7, 1) == -123456789012.0);
    om_tv_set(buf, 1, 3, 0.25);
    assert_true(om_tv_get(buf, 1, 3) == 0.25);
    om_tv_set(buf, 9, 5, 0.5);       /* bool: nonzero is true */
    assert_true(om_tv_get(buf, 9, 5) == 1);
    om_tv_set(buf, 16, 2, 1.5);      /* bfloat16 */
    assert_true(om_tv_get(buf, 16, 2) == 1.5);
    om_tv_set(buf, 10, 2, -0.5);
    assert_true(om_tv_get(buf, 10, 2) == -0.5);
}

static void test_names_and_shapes(void **state)
{
    (void)state;
    assert_string_equal(om_tv_dtype_name(1), "f32");
    assert_string_equal(om_tv_dtype_name(7), "i64");
    assert_string_equal(om_tv_dtype_name(9), "bool");
    assert_string_equal(om_tv_dtype_name(99), "?");
    assert_int_equal(om_tv_dtype_size(11), 8);
    assert_int_equal(om_tv_dtype_size(8), 0);   /* string */
    char buf[64];
    int64_t dims[4] = {1, 3, 224, 224};
    om_tv_format_shape(buf, sizeof buf, 4, dims);
    assert_string_equal(buf, "[1, 3, 224, 224]");
    om_tv_format_shape(buf, sizeof buf, 0, dims);
    assert_string_equal(buf, "[]");
    om_tv_format_shape(buf, 6, 4, dims);         /* truncates, stays terminated */
    assert_int_equal(strlen(buf), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_exact_values),
        cmocka_unit_test(test_half_rounding),
        cmocka_unit_test(test_get_set),
        cmocka_unit_test(test_names_and_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
