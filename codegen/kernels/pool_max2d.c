/* Vectorized f32 2-D MaxPool without Indices (see pool_max2d.h).
 *
 * Work items are output rows (nc, oh). A row is cut into blocks of 16 outputs; per block
 * one <16 x float> accumulator starts at -inf, and for each kernel row inside X (a run-time
 * range from oh) and each kernel column (unrolled) one masked load gathers the 16 inputs:
 * stride 1 loads 16 consecutive lanes, stride 2 loads 32 and keeps the even ones. The lane
 * masks (input column inside X, output inside the row) are compile-time constants, so
 * padding is never read (masked-off lanes are -inf and never touched in memory). The
 * update is om_cg_max (ONNX Max: a NaN in the window wins), in window order like the
 * generic kernel of pool.c. Only 16-lane (AVX-512) targets take it: LLVM 19 lowers masked
 * wide loads + deinterleaving shuffles wrongly on some AVX2 targets (see conv_winograd.c).
 * ResNet-50's 3x3 stride-2 pool (64 x 112x112 -> 56x56, 1 thread, omrun medians): 0.385 -> 0.210 ms.
 */
#include "codegen/kernels/pool_max2d.h"

#include <math.h>

#include "codegen/kernels/conv_fast.h"

#define PM_VL 16
#define PM_MAX_BLOCKS 16 /* blocks of a row, unrolled (OW <= 256) */
#define PM_MAX_K 8

static LLVMValueRef pm_mask(om_cg_ctx *cx, const bool *on, int n)
{
    LLVMValueRef e[2 * PM_VL];
    for (int i = 0; i < n; i++)
        e[i] = LLVMConstInt(cx->i1, on[i], 0);
    return LLVMConstVector(e, (unsigned)n);
}

/* The 16 inputs of outputs [ow0, ow0 + 16) at kernel column kw of the row at `row` (element
 * offset of X's row start); lanes outside X or past OW are -inf. */
static LLVMValueRef pm_taps(om_cg_ctx *cx, const om_cg_pool2d *g, LLVMValueRef x, LLVMValueRef row, int64_t ow0,
                            int64_t kw)
{
    int n = (int)(g->SW * PM_VL);
    bool on[2 * PM_VL] = {0};
    int64_t c0 = ow0 * g->SW - g->PW + kw; /* input column of lane 0 */
    for (int j = 0; j < PM_VL; j++) {
        int64_t c = c0 + j * g->SW;
        on[j * g->SW] = ow0 + j < g->OW && c >= 0 && c < g->IW;
    }
    LLVMTypeRef vt = LLVMVectorType(cx->f32, (unsigned)n);
    LLVMValueRef idx = om_cg_add(cx, row, om_cg_i64(cx, c0));
    LLVMValueRef p = LLVMBuildGEP2(cx->b, cx->f32, x, &idx, 1, ""); /* may point before X: lane 0 is then off */
    LLVMValueRef ninf = LLVMConstReal(cx->f32, -INFINITY);
    LLVMValueRef fill[2 * PM_VL];
    for (int i = 0; i < n; i++)
        fill[i] = ninf;
    LLVMValueRef ops[4] = {p, om_cg_i32(cx, 4), pm_mask(cx, on, n), LLVMConstVector(fill, (unsigned)n)};
    LLVMValueRef v = om_cg_masked_intrinsic(cx, "llvm.masked.load", vt, ops, 4);
    if (g->SW == 1)
        return v;
    LLVMValueRef even[PM_VL];
    for (int j = 0; j < PM_VL; j++)
        even[j] = om_cg_i32(cx, 2 * j);
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetPoison(vt), LLVMConstVector(even, PM_VL), "");
}

om_status om_cg_maxpool2d_vec(om_cg_ctx *cx, const om_cg_pool2d *g, bool *done)
{
    *done = false;
    int lanes, regs;
    bool fma;
    om_cg_conv_simd(cx, &lanes, &regs, &fma);
    int64_t nblk = (g->OW + PM_VL - 1) / PM_VL;
    if (lanes != PM_VL || (g->SW != 1 && g->SW != 2) || g->KH > PM_MAX_K || g->KW > PM_MAX_K ||
        nblk > PM_MAX_BLOCKS || g->PH >= g->KH || g->PW >= g->KW)
        return OM_OK;
    *done = true;
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef vt = LLVMVectorType(cx->f32, PM_VL);
    LLVMValueRef x = om_cg_in(cx, 0), y = om_cg_out(cx, 0);
    LLVMValueRef acc[PM_MAX_BLOCKS];
    for (int64_t q = 0; q < nblk; q++)
        acc[q] = om_cg_alloca(cx, vt, "pacc");
    LLVMValueRef ninf = LLVMConstReal(cx->f32, -INFINITY), fill[PM_VL];
    for (int j = 0; j < PM_VL; j++)
        fill[j] = ninf;

    om_cg_loop lw;
    LLVMValueRef item = om_cg_for_work(cx, &lw, g->NC * g->OH, "prow");
    LLVMValueRef nc = LLVMBuildUDiv(b, item, om_cg_i64(cx, g->OH), "nc");
    LLVMValueRef oh = LLVMBuildURem(b, item, om_cg_i64(cx, g->OH), "oh");
    LLVMValueRef ih0 = om_cg_add(cx, om_cg_mad(cx, oh, g->SH, NULL), om_cg_i64(cx, -g->PH));
    /* kernel rows inside X: [max(0, -ih0), min(KH, IH - ih0)) */
    LLVMValueRef neg = LLVMBuildNeg(b, ih0, "");
    LLVMValueRef lo = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, neg, om_cg_i64(cx, 0), ""), neg,
                                      om_cg_i64(cx, 0), "khlo");
    LLVMValueRef room = LLVMBuildSub(b, om_cg_i64(cx, g->IH), ih0, "");
    LLVMValueRef hi = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, room, om_cg_i64(cx, g->KH), ""), room,
                                      om_cg_i64(cx, g->KH), "khhi");
    LLVMValueRef init = LLVMConstVector(fill, PM_VL);
    for (int64_t q = 0; q < nblk; q++)
        LLVMBuildStore(b, init, acc[q]);
    om_cg_loop lk;
    LLVMValueRef kh = om_cg_for(cx, &lk, lo, hi, "kh");
    LLVMValueRef row = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, nc, g->IH, NULL), om_cg_add(cx, ih0, kh)), g->IW,
                                 NULL);
    for (int64_t q = 0; q < nblk; q++) {
        LLVMValueRef a = LLVMBuildLoad2(b, vt, acc[q], "");
        for (int64_t kw = 0; kw < g->KW; kw++)
            a = om_cg_max(cx, OM_DT_FLOAT, a, pm_taps(cx, g, x, row, q * PM_VL, kw));
        LLVMBuildStore(b, a, acc[q]);
    }
    om_cg_for_end(cx, &lk);
    LLVMValueRef yrow = om_cg_mad(cx, item, g->OW, NULL);
    for (int64_t q = 0; q < nblk; q++) {
        LLVMValueRef v = LLVMBuildLoad2(b, vt, acc[q], "");
        LLVMValueRef idx = om_cg_add(cx, yrow, om_cg_i64(cx, q * PM_VL));
        LLVMValueRef p = LLVMBuildInBoundsGEP2(b, cx->f32, y, &idx, 1, "");
        int64_t n = g->OW - q * PM_VL;
        if (n >= PM_VL) {
            LLVMSetAlignment(LLVMBuildStore(b, v, p), 4);
            continue;
        }
        bool on[PM_VL] = {0};
        for (int j = 0; j < n; j++)
            on[j] = true;
        LLVMValueRef ops[4] = {v, p, om_cg_i32(cx, 4), pm_mask(cx, on, PM_VL)};
        om_cg_masked_intrinsic(cx, "llvm.masked.store", vt, ops, 4);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
