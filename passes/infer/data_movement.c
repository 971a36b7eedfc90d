/* Shape rules for data movement: Flatten, Reshape, Transpose, Concat.
 *
 * Flatten(axis = 1, -r <= axis <= r) gives [prod(d[0:axis]), prod(d[axis:])].
 * Reshape's int64 1-D shape input: 0 copies the input dim at the same index (unless
 * allowzero = 1, where 0 is a real zero and -1 is then forbidden), at most one -1 is
 * inferred from the element count; the element counts must agree. A shape computed at run
 * time is accepted when the model declares the output's static shape (om_infer_outputs_
 * declared): its element count must be the declared rank and the element counts must agree;
 * the kernel checks the values at run time. Otherwise it is unsupported (no dynamic reshape). Transpose: perm (default: reversed
 * dims) must be a permutation of 0..r-1. Concat: axis (required, negative allowed), at
 * least one input, equal dtypes and ranks, equal dims off the axis; the axis dim is the
 * sum. Unknown dims propagate as unknown.
 */
#include "passes/infer/infer.h"

#include <inttypes.h>
#include <string.h>

/* Product of dims [lo, hi); -1 if any is unknown, -2 on int64 overflow. */
static int64_t dim_product(const om_shape *s, int lo, int hi) {
    int64_t p = 1;
    for (int i = lo; i < hi; i++) {
        if (s->dims[i] < 0) return OM_DIM_UNKNOWN;
        if (__builtin_mul_overflow(p, s->dims[i], &p)) return -2;
    }
    return p;
}

static om_status too_large(const om_node *n, const om_value *x) {
    return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has more elements than int64 can count", x->name);
}

static om_status infer_flatten(om_graph *g, om_node *n, const om_value *x) {
    int axis;
    om_status st = om_infer_axis(n, "axis", om_node_int(n, "axis", 1), x->shape.rank, 1, &axis);
    if (st != OM_OK) return st;
    om_shape out = {0};
    out.rank = 2;
    out.dims[0] = dim_product(&x->shape, 0, axis);
    out.dims[1] = dim_product(&x->shape, axis, x->shape.rank);
    if (out.dims[0] == -2 || out.dims[1] == -2) return too_large(n, x);
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* A run-time shape input with a declared static output: static validation only. */
static om_status infer_reshape_declared(om_graph *g, om_node *n, const om_value *x, const om_value *sv) {
    const om_value *y = n->outputs[0];
    char b1[128], b2[128];
    if (sv->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) has dtype %s, expected i64", sv->name,
                              om_dtype_name(sv->dtype));
    if (sv->shape.rank != 1 || sv->shape.dims[0] != y->shape.rank)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "input 1 '%s' (shape) has shape %s, expected [%d] (the declared rank of output 0 '%s')",
                              sv->name, om_infer_shape_str(&sv->shape, b1, sizeof b1), y->shape.rank, y->name);
    int64_t total = dim_product(&x->shape, 0, x->shape.rank), want = om_shape_numel(&y->shape);
    if (total == -2) return too_large(n, x);
    if (total >= 0 && total != want)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "cannot reshape input 0 '%s' %s (%" PRId64
                              " elements) to the declared %s (%" PRId64 " elements)",
                              x->name, om_infer_shape_str(&x->shape, b1, sizeof b1), total,
                              om_infer_shape_str(&y->shape, b2, sizeof b2), want);
    return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
}

static om_status infer_reshape(om_graph *g, om_node *n, const om_value *x) {
    om_value *sv;
    om_status st = om_infer_need_input(n, 1, &sv);
    if (st != OM_OK) return st;
    if (sv->kind != OM_VALUE_CONSTANT || !sv->data) {
        if (!om_infer_outputs_declared(n))
            return om_infer_error(n, OM_ERR_UNSUPPORTED,
                                  "input 1 '%s' (shape) is computed at run time; only a constant shape is supported "
                                  "(or a declared static output shape)",
                                  sv->name);
        return infer_reshape_declared(g, n, x, sv);
    }
    if (sv->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) has dtype %s, expected i64", sv->name,
                              om_dtype_name(sv->dtype));
    if (sv->shape.rank != 1 || sv->shape.dims[0] < 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) must be 1-D, found rank %d", sv->name,
                              sv->shape.rank);
    int64_t count = sv->shape.dims[0];
    if (count > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 1 '%s' (shape) has %" PRId64 " dims, the maximum rank is %d",
                              sv->name, count, OM_MAX_RANK);
    if (sv->nbytes < (size_t)count * sizeof(int64_t))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) has %zu bytes of data, expected %zu",
                              sv->name, sv->nbytes, (size_t)count * sizeof(int64_t));
    int64_t req[OM_MAX_RANK];
    memcpy(req, sv->data, (size_t)count * sizeof(int64_t));
    int64_t allowzero = om_node_int(n, "allowzero", 0);
    om_shape out = {0};
    out.rank = (int)count;
    int infer_at = -1;
    bool known = true; /* the product of the other output dims is known */
    int64_t prod = 1;
    for (int i = 0; i < (int)count; i++) {
        int64_t d = req[i];
        if (d == -1) {
            if (infer_at >= 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "input 1 '%s' (shape) has more than one -1 (at indices %d and %d)", sv->name,
                                      infer_at, i);
            infer_at = i;
            continue;
        }
        if (d < -1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) has an invalid dim %" PRId64 " at index %d",
                                  sv->name, d, i);
        if (d == 0 && !allowzero) {
            if (i >= x->shape.rank)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "input 1 '%s' (shape) copies dim %d with 0, but input 0 '%s' has rank %d",
                                      sv->name, i, x->name, x->shape.rank);
            d = x->shape.dims[i];
            out.syms[i] = x->shape.syms[i];
        }
        out.dims[i] = d;
        if (d < 0) known = false;
        else if (__builtin_mul_overflow(prod, d, &prod))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (shape) has more elements than int64 can count",
                                  sv->name);
    }
    if (infer_at >= 0 && allowzero)
        for (int i = 0; i < (int)count; i++)
            if (req[i] == 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "input 1 '%s' (shape) has both 0 and -1 while allowzero = 1", sv->name);
    int64_t total = dim_product(&x->shape, 0, x->shape.rank);
    if (total == -2) return too_large(n, x);
    char b1[128], b2[128];
    if (infer_at >= 0) {
        int64_t d = OM_DIM_UNKNOWN;
        if (known && total >= 0) {
            if (prod == 0 || total % prod != 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "cannot reshape input 0 '%s' %s (%" PRId64
                                      " elements) to %s: -1 has no integer solution",
                                      x->name, om_infer_shape_str(&x->shape, b1, sizeof(b1)), total,
                                      om_infer_shape_str(&out, b2, sizeof(b2)));
            d = total / prod;
        }
        out.dims[infer_at] = d;
    } else if (known && total >= 0 && prod != total) {
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "cannot reshape input 0 '%s' %s (%" PRId64 " elements) to %s (%" PRId64
                              " elements)",
                              x->name, om_infer_shape_str(&x->shape, b1, sizeof(b1)), total,
                              om_infer_shape_str(&out, b2, sizeof(b2)), prod);
    }
    for (int i = 0; i < out.rank; i++)
        if (out.dims[i] >= 0) out.syms[i] = NULL;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_reshape(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    return n->op == OM_OP_FLATTEN ? infer_flatten(g, n, x) : infer_reshape(g, n, x);
}

om_status om_infer_transpose(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    int r = x->shape.rank;
    int64_t perm[OM_MAX_RANK];
    const int64_t *p = NULL;
    int pc = om_node_ints(n, "perm", &p);
    if (pc < 0) {
        for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
    } else {
        if (pc != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute perm has %d values, expected %d (the rank of input 0 '%s')",
                                  pc, r, x->name);
        bool seen[OM_MAX_RANK] = {false};
        for (int i = 0; i < r; i++) {
            if (p[i] < 0 || p[i] >= r || seen[p[i]])
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "attribute perm is not a permutation of 0..%d (perm[%d] = %" PRId64 ")", r - 1, i,
                                      p[i]);
            seen[p[i]] = true;
            perm[i] = p[i];
        }
    }
    om_shape out = {0};
    out.rank = r;
    for (int i = 0; i < r; i++) {
        out.dims[i] = x->shape.dims[perm[i]];
        out.syms[i] = x->shape.syms[perm[i]];
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_concat(om_graph *g, om_node *n) {
    om_value *x0;
    om_status st = om_infer_need_input(n, 0, &x0);
    if (st != OM_OK) return st;
    const om_attr *aa = om_node_attr(n, "axis");
    if (!aa || aa->kind != OM_ATTR_INT) return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute axis is required");
    int r = x0->shape.rank;
    if (r < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' is a scalar; Concat needs rank >= 1", x0->name);
    int axis;
    if ((st = om_infer_axis(n, "axis", aa->i, r, 0, &axis)) != OM_OK) return st;
    om_shape out = x0->shape;
    for (int i = 1; i < n->n_inputs; i++) {
        om_value *xi;
        if ((st = om_infer_need_input(n, i, &xi)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
        char b1[128], b2[128];
        if (xi->shape.rank != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' %s has rank %d, expected %d like input 0 '%s' %s",
                                  i, xi->name, om_infer_shape_str(&xi->shape, b1, sizeof(b1)), xi->shape.rank, r,
                                  x0->name, om_infer_shape_str(&x0->shape, b2, sizeof(b2)));
        for (int d = 0; d < r; d++) {
            int64_t di = xi->shape.dims[d];
            if (d == axis) {
                if (out.dims[d] >= 0 && di >= 0) {
                    if (__builtin_add_overflow(out.dims[d], di, &out.dims[d]))
                        return om_infer_error(n, OM_ERR_UNSUPPORTED, "the concatenated dim %d overflows int64", d);
                } else {
                    out.dims[d] = OM_DIM_UNKNOWN;
                }
                out.syms[d] = NULL;
                continue;
            }
            bool ok = true;
            int64_t m = om_infer_merge_dim(out.dims[d], di, &ok);
            if (!ok)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "input %d '%s' %s has dim %d = %" PRId64 ", expected %" PRId64 " (axis is %d)", i,
                                      xi->name, om_infer_shape_str(&xi->shape, b1, sizeof(b1)), d, di, out.dims[d],
                                      axis);
            if (m >= 0) out.syms[d] = NULL;
            out.dims[d] = m;
        }
    }
    return om_infer_set_output(g, n, 0, x0->dtype, &out);
}
