/* Tests for the norm group's shape rules (passes/infer/norm_ops.c, the softmax family in
 * passes/infer/norm.c): LayerNormalization axes, broadcasting Scale/B, Mean/InvStdDev
 * shapes and stash_type dtype; InstanceNormalization channel checks; MVN default and
 * normalized axes; LRN size; loss output shapes per reduction, target/weight checks;
 * LogSoftmax/Hardmax axis defaults; BatchNormalization's training-mode outputs. Each error
 * names the node. */
#include "pass_test_util.h"

static om_status run(om_graph *g) {
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static om_graph *new_graph(void) {
    om_graph *g = om_graph_create("t");
    assert_non_null(g);
    return g;
}

static om_node *node_n(om_graph *g, om_op op, const char *name, om_value *const *ins, int n_in, int n_out) {
    om_value *outs[3];
    char nm[64];
    for (int i = 0; i < n_out; i++) {
        snprintf(nm, sizeof(nm), "%s_out%d", name, i);
        outs[i] = t_value(g, nm);
    }
    om_node *n = om_graph_add_node(g, op, name, ins, n_in, outs, n_out);
    assert_non_null(n);
    return n;
}

static void test_softmax_family(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *a = t_node(g, OM_OP_LOG_SOFTMAX, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_HARDMAX, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_int(g, b, "coerce_2d", 1), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 3, 4));
    t_expect_shape(b->outputs[0], S(2, 3, 4));
    assert_int_equal(om_node_int(a, "axis", 99), -1);
    assert_int_equal(om_node_int(b, "axis", 99), 1);
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_INT32, S(2, 3));
    t_node(g, OM_OP_HARDMAX, "hm", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'hm' (Hardmax): input 0 'x' has dtype i32");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, om_shape_scalar());
    t_node(g, OM_OP_LOG_SOFTMAX, "ls", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'ls' (LogSoftmax): input 0 'x' is a scalar; LogSoftmax needs");
    om_graph_destroy(g);
}

static void test_layer_norm(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_value *s = t_input(g, "s", OM_DT_FLOAT, S(4, 5)), *b = t_input(g, "b", OM_DT_FLOAT, S(1, 5));
    om_node *n = node_n(g, OM_OP_LAYER_NORMALIZATION, "ln", (om_value *[]){x, s, b}, 3, 3);
    assert_int_equal(om_node_set_int(g, n, "axis", -2), OM_OK);
    om_value *s2 = t_input(g, "s2", OM_DT_FLOAT, S(5));
    om_node *d = node_n(g, OM_OP_LAYER_NORMALIZATION, "dflt", (om_value *[]){x, s2}, 2, 2);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 3, 4, 5));
    t_expect_shape(n->outputs[1], S(2, 3, 1, 1));
    t_expect_shape(n->outputs[2], S(2, 3, 1, 1));
    assert_int_equal(n->outputs[2]->dtype, OM_DT_FLOAT);
    assert_int_equal(om_node_int(n, "axis", 99), 2);
    t_expect_shape(d->outputs[1], S(2, 3, 4, 1));
    assert_int_equal(om_node_int(d, "axis", 99), 3);
    om_graph_destroy(g);

    /* stash_type sets the statistics' dtype */
    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT16, S(3, 4));
    s = t_input(g, "s", OM_DT_FLOAT16, S(4));
    n = node_n(g, OM_OP_LAYER_NORMALIZATION, "ln", (om_value *[]){x, s}, 2, 2);
    assert_int_equal(om_node_set_int(g, n, "stash_type", OM_DT_DOUBLE), OM_OK);
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n->outputs[0]->dtype, OM_DT_FLOAT16);
    assert_int_equal(n->outputs[1]->dtype, OM_DT_DOUBLE);
    om_graph_destroy(g);

    /* Scale that does not broadcast to the normalized dims */
    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    s = t_input(g, "s", OM_DT_FLOAT, S(3));
    node_n(g, OM_OP_LAYER_NORMALIZATION, "ln", (om_value *[]){x, s}, 2, 1);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL,
                   "node 'ln' (LayerNormalization): input 1 's' [3] does not broadcast to the normalized shape [4]");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    s = t_input(g, "s", OM_DT_FLOAT, S(3));
    n = node_n(g, OM_OP_LAYER_NORMALIZATION, "ln", (om_value *[]){x, s}, 2, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'ln' (LayerNormalization): attribute axis=2 is out of range");
    om_graph_destroy(g);
}

static void test_instance_norm(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_value *s = t_const_f32(g, "s", S(3)), *b = t_const_f32(g, "b", S(3));
    om_node *n = t_node(g, OM_OP_INSTANCE_NORMALIZATION, "in", (om_value *[]){x, s, b}, 3, "y");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 3, 4, 5));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    s = t_const_f32(g, "s", S(3));
    b = t_const_f32(g, "b", S(4));
    t_node(g, OM_OP_INSTANCE_NORMALIZATION, "in", (om_value *[]){x, s, b}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL,
                   "node 'in' (InstanceNormalization): input 2 'b' (B) has 4 elements, expected C=3");
    om_graph_destroy(g);
}

static void test_mvn(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_node *a = t_node(g, OM_OP_MEAN_VARIANCE_NORMALIZATION, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_MEAN_VARIANCE_NORMALIZATION, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_ints(g, b, "axes", DIMS(-1, 1), 2), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 3, 4, 5));
    t_expect_ints(a, "axes", S(0, 2, 3));
    t_expect_ints(b, "axes", S(1, 3));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    a = t_node(g, OM_OP_MEAN_VARIANCE_NORMALIZATION, "mvn", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, a, "axes", DIMS(1, -3), 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'mvn' (MeanVarianceNormalization): attribute axes names axis 1 twice");
    om_graph_destroy(g);
}

static void test_lrn(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 8, 5, 5));
    om_node *n = t_node(g, OM_OP_LRN, "lrn", &x, 1, "y");
    assert_int_equal(om_node_set_int(g, n, "size", 3), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(1, 8, 5, 5));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 8, 5, 5));
    t_node(g, OM_OP_LRN, "lrn", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'lrn' (LRN): the integer attribute 'size' is required");
    om_graph_destroy(g);
}

static void test_loss(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(3, 5, 6, 7));
    om_value *t = t_input(g, "t", OM_DT_INT64, S(3, 6, 7)), *w = t_input(g, "w", OM_DT_FLOAT, S(5));
    om_node *none = node_n(g, OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS, "none", (om_value *[]){x, t, w}, 3, 1);
    assert_int_equal(om_node_set_string(g, none, "reduction", "none"), OM_OK);
    om_node *mean = node_n(g, OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, "mean", (om_value *[]){x, t}, 2, 2);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(none->outputs[0], S(3, 6, 7));
    assert_int_equal(mean->outputs[0]->shape.rank, 0);
    assert_string_equal(om_node_string(mean, "reduction", ""), "mean");
    t_expect_shape(mean->outputs[1], S(3, 5, 6, 7));
    assert_int_equal(mean->outputs[1]->dtype, OM_DT_FLOAT);
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 5, 6));
    t = t_input(g, "t", OM_DT_INT64, S(3, 5));
    t_node(g, OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS, "nll", (om_value *[]){x, t}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL,
                   "node 'nll' (NegativeLogLikelihoodLoss): input 1 't' [3,5]: expected the shape of input 0 'x' [3,5,6] without dim 1");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 5));
    t = t_input(g, "t", OM_DT_FLOAT, S(3));
    t_node(g, OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS, "nll", (om_value *[]){x, t}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 1 't' has dtype f32, expected i32 or i64");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 5));
    t = t_input(g, "t", OM_DT_INT32, S(3));
    w = t_input(g, "w", OM_DT_FLOAT, S(4));
    om_node *n = t_node(g, OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, "sce", (om_value *[]){x, t, w}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'sce' (SoftmaxCrossEntropyLoss): input 2 'w' has 4 elements, expected C=5");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 5));
    t = t_input(g, "t", OM_DT_INT32, S(3));
    n = t_node(g, OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, "sce", (om_value *[]){x, t}, 2, "y");
    assert_int_equal(om_node_set_string(g, n, "reduction", "max"), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute reduction='max', expected none, sum or mean");
    om_graph_destroy(g);
}

static void test_batch_norm_training(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_value *p[4];
    static const char *const names[4] = {"scale", "B", "mean", "var"};
    for (int i = 0; i < 4; i++) p[i] = t_input(g, names[i], OM_DT_FLOAT, S(3));
    om_node *n = node_n(g, OM_OP_BATCH_NORMALIZATION, "bn", (om_value *[]){x, p[0], p[1], p[2], p[3]}, 5, 3);
    assert_int_equal(om_node_set_int(g, n, "training_mode", 1), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 3, 4, 5));
    t_expect_shape(n->outputs[1], S(3));
    t_expect_shape(n->outputs[2], S(3));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    for (int i = 0; i < 4; i++) p[i] = t_input(g, names[i], OM_DT_FLOAT, S(3));
    node_n(g, OM_OP_BATCH_NORMALIZATION, "bn", (om_value *[]){x, p[0], p[1], p[2], p[3]}, 5, 3);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'bn' (BatchNormalization): 3 outputs with training_mode = 0");
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax_family), cmocka_unit_test(test_layer_norm), cmocka_unit_test(test_instance_norm),
        cmocka_unit_test(test_mvn),           cmocka_unit_test(test_lrn),        cmocka_unit_test(test_loss),
        cmocka_unit_test(test_batch_norm_training),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
