/* compiler/load.c: format sniffing (IR text by content, .om magic, ONNX otherwise) and
 * loading, including the messages for an artifact, an empty file and a missing file, and
 * om_compile_load_pinned (sequence pins reach the ONNX import). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler/compile.h"

static char dir[] = "/tmp/om_load_test_XXXXXX";

static const char *write_file(const char *name, const void *data, size_t n)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return p;
}

static om_compile_format sniff(const char *name, const char *text, size_t n)
{
    om_compile_format fmt = 0;
    assert_int_equal(om_compile_sniff(write_file(name, text, n), &fmt), OM_OK);
    return fmt;
}

static void test_sniff(void **state)
{
    (void)state;
    const char ir[] = "# a comment\n  # another\n\ngraph g {\n}\n";
    assert_int_equal(sniff("a.txt", ir, sizeof ir - 1), OM_COMPILE_FORMAT_IR_TEXT);
    assert_int_equal(sniff("a.onnx", ir, sizeof ir - 1), OM_COMPILE_FORMAT_IR_TEXT); /* content wins */
    const char notgraph[] = "graphs are nice\n";
    assert_int_equal(sniff("b.bin", notgraph, sizeof notgraph - 1), OM_COMPILE_FORMAT_ONNX);
    assert_int_equal(sniff("b.ir", notgraph, sizeof notgraph - 1), OM_COMPILE_FORMAT_IR_TEXT); /* hint */
    const char onnx[] = "\x08\x07\x12\x04omc\x00\x01";
    assert_int_equal(sniff("m.ir", onnx, sizeof onnx - 1), OM_COMPILE_FORMAT_ONNX); /* binary beats hint */
    assert_int_equal(sniff("m", onnx, sizeof onnx - 1), OM_COMPILE_FORMAT_ONNX);
    const char om[] = OM_ART_MAGIC "\x01\x00";
    assert_int_equal(sniff("m.onnx", om, sizeof om - 1), OM_COMPILE_FORMAT_OM);
}

static void test_sniff_errors(void **state)
{
    (void)state;
    om_compile_format fmt;
    const char *empty = write_file("empty.onnx", "", 0);
    assert_int_equal(om_compile_sniff(empty, &fmt), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "empty file"));
    char missing[600];
    snprintf(missing, sizeof missing, "%s/missing.onnx", dir);
    assert_int_equal(om_compile_sniff(missing, &fmt), OM_ERR_IO);
    assert_non_null(strstr(om_last_error(), "missing.onnx"));
}

static void test_load_ir_text(void **state)
{
    (void)state;
    /* make IR text with the printer, load it back through om_compile_load */
    om_graph *g = om_graph_create("t");
    assert_non_null(g);
    int64_t d[2] = {2, 3};
    om_shape s = om_shape_make(2, d);
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, &s);
    om_value *y = om_graph_add_value(g, "y", OM_DT_FLOAT, &s);
    assert_int_equal(om_graph_add_input(g, x), OM_OK);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "r", &x, 1, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    char *text = NULL;
    assert_int_equal(om_ir_print_to_string(g, NULL, &text), OM_OK);
    om_graph_destroy(g);
    char with_comment[4096];
    snprintf(with_comment, sizeof with_comment, "# hand-written\n%s", text);
    free(text);
    const char *path = write_file("g.txt", with_comment, strlen(with_comment));
    om_graph *h = NULL;
    assert_int_equal(om_compile_load(path, &h), OM_OK);
    assert_non_null(h);
    assert_int_equal(h->n_inputs, 1);
    assert_int_equal(h->n_outputs, 1);
    assert_string_equal(h->outputs[0]->name, "y");
    om_graph_destroy(h);

    /* a broken IR file: the parser's positioned message, naming the file */
    const char bad[] = "graph g {\n  nonsense here\n}\n";
    path = write_file("bad.ir", bad, sizeof bad - 1);
    h = (om_graph *)1;
    assert_int_not_equal(om_compile_load(path, &h), OM_OK);
    assert_null(h);
    assert_non_null(strstr(om_last_error(), "bad.ir"));
}

static void test_load_refuses_artifact_and_names_file(void **state)
{
    (void)state;
    const char om[] = OM_ART_MAGIC "\x01\x00\x40\x00";
    const char *path = write_file("model.om", om, sizeof om - 1);
    om_graph *g = (om_graph *)1;
    assert_int_equal(om_compile_load(path, &g), OM_ERR_INVALID_ARGUMENT);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "omdump"));
    assert_non_null(strstr(om_last_error(), "model.om"));

    /* garbage given to the ONNX frontend fails with the file named once */
    const char junk[] = "\xff\xff\xff\xff\xff\xff\xff";
    path = write_file("junk.onnx", junk, sizeof junk - 1);
    assert_int_not_equal(om_compile_load(path, &g), OM_OK);
    assert_null(g);
    const char *msg = om_last_error();
    const char *first = strstr(msg, "junk.onnx");
    assert_non_null(first);
    assert_null(strstr(first + 1, "junk.onnx"));
}

/* om_compile_load_pinned: sequence pins reach the ONNX import; IR text refuses them. */
static void test_load_pinned(void **state)
{
    (void)state;
    char model[1024];
    snprintf(model, sizeof model, "%s", __FILE__);
    char *slash = strrchr(model, '/');
    assert_non_null(slash);
    snprintf(slash, sizeof model - (size_t)(slash - model), "/../frontend/fixtures/seqio_input.onnx");
    om_compile_pins pins = {0};
    assert_int_equal(om_compile_parse_input_shape("s:[[2,3],[1,3]]", &pins), OM_OK);
    om_graph *g = (om_graph *)1;
    assert_int_equal(om_compile_load_pinned(model, &pins, &g), OM_OK);
    assert_int_equal(g->n_inputs, 2);
    assert_string_equal(g->inputs[1]->name, "s.1");
    assert_int_equal(g->inputs[1]->shape.dims[0], 1);
    om_graph_destroy(g);
    /* without pins: the frontend's message, naming the file once */
    g = (om_graph *)1;
    assert_int_equal(om_compile_load_pinned(model, NULL, &g), OM_ERR_UNSUPPORTED);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "seqio_input.onnx"));
    assert_non_null(strstr(om_last_error(), "'s'"));
    /* IR text has no sequence inputs */
    const char ir[] = "graph g {\n  input %x : f32[2]\n  output %x\n}\n";
    const char *path = write_file("seq.ir", ir, sizeof ir - 1);
    g = (om_graph *)1;
    assert_int_equal(om_compile_load_pinned(path, &pins, &g), OM_ERR_INVALID_ARGUMENT);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "ONNX models only"));
    om_compile_pins_free(&pins);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_sniff_errors),
        cmocka_unit_test(test_load_ir_text),
        cmocka_unit_test(test_load_refuses_artifact_and_names_file),
        cmocka_unit_test(test_load_pinned),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
