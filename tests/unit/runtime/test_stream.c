/* stream.c: issue order on one stream, concurrency across streams, synchronize with a
 * timeout, a failing task (sticky status, exception callback, last exception), destroy
 * draining the queue, and handle misuse. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_exec_util.h"

static void expect(omrt_status got, omrt_status want, const char *needle)
{
    if (got != want)
        fail_msg("status %s, expected %s (%s)", omrt_status_name(got), omrt_status_name(want),
                 omrt_last_error());
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static int setup(void **state)
{
    return omrt_init(NULL) == OMRT_OK && omrt_device_set(0) == OMRT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    return omrt_finalize() == OMRT_OK ? 0 : -1;
}

static void test_issue_order(void **state)
{
    enum { N = 2000 };
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    rt_log log;
    rt_log_init(&log);
    static rt_log_item items[N];
    for (int i = 0; i < N; i++) {
        items[i] = (rt_log_item){&log, i};
        expect(omrt_launch_callback(s, rt_log_cb, &items[i], i & 1), OMRT_OK, NULL);
    }
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    assert_int_equal(log.n, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(log.v[i], i);
    expect(omrt_stream_destroy(s), OMRT_OK, NULL);
}

static void test_concurrent_streams(void **state)
{
    /* stream a is blocked in a gate; stream b still runs its work (and completes) */
    omrt_stream *a, *b;
    expect(omrt_stream_create(&a), OMRT_OK, NULL);
    expect(omrt_stream_create(&b), OMRT_OK, NULL);
    assert_int_not_equal(omrt_stream_id(a), omrt_stream_id(b));
    assert_int_equal(omrt_stream_id(NULL), 0);
    rt_gate g;
    rt_gate_init(&g);
    rt_log log;
    rt_log_init(&log);
    rt_log_item after_gate = {&log, 1}, on_b = {&log, 2};
    expect(omrt_launch_callback(a, rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);
    expect(omrt_launch_callback(a, rt_log_cb, &after_gate, 1), OMRT_OK, NULL);
    expect(omrt_launch_callback(b, rt_log_cb, &on_b, 1), OMRT_OK, NULL);
    assert_true(rt_gate_wait_blocked(&g));
    expect(omrt_stream_synchronize_timeout(b, 5000), OMRT_OK, NULL);
    pthread_mutex_lock(&log.m);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.v[0], 2);
    pthread_mutex_unlock(&log.m);
    /* a is still blocked: a timed synchronize times out, naming the pending count */
    expect(omrt_stream_synchronize_timeout(a, 30), OMRT_ERR_TIMEOUT, "2 task(s) still pending");
    expect(omrt_stream_synchronize_timeout(a, 0), OMRT_ERR_TIMEOUT, "after 0 ms");
    rt_gate_open(&g);
    expect(omrt_stream_synchronize(a), OMRT_OK, NULL);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.v[1], 1);
    rt_gate_destroy(&g);
    expect(omrt_stream_destroy(a), OMRT_OK, NULL);
    expect(omrt_stream_destroy(b), OMRT_OK, NULL);
}

static omrt_exception seen;
static int seen_calls;
static char seen_msg[512];

static void on_exception(const omrt_exception *e)
{
    seen = *e;
    seen_calls++;
    strncpy(seen_msg, e->message, sizeof seen_msg - 1);
}

static void test_failing_task(void **state)
{
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    omrt_exception info;
    expect(omrt_last_exception(&info, NULL, 0), OMRT_ERR_INVALID_HANDLE, "no task has failed");
    expect(omrt_last_exception(NULL, NULL, 0), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_set_exception_callback(on_exception), OMRT_OK, NULL);
    rt_gate g;
    rt_gate_init(&g);
    char host[64] = "payload";
    void *d;
    expect(omrt_malloc_device(64, &d), OMRT_OK, NULL);
    expect(omrt_launch_callback(s, rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);        /* task 1 */
    expect(omrt_memcpy_async(d, 64, host, 64, OMRT_COPY_HOST_TO_DEVICE, s), OMRT_OK, NULL);
    assert_true(rt_gate_wait_blocked(&g));
    expect(omrt_free_device(d), OMRT_OK, NULL);   /* freed before task 2 runs */
    rt_gate_open(&g);
    expect(omrt_stream_synchronize(s), OMRT_ERR_TASK_FAILED, "was freed before the task ran");
    assert_int_equal(seen_calls, 1);
    assert_int_equal(seen.stream_id, omrt_stream_id(s));
    assert_int_equal(seen.task_id, 2);
    assert_int_equal(seen.device_id, 0);
    assert_int_equal(seen.status, OMRT_ERR_INVALID_HANDLE);
    assert_non_null(strstr(seen_msg, "freed"));
    char op[64];
    expect(omrt_last_exception(&info, op, sizeof op), OMRT_OK, NULL);
    assert_int_equal(info.task_id, 2);
    assert_string_equal(op, "memcpy:host-to-device");
    /* reported once; the stream goes on */
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    expect(omrt_set_exception_callback(NULL), OMRT_OK, NULL);
    rt_gate_destroy(&g);
    expect(omrt_stream_destroy(s), OMRT_OK, NULL);
}

static void test_destroy_drains(void **state)
{
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    rt_log log;
    rt_log_init(&log);
    static rt_log_item items[300];
    for (int i = 0; i < 300; i++) {
        items[i] = (rt_log_item){&log, i};
        expect(omrt_launch_callback(s, rt_log_cb, &items[i], 0), OMRT_OK, NULL);
    }
    expect(omrt_stream_destroy(s), OMRT_OK, NULL);
    assert_int_equal(log.n, 300);
}

static void *no_context_thread(void *arg)
{
    omrt_stream *s;
    return (void *)(intptr_t)(omrt_stream_create(&s) == OMRT_ERR_INVALID_DEVICE &&
                              omrt_stream_synchronize(NULL) == OMRT_ERR_INVALID_DEVICE &&
                              omrt_stream_default(&s) == OMRT_ERR_INVALID_DEVICE);
}

static void test_misuse(void **state)
{
    omrt_stream *s = (omrt_stream *)1, *def, *def2;
    expect(omrt_stream_create(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_stream_destroy(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL stream");
    expect(omrt_stream_default(NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_stream_default(&def), OMRT_OK, NULL);
    expect(omrt_stream_default(&def2), OMRT_OK, NULL);
    assert_ptr_equal(def, def2);
    expect(omrt_stream_destroy(def), OMRT_ERR_INVALID_HANDLE, "default stream");
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    expect(omrt_stream_destroy(s), OMRT_OK, NULL);
    expect(omrt_stream_destroy(s), OMRT_ERR_INVALID_HANDLE, "not a live stream");
    expect(omrt_stream_synchronize(s), OMRT_ERR_INVALID_HANDLE, "not a live stream");
    expect(omrt_launch_callback(s, rt_log_cb, NULL, 0), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_launch_callback(NULL, NULL, NULL, 0), OMRT_ERR_INVALID_ARGUMENT, "NULL function");
    pthread_t t;
    void *ok;
    assert_int_equal(pthread_create(&t, NULL, no_context_thread, NULL), 0);
    pthread_join(t, &ok);
    assert_true(ok != NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(omrt_stream_create(&s), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_stream_destroy(def), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_stream_synchronize(NULL), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_set_exception_callback(NULL), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_init(NULL), OMRT_OK, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_issue_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_drains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
