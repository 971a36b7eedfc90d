/* See window.h. Pure IR builders (no globals, no state); the attribute reader only reads
 * the node. */
#include "codegen/kernels/window.h"

LLVMValueRef om_cg_win_smax(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSGT, a, b, ""), a, b, "");
}

LLVMValueRef om_cg_win_smin(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSLT, a, b, ""), a, b, "");
}

LLVMValueRef om_cg_win_ceil_div0(om_cg_ctx *cx, LLVMValueRef num, int64_t den)
{
    LLVMValueRef q = num;
    if (den != 1)
        q = LLVMBuildSDiv(cx->b, om_cg_add(cx, num, om_cg_i64(cx, den - 1)), om_cg_i64(cx, den), "");
    return om_cg_win_smax(cx, q, om_cg_i64(cx, 0));
}

void om_cg_win_krange(om_cg_ctx *cx, LLVMValueRef base, int64_t lb, int64_t ub, int64_t K, int64_t D,
                      LLVMValueRef *lo, LLVMValueRef *hi)
{
    LLVMValueRef neg = LLVMBuildNSWSub(cx->b, om_cg_i64(cx, 0), base, "");
    *lo = om_cg_win_ceil_div0(cx, om_cg_add(cx, neg, om_cg_i64(cx, lb)), D);
    *hi = om_cg_win_smin(cx, om_cg_i64(cx, K), om_cg_win_ceil_div0(cx, om_cg_add(cx, neg, om_cg_i64(cx, ub)), D));
}

void om_cg_win_orange(om_cg_ctx *cx, LLVMValueRef off, int64_t S, int64_t I, LLVMValueRef s0,
                      LLVMValueRef s1, LLVMValueRef *olo, LLVMValueRef *ohi)
{
    LLVMValueRef neg_off = LLVMBuildNSWSub(cx->b, om_cg_i64(cx, 0), off, "");
    *olo = om_cg_win_smax(cx, s0, om_cg_win_ceil_div0(cx, neg_off, S));
    *ohi = om_cg_win_smin(cx, s1, om_cg_win_ceil_div0(cx, om_cg_add(cx, neg_off, om_cg_i64(cx, I)), S));
}

void om_cg_win_interior(om_cg_ctx *cx, int64_t K, int64_t S, int64_t D, int64_t P, int64_t I,
                        LLVMValueRef j0, LLVMValueRef jend, LLVMValueRef *ilo, LLVMValueRef *ihi)
{
    /* o is interior when 0 <= o*S - P and o*S - P + (K-1)*D < I */
    int64_t ilo_c = (P + S - 1) / S;
    int64_t num = I + P - (K - 1) * D;
    int64_t ihi_c = num <= 0 ? 0 : (num + S - 1) / S;
    if (ihi_c < ilo_c)
        ihi_c = ilo_c;
    *ilo = om_cg_win_smin(cx, om_cg_win_smax(cx, om_cg_i64(cx, ilo_c), j0), jend);
    *ihi = om_cg_win_smin(cx, om_cg_win_smax(cx, om_cg_i64(cx, ihi_c), *ilo), jend);
}

om_status om_cg_win_ints(const om_node *n, const char *name, int count, int64_t dflt, int64_t minv,
                         int64_t *out)
{
    const int64_t *v = NULL;
    int c = om_node_ints(n, name, &v);
    for (int i = 0; i < count; i++)
        out[i] = dflt;
    if (c < 0)
        return OM_OK;
    if (c != count)
        return om_error(OM_ERR_INVALID_MODEL, "node '%s' (%s): attribute %s has %d values, expected %d",
                        n->name ? n->name : "", om_op_name(n->op), name, c, count);
    for (int i = 0; i < count; i++) {
        if (v[i] < minv || v[i] > INT32_MAX)
            return om_error(OM_ERR_INVALID_MODEL,
                            "node '%s' (%s): attribute %s[%d] = %lld, expected %lld..2^31-1",
                            n->name ? n->name : "", om_op_name(n->op), name, i, (long long)v[i],
                            (long long)minv);
        out[i] = v[i];
    }
    return OM_OK;
}
