/* acl_model.c, acl_exec.c: loading (file, memory, file with caller memory, size query),
 * descriptions, datasets, synchronous and asynchronous execution with outputs checked, the
 * dynamic-shape calls on a static model, unloading, every error code, and an AscendCL-level
 * stress test (8 threads x 4 streams, one model; OMRT_STRESS_ITERS iterations per stream,
 * default 200). */
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
#include "tests/unit/acl/acl_test.h"
#include "tests/unit/runtime/rt_exec_util.h"
#include "tests/unit/runtime/rt_test_util.h"

enum { N = 32 };
static char *model_path;

static int setup(void **state)
{
    return aclInit(NULL) == ACL_SUCCESS && aclrtSetDevice(0) == ACL_SUCCESS ? 0 : -1;
}

static int teardown(void **state)
{
    aclrtResetDevice(0);
    return aclFinalize() == ACL_SUCCESS ? 0 : -1;
}

static void reference(const float *a, const float *b, float *o0, float *o1)
{
    float w[N];
    for (int i = 0; i < N; i++)
        w[i] = (float)(i % 13) * 0.25f - 1.0f;
    rt_test_reference(N, a, b, w, o0, o1);
}

static void fill(float *a, float *b, int seed)
{
    for (int i = 0; i < N; i++) {
        a[i] = (float)((i * 5 + seed) % 19) * 0.5f - 4.0f;
        b[i] = (float)((i * 3 + seed * 7) % 11) * 0.25f;
    }
}

/* A model's device buffers and datasets, AscendCL style. */
typedef struct io_set {
    void *dev[4];
    aclmdlDataset *in, *out;
} io_set;

static void io_create(io_set *io, aclmdlDesc *desc)
{
    io->in = aclmdlCreateDataset();
    io->out = aclmdlCreateDataset();
    assert_non_null(io->in);
    for (int k = 0; k < 4; k++) {
        size_t size = k < 2 ? aclmdlGetInputSizeByIndex(desc, (size_t)k)
                            : aclmdlGetOutputSizeByIndex(desc, (size_t)k - 2);
        assert_int_equal(size, N * 4);
        ACL_OK(aclrtMalloc(&io->dev[k], size, ACL_MEM_MALLOC_HUGE_FIRST));
        aclDataBuffer *b = aclCreateDataBuffer(io->dev[k], size);
        ACL_OK(aclmdlAddDatasetBuffer(k < 2 ? io->in : io->out, b));
    }
}

static void io_destroy(io_set *io)
{
    for (int k = 0; k < 4; k++) {
        aclmdlDataset *d = k < 2 ? io->in : io->out;
        ACL_OK(aclDestroyDataBuffer(aclmdlGetDatasetBuffer(d, (size_t)(k % 2))));
        ACL_OK(aclrtFree(io->dev[k]));
    }
    ACL_OK(aclmdlDestroyDataset(io->in));
    ACL_OK(aclmdlDestroyDataset(io->out));
}

static void test_load_and_describe(void **state)
{
    uint32_t id = 0, id2 = 0;
    ACL_OK(aclmdlLoadFromFile(model_path, &id));
    assert_true(id >= 1);
    size_t size;
    void *bytes = rt_read_file(model_path, &size);
    ACL_OK(aclmdlLoadFromMem(bytes, size, &id2));
    assert_int_not_equal(id, id2);
    ((uint8_t *)bytes)[0] ^= 0xff;
    uint32_t bad;
    ACL_EXPECT(aclmdlLoadFromMem(bytes, size, &bad), ACL_ERROR_PARSE_MODEL, "<memory>");
    free(bytes);
    ACL_EXPECT(aclmdlLoadFromMem(NULL, 10, &bad), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlLoadFromMem("x", 0, &bad), ACL_ERROR_INVALID_PARAM, "modelSize 0");
    ACL_EXPECT(aclmdlLoadFromFile("/nonexistent.om", &bad), ACL_ERROR_READ_MODEL_FAILURE,
               "/nonexistent.om");
    ACL_EXPECT(aclmdlLoadFromFile(NULL, &bad), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlLoadFromFile(model_path, NULL), ACL_ERROR_INVALID_PARAM, NULL);

    aclmdlDesc *desc = aclmdlCreateDesc();
    assert_non_null(desc);
    ACL_EXPECT(aclmdlGetInputDims(desc, 0, &(aclmdlIODims){0}), ACL_ERROR_INVALID_PARAM,
               "aclmdlGetDesc");
    ACL_EXPECT(aclmdlGetDesc(desc, 999), ACL_ERROR_INVALID_MODEL_ID, "model id 999");
    ACL_EXPECT(aclmdlGetDesc(NULL, id), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclmdlGetDesc(desc, id));
    assert_int_equal(aclmdlGetNumInputs(desc), 2);
    assert_int_equal(aclmdlGetNumOutputs(desc), 2);
    assert_int_equal(aclmdlGetInputSizeByIndex(desc, 1), N * 4);
    assert_int_equal(aclmdlGetOutputSizeByIndex(desc, 0), N * 4);
    assert_int_equal(aclmdlGetInputSizeByIndex(desc, 2), 0);
    assert_non_null(strstr(aclGetRecentErrMsg(), "input index 2 out of range"));
    assert_int_equal(aclmdlGetOutputSizeByIndex(desc, 2), 0);
    assert_string_equal(aclmdlGetInputNameByIndex(desc, 1), "b");
    assert_string_equal(aclmdlGetOutputNameByIndex(desc, 0), "out0");
    assert_string_equal(aclmdlGetOutputNameByIndex(desc, 5), "");
    assert_string_equal(aclmdlGetInputNameByIndex(NULL, 0), "");
    assert_int_equal(aclmdlGetInputDataType(desc, 0), ACL_FLOAT);
    assert_int_equal(aclmdlGetOutputDataType(desc, 1), ACL_FLOAT);
    assert_int_equal(aclmdlGetInputDataType(desc, 3), ACL_DT_UNDEFINED);
    assert_int_equal(aclmdlGetOutputDataType(desc, 3), ACL_DT_UNDEFINED);
    assert_int_equal(aclmdlGetInputFormat(desc, 0), ACL_FORMAT_ND);   /* rank 2 */
    assert_int_equal(aclmdlGetOutputFormat(desc, 0), ACL_FORMAT_ND);
    assert_int_equal(aclmdlGetInputFormat(desc, 9), ACL_FORMAT_UNDEFINED);
    assert_int_equal(aclmdlGetOutputFormat(desc, 9), ACL_FORMAT_UNDEFINED);
    aclmdlIODims dims;
    ACL_OK(aclmdlGetInputDims(desc, 0, &dims));
    assert_string_equal(dims.name, "a");
    assert_int_equal(dims.dimCount, 2);
    assert_int_equal(dims.dims[0], 1);
    assert_int_equal(dims.dims[1], N);
    ACL_OK(aclmdlGetOutputDims(desc, 1, &dims));
    assert_string_equal(dims.name, "out1");
    ACL_OK(aclmdlGetCurOutputDims(desc, 0, &dims));
    assert_int_equal(dims.dims[1], N);
    ACL_EXPECT(aclmdlGetOutputDims(desc, 2, &dims), ACL_ERROR_INVALID_PARAM, "output index 2");
    ACL_EXPECT(aclmdlGetCurOutputDims(desc, 0, NULL), ACL_ERROR_INVALID_PARAM, "NULL dims");
    size_t index = 9;
    ACL_OK(aclmdlGetInputIndexByName(desc, "b", &index));
    assert_int_equal(index, 1);
    ACL_OK(aclmdlGetOutputIndexByName(desc, "out1", &index));
    assert_int_equal(index, 1);
    ACL_EXPECT(aclmdlGetInputIndexByName(desc, "zz", &index), ACL_ERROR_INVALID_PARAM,
               "no input named 'zz'");
    ACL_EXPECT(aclmdlGetInputIndexByName(desc, NULL, &index), ACL_ERROR_INVALID_PARAM, NULL);
    assert_int_equal(aclmdlGetNumInputs(NULL), 0);
    assert_int_equal(aclmdlGetNumOutputs(NULL), 0);

    /* dynamic shapes: a static model has no gears */
    aclmdlBatch batch = {.batchCount = 77};
    ACL_OK(aclmdlGetDynamicBatch(desc, &batch));
    assert_int_equal(batch.batchCount, 0);
    aclmdlHW hw = {.hwCount = 77};
    ACL_OK(aclmdlGetDynamicHW(desc, (size_t)-1, &hw));
    assert_int_equal(hw.hwCount, 0);
    ACL_EXPECT(aclmdlGetDynamicHW(desc, 5, &hw), ACL_ERROR_INVALID_PARAM, "out of range");
    size_t gears = 77;
    ACL_OK(aclmdlGetInputDynamicGearCount(desc, (size_t)-1, &gears));
    assert_int_equal(gears, 0);
    gears = 77;
    ACL_OK(aclmdlGetInputDynamicGearCount(desc, 0, &gears));
    assert_int_equal(gears, 0);
    ACL_OK(aclmdlGetInputDynamicDims(desc, (size_t)-1, &dims, 0));
    ACL_EXPECT(aclmdlGetInputDynamicDims(desc, (size_t)-1, &dims, 1), ACL_ERROR_INVALID_PARAM,
               "0 gears");
    ACL_EXPECT(aclmdlGetDynamicBatch(NULL, &batch), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlGetDynamicBatch(desc, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlGetInputDynamicGearCount(desc, 0, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    aclmdlDataset *ds = aclmdlCreateDataset();
    aclDataBuffer *db = aclCreateDataBuffer(NULL, 0);
    ACL_OK(aclmdlAddDatasetBuffer(ds, db));
    ACL_EXPECT(aclmdlSetDynamicBatchSize(id, ds, 0, 4), ACL_ERROR_MODEL_NOT_DYNAMIC,
               ACL_DYNAMIC_TENSOR_NAME);
    ACL_EXPECT(aclmdlSetDynamicHWSize(id, ds, 0, 224, 224), ACL_ERROR_MODEL_NOT_DYNAMIC, NULL);
    ACL_EXPECT(aclmdlSetInputDynamicDims(id, ds, 0, &dims), ACL_ERROR_MODEL_NOT_DYNAMIC, NULL);
    ACL_EXPECT(aclmdlSetDynamicBatchSize(999, ds, 0, 4), ACL_ERROR_INVALID_MODEL_ID, NULL);
    ACL_EXPECT(aclmdlSetDynamicBatchSize(id, ds, 3, 4), ACL_ERROR_INVALID_PARAM, "index 3");
    ACL_EXPECT(aclmdlSetDynamicBatchSize(id, ds, 0, 0), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlSetDynamicHWSize(id, NULL, 0, 1, 1), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlSetInputDynamicDims(id, ds, 0, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    aclDestroyDataBuffer(db);
    aclmdlDestroyDataset(ds);

    ACL_OK(aclmdlUnload(id));
    /* the description outlives the model */
    assert_string_equal(aclmdlGetInputNameByIndex(desc, 0), "a");
    ACL_EXPECT(aclmdlUnload(id), ACL_ERROR_INVALID_MODEL_ID, NULL);
    ACL_EXPECT(aclmdlGetDesc(desc, id), ACL_ERROR_INVALID_MODEL_ID, NULL);
    ACL_OK(aclmdlDestroyDesc(desc));
    ACL_EXPECT(aclmdlDestroyDesc(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclmdlUnload(id2));
}

static void test_datasets(void **state)
{
    aclmdlDataset *d = aclmdlCreateDataset();
    assert_int_equal(aclmdlGetDatasetNumBuffers(d), 0);
    aclDataBuffer *b[6];
    for (int i = 0; i < 6; i++) {
        b[i] = aclCreateDataBuffer(NULL, (size_t)i);
        ACL_OK(aclmdlAddDatasetBuffer(d, b[i]));
    }
    assert_int_equal(aclmdlGetDatasetNumBuffers(d), 6);
    assert_ptr_equal(aclmdlGetDatasetBuffer(d, 5), b[5]);
    assert_null(aclmdlGetDatasetBuffer(d, 6));
    assert_null(aclmdlGetDatasetBuffer(NULL, 0));
    assert_null(aclmdlGetDatasetTensorDesc(d, 0));
    int64_t dims[2] = {2, 3};
    aclTensorDesc *td = aclCreateTensorDesc(ACL_INT32, 2, dims, ACL_FORMAT_ND);
    ACL_OK(aclmdlSetDatasetTensorDesc(d, td, 1));
    aclDestroyTensorDesc(td);                 /* the dataset keeps its own copy */
    aclTensorDesc *got = aclmdlGetDatasetTensorDesc(d, 1);
    assert_non_null(got);
    assert_int_equal(aclGetTensorDescSize(got), 24);
    ACL_EXPECT(aclmdlSetDatasetTensorDesc(d, got, 6), ACL_ERROR_INVALID_PARAM, "index 6");
    ACL_EXPECT(aclmdlSetDatasetTensorDesc(d, NULL, 0), ACL_ERROR_INVALID_PARAM, NULL);
    assert_null(aclmdlGetDatasetTensorDesc(d, 6));
    ACL_EXPECT(aclmdlAddDatasetBuffer(d, NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_EXPECT(aclmdlAddDatasetBuffer(NULL, b[0]), ACL_ERROR_INVALID_PARAM, NULL);
    assert_int_equal(aclmdlGetDatasetNumBuffers(NULL), 0);
    ACL_EXPECT(aclmdlDestroyDataset(NULL), ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclmdlDestroyDataset(d));
    for (int i = 0; i < 6; i++)
        ACL_OK(aclDestroyDataBuffer(b[i]));
}

static void run_and_check(uint32_t id, io_set *io, aclrtStream s, int async, int seed)
{
    float a[N], b[N], o0[N], o1[N], r0[N], r1[N];
    fill(a, b, seed);
    reference(a, b, r0, r1);
    if (async) {
        ACL_OK(aclrtMemcpyAsync(io->dev[0], N * 4, a, N * 4, ACL_MEMCPY_HOST_TO_DEVICE, s));
        ACL_OK(aclrtMemcpyAsync(io->dev[1], N * 4, b, N * 4, ACL_MEMCPY_HOST_TO_DEVICE, s));
        ACL_OK(aclmdlExecuteAsync(id, io->in, io->out, s));
        ACL_OK(aclrtMemcpyAsync(o0, N * 4, io->dev[2], N * 4, ACL_MEMCPY_DEVICE_TO_HOST, s));
        ACL_OK(aclrtMemcpyAsync(o1, N * 4, io->dev[3], N * 4, ACL_MEMCPY_DEVICE_TO_HOST, s));
        ACL_OK(aclrtSynchronizeStream(s));
    } else {
        ACL_OK(aclrtMemcpy(io->dev[0], N * 4, a, N * 4, ACL_MEMCPY_HOST_TO_DEVICE));
        ACL_OK(aclrtMemcpy(io->dev[1], N * 4, b, N * 4, ACL_MEMCPY_HOST_TO_DEVICE));
        ACL_OK(aclmdlExecute(id, io->in, io->out));
        ACL_OK(aclrtMemcpy(o0, N * 4, io->dev[2], N * 4, ACL_MEMCPY_DEVICE_TO_HOST));
        ACL_OK(aclrtMemcpy(o1, N * 4, io->dev[3], N * 4, ACL_MEMCPY_DEVICE_TO_HOST));
    }
    assert_memory_equal(o0, r0, sizeof r0);
    assert_memory_equal(o1, r1, sizeof r1);
}

static uint32_t failed_task, failed_stream;
static void on_exception(aclrtExceptionInfo *info)
{
    failed_task = aclrtGetTaskIdFromExceptionInfo(info);
    failed_stream = aclrtGetStreamIdFromExceptionInfo(info);
}

static void test_execute(void **state)
{
    uint32_t id;
    ACL_OK(aclmdlLoadFromFile(model_path, &id));
    aclmdlDesc *desc = aclmdlCreateDesc();
    ACL_OK(aclmdlGetDesc(desc, id));
    io_set io;
    io_create(&io, desc);
    run_and_check(id, &io, NULL, 0, 1);
    aclrtStream s;
    ACL_OK(aclrtCreateStream(&s));
    run_and_check(id, &io, s, 1, 2);
    run_and_check(id, &io, NULL, 1, 3);        /* the default stream */
    /* the output dataset describes the outputs after an execution */
    aclTensorDesc *od = aclmdlGetDatasetTensorDesc(io.out, 1);
    assert_non_null(od);
    assert_int_equal(aclGetTensorDescType(od), ACL_FLOAT);
    assert_int_equal(aclGetTensorDescSize(od), N * 4);
    assert_ptr_equal(aclGetTensorDescAddress(od), io.dev[3]);

    /* mismatches */
    aclmdlDataset *few = aclmdlCreateDataset();
    ACL_OK(aclmdlAddDatasetBuffer(few, aclmdlGetDatasetBuffer(io.in, 0)));
    ACL_EXPECT(aclmdlExecute(id, few, io.out), ACL_ERROR_MODEL_INPUT_NOT_MATCH,
               "1 buffers, the model 2 inputs");
    ACL_EXPECT(aclmdlExecute(id, io.in, few), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH, NULL);
    ACL_EXPECT(aclmdlExecute(id, NULL, io.out), ACL_ERROR_INVALID_PARAM, "NULL input dataset");
    ACL_EXPECT(aclmdlExecute(12345, io.in, io.out), ACL_ERROR_INVALID_MODEL_ID, "12345");
    ACL_EXPECT(aclmdlExecuteAsync(12345, io.in, io.out, s), ACL_ERROR_INVALID_MODEL_ID, NULL);
    aclmdlDestroyDataset(few);
    aclDataBuffer *small = aclmdlGetDatasetBuffer(io.out, 0);
    ACL_OK(aclUpdateDataBuffer(small, io.dev[2], N * 4 - 4));
    ACL_EXPECT(aclmdlExecute(id, io.in, io.out), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH,
               "needs 128 bytes, its data buffer has 124");
    float host[N];
    ACL_OK(aclUpdateDataBuffer(small, host, sizeof host));
    ACL_EXPECT(aclmdlExecute(id, io.in, io.out), ACL_ERROR_INVALID_PARAM, "not device memory");
    ACL_EXPECT(aclmdlExecuteAsync(id, io.in, io.out, s), ACL_ERROR_INVALID_PARAM,
               "not device memory");
    ACL_OK(aclUpdateDataBuffer(small, io.dev[2], N * 4));
    ACL_EXPECT(aclmdlExecuteAsync(id, io.in, io.out, (aclrtStream)host),
               ACL_ERROR_INVALID_RESOURCE_HANDLE, NULL);

    /* an execution that fails when it runs (its input freed meanwhile): the failed op and
     * its operands */
    ACL_OK(aclrtSetExceptionInfoCallback(on_exception));
    ACL_OK(aclrtSubscribeReport(omrt_thread_id(), s));
    rt_gate g0;
    rt_gate_init(&g0);
    rt_gate_open(&g0);
    ACL_OK(aclrtLaunchCallback(rt_gate_wait_cb, &g0, ACL_CALLBACK_BLOCK, s));
    ACL_OK(aclmdlExecuteAsync(id, io.in, io.out, s));
    ACL_OK(aclrtFree(io.dev[1]));
    ACL_OK(aclrtProcessReport(5000));
    ACL_EXPECT(aclrtSynchronizeStream(s), ACL_ERROR_RT_FAILURE, "input 1 ('b')");
    char op[64];
    aclTensorDesc *ind, *outd;
    size_t nin, nout;
    assert_int_equal(failed_stream, omrt_stream_id((omrt_stream *)s));
    ACL_OK(aclmdlCreateAndGetOpDesc(0, failed_stream, failed_task, op, sizeof op, &ind, &nin,
                                    &outd, &nout));
    assert_string_equal(op, "execute:add_f32");
    assert_int_equal(nin, 2);
    assert_int_equal(nout, 2);
    aclTensorDesc *second = aclGetTensorDescByIndex(ind, 1);
    assert_ptr_equal(aclGetTensorDescAddress(second), io.dev[1]);
    assert_int_equal(aclGetTensorDescType(second), ACL_FLOAT);
    assert_int_equal(aclGetTensorDescSize(second), N * 4);
    assert_ptr_equal(aclGetTensorDescAddress(aclGetTensorDescByIndex(outd, 1)), io.dev[3]);
    aclDestroyTensorDesc(ind);
    aclDestroyTensorDesc(outd);
    ACL_OK(aclrtMalloc(&io.dev[1], N * 4, ACL_MEM_MALLOC_HUGE_FIRST));
    ACL_OK(aclUpdateDataBuffer(aclmdlGetDatasetBuffer(io.in, 1), io.dev[1], N * 4));
    ACL_OK(aclrtUnSubscribeReport(omrt_thread_id(), s));
    rt_gate_destroy(&g0);

    /* unload is refused while executions are queued */
    ACL_OK(aclrtSubscribeReport(omrt_thread_id(), s));
    rt_gate g;
    rt_gate_init(&g);
    rt_gate_open(&g);
    ACL_OK(aclrtLaunchCallback(rt_gate_wait_cb, &g, ACL_CALLBACK_BLOCK, s));
    ACL_OK(aclmdlExecuteAsync(id, io.in, io.out, s));
    ACL_EXPECT(aclmdlUnload(id), ACL_ERROR_INVALID_PARAM, "1 executions pending");
    ACL_OK(aclrtProcessReport(5000));
    ACL_OK(aclrtSynchronizeStream(s));
    ACL_OK(aclrtUnSubscribeReport(omrt_thread_id(), s));
    rt_gate_destroy(&g);
    io_destroy(&io);
    ACL_OK(aclmdlDestroyDesc(desc));
    ACL_OK(aclrtDestroyStream(s));
    ACL_OK(aclmdlUnload(id));
}

static void test_load_with_mem(void **state)
{
    size_t work = 0, weight = 0;
    ACL_OK(aclmdlQuerySize(model_path, &work, &weight));
    assert_int_equal(weight, N * 4);
    assert_true(work >= N * 4);
    ACL_EXPECT(aclmdlQuerySize("/nonexistent.om", &work, &weight), ACL_ERROR_READ_MODEL_FAILURE,
               NULL);
    ACL_EXPECT(aclmdlQuerySize(model_path, NULL, &weight), ACL_ERROR_INVALID_PARAM, NULL);
    void *wp, *ws;
    ACL_OK(aclrtMalloc(&wp, work, ACL_MEM_MALLOC_HUGE_FIRST));
    ACL_OK(aclrtMalloc(&ws, weight, ACL_MEM_MALLOC_HUGE_FIRST));
    uint32_t id;
    ACL_EXPECT(aclmdlLoadFromFileWithMem(model_path, &id, (char *)wp + 4, work, ws, weight),
               ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, "work memory");
    ACL_EXPECT(aclmdlLoadFromFileWithMem(model_path, &id, wp, work / 2, ws, weight),
               ACL_ERROR_INVALID_PARAM, "bytes of work memory");
    ACL_EXPECT(aclmdlLoadFromFileWithMem(NULL, &id, wp, work, ws, weight),
               ACL_ERROR_INVALID_PARAM, NULL);
    ACL_OK(aclmdlLoadFromFileWithMem(model_path, &id, wp, work, ws, weight));
    assert_true(((float *)ws)[1] == -0.75f);          /* weights copied into our memory */
    aclmdlDesc *desc = aclmdlCreateDesc();
    ACL_OK(aclmdlGetDesc(desc, id));
    io_set io;
    io_create(&io, desc);
    run_and_check(id, &io, NULL, 0, 9);
    io_destroy(&io);
    ACL_OK(aclmdlDestroyDesc(desc));
    ACL_OK(aclmdlUnload(id));
    ACL_OK(aclrtFree(wp));
    ACL_OK(aclrtFree(ws));
}

/* ---- stress through the facade ---- */

enum { THREADS = 8, STREAMS = 4 };

typedef struct stress_arg {
    uint32_t id;
    aclrtContext ctx;
    int thread, iters, failures;
    char msg[256];
} stress_arg;

static void *stress(void *p)
{
    stress_arg *w = p;
    aclrtStream s[STREAMS] = {0};
    void *dev[STREAMS][4] = {{0}};
    aclmdlDataset *in[STREAMS] = {0}, *out[STREAMS] = {0};
    float a[STREAMS][N], b[STREAMS][N], o[STREAMS][N], r0[N], r1[N];
    if (aclrtSetCurrentContext(w->ctx) != ACL_SUCCESS)
        goto fail;
    for (int k = 0; k < STREAMS; k++) {
        if (aclrtCreateStream(&s[k]) != ACL_SUCCESS)
            goto fail;
        in[k] = aclmdlCreateDataset();
        out[k] = aclmdlCreateDataset();
        for (int j = 0; j < 4; j++) {
            if (aclrtMalloc(&dev[k][j], N * 4, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS ||
                aclmdlAddDatasetBuffer(j < 2 ? in[k] : out[k],
                                       aclCreateDataBuffer(dev[k][j], N * 4)) != ACL_SUCCESS)
                goto fail;
        }
    }
    for (int it = 0; it < w->iters; it++) {
        for (int k = 0; k < STREAMS; k++) {
            fill(a[k], b[k], it * 37 + w->thread * 11 + k);
            if (aclrtMemcpyAsync(dev[k][0], N * 4, a[k], N * 4, ACL_MEMCPY_HOST_TO_DEVICE, s[k]) ||
                aclrtMemcpyAsync(dev[k][1], N * 4, b[k], N * 4, ACL_MEMCPY_HOST_TO_DEVICE, s[k]) ||
                aclmdlExecuteAsync(w->id, in[k], out[k], s[k]) ||
                aclrtMemcpyAsync(o[k], N * 4, dev[k][2], N * 4, ACL_MEMCPY_DEVICE_TO_HOST, s[k]))
                goto fail;
        }
        for (int k = 0; k < STREAMS; k++) {
            if (aclrtSynchronizeStream(s[k]) != ACL_SUCCESS)
                goto fail;
            reference(a[k], b[k], r0, r1);
            if (memcmp(o[k], r0, sizeof r0) != 0 && !w->failures++)
                snprintf(w->msg, sizeof w->msg, "thread %d stream %d iteration %d: wrong output",
                         w->thread, k, it);
        }
    }
    goto done;
fail:
    w->failures++;
    snprintf(w->msg, sizeof w->msg, "thread %d: %s", w->thread, aclGetRecentErrMsg());
done:
    for (int k = 0; k < STREAMS; k++) {
        if (s[k])
            aclrtDestroyStream(s[k]);
        for (int j = 0; j < 4; j++) {
            aclmdlDataset *d = j < 2 ? in[k] : out[k];
            if (d && aclmdlGetDatasetNumBuffers(d) > (size_t)(j % 2))
                aclDestroyDataBuffer(aclmdlGetDatasetBuffer(d, (size_t)(j % 2)));
            if (dev[k][j])
                aclrtFree(dev[k][j]);
        }
        if (in[k])
            aclmdlDestroyDataset(in[k]);
        if (out[k])
            aclmdlDestroyDataset(out[k]);
    }
    return NULL;
}

static void test_stress(void **state)
{
    int iters = 200;
    const char *env = getenv("OMRT_STRESS_ITERS");
    if (env && atoi(env) > 0)
        iters = atoi(env);
    uint32_t id;
    ACL_OK(aclmdlLoadFromFile(model_path, &id));
    aclrtContext ctx;
    ACL_OK(aclrtGetCurrentContext(&ctx));
    pthread_t t[THREADS];
    stress_arg w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (stress_arg){id, ctx, i, iters, 0, ""};
        assert_int_equal(pthread_create(&t[i], NULL, stress, &w[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failures)
            print_error("%s\n", w[i].msg);
        failures += w[i].failures;
    }
    assert_int_equal(failures, 0);
    print_message("acl stress: %d threads x %d streams x %d iterations = %d executions checked\n",
                  THREADS, STREAMS, iters, THREADS * STREAMS * iters);
    ACL_OK(aclmdlUnload(id));
}

int main(void)
{
    model_path = rt_write_test_model(N);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_and_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datasets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_with_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(model_path);
    free(model_path);
    return rc;
}
