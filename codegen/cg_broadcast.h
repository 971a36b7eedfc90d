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

/* ---- chunked, explicitly vectorized elementwise loops ------------------------------------
 *
 * om_cg_bcast_vec emits the whole loop nest of an elementwise kernel with the same dim
 * merging as om_cg_bcast_open, but:
 *   - work items are chunks of about OM_CG_EW_CHUNK_BYTES of output: runs of the merged
 *     innermost dim (L elements) are cut into chunks when L is long, several rows are
 *     grouped into one item when L is short -- never one element per item;
 *   - the innermost loop runs on <lanes x T> vectors (lanes from ew_vec.h unless the
 *     caller asks for 1 = scalar) with one runtime-masked vector for the row's tail;
 *   - an input broadcast along the innermost dim is loaded once per row and splatted; a
 *     constant f32 scalar input is embedded as a constant (no load at all).
 * Each output element is computed by exactly one work item, from the same operands as the
 * scalar form: results do not depend on lanes, chunking or thread count.
 *
 * `body` computes the output value from one value per input (vals[k]: a <lanes x T_k>
 * vector of input k's dtype, or a scalar when lanes is 1) and returns a value of the
 * output's dtype with the same lane count. It is called twice (full vectors, masked
 * tail). Masked-off tail lanes hold zeros: the body must not trap on them (float ops
 * never do; integer division must guard its divisor, as binary.c does). */
#define OM_CG_EW_CHUNK_BYTES 16384

typedef LLVMValueRef (*om_cg_ew_body)(om_cg_ctx *cx, void *ud, LLVMValueRef *vals);

typedef struct om_cg_ew_loop {
    const om_value *out;
    int n_in;                       /* <= OM_CG_BCAST_MAX_INPUTS */
    const om_value *const *ins;     /* every entry non-NULL */
    int lanes;                      /* 0: the target's f32 lanes; 1: scalar */
    om_cg_ew_body body;
    void *ud;
} om_cg_ew_loop;

/* Emits the loops at the builder's position (reading inputs 0..n_in-1 and writing output 0
 * of the current node); the builder continues after them. Same shape checks as
 * om_cg_bcast_open; nothing is emitted on error. */
om_status om_cg_bcast_vec(om_cg_ctx *cx, const om_cg_ew_loop *lp);

#endif
