/* Loop nests over merged dims for the strided elementwise kernels (binary, transpose):
 * private to codegen/.
 *
 * Given m dims (outermost first) and, per operand, an element stride per dim, opens the
 * loops and yields each operand's element offset. The leading dims are fused into the
 * parallel work loop until it has at least `min_work` items (or only the innermost dim is
 * left), so a small outermost dim does not serialize the kernel; the work index is split
 * back into per-dim indices with divisions by constants. The innermost dim is always a
 * plain loop when m > 1 (contiguous, vectorizable).
 */
#ifndef OM_CODEGEN_CG_NEST_H
#define OM_CODEGEN_CG_NEST_H

#include "codegen/cg_internal.h"

#define OM_CG_NEST_MAX_OPS 4

typedef struct om_cg_nest {
    int n_loops;
    om_cg_loop loops[OM_MAX_RANK + 1];
} om_cg_nest;

/* dims[0..m), strides[k][0..m) for k < n_ops (<= OM_CG_NEST_MAX_OPS), m in 1..OM_MAX_RANK+1.
 * On return off[k] is operand k's offset (i64, elements) at the builder's position (the
 * innermost body). Close with om_cg_nest_close. */
void om_cg_nest_open(om_cg_ctx *cx, om_cg_nest *nest, int m, const int64_t *dims, int n_ops,
                     const int64_t strides[][OM_MAX_RANK + 1], int64_t min_work, LLVMValueRef *off);
void om_cg_nest_close(om_cg_ctx *cx, om_cg_nest *nest);

#endif
