/* ConvTranspose kernel (family conv_transpose): 1-D/2-D/3-D (any spatial rank), groups,
 * strides, dilations, pads (canonical: shape inference folded auto_pad, output_shape and
 * output_padding into `pads`, the end pad possibly negative), optional bias; f32, f64, f16,
 * bf16 (accumulated in f32).
 *
 * X is [N, C, I...], W is [C, M/group, K...], Y is [N, M, O...]; output o receives
 * X[i] * W[k] where o = i*S - P + k*D per spatial dim. Work items: output rows
 * (N*M*O1..O(n-1)); a row belongs to one work item, so no two items write one output.
 *
 * Row scatter (rows up to CT_ROW_MAX): the row is accumulated in a stack buffer (f32; f64
 * for double) stored phase-major -- output o = j*S + ph lives at acc[ph*J + j], J =
 * ceil(O/S) -- so that one tap's contributions are contiguous; for each input channel c of
 * the group (innermost but one, so the ranges below are computed once per tap), each
 * kernel position of the outer dims whose input row i = (o + P - k*D) / S is exact and
 * inside X, and each tap kn of the last dim, the input row is added in:
 *     o = i*S - base (base = P - kn*D): ph = (-base) mod S, j = i - (base + ph) / S
 *     acc[ph*J + j] += W[c, m%Mg, k] * X[n, c, .., i]   for the i with o in [0, O)
 * (the i range is computed per tap: the innermost loop is a branch-free axpy that LLVM
 * vectorizes); the row is then written out de-interleaved, bias added.
 * Longer rows use the per-output gather (each output sums its valid taps; the validity
 * branches are per kernel dim, outside the channel loop).
 * The common upsampling case (2-D f32, kernel = stride, no pads, group 1) takes the
 * register-blocked vector kernel of nn_conv_transpose_vec.c instead.
 */
#include <string.h>

#include "codegen/kernels/nn_conv_transpose_vec.h"
#include "codegen/kernels/nn_util.h"

#define CT_MAX_SP (OM_MAX_RANK - 2)
#define CT_ROW_MAX 8192 /* stack accumulator: row length limit, elements */

typedef struct ct_kernel {
    om_dtype dt, adt;
    int nsp;
    int64_t Cg, Mg, C, Isz, Ksz;
    int64_t I[CT_MAX_SP], K[CT_MAX_SP], S[CT_MAX_SP], D[CT_MAX_SP], P[CT_MAX_SP];
    int64_t istr[CT_MAX_SP], kstr[CT_MAX_SP];
    LLVMValueRef x, w, acc, o[CT_MAX_SP], xbase, wbase;
} ct_kernel;

/* Opens `if (cond)`; returns the continuation block. */
static LLVMBasicBlockRef ct_if(om_cg_ctx *cx, LLVMValueRef cond)
{
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "valid");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
    LLVMBuildCondBr(cx->b, cond, then, cont);
    LLVMPositionBuilderAtEnd(cx->b, then);
    return cont;
}

static void ct_endif(om_cg_ctx *cx, LLVMBasicBlockRef cont)
{
    LLVMBuildBr(cx->b, cont);
    LLVMMoveBasicBlockAfter(cont, LLVMGetLastBasicBlock(cx->fn));
    LLVMPositionBuilderAtEnd(cx->b, cont);
}

/* Kernel dim d: loop k, check validity, recurse; at the end the channel loop. */
static void ct_taps(om_cg_ctx *cx, ct_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef woff)
{
    LLVMBuilderRef b = cx->b;
    if (d == k->nsp) {
        om_cg_loop lc;
        LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->Cg), "c");
        LLVMValueRef xv = om_cg_load(cx, k->dt, k->x, om_cg_mad(cx, c, k->Isz, xoff));
        LLVMValueRef wv = om_cg_load(cx, k->dt, k->w, om_cg_mad(cx, c, k->Mg * k->Ksz, woff));
        xv = om_cg_convert(cx, xv, k->dt, k->adt);
        wv = om_cg_convert(cx, wv, k->dt, k->adt);
        LLVMValueRef a = LLVMBuildLoad2(b, om_cg_type(cx, k->adt), k->acc, "");
        LLVMValueRef ops[3] = {xv, wv, a};
        LLVMBuildStore(b, om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3), k->acc);
        om_cg_for_end(cx, &lc);
        return;
    }
    om_cg_loop lk;
    LLVMValueRef kd = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[d]), "k");
    /* t = o + P - k*D */
    LLVMValueRef t = LLVMBuildNSWSub(b, om_cg_add(cx, k->o[d], om_cg_i64(cx, k->P[d])),
                                     om_cg_mad(cx, kd, k->D[d], NULL), "");
    LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntSGE, t, om_cg_i64(cx, 0), "");
    LLVMValueRef i = t;
    if (k->S[d] != 1) {
        LLVMValueRef rem = LLVMBuildSRem(b, t, om_cg_i64(cx, k->S[d]), "");
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntEQ, rem, om_cg_i64(cx, 0), ""), "");
        i = LLVMBuildSDiv(b, t, om_cg_i64(cx, k->S[d]), "");
    }
    ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntSLT, i, om_cg_i64(cx, k->I[d]), ""), "");
    LLVMBasicBlockRef cont = ct_if(cx, ok);
    ct_taps(cx, k, d + 1, om_cg_mad(cx, i, k->istr[d], xoff), om_cg_mad(cx, kd, k->kstr[d], woff));
    ct_endif(cx, cont);
    om_cg_for_end(cx, &lk);
}

/* ceil(num / den) for den >= 1 (i64 values; num of any sign). */
static LLVMValueRef ct_ceil_div(om_cg_ctx *cx, LLVMValueRef num, int64_t den)
{
    if (den == 1)
        return num;
    /* floor((num + den - 1) / den) with a floor division */
    LLVMValueRef a = om_cg_add(cx, num, om_cg_i64(cx, den - 1));
    LLVMValueRef q = LLVMBuildSDiv(cx->b, a, om_cg_i64(cx, den), "");
    LLVMValueRef r = LLVMBuildSRem(cx->b, a, om_cg_i64(cx, den), "");
    LLVMValueRef fix = LLVMBuildAnd(cx->b, LLVMBuildICmp(cx->b, LLVMIntNE, r, om_cg_i64(cx, 0), ""),
                                    LLVMBuildICmp(cx->b, LLVMIntSLT, a, om_cg_i64(cx, 0), ""), "");
    return LLVMBuildSub(cx->b, q, LLVMBuildZExt(cx->b, fix, cx->i64, ""), "");
}

/* Row scatter, outer dims d < nsp-1 (k->o[d] is the output row index), then the taps of
 * the last dim. xoff/woff: offsets of (channel c, dims < d). */
static void ct_scatter(om_cg_ctx *cx, ct_kernel *k, int d, LLVMValueRef xoff, LLVMValueRef woff, int64_t Olast)
{
    LLVMBuilderRef b = cx->b;
    int L = k->nsp - 1;
    if (d == L) {
        om_cg_loop lk, lc, li;
        LLVMValueRef kn = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[L]), "kn");
        /* o = i*S - base, base = P - kn*D; 0 <= o < Olast and 0 <= i < I */
        LLVMValueRef base = LLVMBuildNSWSub(b, om_cg_i64(cx, k->P[L]), om_cg_mad(cx, kn, k->D[L], NULL), "");
        LLVMValueRef ilo = om_cg_nn_smax(cx, ct_ceil_div(cx, base, k->S[L]), om_cg_i64(cx, 0));
        LLVMValueRef ihi = om_cg_nn_smin(cx, ct_ceil_div(cx, om_cg_add(cx, base, om_cg_i64(cx, Olast)), k->S[L]),
                                         om_cg_i64(cx, k->I[L]));
        /* phase-major slot of output i*S - base: ph*J + i - (base + ph)/S */
        int64_t S = k->S[L], J = (Olast + S - 1) / S;
        LLVMValueRef ph = LLVMBuildSRem(b, LLVMBuildNSWSub(b, om_cg_i64(cx, 0), base, ""), om_cg_i64(cx, S), "");
        ph = LLVMBuildSRem(b, om_cg_add(cx, ph, om_cg_i64(cx, S)), om_cg_i64(cx, S), "ph");
        LLVMValueRef q = LLVMBuildSDiv(b, om_cg_add(cx, base, ph), om_cg_i64(cx, S), "");
        LLVMValueRef slot0 = LLVMBuildNSWSub(b, om_cg_mad(cx, ph, J, NULL), q, "");
        /* the channel loop inside: the ranges above serve every channel */
        LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, k->Cg), "c");
        LLVMValueRef wv = om_cg_load(cx, k->dt, k->w, om_cg_add(cx, om_cg_mad(cx, c, k->Mg * k->Ksz, woff), kn));
        wv = om_cg_convert(cx, wv, k->dt, k->adt);
        LLVMValueRef xc = om_cg_mad(cx, c, k->Isz, xoff);
        LLVMValueRef i = om_cg_for(cx, &li, ilo, ihi, "i");
        LLVMValueRef o = om_cg_add(cx, slot0, i);
        LLVMValueRef xv = om_cg_convert(cx, om_cg_load(cx, k->dt, k->x, om_cg_add(cx, xc, i)), k->dt, k->adt);
        LLVMValueRef ops[3] = {wv, xv, om_cg_load(cx, k->adt, k->acc, o)};
        om_cg_store(cx, k->adt, k->acc, o, om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3));
        om_cg_for_end(cx, &li);
        om_cg_for_end(cx, &lc);
        om_cg_for_end(cx, &lk);
        return;
    }
    om_cg_loop lk;
    LLVMValueRef kd = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, k->K[d]), "k");
    LLVMValueRef t = LLVMBuildNSWSub(b, om_cg_add(cx, k->o[d], om_cg_i64(cx, k->P[d])), om_cg_mad(cx, kd, k->D[d], NULL), "");
    LLVMValueRef ok = LLVMBuildICmp(b, LLVMIntSGE, t, om_cg_i64(cx, 0), "");
    LLVMValueRef i = t;
    if (k->S[d] != 1) {
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildSRem(b, t, om_cg_i64(cx, k->S[d]), ""), om_cg_i64(cx, 0), ""), "");
        i = LLVMBuildSDiv(b, t, om_cg_i64(cx, k->S[d]), "");
    }
    ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntSLT, i, om_cg_i64(cx, k->I[d]), ""), "");
    LLVMBasicBlockRef cont = ct_if(cx, ok);
    ct_scatter(cx, k, d + 1, om_cg_mad(cx, i, k->istr[d], xoff), om_cg_mad(cx, kd, k->kstr[d], woff), Olast);
    ct_endif(cx, cont);
    om_cg_for_end(cx, &lk);
}

om_status om_cg_emit_conv_transpose(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vw = om_node_input(n, 1), *vb = om_node_input(n, 2);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vw || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vw->shape) ||
        !om_shape_is_static(&vy->shape) || vx->shape.rank < 3 || vw->shape.rank != vx->shape.rank ||
        vy->shape.rank != vx->shape.rank)
        return om_cg_unsupported(cx, "X, W and Y need static shapes of the same rank >= 3");
    om_dtype dt = vy->dtype;
    if (!om_dtype_is_float(dt) || vx->dtype != dt || vw->dtype != dt || (vb && vb->dtype != dt))
        return om_cg_unsupported(cx, "dtype %s (float types only, all alike)", om_dtype_name(dt));
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    if ((ap[0] && strcmp(ap, "NOTSET")) || om_node_attr(n, "output_shape") || om_node_attr(n, "output_padding"))
        return om_cg_unsupported(cx, "auto_pad/output_shape/output_padding (run shape inference first)");
    ct_kernel k = {.dt = dt, .adt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT, .nsp = vx->shape.rank - 2};
    int nsp = k.nsp;
    int64_t group = om_node_int(n, "group", 1);
    int64_t Nb = vx->shape.dims[0];
    k.C = vx->shape.dims[1];
    k.Mg = vw->shape.dims[1];
    int64_t M = vy->shape.dims[1];
    if (group < 1 || k.C % group || vw->shape.dims[0] != k.C || k.Mg * group != M || vy->shape.dims[0] != Nb)
        return om_cg_unsupported(cx, "channels of X, W, Y and group %lld do not fit", (long long)group);
    k.Cg = k.C / group;
    if (vb && (!om_shape_is_static(&vb->shape) || om_shape_numel(&vb->shape) != M))
        return om_cg_unsupported(cx, "bias must hold M = %lld values", (long long)M);
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
        if (k.S[d] < 1 || k.D[d] < 1)
            return om_cg_unsupported(cx, "stride/dilation < 1");
        k.istr[d] = k.Isz;
        k.kstr[d] = k.Ksz;
        k.Isz *= k.I[d];
        k.Ksz *= k.K[d];
    }
    int64_t numel = om_shape_numel(&vy->shape);
    if (numel == 0)
        return OM_OK;
    if (om_cg_conv_transpose_vec_fits(n))
        return om_cg_conv_transpose_vec(cx, n);
    int64_t Olast = vy->shape.dims[vy->shape.rank - 1], rows = numel / Olast;
    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    LLVMValueRef bias = vb ? om_cg_in(cx, 2) : NULL, y = om_cg_out(cx, 0);
    bool row = Olast <= CT_ROW_MAX;
    int64_t SL = k.S[nsp - 1], JL = (Olast + SL - 1) / SL;
    k.acc = om_cg_alloca(cx, row ? LLVMArrayType2(om_cg_type(cx, k.adt), (uint64_t)(SL * JL)) : om_cg_type(cx, k.adt), "acc");
    LLVMBuilderRef b = cx->b;
    om_cg_loop lw, lo;
    LLVMValueRef row_i = om_cg_for_work(cx, &lw, rows, "row");
    LLVMValueRef rem = row_i;
    for (int d = nsp - 2; d >= 0; d--) {
        int64_t O = vy->shape.dims[2 + d];
        k.o[d] = LLVMBuildURem(b, rem, om_cg_i64(cx, O), "");
        rem = LLVMBuildUDiv(b, rem, om_cg_i64(cx, O), "");
    }
    LLVMValueRef m = LLVMBuildURem(b, rem, om_cg_i64(cx, M), "m");
    LLVMValueRef img = LLVMBuildUDiv(b, rem, om_cg_i64(cx, M), "n");
    LLVMValueRef g = LLVMBuildUDiv(b, m, om_cg_i64(cx, k.Mg), "g");
    LLVMValueRef ml = LLVMBuildURem(b, m, om_cg_i64(cx, k.Mg), "");
    /* X offset of (img, g*Cg, 0...), W offset of (g*Cg, ml, 0...) */
    LLVMValueRef xoff = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, img, k.C, NULL), om_cg_mad(cx, g, k.Cg, NULL)), k.Isz, NULL);
    LLVMValueRef woff = om_cg_mad(cx, om_cg_add(cx, om_cg_mad(cx, g, k.Cg * k.Mg, NULL), ml), k.Ksz, NULL);
    LLVMValueRef init = bias ? om_cg_convert(cx, om_cg_load(cx, dt, bias, m), dt, k.adt) : om_cg_const(cx, k.adt, 0);
    if (row) {
        om_cg_loop lp;
        LLVMBuildMemSet(b, k.acc, LLVMConstInt(cx->i8, 0, 0),
                        om_cg_i64(cx, SL * JL * (int64_t)om_dtype_size(k.adt)), (unsigned)om_dtype_size(k.adt));
        ct_scatter(cx, &k, 0, xoff, woff, Olast);
        /* de-interleave: Y[row, j*S + ph] = acc[ph*J + j] + bias */
        LLVMValueRef ph = om_cg_for(cx, &lp, om_cg_i64(cx, 0), om_cg_i64(cx, SL), "ph");
        LLVMValueRef jn = LLVMBuildSDiv(b, om_cg_add(cx, LLVMBuildNSWSub(b, om_cg_i64(cx, Olast), ph, ""),
                                                     om_cg_i64(cx, SL - 1)), om_cg_i64(cx, SL), "");
        LLVMValueRef jv = om_cg_for(cx, &lo, om_cg_i64(cx, 0), jn, "j");
        LLVMValueRef a = om_cg_load(cx, k.adt, k.acc, om_cg_add(cx, om_cg_mad(cx, ph, JL, NULL), jv));
        a = om_dtype_is_float(k.adt) ? LLVMBuildFAdd(b, a, init, "") : a;
        om_cg_store(cx, dt, y, om_cg_add(cx, om_cg_mad(cx, row_i, Olast, ph), om_cg_mad(cx, jv, SL, NULL)),
                    om_cg_convert(cx, a, k.adt, dt));
        om_cg_for_end(cx, &lo);
        om_cg_for_end(cx, &lp);
        om_cg_for_end(cx, &lw);
        return OM_OK;
    }
    k.o[nsp - 1] = om_cg_for(cx, &lo, om_cg_i64(cx, 0), om_cg_i64(cx, Olast), "o");
    LLVMBuildStore(b, init, k.acc);
    ct_taps(cx, &k, 0, xoff, woff);
    LLVMValueRef v = om_cg_convert(cx, LLVMBuildLoad2(b, om_cg_type(cx, k.adt), k.acc, ""), k.adt, dt);
    om_cg_store(cx, dt, y, om_cg_mad(cx, row_i, Olast, k.o[nsp - 1]), v);
    om_cg_for_end(cx, &lo);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
