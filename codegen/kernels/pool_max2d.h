/* Vectorized f32 2-D MaxPool for 16-lane targets (codegen/kernels/pool_max2d.c), reached from
 * the pool emitter (pool.c) before its generic loop nest. Private to codegen/kernels.
 */
#ifndef OM_CODEGEN_KERNELS_POOL_MAX2D_H
#define OM_CODEGEN_KERNELS_POOL_MAX2D_H

#include "codegen/cg_internal.h"

/* Geometry of a 2-D pool: X [NC, IH, IW] -> Y [NC, OH, OW]; kernel KH x KW, strides SH, SW,
 * begin pads PH, PW (dilation 1). */
typedef struct om_cg_pool2d {
    int64_t NC, IH, IW, OH, OW, KH, KW, SH, SW, PH, PW;
} om_cg_pool2d;

/* Emits the kernel when it covers the case (sets *done); otherwise emits nothing and leaves
 * *done false, and the caller takes its generic path. */
om_status om_cg_maxpool2d_vec(om_cg_ctx *cx, const om_cg_pool2d *g, bool *done);

#endif
