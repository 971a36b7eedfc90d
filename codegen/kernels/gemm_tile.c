/* Register-blocked f32 GEMM: the micro-tile and the blocked matrix product (API and
 * layouts in gemm_tile.h).
 *
 * The micro-tile keeps its accumulators in SSA values (phis of a one-block k loop), so
 * they live in vector registers; the loop body is unrolled by GT_UNROLL. Blocking
 * constants below were tuned on an AVX-512 Zen (48 KiB L1d, 1 MiB L2 per core): a kc x 32
 * B micro-panel (32 KiB at kc = 256) stays in L1 while the row tiles of an mb x kc A
 * block (L2) stream past it. f32 operands on AVX-512 use a taller tile and longer K
 * blocks (GT_MR_F32_512, GT_KC_MAX_F32_512: measured on a Sapphire-Rapids-class Xeon).
 */
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_target.h"
#include "codegen/kernels/gemm_tile.h"

#define GT_UNROLL 4
#define GT_KC_MAX 256      /* K block */
/* f32 operands on AVX-512 (measured on a Sapphire-Rapids-class Xeon, 1 thread, CPU-time
 * medians): a 12 x 32 tile (24 accumulators) and K blocks of up to 2048 (the kc x 32 B
 * micro-panel then streams from L2 instead of staying in L1, but C is read back and
 * rewritten once per K block, and those round trips of 4 KiB-strided C rows cost more):
 * 1024^3 15.07 -> 14.10 ms, 2048^3 124.2 -> 111.7 ms, 128x768x3072 4.59 -> 4.27 ms. */
#define GT_MR_F32_512 12
#define GT_KC_MAX_F32_512 2048
#define GT_MB_MAX 192      /* rows per block (rounded down to a multiple of mr) */
/* ... and at most this many bytes of A per block (kc x mb), so that the A block, the B
 * micro-panel and the next panel's prefetch share the 2 MiB L2 of a Sapphire-Rapids-class
 * core: 2048^3 with kc = 2048, 192 -> 96 rows, 76-77% -> 80-81% of the FMA peak (paired
 * measurements, bench/gemm_libs.c); 1024^3 and the BERT shapes keep their blocks (a matrix
 * whose rows fit one block of GT_MB_MAX stays one block: splitting 128 x 3072 x 768 lost 2%). */
#define GT_A_BLOCK_BYTES ((int64_t)768 << 10)
/* f32 operands on AVX-512 with packed B, K blocks of 512 to 1024 and at least GT_WIDE_MIN_M
 * rows: a wide 6 x 64 tile over two panels (24 accumulators like 12 x 32, but 6 broadcasts of
 * A and 4 loads of B per k step instead of 12 and 2) and blocks of at most 96 rows / 384 KiB
 * of A, so that the A block and the two B micro-panel pairs (this column tile's and the next,
 * prefetched) stay under 1 MiB of the L2. Measured on a Sapphire-Rapids-class Xeon, paired
 * (bench/gemm_libs.c's protocol), 1 thread, alternating: 1024^3 85-88% -> 87-90% of the FMA
 * peak, 384 x 768 x 3072 83-84% -> 89-90%, 512^3 within noise, outputs bit-identical (the
 * same fma chains). Not taken: M = 128 (its
 * 2-row tail tile; the BERT shapes lost 2-5 points), K blocks of 256 (the 64 KiB micro-panel
 * pair leaves the L1: 256^3 -4 points), K blocks of 2048 (a 512 KiB pair: 2048^3 no better). */
#define GT_MR_WIDE 6
#define GT_WIDE_MIN_KC 512
#define GT_WIDE_MAX_KC 1024
#define GT_WIDE_MIN_M 384
#define GT_MB_WIDE 96
#define GT_A_BLOCK_WIDE ((int64_t)384 << 10)
#define GT_NB_MAX 256      /* columns per block (multiple of 32) */
#define GT_MIN_ITEMS 8     /* cut small problems into at least this many work items */
#define GT_MAX_ACC 32      /* accumulator vectors of one tile */

/* Whether the space-separated list `list` holds the word w. */
static bool gt_has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, w, n))
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

int om_cg_gemm_vec_width(om_cg_ctx *cx)
{
    char *triple = LLVMGetTargetMachineTriple(cx->tm);
    char *cpu = LLVMGetTargetMachineCPU(cx->tm);
    char *feat = LLVMGetTargetMachineFeatureString(cx->tm);
    char *req = om_cg_required_cpu(triple, cpu, feat);
    int vw = 4;
    if (req && gt_has_word(req, "avx512f"))
        vw = 16;
    else if (req && (gt_has_word(req, "avx") || gt_has_word(req, "avx2")))
        vw = 8;
    free(req);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(feat);
    return vw;
}

void om_cg_gemm_tile_shape(om_cg_ctx *cx, int *mr, int *nr)
{
    int vw = om_cg_gemm_vec_width(cx);
    char *triple = LLVMGetTargetMachineTriple(cx->tm);
    bool arm = !strncmp(triple, "aarch64", 7) || !strncmp(triple, "arm64", 5);
    LLVMDisposeMessage(triple);
    if (vw == 16) {          /* 32 zmm: 16 accumulators + 2 B vectors + broadcasts (12 x 32
                              * measured no faster on Zen 5, and 8 divides M = 128) */
        *mr = 8;
        *nr = 32;
    } else if (vw == 8 || arm) { /* 16 ymm: 12 + 2 + 1; NEON 32 q: 24 + 4 + 1 */
        *mr = 6;
        *nr = 16;
    } else {                 /* SSE: 16 xmm, 12 + 2 + 1 */
        *mr = 6;
        *nr = 8;
    }
}

/* ---- small emit helpers ---------------------------------------------------------------- */

static LLVMValueRef gt_gep(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildInBoundsGEP2(cx->b, cx->f32, base, &idx, 1, "");
}

static LLVMValueRef gt_mask(om_cg_ctx *cx, int vw, int lanes)
{
    LLVMValueRef bits[16];
    for (int i = 0; i < vw; i++)
        bits[i] = LLVMConstInt(cx->i1, i < lanes, 0);
    return LLVMConstVector(bits, (unsigned)vw);
}

/* vw lanes at base[idx]; only the first `lanes` are touched. */
static LLVMValueRef gt_vload(om_cg_ctx *cx, LLVMTypeRef vt, int vw, LLVMValueRef base, LLVMValueRef idx, int lanes)
{
    LLVMValueRef p = gt_gep(cx, base, idx);
    if (lanes >= vw) {
        LLVMValueRef v = LLVMBuildLoad2(cx->b, vt, p, "");
        LLVMSetAlignment(v, 4);
        return v;
    }
    LLVMValueRef ops[4] = {p, om_cg_i32(cx, 4), gt_mask(cx, vw, lanes), LLVMConstNull(vt)};
    return om_cg_masked_intrinsic(cx, "llvm.masked.load", vt, ops, 4);
}

/* vw lanes of element type dt (f32, f16, bf16) at base[idx] widened to <vw x float>; only
 * the first `lanes` are read. 16-bit lanes are loaded as i16 and converted by om_cg_convert
 * (no libcalls on targets without F16C). */
static LLVMValueRef gt_vload_dt(om_cg_ctx *cx, om_dtype dt, int vw, LLVMValueRef base, LLVMValueRef idx, int lanes)
{
    if (dt == OM_DT_FLOAT)
        return gt_vload(cx, LLVMVectorType(cx->f32, (unsigned)vw), vw, base, idx, lanes);
    LLVMTypeRef it = LLVMVectorType(cx->i16, (unsigned)vw);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, cx->i16, base, &idx, 1, "");
    LLVMValueRef v;
    if (lanes >= vw) {
        v = LLVMBuildLoad2(cx->b, it, p, "");
        LLVMSetAlignment(v, 2);
    } else {
        LLVMValueRef ops[4] = {p, om_cg_i32(cx, 2), gt_mask(cx, vw, lanes), LLVMConstNull(it)};
        v = om_cg_masked_intrinsic(cx, "llvm.masked.load", it, ops, 4);
    }
    v = LLVMBuildBitCast(cx->b, v, LLVMVectorType(om_cg_type(cx, dt), (unsigned)vw), "");
    return om_cg_convert(cx, v, dt, OM_DT_FLOAT);
}

static void gt_vstore(om_cg_ctx *cx, LLVMTypeRef vt, int vw, LLVMValueRef v, LLVMValueRef base, LLVMValueRef idx,
                      int lanes)
{
    LLVMValueRef p = gt_gep(cx, base, idx);
    if (lanes >= vw) {
        LLVMValueRef s = LLVMBuildStore(cx->b, v, p);
        LLVMSetAlignment(s, 4);
        return;
    }
    LLVMValueRef ops[4] = {v, p, om_cg_i32(cx, 4), gt_mask(cx, vw, lanes)};
    om_cg_masked_intrinsic(cx, "llvm.masked.store", vt, ops, 4);
}

static LLVMValueRef gt_splat(om_cg_ctx *cx, LLVMTypeRef vt, int vw, LLVMValueRef s)
{
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetPoison(vt), s, om_cg_i32(cx, 0), "");
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetPoison(vt), LLVMConstNull(LLVMVectorType(cx->i32, (unsigned)vw)),
                                  "");
}

/* ---- the micro-tile ------------------------------------------------------------------- */

typedef struct gt_state {
    const om_cg_gemm_tile *t;
    LLVMTypeRef vt;
    int vw, nv;
    LLVMValueRef acc[GT_MAX_ACC];
} gt_state;

/* The tile's prefetch stream for the GT_UNROLL k steps from k (gemm_tile.h). */
static void gt_prefetch_share(om_cg_ctx *cx, const om_cg_gemm_tile *t, LLVMValueRef k)
{
    om_dtype dt = t->b_dt ? t->b_dt : OM_DT_FLOAT;
    int64_t per_line = 64 / (int64_t)om_dtype_size(dt);
    LLVMValueRef pos = om_cg_add(cx, t->pf_line0, om_cg_mul(cx, k, om_cg_i64(cx, t->pf_lines_per_k)));
    int64_t count = (GT_UNROLL * t->pf_lines_per_k + t->pf_div - 1) / t->pf_div;
    for (int r = 0; r < (t->pf_origin2 ? 2 : 1); r++)
        om_cg_prefetch_share(cx, om_cg_type(cx, dt), t->b,
                             om_cg_add(cx, t->b_off, om_cg_i64(cx, r ? t->pf_origin2 : t->pf_origin)), pos, t->pf_div,
                             per_line, count, per_line);
}

/* One k step (k an i64 value): acc[r][v] = fma(A[r,k], B[k, v*vw..], acc[r][v]). */
static void gt_step(om_cg_ctx *cx, gt_state *s, LLVMValueRef k)
{
    const om_cg_gemm_tile *t = s->t;
    LLVMValueRef bv[4];
    LLVMValueRef brow = om_cg_add(cx, t->b_off, om_cg_mad(cx, k, t->b_ks, NULL));
    for (int v = 0; v < s->nv; v++) {
        int lanes = t->nr - v * s->vw;
        int64_t col = (int64_t)v * s->vw, at = t->b_half && col >= 32 ? t->b_half + col - 32 : col;
        bv[v] = gt_vload_dt(cx, t->b_dt ? t->b_dt : OM_DT_FLOAT, s->vw, t->b, om_cg_add(cx, brow, om_cg_i64(cx, at)),
                            lanes);
    }
    LLVMValueRef acol = om_cg_add(cx, t->a_off, om_cg_mad(cx, k, t->a_ks, NULL));
    if (t->a_prefetch)
        om_cg_prefetch(cx, om_cg_type(cx, t->a_dt ? t->a_dt : OM_DT_FLOAT), t->a,
                       om_cg_add(cx, acol, om_cg_i64(cx, t->a_prefetch)), 2);
    for (int r = 0; r < t->mr; r++) {
        LLVMValueRef ai = om_cg_add(cx, acol, om_cg_i64(cx, (int64_t)r * t->a_rs));
        LLVMValueRef a;
        if (!t->a_dt || t->a_dt == OM_DT_FLOAT) {
            a = LLVMBuildLoad2(cx->b, cx->f32, gt_gep(cx, t->a, ai), "");
            LLVMSetAlignment(a, 4);
        } else {
            a = om_cg_convert(cx, om_cg_load(cx, t->a_dt, t->a, ai), t->a_dt, OM_DT_FLOAT);
        }
        LLVMValueRef av = gt_splat(cx, s->vt, s->vw, a);
        for (int v = 0; v < s->nv; v++) {
            LLVMValueRef ops[3] = {av, bv[v], s->acc[r * s->nv + v]};
            s->acc[r * s->nv + v] = om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
        }
    }
}

void om_cg_gemm_tile_emit(om_cg_ctx *cx, const om_cg_gemm_tile *t)
{
    gt_state s = {.t = t};
    s.vw = om_cg_gemm_vec_width(cx);
    s.vt = LLVMVectorType(cx->f32, (unsigned)s.vw);
    s.nv = (t->nr + s.vw - 1) / s.vw;
    int nacc = t->mr * s.nv;
    if (t->mr < 1 || t->nr < 1 || s.nv > 4 || nacc > GT_MAX_ACC || t->kc < 1)
        return; /* caller bug: the planner never asks for this */

    for (int r = 0; r < t->mr; r++)
        for (int v = 0; v < s.nv; v++) {
            if (t->accumulate) {
                LLVMValueRef ci = om_cg_add(cx, t->c_off, om_cg_i64(cx, (int64_t)r * t->c_rs + (int64_t)v * s.vw));
                s.acc[r * s.nv + v] = gt_vload(cx, s.vt, s.vw, t->c, ci, t->nr - v * s.vw);
            } else {
                s.acc[r * s.nv + v] = LLVMConstNull(s.vt);
            }
        }

    int64_t nmain = t->kc / GT_UNROLL, rem = t->kc % GT_UNROLL;
    if (nmain > 0) {
        LLVMBasicBlockRef pre = LLVMGetInsertBlock(cx->b);
        LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "gk");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "gk.end");
        LLVMBuildBr(cx->b, body);
        LLVMPositionBuilderAtEnd(cx->b, body);
        LLVMValueRef kphi = LLVMBuildPhi(cx->b, cx->i64, "gk");
        LLVMValueRef phis[GT_MAX_ACC], init[GT_MAX_ACC];
        for (int i = 0; i < nacc; i++) {
            init[i] = s.acc[i];
            phis[i] = s.acc[i] = LLVMBuildPhi(cx->b, s.vt, "acc");
        }
        LLVMValueRef k0 = om_cg_mul(cx, kphi, om_cg_i64(cx, GT_UNROLL));
        if (t->pf_div > 0)
            gt_prefetch_share(cx, t, k0);
        for (int u = 0; u < GT_UNROLL; u++)
            gt_step(cx, &s, om_cg_add(cx, k0, om_cg_i64(cx, u)));
        LLVMValueRef knext = LLVMBuildNUWAdd(cx->b, kphi, om_cg_i64(cx, 1), "");
        LLVMValueRef more = LLVMBuildICmp(cx->b, LLVMIntULT, knext, om_cg_i64(cx, nmain), "");
        LLVMBasicBlockRef latch = LLVMGetInsertBlock(cx->b);
        LLVMBuildCondBr(cx->b, more, body, done);
        LLVMValueRef kin[2] = {om_cg_i64(cx, 0), knext};
        LLVMBasicBlockRef from[2] = {pre, latch};
        LLVMAddIncoming(kphi, kin, from, 2);
        for (int i = 0; i < nacc; i++) {
            LLVMValueRef in[2] = {init[i], s.acc[i]};
            LLVMAddIncoming(phis[i], in, from, 2);
        }
        /* single-block loop: the latch values are the final sums and dominate `done` */
        LLVMPositionBuilderAtEnd(cx->b, done);
    }
    for (int64_t u = 0; u < rem; u++)
        gt_step(cx, &s, om_cg_i64(cx, nmain * GT_UNROLL + u));

    for (int r = 0; r < t->mr; r++)
        for (int v = 0; v < s.nv; v++) {
            LLVMValueRef ci = om_cg_add(cx, t->c_off, om_cg_i64(cx, (int64_t)r * t->c_rs + (int64_t)v * s.vw));
            gt_vstore(cx, s.vt, s.vw, s.acc[r * s.nv + v], t->c, ci, t->nr - v * s.vw);
        }
}

/* ---- planning ------------------------------------------------------------------------- */

static int64_t gt_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

om_status om_cg_gemm_plan(om_cg_ctx *cx, const om_cg_gemm *g, int64_t items_hint, om_cg_gemm_blocking *bl)
{
    memset(bl, 0, sizeof *bl);
    if (g->M < 1 || g->N < 1 || g->K < 1)
        return om_error(OM_ERR_INVALID_MODEL, "gemm: sizes M %lld, N %lld, K %lld must be >= 1", (long long)g->M,
                        (long long)g->N, (long long)g->K);
    om_cg_gemm_tile_shape(cx, &bl->mr, &bl->nr);
    bool f32 = (!g->a_dt || g->a_dt == OM_DT_FLOAT) && (!g->b_dt || g->b_dt == OM_DT_FLOAT);
    int64_t kc_max = GT_KC_MAX;
    if (f32 && om_cg_gemm_vec_width(cx) == 16) {
        bl->mr = GT_MR_F32_512;
        kc_max = GT_KC_MAX_F32_512;
    }
    if (g->b_panel < 0 || (g->b_panel > 0 && (32 % g->b_panel != 0 || g->b_panel % bl->nr != 0)))
        return om_error(OM_ERR_INVALID_MODEL, "gemm: packed panel width %lld is not supported here (it must "
                        "divide 32 and be a multiple of the target's tile width %d)", (long long)g->b_panel, bl->nr);
    bool c16 = g->c_dt && g->c_dt != OM_DT_FLOAT;
    if (c16 && !g->post)
        return om_error(OM_ERR_INTERNAL, "gemm: a %s output needs a post function", om_dtype_name(g->c_dt));
    int64_t nk = c16 ? 1 : gt_cdiv(g->K, kc_max); /* 16-bit C: one pass, one rounding */
    bl->kc = gt_cdiv(g->K, nk);
    bool wide = f32 && !c16 && om_cg_gemm_vec_width(cx) == 16 && g->b_panel == 32 && bl->kc >= GT_WIDE_MIN_KC &&
                bl->kc <= GT_WIDE_MAX_KC && g->M >= GT_WIDE_MIN_M;
    int64_t mb_max = GT_MB_MAX / bl->mr * bl->mr;
    if (wide) {
        bl->mr = GT_MR_WIDE;
        bl->nr = 64;
        int64_t fit = GT_A_BLOCK_WIDE / (bl->kc * 4);
        mb_max = (fit < GT_MB_WIDE ? fit : GT_MB_WIDE) / bl->mr * bl->mr;
        if (mb_max < bl->mr)
            mb_max = bl->mr;
    } else if (gt_cdiv(g->M, bl->mr) * bl->mr > mb_max) {
        int64_t a_es = g->a_dt && g->a_dt != OM_DT_FLOAT ? 2 : 4;
        int64_t fit = GT_A_BLOCK_BYTES / (bl->kc * a_es) / bl->mr * bl->mr;
        if (fit < mb_max)
            mb_max = fit > bl->mr ? fit : bl->mr;
    }
    bl->mb = gt_cdiv(g->M, bl->mr) * bl->mr;
    if (bl->mb > mb_max)
        bl->mb = mb_max;
    bl->m_blocks = gt_cdiv(g->M, bl->mb);
    int64_t n32 = gt_cdiv(g->N, 32);
    int64_t u = n32 < GT_NB_MAX / 32 ? n32 : GT_NB_MAX / 32;
    if (items_hint < 1)
        items_hint = 1;
    int step = bl->nr == 64 ? 2 : 1; /* blocks hold whole tiles */
    if (u % step)
        u += step - u % step;
    while (u > step && items_hint * bl->m_blocks * gt_cdiv(n32, u) < GT_MIN_ITEMS)
        u -= step;
    bl->nb = u * 32;
    bl->n_blocks = gt_cdiv(g->N, bl->nb);
    return OM_OK;
}

/* ---- the blocked product ----------------------------------------------------------------- */

typedef struct gt_block {
    const om_cg_gemm *g;
    const om_cg_gemm_blocking *bl;
    LLVMValueRef m0, n0;            /* block origin */
    LLVMValueRef m_full;            /* full row tiles in this block */
    LLVMValueRef last_m, last_n;    /* i1: the block is the last in m / in n */
    int m_tail;                     /* rows of the partial row tile (only in the last m block) */
    LLVMValueRef scratch;           /* f32 mr x nr tile for a 16-bit C, else NULL */
} gt_block;

/* if (cond) { ... }: returns the continuation block; the builder is in the then-block. */
static LLVMBasicBlockRef gt_if(om_cg_ctx *cx, LLVMValueRef cond, const char *name)
{
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, name);
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "endif");
    LLVMBuildCondBr(cx->b, cond, then, cont);
    LLVMPositionBuilderAtEnd(cx->b, then);
    return cont;
}

static void gt_endif(om_cg_ctx *cx, LLVMBasicBlockRef cont)
{
    LLVMBuildBr(cx->b, cont);
    LLVMPositionBuilderAtEnd(cx->b, cont);
}

typedef struct gt_kpass {
    LLVMValueRef k0; /* i64 value */
    int64_t kc;
    bool accumulate, final;
} gt_kpass;

/* Tile `index` of the block's row tiles (0-based, the partial one last). */
static void gt_tile(om_cg_ctx *cx, const gt_block *blk, const gt_kpass *kp, LLVMValueRef index, LLVMValueRef row,
                    int rows, LLVMValueRef col, int cols, LLVMValueRef b_off, int64_t b_ks)
{
    const om_cg_gemm *g = blk->g;
    om_cg_gemm_tile t = {
        .a = g->a, .b = g->b, .c = g->c, .a_dt = g->a_dt, .b_dt = g->b_dt,
        .a_off = om_cg_add(cx, g->a_off ? g->a_off : om_cg_i64(cx, 0),
                           om_cg_add(cx, om_cg_mad(cx, row, g->a_rs, NULL), om_cg_mad(cx, kp->k0, g->a_ks, NULL))),
        .b_off = b_off,
        .c_off = om_cg_add(cx, g->c_off ? g->c_off : om_cg_i64(cx, 0),
                           om_cg_add(cx, om_cg_mad(cx, row, g->c_rs, NULL), col)),
        .a_rs = g->a_rs, .a_ks = g->a_ks, .b_ks = b_ks, .c_rs = g->c_rs,
        .mr = rows, .nr = cols, .kc = kp->kc, .accumulate = kp->accumulate,
    };
    bool wide = g->b_panel == 32 && cols == 64;
    if (g->b_panel > 0 && (cols == blk->bl->nr || wide)) {
        /* packed B: the block's row tiles share the prefetch of the next panel's rows of this
         * K block (weights come from DRAM in a model: each tile fetching the whole next panel
         * made the first tile wait on memory; BERT-4L 55.2 -> 50.1 ms at 1 thread); a wide
         * tile reads two panels and prefetches the next two */
        int64_t lines_per_k = (int64_t)(wide ? 32 : cols) * (int64_t)om_dtype_size(g->b_dt ? g->b_dt : OM_DT_FLOAT) / 64;
        t.pf_div = blk->bl->mb / blk->bl->mr;
        t.pf_lines_per_k = lines_per_k > 0 ? lines_per_k : 1;
        t.pf_origin = (wide ? 2 : 1) * g->b_panel * g->K;
        t.pf_origin2 = wide ? 3 * g->b_panel * g->K : 0;
        t.pf_line0 = om_cg_mul(cx, index, om_cg_i64(cx, kp->kc * t.pf_lines_per_k));
        t.b_half = wide ? g->b_panel * g->K : 0;
    }
    if (blk->scratch) {
        t.c = blk->scratch;
        t.c_off = om_cg_i64(cx, 0);
        t.c_rs = blk->bl->nr;
    }
    om_cg_gemm_tile_emit(cx, &t);
    if (kp->final && g->post)
        g->post(cx, g->post_user, row, col, rows, cols, t.c, t.c_off, t.c_rs);
}

/* All row tiles of the block against one column tile. */
static void gt_rows(om_cg_ctx *cx, const gt_block *blk, const gt_kpass *kp, LLVMValueRef col, int cols,
                    LLVMValueRef b_off, int64_t b_ks)
{
    const om_cg_gemm_blocking *bl = blk->bl;
    om_cg_loop l;
    LLVMValueRef s = om_cg_for(cx, &l, om_cg_i64(cx, 0), blk->m_full, "mt");
    gt_tile(cx, blk, kp, s, om_cg_add(cx, blk->m0, om_cg_mad(cx, s, bl->mr, NULL)), bl->mr, col, cols, b_off, b_ks);
    om_cg_for_end(cx, &l);
    if (blk->m_tail) {
        LLVMBasicBlockRef cont = gt_if(cx, blk->last_m, "mtail");
        gt_tile(cx, blk, kp, blk->m_full, om_cg_i64(cx, blk->g->M - blk->m_tail), blk->m_tail, col, cols, b_off, b_ks);
        gt_endif(cx, cont);
    }
}

/* Number of columns of the regular region: whole tiles (a wide tile is two panels) or,
 * packed with tiles of one panel, whole panels. */
static int64_t gt_n_main(const om_cg_gemm *g, const om_cg_gemm_blocking *bl)
{
    int64_t p = g->b_panel > 0 && bl->nr <= g->b_panel ? g->b_panel : bl->nr;
    return g->N / p * p;
}

static void gt_kpass_emit(om_cg_ctx *cx, const gt_block *blk, const gt_kpass *kp, LLVMValueRef n_full)
{
    const om_cg_gemm *g = blk->g;
    const om_cg_gemm_blocking *bl = blk->bl;
    LLVMValueRef boff0 = g->b_off ? g->b_off : om_cg_i64(cx, 0);
    int64_t n_main = gt_n_main(g, bl);

    /* regular column tiles */
    om_cg_loop l;
    LLVMValueRef t = om_cg_for(cx, &l, om_cg_i64(cx, 0), n_full, "nt");
    LLVMValueRef col = om_cg_add(cx, blk->n0, om_cg_mad(cx, t, bl->nr, NULL));
    LLVMValueRef b_off;
    int64_t b_ks;
    if (g->b_panel > 0) {
        int64_t P = g->b_panel;
        LLVMValueRef panel = LLVMBuildUDiv(cx->b, col, om_cg_i64(cx, P), "");
        LLVMValueRef within = LLVMBuildURem(cx->b, col, om_cg_i64(cx, P), "");
        b_off = om_cg_add(cx, boff0, om_cg_add(cx, om_cg_mad(cx, panel, P * g->K, within),
                                               om_cg_mad(cx, kp->k0, P, NULL)));
        b_ks = P;
    } else {
        b_off = om_cg_add(cx, boff0, om_cg_add(cx, col, om_cg_mad(cx, kp->k0, g->b_ks, NULL)));
        b_ks = g->b_ks;
    }
    gt_rows(cx, blk, kp, col, bl->nr, b_off, b_ks);
    om_cg_for_end(cx, &l);

    /* the tail region [n_main, N), only in the last n block */
    if (n_main < g->N) {
        LLVMBasicBlockRef cont = gt_if(cx, blk->last_n, "ntail");
        if (g->b_panel > 0) {
            /* whole panels left over by wide tiles, then the partial panel [N/P*P, N); the
             * panel at column c is row-major [K, pw] from element c*K */
            int64_t P = g->b_panel, tile = bl->nr < P ? bl->nr : P;
            for (int64_t c = n_main; c < g->N; c += P) {
                int64_t pw = g->N - c < P ? g->N - c : P;
                for (int64_t j = 0; j < pw; j += tile) {
                    int cols = (int)(pw - j < tile ? pw - j : tile);
                    LLVMValueRef tb = om_cg_add(cx, boff0, om_cg_add(cx, om_cg_i64(cx, c * g->K + j),
                                                                     om_cg_mad(cx, kp->k0, pw, NULL)));
                    gt_rows(cx, blk, kp, om_cg_i64(cx, c + j), cols, tb, pw);
                }
            }
        } else {
            for (int64_t j = n_main; j < g->N; j += bl->nr) {
                int cols = (int)(g->N - j < bl->nr ? g->N - j : bl->nr);
                LLVMValueRef tb = om_cg_add(cx, boff0, om_cg_add(cx, om_cg_i64(cx, j), om_cg_mad(cx, kp->k0, g->b_ks, NULL)));
                gt_rows(cx, blk, kp, om_cg_i64(cx, j), cols, tb, g->b_ks);
            }
        }
        gt_endif(cx, cont);
    }
}

void om_cg_gemm_emit_block(om_cg_ctx *cx, const om_cg_gemm *g, const om_cg_gemm_blocking *bl, LLVMValueRef mb,
                           LLVMValueRef nb)
{
    gt_block blk = {.g = g, .bl = bl};
    LLVMBuilderRef b = cx->b;
    blk.m0 = om_cg_mad(cx, mb, bl->mb, NULL);
    blk.n0 = om_cg_mad(cx, nb, bl->nb, NULL);
    blk.last_m = LLVMBuildICmp(b, LLVMIntEQ, mb, om_cg_i64(cx, bl->m_blocks - 1), "lastm");
    blk.last_n = LLVMBuildICmp(b, LLVMIntEQ, nb, om_cg_i64(cx, bl->n_blocks - 1), "lastn");
    /* full row tiles: mb/mr, or in the last block what is left */
    int64_t last_rows = g->M - (bl->m_blocks - 1) * bl->mb;
    blk.m_full = LLVMBuildSelect(b, blk.last_m, om_cg_i64(cx, last_rows / bl->mr), om_cg_i64(cx, bl->mb / bl->mr), "");
    blk.m_tail = (int)(g->M % bl->mr);
    if (g->c_dt && g->c_dt != OM_DT_FLOAT)
        blk.scratch = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(bl->mr * bl->nr)), "gacc");
    /* full column tiles: in [n0, min(n0 + nb, n_main)) */
    int64_t n_main = gt_n_main(g, bl);
    int64_t last_cols = n_main - (bl->n_blocks - 1) * bl->nb; /* may be <= 0 */
    LLVMValueRef n_full = LLVMBuildSelect(b, blk.last_n, om_cg_i64(cx, last_cols > 0 ? last_cols / bl->nr : 0),
                                          om_cg_i64(cx, bl->nb / bl->nr), "");

    int64_t nk = gt_cdiv(g->K, bl->kc);
    int64_t kc_last = g->K - (nk - 1) * bl->kc;
    if (nk == 1) {
        gt_kpass kp = {om_cg_i64(cx, 0), g->K, false, true};
        gt_kpass_emit(cx, &blk, &kp, n_full);
        return;
    }
    gt_kpass first = {om_cg_i64(cx, 0), bl->kc, false, false};
    gt_kpass_emit(cx, &blk, &first, n_full);
    if (nk > 2) {
        om_cg_loop l;
        LLVMValueRef kb = om_cg_for(cx, &l, om_cg_i64(cx, 1), om_cg_i64(cx, nk - 1), "kb");
        gt_kpass mid = {om_cg_mad(cx, kb, bl->kc, NULL), bl->kc, true, false};
        gt_kpass_emit(cx, &blk, &mid, n_full);
        om_cg_for_end(cx, &l);
    }
    gt_kpass last = {om_cg_i64(cx, (nk - 1) * bl->kc), kc_last, true, true};
    gt_kpass_emit(cx, &blk, &last, n_full);
}
