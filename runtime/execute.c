/* omrt_execute: checks the caller's pointers, writes them into the prepared argument slots,
 * then runs the PLAN's steps in order, each over [0, work_items) on the context's thread
 * pool, which returns only when the step is complete (so step s+1 sees all of step s's
 * writes). No allocation, no system call other than the pool's futex waits.
 * A context runs one execution at a time: a concurrent call on the same context is refused
 * with OMRT_ERR_INVALID_ARGUMENT instead of corrupting the arena.
 */
#include <stdbool.h>

#include "runtime/thread_pool.h"

OMRT_EXPORT omrt_status omrt_execute(omrt_context *c, const void *const *inputs,
                                     void *const *outputs)
{
    if (!c)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: NULL context");
    const om_art_model *a = &c->model->art;
    if (a->n_inputs && !inputs)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: inputs is NULL but the "
                           "model has %u inputs", a->n_inputs);
    if (a->n_outputs && !outputs)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: outputs is NULL but the "
                           "model has %u outputs", a->n_outputs);
    for (uint32_t i = 0; i < a->n_inputs; i++)
        if (!inputs[i])
            return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: input %u ('%s') is "
                               "NULL", i, a->inputs[i].name);
    for (uint32_t i = 0; i < a->n_outputs; i++)
        if (!outputs[i])
            return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: output %u ('%s') is "
                               "NULL", i, a->outputs[i].name);
    int idle = 0;
    if (!__atomic_compare_exchange_n(&c->busy, &idle, 1, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_execute: the context is already "
                           "executing on another thread (use one context per caller)");
    for (size_t p = 0; p < c->n_patches; p++) {
        const om_rt_patch *pt = &c->patches[p];
        c->args[pt->slot] = pt->kind == OM_ART_TENSOR_INPUT ? (void *)inputs[pt->index]
                                                            : outputs[pt->index];
    }
    for (uint32_t s = 0; s < a->n_steps; s++) {
        const om_art_step *st = &a->steps[s];
        uint64_t t0 = c->step_ns ? om_rt_now_ns() : 0;
        int32_t rc = om_rt_pool_run(c->pool, c->model->kernels[st->kernel],
                                    c->args + c->arg_start[s], st->work_items);
        if (c->step_ns)
            c->step_ns[s] += om_rt_now_ns() - t0;
        if (rc != 0 && a->minor >= 1) {   /* 1.0 kernels returned void */
            __atomic_store_n(&c->busy, 0, __ATOMIC_RELEASE);
            return om_rt_error(OMRT_ERR_EXECUTION, "omrt_execute: step %u, %s: %s", s,
                               a->step_labels ? a->step_labels[s] : a->kernel_names[st->kernel],
                               om_art_check_text(rc));
        }
    }
    if (c->step_ns)
        c->profiled_runs++;
    __atomic_store_n(&c->busy, 0, __ATOMIC_RELEASE);
    return OMRT_OK;
}
