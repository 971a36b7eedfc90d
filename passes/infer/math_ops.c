/* Shape and dtype rules of the math group (ir/ops/math.def).
 *
 * math_unary: the output has X's shape; its dtype is X's, except IsNaN and IsInf (bool).
 * Accepted dtypes per op (what the kernels implement):
 *   Abs, Sign, Shrink               every numeric type (float, signed, unsigned)
 *   Neg                             floats and signed ints
 *   Erf                             every numeric type (ints computed in f64, truncated)
 *   all other ops                   floats (f32, f64, f16, bf16)
 * Attributes are checked where a value is invalid (Celu alpha != 0).
 * prelu: PRelu(X, slope): slope must broadcast unidirectionally to X (numpy rules with
 * the output shape X's), same dtype; floats and signed/unsigned 32/64-bit ints.
 */
#include "passes/infer/infer.h"

static bool is_int(om_dtype dt)
{
    return om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

om_status om_infer_math_unary(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    om_dtype dt = x->dtype;
    bool ok, flt = om_dtype_is_float(dt);
    const char *want;
    switch (n->op) {
    case OM_OP_ABS:
    case OM_OP_SIGN:
    case OM_OP_SHRINK:
    case OM_OP_ERF:
        ok = flt || is_int(dt);
        want = "a numeric type";
        break;
    case OM_OP_NEG:
        ok = flt || om_dtype_is_signed_int(dt);
        want = "a float or signed int type";
        break;
    default:
        ok = flt;
        want = "a float type";
        break;
    }
    if (!ok)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected %s", x->name,
                              om_dtype_name(dt), want);
    if (n->op == OM_OP_CELU && om_node_float(n, "alpha", 1.0f) == 0.0f)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute alpha must not be 0");
    om_dtype out = (n->op == OM_OP_IS_NAN || n->op == OM_OP_IS_INF) ? OM_DT_BOOL : dt;
    return om_infer_set_output(g, n, 0, out, &x->shape);
}

om_status om_infer_prelu(om_graph *g, om_node *n)
{
    om_value *x, *s;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &s)) != OM_OK)
        return st;
    om_dtype dt = x->dtype;
    if (!om_dtype_is_float(dt) && dt != OM_DT_INT32 && dt != OM_DT_INT64 && dt != OM_DT_UINT32 &&
        dt != OM_DT_UINT64)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a float or 32/64-bit int",
                              x->name, om_dtype_name(dt));
    if ((st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK)
        return st;
    /* unidirectional: broadcast(X, slope) must be X's shape */
    char b1[128], b2[128];
    bool fits = s->shape.rank <= x->shape.rank;
    for (int i = 0; fits && i < s->shape.rank; i++) {
        int64_t ds = s->shape.dims[s->shape.rank - 1 - i], dx = x->shape.dims[x->shape.rank - 1 - i];
        fits = ds == 1 || ds == dx || ds < 0 || dx < 0;
    }
    if (!fits)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "input 1 (slope) '%s' %s does not broadcast unidirectionally to input 0 '%s' %s",
                              s->name, om_infer_shape_str(&s->shape, b1, sizeof b1), x->name,
                              om_infer_shape_str(&x->shape, b2, sizeof b2));
    return om_infer_set_output(g, n, 0, dt, &x->shape);
}
