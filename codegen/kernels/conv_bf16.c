/* bf16 convolution as an implicit-im2col GEMM on the bf16 dot-product micro-tile (layout,
 * coverage and work split in conv_bf16.h).
 *
 * The B panel of a work item is i16[KP/2][CB_T][2] on the stack (KP = K rounded up to even);
 * pair row q is built from the two k rows 2q and 2q+1 (each <CB_T x i16>, zero where the
 * tap is outside X, past OH*OW or past K) interleaved by one shufflevector and stored as
 * one <2*CB_T x i16>. Every element offset is i64; X is addressed per image.
 */
#include <stdint.h>
#include <string.h>

#include "codegen/kernels/conv_bf16.h"
#include "codegen/kernels/gemm_bf16.h"

#define CB_T 32          /* columns per tile (the AVX-512 micro-tile width) */
#define CB_MR 8          /* rows per tile */
#define CB_MAX_K 4608    /* panel <= 288 KiB of stack (3x3 x 512 channels) */
#define CB_AMX_M 32      /* rows of an AMX block (gemm_bf16.h) */
#define CB_AMX_P 4       /* AMX: column tiles per work item, at most */
#define CB_AMX_STACK (576 * 1024) /* AMX: bytes of panels per work item, at most */

typedef struct cb_ctx {
    const om_cg_conv_geom *g;
    const om_cg_epilogue *ep;
    LLVMValueRef x, w, bias, y;
    LLVMValueRef panel, scratch;
    LLVMValueRef y_img;     /* element offset of Y[n, 0, 0, 0] */
    LLVMValueRef amx_scratch; /* AMX: 32 x 32 f32 (NULL: no AMX) */
    int64_t amx_pstride, amx_panels; /* AMX: bf16 per packed panel, panels per item (at most) */
    int64_t K, OHW, IHW;
    bool gather32;          /* X has 2 .. 2^31-1 elements: 32-bit gathers (cb_row) */
} cb_ctx;

static LLVMValueRef cb_mask(om_cg_ctx *cx, int n, int lanes)
{
    LLVMValueRef bits[CB_T];
    for (int i = 0; i < n; i++)
        bits[i] = LLVMConstInt(cx->i1, i < lanes, 0);
    return LLVMConstVector(bits, (unsigned)n);
}

static LLVMValueRef cb_call(om_cg_ctx *cx, const char *name, LLVMTypeRef *over, size_t n_over, LLVMValueRef *ops,
                            unsigned n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, over, n_over);
    LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, over, n_over);
    return LLVMBuildCall2(cx->b, fty, fn, ops, n, "");
}

static LLVMValueRef cb_splat(om_cg_ctx *cx, LLVMValueRef s, int n)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), (unsigned)n);
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetPoison(vt), s, om_cg_i32(cx, 0), "");
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetPoison(vt), LLVMConstNull(LLVMVectorType(cx->i32, (unsigned)n)), "");
}

/* <CB_T x i16>: row k of B for the tile's columns (oh, ow vectors of i64, colok the columns
 * inside OH*OW); zero where invalid. k is an i64 value, kok an i1 (k < K). */
static LLVMValueRef cb_row(om_cg_ctx *cx, const cb_ctx *c, LLVMValueRef ximg, LLVMValueRef col0, LLVMValueRef k,
                           LLVMValueRef kok, LLVMValueRef oh, LLVMValueRef ow, LLVMValueRef colok, bool linear)
{
    const om_cg_conv_geom *g = c->g;
    LLVMBuilderRef b = cx->b;
    int64_t KHW = g->KH * g->KW;
    LLVMValueRef ch = LLVMBuildUDiv(b, k, om_cg_i64(cx, KHW), "");
    LLVMValueRef kr = LLVMBuildURem(b, k, om_cg_i64(cx, KHW), "");
    LLVMValueRef kh = LLVMBuildUDiv(b, kr, om_cg_i64(cx, g->KW), "");
    LLVMValueRef kw = LLVMBuildURem(b, kr, om_cg_i64(cx, g->KW), "");
    /* ih = oh*SH - PH + kh*DH, iw = ow*SW - PW + kw*DW */
    LLVMValueRef dh = om_cg_mad(cx, kh, g->DH, om_cg_i64(cx, -g->PH));
    LLVMValueRef dw = om_cg_mad(cx, kw, g->DW, om_cg_i64(cx, -g->PW));
    LLVMValueRef ih = LLVMBuildAdd(b, g->SH == 1 ? oh : LLVMBuildMul(b, oh, cb_splat(cx, om_cg_i64(cx, g->SH), CB_T), ""),
                                   cb_splat(cx, dh, CB_T), "");
    LLVMValueRef iw = LLVMBuildAdd(b, g->SW == 1 ? ow : LLVMBuildMul(b, ow, cb_splat(cx, om_cg_i64(cx, g->SW), CB_T), ""),
                                   cb_splat(cx, dw, CB_T), "");
    LLVMValueRef ok = LLVMBuildAnd(b, colok, LLVMBuildICmp(b, LLVMIntULT, ih, cb_splat(cx, om_cg_i64(cx, g->IH), CB_T), ""), "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntULT, iw, cb_splat(cx, om_cg_i64(cx, g->IW), CB_T), ""), "");
    ok = LLVMBuildAnd(b, ok, cb_splat(cx, kok, CB_T), "");
    LLVMTypeRef vt = LLVMVectorType(cx->i16, CB_T);
    LLVMValueRef chbase = om_cg_add(cx, ximg, om_cg_mad(cx, ch, c->IHW, NULL));
    if (linear) {
        /* stride 1 and OW == IW: column p reads X[ch, p + dh*IW + dw] (p = col0 + j) */
        LLVMValueRef idx = om_cg_add(cx, chbase, om_cg_add(cx, col0, om_cg_mad(cx, dh, g->IW, dw)));
        LLVMValueRef p = LLVMBuildGEP2(b, cx->i16, c->x, &idx, 1, "");
        LLVMTypeRef over[2] = {vt, cx->ptr};
        LLVMValueRef ops[4] = {p, om_cg_i32(cx, 2), ok, LLVMConstNull(vt)};
        return cb_call(cx, "llvm.masked.load", over, 2, ops, 4);
    }
    LLVMValueRef off = LLVMBuildAdd(b, LLVMBuildMul(b, ih, cb_splat(cx, om_cg_i64(cx, g->IW), CB_T), ""), iw, "");
    off = LLVMBuildAdd(b, off, cb_splat(cx, chbase, CB_T), "");
    off = LLVMBuildSelect(b, ok, off, LLVMConstNull(LLVMTypeOf(off)), "");
    if (c->gather32) {
        /* 32-bit gathers (one instruction per 16 lanes on AVX-512, where 16-bit ones are
         * scalarized): lane e reads the word (X[e-1], X[e]) and keeps its high half, or for
         * e == 0 the word (X[0], X[1]) and its low half, so nothing outside X is read */
        LLVMTypeRef v32 = LLVMVectorType(cx->i32, CB_T);
        LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, off, LLVMConstNull(LLVMTypeOf(off)), "");
        LLVMValueRef a32 = LLVMBuildTrunc(b, LLVMBuildSub(b, off, LLVMBuildZExt(b, nz, LLVMTypeOf(off), ""), ""), v32, "");
        LLVMValueRef ptrs = LLVMBuildGEP2(b, cx->i16, c->x, &a32, 1, "");
        LLVMTypeRef over[2] = {v32, LLVMTypeOf(ptrs)};
        LLVMValueRef ops[4] = {ptrs, om_cg_i32(cx, 2), ok, LLVMConstNull(v32)};
        LLVMValueRef wv = cb_call(cx, "llvm.masked.gather", over, 2, ops, 4);
        LLVMValueRef sh = LLVMBuildSelect(b, nz, cb_splat(cx, om_cg_i32(cx, 16), CB_T), LLVMConstNull(v32), "");
        return LLVMBuildTrunc(b, LLVMBuildLShr(b, wv, sh, ""), vt, "");
    }
    LLVMValueRef ptrs = LLVMBuildGEP2(b, cx->i16, c->x, &off, 1, "");
    LLVMTypeRef over[2] = {vt, LLVMTypeOf(ptrs)};
    LLVMValueRef ops[4] = {ptrs, om_cg_i32(cx, 2), ok, LLVMConstNull(vt)};
    return cb_call(cx, "llvm.masked.gather", over, 2, ops, 4);
}

/* Fills the panel at c->panel + pan_off (bf16 units) for image offset ximg and columns
 * [col0, col0 + CB_T). */
static void cb_pack(om_cg_ctx *cx, const cb_ctx *c, LLVMValueRef pan_off, LLVMValueRef ximg, LLVMValueRef col0)
{
    const om_cg_conv_geom *g = c->g;
    LLVMBuilderRef b = cx->b;
    bool linear = g->SH == 1 && g->SW == 1 && g->OW == g->IW;
    LLVMValueRef lane[CB_T];
    for (int j = 0; j < CB_T; j++)
        lane[j] = LLVMConstInt(cx->i64, (unsigned long long)j, 0);
    LLVMValueRef cols = LLVMBuildAdd(b, cb_splat(cx, col0, CB_T), LLVMConstVector(lane, CB_T), "");
    LLVMValueRef oh = LLVMBuildUDiv(b, cols, cb_splat(cx, om_cg_i64(cx, g->OW), CB_T), "");
    LLVMValueRef ow = LLVMBuildURem(b, cols, cb_splat(cx, om_cg_i64(cx, g->OW), CB_T), "");
    LLVMValueRef colok = LLVMBuildICmp(b, LLVMIntULT, cols, cb_splat(cx, om_cg_i64(cx, c->OHW), CB_T), "");
    LLVMValueRef il[2 * CB_T];
    for (int j = 0; j < CB_T; j++) {
        il[2 * j] = om_cg_i32(cx, j);
        il[2 * j + 1] = om_cg_i32(cx, CB_T + j);
    }
    LLVMValueRef ilv = LLVMConstVector(il, 2 * CB_T);
    om_cg_loop l;
    LLVMValueRef q = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, (c->K + 1) / 2), "cbq");
    LLVMValueRef k0 = om_cg_mul(cx, q, om_cg_i64(cx, 2));
    LLVMValueRef k1 = om_cg_add(cx, k0, om_cg_i64(cx, 1));
    LLVMValueRef t = LLVMConstInt(cx->i1, 1, 0);
    LLVMValueRef r0 = cb_row(cx, c, ximg, col0, k0, t, oh, ow, colok, linear);
    LLVMValueRef r1;
    if (c->K % 2) {
        LLVMValueRef k1ok = LLVMBuildICmp(b, LLVMIntULT, k1, om_cg_i64(cx, c->K), "");
        /* k1 == K: clamp the decode to a valid k; the row is masked off anyway */
        LLVMValueRef k1c = LLVMBuildSelect(b, k1ok, k1, k0, "");
        r1 = cb_row(cx, c, ximg, col0, k1c, k1ok, oh, ow, colok, linear);
    } else {
        r1 = cb_row(cx, c, ximg, col0, k1, t, oh, ow, colok, linear);
    }
    LLVMValueRef pr = LLVMBuildShuffleVector(b, r0, r1, ilv, "");
    LLVMValueRef idx = om_cg_mad(cx, q, 2 * CB_T, pan_off);
    LLVMValueRef p = LLVMBuildInBoundsGEP2(b, cx->i16, c->panel, &idx, 1, "");
    LLVMSetAlignment(LLVMBuildStore(b, pr, p), 2);
    om_cg_for_end(cx, &l);
}

/* bias, epilogue, rounding to bf16 over a finished tile (f32 sums in acc, stride acc_rs) */
static void cb_post(om_cg_ctx *cx, void *user, LLVMValueRef row, LLVMValueRef col, int rows, int cols,
                    LLVMValueRef acc, LLVMValueRef acc_off, int64_t acc_rs)
{
    const cb_ctx *c = user;
    const om_cg_epilogue *ep = c->ep;
    LLVMBuilderRef b = cx->b;
    const int vw = 16;
    LLVMTypeRef vf = LLVMVectorType(cx->f32, vw), vh = LLVMVectorType(cx->i16, vw);
    LLVMTypeRef vbf = LLVMVectorType(LLVMBFloatTypeInContext(cx->llctx), vw);
    bool vec = ep->act == OM_CG_ACT_NONE || ep->act == OM_CG_ACT_RELU;
    for (int r = 0; r < rows; r++) {
        LLVMValueRef m = om_cg_add(cx, row, om_cg_i64(cx, r));
        LLVMValueRef bias = c->bias ? om_cg_convert(cx, om_cg_load(cx, OM_DT_BFLOAT16, c->bias, m), OM_DT_BFLOAT16,
                                                    OM_DT_FLOAT) : NULL;
        LLVMValueRef yrow = om_cg_add(cx, c->y_img, om_cg_add(cx, om_cg_mad(cx, m, c->OHW, NULL), col));
        LLVMValueRef arow = om_cg_add(cx, acc_off, om_cg_i64(cx, r * acc_rs));
        if (!vec) {
            om_cg_loop lj;
            LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, cols), "cbp");
            LLVMValueRef v = om_cg_load(cx, OM_DT_FLOAT, acc, om_cg_add(cx, arow, j));
            if (bias)
                v = LLVMBuildFAdd(b, v, bias, "");
            LLVMValueRef yi = om_cg_add(cx, yrow, j);
            v = om_cg_epilogue_apply(cx, ep, OM_DT_FLOAT, v, yi);
            om_cg_store(cx, OM_DT_BFLOAT16, c->y, yi, om_cg_convert(cx, v, OM_DT_FLOAT, OM_DT_BFLOAT16));
            om_cg_for_end(cx, &lj);
            continue;
        }
        LLVMValueRef bv = bias ? cb_splat(cx, bias, vw) : NULL;
        for (int v0 = 0; v0 < cols; v0 += vw) {
            int lanes = cols - v0 < vw ? cols - v0 : vw;
            LLVMValueRef ai = om_cg_add(cx, arow, om_cg_i64(cx, v0));
            LLVMValueRef ap = LLVMBuildInBoundsGEP2(b, cx->f32, acc, &ai, 1, "");
            LLVMValueRef v = LLVMBuildLoad2(b, vf, ap, "");
            LLVMSetAlignment(v, 4);
            if (bv)
                v = LLVMBuildFAdd(b, v, bv, "");
            LLVMValueRef yi = om_cg_add(cx, yrow, om_cg_i64(cx, v0));
            LLVMValueRef yp = LLVMBuildInBoundsGEP2(b, cx->i16, c->y, &yi, 1, "");
            LLVMValueRef rv = NULL;
            if (ep->residual) {
                LLVMValueRef rp = LLVMBuildInBoundsGEP2(b, cx->i16, ep->res, &yi, 1, "");
                LLVMTypeRef over[2] = {vh, cx->ptr};
                LLVMValueRef ops[4] = {rp, om_cg_i32(cx, 2), cb_mask(cx, vw, lanes), LLVMConstNull(vh)};
                rv = cb_call(cx, "llvm.masked.load", over, 2, ops, 4);
                rv = om_cg_convert(cx, LLVMBuildBitCast(b, rv, vbf, ""), OM_DT_BFLOAT16, OM_DT_FLOAT);
            }
            if (ep->residual == 1)
                v = LLVMBuildFAdd(b, v, rv, "");
            if (ep->act == OM_CG_ACT_RELU) {
                LLVMValueRef z = LLVMConstNull(vf);
                v = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, v, z, ""), z, v, "");
            }
            if (ep->residual == 2)
                v = LLVMBuildFAdd(b, v, rv, "");
            LLVMValueRef h = LLVMBuildBitCast(b, om_cg_convert(cx, v, OM_DT_FLOAT, OM_DT_BFLOAT16), vh, "");
            LLVMTypeRef over[2] = {vh, cx->ptr};
            LLVMValueRef ops[4] = {h, yp, om_cg_i32(cx, 2), cb_mask(cx, vw, lanes)};
            cb_call(cx, "llvm.masked.store", over, 2, ops, 4);
        }
    }
}

/* All row tiles of M against the packed panel, for a column tile of `cols` columns. */
static void cb_rows(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, LLVMValueRef col0, int cols)
{
    int64_t M = c->g->M, full = M / CB_MR, tail = M % CB_MR;
    LLVMValueRef zero = om_cg_i64(cx, 0);
    if (full > 0) {
        om_cg_loop l;
        LLVMValueRef i = om_cg_for(cx, &l, zero, om_cg_i64(cx, full), "cbm");
        om_cg_gemm_bf16_emit_tile(cx, gg, c->scratch, CB_T, om_cg_mul(cx, i, om_cg_i64(cx, CB_MR)), CB_MR, col0,
                                  cols, zero, CB_T);
        om_cg_for_end(cx, &l);
    }
    if (tail)
        om_cg_gemm_bf16_emit_tile(cx, gg, c->scratch, CB_T, om_cg_i64(cx, full * CB_MR), (int)tail, col0, cols, zero,
                                  CB_T);
}

/* if (cond) then(cols = tail) else then(cols = CB_T), or just CB_T without a tail */
typedef void (*cb_cols_fn)(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, LLVMValueRef row, LLVMValueRef col,
                           LLVMValueRef boff, int cols);

static void cb_split_cols(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, cb_cols_fn fn, LLVMValueRef row,
                          LLVMValueRef t, int64_t ntiles, int64_t tail, LLVMValueRef boff)
{
    LLVMValueRef col = om_cg_mul(cx, t, om_cg_i64(cx, CB_T));
    if (!tail) {
        fn(cx, c, gg, row, col, boff, CB_T);
        return;
    }
    LLVMValueRef last = LLVMBuildICmp(cx->b, LLVMIntEQ, t, om_cg_i64(cx, ntiles - 1), "");
    LLVMBasicBlockRef bt = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cbtail");
    LLVMBasicBlockRef bf = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cbfull");
    LLVMBasicBlockRef bj = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "cbjoin");
    LLVMBuildCondBr(cx->b, last, bt, bf);
    LLVMPositionBuilderAtEnd(cx->b, bt);
    fn(cx, c, gg, row, col, boff, (int)tail);
    LLVMBuildBr(cx->b, bj);
    LLVMPositionBuilderAtEnd(cx->b, bf);
    if (ntiles > 1)
        fn(cx, c, gg, row, col, boff, CB_T);
    LLVMBuildBr(cx->b, bj);
    LLVMPositionBuilderAtEnd(cx->b, bj);
}

/* cb_rows as a cb_cols_fn (the vdpbf16ps path has no row or B offset of its own) */
static void cb_rows_cols(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, LLVMValueRef row, LLVMValueRef col,
                         LLVMValueRef boff, int cols)
{
    (void)row;
    (void)boff;
    cb_rows(cx, c, gg, col, cols);
}

/* One AMX block; the item's panels share the prefetch of the next 32-row block of W (after
 * the last one, the first, which the item's successor starts with): W is the A operand and
 * comes from memory in a model, up to 288 KiB a block. */
static void cb_amx_one(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, LLVMValueRef row, LLVMValueRef col,
                       LLVMValueRef boff, int cols)
{
    int64_t last = (c->g->M / CB_AMX_M - 1) * CB_AMX_M;
    LLVMValueRef more = LLVMBuildICmp(cx->b, LLVMIntULT, row, om_cg_i64(cx, last), "");
    LLVMValueRef next = LLVMBuildSelect(cx->b, more, om_cg_add(cx, row, om_cg_i64(cx, CB_AMX_M)), om_cg_i64(cx, 0), "");
    LLVMValueRef share = LLVMBuildUDiv(cx->b, boff, om_cg_i64(cx, c->amx_pstride), "");
    om_cg_gemm_bf16_amx_block(cx, gg, c->amx_scratch, row, col, cols, boff, share, c->amx_panels, next);
}

/* the rows [row, M) (fewer than 32) on the vector tiles */
static void cb_vec_rest(om_cg_ctx *cx, cb_ctx *c, const om_cg_gemm *gg, LLVMValueRef row, LLVMValueRef col,
                        LLVMValueRef boff, int cols)
{
    int64_t m0 = c->g->M / CB_AMX_M * CB_AMX_M, rest = c->g->M - m0;
    (void)row;
    for (int64_t r = 0; r < rest; r += CB_MR)
        om_cg_gemm_bf16_emit_tile(cx, gg, c->scratch, CB_T, om_cg_i64(cx, m0 + r),
                                  (int)(rest - r < CB_MR ? rest - r : CB_MR), col, cols, boff, CB_T);
}

/* AMX: a work item takes up to CB_AMX_P column tiles of one image (their panels packed side
 * by side, at most CB_AMX_STACK bytes) and runs M-outer, so that each 32-row block of W is
 * read once per item from memory and reused across its panels (layers with few columns and
 * large W stream W once per item: ResNet-50's 14x14 and 7x7 stages). */
static void cb_emit_amx(om_cg_ctx *cx, cb_ctx *c, int64_t KP, int64_t ntiles, int64_t tail)
{
    const om_cg_conv_geom *g = c->g;
    LLVMBuilderRef b = cx->b;
    int64_t pstride = KP * CB_T; /* bf16 per panel */
    int64_t P = CB_AMX_STACK / (pstride * 2);
    P = P > CB_AMX_P ? CB_AMX_P : P;
    P = P > ntiles ? ntiles : P;
    if (g->N == 1 && ntiles > 1 && P > (ntiles + 1) / 2)
        P = (ntiles + 1) / 2; /* keep two work items for two threads */
    P = P < 1 ? 1 : P;
    int64_t ngroups = (ntiles + P - 1) / P;
    c->panel = om_cg_alloca(cx, LLVMArrayType2(cx->i16, (uint64_t)(P * pstride)), "cbpanels");
    c->amx_scratch = om_cg_gemm_bf16_amx_scratch(cx);
    c->amx_pstride = pstride;
    c->amx_panels = P;

    om_cg_loop lw, lp, li;
    LLVMValueRef w = om_cg_for_work(cx, &lw, g->N * ngroups, "cbitem");
    LLVMValueRef n = LLVMBuildUDiv(b, w, om_cg_i64(cx, ngroups), "");
    LLVMValueRef t0 = om_cg_mul(cx, LLVMBuildURem(b, w, om_cg_i64(cx, ngroups), ""), om_cg_i64(cx, P));
    LLVMValueRef left = LLVMBuildSub(b, om_cg_i64(cx, ntiles), t0, "");
    LLVMValueRef np = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, left, om_cg_i64(cx, P), ""), left,
                                      om_cg_i64(cx, P), "cbnp");
    LLVMValueRef ximg = om_cg_mul(cx, n, om_cg_i64(cx, g->C * c->IHW));
    c->y_img = om_cg_mul(cx, n, om_cg_i64(cx, g->M * c->OHW));
    om_cg_gemm_bf16_amx_begin(cx);
    LLVMValueRef p = om_cg_for(cx, &lp, om_cg_i64(cx, 0), np, "cbpk");
    cb_pack(cx, c, om_cg_mul(cx, p, om_cg_i64(cx, pstride)), ximg, om_cg_mul(cx, om_cg_add(cx, t0, p), om_cg_i64(cx, CB_T)));
    om_cg_for_end(cx, &lp);
    om_cg_gemm gg = {.M = g->M, .N = c->OHW, .K = c->K, .a_dt = OM_DT_BFLOAT16, .b_dt = OM_DT_BFLOAT16,
                     .c_dt = OM_DT_BFLOAT16, .a = c->w, .b = c->panel, .c = c->y, .a_off = om_cg_i64(cx, 0),
                     .b_off = om_cg_i64(cx, 0), .c_off = c->y_img, .a_rs = c->K, .a_ks = 1, .b_panel = CB_T,
                     .c_rs = c->OHW, .post = cb_post, .post_user = c};
    LLVMValueRef i = om_cg_for(cx, &li, om_cg_i64(cx, 0), om_cg_i64(cx, g->M / CB_AMX_M), "cba");
    LLVMValueRef row = om_cg_mul(cx, i, om_cg_i64(cx, CB_AMX_M));
    p = om_cg_for(cx, &lp, om_cg_i64(cx, 0), np, "cbap");
    cb_split_cols(cx, c, &gg, cb_amx_one, row, om_cg_add(cx, t0, p), ntiles, tail,
                  om_cg_mul(cx, p, om_cg_i64(cx, pstride)));
    om_cg_for_end(cx, &lp);
    om_cg_for_end(cx, &li);
    if (g->M % CB_AMX_M) {
        p = om_cg_for(cx, &lp, om_cg_i64(cx, 0), np, "cbvp");
        cb_split_cols(cx, c, &gg, cb_vec_rest, NULL, om_cg_add(cx, t0, p), ntiles, tail,
                      om_cg_mul(cx, p, om_cg_i64(cx, pstride)));
        om_cg_for_end(cx, &lp);
    }
    om_cg_gemm_bf16_amx_end(cx);
    om_cg_for_end(cx, &lw);
}

om_status om_cg_conv_bf16(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done)
{
    *done = false;
    int64_t K = g->C * g->KH * g->KW;
    if (g->group != 1 || K < 1 || K > CB_MAX_K || om_cg_gemm_vec_width(cx) != 16)
        return OM_OK;
    if (ep->residual && ep->dt != OM_DT_BFLOAT16)
        return OM_OK;
    cb_ctx c = {.g = g, .ep = ep, .K = K, .OHW = g->OH * g->OW, .IHW = g->IH * g->IW};
    int64_t xn = g->N * g->C * c.IHW;
    c.gather32 = xn >= 2 && xn < INT32_MAX;
    c.x = om_cg_in(cx, 0);
    c.w = om_cg_in(cx, 1);
    c.bias = g->has_bias ? om_cg_in(cx, 2) : NULL;
    c.y = om_cg_out(cx, 0);
    int64_t KP = (K + 1) / 2 * 2;
    c.scratch = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(CB_MR * CB_T)), "cbacc");
    int64_t ntiles = (c.OHW + CB_T - 1) / CB_T, tail = c.OHW % CB_T;
    if (g->M >= CB_AMX_M && om_cg_gemm_bf16_amx(cx)) {
        cb_emit_amx(cx, &c, KP, ntiles, tail);
        *done = true;
        return OM_OK;
    }
    c.panel = om_cg_alloca(cx, LLVMArrayType2(cx->i16, (uint64_t)(KP * CB_T)), "cbpanel");

    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, g->N * ntiles, "cbitem");
    LLVMValueRef n = LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, ntiles), "");
    LLVMValueRef t = LLVMBuildURem(cx->b, w, om_cg_i64(cx, ntiles), "");
    LLVMValueRef col0 = om_cg_mul(cx, t, om_cg_i64(cx, CB_T));
    LLVMValueRef ximg = om_cg_mul(cx, n, om_cg_i64(cx, g->C * c.IHW));
    c.y_img = om_cg_mul(cx, n, om_cg_i64(cx, g->M * c.OHW));
    cb_pack(cx, &c, om_cg_i64(cx, 0), ximg, col0);
    om_cg_gemm gg = {.M = g->M, .N = c.OHW, .K = K, .a_dt = OM_DT_BFLOAT16, .b_dt = OM_DT_BFLOAT16,
                     .c_dt = OM_DT_BFLOAT16, .a = c.w, .b = c.panel, .c = c.y, .a_off = om_cg_i64(cx, 0),
                     .b_off = om_cg_i64(cx, 0), .c_off = c.y_img, .a_rs = K, .a_ks = 1, .b_panel = CB_T,
                     .c_rs = c.OHW, .post = cb_post, .post_user = &c};
    cb_split_cols(cx, &c, &gg, cb_rows_cols, NULL, t, ntiles, tail, NULL);
    om_cg_for_end(cx, &lw);
    *done = true;
    return OM_OK;
}
