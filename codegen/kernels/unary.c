/* Relu, Sigmoid, Tanh, Identity. Relu/Sigmoid/Tanh use the chunked loops of
 * om_cg_bcast_vec (cg_broadcast.h): <lanes x T> vectors for f32, f64 and the integer
 * types, scalars for f16/bf16 (converted per element); Identity is one memmove.
 *
 * dtypes: Relu f32/f64/f16/bf16 and every integer type (unsigned Relu is a copy); Sigmoid
 * and Tanh f32/f16/bf16 and f64 (f64 is computed through the f32 polynomials of math.c,
 * i.e. with f32 accuracy, ~2e-7 relative); Identity any dtype with a size (bytes copied).
 */
#include "codegen/cg_broadcast.h"
#include "codegen/kernels/ew_vec.h"

static bool is_int(om_dtype dt)
{
    return om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

typedef struct un_ctx {
    om_op op;
    om_dtype dt;
} un_ctx;

/* zero of x's element type, shaped like x */
static LLVMValueRef zero_like(LLVMValueRef x)
{
    return LLVMConstNull(LLVMTypeOf(x));
}

/* om_cg_ew_body: y = op(x), scalar or vector */
static LLVMValueRef un_body(om_cg_ctx *cx, void *ud, LLVMValueRef *in)
{
    const un_ctx *u = ud;
    om_dtype dt = u->dt;
    LLVMValueRef x = in[0];
    if (u->op == OM_OP_RELU) {
        om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
        LLVMValueRef xc = om_cg_convert(cx, x, dt, cdt);
        return om_cg_convert(cx, om_cg_max(cx, cdt, xc, zero_like(xc)), cdt, dt);
    }
    LLVMValueRef xf = om_cg_convert(cx, x, dt, OM_DT_FLOAT);
    LLVMValueRef yf = u->op == OM_OP_SIGMOID ? om_cg_sigmoid_f32(cx, xf) : om_cg_tanh_f32(cx, xf);
    return om_cg_convert(cx, yf, OM_DT_FLOAT, dt);
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

    /* X viewed with Y's shape (same element count) */
    om_value xv = *X;
    xv.shape = Y->shape;
    const om_value *ins[1] = {&xv};
    un_ctx u = {.op = n->op, .dt = dt};
    /* vectors where no 16-bit conversion is involved (Sigmoid/Tanh of f64 convert to f32) */
    bool vec = n->op == OM_OP_RELU ? dt != OM_DT_FLOAT16 && dt != OM_DT_BFLOAT16 : dt == OM_DT_FLOAT;
    om_cg_ew_loop lp = {.out = Y, .n_in = 1, .ins = ins, .lanes = vec ? 0 : 1, .body = un_body, .ud = &u};
    return om_cg_bcast_vec(cx, &lp);
}
