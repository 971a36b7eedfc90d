/* FusedElementwise (family fused_elementwise of ir/ops/fused.def): a small program of f32
 * elementwise ops evaluated per element of Y, every input loaded once per element with numpy
 * broadcasting. The loops are om_cg_bcast_vec's (cg_broadcast.h): work items of ~16 KiB of
 * output, the program evaluated on <lanes x float> vectors (a masked vector for row tails),
 * inputs broadcast along the innermost dim splatted once per row, constant scalar inputs
 * embedded as constants.
 *
 * Program: attribute ops (STRINGS) names the ops in evaluation order; args (INTS, 2 per op)
 * names each op's operands: k < n_inputs is input k, n_inputs + j the result of op j < the
 * current one, -1 none (unary ops). alphas/betas (FLOATS, one per op) are Clip's bounds.
 * The ops and their semantics are the standalone kernels': Add/Sub/Mul/Div (binary.c),
 * Relu/Sigmoid/Tanh/Clip/Gelu (the same helpers and operation order as cg_epilogue.c's
 * activations, written here for vectors too), and the attribute-free float ops of
 * math_unary.c (om_cg_math_unary_f32, scalar or vector).
 * The result of the last op is Y. Every check happens before anything is emitted.
 */
#include <math.h>
#include <string.h>

#include "codegen/cg_broadcast.h"
#include "codegen/cg_fused.h"
#include "codegen/cg_math.h"

#define FE_MAX_OPS 256

static int fe_arity(om_op op)
{
    switch (op) {
    case OM_OP_ADD: case OM_OP_SUB: case OM_OP_MUL: case OM_OP_DIV:
        return 2;
    default:
        return 1;
    }
}

/* The f32 constant v shaped like x (scalar or vector). */
static LLVMValueRef fe_c(om_cg_ctx *cx, LLVMValueRef x, float v)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return om_cg_f32(cx, v);
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e[64];
    for (unsigned k = 0; k < n && k < 64; k++)
        e[k] = om_cg_f32(cx, v);
    return LLVMConstVector(e, n < 64 ? n : 64);
}

/* One op on evaluated operands a (and b), scalars or vectors. NULL when the op is not
 * supported. Relu/Clip/Sigmoid/Tanh/Gelu as om_cg_act_apply (cg_epilogue.c) computes them. */
static LLVMValueRef fe_op(om_cg_ctx *cx, om_op op, float alpha, float beta, LLVMValueRef a, LLVMValueRef b)
{
    LLVMBuilderRef bl = cx->b;
    switch (op) {
    case OM_OP_ADD: return LLVMBuildFAdd(bl, a, b, "");
    case OM_OP_SUB: return LLVMBuildFSub(bl, a, b, "");
    case OM_OP_MUL: return LLVMBuildFMul(bl, a, b, "");
    case OM_OP_DIV: return LLVMBuildFDiv(bl, a, b, "");
    case OM_OP_RELU: return om_cg_max(cx, OM_DT_FLOAT, a, fe_c(cx, a, 0.0f));
    case OM_OP_CLIP:
        /* max(x, -inf) and min(x, +inf) are x (NaN included): skipped */
        if (!(isinf(alpha) && alpha < 0))
            a = om_cg_max(cx, OM_DT_FLOAT, a, fe_c(cx, a, alpha));
        if (!(isinf(beta) && beta > 0))
            a = om_cg_min(cx, OM_DT_FLOAT, a, fe_c(cx, a, beta));
        return a;
    case OM_OP_SIGMOID: return om_cg_sigmoid_f32(cx, a);
    case OM_OP_TANH: return om_cg_tanh_f32(cx, a);
    case OM_OP_GELU: {
        LLVMValueRef t = om_cg_erf_f32(cx, LLVMBuildFMul(bl, a, fe_c(cx, a, 0.7071067811865476f), ""));
        return LLVMBuildFMul(bl, LLVMBuildFMul(bl, fe_c(cx, a, 0.5f), a, ""), LLVMBuildFAdd(bl, fe_c(cx, a, 1.0f), t, ""),
                             "");
    }
    default: return om_cg_math_unary_f32(cx, op, a);
    }
}

typedef struct fe_prog {
    int nin, nops;
    const om_op *ops;
    const om_attr *args, *alphas, *betas;
} fe_prog;

/* om_cg_ew_body: the program on one value per input */
static LLVMValueRef fe_body(om_cg_ctx *cx, void *ud, LLVMValueRef *in)
{
    const fe_prog *p = ud;
    LLVMValueRef vals[OM_CG_BCAST_MAX_INPUTS + FE_MAX_OPS];
    for (int i = 0; i < p->nin; i++)
        vals[i] = in[i];
    for (int j = 0; j < p->nops; j++) {
        int64_t r0 = p->args->ints[2 * j], r1 = p->args->ints[2 * j + 1];
        float al = p->alphas ? p->alphas->floats[j] : -INFINITY, be = p->betas ? p->betas->floats[j] : INFINITY;
        vals[p->nin + j] = fe_op(cx, p->ops[j], al, be, vals[r0], r1 >= 0 ? vals[r1] : NULL);
    }
    return vals[p->nin + p->nops - 1];
}

om_status om_cg_emit_fused_elementwise(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    int nin = n->n_inputs;
    if (!Y || Y->dtype != OM_DT_FLOAT || !om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "output must be f32 with a static shape");
    if (nin < 1 || nin > OM_CG_BCAST_MAX_INPUTS)
        return om_cg_unsupported(cx, "%d inputs (1..%d supported)", nin, OM_CG_BCAST_MAX_INPUTS);
    for (int i = 0; i < nin; i++) {
        const om_value *x = om_node_input(n, i);
        if (!x || x->dtype != OM_DT_FLOAT)
            return om_cg_unsupported(cx, "input %d must be present and f32", i);
    }
    const om_attr *aops = om_node_attr(n, "ops"), *aargs = om_node_attr(n, "args");
    const om_attr *aal = om_node_attr(n, "alphas"), *abe = om_node_attr(n, "betas");
    if (!aops || aops->kind != OM_ATTR_STRINGS || aops->count < 1 || aops->count > FE_MAX_OPS)
        return om_cg_unsupported(cx, "attribute ops must list 1..%d op names", FE_MAX_OPS);
    int nops = aops->count;
    if (!aargs || aargs->kind != OM_ATTR_INTS || aargs->count != 2 * nops)
        return om_cg_unsupported(cx, "attribute args must have 2 entries per op (%d)", 2 * nops);
    if ((aal && (aal->kind != OM_ATTR_FLOATS || aal->count != nops)) ||
        (abe && (abe->kind != OM_ATTR_FLOATS || abe->count != nops)))
        return om_cg_unsupported(cx, "attributes alphas/betas must have one value per op (%d)", nops);
    om_op ops[FE_MAX_OPS];
    for (int j = 0; j < nops; j++) {
        ops[j] = om_op_lookup(aops->strings[j]);
        if (ops[j] == OM_OP_COUNT)
            return om_cg_unsupported(cx, "op %d '%s' is unknown", j, aops->strings[j]);
        int ar = fe_arity(ops[j]);
        for (int k = 0; k < 2; k++) {
            int64_t r = aargs->ints[2 * j + k];
            bool ok = k < ar ? (r >= 0 && r < nin + j) : r == -1;
            if (!ok)
                return om_cg_unsupported(cx, "op %d (%s) operand %d is %lld (expected %s)", j, aops->strings[j], k,
                                         (long long)r, k < ar ? "an input or an earlier op" : "-1");
        }
    }

    /* Dry check that every op has an emitter: emitted into a throwaway block. */
    LLVMBasicBlockRef here = LLVMGetInsertBlock(cx->b);
    LLVMBasicBlockRef scratch = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "fe_check");
    LLVMPositionBuilderAtEnd(cx->b, scratch);
    LLVMValueRef u = LLVMGetUndef(cx->f32);
    int bad = -1;
    for (int j = 0; j < nops && bad < 0; j++)
        if (!fe_op(cx, ops[j], 0, 0, u, u))
            bad = j;
    LLVMDeleteBasicBlock(scratch);
    LLVMPositionBuilderAtEnd(cx->b, here);
    if (bad >= 0)
        return om_cg_unsupported(cx, "op %d '%s' has no f32 elementwise emitter", bad, aops->strings[bad]);

    const om_value *ins[OM_CG_BCAST_MAX_INPUTS];
    for (int i = 0; i < nin; i++)
        ins[i] = om_node_input(n, i);
    fe_prog prog = {.nin = nin, .nops = nops, .ops = ops, .args = aargs, .alphas = aal, .betas = abe};
    om_cg_ew_loop lp = {.out = Y, .n_in = nin, .ins = ins, .lanes = 0, .body = fe_body, .ud = &prog};
    return om_cg_bcast_vec(cx, &lp);
}
