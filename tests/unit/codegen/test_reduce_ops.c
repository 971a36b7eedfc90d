/* Reduce* kernels against a plain C reference: all ten ops over many axis sets of a rank-4
 * tensor (innermost kept and innermost reduced loop shapes, neighbouring axes merged), long
 * inner rows (blocked accumulators), f32/f64/f16/bf16, integer dtypes (wrapping sums,
 * truncating mean, dtype min/max for empty Max/Min), empty reductions, noop_with_empty_axes,
 * LogSumExp on large values (stability). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const om_op all_ops[] = {OM_OP_REDUCE_SUM, OM_OP_REDUCE_MEAN, OM_OP_REDUCE_MAX, OM_OP_REDUCE_MIN,
                                OM_OP_REDUCE_PROD, OM_OP_REDUCE_L1, OM_OP_REDUCE_L2, OM_OP_REDUCE_LOG_SUM,
                                OM_OP_REDUCE_LOG_SUM_EXP, OM_OP_REDUCE_SUM_SQUARE};

/* wraps an int64 into dt's range, as the kernel's own-type arithmetic does */
static int64_t wrap(om_dtype dt, int64_t v)
{
    switch (dt) {
    case OM_DT_INT8: return (int8_t)v;
    case OM_DT_UINT8: return (uint8_t)v;
    case OM_DT_INT16: return (int16_t)v;
    case OM_DT_UINT16: return (uint16_t)v;
    case OM_DT_INT32: return (int32_t)v;
    case OM_DT_UINT32: return (uint32_t)v;
    default: return v;
    }
}

static double int_limit(om_dtype dt, bool max)
{
    int bits = (int)om_dtype_size(dt) * 8;
    if (om_dtype_is_unsigned_int(dt))
        return max ? ldexp(1.0, bits) - 1 : 0;
    return max ? ldexp(1.0, bits - 1) - 1 : -ldexp(1.0, bits - 1);
}

/* reference for one output: the reduced elements are vals[0..cnt) */
static double ref_float(om_op op, const double *v, int64_t cnt)
{
    double acc = op == OM_OP_REDUCE_PROD ? 1 : op == OM_OP_REDUCE_MAX ? -INFINITY : op == OM_OP_REDUCE_MIN ? INFINITY : 0;
    double mx = -INFINITY;
    for (int64_t i = 0; i < cnt; i++)
        mx = fmax(mx, v[i]);
    for (int64_t i = 0; i < cnt; i++) {
        double x = v[i];
        switch (op) {
        case OM_OP_REDUCE_MAX: acc = fmax(acc, x); break;
        case OM_OP_REDUCE_MIN: acc = fmin(acc, x); break;
        case OM_OP_REDUCE_PROD: acc *= x; break;
        case OM_OP_REDUCE_L1: acc += fabs(x); break;
        case OM_OP_REDUCE_L2: case OM_OP_REDUCE_SUM_SQUARE: acc += x * x; break;
        case OM_OP_REDUCE_LOG_SUM_EXP: acc += exp(x - mx); break;
        default: acc += x; break;
        }
    }
    switch (op) {
    case OM_OP_REDUCE_MEAN: return acc / (double)cnt;
    case OM_OP_REDUCE_L2: return sqrt(acc);
    case OM_OP_REDUCE_LOG_SUM: return log(acc);
    case OM_OP_REDUCE_LOG_SUM_EXP: return cnt ? log(acc) + mx : -INFINITY;
    default: return acc;
    }
}

static int64_t ref_int(om_op op, om_dtype dt, const double *v, int64_t cnt)
{
    int64_t acc = op == OM_OP_REDUCE_PROD ? 1 : 0;
    if (op == OM_OP_REDUCE_MAX)
        acc = dt == OM_DT_INT64 ? INT64_MIN : (int64_t)int_limit(dt, false);
    if (op == OM_OP_REDUCE_MIN)
        acc = dt == OM_DT_INT64 ? INT64_MAX : (int64_t)int_limit(dt, true);
    for (int64_t i = 0; i < cnt; i++) {
        int64_t x = (int64_t)v[i];
        switch (op) {
        case OM_OP_REDUCE_MAX: acc = x > acc ? x : acc; break;
        case OM_OP_REDUCE_MIN: acc = x < acc ? x : acc; break;
        case OM_OP_REDUCE_PROD: acc = wrap(dt, (int64_t)((uint64_t)acc * (uint64_t)x)); break;
        case OM_OP_REDUCE_L1: acc = wrap(dt, acc + (x < 0 ? -x : x)); break;
        case OM_OP_REDUCE_SUM_SQUARE: acc = wrap(dt, acc + x * x); break;
        default: acc = wrap(dt, acc + x); break;
        }
    }
    if (op == OM_OP_REDUCE_MEAN)
        acc = cnt ? acc / cnt : 0;
    return acc;
}

typedef struct rcase {
    om_op op;
    om_dtype dt;
    int rank;
    int64_t dims[OM_MAX_RANK];
    int n_axes;      /* -1: no axes input */
    int64_t axes[OM_MAX_RANK];
    bool keepdims, noop;
    double lo, hi;   /* data range */
} rcase;

static void run_case(const rcase *c)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", c->dt, c->rank, c->dims);
    bool red[OM_MAX_RANK] = {0};
    int r = c->rank;
    if (c->n_axes <= 0 && !c->noop)
        for (int i = 0; i < r; i++)
            red[i] = true;
    for (int k = 0; k < c->n_axes; k++)
        red[c->axes[k] < 0 ? c->axes[k] + r : c->axes[k]] = true;
    bool copy = c->noop && c->n_axes <= 0;
    int64_t od[OM_MAX_RANK];
    int orank = 0;
    for (int i = 0; i < r; i++) {
        if (!red[i])
            od[orank++] = c->dims[i];
        else if (c->keepdims)
            od[orank++] = 1;
    }
    om_value *y = cg_value(g, "y", c->dt, orank, od);
    om_value *in[2] = {x, NULL};
    int n_in = 1;
    if (c->n_axes >= 0) {
        int64_t na = c->n_axes;
        om_shape as = om_shape_make(1, &na);
        in[1] = om_graph_add_constant(g, "axes", OM_DT_INT64, &as, c->axes, (size_t)na * 8);
        assert_non_null(in[1]);
        n_in = 2;
    }
    om_node *n = om_graph_add_node(g, c->op, "red", in, n_in, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "keepdims", c->keepdims), OM_OK);
    if (c->noop)
        assert_int_equal(om_node_set_int(g, n, "noop_with_empty_axes", 1), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(c->op), om_last_error());
    int64_t numel = om_shape_numel(&x->shape), outs = om_shape_numel(&y->shape);
    void *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    cg_fill_random(c->dt, px, numel, c->lo, c->hi);
    cg_jit_run_checked(j);

    /* gather each output's elements (output index = the kept coordinates, row-major) */
    double *vals = malloc(sizeof(double) * (size_t)(numel > 0 ? numel : 1));
    assert_non_null(vals);
    int64_t ostr[OM_MAX_RANK], s = 1;
    for (int i = r - 1; i >= 0; i--) {
        ostr[i] = red[i] ? 0 : s;
        s *= red[i] ? 1 : c->dims[i];
    }
    bool fl = om_dtype_is_float(c->dt);
    double tol = c->dt == OM_DT_FLOAT16 ? 4e-3 : c->dt == OM_DT_BFLOAT16 ? 2e-2 : c->dt == OM_DT_DOUBLE ? 1e-6 : 2e-5;
    for (int64_t o = 0; o < outs; o++) {
        int64_t cnt = 0;
        for (int64_t e = 0; e < numel; e++) {
            int64_t rest = e, oi = 0;
            for (int i = r - 1; i >= 0; i--) {
                oi += (rest % c->dims[i]) * ostr[i];
                rest /= c->dims[i];
            }
            if (copy ? e == o : oi == o)
                vals[cnt++] = cg_get(c->dt, px, e);
        }
        double got = cg_get(c->dt, py, o);
        if (copy) {
            assert_true(got == vals[0]);
            continue;
        }
        if (fl) {
            double want = ref_float(c->op, vals, cnt);
            if (c->dt == OM_DT_FLOAT16 || c->dt == OM_DT_BFLOAT16)
                want = cg_get(c->dt, (void *)&(uint16_t){c->dt == OM_DT_FLOAT16 ? cg_f32_to_f16((float)want)
                                                                                   : cg_f32_to_bf16((float)want)}, 0);
            bool ok = (isnan(want) && isnan(got)) || got == want ||
                      fabs(got - want) <= tol * fmax(1.0, fabs(want));
            if (!ok)
                fail_msg("%s %s rank %d: out[%lld] = %.9g, want %.9g", om_op_name(c->op), om_dtype_name(c->dt), r,
                         (long long)o, got, want);
        } else {
            int64_t want = ref_int(c->op, c->dt, vals, cnt), igot = (int64_t)got;
            if (c->dt == OM_DT_INT64)
                memcpy(&igot, (const char *)py + 8 * o, 8); /* exact: doubles lose low bits */
            if (igot != want)
                fail_msg("%s %s: out[%lld] = %lld, want %lld", om_op_name(c->op), om_dtype_name(c->dt), (long long)o,
                         (long long)igot, (long long)want);
        }
    }
    free(vals);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void range_for(om_op op, double *lo, double *hi)
{
    *lo = -2, *hi = 2;
    if (op == OM_OP_REDUCE_PROD)
        *lo = 0.6, *hi = 1.4;
    if (op == OM_OP_REDUCE_LOG_SUM)
        *lo = 0.1, *hi = 2;
}

static void test_all_ops_axis_sets(void **state)
{
    static const struct { int n; int64_t a[4]; } sets[] = {
        {-1, {0}}, {0, {0}}, {1, {0}}, {1, {3}}, {2, {1, 2}}, {2, {0, 3}}, {1, {-1}}, {4, {0, 1, 2, 3}},
        {2, {1, 3}}, {2, {-3, 0}}, {3, {0, 1, 2}},
    };
    for (size_t o = 0; o < sizeof all_ops / sizeof all_ops[0]; o++)
        for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
            for (int keep = 0; keep < 2; keep++) {
                rcase c = {all_ops[o], OM_DT_FLOAT, 4, {2, 3, 4, 5}, sets[k].n, {0}, keep, false, 0, 0};
                memcpy(c.axes, sets[k].a, sizeof sets[k].a);
                range_for(c.op, &c.lo, &c.hi);
                run_case(&c);
            }
}

static void test_long_rows_and_size1(void **state)
{
    for (size_t o = 0; o < sizeof all_ops / sizeof all_ops[0]; o++) {
        rcase c = {all_ops[o], OM_DT_FLOAT, 3, {3, 4, 700}, 1, {1}, true, false, 0, 0};
        range_for(c.op, &c.lo, &c.hi);
        run_case(&c);   /* inner kept, 3 blocks of 256, the last partial */
        rcase d = {all_ops[o], OM_DT_FLOAT, 2, {3, 1000}, 1, {1}, false, false, 0, 0};
        range_for(d.op, &d.lo, &d.hi);
        if (d.op == OM_OP_REDUCE_PROD)
            d.lo = 0.99, d.hi = 1.01;
        run_case(&d);   /* long contiguous reduction */
        rcase e = {all_ops[o], OM_DT_FLOAT, 4, {1, 5, 1, 3}, 2, {0, 2}, true, false, 0, 0};
        range_for(e.op, &e.lo, &e.hi);
        run_case(&e);   /* only size-1 axes reduced: pre + finalize per element */
        rcase f = {all_ops[o], OM_DT_DOUBLE, 3, {4, 3, 70}, 2, {0, 2}, false, false, 0, 0};
        range_for(f.op, &f.lo, &f.hi);
        if (f.op == OM_OP_REDUCE_PROD)
            f.lo = 0.97, f.hi = 1.03;
        run_case(&f);   /* vector path (16 lanes + tail of 6) inside an outer reduced loop */
    }
}

/* the explicit vector path for integers: lanes by element size, tails, wrapping */
static void test_int_vector_rows(void **state)
{
    static const om_dtype dts[] = {OM_DT_INT32, OM_DT_INT8, OM_DT_INT64, OM_DT_UINT16};
    static const om_op ops[] = {OM_OP_REDUCE_SUM, OM_OP_REDUCE_MAX, OM_OP_REDUCE_MIN, OM_OP_REDUCE_PROD,
                                OM_OP_REDUCE_L1, OM_OP_REDUCE_MEAN};
    for (int t = 0; t < 4; t++)
        for (int o = 0; o < 6; o++) {
            double lo = om_dtype_is_unsigned_int(dts[t]) ? 0 : -100;
            rcase c = {ops[o], dts[t], 2, {3, 300}, 1, {1}, false, false, lo, 100};
            run_case(&c);
        }
}

static void test_float_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int t = 0; t < 3; t++)
        for (size_t o = 0; o < sizeof all_ops / sizeof all_ops[0]; o++) {
            rcase c = {all_ops[o], dts[t], 3, {3, 4, 5}, 1, {1}, true, false, 0, 0};
            range_for(c.op, &c.lo, &c.hi);
            run_case(&c);
            rcase d = {all_ops[o], dts[t], 3, {3, 4, 5}, 1, {2}, false, false, 0, 0};
            range_for(d.op, &d.lo, &d.hi);
            run_case(&d);
        }
}

static void test_int_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_INT32, OM_DT_INT64, OM_DT_INT8, OM_DT_UINT8, OM_DT_UINT32, OM_DT_INT16};
    static const om_op ops[] = {OM_OP_REDUCE_SUM, OM_OP_REDUCE_MEAN, OM_OP_REDUCE_MAX, OM_OP_REDUCE_MIN,
                                OM_OP_REDUCE_PROD, OM_OP_REDUCE_L1, OM_OP_REDUCE_SUM_SQUARE};
    for (int t = 0; t < 6; t++)
        for (int o = 0; o < 7; o++) {
            double lo = om_dtype_is_unsigned_int(dts[t]) ? 0 : -100, hi = 100;
            rcase c = {ops[o], dts[t], 3, {3, 4, 5}, 1, {1}, true, false, lo, hi};
            run_case(&c);
            rcase d = {ops[o], dts[t], 3, {3, 4, 5}, 2, {0, 2}, false, false, lo, hi};
            run_case(&d);
        }
    /* int32 sums wrap */
    rcase w = {OM_OP_REDUCE_SUM, OM_DT_INT32, 2, {2, 64}, 1, {1}, false, false, 1.5e9, 2e9};
    run_case(&w);
}

/* A reduced dim of 0: identities (finalized); checked against fixed values. */
static void check_empty(om_op op, om_dtype dt, double want)
{
    int64_t dims[3] = {2, 0, 3}, od[3] = {2, 1, 3}, ax = 1;
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, 3, dims), *y = cg_value(g, "y", dt, 3, od);
    int64_t one = 1;
    om_shape as = om_shape_make(1, &one);
    om_value *in[2] = {x, om_graph_add_constant(g, "axes", OM_DT_INT64, &as, &ax, 8)};
    om_graph_add_node(g, op, "red", in, 2, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    cg_jit_run_checked(j);
    for (int i = 0; i < 6; i++) {
        double got = cg_get(dt, cg_jit_buf(j, y), i);
        if (!((isnan(want) && isnan(got)) || got == want))
            fail_msg("empty %s %s: %g, want %g", om_op_name(op), om_dtype_name(dt), got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_empty_reduction(void **state)
{
    check_empty(OM_OP_REDUCE_SUM, OM_DT_FLOAT, 0);
    check_empty(OM_OP_REDUCE_PROD, OM_DT_FLOAT, 1);
    check_empty(OM_OP_REDUCE_MAX, OM_DT_FLOAT, -INFINITY);
    check_empty(OM_OP_REDUCE_MIN, OM_DT_FLOAT, INFINITY);
    check_empty(OM_OP_REDUCE_MEAN, OM_DT_FLOAT, NAN);
    check_empty(OM_OP_REDUCE_LOG_SUM, OM_DT_FLOAT, -INFINITY);
    check_empty(OM_OP_REDUCE_LOG_SUM_EXP, OM_DT_FLOAT, -INFINITY);
    check_empty(OM_OP_REDUCE_L2, OM_DT_DOUBLE, 0);
    check_empty(OM_OP_REDUCE_MAX, OM_DT_INT32, -2147483648.0);
    check_empty(OM_OP_REDUCE_MIN, OM_DT_INT8, 127);
    check_empty(OM_OP_REDUCE_MIN, OM_DT_UINT8, 255);
    check_empty(OM_OP_REDUCE_MEAN, OM_DT_INT64, 0);
}

static void test_noop_and_stability(void **state)
{
    rcase c = {OM_OP_REDUCE_SUM, OM_DT_FLOAT, 3, {2, 3, 4}, -1, {0}, true, true, -5, 5};
    run_case(&c);   /* no axes + noop: a copy */
    rcase d = {OM_OP_REDUCE_MAX, OM_DT_INT16, 2, {3, 4}, 0, {0}, true, true, -5, 5};
    run_case(&d);   /* empty axes + noop */
    rcase e = {OM_OP_REDUCE_LOG_SUM_EXP, OM_DT_FLOAT, 2, {4, 50}, 1, {1}, true, false, 100, 200};
    run_case(&e);   /* exp(200) overflows f32 without the max shift */
    rcase f = {OM_OP_REDUCE_LOG_SUM_EXP, OM_DT_FLOAT, 3, {4, 50, 6}, 1, {1}, true, false, -200, -100};
    run_case(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ops_axis_sets),
        cmocka_unit_test(test_long_rows_and_size1),
        cmocka_unit_test(test_int_vector_rows),
        cmocka_unit_test(test_float_dtypes),
        cmocka_unit_test(test_int_dtypes),
        cmocka_unit_test(test_empty_reduction),
        cmocka_unit_test(test_noop_and_stability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
