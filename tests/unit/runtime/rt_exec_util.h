/* Helpers for the execution-model tests: a gate (a callback that blocks a stream until the
 * test opens it), an ordered log that callbacks append to, and the test model as a file. */
#ifndef OM_RT_EXEC_UTIL_H
#define OM_RT_EXEC_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rt_gate {
    pthread_mutex_t m;
    pthread_cond_t c;
    int open, waiting;
} rt_gate;

void rt_gate_init(rt_gate *g);
void rt_gate_destroy(rt_gate *g);
void rt_gate_open(rt_gate *g);
void rt_gate_wait_cb(void *gate);               /* an omrt_callback */
/* Waits (up to ~5 s) until a callback is blocked in the gate; returns 1 if so. */
int rt_gate_wait_blocked(rt_gate *g);

typedef struct rt_log {
    pthread_mutex_t m;
    int v[4096];
    int n;
} rt_log;

typedef struct rt_log_item {
    rt_log *log;
    int value;
} rt_log_item;
void rt_log_init(rt_log *l);
void rt_log_cb(void *item);                      /* appends item->value */

/* Writes the serialized test model (rt_test_model over n floats, with the reentrant
 * affine_f32 in place of bss_f32, same results) to a temp file; returns the malloc'd path
 * (caller unlinks and frees). */
char *rt_write_test_model(int64_t n);

#endif
