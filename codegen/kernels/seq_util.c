/* See seq_util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/kernels/seq_util.h"

LLVMValueRef om_cg_seq_table(om_cg_ctx *cx, om_dtype dt, const double *vals, const int64_t *ivals, int64_t count,
                             const char *tag)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    if (!t || count < 1 || (!vals && !ivals))
        return NULL;
    LLVMValueRef *el = malloc(sizeof *el * (size_t)count);
    if (!el)
        return NULL;
    for (int64_t i = 0; i < count; i++) {
        if (ivals && !om_dtype_is_float(dt))
            el[i] = LLVMConstInt(t, (unsigned long long)ivals[i], om_dtype_is_signed_int(dt));
        else
            el[i] = om_cg_const(cx, dt, vals ? vals[i] : (double)ivals[i]);
    }
    char name[96];
    snprintf(name, sizeof name, "om_seq_%s%u", tag ? tag : "tab", cx->node ? cx->node->id : 0u);
    LLVMValueRef g = LLVMAddGlobal(cx->mod, LLVMArrayType2(t, (uint64_t)count), name);
    LLVMSetInitializer(g, LLVMConstArray2(t, el, (uint64_t)count));
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    LLVMSetAlignment(g, 64);
    free(el);
    return g;
}

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
