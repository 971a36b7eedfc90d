/* tools/npy.c: round trips for every dtype and rank, the three header versions, numpy's
 * own spellings, and rejection (with the right message, without crashing) of every kind of
 * damage: bad magic, unknown version, truncation at every byte, Fortran order, big-endian,
 * unknown dtypes, malformed dicts, trailing data, overflowing shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/npy.h"

/* Builds a .npy image: version major.0, the given header text (padded with spaces and a
 * newline to a 64-byte boundary unless raw), then data. */
static size_t make_npy(unsigned char *buf, size_t cap, int major, const char *dict,
                       const void *data, size_t nbytes)
{
    size_t pre = major == 1 ? 10 : 12;
    size_t dl = strlen(dict);
    size_t hlen = ((pre + dl + 1 + 63) / 64) * 64 - pre;
    assert_true(pre + hlen + nbytes <= cap);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    if (major == 1) {
        buf[8] = (unsigned char)hlen;
        buf[9] = (unsigned char)(hlen >> 8);
    } else {
        for (int i = 0; i < 4; i++)
            buf[8 + i] = (unsigned char)(hlen >> (8 * i));
    }
    memcpy(buf + pre, dict, dl);
    memset(buf + pre + dl, ' ', hlen - dl - 1);
    buf[pre + hlen - 1] = '\n';
    memcpy(buf + pre + hlen, data, nbytes);
    return pre + hlen + nbytes;
}

static void expect_error(const void *buf, size_t size, const char *needle)
{
    om_npy_array a;
    char err[256] = "";
    assert_int_equal(om_npy_parse(buf, size, &a, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
    assert_null(a.data);
}

static void test_roundtrip_every_dtype(void **state)
{
    (void)state;
    const int32_t dtypes[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13};
    for (size_t k = 0; k < sizeof dtypes / sizeof dtypes[0]; k++) {
        int32_t dt = dtypes[k];
        size_t item = om_npy_dtype_size(dt);
        assert_true(item > 0);
        int64_t dims[3] = {2, 3, 5};
        size_t nbytes = 30 * item;
        unsigned char data[30 * 8];
        for (size_t i = 0; i < nbytes; i++)
            data[i] = (unsigned char)(i * 7 + k);
        void *img;
        size_t size;
        char err[256];
        assert_int_equal(om_npy_serialize(dt, 3, dims, data, nbytes, &img, &size, err, sizeof err), 0);
        /* numpy's alignment: data starts at a multiple of 64 */
        assert_int_equal((size - nbytes) % 64, 0);
        om_npy_array a;
        assert_int_equal(om_npy_parse(img, size, &a, err, sizeof err), 0);
        assert_int_equal(a.dtype, dt);
        assert_int_equal(a.rank, 3);
        assert_int_equal(a.dims[0], 2);
        assert_int_equal(a.dims[2], 5);
        assert_int_equal(a.nbytes, nbytes);
        assert_memory_equal(a.data, data, nbytes);
        om_npy_free(&a);
        free(img);
    }
}

static void test_scalar_and_rank1_and_empty(void **state)
{
    (void)state;
    float v = 3.5f;
    void *img;
    size_t size;
    char err[256];
    om_npy_array a;
    assert_int_equal(om_npy_serialize(1, 0, NULL, &v, 4, &img, &size, err, sizeof err), 0);
    assert_non_null(strstr((const char *)img + 10, "'shape': ()"));
    assert_int_equal(om_npy_parse(img, size, &a, err, sizeof err), 0);
    assert_int_equal(a.rank, 0);
    assert_int_equal(a.nbytes, 4);
    om_npy_free(&a);
    free(img);

    int64_t d1 = 4;
    int32_t four[4] = {1, 2, 3, 4};
    assert_int_equal(om_npy_serialize(6, 1, &d1, four, 16, &img, &size, err, sizeof err), 0);
    assert_non_null(strstr((const char *)img + 10, "'shape': (4,)"));
    assert_int_equal(om_npy_parse(img, size, &a, err, sizeof err), 0);
    assert_int_equal(a.rank, 1);
    assert_int_equal(((int32_t *)a.data)[3], 4);
    om_npy_free(&a);
    free(img);

    int64_t d0[2] = {0, 5};
    assert_int_equal(om_npy_serialize(1, 2, d0, NULL, 0, &img, &size, err, sizeof err), 0);
    assert_int_equal(om_npy_parse(img, size, &a, err, sizeof err), 0);
    assert_int_equal(a.nbytes, 0);
    om_npy_free(&a);
    free(img);
}

static void test_serialize_rejects_wrong_size_and_dtype(void **state)
{
    (void)state;
    int64_t dims[1] = {3};
    float data[3] = {0};
    void *img = (void *)1;
    size_t size;
    char err[256];
    assert_int_equal(om_npy_serialize(1, 1, dims, data, 8, &img, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "12"));
    assert_null(img);
    assert_int_equal(om_npy_serialize(16 /* bfloat16 */, 1, dims, data, 6, &img, &size, err, sizeof err), -1);
    assert_int_equal(om_npy_serialize(1, 9, dims, data, 12, &img, &size, err, sizeof err), -1);
}

static void test_versions_and_spellings(void **state)
{
    (void)state;
    unsigned char buf[512];
    const int16_t data[6] = {1, -2, 3, -4, 5, -6};
    const char *dicts[] = {
        "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
        "{\"shape\": (2,3), \"descr\": \"<i2\", \"fortran_order\": False}",
        "{ 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , 'descr' : '<i2' , }",
        "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }",
    };
    for (int major = 1; major <= 3; major++) {
        for (size_t k = 0; k < sizeof dicts / sizeof dicts[0]; k++) {
            size_t n = make_npy(buf, sizeof buf, major, dicts[k], data, sizeof data);
            om_npy_array a;
            char err[256] = "";
            if (om_npy_parse(buf, n, &a, err, sizeof err) != 0)
                fail_msg("version %d dict %zu: %s", major, k, err);
            assert_int_equal(a.dtype, 5);
            assert_int_equal(a.rank, 2);
            assert_int_equal(a.dims[1], 3);
            assert_memory_equal(a.data, data, sizeof data);
            om_npy_free(&a);
        }
    }
    /* one-byte types in both byte-order spellings */
    const char *one[] = {"'|u1'", "'<u1'", "'|i1'", "'<i1'", "'|b1'"};
    const int32_t want[] = {2, 2, 3, 3, 9};
    for (size_t k = 0; k < 5; k++) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': %s, 'fortran_order': False, 'shape': (2,), }", one[k]);
        size_t n = make_npy(buf, sizeof buf, 1, dict, "\x01\x00", 2);
        om_npy_array a;
        char err[256];
        assert_int_equal(om_npy_parse(buf, n, &a, err, sizeof err), 0);
        assert_int_equal(a.dtype, want[k]);
        om_npy_free(&a);
    }
}

static void test_rejects_unsupported(void **state)
{
    (void)state;
    unsigned char buf[512];
    const float data[2] = {1, 2};
    size_t n;
    n = make_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", data, 8);
    expect_error(buf, n, "fortran_order");
    n = make_npy(buf, sizeof buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data, 8);
    expect_error(buf, n, "big-endian");
    n = make_npy(buf, sizeof buf, 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", data, 8);
    expect_error(buf, n, "'<c8'");
    n = make_npy(buf, sizeof buf, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data, 8);
    expect_error(buf, n, "structured");
    n = make_npy(buf, sizeof buf, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", data, 8);
    expect_error(buf, n, "dtype");
    n = make_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,2), }", data, 8);
    expect_error(buf, n, "dims");
}

static void test_rejects_malformed_headers(void **state)
{
    (void)state;
    unsigned char buf[512];
    const float data[2] = {1, 2};
    struct {
        const char *dict, *needle;
    } cases[] = {
        {"{'descr': '<f4', 'shape': (2,), }", "missing key 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unknown key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "twice"},
        {"{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", "True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "shape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "after the closing"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", "expected"},
        {"{'descr: '<f4', 'fortran_order': False, 'shape': (2,)}", "expected"},
        {"['descr', '<f4']", "expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,", "shape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", "too large"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = make_npy(buf, sizeof buf, 1, cases[k].dict, data, 8);
        om_npy_array a;
        char err[256] = "";
        if (om_npy_parse(buf, n, &a, err, sizeof err) != -1)
            fail_msg("case %zu accepted: %s", k, cases[k].dict);
        if (!strstr(err, cases[k].needle))
            fail_msg("case %zu: error '%s' does not mention '%s'", k, err, cases[k].needle);
    }
}

static void test_rejects_bad_preamble_and_sizes(void **state)
{
    (void)state;
    unsigned char buf[512];
    const float data[2] = {1, 2};
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    size_t n = make_npy(buf, sizeof buf, 1, dict, data, 8);

    unsigned char bad[512];
    memcpy(bad, buf, n);
    bad[1] = 'X';
    expect_error(bad, n, "magic");
    memcpy(bad, buf, n);
    bad[6] = 4;
    expect_error(bad, n, "version 4.0");
    memcpy(bad, buf, n);
    bad[8] = 0xff; /* header length past the end */
    bad[9] = 0x7f;
    expect_error(bad, n, "truncated");
    memcpy(bad, buf, n);
    bad[10 + 40] = '\0'; /* a NUL inside the header */
    expect_error(bad, n, "header");
    memcpy(bad, buf, n);
    bad[n - 8 - 1] = ' '; /* header no longer ends with a newline */
    expect_error(bad, n, "newline");
    memcpy(bad, buf, n);
    bad[20] = (unsigned char)0xc3; /* non-ASCII in a 1.0 header */
    expect_error(bad, n, "header");

    /* data one byte short / one byte long */
    expect_error(buf, n - 1, "truncated");
    memcpy(bad, buf, n);
    bad[n] = 0;
    expect_error(bad, n + 1, "after the data");

    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < n; cut++) {
        om_npy_array a;
        char err[256];
        assert_int_equal(om_npy_parse(buf, cut, &a, err, sizeof err), -1);
    }
}

/* Flipping bytes of the header never crashes (run under ASan to see it). */
static void test_byte_flips_never_crash(void **state)
{
    (void)state;
    unsigned char buf[512], bad[512];
    const double data[3] = {1, 2, 3};
    size_t n = make_npy(buf, sizeof buf, 2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                        data, sizeof data);
    int accepted = 0;
    for (size_t pos = 0; pos < n - sizeof data; pos++) {
        for (int v = 0; v < 256; v += 17) {
            memcpy(bad, buf, n);
            bad[pos] = (unsigned char)v;
            om_npy_array a;
            char err[64];
            if (om_npy_parse(bad, n, &a, err, sizeof err) == 0) {
                accepted++;
                assert_true(a.nbytes <= n);
                om_npy_free(&a);
            }
        }
    }
    assert_true(accepted > 0); /* e.g. padding spaces changed to other blanks */
}

static void test_file_roundtrip_and_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/om_npy_test_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/a.npy", dir);
    int64_t dims[2] = {2, 2};
    const uint16_t half[4] = {0x3c00, 0x4000, 0xbc00, 0x0000};
    char err[512];
    assert_int_equal(om_npy_write_file(path, 10, 2, dims, half, sizeof half, err, sizeof err), 0);
    om_npy_array a;
    assert_int_equal(om_npy_read_file(path, &a, err, sizeof err), 0);
    assert_int_equal(a.dtype, 10);
    assert_memory_equal(a.data, half, sizeof half);
    om_npy_free(&a);

    char missing[256];
    snprintf(missing, sizeof missing, "%s/missing.npy", dir);
    assert_int_equal(om_npy_read_file(missing, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.npy"));
    assert_non_null(strstr(err, "cannot open"));

    /* a damaged file names itself */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fputc('X', f);
    fclose(f);
    assert_int_equal(om_npy_read_file(path, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "a.npy"));
    assert_non_null(strstr(err, "magic"));

    char bad_dir[300];
    snprintf(bad_dir, sizeof bad_dir, "%s/no/such/dir/b.npy", dir);
    assert_int_equal(om_npy_write_file(bad_dir, 1, 0, NULL, half, 4, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create"));
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_dtype),
        cmocka_unit_test(test_scalar_and_rank1_and_empty),
        cmocka_unit_test(test_serialize_rejects_wrong_size_and_dtype),
        cmocka_unit_test(test_versions_and_spellings),
        cmocka_unit_test(test_rejects_unsupported),
        cmocka_unit_test(test_rejects_malformed_headers),
        cmocka_unit_test(test_rejects_bad_preamble_and_sizes),
        cmocka_unit_test(test_byte_flips_never_crash),
        cmocka_unit_test(test_file_roundtrip_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
