/* Helpers shared by the seq-group kernels (codegen/kernels/seq_*.c): constant tables as
 * private globals, and compile-time reads of constant inputs. Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_SEQ_UTIL_H
#define OM_CODEGEN_KERNELS_SEQ_UTIL_H

#include "codegen/cg_internal.h"

/* Tables: om_cg_const_table (codegen/cg_internal.h). */

/* Element i of a constant value (int or float dtypes) as double; false when v is not a
 * constant with data or i is out of range. */
bool om_cg_seq_const(const om_value *v, int64_t i, double *out);

#endif
