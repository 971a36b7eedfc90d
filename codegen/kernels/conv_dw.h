/* The depthwise f32 convolution kernel (codegen/kernels/conv_dw.c), reached from the
 * generic Conv emitter (conv.c) before the register-blocked kernel of conv_fast.h: group ==
 * C == M (one input channel per output channel), kernels up to 7x7, no dilation, strides 1
 * or 2. conv.c validates the node and reads the fused epilogue first; this kernel only decides
 * whether it applies and emits it. Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_CONV_DW_H
#define OM_CODEGEN_KERNELS_CONV_DW_H

#include <stdbool.h>

#include "codegen/kernels/conv_fast.h"

/* Emits the depthwise kernel for geometry g and epilogue ep and sets *done, or leaves the
 * function untouched with *done = false when the case is not covered. */
om_status om_cg_conv_dw(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done);

#endif
