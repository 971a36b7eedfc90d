/* PRelu(X, slope): y = x < 0 ? slope * x : x, slope broadcast unidirectionally to X
 * (family prelu of ir/ops/math.def).
 *
 * The loops follow the binary kernels' approach (cg_nest.h): per-dim element strides of
 * Y, X and slope (0 along slope's broadcast dims), size-1 dims dropped, adjacent dims
 * merged where every operand is contiguous across them, leading dims fused into the
 * parallel work loop until it has >= 256 items. A per-channel slope [C, 1, 1] thus gives
 * a contiguous inner loop with a loop-invariant slope.
 *
 * dtypes: f32, f64 natively; f16 and bf16 in f32; i32, i64 (signed compare), u32, u64
 * (never negative: a copy). NaN x passes through.
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_nest.h"

enum { MIN_WORK = 256 };

/* Merged loop dims md[0..*m) and strides ms[0..3) (Y, X, slope) for slope broadcast to Y. */
static om_status prelu_dims(om_cg_ctx *cx, const om_value *Y, const om_value *S, int *m_out,
                            int64_t md[OM_MAX_RANK + 1], int64_t ms[3][OM_MAX_RANK + 1])
{
    int rank = Y->shape.rank, r = rank > 0 ? rank : 1;
    int64_t dim[OM_MAX_RANK + 1], st[3][OM_MAX_RANK + 1];
    for (int i = 0; i < r; i++)
        dim[i] = rank > 0 ? Y->shape.dims[i] : 1;
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        st[0][i] = st[1][i] = acc; /* X has Y's shape */
        acc *= dim[i];
    }
    const om_shape *s = &S->shape;
    if (s->rank > rank)
        return om_cg_unsupported(cx, "slope has rank %d above X's %d", s->rank, rank);
    int64_t a = 1;
    for (int i = r - 1; i >= 0; i--) {
        int j = i - (r - s->rank);
        int64_t d = (j >= 0 && rank > 0) ? s->dims[j] : 1;
        if (d != dim[i] && d != 1)
            return om_cg_unsupported(cx, "slope dim %d is %lld, not broadcastable to %lld", j, (long long)d,
                                     (long long)dim[i]);
        st[2][i] = d == 1 ? 0 : a;
        a *= d;
    }
    int m = 0;
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
    *m_out = m;
    return OM_OK;
}

om_status om_cg_emit_prelu(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *S = om_node_input(n, 1), *Y = n->outputs[0];
    if (!X || !S)
        return om_cg_unsupported(cx, "inputs X and slope are required");
    om_dtype dt = Y->dtype;
    bool flt = om_dtype_is_float(dt), sgn = om_dtype_is_signed_int(dt), uns = om_dtype_is_unsigned_int(dt);
    if (!flt && !sgn && !uns)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    if (X->dtype != dt || S->dtype != dt)
        return om_cg_unsupported(cx, "mixed dtypes %s, %s -> %s", om_dtype_name(X->dtype), om_dtype_name(S->dtype),
                                 om_dtype_name(dt));
    if (!om_shape_equal(&X->shape, &Y->shape) || !om_shape_is_static(&Y->shape))
        return om_cg_unsupported(cx, "output shape must be X's and static");
    int m;
    int64_t md[OM_MAX_RANK + 1], ms[3][OM_MAX_RANK + 1];
    om_status st = prelu_dims(cx, Y, S, &m, md, ms);
    if (st != OM_OK)
        return st;
    LLVMValueRef px = om_cg_in(cx, 0), ps = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_nest nest;
    LLVMValueRef off[3];
    om_cg_nest_open(cx, &nest, m, md, 3, (const int64_t(*)[OM_MAX_RANK + 1])ms, MIN_WORK, off);
    om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, off[1]), dt, cdt);
    LLVMValueRef s = om_cg_convert(cx, om_cg_load(cx, dt, ps, off[2]), dt, cdt);
    LLVMValueRef y = x;
    if (flt) {
        LLVMValueRef neg = LLVMBuildFCmp(cx->b, LLVMRealOLT, x, LLVMConstReal(LLVMTypeOf(x), 0.0), "");
        y = LLVMBuildSelect(cx->b, neg, LLVMBuildFMul(cx->b, s, x, ""), x, "");
    } else if (sgn) {
        LLVMValueRef neg = LLVMBuildICmp(cx->b, LLVMIntSLT, x, LLVMConstInt(LLVMTypeOf(x), 0, 0), "");
        y = LLVMBuildSelect(cx->b, neg, LLVMBuildMul(cx->b, s, x, ""), x, "");
    }
    om_cg_store(cx, dt, py, off[0], om_cg_convert(cx, y, cdt, dt));
    om_cg_nest_close(cx, &nest);
    return OM_OK;
}
