/* layernorm-fusion (passes/layernorm_fusion.c): the decomposed pattern with gamma and beta
 * becomes one LayerNormalization with axis, epsilon and the parameters; the pattern over a
 * leading axis and one whose Sub output has a third reader stay. */
#include "tests/unit/passes/rewrite_test_util.h"

#define LN_BODY(AX, EXTRA)                                                  \
    "  %m : f32[2,3,1] = ReduceMean(%x) {axes = [" AX "]}\n"                \
    "  %d : f32[2,3,4] = Sub(%x, %m)\n"                                      \
    "  %p : f32[2,3,4] = Pow(%d, %two)\n"                                    \
    "  %v : f32[2,3,1] = ReduceMean(%p) {axes = [" AX "]}\n"                \
    "  %ve : f32[2,3,1] = Add(%v, %eps)\n"                                   \
    "  %s : f32[2,3,1] = Sqrt(%ve)\n"                                        \
    "  %n : f32[2,3,4] = Div(%d, %s)\n"                                      \
    "  %gm : f32[2,3,4] = Mul(%gamma, %n)\n"                                 \
    "  %y : f32[2,3,4] = Add(%gm, %beta)\n" EXTRA

#define LN_HEAD                                                              \
    "graph \"t\" {\n"                                                        \
    "  input %x : f32[2,3,4]\n"                                              \
    "  const %two : f32[] = [2.0]\n"                                         \
    "  const %eps : f32[1] = [0.001]\n"                                      \
    "  const %gamma : f32[4] = [1.0, 2.0, 3.0, 4.0]\n"                       \
    "  const %beta : f32[1,1,4] = [0.1, 0.2, 0.3, 0.4]\n"

static void test_fuse(void **state) {
    (void)state;
    om_graph *g = rw_parse(LN_HEAD LN_BODY("2", "") "  output %y\n}\n");
    bool changed;
    assert_int_equal(rw_run(g, "layernorm-fusion", "layernorms-fused", &changed), 1);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 1);
    om_node *ln = rw_producer(g, "y");
    assert_int_equal(ln->op, OM_OP_LAYER_NORMALIZATION);
    assert_ptr_equal(ln->inputs[0], om_graph_find_value(g, "x"));
    assert_int_equal(om_node_int(ln, "axis", -9), 2);
    assert_float_equal(om_node_float(ln, "epsilon", 0), 0.001f, 1e-9);
    t_expect_shape(ln->inputs[1], S(4));
    assert_float_equal(rw_f32(ln->inputs[1], 3), 4.0, 0);
    t_expect_shape(ln->inputs[2], S(4));
    assert_float_equal(rw_f32(ln->inputs[2], 2), 0.3f, 0);
    om_graph_destroy(g);
}

static void test_kept(void **state) {
    (void)state;
    /* the Sub output is also a graph output: the pattern must not fire */
    om_graph *g = rw_parse(LN_HEAD LN_BODY("-1", "") "  output %y, %d\n}\n");
    assert_int_equal(rw_run(g, "layernorm-fusion", "layernorms-fused", NULL), 0);
    om_graph_destroy(g);
    /* a third reader of the Sub output */
    g = rw_parse(LN_HEAD LN_BODY("-1", "  %r : f32[2,3,4] = Relu(%d)\n") "  output %y, %r\n}\n");
    assert_int_equal(rw_run(g, "layernorm-fusion", "layernorms-fused", NULL), 0);
    assert_int_equal(rw_count_op(g, OM_OP_LAYER_NORMALIZATION), 0);
    om_graph_destroy(g);
    /* the first mean over axis 1 only: not the trailing axes */
    g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2,3]\n"
        "  const %two : f32[] = [2.0]\n"
        "  const %eps : f32[] = [0.001]\n"
        "  %m : f32[1,3] = ReduceMean(%x) {axes = [0]}\n"
        "  %d : f32[2,3] = Sub(%x, %m)\n"
        "  %p : f32[2,3] = Pow(%d, %two)\n"
        "  %v : f32[1,3] = ReduceMean(%p) {axes = [0]}\n"
        "  %ve : f32[1,3] = Add(%v, %eps)\n"
        "  %s : f32[1,3] = Sqrt(%ve)\n"
        "  %y : f32[2,3] = Div(%d, %s)\n"
        "  output %y\n}\n");
    assert_int_equal(rw_run(g, "layernorm-fusion", "layernorms-fused", NULL), 0);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fuse),
        cmocka_unit_test(test_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
