/* Mod, BitShift and the variadic Max/Min/Sum/Mean, all with numpy broadcasting
 * (cg_broadcast.h; Max/Min/Sum/Mean broadcast all N inputs in one loop nest).
 *
 * Mod: integers with fmod = 0 take the sign of the divisor (Python's %), with fmod = 1 the
 *   sign of the dividend (C's %); a zero divisor gives 0 and INT_MIN % -1 gives 0 (no
 *   traps). Floats (fmod = 1; f16/bf16 computed in f32): a - trunc(a / b) * b evaluated in
 *   f64 (exact while the quotient is below 2^29 for f32 inputs; f64 inputs lose precision
 *   for larger quotients), NaN for b = 0 or infinite a, a for infinite b.
 * BitShift: unsigned; a shift by at least the bit width gives 0.
 * Max/Min: NaN-propagating (om_cg_max/om_cg_min); Sum/Mean accumulate f16/bf16 in f32;
 *   Mean divides the sum by N (integer division for integer dtypes). Any numeric dtype.
 */
#include <math.h>
#include <string.h>

#include "codegen/cg_broadcast.h"
#include "codegen/kernels/logic_internal.h"

static bool numeric(om_dtype dt)
{
    return om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

static LLVMValueRef sel(om_cg_ctx *cx, LLVMValueRef c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, c, a, b, "");
}

/* trunc(q) for an f64 q without llvm.trunc (a libcall on targets without SSE4.1) */
static LLVMValueRef trunc_f64(om_cg_ctx *cx, LLVMValueRef q)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef aq = om_cg_intrinsic(cx, "llvm.fabs", &q, 1);
    LLVMValueRef small = LLVMBuildFCmp(b, LLVMRealOLT, aq, LLVMConstReal(cx->f64, 4503599627370496.0), "");
    LLVMValueRef qs = sel(cx, small, q, LLVMConstReal(cx->f64, 0.0));
    LLVMValueRef t = LLVMBuildSIToFP(b, LLVMBuildFPToSI(b, qs, cx->i64, ""), cx->f64, "");
    /* keep the sign of zero quotients (-0.3 -> -0) */
    LLVMValueRef ops[2] = {t, q};
    t = om_cg_intrinsic(cx, "llvm.copysign", ops, 2);
    return sel(cx, small, t, q); /* |q| >= 2^52 (or NaN): already integral */
}

static LLVMValueRef mod_float(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef d)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef t = trunc_f64(cx, LLVMBuildFDiv(b, a, d, ""));
    LLVMValueRef ops[3] = {LLVMBuildFNeg(b, t, ""), d, a};
    LLVMValueRef r = om_cg_intrinsic(cx, "llvm.fmuladd", ops, 3);
    LLVMValueRef ad = om_cg_intrinsic(cx, "llvm.fabs", &d, 1), aa = om_cg_intrinsic(cx, "llvm.fabs", &a, 1);
    LLVMValueRef inf = LLVMConstReal(cx->f64, INFINITY);
    LLVMValueRef d_inf = LLVMBuildFCmp(b, LLVMRealOEQ, ad, inf, "");
    LLVMValueRef a_fin = LLVMBuildFCmp(b, LLVMRealOLT, aa, inf, "");
    r = sel(cx, LLVMBuildAnd(b, d_inf, a_fin, ""), a, r);
    /* the result has the dividend's sign (fmod(-4, 2) = -0) */
    LLVMValueRef cs[2] = {r, a};
    LLVMValueRef signed_r = om_cg_intrinsic(cx, "llvm.copysign", cs, 2);
    LLVMValueRef zero = LLVMBuildFCmp(b, LLVMRealOEQ, r, LLVMConstReal(cx->f64, 0.0), "");
    r = sel(cx, zero, signed_r, r);
    LLVMValueRef bad = LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealOEQ, d, LLVMConstReal(cx->f64, 0.0), ""),
                                   LLVMBuildFCmp(b, LLVMRealUGE, aa, inf, ""), "");
    return sel(cx, bad, LLVMConstReal(cx->f64, NAN), r);
}

static LLVMValueRef mod_int(om_cg_ctx *cx, bool is_signed, bool c_fmod, LLVMValueRef a, LLVMValueRef d)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstInt(t, 0, 0), one = LLVMConstInt(t, 1, 0);
    LLVMValueRef is0 = LLVMBuildICmp(b, LLVMIntEQ, d, zero, "");
    if (!is_signed) {
        LLVMValueRef r = LLVMBuildURem(b, a, sel(cx, is0, one, d), "");
        return sel(cx, is0, zero, r);
    }
    LLVMValueRef is_m1 = LLVMBuildICmp(b, LLVMIntEQ, d, LLVMConstAllOnes(t), "");
    LLVMValueRef safe = sel(cx, LLVMBuildOr(b, is0, is_m1, ""), one, d);
    LLVMValueRef r = LLVMBuildSRem(b, a, safe, "");
    r = sel(cx, LLVMBuildOr(b, is0, is_m1, ""), zero, r);
    if (c_fmod)
        return r;
    /* Python: a nonzero remainder whose sign differs from the divisor's moves by d */
    LLVMValueRef nz = LLVMBuildICmp(b, LLVMIntNE, r, zero, "");
    LLVMValueRef diff = LLVMBuildICmp(b, LLVMIntSLT, LLVMBuildXor(b, r, d, ""), zero, "");
    return sel(cx, LLVMBuildAnd(b, nz, diff, ""), LLVMBuildAdd(b, r, d, ""), r);
}

/* Checks the node's inputs [0, count) all have dtype dt. */
static om_status same_dtype(om_cg_ctx *cx, const om_node *n, int count, om_dtype dt)
{
    for (int i = 0; i < count; i++) {
        const om_value *v = om_node_input(n, i);
        if (!v)
            return om_cg_unsupported(cx, "input %d is required", i);
        if (v->dtype != dt)
            return om_cg_unsupported(cx, "input %d has dtype %s, expected %s", i, om_dtype_name(v->dtype),
                                     om_dtype_name(dt));
    }
    return OM_OK;
}

om_status om_cg_emit_mod(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    om_status st = same_dtype(cx, n, 2, dt);
    if (st != OM_OK)
        return st;
    if (!numeric(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    int64_t fmod = om_node_int(n, "fmod", 0);
    if (om_dtype_is_float(dt) && fmod != 1)
        return om_cg_unsupported(cx, "fmod must be 1 for %s", om_dtype_name(dt));
    LLVMValueRef pa = om_cg_in(cx, 0), pb = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {om_node_input(n, 0), om_node_input(n, 1)};
    if ((st = om_cg_bcast_open(cx, &bc, Y, 2, ins)) != OM_OK)
        return st;
    LLVMValueRef a = om_cg_load(cx, dt, pa, bc.off[1]), d = om_cg_load(cx, dt, pb, bc.off[2]), r;
    if (om_dtype_is_float(dt)) {
        a = om_cg_convert(cx, om_cg_logic_widen(cx, a, dt), om_cg_logic_compute_dt(dt), OM_DT_DOUBLE);
        d = om_cg_convert(cx, om_cg_logic_widen(cx, d, dt), om_cg_logic_compute_dt(dt), OM_DT_DOUBLE);
        r = om_cg_convert(cx, mod_float(cx, a, d), OM_DT_DOUBLE, dt);
    } else {
        r = mod_int(cx, om_dtype_is_signed_int(dt), fmod != 0, a, d);
    }
    om_cg_store(cx, dt, py, bc.off[0], r);
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}

om_status om_cg_emit_bitshift(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    om_status st = same_dtype(cx, n, 2, dt);
    if (st != OM_OK)
        return st;
    if (!om_dtype_is_unsigned_int(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel (unsigned only)", om_dtype_name(dt));
    const char *dir = om_node_string(n, "direction", "");
    bool left = strcmp(dir, "LEFT") == 0;
    if (!left && strcmp(dir, "RIGHT") != 0)
        return om_cg_unsupported(cx, "direction '%s', expected LEFT or RIGHT", dir);
    LLVMValueRef pa = om_cg_in(cx, 0), pb = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {om_node_input(n, 0), om_node_input(n, 1)};
    if ((st = om_cg_bcast_open(cx, &bc, Y, 2, ins)) != OM_OK)
        return st;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef a = om_cg_load(cx, dt, pa, bc.off[1]), s = om_cg_load(cx, dt, pb, bc.off[2]);
    LLVMTypeRef t = LLVMTypeOf(a);
    unsigned bits = (unsigned)om_dtype_size(dt) * 8;
    LLVMValueRef big = LLVMBuildICmp(b, LLVMIntUGE, s, LLVMConstInt(t, bits, 0), "");
    LLVMValueRef ss = sel(cx, big, LLVMConstInt(t, 0, 0), s);
    LLVMValueRef r = left ? LLVMBuildShl(b, a, ss, "") : LLVMBuildLShr(b, a, ss, "");
    om_cg_store(cx, dt, py, bc.off[0], sel(cx, big, LLVMConstInt(t, 0, 0), r));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}

om_status om_cg_emit_variadic(om_cg_ctx *cx, const om_node *n)
{
    const om_value *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    int k = n->n_inputs;
    if (k < 1 || k > OM_CG_BCAST_MAX_INPUTS)
        return om_cg_unsupported(cx, "%d inputs, this kernel takes 1..%d", k, OM_CG_BCAST_MAX_INPUTS);
    om_status st = same_dtype(cx, n, k, dt);
    if (st != OM_OK)
        return st;
    if (!numeric(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    LLVMValueRef p[OM_CG_BCAST_MAX_INPUTS];
    const om_value *ins[OM_CG_BCAST_MAX_INPUTS];
    for (int i = 0; i < k; i++) {
        p[i] = om_cg_in(cx, i);
        ins[i] = om_node_input(n, i);
    }
    LLVMValueRef py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    if ((st = om_cg_bcast_open(cx, &bc, Y, k, ins)) != OM_OK)
        return st;
    LLVMBuilderRef b = cx->b;
    om_dtype cdt = om_cg_logic_compute_dt(dt);
    bool fl = om_dtype_is_float(dt);
    LLVMValueRef acc = NULL;
    for (int i = 0; i < k; i++) {
        LLVMValueRef v = om_cg_logic_widen(cx, om_cg_load(cx, dt, p[i], bc.off[i + 1]), dt);
        if (!acc) {
            acc = v;
            continue;
        }
        switch (n->op) {
        case OM_OP_MAX: acc = om_cg_max(cx, cdt, acc, v); break;
        case OM_OP_MIN: acc = om_cg_min(cx, cdt, acc, v); break;
        default: acc = fl ? LLVMBuildFAdd(b, acc, v, "") : LLVMBuildAdd(b, acc, v, ""); break;
        }
    }
    if (n->op == OM_OP_MEAN && k > 1) {
        LLVMValueRef c = om_cg_const(cx, cdt, k);
        if (fl)
            acc = LLVMBuildFDiv(b, acc, c, "");
        else if (om_dtype_is_signed_int(dt))
            acc = LLVMBuildSDiv(b, acc, c, "");
        else
            acc = LLVMBuildUDiv(b, acc, c, "");
    }
    om_cg_store(cx, dt, py, bc.off[0], om_cg_convert(cx, acc, cdt, dt));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}
