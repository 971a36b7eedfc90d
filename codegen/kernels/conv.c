/* Conv kernel (family conv): direct convolution over any spatial rank (1-D, 2-D, 3-D, ...),
 * with group (depthwise included), pads, strides, dilations and an optional bias.
 *
 * X is [N, C, I1..In], W is [M, C/group, K1..Kn], B is [M], Y is [N, M, O1..On]. The parallel
 * loop runs over the N*M*O1*...*O(n-1) output rows (one row = the last spatial dim). Each row
 * is computed in blocks of at most OM_CONV_JB outputs into a stack accumulator (f32 for
 * f16/bf16) that aliases nothing:
 *     acc[o] = bias[m];
 *     for c in the group's input channels:
 *       for each valid kernel position k1..k(n-1)  (ranges computed per row: no padding reads)
 *         for kn in 0..Kn:
 *           for o in the outputs whose input column is inside X  (range computed per kn)
 *             acc[o] += W[m, c, k] * X[n, g*Cg + c, i(o, k)]
 * so zero padding costs no branch in the innermost loop, which is unit-stride over acc
 * (and over X when the stride is 1). Outputs whose whole kernel row lies inside X (the
 * interior, a compile-time range) take all Kn taps in one pass, unrolled, so acc[o] is
 * loaded and stored once per kernel row. Shapes and attributes are compile-time constants.
 * Attributes are canonical (kernel_shape, strides, dilations, pads present), but ONNX
 * defaults apply when one is absent; auto_pad other than NOTSET is unsupported here (the
 * shape-inference pass rewrites it into pads).
 * A fused epilogue (om_activation / om_residual attributes, residual R = input 3; see
 * codegen/cg_epilogue.h) is applied to each accumulator as the block is stored.
 * f32 1-D and 2-D convolutions go to the register-blocked kernel of conv_fast.c when it
 * covers them (depthwise ones with rows wider than half a vector first to the stencil kernel
 * of conv_dw.c); this direct loop nest is the path for everything else.
 */
#include <stdint.h>
#include <string.h>

#include "codegen/cg_epilogue.h"
#include "codegen/kernels/conv_bf16.h"
#include "codegen/kernels/conv_dw.h"
#include "codegen/kernels/conv_fast.h"
#include "codegen/kernels/conv_small.h"
#include "codegen/kernels/window.h"

#define OM_CONV_JB 256 /* accumulator block width, elements */
#define OM_CONV_MAX_SP (OM_MAX_RANK - 2)

typedef struct cv_kernel {
    om_dtype dt, adt;
    LLVMValueRef x, w, bias, y, acc;
    om_cg_epilogue ep;
    int nsp;                                   /* spatial rank */
    int64_t Cg, Isz, Ksz;                      /* channels per group, spatial sizes */
    int64_t I[OM_CONV_MAX_SP], K[OM_CONV_MAX_SP], S[OM_CONV_MAX_SP], D[OM_CONV_MAX_SP];
    int64_t P[OM_CONV_MAX_SP], O[OM_CONV_MAX_SP]; /* P: begin pads */
    int64_t istr[OM_CONV_MAX_SP], kstr[OM_CONV_MAX_SP]; /* element strides inside a channel */
    /* per row */
    LLVMValueRef m, xch0, wch0, y_off, orow[OM_CONV_MAX_SP];
} cv_kernel;

static LLVMValueRef cv_fmadd(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
}

/* Taps kn of the last spatial dim for outputs [s0, s1) of block j0 (s0, s1 absolute
 * output indices): per kn, the sub-range whose input column is inside X. */
static void cv_taps_checked(om_cg_ctx *cx, const cv_kernel *k, LLVMValueRef xoff, LLVMValueRef woff,
                            LLVMValueRef j0, LLVMValueRef s0, LLVMValueRef s1)
{
    int L = k->nsp - 1;
    om_cg_loop lk, lo;
    LLVMValueRef kn = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[L]), "kn");
    LLVMValueRef wv = om_cg_convert(cx, om_cg_load(cx, k->dt, k->w, om_cg_add(cx, woff, kn)), k->dt, k->adt);
    /* input column of output o: o*S + off */
    LLVMValueRef off = om_cg_add(cx, om_cg_mad(cx, kn, k->D[L], NULL), om_cg_i64(cx, -k->P[L]));
    LLVMValueRef olo, ohi;
    om_cg_win_orange(cx, off, k->S[L], k->I[L], s0, s1, &olo, &ohi);
    LLVMValueRef tlo = LLVMBuildNSWSub(cx->b, olo, j0, ""), thi = LLVMBuildNSWSub(cx->b, ohi, j0, "");
    /* X index of t: xoff + off + (j0 + t)*S */
    LLVMValueRef xb = om_cg_add(cx, om_cg_add(cx, xoff, off), om_cg_mad(cx, j0, k->S[L], NULL));
    LLVMValueRef t = om_cg_for(cx, &lo, tlo, thi, "o");
    LLVMValueRef xv = om_cg_convert(cx, om_cg_load(cx, k->dt, k->x, om_cg_mad(cx, t, k->S[L], xb)), k->dt, k->adt);
    om_cg_store(cx, k->adt, k->acc, t, cv_fmadd(cx, wv, xv, om_cg_load(cx, k->adt, k->acc, t)));
    om_cg_for_end(cx, &lo);
    om_cg_for_end(cx, &lk);
}

/* The last spatial dim for block [j0, j0 + w). Outputs whose every tap is inside X (a
 * compile-time range [ilo, ihi)) take all Kn taps in one pass with the tap loop unrolled
 * and the weights hoisted, so acc[o] is loaded and stored once; the borders go through
 * cv_taps_checked. Wide kernels (Kn > OM_CONV_UNROLL) use cv_taps_checked throughout. */
#define OM_CONV_UNROLL 16
static void cv_inner(om_cg_ctx *cx, const cv_kernel *k, LLVMValueRef xoff, LLVMValueRef woff,
                     LLVMValueRef j0, int64_t w)
{
    int L = k->nsp - 1;
    int64_t Kn = k->K[L], S = k->S[L], D = k->D[L], P = k->P[L], I = k->I[L];
    LLVMValueRef jend = om_cg_add(cx, j0, om_cg_i64(cx, w));
    if (Kn > OM_CONV_UNROLL) {
        cv_taps_checked(cx, k, xoff, woff, j0, j0, jend);
        return;
    }
    LLVMValueRef ilo, ihi;
    om_cg_win_interior(cx, Kn, S, D, P, I, j0, jend, &ilo, &ihi);
    cv_taps_checked(cx, k, xoff, woff, j0, j0, ilo);

    LLVMValueRef wv[OM_CONV_UNROLL];
    for (int64_t t = 0; t < Kn; t++)
        wv[t] = om_cg_convert(cx, om_cg_load(cx, k->dt, k->w, om_cg_add(cx, woff, om_cg_i64(cx, t))), k->dt, k->adt);
    /* X index of output o, tap kn: xoff + o*S - P + kn*D; t = o - j0 */
    LLVMValueRef xb = om_cg_add(cx, om_cg_add(cx, xoff, om_cg_i64(cx, -P)), om_cg_mad(cx, j0, S, NULL));
    om_cg_loop lo;
    LLVMValueRef tlo = LLVMBuildNSWSub(cx->b, ilo, j0, ""), thi = LLVMBuildNSWSub(cx->b, ihi, j0, "");
    LLVMValueRef t = om_cg_for(cx, &lo, tlo, thi, "o");
    LLVMValueRef xt = om_cg_mad(cx, t, S, xb);
    LLVMValueRef a = om_cg_load(cx, k->adt, k->acc, t);
    for (int64_t kn = 0; kn < Kn; kn++) {
        LLVMValueRef xv = om_cg_load(cx, k->dt, k->x, om_cg_add(cx, xt, om_cg_i64(cx, kn * D)));
        a = cv_fmadd(cx, wv[kn], om_cg_convert(cx, xv, k->dt, k->adt), a);
    }
    om_cg_store(cx, k->adt, k->acc, t, a);
    om_cg_for_end(cx, &lo);

    cv_taps_checked(cx, k, xoff, woff, j0, ihi, jend);
}

/* Spatial dim d < nsp-1: the kernel positions whose input row is inside X, then recurse. */
static void cv_outer(om_cg_ctx *cx, const cv_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef woff,
                     LLVMValueRef j0, int64_t w)
{
    if (d == k->nsp - 1) {
        cv_inner(cx, k, xoff, woff, j0, w);
        return;
    }
    /* input row of kernel position kd: base + kd*D */
    LLVMValueRef base = om_cg_add(cx, om_cg_mad(cx, k->orow[d], k->S[d], NULL), om_cg_i64(cx, -k->P[d]));
    LLVMValueRef klo, khi;
    om_cg_win_krange(cx, base, 0, k->I[d], k->K[d], k->D[d], &klo, &khi);
    om_cg_loop l;
    LLVMValueRef kd = om_cg_for(cx, &l, klo, khi, "kd");
    LLVMValueRef idx = om_cg_add(cx, base, om_cg_mad(cx, kd, k->D[d], NULL));
    cv_outer(cx, k, d + 1, om_cg_add(cx, xoff, om_cg_mad(cx, idx, k->istr[d], NULL)),
             om_cg_add(cx, woff, om_cg_mad(cx, kd, k->kstr[d], NULL)), j0, w);
    om_cg_for_end(cx, &l);
}

/* Outputs [j0, j0 + w) of the current row; w is a compile-time constant. */
static void cv_block(om_cg_ctx *cx, const cv_kernel *k, LLVMValueRef j0, int64_t w)
{
    om_cg_loop l, lc;
    LLVMValueRef init = om_cg_const(cx, k->adt, 0);
    if (k->bias)
        init = om_cg_convert(cx, om_cg_load(cx, k->dt, k->bias, k->m), k->dt, k->adt);
    LLVMValueRef t = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "o");
    om_cg_store(cx, k->adt, k->acc, t, init);
    om_cg_for_end(cx, &l);

    LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->Cg), "c");
    cv_outer(cx, k, 0, om_cg_mad(cx, c, k->Isz, k->xch0), om_cg_mad(cx, c, k->Ksz, k->wch0), j0, w);
    om_cg_for_end(cx, &lc);

    LLVMValueRef yb = om_cg_add(cx, k->y_off, j0);
    t = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, w), "o");
    LLVMValueRef yi = om_cg_add(cx, yb, t);
    LLVMValueRef v = om_cg_epilogue_apply(cx, &k->ep, k->adt, om_cg_load(cx, k->adt, k->acc, t), yi);
    om_cg_store(cx, k->dt, k->y, yi, om_cg_convert(cx, v, k->adt, k->dt));
    om_cg_for_end(cx, &l);
}

om_status om_cg_emit_conv(om_cg_ctx *cx, const om_node *n)
{
    const char *nm = n->name ? n->name : "";
    const om_value *vx = om_node_input(n, 0), *vw = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vw || !vy)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Conv): needs inputs X, W and output Y", nm);
    om_dtype dt = vy->dtype;
    if (dt != OM_DT_FLOAT && dt != OM_DT_DOUBLE && dt != OM_DT_FLOAT16 && dt != OM_DT_BFLOAT16)
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(dt));
    if (vx->dtype != dt || vw->dtype != dt || (vb && vb->dtype != dt))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Conv): input dtypes differ from Y's %s", nm,
                        om_dtype_name(dt));
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") != 0 && ap[0] != '\0')
        return om_cg_unsupported(cx, "auto_pad %s (run shape inference to make pads explicit)", ap);

    const om_shape *sx = &vx->shape, *sw = &vw->shape, *sy = &vy->shape;
    int r = sx->rank;
    if (!om_shape_is_static(sx) || !om_shape_is_static(sw) || !om_shape_is_static(sy) || r < 3 ||
        sw->rank != r || sy->rank != r)
        return om_error(OM_ERR_INVALID_MODEL,
                        "node '%s' (Conv): X, W and Y need static shapes of the same rank >= 3", nm);
    cv_kernel k = {.dt = dt, .adt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT, .nsp = r - 2};
    int nsp = k.nsp;
    int64_t group = om_node_int(n, "group", 1);
    int64_t Nb = sx->dims[0], C = sx->dims[1], M = sw->dims[0];
    k.Cg = sw->dims[1];
    if (group < 1 || C % group != 0 || C / group != k.Cg || M % group != 0 || sy->dims[0] != Nb ||
        sy->dims[1] != M)
        return om_error(OM_ERR_INVALID_MODEL,
                        "node '%s' (Conv): X [%lld, %lld, ...], W [%lld, %lld, ...], Y [%lld, %lld, ...] and "
                        "group %lld do not fit", nm, (long long)Nb, (long long)C, (long long)M, (long long)k.Cg,
                        (long long)sy->dims[0], (long long)sy->dims[1], (long long)group);
    int64_t ks[OM_CONV_MAX_SP], pads[2 * OM_CONV_MAX_SP];
    om_status st;
    if ((st = om_cg_win_ints(n, "kernel_shape", nsp, -1, 1, ks)) != OM_OK ||
        (st = om_cg_win_ints(n, "strides", nsp, 1, 1, k.S)) != OM_OK ||
        (st = om_cg_win_ints(n, "dilations", nsp, 1, 1, k.D)) != OM_OK ||
        (st = om_cg_win_ints(n, "pads", 2 * nsp, 0, 0, pads)) != OM_OK)
        return st;
    k.Isz = 1;
    k.Ksz = 1;
    for (int d = nsp - 1; d >= 0; d--) {
        k.I[d] = sx->dims[2 + d];
        k.K[d] = sw->dims[2 + d];
        k.O[d] = sy->dims[2 + d];
        k.P[d] = pads[d];
        k.istr[d] = k.Isz;
        k.kstr[d] = k.Ksz;
        k.Isz *= k.I[d];
        k.Ksz *= k.K[d];
        if (k.K[d] < 1 || (ks[d] != -1 && ks[d] != k.K[d]))
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Conv): kernel dim %d is %lld in W, %lld in kernel_shape",
                            nm, d, (long long)k.K[d], (long long)ks[d]);
        int64_t span = k.D[d] * (k.K[d] - 1) + 1;
        int64_t num = k.I[d] + pads[d] + pads[nsp + d] - span;
        int64_t expect = num < 0 ? 0 : num / k.S[d] + 1;
        if (k.O[d] != expect)
            return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Conv): output spatial dim %d is %lld, expected %lld",
                            nm, d, (long long)k.O[d], (long long)expect);
    }
    if (vb && (!om_shape_is_static(&vb->shape) || om_shape_numel(&vb->shape) != M))
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (Conv): bias B must have %lld elements", nm, (long long)M);
    int64_t rows = Nb * M, On = k.O[nsp - 1];
    for (int d = 0; d < nsp - 1; d++)
        rows *= k.O[d];
    if ((st = om_cg_epilogue_read(cx, n, 3, k.adt, &k.ep)) != OM_OK)
        return st;
    if (rows * On == 0)
        return OM_OK;
    if ((dt == OM_DT_FLOAT || dt == OM_DT_BFLOAT16) && nsp <= 2) {
        /* 1-D is 2-D with a unit height */
        int h = nsp == 2 ? 0 : -1, w = nsp - 1;
        om_cg_conv_geom cg = {
            .N = Nb, .C = C, .M = M, .group = group, .has_bias = vb != NULL,
            .IH = h < 0 ? 1 : k.I[h], .KH = h < 0 ? 1 : k.K[h], .SH = h < 0 ? 1 : k.S[h],
            .DH = h < 0 ? 1 : k.D[h], .PH = h < 0 ? 0 : k.P[h], .OH = h < 0 ? 1 : k.O[h],
            .IW = k.I[w], .KW = k.K[w], .SW = k.S[w], .DW = k.D[w], .PW = k.P[w], .OW = k.O[w]};
        bool done = false;
        /* weights packed by pack-conv-small: the output-channel-vectorized kernel */
        if (om_node_int(n, "om_packed_conv", 0) > 0)
            return om_cg_conv_small(cx, &cg, &k.ep, om_node_int(n, "om_packed_conv", 0));
        /* f32 depthwise: the stencil kernel of conv_dw.h */
        if (dt == OM_DT_FLOAT && ((st = om_cg_conv_dw(cx, &cg, &k.ep, &done)) != OM_OK || done))
            return st;
        /* bf16: the dot-product kernel of conv_bf16.h */
        st = dt == OM_DT_FLOAT ? om_cg_conv_fast(cx, &cg, &k.ep, &done) : om_cg_conv_bf16(cx, &cg, &k.ep, &done);
        if (st != OM_OK || done)
            return st;
    }

    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    k.bias = vb ? om_cg_in(cx, 2) : NULL;
    k.y = om_cg_out(cx, 0);
    int64_t jb = On < OM_CONV_JB ? On : OM_CONV_JB;
    k.acc = om_cg_alloca(cx, LLVMArrayType2(om_cg_type(cx, k.adt), (uint64_t)jb), "acc");

    om_cg_loop lw;
    LLVMValueRef wi = om_cg_for_work(cx, &lw, rows, "row");
    int64_t R = rows / (Nb * M); /* rows per (image, output channel) */
    LLVMValueRef nmi = LLVMBuildUDiv(cx->b, wi, om_cg_i64(cx, R), "nm");
    LLVMValueRef rr = LLVMBuildURem(cx->b, wi, om_cg_i64(cx, R), "r");
    LLVMValueRef img = LLVMBuildUDiv(cx->b, nmi, om_cg_i64(cx, M), "n");
    k.m = LLVMBuildURem(cx->b, nmi, om_cg_i64(cx, M), "m");
    LLVMValueRef g = LLVMBuildUDiv(cx->b, k.m, om_cg_i64(cx, M / group), "g");
    for (int d = nsp - 2; d >= 0; d--) {
        k.orow[d] = LLVMBuildURem(cx->b, rr, om_cg_i64(cx, k.O[d]), "");
        rr = LLVMBuildUDiv(cx->b, rr, om_cg_i64(cx, k.O[d]), "");
    }
    /* first input channel of the group: (img*C + g*Cg) * Isz */
    k.xch0 = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, img, C, NULL), om_cg_mad(cx, g, k.Cg, NULL)), k.Isz, NULL);
    k.wch0 = om_cg_mad(cx, k.m, k.Cg * k.Ksz, NULL);
    k.y_off = om_cg_mad(cx, wi, On, NULL);

    int64_t nfull = On / jb, tail = On % jb;
    if (nfull == 1) {
        cv_block(cx, &k, om_cg_i64(cx, 0), jb);
    } else if (nfull > 1) {
        om_cg_loop lb;
        LLVMValueRef blk = om_cg_for(cx, &lb, om_cg_i64(cx, 0), om_cg_i64(cx, nfull), "oblk");
        cv_block(cx, &k, om_cg_mad(cx, blk, jb, NULL), jb);
        om_cg_for_end(cx, &lb);
    }
    if (tail)
        cv_block(cx, &k, om_cg_i64(cx, nfull * jb), tail);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
