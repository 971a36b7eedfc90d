/* CRC-32 against the standard check values (zlib/PNG polynomial). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "runtime/artifact/artifact.h"

static void test_check_values(void **state)
{
    (void)state;
    assert_int_equal(om_art_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(om_art_crc32("", 0), 0);
    assert_int_equal(om_art_crc32("a", 1), 0xE8B7BE43u);
    assert_int_equal(om_art_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void test_single_bit_changes_crc(void **state)
{
    (void)state;
    uint8_t buf[256];
    for (int i = 0; i < 256; i++)
        buf[i] = (uint8_t)i;
    uint32_t ref = om_art_crc32(buf, sizeof buf);
    for (int i = 0; i < 256; i += 17) {
        buf[i] ^= 0x10;
        assert_int_not_equal(om_art_crc32(buf, sizeof buf), ref);
        buf[i] ^= 0x10;
    }
    assert_int_equal(om_art_crc32(buf, sizeof buf), ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_single_bit_changes_crc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
