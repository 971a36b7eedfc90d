/* Internal declarations shared by the runtime's files (not installed).
 *
 * OMRT_EXPORT marks the public omrt_* definitions: the runtime is compiled with
 * -fvisibility=hidden and libomrt.so exports exactly these (plus a version script).
 * om_rt_error records the calling thread's message and returns the status, so a failing
 * path reads `return om_rt_error(OMRT_ERR_..., "what %s", name);`.
 */
#ifndef OM_RUNTIME_RT_INTERNAL_H
#define OM_RUNTIME_RT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/artifact/artifact.h"
#include "runtime/include/omrt.h"

#define OMRT_EXPORT __attribute__((visibility("default")))

omrt_status om_rt_error(omrt_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 64-byte aligned allocation of at least `size` bytes (size 0 gives a valid 64-byte block);
 * free with free(). NULL when out of memory or size overflows. */
void *om_rt_aligned_alloc(size_t size);

typedef struct om_rt_elf_image om_rt_elf_image;
typedef void (*om_rt_kernel_fn)(void *const *args, int64_t first, int64_t last);

struct omrt_model {
    uint8_t *file;                 /* the artifact bytes, 64-aligned (weights point here) */
    size_t file_size;
    om_art_model art;              /* parsed; strings live in art.owned_ */
    om_rt_elf_image *code;         /* linked kernels */
    om_rt_kernel_fn *kernels;      /* [art.n_kernels] */
    omrt_tensor_info *inputs, *outputs;
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
};

#endif
