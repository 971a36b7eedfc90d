/* TfIdfVectorizer over integer tokens (int32/int64 X of [C] or [B, C]) with the n-gram pool
 * of pool_int64s (ngram_counts[k] is where the (k+1)-grams start; ngram_indexes maps the
 * pool's n-grams, in pool order, to output columns). Counting follows onnxruntime: for
 * each skip distance d = 1 .. max_skip_count + 1 and each start s, the n-gram
 * x[s], x[s+d], ..., x[s+(n-1)d] of every length n in [min_gram_length, max_gram_length]
 * that fits in the row is looked up in the pool; unigrams are counted only for d = 1
 * (afterwards the smallest length becomes 2). Then per output column i:
 *   TF count; IDF count > 0 ? weights[i] : 0 (1 without weights); TFIDF count * weights[i].
 * The pool and index tables are constant globals; per (d, n) the kernel loops over starts
 * and the pool's n-grams of length n, comparing the n tokens (unrolled). One work item per
 * row. Output float.
 */
#include <stdlib.h>
#include <string.h>

#include "codegen/kernels/seq_util.h"

om_status om_cg_emit_tfidf(om_cg_ctx *cx, const om_node *n)
{
    LLVMBuilderRef b = cx->b;
    const om_value *x = n->inputs[0], *y = n->outputs[0];
    om_dtype xdt = x->dtype;
    if ((xdt != OM_DT_INT32 && xdt != OM_DT_INT64) || !om_shape_is_static(&x->shape) || y->dtype != OM_DT_FLOAT)
        return om_cg_unsupported(cx, "input must be a static int32/int64 tensor");
    int r = x->shape.rank;
    int64_t rows = r == 2 ? x->shape.dims[0] : 1, C = x->shape.dims[r - 1], W = y->shape.dims[r - 1];
    const int64_t *counts, *idx, *pool;
    int nc = om_node_ints(n, "ngram_counts", &counts), ni = om_node_ints(n, "ngram_indexes", &idx);
    int np = om_node_ints(n, "pool_int64s", &pool);
    int64_t mn = om_node_int(n, "min_gram_length", 1), mx = om_node_int(n, "max_gram_length", 1);
    int64_t skip = om_node_int(n, "max_skip_count", 0);
    const char *mode = om_node_string(n, "mode", "TF");
    const om_attr *wa = om_node_attr(n, "weights");
    if (nc < 0 || ni < 0 || np < 0 || mn < 1 || mx < mn)
        return om_cg_unsupported(cx, "invalid n-gram attributes");
    if (rows == 0 || W == 0)
        return OM_OK;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef pool_t = np > 0 ? om_cg_const_table(cx, OM_DT_INT64, NULL, pool, np, "pool") : NULL;
    LLVMValueRef idx_t = ni > 0 ? om_cg_const_table(cx, OM_DT_INT64, NULL, idx, ni, "ngidx") : NULL;
    if ((np > 0 && !pool_t) || (ni > 0 && !idx_t))
        return om_error(OM_ERR_NO_MEMORY, "TfIdfVectorizer: out of memory");
    LLVMValueRef zero = om_cg_i64(cx, 0), one_f = om_cg_f32(cx, 1.0f);
    om_cg_loop lw, l1, l2;
    LLVMValueRef row = om_cg_for_work(cx, &lw, rows, "row");
    LLVMValueRef xb = om_cg_mul(cx, row, om_cg_i64(cx, C)), yb = om_cg_mul(cx, row, om_cg_i64(cx, W));
    LLVMValueRef i = om_cg_for(cx, &l1, zero, om_cg_i64(cx, W), "i");
    om_cg_store(cx, OM_DT_FLOAT, py, om_cg_add(cx, yb, i), om_cg_f32(cx, 0.0f));
    om_cg_for_end(cx, &l1);
    int64_t start_n = mn;
    for (int64_t d = 1; d <= skip + 1; d++) {
        if (start_n >= 2 && (start_n - 1) * d >= C)
            break; /* no n-gram of the remaining lengths fits at this distance or beyond */
        for (int64_t len = start_n; len <= mx && len <= nc; len++) {
            int64_t pb = counts[len - 1], pe = len < nc ? counts[len] : np;
            int64_t ng = (pe - pb) / len, gbase = 0; /* first gram index of this length */
            for (int64_t m = 1; m < len; m++)
                gbase += ((m < nc ? counts[m] : np) - counts[m - 1]) / m;
            if (ng <= 0 || (len - 1) * d >= C)
                continue;
            LLVMValueRef s = om_cg_for(cx, &l1, zero, om_cg_i64(cx, C - (len - 1) * d), "s");
            LLVMValueRef tok[64];
            for (int64_t e = 0; e < len && e < 64; e++)
                tok[e] = om_cg_convert(cx, om_cg_load(cx, xdt, px, om_cg_add(cx, xb, om_cg_add(cx, s, om_cg_i64(cx, e * d)))),
                                       xdt, OM_DT_INT64);
            LLVMValueRef g = om_cg_for(cx, &l2, zero, om_cg_i64(cx, ng), "g");
            LLVMValueRef pg = om_cg_mad(cx, g, len, om_cg_i64(cx, pb));
            LLVMValueRef match = NULL;
            for (int64_t e = 0; e < len && e < 64; e++) {
                LLVMValueRef pv = om_cg_load(cx, OM_DT_INT64, pool_t, om_cg_add(cx, pg, om_cg_i64(cx, e)));
                LLVMValueRef eq = LLVMBuildICmp(b, LLVMIntEQ, tok[e], pv, "");
                match = match ? LLVMBuildAnd(b, match, eq, "") : eq;
            }
            LLVMValueRef col = om_cg_load(cx, OM_DT_INT64, idx_t, om_cg_add(cx, g, om_cg_i64(cx, gbase)));
            LLVMValueRef at = om_cg_add(cx, yb, col);
            LLVMValueRef cur = om_cg_load(cx, OM_DT_FLOAT, py, at);
            om_cg_store(cx, OM_DT_FLOAT, py, at, LLVMBuildSelect(b, match, LLVMBuildFAdd(b, cur, one_f, ""), cur, ""));
            om_cg_for_end(cx, &l2);
            om_cg_for_end(cx, &l1);
        }
        if (start_n == 1) {
            start_n = 2;
            if (start_n > mx)
                break;
        }
    }
    bool idf = !strcmp(mode, "IDF"), tfidf = !strcmp(mode, "TFIDF");
    bool has_w = wa && wa->kind == OM_ATTR_FLOATS && wa->count > 0;
    if (idf || (tfidf && has_w)) {
        LLVMValueRef wt = NULL;
        int64_t nw = has_w ? (wa->count < W ? wa->count : W) : 0;
        if (has_w) {
            double *wv = malloc(sizeof *wv * (size_t)W);
            if (!wv)
                return om_error(OM_ERR_NO_MEMORY, "TfIdfVectorizer: out of memory");
            for (int64_t k = 0; k < W; k++)
                wv[k] = k < nw ? wa->floats[k] : (idf ? 1.0 : 1.0);
            wt = om_cg_const_table(cx, OM_DT_FLOAT, wv, NULL, W, "w");
            free(wv);
            if (!wt)
                return om_error(OM_ERR_NO_MEMORY, "TfIdfVectorizer: out of memory");
        }
        i = om_cg_for(cx, &l1, zero, om_cg_i64(cx, W), "i");
        LLVMValueRef at = om_cg_add(cx, yb, i);
        LLVMValueRef cnt = om_cg_load(cx, OM_DT_FLOAT, py, at);
        LLVMValueRef wv = wt ? om_cg_load(cx, OM_DT_FLOAT, wt, i) : one_f;
        LLVMValueRef v = idf ? LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, cnt, om_cg_f32(cx, 0.0f), ""), wv,
                                               om_cg_f32(cx, 0.0f), "")
                             : LLVMBuildFMul(b, cnt, wv, "");
        om_cg_store(cx, OM_DT_FLOAT, py, at, v);
        om_cg_for_end(cx, &l1);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
