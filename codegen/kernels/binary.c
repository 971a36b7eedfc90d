/* Add, Sub, Mul, Div with numpy broadcasting.
 *
 * Strides are computed at compile time per operand (0 along broadcast dims), then adjacent
 * dims that are contiguous for the output and both inputs are merged, so same-shape and
 * scalar-broadcast cases become one flat loop and the innermost loop is contiguous whenever
 * the shapes allow. The leading merged dims form the parallel work loop (cg_nest.h).
 *
 * dtypes: f32, f64 natively; f16 and bf16 are computed in f32 and rounded back; i8..i64,
 * u8..u64 with wrap-around add/sub/mul. Integer Div truncates toward zero; a zero divisor
 * yields 0 (no trap) and INT_MIN / -1 yields INT_MIN (wraps, no trap).
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_nest.h"

/* leading dims are fused into the parallel loop until it has this many items */
#define MIN_WORK 256

static bool supported(om_dtype dt)
{
    switch (dt) {
    case OM_DT_FLOAT: case OM_DT_DOUBLE: case OM_DT_FLOAT16: case OM_DT_BFLOAT16:
    case OM_DT_INT8: case OM_DT_INT16: case OM_DT_INT32: case OM_DT_INT64:
    case OM_DT_UINT8: case OM_DT_UINT16: case OM_DT_UINT32: case OM_DT_UINT64:
        return true;
    default:
        return false;
    }
}

static LLVMValueRef int_div(om_cg_ctx *cx, bool is_signed, LLVMValueRef a, LLVMValueRef d)
{
    LLVMBuilderRef b = cx->b;
    LLVMTypeRef t = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstInt(t, 0, 0), one = LLVMConstInt(t, 1, 0);
    LLVMValueRef is0 = LLVMBuildICmp(b, LLVMIntEQ, d, zero, "");
    if (!is_signed) {
        LLVMValueRef q = LLVMBuildUDiv(b, a, LLVMBuildSelect(b, is0, one, d, ""), "");
        return LLVMBuildSelect(b, is0, zero, q, "");
    }
    LLVMValueRef is_m1 = LLVMBuildICmp(b, LLVMIntEQ, d, LLVMConstAllOnes(t), "");
    LLVMValueRef safe = LLVMBuildSelect(b, LLVMBuildOr(b, is0, is_m1, ""), one, d, "");
    LLVMValueRef q = LLVMBuildSDiv(b, a, safe, "");
    q = LLVMBuildSelect(b, is_m1, LLVMBuildSub(b, zero, a, ""), q, "");
    return LLVMBuildSelect(b, is0, zero, q, "");
}

static LLVMValueRef apply(om_cg_ctx *cx, om_op op, om_dtype dt, LLVMValueRef a, LLVMValueRef v)
{
    LLVMBuilderRef b = cx->b;
    if (om_dtype_is_float(dt)) {
        switch (op) {
        case OM_OP_ADD: return LLVMBuildFAdd(b, a, v, "");
        case OM_OP_SUB: return LLVMBuildFSub(b, a, v, "");
        case OM_OP_MUL: return LLVMBuildFMul(b, a, v, "");
        default: return LLVMBuildFDiv(b, a, v, "");
        }
    }
    switch (op) {
    case OM_OP_ADD: return LLVMBuildAdd(b, a, v, "");
    case OM_OP_SUB: return LLVMBuildSub(b, a, v, "");
    case OM_OP_MUL: return LLVMBuildMul(b, a, v, "");
    default: return int_div(cx, om_dtype_is_signed_int(dt), a, v);
    }
}

om_status om_cg_emit_binary(om_cg_ctx *cx, const om_node *n)
{
    const om_value *A = om_node_input(n, 0), *B = om_node_input(n, 1), *Y = n->outputs[0];
    if (!A || !B)
        return om_cg_unsupported(cx, "both inputs are required");
    om_dtype dt = Y->dtype;
    if (!supported(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (A->dtype != dt || B->dtype != dt)
        return om_cg_unsupported(cx, "mixed dtypes %s, %s -> %s", om_dtype_name(A->dtype),
                                 om_dtype_name(B->dtype), om_dtype_name(dt));
    int rank = Y->shape.rank;
    /* per-dim extents and strides (elements) of output, A, B; rank 0 is one dim of 1 */
    int64_t dim[OM_MAX_RANK + 1], st[3][OM_MAX_RANK + 1];
    int r = rank > 0 ? rank : 1;
    const om_value *ops[2] = {A, B};
    for (int i = 0; i < r; i++)
        dim[i] = rank > 0 ? Y->shape.dims[i] : 1;
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        st[0][i] = acc;
        acc *= dim[i];
    }
    for (int k = 0; k < 2; k++) {
        const om_shape *s = &ops[k]->shape;
        if (s->rank > rank)
            return om_cg_unsupported(cx, "input %d has rank %d above the output's %d", k, s->rank, rank);
        int64_t a = 1;
        for (int i = r - 1; i >= 0; i--) {
            int j = i - (r - s->rank);   /* the operand's dim aligned with output dim i */
            int64_t d = (j >= 0 && rank > 0) ? s->dims[j] : 1;
            if (d != dim[i] && d != 1)
                return om_cg_unsupported(cx, "input %d dim %d is %lld, not broadcastable to %lld", k, j,
                                         (long long)d, (long long)dim[i]);
            st[k + 1][i] = (d == 1) ? 0 : a;
            a *= d;
        }
    }
    /* drop size-1 dims, then merge dim i into i-1 when every operand is contiguous across them */
    int m = 0;
    int64_t md[OM_MAX_RANK + 1], ms[3][OM_MAX_RANK + 1];
    for (int i = 0; i < r; i++) {
        if (dim[i] == 1)
            continue;
        if (m > 0) {
            bool merge = true;
            for (int k = 0; k < 3; k++)
                merge &= ms[k][m - 1] == st[k][i] * dim[i];
            if (merge) {
                md[m - 1] *= dim[i];
                for (int k = 0; k < 3; k++)
                    ms[k][m - 1] = st[k][i];
                continue;
            }
        }
        md[m] = dim[i];
        for (int k = 0; k < 3; k++)
            ms[k][m] = st[k][i];
        m++;
    }
    if (m == 0) {
        md[0] = 1;
        ms[0][0] = ms[1][0] = ms[2][0] = 0;
        m = 1;
    }

    LLVMValueRef pa = om_cg_in(cx, 0), pb = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_nest nest;
    LLVMValueRef off[3];
    om_cg_nest_open(cx, &nest, m, md, 3, (const int64_t (*)[OM_MAX_RANK + 1])ms, MIN_WORK, off);
    om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
    LLVMValueRef a = om_cg_convert(cx, om_cg_load(cx, dt, pa, off[1]), dt, cdt);
    LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, dt, pb, off[2]), dt, cdt);
    LLVMValueRef y = om_cg_convert(cx, apply(cx, n->op, cdt, a, v), cdt, dt);
    om_cg_store(cx, dt, py, off[0], y);
    om_cg_nest_close(cx, &nest);
    return OM_OK;
}
