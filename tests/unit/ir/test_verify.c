/* Unit tests for om_ir_verify: a valid graph passes, and each kind of violation is
 * detected with a message naming the node (name and op) and the value. Each test breaks
 * one thing in a fresh copy of the same small graph. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ir/ir.h"

static const char *base_text =
    "graph \"v\" opset 17 {\n"
    "  input %x : f32[1,2,4,4]\n"
    "  const %w : f32[2,2,1,1] = [1.0, 0.0, 0.0, 1.0]\n"
    "  %c : f32[1,2,4,4] = Conv(%x, %w, _) {kernel_shape = [1, 1]} name \"conv\"\n"
    "  %r = Relu(%c) name \"relu\"\n"
    "  %m, %idx = MaxPool(%r) name \"pool\"\n"
    "  %s = Concat(%m, %r, %c) {axis = 1} name \"cat\"\n"
    "  output %s, %idx\n"
    "}\n";

static om_graph *base(void)
{
    om_graph *g = NULL;
    assert_int_equal(om_ir_parse(base_text, strlen(base_text), "v.ir", &g), OM_OK);
    assert_int_equal(om_ir_verify(g), OM_OK);
    return g;
}

static om_node *node(om_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0)
            return g->nodes[i];
    fail_msg("no node %s", name);
    return NULL;
}

static om_value *val(om_graph *g, const char *name)
{
    om_value *v = om_graph_find_value(g, name);
    assert_non_null(v);
    return v;
}

/* Verifies g, expecting OM_ERR_INVALID_MODEL and a message containing each part. */
static void expect_invalid(om_graph *g, const char *part1, const char *part2)
{
    om_status st = om_ir_verify(g);
    if (st != OM_ERR_INVALID_MODEL)
        fail_msg("expected INVALID_MODEL, got %d: %s", st, om_last_error());
    const char *msg = om_last_error();
    if (!strstr(msg, part1) || (part2 && !strstr(msg, part2)))
        fail_msg("message '%s' lacks '%s' / '%s'", msg, part1, part2 ? part2 : "");
    om_graph_destroy(g);
}

static void test_valid_and_null(void **state)
{
    (void)state;
    om_graph *g = base();
    om_graph_destroy(g);
    assert_int_equal(om_ir_verify(NULL), OM_ERR_INVALID_ARGUMENT);
    g = om_graph_create("empty");
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_too_few_inputs(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "conv")->n_inputs = 1;
    expect_invalid(g, "node 'conv' (Conv) has 1 inputs, Conv takes 2 to 4", NULL);
}

static void test_too_many_inputs(void **state)
{
    (void)state;
    om_graph *g = base();
    om_node *r = node(g, "relu");
    om_value *ins[2] = {val(g, "c"), val(g, "c")};
    r->inputs = ins;
    r->n_inputs = 2;
    om_status st = om_ir_verify(g);
    assert_int_equal(st, OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "node 'relu' (Relu) has 2 inputs, Relu takes 1"));
    r->n_inputs = 1; /* the array is on the stack; restore before destroy */
    r->inputs[0] = val(g, "c");
    om_graph_destroy(g);
}

static void test_wrong_output_count(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "relu")->n_outputs = 0;
    expect_invalid(g, "node 'relu' (Relu) has 0 outputs, Relu produces 1", NULL);
}

static void test_variadic_ok_and_unnamed_node(void **state)
{
    (void)state;
    om_graph *g = base();
    om_node *cat = node(g, "cat");
    cat->n_inputs = 1; /* Concat takes at least 1 */
    assert_int_equal(om_ir_verify(g), OM_OK);
    cat->n_inputs = 0;
    cat->name = "";
    char expect[64];
    snprintf(expect, sizeof expect, "node #%u (Concat) has 0 inputs, Concat takes at least 1", cat->id);
    expect_invalid(g, expect, NULL);
}

static void test_required_input_omitted(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "conv")->inputs[1] = NULL;
    expect_invalid(g, "node 'conv' (Conv): input 1 is required but omitted", NULL);
}

static void test_foreign_input(void **state)
{
    (void)state;
    om_graph *g = base();
    om_graph *h = om_graph_create("other");
    om_value *o = om_graph_add_value(h, "stranger", OM_DT_FLOAT, NULL);
    node(g, "relu")->inputs[0] = o;
    om_status st = om_ir_verify(g);
    assert_int_equal(st, OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "node 'relu' (Relu): input 0 'stranger' is not a value of the graph"));
    om_graph_destroy(h);
    om_graph_destroy(g);
}

static void test_output_is_graph_input(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "relu")->outputs[0] = val(g, "x");
    expect_invalid(g, "node 'relu' (Relu): output 0 'x' is a graph input", NULL);
}

static void test_duplicate_names(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "r")->name = "c";
    expect_invalid(g, "value name 'c' is used twice", NULL);
}

static void test_bad_id(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "r")->id = 99;
    om_status st = om_ir_verify(g);
    assert_int_equal(st, OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "value 'r' has id 99"));
    om_graph_destroy(g);
}

static void test_constant_size(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "w")->nbytes = 12;
    expect_invalid(g, "constant 'w': has 12 bytes of data, expected 4 elements of f32 = 16 bytes", NULL);
    g = base();
    val(g, "w")->data = NULL;
    expect_invalid(g, "constant 'w': data is NULL", NULL);
    g = base();
    val(g, "w")->shape.dims[0] = -1;
    expect_invalid(g, "constant 'w': shape is not static", NULL);
}

static void test_used_without_producer(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "relu")->dead = true;
    om_graph_remove_dead(g);
    expect_invalid(g, "value 'r' is used but no live node produces it", NULL);
    /* dead but not yet removed is the same */
    g = base();
    node(g, "relu")->dead = true;
    expect_invalid(g, "value 'r' is used but no live node produces it", NULL);
}

static void test_unused_orphan_tolerated_and_dead_ignored(void **state)
{
    (void)state;
    om_graph *g = base();
    om_graph_add_value(g, "orphan", OM_DT_FLOAT, NULL);
    om_value *dead_out = om_graph_add_value(g, "dead_out", OM_DT_FLOAT, NULL);
    om_node *d = om_graph_add_node(g, OM_OP_ADD, "dead_add", &dead_out, 0, &dead_out, 1);
    d->dead = true; /* bad arity, but dead nodes are not checked */
    assert_int_equal(om_ir_verify(g), OM_OK);
    d->dead = false;
    expect_invalid(g, "node 'dead_add' (Add) has 0 inputs, Add takes 2", NULL);
}

static void test_two_producers(void **state)
{
    (void)state;
    om_graph *g = base();
    om_value *r = val(g, "r");
    om_graph_add_node(g, OM_OP_TANH, "tanh", (om_value *[]){val(g, "c")}, 1, &r, 1);
    expect_invalid(g, "value 'r' is produced by 2 live nodes", NULL);
}

static void test_producer_field_mismatch(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "r")->producer = node(g, "conv");
    expect_invalid(g, "value 'r' is produced by node 'relu' (Relu) but its producer field says another node", NULL);
    g = base();
    val(g, "idx")->producer_output = 0;
    expect_invalid(g, "value 'idx': producer_output 0 does not match node 'pool' (MaxPool)", NULL);
}

static void test_not_topological(void **state)
{
    (void)state;
    om_graph *g = base();
    om_node *t = g->nodes[0];
    g->nodes[0] = g->nodes[1];
    g->nodes[1] = t;
    expect_invalid(g, "node 'relu' (Relu) reads 'c' (input 0) before its producer", "topological order");
    g = base();
    om_node *a = g->nodes[2];
    g->nodes[2] = g->nodes[3];
    g->nodes[3] = a;
    assert_int_equal(om_ir_verify(g), OM_ERR_INVALID_MODEL);
    assert_int_equal(om_graph_toposort(g), OM_OK);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_outputs(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "s")->is_output = false;
    expect_invalid(g, "output #0 's' is not marked is_output", NULL);
    g = base();
    val(g, "r")->is_output = true;
    expect_invalid(g, "value 'r' is marked is_output but is not a graph output", NULL);
    g = base();
    om_graph *h = om_graph_create("h");
    om_value *o = om_graph_add_value(h, "elsewhere", OM_DT_FLOAT, NULL);
    g->outputs[1] = o;
    om_status st = om_ir_verify(g);
    assert_int_equal(st, OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "output #1 'elsewhere' is not a value of the graph"));
    om_graph_destroy(h);
    om_graph_destroy(g);
}

static void test_input_kinds(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "x")->kind = OM_VALUE_INTERMEDIATE;
    expect_invalid(g, "input #0 'x' is not of kind input", NULL);
    g = base();
    om_value *v = om_graph_add_value(g, "stray", OM_DT_FLOAT, NULL);
    v->kind = OM_VALUE_INPUT;
    expect_invalid(g, "value 'stray' has kind input but is not a graph input", NULL);
}

static void test_bad_dtype_and_rank(void **state)
{
    (void)state;
    om_graph *g = base();
    val(g, "r")->dtype = (om_dtype)55;
    expect_invalid(g, "value 'r' has unknown dtype 55", NULL);
    g = base();
    val(g, "r")->shape.rank = 12;
    expect_invalid(g, "value 'r' has rank 12", NULL);
    g = base();
    val(g, "c")->shape.dims[1] = -5;
    expect_invalid(g, "value 'c' has dim 1 = -5", NULL);
}

static void test_attrs(void **state)
{
    (void)state;
    om_graph *g = base();
    om_node *conv = node(g, "conv");
    om_node_set_int(g, conv, "group", 1);
    conv->attrs[1].name = "kernel_shape";
    expect_invalid(g, "node 'conv' (Conv): attribute 'kernel_shape' appears twice", NULL);
    g = base();
    conv = node(g, "conv");
    conv->attrs[0].ints = NULL;
    expect_invalid(g, "node 'conv' (Conv): attribute 'kernel_shape' has missing data", NULL);
    g = base();
    conv = node(g, "conv");
    conv->attrs[0].kind = (om_attr_kind)42;
    expect_invalid(g, "node 'conv' (Conv): attribute 'kernel_shape' has unknown kind 42", NULL);
    g = base();
    conv = node(g, "conv");
    om_node_set_tensor(g, conv, "t", val(g, "w"));
    assert_int_equal(om_ir_verify(g), OM_OK);
    ((om_attr *)om_node_attr(conv, "t"))->tensor->nbytes = 3;
    expect_invalid(g, "node 'conv' (Conv): tensor attribute 't'", "has 3 bytes of data");
}

static void test_duplicate_node_ids(void **state)
{
    (void)state;
    om_graph *g = base();
    node(g, "relu")->id = node(g, "conv")->id;
    expect_invalid(g, "node id", "is used by two nodes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_and_null),
        cmocka_unit_test(test_too_few_inputs),
        cmocka_unit_test(test_too_many_inputs),
        cmocka_unit_test(test_wrong_output_count),
        cmocka_unit_test(test_variadic_ok_and_unnamed_node),
        cmocka_unit_test(test_required_input_omitted),
        cmocka_unit_test(test_foreign_input),
        cmocka_unit_test(test_output_is_graph_input),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_bad_id),
        cmocka_unit_test(test_constant_size),
        cmocka_unit_test(test_used_without_producer),
        cmocka_unit_test(test_unused_orphan_tolerated_and_dead_ignored),
        cmocka_unit_test(test_two_producers),
        cmocka_unit_test(test_producer_field_mismatch),
        cmocka_unit_test(test_not_topological),
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_input_kinds),
        cmocka_unit_test(test_bad_dtype_and_rank),
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_duplicate_node_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
