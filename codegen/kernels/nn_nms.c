/* NonMaxSuppression kernel (family nms).
 *
 * Constant inputs: the shape rule ran the selection and left the [num, 3] int64 rows in
 * the attribute `om_selected`; the kernel copies that table.
 *
 * Run-time inputs (boxes, scores, max_output_boxes_per_class, iou_threshold,
 * score_threshold, any of them computed at run time; the rule took the declared
 * [num, 3]): the kernel selects as ONNX Runtime does. Per batch b and class c:
 *   - the candidates are the box indices s with score > score_threshold (all when the
 *     input is absent), kept in a binary max-heap on the stack (i32 [S]) ordered by score,
 *     then by smaller index (ORT's priority queue order; a total order, so the result is
 *     unique);
 *   - pop the best while fewer than max_output_boxes_per_class (negative: 0) are selected
 *     for this class; it is kept unless its IoU with a box already selected for the class
 *     exceeds iou_threshold (ORT's SuppressByIOU in f32: [y1,x1,y2,x2] corners in either
 *     order, or center_point_box [xc,yc,w,h]; empty intersections and non-positive areas
 *     never suppress);
 *   - a kept box is the output row (b, c, s). The boxes selected for the class are those
 *     rows, so no other scratch memory is used.
 * The number of rows must equal the compiled (declared) num: a row beyond it, or fewer
 * rows at the end, returns OM_ART_CHECK_OUTPUT_SIZE. One work item; no libcalls.
 */
#include <string.h>

#include "codegen/kernels/nn_util.h"

/* Boxes per (batch, class) the run-time kernel accepts: its heap is S i32 on the stack. */
#define NMS_MAX_BOXES (1 << 18)

typedef struct nms_k {
    om_cg_ctx *cx;
    LLVMValueRef boxes, scores, heap, out;
    LLVMValueRef sbase, bbase; /* scores offset of (b, c); box index offset of b */
    LLVMValueRef iou;
    bool center;
} nms_k;

static LLVMValueRef f32c(om_cg_ctx *cx, float v) { return LLVMConstReal(cx->f32, v); }

/* A new block after the current function's last one. */
static LLVMBasicBlockRef blk(om_cg_ctx *cx, const char *name)
{
    return LLVMAppendBasicBlockInContext(cx->llctx, cx->fn, name);
}

static LLVMValueRef ld_i64(om_cg_ctx *cx, LLVMValueRef slot) { return LLVMBuildLoad2(cx->b, cx->i64, slot, ""); }

/* heap[i] as i64 */
static LLVMValueRef heap_at(nms_k *k, LLVMValueRef i)
{
    return LLVMBuildSExt(k->cx->b, om_cg_load(k->cx, OM_DT_INT32, k->heap, i), k->cx->i64, "");
}

/* Candidate s1 comes before s2: higher score, then smaller index. */
static LLVMValueRef nms_before(nms_k *k, LLVMValueRef s1, LLVMValueRef s2)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef v1 = om_cg_load(cx, OM_DT_FLOAT, k->scores, om_cg_add(cx, k->sbase, s1));
    LLVMValueRef v2 = om_cg_load(cx, OM_DT_FLOAT, k->scores, om_cg_add(cx, k->sbase, s2));
    LLVMValueRef gt = LLVMBuildFCmp(b, LLVMRealOGT, v1, v2, "");
    LLVMValueRef eq = LLVMBuildFCmp(b, LLVMRealOEQ, v1, v2, "");
    return LLVMBuildOr(b, gt, LLVMBuildAnd(b, eq, LLVMBuildICmp(b, LLVMIntSLT, s1, s2, ""), ""), "");
}

/* Sift heap[i0] down within heap[0, size). */
static void nms_sift(nms_k *k, LLVMValueRef i0, LLVMValueRef size)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef pi = om_cg_alloca(cx, cx->i64, "sift_i");
    LLVMBuildStore(b, i0, pi);
    LLVMBasicBlockRef head = blk(cx, "sift"), step = blk(cx, "sift_step"), swap = blk(cx, "sift_swap"),
                      done = blk(cx, "sift_done");
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, head);
    LLVMValueRef i = ld_i64(cx, pi);
    LLVMValueRef l = om_cg_add(cx, om_cg_add(cx, i, i), om_cg_i64(cx, 1));
    LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, l, size, ""), step, done);
    LLVMPositionBuilderAtEnd(b, step);
    LLVMValueRef rr = om_cg_add(cx, l, om_cg_i64(cx, 1));
    rr = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, rr, size, ""), rr, l, "");
    LLVMValueRef hl = heap_at(k, l), hr = heap_at(k, rr), hi = heap_at(k, i);
    LLVMValueRef pick_r = nms_before(k, hr, hl);
    LLVMValueRef m = LLVMBuildSelect(b, pick_r, rr, l, ""), hm = LLVMBuildSelect(b, pick_r, hr, hl, "");
    LLVMBuildCondBr(b, nms_before(k, hm, hi), swap, done);
    LLVMPositionBuilderAtEnd(b, swap);
    om_cg_store(cx, OM_DT_INT32, k->heap, i, LLVMBuildTrunc(b, hm, cx->i32, ""));
    om_cg_store(cx, OM_DT_INT32, k->heap, m, LLVMBuildTrunc(b, hi, cx->i32, ""));
    LLVMBuildStore(b, m, pi);
    LLVMBuildBr(b, head);
    LLVMPositionBuilderAtEnd(b, done);
}

/* Corners of box q of the current batch: x_min, x_max, y_min, y_max (ORT's MaxMin). */
static void nms_corners(nms_k *k, LLVMValueRef q, LLVMValueRef *c)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef base = om_cg_mad(cx, om_cg_add(cx, k->bbase, q), 4, NULL), v[4];
    for (int t = 0; t < 4; t++)
        v[t] = om_cg_load(cx, OM_DT_FLOAT, k->boxes, om_cg_add(cx, base, om_cg_i64(cx, t)));
    if (k->center) {
        LLVMValueRef hw = LLVMBuildFDiv(b, v[2], f32c(cx, 2), ""), hh = LLVMBuildFDiv(b, v[3], f32c(cx, 2), "");
        c[0] = LLVMBuildFSub(b, v[0], hw, "");
        c[1] = LLVMBuildFAdd(b, v[0], hw, "");
        c[2] = LLVMBuildFSub(b, v[1], hh, "");
        c[3] = LLVMBuildFAdd(b, v[1], hh, "");
        return;
    }
    /* [y1, x1, y2, x2]: if (lhs >= rhs) { min = rhs; max = lhs; } else { min = lhs; max = rhs; } */
    LLVMValueRef gx = LLVMBuildFCmp(b, LLVMRealOGE, v[1], v[3], ""), gy = LLVMBuildFCmp(b, LLVMRealOGE, v[0], v[2], "");
    c[0] = LLVMBuildSelect(b, gx, v[3], v[1], "");
    c[1] = LLVMBuildSelect(b, gx, v[1], v[3], "");
    c[2] = LLVMBuildSelect(b, gy, v[2], v[0], "");
    c[3] = LLVMBuildSelect(b, gy, v[0], v[2], "");
}

/* std::max / std::min on floats */
static LLVMValueRef smaxf(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildFCmp(cx->b, LLVMRealOLT, a, b, ""), b, a, "");
}
static LLVMValueRef sminf(om_cg_ctx *cx, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(cx->b, LLVMBuildFCmp(cx->b, LLVMRealOLT, b, a, ""), b, a, "");
}

/* i1: box p (corners) is suppressed by box q (corners): ORT's SuppressByIOU. */
static LLVMValueRef nms_suppress(nms_k *k, const LLVMValueRef *p, const LLVMValueRef *q)
{
    om_cg_ctx *cx = k->cx;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef zero = f32c(cx, 0);
    LLVMValueRef ixmin = smaxf(cx, p[0], q[0]), ixmax = sminf(cx, p[1], q[1]);
    LLVMValueRef iymin = smaxf(cx, p[2], q[2]), iymax = sminf(cx, p[3], q[3]);
    /* each "return false" of ORT is `!(cond)`: unordered compares keep NaN going on */
    LLVMValueRef ok = LLVMBuildFCmp(b, LLVMRealUGT, ixmax, ixmin, "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealUGT, iymax, iymin, ""), "");
    LLVMValueRef inter = LLVMBuildFMul(b, LLVMBuildFSub(b, ixmax, ixmin, ""), LLVMBuildFSub(b, iymax, iymin, ""), "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealUGT, inter, zero, ""), "");
    LLVMValueRef a1 = LLVMBuildFMul(b, LLVMBuildFSub(b, p[1], p[0], ""), LLVMBuildFSub(b, p[3], p[2], ""), "");
    LLVMValueRef a2 = LLVMBuildFMul(b, LLVMBuildFSub(b, q[1], q[0], ""), LLVMBuildFSub(b, q[3], q[2], ""), "");
    LLVMValueRef uni = LLVMBuildFSub(b, LLVMBuildFAdd(b, a1, a2, ""), inter, "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealUGT, a1, zero, ""), "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealUGT, a2, zero, ""), "");
    ok = LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealUGT, uni, zero, ""), "");
    LLVMValueRef iou = LLVMBuildFDiv(b, inter, uni, "");
    return LLVMBuildAnd(b, ok, LLVMBuildFCmp(b, LLVMRealOGT, iou, k->iou, ""), "");
}

/* Optional scalar input i (absent or empty: NULL) loaded as dt. */
static LLVMValueRef nms_scalar(om_cg_ctx *cx, const om_node *n, int i, om_dtype dt)
{
    const om_value *v = om_node_input(n, i);
    if (!v || om_shape_numel(&v->shape) < 1)
        return NULL;
    return om_cg_convert(cx, om_cg_load(cx, v->dtype, om_cg_in(cx, i), om_cg_i64(cx, 0)), v->dtype, dt);
}

static om_status nms_runtime(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vb = om_node_input(n, 0), *vsc = om_node_input(n, 1), *vy = n->outputs[0];
    if (!vb || !vsc || vb->dtype != OM_DT_FLOAT || vsc->dtype != OM_DT_FLOAT || vb->shape.rank != 3 ||
        vsc->shape.rank != 3 || !om_shape_is_static(&vb->shape) || !om_shape_is_static(&vsc->shape) ||
        vb->shape.dims[2] != 4 || vsc->shape.dims[0] != vb->shape.dims[0] || vsc->shape.dims[2] != vb->shape.dims[1])
        return om_cg_unsupported(cx, "boxes [B,S,4] and scores [B,C,S] must be static f32");
    for (int i = 2; i < 5; i++) {
        const om_value *v = om_node_input(n, i);
        if (v && (om_shape_numel(&v->shape) > 1 || (i == 2 ? v->dtype != OM_DT_INT64 : !om_dtype_is_float(v->dtype))))
            return om_cg_unsupported(cx, "input %d must be one %s value", i, i == 2 ? "int64" : "float");
    }
    if (vy->dtype != OM_DT_INT64 || vy->shape.rank != 2 || vy->shape.dims[1] != 3 || !om_shape_is_static(&vy->shape))
        return om_cg_unsupported(cx, "the output must be a static [num, 3] int64 tensor");
    int64_t B = vb->shape.dims[0], S = vb->shape.dims[1], C = vsc->shape.dims[1], nd = vy->shape.dims[0];
    if (S > NMS_MAX_BOXES)
        return om_cg_unsupported(cx, "%lld boxes per batch with run-time inputs (at most %d)", (long long)S,
                                 NMS_MAX_BOXES);
    LLVMBuilderRef b = cx->b;
    LLVMValueRef ptot = om_cg_alloca(cx, cx->i64, "total");
    LLVMBuildStore(b, om_cg_i64(cx, 0), ptot);
    if (B * C * S > 0) {
        nms_k k = {.cx = cx, .center = om_node_int(n, "center_point_box", 0) != 0};
        k.boxes = om_cg_in(cx, 0);
        k.scores = om_cg_in(cx, 1);
        k.out = om_cg_out(cx, 0);
        k.heap = om_cg_alloca(cx, LLVMArrayType2(cx->i32, (uint64_t)S), "heap");
        LLVMValueRef maxo = nms_scalar(cx, n, 2, OM_DT_INT64);
        maxo = maxo ? om_cg_nn_smax(cx, maxo, om_cg_i64(cx, 0)) : om_cg_i64(cx, 0);
        k.iou = nms_scalar(cx, n, 3, OM_DT_FLOAT);
        if (!k.iou)
            k.iou = f32c(cx, 0);
        LLVMValueRef sthr = nms_scalar(cx, n, 4, OM_DT_FLOAT);
        LLVMValueRef phn = om_cg_alloca(cx, cx->i64, "heap_n"), pns = om_cg_alloca(cx, cx->i64, "n_sel");
        LLVMValueRef pkeep = om_cg_alloca(cx, cx->i1, "keep");
        om_cg_loop lb, lc, ls, lh, lj;
        LLVMValueRef bi = om_cg_for(cx, &lb, om_cg_i64(cx, 0), om_cg_i64(cx, B), "b");
        LLVMValueRef ci = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, C), "c");
        k.sbase = om_cg_mad(cx, om_cg_mad(cx, bi, C, ci), S, NULL);
        k.bbase = om_cg_mad(cx, bi, S, NULL);
        /* candidates */
        LLVMBuildStore(b, om_cg_i64(cx, 0), phn);
        LLVMValueRef s = om_cg_for(cx, &ls, om_cg_i64(cx, 0), om_cg_i64(cx, S), "s");
        LLVMValueRef hn = ld_i64(cx, phn);
        om_cg_store(cx, OM_DT_INT32, k.heap, hn, LLVMBuildTrunc(b, s, cx->i32, ""));
        LLVMValueRef take = LLVMConstInt(cx->i1, 1, 0);
        if (sthr)
            take = LLVMBuildFCmp(b, LLVMRealOGT, om_cg_load(cx, OM_DT_FLOAT, k.scores, om_cg_add(cx, k.sbase, s)),
                                 sthr, "");
        LLVMBuildStore(b, om_cg_add(cx, hn, LLVMBuildZExt(b, take, cx->i64, "")), phn);
        om_cg_for_end(cx, &ls);
        /* heapify: sift heap[i] for i = hn/2 - 1 down to 0 */
        hn = ld_i64(cx, phn);
        LLVMValueRef half = LLVMBuildSDiv(b, hn, om_cg_i64(cx, 2), "");
        LLVMValueRef t = om_cg_for(cx, &lh, om_cg_i64(cx, 0), half, "h");
        nms_sift(&k, LLVMBuildSub(b, LLVMBuildSub(b, half, om_cg_i64(cx, 1), ""), t, ""), hn);
        om_cg_for_end(cx, &lh);
        /* pop and select */
        LLVMValueRef start = ld_i64(cx, ptot);
        LLVMBuildStore(b, om_cg_i64(cx, 0), pns);
        LLVMBasicBlockRef head = blk(cx, "pop"), body = blk(cx, "pop_body"), done = blk(cx, "pop_done");
        LLVMBuildBr(b, head);
        LLVMPositionBuilderAtEnd(b, head);
        LLVMValueRef more = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGT, ld_i64(cx, phn), om_cg_i64(cx, 0), ""),
                                         LLVMBuildICmp(b, LLVMIntSLT, ld_i64(cx, pns), maxo, ""), "");
        LLVMBuildCondBr(b, more, body, done);
        LLVMPositionBuilderAtEnd(b, body);
        LLVMValueRef top = heap_at(&k, om_cg_i64(cx, 0));
        LLVMValueRef nh = LLVMBuildSub(b, ld_i64(cx, phn), om_cg_i64(cx, 1), "");
        LLVMBuildStore(b, nh, phn);
        om_cg_store(cx, OM_DT_INT32, k.heap, om_cg_i64(cx, 0), om_cg_load(cx, OM_DT_INT32, k.heap, nh));
        nms_sift(&k, om_cg_i64(cx, 0), nh);
        LLVMValueRef pc[4], qc[4];
        nms_corners(&k, top, pc);
        LLVMBuildStore(b, LLVMConstInt(cx->i1, 1, 0), pkeep);
        LLVMValueRef j = om_cg_for(cx, &lj, start, ld_i64(cx, ptot), "j");
        nms_corners(&k, om_cg_load(cx, OM_DT_INT64, k.out, om_cg_mad(cx, j, 3, om_cg_i64(cx, 2))), qc);
        LLVMValueRef kp = LLVMBuildLoad2(b, cx->i1, pkeep, "");
        LLVMBuildStore(b, LLVMBuildAnd(b, kp, LLVMBuildNot(b, nms_suppress(&k, pc, qc), ""), ""), pkeep);
        om_cg_for_end(cx, &lj);
        LLVMBasicBlockRef keep = blk(cx, "keep");
        LLVMBuildCondBr(b, LLVMBuildLoad2(b, cx->i1, pkeep, ""), keep, head);
        LLVMPositionBuilderAtEnd(b, keep);
        LLVMValueRef tot = ld_i64(cx, ptot);
        om_cg_check(cx, LLVMBuildICmp(b, LLVMIntSLT, tot, om_cg_i64(cx, nd), ""), OM_ART_CHECK_OUTPUT_SIZE);
        LLVMValueRef row = om_cg_mad(cx, tot, 3, NULL);
        om_cg_store(cx, OM_DT_INT64, k.out, row, bi);
        om_cg_store(cx, OM_DT_INT64, k.out, om_cg_add(cx, row, om_cg_i64(cx, 1)), ci);
        om_cg_store(cx, OM_DT_INT64, k.out, om_cg_add(cx, row, om_cg_i64(cx, 2)), top);
        LLVMBuildStore(b, om_cg_add(cx, tot, om_cg_i64(cx, 1)), ptot);
        LLVMBuildStore(b, om_cg_add(cx, ld_i64(cx, pns), om_cg_i64(cx, 1)), pns);
        LLVMBuildBr(b, head);
        LLVMMoveBasicBlockAfter(done, LLVMGetLastBasicBlock(cx->fn));
        LLVMPositionBuilderAtEnd(b, done);
        om_cg_for_end(cx, &lc);
        om_cg_for_end(cx, &lb);
    }
    om_cg_check(cx, LLVMBuildICmp(b, LLVMIntEQ, ld_i64(cx, ptot), om_cg_i64(cx, nd), ""), OM_ART_CHECK_OUTPUT_SIZE);
    return OM_OK;
}

om_status om_cg_emit_nms(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!vy)
        return om_cg_unsupported(cx, "no output");
    const int64_t *sel = NULL;
    int c = om_node_ints(n, "om_selected", &sel);
    if (c < 0)
        return nms_runtime(cx, n);
    if (vy->dtype != OM_DT_INT64 || om_shape_numel(&vy->shape) != c)
        return om_cg_unsupported(cx, "data-dependent output shape: the inputs must be constants (run shape inference)");
    if (c == 0)
        return OM_OK;
    LLVMValueRef tab = om_cg_nn_table_i64(cx, OM_DT_INT64, sel, c, "nms");
    if (!tab)
        return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
    om_cg_memcpy(cx, om_cg_out(cx, 0), tab, om_cg_i64(cx, (int64_t)c * 8));
    return OM_OK;
}
