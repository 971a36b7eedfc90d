/* The loss family: NegativeLogLikelihoodLoss(input, target, weight?) and
 * SoftmaxCrossEntropyLoss(scores, labels, weights?) -> loss, log_prob?.
 *
 * Input is viewed as [N, C, D] (D = product of d1..dk) and the target as [N, D]. For each
 * sample position p = (n, d) with class t = target[p]:
 *   NLL:  v = input[n, t, d]
 *   SCE:  lse = max_c + log(sum_c exp(x[n,c,d] - max_c)) over the C classes (strided by D),
 *         v = x[n, t, d] - lse, and log_prob[n, c, d] = x[n, c, d] - lse when requested;
 *   loss[p] = -v * w[t] (w = 1 without weights); a sample whose target equals ignore_index
 *   contributes loss 0 and weight 0. A target outside [0, C) (and not ignored) is invalid
 *   input: its loss is NaN and nothing is read out of bounds.
 * reduction none: the parallel work loop runs over the N*D samples, storing loss[p].
 * reduction sum / mean: one work item accumulates (in f64) sum(loss) and sum(weight);
 *   mean = sum(loss) / sum(weight) (ONNX's definition; NaN when every sample is ignored).
 * dtypes: input f32, f64, f16/bf16 (computed in f32; f64 with f32 exp/log); target i32/i64.
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_math.h"

#include <math.h>
#include <string.h>

typedef struct loss_ctx {
    bool sce, weighted, has_ii;
    int64_t ii, C, D;
    om_dtype dt, cdt, tdt, ldt;   /* input, compute, target, log_prob (= dt) */
    LLVMValueRef px, pt, pw, plp; /* input, target, weight, log_prob (NULL if absent) */
    LLVMValueRef acc;             /* stack slot for the SCE passes */
} loss_ctx;

/* Element idx of a dt tensor in the compute type cdt. bf16 is widened with integer ops (a
 * shift) rather than an fpext, which LLVM would let later max/select operations sink
 * into bf16 -- legalized on x86 without AVX512-BF16 through the __truncsfbf2 libcall. */
static LLVMValueRef load_c(om_cg_ctx *cx, om_dtype dt, om_dtype cdt, LLVMValueRef base, LLVMValueRef idx)
{
    if (dt == OM_DT_BFLOAT16) {
        LLVMBuilderRef b = cx->b;
        LLVMValueRef w = LLVMBuildZExt(b, om_cg_load(cx, OM_DT_INT16, base, idx), cx->i32, "");
        LLVMValueRef f = LLVMBuildBitCast(b, LLVMBuildShl(b, w, om_cg_i32(cx, 16), ""), cx->f32, "");
        return om_cg_convert(cx, f, OM_DT_FLOAT, cdt);
    }
    return om_cg_convert(cx, om_cg_load(cx, dt, base, idx), dt, cdt);
}

static LLVMValueRef conv_f32(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef v, LLVMValueRef (*f)(om_cg_ctx *, LLVMValueRef))
{
    return om_cg_convert(cx, f(cx, om_cg_convert(cx, v, cdt, OM_DT_FLOAT)), OM_DT_FLOAT, cdt);
}

/* Emits the loss of sample p (i64) and its weight, both in lc->cdt. */
static void sample_loss(om_cg_ctx *cx, const loss_ctx *lc, LLVMValueRef p, LLVMValueRef *loss, LLVMValueRef *wt)
{
    LLVMBuilderRef b = cx->b;
    om_dtype dt = lc->dt, cdt = lc->cdt;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMValueRef zero = om_cg_i64(cx, 0), cD = om_cg_i64(cx, lc->D);
    /* element (n, 0, d) of the input: n*C*D + d with p = n*D + d */
    LLVMValueRef nn = lc->D == 1 ? p : LLVMBuildUDiv(b, p, cD, "n");
    LLVMValueRef dd = lc->D == 1 ? zero : LLVMBuildURem(b, p, cD, "d");
    LLVMValueRef xb = om_cg_add(cx, om_cg_mul(cx, nn, om_cg_i64(cx, lc->C * lc->D)), dd);

    LLVMValueRef t = om_cg_convert(cx, om_cg_load(cx, lc->tdt, lc->pt, p), lc->tdt, OM_DT_INT64);
    LLVMValueRef valid = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, t, zero, ""),
                                      LLVMBuildICmp(b, LLVMIntSLT, t, om_cg_i64(cx, lc->C), ""), "valid");
    LLVMValueRef tc = LLVMBuildSelect(b, valid, t, zero, "tc");
    LLVMValueRef v = load_c(cx, dt, cdt, lc->px, om_cg_mad(cx, tc, lc->D, xb));

    if (lc->sce) {
        om_cg_loop l;
        LLVMValueRef nC = om_cg_i64(cx, lc->C);
        LLVMBuildStore(b, LLVMConstReal(ct, -INFINITY), lc->acc);
        LLVMValueRef c = om_cg_for(cx, &l, zero, nC, "c");
        LLVMValueRef x = load_c(cx, dt, cdt, lc->px, om_cg_mad(cx, c, lc->D, xb));
        LLVMBuildStore(b, om_cg_max(cx, cdt, LLVMBuildLoad2(b, ct, lc->acc, ""), x), lc->acc);
        om_cg_for_end(cx, &l);
        LLVMValueRef mx = LLVMBuildLoad2(b, ct, lc->acc, "max");
        LLVMBuildStore(b, LLVMConstReal(ct, 0.0), lc->acc);
        c = om_cg_for(cx, &l, zero, nC, "c");
        x = load_c(cx, dt, cdt, lc->px, om_cg_mad(cx, c, lc->D, xb));
        LLVMValueRef e = conv_f32(cx, cdt, LLVMBuildFSub(b, x, mx, ""), om_cg_exp_f32);
        LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, ct, lc->acc, ""), e, ""), lc->acc);
        om_cg_for_end(cx, &l);
        LLVMValueRef lse = LLVMBuildFAdd(b, mx, conv_f32(cx, cdt, LLVMBuildLoad2(b, ct, lc->acc, ""), om_cg_log_f32), "lse");
        if (lc->plp) {
            c = om_cg_for(cx, &l, zero, nC, "c");
            LLVMValueRef idx = om_cg_mad(cx, c, lc->D, xb);
            x = load_c(cx, dt, cdt, lc->px, idx);
            om_cg_store(cx, lc->ldt, lc->plp, idx, om_cg_convert(cx, LLVMBuildFSub(b, x, lse, ""), cdt, lc->ldt));
            om_cg_for_end(cx, &l);
        }
        v = LLVMBuildFSub(b, v, lse, "");
    }
    LLVMValueRef w = LLVMConstReal(ct, 1.0);
    if (lc->weighted)
        w = load_c(cx, dt, cdt, lc->pw, tc);
    LLVMValueRef l = LLVMBuildFMul(b, LLVMBuildFNeg(b, v, ""), w, "");
    LLVMValueRef nan = LLVMConstReal(ct, NAN);
    l = LLVMBuildSelect(b, valid, l, nan, "");
    w = LLVMBuildSelect(b, valid, w, nan, "");
    if (lc->has_ii) {
        LLVMValueRef ign = LLVMBuildICmp(b, LLVMIntEQ, t, om_cg_i64(cx, lc->ii), "ignored");
        l = LLVMBuildSelect(b, ign, LLVMConstReal(ct, 0.0), l, "");
        w = LLVMBuildSelect(b, ign, LLVMConstReal(ct, 0.0), w, "");
    }
    *loss = l;
    *wt = w;
}

om_status om_cg_emit_loss(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *T = om_node_input(n, 1), *W = om_node_input(n, 2);
    const om_value *L = n->outputs[0], *LP = n->n_outputs > 1 ? n->outputs[1] : NULL;
    if (n->op != OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS && n->op != OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS)
        return om_cg_unsupported(cx, "not an op of the loss family");
    if (!X || !T)
        return om_cg_unsupported(cx, "inputs 0 and 1 are required");
    om_dtype dt = X->dtype;
    if (!om_dtype_is_float(dt) || L->dtype != dt || (W && W->dtype != dt) || (LP && LP->dtype != dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (T->dtype != OM_DT_INT64 && T->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "target dtype %s not supported (i32, i64)", om_dtype_name(T->dtype));
    int r = X->shape.rank;
    if (r < 2 || !om_shape_is_static(&X->shape) || T->shape.rank != r - 1)
        return om_cg_unsupported(cx, "expected a static input [N,C,...] and a target [N,...]");
    int64_t N = X->shape.dims[0], C = X->shape.dims[1], D = 1;
    for (int i = 2; i < r; i++) {
        if (T->shape.dims[i - 1] != X->shape.dims[i])
            return om_cg_unsupported(cx, "target dim %d differs from input dim %d", i - 1, i);
        D *= X->shape.dims[i];
    }
    if (T->shape.dims[0] != N || (W && om_shape_numel(&W->shape) != C))
        return om_cg_unsupported(cx, "target or weight shape does not match the input");
    if (LP && (n->op != OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS || !om_shape_equal(&LP->shape, &X->shape)))
        return om_cg_unsupported(cx, "log_prob output must have the input's shape");
    const char *red = om_node_string(n, "reduction", "mean");
    bool none = strcmp(red, "none") == 0, mean = strcmp(red, "mean") == 0;
    if (!none && !mean && strcmp(red, "sum") != 0)
        return om_cg_unsupported(cx, "reduction '%s'", red);
    int64_t P = N * D;
    if (om_shape_numel(&L->shape) != (none ? P : 1))
        return om_cg_unsupported(cx, "loss output has %lld elements, expected %lld",
                                 (long long)om_shape_numel(&L->shape), (long long)(none ? P : 1));

    loss_ctx lc = {0};
    lc.sce = n->op == OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS;
    lc.weighted = W != NULL;
    lc.has_ii = om_node_attr(n, "ignore_index") != NULL;
    lc.ii = om_node_int(n, "ignore_index", 0);
    lc.C = C;
    lc.D = D;
    lc.dt = dt;
    lc.cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    lc.tdt = T->dtype;
    lc.ldt = dt;
    lc.px = om_cg_in(cx, 0);
    lc.pt = om_cg_in(cx, 1);
    lc.pw = W ? om_cg_in(cx, 2) : NULL;
    lc.plp = LP ? om_cg_out(cx, 1) : NULL;
    LLVMTypeRef ct = om_cg_type(cx, lc.cdt);
    lc.acc = om_cg_alloca(cx, ct, "acc");
    LLVMBuilderRef b = cx->b;
    LLVMValueRef py = om_cg_out(cx, 0);
    LLVMValueRef loss, w;
    om_cg_loop l;

    if (none) {
        if (P == 0)
            return OM_OK;
        LLVMValueRef p = om_cg_for_work(cx, &l, P, "p");
        sample_loss(cx, &lc, p, &loss, &w);
        om_cg_store(cx, dt, py, p, om_cg_convert(cx, loss, lc.cdt, dt));
        om_cg_for_end(cx, &l);
        return OM_OK;
    }
    /* sum / mean: one work item, f64 accumulators */
    LLVMValueRef sl = om_cg_alloca(cx, cx->f64, "sum_loss"), sw = om_cg_alloca(cx, cx->f64, "sum_w");
    LLVMBuildStore(b, LLVMConstReal(cx->f64, 0.0), sl);
    LLVMBuildStore(b, LLVMConstReal(cx->f64, 0.0), sw);
    if (P > 0) {
        LLVMValueRef p = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, P), "p");
        sample_loss(cx, &lc, p, &loss, &w);
        LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, cx->f64, sl, ""), om_cg_convert(cx, loss, lc.cdt, OM_DT_DOUBLE), ""), sl);
        LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, cx->f64, sw, ""), om_cg_convert(cx, w, lc.cdt, OM_DT_DOUBLE), ""), sw);
        om_cg_for_end(cx, &l);
    }
    LLVMValueRef res = LLVMBuildLoad2(b, cx->f64, sl, "");
    if (mean)
        res = LLVMBuildFDiv(b, res, LLVMBuildLoad2(b, cx->f64, sw, ""), "");
    om_cg_store(cx, dt, py, om_cg_i64(cx, 0), om_cg_convert(cx, res, OM_DT_DOUBLE, dt));
    return OM_OK;
}
