/* Fused epilogues of Conv/Gemm/MatMul (see cg_epilogue.h for the attributes).
 *
 * Semantics follow the standalone kernels: Relu keeps NaN (select on x < 0), Clip is
 * min(max(x, lo), hi) with NaN-propagating max/min, LeakyRelu is x < 0 ? alpha x : x,
 * HardSigmoid/HardSwish clamp alpha x + beta to [0, 1], Sigmoid/Tanh/Gelu use the libm-free
 * f32 helpers of cg_internal.h/cg_math.h (the ones the standalone kernels use).
 */
#include <string.h>

#include "codegen/cg_epilogue.h"
#include "codegen/cg_math.h"

static const struct {
    const char *name;
    om_cg_act act;
} act_names[] = {
    {"Relu", OM_CG_ACT_RELU},          {"Clip", OM_CG_ACT_CLIP},
    {"Sigmoid", OM_CG_ACT_SIGMOID},    {"HardSigmoid", OM_CG_ACT_HARD_SIGMOID},
    {"HardSwish", OM_CG_ACT_HARD_SWISH}, {"LeakyRelu", OM_CG_ACT_LEAKY_RELU},
    {"SiLU", OM_CG_ACT_SILU},          {"Gelu", OM_CG_ACT_GELU},
    {"GeluTanh", OM_CG_ACT_GELU_TANH}, {"Tanh", OM_CG_ACT_TANH},
};

bool om_cg_act_parse(const char *s, om_cg_act *out)
{
    *out = OM_CG_ACT_NONE;
    if (!s || !s[0])
        return true;
    for (size_t i = 0; i < sizeof act_names / sizeof act_names[0]; i++)
        if (strcmp(s, act_names[i].name) == 0) {
            *out = act_names[i].act;
            return true;
        }
    return false;
}

static bool act_is_transcendental(om_cg_act a)
{
    return a == OM_CG_ACT_SIGMOID || a == OM_CG_ACT_SILU || a == OM_CG_ACT_GELU || a == OM_CG_ACT_GELU_TANH ||
           a == OM_CG_ACT_TANH;
}

om_status om_cg_epilogue_read(om_cg_ctx *cx, const om_node *n, int res_input, om_dtype adt, om_cg_epilogue *ep)
{
    memset(ep, 0, sizeof *ep);
    const om_value *vy = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!vy)
        return om_cg_unsupported(cx, "no output");
    ep->dt = vy->dtype;
    const char *an = om_node_string(n, "om_activation", "");
    if (!om_cg_act_parse(an, &ep->act))
        return om_cg_unsupported(cx, "fused activation '%s' is unknown", an);
    if (ep->act != OM_CG_ACT_NONE && adt != OM_DT_FLOAT && adt != OM_DT_DOUBLE)
        return om_cg_unsupported(cx, "fused activation '%s' on dtype %s", an, om_dtype_name(vy->dtype));
    if (act_is_transcendental(ep->act) && adt != OM_DT_FLOAT)
        return om_cg_unsupported(cx, "fused activation '%s' needs an f32 accumulator, not %s", an,
                                 om_dtype_name(adt));
    ep->has_alpha = om_node_attr(n, "om_alpha") != NULL;
    ep->has_beta = om_node_attr(n, "om_beta") != NULL;
    float da = ep->act == OM_CG_ACT_LEAKY_RELU ? 0.01f : 0.2f;
    ep->alpha = om_node_float(n, "om_alpha", da);
    ep->beta = om_node_float(n, "om_beta", 0.5f);
    int64_t r = om_node_int(n, "om_residual", 0);
    if (r < 0 || r > 2)
        return om_cg_unsupported(cx, "om_residual = %lld, expected 0, 1 or 2", (long long)r);
    ep->residual = (int)r;
    ep->round_f16 = om_node_int(n, "om_round_f16", 0) != 0;
    if (ep->round_f16 && (vy->dtype != OM_DT_FLOAT || adt != OM_DT_FLOAT))
        return om_cg_unsupported(cx, "om_round_f16 on a %s output", om_dtype_name(vy->dtype));
    if (r) {
        const om_value *vr = om_node_input(n, res_input);
        if (!vr || vr->dtype != vy->dtype || !om_shape_equal(&vr->shape, &vy->shape))
            return om_error(OM_ERR_INVALID_MODEL,
                            "node '%s' (%s): om_residual needs input %d with the output's dtype and shape",
                            n->name ? n->name : "", om_op_name(n->op), res_input);
        ep->res = om_cg_in(cx, res_input);
    }
    return OM_OK;
}

bool om_cg_epilogue_active(const om_cg_epilogue *ep)
{
    return ep->act != OM_CG_ACT_NONE || ep->residual != 0 || ep->round_f16;
}

LLVMValueRef om_cg_epilogue_round(om_cg_ctx *cx, const om_cg_epilogue *ep, LLVMValueRef v)
{
    if (!ep->round_f16)
        return v;
    /* scalar or vector; om_cg_convert rounds to nearest even as the Cast kernel does, also on
     * targets without F16C */
    return om_cg_convert(cx, om_cg_convert(cx, v, OM_DT_FLOAT, OM_DT_FLOAT16), OM_DT_FLOAT16, OM_DT_FLOAT);
}

/* v as a constant of x's type: an adt scalar, or its splat when x is a vector (the conv
 * kernels apply the activation to whole <VL x float> accumulators). */
static LLVMValueRef cst_like(om_cg_ctx *cx, om_dtype adt, LLVMValueRef x, double v)
{
    LLVMValueRef c = om_cg_const(cx, adt, v);
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return c;
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e[64];
    for (unsigned i = 0; i < n && i < 64; i++)
        e[i] = c;
    return LLVMConstVector(e, n < 64 ? n : 64);
}

LLVMValueRef om_cg_act_apply(om_cg_ctx *cx, const om_cg_epilogue *ep, om_dtype adt, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = cst_like(cx, adt, x, 0), one = cst_like(cx, adt, x, 1);
    switch (ep->act) {
    case OM_CG_ACT_NONE:
        return x;
    case OM_CG_ACT_RELU:
        return om_cg_max(cx, adt, x, zero); /* as the Relu kernel (unary.c) */
    case OM_CG_ACT_CLIP:
        if (ep->has_alpha)
            x = om_cg_max(cx, adt, x, cst_like(cx, adt, x, ep->alpha));
        if (ep->has_beta)
            x = om_cg_min(cx, adt, x, cst_like(cx, adt, x, ep->beta));
        return x;
    case OM_CG_ACT_LEAKY_RELU:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, zero, ""),
                               LLVMBuildFMul(b, cst_like(cx, adt, x, ep->alpha), x, ""), x, "");
    case OM_CG_ACT_HARD_SIGMOID:
    case OM_CG_ACT_HARD_SWISH: {
        bool swish = ep->act == OM_CG_ACT_HARD_SWISH;
        LLVMValueRef ops[3] = {x, cst_like(cx, adt, x, swish ? 1.0f / 6 : ep->alpha), cst_like(cx, adt, x, swish ? 0.5f : ep->beta)};
        LLVMValueRef t = om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
        t = om_cg_max(cx, adt, om_cg_min(cx, adt, t, one), zero);
        return swish ? LLVMBuildFMul(b, x, t, "") : t;
    }
    case OM_CG_ACT_SIGMOID:
        return om_cg_sigmoid_f32(cx, x);
    case OM_CG_ACT_SILU:
        return LLVMBuildFMul(b, x, om_cg_sigmoid_f32(cx, x), "");
    case OM_CG_ACT_TANH:
        return om_cg_tanh_f32(cx, x);
    case OM_CG_ACT_GELU:
    case OM_CG_ACT_GELU_TANH: {
        LLVMValueRef t;
        if (ep->act == OM_CG_ACT_GELU_TANH) {
            LLVMValueRef x3 = LLVMBuildFMul(b, LLVMBuildFMul(b, x, x, ""), x, "");
            LLVMValueRef inner = LLVMBuildFAdd(b, x, LLVMBuildFMul(b, cst_like(cx, OM_DT_FLOAT, x, 0.044715f), x3, ""), "");
            t = om_cg_tanh_f32(cx, LLVMBuildFMul(b, cst_like(cx, OM_DT_FLOAT, x, 0.7978845608028654f), inner, ""));
        } else {
            t = om_cg_erf_f32(cx, LLVMBuildFMul(b, x, cst_like(cx, OM_DT_FLOAT, x, 0.7071067811865476f), ""));
        }
        return LLVMBuildFMul(b, LLVMBuildFMul(b, cst_like(cx, OM_DT_FLOAT, x, 0.5f), x, ""),
                             LLVMBuildFAdd(b, cst_like(cx, OM_DT_FLOAT, x, 1.0f), t, ""), "");
    }
    }
    return x;
}

static LLVMValueRef add_residual(om_cg_ctx *cx, const om_cg_epilogue *ep, om_dtype adt, LLVMValueRef v,
                                 LLVMValueRef y_index)
{
    LLVMValueRef r = om_cg_convert(cx, om_cg_load(cx, ep->dt, ep->res, y_index), ep->dt, adt);
    return om_dtype_is_float(adt) ? LLVMBuildFAdd(cx->b, v, r, "") : LLVMBuildAdd(cx->b, v, r, "");
}

LLVMValueRef om_cg_epilogue_apply(om_cg_ctx *cx, const om_cg_epilogue *ep, om_dtype adt, LLVMValueRef v,
                                  LLVMValueRef y_index)
{
    if (ep->residual == 1)
        v = add_residual(cx, ep, adt, v, y_index);
    v = om_cg_act_apply(cx, ep, adt, v);
    if (ep->residual == 2)
        v = add_residual(cx, ep, adt, v, y_index);
    return om_cg_epilogue_round(cx, ep, v);
}
