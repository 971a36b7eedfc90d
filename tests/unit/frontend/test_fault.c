/* Allocation-failure tests (SQLite's *fault.test habit): the Nth malloc/calloc/realloc made
 * by omc's own code (frontend and IR; linked with -Wl,--wrap) fails, for every N until the
 * import succeeds. Each run must end in the normal result or a clean error status with a
 * message, and, under ASan, without leaks. Allocations inside libc and protobuf-c are not
 * wrapped (they are shared libraries). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

static long g_fail_at = -1; /* index of the allocation that fails; -1: none */
static long g_count;

static bool should_fail(void)
{
    return g_fail_at >= 0 && g_count++ == g_fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

static void run_faults(const char *name)
{
    long n;
    for (n = 0; n < 100000; n++) {
        g_count = 0;
        g_fail_at = n;
        om_graph *g = (om_graph *)0x1;
        om_status st = om_fe_import_onnx_file(fx_path(name), &g);
        bool hit = g_count > n; /* the failing allocation happened */
        g_fail_at = -1;
        if (st == OM_OK) {
            assert_non_null(g);
            assert_int_equal(om_ir_verify(g), OM_OK);
            om_graph_destroy(g);
            if (!hit)
                break; /* ran to completion without reaching allocation n */
            continue;  /* the failure was tolerated (e.g. an optional buffer) */
        }
        assert_null(g);
        assert_true(om_last_error()[0] != '\0');
        if (!hit)
            print_error("%s: failed without an injected fault: %s\n", name, om_last_error());
        assert_true(hit);
    }
    print_message("%s: %ld allocation points\n", name, n);
    assert_true(n > 3); /* the import does allocate */
}

static void test_fault_constants(void **state) { run_faults("constants.onnx"); }
static void test_fault_external(void **state) { run_faults("external.onnx"); }
static void test_fault_rewrites(void **state)
{
    run_faults("clip6.onnx");
    run_faults("legacy_add6.onnx");
    run_faults("dropout_mask_used.onnx");
}
static void test_fault_inputs(void **state) { run_faults("symbolic.onnx"); run_faults("init_typed.onnx"); }
static void test_fault_errors(void **state)
{
    /* failing models stay failing (never succeed, never crash) under faults */
    static const char *const bad[] = {"unsupported_op.onnx", "external_escape.onnx"};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        for (long n = 0; n < 2000; n++) {
            g_count = 0;
            g_fail_at = n;
            om_graph *g = (om_graph *)0x1;
            om_status st = om_fe_import_onnx_file(fx_path(bad[b]), &g);
            bool hit = g_count > n;
            g_fail_at = -1;
            assert_int_not_equal(st, OM_OK);
            assert_null(g);
            if (!hit)
                break;
        }
    }
}

static void test_fault_tensor_file(void **state)
{
    if (access(td_path("node/test_gemm_all_attributes/test_data_set_0/input_0.pb"), R_OK) != 0)
        skip();
    for (long n = 0; n < 1000; n++) {
        g_count = 0;
        g_fail_at = n;
        om_fe_tensor t;
        om_status st = om_fe_load_tensor_file(td_path("node/test_gemm_all_attributes/test_data_set_0/input_0.pb"), &t);
        bool hit = g_count > n;
        g_fail_at = -1;
        if (st == OM_OK) {
            assert_int_equal(t.nbytes, 48);
            om_fe_tensor_free(&t);
        } else {
            assert_int_equal(st, OM_ERR_NO_MEMORY);
            assert_null(t.data);
        }
        if (!hit)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_constants),
        cmocka_unit_test(test_fault_external),
        cmocka_unit_test(test_fault_rewrites),
        cmocka_unit_test(test_fault_inputs),
        cmocka_unit_test(test_fault_errors),
        cmocka_unit_test(test_fault_tensor_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
