/* Shape rules of the tensor op group's indexing ops: Slice, Split, Pad, Gather, Compress,
 * GatherElements, GatherND, ScatterElements, ScatterND.
 *
 * Slice: starts/ends (and axes, steps when given) are constants; per axis, with d the dim:
 *   step > 0: start, end += d when negative, then clamped to [0, d]; count = ceil((end-start)/step)
 *   step < 0: start += d when negative, clamped to [0, d-1]; end += d when negative, clamped to
 *             [-1, d-1]; count = ceil((start-end)/-step)
 *   (count >= 0; step 0 is invalid). The kernel (codegen/kernels/tensor_slice.c) recomputes
 *   the same numbers from the same constants.
 * Split: `split` input constant, or equal parts over the outputs (ceil(d/n), the last smaller).
 * Pad: pads (2 * number of padded axes: all begins, then all ends; axes input optional, both
 *   constant); negative pads crop; modes constant/reflect/edge; reflect/edge need a non-empty
 *   dim where they pad. constant_value may be any numeric dtype (converted by the kernel).
 * Gather: data[:axis] + indices.shape + data[axis+1:]. Compress: the condition must be a
 *   constant (else "data-dependent output shape"); its true entries give the output dim
 *   (the axis dim, or the flattened input without axis).
 * GatherND: indices.shape[:-1] + data.shape[batch_dims + k:] with k = indices.shape[-1].
 * Scatter*: the output has data's type; indices/updates shapes are checked.
 * Run-time shape inputs (Slice starts/ends/axes/steps, Split split, Pad pads/axes, Compress
 *   condition): accepted when the model declares the output shapes (see "run-time shape
 *   inputs" below); the kernels check the values at run time and use them.
 * Indices of Gather-family ops must be i32 or i64. Out-of-range indices are clamped by the
 * kernels (see their files).
 */
#include "passes/infer/tensor_common.h"

#include <inttypes.h>
#include <string.h>

/* ---- run-time shape inputs ----------------------------------------------------------------
 * When an input that determines the output shape is computed at run time and the model
 * declares every output's static shape, the rules below take the declared shapes after
 * checking what they can (ranks, dtypes, lengths of the run-time inputs, dims the inputs
 * cannot change); the kernels check the values at run time (OM_ART_CHECK_SHAPE_VALUE /
 * OM_ART_CHECK_OUTPUT_SIZE). Without declared shapes the old "must be a compile-time
 * constant" error stands. */

/* Whether input i is present and computed at run time. */
static bool is_runtime(const om_node *n, int i) {
    return om_node_input(n, i) && !om_infer_tensor_is_const(n, i);
}

/* Input i (present) as an index input whose values are read at run time: i32 or i64, rank
 * 0 or 1, static length (stored in *len). */
static om_status rt_ints(const om_node *n, int i, const char *what, int64_t *len) {
    const om_value *v = om_node_input(n, i);
    if (v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) has dtype %s, expected i64 or i32", i,
                              v->name, what, om_dtype_name(v->dtype));
    if (v->shape.rank > 1 || !om_shape_is_static(&v->shape))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d ('%s', %s) must be 1-D with a static length", i, v->name,
                              what);
    *len = om_shape_numel(&v->shape);
    return OM_OK;
}

/* ---- Slice ------------------------------------------------------------------------------- */

/* Clamped start and count of one sliced axis (see the file comment). */
static void slice_axis(int64_t d, int64_t start, int64_t end, int64_t step, int64_t *s_out, int64_t *count) {
    if (start < 0) start += d;
    if (end < 0) end += d;
    int64_t c;
    if (step > 0) {
        start = start < 0 ? 0 : start > d ? d : start;
        end = end < 0 ? 0 : end > d ? d : end;
        c = end > start ? (end - start + step - 1) / step : 0;
    } else {
        start = start < 0 ? 0 : start > d - 1 ? d - 1 : start;
        end = end < -1 ? -1 : end > d - 1 ? d - 1 : end;
        c = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    *s_out = start;
    *count = c;
}

/* Slice with run-time starts/ends/axes/steps: the declared output, checked for rank and
 * for dims that cannot be sliced (not in a constant axes list) or exceed the input. */
static om_status infer_slice_runtime(om_graph *g, om_node *n, const om_value *x) {
    static const char *const what[5] = {"", "starts", "ends", "axes", "steps"};
    int r = x->shape.rank;
    int64_t ns = -1;
    om_status st;
    for (int i = 1; i <= 4; i++) {
        if (!om_node_input(n, i)) continue;
        int64_t len;
        if ((st = rt_ints(n, i, what[i], &len)) != OM_OK) return st;
        if (ns >= 0 && len != ns)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d (%s) has %" PRId64 " values, starts has %" PRId64, i,
                                  what[i], len, ns);
        ns = len;
    }
    if (ns > r || (ns > OM_MAX_RANK))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "starts has %" PRId64 " values for rank %d", ns, r);
    const om_value *y = n->outputs[0];
    if (y->shape.rank != r)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output has rank %d, input 0 '%s' rank %d",
                              y->shape.rank, x->name, r);
    bool sliced[OM_MAX_RANK] = {false};
    if (om_infer_tensor_is_const(n, 3)) {
        int64_t axes[OM_MAX_RANK];
        int na;
        if ((st = om_infer_tensor_const_ints(n, 3, "axes", axes, OM_MAX_RANK, &na)) != OM_OK) return st;
        for (int i = 0; i < na; i++) {
            int a;
            if ((st = om_infer_tensor_axis(n, "axes value", axes[i], r, &a)) != OM_OK) return st;
            if (sliced[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
            sliced[a] = true;
        }
    } else if (!om_node_input(n, 3)) {
        for (int i = 0; i < ns; i++) sliced[i] = true;
    } else {
        for (int i = 0; i < r; i++) sliced[i] = true;
    }
    for (int i = 0; i < r; i++) {
        int64_t d = x->shape.dims[i], o = y->shape.dims[i];
        if (d >= 0 && (sliced[i] ? o > d : o != d))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output dim %d is %" PRId64
                                  ", input 0 '%s' has %" PRId64 " there%s", i, o, x->name, d,
                                  sliced[i] ? "" : " and the axis is not sliced");
    }
    return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
}

om_status om_infer_slice(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    int r = x->shape.rank;
    if ((is_runtime(n, 1) || is_runtime(n, 2) || is_runtime(n, 3) || is_runtime(n, 4)) && om_infer_outputs_declared(n))
        return infer_slice_runtime(g, n, x);
    int64_t starts[OM_MAX_RANK], ends[OM_MAX_RANK], axes[OM_MAX_RANK], steps[OM_MAX_RANK];
    int ns, ne, na, nst;
    if ((st = om_infer_tensor_const_ints(n, 1, "starts", starts, OM_MAX_RANK, &ns)) != OM_OK) return st;
    if ((st = om_infer_tensor_const_ints(n, 2, "ends", ends, OM_MAX_RANK, &ne)) != OM_OK) return st;
    if (ne != ns)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "starts has %d values but ends has %d", ns, ne);
    if (om_node_input(n, 3)) {
        if ((st = om_infer_tensor_const_ints(n, 3, "axes", axes, OM_MAX_RANK, &na)) != OM_OK) return st;
        if (na != ns) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes has %d values, starts has %d", na, ns);
    } else {
        if (ns > r) return om_infer_error(n, OM_ERR_INVALID_MODEL, "starts has %d values for rank %d", ns, r);
        for (int i = 0; i < ns; i++) axes[i] = i;
    }
    if (om_node_input(n, 4)) {
        if ((st = om_infer_tensor_const_ints(n, 4, "steps", steps, OM_MAX_RANK, &nst)) != OM_OK) return st;
        if (nst != ns) return om_infer_error(n, OM_ERR_INVALID_MODEL, "steps has %d values, starts has %d", nst, ns);
    } else {
        for (int i = 0; i < ns; i++) steps[i] = 1;
    }
    om_shape out = x->shape;
    bool seen[OM_MAX_RANK] = {false};
    for (int i = 0; i < ns; i++) {
        int a;
        if ((st = om_infer_tensor_axis(n, "axes value", axes[i], r, &a)) != OM_OK) return st;
        if (seen[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
        seen[a] = true;
        if (steps[i] == 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "steps[%d] is 0", i);
        if (x->shape.dims[a] < 0) {
            out.dims[a] = OM_DIM_UNKNOWN;
            out.syms[a] = NULL;
            continue;
        }
        int64_t s0, c;
        slice_axis(x->shape.dims[a], starts[i], ends[i], steps[i], &s0, &c);
        out.dims[a] = c;
        out.syms[a] = NULL;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- Split ------------------------------------------------------------------------------- */

om_status om_infer_split(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    int r = x->shape.rank, axis;
    if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", 0), r, &axis)) != OM_OK) return st;
    int64_t d = x->shape.dims[axis];
    int no = n->n_outputs;
    int64_t parts[64];
    if (is_runtime(n, 1) && om_infer_outputs_declared(n)) {
        /* run-time split: the declared parts, which must cover the axis (the kernel checks
         * the values against them) */
        int64_t np, sum = 0;
        if ((st = rt_ints(n, 1, "split", &np)) != OM_OK) return st;
        if (np != no)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (split) has %" PRId64 " values for %d outputs", np, no);
        for (int i = 0; i < no; i++) {
            if (n->outputs[i]->shape.rank != r)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d '%s' is declared with rank %d, input 0 has %d", i,
                                      n->outputs[i]->name, n->outputs[i]->shape.rank, r);
            parts[i] = n->outputs[i]->shape.dims[axis];
            sum += parts[i];
        }
        if (d >= 0 && sum != d)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared outputs sum to %" PRId64 " along axis %d, "
                                  "input 0 '%s' has %" PRId64, sum, axis, x->name, d);
    } else if (om_node_input(n, 1)) {
        int np;
        if ((st = om_infer_tensor_const_ints(n, 1, "split", parts, 64, &np)) != OM_OK) return st;
        if (np != no)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (split) has %d values for %d outputs", np, no);
        int64_t sum = 0;
        for (int i = 0; i < np; i++) {
            if (parts[i] < 0) return om_infer_error(n, OM_ERR_INVALID_MODEL, "split[%d] = %" PRId64 " is negative", i, parts[i]);
            if (__builtin_add_overflow(sum, parts[i], &sum)) return om_infer_error(n, OM_ERR_INVALID_MODEL, "split overflows");
        }
        if (d >= 0 && sum != d)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "split sums to %" PRId64 ", but dim %d of input 0 '%s' is %" PRId64,
                                  sum, axis, x->name, d);
    } else {
        if (d < 0) {
            for (int i = 0; i < no; i++) parts[i] = OM_DIM_UNKNOWN;
        } else {
            int64_t each = (d + no - 1) / no;
            for (int i = 0; i < no; i++) {
                int64_t left = d - each * i;
                parts[i] = left < 0 ? 0 : left < each ? left : each;
            }
        }
    }
    for (int i = 0; i < no; i++) {
        om_shape s = x->shape;
        s.dims[axis] = parts[i];
        s.syms[axis] = NULL;
        if ((st = om_infer_set_output(g, n, i, x->dtype, &s)) != OM_OK) return st;
    }
    return OM_OK;
}

/* ---- Pad --------------------------------------------------------------------------------- */

/* Checks shared by both Pad paths: mode and constant_value. */
static om_status pad_check_mode(const om_node *n, bool *constant) {
    const char *mode = om_node_string(n, "mode", "constant");
    *constant = strcmp(mode, "constant") == 0;
    if (!*constant && strcmp(mode, "reflect") != 0 && strcmp(mode, "edge") != 0)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "mode '%s' is not supported (constant, reflect, edge)", mode);
    om_value *cv = om_node_input(n, 2);
    if (cv && om_shape_numel(&cv->shape) != 1 && cv->shape.rank != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' (constant_value) must be a scalar", cv->name);
    if (cv && (om_dtype_size(cv->dtype) == 0 || cv->dtype == OM_DT_STRING))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 2 '%s' (constant_value) has dtype %s", cv->name,
                              om_dtype_name(cv->dtype));
    return OM_OK;
}

/* Pad with run-time pads or axes: the declared output (same rank; dims of axes a constant
 * axes list leaves out must equal the input's). */
static om_status infer_pad_runtime(om_graph *g, om_node *n, const om_value *x) {
    int r = x->shape.rank;
    int64_t np, na = r;
    bool constant;
    om_status st;
    if ((st = pad_check_mode(n, &constant)) != OM_OK) return st;
    if ((st = rt_ints(n, 1, "pads", &np)) != OM_OK) return st;
    bool padded[OM_MAX_RANK];
    for (int i = 0; i < r; i++) padded[i] = true;
    if (om_node_input(n, 3)) {
        if ((st = rt_ints(n, 3, "axes", &na)) != OM_OK) return st;
        if (om_infer_tensor_is_const(n, 3)) {
            int64_t axes[OM_MAX_RANK];
            int k;
            if ((st = om_infer_tensor_const_ints(n, 3, "axes", axes, OM_MAX_RANK, &k)) != OM_OK) return st;
            for (int i = 0; i < r; i++) padded[i] = false;
            for (int i = 0; i < k; i++) {
                int a;
                if ((st = om_infer_tensor_axis(n, "axes value", axes[i], r, &a)) != OM_OK) return st;
                if (padded[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
                padded[a] = true;
            }
        }
    }
    if (np != 2 * na)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (pads) has %" PRId64 " values, expected %" PRId64
                              " (2 per padded axis)", np, 2 * na);
    const om_value *y = n->outputs[0];
    if (y->shape.rank != r)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output has rank %d, input 0 '%s' rank %d",
                              y->shape.rank, x->name, r);
    for (int i = 0; i < r; i++) {
        int64_t d = x->shape.dims[i], o = y->shape.dims[i];
        if (d >= 0 && !padded[i] && o != d)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output dim %d is %" PRId64
                                  ", input 0 '%s' has %" PRId64 " and the axis is not padded", i, o, x->name, d);
        if (!constant && d == 0 && o > 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "mode '%s' cannot pad the empty axis %d",
                                  om_node_string(n, "mode", "constant"), i);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
}

om_status om_infer_pad(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    int r = x->shape.rank;
    if ((is_runtime(n, 1) || is_runtime(n, 3)) && om_infer_outputs_declared(n)) return infer_pad_runtime(g, n, x);
    int64_t pads[2 * OM_MAX_RANK], axes[OM_MAX_RANK];
    int np, na = r;
    if ((st = om_infer_tensor_const_ints(n, 1, "pads", pads, 2 * OM_MAX_RANK, &np)) != OM_OK) return st;
    if (om_node_input(n, 3)) {
        if ((st = om_infer_tensor_const_ints(n, 3, "axes", axes, OM_MAX_RANK, &na)) != OM_OK) return st;
    } else {
        for (int i = 0; i < r; i++) axes[i] = i;
    }
    if (np != 2 * na)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (pads) has %d values, expected %d (2 per padded axis)", np,
                              2 * na);
    const char *mode = om_node_string(n, "mode", "constant");
    bool constant;
    if ((st = pad_check_mode(n, &constant)) != OM_OK) return st;
    om_shape out = x->shape;
    bool seen[OM_MAX_RANK] = {false};
    for (int i = 0; i < na; i++) {
        int a;
        if ((st = om_infer_tensor_axis(n, "axes value", axes[i], r, &a)) != OM_OK) return st;
        if (seen[a]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "axes lists axis %d twice", a);
        seen[a] = true;
        int64_t pb = pads[i], pe = pads[i + na], d = x->shape.dims[a];
        if (d < 0) {
            out.dims[a] = OM_DIM_UNKNOWN;
            continue;
        }
        if (!constant && d == 0 && (pb > 0 || pe > 0))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "mode '%s' cannot pad the empty axis %d", mode, a);
        int64_t o = d + pb + pe;
        if (o < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "pads %" PRId64 ", %" PRId64 " crop axis %d (dim %" PRId64 ") below zero",
                                  pb, pe, a, d);
        out.dims[a] = o;
        out.syms[a] = NULL;
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- Gather, Compress -------------------------------------------------------------------- */

static om_status check_indices(const om_node *n, int i) {
    const om_value *v = om_node_input(n, i);
    if (v && v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' (indices) has dtype %s, expected i64 or i32", i,
                              v->name, om_dtype_name(v->dtype));
    return OM_OK;
}

/* Compress with a run-time condition: the declared output (the kernel checks the number of
 * true entries against the declared dim). */
static om_status infer_compress_runtime(om_graph *g, om_node *n, const om_value *x) {
    const om_value *c = n->inputs[1], *y = n->outputs[0];
    if (c->shape.rank != 1 || !om_shape_is_static(&c->shape) || om_dtype_size(c->dtype) == 0 ||
        c->dtype == OM_DT_STRING)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (condition) must be 1-D with a static length",
                              c->name);
    const om_attr *aa = om_node_attr(n, "axis");
    int axis = 0;
    int64_t d;
    if (aa) {
        om_status st = om_infer_tensor_axis(n, "attribute axis", aa->i, x->shape.rank, &axis);
        if (st != OM_OK) return st;
        d = x->shape.dims[axis];
        if (y->shape.rank != x->shape.rank)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output has rank %d, input 0 '%s' rank %d",
                                  y->shape.rank, x->name, x->shape.rank);
        for (int i = 0; i < x->shape.rank; i++)
            if (i != axis && x->shape.dims[i] >= 0 && y->shape.dims[i] != x->shape.dims[i])
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output dim %d is %" PRId64
                                      ", input 0 '%s' has %" PRId64, i, y->shape.dims[i], x->name, x->shape.dims[i]);
    } else {
        d = om_shape_numel(&x->shape);
        if (y->shape.rank != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output has rank %d, expected 1 (no axis)",
                                  y->shape.rank);
    }
    int64_t most = c->shape.dims[0];
    if (d >= 0 && d < most) most = d;
    if (y->shape.dims[axis] > most)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output dim %d is %" PRId64
                              ", more than the %" PRId64 " entries the condition can select", axis,
                              y->shape.dims[axis], most);
    return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
}

static om_status infer_compress(om_graph *g, om_node *n, const om_value *x) {
    const om_value *c = n->inputs[1];
    if (!om_infer_tensor_is_const(n, 1) && om_infer_outputs_declared(n)) return infer_compress_runtime(g, n, x);
    if (!om_infer_tensor_is_const(n, 1))
        return om_infer_error(n, OM_ERR_UNSUPPORTED,
                              "data-dependent output shape: input 1 ('%s', condition) is computed at run time; "
                              "only a compile-time constant condition is supported",
                              c->name);
    if (c->shape.rank != 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (condition) must be 1-D", c->name);
    int64_t len = c->shape.dims[0];
    if (len < 0 || om_dtype_size(c->dtype) == 0 || c->nbytes != (size_t)len * om_dtype_size(c->dtype))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (condition) has inconsistent data", c->name);
    const om_attr *aa = om_node_attr(n, "axis");
    int64_t d;
    om_shape out;
    int axis = -1;
    if (aa) {
        om_status st = om_infer_tensor_axis(n, "attribute axis", aa->i, x->shape.rank, &axis);
        if (st != OM_OK) return st;
        d = x->shape.dims[axis];
        out = x->shape;
    } else {
        d = om_shape_numel(&x->shape);
        out = om_shape_make(1, &d);
        axis = 0;
    }
    int64_t count = 0;
    for (int64_t k = 0; k < len; k++) {
        if (om_infer_tensor_get_f64(c->dtype, c->data, k) == 0) continue;
        if (d >= 0 && k >= d)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (condition) selects index %" PRId64
                                  " beyond the dim %" PRId64, c->name, k, d);
        count++;
    }
    out.dims[axis] = count;
    out.syms[axis] = NULL;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

om_status om_infer_gather(om_graph *g, om_node *n) {
    om_value *x, *idx;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &idx)) != OM_OK) return st;
    if (n->op == OM_OP_COMPRESS) return infer_compress(g, n, x);
    if ((st = check_indices(n, 1)) != OM_OK) return st;
    int r = x->shape.rank, q = idx->shape.rank, axis;
    if (r < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' is a scalar", x->name);
    if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", 0), r, &axis)) != OM_OK) return st;
    if (r - 1 + q > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "output rank %d exceeds the maximum rank %d", r - 1 + q, OM_MAX_RANK);
    om_shape out = {0};
    for (int i = 0; i < axis; i++) out.dims[out.rank] = x->shape.dims[i], out.syms[out.rank++] = x->shape.syms[i];
    for (int i = 0; i < q; i++) out.dims[out.rank] = idx->shape.dims[i], out.syms[out.rank++] = idx->shape.syms[i];
    for (int i = axis + 1; i < r; i++) out.dims[out.rank] = x->shape.dims[i], out.syms[out.rank++] = x->shape.syms[i];
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- GatherElements, GatherND ------------------------------------------------------------- */

om_status om_infer_gather_elements(om_graph *g, om_node *n) {
    om_value *x, *idx;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &idx)) != OM_OK) return st;
    if ((st = check_indices(n, 1)) != OM_OK) return st;
    int r = x->shape.rank, axis;
    if (r < 1 || idx->shape.rank != r)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (indices) has rank %d, expected %d (the rank of data)",
                              idx->name, idx->shape.rank, r);
    if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", 0), r, &axis)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, x->dtype, &idx->shape);
}

om_status om_infer_gather_nd(om_graph *g, om_node *n) {
    om_value *x, *idx;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &idx)) != OM_OK) return st;
    if (idx->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (indices) has dtype %s, expected i64", idx->name,
                              om_dtype_name(idx->dtype));
    int r = x->shape.rank, q = idx->shape.rank;
    int64_t b = om_node_int(n, "batch_dims", 0);
    if (r < 1 || q < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "data and indices need rank >= 1");
    int64_t k = idx->shape.dims[q - 1];
    if (b < 0 || b >= q || b >= r)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "batch_dims %" PRId64 " must be below both ranks (%d, %d)", b, r, q);
    if (k < 1 || k > r - b)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the last dim of indices (%" PRId64 ") must be in [1, %" PRId64 "]", k,
                              r - b);
    for (int i = 0; i < b; i++) {
        bool ok = true;
        om_infer_merge_dim(x->shape.dims[i], idx->shape.dims[i], &ok);
        if (!ok) return om_infer_error(n, OM_ERR_INVALID_MODEL, "batch dim %d differs between data and indices", i);
    }
    int orank = q - 1 + r - (int)b - (int)k;
    if (orank > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "output rank %d exceeds the maximum rank %d", orank, OM_MAX_RANK);
    om_shape out = {0};
    for (int i = 0; i < q - 1; i++) out.dims[out.rank] = idx->shape.dims[i], out.syms[out.rank++] = idx->shape.syms[i];
    for (int i = (int)(b + k); i < r; i++) out.dims[out.rank] = x->shape.dims[i], out.syms[out.rank++] = x->shape.syms[i];
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- ScatterElements, ScatterND ----------------------------------------------------------- */

om_status om_infer_scatter(om_graph *g, om_node *n) {
    om_value *x, *idx, *upd;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &idx)) != OM_OK ||
        (st = om_infer_need_input(n, 2, &upd)) != OM_OK)
        return st;
    if ((st = check_indices(n, 1)) != OM_OK) return st;
    if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
    const char *red = om_node_string(n, "reduction", "none");
    if (strcmp(red, "none") && strcmp(red, "add") && strcmp(red, "mul") && strcmp(red, "max") && strcmp(red, "min"))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "reduction '%s' is not supported (none, add, mul, max, min)", red);
    if (strcmp(red, "none") && x->dtype == OM_DT_BOOL)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "reduction '%s' on bool data", red);
    int r = x->shape.rank, q = idx->shape.rank;
    char b1[128], b2[128];
    if (n->op == OM_OP_SCATTER_ELEMENTS) {
        int axis;
        if (r < 1 || q != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (indices) has rank %d, expected %d", idx->name, q, r);
        if ((st = om_infer_tensor_axis(n, "attribute axis", om_node_int(n, "axis", 0), r, &axis)) != OM_OK) return st;
        if (!om_shape_equal(&idx->shape, &upd->shape) && om_shape_is_static(&idx->shape) && om_shape_is_static(&upd->shape))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "updates %s and indices %s differ in shape",
                                  om_infer_shape_str(&upd->shape, b1, sizeof b1), om_infer_shape_str(&idx->shape, b2, sizeof b2));
    } else {
        if (idx->dtype != OM_DT_INT64)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (indices) must be i64", idx->name);
        int64_t k = q >= 1 ? idx->shape.dims[q - 1] : -1;
        if (k < 1 || k > r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "the last dim of indices (%" PRId64 ") must be in [1, %d]", k, r);
        int ur = q - 1 + r - (int)k;
        bool ok = upd->shape.rank == ur;
        for (int i = 0; ok && i < ur; i++) {
            int64_t want = i < q - 1 ? idx->shape.dims[i] : x->shape.dims[k + i - (q - 1)];
            om_infer_merge_dim(want, upd->shape.dims[i], &ok);
        }
        if (!ok)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "updates %s must be indices.shape[:-1] + data.shape[%" PRId64 ":] (indices %s)",
                                  om_infer_shape_str(&upd->shape, b1, sizeof b1), k,
                                  om_infer_shape_str(&idx->shape, b2, sizeof b2));
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}
