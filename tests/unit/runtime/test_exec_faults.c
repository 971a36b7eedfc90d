/* Allocation failures in the execution model (the test_faults.c method): the Nth allocation
 * made while running a whole stream pipeline (device, stream, event, device memory, load,
 * async copies, async execution, record, callback, synchronize) fails, for every N until the
 * pipeline completes. Every call must succeed or report NO_MEMORY; an allocation failing
 * inside a stream task makes synchronize report TASK_FAILED with a NO_MEMORY exception; and
 * omrt_finalize always succeeds and releases everything (ASan's leak check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
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

static int called;
static void count_cb(void *arg) { __atomic_add_fetch(&called, 1, __ATOMIC_RELAXED); }

enum { N = 64 };

/* Runs the pipeline; returns its status (OK, NO_MEMORY or TASK_FAILED). */
static omrt_status pipeline(const uint8_t *file, size_t size, omrt_model **m, float *o0)
{
    omrt_stream *s;
    omrt_event *e;
    void *d[4];
    static float a[N], b[N];
    omrt_status st;
    if ((st = omrt_device_set(0)) != OMRT_OK || (st = omrt_stream_create(&s)) != OMRT_OK ||
        (st = omrt_event_create(&e)) != OMRT_OK)
        return st;
    for (int k = 0; k < 4; k++)
        if ((st = omrt_malloc_device(N * 4, &d[k])) != OMRT_OK)
            return st;
    if ((st = omrt_model_load_memory(file, size, m)) != OMRT_OK ||
        (st = omrt_memcpy_async(d[0], N * 4, a, N * 4, OMRT_COPY_HOST_TO_DEVICE, s)) != OMRT_OK ||
        (st = omrt_memcpy_async(d[1], N * 4, b, N * 4, OMRT_COPY_HOST_TO_DEVICE, s)) != OMRT_OK ||
        (st = omrt_model_execute_async(*m, (const void *const *)d, d + 2, s)) != OMRT_OK ||
        (st = omrt_event_record(e, s)) != OMRT_OK ||
        (st = omrt_memcpy_async(o0, N * 4, d[2], N * 4, OMRT_COPY_DEVICE_TO_HOST, s)) != OMRT_OK ||
        (st = omrt_launch_callback(s, count_cb, NULL, 1)) != OMRT_OK)
        return st;
    if ((st = omrt_stream_synchronize(s)) != OMRT_OK)
        return st;
    return omrt_event_synchronize(e);
}

static void test_pipeline(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, N);
    t.kernels[3] = "affine_f32";
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    float ref0[N], ref1[N], zeros[N] = {0};
    rt_test_reference(N, zeros, zeros, t.weights, ref0, ref1);
    int complete = 0, task_failures = 0;
    long k;
    for (k = 0; k < 10000 && !complete; k++) {
        assert_int_equal(omrt_init(NULL), OMRT_OK);
        omrt_model *m = NULL;
        float o0[N];
        memset(o0, 0xff, sizeof o0);
        __atomic_store_n(&seen, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&fail_at, k, __ATOMIC_RELAXED);
        omrt_status st = pipeline(f, size, &m, o0);
        __atomic_store_n(&fail_at, -1, __ATOMIC_RELAXED);
        long allocations = __atomic_load_n(&seen, __ATOMIC_RELAXED);
        if (st == OMRT_OK) {
            assert_memory_equal(o0, ref0, sizeof ref0);
            complete = allocations <= k;
        } else if (st == OMRT_ERR_TASK_FAILED) {
            omrt_exception e;
            assert_int_equal(omrt_last_exception(&e, NULL, 0), OMRT_OK);
            assert_int_equal(e.status, OMRT_ERR_NO_MEMORY);
            task_failures++;
        } else if (st != OMRT_ERR_NO_MEMORY) {
            fail_msg("allocation %ld: status %s (%s)", k, omrt_status_name(st), omrt_last_error());
        }
        assert_int_equal(omrt_finalize(), OMRT_OK);   /* drains and frees what is left */
        omrt_model_destroy(m);
    }
    assert_true(complete);
    assert_true(task_failures > 0);   /* a failure inside a task was reached */
    print_message("%ld allocation points covered, %d failed inside a stream task\n", k - 1,
                  task_failures);
    free(f);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
