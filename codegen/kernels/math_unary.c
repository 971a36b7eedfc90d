/* Elementwise unary math and activations (family math_unary of ir/ops/math.def): the
 * chunked loops of om_cg_bcast_vec (cg_broadcast.h; <lanes x float> vectors for f32, scalar
 * for the other dtypes), each element computed by emit_float (floats) or emit_int
 * (integer Abs, Neg, Sign); emit_float works on scalars and vectors alike.
 *
 * Compute type: f32 for f32/f16/bf16 (16-bit floats converted); f64 in f64 for the exact
 * ops (Abs, Neg, Sqrt, Reciprocal, Floor, Ceil, Round, Sign, IsNaN, IsInf, LeakyRelu,
 * ThresholdedRelu, HardSigmoid, HardSwish, Softsign, Shrink) and for Exp, Log, Sinh, Cosh
 * (f64 range, f32 accuracy: exp/log_f64 of cg_math.h); every other f64 op goes through the
 * f32 functions (relative accuracy ~1e-6; their results fit f32's range for inputs that
 * do, e.g. Softplus(x) = x for large x).
 * Integers: Abs, Neg, Sign natively (unsigned Abs is a copy; Abs/Neg of INT_MIN wrap);
 * Shrink in f64 and converted back (truncation toward zero); Erf of an int is sign(x) for
 * |x| >= 6, else 0 (the f64 erf rounded, then truncated). NaN: propagates except in Shrink
 * (0, as numpy's where gives) and IsNaN / IsInf.
 * IsNaN / IsInf write bool (one byte, 0/1).
 */
#include <math.h>

#include "codegen/cg_broadcast.h"
#include "codegen/cg_fused.h"
#include "codegen/cg_math.h"
#include "codegen/kernels/ew_vec.h"

static bool is_int(om_dtype dt)
{
    return om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

/* ops that f64 computes exactly in f64 */
static bool exact_op(om_op op)
{
    switch (op) {
    case OM_OP_ABS: case OM_OP_NEG: case OM_OP_SQRT: case OM_OP_RECIPROCAL: case OM_OP_FLOOR:
    case OM_OP_CEIL: case OM_OP_ROUND: case OM_OP_SIGN: case OM_OP_IS_NAN: case OM_OP_IS_INF:
    case OM_OP_LEAKY_RELU: case OM_OP_THRESHOLDED_RELU: case OM_OP_HARD_SIGMOID: case OM_OP_HARD_SWISH:
    case OM_OP_SOFTSIGN: case OM_OP_SHRINK:
        return true;
    default:
        return false;
    }
}

/* The constant v shaped like `like` (a float scalar or vector). */
static LLVMValueRef c_(LLVMValueRef like, double v)
{
    LLVMTypeRef t = LLVMTypeOf(like);
    if (LLVMGetTypeKind(t) != LLVMVectorTypeKind)
        return LLVMConstReal(t, v);
    unsigned n = LLVMGetVectorSize(t);
    LLVMValueRef e[64];
    for (unsigned k = 0; k < n && k < 64; k++)
        e[k] = LLVMConstReal(LLVMGetElementType(t), v);
    return LLVMConstVector(e, n < 64 ? n : 64);
}

static bool is_f64(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    if (LLVMGetTypeKind(t) == LLVMVectorTypeKind)
        t = LLVMGetElementType(t);
    return t == cx->f64;
}

static LLVMValueRef sel(om_cg_ctx *cx, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, c, a, b, "");
}

static LLVMValueRef fcmp(om_cg_ctx *cx, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFCmp(cx->b, p, a, b, "");
}

static LLVMValueRef fabs_(om_cg_ctx *cx, LLVMValueRef x)
{
    return om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
}

/* exp / expm1 / log1p of x in its own float type (f32 or f64) */
static LLVMValueRef exp_t(om_cg_ctx *cx, LLVMValueRef x)
{
    return is_f64(cx, x) ? om_cg_exp_f64(cx, x) : om_cg_exp_f32(cx, x);
}

/* sinh / cosh of an f64 with the f64 range: t = e^|x|/2 = (h/2) h, h = exp_f64(|x|/2);
 * sinh = t - 1/(4t) (the f32 polynomial below |x| = 1), cosh = t + 1/(4t) */
static LLVMValueRef sinh_cosh_f64(om_cg_ctx *cx, LLVMValueRef x, bool is_cosh)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef a = fabs_(cx, x);
    LLVMValueRef h = om_cg_exp_f64(cx, LLVMBuildFMul(b, a, c_(x, 0.5), ""));
    LLVMValueRef t = LLVMBuildFMul(b, LLVMBuildFMul(b, h, c_(x, 0.5), ""), h, "");
    LLVMValueRef q = LLVMBuildFDiv(b, c_(x, 0.25), t, "");
    if (is_cosh)
        return LLVMBuildFAdd(b, t, q, "");
    LLVMValueRef ops[2] = {LLVMBuildFSub(b, t, q, ""), x};
    LLVMValueRef large = om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
    LLVMValueRef small = LLVMBuildFPExt(b, om_cg_sinh_f32(cx, LLVMBuildFPTrunc(b, x, cx->f32, "")), cx->f64, "");
    return sel(cx, fcmp(cx, LLVMRealOLT, a, c_(x, 1.0)), small, large);
}

/* softplus(x) = max(x, 0) + log1p(exp(-|x|)) (no overflow) */
static LLVMValueRef softplus(om_cg_ctx *cx, LLVMValueRef x)
{
    LLVMValueRef e = om_cg_exp_f32(cx, LLVMBuildFNeg(cx->b, fabs_(cx, x), ""));
    return LLVMBuildFAdd(cx->b, om_cg_max(cx, OM_DT_FLOAT, x, c_(x, 0.0)), om_cg_log1p_f32(cx, e), "");
}

/* y = op(x) for a float x of type cdt (f32 or f64; f64 only for exact ops and Exp/Log) */
static LLVMValueRef emit_float(om_cg_ctx *cx, const om_node *n, LLVMValueRef x, om_dtype cdt)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = c_(x, 0.0), one = c_(x, 1.0);
    float alpha, beta, gamma;
    switch (n->op) {
    case OM_OP_ABS: return fabs_(cx, x);
    case OM_OP_NEG: return LLVMBuildFNeg(b, x, "");
    case OM_OP_EXP: return exp_t(cx, x);
    case OM_OP_LOG: return cdt == OM_DT_DOUBLE ? om_cg_log_f64(cx, x) : om_cg_log_f32(cx, x);
    case OM_OP_SQRT: return om_cg_intrinsic(cx, "llvm.sqrt", &x, 1);
    case OM_OP_RECIPROCAL: return LLVMBuildFDiv(b, one, x, "");
    case OM_OP_FLOOR: return om_cg_floor(cx, x);
    case OM_OP_CEIL: return om_cg_ceil(cx, x);
    case OM_OP_ROUND: return om_cg_round_even(cx, x);
    case OM_OP_SIGN:
        return sel(cx, fcmp(cx, LLVMRealOGT, x, zero), one, sel(cx, fcmp(cx, LLVMRealOLT, x, zero), c_(x, -1.0), x));
    case OM_OP_SIN: return om_cg_sin_f32(cx, x);
    case OM_OP_COS: return om_cg_cos_f32(cx, x);
    case OM_OP_TAN: return om_cg_tan_f32(cx, x);
    case OM_OP_ASIN: return om_cg_asin_f32(cx, x);
    case OM_OP_ACOS: return om_cg_acos_f32(cx, x);
    case OM_OP_ATAN: return om_cg_atan_f32(cx, x);
    case OM_OP_SINH: return cdt == OM_DT_DOUBLE ? sinh_cosh_f64(cx, x, false) : om_cg_sinh_f32(cx, x);
    case OM_OP_COSH: return cdt == OM_DT_DOUBLE ? sinh_cosh_f64(cx, x, true) : om_cg_cosh_f32(cx, x);
    case OM_OP_ASINH: return om_cg_asinh_f32(cx, x);
    case OM_OP_ACOSH: return om_cg_acosh_f32(cx, x);
    case OM_OP_ATANH: return om_cg_atanh_f32(cx, x);
    case OM_OP_ERF: return om_cg_erf_f32(cx, x);
    case OM_OP_IS_NAN: return fcmp(cx, LLVMRealUNO, x, x);
    case OM_OP_IS_INF: {
        bool pos = om_node_int(n, "detect_positive", 1) != 0, neg = om_node_int(n, "detect_negative", 1) != 0;
        LLVMValueRef r = fcmp(cx, LLVMRealPredicateFalse, x, x); /* false, shaped like x */
        if (pos)
            r = LLVMBuildOr(b, r, fcmp(cx, LLVMRealOEQ, x, c_(x, INFINITY)), "");
        if (neg)
            r = LLVMBuildOr(b, r, fcmp(cx, LLVMRealOEQ, x, c_(x, -INFINITY)), "");
        return r;
    }
    case OM_OP_ELU:
        alpha = om_node_float(n, "alpha", 1.0f);
        return sel(cx, fcmp(cx, LLVMRealOLT, x, zero), LLVMBuildFMul(b, c_(x, alpha), om_cg_expm1_f32(cx, x), ""), x);
    case OM_OP_SELU:
        alpha = om_node_float(n, "alpha", 1.67326319217681884765625f);
        gamma = om_node_float(n, "gamma", 1.05070102214813232421875f);
        return sel(cx, fcmp(cx, LLVMRealOGT, x, zero), LLVMBuildFMul(b, c_(x, gamma), x, ""),
                   LLVMBuildFMul(b, c_(x, (double)gamma * alpha), om_cg_expm1_f32(cx, x), ""));
    case OM_OP_LEAKY_RELU:
        alpha = om_node_float(n, "alpha", 0.01f);
        return sel(cx, fcmp(cx, LLVMRealOLT, x, zero), LLVMBuildFMul(b, c_(x, alpha), x, ""), x);
    case OM_OP_THRESHOLDED_RELU:
        alpha = om_node_float(n, "alpha", 1.0f);
        return sel(cx, fcmp(cx, LLVMRealOLE, x, c_(x, alpha)), zero, x);
    case OM_OP_HARD_SIGMOID:
    case OM_OP_HARD_SWISH: {
        bool swish = n->op == OM_OP_HARD_SWISH;
        alpha = swish ? 1.0f / 6 : om_node_float(n, "alpha", 0.2f);
        beta = swish ? 0.5f : om_node_float(n, "beta", 0.5f);
        LLVMValueRef ops[3] = {x, c_(x, alpha), c_(x, beta)};
        LLVMValueRef t = om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
        t = om_cg_max(cx, cdt, om_cg_min(cx, cdt, t, one), zero);
        return swish ? LLVMBuildFMul(b, x, t, "") : t;
    }
    case OM_OP_SOFTPLUS: return softplus(cx, x);
    case OM_OP_SOFTSIGN: return LLVMBuildFDiv(b, x, LLVMBuildFAdd(b, one, fabs_(cx, x), ""), "");
    case OM_OP_MISH: return LLVMBuildFMul(b, x, om_cg_tanh_f32(cx, softplus(cx, x)), "");
    case OM_OP_CELU: {
        alpha = om_node_float(n, "alpha", 1.0f);
        LLVMValueRef e = om_cg_expm1_f32(cx, LLVMBuildFDiv(b, x, c_(x, alpha), ""));
        LLVMValueRef neg = om_cg_min(cx, cdt, zero, LLVMBuildFMul(b, c_(x, alpha), e, ""));
        return LLVMBuildFAdd(b, om_cg_max(cx, cdt, zero, x), neg, "");
    }
    case OM_OP_SHRINK: {
        float bias = om_node_float(n, "bias", 0.0f), lambd = om_node_float(n, "lambd", 0.5f);
        LLVMValueRef r = sel(cx, fcmp(cx, LLVMRealOGT, x, c_(x, lambd)), LLVMBuildFSub(b, x, c_(x, bias), ""), zero);
        return sel(cx, fcmp(cx, LLVMRealOLT, x, c_(x, -lambd)), LLVMBuildFAdd(b, x, c_(x, bias), ""), r);
    }
    default: return NULL;
    }
}

/* integer Abs, Neg, Sign (others go through f64) */
static LLVMValueRef emit_int(om_cg_ctx *cx, const om_node *n, LLVMValueRef x, om_dtype dt)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = LLVMConstInt(LLVMTypeOf(x), 0, 0), one = LLVMConstInt(LLVMTypeOf(x), 1, 0);
    bool sgn = om_dtype_is_signed_int(dt);
    switch (n->op) {
    case OM_OP_ABS:
        return sgn ? sel(cx, LLVMBuildICmp(b, LLVMIntSLT, x, zero, ""), LLVMBuildSub(b, zero, x, ""), x) : x;
    case OM_OP_NEG: return LLVMBuildSub(b, zero, x, "");
    case OM_OP_SIGN:
        if (!sgn)
            return sel(cx, LLVMBuildICmp(b, LLVMIntNE, x, zero, ""), one, zero);
        return sel(cx, LLVMBuildICmp(b, LLVMIntSGT, x, zero, ""), one,
                   sel(cx, LLVMBuildICmp(b, LLVMIntSLT, x, zero, ""), LLVMConstAllOnes(LLVMTypeOf(x)), zero));
    default: return NULL;
    }
}

typedef struct mu_ctx {
    const om_node *n;
    om_dtype dt, cdt;
    bool native_int, flt, to_bool;
} mu_ctx;

/* om_cg_ew_body: y = op(x) for one element (scalar) or a vector of f32 */
static LLVMValueRef mu_body(om_cg_ctx *cx, void *ud, LLVMValueRef *in)
{
    const mu_ctx *m = ud;
    LLVMValueRef x = in[0], y;
    if (m->native_int)
        return emit_int(cx, m->n, x, m->dt);
    LLVMValueRef xc = om_cg_convert(cx, x, m->dt, m->cdt);
    /* Erf of an int: erf(x) rounds to +-1 in f64 for |x| >= 6 (5.87), else the truncated
     * result is 0 (what the f64 reference gives) */
    if (m->n->op == OM_OP_ERF && !m->flt)
        y = sel(cx, fcmp(cx, LLVMRealOGE, xc, c_(xc, 6.0)), c_(xc, 1.0),
                sel(cx, fcmp(cx, LLVMRealOLE, xc, c_(xc, -6.0)), c_(xc, -1.0), c_(xc, 0.0)));
    else
        y = emit_float(cx, m->n, xc, m->cdt);
    if (!y)
        return NULL;
    if (m->to_bool)
        return LLVMBuildZExt(cx->b, y, LLVMTypeOf(y) == cx->i1 ? cx->i8 : om_cg_vec_type(cx->i8, (int)LLVMGetVectorSize(LLVMTypeOf(y))), "");
    return om_cg_convert(cx, y, m->cdt, m->dt);
}

om_status om_cg_emit_math_unary(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    bool to_bool = n->op == OM_OP_IS_NAN || n->op == OM_OP_IS_INF;
    if (Y->dtype != (to_bool ? OM_DT_BOOL : dt))
        return om_cg_unsupported(cx, "output dtype %s does not fit input dtype %s", om_dtype_name(Y->dtype),
                                 om_dtype_name(dt));
    int64_t numel = om_shape_numel(&Y->shape);
    if (numel < 0 || om_shape_numel(&X->shape) != numel)
        return om_cg_unsupported(cx, "input has %lld elements, output %lld", (long long)om_shape_numel(&X->shape),
                                 (long long)numel);
    bool flt = om_dtype_is_float(dt);
    if (!flt && !is_int(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    /* compute type */
    om_dtype cdt;
    bool native_int = false;
    if (flt) {
        bool f64_range = n->op == OM_OP_EXP || n->op == OM_OP_LOG || n->op == OM_OP_SINH || n->op == OM_OP_COSH;
        cdt = dt == OM_DT_DOUBLE && (exact_op(n->op) || f64_range) ? OM_DT_DOUBLE : OM_DT_FLOAT;
    } else if (n->op == OM_OP_ABS || n->op == OM_OP_NEG || n->op == OM_OP_SIGN) {
        cdt = dt;
        native_int = true;
    } else if (n->op == OM_OP_SHRINK || n->op == OM_OP_ERF) {
        cdt = OM_DT_DOUBLE;
    } else {
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    }
    mu_ctx mc = {.n = n, .dt = dt, .cdt = cdt, .native_int = native_int, .flt = flt, .to_bool = to_bool};
    /* dry run (nothing stays emitted): every op of this family has an emitter */
    LLVMBasicBlockRef here = LLVMGetInsertBlock(cx->b);
    LLVMBasicBlockRef scratch = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "mu_check");
    LLVMPositionBuilderAtEnd(cx->b, scratch);
    LLVMValueRef u = LLVMGetUndef(om_cg_type(cx, dt));
    bool ok = mu_body(cx, &mc, &u) != NULL;
    LLVMDeleteBasicBlock(scratch);
    LLVMPositionBuilderAtEnd(cx->b, here);
    if (!ok)
        return om_cg_unsupported(cx, "op not handled by the math_unary kernel");
    /* X viewed with Y's shape (same element count) */
    om_value xv = *X;
    xv.shape = Y->shape;
    const om_value *ins[1] = {&xv};
    /* vectors for f32 (16-bit floats and f64 convert per element, ints use scalar consts) */
    om_cg_ew_loop lp = {.out = Y, .n_in = 1, .ins = ins, .lanes = dt == OM_DT_FLOAT ? 0 : 1, .body = mu_body, .ud = &mc};
    return om_cg_bcast_vec(cx, &lp);
}

/* For the fused elementwise kernel (codegen/cg_fused.h): op(x) on an f32 value for an op of
 * this family with default attributes (the pass fuses only attribute-free nodes); NULL for
 * ops that are not float -> float here (IsNaN, IsInf) or not of this family. */
LLVMValueRef om_cg_math_unary_f32(om_cg_ctx *cx, om_op op, LLVMValueRef x)
{
    if (op == OM_OP_IS_NAN || op == OM_OP_IS_INF)
        return NULL;
    om_node fake = {.op = op};
    return emit_float(cx, &fake, x, OM_DT_FLOAT);
}
