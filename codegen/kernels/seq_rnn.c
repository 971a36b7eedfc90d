/* RNN, GRU and LSTM (ONNX opsets 7/14; layout 0 and 1), one emitter sharing the recurrent
 * cell machinery: per batch row (the parallel work item) and per direction (a compile-time
 * loop, so each direction has its own activations), the state h (and c) lives in stack
 * arrays; each time step copies x_t into a stack vector, projects it and h through W and R
 * (gx = W x + Wb, gh = R h + Rb, per gate row) and combines the gates:
 *   RNN   h = f(gx + gh)
 *   GRU   z = f(gx_z + gh_z), r = f(gx_r + gh_r),
 *         h~ = g(gx_h + R_h (r*h) + Rb_h)      (linear_before_reset = 0)
 *         h~ = g(gx_h + r * gh_h)              (linear_before_reset = 1)
 *         h = (1 - z) h~ + z h
 *   LSTM  i = f(gx_i + gh_i + Pi c), f = f(gx_f + gh_f + Pf c) (input_forget: 1 - i),
 *         c~ = g(gx_c + gh_c), c = f c + i c~, o = f(gx_o + gh_o + Po c), h = o h(c)
 * Gate order in W/R/B rows: LSTM i,o,f,c; GRU z,r,h. clip (when > 0) clamps every gate's
 * pre-activation. sequence_lens (read at run time, clamped to [0, T]) stops a row early:
 * its Y rows past the length are zero, Y_h/Y_c hold the last valid state; the reverse
 * direction starts at position len-1. The dot products are reassociable (vectorized).
 * Compute is f32 (f16/bf16/f64 converted on load and
 * store). The stack holds x, h, c, gx, gh and a temp: limited to 16K floats.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "codegen/cg_internal.h"
#include "codegen/cg_math.h"

enum { A_SIGMOID, A_TANH, A_RELU, A_AFFINE, A_LEAKY, A_THRESH, A_SCALED_TANH, A_HARD_SIGMOID, A_ELU, A_SOFTSIGN,
       A_SOFTPLUS };

typedef struct rnn_act {
    int kind;
    float alpha, beta;
} rnn_act;

static const struct {
    const char *name;
    int kind, n_params;
    float alpha, beta;
} act_table[] = {
    {"Sigmoid", A_SIGMOID, 0, 0, 0},       {"Tanh", A_TANH, 0, 0, 0},
    {"Relu", A_RELU, 0, 0, 0},             {"Affine", A_AFFINE, 2, 1.0f, 0.0f},
    {"LeakyRelu", A_LEAKY, 1, 0.01f, 0},   {"ThresholdedRelu", A_THRESH, 1, 1.0f, 0},
    {"ScaledTanh", A_SCALED_TANH, 2, 1.0f, 1.0f}, {"HardSigmoid", A_HARD_SIGMOID, 2, 0.2f, 0.5f},
    {"Elu", A_ELU, 1, 1.0f, 0},            {"Softsign", A_SOFTSIGN, 0, 0, 0},
    {"Softplus", A_SOFTPLUS, 0, 0, 0},
};

/* Fills acts[per * D] from the attributes (defaults per op; alpha/beta lists are consumed
 * in order by the functions that take them, as onnxruntime does). */
static om_status parse_acts(om_cg_ctx *cx, const om_node *n, int per, int D, rnn_act *acts)
{
    static const char *const dflt[3][3] = {{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
    const om_attr *a = om_node_attr(n, "activations");
    const om_attr *al = om_node_attr(n, "activation_alpha"), *be = om_node_attr(n, "activation_beta");
    int na = a && a->kind == OM_ATTR_STRINGS ? a->count : 0;
    int ia = 0, ib = 0;
    if (na != 0 && na != per && na != per * D)
        return om_cg_unsupported(cx, "%d activations, expected %d or %d", na, per, per * D);
    for (int k = 0; k < per * D; k++) {
        const char *name = na ? a->strings[na == per ? k % per : k] : dflt[per - 1][k % per];
        int t = -1;
        for (size_t m = 0; m < sizeof act_table / sizeof act_table[0]; m++)
            if (!strcasecmp(name, act_table[m].name))
                t = (int)m;
        if (t < 0)
            return om_cg_unsupported(cx, "activation '%s' is not supported", name);
        acts[k].kind = act_table[t].kind;
        acts[k].alpha = act_table[t].alpha;
        acts[k].beta = act_table[t].beta;
        if (act_table[t].n_params >= 1 && al && al->kind == OM_ATTR_FLOATS && ia < al->count)
            acts[k].alpha = al->floats[ia++];
        if (act_table[t].n_params >= 2 && be && be->kind == OM_ATTR_FLOATS && ib < be->count)
            acts[k].beta = be->floats[ib++];
    }
    return OM_OK;
}

static LLVMValueRef act_apply(om_cg_ctx *cx, const rnn_act *a, LLVMValueRef x)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = om_cg_f32(cx, 0.0f), one = om_cg_f32(cx, 1.0f);
    LLVMValueRef al = om_cg_f32(cx, a->alpha), be = om_cg_f32(cx, a->beta);
    switch (a->kind) {
    case A_SIGMOID:
        return om_cg_sigmoid_f32(cx, x);
    case A_TANH:
        return om_cg_tanh_f32(cx, x);
    case A_RELU:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), x, zero, "");
    case A_AFFINE:
        return LLVMBuildFAdd(b, LLVMBuildFMul(b, al, x, ""), be, "");
    case A_LEAKY:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, zero, ""), LLVMBuildFMul(b, al, x, ""), x, "");
    case A_THRESH:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, al, ""), x, zero, "");
    case A_SCALED_TANH:
        return LLVMBuildFMul(b, al, om_cg_tanh_f32(cx, LLVMBuildFMul(b, be, x, "")), "");
    case A_HARD_SIGMOID: {
        LLVMValueRef y = LLVMBuildFAdd(b, LLVMBuildFMul(b, al, x, ""), be, "");
        y = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, y, zero, ""), zero, y, "");
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, y, one, ""), one, y, "");
    }
    case A_ELU:
        return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, x, zero, ""),
                               LLVMBuildFMul(b, al, om_cg_expm1_f32(cx, x), ""), x, "");
    case A_SOFTSIGN: {
        LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
        return LLVMBuildFDiv(b, x, LLVMBuildFAdd(b, one, ax, ""), "");
    }
    default: { /* softplus: max(x, 0) + log1p(exp(-|x|)) */
        LLVMValueRef ax = om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
        LLVMValueRef e = om_cg_exp_f32(cx, LLVMBuildFNeg(b, ax, ""));
        LLVMValueRef m = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, x, zero, ""), x, zero, "");
        return LLVMBuildFAdd(b, m, om_cg_log1p_f32(cx, e), "");
    }
    }
}

/* The node's geometry and tensors. */
typedef struct rnn_k {
    om_dtype dt;
    int G, D, layout, lbr, input_forget;
    int64_t T, B, I, H;
    float clip;
    LLVMValueRef x, w, r, bias, seq, h0, c0, p, y, yh, yc;
    om_dtype seq_dt;
    /* stack vectors (f32) */
    LLVMValueRef xv, hv, cv, gx, gh, tmp;
} rnn_k;

static LLVMValueRef ld(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef base, LLVMValueRef idx)
{
    return om_cg_convert(cx, om_cg_load(cx, k->dt, base, idx), k->dt, OM_DT_FLOAT);
}

static void st(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef base, LLVMValueRef idx, LLVMValueRef v)
{
    om_cg_store(cx, k->dt, base, idx, om_cg_convert(cx, v, OM_DT_FLOAT, k->dt));
}

static LLVMValueRef fld(om_cg_ctx *cx, LLVMValueRef arr, LLVMValueRef idx)
{
    return om_cg_load(cx, OM_DT_FLOAT, arr, idx);
}

static void fst(om_cg_ctx *cx, LLVMValueRef arr, LLVMValueRef idx, LLVMValueRef v)
{
    om_cg_store(cx, OM_DT_FLOAT, arr, idx, v);
}

/* dst[row - row0 + dst_off] = sum_k vec[k] * mat[mat_off + row*len + k] + bias[bias_off + row]
 * for row in [row0, row1); bias may be NULL. */
static void project(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef dst, int64_t dst_off, int64_t row0, int64_t row1,
                    LLVMValueRef mat, int64_t mat_off, LLVMValueRef vec, int64_t len, LLVMValueRef bias,
                    int64_t bias_off)
{
    LLVMBuilderRef b = cx->b;
    om_cg_loop lr, lk;
    LLVMValueRef row = om_cg_for(cx, &lr, om_cg_i64(cx, row0), om_cg_i64(cx, row1), "row");
    LLVMValueRef acc = om_cg_alloca(cx, cx->f32, "acc");
    LLVMBuildStore(b, bias ? ld(cx, k, bias, om_cg_add(cx, row, om_cg_i64(cx, bias_off))) : om_cg_f32(cx, 0.0f), acc);
    LLVMValueRef mrow = om_cg_mad(cx, row, len, om_cg_i64(cx, mat_off));
    LLVMValueRef kk = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, len), "k");
    LLVMValueRef prod = LLVMBuildFMul(b, fld(cx, vec, kk), ld(cx, k, mat, om_cg_add(cx, mrow, kk)), "");
    LLVMValueRef sum = LLVMBuildFAdd(b, LLVMBuildLoad2(b, cx->f32, acc, ""), prod, "");
    /* a reassociable dot product: LLVM vectorizes the reduction */
    LLVMSetFastMathFlags(prod, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
    LLVMSetFastMathFlags(sum, LLVMFastMathAllowReassoc | LLVMFastMathAllowContract);
    LLVMBuildStore(b, sum, acc);
    om_cg_for_end(cx, &lk);
    fst(cx, dst, om_cg_add(cx, LLVMBuildSub(b, row, om_cg_i64(cx, row0), ""), om_cg_i64(cx, dst_off)),
        LLVMBuildLoad2(b, cx->f32, acc, ""));
    om_cg_for_end(cx, &lr);
}

static LLVMValueRef clip(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef v)
{
    if (!(k->clip > 0))
        return v;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef hi = om_cg_f32(cx, k->clip), lo = om_cg_f32(cx, -k->clip);
    v = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, v, hi, ""), hi, v, "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, v, lo, ""), lo, v, "");
}

/* gate sum gx[g*H + j] + gh[g*H + j] */
static LLVMValueRef gsum(om_cg_ctx *cx, const rnn_k *k, int g, LLVMValueRef j)
{
    LLVMValueRef i = om_cg_add(cx, j, om_cg_i64(cx, g * k->H));
    return LLVMBuildFAdd(cx->b, fld(cx, k->gx, i), fld(cx, k->gh, i), "");
}

/* One time step of direction d: reads xv and hv (and cv), updates hv (and cv) in place.
 * acts points at this direction's activations. */
static void cell(om_cg_ctx *cx, const rnn_k *k, om_op op, int d, const rnn_act *acts)
{
    LLVMBuilderRef b = cx->b;
    int64_t H = k->H, GH = k->G * H;
    om_cg_loop lj;
    LLVMValueRef one = om_cg_f32(cx, 1.0f);
    int64_t wb = d * 2 * GH, rb = wb + GH, roff = d * GH * H;
    bool gru_lbr0 = op == OM_OP_GRU && !k->lbr;
    project(cx, k, k->gx, 0, 0, GH, k->w, d * GH * k->I, k->xv, k->I, k->bias, wb);
    project(cx, k, k->gh, 0, 0, gru_lbr0 ? 2 * H : GH, k->r, roff, k->hv, H, k->bias, rb);
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, H), "j");
    if (op == OM_OP_RNN) {
        fst(cx, k->hv, j, act_apply(cx, &acts[0], clip(cx, k, gsum(cx, k, 0, j))));
    } else if (op == OM_OP_GRU) {
        LLVMValueRef z = act_apply(cx, &acts[0], clip(cx, k, gsum(cx, k, 0, j)));
        LLVMValueRef r = act_apply(cx, &acts[0], clip(cx, k, gsum(cx, k, 1, j)));
        fst(cx, k->gx, j, z);
        if (gru_lbr0)
            fst(cx, k->tmp, j, LLVMBuildFMul(b, r, fld(cx, k->hv, j), ""));
        else
            fst(cx, k->tmp, j, r);
    } else {
        LLVMValueRef c = fld(cx, k->cv, j);
        LLVMValueRef pi = NULL, po = NULL, pf = NULL;
        if (k->p) {
            LLVMValueRef pb = om_cg_add(cx, j, om_cg_i64(cx, d * 3 * H));
            pi = ld(cx, k, k->p, pb);
            po = ld(cx, k, k->p, om_cg_add(cx, pb, om_cg_i64(cx, H)));
            pf = ld(cx, k, k->p, om_cg_add(cx, pb, om_cg_i64(cx, 2 * H)));
        }
        LLVMValueRef si = gsum(cx, k, 0, j), so = gsum(cx, k, 1, j), sf = gsum(cx, k, 2, j), sc = gsum(cx, k, 3, j);
        if (pi) {
            si = LLVMBuildFAdd(b, si, LLVMBuildFMul(b, pi, c, ""), "");
            sf = LLVMBuildFAdd(b, sf, LLVMBuildFMul(b, pf, c, ""), "");
        }
        LLVMValueRef ig = act_apply(cx, &acts[0], clip(cx, k, si));
        LLVMValueRef fg = k->input_forget ? LLVMBuildFSub(b, one, ig, "") : act_apply(cx, &acts[0], clip(cx, k, sf));
        LLVMValueRef cg = act_apply(cx, &acts[1], clip(cx, k, sc));
        LLVMValueRef cn = LLVMBuildFAdd(b, LLVMBuildFMul(b, fg, c, ""), LLVMBuildFMul(b, ig, cg, ""), "");
        if (po)
            so = LLVMBuildFAdd(b, so, LLVMBuildFMul(b, po, cn, ""), "");
        LLVMValueRef og = act_apply(cx, &acts[0], clip(cx, k, so));
        fst(cx, k->cv, j, cn);
        fst(cx, k->hv, j, LLVMBuildFMul(b, og, act_apply(cx, &acts[2], cn), ""));
    }
    om_cg_for_end(cx, &lj);
    if (op != OM_OP_GRU)
        return;
    if (gru_lbr0) /* gh_h = R_h (r * h) + Rb_h */
        project(cx, k, k->gh, 2 * H, 2 * H, GH, k->r, roff, k->tmp, H, k->bias, rb);
    j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, H), "j");
    LLVMValueRef j2 = om_cg_add(cx, j, om_cg_i64(cx, 2 * H));
    LLVMValueRef hpart = fld(cx, k->gh, j2);
    if (!gru_lbr0)
        hpart = LLVMBuildFMul(b, fld(cx, k->tmp, j), hpart, "");
    LLVMValueRef hh = act_apply(cx, &acts[1], clip(cx, k, LLVMBuildFAdd(b, fld(cx, k->gx, j2), hpart, "")));
    LLVMValueRef z = fld(cx, k->gx, j);
    LLVMValueRef hn = LLVMBuildFAdd(b, LLVMBuildFMul(b, LLVMBuildFSub(b, one, z, ""), hh, ""),
                                    LLVMBuildFMul(b, z, fld(cx, k->hv, j), ""), "");
    fst(cx, k->hv, j, hn);
    om_cg_for_end(cx, &lj);
}

/* element offsets of the layout-dependent tensors */
static LLVMValueRef x_at(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef t, LLVMValueRef b)
{
    return k->layout ? om_cg_mad(cx, om_cg_mad(cx, b, k->T, t), k->I, om_cg_i64(cx, 0))
                     : om_cg_mad(cx, om_cg_mad(cx, t, k->B, b), k->I, om_cg_i64(cx, 0));
}

static LLVMValueRef y_at(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef t, int d, LLVMValueRef b)
{
    LLVMValueRef dv = om_cg_i64(cx, d);
    LLVMValueRef row = k->layout ? om_cg_mad(cx, om_cg_mad(cx, b, k->T, t), k->D, dv)
                                 : om_cg_mad(cx, om_cg_mad(cx, t, k->D, dv), k->B, b);
    return om_cg_mad(cx, row, k->H, om_cg_i64(cx, 0));
}

static LLVMValueRef h_at(om_cg_ctx *cx, const rnn_k *k, int d, LLVMValueRef b)
{
    LLVMValueRef row = k->layout ? om_cg_mad(cx, b, k->D, om_cg_i64(cx, d))
                                 : om_cg_add(cx, om_cg_i64(cx, (int64_t)d * k->B), b);
    return om_cg_mad(cx, row, k->H, om_cg_i64(cx, 0));
}

/* dst[j] = src ? src[off + j] : 0 for j in [0, len) */
static void load_vec(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef dst, LLVMValueRef src, LLVMValueRef off, int64_t len)
{
    om_cg_loop l;
    LLVMValueRef j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, len), "j");
    fst(cx, dst, j, src ? ld(cx, k, src, om_cg_add(cx, off, j)) : om_cg_f32(cx, 0.0f));
    om_cg_for_end(cx, &l);
}

/* dst[off + j] = src ? src[j] : 0 */
static void store_vec(om_cg_ctx *cx, const rnn_k *k, LLVMValueRef dst, LLVMValueRef off, LLVMValueRef src, int64_t len)
{
    om_cg_loop l;
    LLVMValueRef j = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, len), "j");
    st(cx, k, dst, om_cg_add(cx, off, j), src ? fld(cx, src, j) : om_cg_f32(cx, 0.0f));
    om_cg_for_end(cx, &l);
}

om_status om_cg_emit_rnn(om_cg_ctx *cx, const om_node *n)
{
    LLVMBuilderRef b = cx->b;
    rnn_k k;
    memset(&k, 0, sizeof k);
    const om_value *x = n->inputs[0];
    const om_value *r = om_node_input(n, 2);
    k.dt = x->dtype;
    if (k.dt != OM_DT_FLOAT && k.dt != OM_DT_DOUBLE && k.dt != OM_DT_FLOAT16 && k.dt != OM_DT_BFLOAT16)
        return om_cg_unsupported(cx, "dtype %s", om_dtype_name(k.dt));
    if (x->shape.rank != 3 || !r || r->shape.rank != 3 || !om_shape_is_static(&x->shape))
        return om_cg_unsupported(cx, "X must be a static [T,B,I] tensor");
    k.G = n->op == OM_OP_LSTM ? 4 : n->op == OM_OP_GRU ? 3 : 1;
    int per = n->op == OM_OP_LSTM ? 3 : n->op == OM_OP_GRU ? 2 : 1;
    const char *dir = om_node_string(n, "direction", "forward");
    k.D = strcmp(dir, "bidirectional") ? 1 : 2;
    bool reverse0 = !strcmp(dir, "reverse");
    k.layout = (int)om_node_int(n, "layout", 0);
    k.lbr = om_node_int(n, "linear_before_reset", 0) != 0;
    k.input_forget = om_node_int(n, "input_forget", 0) != 0;
    k.clip = om_node_attr(n, "clip") ? om_node_float(n, "clip", 0.0f) : 0.0f;
    k.T = x->shape.dims[k.layout ? 1 : 0];
    k.B = x->shape.dims[k.layout ? 0 : 1];
    k.I = x->shape.dims[2];
    k.H = om_node_int(n, "hidden_size", r->shape.dims[2]);
    if (k.H < 1 || k.I < 1)
        return om_cg_unsupported(cx, "hidden_size %lld / input size %lld", (long long)k.H, (long long)k.I);
    int64_t stack = k.I + 3 * k.H + 2 * k.G * k.H;
    if (stack > 16384)
        return om_cg_unsupported(cx, "state of %lld floats exceeds the 16K stack limit", (long long)stack);
    rnn_act acts[6];
    om_status s = parse_acts(cx, n, per, k.D, acts);
    if (s != OM_OK)
        return s;
    k.x = om_cg_in(cx, 0);
    k.w = om_cg_in(cx, 1);
    k.r = om_cg_in(cx, 2);
    k.bias = om_cg_in(cx, 3);
    k.seq = om_cg_in(cx, 4);
    k.seq_dt = om_node_input(n, 4) ? om_node_input(n, 4)->dtype : OM_DT_INT32;
    k.h0 = om_cg_in(cx, 5);
    k.c0 = n->op == OM_OP_LSTM ? om_cg_in(cx, 6) : NULL;
    k.p = n->op == OM_OP_LSTM ? om_cg_in(cx, 7) : NULL;
    k.y = om_cg_out(cx, 0);
    k.yh = n->n_outputs > 1 ? om_cg_out(cx, 1) : NULL;
    k.yc = n->n_outputs > 2 ? om_cg_out(cx, 2) : NULL;
    k.xv = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)k.I), "xv");
    k.hv = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)k.H), "hv");
    k.cv = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)k.H), "cv");
    k.tmp = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)k.H), "tmp");
    k.gx = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(k.G * k.H)), "gx");
    k.gh = om_cg_alloca(cx, LLVMArrayType2(cx->f32, (uint64_t)(k.G * k.H)), "gh");

    om_cg_loop lw, lt;
    LLVMValueRef bi = om_cg_for_work(cx, &lw, k.B, "b");
    LLVMValueRef T = om_cg_i64(cx, k.T), zero = om_cg_i64(cx, 0);
    for (int d = 0; d < k.D; d++) {
        bool rev = reverse0 || d == 1;
        LLVMValueRef len = T;
        if (k.seq) {
            len = om_cg_convert(cx, om_cg_load(cx, k.seq_dt, k.seq, bi), k.seq_dt, OM_DT_INT64);
            len = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, len, zero, ""), zero, len, "");
            len = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, len, T, ""), T, len, "len");
        }
        load_vec(cx, &k, k.hv, k.h0, h_at(cx, &k, d, bi), k.H);
        load_vec(cx, &k, k.cv, k.c0, h_at(cx, &k, d, bi), k.H);
        LLVMValueRef t = om_cg_for(cx, &lt, zero, T, "t");
        LLVMValueRef valid = LLVMBuildICmp(b, LLVMIntSLT, t, len, "valid");
        LLVMBasicBlockRef bt = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "step");
        LLVMBasicBlockRef bf = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "pad");
        LLVMBasicBlockRef bj = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "next");
        LLVMBuildCondBr(b, valid, bt, bf);
        LLVMPositionBuilderAtEnd(b, bt);
        LLVMValueRef tt = rev ? LLVMBuildSub(b, LLVMBuildSub(b, len, om_cg_i64(cx, 1), ""), t, "tt") : t;
        load_vec(cx, &k, k.xv, k.x, x_at(cx, &k, tt, bi), k.I);
        cell(cx, &k, n->op, d, acts + d * per);
        store_vec(cx, &k, k.y, y_at(cx, &k, tt, d, bi), k.hv, k.H);
        LLVMBuildBr(b, bj);
        LLVMPositionBuilderAtEnd(b, bf);
        store_vec(cx, &k, k.y, y_at(cx, &k, t, d, bi), NULL, k.H);
        LLVMBuildBr(b, bj);
        LLVMPositionBuilderAtEnd(b, bj);
        om_cg_for_end(cx, &lt);
        if (k.yh)
            store_vec(cx, &k, k.yh, h_at(cx, &k, d, bi), k.hv, k.H);
        if (k.yc)
            store_vec(cx, &k, k.yc, h_at(cx, &k, d, bi), k.cv, k.H);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
