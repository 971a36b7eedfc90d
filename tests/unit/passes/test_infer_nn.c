/* Tests for the nn group's shape rules (passes/infer/nn_ops.c and the shared Conv window
 * rule): Resize output from scales (floor) or sizes, non-constant scales/sizes/roi refused
 * with the "compile-time constant" message, bad modes; ConvTranspose output sizes and the
 * canonical attributes (auto_pad SAME_UPPER, output_shape, output_padding folded into pads)
 * and idempotence; quantization output dtypes and per-axis checks; ConvInteger/QLinearConv
 * through Conv's window rule; MaxUnpool default / output_shape sizes; GridSample and
 * RoiAlign shapes; NonMaxSuppression computed from constants (selection, IoU, score
 * threshold, limit) and refused with "data-dependent output shape" otherwise. */
#include "pass_test_util.h"

static om_status run(om_graph *g) {
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static om_value *c_f32(om_graph *g, const char *name, int n, const float *v) {
    om_shape s = om_shape_make(1, (int64_t[]){n});
    om_value *c = om_graph_add_constant(g, name, OM_DT_FLOAT, &s, v, (size_t)n * sizeof(float));
    assert_non_null(c);
    return c;
}

static void test_resize(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 5, 7));
    om_value *sc = c_f32(g, "sc", 4, (float[]){1, 1, 1.5f, 0.4f});
    om_node *a = t_node(g, OM_OP_RESIZE, "a", (om_value *[]){x, NULL, sc}, 3, "a_out");
    om_value *sz = t_const_i64(g, "sz", 4, DIMS(1, 3, 9, 2));
    om_node *b = t_node(g, OM_OP_RESIZE, "b", (om_value *[]){x, NULL, NULL, sz}, 4, "b_out");
    om_node_set_string(g, b, "mode", "cubic");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(a->outputs[0], S(1, 3, 7, 2)); /* floor(7.5), floor(2.8) */
    t_expect_shape(b->outputs[0], S(1, 3, 9, 2));
    assert_int_equal(a->outputs[0]->dtype, OM_DT_FLOAT);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 5, 7));
    om_value *scin = t_input(g, "scales", OM_DT_FLOAT, S(4));
    t_node(g, OM_OP_RESIZE, "r", (om_value *[]){x, NULL, scin}, 3, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED,
                   "node 'r' (Resize): input 2 ('scales') must be a compile-time constant: it determines the output shape");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 5, 7));
    om_value *roi = t_input(g, "roi", OM_DT_FLOAT, S(8));
    sz = t_const_i64(g, "sz", 4, DIMS(1, 3, 2, 2));
    om_node *n = t_node(g, OM_OP_RESIZE, "c", (om_value *[]){x, roi, NULL, sz}, 4, "y");
    om_node_set_string(g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "input 1 ('roi') must be a compile-time constant");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_INT32, S(1, 3, 5, 7));
    sc = c_f32(g, "sc", 4, (float[]){1, 1, 2, 2});
    n = t_node(g, OM_OP_RESIZE, "d", (om_value *[]){x, NULL, sc}, 3, "y");
    om_node_set_string(g, n, "mode", "linear");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "mode 'linear' needs a float input");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 5, 7));
    sc = c_f32(g, "sc", 3, (float[]){1, 2, 2});
    t_node(g, OM_OP_RESIZE, "e", (om_value *[]){x, NULL, sc}, 3, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "input 2 'sc' (scales) must hold 4 floats");
    om_graph_destroy(g);
}

static void test_conv_transpose(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 4, 3, 3));
    om_value *w = t_input(g, "w", OM_DT_FLOAT, S(4, 3, 3, 3));
    om_node *plain = t_node(g, OM_OP_CONV_TRANSPOSE, "plain", (om_value *[]){x, w}, 2, "p_out");
    om_node *same = t_node(g, OM_OP_CONV_TRANSPOSE, "same", (om_value *[]){x, w}, 2, "s_out");
    om_node_set_string(g, same, "auto_pad", "SAME_UPPER");
    om_node_set_ints(g, same, "strides", DIMS(2, 2), 2);
    om_node *os = t_node(g, OM_OP_CONV_TRANSPOSE, "os", (om_value *[]){x, w}, 2, "o_out");
    om_node_set_ints(g, os, "strides", DIMS(3, 2), 2);
    om_node_set_ints(g, os, "output_shape", DIMS(10, 8), 2);
    om_node *op = t_node(g, OM_OP_CONV_TRANSPOSE, "op", (om_value *[]){x, w}, 2, "op_out");
    om_node_set_ints(g, op, "strides", DIMS(3, 2), 2);
    om_node_set_ints(g, op, "output_padding", DIMS(1, 1), 2);
    om_node_set_ints(g, op, "pads", DIMS(1, 0, 0, 1), 4);
    om_node_set_int(g, op, "group", 2);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(plain->outputs[0], S(1, 3, 5, 5));
    t_expect_shape(same->outputs[0], S(1, 3, 6, 6));
    t_expect_ints(same, "pads", S(0, 0, 1, 1)); /* total 1: the odd pad at the end */
    assert_null(om_node_attr(same, "auto_pad"));
    t_expect_shape(os->outputs[0], S(1, 3, 10, 8));
    t_expect_ints(os, "pads", S(0, 0, -1, -1)); /* full extent 9x7: one more row and column at the end */
    assert_null(om_node_attr(os, "output_shape"));
    t_expect_shape(op->outputs[0], S(1, 6, 9, 7)); /* 3*2+1+3-1-0, 2*2+1+3-0-1 */
    t_expect_ints(op, "pads", S(1, 0, -1, 0));
    assert_null(om_node_attr(op, "output_padding"));
    /* canonical form is stable */
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(os->outputs[0], S(1, 3, 10, 8));
    t_expect_shape(op->outputs[0], S(1, 6, 9, 7));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 4, 3, 3));
    w = t_input(g, "w", OM_DT_FLOAT, S(5, 3, 3, 3));
    t_node(g, OM_OP_CONV_TRANSPOSE, "bad", (om_value *[]){x, w}, 2, "y");
    t_expect_error(run(g), OM_ERR_INVALID_MODEL, "node 'bad' (ConvTranspose): input 0 'x' has C=4 but input 1 'w' has 5");
    om_graph_destroy(g);
}

static void test_quant(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    om_value *s = t_input(g, "s", OM_DT_FLOAT, S(3)), *z = t_input(g, "z", OM_DT_INT8, S(3));
    om_value *s0 = t_input(g, "s0", OM_DT_FLOAT, om_shape_scalar());
    om_node *q = t_node(g, OM_OP_QUANTIZE_LINEAR, "q", (om_value *[]){x, s, z}, 3, "q_out");
    om_node *q2 = t_node(g, OM_OP_QUANTIZE_LINEAR, "q2", (om_value *[]){x, s0}, 2, "q2_out");
    om_node *dq = t_node(g, OM_OP_DEQUANTIZE_LINEAR, "dq", (om_value *[]){q->outputs[0], s, z}, 3, "dq_out");
    om_value *outs[3] = {t_value(g, "dy"), t_value(g, "ds"), t_value(g, "dz")};
    assert_non_null(om_graph_add_node(g, OM_OP_DYNAMIC_QUANTIZE_LINEAR, "dyn", &x, 1, outs, 3));
    assert_int_equal(run(g), OM_OK);
    assert_int_equal(q->outputs[0]->dtype, OM_DT_INT8);
    assert_int_equal(q2->outputs[0]->dtype, OM_DT_UINT8);
    assert_int_equal(dq->outputs[0]->dtype, OM_DT_FLOAT);
    t_expect_shape(dq->outputs[0], S(2, 3, 4));
    assert_int_equal(outs[0]->dtype, OM_DT_UINT8);
    assert_int_equal(outs[1]->shape.rank, 0);
    assert_int_equal(outs[2]->dtype, OM_DT_UINT8);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3, 4));
    s = t_input(g, "s", OM_DT_FLOAT, S(4));
    t_node(g, OM_OP_QUANTIZE_LINEAR, "qa", (om_value *[]){x, s}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'qa' (QuantizeLinear): input 1 's' [4]: expected a scalar or a 1-D per-axis");
    om_graph_destroy(g);
}

static void test_integer_ops(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *a = t_input(g, "a", OM_DT_UINT8, S(2, 4, 3)), *b = t_input(g, "b", OM_DT_INT8, S(3, 5));
    om_value *f = t_input(g, "f", OM_DT_FLOAT, om_shape_scalar()), *zu = t_input(g, "zu", OM_DT_UINT8, om_shape_scalar());
    om_value *zi = t_input(g, "zi", OM_DT_INT8, om_shape_scalar());
    om_node *mi = t_node(g, OM_OP_MATMUL_INTEGER, "mi", (om_value *[]){a, b}, 2, "mi_out");
    om_node *qm = t_node(g, OM_OP_QLINEAR_MATMUL, "qm", (om_value *[]){a, f, zu, b, f, zi, f, zi}, 8, "qm_out");
    om_value *x = t_input(g, "x", OM_DT_UINT8, S(1, 4, 7, 7)), *w = t_input(g, "w", OM_DT_UINT8, S(6, 2, 3, 3));
    om_node *ci = t_node(g, OM_OP_CONV_INTEGER, "ci", (om_value *[]){x, w, zu}, 3, "ci_out");
    om_node_set_int(g, ci, "group", 2);
    om_node_set_string(g, ci, "auto_pad", "SAME_UPPER");
    om_node *qc = t_node(g, OM_OP_QLINEAR_CONV, "qc", (om_value *[]){x, f, zu, w, f, zu, f, zu}, 8, "qc_out");
    om_node_set_int(g, qc, "group", 2);
    om_node_set_ints(g, qc, "strides", DIMS(2, 2), 2);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(mi->outputs[0], S(2, 4, 5));
    assert_int_equal(mi->outputs[0]->dtype, OM_DT_INT32);
    t_expect_shape(qm->outputs[0], S(2, 4, 5));
    assert_int_equal(qm->outputs[0]->dtype, OM_DT_INT8);
    t_expect_shape(ci->outputs[0], S(1, 6, 7, 7));
    assert_int_equal(ci->outputs[0]->dtype, OM_DT_INT32);
    t_expect_ints(ci, "pads", S(1, 1, 1, 1));
    t_expect_shape(qc->outputs[0], S(1, 6, 3, 3));
    assert_int_equal(qc->outputs[0]->dtype, OM_DT_UINT8);
    om_graph_destroy(g);

    g = om_graph_create("t");
    a = t_input(g, "a", OM_DT_FLOAT, S(4, 3));
    b = t_input(g, "b", OM_DT_INT8, S(3, 5));
    t_node(g, OM_OP_MATMUL_INTEGER, "bad", (om_value *[]){a, b}, 2, "y");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'bad' (MatMulInteger): inputs 0 'a' (f32)");
    om_graph_destroy(g);
}

static void test_unpool_grid_roi(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 2, 3, 3)), *i = t_input(g, "i", OM_DT_INT64, S(1, 2, 3, 3));
    om_node *mu = t_node(g, OM_OP_MAX_UNPOOL, "mu", (om_value *[]){x, i}, 2, "mu_out");
    om_node_set_ints(g, mu, "kernel_shape", DIMS(3, 2), 2);
    om_node_set_ints(g, mu, "strides", DIMS(2, 2), 2);
    om_node_set_ints(g, mu, "pads", DIMS(1, 0, 0, 1), 4);
    om_value *os = t_const_i64(g, "os", 4, DIMS(1, 2, 8, 9));
    om_node *mu2 = t_node(g, OM_OP_MAX_UNPOOL, "mu2", (om_value *[]){x, i, os}, 3, "mu2_out");
    om_node_set_ints(g, mu2, "kernel_shape", DIMS(2, 2), 2);
    om_value *grid = t_input(g, "grid", OM_DT_FLOAT, S(1, 4, 6, 2));
    om_node *gs = t_node(g, OM_OP_GRID_SAMPLE, "gs", (om_value *[]){x, grid}, 2, "gs_out");
    om_value *rois = t_input(g, "rois", OM_DT_FLOAT, S(5, 4)), *bi = t_input(g, "bi", OM_DT_INT64, S(5));
    om_node *ra = t_node(g, OM_OP_ROI_ALIGN, "ra", (om_value *[]){x, rois, bi}, 3, "ra_out");
    om_node_set_int(g, ra, "output_height", 4);
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(mu->outputs[0], S(1, 2, 6, 5)); /* (3-1)*2-1+3, (3-1)*2-1+2 */
    t_expect_shape(mu2->outputs[0], S(1, 2, 8, 9));
    t_expect_shape(gs->outputs[0], S(1, 2, 4, 6));
    t_expect_shape(ra->outputs[0], S(5, 2, 4, 1));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(1, 2, 3, 3));
    grid = t_input(g, "grid", OM_DT_FLOAT, S(1, 4, 6, 2));
    om_node *n = t_node(g, OM_OP_GRID_SAMPLE, "gs", (om_value *[]){x, grid}, 2, "y");
    om_node_set_string(g, n, "mode", "linear");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'gs' (GridSample): attribute mode = 'linear' is not supported");
    om_graph_destroy(g);
}

static void test_nms(void **state) {
    /* boxes of one image: 0 and 1 overlap heavily (IoU 0.81), 2 is apart, 3 scores below
     * the threshold */
    float boxes[16] = {0, 0, 10, 10, 0, 1, 10, 11, 20, 20, 30, 30, 40, 40, 50, 50};
    float scores[8] = {0.9f, 0.95f, 0.5f, 0.05f, 0.1f, 0.2f, 0.3f, 0.4f}; /* 2 classes */
    om_graph *g = om_graph_create("t");
    om_shape sb = S(1, 4, 4), ss = S(1, 2, 4);
    om_value *vb = om_graph_add_constant(g, "boxes", OM_DT_FLOAT, &sb, boxes, sizeof boxes);
    om_value *vs = om_graph_add_constant(g, "scores", OM_DT_FLOAT, &ss, scores, sizeof scores);
    om_value *mo = t_const_i64(g, "mo", 1, DIMS(2));
    om_value *iou = c_f32(g, "iou", 1, (float[]){0.5f}), *st = c_f32(g, "st", 1, (float[]){0.15f});
    om_node *n = t_node(g, OM_OP_NON_MAX_SUPPRESSION, "nms", (om_value *[]){vb, vs, mo, iou, st}, 5, "sel");
    assert_int_equal(run(g), OM_OK);
    t_expect_shape(n->outputs[0], S(4, 3));
    assert_int_equal(n->outputs[0]->dtype, OM_DT_INT64);
    /* class 0: box 1 (0.95) suppresses box 0, then box 2; class 1: boxes 3 (0.4), 2 (0.3) */
    const int64_t *sel = NULL, want[12] = {0, 0, 1, 0, 0, 2, 0, 1, 3, 0, 1, 2};
    assert_int_equal(om_node_ints(n, "om_selected", &sel), 12);
    for (int i = 0; i < 12; i++)
        if (sel[i] != want[i]) fail_msg("om_selected[%d] = %lld, want %lld", i, (long long)sel[i], (long long)want[i]);
    om_graph_destroy(g);

    g = om_graph_create("t");
    om_value *bin = t_input(g, "boxes", OM_DT_FLOAT, S(1, 4, 4));
    vs = om_graph_add_constant(g, "scores", OM_DT_FLOAT, &ss, scores, sizeof scores);
    t_node(g, OM_OP_NON_MAX_SUPPRESSION, "nms", (om_value *[]){bin, vs}, 2, "sel");
    t_expect_error(run(g), OM_ERR_UNSUPPORTED, "node 'nms' (NonMaxSuppression): data-dependent output shape");
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize),       cmocka_unit_test(test_conv_transpose), cmocka_unit_test(test_quant),
        cmocka_unit_test(test_integer_ops),  cmocka_unit_test(test_unpool_grid_roi), cmocka_unit_test(test_nms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
