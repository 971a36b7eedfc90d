/* Shape rules for run-time shape inputs (issue 3), end to end with the kernels: a graph whose
 * shape / axes / repeats / K / depth / count / size input is a graph INPUT compiles when the
 * output's static shape is declared (the rule takes it), then runs and checks the values; the
 * same graph without a declared output keeps the "must be a compile-time constant" error,
 * and a declared shape no value could give is rejected at compile time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_jit.h"

typedef struct one_node {
    om_graph *g;
    om_value *x, *s, *y;
} one_node;

/* op(x f32 [rx], s (sdt, shape [rs]) graph input) -> y: declared [ry] when ry >= 0, else
 * unknown rank. */
static om_node *build(one_node *t, om_op op, int rx, const int64_t *xd, om_dtype sdt, int rs, const int64_t *sd, int ry,
                      const int64_t *yd)
{
    t->g = om_graph_create("t");
    t->x = cg_input(t->g, "x", OM_DT_FLOAT, rx, xd);
    t->s = cg_input(t->g, "s", sdt, rs, sd);
    om_shape ys = ry >= 0 ? om_shape_make(ry, yd) : (om_shape){.rank = -1};
    t->y = om_graph_add_value(t->g, "y", OM_DT_FLOAT, &ys);
    om_value *ins[2] = {t->x, t->s};
    om_node *n = om_graph_add_node(t->g, op, "node", ins, 2, &t->y, 1);
    assert_non_null(n);
    assert_int_equal(om_graph_add_output(t->g, t->y), OM_OK);
    return n;
}

static om_status infer(one_node *t)
{
    bool changed = false;
    return om_pass_infer_shapes(t->g, NULL, &changed);
}

static void expect_error(one_node *t, om_status code, const char *text)
{
    assert_int_equal(infer(t), code);
    if (!strstr(om_last_error(), text))
        fail_msg("error '%s' lacks '%s'", om_last_error(), text);
    om_graph_destroy(t->g);
}

static void test_reshape_rule(void **state)
{
    (void)state;
    int64_t xd[3] = {2, 3, 4}, four = 4, yd[4] = {2, 3, 2, 2}, bad[4] = {2, 3, 2, 3};
    one_node t;
    build(&t, OM_OP_RESHAPE, 3, xd, OM_DT_INT64, 1, &four, 4, yd);
    assert_int_equal(infer(&t), OM_OK);
    assert_true(om_shape_is_static(&t.y->shape) && t.y->shape.dims[3] == 2);
    cg_jit *j;
    if (cg_jit_create(t.g, NULL, &j) != OM_OK)
        fail_msg("%s", om_last_error());
    int64_t *sp = cg_jit_buf(j, t.s);
    sp[0] = 2, sp[1] = -1, sp[2] = 2, sp[3] = 2;
    assert_int_equal(cg_jit_run(j, 1), OM_OK);
    sp[1] = 2, sp[2] = 3;
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    cg_jit_destroy(j);
    om_graph_destroy(t.g);
    build(&t, OM_OP_RESHAPE, 3, xd, OM_DT_INT64, 1, &four, -1, NULL);
    expect_error(&t, OM_ERR_UNSUPPORTED, "input 1 's' (shape) is computed at run time");
    build(&t, OM_OP_RESHAPE, 3, xd, OM_DT_INT64, 1, &four, 4, bad);
    expect_error(&t, OM_ERR_INVALID_MODEL, "cannot reshape input 0 'x' [2,3,4] (24 elements) to the declared [2,3,2,3]");
    int64_t three = 3;
    build(&t, OM_OP_RESHAPE, 3, xd, OM_DT_INT64, 1, &three, 4, yd);
    expect_error(&t, OM_ERR_INVALID_MODEL, "has shape [3], expected [4]");
}

static void test_axes_rules(void **state)
{
    (void)state;
    one_node t;
    int64_t xd[4] = {1, 3, 1, 5}, one = 1, two = 2, sq[3] = {1, 3, 5}, bad[3] = {3, 5, 1}, un[5] = {1, 3, 1, 1, 5};
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &one, 3, sq);
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &one, -1, NULL);
    expect_error(&t, OM_ERR_UNSUPPORTED, "must be a compile-time constant");
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &one, 3, bad);
    expect_error(&t, OM_ERR_INVALID_MODEL, "without dims of 1");
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &two, 3, sq);
    expect_error(&t, OM_ERR_INVALID_MODEL, "squeezing that many axes gives rank 2");
    /* an empty run-time axes tensor squeezes every 1, declared output or not */
    int64_t none = 0, all[2] = {3, 5};
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &none, -1, NULL);
    assert_int_equal(infer(&t), OM_OK);
    assert_int_equal(t.y->shape.rank, 2);
    assert_true(t.y->shape.dims[0] == 3 && t.y->shape.dims[1] == 5);
    om_graph_destroy(t.g);
    build(&t, OM_OP_SQUEEZE, 4, xd, OM_DT_INT64, 1, &none, 2, all);
    assert_int_equal(infer(&t), OM_OK);
    cg_jit *j;
    if (cg_jit_create(t.g, NULL, &j) != OM_OK)
        fail_msg("%s", om_last_error());
    assert_int_equal(cg_jit_run(j, 1), OM_OK);
    cg_jit_destroy(j);
    om_graph_destroy(t.g);
    build(&t, OM_OP_UNSQUEEZE, 4, xd, OM_DT_INT64, 1, &one, 5, un);
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    /* ReduceSum: [3,2,2] -> [3,2] (keepdims 0) by one axis; [2,2] by one axis too; [12] by none */
    int64_t rx[3] = {3, 2, 2}, r1[2] = {3, 2}, r2[1] = {12};
    om_node *n = build(&t, OM_OP_REDUCE_SUM, 3, rx, OM_DT_INT64, 1, &one, 2, r1);
    assert_int_equal(om_node_set_int(t.g, n, "keepdims", 0), OM_OK);
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    n = build(&t, OM_OP_REDUCE_SUM, 3, rx, OM_DT_INT64, 1, &one, 1, r2);
    assert_int_equal(om_node_set_int(t.g, n, "keepdims", 0), OM_OK);
    expect_error(&t, OM_ERR_INVALID_MODEL, "no 1 distinct axes of input 0 'x' [3,2,2] reduce to it");
    build(&t, OM_OP_REDUCE_SUM, 3, rx, OM_DT_INT64, 1, &one, -1, NULL);
    expect_error(&t, OM_ERR_UNSUPPORTED, "input 1 ('s') must be a compile-time constant: it determines the output shape");
    /* an empty run-time axes tensor needs no declared output */
    int64_t zero = 0;
    n = build(&t, OM_OP_REDUCE_SUM, 3, rx, OM_DT_INT64, 1, &zero, -1, NULL);
    assert_int_equal(om_node_set_int(t.g, n, "noop_with_empty_axes", 1), OM_OK);
    assert_int_equal(infer(&t), OM_OK);
    assert_true(om_shape_equal(&t.y->shape, &t.x->shape));
    om_graph_destroy(t.g);
}

static void test_other_rules(void **state)
{
    (void)state;
    one_node t;
    int64_t xd[2] = {3, 1}, two = 2, three = 3, ex[2] = {3, 4}, bad[2] = {2, 4}, tl[2] = {6, 2}, tb[2] = {6, 3};
    build(&t, OM_OP_EXPAND, 2, xd, OM_DT_INT64, 1, &two, 2, ex);
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    build(&t, OM_OP_EXPAND, 2, xd, OM_DT_INT64, 1, &two, 2, bad);
    expect_error(&t, OM_ERR_INVALID_MODEL, "cannot be expanded to the declared [2,4]");
    build(&t, OM_OP_EXPAND, 2, xd, OM_DT_INT64, 1, &two, -1, NULL);
    expect_error(&t, OM_ERR_UNSUPPORTED, "must be a compile-time constant");
    build(&t, OM_OP_TILE, 2, xd, OM_DT_INT64, 1, &two, 2, tl);
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    int64_t xt[2] = {3, 2};
    build(&t, OM_OP_TILE, 2, xt, OM_DT_INT64, 1, &two, 2, tb);
    expect_error(&t, OM_ERR_INVALID_MODEL, "dim 1 is not a multiple of dim 1");
    build(&t, OM_OP_TILE, 2, xd, OM_DT_INT64, 1, &three, 2, tl);
    expect_error(&t, OM_ERR_INVALID_MODEL, "has 3 values, expected 2");
    /* TopK: K from the declared outputs */
    int64_t tx[2] = {3, 4}, one = 1, ty[2] = {3, 2};
    t.g = om_graph_create("t");
    om_value *ins[2] = {cg_input(t.g, "x", OM_DT_FLOAT, 2, tx), cg_input(t.g, "k", OM_DT_INT64, 1, &one)};
    om_value *outs[2] = {cg_value(t.g, "v", OM_DT_FLOAT, 2, ty), cg_value(t.g, "i", OM_DT_INT64, 2, ty)};
    assert_non_null(om_graph_add_node(t.g, OM_OP_TOP_K, "tk", ins, 2, outs, 2));
    assert_int_equal(infer(&t), OM_OK);
    om_graph_destroy(t.g);
    ty[1] = 5; /* K = 5 > 4 */
    t.g = om_graph_create("t");
    om_value *ins2[2] = {cg_input(t.g, "x", OM_DT_FLOAT, 2, tx), cg_input(t.g, "k", OM_DT_INT64, 1, &one)};
    om_value *outs2[2] = {cg_value(t.g, "v", OM_DT_FLOAT, 2, ty), cg_value(t.g, "i", OM_DT_INT64, 2, ty)};
    assert_non_null(om_graph_add_node(t.g, OM_OP_TOP_K, "tk", ins2, 2, outs2, 2));
    expect_error(&t, OM_ERR_INVALID_MODEL, "K = 5 is out of range [0, 4]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reshape_rule),
        cmocka_unit_test(test_axes_rules),
        cmocka_unit_test(test_other_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
