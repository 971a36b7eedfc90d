/* Test utility for codegen unit tests: compiles a graph with om_cg_compile, loads the object
 * code with LLVM ORC (LLJIT), gives every value a buffer (constants are copied in) and runs
 * the steps in order.
 *
 *     cg_jit *j;
 *     assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
 *     memcpy(cg_jit_buf(j, x), data, bytes);
 *     cg_jit_run_checked(j);        // whole range, then 3 chunks: results must agree
 *     ... read cg_jit_buf(j, y) ...
 *     cg_jit_destroy(j);
 *
 * The graph must outlive the jit. Shapes and dtypes are set by hand by the test (no passes).
 */
#ifndef OM_TESTS_CG_JIT_H
#define OM_TESTS_CG_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "codegen/codegen.h"

typedef struct cg_jit cg_jit;

/* t may be NULL (host). Compiles with split_small_steps (every step splits its work loop).
 * On failure *out is NULL and om_last_error() says why. Code that
 * requires amx-tile first gets the process's AMX permission (arch_prctl), as the runtime. */
om_status cg_jit_create(const om_graph *g, const om_cg_target_opts *t, cg_jit **out);
void cg_jit_destroy(cg_jit *j);
/* Whether the host CPU has `feature` (LLVM spelling, e.g. "amx-tile"), as codegen sees it. */
bool cg_jit_host_has(const char *feature);
const om_cg_result *cg_jit_result(const cg_jit *j);
/* The buffer of value v (numel * dtype size bytes, 64-byte aligned, at least 64 bytes). */
void *cg_jit_buf(cg_jit *j, const om_value *v);
/* Runs every step; chunks = 1 calls each kernel with [0, work_items), chunks = 3 with three
 * consecutive sub-ranges (some may be empty). */
om_status cg_jit_run(cg_jit *j, int chunks);
/* Runs with 1 chunk, saves the outputs, fills every non-input, non-constant buffer with a
 * garbage pattern, runs with 3 chunks and fails the test (cmocka) if any output differs. */
void cg_jit_run_checked(cg_jit *j);

/* Graph building: a value with a static shape; cg_input also marks it a graph input. */
om_value *cg_value(om_graph *g, const char *name, om_dtype dt, int rank, const int64_t *dims);
om_value *cg_input(om_graph *g, const char *name, om_dtype dt, int rank, const int64_t *dims);

/* No-libcall checks: the kernels of a compiled graph may call nothing but
 * memcpy/memmove/memset. cg_no_libcall_targets are the three targets every check uses: the
 * host, a baseline x86-64 CPU (no SSE4.1/F16C/AVX512-BF16) and aarch64. */
extern const om_cg_target_opts cg_no_libcall_targets[3];
/* Undefined symbols other than memcpy/memmove/memset in an ELF64 relocatable object (each
 * printed), or -1 if it is not one (bad magic/class/type, sections out of range, not exactly
 * one symbol table). *machine (may be NULL) gets e_machine. */
int cg_elf_bad_undefined(const void *obj, size_t size, int *machine);
/* Compiles g for t (NULL: host) and fails the test (cmocka, naming `what` and the triple)
 * unless it compiles and its object has no undefined symbol besides the three above.
 * Returns the object's e_machine (EM_X86_64, EM_AARCH64, ...). */
int cg_jit_assert_no_libcalls(const om_graph *g, const om_cg_target_opts *t, const char *what);

/* Numeric helpers for references. */
float cg_f16_to_f32(uint16_t h);
uint16_t cg_f32_to_f16(float f);
float cg_bf16_to_f32(uint16_t h);
uint16_t cg_f32_to_bf16(float f);
/* Element i of a buffer of dtype dt as double / stores v converted (ints: wrap via int64). */
double cg_get(om_dtype dt, const void *buf, int64_t i);
void cg_set(om_dtype dt, void *buf, int64_t i, double v);
/* Deterministic pseudo-random numbers (xorshift). */
uint64_t cg_rand(void);
double cg_uniform(double lo, double hi);
/* Fills a buffer of dt with random values in [lo, hi] (ints: rounded). */
void cg_fill_random(om_dtype dt, void *buf, int64_t n, double lo, double hi);

#endif
