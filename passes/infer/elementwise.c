/* Shape rules for elementwise ops: binary (Add, Sub, Mul, Div) with numpy
 * multidirectional broadcasting and equal dtypes; unary (Relu, Sigmoid, Tanh, Identity)
 * whose output is the input's type; Clip(x, min?, max?) whose bounds are scalars (rank 0
 * or shape [1]) of x's dtype. Output syms follow the input dims they come from.
 */
#include "passes/infer/infer.h"

static bool is_numeric(om_dtype dt) {
    return om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

om_status om_infer_binary(om_graph *g, om_node *n) {
    om_value *a, *b;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &a)) != OM_OK || (st = om_infer_need_input(n, 1, &b)) != OM_OK) return st;
    if (!is_numeric(a->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", a->name,
                              om_dtype_name(a->dtype));
    if ((st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    om_shape out;
    int bad = 0;
    if (!om_infer_broadcast(&a->shape, &b->shape, &out, &bad)) {
        char b1[128], b2[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "inputs 0 '%s' %s and 1 '%s' %s are not broadcast-compatible (output axis %d)", a->name,
                              om_infer_shape_str(&a->shape, b1, sizeof(b1)), b->name,
                              om_infer_shape_str(&b->shape, b2, sizeof(b2)), bad);
    }
    return om_infer_set_output(g, n, 0, a->dtype, &out);
}

om_status om_infer_unary(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    switch (n->op) {
    case OM_OP_SIGMOID:
    case OM_OP_TANH:
        if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
        break;
    case OM_OP_RELU:
        if (!om_dtype_is_float(x->dtype) && !om_dtype_is_signed_int(x->dtype))
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a float or signed int",
                                  x->name, om_dtype_name(x->dtype));
        break;
    default:
        break;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

om_status om_infer_clip(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (!is_numeric(x->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", x->name,
                              om_dtype_name(x->dtype));
    for (int i = 1; i < 3; i++) {
        om_value *b = om_node_input(n, i);
        if (!b) continue;
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
        bool scalar = b->shape.rank == 0 || (b->shape.rank == 1 && (b->shape.dims[0] == 1 || b->shape.dims[0] < 0));
        if (!scalar) {
            char buf[128];
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) must be a scalar, found shape %s", i,
                                  b->name, i == 1 ? "min" : "max", om_infer_shape_str(&b->shape, buf, sizeof(buf)));
        }
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}
