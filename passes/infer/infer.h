/* Shape and dtype rules, one function per op family (the family column of ir/ops.def).
 *
 * om_infer_<family>(g, n) checks n's inputs (presence, rank, dtype agreement, attribute
 * validity, broadcast compatibility), computes each output's dtype and shape and stores
 * them with om_infer_set_output (which checks them against types the model declared).
 * Conv and pools also rewrite their attributes to the explicit form. The driver
 * (passes/infer_shapes.c) guarantees: n->op is valid, input/output counts are within the
 * op table's bounds, outputs are non-NULL, and every present input has a known dtype and
 * rank. Rules still use om_node_input for optional inputs. Errors name the node.
 */
#ifndef OM_PASSES_INFER_INFER_H
#define OM_PASSES_INFER_INFER_H

#include "ir/ir.h"

/* The family list is ops.def itself: a family shared by several ops is declared more
 * than once, which C allows for identical prototypes. */
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) \
    om_status om_infer_##family(om_graph *g, om_node *n);
#include "ir/ops.def"
#undef OM_OP

/* ---- helpers (passes/infer/common.c) ------------------------------------------------ */

/* om_error with a "node 'name' (Op): " prefix. */
om_status om_infer_error(const om_node *n, om_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats a shape as "[1,batch,?,224]" into buf (always NUL-terminated). */
const char *om_infer_shape_str(const om_shape *s, char *buf, size_t len);

/* Input i, which must be present (error naming the index otherwise). */
om_status om_infer_need_input(const om_node *n, int i, om_value **out);
/* Errors unless input i has exactly `rank` dims. */
om_status om_infer_check_rank(const om_node *n, int i, int rank);
/* Errors unless input i's dtype is `dt` (names both inputs' dtypes). */
om_status om_infer_check_same_dtype(const om_node *n, int i, int ref);
/* Errors unless dtype of input i is a floating type (what the op supports). */
om_status om_infer_check_float(const om_node *n, int i);

/* Normalizes a possibly negative axis attribute value into [0, rank + extra) where extra
 * is 0 for most ops (axis < rank) and 1 for Flatten (axis <= rank). */
om_status om_infer_axis(const om_node *n, const char *attr, int64_t axis, int rank, int extra, int *out);

/* Two dims that must be equal: if both are known they must match; returns the merged
 * dim (known one wins). Sets *ok false on mismatch. */
int64_t om_infer_merge_dim(int64_t a, int64_t b, bool *ok);

/* Numpy multidirectional broadcast of a and b into out. On mismatch returns false and
 * sets *bad_dim to the failing output axis. */
bool om_infer_broadcast(const om_shape *a, const om_shape *b, om_shape *out, int *bad_dim);

/* True when every output of n already has a static shape (the model declared it: graph
 * outputs, value_info). A rule whose output shape depends on the VALUES of an input that is
 * computed at run time (a shape, axes, sizes, repeats, pads or K input; a data-dependent
 * count) may then take the declared shapes, provided the kernel checks at run time that the
 * values agree (om_cg_check with OM_ART_CHECK_SHAPE_VALUE / OM_ART_CHECK_OUTPUT_SIZE), and
 * uses the run-time values wherever they matter beyond the shape (Slice starts, Pad
 * offsets, Resize scales...). Otherwise the rule reports the input as needing a constant. */
bool om_infer_outputs_declared(const om_node *n);

/* Stores the inferred type of output i. If the model already declared a type, it must
 * agree: same dtype, same rank, equal static dims (a dim known on either side wins). */
om_status om_infer_set_output(om_graph *g, om_node *n, int i, om_dtype dt, const om_shape *s);

#endif
