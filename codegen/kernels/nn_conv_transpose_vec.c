/* ConvTranspose fast path (called by nn_conv_transpose.c): 2-D, f32, group 1, kernel equal
 * to the stride (Kh = Sh, Kw = Sw, Kw in {1, 2, 4}), dilation 1, no pads, O = I * S --
 * the "upsampling" transpose convolution of FPN/UNet heads. Every output pixel then gets
 * exactly one tap:
 *     Y[n, m, ih*Kh + a, iw*Kw + b] = B[m] + sum_c X[n, c, ih, iw] * W[c, m, a, b]
 * i.e. per input row a small GEMM (pixels x C) * (C x M*Kh*Kw) whose result is scattered
 * without overlap.
 *
 * Work item = (n, ih, block of JV*VL input columns); inside, the output channels are taken
 * in blocks of MB so that MB*Kh*Kw*JV vector accumulators fit 3/4 of the registers (JV > 1
 * only when M is too small to fill them); for each channel c, JV vectors of X are loaded
 * and multiplied into every accumulator with a broadcast weight (llvm.fmuladd). The Kw accumulators of one (m, a) are interleaved with one shufflevector
 * into Kw*VL contiguous outputs and stored; the last column block uses masked loads and
 * stores (compile-time tail). Sums run over c in order, the same as the scalar reference up
 * to fused multiply-add rounding.
 */
#include <string.h>

#include "codegen/kernels/ew_vec.h"
#include "codegen/kernels/nn_conv_transpose_vec.h"

#define CTV_MAX_JV 8

typedef struct ctv {
    int64_t N, C, M, Ih, Iw, Kh, Kw;
    int VL, JV;
    LLVMValueRef x, w, bias, y;
} ctv;

/* One (n, ih, column block at j0) for output channels [m0, m0 + mb): JV sub-vectors of
 * VL columns, act[v] of them active (compile time; 0 = absent). acc holds mb*T*JV
 * accumulators, (mi, t, v) at (mi*T + t)*JV + v. */
static void ctv_block(om_cg_ctx *cx, const ctv *k, LLVMValueRef xrow, LLVMValueRef yrow, LLVMValueRef j0,
                      LLVMValueRef m0, int mb, const int *act, LLVMValueRef *acc)
{
    LLVMBuilderRef b = cx->b;
    int VL = k->VL, T = (int)(k->Kh * k->Kw), JV = k->JV;
    LLVMTypeRef vt = om_cg_vec_type(cx->f32, VL);
    for (int mi = 0; mi < mb; mi++) {
        LLVMValueRef init = k->bias ? om_cg_vec_splat(cx, om_cg_load(cx, OM_DT_FLOAT, k->bias, om_cg_add(cx, m0, om_cg_i64(cx, mi))), VL)
                                    : LLVMConstNull(vt);
        for (int t = 0; t < T; t++)
            for (int v = 0; v < JV; v++)
                if (act[v])
                    LLVMBuildStore(b, init, acc[(mi * T + t) * JV + v]);
    }
    om_cg_loop lc;
    LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->C), "c");
    /* X[n, c, ih, j0..]: xrow is the offset of (n, 0, ih, 0) */
    LLVMValueRef xi = om_cg_add(cx, om_cg_mad(cx, c, k->Ih * k->Iw, xrow), j0);
    LLVMValueRef xv[CTV_MAX_JV];
    for (int v = 0; v < JV; v++)
        if (act[v])
            xv[v] = om_cg_vec_load(cx, cx->f32, k->x, om_cg_add(cx, xi, om_cg_i64(cx, v * VL)), VL, act[v]);
    LLVMValueRef wbase = om_cg_mad(cx, c, k->M * T, om_cg_mad(cx, m0, T, NULL));
    for (int mi = 0; mi < mb; mi++)
        for (int t = 0; t < T; t++) {
            LLVMValueRef ws = om_cg_load(cx, OM_DT_FLOAT, k->w, om_cg_add(cx, wbase, om_cg_i64(cx, mi * T + t)));
            LLVMValueRef wv = om_cg_vec_splat(cx, ws, VL);
            for (int v = 0; v < JV; v++) {
                if (!act[v])
                    continue;
                LLVMValueRef a = acc[(mi * T + t) * JV + v];
                LLVMValueRef ops[3] = {wv, xv[v], LLVMBuildLoad2(b, vt, a, "")};
                LLVMBuildStore(b, om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3), a);
            }
        }
    om_cg_for_end(cx, &lc);
    /* interleave the Kw phases of each (m, a, v) and store Kw*act[v] outputs */
    int Kw = (int)k->Kw, W = Kw * VL;
    LLVMValueRef idx[64], cat[64];
    for (int e = 0; e < W; e++)
        idx[e] = om_cg_i32(cx, (e % Kw) * VL + e / Kw);
    for (int e = 0; e < 4 * VL && e < 64; e++)
        cat[e] = om_cg_i32(cx, e);
    LLVMValueRef imask = LLVMConstVector(idx, (unsigned)W);
    int64_t OW = k->Iw * Kw, OHW = k->Ih * k->Kh * OW;
    for (int mi = 0; mi < mb; mi++)
        for (int64_t a = 0; a < k->Kh; a++)
            for (int v = 0; v < JV; v++) {
                if (!act[v])
                    continue;
                LLVMValueRef ph[4] = {NULL, NULL, NULL, NULL};
                for (int bb = 0; bb < Kw; bb++)
                    ph[bb] = LLVMBuildLoad2(b, vt, acc[(mi * T + a * Kw + bb) * JV + v], "");
                LLVMValueRef wide = ph[0];
                if (Kw > 1) {
                    /* concatenate to Kw*VL lanes (Kw = 2 or 4), then interleave */
                    LLVMValueRef lo = LLVMBuildShuffleVector(b, ph[0], ph[1], LLVMConstVector(cat, (unsigned)(2 * VL)), "");
                    if (Kw == 4) {
                        LLVMValueRef hi = LLVMBuildShuffleVector(b, ph[2], ph[3], LLVMConstVector(cat, (unsigned)(2 * VL)), "");
                        lo = LLVMBuildShuffleVector(b, lo, hi, LLVMConstVector(cat, (unsigned)(4 * VL)), "");
                    }
                    wide = LLVMBuildShuffleVector(b, lo, LLVMGetPoison(LLVMTypeOf(lo)), imask, "");
                }
                /* Y[n, m0+mi, ih*Kh + a, (j0 + v*VL)*Kw ..]: yrow is the offset of (n, 0, ih*Kh, 0) */
                LLVMValueRef yi = om_cg_add(cx, om_cg_mad(cx, m0, OHW, om_cg_i64(cx, mi * OHW + a * OW + v * VL * Kw)),
                                            om_cg_mad(cx, j0, Kw, yrow));
                om_cg_vec_store(cx, k->y, yi, wide, act[v] * Kw);
            }
}

bool om_cg_conv_transpose_vec_fits(const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vw = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vw || !vy || vx->shape.rank != 4 || vw->shape.rank != 4 || vy->shape.rank != 4)
        return false;
    if (vx->dtype != OM_DT_FLOAT || vw->dtype != OM_DT_FLOAT || vy->dtype != OM_DT_FLOAT ||
        (vb && (vb->dtype != OM_DT_FLOAT || om_shape_numel(&vb->shape) != vy->shape.dims[1])))
        return false;
    if (!om_shape_is_static(&vx->shape) || !om_shape_is_static(&vw->shape) || !om_shape_is_static(&vy->shape))
        return false;
    if (om_node_int(n, "group", 1) != 1)
        return false;
    const int64_t *pv = NULL, *sv = NULL, *dv = NULL;
    int pc = om_node_ints(n, "pads", &pv), sc = om_node_ints(n, "strides", &sv), dc = om_node_ints(n, "dilations", &dv);
    int64_t C = vx->shape.dims[1], M = vy->shape.dims[1];
    if (vw->shape.dims[0] != C || vw->shape.dims[1] != M || vy->shape.dims[0] != vx->shape.dims[0])
        return false;
    for (int d = 0; d < 2; d++) {
        int64_t K = vw->shape.dims[2 + d], S = sc == 2 ? sv[d] : 1, D = dc == 2 ? dv[d] : 1;
        if ((sc >= 0 && sc != 2) || (dc >= 0 && dc != 2) || (pc >= 0 && pc != 4))
            return false;
        if (K != S || D != 1 || (pc == 4 && (pv[d] != 0 || pv[2 + d] != 0)))
            return false;
        if (vy->shape.dims[2 + d] != vx->shape.dims[2 + d] * S)
            return false;
    }
    int64_t Kw = vw->shape.dims[3], Kh = vw->shape.dims[2];
    return (Kw == 1 || Kw == 2 || Kw == 4) && Kh >= 1 && Kh * Kw <= 16 && C >= 1 && M >= 1 &&
           vx->shape.dims[2] >= 1 && vx->shape.dims[3] >= 1;
}

om_status om_cg_conv_transpose_vec(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vw = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->outputs[0];
    ctv k = {.N = vx->shape.dims[0], .C = vx->shape.dims[1], .M = vy->shape.dims[1], .Ih = vx->shape.dims[2],
             .Iw = vx->shape.dims[3], .Kh = vw->shape.dims[2], .Kw = vw->shape.dims[3]};
    k.VL = om_cg_vec_lanes(cx);
    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    k.bias = vb ? om_cg_in(cx, 2) : NULL;
    k.y = om_cg_out(cx, 0);
    int T = (int)(k.Kh * k.Kw);
    /* accumulators: 3/4 of the registers, the rest for X and the broadcasts */
    int budget = om_cg_vec_regs(cx) * 3 / 4;
    /* few output channels: several column vectors per block instead (each X load then
     * feeds fewer FMAs, but every channel's row is read in longer runs) */
    int64_t nvec = (k.Iw + k.VL - 1) / k.VL;
    int JV = (int)(budget / (T * k.M));
    JV = JV < 1 ? 1 : JV > CTV_MAX_JV ? CTV_MAX_JV : JV;
    if (JV > nvec)
        JV = (int)nvec;
    k.JV = JV;
    int MB = budget / (T * JV);
    if (MB < 1)
        MB = 1;
    if (MB > k.M)
        MB = (int)k.M;
    LLVMValueRef acc[CTV_MAX_JV * 24 * 16];
    LLVMTypeRef vt = om_cg_vec_type(cx->f32, k.VL);
    for (int i = 0; i < MB * T * JV; i++)
        acc[i] = om_cg_alloca(cx, vt, "acc");
    int64_t bw = (int64_t)JV * k.VL;               /* columns per block */
    int64_t nJ = (k.Iw + bw - 1) / bw;
    int64_t tail = k.Iw - (nJ - 1) * bw;            /* columns of the last block, 1..bw */
    int act_full[CTV_MAX_JV], act_tail[CTV_MAX_JV];
    for (int v = 0; v < JV; v++) {
        int64_t r = tail - (int64_t)v * k.VL;
        act_full[v] = k.VL;
        act_tail[v] = r <= 0 ? 0 : r >= k.VL ? k.VL : (int)r;
    }
    LLVMBuilderRef b = cx->b;
    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, k.N * k.Ih * nJ, "w");
    LLVMValueRef jb = LLVMBuildURem(b, w, om_cg_i64(cx, nJ), "");
    LLVMValueRef rowi = LLVMBuildUDiv(b, w, om_cg_i64(cx, nJ), "");
    LLVMValueRef ih = LLVMBuildURem(b, rowi, om_cg_i64(cx, k.Ih), "ih");
    LLVMValueRef img = LLVMBuildUDiv(b, rowi, om_cg_i64(cx, k.Ih), "n");
    LLVMValueRef j0 = om_cg_mad(cx, jb, bw, NULL);
    LLVMValueRef xrow = om_cg_add(cx, om_cg_mad(cx, img, k.C * k.Ih * k.Iw, NULL), om_cg_mad(cx, ih, k.Iw, NULL));
    int64_t OW = k.Iw * k.Kw;
    LLVMValueRef yrow = om_cg_add(cx, om_cg_mad(cx, img, k.M * k.Ih * k.Kh * OW, NULL), om_cg_mad(cx, ih, k.Kh * OW, NULL));
    /* full blocks, then (when Iw % VL != 0) the masked last block */
    LLVMBasicBlockRef full = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "ctv_full");
    LLVMBasicBlockRef part = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "ctv_tail");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "ctv_next");
    LLVMValueRef is_tail = tail < bw ? LLVMBuildICmp(b, LLVMIntEQ, jb, om_cg_i64(cx, nJ - 1), "")
                                       : LLVMConstInt(cx->i1, 0, 0);
    LLVMBuildCondBr(b, is_tail, part, full);
    for (int pass = 0; pass < 2; pass++) {
        LLVMPositionBuilderAtEnd(b, pass == 0 ? full : part);
        const int *active = pass == 0 ? act_full : act_tail;
        if (pass == 1 && tail == bw) {
            LLVMBuildBr(b, next);
            break;
        }
        /* whole channel blocks in a loop, the remainder once */
        int64_t nmb = k.M / MB, mrest = k.M % MB;
        om_cg_loop lm;
        LLVMValueRef mblk = om_cg_for(cx, &lm, om_cg_i64(cx, 0), om_cg_i64(cx, nmb), "mb");
        ctv_block(cx, &k, xrow, yrow, j0, om_cg_mad(cx, mblk, MB, NULL), MB, active, acc);
        om_cg_for_end(cx, &lm);
        if (mrest)
            ctv_block(cx, &k, xrow, yrow, j0, om_cg_i64(cx, nmb * MB), (int)mrest, active, acc);
        LLVMBuildBr(b, next);
    }
    LLVMPositionBuilderAtEnd(b, next);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
