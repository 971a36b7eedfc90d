/* Depthwise f32 convolution in NCHW with explicit LLVM vectors (see conv_dw.h).
 *
 * One work item is one (image, channel) plane; a thread's contiguous share of items is a
 * range of whole planes, so two threads never write the same plane. Per plane the KH*KW
 * weights are splat into vectors once (they stay in registers across the plane) and the
 * bias starts every accumulator. VL lanes (16 with AVX-512, 8 with AVX2, 4 otherwise) run
 * along an output row; shapes are static, so every lane mask is a compile-time constant.
 * The rows whose kernel rows all lie inside X (a compile-time range) are done DW_RB at a
 * time in a loop: each loaded input row feeds every output row of the block that
 * uses it. The top and bottom border rows are emitted one by one with their constant
 * kernel-row ranges. Along a row, column vectors whose loads all lie inside the input row
 * take plain loads (a loop when there are many of them); border vectors take constant masks
 * (lanes whose input column is inside the row), which the compiler hoists out of the row
 * loop. Stride 2 loads 2*VL lanes per kernel-column pair and takes the even lanes for tap kw
 * and the odd lanes for tap kw + 1. Stride-1 rows of at most VL/2 outputs
 * with OW == IW are left to conv_fast.
 * Masked loads may start before X's first element; their masked-off lanes are never read.
 * The fused epilogue (cg_epilogue.h semantics, on vectors) is applied before the store,
 * which is masked only for a row's (or plane's) last partial vector.
 */
#include <string.h>

#include "codegen/cg_math.h"
#include "codegen/kernels/conv_dw.h"

#define DW_MAX_K 7
#define DW_MAX_VL 16
#define DW_MAX_ROW_VEC 64   /* row layout: at most this many vectors per output row */
#define DW_LOOP_MIN_VEC 6   /* clean column vectors in a row before they become a loop */
#define DW_RB 4             /* output rows per interior block */

typedef struct dw {
    om_cg_ctx *cx;
    const om_cg_conv_geom *g;
    const om_cg_epilogue *ep;
    int VL;
    bool fma;
    LLVMTypeRef vt, vt2;
    LLVMValueRef x, y, xc, yc;      /* xc, yc: element offsets of the current plane */
    LLVMValueRef wv[DW_MAX_K * DW_MAX_K], binit;
} dw;

/* ---- vector helpers ----------------------------------------------------------------------- */

static LLVMValueRef dw_fconst(dw *k, double v)
{
    LLVMValueRef e[DW_MAX_VL];
    for (int i = 0; i < k->VL; i++)
        e[i] = LLVMConstReal(k->cx->f32, v);
    return LLVMConstVector(e, (unsigned)k->VL);
}

static LLVMValueRef dw_splat(dw *k, LLVMValueRef s)
{
    LLVMBuilderRef b = k->cx->b;
    LLVMValueRef v = LLVMBuildInsertElement(b, LLVMGetPoison(k->vt), s, om_cg_i32(k->cx, 0), "");
    LLVMValueRef zm = LLVMConstNull(LLVMVectorType(k->cx->i32, (unsigned)k->VL));
    return LLVMBuildShuffleVector(b, v, LLVMGetPoison(k->vt), zm, "");
}

/* constant <n x i1> from bits[0..n) */
static LLVMValueRef dw_mask(dw *k, const bool *bits, int n)
{
    LLVMValueRef e[2 * DW_MAX_VL];
    for (int i = 0; i < n; i++)
        e[i] = LLVMConstInt(k->cx->i1, bits[i], 0);
    return LLVMConstVector(e, (unsigned)n);
}

/* n lanes at element idx of base; mask NULL: plain load. No inbounds GEP: masked loads may
 * start before base. */
static LLVMValueRef dw_load(dw *k, LLVMTypeRef vt, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef mask)
{
    LLVMValueRef p = LLVMBuildGEP2(k->cx->b, k->cx->f32, base, &idx, 1, "");
    if (!mask) {
        LLVMValueRef v = LLVMBuildLoad2(k->cx->b, vt, p, "");
        LLVMSetAlignment(v, 4);
        return v;
    }
    LLVMValueRef ops[4] = {p, om_cg_i32(k->cx, 4), mask, LLVMConstNull(vt)};
    return om_cg_masked_intrinsic(k->cx, "llvm.masked.load", vt, ops, 4);
}

static void dw_store(dw *k, LLVMValueRef idx, LLVMValueRef v, LLVMValueRef mask)
{
    LLVMValueRef p = LLVMBuildGEP2(k->cx->b, k->cx->f32, k->y, &idx, 1, "");
    if (!mask) {
        LLVMSetAlignment(LLVMBuildStore(k->cx->b, v, p), 4);
        return;
    }
    LLVMValueRef ops[4] = {v, p, om_cg_i32(k->cx, 4), mask};
    om_cg_masked_intrinsic(k->cx, "llvm.masked.store", k->vt, ops, 4);
}

static LLVMValueRef dw_fma(dw *k, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(k->cx, k->fma ? "llvm.fma" : "llvm.fmuladd", ops, 3);
}

/* lanes 0, 2, 4, ... (odd = false) or 1, 3, 5, ... of a <2VL x float> */
static LLVMValueRef dw_half_lanes(dw *k, LLVMValueRef v2, bool odd)
{
    LLVMValueRef idx[DW_MAX_VL];
    for (int q = 0; q < k->VL; q++)
        idx[q] = om_cg_i32(k->cx, 2 * q + (odd ? 1 : 0));
    return LLVMBuildShuffleVector(k->cx->b, v2, LLVMGetPoison(k->vt2), LLVMConstVector(idx, (unsigned)k->VL), "");
}

/* ---- epilogue on vectors (the activation: om_cg_act_apply, cg_epilogue.c) ------------------ */

/* epilogue and store of accumulator a at Y element yi (mask: the output lanes, NULL = all) */
static void dw_finish(dw *k, LLVMValueRef a, LLVMValueRef yi, LLVMValueRef mask)
{
    const om_cg_epilogue *ep = k->ep;
    if (ep->residual == 1)
        a = LLVMBuildFAdd(k->cx->b, a, dw_load(k, k->vt, ep->res, yi, mask), "");
    a = om_cg_act_apply(k->cx, k->ep, OM_DT_FLOAT, a);
    if (ep->residual == 2)
        a = LLVMBuildFAdd(k->cx->b, a, dw_load(k, k->vt, ep->res, yi, mask), "");
    dw_store(k, yi, om_cg_epilogue_round(k->cx, ep, a), mask);
}

/* ---- row layout ----------------------------------------------------------------------------- */

/* Rows oh, ..., oh + nr - 1 (oh runtime; kernel rows [khlo[q], khhi[q]) of row q inside X),
 * column vector starting at output column ow0c (constant) or ow0v (runtime, then the vector
 * is clean: all its loads lie inside the input row and all its lanes are outputs). */
static void dw_rows_vec(dw *k, LLVMValueRef oh, int nr, const int64_t *khlo, const int64_t *khhi, int64_t ow0c,
                        LLVMValueRef ow0v)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    int VL = k->VL;
    int64_t SH = g->SH, SW = g->SW;
    int64_t nv = ow0v ? VL : (g->OW - ow0c < VL ? g->OW - ow0c : VL); /* output lanes */
    LLVMValueRef a[DW_RB];
    for (int q = 0; q < nr; q++)
        a[q] = k->binit;
    LLVMValueRef ow0 = ow0v ? ow0v : om_cg_i64(cx, ow0c);
    /* input row of relative row ir: oh*SH - PH + ir */
    LLVMValueRef ih0 = om_cg_mad(cx, oh, SH, om_cg_i64(cx, -g->PH));
    int64_t nir = (nr - 1) * SH + g->KH;
    bool bits[2 * DW_MAX_VL];
    for (int64_t ir = 0; ir < nir; ir++) {
        bool used = false;
        for (int q = 0; q < nr; q++)
            used |= ir - q * SH >= khlo[q] && ir - q * SH < khhi[q];
        if (!used)
            continue;
        LLVMValueRef xr = om_cg_add(cx, k->xc, om_cg_mad(cx, om_cg_add(cx, ih0, om_cg_i64(cx, ir)), g->IW, NULL));
        LLVMValueRef xcol = om_cg_add(cx, xr, om_cg_mad(cx, ow0, SW, NULL));
        for (int64_t kw = 0; kw < g->KW; kw += SW) {
            /* SW == 1: VL lanes for tap kw; SW == 2: 2VL lanes, even ones tap kw, odd ones kw + 1 */
            int nl = (int)(SW * VL), nset = 0, nin = 0;
            int64_t off = ow0c * SW - g->PW + kw; /* input column of lane 0 (constant case) */
            for (int l = 0; l < nl; l++) {
                int64_t t = kw + l % SW;
                bool need = l / SW < nv && t < g->KW;
                bool in = ow0v ? true : off + l >= 0 && off + l < g->IW;
                bits[l] = need && in;
                nset += bits[l];
                nin += in;
            }
            if (!nset)
                continue;
            LLVMValueRef m = nin == nl ? NULL : dw_mask(k, bits, nl);
            LLVMValueRef v = dw_load(k, SW == 1 ? k->vt : k->vt2, k->x, om_cg_add(cx, xcol, om_cg_i64(cx, kw - g->PW)), m);
            for (int64_t s = 0; s < SW && kw + s < g->KW; s++) {
                LLVMValueRef tv = SW == 1 ? v : dw_half_lanes(k, v, s == 1);
                for (int q = 0; q < nr; q++) {
                    int64_t kh = ir - q * SH;
                    if (kh >= khlo[q] && kh < khhi[q])
                        a[q] = dw_fma(k, tv, k->wv[kh * g->KW + kw + s], a[q]);
                }
            }
        }
    }
    for (int i = 0; i < VL; i++)
        bits[i] = i < nv;
    LLVMValueRef sm = nv < VL ? dw_mask(k, bits, VL) : NULL;
    for (int q = 0; q < nr; q++) {
        LLVMValueRef yi = om_cg_add(cx, k->yc, om_cg_mad(cx, om_cg_add(cx, oh, om_cg_i64(cx, q)), g->OW, ow0));
        dw_finish(k, a[q], yi, sm);
    }
}

/* column vector j is clean: all lanes outputs and every load inside the input row */
static bool dw_clean(dw *k, int64_t j)
{
    const om_cg_conv_geom *g = k->g;
    int64_t ow0 = j * k->VL, nl = g->SW * k->VL;
    if (ow0 + k->VL > g->OW)
        return false;
    int64_t lo = ow0 * g->SW - g->PW, hi = lo + ((g->KW - 1) / g->SW) * g->SW + nl; /* last load's end */
    return lo >= 0 && hi <= g->IW;
}

/* All column vectors of rows oh .. oh + nr - 1. */
static void dw_rows(dw *k, LLVMValueRef oh, int nr, const int64_t *khlo, const int64_t *khhi)
{
    om_cg_ctx *cx = k->cx;
    int64_t nvec = (k->g->OW + k->VL - 1) / k->VL, c0 = 0, c1;
    while (c0 < nvec && !dw_clean(k, c0))
        c0++;
    for (c1 = c0; c1 < nvec && dw_clean(k, c1); c1++)
        ;
    if (c1 - c0 < DW_LOOP_MIN_VEC) {
        for (int64_t j = 0; j < nvec; j++)
            dw_rows_vec(k, oh, nr, khlo, khhi, j * k->VL, NULL);
        return;
    }
    for (int64_t j = 0; j < c0; j++)
        dw_rows_vec(k, oh, nr, khlo, khhi, j * k->VL, NULL);
    om_cg_loop l;
    LLVMValueRef j = om_cg_for(cx, &l, om_cg_i64(cx, c0), om_cg_i64(cx, c1), "cv");
    dw_rows_vec(k, oh, nr, khlo, khhi, 0, om_cg_mad(cx, j, k->VL, NULL));
    om_cg_for_end(cx, &l);
    for (int64_t j2 = c1; j2 < nvec; j2++)
        dw_rows_vec(k, oh, nr, khlo, khhi, j2 * k->VL, NULL);
}

/* kernel rows of output row oh inside X */
static void dw_krange(const om_cg_conv_geom *g, int64_t oh, int64_t *lo, int64_t *hi)
{
    int64_t ih0 = oh * g->SH - g->PH;
    *lo = ih0 < 0 ? -ih0 : 0;
    *hi = g->IH - ih0 < g->KH ? g->IH - ih0 : g->KH;
    if (*hi < *lo)
        *hi = *lo;
}

static void dw_row_layout(dw *k)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    /* interior rows [ra, rb): every kernel row inside X */
    int64_t ra = 0, rb;
    while (ra < g->OH && ra * g->SH - g->PH < 0)
        ra++;
    rb = ra;
    while (rb < g->OH && rb * g->SH - g->PH + g->KH <= g->IH)
        rb++;
    int64_t lo[DW_RB], hi[DW_RB];
    for (int64_t oh = 0; oh < ra; oh++) {
        dw_krange(g, oh, &lo[0], &hi[0]);
        dw_rows(k, om_cg_i64(cx, oh), 1, lo, hi);
    }
    int rbk = DW_RB;
    for (int q = 0; q < DW_RB; q++) {
        lo[q] = 0;
        hi[q] = g->KH;
    }
    int64_t nblk = (rb - ra) / rbk;
    if (nblk > 0) {
        om_cg_loop l;
        LLVMValueRef bi = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, nblk), "rblk");
        dw_rows(k, om_cg_mad(cx, bi, rbk, om_cg_i64(cx, ra)), rbk, lo, hi);
        om_cg_for_end(cx, &l);
    }
    int64_t rem = (rb - ra) - nblk * rbk;
    if (rem > 0)
        dw_rows(k, om_cg_i64(cx, ra + nblk * rbk), (int)rem, lo, hi);
    for (int64_t oh = rb; oh < g->OH; oh++) {
        dw_krange(g, oh, &lo[0], &hi[0]);
        dw_rows(k, om_cg_i64(cx, oh), 1, lo, hi);
    }
}

/* ---- entry ------------------------------------------------------------------------------------ */

om_status om_cg_conv_dw(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done)
{
    *done = false;
    int VL, regs;
    bool fma;
    om_cg_conv_simd(cx, &VL, &regs, &fma);
    if (g->group != g->C || g->M != g->C || g->KH > DW_MAX_K || g->KW > DW_MAX_K || g->DH != 1 || g->DW != 1 ||
        g->SH < 1 || g->SH > 2 || g->SW < 1 || g->SW > 2 || g->PH >= g->KH || g->PW >= g->KW)
        return OM_OK;
    /* stride-1 rows narrower than half a vector waste most lanes: conv_fast's flat layout
     * (lanes along the plane, masks shared by a block of channels) does better there */
    int64_t L = g->OH * g->OW;
    bool flat_ok = g->SH == 1 && g->SW == 1 && g->OW == g->IW;
    if ((flat_ok && 2 * g->OW <= VL) || (g->OW + VL - 1) / VL > DW_MAX_ROW_VEC)
        return OM_OK;
    if (g->IH * g->IW > ((int64_t)1 << 40))
        return OM_OK;
    dw k = {.cx = cx, .g = g, .ep = ep, .VL = VL, .fma = fma};
    k.vt = LLVMVectorType(cx->f32, (unsigned)VL);
    k.vt2 = LLVMVectorType(cx->f32, (unsigned)(2 * VL));
    k.x = om_cg_in(cx, 0);
    LLVMValueRef w = om_cg_in(cx, 1), bias = g->has_bias ? om_cg_in(cx, 2) : NULL;
    k.y = om_cg_out(cx, 0);

    om_cg_loop lw;
    LLVMValueRef wi = om_cg_for_work(cx, &lw, g->N * g->C, "plane");
    LLVMValueRef c = LLVMBuildURem(cx->b, wi, om_cg_i64(cx, g->C), "c");
    k.xc = om_cg_mad(cx, wi, g->IH * g->IW, NULL);
    k.yc = om_cg_mad(cx, wi, L, NULL);
    int64_t KK = g->KH * g->KW;
    for (int64_t t = 0; t < KK; t++)
        k.wv[t] = dw_splat(&k, om_cg_load(cx, OM_DT_FLOAT, w, om_cg_mad(cx, c, KK, om_cg_i64(cx, t))));
    k.binit = bias ? dw_splat(&k, om_cg_load(cx, OM_DT_FLOAT, bias, c)) : dw_fconst(&k, 0);
    dw_row_layout(&k);
    om_cg_for_end(cx, &lw);
    *done = true;
    return OM_OK;
}
