/* model_exec.c: executions with device buffers (sync and on streams, outputs checked against
 * the plain-C reference), loading into caller memory after querying the sizes, misuse, and
 * the stress test: 8 threads x 4 streams running one loaded model, every output checked.
 * OMRT_STRESS_ITERS overrides the iterations per stream (default 500: 8*4*500 = 16000
 * executions). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_exec_util.h"
#include "tests/unit/runtime/rt_test_util.h"

enum { N = 64 };

static void expect(omrt_status got, omrt_status want, const char *needle)
{
    if (got != want)
        fail_msg("status %s, expected %s (%s)", omrt_status_name(got), omrt_status_name(want),
                 omrt_last_error());
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static char *model_path;

static int setup(void **state)
{
    return omrt_init(NULL) == OMRT_OK && omrt_device_set(0) == OMRT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    return omrt_finalize() == OMRT_OK ? 0 : -1;
}

static float weight(int i)
{
    return (float)(i % 13) * 0.25f - 1.0f;
}

static void reference(const float *a, const float *b, float *o0, float *o1)
{
    float w[N];
    for (int i = 0; i < N; i++)
        w[i] = weight(i);
    rt_test_reference(N, a, b, w, o0, o1);
}

typedef struct dev_io {
    void *in[2], *out[2];
} dev_io;

static void dev_io_alloc(dev_io *io)
{
    for (int k = 0; k < 2; k++) {
        expect(omrt_malloc_device(N * sizeof(float), &io->in[k]), OMRT_OK, NULL);
        expect(omrt_malloc_device(N * sizeof(float), &io->out[k]), OMRT_OK, NULL);
    }
}

static void dev_io_free(dev_io *io)
{
    for (int k = 0; k < 2; k++) {
        omrt_free_device(io->in[k]);
        omrt_free_device(io->out[k]);
    }
}

static void fill(float *a, float *b, int seed)
{
    for (int i = 0; i < N; i++) {
        a[i] = (float)((i * 7 + seed) % 23) * 0.5f - 5.0f;
        b[i] = (float)((i * 3 + seed * 5) % 17) * 0.25f;
    }
}

static void test_execute_sync(void **state)
{
    omrt_model *m;
    expect(omrt_model_load_file(model_path, &m), OMRT_OK, NULL);
    dev_io io;
    dev_io_alloc(&io);
    float a[N], b[N], o0[N], o1[N], r0[N], r1[N];
    fill(a, b, 3);
    reference(a, b, r0, r1);
    expect(omrt_memcpy(io.in[0], sizeof a, a, sizeof a, OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_memcpy(io.in[1], sizeof b, b, sizeof b, OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_model_execute(m, (const void *const *)io.in, io.out), OMRT_OK, NULL);
    expect(omrt_memcpy(o0, sizeof o0, io.out[0], sizeof o0, OMRT_COPY_DEVICE_TO_HOST), OMRT_OK,
           NULL);
    expect(omrt_memcpy(o1, sizeof o1, io.out[1], sizeof o1, OMRT_COPY_DEVICE_TO_HOST), OMRT_OK,
           NULL);
    assert_memory_equal(o0, r0, sizeof r0);
    assert_memory_equal(o1, r1, sizeof r1);
    assert_int_equal(omrt_model_pending(m), 0);
    assert_int_equal(omrt_model_pending(NULL), 0);

    /* misuse */
    const void *host_in[2] = {a, b};
    expect(omrt_model_execute(m, host_in, io.out), OMRT_ERR_INVALID_ARGUMENT,
           "input 0 ('a') at");
    assert_non_null(strstr(omrt_last_error(), "is not device memory"));
    void *short_out[2] = {io.out[0], (char *)io.out[1] + 8};
    expect(omrt_model_execute(m, (const void *const *)io.in, short_out),
           OMRT_ERR_INVALID_ARGUMENT, "needs 256 bytes but its device block has 248");
    void *null_out[2] = {io.out[0], NULL};
    expect(omrt_model_execute(m, (const void *const *)io.in, null_out),
           OMRT_ERR_INVALID_ARGUMENT, "output 1");
    expect(omrt_model_execute(m, NULL, io.out), OMRT_ERR_INVALID_ARGUMENT, "NULL inputs array");
    expect(omrt_model_execute(NULL, (const void *const *)io.in, io.out),
           OMRT_ERR_INVALID_ARGUMENT, "NULL model");
    expect(omrt_model_execute_async(m, host_in, io.out, NULL), OMRT_ERR_INVALID_ARGUMENT,
           "not device memory");
    expect(omrt_model_execute_async(m, (const void *const *)io.in, io.out, (omrt_stream *)m),
           OMRT_ERR_INVALID_HANDLE, "not a live stream");
    dev_io_free(&io);
    omrt_model_destroy(m);
}

static void test_execute_async_chain(void **state)
{
    omrt_model *m;
    expect(omrt_model_load_file(model_path, &m), OMRT_OK, NULL);
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    dev_io io;
    dev_io_alloc(&io);
    enum { R = 8 };
    float a[R][N], b[R][N], o0[R][N], o1[R][N], r0[N], r1[N];
    for (int r = 0; r < R; r++) {
        fill(a[r], b[r], r);
        /* the same device buffers every round: only stream order keeps rounds apart */
        expect(omrt_memcpy_async(io.in[0], N * 4, a[r], N * 4, OMRT_COPY_HOST_TO_DEVICE, s),
               OMRT_OK, NULL);
        expect(omrt_memcpy_async(io.in[1], N * 4, b[r], N * 4, OMRT_COPY_HOST_TO_DEVICE, s),
               OMRT_OK, NULL);
        expect(omrt_model_execute_async(m, (const void *const *)io.in, io.out, s), OMRT_OK, NULL);
        expect(omrt_memcpy_async(o0[r], N * 4, io.out[0], N * 4, OMRT_COPY_DEVICE_TO_HOST, s),
               OMRT_OK, NULL);
        expect(omrt_memcpy_async(o1[r], N * 4, io.out[1], N * 4, OMRT_COPY_DEVICE_TO_HOST, s),
               OMRT_OK, NULL);
    }
    expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
    assert_int_equal(omrt_model_pending(m), 0);
    for (int r = 0; r < R; r++) {
        reference(a[r], b[r], r0, r1);
        assert_memory_equal(o0[r], r0, sizeof r0);
        assert_memory_equal(o1[r], r1, sizeof r1);
    }
    /* a buffer freed before the execution runs fails the task, not the process */
    rt_gate g;
    rt_gate_init(&g);
    expect(omrt_launch_callback(s, rt_gate_wait_cb, &g, 1), OMRT_OK, NULL);
    expect(omrt_model_execute_async(m, (const void *const *)io.in, io.out, s), OMRT_OK, NULL);
    assert_int_equal(omrt_model_pending(m), 1);
    assert_true(rt_gate_wait_blocked(&g));
    void *in0 = io.in[0];
    expect(omrt_free_device(in0), OMRT_OK, NULL);
    rt_gate_open(&g);
    expect(omrt_stream_synchronize(s), OMRT_ERR_TASK_FAILED, "is not device memory");
    omrt_exception e;
    char op[64];
    expect(omrt_last_exception(&e, op, sizeof op), OMRT_OK, NULL);
    assert_int_equal(strncmp(op, "execute:", 8), 0);
    assert_int_equal(omrt_model_pending(m), 0);
    expect(omrt_malloc_device(N * 4, &io.in[0]), OMRT_OK, NULL);
    rt_gate_destroy(&g);
    dev_io_free(&io);
    omrt_stream_destroy(s);
    omrt_model_destroy(m);
}

static void test_load_with_mem(void **state)
{
    size_t work = 0, wsize = 0;
    expect(omrt_model_query_size(model_path, &work, &wsize), OMRT_OK, NULL);
    assert_int_equal(wsize, N * sizeof(float));
    assert_true(work > 0);
    expect(omrt_model_query_size(NULL, &work, &wsize), OMRT_ERR_INVALID_ARGUMENT, "NULL path");
    expect(omrt_model_query_size(model_path, NULL, &wsize), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_model_query_size("/nonexistent.om", &work, &wsize), OMRT_ERR_IO,
           "/nonexistent.om");
    void *wp, *ws;
    expect(omrt_malloc_device(work, &wp), OMRT_OK, NULL);
    expect(omrt_malloc_device(wsize, &ws), OMRT_OK, NULL);
    omrt_model *m = (omrt_model *)1;
    expect(omrt_model_load_file_with_mem(model_path, wp, work - 1, ws, wsize, &m),
           OMRT_ERR_INVALID_ARGUMENT, "bytes of work memory");
    assert_null(m);
    expect(omrt_model_load_file_with_mem(model_path, wp, work, ws, wsize - 4, &m),
           OMRT_ERR_INVALID_ARGUMENT, "bytes of weight memory");
    expect(omrt_model_load_file_with_mem(model_path, (char *)wp + 8, work, ws, wsize, &m),
           OMRT_ERR_INVALID_ARGUMENT, "not 64-byte aligned");
    expect(omrt_model_load_file_with_mem(NULL, wp, work, ws, wsize, &m),
           OMRT_ERR_INVALID_ARGUMENT, "NULL path");
    expect(omrt_model_load_file_with_mem(model_path, wp, work, ws, wsize, NULL),
           OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_model_load_file_with_mem(model_path, wp, work, ws, wsize, &m), OMRT_OK, NULL);
    for (int i = 0; i < N; i++)
        assert_true(((float *)ws)[i] == weight(i));    /* the weights live in our block */
    /* the model uses them: changing the caller's weights changes the result */
    dev_io io;
    dev_io_alloc(&io);
    float a[N], b[N], o0[N], r0[N], r1[N];
    fill(a, b, 11);
    omrt_memcpy(io.in[0], N * 4, a, N * 4, OMRT_COPY_HOST_TO_DEVICE);
    omrt_memcpy(io.in[1], N * 4, b, N * 4, OMRT_COPY_HOST_TO_DEVICE);
    expect(omrt_model_execute(m, (const void *const *)io.in, io.out), OMRT_OK, NULL);
    omrt_memcpy(o0, N * 4, io.out[0], N * 4, OMRT_COPY_DEVICE_TO_HOST);
    reference(a, b, r0, r1);
    assert_memory_equal(o0, r0, sizeof r0);
    ((float *)ws)[5] += 1.0f;
    expect(omrt_model_execute(m, (const void *const *)io.in, io.out), OMRT_OK, NULL);
    omrt_memcpy(o0, N * 4, io.out[0], N * 4, OMRT_COPY_DEVICE_TO_HOST);
    assert_true(o0[5] != r0[5]);
    assert_true(o0[4] == r0[4]);
    dev_io_free(&io);
    omrt_model_destroy(m);
    omrt_free_device(wp);
    omrt_free_device(ws);
}

/* ---- stress ---- */

enum { THREADS = 8, STREAMS = 4 };

typedef struct worker_arg {
    omrt_model *m;
    int thread, iters;
    int failures;
    char msg[256];
} worker_arg;

static void *stress_worker(void *p)
{
    worker_arg *w = p;
    omrt_stream *s[STREAMS] = {0};
    dev_io io[STREAMS];
    float (*a)[N] = calloc(STREAMS * 3, sizeof *a), (*b)[N] = a + STREAMS, (*o)[N] = a + 2 * STREAMS;
    float r0[N], r1[N];
    if (omrt_device_set(0) != OMRT_OK)
        goto fail;
    for (int k = 0; k < STREAMS; k++) {
        if (omrt_stream_create(&s[k]) != OMRT_OK)
            goto fail;
        for (int j = 0; j < 2; j++)
            if (omrt_malloc_device(N * 4, &io[k].in[j]) != OMRT_OK ||
                omrt_malloc_device(N * 4, &io[k].out[j]) != OMRT_OK)
                goto fail;
    }
    for (int it = 0; it < w->iters; it++) {
        for (int k = 0; k < STREAMS; k++) {
            fill(a[k], b[k], it * 131 + w->thread * 17 + k);
            if (omrt_memcpy_async(io[k].in[0], N * 4, a[k], N * 4, OMRT_COPY_HOST_TO_DEVICE,
                                  s[k]) != OMRT_OK ||
                omrt_memcpy_async(io[k].in[1], N * 4, b[k], N * 4, OMRT_COPY_HOST_TO_DEVICE,
                                  s[k]) != OMRT_OK ||
                omrt_model_execute_async(w->m, (const void *const *)io[k].in, io[k].out, s[k]) !=
                    OMRT_OK ||
                omrt_memcpy_async(o[k], N * 4, io[k].out[0], N * 4, OMRT_COPY_DEVICE_TO_HOST,
                                  s[k]) != OMRT_OK)
                goto fail;
        }
        for (int k = 0; k < STREAMS; k++) {
            if (omrt_stream_synchronize(s[k]) != OMRT_OK)
                goto fail;
            reference(a[k], b[k], r0, r1);
            if (memcmp(o[k], r0, sizeof r0) != 0) {
                int i = 0;
                while (o[k][i] == r0[i])
                    i++;
                if (!w->failures++)
                    snprintf(w->msg, sizeof w->msg, "thread %d stream %d iteration %d: out0[%d] "
                             "is %g, expected %g", w->thread, k, it, i, o[k][i], r0[i]);
            }
        }
    }
    goto done;
fail:
    w->failures++;
    snprintf(w->msg, sizeof w->msg, "thread %d: %s", w->thread, omrt_last_error());
done:
    for (int k = 0; k < STREAMS; k++) {
        if (s[k])
            omrt_stream_destroy(s[k]);
    }
    free(a);
    omrt_device_reset(0);
    return NULL;
}

static void test_stress(void **state)
{
    int iters = 500;
    const char *env = getenv("OMRT_STRESS_ITERS");
    if (env && atoi(env) > 0)
        iters = atoi(env);
    omrt_model *m;
    expect(omrt_model_load_file(model_path, &m), OMRT_OK, NULL);
    pthread_t t[THREADS];
    worker_arg w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_arg){m, i, iters, 0, ""};
        assert_int_equal(pthread_create(&t[i], NULL, stress_worker, &w[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failures)
            print_error("%s\n", w[i].msg);
        failures += w[i].failures;
    }
    assert_int_equal(failures, 0);
    assert_int_equal(omrt_model_pending(m), 0);
    print_message("stress: %d threads x %d streams x %d iterations = %d executions checked\n",
                  THREADS, STREAMS, iters, THREADS * STREAMS * iters);
    omrt_model_destroy(m);
}

int main(void)
{
    model_path = rt_write_test_model(N);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_execute_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execute_async_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_with_mem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(model_path);
    free(model_path);
    return rc;
}
