/* Private to the precision pass (precision.c, precision_decide.c): which tensors of a node
 * follow its precision, and the per-node decision with its range refusals. */
#ifndef OM_PASSES_PRECISION_INTERNAL_H
#define OM_PASSES_PRECISION_INTERNAL_H

#include "passes/passes.h"
#include "passes/precision.h"

/* Inputs / outputs that carry the op's floating-point type T (Resize's roi and scales and
 * LayerNormalization's Mean/InvStdDev outputs do not). */
bool om_pass_prec_is_t_input(const om_node *n, int i);
bool om_pass_prec_is_t_output(const om_node *n, int j);

typedef struct om_pass_prec_decider {
    om_graph *g;
    const om_pass_precision_opts *po;
    const om_pass_opts *opts;
    om_dtype low;            /* the mode's low dtype; UNDEFINED in fp32 mode */
    const om_dtype *orig;    /* [n_orig] declared dtypes before the pass */
    size_t n_orig;
    om_dtype *planned;       /* [n_orig] the dtype each value will have (set by om_pass_prec_decide) */
} om_pass_prec_decider;

/* The dtype node n runs in: the low dtype, OM_DT_FLOAT, or OM_DT_UNDEFINED when n has no
 * declared-f32 T tensor (or has T tensors of another float type: left alone). Call in
 * topological order: the infer list reads the decisions of the producers. Counts and
 * reports refusals and --keep-dtype hits. */
om_dtype om_pass_prec_decide(om_pass_prec_decider *d, const om_node *n);

#endif
