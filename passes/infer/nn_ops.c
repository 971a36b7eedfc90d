/* Shape rules of the nn group (ir/ops/nn.def): Resize, ConvTranspose, GridSample, the
 * quantization ops (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * QLinearMatMul, ConvInteger, QLinearConv), MaxUnpool, RoiAlign, NonMaxSuppression.
 *
 * Resize: X of any rank; sizes (input 3, int64, one per axis) if present and non-empty give
 * the output shape, else scales (input 2, float, one per axis) give floor(in * scale).
 * Either must be a compile-time constant (it determines the output shape) unless the model
 * declares Y's static shape: then the declared shape is taken and the kernel checks the
 * run-time values against it (and uses the run-time scales). roi (input 1, used by
 * tf_crop_and_resize) may be a run-time value under the same condition (the kernel reads
 * it). Modes and
 * attributes are validated here so codegen only reads them.
 * ConvTranspose: canonicalized like Conv (see conv_pool.c): kernel_shape, strides,
 * dilations, pads and output_padding explicit; auto_pad and output_shape removed.
 * MaxUnpool: a run-time output_shape is accepted when Y's shape is declared (the kernel
 * checks the values).
 * NonMaxSuppression: data-dependent output; computed here (the kernel copies it) when boxes
 * and scores and the optional limits are constants; otherwise the declared [num, 3] shape
 * is taken and the kernel selects at run time and checks num; else OM_ERR_UNSUPPORTED.
 */
#include "passes/infer/infer.h"
#include "passes/infer/nn_conv.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------------- */

static bool is_const(const om_value *v) { return v && v->kind == OM_VALUE_CONSTANT && (v->data || v->nbytes == 0); }

static om_status need_const(const om_node *n, int i, const char *what) {
    om_value *v = om_node_input(n, i);
    if (v && !is_const(v))
        return om_infer_error(n, OM_ERR_UNSUPPORTED,
                              "input %d ('%s') must be a compile-time constant: it determines the %s", i, v->name,
                              what);
    return OM_OK;
}

static double const_f(const om_value *v, int64_t i) {
    size_t es = om_dtype_size(v->dtype);
    if (!v->data || es == 0 || (size_t)(i + 1) * es > v->nbytes) return 0;
    const char *p = (const char *)v->data + (size_t)i * es;
    switch (v->dtype) {
    case OM_DT_FLOAT: { float f; memcpy(&f, p, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, p, 8); return d; }
    case OM_DT_FLOAT16: {
        uint16_t h; memcpy(&h, p, 2);
        int e = (h >> 10) & 31, m = h & 1023;
        /* passes link no libm: scale by powers of two by hand */
        double r = e == 0 ? m : m + 1024;
        for (int k = e == 0 ? -24 : e - 25; k < 0; k++) r *= 0.5;
        for (int k = e - 25; k > 0; k--) r *= 2;
        if (e == 31) r = m ? NAN : INFINITY;
        return (h & 0x8000) ? -r : r;
    }
    case OM_DT_INT64: { int64_t x; memcpy(&x, p, 8); return (double)x; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p, 4); return x; }
    default: return 0;
    }
}

static int64_t const_i(const om_value *v, int64_t i) {
    size_t es = om_dtype_size(v->dtype);
    if (!v->data || es == 0 || (size_t)(i + 1) * es > v->nbytes) return 0;
    const char *p = (const char *)v->data + (size_t)i * es;
    switch (v->dtype) {
    case OM_DT_INT64: { int64_t x; memcpy(&x, p, 8); return x; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p, 4); return x; }
    case OM_DT_UINT8: return (uint8_t)p[0];
    case OM_DT_INT8: return (int8_t)p[0];
    default: return (int64_t)const_f(v, i);
    }
}

static bool str_in(const char *s, const char *const *list) {
    for (; *list; list++)
        if (strcmp(s, *list) == 0) return true;
    return false;
}

/* ---- Resize --------------------------------------------------------------------------- */

om_status om_infer_resize(om_graph *g, om_node *n) {
    om_value *x;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK) return st;
    int r = x->shape.rank;
    if (r < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' is a scalar; Resize needs rank >= 1", x->name);
    static const char *const modes[] = {"nearest", "linear", "cubic", NULL};
    static const char *const ctms[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                       "tf_crop_and_resize", "tf_half_pixel_for_nn", NULL};
    static const char *const nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL};
    const char *mode = om_node_string(n, "mode", "nearest");
    const char *ctm = om_node_string(n, "coordinate_transformation_mode", "half_pixel");
    const char *nm = om_node_string(n, "nearest_mode", "round_prefer_floor");
    if (!str_in(mode, modes))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute mode = '%s', expected nearest, linear or cubic", mode);
    if (!str_in(ctm, ctms))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute coordinate_transformation_mode = '%s' is not supported", ctm);
    if (!str_in(nm, nms))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute nearest_mode = '%s' is not supported", nm);
    if (!om_dtype_is_float(x->dtype) && strcmp(mode, "nearest") != 0)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "mode '%s' needs a float input; input 0 '%s' is %s", mode, x->name,
                              om_dtype_name(x->dtype));
    if (om_dtype_size(x->dtype) == 0)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s", x->name, om_dtype_name(x->dtype));
    om_value *roi = om_node_input(n, 1), *scales = om_node_input(n, 2), *sizes = om_node_input(n, 3);
    if (strcmp(ctm, "tf_crop_and_resize") == 0) {
        if (!roi) return om_infer_error(n, OM_ERR_INVALID_MODEL, "tf_crop_and_resize needs input 1 (roi)");
        /* a run-time roi is read by the kernel; accepted where run-time shape inputs are */
        if (!om_infer_outputs_declared(n) && (st = need_const(n, 1, "sampling region")) != OM_OK) return st;
        if (!om_dtype_is_float(roi->dtype) || om_shape_numel(&roi->shape) != 2 * r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (roi) must hold %d floats", roi->name, 2 * r);
    }
    if (sizes && om_shape_numel(&sizes->shape) == 0) sizes = NULL;
    if (scales && scales->shape.rank >= 0 && om_shape_numel(&scales->shape) == 0) scales = NULL;
    if (!sizes && !scales)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "needs input 2 (scales) or input 3 (sizes)");
    om_value *sv = sizes ? sizes : scales;
    int64_t nv = om_shape_numel(&sv->shape);
    if (sizes && (sizes->dtype != OM_DT_INT64 || (nv >= 0 && nv != r)))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 3 '%s' (sizes) must hold %d int64 values", sizes->name, r);
    if (!sizes && (!om_dtype_is_float(scales->dtype) || (nv >= 0 && nv != r)))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (scales) must hold %d floats", scales->name, r);
    om_shape out = x->shape;
    if (!is_const(sv) && om_infer_outputs_declared(n)) {
        /* run-time sizes/scales: the declared shape, checked by the kernel */
        const om_shape *ys = &n->outputs[0]->shape;
        char b1[128], b2[128];
        if (ys->rank != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "declared output %s has rank %d, X %s has rank %d",
                                  om_infer_shape_str(ys, b1, sizeof b1), ys->rank,
                                  om_infer_shape_str(&x->shape, b2, sizeof b2), r);
        for (int i = 0; i < r; i++)
            if (x->shape.dims[i] == 0 && ys->dims[i] > 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "declared output dim %d is %" PRId64
                                      " but X's dim %d is 0: no %s gives that", i, ys->dims[i], i,
                                      sizes ? "sizes" : "scales");
        return om_infer_set_output(g, n, 0, x->dtype, ys);
    }
    if (sizes) {
        if ((st = need_const(n, 3, "output shape")) != OM_OK) return st;
        for (int i = 0; i < r; i++) {
            int64_t s = const_i(sizes, i);
            if (s < 0 || s > ((int64_t)1 << 40))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "sizes[%d] = %" PRId64 " is out of range", i, s);
            out.dims[i] = s;
            out.syms[i] = NULL;
        }
    } else {
        if ((st = need_const(n, 2, "output shape")) != OM_OK) return st;
        for (int i = 0; i < r; i++) {
            double s = const_f(scales, i);
            if (!(s > 0) || s > 1e6)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "scales[%d] = %g, expected > 0", i, s);
            if (x->shape.dims[i] >= 0) {
                out.dims[i] = (int64_t)(s * (double)x->shape.dims[i]); /* >= 0: truncation is floor */
                out.syms[i] = NULL;
            } else if (s != 1) {
                out.dims[i] = OM_DIM_UNKNOWN;
                out.syms[i] = NULL;
            }
        }
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- ConvTranspose ---------------------------------------------------------------------- */

enum { CT_MAX_SP = OM_MAX_RANK - 2 };

/* INTS attribute of exactly count values (dflt when absent); values below lo refused. */
static om_status ct_ints(const om_node *n, const char *name, int count, int64_t lo, int64_t dflt, int64_t *out) {
    const int64_t *v = NULL;
    int c = om_node_ints(n, name, &v);
    for (int i = 0; i < count; i++) out[i] = dflt;
    if (c < 0) return OM_OK;
    if (c != count)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute %s has %d values, expected %d", name, c, count);
    for (int i = 0; i < count; i++) {
        if (v[i] < lo || v[i] > ((int64_t)1 << 31))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute %s[%d] = %" PRId64 " is out of range", name, i,
                                  v[i]);
        out[i] = v[i];
    }
    return OM_OK;
}

om_status om_infer_conv_transpose(om_graph *g, om_node *n) {
    om_value *x, *w;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &w)) != OM_OK) return st;
    int r = x->shape.rank, k = r - 2;
    if (r < 3 || r > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has rank %d, expected [N,C,D1..Dk] (rank >= 3)",
                              x->name, r);
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    if ((st = om_infer_check_rank(n, 1, r)) != OM_OK) return st;
    if ((st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    int64_t group = om_node_int(n, "group", 1);
    if (group < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute group = %" PRId64 ", expected >= 1", group);
    int64_t C = x->shape.dims[1], Wc = w->shape.dims[0], Mg = w->shape.dims[1];
    if (C >= 0 && Wc >= 0 && C != Wc)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has C=%" PRId64 " but input 1 '%s' has %" PRId64
                              " input channels", x->name, C, w->name, Wc);
    if (C >= 0 && C % group != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "C=%" PRId64 " is not divisible by group %" PRId64, C, group);
    int64_t M = Mg >= 0 ? Mg * group : OM_DIM_UNKNOWN;
    om_value *b = om_node_input(n, 2);
    if (b) {
        if ((st = om_infer_check_rank(n, 2, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
        if (b->shape.dims[0] >= 0 && M >= 0 && b->shape.dims[0] != M)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (bias) has %" PRId64 " elements, expected %" PRId64,
                                  b->name, b->shape.dims[0], M);
    }
    int64_t ks[CT_MAX_SP], S[CT_MAX_SP], D[CT_MAX_SP], P[2 * CT_MAX_SP], OP[CT_MAX_SP], OS[CT_MAX_SP + 2];
    if ((st = ct_ints(n, "kernel_shape", k, 1, -1, ks)) != OM_OK || (st = ct_ints(n, "strides", k, 1, 1, S)) != OM_OK ||
        (st = ct_ints(n, "dilations", k, 1, 1, D)) != OM_OK ||
        (st = ct_ints(n, "output_padding", k, 0, 0, OP)) != OM_OK)
        return st;
    {   /* pads may be negative at the end once canonical (output_padding folded in) */
        const int64_t *pv = NULL;
        int pc = om_node_ints(n, "pads", &pv);
        if (pc >= 0 && pc != 2 * k)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute pads has %d values, expected %d", pc, 2 * k);
        for (int i = 0; i < 2 * k; i++) {
            P[i] = pc < 0 ? 0 : pv[i];
            if (P[i] < -((int64_t)1 << 31) || P[i] > ((int64_t)1 << 31))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute pads[%d] is out of range", i);
        }
    }
    const int64_t *osv = NULL;
    int osc = om_node_ints(n, "output_shape", &osv);
    if (osc >= 0 && osc != k && osc != k + 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute output_shape has %d values, expected %d", osc, k);
    for (int i = 0; i < k && osc >= 0; i++) OS[i] = osv[osc - k + i];
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    bool same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER"), upper = !strcmp(ap, "SAME_UPPER");
    if (!same && strcmp(ap, "NOTSET") && strcmp(ap, "VALID") && ap[0])
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute auto_pad = '%s' is not valid", ap);
    om_shape out = x->shape;
    out.dims[1] = M;
    out.syms[1] = NULL;
    bool resolved = true;
    for (int i = 0; i < k; i++) {
        int64_t wd = w->shape.dims[2 + i];
        if (ks[i] < 0) ks[i] = wd;
        if (ks[i] < 1)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "kernel size of spatial dim %d is unknown", i);
        if (wd >= 0 && wd != ks[i])
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "kernel_shape[%d] = %" PRId64 " but W has %" PRId64, i, ks[i], wd);
        int64_t in = x->shape.dims[2 + i], eff = (ks[i] - 1) * D[i] + 1;
        out.syms[2 + i] = NULL;
        if (in < 0) {
            out.dims[2 + i] = OM_DIM_UNKNOWN;
            resolved = false;
            continue;
        }
        if (in > ((int64_t)1 << 31)) return om_infer_error(n, OM_ERR_UNSUPPORTED, "spatial dim %d is too large", i);
        int64_t full = S[i] * (in - 1) + OP[i] + eff, o;
        if (osc >= 0 || same) {
            o = osc >= 0 ? OS[i] : in * S[i];
            int64_t total = full - o;
            if (total < 0) total = 0;
            P[i] = same && !upper ? total - total / 2 : total / 2; /* SAME_UPPER: odd pad at the end */
            P[k + i] = total - P[i];
            /* an output_shape larger than the full extent is padding at the end */
            if (o > full - total) P[k + i] -= o - (full - total);
        } else {
            if (!strcmp(ap, "VALID")) P[i] = P[k + i] = 0;
            o = full - P[i] - P[k + i];
        }
        if (o < 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "spatial dim %d: output size %" PRId64 " < 0", i, o);
        out.dims[2 + i] = o;
        P[k + i] -= OP[i]; /* fold output_padding into the end pad */
    }
    if (resolved) {
        if ((st = om_node_set_ints(g, n, "kernel_shape", ks, k)) != OM_OK ||
            (st = om_node_set_ints(g, n, "strides", S, k)) != OM_OK ||
            (st = om_node_set_ints(g, n, "dilations", D, k)) != OM_OK ||
            (st = om_node_set_ints(g, n, "pads", P, 2 * k)) != OM_OK)
            return st;
        om_node_remove_attr(n, "auto_pad");
        om_node_remove_attr(n, "output_shape");
        om_node_remove_attr(n, "output_padding");
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- quantization ------------------------------------------------------------------------ */

static bool is_q8(om_dtype dt) { return dt == OM_DT_UINT8 || dt == OM_DT_INT8; }

/* A scale / zero point input i: a scalar (or one element) or, when axis_len >= 0, a 1-D
 * tensor of axis_len elements. */
static om_status check_qparam(const om_node *n, int i, int64_t axis_len) {
    om_value *v = om_node_input(n, i);
    if (!v) return OM_OK;
    int64_t ne = om_shape_numel(&v->shape);
    if (ne == 1 && v->shape.rank <= 1) return OM_OK;
    if (axis_len >= 0 && v->shape.rank == 1 && (v->shape.dims[0] == axis_len || v->shape.dims[0] < 0)) return OM_OK;
    char b[128];
    return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' %s: expected a scalar%s", i, v->name,
                          om_infer_shape_str(&v->shape, b, sizeof(b)), axis_len >= 0 ? " or a 1-D per-axis tensor" : "");
}

om_status om_infer_quant(om_graph *g, om_node *n) {
    om_value *x, *s;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &s)) != OM_OK) return st;
    om_value *zp = om_node_input(n, 2);
    int r = x->shape.rank;
    int64_t axis_len = -1;
    if (om_shape_numel(&s->shape) != 1 || s->shape.rank > 1) {
        int a;
        if ((st = om_infer_axis(n, "axis", om_node_int(n, "axis", 1), r, 0, &a)) != OM_OK) return st;
        axis_len = x->shape.dims[a];
    }
    if ((st = check_qparam(n, 1, axis_len)) != OM_OK || (st = check_qparam(n, 2, axis_len)) != OM_OK) return st;
    if (s->dtype != OM_DT_FLOAT)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 1 '%s' (scale) has dtype %s, expected f32", s->name,
                              om_dtype_name(s->dtype));
    if (n->op == OM_OP_QUANTIZE_LINEAR) {
        if (x->dtype != OM_DT_FLOAT && x->dtype != OM_DT_INT32 && x->dtype != OM_DT_FLOAT16)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected f32, f16 or i32", x->name,
                                  om_dtype_name(x->dtype));
        om_dtype yt = zp ? zp->dtype : OM_DT_UINT8;
        if (!is_q8(yt))
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 2 '%s' (zero point) has dtype %s, expected u8 or i8",
                                  zp->name, om_dtype_name(yt));
        return om_infer_set_output(g, n, 0, yt, &x->shape);
    }
    if (!is_q8(x->dtype) && x->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected u8, i8 or i32", x->name,
                              om_dtype_name(x->dtype));
    if (zp && zp->dtype != x->dtype)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (zero point) has dtype %s, input 0 has %s", zp->name,
                              om_dtype_name(zp->dtype), om_dtype_name(x->dtype));
    return om_infer_set_output(g, n, 0, OM_DT_FLOAT, &x->shape);
}

om_status om_infer_dyn_quant(om_graph *g, om_node *n) {
    om_value *x;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK) return st;
    if (x->dtype != OM_DT_FLOAT)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected f32", x->name,
                              om_dtype_name(x->dtype));
    om_shape sc = om_shape_scalar();
    if ((st = om_infer_set_output(g, n, 0, OM_DT_UINT8, &x->shape)) != OM_OK) return st;
    if (n->n_outputs > 1 && n->outputs[1] && (st = om_infer_set_output(g, n, 1, OM_DT_FLOAT, &sc)) != OM_OK) return st;
    if (n->n_outputs > 2 && n->outputs[2] && (st = om_infer_set_output(g, n, 2, OM_DT_UINT8, &sc)) != OM_OK) return st;
    return OM_OK;
}

/* MatMulInteger(A, B, a_zp?, b_zp?) -> i32; QLinearMatMul(a, a_s, a_zp, b, b_s, b_zp, y_s,
 * y_zp) -> y_zp's dtype. A [..., M, K] and B [..., K, N] (rank >= 2), batch dims broadcast. */
om_status om_infer_qmatmul(om_graph *g, om_node *n) {
    bool ql = n->op == OM_OP_QLINEAR_MATMUL;
    int ai = 0, bi = ql ? 3 : 1;
    om_value *a, *b;
    om_status st;
    if ((st = om_infer_need_input(n, ai, &a)) != OM_OK || (st = om_infer_need_input(n, bi, &b)) != OM_OK) return st;
    if (!is_q8(a->dtype) || !is_q8(b->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "inputs %d '%s' (%s) and %d '%s' (%s) must be u8 or i8", ai, a->name,
                              om_dtype_name(a->dtype), bi, b->name, om_dtype_name(b->dtype));
    if (a->shape.rank < 2 || b->shape.rank < 2)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "1-D operands are not supported (ranks %d and %d)", a->shape.rank,
                              b->shape.rank);
    int ra = a->shape.rank, rb = b->shape.rank;
    int64_t M = a->shape.dims[ra - 2], K = a->shape.dims[ra - 1], Kb = b->shape.dims[rb - 2], N = b->shape.dims[rb - 1];
    if (K >= 0 && Kb >= 0 && K != Kb)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "inner dims do not match: %" PRId64 " vs %" PRId64, K, Kb);
    om_shape ba = a->shape, bb = b->shape, out;
    ba.rank -= 2;
    bb.rank -= 2;
    int bad;
    if (!om_infer_broadcast(&ba, &bb, &out, &bad))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "batch dims do not broadcast (batch axis %d)", bad);
    out.dims[out.rank] = M;
    out.syms[out.rank++] = a->shape.syms[ra - 2];
    out.dims[out.rank] = N;
    out.syms[out.rank++] = b->shape.syms[rb - 1];
    om_dtype yt = OM_DT_INT32;
    if (ql) {
        for (int i = 0; i < 8; i++)
            if (!om_node_input(n, i)) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d is required", i);
        for (int i = 1; i < 8; i++)
            if (i != 3 && (st = check_qparam(n, i, -1)) != OM_OK) return st;
        yt = om_node_input(n, 7)->dtype;
        if (!is_q8(yt)) return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 7 (y_zero_point) must be u8 or i8");
    } else {
        if ((st = check_qparam(n, 2, M)) != OM_OK || (st = check_qparam(n, 3, N)) != OM_OK) return st;
    }
    return om_infer_set_output(g, n, 0, yt, &out);
}

/* ConvInteger(x, w, x_zp?, w_zp?) -> i32; QLinearConv(x, x_s, x_zp, w, w_s, w_zp, y_s, y_zp,
 * B?) -> y_zp's dtype, B i32. The window rule and canonical attributes are Conv's. */
om_status om_infer_qconv(om_graph *g, om_node *n) {
    bool ql = n->op == OM_OP_QLINEAR_CONV;
    int xi = 0, wi = ql ? 3 : 1;
    om_value *x, *w;
    om_status st;
    if ((st = om_infer_need_input(n, xi, &x)) != OM_OK || (st = om_infer_need_input(n, wi, &w)) != OM_OK) return st;
    if (!is_q8(x->dtype) || !is_q8(w->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "x '%s' (%s) and w '%s' (%s) must be u8 or i8", x->name,
                              om_dtype_name(x->dtype), w->name, om_dtype_name(w->dtype));
    int64_t M = w->shape.rank >= 1 ? w->shape.dims[0] : -1;
    om_dtype yt = OM_DT_INT32;
    if (ql) {
        for (int i = 0; i < 8; i++)
            if (!om_node_input(n, i)) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d is required", i);
        if ((st = check_qparam(n, 1, -1)) != OM_OK || (st = check_qparam(n, 2, -1)) != OM_OK ||
            (st = check_qparam(n, 4, M)) != OM_OK || (st = check_qparam(n, 5, M)) != OM_OK ||
            (st = check_qparam(n, 6, -1)) != OM_OK || (st = check_qparam(n, 7, -1)) != OM_OK)
            return st;
        yt = om_node_input(n, 7)->dtype;
        if (!is_q8(yt)) return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 7 (y_zero_point) must be u8 or i8");
        om_value *b = om_node_input(n, 8);
        if (b && b->dtype != OM_DT_INT32)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 8 '%s' (bias) must be i32", b->name);
    } else {
        if ((st = check_qparam(n, 2, -1)) != OM_OK || (st = check_qparam(n, 3, M)) != OM_OK) return st;
    }
    return om_infer_conv_window(g, n, xi, wi, ql ? 8 : -1, yt);
}

/* ---- GridSample ---------------------------------------------------------------------------- */

om_status om_infer_grid_sample(om_graph *g, om_node *n) {
    om_value *x, *grid;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &grid)) != OM_OK) return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK || (st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    if (x->shape.rank != 4 || grid->shape.rank != 4)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "only 4-D X [N,C,H,W] and grid [N,Ho,Wo,2] are supported (ranks %d, %d)",
                              x->shape.rank, grid->shape.rank);
    if (grid->shape.dims[3] >= 0 && grid->shape.dims[3] != 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' must end in 2 (x, y), found %" PRId64, grid->name,
                              grid->shape.dims[3]);
    bool ok = true;
    int64_t N = om_infer_merge_dim(x->shape.dims[0], grid->shape.dims[0], &ok);
    if (!ok) return om_infer_error(n, OM_ERR_INVALID_MODEL, "batch of X and grid differ");
    static const char *const modes[] = {"bilinear", "nearest", "bicubic", NULL};
    static const char *const pads[] = {"zeros", "border", "reflection", NULL};
    const char *mode = om_node_string(n, "mode", "bilinear"), *pm = om_node_string(n, "padding_mode", "zeros");
    if (!str_in(mode, modes)) return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute mode = '%s' is not supported", mode);
    if (!str_in(pm, pads)) return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute padding_mode = '%s' is not supported", pm);
    om_shape out = x->shape;
    out.dims[0] = N;
    out.dims[2] = grid->shape.dims[1];
    out.dims[3] = grid->shape.dims[2];
    out.syms[2] = grid->shape.syms[1];
    out.syms[3] = grid->shape.syms[2];
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- MaxUnpool ------------------------------------------------------------------------------ */

/* MaxUnpool(X, I, output_shape?): Y has output_shape (a constant, or a run-time value when
 * Y's shape is declared) when given, else per spatial dim (in - 1) * stride - pad_begin -
 * pad_end + kernel. I is int64 like X. */
om_status om_infer_max_unpool(om_graph *g, om_node *n) {
    om_value *x, *idx;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &idx)) != OM_OK) return st;
    int r = x->shape.rank, k = r - 2;
    if (r < 3) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' needs rank >= 3", x->name);
    if (idx->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (indices) must be int64", idx->name);
    if (idx->shape.rank != r) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' must have X's rank", idx->name);
    if (om_dtype_size(x->dtype) == 0) return om_infer_error(n, OM_ERR_UNSUPPORTED, "dtype %s", om_dtype_name(x->dtype));
    om_shape out = x->shape;
    om_value *os = om_node_input(n, 2);
    if (os) {
        if (os->dtype != OM_DT_INT64 || om_shape_numel(&os->shape) != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (output_shape) must hold %d int64 values", os->name, r);
        if (!is_const(os) && om_infer_outputs_declared(n)) {
            /* run-time output_shape: the declared shape, whose values the kernel checks */
            const om_shape *ys = &n->outputs[0]->shape;
            if (ys->rank != r)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "declared output has rank %d, expected %d (X's rank)",
                                      ys->rank, r);
            return om_infer_set_output(g, n, 0, x->dtype, ys);
        }
        if ((st = need_const(n, 2, "output shape")) != OM_OK) return st;
        for (int i = 0; i < r; i++) {
            out.dims[i] = const_i(os, i);
            out.syms[i] = NULL;
            if (out.dims[i] < 0 || out.dims[i] > ((int64_t)1 << 40))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "output_shape[%d] = %" PRId64 " is out of range", i, out.dims[i]);
        }
        return om_infer_set_output(g, n, 0, x->dtype, &out);
    }
    int64_t ks[CT_MAX_SP], S[CT_MAX_SP], P[2 * CT_MAX_SP];
    const int64_t *kv = NULL;
    if (om_node_ints(n, "kernel_shape", &kv) != k)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute kernel_shape must have %d values", k);
    if ((st = ct_ints(n, "kernel_shape", k, 1, 1, ks)) != OM_OK || (st = ct_ints(n, "strides", k, 1, 1, S)) != OM_OK ||
        (st = ct_ints(n, "pads", 2 * k, 0, 0, P)) != OM_OK)
        return st;
    for (int i = 0; i < k; i++) {
        int64_t in = x->shape.dims[2 + i];
        out.dims[2 + i] = in < 0 ? OM_DIM_UNKNOWN : (in - 1) * S[i] - P[i] - P[k + i] + ks[i];
        out.syms[2 + i] = NULL;
        if (in >= 0 && out.dims[2 + i] < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "spatial dim %d: output size < 0", i);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- RoiAlign ------------------------------------------------------------------------------- */

om_status om_infer_roi_align(om_graph *g, om_node *n) {
    om_value *x, *rois, *bi;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &rois)) != OM_OK ||
        (st = om_infer_need_input(n, 2, &bi)) != OM_OK)
        return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK || (st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    if (x->shape.rank != 4) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must be 4-D [N,C,H,W]", x->name);
    if (rois->shape.rank != 2 || (rois->shape.dims[1] >= 0 && rois->shape.dims[1] != 4))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' must be [num_rois, 4]", rois->name);
    if (bi->shape.rank != 1 || (bi->dtype != OM_DT_INT64 && bi->dtype != OM_DT_INT32))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' must be a 1-D int64 tensor", bi->name);
    const char *mode = om_node_string(n, "mode", "avg");
    const char *ctm = om_node_string(n, "coordinate_transformation_mode", "half_pixel");
    if (strcmp(mode, "avg") && strcmp(mode, "max"))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute mode = '%s', expected avg or max", mode);
    if (strcmp(ctm, "half_pixel") && strcmp(ctm, "output_half_pixel"))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute coordinate_transformation_mode = '%s'", ctm);
    int64_t oh = om_node_int(n, "output_height", 1), ow = om_node_int(n, "output_width", 1);
    int64_t sr = om_node_int(n, "sampling_ratio", 0);
    if (oh < 1 || ow < 1 || oh > (1 << 20) || ow > (1 << 20) || sr < 0 || sr > (1 << 20))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output_height/output_width/sampling_ratio out of range");
    bool ok = true;
    int64_t R = om_infer_merge_dim(rois->shape.dims[0], bi->shape.dims[0], &ok);
    if (!ok) return om_infer_error(n, OM_ERR_INVALID_MODEL, "rois and batch_indices disagree on the number of rois");
    int64_t dims[4] = {R, x->shape.dims[1], oh, ow};
    om_shape out = om_shape_make(4, dims);
    out.syms[1] = x->shape.syms[1];
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- NonMaxSuppression ------------------------------------------------------------------------ */

typedef struct nms_box { double y1, x1, y2, x2; } nms_box;

static double dmin(double a, double b) { return a < b ? a : b; }
static double dmax(double a, double b) { return a > b ? a : b; }

static nms_box nms_get(const om_value *boxes, int64_t i, bool center) {
    double a = const_f(boxes, 4 * i), b = const_f(boxes, 4 * i + 1), c = const_f(boxes, 4 * i + 2),
           d = const_f(boxes, 4 * i + 3);
    nms_box r;
    if (center) { /* [x_center, y_center, width, height] */
        r.x1 = a - c / 2; r.x2 = a + c / 2; r.y1 = b - d / 2; r.y2 = b + d / 2;
    } else {
        r.y1 = dmin(a, c); r.y2 = dmax(a, c); r.x1 = dmin(b, d); r.x2 = dmax(b, d);
    }
    return r;
}

static bool nms_suppress(nms_box p, nms_box q, double thr) {
    double ap = (p.x2 - p.x1) * (p.y2 - p.y1), aq = (q.x2 - q.x1) * (q.y2 - q.y1);
    if (ap <= 0 || aq <= 0) return false;
    double iw = dmin(p.x2, q.x2) - dmax(p.x1, q.x1), ih = dmin(p.y2, q.y2) - dmax(p.y1, q.y1);
    if (iw <= 0 || ih <= 0) return false;
    double inter = iw * ih, uni = ap + aq - inter;
    return uni > 0 && inter / uni > thr;
}

typedef struct nms_cand { double score; int64_t index; } nms_cand;

static int nms_cmp(const void *a, const void *b) {
    const nms_cand *p = a, *q = b;
    if (p->score != q->score) return p->score > q->score ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

/* Runs NMS on constant inputs; *out (malloc'd, 3 int64 per selected box) and *count. */
static om_status nms_run(const om_node *n, int64_t **out, int64_t *count) {
    const om_value *boxes = om_node_input(n, 0), *scores = om_node_input(n, 1), *mo = om_node_input(n, 2),
                   *iou = om_node_input(n, 3), *st = om_node_input(n, 4);
    int64_t B = boxes->shape.dims[0], S = boxes->shape.dims[1], C = scores->shape.dims[1];
    int64_t maxo = mo && om_shape_numel(&mo->shape) > 0 ? const_i(mo, 0) : 0;
    double thr = iou && om_shape_numel(&iou->shape) > 0 ? const_f(iou, 0) : 0;
    bool has_st = st && om_shape_numel(&st->shape) > 0;
    double sthr = has_st ? const_f(st, 0) : 0;
    bool center = om_node_int(n, "center_point_box", 0) != 0;
    *out = NULL;
    *count = 0;
    if (maxo <= 0 || B * C * S == 0) return OM_OK;
    if (maxo > S) maxo = S;
    nms_cand *cand = malloc(sizeof *cand * (size_t)S);
    int64_t *sel = malloc(sizeof *sel * (size_t)S), *res = malloc(sizeof *res * (size_t)(3 * B * C * maxo + 1));
    if (!cand || !sel || !res) {
        free(cand); free(sel); free(res);
        return om_infer_error(n, OM_ERR_NO_MEMORY, "out of memory");
    }
    int64_t total = 0;
    for (int64_t b = 0; b < B; b++)
        for (int64_t c = 0; c < C; c++) {
            int64_t nc = 0, ns = 0;
            for (int64_t s = 0; s < S; s++) {
                double sc = const_f(scores, (b * C + c) * S + s);
                if (!has_st || sc > sthr) cand[nc++] = (nms_cand){sc, s};
            }
            qsort(cand, (size_t)nc, sizeof *cand, nms_cmp);
            for (int64_t i = 0; i < nc && ns < maxo; i++) {
                nms_box p = nms_get(boxes, b * S + cand[i].index, center);
                bool keep = true;
                for (int64_t j = 0; j < ns && keep; j++)
                    keep = !nms_suppress(nms_get(boxes, b * S + sel[j], center), p, thr);
                if (keep) {
                    sel[ns++] = cand[i].index;
                    res[3 * total] = b;
                    res[3 * total + 1] = c;
                    res[3 * total + 2] = cand[i].index;
                    total++;
                }
            }
        }
    free(cand);
    free(sel);
    *out = res;
    *count = total;
    return OM_OK;
}

/* The result is computed here from constant inputs and stored in the attribute
 * `om_selected` (3 int64 per row) that the kernel copies out. */
om_status om_infer_nms(om_graph *g, om_node *n) {
    om_value *boxes, *scores;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &boxes)) != OM_OK || (st = om_infer_need_input(n, 1, &scores)) != OM_OK) return st;
    if (boxes->dtype != OM_DT_FLOAT || scores->dtype != OM_DT_FLOAT)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "boxes and scores must be f32");
    if (boxes->shape.rank != 3 || scores->shape.rank != 3 || boxes->shape.dims[2] != 4)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "boxes must be [B,S,4] and scores [B,C,S]");
    if (!om_shape_is_static(&boxes->shape) || !om_shape_is_static(&scores->shape) ||
        scores->shape.dims[0] != boxes->shape.dims[0] || scores->shape.dims[2] != boxes->shape.dims[1])
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "boxes [B,S,4] and scores [B,C,S] do not fit");
    static const char *const lim[3] = {"max_output_boxes_per_class", "iou_threshold", "score_threshold"};
    for (int i = 2; i < 5 && i < n->n_inputs; i++) {
        om_value *v = om_node_input(n, i);
        if (v && (om_shape_numel(&v->shape) > 1 || (i == 2 ? v->dtype != OM_DT_INT64 : v->dtype != OM_DT_FLOAT)))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) must be one %s value", i, v->name,
                                  lim[i - 2], i == 2 ? "int64" : "f32");
    }
    for (int i = 0; i < n->n_inputs; i++) {
        om_value *v = om_node_input(n, i);
        if (!v || is_const(v)) continue;
        if (!om_infer_outputs_declared(n))
            return om_infer_error(n, OM_ERR_UNSUPPORTED,
                                  "data-dependent output shape: input %d ('%s') is not a compile-time constant and the "
                                  "model does not declare the output's shape", i, v->name);
        /* selected at run time by the kernel, which checks the count against the declared shape */
        const om_shape *ys = &n->outputs[0]->shape;
        char b1[128];
        if (ys->rank != 2 || ys->dims[1] != 3)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "declared output %s, expected [num_selected, 3]",
                                  om_infer_shape_str(ys, b1, sizeof b1));
        (void)om_node_remove_attr(n, "om_selected");
        return om_infer_set_output(g, n, 0, OM_DT_INT64, ys);
    }
    int64_t *res, count;
    if ((st = nms_run(n, &res, &count)) != OM_OK) return st;
    if (count > (1 << 24)) {
        free(res);
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "too many selected boxes");
    }
    st = om_node_set_ints(g, n, "om_selected", res ? res : (int64_t[1]){0}, (int)(3 * count));
    free(res);
    if (st != OM_OK) return st;
    int64_t dims[2] = {count, 3};
    om_shape out = om_shape_make(2, dims);
    return om_infer_set_output(g, n, 0, OM_DT_INT64, &out);
}
