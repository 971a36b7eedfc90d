/* The precision pass's per-node decision (see precision.c and precision_internal.h).
 *
 * Order of the rules: a node without declared-f32 T tensors is left alone; --keep-dtype
 * keeps a node f32; an op whose kernel does not take f16/bf16 stays f32; then the op's
 * list in the mode:
 *             fp16 (force)   bf16        mixed / mixed-bf16
 *   allow     low            low         low
 *   infer     follows        follows     follows (all-constant inputs: f32)
 *   deny      low            f32         f32
 *   none      f32            f32         f32
 * "follows": low when every non-constant T input is planned low (f16 or bf16); an infer op
 * reading only constants runs low in the force modes (embedding tables shrink).
 * In f16 only, a low decision is refused (the node stays f32) for the range reasons listed
 * in precision.c; each refusal is counted and reported. In bf16, grouped (depthwise)
 * convolutions stay f32: a handful of products per output gain nothing from bf16 dot
 * products, and bf16's 8-bit mantissa on them costs accuracy (PP-OCRv4 det: cosine 0.9974
 * with them in bf16, 0.9990 without); so do convolutions over fewer than 64 products per
 * output (an image stem: see BF16_MIN_CONV_K).
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "passes/precision_internal.h"

#define FP16_MAX 65504.0
#define FP16_FLUSH 2.98023223876953125e-8   /* 2^-25: below this a value rounds to zero */
#define MAX_LOW_REDUCTION 4096

bool om_pass_prec_is_t_input(const om_node *n, int i)
{
    if (n->op == OM_OP_RESIZE)
        return i == 0;
    return true;
}

bool om_pass_prec_is_t_output(const om_node *n, int j)
{
    if (n->op == OM_OP_LAYER_NORMALIZATION)
        return j == 0;
    return true;
}

static bool is_orig(const om_pass_prec_decider *d, const om_value *v)
{
    return v->id < d->n_orig && d->g->values[v->id] == v;
}

static om_dtype vorig(const om_pass_prec_decider *d, const om_value *v) { return is_orig(d, v) ? d->orig[v->id] : v->dtype; }

static om_dtype vplanned(const om_pass_prec_decider *d, const om_value *v)
{
    return is_orig(d, v) ? d->planned[v->id] : v->dtype;
}

static void report(const om_pass_prec_decider *d, const om_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(const om_pass_prec_decider *d, const om_node *n, const char *fmt, ...)
{
    FILE *f = d->po->report;
    if (!f)
        return;
    fprintf(f, "precision: node '%s' (%s) ", n->name ? n->name : "", om_op_name(n->op));
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

static bool kept(const om_pass_prec_decider *d, const om_node *n)
{
    if (d->po->keep_op[n->op])
        return true;
    for (int i = 0; i < d->po->n_keep_names; i++)
        if (n->name && strcmp(n->name, d->po->keep_names[i]) == 0)
            return true;
    return false;
}

/* f16 range check of a constant f32 input; true (and reported) when refused. */
static bool refuse_constant(const om_pass_prec_decider *d, const om_node *n, const om_value *c)
{
    int64_t numel = om_shape_numel(&c->shape);
    if (numel <= 0 || !c->data || c->nbytes != (size_t)numel * 4)
        return false;
    const unsigned char *p = c->data;
    double max_abs = 0;
    int64_t nonzero = 0, flushed = 0;
    for (int64_t i = 0; i < numel; i++) {
        float f;
        memcpy(&f, p + 4 * i, 4);
        double a = fabs((double)f);
        if (!isfinite(a))
            continue;
        if (a > max_abs)
            max_abs = a;
        if (a != 0) {
            nonzero++;
            if (a < FP16_FLUSH)
                flushed++;
        }
    }
    if (max_abs > FP16_MAX) {
        om_pass_count(d->opts, "refused-constant-range", 1);
        report(d, n, "kept f32: constant '%s' has |x| up to %g, above fp16's %g", c->name, max_abs, FP16_MAX);
        return true;
    }
    if (flushed * 100 > nonzero) {
        om_pass_count(d->opts, "refused-constant-underflow", 1);
        report(d, n, "kept f32: constant '%s' has %lld of %lld nonzero values below %g (zero in fp16)", c->name,
               (long long)flushed, (long long)nonzero, FP16_FLUSH);
        return true;
    }
    return false;
}

static bool refuse_fp16(const om_pass_prec_decider *d, const om_node *n)
{
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *x = n->inputs[i];
        if (x && x->kind == OM_VALUE_CONSTANT && om_pass_prec_is_t_input(n, i) && vorig(d, x) == OM_DT_FLOAT &&
            refuse_constant(d, n, x))
            return true;
    }
    const om_value *x = om_node_input(n, 0);
    const om_value *y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!x || !y)
        return false;
    if (n->op == OM_OP_REDUCE_SUM || n->op == OM_OP_REDUCE_MEAN) {
        int64_t ni = om_shape_numel(&x->shape), no = om_shape_numel(&y->shape);
        int64_t per = no > 0 ? ni / no : ni;
        if (per > MAX_LOW_REDUCTION) {
            om_pass_count(d->opts, "refused-reduction", 1);
            report(d, n, "kept f32: reduces %lld elements per output (fp16 limit %d)", (long long)per,
                   MAX_LOW_REDUCTION);
            return true;
        }
    }
    if ((n->op == OM_OP_SOFTMAX || n->op == OM_OP_LOG_SOFTMAX) && x->shape.rank > 0) {
        int64_t axis = om_node_int(n, "axis", -1);
        if (axis < 0)
            axis += x->shape.rank;
        if (axis >= 0 && axis < x->shape.rank && x->shape.dims[axis] > MAX_LOW_REDUCTION) {
            om_pass_count(d->opts, "refused-softmax-axis", 1);
            report(d, n, "kept f32: axis %lld has %lld elements (fp16 limit %d)", (long long)axis,
                   (long long)x->shape.dims[axis], MAX_LOW_REDUCTION);
            return true;
        }
    }
    return false;
}

static bool follows_low(const om_pass_prec_decider *d, const om_node *n, bool force)
{
    int n_var = 0, n_low = 0;
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *x = n->inputs[i];
        if (!x || !om_pass_prec_is_t_input(n, i) || vorig(d, x) != OM_DT_FLOAT || x->kind == OM_VALUE_CONSTANT)
            continue;
        n_var++;
        om_dtype p = vplanned(d, x);
        if (p == OM_DT_FLOAT16 || p == OM_DT_BFLOAT16)
            n_low++;
    }
    return n_var == 0 ? force : n_low == n_var;
}


/* A bf16 Conv reducing over fewer products than this per output stays f32: the stem conv on
 * an image (3 channels x 3x3 = 27) gains nothing from dot products, and bf16's 8-bit mantissa
 * on the raw pixels costs the most accuracy there (PP-OCRv4 det bf16: cosine 0.9984 with its
 * stem in bf16, 0.99987 without). ResNet-50's 7x7 stem (147) stays bf16. */
#define BF16_MIN_CONV_K 64

/* C/group * kh * kw of Conv n from its weight's static shape; -1 if unknown. */
static int64_t conv_reduction(const om_node *n)
{
    const om_value *w = n->n_inputs > 1 ? n->inputs[1] : NULL;
    if (!w || w->shape.rank < 3)
        return -1;
    int64_t k = 1;
    for (int i = 1; i < w->shape.rank; i++) {
        if (w->shape.dims[i] < 0)
            return -1;
        k *= w->shape.dims[i];
    }
    return k;
}

static om_dtype decide(om_pass_prec_decider *d, const om_node *n)
{
    if (d->low == OM_DT_UNDEFINED)
        return OM_DT_FLOAT;
    if (kept(d, n)) {
        om_pass_count(d->opts, "kept-dtype", 1);
        report(d, n, "kept f32: --keep-dtype");
        return OM_DT_FLOAT;
    }
    if (!om_pass_precision_kernel_takes_low(n->op))
        return OM_DT_FLOAT;
    if (om_node_attr(n, "om_packed_b")) {
        report(d, n, "kept f32: its B is pre-packed in f32 (om_packed_b; run precision before pack-gemm-weights)");
        return OM_DT_FLOAT;
    }
    bool mixed = om_pass_precision_is_mixed(d->po->mode);
    bool want;
    switch (om_pass_precision_op_class(d->po, n->op)) {
    case OM_PREC_ALLOW: want = true; break;
    case OM_PREC_INFER: want = follows_low(d, n, !mixed); break;
    case OM_PREC_DENY: want = d->po->mode == OM_PRECISION_FP16; break;
    default: want = false; break;
    }
    if (!want)
        return OM_DT_FLOAT;
    if (d->low == OM_DT_FLOAT16 && refuse_fp16(d, n))
        return OM_DT_FLOAT;
    if (d->low == OM_DT_BFLOAT16 && n->op == OM_OP_CONV && om_node_int(n, "group", 1) > 1) {
        om_pass_count(d->opts, "bf16-grouped-conv-f32", 1);
        report(d, n, "kept f32: grouped convolution (group %lld) in bf16", (long long)om_node_int(n, "group", 1));
        return OM_DT_FLOAT;
    }
    int64_t k = conv_reduction(n);
    if (d->low == OM_DT_BFLOAT16 && n->op == OM_OP_CONV && k > 0 && k < BF16_MIN_CONV_K) {
        om_pass_count(d->opts, "bf16-short-conv-f32", 1);
        report(d, n, "kept f32: convolution over only %lld products per output (< %d) in bf16", (long long)k,
               BF16_MIN_CONV_K);
        return OM_DT_FLOAT;
    }
    return d->low;
}

om_dtype om_pass_prec_decide(om_pass_prec_decider *d, const om_node *n)
{
    bool has_f32 = false;
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *x = n->inputs[i];
        if (!x || !om_pass_prec_is_t_input(n, i))
            continue;
        om_dtype od = vorig(d, x);
        if (od == OM_DT_FLOAT)
            has_f32 = true;
        else if (om_dtype_is_float(od))
            return OM_DT_UNDEFINED;
    }
    for (int j = 0; j < n->n_outputs; j++) {
        const om_value *o = n->outputs[j];
        if (!o || !om_pass_prec_is_t_output(n, j))
            continue;
        om_dtype od = vorig(d, o);
        if (od == OM_DT_FLOAT)
            has_f32 = true;
        else if (om_dtype_is_float(od))
            return OM_DT_UNDEFINED;
    }
    if (!has_f32)
        return OM_DT_UNDEFINED;
    om_dtype r = decide(d, n);
    for (int j = 0; j < n->n_outputs; j++) {
        const om_value *o = n->outputs[j];
        if (o && om_pass_prec_is_t_output(n, j) && is_orig(d, o) && d->orig[o->id] == OM_DT_FLOAT)
            d->planned[o->id] = r;
    }
    return r;
}
