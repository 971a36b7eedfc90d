/* Gelu (family fused_gelu of ir/ops/fused.def): one flat loop over the elements (the
 * parallel work loop), computed in f32 (f16/bf16/f64 converted):
 *   approximate "none": y = 0.5 x (1 + erf(x / sqrt 2))      (om_cg_erf_f32)
 *   approximate "tanh": y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))  (om_cg_tanh_f32)
 * NaN propagates. Input and output have the same dtype and element count.
 */
#include <string.h>

#include "codegen/cg_math.h"

om_status om_cg_emit_fused_gelu(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    if (!om_dtype_is_float(dt) || Y->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s -> %s not supported (float types, same in and out)",
                                 om_dtype_name(dt), om_dtype_name(Y->dtype));
    int64_t numel = om_shape_numel(&Y->shape);
    if (numel < 0 || om_shape_numel(&X->shape) != numel)
        return om_cg_unsupported(cx, "input has %lld elements, output %lld", (long long)om_shape_numel(&X->shape),
                                 (long long)numel);
    const char *ap = om_node_string(n, "approximate", "none");
    bool tanh_form = strcmp(ap, "tanh") == 0;
    if (!tanh_form && strcmp(ap, "none") != 0)
        return om_cg_unsupported(cx, "approximate '%s' (expected none or tanh)", ap);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    om_cg_loop l;
    LLVMValueRef i = om_cg_for_work(cx, &l, numel, "i");
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, i), dt, OM_DT_FLOAT);
    LLVMValueRef t;
    if (tanh_form) {
        LLVMValueRef x3 = LLVMBuildFMul(b, LLVMBuildFMul(b, x, x, ""), x, "");
        LLVMValueRef inner = LLVMBuildFAdd(b, x, LLVMBuildFMul(b, om_cg_f32(cx, 0.044715f), x3, ""), "");
        t = om_cg_tanh_f32(cx, LLVMBuildFMul(b, om_cg_f32(cx, 0.7978845608028654f), inner, ""));
    } else {
        t = om_cg_erf_f32(cx, LLVMBuildFMul(b, x, om_cg_f32(cx, 0.7071067811865476f), ""));
    }
    LLVMValueRef y = LLVMBuildFMul(b, LLVMBuildFMul(b, om_cg_f32(cx, 0.5f), x, ""),
                                   LLVMBuildFAdd(b, om_cg_f32(cx, 1.0f), t, ""), "");
    om_cg_store(cx, dt, py, i, om_cg_convert(cx, y, OM_DT_FLOAT, dt));
    om_cg_for_end(cx, &l);
    return OM_OK;
}
