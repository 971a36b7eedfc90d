/* acl_tensor.c: data buffers, fp16 conversion (every half value round-trips; rounding of
 * floats to half is to nearest even), tensor descriptors and their getters, NULL handling. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/acl/acl_test.h"

static void test_constants(void **state)
{
    /* the ABI: AscendCL's numeric values */
    assert_int_equal(ACL_SUCCESS, 0);
    assert_int_equal(ACL_ERROR_NONE, 0);
    assert_int_equal(ACL_ERROR_INVALID_PARAM, 100000);
    assert_int_equal(ACL_ERROR_REPEAT_FINALIZE, 100037);
    assert_int_equal(ACL_ERROR_INVALID_RESOURCE_HANDLE, 200005);
    assert_int_equal(ACL_ERROR_FEATURE_UNSUPPORTED, 200006);
    assert_int_equal(ACL_ERROR_STORAGE_OVER_LIMIT, 300000);
    assert_int_equal(ACL_ERROR_DRV_FAILURE, 500004);
    assert_int_equal(ACL_BF16, 27);
    assert_int_equal(ACL_COMPLEX128, 17);
    assert_int_equal(ACL_FORMAT_NCDHW, 30);
    assert_int_equal(ACL_FORMAT_FRACTAL_NZ, 29);
    assert_int_equal(ACL_MEMCPY_DEVICE_TO_DEVICE, 3);
    assert_int_equal(ACL_MEM_MALLOC_NORMAL_ONLY_P2P, 5);
    assert_int_equal(ACL_HOST, 1);
    assert_int_equal(ACL_MAX_DIM_CNT, 128);
    assert_true(ACL_UNKNOWN_RANK == 0xFFFFFFFFFFFFFFFEull);
    assert_string_equal(ACL_DYNAMIC_TENSOR_NAME, "ascend_mbatch_shape_data");
}

static void test_data_buffer(void **state)
{
    char mem[16];
    aclDataBuffer *b = aclCreateDataBuffer(mem, sizeof mem);
    assert_non_null(b);
    assert_ptr_equal(aclGetDataBufferAddr(b), mem);
    assert_int_equal(aclGetDataBufferSizeV2(b), 16);
    assert_int_equal(aclGetDataBufferSize(b), 16);
    ACL_OK(aclUpdateDataBuffer(b, NULL, (size_t)1 << 33));
    assert_int_equal(aclGetDataBufferSize(b), UINT32_MAX);     /* saturates */
    assert_int_equal(aclGetDataBufferSizeV2(b), (size_t)1 << 33);
    ACL_OK(aclDestroyDataBuffer(b));
    aclDataBuffer *empty = aclCreateDataBuffer(NULL, 0);       /* allowed, filled later */
    assert_non_null(empty);
    ACL_OK(aclDestroyDataBuffer(empty));
    ACL_EXPECT(aclDestroyDataBuffer(NULL), ACL_ERROR_INVALID_PARAM, "NULL dataBuffer");
    ACL_EXPECT(aclUpdateDataBuffer(NULL, NULL, 0), ACL_ERROR_INVALID_PARAM, NULL);
    assert_null(aclGetDataBufferAddr(NULL));
    assert_int_equal(aclGetDataBufferSizeV2(NULL), 0);
    assert_int_equal(aclGetDataBufferSize(NULL), 0);
    assert_non_null(strstr(aclGetRecentErrMsg(), "aclGetDataBufferSize"));
}

static void test_fp16(void **state)
{
    /* every half round-trips through float (NaNs stay NaNs) */
    for (uint32_t h = 0; h < 65536; h++) {
        float f = aclFloat16ToFloat((aclFloat16)h);
        if (isnan(f)) {
            assert_true(((h >> 10) & 0x1f) == 0x1f && (h & 0x3ff));
            assert_true(isnan(aclFloat16ToFloat(aclFloatToFloat16(f))));
            continue;
        }
        assert_int_equal(aclFloatToFloat16(f), h);
    }
    assert_true(aclFloat16ToFloat(0x3c00) == 1.0f);
    assert_true(aclFloat16ToFloat(0xc000) == -2.0f);
    assert_true(aclFloat16ToFloat(0x7bff) == 65504.0f);
    assert_true(aclFloat16ToFloat(0x0001) == 5.9604644775390625e-8f);  /* smallest subnormal */
    assert_int_equal(aclFloatToFloat16(1e6f), 0x7c00);                   /* overflow: inf */
    assert_int_equal(aclFloatToFloat16(-1e-10f), 0x8000);                /* underflow: -0 */
    assert_int_equal(aclFloatToFloat16(1.0f + 1.0f / 2048), 0x3c00);    /* tie: to even */
    assert_int_equal(aclFloatToFloat16(1.0f + 3.0f / 2048), 0x3c02);    /* tie: to even */
    assert_int_equal(aclFloatToFloat16(65520.0f), 0x7c00);               /* rounds up to inf */
    assert_int_equal(aclFloatToFloat16(INFINITY), 0x7c00);
    assert_int_equal(aclFloatToFloat16(3.0e-8f), 0x0001);                /* to nearest subnormal */
}

static void test_tensor_desc(void **state)
{
    int64_t dims[4] = {1, 3, 224, 224};
    aclTensorDesc *d = aclCreateTensorDesc(ACL_FLOAT16, 4, dims, ACL_FORMAT_NCHW);
    assert_non_null(d);
    assert_int_equal(aclGetTensorDescType(d), ACL_FLOAT16);
    assert_int_equal(aclGetTensorDescFormat(d), ACL_FORMAT_NCHW);
    assert_int_equal(aclGetTensorDescNumDims(d), 4);
    assert_int_equal(aclGetTensorDescElementCount(d), 3 * 224 * 224);
    assert_int_equal(aclGetTensorDescSize(d), 2 * 3 * 224 * 224);
    int64_t v = 0;
    ACL_OK(aclGetTensorDescDimV2(d, 2, &v));
    assert_int_equal(v, 224);
    ACL_EXPECT(aclGetTensorDescDimV2(d, 4, &v), ACL_ERROR_INVALID_PARAM, "index 4 out of range");
    ACL_EXPECT(aclGetTensorDescDimV2(d, 0, NULL), ACL_ERROR_INVALID_PARAM, "NULL dimSize");
    ACL_EXPECT(aclGetTensorDescDimV2(NULL, 0, &v), ACL_ERROR_INVALID_PARAM, "NULL desc");
    assert_null(aclGetTensorDescAddress(d));
    assert_ptr_equal(aclGetTensorDescByIndex(d, 0), d);
    assert_null(aclGetTensorDescByIndex(d, 1));
    assert_null(aclGetTensorDescByIndex(NULL, 0));
    aclDestroyTensorDesc(d);
    aclDestroyTensorDesc(NULL);

    int64_t dyn[2] = {-1, 8};
    aclTensorDesc *u = aclCreateTensorDesc(ACL_INT64, 2, dyn, ACL_FORMAT_ND);
    assert_int_equal(aclGetTensorDescSize(u), 0);          /* unknown dimension */
    aclDestroyTensorDesc(u);
    aclTensorDesc *scalar = aclCreateTensorDesc(ACL_DOUBLE, 0, NULL, ACL_FORMAT_ND);
    assert_int_equal(aclGetTensorDescSize(scalar), 8);
    aclDestroyTensorDesc(scalar);
    assert_null(aclCreateTensorDesc(ACL_FLOAT, -1, dims, ACL_FORMAT_ND));
    assert_null(aclCreateTensorDesc(ACL_FLOAT, 129, dims, ACL_FORMAT_ND));
    assert_null(aclCreateTensorDesc(ACL_FLOAT, 2, NULL, ACL_FORMAT_ND));
    assert_non_null(strstr(aclGetRecentErrMsg(), "NULL dims"));
    assert_int_equal(aclGetTensorDescType(NULL), ACL_DT_UNDEFINED);
    assert_int_equal(aclGetTensorDescFormat(NULL), ACL_FORMAT_UNDEFINED);
    assert_int_equal(aclGetTensorDescSize(NULL), 0);
    assert_int_equal(aclGetTensorDescNumDims(NULL), 0);
    assert_int_equal(aclGetTensorDescElementCount(NULL), 0);
    assert_null(aclGetTensorDescAddress(NULL));
    assert_int_equal(aclDataTypeSize(ACL_COMPLEX128), 16);
    assert_int_equal(aclDataTypeSize(ACL_BF16), 2);
    assert_int_equal(aclDataTypeSize(ACL_STRING), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_data_buffer),
        cmocka_unit_test(test_fp16),
        cmocka_unit_test(test_tensor_desc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
