/* Relu, Sigmoid, Tanh, Identity and Clip kernels against plain C references: every
 * supported dtype, ranks 0-3, empty tensors, NaN propagation, Clip bounds given as
 * constants, as run-time inputs, or omitted. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct shp { int rank; int64_t d[4]; } shp;
static const shp k_shapes[] = {{0, {0}}, {1, {7}}, {3, {3, 4, 5}}, {1, {1000}}, {2, {0, 4}}};
#define N_SHAPES (sizeof k_shapes / sizeof k_shapes[0])

static const om_dtype k_all[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT8,
                                 OM_DT_INT16, OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8, OM_DT_UINT16,
                                 OM_DT_UINT32, OM_DT_UINT64};
#define N_ALL (sizeof k_all / sizeof k_all[0])

static double tol_of(om_dtype dt)
{
    return dt == OM_DT_FLOAT16 ? 1e-3 : dt == OM_DT_BFLOAT16 ? 8e-3 : 1e-6;
}

/* Runs a one-node graph op(x) -> y of dtype dt and compares with ref (abs tolerance tol). */
static void check_unary(om_op op, om_dtype dt, shp s, double (*ref)(double), double tol)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, s.rank, s.d), *y = cg_value(g, "y", dt, s.rank, s.d);
    assert_non_null(om_graph_add_node(g, op, "n", &x, 1, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s %s: %s", om_op_name(op), om_dtype_name(dt), om_last_error());
    int64_t n = om_shape_numel(&x->shape);
    bool uns = om_dtype_is_unsigned_int(dt);
    cg_fill_random(dt, cg_jit_buf(j, x), n, uns ? 0 : -8, 8);
    if (om_dtype_is_float(dt) && n > 2) {
        cg_set(dt, cg_jit_buf(j, x), 1, NAN);
        cg_set(dt, cg_jit_buf(j, x), 2, -0.0);
    }
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < n; i++) {
        double xv = cg_get(dt, cg_jit_buf(j, x), i), got = cg_get(dt, cg_jit_buf(j, y), i);
        unsigned char tmp[8];
        cg_set(dt, tmp, 0, ref(xv));
        double want = cg_get(dt, tmp, 0);
        if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol))
            fail_msg("%s %s elem %lld: f(%g) = %.9g, want %.9g", om_op_name(op), om_dtype_name(dt),
                     (long long)i, xv, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static double ref_relu(double x) { return isnan(x) ? x : x > 0 ? x : 0; }
static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double ref_identity(double x) { return x; }

static void test_relu(void **state)
{
    for (size_t d = 0; d < N_ALL; d++)
        for (size_t s = 0; s < N_SHAPES; s++)
            check_unary(OM_OP_RELU, k_all[d], k_shapes[s], ref_relu, 0);
}

static void test_sigmoid_tanh(void **state)
{
    static const om_dtype fl[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (size_t d = 0; d < 4; d++)
        for (size_t s = 0; s < N_SHAPES; s++) {
            check_unary(OM_OP_SIGMOID, fl[d], k_shapes[s], ref_sigmoid, tol_of(fl[d]));
            check_unary(OM_OP_TANH, fl[d], k_shapes[s], tanh, tol_of(fl[d]));
        }
}

static void test_identity(void **state)
{
    for (size_t d = 0; d < N_ALL; d++)
        check_unary(OM_OP_IDENTITY, k_all[d], k_shapes[2], ref_identity, 0);
    check_unary(OM_OP_IDENTITY, OM_DT_BOOL, k_shapes[1], ref_identity, 0);
}

/* Clip with lo/hi: mode 0 omitted, 1 constant, 2 run-time input. */
static void check_clip(om_dtype dt, int lo_mode, double lo, int hi_mode, double hi)
{
    om_graph *g = om_graph_create("t");
    int64_t d[2] = {9, 13};
    om_value *x = cg_input(g, "x", dt, 2, d), *y = cg_value(g, "y", dt, 2, d);
    om_value *b[2] = {NULL, NULL};
    int modes[2] = {lo_mode, hi_mode};
    double vals[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        unsigned char buf[8];
        cg_set(dt, buf, 0, vals[k]);
        om_shape s0 = om_shape_scalar();
        if (modes[k] == 1)
            b[k] = om_graph_add_constant(g, k ? "hi" : "lo", dt, &s0, buf, om_dtype_size(dt));
        else if (modes[k] == 2)
            b[k] = cg_input(g, k ? "hi" : "lo", dt, 0, NULL);
    }
    om_value *ins[3] = {x, b[0], b[1]};
    int nin = b[1] ? 3 : b[0] ? 2 : 1;
    assert_non_null(om_graph_add_node(g, OM_OP_CLIP, "clip", ins, nin, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Clip %s: %s", om_dtype_name(dt), om_last_error());
    for (int k = 0; k < 2; k++)
        if (modes[k] == 2)
            cg_set(dt, cg_jit_buf(j, b[k]), 0, vals[k]);
    bool uns = om_dtype_is_unsigned_int(dt);
    cg_fill_random(dt, cg_jit_buf(j, x), 117, uns ? 0 : -10, 10);
    if (om_dtype_is_float(dt))
        cg_set(dt, cg_jit_buf(j, x), 5, NAN);
    cg_jit_run_checked(j);
    for (int64_t i = 0; i < 117; i++) {
        double xv = cg_get(dt, cg_jit_buf(j, x), i), got = cg_get(dt, cg_jit_buf(j, y), i), want = xv;
        if (!isnan(xv)) {
            if (lo_mode && want < lo)
                want = lo;
            if (hi_mode && want > hi)
                want = hi;
        }
        unsigned char tmp[8];
        cg_set(dt, tmp, 0, want);
        want = cg_get(dt, tmp, 0);
        if (isnan(want) ? !isnan(got) : got != want)
            fail_msg("Clip %s (%d:%g, %d:%g) elem %lld: clip(%g) = %g, want %g", om_dtype_name(dt), lo_mode,
                     lo, hi_mode, hi, (long long)i, xv, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_clip(void **state)
{
    for (size_t d = 0; d < N_ALL; d++) {
        bool uns = om_dtype_is_unsigned_int(k_all[d]);
        double lo = uns ? 3 : -2.5, hi = uns ? 7 : 4.25;
        if (!om_dtype_is_float(k_all[d]))
            lo = uns ? 3 : -2, hi = uns ? 7 : 4;
        for (int lm = 0; lm < 3; lm++)
            for (int hm = 0; hm < 3; hm++)
                check_clip(k_all[d], lm, lo, hm, hi);
    }
    check_clip(OM_DT_FLOAT, 1, 5, 1, 1);    /* lo > hi: everything is hi */
    check_clip(OM_DT_INT32, 2, 5, 2, 1);
}

static void test_unsupported(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[1] = {4};
    om_value *x = cg_input(g, "x", OM_DT_INT32, 1, d), *y = cg_value(g, "y", OM_DT_INT32, 1, d);
    assert_non_null(om_graph_add_node(g, OM_OP_TANH, "th", &x, 1, &y, 1));
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_string_equal(om_last_error(), "node 'th' (Tanh): dtype i32 not supported by this kernel");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_sigmoid_tanh),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
