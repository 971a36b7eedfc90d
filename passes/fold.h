/* Constant folding, shared by infer-shapes (folds as it goes, so that later shape rules see
 * constant inputs: Shape -> Gather -> Concat -> Reshape chains) and fold-constants (one
 * sweep over a graph whose shapes are already known).
 *
 * A live node folds when
 *   - its op is deterministic (not Random*, Bernoulli, Multinomial, Dropout),
 *   - every output has a known dtype of fixed size and a static shape, is not a graph
 *     output, and the outputs together take at most opts->fold_limit_bytes (0: 1 MiB),
 *   - and either it is Shape or Size of an input with a static shape (computed here, no data
 *     needed), or every non-omitted input is a constant and opts->eval_node is set.
 * Folding turns each output value, in place, into a constant (same value, same name, same
 * uses; producer cleared) and marks the node dead; the caller drops dead nodes
 * (om_graph_remove_dead). An evaluator failure other than out-of-memory leaves the node as
 * it is (codegen reports the node later) and is not an error (counter eval-failed).
 */
#ifndef OM_PASSES_FOLD_H
#define OM_PASSES_FOLD_H

#include "passes/passes.h"

#define OM_FOLD_DEFAULT_LIMIT ((int64_t)1 << 20)

/* Folds n if it qualifies; *folded says whether it did. Errors: OM_ERR_NO_MEMORY only. */
om_status om_fold_node(om_graph *g, om_node *n, const om_pass_opts *opts, bool *folded);

#endif
