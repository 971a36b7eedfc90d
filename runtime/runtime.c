/* The execution model's global state: init/finalize (with the optional JSON config), the
 * registries of live handles (contexts, streams, events, report queues), the exception
 * callback and the most recent failed task, and small time helpers.
 * Invariant: om_rt_g.lock guards every field of om_rt_g; it is never held while waiting for
 * a stream (workers take it to record exceptions). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

om_rt_global om_rt_g = {.lock = PTHREAD_MUTEX_INITIALIZER};

int om_rt_ptrset_add(om_rt_ptrset *s, void *p)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        void **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = p;
    return 0;
}

void om_rt_ptrset_remove(om_rt_ptrset *s, void *p)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == p) {
            s->v[i] = s->v[--s->n];
            return;
        }
}

int om_rt_ptrset_has(const om_rt_ptrset *s, const void *p)
{
    if (!p)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == p)
            return 1;
    return 0;
}

uint64_t om_rt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void om_rt_timeout_abs(int32_t timeout_ms, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += timeout_ms / 1000;
    ts->tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

omrt_status om_rt_check_init(const char *fn)
{
    pthread_mutex_lock(&om_rt_g.lock);
    int ok = om_rt_g.initialized;
    pthread_mutex_unlock(&om_rt_g.lock);
    return ok ? OMRT_OK
              : om_rt_error(OMRT_ERR_NOT_INITIALIZED, "%s: the runtime is not initialized "
                            "(call omrt_init/aclInit first)", fn);
}

OMRT_EXPORT omrt_status omrt_init(const char *config_path)
{
    int devices = 1, threads = 1;
    if (config_path && config_path[0]) {
        omrt_status st = om_rt_config_read(config_path, &devices, &threads);
        if (st != OMRT_OK)
            return st;
    }
    pthread_mutex_lock(&om_rt_g.lock);
    if (om_rt_g.initialized) {
        pthread_mutex_unlock(&om_rt_g.lock);
        return om_rt_error(OMRT_ERR_ALREADY, "omrt_init: the runtime is already initialized "
                           "(finalize first)");
    }
    om_rt_g.initialized = 1;
    om_rt_g.n_devices = devices;
    om_rt_g.intra_op_threads = threads;
    om_rt_g.has_last_exc = 0;
    pthread_mutex_unlock(&om_rt_g.lock);
    return OMRT_OK;
}

static void take(om_rt_ptrset *dst, om_rt_ptrset *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}

OMRT_EXPORT omrt_status omrt_finalize(void)
{
    om_rt_ptrset ctxs, streams, events, reports;
    pthread_mutex_lock(&om_rt_g.lock);
    if (!om_rt_g.initialized) {
        pthread_mutex_unlock(&om_rt_g.lock);
        return om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_finalize: the runtime is not "
                           "initialized");
    }
    om_rt_g.initialized = 0;
    take(&ctxs, &om_rt_g.contexts);
    take(&streams, &om_rt_g.streams);
    take(&events, &om_rt_g.events);
    take(&reports, &om_rt_g.reports);
    memset(om_rt_g.default_ctx, 0, sizeof om_rt_g.default_ctx);
    memset(om_rt_g.default_refs, 0, sizeof om_rt_g.default_refs);
    om_rt_g.exception_fn = NULL;
    pthread_mutex_unlock(&om_rt_g.lock);
    /* streams first (their queued tasks may use events and memory) */
    for (size_t i = 0; i < streams.n; i++)
        om_rt_stream_free(streams.v[i]);
    for (size_t i = 0; i < events.n; i++)
        om_rt_event_free(events.v[i]);
    for (size_t i = 0; i < ctxs.n; i++)
        free(ctxs.v[i]);
    for (size_t i = 0; i < reports.n; i++)
        om_rt_report_free(reports.v[i]);
    free(streams.v);
    free(events.v);
    free(ctxs.v);
    free(reports.v);
    om_rt_mem_release_all();
    return OMRT_OK;
}

OMRT_EXPORT int omrt_device_count(void)
{
    pthread_mutex_lock(&om_rt_g.lock);
    int n = om_rt_g.initialized ? om_rt_g.n_devices : 0;
    pthread_mutex_unlock(&om_rt_g.lock);
    return n;
}

OMRT_EXPORT omrt_status omrt_set_exception_callback(omrt_exception_fn fn)
{
    omrt_status st = om_rt_check_init("omrt_set_exception_callback");
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&om_rt_g.lock);
    om_rt_g.exception_fn = fn;
    pthread_mutex_unlock(&om_rt_g.lock);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_last_exception(omrt_exception *info, char *op, size_t op_len)
{
    if (!info)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_last_exception: NULL info");
    pthread_mutex_lock(&om_rt_g.lock);
    int has = om_rt_g.has_last_exc;
    if (has) {
        *info = om_rt_g.last_exc;
        info->message = NULL;   /* the buffer may change after the lock is released */
        if (op && op_len) {
            strncpy(op, om_rt_g.last_exc_op, op_len - 1);
            op[op_len - 1] = 0;
        }
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    return has ? OMRT_OK
               : om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_last_exception: no task has failed");
}

omrt_status om_rt_last_exception_operands(om_rt_operands *ops)
{
    pthread_mutex_lock(&om_rt_g.lock);
    int has = om_rt_g.has_last_exc;
    if (has)
        *ops = om_rt_g.last_exc_operands;
    pthread_mutex_unlock(&om_rt_g.lock);
    return has ? OMRT_OK : om_rt_error(OMRT_ERR_INVALID_HANDLE, "no task has failed");
}
