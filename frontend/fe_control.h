/* Private interface of the frontend's compile-time resolution of subgraphs and
 * sequences (onnx_control.c, onnx_sequence.c); included by fe_internal.h users in
 * frontend/ only.
 *
 * Scoping: a subgraph (If branch, Loop/Scan body) is imported INLINE into the one IR
 * graph. Its values live in a scope (om_fe_scope) mapping ONNX names to IR values; names
 * are looked up innermost scope first, then in the main graph (outer-scope references of
 * ONNX subgraphs resolve naturally). Values defined inside a scope get IR names
 * "<prefix>/<onnx name>" (uniquified by the IR), so diagnostics still name them.
 * Invariant: with no scope active (the main graph) every IR value carries its ONNX name.
 */
#ifndef OM_FRONTEND_FE_CONTROL_H
#define OM_FRONTEND_FE_CONTROL_H

#include "frontend/fe_internal.h"

/* Most iterations a Loop/Scan is unrolled to, and most IR nodes the unrolling may add. */
#define OM_FE_MAX_UNROLL 1024
#define OM_FE_MAX_UNROLL_NODES 200000
/* Most elements of a compile-time sequence. */
#define OM_FE_MAX_SEQ 4096

typedef struct om_fe_seq {
    int n;
    om_value **items;       /* arena; an item may be NULL when only the length is known at
                             * import (SplitToSequence with run-time sizes): using it is an
                             * error with the message `why` */
    const char *why;        /* arena, or NULL */
} om_fe_seq;

typedef struct om_fe_binding {
    const char *name;       /* ONNX name */
    om_value *v;            /* tensor value, or NULL for a sequence / absent optional */
    om_fe_seq *seq;         /* sequence value (compile-time list), or NULL */
    bool is_optional_none;  /* an optional without element */
} om_fe_binding;

typedef struct om_fe_scope {
    struct om_fe_scope *parent;
    const char *prefix;     /* IR name prefix of values defined here; NULL for the main graph */
    int n, cap;
    om_fe_binding *b;       /* arena */
} om_fe_scope;

/* The binding of `name` (innermost scope first); NULL when the name is not bound in any
 * scope (plain main-graph values are not bindings: see om_fe_lookup). */
om_fe_binding *om_fe_find_binding(om_fe_ctx *ctx, const char *name);
/* Binds name in the current scope (the root scope when none is active). */
om_status om_fe_bind(om_fe_ctx *ctx, const char *name, om_value *v, om_fe_seq *seq);
/* IR name for a value the current node defines under ONNX name `name`. */
const char *om_fe_ir_name(om_fe_ctx *ctx, const char *name);
/* New intermediate value for ONNX output `name` of a node ("" -> generated), bound in
 * the current scope. NULL with om_error set on failure (name taken in the main graph). */
om_value *om_fe_new_output(om_fe_ctx *ctx, const char *label, const char *name);

/* A new sequence of n (NULL) items in the graph arena; NULL on out of memory. */
om_fe_seq *om_fe_seq_new(om_fe_ctx *ctx, int n);
/* Item i of s, or OM_ERR_UNSUPPORTED (s->why, naming `label`) when it is not computable. */
om_status om_fe_seq_item(const om_fe_seq *s, int i, const char *label, om_value **out);
/* Binds `name` (current scope) to an optional without a value. */
om_status om_fe_bind_none(om_fe_ctx *ctx, const char *name);

/* Sequence and optional GRAPH inputs and outputs (onnx_sequence.c; the naming contract is
 * in onnx_import.h). om_fe_seq_or_opt_type: whether tp is a sequence or optional type.
 * om_fe_import_seq_input binds graph input vi (sequence or optional type) under `pin`
 * (NULL: none given), adding the element graph inputs. om_fe_export_output adds the graph
 * outputs of the binding b of ONNX output `name` (sequence elements, present optionals). */
bool om_fe_seq_or_opt_type(const Onnx__TypeProto *tp);
om_status om_fe_import_seq_input(om_fe_ctx *ctx, const Onnx__ValueInfoProto *vi, const om_fe_input_pin *pin);
om_status om_fe_export_output(om_fe_ctx *ctx, const char *name, const om_fe_binding *b);

/* IR node building helpers: one output value named `name` (NULL: generated). */
om_value *om_fe_emit1(om_fe_ctx *ctx, om_op op, const char *name, om_value *const *ins, int n_in);
om_value *om_fe_const_i64(om_fe_ctx *ctx, const int64_t *v, int n, bool scalar);
/* Follows Identity chains; the constant behind v or NULL. */
om_value *om_fe_const_source(om_value *v);

/* If/Loop/Scan/SequenceMap (onnx_control.c) and the sequence / optional ops
 * (onnx_sequence.c). */
bool om_fe_is_control_op(const char *op_type);
om_status om_fe_import_control(om_fe_ctx *ctx, om_fe_node *n);
bool om_fe_is_sequence_op(const char *op_type);
om_status om_fe_import_sequence(om_fe_ctx *ctx, om_fe_node *n);

/* Adagrad / Momentum / Adam of domain ai.onnx.preview.training, lowered to elementwise IR
 * ops (onnx_training.c). */
bool om_fe_is_training_op(const char *domain, const char *op_type);
om_status om_fe_import_training(om_fe_ctx *ctx, om_fe_node *n);

/* Imports the nodes of `body` inline with its inputs bound to in[0..n_in) (NULL entries
 * leave an input unbound) and returns its outputs' bindings in out[0..body->n_output). */
om_status om_fe_inline_graph(om_fe_ctx *ctx, const Onnx__GraphProto *body, const char *prefix,
                             om_fe_binding *in, int n_in, om_fe_binding *out);

#endif
