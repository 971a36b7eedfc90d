/* loss kernel (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss) against a double
 * reference: reductions none/sum/mean, with and without weights, ignore_index (inside and
 * outside [0, C), negative), no spatial dims and up to three, i32 and i64 targets, the
 * log_prob output, f64/f16 inputs, and an out-of-range target (NaN, no out-of-bounds
 * read). */
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
    om_dtype dt, tdt;
    int r;
    int64_t dims[OM_MAX_RANK];
    const char *reduction;
    bool weight, log_prob, has_ii, bad_target;
    int64_t ii;
} spec;

static void run(const spec *s)
{
    om_graph *g = om_graph_create("t");
    om_dtype dt = s->dt;
    int64_t N = s->dims[0], C = s->dims[1], D = 1, tdims[OM_MAX_RANK];
    tdims[0] = N;
    for (int i = 2; i < s->r; i++) {
        D *= s->dims[i];
        tdims[i - 1] = s->dims[i];
    }
    bool none = strcmp(s->reduction, "none") == 0, mean = strcmp(s->reduction, "mean") == 0;
    om_value *x = cg_input(g, "x", dt, s->r, s->dims), *t = cg_input(g, "t", s->tdt, s->r - 1, tdims);
    om_value *w = s->weight ? cg_input(g, "w", dt, 1, &C) : NULL;
    om_value *loss = none ? cg_value(g, "loss", dt, s->r - 1, tdims) : cg_value(g, "loss", dt, 0, NULL);
    om_value *lp = s->log_prob ? cg_value(g, "log_prob", dt, s->r, s->dims) : NULL;
    om_value *ins[3] = {x, t, w}, *outs[2] = {loss, lp};
    om_node *n = om_graph_add_node(g, s->op, "loss", ins, w ? 3 : 2, outs, lp ? 2 : 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_string(g, n, "reduction", s->reduction), OM_OK);
    if (s->has_ii)
        assert_int_equal(om_node_set_int(g, n, "ignore_index", s->ii), OM_OK);
    assert_int_equal(om_graph_add_output(g, loss), OM_OK);
    if (lp)
        assert_int_equal(om_graph_add_output(g, lp), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(s->op), om_last_error());
    int64_t P = N * D;
    void *px = cg_jit_buf(j, x), *pt = cg_jit_buf(j, t), *pw = w ? cg_jit_buf(j, w) : NULL;
    cg_fill_random(dt, px, N * C * D, s->op == OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS ? -4 : -8, 3);
    if (pw)
        cg_fill_random(dt, pw, C, 0.1, 2);
    for (int64_t p = 0; p < P; p++) {
        int64_t v = (int64_t)(cg_rand() % (uint64_t)C);
        if (s->has_ii && cg_rand() % 4 == 0)
            v = s->ii;
        cg_set(s->tdt, pt, p, (double)v);
    }
    if (s->bad_target)
        cg_set(s->tdt, pt, P - 1, (double)(C + 1000000));
    cg_jit_run_checked(j);

    double tol = dt == OM_DT_FLOAT16 ? 4e-3 : 2e-5;
    double sum = 0, wsum = 0;
    for (int64_t p = 0; p < P; p++) {
        int64_t nn = p / D, dd = p % D;
        const int64_t xb = nn * C * D + dd;
        int64_t tc = (int64_t)cg_get(s->tdt, pt, p);
        double lse = 0;
        if (s->op == OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS) {
            double mx = -INFINITY, se = 0;
            for (int64_t c = 0; c < C; c++)
                mx = fmax(mx, cg_get(dt, px, xb + c * D));
            for (int64_t c = 0; c < C; c++)
                se += exp(cg_get(dt, px, xb + c * D) - mx);
            lse = mx + log(se);
            if (lp)
                for (int64_t c = 0; c < C; c++) {
                    double want = cg_get(dt, px, xb + c * D) - lse, got = cg_get(dt, cg_jit_buf(j, lp), xb + c * D);
                    if (!(fabs(got - want) <= tol * (1 + fabs(want))))
                        fail_msg("log_prob %lld: %.9g, want %.9g", (long long)(xb + c * D), got, want);
                }
        }
        double l, wt;
        if (s->has_ii && tc == s->ii) {
            l = 0;
            wt = 0;
        } else if (tc < 0 || tc >= C) {
            l = wt = NAN;
        } else {
            wt = pw ? cg_get(dt, pw, tc) : 1;
            l = -(cg_get(dt, px, xb + tc * D) - lse) * wt;
        }
        sum += l;
        wsum += wt;
        if (none) {
            double got = cg_get(dt, cg_jit_buf(j, loss), p);
            if (isnan(l) ? !isnan(got) : !(fabs(got - l) <= tol * (1 + fabs(l))))
                fail_msg("%s none, sample %lld: %.9g, want %.9g", om_op_name(s->op), (long long)p, got, l);
        }
    }
    if (!none) {
        double want = mean ? sum / wsum : sum, got = cg_get(dt, cg_jit_buf(j, loss), 0);
        if (isnan(want) ? !isnan(got) : !(fabs(got - want) <= tol * (1 + fabs(want))))
            fail_msg("%s %s (%s, weight %d, ii %d): %.9g, want %.9g", om_op_name(s->op), s->reduction,
                     om_dtype_name(dt), s->weight, s->has_ii, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void sweep(om_op op)
{
    static const char *const reds[] = {"none", "sum", "mean"};
    static const int64_t shapes[3][4] = {{3, 5}, {3, 5, 6}, {2, 4, 3, 5}};
    for (int k = 0; k < 3; k++)
        for (int sh = 0; sh < 3; sh++)
            for (int wi = 0; wi < 2; wi++)
                for (int ii = 0; ii < 2; ii++) {
                    spec s = {.op = op, .dt = OM_DT_FLOAT, .tdt = sh == 1 ? OM_DT_INT32 : OM_DT_INT64, .r = sh + 2,
                              .reduction = reds[k], .weight = wi, .has_ii = ii, .ii = sh == 2 ? -1 : 1,
                              .log_prob = op == OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS && (k + sh) % 2 == 0};
                    memcpy(s.dims, shapes[sh], sizeof shapes[sh]);
                    run(&s);
                }
}

static void test_nll(void **state)
{
    sweep(OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS);
}

static void test_sce(void **state)
{
    sweep(OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS);
}

static void test_edge_cases(void **state)
{
    /* ignore_index outside [0, C) (never matches a class), an out-of-range target */
    spec s = {.op = OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS, .dt = OM_DT_FLOAT, .tdt = OM_DT_INT64, .r = 2, .dims = {6, 5},
              .reduction = "sum", .weight = true, .has_ii = true, .ii = 10};
    run(&s);
    s.reduction = "none";
    s.bad_target = true;
    run(&s);
    s.op = OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS;
    s.reduction = "mean";
    run(&s);
    /* seven dims: N, C and five spatial */
    spec big = {.op = OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, .dt = OM_DT_FLOAT, .tdt = OM_DT_INT64, .r = 7,
                .dims = {2, 5, 3, 2, 3, 2, 4}, .reduction = "mean", .weight = true, .log_prob = true};
    run(&big);
}

static void test_dtypes(void **state)
{
    static const om_dtype dts[] = {OM_DT_DOUBLE, OM_DT_FLOAT16};
    for (int t = 0; t < 2; t++) {
        spec s = {.op = OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, .dt = dts[t], .tdt = OM_DT_INT64, .r = 3, .dims = {3, 5, 4},
                  .reduction = "mean", .weight = true, .has_ii = true, .ii = 2, .log_prob = true};
        run(&s);
        s.op = OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS;
        s.log_prob = false;
        s.reduction = "none";
        run(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nll),
        cmocka_unit_test(test_sce),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
