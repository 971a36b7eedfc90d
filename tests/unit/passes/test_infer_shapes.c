/* Tests for passes/infer_shapes.c and the rules in passes/infer/: per op family, the
 * inferred dtype and shape of normal cases and each error (named by node), input pins,
 * the require_static message, window-attribute canonicalization, declared output types. */
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

/* ---- elementwise ---------------------------------------------------------------- */

static void test_binary_broadcast(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2, 3, 4));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(3, 1));
    om_value *c = t_input(g, "c", OM_DT_FLOAT, S(5, 1, 1, 1));
    om_node *n1 = t_node(g, OM_OP_ADD, "add", (om_value *[]){a, b}, 2, "y");
    om_node *n2 = t_node(g, OM_OP_MUL, "mul", (om_value *[]){c, n1->outputs[0]}, 2, "z");
    om_value *s = t_input(g, "s", OM_DT_FLOAT, om_shape_scalar());
    om_node *n3 = t_node(g, OM_OP_DIV, "div", (om_value *[]){s, b}, 2, "w");
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(n1->outputs[0]->dtype, OM_DT_FLOAT);
    t_expect_shape(n1->outputs[0], S(2, 3, 4));
    t_expect_shape(n2->outputs[0], S(5, 2, 3, 4));
    t_expect_shape(n3->outputs[0], S(3, 1));
    om_graph_destroy(g);
}

static void test_binary_unknown_dims(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(U, 1, 4));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(U, 7, 1));
    a->shape.syms[0] = "batch";
    b->shape.syms[0] = "batch";
    om_value *c = t_input(g, "c", OM_DT_FLOAT, S(U));
    om_value *d = t_input(g, "d", OM_DT_FLOAT, S(6));
    om_node *n = t_node(g, OM_OP_SUB, "sub", (om_value *[]){a, b}, 2, "y");
    om_node *m = t_node(g, OM_OP_ADD, "add", (om_value *[]){c, d}, 2, "z");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(U, 7, 4));
    assert_non_null(n->outputs[0]->shape.syms[0]);
    assert_string_equal(n->outputs[0]->shape.syms[0], "batch");
    t_expect_shape(m->outputs[0], S(6)); /* the unknown side must be 1 or 6 */
    om_graph_destroy(g);
}

static void test_binary_errors(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(4, 3, 2));
    t_node(g, OM_OP_ADD, "bad_add", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'bad_add' (Add)");
    assert_non_null(strstr(om_last_error(), "not broadcast-compatible"));
    assert_non_null(strstr(om_last_error(), "[2,3]"));
    assert_non_null(strstr(om_last_error(), "[4,3,2]"));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2));
    b = t_input(g, "b", OM_DT_INT64, S(2));
    t_node(g, OM_OP_MUL, "m", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 1 'b' has dtype i64, expected f32");
    om_graph_destroy(g);
}

static void test_unary_and_clip(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 8));
    x->shape.syms[0] = "n";
    om_value *lo = t_input(g, "lo", OM_DT_FLOAT, om_shape_scalar());
    om_value *hi = t_input(g, "hi", OM_DT_FLOAT, S(1));
    om_node *r = t_node(g, OM_OP_RELU, "r", &x, 1, "r_out");
    om_node *s = t_node(g, OM_OP_SIGMOID, "s", &r->outputs[0], 1, "s_out");
    om_node *t = t_node(g, OM_OP_TANH, "t", &s->outputs[0], 1, "t_out");
    om_node *c = t_node(g, OM_OP_CLIP, "c", (om_value *[]){t->outputs[0], lo, hi}, 3, "c_out");
    om_node *c2 = t_node(g, OM_OP_CLIP, "c2", (om_value *[]){x, NULL, hi}, 3, "c2_out");
    om_value *i = t_input(g, "i", OM_DT_INT32, S(3));
    om_node *id = t_node(g, OM_OP_IDENTITY, "id", &i, 1, "id_out");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(c->outputs[0], S(U, 8));
    assert_string_equal(c->outputs[0]->shape.syms[0], "n");
    t_expect_shape(c2->outputs[0], S(U, 8));
    assert_int_equal(id->outputs[0]->dtype, OM_DT_INT32);
    t_expect_shape(id->outputs[0], S(3));
    om_graph_destroy(g);

    g = new_graph();
    i = t_input(g, "i", OM_DT_INT32, S(3));
    t_node(g, OM_OP_SIGMOID, "sig", &i, 1, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'sig' (Sigmoid): input 0 'i' has dtype i32");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(4));
    lo = t_input(g, "lo", OM_DT_FLOAT, S(2));
    t_node(g, OM_OP_CLIP, "clip", (om_value *[]){x, lo}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 1 'lo' (min) must be a scalar, found shape [2]");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(4));
    hi = t_input(g, "hi", OM_DT_DOUBLE, om_shape_scalar());
    t_node(g, OM_OP_CLIP, "clip", (om_value *[]){x, NULL, hi}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 2 'hi' has dtype f64, expected f32");
    om_graph_destroy(g);
}

/* ---- linalg --------------------------------------------------------------------- */

static void test_matmul(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(3, 4));
    om_value *v = t_input(g, "v", OM_DT_FLOAT, S(3));
    om_value *ba = t_input(g, "ba", OM_DT_FLOAT, S(5, 1, 2, 3));
    om_value *bb = t_input(g, "bb", OM_DT_FLOAT, S(4, 3, 6));
    om_node *m1 = t_node(g, OM_OP_MATMUL, "m1", (om_value *[]){a, b}, 2, "y1");
    om_node *m2 = t_node(g, OM_OP_MATMUL, "m2", (om_value *[]){v, b}, 2, "y2");
    om_node *m3 = t_node(g, OM_OP_MATMUL, "m3", (om_value *[]){a, v}, 2, "y3");
    om_node *m4 = t_node(g, OM_OP_MATMUL, "m4", (om_value *[]){v, v}, 2, "y4");
    om_node *m5 = t_node(g, OM_OP_MATMUL, "m5", (om_value *[]){ba, bb}, 2, "y5");
    om_value *w = t_input(g, "w", OM_DT_FLOAT, S(6));
    om_node *m6 = t_node(g, OM_OP_MATMUL, "m6", (om_value *[]){bb, w}, 2, "y6");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(m1->outputs[0], S(2, 4));
    t_expect_shape(m2->outputs[0], S(4));
    t_expect_shape(m3->outputs[0], S(2));
    t_expect_shape(m4->outputs[0], om_shape_scalar());
    t_expect_shape(m5->outputs[0], S(5, 4, 2, 6));
    t_expect_shape(m6->outputs[0], S(4, 3));
    om_graph_destroy(g);
}

static void test_matmul_errors(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(4, 5));
    t_node(g, OM_OP_MATMUL, "mm", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'mm' (MatMul): inner dims do not match");
    assert_non_null(strstr(om_last_error(), "K=3"));
    assert_non_null(strstr(om_last_error(), "K=4"));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 2, 3));
    b = t_input(g, "b", OM_DT_FLOAT, S(3, 3, 5));
    t_node(g, OM_OP_MATMUL, "mm", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "batch dims");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, om_shape_scalar());
    b = t_input(g, "b", OM_DT_FLOAT, S(3));
    t_node(g, OM_OP_MATMUL, "mm", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 0 'a' is a scalar");
    om_graph_destroy(g);
}

static void test_gemm(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(4, 3));   /* transA: M=3, K=4 */
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(5, 4));   /* transB: K=4, N=5 */
    om_value *c = t_input(g, "c", OM_DT_FLOAT, S(5));
    om_node *n = t_node(g, OM_OP_GEMM, "fc", (om_value *[]){a, b, c}, 3, "y");
    assert_int_equal(om_node_set_int(g, n, "transA", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "transB", 1), OM_OK);
    om_value *a2 = t_input(g, "a2", OM_DT_FLOAT, S(U, 4));
    om_value *b2 = t_input(g, "b2", OM_DT_FLOAT, S(4, 7));
    om_value *c2 = t_input(g, "c2", OM_DT_FLOAT, S(1, 1));
    om_node *n2 = t_node(g, OM_OP_GEMM, "fc2", (om_value *[]){a2, b2, c2}, 3, "y2");
    om_node *n3 = t_node(g, OM_OP_GEMM, "fc3", (om_value *[]){a2, b2}, 2, "y3");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(3, 5));
    t_expect_shape(n2->outputs[0], S(U, 7));
    t_expect_shape(n3->outputs[0], S(U, 7));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    b = t_input(g, "b", OM_DT_FLOAT, S(3, 5));
    c = t_input(g, "c", OM_DT_FLOAT, S(2, 4));
    t_node(g, OM_OP_GEMM, "fc", (om_value *[]){a, b, c}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 2 'c' [2,4] is not unidirectionally broadcastable to [2,5]");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3, 1));
    b = t_input(g, "b", OM_DT_FLOAT, S(3, 5));
    t_node(g, OM_OP_GEMM, "fc", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 0 'a': expected rank 2, found rank 3");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    b = t_input(g, "b", OM_DT_FLOAT, S(3, 5));
    n = t_node(g, OM_OP_GEMM, "fc", (om_value *[]){a, b}, 2, "y");
    assert_int_equal(om_node_set_int(g, n, "transB", 1), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "inner dims do not match");
    om_graph_destroy(g);
}

/* ---- conv and pools ------------------------------------------------------------- */

static void test_conv_basic(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 32, 32));
    om_value *w = t_const_f32(g, "w", S(8, 3, 3, 3));
    om_value *b = t_const_f32(g, "b", S(8));
    om_node *c1 = t_node(g, OM_OP_CONV, "c1", (om_value *[]){x, w, b}, 3, "y1");
    assert_int_equal(om_node_set_ints(g, c1, "pads", DIMS(1, 1, 1, 1), 4), OM_OK);
    om_node *c2 = t_node(g, OM_OP_CONV, "c2", (om_value *[]){x, w}, 2, "y2");
    assert_int_equal(om_node_set_ints(g, c2, "strides", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, c2, "dilations", DIMS(2, 1), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, c2, "pads", DIMS(0, 1, 2, 0), 4), OM_OK);
    /* depthwise: group = C */
    om_value *dw = t_const_f32(g, "dw", S(3, 1, 5, 5));
    om_node *c3 = t_node(g, OM_OP_CONV, "c3", (om_value *[]){x, dw}, 2, "y3");
    assert_int_equal(om_node_set_int(g, c3, "group", 3), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(c1->outputs[0], S(1, 8, 32, 32));
    /* H: eff 5, (32+0+2-5)/2+1 = 15; W: eff 3, (32+1+0-3)/2+1 = 16 */
    t_expect_shape(c2->outputs[0], S(1, 8, 15, 16));
    t_expect_shape(c3->outputs[0], S(1, 3, 28, 28));
    /* canonical: every window attribute explicit */
    t_expect_ints(c1, "kernel_shape", S(3, 3));
    t_expect_ints(c1, "strides", S(1, 1));
    t_expect_ints(c1, "dilations", S(1, 1));
    t_expect_ints(c1, "pads", S(1, 1, 1, 1));
    t_expect_ints(c3, "pads", S(0, 0, 0, 0));
    om_graph_destroy(g);
}

static void test_conv_1d_3d(void **state) {
    om_graph *g = new_graph();
    om_value *x1 = t_input(g, "x1", OM_DT_FLOAT, S(2, 4, 10));
    om_value *w1 = t_const_f32(g, "w1", S(6, 4, 3));
    om_node *c1 = t_node(g, OM_OP_CONV, "c1", (om_value *[]){x1, w1}, 2, "y1");
    om_value *x3 = t_input(g, "x3", OM_DT_FLOAT, S(1, 2, 5, 6, 7));
    om_value *w3 = t_const_f32(g, "w3", S(4, 1, 3, 3, 3));
    om_node *c3 = t_node(g, OM_OP_CONV, "c3", (om_value *[]){x3, w3}, 2, "y3");
    assert_int_equal(om_node_set_int(g, c3, "group", 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, c3, "pads", DIMS(1, 0, 0, 1, 0, 0), 6), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(c1->outputs[0], S(2, 6, 8));
    t_expect_shape(c3->outputs[0], S(1, 4, 5, 4, 5));
    om_graph_destroy(g);
}

/* The case of libonnx-testdata's test_conv_with_autopad_same: x [1,1,5,5], W [1,1,3,3],
 * strides 2, SAME_LOWER -> y [1,1,3,3], pads 1 on every side. */
static void test_conv_autopad_same(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 5, 5));
    om_value *w = t_input(g, "W", OM_DT_FLOAT, S(1, 1, 3, 3));
    om_node *c = t_node(g, OM_OP_CONV, "", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_string(g, c, "auto_pad", "SAME_LOWER"), OM_OK);
    assert_int_equal(om_node_set_ints(g, c, "kernel_shape", DIMS(3, 3), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, c, "strides", DIMS(2, 2), 2), OM_OK);
    /* odd total pad: in 5, k 4, stride 1 -> out 5, total 3 */
    om_value *w4 = t_const_f32(g, "w4", S(1, 1, 4, 4));
    om_node *up = t_node(g, OM_OP_CONV, "up", (om_value *[]){x, w4}, 2, "y_up");
    assert_int_equal(om_node_set_string(g, up, "auto_pad", "SAME_UPPER"), OM_OK);
    om_node *lo = t_node(g, OM_OP_CONV, "lo", (om_value *[]){x, w4}, 2, "y_lo");
    assert_int_equal(om_node_set_string(g, lo, "auto_pad", "SAME_LOWER"), OM_OK);
    om_node *va = t_node(g, OM_OP_CONV, "va", (om_value *[]){x, w4}, 2, "y_va");
    assert_int_equal(om_node_set_string(g, va, "auto_pad", "VALID"), OM_OK);
    assert_int_equal(om_node_set_ints(g, va, "pads", DIMS(9, 9, 9, 9), 4), OM_OK); /* ignored */
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(c->outputs[0], S(1, 1, 3, 3));
    t_expect_ints(c, "pads", S(1, 1, 1, 1));
    t_expect_ints(c, "dilations", S(1, 1));
    assert_null(om_node_attr(c, "auto_pad"));
    t_expect_shape(up->outputs[0], S(1, 1, 5, 5));
    t_expect_ints(up, "pads", S(1, 1, 2, 2));
    assert_null(om_node_attr(up, "auto_pad"));
    t_expect_shape(lo->outputs[0], S(1, 1, 5, 5));
    t_expect_ints(lo, "pads", S(2, 2, 1, 1));
    t_expect_shape(va->outputs[0], S(1, 1, 2, 2));
    t_expect_ints(va, "pads", S(0, 0, 0, 0));
    assert_null(om_node_attr(va, "auto_pad"));

    /* A second run sees the explicit form and changes nothing. */
    om_pass_opts opts = {0};
    bool changed = true;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_false(changed);
    t_expect_shape(up->outputs[0], S(1, 1, 5, 5));
    om_graph_destroy(g);
}

static void test_conv_same_dynamic_keeps_auto_pad(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, U, 8));
    om_value *w = t_const_f32(g, "w", S(2, 1, 3, 3));
    om_node *c = t_node(g, OM_OP_CONV, "c", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_string(g, c, "auto_pad", "SAME_UPPER"), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(c->outputs[0], S(1, 2, U, 8));
    assert_non_null(om_node_attr(c, "auto_pad"));
    t_expect_ints(c, "kernel_shape", S(3, 3));
    om_graph_destroy(g);
}

static void test_conv_errors(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    om_value *w = t_const_f32(g, "w", S(4, 2, 3, 3));
    t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'conv1' (Conv): channel mismatch: input 0 'x' [1,3,8,8] has C=3");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 4, 8, 8));
    w = t_const_f32(g, "w", S(6, 2, 3, 3));
    om_node *c = t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_int(g, c, "group", 4), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "not divisible by group 4");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    om_value *b = t_const_f32(g, "b", S(5));
    t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w, b}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 2 'b' (bias) has 5 elements, expected M=4");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    c = t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_ints(g, c, "kernel_shape", DIMS(3, 2), 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute kernel_shape[1] = 2 but input 1 'w' has kernel size 3");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    c = t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_ints(g, c, "strides", DIMS(1, 0), 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute strides[1] = 0, expected >= 1");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    c = t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_ints(g, c, "pads", DIMS(1, 1), 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute pads has 2 values, expected 4");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 2, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "spatial dim 0: input size 2");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3));
    t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 1 'w': expected rank 4, found rank 3");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 2, 2, 2, 2));
    w = t_const_f32(g, "w", S(1, 1, 1, 1, 1, 1));
    t_node(g, OM_OP_CONV, "conv4d", (om_value *[]){x, w}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "k = 1, 2 or 3");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    w = t_const_f32(g, "w", S(4, 3, 3, 3));
    c = t_node(g, OM_OP_CONV, "conv1", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_string(g, c, "auto_pad", "SAME"), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "auto_pad = 'SAME'");
    om_graph_destroy(g);
}

static void test_pools(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 32, 32));
    om_value *outs[2] = {t_value(g, "mp"), t_value(g, "idx")};
    om_node *mp = om_graph_add_node(g, OM_OP_MAX_POOL, "mp", &x, 1, outs, 2);
    assert_non_null(mp);
    assert_int_equal(om_node_set_ints(g, mp, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, mp, "strides", DIMS(2, 2), 2), OM_OK);
    om_node *ap = t_node(g, OM_OP_AVERAGE_POOL, "ap", &x, 1, "ap_out");
    assert_int_equal(om_node_set_ints(g, ap, "kernel_shape", DIMS(3, 3), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, ap, "pads", DIMS(1, 1, 1, 1), 4), OM_OK);
    assert_int_equal(om_node_set_int(g, ap, "count_include_pad", 1), OM_OK);
    om_node *dil = t_node(g, OM_OP_MAX_POOL, "dil", &x, 1, "dil_out");
    assert_int_equal(om_node_set_ints(g, dil, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, dil, "dilations", DIMS(2, 2), 2), OM_OK);
    om_node *su = t_node(g, OM_OP_AVERAGE_POOL, "su", &x, 1, "su_out");
    assert_int_equal(om_node_set_ints(g, su, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, su, "strides", DIMS(3, 3), 2), OM_OK);
    assert_int_equal(om_node_set_string(g, su, "auto_pad", "SAME_UPPER"), OM_OK);
    assert_int_equal(om_node_set_int(g, su, "ceil_mode", 1), OM_OK);
    om_value *x1 = t_input(g, "x1", OM_DT_UINT8, S(2, 4, 9));
    om_node *p1 = t_node(g, OM_OP_MAX_POOL, "p1", &x1, 1, "p1_out");
    assert_int_equal(om_node_set_ints(g, p1, "kernel_shape", DIMS(3), 1), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(mp->outputs[0], S(1, 3, 16, 16));
    assert_int_equal(mp->outputs[1]->dtype, OM_DT_INT64);
    t_expect_shape(mp->outputs[1], S(1, 3, 16, 16));
    t_expect_ints(mp, "pads", S(0, 0, 0, 0));
    t_expect_ints(mp, "dilations", S(1, 1));
    t_expect_shape(ap->outputs[0], S(1, 3, 32, 32));
    assert_null(om_node_attr(ap, "dilations")); /* AveragePool has no dilations here */
    t_expect_shape(dil->outputs[0], S(1, 3, 30, 30));
    /* SAME_UPPER, stride 3: out = ceil(32/3) = 11, total = 10*3 + 2 - 32 = 0 */
    t_expect_shape(su->outputs[0], S(1, 3, 11, 11));
    t_expect_ints(su, "pads", S(0, 0, 0, 0));
    assert_int_equal(om_node_int(su, "ceil_mode", -1), 0);
    assert_null(om_node_attr(su, "auto_pad"));
    assert_int_equal(p1->outputs[0]->dtype, OM_DT_UINT8);
    t_expect_shape(p1->outputs[0], S(2, 4, 7));
    om_graph_destroy(g);
}

static void test_pool_ceil_mode(void **state) {
    om_graph *g = new_graph();
    /* libonnx-testdata test_maxpool_2d_ceil: x [1,1,4,4], k 3, s 2, ceil -> [1,1,2,2] */
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 4, 4));
    om_node *a = t_node(g, OM_OP_MAX_POOL, "a", &x, 1, "a_out");
    assert_int_equal(om_node_set_ints(g, a, "kernel_shape", DIMS(3, 3), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, a, "strides", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_int(g, a, "ceil_mode", 1), OM_OK);
    /* in 4, k 2, s 2, end pad 1: ceil((4+1-2)/2)+1 = 3, but the 3rd window would start
     * at 4 = in + pad_begin, inside the end padding only: dropped -> 2 */
    om_node *b = t_node(g, OM_OP_AVERAGE_POOL, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_ints(g, b, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, b, "strides", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, b, "pads", DIMS(0, 0, 1, 1), 4), OM_OK);
    assert_int_equal(om_node_set_int(g, b, "ceil_mode", 1), OM_OK);
    /* in 5, k 2, s 2, no pads: floor gives 2, ceil gives 3 (last window starts at 4 < 5) */
    om_value *x5 = t_input(g, "x5", OM_DT_FLOAT, S(1, 1, 5, 5));
    om_node *c = t_node(g, OM_OP_MAX_POOL, "c", &x5, 1, "c_out");
    assert_int_equal(om_node_set_ints(g, c, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, c, "strides", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_int(g, c, "ceil_mode", 1), OM_OK);
    om_node *d = t_node(g, OM_OP_MAX_POOL, "d", &x5, 1, "d_out");
    assert_int_equal(om_node_set_ints(g, d, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, d, "strides", DIMS(2, 2), 2), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(1, 1, 2, 2));
    t_expect_shape(b->outputs[0], S(1, 1, 2, 2));
    t_expect_shape(c->outputs[0], S(1, 1, 3, 3));
    t_expect_shape(d->outputs[0], S(1, 1, 2, 2));
    assert_int_equal(om_node_int(c, "ceil_mode", 0), 1); /* kept: explicit pads need it */
    om_graph_destroy(g);
}

static void test_pool_errors(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    t_node(g, OM_OP_MAX_POOL, "pool1", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'pool1' (MaxPool): attribute kernel_shape is required");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8, 8));
    om_node *p = t_node(g, OM_OP_AVERAGE_POOL, "pool1", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, p, "kernel_shape", DIMS(2, 2, 2), 3), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute kernel_shape has 3 values, expected 2");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 8));
    p = t_node(g, OM_OP_AVERAGE_POOL, "pool1", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, p, "kernel_shape", DIMS(2), 1), OM_OK);
    assert_int_equal(om_node_set_int(g, p, "ceil_mode", 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute ceil_mode = 2, expected 0 or 1");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3));
    t_node(g, OM_OP_GLOBAL_AVERAGE_POOL, "gap", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'gap' (GlobalAveragePool): input 0 'x' [1,3]");
    om_graph_destroy(g);
}

static void test_global_pool(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 64, 7, 7));
    om_node *a = t_node(g, OM_OP_GLOBAL_AVERAGE_POOL, "a", &x, 1, "a_out");
    om_value *x3 = t_input(g, "x3", OM_DT_FLOAT, S(2, 3, 4, 5, 6));
    om_node *m = t_node(g, OM_OP_GLOBAL_MAX_POOL, "m", &x3, 1, "m_out");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(U, 64, 1, 1));
    t_expect_shape(m->outputs[0], S(2, 3, 1, 1, 1));
    om_graph_destroy(g);
}

/* ---- normalization -------------------------------------------------------------- */

static void test_batch_norm(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 16, 5, 5));
    om_value *p[4];
    const char *names[4] = {"scale", "bias", "mean", "var"};
    for (int i = 0; i < 4; i++) p[i] = t_const_f32(g, names[i], S(16));
    om_node *n = t_node(g, OM_OP_BATCH_NORMALIZATION, "bn", (om_value *[]){x, p[0], p[1], p[2], p[3]}, 5, "y");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 16, 5, 5));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 16, 5, 5));
    for (int i = 0; i < 4; i++) p[i] = t_const_f32(g, names[i], i == 2 ? S(8) : S(16));
    t_node(g, OM_OP_BATCH_NORMALIZATION, "bn", (om_value *[]){x, p[0], p[1], p[2], p[3]}, 5, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL,
                   "node 'bn' (BatchNormalization): input 3 'mean' (mean) has 8 elements, expected C=16");
    om_graph_destroy(g);
}

static void test_softmax(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *a = t_node(g, OM_OP_SOFTMAX, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_SOFTMAX, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_int(g, b, "axis", -3), OM_OK);
    om_node *c = t_node(g, OM_OP_SOFTMAX, "c", &x, 1, "c_out");
    assert_int_equal(om_node_set_int(g, c, "coerce_2d", 1), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 3, 4));
    t_expect_shape(b->outputs[0], S(2, 3, 4));
    t_expect_shape(c->outputs[0], S(2, 3, 4));
    /* an absent axis is written explicitly: 1 in the coerce_2d form, else -1 */
    assert_int_equal(om_node_int(a, "axis", 99), -1);
    assert_int_equal(om_node_int(b, "axis", 99), -3);
    assert_int_equal(om_node_int(c, "axis", 99), 1);
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_node *n = t_node(g, OM_OP_SOFTMAX, "sm", &x, 1, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'sm' (Softmax): attribute axis=2 is out of range [-2, 1]");
    om_graph_destroy(g);
}

/* ---- data movement -------------------------------------------------------------- */

static void test_flatten(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4, 5));
    om_node *a = t_node(g, OM_OP_FLATTEN, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_FLATTEN, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_int(g, b, "axis", 0), OM_OK);
    om_node *c = t_node(g, OM_OP_FLATTEN, "c", &x, 1, "c_out");
    assert_int_equal(om_node_set_int(g, c, "axis", -2), OM_OK);
    om_node *d = t_node(g, OM_OP_FLATTEN, "d", &x, 1, "d_out");
    assert_int_equal(om_node_set_int(g, d, "axis", 4), OM_OK);
    om_value *xu = t_input(g, "xu", OM_DT_FLOAT, S(U, 3, 4));
    om_node *e = t_node(g, OM_OP_FLATTEN, "e", &xu, 1, "e_out");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 60));
    t_expect_shape(b->outputs[0], S(1, 120));
    t_expect_shape(c->outputs[0], S(6, 20));
    t_expect_shape(d->outputs[0], S(120, 1));
    t_expect_shape(e->outputs[0], S(U, 12));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_node *n = t_node(g, OM_OP_FLATTEN, "fl", &x, 1, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 3), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute axis=3 is out of range [-2, 2]");
    om_graph_destroy(g);
}

static void test_reshape(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *a = t_node(g, OM_OP_RESHAPE, "a", (om_value *[]){x, t_const_i64(g, "s1", 2, DIMS(0, -1))}, 2, "a_out");
    om_node *b = t_node(g, OM_OP_RESHAPE, "b", (om_value *[]){x, t_const_i64(g, "s2", 3, DIMS(4, -1, 2))}, 2, "b_out");
    om_node *c = t_node(g, OM_OP_RESHAPE, "c", (om_value *[]){x, t_const_i64(g, "s3", 1, DIMS(24))}, 2, "c_out");
    om_value *xu = t_input(g, "xu", OM_DT_FLOAT, S(U, 3, 4));
    om_node *d = t_node(g, OM_OP_RESHAPE, "d", (om_value *[]){xu, t_const_i64(g, "s4", 2, DIMS(0, 12))}, 2, "d_out");
    om_node *e = t_node(g, OM_OP_RESHAPE, "e", (om_value *[]){xu, t_const_i64(g, "s5", 2, DIMS(-1, 6))}, 2, "e_out");
    om_value *z = t_input(g, "z", OM_DT_FLOAT, S(0, 3));
    om_node *f = t_node(g, OM_OP_RESHAPE, "f", (om_value *[]){z, t_const_i64(g, "s6", 2, DIMS(3, 0))}, 2, "f_out");
    assert_int_equal(om_node_set_int(g, f, "allowzero", 1), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 12));
    t_expect_shape(b->outputs[0], S(4, 3, 2));
    t_expect_shape(c->outputs[0], S(24));
    t_expect_shape(d->outputs[0], S(U, 12));
    t_expect_shape(e->outputs[0], S(U, 6));
    t_expect_shape(f->outputs[0], S(3, 0));
    om_graph_destroy(g);
}

static void test_reshape_errors(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 3, DIMS(-1, 2, -1))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'rs' (Reshape): input 1 's' (shape) has more than one -1");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_value *shape = t_input(g, "shape", OM_DT_INT64, S(2));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, shape}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'rs' (Reshape): input 1 'shape' (shape) is computed at run time");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 2, DIMS(5, 5))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "(24 elements) to [5,5] (25 elements)");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 2, DIMS(5, -1))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "-1 has no integer solution");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(6));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 2, DIMS(6, 0))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "copies dim 1 with 0, but input 0 'x' has rank 1");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(6));
    om_node *n = t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 2, DIMS(0, -1))}, 2, "y");
    assert_int_equal(om_node_set_int(g, n, "allowzero", 1), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "both 0 and -1 while allowzero = 1");
    om_graph_destroy(g);
}

static void test_huge_sizes_are_errors(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(4, 4));
    t_node(g, OM_OP_RESHAPE, "rs", (om_value *[]){x, t_const_i64(g, "s", 2, DIMS((int64_t)1 << 62, 8))}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "more elements than int64 can count");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S((int64_t)1 << 40, (int64_t)1 << 40));
    t_node(g, OM_OP_FLATTEN, "fl", &x, 1, "y");
    assert_int_equal(run(g), OM_OK); /* [2^40, 2^40] fits */
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S((int64_t)1 << 40, (int64_t)1 << 40, (int64_t)1 << 40));
    om_node *n = t_node(g, OM_OP_FLATTEN, "fl", &x, 1, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 0), OM_OK);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'fl' (Flatten): input 0 'x' has more elements than int64 can count");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 8, 8));
    om_value *w = t_const_f32(g, "w", S(1, 1, 3, 3));
    n = t_node(g, OM_OP_CONV, "c", (om_value *[]){x, w}, 2, "y");
    assert_int_equal(om_node_set_ints(g, n, "pads", DIMS(INT64_MAX, 0, 0, 0), 4), OM_OK);
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "attribute pads[0] = 9223372036854775807 is too large");
    om_graph_destroy(g);
}

static void test_transpose(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, U, 5));
    x->shape.syms[2] = "len";
    om_node *a = t_node(g, OM_OP_TRANSPOSE, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_TRANSPOSE, "b", &x, 1, "b_out");
    assert_int_equal(om_node_set_ints(g, b, "perm", DIMS(0, 2, 3, 1), 4), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(5, U, 3, 2));
    assert_string_equal(a->outputs[0]->shape.syms[1], "len");
    t_expect_shape(b->outputs[0], S(2, U, 5, 3));
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_node *n = t_node(g, OM_OP_TRANSPOSE, "tr", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, n, "perm", DIMS(0, 2, 2), 3), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'tr' (Transpose): attribute perm is not a permutation of 0..2 (perm[2] = 2)");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    n = t_node(g, OM_OP_TRANSPOSE, "tr", &x, 1, "y");
    assert_int_equal(om_node_set_ints(g, n, "perm", DIMS(1, 0), 2), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute perm has 2 values, expected 3");
    om_graph_destroy(g);
}

static void test_concat(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2, 3, 4));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(2, 5, 4));
    om_value *c = t_input(g, "c", OM_DT_FLOAT, S(U, 1, 4));
    om_node *n = t_node(g, OM_OP_CONCAT, "cat", (om_value *[]){a, b, c}, 3, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    om_node *m = t_node(g, OM_OP_CONCAT, "cat2", (om_value *[]){a, a}, 2, "z");
    assert_int_equal(om_node_set_int(g, m, "axis", -1), OM_OK);
    om_node *one = t_node(g, OM_OP_CONCAT, "one", &a, 1, "w");
    assert_int_equal(om_node_set_int(g, one, "axis", 0), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(2, 9, 4));
    t_expect_shape(m->outputs[0], S(2, 3, 8));
    t_expect_shape(one->outputs[0], S(2, 3, 4));
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3, 4));
    b = t_input(g, "b", OM_DT_FLOAT, S(2, 3, 5));
    n = t_node(g, OM_OP_CONCAT, "cat", (om_value *[]){a, b}, 2, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'cat' (Concat): input 1 'b' [2,3,5] has dim 2 = 5, expected 4");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    b = t_input(g, "b", OM_DT_FLOAT, S(2, 3));
    t_node(g, OM_OP_CONCAT, "cat", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "attribute axis is required");
    om_graph_destroy(g);

    g = new_graph();
    a = t_input(g, "a", OM_DT_FLOAT, S(2, 3));
    b = t_input(g, "b", OM_DT_FLOAT, S(2, 3, 1));
    n = t_node(g, OM_OP_CONCAT, "cat", (om_value *[]){a, b}, 2, "y");
    assert_int_equal(om_node_set_int(g, n, "axis", 0), OM_OK);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "has rank 3, expected 2");
    om_graph_destroy(g);
}

/* ---- declared types, driver checks ---------------------------------------------- */

static void test_declared_output_types(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 4));
    om_shape decl = S(8, U);
    om_value *y = om_graph_add_value(g, "y", OM_DT_FLOAT, &decl);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "r", &x, 1, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(y, S(8, 4)); /* the declared 8 and the inferred 4 merge */
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 4));
    decl = S(2, 5);
    y = om_graph_add_value(g, "y", OM_DT_FLOAT, &decl);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "r", &x, 1, &y, 1));
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'r' (Relu): output 0 'y' is declared [2,5] but the op gives [2,4]");
    om_graph_destroy(g);

    g = new_graph();
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 4));
    y = om_graph_add_value(g, "y", OM_DT_FLOAT16, NULL);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "r", &x, 1, &y, 1));
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "output 0 'y' is declared f16 but the op gives f32");
    om_graph_destroy(g);

    g = new_graph();
    x = om_graph_add_value(g, "x", OM_DT_UNDEFINED, NULL);
    assert_int_equal(om_graph_add_input(g, x), OM_OK);
    t_node(g, OM_OP_RELU, "r", &x, 1, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'r' (Relu): input 0 'x' has no dtype");
    om_graph_destroy(g);
}

static void test_unnamed_node_error(void **state) {
    om_graph *g = new_graph();
    om_value *a = t_input(g, "a", OM_DT_FLOAT, S(2));
    om_value *b = t_input(g, "b", OM_DT_FLOAT, S(3));
    om_node *n = t_node(g, OM_OP_ADD, "", (om_value *[]){a, b}, 2, "y");
    char expect[64];
    snprintf(expect, sizeof(expect), "node #%u (Add)", n->id);
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, expect);
    om_graph_destroy(g);
}

/* ---- pins and require_static ---------------------------------------------------- */

static om_graph *dynamic_graph(om_node **relu) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 3, U, 224));
    x->shape.syms[0] = "batch";
    om_value *y = t_input(g, "y", OM_DT_FLOAT, S(U, 3, 5, 224));
    y->shape.syms[0] = "batch";
    om_node *r = t_node(g, OM_OP_RELU, "r", &x, 1, "rx");
    t_node(g, OM_OP_RELU, "ry", &y, 1, "ryo");
    if (relu) *relu = r;
    return g;
}

static void test_pins(void **state) {
    om_node *r;
    om_graph *g = dynamic_graph(&r);
    om_input_pin pin = {"x", S(2, -1, 5, -1)};
    om_pass_opts opts = {.pins = &pin, .n_pins = 1, .require_static = true};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_true(changed);
    t_expect_shape(g->inputs[0], S(2, 3, 5, 224));
    /* "batch" was bound by the pin on x and fixes y's first dim too */
    t_expect_shape(g->inputs[1], S(2, 3, 5, 224));
    t_expect_shape(r->outputs[0], S(2, 3, 5, 224));
    /* the same pins again change nothing */
    changed = true;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_false(changed);
    om_graph_destroy(g);
}

static void test_pin_errors(void **state) {
    om_graph *g = dynamic_graph(NULL);
    om_input_pin pin = {"z", S(1, 3, 224, 224)};
    om_pass_opts opts = {.pins = &pin, .n_pins = 1};
    bool changed;
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "'z', which is not a graph input; the inputs are: 'x', 'y'");

    pin = (om_input_pin){"x", S(1, 3, 224)};
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "--input-shape for input 'x' has 3 dims, but the input has rank 4");

    pin = (om_input_pin){"x", S(1, 4, 224, 224)};
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "--input-shape for input 'x' dim 1 gives 4, but the model fixes it to 3");

    om_input_pin two[2] = {{"x", S(1, -1, -1, -1)}, {"y", S(2, -1, -1, -1)}};
    opts.pins = two;
    opts.n_pins = 2;
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "gives dim 'batch' two values");
    om_graph_destroy(g);
}

static void test_require_static(void **state) {
    om_graph *g = dynamic_graph(NULL);
    om_pass_opts opts = {.require_static = true};
    bool changed;
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "input 'x' dim 0 ('batch') is dynamic; pin it with --input-shape \"x:1,3,1,224\"");
    om_input_pin pin = {"x", S(1, -1, -1, -1)};
    opts.pins = &pin;
    opts.n_pins = 1;
    t_expect_error(om_pass_infer_shapes(g, &opts, &changed), OM_ERR_INVALID_ARGUMENT,
                   "input 'x' dim 2 is dynamic; pin it with --input-shape \"x:1,3,1,224\"");
    om_graph_destroy(g);

    /* Without require_static the dynamic dims simply propagate. */
    om_node *r;
    g = dynamic_graph(&r);
    opts = (om_pass_opts){0};
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    t_expect_shape(r->outputs[0], S(U, 3, U, 224));
    om_graph_destroy(g);
}

static void test_counters(void **state) {
    om_graph *g = new_graph();
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 5, 5));
    om_value *w = t_const_f32(g, "w", S(1, 1, 3, 3));
    om_node *c = t_node(g, OM_OP_CONV, "c", (om_value *[]){x, w}, 2, "y");
    t_node(g, OM_OP_RELU, "r", &c->outputs[0], 1, "z");
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "infer-shapes"};
    bool changed = false;
    assert_int_equal(om_pass_infer_shapes(g, &opts, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-inferred"), 2);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-canonicalized"), 1);
    assert_int_equal(t_stat(st, "infer-shapes", "values-changed"), 2);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_broadcast),
        cmocka_unit_test(test_binary_unknown_dims),
        cmocka_unit_test(test_binary_errors),
        cmocka_unit_test(test_unary_and_clip),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_matmul_errors),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_conv_basic),
        cmocka_unit_test(test_conv_1d_3d),
        cmocka_unit_test(test_conv_autopad_same),
        cmocka_unit_test(test_conv_same_dynamic_keeps_auto_pad),
        cmocka_unit_test(test_conv_errors),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_pool_ceil_mode),
        cmocka_unit_test(test_pool_errors),
        cmocka_unit_test(test_global_pool),
        cmocka_unit_test(test_batch_norm),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_reshape),
        cmocka_unit_test(test_reshape_errors),
        cmocka_unit_test(test_huge_sizes_are_errors),
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_declared_output_types),
        cmocka_unit_test(test_unnamed_node_error),
        cmocka_unit_test(test_pins),
        cmocka_unit_test(test_pin_errors),
        cmocka_unit_test(test_require_static),
        cmocka_unit_test(test_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
