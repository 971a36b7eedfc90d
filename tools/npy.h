/* NumPy .npy files for omrun: reading inputs and writing outputs.
 *
 * Supported: format versions 1.0, 2.0 and 3.0; C order; little-endian (or byte-order-free)
 * descr strings '<f2' '<f4' '<f8' '<i1' '<i2' '<i4' '<i8' '<u1' '<u2' '<u4' '<u8' and
 * '|i1' '|u1' '|b1'. Fortran order, big-endian data, structured or object dtypes are errors
 * that say so. The header is parsed strictly (a Python dict literal with exactly the keys
 * descr, fortran_order and shape) with bounds checks everywhere; a malformed file is an
 * error, never a crash. The data must be exactly product(shape) * itemsize bytes.
 *
 * dtypes use ONNX TensorProto numbers (1 float, 2 uint8, 3 int8, 4 uint16, 5 int16, 6 int32,
 * 7 int64, 9 bool, 10 float16, 11 double, 12 uint32, 13 uint64), as omrt does.
 *
 * Functions return 0, or -1 with a one-line message in err (file functions prefix it with
 * the path). This file uses libc only (omrun links no compiler library).
 */
#ifndef OM_TOOLS_NPY_H
#define OM_TOOLS_NPY_H

#include <stddef.h>
#include <stdint.h>

#define OM_NPY_MAX_RANK 8

typedef struct om_npy_array {
    int32_t dtype;                 /* ONNX TensorProto number */
    int32_t rank;
    int64_t dims[OM_NPY_MAX_RANK];
    void *data;                    /* nbytes bytes, owned by the array (om_npy_free) */
    size_t nbytes;
} om_npy_array;

/* Bytes per element and the descr numpy writes ('<f4', '|b1', ...) for an ONNX dtype;
 * 0 / NULL when .npy cannot hold it. */
size_t om_npy_dtype_size(int32_t dtype);
const char *om_npy_dtype_descr(int32_t dtype);

/* Parses a whole .npy image; the data is copied into out (buf may be freed afterwards). */
int om_npy_parse(const void *buf, size_t size, om_npy_array *out, char *err, size_t errlen);
int om_npy_read_file(const char *path, om_npy_array *out, char *err, size_t errlen);
void om_npy_free(om_npy_array *a);   /* accepts zeroed */

/* Serializes to a new malloc'd buffer (version 1.0, or 2.0 if the header needs it; the
 * header is padded so the data starts at a multiple of 64 bytes). nbytes must equal
 * product(dims) * itemsize. */
int om_npy_serialize(int32_t dtype, int32_t rank, const int64_t *dims, const void *data,
                     size_t nbytes, void **out, size_t *out_size, char *err, size_t errlen);
/* Writes a .npy file; on failure the partial file is removed. */
int om_npy_write_file(const char *path, int32_t dtype, int32_t rank, const int64_t *dims,
                      const void *data, size_t nbytes, char *err, size_t errlen);

#endif
