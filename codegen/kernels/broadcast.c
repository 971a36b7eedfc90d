/* See cg_broadcast.h: stride computation, dim merging and the loop nest shared by the
 * broadcasting elementwise kernels. Not an emitter itself. */
#include "codegen/cg_broadcast.h"

#define MAX_OPS (OM_CG_BCAST_MAX_INPUTS + 1)

om_status om_cg_bcast_open(om_cg_ctx *cx, om_cg_bcast *bc, const om_value *out, int n_in,
                           const om_value *const *ins)
{
    if (n_in < 0 || n_in > OM_CG_BCAST_MAX_INPUTS)
        return om_cg_unsupported(cx, "%d inputs, at most %d are supported", n_in, OM_CG_BCAST_MAX_INPUTS);
    int rank = out->shape.rank;
    if (!om_shape_is_static(&out->shape))
        return om_cg_unsupported(cx, "output '%s' has no static shape", out->name);
    int n_ops = n_in + 1;
    int r = rank > 0 ? rank : 1; /* rank 0 is one dim of 1 */
    static const int64_t one = 1;
    const int64_t *od = rank > 0 ? out->shape.dims : &one;
    int64_t st[MAX_OPS][OM_MAX_RANK + 1];
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        st[0][i] = acc;
        acc *= od[i];
    }
    for (int k = 0; k < n_in; k++) {
        const om_value *v = ins[k];
        if (!v) {
            for (int i = 0; i < r; i++)
                st[k + 1][i] = 0;
            continue;
        }
        const om_shape *s = &v->shape;
        if (s->rank < 0 || s->rank > rank)
            return om_cg_unsupported(cx, "input %d '%s' has rank %d, the output '%s' %d", k, v->name, s->rank,
                                     out->name, rank);
        int64_t a = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - s->rank); /* the operand's dim aligned with output dim i */
            int64_t d = (j >= 0 && rank > 0) ? s->dims[j] : 1;
            if (d != od[i] && d != 1)
                return om_cg_unsupported(cx, "input %d '%s' dim %d is %lld, not broadcastable to %lld", k,
                                         v->name, j, (long long)d, (long long)od[i]);
            st[k + 1][i] = (d == 1) ? 0 : a;
            a *= d;
        }
    }
    /* drop size-1 dims, then merge dim i into the previous one when every operand is
     * contiguous across them */
    int m = 0;
    int64_t md[OM_MAX_RANK + 1], ms[MAX_OPS][OM_MAX_RANK + 1];
    for (int i = 0; i < r; i++) {
        if (od[i] == 1)
            continue;
        if (m > 0) {
            bool merge = true;
            for (int k = 0; k < n_ops; k++)
                merge &= ms[k][m - 1] == st[k][i] * od[i];
            if (merge) {
                md[m - 1] *= od[i];
                for (int k = 0; k < n_ops; k++)
                    ms[k][m - 1] = st[k][i];
                continue;
            }
        }
        md[m] = od[i];
        for (int k = 0; k < n_ops; k++)
            ms[k][m] = st[k][i];
        m++;
    }
    if (m == 0) {
        md[0] = 1;
        for (int k = 0; k < n_ops; k++)
            ms[k][0] = 0;
        m = 1;
    }

    /* p leading dims fused into the work loop */
    int p = 1;
    int64_t work = md[0];
    while (p < m - 1 && work < OM_CG_BCAST_MIN_WORK)
        work *= md[p++];
    for (int k = 0; k < n_ops; k++)
        bc->off[k] = om_cg_i64(cx, 0);
    bc->n_loops = 0;
    LLVMValueRef w = om_cg_for_work(cx, &bc->loops[bc->n_loops++], work, "w");
    /* split w into indices of dims p-1 .. 0 (the last division is skipped) */
    for (int i = p - 1; i >= 0; i--) {
        LLVMValueRef idx = w;
        if (i > 0) {
            LLVMValueRef d = om_cg_i64(cx, md[i]);
            idx = LLVMBuildURem(cx->b, w, d, "");
            w = LLVMBuildUDiv(cx->b, w, d, "");
        }
        for (int k = 0; k < n_ops; k++)
            bc->off[k] = om_cg_mad(cx, idx, ms[k][i], bc->off[k]);
    }
    for (int i = p; i < m; i++) {
        LLVMValueRef iv = om_cg_for(cx, &bc->loops[bc->n_loops++], om_cg_i64(cx, 0), om_cg_i64(cx, md[i]), "i");
        for (int k = 0; k < n_ops; k++)
            bc->off[k] = om_cg_mad(cx, iv, ms[k][i], bc->off[k]);
    }
    return OM_OK;
}

void om_cg_bcast_close(om_cg_ctx *cx, om_cg_bcast *bc)
{
    for (int i = bc->n_loops - 1; i >= 0; i--)
        om_cg_for_end(cx, &bc->loops[i]);
    bc->n_loops = 0;
}
