/* acl_init.c, acl_device.c, acl_memory.c: aclInit/aclFinalize codes, the recent error
 * message, devices/run mode, contexts, streams (timeout), events across streams, callbacks
 * through a report thread, the exception callback and aclmdlCreateAndGetOpDesc on the failed
 * task, memory and copies with AscendCL's error codes. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/acl/acl_test.h"
#include "tests/unit/runtime/rt_exec_util.h"

static int setup(void **state)
{
    if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    aclrtResetDevice(0);
    return aclFinalize() == ACL_SUCCESS ? 0 : -1;
}

static void test_init_finalize(void **state)
{
    ACL_EXPECT(aclFinalize(), ACL_ERROR_UNINITIALIZE, "not initialized");
    ACL_EXPECT(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE, NULL);
    void *p;
    ACL_EXPECT(aclrtMalloc(&p, 8, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_UNINITIALIZE, NULL);
    uint32_t id;
    ACL_EXPECT(aclmdlLoadFromFile("/x.om", &id), ACL_ERROR_UNINITIALIZE, NULL);
    ACL_OK(aclInit(NULL));
    ACL_EXPECT(aclInit(NULL), ACL_ERROR_REPEAT_INITIALIZE, "already initialized");
    ACL_OK(aclFinalize());
    ACL_EXPECT(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE, "already finalized");
    ACL_OK(aclInit(""));
    ACL_OK(aclFinalize());
    char path[] = "/tmp/acl_cfg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{}", 2), 2);
    close(fd);
    ACL_OK(aclInit(path));
    ACL_OK(aclFinalize());
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "{\"dump\":", 8), 8);
    close(fd);
    ACL_EXPECT(aclInit(path), ACL_ERROR_PARSE_FILE, "JSON syntax error");
    unlink(path);
    ACL_EXPECT(aclInit("/nonexistent/acl.json"), ACL_ERROR_INVALID_FILE, "acl.json");
    int32_t ma, mi, pa;
    ACL_OK(aclrtGetVersion(&ma, &mi, &pa));
    assert_int_equal(ma, ACL_MAJOR_VERSION);
    ACL_EXPECT(aclrtGetVersion(NULL, &mi, &pa), ACL_ERROR_INVALID_PARAM, NULL);
}

static void test_devices_contexts(void **state)
{
    aclrtRunMode mode = ACL_DEVICE;
    ACL_OK(aclrtGetRunMode(&mode));
    assert_int_equal(mode, ACL_HOST);
    ACL_EXPECT(aclrtGetRunMode(NULL), ACL_ERROR_INVALID_PARAM, "NULL runMode");
    uint32_t n = 0;
    ACL_OK(aclrtGetDeviceCount(&n));
    assert_int_equal(n, 1);
    ACL_EXPECT(aclrtGetDeviceCount(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    int32_t dev = -1;
    ACL_OK(aclrtGetDevice(&dev));
    assert_int_equal(dev, 0);
    ACL_EXPECT(aclrtGetDevice(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtSetDevice(1), ACL_ERROR_INVALID_DEVICE, "device 1 does not exist");
    ACL_EXPECT(aclrtResetDevice(5), ACL_ERROR_INVALID_DEVICE, NULL);

    aclrtContext def, ctx, cur;
    ACL_OK(aclrtGetCurrentContext(&def));             /* the implicit default context */
    ACL_OK(aclrtCreateContext(&ctx, 0));
    ACL_OK(aclrtGetCurrentContext(&cur));
    assert_ptr_equal(cur, ctx);
    ACL_EXPECT(aclrtCreateContext(NULL, 0), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtCreateContext(&cur, 9), ACL_ERROR_INVALID_DEVICE, NULL);
    ACL_OK(aclrtSetCurrentContext(def));
    ACL_OK(aclrtGetCurrentContext(&cur));
    assert_ptr_equal(cur, def);
    ACL_EXPECT(aclrtSetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtGetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtDestroyContext(def), ACL_ERROR_INVALID_RESOURCE_HANDLE, "default context");
    ACL_OK(aclrtDestroyContext(ctx));
    ACL_EXPECT(aclrtDestroyContext(ctx), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_EXPECT(aclrtSetCurrentContext(ctx), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_OK(aclrtSynchronizeDevice());
}

static void test_streams_events(void **state)
{
    aclrtStream a, b;
    ACL_OK(aclrtCreateStream(&a));
    ACL_OK(aclrtCreateStream(&b));
    ACL_EXPECT(aclrtCreateStream(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    aclrtEvent e, e2;
    ACL_OK(aclrtCreateEvent(&e));
    ACL_OK(aclrtCreateEvent(&e2));
    ACL_EXPECT(aclrtCreateEvent(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    /* a is held by a blocking callback served by this thread; b waits on an event of a */
    ACL_OK(aclrtSubscribeReport(omrt_thread_id(), a));
    rt_gate g;
    rt_gate_init(&g);
    rt_gate_open(&g);   /* the gate callback itself returns at once; a is held until we
                           process the report */
    ACL_OK(aclrtRecordEvent(e2, a));
    ACL_OK(aclrtLaunchCallback(rt_gate_wait_cb, &g, ACL_CALLBACK_BLOCK, a));
    ACL_OK(aclrtRecordEvent(e, a));
    ACL_OK(aclrtStreamWaitEvent(b, e));
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_COMPLETE;
    ACL_OK(aclrtSynchronizeEvent(e2));
    ACL_OK(aclrtQueryEventStatus(e, &st));
    assert_int_equal(st, ACL_EVENT_RECORDED_STATUS_NOT_READY);
    ACL_EXPECT(aclrtSynchronizeStreamWithTimeout(b, 20), ACL_ERROR_WAIT_CALLBACK_TIMEOUT,
               "still pending");
    ACL_EXPECT(aclrtSynchronizeStreamWithTimeout(b, -2), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtProcessReport(5000));                 /* runs the callback: a goes on */
    ACL_OK(aclrtSynchronizeStream(b));
    ACL_OK(aclrtSynchronizeStreamWithTimeout(a, -1));
    ACL_OK(aclrtQueryEventStatus(e, &st));
    assert_int_equal(st, ACL_EVENT_RECORDED_STATUS_COMPLETE);
    float ms = -1;
    ACL_OK(aclrtEventElapsedTime(&ms, e2, e));
    assert_true(ms >= 0);
    ACL_EXPECT(aclrtEventElapsedTime(NULL, e2, e), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtResetEvent(e2, a));
    ACL_OK(aclrtSynchronizeStream(a));
    ACL_EXPECT(aclrtEventElapsedTime(&ms, e2, e), ACL_ERROR_INVALID_RESOURCE_HANDLE,
               "not recorded");
    ACL_EXPECT(aclrtQueryEventStatus(e, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtUnSubscribeReport(omrt_thread_id(), a));
    ACL_EXPECT(aclrtUnSubscribeReport(omrt_thread_id(), a), ACL_ERROR_STREAM_NOT_SUBSCRIBE, NULL);
    ACL_OK(aclrtDestroyEvent(e));
    ACL_OK(aclrtDestroyEvent(e2));
    ACL_EXPECT(aclrtDestroyEvent(e), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_EXPECT(aclrtRecordEvent(e, a), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_EXPECT(aclrtSynchronizeEvent(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtStreamWaitEvent(a, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtDestroyStream(a));
    ACL_OK(aclrtDestroyStream(b));
    ACL_EXPECT(aclrtDestroyStream(a), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_EXPECT(aclrtDestroyStream(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtSynchronizeStream(a), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_OK(aclrtSynchronizeStream(NULL));              /* the default stream */
    rt_gate_destroy(&g);
}

typedef struct cb_ctx {
    int order[8], n;
} cb_ctx;

static cb_ctx cbs;
static void record_cb(void *v)
{
    cbs.order[cbs.n++] = (int)(intptr_t)v;
}

static void test_callbacks(void **state)
{
    aclrtStream s;
    ACL_OK(aclrtCreateStream(&s));
    ACL_EXPECT(aclrtLaunchCallback(record_cb, NULL, ACL_CALLBACK_BLOCK, s),
               ACL_ERROR_STREAM_NOT_SUBSCRIBE, "aclrtSubscribeReport");
    ACL_EXPECT(aclrtProcessReport(10), ACL_ERROR_THREAD_NOT_SUBSCRIBE, NULL);
    uint64_t me = omrt_thread_id();
    ACL_OK(aclrtSubscribeReport(me, s));
    ACL_EXPECT(aclrtSubscribeReport(me, s), ACL_ERROR_REPEAT_SUBSCRIBE, NULL);
    ACL_EXPECT(aclrtLaunchCallback(NULL, NULL, ACL_CALLBACK_BLOCK, s), ACL_ERROR_INVALID_PARAM,
               NULL);
    ACL_EXPECT(aclrtLaunchCallback(record_cb, NULL, (aclrtCallbackBlockType)7, s),
               ACL_ERROR_INVALID_PARAM, "blockType 7");
    ACL_EXPECT(aclrtProcessReport(10), ACL_ERROR_WAIT_CALLBACK_TIMEOUT, NULL);
    ACL_EXPECT(aclrtProcessReport(-5), ACL_ERROR_INVALID_PARAM, NULL);
    memset(&cbs, 0, sizeof cbs);
    for (int i = 0; i < 4; i++)
        ACL_OK(aclrtLaunchCallback(record_cb, (void *)(intptr_t)i,
                                   i & 1 ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK, s));
    while (cbs.n < 4)
        ACL_OK(aclrtProcessReport(5000));
    ACL_OK(aclrtSynchronizeStream(s));
    for (int i = 0; i < 4; i++)
        assert_int_equal(cbs.order[i], i);
    ACL_EXPECT(aclrtUnSubscribeReport(me + 1, s), ACL_ERROR_THREAD_NOT_SUBSCRIBE, NULL);
    ACL_OK(aclrtUnSubscribeReport(me, s));
    ACL_OK(aclrtDestroyStream(s));
}

static uint32_t exc_task = 0, exc_stream = 0, exc_device = 99, exc_tid;
static int exc_calls;
static void on_exception(aclrtExceptionInfo *info)
{
    exc_calls++;
    exc_task = aclrtGetTaskIdFromExceptionInfo(info);
    exc_stream = aclrtGetStreamIdFromExceptionInfo(info);
    exc_device = aclrtGetDeviceIdFromExceptionInfo(info);
    exc_tid = aclrtGetThreadIdFromExceptionInfo(info);
}

static void test_exception_info(void **state)
{
    assert_int_equal(aclrtGetTaskIdFromExceptionInfo(NULL), 0xFFFFFFFFu);
    assert_int_equal(aclrtGetStreamIdFromExceptionInfo(NULL), 0xFFFFFFFFu);
    assert_int_equal(aclrtGetDeviceIdFromExceptionInfo(NULL), 0xFFFFFFFFu);
    assert_int_equal(aclrtGetThreadIdFromExceptionInfo(NULL), 0xFFFFFFFFu);
    ACL_OK(aclrtSetExceptionInfoCallback(on_exception));
    aclrtStream s;
    ACL_OK(aclrtCreateStream(&s));
    rt_gate g;
    rt_gate_init(&g);
    void *d;
    char host[32] = {0};
    ACL_OK(aclrtMalloc(&d, 32, ACL_MEM_MALLOC_NORMAL_ONLY));
    /* task 1 blocks the stream (native callback on the worker), task 2 copies into d */
    assert_int_equal(omrt_launch_callback((omrt_stream *)s, rt_gate_wait_cb, &g, 1), OMRT_OK);
    ACL_OK(aclrtMemcpyAsync(d, 32, host, 32, ACL_MEMCPY_HOST_TO_DEVICE, s));
    assert_true(rt_gate_wait_blocked(&g));
    ACL_OK(aclrtFree(d));
    rt_gate_open(&g);
    ACL_EXPECT(aclrtSynchronizeStream(s), ACL_ERROR_RT_FAILURE, "freed before the task ran");
    assert_int_equal(exc_calls, 1);
    assert_int_equal(exc_task, 2);
    assert_int_equal(exc_device, 0);
    assert_int_equal(exc_stream, omrt_stream_id((omrt_stream *)s));
    assert_true(exc_tid != 0);
    char op[64];
    aclTensorDesc *in = (aclTensorDesc *)1, *out = (aclTensorDesc *)1;
    size_t nin = 9, nout = 9;
    ACL_OK(aclmdlCreateAndGetOpDesc(0, exc_stream, exc_task, op, sizeof op, &in, &nin, &out,
                                    &nout));
    assert_string_equal(op, "memcpy:host-to-device");
    assert_int_equal(nin, 1);                 /* src and dst as uint8 vectors */
    assert_int_equal(nout, 1);
    assert_int_equal(aclGetTensorDescType(in), ACL_UINT8);
    assert_int_equal(aclGetTensorDescSize(in), 32);
    assert_ptr_equal(aclGetTensorDescAddress(in), host);
    assert_ptr_equal(aclGetTensorDescAddress(aclGetTensorDescByIndex(out, 0)), d);
    assert_null(aclGetTensorDescByIndex(out, 1));
    aclDestroyTensorDesc(in);
    aclDestroyTensorDesc(out);
    ACL_EXPECT(aclmdlCreateAndGetOpDesc(0, exc_stream, exc_task + 1, op, sizeof op, &in, &nin,
                                        &out, &nout), ACL_ERROR_INVALID_PARAM, "not the failed");
    ACL_EXPECT(aclmdlCreateAndGetOpDesc(0, exc_stream, exc_task, NULL, 0, &in, &nin, &out,
                                        &nout), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtSetExceptionInfoCallback(NULL));
    ACL_OK(aclrtDestroyStream(s));
    rt_gate_destroy(&g);
}

static void test_memory(void **state)
{
    enum { N = 512 };
    void *d, *d2, *h;
    uint8_t src[N], out[N];
    for (int i = 0; i < N; i++)
        src[i] = (uint8_t)(i ^ 0x5a);
    ACL_OK(aclrtMalloc(&d, N, ACL_MEM_MALLOC_HUGE_FIRST));
    ACL_OK(aclrtMalloc(&d2, N, ACL_MEM_MALLOC_NORMAL_ONLY));
    ACL_OK(aclrtMallocHost(&h, N));
    void *scratch;
    ACL_EXPECT(aclrtMalloc(&scratch, N, (aclrtMemMallocPolicy)6), ACL_ERROR_INVALID_PARAM,
               "policy 6");
    ACL_EXPECT(aclrtMalloc(NULL, N, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtMalloc(&scratch, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM,
               "size 0");
    assert_null(scratch);
    ACL_EXPECT(aclrtMallocHost(NULL, N), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtMemcpy(h, N, src, N, ACL_MEMCPY_HOST_TO_HOST));
    ACL_OK(aclrtMemcpy(d, N, h, N, ACL_MEMCPY_HOST_TO_DEVICE));
    ACL_OK(aclrtMemcpy(d2, N, d, N, ACL_MEMCPY_DEVICE_TO_DEVICE));
    ACL_OK(aclrtMemcpy(out, N, d2, N, ACL_MEMCPY_DEVICE_TO_HOST));
    assert_memory_equal(out, src, N);
    ACL_OK(aclrtMemset(d, N, 7, N));
    ACL_OK(aclrtMemcpy(out, N, d, N, ACL_MEMCPY_DEFAULT));
    assert_int_equal(out[N - 1], 7);
    aclrtStream s;
    ACL_OK(aclrtCreateStream(&s));
    ACL_OK(aclrtMemcpyAsync(d, N, src, N, ACL_MEMCPY_HOST_TO_DEVICE, s));
    ACL_OK(aclrtMemsetAsync(d, N, 1, N / 2, s));
    ACL_OK(aclrtMemcpyAsync(d2, N, d, N, ACL_MEMCPY_DEVICE_TO_DEVICE, s));
    ACL_OK(aclrtMemcpyAsync(out, N, d2, N, ACL_MEMCPY_DEVICE_TO_HOST, s));
    ACL_OK(aclrtSynchronizeStream(s));
    assert_int_equal(out[0], 1);
    assert_memory_equal(out + N / 2, src + N / 2, N / 2);
    /* misuse */
    ACL_EXPECT(aclrtMemcpy(out, N, src, N, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM,
               "not device");
    ACL_EXPECT(aclrtMemcpy(d, N / 2, src, N, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM,
               "exceeds the destination size");
    ACL_EXPECT(aclrtMemcpy((char *)d + 1, N, src, N, ACL_MEMCPY_HOST_TO_DEVICE),
               ACL_ERROR_INVALID_PARAM, "past the end");
    ACL_EXPECT(aclrtMemcpy(d, N, src, N, (aclrtMemcpyKind)5), ACL_ERROR_INVALID_PARAM, "kind 5");
    ACL_EXPECT(aclrtMemcpyAsync(out, N, d, N, ACL_MEMCPY_DEVICE_TO_HOST, (aclrtStream)out),
               ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
    ACL_EXPECT(aclrtMemset(out, N, 0, N), ACL_ERROR_INVALID_PARAM, "neither");
    ACL_EXPECT(aclrtMemsetAsync(d, N, 0, N + 1, s), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclrtFree(h), ACL_ERROR_INVALID_RESOURCE_HANDLE, "host memory");
    ACL_EXPECT(aclrtFreeHost(d), ACL_ERROR_INVALID_RESOURCE_HANDLE, "device memory");
    ACL_EXPECT(aclrtFree(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclrtDestroyStream(s));
    ACL_OK(aclrtFree(d));
    ACL_OK(aclrtFree(d2));
    ACL_OK(aclrtFreeHost(h));
    ACL_EXPECT(aclrtFreeHost(h), ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_finalize),
        cmocka_unit_test_setup_teardown(test_devices_contexts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exception_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
