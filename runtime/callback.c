/* Callbacks on streams and report threads. A callback is a stream task: when the stream
 * reaches it, it either runs on the stream's worker (no subscriber) or is queued to the
 * subscribed thread's report queue, which that thread drains with omrt_process_report. A
 * blocking callback holds the stream until the callback has returned; a non-blocking one lets
 * the stream go on. Report queues are keyed by thread id, created by the first subscription
 * and kept until finalize (a thread may subscribe again later). */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/rt_internal.h"

typedef struct report_item {
    struct report_item *next;
    omrt_callback fn;
    void *user;
    int blocking, done;
} report_item;

struct om_rt_report {
    uint64_t thread;
    int streams;                 /* subscribed streams (under om_rt_g.lock) */
    pthread_mutex_t lock;
    pthread_cond_t cond;         /* items arrive / blocking items are done */
    report_item *head, *tail;
};

OMRT_EXPORT uint64_t omrt_thread_id(void)
{
    return (uint64_t)pthread_self();
}

void om_rt_report_free(om_rt_report *r)
{
    for (report_item *i = r->head, *n; i; i = n) {
        n = i->next;
        free(i);
    }
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static om_rt_report *find_report(uint64_t thread)
{
    for (size_t i = 0; i < om_rt_g.reports.n; i++) {
        om_rt_report *r = om_rt_g.reports.v[i];
        if (r->thread == thread)
            return r;
    }
    return NULL;
}

omrt_status om_rt_callback_run(omrt_stream *s, omrt_callback fn, void *user, int blocking)
{
    pthread_mutex_lock(&s->lock);
    om_rt_report *r = s->report;
    pthread_mutex_unlock(&s->lock);
    if (!r) {
        fn(user);
        return OMRT_OK;
    }
    report_item *it = calloc(1, sizeof *it);
    if (!it)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "stream %u: out of memory queuing a callback",
                           s->id);
    it->fn = fn;
    it->user = user;
    it->blocking = blocking;
    pthread_mutex_lock(&r->lock);
    if (r->tail)
        r->tail->next = it;
    else
        r->head = it;
    r->tail = it;
    pthread_cond_broadcast(&r->cond);
    if (blocking) {
        while (!it->done)
            pthread_cond_wait(&r->cond, &r->lock);
        free(it);
    }
    pthread_mutex_unlock(&r->lock);
    return OMRT_OK;
}

typedef struct callback_task {
    om_rt_task t;
    omrt_stream *s;
    omrt_callback fn;
    void *user;
    int blocking;
} callback_task;

static omrt_status callback_task_run(om_rt_task *t)
{
    callback_task *c = (callback_task *)t;
    return om_rt_callback_run(c->s, c->fn, c->user, c->blocking);
}

OMRT_EXPORT omrt_status omrt_launch_callback(omrt_stream *s, omrt_callback fn, void *user,
                                             int blocking)
{
    if (!fn)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_launch_callback: NULL function");
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, "omrt_launch_callback", &rs);
    if (st != OMRT_OK)
        return st;
    callback_task *c = calloc(1, sizeof *c);
    if (!c)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "omrt_launch_callback: out of memory");
    c->t.run = callback_task_run;
    snprintf(c->t.op, sizeof c->t.op, "callback");
    c->s = rs;
    c->fn = fn;
    c->user = user;
    c->blocking = blocking != 0;
    return om_rt_stream_push(rs, &c->t);
}

OMRT_EXPORT omrt_status omrt_subscribe(uint64_t thread_id, omrt_stream *s)
{
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, "omrt_subscribe", &rs);
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&om_rt_g.lock);
    om_rt_report *r = find_report(thread_id);
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r || om_rt_ptrset_add(&om_rt_g.reports, r) != 0) {
            free(r);
            pthread_mutex_unlock(&om_rt_g.lock);
            return om_rt_error(OMRT_ERR_NO_MEMORY, "omrt_subscribe: out of memory");
        }
        r->thread = thread_id;
        pthread_mutex_init(&r->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&r->cond, &ca);
        pthread_condattr_destroy(&ca);
    }
    pthread_mutex_lock(&rs->lock);
    if (rs->report) {
        st = om_rt_error(OMRT_ERR_ALREADY, "omrt_subscribe: stream %u already has a report "
                         "thread", rs->id);
    } else {
        rs->report = r;
        rs->report_thread = thread_id;
        r->streams++;
    }
    pthread_mutex_unlock(&rs->lock);
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_unsubscribe(uint64_t thread_id, omrt_stream *s)
{
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, "omrt_unsubscribe", &rs);
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&om_rt_g.lock);
    pthread_mutex_lock(&rs->lock);
    if (!rs->report)
        st = om_rt_error(OMRT_ERR_NOT_SUBSCRIBED, "omrt_unsubscribe: stream %u has no report "
                         "thread", rs->id);
    else if (rs->report_thread != thread_id)
        st = om_rt_error(OMRT_ERR_THREAD_NOT_SUBSCRIBED, "omrt_unsubscribe: stream %u is "
                         "served by another thread", rs->id);
    else {
        rs->report->streams--;
        rs->report = NULL;
    }
    pthread_mutex_unlock(&rs->lock);
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_process_report(int32_t timeout_ms)
{
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    om_rt_report *r = NULL;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "omrt_process_report: the runtime is not "
                         "initialized");
    else if (!(r = find_report(omrt_thread_id())) || r->streams == 0)
        st = om_rt_error(OMRT_ERR_THREAD_NOT_SUBSCRIBED, "omrt_process_report: this thread "
                         "serves no stream (subscribe it first)");
    pthread_mutex_unlock(&om_rt_g.lock);
    if (st != OMRT_OK)
        return st;
    struct timespec dl;
    if (timeout_ms >= 0)
        om_rt_timeout_abs(timeout_ms, &dl);
    pthread_mutex_lock(&r->lock);
    while (!r->head) {
        int rc = timeout_ms < 0 ? pthread_cond_wait(&r->cond, &r->lock)
                                : pthread_cond_timedwait(&r->cond, &r->lock, &dl);
        if (rc != 0 && !r->head) {
            pthread_mutex_unlock(&r->lock);
            return om_rt_error(OMRT_ERR_TIMEOUT, "omrt_process_report: no callback within %d "
                               "ms", (int)timeout_ms);
        }
    }
    while (r->head) {
        report_item *it = r->head;
        r->head = it->next;
        if (!r->head)
            r->tail = NULL;
        pthread_mutex_unlock(&r->lock);
        it->fn(it->user);
        pthread_mutex_lock(&r->lock);
        if (it->blocking) {
            it->done = 1;     /* the stream's worker frees it */
            pthread_cond_broadcast(&r->cond);
        } else {
            free(it);
        }
    }
    pthread_mutex_unlock(&r->lock);
    return OMRT_OK;
}
