/* tools/json_out.c: JSON string escaping (quotes, backslashes, control characters) and
 * UTF-8 handling (valid sequences kept, invalid bytes, overlongs and surrogates -> U+FFFD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/json_out.h"

static void check(const char *in, size_t len, const char *want)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    om_json_string(f, in, len);
    fclose(f);
    if (strcmp(buf, want) != 0)
        fail_msg("got %s, want %s", buf, want);
    free(buf);
}

static void test_escapes(void **state)
{
    (void)state;
    check("plain", 5, "\"plain\"");
    check("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    check("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"");
    check("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
    check("a\0b", 3, "\"a\\u0000b\"");   /* length-delimited: NUL inside is escaped */
    check("", 0, "\"\"");
}

static void test_utf8(void **state)
{
    (void)state;
    check("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");                 /* 2-byte */
    check("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");                /* euro sign */
    check("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");        /* 4-byte */
    check("\xff", 1, "\"\\ufffd\"");                             /* never valid */
    check("\xc3", 1, "\"\\ufffd\"");                             /* truncated */
    check("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");                  /* overlong '/' */
    check("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");       /* surrogate */
    check("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
    check("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");                  /* cut at the end */
}

static void test_cstr(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    om_json_cstr(f, NULL);
    om_json_cstr(f, "x");
    fclose(f);
    assert_string_equal(buf, "\"\"\"x\"");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_cstr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
