/* Shape rules for MatMul and Gemm.
 *
 * MatMul follows numpy.matmul: a 1-D first operand is read as [1,K] and a 1-D second
 * operand as [K,1], the added dim being dropped from the result; leading (batch) dims
 * broadcast multidirectionally; the contracted dims must agree. Gemm takes 2-D A and B
 * (transposed per transA/transB, each 0 or 1) and an optional C that must be
 * unidirectionally broadcastable to [M,N]; the output is [M,N]. Operands share a dtype.
 */
#include "passes/infer/infer.h"

#include <inttypes.h>

static om_status contraction_error(om_node *n, const om_value *a, const om_value *b, int64_t ka, int64_t kb) {
    char b1[128], b2[128];
    return om_infer_error(n, OM_ERR_INVALID_MODEL,
                          "inner dims do not match: input 0 '%s' %s has K=%" PRId64 ", input 1 '%s' %s has K=%" PRId64,
                          a->name, om_infer_shape_str(&a->shape, b1, sizeof(b1)), ka, b->name,
                          om_infer_shape_str(&b->shape, b2, sizeof(b2)), kb);
}

om_status om_infer_matmul(om_graph *g, om_node *n) {
    om_value *a, *b;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &a)) != OM_OK || (st = om_infer_need_input(n, 1, &b)) != OM_OK) return st;
    if ((st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    if (om_dtype_size(a->dtype) == 0 || a->dtype == OM_DT_BOOL)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", a->name,
                              om_dtype_name(a->dtype));
    int ra = a->shape.rank, rb = b->shape.rank;
    if (ra < 1 || rb < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' is a scalar; MatMul needs rank >= 1",
                              ra < 1 ? 0 : 1, ra < 1 ? a->name : b->name);
    /* Promote 1-D operands to matrices. */
    om_shape A = {0}, B = {0};
    if (ra == 1) {
        A.rank = 2, A.dims[0] = 1, A.dims[1] = a->shape.dims[0], A.syms[1] = a->shape.syms[0];
    } else {
        A = a->shape;
    }
    if (rb == 1) {
        B.rank = 2, B.dims[0] = b->shape.dims[0], B.syms[0] = b->shape.syms[0], B.dims[1] = 1;
    } else {
        B = b->shape;
    }
    int64_t M = A.dims[A.rank - 2], Ka = A.dims[A.rank - 1];
    int64_t Kb = B.dims[B.rank - 2], N = B.dims[B.rank - 1];
    if (Ka >= 0 && Kb >= 0 && Ka != Kb) return contraction_error(n, a, b, Ka, Kb);
    om_shape ba = A, bb = B, batch;
    ba.rank -= 2;
    bb.rank -= 2;
    int bad = 0;
    if (!om_infer_broadcast(&ba, &bb, &batch, &bad)) {
        char b1[128], b2[128];
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "batch dims of input 0 '%s' %s and input 1 '%s' %s do not broadcast (batch axis %d)",
                              a->name, om_infer_shape_str(&a->shape, b1, sizeof(b1)), b->name,
                              om_infer_shape_str(&b->shape, b2, sizeof(b2)), bad);
    }
    om_shape out = batch;
    if (ra > 1) {
        out.syms[out.rank] = A.syms[A.rank - 2];
        out.dims[out.rank++] = M;
    }
    if (rb > 1) {
        out.syms[out.rank] = B.syms[B.rank - 1];
        out.dims[out.rank++] = N;
    }
    for (int i = 0; i < out.rank; i++)
        if (out.dims[i] >= 0) out.syms[i] = NULL;
    return om_infer_set_output(g, n, 0, a->dtype, &out);
}

om_status om_infer_gemm(om_graph *g, om_node *n) {
    om_value *a, *b;
    om_status st;
    if ((st = om_infer_check_rank(n, 0, 2)) != OM_OK || (st = om_infer_check_rank(n, 1, 2)) != OM_OK) return st;
    a = om_node_input(n, 0);
    b = om_node_input(n, 1);
    if ((st = om_infer_check_same_dtype(n, 1, 0)) != OM_OK) return st;
    if (om_dtype_size(a->dtype) == 0 || a->dtype == OM_DT_BOOL)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", a->name,
                              om_dtype_name(a->dtype));
    int64_t ta = om_node_int(n, "transA", 0), tb = om_node_int(n, "transB", 0);
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attributes transA=%" PRId64 " and transB=%" PRId64 " must be 0 or 1",
                              ta, tb);
    int64_t M = a->shape.dims[ta ? 1 : 0], Ka = a->shape.dims[ta ? 0 : 1];
    int64_t Kb = b->shape.dims[tb ? 1 : 0], N = b->shape.dims[tb ? 0 : 1];
    if (Ka >= 0 && Kb >= 0 && Ka != Kb) return contraction_error(n, a, b, Ka, Kb);
    om_shape out = {0};
    out.rank = 2;
    out.dims[0] = M, out.dims[1] = N;
    if (M < 0) out.syms[0] = a->shape.syms[ta ? 1 : 0];
    if (N < 0) out.syms[1] = b->shape.syms[tb ? 0 : 1];
    om_value *c = om_node_input(n, 2);
    if (c) {
        if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
        int rc = c->shape.rank;
        bool ok = rc <= 2;
        for (int i = 0; ok && i < rc; i++) {
            int64_t dc = c->shape.dims[i], dt = out.dims[2 - rc + i];
            if (dc >= 0 && dc != 1 && dt >= 0 && dc != dt) ok = false;
        }
        if (!ok) {
            char b1[128], b2[128];
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 2 '%s' %s is not unidirectionally broadcastable to %s",
                                  c->name, om_infer_shape_str(&c->shape, b1, sizeof(b1)),
                                  om_infer_shape_str(&out, b2, sizeof(b2)));
        }
    }
    return om_infer_set_output(g, n, 0, a->dtype, &out);
}
