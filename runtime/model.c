/* Model loading and the model's getters.
 *
 * Load = map the artifact file read-only (or copy a caller's buffer) into page-aligned memory
 * the model owns (file_map.c; WEIGHTS sits at a 64-aligned file offset, so weight tensors
 * stay 64-aligned in memory and are used in place, straight from the page cache),
 * om_art_parse (validates everything, CRCs included), the CPU check of the TARGET record,
 * linking the CODE object, resolving every PLAN kernel name, and building the
 * omrt_tensor_info tables. Any failure releases everything built so far (omrt_model_destroy
 * accepts half-built models) and leaves a message starting with the model's label
 * (the file's base name, or "<memory>").
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cpu_features.h"
#include "runtime/elf_link.h"
#include "runtime/file_map.h"
#include "runtime/rt_internal.h"

/* Prefixes the current message with the label (the message buffer is reused). */
static omrt_status with_label(omrt_status st, const char *label)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", omrt_last_error());
    return om_rt_error(st, "%s: %s", label, msg);
}

static omrt_status build_infos(omrt_model *m)
{
    const om_art_model *a = &m->art;
    m->inputs = calloc(a->n_inputs ? a->n_inputs : 1, sizeof(omrt_tensor_info));
    m->outputs = calloc(a->n_outputs ? a->n_outputs : 1, sizeof(omrt_tensor_info));
    if (!m->inputs || !m->outputs)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory loading the model");
    for (uint32_t i = 0; i < a->n_inputs + a->n_outputs; i++) {
        const om_art_io *io = i < a->n_inputs ? &a->inputs[i] : &a->outputs[i - a->n_inputs];
        omrt_tensor_info *t = i < a->n_inputs ? &m->inputs[i] : &m->outputs[i - a->n_inputs];
        if (io->nbytes > SIZE_MAX)
            return om_rt_error(OMRT_ERR_UNSUPPORTED, "tensor '%s' is too large", io->name);
        t->name = io->name;
        t->dtype = (int32_t)io->dtype;
        t->rank = (int32_t)io->rank;
        memcpy(t->dims, io->dims, sizeof(int64_t) * io->rank);
        t->nbytes = (size_t)io->nbytes;
    }
    return OMRT_OK;
}

/* Takes ownership of `file` (page-aligned, from om_rt_file_map or om_rt_file_copy). */
static omrt_status load(uint8_t *file, size_t size, const char *label, omrt_model **out)
{
    omrt_status st;
    char err[512];
    omrt_model *m = calloc(1, sizeof *m);
    if (!m) {
        om_rt_file_unmap(file, size);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory loading the model", label);
    }
    m->file = file;
    m->file_size = size;
    pthread_mutex_init(&m->pool_lock, NULL);
    if (om_art_parse(file, size, &m->art, err, sizeof err) != 0) {
        /* om_art_parse reports only -1: the status comes from what failed */
        bool future = size >= 12 && memcmp(file, OM_ART_MAGIC, 8) == 0 &&
                      (file[8] | (file[9] << 8)) != OM_ART_MAJOR;
        st = future ? OMRT_ERR_UNSUPPORTED
             : strncmp(err, "out of memory", 13) == 0 ? OMRT_ERR_NO_MEMORY
                                                       : OMRT_ERR_INVALID_ARTIFACT;
        om_rt_error(st, "%s: %s", label, err);
        goto fail;
    }
    const om_art_model *a = &m->art;
    if ((st = om_rt_cpu_check(a->triple, a->cpu, a->required_x86, label)) != OMRT_OK)
        goto fail;
    if (a->code_size > SIZE_MAX) {
        st = om_rt_error(OMRT_ERR_UNSUPPORTED, "%s: CODE is too large", label);
        goto fail;
    }
    if ((st = om_rt_elf_link(a->code, (size_t)a->code_size, &m->code)) != OMRT_OK) {
        st = with_label(st, label);
        goto fail;
    }
    m->kernels = calloc(a->n_kernels ? a->n_kernels : 1, sizeof(om_rt_kernel_fn));
    if (!m->kernels) {
        st = om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory loading the model", label);
        goto fail;
    }
    for (uint32_t k = 0; k < a->n_kernels; k++) {
        void *f = om_rt_elf_find_function(m->code, a->kernel_names[k]);
        if (!f) {
            st = om_rt_error(OMRT_ERR_INVALID_ARTIFACT, "%s: kernel '%s' (PLAN kernel %u) is "
                             "not a function defined in the CODE object", label,
                             a->kernel_names[k], k);
            goto fail;
        }
        m->kernels[k] = (om_rt_kernel_fn)f;
    }
    if ((st = build_infos(m)) != OMRT_OK) {
        st = with_label(st, label);
        goto fail;
    }
    *out = m;
    return OMRT_OK;
fail:
    omrt_model_destroy(m);
    return st;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

OMRT_EXPORT omrt_status omrt_model_load_file(const char *path, omrt_model **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_model_load_file: NULL %s",
                           path ? "out" : "path");
    const char *label = base_name(path);
    uint8_t *file;
    size_t size;
    omrt_status st = om_rt_file_map(path, &file, &size);
    if (st != OMRT_OK)
        return st;
    return load(file, size, label, out);
}

OMRT_EXPORT omrt_status omrt_model_load_memory(const void *buf, size_t size, omrt_model **out)
{
    if (out)
        *out = NULL;
    if (!out || (!buf && size))
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "omrt_model_load_memory: NULL %s",
                           out ? "buffer" : "out");
    uint8_t *copy;
    omrt_status st = om_rt_file_copy(buf, size, "<memory>", &copy);
    if (st != OMRT_OK)
        return st;
    return load(copy, size, "<memory>", out);
}

OMRT_EXPORT void omrt_model_destroy(omrt_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_pool; i++)
        omrt_context_destroy(m->pool[i]);
    free(m->pool);
    pthread_mutex_destroy(&m->pool_lock);
    om_rt_elf_destroy(m->code);
    om_art_model_free(&m->art);
    free(m->kernels);
    free(m->inputs);
    free(m->outputs);
    om_rt_file_unmap(m->file, m->file_size);
    free(m);
}

OMRT_EXPORT size_t omrt_model_num_inputs(const omrt_model *m) { return m ? m->art.n_inputs : 0; }
OMRT_EXPORT size_t omrt_model_num_outputs(const omrt_model *m) { return m ? m->art.n_outputs : 0; }

OMRT_EXPORT const omrt_tensor_info *omrt_model_input(const omrt_model *m, size_t index)
{
    return m && index < m->art.n_inputs ? &m->inputs[index] : NULL;
}

OMRT_EXPORT const omrt_tensor_info *omrt_model_output(const omrt_model *m, size_t index)
{
    return m && index < m->art.n_outputs ? &m->outputs[index] : NULL;
}

static int64_t find_name(const omrt_tensor_info *t, size_t n, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return (int64_t)i;
    return -1;
}

OMRT_EXPORT int64_t omrt_model_input_index(const omrt_model *m, const char *name)
{
    return m ? find_name(m->inputs, m->art.n_inputs, name) : -1;
}

OMRT_EXPORT int64_t omrt_model_output_index(const omrt_model *m, const char *name)
{
    return m ? find_name(m->outputs, m->art.n_outputs, name) : -1;
}

OMRT_EXPORT size_t omrt_model_work_size(const omrt_model *m)
{
    return m ? (size_t)m->art.arena_size : 0;
}

OMRT_EXPORT size_t omrt_model_weight_size(const omrt_model *m)
{
    return m ? (size_t)m->art.weights_size : 0;
}
