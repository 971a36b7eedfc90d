/* Internal declarations of the AscendCL facade (runtime/acl/): the status mapping from the
 * native runtime, the model table (model ids), the concrete types behind AscendCL's opaque
 * handles. Every facade function validates its arguments, sets the calling thread's message
 * (om_rt_error, read back by aclGetRecentErrMsg) on failure and returns an ACL_ERROR_* code. */
#ifndef OM_RUNTIME_ACL_INTERNAL_H
#define OM_RUNTIME_ACL_INTERNAL_H

#include "runtime/include/acl/acl.h"
#include "runtime/rt_internal.h"

/* The ACL code for a native status; `io`/`artifact` override IO and INVALID_ARTIFACT (which
 * differ between config files and models). */
aclError om_acl_status(omrt_status st);
aclError om_acl_status_file(omrt_status st, aclError io, aclError artifact);
/* Sets the message and returns code. */
aclError om_acl_fail(aclError code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct aclDataBuffer {
    void *data;
    size_t size;
};

struct aclTensorDesc {
    aclDataType dtype;
    aclFormat format;
    size_t ndims;
    int64_t dims[ACL_MAX_DIM_CNT];
    void *address;
    size_t array_n;            /* element 0 of an array from aclmdlCreateAndGetOpDesc */
};

typedef struct om_acl_io {
    char name[ACL_MAX_TENSOR_NAME_LEN];
    aclDataType dtype;
    aclFormat format;
    size_t rank;
    int64_t dims[OMRT_MAX_RANK];
    size_t nbytes;
} om_acl_io;

struct aclmdlDesc {
    int filled;
    uint32_t model_id;
    size_t n_in, n_out;
    om_acl_io *in, *out;
};

struct aclmdlDataset {
    aclDataBuffer **bufs;
    aclTensorDesc **descs;     /* owned copies, or NULL */
    size_t n, cap;
};

/* Model table: ids start at 1. om_acl_model returns the model or NULL (with message). */
omrt_model *om_acl_model(uint32_t id, const char *fn);
aclError om_acl_model_add(omrt_model *m, uint32_t *id);
void om_acl_models_unload_all(void);
aclDataType om_acl_dtype(int32_t onnx_dtype);
aclFormat om_acl_format(int32_t rank);
/* Fills d from the model's tensor info. */
void om_acl_io_fill(om_acl_io *d, const omrt_tensor_info *t);
aclTensorDesc *om_acl_desc_from_io(const om_acl_io *io, void *address);

#endif
