/* Integer convolutions (family qconv): ConvInteger and QLinearConv, any spatial rank,
 * groups, strides, dilations, pads (canonical attributes from shape inference).
 *
 *   acc[n, m, o] = sum_{k valid} sum_{c in group} (X[n, c, o*S - P + k*D] - x_zp)
 *                                                  * (W[m, c, k] - w_zp[m|0])        in i32
 *   ConvInteger: Y = acc (i32)
 *   QLinearConv: Y = saturate(round_half_even(f32(acc + B[m]) * (x_scale * w_scale[m|0] /
 *                y_scale)) + y_zp)
 * Padding reads nothing (a padded x equals x_zp, contributing 0). Zero points and scales
 * are read at run time. Work items: output rows (N*M*O1..O(n-1)).
 * Rows up to QC_ROW_MAX outputs accumulate in an i32 stack row: for each kernel position
 * of the outer dims whose input row is inside X (a computed range), each tap kn of the
 * last dim and each channel, the outputs whose input column is inside X (a range computed
 * once per tap) take acc[o] += (w - w_zp) * (X[o*S + off] - x_zp) -- a branch-free loop
 * LLVM vectorizes. Longer rows sum per output with validity branches per kernel dim.
 */
#include <string.h>

#include "codegen/kernels/nn_util.h"

#define QC_MAX_SP (OM_MAX_RANK - 2)
#define QC_ROW_MAX 8192 /* i32 row accumulator limit, elements */

typedef struct qc_kernel {
    om_dtype xt, wt;
    int nsp;
    int64_t Cg, Isz, Ksz;
    int64_t I[QC_MAX_SP], K[QC_MAX_SP], S[QC_MAX_SP], D[QC_MAX_SP], P[QC_MAX_SP];
    int64_t istr[QC_MAX_SP], kstr[QC_MAX_SP];
    LLVMValueRef x, w, acc, xz, wz, o[QC_MAX_SP];
} qc_kernel;

static void qc_taps(om_cg_ctx *cx, qc_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef woff)
{
    LLVMBuilderRef b = cx->b;
    if (d == k->nsp) {
        om_cg_loop lc;
        LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->Cg), "c");
        LLVMValueRef xv = om_cg_convert(cx, om_cg_load(cx, k->xt, k->x, om_cg_mad(cx, c, k->Isz, xoff)), k->xt, OM_DT_INT32);
        LLVMValueRef wv = om_cg_convert(cx, om_cg_load(cx, k->wt, k->w, om_cg_mad(cx, c, k->Ksz, woff)), k->wt, OM_DT_INT32);
        LLVMValueRef p = LLVMBuildMul(b, LLVMBuildSub(b, xv, k->xz, ""), LLVMBuildSub(b, wv, k->wz, ""), "");
        LLVMBuildStore(b, LLVMBuildAdd(b, LLVMBuildLoad2(b, cx->i32, k->acc, ""), p, ""), k->acc);
        om_cg_for_end(cx, &lc);
        return;
    }
    om_cg_loop lk;
    LLVMValueRef kd = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[d]), "k");
    LLVMValueRef i = om_cg_add(cx, om_cg_mad(cx, k->o[d], k->S[d], om_cg_i64(cx, -k->P[d])), om_cg_mad(cx, kd, k->D[d], NULL));
    LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, i, om_cg_i64(cx, 0), ""),
                                   LLVMBuildICmp(b, LLVMIntSLT, i, om_cg_i64(cx, k->I[d]), ""), "");
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "valid");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
    LLVMBuildCondBr(b, ok, then, cont);
    LLVMPositionBuilderAtEnd(b, then);
    qc_taps(cx, k, d + 1, om_cg_mad(cx, i, k->istr[d], xoff), om_cg_mad(cx, kd, k->kstr[d], woff));
    LLVMBuildBr(b, cont);
    LLVMMoveBasicBlockAfter(cont, LLVMGetLastBasicBlock(cx->fn));
    LLVMPositionBuilderAtEnd(b, cont);
    om_cg_for_end(cx, &lk);
}

/* max(0, ceil(num / den)) for a constant den >= 1 (num of any sign). */
static LLVMValueRef qc_ceil_div0(om_cg_ctx *cx, LLVMValueRef num, int64_t den)
{
    LLVMValueRef q = num;
    if (den != 1)
        q = LLVMBuildSDiv(cx->b, om_cg_add(cx, num, om_cg_i64(cx, den - 1)), om_cg_i64(cx, den), "");
    return om_cg_nn_smax(cx, q, om_cg_i64(cx, 0)); /* truncation is ceil for num > -den; clamped below 0 */
}

/* Row path: outer dims d < nsp-1 over valid kernel positions, then the last dim's taps. */
static void qc_row(om_cg_ctx *cx, qc_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef woff, int64_t Olast)
{
    LLVMBuilderRef b = cx->b;
    int L = k->nsp - 1;
    if (d == L) {
        om_cg_loop lk, lc, lo;
        LLVMValueRef kn = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[L]), "kn");
        /* input column of o: o*S + off, off = kn*D - P; valid when 0 <= o*S + off < I */
        LLVMValueRef off = om_cg_add(cx, om_cg_mad(cx, kn, k->D[L], NULL), om_cg_i64(cx, -k->P[L]));
        LLVMValueRef neg = LLVMBuildNSWSub(b, om_cg_i64(cx, 0), off, "");
        LLVMValueRef olo = qc_ceil_div0(cx, neg, k->S[L]);
        LLVMValueRef ohi = om_cg_nn_smin(cx, om_cg_i64(cx, Olast),
                                         qc_ceil_div0(cx, om_cg_add(cx, neg, om_cg_i64(cx, k->I[L])), k->S[L]));
        /* the channel loop inside: the ranges above serve every channel */
        LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->Cg), "c");
        LLVMValueRef wv = om_cg_load(cx, k->wt, k->w, om_cg_add(cx, om_cg_mad(cx, c, k->Ksz, woff), kn));
        wv = LLVMBuildSub(b, om_cg_convert(cx, wv, k->wt, OM_DT_INT32), k->wz, "");
        LLVMValueRef xb = om_cg_add(cx, om_cg_mad(cx, c, k->Isz, xoff), off);
        LLVMValueRef o = om_cg_for(cx, &lo, olo, ohi, "o");
        LLVMValueRef xv = om_cg_convert(cx, om_cg_load(cx, k->xt, k->x, om_cg_mad(cx, o, k->S[L], xb)), k->xt, OM_DT_INT32);
        LLVMValueRef pr = LLVMBuildMul(b, LLVMBuildSub(b, xv, k->xz, ""), wv, "");
        om_cg_store(cx, OM_DT_INT32, k->acc, o, LLVMBuildAdd(b, om_cg_load(cx, OM_DT_INT32, k->acc, o), pr, ""));
        om_cg_for_end(cx, &lo);
        om_cg_for_end(cx, &lc);
        om_cg_for_end(cx, &lk);
        return;
    }
    /* kernel positions kd with 0 <= o*S - P + kd*D < I */
    LLVMValueRef base = om_cg_add(cx, om_cg_mad(cx, k->o[d], k->S[d], NULL), om_cg_i64(cx, -k->P[d]));
    LLVMValueRef neg = LLVMBuildNSWSub(b, om_cg_i64(cx, 0), base, "");
    LLVMValueRef klo = qc_ceil_div0(cx, neg, k->D[d]);
    LLVMValueRef khi = om_cg_nn_smin(cx, om_cg_i64(cx, k->K[d]),
                                     qc_ceil_div0(cx, om_cg_add(cx, neg, om_cg_i64(cx, k->I[d])), k->D[d]));
    om_cg_loop l;
    LLVMValueRef kd = om_cg_for(cx, &l, klo, khi, "kd");
    LLVMValueRef i = om_cg_add(cx, base, om_cg_mad(cx, kd, k->D[d], NULL));
    qc_row(cx, k, d + 1, om_cg_mad(cx, i, k->istr[d], xoff), om_cg_mad(cx, kd, k->kstr[d], woff), Olast);
    om_cg_for_end(cx, &l);
}

static LLVMValueRef qc_param(om_cg_ctx *cx, const om_node *n, int i, LLVMValueRef idx, om_dtype to)
{
    const om_value *v = om_node_input(n, i);
    if (!v)
        return om_cg_const(cx, to, 0);
    if (om_shape_numel(&v->shape) <= 1)
        idx = om_cg_i64(cx, 0);
    return om_cg_convert(cx, om_cg_load(cx, v->dtype, om_cg_in(cx, i), idx), v->dtype, to);
}

om_status om_cg_emit_qconv(om_cg_ctx *cx, const om_node *n)
{
    bool ql = n->op == OM_OP_QLINEAR_CONV;
    int xi = 0, wi = ql ? 3 : 1, xzi = ql ? 2 : 2, wzi = ql ? 5 : 3;
    const om_value *vx = om_node_input(n, xi), *vw = om_node_input(n, wi), *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!vx || !vw || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vw->shape) ||
        !om_shape_is_static(&vy->shape) || vx->shape.rank < 3 || vw->shape.rank != vx->shape.rank ||
        vy->shape.rank != vx->shape.rank)
        return om_cg_unsupported(cx, "x, w and y need static shapes of the same rank >= 3");
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    if (ap[0] && strcmp(ap, "NOTSET"))
        return om_cg_unsupported(cx, "auto_pad %s (run shape inference first)", ap);
    qc_kernel k = {.xt = vx->dtype, .wt = vw->dtype, .nsp = vx->shape.rank - 2};
    int nsp = k.nsp;
    int64_t group = om_node_int(n, "group", 1), Nb = vx->shape.dims[0], C = vx->shape.dims[1], M = vw->shape.dims[0];
    k.Cg = vw->shape.dims[1];
    if (group < 1 || C % group || C / group != k.Cg || M % group || vy->shape.dims[1] != M || vy->shape.dims[0] != Nb)
        return om_cg_unsupported(cx, "channels and group do not fit");
    const int64_t *pv = NULL, *sv = NULL, *dv = NULL;
    int pc = om_node_ints(n, "pads", &pv), sc = om_node_ints(n, "strides", &sv), dc = om_node_ints(n, "dilations", &dv);
    if ((pc >= 0 && pc != 2 * nsp) || (sc >= 0 && sc != nsp) || (dc >= 0 && dc != nsp))
        return om_cg_unsupported(cx, "pads/strides/dilations counts do not match the spatial rank %d", nsp);
    k.Isz = k.Ksz = 1;
    for (int d = nsp - 1; d >= 0; d--) {
        k.I[d] = vx->shape.dims[2 + d];
        k.K[d] = vw->shape.dims[2 + d];
        k.S[d] = sc < 0 ? 1 : sv[d];
        k.D[d] = dc < 0 ? 1 : dv[d];
        k.P[d] = pc < 0 ? 0 : pv[d];
        k.istr[d] = k.Isz;
        k.kstr[d] = k.Ksz;
        k.Isz *= k.I[d];
        k.Ksz *= k.K[d];
    }
    /* per-channel parameters hold M values, the others one (read at run time: sizes checked here) */
    for (int i = 1; i < n->n_inputs; i++) {
        const om_value *v = om_node_input(n, i);
        if (!v || i == wi)
            continue;
        int64_t ne = om_shape_numel(&v->shape);
        bool per_m = ql ? (i == 4 || i == 5 || i == 8) : i == 3;
        if (ne != 1 && !(per_m && ne == M))
            return om_cg_unsupported(cx, "input %d '%s' has %lld elements, expected 1%s", i, v->name, (long long)ne,
                                     per_m ? " or M" : "");
    }
    int64_t numel = om_shape_numel(&vy->shape);
    if (numel == 0)
        return OM_OK;
    om_dtype yt = vy->dtype;
    int64_t Olast = vy->shape.dims[vy->shape.rank - 1], rows = numel / Olast;
    k.x = om_cg_in(cx, xi);
    k.w = om_cg_in(cx, wi);
    LLVMValueRef y = om_cg_out(cx, 0);
    bool rowpath = Olast <= QC_ROW_MAX;
    k.acc = om_cg_alloca(cx, rowpath ? LLVMArrayType2(cx->i32, (uint64_t)Olast) : cx->i32, "acc");
    LLVMBuilderRef b = cx->b;
    LLVMValueRef mult0 = NULL, yz = NULL;
    k.xz = qc_param(cx, n, xzi, om_cg_i64(cx, 0), OM_DT_INT32);
    if (ql) {
        LLVMValueRef xs = qc_param(cx, n, 1, om_cg_i64(cx, 0), OM_DT_FLOAT);
        LLVMValueRef ys = qc_param(cx, n, 6, om_cg_i64(cx, 0), OM_DT_FLOAT);
        mult0 = LLVMBuildFDiv(b, xs, ys, "");
        yz = qc_param(cx, n, 7, om_cg_i64(cx, 0), OM_DT_FLOAT);
    }
    om_cg_loop lw, lo;
    LLVMValueRef row = om_cg_for_work(cx, &lw, rows, "row");
    LLVMValueRef rem = row;
    for (int d = nsp - 2; d >= 0; d--) {
        int64_t O = vy->shape.dims[2 + d];
        k.o[d] = LLVMBuildURem(b, rem, om_cg_i64(cx, O), "");
        rem = LLVMBuildUDiv(b, rem, om_cg_i64(cx, O), "");
    }
    LLVMValueRef m = LLVMBuildURem(b, rem, om_cg_i64(cx, M), "m");
    LLVMValueRef img = LLVMBuildUDiv(b, rem, om_cg_i64(cx, M), "n");
    LLVMValueRef g = LLVMBuildUDiv(b, m, om_cg_i64(cx, M / group), "g");
    k.wz = qc_param(cx, n, wzi, m, OM_DT_INT32);
    LLVMValueRef bias = ql ? qc_param(cx, n, 8, m, OM_DT_INT32) : NULL;
    LLVMValueRef mult = ql ? LLVMBuildFMul(b, mult0, qc_param(cx, n, 4, m, OM_DT_FLOAT), "") : NULL;
    LLVMValueRef xoff = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, img, C, NULL), om_cg_mad(cx, g, k.Cg, NULL)), k.Isz, NULL);
    LLVMValueRef woff = om_cg_mad(cx, m, k.Cg * k.Ksz, NULL);
    if (rowpath) {
        LLVMValueRef o = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, Olast), "o");
        om_cg_store(cx, OM_DT_INT32, k.acc, o, bias ? bias : om_cg_i32(cx, 0));
        om_cg_for_end(cx, &lo);
        qc_row(cx, &k, 0, xoff, woff, Olast);
        o = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, Olast), "o");
        LLVMValueRef v = om_cg_load(cx, OM_DT_INT32, k.acc, o);
        if (ql) {
            LLVMValueRef f = LLVMBuildFMul(b, LLVMBuildSIToFP(b, v, cx->f32, ""), mult, "");
            v = om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, om_cg_nn_roundeven(cx, f), yz, ""), OM_DT_FLOAT, yt);
        }
        om_cg_store(cx, yt, y, om_cg_mad(cx, row, Olast, o), v);
        om_cg_for_end(cx, &lo);
        om_cg_for_end(cx, &lw);
        return OM_OK;
    }
    k.o[nsp - 1] = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, Olast), "o");
    LLVMBuildStore(b, bias ? bias : om_cg_i32(cx, 0), k.acc);
    qc_taps(cx, &k, 0, xoff, woff);
    LLVMValueRef v = LLVMBuildLoad2(b, cx->i32, k.acc, "");
    if (ql) {
        LLVMValueRef f = LLVMBuildFMul(b, LLVMBuildSIToFP(b, v, cx->f32, ""), mult, "");
        v = om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, om_cg_nn_roundeven(cx, f), yz, ""), OM_DT_FLOAT, yt);
    }
    om_cg_store(cx, yt, y, om_cg_mad(cx, row, Olast, k.o[nsp - 1]), v);
    om_cg_for_end(cx, &lo);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
