/* Tests for frontend/opset_rewrites.c: each rewrite of an older op version into the IR's
 * canonical form (Clip-6 bounds -> inputs, Softmax < 13 coerce_2d, Dropout -> Identity,
 * BatchNormalization spatial/momentum, training mode kept at opset >= 14) and the refusals
 * (mask used, spatial=0).
 * Also that the newest versions pass through untouched, and the legacy (opset 1..6) forms. */
#include <float.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

static om_node *node_named(const om_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0)
            return g->nodes[i];
    return NULL;
}

static float scalar_f32(const om_value *v)
{
    assert_non_null(v);
    assert_int_equal(v->kind, OM_VALUE_CONSTANT);
    assert_int_equal(v->dtype, OM_DT_FLOAT);
    assert_int_equal(v->shape.rank, 0);
    assert_int_equal(v->nbytes, 4);
    return *(const float *)v->data;
}

static void test_clip6_attrs_become_inputs(void **state)
{
    om_graph *g = fx_load("clip6.onnx");
    assert_int_equal(g->opset, 10);
    om_node *both = node_named(g, "clip_both");
    om_node *max = node_named(g, "clip_max");
    om_node *none = node_named(g, "clip_none");
    assert_non_null(both);
    assert_non_null(max);
    assert_non_null(none);
    assert_int_equal(both->op, OM_OP_CLIP);
    assert_int_equal(both->n_inputs, 3);
    assert_true(scalar_f32(both->inputs[1]) == -1.0f);
    assert_true(scalar_f32(both->inputs[2]) == 1.0f);
    assert_null(om_node_attr(both, "min"));
    assert_null(om_node_attr(both, "max"));
    assert_int_equal(both->n_attrs, 0);
    /* only max: min omitted (NULL), max an input */
    assert_int_equal(max->n_inputs, 3);
    assert_null(max->inputs[1]);
    assert_true(scalar_f32(max->inputs[2]) == 6.0f);
    /* no bounds: just x */
    assert_int_equal(none->n_inputs, 1);
    assert_int_equal(none->n_attrs, 0);
    om_graph_destroy(g);
}

static void test_softmax11_coerce_2d(void **state)
{
    om_graph *g = fx_load("softmax11.onnx");
    om_node *axis2 = node_named(g, "sm_axis2");
    om_node *dflt = node_named(g, "sm_default");
    assert_non_null(axis2);
    assert_non_null(dflt);
    assert_int_equal(axis2->op, OM_OP_SOFTMAX);
    assert_int_equal(om_node_int(axis2, "coerce_2d", 0), 1);
    assert_int_equal(om_node_int(axis2, "axis", -5), 2);
    assert_int_equal(om_node_int(dflt, "coerce_2d", 0), 1);
    assert_int_equal(om_node_int(dflt, "axis", -5), 1); /* the < 13 default, made explicit */
    om_graph_destroy(g);

    g = fx_load("softmax13.onnx");
    dflt = node_named(g, "sm_default");
    assert_non_null(dflt);
    assert_null(om_node_attr(dflt, "coerce_2d"));
    assert_null(om_node_attr(dflt, "axis")); /* -1 by default in the IR's form */
    om_graph_destroy(g);
}

static void test_dropout_becomes_identity(void **state)
{
    static const char *const files[] = {"dropout10.onnx", "dropout13.onnx"};
    for (int f = 0; f < 2; f++) {
        om_graph *g = fx_load(files[f]);
        om_node *d = node_named(g, "drop");
        assert_non_null(d);
        assert_int_equal(d->op, OM_OP_IDENTITY);
        assert_int_equal(d->n_inputs, 1);
        assert_string_equal(d->inputs[0]->name, "x");
        assert_int_equal(d->n_outputs, 1);
        assert_string_equal(d->outputs[0]->name, "d");
        assert_int_equal(d->n_attrs, 0); /* ratio dropped */
        assert_null(om_graph_find_value(g, "mask"));
        om_node *relu = node_named(g, "relu");
        assert_ptr_equal(relu->inputs[0], d->outputs[0]);
        om_graph_destroy(g);
    }
    /* inference Dropout keeps every element: a used mask is a constant all-true tensor */
    om_graph *g = fx_load("dropout_mask_used.onnx");
    om_value *mask = om_graph_find_value(g, "mask");
    assert_non_null(mask);
    assert_int_equal(mask->kind, OM_VALUE_CONSTANT);
    assert_int_equal(mask->dtype, OM_DT_BOOL);
    om_value *x = om_graph_find_value(g, "x");
    assert_true(om_shape_equal(&mask->shape, &x->shape));
    assert_int_equal(mask->nbytes, (size_t)om_shape_numel(&x->shape));
    for (size_t i = 0; i < mask->nbytes; i++)
        assert_int_equal(((const uint8_t *)mask->data)[i], 1);
    om_graph_destroy(g);
}

static void test_batchnorm7(void **state)
{
    om_graph *g = fx_load("bn7.onnx");
    om_node *bn = node_named(g, "bn");
    assert_non_null(bn);
    assert_int_equal(bn->op, OM_OP_BATCH_NORMALIZATION);
    assert_null(om_node_attr(bn, "momentum"));
    assert_null(om_node_attr(bn, "spatial"));
    assert_true(om_node_float(bn, "epsilon", 0) == 1e-3f);
    assert_int_equal(bn->n_inputs, 5);
    om_graph_destroy(g);

    const char *msg = fx_fail("bn7_spatial0.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'bn'"));
    assert_non_null(strstr(msg, "spatial=0"));
    assert_non_null(strstr(msg, "opset 7"));
}

static void test_suite_cases(void **state)
{
    if (access(td_path("node/test_batchnorm_example_training_mode/model.onnx"), R_OK) != 0)
        skip();
    /* BatchNormalization-15 in training mode: kept with its momentum and 3 outputs */
    om_graph *g = NULL;
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_batchnorm_example_training_mode/model.onnx"), &g),
                     OM_OK);
    om_node *bn = find_node(g, OM_OP_BATCH_NORMALIZATION, 0);
    assert_non_null(bn);
    assert_int_equal(bn->n_outputs, 3);
    assert_int_equal(om_node_int(bn, "training_mode", 0), 1);
    om_graph_destroy(g);

    /* Clip-13 with both optional inputs omitted: trailing "" inputs are dropped */
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_clip_default_inbounds/model.onnx"), &g), OM_OK);
    om_node *clip = find_node(g, OM_OP_CLIP, 0);
    assert_non_null(clip);
    assert_int_equal(clip->n_inputs, 1);
    om_graph_destroy(g);

    /* Dropout-12 of the suite, no mask */
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_dropout_default/model.onnx"), &g), OM_OK);
    assert_non_null(find_node(g, OM_OP_IDENTITY, 0));
    om_graph_destroy(g);
}

static void test_legacy_binary_broadcast(void **state)
{
    om_graph *g = fx_load("legacy_add6.onnx");
    assert_int_equal(g->opset, 6);
    om_node *add = node_named(g, "add_axis1");
    assert_non_null(add);
    assert_int_equal(add->n_attrs, 0); /* broadcast, axis dropped */
    om_value *b = add->inputs[1];
    assert_int_equal(b->kind, OM_VALUE_CONSTANT);
    assert_int_equal(b->shape.rank, 2); /* [3] at axis 1 of rank 3 -> [3,1] */
    assert_int_equal(b->shape.dims[0], 3);
    assert_int_equal(b->shape.dims[1], 1);
    assert_true(((const float *)b->data)[2] == 3.0f);
    om_node *sub = node_named(g, "sub_tail");
    assert_int_equal(sub->n_attrs, 0);
    assert_string_equal(sub->inputs[1]->name, "y");
    om_node *mul = node_named(g, "mul_aligned");
    assert_int_equal(mul->n_attrs, 0);
    assert_string_equal(mul->inputs[1]->name, "z");
    om_node *relu = node_named(g, "relu");
    assert_null(om_node_attr(relu, "consumed_inputs"));
    om_graph_destroy(g);

    const char *msg = fx_fail("legacy_div6_input.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'div_axis0'"));
    assert_non_null(strstr(msg, "'w'"));
}

static void test_legacy_reshape_concat_bn_gemm(void **state)
{
    om_graph *g = fx_load("legacy_reshape3.onnx");
    om_node *r = node_named(g, "reshape");
    assert_int_equal(r->op, OM_OP_RESHAPE);
    assert_int_equal(r->n_inputs, 2);
    assert_null(om_node_attr(r, "shape"));
    om_value *s = r->inputs[1];
    assert_int_equal(s->kind, OM_VALUE_CONSTANT);
    assert_int_equal(s->dtype, OM_DT_INT64);
    assert_int_equal(s->shape.dims[0], 2);
    assert_int_equal(((const int64_t *)s->data)[0], 4);
    assert_int_equal(((const int64_t *)s->data)[1], 6);
    om_node *c = node_named(g, "concat");
    assert_int_equal(om_node_int(c, "axis", -9), 1);
    om_graph_destroy(g);

    g = fx_load("legacy_bn6.onnx");
    om_node *bn = node_named(g, "bn");
    assert_int_equal(bn->n_attrs, 1); /* only epsilon is left */
    assert_non_null(om_node_attr(bn, "epsilon"));
    om_graph_destroy(g);

    g = fx_load("legacy_gemm6.onnx");
    om_node *gemm = node_named(g, "gemm");
    assert_null(om_node_attr(gemm, "broadcast"));
    assert_int_equal(gemm->n_inputs, 3);
    om_graph_destroy(g);

    if (access(td_path("node/test_globalaveragepool/model.onnx"), R_OK) != 0)
        skip();
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_globalaveragepool/model.onnx"), &g), OM_OK);
    assert_int_equal(g->opset, 1);
    assert_non_null(find_node(g, OM_OP_GLOBAL_AVERAGE_POOL, 0));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clip6_attrs_become_inputs),
        cmocka_unit_test(test_softmax11_coerce_2d),
        cmocka_unit_test(test_dropout_becomes_identity),
        cmocka_unit_test(test_batchnorm7),
        cmocka_unit_test(test_suite_cases),
        cmocka_unit_test(test_legacy_binary_broadcast),
        cmocka_unit_test(test_legacy_reshape_concat_bn_gemm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
