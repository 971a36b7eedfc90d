/* Constant folding in infer-shapes and fold-constants (passes/fold.c), with a fake evaluator
 * that computes Add and Concat of i64 vectors the plain way (and counts its calls), so the
 * passes are tested without LLVM. */
#include "tests/unit/passes/pass_test_util.h"

typedef struct fake_eval {
    int calls;
    bool fail;
} fake_eval;

static om_status fake_eval_node(void *user, om_graph *g, const om_node *n, void *const *outputs) {
    (void)g;
    fake_eval *fe = user;
    fe->calls++;
    if (fe->fail) return om_error(OM_ERR_UNSUPPORTED, "fake evaluator: refused");
    for (int i = 0; i < n->n_inputs; i++) assert_int_equal(n->inputs[i]->kind, OM_VALUE_CONSTANT);
    int64_t *o = outputs[0];
    if (n->op == OM_OP_ADD) {
        const int64_t *a = n->inputs[0]->data, *b = n->inputs[1]->data;
        for (int64_t i = 0; i < om_shape_numel(&n->outputs[0]->shape); i++) o[i] = a[i] + b[i];
        return OM_OK;
    }
    if (n->op == OM_OP_CONCAT) {
        int64_t k = 0;
        for (int i = 0; i < n->n_inputs; i++) {
            const int64_t *d = n->inputs[i]->data;
            for (int64_t j = 0; j < n->inputs[i]->shape.dims[0]; j++) o[k++] = d[j];
        }
        return OM_OK;
    }
    return om_error(OM_ERR_UNSUPPORTED, "fake evaluator: no %s", om_op_name(n->op));
}

/* x[2,3,4] -> Reshape(x, Concat(Add(c1, c2), c3)) -> y (graph output). */
typedef struct chain {
    om_graph *g;
    om_node *add, *concat, *reshape;
} chain;

static chain make_chain(void) {
    chain c;
    c.g = om_graph_create("fold");
    assert_non_null(c.g);
    om_value *x = t_input(c.g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_value *c1 = t_const_i64(c.g, "c1", 2, (int64_t[]){1, 2});
    om_value *c2 = t_const_i64(c.g, "c2", 2, (int64_t[]){1, 1});
    om_value *c3 = t_const_i64(c.g, "c3", 1, (int64_t[]){-1});
    c.add = t_node(c.g, OM_OP_ADD, "add", (om_value *[]){c1, c2}, 2, "a");
    c.concat = t_node(c.g, OM_OP_CONCAT, "concat", (om_value *[]){c.add->outputs[0], c3}, 2, "shape");
    assert_int_equal(om_node_set_int(c.g, c.concat, "axis", 0), OM_OK);
    c.reshape = t_node(c.g, OM_OP_RESHAPE, "reshape", (om_value *[]){x, c.concat->outputs[0]}, 2, "y");
    assert_int_equal(om_graph_add_output(c.g, c.reshape->outputs[0]), OM_OK);
    return c;
}

static bool has_node(const om_graph *g, const om_node *n) {
    for (size_t k = 0; k < g->n_nodes; k++)
        if (g->nodes[k] == n) return true;
    return false;
}

static void test_chain_folds_in_infer_shapes(void **state) {
    (void)state;
    chain c = make_chain();
    fake_eval fe = {0};
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "infer-shapes", .eval_node = fake_eval_node, .eval_user = &fe};
    bool changed = false;
    om_status s = om_pass_infer_shapes(c.g, &opts, &changed);
    if (s != OM_OK) fail_msg("infer-shapes: %s", om_last_error());
    assert_true(changed);
    assert_int_equal(fe.calls, 2);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-folded"), 2);
    /* the shape value became a constant in place (same name), so Reshape's rule worked */
    om_value *shape = om_graph_find_value(c.g, "shape");
    assert_non_null(shape);
    assert_int_equal(shape->kind, OM_VALUE_CONSTANT);
    assert_null(shape->producer);
    const int64_t *d = shape->data;
    assert_int_equal(shape->nbytes, 3 * sizeof(int64_t));
    assert_int_equal(d[0], 2);
    assert_int_equal(d[1], 3);
    assert_int_equal(d[2], -1);
    t_expect_shape(c.reshape->outputs[0], S(2, 3, 4));
    /* folded nodes are gone, the reshape stays, the graph verifies */
    assert_false(has_node(c.g, c.add));
    assert_false(has_node(c.g, c.concat));
    assert_true(has_node(c.g, c.reshape));
    assert_int_equal(c.g->n_nodes, 1);
    assert_int_equal(om_ir_verify(c.g), OM_OK);
    /* a second run folds nothing and reports no change */
    assert_int_equal(om_pass_infer_shapes(c.g, &opts, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(fe.calls, 2);
    om_stats_destroy(st);
    om_graph_destroy(c.g);
}

static void test_no_evaluator_no_folding(void **state) {
    (void)state;
    chain c = make_chain();
    om_pass_opts opts = {0};
    bool changed = false;
    /* without folding the shape is not constant and Reshape's rule refuses it */
    om_status s = om_pass_infer_shapes(c.g, &opts, &changed);
    assert_int_equal(s, OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "shape"));
    assert_int_equal(c.g->n_nodes, 3);
    om_graph_destroy(c.g);
}

static void test_limit_respected(void **state) {
    (void)state;
    chain c = make_chain();
    fake_eval fe = {0};
    /* Add's output is 16 bytes: over the limit, so nothing downstream folds either */
    om_pass_opts opts = {.eval_node = fake_eval_node, .eval_user = &fe, .fold_limit_bytes = 15};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(c.g, &opts, &changed), OM_ERR_UNSUPPORTED);
    assert_int_equal(fe.calls, 0);
    assert_int_equal(om_graph_find_value(c.g, "a")->kind, OM_VALUE_INTERMEDIATE);
    om_graph_destroy(c.g);
    /* at exactly 16 bytes Add folds; Concat (24 bytes) does not */
    c = make_chain();
    opts.fold_limit_bytes = 16;
    assert_int_equal(om_pass_infer_shapes(c.g, &opts, &changed), OM_ERR_UNSUPPORTED);
    assert_int_equal(fe.calls, 1);
    assert_int_equal(om_graph_find_value(c.g, "a")->kind, OM_VALUE_CONSTANT);
    assert_int_equal(om_graph_find_value(c.g, "shape")->kind, OM_VALUE_INTERMEDIATE);
    om_graph_destroy(c.g);
}

static void test_graph_outputs_kept(void **state) {
    (void)state;
    om_graph *g = om_graph_create("out");
    om_value *c1 = t_const_i64(g, "c1", 2, (int64_t[]){1, 2});
    om_value *c2 = t_const_i64(g, "c2", 2, (int64_t[]){3, 4});
    om_node *add = t_node(g, OM_OP_ADD, "add", (om_value *[]){c1, c2}, 2, "sum");
    om_node *add2 = t_node(g, OM_OP_ADD, "add2", (om_value *[]){add->outputs[0], c2}, 2, "sum2");
    assert_int_equal(om_graph_add_output(g, add->outputs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, add2->outputs[0]), OM_OK);
    fake_eval fe = {0};
    om_pass_opts opts = {.eval_node = fake_eval_node, .eval_user = &fe};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_int_equal(fe.calls, 0);
    assert_int_equal(g->n_nodes, 2);
    assert_int_equal(add->outputs[0]->kind, OM_VALUE_INTERMEDIATE);
    assert_string_equal(g->outputs[0]->name, "sum");
    om_graph_destroy(g);
}

static void test_evaluator_failure_is_not_an_error(void **state) {
    (void)state;
    om_graph *g = om_graph_create("fail");
    om_value *c1 = t_const_i64(g, "c1", 2, (int64_t[]){1, 2});
    om_node *add = t_node(g, OM_OP_ADD, "add", (om_value *[]){c1, c1}, 2, "sum");
    om_node *relu = t_node(g, OM_OP_RELU, "relu", (om_value *[]){add->outputs[0]}, 1, "r");
    assert_int_equal(om_graph_add_output(g, relu->outputs[0]), OM_OK);
    fake_eval fe = {.fail = true};
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "infer-shapes", .eval_node = fake_eval_node, .eval_user = &fe};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_int_equal(fe.calls, 1);
    assert_int_equal(t_stat(st, "infer-shapes", "eval-failed"), 1);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-folded"), 0);
    om_stats_destroy(st);
    assert_int_equal(g->n_nodes, 2);
    assert_int_equal(add->outputs[0]->kind, OM_VALUE_INTERMEDIATE);
    assert_false(add->dead);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_runtime_inputs_block_folding(void **state) {
    (void)state;
    om_graph *g = om_graph_create("rt");
    om_value *x = t_input(g, "x", OM_DT_INT64, S(2));
    om_value *c1 = t_const_i64(g, "c1", 2, (int64_t[]){1, 2});
    om_node *add = t_node(g, OM_OP_ADD, "add", (om_value *[]){x, c1}, 2, "sum");
    om_node *relu = t_node(g, OM_OP_RELU, "relu", (om_value *[]){add->outputs[0]}, 1, "r");
    assert_int_equal(om_graph_add_output(g, relu->outputs[0]), OM_OK);
    fake_eval fe = {0};
    om_pass_opts opts = {.eval_node = fake_eval_node, .eval_user = &fe};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_int_equal(fe.calls, 0);
    assert_int_equal(g->n_nodes, 2);
    om_graph_destroy(g);
}

static void test_fold_constants_pass(void **state) {
    (void)state;
    chain c = make_chain();
    fake_eval fe = {0};
    /* shapes first without folding: the chain's Reshape needs a constant, so use a graph
     * whose last node is a Relu of the folded vector instead */
    om_graph *g = om_graph_create("fc");
    om_value *c1 = t_const_i64(g, "c1", 2, (int64_t[]){1, 2});
    om_value *c2 = t_const_i64(g, "c2", 2, (int64_t[]){10, 20});
    om_node *add = t_node(g, OM_OP_ADD, "add", (om_value *[]){c1, c2}, 2, "sum");
    om_node *cat = t_node(g, OM_OP_CONCAT, "cat", (om_value *[]){add->outputs[0], c1}, 2, "cat_out");
    assert_int_equal(om_node_set_int(g, cat, "axis", 0), OM_OK);
    om_node *relu = t_node(g, OM_OP_RELU, "relu", (om_value *[]){cat->outputs[0]}, 1, "r");
    assert_int_equal(om_graph_add_output(g, relu->outputs[0]), OM_OK);
    om_pass_opts plain = {0};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &plain, &changed), OM_OK);
    assert_int_equal(g->n_nodes, 3);
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "fold-constants", .eval_node = fake_eval_node, .eval_user = &fe};
    assert_non_null(om_pass_find("fold-constants"));
    assert_int_equal(om_pass_fold_constants(g, &opts, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(t_stat(st, "fold-constants", "nodes-folded"), 2);
    assert_int_equal(g->n_nodes, 1);
    assert_ptr_equal(g->nodes[0], relu);
    const int64_t *d = relu->inputs[0]->data;
    assert_int_equal(relu->inputs[0]->kind, OM_VALUE_CONSTANT);
    assert_int_equal(d[0], 11);
    assert_int_equal(d[1], 22);
    assert_int_equal(d[2], 1);
    assert_int_equal(d[3], 2);
    assert_int_equal(om_ir_verify(g), OM_OK);
    /* dce then drops the inputs nothing reads any more */
    assert_int_equal(om_pass_dce(g, &plain, &changed), OM_OK);
    assert_null(om_graph_find_value(g, "c2"));
    assert_int_equal(om_pass_fold_constants(g, &opts, &changed), OM_OK);
    assert_false(changed);
    om_stats_destroy(st);
    om_graph_destroy(g);
    om_graph_destroy(c.g);
}

/* Shape and Size fold without an evaluator (they read only the static shape). */
static void test_shape_folds_without_evaluator(void **state) {
    (void)state;
    om_op shape_op = om_op_lookup("Shape");
    if (shape_op == OM_OP_COUNT) skip();
    om_graph *g = om_graph_create("shape");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *sh = t_node(g, shape_op, "sh", &x, 1, "s");
    om_node *rs = t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, sh->outputs[0]}, 2, "y");
    assert_int_equal(om_graph_add_output(g, rs->outputs[0]), OM_OK);
    om_pass_opts opts = {0};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_int_equal(g->n_nodes, 1);
    const int64_t *d = om_graph_find_value(g, "s")->data;
    assert_int_equal(d[0], 2);
    assert_int_equal(d[1], 3);
    assert_int_equal(d[2], 4);
    t_expect_shape(rs->outputs[0], S(2, 3, 4));
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_folds_in_infer_shapes),
        cmocka_unit_test(test_no_evaluator_no_folding),
        cmocka_unit_test(test_limit_respected),
        cmocka_unit_test(test_graph_outputs_kept),
        cmocka_unit_test(test_evaluator_failure_is_not_an_error),
        cmocka_unit_test(test_runtime_inputs_block_folding),
        cmocka_unit_test(test_fold_constants_pass),
        cmocka_unit_test(test_shape_folds_without_evaluator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
