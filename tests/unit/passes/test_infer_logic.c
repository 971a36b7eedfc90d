/* Shape and dtype rules of the logic group (passes/infer/logic_ops.c): broadcasting over
 * two, three and N inputs, the output dtypes (Pow keeps X's, comparisons give bool, Cast
 * takes `to`, CastLike the second input's), and each error naming the node. */
#include "pass_test_util.h"

static om_status run(om_graph *g)
{
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static om_graph *new_graph(void)
{
    om_graph *g = om_graph_create("t");
    assert_non_null(g);
    return g;
}

static void test_pow_mixed_dtypes(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_INT32, S(2, 3));
    om_value *y = t_input(g, "y", OM_DT_FLOAT, S(3));
    om_node *n = t_node(g, OM_OP_POW, "pow", (om_value *[]){x, y}, 2, "z");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n->outputs[0]->dtype, OM_DT_INT32);
    t_expect_shape(n->outputs[0], S(2, 3));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_BOOL, S(2));
    y = t_input(g, "y", OM_DT_FLOAT, S(2));
    t_node(g, OM_OP_POW, "pow_bool", (om_value *[]){x, y}, 2, "z");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'pow_bool' (Pow): input 0 'x' has dtype bool");
    om_graph_destroy(g);
}

static void test_compare_and_logic(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(3, 1, 5));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(4, 1));
    om_node *c = t_node(g, OM_OP_GREATER_OR_EQUAL, "ge", (om_value *[]){a, b}, 2, "c");
    om_value *m = t_input(g, "m", OM_DT_BOOL, S(5));
    om_node *l = t_node(g, OM_OP_XOR, "xor", (om_value *[]){c->outputs[0], m}, 2, "l");
    om_node *nt = t_node(g, OM_OP_NOT, "not", (om_value *[]){l->outputs[0]}, 1, "nt");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(c->outputs[0]->dtype, OM_DT_BOOL);
    t_expect_shape(c->outputs[0], S(3, 4, 5));
    t_expect_shape(l->outputs[0], S(3, 4, 5));
    assert_int_equal(nt->outputs[0]->dtype, OM_DT_BOOL);
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(3));
    b = t_input(g, "b", OM_DT_INT32, S(3));
    t_node(g, OM_OP_EQUAL, "eq", (om_value *[]){a, b}, 2, "c");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'eq' (Equal)");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_INT32, S(3));
    b = t_input(g, "b", OM_DT_INT32, S(3));
    t_node(g, OM_OP_AND, "and", (om_value *[]){a, b}, 2, "c");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "expected bool");
    om_graph_destroy(g);
}

static void test_where_three_way(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *c = t_input(g, "c", OM_DT_BOOL, S(2, 1, 1));
    om_value *x = t_input(g, "x", OM_DT_INT64, S(3, 1));
    om_value *y = t_input(g, "y", OM_DT_INT64, S(4));
    om_node *n = t_node(g, OM_OP_WHERE, "where", (om_value *[]){c, x, y}, 3, "z");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n->outputs[0]->dtype, OM_DT_INT64);
    t_expect_shape(n->outputs[0], S(2, 3, 4));
    om_graph_destroy(g);

    g = new_graph();
    c = t_input(g, "c", OM_DT_BOOL, S(2));
    x = t_input(g, "x", OM_DT_FLOAT, S(3));
    y = t_input(g, "y", OM_DT_FLOAT, S(3));
    t_node(g, OM_OP_WHERE, "w", (om_value *[]){c, x, y}, 3, "z");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 1 'x' [3] is not broadcast-compatible");
    om_graph_destroy(g);
}

static void test_variadic(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(3, 1));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(4));
    om_value *c = t_input(g, "c", OM_DT_FLOAT, S(2, 1, 1));
    om_node *n = t_node(g, OM_OP_SUM, "sum", (om_value *[]){a, b, c}, 3, "y");
    om_node *one = t_node(g, OM_OP_MAX, "max", (om_value *[]){b}, 1, "m");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 3, 4));
    t_expect_shape(one->outputs[0], S(4));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(3));
    b = t_input(g, "b", OM_DT_DOUBLE, S(3));
    t_node(g, OM_OP_MEAN, "mean", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'mean' (Mean)");
    om_graph_destroy(g);
}

static void test_mod_and_bitshift_attrs(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(3));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(3));
    t_node(g, OM_OP_MOD, "mod", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "fmod must be 1");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_UINT8, S(3));
    b = t_input(g, "b", OM_DT_UINT8, S(1));
    om_node *n = t_node(g, OM_OP_BIT_SHIFT, "shl", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute direction is missing");
    assert_int_equal(om_node_set_string(g, n, "direction", "UP"), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "\"UP\"");
    assert_int_equal(om_node_set_string(g, n, "direction", "LEFT"), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(3));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_INT8, S(3));
    b = t_input(g, "b", OM_DT_INT8, S(3));
    t_node(g, OM_OP_BIT_SHIFT, "sh", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "expected an unsigned integer type");
    om_graph_destroy(g);
}

static void test_cast(void **state)
{
    (void)state;
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_node *n = t_node(g, OM_OP_CAST, "cast", (om_value *[]){x}, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute 'to'");
    assert_int_equal(om_node_set_int(g, n, "to", OM_DT_FLOAT16), OM_OK);
    om_value *like = t_input(g, "like", OM_DT_UINT16, S(1));
    om_node *cl = t_node(g, OM_OP_CAST_LIKE, "cl", (om_value *[]){n->outputs[0], like}, 2, "z");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n->outputs[0]->dtype, OM_DT_FLOAT16);
    assert_int_equal(cl->outputs[0]->dtype, OM_DT_UINT16);
    t_expect_shape(cl->outputs[0], S(2, 3));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2));
    n = t_node(g, OM_OP_CAST, "to_string", (om_value *[]){x}, 1, "y");
    assert_int_equal(om_node_set_int(g, n, "to", OM_DT_STRING), OM_OK);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "string");
    assert_int_equal(om_node_set_int(g, n, "to", 99), OM_OK);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "99");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pow_mixed_dtypes), cmocka_unit_test(test_compare_and_logic),
        cmocka_unit_test(test_where_three_way),  cmocka_unit_test(test_variadic),
        cmocka_unit_test(test_mod_and_bitshift_attrs), cmocka_unit_test(test_cast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
