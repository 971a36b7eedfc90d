/* Accuracy of the inline f32 functions of codegen/math_ext.c (cg_math.h) against libm in
 * double over dense sweeps (2^20 points per range, linear or log-spaced), scalar and
 * <8 x float> forms (which must agree bit for bit), plus special values; and exactness of
 * floor / ceil / round-half-even in f32 and f64. Measured maxima are printed; the bounds
 * asserted are the ones stated in math_ext.c. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>

#include "codegen/cg_math.h"
#include "codegen/cg_target.h"

typedef void (*map_fn)(const void *, void *, int64_t);
typedef void (*map2_fn)(const float *, const float *, float *, int64_t);
typedef LLVMValueRef (*emit_math)(om_cg_ctx *, LLVMValueRef);

/* the unary f32 functions under test, in this order */
enum { F_LOG, F_ERF, F_LOG1P, F_EXPM1, F_SIN, F_COS, F_TAN, F_ASIN, F_ACOS, F_ATAN, F_SINH, F_COSH,
       F_ASINH, F_ACOSH, F_ATANH, F_FLOOR, F_CEIL, F_ROUND, F_COUNT };
static const char *k_names[F_COUNT] = {"log", "erf", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos",
                                       "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "floor", "ceil",
                                       "round"};
static const emit_math k_emit[F_COUNT] = {
    om_cg_log_f32, om_cg_erf_f32, om_cg_log1p_f32, om_cg_expm1_f32, om_cg_sin_f32, om_cg_cos_f32,
    om_cg_tan_f32, om_cg_asin_f32, om_cg_acos_f32, om_cg_atan_f32, om_cg_sinh_f32, om_cg_cosh_f32,
    om_cg_asinh_f32, om_cg_acosh_f32, om_cg_atanh_f32, om_cg_floor, om_cg_ceil, om_cg_round_even};

static LLVMOrcLLJITRef g_jit;
static map_fn g_fn[F_COUNT][2];      /* f32: scalar, <8 x float> */
static map_fn g_fn64[3][2];          /* floor, ceil, round in f64: scalar, <4 x double> */
static map2_fn g_pow[2];
static map_fn g_e64[2][2];          /* exp_f64, log_f64: scalar, <4 x double> */

/* void name(ptr x, ptr y, i64 n): y[i] = f(x[i]); width 1 or w (n multiple of w) */
static void emit_map(om_cg_ctx *cx, const char *name, emit_math f, LLVMTypeRef et, unsigned width)
{
    LLVMTypeRef params[3] = {cx->ptr, cx->ptr, cx->i64};
    cx->fn = LLVMAddFunction(cx->mod, name, LLVMFunctionType(cx->vd, params, 3, 0));
    cx->entry = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "entry");
    LLVMPositionBuilderAtEnd(cx->b, cx->entry);
    LLVMValueRef x = LLVMGetParam(cx->fn, 0), y = LLVMGetParam(cx->fn, 1), n = LLVMGetParam(cx->fn, 2);
    LLVMTypeRef t = width == 1 ? et : LLVMVectorType(et, width);
    LLVMValueRef cnt = width == 1 ? n : LLVMBuildSDiv(cx->b, n, om_cg_i64(cx, width), "");
    om_cg_loop l;
    LLVMValueRef i = om_cg_for(cx, &l, om_cg_i64(cx, 0), cnt, "i");
    LLVMValueRef px = LLVMBuildGEP2(cx->b, t, x, &i, 1, ""), py = LLVMBuildGEP2(cx->b, t, y, &i, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(cx->b, t, px, "");
    LLVMSetAlignment(v, 4);
    LLVMValueRef st = LLVMBuildStore(cx->b, f(cx, v), py);
    LLVMSetAlignment(st, 4);
    om_cg_for_end(cx, &l);
    LLVMBuildRetVoid(cx->b);
}

/* void name(ptr x, ptr y, ptr z, i64 n): z[i] = pow(x[i], y[i]) */
static void emit_pow(om_cg_ctx *cx, const char *name, unsigned width)
{
    LLVMTypeRef params[4] = {cx->ptr, cx->ptr, cx->ptr, cx->i64};
    cx->fn = LLVMAddFunction(cx->mod, name, LLVMFunctionType(cx->vd, params, 4, 0));
    cx->entry = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "entry");
    LLVMPositionBuilderAtEnd(cx->b, cx->entry);
    LLVMValueRef p[3] = {LLVMGetParam(cx->fn, 0), LLVMGetParam(cx->fn, 1), LLVMGetParam(cx->fn, 2)};
    LLVMValueRef n = LLVMGetParam(cx->fn, 3);
    LLVMTypeRef t = width == 1 ? cx->f32 : LLVMVectorType(cx->f32, width);
    LLVMValueRef cnt = width == 1 ? n : LLVMBuildSDiv(cx->b, n, om_cg_i64(cx, width), "");
    om_cg_loop l;
    LLVMValueRef i = om_cg_for(cx, &l, om_cg_i64(cx, 0), cnt, "i");
    LLVMValueRef v[2];
    for (int k = 0; k < 2; k++) {
        v[k] = LLVMBuildLoad2(cx->b, t, LLVMBuildGEP2(cx->b, t, p[k], &i, 1, ""), "");
        LLVMSetAlignment(v[k], 4);
    }
    LLVMValueRef st = LLVMBuildStore(cx->b, om_cg_pow_f32(cx, v[0], v[1]), LLVMBuildGEP2(cx->b, t, p[2], &i, 1, ""));
    LLVMSetAlignment(st, 4);
    om_cg_for_end(cx, &l);
    LLVMBuildRetVoid(cx->b);
}

static int lookup(const char *nm, void **out)
{
    LLVMOrcExecutorAddress a;
    if (LLVMOrcLLJITLookup(g_jit, &a, nm))
        return -1;
    *out = (void *)(uintptr_t)a;
    return 0;
}

static int setup(void **state)
{
    om_cg_init_llvm();
    if (LLVMOrcCreateLLJIT(&g_jit, NULL))
        return -1;
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    om_cg_ctx cx = {0};
    cx.llctx = LLVMOrcThreadSafeContextGetContext(tsc);
    cx.mod = LLVMModuleCreateWithNameInContext("math_ext", cx.llctx);
    cx.b = LLVMCreateBuilderInContext(cx.llctx);
    cx.i1 = LLVMInt1TypeInContext(cx.llctx);
    cx.i8 = LLVMInt8TypeInContext(cx.llctx);
    cx.i16 = LLVMInt16TypeInContext(cx.llctx);
    cx.i32 = LLVMInt32TypeInContext(cx.llctx);
    cx.i64 = LLVMInt64TypeInContext(cx.llctx);
    cx.f16 = LLVMHalfTypeInContext(cx.llctx);
    cx.bf16 = LLVMBFloatTypeInContext(cx.llctx);
    cx.f32 = LLVMFloatTypeInContext(cx.llctx);
    cx.f64 = LLVMDoubleTypeInContext(cx.llctx);
    cx.ptr = LLVMPointerTypeInContext(cx.llctx, 0);
    cx.vd = LLVMVoidTypeInContext(cx.llctx);
    char nm[48];
    for (int k = 0; k < F_COUNT; k++)
        for (int w = 0; w < 2; w++) {
            snprintf(nm, sizeof nm, "t_%s_%d", k_names[k], w);
            emit_map(&cx, nm, k_emit[k], cx.f32, w ? 8 : 1);
        }
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++) {
            snprintf(nm, sizeof nm, "t64_%s_%d", k_names[F_FLOOR + k], w);
            emit_map(&cx, nm, k_emit[F_FLOOR + k], cx.f64, w ? 4 : 1);
        }
    for (int w = 0; w < 2; w++) {
        snprintf(nm, sizeof nm, "t64_exp_%d", w);
        emit_map(&cx, nm, om_cg_exp_f64, cx.f64, w ? 4 : 1);
        snprintf(nm, sizeof nm, "t64_log_%d", w);
        emit_map(&cx, nm, om_cg_log_f64, cx.f64, w ? 4 : 1);
    }
    emit_pow(&cx, "t_pow_0", 1);
    emit_pow(&cx, "t_pow_1", 8);
    LLVMDisposeBuilder(cx.b);
    char *msg = NULL;
    if (LLVMVerifyModule(cx.mod, LLVMReturnStatusAction, &msg)) {
        fprintf(stderr, "%s\n", msg);
        return -1;
    }
    LLVMDisposeMessage(msg);
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(cx.mod, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc);
    if (LLVMOrcLLJITAddLLVMIRModule(g_jit, LLVMOrcLLJITGetMainJITDylib(g_jit), tsm))
        return -1;
    for (int k = 0; k < F_COUNT; k++)
        for (int w = 0; w < 2; w++) {
            snprintf(nm, sizeof nm, "t_%s_%d", k_names[k], w);
            if (lookup(nm, (void **)&g_fn[k][w]))
                return -1;
        }
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++) {
            snprintf(nm, sizeof nm, "t64_%s_%d", k_names[F_FLOOR + k], w);
            if (lookup(nm, (void **)&g_fn64[k][w]))
                return -1;
        }
    for (int w = 0; w < 2; w++) {
        snprintf(nm, sizeof nm, "t64_exp_%d", w);
        if (lookup(nm, (void **)&g_e64[0][w]))
            return -1;
        snprintf(nm, sizeof nm, "t64_log_%d", w);
        if (lookup(nm, (void **)&g_e64[1][w]))
            return -1;
    }
    if (lookup("t_pow_0", (void **)&g_pow[0]) || lookup("t_pow_1", (void **)&g_pow[1]))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    LLVMOrcDisposeLLJIT(g_jit);
    return 0;
}

enum { N = 1 << 20 };

static bool same_bits(float a, float b)
{
    return !memcmp(&a, &b, 4) || (isnan(a) && isnan(b));
}

/* Runs function k (both widths) on n points (a multiple of 8); scalar == vector bitwise. */
static void run_both(int k, const float *x, float *y, int64_t n)
{
    float *y2 = malloc(sizeof(float) * (size_t)n);
    assert_non_null(y2);
    assert_int_equal(n % 8, 0);
    g_fn[k][0](x, y, n);
    g_fn[k][1](x, y2, n);
    for (int64_t i = 0; i < n; i++)
        if (!same_bits(y[i], y2[i]))
            fail_msg("%s: scalar %a and vector %a differ at x=%a", k_names[k], y[i], y2[i], x[i]);
    free(y2);
}

/* Max absolute and relative error of function k against ref over N points of [lo, hi]
 * (log-spaced when logsp, lo > 0). Relative error is taken where |want| > rel_floor. */
typedef struct errs { double abs, rel; } errs;
static errs measure(int k, double (*ref)(double), double lo, double hi, bool logsp, double rel_floor)
{
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    assert_non_null(x);
    assert_non_null(y);
    for (int i = 0; i < N; i++) {
        double t = (double)i / (N - 1);
        x[i] = (float)(logsp ? exp(log(lo) + (log(hi) - log(lo)) * t) : lo + (hi - lo) * t);
    }
    run_both(k, x, y, N);
    errs e = {0, 0};
    for (int i = 0; i < N; i++) {
        double want = ref((double)x[i]), err = fabs((double)y[i] - want);
        if (isnan(want) != isnan(y[i]))
            fail_msg("%s(%a) = %a, want %a", k_names[k], x[i], y[i], want);
        if (isnan(want))
            continue;
        if (isinf(want)) {
            if (y[i] != want)
                fail_msg("%s(%a) = %a, want %a", k_names[k], x[i], y[i], want);
            continue;
        }
        if (err > e.abs)
            e.abs = err;
        if (fabs(want) > rel_floor && err / fabs(want) > e.rel)
            e.rel = err / fabs(want);
    }
    print_message("%-6s on [%g, %g]%s: max abs %.3g, max rel %.3g\n", k_names[k], lo, hi, logsp ? " (log)" : "",
                  e.abs, e.rel);
    free(x);
    free(y);
    return e;
}

/* f(specials[i]) must equal want[i] (bitwise, NaN == NaN) */
static void check_specials(int k, const float *sp, const float *want, int n)
{
    float x[64] = {0}, y[64];
    assert_true(n <= 64);
    memcpy(x, sp, sizeof(float) * (size_t)n);
    run_both(k, x, y, 64);
    for (int i = 0; i < n; i++)
        if (!same_bits(y[i], want[i]))
            fail_msg("%s(%a) = %a, want %a", k_names[k], sp[i], y[i], want[i]);
}

static void test_log(void **state)
{
    errs e = measure(F_LOG, log, 1e-30, 1e30, true, 0.1);
    assert_true(e.rel < 2e-7);
    e = measure(F_LOG, log, 0.5, 2.0, false, 0.1);
    assert_true(e.rel < 2e-7 && e.abs < 1.2e-7);
    e = measure(F_LOG, log, 0.999, 1.001, false, 0);
    assert_true(e.rel < 2e-7);
    e = measure(F_LOG, log, 1e-44, 1e-37, true, 0.1); /* subnormals */
    assert_true(e.rel < 2e-7);
    float sp[] = {0.0f, -0.0f, -1.0f, INFINITY, -INFINITY, NAN, 1.0f, FLT_MAX, 0x1p-149f};
    float want[] = {-INFINITY, -INFINITY, NAN, INFINITY, NAN, NAN, 0.0f, logf(FLT_MAX), logf(0x1p-149f)};
    check_specials(F_LOG, sp, want, 6);
    float y[8], x8[8] = {1.0f, FLT_MAX, 0x1p-149f, 2.0f, 0.5f, 10.0f, 1e-10f, 3.0f};
    run_both(F_LOG, x8, y, 8);
    assert_true(y[0] == 0.0f);
    for (int i = 1; i < 8; i++)
        assert_true(fabs(y[i] - log((double)x8[i])) <= 2e-7 * fabs(log((double)x8[i])));
}

static void test_erf(void **state)
{
    errs e = measure(F_ERF, erf, -5, 5, false, 1e-30);
    assert_true(e.abs < 5e-7 && e.rel < 5e-7);
    e = measure(F_ERF, erf, 1e-30, 1, true, 1e-30);
    assert_true(e.rel < 5e-7);
    float sp[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, 10.0f, -10.0f};
    float want[] = {1.0f, -1.0f, NAN, 0.0f, -0.0f, 1.0f, -1.0f};
    check_specials(F_ERF, sp, want, 7);
}


static double ref_log1p(double x) { return log1p(x); }
static double ref_expm1(double x) { return expm1(x); }

static void test_log1p_expm1(void **state)
{
    errs e = measure(F_LOG1P, ref_log1p, -0.999, 1e6, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_LOG1P, ref_log1p, 1e-30, 1e-3, true, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_LOG1P, ref_log1p, -0.999, 1, false, 0);
    assert_true(e.rel < 3e-7);
    float sp[] = {-1.0f, -2.0f, INFINITY, NAN, 0.0f, -0.0f};
    float want[] = {-INFINITY, NAN, INFINITY, NAN, 0.0f, -0.0f};
    check_specials(F_LOG1P, sp, want, 6);
    e = measure(F_EXPM1, ref_expm1, -20, 20, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_EXPM1, ref_expm1, 1e-30, 0.5, true, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_EXPM1, ref_expm1, -80, 88, false, 0);
    assert_true(e.rel < 3e-7);
    float sp2[] = {-INFINITY, INFINITY, NAN, 0.0f, -0.0f, -200.0f, 200.0f};
    float want2[] = {-1.0f, INFINITY, NAN, 0.0f, -0.0f, -1.0f, INFINITY};
    check_specials(F_EXPM1, sp2, want2, 7);
}

static void test_sin_cos_tan(void **state)
{
    errs e;
    for (int k = F_SIN; k <= F_COS; k++) {
        double (*ref)(double) = k == F_SIN ? sin : cos;
        e = measure(k, ref, -100, 100, false, 1e30);
        assert_true(e.abs < 2e-7);
        e = measure(k, ref, -1e4, 1e4, false, 1e30);
        assert_true(e.abs < 2e-7);
        e = measure(k, ref, -1, 1, false, 0.5);
        assert_true(e.rel < 3e-7);
    }
    e = measure(F_SIN, sin, 1e-30, 1, true, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_TAN, tan, -100, 100, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_TAN, tan, -1.5, 1.5, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_TAN, tan, 1e-30, 1, true, 0);
    assert_true(e.rel < 4e-7);
    float sp[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f};
    float ws[] = {NAN, NAN, NAN, 0.0f, -0.0f}, wc[] = {NAN, NAN, NAN, 1.0f, 1.0f};
    check_specials(F_SIN, sp, ws, 5);
    check_specials(F_COS, sp, wc, 5);
    check_specials(F_TAN, sp, ws, 5);
}

static void test_inverse_trig(void **state)
{
    errs e = measure(F_ASIN, asin, -1, 1, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_ASIN, asin, 1e-30, 1, true, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_ACOS, acos, -1, 1, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_ACOS, acos, 0.999, 1, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_ATAN, atan, -100, 100, false, 0);
    assert_true(e.rel < 3e-7);
    e = measure(F_ATAN, atan, 1e-30, 1e30, true, 0);
    assert_true(e.rel < 3e-7);
    float sp[] = {1.5f, -1.5f, INFINITY, NAN, 1.0f, -1.0f, 0.0f, -0.0f};
    float wa[] = {NAN, NAN, NAN, NAN, (float)M_PI_2, -(float)M_PI_2, 0.0f, -0.0f};
    float wc[] = {NAN, NAN, NAN, NAN, 0.0f, (float)M_PI, (float)M_PI_2, (float)M_PI_2};
    check_specials(F_ASIN, sp, wa, 8);
    check_specials(F_ACOS, sp, wc, 8);
    float st[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f};
    float wt[] = {(float)M_PI_2, -(float)M_PI_2, NAN, 0.0f, -0.0f};
    check_specials(F_ATAN, st, wt, 5);
}

static void test_hyperbolic(void **state)
{
    errs e = measure(F_SINH, sinh, -89, 89, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_SINH, sinh, 1e-30, 2, true, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_COSH, cosh, -89, 89, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ASINH, asinh, -1e6, 1e6, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ASINH, asinh, 1e-30, 1e30, true, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ACOSH, acosh, 1, 1e6, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ACOSH, acosh, 1, 1e30, true, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ACOSH, acosh, 1, 1.01, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ATANH, atanh, -0.9999f, 0.9999f, false, 0);
    assert_true(e.rel < 4e-7);
    e = measure(F_ATANH, atanh, 1e-30, 0.5, true, 0);
    assert_true(e.rel < 4e-7);
    float sp[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, 100.0f, -100.0f};
    float wsh[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, INFINITY, -INFINITY};
    float wch[] = {INFINITY, INFINITY, NAN, 1.0f, 1.0f, INFINITY, INFINITY};
    float wash[] = {INFINITY, -INFINITY, NAN, 0.0f, -0.0f, asinhf(100.0f), -asinhf(100.0f)};
    check_specials(F_SINH, sp, wsh, 7);
    check_specials(F_COSH, sp, wch, 7);
    check_specials(F_ASINH, sp, wash, 5);
    float sa[] = {1.0f, 0.5f, INFINITY, NAN, -1.0f};
    float wac[] = {0.0f, NAN, INFINITY, NAN, NAN};
    check_specials(F_ACOSH, sa, wac, 5);
    float st[] = {1.0f, -1.0f, 1.5f, NAN, 0.0f, -0.0f};
    float wat[] = {INFINITY, -INFINITY, NAN, NAN, 0.0f, -0.0f};
    check_specials(F_ATANH, st, wat, 6);
}

/* floor/ceil/round in f32 and f64 against libm on random and tricky values */
static void test_rounding(void **state)
{
    enum { M = 4096 };
    float *x = malloc(sizeof(float) * M), *y = malloc(sizeof(float) * M);
    double *xd = malloc(sizeof(double) * M), *yd = malloc(sizeof(double) * M), *yd2 = malloc(sizeof(double) * M);
    assert_true(x && y && xd && yd && yd2);
    static const double tricky[] = {0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.0, -0.0, 0.49999997, -0.49999997,
                                    8388607.5, -8388607.5, 8388608.0, 1e10, -1e10, INFINITY, -INFINITY, NAN,
                                    4503599627370495.5, -4503599627370495.5, 0x1p-149, -0x1p-149, 3.0, -3.0};
    int nt = (int)(sizeof tricky / sizeof tricky[0]);
    for (int i = 0; i < M; i++) {
        double v = i < nt ? tricky[i] : (i % 2 ? 1e3 : 1e7) * (2.0 * (double)(rand() % 100000) / 100000 - 1.0);
        if (i >= nt && i % 7 == 0)
            v = floor(v) + 0.5; /* exact halves */
        x[i] = (float)v;
        xd[i] = v;
    }
    double (*ref[3])(double) = {floor, ceil, nearbyint};
    for (int k = 0; k < 3; k++) {
        run_both(F_FLOOR + k, x, y, M);
        g_fn64[k][0](xd, yd, M);
        g_fn64[k][1](xd, yd2, M);
        for (int i = 0; i < M; i++) {
            float wf = (float)ref[k]((double)x[i]);
            double wd = ref[k](xd[i]);
            if (!same_bits(y[i], wf))
                fail_msg("%s f32 (%a) = %a, want %a", k_names[F_FLOOR + k], x[i], y[i], wf);
            if (!(memcmp(&yd[i], &wd, 8) == 0 || (isnan(yd[i]) && isnan(wd))) || memcmp(&yd[i], &yd2[i], 8))
                fail_msg("%s f64 (%a) = %a / %a, want %a", k_names[F_FLOOR + k], xd[i], yd[i], yd2[i], wd);
        }
    }
    free(x);
    free(y);
    free(xd);
    free(yd);
    free(yd2);
}

static void test_pow(void **state)
{
    enum { M = 1 << 20 };
    float *x = malloc(sizeof(float) * M), *y = malloc(sizeof(float) * M);
    float *z = malloc(sizeof(float) * M), *z2 = malloc(sizeof(float) * M);
    assert_true(x && y && z && z2);
    for (int i = 0; i < M; i++) {
        x[i] = (float)exp(-6.9 + 13.8 * (double)(i % 1021) / 1020); /* [1e-3, 1e3] */
        y[i] = (float)(-10.0 + 20.0 * (double)(i / 1021) / (M / 1021));
        if (i % 5 == 0)
            x[i] = -x[i];
        if (i % 5 == 0 || i % 11 == 0)
            y[i] = roundf(y[i]);
    }
    g_pow[0](x, y, z, M);
    g_pow[1](x, y, z2, M);
    double worst = 0;
    for (int i = 0; i < M; i++) {
        double want = pow((double)x[i], (double)y[i]);
        if (!same_bits(z[i], z2[i]))
            fail_msg("pow(%a, %a): scalar %a, vector %a", x[i], y[i], z[i], z2[i]);
        if (isnan(want) || isinf(want) || want == 0 || fabs(want) > 3e38 || fabs(want) < 1e-37) {
            if (!(isnan(want) ? isnan(z[i]) : isinf(want) ? z[i] == want : 1))
                fail_msg("pow(%a, %a) = %a, want %a", x[i], y[i], z[i], want);
            continue;
        }
        double bound = 2e-7 + 1.5e-7 * fabs((double)y[i] * log(fabs((double)x[i])));
        double rel = fabs(z[i] - want) / fabs(want);
        if (rel > bound)
            fail_msg("pow(%a, %a) = %a, want %a (rel %g)", x[i], y[i], z[i], want, rel);
        if (rel / bound > worst)
            worst = rel / bound;
    }
    print_message("pow: max rel error / (2e-7 + 1.5e-7 |y log x|) = %.3g on x in +-[1e-3, 1e3], y in [-10, 10]\n", worst);
    /* special cases (C99 Annex F) */
    static const float sx[] = {2.0f, NAN, 1.0f, -1.0f, -1.0f, 0.0f, -0.0f, -0.0f, 0.0f, -2.0f, -2.0f, -2.0f,
                               INFINITY, -INFINITY, -INFINITY, 0.5f, 2.0f, -8.0f, 4.0f, 2.0f, -0.0f, 0.0f};
    static const float sy[] = {0.0f, 0.0f, NAN, INFINITY, -INFINITY, -1.0f, -1.0f, 3.0f, 2.0f, 3.0f, 2.0f, 0.5f,
                               -1.0f, 3.0f, -3.0f, INFINITY, -INFINITY, 1.0f / 3, 0.5f, 10.0f, 0.5f, -0.5f};
    int ns = (int)(sizeof sx / sizeof sx[0]);
    float ax[32] = {0}, ay[32] = {0}, az[32];
    memcpy(ax, sx, sizeof sx);
    memcpy(ay, sy, sizeof sy);
    g_pow[1](ax, ay, az, 32);
    for (int i = 0; i < ns; i++) {
        float want = powf(sx[i], sy[i]);
        bool ok = isnan(want) ? isnan(az[i]) : (az[i] == want && signbit(az[i]) == signbit(want)) ||
                                                   fabs(az[i] - want) <= 3e-7 * fabs(want);
        if (!ok)
            fail_msg("pow(%a, %a) = %a, want %a", sx[i], sy[i], az[i], want);
    }
    free(x);
    free(y);
    free(z);
    free(z2);
}

/* max relative error of exp_f64 (k = 0) or log_f64 (k = 1) over N points of [lo, hi] */
static double measure64(int k, double lo, double hi, bool logsp, double rel_floor)
{
    double *x = malloc(sizeof(double) * N), *y = malloc(sizeof(double) * N), *y2 = malloc(sizeof(double) * N);
    assert_true(x && y && y2);
    for (int i = 0; i < N; i++) {
        double t = (double)i / (N - 1);
        x[i] = logsp ? exp(log(lo) + (log(hi) - log(lo)) * t) : lo + (hi - lo) * t;
    }
    g_e64[k][0](x, y, N);
    g_e64[k][1](x, y2, N);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double want = k ? log(x[i]) : exp(x[i]);
        if (memcmp(&y[i], &y2[i], 8))
            fail_msg("%s_f64(%a): scalar %a, vector %a", k ? "log" : "exp", x[i], y[i], y2[i]);
        if (fabs(want) > rel_floor && fabs(y[i] - want) / fabs(want) > worst)
            worst = fabs(y[i] - want) / fabs(want);
    }
    print_message("%s_f64 on [%g, %g]: max rel %.3g\n", k ? "log" : "exp", lo, hi, worst);
    free(x);
    free(y);
    free(y2);
    return worst;
}

static void test_f64_range(void **state)
{
    assert_true(measure64(0, -700, 700, false, 0) < 2e-7);
    assert_true(measure64(0, -1e-3, 1e-3, false, 0) < 2e-7);
    assert_true(measure64(1, 1e-300, 1e300, true, 0.1) < 3e-7);
    assert_true(measure64(1, 0.999, 1.001, false, 0) < 3e-7);
    assert_true(measure64(1, 1e-320, 1e-308, true, 0) < 3e-7); /* subnormals */
    double sp[8] = {NAN, INFINITY, -INFINITY, 0.0, 710.0, -746.0, 1.0, -1.0}, y[8];
    g_e64[0][1](sp, y, 8);
    assert_true(isnan(y[0]) && y[1] == INFINITY && y[2] == 0 && y[3] == 1 && y[4] == INFINITY && y[5] == 0);
    g_e64[1][1](sp, y, 8);
    assert_true(isnan(y[0]) && y[1] == INFINITY && isnan(y[2]) && y[3] == -INFINITY && y[6] == 0 && isnan(y[7]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log),        cmocka_unit_test(test_erf),      cmocka_unit_test(test_log1p_expm1),
        cmocka_unit_test(test_sin_cos_tan), cmocka_unit_test(test_inverse_trig), cmocka_unit_test(test_hyperbolic),
        cmocka_unit_test(test_rounding),   cmocka_unit_test(test_pow),  cmocka_unit_test(test_f64_range),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
