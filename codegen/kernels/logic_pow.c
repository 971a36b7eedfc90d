/* Pow(X, Y) with numpy broadcasting; X and Y may have different dtypes (opset 12+), the
 * output has X's dtype.
 *
 * Float X (f32, f64; f16/bf16 computed in f32):
 *   - Y a compile-time constant holding one value c: c integer with |c| <= 64 is an unrolled
 *     multiplication chain (1/x^|c| when negative), c = 0.5 is sqrt, otherwise the runtime
 *     path below with the constant folded in;
 *   - runtime: an integer-typed Y uses square-and-multiply in X's dtype (exact for small
 *     results); a float Y uses exp(y * log|x|) (cg_math.h: f32, or the f64-range forms for
 *     f64, relative error about 2e-7 * |y log x|), negated for negative X when y is an odd
 *     integer (|y| < 2^31), with C pow's special cases: x^0 = 1,
 *     1^y = 1, (-1)^(+-inf) = 1, negative x with a non-integer y is NaN, 0^y is 0 (y > 0)
 *     or inf (y < 0).
 * Integer X: integer-valued Y gives the exact product in X's type (wrapping like C's integer
 *   multiplication); a negative exponent gives 1 for x = 1, +-1 for x = -1 and 0 otherwise
 *   (ONNX Runtime's truncation of pow's double result); a non-integer float Y goes through
 *   the f64 path and is truncated toward zero (om_cg_logic_f2i).
 */
#include <math.h>
#include <string.h>

#include "codegen/cg_broadcast.h"
#include "codegen/cg_math.h"
#include "codegen/kernels/logic_internal.h"

static LLVMValueRef sel(om_cg_ctx *cx, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, c, a, b, "");
}

/* res = base^n for n >= 0 (an i64), `iters` bits of n, by square-and-multiply in base's
 * type (float or integer). */
static LLVMValueRef powi(om_cg_ctx *cx, LLVMValueRef base, LLVMValueRef n, int iters, bool is_float,
                         LLVMValueRef one)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef res = one;
    for (int k = 0; k < iters; k++) {
        LLVMValueRef bit = LLVMBuildTrunc(b, n, cx->i1, "");
        LLVMValueRef prod = is_float ? LLVMBuildFMul(b, res, base, "") : LLVMBuildMul(b, res, base, "");
        res = sel(cx, bit, prod, res);
        if (k + 1 < iters) {
            base = is_float ? LLVMBuildFMul(b, base, base, "") : LLVMBuildMul(b, base, base, "");
            n = LLVMBuildLShr(b, n, om_cg_i64(cx, 1), "");
        }
    }
    return res;
}

/* The general path in ft (f32 or f64): x^y = exp(y log|x|) with C's special cases; odd
 * tells whether an integer-valued y is odd, is_int whether y is integer-valued. */
static LLVMValueRef pow_gen(om_cg_ctx *cx, om_dtype ft, LLVMValueRef x, LLVMValueRef y, LLVMValueRef is_int,
                            LLVMValueRef odd)
{
    LLVMBuilderRef b = cx->b;
    bool f64 = ft == OM_DT_DOUBLE;
    LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
    LLVMValueRef l = f64 ? om_cg_log_f64(cx, ax) : om_cg_log_f32(cx, ax);
    LLVMValueRef t = LLVMBuildFMul(b, y, l, "");
    LLVMValueRef r = f64 ? om_cg_exp_f64(cx, t) : om_cg_exp_f32(cx, t);
    LLVMValueRef zero = om_cg_const(cx, ft, 0.0), one = om_cg_const(cx, ft, 1.0);
    LLVMValueRef inf = om_cg_const(cx, ft, INFINITY);
    LLVMValueRef neg = LLVMBuildFCmp(b, LLVMRealOLT, x, zero, "");
    r = sel(cx, LLVMBuildAnd(b, neg, odd, ""), LLVMBuildFNeg(b, r, ""), r);
    r = sel(cx, LLVMBuildAnd(b, neg, LLVMBuildNot(b, is_int, ""), ""), om_cg_const(cx, ft, NAN), r);
    LLVMValueRef ay = om_cg_intrinsic(cx, "llvm.fabs", &y, 1);
    LLVMValueRef unit = LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealOEQ, y, zero, ""),
                                    LLVMBuildFCmp(b, LLVMRealOEQ, x, one, ""), "");
    unit = LLVMBuildOr(b, unit, LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, ax, one, ""),
                                              LLVMBuildFCmp(b, LLVMRealOEQ, ay, inf, ""), ""), "");
    return sel(cx, unit, one, r);
}

/* Whether the constant Y holds one value everywhere; *c gets it. */
static bool const_scalar(const om_value *Y, double *c)
{
    if (!Y || Y->kind != OM_VALUE_CONSTANT || !Y->data)
        return false;
    int64_t n = om_shape_numel(&Y->shape);
    size_t es = om_dtype_size(Y->dtype);
    if (n < 1 || es == 0 || Y->nbytes < (size_t)n * es)
        return false;
    const uint8_t *p = Y->data;
    for (int64_t i = 1; i < n; i++)
        if (memcmp(p, p + i * es, es) != 0)
            return false;
    switch (Y->dtype) {
    case OM_DT_FLOAT: { float v; memcpy(&v, p, 4); *c = v; return true; }
    case OM_DT_DOUBLE: { double v; memcpy(&v, p, 8); *c = v; return true; }
    case OM_DT_INT32: { int32_t v; memcpy(&v, p, 4); *c = v; return true; }
    case OM_DT_INT64: { int64_t v; memcpy(&v, p, 8); *c = (double)v; return true; }
    default: return false;
    }
}

/* x^c for a compile-time c (float x in its compute dtype); NULL when not specialized. */
static LLVMValueRef pow_const(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef x, double c)
{
    LLVMBuilderRef b = cx->b;
    if (c == 0.5)
        return om_cg_intrinsic(cx, "llvm.sqrt", &x, 1);
    if (c != floor(c) || fabs(c) > 64)
        return NULL;
    int64_t n = (int64_t)fabs(c);
    LLVMValueRef res = NULL, base = x;
    while (n) {
        if (n & 1)
            res = res ? LLVMBuildFMul(b, res, base, "") : base;
        n >>= 1;
        if (n)
            base = LLVMBuildFMul(b, base, base, "");
    }
    LLVMValueRef one = om_cg_const(cx, cdt, 1.0);
    if (!res)
        return one;
    return c < 0 ? LLVMBuildFDiv(b, one, res, "") : res;
}

static bool pow_dtype(om_dtype dt)
{
    return om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

om_status om_cg_emit_pow(om_cg_ctx *cx, const om_node *n)
{
    LLVMBuilderRef b = cx->b;
    const om_value *X = om_node_input(n, 0), *Y = om_node_input(n, 1), *Z = n->outputs[0];
    if (!X || !Y)
        return om_cg_unsupported(cx, "both inputs are required");
    om_dtype xt = X->dtype, yt = Y->dtype;
    if (!pow_dtype(xt) || !pow_dtype(yt) || Z->dtype != xt)
        return om_cg_unsupported(cx, "dtypes %s ^ %s -> %s not supported by this kernel", om_dtype_name(xt),
                                 om_dtype_name(yt), om_dtype_name(Z->dtype));
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_in(cx, 1), pz = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {X, Y};
    om_status st = om_cg_bcast_open(cx, &bc, Z, 2, ins);
    if (st != OM_OK)
        return st;
    om_dtype cx_dt = om_cg_logic_compute_dt(xt);
    LLVMValueRef x = om_cg_logic_widen(cx, om_cg_load(cx, xt, px, bc.off[1]), xt);
    double c;
    LLVMValueRef r = NULL;
    if (om_dtype_is_float(xt) && const_scalar(Y, &c))
        r = pow_const(cx, cx_dt, x, c);
    if (!r) {
        LLVMValueRef y = om_cg_load(cx, yt, py, bc.off[2]);
        bool x_float = om_dtype_is_float(xt);
        /* the general path's dtype: X's compute dtype, f64 for integer X (as ONNX Runtime's
         * double pow) */
        om_dtype gt = x_float ? cx_dt : OM_DT_DOUBLE;
        /* integer-valued exponent: magnitude n (i64), negative flag, validity */
        LLVMValueRef mag, negy, valid, yf;
        int iters;
        if (om_dtype_is_float(yt)) {
            om_dtype cy = om_cg_logic_compute_dt(yt);
            LLVMValueRef yc = om_cg_logic_widen(cx, y, yt);
            LLVMValueRef ay = om_cg_intrinsic(cx, "llvm.fabs", &yc, 1);
            LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, ay, om_cg_const(cx, cy, 2147483648.0), "");
            LLVMValueRef ays = sel(cx, small, ay, om_cg_const(cx, cy, 0.0));
            mag = LLVMBuildFPToSI(b, ays, cx->i64, "");
            LLVMValueRef back = LLVMBuildSIToFP(b, mag, om_cg_type(cx, cy), "");
            valid = LLVMBuildAnd(b, small, LLVMBuildFCmp(b, LLVMRealOEQ, back, ays, ""), "");
            negy = LLVMBuildFCmp(b, LLVMRealOLT, yc, om_cg_const(cx, cy, 0.0), "");
            iters = 31;
            yf = om_cg_convert(cx, yc, cy, gt);
        } else {
            LLVMValueRef y64 = om_cg_convert(cx, y, yt, om_dtype_is_signed_int(yt) ? OM_DT_INT64 : OM_DT_UINT64);
            if (om_dtype_is_signed_int(yt)) {
                negy = LLVMBuildICmp(b, LLVMIntSLT, y64, om_cg_i64(cx, 0), "");
                mag = sel(cx, negy, LLVMBuildSub(b, om_cg_i64(cx, 0), y64, ""), y64);
            } else {
                negy = LLVMConstInt(cx->i1, 0, 0);
                mag = y64;
            }
            valid = LLVMConstInt(cx->i1, 1, 0);
            iters = (int)om_dtype_size(yt) * 8;
            yf = om_cg_convert(cx, y, yt, gt);
        }
        LLVMValueRef odd = LLVMBuildTrunc(b, mag, cx->i1, "");
        if (x_float) {
            LLVMValueRef gen = pow_gen(cx, gt, x, yf, valid, LLVMBuildAnd(b, odd, valid, ""));
            if (om_dtype_is_float(yt)) {
                r = gen; /* exp/log also for integer values of a float y: sign from `odd` */
            } else {
                LLVMValueRef one = om_cg_const(cx, cx_dt, 1.0);
                LLVMValueRef pi = powi(cx, x, mag, iters, true, one);
                r = sel(cx, negy, LLVMBuildFDiv(b, one, pi, ""), pi);
            }
        } else {
            LLVMTypeRef t = om_cg_type(cx, xt);
            LLVMValueRef one = LLVMConstInt(t, 1, 0);
            LLVMValueRef pi = powi(cx, x, mag, iters, false, one);
            /* negative exponent: 1 -> 1, -1 -> +-1, else 0 */
            LLVMValueRef is1 = LLVMBuildICmp(b, LLVMIntEQ, x, one, "");
            LLVMValueRef ism1 = LLVMBuildICmp(b, LLVMIntEQ, x, LLVMConstAllOnes(t), "");
            LLVMValueRef neg_r = sel(cx, is1, one, LLVMConstInt(t, 0, 0));
            if (om_dtype_is_signed_int(xt))
                neg_r = sel(cx, ism1, sel(cx, odd, LLVMConstAllOnes(t), one), neg_r);
            pi = sel(cx, negy, neg_r, pi);
            if (om_dtype_is_float(yt)) {
                LLVMValueRef xf = om_cg_convert(cx, x, xt, gt);
                LLVMValueRef gen = pow_gen(cx, gt, xf, yf, valid, LLVMBuildAnd(b, odd, valid, ""));
                gen = om_cg_logic_f2i(cx, gen, gt, xt);
                r = sel(cx, valid, pi, gen);
            } else {
                r = pi;
            }
        }
    }
    om_cg_store(cx, xt, pz, bc.off[0], om_cg_convert(cx, r, cx_dt, xt));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}
