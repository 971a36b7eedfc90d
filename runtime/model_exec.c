/* Models on the execution model: executions with device buffers, synchronously or as stream
 * tasks, over a per-model pool of execution contexts (an execution takes an idle context or
 * creates one, and gives it back), so one loaded model runs concurrently on any number of
 * threads and streams, each execution with its own arena. Also the size query and loading
 * into caller-provided memory (weights copied into the caller's block; the caller's work
 * block becomes the arena of the first pooled context). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

static int intra_op_threads(void)
{
    pthread_mutex_lock(&om_rt_g.lock);
    int t = om_rt_g.intra_op_threads > 0 ? om_rt_g.intra_op_threads : 1;
    pthread_mutex_unlock(&om_rt_g.lock);
    return t;
}

static omrt_status acquire(omrt_model *m, omrt_context **out)
{
    void *arena = NULL;
    pthread_mutex_lock(&m->pool_lock);
    if (m->n_pool) {
        *out = m->pool[--m->n_pool];
        pthread_mutex_unlock(&m->pool_lock);
        return OMRT_OK;
    }
    if (m->work_ext && !m->work_ext_taken) {
        arena = m->work_ext;
        m->work_ext_taken = 1;
    }
    /* room to give the context back later without failing */
    size_t pending = __atomic_load_n(&m->pending, __ATOMIC_ACQUIRE);
    if (m->cap_pool <= m->n_pool + 1 + pending) {
        size_t cap = (m->cap_pool ? m->cap_pool * 2 : 8) + pending;
        omrt_context **p = realloc(m->pool, cap * sizeof *p);
        if (!p) {
            if (arena)
                m->work_ext_taken = 0;
            pthread_mutex_unlock(&m->pool_lock);
            return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory growing the context pool");
        }
        m->pool = p;
        m->cap_pool = cap;
    }
    pthread_mutex_unlock(&m->pool_lock);
    omrt_status st = om_rt_context_create(m, intra_op_threads(), arena, out);
    if (st != OMRT_OK && arena) {
        pthread_mutex_lock(&m->pool_lock);
        m->work_ext_taken = 0;
        pthread_mutex_unlock(&m->pool_lock);
    }
    return st;
}

static void give_back(omrt_model *m, omrt_context *c)
{
    pthread_mutex_lock(&m->pool_lock);
    if (m->n_pool < m->cap_pool) {
        m->pool[m->n_pool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&m->pool_lock);
    omrt_context_destroy(c);   /* only if the pool could not hold it */
}

omrt_status om_rt_exec_check(const omrt_model *m, const void *const *inputs,
                             void *const *outputs, const char *fn)
{
    if (!m)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL model", fn);
    const om_art_model *a = &m->art;
    if ((a->n_inputs && !inputs) || (a->n_outputs && !outputs))
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL %s array", fn,
                           a->n_inputs && !inputs ? "inputs" : "outputs");
    for (uint32_t i = 0; i < a->n_inputs + a->n_outputs; i++) {
        int is_in = i < a->n_inputs;
        uint32_t k = is_in ? i : i - a->n_inputs;
        const void *p = is_in ? inputs[k] : outputs[k];
        const omrt_tensor_info *t = is_in ? &m->inputs[k] : &m->outputs[k];
        if (!p)
            return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s %u ('%s') is NULL", fn,
                               is_in ? "input" : "output", k, t->name);
        size_t left = omrt_device_block_remaining(p, NULL);
        if (!left)
            return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s %u ('%s') at %p is not "
                               "device memory", fn, is_in ? "input" : "output", k, t->name, p);
        if (left < t->nbytes)
            return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s %u ('%s') needs %zu bytes "
                               "but its device block has %zu from %p", fn,
                               is_in ? "input" : "output", k, t->name, t->nbytes, left, p);
    }
    return OMRT_OK;
}

static omrt_status run(omrt_model *m, const void *const *inputs, void *const *outputs)
{
    omrt_context *c;
    omrt_status st = acquire(m, &c);
    if (st != OMRT_OK)
        return st;
    st = omrt_execute(c, inputs, outputs);
    give_back(m, c);
    return st;
}

OMRT_EXPORT omrt_status omrt_model_execute(omrt_model *m, const void *const *inputs,
                                           void *const *outputs)
{
    omrt_status st = om_rt_check_init("omrt_model_execute");
    if (st == OMRT_OK && (st = om_rt_exec_check(m, inputs, outputs, "omrt_model_execute")) ==
                             OMRT_OK) {
        __atomic_add_fetch(&m->pending, 1, __ATOMIC_ACQ_REL);
        st = run(m, inputs, outputs);
        __atomic_sub_fetch(&m->pending, 1, __ATOMIC_ACQ_REL);
    }
    return st;
}

typedef struct exec_task {
    om_rt_task t;
    omrt_model *m;
    void **in, **out;
    void *ptrs[];
} exec_task;

static omrt_status exec_run(om_rt_task *t)
{
    exec_task *e = (exec_task *)t;
    omrt_status st = om_rt_exec_check(e->m, (const void *const *)e->in, e->out,
                                      "omrt_model_execute_async (when run)");
    return st != OMRT_OK ? st : run(e->m, (const void *const *)e->in, e->out);
}

/* The model's inputs and outputs at the task's addresses. */
static void exec_describe(om_rt_task *t, om_rt_operands *ops)
{
    exec_task *e = (exec_task *)t;
    const omrt_model *m = e->m;
    for (size_t i = 0; i < m->art.n_inputs + m->art.n_outputs; i++) {
        int is_in = i < m->art.n_inputs;
        size_t k = is_in ? i : i - m->art.n_inputs;
        size_t *n = is_in ? &ops->n_in : &ops->n_out;
        if (*n == OM_RT_MAX_OPERANDS)
            continue;
        const omrt_tensor_info *ti = is_in ? &m->inputs[k] : &m->outputs[k];
        om_rt_operand *o = is_in ? &ops->in[*n] : &ops->out[*n];
        o->dtype = ti->dtype;
        o->rank = ti->rank;
        memcpy(o->dims, ti->dims, sizeof o->dims);
        o->address = is_in ? e->in[k] : e->out[k];
        (*n)++;
    }
}

static void exec_drop(om_rt_task *t)
{
    __atomic_sub_fetch(&((exec_task *)t)->m->pending, 1, __ATOMIC_ACQ_REL);
}

OMRT_EXPORT omrt_status omrt_model_execute_async(omrt_model *m, const void *const *inputs,
                                                 void *const *outputs, omrt_stream *s)
{
    const char *fn = "omrt_model_execute_async";
    omrt_stream *rs;
    omrt_status st = om_rt_stream_resolve(s, fn, &rs);
    if (st != OMRT_OK || (st = om_rt_exec_check(m, inputs, outputs, fn)) != OMRT_OK)
        return st;
    size_t ni = m->art.n_inputs, no = m->art.n_outputs;
    exec_task *e = calloc(1, sizeof *e + (ni + no + 1) * sizeof(void *));
    if (!e)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory", fn);
    e->t.run = exec_run;
    e->t.drop = exec_drop;
    e->t.describe = exec_describe;
    snprintf(e->t.op, sizeof e->t.op, "execute:%s",
             m->art.n_kernels ? m->art.kernel_names[0] : "(no kernels)");
    e->m = m;
    e->in = e->ptrs;
    e->out = e->ptrs + ni;
    for (size_t i = 0; i < ni; i++)
        e->in[i] = (void *)inputs[i];
    for (size_t i = 0; i < no; i++)
        e->out[i] = outputs[i];
    __atomic_add_fetch(&m->pending, 1, __ATOMIC_ACQ_REL);
    return om_rt_stream_push(rs, &e->t);
}

OMRT_EXPORT size_t omrt_model_pending(const omrt_model *m)
{
    return m ? __atomic_load_n(&m->pending, __ATOMIC_ACQUIRE) : 0;
}

OMRT_EXPORT omrt_status omrt_model_query_size(const char *path, size_t *work, size_t *weight)
{
    if (!path || !work || !weight)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_model_query_size: NULL %s",
                           !path ? "path" : !work ? "work" : "weight");
    omrt_model *m;
    omrt_status st = omrt_model_load_file(path, &m);
    if (st != OMRT_OK)
        return st;
    *work = omrt_model_work_size(m);
    *weight = omrt_model_weight_size(m);
    omrt_model_destroy(m);
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_model_load_file_with_mem(const char *path, void *work_ptr,
                                                      size_t work_size, void *weight_ptr,
                                                      size_t weight_size, omrt_model **out)
{
    const char *fn = "omrt_model_load_file_with_mem";
    if (out)
        *out = NULL;
    if (!path || !out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: NULL %s", fn, path ? "out" : "path");
    if (((uintptr_t)work_ptr | (uintptr_t)weight_ptr) & 63)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: the %s memory at %p is not 64-byte "
                           "aligned", fn, ((uintptr_t)work_ptr & 63) ? "work" : "weight",
                           ((uintptr_t)work_ptr & 63) ? work_ptr : weight_ptr);
    omrt_model *m;
    omrt_status st = omrt_model_load_file(path, &m);
    if (st != OMRT_OK)
        return st;
    size_t need_work = omrt_model_work_size(m), need_weight = omrt_model_weight_size(m);
    if (work_ptr && work_size < need_work) {
        st = om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s needs %zu bytes of work memory, "
                         "%zu given", fn, path, need_work, work_size);
        goto fail;
    }
    if (weight_ptr && weight_size < need_weight) {
        st = om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s needs %zu bytes of weight memory, "
                         "%zu given", fn, path, need_weight, weight_size);
        goto fail;
    }
    if (weight_ptr && need_weight) {
        memcpy(weight_ptr, m->art.weights, need_weight);
        m->art.weights = weight_ptr;
    }
    m->work_ext = work_ptr;
    *out = m;
    return OMRT_OK;
fail:
    omrt_model_destroy(m);
    return st;
}
