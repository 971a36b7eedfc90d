/* The omc intermediate representation: a graph of nodes (ops) over values (tensors).
 *
 * Ownership: a graph owns everything reachable from it. Values, nodes, attributes,
 * names and constant data are allocated in the graph's arena (om_graph_alloc) and die
 * with om_graph_destroy; nothing inside a graph is freed on its own. Pointers returned
 * by om_graph_* are borrowed and stay valid until the graph is destroyed.
 *
 * Order: g->nodes is kept in a topological order (every node after the producers of its
 * inputs). Passes that insert nodes use om_graph_insert_node_before / _after or call
 * om_graph_toposort afterwards; om_ir_verify checks the order.
 *
 * Errors: fallible functions return an om_status and, on failure, set a per-thread
 * message (om_error / om_last_error) that names the node, value or file position.
 */
#ifndef OM_IR_IR_H
#define OM_IR_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status and diagnostics ------------------------------------------------------ */

typedef enum om_status {
    OM_OK = 0,
    OM_ERR_INVALID_ARGUMENT = 1, /* caller misuse: NULL, bad option value */
    OM_ERR_INVALID_MODEL = 2,    /* malformed or inconsistent model / graph / artifact */
    OM_ERR_UNSUPPORTED = 3,      /* well-formed but not implemented (op, dtype, mode) */
    OM_ERR_NO_MEMORY = 4,
    OM_ERR_IO = 5,               /* open/read/write failed, disk full */
    OM_ERR_PARSE = 6,            /* syntax error in IR text or another text input */
    OM_ERR_INTERNAL = 7,         /* a bug in omc: an invariant did not hold */
} om_status;

/* Formats a message into the calling thread's error buffer and returns `code`, so that
 * `return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): ...", ...);` reads naturally.
 * The message is one line without a trailing newline. */
om_status om_error(om_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message set on this thread ("" if none). Borrowed; valid until the next om_error. */
const char *om_last_error(void);
/* Prefixes the current message with "<context>: " (e.g. the file name) and returns code. */
om_status om_error_prefix(om_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *om_status_name(om_status code);

/* ---- dtypes: ONNX TensorProto.DataType numbers (stable, written into artifacts) ---- */

typedef enum om_dtype {
    OM_DT_UNDEFINED = 0,
    OM_DT_FLOAT = 1,
    OM_DT_UINT8 = 2,
    OM_DT_INT8 = 3,
    OM_DT_UINT16 = 4,
    OM_DT_INT16 = 5,
    OM_DT_INT32 = 6,
    OM_DT_INT64 = 7,
    OM_DT_STRING = 8,
    OM_DT_BOOL = 9,
    OM_DT_FLOAT16 = 10,
    OM_DT_DOUBLE = 11,
    OM_DT_UINT32 = 12,
    OM_DT_UINT64 = 13,
    OM_DT_COMPLEX64 = 14,
    OM_DT_COMPLEX128 = 15,
    OM_DT_BFLOAT16 = 16,
} om_dtype;

size_t om_dtype_size(om_dtype dt);              /* bytes per element; 0 for STRING/UNDEFINED/unknown */
const char *om_dtype_name(om_dtype dt);         /* IR text name: "f32", "i64", "bool", ...; "?" if unknown */
om_dtype om_dtype_from_name(const char *name);  /* inverse; OM_DT_UNDEFINED if unknown */
const char *om_dtype_onnx_name(om_dtype dt);    /* "float", "int64", ... as ONNX spells them */
bool om_dtype_is_float(om_dtype dt);            /* FLOAT, DOUBLE, FLOAT16, BFLOAT16 */
bool om_dtype_is_signed_int(om_dtype dt);
bool om_dtype_is_unsigned_int(om_dtype dt);     /* UINT*, not BOOL */

/* ---- shapes ------------------------------------------------------------------------ */

#define OM_MAX_RANK 8
#define OM_DIM_UNKNOWN (-1)

/* A tensor shape. rank < 0 means the rank itself is unknown. A dim of OM_DIM_UNKNOWN is
 * dynamic; syms[i] optionally names it ("batch"), so that equal symbols can be pinned
 * together. syms strings are owned by the graph arena (or static). */
typedef struct om_shape {
    int rank;
    int64_t dims[OM_MAX_RANK];
    const char *syms[OM_MAX_RANK];
} om_shape;

om_shape om_shape_make(int rank, const int64_t *dims);   /* syms all NULL */
om_shape om_shape_scalar(void);                          /* rank 0 */
om_shape om_shape_unknown(void);                         /* rank -1 */
bool om_shape_is_static(const om_shape *s);              /* rank known and every dim >= 0 */
int64_t om_shape_numel(const om_shape *s);               /* product of dims; -1 if not static */
bool om_shape_equal(const om_shape *a, const om_shape *b); /* same rank and dims (syms ignored) */

/* ---- attributes -------------------------------------------------------------------- */

typedef enum om_attr_kind {
    OM_ATTR_INT = 1,
    OM_ATTR_FLOAT = 2,
    OM_ATTR_STRING = 3,
    OM_ATTR_INTS = 4,
    OM_ATTR_FLOATS = 5,
    OM_ATTR_STRINGS = 6,
    OM_ATTR_TENSOR = 7, /* a constant value (om_value with kind OM_VALUE_CONSTANT) */
} om_attr_kind;

typedef struct om_value om_value;
typedef struct om_node om_node;
typedef struct om_graph om_graph;

typedef struct om_attr {
    const char *name;
    om_attr_kind kind;
    int64_t i;             /* INT */
    float f;               /* FLOAT */
    const char *s;         /* STRING (NUL-terminated; ONNX strings with NUL are rejected) */
    int count;             /* element count of INTS / FLOATS / STRINGS */
    int64_t *ints;         /* INTS */
    float *floats;         /* FLOATS */
    const char **strings;  /* STRINGS */
    om_value *tensor;      /* TENSOR: not listed in g->values */
} om_attr;

/* ---- ops (from ops.def) ------------------------------------------------------------ */

typedef enum om_op {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) OM_OP_##e,
#include "ops.def"
#undef OM_OP
    OM_OP_COUNT
} om_op;

typedef struct om_op_info {
    const char *name; /* ONNX op type and IR text spelling */
    int min_inputs, max_inputs; /* max_inputs -1: variadic */
    int min_outputs, max_outputs;
} om_op_info;

const om_op_info *om_op_get(om_op op);     /* NULL if op is out of range */
const char *om_op_name(om_op op);          /* "?" if out of range */
om_op om_op_lookup(const char *name);      /* OM_OP_COUNT if unknown */

/* ---- values, nodes, graph ------------------------------------------------------------ */

typedef enum om_value_kind {
    OM_VALUE_INTERMEDIATE = 0, /* produced by a node */
    OM_VALUE_INPUT = 1,        /* a graph input, fed at run time */
    OM_VALUE_CONSTANT = 2,     /* data known at compile time (initializer, Constant) */
} om_value_kind;

struct om_value {
    uint32_t id;          /* index in g->values; stable until om_graph_compact */
    const char *name;     /* unique within the graph; never NULL */
    om_value_kind kind;
    om_dtype dtype;       /* OM_DT_UNDEFINED until inferred */
    om_shape shape;       /* rank -1 until inferred */
    om_node *producer;    /* INTERMEDIATE only */
    int producer_output;  /* index among producer's outputs */
    const void *data;     /* CONSTANT only: om_shape_numel * om_dtype_size bytes, little-endian */
    size_t nbytes;        /* CONSTANT only: size of data */
    bool is_output;       /* listed in g->outputs */
    int64_t mem_offset;   /* set by the memory planner: byte offset in the arena; -1 if none */
};

struct om_node {
    uint32_t id;          /* unique within the graph (not an index after removals) */
    om_op op;
    const char *name;     /* from the model ("" if the model gave none); for diagnostics */
    int n_inputs;
    om_value **inputs;    /* an entry is NULL for an omitted optional input */
    int n_outputs;
    om_value **outputs;
    int n_attrs;
    om_attr *attrs;
    bool dead;            /* marked for removal; om_graph_remove_dead drops it */
};

struct om_graph {
    const char *name;
    int64_t opset;        /* ai.onnx opset the model was imported with (informative) */
    size_t n_values;
    om_value **values;    /* every value, including inputs and constants; index == id */
    size_t n_nodes;
    om_node **nodes;      /* topological order */
    size_t n_inputs;
    om_value **inputs;    /* runtime inputs in declaration order (kind OM_VALUE_INPUT) */
    size_t n_outputs;
    om_value **outputs;   /* in declaration order */
    int64_t arena_size;   /* set by the memory planner: bytes of the intermediate arena; -1 if unplanned */
    struct om_arena *arena; /* private: the allocator */
    uint32_t next_node_id;
    size_t cap_values, cap_nodes, cap_inputs, cap_outputs; /* private */
};

om_graph *om_graph_create(const char *name); /* NULL on out of memory */
void om_graph_destroy(om_graph *g);          /* accepts NULL and half-built graphs */

/* Arena allocation: zeroed, 64-byte aligned, freed with the graph. NULL on out of memory. */
void *om_graph_alloc(om_graph *g, size_t size);
const char *om_graph_strdup(om_graph *g, const char *s);   /* s may be NULL -> NULL */

/* Creates a value named `name` (a unique name is generated when name is NULL or taken:
 * "name_1", ...). Shape may be NULL (unknown). */
om_value *om_graph_add_value(om_graph *g, const char *name, om_dtype dt, const om_shape *shape);
/* Creates a constant; copies nbytes of data into the arena. nbytes must equal
 * numel * dtype size (checked: OM_ERR_INVALID_MODEL via NULL + om_error). */
om_value *om_graph_add_constant(om_graph *g, const char *name, om_dtype dt, const om_shape *shape,
                                const void *data, size_t nbytes);
/* Marks v as a graph input (sets kind) / appends it to the outputs. */
om_status om_graph_add_input(om_graph *g, om_value *v);
om_status om_graph_add_output(om_graph *g, om_value *v);
om_value *om_graph_find_value(const om_graph *g, const char *name); /* NULL if absent */

/* Appends a node at the end of g->nodes; sets producer/producer_output of each output.
 * inputs may contain NULL (omitted optional). The arrays are copied. */
om_node *om_graph_add_node(om_graph *g, om_op op, const char *name, om_value *const *inputs,
                           int n_inputs, om_value *const *outputs, int n_outputs);
/* Same, placed immediately before / after `pos` in g->nodes. */
om_node *om_graph_insert_node_before(om_graph *g, om_node *pos, om_op op, const char *name,
                                     om_value *const *inputs, int n_inputs,
                                     om_value *const *outputs, int n_outputs);
om_node *om_graph_insert_node_after(om_graph *g, om_node *pos, om_op op, const char *name,
                                    om_value *const *inputs, int n_inputs,
                                    om_value *const *outputs, int n_outputs);
/* Drops nodes marked dead from g->nodes (their memory stays in the arena). */
void om_graph_remove_dead(om_graph *g);
/* Drops values that are neither inputs, outputs, nor used/produced by a live node, and
 * renumbers value ids to indices. Invalidates previously read ids. */
void om_graph_compact(om_graph *g);
/* Reorders g->nodes topologically (stable). OM_ERR_INVALID_MODEL names a node on a cycle. */
om_status om_graph_toposort(om_graph *g);
/* Replaces every use of `from` (node inputs and graph outputs) by `to`. */
void om_graph_replace_uses(om_graph *g, om_value *from, om_value *to);
/* Number of live node inputs that read v (graph outputs not counted). */
int om_graph_count_uses(const om_graph *g, const om_value *v);

/* Attributes. Setters replace an attribute of the same name. Arrays are copied. */
om_status om_node_set_int(om_graph *g, om_node *n, const char *name, int64_t v);
om_status om_node_set_float(om_graph *g, om_node *n, const char *name, float v);
om_status om_node_set_string(om_graph *g, om_node *n, const char *name, const char *v);
om_status om_node_set_ints(om_graph *g, om_node *n, const char *name, const int64_t *v, int count);
om_status om_node_set_floats(om_graph *g, om_node *n, const char *name, const float *v, int count);
om_status om_node_set_strings(om_graph *g, om_node *n, const char *name, const char *const *v, int count);
om_status om_node_set_tensor(om_graph *g, om_node *n, const char *name, om_value *constant);
om_status om_node_remove_attr(om_node *n, const char *name);
const om_attr *om_node_attr(const om_node *n, const char *name); /* NULL if absent */
/* Typed getters with a default when absent. (A present attribute of the wrong kind
 * also yields the default; om_ir_verify does not know attribute schemas.) */
int64_t om_node_int(const om_node *n, const char *name, int64_t dflt);
float om_node_float(const om_node *n, const char *name, float dflt);
const char *om_node_string(const om_node *n, const char *name, const char *dflt);
/* INTS: returns the count (or -1 if absent) and stores the array pointer in *out. */
int om_node_ints(const om_node *n, const char *name, const int64_t **out);

/* Input i of n, or NULL if i is out of range or the input is omitted. */
om_value *om_node_input(const om_node *n, int i);

/* ---- text format, verifier ---------------------------------------------------------- */

typedef struct om_print_opts {
    /* Constants with more elements than this print as `<elided N bytes>`, which the
     * parser refuses (0: never elide; the output then round-trips exactly). */
    int64_t elide_above;
    bool show_mem;        /* print `mem(offset)` and the arena size when planned */
} om_print_opts;

/* Prints g in IR text (see ir/README.md for the grammar). opts may be NULL (no eliding). */
om_status om_ir_print(const om_graph *g, FILE *out, const om_print_opts *opts);
/* Same into a malloc'd NUL-terminated string the caller frees. */
om_status om_ir_print_to_string(const om_graph *g, const om_print_opts *opts, char **out);
/* Parses IR text. `filename` is used in messages (`file:line:col: msg`, then the line and a
 * caret). On success *out is a new graph the caller destroys; on failure *out is NULL. */
om_status om_ir_parse(const char *text, size_t len, const char *filename, om_graph **out);
om_status om_ir_parse_file(const char *path, om_graph **out);
/* Structural checks: arity per the op table, unique value names, each intermediate has
 * exactly one producer that is live, topological order, outputs exist, constants have data
 * of the right size. Does not check shapes (shape inference does). */
om_status om_ir_verify(const om_graph *g);

#ifdef __cplusplus
}
#endif
#endif /* OM_IR_IR_H */
