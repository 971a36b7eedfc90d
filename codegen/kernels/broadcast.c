/* See cg_broadcast.h: stride computation, dim merging and the loop nest shared by the
 * broadcasting elementwise kernels. Not an emitter itself. */
#include <string.h>

#include "codegen/cg_broadcast.h"
#include "codegen/kernels/ew_vec.h"

#define MAX_OPS (OM_CG_BCAST_MAX_INPUTS + 1)
#define EW_UNROLL 4 /* full vectors per iteration of the inner loop */

/* The merged dims md[0..*m) and per-operand strides ms[k] (k = 0 output, 1 + i input i). */
static om_status merge_dims(om_cg_ctx *cx, const om_value *out, int n_in, const om_value *const *ins, int *m_out,
                            int64_t md[OM_MAX_RANK + 1], int64_t ms[][OM_MAX_RANK + 1])
{
    if (n_in < 0 || n_in > OM_CG_BCAST_MAX_INPUTS)
        return om_cg_unsupported(cx, "%d inputs, at most %d are supported", n_in, OM_CG_BCAST_MAX_INPUTS);
    int rank = out->shape.rank;
    if (!om_shape_is_static(&out->shape))
        return om_cg_unsupported(cx, "output '%s' has no static shape", out->name);
    int n_ops = n_in + 1;
    int r = rank > 0 ? rank : 1; /* rank 0 is one dim of 1 */
    static const int64_t one = 1;
    const int64_t *od = rank > 0 ? out->shape.dims : &one;
    int64_t st[MAX_OPS][OM_MAX_RANK + 1];
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        st[0][i] = acc;
        acc *= od[i];
    }
    for (int k = 0; k < n_in; k++) {
        const om_value *v = ins[k];
        if (!v) {
            for (int i = 0; i < r; i++)
                st[k + 1][i] = 0;
            continue;
        }
        const om_shape *s = &v->shape;
        if (s->rank < 0 || s->rank > rank)
            return om_cg_unsupported(cx, "input %d '%s' has rank %d, the output '%s' %d", k, v->name, s->rank,
                                     out->name, rank);
        int64_t a = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - s->rank); /* the operand's dim aligned with output dim i */
            int64_t d = (j >= 0 && rank > 0) ? s->dims[j] : 1;
            if (d != od[i] && d != 1)
                return om_cg_unsupported(cx, "input %d '%s' dim %d is %lld, not broadcastable to %lld", k,
                                         v->name, j, (long long)d, (long long)od[i]);
            st[k + 1][i] = (d == 1) ? 0 : a;
            a *= d;
        }
    }
    /* drop size-1 dims, then merge dim i into the previous one when every operand is
     * contiguous across them */
    int m = 0;
    for (int i = 0; i < r; i++) {
        if (od[i] == 1)
            continue;
        if (m > 0) {
            bool merge = true;
            for (int k = 0; k < n_ops; k++)
                merge &= ms[k][m - 1] == st[k][i] * od[i];
            if (merge) {
                md[m - 1] *= od[i];
                for (int k = 0; k < n_ops; k++)
                    ms[k][m - 1] = st[k][i];
                continue;
            }
        }
        md[m] = od[i];
        for (int k = 0; k < n_ops; k++)
            ms[k][m] = st[k][i];
        m++;
    }
    if (m == 0) {
        md[0] = 1;
        for (int k = 0; k < n_ops; k++)
            ms[k][0] = 0;
        m = 1;
    }

    *m_out = m;
    return OM_OK;
}

om_status om_cg_bcast_open(om_cg_ctx *cx, om_cg_bcast *bc, const om_value *out, int n_in,
                           const om_value *const *ins)
{
    int m, n_ops = n_in + 1;
    int64_t md[OM_MAX_RANK + 1], ms[MAX_OPS][OM_MAX_RANK + 1];
    om_status st = merge_dims(cx, out, n_in, ins, &m, md, ms);
    if (st != OM_OK)
        return st;
    /* p leading dims fused into the work loop */
    int p = 1;
    int64_t work = md[0];
    while (p < m - 1 && work < OM_CG_BCAST_MIN_WORK)
        work *= md[p++];
    for (int k = 0; k < n_ops; k++)
        bc->off[k] = om_cg_i64(cx, 0);
    bc->n_loops = 0;
    LLVMValueRef w = om_cg_for_work(cx, &bc->loops[bc->n_loops++], work, "w");
    /* split w into indices of dims p-1 .. 0 (the last division is skipped) */
    for (int i = p - 1; i >= 0; i--) {
        LLVMValueRef idx = w;
        if (i > 0) {
            LLVMValueRef d = om_cg_i64(cx, md[i]);
            idx = LLVMBuildURem(cx->b, w, d, "");
            w = LLVMBuildUDiv(cx->b, w, d, "");
        }
        for (int k = 0; k < n_ops; k++)
            bc->off[k] = om_cg_mad(cx, idx, ms[k][i], bc->off[k]);
    }
    for (int i = p; i < m; i++) {
        LLVMValueRef iv = om_cg_for(cx, &bc->loops[bc->n_loops++], om_cg_i64(cx, 0), om_cg_i64(cx, md[i]), "i");
        for (int k = 0; k < n_ops; k++)
            bc->off[k] = om_cg_mad(cx, iv, ms[k][i], bc->off[k]);
    }
    return OM_OK;
}

void om_cg_bcast_close(om_cg_ctx *cx, om_cg_bcast *bc)
{
    for (int i = bc->n_loops - 1; i >= 0; i--)
        om_cg_for_end(cx, &bc->loops[i]);
    bc->n_loops = 0;
}

/* ---- om_cg_bcast_vec ------------------------------------------------------------------ */

/* A constant f32 scalar input embedded as a constant, else NULL. */
static LLVMValueRef const_scalar(om_cg_ctx *cx, const om_value *v)
{
    if (v->kind != OM_VALUE_CONSTANT || !v->data || v->dtype != OM_DT_FLOAT || om_shape_numel(&v->shape) != 1)
        return NULL;
    float f;
    memcpy(&f, v->data, sizeof f);
    return LLVMConstReal(cx->f32, f);
}

/* One run of the innermost dim, elements [i0, i1) (i64 values) of the row whose operand
 * offsets are off[] (off[0] the output's). */
static void ew_run(om_cg_ctx *cx, const om_cg_ew_loop *lp, int VL, const int64_t *inner_stride,
                   const LLVMValueRef *off, LLVMValueRef i0, LLVMValueRef i1, const LLVMValueRef *cval)
{
    LLVMBuilderRef b = cx->b;
    int n_in = lp->n_in;
    LLVMValueRef base[OM_CG_BCAST_MAX_INPUTS], vals[OM_CG_BCAST_MAX_INPUTS], bcastv[OM_CG_BCAST_MAX_INPUTS];
    LLVMTypeRef et[OM_CG_BCAST_MAX_INPUTS];
    om_dtype odt = lp->out->dtype;
    LLVMValueRef py = om_cg_out(cx, 0);
    /* operands constant along the run: loaded once, splatted */
    for (int k = 0; k < n_in; k++) {
        et[k] = om_cg_type(cx, lp->ins[k]->dtype);
        base[k] = cval[k] ? NULL : om_cg_in(cx, k);
        bcastv[k] = NULL;
        if (cval[k] || inner_stride[1 + k] == 0) {
            LLVMValueRef sv = cval[k] ? cval[k] : om_cg_load(cx, lp->ins[k]->dtype, base[k], off[1 + k]);
            bcastv[k] = VL > 1 ? om_cg_vec_splat(cx, sv, VL) : sv;
        }
    }
    if (VL == 1) {
        om_cg_loop l;
        LLVMValueRef i = om_cg_for(cx, &l, i0, i1, "i");
        for (int k = 0; k < n_in; k++)
            vals[k] = bcastv[k] ? bcastv[k] : om_cg_load(cx, lp->ins[k]->dtype, base[k], om_cg_add(cx, off[1 + k], i));
        om_cg_store(cx, odt, py, om_cg_add(cx, off[0], i), lp->body(cx, lp->ud, vals));
        om_cg_for_end(cx, &l);
        return;
    }
    /* full vectors: i = i0 + v*VL for v < (i1 - i0) / VL, four per iteration (independent
     * chains for the out-of-order core), then one at a time */
    LLVMValueRef len = LLVMBuildNSWSub(b, i1, i0, "");
    LLVMValueRef nvec = LLVMBuildUDiv(b, len, om_cg_i64(cx, VL), "");
    LLVMValueRef n4 = LLVMBuildUDiv(b, nvec, om_cg_i64(cx, EW_UNROLL), "");
    om_cg_loop l4, l;
    LLVMValueRef u = om_cg_for(cx, &l4, om_cg_i64(cx, 0), n4, "u");
    for (int k = 0; k < EW_UNROLL; k++) {
        LLVMValueRef i = om_cg_mad(cx, u, (int64_t)VL * EW_UNROLL, om_cg_add(cx, i0, om_cg_i64(cx, (int64_t)k * VL)));
        for (int q = 0; q < n_in; q++)
            vals[q] = bcastv[q] ? bcastv[q] : om_cg_vec_load(cx, et[q], base[q], om_cg_add(cx, off[1 + q], i), VL, VL);
        om_cg_vec_store(cx, py, om_cg_add(cx, off[0], i), lp->body(cx, lp->ud, vals), VL);
    }
    om_cg_for_end(cx, &l4);
    LLVMValueRef v = om_cg_for(cx, &l, om_cg_mad(cx, n4, EW_UNROLL, NULL), nvec, "v");
    LLVMValueRef i = om_cg_mad(cx, v, VL, i0);
    for (int k = 0; k < n_in; k++)
        vals[k] = bcastv[k] ? bcastv[k] : om_cg_vec_load(cx, et[k], base[k], om_cg_add(cx, off[1 + k], i), VL, VL);
    om_cg_vec_store(cx, py, om_cg_add(cx, off[0], i), lp->body(cx, lp->ud, vals), VL);
    om_cg_for_end(cx, &l);
    /* the tail: one masked vector */
    LLVMValueRef it = om_cg_mad(cx, nvec, VL, i0);
    LLVMValueRef rem = LLVMBuildNSWSub(b, i1, it, "rem");
    LLVMBasicBlockRef tail = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "ew_tail");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "ew_done");
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSGT, rem, om_cg_i64(cx, 0), ""), tail, done);
    LLVMPositionBuilderAtEnd(b, tail);
    LLVMValueRef mask = om_cg_vec_mask_lt(cx, rem, VL);
    for (int k = 0; k < n_in; k++)
        vals[k] = bcastv[k] ? bcastv[k] : om_cg_vec_load_masked(cx, et[k], base[k], om_cg_add(cx, off[1 + k], it), mask);
    om_cg_vec_store_masked(cx, py, om_cg_add(cx, off[0], it), lp->body(cx, lp->ud, vals), mask);
    LLVMBuildBr(b, done);
    LLVMPositionBuilderAtEnd(b, done);
}

om_status om_cg_bcast_vec(om_cg_ctx *cx, const om_cg_ew_loop *lp)
{
    int m, n_in = lp->n_in, n_ops = n_in + 1;
    int64_t md[OM_MAX_RANK + 1], ms[MAX_OPS][OM_MAX_RANK + 1];
    om_status st = merge_dims(cx, lp->out, n_in, lp->ins, &m, md, ms);
    if (st != OM_OK)
        return st;
    for (int k = 0; k < n_in; k++)
        if (!lp->ins[k])
            return om_cg_unsupported(cx, "input %d is omitted", k);
    int64_t numel = om_shape_numel(&lp->out->shape);
    if (numel <= 0)
        return OM_OK;
    int VL = lp->lanes > 0 ? lp->lanes : om_cg_vec_lanes(cx);
    int64_t es = (int64_t)om_dtype_size(lp->out->dtype);
    int64_t CH = OM_CG_EW_CHUNK_BYTES / (es > 0 ? es : 1);
    CH = (CH + VL - 1) / VL * VL;
    int64_t L = md[m - 1], outer = numel / L, inner_stride[MAX_OPS];
    for (int k = 0; k < n_ops; k++)
        inner_stride[k] = ms[k][m - 1];
    LLVMValueRef cval[OM_CG_BCAST_MAX_INPUTS];
    for (int k = 0; k < n_in; k++)
        cval[k] = const_scalar(cx, lp->ins[k]);
    LLVMBuilderRef b = cx->b;
    om_cg_loop lw, lr;
    LLVMValueRef r0, r1, i0, i1;
    if (L >= CH) {
        /* long rows: (row, chunk) items */
        int64_t nC = (L + CH - 1) / CH;
        LLVMValueRef w = om_cg_for_work(cx, &lw, outer * nC, "w");
        r0 = nC > 1 ? LLVMBuildUDiv(b, w, om_cg_i64(cx, nC), "") : w;
        LLVMValueRef cb = nC > 1 ? LLVMBuildURem(b, w, om_cg_i64(cx, nC), "") : om_cg_i64(cx, 0);
        r1 = om_cg_add(cx, r0, om_cg_i64(cx, 1));
        i0 = om_cg_mad(cx, cb, CH, NULL);
        LLVMValueRef e = om_cg_add(cx, i0, om_cg_i64(cx, CH));
        i1 = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, e, om_cg_i64(cx, L), ""), e, om_cg_i64(cx, L), "");
    } else {
        /* short rows: R rows per item */
        int64_t R = CH / L;
        LLVMValueRef w = om_cg_for_work(cx, &lw, (outer + R - 1) / R, "w");
        r0 = om_cg_mad(cx, w, R, NULL);
        LLVMValueRef e = om_cg_add(cx, r0, om_cg_i64(cx, R));
        r1 = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, e, om_cg_i64(cx, outer), ""), e, om_cg_i64(cx, outer), "");
        i0 = om_cg_i64(cx, 0);
        i1 = om_cg_i64(cx, L);
    }
    LLVMValueRef row = om_cg_for(cx, &lr, r0, r1, "row");
    /* operand offsets of the row: split it over the outer merged dims m-2 .. 0 */
    LLVMValueRef off[MAX_OPS];
    for (int k = 0; k < n_ops; k++)
        off[k] = om_cg_i64(cx, 0);
    LLVMValueRef rest = row;
    for (int d = m - 2; d >= 0; d--) {
        LLVMValueRef idx = rest;
        if (d > 0) {
            idx = LLVMBuildURem(b, rest, om_cg_i64(cx, md[d]), "");
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, md[d]), "");
        }
        for (int k = 0; k < n_ops; k++)
            off[k] = om_cg_mad(cx, idx, ms[k][d], off[k]);
    }
    ew_run(cx, lp, VL, inner_stride, off, i0, i1, cval);
    om_cg_for_end(cx, &lr);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
