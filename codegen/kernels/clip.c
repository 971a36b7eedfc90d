/* Clip(x, min?, max?) = min(max(x, lo), hi) elementwise, NaN in x stays NaN.
 *
 * lo/hi are the optional scalar inputs 1 and 2: read at compile time when the input is a
 * constant, else loaded once per call from the tensor (element 0); an omitted bound is no
 * bound. When lo > hi the result is hi (numpy's clip). dtypes: f32, f64, f16, bf16 (in f32)
 * and every integer type. Loops: om_cg_bcast_vec (cg_broadcast.h), vectors except for the
 * 16-bit floats; the bounds are splatted once per row.
 */
#include <string.h>

#include "codegen/cg_broadcast.h"
#include "codegen/kernels/ew_vec.h"

/* Bound i (1 = min, 2 = max) in compute dtype cdt, or NULL when absent. */
static om_status bound(om_cg_ctx *cx, const om_node *n, int i, om_dtype dt, om_dtype cdt, LLVMValueRef *out)
{
    *out = NULL;
    const om_value *v = om_node_input(n, i);
    if (!v)
        return OM_OK;
    if (v->dtype != dt)
        return om_cg_unsupported(cx, "input %d dtype %s differs from input 0's %s", i,
                                 om_dtype_name(v->dtype), om_dtype_name(dt));
    if (om_shape_numel(&v->shape) != 1)
        return om_cg_unsupported(cx, "input %d must be a scalar, has %lld elements", i,
                                 (long long)om_shape_numel(&v->shape));
    if (v->kind == OM_VALUE_CONSTANT && v->data) {
        /* a constant of dt, converted in IR (folded by the builder) */
        LLVMTypeRef t = om_cg_type(cx, dt);
        LLVMValueRef c;
        if (om_dtype_is_float(dt)) {
            double d;
            if (dt == OM_DT_FLOAT) { float f; memcpy(&f, v->data, 4); d = f; }
            else if (dt == OM_DT_DOUBLE) memcpy(&d, v->data, 8);
            else { /* f16/bf16: reinterpret the bits through LLVM */
                uint16_t h;
                memcpy(&h, v->data, 2);
                c = LLVMConstBitCast(LLVMConstInt(cx->i16, h, 0), t);
                *out = om_cg_convert(cx, c, dt, cdt);
                return OM_OK;
            }
            c = LLVMConstReal(t, d);
        } else {
            uint64_t u = 0;
            memcpy(&u, v->data, om_dtype_size(dt));   /* little-endian */
            c = LLVMConstInt(t, u, 0);
        }
        *out = om_cg_convert(cx, c, dt, cdt);
        return OM_OK;
    }
    *out = om_cg_convert(cx, om_cg_load(cx, dt, om_cg_in(cx, i), om_cg_i64(cx, 0)), dt, cdt);
    return OM_OK;
}

typedef struct clip_ctx {
    om_dtype dt, cdt;
    LLVMValueRef lo, hi;
} clip_ctx;

/* om_cg_ew_body: min(max(x, lo), hi), scalar or vector */
static LLVMValueRef clip_body(om_cg_ctx *cx, void *ud, LLVMValueRef *in)
{
    const clip_ctx *c = ud;
    LLVMValueRef x = om_cg_convert(cx, in[0], c->dt, c->cdt);
    bool vec = LLVMGetTypeKind(LLVMTypeOf(x)) == LLVMVectorTypeKind;
    int lanes = vec ? (int)LLVMGetVectorSize(LLVMTypeOf(x)) : 1;
    if (c->lo)
        x = om_cg_max(cx, c->cdt, x, vec ? om_cg_vec_splat(cx, c->lo, lanes) : c->lo);
    if (c->hi)
        x = om_cg_min(cx, c->cdt, x, vec ? om_cg_vec_splat(cx, c->hi, lanes) : c->hi);
    return om_cg_convert(cx, x, c->cdt, c->dt);
}

om_status om_cg_emit_clip(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    om_dtype dt = Y->dtype;
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (X->dtype != dt)
        return om_cg_unsupported(cx, "input dtype %s differs from output dtype %s",
                                 om_dtype_name(X->dtype), om_dtype_name(dt));
    if (!om_dtype_is_float(dt) && !om_dtype_is_signed_int(dt) && !om_dtype_is_unsigned_int(dt))
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(dt));
    int64_t numel = om_shape_numel(&Y->shape);
    if (om_shape_numel(&X->shape) != numel)
        return om_cg_unsupported(cx, "input has %lld elements, output %lld",
                                 (long long)om_shape_numel(&X->shape), (long long)numel);
    om_dtype cdt = (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16) ? OM_DT_FLOAT : dt;
    LLVMValueRef lo, hi;
    om_status st;
    if ((st = bound(cx, n, 1, dt, cdt, &lo)) != OM_OK || (st = bound(cx, n, 2, dt, cdt, &hi)) != OM_OK)
        return st;
    /* X viewed with Y's shape (same element count) */
    om_value xv = *X;
    xv.shape = Y->shape;
    const om_value *ins[1] = {&xv};
    clip_ctx c = {.dt = dt, .cdt = cdt, .lo = lo, .hi = hi};
    bool vec = dt != OM_DT_FLOAT16 && dt != OM_DT_BFLOAT16;
    om_cg_ew_loop lp = {.out = Y, .n_in = 1, .ins = ins, .lanes = vec ? 0 : 1, .body = clip_body, .ud = &c};
    return om_cg_bcast_vec(cx, &lp);
}
