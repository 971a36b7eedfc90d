/* See rt_shape.h: loads and checks of run-time shape inputs. Every load is of an element
 * index below the input's static element count, so no load is out of bounds. */
#include "codegen/kernels/rt_shape.h"

bool om_cg_rt_is_const(const om_value *v)
{
    return v && v->kind == OM_VALUE_CONSTANT && (v->data || v->nbytes == 0);
}

LLVMValueRef om_cg_rt_int(om_cg_ctx *cx, int i, int64_t k)
{
    const om_value *v = om_node_input(cx->node, i);
    if (!v || om_dtype_size(v->dtype) == 0 || v->dtype == OM_DT_STRING || v->dtype == OM_DT_COMPLEX64 ||
        v->dtype == OM_DT_COMPLEX128 || !om_cg_type(cx, v->dtype))
        return NULL;
    LLVMValueRef x = om_cg_load(cx, v->dtype, om_cg_in(cx, i), om_cg_i64(cx, k));
    if (v->dtype == OM_DT_INT64 || v->dtype == OM_DT_UINT64)
        return x;
    if (om_dtype_is_float(v->dtype)) {
        /* saturating truncation: NaN -> 0, out of range -> INT64_MIN / INT64_MAX, never poison */
        LLVMTypeRef ft = LLVMTypeOf(x);
        if (v->dtype != OM_DT_DOUBLE)
            x = om_cg_convert(cx, x, v->dtype, OM_DT_DOUBLE), ft = cx->f64;
        LLVMTypeRef ty[2] = {cx->i64, ft};
        unsigned id = LLVMLookupIntrinsicID("llvm.fptosi.sat", 15);
        LLVMValueRef fn = LLVMGetIntrinsicDeclaration(cx->mod, id, ty, 2);
        LLVMTypeRef fty = LLVMIntrinsicGetType(cx->llctx, id, ty, 2);
        return LLVMBuildCall2(cx->b, fty, fn, &x, 1, "");
    }
    return om_cg_convert(cx, x, v->dtype, OM_DT_INT64);
}

LLVMValueRef om_cg_rt_and(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef cond)
{
    return ok ? LLVMBuildAnd(cx->b, ok, cond, "ok") : cond;
}

LLVMValueRef om_cg_rt_and_eq(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef a, int64_t c)
{
    return om_cg_rt_and(cx, ok, LLVMBuildICmp(cx->b, LLVMIntEQ, a, om_cg_i64(cx, c), ""));
}

void om_cg_rt_check(om_cg_ctx *cx, LLVMValueRef ok)
{
    if (ok)
        om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
}

om_status om_cg_rt_check_ints(om_cg_ctx *cx, int i, const int64_t *want, int64_t count)
{
    const om_value *v = om_node_input(cx->node, i);
    if (!v)
        return om_cg_unsupported(cx, "input %d is missing", i);
    if (!om_dtype_is_signed_int(v->dtype) && !om_dtype_is_unsigned_int(v->dtype))
        return om_cg_unsupported(cx, "input %d '%s' has dtype %s, expected an integer type", i, v->name,
                                 om_dtype_name(v->dtype));
    if (om_shape_numel(&v->shape) != count)
        return om_cg_unsupported(cx, "input %d '%s' has %lld values, expected %lld", i, v->name,
                                 (long long)om_shape_numel(&v->shape), (long long)count);
    LLVMValueRef ok = NULL;
    for (int64_t k = 0; k < count; k++)
        ok = om_cg_rt_and_eq(cx, ok, om_cg_rt_int(cx, i, k), want[k]);
    om_cg_rt_check(cx, ok);
    return OM_OK;
}

LLVMValueRef om_cg_rt_axes_mask(om_cg_ctx *cx, int i, int64_t count, int rank, LLVMValueRef *ok)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef mask = om_cg_i64(cx, 0), zero = om_cg_i64(cx, 0), r = om_cg_i64(cx, rank);
    for (int64_t k = 0; k < count; k++) {
        LLVMValueRef v = om_cg_rt_int(cx, i, k);
        LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, v, zero, "");
        LLVMValueRef a = LLVMBuildSelect(b, neg, LLVMBuildAdd(b, v, r, ""), v, "axis");
        LLVMValueRef in = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, a, zero, ""),
                                       LLVMBuildICmp(b, LLVMIntSLT, a, r, ""), "");
        /* shift by a only when in range (a shift >= 64 is poison) */
        LLVMValueRef sh = LLVMBuildSelect(b, in, a, zero, "");
        LLVMValueRef bit = LLVMBuildSelect(b, in, LLVMBuildShl(b, om_cg_i64(cx, 1), sh, ""), zero, "bit");
        LLVMValueRef dup = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildAnd(b, mask, bit, ""), zero, "");
        *ok = om_cg_rt_and(cx, *ok, LLVMBuildAnd(b, in, LLVMBuildNot(b, dup, ""), ""));
        mask = LLVMBuildOr(b, mask, bit, "mask");
    }
    return mask;
}

LLVMValueRef om_cg_rt_and_mask_in(om_cg_ctx *cx, LLVMValueRef ok, LLVMValueRef mask, const uint64_t *masks, int n)
{
    LLVMValueRef any = LLVMConstInt(cx->i1, 0, 0);
    for (int j = 0; j < n; j++)
        any = LLVMBuildOr(cx->b, any, LLVMBuildICmp(cx->b, LLVMIntEQ, mask, om_cg_i64(cx, (int64_t)masks[j]), ""), "");
    return om_cg_rt_and(cx, ok, any);
}
