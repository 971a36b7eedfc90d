/* Resize with run-time scales or roi (the constant path is nn_resize.c).
 *
 * When the scales input (or, for tf_crop_and_resize, the roi input) is computed at run
 * time, the source coordinates depend on its values, so the taps cannot be tabled at
 * compile time. The kernel:
 *   1. loads the scales (f64) and checks floor(in * scale) == the compiled output dim on
 *      every axis (in <= out / scale < in + 1 in double, NaN fails):
 *      OM_ART_CHECK_SHAPE_VALUE; sizes given: scale = out / in (static, like ONNX);
 *   2. loads roi start/end per axis for tf_crop_and_resize;
 *   3. computes, per axis and output index, the taps of ONNX's interpolate_1d_with_x in f64
 *      with the loaded values (om_cg_rs_taps: the same source coordinate, window, ratio,
 *      nearest rounding, cubic coefficients, exclude_outside renormalization and edge
 *      clamping as the constant path's rs_build_axis, without merging taps: T_d = 1 for
 *      nearest, 2 linear, 4 cubic); into stack tables filled before the loops while they
 *      fit in RS_RT_TABLE_BYTES (last axis first: it is read per element), else in line;
 *   4. runs the shared loop nest (om_cg_rs_row). When an axis with in == out has scale 1
 *      (and roi [0, 1] for crop), the constant path treats it as the identity; so does this
 *      path (x = o), and when every such axis is one at run time a second copy of the nest
 *      reads those axes with one tap instead of T (e.g. the N and C axes of an image
 *      resize: 4 instead of 64 taps per element for 2-D cubic).
 * tf_crop_and_resize marks coordinates outside [0, in - 1] (or NaN) invalid: the element
 * is extrapolation_value. Nearest without crop or exclude_outside gathers (any dtype).
 * Everything is libcall-free (floor via om_cg_nn_floor, no llvm.floor/ceil).
 */
#include <string.h>

#include "codegen/kernels/nn_resize.h"

/* Budget for the per-axis stack tables of one kernel (bytes). */
#define RS_RT_TABLE_BYTES (64 * 1024)

static LLVMValueRef f64c(om_cg_ctx *cx, double v) { return LLVMConstReal(cx->f64, v); }

static LLVMValueRef clamp_i64(om_cg_ctx *cx, LLVMValueRef v, int64_t lo, int64_t hi)
{
    return om_cg_nn_smax(cx, om_cg_nn_smin(cx, v, om_cg_i64(cx, hi)), om_cg_i64(cx, lo));
}

/* Source coordinate of output index od (f64) on axis a; *outside (i1) for crop. */
static LLVMValueRef rt_coord(om_cg_ctx *cx, const rs_params *p, const rs_axis *a, LLVMValueRef od,
                             LLVMValueRef *outside)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef sc = a->scale, inm1 = f64c(cx, (double)(a->in - 1));
    LLVMValueRef ow = LLVMBuildFMul(b, sc, f64c(cx, (double)a->in), "ow");
    LLVMValueRef ow1 = LLVMBuildFCmp(b, LLVMRealOEQ, ow, f64c(cx, 1), "");
    LLVMValueRef owm1 = LLVMBuildFSub(b, ow, f64c(cx, 1), "");
    LLVMValueRef half = LLVMBuildFAdd(b, od, f64c(cx, 0.5), "");
    const char *c = p->ctm;
    *outside = NULL;
    if (!strcmp(c, "align_corners"))
        return LLVMBuildSelect(b, ow1, f64c(cx, 0), LLVMBuildFDiv(b, LLVMBuildFMul(b, od, inm1, ""), owm1, ""), "");
    if (!strcmp(c, "asymmetric"))
        return LLVMBuildFDiv(b, od, sc, "");
    if (p->crop) {
        LLVMValueRef span = LLVMBuildFSub(b, a->r1, a->r0, "");
        LLVMValueRef one = LLVMBuildFDiv(b, LLVMBuildFMul(b, span, inm1, ""), f64c(cx, 2), "");
        LLVMValueRef many =
            LLVMBuildFDiv(b, LLVMBuildFMul(b, LLVMBuildFMul(b, od, span, ""), inm1, ""), owm1, "");
        LLVMValueRef x = LLVMBuildSelect(b, ow1, one, many, "");
        x = LLVMBuildFAdd(b, x, LLVMBuildFMul(b, a->r0, inm1, ""), "");
        *outside = LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealULT, x, f64c(cx, 0), ""),
                               LLVMBuildFCmp(b, LLVMRealUGT, x, inm1, ""), "outside");
        return x;
    }
    LLVMValueRef hp = LLVMBuildFDiv(b, half, sc, "");
    if (!strcmp(c, "tf_half_pixel_for_nn"))
        return hp;
    hp = LLVMBuildFSub(b, hp, f64c(cx, 0.5), "");
    if (!strcmp(c, "pytorch_half_pixel"))
        return LLVMBuildSelect(b, ow1, f64c(cx, -0.5), hp, "");
    return hp; /* half_pixel */
}

static void cubic_coeffs_ir(om_cg_ctx *cx, LLVMValueRef r, double A, LLVMValueRef *c)
{
    LLVMBuilderRef b = cx->b;
#define ADD(x, y) LLVMBuildFAdd(b, x, y, "")
#define SUB(x, y) LLVMBuildFSub(b, x, y, "")
#define MUL(x, y) LLVMBuildFMul(b, x, y, "")
    LLVMValueRef K = f64c(cx, A), one = f64c(cx, 1);
    /* outer taps at distance d = r + 1 and (1 - r) + 1: ((A*d - 5A)*d + 8A)*d - 4A */
    LLVMValueRef d0 = ADD(r, one), om = SUB(one, r), d3 = ADD(om, one);
    c[0] = SUB(MUL(ADD(MUL(SUB(MUL(K, d0), f64c(cx, 5 * A)), d0), f64c(cx, 8 * A)), d0), f64c(cx, 4 * A));
    /* inner taps at distance d = r and 1 - r: ((A+2)*d - (A+3))*d*d + 1 */
    c[1] = ADD(MUL(MUL(SUB(MUL(f64c(cx, A + 2), r), f64c(cx, A + 3)), r), r), one);
    c[2] = ADD(MUL(MUL(SUB(MUL(f64c(cx, A + 2), om), f64c(cx, A + 3)), om), om), one);
    c[3] = SUB(MUL(ADD(MUL(SUB(MUL(K, d3), f64c(cx, 5 * A)), d3), f64c(cx, 8 * A)), d3), f64c(cx, 4 * A));
#undef ADD
#undef SUB
#undef MUL
}

void om_cg_rs_taps(om_cg_ctx *cx, rs_kernel *k, int d, LLVMValueRef o)
{
    LLVMBuilderRef b = cx->b;
    const rs_params *p = &k->p;
    rs_axis *a = &k->ax[d];
    int n = p->mode == 2 ? 4 : 2, pad = n / 2;
    int64_t in = a->in, L = in + 2 * pad;
    LLVMValueRef od = LLVMBuildSIToFP(b, o, cx->f64, "od"), outside;
    LLVMValueRef x = rt_coord(cx, p, a, od, &outside);
    if (a->ident) {
        x = LLVMBuildSelect(b, a->ident, od, x, "");
        if (outside)
            outside = LLVMBuildAnd(b, outside, LLVMBuildNot(b, a->ident, ""), "");
    }
    LLVMValueRef fl = om_cg_nn_floor(cx, x);
    LLVMValueRef isint = LLVMBuildFCmp(b, LLVMRealOEQ, x, fl, "");
    LLVMValueRef ratio = LLVMBuildSelect(b, isint, f64c(cx, 1), LLVMBuildFSub(b, x, fl, ""), "ratio");
    /* window start: ceil(x + pad) - n/2 clamped to [0, L - n] (NaN: 0) */
    LLVMValueRef xp = LLVMBuildFAdd(b, x, f64c(cx, pad), "");
    LLVMValueRef ce = LLVMBuildFNeg(b, om_cg_nn_floor(cx, LLVMBuildFNeg(b, xp, "")), "");
    ce = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, ce, f64c(cx, -1), ""), ce, f64c(cx, -1), "");
    ce = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, ce, f64c(cx, (double)L), ""), ce, f64c(cx, (double)L), "");
    LLVMValueRef s0 = clamp_i64(cx, LLVMBuildSub(b, LLVMBuildFPToSI(b, ce, cx->i64, ""), om_cg_i64(cx, n / 2), ""), 0,
                                L - n);
    LLVMValueRef src[4], c[4];
    for (int t = 0; t < n; t++)
        src[t] = LLVMBuildAdd(b, s0, om_cg_i64(cx, t - pad), "");
    if (p->mode == 0) {
        /* nearest: one tap, the right neighbour when x is whole or the mode rounds up */
        const char *m = p->nearest;
        LLVMValueRef right;
        if (!strcmp(m, "round_prefer_ceil"))
            right = LLVMBuildFCmp(b, LLVMRealOGE, ratio, f64c(cx, 0.5), "");
        else if (!strcmp(m, "floor"))
            right = LLVMConstInt(cx->i1, 0, 0);
        else if (!strcmp(m, "ceil"))
            right = LLVMConstInt(cx->i1, 1, 0);
        else
            right = LLVMBuildFCmp(b, LLVMRealOGT, ratio, f64c(cx, 0.5), "");
        right = LLVMBuildOr(b, right, isint, "");
        LLVMValueRef s = LLVMBuildSelect(b, right, src[1], src[0], "");
        k->tidx[d][0] = om_cg_mad(cx, clamp_i64(cx, s, 0, in - 1), a->stride, NULL);
        k->tw[d][0] = NULL;
        if (!a->gather) {
            LLVMValueRef w = f64c(cx, 1);
            if (p->exclude) { /* renormalized over one tap: 1 inside, 0 outside */
                LLVMValueRef ins = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, s, om_cg_i64(cx, 0), ""),
                                                LLVMBuildICmp(b, LLVMIntSLT, s, om_cg_i64(cx, in), ""), "");
                w = LLVMBuildSelect(b, ins, f64c(cx, 1), f64c(cx, 0), "");
            }
            k->tw[d][0] = om_cg_convert(cx, w, OM_DT_DOUBLE, k->adt);
        }
        k->tvalid[d] = outside ? LLVMBuildNot(b, outside, "") : NULL;
        return;
    }
    if (p->mode == 2) {
        cubic_coeffs_ir(cx, ratio, p->A, c);
    } else {
        c[0] = LLVMBuildFSub(b, f64c(cx, 1), ratio, "");
        c[1] = ratio;
    }
    if (p->exclude) {
        LLVMValueRef sum = f64c(cx, 0);
        for (int t = 0; t < n; t++) {
            LLVMValueRef ins = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, src[t], om_cg_i64(cx, 0), ""),
                                            LLVMBuildICmp(b, LLVMIntSLT, src[t], om_cg_i64(cx, in), ""), "");
            c[t] = LLVMBuildSelect(b, ins, c[t], f64c(cx, 0), "");
            sum = LLVMBuildFAdd(b, sum, c[t], "");
        }
        LLVMValueRef nz = LLVMBuildFCmp(b, LLVMRealUNE, sum, f64c(cx, 0), "");
        for (int t = 0; t < n; t++)
            c[t] = LLVMBuildSelect(b, nz, LLVMBuildFDiv(b, c[t], sum, ""), f64c(cx, 0), "");
    }
    for (int t = 0; t < n; t++) {
        k->tidx[d][t] = om_cg_mad(cx, clamp_i64(cx, src[t], 0, in - 1), a->stride, NULL);
        k->tw[d][t] = om_cg_convert(cx, c[t], OM_DT_DOUBLE, k->adt);
    }
    k->tvalid[d] = outside ? LLVMBuildNot(b, outside, "") : NULL;
}

/* Stack tables for axis a, filled by a loop over its output indices. */
static void rt_fill_table(om_cg_ctx *cx, rs_kernel *k, int d)
{
    rs_axis *a = &k->ax[d];
    LLVMValueRef gidx = om_cg_alloca(cx, LLVMArrayType2(cx->i64, (uint64_t)(a->out * a->T)), "rs_idx");
    LLVMValueRef gw = a->gather ? NULL
                                : om_cg_alloca(cx, LLVMArrayType2(om_cg_type(cx, k->adt), (uint64_t)(a->out * a->T)),
                                               "rs_w");
    LLVMValueRef gvalid = a->any_invalid ? om_cg_alloca(cx, LLVMArrayType2(cx->i8, (uint64_t)a->out), "rs_valid") : NULL;
    om_cg_loop l;
    LLVMValueRef o = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, a->out), "to");
    om_cg_rs_taps(cx, k, d, o);
    for (int64_t t = 0; t < a->T; t++) {
        LLVMValueRef i = om_cg_mad(cx, o, a->T, om_cg_i64(cx, t));
        om_cg_store(cx, OM_DT_INT64, gidx, i, k->tidx[d][t]);
        if (gw)
            om_cg_store(cx, k->adt, gw, i, k->tw[d][t]);
    }
    if (gvalid) {
        LLVMValueRef v = k->tvalid[d] ? LLVMBuildZExt(cx->b, k->tvalid[d], cx->i8, "") : LLVMConstInt(cx->i8, 1, 0);
        om_cg_store(cx, OM_DT_INT8, gvalid, o, v);
    }
    om_cg_for_end(cx, &l);
    a->gidx = gidx;
    a->gw = gw;
    a->gvalid = gvalid;
}

om_status om_cg_rs_runtime(om_cg_ctx *cx, rs_kernel *k, const om_value *vs, const om_value *roi, bool sizes_static)
{
    LLVMBuilderRef b = cx->b;
    const rs_params *p = &k->p;
    int r = k->r;
    rs_axis *ax = k->ax;
    int64_t T = p->mode == 2 ? 4 : p->mode == 1 ? 2 : 1, combos = 1, numel = 1;
    bool gather = p->mode == 0 && !p->crop && !p->exclude;
    if (!gather && !om_dtype_is_float(k->dt))
        return om_cg_unsupported(cx, "interpolating dtype %s (only nearest gathers non-float data)", om_dtype_name(k->dt));
    for (int d = 0; d < r; d++) {
        combos *= T;
        numel *= ax[d].out;
    }
    if (numel > 0 && combos > RS_MAX_COMBOS)
        return om_cg_unsupported(cx, "%lld tap combinations with run-time scales (rank too high for cubic)",
                                 (long long)combos);
    /* 1-2: scales (checked) and roi */
    LLVMValueRef ps = vs && (vs->kind != OM_VALUE_CONSTANT || !vs->data) ? om_cg_in(cx, 2) : NULL;
    LLVMValueRef pr = roi && (roi->kind != OM_VALUE_CONSTANT || !roi->data) ? om_cg_in(cx, 1) : NULL;
    LLVMValueRef ok = LLVMConstInt(cx->i1, 1, 0);
    for (int d = 0; d < r; d++) {
        rs_axis *a = &ax[d];
        if (sizes_static) {
            a->scale = f64c(cx, (double)a->out / (double)(a->in ? a->in : 1));
        } else if (ps) {
            a->scale = om_cg_convert(cx, om_cg_load(cx, vs->dtype, ps, om_cg_i64(cx, d)), vs->dtype, OM_DT_DOUBLE);
            LLVMValueRef prod = LLVMBuildFMul(b, a->scale, f64c(cx, (double)a->in), "");
            ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealOGE, prod, f64c(cx, (double)a->out), ""), "");
            ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealOLT, prod, f64c(cx, (double)a->out + 1), ""), "");
        } else {
            double s = om_cg_nn_const_f(vs, d);
            if (!(s > 0))
                return om_cg_unsupported(cx, "axis %d: scale %g", d, s);
            a->scale = f64c(cx, s);
        }
        if (p->crop) {
            if (pr) {
                a->r0 = om_cg_convert(cx, om_cg_load(cx, roi->dtype, pr, om_cg_i64(cx, d)), roi->dtype, OM_DT_DOUBLE);
                a->r1 = om_cg_convert(cx, om_cg_load(cx, roi->dtype, pr, om_cg_i64(cx, r + d)), roi->dtype, OM_DT_DOUBLE);
            } else {
                a->r0 = f64c(cx, om_cg_nn_const_f(roi, d));
                a->r1 = f64c(cx, om_cg_nn_const_f(roi, r + d));
            }
        }
        if (a->in == a->out) {
            a->ident = LLVMBuildFCmp(b, LLVMRealOEQ, a->scale, f64c(cx, 1), "ident");
            if (p->crop)
                a->ident = LLVMBuildAnd(
                    b, a->ident,
                    LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, a->r0, f64c(cx, 0), ""),
                                 LLVMBuildFCmp(b, LLVMRealOEQ, a->r1, f64c(cx, 1), ""), ""),
                    "");
        }
        a->T = T;
        a->gather = gather;
        a->any_invalid = p->crop;
    }
    if (ps)
        om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
    if (numel == 0)
        return OM_OK;
    k->gather = gather;
    k->any_invalid = p->crop;
    k->x = om_cg_in(cx, 0);
    /* 3: stack tables while they fit, last axis first */
    int64_t budget = RS_RT_TABLE_BYTES, asz = (int64_t)om_dtype_size(k->adt);
    for (int d = r - 1; d >= 0; d--) {
        rs_axis *a = &ax[d];
        int64_t bytes = a->out * T * (8 + (gather ? 0 : asz)) + (p->crop ? a->out : 0);
        if (bytes > budget)
            continue;
        budget -= bytes;
        rt_fill_table(cx, k, d);
    }
    /* 4: the loop nest; a second copy for run-time identity axes when they save taps */
    LLVMValueRef fast = NULL;
    for (int d = 0; d < r && T > 1; d++)
        if (ax[d].ident)
            fast = fast ? LLVMBuildAnd(b, fast, ax[d].ident, "") : ax[d].ident;
    LLVMValueRef y = om_cg_out(cx, 0);
    om_cg_loop lw;
    LLVMValueRef row = om_cg_for_work(cx, &lw, numel / ax[r - 1].out, "row");
    if (fast) {
        LLVMBasicBlockRef bf = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "rs_ident");
        LLVMBasicBlockRef bg = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "rs_general");
        LLVMBasicBlockRef bj = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "rs_next");
        LLVMBuildCondBr(b, fast, bf, bg);
        LLVMPositionBuilderAtEnd(b, bf);
        for (int d = 0; d < r; d++)
            ax[d].identity_now = ax[d].ident != NULL;
        om_cg_rs_row(cx, k, row, y);
        for (int d = 0; d < r; d++)
            ax[d].identity_now = false;
        LLVMBuildBr(b, bj);
        LLVMMoveBasicBlockAfter(bg, LLVMGetInsertBlock(b));
        LLVMPositionBuilderAtEnd(b, bg);
        om_cg_rs_row(cx, k, row, y);
        LLVMBuildBr(b, bj);
        LLVMMoveBasicBlockAfter(bj, LLVMGetInsertBlock(b));
        LLVMPositionBuilderAtEnd(b, bj);
    } else {
        om_cg_rs_row(cx, k, row, y);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
