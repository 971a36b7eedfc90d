/* Shape rules for Conv, MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool.
 *
 * A window op reads X [N,C,D1..Dk] (k = 1, 2 or 3 spatial dims) and the attributes
 * kernel_shape, strides (>= 1), dilations (>= 1), pads (begin_1..begin_k, end_1..end_k,
 * >= 0) and auto_pad. Per spatial dim, with eff = (kernel - 1) * dilation + 1:
 *   NOTSET:  out = floor((in + pb + pe - eff) / stride) + 1   (ceil with ceil_mode; a last
 *            window that would start inside the end padding only is dropped, as in ONNX
 *            >= 1.16 and PyTorch: if (out - 1) * stride >= in + pb then out -= 1)
 *   VALID:   pads 0, out = floor((in - eff) / stride) + 1
 *   SAME_*:  out = ceil(in / stride), total = max(0, (out - 1) * stride + eff - in);
 *            SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning.
 * Invariant after a successful rule (canonical form): kernel_shape, strides, pads (and
 * dilations for Conv and MaxPool) are set explicitly and auto_pad is removed, so codegen
 * never recomputes padding; with auto_pad resolved, ceil_mode is set to 0 (the explicit
 * pads then give the same output size with floor). If a SAME_* op has a dynamic spatial
 * dim the pads cannot be computed: auto_pad stays and that output dim is unknown.
 * Conv: W is [M, C/group, k1..kk], B is [M], C and M divisible by group. MaxPool's
 * optional second output (Indices) is int64 with Y's shape. Global pools give [N,C,1..1].
 */
#include "passes/infer/infer.h"
#include "passes/infer/nn_conv.h"

#include <inttypes.h>
#include <string.h>

enum { MAX_SPATIAL = 3 };

/* Bounds that keep every size computation below far from int64 overflow. */
#define MAX_WINDOW_ATTR ((int64_t)1 << 31) /* kernel, stride, dilation, pad */
#define MAX_SPATIAL_DIM ((int64_t)1 << 40)

typedef struct window {
    int k;
    int64_t kernel[MAX_SPATIAL], strides[MAX_SPATIAL], dilations[MAX_SPATIAL], pads[2 * MAX_SPATIAL];
    bool resolved; /* pads are explicit (auto_pad can be dropped) */
    int64_t ceil_mode;
} window;

typedef enum auto_pad { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID } auto_pad;

/* Reads an INTS attribute of exactly `count` values >= lo into out (dflt when absent). */
static om_status read_ints(const om_node *n, const char *name, int count, int64_t lo, int64_t dflt, int64_t *out) {
    const int64_t *v = NULL;
    int c = om_node_ints(n, name, &v);
    if (c < 0) {
        for (int i = 0; i < count; i++) out[i] = dflt;
        return OM_OK;
    }
    if (c != count)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute %s has %d values, expected %d", name, c, count);
    for (int i = 0; i < count; i++) {
        if (v[i] < lo)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute %s[%d] = %" PRId64 ", expected >= %" PRId64,
                                  name, i, v[i], lo);
        if (v[i] > MAX_WINDOW_ATTR)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute %s[%d] = %" PRId64 " is too large", name, i, v[i]);
        out[i] = v[i];
    }
    return OM_OK;
}

static om_status read_auto_pad(const om_node *n, auto_pad *out) {
    const char *s = om_node_string(n, "auto_pad", "NOTSET");
    if (!s[0] || strcmp(s, "NOTSET") == 0) *out = PAD_NOTSET;
    else if (strcmp(s, "SAME_UPPER") == 0) *out = PAD_SAME_UPPER;
    else if (strcmp(s, "SAME_LOWER") == 0) *out = PAD_SAME_LOWER;
    else if (strcmp(s, "VALID") == 0) *out = PAD_VALID;
    else
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "attribute auto_pad = '%s', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID", s);
    return OM_OK;
}

/* Computes the spatial output dims of a window op into out->dims[2..] and fills w.
 * `kernel` holds the kernel size (already validated). */
static om_status window_shape(const om_node *n, const om_shape *x, window *w, bool has_ceil, bool has_dil,
                              om_shape *out) {
    int k = w->k;
    om_status st;
    auto_pad ap;
    if ((st = read_auto_pad(n, &ap)) != OM_OK) return st;
    if ((st = read_ints(n, "strides", k, 1, 1, w->strides)) != OM_OK) return st;
    if (has_dil) {
        if ((st = read_ints(n, "dilations", k, 1, 1, w->dilations)) != OM_OK) return st;
    } else {
        for (int i = 0; i < k; i++) w->dilations[i] = 1;
        const int64_t *dv = NULL;
        int dc = om_node_ints(n, "dilations", &dv);
        for (int i = 0; i < dc; i++)
            if (dv[i] != 1)
                return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute dilations[%d] = %" PRId64 " is not supported",
                                      i, dv[i]);
    }
    if ((st = read_ints(n, "pads", 2 * k, 0, 0, w->pads)) != OM_OK) return st;
    w->ceil_mode = has_ceil ? om_node_int(n, "ceil_mode", 0) : 0;
    if (w->ceil_mode != 0 && w->ceil_mode != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute ceil_mode = %" PRId64 ", expected 0 or 1",
                              w->ceil_mode);
    w->resolved = true;
    for (int i = 0; i < k; i++) {
        int64_t in = x->dims[2 + i], s = w->strides[i];
        int64_t eff = (w->kernel[i] - 1) * w->dilations[i] + 1;
        int64_t o = OM_DIM_UNKNOWN;
        if (in > MAX_SPATIAL_DIM)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "spatial dim %d of input 0 is too large (%" PRId64 ")", i, in);
        if (ap == PAD_VALID) {
            w->pads[i] = w->pads[k + i] = 0;
        } else if (ap != PAD_NOTSET) {
            if (in < 0) {
                w->resolved = false;
                out->dims[2 + i] = OM_DIM_UNKNOWN;
                continue;
            }
            o = (in + s - 1) / s;
            int64_t total = (o - 1) * s + eff - in;
            if (total < 0) total = 0;
            int64_t small = total / 2, big = total - small;
            w->pads[i] = ap == PAD_SAME_UPPER ? small : big;
            w->pads[k + i] = ap == PAD_SAME_UPPER ? big : small;
        }
        if (in >= 0) {
            int64_t span = in + w->pads[i] + w->pads[k + i] - eff;
            if (span < 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "spatial dim %d: input size %" PRId64 " with pads %" PRId64 "+%" PRId64
                                      " is smaller than the dilated kernel %" PRId64,
                                      i, in, w->pads[i], w->pads[k + i], eff);
            if (ap == PAD_NOTSET && w->ceil_mode) {
                o = (span + s - 1) / s + 1;
                if ((o - 1) * s >= in + w->pads[i]) o--;
            } else {
                o = span / s + 1;
            }
        }
        out->dims[2 + i] = o;
        out->syms[2 + i] = NULL;
    }
    if (ap != PAD_NOTSET && w->resolved) w->ceil_mode = 0;
    return OM_OK;
}

/* Sets an INTS attribute unless it already holds exactly these values (so that a second
 * run of the pass leaves the node untouched). */
static om_status set_ints(om_graph *g, om_node *n, const char *name, const int64_t *v, int count) {
    const om_attr *a = om_node_attr(n, name);
    if (a && a->kind == OM_ATTR_INTS && a->count == count &&
        (count == 0 || memcmp(a->ints, v, (size_t)count * sizeof(*v)) == 0))
        return OM_OK;
    return om_node_set_ints(g, n, name, v, count);
}

/* Rewrites the attributes into the explicit form (see the file comment). */
static om_status canonicalize(om_graph *g, om_node *n, const window *w, bool has_ceil, bool has_dil) {
    om_status st;
    int k = w->k;
    if ((st = set_ints(g, n, "kernel_shape", w->kernel, k)) != OM_OK) return st;
    if ((st = set_ints(g, n, "strides", w->strides, k)) != OM_OK) return st;
    if (has_dil && (st = set_ints(g, n, "dilations", w->dilations, k)) != OM_OK) return st;
    if (!w->resolved) return OM_OK;
    if ((st = set_ints(g, n, "pads", w->pads, 2 * k)) != OM_OK) return st;
    const om_attr *cm = om_node_attr(n, "ceil_mode");
    if (has_ceil && cm && (cm->kind != OM_ATTR_INT || cm->i != w->ceil_mode) &&
        (st = om_node_set_int(g, n, "ceil_mode", w->ceil_mode)) != OM_OK)
        return st;
    if (om_node_attr(n, "auto_pad")) om_node_remove_attr(n, "auto_pad");
    return OM_OK;
}

/* Checks X: rank 3..5 (k = 1..3 spatial dims). */
static om_status check_x(const om_node *n, om_value **x, int *k) {
    om_status st = om_infer_need_input(n, 0, x);
    if (st != OM_OK) return st;
    int r = (*x)->shape.rank;
    if (r < 3 || r > 2 + MAX_SPATIAL) {
        char b[128];
        return om_infer_error(n, r < 3 ? OM_ERR_INVALID_MODEL : OM_ERR_UNSUPPORTED,
                              "input 0 '%s' %s: expected [N,C,D1..Dk] with k = 1, 2 or 3 spatial dims", (*x)->name,
                              om_infer_shape_str(&(*x)->shape, b, sizeof(b)));
    }
    *k = r - 2;
    return OM_OK;
}

/* The Conv rule over X = input xi, W = input wi, the bias (if bi >= 0) = input bi; the
 * output has dtype out_dt (X's when OM_DT_UNDEFINED). Shared with ConvInteger and
 * QLinearConv (passes/infer/nn_conv.h), which check their dtypes themselves. */
static om_status conv_rule(om_graph *g, om_node *n, int xi, int wi, int bi, om_dtype out_dt) {
    om_value *x, *w;
    int k;
    om_status st;
    if ((st = om_infer_need_input(n, xi, &x)) != OM_OK) return st;
    int xr = x->shape.rank;
    if (xr < 3 || xr > 2 + MAX_SPATIAL) {
        char b[128];
        return om_infer_error(n, xr < 3 ? OM_ERR_INVALID_MODEL : OM_ERR_UNSUPPORTED,
                              "input %d '%s' %s: expected [N,C,D1..Dk] with k = 1, 2 or 3 spatial dims", xi, x->name,
                              om_infer_shape_str(&x->shape, b, sizeof(b)));
    }
    k = xr - 2;
    bool plain = out_dt == OM_DT_UNDEFINED;
    if (plain) {
        if ((st = om_infer_check_float(n, xi)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, wi, xi)) != OM_OK) return st;
        out_dt = x->dtype;
    }
    if ((st = om_infer_check_rank(n, wi, k + 2)) != OM_OK) return st;
    w = om_node_input(n, wi);
    int64_t group = om_node_int(n, "group", 1);
    if (group < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute group = %" PRId64 ", expected >= 1", group);
    int64_t C = x->shape.dims[1], M = w->shape.dims[0], Cg = w->shape.dims[1];
    if (C >= 0 && C % group != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has %" PRId64 " channels, not divisible by group %" PRId64,
                              x->name, C, group);
    if (M >= 0 && M % group != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "input 1 '%s' has %" PRId64 " output channels, not divisible by group %" PRId64, w->name, M,
                              group);
    if (C >= 0 && Cg >= 0 && Cg * group != C) {
        char b1[128], b2[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "channel mismatch: input 0 '%s' %s has C=%" PRId64 " but input 1 '%s' %s expects C/group=%" PRId64
                              " with group %" PRId64 " (C=%" PRId64 ")",
                              x->name, om_infer_shape_str(&x->shape, b1, sizeof(b1)), C, w->name,
                              om_infer_shape_str(&w->shape, b2, sizeof(b2)), Cg, group, Cg * group);
    }
    om_value *b = bi >= 0 ? om_node_input(n, bi) : NULL;
    if (b) {
        if ((st = om_infer_check_rank(n, bi, 1)) != OM_OK) return st;
        if (plain && (st = om_infer_check_same_dtype(n, bi, xi)) != OM_OK) return st;
        if (b->shape.dims[0] >= 0 && M >= 0 && b->shape.dims[0] != M)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (bias) has %" PRId64 " elements, expected M=%" PRId64,
                                  b->name, b->shape.dims[0], M);
    }
    window win = {.k = k};
    const int64_t *ks = NULL;
    int kc = om_node_ints(n, "kernel_shape", &ks);
    if (kc >= 0 && kc != k)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute kernel_shape has %d values, expected %d", kc, k);
    for (int i = 0; i < k; i++) {
        int64_t wd = w->shape.dims[2 + i];
        if (kc >= 0 && wd >= 0 && ks[i] != wd)
            return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                  "attribute kernel_shape[%d] = %" PRId64 " but input 1 '%s' has kernel size %" PRId64, i,
                                  ks[i], w->name, wd);
        win.kernel[i] = kc >= 0 ? ks[i] : wd;
        if (win.kernel[i] > MAX_WINDOW_ATTR)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "kernel size of spatial dim %d is too large", i);
        if (kc >= 0 && ks[i] < 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute kernel_shape[%d] = %" PRId64 ", expected >= 1", i,
                                  ks[i]);
        if (win.kernel[i] < 1)
            return om_infer_error(n, win.kernel[i] < 0 ? OM_ERR_UNSUPPORTED : OM_ERR_INVALID_MODEL,
                                  "kernel size of spatial dim %d is %s", i, win.kernel[i] < 0 ? "unknown" : "0");
    }
    om_shape out = x->shape;
    out.dims[1] = M;
    out.syms[1] = M < 0 ? w->shape.syms[0] : NULL;
    if ((st = window_shape(n, &x->shape, &win, false, true, &out)) != OM_OK) return st;
    if ((st = canonicalize(g, n, &win, false, true)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, out_dt, &out);
}

om_status om_infer_conv(om_graph *g, om_node *n) { return conv_rule(g, n, 0, 1, 2, OM_DT_UNDEFINED); }

om_status om_infer_conv_window(om_graph *g, om_node *n, int xi, int wi, int bi, om_dtype out_dt) {
    return conv_rule(g, n, xi, wi, bi, out_dt);
}

om_status om_infer_pool(om_graph *g, om_node *n) {
    om_value *x;
    int k;
    om_status st;
    if ((st = check_x(n, &x, &k)) != OM_OK) return st;
    bool is_max = n->op == OM_OP_MAX_POOL;
    if (n->op == OM_OP_LP_POOL && om_node_int(n, "p", 2) < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute p = %" PRId64 ", expected >= 1", om_node_int(n, "p", 2));
    if (is_max) {
        if (!om_dtype_is_float(x->dtype) && x->dtype != OM_DT_INT8 && x->dtype != OM_DT_UINT8)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a float, int8 or uint8",
                                  x->name, om_dtype_name(x->dtype));
        int64_t so = om_node_int(n, "storage_order", 0);
        if (so != 0 && so != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute storage_order = %" PRId64 ", expected 0 or 1", so);
    } else {
        if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
        int64_t cip = om_node_int(n, "count_include_pad", 0);
        if (cip != 0 && cip != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute count_include_pad = %" PRId64 ", expected 0 or 1",
                                  cip);
    }
    window win = {.k = k};
    const int64_t *ks = NULL;
    int kc = om_node_ints(n, "kernel_shape", &ks);
    if (kc < 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute kernel_shape is required");
    if ((st = read_ints(n, "kernel_shape", k, 1, 1, win.kernel)) != OM_OK) return st;
    om_shape out = x->shape;
    if ((st = window_shape(n, &x->shape, &win, true, is_max, &out)) != OM_OK) return st;
    if ((st = canonicalize(g, n, &win, true, is_max)) != OM_OK) return st;
    if ((st = om_infer_set_output(g, n, 0, x->dtype, &out)) != OM_OK) return st;
    if (n->n_outputs > 1 && n->outputs[1]) return om_infer_set_output(g, n, 1, OM_DT_INT64, &out);
    return OM_OK;
}

om_status om_infer_global_pool(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (x->shape.rank < 3) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s: expected [N,C,D1..Dk] with k >= 1", x->name,
                              om_infer_shape_str(&x->shape, b, sizeof(b)));
    }
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    om_shape out = x->shape;
    for (int i = 2; i < out.rank; i++) {
        out.dims[i] = 1;
        out.syms[i] = NULL;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}
