/* The register-blocked f32 GEMM path (codegen/kernels/gemm_tile.c, reached from matmul.c and
 * gemm.c) against a double-precision C reference over random data, on the host (AVX-512
 * here: 32-column tiles), an AVX2 CPU (16-column tiles) and baseline x86-64 (SSE, 8-column
 * tiles), each with B row-major and B pre-packed by the pack-gemm-weights pass:
 *   - sizes around every edge: 1x1x1, row tails (M % mr), column tails inside a panel and
 *     masked vector tails (N % 32, N % 16, N % 8), one K block, two, and three (the middle
 *     K loop; K blocks of 256, or of up to 2048 for f32 on AVX-512), K % 4 remainders of
 *     the unrolled k loop;
 *   - A rows 4 KiB apart (K = 1024: cache-set aliasing) and not;
 *   - the wide 6 x 64 tiles of large f32 products on AVX-512 (two packed panels per tile,
 *     leftover and partial panels after them, with and without a fused post);
 *   - batched MatMul with broadcast batch dims (attention shapes), 1-D operands;
 *   - Gemm transA / transB (packed and not: transB unpacked takes the naive kernel), alpha,
 *     beta, C as [N], [M, 1], [M, N] and a scalar;
 *   - fused bias + activation + residual on MatMul, activation + residual on Gemm;
 *   - f16 and bf16 MatMul (widened on load, one rounding on store: tolerance half an ulp of
 *     the output on top of the f32 one), and no libcalls for f32/f16/bf16 on the host,
 *     baseline x86-64 (no F16C) and aarch64.
 * cg_jit_run_checked also runs every kernel in 3 chunks and requires the same bytes.
 * The pass itself: the packed constant keeps B's shape and byte size, holds B' in 32-column
 * panels (checked element by element), is shared by two nodes reading the same weight,
 * and a node already packed is left alone. Tolerance: |got - ref| <= 1e-5 * sum|a*b| + 1e-6.
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
#include "tests/unit/codegen/cg_epilogue_ref.h"

static const om_cg_target_opts k_haswell = {NULL, "haswell", NULL, 3};
static const om_cg_target_opts k_sse = {NULL, "x86-64", NULL, 3};
static const om_cg_target_opts *const k_targets[3] = {NULL, &k_haswell, &k_sse};

typedef struct mm_case {
    om_dtype dt;             /* 0: f32 */
    int ra, rb;
    int64_t ad[4], bd[4];
    bool b_const, pack, bias;
    const char *act;
    int residual;
} mm_case;

static void check_val(const char *what, int64_t i, double got, double want, double abssum)
{
    if (!(fabs(got - want) <= 1e-5 * abssum + 1e-6))
        fail_msg("%s: y[%lld] = %.9g, want %.9g", what, (long long)i, got, want);
}

/* 16-bit outputs: one rounding of the f32 result (half an ulp: 2^-11 f16, 2^-8 bf16) */
static void check_val_dt(om_dtype dt, const char *what, int64_t i, double got, double want, double abssum)
{
    double rel = dt == OM_DT_FLOAT16 ? 1e-3 : dt == OM_DT_BFLOAT16 ? 8e-3 : 0;
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-5 * abssum + 1e-6))
        fail_msg("%s: y[%lld] = %.9g, want %.9g", what, (long long)i, got, want);
}

static void run_matmul(const mm_case *c, const om_cg_target_opts *t)
{
    int ra = c->ra, rb = c->rb;
    om_dtype dt = c->dt ? c->dt : OM_DT_FLOAT;
    size_t es = om_dtype_size(dt);
    int64_t M = ra >= 2 ? c->ad[ra - 2] : 1, K = c->ad[ra - 1], N = rb >= 2 ? c->bd[rb - 1] : 1;
    int nba = ra > 2 ? ra - 2 : 0, nbb = rb > 2 ? rb - 2 : 0, nb = nba > nbb ? nba : nbb;
    int64_t bdim[4], yd[6];
    int ry = 0;
    for (int i = 0; i < nb; i++) {
        int64_t da = i >= nb - nba ? c->ad[i - (nb - nba)] : 1, db = i >= nb - nbb ? c->bd[i - (nb - nbb)] : 1;
        bdim[i] = da == 1 ? db : da;
        yd[ry++] = bdim[i];
    }
    if (ra >= 2)
        yd[ry++] = M;
    if (rb >= 2)
        yd[ry++] = N;
    char what[160];
    snprintf(what, sizeof what, "MatMul %s M %lld K %lld N %lld rank %d/%d%s%s%s %s res %d cpu %s",
             om_dtype_name(dt), (long long)M,
             (long long)K, (long long)N, ra, rb, c->b_const ? " const" : "", c->pack ? " packed" : "",
             c->bias ? " bias" : "", c->act ? c->act : "", c->residual, t && t->cpu ? t->cpu : "host");

    om_graph *g = om_graph_create("t");
    int64_t nbv = 1;
    for (int i = 0; i < rb; i++)
        nbv *= c->bd[i];
    void *bdata = malloc((size_t)nbv * es);
    assert_non_null(bdata);
    cg_fill_random(dt, bdata, nbv, -1, 1);
    om_value *a = cg_input(g, "a", dt, ra, c->ad), *b;
    if (c->b_const) {
        om_shape sb = om_shape_make(rb, c->bd);
        b = om_graph_add_constant(g, "b", dt, &sb, bdata, (size_t)nbv * es);
    } else {
        b = cg_input(g, "b", dt, rb, c->bd);
    }
    om_value *y = cg_value(g, "y", dt, ry, yd), *bias = NULL, *res = NULL;
    om_value *ins[4] = {a, b, NULL, NULL};
    int nin = 2;
    if (c->bias) {
        bias = cg_input(g, "bias", dt, 1, &N);
        ins[2] = bias;
        nin = 3;
    }
    if (c->residual) {
        res = cg_input(g, "r", dt, ry, yd);
        ins[3] = res;
        nin = 4;
    }
    om_node *n = om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, nin, &y, 1);
    assert_non_null(n);
    if (c->act)
        assert_int_equal(om_node_set_string(g, n, "om_activation", c->act), OM_OK);
    if (c->residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", c->residual), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    if (c->pack) {
        bool changed = false;
        assert_int_equal(om_pass_pack_gemm_weights(g, NULL, &changed), OM_OK);
        assert_true(changed);
        assert_int_equal(om_node_int(n, "om_packed_b", 0), 32);
    }
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    int64_t na = om_shape_numel(&a->shape);
    cg_fill_random(dt, cg_jit_buf(j, a), na, -1, 1);
    if (!c->b_const)
        memcpy(cg_jit_buf(j, b), bdata, (size_t)nbv * es);
    if (bias)
        cg_fill_random(dt, cg_jit_buf(j, bias), N, -1, 1);
    if (res)
        cg_fill_random(dt, cg_jit_buf(j, res), om_shape_numel(&y->shape), -1, 1);
    cg_jit_run_checked(j);

    const void *A = cg_jit_buf(j, a), *Y = cg_jit_buf(j, y);
    const void *BI = bias ? cg_jit_buf(j, bias) : NULL, *R = res ? cg_jit_buf(j, res) : NULL;
    int64_t batch = 1;
    for (int i = 0; i < nb; i++)
        batch *= bdim[i];
    for (int64_t bi = 0; bi < batch; bi++) {
        int64_t rem = bi, aoff = 0, boff = 0, astr = M * K, bstr = K * N;
        for (int i = nb - 1; i >= 0; i--) {
            int64_t idx = rem % bdim[i];
            rem /= bdim[i];
            if (i >= nb - nba) {
                int64_t da = c->ad[i - (nb - nba)];
                aoff += (da == 1 ? 0 : idx) * astr;
                astr *= da;
            }
            if (i >= nb - nbb) {
                int64_t db = c->bd[i - (nb - nbb)];
                boff += (db == 1 ? 0 : idx) * bstr;
                bstr *= db;
            }
        }
        for (int64_t i = 0; i < M; i++)
            for (int64_t jj = 0; jj < N; jj++) {
                double s = 0, as = 0;
                for (int64_t k = 0; k < K; k++) {
                    double p = cg_get(dt, A, aoff + i * K + k) * cg_get(dt, bdata, boff + k * N + jj);
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
                check_val_dt(dt, what, e, cg_get(dt, Y, e), s, as + 1);
            }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(bdata);
}

static void run_matmul_all(const mm_case *c)
{
    for (int t = 0; t < 3; t++)
        for (int p = 0; p < 2; p++) {
            mm_case d = *c;
            d.b_const = p == 1 || c->b_const;
            d.pack = p == 1 && c->rb == 2;
            if (p == 1 && c->rb != 2)
                continue;
            run_matmul(&d, k_targets[t]);
        }
}

static void test_matmul_edges(void **state)
{
    (void)state;
    static const int64_t sz[][3] = {
        {1, 1, 1},     {3, 5, 7},      {8, 4, 32},    {12, 16, 16},  {13, 17, 33},  {25, 3, 70},
        {24, 256, 64}, {9, 257, 40},   {30, 513, 47}, {7, 600, 96},  {26, 31, 100}, {2, 9, 8},
        {40, 1024, 33}, {50, 6, 300},
        /* f32 on AVX-512: 12-row tiles (M % 12 tails) and K blocks of at most 2048: two K
         * blocks (kc 1050, kc % 4 = 2) and three (the middle K loop, kc 1400) */
        {37, 70, 65},  {11, 2100, 40}, {5, 4200, 33},
    };
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        mm_case c = {.ra = 2, .rb = 2, .ad = {sz[i][0], sz[i][1]}, .bd = {sz[i][1], sz[i][2]}};
        run_matmul_all(&c);
    }
}

static void test_matmul_wide(void **state)
{
    (void)state;
    /* f32 on AVX-512 with B packed, M >= 384 and K 512..1024 (one K block): 6 x 64 tiles
     * over two panels, 96-row blocks (several m-blocks, the last one partial). Exact tiles;
     * M % 6 row tails; after the 64-column tiles a leftover whole panel (N 97, 160), a
     * partial one (97, 130, 72) or both, and no 64-column tile at all (N 40); K % 4
     * remainders; 4 KiB-aliased A rows (K 1024) */
    static const int64_t sz[][3] = {
        {384, 512, 64}, {389, 600, 97}, {400, 1024, 160}, {391, 701, 40}, {386, 1000, 72}, {485, 513, 130},
    };
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        mm_case c = {.ra = 2, .rb = 2, .ad = {sz[i][0], sz[i][1]}, .bd = {sz[i][1], sz[i][2]}};
        run_matmul_all(&c);
    }
    /* the post on wide tiles: bias, activation, residual */
    mm_case e = {.ra = 2, .rb = 2, .ad = {390, 520}, .bd = {520, 100}, .bias = true, .act = "Relu", .residual = 2};
    run_matmul_all(&e);
}

static void test_matmul_batched(void **state)
{
    (void)state;
    /* attention-like: [1,3,20,16] x [1,3,16,20], and broadcast batch dims */
    mm_case c1 = {.ra = 4, .rb = 4, .ad = {1, 3, 20, 16}, .bd = {1, 3, 16, 20}};
    run_matmul_all(&c1);
    mm_case c2 = {.ra = 3, .rb = 2, .ad = {2, 13, 40}, .bd = {40, 35}};
    run_matmul_all(&c2);
    mm_case c3 = {.ra = 4, .rb = 3, .ad = {2, 1, 9, 11}, .bd = {3, 11, 18}};
    run_matmul_all(&c3);
    mm_case c4 = {.ra = 1, .rb = 2, .ad = {37}, .bd = {37, 45}};
    run_matmul_all(&c4);
    mm_case c5 = {.ra = 3, .rb = 1, .ad = {2, 5, 37}, .bd = {37}};
    run_matmul_all(&c5);
}

static void test_matmul_epilogue(void **state)
{
    (void)state;
    mm_case c1 = {.ra = 3, .rb = 2, .ad = {1, 29, 300}, .bd = {300, 70}, .bias = true, .act = "Gelu"};
    run_matmul_all(&c1);
    mm_case c2 = {.ra = 2, .rb = 2, .ad = {13, 40}, .bd = {40, 45}, .bias = true, .residual = 1};
    run_matmul_all(&c2);
    mm_case c3 = {.ra = 2, .rb = 2, .ad = {17, 20}, .bd = {20, 33}, .act = "Relu", .residual = 2};
    run_matmul_all(&c3);
}

static void test_matmul_16bit(void **state)
{
    (void)state;
    static const om_dtype dts[2] = {OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int d = 0; d < 2; d++) {
        /* tails in rows and columns; K over one K block of f32 (16-bit C: one pass) */
        mm_case c1 = {.dt = dts[d], .ra = 2, .rb = 2, .ad = {13, 300}, .bd = {300, 45}};
        run_matmul_all(&c1);
        mm_case c2 = {.dt = dts[d], .ra = 4, .rb = 4, .ad = {1, 2, 9, 16}, .bd = {1, 2, 16, 20}};
        run_matmul_all(&c2);
        mm_case c3 = {.dt = dts[d], .ra = 3, .rb = 2, .ad = {1, 11, 40}, .bd = {40, 33}, .bias = true,
                      .act = "Gelu", .residual = 2};
        run_matmul_all(&c3);
    }
}

/* ---- Gemm ------------------------------------------------------------------------------ */

typedef struct gemm_case {
    int64_t M, K, N;
    bool ta, tb, b_const, pack;
    float alpha, beta;
    int c_rank;              /* -1: no C */
    int64_t cd[2];
    const char *act;
    int residual;
} gemm_case;

static void run_gemm(const gemm_case *c, const om_cg_target_opts *t)
{
    int64_t M = c->M, K = c->K, N = c->N;
    int64_t ad[2] = {c->ta ? K : M, c->ta ? M : K}, bd[2] = {c->tb ? N : K, c->tb ? K : N}, yd[2] = {M, N};
    char what[160];
    snprintf(what, sizeof what, "Gemm M %lld K %lld N %lld ta %d tb %d%s alpha %g beta %g C rank %d %s cpu %s",
             (long long)M, (long long)K, (long long)N, c->ta, c->tb, c->pack ? " packed" : "", c->alpha, c->beta,
             c->c_rank, c->act ? c->act : "", t && t->cpu ? t->cpu : "host");
    om_graph *g = om_graph_create("t");
    float *bdata = malloc((size_t)(K * N) * sizeof(float));
    assert_non_null(bdata);
    cg_fill_random(OM_DT_FLOAT, bdata, K * N, -1, 1);
    om_value *a = cg_input(g, "a", OM_DT_FLOAT, 2, ad), *b, *cv = NULL, *res = NULL;
    if (c->b_const) {
        om_shape sb = om_shape_make(2, bd);
        b = om_graph_add_constant(g, "b", OM_DT_FLOAT, &sb, bdata, (size_t)(K * N) * sizeof(float));
    } else {
        b = cg_input(g, "b", OM_DT_FLOAT, 2, bd);
    }
    if (c->c_rank >= 0)
        cv = cg_input(g, "c", OM_DT_FLOAT, c->c_rank, c->cd);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 2, yd), *ins[4] = {a, b, cv, NULL};
    int nin = cv ? 3 : 2;
    if (c->residual) {
        res = cg_input(g, "r", OM_DT_FLOAT, 2, yd);
        ins[3] = res;
        nin = 4;
    }
    om_node *n = om_graph_add_node(g, OM_OP_GEMM, "gemm", ins, nin, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_int(g, n, "transA", c->ta), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "transB", c->tb), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "alpha", c->alpha), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "beta", c->beta), OM_OK);
    if (c->act)
        assert_int_equal(om_node_set_string(g, n, "om_activation", c->act), OM_OK);
    if (c->residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", c->residual), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    if (c->pack) {
        bool changed = false;
        assert_int_equal(om_pass_pack_gemm_weights(g, NULL, &changed), OM_OK);
        assert_true(changed);
    }
    cg_jit *j;
    if (cg_jit_create(g, t, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, a), M * K, -1, 1);
    if (!c->b_const)
        memcpy(cg_jit_buf(j, b), bdata, (size_t)(K * N) * sizeof(float));
    int64_t nc = cv ? om_shape_numel(&cv->shape) : 0;
    if (cv)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, cv), nc, -1, 1);
    if (res)
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, res), M * N, -1, 1);
    cg_jit_run_checked(j);

    const float *A = cg_jit_buf(j, a), *Y = cg_jit_buf(j, y);
    const float *C = cv ? cg_jit_buf(j, cv) : NULL, *R = res ? cg_jit_buf(j, res) : NULL;
    int64_t c_rows = c->c_rank == 2 ? c->cd[0] : 1, c_cols = c->c_rank >= 1 ? c->cd[c->c_rank - 1] : 1;
    for (int64_t i = 0; i < M; i++)
        for (int64_t jj = 0; jj < N; jj++) {
            double s = 0, as = 0;
            for (int64_t k = 0; k < K; k++) {
                double av = c->ta ? A[k * M + i] : A[i * K + k];
                double bv = c->tb ? bdata[jj * K + k] : bdata[k * N + jj];
                s += av * bv;
                as += fabs(av * bv);
            }
            s *= c->alpha;
            as *= fabs(c->alpha);
            if (C)
                s += (double)c->beta * C[(c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : jj)];
            if (c->residual == 1)
                s += R[i * N + jj];
            s = cg_ref_act(c->act, 0, 0, s);
            if (c->residual == 2)
                s += R[i * N + jj];
            check_val(what, i * N + jj, Y[i * N + jj], s, as + 1);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    free(bdata);
}

static void run_gemm_all(const gemm_case *c)
{
    for (int t = 0; t < 3; t++)
        for (int p = 0; p < 3; p++) {
            gemm_case d = *c;
            d.b_const = p >= 1;
            d.pack = p == 2;
            run_gemm(&d, k_targets[t]);
        }
}

static void test_gemm_shapes(void **state)
{
    (void)state;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            gemm_case c = {.M = 19, .K = 300, .N = 45, .ta = ta, .tb = tb, .alpha = 1, .beta = 1, .c_rank = -1};
            run_gemm_all(&c);
        }
    gemm_case c1 = {.M = 33, .K = 64, .N = 70, .tb = true, .alpha = 0.5f, .beta = 2, .c_rank = 1, .cd = {70}};
    run_gemm_all(&c1);
    gemm_case c2 = {.M = 5, .K = 7, .N = 9, .alpha = 1, .beta = -1, .c_rank = 2, .cd = {5, 1}};
    run_gemm_all(&c2);
    gemm_case c3 = {.M = 26, .K = 520, .N = 40, .ta = true, .alpha = 1, .beta = 1, .c_rank = 2, .cd = {26, 40}};
    run_gemm_all(&c3);
    gemm_case c4 = {.M = 12, .K = 1024, .N = 20, .alpha = 1, .beta = 0.25f, .c_rank = 0};
    run_gemm_all(&c4);
    gemm_case c5 = {.M = 21, .K = 50, .N = 64, .tb = true, .alpha = 1, .beta = 1, .c_rank = 1, .cd = {64},
                    .act = "Relu", .residual = 2};
    run_gemm_all(&c5);
    /* wide 6 x 64 tiles when B is packed (M >= 384, K 512..1024): transposed A (broadcasts
     * M apart), alpha, beta * C[N] and an activation in the post */
    gemm_case c6 = {.M = 393, .K = 530, .N = 100, .ta = true, .alpha = 0.5f, .beta = 2, .c_rank = 1, .cd = {100},
                    .act = "Relu"};
    run_gemm_all(&c6);
}

/* ---- the pass ------------------------------------------------------------------------------ */

static void test_pack_layout(void **state)
{
    (void)state;
    enum { K = 5, N = 70 };
    om_graph *g = om_graph_create("t");
    float w[K * N];
    for (int i = 0; i < K * N; i++)
        w[i] = (float)i;
    int64_t ad[2] = {3, K}, bd[2] = {K, N}, btd[2] = {N, K}, yd[2] = {3, N};
    om_shape sb = om_shape_make(2, bd), sbt = om_shape_make(2, btd);
    om_value *a = cg_input(g, "a", OM_DT_FLOAT, 2, ad);
    om_value *b = om_graph_add_constant(g, "w", OM_DT_FLOAT, &sb, w, sizeof w);
    om_value *bt = om_graph_add_constant(g, "wt", OM_DT_FLOAT, &sbt, w, sizeof w);
    om_value *y1 = cg_value(g, "y1", OM_DT_FLOAT, 2, yd), *y2 = cg_value(g, "y2", OM_DT_FLOAT, 2, yd);
    om_value *y3 = cg_value(g, "y3", OM_DT_FLOAT, 2, yd);
    om_value *i1[2] = {a, b}, *i3[2] = {a, bt};
    om_node *n1 = om_graph_add_node(g, OM_OP_MATMUL, "m1", i1, 2, &y1, 1);
    om_node *n2 = om_graph_add_node(g, OM_OP_MATMUL, "m2", i1, 2, &y2, 1);
    om_node *n3 = om_graph_add_node(g, OM_OP_GEMM, "g3", i3, 2, &y3, 1);
    assert_int_equal(om_node_set_int(g, n3, "transB", 1), OM_OK);
    om_stats *stats = om_stats_create();
    om_pass_opts opts = {.stats = stats, .pass_name = "pack-gemm-weights"};
    bool changed = false;
    assert_int_equal(om_pass_pack_gemm_weights(g, &opts, &changed), OM_OK);
    assert_true(changed);
    om_value *p = n1->inputs[1], *pt = n3->inputs[1];
    assert_ptr_not_equal(p, b);
    assert_ptr_equal(n2->inputs[1], p); /* one packed copy for both readers */
    assert_true(om_shape_equal(&p->shape, &b->shape));
    assert_true(om_shape_equal(&pt->shape, &bt->shape));
    assert_int_equal(p->nbytes, sizeof w);
    assert_int_equal(om_node_int(n1, "om_packed_b", 0), 32);
    assert_int_equal(om_node_int(n3, "om_packed_b", 0), 32);
    const float *pd = p->data, *ptd = pt->data;
    for (int64_t j = 0; j < N; j++)
        for (int64_t k = 0; k < K; k++) {
            int64_t p0 = j / 32 * 32, wd = N - p0 < 32 ? N - p0 : 32;
            int64_t at = p0 * K + k * wd + (j - p0);
            assert_true(pd[at] == w[k * N + j]);
            assert_true(ptd[at] == w[j * K + k]); /* transB: B' [k, j] = B[j, k] */
        }
    /* a second run leaves packed nodes alone */
    changed = true;
    assert_int_equal(om_pass_pack_gemm_weights(g, &opts, &changed), OM_OK);
    assert_false(changed);
    assert_ptr_equal(n1->inputs[1], p);
    om_stats_destroy(stats);
    om_graph_destroy(g);
}

static void test_pack_skips(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    int64_t ad[2] = {3, 4}, bd[2] = {4, 5}, yd[2] = {3, 5}, b3[3] = {2, 4, 5}, y3d[3] = {2, 3, 5};
    om_value *a = cg_input(g, "a", OM_DT_FLOAT, 2, ad), *bin = cg_input(g, "bin", OM_DT_FLOAT, 2, bd);
    double dd[20] = {0};
    om_shape sb = om_shape_make(2, bd), sb3 = om_shape_make(3, b3);
    float f3[40] = {0};
    om_value *bd64 = om_graph_add_constant(g, "bd", OM_DT_DOUBLE, &sb, dd, sizeof dd);
    om_value *b3v = om_graph_add_constant(g, "b3", OM_DT_FLOAT, &sb3, f3, sizeof f3);
    om_value *ad64 = cg_input(g, "ad", OM_DT_DOUBLE, 2, ad);
    om_value *y1 = cg_value(g, "y1", OM_DT_FLOAT, 2, yd), *y2 = cg_value(g, "y2", OM_DT_DOUBLE, 2, yd);
    om_value *y3 = cg_value(g, "y3", OM_DT_FLOAT, 3, y3d);
    om_value *i1[2] = {a, bin}, *i2[2] = {ad64, bd64}, *i3[2] = {a, b3v};
    assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "runtime_b", i1, 2, &y1, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "f64", i2, 2, &y2, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "batched_b", i3, 2, &y3, 1));
    bool changed = true;
    assert_int_equal(om_pass_pack_gemm_weights(g, NULL, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(om_pass_pack_gemm_weights(NULL, NULL, &changed), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(g);
}

static void test_no_libcalls(void **state)
{
    (void)state;
    static const om_dtype dts[3] = {OM_DT_FLOAT, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int d = 0; d < 3; d++) {
        /* B at run time, and B constant and packed (the prefetching tiles) */
        om_graph *g = om_graph_create("t");
        int64_t ad[2] = {13, 70}, bd[2] = {70, 45}, yd[2] = {13, 45};
        static unsigned char wdata[70 * 45 * 4];
        om_shape sb = om_shape_make(2, bd);
        om_value *a = cg_input(g, "a", dts[d], 2, ad), *b = cg_input(g, "b", dts[d], 2, bd);
        om_value *w = om_graph_add_constant(g, "w", dts[d], &sb, wdata, (size_t)(70 * 45) * om_dtype_size(dts[d]));
        om_value *y = cg_value(g, "y", dts[d], 2, yd), *y2 = cg_value(g, "y2", dts[d], 2, yd);
        om_value *ins[2] = {a, b}, *ins2[2] = {a, w};
        assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "mm", ins, 2, &y, 1));
        assert_non_null(om_graph_add_node(g, OM_OP_MATMUL, "mm_packed", ins2, 2, &y2, 1));
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
        assert_int_equal(om_graph_add_output(g, y2), OM_OK);
        bool changed = false;
        assert_int_equal(om_pass_pack_gemm_weights(g, NULL, &changed), OM_OK);
        assert_true(changed);
        for (int i = 0; i < 3; i++)
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[i], om_dtype_name(dts[d]));
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul_edges),    cmocka_unit_test(test_matmul_wide),
        cmocka_unit_test(test_matmul_batched),
        cmocka_unit_test(test_matmul_epilogue), cmocka_unit_test(test_matmul_16bit),
        cmocka_unit_test(test_gemm_shapes),
        cmocka_unit_test(test_pack_layout),     cmocka_unit_test(test_pack_skips),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
