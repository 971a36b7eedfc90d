/* DFT (opset 17/20) and STFT (opset 17) as plain O(n^2) transforms with compile-time
 * twiddle tables: cos(2 pi m / n) and sin(2 pi m / n) for m in [0, n) are computed in the
 * compiler (C's cos/sin in double) and embedded as f64 constants; each output bin k sums
 * over the input samples j with twiddle index (j k) mod n (kept incrementally, no
 * division). Accumulation is in f64; input and output are f32/f64/f16/bf16 (converted on
 * load and store).
 *   forward  X[k] = sum_j x[j] e^{-2 pi i jk/n};  inverse: e^{+2 pi i jk/n}, scaled by 1/n.
 *   DFT      input viewed as [outer, L, inner, C] (C = 1 real, 2 complex) along `axis`;
 *            n = dft_length (attribute written by the shape rule): samples j >= L are
 *            zero (padding), j >= n are ignored (truncation). Output [outer, K, inner, 2]
 *            with K = n, or n/2+1 when onesided. Work items: outer * inner.
 *   STFT     signal [B, S, C]; frame f starts at f * frame_step; each sample is multiplied
 *            by window[j] when the window input is present; K = frame_length (/2+1 when
 *            onesided). Work items: B * frames. frame_step / frame_length computed at run
 *            time: see emit_stft.
 */
#include <math.h>
#include <stdlib.h>

#include "codegen/kernels/seq_util.h"
#include "codegen/kernels/rt_shape.h"

typedef struct dft_geo {
    om_dtype dt;
    int64_t C, n, nvalid, K, in_stride, out_stride;
    int inverse;
    LLVMValueRef x, y, win, cos_t, sin_t;
} dft_geo;

static void emit_bins(om_cg_ctx *cx, const dft_geo *q, LLVMValueRef in_base, LLVMValueRef out_base)
{
    LLVMBuilderRef b = cx->b;
    om_cg_loop lk, lj;
    LLVMValueRef re = om_cg_alloca(cx, cx->f64, "re"), im = om_cg_alloca(cx, cx->f64, "im");
    LLVMValueRef zero = om_cg_i64(cx, 0);
    LLVMValueRef ms = om_cg_alloca(cx, cx->i64, "m");
    LLVMValueRef k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, q->K), "k");
    LLVMValueRef kmod = LLVMBuildURem(b, k, om_cg_i64(cx, q->n), "kmod");
    LLVMBuildStore(b, zero, ms);
    LLVMBuildStore(b, LLVMConstReal(cx->f64, 0.0), re);
    LLVMBuildStore(b, LLVMConstReal(cx->f64, 0.0), im);
    LLVMValueRef j = om_cg_for(cx, &lj, zero, om_cg_i64(cx, q->nvalid), "j");
    LLVMValueRef at = om_cg_mad(cx, j, q->in_stride, in_base);
    LLVMValueRef xr = om_cg_convert(cx, om_cg_load(cx, q->dt, q->x, at), q->dt, OM_DT_DOUBLE);
    LLVMValueRef xi = q->C == 2 ? om_cg_convert(cx, om_cg_load(cx, q->dt, q->x, om_cg_add(cx, at, om_cg_i64(cx, 1))),
                                                q->dt, OM_DT_DOUBLE)
                                : NULL;
    if (q->win) {
        LLVMValueRef w = om_cg_convert(cx, om_cg_load(cx, q->dt, q->win, j), q->dt, OM_DT_DOUBLE);
        xr = LLVMBuildFMul(b, xr, w, "");
        if (xi)
            xi = LLVMBuildFMul(b, xi, w, "");
    }
    /* m = (j k) mod n, kept incrementally: m += k mod n, minus n when it wraps */
    LLVMValueRef m = LLVMBuildLoad2(b, cx->i64, ms, "m");
    LLVMValueRef mn = LLVMBuildAdd(b, m, kmod, "");
    mn = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGE, mn, om_cg_i64(cx, q->n), ""),
                         LLVMBuildSub(b, mn, om_cg_i64(cx, q->n), ""), mn, "");
    LLVMBuildStore(b, mn, ms);
    LLVMValueRef c = om_cg_load(cx, OM_DT_DOUBLE, q->cos_t, m), s = om_cg_load(cx, OM_DT_DOUBLE, q->sin_t, m);
    LLVMValueRef dre, dim;
    if (!q->inverse) { /* (xr + i xi)(c - i s) */
        dre = LLVMBuildFMul(b, xr, c, "");
        dim = LLVMBuildFNeg(b, LLVMBuildFMul(b, xr, s, ""), "");
        if (xi) {
            dre = LLVMBuildFAdd(b, dre, LLVMBuildFMul(b, xi, s, ""), "");
            dim = LLVMBuildFAdd(b, dim, LLVMBuildFMul(b, xi, c, ""), "");
        }
    } else { /* (xr + i xi)(c + i s) */
        dre = LLVMBuildFMul(b, xr, c, "");
        dim = LLVMBuildFMul(b, xr, s, "");
        if (xi) {
            dre = LLVMBuildFSub(b, dre, LLVMBuildFMul(b, xi, s, ""), "");
            dim = LLVMBuildFAdd(b, dim, LLVMBuildFMul(b, xi, c, ""), "");
        }
    }
    LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, cx->f64, re, ""), dre, ""), re);
    LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, cx->f64, im, ""), dim, ""), im);
    om_cg_for_end(cx, &lj);
    LLVMValueRef vr = LLVMBuildLoad2(b, cx->f64, re, ""), vi = LLVMBuildLoad2(b, cx->f64, im, "");
    if (q->inverse) {
        LLVMValueRef sc = LLVMConstReal(cx->f64, 1.0 / (double)q->n);
        vr = LLVMBuildFMul(b, vr, sc, "");
        vi = LLVMBuildFMul(b, vi, sc, "");
    }
    LLVMValueRef o = om_cg_mad(cx, k, q->out_stride, out_base);
    om_cg_store(cx, q->dt, q->y, o, om_cg_convert(cx, vr, OM_DT_DOUBLE, q->dt));
    om_cg_store(cx, q->dt, q->y, om_cg_add(cx, o, om_cg_i64(cx, 1)), om_cg_convert(cx, vi, OM_DT_DOUBLE, q->dt));
    om_cg_for_end(cx, &lk);
}

static om_status make_twiddles(om_cg_ctx *cx, dft_geo *q)
{
    if (q->n > (1 << 22))
        return om_cg_unsupported(cx, "transform length %lld exceeds the twiddle table limit (4M)", (long long)q->n);
    double *c = malloc(sizeof *c * (size_t)q->n), *s = malloc(sizeof *s * (size_t)q->n);
    if (!c || !s) {
        free(c);
        free(s);
        return om_error(OM_ERR_NO_MEMORY, "DFT: out of memory");
    }
    const double pi = 3.14159265358979323846;
    for (int64_t m = 0; m < q->n; m++) {
        double a = 2.0 * pi * (double)m / (double)q->n;
        c[m] = cos(a);
        s[m] = sin(a);
    }
    q->cos_t = om_cg_const_table(cx, OM_DT_DOUBLE, c, NULL, q->n, "cos");
    q->sin_t = om_cg_const_table(cx, OM_DT_DOUBLE, s, NULL, q->n, "sin");
    free(c);
    free(s);
    if (!q->cos_t || !q->sin_t)
        return om_error(OM_ERR_NO_MEMORY, "DFT: out of memory");
    return OM_OK;
}

/* STFT. frame_step / frame_length attributes are written by the shape rule when known; 0
 * means computed at run time (the output shape was declared): the step is then loaded from
 * input 1 and used for the frame offsets, and checked (>= 1, frames = 1 + (S - n) / step);
 * a run-time frame_length (input 3) must be one of the lengths the declared bins allow
 * (n = K, or 2K - 2 / 2K - 1 when onesided, at most S), each with its own twiddle tables and
 * bin loop, chosen at run time. A failed check returns OM_ART_CHECK_SHAPE_VALUE. */
static om_status emit_stft(om_cg_ctx *cx, const om_node *n, dft_geo *q0)
{
    LLVMBuilderRef b = cx->b;
    const om_value *x = n->inputs[0], *y = n->outputs[0];
    const om_value *sv = om_node_input(n, 1), *fv = om_node_input(n, 3);
    int64_t S = x->shape.dims[1], Bt = x->shape.dims[0], F = y->shape.dims[1];
    int64_t step = om_node_int(n, "frame_step", 0), flen = om_node_int(n, "frame_length", 0);
    int64_t K = y->shape.dims[2];
    bool onesided = om_node_int(n, "onesided", 1) != 0;
    bool step_rt = step < 1, flen_rt = fv && !om_cg_rt_is_const(fv);
    if (step_rt && (!sv || om_cg_rt_is_const(sv)))
        return om_cg_unsupported(cx, "frame_step %lld", (long long)step);
    int64_t cand[2];
    int nc = 0;
    if (flen >= 1) {
        cand[nc++] = flen;
    } else {
        if (!flen_rt)
            return om_cg_unsupported(cx, "frame_length unknown");
        int64_t lo = onesided ? 2 * K - 2 : K, hi = onesided ? 2 * K - 1 : K;
        for (int64_t c = lo; c <= hi; c++)
            if (c >= 1 && c <= S)
                cand[nc++] = c;
    }
    if (nc == 0 || K < 1)
        return om_cg_unsupported(cx, "no frame_length gives %lld bins", (long long)K);
    for (int i = 0; i < nc; i++)
        if (!step_rt && F > 0 && (F - 1) * step + cand[i] > S)
            return om_cg_unsupported(cx, "frame_length %lld / frame_step %lld", (long long)cand[i], (long long)step);
    /* run-time checks */
    LLVMValueRef ok = NULL, zero = om_cg_i64(cx, 0), one = om_cg_i64(cx, 1);
    LLVMValueRef flen_v = om_cg_i64(cx, cand[0]), step_v = om_cg_i64(cx, step);
    if (flen_rt) {
        flen_v = om_cg_rt_int(cx, 3, 0);
        if (!flen_v || om_shape_numel(&fv->shape) != 1)
            return om_cg_unsupported(cx, "input 3 (frame_length) must be one integer");
        LLVMValueRef any = LLVMConstInt(cx->i1, 0, 0);
        for (int i = 0; i < nc; i++)
            any = LLVMBuildOr(b, any, LLVMBuildICmp(b, LLVMIntEQ, flen_v, om_cg_i64(cx, cand[i]), ""), "");
        ok = om_cg_rt_and(cx, ok, any);
    }
    if (step_rt) {
        step_v = om_cg_rt_int(cx, 1, 0);
        if (!step_v || om_shape_numel(&sv->shape) != 1)
            return om_cg_unsupported(cx, "input 1 (frame_step) must be one integer");
        LLVMValueRef pos = LLVMBuildICmp(b, LLVMIntSGE, step_v, one, "");
        ok = om_cg_rt_and(cx, ok, pos);
        step_v = LLVMBuildSelect(b, pos, step_v, one, "step");
    }
    if (step_rt || flen_rt) {
        /* frames = 1 + (S - n) / step, with n <= S */
        LLVMValueRef span = LLVMBuildSub(b, om_cg_i64(cx, S), flen_v, "");
        LLVMValueRef span0 = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGE, span, zero, ""), span, zero, "");
        LLVMValueRef frames = LLVMBuildAdd(b, LLVMBuildSDiv(b, span0, step_v, ""), one, "frames");
        ok = om_cg_rt_and(cx, ok, LLVMBuildICmp(b, LLVMIntSGE, span, zero, ""));
        ok = om_cg_rt_and_eq(cx, ok, frames, F);
    }
    om_cg_rt_check(cx, ok);
    if (Bt * F == 0)
        return OM_OK;
    dft_geo qs[2];
    om_status st;
    for (int i = 0; i < nc; i++) {
        qs[i] = *q0;
        qs[i].n = qs[i].nvalid = cand[i];
        qs[i].K = K;
        qs[i].win = om_cg_in(cx, 2);
        qs[i].in_stride = q0->C;
        qs[i].out_stride = 2;
        if ((st = make_twiddles(cx, &qs[i])) != OM_OK)
            return st;
    }
    om_cg_loop lw;
    LLVMValueRef w = om_cg_for_work(cx, &lw, Bt * F, "w");
    LLVMValueRef bb = LLVMBuildSDiv(b, w, om_cg_i64(cx, F), "b");
    LLVMValueRef f = LLVMBuildSRem(b, w, om_cg_i64(cx, F), "f");
    LLVMValueRef ib = om_cg_mad(cx, om_cg_add(cx, om_cg_mul(cx, bb, om_cg_i64(cx, S)), om_cg_mul(cx, f, step_v)),
                                q0->C, zero);
    LLVMValueRef ob = om_cg_mad(cx, w, K * 2, zero);
    if (nc == 1) {
        emit_bins(cx, &qs[0], ib, ob);
    } else {
        LLVMBasicBlockRef b0 = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "flen0");
        LLVMBasicBlockRef b1 = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "flen1");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "flen_done");
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, flen_v, om_cg_i64(cx, cand[0]), ""), b0, b1);
        LLVMPositionBuilderAtEnd(b, b0);
        emit_bins(cx, &qs[0], ib, ob);
        LLVMBuildBr(b, done);
        LLVMPositionBuilderAtEnd(b, b1);
        emit_bins(cx, &qs[1], ib, ob);
        LLVMBuildBr(b, done);
        LLVMPositionBuilderAtEnd(b, done);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

om_status om_cg_emit_dft(om_cg_ctx *cx, const om_node *n)
{
    LLVMBuilderRef b = cx->b;
    const om_value *x = n->inputs[0];
    dft_geo q = {0};
    q.dt = x->dtype;
    if (!om_dtype_is_float(q.dt))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(q.dt));
    if (!om_shape_is_static(&x->shape) || !om_shape_is_static(&n->outputs[0]->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    int r = x->shape.rank;
    q.C = x->shape.dims[r - 1];
    q.x = om_cg_in(cx, 0);
    q.y = om_cg_out(cx, 0);
    om_status st;
    om_cg_loop lw;
    if (n->op == OM_OP_DFT) {
        int a = (int)om_node_int(n, "axis", 1);
        if (a < 0 || a >= r - 1)
            return om_cg_unsupported(cx, "axis %d", a);
        q.n = om_node_int(n, "dft_length", x->shape.dims[a]);
        q.inverse = om_node_int(n, "inverse", 0) != 0;
        q.K = n->outputs[0]->shape.dims[a];
        int64_t L = x->shape.dims[a], outer = 1, inner = 1;
        for (int d = 0; d < a; d++)
            outer *= x->shape.dims[d];
        for (int d = a + 1; d < r - 1; d++)
            inner *= x->shape.dims[d];
        if (q.n < 1 || outer * inner == 0)
            return q.n < 1 ? om_cg_unsupported(cx, "dft_length %lld", (long long)q.n) : OM_OK;
        q.nvalid = L < q.n ? L : q.n;
        q.in_stride = inner * q.C;
        q.out_stride = inner * 2;
        if ((st = make_twiddles(cx, &q)) != OM_OK)
            return st;
        LLVMValueRef w = om_cg_for_work(cx, &lw, outer * inner, "w");
        LLVMValueRef o = LLVMBuildSDiv(b, w, om_cg_i64(cx, inner), "o");
        LLVMValueRef i = LLVMBuildSRem(b, w, om_cg_i64(cx, inner), "i");
        LLVMValueRef ib = om_cg_mad(cx, om_cg_mad(cx, o, L * inner, i), q.C, om_cg_i64(cx, 0));
        LLVMValueRef ob = om_cg_mad(cx, om_cg_mad(cx, o, q.K * inner, i), 2, om_cg_i64(cx, 0));
        emit_bins(cx, &q, ib, ob);
        om_cg_for_end(cx, &lw);
        return OM_OK;
    }
    return emit_stft(cx, n, &q);
}
