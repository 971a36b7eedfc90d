/* Shape rules of the ops whose output SIZE depends on the data: NonZero and Unique
 * (families nonzero, unique). When the input is a compile-time constant the rule computes
 * the result here and folds every output into a constant (the node dies, no kernel runs).
 * A run-time input is accepted when the model declares every output's static shape (the
 * kernel checks the real count against it); otherwise it is OM_ERR_UNSUPPORTED
 * "data-dependent output shape".
 *
 * NonZero(X): int64 [rank, count], the coordinates of the non-zero elements in row-major
 * order (NaN counts as non-zero).
 * Unique(X, axis?, sorted = 1): without axis X is flattened; with axis the unit is the
 * slice along that axis. Outputs: Y (unique units; sorted ascending, lexicographically for
 * slices, when sorted = 1, else in order of first occurrence), indices (first occurrence of
 * each Y unit in X), inverse_indices (for each unit of X, its place in Y), counts.
 * O(n log n) unit comparisons (a stable merge sort groups equal units).
 */
#include "passes/infer/tensor_common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static om_status data_dependent(const om_node *n, const om_value *x) {
    return om_infer_error(n, OM_ERR_UNSUPPORTED,
                          "data-dependent output shape: input 0 ('%s') is computed at run time; only a compile-time "
                          "constant input is supported (the result is folded)",
                          x->name);
}

static om_status check_data(const om_node *n, const om_value *x) {
    int64_t numel = om_shape_numel(&x->shape);
    size_t es = om_dtype_size(x->dtype);
    if (numel < 0 || es == 0 || x->dtype == OM_DT_STRING || x->nbytes != (size_t)numel * es)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has inconsistent constant data", x->name);
    return OM_OK;
}

static om_status fold_nonzero(om_graph *g, om_node *n, const om_value *x) {
    int r = x->shape.rank;
    int64_t numel = om_shape_numel(&x->shape), count = 0;
    for (int64_t k = 0; k < numel; k++)
        if (om_infer_tensor_get_f64(x->dtype, x->data, k) != 0) count++;
    int64_t dims[2] = {r, count};
    om_shape s = om_shape_make(2, dims);
    size_t nbytes = (size_t)(r * count) * sizeof(int64_t);
    int64_t *out = malloc(nbytes ? nbytes : 1);
    if (!out) return om_infer_error(n, OM_ERR_NO_MEMORY, "out of memory");
    int64_t j = 0;
    for (int64_t k = 0; k < numel; k++) {
        if (om_infer_tensor_get_f64(x->dtype, x->data, k) == 0) continue;
        int64_t rest = k;
        for (int d = r - 1; d >= 0; d--) {
            out[d * count + j] = rest % x->shape.dims[d];
            rest /= x->shape.dims[d];
        }
        j++;
    }
    om_status st = om_infer_tensor_fold(g, n, 0, OM_DT_INT64, &s, out, nbytes);
    free(out);
    if (st == OM_OK) om_infer_tensor_fold_done(n);
    return st;
}

/* ---- Unique ---------------------------------------------------------------------------- */

typedef struct unique_view {
    const om_value *x;
    int64_t outer, units, inner; /* X as [outer, units, inner]; a unit is [outer, inner] */
} unique_view;

/* Compares units a and b element by element (as doubles: every numeric dtype fits for
 * ordering purposes except int64 beyond 2^53, compared as int64 then). */
static int unit_cmp(const unique_view *v, int64_t a, int64_t b) {
    om_dtype dt = v->x->dtype;
    bool wide = dt == OM_DT_INT64 || dt == OM_DT_UINT64;
    for (int64_t o = 0; o < v->outer; o++)
        for (int64_t i = 0; i < v->inner; i++) {
            int64_t ka = (o * v->units + a) * v->inner + i, kb = (o * v->units + b) * v->inner + i;
            if (wide) {
                int64_t xa = om_infer_tensor_get_i64(dt, v->x->data, ka), xb = om_infer_tensor_get_i64(dt, v->x->data, kb);
                if (dt == OM_DT_UINT64 ? (uint64_t)xa != (uint64_t)xb : xa != xb)
                    return dt == OM_DT_UINT64 ? ((uint64_t)xa < (uint64_t)xb ? -1 : 1) : (xa < xb ? -1 : 1);
            } else {
                double xa = om_infer_tensor_get_f64(dt, v->x->data, ka), xb = om_infer_tensor_get_f64(dt, v->x->data, kb);
                if (xa != xb) return xa < xb ? -1 : 1;
            }
        }
    return 0;
}

/* Stable merge sort of idx[0..n) by unit_cmp (tmp: n scratch entries). */
static void sort_units(const unique_view *v, int64_t *idx, int64_t *tmp, int64_t n) {
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) tmp[k++] = unit_cmp(v, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
            while (a < mid) tmp[k++] = idx[a++];
            while (b < hi) tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, (size_t)n * sizeof *idx);
    }
}

static om_status fold_unique(om_graph *g, om_node *n, const om_value *x) {
    unique_view v = {x, 1, 0, 1};
    const om_attr *aa = om_node_attr(n, "axis");
    int axis = -1;
    om_status st = OM_OK;
    if (aa) {
        if ((st = om_infer_tensor_axis(n, "attribute axis", aa->i, x->shape.rank, &axis)) != OM_OK) return st;
        for (int i = 0; i < x->shape.rank; i++) {
            if (i < axis) v.outer *= x->shape.dims[i];
            else if (i > axis) v.inner *= x->shape.dims[i];
        }
        v.units = x->shape.dims[axis];
    } else {
        v.units = om_shape_numel(&x->shape);
    }
    bool sorted = om_node_int(n, "sorted", 1) != 0;
    int64_t nu = v.units;
    size_t cap = (size_t)(nu ? nu : 1) * sizeof(int64_t);
    int64_t *order = malloc(cap), *tmp = malloc(cap), *first = malloc(cap), *counts = malloc(cap);
    int64_t *inverse = malloc(cap), *group = malloc(cap);
    unsigned char *ybuf = NULL;
    if (!order || !tmp || !first || !counts || !inverse || !group) {
        st = om_infer_error(n, OM_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    /* sort the units by value (stable: equal units keep index order, so the first of a run
     * is the first occurrence), then cut the runs into groups */
    for (int64_t u = 0; u < nu; u++) order[u] = u;
    sort_units(&v, order, tmp, nu);
    int64_t ny = 0;
    for (int64_t k = 0; k < nu; k++) {
        if (k == 0 || unit_cmp(&v, order[k - 1], order[k]) != 0) {
            first[ny] = order[k];
            counts[ny] = 0;
            ny++;
        }
        counts[ny - 1]++;
        group[order[k]] = ny - 1; /* value rank of unit order[k] */
    }
    if (!sorted) {
        /* output order = first occurrence: walk X's units in order and number the groups
         * as their first units appear (tmp: group of a first unit or -1; order: new place
         * of each value-ranked group) */
        for (int64_t u = 0; u < nu; u++) tmp[u] = -1;
        for (int64_t j = 0; j < ny; j++) tmp[first[j]] = j;
        int64_t k = 0;
        for (int64_t u = 0; u < nu; u++)
            if (tmp[u] >= 0) order[tmp[u]] = k++;
        for (int64_t u = 0; u < nu; u++) inverse[u] = order[group[u]];
        /* permute first/counts into the new order (through tmp and group as scratch) */
        for (int64_t j = 0; j < ny; j++) {
            tmp[order[j]] = first[j];
            group[order[j]] = counts[j];
        }
        memcpy(first, tmp, (size_t)ny * sizeof *first);
        memcpy(counts, group, (size_t)ny * sizeof *counts);
    } else {
        for (int64_t u = 0; u < nu; u++) inverse[u] = group[u];
    }
    /* Y */
    size_t es = om_dtype_size(x->dtype);
    om_shape ys;
    if (aa) {
        ys = x->shape;
        ys.dims[axis] = ny;
        for (int i = 0; i < ys.rank; i++) ys.syms[i] = NULL;
    } else {
        ys = om_shape_make(1, &ny);
    }
    size_t ybytes = (size_t)(v.outer * ny * v.inner) * es;
    ybuf = malloc(ybytes ? ybytes : 1);
    if (!ybuf) {
        st = om_infer_error(n, OM_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    const unsigned char *xd = x->data;
    for (int64_t o = 0; o < v.outer; o++)
        for (int64_t j = 0; j < ny; j++)
            memcpy(ybuf + (size_t)((o * ny + j) * v.inner) * es, xd + (size_t)((o * nu + first[j]) * v.inner) * es,
                   (size_t)v.inner * es);
    om_shape s_ny = om_shape_make(1, &ny), s_nu = om_shape_make(1, &nu);
    if ((st = om_infer_tensor_fold(g, n, 0, x->dtype, &ys, ybuf, ybytes)) != OM_OK) goto fail;
    if ((st = om_infer_tensor_fold(g, n, 1, OM_DT_INT64, &s_ny, first, (size_t)ny * sizeof(int64_t))) != OM_OK) goto fail;
    if ((st = om_infer_tensor_fold(g, n, 2, OM_DT_INT64, &s_nu, inverse, (size_t)nu * sizeof(int64_t))) != OM_OK) goto fail;
    if ((st = om_infer_tensor_fold(g, n, 3, OM_DT_INT64, &s_ny, counts, (size_t)ny * sizeof(int64_t))) != OM_OK) goto fail;
    om_infer_tensor_fold_done(n);
fail:
    free(order);
    free(tmp);
    free(first);
    free(counts);
    free(inverse);
    free(group);
    free(ybuf);
    return st;
}

/* ---- run-time input: the declared shapes ---------------------------------------------------
 * The kernels (codegen/kernels/tensor_nonzero.c, tensor_unique.c) compute the real count at
 * run time and check it against these dims (OM_ART_CHECK_OUTPUT_SIZE). */

static om_status declared_dim(const om_node *n, int i, int rank, int64_t *dims) {
    const om_value *v = n->outputs[i];
    if (v->shape.rank != rank)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d '%s' is declared with rank %d, expected %d", i, v->name,
                              v->shape.rank, rank);
    for (int k = 0; k < rank; k++) dims[k] = v->shape.dims[k];
    return OM_OK;
}

static om_status nonzero_declared(om_graph *g, om_node *n, const om_value *x) {
    int64_t d[2] = {0, 0}, numel = om_shape_numel(&x->shape);
    om_status st = declared_dim(n, 0, 2, d);
    if (st != OM_OK) return st;
    if (d[0] != x->shape.rank || (numel >= 0 && d[1] > numel))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the declared output [%" PRId64 ",%" PRId64 "] cannot hold the "
                              "coordinates of rank-%d input 0 '%s' (at most %" PRId64 " non-zeros)", d[0], d[1],
                              x->shape.rank, x->name, numel);
    return om_infer_set_output(g, n, 0, OM_DT_INT64, &n->outputs[0]->shape);
}

static om_status unique_declared(om_graph *g, om_node *n, const om_value *x) {
    const om_attr *aa = om_node_attr(n, "axis");
    int axis = 0, r = x->shape.rank;
    int64_t units = om_shape_numel(&x->shape);
    om_status st;
    if (aa) {
        if ((st = om_infer_tensor_axis(n, "attribute axis", aa->i, r, &axis)) != OM_OK) return st;
        units = x->shape.dims[axis];
    }
    const om_value *y = n->outputs[0];
    int yr = aa ? r : 1;
    int64_t yd[OM_MAX_RANK] = {0}, d1[1] = {0};
    if ((st = declared_dim(n, 0, yr, yd)) != OM_OK) return st;
    int64_t ny = yd[axis];
    for (int i = 0; aa && i < r; i++)
        if (i != axis && x->shape.dims[i] >= 0 && yd[i] != x->shape.dims[i])
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared with dim %d = %" PRId64
                                  ", input 0 '%s' has %" PRId64, y->name, i, yd[i], x->name, x->shape.dims[i]);
    if (units >= 0 && (ny > units || (units > 0 && ny < 1)))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' declares %" PRId64 " unique units of %" PRId64,
                              y->name, ny, units);
    for (int i = 1; i < n->n_outputs; i++) {
        if ((st = declared_dim(n, i, 1, d1)) != OM_OK) return st;
        int64_t want = i == 2 ? units : ny;
        if (want >= 0 && d1[0] != want)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d '%s' is declared with %" PRId64 " values, expected %"
                                  PRId64, i, n->outputs[i]->name, d1[0], want);
    }
    if ((st = om_infer_set_output(g, n, 0, x->dtype, &y->shape)) != OM_OK) return st;
    for (int i = 1; i < n->n_outputs; i++)
        if ((st = om_infer_set_output(g, n, i, OM_DT_INT64, &n->outputs[i]->shape)) != OM_OK) return st;
    return OM_OK;
}

static om_status infer_data_dependent(om_graph *g, om_node *n) {
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK) return st;
    bool nz = n->op == OM_OP_NON_ZERO;
    if (!om_infer_tensor_is_const(n, 0)) {
        if (!om_infer_outputs_declared(n)) return data_dependent(n, x);
        if (x->dtype == OM_DT_STRING || om_dtype_size(x->dtype) == 0 || !om_shape_is_static(&x->shape))
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' must have a static shape and a numeric dtype (%s)",
                                  x->name, om_dtype_name(x->dtype));
        return nz ? nonzero_declared(g, n, x) : unique_declared(g, n, x);
    }
    if ((st = check_data(n, x)) != OM_OK) return st;
    return nz ? fold_nonzero(g, n, x) : fold_unique(g, n, x);
}

om_status om_infer_nonzero(om_graph *g, om_node *n) {
    return infer_data_dependent(g, n);
}

om_status om_infer_unique(om_graph *g, om_node *n) {
    return infer_data_dependent(g, n);
}
