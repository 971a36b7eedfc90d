/* ScatterElements and ScatterND with reduction none / add / mul / max / min.
 *
 * The output starts as a copy of data (one memcpy), then the updates are applied in index
 * order, sequentially (work_items = 1: duplicate indices with a reduction accumulate, and
 * with `none` the last write wins, as in ONNX Runtime). Index policy: a negative index
 * counts from the end; an index still outside [0, n) is SKIPPED (its update is dropped), so
 * a bad run-time index never writes out of bounds.
 *
 *   ScatterElements  for each position p of indices (rank r): out[p with axis coordinate
 *                    replaced by idx[p]] op= updates[p]. indices may be smaller than data in
 *                    every dim (positions beyond data's dims are skipped as well).
 *   ScatterND        indices [..., k]: each k-tuple addresses a slice of data (the trailing
 *                    r - k dims) that receives the matching slice of updates.
 * Reductions compute f16/bf16 in f32; ints wrap; max/min of floats propagate NaN.
 */
#include "codegen/kernels/tensor_common.h"

#include <string.h>

typedef enum reduction { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN } reduction;

static reduction parse_reduction(const om_node *n, bool *ok)
{
    const char *s = om_node_string(n, "reduction", "none");
    *ok = true;
    if (!strcmp(s, "none"))
        return RED_NONE;
    if (!strcmp(s, "add"))
        return RED_ADD;
    if (!strcmp(s, "mul"))
        return RED_MUL;
    if (!strcmp(s, "max"))
        return RED_MAX;
    if (!strcmp(s, "min"))
        return RED_MIN;
    *ok = false;
    return RED_NONE;
}

/* max/min of 16-bit floats on their bits: no arithmetic in the narrow type (LLVM would
 * otherwise narrow an f32 compare back to bfloat, which baseline x86 lowers with a libcall).
 * The key bits ^ (sign ? 0xffff : 0x8000) orders non-NaN values; NaN in either wins. */
static void half_minmax(om_cg_ctx *cx, om_dtype dt, bool is_max, LLVMValueRef out, LLVMValueRef o, LLVMValueRef upd,
                        LLVMValueRef u)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef a = om_cg_load(cx, OM_DT_UINT16, out, o), c = om_cg_load(cx, OM_DT_UINT16, upd, u);
    LLVMValueRef inf = LLVMConstInt(cx->i16, dt == OM_DT_FLOAT16 ? 0x7c00 : 0x7f80, 0);
    LLVMValueRef mag = LLVMConstInt(cx->i16, 0x7fff, 0), top = LLVMConstInt(cx->i16, 0x8000, 0);
    LLVMValueRef nan_a = LLVMBuildICmp(b, LLVMIntUGT, LLVMBuildAnd(b, a, mag, ""), inf, "");
    LLVMValueRef nan_c = LLVMBuildICmp(b, LLVMIntUGT, LLVMBuildAnd(b, c, mag, ""), inf, "");
    LLVMValueRef fifteen = LLVMConstInt(cx->i16, 15, 0);
    LLVMValueRef ka = LLVMBuildXor(b, a, LLVMBuildOr(b, LLVMBuildAShr(b, a, fifteen, ""), top, ""), "");
    LLVMValueRef kc = LLVMBuildXor(b, c, LLVMBuildOr(b, LLVMBuildAShr(b, c, fifteen, ""), top, ""), "");
    LLVMValueRef keep = LLVMBuildICmp(b, is_max ? LLVMIntUGE : LLVMIntULE, ka, kc, "");
    LLVMValueRef r = LLVMBuildSelect(b, keep, a, c, "");
    r = LLVMBuildSelect(b, nan_c, c, r, "");
    r = LLVMBuildSelect(b, nan_a, a, r, "");
    om_cg_store(cx, OM_DT_UINT16, out, o, r);
}

/* out[o] = red(out[o], upd[u]) */
static void apply(om_cg_ctx *cx, om_dtype dt, reduction red, LLVMValueRef out, LLVMValueRef o, LLVMValueRef upd,
                  LLVMValueRef u)
{
    if (red == RED_NONE) {
        om_dtype mdt = om_cg_tensor_bits_dtype(om_dtype_size(dt));
        om_cg_store(cx, mdt, out, o, om_cg_load(cx, mdt, upd, u));
        return;
    }
    bool half = dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16;
    if (half && (red == RED_MAX || red == RED_MIN)) {
        half_minmax(cx, dt, red == RED_MAX, out, o, upd, u);
        return;
    }
    om_dtype cdt = half ? OM_DT_FLOAT : dt;
    LLVMValueRef a = om_cg_convert(cx, om_cg_load(cx, dt, out, o), dt, cdt);
    LLVMValueRef b = om_cg_convert(cx, om_cg_load(cx, dt, upd, u), dt, cdt);
    bool fl = om_dtype_is_float(cdt);
    LLVMValueRef r;
    switch (red) {
    case RED_ADD: r = fl ? LLVMBuildFAdd(cx->b, a, b, "") : LLVMBuildAdd(cx->b, a, b, ""); break;
    case RED_MUL: r = fl ? LLVMBuildFMul(cx->b, a, b, "") : LLVMBuildMul(cx->b, a, b, ""); break;
    case RED_MAX: r = om_cg_max(cx, cdt, a, b); break;
    default: r = om_cg_min(cx, cdt, a, b); break;
    }
    om_cg_store(cx, dt, out, o, om_cg_convert(cx, r, cdt, dt));
}

/* Opens `if (cond) {`; returns the block to continue at after om_cg_tensor_if_end. */
static LLVMBasicBlockRef if_begin(om_cg_ctx *cx, LLVMValueRef cond)
{
    LLVMBasicBlockRef then = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "then");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "endif");
    LLVMBuildCondBr(cx->b, cond, then, done);
    LLVMPositionBuilderAtEnd(cx->b, then);
    return done;
}

static void if_end(om_cg_ctx *cx, LLVMBasicBlockRef done)
{
    LLVMBuildBr(cx->b, done);
    LLVMPositionBuilderAtEnd(cx->b, done);
}

static om_status emit_elements(om_cg_ctx *cx, const om_node *n, reduction red, const om_value *X,
                               const om_value *I, const om_value *U)
{
    int r = X->shape.rank;
    if (I->shape.rank != r || !om_shape_equal(&I->shape, &U->shape) || r < 1)
        return om_cg_unsupported(cx, "indices and updates must have data's rank and equal shapes");
    int64_t a = om_node_int(n, "axis", 0);
    if (a < 0)
        a += r;
    if (a < 0 || a >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)om_node_int(n, "axis", 0), r);
    int64_t total = om_shape_numel(&I->shape);
    if (total == 0)
        return OM_OK;
    int64_t xs[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef py = om_cg_out(cx, 0), pi = om_cg_in(cx, 1), pu = om_cg_in(cx, 2);
    om_cg_loop l;
    LLVMValueRef p = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, total), "p");
    LLVMValueRef idx = om_cg_tensor_wrap(cx, om_cg_tensor_load_index(cx, I->dtype, pi, p), X->shape.dims[a]);
    LLVMValueRef ok = om_cg_tensor_index_ok(cx, idx, X->shape.dims[a]);
    LLVMValueRef off = LLVMBuildMul(b, idx, om_cg_i64(cx, xs[a]), "");
    LLVMValueRef rest = p;
    for (int i = r - 1; i >= 0; i--) {
        int64_t d = I->shape.dims[i];
        LLVMValueRef c = i > 0 ? LLVMBuildURem(b, rest, om_cg_i64(cx, d), "") : rest;
        if (i > 0)
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, d), "");
        if (i == a)
            continue;
        if (d > X->shape.dims[i])
            ok = LLVMBuildAnd(b, ok, om_cg_tensor_index_ok(cx, c, X->shape.dims[i]), "");
        off = om_cg_mad(cx, c, xs[i], off);
    }
    LLVMBasicBlockRef done = if_begin(cx, ok);
    apply(cx, X->dtype, red, py, off, pu, p);
    if_end(cx, done);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

static om_status emit_nd(om_cg_ctx *cx, reduction red, const om_value *X, const om_value *I, const om_value *U)
{
    int r = X->shape.rank, q = I->shape.rank;
    int64_t k = q >= 1 ? I->shape.dims[q - 1] : 0;
    if (k < 1 || k > r)
        return om_cg_unsupported(cx, "index depth %lld for data rank %d", (long long)k, r);
    int64_t tuples = 1, slice = 1;
    for (int i = 0; i < q - 1; i++)
        tuples *= I->shape.dims[i];
    for (int i = (int)k; i < r; i++)
        slice *= X->shape.dims[i];
    if (om_shape_numel(&U->shape) != tuples * slice)
        return om_cg_unsupported(cx, "updates have %lld elements, expected %lld", (long long)om_shape_numel(&U->shape),
                                 (long long)(tuples * slice));
    if (tuples * slice == 0)
        return OM_OK;
    int64_t xs[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef py = om_cg_out(cx, 0), pi = om_cg_in(cx, 1), pu = om_cg_in(cx, 2);
    om_cg_loop l, le;
    LLVMValueRef t = om_cg_for(cx, &l, om_cg_i64(cx, 0), om_cg_i64(cx, tuples), "t");
    LLVMValueRef ok = LLVMConstInt(cx->i1, 1, 0), off = om_cg_i64(cx, 0);
    for (int j = 0; j < k; j++) {
        LLVMValueRef ii = om_cg_tensor_load_index(cx, I->dtype, pi, om_cg_mad(cx, t, k, om_cg_i64(cx, j)));
        ii = om_cg_tensor_wrap(cx, ii, X->shape.dims[j]);
        ok = LLVMBuildAnd(b, ok, om_cg_tensor_index_ok(cx, ii, X->shape.dims[j]), "");
        off = LLVMBuildAdd(b, off, LLVMBuildMul(b, ii, om_cg_i64(cx, xs[j]), ""), "");
    }
    LLVMBasicBlockRef done = if_begin(cx, ok);
    LLVMValueRef ub = om_cg_mul(cx, t, om_cg_i64(cx, slice));
    if (red == RED_NONE) {
        int64_t es = (int64_t)om_dtype_size(X->dtype);
        LLVMValueRef db = LLVMBuildMul(b, off, om_cg_i64(cx, es), ""), sb = om_cg_mul(cx, ub, om_cg_i64(cx, es));
        LLVMValueRef d = LLVMBuildGEP2(b, cx->i8, py, &db, 1, ""), s = LLVMBuildInBoundsGEP2(b, cx->i8, pu, &sb, 1, "");
        om_cg_memcpy(cx, d, s, om_cg_i64(cx, slice * es));
    } else {
        LLVMValueRef e = om_cg_for(cx, &le, om_cg_i64(cx, 0), om_cg_i64(cx, slice), "e");
        apply(cx, X->dtype, red, py, LLVMBuildAdd(b, off, e, ""), pu, om_cg_add(cx, ub, e));
        om_cg_for_end(cx, &le);
    }
    if_end(cx, done);
    om_cg_for_end(cx, &l);
    return OM_OK;
}

om_status om_cg_emit_scatter(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *I = om_node_input(n, 1), *U = om_node_input(n, 2), *Y = n->outputs[0];
    if (!X || !I || !U)
        return om_cg_unsupported(cx, "inputs 0..2 are required");
    size_t es = om_dtype_size(X->dtype);
    if (X->dtype != Y->dtype || U->dtype != X->dtype || om_cg_tensor_bits_dtype(es) == OM_DT_UNDEFINED ||
        !om_cg_type(cx, X->dtype))
        return om_cg_unsupported(cx, "dtype %s not supported", om_dtype_name(X->dtype));
    if (I->dtype != OM_DT_INT64 && I->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "indices dtype %s (i32 or i64 expected)", om_dtype_name(I->dtype));
    if (!om_shape_equal(&X->shape, &Y->shape))
        return om_cg_unsupported(cx, "output shape differs from data's");
    bool ok;
    reduction red = parse_reduction(n, &ok);
    if (!ok)
        return om_cg_unsupported(cx, "reduction '%s'", om_node_string(n, "reduction", ""));
    if (red != RED_NONE && X->dtype == OM_DT_BOOL)
        return om_cg_unsupported(cx, "reduction on bool data");
    int64_t nbytes = om_shape_numel(&X->shape) * (int64_t)es;
    if (nbytes > 0)
        om_cg_memcpy(cx, om_cg_out(cx, 0), om_cg_in(cx, 0), om_cg_i64(cx, nbytes));
    if (nbytes == 0)
        return OM_OK;
    return n->op == OM_OP_SCATTER_ND ? emit_nd(cx, red, X, I, U) : emit_elements(cx, n, red, X, I, U);
}
