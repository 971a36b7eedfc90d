/* RoiAlign and MaxUnpool kernels against C references.
 * RoiAlign: ONNX Runtime's algorithm (sample grid per bin, samples outside [-1, size]
 * contribute 0, bilinear with clamped neighbours, avg or max), both coordinate modes, fixed
 * and adaptive (sampling_ratio 0) sampling, rois partly outside the image.
 * MaxUnpool: scatter of X by flat indices into a zeroed Y, with the default shape and with
 * a larger output_shape (indices re-flattened), an out-of-range index skipped. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double roi_ref(const double *p, int64_t H, int64_t W, const double *roi, int64_t ph, int64_t pw, int64_t OH,
                      int64_t OW, int64_t sr, double ss, bool half, bool is_max)
{
    double off = half ? 0.5 : 0;
    double x0 = roi[0] * ss - off, y0 = roi[1] * ss - off, x1 = roi[2] * ss - off, y1 = roi[3] * ss - off;
    double rw = x1 - x0, rh = y1 - y0;
    if (!half) {
        rw = fmax(rw, 1);
        rh = fmax(rh, 1);
    }
    double bh = rh / (double)OH, bw = rw / (double)OW;
    int64_t gh = sr > 0 ? sr : (int64_t)ceil(rh / (double)OH), gw = sr > 0 ? sr : (int64_t)ceil(rw / (double)OW);
    int64_t cnt = gh * gw > 1 ? gh * gw : 1;
    double acc = 0;
    bool first = true;
    for (int64_t iy = 0; iy < gh; iy++)
        for (int64_t ix = 0; ix < gw; ix++) {
            double y = y0 + (double)ph * bh + ((double)iy + 0.5) * bh / (double)gh;
            double x = x0 + (double)pw * bw + ((double)ix + 0.5) * bw / (double)gw;
            double val = 0;
            if (!(y < -1 || y > (double)H || x < -1 || x > (double)W)) {
                if (y <= 0) y = 0;
                if (x <= 0) x = 0;
                int64_t yl = (int64_t)y, xl = (int64_t)x, yh, xh;
                if (yl >= H - 1) { yh = yl = H - 1; y = (double)yl; } else yh = yl + 1;
                if (xl >= W - 1) { xh = xl = W - 1; x = (double)xl; } else xh = xl + 1;
                double ly = y - (double)yl, lx = x - (double)xl, hy = 1 - ly, hx = 1 - lx;
                double t[4] = {hy * hx * p[yl * W + xl], hy * lx * p[yl * W + xh], ly * hx * p[yh * W + xl],
                               ly * lx * p[yh * W + xh]};
                val = is_max ? fmax(fmax(fmax(t[0], t[1]), t[2]), t[3]) : t[0] + t[1] + t[2] + t[3];
            }
            if (is_max) acc = first ? val : fmax(acc, val);
            else acc += val;
            first = false;
        }
    return is_max ? acc : acc / (double)cnt;
}

static void check_roi(int64_t sr, bool half, bool is_max)
{
    int64_t N = 2, C = 3, H = 9, W = 11, R = 4, OH = 3, OW = 2;
    int64_t dx[4] = {N, C, H, W}, dr[2] = {R, 4}, dy[4] = {R, C, OH, OW};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *rois = cg_input(g, "rois", OM_DT_FLOAT, 2, dr);
    om_value *bi = cg_input(g, "bi", OM_DT_INT64, 1, &R), *y = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_node *n = om_graph_add_node(g, OM_OP_ROI_ALIGN, "ra", (om_value *[]){x, rois, bi}, 3, &y, 1);
    assert_non_null(n);
    om_node_set_int(g, n, "output_height", OH);
    om_node_set_int(g, n, "output_width", OW);
    om_node_set_int(g, n, "sampling_ratio", sr);
    om_node_set_float(g, n, "spatial_scale", 0.5f);
    om_node_set_string(g, n, "mode", is_max ? "max" : "avg");
    om_node_set_string(g, n, "coordinate_transformation_mode", half ? "half_pixel" : "output_half_pixel");
    om_graph_add_output(g, y);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("RoiAlign: %s", om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, x), N * C * H * W, 0, 3);
    float roi[4][4] = {{1, 2, 15, 14}, {0, 0, 3, 3}, {-6, -4, 9, 30}, {10, 5, 10.5f, 5.2f}};
    memcpy(cg_jit_buf(j, rois), roi, sizeof roi);
    int64_t b[4] = {0, 1, 1, 0};
    memcpy(cg_jit_buf(j, bi), b, sizeof b);
    cg_jit_run_checked(j);
    double *plane = malloc(sizeof(double) * (size_t)(H * W));
    for (int64_t r = 0; r < R; r++)
        for (int64_t c = 0; c < C; c++) {
            for (int64_t i = 0; i < H * W; i++) plane[i] = cg_get(OM_DT_FLOAT, cg_jit_buf(j, x), (b[r] * C + c) * H * W + i);
            double rr[4] = {roi[r][0], roi[r][1], roi[r][2], roi[r][3]};
            for (int64_t ph = 0; ph < OH; ph++)
                for (int64_t pw = 0; pw < OW; pw++) {
                    double want = roi_ref(plane, H, W, rr, ph, pw, OH, OW, sr, 0.5, half, is_max);
                    double got = ((float *)cg_jit_buf(j, y))[((r * C + c) * OH + ph) * OW + pw];
                    if (!(fabs(got - want) <= 1e-4 * (1 + fabs(want))))
                        fail_msg("RoiAlign sr %lld half %d max %d: [%lld,%lld,%lld,%lld] = %.7g, want %.7g", (long long)sr,
                                 half, is_max, (long long)r, (long long)c, (long long)ph, (long long)pw, got, want);
                }
        }
    free(plane);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_roi_align(void **state)
{
    for (int sr = 0; sr < 3; sr += 2)
        for (int half = 0; half < 2; half++)
            for (int mx = 0; mx < 2; mx++) check_roi(sr, half, mx);
}

static void check_unpool(bool bigger)
{
    int64_t dx[4] = {1, 2, 2, 3}, dy[4] = {1, 2, bigger ? 5 : 4, bigger ? 7 : 6}, def[4] = {1, 2, 4, 6};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *idx = cg_input(g, "i", OM_DT_INT64, 4, dx);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_node *n = om_graph_add_node(g, OM_OP_MAX_UNPOOL, "mu", (om_value *[]){x, idx}, 2, &y, 1);
    assert_non_null(n);
    om_node_set_ints(g, n, "kernel_shape", (int64_t[]){2, 2}, 2);
    om_node_set_ints(g, n, "strides", (int64_t[]){2, 2}, 2);
    om_graph_add_output(g, y);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("MaxUnpool: %s", om_last_error());
    float *px = cg_jit_buf(j, x);
    int64_t *pi = cg_jit_buf(j, idx);
    for (int k = 0; k < 12; k++) {
        px[k] = (float)(k + 1);
        int64_t c = k / 6, r = (k % 6) / 3, col = k % 3;
        pi[k] = (c * 4 + r * 2 + (k & 1)) * 6 + col * 2 + (k % 2); /* one position per 2x2 window */
    }
    pi[5] = 1000; /* out of range: skipped */
    cg_jit_run_checked(j);
    float *py = cg_jit_buf(j, y);
    int64_t ny = dy[1] * dy[2] * dy[3];
    float *want = calloc((size_t)ny, sizeof *want);
    for (int k = 0; k < 12; k++) {
        if (pi[k] >= 48) continue;
        int64_t t = pi[k], w = t % def[3], h = (t / def[3]) % def[2], c = t / (def[2] * def[3]);
        want[(c * dy[2] + h) * dy[3] + w] = px[k];
    }
    for (int64_t e = 0; e < ny; e++)
        if (py[e] != want[e]) fail_msg("MaxUnpool%s y[%lld] = %g, want %g", bigger ? " (output_shape)" : "", (long long)e, py[e], want[e]);
    free(want);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_max_unpool(void **state)
{
    check_unpool(false);
    check_unpool(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roi_align),
        cmocka_unit_test(test_max_unpool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
