/* AscendCL data buffers (a pointer and a size; the memory is the caller's), fp16 <->
 * float conversion (IEEE binary16, round to nearest even), tensor descriptors (dtype, format,
 * up to ACL_MAX_DIM_CNT dims; arrays made by aclmdlCreateAndGetOpDesc record their length
 * in element 0 for aclGetTensorDescByIndex). Getters on NULL return the documented neutral
 * value (0, NULL, ACL_DT_UNDEFINED, ACL_FORMAT_UNDEFINED) and set the message. */
#include <stdlib.h>
#include <string.h>

#include "runtime/acl/acl_internal.h"

ACL_FUNC_VISIBILITY aclDataBuffer *aclCreateDataBuffer(void *data, size_t size)
{
    aclDataBuffer *b = calloc(1, sizeof *b);
    if (!b) {
        om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclCreateDataBuffer: out of memory");
        return NULL;
    }
    b->data = data;
    b->size = size;
    return b;
}

ACL_FUNC_VISIBILITY aclError aclDestroyDataBuffer(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclDestroyDataBuffer: NULL dataBuffer");
    free((void *)dataBuffer);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclUpdateDataBuffer(aclDataBuffer *dataBuffer, void *data, size_t size)
{
    if (!dataBuffer)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclUpdateDataBuffer: NULL dataBuffer");
    dataBuffer->data = data;
    dataBuffer->size = size;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY void *aclGetDataBufferAddr(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetDataBufferAddr: NULL dataBuffer");
        return NULL;
    }
    return dataBuffer->data;
}

ACL_FUNC_VISIBILITY size_t aclGetDataBufferSizeV2(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetDataBufferSizeV2: NULL dataBuffer");
        return 0;
    }
    return dataBuffer->size;
}

ACL_FUNC_VISIBILITY uint32_t aclGetDataBufferSize(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetDataBufferSize: NULL dataBuffer");
        return 0;
    }
    return dataBuffer->size > UINT32_MAX ? UINT32_MAX : (uint32_t)dataBuffer->size;
}

ACL_FUNC_VISIBILITY size_t aclDataTypeSize(aclDataType t)
{
    switch (t) {
    case ACL_BOOL: case ACL_INT8: case ACL_UINT8: return 1;
    case ACL_FLOAT16: case ACL_BF16: case ACL_INT16: case ACL_UINT16: return 2;
    case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
    case ACL_INT64: case ACL_UINT64: case ACL_DOUBLE: case ACL_COMPLEX64: return 8;
    case ACL_COMPLEX128: return 16;
    default: return 0;
    }
}

ACL_FUNC_VISIBILITY float aclFloat16ToFloat(aclFloat16 h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man) {   /* subnormal: normalize */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

ACL_FUNC_VISIBILITY aclFloat16 aclFloatToFloat16(float value)
{
    uint32_t x;
    memcpy(&x, &value, 4);
    uint32_t sign = (x >> 16) & 0x8000, e = (x >> 23) & 0xff, man = x & 0x7fffff;
    if (e == 0xff)   /* inf / nan (keep nan quiet) */
        return (aclFloat16)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
    int32_t exp = (int32_t)e - 127 + 15;
    if (exp >= 0x1f)
        return (aclFloat16)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10)
            return (aclFloat16)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (aclFloat16)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (man >> 13), rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        half++;   /* may carry into the exponent: correct (rounds up to the next binade/inf) */
    return (aclFloat16)half;
}

ACL_FUNC_VISIBILITY aclTensorDesc *aclCreateTensorDesc(aclDataType dataType, int numDims,
                                                       const int64_t *dims, aclFormat format)
{
    if (numDims < 0 || numDims > ACL_MAX_DIM_CNT || (numDims > 0 && !dims)) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclCreateTensorDesc: numDims %d%s (expected "
                    "0..%d with dims)", numDims, numDims > 0 && !dims ? " with NULL dims" : "",
                    ACL_MAX_DIM_CNT);
        return NULL;
    }
    aclTensorDesc *d = calloc(1, sizeof *d);
    if (!d) {
        om_acl_fail(ACL_ERROR_BAD_ALLOC, "aclCreateTensorDesc: out of memory");
        return NULL;
    }
    d->dtype = dataType;
    d->format = format;
    d->ndims = (size_t)numDims;
    if (numDims)
        memcpy(d->dims, dims, sizeof(int64_t) * (size_t)numDims);
    d->array_n = 1;
    return d;
}

ACL_FUNC_VISIBILITY void aclDestroyTensorDesc(const aclTensorDesc *desc)
{
    free((void *)desc);
}

ACL_FUNC_VISIBILITY aclDataType aclGetTensorDescType(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescType: NULL desc");
        return ACL_DT_UNDEFINED;
    }
    return desc->dtype;
}

ACL_FUNC_VISIBILITY aclFormat aclGetTensorDescFormat(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescFormat: NULL desc");
        return ACL_FORMAT_UNDEFINED;
    }
    return desc->format;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescElementCount(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescElementCount: NULL desc");
        return 0;
    }
    size_t n = 1;
    for (size_t i = 0; i < desc->ndims; i++) {
        if (desc->dims[i] < 0)
            return 0;   /* unknown dimension */
        if (desc->dims[i] && n > SIZE_MAX / (size_t)desc->dims[i])
            return 0;
        n *= (size_t)desc->dims[i];
    }
    return n;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescSize(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescSize: NULL desc");
        return 0;
    }
    size_t n = aclGetTensorDescElementCount(desc), e = aclDataTypeSize(desc->dtype);
    return e && n > SIZE_MAX / e ? 0 : n * e;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescNumDims(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescNumDims: NULL desc");
        return 0;
    }
    return desc->ndims;
}

ACL_FUNC_VISIBILITY aclError aclGetTensorDescDimV2(const aclTensorDesc *desc, size_t index,
                                                   int64_t *dimSize)
{
    if (!desc || !dimSize)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescDimV2: NULL %s",
                           desc ? "dimSize" : "desc");
    if (index >= desc->ndims)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescDimV2: index %zu out of "
                           "range (%zu dims)", index, desc->ndims);
    *dimSize = desc->dims[index];
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY void *aclGetTensorDescAddress(const aclTensorDesc *desc)
{
    if (!desc) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescAddress: NULL desc");
        return NULL;
    }
    return desc->address;
}

ACL_FUNC_VISIBILITY aclTensorDesc *aclGetTensorDescByIndex(aclTensorDesc *desc, size_t index)
{
    if (!desc || index >= desc->array_n) {
        om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclGetTensorDescByIndex: %s", desc ?
                    "index out of range" : "NULL desc");
        return NULL;
    }
    return desc + index;
}
