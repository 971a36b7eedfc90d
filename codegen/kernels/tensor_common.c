/* See tensor_common.h. */
#include "codegen/kernels/tensor_common.h"

#include <stdlib.h>
#include <string.h>

#include "codegen/cg_nest.h"

/* leading dims are fused into the parallel loop until it has this many items */
#define MIN_WORK 256

om_dtype om_cg_tensor_bits_dtype(size_t size)
{
    switch (size) {
    case 1: return OM_DT_UINT8;
    case 2: return OM_DT_UINT16;
    case 4: return OM_DT_UINT32;
    case 8: return OM_DT_UINT64;
    default: return OM_DT_UNDEFINED;
    }
}

void om_cg_tensor_strides(const om_shape *s, int64_t *strides)
{
    int64_t acc = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        strides[i] = acc;
        acc *= s->dims[i];
    }
}

om_status om_cg_tensor_strided_copy(om_cg_ctx *cx, LLVMValueRef src, LLVMValueRef dst, size_t elem_size, int m,
                                    const int64_t *dims, const int64_t *src_strides, int64_t src_base)
{
    om_dtype mdt = om_cg_tensor_bits_dtype(elem_size);
    if (mdt == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "element size %zu not supported", elem_size);
    if (m < 0 || m > OM_CG_TENSOR_MAX_DIMS)
        return om_cg_unsupported(cx, "%d view dims (at most %d)", m, OM_CG_TENSOR_MAX_DIMS);
    int64_t ds[OM_CG_TENSOR_MAX_DIMS], acc = 1;
    for (int i = m - 1; i >= 0; i--) {
        if (dims[i] == 0)
            return OM_OK;
        ds[i] = acc;
        acc *= dims[i];
    }
    /* merged dims: extent, src stride, dst stride */
    int k = 0;
    int64_t md[OM_CG_TENSOR_MAX_DIMS], ms[OM_CG_TENSOR_MAX_DIMS], mo[OM_CG_TENSOR_MAX_DIMS];
    for (int i = 0; i < m; i++) {
        int64_t d = dims[i];
        if (d == 1)
            continue;
        if (k > 0 && ms[k - 1] == src_strides[i] * d && mo[k - 1] == ds[i] * d) {
            md[k - 1] *= d;
            ms[k - 1] = src_strides[i];
            mo[k - 1] = ds[i];
            continue;
        }
        md[k] = d;
        ms[k] = src_strides[i];
        mo[k] = ds[i];
        k++;
    }
    if (k == 0) {
        md[0] = 1;
        ms[0] = mo[0] = 0;
        k = 1;
    }
    if (k > OM_MAX_RANK + 1)
        return om_cg_unsupported(cx, "the view has %d non-mergeable dims (at most %d)", k, OM_MAX_RANK + 1);
    int64_t st[2][OM_MAX_RANK + 1];
    for (int i = 0; i < k; i++) {
        st[0][i] = ms[i];
        st[1][i] = mo[i];
    }
    om_cg_nest nest;
    LLVMValueRef off[2];
    om_cg_nest_open(cx, &nest, k, md, 2, (const int64_t (*)[OM_MAX_RANK + 1])st, MIN_WORK, off);
    LLVMValueRef so = src_base ? om_cg_add(cx, off[0], om_cg_i64(cx, src_base)) : off[0];
    om_cg_store(cx, mdt, dst, off[1], om_cg_load(cx, mdt, src, so));
    om_cg_nest_close(cx, &nest);
    return OM_OK;
}

bool om_cg_tensor_const_ints(const om_value *v, int64_t *out, int max, int *count)
{
    if (!v || v->kind != OM_VALUE_CONSTANT || v->shape.rank > 1)
        return false;
    if (v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return false;
    int64_t numel = om_shape_numel(&v->shape);
    size_t es = om_dtype_size(v->dtype);
    if (numel < 0 || numel > max || v->nbytes != (size_t)numel * es || (numel && !v->data))
        return false;
    for (int64_t i = 0; i < numel; i++) {
        if (v->dtype == OM_DT_INT64) {
            memcpy(&out[i], (const char *)v->data + 8 * i, 8);
        } else {
            int32_t x;
            memcpy(&x, (const char *)v->data + 4 * i, 4);
            out[i] = x;
        }
    }
    *count = (int)numel;
    return true;
}

LLVMValueRef om_cg_tensor_global_i64(om_cg_ctx *cx, const int64_t *vals, int64_t count, const char *name)
{
    int64_t n = count > 0 ? count : 1;
    LLVMValueRef *elems = calloc((size_t)n, sizeof *elems);
    if (!elems)
        return NULL;
    for (int64_t i = 0; i < n; i++)
        elems[i] = om_cg_i64(cx, i < count ? vals[i] : 0);
    LLVMTypeRef at = LLVMArrayType2(cx->i64, (uint64_t)n);
    LLVMValueRef init = LLVMConstArray2(cx->i64, elems, (uint64_t)n);
    free(elems);
    LLVMValueRef gv = LLVMAddGlobal(cx->mod, at, name ? name : "om_idx");
    LLVMSetInitializer(gv, init);
    LLVMSetGlobalConstant(gv, 1);
    LLVMSetLinkage(gv, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(gv, 8);
    return gv;
}

LLVMValueRef om_cg_tensor_load_index(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index)
{
    LLVMValueRef v = om_cg_load(cx, dt, base, index);
    return dt == OM_DT_INT64 ? v : LLVMBuildSExt(cx->b, v, cx->i64, "");
}

LLVMValueRef om_cg_tensor_wrap(om_cg_ctx *cx, LLVMValueRef i, int64_t n)
{
    LLVMValueRef neg = LLVMBuildICmp(cx->b, LLVMIntSLT, i, om_cg_i64(cx, 0), "");
    return LLVMBuildSelect(cx->b, neg, LLVMBuildAdd(cx->b, i, om_cg_i64(cx, n), ""), i, "");
}

LLVMValueRef om_cg_tensor_wrap_clamp(om_cg_ctx *cx, LLVMValueRef i, int64_t n)
{
    LLVMValueRef w = om_cg_tensor_wrap(cx, i, n);
    LLVMValueRef lo = LLVMBuildICmp(cx->b, LLVMIntSLT, w, om_cg_i64(cx, 0), "");
    w = LLVMBuildSelect(cx->b, lo, om_cg_i64(cx, 0), w, "");
    LLVMValueRef hi = LLVMBuildICmp(cx->b, LLVMIntSGT, w, om_cg_i64(cx, n - 1), "");
    return LLVMBuildSelect(cx->b, hi, om_cg_i64(cx, n - 1), w, "idx");
}

LLVMValueRef om_cg_tensor_index_ok(om_cg_ctx *cx, LLVMValueRef i, int64_t n)
{
    /* unsigned compare: negative values are huge */
    return LLVMBuildICmp(cx->b, LLVMIntULT, i, om_cg_i64(cx, n), "inb");
}

void om_cg_tensor_zero(om_cg_ctx *cx, LLVMValueRef dst, int64_t nbytes)
{
    if (nbytes > 0)
        LLVMBuildMemSet(cx->b, dst, LLVMConstInt(cx->i8, 0, 0), om_cg_i64(cx, nbytes), 1);
}
