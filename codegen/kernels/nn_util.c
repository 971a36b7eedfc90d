/* Helpers of the nn-group kernels: see nn_util.h for the contract (tables, libcall-free
 * rounding, constant reads). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/kernels/nn_util.h"

LLVMValueRef om_cg_nn_table(om_cg_ctx *cx, om_dtype dt, const double *vals, int64_t count, const char *tag)
{
    return om_cg_const_table(cx, dt, vals, NULL, count, tag);
}

LLVMValueRef om_cg_nn_table_i64(om_cg_ctx *cx, om_dtype dt, const int64_t *vals, int64_t count, const char *tag)
{
    return om_cg_const_table(cx, dt, NULL, vals, count, tag);
}

/* A splat (for vectors) or scalar constant of x's type. */
static LLVMValueRef fconst_like(LLVMValueRef x, double v)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind) {
        unsigned n = LLVMGetVectorSize(t);
        LLVMValueRef e = LLVMConstReal(LLVMGetElementType(t), v);
        LLVMValueRef el[64];
        if (n > 64)
            n = 64;
        for (unsigned i = 0; i < n; i++)
            el[i] = e;
        return LLVMConstVector(el, n);
    }
    return LLVMConstReal(t, v);
}

static bool is_f64(LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        t = LLVMGetElementType(t);
    return LLVMGetTypeKind(t) == LLVMDoubleTypeKind;
}

LLVMValueRef om_cg_nn_roundeven(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    double big = is_f64(x) ? 0x1p52 : 0x1p23;
    LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
    LLVMValueRef c = fconst_like(x, big);
    LLVMValueRef r = LLVMBuildFSub(b, LLVMBuildFAdd(b, ax, c, ""), c, "");
    LLVMValueRef ops[2] = {r, x};
    r = om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
    /* |x| >= 2^23 (or NaN): x is its own rounding */
    LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, ax, c, "");
    return LLVMBuildSelect(b, small, r, x, "");
}

LLVMValueRef om_cg_nn_floor(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef t = LLVMTypeOf(x);
    LLVMTypeRef it = cx->i64;
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        it = LLVMVectorType(is_f64(x) ? cx->i64 : cx->i32, LLVMGetVectorSize(t));
    else if (!is_f64(x))
        it = cx->i32;
    double big = is_f64(x) ? 0x1p52 : 0x1p23;
    LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
    LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, ax, fconst_like(x, big), "");
    /* the select keeps a poison truncation of a big x out of the result */
    LLVMValueRef xs = LLVMBuildSelect(b, small, x, fconst_like(x, 0), "");
    LLVMValueRef tr = LLVMBuildSIToFP(b, LLVMBuildFPToSI(b, xs, it, ""), t, "");
    LLVMValueRef gt = LLVMBuildFCmp(b, LLVMRealOGT, tr, xs, "");
    LLVMValueRef fl = LLVMBuildSelect(b, gt, LLVMBuildFSub(b, tr, fconst_like(x, 1), ""), tr, "");
    return LLVMBuildSelect(b, small, fl, x, "");
}

static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h & 0x8000) ? -v : v;
}

double om_cg_nn_const_f(const om_value *v, int64_t i)
{
    if (!v || !v->data || i < 0)
        return 0;
    size_t es = om_dtype_size(v->dtype);
    if (es == 0 || (size_t)(i + 1) * es > v->nbytes)
        return 0;
    const uint8_t *p = (const uint8_t *)v->data + (size_t)i * es;
    switch (v->dtype) {
    case OM_DT_FLOAT: { float f; memcpy(&f, p, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, p, 8); return d; }
    case OM_DT_FLOAT16: { uint16_t h; memcpy(&h, p, 2); return half_to_double(h); }
    case OM_DT_BFLOAT16: { uint16_t h; memcpy(&h, p, 2); uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f; }
    default: return (double)om_cg_nn_const_i(v, i);
    }
}

int64_t om_cg_nn_const_i(const om_value *v, int64_t i)
{
    if (!v || !v->data || i < 0)
        return 0;
    size_t es = om_dtype_size(v->dtype);
    if (es == 0 || (size_t)(i + 1) * es > v->nbytes)
        return 0;
    const uint8_t *p = (const uint8_t *)v->data + (size_t)i * es;
    switch (v->dtype) {
    case OM_DT_INT8: return (int8_t)p[0];
    case OM_DT_UINT8: case OM_DT_BOOL: return p[0];
    case OM_DT_INT16: { int16_t x; memcpy(&x, p, 2); return x; }
    case OM_DT_UINT16: { uint16_t x; memcpy(&x, p, 2); return x; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p, 4); return x; }
    case OM_DT_UINT32: { uint32_t x; memcpy(&x, p, 4); return x; }
    case OM_DT_INT64: case OM_DT_UINT64: { int64_t x; memcpy(&x, p, 8); return x; }
    default: {
        double d = om_cg_nn_const_f(v, i);
        return d != d ? 0 : d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    }
    }
}

LLVMValueRef om_cg_nn_smin(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSLT, a, b, ""), a, b, "");
}

LLVMValueRef om_cg_nn_smax(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSGT, a, b, ""), a, b, "");
}

LLVMValueRef om_cg_nn_sat_int(om_cg_ctx *cx, LLVMValueRef x, om_dtype from, om_dtype dt)
{
    double lo, hi;
    switch (dt) {
    case OM_DT_UINT8: lo = 0; hi = 255; break;
    case OM_DT_INT8: lo = -128; hi = 127; break;
    case OM_DT_UINT16: lo = 0; hi = 65535; break;
    case OM_DT_INT16: lo = -32768; hi = 32767; break;
    case OM_DT_INT32: lo = -2147483648.0; hi = 2147483520.0; break; /* largest f32 below 2^31 */
    default: lo = -2147483648.0; hi = 2147483520.0; break;
    }
    /* NaN -> lo via the ordered compares, then clamp */
    LLVMBuilderRef b = cx->b;
    LLVMValueRef flo = fconst_like(x, lo), fhi = fconst_like(x, hi);
    LLVMValueRef v = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGE, x, flo, ""), x, flo, "");
    v = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLE, v, fhi, ""), v, fhi, "");
    (void)from;
    LLVMTypeRef t = om_cg_type(cx, dt);
    if (LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMVectorTypeKind)
        t = LLVMVectorType(t, LLVMGetVectorSize(LLVMTypeOf(x)));
    return om_dtype_is_unsigned_int(dt) ? LLVMBuildFPToUI(b, v, t, "") : LLVMBuildFPToSI(b, v, t, "");
}
