/* Streams: a FIFO of tasks served by one worker thread per stream, so tasks of a stream run
 * in issue order and different streams run concurrently. `issued` counts pushed tasks and
 * `done` finished ones (both under the stream's lock); synchronize waits for done to reach
 * the issued count seen at the call. A failing task records a sticky status reported by the
 * next synchronize, becomes the runtime's last exception and is passed to the exception
 * callback (outside every lock). Destroy lets the worker drain the queue, then joins it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

static void report_failure(omrt_stream *s, om_rt_task *t, omrt_status st)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", omrt_last_error());
    om_rt_operands ops;
    memset(&ops, 0, sizeof ops);
    if (t->describe)
        t->describe(t, &ops);
    pthread_mutex_lock(&om_rt_g.lock);
    om_rt_g.last_exc_operands = ops;
    om_rt_g.has_last_exc = 1;
    om_rt_g.last_exc = (omrt_exception){(uint32_t)s->ctx->device, s->id, t->id, st, NULL};
    snprintf(om_rt_g.last_exc_msg, sizeof om_rt_g.last_exc_msg, "%s", msg);
    snprintf(om_rt_g.last_exc_op, sizeof om_rt_g.last_exc_op, "%s", t->op);
    omrt_exception_fn fn = om_rt_g.exception_fn;
    pthread_mutex_unlock(&om_rt_g.lock);
    if (fn) {
        omrt_exception info = {(uint32_t)s->ctx->device, s->id, t->id, st, msg};
        fn(&info);
    }
}

static void *worker(void *arg)
{
    omrt_stream *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stop)
            pthread_cond_wait(&s->work, &s->lock);
        om_rt_task *t = s->head;
        if (!t)
            break;
        s->head = t->next;
        if (!s->head)
            s->tail = NULL;
        pthread_mutex_unlock(&s->lock);
        omrt_status st = t->run(t);
        if (st != OMRT_OK)
            report_failure(s, t, st);
        if (t->drop)
            t->drop(t);
        free(t);
        pthread_mutex_lock(&s->lock);
        if (st != OMRT_OK && s->failed == OMRT_OK) {
            s->failed = st;
            snprintf(s->fail_msg, sizeof s->fail_msg, "%s", omrt_last_error());
        }
        s->done++;
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

omrt_status om_rt_stream_push(omrt_stream *s, om_rt_task *t)
{
    pthread_mutex_lock(&s->lock);
    if (s->stop) {
        pthread_mutex_unlock(&s->lock);
        if (t->drop)
            t->drop(t);
        free(t);
        return om_rt_error(OMRT_ERR_INVALID_HANDLE, "stream %u is being destroyed", s->id);
    }
    t->id = (uint32_t)++s->issued;
    t->next = NULL;
    if (s->tail)
        s->tail->next = t;
    else
        s->head = t;
    s->tail = t;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    return OMRT_OK;
}

/* Creates and starts a stream of context c (not registered). */
static omrt_status stream_new(omrt_devctx *c, uint32_t id, omrt_stream **out)
{
    omrt_stream *s = calloc(1, sizeof *s);
    if (!s)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating a stream");
    s->ctx = c;
    s->id = id;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, &ca);
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&s->thread, NULL, worker, s) != 0) {
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->idle);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "cannot start a stream's worker thread");
    }
    *out = s;
    return OMRT_OK;
}

void om_rt_stream_free(omrt_stream *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Registers a new stream of c (lock held). */
omrt_status om_rt_stream_create_in(omrt_devctx *c, omrt_stream **out)
{
    omrt_status st = stream_new(c, ++om_rt_g.next_stream_id, out);
    if (st == OMRT_OK && om_rt_ptrset_add(&om_rt_g.streams, *out) != 0) {
        om_rt_stream_free(*out);
        *out = NULL;
        st = om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating a stream");
    }
    return st;
}

OMRT_EXPORT omrt_status omrt_stream_create(omrt_stream **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_stream_create: NULL out");
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    omrt_devctx *c = om_rt_g.initialized ? om_rt_current_locked() : NULL;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_stream_create: the runtime is not "
                         "initialized");
    else if (!c)
        st = om_rt_error(OMRT_ERR_INVALID_DEVICE, "omrt_stream_create: this thread has no "
                         "current context (set a device first)");
    else
        st = om_rt_stream_create_in(c, out);
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

omrt_status om_rt_stream_resolve(omrt_stream *s, const char *fn, omrt_stream **out)
{
    *out = NULL;
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_g.initialized) {
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "%s: the runtime is not initialized", fn);
    } else if (s) {
        if (om_rt_ptrset_has(&om_rt_g.streams, s))
            *out = s;
        else
            st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "%s: %p is not a live stream", fn,
                             (void *)s);
    } else {
        omrt_devctx *c = om_rt_current_locked();
        if (!c)
            st = om_rt_error(OMRT_ERR_INVALID_DEVICE, "%s: the default stream needs a current "
                             "context (set a device first)", fn);
        else if (!c->default_stream)
            st = om_rt_stream_create_in(c, &c->default_stream);
        *out = c ? c->default_stream : NULL;
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_stream_default(omrt_stream **out)
{
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_stream_default: NULL out");
    return om_rt_stream_resolve(NULL, "omrt_stream_default", out);
}

OMRT_EXPORT omrt_status omrt_stream_destroy(omrt_stream *s)
{
    if (!s)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_stream_destroy: NULL stream");
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_stream_destroy: the runtime is not "
                         "initialized");
    else if (!om_rt_ptrset_has(&om_rt_g.streams, s))
        st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_stream_destroy: %p is not a live "
                         "stream", (void *)s);
    else if (s->ctx->default_stream == s)
        st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_stream_destroy: stream %u is a "
                         "context's default stream", s->id);
    else
        om_rt_ptrset_remove(&om_rt_g.streams, s);
    pthread_mutex_unlock(&om_rt_g.lock);
    if (st == OMRT_OK)
        om_rt_stream_free(s);
    return st;
}

OMRT_EXPORT omrt_status omrt_stream_synchronize_timeout(omrt_stream *s, int32_t timeout_ms)
{
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, "omrt_stream_synchronize", &rs);
    if (st != OMRT_OK)
        return st;
    struct timespec dl;
    if (timeout_ms >= 0)
        om_rt_timeout_abs(timeout_ms, &dl);
    pthread_mutex_lock(&rs->lock);
    uint64_t target = rs->issued;
    int timed_out = 0;
    while (rs->done < target && !timed_out)
        if (timeout_ms < 0)
            pthread_cond_wait(&rs->idle, &rs->lock);
        else
            timed_out = pthread_cond_timedwait(&rs->idle, &rs->lock, &dl) != 0 &&
                        rs->done < target;
    uint64_t left = target - rs->done;
    omrt_status failed = rs->failed;
    char msg[sizeof rs->fail_msg];
    memcpy(msg, rs->fail_msg, sizeof msg);
    if (!timed_out)
        rs->failed = OMRT_OK;
    uint32_t id = rs->id;
    pthread_mutex_unlock(&rs->lock);
    if (timed_out)
        return om_rt_error(OMRT_ERR_TIMEOUT, "stream %u: %llu task(s) still pending after %d "
                           "ms", id, (unsigned long long)left, (int)timeout_ms);
    if (failed != OMRT_OK)
        return om_rt_error(OMRT_ERR_TASK_FAILED, "stream %u: an asynchronous task failed "
                           "(%s): %s", id, omrt_status_name(failed), msg);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_stream_synchronize(omrt_stream *s)
{
    return omrt_stream_synchronize_timeout(s, -1);
}

OMRT_EXPORT uint32_t omrt_stream_id(const omrt_stream *s)
{
    return s ? s->id : 0;
}
