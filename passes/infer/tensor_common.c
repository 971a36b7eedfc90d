/* See tensor_common.h: constant-input readers and in-place output folding for the tensor
 * op group's shape rules. Every reader validates dtype, rank, element count and data size
 * before touching the data.
 */
#include "passes/infer/tensor_common.h"

#include <inttypes.h>
#include <string.h>

#include "ir/half.h"

bool om_infer_tensor_is_const(const om_node *n, int i) {
    const om_value *v = om_node_input(n, i);
    return v && v->kind == OM_VALUE_CONSTANT && (v->data || v->nbytes == 0);
}

static om_status need_const(const om_node *n, int i, const char *what, const om_value **out) {
    const om_value *v = om_node_input(n, i);
    if (!v) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d (%s) is missing", i, what);
    if (!om_infer_tensor_is_const(n, i))
        return om_infer_error(n, OM_ERR_UNSUPPORTED,
                              "input %d ('%s', %s) must be a compile-time constant: it determines the output shape", i,
                              v->name, what);
    int64_t numel = om_shape_numel(&v->shape);
    size_t es = om_dtype_size(v->dtype);
    if (numel < 0 || es == 0 || v->nbytes != (size_t)numel * es)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) has %zu bytes of data for %" PRId64
                              " elements of %s", i, v->name, what, v->nbytes, numel, om_dtype_name(v->dtype));
    *out = v;
    return OM_OK;
}

double om_infer_tensor_get_f64(om_dtype dt, const void *data, int64_t k) {
    const unsigned char *p = data;
    switch (dt) {
    case OM_DT_FLOAT: { float f; memcpy(&f, p + 4 * k, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, p + 8 * k, 8); return d; }
    case OM_DT_FLOAT16: { uint16_t h; memcpy(&h, p + 2 * k, 2); return om_ir_f16_to_f32(h); }
    case OM_DT_BFLOAT16: { uint16_t h; memcpy(&h, p + 2 * k, 2); return om_ir_bf16_to_f32(h); }
    case OM_DT_INT8: return ((const int8_t *)data)[k];
    case OM_DT_UINT8: case OM_DT_BOOL: return p[k];
    case OM_DT_INT16: { int16_t x; memcpy(&x, p + 2 * k, 2); return x; }
    case OM_DT_UINT16: { uint16_t x; memcpy(&x, p + 2 * k, 2); return x; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p + 4 * k, 4); return x; }
    case OM_DT_UINT32: { uint32_t x; memcpy(&x, p + 4 * k, 4); return x; }
    case OM_DT_INT64: { int64_t x; memcpy(&x, p + 8 * k, 8); return (double)x; }
    case OM_DT_UINT64: { uint64_t x; memcpy(&x, p + 8 * k, 8); return (double)x; }
    default: return 0;
    }
}

int64_t om_infer_tensor_get_i64(om_dtype dt, const void *data, int64_t k) {
    const unsigned char *p = data;
    switch (dt) {
    case OM_DT_INT64: { int64_t x; memcpy(&x, p + 8 * k, 8); return x; }
    case OM_DT_UINT64: { uint64_t x; memcpy(&x, p + 8 * k, 8); return (int64_t)x; }
    default: {
        double d = om_infer_tensor_get_f64(dt, data, k);
        if (d != d) return 0;
        if (d >= 9.2e18) return INT64_MAX;
        if (d <= -9.2e18) return INT64_MIN;
        return (int64_t)d;
    }
    }
}

om_status om_infer_tensor_const_ints(const om_node *n, int i, const char *what, int64_t *out, int max,
                                     int *count) {
    const om_value *v;
    om_status st = need_const(n, i, what, &v);
    if (st != OM_OK) return st;
    if (v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) has dtype %s, expected i64 or i32", i,
                              v->name, what, om_dtype_name(v->dtype));
    if (v->shape.rank > 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) must be 1-D, found rank %d", i, v->name,
                              what, v->shape.rank);
    int64_t numel = om_shape_numel(&v->shape);
    if (numel > max)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d ('%s', %s) has %" PRId64 " values, at most %d supported",
                              i, v->name, what, numel, max);
    for (int64_t k = 0; k < numel; k++) out[k] = om_infer_tensor_get_i64(v->dtype, v->data, k);
    *count = (int)numel;
    return OM_OK;
}

om_status om_infer_tensor_const_scalar(const om_node *n, int i, const char *what, double *out) {
    const om_value *v;
    om_status st = need_const(n, i, what, &v);
    if (st != OM_OK) return st;
    if (om_shape_numel(&v->shape) != 1) {
        char b[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s', %s) must be a scalar, found shape %s", i,
                              v->name, what, om_infer_shape_str(&v->shape, b, sizeof b));
    }
    if (om_dtype_size(v->dtype) == 0 || v->dtype == OM_DT_STRING)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d ('%s', %s) has dtype %s", i, v->name, what,
                              om_dtype_name(v->dtype));
    *out = om_infer_tensor_get_f64(v->dtype, v->data, 0);
    return OM_OK;
}

om_status om_infer_tensor_fold(om_graph *g, om_node *n, int i, om_dtype dt, const om_shape *s, const void *data,
                               size_t nbytes) {
    if (i < 0 || i >= n->n_outputs || !n->outputs[i]) return OM_OK;
    int64_t numel = om_shape_numel(s);
    if (numel < 0 || nbytes != (size_t)numel * om_dtype_size(dt))
        return om_infer_error(n, OM_ERR_INTERNAL, "folding output %d: %zu bytes for %" PRId64 " elements", i, nbytes,
                              numel);
    om_status st = om_infer_set_output(g, n, i, dt, s);
    if (st != OM_OK) return st;
    om_value *v = n->outputs[i];
    void *copy = om_graph_alloc(g, nbytes ? nbytes : 1);
    if (!copy) return om_infer_error(n, OM_ERR_NO_MEMORY, "out of memory folding output %d '%s'", i, v->name);
    if (nbytes) memcpy(copy, data, nbytes);
    v->kind = OM_VALUE_CONSTANT;
    v->data = copy;
    v->nbytes = nbytes;
    v->producer = NULL;
    v->producer_output = 0;
    v->mem_offset = -1;
    return OM_OK;
}

void om_infer_tensor_fold_done(om_node *n) { n->dead = true; }

om_status om_infer_tensor_axis(const om_node *n, const char *what, int64_t axis, int rank, int *out) {
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "%s %" PRId64 " is out of range [%d, %d] for rank %d", what, axis,
                              -rank, rank - 1, rank);
    *out = (int)a;
    return OM_OK;
}
