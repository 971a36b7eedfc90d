/* Tests for the precision pass's option readers and the pass itself: passes/precision_json.c
 * (the tiny JSON reader, its file:line:col errors), passes/precision_config.c (mode and
 * output-type names, --input-fp16-nodes, --keep-dtype, --modify-mixlist) and
 * passes/precision.c (decisions, shared casts, constant conversion, boundaries). */
#include <math.h>

#include "ir/half.h"
#include "pass_test_util.h"
#include "passes/precision.h"

#define TXT(s) (s), strlen(s)

/* ---- JSON ------------------------------------------------------------------------------ */

static void test_json_parses_nested(void **state)
{
    (void)state;
    om_pass_json *j = NULL;
    const char *t = "{\"a\": [1, -2.5e1, \"x\\n\\u0041\"], \"b\": {\"c\": true, \"d\": null}, \"e\": false}";
    assert_int_equal(om_pass_json_parse(TXT(t), "t.json", &j), OM_OK);
    assert_int_equal(j->kind, OM_JSON_OBJECT);
    assert_int_equal(j->n_items, 3);
    assert_string_equal(j->items[0].key, "a");
    assert_int_equal(j->items[0].kind, OM_JSON_ARRAY);
    assert_int_equal(j->items[0].n_items, 3);
    assert_true(j->items[0].items[1].num == -25.0);
    assert_string_equal(j->items[0].items[2].str, "x\nA");
    assert_int_equal(j->items[1].items[0].kind, OM_JSON_BOOL);
    assert_true(j->items[1].items[0].b);
    assert_int_equal(j->items[1].items[1].kind, OM_JSON_NULL);
    assert_false(j->items[2].b);
    assert_int_equal(j->items[1].line, 1);
    assert_int_equal(j->items[1].col, 38);
    om_pass_json_free(j);
}

static void expect_json_error(const char *text, const char *msg)
{
    om_pass_json *j = (om_pass_json *)1;
    t_expect_error(om_pass_json_parse(TXT(text), "f.json", &j), OM_ERR_PARSE, msg);
    assert_null(j);
}

static void test_json_errors_name_line_and_column(void **state)
{
    (void)state;
    expect_json_error("{\"a\": [1,\n  2 3]}", "f.json:2:5: expected ',' or ']', found '3'");
    expect_json_error("{\"a\" 1}", "f.json:1:6: expected ':' after the member name, found '1'");
    expect_json_error("{\"a\": \"abc", "f.json:1:11: expected '\"' closing the string, found end of file");
    expect_json_error("{\"a\": \"\\q\"}", "f.json:1:9: expected one of");
    expect_json_error("[1] x", "f.json:1:5: expected end of file after the JSON value, found 'x'");
    expect_json_error("", "f.json:1:1: expected a value");
    expect_json_error("{1: 2}", "f.json:1:2: expected a member name");
    expect_json_error("[tru]", "f.json:1:2: expected a value");
    expect_json_error("{\"a\": \"\\u12G4\"}", "4 hex digits");
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    expect_json_error(deep, "nesting deeper than 64 levels");
}

/* ---- names ------------------------------------------------------------------------------ */

static void test_mode_names(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        om_pass_precision_mode m;
    } names[] = {
        {"fp32", "must_keep_origin_dtype", OM_PRECISION_FP32},
        {"fp16", "force_fp16", OM_PRECISION_FP16},
        {"mixed", "allow_mix_precision", OM_PRECISION_MIXED},
        {"bf16", "allow_fp32_to_bf16", OM_PRECISION_BF16},
        {"mixed-bf16", "allow_mix_precision_bf16", OM_PRECISION_MIXED_BF16},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        om_pass_precision_mode m = (om_pass_precision_mode)-1;
        assert_int_equal(om_pass_precision_parse_mode(names[i].a, &m), OM_OK);
        assert_int_equal(m, names[i].m);
        m = (om_pass_precision_mode)-1;
        assert_int_equal(om_pass_precision_parse_mode(names[i].b, &m), OM_OK);
        assert_int_equal(m, names[i].m);
        assert_string_equal(om_pass_precision_mode_name(names[i].m), names[i].a);
    }
    om_pass_precision_mode m;
    t_expect_error(om_pass_precision_parse_mode("FP16", &m), OM_ERR_INVALID_ARGUMENT, "unknown precision mode 'FP16'");
    t_expect_error(om_pass_precision_parse_mode("", &m), OM_ERR_INVALID_ARGUMENT, "unknown precision mode ''");
    assert_int_equal(om_pass_precision_low_dtype(OM_PRECISION_MIXED), OM_DT_FLOAT16);
    assert_int_equal(om_pass_precision_low_dtype(OM_PRECISION_MIXED_BF16), OM_DT_BFLOAT16);
    assert_int_equal(om_pass_precision_low_dtype(OM_PRECISION_FP32), OM_DT_UNDEFINED);
    assert_true(om_pass_precision_is_mixed(OM_PRECISION_MIXED_BF16));
    assert_false(om_pass_precision_is_mixed(OM_PRECISION_BF16));
}

static void test_output_type_names(void **state)
{
    (void)state;
    om_dtype d = OM_DT_UNDEFINED;
    assert_int_equal(om_pass_precision_parse_output_type("FP16", &d), OM_OK);
    assert_int_equal(d, OM_DT_FLOAT16);
    assert_int_equal(om_pass_precision_parse_output_type("fp32", &d), OM_OK);
    assert_int_equal(d, OM_DT_FLOAT);
    t_expect_error(om_pass_precision_parse_output_type("UINT8", &d), OM_ERR_INVALID_ARGUMENT, "unknown output type 'UINT8'");
    t_expect_error(om_pass_precision_parse_output_type("float16float", &d), OM_ERR_INVALID_ARGUMENT, "unknown output type");
}

static void test_fp16_inputs_split(void **state)
{
    (void)state;
    om_pass_precision_opts o = {0};
    assert_int_equal(om_pass_precision_add_fp16_inputs(&o, " a ; b;;c;"), OM_OK);
    assert_int_equal(om_pass_precision_add_fp16_inputs(&o, "d"), OM_OK);
    assert_int_equal(o.n_fp16_inputs, 4);
    assert_string_equal(o.fp16_inputs[0], "a");
    assert_string_equal(o.fp16_inputs[1], "b");
    assert_string_equal(o.fp16_inputs[2], "c");
    assert_string_equal(o.fp16_inputs[3], "d");
    om_pass_precision_opts_free(&o);
    assert_int_equal(o.n_fp16_inputs, 0);
    assert_null(o.fp16_inputs);
}

/* ---- list files ------------------------------------------------------------------------- */

static void test_keep_dtype_file(void **state)
{
    (void)state;
    om_pass_precision_opts o = {0};
    const char *t = "conv1\r\n  # comment\n\n  OpType::Softmax  \nlayer 2/gemm\n";
    assert_int_equal(om_pass_precision_parse_keep_dtype(&o, TXT(t), "k.txt"), OM_OK);
    assert_int_equal(o.n_keep_names, 2);
    assert_string_equal(o.keep_names[0], "conv1");
    assert_string_equal(o.keep_names[1], "layer 2/gemm");
    assert_true(o.keep_op[OM_OP_SOFTMAX]);
    assert_false(o.keep_op[OM_OP_CONV]);
    t_expect_error(om_pass_precision_parse_keep_dtype(&o, TXT("a\nb\nOpType::Softmaxx\n"), "k.txt"), OM_ERR_PARSE,
                   "k.txt:3:9: unknown op type 'Softmaxx'");
    om_pass_precision_opts_free(&o);
    t_expect_error(om_pass_precision_load_keep_dtype(&o, "/nonexistent/keep.txt"), OM_ERR_IO,
                   "cannot open '/nonexistent/keep.txt'");
    om_pass_precision_opts_free(&o);
}

static void test_mixlist_add_remove(void **state)
{
    (void)state;
    om_pass_precision_opts o = {0};
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_CONV), OM_PREC_ALLOW);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_SOFTMAX), OM_PREC_DENY);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_RELU), OM_PREC_INFER);
    const char *t = "{\n"
                    "  \"allow_list\": {\"to-add\": [\"Softmax\"], \"to-remove\": [\"Conv\"]},\n"
                    "  \"deny_list\": {\"to-add\": [\"Relu\"], \"to-remove\": [\"Softmax\", \"Exp\"]},\n"
                    "  \"gray_list\": {\"to-remove\": [\"Gemm\"]}\n"
                    "}\n";
    assert_int_equal(om_pass_precision_parse_mixlist(&o, TXT(t), "m.json"), OM_OK);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_SOFTMAX), OM_PREC_ALLOW); /* removal from deny: not there */
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_CONV), OM_PREC_NONE);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_RELU), OM_PREC_DENY);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_EXP), OM_PREC_NONE);
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_GEMM), OM_PREC_ALLOW);    /* not on the infer list */
    assert_int_equal(om_pass_precision_op_class(&o, OM_OP_MATMUL), OM_PREC_ALLOW);  /* untouched */
    assert_int_equal(om_pass_precision_default_class(OM_OP_CONV), OM_PREC_ALLOW);
    om_pass_precision_opts_free(&o);
}

static void expect_mixlist_error(const char *text, const char *msg)
{
    om_pass_precision_opts o = {0};
    t_expect_error(om_pass_precision_parse_mixlist(&o, TXT(text), "m.json"), OM_ERR_PARSE, msg);
    om_pass_precision_opts_free(&o);
}

static void test_mixlist_errors(void **state)
{
    (void)state;
    expect_mixlist_error("[]", "m.json:1:1: expected an object");
    expect_mixlist_error("{\"allow\": {}}", "m.json:1:11: unknown list (expected allow_list, deny_list or infer_list): 'allow'");
    expect_mixlist_error("{\"deny_list\": []}", "m.json:1:15: expected an object {\"to-add\"");
    expect_mixlist_error("{\"deny_list\": {\"add\": []}}", "m.json:1:23: unknown key (expected to-add or to-remove): 'add'");
    expect_mixlist_error("{\"deny_list\": {\"to-add\": \"Conv\"}}", "m.json:1:26: expected an array of op type names");
    expect_mixlist_error("{\"deny_list\": {\"to-add\": [\"Conv\", 3]}}", "m.json:1:35: expected an op type name");
    expect_mixlist_error("{\"deny_list\":\n {\"to-add\": [\"Convv\"]}}", "m.json:2:14: unknown op type 'Convv'");
    expect_mixlist_error("{\"deny_list\": {\"to-add\": [\"Conv\"], \"to-remove\": [\"Conv\"]}}",
                         "both added to and removed from one list: 'Conv'");
    expect_mixlist_error("{\"deny_list\": {\"to-add\": [\"Conv\"],}}", "m.json:1:35: expected a member name");
}

/* ---- the pass --------------------------------------------------------------------------- */

static om_value *val(om_graph *g, const char *name)
{
    om_value *v = om_graph_find_value(g, name);
    if (!v)
        fail_msg("no value '%s'", name);
    return v;
}

static om_graph *parse(const char *text)
{
    om_graph *g = NULL;
    assert_int_equal(om_ir_parse(TXT(text), "t.ir", &g), OM_OK);
    return g;
}

static om_status run(om_graph *g, om_pass_precision_opts *po, om_stats *st)
{
    om_pass_opts opts = {.stats = st, .pass_name = "precision", .precision = po};
    bool changed = false;
    om_status s = om_pass_precision(g, &opts, &changed);
    if (s == OM_OK)
        assert_int_equal(om_ir_verify(g), OM_OK);
    return s;
}

static int count_op(const om_graph *g, om_op op)
{
    int n = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        n += !g->nodes[i]->dead && g->nodes[i]->op == op;
    return n;
}

static const char *two_convs =
    "graph \"g\" opset 17 {\n"
    "  input %x : f32[1,2,1,1]\n"
    "  const %w : f32[2,2,1,1] = [0.1, 1.0, 65504.0, -3.0]\n"
    "  %a : f32[1,2,1,1] = Conv(%x, %w) name \"c1\"\n"
    "  %b : f32[1,2,1,1] = Conv(%x, %w) name \"c2\"\n"
    "  %s : f32[1,2,1,1] = Add(%a, %b) name \"add\"\n"
    "  %t : f32[1,2,1,1] = Softmax(%s) {axis = 1} name \"sm\"\n"
    "  output %t\n"
    "}\n";

static void test_pass_mixed_shares_casts_and_converts_weights(void **state)
{
    (void)state;
    om_graph *g = parse(two_convs);
    om_pass_precision_opts po = {.mode = OM_PRECISION_MIXED};
    om_stats *st = om_stats_create();
    assert_int_equal(run(g, &po, st), OM_OK);
    /* x -> f16 once (shared by both Convs), s -> f32 once before the Softmax */
    assert_int_equal(count_op(g, OM_OP_CAST), 2);
    assert_int_equal(val(g, "a")->dtype, OM_DT_FLOAT16);
    assert_int_equal(val(g, "s")->dtype, OM_DT_FLOAT16);
    assert_int_equal(val(g, "t")->dtype, OM_DT_FLOAT);
    assert_int_equal(val(g, "x")->dtype, OM_DT_FLOAT);
    /* one converted weight, shared; values rounded to nearest even */
    om_value *w16 = val(g, "w_f16");
    assert_int_equal(w16->dtype, OM_DT_FLOAT16);
    assert_int_equal(w16->kind, OM_VALUE_CONSTANT);
    const uint16_t *h = w16->data;
    assert_int_equal(h[0], om_ir_f32_to_f16(0.1f));
    assert_int_equal(h[2], 0x7bff); /* 65504 is fp16's max: kept */
    assert_true(om_ir_f16_to_f32(h[3]) == -3.0f);
    for (size_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i]->op == OM_OP_CONV)
            assert_ptr_equal(g->nodes[i]->inputs[1], w16);
    assert_int_equal(t_stat(st, "precision", "nodes-low"), 3);
    assert_int_equal(t_stat(st, "precision", "nodes-f32"), 1);
    assert_int_equal(t_stat(st, "precision", "casts-inserted"), 2);
    assert_int_equal(t_stat(st, "precision", "constants-converted"), 1);
    assert_int_equal(t_stat(st, "precision", "constant-bytes-saved"), 8);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_pass_fp16_softmax_low_and_output_cast(void **state)
{
    (void)state;
    om_graph *g = parse(two_convs);
    om_pass_precision_opts po = {.mode = OM_PRECISION_FP16};
    assert_int_equal(run(g, &po, NULL), OM_OK);
    /* the deny-listed Softmax runs in f16 in the force mode; the output stays f32 */
    om_value *t = val(g, "t");
    assert_int_equal(t->dtype, OM_DT_FLOAT);
    assert_int_equal(t->producer->op, OM_OP_CAST);
    assert_int_equal(t->producer->inputs[0]->producer->op, OM_OP_SOFTMAX);
    assert_int_equal(t->producer->inputs[0]->dtype, OM_DT_FLOAT16);
    assert_int_equal(count_op(g, OM_OP_CAST), 2);
    om_graph_destroy(g);
}

static void test_pass_keep_dtype_and_refusal(void **state)
{
    (void)state;
    om_graph *g = parse("graph \"g\" opset 17 {\n"
                        "  input %x : f32[1,2]\n"
                        "  const %w : f32[2,2] = [1.0, 2.0, 3.0, 70000.0]\n"
                        "  const %v : f32[2,2] = [1.0, 2.0, 3.0, 4.0]\n"
                        "  %a : f32[1,2] = MatMul(%x, %w) name \"big\"\n"
                        "  %b : f32[1,2] = MatMul(%a, %v) name \"kept\"\n"
                        "  %c : f32[1,2] = MatMul(%b, %v) name \"low\"\n"
                        "  output %c\n"
                        "}\n");
    om_pass_precision_opts po = {.mode = OM_PRECISION_FP16};
    assert_int_equal(om_pass_precision_parse_keep_dtype(&po, TXT("kept\n"), "k"), OM_OK);
    om_stats *st = om_stats_create();
    assert_int_equal(run(g, &po, st), OM_OK);
    assert_int_equal(val(g, "a")->dtype, OM_DT_FLOAT);
    assert_int_equal(val(g, "b")->dtype, OM_DT_FLOAT);
    assert_int_equal(t_stat(st, "precision", "refused-constant-range"), 1);
    assert_int_equal(t_stat(st, "precision", "kept-dtype"), 1);
    assert_int_equal(t_stat(st, "precision", "nodes-low"), 1);
    om_stats_destroy(st);
    om_pass_precision_opts_free(&po);
    om_graph_destroy(g);

    /* bf16 has f32's range: no refusal */
    g = parse("graph \"g\" opset 17 {\n"
              "  input %x : f32[1,2]\n"
              "  const %w : f32[2,2] = [1.0, 2.0, 3.0, 70000.0]\n"
              "  %a : f32[1,2] = MatMul(%x, %w) name \"big\"\n"
              "  output %a\n"
              "}\n");
    po = (om_pass_precision_opts){.mode = OM_PRECISION_BF16};
    assert_int_equal(run(g, &po, NULL), OM_OK);
    assert_int_equal(val(g, "a")->dtype, OM_DT_FLOAT);         /* the output, after its cast */
    assert_int_equal(val(g, "w_bf16")->dtype, OM_DT_BFLOAT16);
    assert_int_equal(((const uint16_t *)val(g, "w_bf16")->data)[3], om_ir_f32_to_bf16(70000.0f));
    om_graph_destroy(g);
}

static void test_pass_noop_and_bad_input_name(void **state)
{
    (void)state;
    om_graph *g = parse(two_convs);
    size_t nodes = g->n_nodes;
    assert_int_equal(run(g, NULL, NULL), OM_OK);
    om_pass_precision_opts po = {.mode = OM_PRECISION_FP32};
    assert_int_equal(run(g, &po, NULL), OM_OK);
    assert_int_equal(g->n_nodes, nodes);
    assert_int_equal(count_op(g, OM_OP_CAST), 0);
    assert_int_equal(om_pass_precision_add_fp16_inputs(&po, "y"), OM_OK);
    t_expect_error(run(g, &po, NULL), OM_ERR_INVALID_ARGUMENT, "'y' is not a graph input (inputs: x)");
    om_pass_precision_opts_free(&po);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_parses_nested),
        cmocka_unit_test(test_json_errors_name_line_and_column),
        cmocka_unit_test(test_mode_names),
        cmocka_unit_test(test_output_type_names),
        cmocka_unit_test(test_fp16_inputs_split),
        cmocka_unit_test(test_keep_dtype_file),
        cmocka_unit_test(test_mixlist_add_remove),
        cmocka_unit_test(test_mixlist_errors),
        cmocka_unit_test(test_pass_mixed_shares_casts_and_converts_weights),
        cmocka_unit_test(test_pass_fp16_softmax_low_and_output_cast),
        cmocka_unit_test(test_pass_keep_dtype_and_refusal),
        cmocka_unit_test(test_pass_noop_and_bad_input_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
