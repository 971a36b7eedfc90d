/* Resize with run-time scales / sizes / roi (codegen/kernels/nn_resize_rt.c and the sizes
 * check in nn_resize.c) against a C transcription of ONNX's reference
 * (interpolate_nd_with_x: per-axis recursion; interpolate_1d_with_x: the n nearest indices
 * of the edge-padded axis, ties to the smaller; an axis with in == out and scale 1 is the
 * identity, as omc's constant path defines it).
 *   (a) scales / sizes / roi are graph INPUTS fed values that agree with Y's compiled shape:
 *       every mode, nearest_mode and coordinate mode, exclude_outside, cubic_coeff_a,
 *       up/down-sampling, an in == out axis with scale != 1 (the general loop nest) and
 *       with scale 1 (the identity copy), f32/f16/f64/int8, rank 1..5, an axis too long for
 *       the stack tables (taps in line), tf_crop_and_resize with a run-time roi;
 *   (b) values that disagree (floor(in * scale) != out, NaN or negative scale, other sizes,
 *       other MaxUnpool-style values) make the kernel fail with its check (OM_ERR_INVALID_ARGUMENT
 *       from cg_jit_run), and the same compiled kernel still runs correctly afterwards;
 *   (c) the run-time kernels call no library function on the three no-libcall targets;
 *   (d) the shape rule (passes/infer/nn_ops.c) takes Y's declared shape for run-time
 *       scales/sizes/roi, refuses a declared shape no value can give, and keeps the
 *       "compile-time constant" error when Y's shape is not declared.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_jit.h"

typedef struct rp {
    const char *mode, *ctm, *nearest;
    double A;
    int exclude;
    double extrap;
} rp;

/* indices of the n values nearest to x among [0, L) (ties prefer the smaller), sorted;
 * candidates are searched in a window around clamp(x) that always holds the n nearest */
static void nearest_idx(double x, int n, int64_t L, int64_t *out)
{
    double c = x != x ? 0 : x < 0 ? 0 : x > (double)(L - 1) ? (double)(L - 1) : floor(x);
    int64_t lo = (int64_t)c - 5, hi = (int64_t)c + 6, m = 0, cand[12];
    for (int64_t i = lo < 0 ? 0 : lo; i < hi && i < L; i++) cand[m++] = i;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = i + 1; j < m; j++) {
            double di = fabs(x - (double)cand[i]), dj = fabs(x - (double)cand[j]);
            if (dj < di || (dj == di && cand[j] < cand[i])) {
                int64_t t = cand[i]; cand[i] = cand[j]; cand[j] = t;
            }
        }
    for (int i = 0; i < n; i++) out[i] = cand[i];
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (out[j] < out[i]) { int64_t t = out[i]; out[i] = out[j]; out[j] = t; }
}

/* interpolate_1d_with_x over data[0..in) at output index x; stride between elements */
static double interp1(const double *data, int64_t in, int64_t out, double scale, double x, const rp *p, double r0,
                      double r1)
{
    bool crop = !strcmp(p->ctm, "tf_crop_and_resize");
    if (in == out && scale == 1 && (!crop || (r0 == 0 && r1 == 1)))
        return data[(int64_t)x];
    double ow = scale * (double)in, xo;
    if (!strcmp(p->ctm, "align_corners")) xo = ow == 1 ? 0 : x * (double)(in - 1) / (ow - 1);
    else if (!strcmp(p->ctm, "asymmetric")) xo = x / scale;
    else if (crop) {
        xo = ow == 1 ? (r1 - r0) * (double)(in - 1) / 2 : x * (r1 - r0) * (double)(in - 1) / (ow - 1);
        xo += r0 * (double)(in - 1);
        if (xo < 0 || xo > (double)(in - 1)) return p->extrap;
    } else if (!strcmp(p->ctm, "pytorch_half_pixel")) xo = ow == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    else if (!strcmp(p->ctm, "tf_half_pixel_for_nn")) xo = (x + 0.5) / scale;
    else xo = (x + 0.5) / scale - 0.5;
    double ratio = xo == floor(xo) ? 1 : xo - floor(xo);
    double c[4];
    int n;
    if (!strcmp(p->mode, "cubic")) {
        double A = p->A, r = ratio;
        n = 4;
        c[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
        c[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
        c[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
        c[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
    } else if (!strcmp(p->mode, "linear")) {
        n = 2;
        c[0] = 1 - ratio;
        c[1] = ratio;
    } else {
        n = 2;
        int right;
        if (ratio == 1) right = 1;
        else if (!strcmp(p->nearest, "round_prefer_ceil")) right = ratio >= 0.5;
        else if (!strcmp(p->nearest, "floor")) right = 0;
        else if (!strcmp(p->nearest, "ceil")) right = 1;
        else right = ratio > 0.5;
        c[0] = !right;
        c[1] = right;
    }
    int pad = (n + 1) / 2;
    int64_t idx[4];
    nearest_idx(xo + pad, n, in + 2 * pad, idx);
    if (p->exclude) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (idx[i] - pad < 0 || idx[i] - pad >= in) c[i] = 0;
            s += c[i];
        }
        for (int i = 0; i < n; i++) c[i] /= s;
    }
    double v = 0;
    for (int i = 0; i < n; i++) {
        int64_t k = idx[i] - pad;
        k = k < 0 ? 0 : k >= in ? in - 1 : k;
        v += c[i] * data[k];
    }
    return v;
}

/* interpolate_nd_with_x: the value at output coordinates o[] of data (shape in[], rank r) */
static double interp_nd(const double *data, int r, const int64_t *in, const int64_t *out, const double *scale,
                        const int64_t *o, const rp *p, const double *r0, const double *r1)
{
    if (r == 1) return interp1(data, in[0], out[0], scale[0], (double)o[0], p, r0[0], r1[0]);
    int64_t inner = 1;
    for (int d = 1; d < r; d++) inner *= in[d];
    double *res = malloc(sizeof *res * (size_t)in[0]);
    for (int64_t i = 0; i < in[0]; i++)
        res[i] = interp_nd(data + i * inner, r - 1, in + 1, out + 1, scale + 1, o + 1, p, r0 + 1, r1 + 1);
    double v = interp1(res, in[0], out[0], scale[0], (double)o[0], p, r0[0], r1[0]);
    free(res);
    return v;
}

/* How the test feeds the node. */
typedef struct feed {
    const float *scales;  /* run-time scales (graph input) */
    const int64_t *sizes; /* run-time sizes (graph input) */
    const float *roi;     /* run-time roi (graph input) */
    const float *cscales; /* constant scales (with a run-time roi) */
} feed;

typedef struct rt_case {
    om_graph *g;
    om_value *x, *y, *scales, *sizes, *roi;
    cg_jit *j;
} rt_case;

static void build(rt_case *c, om_dtype dt, int r, const int64_t *dx, const int64_t *dy, const feed *f, const rp *p)
{
    int64_t rr = r, r2 = 2 * r;
    om_shape s1 = om_shape_make(1, &rr);
    memset(c, 0, sizeof *c);
    c->g = om_graph_create("t");
    c->x = cg_input(c->g, "x", dt, r, dx);
    c->y = cg_value(c->g, "y", dt, r, dy);
    om_value *in[4] = {c->x, NULL, NULL, NULL};
    if (f->roi) in[1] = c->roi = cg_input(c->g, "roi", OM_DT_FLOAT, 1, &r2);
    if (f->scales) in[2] = c->scales = cg_input(c->g, "scales", OM_DT_FLOAT, 1, &rr);
    if (f->cscales) in[2] = om_graph_add_constant(c->g, "cs", OM_DT_FLOAT, &s1, f->cscales, sizeof(float) * (size_t)r);
    if (f->sizes) in[3] = c->sizes = cg_input(c->g, "sizes", OM_DT_INT64, 1, &rr);
    om_node *n = om_graph_add_node(c->g, OM_OP_RESIZE, "rs", in, f->sizes ? 4 : 3, &c->y, 1);
    assert_non_null(n);
    om_node_set_string(c->g, n, "mode", p->mode);
    om_node_set_string(c->g, n, "coordinate_transformation_mode", p->ctm);
    om_node_set_string(c->g, n, "nearest_mode", p->nearest);
    om_node_set_float(c->g, n, "cubic_coeff_a", (float)p->A);
    om_node_set_int(c->g, n, "exclude_outside", p->exclude);
    om_node_set_float(c->g, n, "extrapolation_value", (float)p->extrap);
    assert_int_equal(om_graph_add_output(c->g, c->y), OM_OK);
    if (cg_jit_create(c->g, NULL, &c->j) != OM_OK) fail_msg("Resize: %s", om_last_error());
}

static void load_feed(rt_case *c, int r, const feed *f)
{
    if (f->scales) memcpy(cg_jit_buf(c->j, c->scales), f->scales, sizeof(float) * (size_t)r);
    if (f->sizes) memcpy(cg_jit_buf(c->j, c->sizes), f->sizes, sizeof(int64_t) * (size_t)r);
    if (f->roi) memcpy(cg_jit_buf(c->j, c->roi), f->roi, sizeof(float) * (size_t)(2 * r));
}

static void destroy(rt_case *c)
{
    cg_jit_destroy(c->j);
    om_graph_destroy(c->g);
}

/* Y's shape from the feed (ONNX: floor(in * scale), or the sizes). */
static void out_dims(int r, const int64_t *dx, const feed *f, int64_t *dy, double *scale)
{
    for (int d = 0; d < r; d++) {
        if (f->sizes) {
            dy[d] = f->sizes[d];
            scale[d] = (double)dy[d] / (double)dx[d];
        } else {
            const float *s = f->scales ? f->scales : f->cscales;
            scale[d] = s[d];
            dy[d] = (int64_t)floor((double)s[d] * (double)dx[d]);
        }
    }
}

static void check(om_dtype dt, int r, const int64_t *dx, const feed *f, const rp *p)
{
    int64_t dy[8];
    double scale[8], r0[8], r1[8];
    out_dims(r, dx, f, dy, scale);
    for (int d = 0; d < r; d++) {
        r0[d] = f->roi ? f->roi[d] : 0;
        r1[d] = f->roi ? f->roi[r + d] : 1;
    }
    rt_case c;
    build(&c, dt, r, dx, dy, f, p);
    int64_t nx = 1, ny = 1;
    for (int d = 0; d < r; d++) {
        nx *= dx[d];
        ny *= dy[d];
    }
    if (om_dtype_is_float(dt)) cg_fill_random(dt, cg_jit_buf(c.j, c.x), nx, -4, 4);
    else cg_fill_random(dt, cg_jit_buf(c.j, c.x), nx, -100, 100);
    load_feed(&c, r, f);
    cg_jit_run_checked(c.j);
    const void *px = cg_jit_buf(c.j, c.x), *py = cg_jit_buf(c.j, c.y);
    double *data = malloc(sizeof *data * (size_t)nx);
    for (int64_t i = 0; i < nx; i++) data[i] = cg_get(dt, px, i);
    double tol = dt == OM_DT_FLOAT16 ? 4e-3 : dt == OM_DT_FLOAT ? 2e-5 : 1e-9;
    for (int64_t i = 0; i < ny; i++) {
        int64_t o[8], rem = i;
        for (int d = r - 1; d >= 0; d--) {
            o[d] = rem % dy[d];
            rem /= dy[d];
        }
        double want = interp_nd(data, r, dx, dy, scale, o, p, r0, r1);
        if (dt == OM_DT_FLOAT16) want = cg_f16_to_f32(cg_f32_to_f16((float)want));
        double got = cg_get(dt, py, i);
        if (!(fabs(got - want) <= tol * (1 + fabs(want))))
            fail_msg("%s %s/%s/%s rank %d: element %lld = %.7g, want %.7g", om_dtype_name(dt), p->mode, p->ctm,
                     p->nearest, r, (long long)i, got, want);
    }
    free(data);
    destroy(&c);
}

static const char *const ctms[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                   "tf_half_pixel_for_nn"};

static void test_scales_nearest(void **state)
{
    (void)state;
    static const char *const nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    int64_t d1[4] = {1, 2, 3, 4}, d2[4] = {1, 2, 5, 6}, d3[4] = {2, 1, 4, 5};
    float up[4] = {1, 1, 2.0f, 3.0f}, down[4] = {1, 1, 0.6f, 0.5f}, odd[4] = {1, 1, 1.7f, 0.8f};
    for (int c = 0; c < 5; c++)
        for (int m = 0; m < 4; m++) {
            rp p = {"nearest", ctms[c], nms[m], -0.75, 0, 0};
            check(OM_DT_FLOAT, 4, d1, &(feed){.scales = up}, &p);
            check(OM_DT_FLOAT, 4, d2, &(feed){.scales = down}, &p);
            check(OM_DT_INT8, 4, d3, &(feed){.scales = odd}, &p);
        }
}

static void test_scales_linear_cubic(void **state)
{
    (void)state;
    int64_t d4[4] = {1, 2, 4, 4}, d5[4] = {1, 2, 5, 4}, dg[4] = {2, 3, 4, 5};
    float up[4] = {1, 1, 2.0f, 1.5f}, down[4] = {1, 1, 0.6f, 0.75f};
    /* axis 0 keeps its size with scale 1.2 (floor(2.4) = 2): no identity shortcut */
    float gen[4] = {1.2f, 1, 1.5f, 0.8f};
    for (int c = 0; c < 5; c++) {
        rp lin = {"linear", ctms[c], "round_prefer_floor", -0.75, 0, 0};
        rp cub = {"cubic", ctms[c], "round_prefer_floor", -0.75, 0, 0};
        rp cubx = {"cubic", ctms[c], "round_prefer_floor", -0.5, 1, 0};
        check(OM_DT_FLOAT, 4, d4, &(feed){.scales = up}, &lin);
        check(OM_DT_FLOAT, 4, d5, &(feed){.scales = down}, &lin);
        check(OM_DT_FLOAT, 4, dg, &(feed){.scales = gen}, &lin);
        check(OM_DT_FLOAT, 4, d4, &(feed){.scales = up}, &cub);
        check(OM_DT_FLOAT, 4, d5, &(feed){.scales = down}, &cubx);
        check(OM_DT_FLOAT, 4, dg, &(feed){.scales = gen}, &cubx);
    }
    rp cub = {"cubic", "half_pixel", "round_prefer_floor", -0.75, 0, 0};
    rp lin = {"linear", "align_corners", "round_prefer_floor", -0.75, 0, 0};
    check(OM_DT_FLOAT16, 4, d4, &(feed){.scales = up}, &cub);
    check(OM_DT_DOUBLE, 4, d4, &(feed){.scales = up}, &cub);
    check(OM_DT_DOUBLE, 4, dg, &(feed){.scales = gen}, &lin);
}

static void test_ranks_and_long_axes(void **state)
{
    (void)state;
    rp lin = {"linear", "half_pixel", "round_prefer_floor", -0.75, 0, 0};
    rp cub = {"cubic", "asymmetric", "round_prefer_floor", -0.75, 0, 0};
    rp nn = {"nearest", "half_pixel", "round_prefer_ceil", -0.75, 0, 0};
    int64_t d1[1] = {7}, d2[2] = {3, 5}, d5[5] = {1, 2, 3, 2, 3};
    float s1[1] = {2.5f}, s2[2] = {1.4f, 0.7f}, s5[5] = {1, 1.5f, 1.4f, 2, 1.4f};
    check(OM_DT_FLOAT, 1, d1, &(feed){.scales = s1}, &cub);
    check(OM_DT_FLOAT, 2, d2, &(feed){.scales = s2}, &lin);
    check(OM_DT_FLOAT, 5, d5, &(feed){.scales = s5}, &lin);
    check(OM_DT_FLOAT, 5, d5, &(feed){.scales = s5}, &nn);
    /* 3000 outputs on the last axis (2 taps: 72 KB > the 64 KB of stack tables): in line */
    int64_t dl[3] = {1, 2, 1000}, dc[2] = {2, 2000};
    float sl[3] = {1, 2, 3}, sc[2] = {1.5f, 1.25f};
    check(OM_DT_FLOAT, 3, dl, &(feed){.scales = sl}, &lin);
    check(OM_DT_FLOAT, 2, dc, &(feed){.scales = sc}, &cub);
}

static void test_sizes_and_roi(void **state)
{
    (void)state;
    int64_t dx[4] = {1, 2, 4, 4}, dw[4] = {1, 2, 4, 6};
    int64_t sz[4] = {1, 2, 3, 5}, up[4] = {1, 2, 7, 9};
    float roi[8] = {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 0.7f}, roi_in[8] = {0, 0, 0.1f, 0.2f, 1, 1, 0.9f, 0.8f};
    /* roi that moves the kept axes too (no identity) */
    float roi_all[8] = {0, 0.5f, 0.1f, 0.2f, 1, 0.5f, 0.9f, 0.8f};
    float cs[4] = {1, 1, 0.8f, 1.25f};
    rp lin = {"linear", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 10};
    rp nn = {"nearest", "tf_crop_and_resize", "round_prefer_ceil", -0.75, 0, -3};
    rp cub = {"cubic", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 2};
    check(OM_DT_FLOAT, 4, dx, &(feed){.sizes = sz, .roi = roi}, &lin);
    check(OM_DT_FLOAT, 4, dx, &(feed){.sizes = sz, .roi = roi}, &nn);
    check(OM_DT_FLOAT, 4, dw, &(feed){.sizes = sz, .roi = roi_in}, &cub);
    check(OM_DT_FLOAT, 4, dw, &(feed){.sizes = sz, .roi = roi_all}, &lin);
    check(OM_DT_FLOAT, 4, dw, &(feed){.cscales = cs, .roi = roi_in}, &cub);
    /* run-time sizes alone: constant tables after the check */
    for (int c = 0; c < 5; c++) {
        rp l = {"linear", ctms[c], "round_prefer_floor", -0.75, 0, 0};
        rp n = {"nearest", ctms[c], "floor", -0.75, 0, 0};
        rp k = {"cubic", ctms[c], "round_prefer_floor", -0.5, 1, 0};
        check(OM_DT_FLOAT, 4, dx, &(feed){.sizes = up}, &l);
        check(OM_DT_FLOAT, 4, dw, &(feed){.sizes = sz}, &n);
        check(OM_DT_FLOAT, 4, dw, &(feed){.sizes = up}, &k);
    }
}

/* (b): values that disagree with the compiled shape fail the check; agreeing ones still run */
static void test_disagreeing_values(void **state)
{
    (void)state;
    rp lin = {"linear", "half_pixel", "round_prefer_floor", -0.75, 0, 0};
    rp nn = {"nearest", "asymmetric", "floor", -0.75, 0, 0};
    int64_t dx[4] = {1, 2, 4, 5};
    float good[4] = {1, 1, 2, 1.5f}; /* -> [1,2,8,7] */
    float bad[][4] = {
        {1, 1, 2.25f, 1.5f}, /* floor(9) = 9 != 8 */
        {1, 1, 2, 1.2f},     /* floor(6) != 7 */
        {1, 1.6f, 2, 1.5f},  /* floor(3.2) = 3 != 2 */
        {1, 1, NAN, 1.5f},
        {-1, 1, 2, 1.5f},
        {1, 1, 1.99f, 1.5f}, /* floor(7.96) = 7 */
    };
    int64_t dy[4];
    double sc[4];
    const rp *ps[2] = {&lin, &nn};
    for (int m = 0; m < 2; m++) {
        feed f = {.scales = good};
        out_dims(4, dx, &f, dy, sc);
        rt_case c;
        build(&c, OM_DT_FLOAT, 4, dx, dy, &f, ps[m]);
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(c.j, c.x), 40, -1, 1);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            memcpy(cg_jit_buf(c.j, c.scales), bad[i], sizeof bad[i]);
            assert_int_equal(cg_jit_run(c.j, 1), OM_ERR_INVALID_ARGUMENT);
            assert_int_equal(cg_jit_run(c.j, 3), OM_ERR_INVALID_ARGUMENT);
        }
        /* scale 2.1 on an axis of 4 is floor(8.4) = 8 too: agrees (and uses 2.1) */
        float other[4] = {1, 1, 2.1f, 1.5f};
        memcpy(cg_jit_buf(c.j, c.scales), other, sizeof other);
        assert_int_equal(cg_jit_run(c.j, 1), OM_OK);
        destroy(&c);
    }
    /* sizes that differ from the compiled shape (constant-table path and crop path) */
    int64_t sz[4] = {1, 2, 3, 7}, bad_sz[][4] = {{1, 2, 3, 6}, {2, 2, 3, 7}, {1, 2, -3, 7}};
    float roi[8] = {0, 0, 0.1f, 0.2f, 1, 1, 0.9f, 0.8f};
    rp crop = {"linear", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 1};
    const rp *pz[2] = {&lin, &crop};
    for (int m = 0; m < 2; m++) {
        feed f = {.sizes = sz, .roi = m ? roi : NULL};
        out_dims(4, dx, &f, dy, sc);
        rt_case c;
        build(&c, OM_DT_FLOAT, 4, dx, dy, &f, pz[m]);
        load_feed(&c, 4, &f);
        assert_int_equal(cg_jit_run(c.j, 1), OM_OK);
        for (size_t i = 0; i < sizeof bad_sz / sizeof bad_sz[0]; i++) {
            memcpy(cg_jit_buf(c.j, c.sizes), bad_sz[i], sizeof bad_sz[i]);
            assert_int_equal(cg_jit_run(c.j, 1), OM_ERR_INVALID_ARGUMENT);
        }
        destroy(&c);
    }
}

/* The value of a run-time scale matters beyond the shape: 2.1 and 2.0 give the same output
 * size but other source coordinates. */
static void test_scale_value_used(void **state)
{
    (void)state;
    rp lin = {"linear", "asymmetric", "round_prefer_floor", -0.75, 0, 0};
    int64_t dx[2] = {1, 4}, dy[2] = {1, 8};
    rt_case c;
    build(&c, OM_DT_FLOAT, 2, dx, dy, &(feed){.scales = (float[]){1, 2}}, &lin);
    float *x = cg_jit_buf(c.j, c.x), *y = cg_jit_buf(c.j, c.y), *s = cg_jit_buf(c.j, c.scales);
    for (int i = 0; i < 4; i++) x[i] = (float)(10 * i);
    s[0] = 1;
    s[1] = 2;
    assert_int_equal(cg_jit_run(c.j, 1), OM_OK);
    assert_float_equal(y[3], 15.0f, 1e-5); /* x = 1.5 */
    s[1] = 2.1f;
    assert_int_equal(cg_jit_run(c.j, 1), OM_OK);
    assert_float_equal(y[3], 10.0f * (float)(3 / (double)2.1f), 1e-4); /* x = 3 / 2.1 */
    destroy(&c);
}

/* (c) */
static void test_no_libcalls(void **state)
{
    (void)state;
    int64_t dx[4] = {1, 2, 4, 4}, dy[4] = {1, 2, 8, 8}, dz[4] = {1, 2, 3, 5};
    rp cub = {"cubic", "half_pixel", "round_prefer_floor", -0.5, 1, 0};
    rp crop = {"linear", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 1};
    rp nn = {"nearest", "tf_half_pixel_for_nn", "round_prefer_ceil", -0.75, 0, 0};
    const rp *ps[3] = {&cub, &crop, &nn};
    float roi[8] = {0, 0, 0.1f, 0.2f, 1, 1, 0.9f, 0.8f};
    for (int m = 0; m < 3; m++) {
        feed f = m == 1 ? (feed){.sizes = (int64_t[]){1, 2, 3, 5}, .roi = roi} : (feed){.scales = (float[]){1, 1, 2, 2}};
        rt_case c;
        build(&c, OM_DT_FLOAT16, 4, dx, m == 1 ? dz : dy, &f, ps[m]);
        for (int t = 0; t < 3; t++) cg_jit_assert_no_libcalls(c.g, &cg_no_libcall_targets[t], ps[m]->mode);
        destroy(&c);
    }
}

static om_status infer(om_graph *g)
{
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

/* (d) */
static void test_shape_rule(void **state)
{
    (void)state;
    int64_t dx[4] = {1, 2, 4, 5}, dy[4] = {1, 2, 8, 7}, four = 4, eight = 8;
    for (int what = 0; what < 3; what++) { /* run-time scales, sizes, roi (with constant sizes) */
        for (int declared = 0; declared < 2; declared++) {
            om_graph *g = om_graph_create("t");
            om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx);
            om_value *y = declared ? cg_value(g, "y", OM_DT_FLOAT, 4, dy) : om_graph_add_value(g, "y", OM_DT_UNDEFINED, NULL);
            om_shape s4 = om_shape_make(1, &four);
            om_value *in[4] = {x, NULL, NULL, NULL};
            if (what == 0) in[2] = cg_input(g, "scales", OM_DT_FLOAT, 1, &four);
            if (what == 1) in[3] = cg_input(g, "sizes", OM_DT_INT64, 1, &four);
            if (what == 2) {
                in[1] = cg_input(g, "roi", OM_DT_FLOAT, 1, &eight);
                in[3] = om_graph_add_constant(g, "sizes", OM_DT_INT64, &s4, dy, sizeof dy);
            }
            om_node *n = om_graph_add_node(g, OM_OP_RESIZE, "rs", in, 4, &y, 1);
            assert_non_null(n);
            if (what == 2) om_node_set_string(g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
            om_graph_add_output(g, y);
            om_status st = infer(g);
            if (declared) {
                if (st != OM_OK) fail_msg("declared output, run-time input %d: %s", what, om_last_error());
                assert_true(om_shape_equal(&y->shape, &(om_shape){.rank = 4, .dims = {1, 2, 8, 7}}));
            } else {
                assert_int_equal(st, OM_ERR_UNSUPPORTED);
                assert_non_null(strstr(om_last_error(), "must be a compile-time constant"));
                assert_non_null(strstr(om_last_error(), what == 0 ? "'scales'" : what == 1 ? "'sizes'" : "'roi'"));
            }
            om_graph_destroy(g);
        }
    }
    /* declared shapes no run-time value can give: other rank; a size from an empty axis */
    int64_t d3[3] = {1, 2, 8}, dz[4] = {1, 0, 4, 5}, dzy[4] = {1, 3, 8, 7};
    for (int m = 0; m < 2; m++) {
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, m ? dz : dx);
        om_value *y = m ? cg_value(g, "y", OM_DT_FLOAT, 4, dzy) : cg_value(g, "y", OM_DT_FLOAT, 3, d3);
        om_value *sc = cg_input(g, "scales", OM_DT_FLOAT, 1, &four);
        assert_non_null(om_graph_add_node(g, OM_OP_RESIZE, "rs", (om_value *[]){x, NULL, sc}, 3, &y, 1));
        om_graph_add_output(g, y);
        assert_int_equal(infer(g), OM_ERR_INVALID_MODEL);
        assert_non_null(strstr(om_last_error(), m ? "X's dim 1 is 0" : "has rank 3"));
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scales_nearest),     cmocka_unit_test(test_scales_linear_cubic),
        cmocka_unit_test(test_ranks_and_long_axes), cmocka_unit_test(test_sizes_and_roi),
        cmocka_unit_test(test_disagreeing_values), cmocka_unit_test(test_scale_value_used),
        cmocka_unit_test(test_no_libcalls),        cmocka_unit_test(test_shape_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
