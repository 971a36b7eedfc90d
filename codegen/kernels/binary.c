/* Add, Sub, Mul, Div with numpy broadcasting.
 *
 * The loops are om_cg_bcast_vec's (cg_broadcast.h: merged contiguous dims, ~16 KiB work
 * items, <lanes x T> vectors with a masked row tail, innermost-broadcast operands splatted
 * once per row); scalar for f16/bf16 (converted per element) and integer Div.
 *
 * dtypes: f32, f64 natively; f16 and bf16 are computed in f32 and rounded back; i8..i64,
 * u8..u64 with wrap-around add/sub/mul. Integer Div truncates toward zero; a zero divisor
 * yields 0 (no trap) and INT_MIN / -1 yields INT_MIN (wraps, no trap).
 */
#include "codegen/cg_broadcast.h"

static bool supported(om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_DOUBLE: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
    case OM_DT_INT8: case OM_DT_INT16: case OM_DT_INT32: case OM_DT_INT64:
    case OM_DT_UINT8: case OM_DT_UINT16: case OM_DT_UINT32: case OM_DT_UINT64:
        return true;
    default:
        return false;
    }
}

static LLVMValueRef int_div(om_cg_ctx *cx, bool is_signed, LLVMValueRef a, LLVMValueRef d)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstInt(t, 0, 0), one = LLVMConstInt(t, 1, 0);
    LLVMValueRef is0 = LLVMBuildICmp(b, LLVMIntEQ, d, zero, "");
    if (!is_signed) {
        LLVMValueRef q = LLVMBuildUDiv(b, a, LLVMBuildSelect(b, is0, one, d, ""), "");
        return LLVMBuildSelect(b, is0, zero, q, "");
    }
    LLVMValueRef is_m1 = LLVMBuildICmp(b, LLVMIntEQ, d, LLVMConstAllOnes(t), "");
    LLVMValueRef safe = LLVMBuildSelect(b, LLVMBuildOr(b, is0, is_m1, ""), one, d, "");
    LLVMValueRef q = LLVMBuildSDiv(b, a, safe, "");
    q = LLVMBuildSelect(b, is_m1, LLVMBuildSub(b, zero, a, ""), q, "");
    return LLVMBuildSelect(b, is0, zero, q, "");
}

static LLVMValueRef apply(om_cg_ctx *cx, om_op op, om_dtype dt, LLVMValueRef a, LLVMValueRef v)
{
    LLVMBuilderRef b = cx->b;
    if (om_dtype_is_float(dt)) {
        switch (op) {
        case OM_OP_ADD: return LLVMBuildFAdd(b, a, v, "");
        case OM_OP_SUB: return LLVMBuildFSub(b, a, v, "");
        case OM_OP_MUL: return LLVMBuildFMul(b, a, v, "");
        default: return LLVMBuildFDiv(b, a, v, "");
        }
    }
    switch (op) {
    case OM_OP_ADD: return LLVMBuildAdd(b, a, v, "");
    case OM_OP_SUB: return LLVMBuildSub(b, a, v, "");
    case OM_OP_MUL: return LLVMBuildMul(b, a, v, "");
    default: return int_div(cx, om_dtype_is_signed_int(dt), a, v);
    }
}

typedef struct bin_ctx {
    om_op op;
    om_dtype dt;
} bin_ctx;

/* om_cg_ew_body: a op b, scalar or vector */
static LLVMValueRef bin_body(om_cg_ctx *cx, void *ud, LLVMValueRef *in)
{
    const bin_ctx *c = ud;
    om_dtype dt = c->dt, cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
    LLVMValueRef a = om_cg_convert(cx, in[0], dt, cdt), v = om_cg_convert(cx, in[1], dt, cdt);
    return om_cg_convert(cx, apply(cx, c->op, cdt, a, v), cdt, dt);
}

om_status om_cg_emit_binary(om_cg_ctx *cx, const om_node *n)
{
    const om_value *A = om_node_input(n, 0), *B = om_node_input(n, 1), *Y = n->outputs[0];
    if (!A || !B)
        return om_cg_unsupported(cx, "both inputs are required");
    om_dtype dt = Y->dtype;
    if (!supported(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (A->dtype != dt || B->dtype != dt)
        return om_cg_unsupported(cx, "mixed dtypes %s, %s -> %s", om_dtype_name(A->dtype),
                                 om_dtype_name(B->dtype), om_dtype_name(dt));
    const om_value *ins[2] = {A, B};
    bin_ctx c = {.op = n->op, .dt = dt};
    bool vec = dt != OM_DT_FLOAT16 && dt != OM_DT_BFLOAT16 && (om_dtype_is_float(dt) || n->op != OM_OP_DIV);
    om_cg_ew_loop lp = {.out = Y, .n_in = 2, .ins = ins, .lanes = vec ? 0 : 1, .body = bin_body, .ud = &c};
    return om_cg_bcast_vec(cx, &lp);
}
