/* The CPU check of the TARGET record, with the detection overridden so the outcome does not
 * depend on the machine running the tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/cpu_features.h"

static int reset(void **state)
{
    om_rt_cpu_set_override(NULL);
    return 0;
}

static void expect(omrt_status got, omrt_status want, const char *needle)
{
    assert_int_equal(got, want);
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static void test_override(void **state)
{
    om_rt_cpu_set_override("sse2 avx avx2 fma avx512f");
    bool known;
    assert_true(om_rt_cpu_has("avx2", &known));
    assert_true(known);
    assert_true(om_rt_cpu_has("avx512f", &known));
    assert_false(om_rt_cpu_has("avx512bf16", &known)); /* avx512f is not avx512bf16 */
    assert_true(known);
    assert_false(om_rt_cpu_has("avx5", &known)); /* prefix of a listed name */
    assert_false(known);
    assert_false(om_rt_cpu_has("quantum", &known));
    assert_false(known);
    assert_false(om_rt_cpu_has(NULL, &known));
}

static void test_missing_feature_message(void **state)
{
    om_rt_cpu_set_override("sse2 avx avx2 fma avx512f avx512bw");
    expect(om_rt_cpu_check("x86_64-unknown-linux-gnu", "znver4", "avx2 fma avx512f avx512bf16",
                           "model.om"),
           OMRT_ERR_UNSUPPORTED,
           "this CPU lacks avx512bf16 required by model.om (compiled for znver4); "
           "recompile with --cpu=<yours>");
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "haswell", "avx2 fma", "m.om"), OMRT_OK, NULL);
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "", "", "m.om"), OMRT_OK, NULL);
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "x", "  avx2,fma ", "m.om"), OMRT_OK, NULL);
}

static void test_unknown_feature_name(void **state)
{
    om_rt_cpu_set_override("sse2 avx2");
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "x", "avx2 warpdrive", "m.om"),
           OMRT_ERR_INVALID_ARTIFACT, "m.om requires CPU feature 'warpdrive'");
}

static void test_wrong_architecture(void **state)
{
    expect(om_rt_cpu_check("aarch64-unknown-linux-gnu", "cortex-a72", "", "arm.om"),
           OMRT_ERR_UNSUPPORTED, "arm.om was compiled for aarch64");
    expect(om_rt_cpu_check("x86_64", "x", "", "a.om"), OMRT_OK, NULL);
    expect(om_rt_cpu_check("x86_64h-apple", "x", "", "a.om"), OMRT_ERR_UNSUPPORTED, "x86_64h");
    expect(om_rt_cpu_check(NULL, "x", "", "a.om"), OMRT_ERR_UNSUPPORTED, "a.om");
}

static void test_real_detection_is_consistent(void **state)
{
    /* every x86-64 CPU has sse2; avx512f implies avx2 on every shipped CPU */
    bool known;
    assert_true(om_rt_cpu_has("sse2", &known));
    if (om_rt_cpu_has("avx512f", NULL))
        assert_true(om_rt_cpu_has("avx2", NULL));
    if (om_rt_cpu_has("avx2", NULL))
        assert_true(om_rt_cpu_has("avx", NULL));
    assert_int_equal(om_rt_cpu_check("x86_64-pc-linux-gnu", "x86-64", "sse2", "m.om"), OMRT_OK);
}

/* AMX needs the OS state (XCR0) and, on Linux, the per-process tile-data permission that
 * om_rt_cpu_check requests: after it, tile instructions must run (else SIGILL). */
static void test_amx(void **state)
{
    om_rt_cpu_set_override("sse2 avx2 avx512f amx-bf16");
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "sapphirerapids", "avx512f amx-tile amx-bf16", "m.om"),
           OMRT_ERR_UNSUPPORTED, "lacks amx-tile");
    om_rt_cpu_set_override("avx512f amx-tile amx-bf16");
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "sapphirerapids", "avx512f amx-tile amx-bf16", "m.om"),
           OMRT_OK, NULL);
    om_rt_cpu_set_override(NULL);
    if (!om_rt_cpu_has("amx-tile", NULL)) {
        assert_int_equal(om_rt_cpu_check("x86_64-pc-linux-gnu", "x", "amx-tile", "m.om"), OMRT_ERR_UNSUPPORTED);
        skip(); /* no AMX here: the permission path is not exercised */
    }
    expect(om_rt_cpu_check("x86_64-pc-linux-gnu", "x", "amx-tile amx-bf16", "m.om"), OMRT_OK, NULL);
#if defined(__x86_64__)
    _Alignas(64) unsigned char cfg[64] = {1}; /* palette 1, tile 0: 1 row of 4 bytes */
    cfg[16] = 4;
    cfg[48] = 1;
    __asm__ volatile("ldtilecfg %0\n\ttilezero %%tmm0\n\ttilerelease" : : "m"(cfg));
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_override, reset),
        cmocka_unit_test_teardown(test_missing_feature_message, reset),
        cmocka_unit_test_teardown(test_unknown_feature_name, reset),
        cmocka_unit_test_teardown(test_wrong_architecture, reset),
        cmocka_unit_test_teardown(test_real_detection_is_consistent, reset),
        cmocka_unit_test_teardown(test_amx, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
