/* Unit tests for ir/dtype.c, ir/shape.c, ir/status.c and the f16/bf16 conversions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "ir/half.h"
#include "ir/ir.h"

static void test_dtype_sizes(void **state)
{
    (void)state;
    assert_int_equal(om_dtype_size(OM_DT_FLOAT), 4);
    assert_int_equal(om_dtype_size(OM_DT_DOUBLE), 8);
    assert_int_equal(om_dtype_size(OM_DT_FLOAT16), 2);
    assert_int_equal(om_dtype_size(OM_DT_BFLOAT16), 2);
    assert_int_equal(om_dtype_size(OM_DT_INT8), 1);
    assert_int_equal(om_dtype_size(OM_DT_UINT16), 2);
    assert_int_equal(om_dtype_size(OM_DT_INT64), 8);
    assert_int_equal(om_dtype_size(OM_DT_BOOL), 1);
    assert_int_equal(om_dtype_size(OM_DT_COMPLEX64), 8);
    assert_int_equal(om_dtype_size(OM_DT_COMPLEX128), 16);
    assert_int_equal(om_dtype_size(OM_DT_STRING), 0);
    assert_int_equal(om_dtype_size(OM_DT_UNDEFINED), 0);
    assert_int_equal(om_dtype_size((om_dtype)99), 0);
    assert_int_equal(om_dtype_size((om_dtype)-1), 0);
}

static void test_dtype_names_round_trip(void **state)
{
    (void)state;
    static const char *names[] = {"f32", "f64", "f16", "bf16", "i8", "i16", "i32", "i64",
                                  "u8", "u16", "u32", "u64", "bool", "str", "c64", "c128"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        om_dtype dt = om_dtype_from_name(names[i]);
        assert_int_not_equal(dt, OM_DT_UNDEFINED);
        assert_string_equal(om_dtype_name(dt), names[i]);
    }
    assert_int_equal(om_dtype_from_name("f32"), OM_DT_FLOAT);
    assert_int_equal(om_dtype_from_name("bf16"), OM_DT_BFLOAT16);
    assert_int_equal(om_dtype_from_name("float"), OM_DT_UNDEFINED);
    assert_int_equal(om_dtype_from_name("?"), OM_DT_UNDEFINED);
    assert_int_equal(om_dtype_from_name(NULL), OM_DT_UNDEFINED);
    assert_string_equal(om_dtype_name((om_dtype)77), "?");
    assert_string_equal(om_dtype_onnx_name(OM_DT_FLOAT), "float");
    assert_string_equal(om_dtype_onnx_name(OM_DT_INT64), "int64");
    assert_string_equal(om_dtype_onnx_name(OM_DT_BFLOAT16), "bfloat16");
}

static void test_dtype_classes(void **state)
{
    (void)state;
    assert_true(om_dtype_is_float(OM_DT_FLOAT16));
    assert_true(om_dtype_is_float(OM_DT_BFLOAT16));
    assert_false(om_dtype_is_float(OM_DT_INT32));
    assert_false(om_dtype_is_float(OM_DT_COMPLEX64));
    assert_true(om_dtype_is_signed_int(OM_DT_INT8));
    assert_false(om_dtype_is_signed_int(OM_DT_UINT8));
    assert_true(om_dtype_is_unsigned_int(OM_DT_UINT64));
    assert_false(om_dtype_is_unsigned_int(OM_DT_BOOL));
}

static void test_shape_basics(void **state)
{
    (void)state;
    int64_t d[3] = {2, 3, 4};
    om_shape s = om_shape_make(3, d);
    assert_int_equal(s.rank, 3);
    assert_true(om_shape_is_static(&s));
    assert_int_equal(om_shape_numel(&s), 24);
    om_shape sc = om_shape_scalar();
    assert_int_equal(sc.rank, 0);
    assert_int_equal(om_shape_numel(&sc), 1);
    om_shape u = om_shape_unknown();
    assert_int_equal(u.rank, -1);
    assert_false(om_shape_is_static(&u));
    assert_int_equal(om_shape_numel(&u), -1);
    /* a dynamic dim */
    int64_t dd[2] = {-1, 5};
    om_shape dy = om_shape_make(2, dd);
    assert_false(om_shape_is_static(&dy));
    assert_int_equal(om_shape_numel(&dy), -1);
    assert_null(dy.syms[0]);
    /* rank beyond the maximum gives unknown rank */
    int64_t big[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(om_shape_make(9, big).rank, -1);
    /* zero-sized */
    int64_t z[2] = {0, 7};
    om_shape zs = om_shape_make(2, z);
    assert_int_equal(om_shape_numel(&zs), 0);
    /* overflow yields -1 rather than a wrapped number */
    int64_t huge[3] = {INT64_C(1) << 40, INT64_C(1) << 40, 2};
    om_shape hs = om_shape_make(3, huge);
    assert_int_equal(om_shape_numel(&hs), -1);
}

static void test_shape_equal(void **state)
{
    (void)state;
    int64_t a[2] = {2, 3}, b[2] = {2, 3}, c[2] = {3, 2};
    om_shape sa = om_shape_make(2, a), sb = om_shape_make(2, b), sc = om_shape_make(2, c);
    assert_true(om_shape_equal(&sa, &sb));
    assert_false(om_shape_equal(&sa, &sc));
    sb.syms[0] = "batch"; /* syms ignored */
    assert_true(om_shape_equal(&sa, &sb));
    om_shape r1 = om_shape_make(1, a);
    assert_false(om_shape_equal(&sa, &r1));
    om_shape u1 = om_shape_unknown(), u2 = om_shape_unknown();
    assert_true(om_shape_equal(&u1, &u2));
    assert_false(om_shape_equal(&u1, &sa));
    assert_false(om_shape_equal(NULL, &sa));
}

static void test_status(void **state)
{
    (void)state;
    assert_int_equal(om_error(OM_ERR_UNSUPPORTED, "node '%s' (%s): dtype %d", "n1", "Conv", 7), OM_ERR_UNSUPPORTED);
    assert_string_equal(om_last_error(), "node 'n1' (Conv): dtype 7");
    assert_int_equal(om_error_prefix(OM_ERR_IO, "model.onnx"), OM_ERR_IO);
    assert_string_equal(om_last_error(), "model.onnx: node 'n1' (Conv): dtype 7");
    assert_string_equal(om_status_name(OM_OK), "ok");
    assert_string_equal(om_status_name(OM_ERR_PARSE), "parse error");
    assert_string_equal(om_status_name(OM_ERR_NO_MEMORY), "out of memory");
    assert_string_equal(om_status_name((om_status)42), "unknown status");
    /* very long messages are truncated, not overflowed */
    char big[6000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    om_error(OM_ERR_INTERNAL, "%s", big);
    assert_true(strlen(om_last_error()) < sizeof big - 1);
    om_error_prefix(OM_ERR_INTERNAL, "%s", big);
    assert_true(strlen(om_last_error()) < sizeof big - 1);
}

static void test_half_round_trip(void **state)
{
    (void)state;
    int mismatches = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = om_ir_f16_to_f32((uint16_t)h);
        uint16_t back = om_ir_f32_to_f16(f);
        if (isnan(f))
            mismatches += !((back & 0x7c00u) == 0x7c00u && (back & 0x3ffu) && (back & 0x8000u) == (h & 0x8000u));
        else
            mismatches += back != h;
        float b = om_ir_bf16_to_f32((uint16_t)h);
        if (!isnan(b))
            mismatches += om_ir_f32_to_bf16(b) != h;
    }
    assert_int_equal(mismatches, 0);
    assert_int_equal(om_ir_f32_to_f16(1.0f), 0x3c00);
    assert_int_equal(om_ir_f32_to_f16(65504.0f), 0x7bff);
    assert_int_equal(om_ir_f32_to_f16(65520.0f), 0x7c00);       /* rounds up to inf */
    assert_int_equal(om_ir_f32_to_f16(1.0f + 1.0f / 2048), 0x3c00); /* tie to even */
    assert_int_equal(om_ir_f32_to_f16(5.9604645e-08f), 0x0001); /* smallest subnormal */
    assert_int_equal(om_ir_f32_to_f16(-0.0f), 0x8000);
    assert_int_equal(om_ir_f32_to_bf16(1.0f), 0x3f80);
    assert_int_equal(om_ir_f32_to_bf16(1.00390625f), 0x3f80);   /* tie to even */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtype_sizes),
        cmocka_unit_test(test_dtype_names_round_trip),
        cmocka_unit_test(test_dtype_classes),
        cmocka_unit_test(test_shape_basics),
        cmocka_unit_test(test_shape_equal),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_half_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
