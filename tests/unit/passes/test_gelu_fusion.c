/* gelu-fusion (passes/gelu_fusion.c): the Erf form (Div by sqrt 2) and the Tanh form
 * (Pow(x, 3)) become Gelu with the right `approximate`; a wrong constant and a shared Erf
 * output stay. */
#include "tests/unit/passes/rewrite_test_util.h"

static void test_erf(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2,8]\n"
        "  const %sqrt2 : f32[] = [1.41421354]\n"
        "  const %one : f32[] = [1.0]\n"
        "  const %half : f32[] = [0.5]\n"
        "  %u : f32[2,8] = Div(%x, %sqrt2)\n"
        "  %e : f32[2,8] = Erf(%u)\n"
        "  %a : f32[2,8] = Add(%e, %one)\n"
        "  %m : f32[2,8] = Mul(%x, %a)\n"
        "  %y : f32[2,8] = Mul(%m, %half)\n"
        "  output %y\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "gelu-fusion", "gelus-fused-erf", &changed), 1);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 1);
    om_node *n = rw_producer(g, "y");
    assert_int_equal(n->op, OM_OP_GELU);
    assert_string_equal(om_node_string(n, "approximate", "?"), "none");
    om_graph_destroy(g);
}

static void test_tanh(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[4]\n"
        "  const %three : f32[] = [3.0]\n"
        "  const %k : f32[] = [0.044715]\n"
        "  const %c : f32[] = [0.797884583]\n"
        "  const %one : f32[] = [1.0]\n"
        "  const %half : f32[] = [0.5]\n"
        "  %p : f32[4] = Pow(%x, %three)\n"
        "  %kp : f32[4] = Mul(%k, %p)\n"
        "  %in : f32[4] = Add(%x, %kp)\n"
        "  %ci : f32[4] = Mul(%in, %c)\n"
        "  %t : f32[4] = Tanh(%ci)\n"
        "  %a : f32[4] = Add(%t, %one)\n"
        "  %h : f32[4] = Mul(%half, %x)\n"
        "  %y : f32[4] = Mul(%h, %a)\n"
        "  output %y\n"
        "}\n");
    assert_int_equal(rw_run(g, "gelu-fusion", "gelus-fused-tanh", NULL), 1);
    assert_int_equal(g->n_nodes, 1);
    assert_string_equal(om_node_string(rw_producer(g, "y"), "approximate", "?"), "tanh");
    om_graph_destroy(g);
}

static void test_kept(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[4]\n"
        "  const %two : f32[] = [2.0]\n"
        "  const %sqrt2 : f32[] = [1.41421354]\n"
        "  const %one : f32[] = [1.0]\n"
        "  const %half : f32[] = [0.5]\n"
        "  %u1 : f32[4] = Div(%x, %two)\n"
        "  %e1 : f32[4] = Erf(%u1)\n"
        "  %a1 : f32[4] = Add(%e1, %one)\n"
        "  %m1 : f32[4] = Mul(%x, %a1)\n"
        "  %y1 : f32[4] = Mul(%m1, %half)\n"
        "  %u2 : f32[4] = Div(%x, %sqrt2)\n"
        "  %e2 : f32[4] = Erf(%u2)\n"
        "  %a2 : f32[4] = Add(%e2, %one)\n"
        "  %m2 : f32[4] = Mul(%x, %a2)\n"
        "  %y2 : f32[4] = Mul(%m2, %half)\n"
        "  %extra : f32[4] = Neg(%e2)\n"
        "  output %y1, %y2, %extra\n"
        "}\n");
    bool changed = true;
    assert_int_equal(rw_run(g, "gelu-fusion", "gelus-fused-erf", &changed), 0);
    assert_false(changed);
    assert_int_equal(rw_count_op(g, OM_OP_GELU), 0);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erf),
        cmocka_unit_test(test_tanh),
        cmocka_unit_test(test_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
