/* Tests for the shape rules of the reduce group (passes/infer/reduce_ops.c): Reduce* axes
 * forms (constant input, none, empty + noop, negative, keepdims, symbolic dims kept),
 * their errors (run-time axes, out of range, repeated); ArgMax/ArgMin; TopK (constant K,
 * range); CumSum axis checks; Einsum output shapes and the canonical equation (implicit
 * output, ellipsis letters, diagonals, broadcasting) and errors; Det. */
#include "pass_test_util.h"

static om_status run(om_graph *g)
{
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static om_node *reduce(om_graph *g, om_op op, om_value *x, int n_axes, const int64_t *axes, int keep, int noop)
{
    om_value *in[2] = {x, n_axes >= 0 ? t_const_i64(g, "axes", n_axes, axes) : NULL};
    om_node *n = t_node(g, op, "red", in, n_axes >= 0 ? 2 : 1, "y");
    if (keep >= 0)
        assert_int_equal(om_node_set_int(g, n, "keepdims", keep), OM_OK);
    if (noop)
        assert_int_equal(om_node_set_int(g, n, "noop_with_empty_axes", 1), OM_OK);
    return n;
}

static void expect_reduce(om_op op, om_dtype dt, om_shape in, int n_axes, const int64_t *axes, int keep, int noop,
                          om_shape want)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", dt, in);
    om_node *n = reduce(g, op, x, n_axes, axes, keep, noop);
    if (run(g) != OM_OK)
        fail_msg("%s", om_last_error());
    assert_int_equal(n->outputs[0]->dtype, dt);
    t_expect_shape(n->outputs[0], want);
    om_graph_destroy(g);
}

static void test_reduce_shapes(void **state)
{
    expect_reduce(OM_OP_REDUCE_SUM, OM_DT_FLOAT, S(3, 4, 5), 1, DIMS(1), -1, 0, S(3, 1, 5));
    expect_reduce(OM_OP_REDUCE_MEAN, OM_DT_FLOAT, S(3, 4, 5), 2, DIMS(-1, 0), 0, 0, S(4));
    expect_reduce(OM_OP_REDUCE_MAX, OM_DT_INT32, S(3, 4, 5), -1, NULL, 1, 0, S(1, 1, 1));   /* no axes: all */
    expect_reduce(OM_OP_REDUCE_MIN, OM_DT_DOUBLE, S(3, 4, 5), -1, NULL, 0, 0, om_shape_scalar());
    expect_reduce(OM_OP_REDUCE_L2, OM_DT_FLOAT, S(3, 4, 5), 0, NULL, 1, 0, S(1, 1, 1));      /* empty: all */
    expect_reduce(OM_OP_REDUCE_SUM, OM_DT_FLOAT, S(3, 4, 5), 0, NULL, 1, 1, S(3, 4, 5));     /* empty + noop */
    expect_reduce(OM_OP_REDUCE_PROD, OM_DT_FLOAT, S(3, 4, 5), -1, NULL, 1, 1, S(3, 4, 5));   /* none + noop */
    expect_reduce(OM_OP_REDUCE_LOG_SUM_EXP, OM_DT_FLOAT16, S(2, 0, 5), 1, DIMS(1), 1, 0, S(2, 1, 5));
    expect_reduce(OM_OP_REDUCE_SUM_SQUARE, OM_DT_FLOAT, S(U, 4), 1, DIMS(1), 0, 0, S(U));
}

static void test_reduce_errors(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    om_value *ax = t_input(g, "ax", OM_DT_INT64, S(1));
    t_node(g, OM_OP_REDUCE_SUM, "rs", (om_value *[]){x, ax}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "input 1 ('ax') must be a compile-time constant");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    reduce(g, OM_OP_REDUCE_MEAN, x, 1, DIMS(2), 1, 0);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "value 2 is out of range [-2, 1]");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    reduce(g, OM_OP_REDUCE_MEAN, x, 2, DIMS(1, -1), 1, 0);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "names axis 1 twice");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_BOOL, S(3, 4));
    reduce(g, OM_OP_REDUCE_SUM, x, 1, DIMS(0), 1, 0);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "expected a numeric type");
    om_graph_destroy(g);
}

static void test_arg_reduce(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *a = t_node(g, OM_OP_ARG_MAX, "am", &x, 1, "a");
    assert_int_equal(om_node_set_int(g, a, "axis", -1), OM_OK);
    om_node *b = t_node(g, OM_OP_ARG_MIN, "an", &x, 1, "b");
    assert_int_equal(om_node_set_int(g, b, "axis", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, b, "keepdims", 0), OM_OK);
    om_node *c = t_node(g, OM_OP_ARG_MAX, "ad", &x, 1, "c");   /* default axis 0 */
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(a->outputs[0]->dtype, OM_DT_INT64);
    t_expect_shape(a->outputs[0], S(2, 3, 1));
    t_expect_shape(b->outputs[0], S(2, 4));
    t_expect_shape(c->outputs[0], S(1, 3, 4));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 0));
    a = t_node(g, OM_OP_ARG_MAX, "am", &x, 1, "a");
    assert_int_equal(om_node_set_int(g, a, "axis", 1), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "axis 1 has no elements");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    a = t_node(g, OM_OP_ARG_MIN, "am", &x, 1, "a");
    assert_int_equal(om_node_set_int(g, a, "axis", 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute axis=2 is out of range");
    om_graph_destroy(g);
}

static om_node *topk(om_graph *g, om_value *x, om_value *k, int64_t axis)
{
    om_value *outs[2] = {t_value(g, "v"), t_value(g, "i")};
    om_node *n = om_graph_add_node(g, OM_OP_TOP_K, "tk", (om_value *[]){x, k}, 2, outs, 2);
    assert_non_null(n);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    return n;
}

static void test_topk(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(3, 4, 5));
    om_node *n = topk(g, x, t_const_i64(g, "k", 1, DIMS(2)), 1);
    om_node *m = topk(g, x, t_const_i64(g, "k2", 1, DIMS(5)), -1);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(3, 2, 5));
    assert_int_equal(n->outputs[0]->dtype, OM_DT_FLOAT);
    assert_int_equal(n->outputs[1]->dtype, OM_DT_INT64);
    t_expect_shape(n->outputs[1], S(3, 2, 5));
    t_expect_shape(m->outputs[0], S(3, 4, 5));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    topk(g, x, t_const_i64(g, "k", 1, DIMS(5)), 1);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "K = 5 is out of range [0, 4]");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    topk(g, x, t_input(g, "kin", OM_DT_INT64, S(1)), 1);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "input 1 ('kin') must be a compile-time constant");
    om_graph_destroy(g);
}

static void test_cumsum(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_DOUBLE, S(2, 3));
    om_value *ax = t_input(g, "ax", OM_DT_INT32, om_shape_scalar());
    om_node *n = t_node(g, OM_OP_CUM_SUM, "cs", (om_value *[]){x, ax}, 2, "y");   /* run-time axis is fine */
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n->outputs[0]->dtype, OM_DT_DOUBLE);
    t_expect_shape(n->outputs[0], S(2, 3));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    t_node(g, OM_OP_CUM_SUM, "cs", (om_value *[]){x, t_const_i64(g, "a", 1, DIMS(-3))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "value -3 is out of range [-2, 1]");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    t_node(g, OM_OP_CUM_SUM, "cs", (om_value *[]){x, t_input(g, "a", OM_DT_FLOAT, om_shape_scalar())}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "expected i32 or i64");
    om_graph_destroy(g);
}

/* Einsum over inputs of the given shapes: checks the output shape and canonical equation. */
static void expect_einsum(const char *eq, int n_in, const om_shape *shapes, om_shape want, const char *canon)
{
    om_graph *g = om_graph_create("t");
    om_value *in[4];
    char name[16];
    for (int i = 0; i < n_in; i++) {
        snprintf(name, sizeof name, "x%d", i);
        in[i] = t_input(g, name, OM_DT_FLOAT, shapes[i]);
    }
    om_node *n = t_node(g, OM_OP_EINSUM, "ein", in, n_in, "y");
    assert_int_equal(om_node_set_string(g, n, "equation", eq), OM_OK);
    if (run(g) != OM_OK)
        fail_msg("'%s': %s", eq, om_last_error());
    t_expect_shape(n->outputs[0], want);
    assert_string_equal(om_node_string(n, "equation", ""), canon);
    /* the canonical form is a fixed point */
    assert_int_equal(run(g), OM_OK);
    assert_string_equal(om_node_string(n, "equation", ""), canon);
    om_graph_destroy(g);
}

static void test_einsum(void **state)
{
    expect_einsum("bij, bjk -> bik", 2, (om_shape[]){S(5, 2, 3), S(5, 3, 4)}, S(5, 2, 4), "bij,bjk->bik");
    expect_einsum("i,i", 2, (om_shape[]){S(5), S(5)}, om_shape_scalar(), "i,i->");
    expect_einsum("ij", 1, (om_shape[]){S(3, 4)}, S(3, 4), "ij->ij");
    expect_einsum("ji", 1, (om_shape[]){S(3, 4)}, S(4, 3), "ji->ij");   /* implicit: sorted labels */
    expect_einsum("ii", 1, (om_shape[]){S(4, 4)}, om_shape_scalar(), "ii->");   /* trace */
    expect_einsum("...ii ->...i", 1, (om_shape[]){S(3, 5, 5)}, S(3, 5), "Aii->Ai");
    expect_einsum("...ij,...jk", 2, (om_shape[]){S(2, 1, 3, 4), S(6, 4, 5)}, S(2, 6, 3, 5), "ABij,Bjk->ABik");
    expect_einsum("Ab,b->A", 2, (om_shape[]){S(2, 3), S(3)}, S(2), "Ab,b->A");
}

static void test_einsum_errors(void **state)
{
    static const struct { const char *eq; int n; om_shape s[2]; const char *msg; } bad[] = {
        {"ij,jk->ik", 2, {{2, {2, 3}}, {2, {4, 5}}}, "label 'j' is 4"},
        {"ij,jk", 1, {{2, {2, 3}}}, "2 operand terms, the node has 1 inputs"},
        {"ijk->i", 1, {{2, {2, 3}}}, "has rank 2"},
        {"ij->k", 1, {{2, {2, 3}}}, "output label 'k' is not in any input"},
        {"ij->ii", 1, {{2, {2, 3}}}, "output label 'i' repeats"},
        {"i.j->i", 1, {{2, {2, 3}}}, "bad term"},
        {"ij->i;", 1, {{2, {2, 3}}}, "unexpected ';'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        om_graph *g = om_graph_create("t");
        om_value *in[2];
        for (int i = 0; i < bad[k].n; i++)
            in[i] = t_input(g, i ? "b" : "a", OM_DT_FLOAT, bad[k].s[i]);
        om_node *n = t_node(g, OM_OP_EINSUM, "ein", in, bad[k].n, "y");
        assert_int_equal(om_node_set_string(g, n, "equation", bad[k].eq), OM_OK);
        t_expect_error(run(g), OM_ERR_INVALID_MODEL, bad[k].msg);
        om_graph_destroy(g);
    }
}

static void test_det(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 4));
    om_value *z = t_input(g, "z", OM_DT_DOUBLE, S(4, 4));
    om_node *n = t_node(g, OM_OP_DET, "det", &x, 1, "y");
    om_node *m = t_node(g, OM_OP_DET, "det2", &z, 1, "w");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 3));
    t_expect_shape(m->outputs[0], om_shape_scalar());
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 4));
    t_node(g, OM_OP_DET, "det", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "must be square");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_INT32, S(3, 3));
    t_node(g, OM_OP_DET, "det", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "expected a floating type");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_shapes), cmocka_unit_test(test_reduce_errors),
        cmocka_unit_test(test_arg_reduce),    cmocka_unit_test(test_topk),
        cmocka_unit_test(test_cumsum),        cmocka_unit_test(test_einsum),
        cmocka_unit_test(test_einsum_errors), cmocka_unit_test(test_det),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
