/* Broadcast loops for the elementwise kernels with numpy multidirectional broadcasting
 * (Add/Sub/Mul/Div, Pow, Mod, BitShift, Max/Min/Sum/Mean, comparisons, logic, Where, Cast):
 * private to codegen/.
 *
 * om_cg_bcast_open computes, at compile time, each operand's element stride per output
 * dim (0 along broadcast dims), drops size-1 dims and merges adjacent dims that are
 * contiguous for every operand, so same-shape and scalar-broadcast cases become one flat
 * loop and the innermost loop is contiguous whenever the shapes allow. The leading merged
 * dims are fused into the parallel work loop (om_cg_for_work) until it has at least
 * OM_CG_BCAST_MIN_WORK items or only the innermost dim is left; the innermost dim is a
 * plain loop (vectorizable). At the builder's position after open, off[0] is the output's
 * element offset and off[1 + k] input k's (an i64 value). Close with om_cg_bcast_close.
 *
 * Invariants: the output shape is static; every input's rank is <= the output's and each
 * of its dims equals the aligned output dim or 1 (else OM_ERR_UNSUPPORTED naming the
 * input); an empty output gives loops that run zero times.
 */
#ifndef OM_CODEGEN_CG_BROADCAST_H
#define OM_CODEGEN_CG_BROADCAST_H

#include "codegen/cg_internal.h"

#define OM_CG_BCAST_MAX_INPUTS 32
#define OM_CG_BCAST_MIN_WORK 256

typedef struct om_cg_bcast {
    int n_loops;
    om_cg_loop loops[OM_MAX_RANK + 1];
    LLVMValueRef off[OM_CG_BCAST_MAX_INPUTS + 1];
} om_cg_bcast;

/* ins[0..n_in) are the inputs to broadcast against out (n_in <= OM_CG_BCAST_MAX_INPUTS;
 * a NULL entry gets offset 0). On error nothing is emitted. */
om_status om_cg_bcast_open(om_cg_ctx *cx, om_cg_bcast *bc, const om_value *out, int n_in,
                           const om_value *const *ins);
void om_cg_bcast_close(om_cg_ctx *cx, om_cg_bcast *bc);

#endif
