/* CRC-32: the standard check values (zlib/PNG polynomial) and every implementation behind
 * om_art_crc32 (crc32_internal.h) against the byte-at-a-time reference, for every length
 * 0..300 at every start offset 0..63 (so the vector paths' head, lane-folding and tail code
 * all run on unaligned data), and on a large buffer that takes the 256-byte main loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/crc32_internal.h"

/* deterministic pseudo-random bytes (xorshift64) */
static void fill(uint8_t *b, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        b[i] = (uint8_t)(s >> 24);
    }
}

static void test_check_values(void **state)
{
    (void)state;
    assert_int_equal(om_art_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(om_art_crc32("", 0), 0);
    assert_int_equal(om_art_crc32("a", 1), 0xE8B7BE43u);
    assert_int_equal(om_art_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
    for (int i = 0; i < OM_ART_CRC32_N_IMPLS; i++) {
        om_art_crc32_impl impl = (om_art_crc32_impl)i;
        assert_int_equal(om_art_crc32_with(impl, "123456789", 9), 0xCBF43926u);
        assert_int_equal(om_art_crc32_with(impl, "", 0), 0);
    }
}

/* 1 MiB of zero bytes and of 0xFF bytes: values from zlib's crc32() */
static void test_known_large(void **state)
{
    (void)state;
    size_t n = 1u << 20;
    uint8_t *b = calloc(n, 1);
    assert_non_null(b);
    for (int i = 0; i < OM_ART_CRC32_N_IMPLS; i++)
        assert_int_equal(om_art_crc32_with((om_art_crc32_impl)i, b, n), 0xA738EA1Cu);
    for (size_t i = 0; i < n; i++)
        b[i] = 0xFF;
    for (int i = 0; i < OM_ART_CRC32_N_IMPLS; i++)
        assert_int_equal(om_art_crc32_with((om_art_crc32_impl)i, b, n), 0x956BAC74u);
    free(b);
}

static void test_every_length_and_offset(void **state)
{
    (void)state;
    enum { MAX_LEN = 300, MAX_OFF = 64 };
    uint8_t *buf = malloc(MAX_LEN + MAX_OFF);
    assert_non_null(buf);
    fill(buf, MAX_LEN + MAX_OFF, 1);
    for (int i = 0; i < OM_ART_CRC32_N_IMPLS; i++) {
        om_art_crc32_impl impl = (om_art_crc32_impl)i;
        if (!om_art_crc32_impl_supported(impl)) {
            print_message("crc32 %s: not supported on this CPU, skipped\n",
                          om_art_crc32_impl_name(impl));
            continue;
        }
        for (size_t off = 0; off < MAX_OFF; off++)
            for (size_t len = 0; len <= MAX_LEN; len++) {
                uint32_t ref = om_art_crc32_with(OM_ART_CRC32_BYTEWISE, buf + off, len);
                uint32_t got = om_art_crc32_with(impl, buf + off, len);
                if (got != ref)
                    fail_msg("crc32 %s: offset %zu length %zu: 0x%08x, reference 0x%08x",
                             om_art_crc32_impl_name(impl), off, len, got, ref);
            }
    }
    free(buf);
}

static void test_large_random(void **state)
{
    (void)state;
    size_t n = (3u << 20) + 12345;
    uint8_t *buf = malloc(n);
    assert_non_null(buf);
    fill(buf, n, 7);
    for (size_t off = 0; off < 3; off++) {
        uint32_t ref = om_art_crc32_with(OM_ART_CRC32_BYTEWISE, buf + off, n - off);
        for (int i = 1; i < OM_ART_CRC32_N_IMPLS; i++)
            assert_int_equal(om_art_crc32_with((om_art_crc32_impl)i, buf + off, n - off), ref);
        assert_int_equal(om_art_crc32(buf + off, n - off), ref);
    }
    free(buf);
}

static void test_best_is_supported(void **state)
{
    (void)state;
    om_art_crc32_impl best = om_art_crc32_best();
    print_message("crc32: om_art_crc32 uses %s\n", om_art_crc32_impl_name(best));
    assert_true(om_art_crc32_impl_supported(best));
    assert_true(best >= OM_ART_CRC32_SLICE8);
    assert_false(om_art_crc32_impl_supported(OM_ART_CRC32_N_IMPLS));
    assert_string_equal(om_art_crc32_impl_name(OM_ART_CRC32_N_IMPLS), "?");
}

static void test_single_bit_changes_crc(void **state)
{
    (void)state;
    enum { N = 4096 };
    uint8_t *buf = malloc(N);
    assert_non_null(buf);
    fill(buf, N, 3);
    uint32_t ref = om_art_crc32(buf, N);
    for (int i = 0; i < N; i += 97)
        for (int bit = 0; bit < 8; bit += 3) {
            buf[i] ^= (uint8_t)(1u << bit);
            assert_int_not_equal(om_art_crc32(buf, N), ref);
            buf[i] ^= (uint8_t)(1u << bit);
        }
    assert_int_equal(om_art_crc32(buf, N), ref);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_known_large),
        cmocka_unit_test(test_every_length_and_offset),
        cmocka_unit_test(test_large_random),
        cmocka_unit_test(test_best_is_supported),
        cmocka_unit_test(test_single_bit_changes_crc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
