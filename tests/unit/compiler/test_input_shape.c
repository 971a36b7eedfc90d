/* compiler/input_shape.c: --input-shape / --input_shape parsing into pins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compile.h"

static void test_two_inputs(void **state)
{
    (void)state;
    om_compile_pins p = {0};
    assert_int_equal(om_compile_parse_input_shape("x:1,3,224,224;y:1,128", &p), OM_OK);
    assert_int_equal(p.n_pins, 2);
    assert_string_equal(p.pins[0].name, "x");
    assert_int_equal(p.pins[0].shape.rank, 4);
    assert_int_equal(p.pins[0].shape.dims[1], 3);
    assert_int_equal(p.pins[0].shape.dims[3], 224);
    assert_null(p.pins[0].shape.syms[0]);
    assert_string_equal(p.pins[1].name, "y");
    assert_int_equal(p.pins[1].shape.rank, 2);
    assert_int_equal(p.pins[1].shape.dims[1], 128);
    om_compile_pins_free(&p);
    assert_null(p.pins);
    assert_int_equal(p.n_pins, 0);
}

static void test_spellings(void **state)
{
    (void)state;
    om_compile_pins p = {0};
    /* blanks, a trailing ';', a TF-style name with a colon, -1, a scalar; repeated calls append */
    assert_int_equal(om_compile_parse_input_shape(" input:0 : -1, 3 ;", &p), OM_OK);
    assert_int_equal(om_compile_parse_input_shape("s:", &p), OM_OK);
    assert_int_equal(p.n_pins, 2);
    assert_string_equal(p.pins[0].name, "input:0");
    assert_int_equal(p.pins[0].shape.rank, 2);
    assert_int_equal(p.pins[0].shape.dims[0], -1);
    assert_int_equal(p.pins[0].shape.dims[1], 3);
    assert_string_equal(p.pins[1].name, "s");
    assert_int_equal(p.pins[1].shape.rank, 0);
    om_compile_pins_free(&p);
}

static void expect_error(const char *spec, const char *needle)
{
    om_compile_pins p = {0};
    assert_int_equal(om_compile_parse_input_shape(spec, &p), OM_ERR_INVALID_ARGUMENT);
    if (!strstr(om_last_error(), needle))
        fail_msg("'%s': error '%s' does not mention '%s'", spec, om_last_error(), needle);
    om_compile_pins_free(&p);
}

static void test_errors_name_the_token(void **state)
{
    (void)state;
    expect_error("x:1,a,3", "'a'");
    expect_error("x:1,,3", "empty dim");
    expect_error("x:1,-2", "'-2'");
    expect_error("x:1,3;y", "'y'");
    expect_error(":1,3", "empty input name");
    expect_error("x:1;x:2", "'x' given twice");
    expect_error("x:1,2,3,4,5,6,7,8,9", "more than 8");
    expect_error("x:99999999999999999999", "'99999999999999999999'");
    expect_error(";;", "names no input");
    expect_error("x:1.5", "'1.5'");
    expect_error("x:+3", "'+3'");
}

/* Sequence and optional pins go to pins->values; tensor pins stay in pins->pins. */
static void test_sequence_and_none_pins(void **state)
{
    (void)state;
    om_compile_pins p = {0};
    assert_int_equal(om_compile_parse_input_shape("x:1,64; s:[[2,3], [4,-1]] ;e:[];o:none;c:[[]]", &p), OM_OK);
    assert_int_equal(p.n_pins, 1);
    assert_string_equal(p.pins[0].name, "x");
    assert_int_equal(p.n_values, 4);
    assert_string_equal(p.values[0].name, "s");
    assert_int_equal(p.values[0].kind, OM_FE_PIN_SEQUENCE);
    assert_int_equal(p.values[0].n_elems, 2);
    assert_int_equal(p.values[0].elems[0].rank, 2);
    assert_int_equal(p.values[0].elems[0].dims[1], 3);
    assert_int_equal(p.values[0].elems[1].dims[0], 4);
    assert_int_equal(p.values[0].elems[1].dims[1], -1);
    assert_string_equal(p.values[1].name, "e");
    assert_int_equal(p.values[1].kind, OM_FE_PIN_SEQUENCE);
    assert_int_equal(p.values[1].n_elems, 0);
    assert_int_equal(p.values[2].kind, OM_FE_PIN_NONE);
    assert_int_equal(p.values[3].n_elems, 1);
    assert_int_equal(p.values[3].elems[0].rank, 0);   /* one scalar */
    om_compile_pins_free(&p);
    assert_null(p.values);
    assert_int_equal(p.n_values, 0);
    expect_error("s:[[2,3]", "bad sequence");
    expect_error("s:[2,3]", "bad sequence");
    expect_error("s:[[2],,[3]]", "bad sequence");
    expect_error("s:[[2][3]]", "expected ','");
    expect_error("s:[[2,x]]", "'x'");
    expect_error("s:[[1]];s:none", "'s' given twice");
    expect_error("s:none;s:1", "'s' given twice");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_inputs),
        cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_errors_name_the_token),
        cmocka_unit_test(test_sequence_and_none_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
