/* Det: determinants of X [..., M, M] (output [...]) by LU decomposition with partial
 * pivoting.
 *
 * Work items = matrices. Each matrix is copied into a stack array in the compute type
 * (f64 for every float dtype: a few more cycles for much less rounding) and eliminated in
 * place: per column c, the row with the largest |a[r][c]| (r >= c; first on ties) is
 * swapped up (flipping the sign), det *= pivot, and the rows below subtract multiples of
 * row c. A zero pivot makes the multipliers 0 (no division by zero), so det stays 0.
 * Without branches: the swap of a row with itself is harmless, selects do the rest.
 * M is limited to MAX_M (the stack array is M*M doubles). dtypes: f32, f64, f16, bf16.
 */
#include "codegen/cg_internal.h"

#define MAX_M 64

om_status om_cg_emit_det(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    if (!om_dtype_is_float(dt) || Y->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (!om_shape_is_static(&X->shape) || !om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    int r = X->shape.rank;
    if (r < 2 || X->shape.dims[r - 1] != X->shape.dims[r - 2])
        return om_cg_unsupported(cx, "input must be [..., M, M]");
    int64_t m = X->shape.dims[r - 1], batch = om_shape_numel(&Y->shape);
    if (m > MAX_M)
        return om_cg_unsupported(cx, "matrices of %lldx%lld: at most %dx%d supported", (long long)m, (long long)m,
                                 MAX_M, MAX_M);
    if (batch * m * m != om_shape_numel(&X->shape))
        return om_cg_unsupported(cx, "output element count does not match the batch");
    if (batch == 0)
        return OM_OK;
    const om_dtype c = OM_DT_DOUBLE;
    LLVMTypeRef ct = cx->f64;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), zero = om_cg_i64(cx, 0), one = om_cg_i64(cx, 1);
    LLVMValueRef M = om_cg_i64(cx, m);
    LLVMValueRef A = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)(m > 0 ? m * m : 1)), "a");
    LLVMValueRef det = om_cg_alloca(cx, ct, "det"), piv = om_cg_alloca(cx, cx->i64, "p"),
                 pmag = om_cg_alloca(cx, ct, "pmag");

    om_cg_loop lw, l1, l2, l3;
    LLVMValueRef w = om_cg_for_work(cx, &lw, batch, "w");
    LLVMValueRef xb = om_cg_mul(cx, w, om_cg_i64(cx, m * m));
    LLVMValueRef i = om_cg_for(cx, &l1, zero, om_cg_i64(cx, m * m), "i");
    om_cg_store(cx, c, A, i, om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, xb, i)), dt, c));
    om_cg_for_end(cx, &l1);
    LLVMBuildStore(b, LLVMConstReal(ct, 1.0), det);

    LLVMValueRef col = om_cg_for(cx, &l1, zero, M, "c");
    LLVMValueRef cc = om_cg_mad(cx, col, m + 1, zero); /* a[c][c] */
    /* pivot search */
    LLVMBuildStore(b, col, piv);
    LLVMValueRef d0 = om_cg_load(cx, c, A, cc);
    LLVMBuildStore(b, om_cg_intrinsic(cx, "llvm.fabs", &d0, 1), pmag);
    LLVMValueRef row = om_cg_for(cx, &l2, om_cg_add(cx, col, one), M, "r");
    LLVMValueRef v = om_cg_load(cx, c, A, om_cg_add(cx, om_cg_mul(cx, row, M), col));
    v = om_cg_intrinsic(cx, "llvm.fabs", &v, 1);
    LLVMValueRef take = LLVMBuildFCmp(b, LLVMRealOGT, v, LLVMBuildLoad2(b, ct, pmag, ""), "");
    LLVMBuildStore(b, LLVMBuildSelect(b, take, v, LLVMBuildLoad2(b, ct, pmag, ""), ""), pmag);
    LLVMBuildStore(b, LLVMBuildSelect(b, take, row, LLVMBuildLoad2(b, cx->i64, piv, ""), ""), piv);
    om_cg_for_end(cx, &l2);
    /* swap rows c and p over columns c.. */
    LLVMValueRef p = LLVMBuildLoad2(b, cx->i64, piv, "piv");
    LLVMValueRef rc = om_cg_mul(cx, col, M), rp = om_cg_mul(cx, p, M);
    LLVMValueRef k = om_cg_for(cx, &l2, col, M, "k");
    LLVMValueRef ia = om_cg_add(cx, rc, k), ib = om_cg_add(cx, rp, k);
    LLVMValueRef ta = om_cg_load(cx, c, A, ia), tb = om_cg_load(cx, c, A, ib);
    om_cg_store(cx, c, A, ia, tb);
    om_cg_store(cx, c, A, ib, ta);
    om_cg_for_end(cx, &l2);
    LLVMValueRef d = LLVMBuildLoad2(b, ct, det, "");
    LLVMValueRef swapped = LLVMBuildICmp(b, LLVMIntNE, p, col, "");
    d = LLVMBuildSelect(b, swapped, LLVMBuildFNeg(b, d, ""), d, "");
    LLVMValueRef pv = om_cg_load(cx, c, A, cc);
    LLVMBuildStore(b, LLVMBuildFMul(b, d, pv, ""), det);
    LLVMValueRef nz = LLVMBuildFCmp(b, LLVMRealUNE, pv, LLVMConstReal(ct, 0), "");
    LLVMValueRef inv = LLVMBuildSelect(b, nz, LLVMBuildFDiv(b, LLVMConstReal(ct, 1.0), pv, ""), LLVMConstReal(ct, 0),
                                       "inv");
    /* eliminate below */
    row = om_cg_for(cx, &l2, om_cg_add(cx, col, one), M, "r");
    LLVMValueRef rr = om_cg_mul(cx, row, M);
    LLVMValueRef f = LLVMBuildFMul(b, om_cg_load(cx, c, A, om_cg_add(cx, rr, col)), inv, "f");
    k = om_cg_for(cx, &l3, om_cg_add(cx, col, one), M, "k");
    LLVMValueRef at = om_cg_add(cx, rr, k);
    LLVMValueRef nv = LLVMBuildFSub(b, om_cg_load(cx, c, A, at),
                                    LLVMBuildFMul(b, f, om_cg_load(cx, c, A, om_cg_add(cx, rc, k)), ""), "");
    om_cg_store(cx, c, A, at, nv);
    om_cg_for_end(cx, &l3);
    om_cg_for_end(cx, &l2);
    om_cg_for_end(cx, &l1);
    om_cg_store(cx, dt, py, w, om_cg_convert(cx, LLVMBuildLoad2(b, ct, det, ""), c, dt));
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
