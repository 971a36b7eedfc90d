/* Compatibility promise: artifacts written by earlier versions keep loading and running.
 * fixtures/model_v1_0.om was written by format 1.0 (the test model over 64 floats with the
 * fixture kernels, x86-64 baseline code); a later runtime of major 1 must load it and give
 * the reference results. Regenerate only when deliberately adding a new fixture:
 *   OM_RT_WRITE_FIXTURES=1 ./rt_test_compat   (writes it to the source folder) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_test_util.h"

#define V1_0 OM_RT_FIXTURE_DIR "/model_v1_0.om"

static void test_v1_0_runs(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 64);
    if (getenv("OM_RT_WRITE_FIXTURES")) {
        char err[256];
        assert_int_equal(om_art_write_file(&t.m, V1_0, err, sizeof err), 0);
    }
    omrt_model *m = NULL;
    if (omrt_model_load_file(V1_0, &m) != OMRT_OK)
        fail_msg("%s", omrt_last_error());
    assert_int_equal(omrt_model_num_inputs(m), 2);
    assert_string_equal(omrt_model_output(m, 1)->name, "out1");
    rt_test_run_check(m, t.weights);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_0_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
