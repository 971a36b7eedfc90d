/* The math_unary kernel (codegen/kernels/math_unary.c) against plain C references in
 * double: every op of the family on f32, f64, f16 and bf16 (random inputs in each op's
 * domain, plus NaN, +-inf, +-0 where they are defined), attributes given and defaulted,
 * the integer forms (Abs, Neg, Sign on every int type, Shrink and Erf), IsNaN / IsInf to
 * bool, the f64 range of Exp and Log, chunked runs (cg_jit_run_checked), the
 * unsupported-dtype message, and that the object code calls nothing but memcpy/memmove/
 * memset on the host, a baseline x86-64 CPU (no SSE4.1, no FMA) and aarch64. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* attributes of one run (NAN = leave the attribute out: the default applies) */
typedef struct attrs { double alpha, beta, gamma, bias, lambd; int det_pos, det_neg; } attrs;
static const attrs k_none = {NAN, NAN, NAN, NAN, NAN, -1, -1};

static double a_or(double v, double dflt) { return isnan(v) ? dflt : v; }

static double ref(om_op op, double x, const attrs *a)
{
    if (isnan(x) && op != OM_OP_IS_NAN && op != OM_OP_IS_INF && op != OM_OP_SHRINK)
        return x; /* NaN propagates (numpy's clip/maximum do; C's fmax would not) */
    switch (op) {
    case OM_OP_ABS: return fabs(x);
    case OM_OP_NEG: return -x;
    case OM_OP_EXP: return exp(x);
    case OM_OP_LOG: return log(x);
    case OM_OP_SQRT: return sqrt(x);
    case OM_OP_RECIPROCAL: return 1.0 / x;
    case OM_OP_FLOOR: return floor(x);
    case OM_OP_CEIL: return ceil(x);
    case OM_OP_ROUND: return nearbyint(x);
    case OM_OP_SIGN: return isnan(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0;
    case OM_OP_SIN: return sin(x);
    case OM_OP_COS: return cos(x);
    case OM_OP_TAN: return tan(x);
    case OM_OP_ASIN: return asin(x);
    case OM_OP_ACOS: return acos(x);
    case OM_OP_ATAN: return atan(x);
    case OM_OP_SINH: return sinh(x);
    case OM_OP_COSH: return cosh(x);
    case OM_OP_ASINH: return asinh(x);
    case OM_OP_ACOSH: return acosh(x);
    case OM_OP_ATANH: return atanh(x);
    case OM_OP_ERF: return erf(x);
    case OM_OP_IS_NAN: return isnan(x);
    case OM_OP_IS_INF:
        return (isinf(x) && x > 0 && a->det_pos != 0) || (isinf(x) && x < 0 && a->det_neg != 0);
    case OM_OP_ELU: return x < 0 ? a_or(a->alpha, 1) * expm1(x) : x;
    case OM_OP_SELU: {
        double al = a_or(a->alpha, 1.67326319217681884765625), g = a_or(a->gamma, 1.05070102214813232421875);
        return x > 0 ? g * x : g * al * expm1(x);
    }
    case OM_OP_LEAKY_RELU: return x < 0 ? a_or(a->alpha, 0.01) * x : x;
    case OM_OP_THRESHOLDED_RELU: return isnan(x) || x > a_or(a->alpha, 1) ? x : 0;
    case OM_OP_HARD_SIGMOID: return fmax(0, fmin(1, a_or(a->alpha, 0.2) * x + a_or(a->beta, 0.5)));
    case OM_OP_HARD_SWISH: return x * fmax(0, fmin(1, x / 6 + 0.5));
    case OM_OP_SOFTPLUS: return log1p(exp(x));
    case OM_OP_SOFTSIGN: return x / (1 + fabs(x));
    case OM_OP_MISH: return x * tanh(log1p(exp(x)));
    case OM_OP_CELU: {
        double al = a_or(a->alpha, 1);
        return fmax(0, x) + fmin(0, al * expm1(x / al));
    }
    case OM_OP_SHRINK: {
        double l = a_or(a->lambd, 0.5), b = a_or(a->bias, 0);
        return x < -l ? x + b : x > l ? x - b : 0;
    }
    default: return NAN;
    }
}

/* input domain of each op */
static void domain(om_op op, double *lo, double *hi)
{
    *lo = -8, *hi = 8;
    switch (op) {
    case OM_OP_LOG: case OM_OP_SQRT: *lo = 0.01; *hi = 20; break;
    case OM_OP_ACOSH: *lo = 1; *hi = 20; break;
    case OM_OP_ASIN: case OM_OP_ACOS: case OM_OP_ATANH: *lo = -0.999; *hi = 0.999; break;
    case OM_OP_TAN: *lo = -1.5; *hi = 1.5; break;
    default: break;
    }
}

static double rel_tol(om_dtype dt)
{
    return dt == OM_DT_FLOAT16 ? 2e-3 : dt == OM_DT_BFLOAT16 ? 1.6e-2 : 2e-6;
}

/* Runs op on n = 3*5*7 elements of dtype dt: random values in the op's domain, then the
 * specials (for floats). Compares with ref applied to the (dtype-rounded) input, within
 * rel_tol relative + abs_tol absolute. */
static void check(om_op op, om_dtype dt, const attrs *a, const double *specials, int n_sp, double abs_tol)
{
    om_graph *g = om_graph_create("t");
    int64_t d[3] = {3, 5, 7};
    bool to_bool = op == OM_OP_IS_NAN || op == OM_OP_IS_INF;
    om_value *x = cg_input(g, "x", dt, 3, d), *y = cg_value(g, "y", to_bool ? OM_DT_BOOL : dt, 3, d);
    om_node *nd = om_graph_add_node(g, op, "n", &x, 1, &y, 1);
    assert_non_null(nd);
    const char *fn[5] = {"alpha", "beta", "gamma", "bias", "lambd"};
    const double fv[5] = {a->alpha, a->beta, a->gamma, a->bias, a->lambd};
    for (int k = 0; k < 5; k++)
        if (!isnan(fv[k]))
            assert_int_equal(om_node_set_float(g, nd, fn[k], (float)fv[k]), OM_OK);
    if (a->det_pos >= 0)
        assert_int_equal(om_node_set_int(g, nd, "detect_positive", a->det_pos), OM_OK);
    if (a->det_neg >= 0)
        assert_int_equal(om_node_set_int(g, nd, "detect_negative", a->det_neg), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s %s: %s", om_op_name(op), om_dtype_name(dt), om_last_error());
    int64_t n = 105;
    double lo, hi;
    domain(op, &lo, &hi);
    if (om_dtype_is_unsigned_int(dt) && lo < 0)
        lo = 0;
    cg_fill_random(dt, cg_jit_buf(j, x), n, lo, hi);
    for (int k = 0; k < n_sp && k < n; k++)
        cg_set(dt, cg_jit_buf(j, x), k, specials[k]);
    cg_jit_run_checked(j);
    double rt = om_dtype_is_float(dt) ? rel_tol(dt) : 0;
    for (int64_t i = 0; i < n; i++) {
        double xv = cg_get(dt, cg_jit_buf(j, x), i), got = cg_get(y->dtype, cg_jit_buf(j, y), i);
        double want = ref(op, xv, a);
        if (!om_dtype_is_float(dt) && !to_bool)
            want = trunc(want);
        bool ok;
        if (isnan(want))
            ok = isnan(got);
        else if (isinf(want) || rt == 0)
            ok = got == want;
        else
            ok = fabs(got - want) <= rt * fabs(want) + abs_tol;
        if (!ok)
            fail_msg("%s %s elem %lld: f(%.9g) = %.9g, want %.9g", om_op_name(op), om_dtype_name(dt),
                     (long long)i, xv, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static const om_dtype k_float[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};

/* the float ops, with their specials (NaN, +-inf, +-0 and domain edges) */
static void test_float_math(void **state)
{
    static const om_op ops[] = {OM_OP_ABS, OM_OP_NEG, OM_OP_EXP, OM_OP_LOG, OM_OP_SQRT, OM_OP_RECIPROCAL,
                                OM_OP_FLOOR, OM_OP_CEIL, OM_OP_ROUND, OM_OP_SIGN, OM_OP_SIN, OM_OP_COS,
                                OM_OP_TAN, OM_OP_ASIN, OM_OP_ACOS, OM_OP_ATAN, OM_OP_SINH, OM_OP_COSH,
                                OM_OP_ASINH, OM_OP_ACOSH, OM_OP_ATANH, OM_OP_ERF};
    const double sp[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 0.5, -0.5, 2.5, -2.5, 1.0, -1.0};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (int d = 0; d < 4; d++) {
            /* Sin/Cos/Tan of inf are NaN; the rest of the specials are in every op's rules */
            check(ops[k], k_float[d], &k_none, sp, 11, 1e-6);
        }
}

static void test_activations(void **state)
{
    static const om_op ops[] = {OM_OP_ELU, OM_OP_SELU, OM_OP_LEAKY_RELU, OM_OP_THRESHOLDED_RELU,
                                OM_OP_HARD_SIGMOID, OM_OP_HARD_SWISH, OM_OP_SOFTPLUS, OM_OP_SOFTSIGN,
                                OM_OP_MISH, OM_OP_CELU, OM_OP_SHRINK};
    const double sp[] = {NAN, 0.0, -0.0, 1.0, -1.0, 100.0, -100.0, 1e-5, -1e-5, 3.0, -3.0};
    const attrs set = {0.7, 0.3, 1.5, 0.25, 1.0, -1, -1};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (int d = 0; d < 4; d++) {
            check(ops[k], k_float[d], &k_none, sp, 11, 1e-6);
            check(ops[k], k_float[d], &set, sp, 11, 1e-6);
        }
}

static void test_is_nan_inf(void **state)
{
    const double sp[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 1e30, -1e30, FLT_MAX};
    for (int d = 0; d < 4; d++) {
        check(OM_OP_IS_NAN, k_float[d], &k_none, sp, 8, 0);
        check(OM_OP_IS_INF, k_float[d], &k_none, sp, 8, 0);
        for (int p = 0; p < 2; p++)
            for (int q = 0; q < 2; q++) {
                attrs a = k_none;
                a.det_pos = p, a.det_neg = q;
                check(OM_OP_IS_INF, k_float[d], &a, sp, 8, 0);
            }
    }
}

static void test_int(void **state)
{
    static const om_dtype ints[] = {OM_DT_INT8, OM_DT_INT16, OM_DT_INT32, OM_DT_INT64,
                                    OM_DT_UINT8, OM_DT_UINT16, OM_DT_UINT32, OM_DT_UINT64};
    const double sp[] = {0, 1, -1, 7, -7};
    for (int d = 0; d < 8; d++) {
        bool uns = om_dtype_is_unsigned_int(ints[d]);
        check(OM_OP_ABS, ints[d], &k_none, sp, uns ? 3 : 5, 0);
        check(OM_OP_SIGN, ints[d], &k_none, sp, uns ? 3 : 5, 0);
        check(OM_OP_SHRINK, ints[d], &(attrs){NAN, NAN, NAN, 2, 1.5, -1, -1}, sp, uns ? 3 : 5, 0);
        check(OM_OP_ERF, ints[d], &k_none, sp, uns ? 3 : 5, 0);
        if (!uns)
            check(OM_OP_NEG, ints[d], &k_none, sp, 5, 0);
    }
}

/* f64 Exp, Log, Sinh, Cosh keep the f64 range (results beyond f32's) at f32-level accuracy */
static void test_f64_range(void **state)
{
    const double se[] = {700, -700, 100, -100, 709, -744, 710, -746, 0.0, 1e-300};
    check(OM_OP_EXP, OM_DT_DOUBLE, &k_none, se, 10, 0);
    const double sl[] = {1e300, 1e-300, 4.9e-324, 1e-310, DBL_MAX, 1.0, 1.0000001, 0.9999999, 0.0, -1.0};
    check(OM_OP_LOG, OM_DT_DOUBLE, &k_none, sl, 10, 0);
    const double sh[] = {700, -700, 100, -100, 0.5, -0.5, 1.0, -1.0, 0.0, 711};
    check(OM_OP_SINH, OM_DT_DOUBLE, &k_none, sh, 10, 0);
    check(OM_OP_COSH, OM_DT_DOUBLE, &k_none, sh, 10, 0);
}

static void test_unsupported(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[1] = {4};
    om_value *x = cg_input(g, "x", OM_DT_INT32, 1, d), *y = cg_value(g, "y", OM_DT_INT32, 1, d);
    assert_non_null(om_graph_add_node(g, OM_OP_SIN, "s", &x, 1, &y, 1));
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_string_equal(om_last_error(), "node 's' (Sin): dtype i32 not supported by this kernel");
    om_graph_destroy(g);
}

/* every math_unary op on f32, f64 and f16 (and the int forms) plus PRelu in one graph */
static void test_no_libcalls(void **state)
{
    om_graph *g = om_graph_create("m");
    int64_t d[2] = {4, 33};
    static const om_dtype dts[3] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16};
    int k = 0;
    char nm[32];
    for (int t = 0; t < 3; t++) {
        om_value *x = cg_input(g, t == 0 ? "x32" : t == 1 ? "x64" : "x16", dts[t], 2, d);
        for (int op = OM_OP_ABS; op <= OM_OP_SHRINK; op++) {
            bool to_bool = op == OM_OP_IS_NAN || op == OM_OP_IS_INF;
            snprintf(nm, sizeof nm, "y%d", k++);
            om_value *y = cg_value(g, nm, to_bool ? OM_DT_BOOL : dts[t], 2, d);
            assert_non_null(om_graph_add_node(g, (om_op)op, nm, &x, 1, &y, 1));
            assert_int_equal(om_graph_add_output(g, y), OM_OK);
        }
        om_value *ins[2] = {x, x}, *y = cg_value(g, t == 0 ? "p32" : t == 1 ? "p64" : "p16", dts[t], 2, d);
        assert_non_null(om_graph_add_node(g, OM_OP_PRELU, "prelu", ins, 2, &y, 1));
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
    }
    om_value *xi = cg_input(g, "xi", OM_DT_INT32, 2, d);
    static const om_op iops[] = {OM_OP_ABS, OM_OP_NEG, OM_OP_SIGN, OM_OP_SHRINK, OM_OP_ERF};
    for (int i = 0; i < 5; i++) {
        snprintf(nm, sizeof nm, "i%d", i);
        om_value *y = cg_value(g, nm, OM_DT_INT32, 2, d);
        assert_non_null(om_graph_add_node(g, iops[i], nm, &xi, 1, &y, 1));
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
    }
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "math_unary");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_math), cmocka_unit_test(test_activations), cmocka_unit_test(test_is_nan_inf),
        cmocka_unit_test(test_int),        cmocka_unit_test(test_f64_range),   cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
