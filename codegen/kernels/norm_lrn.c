/* LRN (local response normalization across channels):
 *   y[n,c,s] = x[n,c,s] / (bias + alpha / size * sum_{c' in window(c)} x[n,c',s]^2) ^ beta
 * window(c) = [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C).
 *
 * X is viewed as [N, C, S] (S = product of the spatial dims). The parallel work loop runs
 * over the N*C planes; the inner loop over the plane's S contiguous positions. For
 * size <= MAX_UNROLL the window is unrolled at compile time: each tap's row address is
 * clamped into the tensor and its contribution multiplied by a 0/1 factor computed per
 * plane, so the inner loop has no branches and vectorizes; a larger window is a runtime
 * loop over the clipped channel range. The power uses sqrt for beta in {0.5, 0.75, 1}
 * (the common ones) and exp(-beta * log(t)) otherwise (math.c / math_ext.c polynomials;
 * f32 accuracy). dtypes: f32, f64; f16/bf16 computed in f32.
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_math.h"

#define MAX_UNROLL 32

/* t^-beta in the compute type cdt */
static LLVMValueRef pow_neg(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef t, double beta)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMValueRef one = LLVMConstReal(ct, 1.0);
    if (beta == 0.0)
        return one;
    if (beta == 1.0)
        return LLVMBuildFDiv(b, one, t, "");
    LLVMValueRef s = om_cg_intrinsic(cx, "llvm.sqrt", &t, 1);
    if (beta == 0.5)
        return LLVMBuildFDiv(b, one, s, "");
    if (beta == 0.75) {
        LLVMValueRef q = om_cg_intrinsic(cx, "llvm.sqrt", &s, 1);
        return LLVMBuildFDiv(b, one, LLVMBuildFMul(b, s, q, ""), "");
    }
    LLVMValueRef tf = om_cg_convert(cx, t, cdt, OM_DT_FLOAT);
    LLVMValueRef l = LLVMBuildFMul(b, om_cg_log_f32(cx, tf), om_cg_f32(cx, (float)-beta), "");
    return om_cg_convert(cx, om_cg_exp_f32(cx, l), OM_DT_FLOAT, cdt);
}

om_status om_cg_emit_lrn(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    if (!om_dtype_is_float(dt) || Y->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_equal(&X->shape, &Y->shape) || X->shape.rank < 2 || !om_shape_is_static(&X->shape))
        return om_cg_unsupported(cx, "expected a static input of rank >= 2 and an output of its shape");
    int64_t size = om_node_int(n, "size", 0);
    if (size < 1)
        return om_cg_unsupported(cx, "attribute size=%lld, expected >= 1", (long long)size);
    double alpha = om_node_float(n, "alpha", 1e-4f), beta = om_node_float(n, "beta", 0.75f);
    double bias = om_node_float(n, "bias", 1.0f);
    int64_t N = X->shape.dims[0], C = X->shape.dims[1], S = 1;
    for (int i = 2; i < X->shape.rank; i++)
        S *= X->shape.dims[i];
    if (N * C * S == 0)
        return OM_OK;
    int64_t lo = (size - 1) / 2, hi = size - 1 - lo;

    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef zero = om_cg_i64(cx, 0), cS = om_cg_i64(cx, S);
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");

    om_cg_loop lp, ls, lw;
    LLVMValueRef plane = om_cg_for_work(cx, &lp, N * C, "plane");
    LLVMValueRef c = LLVMBuildSRem(b, plane, om_cg_i64(cx, C), "c");
    LLVMValueRef c0 = LLVMBuildSub(b, plane, c, "");    /* plane of channel 0 */
    LLVMValueRef base = om_cg_mul(cx, plane, cS);
    LLVMValueRef taps = size <= MAX_UNROLL ? NULL : zero;
    LLVMValueRef rows[MAX_UNROLL], fac[MAX_UNROLL];
    LLVMValueRef wlo = NULL, whi = NULL;
    if (!taps) {
        for (int64_t d = -lo; d <= hi; d++) {
            LLVMValueRef cc = om_cg_add(cx, c, om_cg_i64(cx, d));
            LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, cc, zero, ""),
                                           LLVMBuildICmp(b, LLVMIntSLT, cc, om_cg_i64(cx, C), ""), "");
            LLVMValueRef ccl = LLVMBuildSelect(b, ok, cc, c, "");
            rows[d + lo] = om_cg_mul(cx, om_cg_add(cx, c0, ccl), cS);
            fac[d + lo] = LLVMBuildSelect(b, ok, LLVMConstReal(ct, 1.0), LLVMConstReal(ct, 0.0), "");
        }
    } else {
        wlo = om_cg_add(cx, c, om_cg_i64(cx, -lo));
        wlo = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, wlo, zero, ""), zero, wlo, "wlo");
        whi = om_cg_add(cx, c, om_cg_i64(cx, hi + 1));
        whi = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, whi, om_cg_i64(cx, C), ""), om_cg_i64(cx, C), whi, "whi");
    }
    LLVMValueRef s = om_cg_for(cx, &ls, zero, cS, "s");
    LLVMValueRef sum;
    if (!taps) {
        sum = LLVMConstReal(ct, 0.0);
        for (int64_t t = 0; t < hi + lo + 1; t++) {
            LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, rows[t], s)), dt, cdt);
            sum = LLVMBuildFAdd(b, sum, LLVMBuildFMul(b, LLVMBuildFMul(b, v, v, ""), fac[t], ""), "");
        }
    } else {
        LLVMBuildStore(b, LLVMConstReal(ct, 0.0), acc);
        LLVMValueRef cc = om_cg_for(cx, &lw, wlo, whi, "cc");
        LLVMValueRef idx = om_cg_add(cx, om_cg_mul(cx, om_cg_add(cx, c0, cc), cS), s);
        LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
        LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, ct, acc, ""), LLVMBuildFMul(b, v, v, ""), ""), acc);
        om_cg_for_end(cx, &lw);
        sum = LLVMBuildLoad2(b, ct, acc, "");
    }
    LLVMValueRef t = LLVMBuildFAdd(b, LLVMConstReal(ct, bias), LLVMBuildFMul(b, sum, LLVMConstReal(ct, alpha / (double)size), ""), "");
    LLVMValueRef idx = om_cg_add(cx, base, s);
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, LLVMBuildFMul(b, x, pow_neg(cx, cdt, t, beta), ""), cdt, dt));
    om_cg_for_end(cx, &ls);
    om_cg_for_end(cx, &lp);
    return OM_OK;
}
