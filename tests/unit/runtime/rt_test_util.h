/* Shared helpers for the runtime tests: reading the fixture objects, a small but complete
 * test model (two inputs, one weight, arena tensors, six steps over five kernels, two
 * outputs) with its reference results, and byte-level patching of a serialized artifact
 * that keeps every checksum valid (to reach the reader's semantic checks). */
#ifndef OM_RT_TEST_UTIL_H
#define OM_RT_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/artifact/artifact.h"
#include "runtime/include/omrt.h"

/* Whole file into a malloc'd buffer; aborts the test on failure. */
void *rt_read_file(const char *path, size_t *size);

enum { RT_T_A, RT_T_B, RT_T_W, RT_T_T, RT_T_U, RT_T_OUT0, RT_T_OUT1, RT_N_TENSORS };
enum { RT_N_STEPS = 6, RT_N_KERNELS = 5 };

typedef struct rt_test_model {
    om_art_model m;
    int64_t n;
    om_art_io inputs[2], outputs[2];
    om_art_tensor tensors[RT_N_TENSORS];
    const char *kernels[RT_N_KERNELS];
    om_art_step steps[RT_N_STEPS];
    uint32_t args[RT_N_STEPS][3];
    float *weights;
    void *code;
    size_t code_size;
} rt_test_model;

/* The test model over n floats (n >= 1), code from the fixture object:
 *   t = a + w; u = t * table[i%8]; t = ops[i%2](u); u = t*2+1; out0 = u + b; out1 = a. */
void rt_test_model_init(rt_test_model *t, int64_t n);
void rt_test_model_free(rt_test_model *t);
/* Computes the expected outputs in plain C. */
void rt_test_reference(int64_t n, const float *a, const float *b, const float *w, float *out0,
                       float *out1);
/* om_art_serialize, asserting success. */
uint8_t *rt_serialize(const om_art_model *m, size_t *size);

/* The test model over n floats and its serialized artifact (sections compressed when
 * `compress`): the cmocka fixture of the artifact-reading tests. */
typedef struct rt_test_artifact {
    rt_test_model t;
    uint8_t *file;
    size_t size;
} rt_test_artifact;
rt_test_artifact *rt_test_artifact_new(int64_t n, bool compress);
void rt_test_artifact_free(rt_test_artifact *a);

/* Runs m (the test model over 64 floats, weights w) on 2 threads on fixed inputs and asserts
 * its outputs equal rt_test_reference's bit for bit; destroys m. */
void rt_test_run_check(omrt_model *m, const float *w);

/* Payload offset and size of section `kind` in a serialized artifact (asserts it exists). */
size_t rt_section_offset(const uint8_t *file, uint32_t kind, size_t *size);
/* Recomputes every section CRC, the table CRC and the header CRC. */
void rt_fix_checksums(uint8_t *file, size_t size);
/* Writes a little-endian value of n bytes at file[off] (no checksum update). */
void rt_put(uint8_t *file, size_t off, uint64_t v, int n);
/* Offset inside the PLAN payload of tensor i's first field (kind). */
size_t rt_plan_tensor_offset(uint32_t i);
/* Offset inside the PLAN payload of step s's first field (kernel), for the model `m`. */
size_t rt_plan_step_offset(const om_art_model *m, uint32_t s);

#endif
