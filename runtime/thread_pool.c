/* Thread pool implementation (see thread_pool.h for the contract).
 *
 * Chunks are fixed by (n, chunks) and each has a home thread: chunk i belongs to thread i
 * (the caller is thread 0, worker w is thread w). Every thread first claims its own chunk,
 * then any chunk still unclaimed. So with threads that are awake, a thread computes the same
 * part of every step (kernels split their items so that consecutive steps' shares of a
 * tensor match, and a thread then finds its share of the input in its own core's cache),
 * yet the caller never waits for a worker that has not woken up yet: it computes the
 * unclaimed chunks itself, and only waits for chunks already being computed. Which thread
 * computes a chunk does not change the result.
 *
 * Claims: the word `gen` holds generation << 16 | chunk count; slot[i] holds 2g while chunk i
 * of generation g is unclaimed and 2g + 1 once claimed (compare-and-swap 2g -> 2g + 1, so a
 * thread still holding an older generation can never claim). Slots live on separate cache
 * lines, so a thread claiming its own chunk does not steal another's line.
 *
 * Publication of a step: the caller writes the task (fn, args, n), resets `done`, writes the
 * slots (2g) and then stores g into `gen` (release) and broadcasts `start` under the mutex.
 * A worker waits for the generation to change (spinning briefly, then on `start`), then
 * claims. A successful claim of chunk i in generation g happens-after the caller's writes
 * of g's task, and the caller cannot publish g+1 before `done` counts that chunk, so the task
 * stays valid while the chunk runs. The thread that completes the last chunk signals
 * `finished`.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "runtime/thread_pool.h"

#define SPIN_ITERS 20000
#define MAX_THREADS 1024   /* chunk counts fit the 16-bit field of `gen` */
#define LINE 64

typedef struct worker {
    struct om_rt_pool *pool;
    pthread_t thread;
    int id; /* 1 .. threads-1: its home chunk */
} worker;

typedef struct slot {
    _Alignas(LINE) _Atomic uint64_t v; /* 2g: chunk unclaimed in generation g; 2g + 1: claimed */
} slot;

struct om_rt_pool {
    int threads;
    int started;                  /* workers actually running */
    worker *workers;
    pthread_mutex_t mu;
    pthread_cond_t start, finished;
    slot *slots;                  /* [threads], on their own lines */
    char pad[LINE];               /* keeps the mutex and conditions off the line below */
    _Atomic uint64_t gen;         /* generation << 16 | chunks */
    _Atomic int done;             /* chunks completed in this generation */
    _Atomic int32_t failed;       /* a non-zero kernel return of this generation */
    _Atomic bool stop;
    /* the task of the current generation (stable while any of its chunks runs) */
    om_rt_kernel_fn fn;
    void *const *args;
    int64_t n;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline uint64_t gen_of(uint64_t v) { return v >> 16; }

void om_rt_pool_chunk(int64_t n, int chunks, int i, int64_t *first, int64_t *last)
{
    int64_t q = n / chunks, r = n % chunks;
    *first = (int64_t)i * q + (i < r ? i : r);
    *last = *first + q + (i < r ? 1 : 0);
}

/* Claims chunk i of generation g (whose chunk count is `chunks`) and runs it; false when it
 * was already claimed (or g is over). */
static bool run_chunk(om_rt_pool *p, uint64_t g, int chunks, int i)
{
    uint64_t expect = 2 * g;
    if (atomic_load_explicit(&p->slots[i].v, memory_order_relaxed) != expect ||
        !atomic_compare_exchange_strong_explicit(&p->slots[i].v, &expect, expect + 1,
                                                 memory_order_acq_rel, memory_order_relaxed))
        return false;
    int64_t first, last;
    om_rt_pool_chunk(p->n, chunks, i, &first, &last);
    int32_t rc = p->fn(p->args, first, last);
    if (rc != 0)
        atomic_store_explicit(&p->failed, rc, memory_order_relaxed);
    if (atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1 == chunks) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_signal(&p->finished);
        pthread_mutex_unlock(&p->mu);
    }
    return true;
}

/* Thread `self` runs its home chunk of generation word v, then every chunk still unclaimed. */
static void work(om_rt_pool *p, uint64_t v, int self)
{
    uint64_t g = gen_of(v);
    int chunks = (int)(v & 0xFFFF);
    if (self < chunks)
        run_chunk(p, g, chunks, self);
    for (int k = 1; k < chunks; k++)
        run_chunk(p, g, chunks, (self + k) % chunks);
}

static void *worker_main(void *arg)
{
    om_rt_pool *p = ((worker *)arg)->pool;
    int self = ((worker *)arg)->id;
    uint64_t seen = 0;
    for (;;) {
        for (int spins = 0; spins < SPIN_ITERS; spins++) {
            if (gen_of(atomic_load_explicit(&p->gen, memory_order_acquire)) != seen)
                break;
            cpu_relax();
        }
        pthread_mutex_lock(&p->mu);
        while (gen_of(atomic_load_explicit(&p->gen, memory_order_acquire)) == seen &&
               !atomic_load(&p->stop))
            pthread_cond_wait(&p->start, &p->mu);
        pthread_mutex_unlock(&p->mu);
        if (atomic_load(&p->stop))
            return NULL;
        uint64_t v = atomic_load_explicit(&p->gen, memory_order_acquire);
        seen = gen_of(v);
        work(p, v, self);
    }
}

omrt_status om_rt_pool_create(int threads, om_rt_pool **out)
{
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > MAX_THREADS)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "threads %d is more than %d", threads,
                           MAX_THREADS);
    om_rt_pool *p = calloc(1, sizeof *p);
    if (!p)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating the thread pool");
    p->threads = threads;
    p->slots = aligned_alloc(LINE, (size_t)threads * sizeof(slot));
    if (!p->slots) {
        free(p);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating the thread pool");
    }
    for (int i = 0; i < threads; i++)
        atomic_init(&p->slots[i].v, 1); /* claimed in generation 0 (never published) */
    atomic_init(&p->gen, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->stop, false);
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->slots);
        free(p);
        return om_rt_error(OMRT_ERR_INTERNAL, "pthread_mutex_init failed");
    }
    pthread_cond_init(&p->start, NULL);
    pthread_cond_init(&p->finished, NULL);
    if (threads > 1) {
        p->workers = calloc((size_t)threads, sizeof(worker));
        if (!p->workers) {
            om_rt_pool_destroy(p);
            return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating the thread pool");
        }
        for (int i = 1; i < threads; i++) {
            p->workers[i].pool = p;
            p->workers[i].id = i;
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
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->start);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i <= p->started; i++)
        pthread_join(p->workers[i].thread, NULL);
    pthread_cond_destroy(&p->start);
    pthread_cond_destroy(&p->finished);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p->slots);
    free(p);
}

int om_rt_pool_threads(const om_rt_pool *p)
{
    return p ? p->threads : 0;
}

int32_t om_rt_pool_run(om_rt_pool *p, om_rt_kernel_fn fn, void *const *args, int64_t n)
{
    if (n <= 0)
        return 0;
    int chunks = n < p->threads ? (int)n : p->threads;
    if (chunks == 1)
        return fn(args, 0, n);
    atomic_store_explicit(&p->failed, 0, memory_order_relaxed);
    p->fn = fn;
    p->args = args;
    p->n = n;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint64_t g = gen_of(atomic_load_explicit(&p->gen, memory_order_relaxed)) + 1;
    for (int i = 0; i < chunks; i++)
        atomic_store_explicit(&p->slots[i].v, 2 * g, memory_order_relaxed);
    uint64_t v = g << 16 | (uint64_t)chunks;
    atomic_store_explicit(&p->gen, v, memory_order_release);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->start); /* no system call when no worker sleeps */
    pthread_mutex_unlock(&p->mu);

    work(p, v, 0);

    for (int spins = 0; spins < SPIN_ITERS; spins++) {
        if (atomic_load_explicit(&p->done, memory_order_acquire) == chunks)
            return atomic_load_explicit(&p->failed, memory_order_relaxed);
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->done, memory_order_acquire) != chunks)
        pthread_cond_wait(&p->finished, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return atomic_load_explicit(&p->failed, memory_order_relaxed);
}
