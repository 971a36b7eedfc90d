/* WinogradConv (ir/ops/fused.def; made by passes/conv_winograd.c): a 3x3 stride-1 f32
 * convolution by F(4x4, 3x3),  Y_tile = A^T [ U (.) (B^T d B) ] A  per 4x4 output tile, with
 * the products over input channels done as GEMMs.
 *
 * The output plane is cut into th x tw tiles of 4x4 (th = ceil(OH/4), tw = ceil(OW/4)). A work
 * item is (image, block of R tile rows, block of output channels); its R*tw tiles are the
 * columns of the GEMMs, so explicit vectors run along tiles (VL lanes: 16 on AVX-512):
 *   1. input transform, per input channel, tile row and chunk of VL tiles: the six input rows
 *      of the tiles are read with one masked <4VL> load each (plus two lanes of a second load
 *      for the last tile's overlap; zero padding and rows outside X are masked off, so
 *      nothing outside X is read), deinterleaved by shuffles into d[i][j] (vector over the
 *      chunk's tiles), transformed (B^T d B, constant coefficients, zeros skipped) and stored
 *      into V[xi][c][col] (36 x C x TBp floats on the stack; col = r*tw + tile);
 *   2. per chunk of MBc output channels: for each of the 36 positions xi, the GEMM
 *      Cs[xi][m][col] = sum_c U[xi][m][c] * V[xi][c][col] with the 8 x (<= 2 VL) register
 *      micro-tile of gemm_tile.h (U's 8 weights of a channel are one 32-byte run: the pass's
 *      [36][M/8][C][8] layout); the first column tile also prefetches into L2 the same U
 *      run of the next position xi + 1 (a model's U comes from DRAM: ResNet-50's shapes in
 *      chains of 30 convs with their own weights, 1 thread: 28x28x128 1.19 -> 0.89 ms per
 *      conv, 56x56x64 0.90 -> 0.80 ms);
 *   3. output transform per output channel, tile row and chunk: A^T m A, interleaved back
 *      into four <4VL> output rows, bias, the fused epilogue (cg_epilogue.h semantics on
 *      vectors: residual before or after the activation) and one masked store per row.
 * Scratch: V and Cs of each item in its own slot of the node's workspace output (output 1,
 * planned in the arena like any value; sizes in ir/winograd.h); they stay in L2 while the 36
 * GEMMs read them. Nothing is on the stack, and items never share scratch.
 * Accuracy: the transforms use the points 0, +-1, +-2 (Lavin & Gray); with f32 arithmetic the
 * result differs from the direct convolution by a few ulps of the sum of |w*x| (the unit test
 * bounds it by 1e-5 relative to that sum). Results do not depend on the thread count.
 */
#include <string.h>

#include "codegen/cg_epilogue.h"
#include "codegen/kernels/ew_vec.h"
#include "codegen/kernels/gemm_tile.h"
#include "ir/winograd.h"


/* F(4x4, 3x3) input transform B^T (6x6) and output transform A^T (4x6). */
static const double wg_BT[6][6] = {
    {4, 0, -5, 0, 1, 0},
    {0, -4, -4, 1, 1, 0},
    {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0},
    {0, 2, -1, -2, 1, 0},
    {0, 4, 0, -5, 0, 1},
};
static const double wg_AT[4][6] = {
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0},
    {0, 1, 1, 4, 4, 0},
    {0, 1, -1, 8, -8, 1},
};

typedef struct wg {
    om_cg_ctx *cx;
    int VL;
    LLVMTypeRef vt, wt; /* <VL x float>, <4VL x float> */
    int64_t N, C, H, W, M, OH, OW, PT, PL;
    om_winograd_plan pl; /* tiling, shared with the pass (ir/winograd.h) */
    LLVMValueRef x, u, bias, y, v, cs; /* v, cs: this item's V and Cs in the workspace */
    om_cg_epilogue ep;
} wg;

static int64_t wg_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* sum_j coef[j] * in[j] over the non-zero coefficients (at least one). */
static LLVMValueRef wg_lincomb(wg *k, const double *coef, LLVMValueRef *in, int n)
{
    LLVMBuilderRef b = k->cx->b;
    LLVMValueRef acc = NULL;
    for (int j = 0; j < n; j++) {
        double c = coef[j];
        if (c == 0)
            continue;
        LLVMValueRef v = in[j];
        if (!acc) {
            acc = c == 1 ? v : c == -1 ? LLVMBuildFNeg(b, v, "") : LLVMBuildFMul(b, v, om_cg_vec_const(k->cx->f32, c, k->VL), "");
        } else if (c == 1) {
            acc = LLVMBuildFAdd(b, acc, v, "");
        } else if (c == -1) {
            acc = LLVMBuildFSub(b, acc, v, "");
        } else {
            LLVMValueRef ops[3] = {v, om_cg_vec_const(k->cx->f32, c, k->VL), acc};
            acc = om_cg_intrinsic(k->cx, "llvm.fmuladd", ops, 3);
        }
    }
    return acc;
}

/* <n x i1> constant: lane l is on when lo <= l < hi. */
static LLVMValueRef wg_lane_range(wg *k, int n, int64_t lo, int64_t hi)
{
    LLVMValueRef bits[64];
    for (int l = 0; l < n; l++)
        bits[l] = LLVMConstInt(k->cx->i1, l >= lo && l < hi, 0);
    return LLVMConstVector(bits, (unsigned)n);
}

static LLVMValueRef wg_and_splat(wg *k, LLVMValueRef mask, LLVMValueRef cond, int n)
{
    LLVMValueRef s = om_cg_vec_splat(k->cx, cond, n);
    return LLVMBuildAnd(k->cx->b, mask, s, "");
}

/* Shuffle mask selecting lanes first + stride*t, t < VL. */
static LLVMValueRef wg_stride_mask(wg *k, int first, int stride)
{
    LLVMValueRef idx[64];
    for (int t = 0; t < k->VL; t++)
        idx[t] = om_cg_i32(k->cx, first + stride * t);
    return LLVMConstVector(idx, (unsigned)k->VL);
}

/* Input transform of the chunk of `active` tiles starting at tile column tx0 of tile row ty
 * (i64), channel base xbase (i64): 36 vectors stored at V[xi][c][col0..]. */
static void wg_input_chunk(wg *k, LLVMValueRef ty, LLVMValueRef xbase, LLVMValueRef vcol, int64_t tx0, int active)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    int VL = k->VL, W4 = 4 * VL;
    int64_t c0 = 4 * tx0 - k->PL; /* input column of lane 0 */
    int64_t need = 4 * (int64_t)active + 2; /* lanes [0, need) of the row segment are used */
    LLVMValueRef m1 = wg_lane_range(k, W4, -c0, k->W - c0 < need ? k->W - c0 : need);
    bool second = need > W4;
    LLVMValueRef m2 = second ? wg_lane_range(k, W4, -(c0 + W4), (k->W - c0 < need ? k->W - c0 : need) - W4) : NULL;
    LLVMValueRef e[6][6];
    for (int i = 0; i < 6; i++) {
        LLVMValueRef yy = om_cg_add(cx, om_cg_mad(cx, ty, 4, NULL), om_cg_i64(cx, i - k->PT));
        LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, yy, om_cg_i64(cx, 0), ""),
                                       LLVMBuildICmp(b, LLVMIntSLT, yy, om_cg_i64(cx, k->H), ""), "");
        LLVMValueRef yc = LLVMBuildSelect(b, ok, yy, om_cg_i64(cx, 0), "");
        LLVMValueRef idx = om_cg_add(cx, om_cg_add(cx, xbase, om_cg_mad(cx, yc, k->W, NULL)), om_cg_i64(cx, c0));
        LLVMValueRef l1 = om_cg_vec_load_masked(cx, cx->f32, k->x, idx, wg_and_splat(k, m1, ok, W4));
        LLVMValueRef l2 = second ? om_cg_vec_load_masked(cx, cx->f32, k->x, om_cg_add(cx, idx, om_cg_i64(cx, W4)),
                                                         wg_and_splat(k, m2, ok, W4))
                                 : LLVMConstNull(k->wt);
        LLVMValueRef d[6];
        for (int j = 0; j < 6; j++) {
            d[j] = LLVMBuildShuffleVector(b, l1, l2, wg_stride_mask(k, j, 4), "");
            if (VL < 16) {
                /* the masked-off lanes again, after the shuffle: LLVM 19 lowers this masked
                 * load + stride-4 shuffle for AVX2 so that lane 4t+j of a row's padding reads
                 * the next row (a miscompile; measured on x86-64-v3, not on AVX-512 / SSE) */
                LLVMValueRef bits[64];
                for (int t = 0; t < VL; t++) {
                    int64_t col = c0 + 4 * t + j;
                    bits[t] = LLVMConstInt(cx->i1, col >= 0 && col < k->W && 4 * t + j < need, 0);
                }
                LLVMValueRef dm = wg_and_splat(k, LLVMConstVector(bits, (unsigned)VL), ok, VL);
                d[j] = LLVMBuildSelect(b, dm, d[j], LLVMConstNull(k->vt), "");
            }
        }
        for (int q = 0; q < 6; q++) /* (d B)[i][q] = sum_j d[j] BT[q][j] */
            e[i][q] = wg_lincomb(k, wg_BT[q], d, 6);
    }
    for (int a = 0; a < 6; a++)
        for (int q = 0; q < 6; q++) {
            LLVMValueRef col[6];
            for (int i = 0; i < 6; i++)
                col[i] = e[i][q];
            LLVMValueRef v = wg_lincomb(k, wg_BT[a], col, 6);
            int64_t xi = a * 6 + q;
            LLVMValueRef at = om_cg_add(cx, om_cg_i64(cx, xi * k->C * k->pl.TBp), vcol);
            om_cg_vec_store(cx, k->v, at, v, active);
        }
}

/* Output transform, epilogue and store of the chunk (tile row ty, `active` tiles from tx0)
 * of output channel m (i64) of image n; its 36 GEMM results at Cs[xi][mm][col0..]. */
static void wg_output_chunk(wg *k, LLVMValueRef n, LLVMValueRef m, LLVMValueRef ty, LLVMValueRef cscol,
                            LLVMValueRef bias, int64_t tx0, int active)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    int VL = k->VL, W4 = 4 * VL;
    LLVMValueRef mv[6][6], t[6][4];
    for (int i = 0; i < 6; i++)
        for (int q = 0; q < 6; q++) {
            LLVMValueRef at = om_cg_add(cx, om_cg_i64(cx, (i * 6 + q) * k->pl.MBc * k->pl.TBp), cscol);
            mv[i][q] = om_cg_vec_load(cx, cx->f32, k->cs, at, VL, active);
        }
    for (int i = 0; i < 6; i++)
        for (int q = 0; q < 4; q++)
            t[i][q] = wg_lincomb(k, wg_AT[q], mv[i], 6);
    int64_t ox0 = 4 * tx0;
    LLVMValueRef cmask = wg_lane_range(k, W4, 0, k->OW - ox0 < 4 * (int64_t)active ? k->OW - ox0 : 4 * (int64_t)active);
    LLVMValueRef lo_mask[64], cat_mask[64];
    for (int l = 0; l < 2 * VL; l++)
        lo_mask[l] = om_cg_i32(cx, l);
    for (int l = 0; l < W4; l++) { /* lane 4t + q <- o[q][t] */
        int tt = l / 4, q = l % 4;
        cat_mask[l] = om_cg_i32(cx, q < 2 ? q * VL + tt : 2 * VL + (q - 2) * VL + tt);
    }
    LLVMValueRef lom = LLVMConstVector(lo_mask, (unsigned)(2 * VL)), catm = LLVMConstVector(cat_mask, (unsigned)W4);
    LLVMValueRef plane = om_cg_mul(cx, om_cg_add(cx, om_cg_mul(cx, n, om_cg_i64(cx, k->M)), m), om_cg_i64(cx, k->OH * k->OW));
    for (int p = 0; p < 4; p++) {
        LLVMValueRef o[4];
        for (int q = 0; q < 4; q++) {
            LLVMValueRef col[6];
            for (int i = 0; i < 6; i++)
                col[i] = t[i][q];
            o[q] = wg_lincomb(k, wg_AT[p], col, 6);
        }
        LLVMValueRef s01 = LLVMBuildShuffleVector(b, o[0], o[1], lom, "");
        LLVMValueRef s23 = LLVMBuildShuffleVector(b, o[2], o[3], lom, "");
        LLVMValueRef row = LLVMBuildShuffleVector(b, s01, s23, catm, "");
        LLVMValueRef yy = om_cg_add(cx, om_cg_mad(cx, ty, 4, NULL), om_cg_i64(cx, p));
        LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntSLT, yy, om_cg_i64(cx, k->OH), "");
        LLVMValueRef yc = LLVMBuildSelect(b, ok, yy, om_cg_i64(cx, 0), "");
        LLVMValueRef mask = wg_and_splat(k, cmask, ok, W4);
        LLVMValueRef at = om_cg_add(cx, plane, om_cg_add(cx, om_cg_mad(cx, yc, k->OW, NULL), om_cg_i64(cx, ox0)));
        if (bias)
            row = LLVMBuildFAdd(b, row, om_cg_vec_splat(cx, bias, W4), "");
        if (k->ep.residual == 1)
            row = LLVMBuildFAdd(b, row, om_cg_vec_load_masked(cx, cx->f32, k->ep.res, at, mask), "");
        if (k->ep.act != OM_CG_ACT_NONE)
            row = om_cg_act_apply(cx, &k->ep, OM_DT_FLOAT, row);
        if (k->ep.residual == 2)
            row = LLVMBuildFAdd(b, row, om_cg_vec_load_masked(cx, cx->f32, k->ep.res, at, mask), "");
        om_cg_vec_store_masked(cx, k->y, at, om_cg_epilogue_round(cx, &k->ep, row), mask);
    }
}

om_status om_cg_emit_winograd_conv(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vu = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->outputs[0];
    const char *nm = n->name ? n->name : "";
    if (!vx || !vu || !vy || vx->dtype != OM_DT_FLOAT || vu->dtype != OM_DT_FLOAT || vy->dtype != OM_DT_FLOAT ||
        vx->shape.rank != 4 || vu->shape.rank != 3 || vy->shape.rank != 4)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (WinogradConv): needs f32 X [N,C,H,W], U [36,M,C], Y", nm);
    wg k = {.cx = cx};
    k.N = vx->shape.dims[0];
    k.C = vx->shape.dims[1];
    k.H = vx->shape.dims[2];
    k.W = vx->shape.dims[3];
    k.M = vu->shape.dims[1];
    k.OH = vy->shape.dims[2];
    k.OW = vy->shape.dims[3];
    const int64_t *p = NULL;
    if (om_node_ints(n, "pads", &p) != 4)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (WinogradConv): attribute pads must have 4 values", nm);
    k.PT = p[0];
    k.PL = p[1];
    if (vu->shape.dims[0] != 36 || vu->shape.dims[2] != k.C || k.M % OM_WINOGRAD_MR || vy->shape.dims[0] != k.N ||
        vy->shape.dims[1] != k.M || k.OH != k.H + p[0] + p[2] - 2 || k.OW != k.W + p[1] + p[3] - 2 || k.OH < 1 ||
        k.OW < 1 || k.PT > 2 || k.PL > 2 || k.PT < 0 || k.PL < 0)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (WinogradConv): inconsistent shapes or pads", nm);
    if (vb && (vb->dtype != OM_DT_FLOAT || om_shape_numel(&vb->shape) != k.M))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (WinogradConv): bias must be f32 [%lld]", nm, (long long)k.M);
    om_status st = om_cg_epilogue_read(cx, n, 3, OM_DT_FLOAT, &k.ep);
    if (st != OM_OK)
        return st;
    k.VL = om_cg_vec_lanes(cx);
    k.vt = om_cg_vec_type(cx->f32, k.VL);
    k.wt = om_cg_vec_type(cx->f32, 4 * k.VL);
    om_winograd_plan_make(k.N, k.C, k.M, k.OH, k.OW, k.VL, &k.pl);
    const om_winograd_plan *pl = &k.pl;
    const om_value *vws = n->n_outputs > 1 ? n->outputs[1] : NULL;
    if (!vws || vws->dtype != OM_DT_FLOAT || !om_shape_is_static(&vws->shape) ||
        om_shape_numel(&vws->shape) < pl->items * pl->slot)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (WinogradConv): output 1 (workspace) must be f32 with at "
                        "least %lld elements", nm, (long long)(pl->items * pl->slot));
    k.x = om_cg_in(cx, 0);
    k.u = om_cg_in(cx, 1);
    k.y = om_cg_out(cx, 0);
    LLVMValueRef ws = om_cg_out(cx, 1);
    LLVMValueRef bias_base = vb ? om_cg_in(cx, 2) : NULL;

    int64_t nrb = pl->nrb, nmb = pl->nmb, nch = wg_cdiv(k.pl.tw, k.VL);
    om_cg_loop lw, lc, lr, lmc, lx, lm, lo, lr2;
    LLVMValueRef it = om_cg_for_work(cx, &lw, pl->items, "item");
    k.v = LLVMBuildInBoundsGEP2(cx->b, cx->f32, ws, (LLVMValueRef[]){om_cg_mul(cx, it, om_cg_i64(cx, pl->slot))}, 1, "wg_v");
    k.cs = LLVMBuildInBoundsGEP2(cx->b, cx->f32, k.v, (LLVMValueRef[]){om_cg_i64(cx, 36 * k.C * k.pl.TBp)}, 1, "wg_c");
    LLVMValueRef img = LLVMBuildUDiv(cx->b, it, om_cg_i64(cx, nrb * nmb), "");
    LLVMValueRef rb = LLVMBuildURem(cx->b, LLVMBuildUDiv(cx->b, it, om_cg_i64(cx, nmb), ""), om_cg_i64(cx, nrb), "");
    LLVMValueRef mb = LLVMBuildURem(cx->b, it, om_cg_i64(cx, nmb), "");
    LLVMValueRef ty0 = om_cg_mad(cx, rb, k.pl.R, NULL);

    /* 1. input transform of every input channel */
    LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k.C), "c");
    LLVMValueRef xbase = om_cg_mul(cx, om_cg_add(cx, om_cg_mul(cx, img, om_cg_i64(cx, k.C)), c), om_cg_i64(cx, k.H * k.W));
    LLVMValueRef r = om_cg_for(cx, &lr, om_cg_i64(cx, 0), om_cg_i64(cx, k.pl.R), "r");
    for (int64_t q = 0; q < nch; q++) {
        int64_t tx0 = q * k.VL;
        int active = (int)(k.pl.tw - tx0 < k.VL ? k.pl.tw - tx0 : k.VL);
        LLVMValueRef vcol = om_cg_add(cx, om_cg_mul(cx, c, om_cg_i64(cx, k.pl.TBp)), om_cg_mad(cx, r, k.pl.tw, om_cg_i64(cx, tx0)));
        wg_input_chunk(&k, om_cg_add(cx, ty0, r), xbase, vcol, tx0, active);
    }
    om_cg_for_end(cx, &lr);
    om_cg_for_end(cx, &lc);

    /* 2-3. per chunk of MBc output channels: 36 GEMMs, then the output transform */
    LLVMValueRef mc = om_cg_for(cx, &lmc, om_cg_i64(cx, 0), om_cg_i64(cx, k.pl.MBk / k.pl.MBc), "mc");
    LLVMValueRef m0 = om_cg_add(cx, om_cg_mad(cx, mb, k.pl.MBk, NULL), om_cg_mad(cx, mc, k.pl.MBc, NULL));
    LLVMValueRef xi = om_cg_for(cx, &lx, om_cg_i64(cx, 0), om_cg_i64(cx, 36), "xi");
    LLVMValueRef mt = om_cg_for(cx, &lm, om_cg_i64(cx, 0), om_cg_i64(cx, k.pl.MBc / OM_WINOGRAD_MR), "mt");
    /* U run of rows m0 + 8*mt .. +8 for position xi: ((xi*(M/8) + m/8)*C)*8 */
    LLVMValueRef urow = om_cg_add(cx, om_cg_mul(cx, xi, om_cg_i64(cx, k.M / OM_WINOGRAD_MR)),
                                  om_cg_add(cx, LLVMBuildUDiv(cx->b, m0, om_cg_i64(cx, OM_WINOGRAD_MR), ""), mt));
    for (int64_t col0 = 0; col0 < k.pl.TB; col0 += 2 * k.VL) {
        int nr = (int)(k.pl.TB - col0 < 2 * k.VL ? k.pl.TB - col0 : 2 * k.VL);
        om_cg_gemm_tile t = {
            .a = k.u, .b = k.v, .c = k.cs, .a_dt = OM_DT_FLOAT, .b_dt = OM_DT_FLOAT,
            .a_off = om_cg_mul(cx, urow, om_cg_i64(cx, k.C * OM_WINOGRAD_MR)),
            .b_off = om_cg_mad(cx, xi, k.C * k.pl.TBp, om_cg_i64(cx, col0)),
            .c_off = om_cg_add(cx, om_cg_mad(cx, xi, k.pl.MBc * k.pl.TBp, om_cg_i64(cx, col0)), om_cg_mad(cx, mt, OM_WINOGRAD_MR * k.pl.TBp, NULL)),
            .a_rs = 1, .a_ks = OM_WINOGRAD_MR, .b_ks = k.pl.TBp, .c_rs = k.pl.TBp,
            .mr = OM_WINOGRAD_MR, .nr = nr, .kc = k.C, .accumulate = false,
        };
        /* the first column tile streams U from memory: fetch the next position's U */
        if (col0 == 0)
            t.a_prefetch = k.M * k.C;
        om_cg_gemm_tile_emit(cx, &t);
    }
    om_cg_for_end(cx, &lm);
    om_cg_for_end(cx, &lx);
    LLVMValueRef mm = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, k.pl.MBc), "mm");
    LLVMValueRef m = om_cg_add(cx, m0, mm);
    LLVMValueRef bias = bias_base ? om_cg_load(cx, OM_DT_FLOAT, bias_base, m) : NULL;
    LLVMValueRef r2 = om_cg_for(cx, &lr2, om_cg_i64(cx, 0), om_cg_i64(cx, k.pl.R), "r");
    LLVMValueRef ty = om_cg_add(cx, ty0, r2);
    /* tile rows past the plane (last row block) were transformed from zeros: skip them */
    LLVMValueRef inside = LLVMBuildICmp(cx->b, LLVMIntSLT, ty, om_cg_i64(cx, k.pl.th), "");
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "wg_row");
    LLVMBasicBlockRef skip = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "wg_row_end");
    LLVMBuildCondBr(cx->b, inside, body, skip);
    LLVMPositionBuilderAtEnd(cx->b, body);
    for (int64_t q = 0; q < nch; q++) {
        int64_t tx0 = q * k.VL;
        int active = (int)(k.pl.tw - tx0 < k.VL ? k.pl.tw - tx0 : k.VL);
        LLVMValueRef cscol = om_cg_add(cx, om_cg_mul(cx, mm, om_cg_i64(cx, k.pl.TBp)), om_cg_mad(cx, r2, k.pl.tw, om_cg_i64(cx, tx0)));
        wg_output_chunk(&k, img, m, ty, cscol, bias, tx0, active);
    }
    LLVMBuildBr(cx->b, skip);
    LLVMPositionBuilderAtEnd(cx->b, skip);
    om_cg_for_end(cx, &lr2);
    om_cg_for_end(cx, &lo);
    om_cg_for_end(cx, &lmc);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
