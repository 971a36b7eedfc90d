/* The intra-op thread pool (internal to the runtime).
 *
 * A pool of `threads` threads including the caller: threads-1 workers are started at
 * creation and wait. om_rt_pool_run splits [0, n) into min(threads, n) contiguous chunks of
 * near-equal size (chunk i = [i*q + min(i, r), ...) with q = n / chunks, r = n % chunks),
 * the caller runs chunk 0, worker i runs chunk i (a thread done with its own chunk takes any
 * chunk not yet claimed, so a worker that is late to wake up is never waited for), and the
 * call returns when every chunk is done (a barrier: the next step never overlaps the
 * previous one). The chunks depend only on
 * n and the thread count, and every index is computed exactly once.
 * One caller at a time (a context executes one model at a time). Destroy joins the workers.
 */
#ifndef OM_RUNTIME_THREAD_POOL_H
#define OM_RUNTIME_THREAD_POOL_H

#include <stdint.h>

#include "runtime/rt_internal.h"

typedef struct om_rt_pool om_rt_pool;

omrt_status om_rt_pool_create(int threads, om_rt_pool **out);
void om_rt_pool_destroy(om_rt_pool *p);   /* accepts NULL */
int om_rt_pool_threads(const om_rt_pool *p);
/* Returns 0, or the non-zero code one of the chunks returned (any one of them). */
int32_t om_rt_pool_run(om_rt_pool *p, om_rt_kernel_fn fn, void *const *args, int64_t n);
/* Chunk `i` of `chunks` over [0, n): *first, *last. */
void om_rt_pool_chunk(int64_t n, int chunks, int i, int64_t *first, int64_t *last);

#endif
