/* Pattern-matching helpers shared by the rewrite passes (simplify, cse, fold-batchnorm,
 * fold-mul-add, matmul-add-to-gemm, layernorm-fusion, gelu-fusion, and later epilogue
 * fusion).
 *
 * Matching reads the graph only. Rewrites follow one idiom that keeps every graph output's
 * value (name, dtype, shape) intact: the replacement node is inserted before the last node
 * of the matched pattern and produces that node's output value itself (om_pat_replace_root),
 * the matched nodes are marked dead, and the pass calls om_graph_remove_dead at the end.
 * Forwarding a value (y -> x, om_pat_forward) is refused when y is a graph output.
 * Constant data is read as double (f32, f64, integer and bool dtypes; f16/bf16/complex
 * constants are not matched).
 */
#ifndef OM_PASSES_PATTERN_H
#define OM_PASSES_PATTERN_H

#include "passes/passes.h"

/* v's producer if it is live and has op `op` (any op when op == OM_OP_COUNT), else NULL. */
om_node *om_pat_producer(const om_value *v, om_op op);
/* v is read by exactly one live node input and is not a graph output. */
bool om_pat_single_use(const om_graph *g, const om_value *v);
/* v is a constant with readable data (see above; static shape, size checked). */
bool om_pat_is_const(const om_value *v);
/* Element i of constant v as double (0 if not a readable constant). */
double om_pat_const_at(const om_value *v, int64_t i);
/* v is a constant of numel >= 1 whose elements all equal `want` within rel (|a-b| <= rel*|b|,
 * exact when rel == 0). */
bool om_pat_const_all(const om_value *v, double want, double rel);
/* v is a constant with exactly one element; stores it in *out. */
bool om_pat_const_scalar(const om_value *v, double *out);
/* For a binary node n (Add/Mul/...), when exactly one of its two inputs is a constant:
 * *other = the non-constant input, *cst = the constant, *const_index = its input index
 * (0 or 1). False otherwise. */
bool om_pat_split_const(const om_node *n, om_value **other, om_value **cst, int *const_index);
/* The other input of binary node n (the one that is not v); NULL if v is not an input
 * or both inputs are v. */
om_value *om_pat_other_input(const om_node *n, const om_value *v);
/* The only live node reading v (NULL if v has no or several readers). */
om_node *om_pat_single_user(const om_graph *g, const om_value *v);

/* Replaces every use of y by x and marks y's producer dead when nothing else it makes is
 * used. Refused (false) when y is a graph output or x's dtype/shape differs from y's. */
bool om_pat_forward(om_graph *g, om_value *y, om_value *x);

/* The live nodes reading v, one entry per input slot (a node reading v twice appears
 * twice); stores up to max of them and returns the total count. */
int om_pat_users(const om_graph *g, const om_value *v, om_node **out, int max);
/* v's only reader when v is single-use (om_pat_single_use) and that reader has op `op`. */
om_node *om_pat_user_op(const om_graph *g, const om_value *v, om_op op);
/* Repeats om_pat_kill_if_unused over nodes[0..count) (last first) until nothing changes:
 * drops the leftovers of a matched pattern after its root was replaced. */
void om_pat_kill_chain(const om_graph *g, om_node *const *nodes, int count);

/* Marks n dead when none of its outputs is read or a graph output; says whether it did. */
bool om_pat_kill_if_unused(const om_graph *g, om_node *n);

/* Inserts a node of op `op` before `root` producing root's output 0 value (kept: same name,
 * type, uses), marks root dead, and copies no attributes. NULL on out of memory. */
om_node *om_pat_replace_root(om_graph *g, om_node *root, om_op op, om_value *const *inputs, int n_inputs);
/* Inserts y = Cast(x) (to = y's dtype, named after y) just before pos, or just after it when
 * `after`. NULL on out of memory. */
om_node *om_pat_insert_cast(om_graph *g, om_node *pos, bool after, om_value *x, om_value *y);
/* n's output j becomes a new value "<name>_<dt>" of dtype dt that a Cast right after n turns
 * back into the old value (to its dtype), so the old value's readers and graph-output status
 * are untouched. Returns the Cast (its input is the new value); NULL on out of memory. */
om_node *om_pat_output_via_cast(om_graph *g, om_node *n, int j, om_dtype dt);
/* Copies all attributes of `from` onto `to`. */
om_status om_pat_copy_attrs(om_graph *g, om_node *to, const om_node *from);
/* Whether n carries an attribute whose name starts with `prefix` (e.g. "om_packed": its
 * weights were re-laid out by a packing pass). */
bool om_pat_has_attr_prefix(const om_node *n, const char *prefix);
/* Whether every value of INTS attribute `name` is 1 (true when it is absent). */
bool om_pat_ints_all_one(const om_node *n, const char *name);
/* The common ground of the passes that re-lay a Conv's weights offline: n is a live Conv,
 * group 1, auto_pad NOTSET, with no om_packed_* attribute yet; X, W, Y are f32 of rank 4
 * with static shapes, W a constant holding its data, channels consistent (W [M, C, kh, kw]
 * with C = X's and M = Y's), and the bias, if any, f32. */
bool om_pat_plain_f32_conv(const om_node *n);

/* A new f32 constant of the given shape from doubles (NULL + om_error on out of memory). */
om_value *om_pat_const_f32(om_graph *g, const char *name, int rank, const int64_t *dims, const double *data);
/* A new i64 constant of rank 1. */
om_value *om_pat_const_i64(om_graph *g, const char *name, int64_t count, const int64_t *data);

/* Per-channel broadcast: constant c, combined with a tensor of shape `out` whose channel
 * axis is `axis`, varies at most along that axis and does not widen `out` (its rank is at
 * most out's and every dim is 1 or, at the channel axis, out's channel count). On success
 * fills vals[0..C) (C = out->dims[axis]) with the value at each channel. */
bool om_pat_per_channel(const om_value *c, const om_shape *out, int axis, double *vals);

#endif
