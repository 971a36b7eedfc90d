/* Internals shared by the two halves of the Resize kernel: nn_resize.c (attributes, the
 * compile-time tap tables of the constant-input path, the run-time sizes check, the loop
 * nest both paths share) and nn_resize_rt.c (taps computed at run time from run-time scales
 * and roi). Private to codegen/kernels.
 *
 * An axis d contributes T_d taps per output index o: element offsets into X (source index
 * times the axis' element stride) and weights, read from a table (a constant global, or a
 * stack array the run-time path fills before the loops) or computed in line. The loop nest
 * sums over the tap combinations of all axes (om_cg_rs_row).
 */
#ifndef OM_CODEGEN_KERNELS_NN_RESIZE_H
#define OM_CODEGEN_KERNELS_NN_RESIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "codegen/kernels/nn_util.h"

#define RS_MAX_COMBOS 4096

typedef struct rs_params {
    int mode; /* 0 nearest, 1 linear, 2 cubic */
    const char *ctm, *nearest;
    double A, extrap;
    bool exclude, crop;
} rs_params;

typedef struct rs_axis {
    int64_t in, out, T, stride;
    /* constant path: compile-time tables (malloc'd, [out*T], valid [out]) */
    int64_t *idx;
    double *w;
    uint8_t *valid;
    bool any_invalid; /* some index is outside the input (tf_crop_and_resize) */
    bool gather;      /* every weight is 1: no weight table, no multiply */
    /* table addresses ([out*T] i64 offsets, [out*T] weights, [out] i8 valid); gidx NULL:
     * the run-time path computes the taps in line (om_cg_rs_taps) */
    LLVMValueRef gidx, gw, gvalid;
    /* run-time path: f64 scale, roi start/end (r0, r1 used by tf_crop_and_resize), and
     * `ident` (i1, NULL unless in == out): the axis is the identity (scale 1, and for crop a
     * roi of [0, 1]); `identity_now` makes om_cg_rs_row emit the axis as that identity */
    LLVMValueRef scale, r0, r1, ident;
    bool identity_now;
} rs_axis;

typedef struct rs_kernel {
    om_dtype dt, adt; /* X's dtype; accumulation dtype (f64 for double, else f32) */
    int r;
    rs_params p;
    rs_axis *ax;
    bool gather, any_invalid; /* over all axes */
    LLVMValueRef x;
    /* per axis current tap values: offsets (i64), weights (adt; NULL for gather axes),
     * valid (i1; NULL: always valid) */
    LLVMValueRef tidx[OM_MAX_RANK][4], tw[OM_MAX_RANK][4], tvalid[OM_MAX_RANK];
} rs_kernel;

/* Emits the body for output row `row` (all dims but the last): the loop over the last axis
 * storing into y. */
void om_cg_rs_row(om_cg_ctx *cx, rs_kernel *k, LLVMValueRef row, LLVMValueRef y);

/* Computes the taps of axis d at output index o (i64) from the axis' run-time values into
 * k->tidx[d], k->tw[d], k->tvalid[d], exactly as the constant path's tables (ONNX's
 * interpolate_1d_with_x). T_d is 1 (nearest), 2 (linear) or 4 (cubic). */
void om_cg_rs_taps(om_cg_ctx *cx, rs_kernel *k, int d, LLVMValueRef o);

/* The run-time path: scales (vs, when not constant: loaded and checked so that
 * floor(in * scale) is the compiled output size) and roi (when not constant) are read at
 * run time; taps computed before the loops into stack tables where they fit, else in line.
 * k->dt/adt/r/p and each axis' in/out/stride are set; sizes_static: the scales are out/in
 * (sizes were given). */
om_status om_cg_rs_runtime(om_cg_ctx *cx, rs_kernel *k, const om_value *vs, const om_value *roi, bool sizes_static);

#endif
