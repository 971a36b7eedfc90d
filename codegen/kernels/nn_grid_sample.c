/* GridSample kernel (family grid_sample, opset 16): X [N,C,H,W], grid [N,Ho,Wo,2] holding
 * normalized (x, y) in [-1, 1] -> Y [N,C,Ho,Wo]; modes bilinear, nearest (round half to
 * even), bicubic (A = -0.75); padding_mode zeros, border, reflection; align_corners.
 *
 * Follows ONNX Runtime's reference kernel step for step: denormalize (align_corners: (v+1)/2
 * * (size-1), else ((v+1) * size - 1) / 2); nearest rounds; when x or y is outside
 * [min, max] (align_corners: [0, size-1], else [-0.5, size-0.5]) border clamps both to
 * [0, size-1] and reflection reflects both; then the taps (1, 4 or 16) read pixels through
 * the padding mode (zeros: 0 outside; border: clamped index; reflection: reflected index).
 * Coordinates are data, so floor/round are libcall-free sequences (nn_util.h).
 * Work items: N*Ho output rows; per output position the tap offsets and weights are
 * computed once and the channel loop reuses them. Floats: f32, f64, f16, bf16 (f16/bf16
 * in f32).
 */
#include <string.h>

#include "codegen/kernels/nn_util.h"

typedef struct gs_ctx {
    om_dtype dt, ct;   /* data dtype, compute dtype */
    LLVMTypeRef t;     /* compute type */
    int64_t H, W;
    int pad;           /* 0 zeros, 1 border, 2 reflection */
    double xmin, xmax, ymin, ymax;
} gs_ctx;

static LLVMValueRef fc(om_cg_ctx *cx, const gs_ctx *g, double v) { return LLVMConstReal(g->t, v); }

static LLVMValueRef fclamp(om_cg_ctx *cx, const gs_ctx *g, LLVMValueRef v, double lo, double hi)
{
    LLVMBuilderRef b = cx->b;
    v = LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOLT, v, fc(cx, g, lo), ""), fc(cx, g, lo), v, "");
    return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOGT, v, fc(cx, g, hi), ""), fc(cx, g, hi), v, "");
}

/* ORT's GsReflect on a float coordinate. */
static LLVMValueRef reflect(om_cg_ctx *cx, const gs_ctx *g, LLVMValueRef x, double lo, double hi)
{
    LLVMBuilderRef b = cx->b;
    double range = hi - lo;
    if (range <= 0)
        return fc(cx, g, lo);
    LLVMValueRef below = LLVMBuildFCmp(b, LLVMRealOLT, x, fc(cx, g, lo), "");
    LLVMValueRef above = LLVMBuildFCmp(b, LLVMRealOGT, x, fc(cx, g, hi), "");
    LLVMValueRef dx = LLVMBuildSelect(b, below, LLVMBuildFSub(b, fc(cx, g, lo), x, ""), LLVMBuildFSub(b, x, fc(cx, g, hi), ""), "");
    dx = fclamp(cx, g, dx, 0, 1e9); /* keeps the truncation below in range (NaN -> 0 as well) */
    LLVMValueRef nq = LLVMBuildFPToSI(b, LLVMBuildFDiv(b, dx, fc(cx, g, range), ""), cx->i64, "");
    LLVMValueRef r = LLVMBuildFSub(b, dx, LLVMBuildFMul(b, LLVMBuildSIToFP(b, nq, g->t, ""), fc(cx, g, range), ""), "");
    LLVMValueRef even = LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildAnd(b, nq, om_cg_i64(cx, 1), ""), om_cg_i64(cx, 0), "");
    LLVMValueRef from_lo = LLVMBuildFAdd(b, fc(cx, g, lo), r, ""), from_hi = LLVMBuildFSub(b, fc(cx, g, hi), r, "");
    LLVMValueRef vb = LLVMBuildSelect(b, even, from_lo, from_hi, "");
    LLVMValueRef va = LLVMBuildSelect(b, even, from_hi, from_lo, "");
    return LLVMBuildSelect(b, below, vb, LLVMBuildSelect(b, above, va, x, ""), "");
}

/* A float holding an integer -> i64, clamped to [-2^40, 2^40] first (NaN -> lower bound). */
static LLVMValueRef to_i64(om_cg_ctx *cx, const gs_ctx *g, LLVMValueRef v)
{
    return LLVMBuildFPToSI(cx->b, fclamp(cx, g, v, -0x1p40, 0x1p40), cx->i64, "");
}

/* Pixel (r, c) (i64) through the padding mode: offset inside the plane and an i1 mask
 * (NULL: always valid). */
static LLVMValueRef pixel(om_cg_ctx *cx, const gs_ctx *g, LLVMValueRef r, LLVMValueRef c, LLVMValueRef *mask)
{
    LLVMBuilderRef b = cx->b;
    *mask = NULL;
    if (g->pad == 2) {
        c = to_i64(cx, g, reflect(cx, g, LLVMBuildSIToFP(b, c, g->t, ""), g->xmin, g->xmax));
        r = to_i64(cx, g, reflect(cx, g, LLVMBuildSIToFP(b, r, g->t, ""), g->ymin, g->ymax));
    } else if (g->pad == 0) {
        LLVMValueRef ok = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSGE, c, om_cg_i64(cx, 0), ""),
                                       LLVMBuildICmp(b, LLVMIntSLT, c, om_cg_i64(cx, g->W), ""), "");
        ok = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntSGE, r, om_cg_i64(cx, 0), ""), "");
        *mask = LLVMBuildAnd(b, ok, LLVMBuildICmp(b, LLVMIntSLT, r, om_cg_i64(cx, g->H), ""), "");
    }
    /* clamp (border semantics; keeps masked and reflected reads in bounds) */
    c = om_cg_nn_smin(cx, om_cg_nn_smax(cx, c, om_cg_i64(cx, 0)), om_cg_i64(cx, g->W - 1));
    r = om_cg_nn_smin(cx, om_cg_nn_smax(cx, r, om_cg_i64(cx, 0)), om_cg_i64(cx, g->H - 1));
    return om_cg_mad(cx, r, g->W, c);
}

static void cubic(om_cg_ctx *cx, const gs_ctx *g, LLVMValueRef t, LLVMValueRef *c)
{
    LLVMBuilderRef b = cx->b;
    const double A = -0.75;
#define F(v) fc(cx, g, (v))
#define ADD(a, b2) LLVMBuildFAdd(b, a, b2, "")
#define SUB(a, b2) LLVMBuildFSub(b, a, b2, "")
#define MUL(a, b2) LLVMBuildFMul(b, a, b2, "")
    LLVMValueRef x1 = ADD(t, F(1)), u = SUB(F(1), t), x2 = SUB(F(2), t);
    c[0] = SUB(MUL(ADD(MUL(SUB(MUL(F(A), x1), F(5 * A)), x1), F(8 * A)), x1), F(4 * A));
    c[1] = ADD(MUL(MUL(SUB(MUL(F(A + 2), t), F(A + 3)), t), t), F(1));
    c[2] = ADD(MUL(MUL(SUB(MUL(F(A + 2), u), F(A + 3)), u), u), F(1));
    c[3] = SUB(MUL(ADD(MUL(SUB(MUL(F(A), x2), F(5 * A)), x2), F(8 * A)), x2), F(4 * A));
#undef F
#undef ADD
#undef SUB
#undef MUL
}

om_status om_cg_emit_grid_sample(om_cg_ctx *cx, const om_node *n)
{
    const om_value *vx = om_node_input(n, 0), *vg = om_node_input(n, 1), *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!vx || !vg || !vy || !om_shape_is_static(&vx->shape) || !om_shape_is_static(&vg->shape) ||
        !om_shape_is_static(&vy->shape) || vx->shape.rank != 4 || vg->shape.rank != 4 || vy->shape.rank != 4)
        return om_cg_unsupported(cx, "needs static 4-D X, grid and Y");
    if (!om_dtype_is_float(vx->dtype) || vg->dtype != vx->dtype || vy->dtype != vx->dtype)
        return om_cg_unsupported(cx, "dtype %s/%s (float, alike)", om_dtype_name(vx->dtype), om_dtype_name(vg->dtype));
    gs_ctx g = {.dt = vx->dtype, .ct = vx->dtype == OM_DT_DOUBLE ? OM_DT_DOUBLE : OM_DT_FLOAT};
    g.t = om_cg_type(cx, g.ct);
    const char *mode = om_node_string(n, "mode", "bilinear"), *pm = om_node_string(n, "padding_mode", "zeros");
    bool align = om_node_int(n, "align_corners", 0) != 0;
    int md = !strcmp(mode, "nearest") ? 0 : !strcmp(mode, "bicubic") ? 2 : 1;
    g.pad = !strcmp(pm, "border") ? 1 : !strcmp(pm, "reflection") ? 2 : 0;
    int64_t N = vx->shape.dims[0], C = vx->shape.dims[1];
    g.H = vx->shape.dims[2];
    g.W = vx->shape.dims[3];
    int64_t Ho = vg->shape.dims[1], Wo = vg->shape.dims[2];
    if (vg->shape.dims[0] != N || vg->shape.dims[3] != 2 || vy->shape.dims[0] != N || vy->shape.dims[1] != C ||
        vy->shape.dims[2] != Ho || vy->shape.dims[3] != Wo)
        return om_cg_unsupported(cx, "shapes of X, grid and Y do not fit");
    if (om_shape_numel(&vy->shape) == 0)
        return OM_OK;
    if (g.H == 0 || g.W == 0)
        return om_cg_unsupported(cx, "empty input image");
    g.xmin = align ? 0 : -0.5;
    g.xmax = align ? (double)(g.W - 1) : (double)g.W - 0.5;
    g.ymin = align ? 0 : -0.5;
    g.ymax = align ? (double)(g.H - 1) : (double)g.H - 0.5;
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), pg = om_cg_in(cx, 1), py = om_cg_out(cx, 0);
    om_cg_loop lw, lj, lc;
    LLVMValueRef row = om_cg_for_work(cx, &lw, N * Ho, "row");
    LLVMValueRef img = LLVMBuildUDiv(b, row, om_cg_i64(cx, Ho), "n"), h = LLVMBuildURem(b, row, om_cg_i64(cx, Ho), "h");
    LLVMValueRef j = om_cg_for(cx, &lj, om_cg_i64(cx, 0), om_cg_i64(cx, Wo), "w");
    LLVMValueRef gi = om_cg_mad(cx, om_cg_mad(cx, row, Wo, j), 2, NULL);
    LLVMValueRef gx = om_cg_convert(cx, om_cg_load(cx, g.dt, pg, gi), g.dt, g.ct);
    LLVMValueRef gy = om_cg_convert(cx, om_cg_load(cx, g.dt, pg, om_cg_add(cx, gi, om_cg_i64(cx, 1))), g.dt, g.ct);
    LLVMValueRef x, y;
    if (align) {
        x = LLVMBuildFMul(b, LLVMBuildFDiv(b, LLVMBuildFAdd(b, gx, fc(cx, &g, 1), ""), fc(cx, &g, 2), ""), fc(cx, &g, (double)(g.W - 1)), "");
        y = LLVMBuildFMul(b, LLVMBuildFDiv(b, LLVMBuildFAdd(b, gy, fc(cx, &g, 1), ""), fc(cx, &g, 2), ""), fc(cx, &g, (double)(g.H - 1)), "");
    } else {
        x = LLVMBuildFDiv(b, LLVMBuildFSub(b, LLVMBuildFMul(b, LLVMBuildFAdd(b, gx, fc(cx, &g, 1), ""), fc(cx, &g, (double)g.W), ""), fc(cx, &g, 1), ""), fc(cx, &g, 2), "");
        y = LLVMBuildFDiv(b, LLVMBuildFSub(b, LLVMBuildFMul(b, LLVMBuildFAdd(b, gy, fc(cx, &g, 1), ""), fc(cx, &g, (double)g.H), ""), fc(cx, &g, 1), ""), fc(cx, &g, 2), "");
    }
    if (md == 0) {
        x = om_cg_nn_roundeven(cx, x);
        y = om_cg_nn_roundeven(cx, y);
    }
    if (g.pad != 0) {
        LLVMValueRef out = LLVMBuildFCmp(b, LLVMRealULT, x, fc(cx, &g, g.xmin), "");
        out = LLVMBuildOr(b, out, LLVMBuildFCmp(b, LLVMRealUGT, x, fc(cx, &g, g.xmax), ""), "");
        out = LLVMBuildOr(b, out, LLVMBuildFCmp(b, LLVMRealULT, y, fc(cx, &g, g.ymin), ""), "");
        out = LLVMBuildOr(b, out, LLVMBuildFCmp(b, LLVMRealUGT, y, fc(cx, &g, g.ymax), ""), "");
        LLVMValueRef x2, y2;
        if (g.pad == 1) {
            x2 = fclamp(cx, &g, x, 0, (double)(g.W - 1));
            y2 = fclamp(cx, &g, y, 0, (double)(g.H - 1));
        } else {
            x2 = reflect(cx, &g, x, g.xmin, g.xmax);
            y2 = reflect(cx, &g, y, g.ymin, g.ymax);
        }
        x = LLVMBuildSelect(b, out, x2, x, "");
        y = LLVMBuildSelect(b, out, y2, y, "");
    }
    /* taps: offsets, masks, weights */
    LLVMValueRef off[16], mask[16], wt[16];
    int nt = 0;
    if (md == 0) {
        off[0] = pixel(cx, &g, to_i64(cx, &g, y), to_i64(cx, &g, x), &mask[0]);
        wt[0] = NULL;
        nt = 1;
    } else {
        LLVMValueRef fx = om_cg_nn_floor(cx, x), fy = om_cg_nn_floor(cx, y);
        LLVMValueRef ix = to_i64(cx, &g, fx), iy = to_i64(cx, &g, fy);
        LLVMValueRef cxw[4], cyw[4];
        int span = md == 2 ? 4 : 2, base = md == 2 ? -1 : 0;
        if (md == 2) {
            cubic(cx, &g, LLVMBuildFSub(b, x, fx, ""), cxw);
            cubic(cx, &g, LLVMBuildFSub(b, y, fy, ""), cyw);
        } else {
            LLVMValueRef dx1 = LLVMBuildFSub(b, x, fx, ""), dy1 = LLVMBuildFSub(b, y, fy, "");
            cxw[0] = LLVMBuildFSub(b, fc(cx, &g, 1), dx1, "");
            cxw[1] = dx1;
            cyw[0] = LLVMBuildFSub(b, fc(cx, &g, 1), dy1, "");
            cyw[1] = dy1;
        }
        for (int a = 0; a < span; a++)
            for (int c = 0; c < span; c++) {
                LLVMValueRef r = om_cg_add(cx, iy, om_cg_i64(cx, base + a)), cc = om_cg_add(cx, ix, om_cg_i64(cx, base + c));
                off[nt] = pixel(cx, &g, r, cc, &mask[nt]);
                wt[nt] = LLVMBuildFMul(b, cyw[a], cxw[c], "");
                nt++;
            }
    }
    LLVMValueRef xplane = om_cg_mad(cx, img, C * g.H * g.W, NULL);
    LLVMValueRef yb = om_cg_add(cx, om_cg_mad(cx, img, C * Ho * Wo, NULL), om_cg_mad(cx, h, Wo, j));
    LLVMValueRef c = om_cg_for(cx, &lc, om_cg_i64(cx, 0), om_cg_i64(cx, C), "c");
    LLVMValueRef pb = om_cg_mad(cx, c, g.H * g.W, xplane);
    LLVMValueRef acc = NULL;
    for (int t = 0; t < nt; t++) {
        LLVMValueRef v = om_cg_convert(cx, om_cg_load(cx, g.dt, px, om_cg_add(cx, pb, off[t])), g.dt, g.ct);
        if (mask[t])
            v = LLVMBuildSelect(b, mask[t], v, fc(cx, &g, 0), "");
        if (wt[t])
            v = LLVMBuildFMul(b, v, wt[t], "");
        acc = acc ? LLVMBuildFAdd(b, acc, v, "") : v;
    }
    om_cg_store(cx, g.dt, py, om_cg_mad(cx, c, Ho * Wo, yb), om_cg_convert(cx, acc, g.ct, g.dt));
    om_cg_for_end(cx, &lc);
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
