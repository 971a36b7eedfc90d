/* tools/omrun_data.c: input files checked against the model (dtype, shape, size; each
 * message names the input and the file), raw .bin inputs, seeded random inputs
 * (deterministic, in range), output file names, mkdir -p. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tools/npy.h"
#include "tools/omrun_data.h"

static char dir[] = "/tmp/om_omrun_test_XXXXXX";

static const char *path_of(const char *name)
{
    static char p[4][600];
    static int k;
    char *s = p[k++ % 4];
    snprintf(s, 600, "%s/%s", dir, name);
    return s;
}

static omrt_tensor_info info_2x3_f32(void)
{
    omrt_tensor_info i = {.name = "x", .dtype = 1, .rank = 2, .dims = {2, 3}, .nbytes = 24};
    return i;
}

static void test_load_npy_checks(void **state)
{
    (void)state;
    omrt_tensor_info info = info_2x3_f32();
    float data[6] = {1, 2, 3, 4, 5, 6}, buf[6] = {0};
    char err[512];
    int64_t dims[2] = {2, 3}, dims_t[2] = {3, 2};
    assert_int_equal(om_npy_write_file(path_of("ok.npy"), 1, 2, dims, data, 24, err, sizeof err), 0);
    assert_int_equal(omrun_load_input(&info, 0, path_of("ok.npy"), buf, err, sizeof err), 0);
    assert_memory_equal(buf, data, 24);

    assert_int_equal(om_npy_write_file(path_of("t.npy"), 1, 2, dims_t, data, 24, err, sizeof err), 0);
    assert_int_equal(omrun_load_input(&info, 0, path_of("t.npy"), buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "input 0 'x'"));
    assert_non_null(strstr(err, "t.npy has shape [3, 2], the model expects [2, 3]"));

    double d6[6] = {0};
    assert_int_equal(om_npy_write_file(path_of("d.npy"), 11, 2, dims, d6, 48, err, sizeof err), 0);
    assert_int_equal(omrun_load_input(&info, 3, path_of("d.npy"), buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "input 3 'x'"));
    assert_non_null(strstr(err, "dtype f64, the model expects f32"));

    assert_int_equal(omrun_load_input(&info, 0, path_of("missing.npy"), buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.npy"));
}

static void test_load_raw_bin(void **state)
{
    (void)state;
    omrt_tensor_info info = info_2x3_f32();
    float data[7] = {1, 2, 3, 4, 5, 6, 7}, buf[6];
    char err[512];
    FILE *f = fopen(path_of("in.bin"), "wb");
    fwrite(data, 4, 6, f);
    fclose(f);
    assert_int_equal(omrun_load_input(&info, 0, path_of("in.bin"), buf, err, sizeof err), 0);
    assert_memory_equal(buf, data, 24);
    f = fopen(path_of("long.bin"), "wb");
    fwrite(data, 4, 7, f);
    fclose(f);
    assert_int_equal(omrun_load_input(&info, 0, path_of("long.bin"), buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "more than 24 bytes"));
    f = fopen(path_of("short.bin"), "wb");
    fwrite(data, 4, 5, f);
    fclose(f);
    assert_int_equal(omrun_load_input(&info, 0, path_of("short.bin"), buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "20 bytes, the model expects 24"));
}

static void test_random(void **state)
{
    (void)state;
    omrt_tensor_info f = {.name = "f", .dtype = 1, .rank = 1, .dims = {1000}, .nbytes = 4000};
    float a[1000], b[1000], c[1000];
    omrun_fill_random(&f, 0, 7, a);
    omrun_fill_random(&f, 0, 7, b);
    omrun_fill_random(&f, 1, 7, c);   /* another input gets other values */
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    float lo = 1, hi = -1;
    for (int i = 0; i < 1000; i++) {
        assert_true(a[i] >= -1.0f && a[i] < 1.0f);
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    assert_true(lo < -0.9f && hi > 0.9f);
    omrt_tensor_info i8 = {.name = "i", .dtype = 3, .rank = 1, .dims = {500}, .nbytes = 500};
    int8_t v[500];
    omrun_fill_random(&i8, 0, 1, v);
    int neg = 0;
    for (int i = 0; i < 500; i++) {
        assert_true(v[i] >= -4 && v[i] <= 4);
        neg += v[i] < 0;
    }
    assert_true(neg > 0);
    omrt_tensor_info u8 = {.name = "u", .dtype = 2, .rank = 1, .dims = {500}, .nbytes = 500};
    uint8_t u[500];
    omrun_fill_random(&u8, 0, 1, u);
    for (int i = 0; i < 500; i++)
        assert_true(u[i] <= 8);
}

static void test_sanitize(void **state)
{
    (void)state;
    char out[64];
    omrun_sanitize_name("prob", 0, out, sizeof out);
    assert_string_equal(out, "prob");
    omrun_sanitize_name("conv/out:0", 1, out, sizeof out);
    assert_string_equal(out, "conv_out_0");
    omrun_sanitize_name("../../etc/passwd", 2, out, sizeof out);
    assert_null(strchr(out, '/'));
    omrun_sanitize_name("..", 3, out, sizeof out);
    assert_string_equal(out, "output_3");
    omrun_sanitize_name("", 4, out, sizeof out);
    assert_string_equal(out, "output_4");
    omrun_sanitize_name(".hidden", 5, out, sizeof out);
    assert_string_equal(out, "output_5");
}

static void test_make_dirs(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(omrun_make_dirs(path_of("a/b/c"), err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path_of("a/b/c"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(omrun_make_dirs(path_of("a/b/c/"), err, sizeof err), 0);  /* exists */
    FILE *f = fopen(path_of("file"), "w");
    fclose(f);
    assert_int_equal(omrun_make_dirs(path_of("file"), err, sizeof err), -1);
    assert_non_null(strstr(err, "not a directory"));
}

static void test_summary(void **state)
{
    (void)state;
    omrt_tensor_info info = info_2x3_f32();
    float data[6] = {1, -2, 3, 4, 5, 0.5f};
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    omrun_print_summary(f, "output", 0, &info, data);
    fclose(f);
    assert_non_null(strstr(buf, "output 0: 'x' f32 [2, 3] (24 bytes)"));
    assert_non_null(strstr(buf, "values: 1 -2 3 4 5 0.5\n"));
    assert_non_null(strstr(buf, "min -2  max 5  mean 1.91667"));
    free(buf);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_npy_checks),
        cmocka_unit_test(test_load_raw_bin),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_sanitize),
        cmocka_unit_test(test_make_dirs),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
