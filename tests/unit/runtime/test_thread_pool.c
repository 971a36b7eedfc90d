/* The thread pool: chunking covers [0, n) exactly once in contiguous near-equal pieces, one
 * per thread (fewer when n is small), run() is a barrier between consecutive steps, and
 * chunk i runs on thread i when every thread is free to take its own. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime/thread_pool.h"

static void test_chunks(void **state)
{
    for (int64_t n = 1; n < 70; n++)
        for (int chunks = 1; chunks <= 9 && chunks <= n; chunks++) {
            int64_t expect_first = 0, lo = INT64_MAX, hi = 0;
            for (int i = 0; i < chunks; i++) {
                int64_t first, last;
                om_rt_pool_chunk(n, chunks, i, &first, &last);
                assert_int_equal(first, expect_first);
                assert_true(last > first);
                lo = last - first < lo ? last - first : lo;
                hi = last - first > hi ? last - first : hi;
                expect_first = last;
            }
            assert_int_equal(expect_first, n);
            assert_true(hi - lo <= 1);
        }
    int64_t first, last;
    om_rt_pool_chunk(INT64_MAX, 7, 6, &first, &last); /* no overflow at the top */
    assert_int_equal(last, INT64_MAX);
}

typedef struct counts {
    _Atomic int *hits;
    _Atomic int calls;
} counts;

static int32_t count_kernel(void *const *args, int64_t first, int64_t last)
{
    counts *c = args[0];
    atomic_fetch_add(&c->calls, 1);
    for (int64_t i = first; i < last; i++)
        atomic_fetch_add(&c->hits[i], 1);
    return 0;
}

static void test_every_index_once(void **state)
{
    for (int threads = 1; threads <= 5; threads++) {
        om_rt_pool *p = NULL;
        assert_int_equal(om_rt_pool_create(threads, &p), OMRT_OK);
        assert_int_equal(om_rt_pool_threads(p), threads);
        for (int64_t n = 1; n <= 40; n++) {
            counts c = {calloc((size_t)n, sizeof(_Atomic int)), 0};
            void *args[1] = {&c};
            om_rt_pool_run(p, count_kernel, args, n);
            for (int64_t i = 0; i < n; i++)
                assert_int_equal(c.hits[i], 1);
            assert_int_equal(c.calls, n < threads ? n : threads);
            free((void *)c.hits);
        }
        om_rt_pool_destroy(p);
    }
}

/* step A writes x[i] = i + round, step B reads neighbours across chunk boundaries */
static int32_t step_a(void *const *args, int64_t first, int64_t last)
{
    int64_t *x = args[0], round = *(int64_t *)args[2];
    for (int64_t i = first; i < last; i++)
        x[i] = i + round;
    return 0;
}

static int32_t step_b(void *const *args, int64_t first, int64_t last)
{
    int64_t *x = args[0], *y = args[1], n = *(int64_t *)args[3];
    for (int64_t i = first; i < last; i++)
        y[i] = x[(i + n / 2) % n];
    return 0;
}

static void test_barrier_between_steps(void **state)
{
    enum { N = 4096 };
    int64_t *x = calloc(N, sizeof(int64_t)), *y = calloc(N, sizeof(int64_t));
    int64_t round = 0, n = N;
    void *args[4] = {x, y, &round, &n};
    om_rt_pool *p = NULL;
    assert_int_equal(om_rt_pool_create(3, &p), OMRT_OK);
    for (round = 0; round < 300; round++) {
        om_rt_pool_run(p, step_a, args, N);
        om_rt_pool_run(p, step_b, args, N);
        for (int64_t i = 0; i < N; i += 97)
            assert_int_equal(y[i], (i + N / 2) % N + round);
    }
    om_rt_pool_destroy(p);
    free(x);
    free(y);
}

/* Rendezvous kernel: each chunk records its thread and waits (up to 10 s) until every chunk
 * of the step has started, so no thread can take a second chunk of the step. */
typedef struct rendezvous {
    _Atomic int started;
    int chunks;
    bool last_lingers; /* the last chunk then sleeps 2 ms, so the caller waits asleep */
    pthread_t who[8];
} rendezvous;

static int32_t rendezvous_kernel(void *const *args, int64_t first, int64_t last)
{
    rendezvous *r = args[0];
    int64_t n = *(int64_t *)args[1];
    int chunk = -1;
    for (int i = 0; i < r->chunks; i++) {
        int64_t f, l;
        om_rt_pool_chunk(n, r->chunks, i, &f, &l);
        if (f == first && l == last)
            chunk = i;
    }
    if (chunk < 0)
        return 1;
    r->who[chunk] = pthread_self();
    atomic_fetch_add(&r->started, 1);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (atomic_load(&r->started) < r->chunks) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 10)
            return 2;
    }
    if (r->last_lingers && chunk == r->chunks - 1)
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    return 0;
}

/* Chunk i runs on thread i (the caller is thread 0) whenever the threads are free to take
 * their own chunks: the same thread computes the same part of every step. Some steps start
 * after 2 ms of idleness (the workers went to sleep: a lost wake-up times the rendezvous
 * out), in others the caller waits asleep for the last chunk (a lost wake-up hangs). */
static void test_home_chunks(void **state)
{
    for (int threads = 2; threads <= 4; threads++) {
        om_rt_pool *p = NULL;
        assert_int_equal(om_rt_pool_create(threads, &p), OMRT_OK);
        pthread_t home[8];
        for (int step = 0; step < 50; step++) {
            int64_t n = step % 2 ? 7 : threads; /* n < threads in some steps with 4 threads */
            rendezvous r = {.chunks = n < threads ? (int)n : threads, .last_lingers = step % 3 == 1};
            if (step % 3 == 0)
                nanosleep(&(struct timespec){0, 2000000}, NULL);
            void *args[2] = {&r, &n};
            assert_int_equal(om_rt_pool_run(p, rendezvous_kernel, args, n), 0);
            assert_true(pthread_equal(r.who[0], pthread_self()));
            for (int i = 0; i < r.chunks; i++) {
                if (step < 2)
                    home[i] = r.who[i];
                assert_true(pthread_equal(r.who[i], home[i]));
                for (int k = 0; k < i; k++)
                    assert_false(pthread_equal(r.who[i], r.who[k]));
            }
        }
        om_rt_pool_destroy(p);
    }
}

static void test_create_destroy_and_limits(void **state)
{
    for (int i = 0; i < 20; i++) {
        om_rt_pool *p = NULL;
        assert_int_equal(om_rt_pool_create(1 + i % 4, &p), OMRT_OK);
        om_rt_pool_destroy(p); /* workers may not even have started waiting */
    }
    om_rt_pool *p = (om_rt_pool *)1;
    assert_int_equal(om_rt_pool_create(5000, &p), OMRT_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_int_equal(om_rt_pool_create(0, &p), OMRT_OK); /* 0 means 1 */
    assert_int_equal(om_rt_pool_threads(p), 1);
    om_rt_pool_destroy(p);
    om_rt_pool_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunks),
        cmocka_unit_test(test_every_index_once),
        cmocka_unit_test(test_barrier_between_steps),
        cmocka_unit_test(test_home_chunks),
        cmocka_unit_test(test_create_destroy_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
