/* API misuse around contexts and execution (and the model getters): NULL handles and
 * pointers, out-of-range indices, bad options. Each returns the documented status with a
 * message, and never crashes. */
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_test_util.h"

typedef struct fx {
    rt_test_model t;
    omrt_model *m;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    rt_test_model_init(&f->t, 16);
    size_t size;
    uint8_t *b = rt_serialize(&f->t.m, &size);
    if (omrt_model_load_memory(b, size, &f->m) != OMRT_OK)
        return -1;
    free(b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    omrt_model_destroy(f->m);
    rt_test_model_free(&f->t);
    free(f);
    return 0;
}

static void expect(omrt_status got, omrt_status want, const char *needle)
{
    if (got != want)
        fail_msg("status %s, expected %s (%s)", omrt_status_name(got), omrt_status_name(want),
                 omrt_last_error());
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static void test_null_handles(void **state)
{
    omrt_model_destroy(NULL);
    omrt_context_destroy(NULL);
    assert_int_equal(omrt_model_num_inputs(NULL), 0);
    assert_int_equal(omrt_model_num_outputs(NULL), 0);
    assert_null(omrt_model_input(NULL, 0));
    assert_null(omrt_model_output(NULL, 0));
    assert_int_equal(omrt_model_input_index(NULL, "a"), -1);
    assert_int_equal(omrt_model_output_index(NULL, "a"), -1);
    assert_int_equal(omrt_model_work_size(NULL), 0);
    assert_int_equal(omrt_model_weight_size(NULL), 0);

    omrt_model *m = (omrt_model *)1;
    expect(omrt_model_load_memory(NULL, 10, &m), OMRT_ERR_INVALID_ARGUMENT, "NULL buffer");
    assert_null(m);
    expect(omrt_model_load_memory("x", 1, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    m = (omrt_model *)1;
    expect(omrt_model_load_file(NULL, &m), OMRT_ERR_INVALID_ARGUMENT, "NULL path");
    assert_null(m);
    expect(omrt_model_load_file("/x", NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_model_load_memory(NULL, 0, &m), OMRT_ERR_INVALID_ARTIFACT, "bad magic");

    omrt_context *c = (omrt_context *)1;
    expect(omrt_context_create(NULL, NULL, &c), OMRT_ERR_INVALID_ARGUMENT, "NULL model");
    assert_null(c);
    expect(omrt_execute(NULL, NULL, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL context");
}

static void test_context_options(void **state)
{
    fx *f = *state;
    omrt_context *c = NULL;
    expect(omrt_context_create(f->m, NULL, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_context_create(f->m, NULL, &c), OMRT_OK, NULL); /* NULL opts: 1 thread */
    omrt_context_destroy(c);
    omrt_context_opts o = {-3};
    expect(omrt_context_create(f->m, &o, &c), OMRT_OK, NULL);
    omrt_context_destroy(c);
    o.threads = 100000;
    c = (omrt_context *)1;
    expect(omrt_context_create(f->m, &o, &c), OMRT_ERR_INVALID_ARGUMENT, "threads 100000");
    assert_null(c);
}

static void test_execute_bad_pointers(void **state)
{
    fx *f = *state;
    omrt_context *c = NULL;
    omrt_context_opts o = {2};
    expect(omrt_context_create(f->m, &o, &c), OMRT_OK, NULL);
    float a[16] = {0}, b[16] = {0}, o0[16], o1[16];
    const void *in[2] = {a, b};
    void *out[2] = {o0, o1};
    expect(omrt_execute(c, NULL, out), OMRT_ERR_INVALID_ARGUMENT, "inputs is NULL but the model has 2");
    expect(omrt_execute(c, in, NULL), OMRT_ERR_INVALID_ARGUMENT, "outputs is NULL");
    in[1] = NULL;
    expect(omrt_execute(c, in, out), OMRT_ERR_INVALID_ARGUMENT, "input 1 ('b') is NULL");
    in[1] = b;
    out[0] = NULL;
    expect(omrt_execute(c, in, out), OMRT_ERR_INVALID_ARGUMENT, "output 0 ('out0') is NULL");
    out[0] = o0;
    expect(omrt_execute(c, in, out), OMRT_OK, NULL); /* still usable after refusals */
    for (int i = 0; i < 16; i++)
        assert_true(o1[i] == 0.0f);
    omrt_context_destroy(c);
}

static void *fail_in_thread(void *p)
{
    omrt_context *c = NULL;
    (void)omrt_context_create(NULL, NULL, &c);
    return NULL;
}

static void test_errors_are_per_thread(void **state)
{
    omrt_model *m = NULL;
    expect(omrt_model_load_memory("garbage!garbage!", 16, &m), OMRT_ERR_INVALID_ARTIFACT, NULL);
    const char *mine = "<memory>: bad magic: not an .om artifact";
    assert_string_equal(omrt_last_error(), mine);
    pthread_t t;
    pthread_create(&t, NULL, fail_in_thread, NULL);
    pthread_join(t, NULL);
    assert_string_equal(omrt_last_error(), mine);
}

/* Loads the test model with step 5 (out1 = a) run by check_f32, which fails like a
 * kernel's run-time check when a[0] < 0; `minor` patches the header's format minor. */
static omrt_model *load_checking_model(rt_test_model *t, uint16_t minor, bool labels)
{
    rt_test_model_init(t, 16);
    t->kernels[4] = "check_f32";
    static const char *const names[RT_N_STEPS] = {"node 's0' (Add)", "node 's1' (Mul)", "node 's2' (Neg)",
                                                  "node 's3' (Mul)", "node 's4' (Add)", "node 'y' (Reshape)"};
    t->m.step_labels = labels ? (const char **)names : NULL;
    size_t size;
    uint8_t *b = rt_serialize(&t->m, &size);
    t->m.step_labels = NULL;
    rt_put(b, 10, minor, 2);
    rt_fix_checksums(b, size);
    omrt_model *m = NULL;
    expect(omrt_model_load_memory(b, size, &m), OMRT_OK, NULL);
    free(b);
    return m;
}

static void test_run_time_check_fails_the_execution(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        rt_test_model t;
        omrt_model *m = load_checking_model(&t, OM_ART_MINOR, true);
        omrt_context *c = NULL;
        omrt_context_opts o = {threads};
        expect(omrt_context_create(m, &o, &c), OMRT_OK, NULL);
        float a[16] = {0}, b[16] = {0}, o0[16], o1[16];
        const void *in[2] = {a, b};
        void *out[2] = {o0, o1};
        expect(omrt_execute(c, in, out), OMRT_OK, NULL);
        a[0] = -1;
        expect(omrt_execute(c, in, out), OMRT_ERR_EXECUTION, "step 5, node 'y' (Reshape): a run-time shape input");
        a[0] = 1;   /* the context stays usable */
        expect(omrt_execute(c, in, out), OMRT_OK, NULL);
        assert_true(o1[0] == 1.0f);
        omrt_context_destroy(c);
        omrt_model_destroy(m);
        rt_test_model_free(&t);
    }
}

static void test_run_time_check_without_labels_and_in_1_0(void **state)
{
    (void)state;
    rt_test_model t;
    omrt_model *m = load_checking_model(&t, OM_ART_MINOR, false);
    omrt_context *c = NULL;
    expect(omrt_context_create(m, NULL, &c), OMRT_OK, NULL);
    float a[16] = {-1}, b[16] = {0}, o0[16], o1[16];
    const void *in[2] = {a, b};
    void *out[2] = {o0, o1};
    expect(omrt_execute(c, in, out), OMRT_ERR_EXECUTION, "step 5, check_f32: ");
    omrt_context_destroy(c);
    omrt_model_destroy(m);
    rt_test_model_free(&t);
    /* format 1.0: kernels returned void, so the return value is not looked at */
    m = load_checking_model(&t, 0, false);
    expect(omrt_context_create(m, NULL, &c), OMRT_OK, NULL);
    expect(omrt_execute(c, in, out), OMRT_OK, NULL);
    omrt_context_destroy(c);
    omrt_model_destroy(m);
    rt_test_model_free(&t);
}

static void test_status_names(void **state)
{
    assert_string_equal(omrt_status_name(OMRT_OK), "OK");
    assert_string_equal(omrt_status_name(OMRT_ERR_INVALID_ARGUMENT), "INVALID_ARGUMENT");
    assert_string_equal(omrt_status_name(OMRT_ERR_INVALID_ARTIFACT), "INVALID_ARTIFACT");
    assert_string_equal(omrt_status_name(OMRT_ERR_UNSUPPORTED), "UNSUPPORTED");
    assert_string_equal(omrt_status_name(OMRT_ERR_NO_MEMORY), "NO_MEMORY");
    assert_string_equal(omrt_status_name(OMRT_ERR_IO), "IO");
    assert_string_equal(omrt_status_name(OMRT_ERR_INTERNAL), "INTERNAL");
    assert_string_equal(omrt_status_name(OMRT_ERR_EXECUTION), "EXECUTION");
    assert_string_equal(omrt_status_name((omrt_status)42), "UNKNOWN_STATUS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_handles),
        cmocka_unit_test(test_context_options),
        cmocka_unit_test(test_execute_bad_pointers),
        cmocka_unit_test(test_errors_are_per_thread),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_run_time_check_fails_the_execution),
        cmocka_unit_test(test_run_time_check_without_labels_and_in_1_0),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
