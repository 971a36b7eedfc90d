/* The conv-winograd pass (passes/conv_winograd.c) and the F(4x4, 3x3) WinogradConv kernel
 * (codegen/kernels/conv_winograd.c), against the plain C reference conv of cg_conv_ref.c
 * over seeded random data: the pass must fire exactly on 3x3 stride-1 dilation-1 group-1
 * convs with M a multiple of 8, C >= 16, M >= 16 and an output plane of >= 64 positions
 * (node rewritten in place, U [36, M, C] in the [36][M/8][C][8] layout checked against G g
 * G^T computed here), and the kernel must match the direct conv within 1e-5 of sum |w*x|
 * on: partial tiles (sizes not multiples of 4), pads 0..2 and asymmetric, rows wider than
 * one vector of tiles, several tile-row blocks with a partial last one, two images, output
 * channels split over work items, every fused activation and both residual positions.
 * cg_jit_run_checked also checks that a 3-range split of the work items agrees with one
 * range; some cases also run compiled for 8 lanes (haswell) and 4 lanes (baseline x86-64).
 * The kernel must call no library function on the host, baseline x86-64 and aarch64.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_conv_ref.h"
#include "tests/unit/codegen/cg_jit.h"

#define WG_TOL 1e-5

static const double G[6][3] = {{0.25, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6}, {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                               {1.0 / 24, 1.0 / 12, 1.0 / 6}, {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

/* Runs the pass on cc's graph; checks whether it fired and, if so, U against G g G^T. */
static om_graph *build(const cg_conv_case *cc, bool fires, float **w_out)
{
    om_node *n;
    om_graph *g = cg_conv_build(cc, &n, w_out);
    om_pass_opts opts = {.pass_name = "conv-winograd"};
    bool changed = false;
    assert_int_equal(om_pass_conv_winograd(g, &opts, &changed), OM_OK);
    assert_int_equal(changed, fires);
    assert_int_equal(n->op, fires ? OM_OP_WINOGRAD_CONV : OM_OP_CONV);
    if (fires) {
        const om_value *u = n->inputs[1];
        assert_int_equal(u->shape.rank, 3);
        assert_int_equal(u->shape.dims[0], 36);
        assert_int_equal(u->shape.dims[1], cc->m);
        assert_int_equal(u->shape.dims[2], cc->c);
        const float *U = u->data, *W = *w_out;
        for (int64_t m = 0; m < cc->m; m += 5)
            for (int64_t c = 0; c < cc->c; c += 3)
                for (int xi = 0; xi < 36; xi++) {
                    double v = 0;
                    for (int a = 0; a < 3; a++)
                        for (int b = 0; b < 3; b++)
                            v += G[xi / 6][a] * W[(m * cc->c + c) * 9 + a * 3 + b] * G[xi % 6][b];
                    float got = U[((xi * (cc->m / 8) + m / 8) * cc->c + c) * 8 + m % 8];
                    assert_true(fabs(got - v) <= 1e-6 * (fabs(v) + 1));
                }
    }
    return g;
}

static const om_cg_target_opts *g_target; /* NULL: host */

static void check(cg_conv_case cc)
{
    float *W;
    om_graph *g = build(&cc, true, &W);
    cg_conv_run_check_on(&cc, g, W, WG_TOL, g_target);
    om_graph_destroy(g);
    free(W);
}

static void test_shapes(void **state)
{
    (void)state;
    /* n, c, m, h, w, k, s, d, pads, bias */
    check((cg_conv_case){1, 16, 16, 8, 8, 3, 1, 1, {1, 1, 1, 1}, true});       /* one tile row block */
    check((cg_conv_case){1, 17, 24, 13, 11, 3, 1, 1, {1, 1, 1, 1}, true});     /* partial tiles, odd C */
    check((cg_conv_case){2, 16, 32, 10, 9, 3, 1, 1, {0, 2, 2, 1}, false});     /* asymmetric pads, 2 images */
    check((cg_conv_case){1, 16, 16, 12, 12, 3, 1, 1, {0, 0, 0, 0}, true});     /* no padding */
    check((cg_conv_case){1, 16, 16, 9, 70, 3, 1, 1, {1, 1, 1, 1}, true});      /* 18 tiles a row: two chunks */
    check((cg_conv_case){1, 24, 16, 22, 22, 3, 1, 1, {1, 1, 1, 1}, true});     /* row blocks 5 + 1 (partial last) */
    check((cg_conv_case){1, 64, 64, 14, 14, 3, 1, 1, {1, 1, 1, 1}, true});     /* one row block: M split */
    check((cg_conv_case){1, 16, 16, 8, 8, 3, 1, 1, {2, 2, 2, 2}, true});       /* pads 2 */
    check((cg_conv_case){2, 24, 16, 22, 22, 3, 1, 1, {0, 2, 2, 1}, false, "Relu", 0, 0, 1});
    check((cg_conv_case){1, 16, 16, 22, 22, 3, 1, 1, {0, 1, 2, 2}, false});
}

/* The same kernel with 8 lanes (AVX2: two chunks for 9..16 tiles a row, other tilings) and
 * 4 lanes (baseline x86-64, SSE): the workspace the pass sized must fit every width. */
static void test_narrow_vectors(void **state)
{
    (void)state;
    static const om_cg_target_opts targets[] = {{NULL, "haswell", NULL, 3}, {NULL, "x86-64", NULL, 3}};
    for (int t = 0; t < 2; t++) {
        g_target = &targets[t];
        check((cg_conv_case){1, 17, 24, 13, 11, 3, 1, 1, {1, 1, 1, 1}, true});
        check((cg_conv_case){1, 16, 16, 9, 70, 3, 1, 1, {1, 1, 1, 1}, true});
        /* right padding 2: the last tile's padding lanes sit right before the next row
         * (caught a wrong AVX2 lowering: see wg_input_chunk) */
        check((cg_conv_case){1, 16, 16, 22, 22, 3, 1, 1, {1, 1, 1, 2}, false});
        check((cg_conv_case){1, 16, 16, 22, 22, 3, 1, 1, {0, 1, 2, 2}, false});
        check((cg_conv_case){1, 16, 16, 22, 22, 3, 1, 1, {0, 2, 2, 1}, false});
        check((cg_conv_case){2, 24, 16, 22, 22, 3, 1, 1, {0, 2, 2, 1}, false, "Relu", 0, 0, 1});
        check((cg_conv_case){1, 64, 64, 14, 14, 3, 1, 1, {1, 1, 1, 1}, true});
    }
    g_target = NULL;
}

static void test_epilogues(void **state)
{
    (void)state;
    cg_conv_each_epilogue((cg_conv_case){1, 16, 16, 9, 10, 3, 1, 1, {1, 1, 1, 1}}, check);
}

/* Shapes the pass must leave to the direct kernels. */
static void test_not_fired(void **state)
{
    (void)state;
    static const cg_conv_case keep[] = {
        {1, 16, 16, 16, 16, 3, 2, 1, {1, 1, 1, 1}, true},              /* stride 2 */
        {1, 16, 16, 16, 16, 3, 1, 2, {2, 2, 2, 2}, true},              /* dilation 2 */
        {1, 16, 20, 16, 16, 3, 1, 1, {1, 1, 1, 1}, true},              /* M not a multiple of 8 */
        {1, 8, 16, 16, 16, 3, 1, 1, {1, 1, 1, 1}, true},               /* C < 16 */
        {1, 16, 16, 7, 7, 3, 1, 1, {1, 1, 1, 1}, true},                /* 49 output positions */
        {1, 16, 16, 16, 16, 5, 1, 1, {2, 2, 2, 2}, true},              /* 5x5 */
        {1, 16, 16, 16, 16, 3, 1, 1, {3, 3, 3, 3}, true},              /* pads 3 */
        {1, 32, 32, 16, 16, 3, 1, 1, {1, 1, 1, 1}, true, .group = 2},  /* grouped */
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        float *W;
        om_graph *g = build(&keep[i], false, &W);
        om_graph_destroy(g);
        free(W);
    }
}

static void test_no_libcalls(void **state)
{
    (void)state;
    cg_conv_case cc = {1, 16, 16, 8, 8, 3, 1, 1, {1, 1, 1, 1}, true, "SiLU", 0, 0, 1};
    float *W;
    om_graph *g = build(&cc, true, &W);
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "conv_winograd");
    cg_jit_assert_no_libcalls(g, NULL, "conv_winograd");
    om_graph_destroy(g);
    free(W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_fired),
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_epilogues),
        cmocka_unit_test(test_narrow_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
