/* Per-element emitters shared with the fused elementwise kernel
 * (codegen/kernels/fused_elementwise.c); private to codegen/.
 */
#ifndef OM_CODEGEN_CG_FUSED_H
#define OM_CODEGEN_CG_FUSED_H

#include "codegen/cg_internal.h"

/* math_unary family (codegen/kernels/math_unary.c): op(x) on f32 with default attributes;
 * NULL when op is not a float -> float op of that family. */
LLVMValueRef om_cg_math_unary_f32(om_cg_ctx *cx, om_op op, LLVMValueRef x);

#endif
