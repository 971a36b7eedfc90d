/* See seq_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/kernels/seq_util.h"

bool om_cg_seq_const(const om_value *v, int64_t i, double *out)
{
    if (!v || v->kind != OM_VALUE_CONSTANT || !v->data || i < 0 || i >= om_shape_numel(&v->shape))
        return false;
    const char *p = (const char *)v->data;
    switch (v->dtype) {
    case OM_DT_FLOAT: { float x; memcpy(&x, p + 4 * i, 4); *out = x; return true; }
    case OM_DT_DOUBLE: { double x; memcpy(&x, p + 8 * i, 8); *out = x; return true; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p + 4 * i, 4); *out = x; return true; }
    case OM_DT_INT64: { int64_t x; memcpy(&x, p + 8 * i, 8); *out = (double)x; return true; }
    case OM_DT_INT16: { int16_t x; memcpy(&x, p + 2 * i, 2); *out = x; return true; }
    case OM_DT_INT8: { int8_t x; memcpy(&x, p + i, 1); *out = x; return true; }
    case OM_DT_UINT8: { uint8_t x; memcpy(&x, p + i, 1); *out = x; return true; }
    case OM_DT_UINT16: { uint16_t x; memcpy(&x, p + 2 * i, 2); *out = x; return true; }
    case OM_DT_UINT32: { uint32_t x; memcpy(&x, p + 4 * i, 4); *out = x; return true; }
    case OM_DT_UINT64: { uint64_t x; memcpy(&x, p + 8 * i, 8); *out = (double)x; return true; }
    default: return false;
    }
}
