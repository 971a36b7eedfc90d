/* The bf16 dot-product GEMM (codegen/kernels/gemm_bf16.c, reached from matmul.c and gemm.c
 * for nodes packed by passes/pack_bf16_weights.c) against a double-precision C reference on
 * the same bf16 inputs, on the host (AVX512-BF16 here: vdpbf16ps), Skylake-AVX512 (16 lanes,
 * no BF16: pairs split into two f32 FMAs), Haswell (8 lanes) and baseline x86-64 (SSE):
 *   - MatMul sizes around every edge: 1x2x1, row tails (M % mr), column tails inside the
 *     last panel (N % 32) and masked vector tails, K pair counts with K/2 % 4 remainders of
 *     the unrolled loop, one full block and several n blocks;
 *   - batched A (3-D A, 2-D packed B), fused bias + activation + residual;
 *   - Gemm with transB (the pass transposes), transA (A pairs from two loads), alpha, beta C;
 *   - no library calls on the host, baseline x86-64 and aarch64;
 *   - the pass: layout element by element, om_packed_b / om_packed_bf16, a constant shared by
 *     two nodes packed once, odd K / f32 / run-time B / already-packed nodes left alone.
 *   - AMX (amx-tile + amx-bf16: 32 x 32 tdpbf16ps blocks): compiled for sapphirerapids on
 *     every host (the IR must hold llvm.x86.tdpbf16ps exactly where AMX fits: M >= 32,
 *     N >= 32, A not transposed; K % 32 != 0 through zero-padded tail tiles) and run, on that target and the host's, only where
 *     the host has AMX (else the test reports a skip): 32-row blocks with 8-row and tail
 *     remainders, the narrow last panel, several m and n blocks, batched, epilogues, Gemm.
 * Tolerance: the output is rounded to bf16 once (8e-3 relative) on top of f32 accumulation
 * (1e-5 * sum |a*b|); the inputs are bf16, so every product is exact in f32.
 * cg_jit_run_checked also runs every kernel in 3 chunks and requires the same bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_jit.h"
#include "tests/unit/codegen/cg_epilogue_ref.h"

static const om_cg_target_opts k_skx = {NULL, "skylake-avx512", NULL, 3};
static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_sse = {NULL, "x86-64", NULL, 3};
static const om_cg_target_opts *const k_targets[4] = {NULL, &k_skx, &k_haswell, &k_sse};
static const om_cg_target_opts k_spr = {NULL, "sapphirerapids", NULL, 3};

static bool amx_host(void)
{
    return cg_jit_host_has("amx-tile") && cg_jit_host_has("amx-bf16");
}

/* Whether g's kernels for t use AMX (tdpbf16ps in the optimized IR). */
static bool uses_amx(const om_graph *g, const om_cg_target_opts *t)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    assert_int_equal(om_cg_emit_llvm_ir(g, t, f), OM_OK);
    fclose(f);
    bool yes = strstr(txt, "@llvm.x86.tdpbf16ps(") != NULL;
    free(txt);
    return yes;
}

/* For the AMX target: checks the IR against `amx` (1: AMX, -1: not) and says whether the
 * kernels can run here. */
static bool amx_check(const om_graph *g, const om_cg_target_opts *t, int amx, const char *what)
{
    if (t != &k_spr)
        return true;
    if (amx && uses_amx(g, t) != (amx > 0))
        fail_msg("%s: AMX %s", what, amx > 0 ? "not used" : "used where it does not fit");
    return amx_host();
}

static void check_val(const char *what, int64_t i, double got, double want, double abssum)
{
    if (!(fabs(got - want) <= 8e-3 * fabs(want) + 1e-5 * abssum + 1e-6))
        fail_msg("%s: y[%lld] = %.9g, want %.9g", what, (long long)i, got, want);
}

static void pack_bf16(om_graph *g, const om_node *n)
{
    bool changed = false;
    assert_int_equal(om_pass_pack_bf16_weights(g, NULL, &changed), OM_OK);
    assert_true(changed);
    assert_int_equal(om_node_int(n, "om_packed_b", 0), 32);
    assert_int_equal(om_node_int(n, "om_packed_bf16", 0), 2);
}

/* ---- MatMul ------------------------------------------------------------------------------ */

typedef struct mm_case {
    int64_t batch, M, K, N; /* batch 0: 2-D A */
    bool bias;
    const char *act;
    int residual;
    int amx; /* on sapphirerapids: 1 AMX expected, -1 not, 0 unchecked */
} mm_case;

static om_graph *mm_graph(const mm_case *c, const uint16_t *bdata, om_node **np, om_value **vals)
{
    const om_dtype dt = OM_DT_BFLOAT16;
    om_graph *g = om_graph_create("t");
    int64_t ad[3] = {c->batch, c->M, c->K}, yd[3] = {c->batch, c->M, c->N}, bd[2] = {c->K, c->N};
    int r = c->batch ? 3 : 2, o = c->batch ? 0 : 1;
    om_value *a = cg_input(g, "a", dt, r, ad + o);
    om_shape sb = om_shape_make(2, bd);
    om_value *b = om_graph_add_constant(g, "b", dt, &sb, bdata, (size_t)(c->K * c->N) * 2);
    om_value *y = cg_value(g, "y", dt, r, yd + o);
    om_value *bias = c->bias ? cg_input(g, "bias", dt, 1, &c->N) : NULL;
    om_value *res = c->residual ? cg_input(g, "r", dt, r, yd + o) : NULL;
    om_value *ins[4] = {a, b, bias, res};
    om_node *n = om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, res ? 4 : bias ? 3 : 2, &y, 1);
    assert_non_null(n);
    if (c->act)
        assert_int_equal(om_node_set_string(g, n, "om_activation", c->act), OM_OK);
    if (c->residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", c->residual), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    *np = n;
    vals[0] = a, vals[1] = y, vals[2] = bias, vals[3] = res;
    return g;
}

static void run_matmul(const mm_case *c, const om_cg_target_opts *t)
{
    const om_dtype dt = OM_DT_BFLOAT16;
    int64_t M = c->M, K = c->K, N = c->N, batch = c->batch ? c->batch : 1;
    char what[160];
    snprintf(what, sizeof what, "MatMul bf16 batch %lld M %lld K %lld N %lld%s %s res %d cpu %s",
             (long long)c->batch, (long long)M, (long long)K, (long long)N, c->bias ? " bias" : "",
             c->act ? c->act : "", c->residual, t && t->cpu ? t->cpu : "host");
    uint16_t *bdata = malloc((size_t)(K * N) * 2);
    assert_non_null(bdata);
    cg_fill_random(dt, bdata, K * N, -1, 1);
    om_node *n;
    om_value *v[4];
    om_graph *g = mm_graph(c, bdata, &n, v);
    pack_bf16(g, n);
    if (!amx_check(g, t, c->amx, what)) {
        om_graph_destroy(g);
        free(bdata);
        return;
    }
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, v[0]), batch * M * K, -1, 1);
    if (v[2])
        cg_fill_random(dt, cg_jit_buf(j, v[2]), N, -1, 1);
    if (v[3])
        cg_fill_random(dt, cg_jit_buf(j, v[3]), batch * M * N, -1, 1);
    cg_jit_run_checked(j);
    const void *A = cg_jit_buf(j, v[0]), *Y = cg_jit_buf(j, v[1]);
    const void *BI = v[2] ? cg_jit_buf(j, v[2]) : NULL, *R = v[3] ? cg_jit_buf(j, v[3]) : NULL;
    for (int64_t bi = 0; bi < batch; bi++)
        for (int64_t i = 0; i < M; i++)
            for (int64_t jj = 0; jj < N; jj++) {
                double s = 0, as = 0;
                for (int64_t k = 0; k < K; k++) {
                    double p = cg_get(dt, A, (bi * M + i) * K + k) * cg_get(dt, bdata, k * N + jj);
                    s += p;
                    as += fabs(p);
                }
                int64_t e = (bi * M + i) * N + jj;
                if (BI)
                    s += cg_get(dt, BI, jj);
                if (c->residual == 1)
                    s += cg_get(dt, R, e);
                s = cg_ref_act(c->act, 0, 0, s);
                if (c->residual == 2)
                    s += cg_get(dt, R, e);
                check_val(what, e, cg_get(dt, Y, e), s, as + 1);
            }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(bdata);
}

static void run_matmul_all(const mm_case *c)
{
    for (int t = 0; t < 4; t++)
        run_matmul(c, k_targets[t]);
}

static void test_matmul_edges(void **state)
{
    (void)state;
    static const int64_t sz[][3] = {
        {1, 2, 1},   {3, 6, 7},    {8, 8, 32},   {13, 18, 33}, {25, 4, 70},  {9, 258, 40},
        {17, 130, 100}, {8, 64, 16}, {24, 96, 300}, {2, 10, 8},  {7, 2, 65},
    };
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        mm_case c = {.M = sz[i][0], .K = sz[i][1], .N = sz[i][2]};
        run_matmul_all(&c);
    }
}

static void test_matmul_batched_epilogue(void **state)
{
    (void)state;
    mm_case c1 = {.batch = 2, .M = 13, .K = 40, .N = 35};
    run_matmul_all(&c1);
    mm_case c2 = {.batch = 1, .M = 29, .K = 300, .N = 70, .bias = true, .act = "Relu"};
    run_matmul_all(&c2);
    mm_case c3 = {.M = 13, .K = 40, .N = 45, .bias = true, .residual = 1};
    run_matmul_all(&c3);
    mm_case c4 = {.M = 17, .K = 20, .N = 33, .act = "Relu", .residual = 2};
    run_matmul_all(&c4);
}

/* ---- Gemm -------------------------------------------------------------------------------- */

typedef struct gemm_case {
    int64_t M, K, N;
    bool ta, tb;
    float alpha, beta;
    bool c;
    int amx; /* as mm_case.amx */
} gemm_case;

static void run_gemm(const gemm_case *c, const om_cg_target_opts *t)
{
    const om_dtype dt = OM_DT_BFLOAT16;
    int64_t M = c->M, K = c->K, N = c->N;
    int64_t ad[2] = {c->ta ? K : M, c->ta ? M : K}, bd[2] = {c->tb ? N : K, c->tb ? K : N}, yd[2] = {M, N};
    char what[160];
    snprintf(what, sizeof what, "Gemm bf16 M %lld K %lld N %lld ta %d tb %d alpha %g beta %g C %d cpu %s",
             (long long)M, (long long)K, (long long)N, c->ta, c->tb, c->alpha, c->beta, c->c,
             t && t->cpu ? t->cpu : "host");
    om_graph *g = om_graph_create("t");
    uint16_t *bdata = malloc((size_t)(K * N) * 2);
    assert_non_null(bdata);
    cg_fill_random(dt, bdata, K * N, -1, 1);
    om_value *a = cg_input(g, "a", dt, 2, ad);
    om_shape sb = om_shape_make(2, bd);
    om_value *b = om_graph_add_constant(g, "b", dt, &sb, bdata, (size_t)(K * N) * 2);
    om_value *cv = c->c ? cg_input(g, "c", dt, 1, &N) : NULL;
    om_value *y = cg_value(g, "y", dt, 2, yd), *ins[3] = {a, b, cv};
    om_node *n = om_graph_add_node(g, OM_OP_GEMM, "gemm", ins, cv ? 3 : 2, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_int(g, n, "transA", c->ta), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "transB", c->tb), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "alpha", c->alpha), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "beta", c->beta), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    pack_bf16(g, n);
    if (!amx_check(g, t, c->amx, what)) {
        om_graph_destroy(g);
        free(bdata);
        return;
    }
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    cg_fill_random(dt, cg_jit_buf(j, a), M * K, -1, 1);
    if (cv)
        cg_fill_random(dt, cg_jit_buf(j, cv), N, -1, 1);
    cg_jit_run_checked(j);
    const void *A = cg_jit_buf(j, a), *Y = cg_jit_buf(j, y), *C = cv ? cg_jit_buf(j, cv) : NULL;
    for (int64_t i = 0; i < M; i++)
        for (int64_t jj = 0; jj < N; jj++) {
            double s = 0, as = 0;
            for (int64_t k = 0; k < K; k++) {
                double av = cg_get(dt, A, c->ta ? k * M + i : i * K + k);
                double bv = cg_get(dt, bdata, c->tb ? jj * K + k : k * N + jj);
                s += av * bv;
                as += fabs(av * bv);
            }
            s *= c->alpha;
            if (C)
                s += c->beta * cg_get(dt, C, jj);
            check_val(what, i * N + jj, cg_get(dt, Y, i * N + jj), s, fabs(c->alpha) * as + 1);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(bdata);
}

static void test_gemm(void **state)
{
    (void)state;
    static const gemm_case cases[] = {
        {13, 18, 33, false, true, 1.0f, 1.0f, false},
        {9, 40, 70, false, false, 0.5f, 2.0f, true},
        {20, 12, 45, true, false, 1.0f, 1.0f, true},
        {5, 66, 31, true, true, -1.5f, 0.25f, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int t = 0; t < 4; t++)
            run_gemm(&cases[i], k_targets[t]);
}

/* ---- AMX ---------------------------------------------------------------------------------- */

static void test_amx(void **state)
{
    (void)state;
    static const mm_case mm[] = {
        {.M = 32, .K = 32, .N = 32, .amx = 1},
        {.M = 64, .K = 96, .N = 64, .amx = 1},
        {.M = 48, .K = 64, .N = 70, .amx = 1},             /* 16-row remainder, 6-column panel */
        {.M = 100, .K = 128, .N = 100, .amx = 1},          /* 8-row tile + 4-row tail after AMX */
        {.M = 200, .K = 64, .N = 96, .amx = 1},            /* two m blocks, the last 8 rows */
        {.M = 128, .K = 768, .N = 288, .bias = true, .act = "Relu", .amx = 1}, /* n blocks */
        {.batch = 2, .M = 40, .K = 64, .N = 64, .bias = true, .act = "Sigmoid", .residual = 1, .amx = 1},
        {.M = 33, .K = 32, .N = 45, .residual = 2, .act = "Relu", .amx = 1},
        {.M = 64, .K = 48, .N = 64, .amx = 1},             /* K tail of 16 */
        {.M = 32, .K = 18, .N = 40, .bias = true, .amx = 1}, /* K < 32: tail only */
        {.M = 70, .K = 302, .N = 96, .act = "Relu", .amx = 1}, /* K tail of 14 */
        {.M = 16, .K = 64, .N = 64, .amx = -1},            /* fewer than 32 rows */
        {.M = 64, .K = 64, .N = 20, .amx = -1},            /* no full panel */
    };
    static const gemm_case gm[] = {
        {64, 64, 96, false, true, 0.5f, 2.0f, true, 1},
        {96, 128, 40, false, false, 1.0f, 1.0f, false, 1},
        {64, 64, 64, true, false, 1.0f, 1.0f, false, -1}, /* transA: A pairs not contiguous */
    };
    for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++) {
        run_matmul(&mm[i], &k_spr);
        if (amx_host())
            run_matmul(&mm[i], NULL);
    }
    for (size_t i = 0; i < sizeof gm / sizeof gm[0]; i++) {
        run_gemm(&gm[i], &k_spr);
        if (amx_host())
            run_gemm(&gm[i], NULL);
    }
    if (!amx_host()) {
        print_message("this host has no AMX-BF16: the AMX kernels were compiled and inspected, not run\n");
        skip();
    }
}

static void test_no_libcalls(void **state)
{
    (void)state;
    uint16_t bdata[40 * 35];
    cg_fill_random(OM_DT_BFLOAT16, bdata, 40 * 35, -1, 1);
    mm_case c = {.M = 13, .K = 40, .N = 35, .bias = true, .act = "Relu"};
    om_node *n;
    om_value *v[4];
    om_graph *g = mm_graph(&c, bdata, &n, v);
    pack_bf16(g, n);
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "bf16 MatMul, pair-packed B");
    cg_jit_assert_no_libcalls(g, NULL, "bf16 MatMul, pair-packed B");
    om_graph_destroy(g);
}

/* ---- the pass ---------------------------------------------------------------------------- */

static void test_pass_layout(void **state)
{
    (void)state;
    /* B' [K = 4, N = 35]: a full 32-column panel and a 3-column one; the same constant read
     * by a second MatMul is packed once; a transB Gemm reads bt [N, K] (transposed) */
    enum { K = 4, N = 35 };
    uint16_t bd[K * N];
    for (int i = 0; i < K * N; i++)
        bd[i] = (uint16_t)(i + 1);
    om_graph *g = om_graph_create("t");
    int64_t ad[2] = {3, K}, bdims[2] = {K, N}, yd[2] = {3, N}, btd[2] = {N, K};
    om_value *a = cg_input(g, "a", OM_DT_BFLOAT16, 2, ad);
    om_shape sb = om_shape_make(2, bdims);
    om_value *b = om_graph_add_constant(g, "b", OM_DT_BFLOAT16, &sb, bd, sizeof bd);
    om_value *y1 = cg_value(g, "y1", OM_DT_BFLOAT16, 2, yd), *y2 = cg_value(g, "y2", OM_DT_BFLOAT16, 2, yd);
    om_shape sbt = om_shape_make(2, btd);
    om_value *bt = om_graph_add_constant(g, "bt", OM_DT_BFLOAT16, &sbt, bd, sizeof bd);
    om_value *y3 = cg_value(g, "y3", OM_DT_BFLOAT16, 2, yd);
    om_value *ins[2] = {a, b}, *ins3[2] = {a, bt};
    om_node *n1 = om_graph_add_node(g, OM_OP_MATMUL, "m1", ins, 2, &y1, 1);
    om_node *n2 = om_graph_add_node(g, OM_OP_MATMUL, "m2", ins, 2, &y2, 1);
    om_node *n3 = om_graph_add_node(g, OM_OP_GEMM, "g3", ins3, 2, &y3, 1);
    assert_non_null(n3);
    assert_int_equal(om_node_set_int(g, n3, "transB", 1), OM_OK);
    om_stats *stats = om_stats_create();
    assert_non_null(stats);
    om_pass_opts opts = {.stats = stats, .pass_name = "pack-bf16-weights"};
    bool changed = false;
    assert_int_equal(om_pass_pack_bf16_weights(g, &opts, &changed), OM_OK);
    assert_true(changed);
    assert_ptr_equal(n1->inputs[1], n2->inputs[1]);
    assert_ptr_not_equal(n1->inputs[1], b);
    assert_ptr_not_equal(n3->inputs[1], n1->inputs[1]);
    char *txt = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&txt, &len);
    assert_non_null(mf);
    om_stats_print(stats, mf);
    fclose(mf);
    if (!strstr(txt, "pack-bf16-weights.weights-packed = 3"))
        fail_msg("stats: %s", txt);
    assert_non_null(strstr(txt, "pack-bf16-weights.constants-packed = 2"));
    free(txt);
    const om_value *p = n1->inputs[1];
    assert_int_equal(p->nbytes, sizeof bd);
    assert_int_equal(p->shape.rank, 2);
    const uint16_t *pd = p->data;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) {
            int p0 = j / 32 * 32, w = N - p0 < 32 ? N - p0 : 32;
            assert_int_equal(pd[p0 * K + (k / 2) * 2 * w + 2 * (j - p0) + k % 2], bd[k * N + j]);
        }
    /* the Gemm's B [N, K] = bd read as [35, 4]: B'[k, j] = bd[j * K + k] */
    assert_int_equal(om_node_int(n3, "om_packed_bf16", 0), 2);
    const uint16_t *gp = n3->inputs[1]->data;
    for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) {
            int p0 = j / 32 * 32, w = N - p0 < 32 ? N - p0 : 32;
            assert_int_equal(gp[p0 * K + (k / 2) * 2 * w + 2 * (j - p0) + k % 2], bd[j * K + k]);
        }
    /* a second run changes nothing */
    assert_int_equal(om_pass_pack_bf16_weights(g, NULL, &changed), OM_OK);
    assert_false(changed);
    om_stats_destroy(stats);
    om_graph_destroy(g);
}

static void test_pass_keeps(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t ad[2] = {3, 5}, bd[2] = {5, 4}, yd[2] = {3, 4}, ad2[2] = {3, 4}, bd2[2] = {4, 4};
    uint16_t b16[20] = {0};
    float b32[16] = {0};
    om_shape sb = om_shape_make(2, bd), sb2 = om_shape_make(2, bd2);
    /* odd K = 5 */
    om_value *a = cg_input(g, "a", OM_DT_BFLOAT16, 2, ad);
    om_value *b = om_graph_add_constant(g, "b", OM_DT_BFLOAT16, &sb, b16, sizeof b16);
    om_value *y = cg_value(g, "y", OM_DT_BFLOAT16, 2, yd);
    om_value *ins[2] = {a, b};
    om_node *n1 = om_graph_add_node(g, OM_OP_MATMUL, "odd", ins, 2, &y, 1);
    /* f32 */
    om_value *af = cg_input(g, "af", OM_DT_FLOAT, 2, ad2);
    om_value *bf = om_graph_add_constant(g, "bf", OM_DT_FLOAT, &sb2, b32, sizeof b32);
    om_value *yf = cg_value(g, "yf", OM_DT_FLOAT, 2, yd);
    om_value *insf[2] = {af, bf};
    om_node *n2 = om_graph_add_node(g, OM_OP_MATMUL, "f32", insf, 2, &yf, 1);
    /* run-time B */
    om_value *a3 = cg_input(g, "a3", OM_DT_BFLOAT16, 2, ad2);
    om_value *b3 = cg_input(g, "b3", OM_DT_BFLOAT16, 2, bd2);
    om_value *y3 = cg_value(g, "y3", OM_DT_BFLOAT16, 2, yd);
    om_value *ins3[2] = {a3, b3};
    om_node *n3 = om_graph_add_node(g, OM_OP_MATMUL, "runtime", ins3, 2, &y3, 1);
    /* already packed (f32 panels) */
    om_value *b4 = om_graph_add_constant(g, "b4", OM_DT_BFLOAT16, &sb2, b16, 32);
    om_value *y4 = cg_value(g, "y4", OM_DT_BFLOAT16, 2, yd);
    om_value *ins4[2] = {a3, b4};
    om_node *n4 = om_graph_add_node(g, OM_OP_MATMUL, "done", ins4, 2, &y4, 1);
    assert_non_null(n4);
    assert_int_equal(om_node_set_int(g, n4, "om_packed_b", 32), OM_OK);
    bool changed = true;
    assert_int_equal(om_pass_pack_bf16_weights(g, NULL, &changed), OM_OK);
    assert_false(changed);
    assert_ptr_equal(n1->inputs[1], b);
    assert_ptr_equal(n2->inputs[1], bf);
    assert_ptr_equal(n3->inputs[1], b3);
    assert_ptr_equal(n4->inputs[1], b4);
    assert_int_equal(om_node_int(n4, "om_packed_bf16", 0), 0);
    assert_int_equal(om_pass_pack_bf16_weights(NULL, NULL, &changed), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul_edges),
        cmocka_unit_test(test_matmul_batched_epilogue),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_amx),
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_pass_layout),
        cmocka_unit_test(test_pass_keeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
