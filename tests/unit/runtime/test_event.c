/* event.c: events ordering streams (record on one, wait on another), query and synchronize,
 * elapsed time, reset, destroying an event with tasks queued, and misuse. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void sleep_ms(void *ms)
{
    struct timespec ts = {0, (long)(intptr_t)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_across_streams(void **state)
{
    omrt_stream *a, *b;
    expect(omrt_stream_create(&a), OMRT_OK, NULL);
    expect(omrt_stream_create(&b), OMRT_OK, NULL);
    omrt_event *e;
    expect(omrt_event_create(&e), OMRT_OK, NULL);
    int done = -1;
    expect(omrt_event_query(e, &done), OMRT_OK, NULL);
    assert_int_equal(done, 1);                         /* never recorded: complete */
    rt_gate g;
    rt_gate_init(&g);
    rt_log log;
    rt_log_init(&log);
    rt_log_item on_a = {&log, 1}, on_b = {&log, 2};
    expect(omrt_launch_callback(a, rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);
    expect(omrt_launch_callback(a, rt_log_cb, &on_a, 1), OMRT_OK, NULL);
    expect(omrt_event_record(e, a), OMRT_OK, NULL);
    expect(omrt_stream_wait_event(b, e), OMRT_OK, NULL);
    expect(omrt_launch_callback(b, rt_log_cb, &on_b, 1), OMRT_OK, NULL);
    assert_true(rt_gate_wait_blocked(&g));
    expect(omrt_event_query(e, &done), OMRT_OK, NULL);
    assert_int_equal(done, 0);
    /* b cannot get past the wait while a is blocked */
    expect(omrt_stream_synchronize_timeout(b, 50), OMRT_ERR_TIMEOUT, NULL);
    assert_int_equal(log.n, 0);
    rt_gate_open(&g);
    expect(omrt_stream_synchronize(b), OMRT_OK, NULL);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.v[0], 1);                     /* a's work came first */
    assert_int_equal(log.v[1], 2);
    expect(omrt_event_synchronize(e), OMRT_OK, NULL);
    expect(omrt_event_query(e, &done), OMRT_OK, NULL);
    assert_int_equal(done, 1);
    /* waiting on an event whose record already completed does not block */
    expect(omrt_stream_wait_event(b, e), OMRT_OK, NULL);
    expect(omrt_stream_synchronize_timeout(b, 5000), OMRT_OK, NULL);
    rt_gate_destroy(&g);
    expect(omrt_event_destroy(e), OMRT_OK, NULL);
    expect(omrt_stream_destroy(a), OMRT_OK, NULL);
    expect(omrt_stream_destroy(b), OMRT_OK, NULL);
}

static void test_elapsed_and_reset(void **state)
{
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    omrt_event *start, *end;
    expect(omrt_event_create(&start), OMRT_OK, NULL);
    expect(omrt_event_create(&end), OMRT_OK, NULL);
    float ms = -1;
    expect(omrt_event_elapsed(start, end, &ms), OMRT_ERR_INVALID_HANDLE,
           "start event is not recorded");
    expect(omrt_event_record(start, s), OMRT_OK, NULL);
    expect(omrt_launch_callback(s, sleep_ms, (void *)(intptr_t)30, 1), OMRT_OK, NULL);
    expect(omrt_event_record(end, s), OMRT_OK, NULL);
    expect(omrt_event_synchronize(end), OMRT_OK, NULL);
    expect(omrt_event_elapsed(start, end, &ms), OMRT_OK, NULL);
    assert_true(ms >= 25.0f && ms < 5000.0f);
    expect(omrt_event_elapsed(end, start, &ms), OMRT_OK, NULL);
    assert_true(ms < 0);
    expect(omrt_event_elapsed(start, end, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL ms");
    expect(omrt_event_reset(end, s), OMRT_OK, NULL);
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    expect(omrt_event_elapsed(start, end, &ms), OMRT_ERR_INVALID_HANDLE, "end event");
    int done;
    expect(omrt_event_query(end, &done), OMRT_OK, NULL);
    assert_int_equal(done, 1);
    omrt_event_destroy(start);
    omrt_event_destroy(end);
    omrt_stream_destroy(s);
}

static void test_destroy_with_queued_tasks(void **state)
{
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    omrt_event *e;
    expect(omrt_event_create(&e), OMRT_OK, NULL);
    rt_gate g;
    rt_gate_init(&g);
    expect(omrt_launch_callback(s, rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);
    expect(omrt_event_record(e, s), OMRT_OK, NULL);
    expect(omrt_stream_wait_event(s, e), OMRT_OK, NULL);
    expect(omrt_event_destroy(e), OMRT_OK, NULL);        /* the queued tasks keep it alive */
    expect(omrt_event_query(e, &(int){0}), OMRT_ERR_INVALID_HANDLE, "not a live event");
    rt_gate_open(&g);
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    rt_gate_destroy(&g);
    omrt_stream_destroy(s);
}

static void test_misuse(void **state)
{
    omrt_event *e = (omrt_event *)1;
    expect(omrt_event_create(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_event_destroy(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL event");
    expect(omrt_event_record(NULL, NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_event_synchronize(NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_stream_wait_event(NULL, NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_event_create(&e), OMRT_OK, NULL);
    expect(omrt_event_query(e, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL status");
    expect(omrt_event_record(e, (omrt_stream *)e), OMRT_ERR_INVALID_HANDLE, "not a live stream");
    expect(omrt_event_record(e, NULL), OMRT_OK, NULL);    /* the default stream */
    expect(omrt_event_synchronize(e), OMRT_OK, NULL);
    expect(omrt_event_destroy(e), OMRT_OK, NULL);
    expect(omrt_event_destroy(e), OMRT_ERR_INVALID_HANDLE, "not a live event");
    expect(omrt_event_record(e, NULL), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_event_elapsed(e, e, &(float){0}), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(omrt_event_create(&e), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_event_synchronize(e), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_init(NULL), OMRT_OK, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_across_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elapsed_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destroy_with_queued_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
