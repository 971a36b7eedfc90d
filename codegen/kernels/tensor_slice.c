/* Kernels for Slice and Split (moved out of tensor_view.c): Slice is an affine view of its
 * input through om_cg_tensor_strided_copy (per sliced axis start/step from the starts/ends/
 * axes/steps inputs, same clamping as the shape rule in passes/infer/tensor_index.c; stride =
 * step * input stride, negative steps included; base offset = sum of the starts). Split is
 * the reverse of Concat: per outer index one memcpy per output (work items = product of the
 * dims before the axis). Any dtype (elements moved as integers of their size).
 *
 * Run-time shape inputs (a graph whose output shapes were declared, passes/infer/
 * tensor_index.c): Slice computes each entry's axis, clamped start, step and count at run
 * time, checks the counts against the compiled output dims (OM_ART_CHECK_SHAPE_VALUE) and
 * copies with the run-time base offset and strides; Split checks each run-time part against
 * its output's dim. Constant inputs keep the static path.
 */
#include "codegen/kernels/tensor_common.h"

#include <string.h>

static om_status check_io(om_cg_ctx *cx, const om_node *n, const om_value **X, const om_value **Y)
{
    *X = om_node_input(n, 0);
    *Y = n->outputs[0];
    if (!*X)
        return om_cg_unsupported(cx, "input 0 is required");
    if ((*X)->dtype != (*Y)->dtype || om_cg_tensor_bits_dtype(om_dtype_size((*X)->dtype)) == OM_DT_UNDEFINED)
        return om_cg_unsupported(cx, "dtype %s -> %s not supported by this kernel", om_dtype_name((*X)->dtype),
                                 om_dtype_name((*Y)->dtype));
    return OM_OK;
}

/* Same clamping as the shape rule (passes/infer/tensor_index.c). */
static void slice_axis(int64_t d, int64_t start, int64_t end, int64_t step, int64_t *s_out, int64_t *count)
{
    if (start < 0)
        start += d;
    if (end < 0)
        end += d;
    int64_t c;
    if (step > 0) {
        start = start < 0 ? 0 : start > d ? d : start;
        end = end < 0 ? 0 : end > d ? d : end;
        c = end > start ? (end - start + step - 1) / step : 0;
    } else {
        start = start < 0 ? 0 : start > d - 1 ? d - 1 : start;
        end = end < -1 ? -1 : end > d - 1 ? d - 1 : end;
        c = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    *s_out = start;
    *count = c;
}

/* ---- Slice with run-time starts/ends/axes/steps ------------------------------------------- */

/* Whether input i is present and computed at run time. */
static bool is_runtime(const om_node *n, int i)
{
    const om_value *v = om_node_input(n, i);
    return v && (v->kind != OM_VALUE_CONSTANT || !v->data);
}

/* Element k of index input i (i32/i64, constant or run-time) as an i64 value. */
static LLVMValueRef index_at(om_cg_ctx *cx, const om_node *n, int i, int64_t k)
{
    const om_value *v = om_node_input(n, i);
    int64_t vals[OM_MAX_RANK];
    int cnt;
    if (!is_runtime(n, i) && om_cg_tensor_const_ints(v, vals, OM_MAX_RANK, &cnt) && k < cnt)
        return om_cg_i64(cx, vals[k]);
    return om_cg_tensor_load_index(cx, v->dtype, om_cg_in(cx, i), om_cg_i64(cx, k));
}

static LLVMValueRef clamp_i64(om_cg_ctx *cx, LLVMValueRef v, int64_t lo, int64_t hi)
{
    v = om_cg_max(cx, OM_DT_INT64, v, om_cg_i64(cx, lo));
    return om_cg_min(cx, OM_DT_INT64, v, om_cg_i64(cx, hi));
}

/* The clamping of slice_axis in IR for a dim d known at compile time and run-time start,
 * end, step (step != 0, checked by the caller). The step's magnitude is capped at max(d, 1)
 * (a larger step visits the same single element), so nothing overflows even for
 * INT64_MIN/INT64_MAX values. Gives the clamped start, the capped step and the count; d = 0
 * gives count 0. */
static void slice_axis_ir(om_cg_ctx *cx, int64_t d, LLVMValueRef start, LLVMValueRef end, LLVMValueRef step,
                          LLVMValueRef *s_out, LLVMValueRef *step_out, LLVMValueRef *count)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = om_cg_i64(cx, 0);
    LLVMValueRef sneg = LLVMBuildICmp(b, LLVMIntSLT, start, zero, "");
    start = LLVMBuildSelect(b, sneg, LLVMBuildAdd(b, start, om_cg_i64(cx, d), ""), start, "");
    LLVMValueRef eneg = LLVMBuildICmp(b, LLVMIntSLT, end, zero, "");
    end = LLVMBuildSelect(b, eneg, LLVMBuildAdd(b, end, om_cg_i64(cx, d), ""), end, "");
    LLVMValueRef pos = LLVMBuildICmp(b, LLVMIntSGT, step, zero, "pos");
    LLVMValueRef sp = clamp_i64(cx, start, 0, d), ep = clamp_i64(cx, end, 0, d);
    LLVMValueRef sn = clamp_i64(cx, start, 0, d > 0 ? d - 1 : 0), en = clamp_i64(cx, end, -1, d - 1);
    LLVMValueRef s = LLVMBuildSelect(b, pos, sp, sn, "");
    LLVMValueRef diff = LLVMBuildSelect(b, pos, LLVMBuildSub(b, ep, sp, ""), LLVMBuildSub(b, sn, en, ""), "");
    LLVMValueRef mag = LLVMBuildSelect(b, pos, step, LLVMBuildNeg(b, step, ""), "");
    /* unsigned min: -INT64_MIN wraps to 2^63, which the cap brings back */
    LLVMValueRef cap = om_cg_i64(cx, d > 1 ? d : 1);
    mag = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, mag, cap, ""), mag, cap, "mag");
    LLVMValueRef c = LLVMBuildSDiv(b, LLVMBuildSub(b, LLVMBuildAdd(b, diff, mag, ""), om_cg_i64(cx, 1), ""), mag, "");
    LLVMValueRef some = LLVMBuildICmp(b, LLVMIntSGT, diff, zero, "");
    *count = d == 0 ? zero : LLVMBuildSelect(b, some, c, zero, "count");
    *s_out = s;
    *step_out = LLVMBuildSelect(b, pos, mag, LLVMBuildNeg(b, mag, ""), "step");
}

/* Slice whose starts/ends/axes/steps are (partly) computed at run time: per entry k the axis
 * (negative counts from the end; out of range, repeated or step 0 fail the check) selects
 * which dim's start/step/count the entry sets (a select per dim: entries are few). The
 * counts must equal the compiled output dims (OM_ART_CHECK_SHAPE_VALUE); then the output
 * rows (work items) are copied with the run-time base offset and strides. */
static om_status emit_slice_runtime(om_cg_ctx *cx, const om_node *n, const om_value *X, const om_value *Y)
{
    LLVMBuilderRef b = cx->b;
    int r = X->shape.rank;
    int64_t ns = om_shape_numel(&om_node_input(n, 1)->shape);
    for (int i = 1; i <= 4; i++) {
        const om_value *v = om_node_input(n, i);
        if (!v)
            continue;
        if ((v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32) || v->shape.rank > 1 ||
            om_shape_numel(&v->shape) != ns)
            return om_cg_unsupported(cx, "input %d must be an i32/i64 1-D tensor of %lld values (like starts)", i,
                                     (long long)ns);
    }
    bool has_axes = om_node_input(n, 3) != NULL, has_steps = om_node_input(n, 4) != NULL;
    if (ns < 0 || ns > r)
        return om_cg_unsupported(cx, "%lld slice entries for rank %d", (long long)ns, r);
    LLVMValueRef start[OM_MAX_RANK], step[OM_MAX_RANK], count[OM_MAX_RANK], seen[OM_MAX_RANK];
    LLVMValueRef t = LLVMConstInt(cx->i1, 1, 0), f = LLVMConstInt(cx->i1, 0, 0), ok = t;
    int64_t xs[OM_MAX_RANK];
    om_cg_tensor_strides(&X->shape, xs);
    for (int a = 0; a < r; a++) {
        start[a] = om_cg_i64(cx, 0);
        step[a] = om_cg_i64(cx, 1);
        count[a] = om_cg_i64(cx, X->shape.dims[a]);
        seen[a] = f;
    }
    for (int64_t k = 0; k < ns; k++) {
        LLVMValueRef st = index_at(cx, n, 1, k), en = index_at(cx, n, 2, k);
        LLVMValueRef ax = has_axes ? index_at(cx, n, 3, k) : om_cg_i64(cx, k);
        LLVMValueRef sp = has_steps ? index_at(cx, n, 4, k) : om_cg_i64(cx, 1);
        if (has_axes) {
            ax = om_cg_tensor_wrap(cx, ax, r);
            ok = LLVMBuildAnd(b, ok, om_cg_tensor_index_ok(cx, ax, r), "");
        }
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntNE, sp, om_cg_i64(cx, 0), ""), "");
        /* a zero step would divide by zero below: use 1 (the check fails anyway) */
        LLVMValueRef sp1 = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, sp, om_cg_i64(cx, 0), ""), om_cg_i64(cx, 1),
                                           sp, "");
        for (int a = 0; a < r; a++) {
            if (!has_axes && a != k)
                continue;
            LLVMValueRef is = has_axes ? LLVMBuildICmp(b, LLVMIntEQ, ax, om_cg_i64(cx, a), "") : t;
            ok = LLVMBuildAnd(b, ok, LLVMBuildNot(b, LLVMBuildAnd(b, is, seen[a], ""), ""), "");
            seen[a] = LLVMBuildOr(b, seen[a], is, "");
            LLVMValueRef s0, stp, c;
            slice_axis_ir(cx, X->shape.dims[a], st, en, sp1, &s0, &stp, &c);
            start[a] = LLVMBuildSelect(b, is, s0, start[a], "");
            step[a] = LLVMBuildSelect(b, is, stp, step[a], "");
            count[a] = LLVMBuildSelect(b, is, c, count[a], "");
        }
    }
    for (int a = 0; a < r; a++)
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntEQ, count[a], om_cg_i64(cx, Y->shape.dims[a]), ""), "");
    om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
    int64_t total = om_shape_numel(&Y->shape);
    if (total == 0)
        return OM_OK;
    /* every count is non-zero, so every start is in range and the walk stays inside X */
    om_dtype mdt = om_cg_tensor_bits_dtype(om_dtype_size(X->dtype));
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0), base = om_cg_i64(cx, 0), ss[OM_MAX_RANK];
    for (int a = 0; a < r; a++) {
        base = om_cg_add(cx, base, om_cg_mul(cx, start[a], om_cg_i64(cx, xs[a])));
        ss[a] = om_cg_mul(cx, step[a], om_cg_i64(cx, xs[a]));
    }
    if (r == 0) {
        om_cg_store(cx, mdt, py, om_cg_i64(cx, 0), om_cg_load(cx, mdt, px, om_cg_i64(cx, 0)));
        return OM_OK;
    }
    int64_t w_last = Y->shape.dims[r - 1];
    om_cg_loop lr, lj;
    LLVMValueRef w = om_cg_for_work(cx, &lr, total / w_last, "row");
    LLVMValueRef rest = w, off = base;
    for (int i = r - 2; i >= 0; i--) {
        int64_t d = Y->shape.dims[i];
        LLVMValueRef c = i > 0 ? LLVMBuildURem(b, rest, om_cg_i64(cx, d), "") : rest;
        if (i > 0)
            rest = LLVMBuildUDiv(b, rest, om_cg_i64(cx, d), "");
        off = om_cg_add(cx, off, om_cg_mul(cx, c, ss[i]));
    }
    LLVMValueRef ybase = om_cg_mul(cx, w, om_cg_i64(cx, w_last));
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, w_last), "j");
    LLVMValueRef v = om_cg_load(cx, mdt, px, om_cg_add(cx, off, om_cg_mul(cx, j, ss[r - 1])));
    om_cg_store(cx, mdt, py, om_cg_add(cx, ybase, j), v);
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &lr);
    return OM_OK;
}

om_status om_cg_emit_slice(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X, *Y;
    om_status st = check_io(cx, n, &X, &Y);
    if (st != OM_OK)
        return st;
    int r = X->shape.rank;
    if (Y->shape.rank != r)
        return om_cg_unsupported(cx, "output rank %d differs from input rank %d", Y->shape.rank, r);
    if (is_runtime(n, 1) || is_runtime(n, 2) || is_runtime(n, 3) || is_runtime(n, 4))
        return emit_slice_runtime(cx, n, X, Y);
    int64_t starts[OM_MAX_RANK], ends[OM_MAX_RANK], axes[OM_MAX_RANK], steps[OM_MAX_RANK];
    int ns, ne, na = 0, nst = 0;
    if (!om_cg_tensor_const_ints(om_node_input(n, 1), starts, OM_MAX_RANK, &ns) ||
        !om_cg_tensor_const_ints(om_node_input(n, 2), ends, OM_MAX_RANK, &ne) || ne != ns)
        return om_cg_unsupported(cx, "starts and ends must be constant int tensors of equal length");
    if (om_node_input(n, 3)) {
        if (!om_cg_tensor_const_ints(om_node_input(n, 3), axes, OM_MAX_RANK, &na) || na != ns)
            return om_cg_unsupported(cx, "axes must be a constant int tensor like starts");
    } else {
        for (int i = 0; i < ns; i++)
            axes[i] = i;
    }
    if (om_node_input(n, 4)) {
        if (!om_cg_tensor_const_ints(om_node_input(n, 4), steps, OM_MAX_RANK, &nst) || nst != ns)
            return om_cg_unsupported(cx, "steps must be a constant int tensor like starts");
    } else {
        for (int i = 0; i < ns; i++)
            steps[i] = 1;
    }
    int64_t xs[OM_MAX_RANK], ss[OM_MAX_RANK], base = 0;
    om_cg_tensor_strides(&X->shape, xs);
    int64_t want[OM_MAX_RANK];
    for (int i = 0; i < r; i++) {
        ss[i] = xs[i];
        want[i] = X->shape.dims[i];
    }
    for (int i = 0; i < ns; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        if (a < 0 || a >= r || steps[i] == 0)
            return om_cg_unsupported(cx, "axis %lld / step %lld invalid for rank %d", (long long)axes[i],
                                     (long long)steps[i], r);
        int64_t s0, c;
        slice_axis(X->shape.dims[a], starts[i], ends[i], steps[i], &s0, &c);
        want[a] = c;
        ss[a] = xs[a] * steps[i];
        if (c > 0)
            base += s0 * xs[a];
    }
    for (int i = 0; i < r; i++)
        if (want[i] != Y->shape.dims[i])
            return om_cg_unsupported(cx, "output dim %d is %lld, the slice gives %lld", i,
                                     (long long)Y->shape.dims[i], (long long)want[i]);
    return om_cg_tensor_strided_copy(cx, om_cg_in(cx, 0), om_cg_out(cx, 0), om_dtype_size(X->dtype), r,
                                     Y->shape.dims, ss, base);
}

om_status om_cg_emit_split(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0);
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    int r = X->shape.rank;
    int64_t axis = om_node_int(n, "axis", 0);
    if (axis < 0)
        axis += r;
    if (axis < 0 || axis >= r)
        return om_cg_unsupported(cx, "axis %lld out of range for rank %d", (long long)om_node_int(n, "axis", 0), r);
    size_t es = om_dtype_size(X->dtype);
    int64_t outer = 1, inner = 1, total = 0;
    for (int i = 0; i < axis; i++)
        outer *= X->shape.dims[i];
    for (int i = (int)axis + 1; i < r; i++)
        inner *= X->shape.dims[i];
    for (int k = 0; k < n->n_outputs; k++) {
        const om_value *Y = n->outputs[k];
        if (Y->dtype != X->dtype || Y->shape.rank != r)
            return om_cg_unsupported(cx, "output %d is %s rank %d, input %s rank %d", k, om_dtype_name(Y->dtype),
                                     Y->shape.rank, om_dtype_name(X->dtype), r);
        for (int i = 0; i < r; i++)
            if (i != axis && Y->shape.dims[i] != X->shape.dims[i])
                return om_cg_unsupported(cx, "output %d dim %d differs from the input's", k, i);
        total += Y->shape.dims[axis];
    }
    if (total != X->shape.dims[axis])
        return om_cg_unsupported(cx, "outputs sum to %lld along axis %lld, input has %lld", (long long)total,
                                 (long long)axis, (long long)X->shape.dims[axis]);
    if (is_runtime(n, 1)) {
        /* run-time split: every part must be the compiled output dim */
        const om_value *S = om_node_input(n, 1);
        if ((S->dtype != OM_DT_INT64 && S->dtype != OM_DT_INT32) || S->shape.rank > 1 ||
            om_shape_numel(&S->shape) != n->n_outputs)
            return om_cg_unsupported(cx, "split must be an i32/i64 1-D tensor of %d values", n->n_outputs);
        LLVMValueRef ok = LLVMConstInt(cx->i1, 1, 0);
        for (int k = 0; k < n->n_outputs; k++) {
            LLVMValueRef v = index_at(cx, n, 1, k);
            ok = LLVMBuildAnd(cx->b, ok,
                              LLVMBuildICmp(cx->b, LLVMIntEQ, v, om_cg_i64(cx, n->outputs[k]->shape.dims[axis]), ""), "");
        }
        om_cg_check(cx, ok, OM_ART_CHECK_SHAPE_VALUE);
    }
    int64_t row = X->shape.dims[axis] * inner;
    if (outer == 0 || row == 0)
        return OM_OK;
    LLVMValueRef px = om_cg_in(cx, 0);
    om_cg_loop l;
    LLVMValueRef o = om_cg_for_work(cx, &l, outer, "o");
    int64_t off = 0;
    for (int k = 0; k < n->n_outputs; k++) {
        int64_t len = n->outputs[k]->shape.dims[axis] * inner;
        if (len == 0)
            continue;
        LLVMValueRef src_i = om_cg_mad(cx, o, row * (int64_t)es, om_cg_i64(cx, off * (int64_t)es));
        LLVMValueRef dst_i = om_cg_mad(cx, o, len * (int64_t)es, NULL);
        LLVMValueRef src = LLVMBuildInBoundsGEP2(cx->b, cx->i8, px, &src_i, 1, "");
        LLVMValueRef dst = LLVMBuildInBoundsGEP2(cx->b, cx->i8, om_cg_out(cx, k), &dst_i, 1, "");
        om_cg_memcpy(cx, dst, src, om_cg_i64(cx, len * (int64_t)es));
        off += len;
    }
    om_cg_for_end(cx, &l);
    return OM_OK;
}
