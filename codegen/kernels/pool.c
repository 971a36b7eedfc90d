/* Pooling kernels: family pool (MaxPool with optional Indices, AveragePool) and family
 * global_pool (GlobalMaxPool, GlobalAveragePool), over any spatial rank.
 *
 * pool: X is [N, C, I1..In], Y is [N, C, O1..On]. The parallel loop runs over the
 * N*C*O1*...*O(n-1) output rows (one row = the last spatial dim); each row is computed in
 * blocks of at most OM_POOL_JB outputs in stack accumulators that alias nothing:
 *     acc[o] = -inf (max) or 0 (average);  idx[o] = -1
 *     for each kernel position k1..k(n-1) whose input row is inside X (ranges per row)
 *       for kn in 0..Kn:
 *         for o in the outputs whose input column is inside X (range per kn)
 *           acc[o] = max(acc[o], x) / acc[o] += x   (and idx[o] for MaxPool's Indices)
 * Outputs whose whole kernel row lies inside X (a compile-time range) fold all Kn taps in
 * one unrolled pass, so acc[o] is loaded and stored once per kernel row.
 * Padding is never read, so MaxPool ignores pads and ceil_mode windows that pass the
 * input's end. Max follows ONNX Max: the first NaN of the window wins, otherwise the first
 * largest value (ties keep the earlier index in row-major window order). Indices are
 * int64 flat indices into X: (n*C + c)*I1*...*In plus the spatial position, row-major for
 * storage_order 0, column-major (first spatial dim fastest) for storage_order 1.
 * AveragePool divides by the number of window positions inside X (count_include_pad 0) or
 * inside the padded input [-pad_begin, I + pad_end) (count_include_pad 1) -- the two agree
 * with ONNX's reference, including ceil_mode windows that pass the padded end.
 * The output shape is taken from Y (shape inference applied ceil_mode); any output size is
 * safe because every read is bounds-checked by the ranges above.
 *
 * global_pool: one work item per (n, c): a reduction over the contiguous spatial block
 * (reassociable adds so LLVM vectorizes the sum).
 *
 * LpPool (family pool too) sums |x|^p over the window positions inside X (padding adds 0)
 * and takes the p-th root: p = 1 and p = 2 (sqrt); other p need pow and are unsupported.
 *
 * f16/bf16 accumulate in f32; MaxPool also takes the integer dtypes (int8, uint8, ...).
 * f32 2-D MaxPool without Indices on 16-lane targets takes the vector kernel of
 * pool_max2d.c instead.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "codegen/cg_internal.h"
#include "codegen/kernels/pool_max2d.h"
#include "codegen/kernels/window.h"

#define OM_POOL_JB 256 /* accumulator block width, elements */
#define OM_POOL_MAX_SP (OM_MAX_RANK - 2)

typedef struct pl_kernel {
    bool is_max, want_idx, col_major, include_pad;
    int64_t lp; /* LpPool's p (1 or 2); 0 for the other pools */
    om_dtype dt, adt;
    LLVMValueRef x, y, yi, acc, idx;
    int nsp;
    int64_t Isz;
    int64_t I[OM_POOL_MAX_SP], K[OM_POOL_MAX_SP], S[OM_POOL_MAX_SP], D[OM_POOL_MAX_SP];
    int64_t P[OM_POOL_MAX_SP], PE[OM_POOL_MAX_SP], O[OM_POOL_MAX_SP];
    int64_t rstr[OM_POOL_MAX_SP], cstr[OM_POOL_MAX_SP]; /* row-/column-major strides in a channel */
    /* per row */
    LLVMValueRef xch, ich, y_off, cnt_outer, orow[OM_POOL_MAX_SP];
} pl_kernel;

/* Number of positions of a window at base inside [lb, ub) (an i64 >= 0). */
static LLVMValueRef pl_count(om_cg_ctx *cx, LLVMValueRef base, int64_t lb, int64_t ub, int64_t K, int64_t D)
{
    LLVMValueRef lo, hi;
    om_cg_win_krange(cx, base, lb, ub, K, D, &lo, &hi);
    return om_cg_win_smax(cx, LLVMBuildNSWSub(cx->b, hi, lo, ""), om_cg_i64(cx, 0));
}

/* Whether v replaces the running max m: v > m, or v is the first NaN. */
static LLVMValueRef pl_takes(om_cg_ctx *cx, om_dtype adt, LLVMValueRef v, LLVMValueRef m)
{
    if (om_dtype_is_float(adt)) {
        LLVMValueRef gt = LLVMBuildFCmp(cx->b, LLVMRealUGT, v, m, "");
        LLVMValueRef m_ok = LLVMBuildFCmp(cx->b, LLVMRealORD, m, m, "");
        return LLVMBuildAnd(cx->b, gt, m_ok, "");
    }
    return LLVMBuildICmp(cx->b, om_dtype_is_signed_int(adt) ? LLVMIntSGT : LLVMIntUGT, v, m, "");
}

/* The smallest value of adt: -inf for floats. */
static LLVMValueRef pl_lowest(om_cg_ctx *cx, om_dtype adt)
{
    if (om_dtype_is_float(adt))
        return om_cg_const(cx, adt, -INFINITY);
    if (om_dtype_is_unsigned_int(adt))
        return om_cg_const(cx, adt, 0);
    unsigned bits = (unsigned)om_dtype_size(adt) * 8;
    return LLVMConstInt(om_cg_type(cx, adt), (unsigned long long)1 << (bits - 1), 0);
}

/* One window element: folds x (index iv, or NULL) into the running (a, *ia). */
static LLVMValueRef pl_update(om_cg_ctx *cx, const pl_kernel *k, LLVMValueRef a, LLVMValueRef *ia,
                              LLVMValueRef xv, LLVMValueRef iv)
{
    if (k->lp == 1)
        xv = om_cg_intrinsic(cx, "llvm.fabs", &xv, 1);
    else if (k->lp == 2)
        xv = LLVMBuildFMul(cx->b, xv, xv, "");
    if (!k->is_max)
        return om_dtype_is_float(k->adt) ? LLVMBuildFAdd(cx->b, a, xv, "") : LLVMBuildAdd(cx->b, a, xv, "");
    if (!k->want_idx)
        return om_cg_max(cx, k->adt, a, xv);
    LLVMValueRef take = pl_takes(cx, k->adt, xv, a);
    *ia = LLVMBuildSelect(cx->b, take, iv, *ia, "");
    return LLVMBuildSelect(cx->b, take, xv, a, "");
}

/* Taps kn of the last spatial dim for outputs [s0, s1) of block j0 (absolute output
 * indices): per kn, the sub-range whose input column is inside X. ioff is the Indices
 * base (or NULL). */
static void pl_taps_checked(om_cg_ctx *cx, const pl_kernel *k, LLVMValueRef xoff, LLVMValueRef ioff,
                            LLVMValueRef j0, LLVMValueRef s0, LLVMValueRef s1)
{
    int L = k->nsp - 1;
    om_cg_loop lk, lo;
    LLVMValueRef kn = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[L]), "kn");
    LLVMValueRef off = om_cg_add(cx, om_cg_mad(cx, kn, k->D[L], NULL), om_cg_i64(cx, -k->P[L]));
    LLVMValueRef olo, ohi;
    om_cg_win_orange(cx, off, k->S[L], k->I[L], s0, s1, &olo, &ohi);
    LLVMValueRef tlo = LLVMBuildNSWSub(cx->b, olo, j0, ""), thi = LLVMBuildNSWSub(cx->b, ohi, j0, "");
    /* input column of t: (j0 + t)*S + off */
    LLVMValueRef col0 = om_cg_add(cx, off, om_cg_mad(cx, j0, k->S[L], NULL));
    LLVMValueRef xb = om_cg_add(cx, xoff, col0);
    LLVMValueRef ib = k->want_idx ? om_cg_add(cx, ioff, om_cg_mad(cx, col0, k->cstr[L], NULL)) : NULL;
    LLVMValueRef t = om_cg_for(cx, &lo, tlo, thi, "o");
    LLVMValueRef xv = om_cg_convert(cx, om_cg_load(cx, k->dt, k->x, om_cg_mad(cx, t, k->S[L], xb)), k->dt, k->adt);
    LLVMValueRef a = om_cg_load(cx, k->adt, k->acc, t), ia = NULL, iv = NULL;
    if (k->want_idx) {
        ia = om_cg_load(cx, OM_DT_INT64, k->idx, t);
        iv = om_cg_mad(cx, t, k->S[L] * k->cstr[L], ib);
    }
    a = pl_update(cx, k, a, &ia, xv, iv);
    om_cg_store(cx, k->adt, k->acc, t, a);
    if (k->want_idx)
        om_cg_store(cx, OM_DT_INT64, k->idx, t, ia);
    om_cg_for_end(cx, &lo);
    om_cg_for_end(cx, &lk);
}

/* The last spatial dim for block [j0, j0 + w). Outputs whose every tap is inside X (a
 * compile-time range) fold all Kn taps in one pass, unrolled in window order, so acc[o] is
 * loaded and stored once per kernel row; the borders (and kernels wider than
 * OM_POOL_UNROLL) go through pl_taps_checked. */
#define OM_POOL_UNROLL 16
static void pl_inner(om_cg_ctx *cx, const pl_kernel *k, LLVMValueRef xoff, LLVMValueRef ioff,
                     LLVMValueRef j0, int64_t w)
{
    int L = k->nsp - 1;
    int64_t Kn = k->K[L], S = k->S[L], D = k->D[L], P = k->P[L], I = k->I[L];
    LLVMValueRef jend = om_cg_add(cx, j0, om_cg_i64(cx, w));
    if (Kn > OM_POOL_UNROLL) {
        pl_taps_checked(cx, k, xoff, ioff, j0, j0, jend);
        return;
    }
    LLVMValueRef ilo, ihi;
    om_cg_win_interior(cx, Kn, S, D, P, I, j0, jend, &ilo, &ihi);
    pl_taps_checked(cx, k, xoff, ioff, j0, j0, ilo);

    /* X index of output o, tap kn: xoff + o*S - P + kn*D; t = o - j0 */
    LLVMValueRef col0 = om_cg_add(cx, om_cg_i64(cx, -P), om_cg_mad(cx, j0, S, NULL));
    LLVMValueRef xb = om_cg_add(cx, xoff, col0);
    LLVMValueRef ib = k->want_idx ? om_cg_add(cx, ioff, om_cg_mad(cx, col0, k->cstr[L], NULL)) : NULL;
    om_cg_loop lo;
    LLVMValueRef tlo = LLVMBuildNSWSub(cx->b, ilo, j0, ""), thi = LLVMBuildNSWSub(cx->b, ihi, j0, "");
    LLVMValueRef t = om_cg_for(cx, &lo, tlo, thi, "o");
    LLVMValueRef xt = om_cg_mad(cx, t, S, xb);
    LLVMValueRef it = k->want_idx ? om_cg_mad(cx, t, S * k->cstr[L], ib) : NULL;
    LLVMValueRef a = om_cg_load(cx, k->adt, k->acc, t);
    LLVMValueRef ia = k->want_idx ? om_cg_load(cx, OM_DT_INT64, k->idx, t) : NULL;
    for (int64_t kn = 0; kn < Kn; kn++) {
        LLVMValueRef xv = om_cg_load(cx, k->dt, k->x, om_cg_add(cx, xt, om_cg_i64(cx, kn * D)));
        LLVMValueRef iv = k->want_idx ? om_cg_add(cx, it, om_cg_i64(cx, kn * D * k->cstr[L])) : NULL;
        a = pl_update(cx, k, a, &ia, om_cg_convert(cx, xv, k->dt, k->adt), iv);
    }
    om_cg_store(cx, k->adt, k->acc, t, a);
    if (k->want_idx)
        om_cg_store(cx, OM_DT_INT64, k->idx, t, ia);
    om_cg_for_end(cx, &lo);

    pl_taps_checked(cx, k, xoff, ioff, j0, ihi, jend);
}

/* Spatial dim d < nsp-1: kernel positions whose input row is inside X, then recurse. */
static void pl_outer(om_cg_ctx *cx, const pl_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef ioff,
                     LLVMValueRef j0, int64_t w)
{
    if (d == k->nsp - 1) {
        pl_inner(cx, k, xoff, ioff, j0, w);
        return;
    }
    LLVMValueRef base = om_cg_add(cx, om_cg_mad(cx, k->orow[d], k->S[d], NULL), om_cg_i64(cx, -k->P[d]));
    LLVMValueRef klo, khi;
    om_cg_win_krange(cx, base, 0, k->I[d], k->K[d], k->D[d], &klo, &khi);
    om_cg_loop l;
    LLVMValueRef kd = om_cg_for(cx, &l, klo, khi, "kd");
    LLVMValueRef pos = om_cg_add(cx, base, om_cg_mad(cx, kd, k->D[d], NULL));
    LLVMValueRef xo = om_cg_add(cx, xoff, om_cg_mad(cx, pos, k->rstr[d], NULL));
    LLVMValueRef io = k->want_idx ? om_cg_add(cx, ioff, om_cg_mad(cx, pos, k->cstr[d], NULL)) : NULL;
    pl_outer(cx, k, d + 1, xo, io, j0, w);
    om_cg_for_end(cx, &l);
}

/* Outputs [j0, j0 + w) of the current row; w is a compile-time constant. */
static void pl_block(om_cg_ctx *cx, const pl_kernel *k, LLVMValueRef j0, int64_t w)
{
    om_cg_loop l;
    int L = k->nsp - 1;
    LLVMValueRef init = k->is_max ? pl_lowest(cx, k->adt) : om_cg_const(cx, k->adt, 0);
    LLVMValueRef t = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "o");
    om_cg_store(cx, k->adt, k->acc, t, init);
    if (k->want_idx)
        om_cg_store(cx, OM_DT_INT64, k->idx, t, om_cg_i64(cx, -1));
    om_cg_for_end(cx, &l);

    pl_outer(cx, k, 0, k->xch, k->ich, j0, w);

    LLVMValueRef yb = om_cg_add(cx, k->y_off, j0);
    t = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "o");
    LLVMValueRef v = om_cg_load(cx, k->adt, k->acc, t);
    if (k->lp == 2)
        v = om_cg_intrinsic(cx, "llvm.sqrt", &v, 1);
    if (!k->is_max && !k->lp) {
        LLVMValueRef o = om_cg_add(cx, j0, t);
        LLVMValueRef base = om_cg_add(cx, om_cg_mad(cx, o, k->S[L], NULL), om_cg_i64(cx, -k->P[L]));
        LLVMValueRef cnt = k->include_pad ? pl_count(cx, base, -k->P[L], k->I[L] + k->PE[L], k->K[L], k->D[L])
                                          : pl_count(cx, base, 0, k->I[L], k->K[L], k->D[L]);
        cnt = om_cg_mul(cx, cnt, k->cnt_outer);
        cnt = om_cg_win_smax(cx, cnt, om_cg_i64(cx, 1)); /* a window outside the input yields 0 */
        LLVMValueRef fc = LLVMBuildSIToFP(cx->b, cnt, om_cg_type(cx, k->adt), "");
        v = LLVMBuildFDiv(cx->b, v, fc, "");
    }
    om_cg_store(cx, k->dt, k->y, om_cg_add(cx, yb, t), om_cg_convert(cx, v, k->adt, k->dt));
    if (k->want_idx)
        om_cg_store(cx, OM_DT_INT64, k->yi, om_cg_add(cx, yb, t), om_cg_load(cx, OM_DT_INT64, k->idx, t));
    om_cg_for_end(cx, &l);
}

static bool pl_dtype_ok(om_dtype dt, bool is_max)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_DOUBLE: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
        return true;
    case OM_DT_INT8: case OM_DT_UINT8: case OM_DT_INT16: case OM_DT_UINT16:
    case OM_DT_INT32: case OM_DT_UINT32: case OM_DT_INT64: case OM_DT_UINT64:
        return is_max;
    default:
        return false;
    }
}

static om_dtype pl_acc_dtype(om_dtype dt)
{
    return (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
}

om_status om_cg_emit_pool(om_cg_ctx *cx, const om_node *n)
{
    const char *nm = n->name ? n->name : "", *op = om_op_name(n->op);
    const om_value *vx = om_node_input(n, 0);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    const om_value *vi = n->n_outputs > 1 ? n->outputs[1] : NULL;
    pl_kernel k = {.is_max = n->op == OM_OP_MAX_POOL};
    if (n->op == OM_OP_LP_POOL) {
        k.lp = om_node_int(n, "p", 2);
        if (k.lp != 1 && k.lp != 2)
            return om_cg_unsupported(cx, "p = %lld (only 1 and 2)", (long long)k.lp);
    }
    if (!vx || !vy)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): needs input X and output Y", nm, op);
    k.dt = vy->dtype;
    k.adt = pl_acc_dtype(k.dt);
    if (!pl_dtype_ok(k.dt, k.is_max))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(k.dt));
    if (vx->dtype != k.dt)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): X is %s, Y is %s", nm, op,
                        om_dtype_name(vx->dtype), om_dtype_name(k.dt));
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") != 0 && ap[0] != '\0')
        return om_cg_unsupported(cx, "auto_pad %s (run shape inference to make pads explicit)", ap);
    const om_shape *sx = &vx->shape, *sy = &vy->shape;
    int r = sx->rank;
    if (!om_shape_is_static(sx) || !om_shape_is_static(sy) || r < 3 || sy->rank != r ||
        sy->dims[0] != sx->dims[0] || sy->dims[1] != sx->dims[1])
        return om_error(OM_ERR_INVALID_MODEL,
                        "node '%s' (%s): X and Y need static shapes of the same rank >= 3 and equal N, C", nm, op);
    if (vi) {
        if (!k.is_max || vi->dtype != OM_DT_INT64 || !om_shape_equal(&vi->shape, sy))
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): Indices must be int64 shaped like Y", nm, op);
        k.want_idx = true;
    }
    k.nsp = r - 2;
    int nsp = k.nsp;
    int64_t pads[2 * OM_POOL_MAX_SP];
    om_status st;
    if ((st = om_cg_win_ints(n, "kernel_shape", nsp, -1, 1, k.K)) != OM_OK ||
        (st = om_cg_win_ints(n, "strides", nsp, 1, 1, k.S)) != OM_OK ||
        (st = om_cg_win_ints(n, "dilations", nsp, 1, 1, k.D)) != OM_OK ||
        (st = om_cg_win_ints(n, "pads", 2 * nsp, 0, 0, pads)) != OM_OK)
        return st;
    if (k.K[0] < 0)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): kernel_shape is required", nm, op);
    k.include_pad = om_node_int(n, "count_include_pad", 0) != 0;
    k.col_major = om_node_int(n, "storage_order", 0) != 0;
    k.Isz = 1;
    for (int d = nsp - 1; d >= 0; d--) {
        k.I[d] = sx->dims[2 + d];
        k.O[d] = sy->dims[2 + d];
        k.P[d] = pads[d];
        k.PE[d] = pads[nsp + d];
        k.rstr[d] = k.Isz;
        k.Isz *= k.I[d];
    }
    int64_t cs = 1;
    for (int d = 0; d < nsp; d++) {
        k.cstr[d] = k.col_major ? cs : k.rstr[d];
        cs *= k.I[d];
    }
    int64_t NC = sx->dims[0] * sx->dims[1], rows = NC, On = k.O[nsp - 1];
    for (int d = 0; d < nsp - 1; d++)
        rows *= k.O[d];
    if (rows * On == 0)
        return OM_OK;

    if (k.is_max && !k.want_idx && k.dt == OM_DT_FLOAT && nsp == 2 && k.D[0] == 1 && k.D[1] == 1) {
        om_cg_pool2d g2 = {.NC = NC, .IH = k.I[0], .IW = k.I[1], .OH = k.O[0], .OW = k.O[1], .KH = k.K[0],
                           .KW = k.K[1], .SH = k.S[0], .SW = k.S[1], .PH = k.P[0], .PW = k.P[1]};
        bool done;
        if ((st = om_cg_maxpool2d_vec(cx, &g2, &done)) != OM_OK || done)
            return st;
    }
    k.x = om_cg_in(cx, 0);
    k.y = om_cg_out(cx, 0);
    int64_t jb = On < OM_POOL_JB ? On : OM_POOL_JB;
    k.acc = om_cg_alloca(cx, LLVMArrayType2(om_cg_type(cx, k.adt), (uint64_t)jb), "acc");
    if (k.want_idx) {
        k.yi = om_cg_out(cx, 1);
        k.idx = om_cg_alloca(cx, LLVMArrayType2(cx->i64, (uint64_t)jb), "idx");
    }

    om_cg_loop lw;
    LLVMValueRef wi = om_cg_for_work(cx, &lw, rows, "row");
    int64_t R = rows / NC;
    LLVMValueRef ch = LLVMBuildUDiv(cx->b, wi, om_cg_i64(cx, R), "nc");
    LLVMValueRef rr = LLVMBuildURem(cx->b, wi, om_cg_i64(cx, R), "r");
    for (int d = nsp - 2; d >= 0; d--) {
        k.orow[d] = LLVMBuildURem(cx->b, rr, om_cg_i64(cx, k.O[d]), "");
        rr = LLVMBuildUDiv(cx->b, rr, om_cg_i64(cx, k.O[d]), "");
    }
    k.xch = om_cg_mad(cx, ch, k.Isz, NULL);
    k.ich = k.xch;
    k.y_off = om_cg_mad(cx, wi, On, NULL);
    k.cnt_outer = om_cg_i64(cx, 1);
    if (!k.is_max) {
        for (int d = 0; d < nsp - 1; d++) {
            LLVMValueRef base = om_cg_add(cx, om_cg_mad(cx, k.orow[d], k.S[d], NULL), om_cg_i64(cx, -k.P[d]));
            LLVMValueRef c = k.include_pad ? pl_count(cx, base, -k.P[d], k.I[d] + k.PE[d], k.K[d], k.D[d])
                                           : pl_count(cx, base, 0, k.I[d], k.K[d], k.D[d]);
            k.cnt_outer = om_cg_mul(cx, k.cnt_outer, c);
        }
    }

    int64_t nfull = On / jb, tail = On % jb;
    if (nfull == 1) {
        pl_block(cx, &k, om_cg_i64(cx, 0), jb);
    } else if (nfull > 1) {
        om_cg_loop lb;
        LLVMValueRef blk = om_cg_for(cx, &lb, om_cg_i64(cx, 0), om_cg_i64(cx, nfull), "oblk");
        pl_block(cx, &k, om_cg_mad(cx, blk, jb, NULL), jb);
        om_cg_for_end(cx, &lb);
    }
    if (tail)
        pl_block(cx, &k, om_cg_i64(cx, nfull * jb), tail);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

om_status om_cg_emit_global_pool(om_cg_ctx *cx, const om_node *n)
{
    const char *nm = n->name ? n->name : "", *op = om_op_name(n->op);
    bool is_max = n->op == OM_OP_GLOBAL_MAX_POOL;
    const om_value *vx = om_node_input(n, 0);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vy)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): needs input X and output Y", nm, op);
    om_dtype dt = vy->dtype, adt = pl_acc_dtype(dt);
    if (!pl_dtype_ok(dt, is_max))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(dt));
    if (vx->dtype != dt)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): X is %s, Y is %s", nm, op,
                        om_dtype_name(vx->dtype), om_dtype_name(dt));
    const om_shape *sx = &vx->shape, *sy = &vy->shape;
    if (!om_shape_is_static(sx) || !om_shape_is_static(sy) || sx->rank < 3)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): X needs a static shape of rank >= 3", nm, op);
    int64_t NC = sx->dims[0] * sx->dims[1], S = om_shape_numel(sx) / (NC ? NC : 1);
    if (om_shape_numel(sy) != NC)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): Y has %lld elements, expected %lld", nm, op,
                        (long long)om_shape_numel(sy), (long long)NC);
    if (NC == 0)
        return OM_OK;
    if (S == 0 && is_max)
        return om_cg_unsupported(cx, "max over an empty spatial extent");

    LLVMValueRef x = om_cg_in(cx, 0), y = om_cg_out(cx, 0);
    LLVMTypeRef at = om_cg_type(cx, adt);
    LLVMValueRef slot = om_cg_alloca(cx, at, "acc");
    om_cg_loop lw, l;
    LLVMValueRef ch = om_cg_for_work(cx, &lw, NC, "nc");
    LLVMBuildStore(cx->b, is_max ? pl_lowest(cx, adt) : om_cg_const(cx, adt, 0), slot);
    LLVMValueRef base = om_cg_mad(cx, ch, S, NULL);
    LLVMValueRef s = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, S), "s");
    LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, dt, x, om_cg_add(cx, base, s)), dt, adt);
    LLVMValueRef a = LLVMBuildLoad2(cx->b, at, slot, "");
    LLVMValueRef nv;
    if (is_max) {
        nv = om_cg_max(cx, adt, a, v);
    } else {
        nv = LLVMBuildFAdd(cx->b, a, v, "");
        LLVMSetFastMathFlags(nv, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
    }
    LLVMBuildStore(cx->b, nv, slot);
    om_cg_for_end(cx, &l);
    LLVMValueRef res = LLVMBuildLoad2(cx->b, at, slot, "");
    if (!is_max)
        res = LLVMBuildFDiv(cx->b, res, om_cg_const(cx, adt, (double)S), "");
    om_cg_store(cx, dt, y, ch, om_cg_convert(cx, res, adt, dt));
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
