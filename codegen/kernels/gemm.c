/* Gemm kernel (family gemm): Y = alpha * A' * B' + beta * C, specialized to static shapes.
 *
 * A' is A [M, K] or, with transA, A^T of A [K, M]; B' is B [K, N] or, with transB, B^T of
 * B [N, K]. C is optional and broadcasts unidirectionally to [M, N] (scalar, [N], [1, N],
 * [M, 1], [M, N], [1], [1, 1]); it is skipped when beta == 0. The parallel loop runs over
 * the M rows of Y. Each row is computed in blocks of at most OM_GEMM_JB columns into a stack
 * accumulator (which aliases nothing):
 *   - B not transposed: i-k-j order, the j loop innermost and unit-stride over a row of B;
 *   - B transposed: one dot product per column over a contiguous row of B, with reassociable
 *     adds so LLVM vectorizes the reduction.
 * Then the epilogue applies alpha and beta*C and stores. f16/bf16 accumulate in f32;
 * integer dtypes accumulate in their own type with alpha/beta truncated to integers.
 * A fused epilogue (om_activation / om_residual, residual R = input 3; codegen/cg_epilogue.h)
 * follows alpha and beta*C.
 *
 * f32/f16/bf16 with B' readable by rows (B not transposed, or B packed) takes the
 * register-blocked path of gemm_tile.h instead (16-bit operands widened on load, f32 sums,
 * one rounding on store): work items are (m-block, n-block) pairs and alpha, beta*C
 * and the epilogue rewrite each finished micro-tile. A constant B packed by
 * passes/pack_gemm_weights.c carries om_packed_b = P: its data is B' [K, N] (transB
 * already applied) in P-column panels, with B's original shape.
 */
#include "codegen/cg_epilogue.h"
#include "codegen/kernels/gemm_bf16.h"
#include "codegen/kernels/gemm_tile.h"

#define OM_GEMM_JB 256 /* accumulator block width, elements */

static om_dtype gemm_acc_dtype(om_dtype dt)
{
    return (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
}

static bool gemm_dtype_ok(om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_DOUBLE: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
    case OM_DT_INT32: case OM_DT_INT64: case OM_DT_UINT32: case OM_DT_UINT64:
        return true;
    default:
        return false;
    }
}

static void gemm_fast(LLVMValueRef inst)
{
    if (inst && LLVMIsAInstruction(inst) && LLVMCanValueUseFastMathFlags(inst))
        LLVMSetFastMathFlags(inst, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
}

static LLVMValueRef gemm_mul(om_cg_ctx *cx, om_dtype adt, LLVMValueRef a, LLVMValueRef b)
{
    return om_dtype_is_float(adt) ? LLVMBuildFMul(cx->b, a, b, "") : LLVMBuildMul(cx->b, a, b, "");
}

static LLVMValueRef gemm_add(om_cg_ctx *cx, om_dtype adt, LLVMValueRef a, LLVMValueRef b)
{
    return om_dtype_is_float(adt) ? LLVMBuildFAdd(cx->b, a, b, "") : LLVMBuildAdd(cx->b, a, b, "");
}

/* c + a * b in the accumulator type (llvm.fmuladd for floats). */
static LLVMValueRef gemm_fmadd(om_cg_ctx *cx, om_dtype adt, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    if (om_dtype_is_float(adt)) {
        LLVMValueRef ops[3] = {a, b, c};
        return om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
    }
    return LLVMBuildAdd(cx->b, LLVMBuildMul(cx->b, a, b, ""), c, "");
}

typedef struct gemm_row {
    om_dtype dt, adt, cdt;
    LLVMValueRef a, bm, c, y, acc, dot; /* tensor bases, accumulator array, dot scalar slot */
    LLVMValueRef i;                     /* the row */
    int64_t M, N, K;
    bool trans_a, trans_b;
    int64_t c_rows, c_cols;            /* C broadcast as [c_rows, c_cols] */
    double alpha, beta;
    om_cg_epilogue ep;
} gemm_row;

/* Element A'[i, k]. */
static LLVMValueRef gemm_load_a(om_cg_ctx *cx, const gemm_row *r, LLVMValueRef k)
{
    LLVMValueRef idx = r->trans_a ? om_cg_mad(cx, k, r->M, r->i) : om_cg_mad(cx, r->i, r->K, k);
    return om_cg_convert(cx, om_cg_load(cx, r->dt, r->a, idx), r->dt, r->adt);
}

/* Columns [j0, j0 + w) of row i; w is a compile-time constant <= OM_GEMM_JB. */
static void gemm_block(om_cg_ctx *cx, const gemm_row *r, LLVMValueRef j0, int64_t w)
{
    om_cg_loop l, lk;
    om_dtype adt = r->adt;
    LLVMValueRef zero = om_cg_const(cx, adt, 0);
    LLVMValueRef j, k;
    if (!r->trans_b) {
        j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
        om_cg_store(cx, adt, r->acc, j, zero);
        om_cg_for_end(cx, &l);
        k = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, r->K), "k");
        LLVMValueRef av = gemm_load_a(cx, r, k);
        LLVMValueRef brow = om_cg_add(cx, om_cg_mad(cx, k, r->N, NULL), j0);
        j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
        LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, r->dt, r->bm, om_cg_add(cx, brow, j)), r->dt, adt);
        om_cg_store(cx, adt, r->acc, j, gemm_fmadd(cx, adt, av, bv, om_cg_load(cx, adt, r->acc, j)));
        om_cg_for_end(cx, &l);
        om_cg_for_end(cx, &lk);
    } else {
        j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
        LLVMValueRef brow = om_cg_mad(cx, om_cg_add(cx, j0, j), r->K, NULL);
        LLVMBuildStore(cx->b, zero, r->dot);
        k = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, r->K), "k");
        LLVMValueRef av = gemm_load_a(cx, r, k);
        LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, r->dt, r->bm, om_cg_add(cx, brow, k)), r->dt, adt);
        LLVMValueRef p = gemm_mul(cx, adt, av, bv);
        gemm_fast(p);
        LLVMValueRef s = gemm_add(cx, adt, LLVMBuildLoad2(cx->b, om_cg_type(cx, adt), r->dot, ""), p);
        gemm_fast(s);
        LLVMBuildStore(cx->b, s, r->dot);
        om_cg_for_end(cx, &lk);
        om_cg_store(cx, adt, r->acc, j, LLVMBuildLoad2(cx->b, om_cg_type(cx, adt), r->dot, ""));
        om_cg_for_end(cx, &l);
    }

    /* epilogue: alpha * acc + beta * C */
    LLVMValueRef yrow = om_cg_add(cx, om_cg_mad(cx, r->i, r->N, NULL), j0);
    LLVMValueRef crow = r->c_rows == 1 ? om_cg_i64(cx, 0) : om_cg_mad(cx, r->i, r->c_cols, NULL);
    j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
    LLVMValueRef v = om_cg_load(cx, adt, r->acc, j);
    if (r->alpha != 1.0)
        v = gemm_mul(cx, adt, v, om_cg_const(cx, adt, r->alpha));
    if (r->c) {
        LLVMValueRef cidx = r->c_cols == 1 ? crow : om_cg_add(cx, crow, om_cg_add(cx, j0, j));
        LLVMValueRef cv = om_cg_convert(cx, om_cg_load(cx, r->cdt, r->c, cidx), r->cdt, adt);
        if (r->beta != 1.0)
            cv = gemm_mul(cx, adt, cv, om_cg_const(cx, adt, r->beta));
        v = gemm_add(cx, adt, v, cv);
    }
    LLVMValueRef yi = om_cg_add(cx, yrow, j);
    v = om_cg_epilogue_apply(cx, &r->ep, adt, v, yi);
    om_cg_store(cx, r->dt, r->y, yi, om_cg_convert(cx, v, adt, r->dt));
    om_cg_for_end(cx, &l);
}

/* ---- f32: the blocked kernel ---------------------------------------------------------- */

/* alpha, beta*C and the epilogue over a finished tile (f32 sums in acc), stored to Y */
static void gemm_post(om_cg_ctx *cx, void *user, LLVMValueRef row, LLVMValueRef col, int rows, int cols,
                      LLVMValueRef acc, LLVMValueRef acc_off, int64_t acc_rs)
{
    const gemm_row *r = user;
    om_cg_loop li, lj;
    LLVMValueRef ii = om_cg_for(cx, &li, om_cg_i64(cx, 0), om_cg_i64(cx, rows), "pr");
    LLVMValueRef i = om_cg_add(cx, row, ii);
    LLVMValueRef yrow = om_cg_add(cx, om_cg_mad(cx, i, r->N, NULL), col);
    LLVMValueRef arow = om_cg_add(cx, acc_off, om_cg_mad(cx, ii, acc_rs, NULL));
    LLVMValueRef crow = r->c_rows == 1 ? om_cg_i64(cx, 0) : om_cg_mad(cx, i, r->c_cols, NULL);
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, cols), "pc");
    LLVMValueRef yi = om_cg_add(cx, yrow, j);
    LLVMValueRef v = om_cg_load(cx, OM_DT_FLOAT, acc, om_cg_add(cx, arow, j));
    if (r->alpha != 1.0)
        v = LLVMBuildFMul(cx->b, v, om_cg_f32(cx, (float)r->alpha), "");
    if (r->c) {
        LLVMValueRef cidx = r->c_cols == 1 ? crow : om_cg_add(cx, crow, om_cg_add(cx, col, j));
        LLVMValueRef cv = om_cg_convert(cx, om_cg_load(cx, r->cdt, r->c, cidx), r->cdt, OM_DT_FLOAT);
        if (r->beta != 1.0)
            cv = LLVMBuildFMul(cx->b, cv, om_cg_f32(cx, (float)r->beta), "");
        v = LLVMBuildFAdd(cx->b, v, cv, "");
    }
    v = om_cg_epilogue_apply(cx, &r->ep, OM_DT_FLOAT, v, yi);
    om_cg_store(cx, r->dt, r->y, yi, om_cg_convert(cx, v, OM_DT_FLOAT, r->dt));
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &li);
}

static om_status gemm_emit_fast(om_cg_ctx *cx, gemm_row *r, int64_t packed, bool pairs)
{
    om_cg_gemm g = {.M = r->M, .N = r->N, .K = r->K, .a_dt = r->dt, .b_dt = r->dt, .c_dt = r->dt,
                    .a = r->a, .b = r->bm, .c = r->y,
                    .a_rs = r->trans_a ? 1 : r->K, .a_ks = r->trans_a ? r->M : 1,
                    .b_panel = packed, .b_ks = r->N, .c_rs = r->N};
    if (r->dt != OM_DT_FLOAT || r->alpha != 1.0 || r->c || om_cg_epilogue_active(&r->ep)) {
        g.post = gemm_post;
        g.post_user = r;
    }
    om_cg_gemm_blocking bl;
    om_status st = om_cg_gemm_plan(cx, &g, 1, &bl);
    if (st == OM_OK && pairs) /* bf16 pair panels (pack-bf16-weights): gemm_bf16.h */
        st = om_cg_gemm_bf16_check(&g);
    if (st != OM_OK)
        return st;
    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, bl.m_blocks * bl.n_blocks, "item");
    /* n fastest: consecutive items (one thread's share) reuse the A block from L2 while B's
     * panels stream past, prefetched one panel ahead (2048^3: 77% -> 80% of the peak) */
    LLVMValueRef mbi = LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, bl.n_blocks), "mb");
    LLVMValueRef nbi = LLVMBuildURem(cx->b, w, om_cg_i64(cx, bl.n_blocks), "nb");
    if (pairs)
        om_cg_gemm_bf16_emit_block(cx, &g, &bl, mbi, nbi);
    else
        om_cg_gemm_emit_block(cx, &g, &bl, mbi, nbi);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

om_status om_cg_emit_gemm(om_cg_ctx *cx, const om_node *n)
{
    const char *nm = n->name ? n->name : "";
    const om_value *va = om_node_input(n, 0), *vb = om_node_input(n, 1), *vc = om_node_input(n, 2);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!va || !vb || !vy)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): needs inputs A, B and output Y", nm);
    om_dtype dt = vy->dtype;
    if (!gemm_dtype_ok(dt))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(dt));
    if (va->dtype != dt || vb->dtype != dt || (vc && vc->dtype != dt))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): input dtypes differ from Y's %s", nm,
                        om_dtype_name(dt));
    const om_shape *sa = &va->shape, *sb = &vb->shape, *sy = &vy->shape;
    if (!om_shape_is_static(sa) || !om_shape_is_static(sb) || !om_shape_is_static(sy) ||
        sa->rank != 2 || sb->rank != 2 || sy->rank != 2)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): A, B and Y need static rank-2 shapes", nm);

    gemm_row r = {.dt = dt, .adt = gemm_acc_dtype(dt), .cdt = dt};
    r.trans_a = om_node_int(n, "transA", 0) != 0;
    r.trans_b = om_node_int(n, "transB", 0) != 0;
    r.alpha = om_node_float(n, "alpha", 1.0f);
    r.beta = om_node_float(n, "beta", 1.0f);
    r.M = r.trans_a ? sa->dims[1] : sa->dims[0];
    r.K = r.trans_a ? sa->dims[0] : sa->dims[1];
    int64_t Kb = r.trans_b ? sb->dims[1] : sb->dims[0];
    r.N = r.trans_b ? sb->dims[0] : sb->dims[1];
    if (r.K != Kb)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): inner dims differ (A' has %lld, B' has %lld)",
                        nm, (long long)r.K, (long long)Kb);
    if (sy->dims[0] != r.M || sy->dims[1] != r.N)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): Y is [%lld, %lld], expected [%lld, %lld]", nm,
                        (long long)sy->dims[0], (long long)sy->dims[1], (long long)r.M, (long long)r.N);
    if (vc && r.beta != 0.0) {
        const om_shape *sc = &vc->shape;
        if (!om_shape_is_static(sc) || sc->rank > 2)
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): C needs a static shape of rank <= 2", nm);
        r.c_rows = sc->rank == 2 ? sc->dims[0] : 1;
        r.c_cols = sc->rank >= 1 ? sc->dims[sc->rank - 1] : 1;
        if ((r.c_rows != 1 && r.c_rows != r.M) || (r.c_cols != 1 && r.c_cols != r.N))
            return om_error(OM_ERR_INVALID_MODEL,
                            "node '%s' (Gemm): C [%lld, %lld] does not broadcast to [%lld, %lld]", nm,
                            (long long)r.c_rows, (long long)r.c_cols, (long long)r.M, (long long)r.N);
        if (r.c_rows * r.c_cols == 0 && r.M * r.N != 0)
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): C is empty", nm);
        r.c = om_cg_in(cx, 2);
    }
    om_status st = om_cg_epilogue_read(cx, n, 3, r.adt, &r.ep);
    if (st != OM_OK)
        return st;
    int64_t packed = om_node_int(n, "om_packed_b", 0);
    bool fast = dt == OM_DT_FLOAT || dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16;
    if (packed && (!fast || packed < 0))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Gemm): om_packed_b = %lld needs f32/f16/bf16, not %s", nm,
                        (long long)packed, om_dtype_name(dt));
    if (r.M * r.N == 0)
        return OM_OK;

    r.a = om_cg_in(cx, 0);
    r.bm = om_cg_in(cx, 1);
    r.y = om_cg_out(cx, 0);
    bool pairs = om_node_int(n, "om_packed_bf16", 0) != 0;
    if (packed && r.K == 0)
        packed = 0; /* nothing is read from B */
    if (fast && r.K > 0 && (packed || !r.trans_b))
        return gemm_emit_fast(cx, &r, packed, pairs && packed);
    int64_t jb = r.N < OM_GEMM_JB ? r.N : OM_GEMM_JB;
    LLVMTypeRef at = om_cg_type(cx, r.adt);
    r.acc = om_cg_alloca(cx, LLVMArrayType2(at, (uint64_t)jb), "acc");
    r.dot = om_cg_alloca(cx, at, "dot");

    om_cg_loop lw;
    r.i = om_cg_for_work(cx, &lw, r.M, "i");
    int64_t nfull = r.N / jb, tail = r.N % jb;
    if (nfull == 1) {
        gemm_block(cx, &r, om_cg_i64(cx, 0), jb);
    } else if (nfull > 1) {
        om_cg_loop lb;
        LLVMValueRef blk = om_cg_for(cx, &lb, om_cg_i64(cx, 0), om_cg_i64(cx, nfull), "jblk");
        gemm_block(cx, &r, om_cg_mad(cx, blk, jb, NULL), jb);
        om_cg_for_end(cx, &lb);
    }
    if (tail)
        gemm_block(cx, &r, om_cg_i64(cx, nfull * jb), tail);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
