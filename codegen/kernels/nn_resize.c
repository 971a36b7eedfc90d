/* Resize kernel (family resize): nearest, linear and cubic interpolation over any rank,
 * every coordinate_transformation_mode of opsets 11..13 (half_pixel, pytorch_half_pixel,
 * align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize with
 * extrapolation_value), nearest_mode, cubic_coeff_a and exclude_outside.
 *
 * Constant scales/sizes/roi (the fast path): interpolation is separable, so everything
 * that depends on coordinates is computed at compile time, per axis d and output index o,
 * exactly as ONNX's reference does (interpolate_1d_with_x: the source coordinate x in
 * double, the n = 2 or 4 nearest neighbours of the edge-padded axis, coefficients from the
 * ratio, exclude_outside renormalization, edge clamping); taps that land on the same source
 * index are merged and zero taps dropped, leaving T_d taps per output index (1 for nearest
 * and identity axes; an axis with scale 1 and equal sizes is the identity in every mode but
 * tf_crop_and_resize). The tables idx_d[o*T_d + t] (element offsets into X) and
 * w_d[o*T_d + t] are private constants; the kernel sums over the tap combinations:
 *     Y[o] = sum_t prod_d w_d[o_d, t_d] * X[sum_d idx_d[o_d, t_d]]
 * in f32 (f64 for double). tf_crop_and_resize marks coordinates outside the input; any
 * such axis makes the element extrapolation_value. When every axis has a single tap of
 * weight 1 (nearest, or scale 1) the kernel is a gather and accepts every dtype.
 * Run-time sizes: the kernel first checks that the values equal Y's compiled shape
 * (OM_ART_CHECK_SHAPE_VALUE); the scales are then out/in and the tables constant.
 * Run-time scales or roi: nn_resize_rt.c computes the same taps at run time.
 * Work items: the output rows (all dims but the last).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/kernels/nn_resize.h"

static void cubic_coeffs(double r, double A, double *c)
{
    c[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
    c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
    c[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
    c[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
}

/* Source coordinate of output index o on one axis (ONNX reference); sets *outside for
 * tf_crop_and_resize coordinates outside [0, in-1]. */
static double rs_coord(const rs_params *p, double o, double scale, int64_t in, double r0, double r1, bool *outside)
{
    double ow = scale * (double)in;
    const char *c = p->ctm;
    *outside = false;
    if (!strcmp(c, "align_corners"))
        return ow == 1 ? 0.0 : o * (double)(in - 1) / (ow - 1);
    if (!strcmp(c, "asymmetric"))
        return o / scale;
    if (!strcmp(c, "tf_crop_and_resize")) {
        double x = ow == 1 ? (r1 - r0) * (double)(in - 1) / 2 : o * (r1 - r0) * (double)(in - 1) / (ow - 1);
        x += r0 * (double)(in - 1);
        *outside = x < 0 || x > (double)(in - 1);
        return x;
    }
    if (!strcmp(c, "pytorch_half_pixel"))
        return ow == 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    if (!strcmp(c, "tf_half_pixel_for_nn"))
        return (o + 0.5) / scale;
    return (o + 0.5) / scale - 0.5; /* half_pixel */
}

/* Fills one axis' tables. stride: X's element stride of the axis. */
static om_status rs_build_axis(const rs_params *p, rs_axis *a, double scale, double r0, double r1, int64_t stride)
{
    int n = p->mode == 2 ? 4 : 2, pad = n / 2;
    int64_t in = a->in, out = a->out;
    a->idx = calloc((size_t)(out * n + 1), sizeof *a->idx);
    a->w = calloc((size_t)(out * n + 1), sizeof *a->w);
    a->valid = calloc((size_t)out + 1, 1);
    if (!a->idx || !a->w || !a->valid)
        return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory (Resize tables)");
    a->T = 1;
    if (in == out && scale == 1 && strcmp(p->ctm, "tf_crop_and_resize") != 0) {
        /* an unscaled axis is the identity (tf_half_pixel_for_nn would otherwise shift it
         * by half a pixel, which ceil-rounding nearest modes turn into a whole one) */
        for (int64_t o = 0; o < out; o++) {
            a->idx[o] = o * stride;
            a->w[o] = 1;
            a->valid[o] = 1;
        }
        a->gather = true;
        return OM_OK;
    }
    for (int64_t o = 0; o < out; o++) {
        bool outside;
        double x = rs_coord(p, (double)o, scale, in, r0, r1, &outside);
        a->valid[o] = !outside;
        a->any_invalid |= outside;
        double fl = floor(x), ratio = x == fl ? 1.0 : x - fl;
        double c[4];
        if (p->mode == 2) {
            cubic_coeffs(ratio, p->A, c);
        } else if (p->mode == 1) {
            c[0] = 1 - ratio;
            c[1] = ratio;
        } else {
            const char *m = p->nearest;
            bool right;
            if (x == fl) right = true;
            else if (!strcmp(m, "round_prefer_ceil")) right = ratio >= 0.5;
            else if (!strcmp(m, "floor")) right = false;
            else if (!strcmp(m, "ceil")) right = true;
            else right = ratio > 0.5;
            c[0] = right ? 0 : 1;
            c[1] = right ? 1 : 0;
        }
        double xp = x + pad;
        int64_t L = in + 2 * pad;
        double cx = ceil(xp);
        int64_t s0 = cx < -1e15 ? 0 : cx > 1e15 ? L - n : (int64_t)cx - n / 2;
        if (s0 > L - n) s0 = L - n;
        if (s0 < 0) s0 = 0;
        if (p->exclude) {
            double sum = 0;
            for (int t = 0; t < n; t++) {
                int64_t src = s0 + t - pad;
                if (src < 0 || src >= in) c[t] = 0;
                sum += c[t];
            }
            for (int t = 0; t < n; t++)
                c[t] = sum != 0 ? c[t] / sum : 0;
        }
        /* merge taps with the same clamped source index, drop zero weights */
        int64_t ui[4];
        double uw[4];
        int m = 0;
        for (int t = 0; t < n; t++) {
            int64_t src = s0 + t - pad;
            src = src < 0 ? 0 : src >= in ? in - 1 : src;
            int k = 0;
            while (k < m && ui[k] != src) k++;
            if (k == m) {
                ui[m] = src;
                uw[m++] = 0;
            }
            uw[k] += c[t];
        }
        int kept = 0;
        for (int k = 0; k < m; k++)
            if (uw[k] != 0) {
                ui[kept] = ui[k];
                uw[kept++] = uw[k];
            }
        if (kept == 0) {
            ui[0] = 0;
            uw[0] = 0;
            kept = 1;
        }
        if (outside) { /* the value is extrapolation_value: read a valid element, weight 0 */
            ui[0] = 0;
            uw[0] = 0;
            kept = 1;
        }
        for (int k = 0; k < kept; k++) {
            a->idx[o * n + k] = ui[k] * stride;
            a->w[o * n + k] = uw[k];
        }
        for (int k = kept; k < n; k++) {
            a->idx[o * n + k] = ui[0] * stride;
            a->w[o * n + k] = 0;
        }
        if (kept > a->T) a->T = kept;
    }
    /* repack from n to T taps per output index */
    for (int64_t o = 0; o < out; o++)
        for (int64_t t = 0; t < a->T; t++) {
            a->idx[o * a->T + t] = a->idx[o * n + t];
            a->w[o * a->T + t] = a->w[o * n + t];
        }
    a->gather = a->T == 1 && !a->any_invalid;
    for (int64_t o = 0; a->gather && o < out; o++)
        a->gather = a->w[o] == 1.0;
    return OM_OK;
}

/* Sum over tap combinations of axes d..r-1 with offset `off` and weight product `w`
 * (NULL: 1). */
static LLVMValueRef rs_combos(om_cg_ctx *cx, const rs_kernel *k, int d, LLVMValueRef off, LLVMValueRef w,
                              LLVMValueRef acc)
{
    if (d == k->r) {
        LLVMValueRef v = om_cg_load(cx, k->dt, k->x, off);
        if (k->gather)
            return v;
        v = om_cg_convert(cx, v, k->dt, k->adt);
        if (w)
            v = LLVMBuildFMul(cx->b, v, w, "");
        return acc ? LLVMBuildFAdd(cx->b, acc, v, "") : v;
    }
    const rs_axis *a = &k->ax[d];
    int64_t T = a->identity_now ? 1 : a->T;
    for (int64_t t = 0; t < T; t++) {
        LLVMValueRef o2 = om_cg_add(cx, off, k->tidx[d][t]);
        LLVMValueRef w2 = w;
        if (k->tw[d][t])
            w2 = w ? LLVMBuildFMul(cx->b, w, k->tw[d][t], "") : k->tw[d][t];
        acc = rs_combos(cx, k, d + 1, o2, w2, acc);
    }
    return acc;
}

/* The taps of axis d at output index o: the identity, table loads, or (run-time path
 * without a table) computed in line. */
static void rs_load_taps(om_cg_ctx *cx, rs_kernel *k, int d, LLVMValueRef o)
{
    rs_axis *a = &k->ax[d];
    for (int t = 0; t < 4; t++)
        k->tidx[d][t] = k->tw[d][t] = NULL;
    k->tvalid[d] = NULL;
    if (a->identity_now) {
        k->tidx[d][0] = om_cg_mad(cx, o, a->stride, NULL);
        return;
    }
    if (!a->gidx) {
        om_cg_rs_taps(cx, k, d, o);
        return;
    }
    for (int64_t t = 0; t < a->T; t++) {
        LLVMValueRef i = om_cg_mad(cx, o, a->T, om_cg_i64(cx, t));
        k->tidx[d][t] = om_cg_load(cx, OM_DT_INT64, a->gidx, i);
        k->tw[d][t] = a->gather ? NULL : om_cg_load(cx, k->adt, a->gw, i);
    }
    if (a->any_invalid)
        k->tvalid[d] = LLVMBuildICmp(cx->b, LLVMIntNE, om_cg_load(cx, OM_DT_INT8, a->gvalid, o),
                                     LLVMConstInt(cx->i8, 0, 0), "");
}

void om_cg_rs_row(om_cg_ctx *cx, rs_kernel *k, LLVMValueRef row, LLVMValueRef y)
{
    int r = k->r;
    rs_axis *ax = k->ax;
    LLVMValueRef rem = row;
    for (int d = r - 2; d >= 0; d--) {
        LLVMValueRef od = LLVMBuildURem(cx->b, rem, om_cg_i64(cx, ax[d].out), "");
        rem = LLVMBuildUDiv(cx->b, rem, om_cg_i64(cx, ax[d].out), "");
        rs_load_taps(cx, k, d, od);
    }
    int64_t last = ax[r - 1].out;
    om_cg_loop li;
    LLVMValueRef o = om_cg_for(cx, &li, om_cg_i64(cx, 0), om_cg_i64(cx, last), "o");
    rs_load_taps(cx, k, r - 1, o);
    LLVMValueRef v = rs_combos(cx, k, 0, om_cg_i64(cx, 0), NULL, NULL);
    if (!k->gather) {
        LLVMValueRef ok = NULL;
        for (int d = 0; d < r; d++)
            if (k->tvalid[d])
                ok = ok ? LLVMBuildAnd(cx->b, ok, k->tvalid[d], "") : k->tvalid[d];
        if (ok)
            v = LLVMBuildSelect(cx->b, ok, v, om_cg_const(cx, k->adt, k->p.extrap), "");
        v = om_cg_convert(cx, v, k->adt, k->dt);
    }
    om_cg_store(cx, k->dt, y, om_cg_mad(cx, row, last, o), v);
    om_cg_for_end(cx, &li);
}

static bool rs_is_runtime(const om_value *v) { return v && (v->kind != OM_VALUE_CONSTANT || !v->data); }

/* Run-time sizes: every value must equal the compiled output dim. */
static void rs_check_sizes(om_cg_ctx *cx, const om_value *vz, const om_value *vy)
{
    LLVMValueRef base = om_cg_in(cx, 3), ok = LLVMConstInt(cx->i1, 1, 0);
    for (int d = 0; d < vy->shape.rank; d++) {
        LLVMValueRef s = om_cg_convert(cx, om_cg_load(cx, vz->dtype, base, om_cg_i64(cx, d)), vz->dtype, OM_DT_INT64);
        ok = LLVMBuildAnd(cx->b, ok, LLVMBuildICmp(cx->b, LLVMIntEQ, s, om_cg_i64(cx, vy->shape.dims[d]), ""), "");
    }
    om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
}

om_status om_cg_emit_resize(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *roi = om_node_input(n, 1), *vs = om_node_input(n, 2),
                   *vz = om_node_input(n, 3);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vx || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vy->shape) ||
        vx->shape.rank != vy->shape.rank || vx->shape.rank < 1 || vx->dtype != vy->dtype)
        return om_cg_unsupported(cx, "X and Y need static shapes of the same rank and dtype");
    int r = vx->shape.rank;
    rs_params p = {0};
    const char *mode = om_node_string(n, "mode", "nearest");
    p.mode = !strcmp(mode, "cubic") ? 2 : !strcmp(mode, "linear") ? 1 : 0;
    p.ctm = om_node_string(n, "coordinate_transformation_mode", "half_pixel");
    p.nearest = om_node_string(n, "nearest_mode", "round_prefer_floor");
    p.A = om_node_float(n, "cubic_coeff_a", -0.75f);
    p.exclude = om_node_int(n, "exclude_outside", 0) != 0;
    p.crop = !strcmp(p.ctm, "tf_crop_and_resize");
    p.extrap = om_node_float(n, "extrapolation_value", 0.0f);
    bool crop = p.crop;
    if (vz && om_shape_is_static(&vz->shape) && om_shape_numel(&vz->shape) == 0) vz = NULL;
    if (vs && om_shape_is_static(&vs->shape) && om_shape_numel(&vs->shape) == 0) vs = NULL;
    if (!vz && !vs)
        return om_cg_unsupported(cx, "needs scales or sizes");
    if (crop && !roi)
        return om_cg_unsupported(cx, "tf_crop_and_resize needs roi");
    if (vz && (vz->dtype != OM_DT_INT64 || om_shape_numel(&vz->shape) != r))
        return om_cg_unsupported(cx, "sizes must hold %d int64 values", r);
    if (!vz && (!om_dtype_is_float(vs->dtype) || om_shape_numel(&vs->shape) != r))
        return om_cg_unsupported(cx, "scales must hold %d floats", r);
    if (crop && (!om_dtype_is_float(roi->dtype) || om_shape_numel(&roi->shape) != 2 * r))
        return om_cg_unsupported(cx, "roi must hold %d floats", 2 * r);

    om_status st = OM_OK;
    rs_kernel k = {.dt = vx->dtype, .adt = vx->dtype == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT, .r = r, .p = p};
    rs_axis ax[OM_MAX_RANK];
    memset(ax, 0, sizeof ax);
    k.ax = ax;
    if (!om_cg_type(cx, k.dt))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(k.dt));
    int64_t stride = 1;
    for (int d = r - 1; d >= 0; d--) {
        ax[d].in = vx->shape.dims[d];
        ax[d].out = vy->shape.dims[d];
        ax[d].stride = stride;
        stride *= ax[d].in;
        if (ax[d].out > 0 && ax[d].in == 0)
            return om_cg_unsupported(cx, "axis %d: input size 0 resized to %lld", d, (long long)ax[d].out);
    }
    if (vz && rs_is_runtime(vz))
        rs_check_sizes(cx, vz, vy);
    if ((!vz && rs_is_runtime(vs)) || (crop && rs_is_runtime(roi)))
        return om_cg_rs_runtime(cx, &k, vz ? NULL : vs, crop ? roi : NULL, vz != NULL);

    int64_t combos = 1;
    bool gather = true, any_invalid = false;
    for (int d = r - 1; d >= 0; d--) {
        double scale = vz ? (double)ax[d].out / (double)(ax[d].in ? ax[d].in : 1) : om_cg_nn_const_f(vs, d);
        double r0 = crop ? om_cg_nn_const_f(roi, d) : 0, r1 = crop ? om_cg_nn_const_f(roi, r + d) : 1;
        if (!(scale > 0)) {
            st = om_cg_unsupported(cx, "axis %d: scale %g", d, scale);
            goto done;
        }
        if (ax[d].out > 0 && (st = rs_build_axis(&p, &ax[d], scale, r0, r1, ax[d].stride)) != OM_OK)
            goto done;
        combos *= ax[d].T ? ax[d].T : 1;
        gather &= ax[d].gather;
        any_invalid |= ax[d].any_invalid;
    }
    int64_t numel = om_shape_numel(&vy->shape);
    if (numel == 0)
        goto done;
    if (combos > RS_MAX_COMBOS) {
        st = om_cg_unsupported(cx, "%lld tap combinations (rank too high for cubic)", (long long)combos);
        goto done;
    }
    if (!gather && !om_dtype_is_float(k.dt)) {
        st = om_cg_unsupported(cx, "interpolating dtype %s (only nearest gathers non-float data)", om_dtype_name(k.dt));
        goto done;
    }
    k.gather = gather;
    k.any_invalid = any_invalid;
    for (int d = 0; d < r; d++) {
        rs_axis *a = &ax[d];
        if (gather) a->gather = true; /* all weights 1 */
        a->gidx = om_cg_nn_table_i64(cx, OM_DT_INT64, a->idx, a->out * a->T, "rsi");
        if (!a->gather) a->gw = om_cg_nn_table(cx, k.adt, a->w, a->out * a->T, "rsw");
        if (a->any_invalid) {
            int64_t *v = malloc(sizeof *v * (size_t)a->out);
            if (!v) {
                st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
                goto done;
            }
            for (int64_t o = 0; o < a->out; o++) v[o] = a->valid[o];
            a->gvalid = om_cg_nn_table_i64(cx, OM_DT_INT8, v, a->out, "rsv");
            free(v);
        }
        if (!a->gidx || (!a->gather && !a->gw) || (a->any_invalid && !a->gvalid)) {
            st = om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
            goto done;
        }
    }
    k.x = om_cg_in(cx, 0);
    LLVMValueRef y = om_cg_out(cx, 0);
    om_cg_loop lw;
    LLVMValueRef row = om_cg_for_work(cx, &lw, numel / ax[r - 1].out, "row");
    om_cg_rs_row(cx, &k, row, y);
    om_cg_for_end(cx, &lw);
done:
    for (int d = 0; d < OM_MAX_RANK; d++) {
        free(ax[d].idx);
        free(ax[d].w);
        free(ax[d].valid);
    }
    return st;
}
