/* Generator kernels of the tensor group: Range, ConstantOfShape, EyeLike, Trilu, OneHot.
 *
 *   Range            out[i] = start + i * delta, start/delta read from their buffers (the
 *                    count is static); floats computed in f64 then rounded to the dtype,
 *                    integers in i64 then truncated (wrapping like the dtype).
 *   ConstantOfShape  fills with the `value` attribute's bytes (default f32 0): memset when
 *                    every byte is zero, else a store loop of the element's bit pattern.
 *   EyeLike          zero fill, then ones on the diagonal shifted by k (attribute); output
 *                    dtype from the `dtype` attribute or the input's.
 *   Trilu            keeps x[..., i, j] where j - i >= k (upper = 1, default) or
 *                    j - i <= k (upper = 0), zero elsewhere; k from input 1 at run time (0
 *                    when absent). Work items are the matrix rows.
 *   OneHot           out[o, d, i] = (wrap(idx[o, i]) == d) ? values[1] : values[0];
 *                    negative indices count from depth; indices out of [-depth, depth)
 *                    give an all-"off" row. Float indices are truncated toward zero.
 * Run-time shape inputs (the shape rule took the declared output shape; rt_shape.h): Range's
 * count max(ceil((limit - start) / delta), 0) is computed from the loaded scalars (floats:
 * the difference and quotient in the input's float type, as the ONNX reference; integers in
 * i64; delta 0 is invalid), ConstantOfShape's shape values and OneHot's depth (truncated
 * toward zero) are loaded; each must equal the compiled shape, else the kernel returns
 * OM_ART_CHECK_SHAPE_VALUE before writing anything. OneHot's values and Range's start/delta
 * are always read at run time.
 */
#include "codegen/kernels/tensor_common.h"
#include "codegen/kernels/rt_shape.h"

#include <string.h>

/* Range's element count from the run-time scalars, checked against the compiled count. */
static void check_range_count(om_cg_ctx *cx, om_dtype dt, int64_t count)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = om_cg_i64(cx, 0), v[3];
    for (int i = 0; i < 3; i++)
        v[i] = om_cg_load(cx, dt, om_cg_in(cx, i), zero);
    LLVMValueRef ok, c;
    if (om_dtype_is_float(dt)) {
        om_dtype ft = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
        for (int i = 0; i < 3; i++)
            v[i] = om_cg_convert(cx, v[i], dt, ft);
        LLVMValueRef q = LLVMBuildFDiv(b, LLVMBuildFSub(b, v[1], v[0], ""), v[2], "q");
        q = om_cg_convert(cx, q, ft, OM_DT_DOUBLE);
        ok = LLVMBuildFCmp(b, LLVMRealONE, v[2], om_cg_const(cx, ft, 0), "");
        /* ceil without libm: truncate (saturating), add 1 when below q; NaN and q <= 0 give 0 */
        LLVMTypeRef ty[2] = {cx->i64, cx->f64};
        unsigned id = LLVMLookupIntrinsicID("llvm.fptosi.sat", 15);
        LLVMValueRef t = LLVMBuildCall2(b, LLVMIntrinsicGetType(cx->llctx, id, ty, 2),
                                        LLVMGetIntrinsicDeclaration(cx->mod, id, ty, 2), &q, 1, "t");
        LLVMValueRef below = LLVMBuildFCmp(b, LLVMRealOLT, LLVMBuildSIToFP(b, t, cx->f64, ""), q, "");
        c = LLVMBuildAdd(b, t, LLVMBuildZExt(b, below, cx->i64, ""), "");
        LLVMValueRef pos = LLVMBuildFCmp(b, LLVMRealOGT, q, LLVMConstReal(cx->f64, 0), "");
        c = LLVMBuildSelect(b, pos, c, zero, "count");
    } else {
        for (int i = 0; i < 3; i++)
            v[i] = om_cg_convert(cx, v[i], dt, OM_DT_INT64);
        LLVMValueRef d = v[2], span = LLVMBuildSub(b, v[1], v[0], "span");
        ok = LLVMBuildICmp(b, LLVMIntNE, d, zero, "");
        LLVMValueRef dpos = LLVMBuildICmp(b, LLVMIntSGT, d, zero, "");
        /* ceil(span / d): (span + d - 1) / d for d > 0, (span + d + 1) / d for d < 0 */
        LLVMValueRef adj = LLVMBuildSelect(b, dpos, om_cg_i64(cx, -1), om_cg_i64(cx, 1), "");
        LLVMValueRef safe_d = LLVMBuildSelect(b, ok, d, om_cg_i64(cx, 1), "");
        LLVMValueRef q = LLVMBuildSDiv(b, LLVMBuildAdd(b, LLVMBuildAdd(b, span, d, ""), adj, ""), safe_d, "");
        LLVMValueRef some = LLVMBuildSelect(b, dpos, LLVMBuildICmp(b, LLVMIntSGT, span, zero, ""),
                                            LLVMBuildICmp(b, LLVMIntSLT, span, zero, ""), "");
        c = LLVMBuildSelect(b, some, q, zero, "count");
    }
    om_cg_rt_check(cx, om_cg_rt_and_eq(cx, ok, c, count < 0 ? 0 : count));
}

om_status om_cg_emit_range(om_cg_ctx *cx, const om_node *n)
{
    const om_value *S = om_node_input(n, 0), *D = om_node_input(n, 2), *Y = n->outputs[0];
    if (!S || !D || !om_node_input(n, 1))
        return om_cg_unsupported(cx, "inputs 0..2 are required");
    om_dtype dt = Y->dtype;
    if (S->dtype != dt || D->dtype != dt || !om_cg_type(cx, dt) || dt == OM_DT_BOOL || Y->shape.rank != 1)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(dt));
    int64_t count = Y->shape.dims[0];
    if (!om_cg_rt_is_const(S) || !om_cg_rt_is_const(om_node_input(n, 1)) || !om_cg_rt_is_const(D))
        check_range_count(cx, dt, count);
    if (count <= 0)
        return OM_OK;
    bool fl = om_dtype_is_float(dt);
    om_dtype cdt = fl ? OM_DT_DOUBLE : OM_DT_INT64;
    LLVMValueRef zero = om_cg_i64(cx, 0);
    LLVMValueRef s = om_cg_convert(cx, om_cg_load(cx, dt, om_cg_in(cx, 0), zero), dt, cdt);
    LLVMValueRef d = om_cg_convert(cx, om_cg_load(cx, dt, om_cg_in(cx, 2), zero), dt, cdt);
    LLVMValueRef py = om_cg_out(cx, 0);
    om_cg_loop l;
    LLVMValueRef i = om_cg_for_work(cx, &l, count, "i");
    LLVMValueRef v;
    if (fl) {
        LLVMValueRef fi = LLVMBuildSIToFP(cx->b, i, cx->f64, "");
        v = LLVMBuildFAdd(cx->b, s, LLVMBuildFMul(cx->b, fi, d, ""), "");
    } else {
        v = LLVMBuildAdd(cx->b, s, LLVMBuildMul(cx->b, i, d, ""), "");
    }
    om_cg_store(cx, dt, py, i, om_cg_convert(cx, v, cdt, dt));
    om_cg_for_end(cx, &l);
    return OM_OK;
}

om_status om_cg_emit_constant_of_shape(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    size_t es = om_dtype_size(dt);
    om_dtype mdt = om_cg_tensor_bits_dtype(es);
    if (mdt == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(dt));
    uint64_t bits = 0;
    const om_attr *a = om_node_attr(n, "value");
    if (a) {
        if (a->kind != OM_ATTR_TENSOR || !a->tensor || a->tensor->dtype != dt || a->tensor->nbytes != es ||
            !a->tensor->data)
            return om_cg_unsupported(cx, "attribute value must be one %s element", om_dtype_name(dt));
        memcpy(&bits, a->tensor->data, es); /* little-endian host and target */
    } else if (dt != OM_DT_FLOAT) {
        return om_cg_unsupported(cx, "without a value attribute the output must be f32");
    }
    int64_t total = om_shape_numel(&Y->shape);
    const om_value *S = om_node_input(n, 0);
    if (S && !om_cg_rt_is_const(S)) {
        om_status st = om_cg_rt_check_ints(cx, 0, Y->shape.dims, Y->shape.rank);
        if (st != OM_OK)
            return st;
    }
    if (total <= 0)
        return OM_OK;
    LLVMValueRef py = om_cg_out(cx, 0);
    if (bits == 0) {
        om_cg_tensor_zero(cx, py, total * (int64_t)es);
        return OM_OK;
    }
    LLVMValueRef c = LLVMConstInt(om_cg_type(cx, mdt), bits, 0);
    om_cg_loop l;
    LLVMValueRef i = om_cg_for_work(cx, &l, total, "i");
    om_cg_store(cx, mdt, py, i, c);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

om_status om_cg_emit_eye_like(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    if (!om_cg_type(cx, dt) || Y->shape.rank != 2)
        return om_cg_unsupported(cx, "dtype %s / rank %d not supported", om_dtype_name(dt), Y->shape.rank);
    int64_t R = Y->shape.dims[0], C = Y->shape.dims[1], k = om_node_int(n, "k", 0);
    if (R * C == 0)
        return OM_OK;
    LLVMValueRef py = om_cg_out(cx, 0);
    om_cg_tensor_zero(cx, py, R * C * (int64_t)om_dtype_size(dt));
    int64_t lo = k < 0 ? -k : 0, hi = C - k < R ? C - k : R;
    if (hi <= lo)
        return OM_OK;
    om_cg_loop l;
    LLVMValueRef i = om_cg_for(cx, &l, om_cg_i64(cx, lo), om_cg_i64(cx, hi), "i");
    om_cg_store(cx, dt, py, om_cg_mad(cx, i, C + 1, om_cg_i64(cx, k)), om_cg_const(cx, dt, 1));
    om_cg_for_end(cx, &l);
    return OM_OK;
}

om_status om_cg_emit_trilu(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *K = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype mdt = om_cg_tensor_bits_dtype(om_dtype_size(X->dtype));
    int r = X->shape.rank;
    if (mdt == OM_DT_UNDEFINED || Y->dtype != X->dtype || r < 2 || !om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "dtype %s / rank %d not supported", om_dtype_name(X->dtype), r);
    if (K && K->dtype != OM_DT_INT64)
        return om_cg_unsupported(cx, "k must be i64");
    int64_t N = X->shape.dims[r - 2], M = X->shape.dims[r - 1], total = om_shape_numel(&X->shape);
    if (total == 0)
        return OM_OK;
    bool upper = om_node_int(n, "upper", 1) != 0;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef k = K ? om_cg_load(cx, OM_DT_INT64, om_cg_in(cx, 1), om_cg_i64(cx, 0)) : om_cg_i64(cx, 0);
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), zero = LLVMConstNull(om_cg_type(cx, mdt));
    om_cg_loop lr, lj;
    LLVMValueRef w = om_cg_for_work(cx, &lr, total / M, "row");
    LLVMValueRef i = N == 1 ? om_cg_i64(cx, 0) : LLVMBuildURem(b, w, om_cg_i64(cx, N), "i");
    LLVMValueRef base = om_cg_mul(cx, w, om_cg_i64(cx, M));
    /* keep when j - i >= k (upper) / j - i <= k (lower), i.e. j >= i + k / j <= i + k */
    LLVMValueRef edge = LLVMBuildAdd(b, i, k, "edge");
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, M), "j");
    LLVMValueRef keep = LLVMBuildICmp(b, upper ? LLVMIntSGE : LLVMIntSLE, j, edge, "");
    LLVMValueRef idx = om_cg_add(cx, base, j);
    LLVMValueRef x = om_cg_load(cx, mdt, px, idx);
    om_cg_store(cx, mdt, py, idx, LLVMBuildSelect(b, keep, x, zero, ""));
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &lr);
    return OM_OK;
}

om_status om_cg_emit_one_hot(om_cg_ctx *cx, const om_node *n)
{
    const om_value *I = om_node_input(n, 0), *V = om_node_input(n, 2), *Y = n->outputs[0];
    if (!I || !V || !om_node_input(n, 1))
        return om_cg_unsupported(cx, "inputs 0..2 are required");
    om_dtype mdt = om_cg_tensor_bits_dtype(om_dtype_size(V->dtype));
    if (mdt == OM_DT_UNDEFINED || Y->dtype != V->dtype || !om_cg_type(cx, I->dtype) || I->dtype == OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtypes %s / %s not supported", om_dtype_name(I->dtype), om_dtype_name(V->dtype));
    int ro = Y->shape.rank;
    if (ro != I->shape.rank + 1)
        return om_cg_unsupported(cx, "output rank %d, indices rank %d", ro, I->shape.rank);
    int64_t a = om_node_int(n, "axis", -1);
    if (a < 0)
        a += ro;
    if (a < 0 || a >= ro)
        return om_cg_unsupported(cx, "axis %lld out of range", (long long)om_node_int(n, "axis", -1));
    int64_t depth = Y->shape.dims[a], outer = 1, inner = 1;
    for (int i = 0; i < ro; i++) {
        if (i < a)
            outer *= Y->shape.dims[i];
        else if (i > a)
            inner *= Y->shape.dims[i];
    }
    if (!om_cg_rt_is_const(om_node_input(n, 1))) {
        LLVMValueRef dv = om_cg_rt_int(cx, 1, 0);
        if (!dv || om_shape_numel(&om_node_input(n, 1)->shape) != 1)
            return om_cg_unsupported(cx, "input 1 (depth) must be one number");
        om_cg_rt_check(cx, om_cg_rt_and_eq(cx, NULL, dv, depth));
    }
    if (outer * depth * inner == 0)
        return OM_OK;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = om_cg_i64(cx, 0);
    LLVMValueRef pv = om_cg_in(cx, 2), pi = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef off = om_cg_load(cx, mdt, pv, zero), on = om_cg_load(cx, mdt, pv, om_cg_i64(cx, 1));
    om_cg_loop lo, ld, li;
    LLVMValueRef o = om_cg_for_work(cx, &lo, outer, "o");
    LLVMValueRef d = om_cg_for(cx, &ld, zero, om_cg_i64(cx, depth), "d");
    LLVMValueRef i = om_cg_for(cx, &li, zero, om_cg_i64(cx, inner), "i");
    LLVMValueRef raw = om_cg_load(cx, I->dtype, pi, om_cg_mad(cx, o, inner, i));
    LLVMValueRef idx = om_cg_tensor_wrap(cx, om_cg_convert(cx, raw, I->dtype, OM_DT_INT64), depth);
    LLVMValueRef hit = LLVMBuildICmp(b, LLVMIntEQ, idx, d, "");
    LLVMValueRef yo = om_cg_mad(cx, om_cg_mad(cx, o, depth, d), inner, i);
    om_cg_store(cx, mdt, py, yo, LLVMBuildSelect(b, hit, on, off, ""));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &ld);
    om_cg_for_end(cx, &lo);
    return OM_OK;
}
