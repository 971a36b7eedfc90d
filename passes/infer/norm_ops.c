/* Shape rules of the norm op group (ir/ops/norm.def) beyond Softmax/BatchNormalization:
 *
 * moments_norm  LayerNormalization(X, Scale, B?) -> Y, Mean?, InvStdDev?: axis (default
 *               -1) is normalized and written back; Scale and B have X's dtype and are
 *               unidirectionally broadcastable to X.shape[axis:]; Y has X's type; Mean and
 *               InvStdDev have dtype stash_type (default 1 = float) and shape
 *               X.shape[:axis] followed by ones.
 *               InstanceNormalization(X, scale, B): X [N,C,...] rank >= 2, scale and B [C].
 *               MeanVarianceNormalization(X): axes (default [0,2,3]) are normalized, must be
 *               distinct, and are written back sorted.
 * lrn           LRN(X): X [N,C,...] rank >= 2; size >= 1 required; output is X's type.
 * loss          NegativeLogLikelihoodLoss(input, target, weight?) and
 *               SoftmaxCrossEntropyLoss(scores, labels, weights?) -> loss, log_prob?:
 *               input [N,C,d1..dk] float; target [N,d1..dk] int32/int64; weight [C] of the
 *               input's dtype; reduction none|sum|mean (default mean; written back); loss is
 *               target-shaped for none, a scalar otherwise; log_prob has the input's type.
 * Every rule requires floating inputs (every case of the suite is float32; the kernels
 * take f32, f64, f16 and bf16).
 */
#include "passes/infer/infer.h"

#include <inttypes.h>
#include <string.h>

/* Errors unless input i (when present) has X's dtype and a shape unidirectionally
 * broadcastable to dims[from, rank) of x. */
static om_status check_broadcast_to_tail(const om_node *n, int i, const om_value *x, int from) {
    om_value *p = om_node_input(n, i);
    if (!p) return OM_OK;
    om_status st = om_infer_check_same_dtype(n, i, 0);
    if (st != OM_OK) return st;
    int tail = x->shape.rank - from;
    bool ok = p->shape.rank <= tail;
    for (int d = 0; ok && d < p->shape.rank; d++) {
        int64_t pd = p->shape.dims[d], xd = x->shape.dims[from + tail - p->shape.rank + d];
        if (pd >= 0 && xd >= 0 && pd != xd && pd != 1) ok = false;
    }
    if (!ok) {
        char b1[128], b2[128];
        om_shape t = om_shape_make(tail, x->shape.dims + from);
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' %s does not broadcast to the normalized shape %s",
                              i, p->name, om_infer_shape_str(&p->shape, b1, sizeof(b1)),
                              om_infer_shape_str(&t, b2, sizeof(b2)));
    }
    return OM_OK;
}

static om_status infer_layer_norm(om_graph *g, om_node *n, om_value *x) {
    om_status st;
    int r = x->shape.rank, axis;
    if (r < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' is a scalar; expected rank >= 1", x->name);
    if ((st = om_infer_axis(n, "axis", om_node_int(n, "axis", -1), r, 0, &axis)) != OM_OK) return st;
    if ((st = om_node_set_int(g, n, "axis", axis)) != OM_OK) return st;
    if (!om_node_input(n, 1)) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (Scale) is missing");
    for (int i = 1; i < 3; i++)
        if ((st = check_broadcast_to_tail(n, i, x, axis)) != OM_OK) return st;
    int64_t stash = om_node_int(n, "stash_type", 1);
    om_dtype sdt = (om_dtype)stash;
    if (stash < 0 || stash > 16 || !om_dtype_is_float(sdt))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "stash_type=%" PRId64 " is not a floating dtype", stash);
    om_shape ms = x->shape;
    for (int d = axis; d < r; d++) {
        ms.dims[d] = 1;
        ms.syms[d] = NULL;
    }
    if ((st = om_infer_set_output(g, n, 0, x->dtype, &x->shape)) != OM_OK) return st;
    for (int o = 1; o < n->n_outputs; o++)
        if ((st = om_infer_set_output(g, n, o, sdt, &ms)) != OM_OK) return st;
    return OM_OK;
}

static om_status infer_instance_norm(om_graph *g, om_node *n, om_value *x) {
    om_status st;
    if (x->shape.rank < 2) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s: expected [N,C,...] with rank >= 2", x->name,
                              om_infer_shape_str(&x->shape, b, sizeof(b)));
    }
    int64_t C = x->shape.dims[1];
    static const char *const names[] = {"", "scale", "B"};
    for (int i = 1; i < 3; i++) {
        if ((st = om_infer_check_rank(n, i, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
        om_value *p = om_node_input(n, i);
        if (C >= 0 && p->shape.dims[0] >= 0 && p->shape.dims[0] != C)
            return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                  "input %d '%s' (%s) has %" PRId64 " elements, expected C=%" PRId64
                                  " (dim 1 of input 0 '%s')",
                                  i, p->name, names[i], p->shape.dims[0], C, x->name);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

static om_status infer_mvn(om_graph *g, om_node *n, om_value *x) {
    om_status st;
    int r = x->shape.rank;
    static const int64_t dflt[3] = {0, 2, 3};
    const int64_t *axes = dflt;
    int count = om_node_ints(n, "axes", &axes);
    if (count < 0) {
        axes = dflt;
        count = 3;
    }
    if (count > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute axes has %d values, more than the rank %d", count, r);
    bool seen[OM_MAX_RANK] = {false};
    int64_t norm[OM_MAX_RANK];
    for (int i = 0; i < count; i++) {
        int a;
        if ((st = om_infer_axis(n, "axes", axes[i], r, 0, &a)) != OM_OK) return st;
        if (seen[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute axes names axis %d twice", a);
        seen[a] = true;
    }
    int k = 0;
    for (int a = 0; a < r; a++)
        if (seen[a]) norm[k++] = a;
    if ((st = om_node_set_ints(g, n, "axes", norm, k)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

om_status om_infer_moments_norm(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    switch (n->op) {
    case OM_OP_LAYER_NORMALIZATION: return infer_layer_norm(g, n, x);
    case OM_OP_INSTANCE_NORMALIZATION: return infer_instance_norm(g, n, x);
    case OM_OP_MEAN_VARIANCE_NORMALIZATION: return infer_mvn(g, n, x);
    default: return om_infer_error(n, OM_ERR_INTERNAL, "not an op of the moments_norm family");
    }
}

om_status om_infer_lrn(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    if (x->shape.rank < 2) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s: expected [N,C,...] with rank >= 2", x->name,
                              om_infer_shape_str(&x->shape, b, sizeof(b)));
    }
    const om_attr *size = om_node_attr(n, "size");
    if (!size || size->kind != OM_ATTR_INT)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the integer attribute 'size' is required");
    if (size->i < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute size=%" PRId64 ", expected >= 1", size->i);
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

om_status om_infer_loss(om_graph *g, om_node *n) {
    om_value *x, *t;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &t)) != OM_OK) return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    int r = x->shape.rank;
    char b1[128], b2[128];
    if (r < 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s: expected [N,C,d1,...] with rank >= 2",
                              x->name, om_infer_shape_str(&x->shape, b1, sizeof(b1)));
    if (t->dtype != OM_DT_INT64 && t->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' has dtype %s, expected i32 or i64", t->name,
                              om_dtype_name(t->dtype));
    bool ok = t->shape.rank == r - 1;
    for (int d = 0; ok && d < r - 1; d++) {
        int64_t xd = x->shape.dims[d == 0 ? 0 : d + 1], td = t->shape.dims[d];
        if (xd >= 0 && td >= 0 && xd != td) ok = false;
    }
    if (!ok)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' %s: expected the shape of input 0 '%s' %s without dim 1",
                              t->name, om_infer_shape_str(&t->shape, b1, sizeof(b1)), x->name,
                              om_infer_shape_str(&x->shape, b2, sizeof(b2)));
    om_value *w = om_node_input(n, 2);
    if (w) {
        if ((st = om_infer_check_rank(n, 2, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
        int64_t C = x->shape.dims[1];
        if (C >= 0 && w->shape.dims[0] >= 0 && w->shape.dims[0] != C)
            return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                  "input 2 '%s' has %" PRId64 " elements, expected C=%" PRId64 " (dim 1 of input 0 '%s')",
                                  w->name, w->shape.dims[0], C, x->name);
    }
    const char *red = om_node_string(n, "reduction", "mean");
    bool none = strcmp(red, "none") == 0;
    if (!none && strcmp(red, "sum") != 0 && strcmp(red, "mean") != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute reduction='%s', expected none, sum or mean", red);
    if (!om_node_attr(n, "reduction") && (st = om_node_set_string(g, n, "reduction", red)) != OM_OK) return st;
    if (n->op == OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS && n->n_outputs > 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "has %d outputs, expected 1", n->n_outputs);
    om_shape scalar = om_shape_scalar();
    if ((st = om_infer_set_output(g, n, 0, x->dtype, none ? &t->shape : &scalar)) != OM_OK) return st;
    if (n->n_outputs > 1 && (st = om_infer_set_output(g, n, 1, x->dtype, &x->shape)) != OM_OK) return st;
    return OM_OK;
}
