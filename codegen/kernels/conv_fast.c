/* Register-blocked f32 convolution in NCHW with explicit LLVM vectors (see conv_fast.h).
 *
 * The output is cut into spatial tiles of NR vectors of VL lanes; per tile and output-channel
 * block of MR channels (of one group) the MR x NR accumulators stay in registers while the
 * loop over the group's input channels (innermost: the taps, unrolled) does, per tap, NR
 * vector loads of X, MR broadcasts of W and MR*NR llvm.fma (llvm.fmuladd on targets without
 * FMA). VL and the register budget come from the target (AVX-512: 16 lanes, 32 registers,
 * e.g. MR 6 x NR 4, or 8 x 3 for 1x1 convs over large planes; AVX2: 8 lanes, 16
 * registers). Nothing relies on LLVM's vectorizers.
 *
 * Three ways to lay the lanes over the output:
 *   flat   (stride 1, OW == IW): the lanes run along the flattened OH*OW plane; tap (kh, kw)
 *          reads X at the same flat position plus (kh*DH - PH)*IW + kw*DW - PW. 1x1
 *          convolutions are a GEMM Y[Mg, OH*OW] = W[Mg, Cg] X[Cg, OH*OW] this way (unmasked
 *          but for the last tile). For k x k kernels the loads carry lane masks (row and
 *          column validity of each tap), so zero padding and row wrap-around cost no branch.
 *   row    (otherwise; width stride 1 or 2): a tile lies in one output row; the kernel rows
 *          inside X come from a per-row loop range, the columns from lane masks that only
 *          border tiles use: tiles whose every tap column is inside X take unmasked loads.
 *          Stride 2 loads 2*VL lanes and keeps the even ones.
 *   packed (1x1 strided, rows narrower than VL, or width stride 2 up to 7x7 taps, with >= 16
 *          output channels, one group): flat tiles over the output plane; per tile and K
 *          block the taps' inputs are copied into a [kc][KK][T] panel on the stack (at most
 *          32 KiB), which every channel block then reads with plain loads. The copy takes
 *          masked (stride-2: 2*VL-lane, even lanes kept) row loads, one per vector or one per
 *          row part of a vector across two rows, and masked gathers for rows narrower than VL.
 * The masks (and gather offsets) are computed once per tile. Masked loads may start before
 * X's first element; their masked-off lanes are never read.
 *
 * Per tile: for each K block (input channels sized so the tile's X panel stays in L1 across
 * the channel blocks; in L2 for 1x1 flat tiles): for each (group, channel block) of the work
 * item: the micro-kernel.
 * With several K blocks the partial sums go through Y (Y never aliases an input: the memory
 * plan gives a node's outputs their own memory); bias initializes the accumulators and the
 * fused epilogue (activation, residual; cg_epilogue.h semantics, on vectors) is applied
 * after the last K block, before the tail-masked store. Each block also prefetches into L2
 * what the item's next tile will touch (its Y and residual lines, and for plain flat tiles a
 * slice of its X lines): in NCHW a tile touches a few lines of each of hundreds of channel
 * rows, a pattern the hardware prefetchers do not follow.
 *
 * Work items are (image, channel-block range, tile), tile fastest; the block range is split
 * only when there are few tiles, so each thread's contiguous share of items covers whole
 * ranges. Items write disjoint output tiles; a 64-byte line is shared only where a tile or
 * plane edge is not 64-byte aligned.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_math.h"
#include "codegen/kernels/conv_fast.h"
#include "codegen/kernels/window.h"

#define CF_MAX_ACC 32
#define CF_MAX_NR 4
#define CF_MAX_FLAT_TAPS 49
#define CF_MAX_KW 16
#define CF_MAX_VL 16
#define CF_L1_PANEL_BYTES (32 * 1024) /* X bytes of one tile and K block */
#define CF_L2_PANEL_BYTES (128 * 1024) /* the same for 1x1 flat tiles */
#define CF_MIN_ITEMS 8        /* work items wanted before splitting the channel blocks */
#define CF_MIN_ITEMS_PACKED 2 /* the same when each split repeats the panel's gathers */
#define CF_PACK_MIN_M 16               /* packed layout: output channels that amortize the gathers */
#define CF_PACK_MAX_TAPS 9
#define CF_PACK_MAX_TAPS_S2 CF_MAX_FLAT_TAPS /* width stride 2 (the ResNet stem's 7x7): packed */
#define CF_PACK_PANEL_BYTES (32 * 1024) /* packed: the stack panel (at most this + one channel) */
#define CF_MAX_LANE_INDEX ((int64_t)1 << 30)
#define CF_1X1_8X3_MIN_PLANE 512 /* 1x1 stride 1: 8 x 3 tiles from this plane size on */

typedef struct cf_plan {
    int64_t T;          /* lanes per full tile (NR*VL) */
    int64_t nfull;      /* full tiles per plane (flat) or per row (row) */
    int64_t tail, nrt;  /* lanes and vectors of the last, partial tile (0: none) */
    int64_t ntr;        /* tiles per plane (flat) or per row (row), tail included */
    int64_t ntiles;     /* tiles per image */
    int64_t kc, nkb;    /* input channels per K block, K blocks */
    int64_t nmb, mrt;   /* output-channel blocks per group, channels of the last one (0: full) */
    int64_t J, jc, njc; /* (group, block) pairs, pairs per work item, items per tile */
} cf_plan;

typedef struct cf {
    om_cg_ctx *cx;
    const om_cg_conv_geom *g;
    const om_cg_epilogue *ep;
    int VL, MR, NR;
    bool flat, fma; /* fma: the target has fused multiply-add (else llvm.fmuladd, no fmaf call) */
    bool packed;    /* flat tiles over any geometry: each K block of X is gathered into a panel */
    LLVMValueRef panel; /* packed: [kc][KK][T] floats on the stack */
    int64_t Cg, Mg, KK, L, IHW;
    LLVMTypeRef vt, vt2, vit; /* <VL x float>, <2VL x float>, <VL x i32> */
    LLVMValueRef x, w, bias, y;
    LLVMValueRef acc[CF_MAX_ACC];
    LLVMValueRef n;           /* per work item: the image */
    LLVMValueRef xg, wm0, yb; /* per block: X plane of (n, first channel of g), W row of m0, Y plane of (n, m0) */
    LLVMValueRef m0;
    LLVMValueRef jr;          /* per block: its index among the work item's blocks (j - j0) */
    cf_plan p;
} cf;

#define CF_MAX_MASKS (CF_MAX_FLAT_TAPS > CF_MAX_KW ? CF_MAX_FLAT_TAPS : CF_MAX_KW)

typedef struct cf_tile {
    int mr, nr;
    LLVMValueRef sp0;  /* flat: first flat position; row: first output column */
    LLVMValueRef oh;   /* row: output row */
    int64_t valid;     /* lanes of the tile that are outputs (nr*VL for a full tile) */
    bool masked;       /* loads need lane masks */
    LLVMValueRef masks[CF_MAX_MASKS][CF_MAX_NR]; /* per tap (flat) or kernel column (row) */
    LLVMValueRef gidx[CF_MAX_NR];                /* packed: X offset of tap (0, 0) per lane (i32) */
} cf_tile;

/* ---- SIMD shape ----------------------------------------------------------------------------- */

static bool has_feat(const char *fs, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = fs; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n + 1 && p[0] == '+' && !strncmp(p + 1, name, n))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

void om_cg_conv_simd(om_cg_ctx *cx, int *lanes, int *regs, bool *fma)
{
    *lanes = 4;
    *regs = 16;
    *fma = false;
    if (!cx->tm)
        return;
    char *triple = LLVMGetTargetMachineTriple(cx->tm);
    char *fs = LLVMGetTargetMachineFeatureString(cx->tm);
    char *cpu = LLVMGetTargetMachineCPU(cx->tm);
    if (triple && !strncmp(triple, "aarch64", 7)) {
        *regs = 32;
        *fma = true;
    } else if (has_feat(fs, "avx512f")) {
        *lanes = 16;
        *regs = 32;
        *fma = true;
    } else if (has_feat(fs, "avx2") || has_feat(fs, "avx")) {
        *lanes = 8;
        *fma = has_feat(fs, "fma");
    } else if (!fs || !fs[0]) {
        static const char *const k512[] = {"x86-64-v4", "skylake-avx512", "cascadelake", "cooperlake",
                                           "icelake-server", "icelake-client", "tigerlake", "sapphirerapids",
                                           "znver4", "znver5", "graniterapids", "emeraldrapids"};
        static const char *const k256[] = {"x86-64-v3", "haswell", "broadwell", "skylake", "znver1",
                                           "znver2", "znver3", "alderlake", "sandybridge", "ivybridge"};
        for (size_t i = 0; cpu && i < sizeof k512 / sizeof k512[0]; i++)
            if (!strcmp(cpu, k512[i])) {
                *lanes = 16;
                *regs = 32;
                *fma = true;
            }
        for (size_t i = 0; cpu && i < sizeof k256 / sizeof k256[0]; i++)
            if (!strcmp(cpu, k256[i])) {
                *lanes = 8;
                *fma = strcmp(cpu, "sandybridge") != 0 && strcmp(cpu, "ivybridge") != 0;
            }
    }
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(fs);
    LLVMDisposeMessage(cpu);
}

/* ---- vector helpers ----------------------------------------------------------------------- */

static LLVMValueRef cf_splat(cf *k, LLVMValueRef s, int n)
{
    LLVMBuilderRef b = k->cx->b;
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), (unsigned)n);
    LLVMValueRef v = LLVMBuildInsertElement(b, LLVMGetPoison(vt), s, om_cg_i32(k->cx, 0), "");
    LLVMValueRef zm = LLVMConstNull(LLVMVectorType(k->cx->i32, (unsigned)n));
    return LLVMBuildShuffleVector(b, v, LLVMGetPoison(vt), zm, "");
}

static LLVMValueRef cf_fconst(cf *k, double v)
{
    LLVMValueRef e[CF_MAX_VL];
    for (int i = 0; i < k->VL; i++)
        e[i] = LLVMConstReal(k->cx->f32, v);
    return LLVMConstVector(e, (unsigned)k->VL);
}

/* <VL x i32> {base, base+1, ...} */
static LLVMValueRef cf_iota(cf *k, int64_t base)
{
    LLVMValueRef e[CF_MAX_VL];
    for (int i = 0; i < k->VL; i++)
        e[i] = om_cg_i32(k->cx, (int32_t)(base + i));
    return LLVMConstVector(e, (unsigned)k->VL);
}

static LLVMValueRef cf_isplat(cf *k, int64_t v)
{
    LLVMValueRef e[CF_MAX_VL];
    for (int i = 0; i < k->VL; i++)
        e[i] = om_cg_i32(k->cx, (int32_t)v);
    return LLVMConstVector(e, (unsigned)k->VL);
}

/* <VL x i1> with lanes [0, n) set */
static LLVMValueRef cf_prefix_mask(cf *k, int64_t n)
{
    LLVMValueRef e[CF_MAX_VL];
    for (int i = 0; i < k->VL; i++)
        e[i] = LLVMConstInt(k->cx->i1, i < n, 0);
    return LLVMConstVector(e, (unsigned)k->VL);
}

/* Address of f32 element idx of base; no inbounds: masked loads may start before base. */
static LLVMValueRef cf_addr(cf *k, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildGEP2(k->cx->b, k->cx->f32, base, &idx, 1, "");
}

/* Vector of type vt at element idx of base; mask NULL: plain load. */
static LLVMValueRef cf_load(cf *k, LLVMTypeRef vt, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef mask)
{
    LLVMValueRef p = cf_addr(k, base, idx);
    if (!mask) {
        LLVMValueRef v = LLVMBuildLoad2(k->cx->b, vt, p, "");
        LLVMSetAlignment(v, 4);
        return v;
    }
    LLVMValueRef ops[4] = {p, om_cg_i32(k->cx, 4), mask, LLVMConstNull(vt)};
    return om_cg_masked_intrinsic(k->cx, "llvm.masked.load", vt, ops, 4);
}

static void cf_store(cf *k, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef v, LLVMValueRef mask)
{
    LLVMValueRef p = cf_addr(k, base, idx);
    if (!mask) {
        LLVMValueRef s = LLVMBuildStore(k->cx->b, v, p);
        LLVMSetAlignment(s, 4);
        return;
    }
    LLVMValueRef ops[4] = {v, p, om_cg_i32(k->cx, 4), mask};
    om_cg_masked_intrinsic(k->cx, "llvm.masked.store", k->vt, ops, 4);
}

static LLVMValueRef cf_fma(cf *k, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(k->cx, k->fma ? "llvm.fma" : "llvm.fmuladd", ops, 3);
}

/* ---- epilogue on vectors (the activation: om_cg_act_apply, cg_epilogue.c) ------------------ */

static LLVMValueRef cf_epilogue(cf *k, LLVMValueRef v, LLVMValueRef yi, LLVMValueRef mask)
{
    const om_cg_epilogue *ep = k->ep;
    if (ep->residual == 1)
        v = LLVMBuildFAdd(k->cx->b, v, cf_load(k, k->vt, ep->res, yi, mask), "");
    v = om_cg_act_apply(k->cx, k->ep, OM_DT_FLOAT, v);
    if (ep->residual == 2)
        v = LLVMBuildFAdd(k->cx->b, v, cf_load(k, k->vt, ep->res, yi, mask), "");
    return om_cg_epilogue_round(k->cx, ep, v);
}

/* ---- one tile ------------------------------------------------------------------------------- */

/* i32 splat of an i64 value */
static LLVMValueRef cf_ivec(cf *k, LLVMValueRef v64)
{
    return cf_splat(k, LLVMBuildTrunc(k->cx->b, v64, k->cx->i32, ""), k->VL);
}

/* lanes with 0 <= v + c < n (unsigned compare) */
static LLVMValueRef cf_in_range(cf *k, LLVMValueRef v, int64_t c, int64_t n)
{
    LLVMValueRef s = LLVMBuildAdd(k->cx->b, v, cf_isplat(k, c), "");
    return LLVMBuildICmp(k->cx->b, LLVMIntULT, s, cf_isplat(k, n), "");
}

/* <2VL x i1>: lane 2q is lane q of m, odd lanes false (stride-2 loads) */
static LLVMValueRef cf_widen_mask(cf *k, LLVMValueRef m)
{
    LLVMValueRef idx[2 * CF_MAX_VL];
    for (int q = 0; q < 2 * k->VL; q++)
        idx[q] = om_cg_i32(k->cx, q % 2 == 0 ? q / 2 : k->VL);
    LLVMValueRef f = LLVMConstNull(LLVMTypeOf(m));
    return LLVMBuildShuffleVector(k->cx->b, m, f, LLVMConstVector(idx, (unsigned)(2 * k->VL)), "");
}

static LLVMValueRef cf_even_lanes(cf *k, LLVMValueRef v2)
{
    LLVMValueRef idx[CF_MAX_VL];
    for (int q = 0; q < k->VL; q++)
        idx[q] = om_cg_i32(k->cx, 2 * q);
    return LLVMBuildShuffleVector(k->cx->b, v2, LLVMGetPoison(k->vt2), LLVMConstVector(idx, (unsigned)k->VL), "");
}

/* The taps of one input channel (flat layout): X plane at xc, W at wc (row m0). */
static void cf_taps_flat(cf *k, const cf_tile *t, LLVMValueRef xc, LLVMValueRef wc, LLVMValueRef *a)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    int mr = t->mr, nr = t->nr;
    for (int64_t kh = 0; kh < g->KH; kh++)
        for (int64_t kw = 0; kw < g->KW; kw++) {
            int64_t tap = kh * g->KW + kw;
            int64_t off = (kh * g->DH - g->PH) * g->IW + kw * g->DW - g->PW;
            LLVMValueRef xb = om_cg_add(cx, om_cg_add(cx, xc, t->sp0), om_cg_i64(cx, off));
            LLVMValueRef xv[CF_MAX_NR];
            for (int j = 0; j < nr; j++)
                xv[j] = cf_load(k, k->vt, k->x, om_cg_add(cx, xb, om_cg_i64(cx, (int64_t)j * k->VL)),
                                t->masked ? t->masks[tap][j] : NULL);
            for (int i = 0; i < mr; i++) {
                LLVMValueRef wi = om_cg_add(cx, wc, om_cg_i64(cx, i * k->Cg * k->KK + tap));
                LLVMValueRef wv = cf_splat(k, om_cg_load(cx, OM_DT_FLOAT, k->w, wi), k->VL);
                for (int j = 0; j < nr; j++)
                    a[i * nr + j] = cf_fma(k, wv, xv[j], a[i * nr + j]);
            }
        }
}

/* One kernel row (row layout): X row at xr, W taps of row kh at wr. */
static void cf_taps_row(cf *k, const cf_tile *t, LLVMValueRef xr, LLVMValueRef wr, LLVMValueRef *a)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    int mr = t->mr, nr = t->nr;
    LLVMValueRef col0 = om_cg_mad(cx, t->sp0, g->SW, xr);
    for (int64_t kw = 0; kw < g->KW; kw++) {
        LLVMValueRef xb = om_cg_add(cx, col0, om_cg_i64(cx, kw * g->DW - g->PW));
        LLVMValueRef xv[CF_MAX_NR];
        for (int j = 0; j < nr; j++) {
            LLVMValueRef xi = om_cg_add(cx, xb, om_cg_i64(cx, (int64_t)j * k->VL * g->SW));
            LLVMValueRef m = t->masked ? t->masks[kw][j] : NULL;
            if (g->SW == 1)
                xv[j] = cf_load(k, k->vt, k->x, xi, m);
            else
                xv[j] = cf_even_lanes(k, cf_load(k, k->vt2, k->x, xi, m));
        }
        for (int i = 0; i < mr; i++) {
            LLVMValueRef wi = om_cg_add(cx, wr, om_cg_i64(cx, i * k->Cg * k->KK + kw));
            LLVMValueRef wv = cf_splat(k, om_cg_load(cx, OM_DT_FLOAT, k->w, wi), k->VL);
            for (int j = 0; j < nr; j++)
                a[i * nr + j] = cf_fma(k, wv, xv[j], a[i * nr + j]);
        }
    }
}

/* The taps of one input channel (packed): its [KK][T] rows of the panel start at pc. */
static void cf_taps_packed(cf *k, const cf_tile *t, LLVMValueRef pc, LLVMValueRef wc, LLVMValueRef *a)
{
    om_cg_ctx *cx = k->cx;
    int mr = t->mr, nr = t->nr;
    for (int64_t tap = 0; tap < k->KK; tap++) {
        LLVMValueRef xv[CF_MAX_NR];
        for (int j = 0; j < nr; j++)
            xv[j] = cf_load(k, k->vt, k->panel, om_cg_add(cx, pc, om_cg_i64(cx, tap * k->p.T + (int64_t)j * k->VL)), NULL);
        for (int i = 0; i < mr; i++) {
            LLVMValueRef wi = om_cg_add(cx, wc, om_cg_i64(cx, i * k->Cg * k->KK + tap));
            LLVMValueRef wv = cf_splat(k, om_cg_load(cx, OM_DT_FLOAT, k->w, wi), k->VL);
            for (int j = 0; j < nr; j++)
                a[i * nr + j] = cf_fma(k, wv, xv[j], a[i * nr + j]);
        }
    }
}

/* VL lanes at element i of base with width stride SW (1 or 2: 2*VL lanes, even ones kept);
 * lanes off in m are zero and not read. */
static LLVMValueRef cf_row_load(cf *k, LLVMValueRef base, LLVMValueRef i, LLVMValueRef m)
{
    if (k->g->SW == 1)
        return cf_load(k, k->vt, base, i, m);
    return cf_even_lanes(k, cf_load(k, k->vt2, base, i, cf_widen_mask(k, m)));
}

/* if (cond) { yes } else { no }: returns the join block's builder position after the
 * caller filled both sides (see cf_branch_* below). */
typedef struct cf_if {
    LLVMBasicBlockRef yes, no, join;
} cf_if;

static void cf_if_begin(cf *k, cf_if *f, LLVMValueRef cond)
{
    om_cg_ctx *cx = k->cx;
    f->yes = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "then");
    f->no = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "else");
    f->join = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "endif");
    LLVMBuildCondBr(cx->b, cond, f->yes, f->no);
    LLVMPositionBuilderAtEnd(cx->b, f->yes);
}

static void cf_if_else(cf *k, cf_if *f)
{
    LLVMBuildBr(k->cx->b, f->join);
    LLVMPositionBuilderAtEnd(k->cx->b, f->no);
}

static void cf_if_end(cf *k, cf_if *f)
{
    LLVMBuildBr(k->cx->b, f->join);
    LLVMMoveBasicBlockAfter(f->join, LLVMGetLastBasicBlock(k->cx->fn));
    LLVMPositionBuilderAtEnd(k->cx->b, f->join);
}

/* Packed: copies input channels [c0, c1) of image k->n (group 0) for tile t into the panel,
 * zeros where a tap reads padding. With width stride 1 or 2, a vector's lanes in one output
 * row read SW*VL consecutive inputs: a masked load (2*VL lanes keeping the even ones for
 * stride 2). Mode 0 (every vector of the tile in one row): one such load per vector; mode 1
 * (rows of >= VL outputs, so a vector spans at most two rows): one load per row part, joined
 * by a select on the lane; mode 2 (otherwise): masked gathers. */
static void cf_pack(cf *k, const cf_tile *t, LLVMValueRef c0, LLVMValueRef c1)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    LLVMTypeRef pvt = LLVMVectorType(cx->ptr, (unsigned)k->VL);
    unsigned id = LLVMLookupIntrinsicID("llvm.masked.gather", 18);
    LLVMTypeRef over[2] = {k->vt, pvt};
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, over, 2);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, over, 2);
    cf_if f;
    bool rows = g->SW <= 2;
    int mode0 = rows ? 0 : 2, mode1 = rows && g->OW >= k->VL ? 1 : 2;
    if (rows) {
        LLVMValueRef ok = LLVMConstInt(cx->i1, 1, 0);
        for (int j = 0; j < t->nr; j++) {
            LLVMValueRef ow = LLVMBuildURem(cx->b, om_cg_add(cx, t->sp0, om_cg_i64(cx, (int64_t)j * k->VL)), om_cg_i64(cx, g->OW), "");
            ok = LLVMBuildAnd(cx->b, ok, LLVMBuildICmp(cx->b, LLVMIntSLE, ow, om_cg_i64(cx, g->OW - k->VL), ""), "");
        }
        cf_if_begin(k, &f, ok);
    }
    for (int mode = mode0; mode <= 2; mode = mode == mode0 && rows ? mode1 : 3) {
        if (mode != mode0)
            cf_if_else(k, &f);
        /* mode 1: per vector, the input offsets of lane 0's row part and of the next row's
         * part (as if it started at lane 0), and the lanes of the first part */
        LLVMValueRef b0[CF_MAX_NR], b1[CF_MAX_NR], sel[CF_MAX_NR];
        for (int j = 0; mode == 1 && j < t->nr; j++) {
            LLVMValueRef pos = om_cg_add(cx, t->sp0, om_cg_i64(cx, (int64_t)j * k->VL));
            LLVMValueRef oh = LLVMBuildUDiv(cx->b, pos, om_cg_i64(cx, g->OW), "");
            LLVMValueRef ow = LLVMBuildNSWSub(cx->b, pos, om_cg_mad(cx, oh, g->OW, NULL), "");
            LLVMValueRef r = LLVMBuildNSWSub(cx->b, om_cg_i64(cx, g->OW), ow, "");
            LLVMValueRef ih = om_cg_mad(cx, oh, g->SH, om_cg_i64(cx, -g->PH));
            b0[j] = om_cg_add(cx, om_cg_mad(cx, ih, g->IW, NULL), om_cg_mad(cx, ow, g->SW, om_cg_i64(cx, -g->PW)));
            b1[j] = LLVMBuildNSWSub(cx->b, om_cg_mad(cx, om_cg_add(cx, ih, om_cg_i64(cx, g->SH)), g->IW, om_cg_i64(cx, -g->PW)),
                                    om_cg_mad(cx, r, g->SW, NULL), "");
            r = om_cg_win_smin(cx, r, om_cg_i64(cx, k->VL));
            sel[j] = LLVMBuildICmp(cx->b, LLVMIntULT, cf_iota(k, 0), cf_ivec(k, r), "");
        }
        om_cg_loop lc;
        LLVMValueRef c = om_cg_for(cx, &lc, c0, c1, "pc");
        LLVMValueRef xp = cf_addr(k, k->x, om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, k->n, g->C, NULL), c), k->IHW, NULL));
        LLVMValueRef pc = om_cg_mad(cx, LLVMBuildNSWSub(cx->b, c, c0, ""), k->KK * k->p.T, NULL);
        for (int64_t kh = 0; kh < g->KH; kh++)
            for (int64_t kw = 0; kw < g->KW; kw++) {
                int64_t tap = kh * g->KW + kw, off = kh * g->DH * g->IW + kw * g->DW;
                for (int j = 0; j < t->nr; j++) {
                    LLVMValueRef v, m = t->masks[tap][j];
                    if (mode == 2) {
                        LLVMValueRef idx = LLVMBuildAdd(cx->b, t->gidx[j], cf_isplat(k, off), "");
                        LLVMValueRef ptrs = LLVMBuildGEP2(cx->b, cx->f32, xp, &idx, 1, "");
                        LLVMValueRef ops[4] = {ptrs, om_cg_i32(cx, 4), m, LLVMConstNull(k->vt)};
                        v = LLVMBuildCall2(cx->b, fty, fn, ops, 4, "");
                    } else if (mode == 0) {
                        LLVMValueRef i0 = LLVMBuildSExt(cx->b, LLVMBuildExtractElement(cx->b, t->gidx[j], om_cg_i32(cx, 0), ""), cx->i64, "");
                        v = cf_row_load(k, xp, om_cg_add(cx, i0, om_cg_i64(cx, off)), m);
                    } else {
                        LLVMValueRef m0 = LLVMBuildAnd(cx->b, m, sel[j], "");
                        LLVMValueRef m1 = LLVMBuildAnd(cx->b, m, LLVMBuildNot(cx->b, sel[j], ""), "");
                        LLVMValueRef v0 = cf_row_load(k, xp, om_cg_add(cx, b0[j], om_cg_i64(cx, off)), m0);
                        LLVMValueRef v1 = cf_row_load(k, xp, om_cg_add(cx, b1[j], om_cg_i64(cx, off)), m1);
                        v = LLVMBuildSelect(cx->b, sel[j], v0, v1, "");
                    }
                    LLVMValueRef st = LLVMBuildStore(
                        cx->b, v, cf_addr(k, k->panel, om_cg_add(cx, pc, om_cg_i64(cx, tap * k->p.T + (int64_t)j * k->VL))));
                    LLVMSetAlignment(st, 4);
                }
            }
        om_cg_for_end(cx, &lc);
    }
    if (rows)
        cf_if_end(k, &f);
}

static void cf_acc_load(cf *k, int n, LLVMValueRef *a)
{
    for (int q = 0; q < n; q++)
        a[q] = LLVMBuildLoad2(k->cx->b, k->vt, k->acc[q], "");
}

static void cf_acc_store(cf *k, int n, LLVMValueRef *a)
{
    for (int q = 0; q < n; q++)
        LLVMBuildStore(k->cx->b, a[q], k->acc[q]);
}

/* The lane masks of tile t, once per tile (shared by every channel block and K block). */
static void cf_tile_masks(cf *k, cf_tile *t)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    LLVMValueRef base = cf_ivec(k, t->sp0);
    for (int j = 0; j < t->nr; j++) {
        LLVMValueRef pos = LLVMBuildAdd(cx->b, base, cf_iota(k, (int64_t)j * k->VL), "");
        LLVMValueRef inb = LLVMBuildICmp(cx->b, LLVMIntULT, pos, cf_isplat(k, k->flat ? k->L : g->OW), "");
        if (k->packed) {
            LLVMValueRef oh = LLVMBuildUDiv(cx->b, pos, cf_isplat(k, g->OW), "");
            LLVMValueRef ow = LLVMBuildSub(cx->b, pos, LLVMBuildMul(cx->b, oh, cf_isplat(k, g->OW), ""), "");
            LLVMValueRef ih = LLVMBuildSub(cx->b, LLVMBuildMul(cx->b, oh, cf_isplat(k, g->SH), ""), cf_isplat(k, g->PH), "");
            LLVMValueRef iw = LLVMBuildSub(cx->b, LLVMBuildMul(cx->b, ow, cf_isplat(k, g->SW), ""), cf_isplat(k, g->PW), "");
            t->gidx[j] = LLVMBuildAdd(cx->b, LLVMBuildMul(cx->b, ih, cf_isplat(k, g->IW), ""), iw, "");
            LLVMValueRef rok[CF_MAX_FLAT_TAPS], cok[CF_MAX_FLAT_TAPS];
            for (int64_t kh = 0; kh < g->KH; kh++)
                rok[kh] = LLVMBuildAnd(cx->b, inb, cf_in_range(k, ih, kh * g->DH, g->IH), "");
            for (int64_t kw = 0; kw < g->KW; kw++)
                cok[kw] = cf_in_range(k, iw, kw * g->DW, g->IW);
            for (int64_t kh = 0; kh < g->KH; kh++)
                for (int64_t kw = 0; kw < g->KW; kw++)
                    t->masks[kh * g->KW + kw][j] = LLVMBuildAnd(cx->b, rok[kh], cok[kw], "");
        } else if (k->flat) {
            LLVMValueRef oh = LLVMBuildUDiv(cx->b, pos, cf_isplat(k, g->OW), "");
            LLVMValueRef ow = LLVMBuildSub(cx->b, pos, LLVMBuildMul(cx->b, oh, cf_isplat(k, g->OW), ""), "");
            LLVMValueRef rok[CF_MAX_FLAT_TAPS], cok[CF_MAX_FLAT_TAPS];
            for (int64_t kh = 0; kh < g->KH; kh++)
                rok[kh] = LLVMBuildAnd(cx->b, inb, cf_in_range(k, oh, kh * g->DH - g->PH, g->IH), "");
            for (int64_t kw = 0; kw < g->KW; kw++)
                cok[kw] = cf_in_range(k, ow, kw * g->DW - g->PW, g->IW);
            for (int64_t kh = 0; kh < g->KH; kh++)
                for (int64_t kw = 0; kw < g->KW; kw++)
                    t->masks[kh * g->KW + kw][j] = LLVMBuildAnd(cx->b, rok[kh], cok[kw], "");
        } else {
            LLVMValueRef col = LLVMBuildMul(cx->b, pos, cf_isplat(k, g->SW), "");
            for (int64_t kw = 0; kw < g->KW; kw++) {
                LLVMValueRef m = LLVMBuildAnd(cx->b, inb, cf_in_range(k, col, kw * g->DW - g->PW, g->IW), "");
                t->masks[kw][j] = g->SW == 1 ? m : cf_widen_mask(k, m);
            }
        }
    }
}

/* While this tile computes, prefetch into L2 the lines the item's next tile (T lanes on; in
 * row mode the row's next tile, or the start of the next row after its last) touches in this
 * block: Y and the residual (rows m0 .. m0 + mr), and (plain flat) the K block's X lines,
 * spread over the item's blocks (block jr takes a slice of the channels). In NCHW a tile
 * touches a few lines in each of hundreds of channel rows 4 KiB or more apart, which the
 * hardware prefetchers do not follow; without this, the stores wait for their lines (read
 * for ownership) and the first channel block for X. Plain flat tiles issue them one group
 * per input channel iteration (cf_prefetch_step; a burst of hundreds of misses would stall
 * on the line fill buffers), the others all before the channel loop. */
static void cf_prefetch_next(cf *k, const cf_tile *t, const LLVMValueRef *yi, int na)
{
    om_cg_ctx *cx = k->cx;
    LLVMValueRef next = om_cg_i64(cx, k->p.T);
    for (int q = 0; q < na; q++) {
        om_cg_prefetch(cx, cx->f32, k->y, om_cg_add(cx, yi[q], next), 2);
        if (k->ep->residual)
            om_cg_prefetch(cx, cx->f32, k->ep->res, om_cg_add(cx, yi[q], next), 2);
    }
}

/* Plain flat: iteration i (= c - c0) of the channel loop prefetches the next tile's lines of
 * X channel cs + min(i, nx - 1) (the block's slice [cs, cs + nx)) and of Y / residual row
 * min(i, mr - 1) of the block. */
static void cf_prefetch_step(cf *k, const cf_tile *t, LLVMValueRef i, LLVMValueRef cs, LLVMValueRef nx, LLVMValueRef ys)
{
    om_cg_ctx *cx = k->cx;
    LLVMValueRef next = om_cg_add(cx, ys, om_cg_i64(cx, k->p.T));
    LLVMValueRef ix = om_cg_win_smin(cx, i, LLVMBuildNSWSub(cx->b, nx, om_cg_i64(cx, 1), ""));
    LLVMValueRef xi = om_cg_add(cx, om_cg_mad(cx, om_cg_add(cx, cs, ix), k->IHW, k->xg), next);
    LLVMValueRef iy = om_cg_win_smin(cx, i, om_cg_i64(cx, t->mr - 1));
    LLVMValueRef yr = om_cg_add(cx, om_cg_mad(cx, iy, k->L, k->yb), next);
    for (int j = 0; j < t->nr; j++) {
        LLVMValueRef o = om_cg_i64(cx, (int64_t)j * k->VL);
        om_cg_prefetch(cx, cx->f32, k->x, om_cg_add(cx, xi, o), 2);
        om_cg_prefetch(cx, cx->f32, k->y, om_cg_add(cx, yr, o), 2);
        if (k->ep->residual)
            om_cg_prefetch(cx, cx->f32, k->ep->res, om_cg_add(cx, yr, o), 2);
    }
}

/* The channel loop [c0, c1) of the micro-kernel: the taps of each channel into the
 * accumulators (through k->acc); pf: with cf_prefetch_step (cs, nx, ys as there). */
static void cf_kloop(cf *k, const cf_tile *t, LLVMValueRef c0, LLVMValueRef c1, LLVMValueRef cb, bool pf,
                     LLVMValueRef cs, LLVMValueRef nx, LLVMValueRef ys)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    const cf_plan *p = &k->p;
    int na = t->mr * t->nr;
    LLVMValueRef a[CF_MAX_ACC];
    om_cg_loop lc;
    LLVMValueRef c = om_cg_for(cx, &lc, c0, c1, "c");
    LLVMValueRef xc = om_cg_mad(cx, c, k->IHW, k->xg);
    LLVMValueRef wc = om_cg_mad(cx, c, k->KK, k->wm0);
    if (pf)
        cf_prefetch_step(k, t, LLVMBuildNSWSub(cx->b, c, cb, ""), cs, nx, ys);
    if (k->packed) {
        cf_acc_load(k, na, a);
        cf_taps_packed(k, t, om_cg_mad(cx, LLVMBuildNSWSub(cx->b, c, cb, ""), k->KK * p->T, NULL), wc, a);
        cf_acc_store(k, na, a);
    } else if (k->flat) {
        cf_acc_load(k, na, a);
        cf_taps_flat(k, t, xc, wc, a);
        cf_acc_store(k, na, a);
    } else {
        /* kernel rows whose input row oh*SH - PH + kh*DH is inside X */
        LLVMValueRef rbase = om_cg_mad(cx, t->oh, g->SH, om_cg_i64(cx, -g->PH));
        LLVMValueRef klo, khi;
        om_cg_win_krange(cx, rbase, 0, g->IH, g->KH, g->DH, &klo, &khi);
        om_cg_loop lk;
        LLVMValueRef kh = om_cg_for(cx, &lk, klo, khi, "kh");
        LLVMValueRef ih = om_cg_add(cx, rbase, om_cg_mad(cx, kh, g->DH, NULL));
        cf_acc_load(k, na, a);
        cf_taps_row(k, t, om_cg_mad(cx, ih, g->IW, xc), om_cg_mad(cx, kh, g->KW, wc), a);
        cf_acc_store(k, na, a);
        om_cg_for_end(cx, &lk);
    }
    om_cg_for_end(cx, &lc);
}

/* Output-channel block (k->m0 .. + t->mr) of tile t over input channels [kb*kc, ...): the
 * accumulators start from the bias (first K block) or the partial sums in Y, and end in Y,
 * through the epilogue after the last K block. kb is NULL when there is one K block. */
static void cf_micro(cf *k, const cf_tile *t, LLVMValueRef kb)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    const cf_plan *p = &k->p;
    int mr = t->mr, nr = t->nr, na = mr * nr;
    LLVMValueRef a[CF_MAX_ACC], yi[CF_MAX_ACC], sm[CF_MAX_NR];
    LLVMValueRef ys = k->flat ? t->sp0 : om_cg_mad(cx, t->oh, g->OW, t->sp0);
    for (int j = 0; j < nr; j++) {
        int64_t lanes = t->valid - (int64_t)j * k->VL;
        sm[j] = lanes < k->VL ? cf_prefix_mask(k, lanes) : NULL;
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            yi[i * nr + j] = om_cg_add(cx, om_cg_add(cx, k->yb, om_cg_i64(cx, i * k->L + (int64_t)j * k->VL)), ys);

    LLVMValueRef first = kb ? LLVMBuildICmp(cx->b, LLVMIntEQ, kb, om_cg_i64(cx, 0), "") : NULL;
    for (int i = 0; i < mr; i++) {
        LLVMValueRef init = cf_fconst(k, 0);
        if (k->bias)
            init = cf_splat(k, om_cg_load(cx, OM_DT_FLOAT, k->bias, om_cg_add(cx, k->m0, om_cg_i64(cx, i))), k->VL);
        for (int j = 0; j < nr; j++) {
            a[i * nr + j] = init;
            if (kb)
                a[i * nr + j] = LLVMBuildSelect(cx->b, first, init, cf_load(k, k->vt, k->y, yi[i * nr + j], sm[j]), "");
        }
    }
    cf_acc_store(k, na, a);

    LLVMValueRef c0 = kb ? om_cg_mad(cx, kb, p->kc, NULL) : om_cg_i64(cx, 0);
    LLVMValueRef c1 = kb ? om_cg_win_smin(cx, om_cg_add(cx, c0, om_cg_i64(cx, p->kc)), om_cg_i64(cx, k->Cg))
                         : om_cg_i64(cx, k->Cg);
    if (k->flat && !k->packed) {
        /* the block's slice of the next tile's X channels: [cs, cs + nx) */
        int64_t sl = (p->kc + p->jc - 1) / p->jc;
        LLVMValueRef cs = om_cg_add(cx, c0, om_cg_mad(cx, k->jr, sl, NULL));
        LLVMValueRef ce = om_cg_win_smin(cx, om_cg_add(cx, cs, om_cg_i64(cx, sl)), c1);
        LLVMValueRef nx = om_cg_win_smax(cx, LLVMBuildNSWSub(cx->b, ce, cs, ""), om_cg_i64(cx, 0));
        LLVMValueRef n1 = om_cg_win_smin(cx, om_cg_win_smax(cx, nx, om_cg_i64(cx, mr)), LLVMBuildNSWSub(cx->b, c1, c0, ""));
        LLVMValueRef cm = om_cg_add(cx, c0, n1);
        cf_kloop(k, t, c0, cm, c0, true, cs, nx, ys);
        cf_kloop(k, t, cm, c1, c0, false, NULL, NULL, NULL);
    } else {
        cf_prefetch_next(k, t, yi, na);
        cf_kloop(k, t, c0, c1, c0, false, NULL, NULL, NULL);
    }

    cf_acc_load(k, na, a);
    cf_if f;
    if (kb) {
        /* not the last K block: partial sums to Y */
        cf_if_begin(k, &f, LLVMBuildICmp(cx->b, LLVMIntSLT, kb, om_cg_i64(cx, p->nkb - 1), ""));
        for (int q = 0; q < na; q++)
            cf_store(k, k->y, yi[q], a[q], sm[q % nr]);
        cf_if_else(k, &f);
    }
    for (int q = 0; q < na; q++)
        cf_store(k, k->y, yi[q], cf_epilogue(k, a[q], yi[q], sm[q % nr]), sm[q % nr]);
    if (kb)
        cf_if_end(k, &f);
}

/* Pair j = (group, output-channel block) of image k->n: sets the per-block bases, then the
 * micro-kernel for a full or the last (mrt channels) block. */
static void cf_block(cf *k, cf_tile *t, LLVMValueRef j, LLVMValueRef kb)
{
    om_cg_ctx *cx = k->cx;
    const om_cg_conv_geom *g = k->g;
    const cf_plan *p = &k->p;
    LLVMValueRef mb = LLVMBuildURem(cx->b, j, om_cg_i64(cx, p->nmb), "mb");
    LLVMValueRef gi = LLVMBuildUDiv(cx->b, j, om_cg_i64(cx, p->nmb), "g");
    k->xg = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, k->n, g->C, NULL), om_cg_mad(cx, gi, k->Cg, NULL)), k->IHW, NULL);
    k->m0 = om_cg_add(cx, om_cg_mad(cx, gi, k->Mg, NULL), om_cg_mad(cx, mb, k->MR, NULL));
    k->wm0 = om_cg_mad(cx, k->m0, k->Cg * k->KK, NULL);
    k->yb = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, k->n, g->M, NULL), k->m0), k->L, NULL);
    if (!p->mrt) {
        t->mr = k->MR;
        cf_micro(k, t, kb);
        return;
    }
    cf_if f;
    cf_if_begin(k, &f, LLVMBuildICmp(cx->b, LLVMIntEQ, mb, om_cg_i64(cx, p->nmb - 1), ""));
    t->mr = (int)p->mrt;
    cf_micro(k, t, kb);
    cf_if_else(k, &f);
    t->mr = k->MR;
    cf_micro(k, t, kb);
    cf_if_end(k, &f);
}

/* One tile of work item jci: masks, then K blocks x the item's (group, block) pairs. */
static void cf_tile_emit(cf *k, cf_tile *t, LLVMValueRef jci)
{
    om_cg_ctx *cx = k->cx;
    const cf_plan *p = &k->p;
    if (t->masked || k->packed)
        cf_tile_masks(k, t);
    LLVMValueRef j0 = om_cg_mad(cx, jci, p->jc, NULL);
    LLVMValueRef j1 = om_cg_win_smin(cx, om_cg_add(cx, j0, om_cg_i64(cx, p->jc)), om_cg_i64(cx, p->J));
    om_cg_loop lk, lj;
    LLVMValueRef kb = NULL;
    if (p->nkb > 1)
        kb = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, p->nkb), "kb");
    if (k->packed) {
        LLVMValueRef c0 = kb ? om_cg_mad(cx, kb, p->kc, NULL) : om_cg_i64(cx, 0);
        LLVMValueRef c1 = kb ? om_cg_win_smin(cx, om_cg_add(cx, c0, om_cg_i64(cx, p->kc)), om_cg_i64(cx, k->Cg))
                             : om_cg_i64(cx, k->Cg);
        cf_pack(k, t, c0, c1);
    }
    LLVMValueRef j = om_cg_for(cx, &lj, j0, j1, "j");
    k->jr = LLVMBuildNSWSub(cx->b, j, j0, "jr");
    cf_block(k, t, j, kb);
    om_cg_for_end(cx, &lj);
    if (kb)
        om_cg_for_end(cx, &lk);
}

/* ---- entry ------------------------------------------------------------------------------------ */

om_status om_cg_conv_fast(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done)
{
    *done = false;
    int VL, regs;
    bool fma;
    om_cg_conv_simd(cx, &VL, &regs, &fma);
    cf k = {.cx = cx, .g = g, .ep = ep, .VL = VL, .fma = fma};
    k.Cg = g->C / g->group;
    k.Mg = g->M / g->group;
    k.KK = g->KH * g->KW;
    k.L = g->OH * g->OW;
    k.IHW = g->IH * g->IW;
    if (k.L >= CF_MAX_LANE_INDEX || k.IHW >= CF_MAX_LANE_INDEX || g->OW * g->SW + g->KW * g->DW >= CF_MAX_LANE_INDEX)
        return OM_OK;
    k.flat = g->SH == 1 && g->SW == 1 && g->OW == g->IW && k.KK <= CF_MAX_FLAT_TAPS;
    /* strided or narrow rows with many output channels: gather the panel once per tile and K
     * block, reuse it for every channel block */
    if (!k.flat && g->group == 1 && k.Mg >= CF_PACK_MIN_M &&
        ((k.KK <= CF_PACK_MAX_TAPS && ((k.KK == 1 && g->SW > 1) || g->OW < VL)) ||
         (g->SW == 2 && k.KK <= CF_PACK_MAX_TAPS_S2))) {
        k.flat = true;
        k.packed = true;
    }
    if (!k.flat && (g->SW > 2 || g->KW > CF_MAX_KW))
        return OM_OK;

    int64_t span = k.flat ? k.L : g->OW;
    int64_t nvec = (span + VL - 1) / VL;
    int NR = (int)(nvec < (regs == 32 ? 4 : 2) ? nvec : (regs == 32 ? 4 : 2));
    int MR = (regs - 2 - NR) / NR, cap = NR == 1 ? 16 : NR == 2 ? 12 : 8;
    if (MR > cap)
        MR = cap;
    if (MR > k.Mg)
        MR = (int)k.Mg;
    if (MR * NR > CF_MAX_ACC)
        MR = CF_MAX_ACC / NR;
    /* 1x1 stride 1 over a large plane with 32 registers: 8 channels x 3 vectors (8 divides
     * the usual channel counts, so no short last block; the 3-vector tile still spans many
     * tiles). Measured on a Sapphire-Rapids-class Xeon against 6 x 4: 3-10% on ResNet-50's
     * 56x56 and 28x28 pointwise shapes; no gain on 14x14 (196 lanes), so not below
     * CF_1X1_8X3_MIN_PLANE. The same for packed k x k tiles (the stem: 8 x 3 also keeps its
     * 3 channels in one K block; ResNet-50's 3x3 stride 2 at 28x28: 3%), not for packed 1x1
     * stride 2 (no gain). */
    if (regs == 32 && k.Mg % 8 == 0 && k.L >= CF_1X1_8X3_MIN_PLANE && k.flat &&
        ((!k.packed && k.KK == 1) || (k.packed && k.KK > 1))) {
        MR = 8;
        NR = 3;
    }
    k.MR = MR;
    k.NR = NR;

    cf_plan *p = &k.p;
    p->T = (int64_t)NR * VL;
    p->nfull = span / p->T;
    p->tail = span % p->T;
    p->nrt = (p->tail + VL - 1) / VL;
    p->ntr = p->nfull + (p->tail ? 1 : 0);
    p->ntiles = k.flat ? p->ntr : g->OH * p->ntr;
    /* K blocks: the tile's X panel of one K block stays in L1 across the channel blocks; for
     * 1x1 (flat) in L2: its rows are read in order at a fixed stride, which the hardware
     * prefetchers follow, and one K block keeps the sums in registers and stores Y once
     * (ResNet-50's 1x1 convs with 256 and 512 input channels: 2-4% faster than 2-4 K blocks) */
    int64_t panel = k.packed ? k.KK * p->T * 4
                    : k.flat ? (p->T + (g->KH - 1) * g->DH * g->IW + (g->KW - 1) * g->DW) * 4
                             : g->KH * (p->T * g->SW + (g->KW - 1) * g->DW) * 4;
    int64_t budget = k.packed ? CF_PACK_PANEL_BYTES : k.KK == 1 ? CF_L2_PANEL_BYTES : CF_L1_PANEL_BYTES;
    int64_t kc = budget / (panel > 0 ? panel : 1);
    if (kc < 1)
        kc = 1;
    p->nkb = kc >= k.Cg ? 1 : (k.Cg + kc - 1) / kc;
    p->kc = (k.Cg + p->nkb - 1) / p->nkb;
    p->nmb = (k.Mg + MR - 1) / MR;
    p->mrt = k.Mg % MR;
    p->J = g->group * p->nmb;
    /* enough work items for the threads: split the (group, block) pairs when there are few tiles */
    int64_t tiles = g->N * p->ntiles, want = k.packed ? CF_MIN_ITEMS_PACKED : CF_MIN_ITEMS;
    p->njc = tiles >= want ? 1 : (want + tiles - 1) / tiles;
    if (p->njc > p->J)
        p->njc = p->J;
    p->jc = (p->J + p->njc - 1) / p->njc;
    p->njc = (p->J + p->jc - 1) / p->jc;
    int64_t items = tiles * p->njc;

    k.vt = LLVMVectorType(cx->f32, (unsigned)VL);
    k.vt2 = LLVMVectorType(cx->f32, (unsigned)(2 * VL));
    k.vit = LLVMVectorType(cx->i32, (unsigned)VL);
    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    k.bias = g->has_bias ? om_cg_in(cx, 2) : NULL;
    k.y = om_cg_out(cx, 0);
    for (int q = 0; q < MR * NR; q++)
        k.acc[q] = om_cg_alloca(cx, k.vt, "acc");
    if (k.packed) {
        k.panel = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(p->kc * k.KK * p->T)), "panel");
        LLVMSetAlignment(k.panel, 64);
    }

    om_cg_loop lw;
    LLVMValueRef wi = om_cg_for_work(cx, &lw, items, "item");
    /* item = (n, jc, tile), tile fastest: a contiguous range of items (one thread's share)
     * covers whole channel-block ranges, so tiles of unequal cost (the tail) spread evenly */
    LLVMValueRef ti = LLVMBuildURem(cx->b, wi, om_cg_i64(cx, p->ntiles), "tile");
    LLVMValueRef r = LLVMBuildUDiv(cx->b, wi, om_cg_i64(cx, p->ntiles), "");
    LLVMValueRef jci = LLVMBuildURem(cx->b, r, om_cg_i64(cx, p->njc), "jc");
    k.n = LLVMBuildUDiv(cx->b, r, om_cg_i64(cx, p->njc), "n");
    LLVMValueRef tr = ti, oh = NULL;
    if (!k.flat) {
        tr = LLVMBuildURem(cx->b, ti, om_cg_i64(cx, p->ntr), "t");
        oh = LLVMBuildUDiv(cx->b, ti, om_cg_i64(cx, p->ntr), "oh");
    }
    bool pointwise = g->KH == 1 && g->KW == 1 && g->PH == 0 && g->PW == 0;
    cf_tile full = {.nr = NR, .sp0 = om_cg_mad(cx, tr, p->T, NULL), .oh = oh, .valid = p->T, .masked = !pointwise};
    cf_tile tail = {.nr = (int)p->nrt, .sp0 = om_cg_i64(cx, p->nfull * p->T), .oh = oh, .valid = p->tail, .masked = true};
    cf_if f;
    if (p->tail) {
        cf_if_begin(&k, &f, LLVMBuildICmp(cx->b, LLVMIntEQ, tr, om_cg_i64(cx, p->nfull), ""));
        cf_tile_emit(&k, &tail, jci);
        cf_if_else(&k, &f);
    }
    if (p->nfull > 0) {
        if (k.flat) {
            cf_tile_emit(&k, &full, jci);
        } else {
            /* interior: ow0*SW - PW >= 0 and (ow0 + T - 1)*SW + (KW-1)*DW - PW + SW - 1 < IW */
            LLVMValueRef ow0 = full.sp0;
            LLVMValueRef in0 = LLVMBuildICmp(cx->b, LLVMIntSGE, om_cg_mad(cx, ow0, g->SW, NULL), om_cg_i64(cx, g->PW), "");
            int64_t last = (p->T - 1) * g->SW + (g->KW - 1) * g->DW - g->PW + g->SW - 1;
            LLVMValueRef in1 = LLVMBuildICmp(cx->b, LLVMIntSLT, om_cg_mad(cx, ow0, g->SW, om_cg_i64(cx, last)),
                                             om_cg_i64(cx, g->IW), "");
            cf_if fi;
            cf_if_begin(&k, &fi, LLVMBuildAnd(cx->b, in0, in1, ""));
            full.masked = false;
            cf_tile_emit(&k, &full, jci);
            cf_if_else(&k, &fi);
            full.masked = true;
            cf_tile_emit(&k, &full, jci);
            cf_if_end(&k, &fi);
        }
    }
    if (p->tail)
        cf_if_end(&k, &f);
    om_cg_for_end(cx, &lw);
    *done = true;
    return OM_OK;
}
