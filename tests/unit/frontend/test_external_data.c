/* Tests for frontend/external_data.c: tensors stored next to the model (offset, length),
 * and the refusals: a location escaping the model's folder, an absolute path, a range past
 * the end of the file, a missing file, and external data when importing from memory
 * without a base directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

static void test_external_data_loads(void **state)
{
    om_graph *g = fx_load("external.onnx");
    om_value *a = om_graph_find_value(g, "ext_a");
    om_value *b = om_graph_find_value(g, "ext_b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->kind, OM_VALUE_CONSTANT);
    assert_int_equal(a->dtype, OM_DT_FLOAT);
    assert_int_equal(a->nbytes, 24);
    for (int i = 0; i < 6; i++)
        assert_true(((const float *)a->data)[i] == (float)i);
    assert_int_equal(b->dtype, OM_DT_INT64);
    assert_int_equal(b->shape.rank, 1);
    assert_int_equal(b->shape.dims[0], 4);
    for (int i = 0; i < 4; i++) /* at offset 32, after 8 bytes of padding */
        assert_int_equal(((const int64_t *)b->data)[i], i * 10);
    om_graph_destroy(g);
}

static void test_escaping_path_refused(void **state)
{
    const char *msg = fx_fail("external_escape.onnx", OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(msg, "'ext_a'"));
    assert_non_null(strstr(msg, "../fixtures/external.bin"));
    msg = fx_fail("external_absolute.onnx", OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(msg, "/etc/hostname"));
    assert_non_null(strstr(msg, "relative"));
}

static void test_range_and_missing_file(void **state)
{
    const char *msg = fx_fail("external_short.onnx", OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(msg, "offset 48"));
    assert_non_null(strstr(msg, "length 24"));
    msg = fx_fail("external_missing.onnx", OM_ERR_IO);
    assert_non_null(strstr(msg, "missing.bin"));
}

static void test_symlink_escape_refused(void **state)
{
    /* a folder holding a copy of the model and a symlink to a file outside it */
    char dir[] = "/tmp/om_fe_ext_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char model[512], link[512], bin[512];
    snprintf(model, sizeof model, "%s/external.onnx", dir);
    snprintf(link, sizeof link, "%s/external.bin", dir);
    snprintf(bin, sizeof bin, "%s", fx_path("external.bin"));
    assert_int_equal(symlink(bin, link), 0);
    FILE *in = fopen(fx_path("external.onnx"), "rb");
    FILE *out = fopen(model, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    om_graph *g = (om_graph *)0x1;
    assert_int_equal(om_fe_import_onnx_file(model, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "outside the model's folder"));
    unlink(model);
    unlink(link);
    rmdir(dir);
}

static void test_memory_import_needs_base_dir(void **state)
{
    FILE *f = fopen(fx_path("external.onnx"), "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    om_graph *g = (om_graph *)0x1;
    assert_int_equal(om_fe_import_onnx_memory(buf, n, NULL, &g), OM_ERR_INVALID_MODEL);
    assert_null(g);
    assert_non_null(strstr(om_last_error(), "refused"));
    assert_int_equal(om_fe_import_onnx_memory(buf, n, OM_FE_FIXTURES, &g), OM_OK);
    assert_non_null(g);
    assert_non_null(om_graph_find_value(g, "ext_b"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_external_data_loads),
        cmocka_unit_test(test_escaping_path_refused),
        cmocka_unit_test(test_range_and_missing_file),
        cmocka_unit_test(test_symlink_escape_refused),
        cmocka_unit_test(test_memory_import_needs_base_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
