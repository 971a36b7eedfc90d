/* Tests for passes/dce.c: dead nodes (including chains and nodes feeding only dead
 * nodes) and unused constants go, graph inputs and everything feeding outputs stay. */
#include "pass_test_util.h"

static bool has_node(const om_graph *g, const char *name) {
    for (size_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0) return true;
    return false;
}

static void test_dce_removes_dead_chain(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(4));
    om_value *unused_in = t_input(g, "unused", OM_DT_FLOAT, S(4));
    om_value *k = t_const_f32(g, "k", S(4));
    t_const_f32(g, "orphan", S(16)); /* read by nobody */
    om_node *a = t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    /* dead chain: d1 -> d2 -> d3, d1 also reads a live value and the constant */
    om_node *d1 = t_node(g, OM_OP_ADD, "d1", (om_value *[]){a->outputs[0], k}, 2, "d1_out");
    om_node *d2 = t_node(g, OM_OP_TANH, "d2", &d1->outputs[0], 1, "d2_out");
    t_node(g, OM_OP_SIGMOID, "d3", &d2->outputs[0], 1, "d3_out");
    om_node *b = t_node(g, OM_OP_SIGMOID, "b", &a->outputs[0], 1, "b_out");
    assert_int_equal(om_graph_add_output(g, b->outputs[0]), OM_OK);
    size_t values_before = g->n_values;

    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "dce"};
    bool changed = false;
    assert_int_equal(om_pass_dce(g, &opts, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 2);
    assert_true(has_node(g, "a"));
    assert_true(has_node(g, "b"));
    assert_false(has_node(g, "d1"));
    assert_int_equal(t_stat(st, "dce", "nodes-removed"), 3);
    /* gone: d1_out, d2_out, d3_out, k, orphan */
    assert_int_equal(t_stat(st, "dce", "values-removed"), 5);
    assert_int_equal(g->n_values, values_before - 5);
    assert_null(om_graph_find_value(g, "orphan"));
    assert_null(om_graph_find_value(g, "k"));
    assert_non_null(om_graph_find_value(g, "unused")); /* inputs stay */
    assert_ptr_equal(om_graph_find_value(g, "unused"), unused_in);
    for (size_t i = 0; i < g->n_values; i++) assert_int_equal(g->values[i]->id, i);

    /* A second run finds nothing. */
    changed = true;
    assert_int_equal(om_pass_dce(g, &opts, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(t_stat(st, "dce", "nodes-removed"), 3);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_dce_keeps_multi_output_node(void **state) {
    /* MaxPool with an unread Indices output stays because Y is read. */
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 4, 4));
    om_value *outs[2] = {t_value(g, "y"), t_value(g, "idx")};
    om_node *mp = om_graph_add_node(g, OM_OP_MAX_POOL, "mp", &x, 1, outs, 2);
    assert_non_null(mp);
    assert_int_equal(om_graph_add_output(g, outs[0]), OM_OK);
    bool changed = true;
    assert_int_equal(om_pass_dce(g, NULL, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(g->n_nodes, 1);
    assert_non_null(om_graph_find_value(g, "idx"));
    om_graph_destroy(g);
}

static void test_dce_everything_dead(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(4));
    om_node *a = t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    t_node(g, OM_OP_RELU, "b", &a->outputs[0], 1, "b_out");
    /* the only output is the input itself */
    assert_int_equal(om_graph_add_output(g, x), OM_OK);
    bool changed = false;
    assert_int_equal(om_pass_dce(g, NULL, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 0);
    assert_int_equal(g->n_values, 1);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dce_removes_dead_chain),
        cmocka_unit_test(test_dce_keeps_multi_output_node),
        cmocka_unit_test(test_dce_everything_dead),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
