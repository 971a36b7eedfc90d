/* Resize kernel against a C transcription of ONNX's reference (interpolate_nd_with_x): the
 * n nearest neighbours of the edge-padded axis found by sorting every index by distance,
 * per-axis recursion. Every mode, nearest_mode and coordinate transformation, up- and
 * down-sampling, exclude_outside, cubic_coeff_a, tf_crop_and_resize extrapolation; f32, f16,
 * double, and int8 (nearest gathers). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct rp {
    const char *mode, *ctm, *nearest;
    double A;
    int exclude;
    double extrap;
} rp;

/* indices of the n values nearest to x among [0, L) (ties prefer the smaller), sorted */
static void nearest_idx(double x, int n, int64_t L, int64_t *out)
{
    int64_t *all = malloc(sizeof *all * (size_t)L);
    for (int64_t i = 0; i < L; i++) all[i] = i;
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = i + 1; j < L; j++) {
            double di = fabs(x - (double)all[i]), dj = fabs(x - (double)all[j]);
            if (dj < di || (dj == di && all[j] < all[i])) {
                int64_t t = all[i]; all[i] = all[j]; all[j] = t;
            }
        }
    for (int i = 0; i < n; i++) out[i] = all[i];
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (out[j] < out[i]) { int64_t t = out[i]; out[i] = out[j]; out[j] = t; }
    free(all);
}

static double interp1(const double *data, int64_t in, double scale, double x, const rp *p, double r0, double r1)
{
    double ow = scale * (double)in, xo;
    if (!strcmp(p->ctm, "align_corners")) xo = ow == 1 ? 0 : x * (double)(in - 1) / (ow - 1);
    else if (!strcmp(p->ctm, "asymmetric")) xo = x / scale;
    else if (!strcmp(p->ctm, "tf_crop_and_resize")) {
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

/* X [1, 2, H, W] -> Y [1, 2, OH, OW]; scales (sizes NULL) or sizes; roi for crop. */
static void check(om_dtype dt, int64_t H, int64_t W, const float *scales, const int64_t *sizes, const float *roi,
                  const rp *p)
{
    int64_t dx[4] = {1, 2, H, W}, dy[4] = {1, 2, 0, 0};
    double sh, sw;
    if (sizes) {
        dy[2] = sizes[2];
        dy[3] = sizes[3];
        sh = (double)dy[2] / H;
        sw = (double)dy[3] / W;
    } else {
        dy[2] = (int64_t)floor(scales[2] * (double)H);
        dy[3] = (int64_t)floor(scales[3] * (double)W);
        sh = scales[2];
        sw = scales[3];
    }
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, 4, dx), *y = cg_value(g, "y", dt, 4, dy);
    int64_t four = 4, eight = 8;
    om_shape s4 = om_shape_make(1, &four), s8 = om_shape_make(1, &eight);
    om_value *in[4] = {x, NULL, NULL, NULL};
    if (roi) in[1] = om_graph_add_constant(g, "roi", OM_DT_FLOAT, &s8, roi, 8 * sizeof(float));
    if (sizes) in[3] = om_graph_add_constant(g, "sizes", OM_DT_INT64, &s4, sizes, 4 * sizeof(int64_t));
    else in[2] = om_graph_add_constant(g, "scales", OM_DT_FLOAT, &s4, scales, 4 * sizeof(float));
    om_node *n = om_graph_add_node(g, OM_OP_RESIZE, "rs", in, sizes ? 4 : 3, &y, 1);
    assert_non_null(n);
    om_node_set_string(g, n, "mode", p->mode);
    om_node_set_string(g, n, "coordinate_transformation_mode", p->ctm);
    om_node_set_string(g, n, "nearest_mode", p->nearest);
    om_node_set_float(g, n, "cubic_coeff_a", (float)p->A);
    om_node_set_int(g, n, "exclude_outside", p->exclude);
    om_node_set_float(g, n, "extrapolation_value", (float)p->extrap);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("Resize: %s", om_last_error());
    int64_t nx = 2 * H * W;
    if (om_dtype_is_float(dt)) cg_fill_random(dt, cg_jit_buf(j, x), nx, -4, 4);
    else cg_fill_random(dt, cg_jit_buf(j, x), nx, -100, 100);
    cg_jit_run_checked(j);
    const void *px = cg_jit_buf(j, x), *py = cg_jit_buf(j, y);
    double *plane = malloc(sizeof(double) * (size_t)(H * W)), *rows = malloc(sizeof(double) * (size_t)H);
    double tol = dt == OM_DT_FLOAT16 ? 4e-3 : dt == OM_DT_FLOAT ? 2e-5 : 1e-9;
    for (int c = 0; c < 2; c++) {
        for (int64_t i = 0; i < H * W; i++) plane[i] = cg_get(dt, px, c * H * W + i);
        for (int64_t oy = 0; oy < dy[2]; oy++)
            for (int64_t ox = 0; ox < dy[3]; ox++) {
                for (int64_t r = 0; r < H; r++)
                    rows[r] = interp1(plane + r * W, W, sw, (double)ox, p, roi ? roi[3] : 0, roi ? roi[7] : 1);
                double want = interp1(rows, H, sh, (double)oy, p, roi ? roi[2] : 0, roi ? roi[6] : 1);
                double got = cg_get(dt, py, (c * dy[2] + oy) * dy[3] + ox);
                if (!(fabs(got - want) <= tol * (1 + fabs(want))))
                    fail_msg("%s %s/%s/%s %lldx%lld -> %lldx%lld: [%d,%lld,%lld] = %.7g, want %.7g", om_dtype_name(dt),
                             p->mode, p->ctm, p->nearest, (long long)H, (long long)W, (long long)dy[2],
                             (long long)dy[3], c, (long long)oy, (long long)ox, got, want);
            }
    }
    free(plane);
    free(rows);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static const char *const ctms[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                   "tf_half_pixel_for_nn"};

static void test_nearest(void **state)
{
    static const char *const nms[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    float up[4] = {1, 1, 2.0f, 3.0f}, down[4] = {1, 1, 0.6f, 0.5f}, odd[4] = {1, 1, 1.7f, 0.8f};
    for (int c = 0; c < 5; c++)
        for (int m = 0; m < 4; m++) {
            rp p = {"nearest", ctms[c], nms[m], -0.75, 0, 0};
            check(OM_DT_FLOAT, 3, 4, up, NULL, NULL, &p);
            check(OM_DT_FLOAT, 5, 6, down, NULL, NULL, &p);
            check(OM_DT_INT8, 4, 5, odd, NULL, NULL, &p);
        }
}

static void test_linear_cubic(void **state)
{
    float up[4] = {1, 1, 2.0f, 1.5f}, down[4] = {1, 1, 0.6f, 0.75f};
    int64_t sz[4] = {1, 2, 7, 3};
    for (int c = 0; c < 4; c++) {
        rp lin = {"linear", ctms[c], "round_prefer_floor", -0.75, 0, 0};
        rp cub = {"cubic", ctms[c], "round_prefer_floor", -0.75, 0, 0};
        rp cubx = {"cubic", ctms[c], "round_prefer_floor", -0.5, 1, 0};
        check(OM_DT_FLOAT, 4, 4, up, NULL, NULL, &lin);
        check(OM_DT_FLOAT, 5, 4, down, NULL, NULL, &lin);
        check(OM_DT_FLOAT, 4, 5, NULL, sz, NULL, &lin);
        check(OM_DT_FLOAT, 4, 4, up, NULL, NULL, &cub);
        check(OM_DT_FLOAT, 5, 4, down, NULL, NULL, &cubx);
        check(OM_DT_FLOAT, 4, 5, NULL, sz, NULL, &cubx);
    }
    rp cub = {"cubic", "half_pixel", "round_prefer_floor", -0.75, 0, 0};
    check(OM_DT_FLOAT16, 4, 4, up, NULL, NULL, &cub);
    check(OM_DT_DOUBLE, 4, 4, up, NULL, NULL, &cub);
}

static void test_crop_and_resize(void **state)
{
    float roi[8] = {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 0.7f}, roi_in[8] = {0, 0, 0.1f, 0.2f, 1, 1, 0.9f, 0.8f};
    int64_t sz[4] = {1, 2, 3, 5};
    rp lin = {"linear", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 10};
    rp nn = {"nearest", "tf_crop_and_resize", "round_prefer_ceil", -0.75, 0, -3};
    rp cub = {"cubic", "tf_crop_and_resize", "round_prefer_floor", -0.75, 0, 2};
    check(OM_DT_FLOAT, 4, 4, NULL, sz, roi, &lin);
    check(OM_DT_FLOAT, 4, 4, NULL, sz, roi, &nn);
    check(OM_DT_FLOAT, 4, 6, NULL, sz, roi_in, &cub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_linear_cubic),
        cmocka_unit_test(test_crop_and_resize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
