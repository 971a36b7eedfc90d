/* fold-batchnorm (passes/fold_batchnorm.c): Conv + BN and Gemm + BN fold with the exact
 * per-channel arithmetic; a Conv output with a second reader, training-mode BN and
 * non-constant parameters stay. */
#include <math.h>

#include "tests/unit/passes/rewrite_test_util.h"

static void test_conv_with_bias(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[1,2,3,3]\n"
        "  const %w : f32[2,2,1,1] = [1.0, 2.0, 3.0, 4.0]\n"
        "  const %b : f32[2] = [0.5, -1.0]\n"
        "  const %sc : f32[2] = [4.0, 6.0]\n"
        "  const %bb : f32[2] = [0.25, 0.75]\n"
        "  const %m : f32[2] = [1.0, -1.0]\n"
        "  const %v : f32[2] = [3.0, 8.0]\n"
        "  %c : f32[1,2,3,3] = Conv(%x, %w, %b) {kernel_shape = [1, 1]}\n"
        "  %y : f32[1,2,3,3] = BatchNormalization(%c, %sc, %bb, %m, %v) {epsilon = 1.0}\n"
        "  output %y\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "fold-batchnorm", "batchnorms-folded", &changed), 1);
    assert_true(changed);
    assert_int_equal(rw_count_op(g, OM_OP_BATCH_NORMALIZATION), 0);
    om_node *c = rw_producer(g, "y");
    assert_int_equal(c->op, OM_OP_CONV);
    t_expect_ints(c, "kernel_shape", S(1, 1));
    double s0 = 4.0 / sqrt(4.0), s1 = 6.0 / sqrt(9.0); /* 2, 2 */
    assert_float_equal(rw_f32(c->inputs[1], 0), 1.0 * s0, 1e-6);
    assert_float_equal(rw_f32(c->inputs[1], 3), 4.0 * s1, 1e-6);
    assert_float_equal(rw_f32(c->inputs[2], 0), (0.5 - 1.0) * s0 + 0.25, 1e-6);
    assert_float_equal(rw_f32(c->inputs[2], 1), (-1.0 + 1.0) * s1 + 0.75, 1e-6);
    om_graph_destroy(g);
}

static void test_gemm_trans_b(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[4,3]\n"
        "  const %w : f32[2,3] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]\n"
        "  const %c : f32[1,2] = [1.0, 2.0]\n"
        "  const %sc : f32[2] = [4.0, 1.0]\n"
        "  const %bb : f32[2] = [0.0, 1.0]\n"
        "  const %m : f32[2] = [0.0, 0.0]\n"
        "  const %v : f32[2] = [1.0, 1.0]\n"
        "  %g : f32[4,2] = Gemm(%x, %w, %c) {transB = 1, beta = 2.0}\n"
        "  %y : f32[4,2] = BatchNormalization(%g, %sc, %bb, %m, %v) {epsilon = 0.0}\n"
        "  output %y\n"
        "}\n");
    assert_int_equal(rw_run(g, "fold-batchnorm", "batchnorms-folded", NULL), 1);
    om_node *n = rw_producer(g, "y");
    assert_int_equal(n->op, OM_OP_GEMM);
    assert_int_equal(om_node_int(n, "transB", 0), 1);
    assert_float_equal(om_node_float(n, "beta", 0.0f), 1.0f, 0);
    assert_float_equal(rw_f32(n->inputs[1], 0), 4.0, 1e-6); /* row 0 scaled by 4 */
    assert_float_equal(rw_f32(n->inputs[1], 3), 2.0, 1e-6); /* row 1 by 1 */
    assert_float_equal(rw_f32(n->inputs[2], 0), 2.0 * 1.0 * 4.0, 1e-6);
    assert_float_equal(rw_f32(n->inputs[2], 1), 2.0 * 2.0 * 1.0 + 1.0, 1e-6);
    om_graph_destroy(g);
}

static void test_not_folded(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[1,2,2,2]\n"
        "  input %mv : f32[2]\n"
        "  const %w : f32[2,2,1,1] = [1.0, 2.0, 3.0, 4.0]\n"
        "  const %p : f32[2] = [1.0, 1.0]\n"
        "  %c : f32[1,2,2,2] = Conv(%x, %w) {kernel_shape = [1, 1]}\n"
        "  %y : f32[1,2,2,2] = BatchNormalization(%c, %p, %p, %p, %p)\n"
        "  %r : f32[1,2,2,2] = Relu(%c)\n"
        "  %c2 : f32[1,2,2,2] = Conv(%x, %w) {kernel_shape = [1, 1]}\n"
        "  %y2 : f32[1,2,2,2] = BatchNormalization(%c2, %p, %p, %mv, %p)\n"
        "  %y3 : f32[1,2,2,2] = BatchNormalization(%x, %p, %p, %p, %p)\n"
        "  output %y, %r, %y2, %y3\n"
        "}\n");
    bool changed = true;
    assert_int_equal(rw_run(g, "fold-batchnorm", "batchnorms-folded", &changed), 0);
    assert_false(changed);
    assert_int_equal(rw_count_op(g, OM_OP_BATCH_NORMALIZATION), 3);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_with_bias),
        cmocka_unit_test(test_gemm_trans_b),
        cmocka_unit_test(test_not_folded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
