/* The chunked vector elementwise loops (om_cg_bcast_vec, codegen/kernels/broadcast.c) as
 * used by binary.c, unary.c, clip.c, math_unary.c and fused_elementwise.c, against plain C
 * references: rows longer than a work-item chunk (several chunks, a partial last one),
 * short rows grouped into items (a partial last group), row tails that are not a multiple
 * of the lane count, inputs broadcast along the innermost dim (splatted) and along outer
 * dims, rank 0, constant scalar inputs (embedded), f32/f64/int32/int8/f16 (the scalar path)
 * and integer Div by zero in a masked tail; each on the host (AVX-512 here), AVX2
 * (haswell) and SSE (x86-64), whole and in 3 chunks (cg_jit_run_checked).
 * Exact ops (+ - * /, max/min, Relu, Clip, Abs, Sqrt) must match the C reference bit for bit
 * (same operation on the same operands); the transcendental ones within their documented
 * error (math.c / math_ext.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_sse = {NULL, "x86-64", NULL, 3};
static const om_cg_target_opts *const k_targets[3] = {NULL, &k_haswell, &k_sse};

static const char *tname(const om_cg_target_opts *t)
{
    return t && t->cpu ? t->cpu : "host";
}

static int64_t numel_of(int r, const int64_t *d)
{
    int64_t n = 1;
    for (int i = 0; i < r; i++)
        n *= d[i];
    return n;
}

/* flat index into an operand of rank ra (aligned right) for output multi-index idx[r] */
static int64_t bidx(int r, const int64_t *idx, int ra, const int64_t *da)
{
    int64_t o = 0;
    for (int i = 0; i < ra; i++) {
        int64_t j = idx[r - ra + i];
        o = o * da[i] + (da[i] == 1 ? 0 : j);
    }
    return o;
}

static void unravel(int64_t e, int r, const int64_t *d, int64_t *idx)
{
    for (int i = r - 1; i >= 0; i--) {
        idx[i] = e % d[i];
        e /= d[i];
    }
}

/* ---- binary ------------------------------------------------------------------------------ */

typedef struct bin_case {
    int ra, rb, ry;
    int64_t da[4], db[4], dy[4];
} bin_case;

static const bin_case k_bin[] = {
    {1, 1, 1, {5000}, {5000}, {5000}},               /* 2 chunks, tail of 8 lanes */
    {2, 2, 2, {3, 4100}, {3, 1}, {3, 4100}},         /* long rows, B splatted per row */
    {2, 1, 2, {7, 33}, {33}, {7, 33}},               /* short rows grouped */
    {2, 2, 2, {300, 17}, {300, 1}, {300, 17}},       /* 240 rows per item, partial group */
    {4, 3, 4, {2, 3, 5, 7}, {3, 1, 7}, {2, 3, 5, 7}},/* mixed outer/inner broadcast */
    {2, 2, 2, {1, 9}, {6, 1}, {6, 9}},               /* both inputs broadcast */
    {0, 0, 0, {0}, {0}, {0}},                        /* rank 0 */
    {1, 0, 1, {4097}, {0}, {4097}},                  /* scalar input */
};

static double bin_ref(om_op op, om_dtype dt, double a, double b)
{
    if (dt == OM_DT_FLOAT) {
        float x = (float)a, y = (float)b;
        switch (op) {
        case OM_OP_ADD: return x + y;
        case OM_OP_SUB: return x - y;
        case OM_OP_MUL: return x * y;
        default: return x / y;
        }
    }
    if (dt == OM_DT_DOUBLE) {
        switch (op) {
        case OM_OP_ADD: return a + b;
        case OM_OP_SUB: return a - b;
        case OM_OP_MUL: return a * b;
        default: return a / b;
        }
    }
    int32_t x = (int32_t)a, y = (int32_t)b;
    switch (op) {
    case OM_OP_ADD: return (int32_t)((uint32_t)x + (uint32_t)y);
    case OM_OP_SUB: return (int32_t)((uint32_t)x - (uint32_t)y);
    case OM_OP_MUL: return (int32_t)((uint32_t)x * (uint32_t)y);
    default: return y == 0 ? 0 : x / y;
    }
}

static void check_binary(const bin_case *c, om_op op, om_dtype dt, const om_cg_target_opts *t)
{
    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", dt, c->ra, c->da), *b = cg_input(g, "b", dt, c->rb, c->db);
    om_value *y = cg_value(g, "y", dt, c->ry, c->dy), *in[2] = {a, b};
    assert_non_null(om_graph_add_node(g, op, "op", in, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("binary: %s", om_last_error());
    int64_t na = numel_of(c->ra, c->da), nb = numel_of(c->rb, c->db), ny = numel_of(c->ry, c->dy);
    bool integer = dt == OM_DT_INT32;
    cg_fill_random(dt, cg_jit_buf(j, a), na, integer ? -50 : -4, integer ? 50 : 4);
    cg_fill_random(dt, cg_jit_buf(j, b), nb, integer ? -3 : 0.5, integer ? 3 : 4); /* int: zeros */
    cg_jit_run_checked(j);
    int64_t idx[4];
    for (int64_t e = 0; e < ny; e++) {
        unravel(e, c->ry, c->dy, idx);
        double av = cg_get(dt, cg_jit_buf(j, a), bidx(c->ry, idx, c->ra, c->da));
        double bv = cg_get(dt, cg_jit_buf(j, b), bidx(c->ry, idx, c->rb, c->db));
        double want = bin_ref(op, dt, av, bv), got = cg_get(dt, cg_jit_buf(j, y), e);
        if (got != want)
            fail_msg("%s %s rank %d numel %lld cpu %s: y[%lld] = %.9g, want %.9g", om_op_name(op), om_dtype_name(dt),
                     c->ry, (long long)ny, tname(t), (long long)e, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_binary(void **state)
{
    static const om_op ops[4] = {OM_OP_ADD, OM_OP_SUB, OM_OP_MUL, OM_OP_DIV};
    for (int ti = 0; ti < 3; ti++)
        for (size_t i = 0; i < sizeof k_bin / sizeof k_bin[0]; i++)
            for (int o = 0; o < 4; o++) {
                check_binary(&k_bin[i], ops[o], OM_DT_FLOAT, k_targets[ti]);
                if (ti == 0) {
                    check_binary(&k_bin[i], ops[o], OM_DT_INT32, k_targets[ti]);
                    check_binary(&k_bin[i], ops[o], OM_DT_DOUBLE, k_targets[ti]);
                }
            }
}

/* ---- unary-shaped kernels ------------------------------------------------------------------ */

typedef double (*ref_fn)(double);

static double r_relu(double x) { return x > 0 ? x : 0 * x; }
static double r_abs(double x) { return fabs(x); }
static double r_sqrt(double x) { return sqrt(x); }
static double r_exp(double x) { return exp(x); }
static double r_log(double x) { return log(x); }
static double r_erf(double x) { return erf(x); }
static double r_tanh(double x) { return tanh(x); }
static double r_sigmoid(double x) { return 1 / (1 + exp(-x)); }

/* op on X of `n` elements of dt with values in [lo, hi]; exact: bitwise equal to the
 * reference rounded to dt, else relative tolerance tol (+ tol absolute) */
static void check_unary(om_op op, om_dtype dt, int64_t n, double lo, double hi, ref_fn ref, bool exact, double tol,
                        const om_cg_target_opts *t)
{
    int64_t d[2] = {3, n / 3};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, 2, d), *y = cg_value(g, "y", dt, 2, d);
    assert_non_null(om_graph_add_node(g, op, "op", &x, 1, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    int64_t ne = d[0] * d[1];
    cg_fill_random(dt, cg_jit_buf(j, x), ne, lo, hi);
    cg_jit_run_checked(j);
    for (int64_t e = 0; e < ne; e++) {
        double xv = cg_get(dt, cg_jit_buf(j, x), e), got = cg_get(dt, cg_jit_buf(j, y), e);
        double want = ref(xv);
        if (dt == OM_DT_FLOAT)
            want = (float)want;
        bool ok = exact ? got == want : fabs(got - want) <= tol * (1 + fabs(want));
        if (!ok)
            fail_msg("%s %s n %lld cpu %s: y[%lld] = f(%.9g) = %.9g, want %.9g", om_op_name(op), om_dtype_name(dt),
                     (long long)ne, tname(t), (long long)e, xv, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_unary(void **state)
{
    for (int ti = 0; ti < 3; ti++) {
        const om_cg_target_opts *t = k_targets[ti];
        check_unary(OM_OP_RELU, OM_DT_FLOAT, 3 * 4133, -2, 2, r_relu, true, 0, t);
        check_unary(OM_OP_RELU, OM_DT_INT8, 3 * 5555, -100, 100, r_relu, true, 0, t);
        check_unary(OM_OP_RELU, OM_DT_FLOAT16, 3 * 21, -2, 2, r_relu, true, 0, t); /* scalar path */
        check_unary(OM_OP_ABS, OM_DT_FLOAT, 3 * 29, -2, 2, r_abs, true, 0, t);
        check_unary(OM_OP_SQRT, OM_DT_FLOAT, 3 * 4111, 0, 9, r_sqrt, true, 0, t);
        check_unary(OM_OP_SQRT, OM_DT_DOUBLE, 3 * 41, 0, 9, r_sqrt, true, 0, t);
        check_unary(OM_OP_EXP, OM_DT_FLOAT, 3 * 4101, -80, 80, r_exp, false, 2e-7, t);
        check_unary(OM_OP_LOG, OM_DT_FLOAT, 3 * 77, 1e-3, 1e3, r_log, false, 2e-7, t);
        check_unary(OM_OP_ERF, OM_DT_FLOAT, 3 * 1001, -4, 4, r_erf, false, 1e-6, t);
        check_unary(OM_OP_TANH, OM_DT_FLOAT, 3 * 1013, -10, 10, r_tanh, false, 1e-6, t);
        check_unary(OM_OP_SIGMOID, OM_DT_FLOAT, 3 * 1013, -30, 30, r_sigmoid, false, 1e-6, t);
    }
}

/* Clip with constant bounds (f32) and with bounds as graph inputs (int32) */
static void test_clip(void **state)
{
    for (int ti = 0; ti < 3; ti++) {
        int64_t d[2] = {5, 1031};
        om_shape s0 = {0};
        float lo = -0.5f, hi = 0.75f;
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, d), *y = cg_value(g, "y", OM_DT_FLOAT, 2, d);
        om_value *vlo = om_graph_add_constant(g, "lo", OM_DT_FLOAT, &s0, &lo, 4);
        om_value *vhi = om_graph_add_constant(g, "hi", OM_DT_FLOAT, &s0, &hi, 4);
        om_value *in[3] = {x, vlo, vhi};
        assert_non_null(om_graph_add_node(g, OM_OP_CLIP, "clip", in, 3, &y, 1));
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        cg_jit *j;
        assert_int_equal(cg_jit_create(g, k_targets[ti], &j), OM_OK);
        float *px = cg_jit_buf(j, x);
        cg_fill_random(OM_DT_FLOAT, px, 5 * 1031, -2, 2);
        px[7] = NAN;
        cg_jit_run_checked(j);
        const float *py = cg_jit_buf(j, y);
        for (int e = 0; e < 5 * 1031; e++) {
            float want = px[e] < lo ? lo : px[e] > hi ? hi : px[e];
            if (!(py[e] == want || (isnan(px[e]) && isnan(py[e]))))
                fail_msg("Clip cpu %s: y[%d] = %.9g, want %.9g", tname(k_targets[ti]), e, py[e], want);
        }
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
    /* int32 with run-time bounds */
    int64_t d[1] = {70}, one = 1;
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_INT32, 1, d), *y = cg_value(g, "y", OM_DT_INT32, 1, d);
    om_value *vlo = cg_input(g, "lo", OM_DT_INT32, 1, &one), *vhi = cg_input(g, "hi", OM_DT_INT32, 1, &one);
    om_value *in[3] = {x, vlo, vhi};
    assert_non_null(om_graph_add_node(g, OM_OP_CLIP, "clip", in, 3, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    int32_t *px = cg_jit_buf(j, x);
    for (int e = 0; e < 70; e++)
        px[e] = e - 35;
    *(int32_t *)cg_jit_buf(j, vlo) = -10;
    *(int32_t *)cg_jit_buf(j, vhi) = 20;
    cg_jit_run_checked(j);
    const int32_t *py = cg_jit_buf(j, y);
    for (int e = 0; e < 70; e++) {
        int32_t want = px[e] < -10 ? -10 : px[e] > 20 ? 20 : px[e];
        if (py[e] != want)
            fail_msg("Clip int32: y[%d] = %d, want %d", e, py[e], want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* ---- FusedElementwise: hard-swish with constant scalars and a per-channel scale ------------- */

static void test_fused(void **state)
{
    for (int ti = 0; ti < 3; ti++) {
        int64_t dx[4] = {1, 5, 37, 29}, dc[4] = {1, 5, 1, 1};
        om_shape s0 = {0};
        float three = 3.0f, six = 6.0f;
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *sc = cg_input(g, "s", OM_DT_FLOAT, 4, dc);
        om_value *c3 = om_graph_add_constant(g, "c3", OM_DT_FLOAT, &s0, &three, 4);
        om_value *c6 = om_graph_add_constant(g, "c6", OM_DT_FLOAT, &s0, &six, 4);
        om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, dx);
        om_value *ins[4] = {x, c3, c6, sc};
        /* y = (x * clip(x + 3, 0, 6) / 6) * s + gelu(x) */
        const char *ops[7] = {"Add", "Clip", "Mul", "Div", "Mul", "Gelu", "Add"};
        int64_t args[14] = {0, 1, 4, -1, 0, 5, 6, 2, 7, 3, 0, -1, 8, 9};
        float al[7] = {-INFINITY, 0.0f, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
        float be[7] = {INFINITY, 6.0f, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY};
        om_node *n = om_graph_add_node(g, OM_OP_FUSED_ELEMENTWISE, "fe", ins, 4, &y, 1);
        assert_non_null(n);
        assert_int_equal(om_node_set_strings(g, n, "ops", ops, 7), OM_OK);
        assert_int_equal(om_node_set_ints(g, n, "args", args, 14), OM_OK);
        assert_int_equal(om_node_set_floats(g, n, "alphas", al, 7), OM_OK);
        assert_int_equal(om_node_set_floats(g, n, "betas", be, 7), OM_OK);
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        cg_jit *j;
        if (cg_jit_create(g, k_targets[ti], &j) != OM_OK)
            fail_msg("fused: %s", om_last_error());
        int64_t ne = 5 * 37 * 29;
        float *px = cg_jit_buf(j, x), *ps = cg_jit_buf(j, sc);
        cg_fill_random(OM_DT_FLOAT, px, ne, -5, 5);
        cg_fill_random(OM_DT_FLOAT, ps, 5, -2, 2);
        cg_jit_run_checked(j);
        const float *py = cg_jit_buf(j, y);
        for (int64_t e = 0; e < ne; e++) {
            double xv = px[e], cl = xv + 3 < 0 ? 0 : xv + 3 > 6 ? 6 : xv + 3;
            double want = xv * cl / 6 * ps[e / (37 * 29)] + 0.5 * xv * (1 + erf(xv / sqrt(2.0)));
            if (fabs(py[e] - want) > 2e-6 * (1 + fabs(want)))
                fail_msg("fused cpu %s: y[%lld] = %.9g, want %.9g", tname(k_targets[ti]), (long long)e, py[e], want);
        }
        cg_jit_destroy(j);
        om_graph_destroy(g);
    }
}

static void test_no_libcalls(void **state)
{
    int64_t d[2] = {3, 1001}, db[2] = {3, 1};
    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", OM_DT_FLOAT, 2, d), *b = cg_input(g, "b", OM_DT_FLOAT, 2, db);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 2, d), *z = cg_value(g, "z", OM_DT_FLOAT, 2, d);
    om_value *in[2] = {a, b};
    assert_non_null(om_graph_add_node(g, OM_OP_DIV, "div", in, 2, &y, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_ERF, "erf", &y, 1, &z, 1));
    assert_int_equal(om_graph_add_output(g, z), OM_OK);
    for (int i = 0; i < 3; i++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[i], "elementwise vec");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_binary), cmocka_unit_test(test_unary),
                                       cmocka_unit_test(test_clip), cmocka_unit_test(test_fused),
                                       cmocka_unit_test(test_no_libcalls)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
