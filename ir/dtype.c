/* Element types: sizes and names. Numbers are ONNX's TensorProto.DataType values (see
 * ir.h); names are the IR text spellings ("f32") and ONNX's ("float"). One table indexed
 * by the enum value holds all of it, so the three lookups cannot drift apart.
 */
#include <string.h>

#include "ir/ir.h"

typedef struct dtype_row {
    const char *name;
    const char *onnx_name;
    size_t size;
} dtype_row;

static const dtype_row dtype_rows[] = {
    [OM_DT_UNDEFINED] = {"?", "undefined", 0},
    [OM_DT_FLOAT] = {"f32", "float", 4},
    [OM_DT_UINT8] = {"u8", "uint8", 1},
    [OM_DT_INT8] = {"i8", "int8", 1},
    [OM_DT_UINT16] = {"u16", "uint16", 2},
    [OM_DT_INT16] = {"i16", "int16", 2},
    [OM_DT_INT32] = {"i32", "int32", 4},
    [OM_DT_INT64] = {"i64", "int64", 8},
    [OM_DT_STRING] = {"str", "string", 0},
    [OM_DT_BOOL] = {"bool", "bool", 1},
    [OM_DT_FLOAT16] = {"f16", "float16", 2},
    [OM_DT_DOUBLE] = {"f64", "double", 8},
    [OM_DT_UINT32] = {"u32", "uint32", 4},
    [OM_DT_UINT64] = {"u64", "uint64", 8},
    [OM_DT_COMPLEX64] = {"c64", "complex64", 8},
    [OM_DT_COMPLEX128] = {"c128", "complex128", 16},
    [OM_DT_BFLOAT16] = {"bf16", "bfloat16", 2},
};

#define N_DTYPES ((int)(sizeof dtype_rows / sizeof dtype_rows[0]))

static const dtype_row *row(om_dtype dt)
{
    if ((int)dt < 0 || (int)dt >= N_DTYPES)
        return NULL;
    return &dtype_rows[dt];
}

size_t om_dtype_size(om_dtype dt)
{
    const dtype_row *r = row(dt);
    return r ? r->size : 0;
}

const char *om_dtype_name(om_dtype dt)
{
    const dtype_row *r = row(dt);
    return r ? r->name : "?";
}

const char *om_dtype_onnx_name(om_dtype dt)
{
    const dtype_row *r = row(dt);
    return r ? r->onnx_name : "?";
}

om_dtype om_dtype_from_name(const char *name)
{
    if (!name)
        return OM_DT_UNDEFINED;
    for (int i = 1; i < N_DTYPES; i++)
        if (strcmp(dtype_rows[i].name, name) == 0)
            return (om_dtype)i;
    return OM_DT_UNDEFINED;
}

bool om_dtype_is_float(om_dtype dt)
{
    return dt == OM_DT_FLOAT || dt == OM_DT_DOUBLE || dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16;
}

bool om_dtype_is_signed_int(om_dtype dt)
{
    return dt == OM_DT_INT8 || dt == OM_DT_INT16 || dt == OM_DT_INT32 || dt == OM_DT_INT64;
}

bool om_dtype_is_unsigned_int(om_dtype dt)
{
    return dt == OM_DT_UINT8 || dt == OM_DT_UINT16 || dt == OM_DT_UINT32 || dt == OM_DT_UINT64;
}
