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

/* ---- sequence and optional graph inputs/outputs -------------------------------------
 *
 * The IR has tensors only; sequences and optionals are resolved at import (fe_control.h).
 * A sequence- or optional-typed GRAPH input is therefore compiled for pinned values:
 *   - a sequence input `s` pinned to n element shapes becomes n tensor graph inputs named
 *     `s.0`, `s.1`, ... `s.<n-1>` (in place of `s` in the input order; dtype from the
 *     model's element type; a pinned dim of -1 keeps the model's element dim);
 *   - an optional input pinned absent (OM_FE_PIN_NONE) has no graph input; pinned to a
 *     sequence it is that sequence; otherwise an optional of a tensor is present: a tensor
 *     input named as the optional (its shape pinned like any tensor, by infer-shapes);
 *   - a sequence graph output `y` of n elements (known after import) becomes n tensor
 *     outputs `y.0` ... `y.<n-1>` in place of `y`; a present optional output is its value
 *     (a tensor output, or sequence outputs as above); an ABSENT optional output cannot be
 *     represented and is OM_ERR_UNSUPPORTED naming it.
 * A sequence (or optional-of-sequence) input without a pin is OM_ERR_UNSUPPORTED naming it.
 * Element names that collide with another value of the model are OM_ERR_INVALID_MODEL. */
typedef enum om_fe_pin_kind {
    OM_FE_PIN_SEQUENCE = 1,   /* a sequence (or an optional holding one): n_elems shapes */
    OM_FE_PIN_NONE = 2,       /* an optional input without a value */
} om_fe_pin_kind;

typedef struct om_fe_input_pin {
    const char *name;
    om_fe_pin_kind kind;
    int n_elems;              /* OM_FE_PIN_SEQUENCE: length (0..4096) */
    const om_shape *elems;    /* element shapes (dims -1: the model's); syms ignored */
} om_fe_input_pin;

typedef struct om_fe_import_opts {
    const om_fe_tensor *frozen;   /* as om_fe_import_onnx_file_frozen (may be NULL) */
    size_t n_frozen;
    const om_fe_input_pin *pins;  /* sequence / optional pins; a name matching no sequence
                                   * or optional graph input is OM_ERR_INVALID_ARGUMENT */
    size_t n_pins;
} om_fe_import_opts;

/* om_fe_import_onnx_file with options (opts may be NULL: none). */
om_status om_fe_import_onnx_file_opts(const char *path, const om_fe_import_opts *opts, om_graph **out);

/* The declared kind of each graph input and output (initializers excluded from inputs),
 * for runners that read test data: SequenceProto / OptionalProto files are not
 * self-describing. */
typedef enum om_fe_io_kind {
    OM_FE_IO_TENSOR = 0,
    OM_FE_IO_SEQUENCE = 1,            /* sequence of tensors */
    OM_FE_IO_OPTIONAL = 2,            /* optional of a tensor */
    OM_FE_IO_OPTIONAL_SEQUENCE = 3,   /* optional of a sequence of tensors */
    OM_FE_IO_OTHER = 4,               /* map, sparse, nested sequences, ... */
} om_fe_io_kind;

typedef struct om_fe_io_entry {
    char *name;                       /* malloc'd */
    om_fe_io_kind kind;
} om_fe_io_entry;

typedef struct om_fe_io_list {
    om_fe_io_entry *inputs, *outputs; /* malloc'd */
    size_t n_inputs, n_outputs;
} om_fe_io_list;

om_status om_fe_onnx_io_kinds(const char *path, om_fe_io_list *out);
void om_fe_io_list_free(om_fe_io_list *l);   /* accepts zeroed */

/* A decoded test-data value: a TensorProto, SequenceProto or OptionalProto file. */
typedef struct om_fe_value {
    char *name;                 /* malloc'd, may be "" */
    bool present;               /* false: an optional without a value */
    bool is_sequence;           /* the (present) value is a sequence */
    size_t n_items;             /* a tensor: 1; a sequence: its length */
    om_fe_tensor *items;        /* malloc'd array (NULL when n_items is 0) */
} om_fe_value;

/* Reads `path` as the proto `kind` says (TENSOR: TensorProto, SEQUENCE: SequenceProto,
 * OPTIONAL*: OptionalProto). Sequences of non-tensors are OM_ERR_UNSUPPORTED. */
om_status om_fe_load_value_file(const char *path, om_fe_io_kind kind, om_fe_value *out);
void om_fe_value_free(om_fe_value *v);       /* accepts zeroed */

/* Reads a serialized TensorProto file (raw_data or typed fields). */
om_status om_fe_load_tensor_file(const char *path, om_fe_tensor *out);
void om_fe_tensor_free(om_fe_tensor *t);   /* frees fields; accepts zeroed */

/* Whether the frontend can import `op_type` of `domain` at `opset` (for --list-ops). */
typedef struct om_fe_op_support {
    const char *op_type;
    int since_opset_min;  /* oldest opset version handled (of `domain`) */
    const char *domain;   /* NULL: the default domain ai.onnx */
} om_fe_op_support;
size_t om_fe_supported_ops(const om_fe_op_support **out);

#ifdef __cplusplus
}
#endif
#endif
