/* callback.c: callbacks handed to a subscribed report thread in stream order, blocking vs
 * non-blocking callbacks, callbacks on the worker when nobody subscribed, and every
 * subscription error. */
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

typedef struct reporter {
    pthread_t thread;
    _Atomic int stop;
    _Atomic uint64_t id;
    _Atomic int ready;
} reporter;

static void *report_loop(void *arg)
{
    reporter *r = arg;
    r->id = omrt_thread_id();
    r->ready = 1;
    while (!r->stop) {
        omrt_status st = omrt_process_report(20);
        if (st != OMRT_OK && st != OMRT_ERR_TIMEOUT && st != OMRT_ERR_THREAD_NOT_SUBSCRIBED)
            return (void *)1;
    }
    return NULL;
}

static void reporter_start(reporter *r)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(pthread_create(&r->thread, NULL, report_loop, r), 0);
    while (!r->ready)
        sched_yield();
}

static void reporter_stop(reporter *r)
{
    r->stop = 1;
    void *rc;
    pthread_join(r->thread, &rc);
    assert_null(rc);
}

typedef struct where {
    rt_log_item item;
    pthread_t *ran_on;
} where;

static void where_cb(void *arg)
{
    where *w = arg;
    *w->ran_on = pthread_self();
    rt_log_cb(&w->item);
}

static void test_report_thread_order(void **state)
{
    enum { N = 200 };
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    reporter r;
    reporter_start(&r);
    expect(omrt_subscribe(r.id, s), OMRT_OK, NULL);
    rt_log log;
    rt_log_init(&log);
    static where w[N];
    static pthread_t ran_on[N];
    for (int i = 0; i < N; i++) {
        w[i] = (where){{&log, i}, &ran_on[i]};
        expect(omrt_launch_callback(s, where_cb, &w[i], i % 3 == 0), OMRT_OK, NULL);
    }
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    /* non-blocking callbacks may still be running in the report thread: wait for them */
    for (int spin = 0; spin < 5000; spin++) {
        pthread_mutex_lock(&log.m);
        int n = log.n;
        pthread_mutex_unlock(&log.m);
        if (n == N)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&log.m);
    assert_int_equal(log.n, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(log.v[i], i);
        assert_true(pthread_equal(ran_on[i], r.thread));
    }
    pthread_mutex_unlock(&log.m);
    expect(omrt_unsubscribe(r.id, s), OMRT_OK, NULL);
    reporter_stop(&r);
    omrt_stream_destroy(s);
}


static void slow_set(void *arg)
{
    struct timespec ts = {0, 30 * 1000000L};
    nanosleep(&ts, NULL);
    *(int *)arg = 1;
}

static void test_blocking_holds_the_stream(void **state)
{
    /* a blocking callback sets a host word after 30 ms; the next task copies that word: it
     * sees 1 only because the stream waited for the callback */
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    reporter r;
    reporter_start(&r);
    expect(omrt_subscribe(r.id, s), OMRT_OK, NULL);
    int *h;
    expect(omrt_malloc_host(64, (void **)&h), OMRT_OK, NULL);
    h[0] = 0;
    h[1] = -1;
    expect(omrt_launch_callback(s, slow_set, &h[0], 1), OMRT_OK, NULL);
    expect(omrt_memcpy_async(&h[1], 4, &h[0], 4, OMRT_COPY_HOST_TO_HOST, s), OMRT_OK, NULL);
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    assert_int_equal(h[1], 1);
    expect(omrt_unsubscribe(r.id, s), OMRT_OK, NULL);
    reporter_stop(&r);
    omrt_free_host(h);
    omrt_stream_destroy(s);
}

static void test_without_subscriber_runs_on_worker(void **state)
{
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    pthread_t ran_on = pthread_self();
    rt_log log;
    rt_log_init(&log);
    where w = {{&log, 7}, &ran_on};
    expect(omrt_launch_callback(s, where_cb, &w, 0), OMRT_OK, NULL);
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    assert_int_equal(log.n, 1);
    assert_false(pthread_equal(ran_on, pthread_self()));
    omrt_stream_destroy(s);
}

static void *unsubscribe_from_other(void *s)
{
    return (void *)(intptr_t)(omrt_unsubscribe(omrt_thread_id(), s) ==
                              OMRT_ERR_THREAD_NOT_SUBSCRIBED);
}

static void test_subscription_errors(void **state)
{
    omrt_stream *s, *s2;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    expect(omrt_stream_create(&s2), OMRT_OK, NULL);
    uint64_t me = omrt_thread_id();
    expect(omrt_process_report(0), OMRT_ERR_THREAD_NOT_SUBSCRIBED, "serves no stream");
    expect(omrt_unsubscribe(me, s), OMRT_ERR_NOT_SUBSCRIBED, "has no report thread");
    expect(omrt_subscribe(me, s), OMRT_OK, NULL);
    expect(omrt_subscribe(me, s), OMRT_ERR_ALREADY, "already has a report thread");
    expect(omrt_subscribe(me + 1, s), OMRT_ERR_ALREADY, NULL);
    expect(omrt_subscribe(me, s2), OMRT_OK, NULL);     /* one thread, two streams */
    expect(omrt_process_report(10), OMRT_ERR_TIMEOUT, "no callback within 10 ms");
    pthread_t t;
    void *ok;
    assert_int_equal(pthread_create(&t, NULL, unsubscribe_from_other, s), 0);
    pthread_join(t, &ok);
    assert_true(ok != NULL);
    /* served by this thread: a callback waits for our process_report */
    int flag = 0;
    expect(omrt_launch_callback(s2, slow_set, &flag, 0), OMRT_OK, NULL);
    expect(omrt_stream_synchronize(s2), OMRT_OK, NULL);   /* non-blocking: the stream is done */
    assert_int_equal(flag, 0);
    expect(omrt_process_report(5000), OMRT_OK, NULL);
    assert_int_equal(flag, 1);
    expect(omrt_unsubscribe(me, s), OMRT_OK, NULL);
    expect(omrt_unsubscribe(me, s2), OMRT_OK, NULL);
    expect(omrt_process_report(0), OMRT_ERR_THREAD_NOT_SUBSCRIBED, NULL);
    expect(omrt_subscribe(me, (omrt_stream *)&flag), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_unsubscribe(me, (omrt_stream *)&flag), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_subscribe(me, NULL), OMRT_OK, NULL);      /* the default stream */
    expect(omrt_unsubscribe(me, NULL), OMRT_OK, NULL);
    omrt_stream_destroy(s);
    omrt_stream_destroy(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_thread_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocking_holds_the_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_subscriber_runs_on_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscription_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
