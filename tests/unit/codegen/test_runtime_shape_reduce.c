/* Run-time shape inputs of the reduce group (issue 3): Reduce* with an axes graph INPUT
 * (negative axes, keepdims 0/1, an output shape two different axes give — [3,2,2] -> [3,2]
 * by axis 1 or axis 2, chosen at run time —, empty axes with noop_with_empty_axes) and TopK
 * with a run-time K. (a) agreeing values: the output equals a plain-C reference; (b)
 * disagreeing values (out of range, repeated, another shape, other K): the kernel's check
 * fails the run (OM_ERR_INVALID_ARGUMENT) and writes no output. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static cg_jit *jit(om_graph *g, const char *what)
{
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    return j;
}

static void run_bad(cg_jit *j, const om_value *y)
{
    size_t bytes = (size_t)om_shape_numel(&y->shape) * om_dtype_size(y->dtype);
    unsigned char *p = cg_jit_buf(j, y);
    memset(p, 0x7e, bytes);
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(cg_jit_run(j, 3), OM_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < bytes; i++)
        if (p[i] != 0x7e)
            fail_msg("output '%s' byte %zu written although the check failed", y->name, i);
}

/* Plain-C reference: op (Sum or Max) of x [d0,d1,d2] over the axes in mask, written
 * row-major over the kept positions (keepdims does not change the order). */
static void ref_reduce(om_op op, const float *x, const int64_t *d, unsigned mask, float *out)
{
    int64_t od[3];
    for (int i = 0; i < 3; i++)
        od[i] = mask >> i & 1 ? 1 : d[i];
    for (int64_t i = 0; i < od[0] * od[1] * od[2]; i++)
        out[i] = op == OM_OP_REDUCE_SUM ? 0.0f : -INFINITY;
    for (int64_t a = 0; a < d[0]; a++)
        for (int64_t b = 0; b < d[1]; b++)
            for (int64_t c = 0; c < d[2]; c++) {
                int64_t oa = mask & 1 ? 0 : a, ob = mask & 2 ? 0 : b, oc = mask & 4 ? 0 : c;
                float *o = &out[(oa * od[1] + ob) * od[2] + oc], v = x[(a * d[1] + b) * d[2] + c];
                *o = op == OM_OP_REDUCE_SUM ? *o + v : (v > *o ? v : *o);
            }
}

typedef struct red_case {
    om_graph *g;
    om_value *x, *a, *y;
    cg_jit *j;
} red_case;

static void red_open(red_case *c, om_op op, const int64_t *xd, int64_t na, int ry, const int64_t *yd, int keep,
                     int noop)
{
    c->g = om_graph_create("t");
    c->x = cg_input(c->g, "x", OM_DT_FLOAT, 3, xd);
    c->a = cg_input(c->g, "axes", OM_DT_INT64, 1, &na);
    c->y = cg_value(c->g, "y", OM_DT_FLOAT, ry, yd);
    om_value *ins[2] = {c->x, c->a};
    om_node *n = om_graph_add_node(c->g, op, "r", ins, 2, &c->y, 1);
    assert_int_equal(om_node_set_int(c->g, n, "keepdims", keep), OM_OK);
    if (noop)
        assert_int_equal(om_node_set_int(c->g, n, "noop_with_empty_axes", 1), OM_OK);
    assert_int_equal(om_graph_add_output(c->g, c->y), OM_OK);
    c->j = jit(c->g, om_op_name(op));
    float *x = cg_jit_buf(c->j, c->x);
    for (int64_t i = 0; i < om_shape_numel(&c->x->shape); i++)
        x[i] = (float)((i * 7) % 11) - 4.5f;
}

static void red_ok(red_case *c, om_op op, const int64_t *axes, int64_t na, unsigned mask)
{
    if (na > 0)
        memcpy(cg_jit_buf(c->j, c->a), axes, sizeof(int64_t) * (size_t)na);
    cg_jit_run_checked(c->j);
    float want[64];
    ref_reduce(op, cg_jit_buf(c->j, c->x), c->x->shape.dims, mask, want);
    const float *y = cg_jit_buf(c->j, c->y);
    for (int64_t i = 0; i < om_shape_numel(&c->y->shape); i++)
        if (fabsf(y[i] - want[i]) > 1e-5f)
            fail_msg("%s mask %u: y[%lld] = %g, want %g", om_op_name(op), mask, (long long)i, y[i], want[i]);
}

static void red_bad(red_case *c, const int64_t *axes, int64_t na)
{
    if (na > 0)
        memcpy(cg_jit_buf(c->j, c->a), axes, sizeof(int64_t) * (size_t)na);
    run_bad(c->j, c->y);
}

static void red_close(red_case *c)
{
    cg_jit_destroy(c->j);
    om_graph_destroy(c->g);
}

static void test_reduce_axes(void **state)
{
    (void)state;
    int64_t xd[3] = {3, 2, 2};
    red_case c;
    for (int op = 0; op < 2; op++) {
        om_op o = op ? OM_OP_REDUCE_MAX : OM_OP_REDUCE_SUM;
        /* keepdims 1: [3,1,2] only by axis 1 (or -2) */
        int64_t k1[3] = {3, 1, 2};
        red_open(&c, o, xd, 1, 3, k1, 1, 0);
        int64_t a1 = 1, am2 = -2, a2 = 2, a3 = 3, am4 = -4;
        red_ok(&c, o, &a1, 1, 2);
        red_ok(&c, o, &am2, 1, 2);
        red_bad(&c, &a2, 1);
        red_bad(&c, &a3, 1);
        red_bad(&c, &am4, 1);
        red_close(&c);
        /* keepdims 0: [3,2] by axis 1 OR axis 2 — two loop nests chosen at run time */
        int64_t k0[2] = {3, 2};
        red_open(&c, o, xd, 1, 2, k0, 0, 0);
        int64_t a0 = 0, am1 = -1;
        red_ok(&c, o, &a1, 1, 2);
        red_ok(&c, o, &a2, 1, 4);
        red_ok(&c, o, &am1, 1, 4);
        red_ok(&c, o, &am2, 1, 2);
        red_bad(&c, &a0, 1); /* gives [2,2] */
        red_bad(&c, &a3, 1);
        red_close(&c);
        /* two axes, keepdims 0: [3,2,2] -> [2] by {0,1} or {0,2}; repeats are invalid */
        int64_t k2[1] = {2};
        red_open(&c, o, xd, 2, 1, k2, 0, 0);
        int64_t p01[2] = {0, 1}, p20[2] = {2, -3}, p00[2] = {0, 0}, p12[2] = {1, 2}, pm[2] = {-1, 2};
        red_ok(&c, o, p01, 2, 3);
        red_ok(&c, o, p20, 2, 5);
        red_bad(&c, p00, 2);
        red_bad(&c, p12, 2); /* gives [3] */
        red_bad(&c, pm, 2);  /* axis 2 twice */
        red_close(&c);
    }
    /* empty run-time axes: all axes, or the identity with noop_with_empty_axes */
    int64_t all[3] = {1, 1, 1};
    red_open(&c, OM_OP_REDUCE_SUM, xd, 0, 3, all, 1, 0);
    red_ok(&c, OM_OP_REDUCE_SUM, NULL, 0, 7);
    red_close(&c);
    red_open(&c, OM_OP_REDUCE_SUM, xd, 0, 3, xd, 1, 1);
    red_ok(&c, OM_OP_REDUCE_SUM, NULL, 0, 0);
    red_close(&c);
}

static void test_topk(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t xd[2] = {3, 4}, one = 1, yd[2] = {3, 3};
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, 2, xd), cg_input(g, "k", OM_DT_INT64, 1, &one)};
    om_value *outs[2] = {cg_value(g, "v", OM_DT_FLOAT, 2, yd), cg_value(g, "i", OM_DT_INT64, 2, yd)};
    assert_non_null(om_graph_add_node(g, OM_OP_TOP_K, "t", ins, 2, outs, 2));
    assert_int_equal(om_graph_add_output(g, outs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, outs[1]), OM_OK);
    cg_jit *j = jit(g, "TopK");
    float xs[12] = {0, 1, 2, 3, 4, 5, 6, 7, 11, 10, 9, 8};
    memcpy(cg_jit_buf(j, ins[0]), xs, sizeof xs);
    int64_t *kp = cg_jit_buf(j, ins[1]);
    kp[0] = 3;
    cg_jit_run_checked(j);
    const float *v = cg_jit_buf(j, outs[0]);
    const int64_t *ix = cg_jit_buf(j, outs[1]);
    float wv[9] = {3, 2, 1, 7, 6, 5, 11, 10, 9};
    int64_t wi[9] = {3, 2, 1, 3, 2, 1, 0, 1, 2};
    for (int i = 0; i < 9; i++) {
        assert_true(v[i] == wv[i]);
        assert_int_equal(ix[i], wi[i]);
    }
    kp[0] = 2;
    run_bad(j, outs[0]);
    kp[0] = 4;
    run_bad(j, outs[1]);
    kp[0] = -3;
    run_bad(j, outs[0]);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_axes),
        cmocka_unit_test(test_topk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
