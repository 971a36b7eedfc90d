/* BatchNormalization (inference): y = scale * (x - mean) / sqrt(var + epsilon) + B, per
 * channel (dim 1), as y = a[c] * x + b[c].
 *
 * When scale, B, mean and var are all constants (the normal case) a and b are computed at
 * compile time in double and stored as a private constant array of the compute type;
 * otherwise they are computed at run time per (n, c) plane from the tensors (llvm.sqrt,
 * which is an instruction on every target). The parallel work loop runs over the N*C
 * planes; the inner loop over the plane's elements is contiguous. Rank 1 input (C) is one
 * plane per channel of size 1. dtypes: f32, f64; f16/bf16 computed in f32.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_internal.h"

/* Element i of a constant float tensor as double. */
static double const_elem(const om_value *v, int64_t i)
{
    const unsigned char *p = (const unsigned char *)v->data;
    switch (v->dtype) {
    case OM_DT_FLOAT: { float f; memcpy(&f, p + 4 * i, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, p + 8 * i, 8); return d; }
    case OM_DT_BFLOAT16: {
        uint16_t h; memcpy(&h, p + 2 * i, 2);
        uint32_t u = (uint32_t)h << 16; float f; memcpy(&f, &u, 4); return f;
    }
    case OM_DT_FLOAT16: {
        uint16_t h; memcpy(&h, p + 2 * i, 2);
        int e = (h >> 10) & 31, m = h & 1023;
        double s = (h & 0x8000) ? -1 : 1;
        if (e == 0) return s * ldexp(m, -24);
        if (e == 31) return m ? NAN : s * INFINITY;
        return s * ldexp(m + 1024, e - 25);
    }
    default: return 0;
    }
}

om_status om_cg_emit_batch_norm(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    const om_value *P[4];   /* scale, B, mean, var */
    om_dtype dt = Y->dtype;
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    if (om_node_int(n, "training_mode", 0) != 0)
        return om_cg_emit_moments_norm(cx, n);
    if (!om_dtype_is_float(dt) || X->dtype != dt)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(X->dtype));
    if (n->n_outputs > 1)
        return om_cg_unsupported(cx, "%d outputs in inference mode (training_mode = 0)", n->n_outputs);
    if (!om_shape_equal(&X->shape, &Y->shape) || X->shape.rank < 1)
        return om_cg_unsupported(cx, "input must have rank >= 1 and the output's shape");
    int r = X->shape.rank;
    int64_t N = r >= 2 ? X->shape.dims[0] : 1, C = r >= 2 ? X->shape.dims[1] : X->shape.dims[0];
    int64_t S = 1;
    for (int i = 2; i < r; i++)
        S *= X->shape.dims[i];
    bool all_const = true;
    for (int k = 0; k < 4; k++) {
        P[k] = om_node_input(n, k + 1);
        if (!P[k] || !om_dtype_is_float(P[k]->dtype) || om_shape_numel(&P[k]->shape) != C)
            return om_cg_unsupported(cx, "input %d must be a float tensor of %lld elements", k + 1, (long long)C);
        all_const &= P[k]->kind == OM_VALUE_CONSTANT && P[k]->data != NULL;
    }
    double eps = om_node_float(n, "epsilon", 1e-5f);
    if (N * C * S == 0)
        return OM_OK;
    om_dtype cdt = dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    LLVMTypeRef ct = om_cg_type(cx, cdt);
    LLVMBuilderRef b = cx->b;

    LLVMValueRef tab = NULL;   /* [2*C] constant: a[0..C), b[0..C) */
    if (all_const) {
        LLVMValueRef *el = malloc(sizeof *el * (size_t)(2 * C));
        if (!el)
            return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
        for (int64_t c = 0; c < C; c++) {
            double a = const_elem(P[0], c) / sqrt(const_elem(P[3], c) + eps);
            double bb = const_elem(P[1], c) - const_elem(P[2], c) * a;
            el[c] = LLVMConstReal(ct, a);
            el[C + c] = LLVMConstReal(ct, bb);
        }
        LLVMTypeRef at = LLVMArrayType2(ct, (uint64_t)(2 * C));
        char name[64];
        snprintf(name, sizeof name, "om_bn%u", n->id);
        tab = LLVMAddGlobal(cx->mod, at, name);
        LLVMSetInitializer(tab, LLVMConstArray2(ct, el, (uint64_t)(2 * C)));
        LLVMSetGlobalConstant(tab, 1);
        LLVMSetLinkage(tab, LLVMPrivateLinkage);
        LLVMSetUnnamedAddress(tab, LLVMGlobalUnnamedAddr);
        free(el);
    }
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    LLVMValueRef pp[4] = {0};
    if (!all_const)
        for (int k = 0; k < 4; k++)
            pp[k] = om_cg_in(cx, k + 1);

    om_cg_loop lp, li;
    LLVMValueRef plane = om_cg_for_work(cx, &lp, N * C, "plane");
    LLVMValueRef c = C > 1 ? LLVMBuildSRem(b, plane, om_cg_i64(cx, C), "c") : om_cg_i64(cx, 0);
    LLVMValueRef a, bb;
    if (all_const) {
        a = om_cg_load(cx, cdt, tab, c);
        bb = om_cg_load(cx, cdt, tab, om_cg_add(cx, c, om_cg_i64(cx, C)));
    } else {
        LLVMValueRef v[4];
        for (int k = 0; k < 4; k++)
            v[k] = om_cg_convert(cx, om_cg_load(cx, P[k]->dtype, pp[k], c), P[k]->dtype, cdt);
        LLVMValueRef ve = LLVMBuildFAdd(b, v[3], LLVMConstReal(ct, eps), "");
        LLVMValueRef sd = om_cg_intrinsic(cx, "llvm.sqrt", &ve, 1);
        a = LLVMBuildFDiv(b, v[0], sd, "a");
        bb = LLVMBuildFSub(b, v[1], LLVMBuildFMul(b, v[2], a, ""), "b");
    }
    LLVMValueRef base = om_cg_mul(cx, plane, om_cg_i64(cx, S));
    LLVMValueRef i = om_cg_for(cx, &li, om_cg_i64(cx, 0), om_cg_i64(cx, S), "i");
    LLVMValueRef idx = om_cg_add(cx, base, i);
    LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, idx), dt, cdt);
    LLVMValueRef y = LLVMBuildFAdd(b, LLVMBuildFMul(b, a, x, ""), bb, "");
    om_cg_store(cx, dt, py, idx, om_cg_convert(cx, y, cdt, dt));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lp);
    return OM_OK;
}
