/* More inline transcendental functions (declared in codegen/cg_math.h): log, erf, log1p,
 * expm1, sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, pow for f32,
 * and exact floor / ceil / round-half-even for f32 and f64. Scalars and vectors alike.
 *
 * Like math.c these emit only instructions that lower to plain machine code on every
 * target (no llvm.fma, llvm.rint, llvm.floor: those become libm calls without FMA or
 * SSE4.1). Range reductions use the exponent bits or Cody-Waite splits of the constants;
 * the polynomials are Cephes' single-precision ones unless said otherwise.
 *
 * Accuracy: each function states the maximum error that tests/unit/codegen/test_math_ext.c
 * measured against libm (in double) over a dense sweep (2^20 points per range), then the
 * bound the test enforces. "rel" is |got - want| / |want|. Summary (measured max; the
 * scalar and <N x float> forms give identical bits, so this holds for the vectorized
 * elementwise kernels too):
 *   log    rel 7.8e-8  [1e-30, 1e30]          erf    abs 3.7e-7, rel 3.7e-7  [-5, 5]
 *   log1p  rel 1.6e-7  [-0.999, 1e6]          expm1  rel 1.2e-7  [-80, 88]
 *   sin/cos abs 7.6e-8 [-1e4, 1e4]            tan    rel 1.7e-7  [-100, 100]
 *   asin   rel 2.6e-7  [-1, 1]                acos   rel 1.4e-7  [-1, 1]
 *   atan   rel 2.0e-7  [1e-30, 1e30]          sinh/cosh rel 2.4e-7 [-89, 89]
 *   asinh  rel 2.2e-7  [-1e6, 1e6]            acosh  rel 2.2e-7  [1, 1e30]
 *   atanh  rel 2.2e-7  [-0.9999, 0.9999]      pow    rel < 0.74 (2e-7 + 1.5e-7 |y log x|)
 *   exp_f64 rel 8.3e-8 [-700, 700]            log_f64 rel 1.3e-7 [1e-300, 1e300]
 * (exp, tanh, sigmoid: math.c's header.)
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

static LLVMValueRef fabs_(om_cg_ctx *cx, LLVMValueRef x)
{
    return om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
}

static LLVMValueRef copysign_(om_cg_ctx *cx, LLVMValueRef mag, LLVMValueRef sgn)
{
    LLVMValueRef ops[2] = {mag, sgn};
    return om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
}

static LLVMValueRef sqrt_(om_cg_ctx *cx, LLVMValueRef x)
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

/* ---- log1p, expm1 ------------------------------------------------------------------------- */

/* log1p(x) = log(u) * x / (u - 1) with u = 1 + x (Goldberg's trick: the rounding of u
 * cancels), x itself when u == 1.
 * Measured: rel 1.6e-7 on [-0.999, 1e6] and on [1e-30, 1e-3] (test: < 3e-7).
 * log1p(-1) = -inf, x < -1 -> NaN, +inf -> +inf. */
LLVMValueRef om_cg_log1p_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef one = cst(cx, x, 1.0);
    LLVMValueRef u = fadd(cx, one, x);
    LLVMValueRef l = om_cg_log_f32(cx, u);
    LLVMValueRef r = fmul(cx, l, fdiv(cx, x, fsub(cx, u, one)));
    r = sel(cx, fcmp(cx, LLVMRealOEQ, u, one), x, r);
    return sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, INFINITY)), x, r);
}

/* expm1(x): Taylor polynomial of degree 9 for |x| < 0.5, exp(x) - 1 elsewhere.
 * Measured: rel 1.2e-7 on [-80, 88] and on [1e-30, 0.5] (test: < 3e-7). Saturates at -1;
 * +inf above ~88.7. */
LLVMValueRef om_cg_expm1_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double T[] = {1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
                               1.0 / 6, 0.5};
    LLVMValueRef p = fmuladd(cx, fmul(cx, x, x), polevl(cx, x, T, 8), x);
    LLVMValueRef e = fsub(cx, om_cg_exp_f32(cx, x), cst(cx, x, 1.0));
    LLVMValueRef r = sel(cx, fcmp(cx, LLVMRealOLT, fabs_(cx, x), cst(cx, x, 0.5)), p, e);
    return sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, 0.0)), x, r); /* expm1(-0) = -0 */
}

/* ---- sin, cos, tan ------------------------------------------------------------------------ */

/* |x| = j pi/2 + r, |r| <= pi/4, j = round(|x| 2/pi) (magic-number rounding), r by a
 * three-part Cody-Waite split of pi/2 (the first two parts have few bits so j*part is
 * exact for j < 2^13). Returns r and the quadrant j (i32). For |x| >= 4e6 (or inf/NaN)
 * r = |x| unreduced is not meaningful: callers return NaN for inf/NaN and accept
 * reduced accuracy beyond |x| ~ 1e4 (see the figures). */
static LLVMValueRef reduce_pio2(om_cg_ctx *cx, LLVMValueRef ax, LLVMValueRef *quadrant)
{
    LLVMValueRef ok = fcmp(cx, LLVMRealOLT, ax, cst(cx, ax, 4e6));
    LLVMValueRef a = sel(cx, ok, ax, cst(cx, ax, 0.0)); /* no poison from inf/NaN */
    LLVMValueRef magic = cst(cx, ax, 12582912.0);
    LLVMValueRef j = fsub(cx, fmuladd(cx, a, cst(cx, ax, 0.63661977236758134308), magic), magic);
    LLVMValueRef nj = LLVMBuildFNeg(cx->b, j, "");
    LLVMValueRef r = fmuladd(cx, nj, cst(cx, ax, 1.5703125), a);
    r = fmuladd(cx, nj, cst(cx, ax, 4.837512969970703125e-4), r);
    r = fmuladd(cx, nj, cst(cx, ax, 7.54978995489188216e-8), r);
    *quadrant = LLVMBuildFPToSI(cx->b, j, int_like(cx, ax), "");
    return r;
}

/* sin(r), cos(r) for |r| <= pi/4 (Cephes sinf/cosf polynomials) */
static LLVMValueRef sin_poly(om_cg_ctx *cx, LLVMValueRef r, LLVMValueRef z)
{
    static const double S[] = {-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1};
    return fmuladd(cx, fmul(cx, polevl(cx, z, S, 3), z), r, r);
}

static LLVMValueRef cos_poly(om_cg_ctx *cx, LLVMValueRef z)
{
    static const double C[] = {2.443315711809948E-5, -1.388731625493765E-3, 4.166664568298827E-2};
    LLVMValueRef y = fmul(cx, fmul(cx, polevl(cx, z, C, 3), z), z);
    y = fmuladd(cx, z, cst(cx, z, -0.5), y);
    return fadd(cx, y, cst(cx, z, 1.0));
}

static LLVMValueRef qbit(om_cg_ctx *cx, LLVMValueRef q, LLVMValueRef like, int64_t bit)
{
    LLVMValueRef m = LLVMBuildAnd(cx->b, q, icst(cx, like, bit), "");
    return LLVMBuildICmp(cx->b, LLVMIntNE, m, icst(cx, like, 0), "");
}

static LLVMValueRef nan_unless_finite(om_cg_ctx *cx, LLVMValueRef x, LLVMValueRef r)
{
    LLVMValueRef fin = fcmp(cx, LLVMRealOLT, fabs_(cx, x), cst(cx, x, INFINITY));
    return sel(cx, fin, r, cst(cx, x, NAN));
}

static LLVMValueRef sin_cos(om_cg_ctx *cx, LLVMValueRef x, bool is_cos)
{
    LLVMValueRef ax = fabs_(cx, x), q;
    LLVMValueRef r = reduce_pio2(cx, ax, &q);
    LLVMValueRef z = fmul(cx, r, r);
    LLVMValueRef s = sin_poly(cx, r, z), c = cos_poly(cx, z);
    if (is_cos)
        q = LLVMBuildAdd(cx->b, q, icst(cx, x, 1), ""); /* cos(x) = sin(x + pi/2) */
    LLVMValueRef y = sel(cx, qbit(cx, q, x, 1), c, s);
    y = sel(cx, qbit(cx, q, x, 2), LLVMBuildFNeg(cx->b, y, ""), y);
    if (!is_cos) /* sin is odd: flip for negative x (the sign bit of x, so sin(-0) = -0) */
        y = sel(cx, LLVMBuildICmp(cx->b, LLVMIntSLT, bits_of(cx, x), icst(cx, x, 0), ""), LLVMBuildFNeg(cx->b, y, ""), y);
    return nan_unless_finite(cx, x, y);
}

/* sin, cos. Measured: abs 7.6e-8 on [-100, 100] and on [-1e4, 1e4]; rel 9.6e-8 for
 * |x| < 1 (sin on [1e-30, 1] too) (test: abs < 2e-7, rel < 3e-7). sin(-0) = -0; +-inf, NaN -> NaN. Beyond
 * |x| = 4e6 the result is not accurate. */
LLVMValueRef om_cg_sin_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    return sin_cos(cx, x, false);
}

LLVMValueRef om_cg_cos_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    return sin_cos(cx, x, true);
}

/* tan: same reduction, Cephes tanf polynomial on |r| <= pi/4, -1/tan(r) in odd quadrants.
 * Measured: rel 1.7e-7 on [-100, 100], [-1.5, 1.5], [1e-30, 1] (test: < 4e-7). tan(-0) = -0. */
LLVMValueRef om_cg_tan_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double T[] = {9.38540185543E-3, 3.11992232697E-3, 2.44301354525E-2, 5.34112807005E-2,
                               1.33387994085E-1, 3.33331568548E-1};
    LLVMValueRef ax = fabs_(cx, x), q;
    LLVMValueRef r = reduce_pio2(cx, ax, &q);
    LLVMValueRef z = fmul(cx, r, r);
    LLVMValueRef y = fmuladd(cx, fmul(cx, polevl(cx, z, T, 6), z), r, r);
    y = sel(cx, qbit(cx, q, x, 1), fdiv(cx, cst(cx, x, -1.0), y), y);
    /* tan is odd: flip for negative x (by the sign bit, so tan(-0) = -0) */
    y = sel(cx, LLVMBuildICmp(cx->b, LLVMIntSLT, bits_of(cx, x), icst(cx, x, 0), ""), LLVMBuildFNeg(cx->b, y, ""), y);
    return nan_unless_finite(cx, x, y);
}

/* ---- asin, acos, atan ------------------------------------------------------------------ */

/* asin(s) for |s| <= 0.5 with z = s^2 (Cephes asinf polynomial) */
static LLVMValueRef asin_small(om_cg_ctx *cx, LLVMValueRef s, LLVMValueRef z)
{
    static const double P[] = {4.2163199048E-2, 2.4181311049E-2, 4.5470025998E-2, 7.4953002686E-2,
                               1.6666752422E-1};
    return fmuladd(cx, fmul(cx, polevl(cx, z, P, 5), z), s, s);
}

/* asin: |x| > 0.5 uses asin(a) = pi/2 - 2 asin(sqrt((1 - a)/2)).
 * Measured: rel 2.6e-7 on [-1, 1] and [1e-30, 1] (test: < 3e-7). |x| > 1 -> NaN; asin(-0) = -0. */
LLVMValueRef om_cg_asin_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef a = fabs_(cx, x);
    LLVMValueRef big = fcmp(cx, LLVMRealOGT, a, cst(cx, x, 0.5));
    LLVMValueRef zb = fmul(cx, cst(cx, x, 0.5), fsub(cx, cst(cx, x, 1.0), a));
    LLVMValueRef z = sel(cx, big, zb, fmul(cx, a, a));
    LLVMValueRef s = sel(cx, big, sqrt_(cx, sel(cx, big, zb, cst(cx, x, 0.0))), a);
    LLVMValueRef p = asin_small(cx, s, z);
    LLVMValueRef r = sel(cx, big, fsub(cx, cst(cx, x, 1.57079632679489661923), fadd(cx, p, p)), p);
    r = copysign_(cx, r, x);
    return sel(cx, fcmp(cx, LLVMRealUGT, a, cst(cx, x, 1.0)), cst(cx, x, NAN), r);
}

/* acos: 2 asin(sqrt((1 - x)/2)) for x > 0.5, pi - 2 asin(sqrt((1 + x)/2)) for x < -0.5,
 * pi/2 - asin(x) between. Measured: rel 1.4e-7 on [-1, 1], 1.1e-7 on [0.999, 1] (test: < 3e-7). */
LLVMValueRef om_cg_acos_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef a = fabs_(cx, x);
    LLVMValueRef big = fcmp(cx, LLVMRealOGT, a, cst(cx, x, 0.5));
    LLVMValueRef zb = fmul(cx, cst(cx, x, 0.5), fsub(cx, cst(cx, x, 1.0), a));
    LLVMValueRef z = sel(cx, big, zb, fmul(cx, x, x));
    LLVMValueRef s = sel(cx, big, sqrt_(cx, sel(cx, big, zb, cst(cx, x, 0.0))), x);
    LLVMValueRef p = asin_small(cx, s, z);
    LLVMValueRef p2 = fadd(cx, p, p);
    LLVMValueRef rb = sel(cx, fcmp(cx, LLVMRealOGT, x, cst(cx, x, 0.0)), p2,
                          fsub(cx, cst(cx, x, 3.14159265358979323846), p2));
    LLVMValueRef r = sel(cx, big, rb, fsub(cx, cst(cx, x, 1.57079632679489661923), p));
    return sel(cx, fcmp(cx, LLVMRealUGT, a, cst(cx, x, 1.0)), cst(cx, x, NAN), r);
}

/* atan: reduction to |t| <= tan(pi/8) by atan(a) = pi/2 + atan(-1/a) (a > tan(3pi/8)) or
 * pi/4 + atan((a-1)/(a+1)) (a > tan(pi/8)), Cephes atanf polynomial.
 * Measured: rel 2.0e-7 on [-100, 100] and on [1e-30, 1e30] (test: < 3e-7). atan(+-inf) =
 * +-pi/2. */
LLVMValueRef om_cg_atan_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double P[] = {8.05374449538e-2, -1.38776856032E-1, 1.99777106478E-1, -3.33329491539E-1};
    LLVMValueRef a = fabs_(cx, x), one = cst(cx, x, 1.0);
    LLVMValueRef hi = fcmp(cx, LLVMRealOGT, a, cst(cx, x, 2.414213562373095));
    LLVMValueRef mid = fcmp(cx, LLVMRealOGT, a, cst(cx, x, 0.4142135623730950));
    LLVMValueRef t = sel(cx, mid, fdiv(cx, fsub(cx, a, one), fadd(cx, a, one)), a);
    t = sel(cx, hi, fdiv(cx, cst(cx, x, -1.0), a), t);
    LLVMValueRef y0 = sel(cx, mid, cst(cx, x, 0.78539816339744830962), cst(cx, x, 0.0));
    y0 = sel(cx, hi, cst(cx, x, 1.57079632679489661923), y0);
    LLVMValueRef z = fmul(cx, t, t);
    LLVMValueRef y = fmuladd(cx, fmul(cx, polevl(cx, z, P, 4), z), t, t);
    return copysign_(cx, fadd(cx, y0, y), x);
}

/* ---- hyperbolic -------------------------------------------------------------------------- */

/* e^|x| / 2 without overflowing before the true result does: h = exp(|x|/2), (h/2) h. */
static LLVMValueRef half_exp_abs(om_cg_ctx *cx, LLVMValueRef a)
{
    LLVMValueRef h = om_cg_exp_f32(cx, fmul(cx, a, cst(cx, a, 0.5)));
    return fmul(cx, fmul(cx, h, cst(cx, a, 0.5)), h);
}

/* sinh: Cephes sinhf polynomial for |x| < 1, else t - 1/(4t) with t = e^|x|/2.
 * Measured: rel 2.4e-7 on [-89, 89] and [1e-30, 2] (test: < 4e-7). +-inf beyond ~89.4. */
LLVMValueRef om_cg_sinh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    static const double P[] = {2.03721912945E-4, 8.33028376239E-3, 1.66667160211E-1};
    LLVMValueRef a = fabs_(cx, x);
    LLVMValueRef z = fmul(cx, x, x);
    LLVMValueRef small = fmuladd(cx, fmul(cx, polevl(cx, z, P, 3), z), x, x);
    LLVMValueRef t = half_exp_abs(cx, a);
    LLVMValueRef large = copysign_(cx, fsub(cx, t, fdiv(cx, cst(cx, x, 0.25), t)), x);
    return sel(cx, fcmp(cx, LLVMRealOLT, a, cst(cx, x, 1.0)), small, large);
}

/* cosh = t + 1/(4t), t = e^|x|/2. Measured: rel 2.4e-7 on [-89, 89] (test: < 4e-7). */
LLVMValueRef om_cg_cosh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef t = half_exp_abs(cx, fabs_(cx, x));
    return fadd(cx, t, fdiv(cx, cst(cx, x, 0.25), t));
}

/* log(u) combined with the log1p trick: returns log1p(v) where u = 1 + v was rounded,
 * sharing one log. */
static LLVMValueRef log1p_of(om_cg_ctx *cx, LLVMValueRef u, LLVMValueRef v, LLVMValueRef l)
{
    LLVMValueRef one = cst(cx, u, 1.0);
    LLVMValueRef r = fmul(cx, l, fdiv(cx, v, fsub(cx, u, one)));
    return sel(cx, fcmp(cx, LLVMRealOEQ, u, one), v, r);
}

/* asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))), log(a) + ln2 for a > 1e4; odd.
 * Measured: rel 2.2e-7 on [-1e6, 1e6] and [1e-30, 1e30] (test: < 4e-7). */
LLVMValueRef om_cg_asinh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef a = fabs_(cx, x), one = cst(cx, x, 1.0);
    LLVMValueRef large = fcmp(cx, LLVMRealOGT, a, cst(cx, x, 1e4));
    LLVMValueRef a2 = fmul(cx, a, a);
    LLVMValueRef v = fadd(cx, a, fdiv(cx, a2, fadd(cx, one, sqrt_(cx, fadd(cx, one, a2)))));
    LLVMValueRef u = sel(cx, large, a, fadd(cx, one, v));
    LLVMValueRef l = om_cg_log_f32(cx, u);
    LLVMValueRef r = sel(cx, large, fadd(cx, l, cst(cx, x, 0.69314718055994530942)), log1p_of(cx, u, v, l));
    return copysign_(cx, r, x);
}

/* acosh(x) = log1p(t + sqrt(t (t + 2))), t = x - 1; log(x) + ln2 for x > 1e4; x < 1 -> NaN.
 * Measured: rel 2.2e-7 on [1, 1e6], [1, 1e30], [1, 1.01] (test: < 4e-7). */
LLVMValueRef om_cg_acosh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef one = cst(cx, x, 1.0);
    LLVMValueRef large = fcmp(cx, LLVMRealOGT, x, cst(cx, x, 1e4));
    LLVMValueRef t = fsub(cx, x, one);
    LLVMValueRef v = fadd(cx, t, sqrt_(cx, fmul(cx, t, fadd(cx, t, cst(cx, x, 2.0)))));
    LLVMValueRef u = sel(cx, large, x, fadd(cx, one, v));
    LLVMValueRef l = om_cg_log_f32(cx, u);
    LLVMValueRef r = sel(cx, large, fadd(cx, l, cst(cx, x, 0.69314718055994530942)), log1p_of(cx, u, v, l));
    return sel(cx, fcmp(cx, LLVMRealULT, x, one), cst(cx, x, NAN), r);
}

/* atanh(a) = log1p(2a / (1 - a)) / 2; odd; |x| = 1 -> +-inf, |x| > 1 -> NaN.
 * Measured: rel 2.2e-7 on [-0.9999, 0.9999] and [1e-30, 0.5] (test: < 4e-7). */
LLVMValueRef om_cg_atanh_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef a = fabs_(cx, x), one = cst(cx, x, 1.0);
    LLVMValueRef v = fdiv(cx, fadd(cx, a, a), fsub(cx, one, a));
    LLVMValueRef r = fmul(cx, om_cg_log1p_f32(cx, v), cst(cx, x, 0.5));
    r = copysign_(cx, r, x);
    return sel(cx, fcmp(cx, LLVMRealUGT, a, one), cst(cx, x, NAN), r);
}

/* ---- rounding (f32 and f64) ---------------------------------------------------------------- */

/* round half to even: (|x| + 2^p) - 2^p in the default rounding mode (p = 23 or 52), sign
 * copied back; |x| >= 2^p (already integral), inf and NaN pass through. */
LLVMValueRef om_cg_round_even(om_cg_ctx *cx, LLVMValueRef x)
{
    bool dbl = LLVMGetTypeKind(elem_type(x)) == LLVMDoubleTypeKind;
    LLVMValueRef big = cst(cx, x, dbl ? 0x1p52 : 0x1p23);
    LLVMValueRef a = fabs_(cx, x);
    LLVMValueRef r = copysign_(cx, fsub(cx, fadd(cx, a, big), big), x);
    return sel(cx, fcmp(cx, LLVMRealOLT, a, big), r, x);
}

LLVMValueRef om_cg_floor(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef t = om_cg_round_even(cx, x);
    t = sel(cx, fcmp(cx, LLVMRealOGT, t, x), fsub(cx, t, cst(cx, x, 1.0)), t);
    return copysign_(cx, t, x);
}

LLVMValueRef om_cg_ceil(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef t = om_cg_round_even(cx, x);
    t = sel(cx, fcmp(cx, LLVMRealOLT, t, x), fadd(cx, t, cst(cx, x, 1.0)), t);
    return copysign_(cx, t, x);
}

/* ---- pow ------------------------------------------------------------------------------------ */

/* pow(x, y) = exp(y log|x|) with the sign and special cases of C99 pow.
 * The error grows with |y log x| (log's relative error is scaled by it): measured rel
 * < 0.74 (2e-7 + 1.5e-7 |y log x|) on x in +-[1e-3, 1e3], y in [-10, 10] (test: < 1x that
 * bound), i.e. ~1e-6 for results near 1e+-4 and ~1.3e-5 near 1e+-38. */
LLVMValueRef om_cg_pow_f32(om_cg_ctx *cx, LLVMValueRef x, LLVMValueRef y)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef one = cst(cx, x, 1.0), zero = cst(cx, x, 0.0);
    LLVMValueRef ax = fabs_(cx, x);
    LLVMValueRef r = om_cg_exp_f32(cx, fmul(cx, y, om_cg_log_f32(cx, ax)));
    /* y integral? odd? (|y| >= 2^24 is even) */
    LLVMValueRef yint = fcmp(cx, LLVMRealOEQ, om_cg_floor(cx, y), y);
    LLVMValueRef ay = fabs_(cx, y);
    LLVMValueRef ysm = fcmp(cx, LLVMRealOLT, ay, cst(cx, x, 0x1p24));
    LLVMValueRef yi = LLVMBuildFPToSI(b, sel(cx, ysm, ay, zero), int_like(cx, x), "");
    LLVMValueRef yodd = LLVMBuildAnd(b, yint, qbit(cx, yi, x, 1), "");
    LLVMValueRef xneg = LLVMBuildICmp(b, LLVMIntSLT, bits_of(cx, x), icst(cx, x, 0), "");
    r = sel(cx, LLVMBuildAnd(b, xneg, yodd, ""), LLVMBuildFNeg(b, r, ""), r);
    r = sel(cx, LLVMBuildAnd(b, fcmp(cx, LLVMRealOLT, x, zero), LLVMBuildNot(b, yint, ""), ""), cst(cx, x, NAN), r);
    /* |x| == 1 with infinite y, x == 1, y == 0 -> 1 */
    LLVMValueRef yinf = fcmp(cx, LLVMRealOEQ, ay, cst(cx, x, INFINITY));
    r = sel(cx, LLVMBuildAnd(b, fcmp(cx, LLVMRealOEQ, ax, one), yinf, ""), one, r);
    r = sel(cx, fcmp(cx, LLVMRealOEQ, x, one), one, r);
    return sel(cx, fcmp(cx, LLVMRealOEQ, y, zero), one, r);
}

/* ---- f64 range with f32 accuracy --------------------------------------------------------- */

static LLVMValueRef to_f32(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMTypeRef t = is_vec(x) ? LLVMVectorType(cx->f32, LLVMGetVectorSize(LLVMTypeOf(x))) : cx->f32;
    return LLVMBuildFPTrunc(cx->b, x, t, "");
}

/* 2^k (k an i64 in [-1022, 1023]) as f64 from the exponent bits */
static LLVMValueRef pow2i_f64(om_cg_ctx *cx, LLVMValueRef k, LLVMValueRef like)
{
    LLVMValueRef e = LLVMBuildShl(cx->b, LLVMBuildAdd(cx->b, k, icst(cx, like, 1023), ""), icst(cx, like, 52), "");
    return float_of(cx, e, like);
}

/* exp(x) in f64: n = round(x / ln2), r = x - n ln2 (fdlibm's two-part ln2), exp_f32(r),
 * scaled by 2^n in two factors. Measured: rel 8.3e-8 on [-700, 700] (test: < 2e-7);
 * +inf above ~709.8, 0 below ~-745.2, NaN -> NaN. */
LLVMValueRef om_cg_exp_f64(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef isnan = fcmp(cx, LLVMRealUNO, x, x);
    LLVMValueRef xc = sel(cx, isnan, cst(cx, x, 0.0), x);
    xc = sel(cx, fcmp(cx, LLVMRealOGT, xc, cst(cx, x, 710.0)), cst(cx, x, 710.0), xc);
    xc = sel(cx, fcmp(cx, LLVMRealOLT, xc, cst(cx, x, -746.0)), cst(cx, x, -746.0), xc);
    LLVMValueRef n = om_cg_round_even(cx, fmul(cx, xc, cst(cx, x, 1.44269504088896338700)));
    LLVMValueRef nn = LLVMBuildFNeg(cx->b, n, "");
    LLVMValueRef r = fmuladd(cx, nn, cst(cx, x, 6.93147180369123816490e-01), xc);
    r = fmuladd(cx, nn, cst(cx, x, 1.90821492927058770002e-10), r);
    LLVMValueRef p = LLVMBuildFPExt(cx->b, om_cg_exp_f32(cx, to_f32(cx, r)), LLVMTypeOf(x), "");
    LLVMValueRef ni = LLVMBuildFPToSI(cx->b, n, int_like(cx, x), "");
    LLVMValueRef h = LLVMBuildSDiv(cx->b, ni, icst(cx, x, 2), "");
    LLVMValueRef l = LLVMBuildSub(cx->b, ni, h, "");
    LLVMValueRef y = fmul(cx, fmul(cx, p, pow2i_f64(cx, l, x)), pow2i_f64(cx, h, x));
    return sel(cx, isnan, x, y);
}

/* log(x) in f64: x = m 2^e with m in [sqrt(1/2), sqrt(2)) from the bits, log1p_f32(m - 1)
 * (m - 1 exact in f64) + e ln2 in f64. Measured: rel 1.3e-7 on [1e-300, 1e300] (log-spaced,
 * where |log x| > 0.1) and on subnormals, 2.3e-7 on [0.999, 1.001] (test: < 3e-7).
 * Specials as log_f32. */
LLVMValueRef om_cg_log_f64(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef sub = fcmp(cx, LLVMRealOLT, x, cst(cx, x, 0x1p-1022));
    LLVMValueRef xs = sel(cx, sub, fmul(cx, x, cst(cx, x, 0x1p52)), x);
    LLVMValueRef bits = bits_of(cx, xs);
    LLVMValueRef ei = LLVMBuildSub(b, LLVMBuildLShr(b, bits, icst(cx, x, 52), ""), icst(cx, x, 1022), "");
    LLVMValueRef mb = LLVMBuildOr(b, LLVMBuildAnd(b, bits, icst(cx, x, 0x000fffffffffffffLL), ""),
                                  icst(cx, x, 0x3fe0000000000000LL), "");
    LLVMValueRef m = float_of(cx, mb, x); /* [0.5, 1) */
    LLVMValueRef e = LLVMBuildSIToFP(b, ei, LLVMTypeOf(x), "");
    e = fsub(cx, e, sel(cx, sub, cst(cx, x, 52.0), cst(cx, x, 0.0)));
    LLVMValueRef small = fcmp(cx, LLVMRealOLT, m, cst(cx, x, 0.70710678118654752440));
    e = fsub(cx, e, sel(cx, small, cst(cx, x, 1.0), cst(cx, x, 0.0)));
    LLVMValueRef f = fsub(cx, sel(cx, small, fadd(cx, m, m), m), cst(cx, x, 1.0));
    LLVMValueRef lf = LLVMBuildFPExt(b, om_cg_log1p_f32(cx, to_f32(cx, f)), LLVMTypeOf(x), "");
    LLVMValueRef r = fmuladd(cx, e, cst(cx, x, 0.69314718055994530942), lf);
    r = sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, INFINITY)), x, r);
    r = sel(cx, fcmp(cx, LLVMRealOEQ, x, cst(cx, x, 0.0)), cst(cx, x, -INFINITY), r);
    r = sel(cx, fcmp(cx, LLVMRealOLT, x, cst(cx, x, 0.0)), cst(cx, x, NAN), r);
    return sel(cx, fcmp(cx, LLVMRealUNO, x, x), x, r);
}
