/* Helpers shared by the tensor op group's kernels (codegen/kernels/tensor_*.c): private to
 * codegen/.
 *
 * om_cg_tensor_strided_copy is the engine of the data-movement kernels whose output is an
 * affine view of the input (Expand, Tile, Slice, DepthToSpace, SpaceToDepth): the output is
 * walked in row-major order and element (i0..im-1) reads src[base + sum(i_k * stride_k)].
 * Size-1 dims are dropped and dims contiguous in both are merged before the nest is opened
 * (codegen/cg_nest.h), so at most OM_MAX_RANK + 1 merged dims are supported.
 *
 * Index helpers implement the group's policy for data-dependent indices: a negative index
 * counts from the end (i + n); anything still outside [0, n) is CLAMPED for gathers (never
 * read out of bounds) and SKIPPED for scatters (see om_cg_tensor_index_ok).
 */
#ifndef OM_CODEGEN_KERNELS_TENSOR_COMMON_H
#define OM_CODEGEN_KERNELS_TENSOR_COMMON_H

#include "codegen/cg_internal.h"

#define OM_CG_TENSOR_MAX_DIMS (2 * OM_MAX_RANK + 4)

/* The unsigned integer dtype of an element size (1, 2, 4, 8 bytes), else OM_DT_UNDEFINED. */
om_dtype om_cg_tensor_bits_dtype(size_t size);

/* Row-major strides (elements) of a static shape. */
void om_cg_tensor_strides(const om_shape *s, int64_t *strides);

/* Copies the view described above into dst (contiguous, row-major over dims[0..m)).
 * m <= OM_CG_TENSOR_MAX_DIMS; elem_size 1/2/4/8. Opens the kernel's work loop. A zero-size
 * view emits nothing. */
om_status om_cg_tensor_strided_copy(om_cg_ctx *cx, LLVMValueRef src, LLVMValueRef dst, size_t elem_size, int m,
                                    const int64_t *dims, const int64_t *src_strides, int64_t src_base);

/* Reads a constant int32/int64 input (rank <= 1) into out[0..*count), at most max values.
 * false when the value is not a constant of that kind. */
bool om_cg_tensor_const_ints(const om_value *v, int64_t *out, int max, int *count);

/* A private constant global [count x i64] holding vals; returns its address. */
LLVMValueRef om_cg_tensor_global_i64(om_cg_ctx *cx, const int64_t *vals, int64_t count, const char *name);

/* Loads element `index` of an i32/i64 index tensor and sign-extends it to i64. */
LLVMValueRef om_cg_tensor_load_index(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index);

/* i < 0 ? i + n : i, then clamped to [0, n - 1] (n >= 1). */
LLVMValueRef om_cg_tensor_wrap_clamp(om_cg_ctx *cx, LLVMValueRef i, int64_t n);
/* i < 0 ? i + n : i (no clamp). */
LLVMValueRef om_cg_tensor_wrap(om_cg_ctx *cx, LLVMValueRef i, int64_t n);
/* i1: 0 <= i < n. */
LLVMValueRef om_cg_tensor_index_ok(om_cg_ctx *cx, LLVMValueRef i, int64_t n);

/* Fills nbytes at dst (+ byte offset) with zeros (llvm.memset). */
void om_cg_tensor_zero(om_cg_ctx *cx, LLVMValueRef dst, int64_t nbytes);

#endif
