/* moments_norm kernel (LayerNormalization, InstanceNormalization, MeanVarianceNormalization)
 * against a double-precision reference: every LayerNormalization axis of ranks 1-4 with
 * full-shape and broadcast Scale/B, without B, the Mean/InvStdDev outputs; InstanceNorm
 * of ranks 2-5; MVN with default and custom (non-adjacent, negative) axes; f32/f64/f16/bf16;
 * a constant input (variance 0). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

typedef struct spec {
    om_op op;
    om_dtype dt;
    int r;
    int64_t dims[OM_MAX_RANK];
    int64_t axis;          /* LayerNormalization */
    int sr;                /* LayerNormalization Scale/B rank (aligned to the end) */
    int64_t sdims[OM_MAX_RANK];
    bool bias;             /* LayerNormalization: B present */
    bool stats;            /* LayerNormalization: Mean and InvStdDev outputs */
    int n_axes;            /* MVN: -1 for the default */
    int64_t axes[OM_MAX_RANK];
    float eps;
    bool constant_x;
} spec;

/* multi-index of flat element e */
static void unflat(const spec *s, int64_t e, int64_t *idx)
{
    for (int a = s->r - 1; a >= 0; a--) {
        idx[a] = e % s->dims[a];
        e /= s->dims[a];
    }
}

static void run(const spec *s)
{
    om_graph *g = om_graph_create("t");
    om_dtype dt = s->dt;
    om_value *x = cg_input(g, "x", dt, s->r, s->dims), *y = cg_value(g, "y", dt, s->r, s->dims);
    bool red[OM_MAX_RANK] = {false};
    om_value *ins[3] = {x, NULL, NULL}, *outs[3] = {y, NULL, NULL};
    int n_in = 1, n_out = 1;
    int64_t C = s->r >= 2 ? s->dims[1] : 1;
    int64_t pdims[OM_MAX_RANK];
    int pr = 0;
    if (s->op == OM_OP_LAYER_NORMALIZATION) {
        int64_t a = s->axis < 0 ? s->axis + s->r : s->axis;
        for (int i = (int)a; i < s->r; i++)
            red[i] = true;
        pr = s->sr;
        memcpy(pdims, s->sdims, sizeof pdims);
        ins[1] = cg_input(g, "scale", dt, pr, pdims);
        n_in = 2;
        if (s->bias) {
            ins[2] = cg_input(g, "bias", dt, pr, pdims);
            n_in = 3;
        }
        if (s->stats) {
            int64_t md[OM_MAX_RANK];
            for (int i = 0; i < s->r; i++)
                md[i] = red[i] ? 1 : s->dims[i];
            outs[1] = cg_value(g, "mean", OM_DT_FLOAT, s->r, md);
            outs[2] = cg_value(g, "invstd", OM_DT_FLOAT, s->r, md);
            n_out = 3;
        }
    } else if (s->op == OM_OP_INSTANCE_NORMALIZATION) {
        for (int i = 2; i < s->r; i++)
            red[i] = true;
        pr = 1;
        pdims[0] = C;
        ins[1] = cg_input(g, "scale", dt, 1, &C);
        ins[2] = cg_input(g, "bias", dt, 1, &C);
        n_in = 3;
    } else {
        static const int64_t dflt[3] = {0, 2, 3};
        int na = s->n_axes < 0 ? 3 : s->n_axes;
        const int64_t *ax = s->n_axes < 0 ? dflt : s->axes;
        for (int i = 0; i < na; i++)
            red[ax[i] < 0 ? ax[i] + s->r : ax[i]] = true;
    }
    om_node *n = om_graph_add_node(g, s->op, "norm", ins, n_in, outs, n_out);
    assert_non_null(n);
    if (s->op == OM_OP_LAYER_NORMALIZATION)
        assert_int_equal(om_node_set_int(g, n, "axis", s->axis), OM_OK);
    if (s->op == OM_OP_MEAN_VARIANCE_NORMALIZATION && s->n_axes >= 0)
        assert_int_equal(om_node_set_ints(g, n, "axes", s->axes, s->n_axes), OM_OK);
    if (s->op != OM_OP_MEAN_VARIANCE_NORMALIZATION && s->eps > 0)
        assert_int_equal(om_node_set_float(g, n, "epsilon", s->eps), OM_OK);
    for (int o = 0; o < n_out; o++)
        assert_int_equal(om_graph_add_output(g, outs[o]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(s->op), om_last_error());
    int64_t numel = om_shape_numel(&x->shape), pn = 1;
    for (int i = 0; i < pr; i++)
        pn *= pdims[i];
    void *px = cg_jit_buf(j, x);
    cg_fill_random(dt, px, numel, -4, 6);
    if (s->constant_x)
        for (int64_t e = 0; e < numel; e++)
            cg_set(dt, px, e, 1.5);
    for (int i = 1; i < n_in; i++)
        cg_fill_random(dt, cg_jit_buf(j, ins[i]), pn, -2, 2);
    cg_jit_run_checked(j);

    /* reference: kept index of each element, sums per kept position */
    int64_t K = 1;
    for (int a = 0; a < s->r; a++)
        if (!red[a])
            K *= s->dims[a];
    double *sum = calloc((size_t)K, sizeof(double)), *ssq = calloc((size_t)K, sizeof(double));
    int64_t *cnt = calloc((size_t)K, sizeof(int64_t));
    assert_true(sum && ssq && cnt);
    int64_t idx[OM_MAX_RANK];
#define KEPT(k)                                        \
    do {                                               \
        k = 0;                                         \
        for (int a_ = 0; a_ < s->r; a_++)              \
            if (!red[a_])                              \
                k = k * s->dims[a_] + idx[a_];         \
    } while (0)
    for (int64_t e = 0; e < numel; e++) {
        int64_t k;
        unflat(s, e, idx);
        KEPT(k);
        sum[k] += cg_get(dt, px, e);
        cnt[k]++;
    }
    for (int64_t e = 0; e < numel; e++) {
        int64_t k;
        unflat(s, e, idx);
        KEPT(k);
        double d = cg_get(dt, px, e) - sum[k] / (double)cnt[k];
        ssq[k] += d * d;
    }
    double tol = dt == OM_DT_FLOAT16 ? 1e-2 : dt == OM_DT_BFLOAT16 ? 6e-2 : dt == OM_DT_DOUBLE ? 1e-9 : 2e-5;
    double eps = s->op == OM_OP_MEAN_VARIANCE_NORMALIZATION ? 1e-9 : s->eps > 0 ? s->eps : 1e-5;
    for (int64_t e = 0; e < numel; e++) {
        int64_t k;
        unflat(s, e, idx);
        KEPT(k);
        double mean = sum[k] / (double)cnt[k], var = ssq[k] / (double)cnt[k];
        double inv = s->op == OM_OP_MEAN_VARIANCE_NORMALIZATION ? 1 / (sqrt(var) + eps) : 1 / sqrt(var + eps);
        double want = (cg_get(dt, px, e) - mean) * inv;
        if (s->op == OM_OP_INSTANCE_NORMALIZATION) {
            want = want * cg_get(dt, cg_jit_buf(j, ins[1]), idx[1]) + cg_get(dt, cg_jit_buf(j, ins[2]), idx[1]);
        } else if (s->op == OM_OP_LAYER_NORMALIZATION) {
            int64_t po = 0;
            for (int i = 0; i < pr; i++)
                po = po * pdims[i] + (pdims[i] == 1 ? 0 : idx[s->r - pr + i]);
            want *= cg_get(dt, cg_jit_buf(j, ins[1]), po);
            if (s->bias)
                want += cg_get(dt, cg_jit_buf(j, ins[2]), po);
        }
        double got = cg_get(dt, cg_jit_buf(j, y), e);
        if (!(fabs(got - want) <= tol * (1 + fabs(want))))
            fail_msg("%s %s rank %d elem %lld: %.9g, want %.9g", om_op_name(s->op), om_dtype_name(dt), s->r,
                     (long long)e, got, want);
        if (s->stats) {
            double gm = cg_get(OM_DT_FLOAT, cg_jit_buf(j, outs[1]), k);
            double gi = cg_get(OM_DT_FLOAT, cg_jit_buf(j, outs[2]), k);
            double st = fmax(tol, 1e-6); /* stored as f32 */
            if (!(fabs(gm - mean) <= st * (1 + fabs(mean))) || !(fabs(gi - inv) <= st * (1 + fabs(inv))))
                fail_msg("LayerNormalization stats %lld: mean %.9g want %.9g, invstd %.9g want %.9g", (long long)k, gm,
                         mean, gi, inv);
        }
    }
#undef KEPT
    free(sum);
    free(ssq);
    free(cnt);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_layer_norm_axes(void **state)
{
    int64_t d[4] = {2, 3, 4, 5};
    for (int r = 1; r <= 4; r++)
        for (int a = 0; a < r; a++) {
            spec s = {.op = OM_OP_LAYER_NORMALIZATION, .dt = OM_DT_FLOAT, .r = r, .axis = a - (a % 2 ? r : 0),
                      .bias = a % 2 == 0, .stats = true, .eps = 1e-5f};
            memcpy(s.dims, d, sizeof d);
            s.sr = r - a;
            memcpy(s.sdims, d + a, sizeof(int64_t) * (size_t)s.sr);
            run(&s);
        }
}

static void test_layer_norm_broadcast(void **state)
{
    /* Scale/B [1,5] and [5] over normalized dims [4,5]; [4,1] broadcasts along the last */
    spec s = {.op = OM_OP_LAYER_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 4, .dims = {2, 3, 4, 5}, .axis = 2, .sr = 2,
              .sdims = {1, 5}, .bias = true, .eps = 0.1f};
    run(&s);
    s.sr = 1;
    s.sdims[0] = 5;
    run(&s);
    s.sr = 2;
    s.sdims[0] = 4;
    s.sdims[1] = 1;
    s.stats = true;
    run(&s);
    /* long rows (vectorized path), a constant row (variance 0) */
    spec l = {.op = OM_OP_LAYER_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 2, .dims = {3, 1000}, .axis = -1, .sr = 1,
              .sdims = {1000}, .bias = true};
    run(&l);
    l.constant_x = true;
    run(&l);
}

static void test_instance_norm(void **state)
{
    spec s = {.op = OM_OP_INSTANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 4, .dims = {2, 3, 4, 5}, .eps = 1e-2f};
    run(&s);
    spec s2 = {.op = OM_OP_INSTANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 3, .dims = {3, 7, 33}};
    run(&s2);
    spec s5 = {.op = OM_OP_INSTANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 5, .dims = {1, 2, 3, 4, 5}};
    run(&s5);
    spec s1 = {.op = OM_OP_INSTANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 2, .dims = {4, 3}};
    run(&s1); /* one element per instance: y = B */
}

static void test_mvn(void **state)
{
    spec s = {.op = OM_OP_MEAN_VARIANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 4, .dims = {3, 3, 3, 2}, .n_axes = -1};
    run(&s);
    spec s2 = {.op = OM_OP_MEAN_VARIANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 4, .dims = {2, 3, 4, 5}, .n_axes = 2,
               .axes = {1, -1}};
    run(&s2);
    spec s3 = {.op = OM_OP_MEAN_VARIANCE_NORMALIZATION, .dt = OM_DT_FLOAT, .r = 3, .dims = {4, 6, 5}, .n_axes = 1,
               .axes = {0}};
    run(&s3);
}

static void test_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (int t = 0; t < 3; t++) {
        spec s = {.op = OM_OP_LAYER_NORMALIZATION, .dt = dts[t], .r = 3, .dims = {2, 3, 17}, .axis = 1, .sr = 2,
                  .sdims = {3, 17}, .bias = true, .stats = true};
        run(&s);
        spec i = {.op = OM_OP_INSTANCE_NORMALIZATION, .dt = dts[t], .r = 4, .dims = {2, 3, 4, 5}};
        run(&i);
        spec m = {.op = OM_OP_MEAN_VARIANCE_NORMALIZATION, .dt = dts[t], .r = 4, .dims = {3, 3, 3, 2}, .n_axes = -1};
        run(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_norm_axes), cmocka_unit_test(test_layer_norm_broadcast),
        cmocka_unit_test(test_instance_norm),   cmocka_unit_test(test_mvn),
        cmocka_unit_test(test_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
