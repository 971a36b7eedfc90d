/* bf16 dot-product GEMM over K-pair-interleaved packed B (API and layout in gemm_bf16.h).
 *
 * The micro-tile keeps its mr * nv accumulators in SSA values (phis of a one-block loop over
 * k pairs, unrolled by GB_UNROLL, remainder straight-line), as gemm_tile.c does. All element
 * offsets are in bf16 units (i16 GEPs); a pair is one 32-bit word at an even offset.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_target.h"
#include "codegen/kernels/gemm_bf16.h"

#define GB_UNROLL 4
#define GB_PANEL 32
#define GB_MAX_ACC 32
#define GB_AMX_K 32      /* k per AMX step: one A tile row is 32 bf16 = 64 bytes */
#define GB_AMX_MN 32     /* rows and columns of an AMX block (2 x 2 C tiles of 16 x 16) */
/* the AMX scratch (f32 units): the 32 x 32 sums, then the K-tail A tile [32][32] bf16 and
 * B tile [16][64] bf16 (2 KiB each) */
#define GB_AMX_TAIL_A (GB_AMX_MN * GB_AMX_MN)
#define GB_AMX_TAIL_B (GB_AMX_TAIL_A + GB_AMX_MN * GB_AMX_K / 2)
#define GB_AMX_SCRATCH (GB_AMX_TAIL_B + GB_AMX_K / 2 * GB_PANEL)

static bool gb_has_word(const char *list, const char *w)
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

/* Whether the target's required cpuid names hold every word of `words` (NULL-terminated). */
static bool gb_target_has(om_cg_ctx *cx, const char *const *words)
{
    char *triple = LLVMGetTargetMachineTriple(cx->tm);
    char *cpu = LLVMGetTargetMachineCPU(cx->tm);
    char *feat = LLVMGetTargetMachineFeatureString(cx->tm);
    char *req = om_cg_required_cpu(triple, cpu, feat);
    bool ok = req != NULL;
    for (int i = 0; ok && words[i]; i++)
        ok = gb_has_word(req, words[i]);
    free(req);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(feat);
    return ok;
}

bool om_cg_gemm_bf16_native(om_cg_ctx *cx)
{
    static const char *const w[] = {"avx512bf16", NULL};
    return om_cg_gemm_vec_width(cx) == 16 && gb_target_has(cx, w);
}

bool om_cg_gemm_bf16_amx(om_cg_ctx *cx)
{
    static const char *const w[] = {"amx-tile", "amx-bf16", NULL};
    return om_cg_gemm_vec_width(cx) == 16 && gb_target_has(cx, w);
}

bool om_cg_gemm_bf16_amx_fits(const om_cg_gemm *g)
{
    return g->a_ks == 1 && g->b_panel == GB_PANEL && g->post;
}

om_status om_cg_gemm_bf16_check(const om_cg_gemm *g)
{
    if (g->a_dt != OM_DT_BFLOAT16 || g->b_dt != OM_DT_BFLOAT16)
        return om_error(OM_ERR_INVALID_MODEL, "gemm-bf16: A and B must be bf16 (A %s, B %s)",
                        om_dtype_name(g->a_dt), om_dtype_name(g->b_dt));
    if (g->b_panel != GB_PANEL)
        return om_error(OM_ERR_INVALID_MODEL, "gemm-bf16: B must be packed in %d-column pair panels, panel is %lld",
                        GB_PANEL, (long long)g->b_panel);
    if (g->K < 2 || g->K % 2 != 0)
        return om_error(OM_ERR_INVALID_MODEL, "gemm-bf16: K = %lld must be even", (long long)g->K);
    if (g->c_dt && g->c_dt != OM_DT_FLOAT && !g->post)
        return om_error(OM_ERR_INTERNAL, "gemm-bf16: a %s output needs a post function", om_dtype_name(g->c_dt));
    return OM_OK;
}

/* ---- emit helpers ------------------------------------------------------------------------ */

typedef struct gb_state {
    const om_cg_gemm *g;
    const om_cg_gemm_blocking *bl;
    int vw;
    bool native;
    LLVMTypeRef vf, vi, vbf; /* <vw x float>, <vw x i32>, <2vw x bfloat> */
    LLVMValueRef scratch;
    int64_t scratch_rs;
    LLVMValueRef m0, n0, m_full, last_m, last_n;
    int m_tail;
    bool amx;                 /* full panels of the block go through AMX blocks */
    LLVMValueRef m_amx;       /* 32-row AMX blocks in this block */
    LLVMValueRef amx_scratch; /* 32 x 32 f32 (with post) */
} gb_state;

static LLVMValueRef gb_gep16(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef idx)
{
    return LLVMBuildInBoundsGEP2(cx->b, cx->i16, base, &idx, 1, "");
}

static LLVMValueRef gb_mask(om_cg_ctx *cx, int vw, int lanes)
{
    LLVMValueRef bits[16];
    for (int i = 0; i < vw; i++)
        bits[i] = LLVMConstInt(cx->i1, i < lanes, 0);
    return LLVMConstVector(bits, (unsigned)vw);
}

static LLVMValueRef gb_splat(om_cg_ctx *cx, LLVMTypeRef vt, int vw, LLVMValueRef s)
{
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetPoison(vt), s, om_cg_i32(cx, 0), "");
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetPoison(vt), LLVMConstNull(LLVMVectorType(cx->i32, (unsigned)vw)),
                                  "");
}

static LLVMValueRef gb_splat_i32(om_cg_ctx *cx, const gb_state *s, uint32_t c)
{
    return gb_splat(cx, s->vi, s->vw, LLVMConstInt(cx->i32, c, 0));
}

/* the low bf16 of each 32-bit word as f32 (word << 16), and the high one (word & ~0xffff) */
static LLVMValueRef gb_lo(om_cg_ctx *cx, LLVMValueRef w, LLVMValueRef sixteen, LLVMTypeRef ft)
{
    return LLVMBuildBitCast(cx->b, LLVMBuildShl(cx->b, w, sixteen, ""), ft, "");
}

static LLVMValueRef gb_hi(om_cg_ctx *cx, LLVMValueRef w, LLVMValueRef himask, LLVMTypeRef ft)
{
    return LLVMBuildBitCast(cx->b, LLVMBuildAnd(cx->b, w, himask, ""), ft, "");
}

typedef struct gb_tile {
    LLVMValueRef a_off;  /* bf16 offset of A[row, 0] */
    LLVMValueRef b_off;  /* bf16 offset of the tile's first pair word (pair 0, column col) */
    LLVMValueRef share;  /* != NULL: prefetch this share (of `shares`) of the next panel */
    int64_t shares;
    int64_t w;           /* panel width: pair q of the tile is at b_off + 2*q*w */
    int rows, cols, nv;
    LLVMValueRef acc[GB_MAX_ACC];
} gb_tile;

/* One k pair q (i64 value); half: the last pair of an odd K (only A[., 2q] exists; the
 * packed B holds a zero as its second half). */
static void gb_step(om_cg_ctx *cx, const gb_state *s, gb_tile *t, LLVMValueRef q, bool half)
{
    const om_cg_gemm *g = s->g;
    LLVMValueRef bv[4];
    LLVMValueRef brow = om_cg_add(cx, t->b_off, om_cg_mad(cx, q, 2 * t->w, NULL));
    for (int v = 0; v < t->nv; v++) {
        int lanes = t->cols - v * s->vw;
        LLVMValueRef p = gb_gep16(cx, g->b, om_cg_add(cx, brow, om_cg_i64(cx, 2 * (int64_t)v * s->vw)));
        if (lanes >= s->vw) {
            bv[v] = LLVMBuildLoad2(cx->b, s->vi, p, "");
            LLVMSetAlignment(bv[v], 2);
        } else {
            LLVMValueRef ops[4] = {p, om_cg_i32(cx, 4), gb_mask(cx, s->vw, lanes), LLVMConstNull(s->vi)};
            bv[v] = om_cg_masked_intrinsic(cx, "llvm.masked.load", s->vi, ops, 4);
        }
    }
    LLVMValueRef sixteen = gb_splat_i32(cx, s, 16), himask = gb_splat_i32(cx, s, 0xffff0000u);
    LLVMValueRef blo[4], bhi[4];
    if (!s->native)
        for (int v = 0; v < t->nv; v++) {
            blo[v] = gb_lo(cx, bv[v], sixteen, s->vf);
            bhi[v] = gb_hi(cx, bv[v], himask, s->vf);
        }
    else
        for (int v = 0; v < t->nv; v++)
            bv[v] = LLVMBuildBitCast(cx->b, bv[v], s->vbf, "");
    LLVMValueRef acol = om_cg_add(cx, t->a_off, om_cg_mad(cx, q, 2 * g->a_ks, NULL));
    for (int r = 0; r < t->rows; r++) {
        LLVMValueRef ai = om_cg_add(cx, acol, om_cg_i64(cx, (int64_t)r * g->a_rs));
        LLVMValueRef aw;
        if (half) {
            aw = LLVMBuildZExt(cx->b, LLVMBuildLoad2(cx->b, cx->i16, gb_gep16(cx, g->a, ai), ""), cx->i32, "");
        } else if (g->a_ks == 1) {
            aw = LLVMBuildLoad2(cx->b, cx->i32, gb_gep16(cx, g->a, ai), "");
            LLVMSetAlignment(aw, 2);
        } else {
            LLVMValueRef a0 = LLVMBuildLoad2(cx->b, cx->i16, gb_gep16(cx, g->a, ai), "");
            LLVMValueRef a1 = LLVMBuildLoad2(cx->b, cx->i16,
                                             gb_gep16(cx, g->a, om_cg_add(cx, ai, om_cg_i64(cx, g->a_ks))), "");
            a0 = LLVMBuildZExt(cx->b, a0, cx->i32, "");
            a1 = LLVMBuildShl(cx->b, LLVMBuildZExt(cx->b, a1, cx->i32, ""), LLVMConstInt(cx->i32, 16, 0), "");
            aw = LLVMBuildOr(cx->b, a0, a1, "");
        }
        if (s->native) {
            LLVMValueRef av = LLVMBuildBitCast(cx->b, gb_splat(cx, s->vi, s->vw, aw), s->vbf, "");
            for (int v = 0; v < t->nv; v++) {
                LLVMValueRef ops[3] = {t->acc[r * t->nv + v], av, bv[v]};
                t->acc[r * t->nv + v] = om_cg_intrinsic(cx, "llvm.x86.avx512bf16.dpbf16ps.512", ops, 3);
            }
        } else {
            LLVMValueRef alo = LLVMBuildBitCast(cx->b, LLVMBuildShl(cx->b, aw, LLVMConstInt(cx->i32, 16, 0), ""),
                                                cx->f32, "");
            LLVMValueRef ahi = LLVMBuildBitCast(cx->b, LLVMBuildAnd(cx->b, aw, LLVMConstInt(cx->i32, 0xffff0000u, 0), ""),
                                                cx->f32, "");
            LLVMValueRef vlo = gb_splat(cx, s->vf, s->vw, alo), vhi = gb_splat(cx, s->vf, s->vw, ahi);
            for (int v = 0; v < t->nv; v++) {
                LLVMValueRef ops[3] = {vlo, blo[v], t->acc[r * t->nv + v]};
                LLVMValueRef x = om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
                LLVMValueRef ops2[3] = {vhi, bhi[v], x};
                t->acc[r * t->nv + v] = om_cg_intrinsic(cx, "llvm.fmuladd", ops2, 3);
            }
        }
    }
}

/* Share `share` of `shares` of a K-line prefetch region from bf16 element `start` of base
 * (the next panel: K/2 pair rows of 64 bf16; or 32 A rows of K bf16), for a loop that has
 * read `done` of its own K lines and reads `per_step` more in this step. */
static void gb_prefetch_share(om_cg_ctx *cx, const om_cg_gemm *g, LLVMValueRef base, LLVMValueRef start,
                              LLVMValueRef share, int64_t shares, LLVMValueRef done, int64_t per_step)
{
    om_cg_prefetch_share(cx, cx->i16, base, start, om_cg_add(cx, om_cg_mul(cx, share, om_cg_i64(cx, g->K)), done),
                         shares, 32, (per_step + shares - 1) / shares, 32);
}

/* One micro-tile: rows x cols of C at (row, col), over all of K, then post. With `share`
 * (an i64 value < shares) on a full panel, the tile also prefetches into L2 its share of
 * the next panel, as the AMX block does (om_cg_gemm_bf16_amx_block). */
static void gb_tile_emit(om_cg_ctx *cx, const gb_state *s, LLVMValueRef row, int rows, LLVMValueRef col, int cols,
                         LLVMValueRef b_off, int64_t w, LLVMValueRef share, int64_t shares)
{
    const om_cg_gemm *g = s->g;
    gb_tile t = {.b_off = b_off, .w = w, .rows = rows, .cols = cols, .share = share, .shares = shares};
    t.nv = (cols + s->vw - 1) / s->vw;
    int nacc = rows * t.nv;
    if (rows < 1 || cols < 1 || t.nv > 4 || nacc > GB_MAX_ACC)
        return; /* the planner never asks for this */
    t.a_off = om_cg_add(cx, g->a_off ? g->a_off : om_cg_i64(cx, 0), om_cg_mad(cx, row, g->a_rs, NULL));
    for (int i = 0; i < nacc; i++)
        t.acc[i] = LLVMConstNull(s->vf);

    int64_t npairs = g->K / 2, nmain = npairs / GB_UNROLL, rem = npairs % GB_UNROLL;
    if (nmain > 0) {
        LLVMBasicBlockRef pre = LLVMGetInsertBlock(cx->b);
        LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "bk");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "bk.end");
        LLVMBuildBr(cx->b, body);
        LLVMPositionBuilderAtEnd(cx->b, body);
        LLVMValueRef kphi = LLVMBuildPhi(cx->b, cx->i64, "bk");
        LLVMValueRef phis[GB_MAX_ACC], init[GB_MAX_ACC];
        for (int i = 0; i < nacc; i++) {
            init[i] = t.acc[i];
            phis[i] = t.acc[i] = LLVMBuildPhi(cx->b, s->vf, "bacc");
        }
        LLVMValueRef q0 = om_cg_mul(cx, kphi, om_cg_i64(cx, GB_UNROLL));
        if (t.share) {
            /* the next panel is K lines (a pair row of 32 columns: 128 bytes for 2 k); an
             * iteration reads 2 * GB_UNROLL of this panel's */
            gb_prefetch_share(cx, g, g->b, om_cg_add(cx, b_off, om_cg_i64(cx, GB_PANEL * g->K)), t.share, t.shares,
                              om_cg_mul(cx, kphi, om_cg_i64(cx, 2 * GB_UNROLL)), 2 * GB_UNROLL);
        }
        for (int u = 0; u < GB_UNROLL; u++)
            gb_step(cx, s, &t, om_cg_add(cx, q0, om_cg_i64(cx, u)), false);
        LLVMValueRef knext = LLVMBuildNUWAdd(cx->b, kphi, om_cg_i64(cx, 1), "");
        LLVMValueRef more = LLVMBuildICmp(cx->b, LLVMIntULT, knext, om_cg_i64(cx, nmain), "");
        LLVMBasicBlockRef latch = LLVMGetInsertBlock(cx->b);
        LLVMBuildCondBr(cx->b, more, body, done);
        LLVMValueRef kin[2] = {om_cg_i64(cx, 0), knext};
        LLVMBasicBlockRef from[2] = {pre, latch};
        LLVMAddIncoming(kphi, kin, from, 2);
        for (int i = 0; i < nacc; i++) {
            LLVMValueRef in[2] = {init[i], t.acc[i]};
            LLVMAddIncoming(phis[i], in, from, 2);
        }
        LLVMPositionBuilderAtEnd(cx->b, done);
    }
    for (int64_t u = 0; u < rem; u++)
        gb_step(cx, s, &t, om_cg_i64(cx, nmain * GB_UNROLL + u), false);
    if (g->K % 2)
        gb_step(cx, s, &t, om_cg_i64(cx, npairs), true);

    if (g->post) {
        /* full vector stores: nv * vw <= nr, the scratch row stride */
        int64_t nr = s->scratch_rs;
        for (int r = 0; r < rows; r++)
            for (int v = 0; v < t.nv; v++) {
                LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, cx->f32, s->scratch,
                                                       &(LLVMValueRef){om_cg_i64(cx, r * nr + (int64_t)v * s->vw)}, 1, "");
                LLVMSetAlignment(LLVMBuildStore(cx->b, t.acc[r * t.nv + v], p), 4);
            }
        g->post(cx, g->post_user, row, col, rows, cols, s->scratch, om_cg_i64(cx, 0), nr);
        return;
    }
    LLVMValueRef c0 = om_cg_add(cx, g->c_off ? g->c_off : om_cg_i64(cx, 0),
                                om_cg_add(cx, om_cg_mad(cx, row, g->c_rs, NULL), col));
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < t.nv; v++) {
            int lanes = cols - v * s->vw;
            LLVMValueRef idx = om_cg_add(cx, c0, om_cg_i64(cx, (int64_t)r * g->c_rs + (int64_t)v * s->vw));
            LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, cx->f32, g->c, &idx, 1, "");
            if (lanes >= s->vw) {
                LLVMSetAlignment(LLVMBuildStore(cx->b, t.acc[r * t.nv + v], p), 4);
            } else {
                LLVMValueRef ops[4] = {t.acc[r * t.nv + v], p, om_cg_i32(cx, 4), gb_mask(cx, s->vw, lanes)};
                om_cg_masked_intrinsic(cx, "llvm.masked.store", s->vf, ops, 4);
            }
        }
}

static void gb_init(om_cg_ctx *cx, gb_state *s)
{
    s->vw = om_cg_gemm_vec_width(cx);
    s->native = s->vw == 16 && om_cg_gemm_bf16_native(cx);
    s->vf = LLVMVectorType(cx->f32, (unsigned)s->vw);
    s->vi = LLVMVectorType(cx->i32, (unsigned)s->vw);
    s->vbf = LLVMVectorType(LLVMBFloatTypeInContext(cx->llctx), (unsigned)(2 * s->vw));
}

static LLVMBasicBlockRef gb_if(om_cg_ctx *cx, LLVMValueRef cond, const char *name)
{
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, name);
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "endif");
    LLVMBuildCondBr(cx->b, cond, then, cont);
    LLVMPositionBuilderAtEnd(cx->b, then);
    return cont;
}

static void gb_endif(om_cg_ctx *cx, LLVMBasicBlockRef cont)
{
    LLVMBuildBr(cx->b, cont);
    LLVMPositionBuilderAtEnd(cx->b, cont);
}

/* ---- AMX (TMUL) blocks ------------------------------------------------------------------- */

/* Calls a non-overloaded x86 AMX intrinsic (the forms with immediate tile numbers). */
static void gb_amx_call(om_cg_ctx *cx, const char *name, LLVMValueRef *ops, unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, NULL, 0);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, NULL, 0);
    LLVMBuildCall2(cx->b, fty, fn, ops, n, "");
}

static LLVMValueRef gb_tmm(om_cg_ctx *cx, int t)
{
    return LLVMConstInt(LLVMInt8TypeInContext(cx->llctx), (unsigned long long)t, 0);
}

void om_cg_gemm_bf16_amx_begin(om_cg_ctx *cx)
{
    /* palette 1; tiles 0..7: 16 rows of 64 bytes (colsb u16 at 16 + 2t, rows u8 at 48 + t) */
    LLVMTypeRef i8 = LLVMInt8TypeInContext(cx->llctx);
    LLVMValueRef bytes[64];
    for (int i = 0; i < 64; i++) {
        int v = 0;
        if (i == 0)
            v = 1;
        else if (i >= 16 && i < 32 && i % 2 == 0)
            v = 64;
        else if (i >= 48 && i < 56)
            v = 16;
        bytes[i] = LLVMConstInt(i8, (unsigned long long)v, 0);
    }
    LLVMTypeRef at = LLVMArrayType2(i8, 64);
    LLVMValueRef cfg = om_cg_alloca(cx, at, "amxcfg");
    LLVMSetAlignment(cfg, 64);
    LLVMSetAlignment(LLVMBuildStore(cx->b, LLVMConstArray2(i8, bytes, 64), cfg), 64);
    gb_amx_call(cx, "llvm.x86.ldtilecfg", &cfg, 1);
}

void om_cg_gemm_bf16_amx_end(om_cg_ctx *cx)
{
    gb_amx_call(cx, "llvm.x86.tilerelease", NULL, 0);
}

LLVMValueRef om_cg_gemm_bf16_amx_scratch(om_cg_ctx *cx)
{
    LLVMValueRef a = om_cg_alloca(cx, LLVMArrayType2(cx->f32, GB_AMX_SCRATCH), "amxacc");
    LLVMSetAlignment(a, 64);
    return a;
}

static void gb_tile_io(om_cg_ctx *cx, const char *name, int t, LLVMValueRef base, LLVMTypeRef et, LLVMValueRef idx,
                       int64_t stride_bytes)
{
    LLVMValueRef p = LLVMBuildInBoundsGEP2(cx->b, et, base, &idx, 1, "");
    LLVMValueRef ops[3] = {gb_tmm(cx, t), p, om_cg_i64(cx, stride_bytes)};
    gb_amx_call(cx, name, ops, 3);
}

static void gb_tdp(om_cg_ctx *cx, int c, int a, int b)
{
    LLVMValueRef ops[3] = {gb_tmm(cx, c), gb_tmm(cx, a), gb_tmm(cx, b)};
    gb_amx_call(cx, "llvm.x86.tdpbf16ps", ops, 3);
}

/* One 32-k step: A tiles at a (bf16) + ai0 / ai1 (rows 0-15 / 16-31), B tiles at b + bi and
 * bi + 32 (columns 0-15 / 16-31); four tdpbf16ps into tmm0-3. */
static void gb_amx_step(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef ai0, LLVMValueRef ai1, int64_t a_stride,
                        LLVMValueRef b, LLVMValueRef bi, int64_t b_stride)
{
    gb_tile_io(cx, "llvm.x86.tileloadd64", 4, a, cx->i16, ai0, a_stride);
    gb_tile_io(cx, "llvm.x86.tileloadd64", 6, b, cx->i16, bi, b_stride);
    gb_tdp(cx, 0, 4, 6);
    gb_tile_io(cx, "llvm.x86.tileloadd64", 7, b, cx->i16, om_cg_add(cx, bi, om_cg_i64(cx, 32)), b_stride);
    gb_tdp(cx, 1, 4, 7);
    gb_tile_io(cx, "llvm.x86.tileloadd64", 5, a, cx->i16, ai1, a_stride);
    gb_tdp(cx, 2, 5, 6);
    gb_tdp(cx, 3, 5, 7);
}

static LLVMValueRef gb_mask32(om_cg_ctx *cx, int lanes)
{
    LLVMValueRef bits[GB_AMX_K];
    for (int i = 0; i < GB_AMX_K; i++)
        bits[i] = LLVMConstInt(cx->i1, i < lanes, 0);
    return LLVMConstVector(bits, GB_AMX_K);
}

void om_cg_gemm_bf16_amx_block(om_cg_ctx *cx, const om_cg_gemm *g, LLVMValueRef scratch, LLVMValueRef row,
                               LLVMValueRef col, int cols, LLVMValueRef b_off, LLVMValueRef share, int64_t shares,
                               LLVMValueRef a_next)
{
    /* C tiles: tmm0 rows 0-15 x cols 0-15, tmm1 rows 0-15 x 16-31, tmm2 / tmm3 rows 16-31;
     * A tiles tmm4 (rows 0-15), tmm5 (16-31): 16 rows x 32 k, stride a_rs; B tiles tmm6
     * (cols 0-15), tmm7 (16-31): 16 pair rows x 16 columns, stride one panel row (128 B) */
    for (int t = 0; t < 4; t++) {
        LLVMValueRef z = gb_tmm(cx, t);
        gb_amx_call(cx, "llvm.x86.tilezero", &z, 1);
    }
    LLVMValueRef a0 = om_cg_add(cx, g->a_off ? g->a_off : om_cg_i64(cx, 0), om_cg_mad(cx, row, g->a_rs, NULL));
    LLVMValueRef a1 = om_cg_add(cx, a0, om_cg_i64(cx, 16 * g->a_rs));
    int64_t a_stride = 2 * g->a_rs, b_stride = 4 * GB_PANEL, kmain = g->K / GB_AMX_K * GB_AMX_K;
    if (kmain > 0) {
        om_cg_loop l;
        LLVMValueRef k = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, kmain / GB_AMX_K), "amxk");
        LLVMValueRef ak = om_cg_mul(cx, k, om_cg_i64(cx, GB_AMX_K));
        /* 16 pair rows of 2 * GB_PANEL bf16 per step */
        LLVMValueRef bk = om_cg_add(cx, b_off, om_cg_mul(cx, k, om_cg_i64(cx, GB_AMX_K * GB_PANEL)));
        if (share) {
            /* this block's share of the next panel (K * 64 bytes: K lines, 32 per step): lines
             * (share * K + 32 k) / shares .. + ceil(32 / shares). Every block prefetching
             * the whole panel made the first one wait on DRAM; sharing it: BERT-4L in bf16
             * on AMX 17.07 -> 15.78 ms at 1 thread, 8.89 -> 8.04 ms at 2 */
            LLVMValueRef next = a_next ? om_cg_add(cx, g->a_off ? g->a_off : om_cg_i64(cx, 0),
                                                   om_cg_mad(cx, a_next, g->a_rs, NULL))
                                       : om_cg_add(cx, b_off, om_cg_i64(cx, GB_PANEL * g->K));
            gb_prefetch_share(cx, g, a_next ? g->a : g->b, next, share, shares, ak, GB_AMX_K);
        }
        gb_amx_step(cx, g->a, om_cg_add(cx, a0, ak), om_cg_add(cx, a1, ak), a_stride, g->b, bk, b_stride);
        om_cg_for_end(cx, &l);
    }
    int64_t kt = g->K - kmain;
    if (kt > 0) {
        /* K tail: A[32 rows][kt] and the ceil(kt/2) B pair rows copied into zero-padded
         * stack tiles (A rows by masked loads: nothing past K is read) */
        LLVMTypeRef va = LLVMVectorType(cx->i16, GB_AMX_K), vb = LLVMVectorType(cx->i16, 2 * GB_PANEL);
        LLVMValueRef at = LLVMBuildInBoundsGEP2(cx->b, cx->f32, scratch, &(LLVMValueRef){om_cg_i64(cx, GB_AMX_TAIL_A)},
                                                1, "");
        LLVMValueRef bt = LLVMBuildInBoundsGEP2(cx->b, cx->f32, scratch, &(LLVMValueRef){om_cg_i64(cx, GB_AMX_TAIL_B)},
                                                1, "");
        LLVMValueRef mask = gb_mask32(cx, (int)kt);
        for (int r = 0; r < GB_AMX_MN; r++) {
            LLVMValueRef ai = om_cg_add(cx, a0, om_cg_i64(cx, r * g->a_rs + kmain));
            LLVMValueRef ops[4] = {gb_gep16(cx, g->a, ai), om_cg_i32(cx, 2), mask, LLVMConstNull(va)};
            LLVMValueRef v = om_cg_masked_intrinsic(cx, "llvm.masked.load", va, ops, 4);
            LLVMSetAlignment(LLVMBuildStore(cx->b, v, gb_gep16(cx, at, om_cg_i64(cx, r * GB_AMX_K))), 2);
        }
        int64_t pairs = (kt + 1) / 2;
        for (int r = 0; r < GB_AMX_K / 2; r++) {
            LLVMValueRef v = LLVMConstNull(vb);
            if (r < pairs) {
                LLVMValueRef bi = om_cg_add(cx, b_off, om_cg_i64(cx, (kmain / 2 + r) * 2 * GB_PANEL));
                v = LLVMBuildLoad2(cx->b, vb, gb_gep16(cx, g->b, bi), "");
                LLVMSetAlignment(v, 2);
            }
            LLVMSetAlignment(LLVMBuildStore(cx->b, v, gb_gep16(cx, bt, om_cg_i64(cx, r * 2 * GB_PANEL))), 2);
        }
        gb_amx_step(cx, at, om_cg_i64(cx, 0), om_cg_i64(cx, 16 * GB_AMX_K), 2 * GB_AMX_K, bt, om_cg_i64(cx, 0),
                    b_stride);
    }

    const int64_t rs = GB_AMX_MN;
    for (int t = 0; t < 4; t++)
        gb_tile_io(cx, "llvm.x86.tilestored64", t, scratch, cx->f32, om_cg_i64(cx, (t / 2) * 16 * rs + (t % 2) * 16),
                   4 * rs);
    g->post(cx, g->post_user, row, col, GB_AMX_MN, cols, scratch, om_cg_i64(cx, 0), rs);
}

/* All row tiles of the block against one column tile: with AMX and a full panel, 32-row
 * AMX blocks first, then the remaining 8-row tiles and the tail on the vector kernel. */
static void gb_rows(om_cg_ctx *cx, const gb_state *s, LLVMValueRef col, int cols, LLVMValueRef b_off, int64_t w)
{
    const om_cg_gemm_blocking *bl = s->bl;
    om_cg_loop l;
    LLVMValueRef first = om_cg_i64(cx, 0);
    if (s->amx && cols == GB_PANEL && w == GB_PANEL) {
        LLVMValueRef ia = om_cg_for(cx, &l, om_cg_i64(cx, 0), s->m_amx, "bma");
        om_cg_gemm_bf16_amx_block(cx, s->g, s->amx_scratch, om_cg_add(cx, s->m0, om_cg_mul(cx, ia, om_cg_i64(cx, GB_AMX_MN))),
                                  col, GB_AMX_MN, b_off, ia, s->bl->mb / GB_AMX_MN > 0 ? s->bl->mb / GB_AMX_MN : 1,
                                  NULL);
        om_cg_for_end(cx, &l);
        first = om_cg_mul(cx, s->m_amx, om_cg_i64(cx, GB_AMX_MN / bl->mr));
    }
    LLVMValueRef i = om_cg_for(cx, &l, first, s->m_full, "bmt");
    /* without AMX, the block's row tiles share the prefetch of the next full panel */
    bool share = !s->amx && cols == GB_PANEL && w == GB_PANEL && bl->mb / bl->mr > 0;
    gb_tile_emit(cx, s, om_cg_add(cx, s->m0, om_cg_mad(cx, i, bl->mr, NULL)), bl->mr, col, cols, b_off, w,
                 share ? i : NULL, bl->mb / bl->mr);
    om_cg_for_end(cx, &l);
    if (s->m_tail) {
        LLVMBasicBlockRef cont = gb_if(cx, s->last_m, "bmtail");
        gb_tile_emit(cx, s, om_cg_i64(cx, s->g->M - s->m_tail), s->m_tail, col, cols, b_off, w, NULL, 1);
        gb_endif(cx, cont);
    }
}

void om_cg_gemm_bf16_emit_tile(om_cg_ctx *cx, const om_cg_gemm *g, LLVMValueRef scratch, int64_t scratch_rs,
                               LLVMValueRef row, int rows, LLVMValueRef col, int cols, LLVMValueRef b_off, int64_t w)
{
    gb_state s = {.g = g, .scratch = scratch, .scratch_rs = scratch_rs};
    gb_init(cx, &s);
    gb_tile_emit(cx, &s, row, rows, col, cols, b_off, w, NULL, 1);
}

void om_cg_gemm_bf16_emit_block(om_cg_ctx *cx, const om_cg_gemm *g, const om_cg_gemm_blocking *bl, LLVMValueRef mb,
                                LLVMValueRef nb)
{
    gb_state s = {.g = g, .bl = bl};
    gb_init(cx, &s);
    LLVMBuilderRef b = cx->b;
    s.m0 = om_cg_mad(cx, mb, bl->mb, NULL);
    s.n0 = om_cg_mad(cx, nb, bl->nb, NULL);
    s.last_m = LLVMBuildICmp(b, LLVMIntEQ, mb, om_cg_i64(cx, bl->m_blocks - 1), "blastm");
    s.last_n = LLVMBuildICmp(b, LLVMIntEQ, nb, om_cg_i64(cx, bl->n_blocks - 1), "blastn");
    int64_t last_rows = g->M - (bl->m_blocks - 1) * bl->mb;
    s.m_full = LLVMBuildSelect(b, s.last_m, om_cg_i64(cx, last_rows / bl->mr), om_cg_i64(cx, bl->mb / bl->mr), "");
    s.m_tail = (int)(g->M % bl->mr);
    if (g->post)
        s.scratch = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(bl->mr * bl->nr)), "bacc");
    s.scratch_rs = bl->nr;
    s.amx = bl->mr == 8 && bl->nr == GB_PANEL && om_cg_gemm_bf16_amx_fits(g) && om_cg_gemm_bf16_amx(cx) &&
            (g->M >= GB_AMX_MN && g->N >= GB_PANEL);
    if (s.amx) {
        int64_t last_rows_a = last_rows / GB_AMX_MN;
        s.m_amx = LLVMBuildSelect(b, s.last_m, om_cg_i64(cx, last_rows_a), om_cg_i64(cx, bl->mb / GB_AMX_MN), "");
        s.amx_scratch = om_cg_gemm_bf16_amx_scratch(cx);
        om_cg_gemm_bf16_amx_begin(cx);
    }

    LLVMValueRef boff0 = g->b_off ? g->b_off : om_cg_i64(cx, 0);
    int64_t n_main = g->N / GB_PANEL * GB_PANEL;
    int64_t last_cols = n_main - (bl->n_blocks - 1) * bl->nb; /* may be <= 0 */
    LLVMValueRef n_full = LLVMBuildSelect(b, s.last_n, om_cg_i64(cx, last_cols > 0 ? last_cols / bl->nr : 0),
                                          om_cg_i64(cx, bl->nb / bl->nr), "");
    /* full column tiles inside whole panels */
    om_cg_loop l;
    LLVMValueRef t = om_cg_for(cx, &l, om_cg_i64(cx, 0), n_full, "bnt");
    LLVMValueRef col = om_cg_add(cx, s.n0, om_cg_mad(cx, t, bl->nr, NULL));
    LLVMValueRef panel = LLVMBuildUDiv(b, col, om_cg_i64(cx, GB_PANEL), "");
    LLVMValueRef within = LLVMBuildURem(b, col, om_cg_i64(cx, GB_PANEL), "");
    LLVMValueRef b_off = om_cg_add(cx, boff0, om_cg_mad(cx, panel, GB_PANEL * g->K, om_cg_mad(cx, within, 2, NULL)));
    gb_rows(cx, &s, col, bl->nr, b_off, GB_PANEL);
    om_cg_for_end(cx, &l);

    /* the last, narrower panel [n_main, N), only in the last n block */
    if (n_main < g->N) {
        LLVMBasicBlockRef cont = gb_if(cx, s.last_n, "bntail");
        int64_t w = g->N - n_main;
        for (int64_t j = 0; j < w; j += bl->nr) {
            int cols = (int)(w - j < bl->nr ? w - j : bl->nr);
            LLVMValueRef tb = om_cg_add(cx, boff0, om_cg_i64(cx, n_main * g->K + 2 * j));
            gb_rows(cx, &s, om_cg_i64(cx, n_main + j), cols, tb, w);
        }
        gb_endif(cx, cont);
    }
    if (s.amx)
        om_cg_gemm_bf16_amx_end(cx);
}
