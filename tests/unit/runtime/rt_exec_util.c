/* See rt_exec_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/runtime/rt_exec_util.h"
#include "tests/unit/runtime/rt_test_util.h"

void rt_gate_init(rt_gate *g)
{
    pthread_mutex_init(&g->m, NULL);
    pthread_cond_init(&g->c, NULL);
    g->open = g->waiting = 0;
}

void rt_gate_destroy(rt_gate *g)
{
    pthread_cond_destroy(&g->c);
    pthread_mutex_destroy(&g->m);
}

void rt_gate_open(rt_gate *g)
{
    pthread_mutex_lock(&g->m);
    g->open = 1;
    pthread_cond_broadcast(&g->c);
    pthread_mutex_unlock(&g->m);
}

void rt_gate_wait_cb(void *gate)
{
    rt_gate *g = gate;
    pthread_mutex_lock(&g->m);
    g->waiting++;
    pthread_cond_broadcast(&g->c);
    while (!g->open)
        pthread_cond_wait(&g->c, &g->m);
    g->waiting--;
    pthread_mutex_unlock(&g->m);
}

int rt_gate_wait_blocked(rt_gate *g)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    pthread_mutex_lock(&g->m);
    int rc = 0;
    while (!g->waiting && rc == 0)
        rc = pthread_cond_timedwait(&g->c, &g->m, &dl);
    int ok = g->waiting > 0;
    pthread_mutex_unlock(&g->m);
    return ok;
}

void rt_log_init(rt_log *l)
{
    pthread_mutex_init(&l->m, NULL);
    l->n = 0;
}

void rt_log_cb(void *item)
{
    rt_log_item *it = item;
    pthread_mutex_lock(&it->log->m);
    if (it->log->n < 4096)
        it->log->v[it->log->n++] = it->value;
    pthread_mutex_unlock(&it->log->m);
}

char *rt_write_test_model(int64_t n)
{
    rt_test_model t;
    rt_test_model_init(&t, n);
    t.kernels[3] = "affine_f32";   /* bss_f32 shares a global scratch: not reentrant */
    size_t size;
    uint8_t *b = rt_serialize(&t.m, &size);
    char *path = strdup("/tmp/omrt_test_model_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, size), (ssize_t)size);
    close(fd);
    free(b);
    rt_test_model_free(&t);
    return path;
}
