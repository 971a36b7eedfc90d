/* Helpers shared by the shape rules: node-naming errors, shape formatting, input checks,
 * axis normalization, broadcasting and the merge of an inferred output type with the
 * type the model declared. Invariant of om_infer_set_output: it never loses information
 * (a dim static on either side stays static) and never accepts a contradiction.
 */
#include "passes/infer/infer.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

om_status om_infer_error(const om_node *n, om_status code, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *name = n && n->name ? n->name : "";
    const char *op = n ? om_op_name(n->op) : "?";
    if (name[0]) return om_error(code, "node '%s' (%s): %s", name, op, msg);
    return om_error(code, "node #%u (%s): %s", n ? n->id : 0u, op, msg);
}

const char *om_infer_shape_str(const om_shape *s, char *buf, size_t len) {
    if (!buf || len == 0) return "";
    buf[0] = '\0';
    if (!s || s->rank < 0) {
        snprintf(buf, len, "[unknown rank]");
        return buf;
    }
    size_t k = 0;
    k += (size_t)snprintf(buf + k, len - k, "[");
    for (int i = 0; i < s->rank && i < OM_MAX_RANK && k < len; i++) {
        const char *sep = i ? "," : "";
        if (s->dims[i] >= 0)
            k += (size_t)snprintf(buf + k, len - k, "%s%" PRId64, sep, s->dims[i]);
        else if (s->syms[i])
            k += (size_t)snprintf(buf + k, len - k, "%s%s", sep, s->syms[i]);
        else
            k += (size_t)snprintf(buf + k, len - k, "%s?", sep);
    }
    if (k < len) snprintf(buf + k, len - k, "]");
    return buf;
}

om_status om_infer_need_input(const om_node *n, int i, om_value **out) {
    om_value *v = om_node_input(n, i);
    if (!v) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d is missing", i);
    *out = v;
    return OM_OK;
}

om_status om_infer_check_rank(const om_node *n, int i, int rank) {
    om_value *v;
    om_status st = om_infer_need_input(n, i, &v);
    if (st != OM_OK) return st;
    if (v->shape.rank != rank) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s': expected rank %d, found rank %d %s", i,
                              v->name, rank, v->shape.rank, om_infer_shape_str(&v->shape, b, sizeof(b)));
    }
    return OM_OK;
}

om_status om_infer_check_same_dtype(const om_node *n, int i, int ref) {
    om_value *v = om_node_input(n, i), *r = om_node_input(n, ref);
    if (!v || !r) return OM_OK;
    if (v->dtype != r->dtype)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "input %d '%s' has dtype %s, expected %s (the dtype of input %d '%s')", i, v->name,
                              om_dtype_name(v->dtype), om_dtype_name(r->dtype), ref, r->name);
    return OM_OK;
}

om_status om_infer_check_float(const om_node *n, int i) {
    om_value *v = om_node_input(n, i);
    if (v && !om_dtype_is_float(v->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' has dtype %s, expected a floating type", i,
                              v->name, om_dtype_name(v->dtype));
    return OM_OK;
}

om_status om_infer_axis(const om_node *n, const char *attr, int64_t axis, int rank, int extra, int *out) {
    int64_t hi = rank + extra;
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= hi)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute %s=%" PRId64 " is out of range [%d, %" PRId64 "] for rank %d",
                              attr, axis, -rank, hi - 1, rank);
    *out = (int)a;
    return OM_OK;
}

int64_t om_infer_merge_dim(int64_t a, int64_t b, bool *ok) {
    if (a >= 0 && b >= 0) {
        if (a != b) *ok = false;
        return a;
    }
    return a >= 0 ? a : b;
}

bool om_infer_broadcast(const om_shape *a, const om_shape *b, om_shape *out, int *bad_dim) {
    int r = a->rank > b->rank ? a->rank : b->rank;
    om_shape o = {0};
    o.rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        const char *sa = ia >= 0 ? a->syms[ia] : NULL, *sb = ib >= 0 ? b->syms[ib] : NULL;
        int64_t d;
        const char *sym = NULL;
        if (da >= 0 && db >= 0) {
            if (da != db && da != 1 && db != 1) {
                if (bad_dim) *bad_dim = i;
                return false;
            }
            d = da == 1 ? db : da;
        } else if (da == 1) {
            d = db, sym = sb;
        } else if (db == 1) {
            d = da, sym = sa;
        } else if (da >= 0) {
            d = da; /* the unknown side must be 1 or da */
        } else if (db >= 0) {
            d = db;
        } else {
            d = OM_DIM_UNKNOWN;
            sym = (sa && sb && strcmp(sa, sb) == 0) ? sa : NULL;
        }
        o.dims[i] = d;
        o.syms[i] = d < 0 ? sym : NULL;
    }
    *out = o;
    return true;
}

om_status om_infer_set_output(om_graph *g, om_node *n, int i, om_dtype dt, const om_shape *s) {
    (void)g;
    if (i < 0 || i >= n->n_outputs || !n->outputs[i]) return OM_OK;
    om_value *v = n->outputs[i];
    if (v->dtype != OM_DT_UNDEFINED && v->dtype != dt)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d '%s' is declared %s but the op gives %s", i,
                              v->name, om_dtype_name(v->dtype), om_dtype_name(dt));
    om_shape merged = *s;
    if (v->shape.rank >= 0 && s->rank >= 0) {
        char b1[128], b2[128];
        if (v->shape.rank != s->rank)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d '%s' is declared %s but the op gives %s", i,
                                  v->name, om_infer_shape_str(&v->shape, b1, sizeof(b1)),
                                  om_infer_shape_str(s, b2, sizeof(b2)));
        for (int d = 0; d < s->rank; d++) {
            int64_t dv = v->shape.dims[d], ds = s->dims[d];
            if (dv >= 0 && ds >= 0 && dv != ds)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "output %d '%s' is declared %s but the op gives %s (dim %d: %" PRId64
                                      " vs %" PRId64 ")",
                                      i, v->name, om_infer_shape_str(&v->shape, b1, sizeof(b1)),
                                      om_infer_shape_str(s, b2, sizeof(b2)), d, dv, ds);
            if (ds < 0 && dv >= 0) {
                merged.dims[d] = dv;
                merged.syms[d] = NULL;
            } else if (ds < 0 && !merged.syms[d]) {
                merged.syms[d] = v->shape.syms[d];
            }
        }
    } else if (s->rank < 0) {
        merged = v->shape;
    }
    v->dtype = dt;
    v->shape = merged;
    return OM_OK;
}

bool om_infer_outputs_declared(const om_node *n)
{
    if (n->n_outputs < 1)
        return false;
    for (int i = 0; i < n->n_outputs; i++) {
        const om_value *v = n->outputs[i];
        if (v && !om_shape_is_static(&v->shape))
            return false;
    }
    return true;
}
