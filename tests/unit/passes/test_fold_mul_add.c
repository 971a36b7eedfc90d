/* fold-mul-add (passes/fold_mul_add.c): per-channel Mul then Add after a Conv fold into the
 * weights and bias; a Mul along the spatial axis and a MatMul producer stay. */
#include "tests/unit/passes/rewrite_test_util.h"

static void test_conv_mul_add(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[1,1,2,2]\n"
        "  const %w : f32[2,1,1,1] = [3.0, 4.0]\n"
        "  const %s : f32[1,2,1,1] = [2.0, -1.0]\n"
        "  const %t : f32[] = [5.0]\n"
        "  %c : f32[1,2,2,2] = Conv(%x, %w) {kernel_shape = [1, 1]}\n"
        "  %m : f32[1,2,2,2] = Mul(%s, %c)\n"
        "  %y : f32[1,2,2,2] = Add(%m, %t)\n"
        "  output %y\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "fold-mul-add", "muls-folded", &changed), 1);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 1);
    om_node *c = rw_producer(g, "y");
    assert_int_equal(c->op, OM_OP_CONV);
    assert_float_equal(rw_f32(c->inputs[1], 0), 6.0, 1e-6);
    assert_float_equal(rw_f32(c->inputs[1], 1), -4.0, 1e-6);
    assert_float_equal(rw_f32(c->inputs[2], 0), 5.0, 1e-6);
    assert_float_equal(rw_f32(c->inputs[2], 1), 5.0, 1e-6);
    om_graph_destroy(g);
}

static void test_kept(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[1,1,2,2]\n"
        "  input %a : f32[3,2]\n"
        "  const %w : f32[2,1,1,1] = [3.0, 4.0]\n"
        "  const %sp : f32[2] = [2.0, 3.0]\n"
        "  const %b : f32[2,2] = [1.0, 2.0, 3.0, 4.0]\n"
        "  const %bias : f32[2] = [1.0, 1.0]\n"
        "  %c : f32[1,2,2,2] = Conv(%x, %w) {kernel_shape = [1, 1]}\n"
        "  %m : f32[1,2,2,2] = Mul(%c, %sp)\n"
        "  %mm : f32[3,2] = MatMul(%a, %b)\n"
        "  %y : f32[3,2] = Add(%mm, %bias)\n"
        "  output %m, %y\n"
        "}\n");
    assert_int_equal(rw_run(g, "fold-mul-add", "muls-folded", NULL), 0);
    assert_int_equal(g->n_nodes, 4);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_mul_add),
        cmocka_unit_test(test_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
