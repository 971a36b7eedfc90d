/* More inline transcendental functions (declared in codegen/cg_math.h): log and erf for
 * f32 so far (the rest of cg_math.h follows). Scalars and vectors alike.
 *
 * Like math.c these emit only instructions that lower to plain machine code on every
 * target (no llvm.fma, llvm.rint, llvm.floor: those become libm calls without FMA or
 * SSE4.1). Range reductions use the exponent bits or Cody-Waite splits of the constants;
 * the polynomials are Cephes' single-precision ones unless said otherwise.
 *
 * Accuracy: each function states the maximum error that tests/unit/codegen/test_math_ext.c
 * measured against libm (in double) over a dense sweep (2^20 points per range), then the
 * bound the test enforces. "rel" is |got - want| / |want|.
 */
#include <math.h>

#include "codegen/cg_math.h"

/* ---- small helpers ---------------------------------------------------------------------- */

static bool is_vec(LLVMValueRef x)
{
    return LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMVectorTypeKind;
}

/* A splat of the scalar constant c to x's shape. */
static LLVMValueRef splat(LLVMValueRef x, LLVMValueRef c)
{
    if (!is_vec(x))
        return c;
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(x));
    LLVMValueRef e[1024]; /* vectors wider than 1024 lanes are not used */
    if (n > 1024)
        n = 1024;
    for (unsigned k = 0; k < n; k++)
        e[k] = c;
    return LLVMConstVector(e, n);
}

static LLVMTypeRef elem_type(LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    return is_vec(x) ? LLVMGetElementType(t) : t;
}

/* A float constant of x's type (f32 or f64, scalar or vector). */
static LLVMValueRef cst(om_cg_ctx *cx, LLVMValueRef x, double v)
{
    (void)cx;
    return splat(x, LLVMConstReal(elem_type(x), v));
}

/* The integer type as wide as x's float elements, in x's shape. */
static LLVMTypeRef int_like(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMTypeRef it = LLVMGetTypeKind(elem_type(x)) == LLVMDoubleTypeKind ? cx->i64 : cx->i32;
    return is_vec(x) ? LLVMVectorType(it, LLVMGetVectorSize(LLVMTypeOf(x))) : it;
}

/* An integer constant of the type int_like(x). */
static LLVMValueRef icst(om_cg_ctx *cx, LLVMValueRef x, int64_t v)
{
    LLVMTypeRef it = int_like(cx, x);
    LLVMTypeRef et = is_vec(x) ? LLVMGetElementType(it) : it;
    return splat(x, LLVMConstInt(et, (unsigned long long)v, 1));
}

static LLVMValueRef fmuladd(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b, LLVMValueRef c)
{
    LLVMValueRef ops[3] = {a, b, c};
    return om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
}

/* Horner with coefficients from the highest degree down: c[0] x^(n-1) + ... + c[n-1]. */
static LLVMValueRef polevl(om_cg_ctx *cx, LLVMValueRef x, const double *c, int n)
{
    LLVMValueRef acc = cst(cx, x, c[0]);
    for (int k = 1; k < n; k++)
        acc = fmuladd(cx, acc, x, cst(cx, x, c[k]));
    return acc;
}

static LLVMValueRef sel(om_cg_ctx *cx, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, c, a, b, "");
}

static LLVMValueRef fcmp(om_cg_ctx *cx, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFCmp(cx->b, p, a, b, "");
}

static inline LLVMValueRef fabs_(om_cg_ctx *cx, LLVMValueRef x)
{
    return om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
}

static inline LLVMValueRef copysign_(om_cg_ctx *cx, LLVMValueRef mag, LLVMValueRef sgn)
{
    LLVMValueRef ops[2] = {mag, sgn};
    return om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
}

static inline LLVMValueRef sqrt_(om_cg_ctx *cx, LLVMValueRef x)
{
    return om_cg_intrinsic(cx, "llvm.sqrt", &x, 1);
}

static LLVMValueRef fmul(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFMul(cx->b, a, b, ""); }
static LLVMValueRef fadd(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFAdd(cx->b, a, b, ""); }
static LLVMValueRef fsub(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFSub(cx->b, a, b, ""); }
static LLVMValueRef fdiv(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFDiv(cx->b, a, b, ""); }

static LLVMValueRef bits_of(om_cg_ctx *cx, LLVMValueRef x)
{
    return LLVMBuildBitCast(cx->b, x, int_like(cx, x), "");
}

static LLVMValueRef float_of(om_cg_ctx *cx, LLVMValueRef bits, LLVMValueRef like)
{
    return LLVMBuildBitCast(cx->b, bits, LLVMTypeOf(like), "");
}

/* ---- log ---------------------------------------------------------------------------------- */

/* log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)) from the exponent bits (subnormals are
 * scaled by 2^23 first), log(m) = f - f^2/2 + f^3 P(f) with f = m - 1 (Cephes logf), plus
 * e ln2 split in two constants.
 * Measured: rel 7.8e-8 on [1e-30, 1e30] (log-spaced, where |log x| > 0.1), on [0.5, 2]
 * and on subnormals; rel 6.0e-8 on [0.999, 1.001] (test: rel < 2e-7 everywhere).
 * log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, NaN -> NaN. */
LLVMValueRef om_cg_log_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double P[] = {7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                               1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                               3.3333331174E-1};
    LLVMBuilderRef b = cx->b;
    LLVMValueRef sub = fcmp(cx, LLVMRealOLT, x, cst(cx, x, 0x1p-126));
    LLVMValueRef xs = sel(cx, sub, fmul(cx, x, cst(cx, x, 0x1p23)), x);
    LLVMValueRef bits = bits_of(cx, xs);
    LLVMValueRef ei = LLVMBuildSub(b, LLVMBuildLShr(b, bits, icst(cx, x, 23), ""), icst(cx, x, 126), "");
    LLVMValueRef mb = LLVMBuildOr(b, LLVMBuildAnd(b, bits, icst(cx, x, 0x007fffff), ""), icst(cx, x, 0x3f000000), "");
    LLVMValueRef m = float_of(cx, mb, x); /* [0.5, 1) */
    LLVMValueRef e = LLVMBuildSIToFP(b, ei, LLVMTypeOf(x), "");
    e = fsub(cx, e, sel(cx, sub, cst(cx, x, 23.0), cst(cx, x, 0.0)));
    LLVMValueRef small = fcmp(cx, LLVMRealOLT, m, cst(cx, x, 0.70710678118654752440));
    e = fsub(cx, e, sel(cx, small, cst(cx, x, 1.0), cst(cx, x, 0.0)));
    LLVMValueRef f = fsub(cx, sel(cx, small, fadd(cx, m, m), m), cst(cx, x, 1.0));
    LLVMValueRef z = fmul(cx, f, f);
    LLVMValueRef y = fmul(cx, fmul(cx, f, z), polevl(cx, f, P, 9));
    y = fmuladd(cx, e, cst(cx, x, -2.12194440e-4), y);
    y = fmuladd(cx, z, cst(cx, x, -0.5), y);
    LLVMValueRef r = fadd(cx, f, y);
    r = fmuladd(cx, e, cst(cx, x, 0.693359375), r);
    /* specials */
    r = sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, INFINITY)), x, r);
    r = sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, 0.0)), cst(cx, x, -INFINITY), r);
    r = sel(cx, fcmp(cx, LLVMRealOLT, x, cst(cx, x, 0.0)), cst(cx, x, NAN), r);
    return sel(cx, fcmp(cx, LLVMRealUNO, x, x), x, r);
}

/* ---- erf ---------------------------------------------------------------------------------- */

/* erf(x) = x P(x^2) / Q(x^2) on [-4, 4] (x clamped there; erf(4) rounds to 1 in f32), the
 * rational approximation of Eigen / TensorFlow (degree 13 / 8).
 * Measured: abs 3.7e-7, rel 3.7e-7 on [-5, 5]; rel 2.6e-7 on [1e-30, 1] (test: abs and
 * rel < 5e-7). erf(+-inf) = +-1, erf(-0) = -0, NaN -> NaN. */
LLVMValueRef om_cg_erf_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double A[] = {-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                               -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                               -1.60960333262415e-02};
    static const double B[] = {-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                               -7.37332916720468e-03, -1.42647390514189e-02};
    LLVMValueRef xc = sel(cx, fcmp(cx, LLVMRealOGT, x, cst(cx, x, 4.0)), cst(cx, x, 4.0), x);
    xc = sel(cx, fcmp(cx, LLVMRealOLT, xc, cst(cx, x, -4.0)), cst(cx, x, -4.0), xc);
    LLVMValueRef x2 = fmul(cx, xc, xc);
    LLVMValueRef p = fmul(cx, xc, polevl(cx, x2, A, 7));
    LLVMValueRef q = polevl(cx, x2, B, 5);
    return fdiv(cx, p, q);
}
