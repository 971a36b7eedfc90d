/* Tests for frontend/onnx_tensor.c: initializers in raw_data and in every typed field give
 * identical IR constants; size mismatches and string tensors are refused with the tensor's
 * name; TensorProto files (the backend suite's .pb) decode with their shapes and dtypes;
 * truncated tensor files are errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fe_test_util.h"

static const struct {
    const char *name;
    om_dtype dt;
} k_dtypes[] = {
    {"w_f32", OM_DT_FLOAT}, {"w_i64", OM_DT_INT64}, {"w_i32", OM_DT_INT32}, {"w_i16", OM_DT_INT16},
    {"w_i8", OM_DT_INT8},   {"w_u8", OM_DT_UINT8},  {"w_u16", OM_DT_UINT16}, {"w_u32", OM_DT_UINT32},
    {"w_u64", OM_DT_UINT64}, {"w_bool", OM_DT_BOOL}, {"w_f16", OM_DT_FLOAT16}, {"w_f64", OM_DT_DOUBLE},
    {"w_bf16", OM_DT_BFLOAT16},
};

/* element i of the fixture's VALUES [0,1,2,3,5,7] as stored in dtype dt */
static double element(const om_value *v, int i)
{
    const uint8_t *p = v->data;
    switch (v->dtype) {
    case OM_DT_FLOAT: return ((const float *)p)[i];
    case OM_DT_DOUBLE: return ((const double *)p)[i];
    case OM_DT_INT64: return (double)((const int64_t *)p)[i];
    case OM_DT_UINT64: return (double)((const uint64_t *)p)[i];
    case OM_DT_INT32: return ((const int32_t *)p)[i];
    case OM_DT_UINT32: return ((const uint32_t *)p)[i];
    case OM_DT_INT16: return ((const int16_t *)p)[i];
    case OM_DT_UINT16: return ((const uint16_t *)p)[i];
    case OM_DT_INT8: return ((const int8_t *)p)[i];
    case OM_DT_UINT8: case OM_DT_BOOL: return p[i];
    case OM_DT_BFLOAT16: {
        uint32_t bits = (uint32_t)((const uint16_t *)p)[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        return f;
    }
    case OM_DT_FLOAT16: {
        uint16_t h = ((const uint16_t *)p)[i]; /* small positive integers only */
        if (!h)
            return 0;
        int e = (h >> 10) & 31;
        double m = 1.0 + (h & 1023) / 1024.0;
        return m * (double)(1 << (e - 15 + 16)) / 65536.0;
    }
    default: return -1;
    }
}

static void test_raw_and_typed_fields_agree(void **state)
{
    static const double want[6] = {0, 1, 2, 3, 5, 7};
    om_graph *raw = fx_load("init_raw.onnx");
    om_graph *typed = fx_load("init_typed.onnx");
    for (size_t k = 0; k < sizeof k_dtypes / sizeof k_dtypes[0]; k++) {
        om_value *a = om_graph_find_value(raw, k_dtypes[k].name);
        om_value *b = om_graph_find_value(typed, k_dtypes[k].name);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(a->kind, OM_VALUE_CONSTANT);
        assert_int_equal(b->kind, OM_VALUE_CONSTANT);
        assert_int_equal(a->dtype, k_dtypes[k].dt);
        assert_int_equal(b->dtype, k_dtypes[k].dt);
        assert_int_equal(a->shape.rank, 2);
        assert_int_equal(a->shape.dims[0], 2);
        assert_int_equal(a->shape.dims[1], 3);
        assert_true(om_shape_equal(&a->shape, &b->shape));
        assert_int_equal(a->nbytes, 6 * om_dtype_size(k_dtypes[k].dt));
        assert_int_equal(a->nbytes, b->nbytes);
        assert_memory_equal(a->data, b->data, a->nbytes);
        for (int i = 0; i < 6; i++) {
            double w = k_dtypes[k].dt == OM_DT_BOOL ? (want[i] != 0) : want[i];
            if (element(a, i) != w)
                print_error("%s[%d] = %g, expected %g\n", k_dtypes[k].name, i, element(a, i), w);
            assert_true(element(a, i) == w);
        }
        /* the graph's outputs are the initializers themselves */
        assert_true(a->is_output);
    }
    assert_int_equal(raw->n_outputs, sizeof k_dtypes / sizeof k_dtypes[0]);
    assert_int_equal(raw->n_inputs, 0);
    om_graph_destroy(raw);
    om_graph_destroy(typed);
}

static void test_wrong_size_names_tensor(void **state)
{
    const char *msg = fx_fail("init_bad_size.onnx", OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(msg, "initializer 'w_bad'"));
    assert_non_null(strstr(msg, "20 bytes"));
    assert_non_null(strstr(msg, "expected 24"));
    assert_non_null(strstr(msg, "init_bad_size.onnx"));
}

static void test_string_tensor_unsupported(void **state)
{
    const char *msg = fx_fail("init_string.onnx", OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(msg, "'w_str'"));
    assert_non_null(strstr(msg, "string"));
}

static void test_load_tensor_files(void **state)
{
    if (access(td_path("node/test_conv_with_strides_padding/model.onnx"), R_OK) != 0)
        skip();
    static const struct {
        const char *file;
        int rank;
        int64_t dims[4];
    } cases[] = {
        {"node/test_conv_with_strides_padding/test_data_set_0/input_0.pb", 4, {1, 1, 7, 5}},
        {"node/test_conv_with_strides_padding/test_data_set_0/input_1.pb", 4, {1, 1, 3, 3}},
        {"node/test_conv_with_strides_padding/test_data_set_0/output_0.pb", 4, {1, 1, 4, 3}},
        {"node/test_gemm_all_attributes/test_data_set_0/input_0.pb", 2, {4, 3}},
        {"node/test_gemm_all_attributes/test_data_set_0/input_2.pb", 2, {1, 5}},
        {"node/test_gemm_all_attributes/test_data_set_0/output_0.pb", 2, {3, 5}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        om_fe_tensor t;
        om_status st = om_fe_load_tensor_file(td_path(cases[i].file), &t);
        if (st != OM_OK)
            print_error("%s: %s\n", cases[i].file, om_last_error());
        assert_int_equal(st, OM_OK);
        assert_int_equal(t.dtype, OM_DT_FLOAT);
        assert_int_equal(t.shape.rank, cases[i].rank);
        int64_t numel = 1;
        for (int d = 0; d < cases[i].rank; d++) {
            assert_int_equal(t.shape.dims[d], cases[i].dims[d]);
            numel *= cases[i].dims[d];
        }
        assert_int_equal(t.nbytes, (size_t)numel * 4);
        assert_non_null(t.data);
        assert_non_null(t.name);
        om_fe_tensor_free(&t);
        assert_null(t.data);
        assert_null(t.name);
    }
    /* the conv input is 0..34 in order (the suite's documented example) */
    om_fe_tensor t;
    assert_int_equal(om_fe_load_tensor_file(td_path(cases[0].file), &t), OM_OK);
    for (int i = 0; i < 35; i++)
        assert_true(((const float *)t.data)[i] == (float)i);
    om_fe_tensor_free(&t);
}

static void test_load_tensor_file_errors(void **state)
{
    om_fe_tensor t;
    memset(&t, 0xab, sizeof t);
    assert_int_equal(om_fe_load_tensor_file(fx_path("no_such.pb"), &t), OM_ERR_IO);
    assert_null(t.data);
    assert_null(t.name);
    om_fe_tensor_free(&t); /* zeroed: fine */

    if (access(td_path("node/test_gemm_all_attributes/test_data_set_0/input_0.pb"), R_OK) != 0)
        skip();
    /* truncated copies of a real tensor file: an error or (when the cut lands on a field
     * boundary) a tensor whose data size no longer matches; never a crash */
    FILE *f = fopen(td_path("node/test_gemm_all_attributes/test_data_set_0/input_0.pb"), "rb");
    assert_non_null(f);
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 20 && n < sizeof buf);
    char tmp[] = "/tmp/om_fe_tensor_XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    for (size_t cut = 1; cut < n; cut += 3) {
        FILE *w = fopen(tmp, "wb");
        assert_non_null(w);
        fwrite(buf, 1, cut, w);
        fclose(w);
        om_status st = om_fe_load_tensor_file(tmp, &t);
        assert_int_not_equal(st, OM_OK);
        assert_null(t.data);
        assert_true(om_last_error()[0] != '\0');
    }
    unlink(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_and_typed_fields_agree),
        cmocka_unit_test(test_wrong_size_names_tensor),
        cmocka_unit_test(test_string_tensor_unsupported),
        cmocka_unit_test(test_load_tensor_files),
        cmocka_unit_test(test_load_tensor_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
