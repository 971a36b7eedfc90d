/* Tests for frontend/onnx_control.c and onnx_sequence.c: If with a constant condition
 * inlines only the taken branch (reading an outer-scope value), a runtime condition gives
 * both branches + Where; Loop with a constant trip count is unrolled (one body per
 * iteration, scan output stacked by Concat), a runtime trip count or a too long loop is
 * OM_ERR_UNSUPPORTED naming the value; Scan is unrolled over its static axis; sequences
 * and optionals become plain tensor ops; a sequence graph input is unsupported. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fe_test_util.h"

static int count_op(const om_graph *g, om_op op)
{
    int c = 0;
    while (find_node(g, op, c))
        c++;
    return c;
}

static void test_if_constant_condition(void **state)
{
    om_graph *g = fx_load("if_const.onnx");
    assert_int_equal(count_op(g, OM_OP_NEG), 1);
    assert_int_equal(count_op(g, OM_OP_ABS), 0);
    assert_int_equal(count_op(g, OM_OP_WHERE), 0);
    om_node *neg = find_node(g, OM_OP_NEG, 0);
    assert_ptr_equal(neg->inputs[0], om_graph_find_value(g, "x")); /* outer scope */
    assert_non_null(om_graph_find_value(g, "if1/then/t_out"));        /* scoped name */
    assert_int_equal(g->n_outputs, 1);
    assert_string_equal(g->outputs[0]->name, "y");
    om_graph_destroy(g);
}

static void test_if_runtime_condition(void **state)
{
    om_graph *g = fx_load("if_where.onnx");
    assert_int_equal(count_op(g, OM_OP_NEG), 1);
    assert_int_equal(count_op(g, OM_OP_ABS), 1);
    om_node *w = find_node(g, OM_OP_WHERE, 0);
    assert_non_null(w);
    assert_int_equal(w->inputs[1]->producer->op, OM_OP_NEG);
    assert_int_equal(w->inputs[2]->producer->op, OM_OP_ABS);
    /* the [1] condition is squeezed to a scalar so Where keeps the branch shape */
    assert_int_equal(w->inputs[0]->producer->op, OM_OP_SQUEEZE);
    assert_ptr_equal(w->inputs[0]->producer->inputs[0], om_graph_find_value(g, "cond"));
    om_graph_destroy(g);
}

static void test_loop_unrolled(void **state)
{
    om_graph *g = fx_load("loop_unroll.onnx");
    assert_int_equal(count_op(g, OM_OP_ADD), 3);
    om_node *a0 = find_node(g, OM_OP_ADD, 0), *a1 = find_node(g, OM_OP_ADD, 1);
    assert_ptr_equal(a0->inputs[0], om_graph_find_value(g, "x"));   /* initial carried value */
    assert_ptr_equal(a1->inputs[0], a0->outputs[0]);                 /* threaded */
    assert_non_null(om_graph_find_value(g, "loop/iter2/y_out"));
    om_node *cat = find_node(g, OM_OP_CONCAT, 0);
    assert_non_null(cat);
    assert_int_equal(cat->n_inputs, 3);
    assert_int_equal(g->n_outputs, 2);
    assert_string_equal(g->outputs[1]->name, "ys");
    om_graph_destroy(g);
}

static void test_loop_runtime_trip_count(void **state)
{
    const char *msg = fx_fail("loop_dynamic.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'loop'"));
    assert_non_null(strstr(msg, "'m'"));
    assert_non_null(strstr(msg, "must be a compile-time constant"));
}

static void test_loop_too_long(void **state)
{
    const char *msg = fx_fail("loop_too_long.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "more than 1024 iterations"));
}

static void test_scan_unrolled(void **state)
{
    om_graph *g = fx_load("scan_sum.onnx");
    assert_int_equal(count_op(g, OM_OP_ADD), 3);
    assert_int_equal(count_op(g, OM_OP_GATHER), 3);
    om_node *g2 = find_node(g, OM_OP_GATHER, 2);
    assert_int_equal(*(const int64_t *)g2->inputs[1]->data, 2);
    assert_int_equal(find_node(g, OM_OP_CONCAT, 0)->n_inputs, 3);
    om_graph_destroy(g);
}

static void test_sequence_ops(void **state)
{
    om_graph *g = fx_load("seq_ops.onnx");
    om_value *at = om_graph_find_value(g, "at");
    assert_int_equal(at->producer->op, OM_OP_IDENTITY);
    assert_ptr_equal(at->producer->inputs[0], om_graph_find_value(g, "c")); /* a d b c -> d b c -> [2] */
    om_value *len = om_graph_find_value(g, "len");
    om_value *lc = len->producer->inputs[0];
    assert_int_equal(lc->kind, OM_VALUE_CONSTANT);
    assert_int_equal(*(const int64_t *)lc->data, 3);
    om_node *cat = om_graph_find_value(g, "cat")->producer;
    assert_int_equal(cat->op, OM_OP_CONCAT);
    assert_int_equal(cat->n_inputs, 3);
    assert_int_equal(cat->inputs[0]->producer->op, OM_OP_UNSQUEEZE); /* new_axis */
    assert_ptr_equal(cat->inputs[0]->producer->inputs[0], om_graph_find_value(g, "d"));
    om_value *has = om_graph_find_value(g, "has")->producer->inputs[0];
    assert_int_equal(has->kind, OM_VALUE_CONSTANT);
    assert_int_equal(*(const uint8_t *)has->data, 1);
    om_graph_destroy(g);
}

static void test_sequence_unsupported(void **state)
{
    const char *msg = fx_fail("seq_input.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "'sq'"));
    msg = fx_fail("seq_dynamic_pos.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "('pos') must be a compile-time constant"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_if_constant_condition), cmocka_unit_test(test_if_runtime_condition),
        cmocka_unit_test(test_loop_unrolled),         cmocka_unit_test(test_loop_runtime_trip_count),
        cmocka_unit_test(test_loop_too_long),         cmocka_unit_test(test_scan_unrolled),
        cmocka_unit_test(test_sequence_ops),          cmocka_unit_test(test_sequence_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
