/* GridSample kernel against a scalar double-precision transcription of ONNX Runtime's
 * GridSample (denormalize, round for nearest, border clamp / reflection of out-of-range
 * points, padded pixel reads, bilinear and bicubic taps): every mode x padding mode x
 * align_corners, grids reaching well outside [-1, 1], f32 and f16. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static double reflect(double x, double lo, double hi)
{
    double range = hi - lo;
    if (x < lo) {
        double d = lo - x;
        int n = (int)(d / range);
        double r = d - n * range;
        return n % 2 == 0 ? lo + r : hi - r;
    }
    if (x > hi) {
        double d = x - hi;
        int n = (int)(d / range);
        double r = d - n * range;
        return n % 2 == 0 ? hi - r : lo + r;
    }
    return x;
}

typedef struct img {
    const double *p;
    int64_t H, W;
    int pad;
    double b[4]; /* xmin ymin xmax ymax */
} img;

static double pix(const img *m, int64_t r, int64_t c)
{
    if (m->pad == 0) return (r < 0 || r >= m->H || c < 0 || c >= m->W) ? 0 : m->p[r * m->W + c];
    if (m->pad == 1) {
        c = c < 0 ? 0 : c >= m->W ? m->W - 1 : c;
        r = r < 0 ? 0 : r >= m->H ? m->H - 1 : r;
    } else {
        c = (int64_t)reflect((double)c, m->b[0], m->b[2]);
        r = (int64_t)reflect((double)r, m->b[1], m->b[3]);
    }
    return m->p[r * m->W + c];
}

static void cubic(double t, double *c)
{
    double A = -0.75;
    t = fabs(t);
    c[0] = ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A;
    c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
    c[2] = ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1;
    c[3] = ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A;
}

static double sample(const img *m, double gx, double gy, int mode, int align)
{
    double x = align ? (gx + 1) / 2 * (double)(m->W - 1) : ((gx + 1) * (double)m->W - 1) / 2;
    double y = align ? (gy + 1) / 2 * (double)(m->H - 1) : ((gy + 1) * (double)m->H - 1) / 2;
    if (mode == 0) {
        x = nearbyint(x);
        y = nearbyint(y);
    }
    if (x < m->b[0] || x > m->b[2] || y < m->b[1] || y > m->b[3]) {
        if (m->pad == 1) {
            x = x < 0 ? 0 : x > (double)(m->W - 1) ? (double)(m->W - 1) : x;
            y = y < 0 ? 0 : y > (double)(m->H - 1) ? (double)(m->H - 1) : y;
        } else if (m->pad == 2) {
            x = reflect(x, m->b[0], m->b[2]);
            y = reflect(y, m->b[1], m->b[3]);
        }
    }
    if (mode == 0) return pix(m, (int64_t)y, (int64_t)x);
    int64_t x1 = (int64_t)floor(x), y1 = (int64_t)floor(y);
    if (mode == 1) {
        double dx1 = x - (double)x1, dy1 = y - (double)y1, dx2 = 1 - dx1, dy2 = 1 - dy1;
        return dy2 * (dx2 * pix(m, y1, x1) + dx1 * pix(m, y1, x1 + 1)) +
               dy1 * (dx2 * pix(m, y1 + 1, x1) + dx1 * pix(m, y1 + 1, x1 + 1));
    }
    double cx[4], cy[4], v = 0;
    cubic(x - (double)x1, cx);
    cubic(y - (double)y1, cy);
    for (int a = 0; a < 4; a++)
        for (int c = 0; c < 4; c++) v += cy[a] * cx[c] * pix(m, y1 - 1 + a, x1 - 1 + c);
    return v;
}

static void check(om_dtype dt, int mode, int pad, int align)
{
    static const char *const modes[] = {"nearest", "bilinear", "bicubic"}, *const pads[] = {"zeros", "border", "reflection"};
    int64_t N = 2, C = 3, H = 4, W = 5, Ho = 3, Wo = 7;
    int64_t dx[4] = {N, C, H, W}, dg[4] = {N, Ho, Wo, 2}, dy[4] = {N, C, Ho, Wo};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, 4, dx), *gr = cg_input(g, "grid", dt, 4, dg), *y = cg_value(g, "y", dt, 4, dy);
    om_node *n = om_graph_add_node(g, OM_OP_GRID_SAMPLE, "gs", (om_value *[]){x, gr}, 2, &y, 1);
    assert_non_null(n);
    om_node_set_string(g, n, "mode", modes[mode]);
    om_node_set_string(g, n, "padding_mode", pads[pad]);
    om_node_set_int(g, n, "align_corners", align);
    om_graph_add_output(g, y);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("GridSample: %s", om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, x), N * C * H * W, -2, 2);
    cg_fill_random(dt, cg_jit_buf(j, gr), N * Ho * Wo * 2, -2.6, 2.6);
    cg_set(dt, cg_jit_buf(j, gr), 0, -1); /* exact corners */
    cg_set(dt, cg_jit_buf(j, gr), 1, 1);
    cg_jit_run_checked(j);
    double *plane = malloc(sizeof(double) * (size_t)(H * W));
    double tol = dt == OM_DT_FLOAT16 ? 2e-2 : 1e-4;
    for (int64_t b = 0; b < N; b++)
        for (int64_t c = 0; c < C; c++) {
            for (int64_t i = 0; i < H * W; i++) plane[i] = cg_get(dt, cg_jit_buf(j, x), (b * C + c) * H * W + i);
            img m = {plane, H, W, pad,
                     {align ? 0 : -0.5, align ? 0 : -0.5, align ? (double)(W - 1) : (double)W - 0.5,
                      align ? (double)(H - 1) : (double)H - 0.5}};
            for (int64_t o = 0; o < Ho * Wo; o++) {
                double gx = cg_get(dt, cg_jit_buf(j, gr), (b * Ho * Wo + o) * 2);
                double gy = cg_get(dt, cg_jit_buf(j, gr), (b * Ho * Wo + o) * 2 + 1);
                double want = sample(&m, gx, gy, mode, align);
                double got = cg_get(dt, cg_jit_buf(j, y), (b * C + c) * Ho * Wo + o);
                if (!(fabs(got - want) <= tol * (1 + fabs(want))))
                    fail_msg("%s %s %s align %d: [%lld,%lld,%lld] grid (%g, %g) = %.7g, want %.7g", om_dtype_name(dt),
                             modes[mode], pads[pad], align, (long long)b, (long long)c, (long long)o, gx, gy, got, want);
            }
        }
    free(plane);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_modes(void **state)
{
    for (int mode = 0; mode < 3; mode++)
        for (int pad = 0; pad < 3; pad++)
            for (int align = 0; align < 2; align++) check(OM_DT_FLOAT, mode, pad, align);
    check(OM_DT_FLOAT16, 1, 2, 0);
    check(OM_DT_DOUBLE, 2, 1, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_modes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
