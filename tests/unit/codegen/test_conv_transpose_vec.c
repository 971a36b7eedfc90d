/* The ConvTranspose fast path (codegen/kernels/nn_conv_transpose_vec.c: 2-D f32, kernel =
 * stride, no pads, group 1) against a plain C scatter reference: column tails (Iw not a
 * multiple of the lane count, Iw < lanes), channel-block remainders (M not a multiple of
 * the block), Kw = 1, 2, 4, Kh != Kw, bias on/off, N > 1; on the host (AVX-512 here), AVX2
 * (haswell) and SSE (x86-64) so every lane count and masked tail is run; and no libcalls. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/kernels/nn_conv_transpose_vec.h"
#include "tests/unit/codegen/cg_jit.h"

static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_sse = {NULL, "x86-64", NULL, 3};

typedef struct ctv_case {
    int64_t N, C, M, Ih, Iw, Kh, Kw;
    bool bias;
} ctv_case;

static om_graph *build(const ctv_case *t, om_value **vx, om_value **vw, om_value **vb, om_value **vy)
{
    int64_t dx[4] = {t->N, t->C, t->Ih, t->Iw}, dw[4] = {t->C, t->M, t->Kh, t->Kw};
    int64_t dy[4] = {t->N, t->M, t->Ih * t->Kh, t->Iw * t->Kw}, dm = t->M;
    om_graph *g = om_graph_create("t");
    *vx = cg_input(g, "x", OM_DT_FLOAT, 4, dx);
    *vw = cg_input(g, "w", OM_DT_FLOAT, 4, dw);
    *vb = t->bias ? cg_input(g, "b", OM_DT_FLOAT, 1, &dm) : NULL;
    *vy = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_value *in[3] = {*vx, *vw, *vb};
    om_node *n = om_graph_add_node(g, OM_OP_CONV_TRANSPOSE, "ct", in, t->bias ? 3 : 2, vy, 1);
    assert_non_null(n);
    int64_t s[2] = {t->Kh, t->Kw}, d[2] = {1, 1}, p[4] = {0, 0, 0, 0};
    om_node_set_ints(g, n, "strides", s, 2);
    om_node_set_ints(g, n, "dilations", d, 2);
    om_node_set_ints(g, n, "pads", p, 4);
    assert_true(om_cg_conv_transpose_vec_fits(n));
    assert_int_equal(om_graph_add_output(g, *vy), OM_OK);
    return g;
}

static void check(const ctv_case *t, const om_cg_target_opts *tg)
{
    om_value *vx, *vw, *vb, *vy;
    om_graph *g = build(t, &vx, &vw, &vb, &vy);
    cg_jit *j;
    if (cg_jit_create(g, tg, &j) != OM_OK)
        fail_msg("ConvTranspose vec: %s", om_last_error());
    int64_t OH = t->Ih * t->Kh, OW = t->Iw * t->Kw;
    int64_t nx = t->N * t->C * t->Ih * t->Iw, nw = t->C * t->M * t->Kh * t->Kw, ny = t->N * t->M * OH * OW;
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, vx), nx, -1, 1);
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, vw), nw, -1, 1);
    if (vb)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, vb), t->M, -1, 1);
    cg_jit_run_checked(j);
    const float *x = cg_jit_buf(j, vx), *w = cg_jit_buf(j, vw), *y = cg_jit_buf(j, vy);
    const float *b = vb ? cg_jit_buf(j, vb) : NULL;
    double *ref = calloc((size_t)ny, sizeof *ref);
    for (int64_t n = 0; n < t->N; n++)
        for (int64_t m = 0; m < t->M; m++)
            for (int64_t o = 0; o < OH * OW; o++)
                ref[(n * t->M + m) * OH * OW + o] = b ? b[m] : 0;
    for (int64_t n = 0; n < t->N; n++)
        for (int64_t c = 0; c < t->C; c++)
            for (int64_t ih = 0; ih < t->Ih; ih++)
                for (int64_t iw = 0; iw < t->Iw; iw++)
                    for (int64_t m = 0; m < t->M; m++)
                        for (int64_t a = 0; a < t->Kh; a++)
                            for (int64_t bb = 0; bb < t->Kw; bb++) {
                                double xv = x[((n * t->C + c) * t->Ih + ih) * t->Iw + iw];
                                double wv = w[((c * t->M + m) * t->Kh + a) * t->Kw + bb];
                                ref[((n * t->M + m) * OH + ih * t->Kh + a) * OW + iw * t->Kw + bb] += xv * wv;
                            }
    for (int64_t e = 0; e < ny; e++)
        if (!(fabs(y[e] - ref[e]) <= 1e-5 * (1 + fabs(ref[e]))))
            fail_msg("N %lld C %lld M %lld I %lldx%lld K %lldx%lld cpu %s: y[%lld] = %.7g, want %.7g",
                     (long long)t->N, (long long)t->C, (long long)t->M, (long long)t->Ih, (long long)t->Iw,
                     (long long)t->Kh, (long long)t->Kw, tg && tg->cpu ? tg->cpu : "host", (long long)e, y[e],
                     ref[e]);
    free(ref);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static const ctv_case k_cases[] = {
    {1, 24, 24, 5, 16, 2, 2, true},   /* the OCR head's shape, smaller: whole vectors */
    {1, 3, 7, 3, 17, 2, 2, false},    /* tail of 1 (AVX-512), channel remainder */
    {2, 5, 13, 4, 5, 2, 2, true},     /* Iw < lanes: only the masked block; N = 2 */
    {1, 24, 1, 3, 40, 2, 2, true},    /* M = 1 (the last upsampling layer) */
    {1, 4, 9, 2, 23, 3, 1, true},     /* Kw = 1, Kh = 3 */
    {1, 6, 5, 3, 19, 1, 4, false},    /* Kw = 4 */
    {1, 2, 3, 2, 33, 4, 4, true},     /* 16 taps: one channel per block */
    {1, 1, 30, 1, 1, 2, 2, true},     /* a single input pixel */
};

static void test_cases(void **state)
{
    for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
        check(&k_cases[i], NULL);
        check(&k_cases[i], &k_haswell);
        check(&k_cases[i], &k_sse);
    }
}

/* Shapes the fast path must leave to the general kernel. */
static void test_fits(void **state)
{
    om_value *vx, *vw, *vb, *vy;
    ctv_case t = {1, 2, 3, 4, 5, 2, 2, false};
    om_graph *g = build(&t, &vx, &vw, &vb, &vy);
    om_node *n = vy->producer;
    int64_t p[4] = {1, 0, 0, 0}, s3[2] = {3, 2}, d2[2] = {2, 1};
    assert_int_equal(om_node_set_ints(g, n, "pads", p, 4), OM_OK);
    assert_false(om_cg_conv_transpose_vec_fits(n));
    p[0] = 0;
    assert_int_equal(om_node_set_ints(g, n, "pads", p, 4), OM_OK);
    assert_true(om_cg_conv_transpose_vec_fits(n));
    assert_int_equal(om_node_set_ints(g, n, "strides", s3, 2), OM_OK);
    assert_false(om_cg_conv_transpose_vec_fits(n));
    s3[0] = 2;
    assert_int_equal(om_node_set_ints(g, n, "strides", s3, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "dilations", d2, 2), OM_OK);
    assert_false(om_cg_conv_transpose_vec_fits(n));
    d2[0] = 1;
    assert_int_equal(om_node_set_ints(g, n, "dilations", d2, 2), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "group", 2), OM_OK);
    assert_false(om_cg_conv_transpose_vec_fits(n));
    om_graph_destroy(g);
}

static void test_no_libcalls(void **state)
{
    om_value *vx, *vw, *vb, *vy;
    ctv_case t = {1, 3, 7, 3, 17, 2, 2, true};
    om_graph *g = build(&t, &vx, &vw, &vb, &vy);
    for (int i = 0; i < 3; i++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[i], "ConvTranspose vec");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases), cmocka_unit_test(test_fits),
                                       cmocka_unit_test(test_no_libcalls)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
