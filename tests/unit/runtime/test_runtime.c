/* runtime.c, runtime_config.c, device.c: init/finalize with and without a JSON config,
 * devices, the default context's reference count, contexts and the per-thread current
 * context, device synchronize, and finalize releasing what is left. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char *write_config(const char *text)
{
    char *path = strdup("/tmp/omrt_cfg_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static omrt_status init_with(const char *text)
{
    char *p = write_config(text);
    omrt_status st = omrt_init(p);
    unlink(p);
    free(p);
    return st;
}

static void test_init_finalize(void **state)
{
    expect(omrt_finalize(), OMRT_ERR_NOT_INITIALIZED, "not initialized");
    assert_int_equal(omrt_device_count(), 0);
    expect(omrt_device_set(0), OMRT_ERR_NOT_INITIALIZED, "omrt_device_set");
    void *p;
    expect(omrt_malloc_host(8, &p), OMRT_ERR_NOT_INITIALIZED, "omrt_malloc_host");
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_ERR_NOT_INITIALIZED, NULL);
    omrt_event *e;
    expect(omrt_event_create(&e), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_process_report(0), OMRT_ERR_NOT_INITIALIZED, NULL);

    expect(omrt_init(NULL), OMRT_OK, NULL);
    assert_int_equal(omrt_device_count(), 1);
    expect(omrt_init(NULL), OMRT_ERR_ALREADY, "already initialized");
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(omrt_init(""), OMRT_OK, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(init_with("{}"), OMRT_OK, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(init_with(" {\"dump\": {\"dump_list\": [1, 2.5e3, true, null, \"x\\n\"]},\n"
                     "  \"devices\": 3, \"intra_op_threads\": 2} "), OMRT_OK, NULL);
    assert_int_equal(omrt_device_count(), 3);
    expect(omrt_finalize(), OMRT_OK, NULL);
}

static void test_bad_config(void **state)
{
    expect(omrt_init("/nonexistent/acl.json"), OMRT_ERR_IO, "/nonexistent/acl.json");
    expect(init_with(""), OMRT_ERR_INVALID_ARTIFACT, "JSON syntax error");
    expect(init_with("{\"a\": }"), OMRT_ERR_INVALID_ARTIFACT, "at byte 6");
    expect(init_with("[1]"), OMRT_ERR_INVALID_ARTIFACT, "one object");
    expect(init_with("{} {}"), OMRT_ERR_INVALID_ARTIFACT, NULL);
    expect(init_with("{\"a\": 01}"), OMRT_ERR_INVALID_ARTIFACT, NULL);
    expect(init_with("{\"a\": \"unterminated}"), OMRT_ERR_INVALID_ARTIFACT, NULL);
    expect(init_with("{\"devices\": 0}"), OMRT_ERR_INVALID_ARGUMENT, "\"devices\"");
    expect(init_with("{\"devices\": 1.5}"), OMRT_ERR_INVALID_ARGUMENT, "\"devices\"");
    expect(init_with("{\"intra_op_threads\": -1}"), OMRT_ERR_INVALID_ARGUMENT,
           "intra_op_threads");
    char deep[200];
    memset(deep, '[', 100);
    strcpy(deep + 100, "");
    char cfg[256];
    snprintf(cfg, sizeof cfg, "{\"a\": %s}", deep);
    expect(init_with(cfg), OMRT_ERR_INVALID_ARTIFACT, NULL);
    assert_int_equal(omrt_device_count(), 0);   /* nothing got initialized */
}

static void test_devices_and_default_context(void **state)
{
    expect(omrt_init(NULL), OMRT_OK, NULL);
    omrt_devctx *c = (omrt_devctx *)1;
    expect(omrt_devctx_get_current(&c), OMRT_ERR_INVALID_DEVICE, "no current context");
    expect(omrt_devctx_get_current(NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_device_set(1), OMRT_ERR_INVALID_DEVICE, "device 1 does not exist");
    expect(omrt_device_set(-1), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_device_reset(0), OMRT_ERR_INVALID_DEVICE, "was not set");
    expect(omrt_device_reset(7), OMRT_ERR_INVALID_DEVICE, "does not exist");
    expect(omrt_device_set(0), OMRT_OK, NULL);
    expect(omrt_device_set(0), OMRT_OK, NULL);
    expect(omrt_devctx_get_current(&c), OMRT_OK, NULL);
    assert_int_equal(omrt_devctx_device(c), 0);
    assert_int_equal(omrt_devctx_device(NULL), -1);
    expect(omrt_devctx_destroy(c), OMRT_ERR_INVALID_HANDLE, "default context");
    expect(omrt_device_reset(0), OMRT_OK, NULL);     /* one reference left */
    omrt_devctx *c2;
    expect(omrt_devctx_get_current(&c2), OMRT_OK, NULL);
    assert_ptr_equal(c, c2);
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    expect(omrt_device_reset(0), OMRT_OK, NULL);     /* destroys the context and s */
    expect(omrt_devctx_get_current(&c2), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_stream_synchronize(s), OMRT_ERR_INVALID_HANDLE, "not a live stream");
    expect(omrt_devctx_set_current(c), OMRT_ERR_INVALID_HANDLE, "not a live context");
    expect(omrt_finalize(), OMRT_OK, NULL);
}

static void *other_thread(void *arg)
{
    omrt_devctx *c = NULL;
    intptr_t ok = omrt_devctx_get_current(&c) == OMRT_ERR_INVALID_DEVICE;  /* none here */
    ok = ok && omrt_devctx_set_current(arg) == OMRT_OK;
    ok = ok && omrt_devctx_get_current(&c) == OMRT_OK && c == arg;
    omrt_stream *s;
    ok = ok && omrt_stream_create(&s) == OMRT_OK && omrt_stream_destroy(s) == OMRT_OK;
    return (void *)ok;
}

static void test_contexts(void **state)
{
    expect(omrt_init(NULL), OMRT_OK, NULL);
    omrt_devctx *c = (omrt_devctx *)1, *cur;
    expect(omrt_devctx_create(3, &c), OMRT_ERR_INVALID_DEVICE, "device 3");
    assert_null(c);
    expect(omrt_devctx_create(0, NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_devctx_create(0, &c), OMRT_OK, NULL);
    expect(omrt_devctx_get_current(&cur), OMRT_OK, NULL);
    assert_ptr_equal(cur, c);                       /* a new context becomes current */
    pthread_t t;
    void *ok;
    assert_int_equal(pthread_create(&t, NULL, other_thread, c), 0);
    pthread_join(t, &ok);
    assert_true(ok != NULL);
    expect(omrt_devctx_set_current(NULL), OMRT_OK, NULL);
    expect(omrt_devctx_get_current(&cur), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_devctx_set_current(c), OMRT_OK, NULL);
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    expect(omrt_devctx_destroy(c), OMRT_OK, NULL);
    expect(omrt_devctx_get_current(&cur), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_stream_destroy(s), OMRT_ERR_INVALID_HANDLE, NULL);   /* went with c */
    expect(omrt_devctx_destroy(c), OMRT_ERR_INVALID_HANDLE, "not a live context");
    expect(omrt_devctx_destroy(NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(omrt_devctx_set_current(NULL), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_devctx_get_current(&cur), OMRT_ERR_NOT_INITIALIZED, NULL);
    expect(omrt_device_synchronize(), OMRT_ERR_NOT_INITIALIZED, NULL);
}

static void test_device_synchronize(void **state)
{
    expect(omrt_init(NULL), OMRT_OK, NULL);
    expect(omrt_device_synchronize(), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_device_set(0), OMRT_OK, NULL);
    rt_gate g;
    rt_gate_init(&g);
    rt_log log;
    rt_log_init(&log);
    omrt_stream *s[3];
    rt_log_item items[3];
    for (int i = 0; i < 3; i++) {
        expect(omrt_stream_create(&s[i]), OMRT_OK, NULL);
        items[i] = (rt_log_item){&log, i};
    }
    expect(omrt_launch_callback(s[0], rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);
    for (int i = 0; i < 3; i++)
        expect(omrt_launch_callback(s[i], rt_log_cb, &items[i], 1), OMRT_OK, NULL);
    assert_true(rt_gate_wait_blocked(&g));
    rt_gate_open(&g);
    expect(omrt_device_synchronize(), OMRT_OK, NULL);
    assert_int_equal(log.n, 3);                      /* every stream drained */
    rt_gate_destroy(&g);
    expect(omrt_finalize(), OMRT_OK, NULL);
}

static void test_finalize_releases_everything(void **state)
{
    /* leaves streams with queued work, events, memory and contexts: finalize drains and frees
     * (ASan's leak check covers the frees) */
    expect(omrt_init(NULL), OMRT_OK, NULL);
    expect(omrt_device_set(0), OMRT_OK, NULL);
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    void *d, *d2, *h;
    expect(omrt_malloc_device(4096, &d), OMRT_OK, NULL);
    expect(omrt_malloc_device(4096, &d2), OMRT_OK, NULL);
    expect(omrt_malloc_host(4096, &h), OMRT_OK, NULL);
    for (int i = 0; i < 50; i++)
        expect(omrt_memcpy_async(d, 4096, h, 4096, OMRT_COPY_HOST_TO_DEVICE, s), OMRT_OK, NULL);
    expect(omrt_memcpy_async(d2, 4096, h, 4096, OMRT_COPY_HOST_TO_DEVICE, NULL), OMRT_OK, NULL);
    omrt_event *e;
    expect(omrt_event_create(&e), OMRT_OK, NULL);
    expect(omrt_event_record(e, s), OMRT_OK, NULL);
    omrt_devctx *c;
    expect(omrt_devctx_create(0, &c), OMRT_OK, NULL);
    expect(omrt_subscribe(omrt_thread_id(), s), OMRT_OK, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    /* and the runtime starts afresh */
    expect(omrt_init(NULL), OMRT_OK, NULL);
    omrt_devctx *cur;
    expect(omrt_devctx_get_current(&cur), OMRT_ERR_INVALID_DEVICE, NULL);
    expect(omrt_free_device(d), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_finalize),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_devices_and_default_context),
        cmocka_unit_test(test_contexts),
        cmocka_unit_test(test_device_synchronize),
        cmocka_unit_test(test_finalize_releases_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
