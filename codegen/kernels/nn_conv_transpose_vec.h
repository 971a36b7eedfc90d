/* The ConvTranspose fast path of nn_conv_transpose_vec.c (kernel = stride, 2-D, f32,
 * group 1, no pads): private to codegen/kernels. */
#ifndef OM_CODEGEN_KERNELS_NN_CONV_TRANSPOSE_VEC_H
#define OM_CODEGEN_KERNELS_NN_CONV_TRANSPOSE_VEC_H

#include "codegen/cg_internal.h"

/* True when node n (a ConvTranspose whose attributes were canonicalized by shape inference)
 * is one the fast path computes. */
bool om_cg_conv_transpose_vec_fits(const om_node *n);
/* Emits the kernel; call only when om_cg_conv_transpose_vec_fits(n). */
om_status om_cg_conv_transpose_vec(om_cg_ctx *cx, const om_node *n);

#endif
