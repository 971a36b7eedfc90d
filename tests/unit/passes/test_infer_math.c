/* Tests for passes/infer/math_ops.c: math_unary keeps X's shape and dtype (bool for IsNaN /
 * IsInf), accepts the dtypes each op supports and names node, input and dtype otherwise,
 * refuses Celu alpha = 0; prelu checks that slope broadcasts unidirectionally to X. */
#include "pass_test_util.h"

static om_status run(om_graph *g)
{
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static void test_unary_shapes(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT16, S(U, 3, 4));
    x->shape.syms[0] = "batch";
    om_node *e = t_node(g, OM_OP_EXP, "exp", &x, 1, "y");
    om_node *nan = t_node(g, OM_OP_IS_NAN, "isnan", &x, 1, "m");
    om_node *inf = t_node(g, OM_OP_IS_INF, "isinf", (om_value *[]){e->outputs[0]}, 1, "k");
    om_value *i = t_input(g, "i", OM_DT_INT8, S(5));
    om_node *ab = t_node(g, OM_OP_ABS, "abs", &i, 1, "ai");
    om_node *sh = t_node(g, OM_OP_SHRINK, "shrink", &i, 1, "si");
    om_value *u = t_input(g, "u", OM_DT_UINT16, om_shape_scalar());
    om_node *sg = t_node(g, OM_OP_SIGN, "sign", &u, 1, "su");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(e->outputs[0]->dtype, OM_DT_FLOAT16);
    t_expect_shape(e->outputs[0], S(U, 3, 4));
    assert_string_equal(e->outputs[0]->shape.syms[0], "batch");
    assert_int_equal(nan->outputs[0]->dtype, OM_DT_BOOL);
    t_expect_shape(nan->outputs[0], S(U, 3, 4));
    assert_int_equal(inf->outputs[0]->dtype, OM_DT_BOOL);
    assert_int_equal(ab->outputs[0]->dtype, OM_DT_INT8);
    t_expect_shape(ab->outputs[0], S(5));
    assert_int_equal(sh->outputs[0]->dtype, OM_DT_INT8);
    assert_int_equal(sg->outputs[0]->dtype, OM_DT_UINT16);
    assert_int_equal(sg->outputs[0]->shape.rank, 0);
    om_graph_destroy(g);
}

static void expect_dtype_error(om_op op, om_dtype dt, const char *msg)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", dt, S(2));
    t_node(g, op, "n", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, msg);
    om_graph_destroy(g);
}

static void test_unary_dtypes(void **state)
{
    expect_dtype_error(OM_OP_SIN, OM_DT_INT32, "node 'n' (Sin): input 0 'x' has dtype i32, expected a float type");
    expect_dtype_error(OM_OP_NEG, OM_DT_UINT8, "expected a float or signed int type");
    expect_dtype_error(OM_OP_ABS, OM_DT_BOOL, "expected a numeric type");
    expect_dtype_error(OM_OP_IS_NAN, OM_DT_INT64, "(IsNaN): input 0 'x' has dtype i64");
    expect_dtype_error(OM_OP_ELU, OM_DT_INT16, "(Elu)");
}

static void test_celu_alpha(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2));
    om_node *n = t_node(g, OM_OP_CELU, "celu", &x, 1, "y");
    assert_int_equal(om_node_set_float(g, n, "alpha", 0.0f), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'celu' (Celu): attribute alpha must not be 0");
    om_graph_destroy(g);
}

static void test_prelu(void **state)
{
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_value *s1 = t_input(g, "s1", OM_DT_FLOAT, S(3, 1, 1));
    om_value *s2 = t_input(g, "s2", OM_DT_FLOAT, S(5));
    om_value *s3 = t_input(g, "s3", OM_DT_FLOAT, S(U, 1, 5));
    om_node *a = t_node(g, OM_OP_PRELU, "a", (om_value *[]){x, s1}, 2, "ya");
    om_node *b = t_node(g, OM_OP_PRELU, "b", (om_value *[]){x, s2}, 2, "yb");
    om_node *c = t_node(g, OM_OP_PRELU, "c", (om_value *[]){x, s3}, 2, "yc");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 3, 4, 5));
    t_expect_shape(b->outputs[0], S(2, 3, 4, 5));
    t_expect_shape(c->outputs[0], S(2, 3, 4, 5));
    om_graph_destroy(g);

    /* slope [3] against trailing dim 5; slope of higher rank; mixed dtypes; int8 */
    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 5));
    om_value *bad = t_input(g, "bad", OM_DT_FLOAT, S(3));
    t_node(g, OM_OP_PRELU, "p", (om_value *[]){x, bad}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL,
                   "node 'p' (PRelu): input 1 (slope) 'bad' [3] does not broadcast unidirectionally to input 0 'x' [2,3,5]");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3));
    bad = t_input(g, "bad", OM_DT_FLOAT, S(2, 3));
    t_node(g, OM_OP_PRELU, "p", (om_value *[]){x, bad}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "does not broadcast unidirectionally");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3));
    bad = t_input(g, "bad", OM_DT_DOUBLE, S(3));
    t_node(g, OM_OP_PRELU, "p", (om_value *[]){x, bad}, 2, "y");
    assert_int_not_equal(run(g), OM_OK);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_INT8, S(3));
    bad = t_input(g, "bad", OM_DT_INT8, S(3));
    t_node(g, OM_OP_PRELU, "p", (om_value *[]){x, bad}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "input 0 'x' has dtype i8, expected a float or 32/64-bit int");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_shapes),
        cmocka_unit_test(test_unary_dtypes),
        cmocka_unit_test(test_celu_alpha),
        cmocka_unit_test(test_prelu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
