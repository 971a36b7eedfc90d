/* Tests for passes/finalize_io.c: outputs that are inputs, constants or listed twice
 * get Identity copies so that every output slot has its own producing node. */
#include "pass_test_util.h"

static void check_final(const om_graph *g) {
    for (size_t i = 0; i < g->n_outputs; i++) {
        const om_value *v = g->outputs[i];
        assert_int_equal(v->kind, OM_VALUE_INTERMEDIATE);
        assert_non_null(v->producer);
        assert_true(v->is_output);
        for (size_t j = 0; j < i; j++) assert_ptr_not_equal(g->outputs[j], v);
    }
}

static void test_finalize_copies(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_value *k = t_const_f32(g, "k", S(3));
    om_node *r = t_node(g, OM_OP_RELU, "r", &x, 1, "r_out");
    om_value *y = r->outputs[0];
    assert_int_equal(om_graph_add_output(g, y), OM_OK);  /* fine as is */
    assert_int_equal(om_graph_add_output(g, x), OM_OK);  /* an input */
    assert_int_equal(om_graph_add_output(g, k), OM_OK);  /* a constant */
    assert_int_equal(om_graph_add_output(g, y), OM_OK);  /* a duplicate */
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "finalize-io"};
    bool changed = false;
    assert_int_equal(om_pass_finalize_io(g, &opts, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(t_stat(st, "finalize-io", "copies-inserted"), 3);
    assert_int_equal(g->n_outputs, 4);
    assert_ptr_equal(g->outputs[0], y);
    check_final(g);
    for (int i = 1; i < 4; i++) {
        om_node *p = g->outputs[i]->producer;
        assert_int_equal(p->op, OM_OP_IDENTITY);
        assert_int_equal(p->n_inputs, 1);
    }
    assert_ptr_equal(g->outputs[1]->producer->inputs[0], x);
    assert_ptr_equal(g->outputs[2]->producer->inputs[0], k);
    assert_ptr_equal(g->outputs[3]->producer->inputs[0], y);
    assert_int_equal(g->outputs[1]->dtype, OM_DT_FLOAT);
    t_expect_shape(g->outputs[1], S(2, 3));
    t_expect_shape(g->outputs[2], S(3));
    assert_false(x->is_output);
    assert_false(k->is_output);
    assert_true(y->is_output);
    assert_int_equal(g->n_nodes, 4);

    /* idempotent */
    changed = true;
    assert_int_equal(om_pass_finalize_io(g, &opts, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(g->n_nodes, 4);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_finalize_nothing_to_do(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2));
    om_node *a = t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_TANH, "b", &a->outputs[0], 1, "b_out");
    /* a's output is both an output and read by b: allowed */
    assert_int_equal(om_graph_add_output(g, a->outputs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, b->outputs[0]), OM_OK);
    bool changed = true;
    assert_int_equal(om_pass_finalize_io(g, NULL, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(g->n_nodes, 2);
    check_final(g);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finalize_copies),
        cmocka_unit_test(test_finalize_nothing_to_do),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
