/* TensorProto -> little-endian bytes, in every storage form ONNX allows:
 *   - external data (data_location EXTERNAL; external_data.c),
 *   - raw_data (used as is, no copy),
 *   - typed fields: float_data (FLOAT, COMPLEX64), int32_data (INT32, INT16, INT8, UINT16,
 *     UINT8, BOOL, FLOAT16, BFLOAT16: narrowed to the element width; the 16-bit floats are
 *     their bit patterns), int64_data (INT64), double_data (DOUBLE, COMPLEX128),
 *     uint64_data (UINT32, UINT64).
 * Invariant on success: nbytes == numel(shape) * om_dtype_size(dtype), checked before any
 * copy; a mismatch names the tensor, its dtype and dims, expected and found sizes.
 * STRING tensors and segmented tensors are unsupported. The host is little-endian (x86-64,
 * AArch64), so raw_data needs no byte swapping.
 *
 * Also om_fe_load_tensor_file / om_fe_tensor_free (the public TensorProto file reader).
 */
#include "frontend/fe_internal.h"

#include <stdlib.h>
#include <string.h>

/* "[2,3,4]" into buf, for messages */
static const char *dims_str(const Onnx__TensorProto *t, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    len += (size_t)snprintf(buf + len, cap - len, "[");
    for (size_t i = 0; i < t->n_dims && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? "," : "", (long long)t->dims[i]);
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
    return buf;
}

/* Element count of the typed field that holds dtype's data, and the field itself. */
static size_t typed_count(const Onnx__TensorProto *t, om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_COMPLEX64:
        return t->n_float_data;
    case OM_DT_INT32: case OM_DT_INT16: case OM_DT_INT8: case OM_DT_UINT16: case OM_DT_UINT8:
    case OM_DT_BOOL: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
        return t->n_int32_data;
    case OM_DT_INT64:
        return t->n_int64_data;
    case OM_DT_DOUBLE: case OM_DT_COMPLEX128:
        return t->n_double_data;
    case OM_DT_UINT32: case OM_DT_UINT64:
        return t->n_uint64_data;
    default:
        return 0;
    }
}

/* Converts the typed field into dst (count elements of dt; complex counts as 2 scalars). */
static void typed_copy(const Onnx__TensorProto *t, om_dtype dt, void *dst, size_t count)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_COMPLEX64:
        memcpy(dst, t->float_data, count * sizeof(float));
        break;
    case OM_DT_DOUBLE: case OM_DT_COMPLEX128:
        memcpy(dst, t->double_data, count * sizeof(double));
        break;
    case OM_DT_INT64:
        memcpy(dst, t->int64_data, count * sizeof(int64_t));
        break;
    case OM_DT_INT32:
        memcpy(dst, t->int32_data, count * sizeof(int32_t));
        break;
    case OM_DT_INT16: case OM_DT_UINT16: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
        for (size_t i = 0; i < count; i++)
            ((uint16_t *)dst)[i] = (uint16_t)t->int32_data[i];
        break;
    case OM_DT_INT8: case OM_DT_UINT8:
        for (size_t i = 0; i < count; i++)
            ((uint8_t *)dst)[i] = (uint8_t)t->int32_data[i];
        break;
    case OM_DT_BOOL:
        for (size_t i = 0; i < count; i++)
            ((uint8_t *)dst)[i] = t->int32_data[i] != 0;
        break;
    case OM_DT_UINT32:
        for (size_t i = 0; i < count; i++)
            ((uint32_t *)dst)[i] = (uint32_t)t->uint64_data[i];
        break;
    case OM_DT_UINT64:
        memcpy(dst, t->uint64_data, count * sizeof(uint64_t));
        break;
    default:
        break;
    }
}

om_status om_fe_tensor_decode(const Onnx__TensorProto *t, const char *base_dir, const char *what,
                              om_fe_tensor_data *out)
{
    memset(out, 0, sizeof *out);
    char dbuf[160];
    if (!t)
        return om_error(OM_ERR_INVALID_MODEL, "%s: missing tensor", what);
    if (!t->has_data_type || t->data_type == OM_DT_UNDEFINED)
        return om_error(OM_ERR_INVALID_MODEL, "%s: tensor has no data type", what);
    om_dtype dt;
    om_status st = om_fe_dtype(t->data_type, what, &dt);
    if (st != OM_OK)
        return st;
    if (t->segment)
        return om_error(OM_ERR_UNSUPPORTED, "%s: segmented tensors are unsupported", what);
    if (t->n_dims > OM_MAX_RANK)
        return om_error(OM_ERR_UNSUPPORTED, "%s: rank %zu exceeds the maximum rank %d", what,
                        t->n_dims, OM_MAX_RANK);
    size_t esize = om_dtype_size(dt);
    om_shape shape = om_shape_scalar();
    shape.rank = (int)t->n_dims;
    uint64_t numel = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        int64_t d = t->dims[i];
        if (d < 0)
            return om_error(OM_ERR_INVALID_MODEL, "%s: negative dim %lld in dims %s", what,
                            (long long)d, dims_str(t, dbuf, sizeof dbuf));
        shape.dims[i] = d;
        if (d != 0 && numel > (OM_FE_MAX_FILE_BYTES * 4) / (uint64_t)d)
            return om_error(OM_ERR_INVALID_MODEL, "%s: dims %s are too large", what,
                            dims_str(t, dbuf, sizeof dbuf));
        numel *= (uint64_t)d;
    }
    if (numel > SIZE_MAX / esize)
        return om_error(OM_ERR_INVALID_MODEL, "%s: dims %s are too large", what,
                        dims_str(t, dbuf, sizeof dbuf));
    size_t nbytes = (size_t)numel * esize;
    out->dtype = dt;
    out->shape = shape;
    out->nbytes = nbytes;

    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        if (nbytes == 0)
            return OM_OK;
        st = om_fe_external_read(t, base_dir, what, nbytes, &out->owned);
        if (st != OM_OK)
            return st;
        out->data = out->owned;
        return OM_OK;
    }
    if (t->has_raw_data) {
        if (t->raw_data.len != nbytes)
            return om_error(OM_ERR_INVALID_MODEL,
                            "%s (%s, dims %s): raw_data has %zu bytes, expected %zu", what,
                            om_dtype_onnx_name(dt), dims_str(t, dbuf, sizeof dbuf),
                            t->raw_data.len, nbytes);
        out->data = nbytes ? t->raw_data.data : NULL;
        return OM_OK;
    }
    /* typed field: complex types store two scalars per element */
    size_t per = (dt == OM_DT_COMPLEX64 || dt == OM_DT_COMPLEX128) ? 2 : 1;
    size_t found = typed_count(t, dt);
    if (found != (size_t)numel * per)
        return om_error(OM_ERR_INVALID_MODEL, "%s (%s, dims %s): data has %zu elements, expected %llu",
                        what, om_dtype_onnx_name(dt), dims_str(t, dbuf, sizeof dbuf),
                        found / per, (unsigned long long)numel);
    if (nbytes == 0)
        return OM_OK;
    out->owned = malloc(nbytes);
    if (!out->owned)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory (%zu bytes)", what, nbytes);
    typed_copy(t, dt, out->owned, found);
    out->data = out->owned;
    return OM_OK;
}

void om_fe_tensor_data_release(om_fe_tensor_data *d)
{
    if (!d)
        return;
    free(d->owned);
    memset(d, 0, sizeof *d);
}

/* ---- the public TensorProto file reader ---------------------------------------------- */

om_status om_fe_load_tensor_file(const char *path, om_fe_tensor *out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_load_tensor_file: out is NULL");
    memset(out, 0, sizeof *out);
    uint8_t *buf = NULL;
    size_t size = 0;
    char *dir = NULL;
    Onnx__TensorProto *t = NULL;
    om_fe_tensor_data d = {0};
    om_status st = om_fe_read_file(path, "tensor file", &buf, &size);
    if (st != OM_OK)
        return st;
    t = onnx__tensor_proto__unpack(NULL, size, buf);
    if (!t) {
        st = om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX TensorProto file: %s", path);
        goto fail;
    }
    dir = om_fe_dirname(path);
    if (!dir) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
        goto fail;
    }
    st = om_fe_tensor_decode(t, dir, "tensor", &d);
    if (st != OM_OK) {
        om_error_prefix(st, "%s", path);
        goto fail;
    }
    out->name = strdup(om_fe_str(t->name));
    if (!out->name) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
        goto fail;
    }
    out->dtype = d.dtype;
    out->shape = d.shape;
    out->nbytes = d.nbytes;
    if (d.nbytes) {
        if (d.owned) { /* take the buffer over */
            out->data = d.owned;
            d.owned = NULL;
        } else {
            out->data = malloc(d.nbytes);
            if (!out->data) {
                st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s (%zu bytes)", path, d.nbytes);
                goto fail;
            }
            memcpy(out->data, d.data, d.nbytes);
        }
    }
    om_fe_tensor_data_release(&d);
    onnx__tensor_proto__free_unpacked(t, NULL);
    free(dir);
    free(buf);
    return OM_OK;
fail:
    om_fe_tensor_data_release(&d);
    om_fe_tensor_free(out);
    if (t)
        onnx__tensor_proto__free_unpacked(t, NULL);
    free(dir);
    free(buf);
    return st;
}

void om_fe_tensor_free(om_fe_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->data);
    memset(t, 0, sizeof *t);
}
