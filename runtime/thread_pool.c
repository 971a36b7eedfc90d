/* Thread pool implementation (see thread_pool.h for the contract).
 *
 * Publication: the caller writes the task (fn, args, n, chunks) then increments `gen` with
 * release order, under the mutex, and broadcasts `start`. A worker waits until `gen`
 * differs from the last generation it saw (spinning briefly first, then on the condition
 * variable), reads the task (acquire), runs its chunk if it has one and decrements
 * `pending`; the worker that brings it to zero signals `done` under the mutex. The caller
 * runs chunk 0, then waits for `pending` == 0 the same way. A worker without a chunk in
 * this generation does not touch `pending`, so the caller never waits for it and the next
 * generation may be published before it wakes; it then simply sees the newer one.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "runtime/thread_pool.h"

#define SPIN_ITERS 4000

typedef struct worker {
    struct om_rt_pool *pool;
    int index;
    pthread_t thread;
} worker;

struct om_rt_pool {
    int threads;
    int started;                  /* workers actually running */
    worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t start, done;
    atomic_uint_fast64_t gen;
    atomic_int pending;
    bool stop;
    /* the task of the current generation */
    om_rt_kernel_fn fn;
    void *const *args;
    int64_t n;
    int chunks;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void om_rt_pool_chunk(int64_t n, int chunks, int i, int64_t *first, int64_t *last)
{
    int64_t q = n / chunks, r = n % chunks;
    *first = (int64_t)i * q + (i < r ? i : r);
    *last = *first + q + (i < r ? 1 : 0);
}

static void run_chunk(om_rt_pool *p, int i)
{
    int64_t first, last;
    om_rt_pool_chunk(p->n, p->chunks, i, &first, &last);
    if (first < last)
        p->fn(p->args, first, last);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    om_rt_pool *p = w->pool;
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (atomic_load_explicit(&p->gen, memory_order_acquire) == seen && spins < SPIN_ITERS) {
            cpu_relax();
            spins++;
        }
        pthread_mutex_lock(&p->mu);
        while (atomic_load_explicit(&p->gen, memory_order_acquire) == seen && !p->stop)
            pthread_cond_wait(&p->start, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = atomic_load_explicit(&p->gen, memory_order_acquire);
        bool mine = w->index < p->chunks;
        pthread_mutex_unlock(&p->mu);
        if (!mine)
            continue;
        run_chunk(p, w->index);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

omrt_status om_rt_pool_create(int threads, om_rt_pool **out)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > 1024)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "threads %d is more than 1024", threads);
    om_rt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating the thread pool");
    p->threads = threads;
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return om_rt_error(OMRT_ERR_INTERNAL, "pthread_mutex_init failed");
    }
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->done, NULL);
    if (threads > 1) {
        p->workers = calloc((size_t)threads, sizeof(worker));
        if (!p->workers) {
            om_rt_pool_destroy(p);
            return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating the thread pool");
        }
        for (int i = 1; i < threads; i++) {
            p->workers[i].pool = p;
            p->workers[i].index = i;
            if (pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
                om_rt_pool_destroy(p);
                return om_rt_error(OMRT_ERR_NO_MEMORY, "cannot start thread %d of %d", i,
                                   threads);
            }
            p->started = i;
        }
    }
    *out = p;
    return OMRT_OK;
}

void om_rt_pool_destroy(om_rt_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i <= p->started; i++)
        pthread_join(p->workers[i].thread, NULL);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

int om_rt_pool_threads(const om_rt_pool *p)
{
    return p ? p->threads : 0;
}

void om_rt_pool_run(om_rt_pool *p, om_rt_kernel_fn fn, void *const *args, int64_t n)
{
    if (n <= 0)
        return;
    int chunks = n < p->threads ? (int)n : p->threads;
    if (chunks == 1) {
        fn(args, 0, n);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->args = args;
    p->n = n;
    p->chunks = chunks;
    atomic_store_explicit(&p->pending, chunks - 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);

    run_chunk(p, 0);

    int spins = 0;
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0 && spins < SPIN_ITERS) {
        cpu_relax();
        spins++;
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
