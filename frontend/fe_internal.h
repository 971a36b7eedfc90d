/* Internal interface of the ONNX frontend, shared by the files of frontend/ only. This is
 * the one header that sees the protobuf-c types generated from onnx.proto; it must never
 * be included from outside frontend/ (onnx_import.h is the public API).
 *
 * Files:
 *   onnx_import.c     public entry points; model -> graph (opset, inputs, initializers,
 *                     nodes, value_info, outputs)
 *   onnx_io.c         bounded file reading, path helpers
 *   proto_guard.c     wire-format pre-check (nesting depth) before protobuf-c decodes
 *   onnx_tensor.c     TensorProto -> bytes in every storage form; om_fe_load_tensor_file
 *   external_data.c   external data (location/offset/length next to the model)
 *   onnx_types.c      TypeProto -> dtype and shape
 *   onnx_nodes.c      NodeProto -> staged node -> IR node; attributes; Constant nodes
 *   opset_rewrites.c  older op versions -> canonical (newest) form, one function per rewrite
 *   op_support.c      which op types are importable; the unsupported-op message
 *   onnx_control.c    If/Loop/Scan inlined/unrolled at import; subgraph scoping (fe_control.h)
 *   onnx_sequence.c   sequence and optional values as compile-time lists (fe_control.h)
 */
#ifndef OM_FRONTEND_FE_INTERNAL_H
#define OM_FRONTEND_FE_INTERNAL_H

#include "frontend/onnx_import.h"
#include "onnx/onnx.pb-c.h"

/* Files larger than this are refused (protobuf's own limit is 2 GiB). */
#define OM_FE_MAX_FILE_BYTES ((size_t)2 << 30)
#define OM_FE_OPSET_MIN 1
#define OM_FE_OPSET_MAX 17

/* Reads a whole file (at most OM_FE_MAX_FILE_BYTES) into a malloc'd buffer. `what` names
 * the file kind in messages ("ONNX model", "tensor file"). */
om_status om_fe_read_file(const char *path, const char *what, uint8_t **out, size_t *out_size);
/* malloc'd directory part of path ("." when it has none); NULL on out of memory. */
char *om_fe_dirname(const char *path);
/* Protobuf messages nested deeper than this are refused before decoding (real models
 * nest a handful of levels per subgraph). */
#define OM_FE_MAX_PROTO_DEPTH 100
/* Walks the wire format of a message of descriptor d: OM_ERR_INVALID_MODEL ("not a valid
 * ONNX model: <shown> (...)") when malformed or nested too deeply. */
om_status om_fe_proto_check(const ProtobufCMessageDescriptor *d, const void *buf, size_t size,
                            const char *shown);
/* proto strings are NULL when absent */
static inline const char *om_fe_str(const char *s) { return s ? s : ""; }

/* ---- tensors --------------------------------------------------------------------- */

/* A decoded TensorProto: data points into the proto (raw_data), or into `owned` (typed
 * fields converted, external data read); release with om_fe_tensor_data_release. */
typedef struct om_fe_tensor_data {
    om_dtype dtype;
    om_shape shape;      /* static, syms NULL */
    const void *data;    /* NULL when nbytes == 0 */
    size_t nbytes;       /* numel * dtype size */
    void *owned;         /* malloc'd buffer behind data, or NULL */
} om_fe_tensor_data;

/* Decodes t. `what` names the tensor in messages (e.g. "initializer 'w'"). base_dir is the
 * folder external data is relative to (NULL: external data refused). */
om_status om_fe_tensor_decode(const Onnx__TensorProto *t, const char *base_dir, const char *what,
                              om_fe_tensor_data *out);
void om_fe_tensor_data_release(om_fe_tensor_data *d);

/* Reads external data of t (data_location EXTERNAL) into a malloc'd buffer of exactly
 * `nbytes` bytes. */
om_status om_fe_external_read(const Onnx__TensorProto *t, const char *base_dir, const char *what,
                              size_t nbytes, void **out);

/* ---- types ----------------------------------------------------------------------- */

/* ONNX elem_type -> om_dtype; OM_ERR_UNSUPPORTED (naming `what`) for STRING and unknown. */
om_status om_fe_dtype(int32_t elem_type, const char *what, om_dtype *out);
/* A tensor TypeProto -> dtype and shape (symbolic dims keep their names, in g's arena).
 * A missing shape is rank -1. Non-tensor types are OM_ERR_UNSUPPORTED. */
om_status om_fe_type(om_graph *g, const Onnx__TypeProto *tp, const char *what, om_dtype *dt,
                     om_shape *shape);

/* ---- nodes ----------------------------------------------------------------------- */

typedef struct om_fe_ctx {
    om_graph *g;
    const Onnx__ModelProto *model;
    const Onnx__GraphProto *graph;
    const char *base_dir;   /* folder of the model (external data), or NULL */
    int64_t opset;          /* default-domain opset */
    struct om_fe_scope *scope;  /* innermost subgraph scope, NULL in the main graph (fe_control.h) */
    struct om_fe_scope *root;   /* main-graph bindings (sequences, optionals), created on demand */
    size_t unrolled_nodes;      /* IR nodes added by Loop/Scan unrolling (budget) */
    om_status last;             /* status of the last failed value-returning helper (fe_control.h) */
    const om_fe_tensor *frozen; /* graph inputs imported as constants (om_fe_import_onnx_file_frozen) */
    size_t n_frozen;
} om_fe_ctx;

/* A node between the proto and the IR: rewrites edit it before the IR node exists.
 * Arrays live in the graph arena, sized with room for the rewrites (inputs: +2). */
typedef struct om_fe_node {
    const Onnx__NodeProto *proto;
    size_t index;           /* position in graph.node */
    const char *label;      /* "node 'name'" or "node #index" for messages (arena) */
    const char *op_type;
    om_op op;               /* OM_OP_COUNT until known (e.g. Dropout before its rewrite) */
    int n_inputs, cap_inputs;
    om_value **inputs;      /* NULL entries: omitted optional inputs */
    int n_outputs;
    const char **outputs;   /* output names; "" for an omitted output in the middle */
    int n_attrs, cap_attrs;
    om_attr *attrs;         /* staged attributes (arrays may point into the proto) */
} om_fe_node;

/* The IR value of ONNX name `name` as seen from the current scope (subgraph bindings
 * first, then the main graph); NULL if undefined. A sequence-typed name is an error
 * (OM_ERR_UNSUPPORTED via *st) when used where a tensor is expected. */
om_value *om_fe_lookup(om_fe_ctx *ctx, const char *name, const char *label, om_status *st);

/* OM_ERR_UNSUPPORTED naming the first node of a domain other than ai.onnx, else OM_OK. */
om_status om_fe_check_node_domains(om_fe_ctx *ctx);
/* Imports graph.node[i] (Constant or op) into ctx->g. */
om_status om_fe_import_node(om_fe_ctx *ctx, size_t index);

/* Staged attribute helpers (used by rewrites). */
om_attr *om_fe_node_attr(om_fe_node *n, const char *name);  /* NULL if absent */
void om_fe_node_drop_attr(om_fe_node *n, const char *name);
om_status om_fe_node_set_int(om_fe_ctx *ctx, om_fe_node *n, const char *name, int64_t v);
/* Number of uses of value `name` by any node input of the graph or as a graph output. */
size_t om_fe_name_uses(const om_fe_ctx *ctx, const char *name);

/* ---- opset rewrites and op support ---------------------------------------------- */

/* The op groups' rewrite functions (frontend/rewrites/<group>.c), declared from their
 * tables. A rewrite edits the staged node; it may change n->op_type / n->op (an op type
 * consumed only by rewrites is listed with OM_FE_FRONTEND_OP so it counts as supported). */
#define OM_FE_REWRITE(op, lo, hi, fn) om_status fn(om_fe_ctx *ctx, om_fe_node *n);
#define OM_FE_FRONTEND_OP(op)
#include "frontend/rewrites/rewrites.def"
#undef OM_FE_REWRITE
#undef OM_FE_FRONTEND_OP

/* Applies every rewrite registered for (n->op_type, ctx->opset). */
om_status om_fe_apply_rewrites(om_fe_ctx *ctx, om_fe_node *n);
/* Whether the op type (default domain) is importable: an IR op, or one a rewrite maps to
 * an IR op (Dropout), or Constant. */
bool om_fe_op_type_supported(const char *op_type);
/* Sets the unsupported-op message (node label, op, domain, opset, nearest names and the
 * supported list) and returns OM_ERR_UNSUPPORTED. */
om_status om_fe_unsupported_op(const om_fe_node *n, const char *domain, int64_t opset);

#endif
