/* Reduce*: Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare over a constant
 * set of axes (input 1; absent or empty = all axes, or a copy with noop_with_empty_axes=1).
 *
 * The input is viewed through merged dims: size-1 dims are dropped and neighbouring dims
 * that are both kept or both reduced are merged, leaving alternating kept (K) and reduced
 * (R) groups; the output is the row-major enumeration of K. Two loop shapes:
 *   innermost group kept (size I): work items = (outer K position, block of up to BLOCK
 *       inner positions); an accumulator block lives in a stack array; the R loops run
 *       outside and the block's contiguous positions inside, so the inner loop vectorizes
 *       without reassociation ("accumulate rows").
 *   innermost group reduced (or no R at all): work items = output elements; one scalar
 *       accumulator; the R loops run inside, the innermost contiguous. When that innermost
 *       group is at least VL long (and no f16/bf16 conversion is needed) a <VL x c> vector
 *       accumulator takes whole chunks and its lanes are combined at the end (reduce_pass):
 *       max/min selects, products and LogSumExp's exp all run VL wide.
 * Per element: pre(x) (|x| for L1, x*x for L2/SumSquare, exp(x - max) for LogSumExp after
 * a first max pass), combine (add, mul, max, min), then a finalize step (divide by the
 * count for Mean, sqrt for L2, log for LogSum, log(sum) + max for LogSumExp).
 * Empty reductions (a reduced dim of 0) give the identity, finalized: Sum 0, Prod 1, Max
 * -inf (ints: the dtype's min), Min +inf (dtype max), Mean NaN (ints: 0), LogSum(Exp) -inf.
 * dtypes: f32; f16/bf16 accumulate in f32; f64 in f64 (log/exp at f32 accuracy); integers
 * in their own type (wrapping, as ONNX Runtime), Mean truncates; L2, LogSum, LogSumExp need
 * a float dtype.
 * Axes computed at run time (the shape rule took the declared output shape; an empty axes
 * tensor is static and handled as above): every axis set of that many distinct axes whose
 * reduction gives the compiled output shape is enumerated here; the kernel loads the axes,
 * builds their mask (negative axes count from the end; out of range or repeated is invalid)
 * and returns OM_ART_CHECK_SHAPE_VALUE unless it is one of them. Sets that differ only in
 * size-1 dims give the same data; when the remaining sets still differ (e.g. [3,2,2] ->
 * [3,2] reducing axis 1 or 2), each gets its own loop nest, chosen by the run-time mask,
 * and the kernel runs as a single work item.
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_math.h"
#include "codegen/kernels/rt_shape.h"

#include <math.h>
#include <string.h>

#define BLOCK 256

typedef struct red_plan {
    om_op op;
    om_dtype dt, cdt; /* data and compute dtypes */
    int nk, nr;       /* merged kept / reduced groups, outermost first */
    int64_t ksize[OM_MAX_RANK], kstride[OM_MAX_RANK];
    int64_t rsize[OM_MAX_RANK], rstride[OM_MAX_RANK];
    bool inner_kept;  /* the innermost merged group is kept (and there is a reduced one) */
    int64_t count;    /* elements per reduction */
    bool serial;      /* the outer loop is a plain loop, not the kernel's work loop */
} red_plan;

/* The outer loop over `extent` items: the kernel's work loop unless p->serial. */
static LLVMValueRef work_for(om_cg_ctx *cx, const red_plan *p, om_cg_loop *l, int64_t extent)
{
    if (p->serial)
        return om_cg_for(cx, l, om_cg_i64(cx, 0), om_cg_i64(cx, extent), "w");
    return om_cg_for_work(cx, l, extent, "w");
}

/* ---- per-op element functions ---------------------------------------------------------- */

static LLVMValueRef cconst(om_cg_ctx *cx, om_dtype cdt, double v) { return om_cg_const(cx, cdt, v); }

static LLVMValueRef identity(om_cg_ctx *cx, const red_plan *p, bool max_pass)
{
    om_dtype c = p->cdt;
    bool fl = om_dtype_is_float(c);
    if (max_pass || p->op == OM_OP_REDUCE_MAX) {
        if (fl)
            return LLVMConstReal(om_cg_type(cx, c), -INFINITY);
        if (om_dtype_is_unsigned_int(c))
            return LLVMConstInt(om_cg_type(cx, c), 0, 0);
        return cconst(cx, c, -ldexp(1.0, (int)om_dtype_size(c) * 8 - 1));
    }
    if (p->op == OM_OP_REDUCE_MIN) {
        if (fl)
            return LLVMConstReal(om_cg_type(cx, c), INFINITY);
        if (om_dtype_is_unsigned_int(c))
            return LLVMConstAllOnes(om_cg_type(cx, c));
        return cconst(cx, c, ldexp(1.0, (int)om_dtype_size(c) * 8 - 1) - 1); /* i64: clamped to INT64_MAX */
    }
    return cconst(cx, c, p->op == OM_OP_REDUCE_PROD ? 1 : 0);
}

/* f32 math on a compute-type value (f64 through f32) */
static LLVMValueRef via_f32(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef v,
                            LLVMValueRef (*fn)(om_cg_ctx *, LLVMValueRef))
{
    return om_cg_convert(cx, fn(cx, om_cg_convert(cx, v, cdt, OM_DT_FLOAT)), OM_DT_FLOAT, cdt);
}

/* A shift for LogSumExp: the max unless it is infinite (then 0). */
static LLVMValueRef lse_shift(om_cg_ctx *cx, om_dtype cdt, LLVMValueRef m)
{
    LLVMValueRef a = om_cg_intrinsic(cx, "llvm.fabs", &m, 1);
    LLVMValueRef inf = LLVMBuildFCmp(cx->b, LLVMRealOEQ, a, cconst(cx, cdt, INFINITY), "");
    return LLVMBuildSelect(cx->b, inf, cconst(cx, cdt, 0), m, "shift");
}

static LLVMValueRef fast(LLVMValueRef v)
{
    if (LLVMIsAInstruction(v))
        LLVMSetFastMathFlags(v, LLVMFastMathAllowReassoc);
    return v;
}

/* pre(x): |x| for L1, x*x for L2/SumSquare, exp(x - shift) for LogSumExp (shift from
 * lse_shift, scalar or splat like x), else x. Works on scalars and vectors. */
static LLVMValueRef pre(om_cg_ctx *cx, const red_plan *p, LLVMValueRef x, bool max_pass, LLVMValueRef shift)
{
    LLVMBuilderRef b = cx->b;
    om_dtype c = p->cdt;
    bool fl = om_dtype_is_float(c);
    if (max_pass)
        return x;
    switch (p->op) {
    case OM_OP_REDUCE_L1:
        if (fl)
            return om_cg_intrinsic(cx, "llvm.fabs", &x, 1);
        if (om_dtype_is_signed_int(c))
            return LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, x, LLVMConstNull(LLVMTypeOf(x)), ""),
                                   LLVMBuildNeg(b, x, ""), x, "");
        return x;
    case OM_OP_REDUCE_L2:
    case OM_OP_REDUCE_SUM_SQUARE:
        return fl ? LLVMBuildFMul(b, x, x, "") : LLVMBuildMul(b, x, x, "");
    case OM_OP_REDUCE_LOG_SUM_EXP:
        return via_f32(cx, c, LLVMBuildFSub(b, x, shift, ""), om_cg_exp_f32);
    default:
        return x;
    }
}

/* acc <- acc (+ * max min) v, scalars or vectors */
static LLVMValueRef combine(om_cg_ctx *cx, const red_plan *p, LLVMValueRef acc, LLVMValueRef v, bool max_pass)
{
    LLVMBuilderRef b = cx->b;
    om_dtype c = p->cdt;
    bool fl = om_dtype_is_float(c);
    if (max_pass || p->op == OM_OP_REDUCE_MAX)
        return om_cg_max(cx, c, acc, v);
    if (p->op == OM_OP_REDUCE_MIN)
        return om_cg_min(cx, c, acc, v);
    if (p->op == OM_OP_REDUCE_PROD)
        return fl ? fast(LLVMBuildFMul(b, acc, v, "")) : LLVMBuildMul(b, acc, v, "");
    return fl ? fast(LLVMBuildFAdd(b, acc, v, "")) : LLVMBuildAdd(b, acc, v, "");
}

/* acc <- combine(acc, pre(x)); m is the LogSumExp max (scalar; NULL in the max pass / other ops) */
static LLVMValueRef step(om_cg_ctx *cx, const red_plan *p, LLVMValueRef acc, LLVMValueRef x, bool max_pass,
                         LLVMValueRef m)
{
    LLVMValueRef shift = m && !max_pass ? lse_shift(cx, p->cdt, m) : NULL;
    return combine(cx, p, acc, pre(cx, p, x, max_pass, shift), max_pass);
}

static LLVMValueRef finalize(om_cg_ctx *cx, const red_plan *p, LLVMValueRef acc, LLVMValueRef m)
{
    LLVMBuilderRef b = cx->b;
    om_dtype c = p->cdt;
    switch (p->op) {
    case OM_OP_REDUCE_MEAN:
        if (om_dtype_is_float(c))
            return LLVMBuildFDiv(b, acc, cconst(cx, c, (double)p->count), "mean");
        if (p->count == 0)
            return cconst(cx, c, 0);
        { /* the (wrapped) sum divided in 64 bits: the count may not fit the element type */
            om_dtype w = om_dtype_is_signed_int(c) ? OM_DT_INT64 : OM_DT_UINT64;
            LLVMValueRef s = om_cg_convert(cx, acc, c, w), k = om_cg_i64(cx, p->count);
            s = w == OM_DT_INT64 ? LLVMBuildSDiv(b, s, k, "mean") : LLVMBuildUDiv(b, s, k, "mean");
            return om_cg_convert(cx, s, w, c);
        }
    case OM_OP_REDUCE_L2:
        return om_cg_intrinsic(cx, "llvm.sqrt", &acc, 1);
    case OM_OP_REDUCE_LOG_SUM:
        return via_f32(cx, c, acc, om_cg_log_f32);
    case OM_OP_REDUCE_LOG_SUM_EXP:
        return LLVMBuildFAdd(b, via_f32(cx, c, acc, om_cg_log_f32), lse_shift(cx, c, m), "lse");
    default:
        return acc;
    }
}

/* ---- planning -------------------------------------------------------------------------- */

static om_status plan_axes(om_cg_ctx *cx, red_plan *p, const om_value *x, const om_value *y, const bool *red);

/* Clears p and fills op and dtypes after checking them and the shapes. */
static om_status plan_dtypes(om_cg_ctx *cx, const om_node *n, red_plan *p)
{
    const om_value *x = om_node_input(n, 0), *y = n->outputs[0];
    memset(p, 0, sizeof *p);
    if (!x)
        return om_cg_unsupported(cx, "input 0 is required");
    if (!om_shape_is_static(&x->shape) || !om_shape_is_static(&y->shape))
        return om_cg_unsupported(cx, "shapes must be static");
    p->op = n->op;
    p->dt = x->dtype;
    if (y->dtype != p->dt || !om_cg_type(cx, p->dt) || p->dt == OM_DT_BOOL)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(p->dt));
    bool fl = om_dtype_is_float(p->dt);
    if (!fl && (p->op == OM_OP_REDUCE_L2 || p->op == OM_OP_REDUCE_LOG_SUM || p->op == OM_OP_REDUCE_LOG_SUM_EXP))
        return om_cg_unsupported(cx, "dtype %s: needs a floating type", om_dtype_name(p->dt));
    p->cdt = !fl ? p->dt : p->dt == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT;
    return OM_OK;
}

static om_status plan(om_cg_ctx *cx, const om_node *n, red_plan *p, bool *copy)
{
    const om_value *x = om_node_input(n, 0), *y = n->outputs[0], *ax = om_node_input(n, 1);
    *copy = false;
    om_status st = plan_dtypes(cx, n, p);
    if (st != OM_OK)
        return st;
    int r = x->shape.rank;
    bool red[OM_MAX_RANK] = {0};
    int64_t n_axes = 0;
    if (ax && !om_cg_rt_is_const(ax) && om_shape_numel(&ax->shape) == 0)
        ax = NULL; /* an empty run-time axes tensor: no axes, known statically */
    if (ax) {
        if (ax->kind != OM_VALUE_CONSTANT || (ax->dtype != OM_DT_INT64 && ax->dtype != OM_DT_INT32))
            return om_cg_unsupported(cx, "input 1 (axes) must be a constant int64 tensor");
        n_axes = om_shape_numel(&ax->shape);
        size_t es = om_dtype_size(ax->dtype);
        if (n_axes < 0 || (n_axes > 0 && (!ax->data || ax->nbytes < (size_t)n_axes * es)))
            return om_cg_unsupported(cx, "input 1 (axes) has no data");
        for (int64_t k = 0; k < n_axes; k++) {
            int64_t a;
            if (es == 8) {
                memcpy(&a, (const char *)ax->data + k * 8, 8);
            } else {
                int32_t t;
                memcpy(&t, (const char *)ax->data + k * 4, 4);
                a = t;
            }
            if (a < -r || a >= r)
                return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)a, r);
            red[a < 0 ? a + r : a] = true;
        }
    }
    if (n_axes == 0) {
        if (om_node_int(n, "noop_with_empty_axes", 0)) {
            *copy = true;
            return OM_OK;
        }
        for (int i = 0; i < r; i++)
            red[i] = true;
    }
    return plan_axes(cx, p, x, y, red);
}

/* The merged groups of a reduction of x over the axes red[] (see the top comment). */
static om_status plan_axes(om_cg_ctx *cx, red_plan *p, const om_value *x, const om_value *y, const bool *red)
{
    int r = x->shape.rank;
    p->nk = p->nr = 0;
    /* merge: drop size-1 dims, fuse neighbours of the same kind */
    int64_t size[OM_MAX_RANK];
    bool kind[OM_MAX_RANK];
    int m = 0;
    p->count = 1;
    for (int i = 0; i < r; i++) {
        int64_t d = x->shape.dims[i];
        if (red[i])
            p->count *= d;
        if (d == 1)
            continue;
        if (m > 0 && kind[m - 1] == red[i]) {
            size[m - 1] *= d;
        } else {
            size[m] = d;
            kind[m++] = red[i];
        }
    }
    int64_t stride = 1;
    int64_t st[OM_MAX_RANK];
    for (int i = m - 1; i >= 0; i--) {
        st[i] = stride;
        stride *= size[i];
    }
    for (int i = 0; i < m; i++) {
        if (kind[i]) {
            p->rsize[p->nr] = size[i];
            p->rstride[p->nr++] = st[i];
        } else {
            p->ksize[p->nk] = size[i];
            p->kstride[p->nk++] = st[i];
        }
    }
    p->inner_kept = m > 0 && !kind[m - 1] && p->nr > 0;
    int64_t kept = 1;
    for (int i = 0; i < p->nk; i++)
        kept *= p->ksize[i];
    if (kept != om_shape_numel(&y->shape))
        return om_cg_unsupported(cx, "output has %lld elements, the reduction gives %lld",
                                 (long long)om_shape_numel(&y->shape), (long long)kept);
    return OM_OK;
}

/* Offset (elements) of the kept groups [0, nk) at flat kept index idx. */
static LLVMValueRef kept_offset(om_cg_ctx *cx, const red_plan *p, int nk, LLVMValueRef idx)
{
    LLVMValueRef off = om_cg_i64(cx, 0);
    for (int i = nk - 1; i >= 0; i--) {
        LLVMValueRef q = idx;
        if (i > 0) {
            q = LLVMBuildURem(cx->b, idx, om_cg_i64(cx, p->ksize[i]), "");
            idx = LLVMBuildUDiv(cx->b, idx, om_cg_i64(cx, p->ksize[i]), "");
        }
        off = om_cg_mad(cx, q, p->kstride[i], off);
    }
    return off;
}

/* Opens the loops over the reduced groups [0, nr) (all of them when nr = p->nr); returns
 * the element offset added to base. */
static LLVMValueRef open_red(om_cg_ctx *cx, const red_plan *p, int nr, om_cg_loop *loops, LLVMValueRef base)
{
    LLVMValueRef off = base;
    for (int i = 0; i < nr; i++) {
        LLVMValueRef iv = om_cg_for(cx, &loops[i], om_cg_i64(cx, 0), om_cg_i64(cx, p->rsize[i]), "r");
        off = om_cg_mad(cx, iv, p->rstride[i], off);
    }
    return off;
}

static void close_red(om_cg_ctx *cx, int nr, om_cg_loop *loops)
{
    for (int i = nr - 1; i >= 0; i--)
        om_cg_for_end(cx, &loops[i]);
}

/* ---- innermost group kept: blocks of inner positions accumulate rows --------------------- */

static void emit_rows(om_cg_ctx *cx, const red_plan *p)
{
    LLVMBuilderRef b = cx->b;
    om_dtype dt = p->dt, c = p->cdt;
    LLVMTypeRef ct = om_cg_type(cx, c);
    bool lse = p->op == OM_OP_REDUCE_LOG_SUM_EXP;
    int64_t inner = p->ksize[p->nk - 1];
    int64_t outer = 1;
    for (int i = 0; i < p->nk - 1; i++)
        outer *= p->ksize[i];
    int64_t bs = inner < BLOCK ? inner : BLOCK, nb = (inner + bs - 1) / bs;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), zero = om_cg_i64(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "acc");
    LLVMValueRef mx = lse ? om_cg_alloca(cx, LLVMArrayType2(ct, (uint64_t)bs), "max") : NULL;

    om_cg_loop lw, li, lr[OM_MAX_RANK];
    LLVMValueRef w = work_for(cx, p, &lw, outer * nb);
    LLVMValueRef o = w, i0 = zero, cnt = om_cg_i64(cx, bs);
    if (nb > 1) {
        o = LLVMBuildUDiv(b, w, om_cg_i64(cx, nb), "o");
        i0 = om_cg_mul(cx, LLVMBuildURem(b, w, om_cg_i64(cx, nb), ""), om_cg_i64(cx, bs));
        LLVMValueRef rest = LLVMBuildSub(b, om_cg_i64(cx, inner), i0, "");
        cnt = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rest, cnt, ""), rest, cnt, "cnt");
    }
    LLVMValueRef base = om_cg_add(cx, kept_offset(cx, p, p->nk - 1, o), i0); /* inner stride is 1 */
    for (int pass = lse ? 0 : 1; pass < 2; pass++) {
        bool max_pass = pass == 0;
        LLVMValueRef a = max_pass ? mx : acc;
        LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
        om_cg_store(cx, c, a, i, identity(cx, p, max_pass));
        om_cg_for_end(cx, &li);
        LLVMValueRef off = open_red(cx, p, p->nr, lr, base);
        i = om_cg_for(cx, &li, zero, cnt, "i");
        LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, om_cg_add(cx, off, i)), dt, c);
        LLVMValueRef m = max_pass || !lse ? NULL : om_cg_load(cx, c, mx, i);
        om_cg_store(cx, c, a, i, step(cx, p, om_cg_load(cx, c, a, i), x, max_pass, m));
        om_cg_for_end(cx, &li);
        close_red(cx, p->nr, lr);
    }
    LLVMValueRef ob = om_cg_add(cx, om_cg_mul(cx, o, om_cg_i64(cx, inner)), i0);
    LLVMValueRef i = om_cg_for(cx, &li, zero, cnt, "i");
    LLVMValueRef m = lse ? om_cg_load(cx, c, mx, i) : NULL;
    LLVMValueRef v = finalize(cx, p, om_cg_load(cx, c, acc, i), m);
    om_cg_store(cx, dt, py, om_cg_add(cx, ob, i), om_cg_convert(cx, v, c, dt));
    om_cg_for_end(cx, &li);
    om_cg_for_end(cx, &lw);
}

/* ---- innermost group reduced: one accumulator per output ------------------------------- */

static LLVMValueRef splat(om_cg_ctx *cx, LLVMValueRef s, unsigned vl)
{
    LLVMTypeRef vt = LLVMVectorType(LLVMTypeOf(s), vl);
    LLVMValueRef v = LLVMBuildInsertElement(cx->b, LLVMGetUndef(vt), s, om_cg_i32(cx, 0), "");
    return LLVMBuildShuffleVector(cx->b, v, LLVMGetUndef(vt), LLVMConstNull(LLVMVectorType(cx->i32, vl)), "splat");
}

/* <vl x dt> load of elements [index, index + vl) */
static LLVMValueRef vload(om_cg_ctx *cx, om_dtype dt, LLVMValueRef base, LLVMValueRef index, unsigned vl)
{
    LLVMTypeRef t = om_cg_type(cx, dt);
    LLVMValueRef ptr = LLVMBuildInBoundsGEP2(cx->b, t, base, &index, 1, "");
    LLVMValueRef v = LLVMBuildLoad2(cx->b, LLVMVectorType(t, vl), ptr, "");
    LLVMSetAlignment(v, (unsigned)om_dtype_size(dt));
    return v;
}

/* Lanes for the explicit vector path: two 64-byte registers' worth, 8..64. */
static unsigned lanes(om_dtype c)
{
    size_t n = 128 / om_dtype_size(c);
    return (unsigned)(n > 64 ? 64 : n < 8 ? 8 : n);
}

/* One pass over the reduced elements of one output into the scalar slot `a` (initialized
 * here). With the innermost reduced group contiguous and at least VL long (and no 16-bit
 * float conversion), a <VL x c> accumulator takes the whole chunks and its lanes are
 * combined at the end: min/max (whose NaN-propagating selects LLVM does not vectorize as
 * reductions), products and LogSumExp's exp run VL wide. */
static void reduce_pass(om_cg_ctx *cx, const red_plan *p, LLVMValueRef a, LLVMValueRef va, LLVMValueRef base,
                        bool max_pass, LLVMValueRef m)
{
    LLVMBuilderRef b = cx->b;
    om_dtype dt = p->dt, c = p->cdt;
    LLVMTypeRef ct = om_cg_type(cx, c);
    LLVMValueRef px = om_cg_in(cx, 0);
    om_cg_loop lr[OM_MAX_RANK], lj;
    LLVMValueRef shift = m && !max_pass ? lse_shift(cx, c, m) : NULL;
    LLVMBuildStore(b, identity(cx, p, max_pass), a);
    if (!va) {
        LLVMValueRef off = open_red(cx, p, p->nr, lr, base);
        LLVMValueRef x = om_cg_convert(cx, om_cg_load(cx, dt, px, off), dt, c);
        LLVMBuildStore(b, combine(cx, p, LLVMBuildLoad2(b, ct, a, ""), pre(cx, p, x, max_pass, shift), max_pass), a);
        close_red(cx, p->nr, lr);
        return;
    }
    unsigned vl = lanes(c);
    int64_t len = p->rsize[p->nr - 1], nv = len / vl;
    LLVMTypeRef vt = LLVMVectorType(ct, vl);
    LLVMBuildStore(b, splat(cx, identity(cx, p, max_pass), vl), va);
    LLVMValueRef vshift = shift ? splat(cx, shift, vl) : NULL;
    LLVMValueRef off = open_red(cx, p, p->nr - 1, lr, base);
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, nv), "j");
    LLVMValueRef xv = vload(cx, dt, px, om_cg_mad(cx, j, vl, off), vl);
    LLVMBuildStore(b, combine(cx, p, LLVMBuildLoad2(b, vt, va, ""), pre(cx, p, xv, max_pass, vshift), max_pass), va);
    om_cg_for_end(cx, &lj);
    j = om_cg_for(cx, &lj, om_cg_i64(cx, nv * vl), om_cg_i64(cx, len), "t");
    LLVMValueRef x = om_cg_load(cx, dt, px, om_cg_add(cx, off, j));
    LLVMBuildStore(b, combine(cx, p, LLVMBuildLoad2(b, ct, a, ""), pre(cx, p, x, max_pass, shift), max_pass), a);
    om_cg_for_end(cx, &lj);
    close_red(cx, p->nr - 1, lr);
    LLVMValueRef v = LLVMBuildLoad2(b, vt, va, ""), s = LLVMBuildLoad2(b, ct, a, "");
    for (unsigned l = 0; l < vl; l++)
        s = combine(cx, p, s, LLVMBuildExtractElement(b, v, om_cg_i32(cx, (int32_t)l), ""), max_pass);
    LLVMBuildStore(b, s, a);
}

static void emit_scalar(om_cg_ctx *cx, const red_plan *p)
{
    om_dtype dt = p->dt, c = p->cdt;
    LLVMTypeRef ct = om_cg_type(cx, c);
    bool lse = p->op == OM_OP_REDUCE_LOG_SUM_EXP;
    int64_t outs = 1;
    for (int i = 0; i < p->nk; i++)
        outs *= p->ksize[i];
    bool vec = p->nr > 0 && p->rstride[p->nr - 1] == 1 && dt == c && p->rsize[p->nr - 1] >= (int64_t)lanes(c);
    LLVMValueRef py = om_cg_out(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, ct, "acc"), mx = lse ? om_cg_alloca(cx, ct, "max") : NULL;
    LLVMValueRef va = vec ? om_cg_alloca(cx, LLVMVectorType(ct, lanes(c)), "vacc") : NULL;
    om_cg_loop lw;
    LLVMValueRef w = work_for(cx, p, &lw, outs);
    LLVMValueRef base = kept_offset(cx, p, p->nk, w);
    if (lse)
        reduce_pass(cx, p, mx, va, base, true, NULL);
    LLVMValueRef m = lse ? LLVMBuildLoad2(cx->b, ct, mx, "m") : NULL;
    reduce_pass(cx, p, acc, va, base, false, m);
    LLVMValueRef v = finalize(cx, p, LLVMBuildLoad2(cx->b, ct, acc, ""), m);
    om_cg_store(cx, dt, py, w, om_cg_convert(cx, v, c, dt));
    om_cg_for_end(cx, &lw);
}

static void emit_plan(om_cg_ctx *cx, const red_plan *p)
{
    if (p->inner_kept)
        emit_rows(cx, p);
    else
        emit_scalar(cx, p);
}

/* Axes from a non-empty run-time input: check them, then one loop nest per distinct
 * reduction that gives the compiled output (see the top comment). p holds the dtypes. */
static om_status emit_runtime_axes(om_cg_ctx *cx, const om_node *n, red_plan *p)
{
    const om_value *x = om_node_input(n, 0), *y = n->outputs[0], *ax = om_node_input(n, 1);
    if (ax->dtype != OM_DT_INT64 && ax->dtype != OM_DT_INT32)
        return om_cg_unsupported(cx, "input 1 (axes) has dtype %s, expected i64", om_dtype_name(ax->dtype));
    int r = x->shape.rank;
    int64_t k = om_shape_numel(&ax->shape);
    bool keep = om_node_int(n, "keepdims", 1) != 0;
    if (k < 1 || k > r)
        return om_cg_unsupported(cx, "input 1 (axes) has %lld values for rank %d", (long long)k, r);
    uint64_t valid[1 << OM_MAX_RANK], variant[1 << OM_MAX_RANK], nonone = 0;
    int nv = 0, nvar = 0;
    for (int i = 0; i < r; i++)
        if (x->shape.dims[i] != 1)
            nonone |= (uint64_t)1 << i;
    for (uint64_t m = 0; m < ((uint64_t)1 << r); m++) {
        if (__builtin_popcountll(m) != k)
            continue;
        om_shape o = {0};
        for (int i = 0; i < r; i++)
            if (!(m >> i & 1))
                o.dims[o.rank++] = x->shape.dims[i];
            else if (keep)
                o.dims[o.rank++] = 1;
        if (o.rank != y->shape.rank || memcmp(o.dims, y->shape.dims, sizeof(int64_t) * (size_t)o.rank) != 0)
            continue;
        valid[nv++] = m;
        bool seen = false;
        for (int j = 0; j < nvar; j++)
            seen |= variant[j] == (m & nonone);
        if (!seen)
            variant[nvar++] = m & nonone;
    }
    if (nv == 0)
        return om_cg_unsupported(cx, "no %lld axes reduce the input to the output shape", (long long)k);
    LLVMValueRef ok = NULL;
    LLVMValueRef mask = om_cg_rt_axes_mask(cx, 1, k, r, &ok);
    om_cg_rt_check(cx, om_cg_rt_and_mask_in(cx, ok, mask, valid, nv));
    if (om_shape_numel(&y->shape) == 0)
        return OM_OK;
    bool red[OM_MAX_RANK];
    if (nvar == 1) {
        for (int i = 0; i < r; i++)
            red[i] = valid[0] >> i & 1;
        om_status st = plan_axes(cx, p, x, y, red);
        if (st == OM_OK)
            emit_plan(cx, p);
        return st;
    }
    p->serial = true;
    LLVMBasicBlockRef end = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "axes_done");
    LLVMValueRef key = LLVMBuildAnd(cx->b, mask, om_cg_i64(cx, (int64_t)nonone), "key");
    LLVMValueRef sw = LLVMBuildSwitch(cx->b, key, end, (unsigned)nvar);
    for (int v = 0; v < nvar; v++) {
        LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, "axes_case");
        LLVMAddCase(sw, om_cg_i64(cx, (int64_t)variant[v]), bb);
        LLVMPositionBuilderAtEnd(cx->b, bb);
        for (int i = 0; i < r; i++)
            red[i] = variant[v] >> i & 1;
        om_status st = plan_axes(cx, p, x, y, red);
        if (st != OM_OK)
            return st;
        emit_plan(cx, p);
        LLVMBuildBr(cx->b, end);
    }
    LLVMPositionBuilderAtEnd(cx->b, end);
    return OM_OK;
}

om_status om_cg_emit_reduce(om_cg_ctx *cx, const om_node *n)
{
    red_plan p;
    bool copy;
    const om_value *ax = om_node_input(n, 1);
    if (ax && !om_cg_rt_is_const(ax) && om_shape_numel(&ax->shape) > 0) {
        om_status st = plan_dtypes(cx, n, &p);
        if (st != OM_OK)
            return st;
        return emit_runtime_axes(cx, n, &p);
    }
    om_status st = plan(cx, n, &p, &copy);
    if (st != OM_OK)
        return st;
    const om_value *x = om_node_input(n, 0), *y = n->outputs[0];
    if (copy) {
        if (!om_shape_equal(&x->shape, &y->shape))
            return om_cg_unsupported(cx, "noop reduction: output shape differs from the input's");
        size_t bytes = (size_t)om_shape_numel(&x->shape) * om_dtype_size(x->dtype);
        if (bytes)
            om_cg_memcpy(cx, om_cg_out(cx, 0), om_cg_in(cx, 0), om_cg_i64(cx, (int64_t)bytes));
        return OM_OK;
    }
    if (om_shape_numel(&y->shape) == 0)
        return OM_OK;
    if (p.inner_kept)
        emit_rows(cx, &p);
    else
        emit_scalar(cx, &p);
    return OM_OK;
}
