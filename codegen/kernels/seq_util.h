/* Helpers shared by the seq-group kernels (codegen/kernels/seq_*.c): constant tables as
 * private globals, and compile-time reads of constant inputs. Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_SEQ_UTIL_H
#define OM_CODEGEN_KERNELS_SEQ_UTIL_H

#include "codegen/cg_internal.h"

/* A private constant global of `count` elements of dt holding vals (converted from double)
 * or ivals (exact, for integer dtypes) — exactly one of the two is non-NULL. Returns its
 * address, or NULL on out of memory / unsupported dtype / count < 1. */
LLVMValueRef om_cg_seq_table(om_cg_ctx *cx, om_dtype dt, const double *vals, const int64_t *ivals, int64_t count,
                             const char *tag);

/* Element i of a constant value (int or float dtypes) as double; false when v is not a
 * constant with data or i is out of range. */
bool om_cg_seq_const(const om_value *v, int64_t i, double *out);

#endif
