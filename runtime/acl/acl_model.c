/* AscendCL models: the model table (id -> native model; ids start at 1 and are not reused
 * while the process lives), loading (file, memory, file with caller memory, size query),
 * unloading (refused while executions are pending), and model descriptions (a copy of the
 * model's input/output info, valid after unload). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/acl/acl_internal.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static omrt_model **models;   /* [cap]; index id-1 */
static size_t n_models, cap_models;

omrt_model *om_acl_model(uint32_t id, const char *fn)
{
    pthread_mutex_lock(&lock);
    omrt_model *m = id >= 1 && id <= n_models ? models[id - 1] : NULL;
    pthread_mutex_unlock(&lock);
    if (!m)
        om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: model id %u is not loaded", fn, id);
    return m;
}

aclError om_acl_model_add(omrt_model *m, uint32_t *id)
{
    pthread_mutex_lock(&lock);
    if (n_models == cap_models) {
        size_t cap = cap_models ? cap_models * 2 : 16;
        omrt_model **p = realloc(models, cap * sizeof *p);
        if (p)
            models = p;
        if (!p || cap > UINT32_MAX) {
            pthread_mutex_unlock(&lock);
            omrt_model_destroy(m);
            return om_acl_fail(ACL_ERROR_BAD_ALLOC, "out of memory registering a model");
        }
        models = p;
        cap_models = cap;
    }
    models[n_models++] = m;
    *id = (uint32_t)n_models;
    pthread_mutex_unlock(&lock);
    return ACL_SUCCESS;
}

void om_acl_models_unload_all(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_models; i++) {
        omrt_model_destroy(models[i]);
        models[i] = NULL;
    }
    pthread_mutex_unlock(&lock);
}

aclDataType om_acl_dtype(int32_t t)
{
    switch (t) {
    case 1: return ACL_FLOAT;
    case 2: return ACL_UINT8;
    case 3: return ACL_INT8;
    case 4: return ACL_UINT16;
    case 5: return ACL_INT16;
    case 6: return ACL_INT32;
    case 7: return ACL_INT64;
    case 8: return ACL_STRING;
    case 9: return ACL_BOOL;
    case 10: return ACL_FLOAT16;
    case 11: return ACL_DOUBLE;
    case 12: return ACL_UINT32;
    case 13: return ACL_UINT64;
    case 14: return ACL_COMPLEX64;
    case 15: return ACL_COMPLEX128;
    case 16: return ACL_BF16;
    default: return ACL_DT_UNDEFINED;
    }
}

aclFormat om_acl_format(int32_t rank)
{
    return rank == 4 ? ACL_FORMAT_NCHW : rank == 5 ? ACL_FORMAT_NCDHW : ACL_FORMAT_ND;
}

void om_acl_io_fill(om_acl_io *d, const omrt_tensor_info *t)
{
    snprintf(d->name, sizeof d->name, "%s", t->name);
    d->dtype = om_acl_dtype(t->dtype);
    d->format = om_acl_format(t->rank);
    d->rank = (size_t)t->rank;
    memcpy(d->dims, t->dims, sizeof(int64_t) * d->rank);
    d->nbytes = t->nbytes;
}

aclTensorDesc *om_acl_desc_from_io(const om_acl_io *io, void *address)
{
    aclTensorDesc *d = aclCreateTensorDesc(io->dtype, (int)io->rank, io->dims, io->format);
    if (d)
        d->address = address;
    return d;
}

static aclError load_status(omrt_status st)
{
    return om_acl_status_file(st, ACL_ERROR_READ_MODEL_FAILURE, ACL_ERROR_PARSE_MODEL);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId)
{
    if (!modelPath || !modelId)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlLoadFromFile: NULL %s",
                           modelPath ? "modelId" : "modelPath");
    omrt_status st = om_rt_check_init("aclmdlLoadFromFile");
    omrt_model *m;
    if (st != OMRT_OK || (st = omrt_model_load_file(modelPath, &m)) != OMRT_OK)
        return load_status(st);
    return om_acl_model_add(m, modelId);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromMem(const void *model, size_t modelSize,
                                               uint32_t *modelId)
{
    if (!model || !modelId || !modelSize)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlLoadFromMem: %s",
                           !model ? "NULL model" : !modelId ? "NULL modelId" : "modelSize 0");
    omrt_status st = om_rt_check_init("aclmdlLoadFromMem");
    omrt_model *m;
    if (st != OMRT_OK || (st = omrt_model_load_memory(model, modelSize, &m)) != OMRT_OK)
        return load_status(st);
    return om_acl_model_add(m, modelId);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId,
                                                       void *workPtr, size_t workSize,
                                                       void *weightPtr, size_t weightSize)
{
    if (!modelPath || !modelId)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlLoadFromFileWithMem: NULL %s",
                           modelPath ? "modelId" : "modelPath");
    if (((uintptr_t)workPtr | (uintptr_t)weightPtr) & 63)
        return om_acl_fail(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, "aclmdlLoadFromFileWithMem: the "
                           "%s memory is not 64-byte aligned",
                           ((uintptr_t)workPtr & 63) ? "work" : "weight");
    omrt_status st = om_rt_check_init("aclmdlLoadFromFileWithMem");
    omrt_model *m;
    if (st != OMRT_OK || (st = omrt_model_load_file_with_mem(modelPath, workPtr, workSize,
                                                             weightPtr, weightSize, &m)) != OMRT_OK)
        return load_status(st);
    return om_acl_model_add(m, modelId);
}

ACL_FUNC_VISIBILITY aclError aclmdlQuerySize(const char *fileName, size_t *workSize,
                                             size_t *weightSize)
{
    omrt_status st = om_rt_check_init("aclmdlQuerySize");
    if (st != OMRT_OK)
        return om_acl_status(st);
    return load_status(omrt_model_query_size(fileName, workSize, weightSize));
}

ACL_FUNC_VISIBILITY aclError aclmdlUnload(uint32_t modelId)
{
    pthread_mutex_lock(&lock);
    omrt_model *m = modelId >= 1 && modelId <= n_models ? models[modelId - 1] : NULL;
    size_t pending = m ? omrt_model_pending(m) : 0;
    if (m && !pending)
        models[modelId - 1] = NULL;
    pthread_mutex_unlock(&lock);
    if (!m)
        return om_acl_fail(ACL_ERROR_INVALID_MODEL_ID, "aclmdlUnload: model id %u is not loaded",
                           modelId);
    if (pending)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlUnload: model %u has %zu executions "
                           "pending (synchronize their streams first)", modelId, pending);
    omrt_model_destroy(m);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclmdlDesc *aclmdlCreateDesc(void)
{
    aclmdlDesc *d = calloc(1, sizeof *d);
    if (!d)
        om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclmdlCreateDesc: out of memory");
    return d;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyDesc(aclmdlDesc *modelDesc)
{
    if (!modelDesc)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlDestroyDesc: NULL modelDesc");
    free(modelDesc->in);
    free(modelDesc->out);
    free(modelDesc);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDesc(aclmdlDesc *modelDesc, uint32_t modelId)
{
    if (!modelDesc)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDesc: NULL modelDesc");
    omrt_model *m = om_acl_model(modelId, "aclmdlGetDesc");
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    size_t ni = omrt_model_num_inputs(m), no = omrt_model_num_outputs(m);
    om_acl_io *in = calloc(ni ? ni : 1, sizeof *in), *out = calloc(no ? no : 1, sizeof *out);
    if (!in || !out) {
        free(in);
        free(out);
        return om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclmdlGetDesc: out of memory");
    }
    for (size_t i = 0; i < ni; i++)
        om_acl_io_fill(&in[i], omrt_model_input(m, i));
    for (size_t i = 0; i < no; i++)
        om_acl_io_fill(&out[i], omrt_model_output(m, i));
    free(modelDesc->in);
    free(modelDesc->out);
    *modelDesc = (aclmdlDesc){1, modelId, ni, no, in, out};
    return ACL_SUCCESS;
}

/* The io record, or NULL with a message. */
static const om_acl_io *io_at(const aclmdlDesc *d, size_t index, int output, const char *fn)
{
    if (!d || !d->filled) {
        om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s", fn, d ? "the description is empty "
                    "(call aclmdlGetDesc)" : "NULL modelDesc");
        return NULL;
    }
    size_t n = output ? d->n_out : d->n_in;
    if (index >= n) {
        om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: %s index %zu out of range (%zu %ss)", fn,
                    output ? "output" : "input", index, n, output ? "output" : "input");
        return NULL;
    }
    return output ? &d->out[index] : &d->in[index];
}

ACL_FUNC_VISIBILITY size_t aclmdlGetNumInputs(aclmdlDesc *modelDesc)
{
    if (!modelDesc)
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetNumInputs: NULL modelDesc");
    return modelDesc ? modelDesc->n_in : 0;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetNumOutputs(aclmdlDesc *modelDesc)
{
    if (!modelDesc)
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetNumOutputs: NULL modelDesc");
    return modelDesc ? modelDesc->n_out : 0;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetInputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 0, "aclmdlGetInputSizeByIndex");
    return io ? io->nbytes : 0;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetOutputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 1, "aclmdlGetOutputSizeByIndex");
    return io ? io->nbytes : 0;
}

static aclError dims_of(const aclmdlDesc *d, size_t index, int output, aclmdlIODims *dims,
                        const char *fn)
{
    if (!dims)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL dims", fn);
    const om_acl_io *io = io_at(d, index, output, fn);
    if (!io)
        return ACL_ERROR_INVALID_PARAM;
    memset(dims, 0, sizeof *dims);
    snprintf(dims->name, sizeof dims->name, "%s", io->name);
    dims->dimCount = io->rank;
    memcpy(dims->dims, io->dims, sizeof(int64_t) * io->rank);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDims(const aclmdlDesc *modelDesc, size_t index,
                                                aclmdlIODims *dims)
{
    return dims_of(modelDesc, index, 0, dims, "aclmdlGetInputDims");
}

ACL_FUNC_VISIBILITY aclError aclmdlGetOutputDims(const aclmdlDesc *modelDesc, size_t index,
                                                 aclmdlIODims *dims)
{
    return dims_of(modelDesc, index, 1, dims, "aclmdlGetOutputDims");
}

ACL_FUNC_VISIBILITY aclError aclmdlGetCurOutputDims(const aclmdlDesc *modelDesc, size_t index,
                                                    aclmdlIODims *dims)
{
    /* static shapes: the current output dims are the compiled ones */
    return dims_of(modelDesc, index, 1, dims, "aclmdlGetCurOutputDims");
}

ACL_FUNC_VISIBILITY const char *aclmdlGetInputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 0, "aclmdlGetInputNameByIndex");
    return io ? io->name : "";
}

ACL_FUNC_VISIBILITY const char *aclmdlGetOutputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 1, "aclmdlGetOutputNameByIndex");
    return io ? io->name : "";
}

ACL_FUNC_VISIBILITY aclFormat aclmdlGetInputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 0, "aclmdlGetInputFormat");
    return io ? io->format : ACL_FORMAT_UNDEFINED;
}

ACL_FUNC_VISIBILITY aclFormat aclmdlGetOutputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 1, "aclmdlGetOutputFormat");
    return io ? io->format : ACL_FORMAT_UNDEFINED;
}

ACL_FUNC_VISIBILITY aclDataType aclmdlGetInputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 0, "aclmdlGetInputDataType");
    return io ? io->dtype : ACL_DT_UNDEFINED;
}

ACL_FUNC_VISIBILITY aclDataType aclmdlGetOutputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    const om_acl_io *io = io_at(modelDesc, index, 1, "aclmdlGetOutputDataType");
    return io ? io->dtype : ACL_DT_UNDEFINED;
}

static aclError index_by_name(const aclmdlDesc *d, const char *name, size_t *index, int output,
                              const char *fn)
{
    if (!d || !name || !index)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL %s", fn,
                           !d ? "modelDesc" : !name ? "name" : "index");
    size_t n = output ? d->n_out : d->n_in;
    const om_acl_io *io = output ? d->out : d->in;
    for (size_t i = 0; i < n; i++)
        if (strcmp(io[i].name, name) == 0) {
            *index = i;
            return ACL_SUCCESS;
        }
    return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: the model has no %s named '%s'", fn,
                       output ? "output" : "input", name);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputIndexByName(const aclmdlDesc *modelDesc,
                                                       const char *name, size_t *index)
{
    return index_by_name(modelDesc, name, index, 0, "aclmdlGetInputIndexByName");
}

ACL_FUNC_VISIBILITY aclError aclmdlGetOutputIndexByName(const aclmdlDesc *modelDesc,
                                                        const char *name, size_t *index)
{
    return index_by_name(modelDesc, name, index, 1, "aclmdlGetOutputIndexByName");
}
