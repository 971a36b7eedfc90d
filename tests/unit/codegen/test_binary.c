/* Add/Sub/Mul/Div kernels against a plain C reference: every dtype, ranks 0-4, broadcasting
 * (scalars, size-1 dims, leading dims), empty tensors, integer division by zero. Float
 * results must match the reference exactly (same operations, same rounding). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct shp { int rank; int64_t d[4]; } shp;

static const om_op k_ops[] = {OM_OP_ADD, OM_OP_SUB, OM_OP_MUL, OM_OP_DIV};

static double ref_op(om_op op, om_dtype dt, double a, double b)
{
    if (dt == OM_DT_DOUBLE) {
        switch (op) {
        case OM_OP_ADD: return a + b;
        case OM_OP_SUB: return a - b;
        case OM_OP_MUL: return a * b;
        default: return a / b;
        }
    }
    if (om_dtype_is_float(dt)) {
        float x = (float)a, y = (float)b;
        switch (op) {
        case OM_OP_ADD: return x + y;
        case OM_OP_SUB: return x - y;
        case OM_OP_MUL: return x * y;
        default: return x / y;
        }
    }
    int64_t x = (int64_t)a, y = (int64_t)b;
    switch (op) {
    case OM_OP_ADD: return (double)(x + y);
    case OM_OP_SUB: return (double)(x - y);
    case OM_OP_MUL: return (double)(x * y);
    default: return y == 0 ? 0 : (double)(x / y);
    }
}

/* offset in an operand of rank ra/dims da for the output multi-index idx (rank r) */
static int64_t bcast_offset(const shp *s, const int64_t *idx, int r)
{
    int64_t off = 0;
    for (int i = 0; i < s->rank; i++) {
        int oi = i + (r - s->rank);
        int64_t v = s->d[i] == 1 ? 0 : idx[oi];
        off = off * s->d[i] + v;
    }
    return off;
}

static void check_case(om_op op, om_dtype dt, shp A, shp B)
{
    shp Y = {A.rank > B.rank ? A.rank : B.rank, {0}};
    for (int i = 0; i < Y.rank; i++) {
        int ia = i - (Y.rank - A.rank), ib = i - (Y.rank - B.rank);
        int64_t da = ia >= 0 ? A.d[ia] : 1, db = ib >= 0 ? B.d[ib] : 1;
        Y.d[i] = da == 1 ? db : da;
    }
    om_graph *g = om_graph_create("t");
    om_value *a = cg_input(g, "a", dt, A.rank, A.d), *b = cg_input(g, "b", dt, B.rank, B.d);
    om_value *y = cg_value(g, "y", dt, Y.rank, Y.d);
    om_value *ins[2] = {a, b};
    assert_non_null(om_graph_add_node(g, op, "n", ins, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    if (st != OM_OK)
        fail_msg("%s %s: %s", om_op_name(op), om_dtype_name(dt), om_last_error());
    int64_t na = om_shape_numel(&a->shape), nb = om_shape_numel(&b->shape), ny = om_shape_numel(&y->shape);
    bool uns = om_dtype_is_unsigned_int(dt);
    cg_fill_random(dt, cg_jit_buf(j, a), na, uns ? 0 : -100, 100);
    cg_fill_random(dt, cg_jit_buf(j, b), nb, uns ? 0 : -100, 100);
    if (!om_dtype_is_float(dt) && nb > 0)
        cg_set(dt, cg_jit_buf(j, b), 0, 0);   /* division by zero yields 0 */
    cg_jit_run_checked(j);
    int64_t idx[4] = {0};
    for (int64_t e = 0; e < ny; e++) {
        int64_t rem = e;
        for (int i = Y.rank - 1; i >= 0; i--) {
            idx[i] = rem % Y.d[i];
            rem /= Y.d[i];
        }
        double va = cg_get(dt, cg_jit_buf(j, a), bcast_offset(&A, idx, Y.rank));
        double vb = cg_get(dt, cg_jit_buf(j, b), bcast_offset(&B, idx, Y.rank));
        /* round the reference through the dtype (wraps ints, rounds f16) */
        unsigned char tmp[8];
        cg_set(dt, tmp, 0, ref_op(op, dt, va, vb));
        double want = cg_get(dt, tmp, 0), got = cg_get(dt, cg_jit_buf(j, y), e);
        if (!(want == got || (want != want && got != got)))
            fail_msg("%s %s elem %lld: %g op %g = %g, want %g", om_op_name(op), om_dtype_name(dt),
                     (long long)e, va, vb, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static const shp k_shapes[][2] = {
    {{0, {0}}, {0, {0}}},
    {{1, {5}}, {1, {5}}},
    {{3, {2, 3, 4}}, {0, {0}}},
    {{0, {0}}, {2, {2, 3}}},
    {{3, {2, 3, 4}}, {1, {4}}},
    {{3, {2, 3, 4}}, {2, {3, 1}}},
    {{3, {2, 1, 4}}, {3, {1, 3, 1}}},
    {{4, {4, 1, 3, 5}}, {4, {4, 2, 1, 5}}},
    {{1, {1}}, {2, {7, 1}}},
    {{2, {0, 3}}, {1, {3}}},
    {{1, {1000}}, {1, {1000}}},
    {{2, {33, 17}}, {1, {17}}},
    {{2, {17, 33}}, {2, {17, 1}}},
};

static void test_f32_all_shapes(void **state)
{
    for (size_t o = 0; o < 4; o++)
        for (size_t s = 0; s < sizeof k_shapes / sizeof k_shapes[0]; s++)
            check_case(k_ops[o], OM_DT_FLOAT, k_shapes[s][0], k_shapes[s][1]);
}

static void test_every_dtype(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT8, OM_DT_INT16,
                                   OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8, OM_DT_UINT16, OM_DT_UINT32,
                                   OM_DT_UINT64};
    static const int pick[] = {2, 6, 11};
    for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++)
        for (size_t o = 0; o < 4; o++)
            for (size_t s = 0; s < 3; s++)
                check_case(k_ops[o], dts[d], k_shapes[pick[s]][0], k_shapes[pick[s]][1]);
}

static void test_int_div_edge(void **state)
{
    /* INT8_MIN / -1 wraps, x / 0 is 0, truncation toward zero */
    om_graph *g = om_graph_create("t");
    int64_t d4[1] = {4};
    om_value *a = cg_input(g, "a", OM_DT_INT8, 1, d4), *b = cg_input(g, "b", OM_DT_INT8, 1, d4);
    om_value *y = cg_value(g, "y", OM_DT_INT8, 1, d4), *ins[2] = {a, b};
    assert_non_null(om_graph_add_node(g, OM_OP_DIV, "div", ins, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    int8_t av[4] = {-128, 7, -7, 5}, bv[4] = {-1, 0, 2, -2};
    memcpy(cg_jit_buf(j, a), av, 4);
    memcpy(cg_jit_buf(j, b), bv, 4);
    cg_jit_run_checked(j);
    int8_t *yv = cg_jit_buf(j, y);
    assert_int_equal(yv[0], -128);
    assert_int_equal(yv[1], 0);
    assert_int_equal(yv[2], -3);
    assert_int_equal(yv[3], -2);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

/* On x86 without F16C / AVX512-BF16 the 16-bit conversions are integer sequences
 * (builder.c); they must agree bit for bit with the hardware ones on every f16/bf16 input
 * pattern, including NaN, inf, subnormals (bf16 subnormals may be
 * flushed by the hardware) and results that overflow or underflow. */
static void test_soft_16bit_floats(void **state)
{
    static const om_dtype dts[] = {OM_DT_FLOAT16, OM_DT_BFLOAT16};
    static const om_op ops[] = {OM_OP_ADD, OM_OP_MUL, OM_OP_DIV};
    int64_t d[1] = {65536};
    for (size_t t = 0; t < 2; t++)
        for (size_t o = 0; o < 3; o++) {
            om_graph *g = om_graph_create("t");
            om_value *a = cg_input(g, "a", dts[t], 1, d), *b = cg_input(g, "b", dts[t], 1, d);
            om_value *y = cg_value(g, "y", dts[t], 1, d), *ins[2] = {a, b};
            assert_non_null(om_graph_add_node(g, ops[o], "n", ins, 2, &y, 1));
            assert_int_equal(om_graph_add_output(g, y), OM_OK);
            om_cg_target_opts generic = {NULL, "x86-64", "", 3};
            cg_jit *jn, *js;
            assert_int_equal(cg_jit_create(g, NULL, &jn), OM_OK);
            assert_int_equal(cg_jit_create(g, &generic, &js), OM_OK);
            uint16_t *an = cg_jit_buf(jn, a), *bn = cg_jit_buf(jn, b);
            for (int i = 0; i < 65536; i++) {
                an[i] = (uint16_t)i;
                bn[i] = (uint16_t)(cg_rand() >> 48);
                if (i % 7 == 0)
                    bn[i] = (uint16_t)(ops[o] == OM_OP_ADD ? 0 : dts[t] == OM_DT_FLOAT16 ? 0x3c00 : 0x3f80);
            }
            memcpy(cg_jit_buf(js, a), an, 2 * 65536);
            memcpy(cg_jit_buf(js, b), bn, 2 * 65536);
            cg_jit_run_checked(jn);
            cg_jit_run_checked(js);
            const uint16_t *yn = cg_jit_buf(jn, y), *ys = cg_jit_buf(js, y);
            for (int i = 0; i < 65536; i++) {
                double vn = cg_get(dts[t], yn, i), vs = cg_get(dts[t], ys, i);
                /* AVX512-BF16's vcvtneps2bf16 flushes subnormal f32 values to zero; the
                 * integer sequence keeps them (IEEE). Both are accepted. */
                bool flushed = dts[t] == OM_DT_BFLOAT16 && (ys[i] & 0x7fff) <= 0x0080 && (yn[i] & 0x7fff) == 0;
                if (yn[i] != ys[i] && !(vn != vn && vs != vs) && !flushed)
                    fail_msg("%s %s: a=0x%04x b=0x%04x: hardware 0x%04x, integer sequence 0x%04x",
                             om_dtype_name(dts[t]), om_op_name(ops[o]), an[i], bn[i], yn[i], ys[i]);
            }
            cg_jit_destroy(jn);
            cg_jit_destroy(js);
            om_graph_destroy(g);
        }
}

static void test_unsupported_dtype(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[1] = {3};
    om_value *a = cg_input(g, "a", OM_DT_BOOL, 1, d), *b = cg_input(g, "b", OM_DT_BOOL, 1, d);
    om_value *y = cg_value(g, "y", OM_DT_BOOL, 1, d), *ins[2] = {a, b};
    assert_non_null(om_graph_add_node(g, OM_OP_ADD, "add_bool", ins, 2, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_null(r);
    assert_non_null(strstr(om_last_error(), "node 'add_bool' (Add): dtype bool"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f32_all_shapes),
        cmocka_unit_test(test_every_dtype),
        cmocka_unit_test(test_int_div_edge),
        cmocka_unit_test(test_soft_16bit_floats),
        cmocka_unit_test(test_unsupported_dtype),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
