/* Flatten and Reshape: the bytes do not change, so the kernel copies the input to the output
 * (memmove, so an in-place plan where both are the same buffer is fine). Reshape's second
 * input (the constant shape tensor) is not read. Large copies are split into 64 KiB work
 * items so the runtime can spread them over threads.
 */
#include "codegen/cg_internal.h"

#define CHUNK ((int64_t)64 * 1024)

om_status om_cg_emit_reshape(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    int64_t nbytes = om_shape_numel(&Y->shape) * (int64_t)om_dtype_size(Y->dtype);
    int64_t xbytes = om_shape_numel(&X->shape) * (int64_t)om_dtype_size(X->dtype);
    if (nbytes != xbytes)
        return om_cg_unsupported(cx, "input has %lld bytes, output %lld", (long long)xbytes, (long long)nbytes);
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    if (nbytes <= CHUNK) {
        if (nbytes > 0)
            LLVMBuildMemMove(cx->b, py, 1, px, 1, om_cg_i64(cx, nbytes));
        return OM_OK;
    }
    int64_t chunks = (nbytes + CHUNK - 1) / CHUNK;
    om_cg_loop l;
    LLVMValueRef c = om_cg_for_work(cx, &l, chunks, "chunk");
    LLVMValueRef off = om_cg_mul(cx, c, om_cg_i64(cx, CHUNK));
    LLVMValueRef rest = LLVMBuildSub(cx->b, om_cg_i64(cx, nbytes), off, "");
    LLVMValueRef big = LLVMBuildICmp(cx->b, LLVMIntSGT, rest, om_cg_i64(cx, CHUNK), "");
    LLVMValueRef len = LLVMBuildSelect(cx->b, big, om_cg_i64(cx, CHUNK), rest, "len");
    LLVMValueRef dst = LLVMBuildInBoundsGEP2(cx->b, cx->i8, py, &off, 1, "");
    LLVMValueRef src = LLVMBuildInBoundsGEP2(cx->b, cx->i8, px, &off, 1, "");
    LLVMBuildMemMove(cx->b, dst, 1, src, 1, len);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
