/* Relu, Sigmoid, Tanh, Identity: one flat loop over the elements (the parallel work loop).
 *
 * dtypes: Relu f32/f64/f16/bf16 and every integer type (unsigned Relu is a copy); Sigmoid
 * and Tanh f32/f16/bf16 and f64 (f64 is computed through the f32 polynomials of math.c,
 * i.e. with f32 accuracy, ~2e-7 relative); Identity any dtype with a size (bytes copied).
 */
#include "codegen/cg_internal.h"

static bool is_int(om_dtype dt)
{
    return om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

om_status om_cg_emit_unary(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (X->dtype != dt)
        return om_cg_unsupported(cx, "input dtype %s differs from output dtype %s",
                                 om_dtype_name(X->dtype), om_dtype_name(dt));
    int64_t numel = om_shape_numel(&Y->shape);
    if (om_shape_numel(&X->shape) != numel)
        return om_cg_unsupported(cx, "input has %lld elements, output %lld",
                                 (long long)om_shape_numel(&X->shape), (long long)numel);
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);

    if (n->op == OM_OP_IDENTITY) {
        LLVMValueRef nbytes = om_cg_i64(cx, numel * (int64_t)om_dtype_size(dt));
        LLVMBuildMemMove(cx->b, py, 1, px, 1, nbytes);
        return OM_OK;
    }
    bool flt = om_dtype_is_float(dt);
    if (n->op == OM_OP_RELU ? !(flt || is_int(dt)) : !flt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));

    om_cg_loop l;
    LLVMValueRef i = om_cg_for_work(cx, &l, numel, "i");
    LLVMValueRef x = om_cg_load(cx, dt, px, i), y;
    if (n->op == OM_OP_RELU) {
        om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
        LLVMValueRef xc = om_cg_convert(cx, x, dt, cdt);
        y = om_cg_convert(cx, om_cg_max(cx, cdt, xc, om_cg_const(cx, cdt, 0)), cdt, dt);
    } else {
        LLVMValueRef xf = om_cg_convert(cx, x, dt, OM_DT_FLOAT);
        LLVMValueRef yf = n->op == OM_OP_SIGMOID ? om_cg_sigmoid_f32(cx, xf) : om_cg_tanh_f32(cx, xf);
        y = om_cg_convert(cx, yf, OM_DT_FLOAT, dt);
    }
    om_cg_store(cx, dt, py, i, y);
    om_cg_for_end(cx, &l);
    return OM_OK;
}
