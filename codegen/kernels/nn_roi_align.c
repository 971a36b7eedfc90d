/* RoiAlign kernel (family roi_align, opset 16): X [N,C,H,W], rois [R,4] (x1, y1, x2, y2),
 * batch_indices [R] -> Y [R, C, oh, ow]; mode avg or max; sampling_ratio (0: adaptive,
 * ceil(roi size / output size) samples per bin, computed at run time); spatial_scale;
 * coordinate_transformation_mode half_pixel (offset 0.5) or output_half_pixel (legacy:
 * no offset, roi at least 1x1).
 *
 * Follows ONNX Runtime's kernel: each sample point (y, x) outside [-1, H] x [-1, W]
 * contributes 0; otherwise it is clamped at 0, bilinearly interpolated from its 4
 * neighbours (clamped at H-1 / W-1); avg divides the sum of samples by their count, max
 * takes the maximum over samples of max(w_i * v_i). The roi and batch index are data,
 * read at run time (the batch index is clamped into [0, N)). Computed in f32 (f64 for
 * double). Work items: R*C planes.
 */
#include <math.h>
#include <string.h>

#include "codegen/kernels/nn_util.h"

om_status om_cg_emit_roi_align(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vr = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!vx || !vr || !vb || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vr->shape) ||
        !om_shape_is_static(&vy->shape) || vx->shape.rank != 4 || vy->shape.rank != 4 || !om_dtype_is_float(vx->dtype) ||
        vr->dtype != vx->dtype || vy->dtype != vx->dtype)
        return om_cg_unsupported(cx, "needs static 4-D float X and Y");
    om_dtype dt = vx->dtype, ct = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    LLVMTypeRef t = om_cg_type(cx, ct);
    int64_t N = vx->shape.dims[0], C = vx->shape.dims[1], H = vx->shape.dims[2], W = vx->shape.dims[3];
    int64_t R = vy->shape.dims[0], OH = vy->shape.dims[2], OW = vy->shape.dims[3];
    if (vy->shape.dims[1] != C || vr->shape.dims[0] != R || vr->shape.dims[1] != 4 ||
        !om_shape_is_static(&vb->shape) || om_shape_numel(&vb->shape) != R || !om_dtype_is_signed_int(vb->dtype))
        return om_cg_unsupported(cx, "shapes do not fit");
    if (R * C * OH * OW == 0)
        return OM_OK;
    if (N == 0 || H == 0 || W == 0)
        return om_cg_unsupported(cx, "empty input");
    bool is_max = !strcmp(om_node_string(n, "mode", "avg"), "max");
    bool half = !strcmp(om_node_string(n, "coordinate_transformation_mode", "half_pixel"), "half_pixel");
    double ss = om_node_float(n, "spatial_scale", 1.0f);
    int64_t sr = om_node_int(n, "sampling_ratio", 0);
    LLVMBuilderRef b = cx->b;
#define F(v) LLVMConstReal(t, (v))
#define I(v) om_cg_i64(cx, (v))
    LLVMValueRef px = om_cg_in(cx, 0), pr = om_cg_in(cx, 1), pb = om_cg_in(cx, 2), py = om_cg_out(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, t, "acc");
    om_cg_loop lw, lph, lpw, liy, lix;
    LLVMValueRef wi = om_cg_for_work(cx, &lw, R * C, "plane");
    LLVMValueRef r = LLVMBuildUDiv(b, wi, I(C), "r"), c = LLVMBuildURem(b, wi, I(C), "c");
    LLVMValueRef roi[4];
    for (int k = 0; k < 4; k++) {
        LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, dt, pr, om_cg_mad(cx, r, 4, I(k))), dt, ct);
        roi[k] = LLVMBuildFSub(b, LLVMBuildFMul(b, v, F(ss), ""), F(half ? 0.5 : 0), "");
    }
    LLVMValueRef bidx = om_cg_convert(cx, om_cg_load(cx, vb->dtype, pb, r), vb->dtype, OM_DT_INT64);
    bidx = om_cg_nn_smin(cx, om_cg_nn_smax(cx, bidx, I(0)), I(N - 1));
    LLVMValueRef plane = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, bidx, C, NULL), c), H * W, NULL);
    LLVMValueRef rw = LLVMBuildFSub(b, roi[2], roi[0], ""), rh = LLVMBuildFSub(b, roi[3], roi[1], "");
    if (!half) {
        rw = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, rw, F(1), ""), F(1), rw, "");
        rh = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, rh, F(1), ""), F(1), rh, "");
    }
    LLVMValueRef bw = LLVMBuildFDiv(b, rw, F((double)OW), ""), bh = LLVMBuildFDiv(b, rh, F((double)OH), "");
    LLVMValueRef gh, gw;
    if (sr > 0) {
        gh = I(sr);
        gw = I(sr);
    } else { /* ceil(roi / out) = -floor(-v), bounded */
        LLVMValueRef ch = LLVMBuildFNeg(b, om_cg_nn_floor(cx, LLVMBuildFNeg(b, bh, "")), "");
        LLVMValueRef cw = LLVMBuildFNeg(b, om_cg_nn_floor(cx, LLVMBuildFNeg(b, bw, "")), "");
        ch = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, ch, F(0), ""), ch, F(0), "");
        cw = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, cw, F(0), ""), cw, F(0), "");
        ch = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, ch, F(65536), ""), ch, F(65536), "");
        cw = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, cw, F(65536), ""), cw, F(65536), "");
        gh = LLVMBuildFPToSI(b, ch, cx->i64, "");
        gw = LLVMBuildFPToSI(b, cw, cx->i64, "");
    }
    LLVMValueRef cnt = om_cg_nn_smax(cx, om_cg_mul(cx, gh, gw), I(1));
    LLVMValueRef cntf = LLVMBuildSIToFP(b, cnt, t, "");
    LLVMValueRef ghf = LLVMBuildSIToFP(b, gh, t, ""), gwf = LLVMBuildSIToFP(b, gw, t, "");
    LLVMValueRef ph = om_cg_for(cx, &lph, I(0), I(OH), "ph");
    LLVMValueRef pw = om_cg_for(cx, &lpw, I(0), I(OW), "pw");
    LLVMBuildStore(b, is_max ? F(-INFINITY) : F(0), acc);
    LLVMValueRef any = om_cg_alloca(cx, cx->i1, "any");
    LLVMBuildStore(b, LLVMConstInt(cx->i1, 0, 0), any);
    LLVMValueRef iy = om_cg_for(cx, &liy, I(0), gh, "iy");
    /* y = start_h + ph*bh + (iy + 0.5) * bh / gh */
    LLVMValueRef y = LLVMBuildFAdd(b, LLVMBuildFAdd(b, roi[1], LLVMBuildFMul(b, LLVMBuildSIToFP(b, ph, t, ""), bh, ""), ""),
                                   LLVMBuildFDiv(b, LLVMBuildFMul(b, LLVMBuildFAdd(b, LLVMBuildSIToFP(b, iy, t, ""), F(0.5), ""), bh, ""), ghf, ""), "");
    LLVMValueRef ix = om_cg_for(cx, &lix, I(0), gw, "ix");
    LLVMValueRef x = LLVMBuildFAdd(b, LLVMBuildFAdd(b, roi[0], LLVMBuildFMul(b, LLVMBuildSIToFP(b, pw, t, ""), bw, ""), ""),
                                   LLVMBuildFDiv(b, LLVMBuildFMul(b, LLVMBuildFAdd(b, LLVMBuildSIToFP(b, ix, t, ""), F(0.5), ""), bw, ""), gwf, ""), "");
    LLVMValueRef empty = LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealULT, y, F(-1), ""), LLVMBuildFCmp(b, LLVMRealUGT, y, F((double)H), ""), "");
    empty = LLVMBuildOr(b, empty, LLVMBuildFCmp(b, LLVMRealULT, x, F(-1), ""), "");
    empty = LLVMBuildOr(b, empty, LLVMBuildFCmp(b, LLVMRealUGT, x, F((double)W), ""), "");
    /* clamp into [0, size] (also keeps the conversions below defined for empty samples) */
    LLVMValueRef yc = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, y, F(0), ""), y, F(0), "");
    yc = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, yc, F((double)H), ""), yc, F((double)H), "");
    LLVMValueRef xc = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, F(0), ""), x, F(0), "");
    xc = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, xc, F((double)W), ""), xc, F((double)W), "");
    LLVMValueRef ylo = LLVMBuildFPToSI(b, yc, cx->i64, ""), xlo = LLVMBuildFPToSI(b, xc, cx->i64, "");
    LLVMValueRef ytop = LLVMBuildICmp(b, LLVMIntSGE, ylo, I(H - 1), ""), xtop = LLVMBuildICmp(b, LLVMIntSGE, xlo, I(W - 1), "");
    ylo = LLVMBuildSelect(b, ytop, I(H - 1), ylo, "");
    xlo = LLVMBuildSelect(b, xtop, I(W - 1), xlo, "");
    LLVMValueRef yhi = LLVMBuildSelect(b, ytop, I(H - 1), om_cg_add(cx, ylo, I(1)), "");
    LLVMValueRef xhi = LLVMBuildSelect(b, xtop, I(W - 1), om_cg_add(cx, xlo, I(1)), "");
    yc = LLVMBuildSelect(b, ytop, LLVMBuildSIToFP(b, ylo, t, ""), yc, "");
    xc = LLVMBuildSelect(b, xtop, LLVMBuildSIToFP(b, xlo, t, ""), xc, "");
    LLVMValueRef ly = LLVMBuildFSub(b, yc, LLVMBuildSIToFP(b, ylo, t, ""), ""), lx = LLVMBuildFSub(b, xc, LLVMBuildSIToFP(b, xlo, t, ""), "");
    LLVMValueRef hy = LLVMBuildFSub(b, F(1), ly, ""), hx = LLVMBuildFSub(b, F(1), lx, "");
    LLVMValueRef ws[4] = {LLVMBuildFMul(b, hy, hx, ""), LLVMBuildFMul(b, hy, lx, ""), LLVMBuildFMul(b, ly, hx, ""),
                          LLVMBuildFMul(b, ly, lx, "")};
    LLVMValueRef pos[4] = {om_cg_mad(cx, ylo, W, xlo), om_cg_mad(cx, ylo, W, xhi), om_cg_mad(cx, yhi, W, xlo),
                           om_cg_mad(cx, yhi, W, xhi)};
    LLVMValueRef val = NULL;
    for (int k = 0; k < 4; k++) {
        LLVMValueRef ld = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, plane, pos[k])), dt, ct);
        LLVMValueRef term = LLVMBuildSelect(b, empty, F(0), LLVMBuildFMul(b, ws[k], ld, ""), "");
        if (!val) val = term;
        else if (is_max) val = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, term, val, ""), term, val, "");
        else val = LLVMBuildFAdd(b, val, term, "");
    }
    LLVMValueRef cur = LLVMBuildLoad2(b, t, acc, "");
    if (is_max)
        LLVMBuildStore(b, LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, val, cur, ""), val, cur, ""), acc);
    else
        LLVMBuildStore(b, LLVMBuildFAdd(b, cur, val, ""), acc);
    LLVMBuildStore(b, LLVMConstInt(cx->i1, 1, 0), any);
    om_cg_for_end(cx, &lix);
    om_cg_for_end(cx, &liy);
    LLVMValueRef res = LLVMBuildLoad2(b, t, acc, "");
    if (is_max)
        res = LLVMBuildSelect(b, LLVMBuildLoad2(b, cx->i1, any, ""), res, F(0), "");
    else
        res = LLVMBuildFDiv(b, res, cntf, "");
    LLVMValueRef yi = om_cg_add(cx, om_cg_mad(cx, wi, OH * OW, NULL), om_cg_mad(cx, ph, OW, pw));
    om_cg_store(cx, dt, py, yi, om_cg_convert(cx, res, ct, dt));
    om_cg_for_end(cx, &lpw);
    om_cg_for_end(cx, &lph);
    om_cg_for_end(cx, &lw);
#undef F
#undef I
    return OM_OK;
}
