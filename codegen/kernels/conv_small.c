/* Output-channel-vectorized f32 convolution for small output planes (see conv_small.h).
 *
 * Y[n, co, p] for the L = OH*OW <= 196 positions p is an implicit GEMM
 *     Y[p][co] = sum_k A[p][k] * B[k][co],  A[p][k] = X[n, c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW]
 * with k = (c, kh, kw) and B the packed weights (panels of NB = 16 or 32 output channels,
 * row-major [K][NB]). The lanes run along output channels: a register tile is P positions x
 * NB/16 vectors of 16 channels (P up to 12 for NB 32, 16 for NB 16; 1x1 with NB 32: up to 13
 * when that saves a tile; tiles of a plane differ by at most one position); per input channel c (a
 * run-time loop) and tap (unrolled) it does NB/16 vector loads of B, P scalar loads of X
 * (broadcast) and P*NB/16 llvm.fma. The positions of every tile are compile-time constants
 * (the plane is small, so the tiles are unrolled), hence each (position, tap) pair's X
 * offset and whether it falls in the zero padding are known at compile time: padded taps
 * are simply not emitted. Bias initializes the accumulators (vector loads); at the end of
 * the tile the accumulators go to a stack buffer [P][NB]; per output channel (a run-time
 * loop) its P values are gathered into one vector, go through the fused epilogue
 * (cg_epilogue.h semantics on vectors: residual and every activation) and are stored with
 * one (masked) vector store to Y[n, co, p0..] (NCHW: a channel's positions are contiguous).
 * Work items are (image, channel panel), and with fewer than CS_MIN_ITEMS of those also the
 * group of position tiles: each writes NB whole output planes (or its tiles of them), so two
 * threads split the work evenly; items share a cache line only at a group edge or where NB*L*4
 * is not a multiple of 64. When the weights are smaller than the X a thread reads, the items
 * are (image, position half, panel) instead: two threads then split the positions and each
 * reads half of X (see the choice in om_cg_conv_small). The tile loop order (positions outer, K inner) re-reads the panel's
 * weights (K*NB*4 bytes, <= 590 KiB for ResNet-50's 3x3 512) from L2 once per tile.
 * Every W vector load also prefetches a line of the next panel (the thread's next work
 * item) into L2: a model's weights come from DRAM, and the first tile of a panel would
 * otherwise wait for them (ResNet-50 stage 4 shapes, 3 x (3x3 512, 1x1 512->2048, 1x1
 * 2048->512) at 7x7, 1 thread: 13.5 -> 10.9 ms; prefetching only in the first or last
 * tile, or into L1, measured no better). The item's tiles share that work: tile i of n
 * prefetches rows [i*K/n, (i+1)*K/n) of the next panel, spread over its own K loop, so the
 * panel streams in while all of them run (before, each tile prefetched the whole panel and
 * the first one waited on DRAM: ResNet-50 61.8 -> 57.4 ms at 1 thread, 33.2 -> 30.6 ms at 2,
 * 5 and 3 alternating omrun rounds; 512 3x3 at 7x7 alone 1.43 -> 1.32 ms).
 */
#include <string.h>

#include "codegen/cg_math.h"
#include "codegen/kernels/conv_small.h"

#define CS_VL 16
#define CS_MAX_NV 2
#define CS_MAX_P 16
/* 1x1 with 32-channel panels on AVX-512: up to 13 positions (26 accumulators) per tile when
 * that saves a tile. Measured on a Sapphire-Rapids-class Xeon: 2048->512 7x7 0.718 -> 0.677 ms; 3x3
 * kernels got slower with 13 (1.66 -> 1.77 ms at 512 7x7), so they keep 12. */
#define CS_P_WIDE_1X1 13
/* 1x1: prefetch distance in input channels for X and W into L1. Measured (1 thread, alternating
 * omrun medians): 1024->256 14x14 0.776 -> 0.682 ms, 2048->512 7x7 0.722 -> 0.661 ms (distance
 * 2/4 no better, 8 and 16 alike); for 3x3 kernels neither helped (W into L1: 4-6% slower).
 * 16 because with 2 threads half of X comes from the other core's L2, further away
 * (MobileNetV2 2 threads: 384->64 14x14 0.045 -> 0.040 ms, 576->96 0.087 -> 0.079 ms). */
#define CS_PF_1X1 16
#define CS_MAX_PLANE 256
#define CS_MAX_TAPS 64
#define CS_MIN_ITEMS 8 /* split the position tiles into groups below this many panels */

typedef struct cs {
    om_cg_ctx *cx;
    const om_cg_conv_geom *g;
    LLVMTypeRef vt;
    bool fma;
    int NV, P;
    int64_t KK, L, IHW, NB;
    int64_t panel; /* elements of one weight panel (K x NB) */
    int64_t K;     /* rows of a panel: C x KK */
    LLVMValueRef x, w, y;
    LLVMValueRef tbuf; /* [P][NB] floats: the tile on its way to Y */
    LLVMValueRef acc[CS_MAX_P * CS_MAX_NV];
} cs;

static LLVMValueRef cs_vload(cs *k, LLVMValueRef base, LLVMValueRef idx)
{
    LLVMValueRef p = LLVMBuildGEP2(k->cx->b, k->cx->f32, base, &idx, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(k->cx->b, k->vt, p, "");
    LLVMSetAlignment(v, 4);
    return v;
}

static LLVMValueRef cs_splat(cs *k, LLVMValueRef s)
{
    LLVMBuilderRef b = k->cx->b;
    LLVMValueRef v = LLVMBuildInsertElement(b, LLVMGetPoison(k->vt), s, om_cg_i32(k->cx, 0), "");
    LLVMValueRef zm = LLVMConstNull(LLVMVectorType(k->cx->i32, CS_VL));
    return LLVMBuildShuffleVector(b, v, LLVMGetPoison(k->vt), zm, "");
}

static LLVMValueRef cs_fma(cs *k, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(k->cx, k->fma ? "llvm.fma" : "llvm.fmuladd", ops, 3);
}

/* <16 x i1> with lanes [0, n) set */
static LLVMValueRef cs_prefix_mask(cs *k, int64_t n)
{
    LLVMValueRef e[CS_VL];
    for (int i = 0; i < CS_VL; i++)
        e[i] = LLVMConstInt(k->cx->i1, i < n, 0);
    return LLVMConstVector(e, CS_VL);
}

/* 16 floats at element idx of base, lanes outside mask (NULL: all) zero and not read */
static LLVMValueRef cs_mload(cs *k, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef mask)
{
    if (!mask)
        return cs_vload(k, base, idx);
    LLVMValueRef p = LLVMBuildGEP2(k->cx->b, k->cx->f32, base, &idx, 1, "");
    LLVMValueRef ops[4] = {p, om_cg_i32(k->cx, 4), mask, LLVMConstNull(k->vt)};
    return om_cg_masked_intrinsic(k->cx, "llvm.masked.load", k->vt, ops, 4);
}

static void cs_mstore(cs *k, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef v, LLVMValueRef mask)
{
    LLVMValueRef p = LLVMBuildGEP2(k->cx->b, k->cx->f32, base, &idx, 1, "");
    if (!mask) {
        LLVMValueRef st = LLVMBuildStore(k->cx->b, v, p);
        LLVMSetAlignment(st, 4);
        return;
    }
    LLVMValueRef ops[4] = {v, p, om_cg_i32(k->cx, 4), mask};
    om_cg_masked_intrinsic(k->cx, "llvm.masked.store", k->vt, ops, 4);
}

/* X offset inside a channel plane of position p, tap (kh, kw), or -1 in the padding. */
static int64_t cs_xoff(const cs *k, int64_t p, int64_t kh, int64_t kw)
{
    const om_cg_conv_geom *g = k->g;
    int64_t oh = p / g->OW, ow = p % g->OW;
    int64_t ih = oh * g->SH - g->PH + kh * g->DH, iw = ow * g->SW - g->PW + kw * g->DW;
    if (ih < 0 || ih >= g->IH || iw < 0 || iw >= g->IW)
        return -1;
    return ih * g->IW + iw;
}

/* Positions [p0, p0 + np) of the panel at wp (element offset of its B), image X at xn, Y
 * channels of the panel at yb; bv: the bias vectors (or zeros). The tile is number `share`
 * of the `shares` tiles its work item runs on this panel, and prefetches that share of the
 * next panel's rows. */
static void cs_tile(cs *k, const om_cg_epilogue *ep, int64_t p0, int np, LLVMValueRef xn, LLVMValueRef wp,
                    LLVMValueRef yb, LLVMValueRef *bv, int64_t share, int64_t shares)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    int NV = k->NV, na = np * NV;
    LLVMValueRef a[CS_MAX_P * CS_MAX_NV];
    for (int q = 0; q < na; q++)
        LLVMBuildStore(cx->b, bv[q % NV], k->acc[q]);
    om_cg_loop lc;
    LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, g->C), "c");
    for (int q = 0; q < na; q++)
        a[q] = LLVMBuildLoad2(cx->b, k->vt, k->acc[q], "");
    LLVMValueRef xc = om_cg_mad(cx, c, k->IHW, xn);
    LLVMValueRef wc = om_cg_mad(cx, c, k->KK * k->NB, wp);
    if (k->KK == 1) {
        /* 1x1: this tile's X line(s) and the panel's W lines CS_PF_1X1 channels ahead, into
         * L1 (the tile's X row is a new line every channel; W streams from L2) */
        int64_t x0 = cs_xoff(k, p0, 0, 0), x1 = cs_xoff(k, p0 + np - 1, 0, 0);
        for (int64_t o = x0; o <= x1 + 15; o += 16)
            om_cg_prefetch(cx, cx->f32, k->x, om_cg_add(cx, xc, om_cg_i64(cx, CS_PF_1X1 * k->IHW + (o < x1 ? o : x1))), 3);
        for (int64_t o = 0; o < k->NB; o += 16)
            om_cg_prefetch(cx, cx->f32, k->w, om_cg_add(cx, wc, om_cg_i64(cx, CS_PF_1X1 * k->NB + o)), 3);
    }
    for (int64_t kh = 0; kh < g->KH; kh++)
        for (int64_t kw = 0; kw < g->KW; kw++) {
            int64_t tap = kh * g->KW + kw;
            bool any = false;
            for (int i = 0; i < np && !any; i++)
                any = cs_xoff(k, p0 + i, kh, kw) >= 0;
            if (!any)
                continue;
            LLVMValueRef wv[CS_MAX_NV];
            for (int v = 0; v < NV; v++) {
                LLVMValueRef wi = om_cg_add(cx, wc, om_cg_i64(cx, tap * k->NB + v * CS_VL));
                wv[v] = cs_vload(k, k->w, wi);
                /* row (share * K + c * KK + tap) / shares of the next panel: the item's tiles
                 * fetch it a share each while they run, instead of all of it in each tile */
                om_cg_prefetch_share(cx, cx->f32, k->w, om_cg_add(cx, wp, om_cg_i64(cx, k->panel + v * CS_VL)),
                                     om_cg_mad(cx, c, k->KK, om_cg_i64(cx, share * k->K + tap)), shares, k->NB, 1,
                                     CS_VL);
            }
            for (int i = 0; i < np; i++) {
                int64_t off = cs_xoff(k, p0 + i, kh, kw);
                if (off < 0)
                    continue;
                LLVMValueRef xs = cs_splat(k, om_cg_load(cx, OM_DT_FLOAT, k->x, om_cg_add(cx, xc, om_cg_i64(cx, off))));
                for (int v = 0; v < NV; v++)
                    a[i * NV + v] = cs_fma(k, xs, wv[v], a[i * NV + v]);
            }
        }
    for (int q = 0; q < na; q++)
        LLVMBuildStore(cx->b, a[q], k->acc[q]);
    om_cg_for_end(cx, &lc);

    /* the tile to the stack [np][NB], then per channel (a run-time loop) its np outputs */
    for (int q = 0; q < na; q++) {
        LLVMValueRef idx = om_cg_i64(cx, (int64_t)(q / NV) * k->NB + (q % NV) * CS_VL);
        LLVMValueRef st = LLVMBuildStore(cx->b, LLVMBuildLoad2(cx->b, k->vt, k->acc[q], ""),
                                         LLVMBuildGEP2(cx->b, cx->f32, k->tbuf, &idx, 1, ""));
        LLVMSetAlignment(st, 4);
    }
    om_cg_loop lj;
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, k->NB), "j");
    LLVMValueRef yj = om_cg_mad(cx, j, k->L, om_cg_add(cx, yb, om_cg_i64(cx, p0)));
    LLVMValueRef v = LLVMGetPoison(k->vt);
    for (int i = 0; i < np; i++) {
        LLVMValueRef e = om_cg_load(cx, OM_DT_FLOAT, k->tbuf, om_cg_add(cx, j, om_cg_i64(cx, (int64_t)i * k->NB)));
        v = LLVMBuildInsertElement(cx->b, v, e, om_cg_i32(cx, i), "");
    }
    LLVMValueRef mask = np < CS_VL ? cs_prefix_mask(k, np) : NULL;
    if (ep->residual == 1)
        v = LLVMBuildFAdd(cx->b, v, cs_mload(k, ep->res, yj, mask), "");
    v = om_cg_act_apply(k->cx, ep, OM_DT_FLOAT, v);
    if (ep->residual == 2)
        v = LLVMBuildFAdd(cx->b, v, cs_mload(k, ep->res, yj, mask), "");
    cs_mstore(k, k->y, yj, om_cg_epilogue_round(cx, ep, v), mask);
    om_cg_for_end(cx, &lj);
}

om_status om_cg_conv_small(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, int64_t nb)
{
    int64_t L = g->OH * g->OW;
    if (g->group != 1 || (nb != 16 && nb != 32) || g->M % nb != 0 || L < 1 || L > CS_MAX_PLANE ||
        g->KH * g->KW > CS_MAX_TAPS || (ep->residual && ep->dt != OM_DT_FLOAT))
        return om_error(OM_ERR_INVALID_MODEL,
                        "Conv with om_packed_conv %lld: needs group 1, M %lld a multiple of it, an output plane "
                        "of at most %d and at most %d taps (found group %lld, plane %lld, %lld taps)",
                        (long long)nb, (long long)g->M, CS_MAX_PLANE, CS_MAX_TAPS, (long long)g->group,
                        (long long)L, (long long)(g->KH * g->KW));
    int lanes, regs;
    bool fma;
    om_cg_conv_simd(cx, &lanes, &regs, &fma);
    cs k = {.cx = cx, .g = g, .fma = fma, .NB = nb, .NV = (int)(nb / CS_VL), .KK = g->KH * g->KW, .L = L,
            .IHW = g->IH * g->IW};
    k.P = k.NV == 2 ? 12 : 16;
    int64_t ntile = (L + k.P - 1) / k.P;
    if (k.NV == 2 && k.KK == 1 && lanes == 16) {
        /* 1x1: tiles of up to CS_P_WIDE_1X1 positions when that saves a tile */
        int64_t ntw = (L + CS_P_WIDE_1X1 - 1) / CS_P_WIDE_1X1;
        if (ntw < ntile)
            ntile = ntw;
    }
    /* balanced tiles: tile t covers positions [t*L/ntile, (t+1)*L/ntile), so no tile is a
     * short, FMA-latency-bound remainder (7x7 3x3: 10+10+10+10+9 instead of 12+12+12+12+1,
     * 512->512 alone 1.46 -> 1.36 ms; 1x1 7x7: 12+12+12+13) */
    k.P = (int)((L + ntile - 1) / ntile);
    k.vt = LLVMVectorType(cx->f32, CS_VL);
    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    k.y = om_cg_out(cx, 0);
    LLVMValueRef bias = g->has_bias ? om_cg_in(cx, 2) : NULL;
    for (int q = 0; q < k.P * k.NV; q++)
        k.acc[q] = om_cg_alloca(cx, k.vt, "acc");
    k.tbuf = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(k.P * nb)), "tile");
    LLVMSetAlignment(k.tbuf, 64);
    int64_t npanel = g->M / nb, K = g->C * k.KK;
    k.panel = K * nb;
    k.K = K;

    /* Work items. A thread reads either half the panels and all of X (items by panel) or
     * all the panels and half of X (items by position group): by position when the weights
     * are the smaller part (M*KK < X elements read per channel; MobileNetV2's 14x14 1x1
     * projections), two groups, ordered (image, group, panel) so that two threads split the
     * positions, whatever the panel count (measured, 2 threads: 384->64 14x14 0.054 -> 0.046
     * ms, 576->96 0.112 -> 0.091 ms; at 7x7, where W is 3x X, by position was 5% slower).
     * By panel, with fewer than CS_MIN_ITEMS panels the tiles are also split into ngroup
     * groups, group fastest, so two threads share a step evenly (3 items ran slower on 2
     * threads than on 1). */
    int64_t ngroup = 1;
    int64_t xread = k.IHW < L * k.KK ? k.IHW : L * k.KK;
    bool by_pos = g->M * k.KK < xread && ntile >= 2;
    if (by_pos)
        ngroup = 2;
    else
        while (g->N * npanel * ngroup < CS_MIN_ITEMS && ngroup < ntile)
            ngroup++;
    om_cg_loop lw;
    LLVMValueRef it = om_cg_for_work(cx, &lw, g->N * npanel * ngroup, "item");
    LLVMValueRef grp, wi; /* wi = n * npanel + panel */
    if (by_pos) {
        LLVMValueRef ng = LLVMBuildUDiv(cx->b, it, om_cg_i64(cx, npanel), "");
        grp = LLVMBuildURem(cx->b, ng, om_cg_i64(cx, ngroup), "group");
        wi = om_cg_mad(cx, LLVMBuildUDiv(cx->b, ng, om_cg_i64(cx, ngroup), ""), npanel,
                       LLVMBuildURem(cx->b, it, om_cg_i64(cx, npanel), ""));
    } else {
        grp = LLVMBuildURem(cx->b, it, om_cg_i64(cx, ngroup), "group");
        wi = LLVMBuildUDiv(cx->b, it, om_cg_i64(cx, ngroup), "");
    }
    LLVMValueRef pn = LLVMBuildURem(cx->b, wi, om_cg_i64(cx, npanel), "panel");
    LLVMValueRef n = LLVMBuildUDiv(cx->b, wi, om_cg_i64(cx, npanel), "n");
    LLVMValueRef co0 = om_cg_mad(cx, pn, nb, NULL);
    LLVMValueRef xn = om_cg_mad(cx, n, g->C * k.IHW, NULL);
    LLVMValueRef wp = om_cg_mad(cx, pn, K * nb, NULL);
    LLVMValueRef yb = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, n, g->M, NULL), co0), L, NULL);
    LLVMValueRef bv[CS_MAX_NV];
    for (int v = 0; v < k.NV; v++)
        bv[v] = bias ? cs_vload(&k, bias, om_cg_add(cx, co0, om_cg_i64(cx, v * CS_VL))) : LLVMConstNull(k.vt);
    /* switch (group): case q emits tiles [q*ntile/ngroup, (q+1)*ntile/ngroup) */
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "groups_done");
    LLVMValueRef sw = LLVMBuildSwitch(cx->b, grp, done, (unsigned)ngroup);
    for (int64_t q = 0; q < ngroup; q++) {
        LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "group");
        LLVMAddCase(sw, om_cg_i64(cx, q), bb);
        LLVMPositionBuilderAtEnd(cx->b, bb);
        int64_t t0 = q * ntile / ngroup, t1 = (q + 1) * ntile / ngroup;
        for (int64_t t = t0; t < t1; t++) {
            int64_t p0 = t * L / ntile;
            int np = (int)((t + 1) * L / ntile - p0);
            cs_tile(&k, ep, p0, np, xn, wp, yb, bv, t - t0, t1 - t0);
        }
        LLVMBuildBr(cx->b, done);
    }
    LLVMPositionBuilderAtEnd(cx->b, done);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
