/* The output-channel-vectorized f32 convolution kernel for small output planes
 * (codegen/kernels/conv_small.c), reached from the Conv emitter (conv.c) for nodes whose
 * weights the pack-conv-small pass (passes/pack_conv_small.c) re-laid out: attribute
 * om_packed_conv = NB (16 or 32), W data as M/NB panels of row-major [K = C*KH*KW][NB].
 * Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_CONV_SMALL_H
#define OM_CODEGEN_KERNELS_CONV_SMALL_H

#include "codegen/kernels/conv_fast.h"

/* Emits the kernel for geometry g (2-D, group 1, f32; validated by the caller), epilogue ep
 * and panel width nb into the current kernel function. An error (never a fallback) when the
 * case is not covered: W is only readable through the packed layout. */
om_status om_cg_conv_small(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, int64_t nb);

#endif
