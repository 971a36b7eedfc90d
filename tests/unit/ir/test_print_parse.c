/* Unit tests for the IR text format: print -> parse -> print is byte-identical on graphs
 * with every attribute kind, quoted names, symbolic dims, omitted inputs, multi-output
 * nodes, constants of every dtype (list and hex forms), nan/inf and show_mem; constant
 * data survives bit-exactly; parser errors carry file:line:col, the line and a caret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ir/ir.h"

static char *print_str(const om_graph *g, const om_print_opts *opts)
{
    char *s = NULL;
    assert_int_equal(om_ir_print_to_string(g, opts, &s), OM_OK);
    assert_non_null(s);
    return s;
}

static om_graph *parse_ok(const char *text)
{
    om_graph *g = NULL;
    om_status st = om_ir_parse(text, strlen(text), "t.ir", &g);
    if (st != OM_OK)
        fail_msg("parse failed: %s\n--- text ---\n%s", om_last_error(), text);
    assert_non_null(g);
    return g;
}

/* Prints g, parses it back, prints again; both texts must be identical. Returns the
 * reparsed graph (caller destroys). */
static om_graph *round_trip(const om_graph *g, const om_print_opts *opts)
{
    char *a = print_str(g, opts);
    om_graph *g2 = parse_ok(a);
    char *b = print_str(g2, opts);
    if (strcmp(a, b) != 0)
        fail_msg("round trip differs:\n--- first ---\n%s--- second ---\n%s", a, b);
    free(a);
    free(b);
    return g2;
}

static const char *example =
    "# comment to end of line\n"
    "graph \"main\" opset 17 {\n"
    "  input %x : f32[1,3,224,224]\n"
    "  input %ids : i64[batch,128]            # symbolic dim\n"
    "  input %any : f32[*]                    # unknown rank\n"
    "  const %w : f32[2,2] = [1.5, 2.0, 3.0, -4.0]\n"
    "  const %s : i64[] = [3]\n"
    "  %y : f32[1,64,112,112] = Conv(%x, %w, _) {kernel_shape = [7, 7], strides = [2, 2], "
    "auto_pad = \"NOTSET\", alpha = 0.5} name \"conv1\"\n"
    "  %a : f32[2], %b : f32[2] = MaxPool(%x) {axis = 0}\n"
    "  %z = Relu(%y)\n"
    "  output %y, %z\n"
    "}\n";

static void test_example_parses(void **state)
{
    (void)state;
    om_graph *g = parse_ok(example);
    assert_string_equal(g->name, "main");
    assert_int_equal(g->opset, 17);
    assert_int_equal(g->n_inputs, 3);
    assert_int_equal(g->n_nodes, 3);
    assert_int_equal(g->n_outputs, 2);
    om_value *ids = om_graph_find_value(g, "ids");
    assert_int_equal(ids->dtype, OM_DT_INT64);
    assert_int_equal(ids->shape.rank, 2);
    assert_int_equal(ids->shape.dims[0], OM_DIM_UNKNOWN);
    assert_string_equal(ids->shape.syms[0], "batch");
    assert_int_equal(ids->shape.dims[1], 128);
    assert_int_equal(om_graph_find_value(g, "any")->shape.rank, -1);
    om_value *w = om_graph_find_value(g, "w");
    assert_int_equal(w->kind, OM_VALUE_CONSTANT);
    const float *wd = w->data;
    assert_true(wd[0] == 1.5f && wd[3] == -4.0f);
    om_value *s = om_graph_find_value(g, "s");
    assert_int_equal(s->shape.rank, 0);
    assert_int_equal(*(const int64_t *)s->data, 3);
    om_node *conv = g->nodes[0];
    assert_int_equal(conv->op, OM_OP_CONV);
    assert_string_equal(conv->name, "conv1");
    assert_int_equal(conv->n_inputs, 3);
    assert_null(conv->inputs[2]);
    const int64_t *ks;
    assert_int_equal(om_node_ints(conv, "kernel_shape", &ks), 2);
    assert_int_equal(ks[0], 7);
    assert_string_equal(om_node_string(conv, "auto_pad", ""), "NOTSET");
    assert_true(om_node_float(conv, "alpha", 0) == 0.5f);
    assert_string_equal(conv->attrs[0].name, "kernel_shape"); /* stored order */
    assert_string_equal(conv->attrs[3].name, "alpha");
    om_node *mp = g->nodes[1];
    assert_int_equal(mp->n_outputs, 2);
    assert_ptr_equal(om_graph_find_value(g, "b")->producer, mp);
    assert_int_equal(om_graph_find_value(g, "b")->producer_output, 1);
    om_value *z = om_graph_find_value(g, "z");
    assert_int_equal(z->dtype, OM_DT_UNDEFINED);
    assert_int_equal(z->shape.rank, -1);
    assert_string_equal(g->nodes[2]->name, "");
    assert_true(z->is_output);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(round_trip(g, NULL));
    om_graph_destroy(g);
}

static void test_exact_printed_form(void **state)
{
    (void)state;
    om_graph *g = parse_ok("graph \"g\" { input %x : f32[2] %y=Relu(%x){alpha=1e-5,b=[1,2],"
                           "c=[1.0,2.5],d=\"s\",e=ints[],\"odd name\"=7} output %y }");
    char *s = print_str(g, NULL);
    assert_string_equal(s,
                        "graph \"g\" opset 0 {\n"
                        "  input %x : f32[2]\n"
                        "  %y = Relu(%x) {alpha = 9.99999975e-06, b = [1, 2], c = [1.0, 2.5], "
                        "d = \"s\", e = ints[], \"odd name\" = 7}\n"
                        "  output %y\n"
                        "}\n");
    free(s);
    om_graph_destroy(g);
}

/* Builds a graph with constants of every numeric dtype (list and hex sizes), every
 * attribute kind, quoted names and special floats. */
static om_graph *build_everything(void)
{
    om_graph *g = om_graph_create("every \"thing\"\n");
    g->opset = 13;
    int64_t d2[2] = {-1, 4};
    om_shape in_shape = om_shape_make(2, d2);
    in_shape.syms[0] = "batch size"; /* not an identifier: quoted */
    om_value *x = om_graph_add_value(g, "in put", OM_DT_FLOAT, &in_shape);
    om_graph_add_input(g, x);
    om_shape sym2 = om_shape_make(2, d2);
    sym2.syms[0] = "N";
    om_value *x2 = om_graph_add_value(g, "x.2:a/b-c", OM_DT_FLOAT16, &sym2);
    om_graph_add_input(g, x2);

    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16,
                                   OM_DT_INT8, OM_DT_INT16, OM_DT_INT32, OM_DT_INT64,
                                   OM_DT_UINT8, OM_DT_UINT16, OM_DT_UINT32, OM_DT_UINT64,
                                   OM_DT_BOOL, OM_DT_COMPLEX64, OM_DT_COMPLEX128};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        for (int big = 0; big < 2; big++) {
            int64_t n = big ? 100 : 7;
            om_shape s = om_shape_make(1, &n);
            size_t es = om_dtype_size(dts[i]);
            unsigned char *buf = malloc((size_t)n * es);
            for (size_t k = 0; k < (size_t)n * es; k++)
                buf[k] = (unsigned char)(k * 37 + i * 11 + 5);
            if (dts[i] == OM_DT_BOOL)
                for (int64_t k = 0; k < n; k++)
                    buf[k] &= 1;
            if (dts[i] == OM_DT_FLOAT) { /* specials, avoiding NaN payload loss */
                float sp[4] = {INFINITY, -INFINITY, -0.0f, 1e-45f};
                memcpy(buf, sp, sizeof sp);
            }
            if (dts[i] == OM_DT_DOUBLE) {
                double sp[3] = {INFINITY, 0.1, -1e-320};
                memcpy(buf, sp, sizeof sp);
            }
            if (dts[i] == OM_DT_FLOAT16 || dts[i] == OM_DT_BFLOAT16) /* no NaN patterns */
                for (int64_t k = 0; k < n; k++)
                    buf[2 * k + 1] &= 0x3f;
            if ((dts[i] == OM_DT_FLOAT || dts[i] == OM_DT_DOUBLE) && big == 0) {
                /* keep NaN bytes out of the list form; keep finite randoms in range */
                for (size_t k = (dts[i] == OM_DT_FLOAT ? 16 : 24); k < (size_t)n * es; k += es)
                    buf[k + es - 1] &= 0x3f;
            }
            char name[32];
            snprintf(name, sizeof name, "c_%s_%d", om_dtype_name(dts[i]), big);
            assert_non_null(om_graph_add_constant(g, name, dts[i], &s, buf, (size_t)n * es));
            free(buf);
        }
    }
    om_shape sc = om_shape_scalar();
    float nanv = NAN;
    om_graph_add_constant(g, "nan scalar", OM_DT_FLOAT, &sc, &nanv, 4);

    om_value *a = om_graph_add_value(g, "a", OM_DT_FLOAT, &in_shape);
    om_value *b = om_graph_add_value(g, "b", OM_DT_INT64, &sym2);
    om_value *ins[3] = {x, om_graph_find_value(g, "c_f32_0"), NULL};
    om_node *conv = om_graph_add_node(g, OM_OP_CONV, "conv \"1\"", ins, 3, &a, 1);
    om_node_set_int(g, conv, "group", -9223372036854775807LL - 1);
    om_node_set_float(g, conv, "alpha", 0.1f);
    om_node_set_float(g, conv, "pinf", INFINITY);
    om_node_set_float(g, conv, "ninf", -INFINITY);
    om_node_set_float(g, conv, "nan", NAN);
    om_node_set_float(g, conv, "whole", 3.0f);
    om_node_set_float(g, conv, "tiny", 1e-40f);
    om_node_set_string(g, conv, "s", "tab\there \"q\" \\ \x01 é");
    int64_t iv[3] = {1, -2, 3};
    om_node_set_ints(g, conv, "ints", iv, 3);
    float fv[4] = {1.0f, 0.333333343f, NAN, -INFINITY};
    om_node_set_floats(g, conv, "floats", fv, 4);
    const char *sv[2] = {"", "x y"};
    om_node_set_strings(g, conv, "strings", sv, 2);
    om_node_set_ints(g, conv, "no_ints", NULL, 0);
    om_node_set_floats(g, conv, "no_floats", NULL, 0);
    om_node_set_strings(g, conv, "no_strings", NULL, 0);
    int32_t tv[3] = {7, 8, 9};
    int64_t three = 3;
    om_shape ts = om_shape_make(1, &three);
    om_value *tc = om_graph_add_constant(g, "tval", OM_DT_INT32, &ts, tv, sizeof tv);
    om_node_set_tensor(g, conv, "tensor", tc);
    uint8_t big[200];
    for (int i = 0; i < 200; i++)
        big[i] = (uint8_t)i;
    int64_t n200 = 200;
    om_shape bs = om_shape_make(1, &n200);
    om_value *bc = om_graph_add_constant(g, "bigt", OM_DT_UINT8, &bs, big, sizeof big);
    om_node_set_tensor(g, conv, "big tensor", bc);

    om_value *mo[2] = {om_graph_add_value(g, "%weird", OM_DT_UNDEFINED, &in_shape),
                       om_graph_add_value(g, "", OM_DT_FLOAT, NULL)};
    om_node *mp = om_graph_add_node(g, OM_OP_MAX_POOL, "", &a, 1, mo, 2);
    (void)mp;
    om_value *cat_in[4] = {a, mo[0], mo[1], a};
    om_node *cat = om_graph_add_node(g, OM_OP_CONCAT, "cat", cat_in, 4, &b, 1);
    om_node_set_int(g, cat, "axis", 1);
    om_graph_add_output(g, b);
    om_graph_add_output(g, mo[1]);
    return g;
}

static void test_round_trip_everything(void **state)
{
    (void)state;
    om_graph *g = build_everything();
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph *g2 = round_trip(g, NULL);
    assert_int_equal(om_ir_verify(g2), OM_OK);
    assert_string_equal(g2->name, g->name);
    assert_int_equal(g2->n_values, g->n_values);
    /* constant data is bit-identical (the NaN scalar aside) */
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        const om_value *w = om_graph_find_value(g2, v->name);
        assert_non_null(w);
        assert_int_equal(w->kind, v->kind);
        assert_int_equal(w->dtype, v->dtype);
        assert_true(om_shape_equal(&w->shape, &v->shape));
        if (v->kind == OM_VALUE_CONSTANT && strcmp(v->name, "nan scalar") != 0) {
            assert_int_equal(w->nbytes, v->nbytes);
            assert_memory_equal(w->data, v->data, v->nbytes);
        }
    }
    float nv = *(const float *)om_graph_find_value(g2, "nan scalar")->data;
    assert_true(isnan(nv));
    /* attributes survive exactly */
    om_node *c1 = g->nodes[0], *c2 = g2->nodes[0];
    assert_string_equal(c2->name, "conv \"1\"");
    assert_int_equal(c2->n_attrs, c1->n_attrs);
    assert_int_equal(om_node_int(c2, "group", 0), INT64_MIN);
    assert_true(om_node_float(c2, "alpha", 0) == 0.1f);
    assert_true(om_node_float(c2, "tiny", 0) == 1e-40f);
    assert_true(isnan(om_node_float(c2, "nan", 0)));
    assert_string_equal(om_node_string(c2, "s", ""), "tab\there \"q\" \\ \x01 é");
    const om_attr *t = om_node_attr(c2, "tensor");
    assert_int_equal(t->kind, OM_ATTR_TENSOR);
    assert_int_equal(t->tensor->dtype, OM_DT_INT32);
    assert_int_equal(((const int32_t *)t->tensor->data)[2], 9);
    const om_attr *bt = om_node_attr(c2, "big tensor");
    assert_int_equal(bt->tensor->nbytes, 200);
    assert_int_equal(((const uint8_t *)bt->tensor->data)[199], 199);
    assert_int_equal(om_node_attr(c2, "no_strings")->kind, OM_ATTR_STRINGS);
    assert_int_equal(om_node_attr(c2, "no_strings")->count, 0);
    assert_string_equal(om_node_attr(c2, "strings")->strings[0], "");
    /* symbolic dims */
    om_value *in = om_graph_find_value(g2, "in put");
    assert_string_equal(in->shape.syms[0], "batch size");
    assert_int_equal(om_graph_find_value(g2, "%weird")->dtype, OM_DT_UNDEFINED);
    assert_non_null(om_graph_find_value(g2, ""));
    om_graph_destroy(g2);

    /* the printed text has the documented forms */
    char *s = print_str(g, NULL);
    assert_non_null(strstr(s, "input %\"in put\" : f32[\"batch size\",4]\n"));
    assert_non_null(strstr(s, "input %x.2:a/b-c : f16[N,4]\n"));
    assert_non_null(strstr(s, "= hex\""));
    assert_non_null(strstr(s, "const %c_f32_0 : f32[7] = [inf, -inf, -0.0, 1.40129846e-45, "));
    assert_non_null(strstr(s, "const %c_c64_0 : c64[7] = hex\""));
    assert_non_null(strstr(s, "alpha = 0.100000001, pinf = inf, ninf = -inf, nan = nan, whole = 3.0"));
    assert_non_null(strstr(s, "s = \"tab\\there \\\"q\\\" \\\\ \\x01 é\""));
    assert_non_null(strstr(s, "no_ints = ints[], no_floats = floats[], no_strings = strings[]"));
    assert_non_null(strstr(s, "tensor = tensor<i32[3]> [7, 8, 9]"));
    assert_non_null(strstr(s, "Conv(%\"in put\", %c_f32_0, _)"));
    assert_non_null(strstr(s, "%\"%weird\" : ?[\"batch size\",4], %\"\" : f32[*] = MaxPool(%a)\n"));
    assert_non_null(strstr(s, "name \"conv \\\"1\\\"\"\n"));
    assert_non_null(strstr(s, "  output %b, %\"\"\n"));
    assert_null(strstr(s, "const %tval")); /* tensor attribute constants are not graph values */
    free(s);
    om_graph_destroy(g);
}

static void test_print_to_file_matches_string(void **state)
{
    (void)state;
    om_graph *g = build_everything();
    char *s = print_str(g, NULL);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(om_ir_print(g, f, NULL), OM_OK);
    long len = ftell(f);
    assert_int_equal((size_t)len, strlen(s));
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    assert_string_equal(buf, s);
    fclose(f);
    free(buf);
    free(s);
    assert_int_equal(om_ir_print(NULL, stdout, NULL), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(g);
}

static void test_show_mem(void **state)
{
    (void)state;
    om_graph *g = parse_ok("graph \"m\" opset 17 arena 4096 {\n"
                           "  input %x : f32[4]\n"
                           "  %y : f32[4] mem(128) = Relu(%x)\n"
                           "  %z mem(0) = Relu(%y)\n"
                           "  output %z\n}\n");
    assert_int_equal(g->arena_size, 4096);
    assert_int_equal(om_graph_find_value(g, "y")->mem_offset, 128);
    assert_int_equal(om_graph_find_value(g, "z")->mem_offset, 0);
    assert_int_equal(om_graph_find_value(g, "x")->mem_offset, -1);
    om_print_opts mem = {.show_mem = true};
    om_graph *g2 = round_trip(g, &mem);
    char *s = print_str(g2, &mem);
    assert_non_null(strstr(s, "graph \"m\" opset 17 arena 4096 {\n"));
    assert_non_null(strstr(s, "%y : f32[4] mem(128) = Relu(%x)\n"));
    assert_non_null(strstr(s, "%z mem(0) = Relu(%y)\n"));
    free(s);
    s = print_str(g2, NULL); /* without show_mem nothing of it appears */
    assert_null(strstr(s, "mem("));
    assert_null(strstr(s, "arena"));
    free(s);
    om_graph_destroy(g2);
    om_graph_destroy(g);
}

static void test_elide(void **state)
{
    (void)state;
    om_graph *g = build_everything();
    om_print_opts el = {.elide_above = 10};
    char *s = print_str(g, &el);
    assert_non_null(strstr(s, "const %c_f32_1 : f32[100] = <elided 400 bytes>\n"));
    assert_non_null(strstr(s, "const %c_f32_0 : f32[7] = [")); /* small ones stay */
    assert_non_null(strstr(s, "big tensor\" = tensor<u8[200]> <elided 200 bytes>"));
    om_graph *g2 = NULL;
    assert_int_equal(om_ir_parse(s, strlen(s), "dump.ir", &g2), OM_ERR_PARSE);
    assert_null(g2);
    assert_non_null(strstr(om_last_error(), "elided"));
    assert_non_null(strstr(om_last_error(), "dump.ir:"));
    free(s);
    om_graph_destroy(g);
}

static void test_f16_text_values(void **state)
{
    (void)state;
    om_graph *g = parse_ok("graph \"h\" { const %h : f16[4] = [0.1, 65504, -0, 1e-7]\n"
                           "const %b : bf16[2] = [3.14159, -inf] }");
    const uint16_t *h = om_graph_find_value(g, "h")->data;
    assert_int_equal(h[0], 0x2e66); /* 0.1 rounded to f16 */
    assert_int_equal(h[1], 0x7bff);
    assert_int_equal(h[2], 0x8000);
    assert_int_equal(h[3], 0x0002); /* subnormal */
    const uint16_t *b = om_graph_find_value(g, "b")->data;
    assert_int_equal(b[0], 0x4049);
    assert_int_equal(b[1], 0xff80);
    om_graph_destroy(round_trip(g, NULL));
    om_graph_destroy(g);
}

/* Parses `text`, expects failure with `status`, and checks that the message starts
 * with `head` and contains `part` (and has the caret line when positioned). */
static void expect_error(const char *text, om_status status, const char *head, const char *part)
{
    om_graph *g = (om_graph *)1;
    om_status st = om_ir_parse(text, strlen(text), "bad.ir", &g);
    if (st != status)
        fail_msg("expected status %d, got %d (%s) for:\n%s", status, st, om_last_error(), text);
    assert_null(g);
    const char *msg = om_last_error();
    if (strncmp(msg, head, strlen(head)) != 0 || !strstr(msg, part))
        fail_msg("message\n%s\nexpected to start with '%s' and contain '%s'", msg, head, part);
}

static void test_error_format_with_caret(void **state)
{
    (void)state;
    const char *text = "graph \"g\" {\n  input %x : f32[2]\n  %y = Add(%x, %q)\n}\n";
    expect_error(text, OM_ERR_PARSE, "bad.ir:3:16: use of undefined value %q", "");
    assert_string_equal(om_last_error(),
                        "bad.ir:3:16: use of undefined value %q\n"
                        "  %y = Add(%x, %q)\n"
                        "               ^");
    /* a tab before the column is reproduced in the caret line */
    expect_error("graph \"g\" {\n\t%y = Foo()\n}", OM_ERR_PARSE, "bad.ir:2:7: unknown op 'Foo'", "");
    assert_string_equal(om_last_error(), "bad.ir:2:7: unknown op 'Foo'\n\t%y = Foo()\n\t     ^");
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  input %x : f32[3]\n}", OM_ERR_PARSE,
                 "bad.ir:3:9: duplicate definition of value %x (first defined at 2:9)", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %x = Relu(%x)\n}", OM_ERR_PARSE,
                 "bad.ir:3:3: duplicate definition of value %x", "");
    expect_error("graph \"g\" { input %x : f33[2] }", OM_ERR_PARSE, "bad.ir:1:24: unknown dtype 'f33'", "");
    expect_error("graph \"g\" {\n const %w : f32[2,2] = [1.0, 2.0, 3.0]\n}", OM_ERR_PARSE,
                 "bad.ir:2:24: constant %w: 3 values given, f32[2,2] needs 4", "");
    expect_error("graph \"g\" {\n const %w : f32[2] = hex\"0000\"\n}", OM_ERR_PARSE,
                 "bad.ir:2:25: constant %w: hex data has 2 bytes", "needs 8");
    expect_error("graph \"g\" {\n const %w : u8[1] = [300]\n}", OM_ERR_PARSE,
                 "bad.ir:2:22: value 300 is out of range for u8", "");
    expect_error("graph \"g\" {\n const %w : i32[1] = [1.5]\n}", OM_ERR_PARSE,
                 "bad.ir:2:23: expected an integer for i32 data", "");
    expect_error("graph \"g\" {\n const %w : f32[1] = [1e39]\n}", OM_ERR_PARSE,
                 "bad.ir:2:23: value 1e39 is out of range for f32", "");
    expect_error("graph \"g\" {\n const %w : f16[1] = [70000]\n}", OM_ERR_PARSE,
                 "bad.ir:2:23: value 70000 is out of range for f16", "");
    expect_error("graph \"g\" {\n const %w : bool[1] = [2]\n}", OM_ERR_PARSE,
                 "bad.ir:2:24: bool data must be 0 or 1", "");
    expect_error("graph \"g\" {\n const %w : f32[?] = [1.0]\n}", OM_ERR_PARSE,
                 "bad.ir:2:8: constant %w: shape must be static", "");
    expect_error("graph \"g\" {\n const %w : c64[1] = [1.0, 2.0]\n}", OM_ERR_PARSE,
                 "bad.ir:2:22: constant %w: c64 data must be written in hex", "");
    expect_error("graph \"g\" {\n const %w : str[1] = [1]\n}", OM_ERR_PARSE,
                 "bad.ir:2:8: constant %w: dtype str cannot hold constant data", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {mode = \"abc}\n}", OM_ERR_PARSE,
                 "bad.ir:3:25: unterminated string", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {mode = \"a\\qb\"}\n}", OM_ERR_PARSE,
                 "bad.ir:3:27: unknown escape sequence '\\q'", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = 1, a = 2}\n}", OM_ERR_PARSE,
                 "bad.ir:3:25: duplicate attribute 'a'", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = []}\n}", OM_ERR_PARSE,
                 "bad.ir:3:22: empty list attribute 'a' must be typed", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = [1, \"s\"]}\n}", OM_ERR_PARSE,
                 "bad.ir:3:22: list attribute 'a' mixes strings and numbers", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n  %y = Relu(%x) {a = 99999999999999999999}\n}",
                 OM_ERR_PARSE, "bad.ir:3:22: integer 99999999999999999999 is out of range", "");
    expect_error("graph \"g\" {\n  input %x : f32[1,2,3,4,5,6,7,8,9]\n}", OM_ERR_PARSE,
                 "bad.ir:2:34: shape has more than 8 dims", "");
    expect_error("graph \"g\" {\n  input %x : f32[2]\n", OM_ERR_PARSE,
                 "bad.ir:3:1: unexpected end of input: missing '}'", "");
    expect_error("graph \"g\" { } extra", OM_ERR_PARSE, "bad.ir:1:15: expected end of input after the graph", "");
    expect_error("grph \"g\" { }", OM_ERR_PARSE, "bad.ir:1:1: expected 'graph', found 'grph'", "");
    expect_error("", OM_ERR_PARSE, "bad.ir:1:1: expected 'graph', found end of input", "");
    expect_error("graph \"g\" { input %x : f32[2] output %nope }", OM_ERR_PARSE,
                 "bad.ir:1:38: use of undefined value %nope", "");
    expect_error("graph \"g\" { input %x : f32[2] %y = Relu(%x \n}", OM_ERR_PARSE,
                 "bad.ir:2:1: expected ',', found '}'", "");
    expect_error("graph \"g\" { input %x : f32[2] %y, %y = MaxPool(%x) }", OM_ERR_PARSE,
                 "bad.ir:1:35: value %y is defined twice by the same node", "");
    expect_error("graph \"g\" { input % }", OM_ERR_PARSE, "bad.ir:1:19: expected a value name after '%'", "");
    expect_error("graph \"g\" { input %x : f32[2] $ }", OM_ERR_PARSE, "bad.ir:1:31: unexpected character '$'", "");
    expect_error("graph \"g\" { input %x : f32[1.5] }", OM_ERR_PARSE,
                 "bad.ir:1:28: a dim must be a non-negative integer, found '1.5'", "");
    expect_error("graph \"g\" { input %x : f32[2x] }", OM_ERR_PARSE, "bad.ir:1:28: malformed number", "");
    expect_error("graph \"g\" { input %\"a\\x00b\" }", OM_ERR_PARSE, "bad.ir:1:22: NUL byte", "");
    /* self-reference is an undefined use: outputs are defined after the operands */
    expect_error("graph \"g\" { %y = Relu(%y) }", OM_ERR_PARSE, "bad.ir:1:23: use of undefined value %y", "");
    /* an embedded NUL byte in the text */
    om_graph *g = NULL;
    assert_int_equal(om_ir_parse("graph \"g\" {\0}", 13, "nul.ir", &g), OM_ERR_PARSE);
    assert_non_null(strstr(om_last_error(), "nul.ir:1:12: unexpected byte 0x00"));
    assert_int_equal(om_ir_parse(NULL, 0, NULL, &g), OM_ERR_PARSE);
    assert_int_equal(om_ir_parse("graph \"g\" {}", 12, "x", NULL), OM_ERR_INVALID_ARGUMENT);
}

static void test_long_line_windowed(void **state)
{
    (void)state;
    size_t n = 5000;
    char *text = malloc(n + 100);
    strcpy(text, "graph \"g\" { const %w : u8[3000] = hex\"");
    size_t k = strlen(text);
    for (size_t i = 0; i < 3000; i++)
        text[k++] = (i == 2500) ? 'z' : '0';
    strcpy(text + k, "\" }");
    om_graph *g = NULL;
    /* odd length -> error at the string; a bad digit deep inside is reported by index */
    assert_int_equal(om_ir_parse(text, strlen(text), "long.ir", &g), OM_ERR_PARSE);
    const char *msg = om_last_error();
    assert_non_null(strstr(msg, "constant %w: hex data has 1500 bytes, u8 needs 3000"));
    /* the source line shown is cut to a window, never the whole 3000 characters */
    assert_true(strlen(msg) < 400);
    assert_non_null(strstr(msg, "..."));
    free(text);
}

static void test_truncations_do_not_crash(void **state)
{
    (void)state;
    om_graph *full = build_everything();
    char *s = print_str(full, NULL);
    size_t len = strlen(s);
    int ok = 0;
    /* every prefix (sampled) and a set of single-byte corruptions must parse or fail cleanly */
    for (size_t cut = 0; cut < len; cut += (cut < 2000 ? 1 : 97)) {
        om_graph *g = NULL;
        om_status st = om_ir_parse(s, cut, "cut.ir", &g);
        if (st == OM_OK) {
            ok++;
            om_graph_destroy(g);
        } else {
            assert_int_equal(st, OM_ERR_PARSE);
            assert_null(g);
        }
    }
    assert_int_equal(ok, 0); /* no proper prefix is a complete graph */
    static const char junk[] = "%\"_[]{}(),:=<>*?#\\0x-.e9 ";
    for (size_t pos = 0; pos < len; pos += 13) {
        char saved = s[pos];
        s[pos] = junk[pos % (sizeof junk - 1)];
        om_graph *g = NULL;
        om_status st = om_ir_parse(s, len, "corrupt.ir", &g);
        assert_true(st == OM_OK || st == OM_ERR_PARSE);
        om_graph_destroy(g);
        s[pos] = saved;
    }
    free(s);
    om_graph_destroy(full);
}

static void test_parse_file(void **state)
{
    (void)state;
    om_graph *g = NULL;
    assert_int_equal(om_ir_parse_file("/nonexistent/dir/x.ir", &g), OM_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "/nonexistent/dir/x.ir"));
    char path[] = "/tmp/om_ir_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(example, f);
    fclose(f);
    assert_int_equal(om_ir_parse_file(path, &g), OM_OK);
    assert_int_equal(g->n_nodes, 3);
    om_graph_destroy(g);
    f = fopen(path, "w");
    fputs("graph \"g\" {\n  %y = Nope()\n}\n", f);
    fclose(f);
    assert_int_equal(om_ir_parse_file(path, &g), OM_ERR_PARSE);
    char head[128];
    snprintf(head, sizeof head, "%s:2:8: unknown op 'Nope'", path);
    assert_true(strncmp(om_last_error(), head, strlen(head)) == 0);
    remove(path);
}

static void test_dead_nodes_not_printed(void **state)
{
    (void)state;
    om_graph *g = parse_ok("graph \"g\" { input %x : f32[2] %a = Relu(%x) %b = Tanh(%x) output %b }");
    g->nodes[0]->dead = true;
    char *s = print_str(g, NULL);
    assert_null(strstr(s, "Relu"));
    assert_non_null(strstr(s, "Tanh"));
    free(s);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_parses),
        cmocka_unit_test(test_exact_printed_form),
        cmocka_unit_test(test_round_trip_everything),
        cmocka_unit_test(test_print_to_file_matches_string),
        cmocka_unit_test(test_show_mem),
        cmocka_unit_test(test_elide),
        cmocka_unit_test(test_f16_text_values),
        cmocka_unit_test(test_error_format_with_caret),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_long_line_windowed),
        cmocka_unit_test(test_truncations_do_not_crash),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_dead_nodes_not_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
