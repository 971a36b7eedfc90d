/* Tests for frontend/onnx_import.c and onnx_io.c: the model-level walk. Truncated and
 * garbage models are one-line errors, never crashes; oversized files are refused before
 * reading; the opset range is enforced; graph inputs keep dtypes, static and symbolic dims;
 * an initializer listed as an input stays a constant; value_info and output types are
 * recorded; backend-suite models import with the expected inputs. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

static size_t read_all(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    assert_true(n > 0 && n < cap);
    return n;
}

static void test_truncated_models(void **state)
{
    static const char *const models[] = {"init_raw.onnx", "constants.onnx", "symbolic.onnx"};
    static uint8_t buf[1 << 16];
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        size_t n = read_all(fx_path(models[m]), buf, sizeof buf);
        om_graph *g = NULL;
        assert_int_equal(om_fe_import_onnx_memory(buf, n, OM_FE_FIXTURES, &g), OM_OK);
        om_graph_destroy(g);
        for (size_t cut = 0; cut < n; cut++) {
            /* an exact-size heap copy, so ASan sees any read past the cut */
            uint8_t *copy = malloc(cut ? cut : 1);
            assert_non_null(copy);
            memcpy(copy, buf, cut);
            g = (om_graph *)0x1;
            om_status st = om_fe_import_onnx_memory(copy, cut, OM_FE_FIXTURES, &g);
            free(copy);
            if (st == OM_OK)
                print_error("%s cut at %zu of %zu imported\n", models[m], cut, n);
            assert_int_not_equal(st, OM_OK);
            assert_null(g);
            assert_true(om_last_error()[0] != '\0');
            assert_null(strchr(om_last_error(), '\n'));
        }
    }
}

/* A real model (the repo's small CNN, 22 nodes with weights) cut at ~150 lengths. */
static void test_truncated_real_model(void **state)
{
    static uint8_t buf[1 << 20];
    if (access(OM_REPO_MODELS "/cnn_small/model.onnx", R_OK) != 0)
        skip();
    size_t n = read_all(OM_REPO_MODELS "/cnn_small/model.onnx", buf, sizeof buf);
    om_graph *g = NULL;
    assert_int_equal(om_fe_import_onnx_memory(buf, n, NULL, &g), OM_OK);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
    size_t step = n / 150 + 1;
    for (size_t cut = 0; cut < n; cut += step) {
        uint8_t *copy = malloc(cut ? cut : 1);
        assert_non_null(copy);
        memcpy(copy, buf, cut);
        g = (om_graph *)0x1;
        om_status st = om_fe_import_onnx_memory(copy, cut, NULL, &g);
        free(copy);
        assert_int_not_equal(st, OM_OK);
        assert_null(g);
        assert_null(strchr(om_last_error(), '\n'));
    }
}

static void test_truncated_file_message(void **state)
{
    static uint8_t buf[1 << 16];
    size_t n = read_all(fx_path("init_raw.onnx"), buf, sizeof buf);
    char tmp[] = "/tmp/om_fe_trunc_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n / 2), (ssize_t)(n / 2));
    close(fd);
    om_graph *g = (om_graph *)0x1;
    assert_int_equal(om_fe_import_onnx_file(tmp, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "not a valid ONNX model"));
    assert_non_null(strstr(om_last_error(), tmp));
    unlink(tmp);
}

static void test_garbage_and_empty(void **state)
{
    om_graph *g = (om_graph *)0x1;
    static const char text[] = "this is not a protobuf at all\n";
    assert_int_not_equal(om_fe_import_onnx_memory(text, sizeof text - 1, NULL, &g), OM_OK);
    assert_null(g);
    assert_int_equal(om_fe_import_onnx_memory("", 0, NULL, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "not a valid ONNX model"));
    assert_int_equal(om_fe_import_onnx_memory(NULL, 0, NULL, &g), OM_ERR_INVALID_MODEL);
    assert_int_equal(om_fe_import_onnx_memory(NULL, 10, NULL, &g), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(om_fe_import_onnx_file(fx_path("missing.onnx"), &g), OM_ERR_IO);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "missing.onnx"));
    assert_int_equal(om_fe_import_onnx_file(OM_FE_FIXTURES, &g), OM_ERR_IO); /* a folder */
    assert_non_null(strstr(om_last_error(), "not a regular file"));
    assert_int_equal(om_fe_import_onnx_file(fx_path("init_raw.onnx"), NULL), OM_ERR_INVALID_ARGUMENT);
}

/* Prepends a length-delimited field `tag` around buf[*pos, end) (building backwards). */
static void wrap(uint8_t *buf, size_t *pos, size_t end, uint8_t tag)
{
    uint64_t len = end - *pos;
    uint8_t v[10];
    int n = 0;
    do {
        v[n++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        len >>= 7;
    } while (len);
    for (int i = n - 1; i >= 0; i--)
        buf[--*pos] = v[i];
    buf[--*pos] = tag;
}

static void test_deep_nesting_refused(void **state)
{
    /* Model{graph{node{attribute{g{node{attribute{g{...}}}}}}}}: protobuf-c would recurse
     * once per level; 200k levels are refused up front instead of overflowing the stack */
    size_t cap = 8u << 20, pos = cap;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    for (int k = 0; k < 200000; k++) {
        wrap(buf, &pos, cap, 0x32); /* AttributeProto.g */
        wrap(buf, &pos, cap, 0x2a); /* NodeProto.attribute */
        wrap(buf, &pos, cap, 0x0a); /* GraphProto.node */
        assert_true(pos > 64);
    }
    wrap(buf, &pos, cap, 0x3a); /* ModelProto.graph */
    om_graph *g = (om_graph *)0x1;
    assert_int_equal(om_fe_import_onnx_memory(buf + pos, cap - pos, NULL, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "nested deeper"));
    /* a few levels are fine for the walk (the model then fails for other reasons) */
    pos = cap;
    for (int k = 0; k < 5; k++) {
        wrap(buf, &pos, cap, 0x32);
        wrap(buf, &pos, cap, 0x2a);
        wrap(buf, &pos, cap, 0x0a);
    }
    wrap(buf, &pos, cap, 0x3a);
    assert_int_not_equal(om_fe_import_onnx_memory(buf + pos, cap - pos, NULL, &g), OM_OK);
    assert_null(strstr(om_last_error(), "nested deeper"));
    free(buf);
}

static void test_oversized_file_refused(void **state)
{
    /* a sparse file just over 2 GiB: refused from its size, nothing is read */
    char tmp[] = "/tmp/om_fe_big_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    if (ftruncate(fd, ((off_t)2 << 30) + 1) != 0) {
        close(fd);
        unlink(tmp);
        skip();
    }
    close(fd);
    om_graph *g = (om_graph *)0x1;
    assert_int_equal(om_fe_import_onnx_file(tmp, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "too large"));
    unlink(tmp);
}

static void test_opset_range(void **state)
{
    const char *msg = fx_fail("opset18.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "opset 18"));
    assert_non_null(strstr(msg, "1..17"));
    msg = fx_fail("opset0.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "opset 0"));
}

static void test_inputs_and_symbolic_dims(void **state)
{
    om_graph *g = fx_load("symbolic.onnx");
    assert_string_equal(g->name, "symbolic");
    assert_int_equal(g->opset, 13);
    /* w is an initializer listed as an input: it stays a constant, x is the only input */
    assert_int_equal(g->n_inputs, 1);
    om_value *x = g->inputs[0];
    assert_string_equal(x->name, "x");
    assert_int_equal(x->kind, OM_VALUE_INPUT);
    assert_int_equal(x->dtype, OM_DT_FLOAT);
    assert_int_equal(x->shape.rank, 4);
    assert_int_equal(x->shape.dims[0], OM_DIM_UNKNOWN);
    assert_non_null(x->shape.syms[0]);
    assert_string_equal(x->shape.syms[0], "batch");
    assert_int_equal(x->shape.dims[1], 3);
    assert_null(x->shape.syms[1]);
    assert_int_equal(x->shape.dims[2], OM_DIM_UNKNOWN); /* neither value nor param */
    assert_null(x->shape.syms[2]);
    assert_int_equal(x->shape.dims[3], 4);
    om_value *w = om_graph_find_value(g, "w");
    assert_non_null(w);
    assert_int_equal(w->kind, OM_VALUE_CONSTANT);
    /* value_info of the intermediate and the output's declared type */
    om_value *mm = om_graph_find_value(g, "mm");
    assert_non_null(mm);
    assert_int_equal(mm->kind, OM_VALUE_INTERMEDIATE);
    assert_int_equal(mm->dtype, OM_DT_FLOAT);
    assert_int_equal(mm->shape.rank, 4);
    assert_string_equal(mm->shape.syms[0], "batch");
    assert_int_equal(mm->shape.dims[3], 5);
    assert_int_equal(g->n_outputs, 1);
    assert_string_equal(g->outputs[0]->name, "y");
    assert_true(g->outputs[0]->is_output);
    assert_int_equal(g->outputs[0]->shape.dims[3], 5);
    /* nodes keep their names and order */
    assert_int_equal(g->n_nodes, 2);
    assert_string_equal(g->nodes[0]->name, "mm");
    assert_int_equal(g->nodes[0]->op, OM_OP_MATMUL);
    assert_ptr_equal(g->nodes[0]->inputs[1], w);
    assert_ptr_equal(g->nodes[1]->inputs[0], mm);
    om_graph_destroy(g);
}

static void test_suite_models(void **state)
{
    if (access(td_path("node/test_conv_with_strides_padding/model.onnx"), R_OK) != 0)
        skip();
    om_graph *g = NULL;
    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_conv_with_strides_padding/model.onnx"), &g), OM_OK);
    assert_int_equal(g->opset, 11);
    assert_int_equal(g->n_inputs, 2);
    assert_string_equal(g->inputs[0]->name, "x");
    assert_int_equal(g->inputs[0]->shape.rank, 4);
    assert_int_equal(g->inputs[0]->shape.dims[2], 7);
    assert_int_equal(g->inputs[0]->shape.dims[3], 5);
    assert_string_equal(g->inputs[1]->name, "W");
    assert_int_equal(g->inputs[1]->shape.dims[2], 3);
    assert_int_equal(g->n_outputs, 1);
    assert_int_equal(g->outputs[0]->shape.dims[2], 4);
    assert_int_equal(g->outputs[0]->shape.dims[3], 3);
    assert_int_equal(g->n_nodes, 1);
    om_graph_destroy(g);

    assert_int_equal(om_fe_import_onnx_file(td_path("node/test_gemm_all_attributes/model.onnx"), &g), OM_OK);
    assert_int_equal(g->n_inputs, 3);
    static const int64_t dims[3][2] = {{4, 3}, {5, 4}, {1, 5}};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(g->inputs[i]->dtype, OM_DT_FLOAT);
        assert_int_equal(g->inputs[i]->shape.rank, 2);
        assert_int_equal(g->inputs[i]->shape.dims[0], dims[i][0]);
        assert_int_equal(g->inputs[i]->shape.dims[1], dims[i][1]);
    }
    assert_int_equal(find_node(g, OM_OP_GEMM, 0)->n_inputs, 3);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truncated_models),
        cmocka_unit_test(test_truncated_real_model),
        cmocka_unit_test(test_truncated_file_message),
        cmocka_unit_test(test_garbage_and_empty),
        cmocka_unit_test(test_deep_nesting_refused),
        cmocka_unit_test(test_oversized_file_refused),
        cmocka_unit_test(test_opset_range),
        cmocka_unit_test(test_inputs_and_symbolic_dims),
        cmocka_unit_test(test_suite_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
