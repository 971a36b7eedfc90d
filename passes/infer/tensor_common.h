/* Helpers shared by the shape rules of the tensor op group (passes/infer/tensor_*.c):
 * reading compile-time constant inputs (shape-determining inputs must be constants) and
 * folding an output into a constant in place.
 *
 * Folding keeps the output value (its name, its uses, its place among the graph outputs)
 * and turns it into an OM_VALUE_CONSTANT holding the data (copied into the arena); the
 * producing node is marked dead once all its outputs are folded (om_infer_tensor_fold_done),
 * so later passes and codegen skip it and DCE drops it.
 */
#ifndef OM_PASSES_INFER_TENSOR_COMMON_H
#define OM_PASSES_INFER_TENSOR_COMMON_H

#include "passes/infer/infer.h"

/* Whether input i is present and a constant with data. */
bool om_infer_tensor_is_const(const om_node *n, int i);

/* Reads input i (a constant int32/int64 tensor of rank 0 or 1, at most `max` elements) into
 * out[0..*count). Non-constant: OM_ERR_UNSUPPORTED "input i ('name') must be a compile-time
 * constant: it determines the output shape". `what` names the input in messages ("axes"). */
om_status om_infer_tensor_const_ints(const om_node *n, int i, const char *what, int64_t *out, int max,
                                     int *count);

/* A scalar (or one-element) constant input of any numeric dtype as double / int64. */
om_status om_infer_tensor_const_scalar(const om_node *n, int i, const char *what, double *out);

/* Element k of a buffer of dtype dt as double / int64 (floats truncate toward zero;
 * f16/bf16 decoded). Unknown dtypes give 0. */
double om_infer_tensor_get_f64(om_dtype dt, const void *data, int64_t k);
int64_t om_infer_tensor_get_i64(om_dtype dt, const void *data, int64_t k);

/* Sets output i's type (checked against the declared type) and turns it into a constant
 * holding `nbytes` of `data` (must equal numel * dtype size). */
om_status om_infer_tensor_fold(om_graph *g, om_node *n, int i, om_dtype dt, const om_shape *s, const void *data,
                               size_t nbytes);
/* Marks n dead after all its outputs were folded. */
void om_infer_tensor_fold_done(om_node *n);

/* Normalizes axis (negative counts from the end) into [0, rank); errors name `what`. */
om_status om_infer_tensor_axis(const om_node *n, const char *what, int64_t axis, int rank, int *out);

#endif
