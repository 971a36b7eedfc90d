/* Internal declarations shared by the runtime's files (not installed).
 *
 * OMRT_EXPORT marks the public omrt_* definitions: the runtime is compiled with
 * -fvisibility=hidden and libomrt.so exports exactly these (plus a version script).
 * om_rt_error records the calling thread's message and returns the status, so a failing
 * path reads `return om_rt_error(OMRT_ERR_..., "what %s", name);`.
 */
#ifndef OM_RUNTIME_RT_INTERNAL_H
#define OM_RUNTIME_RT_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/artifact/artifact.h"
#include "runtime/include/omrt.h"

#include <time.h>

#define OMRT_EXPORT __attribute__((visibility("default")))

omrt_status om_rt_error(omrt_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 64-byte aligned allocation of at least `size` bytes (size 0 gives a valid 64-byte block);
 * free with free(). NULL when out of memory or size overflows. */
void *om_rt_aligned_alloc(size_t size);
/* Zero-filled, 64-byte aligned memory for context arenas; release with om_rt_zfree(p, size)
 * (same size). Blocks of OM_RT_ZALLOC_MMAP_MIN bytes or more come straight from mmap, whose
 * pages the kernel zeroes on first touch: creating a context then costs neither time nor
 * resident memory for arena bytes a run never touches, and a damaged artifact claiming a
 * huge arena costs nothing unless it runs (or is refused at once when the system cannot
 * promise that much). NULL when out of memory. */
#define OM_RT_ZALLOC_MMAP_MIN ((size_t)1 << 20)
void *om_rt_zalloc(size_t size);
void om_rt_zfree(void *p, size_t size);
/* Memory for a user's host or device block (omrt_malloc_host/_device, aclrtMalloc*): 64-byte
 * aligned, not zero-filled below OM_RT_ZALLOC_MMAP_MIN (om_rt_aligned_alloc), from that size
 * on om_rt_zalloc's mapping (2 MiB-aligned transparent huge pages from 4 MiB: a model's
 * input and output buffers are read and written by its kernels like arena values, and a
 * 1024^3 GEMM reading its input from 4 KiB pages runs about 5% slower). Release with
 * om_rt_block_free(p, size), same size. */
void *om_rt_block_alloc(size_t size);
void om_rt_block_free(void *p, size_t size);

typedef struct om_rt_elf_image om_rt_elf_image;
/* Returns 0 or an om_art_check_code (format >= 1.1; 1.0 kernels return void: ignore). */
typedef int32_t (*om_rt_kernel_fn)(void *const *args, int64_t first, int64_t last);

struct omrt_model {
    uint8_t *file;                 /* the artifact bytes, 64-aligned (weights point here) */
    size_t file_size;
    om_art_model art;              /* parsed; strings live in art.owned_ */
    om_rt_elf_image *code;         /* linked kernels */
    om_rt_kernel_fn *kernels;      /* [art.n_kernels] */
    omrt_tensor_info *inputs, *outputs;
    /* execution contexts for omrt_model_execute[_async] (model_exec.c) */
    pthread_mutex_t pool_lock;
    omrt_context **pool;           /* idle contexts */
    size_t n_pool, cap_pool;
    void *work_ext;                /* caller's arena (load_with_mem), given to one context */
    int work_ext_taken;
    size_t pending;                /* executions enqueued or running (atomic) */
};

/* An input/output argument slot rewritten at every execute. */
typedef struct om_rt_patch {
    uint32_t slot;                 /* index into omrt_context.args */
    uint32_t kind;                 /* OM_ART_TENSOR_INPUT or OM_ART_TENSOR_OUTPUT */
    uint32_t index;                /* model input/output number */
} om_rt_patch;

typedef struct om_rt_pool om_rt_pool;

struct omrt_context {
    omrt_model *model;
    uint8_t *arena;                /* art.arena_size bytes, 64-aligned, owned */
    void **args;                   /* every step's args, concatenated */
    size_t *arg_start;             /* [n_steps]: step s uses args + arg_start[s] */
    om_rt_patch *patches;
    size_t n_patches;
    om_rt_pool *pool;
    _Atomic int busy;              /* an execute is running (misuse detection) */
    uint64_t *step_ns;             /* [n_steps] time per step when OMRT_PROFILE is set */
    uint64_t profiled_runs;
    int arena_external;            /* arena is the caller's (not freed) */
};

/* Profiling (profile.c): OMRT_PROFILE=1 at context creation times every step; the
 * report goes to stderr when the context is destroyed. */
void om_rt_profile_init(omrt_context *c);
void om_rt_profile_report(const omrt_context *c);

/* A context whose arena is `arena` (caller-owned, 64-aligned, >= work size) or, if NULL,
 * allocated. */
omrt_status om_rt_context_create(omrt_model *m, int threads, void *arena, omrt_context **out);

/* ---- execution model (runtime.c, device.c, devmem.c, stream.c, event.c, callback.c) ---- */

#define OM_RT_MAX_DEVICES 64

/* A growable set of pointers (registries of live handles). */
typedef struct om_rt_ptrset {
    void **v;
    size_t n, cap;
} om_rt_ptrset;
int om_rt_ptrset_add(om_rt_ptrset *s, void *p);       /* 0, or -1 out of memory */
void om_rt_ptrset_remove(om_rt_ptrset *s, void *p);
int om_rt_ptrset_has(const om_rt_ptrset *s, const void *p);

typedef struct om_rt_report om_rt_report;

/* An operand of a failed task, kept for aclmdlCreateAndGetOpDesc. dtype is ONNX's. */
#define OM_RT_MAX_OPERANDS 16
typedef struct om_rt_operand {
    int32_t dtype;
    int32_t rank;
    int64_t dims[OMRT_MAX_RANK];
    void *address;
} om_rt_operand;
typedef struct om_rt_operands {
    om_rt_operand in[OM_RT_MAX_OPERANDS], out[OM_RT_MAX_OPERANDS];
    size_t n_in, n_out;
} om_rt_operands;
/* The failed task's operands (copied). INVALID_HANDLE if no task has failed. */
omrt_status om_rt_last_exception_operands(om_rt_operands *ops);

/* Global state; `lock` guards every field. */
typedef struct om_rt_global {
    pthread_mutex_t lock;
    int initialized;
    int n_devices;
    int intra_op_threads;
    omrt_devctx *default_ctx[OM_RT_MAX_DEVICES];
    int default_refs[OM_RT_MAX_DEVICES];
    om_rt_ptrset contexts, streams, events, reports;
    uint32_t next_stream_id;
    uint64_t next_ctx_serial;
    omrt_exception_fn exception_fn;
    omrt_exception last_exc;       /* message points at last_exc_msg */
    int has_last_exc;
    char last_exc_msg[512], last_exc_op[128];
    om_rt_operands last_exc_operands;
} om_rt_global;

extern om_rt_global om_rt_g;

/* Fails with NOT_INITIALIZED (and a message naming `fn`) unless initialized. Takes no lock
 * on return. */
omrt_status om_rt_check_init(const char *fn);
/* Parses the JSON config (runtime_config.c). */
omrt_status om_rt_config_read(const char *path, int *devices, int *intra_op_threads);

struct omrt_devctx {
    uint64_t serial;               /* unique per context ever created (stale-pointer check) */
    int32_t device;
    int is_default;
    omrt_stream *default_stream;   /* created lazily under om_rt_g.lock */
};
/* The calling thread's current context if it is still live (caller holds om_rt_g.lock). */
omrt_devctx *om_rt_current_locked(void);
/* Resolves a NULL stream to the current context's default stream and checks the handle is
 * live; `fn` names the caller in messages. */
omrt_status om_rt_stream_resolve(omrt_stream *s, const char *fn, omrt_stream **out);

/* An asynchronous task. Concrete tasks embed it first and are freed with free() after run
 * (run may not free it). */
typedef struct om_rt_task om_rt_task;
struct om_rt_task {
    om_rt_task *next;
    omrt_status (*run)(om_rt_task *t);
    void (*drop)(om_rt_task *t);       /* optional, after run (or when never run) */
    void (*describe)(om_rt_task *t, om_rt_operands *ops);   /* optional, on failure */
    uint32_t id;
    char op[64];
};

struct omrt_stream {
    omrt_devctx *ctx;
    uint32_t id;
    pthread_mutex_t lock;
    pthread_cond_t work, idle;         /* CLOCK_MONOTONIC */
    om_rt_task *head, *tail;
    uint64_t issued, done;
    int stop;
    omrt_status failed;                /* sticky until a synchronize reports it */
    char fail_msg[384];                /* the failed task's message */
    om_rt_report *report;              /* subscriber, or NULL (guarded by lock) */
    uint64_t report_thread;
    pthread_t thread;
};

/* Enqueues t on s (takes ownership: freed even on failure). */
omrt_status om_rt_stream_push(omrt_stream *s, om_rt_task *t);
omrt_status om_rt_stream_create_in(omrt_devctx *c, omrt_stream **out);
void om_rt_stream_free(omrt_stream *s);  /* stops, joins, frees; not in the registry */
void om_rt_event_free(omrt_event *e);
void om_rt_report_free(om_rt_report *r);
/* Runs a callback task on the stream's worker (callback.c). */
omrt_status om_rt_callback_run(omrt_stream *s, omrt_callback fn, void *user, int blocking);

/* Tracked memory (devmem.c). */
typedef struct om_rt_block {
    uintptr_t base;
    size_t size;
    int32_t device;                    /* -1 for host blocks */
} om_rt_block;
/* Looks p up among device (device != 0) or host blocks: 1 and *b if inside one. */
int om_rt_block_find(int device, const void *p, om_rt_block *b);
void om_rt_mem_release_all(void);
/* Validates a copy and resolves OMRT_COPY_DEFAULT (copy.c). */
omrt_status om_rt_copy_check(void *dst, size_t dst_max, const void *src, size_t count,
                             omrt_copy_kind *kind, const char *fn);
omrt_status om_rt_exec_check(const omrt_model *m, const void *const *inputs,
                             void *const *outputs, const char *fn);
uint64_t om_rt_now_ns(void);
void om_rt_timeout_abs(int32_t timeout_ms, struct timespec *ts);

#endif
