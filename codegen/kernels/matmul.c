/* MatMul kernel (family matmul): numpy matmul semantics, specialized to static shapes.
 *
 * A is [..., M, K] (a 1-D A is [K], read as [1, K]), B is [..., K, N] (a 1-D B is [K], read
 * as [K, 1]); the batch dims broadcast numpy-style and Y is [batch..., M, N] (dims of 1
 * dropped for 1-D operands do not change the memory layout). The parallel loop runs over
 * the batch*M output rows. Each row is computed in blocks of at most OM_MM_JB columns in
 * i-k-j order: acc[0..w) += A[i,k] * B[k, j0..j0+w), the j loop innermost, unit-stride over
 * B and over a stack accumulator (which aliases nothing, so LLVM vectorizes it), then the
 * block is stored. Block widths are compile-time constants (full blocks, then one tail).
 * f16/bf16 accumulate in f32; integer types accumulate in their own type (wrapping).
 * Fused by fuse-epilogue: an optional input 2 is a bias [N] (any shape of N elements) added
 * to every row, then the epilogue of codegen/cg_epilogue.h (residual R = input 3).
 *
 * f32, f16 and bf16 take the register-blocked path of gemm_tile.h instead (16-bit operands
 * widened on load, f32 sums, one rounding on store): work items are (matrix,
 * m-block, n-block) triples, and the bias/epilogue rewrite each finished micro-tile. A
 * constant B packed by passes/pack_gemm_weights.c carries om_packed_b = P (panel width)
 * and is read in that panel layout (B must then be 2-D; its shape is unchanged, only the
 * element order); other B are read row-major.
 */
#include "codegen/cg_epilogue.h"
#include "codegen/kernels/gemm_bf16.h"
#include "codegen/kernels/gemm_tile.h"

#define OM_MM_JB 256 /* accumulator block width, elements */

static om_dtype mm_acc_dtype(om_dtype dt)
{
    return (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
}

static bool mm_dtype_ok(om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_DOUBLE: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
    case OM_DT_INT32: case OM_DT_INT64: case OM_DT_UINT32: case OM_DT_UINT64:
        return true;
    default:
        return false;
    }
}

/* c + a * b in the accumulator type (llvm.fmuladd for floats: fused where the target has FMA). */
static LLVMValueRef mm_fmadd(om_cg_ctx *cx, om_dtype adt, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    if (om_dtype_is_float(adt)) {
        LLVMValueRef ops[3] = {a, b, c};
        return om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
    }
    return LLVMBuildAdd(cx->b, LLVMBuildMul(cx->b, a, b, ""), c, "");
}

typedef struct mm_row {
    om_dtype dt, adt;
    LLVMValueRef a, bm, y, acc, bias; /* tensor bases, the accumulator array, bias or NULL */
    om_cg_epilogue ep;
    LLVMValueRef a_off, b_off, y_off; /* element offsets of row i of A, of B's matrix, of row i of Y */
    int64_t K, N;
} mm_row;

/* Columns [j0, j0 + w) of the current row; w is a compile-time constant <= OM_MM_JB. */
static void mm_block(om_cg_ctx *cx, const mm_row *r, LLVMValueRef j0, int64_t w)
{
    om_cg_loop l, lk;
    LLVMValueRef zero = om_cg_const(cx, r->adt, 0);
    LLVMValueRef j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
    om_cg_store(cx, r->adt, r->acc, j, zero);
    om_cg_for_end(cx, &l);

    LLVMValueRef k = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, r->K), "k");
    LLVMValueRef av = om_cg_load(cx, r->dt, r->a, om_cg_add(cx, r->a_off, k));
    av = om_cg_convert(cx, av, r->dt, r->adt);
    LLVMValueRef brow = om_cg_add(cx, om_cg_add(cx, r->b_off, om_cg_mad(cx, k, r->N, NULL)), j0);
    j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
    LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, r->dt, r->bm, om_cg_add(cx, brow, j)), r->dt, r->adt);
    LLVMValueRef s = mm_fmadd(cx, r->adt, av, bv, om_cg_load(cx, r->adt, r->acc, j));
    om_cg_store(cx, r->adt, r->acc, j, s);
    om_cg_for_end(cx, &l);
    om_cg_for_end(cx, &lk);

    LLVMValueRef yrow = om_cg_add(cx, r->y_off, j0);
    j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "j");
    LLVMValueRef yi = om_cg_add(cx, yrow, j);
    LLVMValueRef v = om_cg_load(cx, r->adt, r->acc, j);
    if (r->bias) {
        LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, r->dt, r->bias, om_cg_add(cx, j0, j)), r->dt, r->adt);
        v = om_dtype_is_float(r->adt) ? LLVMBuildFAdd(cx->b, v, bv, "") : LLVMBuildAdd(cx->b, v, bv, "");
    }
    v = om_cg_epilogue_apply(cx, &r->ep, r->adt, v, yi);
    om_cg_store(cx, r->dt, r->y, yi, om_cg_convert(cx, v, r->adt, r->dt));
    om_cg_for_end(cx, &l);
}

/* ---- f32: the blocked kernel ---------------------------------------------------------- */

typedef struct mm_post_ctx {
    const mm_row *r;
    LLVMValueRef c_off; /* element offset of the current matrix in Y */
} mm_post_ctx;

/* bias and epilogue over a finished tile (f32 sums in acc), stored to Y in Y's dtype */
static void mm_post(om_cg_ctx *cx, void *user, LLVMValueRef row, LLVMValueRef col, int rows, int cols,
                    LLVMValueRef acc, LLVMValueRef acc_off, int64_t acc_rs)
{
    const mm_post_ctx *pc = user;
    const mm_row *r = pc->r;
    om_cg_loop li, lj;
    LLVMValueRef i = om_cg_for(cx, &li, om_cg_i64(cx, 0), om_cg_i64(cx, rows), "pr");
    LLVMValueRef yrow = om_cg_add(cx, pc->c_off, om_cg_add(cx, om_cg_mad(cx, om_cg_add(cx, row, i), r->N, NULL), col));
    LLVMValueRef arow = om_cg_add(cx, acc_off, om_cg_mad(cx, i, acc_rs, NULL));
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, cols), "pc");
    LLVMValueRef yi = om_cg_add(cx, yrow, j);
    LLVMValueRef v = om_cg_load(cx, OM_DT_FLOAT, acc, om_cg_add(cx, arow, j));
    if (r->bias) {
        LLVMValueRef bv = om_cg_load(cx, r->dt, r->bias, om_cg_add(cx, col, j));
        v = LLVMBuildFAdd(cx->b, v, om_cg_convert(cx, bv, r->dt, OM_DT_FLOAT), "");
    }
    v = om_cg_epilogue_apply(cx, &r->ep, OM_DT_FLOAT, v, yi);
    om_cg_store(cx, r->dt, r->y, yi, om_cg_convert(cx, v, OM_DT_FLOAT, r->dt));
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &li);
}

typedef struct mm_batch {
    int nb;
    const int64_t *bd, *ast, *bst, *ost;
    int64_t batch;
} mm_batch;

static om_status mm_emit_fast(om_cg_ctx *cx, const mm_row *r, int64_t M, const mm_batch *bt, int64_t packed,
                              bool pairs)
{
    om_cg_gemm g = {.M = M, .N = r->N, .K = r->K, .a_dt = r->dt, .b_dt = r->dt, .c_dt = r->dt,
                    .a = r->a, .b = r->bm, .c = r->y,
                    .a_rs = r->K, .a_ks = 1, .b_panel = packed, .b_ks = r->N, .c_rs = r->N};
    mm_post_ctx pc = {.r = r};
    if (r->dt != OM_DT_FLOAT || r->bias || om_cg_epilogue_active(&r->ep)) {
        g.post = mm_post;
        g.post_user = &pc;
    }
    om_cg_gemm_blocking bl;
    om_status st = om_cg_gemm_plan(cx, &g, bt->batch, &bl);
    if (st == OM_OK && pairs) /* bf16 pair panels (pack-bf16-weights): gemm_bf16.h */
        st = om_cg_gemm_bf16_check(&g);
    if (st != OM_OK)
        return st;
    int64_t per = bl.m_blocks * bl.n_blocks;
    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, bt->batch * per, "item");
    LLVMValueRef bi = LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, per), "b");
    LLVMValueRef rem = LLVMBuildURem(cx->b, w, om_cg_i64(cx, per), "");
    /* n fastest, as in gemm.c: the A block stays in L2 across an item's successors */
    LLVMValueRef mbi = LLVMBuildUDiv(cx->b, rem, om_cg_i64(cx, bl.n_blocks), "mb");
    LLVMValueRef nbi = LLVMBuildURem(cx->b, rem, om_cg_i64(cx, bl.n_blocks), "nb");
    LLVMValueRef a_off = om_cg_i64(cx, 0), b_off = om_cg_i64(cx, 0);
    for (int d = 0; d < bt->nb; d++) {
        if (bt->bd[d] == 1)
            continue;
        LLVMValueRef q = LLVMBuildUDiv(cx->b, bi, om_cg_i64(cx, bt->ost[d]), "");
        LLVMValueRef idx = LLVMBuildURem(cx->b, q, om_cg_i64(cx, bt->bd[d]), "");
        a_off = om_cg_add(cx, a_off, om_cg_mad(cx, idx, bt->ast[d], NULL));
        b_off = om_cg_add(cx, b_off, om_cg_mad(cx, idx, bt->bst[d], NULL));
    }
    g.a_off = a_off;
    g.b_off = b_off;
    g.c_off = pc.c_off = om_cg_mad(cx, bi, M * r->N, NULL);
    if (pairs)
        om_cg_gemm_bf16_emit_block(cx, &g, &bl, mbi, nbi);
    else
        om_cg_gemm_emit_block(cx, &g, &bl, mbi, nbi);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

om_status om_cg_emit_matmul(om_cg_ctx *cx, const om_node *n)
{
    const char *nm = n->name ? n->name : "";
    const om_value *va = om_node_input(n, 0), *vb = om_node_input(n, 1);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!va || !vb || !vy)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): needs inputs A, B and output Y", nm);
    om_dtype dt = vy->dtype;
    if (!mm_dtype_ok(dt))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(dt));
    if (va->dtype != dt || vb->dtype != dt)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): dtypes A %s, B %s, Y %s differ", nm,
                        om_dtype_name(va->dtype), om_dtype_name(vb->dtype), om_dtype_name(dt));
    const om_shape *sa = &va->shape, *sb = &vb->shape, *sy = &vy->shape;
    if (!om_shape_is_static(sa) || !om_shape_is_static(sb) || !om_shape_is_static(sy) ||
        sa->rank < 1 || sb->rank < 1)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): A and B need static shapes of rank >= 1", nm);

    int ra = sa->rank, rb = sb->rank;
    int64_t M = ra >= 2 ? sa->dims[ra - 2] : 1, K = sa->dims[ra - 1];
    int64_t Kb = rb >= 2 ? sb->dims[rb - 2] : sb->dims[0], N = rb >= 2 ? sb->dims[rb - 1] : 1;
    if (K != Kb)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): inner dims differ (A has %lld, B has %lld)",
                        nm, (long long)K, (long long)Kb);

    /* batch dims, right-aligned; strides 0 where an operand broadcasts */
    int nba = ra > 2 ? ra - 2 : 0, nbb = rb > 2 ? rb - 2 : 0, nb = nba > nbb ? nba : nbb;
    int64_t bd[OM_MAX_RANK], ast[OM_MAX_RANK], bst[OM_MAX_RANK], ost[OM_MAX_RANK];
    int64_t batch = 1;
    for (int i = 0; i < nb; i++) {
        int64_t da = i >= nb - nba ? sa->dims[i - (nb - nba)] : 1;
        int64_t db = i >= nb - nbb ? sb->dims[i - (nb - nbb)] : 1;
        if (da != db && da != 1 && db != 1)
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): batch dims %lld and %lld do not broadcast",
                            nm, (long long)da, (long long)db);
        bd[i] = da == 1 ? db : da;
        ast[i] = da; /* temporarily the operand's own dim */
        bst[i] = db;
        batch *= bd[i];
    }
    /* turn own dims into element strides (0 when broadcast) */
    int64_t sa_run = M * K, sb_run = K * N, so_run = 1;
    for (int i = nb - 1; i >= 0; i--) {
        int64_t da = ast[i], db = bst[i];
        ast[i] = (da == 1 && bd[i] != 1) ? 0 : sa_run;
        bst[i] = (db == 1 && bd[i] != 1) ? 0 : sb_run;
        ost[i] = so_run;
        sa_run *= da;
        sb_run *= db;
        so_run *= bd[i];
    }
    if (om_shape_numel(sy) != batch * M * N)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): Y has %lld elements, expected %lld", nm,
                        (long long)om_shape_numel(sy), (long long)(batch * M * N));
    mm_row r = {.dt = dt, .adt = mm_acc_dtype(dt), .K = K, .N = N};
    const om_value *vbias = om_node_input(n, 2);
    if (vbias && (vbias->dtype != dt || !om_shape_is_static(&vbias->shape) || om_shape_numel(&vbias->shape) != N))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): fused bias (input 2) needs %lld elements of %s",
                        nm, (long long)N, om_dtype_name(dt));
    om_status st = om_cg_epilogue_read(cx, n, 3, r.adt, &r.ep);
    if (st != OM_OK)
        return st;
    int64_t packed = om_node_int(n, "om_packed_b", 0);
    bool fast = dt == OM_DT_FLOAT || dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16;
    if (packed && (!fast || rb != 2 || packed < 0))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (MatMul): om_packed_b = %lld needs a 2-D f32/f16/bf16 B, "
                        "B is %s of rank %d", nm, (long long)packed, om_dtype_name(dt), rb);
    if (batch * M * N == 0)
        return OM_OK; /* nothing to write */

    r.a = om_cg_in(cx, 0);
    r.bm = om_cg_in(cx, 1);
    r.bias = vbias ? om_cg_in(cx, 2) : NULL;
    r.y = om_cg_out(cx, 0);
    if (fast && K > 0) {
        mm_batch bt = {.nb = nb, .bd = bd, .ast = ast, .bst = bst, .ost = ost, .batch = batch};
        return mm_emit_fast(cx, &r, M, &bt, packed, om_node_int(n, "om_packed_bf16", 0) != 0);
    }
    int64_t jb = N < OM_MM_JB ? N : OM_MM_JB;
    r.acc = om_cg_alloca(cx, LLVMArrayType2(om_cg_type(cx, r.adt), (uint64_t)jb), "acc");

    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, batch * M, "row");
    LLVMValueRef bi = LLVMBuildUDiv(cx->b, w, om_cg_i64(cx, M), "b");
    LLVMValueRef i = LLVMBuildURem(cx->b, w, om_cg_i64(cx, M), "i");
    LLVMValueRef a_off = om_cg_mad(cx, i, K, NULL), b_off = om_cg_i64(cx, 0);
    for (int d = 0; d < nb; d++) {
        if (bd[d] == 1)
            continue;
        LLVMValueRef q = LLVMBuildUDiv(cx->b, bi, om_cg_i64(cx, ost[d]), "");
        LLVMValueRef idx = LLVMBuildURem(cx->b, q, om_cg_i64(cx, bd[d]), "");
        a_off = om_cg_add(cx, a_off, om_cg_mad(cx, idx, ast[d], NULL));
        b_off = om_cg_add(cx, b_off, om_cg_mad(cx, idx, bst[d], NULL));
    }
    r.a_off = a_off;
    r.b_off = b_off;
    r.y_off = om_cg_mad(cx, w, N, NULL);

    int64_t nfull = N / jb, tail = N % jb;
    if (nfull == 1) {
        mm_block(cx, &r, om_cg_i64(cx, 0), jb);
    } else if (nfull > 1) {
        om_cg_loop lb;
        LLVMValueRef blk = om_cg_for(cx, &lb, om_cg_i64(cx, 0), om_cg_i64(cx, nfull), "jblk");
        mm_block(cx, &r, om_cg_mad(cx, blk, jb, NULL), jb);
        om_cg_for_end(cx, &lb);
    }
    if (tail)
        mm_block(cx, &r, om_cg_i64(cx, nfull * jb), tail);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
