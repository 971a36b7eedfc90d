/* The softmax family along `axis` (default -1; negative counts from the end):
 *   Softmax     y = exp(x - max) / sum(exp(x - max))
 *   LogSoftmax  y = x - max - log(sum(exp(x - max)))
 *   Hardmax     y = 1 at the first position of the maximum, 0 elsewhere
 * all max-subtracted, so large inputs do not overflow.
 *
 * The tensor is viewed as [outer, N, inner] with N = dims[axis] (or, with the attribute
 * coerce_2d=1 that the frontend sets for opset < 13, N = product of dims[axis..] and
 * inner = 1). Per row three passes: (1) max (Hardmax: max and its first index); (2) Softmax:
 * exp(x - max) stored into y while summing, LogSoftmax: the sum only, Hardmax: the one-hot
 * stores (done); (3) Softmax: scale by 1/sum, LogSoftmax: y = x - (max + log(sum)).
 *   inner == 1: the work loop runs over the outer rows; each pass is a contiguous loop.
 *   inner  > 1: the work loop runs over (outer, block of up to BLOCK inner positions);
 *               the running max and sum (Hardmax: index) of the block live in stack
 *               arrays, and every pass loops k over N outside and the block's contiguous
 *               positions inside, so the inner loops vectorize.
 * dtypes: f32; f16/bf16 in f32; f64 with the f32 exp/log (f32 accuracy).
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_math.h"

#define BLOCK 256

typedef enum sm_kind { SM_SOFTMAX, SM_LOG, SM_HARD } sm_kind;

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

/* exp / log in the compute type (f64 goes through the f32 polynomials) */
static LLVMValueRef exp_c(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef d)
{
    return om_cg_convert(cx, om_cg_exp_f32(cx, om_cg_convert(cx, d, cdt, OM_DT_FLOAT)), OM_DT_FLOAT, cdt);
}

static LLVMValueRef log_c(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef d)
{
    return om_cg_convert(cx, om_cg_log_f32(cx, om_cg_convert(cx, d, cdt, OM_DT_FLOAT)), OM_DT_FLOAT, cdt);
}

/* Hardmax's update: the first maximum wins (strictly greater replaces). */
static void hard_update(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef mx_slot, LLVMValueRef ix_slot,
                        LLVMValueRef x, LLVMValueRef k)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMValueRef m = LLVMBuildLoad2(b, ct, mx_slot, "");
    LLVMValueRef gt = LLVMBuildFCmp(b, LLVMRealOGT, x, m, "");
    LLVMBuildStore(b, LLVMBuildSelect(b, gt, x, m, ""), mx_slot);
    LLVMBuildStore(b, LLVMBuildSelect(b, gt, k, LLVMBuildLoad2(b, cx->i64, ix_slot, ""), ""), ix_slot);
}

static LLVMValueRef slot(om_cg_ctx *cx, LLVMTypeRef t, LLVMValueRef arr, LLVMValueRef i)
{
    LLVMValueRef idx[2] = {om_cg_i64(cx, 0), i};
    return LLVMBuildInBoundsGEP2(cx->b, t, arr, idx, 2, "");
}

static om_status emit_blocked(om_cg_ctx *cx, sm_kind kind, om_dtype dt, om_dtype cdt, int64_t outer, int64_t len,
                              int64_t inner)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMTypeRef at = LLVMArrayType2(ct, (uint64_t)bs), it = LLVMArrayType2(cx->i64, (uint64_t)bs);
    LLVMValueRef mx = om_cg_alloca(cx, at, "max");
    LLVMValueRef sm = om_cg_alloca(cx, at, "sum");
    LLVMValueRef ix = kind == SM_HARD ? om_cg_alloca(cx, it, "arg") : NULL;
    LLVMValueRef zero = om_cg_i64(cx, 0);

    om_cg_loop lw, lk, li;
    LLVMValueRef w = om_cg_for_work(cx, &lw, outer * nb, "w");
    LLVMValueRef o = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        o = LLVMBuildSDiv(b, w, om_cg_i64(cx, nb), "o");
        i0 = om_cg_mul(cx, LLVMBuildSRem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef base = om_cg_mad(cx, o, len * inner, i0);   /* element (o, 0, i0) */

    /* pass 1: max[i] = max over k of x[base + k*inner + i] (Hardmax: and its index); sum[i] = 0 */
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    om_cg_store(cx, cdt, mx, i, LLVMConstReal(ct, -__builtin_inf()));
    om_cg_store(cx, cdt, sm, i, LLVMConstReal(ct, 0));
    if (ix)
        om_cg_store(cx, OM_DT_INT64, ix, i, zero);
    om_cg_for_end(cx, &li);
    LLVMValueRef k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    LLVMValueRef rowb = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef x = load_c(cx, dt, cdt, px, om_cg_add(cx, rowb, i));
    if (kind == SM_HARD)
        hard_update(cx, cdt, slot(cx, at, mx, i), slot(cx, it, ix, i), x, k);
    else
        om_cg_store(cx, cdt, mx, i, om_cg_max(cx, cdt, om_cg_load(cx, cdt, mx, i), x));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    /* pass 2: Softmax y = exp(x - max), sum += y; LogSoftmax sum only; Hardmax the one-hot */
    k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
    rowb = om_cg_mad(cx, k, inner, base);
    i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef idx = om_cg_add(cx, rowb, i);
    if (kind == SM_HARD) {
        LLVMValueRef hit = LLVMBuildICmp(b, LLVMIntEQ, om_cg_load(cx, OM_DT_INT64, ix, i), k, "");
        LLVMValueRef y = LLVMBuildSelect(b, hit, LLVMConstReal(ct, 1.0), LLVMConstReal(ct, 0.0), "");
        om_cg_store(cx, dt, py, idx, om_cg_convert(cx, y, cdt, dt));
    } else {
        x = load_c(cx, dt, cdt, px, idx);
        LLVMValueRef e = exp_c(cx, cdt, LLVMBuildFSub(b, x, om_cg_load(cx, cdt, mx, i), ""));
        if (kind == SM_SOFTMAX)
            om_cg_store(cx, dt, py, idx, om_cg_convert(cx, e, cdt, dt));
        om_cg_store(cx, cdt, sm, i, LLVMBuildFAdd(b, om_cg_load(cx, cdt, sm, i), e, ""));
    }
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lk);
    if (kind != SM_HARD) {
        /* pass 3: Softmax sum = 1/sum, y *= sum; LogSoftmax sum = max + log(sum), y = x - sum */
        i = om_cg_for(cx, &li, zero, cnt, "i");
        LLVMValueRef s = om_cg_load(cx, cdt, sm, i);
        s = kind == SM_SOFTMAX ? LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), s, "")
                               : LLVMBuildFAdd(b, om_cg_load(cx, cdt, mx, i), log_c(cx, cdt, s), "");
        om_cg_store(cx, cdt, sm, i, s);
        om_cg_for_end(cx, &li);
        k = om_cg_for(cx, &lk, zero, om_cg_i64(cx, len), "k");
        rowb = om_cg_mad(cx, k, inner, base);
        i = om_cg_for(cx, &li, zero, cnt, "i");
        idx = om_cg_add(cx, rowb, i);
        LLVMValueRef y;
        if (kind == SM_SOFTMAX) {
            y = load_c(cx, dt, cdt, py, idx);
            y = LLVMBuildFMul(b, y, om_cg_load(cx, cdt, sm, i), "");
        } else {
            x = load_c(cx, dt, cdt, px, idx);
            y = LLVMBuildFSub(b, x, om_cg_load(cx, cdt, sm, i), "");
        }
        om_cg_store(cx, dt, py, idx, om_cg_convert(cx, y, cdt, dt));
        om_cg_for_end(cx, &li);
        om_cg_for_end(cx, &lk);
    }
    om_cg_for_end(cx, &lw);
    return OM_OK;
}

static om_status emit_rows(om_cg_ctx *cx, sm_kind kind, om_dtype dt, om_dtype cdt, int64_t outer, int64_t len)
{
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc");
    LLVMValueRef arg = kind == SM_HARD ? om_cg_alloca(cx, cx->i64, "arg") : NULL;
    LLVMValueRef zero = om_cg_i64(cx, 0), n = om_cg_i64(cx, len);

    om_cg_loop lr, l1, l2, l3;
    LLVMValueRef row = om_cg_for_work(cx, &lr, outer, "row");
    LLVMValueRef base = om_cg_mul(cx, row, n);
    /* pass 1: max (Hardmax: and its first index) */
    LLVMBuildStore(b, LLVMConstReal(ct, -__builtin_inf()), acc);
    if (arg)
        LLVMBuildStore(b, zero, arg);
    LLVMValueRef k = om_cg_for(cx, &l1, zero, n, "k");
    LLVMValueRef idx = om_cg_add(cx, base, k);
    LLVMValueRef x = load_c(cx, dt, cdt, px, idx);
    if (kind == SM_HARD) {
        hard_update(cx, cdt, acc, arg, x, k);
    } else {
        /* llvm.maxnum with no-NaNs flags is a max reduction LLVM vectorizes (lowered to
         * max instructions on every target). The max only shifts the exponent: a NaN in
         * the row makes pass 2's sum, hence every output, NaN whatever the max is. */
        LLVMValueRef ops[2] = {LLVMBuildLoad2(b, ct, acc, ""), x};
        LLVMValueRef m = om_cg_intrinsic(cx, "llvm.maxnum", ops, 2);
        LLVMSetFastMathFlags(m, LLVMFastMathNoNaNs | LLVMFastMathNoSignedZeros);
        LLVMBuildStore(b, m, acc);
    }
    om_cg_for_end(cx, &l1);
    if (kind == SM_HARD) {
        /* pass 2: one-hot at the index */
        LLVMValueRef at = LLVMBuildLoad2(b, cx->i64, arg, "arg");
        k = om_cg_for(cx, &l2, zero, n, "k");
        LLVMValueRef hit = LLVMBuildICmp(b, LLVMIntEQ, k, at, "");
        LLVMValueRef y = LLVMBuildSelect(b, hit, LLVMConstReal(ct, 1.0), LLVMConstReal(ct, 0.0), "");
        om_cg_store(cx, dt, py, om_cg_add(cx, base, k), om_cg_convert(cx, y, cdt, dt));
        om_cg_for_end(cx, &l2);
        om_cg_for_end(cx, &lr);
        return OM_OK;
    }
    LLVMValueRef mx = LLVMBuildLoad2(b, ct, acc, "max");
    /* pass 2: e = exp(x - max) (Softmax: into y), sum */
    LLVMBuildStore(b, LLVMConstReal(ct, 0), acc);
    k = om_cg_for(cx, &l2, zero, n, "k");
    idx = om_cg_add(cx, base, k);
    x = load_c(cx, dt, cdt, px, idx);
    LLVMValueRef e = exp_c(cx, cdt, LLVMBuildFSub(b, x, mx, ""));
    LLVMValueRef sum = LLVMBuildFAdd(b, LLVMBuildLoad2(b, ct, acc, ""), e, "");
    LLVMSetFastMathFlags(sum, LLVMFastMathAllowReassoc);   /* lets LLVM vectorize the sum */
    LLVMBuildStore(b, sum, acc);
    if (kind == SM_SOFTMAX)
        om_cg_store(cx, dt, py, idx, om_cg_convert(cx, e, cdt, dt));
    om_cg_for_end(cx, &l2);
    LLVMValueRef s = LLVMBuildLoad2(b, ct, acc, "");
    LLVMValueRef c = kind == SM_SOFTMAX ? LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), s, "inv")
                                        : LLVMBuildFAdd(b, mx, log_c(cx, cdt, s), "lse");
    /* pass 3: Softmax y *= 1/sum; LogSoftmax y = x - lse */
    k = om_cg_for(cx, &l3, zero, n, "k");
    idx = om_cg_add(cx, base, k);
    LLVMValueRef y;
    if (kind == SM_SOFTMAX) {
        y = load_c(cx, dt, cdt, py, idx);
        y = LLVMBuildFMul(b, y, c, "");
    } else {
        x = load_c(cx, dt, cdt, px, idx);
        y = LLVMBuildFSub(b, x, c, "");
    }
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, y, cdt, dt));
    om_cg_for_end(cx, &l3);
    om_cg_for_end(cx, &lr);
    return OM_OK;
}

om_status om_cg_emit_softmax(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    sm_kind kind;
    switch (n->op) {
    case OM_OP_SOFTMAX: kind = SM_SOFTMAX; break;
    case OM_OP_LOG_SOFTMAX: kind = SM_LOG; break;
    case OM_OP_HARDMAX: kind = SM_HARD; break;
    default: return om_cg_unsupported(cx, "not an op of the softmax family");
    }
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (!om_dtype_is_float(dt) || X->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(X->dtype));
    if (!om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "output shape differs from the input's");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", -1);
    int64_t a = axis < 0 ? axis + r : axis;
    if (r == 0 ? (a != 0 && a != -1) : (a < 0 || a >= r))
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)axis, r);
    bool coerce = om_node_int(n, "coerce_2d", 0) != 0;
    int64_t outer = 1, len = 1, inner = 1;
    for (int i = 0; i < r; i++) {
        int64_t d = X->shape.dims[i];
        if (i < a)
            outer *= d;
        else if (i == a || coerce)
            len *= d;
        else
            inner *= d;
    }
    if (outer * inner == 0 || len == 0)
        return OM_OK;
    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    if (inner > 1)
        return emit_blocked(cx, kind, dt, cdt, outer, len, inner);
    return emit_rows(cx, kind, dt, cdt, outer, len);
}
