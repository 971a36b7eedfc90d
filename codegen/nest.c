/* See cg_nest.h. */
#include "codegen/cg_nest.h"

void om_cg_nest_open(om_cg_ctx *cx, om_cg_nest *nest, int m, const int64_t *dims, int n_ops,
                     const int64_t strides[][OM_MAX_RANK + 1], int64_t min_work, LLVMValueRef *off)
{
    /* p leading dims fused into the work loop */
    int p = 1;
    int64_t work = dims[0];
    while (p < m - 1 && work < min_work)
        work *= dims[p++];
    for (int k = 0; k < n_ops; k++)
        off[k] = om_cg_i64(cx, 0);
    nest->n_loops = 0;
    LLVMValueRef w = om_cg_for_work(cx, &nest->loops[nest->n_loops++], work, "w");
    /* split w into indices of dims p-1 .. 0 (the last division is skipped) */
    for (int i = p - 1; i >= 0; i--) {
        LLVMValueRef idx = w;
        if (i > 0) {
            LLVMValueRef d = om_cg_i64(cx, dims[i]);
            idx = LLVMBuildURem(cx->b, w, d, "");
            w = LLVMBuildUDiv(cx->b, w, d, "");
        }
        for (int k = 0; k < n_ops; k++)
            off[k] = om_cg_mad(cx, idx, strides[k][i], off[k]);
    }
    for (int i = p; i < m; i++) {
        LLVMValueRef iv = om_cg_for(cx, &nest->loops[nest->n_loops++], om_cg_i64(cx, 0),
                                    om_cg_i64(cx, dims[i]), "i");
        for (int k = 0; k < n_ops; k++)
            off[k] = om_cg_mad(cx, iv, strides[k][i], off[k]);
    }
}

void om_cg_nest_close(om_cg_ctx *cx, om_cg_nest *nest)
{
    for (int i = nest->n_loops - 1; i >= 0; i--)
        om_cg_for_end(cx, &nest->loops[i]);
    nest->n_loops = 0;
}
