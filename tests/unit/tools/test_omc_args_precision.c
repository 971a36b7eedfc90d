/* tools/omc_args.c: the precision options (--precision and ATC's --precision_mode,
 * --keep-dtype, --modify-mixlist, --input-fp16-nodes, --output-type / --output_type,
 * --widen-f16-convs) land in
 * om_compile_opts.precision; bad values are usage errors (exit status 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/cli.h"
#include "tools/omc_args.h"

static int parse(omc_args *a, int argc, const char **argv)
{
    return omc_args_parse(argc, (char **)argv, a);
}

static char *temp_file(const char *content)
{
    char *path = strdup("/tmp/omc_args_precXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_defaults_are_fp32(void **state)
{
    (void)state;
    omc_args a;
    const char *argv[] = {"omc", "m.onnx", "-o", "m.om"};
    assert_int_equal(parse(&a, 4, argv), -1);
    assert_non_null(a.opts.precision);
    assert_int_equal(a.opts.precision->mode, OM_PRECISION_FP32);
    assert_int_equal(a.opts.precision->output_dtype, OM_DT_UNDEFINED);
    assert_false(a.opts.precision->widen_f16_convs);
    assert_null(a.opts.precision->report);
    omc_args_free(&a);
}

static void test_modes_and_atc_spellings(void **state)
{
    (void)state;
    omc_args a;
    const char *v1[] = {"omc", "m.onnx", "--precision", "mixed-bf16", "--stats"};
    assert_int_equal(parse(&a, 5, v1), -1);
    assert_int_equal(a.precision.mode, OM_PRECISION_MIXED_BF16);
    assert_ptr_equal(a.opts.precision->report, stderr);
    omc_args_free(&a);
    const char *v2[] = {"omc", "--model=m.onnx", "--precision_mode=force_fp16", "--output_type=FP16",
                        "--input_fp16_nodes=x;y"};
    assert_int_equal(parse(&a, 5, v2), -1);
    assert_int_equal(a.precision.mode, OM_PRECISION_FP16);
    assert_int_equal(a.precision.output_dtype, OM_DT_FLOAT16);
    assert_int_equal(a.precision.n_fp16_inputs, 2);
    assert_string_equal(a.precision.fp16_inputs[1], "y");
    omc_args_free(&a);
    const char *v3[] = {"omc", "m.onnx", "--precision", "fp16", "--widen-f16-convs"};
    assert_int_equal(parse(&a, 5, v3), -1);
    assert_true(a.opts.precision->widen_f16_convs);
    omc_args_free(&a);
}

static void test_list_files(void **state)
{
    (void)state;
    char *keep = temp_file("conv1\nOpType::Softmax\n");
    char *mix = temp_file("{\"allow_list\": {\"to-add\": [\"Softmax\"]}}");
    omc_args a;
    const char *argv[] = {"omc", "m.onnx", "--precision", "mixed", "--keep-dtype", keep, "--modify_mixlist", mix};
    assert_int_equal(parse(&a, 8, argv), -1);
    assert_int_equal(a.precision.n_keep_names, 1);
    assert_string_equal(a.precision.keep_names[0], "conv1");
    assert_true(a.precision.keep_op[OM_OP_SOFTMAX]);
    assert_int_equal(om_pass_precision_op_class(&a.precision, OM_OP_SOFTMAX), OM_PREC_ALLOW);
    omc_args_free(&a);
    unlink(keep);
    unlink(mix);
    free(keep);
    free(mix);
}

static void test_bad_values_are_usage_errors(void **state)
{
    (void)state;
    omc_args a;
    const char *v1[] = {"omc", "m.onnx", "--precision", "fp8"};
    assert_int_equal(parse(&a, 4, v1), OM_CLI_EXIT_USAGE);
    omc_args_free(&a);
    const char *v2[] = {"omc", "m.onnx", "--output-type", "int8"};
    assert_int_equal(parse(&a, 4, v2), OM_CLI_EXIT_USAGE);
    omc_args_free(&a);
    const char *v3[] = {"omc", "m.onnx", "--keep-dtype", "/nonexistent/keep.txt"};
    assert_int_equal(parse(&a, 4, v3), OM_CLI_EXIT_USAGE);
    omc_args_free(&a);
    char *bad = temp_file("{\"allow_list\": {\"to-add\": [\"Conv\",]}}");
    const char *v4[] = {"omc", "m.onnx", "--modify-mixlist", bad};
    assert_int_equal(parse(&a, 4, v4), OM_CLI_EXIT_USAGE);
    omc_args_free(&a);
    unlink(bad);
    free(bad);
    const char *v5[] = {"omc", "m.onnx", "--precision"};
    assert_int_equal(parse(&a, 3, v5), OM_CLI_EXIT_USAGE);
    omc_args_free(&a);
}

int main(void)
{
    om_cli_tool = "omc";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_fp32),
        cmocka_unit_test(test_modes_and_atc_spellings),
        cmocka_unit_test(test_list_files),
        cmocka_unit_test(test_bad_values_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
