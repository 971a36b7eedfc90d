/* Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual), And/Or/Xor, Not and
 * Where, with numpy broadcasting (cg_broadcast.h; Where broadcasts three ways).
 *
 * Comparisons: any numeric dtype or bool, f16/bf16 compared in f32 (exact); ordered float
 *   predicates, so any comparison with NaN is false. Output bool (one byte, 0/1).
 * And/Or/Xor/Not: bool inputs are read as != 0 and written as 0/1.
 * Where(c, x, y): c != 0 selects x; x and y are moved by element type (any dtype of size
 *   1, 2, 4 or 8: the values are copied, never converted).
 */
#include "codegen/cg_broadcast.h"
#include "codegen/kernels/logic_internal.h"

static LLVMValueRef as_i1(om_cg_ctx *cx, LLVMValueRef v)
{
    return LLVMBuildICmp(cx->b, LLVMIntNE, v, LLVMConstInt(LLVMTypeOf(v), 0, 0), "");
}

static LLVMValueRef to_bool(om_cg_ctx *cx, LLVMValueRef i1)
{
    return LLVMBuildZExt(cx->b, i1, cx->i8, "");
}

static bool cmp_dtype(om_dtype dt)
{
    return dt == OM_DT_BOOL || om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) ||
           om_dtype_is_unsigned_int(dt);
}

static LLVMValueRef compare(om_cg_ctx *cx, om_op op, om_dtype dt, LLVMValueRef a, LLVMValueRef b)
{
    if (om_dtype_is_float(dt)) {
        LLVMRealPredicate p;
        switch (op) {
        case OM_OP_EQUAL: p = LLVMRealOEQ; break;
        case OM_OP_GREATER: p = LLVMRealOGT; break;
        case OM_OP_LESS: p = LLVMRealOLT; break;
        case OM_OP_GREATER_OR_EQUAL: p = LLVMRealOGE; break;
        default: p = LLVMRealOLE; break;
        }
        return LLVMBuildFCmp(cx->b, p, a, b, "");
    }
    bool s = om_dtype_is_signed_int(dt);
    LLVMIntPredicate p;
    switch (op) {
    case OM_OP_EQUAL: p = LLVMIntEQ; break;
    case OM_OP_GREATER: p = s ? LLVMIntSGT : LLVMIntUGT; break;
    case OM_OP_LESS: p = s ? LLVMIntSLT : LLVMIntULT; break;
    case OM_OP_GREATER_OR_EQUAL: p = s ? LLVMIntSGE : LLVMIntUGE; break;
    default: p = s ? LLVMIntSLE : LLVMIntULE; break;
    }
    return LLVMBuildICmp(cx->b, p, a, b, "");
}

om_status om_cg_emit_compare(om_cg_ctx *cx, const om_node *n)
{
    const om_value *A = om_node_input(n, 0), *B = om_node_input(n, 1), *Y = n->outputs[0];
    if (!A || !B)
        return om_cg_unsupported(cx, "both inputs are required");
    om_dtype dt = A->dtype;
    if (!cmp_dtype(dt) || B->dtype != dt || Y->dtype != OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtypes %s, %s -> %s not supported by this kernel", om_dtype_name(dt),
                                 om_dtype_name(B->dtype), om_dtype_name(Y->dtype));
    LLVMValueRef pa = om_cg_in(cx, 0), pb = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {A, B};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 2, ins);
    if (st != OM_OK)
        return st;
    om_dtype cdt = om_cg_logic_compute_dt(dt);
    LLVMValueRef a = om_cg_logic_widen(cx, om_cg_load(cx, dt, pa, bc.off[1]), dt);
    LLVMValueRef b = om_cg_logic_widen(cx, om_cg_load(cx, dt, pb, bc.off[2]), dt);
    if (dt == OM_DT_BOOL) { /* compare as 0/1 */
        a = LLVMBuildZExt(cx->b, as_i1(cx, a), cx->i8, "");
        b = LLVMBuildZExt(cx->b, as_i1(cx, b), cx->i8, "");
        cdt = OM_DT_UINT8;
    }
    om_cg_store(cx, OM_DT_BOOL, py, bc.off[0], to_bool(cx, compare(cx, n->op, cdt, a, b)));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}

om_status om_cg_emit_logic_bool(om_cg_ctx *cx, const om_node *n)
{
    const om_value *A = om_node_input(n, 0), *B = om_node_input(n, 1), *Y = n->outputs[0];
    if (!A || !B)
        return om_cg_unsupported(cx, "both inputs are required");
    if (A->dtype != OM_DT_BOOL || B->dtype != OM_DT_BOOL || Y->dtype != OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtypes %s, %s -> %s, expected bool", om_dtype_name(A->dtype),
                                 om_dtype_name(B->dtype), om_dtype_name(Y->dtype));
    LLVMValueRef pa = om_cg_in(cx, 0), pb = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[2] = {A, B};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 2, ins);
    if (st != OM_OK)
        return st;
    LLVMValueRef a = as_i1(cx, om_cg_load(cx, OM_DT_BOOL, pa, bc.off[1]));
    LLVMValueRef b = as_i1(cx, om_cg_load(cx, OM_DT_BOOL, pb, bc.off[2]));
    LLVMValueRef r;
    switch (n->op) {
    case OM_OP_AND: r = LLVMBuildAnd(cx->b, a, b, ""); break;
    case OM_OP_OR: r = LLVMBuildOr(cx->b, a, b, ""); break;
    default: r = LLVMBuildXor(cx->b, a, b, ""); break;
    }
    om_cg_store(cx, OM_DT_BOOL, py, bc.off[0], to_bool(cx, r));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}

om_status om_cg_emit_logic_not(om_cg_ctx *cx, const om_node *n)
{
    const om_value *A = om_node_input(n, 0), *Y = n->outputs[0];
    if (!A)
        return om_cg_unsupported(cx, "input 0 is required");
    if (A->dtype != OM_DT_BOOL || Y->dtype != OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtypes %s -> %s, expected bool", om_dtype_name(A->dtype),
                                 om_dtype_name(Y->dtype));
    LLVMValueRef pa = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[1] = {A};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 1, ins);
    if (st != OM_OK)
        return st;
    LLVMValueRef a = as_i1(cx, om_cg_load(cx, OM_DT_BOOL, pa, bc.off[1]));
    om_cg_store(cx, OM_DT_BOOL, py, bc.off[0], to_bool(cx, LLVMBuildNot(cx->b, a, "")));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}

om_status om_cg_emit_where(om_cg_ctx *cx, const om_node *n)
{
    const om_value *C = om_node_input(n, 0), *X = om_node_input(n, 1), *Z = om_node_input(n, 2), *Y = n->outputs[0];
    if (!C || !X || !Z)
        return om_cg_unsupported(cx, "all three inputs are required");
    if (C->dtype != OM_DT_BOOL || X->dtype != Y->dtype || Z->dtype != Y->dtype)
        return om_cg_unsupported(cx, "dtypes %s, %s, %s -> %s not supported by this kernel",
                                 om_dtype_name(C->dtype), om_dtype_name(X->dtype), om_dtype_name(Z->dtype),
                                 om_dtype_name(Y->dtype));
    om_dtype mt; /* moved as an integer of the element's size */
    switch (om_dtype_size(Y->dtype)) {
    case 1: mt = OM_DT_UINT8; break;
    case 2: mt = OM_DT_UINT16; break;
    case 4: mt = OM_DT_UINT32; break;
    case 8: mt = OM_DT_UINT64; break;
    default:
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(Y->dtype));
    }
    LLVMValueRef pc = om_cg_in(cx, 0), px = om_cg_in(cx, 1), pz = om_cg_in(cx, 2), py = om_cg_out(cx, 0);
    om_cg_bcast bc;
    const om_value *ins[3] = {C, X, Z};
    om_status st = om_cg_bcast_open(cx, &bc, Y, 3, ins);
    if (st != OM_OK)
        return st;
    LLVMValueRef c = as_i1(cx, om_cg_load(cx, OM_DT_BOOL, pc, bc.off[1]));
    LLVMValueRef x = om_cg_load(cx, mt, px, bc.off[2]), z = om_cg_load(cx, mt, pz, bc.off[3]);
    om_cg_store(cx, mt, py, bc.off[0], LLVMBuildSelect(cx->b, c, x, z, ""));
    om_cg_bcast_close(cx, &bc);
    return OM_OK;
}
