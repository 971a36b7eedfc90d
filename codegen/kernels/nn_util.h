/* Helpers shared by the nn-group kernels (codegen/kernels/nn_*.c): constant lookup tables
 * as private globals, libcall-free floor and round-half-to-even, and reading small constant
 * inputs at compile time. Private to codegen/kernels.
 *
 * Rounding never uses llvm.floor / llvm.roundeven / llvm.rint: on an x86-64 baseline CPU
 * (no SSE4.1) LLVM lowers those to floorf/roundevenf calls, which the runtime refuses.
 * Instead: round-half-even is (|x| + 2^23) - 2^23 with x's sign (exact in the default
 * rounding mode for |x| < 2^23; larger |x| are integers already), floor is truncation
 * through an integer conversion corrected by one (guarded the same way). Both accept
 * scalars or vectors of f32 (f64: 2^52).
 */
#ifndef OM_CODEGEN_KERNELS_NN_UTIL_H
#define OM_CODEGEN_KERNELS_NN_UTIL_H

#include "codegen/cg_internal.h"

/* A private constant global array of `count` elements of dt (values converted from
 * double; ints via int64). Returns its address or NULL on out of memory. */
LLVMValueRef om_cg_nn_table(om_cg_ctx *cx, om_dtype dt, const double *vals, int64_t count, const char *tag);
/* Same from int64 values (exact for every integer dtype). */
LLVMValueRef om_cg_nn_table_i64(om_cg_ctx *cx, om_dtype dt, const int64_t *vals, int64_t count, const char *tag);

/* floor(x) and round-half-to-even(x) for f32/f64 scalars or vectors, without libcalls. */
LLVMValueRef om_cg_nn_floor(om_cg_ctx *cx, LLVMValueRef x);
LLVMValueRef om_cg_nn_roundeven(om_cg_ctx *cx, LLVMValueRef x);

/* Element i of a constant value as double / int64 (0 when out of range or no data). */
double om_cg_nn_const_f(const om_value *v, int64_t i);
int64_t om_cg_nn_const_i(const om_value *v, int64_t i);

/* Signed/float compare-selects on i64 / float values. */
LLVMValueRef om_cg_nn_smin(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef om_cg_nn_smax(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b);

/* Saturating conversion of a float (already rounded) to integer dtype dt (clamped to its
 * range; NaN gives 0). */
LLVMValueRef om_cg_nn_sat_int(om_cg_ctx *cx, LLVMValueRef x, om_dtype from, om_dtype dt);

#endif
