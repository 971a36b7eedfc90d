/* Einsum, lowered into loops at compile time.
 *
 * The shape rule (passes/infer/reduce_ops.c) rewrites the equation into an explicit
 * canonical form: letters only (the `...` dims became letters of their own), one term per
 * input, always "->". Here every letter gets a size (broadcast: a dim of 1 stretches) and
 * every operand a stride per letter: the sum of the row-major strides of the dims that
 * carry it (a letter repeated inside one term walks the diagonal), 0 where the operand's dim
 * is 1 but the letter's size is not (broadcasting).
 * When the output's last letter is at least 8 long and contiguous in some operand, the
 * kernel accumulates rows (emit_rows: vectorizes along that letter). Otherwise work items
 * = output elements (their letter indices come from divisions by constants); inside, one
 * loop per summed letter (letters in no output position), the product of the operands
 * accumulated in the compute type, then stored.
 * dtypes: f32, f64; f16/bf16 in f32; integers in their own type (wrapping).
 */
#include "codegen/cg_internal.h"

#include <string.h>

#define EIN_MAX_OPS 16
#define BLOCK 256

/* The output's last letter L is contiguous in the output and in some operand: work items =
 * (output row, block of up to BLOCK positions along L); a stack block accumulates
 * acc[i] += prod_t x_t[.. + i * stride_t(L)] inside the summed loops, so the inner loop runs
 * along L with unit (or zero) strides and vectorizes (a matmul becomes rows of axpy). */
static void emit_rows(om_cg_ctx *cx, om_dtype dt, int nt, const LLVMValueRef *ptr, LLVMValueRef py,
                      const char *oterm, int olen, const char *summed, int ns, const int64_t *size,
                      int64_t stride[][128])
{
    LLVMBuilderRef b = cx->b;
    om_dtype c = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? OM_DT_FLOAT : dt;
    bool fl = om_dtype_is_float(c);
    LLVMTypeRef ct = om_cg_type(cx, c);
    int last = oterm[olen - 1];
    int64_t inner = size[last], rows = 1;
    for (int j = 0; j < olen - 1; j++)
        rows *= size[(int)oterm[j]];
    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef acc = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "acc"), zero = om_cg_i64(cx, 0);
    om_cg_loop lw, li, ls[128];
    LLVMValueRef w = om_cg_for_work(cx, &lw, rows * nb, "w");
    LLVMValueRef row = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        row = LLVMBuildUDiv(b, w, om_cg_i64(cx, nb), "row");
        i0 = om_cg_mul(cx, LLVMBuildURem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef off[EIN_MAX_OPS], rest = row;
    for (int t = 0; t < nt; t++)
        off[t] = om_cg_mul(cx, i0, om_cg_i64(cx, stride[t][last]));
    for (int j = olen - 2; j >= 0; j--) {
        int ch = oterm[j];
        LLVMValueRef q = rest;
        if (j > 0) {
            q = LLVMBuildURem(b, rest, om_cg_i64(cx, size[ch]), "");
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, size[ch]), "");
        }
        for (int t = 0; t < nt; t++)
            off[t] = om_cg_mad(cx, q, stride[t][ch], off[t]);
    }
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, c, acc, i, om_cg_const(cx, c, 0));
    om_cg_for_end(cx, &li);
    for (int s = 0; s < ns; s++) {
        int ch = summed[s];
        LLVMValueRef iv = om_cg_for(cx, &ls[s], zero, om_cg_i64(cx, size[ch]), "s");
        for (int t = 0; t < nt; t++)
            off[t] = om_cg_mad(cx, iv, stride[t][ch], off[t]);
    }
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef prod = NULL;
    for (int t = 0; t < nt; t++) {
        LLVMValueRef at = om_cg_mad(cx, i, stride[t][last], off[t]);
        LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, ptr[t], at), dt, c);
        prod = !prod ? x : fl ? LLVMBuildFMul(b, prod, x, "") : LLVMBuildMul(b, prod, x, "");
    }
    LLVMValueRef a = om_cg_load(cx, c, acc, i);
    om_cg_store(cx, c, acc, i, fl ? LLVMBuildFAdd(b, a, prod, "") : LLVMBuildAdd(b, a, prod, ""));
    om_cg_for_end(cx, &li);
    for (int s = ns - 1; s >= 0; s--)
        om_cg_for_end(cx, &ls[s]);
    LLVMValueRef ob = om_cg_add(cx, om_cg_mul(cx, row, om_cg_i64(cx, inner)), i0);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, dt, py, om_cg_add(cx, ob, i), om_cg_convert(cx, om_cg_load(cx, c, acc, i), c, dt));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lw);
}

om_status om_cg_emit_einsum(om_cg_ctx *cx, const om_node *n)
{
    const char *eq = om_node_string(n, "equation", NULL);
    const om_value *Y = n->outputs[0];
    int n_ops = n->n_inputs;
    if (!eq)
        return om_cg_unsupported(cx, "attribute equation is required");
    if (n_ops < 1 || n_ops > EIN_MAX_OPS)
        return om_cg_unsupported(cx, "%d operands (1..%d supported)", n_ops, EIN_MAX_OPS);
    om_dtype dt = Y->dtype;
    if (!om_cg_type(cx, dt) || dt == OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    /* parse "t0,t1,...->out" (canonical: letters only) */
    const char *terms[EIN_MAX_OPS + 1];
    int tlen[EIN_MAX_OPS + 1], nt = 0;
    const char *p = eq;
    const char *arrow = strstr(eq, "->");
    if (!arrow)
        return om_cg_unsupported(cx, "equation '%s' is not in the explicit form the shape rule makes", eq);
    for (;;) {
        const char *e = p;
        while (*e && *e != ',' && e != arrow)
            e++;
        if (nt >= EIN_MAX_OPS)
            return om_cg_unsupported(cx, "equation '%s' has too many terms", eq);
        terms[nt] = p;
        tlen[nt++] = (int)(e - p);
        if (e == arrow)
            break;
        if (*e != ',')
            return om_cg_unsupported(cx, "equation '%s' is malformed", eq);
        p = e + 1;
    }
    terms[nt] = arrow + 2;
    tlen[nt] = (int)strlen(arrow + 2);
    if (nt != n_ops)
        return om_cg_unsupported(cx, "equation '%s' has %d terms for %d inputs", eq, nt, n_ops);
    int64_t size[128];
    for (int c = 0; c < 128; c++)
        size[c] = -1;
    int64_t stride[EIN_MAX_OPS][128];
    memset(stride, 0, sizeof stride);
    for (int t = 0; t <= nt; t++)
        for (int j = 0; j < tlen[t]; j++) {
            char ch = terms[t][j];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
                return om_cg_unsupported(cx, "equation '%s': unexpected '%c'", eq, ch);
        }
    for (int t = 0; t < nt; t++) {
        const om_value *v = om_node_input(n, t);
        if (!v || v->dtype != dt || !om_shape_is_static(&v->shape) || v->shape.rank != tlen[t])
            return om_cg_unsupported(cx, "input %d does not match term %d of '%s' (dtype, static rank)", t, t, eq);
        for (int j = 0; j < tlen[t]; j++) {
            int ch = terms[t][j];
            int64_t d = v->shape.dims[j];
            if (size[ch] < 0 || size[ch] == 1)
                size[ch] = d;
            else if (d != 1 && d != size[ch])
                return om_cg_unsupported(cx, "label '%c' has sizes %lld and %lld", ch, (long long)size[ch],
                                         (long long)d);
        }
    }
    if (Y->shape.rank != tlen[nt])
        return om_cg_unsupported(cx, "output rank %d, the equation gives %d", Y->shape.rank, tlen[nt]);
    for (int t = 0; t < nt; t++) {
        const om_value *v = om_node_input(n, t);
        int64_t s = 1;
        for (int j = tlen[t] - 1; j >= 0; j--) {
            int ch = terms[t][j];
            if (!(v->shape.dims[j] == 1 && size[ch] != 1))
                stride[t][ch] += s;
            s *= v->shape.dims[j];
        }
    }
    bool in_out[128] = {0};
    for (int j = 0; j < tlen[nt]; j++) {
        int ch = terms[nt][j];
        if (size[ch] < 0 || in_out[ch] || Y->shape.dims[j] != size[ch])
            return om_cg_unsupported(cx, "output label '%c' does not match", ch);
        in_out[ch] = true;
    }
    char summed[128];
    int ns = 0;
    for (int ch = 0; ch < 128; ch++)
        if (size[ch] >= 0 && !in_out[ch])
            summed[ns++] = (char)ch;
    /* the summed letter with the smallest stride in the first operand goes innermost */
    for (int i = 0; i + 1 < ns; i++)
        for (int j = i + 1; j < ns; j++)
            if (stride[0][(int)summed[j]] > stride[0][(int)summed[i]]) {
                char t = summed[i];
                summed[i] = summed[j];
                summed[j] = t;
            }
    int64_t outs = om_shape_numel(&Y->shape);
    if (outs == 0)
        return OM_OK;
    om_dtype c = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16 ? OM_DT_FLOAT : dt;
    bool fl = om_dtype_is_float(c);
    LLVMTypeRef ct = om_cg_type(cx, c);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef ptr[EIN_MAX_OPS];
    for (int t = 0; t < nt; t++)
        ptr[t] = om_cg_in(cx, t);
    LLVMValueRef py = om_cg_out(cx, 0), zero = om_cg_i64(cx, 0);
    if (tlen[nt] > 0 && ns > 0 && size[(int)terms[nt][tlen[nt] - 1]] >= 8) {
        int last = terms[nt][tlen[nt] - 1];
        for (int t = 0; t < nt; t++)
            if (stride[t][last] == 1) {
                emit_rows(cx, dt, nt, ptr, py, terms[nt], tlen[nt], summed, ns, size, stride);
                return OM_OK;
            }
    }
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");

    om_cg_loop lw, ls[128];
    LLVMValueRef w = om_cg_for_work(cx, &lw, outs, "w");
    LLVMValueRef off[EIN_MAX_OPS];
    for (int t = 0; t < nt; t++)
        off[t] = zero;
    LLVMValueRef rest = w;
    for (int j = tlen[nt] - 1; j >= 0; j--) {
        int ch = terms[nt][j];
        LLVMValueRef q = rest;
        if (j > 0) {
            q = LLVMBuildURem(b, rest, om_cg_i64(cx, size[ch]), "");
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, size[ch]), "");
        }
        for (int t = 0; t < nt; t++)
            off[t] = om_cg_mad(cx, q, stride[t][ch], off[t]);
    }
    LLVMBuildStore(b, om_cg_const(cx, c, 0), acc);
    for (int s = 0; s < ns; s++) {
        int ch = summed[s];
        LLVMValueRef iv = om_cg_for(cx, &ls[s], zero, om_cg_i64(cx, size[ch]), "s");
        for (int t = 0; t < nt; t++)
            off[t] = om_cg_mad(cx, iv, stride[t][ch], off[t]);
    }
    LLVMValueRef prod = NULL;
    for (int t = 0; t < nt; t++) {
        LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, ptr[t], off[t]), dt, c);
        prod = !prod ? x : fl ? LLVMBuildFMul(b, prod, x, "") : LLVMBuildMul(b, prod, x, "");
    }
    LLVMValueRef sum = LLVMBuildLoad2(b, ct, acc, "");
    sum = fl ? LLVMBuildFAdd(b, sum, prod, "") : LLVMBuildAdd(b, sum, prod, "");
    if (fl)
        LLVMSetFastMathFlags(sum, LLVMFastMathAllowReassoc);
    LLVMBuildStore(b, sum, acc);
    for (int s = ns - 1; s >= 0; s--)
        om_cg_for_end(cx, &ls[s]);
    om_cg_store(cx, dt, py, w, om_cg_convert(cx, LLVMBuildLoad2(b, ct, acc, ""), c, dt));
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
