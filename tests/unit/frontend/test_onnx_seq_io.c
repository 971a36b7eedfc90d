/* Tests for sequence and optional GRAPH inputs and outputs (onnx_sequence.c's
 * om_fe_import_seq_input / om_fe_export_output through om_fe_import_onnx_file_opts),
 * SequenceMap (onnx_control.c), SplitToSequence with run-time sizes, and the readers of
 * SequenceProto / OptionalProto data files and of declared I/O kinds (onnx_io.c).
 * Fixtures: make_seq_io_fixtures.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fe_test_util.h"

static om_status import_pinned(const char *name, const om_fe_input_pin *pins, size_t n, om_graph **g)
{
    om_fe_import_opts o = {0};
    o.pins = pins;
    o.n_pins = n;
    *g = (om_graph *)0x1;
    om_status st = om_fe_import_onnx_file_opts(fx_path(name), &o, g);
    if (st == OM_OK)
        assert_int_equal(om_ir_verify(*g), OM_OK);
    else
        assert_null(*g);
    return st;
}

static om_shape shape2(int64_t a, int64_t b)
{
    int64_t d[2] = {a, b};
    return om_shape_make(2, d);
}

static void test_sequence_input_pinned(void **state)
{
    (void)state;
    om_shape el[2] = {shape2(2, 3), shape2(4, -1)};
    om_fe_input_pin pin = {.name = "s", .kind = OM_FE_PIN_SEQUENCE, .n_elems = 2, .elems = el};
    om_graph *g;
    assert_int_equal(import_pinned("seqio_input.onnx", &pin, 1, &g), OM_OK);
    /* s -> two tensor inputs s.0, s.1 with the pinned shapes (-1: the model's dim 3) */
    assert_int_equal(g->n_inputs, 2);
    assert_string_equal(g->inputs[0]->name, "s.0");
    assert_string_equal(g->inputs[1]->name, "s.1");
    assert_int_equal(g->inputs[0]->dtype, OM_DT_FLOAT);
    assert_true(om_shape_equal(&g->inputs[0]->shape, &el[0]));
    assert_int_equal(g->inputs[1]->shape.dims[0], 4);
    assert_int_equal(g->inputs[1]->shape.dims[1], 3);
    /* y = SequenceAt(s, 1) reads s.1; n = SequenceLength(s) is the constant 2 */
    om_value *y = om_graph_find_value(g, "y");
    assert_ptr_equal(y->producer->inputs[0], g->inputs[1]);
    om_value *n = om_graph_find_value(g, "n");
    assert_int_equal(n->producer->inputs[0]->kind, OM_VALUE_CONSTANT);
    assert_int_equal(*(const int64_t *)n->producer->inputs[0]->data, 2);
    /* the sequence output t = Identity(s) becomes the outputs t.0, t.1 in its place */
    assert_int_equal(g->n_outputs, 4);
    assert_string_equal(g->outputs[0]->name, "y");
    assert_string_equal(g->outputs[1]->name, "n");
    assert_string_equal(g->outputs[2]->name, "t.0");
    assert_string_equal(g->outputs[3]->name, "t.1");
    assert_ptr_equal(g->outputs[2]->producer->inputs[0], g->inputs[0]);
    assert_ptr_equal(g->outputs[3]->producer->inputs[0], g->inputs[1]);
    om_graph_destroy(g);
}

static void test_sequence_input_empty_and_errors(void **state)
{
    (void)state;
    om_graph *g;
    /* no pin: unsupported, the message shows the pin syntax */
    const char *msg = fx_fail("seqio_input.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "'s'"));
    assert_non_null(strstr(msg, "--input-shape \"s:[["));
    /* an empty sequence: SequenceAt(s, 1) is out of range */
    om_fe_input_pin pin = {.name = "s", .kind = OM_FE_PIN_SEQUENCE, .n_elems = 0};
    assert_int_equal(import_pinned("seqio_input.onnx", &pin, 1, &g), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "out of range"));
    /* an element pin of the wrong rank, a dim the model fixes differently */
    om_shape bad[1] = {om_shape_scalar()};
    pin.n_elems = 1;
    pin.elems = bad;
    assert_int_equal(import_pinned("seqio_input.onnx", &pin, 1, &g), OM_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(om_last_error(), "element 0"));
    bad[0] = shape2(2, 5);
    assert_int_equal(import_pinned("seqio_input.onnx", &pin, 1, &g), OM_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(om_last_error(), "fixes it to 3"));
    /* 'none' for a sequence, a pin naming no input */
    om_fe_input_pin none = {.name = "s", .kind = OM_FE_PIN_NONE};
    assert_int_equal(import_pinned("seqio_input.onnx", &none, 1, &g), OM_ERR_INVALID_ARGUMENT);
    none.name = "nope";
    assert_int_equal(import_pinned("seqio_input.onnx", &none, 1, &g), OM_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(om_last_error(), "'nope'"));
    /* the element name s.0 is taken by an initializer */
    pin.elems = (om_shape[]){shape2(1, 3)};
    assert_int_equal(import_pinned("seqio_clash.onnx", &pin, 1, &g), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "'s.0'"));
}

static int count_op(const om_graph *g, om_op op)
{
    int c = 0;
    while (find_node(g, op, c))
        c++;
    return c;
}

static void test_sequence_map(void **state)
{
    (void)state;
    om_shape el[3] = {shape2(1, 3), shape2(2, 3), shape2(5, 3)};
    om_fe_input_pin pin = {.name = "s", .kind = OM_FE_PIN_SEQUENCE, .n_elems = 3, .elems = el};
    om_graph *g;
    assert_int_equal(import_pinned("seqio_map.onnx", &pin, 1, &g), OM_OK);
    /* one body per element: Add(s.i, b) and Shape(s.i) */
    assert_int_equal(count_op(g, OM_OP_ADD), 3);
    assert_int_equal(count_op(g, OM_OP_SHAPE), 3);
    om_value *b = om_graph_find_value(g, "b");
    for (int i = 0; i < 3; i++) {
        om_node *add = find_node(g, OM_OP_ADD, i);
        assert_ptr_equal(add->inputs[0], g->inputs[i]);   /* indexed */
        assert_ptr_equal(add->inputs[1], b);              /* the same tensor every time */
    }
    assert_int_equal(g->n_inputs, 4);
    assert_string_equal(g->inputs[3]->name, "b");
    assert_int_equal(g->n_outputs, 6);
    assert_string_equal(g->outputs[0]->name, "y.0");
    assert_string_equal(g->outputs[2]->name, "y.2");
    assert_string_equal(g->outputs[3]->name, "z.0");
    assert_int_equal(g->outputs[4]->producer->inputs[0]->producer->op, OM_OP_SHAPE);
    om_graph_destroy(g);
}

static void test_optional_inputs(void **state)
{
    (void)state;
    om_graph *g;
    /* unpinned optional tensor: present, a plain tensor input; has = true */
    assert_int_equal(import_pinned("seqio_optional.onnx", NULL, 0, &g), OM_OK);
    assert_int_equal(g->n_inputs, 1);
    assert_string_equal(g->inputs[0]->name, "o");
    assert_int_equal(g->inputs[0]->shape.dims[0], 2);
    om_value *has = om_graph_find_value(g, "has")->producer->inputs[0];
    assert_int_equal(has->kind, OM_VALUE_CONSTANT);
    assert_int_equal(*(const uint8_t *)has->data, 1);
    assert_int_equal(g->n_outputs, 2);
    assert_string_equal(g->outputs[1]->name, "oo");   /* a present optional output */
    assert_ptr_equal(g->outputs[1]->producer->inputs[0], g->inputs[0]);
    om_graph_destroy(g);
    /* pinned absent: no input, has = false */
    om_fe_input_pin none = {.name = "o", .kind = OM_FE_PIN_NONE};
    assert_int_equal(import_pinned("seqio_optional_has.onnx", &none, 1, &g), OM_OK);
    assert_int_equal(g->n_inputs, 0);
    has = om_graph_find_value(g, "has")->producer->inputs[0];
    assert_int_equal(*(const uint8_t *)has->data, 0);
    om_graph_destroy(g);
    /* an absent optional OUTPUT cannot be compiled: named */
    assert_int_equal(import_pinned("seqio_optional.onnx", &none, 1, &g), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "graph output 'oo'"));
    /* a sequence pin on an optional tensor */
    om_fe_input_pin seq = {.name = "o", .kind = OM_FE_PIN_SEQUENCE};
    assert_int_equal(import_pinned("seqio_optional.onnx", &seq, 1, &g), OM_ERR_INVALID_ARGUMENT);
}

static void test_split_runtime_sizes(void **state)
{
    (void)state;
    /* the length of a split with run-time sizes is known (3) */
    om_graph *g = fx_load("seqio_split_len.onnx");
    om_value *n = om_graph_find_value(g, "n")->producer->inputs[0];
    assert_int_equal(*(const int64_t *)n->data, 3);
    om_graph_destroy(g);
    /* an element is not: the message names the sizes input for freezing */
    const char *msg = fx_fail("seqio_split_at.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "('sp') must be a compile-time constant"));
}

static void test_value_files(void **state)
{
    (void)state;
    om_fe_value v;
    assert_int_equal(om_fe_load_value_file(fx_path("seqio_seq.pb"), OM_FE_IO_SEQUENCE, &v), OM_OK);
    assert_string_equal(v.name, "s");
    assert_true(v.present);
    assert_true(v.is_sequence);
    assert_int_equal(v.n_items, 2);
    assert_int_equal(v.items[0].shape.rank, 2);
    assert_int_equal(v.items[0].shape.dims[0], 2);
    assert_int_equal(v.items[1].shape.dims[0], 1);
    assert_int_equal(v.items[1].nbytes, 12);
    assert_true(((const float *)v.items[1].data)[2] == 9.0f);
    om_fe_value_free(&v);
    assert_null(v.items);

    assert_int_equal(om_fe_load_value_file(fx_path("seqio_opt_none.pb"), OM_FE_IO_OPTIONAL, &v), OM_OK);
    assert_false(v.present);
    assert_int_equal(v.n_items, 0);
    om_fe_value_free(&v);
    assert_int_equal(om_fe_load_value_file(fx_path("seqio_opt_tensor.pb"), OM_FE_IO_OPTIONAL, &v), OM_OK);
    assert_true(v.present);
    assert_false(v.is_sequence);
    assert_int_equal(v.n_items, 1);
    assert_true(((const float *)v.items[0].data)[0] == 1.5f);
    om_fe_value_free(&v);
    assert_int_equal(om_fe_load_value_file(fx_path("seqio_opt_seq.pb"), OM_FE_IO_OPTIONAL_SEQUENCE, &v), OM_OK);
    assert_true(v.present);
    assert_true(v.is_sequence);
    assert_int_equal(v.n_items, 2);
    om_fe_value_free(&v);
    /* a plain tensor file through the same call */
    assert_int_equal(om_fe_load_value_file(td_path("node/test_abs/test_data_set_0/input_0.pb"), OM_FE_IO_TENSOR, &v),
                     OM_OK);
    assert_int_equal(v.n_items, 1);
    assert_false(v.is_sequence);
    om_fe_value_free(&v);

    assert_int_equal(om_fe_load_value_file(fx_path("seqio_seq_truncated.pb"), OM_FE_IO_SEQUENCE, &v),
                     OM_ERR_INVALID_MODEL);
    assert_null(v.items);
    assert_int_equal(om_fe_load_value_file(fx_path("seqio_seq_nested.pb"), OM_FE_IO_SEQUENCE, &v),
                     OM_ERR_UNSUPPORTED);
    assert_int_equal(om_fe_load_value_file(fx_path("missing.pb"), OM_FE_IO_SEQUENCE, &v), OM_ERR_IO);
}

static void test_io_kinds(void **state)
{
    (void)state;
    om_fe_io_list l;
    assert_int_equal(om_fe_onnx_io_kinds(fx_path("seqio_map.onnx"), &l), OM_OK);
    assert_int_equal(l.n_inputs, 2);
    assert_string_equal(l.inputs[0].name, "s");
    assert_int_equal(l.inputs[0].kind, OM_FE_IO_SEQUENCE);
    assert_int_equal(l.inputs[1].kind, OM_FE_IO_TENSOR);
    assert_int_equal(l.n_outputs, 2);
    assert_int_equal(l.outputs[1].kind, OM_FE_IO_SEQUENCE);
    om_fe_io_list_free(&l);
    assert_int_equal(om_fe_onnx_io_kinds(fx_path("seqio_optional.onnx"), &l), OM_OK);
    assert_int_equal(l.inputs[0].kind, OM_FE_IO_OPTIONAL);
    om_fe_io_list_free(&l);
    /* initializers are not listed as inputs */
    assert_int_equal(om_fe_onnx_io_kinds(fx_path("seqio_input.onnx"), &l), OM_OK);
    assert_int_equal(l.n_inputs, 1);
    om_fe_io_list_free(&l);
    assert_int_equal(om_fe_onnx_io_kinds(td_path("node/test_loop16_seq_none/model.onnx"), &l), OM_OK);
    assert_int_equal(l.inputs[2].kind, OM_FE_IO_OPTIONAL_SEQUENCE);
    om_fe_io_list_free(&l);
    assert_int_equal(om_fe_onnx_io_kinds(fx_path("seqio_seq.pb"), &l) != OM_OK, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_input_pinned), cmocka_unit_test(test_sequence_input_empty_and_errors),
        cmocka_unit_test(test_sequence_map),          cmocka_unit_test(test_optional_inputs),
        cmocka_unit_test(test_split_runtime_sizes),   cmocka_unit_test(test_value_files),
        cmocka_unit_test(test_io_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
