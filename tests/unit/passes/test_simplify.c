/* simplify (passes/simplify.c): forwarding of no-op ops, Transpose composition, Reshape
 * chains, neutral Mul/Add, and the cases that must stay (graph outputs, widening broadcast,
 * dtype-changing Cast, Div with the one as dividend). */
#include "tests/unit/passes/rewrite_test_util.h"

static void test_noops_forwarded(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2,3]\n"
        "  const %one : f32[1] = [1.0]\n"
        "  const %zero : f32[] = [0.0]\n"
        "  const %pads : i64[4] = [0, 0, 0, 0]\n"
        "  %a : f32[2,3] = Identity(%x)\n"
        "  %b : f32[2,3] = Cast(%a) {to = 1}\n"
        "  %c : f32[2,3] = Pad(%b, %pads)\n"
        "  %d : f32[2,3] = Div(%c, %one)\n"
        "  %e : f32[2,3] = Sub(%d, %zero)\n"
        "  %y : f32[2,3] = Relu(%e)\n"
        "  output %y\n"
        "}\n");
    bool changed;
    assert_int_equal(rw_run(g, "simplify", "nodes-forwarded", &changed), 5);
    assert_true(changed);
    assert_int_equal(g->n_nodes, 1);
    assert_ptr_equal(rw_producer(g, "y")->inputs[0], om_graph_find_value(g, "x"));
    om_graph_destroy(g);
}

static void test_transpose_compose(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2,3,4]\n"
        "  %a : f32[3,4,2] = Transpose(%x) {perm = [1, 2, 0]}\n"
        "  %y : f32[4,3,2] = Transpose(%a) {perm = [1, 0, 2]}\n"
        "  %b : f32[2,4,3] = Transpose(%x) {perm = [0, 2, 1]}\n"
        "  %z : f32[2,3,4] = Transpose(%b) {perm = [0, 2, 1]}\n"
        "  %w : f32[2,3,4] = Neg(%z)\n"
        "  output %y, %w\n"
        "}\n");
    assert_int_equal(rw_run(g, "simplify", "transposes-composed", NULL), 2);
    om_node *t = rw_producer(g, "y");
    assert_int_equal(t->op, OM_OP_TRANSPOSE);
    assert_ptr_equal(t->inputs[0], om_graph_find_value(g, "x"));
    t_expect_ints(t, "perm", S(2, 1, 0));
    assert_ptr_equal(rw_producer(g, "w")->inputs[0], om_graph_find_value(g, "x"));
    assert_int_equal(rw_count_op(g, OM_OP_TRANSPOSE), 1);
    om_graph_destroy(g);
}

static void test_reshape_chain(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[2,3,4]\n"
        "  const %s1 : i64[2] = [6, 4]\n"
        "  %a : f32[6,4] = Reshape(%x, %s1)\n"
        "  %y : f32[1,24] = Flatten(%a) {axis = 0}\n"
        "  output %y\n"
        "}\n");
    assert_int_equal(rw_run(g, "simplify", "reshapes-merged", NULL), 1);
    om_node *r = rw_producer(g, "y");
    assert_int_equal(r->op, OM_OP_RESHAPE);
    assert_ptr_equal(r->inputs[0], om_graph_find_value(g, "x"));
    assert_int_equal(om_shape_numel(&r->inputs[1]->shape), 2);
    assert_int_equal(rw_count_op(g, OM_OP_FLATTEN), 0);
    om_graph_destroy(g);
}

static void test_kept(void **state) {
    (void)state;
    om_graph *g = rw_parse(
        "graph \"t\" {\n"
        "  input %x : f32[3]\n"
        "  const %ones : f32[2,3] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n"
        "  const %one : f32[] = [1.0]\n"
        "  %w : f32[2,3] = Mul(%x, %ones)\n"
        "  %d : f32[3] = Div(%one, %x)\n"
        "  %c : i64[3] = Cast(%d) {to = 7}\n"
        "  %o : f32[2,3] = Identity(%w)\n"
        "  output %o, %c\n"
        "}\n");
    bool changed = true;
    assert_int_equal(rw_run(g, "simplify", "nodes-forwarded", &changed), 0);
    assert_false(changed);
    assert_int_equal(g->n_nodes, 4);
    om_graph_destroy(g);
}

static void test_null(void **state) {
    (void)state;
    bool changed;
    assert_int_equal(om_pass_simplify(NULL, NULL, &changed), OM_ERR_INVALID_ARGUMENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noops_forwarded), cmocka_unit_test(test_transpose_compose),
        cmocka_unit_test(test_reshape_chain), cmocka_unit_test(test_kept), cmocka_unit_test(test_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
