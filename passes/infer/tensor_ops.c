/* Shape rules of the tensor op group: Shape, Size, Squeeze, Unsqueeze, Expand, Tile, Range,
 * ConstantOfShape, EyeLike, Trilu, OneHot, DepthToSpace, SpaceToDepth, ReverseSequence.
 * (Indexing ops are in tensor_index.c, data-dependent ones in tensor_fold.c.)
 *
 * Shape (start/end of opset 15: negative counts from the end, both clamped to [0, rank])
 * and Size fold their output into a constant int64 tensor whenever the input shape is
 * static; the node is then dead and needs no kernel. A graph output is not folded (it keeps
 * its name; the kernel stores the static dims), as in passes/fold.c. Inputs that determine the output
 * shape (axes, shape, repeats, Range's scalars, ConstantOfShape's shape, OneHot's depth)
 * are normally compile-time constants (from the model or from folding earlier nodes). One
 * computed at run time is accepted when the model declares every output's static shape
 * (om_infer_outputs_declared): the rule validates what it can statically (dtypes, value
 * counts against ranks, that the declared shape is possible) and takes the declared shape;
 * the kernel checks the values at run time (codegen/kernels/rt_shape.h). Otherwise it is
 * OM_ERR_UNSUPPORTED naming the input. Unknown dims propagate as unknown where the rule
 * allows it.
 */
#include "passes/infer/tensor_common.h"

#include <inttypes.h>
#include <string.h>

/* ---- Shape, Size ---------------------------------------------------------------------- */

static om_status infer_shape_op(om_graph *g, om_node *n, const om_value *x) {
    int r = x->shape.rank;
    int64_t start = om_node_int(n, "start", 0), end = om_node_int(n, "end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    int64_t len = end > start ? end - start : 0;
    om_shape s = om_shape_make(1, &len);
    bool known = true;
    int64_t dims[OM_MAX_RANK];
    for (int64_t i = start; i < end; i++) {
        dims[i - start] = x->shape.dims[i];
        if (dims[i - start] < 0) known = false;
    }
    if (!known || n->outputs[0]->is_output) return om_infer_set_output(g, n, 0, OM_DT_INT64, &s);
    om_status st = om_infer_tensor_fold(g, n, 0, OM_DT_INT64, &s, dims, (size_t)len * sizeof(int64_t));
    if (st == OM_OK) om_infer_tensor_fold_done(n);
    return st;
}

static om_status infer_size_op(om_graph *g, om_node *n, const om_value *x) {
    om_shape s = om_shape_scalar();
    int64_t numel = om_shape_numel(&x->shape);
    if (numel < 0 || n->outputs[0]->is_output) return om_infer_set_output(g, n, 0, OM_DT_INT64, &s);
    om_status st = om_infer_tensor_fold(g, n, 0, OM_DT_INT64, &s, &numel, sizeof numel);
    if (st == OM_OK) om_infer_tensor_fold_done(n);
    return st;
}

om_status om_infer_shape(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    return n->op == OM_OP_SIZE ? infer_size_op(g, n, x) : infer_shape_op(g, n, x);
}

/* ---- run-time shape inputs with declared outputs ------------------------------------------ */

/* Input i is present, computed at run time, and every output of n is declared static: the
 * rule may take the declared shapes (the kernel checks the values). */
static bool runtime_declared(const om_node *n, int i) {
    return om_node_input(n, i) && !om_infer_tensor_is_const(n, i) && om_infer_outputs_declared(n);
}

/* Input i: an int32/int64 tensor of rank <= 1 with a static element count (returned). */
static om_status runtime_ints(const om_node *n, int i, const char *what, int64_t *count) {
    const om_value *v = om_node_input(n, i);
    char b[128];
    if (v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) has dtype %s, expected i64 or i32", i,
                              v->name, what, om_dtype_name(v->dtype));
    int64_t c = om_shape_numel(&v->shape);
    if (v->shape.rank > 1 || c < 0)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d ('%s', %s) has shape %s: a run-time %s needs a static 1-D shape",
                              i, v->name, what, om_infer_shape_str(&v->shape, b, sizeof b), what);
    *count = c;
    return OM_OK;
}

/* Input i: a scalar (or one element) of a numeric dtype. */
static om_status runtime_scalar(const om_node *n, int i, const char *what) {
    const om_value *v = om_node_input(n, i);
    char b[128];
    if (om_shape_numel(&v->shape) != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) must be a scalar, found shape %s", i, v->name,
                              what, om_infer_shape_str(&v->shape, b, sizeof b));
    if (om_dtype_size(v->dtype) == 0 || v->dtype == OM_DT_STRING || v->dtype == OM_DT_BOOL)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d ('%s', %s) has dtype %s", i, v->name, what,
                              om_dtype_name(v->dtype));
    return OM_OK;
}

/* Errors unless output 0's declared rank is `rank`. */
static om_status declared_rank(const om_node *n, int rank, const char *why) {
    const om_value *y = n->outputs[0];
    char b[128];
    if (y->shape.rank != rank)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared %s, but %s gives rank %d", y->name,
                              om_infer_shape_str(&y->shape, b, sizeof b), why, rank);
    return OM_OK;
}

/* Whether `small` is `big` with some dims of size 1 removed (unknown dims match anything):
 * a plain search over which dims are dropped (ranks are at most OM_MAX_RANK). */
static bool drops_ones_from(const om_shape *big, int i, const om_shape *small, int j) {
    if (i == big->rank) return j == small->rank;
    int64_t d = big->dims[i];
    if ((d == 1 || d < 0) && drops_ones_from(big, i + 1, small, j)) return true;
    return j < small->rank && (d < 0 || small->dims[j] < 0 || d == small->dims[j]) &&
           drops_ones_from(big, i + 1, small, j + 1);
}

static bool drops_ones(const om_shape *big, const om_shape *small) { return drops_ones_from(big, 0, small, 0); }

/* ---- Squeeze, Unsqueeze ------------------------------------------------------------------ */

static om_status infer_squeeze_op(om_graph *g, om_node *n, const om_value *x) {
    int r = x->shape.rank;
    bool drop[OM_MAX_RANK] = {false};
    char b[128];
    if (runtime_declared(n, 1)) {
        int64_t na;
        om_status st = runtime_ints(n, 1, "axes", &na);
        if (st != OM_OK) return st;
        if (na > 0) {
            const om_value *y = n->outputs[0];
            if ((st = declared_rank(n, r - (int)na, "squeezing that many axes")) != OM_OK) return st;
            if (!drops_ones(&x->shape, &y->shape))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared %s: not input 0 '%s' %s without dims of 1",
                                      y->name, om_infer_shape_str(&y->shape, b, sizeof b), x->name,
                                      om_infer_shape_str(&x->shape, (char[128]){0}, 128));
            return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
        }
    }
    /* an empty run-time axes tensor is the same as no axes */
    bool empty_rt = om_node_input(n, 1) && om_shape_numel(&n->inputs[1]->shape) == 0 && !om_infer_tensor_is_const(n, 1);
    if (om_node_input(n, 1) && !empty_rt) {
        int64_t axes[OM_MAX_RANK];
        int na;
        om_status st = om_infer_tensor_const_ints(n, 1, "axes", axes, OM_MAX_RANK, &na);
        if (st != OM_OK) return st;
        for (int k = 0; k < na; k++) {
            int a;
            if ((st = om_infer_tensor_axis(n, "axes value", axes[k], r, &a)) != OM_OK) return st;
            if (drop[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
            if (x->shape.dims[a] >= 0 && x->shape.dims[a] != 1)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "cannot squeeze axis %d of input 0 '%s' %s: its dim is %" PRId64,
                                      a, x->name, om_infer_shape_str(&x->shape, b, sizeof b), x->shape.dims[a]);
            drop[a] = true;
        }
    } else {
        for (int i = 0; i < r; i++) {
            if (x->shape.dims[i] < 0)
                return om_infer_error(n, OM_ERR_UNSUPPORTED,
                                      "Squeeze without axes needs the dims of input 0 '%s' %s (dim %d is unknown)",
                                      x->name, om_infer_shape_str(&x->shape, b, sizeof b), i);
            drop[i] = x->shape.dims[i] == 1;
        }
    }
    om_shape out = {0};
    for (int i = 0; i < r; i++) {
        if (drop[i]) continue;
        out.dims[out.rank] = x->shape.dims[i];
        out.syms[out.rank] = x->shape.syms[i];
        out.rank++;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

static om_status infer_unsqueeze_op(om_graph *g, om_node *n, const om_value *x) {
    if (runtime_declared(n, 1)) {
        int64_t na;
        om_status st = runtime_ints(n, 1, "axes", &na);
        if (st != OM_OK) return st;
        const om_value *y = n->outputs[0];
        char b1[128], b2[128];
        if ((st = declared_rank(n, x->shape.rank + (int)na, "inserting that many axes")) != OM_OK) return st;
        if (!drops_ones(&y->shape, &x->shape))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared %s: not input 0 '%s' %s with dims of 1 inserted",
                                  y->name, om_infer_shape_str(&y->shape, b1, sizeof b1), x->name,
                                  om_infer_shape_str(&x->shape, b2, sizeof b2));
        return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
    }
    int64_t axes[OM_MAX_RANK];
    int na;
    om_status st = om_infer_tensor_const_ints(n, 1, "axes", axes, OM_MAX_RANK, &na);
    if (st != OM_OK) return st;
    int r = x->shape.rank, ro = r + na;
    if (ro > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "output rank %d exceeds the maximum rank %d", ro, OM_MAX_RANK);
    bool ins[OM_MAX_RANK] = {false};
    for (int k = 0; k < na; k++) {
        int a;
        if ((st = om_infer_tensor_axis(n, "axes value", axes[k], ro, &a)) != OM_OK) return st;
        if (ins[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
        ins[a] = true;
    }
    om_shape out = {0};
    out.rank = ro;
    for (int i = 0, j = 0; i < ro; i++) {
        if (ins[i]) {
            out.dims[i] = 1;
            continue;
        }
        out.dims[i] = x->shape.dims[j];
        out.syms[i] = x->shape.syms[j];
        j++;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_squeeze(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    return n->op == OM_OP_UNSQUEEZE ? infer_unsqueeze_op(g, n, x) : infer_squeeze_op(g, n, x);
}

/* ---- Expand, Tile ------------------------------------------------------------------------ */

om_status om_infer_expand(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (runtime_declared(n, 1)) {
        int64_t ns;
        if ((st = runtime_ints(n, 1, "shape", &ns)) != OM_OK) return st;
        const om_value *y = n->outputs[0];
        int ro = x->shape.rank > ns ? x->shape.rank : (int)ns;
        if ((st = declared_rank(n, ro, "broadcasting input 0 with that many dims")) != OM_OK) return st;
        om_shape out;
        int bad = 0;
        if (!om_infer_broadcast(&x->shape, &y->shape, &out, &bad) || !om_shape_equal(&out, &y->shape)) {
            char b1[128], b2[128];
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s cannot be expanded to the declared %s (output axis %d)",
                                  x->name, om_infer_shape_str(&x->shape, b1, sizeof b1),
                                  om_infer_shape_str(&y->shape, b2, sizeof b2), bad);
        }
        return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
    }
    int64_t dims[OM_MAX_RANK];
    int nd;
    if ((st = om_infer_tensor_const_ints(n, 1, "shape", dims, OM_MAX_RANK, &nd)) != OM_OK) return st;
    for (int i = 0; i < nd; i++)
        if (dims[i] < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (shape) has a negative dim %" PRId64 " at %d", dims[i], i);
    om_shape s = om_shape_make(nd, dims), out;
    int bad = 0;
    if (!om_infer_broadcast(&x->shape, &s, &out, &bad)) {
        char b1[128], b2[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' %s cannot be expanded to %s (output axis %d)",
                              x->name, om_infer_shape_str(&x->shape, b1, sizeof b1), om_infer_shape_str(&s, b2, sizeof b2),
                              bad);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_tile(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (runtime_declared(n, 1)) {
        int64_t nrep;
        if ((st = runtime_ints(n, 1, "repeats", &nrep)) != OM_OK) return st;
        if (nrep != x->shape.rank)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (repeats) has %" PRId64 " values, expected %d (the rank of input 0 '%s')",
                                  nrep, x->shape.rank, x->name);
        const om_value *y = n->outputs[0];
        if ((st = declared_rank(n, x->shape.rank, "Tile")) != OM_OK) return st;
        for (int i = 0; i < x->shape.rank; i++) {
            int64_t d = x->shape.dims[i], o = y->shape.dims[i];
            if (d < 0 || (d == 0 ? o == 0 : o % d == 0)) continue;
            char b1[128], b2[128];
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared %s: dim %d is not a multiple of dim %d of input 0 '%s' %s",
                                  y->name, om_infer_shape_str(&y->shape, b1, sizeof b1), i, i, x->name,
                                  om_infer_shape_str(&x->shape, b2, sizeof b2));
        }
        return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
    }
    int64_t rep[OM_MAX_RANK];
    int nr;
    if ((st = om_infer_tensor_const_ints(n, 1, "repeats", rep, OM_MAX_RANK, &nr)) != OM_OK) return st;
    if (nr != x->shape.rank)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (repeats) has %d values, expected %d (the rank of input 0 '%s')",
                              nr, x->shape.rank, x->name);
    om_shape out = x->shape;
    for (int i = 0; i < nr; i++) {
        if (rep[i] < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (repeats) has a negative value %" PRId64 " at %d",
                                  rep[i], i);
        if (out.dims[i] < 0) {
            if (rep[i] != 1) out.syms[i] = NULL;
            if (rep[i] == 0) out.dims[i] = 0;
            continue;
        }
        if (__builtin_mul_overflow(out.dims[i], rep[i], &out.dims[i]))
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "output dim %d overflows int64", i);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- Range, ConstantOfShape, EyeLike ------------------------------------------------------- */

om_status om_infer_range(om_graph *g, om_node *n) {
    om_value *s0;
    om_status st = om_infer_need_input(n, 0, &s0);
    if (st != OM_OK) return st;
    for (int i = 1; i < 3; i++)
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
    om_dtype dt = s0->dtype;
    if (!om_dtype_is_float(dt) && !om_dtype_is_signed_int(dt) && !om_dtype_is_unsigned_int(dt))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", s0->name,
                              om_dtype_name(dt));
    if (runtime_declared(n, 0) || runtime_declared(n, 1) || runtime_declared(n, 2)) {
        static const char *const what[3] = {"start", "limit", "delta"};
        for (int i = 0; i < 3; i++) {
            if (!om_node_input(n, i)) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d (%s) is missing", i, what[i]);
            if ((st = runtime_scalar(n, i, what[i])) != OM_OK) return st;
        }
        if ((st = declared_rank(n, 1, "Range")) != OM_OK) return st;
        return om_infer_set_output(g, n, 0, dt, &n->outputs[0]->shape);
    }
    int64_t count;
    if (om_dtype_is_float(dt)) {
        double v[3];
        static const char *const what[3] = {"start", "limit", "delta"};
        for (int i = 0; i < 3; i++)
            if ((st = om_infer_tensor_const_scalar(n, i, what[i], &v[i])) != OM_OK) return st;
        if (v[2] == 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 (delta) is zero");
        double c = (v[1] - v[0]) / v[2]; /* ceil without libm */
        if (!(c < 1e15)) c = c != c ? 0 : 1e15;
        count = c > 0 ? (int64_t)c : 0;
        if (c > 0 && (double)count < c) count++;
    } else {
        int64_t v[3];
        for (int i = 0; i < 3; i++) {
            double d;
            static const char *const what[3] = {"start", "limit", "delta"};
            if ((st = om_infer_tensor_const_scalar(n, i, what[i], &d)) != OM_OK) return st;
            v[i] = om_infer_tensor_get_i64(dt, n->inputs[i]->data, 0);
        }
        if (v[2] == 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 (delta) is zero");
        __int128 span = (__int128)v[1] - v[0];
        __int128 c = v[2] > 0 ? (span + v[2] - 1) / v[2] : (span + v[2] + 1) / v[2];
        if ((v[2] > 0 && span <= 0) || (v[2] < 0 && span >= 0)) c = 0;
        count = c > ((__int128)1 << 50) ? ((int64_t)1 << 50) : (int64_t)c;
    }
    om_shape out = om_shape_make(1, &count);
    return om_infer_set_output(g, n, 0, dt, &out);
}

om_status om_infer_constant_of_shape(om_graph *g, om_node *n) {
    int64_t dims[OM_MAX_RANK];
    int nd;
    om_status st;
    bool run_time = runtime_declared(n, 0);
    if (run_time) {
        int64_t ns;
        if ((st = runtime_ints(n, 0, "shape", &ns)) != OM_OK) return st;
        if ((st = declared_rank(n, (int)(ns > OM_MAX_RANK ? OM_MAX_RANK + 1 : ns), "input 0 (shape)")) != OM_OK) return st;
        nd = (int)ns;
        memcpy(dims, n->outputs[0]->shape.dims, sizeof(int64_t) * (size_t)nd);
    } else if ((st = om_infer_tensor_const_ints(n, 0, "shape", dims, OM_MAX_RANK, &nd)) != OM_OK) {
        return st;
    }
    for (int i = 0; i < nd; i++)
        if (dims[i] < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 (shape) has a negative dim %" PRId64 " at %d", dims[i], i);
    om_dtype dt = OM_DT_FLOAT;
    const om_attr *a = om_node_attr(n, "value");
    if (a) {
        if (a->kind != OM_ATTR_TENSOR || !a->tensor || om_shape_numel(&a->tensor->shape) != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute value must be a one-element tensor");
        dt = a->tensor->dtype;
        if (om_dtype_size(dt) == 0)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute value has dtype %s", om_dtype_name(dt));
    }
    om_shape out = om_shape_make(nd, dims);
    return om_infer_set_output(g, n, 0, dt, &out);
}

om_status om_infer_eye_like(om_graph *g, om_node *n) {
    om_status st = om_infer_check_rank(n, 0, 2);
    if (st != OM_OK) return st;
    om_value *x = n->inputs[0];
    om_dtype dt = (om_dtype)om_node_int(n, "dtype", x->dtype);
    if (om_dtype_size(dt) == 0 || dt == OM_DT_STRING || dt == OM_DT_COMPLEX64 || dt == OM_DT_COMPLEX128)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "attribute dtype %d is not a supported tensor dtype", (int)dt);
    return om_infer_set_output(g, n, 0, dt, &x->shape);
}

/* ---- Trilu, OneHot ------------------------------------------------------------------------ */

om_status om_infer_trilu(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    if (x->shape.rank < 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has rank %d, expected >= 2", x->name, x->shape.rank);
    om_value *k = om_node_input(n, 1);
    if (k) {
        if (k->dtype != OM_DT_INT64)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (k) has dtype %s, expected i64", k->name,
                                  om_dtype_name(k->dtype));
        if (om_shape_numel(&k->shape) != 1 && k->shape.rank != 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (k) must be a scalar", k->name);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

om_status om_infer_one_hot(om_graph *g, om_node *n) {
    om_value *idx, *vals;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &idx)) != OM_OK || (st = om_infer_need_input(n, 2, &vals)) != OM_OK) return st;
    if (om_dtype_size(idx->dtype) == 0 || idx->dtype == OM_DT_BOOL || idx->dtype == OM_DT_STRING)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' (indices) has dtype %s, expected a numeric type",
                              idx->name, om_dtype_name(idx->dtype));
    double depth;
    bool run_time = runtime_declared(n, 1);
    int r = idx->shape.rank;
    if (run_time) {
        /* the declared output holds the depth at the axis */
        if ((st = runtime_scalar(n, 1, "depth")) != OM_OK) return st;
        if ((st = declared_rank(n, r + 1, "OneHot")) != OM_OK) return st;
        int a;
        if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", -1), r + 1, &a)) != OM_OK) return st;
        depth = (double)n->outputs[0]->shape.dims[a];
    } else if ((st = om_infer_tensor_const_scalar(n, 1, "depth", &depth)) != OM_OK) {
        return st;
    }
    if (!(depth >= 1) || depth > 1e12)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (depth) is %g, expected a positive count", depth);
    if (vals->shape.rank != 1 || (vals->shape.dims[0] >= 0 && vals->shape.dims[0] != 2))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (values) must have shape [2]", vals->name);
    if (om_dtype_size(vals->dtype) == 0)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 2 '%s' (values) has dtype %s", vals->name,
                              om_dtype_name(vals->dtype));
    if (r + 1 > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "output rank %d exceeds the maximum rank %d", r + 1, OM_MAX_RANK);
    int axis;
    if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", -1), r + 1, &axis)) != OM_OK) return st;
    om_shape out = {0};
    out.rank = r + 1;
    for (int i = 0, j = 0; i <= r; i++) {
        if (i == axis) {
            out.dims[i] = (int64_t)depth;
            continue;
        }
        out.dims[i] = idx->shape.dims[j];
        out.syms[i] = idx->shape.syms[j];
        j++;
    }
    return om_infer_set_output(g, n, 0, vals->dtype, &out);
}

/* ---- DepthToSpace, SpaceToDepth, ReverseSequence ----------------------------------------- */

om_status om_infer_depth_space(om_graph *g, om_node *n) {
    om_status st = om_infer_check_rank(n, 0, 4);
    if (st != OM_OK) return st;
    om_value *x = n->inputs[0];
    const om_attr *ba = om_node_attr(n, "blocksize");
    if (!ba || ba->kind != OM_ATTR_INT || ba->i < 1 || ba->i > (1 << 20))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute blocksize is required and must be >= 1");
    int64_t b = ba->i;
    om_shape out = x->shape;
    char buf[128];
    if (n->op == OM_OP_DEPTH_TO_SPACE) {
        const char *mode = om_node_string(n, "mode", "DCR");
        if (strcmp(mode, "DCR") != 0 && strcmp(mode, "CRD") != 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute mode '%s' is neither DCR nor CRD", mode);
        int64_t c = x->shape.dims[1];
        if (c >= 0 && c % (b * b) != 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "channels %" PRId64 " of input 0 '%s' %s are not a multiple of blocksize^2 = %" PRId64,
                                  c, x->name, om_infer_shape_str(&x->shape, buf, sizeof buf), b * b);
        out.dims[1] = c >= 0 ? c / (b * b) : OM_DIM_UNKNOWN;
        for (int i = 2; i < 4; i++) out.dims[i] = x->shape.dims[i] >= 0 ? x->shape.dims[i] * b : OM_DIM_UNKNOWN;
    } else {
        for (int i = 2; i < 4; i++) {
            int64_t d = x->shape.dims[i];
            if (d >= 0 && d % b != 0)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "dim %d (%" PRId64 ") of input 0 '%s' %s is not a multiple of blocksize %" PRId64,
                                      i, d, x->name, om_infer_shape_str(&x->shape, buf, sizeof buf), b);
            out.dims[i] = d >= 0 ? d / b : OM_DIM_UNKNOWN;
        }
        out.dims[1] = x->shape.dims[1] >= 0 ? x->shape.dims[1] * b * b : OM_DIM_UNKNOWN;
    }
    for (int i = 1; i < 4; i++) out.syms[i] = NULL;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_reverse_sequence(om_graph *g, om_node *n) {
    om_value *x, *len;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &len)) != OM_OK) return st;
    if (x->shape.rank < 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has rank %d, expected >= 2", x->name, x->shape.rank);
    int64_t ba = om_node_int(n, "batch_axis", 1), ta = om_node_int(n, "time_axis", 0);
    if (!((ba == 0 && ta == 1) || (ba == 1 && ta == 0)))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "batch_axis %" PRId64 " and time_axis %" PRId64 " must be 0 and 1 in some order",
                              ba, ta);
    if (len->dtype != OM_DT_INT64 || len->shape.rank != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (sequence_lens) must be a 1-D i64 tensor", len->name);
    bool ok = true;
    om_infer_merge_dim(len->shape.dims[0], x->shape.dims[ba], &ok);
    if (!ok)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (sequence_lens) has %" PRId64 " entries, the batch dim is %" PRId64,
                              len->name, len->shape.dims[0], x->shape.dims[ba]);
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}
