/* Normalizations by the mean and variance over a set of axes (family moments_norm):
 *   LayerNormalization         axes [axis, rank): y = (x - mean) * invstd * Scale + B,
 *                              invstd = 1 / sqrt(var + epsilon); optional outputs Mean and
 *                              InvStdDev (dtype stash_type) per kept position;
 *   InstanceNormalization      axes [2, rank): y = (x - mean) * invstd * scale[c] + B[c];
 *   MeanVarianceNormalization  attribute axes: y = (x - mean) / (sqrt(var) + 1e-9), as
 *                              the ONNX function body computes it;
 *   BatchNormalization with training_mode = 1 (reached through om_cg_emit_batch_norm):
 *                              batch statistics over every axis but 1, y as for
 *                              InstanceNormalization, and the optional outputs
 *                              running_mean/var = input_mean/var * momentum + mean/var *
 *                              (1 - momentum) per channel.
 * var is the population variance, computed in two passes (sum, then sum of squared
 * deviations), so it is never negative.
 *
 * The axes of X split into kept and reduced ones; adjacent axes of the same kind are
 * merged where every operand (X/Y, scale, bias) is contiguous across them, and size-1 axes
 * are dropped. The parallel work loop runs over the K kept positions (the work index is
 * split into kept indices with divisions by constants); for each, three passes open one
 * loop per merged reduced dim, innermost last, so the common trailing-axes case is one
 * contiguous (vectorizable) loop. Scale and bias are read through their own strides:
 * LayerNormalization's broadcast over the reduced axes (stride 0 where broadcast),
 * InstanceNormalization's per channel (kept axis 1).
 * dtypes: f32, f64; f16/bf16 computed in f32. Mean/InvStdDev are indexed by the kept
 * position (their shape is X's with ones at the reduced axes, which are trailing).
 */
#include "codegen/cg_internal.h"

#define NOPS 3   /* operands with strides: 0 = X (and Y), 1 = scale, 2 = bias */

typedef struct axes_list {
    int m;
    int64_t dims[OM_MAX_RANK];
    int64_t st[NOPS][OM_MAX_RANK];
} axes_list;

static void push_axis(axes_list *l, int64_t d, const int64_t *st)
{
    if (d == 1)
        return;
    if (l->m > 0) {
        int j = l->m - 1;
        bool merge = true;
        for (int o = 0; o < NOPS; o++)
            merge &= l->st[o][j] == st[o] * d;
        if (merge) {
            l->dims[j] *= d;
            for (int o = 0; o < NOPS; o++)
                l->st[o][j] = st[o];
            return;
        }
    }
    l->dims[l->m] = d;
    for (int o = 0; o < NOPS; o++)
        l->st[o][l->m] = st[o];
    l->m++;
}

/* The offsets of kept position k: k split over the kept dims (innermost last). */
static void kept_offsets(om_cg_ctx *cx, const axes_list *kl, LLVMValueRef k, LLVMValueRef *off)
{
    LLVMBuilderRef b = cx->b;
    for (int o = 0; o < NOPS; o++)
        off[o] = om_cg_i64(cx, 0);
    LLVMValueRef rem = k;
    for (int j = kl->m - 1; j >= 0; j--) {
        LLVMValueRef idx = rem;
        if (j > 0) {
            LLVMValueRef d = om_cg_i64(cx, kl->dims[j]);
            idx = LLVMBuildURem(b, rem, d, "");
            rem = LLVMBuildUDiv(b, rem, d, "");
        }
        for (int o = 0; o < NOPS; o++)
            if (kl->st[o][j] != 0)
                off[o] = om_cg_mad(cx, idx, kl->st[o][j], off[o]);
    }
}

/* Opens one loop per reduced dim; off[o] = base[o] + the reduced offset of operand o. */
static void open_reduced(om_cg_ctx *cx, const axes_list *rl, om_cg_loop *loops, const LLVMValueRef *base,
                         LLVMValueRef *off)
{
    for (int o = 0; o < NOPS; o++)
        off[o] = base[o];
    for (int j = 0; j < rl->m; j++) {
        LLVMValueRef iv = om_cg_for(cx, &loops[j], om_cg_i64(cx, 0), om_cg_i64(cx, rl->dims[j]), "r");
        for (int o = 0; o < NOPS; o++)
            if (rl->st[o][j] != 0)
                off[o] = om_cg_mad(cx, iv, rl->st[o][j], off[o]);
    }
}

static void close_reduced(om_cg_ctx *cx, const axes_list *rl, om_cg_loop *loops)
{
    for (int j = rl->m - 1; j >= 0; j--)
        om_cg_for_end(cx, &loops[j]);
}

/* acc += v with reassociation allowed (vectorizable reduction) */
static void accumulate(om_cg_ctx *cx, LLVMTypeRef ct, LLVMValueRef acc, LLVMValueRef v)
{
    LLVMValueRef s = LLVMBuildFAdd(cx->b, LLVMBuildLoad2(cx->b, ct, acc, ""), v, "");
    LLVMSetFastMathFlags(s, LLVMFastMathAllowReassoc);
    LLVMBuildStore(cx->b, s, acc);
}

/* Contiguous strides of a shape of rank pr aligned to the end of X's axes [from, r):
 * out[a] for a in [0, r), 0 where the operand is broadcast or absent. */
static void tail_strides(const om_value *p, int r, int from, int64_t *out)
{
    for (int a = 0; a < r; a++)
        out[a] = 0;
    if (!p)
        return;
    int pr = p->shape.rank;
    int64_t s = 1;
    for (int i = pr - 1; i >= 0; i--) {
        int a = r - pr + i;
        if (a >= from && p->shape.dims[i] != 1)
            out[a] = s;
        s *= p->shape.dims[i];
    }
}

om_status om_cg_emit_moments_norm(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    const om_value *S = om_node_input(n, 1), *B = om_node_input(n, 2);
    const om_value *IM = NULL, *IV = NULL;   /* BatchNormalization's input mean and var */
    if (n->op == OM_OP_MEAN_VARIANCE_NORMALIZATION)
        S = B = NULL;
    if (n->op == OM_OP_BATCH_NORMALIZATION) {
        IM = om_node_input(n, 3);
        IV = om_node_input(n, 4);
        if (!IM || !IV)
            return om_cg_unsupported(cx, "inputs 3 (mean) and 4 (var) are required");
    }
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    if (!om_dtype_is_float(dt) || Y->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_equal(&X->shape, &Y->shape) || !om_shape_is_static(&X->shape))
        return om_cg_unsupported(cx, "output shape differs from the input's");
    const om_value *params[4] = {S, B, IM, IV};   /* may repeat a value (scale = B) */
    for (int i = 0; i < 4; i++)
        if (params[i] && (params[i]->dtype != dt || !om_shape_is_static(&params[i]->shape)))
            return om_cg_unsupported(cx, "input '%s' must be a static %s tensor", params[i]->name, om_dtype_name(dt));
    int r = X->shape.rank;
    bool red[OM_MAX_RANK] = {false};
    int64_t sst[OM_MAX_RANK], bst[OM_MAX_RANK];
    double eps;
    bool mvn = false;
    switch (n->op) {
    case OM_OP_LAYER_NORMALIZATION: {
        int64_t axis = om_node_int(n, "axis", -1);
        if (axis < 0)
            axis += r;
        if (axis < 0 || axis >= r)
            return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)axis, r);
        if (!S)
            return om_cg_unsupported(cx, "input 1 (Scale) is required");
        for (int a = (int)axis; a < r; a++)
            red[a] = true;
        tail_strides(S, r, (int)axis, sst);
        tail_strides(B, r, (int)axis, bst);
        for (int k = 0; k < 2; k++) {
            const om_value *p = params[k];
            for (int i = 0; p && i < p->shape.rank; i++)
                if (p->shape.rank > r - axis ||
                    (p->shape.dims[i] != 1 && p->shape.dims[i] != X->shape.dims[r - p->shape.rank + i]))
                    return om_cg_unsupported(cx, "input '%s' does not broadcast to the normalized dims", p->name);
        }
        eps = om_node_float(n, "epsilon", 1e-5f);
        break;
    }
    case OM_OP_BATCH_NORMALIZATION:
    case OM_OP_INSTANCE_NORMALIZATION:
        if (r < 2 || !S || !B)
            return om_cg_unsupported(cx, "expected X of rank >= 2, scale and B");
        for (int a = 0; a < r; a++)
            red[a] = a >= 2 || (a == 0 && n->op == OM_OP_BATCH_NORMALIZATION);
        for (int a = 0; a < r; a++)
            sst[a] = bst[a] = a == 1 ? 1 : 0;
        for (int k = 0; k < 4; k++)
            if (params[k] && om_shape_numel(&params[k]->shape) != X->shape.dims[1])
                return om_cg_unsupported(cx, "input '%s' must have C = %lld elements", params[k]->name,
                                         (long long)X->shape.dims[1]);
        eps = om_node_float(n, "epsilon", 1e-5f);
        break;
    case OM_OP_MEAN_VARIANCE_NORMALIZATION: {
        const int64_t *axes;
        static const int64_t dflt[3] = {0, 2, 3};
        int c = om_node_ints(n, "axes", &axes);
        if (c < 0) {
            axes = dflt;
            c = 3;
        }
        for (int i = 0; i < c; i++) {
            int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
            if (a < 0 || a >= r)
                return om_cg_unsupported(cx, "axes[%d] = %lld out of range for rank %d", i, (long long)axes[i], r);
            red[a] = true;
        }
        for (int a = 0; a < r; a++)
            sst[a] = bst[a] = 0;
        eps = 1e-9;
        mvn = true;
        break;
    }
    default:
        return om_cg_unsupported(cx, "not an op of the moments_norm family");
    }
    /* optional statistics outputs (LayerNormalization; BatchNormalization's running stats) */
    const om_value *MO = n->n_outputs > 1 ? n->outputs[1] : NULL, *IO = n->n_outputs > 2 ? n->outputs[2] : NULL;
    const om_value *stats[2] = {MO, IO};
    for (int i = 0; i < 2; i++)
        if (stats[i] && !om_dtype_is_float(stats[i]->dtype))
            return om_cg_unsupported(cx, "output '%s' has dtype %s, expected a float", stats[i]->name,
                                     om_dtype_name(stats[i]->dtype));

    axes_list kl = {0}, rl = {0};
    int64_t xst = 1, K = 1, R = 1;
    int64_t xs[OM_MAX_RANK];
    for (int a = r - 1; a >= 0; a--) {
        xs[a] = xst;
        xst *= X->shape.dims[a];
    }
    for (int a = 0; a < r; a++) {
        int64_t st[NOPS] = {xs[a], sst[a], bst[a]};
        push_axis(red[a] ? &rl : &kl, X->shape.dims[a], st);
        if (red[a])
            R *= X->shape.dims[a];
        else
            K *= X->shape.dims[a];
    }
    for (int i = 0; i < 2; i++)
        if (stats[i] && om_shape_numel(&stats[i]->shape) != K)
            return om_cg_unsupported(cx, "output '%s' must have %lld elements", stats[i]->name, (long long)K);
    if (K * R == 0)
        return OM_OK;

    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef ps = S ? om_cg_in(cx, 1) : NULL, pb = B ? om_cg_in(cx, 2) : NULL;
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");
    LLVMValueRef cR = LLVMConstReal(ct, (double)R);   /* divide (exact for exact sums), not * 1/R */

    om_cg_loop lk, loops[OM_MAX_RANK];
    LLVMValueRef k = om_cg_for_work(cx, &lk, K, "k");
    LLVMValueRef base[NOPS], off[NOPS];
    kept_offsets(cx, &kl, k, base);
    /* pass 1: mean */
    LLVMBuildStore(b, LLVMConstReal(ct, 0), acc);
    open_reduced(cx, &rl, loops, base, off);
    accumulate(cx, ct, acc, om_cg_convert(cx, om_cg_load(cx, dt, px, off[0]), dt, cdt));
    close_reduced(cx, &rl, loops);
    LLVMValueRef mean = LLVMBuildFDiv(b, LLVMBuildLoad2(b, ct, acc, ""), cR, "mean");
    /* pass 2: variance */
    LLVMBuildStore(b, LLVMConstReal(ct, 0), acc);
    open_reduced(cx, &rl, loops, base, off);
    LLVMValueRef d = LLVMBuildFSub(b, om_cg_convert(cx, om_cg_load(cx, dt, px, off[0]), dt, cdt), mean, "");
    accumulate(cx, ct, acc, LLVMBuildFMul(b, d, d, ""));
    close_reduced(cx, &rl, loops);
    LLVMValueRef var = LLVMBuildFDiv(b, LLVMBuildLoad2(b, ct, acc, ""), cR, "var");
    LLVMValueRef inv;
    if (mvn) {
        LLVMValueRef sd = om_cg_intrinsic(cx, "llvm.sqrt", &var, 1);
        inv = LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), LLVMBuildFAdd(b, sd, LLVMConstReal(ct, eps), ""), "inv");
    } else {
        LLVMValueRef ve = LLVMBuildFAdd(b, var, LLVMConstReal(ct, eps), "");
        inv = LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), om_cg_intrinsic(cx, "llvm.sqrt", &ve, 1), "inv");
    }
    if (IM) {
        /* running statistics: input * momentum + batch * (1 - momentum) */
        double mom = om_node_float(n, "momentum", 0.9f);
        LLVMValueRef cm = LLVMConstReal(ct, mom), c1 = LLVMConstReal(ct, 1.0 - mom);
        LLVMValueRef batch[2] = {mean, var};
        for (int o = 0; o < 2; o++) {
            const om_value *ov = o ? IO : MO;
            if (!ov)
                continue;
            LLVMValueRef in = om_cg_convert(cx, om_cg_load(cx, dt, om_cg_in(cx, 3 + o), k), dt, cdt);
            LLVMValueRef v = LLVMBuildFAdd(b, LLVMBuildFMul(b, in, cm, ""), LLVMBuildFMul(b, batch[o], c1, ""), "");
            om_cg_store(cx, ov->dtype, om_cg_out(cx, 1 + o), k, om_cg_convert(cx, v, cdt, ov->dtype));
        }
    } else {
        if (MO)
            om_cg_store(cx, MO->dtype, om_cg_out(cx, 1), k, om_cg_convert(cx, mean, cdt, MO->dtype));
        if (IO)
            om_cg_store(cx, IO->dtype, om_cg_out(cx, 2), k, om_cg_convert(cx, inv, cdt, IO->dtype));
    }
    /* pass 3: y = (x - mean) * inv * scale + bias */
    open_reduced(cx, &rl, loops, base, off);
    LLVMValueRef y = LLVMBuildFSub(b, om_cg_convert(cx, om_cg_load(cx, dt, px, off[0]), dt, cdt), mean, "");
    y = LLVMBuildFMul(b, y, inv, "");
    if (ps)
        y = LLVMBuildFMul(b, y, om_cg_convert(cx, om_cg_load(cx, dt, ps, off[1]), dt, cdt), "");
    if (pb)
        y = LLVMBuildFAdd(b, y, om_cg_convert(cx, om_cg_load(cx, dt, pb, off[2]), dt, cdt), "");
    om_cg_store(cx, dt, py, off[0], om_cg_convert(cx, y, cdt, dt));
    close_reduced(cx, &rl, loops);
    om_cg_for_end(cx, &lk);
    return OM_OK;
}
