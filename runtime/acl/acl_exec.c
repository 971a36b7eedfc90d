/* AscendCL datasets, execution, the failed-op query and the dynamic-shape calls.
 * A dataset holds borrowed data buffers (destroyed by the caller) and owned copies of the
 * tensor descriptors set on it. Execution checks the buffer counts and sizes against the
 * model, then runs through the native pooled execution (device memory only); after an
 * execution is issued the output dataset's descriptors describe the outputs. The failed-op
 * query returns the failed task's operands as descriptor arrays. Models compiled
 * by omc have static shapes: no batch/HW gears; setting a dynamic size is
 * ACL_ERROR_MODEL_NOT_DYNAMIC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/acl/acl_internal.h"

ACL_FUNC_VISIBILITY aclmdlDataset *aclmdlCreateDataset(void)
{
    aclmdlDataset *d = calloc(1, sizeof *d);
    if (!d)
        om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclmdlCreateDataset: out of memory");
    return d;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyDataset(const aclmdlDataset *dataset)
{
    if (!dataset)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlDestroyDataset: NULL dataset");
    for (size_t i = 0; i < dataset->n; i++)
        free(dataset->descs[i]);
    free(dataset->bufs);
    free(dataset->descs);
    free((void *)dataset);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlAddDatasetBuffer(aclmdlDataset *dataset, aclDataBuffer *dataBuffer)
{
    if (!dataset || !dataBuffer)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlAddDatasetBuffer: NULL %s",
                           dataset ? "dataBuffer" : "dataset");
    if (dataset->n == dataset->cap) {
        size_t cap = dataset->cap ? dataset->cap * 2 : 4;
        aclDataBuffer **b = realloc(dataset->bufs, cap * sizeof *b);
        if (b)
            dataset->bufs = b;
        aclTensorDesc **d = b ? realloc(dataset->descs, cap * sizeof *d) : NULL;
        if (d)
            dataset->descs = d;
        if (!b || !d)
            return om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclmdlAddDatasetBuffer: out of memory");
        dataset->cap = cap;
    }
    dataset->bufs[dataset->n] = dataBuffer;
    dataset->descs[dataset->n] = NULL;
    dataset->n++;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetDatasetNumBuffers(const aclmdlDataset *dataset)
{
    if (!dataset)
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDatasetNumBuffers: NULL dataset");
    return dataset ? dataset->n : 0;
}

ACL_FUNC_VISIBILITY aclDataBuffer *aclmdlGetDatasetBuffer(const aclmdlDataset *dataset, size_t index)
{
    if (!dataset || index >= dataset->n) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDatasetBuffer: %s", dataset ?
                    "index out of range" : "NULL dataset");
        return NULL;
    }
    return dataset->bufs[index];
}

static aclError set_desc(aclmdlDataset *d, const aclTensorDesc *src, size_t index)
{
    aclTensorDesc *copy = malloc(sizeof *copy);
    if (!copy)
        return om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclmdlSetDatasetTensorDesc: out of memory");
    *copy = *src;
    copy->array_n = 1;
    free(d->descs[index]);
    d->descs[index] = copy;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDatasetTensorDesc(aclmdlDataset *dataset,
                                                        aclTensorDesc *tensorDesc, size_t index)
{
    if (!dataset || !tensorDesc)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlSetDatasetTensorDesc: NULL %s",
                           dataset ? "tensorDesc" : "dataset");
    if (index >= dataset->n)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlSetDatasetTensorDesc: index %zu out "
                           "of range (%zu buffers)", index, dataset->n);
    return set_desc(dataset, tensorDesc, index);
}

ACL_FUNC_VISIBILITY aclTensorDesc *aclmdlGetDatasetTensorDesc(const aclmdlDataset *dataset,
                                                             size_t index)
{
    if (!dataset || index >= dataset->n) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDatasetTensorDesc: %s", dataset ?
                    "index out of range" : "NULL dataset");
        return NULL;
    }
    return dataset->descs[index];
}

/* Checks the datasets against the model and fills the pointer arrays (ptrs has room for
 * inputs then outputs). */
static aclError prepare(omrt_model *m, const aclmdlDataset *in, aclmdlDataset *out,
                        void **ptrs, const char *fn)
{
    size_t ni = omrt_model_num_inputs(m), no = omrt_model_num_outputs(m);
    if (!in || !out)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL %s dataset", fn,
                           in ? "output" : "input");
    if (in->n != ni)
        return om_acl_fail(ACL_ERROR_MODEL_INPUT_NOT_MATCH, "%s: the input dataset has %zu "
                           "buffers, the model %zu inputs", fn, in->n, ni);
    if (out->n != no)
        return om_acl_fail(ACL_ERROR_MODEL_OUTPUT_NOT_MATCH, "%s: the output dataset has %zu "
                           "buffers, the model %zu outputs", fn, out->n, no);
    for (size_t i = 0; i < ni + no; i++) {
        int is_in = i < ni;
        size_t k = is_in ? i : i - ni;
        const aclDataBuffer *b = is_in ? in->bufs[k] : out->bufs[k];
        const omrt_tensor_info *t = is_in ? omrt_model_input(m, k) : omrt_model_output(m, k);
        if (b->size < t->nbytes)
            return om_acl_fail(is_in ? ACL_ERROR_MODEL_INPUT_NOT_MATCH
                                     : ACL_ERROR_MODEL_OUTPUT_NOT_MATCH,
                               "%s: %s %zu ('%s') needs %zu bytes, its data buffer has %zu", fn,
                               is_in ? "input" : "output", k, t->name, t->nbytes, b->size);
        ptrs[i] = b->data;
    }
    for (size_t k = 0; k < no; k++) {
        om_acl_io io;
        om_acl_io_fill(&io, omrt_model_output(m, k));
        aclTensorDesc *d = om_acl_desc_from_io(&io, out->bufs[k]->data);
        if (!d)
            return ACL_ERROR_BAD_ALLOC;
        aclError e = set_desc(out, d, k);
        aclDestroyTensorDesc(d);
        if (e != ACL_SUCCESS)
            return e;
    }
    return ACL_SUCCESS;
}

static aclError execute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                        omrt_stream *stream, int async, const char *fn)
{
    omrt_status st = om_rt_check_init(fn);
    if (st != OMRT_OK)
        return om_acl_status(st);
    omrt_model *m = om_acl_model(modelId, fn);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    size_t ni = omrt_model_num_inputs(m), no = omrt_model_num_outputs(m);
    void *stack[16], **ptrs = ni + no <= 16 ? stack : calloc(ni + no, sizeof(void *));
    if (!ptrs)
        return om_acl_fail(ACL_ERROR_BAD_ALLOC, "%s: out of memory", fn);
    aclError e = prepare(m, input, output, ptrs, fn);
    if (e == ACL_SUCCESS) {
        const void *const *in = (const void *const *)ptrs;
        void *const *out = ptrs + ni;
        st = async ? omrt_model_execute_async(m, in, out, stream) : omrt_model_execute(m, in, out);
        e = om_acl_status(st);
    }
    if (ptrs != stack)
        free(ptrs);
    return e;
}

ACL_FUNC_VISIBILITY aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input,
                                           aclmdlDataset *output)
{
    return execute(modelId, input, output, NULL, 0, "aclmdlExecute");
}

ACL_FUNC_VISIBILITY aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input,
                                                aclmdlDataset *output, aclrtStream stream)
{
    return execute(modelId, input, output, (omrt_stream *)stream, 1, "aclmdlExecuteAsync");
}

/* An array of n descriptors (freed as one by aclDestroyTensorDesc on element 0). */
static aclTensorDesc *descs_of(const om_rt_operand *o, size_t n)
{
    aclTensorDesc *d = calloc(n, sizeof *d);
    for (size_t i = 0; d && i < n; i++) {
        d[i].dtype = om_acl_dtype(o[i].dtype);
        d[i].format = om_acl_format(o[i].rank);
        d[i].ndims = (size_t)o[i].rank;
        memcpy(d[i].dims, o[i].dims, sizeof(int64_t) * d[i].ndims);
        d[i].address = o[i].address;
        d[i].array_n = i == 0 ? n : 1;
    }
    return d;
}

ACL_FUNC_VISIBILITY aclError aclmdlCreateAndGetOpDesc(uint32_t deviceId, uint32_t streamId,
                                                      uint32_t taskId, char *opName,
                                                      size_t opNameLen, aclTensorDesc **inputDesc,
                                                      size_t *numInputs,
                                                      aclTensorDesc **outputDesc,
                                                      size_t *numOutputs)
{
    const char *fn = "aclmdlCreateAndGetOpDesc";
    if (!opName || !opNameLen || !inputDesc || !numInputs || !outputDesc || !numOutputs)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL or empty output argument", fn);
    omrt_exception e;
    char op[128];
    omrt_status st = omrt_last_exception(&e, op, sizeof op);
    if (st != OMRT_OK)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: no task has failed", fn);
    if (e.device_id != deviceId || e.stream_id != streamId || e.task_id != taskId)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: device %u stream %u task %u is not the "
                           "failed task (device %u stream %u task %u)", fn, deviceId, streamId,
                           taskId, e.device_id, e.stream_id, e.task_id);
    om_rt_operands ops;
    if (om_rt_last_exception_operands(&ops) != OMRT_OK)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: no task has failed", fn);
    aclTensorDesc *in = NULL, *out = NULL;
    if ((ops.n_in && !(in = descs_of(ops.in, ops.n_in))) ||
        (ops.n_out && !(out = descs_of(ops.out, ops.n_out)))) {
        free(in);
        return om_acl_fail(ACL_ERROR_BAD_ALLOC, "%s: out of memory", fn);
    }
    snprintf(opName, opNameLen, "%s", op);
    *inputDesc = in;
    *outputDesc = out;
    *numInputs = ops.n_in;
    *numOutputs = ops.n_out;
    return ACL_SUCCESS;
}

static aclError check_desc(const aclmdlDesc *d, const char *fn)
{
    if (!d)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL modelDesc", fn);
    if (!d->filled)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: the description is empty (call "
                           "aclmdlGetDesc)", fn);
    return ACL_SUCCESS;
}

/* index may be (size_t)-1 ("the model") or an input index. */
static aclError check_index(const aclmdlDesc *d, size_t index, const char *fn)
{
    aclError e = check_desc(d, fn);
    if (e == ACL_SUCCESS && index != (size_t)-1 && index >= d->n_in)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: input index %zu out of range (%zu inputs)",
                        fn, index, d->n_in);
    return e;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicBatch(const aclmdlDesc *modelDesc, aclmdlBatch *batch)
{
    aclError e = check_desc(modelDesc, "aclmdlGetDynamicBatch");
    if (e == ACL_SUCCESS && !batch)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDynamicBatch: NULL batch");
    if (e == ACL_SUCCESS)
        batch->batchCount = 0;
    return e;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicHW(const aclmdlDesc *modelDesc, size_t index,
                                                aclmdlHW *hw)
{
    aclError e = check_index(modelDesc, index, "aclmdlGetDynamicHW");
    if (e == ACL_SUCCESS && !hw)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetDynamicHW: NULL hw");
    if (e == ACL_SUCCESS)
        hw->hwCount = 0;
    return e;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDynamicGearCount(const aclmdlDesc *modelDesc,
                                                            size_t index, size_t *gearCount)
{
    aclError e = check_index(modelDesc, index, "aclmdlGetInputDynamicGearCount");
    if (e == ACL_SUCCESS && !gearCount)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetInputDynamicGearCount: NULL gearCount");
    if (e == ACL_SUCCESS)
        *gearCount = 0;
    return e;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDynamicDims(const aclmdlDesc *modelDesc, size_t index,
                                                       aclmdlIODims *dims, size_t gearCount)
{
    aclError e = check_index(modelDesc, index, "aclmdlGetInputDynamicDims");
    if (e == ACL_SUCCESS && !dims && gearCount)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetInputDynamicDims: NULL dims");
    if (e == ACL_SUCCESS && gearCount != 0)
        e = om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlGetInputDynamicDims: gearCount %zu but "
                        "the model is static (0 gears)", gearCount);
    return e;
}

static aclError not_dynamic(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                            const char *fn)
{
    omrt_model *m = om_acl_model(modelId, fn);
    if (!m)
        return ACL_ERROR_INVALID_MODEL_ID;
    if (!dataset)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: NULL dataset", fn);
    if (index >= dataset->n)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "%s: index %zu out of range (%zu buffers)",
                           fn, index, dataset->n);
    return om_acl_fail(ACL_ERROR_MODEL_NOT_DYNAMIC, "%s: model %u has static shapes (no input "
                       "named " ACL_DYNAMIC_TENSOR_NAME ")", fn, modelId);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset,
                                                       size_t index, uint64_t batchSize)
{
    if (batchSize == 0)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlSetDynamicBatchSize: batchSize 0");
    return not_dynamic(modelId, dataset, index, "aclmdlSetDynamicBatchSize");
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicHWSize(uint32_t modelId, aclmdlDataset *dataset,
                                                    size_t index, uint64_t height, uint64_t width)
{
    if (!height || !width)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlSetDynamicHWSize: zero height or width");
    return not_dynamic(modelId, dataset, index, "aclmdlSetDynamicHWSize");
}

ACL_FUNC_VISIBILITY aclError aclmdlSetInputDynamicDims(uint32_t modelId, aclmdlDataset *dataset,
                                                       size_t index, const aclmdlIODims *dims)
{
    if (!dims)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclmdlSetInputDynamicDims: NULL dims");
    return not_dynamic(modelId, dataset, index, "aclmdlSetInputDynamicDims");
}
