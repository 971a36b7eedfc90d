/* Shape rules for BatchNormalization and the softmax family (Softmax,
 * LogSoftmax, Hardmax: one rule, the family `softmax` of ir/ops.def).
 *
 * BatchNormalization: X [N,C,...] (rank >= 2); scale, B, mean and var are [C] with X's
 * dtype. Output 0 is X's type. With training_mode = 0 there is one output; with
 * training_mode = 1 (batch statistics) optional outputs 1 and 2 (running_mean, running_var)
 * are [C] of X's dtype.
 * Softmax: axis may be negative. With coerce_2d = 1 (the frontend's marker for the
 * opset < 13 form) dims [axis, rank) form one block and axis defaults to 1; otherwise it
 * defaults to -1; an absent axis is written explicitly (so codegen needs no default).
 * Either way the output has the input's type.
 */
#include "passes/infer/infer.h"

#include <inttypes.h>

om_status om_infer_batch_norm(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (x->shape.rank < 2) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s: expected [N,C,...] with rank >= 2", x->name,
                              om_infer_shape_str(&x->shape, b, sizeof(b)));
    }
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    int64_t training = om_node_int(n, "training_mode", 0);
    if (training != 0 && training != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute training_mode = %" PRId64 ", expected 0 or 1", training);
    if (!training && n->n_outputs > 1)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "%d outputs with training_mode = 0 (inference has one)",
                              n->n_outputs);
    static const char *const names[] = {"", "scale", "B", "mean", "var"};
    int64_t C = x->shape.dims[1];
    for (int i = 1; i < 5; i++) {
        if ((st = om_infer_check_rank(n, i, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
        om_value *p = om_node_input(n, i);
        if (C >= 0 && p->shape.dims[0] >= 0 && p->shape.dims[0] != C)
            return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                  "input %d '%s' (%s) has %" PRId64 " elements, expected C=%" PRId64 " (dim 1 of input 0 '%s')",
                                  i, p->name, names[i], p->shape.dims[0], C, x->name);
    }
    om_shape cs = om_shape_make(1, &C);
    for (int o = 1; o < n->n_outputs; o++)
        if ((st = om_infer_set_output(g, n, o, x->dtype, &cs)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

om_status om_infer_softmax(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    if (x->shape.rank < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' is a scalar; %s needs rank >= 1", x->name,
                              om_op_name(n->op));
    int64_t coerce = om_node_int(n, "coerce_2d", 0);
    if (coerce != 0 && coerce != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute coerce_2d = %" PRId64 ", expected 0 or 1", coerce);
    int axis;
    int64_t dflt = coerce ? 1 : -1;
    if ((st = om_infer_axis(n, "axis", om_node_int(n, "axis", dflt), x->shape.rank, 0, &axis)) != OM_OK)
        return st;
    if (!om_node_attr(n, "axis") && (st = om_node_set_int(g, n, "axis", dflt)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}
