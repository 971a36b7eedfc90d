/* OMRT_PROFILE=1: a context created with it times every step and reports, when destroyed,
 * the executions counted, the time by op type and the slowest steps by label; without it
 * nothing is printed. stderr is redirected to a temporary file to read the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_test_util.h"

/* Runs the test model `runs` times in one context and returns what stderr received. */
static char *run_and_capture(bool labels, int runs)
{
    rt_test_model t;
    rt_test_model_init(&t, 16);
    static const char *const names[RT_N_STEPS] = {"node 's0' (Add)", "node 's1' (Mul)", "node 's2' (Neg)",
                                                  "node 's3' (Mul)", "node 's4' (Add)", "node 'y' (Identity)"};
    t.m.step_labels = labels ? (const char **)names : NULL;
    size_t size;
    uint8_t *b = rt_serialize(&t.m, &size);
    t.m.step_labels = NULL;
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(b, size, &m), OMRT_OK);
    free(b);

    char path[] = "/tmp/omrt_profile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    omrt_context *c = NULL;
    assert_int_equal(omrt_context_create(m, NULL, &c), OMRT_OK);
    float a[16] = {1}, bb[16] = {2}, o0[16], o1[16];
    const void *in[2] = {a, bb};
    void *out[2] = {o0, o1};
    for (int i = 0; i < runs; i++)
        assert_int_equal(omrt_execute(c, in, out), OMRT_OK);
    omrt_context_destroy(c);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    omrt_model_destroy(m);
    rt_test_model_free(&t);

    char *text = calloc(1, 65536);
    FILE *f = fdopen(fd, "r");
    rewind(f);
    size_t got = fread(text, 1, 65535, f);
    text[got] = 0;
    fclose(f);
    unlink(path);
    return text;
}

static void test_profile_report(void **state)
{
    (void)state;
    setenv("OMRT_PROFILE", "1", 1);
    char *r = run_and_capture(true, 3);
    if (!strstr(r, "omrt profile: 3 executions") || !strstr(r, "(sum of 6 steps)") || !strstr(r, "by op type:") ||
        !strstr(r, "Mul") || !strstr(r, "2 steps") || !strstr(r, "node 'y' (Identity)") || !strstr(r, "step 5"))
        fail_msg("unexpected report:\n%s", r);
    free(r);
    /* without labels: op types from the kernel names' suffixes (add_f32 -> f32) */
    r = run_and_capture(false, 1);
    if (!strstr(r, "omrt profile: 1 executions") || !strstr(r, "copy_f32"))
        fail_msg("unexpected report:\n%s", r);
    free(r);
}

static void test_profile_off(void **state)
{
    (void)state;
    unsetenv("OMRT_PROFILE");
    char *r = run_and_capture(true, 2);
    assert_string_equal(r, "");
    free(r);
    setenv("OMRT_PROFILE", "0", 1);
    r = run_and_capture(true, 2);
    assert_string_equal(r, "");
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_report),
        cmocka_unit_test(test_profile_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
