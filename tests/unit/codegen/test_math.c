/* Accuracy of the inline f32 exp/tanh/sigmoid of codegen/math.c against libm (in double),
 * over dense sweeps, in scalar and <8 x float> form, plus special values. The functions are
 * emitted into a small module here and run with ORC LLJIT. Measured maxima are printed. */
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

#include "codegen/cg_internal.h"
#include "codegen/cg_target.h"

typedef void (*map_fn)(const float *, float *, int64_t);
typedef LLVMValueRef (*emit_math)(om_cg_ctx *, LLVMValueRef);

static LLVMOrcLLJITRef g_jit;
static map_fn g_fn[3][2];   /* exp, tanh, sigmoid x scalar, vector */

/* void name(ptr x, ptr y, i64 n): y[i] = f(x[i]); width 1 or 8 (n multiple of 8) */
static void emit_map(om_cg_ctx *cx, const char *name, emit_math f, unsigned width)
{
    LLVMTypeRef params[3] = {cx->ptr, cx->ptr, cx->i64};
    cx->fn = LLVMAddFunction(cx->mod, name, LLVMFunctionType(cx->vd, params, 3, 0));
    cx->entry = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "entry");
    LLVMPositionBuilderAtEnd(cx->b, cx->entry);
    LLVMValueRef x = LLVMGetParam(cx->fn, 0), y = LLVMGetParam(cx->fn, 1), n = LLVMGetParam(cx->fn, 2);
    LLVMTypeRef t = width == 1 ? cx->f32 : LLVMVectorType(cx->f32, width);
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

static int setup(void **state)
{
    om_cg_init_llvm();
    if (LLVMOrcCreateLLJIT(&g_jit, NULL))
        return -1;
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    om_cg_ctx cx = {0};
    cx.llctx = LLVMOrcThreadSafeContextGetContext(tsc);
    cx.mod = LLVMModuleCreateWithNameInContext("math", cx.llctx);
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
    static const char *names[3] = {"exp", "tanh", "sigmoid"};
    emit_math fs[3] = {om_cg_exp_f32, om_cg_tanh_f32, om_cg_sigmoid_f32};
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++) {
            char nm[32];
            snprintf(nm, sizeof nm, "t_%s_%d", names[k], w);
            emit_map(&cx, nm, fs[k], w ? 8 : 1);
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
    for (int k = 0; k < 3; k++)
        for (int w = 0; w < 2; w++) {
            char nm[32];
            snprintf(nm, sizeof nm, "t_%s_%d", names[k], w);
            LLVMOrcExecutorAddress a;
            if (LLVMOrcLLJITLookup(g_jit, &a, nm))
                return -1;
            g_fn[k][w] = (map_fn)(uintptr_t)a;
        }
    return 0;
}

static int teardown(void **state)
{
    LLVMOrcDisposeLLJIT(g_jit);
    return 0;
}

enum { N = 1 << 20 };

/* Runs f (both widths) on n points (a multiple of 8); checks scalar == vector bit for bit. */
static void run_both(int k, const float *x, float *y, int64_t n)
{
    float *y2 = malloc(sizeof(float) * (size_t)n);
    assert_non_null(y2);
    assert_int_equal(n % 8, 0);
    g_fn[k][0](x, y, n);
    g_fn[k][1](x, y2, n);
    for (int64_t i = 0; i < n; i++)
        if (memcmp(&y[i], &y2[i], 4) && !(isnan(y[i]) && isnan(y2[i])))
            fail_msg("function %d: scalar %a and vector %a differ at x=%a", k, y[i], y2[i], x[i]);
    free(y2);
}

static void sweep(float lo, float hi, float *x)
{
    for (int i = 0; i < N; i++)
        x[i] = lo + (hi - lo) * ((float)i / (float)(N - 1));
}

static void test_exp(void **state)
{
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    assert_non_null(x);
    assert_non_null(y);
    sweep(-87.0f, 88.0f, x);
    run_both(0, x, y, N);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double want = exp((double)x[i]), rel = fabs(y[i] - want) / want;
        if (rel > worst)
            worst = rel;
    }
    print_message("exp: max relative error %.3g on [-87, 88]\n", worst);
    assert_true(worst < 2e-7);
    /* subnormal results: error within one subnormal ulp plus relative 2e-7 */
    sweep(-103.9f, -87.0f, x);
    run_both(0, x, y, N);
    for (int i = 0; i < N; i++) {
        double want = exp((double)x[i]);
        if (fabs(y[i] - want) > 0x1p-149 + 2e-7 * want)
            fail_msg("exp(%a) = %a, want %a", x[i], y[i], want);
    }
    float sp[16] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 88.8f, 89.0f, 1000.0f, -104.0f, -200.0f,
                    88.72f, 1e-30f, -1e-30f, 1.0f, -1.0f, 0.5f};
    float ys[16];
    run_both(0, sp, ys, 16);
    assert_true(isnan(ys[0]));
    assert_true(isinf(ys[1]) && ys[1] > 0);
    assert_true(ys[2] == 0.0f);
    assert_true(ys[3] == 1.0f && ys[4] == 1.0f);
    assert_true(isinf(ys[5]) && isinf(ys[6]) && isinf(ys[7]));
    assert_true(ys[8] == 0.0f && ys[9] == 0.0f);
    assert_true(fabs(ys[10] - exp((double)sp[10])) / exp((double)sp[10]) < 2e-7);
    assert_true(ys[11] == 1.0f && ys[12] == 1.0f);
    assert_true(fabs(ys[13] - M_E) / M_E < 2e-7);
    free(x);
    free(y);
}

static void test_tanh(void **state)
{
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    assert_non_null(x);
    assert_non_null(y);
    sweep(-20.0f, 20.0f, x);
    run_both(1, x, y, N);
    double worst = 0, worst_rel = 0;
    for (int i = 0; i < N; i++) {
        double want = tanh((double)x[i]), err = fabs(y[i] - want);
        if (err > worst)
            worst = err;
        if (fabs(x[i]) < 0.625 && want != 0 && err / fabs(want) > worst_rel)
            worst_rel = err / fabs(want);
    }
    /* small |x|: relative accuracy (ONNX tolerances are relative) */
    sweep(-0.625f, 0.625f, x);
    run_both(1, x, y, N);
    for (int i = 0; i < N; i++) {
        double want = tanh((double)x[i]);
        if (want != 0 && fabs(y[i] - want) / fabs(want) > worst_rel)
            worst_rel = fabs(y[i] - want) / fabs(want);
    }
    print_message("tanh: max absolute error %.3g on [-20, 20], max relative %.3g on |x| < 0.625\n", worst, worst_rel);
    assert_true(worst < 1e-6);
    assert_true(worst_rel < 3e-7);
    float sp[8] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-20f, 100.0f, -100.0f};
    float ys[8];
    run_both(1, sp, ys, 8);
    assert_true(isnan(ys[0]));
    assert_true(ys[1] == 1.0f && ys[2] == -1.0f);
    assert_true(ys[3] == 0.0f && ys[4] == 0.0f && signbit(ys[4]));
    assert_true(ys[5] == 1e-20f);
    assert_true(ys[6] == 1.0f && ys[7] == -1.0f);
    free(x);
    free(y);
}

static void test_sigmoid(void **state)
{
    float *x = malloc(sizeof(float) * N), *y = malloc(sizeof(float) * N);
    assert_non_null(x);
    assert_non_null(y);
    sweep(-100.0f, 100.0f, x);
    run_both(2, x, y, N);
    double worst = 0, worst_rel = 0;
    for (int i = 0; i < N; i++) {
        double want = 1.0 / (1.0 + exp(-(double)x[i])), err = fabs(y[i] - want);
        if (err > worst)
            worst = err;
        if (want > 1e-30 && err / want > worst_rel)
            worst_rel = err / want;
    }
    print_message("sigmoid: max absolute error %.3g, max relative %.3g (where > 1e-30) on [-100, 100]\n",
                  worst, worst_rel);
    assert_true(worst < 1e-6);
    assert_true(worst_rel < 5e-7);
    float sp[8] = {NAN, INFINITY, -INFINITY, 0.0f, -200.0f, 200.0f, 1.0f, -1.0f};
    float ys[8];
    run_both(2, sp, ys, 8);
    assert_true(isnan(ys[0]));
    assert_true(ys[1] == 1.0f && ys[2] == 0.0f && ys[3] == 0.5f && ys[4] == 0.0f);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_tanh),
        cmocka_unit_test(test_sigmoid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
