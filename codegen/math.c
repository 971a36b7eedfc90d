/* Transcendental f32 functions emitted inline as LLVM IR, for scalars and <N x float>.
 *
 * The generated object code may not call libm (the runtime's loader resolves only memcpy,
 * memmove and memset), so these use only fadd/fmul/fdiv, llvm.fmuladd, llvm.fabs,
 * llvm.copysign, compares, selects and integer bit operations — all of which lower to
 * plain instructions on every target (llvm.fma and llvm.rint would not: without FMA or
 * SSE4.1 they become calls to fmaf/rintf).
 *
 * Accuracy (tests/unit/codegen/test_math.c sweeps 2^20 points against libm in double;
 * measured maximum, then the bound the test enforces):
 *   exp:     relative 8.2e-8 on [-87, 88] (test: < 2e-7); +inf above ~88.72, gradual
 *            underflow below -87 (within one subnormal ulp), 0 below ~-103.9, NaN -> NaN,
 *            exp(-inf) = 0, exp(+inf) = +inf.
 *   tanh:    absolute 7.3e-8 on [-20, 20] (test: < 1e-6); relative 7.6e-8 for |x| < 0.625,
 *            where an odd polynomial is used (test: < 3e-7); saturates to +-1, tanh(-0) = -0,
 *            NaN -> NaN.
 *   sigmoid: absolute 8.8e-8, relative 1.4e-7 on [-100, 100] (test: < 1e-6 / 5e-7);
 *            1 / (1 + exp(-x)), exactly 0 below ~-88.7 and 1 above ~17.
 * Scalar and vector forms give identical bits (checked).
 */
#include "codegen/cg_internal.h"

/* A constant of x's shape. */
static LLVMValueRef cst(om_cg_ctx *cx, LLVMValueRef x, float v)
{
    LLVMValueRef c = LLVMConstReal(cx->f32, v);
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return c;
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e[1024]; /* vectors wider than 1024 lanes are not used */
    if (n > 1024)
        n = 1024;
    for (unsigned k = 0; k < n; k++)
        e[k] = c;
    return LLVMConstVector(e, n);
}

static LLVMValueRef icst(om_cg_ctx *cx, LLVMValueRef x, int32_t v)
{
    LLVMValueRef c = om_cg_i32(cx, v);
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return c;
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e[1024]; /* vectors wider than 1024 lanes are not used */
    if (n > 1024)
        n = 1024;
    for (unsigned k = 0; k < n; k++)
        e[k] = c;
    return LLVMConstVector(e, n);
}

static LLVMTypeRef i32_like(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        return LLVMVectorType(cx->i32, LLVMGetVectorSize(t));
    return cx->i32;
}

/* a * b + c, fused when the target has fast FMA (never a libcall) */
static LLVMValueRef fmuladd(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
}

/* Horner: c[0] + x*(c[1] + x*(... c[n-1])) */
static LLVMValueRef horner(om_cg_ctx *cx, LLVMValueRef x, const float *c, int n)
{
    LLVMValueRef acc = cst(cx, x, c[n - 1]);
    for (int k = n - 2; k >= 0; k--)
        acc = fmuladd(cx, acc, x, cst(cx, x, c[k]));
    return acc;
}

static LLVMValueRef sel(om_cg_ctx *cx, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, c, a, b, "");
}

/* 2^k for integer-valued k in [-126, 127] built from the exponent bits. */
static LLVMValueRef pow2i(om_cg_ctx *cx, LLVMValueRef k_i32)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef e = LLVMBuildAdd(b, k_i32, icst(cx, k_i32, 127), "");
    e = LLVMBuildShl(b, e, icst(cx, k_i32, 23), "");
    LLVMTypeRef ft = LLVMGetTypeKind(LLVMTypeOf(k_i32)) == LLVMVectorTypeKind
                         ? LLVMVectorType(cx->f32, LLVMGetVectorSize(LLVMTypeOf(k_i32)))
                         : cx->f32;
    return LLVMBuildBitCast(b, e, ft, "");
}

/* exp(x) = 2^n * exp(r), n = round(x / ln2), r = x - n ln2 (Cody-Waite, two constants),
 * exp(r) on |r| <= ln2/2 by Cephes' degree-7 polynomial. 2^n is applied as two factors
 * 2^(n - n/2) * 2^(n/2) so n in [-150, 129] needs no special cases: overflow gives +inf,
 * underflow rounds once into subnormals or 0. */
LLVMValueRef om_cg_exp_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    static const float P[] = {1.0f, 1.0f, 5.0000001201e-1f, 1.6666665459e-1f, 4.1665795894e-2f,
                              8.3334519073e-3f, 1.3981999507e-3f, 1.9875691500e-4f};
    LLVMValueRef isnan = LLVMBuildFCmp(b, LLVMRealUNO, x, x, "");
    /* clamp (NaN becomes 0 here and is restored at the end, so no poison flows) */
    LLVMValueRef xc = sel(cx, isnan, cst(cx, x, 0.0f), x);
    xc = sel(cx, LLVMBuildFCmp(b, LLVMRealOGT, xc, cst(cx, x, 89.0f), ""), cst(cx, x, 89.0f), xc);
    xc = sel(cx, LLVMBuildFCmp(b, LLVMRealOLT, xc, cst(cx, x, -104.0f), ""), cst(cx, x, -104.0f), xc);
    /* n = round-to-nearest(x * log2(e)) by the 1.5*2^23 trick (exact for |v| < 2^22) */
    LLVMValueRef magic = cst(cx, x, 12582912.0f);
    LLVMValueRef t = fmuladd(cx, xc, cst(cx, x, 1.44269504088896341f), magic);
    LLVMValueRef nf = LLVMBuildFSub(b, t, magic, "n");
    /* r = x - n*ln2_hi - n*ln2_lo; n*ln2_hi is exact (ln2_hi has 9 significant bits) */
    LLVMValueRef r = LLVMBuildFSub(b, xc, LLVMBuildFMul(b, nf, cst(cx, x, 0.693359375f), ""), "");
    r = LLVMBuildFSub(b, r, LLVMBuildFMul(b, nf, cst(cx, x, -2.12194440e-4f), ""), "r");
    LLVMValueRef r2 = LLVMBuildFMul(b, r, r, "");
    /* p = 1 + r + r^2 * (P2 + P3 r + ...) */
    LLVMValueRef q = horner(cx, r, P + 2, 6);
    LLVMValueRef p = fmuladd(cx, q, r2, r);
    p = LLVMBuildFAdd(b, p, cst(cx, x, 1.0f), "");
    LLVMValueRef n = LLVMBuildFPToSI(b, nf, i32_like(cx, x), "");
    LLVMValueRef h = LLVMBuildSDiv(b, n, icst(cx, n, 2), "");
    LLVMValueRef l = LLVMBuildSub(b, n, h, "");
    LLVMValueRef y = LLVMBuildFMul(b, p, pow2i(cx, l), "");
    y = LLVMBuildFMul(b, y, pow2i(cx, h), "");
    return sel(cx, isnan, x, y);
}

/* tanh: odd polynomial (Cephes tanhf) for |x| < 0.625, else 1 - 2/(exp(2|x|)+1); the sign
 * of x is copied onto either (so tanh(-0) = -0). */
LLVMValueRef om_cg_tanh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    static const float T[] = {-3.33332819422e-1f, 1.33314422036e-1f, -5.37397155531e-2f,
                              2.06390887954e-2f, -5.70498872745e-3f};
    LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
    /* small: |x| + |x|^3 * T(x^2) */
    LLVMValueRef z = LLVMBuildFMul(b, x, x, "");
    LLVMValueRef poly = horner(cx, z, T, 5);
    LLVMValueRef small = fmuladd(cx, LLVMBuildFMul(b, poly, z, ""), ax, ax);
    /* large: 1 - 2 / (exp(2|x|) + 1) */
    LLVMValueRef e = om_cg_exp_f32(cx, LLVMBuildFAdd(b, ax, ax, ""));
    LLVMValueRef d = LLVMBuildFDiv(b, cst(cx, x, 2.0f), LLVMBuildFAdd(b, e, cst(cx, x, 1.0f), ""), "");
    LLVMValueRef large = LLVMBuildFSub(b, cst(cx, x, 1.0f), d, "");
    LLVMValueRef is_small = LLVMBuildFCmp(b, LLVMRealOLT, ax, cst(cx, x, 0.625f), "");
    LLVMValueRef ops[2] = {sel(cx, is_small, small, large), x};
    return om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
}

/* sigmoid(x) = 1 / (1 + exp(-x)); exp(-x) = +inf for x < -88.7 gives exactly 0. */
LLVMValueRef om_cg_sigmoid_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef e = om_cg_exp_f32(cx, LLVMBuildFNeg(b, x, ""));
    LLVMValueRef one = cst(cx, x, 1.0f);
    return LLVMBuildFDiv(b, one, LLVMBuildFAdd(b, one, e, ""), "");
}
