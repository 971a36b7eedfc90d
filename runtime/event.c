/* Events. `recorded` counts records issued (at call time) and `completed` is the highest
 * record sequence a stream has reached, with the CLOCK_MONOTONIC time it was reached. An
 * event is complete when completed >= recorded (so a never-recorded event is complete).
 * Waits capture the target sequence when called: a stream-wait-event task blocks its
 * stream's worker until that record completes; events recorded on one stream can thus order
 * another. Queued tasks hold a reference, so destroying an event with tasks still queued is
 * safe (freed by the last reference). */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/rt_internal.h"

struct omrt_event {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t recorded, completed;
    uint64_t stamp_ns;
    int has_stamp;
    int refs;                    /* registry + queued tasks (under lock) */
};

static void put(omrt_event *e)
{
    pthread_mutex_lock(&e->lock);
    int last = --e->refs == 0;
    pthread_mutex_unlock(&e->lock);
    if (last) {
        pthread_cond_destroy(&e->cond);
        pthread_mutex_destroy(&e->lock);
        free(e);
    }
}

void om_rt_event_free(omrt_event *e)
{
    put(e);
}

static omrt_status live(omrt_event *e, const char *fn)
{
    pthread_mutex_lock(&om_rt_g.lock);
    omrt_status st = OMRT_OK;
    if (!om_rt_g.initialized)
        st = om_rt_error(OMRT_ERR_NOT_INITIALIZED, "%s: the runtime is not initialized", fn);
    else if (!e)
        st = om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL event", fn);
    else if (!om_rt_ptrset_has(&om_rt_g.events, e))
        st = om_rt_error(OMRT_ERR_INVALID_HANDLE, "%s: %p is not a live event", fn, (void *)e);
    else {
        pthread_mutex_lock(&e->lock);
        e->refs++;   /* held by the caller until it calls put */
        pthread_mutex_unlock(&e->lock);
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    return st;
}

OMRT_EXPORT omrt_status omrt_event_create(omrt_event **out)
{
    if (out)
        *out = NULL;
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_event_create: NULL out");
    omrt_status st = om_rt_check_init("omrt_event_create");
    if (st != OMRT_OK)
        return st;
    omrt_event *e = calloc(1, sizeof *e);
    if (!e)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating an event");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->cond, &ca);
    pthread_condattr_destroy(&ca);
    e->refs = 1;
    pthread_mutex_lock(&om_rt_g.lock);
    if (om_rt_ptrset_add(&om_rt_g.events, e) != 0) {
        pthread_mutex_unlock(&om_rt_g.lock);
        put(e);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating an event");
    }
    pthread_mutex_unlock(&om_rt_g.lock);
    *out = e;
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_event_destroy(omrt_event *e)
{
    omrt_status st = live(e, "omrt_event_destroy");
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&om_rt_g.lock);
    int mine = om_rt_ptrset_has(&om_rt_g.events, e);
    om_rt_ptrset_remove(&om_rt_g.events, e);
    pthread_mutex_unlock(&om_rt_g.lock);
    put(e);            /* live()'s reference */
    if (mine)
        put(e);        /* the registry's */
    return OMRT_OK;
}

typedef struct event_task {
    om_rt_task t;
    omrt_event *e;
    uint64_t seq;
    int kind;          /* 0 record, 1 wait, 2 reset */
} event_task;

static omrt_status event_run(om_rt_task *t)
{
    event_task *et = (event_task *)t;
    omrt_event *e = et->e;
    pthread_mutex_lock(&e->lock);
    if (et->kind == 0) {
        if (et->seq > e->completed) {
            e->completed = et->seq;
            e->stamp_ns = om_rt_now_ns();
            e->has_stamp = 1;
        }
        pthread_cond_broadcast(&e->cond);
    } else if (et->kind == 1) {
        while (e->completed < et->seq)
            pthread_cond_wait(&e->cond, &e->lock);
    } else {
        e->completed = e->recorded;
        e->has_stamp = 0;
        pthread_cond_broadcast(&e->cond);
    }
    pthread_mutex_unlock(&e->lock);
    return OMRT_OK;
}

static void event_drop(om_rt_task *t)
{
    put(((event_task *)t)->e);
}

/* Pushes an event task holding the reference live() took. */
static omrt_status push(omrt_event *e, omrt_stream *s, int kind, const char *fn)
{
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, fn, &rs);
    event_task *et = st == OMRT_OK ? calloc(1, sizeof *et) : NULL;
    if (st == OMRT_OK && !et)
        st = om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory", fn);
    if (st != OMRT_OK) {
        put(e);
        return st;
    }
    et->t.run = event_run;
    et->t.drop = event_drop;
    snprintf(et->t.op, sizeof et->t.op, "%s",
             kind == 0 ? "event-record" : kind == 1 ? "event-wait" : "event-reset");
    et->e = e;
    et->kind = kind;
    pthread_mutex_lock(&e->lock);
    et->seq = kind == 0 ? ++e->recorded : e->recorded;
    pthread_mutex_unlock(&e->lock);
    st = om_rt_stream_push(rs, &et->t);   /* on failure the drop released the reference */
    if (st != OMRT_OK && kind == 0) {
        /* never reached: mark it complete so waiters do not hang */
        pthread_mutex_lock(&e->lock);
        if (e->completed < e->recorded)
            e->completed = e->recorded;
        pthread_cond_broadcast(&e->cond);
        pthread_mutex_unlock(&e->lock);
    }
    return st;
}

OMRT_EXPORT omrt_status omrt_event_record(omrt_event *e, omrt_stream *s)
{
    omrt_status st = live(e, "omrt_event_record");
    return st != OMRT_OK ? st : push(e, s, 0, "omrt_event_record");
}

OMRT_EXPORT omrt_status omrt_event_reset(omrt_event *e, omrt_stream *s)
{
    omrt_status st = live(e, "omrt_event_reset");
    return st != OMRT_OK ? st : push(e, s, 2, "omrt_event_reset");
}

OMRT_EXPORT omrt_status omrt_stream_wait_event(omrt_stream *s, omrt_event *e)
{
    omrt_status st = live(e, "omrt_stream_wait_event");
    return st != OMRT_OK ? st : push(e, s, 1, "omrt_stream_wait_event");
}

OMRT_EXPORT omrt_status omrt_event_synchronize(omrt_event *e)
{
    omrt_status st = live(e, "omrt_event_synchronize");
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&e->lock);
    uint64_t target = e->recorded;
    while (e->completed < target)
        pthread_cond_wait(&e->cond, &e->lock);
    pthread_mutex_unlock(&e->lock);
    put(e);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_event_query(omrt_event *e, int *complete)
{
    if (!complete)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_event_query: NULL status");
    omrt_status st = live(e, "omrt_event_query");
    if (st != OMRT_OK)
        return st;
    pthread_mutex_lock(&e->lock);
    *complete = e->completed >= e->recorded;
    pthread_mutex_unlock(&e->lock);
    put(e);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_event_elapsed(omrt_event *start, omrt_event *end, float *ms)
{
    if (!ms)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_event_elapsed: NULL ms");
    omrt_status st = live(start, "omrt_event_elapsed");
    if (st != OMRT_OK)
        return st;
    if ((st = live(end, "omrt_event_elapsed")) != OMRT_OK) {
        put(start);
        return st;
    }
    uint64_t t[2];
    int ok[2];
    omrt_event *ev[2] = {start, end};
    for (int i = 0; i < 2; i++) {
        pthread_mutex_lock(&ev[i]->lock);
        ok[i] = ev[i]->has_stamp && ev[i]->completed >= ev[i]->recorded;
        t[i] = ev[i]->stamp_ns;
        pthread_mutex_unlock(&ev[i]->lock);
    }
    put(start);
    put(end);
    if (!ok[0] || !ok[1])
        return om_rt_error(OMRT_ERR_INVALID_HANDLE, "omrt_event_elapsed: the %s event is not "
                           "recorded and complete", !ok[0] ? "start" : "end");
    *ms = (float)((double)((int64_t)(t[1] - t[0])) / 1e6);
    return OMRT_OK;
}
