/* cse (passes/cse.c): equal constants merge, duplicate nodes merge transitively, and
 * different attributes, input order or graph-output duplicates stay. */
#include "tests/unit/passes/rewrite_test_util.h"

static void test_merge(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2]\n"
        "  const %c1 : f32[2] = [1.0, 2.0]\n"
        "  const %c2 : f32[2] = [1.0, 2.0]\n"
        "  const %c3 : f32[2] = [1.0, 3.0]\n"
        "  %a : f32[2] = Add(%x, %c1)\n"
        "  %b : f32[2] = Add(%x, %c2)\n"
        "  %e : f32[2] = Add(%x, %c3)\n"
        "  %ra : f32[2] = LeakyRelu(%a) {alpha = 0.5}\n"
        "  %rb : f32[2] = LeakyRelu(%b) {alpha = 0.5}\n"
        "  %rc : f32[2] = LeakyRelu(%b) {alpha = 0.25}\n"
        "  %s : f32[2] = Sum(%ra, %rb, %rc, %e)\n"
        "  output %s\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "cse", "nodes-merged", &changed), 2);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 5);
    om_node *s = rw_producer(g, "s");
    assert_ptr_equal(s->inputs[0], s->inputs[1]);
    assert_ptr_not_equal(s->inputs[1], s->inputs[2]);
    assert_null(om_graph_find_value(g, "c2"));
    assert_non_null(om_graph_find_value(g, "c3"));
    om_graph_destroy(g);
}

static void test_constants_counter_and_outputs(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2]\n"
        "  const %c1 : f32[2] = [1.0, 2.0]\n"
        "  const %c2 : f32[2] = [1.0, 2.0]\n"
        "  const %i1 : i32[2] = [0, 0]\n"
        "  const %f0 : f32[2] = [0.0, 0.0]\n"
        "  %a : f32[2] = Add(%x, %c1)\n"
        "  %b : f32[2] = Add(%x, %c2)\n"
        "  %p : f32[2] = Add(%f0, %x)\n"
        "  %q : i32[2] = Neg(%i1)\n"
        "  output %a, %b, %p, %q\n"
        "}\n");
    assert_int_equal(rw_run(g, "cse", "constants-merged", NULL), 1);
    /* %b is a graph output: its node stays (but reads the merged constant) */
    assert_int_equal(rw_count_op(g, OM_OP_ADD), 3);
    assert_ptr_equal(rw_producer(g, "b")->inputs[1], om_graph_find_value(g, "c1"));
    assert_non_null(om_graph_find_value(g, "i1")); /* same bytes, other dtype */
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_constants_counter_and_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
