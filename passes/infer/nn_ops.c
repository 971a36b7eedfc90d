/* Shape rules of the nn group (ir/ops/nn.def): Resize, ConvTranspose, GridSample, the
 * quantization ops (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
 * QLinearMatMul, ConvInteger, QLinearConv), MaxUnpool, RoiAlign, NonMaxSuppression.
 *
 * Resize: X of any rank; sizes (input 3, int64, one per axis) if present and non-empty give
 * the output shape, else scales (input 2, float, one per axis) give floor(in * scale).
 * Either must be a compile-time constant (it determines the output shape); so must roi
 * (input 1) for tf_crop_and_resize. Modes and attributes are validated here so codegen only
 * reads them.
 * ConvTranspose: canonicalized like Conv (see conv_pool.c): kernel_shape, strides,
 * dilations, pads and output_padding explicit; auto_pad and output_shape removed.
 * NonMaxSuppression: data-dependent output; computed here (and in the kernel) when boxes
 * and scores and the optional limits are constants, otherwise OM_ERR_UNSUPPORTED.
 */
#include "passes/infer/infer.h"

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
        double r = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
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
        if ((st = need_const(n, 1, "sampling region")) != OM_OK) return st;
        if (!om_dtype_is_float(roi->dtype) || om_shape_numel(&roi->shape) != 2 * r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (roi) must hold %d floats", roi->name, 2 * r);
    }
    if (sizes && om_shape_numel(&sizes->shape) == 0) sizes = NULL;
    if (scales && scales->shape.rank >= 0 && om_shape_numel(&scales->shape) == 0) scales = NULL;
    om_shape out = x->shape;
    if (sizes) {
        if ((st = need_const(n, 3, "output shape")) != OM_OK) return st;
        if (sizes->dtype != OM_DT_INT64 || om_shape_numel(&sizes->shape) != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 3 '%s' (sizes) must hold %d int64 values", sizes->name, r);
        for (int i = 0; i < r; i++) {
            int64_t s = const_i(sizes, i);
            if (s < 0 || s > ((int64_t)1 << 40))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "sizes[%d] = %" PRId64 " is out of range", i, s);
            out.dims[i] = s;
            out.syms[i] = NULL;
        }
    } else if (scales) {
        if ((st = need_const(n, 2, "output shape")) != OM_OK) return st;
        if (!om_dtype_is_float(scales->dtype) || om_shape_numel(&scales->shape) != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (scales) must hold %d floats", scales->name, r);
        for (int i = 0; i < r; i++) {
            double s = const_f(scales, i);
            if (!(s > 0) || s > 1e6)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "scales[%d] = %g, expected > 0", i, s);
            if (x->shape.dims[i] >= 0) {
                out.dims[i] = (int64_t)floor(s * (double)x->shape.dims[i]);
                out.syms[i] = NULL;
            } else if (s != 1) {
                out.dims[i] = OM_DIM_UNKNOWN;
                out.syms[i] = NULL;
            }
        }
    } else {
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "needs input 2 (scales) or input 3 (sizes)");
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}
