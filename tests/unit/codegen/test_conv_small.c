/* The output-channel-vectorized f32 Conv kernel for small output planes
 * (codegen/kernels/conv_small.c) and the pack-conv-small pass that re-lays its weights,
 * against a plain C reference conv (double accumulation, zero padding by bounds checks) over
 * random data: 3x3 pad 1 stride 1 and 2, 1x1 stride 1 and 2 (the pass leaves stride-1
 * short-K 1x1 to conv_fast: checked too, as not packed), 7x7 and 14x14 planes, asymmetric
 * pads, dilation, odd input channel counts, M 16 (16-wide panels) and multiples of 32, two
 * images, work items by panel and by position half, every fused activation and both
 * residual positions. cg_jit_run_checked also
 * checks that a 3-range split of the work items agrees with one range. The pass must fire
 * (om_packed_conv set, W replaced) exactly where expected; the kernels must call no library
 * function on the host, baseline x86-64 and aarch64.
 * Tolerance: |got - ref| <= 1e-5 * sum|w*x| (+ 2e-6 relative for the activations).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_conv_ref.h"
#include "tests/unit/codegen/cg_jit.h"

typedef cg_conv_case sc;

/* Builds the conv with W a random constant, runs pack-conv-small and checks whether it
 * fired as `packed` says; returns the graph, *wref the original weights (caller frees). */
static om_graph *build(const sc *cc, bool packed, float **wref)
{
    om_node *n;
    float *wv;
    om_graph *g = cg_conv_build(cc, &n, &wv);
    const om_value *w = n->inputs[1];
    int64_t wn = om_shape_numel(&w->shape);
    om_pass_opts opts = {.pass_name = "pack-conv-small"};
    bool changed = false;
    assert_int_equal(om_pass_pack_conv_small(g, &opts, &changed), OM_OK);
    assert_int_equal(changed, packed);
    int64_t nb = om_node_int(n, "om_packed_conv", 0);
    if (packed) {
        assert_int_equal(nb, cc->m % 32 == 0 ? 32 : 16);
        assert_ptr_not_equal(n->inputs[1], w);
        assert_true(om_shape_equal(&n->inputs[1]->shape, &w->shape));
        /* panel layout: element (k, j) of panel p is W[p*nb + j][k] */
        const float *pw = n->inputs[1]->data;
        int64_t K = wn / cc->m;
        for (int64_t m = 0; m < cc->m; m++)
            for (int64_t q = 0; q < K; q++)
                assert_true(pw[((m / nb) * K + q) * nb + m % nb] == wv[m * K + q]);
    } else {
        assert_int_equal(nb, 0);
        assert_ptr_equal(n->inputs[1], w);
    }
    *wref = wv;
    return g;
}

static void check(sc cc, bool packed)
{
    float *W;
    om_graph *g = build(&cc, packed, &W);
    cg_conv_run_check(&cc, g, W, 1e-5);
    om_graph_destroy(g);
    free(W);
}

static void check_fired(sc cc) { check(cc, true); }

static void test_shapes(void **state)
{
    (void)state;
    /* n, c, m, h, w, k, s, d, pads, bias */
    check((sc){1, 16, 32, 7, 7, 3, 1, 1, {1, 1, 1, 1}, true}, true);      /* stage-4 3x3: tiles 9+10+10+10+10 */
    check((sc){1, 5, 64, 14, 14, 3, 1, 1, {1, 1, 1, 1}, true}, true);     /* 14x14, odd C, two panels */
    check((sc){2, 3, 16, 14, 14, 3, 2, 1, {1, 1, 1, 1}, false}, true);    /* stride 2 -> 7x7, NB 16, 2 images */
    check((sc){1, 7, 48, 28, 28, 3, 2, 1, {1, 1, 1, 1}, true}, true);     /* stride 2 -> 14x14, NB 16 */
    check((sc){1, 4, 32, 9, 8, 3, 1, 2, {2, 1, 0, 2}, true}, true);       /* dilated, asymmetric pads */
    check((sc){1, 3, 32, 13, 13, 7, 2, 1, {3, 3, 3, 3}, true}, true);     /* 7x7 kernel, stride 2 */
    check((sc){1, 512, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, true}, true);     /* 1x1 stride 1, long K */
    check((sc){1, 513, 16, 5, 3, 1, 1, 1, {0, 0, 0, 0}, false}, true);    /* 1x1 odd C, odd plane */
    check((sc){1, 24, 32, 14, 14, 1, 2, 1, {0, 0, 0, 0}, true}, true);    /* 1x1 stride 2, short K */
    check((sc){2, 9, 16, 13, 13, 1, 2, 1, {0, 0, 0, 0}, false}, true);   /* 1x1 stride 2, odd plane */
    check((sc){1, 256, 32, 14, 14, 1, 1, 1, {0, 0, 0, 0}, true}, true);   /* 1x1 stride 1, C 256 */
    check((sc){1, 300, 64, 5, 5, 1, 1, 1, {0, 0, 0, 0}, false}, true);    /* 1x1 25 positions: 12 + 13 */
    check((sc){1, 40, 32, 13, 13, 1, 2, 1, {0, 0, 0, 0}, true}, true);    /* 1x1 s2 49 positions: 12*3 + 13 */
    /* items by position half (M*KK below the X read per channel): 2 images x 2 halves x 2
     * panels, and a 3x3 one with a single panel */
    check((sc){2, 260, 64, 14, 14, 1, 1, 1, {0, 0, 0, 0}, true}, true);
    check((sc){2, 5, 16, 14, 14, 3, 1, 1, {1, 1, 1, 1}, false}, true);
    /* not packed: stride-1 short-K 1x1 (C < 256), M not a multiple of 16, large plane */
    check((sc){1, 64, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, true}, false);
    check((sc){1, 255, 32, 7, 7, 1, 1, 1, {0, 0, 0, 0}, false}, false);
    check((sc){1, 8, 24, 7, 7, 3, 1, 1, {1, 1, 1, 1}, true}, false);
    check((sc){1, 4, 16, 15, 15, 3, 1, 1, {1, 1, 1, 1}, true}, false);
}

static void test_epilogues(void **state)
{
    (void)state;
    cg_conv_each_epilogue((sc){1, 6, 32, 7, 7, 3, 1, 1, {1, 1, 1, 1}}, check_fired);
    cg_conv_each_epilogue((sc){1, 6, 16, 14, 14, 3, 1, 1, {1, 1, 1, 1}}, check_fired); /* by position */
}

/* The kernel compiles without libcalls (fmaf, expf, ...) on the host, on baseline x86-64 (no
 * FMA: llvm.fmuladd) and on aarch64. */
static void test_no_libcalls(void **state)
{
    (void)state;
    static const char *const acts[] = {"SiLU", "Gelu"};
    for (int q = 0; q < 2; q++) {
        sc cc = {1, 8, 32, 7, 7, 3, q + 1, 1, {1, 1, 1, 1}, true, acts[q], 0, 0, 0};
        float *W;
        om_graph *g = build(&cc, true, &W);
        for (int t = 0; t < 3; t++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "conv_small");
        cg_jit_assert_no_libcalls(g, NULL, "conv_small");
        om_graph_destroy(g);
        free(W);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_epilogues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
