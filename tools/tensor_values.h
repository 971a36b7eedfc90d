/* Tensor element helpers for the tools, libc only (omrun links no compiler library):
 * dtype names as the IR spells them ("f32", "i64", "bool"), element sizes, reading and
 * writing one element as a double (float16 and bfloat16 converted in software), and
 * printing shapes. dtypes are ONNX TensorProto numbers.
 */
#ifndef OM_TOOLS_TENSOR_VALUES_H
#define OM_TOOLS_TENSOR_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { OM_TV_F32 = 1, OM_TV_BF16 = 16 }; /* ONNX dtype numbers used by name */

const char *om_tv_dtype_name(int32_t dtype);   /* "?" if unknown */
size_t om_tv_dtype_size(int32_t dtype);        /* 0 if unknown or not numeric */
int om_tv_dtype_is_float(int32_t dtype);

/* Element i of data (dtype) as a double. dtype must have a nonzero om_tv_dtype_size. */
double om_tv_get(const void *data, int32_t dtype, size_t i);
/* Stores v (rounded / saturated to the dtype's range) as element i. */
void om_tv_set(void *data, int32_t dtype, size_t i, double v);

float om_tv_half_to_float(uint16_t h);
uint16_t om_tv_float_to_half(float f);

/* Writes "[1, 3, 224, 224]" into buf. */
void om_tv_format_shape(char *buf, size_t cap, int32_t rank, const int64_t *dims);

#endif
