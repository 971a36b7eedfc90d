/* Pooling kernels against a plain C reference over random data, plus known answers from
 * ONNX's backend cases: MaxPool (pads, strides, dilations, ceil_mode, Indices in both
 * storage orders, ties, NaN, int8/uint8), AveragePool (count_include_pad 0/1 with pads and
 * ceil_mode windows that pass the padded end), 1-D/2-D/3-D, rows wider than the output
 * block, kernels wider than the unrolled interior path, f32/f64/f16; GlobalAveragePool
 * and GlobalMaxPool. cg_jit_run_checked also checks that a 3-range split agrees.
 * Reference semantics (ONNX's reference / onnxruntime):
 * max over the window positions inside X (first NaN wins, ties keep the first position in
 * row-major window order); average divides by the positions inside X (count_include_pad 0)
 * or inside the padded input (count_include_pad 1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct pool_case {
    om_op op;
    om_dtype dt;
    int nsp;
    int64_t n, c;
    int64_t in[3], k[3], s[3], d[3], pads[6];
    bool ceil, include_pad, indices;
    int storage_order;
} pool_case;

static double tol_for(om_dtype dt, double ref)
{
    switch (dt) {
    case OM_DT_FLOAT: return 1e-5 * fabs(ref) + 1e-6;
    case OM_DT_DOUBLE: return 1e-12 * fabs(ref) + 1e-12;
    case OM_DT_FLOAT16: return 1e-3 * fabs(ref) + 1e-4;
    default: return 0;
    }
}

typedef struct pool_run {
    om_graph *g;
    cg_jit *j;
    om_value *x, *y, *yi;
    int64_t out[3];
} pool_run;

static void pool_build(pool_case *pc, pool_run *pr)
{
    int nsp = pc->nsp, r = nsp + 2;
    int64_t xd[5] = {pc->n, pc->c}, yd[5] = {pc->n, pc->c};
    for (int d = 0; d < nsp; d++) {
        if (!pc->s[d])
            pc->s[d] = 1;
        if (!pc->d[d])
            pc->d[d] = 1;
        xd[2 + d] = pc->in[d];
        int64_t span = pc->d[d] * (pc->k[d] - 1) + 1, num = pc->in[d] + pc->pads[d] + pc->pads[nsp + d] - span;
        pr->out[d] = (pc->ceil ? (num + pc->s[d] - 1) / pc->s[d] : num / pc->s[d]) + 1;
        yd[2 + d] = pr->out[d];
    }
    pr->g = om_graph_create("t");
    om_graph *g = pr->g;
    pr->x = cg_input(g, "x", pc->dt, r, xd);
    pr->y = cg_value(g, "y", pc->dt, r, yd);
    pr->yi = pc->indices ? cg_value(g, "yi", OM_DT_INT64, r, yd) : NULL;
    om_value *outs[2] = {pr->y, pr->yi};
    om_node *n = om_graph_add_node(g, pc->op, "pool", &pr->x, 1, outs, pc->indices ? 2 : 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", pc->k, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "strides", pc->s, nsp), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "pads", pc->pads, 2 * nsp), OM_OK);
    if (pc->op == OM_OP_MAX_POOL) {
        assert_int_equal(om_node_set_ints(g, n, "dilations", pc->d, nsp), OM_OK);
        assert_int_equal(om_node_set_int(g, n, "storage_order", pc->storage_order), OM_OK);
    } else {
        assert_int_equal(om_node_set_int(g, n, "count_include_pad", pc->include_pad), OM_OK);
    }
    assert_int_equal(om_node_set_int(g, n, "ceil_mode", pc->ceil), OM_OK);
    assert_int_equal(om_graph_add_output(g, pr->y), OM_OK);
    if (pr->yi)
        assert_int_equal(om_graph_add_output(g, pr->yi), OM_OK);
    om_status st = cg_jit_create(g, NULL, &pr->j);
    if (st != OM_OK)
        fail_msg("%s %s: %s", om_op_name(pc->op), om_dtype_name(pc->dt), om_last_error());
}

static void pool_free(pool_run *pr)
{
    cg_jit_destroy(pr->j);
    om_graph_destroy(pr->g);
}

/* Compares the kernel's outputs with the reference on the data already in x. */
static void pool_check(const pool_case *pc, pool_run *pr)
{
    cg_jit_run_checked(pr->j);
    int nsp = pc->nsp;
    const void *X = cg_jit_buf(pr->j, pr->x), *Y = cg_jit_buf(pr->j, pr->y);
    const int64_t *YI = pr->yi ? cg_jit_buf(pr->j, pr->yi) : NULL;
    int64_t osz = 1, ksz = 1, isz = 1;
    for (int d = 0; d < nsp; d++) {
        osz *= pr->out[d];
        ksz *= pc->k[d];
        isz *= pc->in[d];
    }
    bool is_max = pc->op == OM_OP_MAX_POOL;
    for (int64_t ch = 0; ch < pc->n * pc->c; ch++)
        for (int64_t o = 0; o < osz; o++) {
            int64_t oi[3], rem = o;
            for (int d = nsp - 1; d >= 0; d--) {
                oi[d] = rem % pr->out[d];
                rem /= pr->out[d];
            }
            double best = -INFINITY, sum = 0;
            int64_t best_i = -1, cnt = 0;
            for (int64_t kk = 0; kk < ksz; kk++) {
                int64_t ki[3], kr = kk, roff = 0, coff = 0, cstr = 1;
                bool inside = true, in_padded = true;
                for (int d = nsp - 1; d >= 0; d--) {
                    ki[d] = kr % pc->k[d];
                    kr /= pc->k[d];
                }
                for (int d = 0; d < nsp; d++) {
                    int64_t pos = oi[d] * pc->s[d] - pc->pads[d] + ki[d] * pc->d[d];
                    if (pos < 0 || pos >= pc->in[d])
                        inside = false;
                    if (pos < -pc->pads[d] || pos >= pc->in[d] + pc->pads[nsp + d])
                        in_padded = false;
                    roff = roff * pc->in[d] + pos;
                    coff += pos * cstr;
                    cstr *= pc->in[d];
                }
                if (pc->include_pad ? in_padded : inside)
                    cnt++;
                if (!inside)
                    continue;
                double v = cg_get(pc->dt, X, ch * isz + roff);
                sum += v;
                if (v > best || (isnan(v) && !isnan(best))) {
                    best = v;
                    best_i = ch * isz + (pc->storage_order ? coff : roff);
                }
            }
            int64_t e = ch * osz + o;
            double got = cg_get(pc->dt, Y, e);
            double want;
            if (is_max) {
                want = best;
                if (!om_dtype_is_float(pc->dt) && best_i < 0)
                    want = got; /* empty window of an int type: the type's minimum, not checked */
            } else {
                want = cnt ? sum / (double)cnt : 0;
            }
            bool ok = isnan(want) ? isnan(got) : (want == got || fabs(got - want) <= tol_for(pc->dt, want));
            if (!ok)
                fail_msg("%s %s %d-D: y[%lld] = %.9g, want %.9g", om_op_name(pc->op), om_dtype_name(pc->dt), nsp,
                         (long long)e, got, want);
            if (YI && best_i >= 0 && YI[e] != best_i)
                fail_msg("MaxPool storage_order %d: indices[%lld] = %lld, want %lld", pc->storage_order, (long long)e,
                         (long long)YI[e], (long long)best_i);
        }
}

static void check_pool(pool_case pc)
{
    pool_run pr;
    pool_build(&pc, &pr);
    bool uns = om_dtype_is_unsigned_int(pc.dt), isf = om_dtype_is_float(pc.dt);
    cg_fill_random(pc.dt, cg_jit_buf(pr.j, pr.x), om_shape_numel(&pr.x->shape), uns ? 0 : isf ? -1 : -100,
                   isf ? 1 : 100);
    pool_check(&pc, &pr);
    pool_free(&pr);
}

static pool_case mp(int nsp, int64_t n, int64_t c, const int64_t *in, const int64_t *k, const int64_t *s,
                    const int64_t *d, const int64_t *pads)
{
    pool_case pc = {OM_OP_MAX_POOL, OM_DT_FLOAT, nsp, n, c};
    for (int i = 0; i < nsp; i++) {
        pc.in[i] = in[i];
        pc.k[i] = k[i];
        pc.s[i] = s ? s[i] : 1;
        pc.d[i] = d ? d[i] : 1;
        pc.pads[i] = pads ? pads[i] : 0;
        pc.pads[nsp + i] = pads ? pads[nsp + i] : 0;
    }
    return pc;
}

static void test_maxpool_2d(void **state)
{
    static const int64_t strides[][2] = {{1, 1}, {2, 2}, {3, 2}};
    static const int64_t dils[][2] = {{1, 1}, {2, 2}, {1, 2}};
    static const int64_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 1, 2}};
    int64_t in[2] = {9, 10}, k[2] = {3, 3};
    for (int s = 0; s < 3; s++)
        for (int d = 0; d < 3; d++)
            for (int p = 0; p < 3; p++)
                for (int cm = 0; cm < 2; cm++) {
                    pool_case pc = mp(2, 2, 3, in, k, strides[s], dils[d], pads[p]);
                    pc.ceil = cm;
                    pc.indices = (s + d + p) % 2 == 0;
                    pc.storage_order = (s + p) % 2;
                    check_pool(pc);
                }
}

/* f32 2-D without Indices, dilation 1, stride 1 or 2: the vector kernel of pool_max2d.c on
 * AVX-512 hosts (rows of several 16-output blocks with a partial last one, pads on either
 * side, ceil_mode windows past the end, kernels up to 7 wide) */
static void test_maxpool_vec(void **state)
{
    static const int64_t ks[][2] = {{3, 3}, {2, 2}, {7, 5}, {1, 4}};
    static const int64_t strides[][2] = {{1, 1}, {2, 2}, {1, 2}, {2, 1}};
    static const int64_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 1, 2, 0}};
    int64_t in[2] = {11, 70};
    for (int k = 0; k < 4; k++)
        for (int s = 0; s < 4; s++)
            for (int p = 0; p < 3; p++) {
                int64_t pd[4];
                for (int i = 0; i < 4; i++)
                    pd[i] = pads[p][i] < ks[k][i % 2] ? pads[p][i] : ks[k][i % 2] - 1;
                pool_case pc = mp(2, 1, 3, in, ks[k], strides[s], NULL, pd);
                pc.ceil = (k + s + p) % 2;
                check_pool(pc);
            }
    /* ResNet-50's stem pool shape (one channel) and NaN in a wide row */
    int64_t in2[2] = {112, 112}, k3[2] = {3, 3}, s2[2] = {2, 2}, p1[4] = {1, 1, 1, 1};
    check_pool(mp(2, 1, 2, in2, k3, s2, NULL, p1));
    pool_case pc = mp(2, 1, 1, in2, k3, s2, NULL, p1);
    pool_run pr;
    pool_build(&pc, &pr);
    float *x = cg_jit_buf(pr.j, pr.x);
    cg_fill_random(OM_DT_FLOAT, x, 112 * 112, -1, 1);
    x[5 * 112 + 40] = NAN; /* in windows (2, 20) and (3, 20) only */
    pool_check(&pc, &pr);
    const float *y = cg_jit_buf(pr.j, pr.y);
    assert_true(isnan(y[2 * 56 + 20]) && isnan(y[3 * 56 + 20]) && !isnan(y[2 * 56 + 21]) && !isnan(y[4 * 56 + 20]));
    pool_free(&pr);
}

static void test_maxpool_indices(void **state)
{
    int64_t in[2] = {7, 8}, k[2] = {3, 2}, s[2] = {2, 1}, pads[4] = {1, 1, 1, 0};
    for (int so = 0; so < 2; so++) {
        pool_case pc = mp(2, 2, 3, in, k, s, NULL, pads);
        pc.indices = true;
        pc.storage_order = so;
        check_pool(pc);
        /* int8 data in a small range: many ties, the first position must win */
        pc.dt = OM_DT_INT8;
        pool_run pr;
        pool_build(&pc, &pr);
        cg_fill_random(OM_DT_INT8, cg_jit_buf(pr.j, pr.x), om_shape_numel(&pr.x->shape), -2, 2);
        pool_check(&pc, &pr);
        pool_free(&pr);
    }
    /* 3-D column-major indices */
    int64_t in3[3] = {4, 5, 6}, k3[3] = {2, 3, 2}, s3[3] = {1, 2, 2};
    pool_case pc = mp(3, 1, 2, in3, k3, s3, NULL, NULL);
    pc.indices = true;
    pc.storage_order = 1;
    check_pool(pc);
}

static void test_maxpool_onnx_argmax(void **state)
{
    /* test_maxpool_with_argmax_2d_precomputed_strides: storage_order 1 */
    int64_t in[2] = {5, 5}, k[2] = {2, 2}, s[2] = {2, 2};
    pool_case pc = mp(2, 1, 1, in, k, s, NULL, NULL);
    pc.indices = true;
    pc.storage_order = 1;
    pool_run pr;
    pool_build(&pc, &pr);
    float *x = cg_jit_buf(pr.j, pr.x);
    for (int i = 0; i < 25; i++)
        x[i] = (float)(i + 1);
    cg_jit_run_checked(pr.j);
    const float *y = cg_jit_buf(pr.j, pr.y);
    const int64_t *yi = cg_jit_buf(pr.j, pr.yi);
    static const float wy[4] = {7, 9, 17, 19};
    static const int64_t wi[4] = {6, 16, 8, 18};
    for (int i = 0; i < 4; i++) {
        assert_true(y[i] == wy[i]);
        assert_int_equal(yi[i], wi[i]);
    }
    pool_free(&pr);

    /* test_maxpool_with_argmax_2d_precomputed_pads: 5x5 kernel, pads 2, storage_order 0 */
    int64_t k5[2] = {5, 5}, p2[4] = {2, 2, 2, 2};
    pc = mp(2, 1, 1, in, k5, NULL, NULL, p2);
    pc.indices = true;
    pool_build(&pc, &pr);
    x = cg_jit_buf(pr.j, pr.x);
    for (int i = 0; i < 25; i++)
        x[i] = (float)(i + 1);
    cg_jit_run_checked(pr.j);
    static const int64_t wz[25] = {12, 13, 14, 14, 14, 17, 18, 19, 19, 19, 22, 23, 24, 24, 24,
                                   22, 23, 24, 24, 24, 22, 23, 24, 24, 24};
    yi = cg_jit_buf(pr.j, pr.yi);
    y = cg_jit_buf(pr.j, pr.y);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(yi[i], wz[i]);
        assert_true(y[i] == (float)(wz[i] + 1));
    }
    pool_free(&pr);
}

static void test_maxpool_nan(void **state)
{
    int64_t in[2] = {4, 4}, k[2] = {2, 2}, s[2] = {2, 2};
    pool_case pc = mp(2, 1, 1, in, k, s, NULL, NULL);
    pc.indices = true;
    pool_run pr;
    pool_build(&pc, &pr);
    float *x = cg_jit_buf(pr.j, pr.x);
    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    x[5] = NAN;  /* window 0, after a number */
    x[2] = NAN;  /* window 1, first */
    x[3] = NAN;  /* window 1, second NaN: the first one's index is kept */
    pool_check(&pc, &pr);
    const float *y = cg_jit_buf(pr.j, pr.y);
    const int64_t *yi = cg_jit_buf(pr.j, pr.yi);
    assert_true(isnan(y[0]) && isnan(y[1]));
    assert_int_equal(yi[0], 5);
    assert_int_equal(yi[1], 2);
    assert_true(y[2] == 13.0f && y[3] == 15.0f);
    pool_free(&pr);
}

static void test_maxpool_negative(void **state)
{
    /* all-negative data: a padding position or a read past the row end (the buffers'
     * slack is zeros) would show up as a 0 maximum */
    int64_t in[2] = {6, 7}, k[2] = {3, 3}, s[2] = {2, 2}, p[4] = {1, 1, 2, 2};
    for (int cm = 0; cm < 2; cm++) {
        pool_case pc = mp(2, 1, 2, in, k, s, NULL, p);
        pc.ceil = cm;
        pc.indices = true;
        pool_run pr;
        pool_build(&pc, &pr);
        cg_fill_random(OM_DT_FLOAT, cg_jit_buf(pr.j, pr.x), om_shape_numel(&pr.x->shape), -2, -1);
        pool_check(&pc, &pr);
        const float *y = cg_jit_buf(pr.j, pr.y);
        for (int64_t i = 0; i < om_shape_numel(&pr.y->shape); i++)
            assert_true(y[i] < 0 || isinf(y[i]));
        pool_free(&pr);
    }
}

static void test_maxpool_1d_3d_ints(void **state)
{
    int64_t in1[1] = {600}, k1[1] = {4}, s1[1] = {1}, d1[1] = {2}, p1[2] = {3, 1};
    check_pool(mp(1, 1, 3, in1, k1, s1, d1, p1)); /* rows wider than the 256 block */
    /* kernels wider than the unrolled interior path, with indices */
    int64_t in1b[1] = {70}, k1b[1] = {20}, s1b[1] = {3}, p1b[2] = {4, 5};
    pool_case wide = mp(1, 2, 2, in1b, k1b, s1b, NULL, p1b);
    wide.indices = true;
    check_pool(wide);
    int64_t in3[3] = {5, 6, 7}, k3[3] = {3, 2, 3}, s3[3] = {2, 1, 2}, p3[6] = {1, 0, 1, 1, 1, 0};
    pool_case pc = mp(3, 2, 2, in3, k3, s3, NULL, p3);
    pc.ceil = true;
    check_pool(pc);
    static const om_dtype dts[] = {OM_DT_INT8, OM_DT_UINT8, OM_DT_DOUBLE, OM_DT_FLOAT16};
    int64_t in[2] = {6, 7}, k[2] = {3, 3}, s[2] = {2, 2}, p[4] = {1, 1, 1, 1};
    for (int t = 0; t < 4; t++) {
        pool_case q = mp(2, 1, 3, in, k, s, NULL, p);
        q.dt = dts[t];
        q.indices = t % 2 == 0;
        check_pool(q);
    }
}

static pool_case ap(int nsp, const int64_t *in, const int64_t *k, const int64_t *s, const int64_t *pads,
                    bool ceil, bool include_pad)
{
    pool_case pc = mp(nsp, 2, 3, in, k, s, NULL, pads);
    pc.op = OM_OP_AVERAGE_POOL;
    pc.ceil = ceil;
    pc.include_pad = include_pad;
    return pc;
}

static void test_averagepool(void **state)
{
    static const int64_t strides[][2] = {{1, 1}, {2, 2}, {3, 2}};
    static const int64_t pads[][4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 1, 2}, {0, 1, 0, 1}};
    int64_t in[2] = {8, 9}, k[2] = {3, 3};
    for (int s = 0; s < 3; s++)
        for (int p = 0; p < 4; p++)
            for (int cm = 0; cm < 2; cm++)
                for (int ip = 0; ip < 2; ip++)
                    check_pool(ap(2, in, k, strides[s], pads[p], cm, ip));
    int64_t in1[1] = {530}, k1[1] = {5}, s1[1] = {2}, p1[2] = {2, 2};
    check_pool(ap(1, in1, k1, s1, p1, true, false));
    check_pool(ap(1, in1, k1, s1, p1, true, true));
    int64_t k1w[1] = {18}, p1w[2] = {6, 3};
    check_pool(ap(1, in1, k1w, s1, p1w, false, false));
    check_pool(ap(1, in1, k1w, s1, p1w, true, true));
    int64_t in3[3] = {5, 6, 5}, k3[3] = {2, 3, 2}, s3[3] = {2, 2, 1}, p3[6] = {1, 1, 0, 0, 1, 1};
    for (int ip = 0; ip < 2; ip++)
        check_pool(ap(3, in3, k3, s3, p3, true, ip));
    pool_case pc = ap(2, in, k, strides[1], pads[1], true, true);
    pc.dt = OM_DT_DOUBLE;
    check_pool(pc);
    pc.dt = OM_DT_FLOAT16;
    check_pool(pc);
}

static void test_averagepool_onnx_ceil(void **state)
{
    /* test_averagepool_2d_ceil: 4x4, kernel 3, strides 2, ceil_mode -> [6, 7.5, 12, 13.5] */
    int64_t in[2] = {4, 4}, k[2] = {3, 3}, s[2] = {2, 2};
    for (int ip = 0; ip < 2; ip++) {
        pool_case pc = ap(2, in, k, s, NULL, true, ip);
        pc.n = pc.c = 1;
        pool_run pr;
        pool_build(&pc, &pr);
        float *x = cg_jit_buf(pr.j, pr.x);
        for (int i = 0; i < 16; i++)
            x[i] = (float)(i + 1);
        cg_jit_run_checked(pr.j);
        const float *y = cg_jit_buf(pr.j, pr.y);
        /* with no pads, positions past the end count in neither mode */
        assert_true(y[0] == 6.0f && y[1] == 7.5f && y[2] == 12.0f && y[3] == 13.5f);
        pool_free(&pr);
    }
    /* count_include_pad 1 with ceil: a window passing the padded end counts only the
     * positions in [-1, 5): the window at column 3 covers 3, 4 (padding) and 5 (neither) */
    int64_t p[4] = {0, 1, 0, 1}, in14[2] = {1, 4}, k13[2] = {1, 3};
    pool_case pc = ap(2, in14, k13, s, p, true, true);
    pc.n = pc.c = 1;
    pool_run pr;
    pool_build(&pc, &pr);
    assert_int_equal(pr.out[0], 1);
    assert_int_equal(pr.out[1], 3); /* ceil((4 + 2 - 3) / 2) + 1 */
    float *x = cg_jit_buf(pr.j, pr.x);
    for (int i = 0; i < 4; i++)
        x[i] = (float)(i + 1);
    cg_jit_run_checked(pr.j);
    const float *y = cg_jit_buf(pr.j, pr.y);
    assert_true(y[0] == (0 + 1 + 2) / 3.0f);
    assert_true(y[1] == (2 + 3 + 4) / 3.0f);
    assert_true(y[2] == (4 + 0) / 2.0f);
    pool_free(&pr);
}

static void check_global(om_op op, om_dtype dt, int r, const int64_t *xd)
{
    int64_t yd[5] = {xd[0], xd[1], 1, 1, 1};
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", dt, r, xd), *y = cg_value(g, "y", dt, r, yd);
    assert_non_null(om_graph_add_node(g, op, "gp", &x, 1, &y, 1));
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    om_status st = cg_jit_create(g, NULL, &j);
    if (st != OM_OK)
        fail_msg("%s %s: %s", om_op_name(op), om_dtype_name(dt), om_last_error());
    int64_t nc = xd[0] * xd[1], s = om_shape_numel(&x->shape) / nc;
    bool isf = om_dtype_is_float(dt);
    cg_fill_random(dt, cg_jit_buf(j, x), nc * s, isf ? -1 : 0, isf ? 1 : 200);
    cg_jit_run_checked(j);
    const void *X = cg_jit_buf(j, x), *Y = cg_jit_buf(j, y);
    for (int64_t c = 0; c < nc; c++) {
        double sum = 0, best = -INFINITY;
        for (int64_t i = 0; i < s; i++) {
            double v = cg_get(dt, X, c * s + i);
            sum += v;
            best = v > best ? v : best;
        }
        double want = op == OM_OP_GLOBAL_MAX_POOL ? best : sum / (double)s, got = cg_get(dt, Y, c);
        if (!(want == got || fabs(got - want) <= tol_for(dt, want)))
            fail_msg("%s %s: y[%lld] = %.9g, want %.9g", om_op_name(op), om_dtype_name(dt), (long long)c, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_global(void **state)
{
    static const om_op ops[] = {OM_OP_GLOBAL_AVERAGE_POOL, OM_OP_GLOBAL_MAX_POOL};
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16};
    int64_t x4[4] = {2, 3, 5, 7}, x3[3] = {1, 4, 1000}, x5[5] = {1, 2, 3, 4, 5}, x1[4] = {1, 3, 1, 1};
    for (int o = 0; o < 2; o++)
        for (int d = 0; d < 3; d++) {
            check_global(ops[o], dts[d], 4, x4);
            check_global(ops[o], dts[d], 3, x3);
            check_global(ops[o], dts[d], 5, x5);
            check_global(ops[o], dts[d], 4, x1);
        }
    check_global(OM_OP_GLOBAL_MAX_POOL, OM_DT_UINT8, 4, x4);
}

static void test_rejects(void **state)
{
    /* AveragePool has no integer kernel; auto_pad left in place is unsupported */
    int64_t xd[4] = {1, 1, 4, 4}, yd[4] = {1, 1, 2, 2}, k[2] = {2, 2}, s[2] = {2, 2};
    for (int c = 0; c < 2; c++) {
        om_dtype dt = c == 0 ? OM_DT_INT8 : OM_DT_FLOAT;
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", dt, 4, xd), *y = cg_value(g, "y", dt, 4, yd);
        om_node *n = om_graph_add_node(g, OM_OP_AVERAGE_POOL, "ap_bad", &x, 1, &y, 1);
        om_node_set_ints(g, n, "kernel_shape", k, 2);
        om_node_set_ints(g, n, "strides", s, 2);
        if (c == 1)
            om_node_set_string(g, n, "auto_pad", "SAME_LOWER");
        om_graph_add_output(g, y);
        cg_jit *j;
        assert_int_equal(cg_jit_create(g, NULL, &j), OM_ERR_UNSUPPORTED);
        assert_non_null(strstr(om_last_error(), "ap_bad"));
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maxpool_2d),
        cmocka_unit_test(test_maxpool_vec),
        cmocka_unit_test(test_maxpool_indices),
        cmocka_unit_test(test_maxpool_onnx_argmax),
        cmocka_unit_test(test_maxpool_nan),
        cmocka_unit_test(test_maxpool_negative),
        cmocka_unit_test(test_maxpool_1d_3d_ints),
        cmocka_unit_test(test_averagepool),
        cmocka_unit_test(test_averagepool_onnx_ceil),
        cmocka_unit_test(test_global),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
