/* The ONNX frontend: ONNX ModelProto (protobuf, decoded with protobuf-c code generated at
 * build time from the system's onnx.proto) -> IR graph. Nothing ONNX-specific leaves this
 * folder.
 *
 * - Opsets 7..17 of the default domain (ai.onnx / ""), and the legacy opsets 1..6 for the
 *   supported ops (the backend suite has cases that old). Older op versions are rewritten
 *   into the IR's canonical (newest) form here (opset version dispatch), so later stages
 *   see one meaning per op.
 * - Initializers in every storage form: raw_data, typed fields (float_data, int32_data for
 *   int8/16/32/uint8/16/bool/float16/bfloat16, int64_data, double_data, uint64_data), and
 *   external data (data_location EXTERNAL: location/offset/length relative to the model's
 *   folder; paths escaping that folder are refused). Constant nodes (value, value_float(s),
 *   value_int(s)) become constants. Initializers that are also graph inputs are constants
 *   (ONNX IR >= 4 semantics for overridable initializers: the initializer wins).
 * - Names are kept (value names, node names) so diagnostics can name them.
 * - An unsupported op is OM_ERR_UNSUPPORTED with: node name, op type, domain, opset.
 *
 * Ownership: on success *out is a new graph the caller destroys; on failure *out is NULL.
 */
#ifndef OM_FRONTEND_ONNX_IMPORT_H
#define OM_FRONTEND_ONNX_IMPORT_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* path: the .onnx file; external data is looked up next to it. */
om_status om_fe_import_onnx_file(const char *path, om_graph **out);
/* From memory. base_dir is where external data files live (NULL: external data refused). */
om_status om_fe_import_onnx_memory(const void *buf, size_t size, const char *base_dir, om_graph **out);

/* A decoded TensorProto (e.g. the backend test suite's input_0.pb / output_0.pb). */
typedef struct om_fe_tensor {
    char *name;          /* malloc'd, may be "" */
    om_dtype dtype;
    om_shape shape;      /* static; syms NULL */
    void *data;          /* malloc'd, numel * dtype size bytes, little-endian; NULL if empty */
    size_t nbytes;
} om_fe_tensor;

/* Like om_fe_import_onnx_file, with the graph inputs named frozen[i].name replaced by
 * constants holding frozen[i] (before any node is imported, so compile-time resolution of
 * Loop trip counts, sequence positions etc. sees them). Names matching no graph input are
 * ignored. Used by the test runners to freeze inputs that determine shapes. */
om_status om_fe_import_onnx_file_frozen(const char *path, const om_fe_tensor *frozen, size_t n_frozen,
                                        om_graph **out);

/* Reads a serialized TensorProto file (raw_data or typed fields). */
om_status om_fe_load_tensor_file(const char *path, om_fe_tensor *out);
void om_fe_tensor_free(om_fe_tensor *t);   /* frees fields; accepts zeroed */

/* Whether the frontend can import `op_type` of `domain` at `opset` (for --list-ops). */
typedef struct om_fe_op_support {
    const char *op_type;
    int since_opset_min;  /* oldest opset version handled */
} om_fe_op_support;
size_t om_fe_supported_ops(const om_fe_op_support **out);

#ifdef __cplusplus
}
#endif
#endif
