/* Allocation failures through the AscendCL facade: the Nth allocation of an AscendCL
 * program's whole flow (init, device, context, stream, load, desc, datasets, copies, execute
 * async, synchronize, copy back) fails, for every N until the flow completes. Every call must
 * succeed or fail with ACL_ERROR_BAD_ALLOC (ACL_ERROR_RT_FAILURE when it failed inside a
 * stream task; NULL from the constructors), the program's teardown always works, and ASan
 * finds no leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/acl/acl_test.h"
#include "tests/unit/runtime/rt_exec_util.h"
#include "tests/unit/runtime/rt_test_util.h"

static long fail_at = -1, seen;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
int __real_posix_memalign(void **, size_t, size_t);

static int inject(void)
{
    long at = __atomic_load_n(&fail_at, __ATOMIC_RELAXED);
    return at >= 0 && __atomic_fetch_add(&seen, 1, __ATOMIC_RELAXED) == at;
}

void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return inject() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return inject() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}

enum { N = 16 };

typedef struct prog {
    aclrtContext ctx;
    aclrtStream stream;
    uint32_t id;
    int loaded;
    aclmdlDesc *desc;
    aclmdlDataset *in, *out;
    void *dev[4];
} prog;

#define STEP(call)                                                                           \
    do {                                                                                     \
        aclError e_ = (call);                                                                \
        if (e_ != ACL_SUCCESS)                                                               \
            return e_;                                                                       \
    } while (0)
#define MADE(ptr)                                                                            \
    do {                                                                                     \
        if (!(ptr))                                                                          \
            return ACL_ERROR_BAD_ALLOC;                                                      \
    } while (0)

static aclError flow(prog *p, const char *path, float *o0)
{
    static float a[N], b[N];
    STEP(aclrtSetDevice(0));
    STEP(aclrtCreateContext(&p->ctx, 0));
    STEP(aclrtCreateStream(&p->stream));
    STEP(aclmdlLoadFromFile(path, &p->id));
    p->loaded = 1;
    MADE(p->desc = aclmdlCreateDesc());
    STEP(aclmdlGetDesc(p->desc, p->id));
    MADE(p->in = aclmdlCreateDataset());
    MADE(p->out = aclmdlCreateDataset());
    for (int k = 0; k < 4; k++) {
        STEP(aclrtMalloc(&p->dev[k], N * 4, ACL_MEM_MALLOC_HUGE_FIRST));
        aclDataBuffer *db = aclCreateDataBuffer(p->dev[k], N * 4);
        MADE(db);
        aclError e = aclmdlAddDatasetBuffer(k < 2 ? p->in : p->out, db);
        if (e != ACL_SUCCESS) {
            aclDestroyDataBuffer(db);
            return e;
        }
    }
    STEP(aclrtMemcpyAsync(p->dev[0], N * 4, a, N * 4, ACL_MEMCPY_HOST_TO_DEVICE, p->stream));
    STEP(aclrtMemcpyAsync(p->dev[1], N * 4, b, N * 4, ACL_MEMCPY_HOST_TO_DEVICE, p->stream));
    STEP(aclmdlExecuteAsync(p->id, p->in, p->out, p->stream));
    STEP(aclrtMemcpyAsync(o0, N * 4, p->dev[2], N * 4, ACL_MEMCPY_DEVICE_TO_HOST, p->stream));
    return aclrtSynchronizeStream(p->stream);
}

static void teardown_prog(prog *p)
{
    if (p->stream)   /* queued work finishes before its buffers and model go */
        (void)aclrtSynchronizeStream(p->stream);
    for (aclmdlDataset **d = &p->in; d <= &p->out; d++) {
        if (!*d)
            continue;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(*d); i++)
            ACL_OK(aclDestroyDataBuffer(aclmdlGetDatasetBuffer(*d, i)));
        ACL_OK(aclmdlDestroyDataset(*d));
    }
    for (int k = 0; k < 4; k++)
        if (p->dev[k])
            ACL_OK(aclrtFree(p->dev[k]));
    if (p->desc)
        ACL_OK(aclmdlDestroyDesc(p->desc));
    if (p->loaded)
        ACL_OK(aclmdlUnload(p->id));
    if (p->stream)
        ACL_OK(aclrtDestroyStream(p->stream));
    if (p->ctx)
        ACL_OK(aclrtDestroyContext(p->ctx));
    aclrtResetDevice(0);   /* may not have been set */
}

static void test_flow(void **state)
{
    char *path = rt_write_test_model(N);
    float ref0[N], ref1[N], zeros[N] = {0}, w[N];
    for (int i = 0; i < N; i++)
        w[i] = (float)(i % 13) * 0.25f - 1.0f;
    rt_test_reference(N, zeros, zeros, w, ref0, ref1);
    int complete = 0, in_task = 0;
    long k;
    for (k = 0; k < 10000 && !complete; k++) {
        ACL_OK(aclInit(NULL));
        prog p;
        memset(&p, 0, sizeof p);
        float o0[N];
        __atomic_store_n(&seen, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&fail_at, k, __ATOMIC_RELAXED);
        aclError e = flow(&p, path, o0);
        __atomic_store_n(&fail_at, -1, __ATOMIC_RELAXED);
        long allocations = __atomic_load_n(&seen, __ATOMIC_RELAXED);
        if (e == ACL_SUCCESS) {
            assert_memory_equal(o0, ref0, sizeof ref0);
            complete = allocations <= k;
        } else if (e == ACL_ERROR_RT_FAILURE) {
            in_task++;
        } else if (e != ACL_ERROR_BAD_ALLOC) {
            fail_msg("allocation %ld: error %d (%s)", k, e, aclGetRecentErrMsg());
        }
        teardown_prog(&p);
        ACL_OK(aclFinalize());
    }
    assert_true(complete);
    assert_true(in_task > 0);
    print_message("%ld allocation points covered, %d inside a stream task\n", k - 1, in_task);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
