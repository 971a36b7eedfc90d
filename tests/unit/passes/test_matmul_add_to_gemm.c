/* matmul-add-to-gemm (passes/matmul_add_to_gemm.c): a 2-D MatMul + row bias becomes a Gemm
 * writing the Add's value; a batched A, a column bias and a shared MatMul output stay. */
#include "tests/unit/passes/rewrite_test_util.h"

static void test_fuse(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %a : f32[4,3]\n"
        "  input %b : f32[3,2]\n"
        "  const %bias : f32[] = [0.5]\n"
        "  %m : f32[4,2] = MatMul(%a, %b)\n"
        "  %y : f32[4,2] = Add(%m, %bias)\n"
        "  output %y\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "matmul-add-to-gemm", "gemms-formed", &changed), 1);
    assert_true(changed);
    om_node *n = rw_producer(g, "y");
    assert_int_equal(n->op, OM_OP_GEMM);
    assert_ptr_equal(n->inputs[1], om_graph_find_value(g, "b"));
    t_expect_shape(n->inputs[2], S(2));
    assert_float_equal(rw_f32(n->inputs[2], 1), 0.5, 0);
    assert_int_equal(g->n_nodes, 1);
    om_graph_destroy(g);
}

static void test_kept(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %a3 : f32[1,4,3]\n"
        "  input %a : f32[4,3]\n"
        "  const %b : f32[3,2] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]\n"
        "  const %bias : f32[2] = [0.5, -0.5]\n"
        "  const %col : f32[4,1] = [1.0, 2.0, 3.0, 4.0]\n"
        "  %m3 : f32[1,4,2] = MatMul(%a3, %b)\n"
        "  %y3 : f32[1,4,2] = Add(%m3, %bias)\n"
        "  %m : f32[4,2] = MatMul(%a, %b)\n"
        "  %y : f32[4,2] = Add(%m, %col)\n"
        "  %n : f32[4,2] = MatMul(%a, %b)\n"
        "  %z : f32[4,2] = Add(%n, %bias)\n"
        "  output %y3, %y, %z, %n\n"
        "}\n");
    assert_int_equal(rw_run(g, "matmul-add-to-gemm", "gemms-formed", NULL), 0);
    assert_int_equal(rw_count_op(g, OM_OP_GEMM), 0);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuse),
        cmocka_unit_test(test_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
