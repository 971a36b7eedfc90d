/* Tests for frontend/onnx_nodes.c: Constant nodes of every form become constants named
 * after their output; attributes are copied by type; omitted optional inputs are NULL and
 * trailing omitted outputs are dropped; unsupported ops and domains give a message naming
 * the node, op, domain and opset; an undefined input is named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

static void test_constant_forms(void **state)
{
    om_graph *g = fx_load("constants.onnx");
    om_value *t = om_graph_find_value(g, "c_tensor");
    om_value *f = om_graph_find_value(g, "c_float");
    om_value *fs = om_graph_find_value(g, "c_floats");
    om_value *i = om_graph_find_value(g, "c_int");
    om_value *is = om_graph_find_value(g, "c_ints");
    assert_non_null(t);
    assert_non_null(f);
    assert_non_null(fs);
    assert_non_null(i);
    assert_non_null(is);

    assert_int_equal(t->kind, OM_VALUE_CONSTANT);
    assert_int_equal(t->dtype, OM_DT_FLOAT);
    assert_int_equal(t->shape.rank, 2);
    assert_int_equal(t->shape.dims[0], 1);
    assert_int_equal(t->shape.dims[1], 2);
    assert_true(((const float *)t->data)[0] == 1.5f && ((const float *)t->data)[1] == -2.0f);

    assert_int_equal(f->kind, OM_VALUE_CONSTANT);
    assert_int_equal(f->dtype, OM_DT_FLOAT);
    assert_int_equal(f->shape.rank, 0);
    assert_true(*(const float *)f->data == 2.5f);

    assert_int_equal(fs->dtype, OM_DT_FLOAT);
    assert_int_equal(fs->shape.rank, 1);
    assert_int_equal(fs->shape.dims[0], 3);
    assert_true(((const float *)fs->data)[2] == 3.0f);

    assert_int_equal(i->dtype, OM_DT_INT64);
    assert_int_equal(i->shape.rank, 0);
    assert_int_equal(*(const int64_t *)i->data, -7);

    assert_int_equal(is->dtype, OM_DT_INT64);
    assert_int_equal(is->shape.rank, 1);
    assert_int_equal(is->shape.dims[0], 2);
    assert_int_equal(((const int64_t *)is->data)[1], 5);

    /* Constant nodes leave no node behind; the Add reads the constants */
    assert_int_equal(g->n_nodes, 1);
    om_node *add = find_node(g, OM_OP_ADD, 0);
    assert_non_null(add);
    assert_string_equal(add->name, "add");
    assert_ptr_equal(add->inputs[0], t);
    assert_ptr_equal(add->inputs[1], f);
    /* the declared output type of the intermediate is kept */
    assert_int_equal(add->outputs[0]->dtype, OM_DT_FLOAT);
    assert_int_equal(add->outputs[0]->shape.rank, 2);
    assert_int_equal(g->n_outputs, 4);
    om_graph_destroy(g);
}

static void test_constant_string_unsupported(void **state)
{
    const char *msg = fx_fail("constant_string.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'k_string'"));
    assert_non_null(strstr(msg, "value_string"));
}

static void test_unsupported_op_message(void **state)
{
    const char *msg = fx_fail("unsupported_op.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'resnet/Foo_3'"));
    assert_non_null(strstr(msg, "op Foo"));
    assert_non_null(strstr(msg, "domain ai.onnx"));
    assert_non_null(strstr(msg, "opset 13"));
    assert_non_null(strstr(msg, "unsupported operator"));
    assert_non_null(strstr(msg, "Add, "));
    assert_non_null(strstr(msg, "AveragePool, "));
    assert_null(strstr(msg, "did you mean"));

    msg = fx_fail("misspelled_op.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "op Rleu"));
    assert_non_null(strstr(msg, "did you mean Relu?"));

    msg = fx_fail("internal_op.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'internal'"));
    assert_non_null(strstr(msg, "op FusedElementwise"));
    assert_non_null(strstr(msg, "unsupported operator"));
    assert_null(strstr(msg, "WinogradConv"));

    msg = fx_fail("foreign_domain.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'fc'"));
    assert_non_null(strstr(msg, "op FusedConv"));
    assert_non_null(strstr(msg, "domain com.microsoft"));
    assert_non_null(strstr(msg, "opset 1"));
}

static void test_undefined_input_named(void **state)
{
    const char *msg = fx_fail("undefined_input.onnx", OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(msg, "node 'lost'"));
    assert_non_null(strstr(msg, "input 0 'nowhere'"));
}

static void test_optional_inputs_and_outputs(void **state)
{
    om_graph *g = fx_load("symbolic.onnx");
    om_node *clip = find_node(g, OM_OP_CLIP, 0);
    assert_non_null(clip);
    assert_int_equal(clip->n_inputs, 3);
    assert_null(clip->inputs[1]); /* "" -> omitted */
    assert_non_null(clip->inputs[2]);
    assert_string_equal(clip->inputs[2]->name, "hi");
    om_graph_destroy(g);

    g = fx_load("maxpool_trailing.onnx");
    om_node *pool = find_node(g, OM_OP_MAX_POOL, 0);
    assert_non_null(pool);
    assert_int_equal(pool->n_outputs, 1); /* trailing "" dropped */
    assert_string_equal(pool->outputs[0]->name, "p");
    om_graph_destroy(g);

    g = fx_load("maxpool_middle.onnx");
    pool = find_node(g, OM_OP_MAX_POOL, 0);
    assert_non_null(pool);
    assert_int_equal(pool->n_outputs, 2); /* omitted Y gets a generated name */
    assert_non_null(pool->outputs[0]);
    assert_true(pool->outputs[0]->name[0] != '\0');
    assert_string_equal(pool->outputs[1]->name, "idx");
    assert_int_equal(pool->outputs[1]->dtype, OM_DT_INT64);
    om_graph_destroy(g);
}

static void test_graph_attribute_unsupported(void **state)
{
    const char *msg = fx_fail("graph_attr.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "node 'relu_g'"));
    assert_non_null(strstr(msg, "'body'"));
    assert_non_null(strstr(msg, "GRAPH"));
}

static void test_attributes_copied(void **state)
{
    if (access(td_path("node/test_gemm_all_attributes/model.onnx"), R_OK) != 0)
        skip();
    om_graph *g = NULL;
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_conv_with_strides_padding/model.onnx"), &g), OM_OK);
    om_node *conv = find_node(g, OM_OP_CONV, 0);
    assert_non_null(conv);
    const int64_t *v;
    assert_int_equal(om_node_ints(conv, "strides", &v), 2);
    assert_int_equal(v[0], 2);
    assert_int_equal(v[1], 2);
    assert_int_equal(om_node_ints(conv, "pads", &v), 4);
    assert_int_equal(v[0], 1);
    assert_int_equal(om_node_ints(conv, "kernel_shape", &v), 2);
    assert_int_equal(v[0], 3);
    assert_int_equal(conv->n_attrs, 3);
    om_graph_destroy(g);

    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_gemm_all_attributes/model.onnx"), &g), OM_OK);
    om_node *gemm = find_node(g, OM_OP_GEMM, 0);
    assert_non_null(gemm);
    const om_attr *a = om_node_attr(gemm, "alpha");
    assert_non_null(a);
    assert_int_equal(a->kind, OM_ATTR_FLOAT);
    assert_true(a->f == 0.25f);
    assert_true(om_node_float(gemm, "beta", 0) == 0.35f);
    assert_int_equal(om_node_int(gemm, "transA", 0), 1);
    assert_int_equal(om_node_int(gemm, "transB", 0), 1);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_forms),
        cmocka_unit_test(test_constant_string_unsupported),
        cmocka_unit_test(test_unsupported_op_message),
        cmocka_unit_test(test_undefined_input_named),
        cmocka_unit_test(test_optional_inputs_and_outputs),
        cmocka_unit_test(test_attributes_copied),
        cmocka_unit_test(test_graph_attribute_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
