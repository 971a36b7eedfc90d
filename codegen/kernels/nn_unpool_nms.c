/* MaxUnpool kernel (family max_unpool); NonMaxSuppression's kernel is in nn_nms.c.
 *
 * MaxUnpool: Y = 0, then Y[I[j]] = X[j] for every j, I holding flat indices (as MaxPool's
 * Indices output gives them) into the default unpooled shape ((in - 1) * stride - pads +
 * kernel per spatial dim); when an output_shape makes Y larger or smaller, each index is
 * split into coordinates of the default shape and re-flattened into Y's (as ONNX's test
 * data expects). An index outside is skipped. The scatter may hit
 * any element, so the kernel is one work item. Any dtype (copied by element size).
 * A run-time output_shape (input 2 not a constant; the shape rule took Y's declared shape)
 * is checked first: every value must equal Y's compiled dim, else the kernel returns
 * OM_ART_CHECK_SHAPE_VALUE.
 */
#include <string.h>

#include "codegen/kernels/nn_util.h"

om_status om_cg_emit_max_unpool(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vi = om_node_input(n, 1), *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!vx || !vi || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vi->shape) ||
        !om_shape_is_static(&vy->shape) || vi->dtype != OM_DT_INT64 || vy->dtype != vx->dtype)
        return om_cg_unsupported(cx, "needs static shapes and int64 indices");
    int64_t nx = om_shape_numel(&vx->shape), ny = om_shape_numel(&vy->shape);
    if (om_shape_numel(&vi->shape) != nx)
        return om_cg_unsupported(cx, "X and I differ in size");
    if (!om_cg_type(cx, vx->dtype))
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(vx->dtype));
    int r = vx->shape.rank, k = r - 2;
    int64_t def[OM_MAX_RANK], ndef = 1;
    bool remap = false;
    const int64_t *ks = NULL, *sv = NULL, *pv = NULL;
    int kc = om_node_ints(n, "kernel_shape", &ks), sc = om_node_ints(n, "strides", &sv), pc = om_node_ints(n, "pads", &pv);
    if (r != vy->shape.rank || r < 3 || kc != k || (sc >= 0 && sc != k) || (pc >= 0 && pc != 2 * k))
        return om_cg_unsupported(cx, "attributes do not match the spatial rank");
    for (int d = 0; d < r; d++) {
        def[d] = vx->shape.dims[d];
        if (d >= 2)
            def[d] = (def[d] - 1) * (sc < 0 ? 1 : sv[d - 2]) - (pc < 0 ? 0 : pv[d - 2] + pv[k + d - 2]) + ks[d - 2];
        if (def[d] < 1)
            def[d] = 1;
        ndef *= def[d];
        remap |= def[d] != vy->shape.dims[d];
    }
    LLVMBuilderRef b = cx->b;
    const om_value *vo = om_node_input(n, 2);
    if (vo && (vo->kind != OM_VALUE_CONSTANT || !vo->data)) {
        if (vo->dtype != OM_DT_INT64 || om_shape_numel(&vo->shape) != r)
            return om_cg_unsupported(cx, "output_shape must hold %d int64 values", r);
        LLVMValueRef po = om_cg_in(cx, 2), ok = LLVMConstInt(cx->i1, 1, 0);
        for (int d = 0; d < r; d++)
            ok = LLVMBuildAnd(b, ok,
                              LLVMBuildICmp(b, LLVMIntEQ, om_cg_load(cx, OM_DT_INT64, po, om_cg_i64(cx, d)),
                                            om_cg_i64(cx, vy->shape.dims[d]), ""),
                              "");
        om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
    }
    if (ny == 0)
        return OM_OK;
    LLVMValueRef px = om_cg_in(cx, 0), pi = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    size_t es = om_dtype_size(vx->dtype);
    LLVMBuildMemSet(b, py, LLVMConstInt(cx->i8, 0, 0), om_cg_i64(cx, (int64_t)es * ny), 1);
    om_cg_loop l;
    LLVMValueRef j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, nx), "j");
    LLVMValueRef idx = om_cg_load(cx, OM_DT_INT64, pi, j);
    if (remap) {
        /* coordinates in the default shape -> flat index in Y (out of range -> -1) */
        LLVMValueRef in_ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, idx, om_cg_i64(cx, 0), ""),
                                          LLVMBuildICmp(b, LLVMIntSLT, idx, om_cg_i64(cx, ndef), ""), "");
        LLVMValueRef rem = LLVMBuildSelect(b, in_ok, idx, om_cg_i64(cx, 0), ""), flat = om_cg_i64(cx, 0);
        LLVMValueRef coords[OM_MAX_RANK];
        for (int d = r - 1; d >= 0; d--) {
            coords[d] = LLVMBuildURem(b, rem, om_cg_i64(cx, def[d]), "");
            rem = LLVMBuildUDiv(b, rem, om_cg_i64(cx, def[d]), "");
            in_ok = LLVMBuildAnd(b, in_ok, LLVMBuildICmp(b, LLVMIntSLT, coords[d], om_cg_i64(cx, vy->shape.dims[d]), ""), "");
        }
        for (int d = 0; d < r; d++)
            flat = om_cg_add(cx, om_cg_mad(cx, flat, vy->shape.dims[d], NULL), coords[d]);
        idx = LLVMBuildSelect(b, in_ok, flat, om_cg_i64(cx, -1), "");
    }
    LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, idx, om_cg_i64(cx, 0), ""),
                                   LLVMBuildICmp(b, LLVMIntSLT, idx, om_cg_i64(cx, ny), ""), "");
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "in");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
    LLVMBuildCondBr(b, ok, then, cont);
    LLVMPositionBuilderAtEnd(b, then);
    om_cg_store(cx, vx->dtype, py, idx, om_cg_load(cx, vx->dtype, px, j));
    LLVMBuildBr(b, cont);
    LLVMMoveBasicBlockAfter(cont, LLVMGetLastBasicBlock(cx->fn));
    LLVMPositionBuilderAtEnd(b, cont);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
