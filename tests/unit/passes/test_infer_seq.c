/* Tests for the seq group's shape rules (passes/infer/seq_ops.c): RNN/GRU/LSTM output
 * shapes for both layouts and directions, hidden_size from R, weight shape checks;
 * DFT axis/onesided/dft_length; STFT frames and bins, constant frame_step; windows and
 * MelWeightMatrix requiring constant sizes; TfIdfVectorizer width, pool consistency and the
 * string-pool refusal. Each error names the node. */
#include "pass_test_util.h"

static om_status run(om_graph *g) {
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
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

static om_value *scalar_i64(om_graph *g, const char *name, int64_t v) {
    om_shape s = om_shape_scalar();
    om_value *c = om_graph_add_constant(g, name, OM_DT_INT64, &s, &v, sizeof v);
    assert_non_null(c);
    return c;
}

static void test_rnn_shapes(void **state) {
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *in[8] = {t_input(g, "x", OM_DT_FLOAT, S(5, 2, 3)), t_input(g, "w", OM_DT_FLOAT, S(2, 16, 3)),
                       t_input(g, "r", OM_DT_FLOAT, S(2, 16, 4)), t_input(g, "b", OM_DT_FLOAT, S(2, 32)),
                       t_input(g, "sl", OM_DT_INT32, S(2)), NULL, NULL, t_input(g, "p", OM_DT_FLOAT, S(2, 12))};
    om_node *n = node_n(g, OM_OP_LSTM, "lstm", in, 8, 3);
    assert_int_equal(om_node_set_string(g, n, "direction", "bidirectional"), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(5, 2, 2, 4));
    t_expect_shape(n->outputs[1], S(2, 2, 4));
    t_expect_shape(n->outputs[2], S(2, 2, 4));
    assert_int_equal(om_node_int(n, "hidden_size", 0), 4);
    om_graph_destroy(g);

    /* layout 1: X [B,T,I] -> Y [B,T,D,H], Y_h [B,D,H] */
    g = om_graph_create("t");
    om_value *gi[3] = {t_input(g, "x", OM_DT_FLOAT, S(3, 7, 2)), t_input(g, "w", OM_DT_FLOAT, S(1, 18, 2)),
                       t_input(g, "r", OM_DT_FLOAT, S(1, 18, 6))};
    n = node_n(g, OM_OP_GRU, "gru", gi, 3, 2);
    assert_int_equal(om_node_set_int(g, n, "layout", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "hidden_size", 6), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(3, 7, 1, 6));
    t_expect_shape(n->outputs[1], S(3, 1, 6));
    om_graph_destroy(g);

    /* W with the wrong gate count */
    g = om_graph_create("t");
    om_value *ri[3] = {t_input(g, "x", OM_DT_FLOAT, S(2, 1, 2)), t_input(g, "w", OM_DT_FLOAT, S(1, 8, 2)),
                       t_input(g, "r", OM_DT_FLOAT, S(1, 4, 4))};
    node_n(g, OM_OP_RNN, "rnn", ri, 3, 2);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'rnn' (RNN): input 1 'w' has shape [1,8,2], expected [1,4,2]");
    om_graph_destroy(g);

    g = om_graph_create("t");
    om_value *di[3] = {t_input(g, "x", OM_DT_FLOAT, S(2, 1, 2)), t_input(g, "w", OM_DT_FLOAT, S(1, 4, 2)),
                       t_input(g, "r", OM_DT_FLOAT, S(1, 4, 4))};
    n = node_n(g, OM_OP_RNN, "rnn", di, 3, 2);
    assert_int_equal(om_node_set_string(g, n, "direction", "sideways"), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'rnn' (RNN): direction 'sideways'");
    om_graph_destroy(g);
}

static void test_dft_shapes(void **state) {
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 10, 4, 1));
    om_node *a = t_node(g, OM_OP_DFT, "a", &x, 1, "ya");
    om_value *in[2] = {x, scalar_i64(g, "len", 16)};
    om_node *b = t_node(g, OM_OP_DFT, "b", in, 2, "yb");
    assert_int_equal(om_node_set_int(g, b, "onesided", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, b, "axis", -2), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 10, 4, 2));
    t_expect_shape(b->outputs[0], S(2, 10, 9, 2));
    assert_int_equal(om_node_int(b, "axis", 99), 2);
    assert_int_equal(om_node_int(b, "dft_length", 0), 16);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 10, 1));
    om_value *in2[2] = {x, t_input(g, "len", OM_DT_INT64, om_shape_scalar())};
    t_node(g, OM_OP_DFT, "d", in2, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'd' (DFT): input 1 ('len') must be a compile-time constant");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 10, 3));
    t_node(g, OM_OP_DFT, "d", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "last dim 1 or 2");
    om_graph_destroy(g);
}

static void test_stft_shapes(void **state) {
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *in[4] = {t_input(g, "s", OM_DT_FLOAT, S(1, 128, 1)), scalar_i64(g, "step", 8), NULL,
                       scalar_i64(g, "flen", 16)};
    om_node *n = t_node(g, OM_OP_STFT, "stft", in, 4, "y");
    om_value *in2[3] = {t_input(g, "s2", OM_DT_FLOAT, S(2, 100, 2)), scalar_i64(g, "step2", 10),
                        t_input(g, "win", OM_DT_FLOAT, S(20))};
    om_node *m = t_node(g, OM_OP_STFT, "stft2", in2, 3, "y2");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(1, 15, 9, 2));
    t_expect_shape(m->outputs[0], S(2, 9, 20, 2)); /* complex: not onesided */
    om_graph_destroy(g);

    g = om_graph_create("t");
    om_value *in3[4] = {t_input(g, "s", OM_DT_FLOAT, S(1, 128, 1)), t_input(g, "step", OM_DT_INT64, om_shape_scalar()),
                        NULL, scalar_i64(g, "flen", 16)};
    t_node(g, OM_OP_STFT, "stft", in3, 4, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "input 1 ('step') must be a compile-time constant");
    om_graph_destroy(g);
}

static void test_window_shapes(void **state) {
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *sz = t_input(g, "size", OM_DT_INT32, om_shape_scalar());
    t_node(g, OM_OP_HANN_WINDOW, "hann", &sz, 1, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED,
                   "node 'hann' (HannWindow): input 0 ('size') must be a compile-time constant: it determines the output shape");
    om_graph_destroy(g);

    g = om_graph_create("t");
    om_value *in[5] = {scalar_i64(g, "bins", 8), scalar_i64(g, "dlen", 16), scalar_i64(g, "rate", 8000),
                       t_input(g, "lo", OM_DT_FLOAT, om_shape_scalar()), t_input(g, "hi", OM_DT_FLOAT, om_shape_scalar())};
    t_node(g, OM_OP_MEL_WEIGHT_MATRIX, "mel", in, 5, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'mel' (MelWeightMatrix): input 3 ('lo') must be a compile-time constant");
    om_graph_destroy(g);
}

static void test_tfidf_shapes(void **state) {
    (void)state;
    static const int64_t pool[] = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7}, counts[] = {0, 4}, idx[] = {0, 1, 2, 3, 4, 5, 9};
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_INT32, S(2, 6));
    om_node *n = t_node(g, OM_OP_TF_IDF_VECTORIZER, "tf", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, n, "pool_int64s", pool, 10), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_counts", counts, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_indexes", idx, 7), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "min_gram_length", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_gram_length", 2), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "mode", "TF"), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 10));
    assert_int_equal(n->outputs[0]->dtype, OM_DT_FLOAT);
    om_graph_destroy(g);

    /* 6 indexes for 7 n-grams */
    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_INT64, S(12));
    n = t_node(g, OM_OP_TF_IDF_VECTORIZER, "tf", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, n, "pool_int64s", pool, 10), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_counts", counts, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_indexes", idx, 6), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "min_gram_length", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_gram_length", 2), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "mode", "TF"), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'tf' (TfIdfVectorizer): the pool holds 7 n-grams but ngram_indexes has 6");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_INT64, S(12));
    n = t_node(g, OM_OP_TF_IDF_VECTORIZER, "tf", &x, 1, "y");
    const char *sp[2] = {"a", "b"};
    assert_int_equal(om_node_set_strings(g, n, "pool_strings", sp, 2), OM_OK);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "pool_strings are not supported");
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn_shapes),   cmocka_unit_test(test_dft_shapes),
        cmocka_unit_test(test_stft_shapes),  cmocka_unit_test(test_window_shapes),
        cmocka_unit_test(test_tfidf_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
