/* Execution contexts: everything an execution needs, allocated once here so that
 * omrt_execute allocates nothing.
 *   - the arena (art.arena_size bytes, 64-aligned, zero-filled by om_rt_zalloc: large arenas
 *     are fresh mmap pages, touched only when a run uses them);
 *   - one args array per step, prefilled with arena and weight addresses (weights point into
 *     the model's buffer), and a patch list of the slots that hold inputs/outputs, which
 *     omrt_execute fills from the caller's pointers;
 *   - the thread pool (opts->threads, <= 0 meaning 1).
 * om_rt_context_create may take the arena from the caller (load_with_mem); it is not freed.
 * The model must outlive the context.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/thread_pool.h"

static omrt_status fill_args(omrt_context *c)
{
    const om_art_model *a = &c->model->art;
    size_t total = 0;
    for (uint32_t s = 0; s < a->n_steps; s++)
        total += a->steps[s].n_args;
    c->args = calloc(total ? total : 1, sizeof(void *));
    c->arg_start = calloc(a->n_steps ? a->n_steps : 1, sizeof(size_t));
    c->patches = calloc(total ? total : 1, sizeof(om_rt_patch));
    if (!c->args || !c->arg_start || !c->patches)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating a context");
    size_t at = 0;
    const uint8_t *weights = a->weights;
    for (uint32_t s = 0; s < a->n_steps; s++) {
        c->arg_start[s] = at;
        for (uint32_t i = 0; i < a->steps[s].n_args; i++, at++) {
            const om_art_tensor *t = &a->tensors[a->steps[s].args[i]];
            switch (t->kind) {
            case OM_ART_TENSOR_WEIGHT: /* weights is NULL only without WEIGHTS (then nbytes 0) */
                c->args[at] = weights ? (void *)(weights + t->offset) : NULL;
                break;
            case OM_ART_TENSOR_ARENA:
                c->args[at] = c->arena + t->offset;
                break;
            default: /* INPUT / OUTPUT, patched per execute */
                c->patches[c->n_patches++] = (om_rt_patch){(uint32_t)at, t->kind, t->index};
                break;
            }
        }
    }
    return OMRT_OK;
}

OMRT_EXPORT omrt_status omrt_context_create(omrt_model *m, const omrt_context_opts *opts,
                                            omrt_context **out)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_context_create: NULL %s",
                           m ? "out" : "model");
    return om_rt_context_create(m, opts && opts->threads > 0 ? opts->threads : 1, NULL, out);
}

omrt_status om_rt_context_create(omrt_model *m, int threads, void *arena, omrt_context **out)
{
    omrt_status st;
    *out = NULL;
    omrt_context *c = calloc(1, sizeof *c);
    if (!c)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory creating a context");
    c->model = m;
    c->arena_external = arena != NULL;
    c->arena = arena;
    if (!arena && (m->art.arena_size > SIZE_MAX - 64 ||
                   !(c->arena = om_rt_zalloc((size_t)m->art.arena_size)))) {
        st = om_rt_error(OMRT_ERR_NO_MEMORY, "cannot allocate the %llu-byte arena",
                         (unsigned long long)m->art.arena_size);
        goto fail;
    }
    if (arena)
        memset(c->arena, 0, (size_t)m->art.arena_size);
    if ((st = fill_args(c)) != OMRT_OK || (st = om_rt_pool_create(threads, &c->pool)) != OMRT_OK)
        goto fail;
    om_rt_profile_init(c);
    *out = c;
    return OMRT_OK;
fail:
    omrt_context_destroy(c);
    return st;
}

OMRT_EXPORT void omrt_context_destroy(omrt_context *c)
{
    if (!c)
        return;
    om_rt_profile_report(c);
    free(c->step_ns);
    om_rt_pool_destroy(c->pool);
    if (!c->arena_external)
        om_rt_zfree(c->arena, (size_t)c->model->art.arena_size);
    free(c->args);
    free(c->arg_start);
    free(c->patches);
    free(c);
}
