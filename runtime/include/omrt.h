/* omrt: the omc runtime. Loads .om artifacts and runs them. Links libc and pthreads only.
 *
 * Ownership, in one place:
 * - omrt_model_load_* returns a model the caller releases with omrt_model_destroy. A model is
 *   immutable after loading and may be shared by many contexts and threads.
 * - omrt_context_create returns an execution context (arena, thread pool) the caller
 *   releases with omrt_context_destroy before destroying its model. A context runs one
 *   execution at a time; use one context per concurrent caller.
 * - Input and output buffers passed to omrt_execute are the caller's; the runtime reads
 *   inputs and writes outputs during the call and keeps no reference afterwards.
 * - Strings and info structs returned by getters are borrowed from the model and live
 *   as long as it does.
 * - On failure, *out parameters are set to NULL and nothing needs releasing.
 *
 * Errors: every fallible call returns an omrt_status; omrt_last_error() returns a one-line
 * message for the calling thread naming what went wrong (file, section, tensor, feature).
 */
#ifndef OMRT_H
#define OMRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum omrt_status {
    OMRT_OK = 0,
    OMRT_ERR_INVALID_ARGUMENT = 1,  /* NULL handle, index out of range, wrong buffer size */
    OMRT_ERR_INVALID_ARTIFACT = 2,  /* bad magic, truncated, checksum, inconsistent tables */
    OMRT_ERR_UNSUPPORTED = 3,       /* unknown major version, CPU lacks required features */
    OMRT_ERR_NO_MEMORY = 4,
    OMRT_ERR_IO = 5,
    OMRT_ERR_INTERNAL = 6,
} omrt_status;

const char *omrt_last_error(void);
const char *omrt_status_name(omrt_status s);

#define OMRT_MAX_RANK 8

/* dtype values are ONNX TensorProto numbers (1 float, 7 int64, 9 bool, 10 float16 ...). */
typedef struct omrt_tensor_info {
    const char *name;
    int32_t dtype;
    int32_t rank;
    int64_t dims[OMRT_MAX_RANK];
    size_t nbytes;
} omrt_tensor_info;

typedef struct omrt_model omrt_model;
typedef struct omrt_context omrt_context;

/* Loads and validates an artifact: format, checksums, every table, the CPU features it
 * needs, and links its code into executable memory. */
omrt_status omrt_model_load_file(const char *path, omrt_model **out);
/* Same from memory; the bytes are copied, so buf may be freed after the call. */
omrt_status omrt_model_load_memory(const void *buf, size_t size, omrt_model **out);
void omrt_model_destroy(omrt_model *m);  /* accepts NULL */

size_t omrt_model_num_inputs(const omrt_model *m);
size_t omrt_model_num_outputs(const omrt_model *m);
/* Borrowed; NULL if index is out of range. */
const omrt_tensor_info *omrt_model_input(const omrt_model *m, size_t index);
const omrt_tensor_info *omrt_model_output(const omrt_model *m, size_t index);
/* Index of the input/output called name, or -1. */
int64_t omrt_model_input_index(const omrt_model *m, const char *name);
int64_t omrt_model_output_index(const omrt_model *m, const char *name);
/* Bytes of intermediate memory (the arena) one context needs, and of weights. */
size_t omrt_model_work_size(const omrt_model *m);
size_t omrt_model_weight_size(const omrt_model *m);

typedef struct omrt_context_opts {
    int threads;   /* intra-op threads including the caller; <= 0 means 1 */
} omrt_context_opts;

omrt_status omrt_context_create(omrt_model *m, const omrt_context_opts *opts, omrt_context **out);
void omrt_context_destroy(omrt_context *c);  /* accepts NULL */

/* Runs the model synchronously. inputs[i] points to omrt_model_input(m, i)->nbytes bytes,
 * outputs[i] to omrt_model_output(m, i)->nbytes writable bytes. Inputs may alias nothing
 * that is an output. Does not allocate. */
omrt_status omrt_execute(omrt_context *c, const void *const *inputs, void *const *outputs);

#ifdef __cplusplus
}
#endif
#endif
