/* Kernels of codegen/kernels/tensor_view.c against plain C references: Expand (broadcast
 * dims, rank growth), Tile (every rank 1-4, repeats 0..3), Slice (negative and clamped
 * starts/ends, negative steps, default axes/steps), DepthToSpace (DCR, CRD), SpaceToDepth,
 * Split (uneven parts, empty parts, every axis), over several element sizes. Every run goes
 * through cg_jit_run_checked (whole range vs three chunks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static om_value *cst(om_graph *g, const char *name, int n, const int64_t *vals)
{
    int64_t d = n;
    om_shape s = om_shape_make(1, &d);
    int64_t dummy = 0;
    om_value *v = om_graph_add_constant(g, name, OM_DT_INT64, &s, n ? (const void *)vals : &dummy,
                                        (size_t)n * sizeof(int64_t));
    assert_non_null(v);
    return v;
}

static void fill(om_value *x, void *buf)
{
    unsigned char *p = buf;
    int64_t bytes = om_shape_numel(&x->shape) * (int64_t)om_dtype_size(x->dtype);
    for (int64_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)cg_rand();
}

/* Multi-index of flat e in shape s. */
static void unflat(const om_shape *s, int64_t e, int64_t *idx)
{
    for (int i = s->rank - 1; i >= 0; i--) {
        idx[i] = s->dims[i] ? e % s->dims[i] : 0;
        e = s->dims[i] ? e / s->dims[i] : 0;
    }
}

static int64_t flat(const om_shape *s, const int64_t *idx)
{
    int64_t e = 0;
    for (int i = 0; i < s->rank; i++)
        e = e * s->dims[i] + idx[i];
    return e;
}

typedef int64_t (*src_fn)(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx);

/* Runs a one-node graph (x + extra constant inputs -> y) and checks y[e] == x[src(e)]. */
static void run_view(om_op op, om_dtype dt, int rx, const int64_t *xd, int ry, const int64_t *yd, om_value **extra,
                     int n_extra, void (*attrs)(om_graph *, om_node *, const void *), src_fn src, const void *ctx,
                     om_graph *g)
{
    om_value *x = cg_input(g, "x", dt, rx, xd), *y = cg_value(g, "y", dt, ry, yd);
    om_value *ins[6] = {x};
    for (int i = 0; i < n_extra; i++)
        ins[1 + i] = extra[i];
    om_node *n = om_graph_add_node(g, op, "k", ins, 1 + n_extra, &y, 1);
    if (attrs)
        attrs(g, n, ctx);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(op), om_last_error());
    fill(x, cg_jit_buf(j, x));
    cg_jit_run_checked(j);
    size_t es = om_dtype_size(dt);
    const unsigned char *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    int64_t yi[OM_MAX_RANK];
    for (int64_t e = 0; e < om_shape_numel(&y->shape); e++) {
        unflat(&y->shape, e, yi);
        int64_t s = src(&x->shape, &y->shape, yi, ctx);
        if (memcmp(py + e * (int64_t)es, px + s * (int64_t)es, es))
            fail_msg("%s %s: output element %lld should be input element %lld", om_op_name(op), om_dtype_name(dt),
                     (long long)e, (long long)s);
    }
    cg_jit_destroy(j);
}

/* ---- Expand ---- */

static int64_t expand_src(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx)
{
    (void)ctx;
    int64_t xi[OM_MAX_RANK];
    for (int i = 0; i < xs->rank; i++) {
        int yo = i + ys->rank - xs->rank;
        xi[i] = xs->dims[i] == 1 ? 0 : yi[yo];
    }
    return flat(xs, xi);
}

static void expand_case(om_dtype dt, int rx, const int64_t *xd, int ry, const int64_t *yd)
{
    om_graph *g = om_graph_create("t");
    om_value *s = cst(g, "shape", ry, yd);
    run_view(OM_OP_EXPAND, dt, rx, xd, ry, yd, &s, 1, NULL, expand_src, NULL, g);
    om_graph_destroy(g);
}

static void test_expand(void **state)
{
    (void)state;
    int64_t a[2] = {3, 1}, ay[3] = {2, 3, 4};
    expand_case(OM_DT_FLOAT, 2, a, 3, ay);
    int64_t b[1] = {1}, by[1] = {5};
    expand_case(OM_DT_INT64, 1, b, 1, by);
    int64_t c[3] = {1, 4, 1}, cy[4] = {3, 2, 4, 300};
    expand_case(OM_DT_FLOAT16, 3, c, 4, cy);
    expand_case(OM_DT_BOOL, 3, c, 4, cy);
    int64_t d[2] = {2, 3}, dy[2] = {2, 3};
    expand_case(OM_DT_DOUBLE, 2, d, 2, dy);
    int64_t e[2] = {3, 1}, ey[3] = {2, 3, 0};
    expand_case(OM_DT_FLOAT, 2, e, 3, ey); /* empty output */
}

/* ---- Tile ---- */

static int64_t tile_src(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx)
{
    (void)ys, (void)ctx;
    int64_t xi[OM_MAX_RANK];
    for (int i = 0; i < xs->rank; i++)
        xi[i] = yi[i] % xs->dims[i];
    return flat(xs, xi);
}

static void tile_case(om_dtype dt, int r, const int64_t *xd, const int64_t *rep)
{
    om_graph *g = om_graph_create("t");
    int64_t yd[OM_MAX_RANK];
    for (int i = 0; i < r; i++)
        yd[i] = xd[i] * rep[i];
    om_value *s = cst(g, "repeats", r, rep);
    run_view(OM_OP_TILE, dt, r, xd, r, yd, &s, 1, NULL, tile_src, NULL, g);
    om_graph_destroy(g);
}

static void test_tile(void **state)
{
    (void)state;
    int64_t d[4] = {2, 3, 1, 5};
    for (int r = 1; r <= 4; r++)
        for (int k = 0; k < 4; k++) {
            int64_t rep[4];
            for (int i = 0; i < r; i++)
                rep[i] = 1 + (int64_t)((k + i) % 3);
            tile_case(k % 2 ? OM_DT_INT32 : OM_DT_FLOAT, r, d, rep);
        }
    int64_t z[2] = {2, 3}, rz[2] = {0, 2};
    tile_case(OM_DT_UINT8, 2, z, rz);
    int64_t w[4] = {2, 3, 4, 5}, rw[4] = {2, 2, 2, 2};
    tile_case(OM_DT_INT16, 4, w, rw); /* 8 unmergeable view dims */
}

/* ---- Slice ---- */

typedef struct slice_ctx {
    int n;
    int64_t starts[4], ends[4], axes[4], steps[4];
    int64_t start_of[OM_MAX_RANK], step_of[OM_MAX_RANK];
} slice_ctx;

static int64_t slice_src(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx)
{
    (void)ys;
    const slice_ctx *c = ctx;
    int64_t xi[OM_MAX_RANK];
    for (int i = 0; i < xs->rank; i++)
        xi[i] = c->start_of[i] + yi[i] * c->step_of[i];
    return flat(xs, xi);
}

/* Reference clamping written from the ONNX text, independent of the kernel's code. */
static void slice_case(om_dtype dt, int r, const int64_t *xd, slice_ctx c, bool with_axes, bool with_steps)
{
    int64_t yd[OM_MAX_RANK];
    for (int i = 0; i < r; i++) {
        yd[i] = xd[i];
        c.start_of[i] = 0;
        c.step_of[i] = 1;
    }
    for (int k = 0; k < c.n; k++) {
        int a = (int)(c.axes[k] < 0 ? c.axes[k] + r : c.axes[k]);
        int64_t d = xd[a], st = c.steps[k], s = c.starts[k], e = c.ends[k];
        s = s < 0 ? s + d : s;
        e = e < 0 ? e + d : e;
        int64_t cnt = 0;
        if (st > 0) {
            s = s < 0 ? 0 : s > d ? d : s;
            e = e < 0 ? 0 : e > d ? d : e;
            for (int64_t i = s; i < e; i += st)
                cnt++;
        } else {
            s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
            e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
            for (int64_t i = s; i > e; i += st)
                cnt++;
        }
        yd[a] = cnt;
        c.start_of[a] = s;
        c.step_of[a] = st;
    }
    om_graph *g = om_graph_create("t");
    om_value *ex[4] = {cst(g, "starts", c.n, c.starts), cst(g, "ends", c.n, c.ends)};
    int ne = 2;
    if (with_axes || with_steps)
        ex[ne++] = cst(g, "axes", c.n, c.axes);
    if (with_steps)
        ex[ne++] = cst(g, "steps", c.n, c.steps);
    run_view(OM_OP_SLICE, dt, r, xd, r, yd, ex, ne, NULL, slice_src, &c, g);
    om_graph_destroy(g);
}

static void test_slice(void **state)
{
    (void)state;
    int64_t d[3] = {20, 10, 5};
    slice_ctx a = {2, {0, 0}, {3, 10}, {0, 1}, {1, 1}};
    slice_case(OM_DT_FLOAT, 3, d, a, true, true);
    slice_ctx b = {3, {20, 10, 4}, {0, 0, 1}, {0, 1, 2}, {-1, -3, -2}}; /* test_slice_neg_steps */
    slice_case(OM_DT_FLOAT, 3, d, b, true, true);
    slice_ctx c = {1, {1}, {1000}, {1}, {1}}; /* end out of bounds */
    slice_case(OM_DT_INT64, 3, d, c, true, true);
    slice_ctx e = {1, {1000}, {1000}, {1}, {1}}; /* start out of bounds: empty */
    slice_case(OM_DT_FLOAT, 3, d, e, true, true);
    slice_ctx f = {3, {0, 0, 3}, {20, 10, 4}, {0, 1, 2}, {1, 1, 1}}; /* default axes */
    slice_case(OM_DT_UINT8, 3, d, f, false, false);
    slice_ctx h = {2, {-5, -1}, {-1, -100}, {-1, 0}, {2, -4}}; /* negative axes and indices */
    slice_case(OM_DT_FLOAT16, 3, d, h, true, true);
    slice_ctx k = {1, {INT64_MIN}, {INT64_MAX}, {1}, {3}};
    slice_case(OM_DT_DOUBLE, 3, d, k, true, true);
}

/* ---- DepthToSpace, SpaceToDepth ---- */

typedef struct ds_ctx {
    int64_t b;
    bool crd;
} ds_ctx;

static void ds_attrs(om_graph *g, om_node *n, const void *ctx)
{
    const ds_ctx *c = ctx;
    assert_int_equal(om_node_set_int(g, n, "blocksize", c->b), OM_OK);
    if (n->op == OM_OP_DEPTH_TO_SPACE)
        assert_int_equal(om_node_set_string(g, n, "mode", c->crd ? "CRD" : "DCR"), OM_OK);
}

static int64_t d2s_src(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx)
{
    const ds_ctx *c = ctx;
    int64_t b = c->b, C2 = ys->dims[1];
    int64_t h = yi[2] / b, bh = yi[2] % b, w = yi[3] / b, bw = yi[3] % b;
    int64_t ch = c->crd ? yi[1] * b * b + bh * b + bw : (bh * b + bw) * C2 + yi[1];
    int64_t xi[4] = {yi[0], ch, h, w};
    return flat(xs, xi);
}

static int64_t s2d_src(const om_shape *xs, const om_shape *ys, const int64_t *yi, const void *ctx)
{
    (void)ys;
    const ds_ctx *c = ctx;
    int64_t b = c->b, C = xs->dims[1];
    int64_t blk = yi[1] / C, ch = yi[1] % C, bh = blk / b, bw = blk % b;
    int64_t xi[4] = {yi[0], ch, yi[2] * b + bh, yi[3] * b + bw};
    return flat(xs, xi);
}

static void test_depth_space(void **state)
{
    (void)state;
    for (int crd = 0; crd < 2; crd++) {
        ds_ctx c = {2, crd != 0};
        int64_t xd[4] = {2, 8, 3, 3}, yd[4] = {2, 2, 6, 6};
        om_graph *g = om_graph_create("t");
        run_view(OM_OP_DEPTH_TO_SPACE, OM_DT_FLOAT, 4, xd, 4, yd, NULL, 0, ds_attrs, d2s_src, &c, g);
        om_graph_destroy(g);
        ds_ctx c3 = {3, crd != 0};
        int64_t xd3[4] = {1, 18, 2, 5}, yd3[4] = {1, 2, 6, 15};
        g = om_graph_create("t");
        run_view(OM_OP_DEPTH_TO_SPACE, OM_DT_INT16, 4, xd3, 4, yd3, NULL, 0, ds_attrs, d2s_src, &c3, g);
        om_graph_destroy(g);
    }
    ds_ctx c = {2, false};
    int64_t xd[4] = {2, 3, 6, 4}, yd[4] = {2, 12, 3, 2};
    om_graph *g = om_graph_create("t");
    run_view(OM_OP_SPACE_TO_DEPTH, OM_DT_FLOAT, 4, xd, 4, yd, NULL, 0, ds_attrs, s2d_src, &c, g);
    om_graph_destroy(g);
}

/* ---- Split ---- */

static void split_case(om_dtype dt, int r, const int64_t *xd, int axis, int no, const int64_t *parts)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, xd), *ys[8];
    for (int k = 0; k < no; k++) {
        int64_t yd[OM_MAX_RANK];
        memcpy(yd, xd, sizeof(int64_t) * (size_t)r);
        yd[axis] = parts[k];
        char nm[8];
        snprintf(nm, sizeof nm, "y%d", k);
        ys[k] = cg_value(g, nm, dt, r, yd);
    }
    om_value *ins[2] = {x, cst(g, "split", no, parts)};
    om_node *n = om_graph_add_node(g, OM_OP_SPLIT, "s", ins, 2, ys, no);
    assert_int_equal(om_node_set_int(g, n, "axis", axis - r), OM_OK);
    for (int k = 0; k < no; k++)
        assert_int_equal(om_graph_add_output(g, ys[k]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Split: %s", om_last_error());
    fill(x, cg_jit_buf(j, x));
    cg_jit_run_checked(j);
    size_t es = om_dtype_size(dt);
    const unsigned char *px = cg_jit_buf(j, x);
    int64_t off = 0, xi[OM_MAX_RANK];
    for (int k = 0; k < no; k++) {
        const unsigned char *py = cg_jit_buf(j, ys[k]);
        for (int64_t e = 0; e < om_shape_numel(&ys[k]->shape); e++) {
            unflat(&ys[k]->shape, e, xi);
            xi[axis] += off;
            if (memcmp(py + e * (int64_t)es, px + flat(&x->shape, xi) * (int64_t)es, es))
                fail_msg("Split axis %d output %d element %lld", axis, k, (long long)e);
        }
        off += parts[k];
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_split(void **state)
{
    (void)state;
    int64_t d[3] = {2, 6, 4};
    int64_t p1[3] = {1, 2, 3}, p2[2] = {1, 1}, p3[3] = {0, 4, 0}, p4[1] = {6};
    split_case(OM_DT_FLOAT, 3, d, 1, 3, p1);
    split_case(OM_DT_INT8, 3, d, 0, 2, p2);
    split_case(OM_DT_DOUBLE, 3, d, 2, 3, p3);
    split_case(OM_DT_FLOAT, 3, d, 1, 1, p4);
}

static void test_bad_slice(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t d[2] = {4, 4}, one = 1;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, d), *y = cg_value(g, "y", OM_DT_FLOAT, 2, d);
    /* run-time starts/ends are supported (test_runtime_slice.c); float ends are not */
    om_value *ins[3] = {x, cg_input(g, "s", OM_DT_INT64, 1, &one), cg_input(g, "e", OM_DT_FLOAT, 1, &one)};
    om_graph_add_node(g, OM_OP_SLICE, "sl", ins, 3, &y, 1);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_UNSUPPORTED);
    assert_non_null(strstr(om_last_error(), "node 'sl' (Slice): input 2 must be an i32/i64 1-D tensor"));
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand), cmocka_unit_test(test_tile),  cmocka_unit_test(test_slice),
        cmocka_unit_test(test_depth_space), cmocka_unit_test(test_split), cmocka_unit_test(test_bad_slice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
