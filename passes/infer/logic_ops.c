/* Shape and dtype rules of the logic group (ir/ops/logic.def). Every op broadcasts its
 * inputs with numpy's multidirectional rule (Where three ways, Max/Min/Sum/Mean N ways).
 *
 *   Pow(X, Y)         X and Y numeric, dtypes may differ; output X's dtype
 *   Mod(A, B)         same numeric dtype; fmod in {0, 1}; floats need fmod = 1
 *   BitShift(X, Y)    same unsigned dtype; direction "LEFT" or "RIGHT"
 *   Max/Min/Sum/Mean  1..N inputs of one numeric dtype
 *   And/Or/Xor, Not   bool -> bool
 *   Equal, Greater, Less, GreaterOrEqual, LessOrEqual   same dtype (numeric or bool) -> bool
 *   Where(C, X, Y)    C bool, X and Y one dtype (any but string) -> that dtype
 *   Cast(x), CastLike(x, like)   any numeric/bool dtype to any; `to` (Cast) or like's
 *                     dtype (CastLike); string on either side is unsupported
 */
#include "passes/infer/infer.h"

#include <string.h>

static bool is_numeric(om_dtype dt)
{
    return om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

/* numeric, bool or 16-bit float: what the elementwise kernels store */
static bool is_tensor_dtype(om_dtype dt)
{
    return is_numeric(dt) || dt == OM_DT_BOOL;
}

static om_status need_dtype(const om_node *n, int i, bool ok, const char *expected)
{
    if (ok)
        return OM_OK;
    const om_value *v = om_node_input(n, i);
    return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' has dtype %s, expected %s", i, v ? v->name : "?",
                          v ? om_dtype_name(v->dtype) : "?", expected);
}

/* Broadcasts inputs [0, count) (all present) into *out. */
static om_status broadcast_all(const om_node *n, int count, om_shape *out)
{
    om_value *v;
    om_status st = om_infer_need_input(n, 0, &v);
    if (st != OM_OK)
        return st;
    *out = v->shape;
    for (int i = 1; i < count; i++) {
        if ((st = om_infer_need_input(n, i, &v)) != OM_OK)
            return st;
        om_shape acc = *out;
        int bad = 0;
        if (!om_infer_broadcast(&acc, &v->shape, out, &bad)) {
            char b1[128], b2[128];
            return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                  "input %d '%s' %s is not broadcast-compatible with %s (inputs 0..%d; output axis %d)",
                                  i, v->name, om_infer_shape_str(&v->shape, b1, sizeof b1),
                                  om_infer_shape_str(&acc, b2, sizeof b2), i - 1, bad);
        }
    }
    return OM_OK;
}

/* Checks every input in [0, count) is present with input 0's dtype. */
static om_status same_dtypes(const om_node *n, int count)
{
    om_value *v;
    om_status st;
    for (int i = 0; i < count; i++) {
        if ((st = om_infer_need_input(n, i, &v)) != OM_OK)
            return st;
        if (i > 0 && (st = om_infer_check_same_dtype(n, i, 0)) != OM_OK)
            return st;
    }
    return OM_OK;
}

om_status om_infer_pow(om_graph *g, om_node *n)
{
    om_value *x, *y;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &y)) != OM_OK)
        return st;
    if ((st = need_dtype(n, 0, is_numeric(x->dtype), "a numeric type")) != OM_OK ||
        (st = need_dtype(n, 1, is_numeric(y->dtype), "a numeric type")) != OM_OK)
        return st;
    om_shape out;
    if ((st = broadcast_all(n, 2, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_mod(om_graph *g, om_node *n)
{
    om_status st = same_dtypes(n, 2);
    if (st != OM_OK)
        return st;
    om_dtype dt = om_node_input(n, 0)->dtype;
    if ((st = need_dtype(n, 0, is_numeric(dt), "a numeric type")) != OM_OK)
        return st;
    int64_t fmod = om_node_int(n, "fmod", 0);
    if (fmod != 0 && fmod != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute fmod is %lld, expected 0 or 1", (long long)fmod);
    if (om_dtype_is_float(dt) && fmod != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "fmod must be 1 for floating-point inputs (dtype %s)",
                              om_dtype_name(dt));
    om_shape out;
    if ((st = broadcast_all(n, 2, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, dt, &out);
}

om_status om_infer_bitshift(om_graph *g, om_node *n)
{
    om_status st = same_dtypes(n, 2);
    if (st != OM_OK)
        return st;
    om_dtype dt = om_node_input(n, 0)->dtype;
    if ((st = need_dtype(n, 0, om_dtype_is_unsigned_int(dt), "an unsigned integer type")) != OM_OK)
        return st;
    const char *dir = om_node_string(n, "direction", NULL);
    if (!dir || (strcmp(dir, "LEFT") != 0 && strcmp(dir, "RIGHT") != 0))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute direction is %s%s%s, expected \"LEFT\" or \"RIGHT\"",
                              dir ? "\"" : "", dir ? dir : "missing", dir ? "\"" : "");
    om_shape out;
    if ((st = broadcast_all(n, 2, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, dt, &out);
}

om_status om_infer_variadic(om_graph *g, om_node *n)
{
    if (n->n_inputs < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "needs at least one input");
    om_status st = same_dtypes(n, n->n_inputs);
    if (st != OM_OK)
        return st;
    om_dtype dt = om_node_input(n, 0)->dtype;
    if ((st = need_dtype(n, 0, is_numeric(dt), "a numeric type")) != OM_OK)
        return st;
    om_shape out;
    if ((st = broadcast_all(n, n->n_inputs, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, dt, &out);
}

om_status om_infer_logic_bool(om_graph *g, om_node *n)
{
    om_status st = same_dtypes(n, 2);
    if (st != OM_OK)
        return st;
    if ((st = need_dtype(n, 0, om_node_input(n, 0)->dtype == OM_DT_BOOL, "bool")) != OM_OK)
        return st;
    om_shape out;
    if ((st = broadcast_all(n, 2, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, OM_DT_BOOL, &out);
}

om_status om_infer_logic_not(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    if ((st = need_dtype(n, 0, x->dtype == OM_DT_BOOL, "bool")) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, OM_DT_BOOL, &x->shape);
}

om_status om_infer_compare(om_graph *g, om_node *n)
{
    om_status st = same_dtypes(n, 2);
    if (st != OM_OK)
        return st;
    if ((st = need_dtype(n, 0, is_tensor_dtype(om_node_input(n, 0)->dtype), "a numeric type or bool")) != OM_OK)
        return st;
    om_shape out;
    if ((st = broadcast_all(n, 2, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, OM_DT_BOOL, &out);
}

om_status om_infer_where(om_graph *g, om_node *n)
{
    om_value *c, *x, *y;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &c)) != OM_OK || (st = om_infer_need_input(n, 1, &x)) != OM_OK ||
        (st = om_infer_need_input(n, 2, &y)) != OM_OK)
        return st;
    if ((st = need_dtype(n, 0, c->dtype == OM_DT_BOOL, "bool")) != OM_OK ||
        (st = need_dtype(n, 1, is_tensor_dtype(x->dtype), "a numeric type or bool")) != OM_OK ||
        (st = om_infer_check_same_dtype(n, 2, 1)) != OM_OK)
        return st;
    om_shape out;
    if ((st = broadcast_all(n, 3, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_cast(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    om_dtype to;
    if (n->op == OM_OP_CAST_LIKE) {
        om_value *like;
        if ((st = om_infer_need_input(n, 1, &like)) != OM_OK)
            return st;
        to = like->dtype;
    } else {
        const om_attr *a = om_node_attr(n, "to");
        if (!a || a->kind != OM_ATTR_INT)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute 'to' (an int dtype) is required");
        to = (om_dtype)a->i;
        if (a->i < 0 || a->i > OM_DT_BFLOAT16 || om_dtype_name(to)[0] == '?')
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute 'to' is %lld, not a supported tensor dtype",
                                  (long long)a->i);
    }
    if (x->dtype == OM_DT_STRING || to == OM_DT_STRING)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "casts from or to string are unsupported (input 0 '%s' %s -> %s)",
                              x->name, om_dtype_name(x->dtype), om_dtype_name(to));
    if (!is_tensor_dtype(x->dtype) || !is_tensor_dtype(to))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "cast %s -> %s is unsupported (input 0 '%s')",
                              om_dtype_name(x->dtype), om_dtype_name(to), x->name);
    return om_infer_set_output(g, n, 0, to, &x->shape);
}
