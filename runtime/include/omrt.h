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
 * Execution-model API (below omrt_execute; needs omrt_init):
 * - omrt_init/omrt_finalize bracket everything; finalize destroys whatever is left (streams,
 *   events, device contexts, allocations) after waiting for queued work.
 * - A device context (omrt_devctx) is created by omrt_devctx_create (caller destroys) or is a
 *   device's default context (omrt_device_set; released by omrt_device_reset). The current
 *   context is per thread and borrowed.
 * - omrt_stream / omrt_event: created by the caller, destroyed by the caller (destroying a
 *   stream waits for its queued tasks). A stream belongs to one device context; destroying a
 *   context destroys its remaining streams.
 * - Device memory (omrt_malloc_device) and host memory (omrt_malloc_host) come from separate
 *   allocators, are tracked, and are released with the matching free. Pointers passed to
 *   async calls must stay valid until the stream has run the task.
 * - Buffers given to async executions/copies are borrowed until the task has run; the
 *   pointer arrays themselves are copied at enqueue time.
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
    OMRT_ERR_NOT_INITIALIZED = 7,   /* execution-model call before omrt_init */
    OMRT_ERR_ALREADY = 8,           /* repeated init, repeated subscription */
    OMRT_ERR_TIMEOUT = 9,
    OMRT_ERR_INVALID_DEVICE = 10,   /* no such device, or no current context */
    OMRT_ERR_INVALID_HANDLE = 11,   /* not a live stream/event/context/allocation */
    OMRT_ERR_NOT_SUBSCRIBED = 12,   /* stream has no report thread */
    OMRT_ERR_THREAD_NOT_SUBSCRIBED = 13, /* calling thread serves no stream */
    OMRT_ERR_TASK_FAILED = 14,      /* an asynchronous task on the stream failed */
    OMRT_ERR_EXECUTION = 15,        /* a run-time check failed: input values disagree with
                                       the compiled shapes (the message names the node) */
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

/* ---- Execution model: init, devices, contexts, memory, streams, events, callbacks ---- */

/* config_path: NULL, "" or a JSON file holding one object. Recognized keys (others are
 * ignored): "devices" (number of CPU devices, 1..64, default 1), "intra_op_threads" (threads
 * per model execution, default 1). A second init without finalize is OMRT_ERR_ALREADY. */
omrt_status omrt_init(const char *config_path);
omrt_status omrt_finalize(void);      /* OMRT_ERR_NOT_INITIALIZED if not initialized */
int omrt_device_count(void);          /* 0 before omrt_init */

typedef struct omrt_devctx omrt_devctx;
typedef struct omrt_stream omrt_stream;
typedef struct omrt_event omrt_event;

/* Makes `device`'s default context current for the calling thread (created on first use,
 * reference counted per call). omrt_device_reset drops one reference; the last one
 * synchronizes and destroys the default context with its streams. */
omrt_status omrt_device_set(int32_t device);
omrt_status omrt_device_reset(int32_t device);
omrt_status omrt_devctx_create(int32_t device, omrt_devctx **out);
omrt_status omrt_devctx_destroy(omrt_devctx *c);   /* also clears it where current */
omrt_status omrt_devctx_set_current(omrt_devctx *c);      /* NULL clears */
omrt_status omrt_devctx_get_current(omrt_devctx **out);   /* INVALID_DEVICE if none */
int32_t omrt_devctx_device(const omrt_devctx *c);         /* -1 for NULL */
/* Waits for every stream of the current context's device. */
omrt_status omrt_device_synchronize(void);

/* Memory. Device memory belongs to the current context's device; devices never share
 * memory. All blocks are 64-byte aligned. */
omrt_status omrt_malloc_device(size_t size, void **out);
omrt_status omrt_free_device(void *p);     /* p must be the start of a live device block */
omrt_status omrt_malloc_host(size_t size, void **out);
omrt_status omrt_free_host(void *p);
/* Bytes from p to the end of its device block (0 if p is not in one); *device if found. */
size_t omrt_device_block_remaining(const void *p, int32_t *device);

typedef enum omrt_copy_kind {
    OMRT_COPY_HOST_TO_HOST = 0,
    OMRT_COPY_HOST_TO_DEVICE = 1,
    OMRT_COPY_DEVICE_TO_HOST = 2,
    OMRT_COPY_DEVICE_TO_DEVICE = 3,
    OMRT_COPY_DEFAULT = 4,           /* decided from the pointers */
} omrt_copy_kind;

/* Copies count bytes; dst has dst_max bytes. Errors: count > dst_max, a pointer on the
 * wrong side for `kind`, a range past the end of its tracked block, different devices. */
omrt_status omrt_memcpy(void *dst, size_t dst_max, const void *src, size_t count,
                        omrt_copy_kind kind);
omrt_status omrt_memcpy_async(void *dst, size_t dst_max, const void *src, size_t count,
                              omrt_copy_kind kind, omrt_stream *s);
/* dst is device or host memory (tracked blocks are bounds-checked). */
omrt_status omrt_memset(void *dst, size_t dst_max, int value, size_t count);
omrt_status omrt_memset_async(void *dst, size_t dst_max, int value, size_t count,
                              omrt_stream *s);

/* Streams: ordered task queues, each served by its own worker thread. A NULL stream in the
 * calls below means the current context's default stream. */
omrt_status omrt_stream_create(omrt_stream **out);        /* in the current context */
omrt_status omrt_stream_destroy(omrt_stream *s);           /* waits for queued tasks */
/* Waits until every task issued before the call has run. Returns OMRT_ERR_TASK_FAILED
 * (once) if a task failed since the last synchronize. timeout_ms < 0 waits forever. */
omrt_status omrt_stream_synchronize(omrt_stream *s);
omrt_status omrt_stream_synchronize_timeout(omrt_stream *s, int32_t timeout_ms);
uint32_t omrt_stream_id(const omrt_stream *s);             /* unique per process */
omrt_status omrt_stream_default(omrt_stream **out);        /* current context's default */

/* Events. Recording enqueues a marker; the event completes when the stream reaches it
 * (timestamped then). An event never recorded counts as complete. */
omrt_status omrt_event_create(omrt_event **out);
omrt_status omrt_event_destroy(omrt_event *e);
omrt_status omrt_event_record(omrt_event *e, omrt_stream *s);
omrt_status omrt_event_reset(omrt_event *e, omrt_stream *s);
/* Later tasks of s wait until e's most recent record (at call time) has completed. */
omrt_status omrt_stream_wait_event(omrt_stream *s, omrt_event *e);
omrt_status omrt_event_synchronize(omrt_event *e);
omrt_status omrt_event_query(omrt_event *e, int *complete);
/* Milliseconds from start's completion to end's; both must be recorded and complete. */
omrt_status omrt_event_elapsed(omrt_event *start, omrt_event *end, float *ms);

/* Callbacks run in stream order. If a thread subscribed to the stream (omrt_subscribe), the
 * callback is handed to that thread's omrt_process_report; otherwise the stream's worker
 * runs it. blocking != 0: later tasks of the stream wait until the callback returned. */
typedef void (*omrt_callback)(void *user);
omrt_status omrt_launch_callback(omrt_stream *s, omrt_callback fn, void *user, int blocking);
omrt_status omrt_subscribe(uint64_t thread_id, omrt_stream *s);
omrt_status omrt_unsubscribe(uint64_t thread_id, omrt_stream *s);
/* Runs the callbacks pending for the calling thread; waits up to timeout_ms (< 0: forever)
 * for at least one. OMRT_ERR_TIMEOUT if none came. */
omrt_status omrt_process_report(int32_t timeout_ms);
uint64_t omrt_thread_id(void);          /* the id omrt_subscribe expects for this thread */

/* Called (on the stream's worker) when an asynchronous task fails. */
typedef struct omrt_exception {
    uint32_t device_id, stream_id, task_id;
    omrt_status status;
    const char *message;     /* valid during the call */
} omrt_exception;
typedef void (*omrt_exception_fn)(const omrt_exception *info);
omrt_status omrt_set_exception_callback(omrt_exception_fn fn);   /* NULL removes */
/* The most recent failed task (any stream), for post-mortem inspection. The op name is the
 * task's kind ("memcpy", "memset", "execute:<first kernel>", ...). */
omrt_status omrt_last_exception(omrt_exception *info, char *op, size_t op_len);

/* ---- Models on the execution model ---------------------------------------------------- */

/* Work (arena) and weight bytes the model in `path` needs. */
omrt_status omrt_model_query_size(const char *path, size_t *work, size_t *weight);
/* Loads with the caller's memory: the weights are copied into weight_ptr (weight_size >= the
 * weight size) and the first execution context uses work_ptr as its arena (work_size >= the
 * work size); both 64-byte aligned, owned by the caller, and must outlive the model. Either
 * pointer may be NULL to let the runtime allocate. */
omrt_status omrt_model_load_file_with_mem(const char *path, void *work_ptr, size_t work_size,
                                          void *weight_ptr, size_t weight_size,
                                          omrt_model **out);
/* Run the model with device buffers (each input/output a device block with at least its
 * nbytes remaining). Executions take a pooled context, so one model may run concurrently
 * from many threads and streams. The async variant copies the pointer arrays. */
omrt_status omrt_model_execute(omrt_model *m, const void *const *inputs, void *const *outputs);
omrt_status omrt_model_execute_async(omrt_model *m, const void *const *inputs,
                                     void *const *outputs, omrt_stream *s);
/* Executions enqueued or running. */
size_t omrt_model_pending(const omrt_model *m);

#ifdef __cplusplus
}
#endif
#endif
