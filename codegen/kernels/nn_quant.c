/* Quantization kernels: QuantizeLinear and DequantizeLinear (family quant) and
 * DynamicQuantizeLinear (family dyn_quant).
 *
 *   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zp)   (u8 or i8; x f32/f16/i32)
 *   DequantizeLinear: y = (f32(x) - f32(zp)) * scale                  (x u8/i8/i32)
 * scale and zp are read at run time (they are often graph inputs): per tensor (one element)
 * or per axis (1-D of dims[axis] elements, index (i / inner) % dims[axis]). The division is a
 * real division as in ONNX's definition (not a multiplication by the reciprocal), rounding
 * is libcall-free (nn_util.h), NaN saturates to the low end.
 * Work items: blocks of QT_BLOCK elements.
 *
 *   DynamicQuantizeLinear: min/max over x widened to include 0, scale = (max - min) / 255,
 *   zp = saturate(round(0 - min / scale)), y = saturate(round(x / scale) + zp), all u8. One
 *   work item (the reduction needs the whole tensor first).
 */
#include <string.h>

#include "codegen/kernels/nn_util.h"

#define QT_BLOCK 4096

om_status om_cg_emit_quant(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vs = om_node_input(n, 1), *vz = om_node_input(n, 2);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vs || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vs->shape) ||
        (vz && !om_shape_is_static(&vz->shape)) || vs->dtype != OM_DT_FLOAT)
        return om_cg_unsupported(cx, "needs static shapes and an f32 scale");
    bool quant = n->op == OM_OP_QUANTIZE_LINEAR;
    om_dtype xt = vx->dtype, yt = vy->dtype, zt = vz ? vz->dtype : (quant ? yt : xt);
    int r = vx->shape.rank;
    int64_t numel = om_shape_numel(&vx->shape), ns = om_shape_numel(&vs->shape);
    int64_t C = 1, inner = 1;
    if (ns < 1 || (vz && om_shape_numel(&vz->shape) != ns))
        return om_cg_unsupported(cx, "scale (%lld elements) and zero point must have the same size >= 1", (long long)ns);
    if (ns != 1) {
        int64_t a = om_node_int(n, "axis", 1);
        if (a < 0) a += r;
        if (a < 0 || a >= r || vx->shape.dims[a] != ns || (vz && om_shape_numel(&vz->shape) != ns))
            return om_cg_unsupported(cx, "per-axis scale of %lld elements does not match axis %lld", (long long)ns,
                                     (long long)a);
        C = ns;
        for (int d = (int)a + 1; d < r; d++) inner *= vx->shape.dims[d];
    }
    if (numel == 0)
        return OM_OK;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), ps = om_cg_in(cx, 1), pz = vz ? om_cg_in(cx, 2) : NULL, py = om_cg_out(cx, 0);
    LLVMValueRef s0 = NULL, z0 = NULL;
    if (C == 1) {
        s0 = om_cg_load(cx, OM_DT_FLOAT, ps, om_cg_i64(cx, 0));
        z0 = pz ? om_cg_convert(cx, om_cg_load(cx, zt, pz, om_cg_i64(cx, 0)), zt, OM_DT_FLOAT) : om_cg_f32(cx, 0);
    }
    int64_t blocks = (numel + QT_BLOCK - 1) / QT_BLOCK;
    om_cg_loop lw, li;
    LLVMValueRef blk = om_cg_for_work(cx, &lw, blocks, "blk");
    LLVMValueRef lo = om_cg_mad(cx, blk, QT_BLOCK, NULL);
    LLVMValueRef hi = om_cg_nn_smin(cx, om_cg_add(cx, lo, om_cg_i64(cx, QT_BLOCK)), om_cg_i64(cx, numel));
    LLVMValueRef i = om_cg_for(cx, &li, lo, hi, "i");
    LLVMValueRef s = s0, z = z0;
    if (C != 1) {
        LLVMValueRef c = LLVMBuildURem(b, LLVMBuildUDiv(b, i, om_cg_i64(cx, inner), ""), om_cg_i64(cx, C), "c");
        s = om_cg_load(cx, OM_DT_FLOAT, ps, c);
        z = pz ? om_cg_convert(cx, om_cg_load(cx, zt, pz, c), zt, OM_DT_FLOAT) : om_cg_f32(cx, 0);
    }
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, xt, px, i), xt, OM_DT_FLOAT);
    LLVMValueRef y;
    if (quant) {
        LLVMValueRef q = om_cg_nn_roundeven(cx, LLVMBuildFDiv(b, x, s, ""));
        y = om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, q, z, ""), OM_DT_FLOAT, yt);
    } else {
        y = LLVMBuildFMul(b, LLVMBuildFSub(b, x, z, ""), s, "");
        y = om_cg_convert(cx, y, OM_DT_FLOAT, yt);
    }
    om_cg_store(cx, yt, py, i, y);
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

om_status om_cg_emit_dyn_quant(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0);
    if (!vx || vx->dtype != OM_DT_FLOAT || !om_shape_is_static(&vx->shape) || n->n_outputs < 1)
        return om_cg_unsupported(cx, "needs a static f32 input");
    int64_t numel = om_shape_numel(&vx->shape);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef pscale = n->n_outputs > 1 ? om_cg_out(cx, 1) : NULL, pzp = n->n_outputs > 2 ? om_cg_out(cx, 2) : NULL;
    LLVMValueRef amin = om_cg_alloca(cx, cx->f32, "mn"), amax = om_cg_alloca(cx, cx->f32, "mx");
    LLVMBuildStore(b, om_cg_f32(cx, 0), amin);
    LLVMBuildStore(b, om_cg_f32(cx, 0), amax);
    om_cg_loop l;
    LLVMValueRef i = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, numel), "i");
    LLVMValueRef x = om_cg_load(cx, OM_DT_FLOAT, px, i);
    LLVMValueRef cmn = LLVMBuildLoad2(b, cx->f32, amin, ""), cmx = LLVMBuildLoad2(b, cx->f32, amax, "");
    LLVMBuildStore(b, LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, cmn, ""), x, cmn, ""), amin);
    LLVMBuildStore(b, LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, cmx, ""), x, cmx, ""), amax);
    om_cg_for_end(cx, &l);
    LLVMValueRef mn = LLVMBuildLoad2(b, cx->f32, amin, ""), mx = LLVMBuildLoad2(b, cx->f32, amax, "");
    LLVMValueRef scale = LLVMBuildFDiv(b, LLVMBuildFSub(b, mx, mn, ""), om_cg_f32(cx, 255), "scale");
    LLVMValueRef zpf = om_cg_nn_roundeven(cx, LLVMBuildFSub(b, om_cg_f32(cx, 0), LLVMBuildFDiv(b, mn, scale, ""), ""));
    LLVMValueRef zp = om_cg_nn_sat_int(cx, zpf, OM_DT_FLOAT, OM_DT_UINT8);
    if (pscale) om_cg_store(cx, OM_DT_FLOAT, pscale, om_cg_i64(cx, 0), scale);
    if (pzp) om_cg_store(cx, OM_DT_UINT8, pzp, om_cg_i64(cx, 0), zp);
    LLVMValueRef zf = LLVMBuildUIToFP(b, zp, cx->f32, "");
    i = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, numel), "i");
    x = om_cg_load(cx, OM_DT_FLOAT, px, i);
    LLVMValueRef q = om_cg_nn_roundeven(cx, LLVMBuildFDiv(b, x, scale, ""));
    om_cg_store(cx, OM_DT_UINT8, py, i, om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, q, zf, ""), OM_DT_FLOAT, OM_DT_UINT8));
    om_cg_for_end(cx, &l);
    return OM_OK;
}
