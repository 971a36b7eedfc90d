/* Pad(data, pads, constant_value?, axes?) in modes constant, reflect and edge.
 *
 * pads (and axes, when given) are constants: pads[k] / pads[k + n] are the begin / end
 * pads of axis axes[k] (all axes when absent); negative pads crop. With t = out - begin the
 * source coordinate along an axis of size D is
 *   constant  t when 0 <= t < D, else the constant value (constant_value input, any
 *             dtype, converted; 0 when absent), read at run time
 *   edge      clamp(t, 0, D - 1)
 *   reflect   t folded into [0, D) by reflection about 0 and D - 1 (period 2(D - 1), any
 *             pad size; D = 1 reads element 0)
 * Work items are the output rows (all dims but the last); the source row and its validity
 * are computed once per row; along the innermost dim the two pads map each element and the
 * middle run copies the source row contiguously. Loads always use
 * an in-range (clamped) coordinate, so nothing is read out of bounds even for a masked
 * element. Any dtype of element size 1/2/4/8.
 *
 * Run-time pads or axes (the model declared the output shape, passes/infer/tensor_index.c):
 * the begin offsets are loaded at run time and every axis's begin + end must give the
 * compiled output dim, with begin in [-in, out] (OM_ART_CHECK_SHAPE_VALUE); the three runs
 * of the innermost dim then have run-time bounds. Constant pads keep constant offsets.
 */
#include "codegen/kernels/tensor_common.h"

#include <string.h>

typedef enum pad_mode { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } pad_mode;

/* Source coordinate for t along an axis of size d (d >= 1); *valid for constant mode. */
static LLVMValueRef map_coord(om_cg_ctx *cx, pad_mode mode, LLVMValueRef t, int64_t d, LLVMValueRef *valid)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = om_cg_i64(cx, 0), last = om_cg_i64(cx, d - 1);
    if (mode == PAD_REFLECT) {
        if (d == 1)
            return zero;
        int64_t p = 2 * (d - 1);
        LLVMValueRef m = LLVMBuildSRem(b, t, om_cg_i64(cx, p), "");
        LLVMValueRef neg = LLVMBuildICmp(b, LLVMIntSLT, m, zero, "");
        m = LLVMBuildSelect(b, neg, LLVMBuildAdd(b, m, om_cg_i64(cx, p), ""), m, "");
        LLVMValueRef hi = LLVMBuildICmp(b, LLVMIntSGE, m, om_cg_i64(cx, d), "");
        return LLVMBuildSelect(b, hi, LLVMBuildSub(b, om_cg_i64(cx, p), m, ""), m, "src");
    }
    if (valid)
        *valid = om_cg_tensor_index_ok(cx, t, d);
    LLVMValueRef lo = LLVMBuildICmp(b, LLVMIntSLT, t, zero, "");
    LLVMValueRef c = LLVMBuildSelect(b, lo, zero, t, "");
    LLVMValueRef hi = LLVMBuildICmp(b, LLVMIntSGT, c, last, "");
    return LLVMBuildSelect(b, hi, last, c, "src");
}

/* Whether input i is present and computed at run time. */
static bool is_runtime(const om_node *n, int i)
{
    const om_value *v = om_node_input(n, i);
    return v && (v->kind != OM_VALUE_CONSTANT || !v->data);
}

/* Constant pads/axes: the begin pad of every axis as constants; the output dims must be
 * what the pads give. */
static om_status const_begins(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y,
                              LLVMValueRef *begin)
{
    int r = X->shape.rank;
    int64_t pads[2 * OM_MAX_RANK], axes[OM_MAX_RANK], b[OM_MAX_RANK] = {0};
    int np, na = r;
    if (!om_cg_tensor_const_ints(om_node_input(n, 1), pads, 2 * OM_MAX_RANK, &np))
        return om_cg_unsupported(cx, "pads must be a constant int tensor");
    if (om_node_input(n, 3)) {
        if (!om_cg_tensor_const_ints(om_node_input(n, 3), axes, OM_MAX_RANK, &na))
            return om_cg_unsupported(cx, "axes must be a constant int tensor");
    } else {
        for (int i = 0; i < r; i++)
            axes[i] = i;
    }
    if (np != 2 * na)
        return om_cg_unsupported(cx, "%d pads for %d axes", np, na);
    for (int k = 0; k < na; k++) {
        int64_t a = axes[k] < 0 ? axes[k] + r : axes[k];
        if (a < 0 || a >= r)
            return om_cg_unsupported(cx, "axis %lld out of range", (long long)axes[k]);
        b[a] = pads[k];
        if (X->shape.dims[a] + pads[k] + pads[k + na] != Y->shape.dims[a])
            return om_cg_unsupported(cx, "output dim %lld does not match the pads", (long long)a);
    }
    for (int i = 0; i < r; i++)
        begin[i] = om_cg_i64(cx, b[i]);
    return OM_OK;
}

/* Element k of the i32/i64 input i (constant or run-time) as i64. */
static LLVMValueRef int_at(om_cg_ctx *cx, const om_node *n, int i, int64_t k)
{
    const om_value *v = om_node_input(n, i);
    return om_cg_tensor_load_index(cx, v->dtype, om_cg_in(cx, i), om_cg_i64(cx, k));
}

/* Run-time pads or axes: per entry k its axis (negative counts from the end; out of range
 * or repeated fails the check) selects the dim whose begin/end pads it sets; every dim's
 * begin + end must give the compiled output dim (OM_ART_CHECK_SHAPE_VALUE). The begins are
 * run-time values. */
static om_status runtime_begins(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y,
                                LLVMValueRef *begin)
{
    LLVMBuilderRef b = cx->b;
    int r = X->shape.rank;
    const om_value *P = om_node_input(n, 1), *A = om_node_input(n, 3);
    int64_t np = om_shape_numel(&P->shape), na = A ? om_shape_numel(&A->shape) : r;
    if ((P->dtype != OM_DT_INT64 && P->dtype != OM_DT_INT32) || P->shape.rank > 1 ||
        (A && ((A->dtype != OM_DT_INT64 && A->dtype != OM_DT_INT32) || A->shape.rank > 1)))
        return om_cg_unsupported(cx, "pads and axes must be i32/i64 1-D tensors");
    if (np != 2 * na || na > r)
        return om_cg_unsupported(cx, "%lld pads for %lld axes (rank %d)", (long long)np, (long long)na, r);
    LLVMValueRef end[OM_MAX_RANK], seen[OM_MAX_RANK], ok = LLVMConstInt(cx->i1, 1, 0);
    for (int a = 0; a < r; a++) {
        begin[a] = end[a] = om_cg_i64(cx, 0);
        seen[a] = LLVMConstInt(cx->i1, 0, 0);
    }
    for (int64_t k = 0; k < na; k++) {
        LLVMValueRef pb = int_at(cx, n, 1, k), pe = int_at(cx, n, 1, k + na), ax = NULL;
        if (A) {
            ax = om_cg_tensor_wrap(cx, int_at(cx, n, 3, k), r);
            ok = LLVMBuildAnd(b, ok, om_cg_tensor_index_ok(cx, ax, r), "");
        }
        for (int a = 0; a < r; a++) {
            if (!A && a != k)
                continue;
            LLVMValueRef is = A ? LLVMBuildICmp(b, LLVMIntEQ, ax, om_cg_i64(cx, a), "") : LLVMConstInt(cx->i1, 1, 0);
            ok = LLVMBuildAnd(b, ok, LLVMBuildNot(b, LLVMBuildAnd(b, is, seen[a], ""), ""), "");
            seen[a] = LLVMBuildOr(b, seen[a], is, "");
            begin[a] = LLVMBuildSelect(b, is, pb, begin[a], "");
            end[a] = LLVMBuildSelect(b, is, pe, end[a], "");
        }
    }
    for (int a = 0; a < r; a++) {
        /* begin in [-in, out] (then begin + end = out - in cannot have wrapped) */
        int64_t d = X->shape.dims[a], o = Y->shape.dims[a];
        LLVMValueRef shifted = LLVMBuildAdd(b, begin[a], om_cg_i64(cx, d), "");
        ok = LLVMBuildAnd(b, ok, om_cg_tensor_index_ok(cx, shifted, o + d + 1), "");
        LLVMValueRef sum = LLVMBuildAdd(b, begin[a], end[a], "");
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntEQ, sum, om_cg_i64(cx, o - d), ""), "");
    }
    om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
    return OM_OK;
}

/* max/min of two i64 values as icmp + select (folded when both are constants) */
static LLVMValueRef select_max(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSGT, a, b, ""), a, b, "");
}

static LLVMValueRef select_min(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildICmp(cx->b, LLVMIntSLT, a, b, ""), a, b, "");
}

om_status om_cg_emit_pad(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0], *CV = om_node_input(n, 2);
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype dt = X->dtype;
    size_t es = om_dtype_size(dt);
    if (Y->dtype != dt || !om_cg_type(cx, dt) || om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(dt));
    if (CV && !om_cg_type(cx, CV->dtype))
        return om_cg_unsupported(cx, "constant_value dtype %s not supported", om_dtype_name(CV->dtype));
    int r = X->shape.rank;
    if (Y->shape.rank != r)
        return om_cg_unsupported(cx, "output rank %d differs from input rank %d", Y->shape.rank, r);
    const char *ms = om_node_string(n, "mode", "constant");
    pad_mode mode = !strcmp(ms, "reflect") ? PAD_REFLECT : !strcmp(ms, "edge") ? PAD_EDGE : PAD_CONSTANT;
    if (mode == PAD_CONSTANT && strcmp(ms, "constant") != 0)
        return om_cg_unsupported(cx, "mode '%s'", ms);
    LLVMValueRef begin[OM_MAX_RANK];
    bool rt = is_runtime(n, 1) || is_runtime(n, 3);
    om_status st = rt ? runtime_begins(cx, n, X, Y, begin) : const_begins(cx, n, X, Y, begin);
    if (st != OM_OK)
        return st;
    int64_t total = om_shape_numel(&Y->shape);
    if (total == 0)
        return OM_OK;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    if (r == 0) {
        om_cg_memcpy(cx, py, px, om_cg_i64(cx, (int64_t)es));
        return OM_OK;
    }
    LLVMValueRef cval = CV ? om_cg_convert(cx, om_cg_load(cx, CV->dtype, om_cg_in(cx, 2), om_cg_i64(cx, 0)),
                                           CV->dtype, dt)
                           : LLVMConstNull(om_cg_type(cx, dt));
    if (om_shape_numel(&X->shape) == 0) {
        if (mode != PAD_CONSTANT)
            return om_cg_unsupported(cx, "mode '%s' on an empty input", ms);
        om_cg_loop l;
        LLVMValueRef i = om_cg_for_work(cx, &l, total, "i");
        om_cg_store(cx, dt, py, i, cval);
        om_cg_for_end(cx, &l);
        return OM_OK;
    }
    int64_t xs[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    int64_t rows = total / Y->shape.dims[r - 1], w_last = Y->shape.dims[r - 1];
    om_cg_loop lr, lj;
    LLVMValueRef w = om_cg_for_work(cx, &lr, rows, "row");
    LLVMValueRef rest = w, sbase = om_cg_i64(cx, 0), rvalid = LLVMConstInt(cx->i1, 1, 0);
    for (int i = r - 2; i >= 0; i--) {
        int64_t d = Y->shape.dims[i];
        LLVMValueRef c = i > 0 ? LLVMBuildURem(b, rest, om_cg_i64(cx, d), "") : rest;
        if (i > 0)
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, d), "");
        LLVMValueRef t = LLVMBuildSub(b, c, begin[i], "");
        LLVMValueRef v = NULL;
        LLVMValueRef s = map_coord(cx, mode, t, X->shape.dims[i], mode == PAD_CONSTANT ? &v : NULL);
        if (v)
            rvalid = LLVMBuildAnd(b, rvalid, v, "");
        sbase = om_cg_mad(cx, s, xs[i], sbase);
    }
    LLVMValueRef ybase = om_cg_mul(cx, w, om_cg_i64(cx, w_last));
    /* the innermost dim in three runs: the begin pad and the end pad map every element;
     * the middle [mid_lo, mid_hi) reads the input row contiguously (vectorizes) */
    LLVMValueRef bl = begin[r - 1];
    int64_t dl = X->shape.dims[r - 1];
    /* mid_lo = clamp(bl, 0, w_last), mid_hi = clamp(bl + dl, mid_lo, w_last): constants
     * when the pads are (the builder folds them), run-time values otherwise */
    LLVMValueRef mid_lo = select_max(cx, bl, om_cg_i64(cx, 0));
    mid_lo = select_min(cx, mid_lo, om_cg_i64(cx, w_last));
    LLVMValueRef mid_hi = select_min(cx, LLVMBuildAdd(b, bl, om_cg_i64(cx, dl), ""), om_cg_i64(cx, w_last));
    mid_hi = select_max(cx, mid_hi, mid_lo);
    LLVMValueRef run_lo[3] = {om_cg_i64(cx, 0), mid_lo, mid_hi}, run_hi[3] = {mid_lo, mid_hi, om_cg_i64(cx, w_last)};
    for (int run = 0; run < 3; run++) {
        if (LLVMIsAConstantInt(run_lo[run]) && LLVMIsAConstantInt(run_hi[run]) &&
            LLVMConstIntGetSExtValue(run_hi[run]) <= LLVMConstIntGetSExtValue(run_lo[run]))
            continue;
        LLVMValueRef j = om_cg_for(cx, &lj, run_lo[run], run_hi[run], "j");
        LLVMValueRef t = LLVMBuildSub(b, j, bl, "");
        LLVMValueRef v = NULL, s;
        if (run == 1)
            s = t; /* in range by construction */
        else
            s = map_coord(cx, mode, t, dl, mode == PAD_CONSTANT ? &v : NULL);
        LLVMValueRef x = om_cg_load(cx, dt, px, om_cg_add(cx, sbase, s));
        if (mode == PAD_CONSTANT)
            x = LLVMBuildSelect(b, v ? LLVMBuildAnd(b, rvalid, v, "") : rvalid, x, cval, "");
        om_cg_store(cx, dt, py, om_cg_add(cx, ybase, j), x);
        om_cg_for_end(cx, &lj);
    }
    om_cg_for_end(cx, &lr);
    return OM_OK;
}
