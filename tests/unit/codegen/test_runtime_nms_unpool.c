/* NonMaxSuppression with run-time inputs (codegen/kernels/nn_nms.c) and MaxUnpool with a
 * run-time output_shape (nn_unpool_nms.c).
 *   NMS (a): boxes, scores, max_output_boxes_per_class, iou_threshold and score_threshold
 *       are graph inputs (or some of them constants, or absent); the output is declared with
 *       the count a plain-C transcription of ONNX Runtime's algorithm finds (priority order
 *       score then smaller index, f32 SuppressByIOU, corners in either order or
 *       center_point_box); the rows must be identical. Random boxes with tied scores,
 *       several batches and classes, many boxes (the heap), identical boxes, limits 0 and
 *       negative, no score threshold.
 *   NMS (b): inputs whose selection has more or fewer rows than declared make the kernel
 *       fail with its output-size check (OM_ERR_INVALID_ARGUMENT from cg_jit_run), never
 *       writing past the output.
 *   MaxUnpool: a run-time output_shape equal to Y's shape gives the reference result; any
 *       other value fails the shape check.
 *   Both: no library calls on the three no-libcall targets; the shape rules take the
 *   declared output shape for run-time inputs (NMS: [num, 3] only) and keep the
 *   "not a compile-time constant" errors when nothing is declared.
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

/* ---- reference ---------------------------------------------------------------------- */

typedef struct nms_in {
    int64_t B, S, C;
    float *boxes, *scores;
    int64_t maxo; /* has_maxo false: absent */
    float iou, sthr;
    bool has_maxo, has_iou, has_sthr, center;
} nms_in;

static void max_min(float l, float r, float *mn, float *mx)
{
    if (l >= r) { *mn = r; *mx = l; } else { *mn = l; *mx = r; }
}

/* ONNX Runtime's SuppressByIOU */
static bool suppress(const float *b1, const float *b2, bool center, float thr)
{
    float x1n, x1x, x2n, x2x, y1n, y1x, y2n, y2x;
    if (!center) {
        max_min(b1[1], b1[3], &x1n, &x1x);
        max_min(b2[1], b2[3], &x2n, &x2x);
        max_min(b1[0], b1[2], &y1n, &y1x);
        max_min(b2[0], b2[2], &y2n, &y2x);
    } else {
        x1n = b1[0] - b1[2] / 2; x1x = b1[0] + b1[2] / 2;
        x2n = b2[0] - b2[2] / 2; x2x = b2[0] + b2[2] / 2;
        y1n = b1[1] - b1[3] / 2; y1x = b1[1] + b1[3] / 2;
        y2n = b2[1] - b2[3] / 2; y2x = b2[1] + b2[3] / 2;
    }
    float ixn = fmaxf(x1n, x2n), ixx = fminf(x1x, x2x);
    if (ixx <= ixn) return false;
    float iyn = fmaxf(y1n, y2n), iyx = fminf(y1x, y2x);
    if (iyx <= iyn) return false;
    float inter = (ixx - ixn) * (iyx - iyn);
    if (inter <= 0) return false;
    float a1 = (x1x - x1n) * (y1x - y1n), a2 = (x2x - x2n) * (y2x - y2n), uni = a1 + a2 - inter;
    if (a1 <= 0 || a2 <= 0 || uni <= 0) return false;
    return inter / uni > thr;
}

static const float *g_scores;
static int cmp_cand(const void *a, const void *b)
{
    int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
    float si = g_scores[i], sj = g_scores[j];
    if (si != sj) return si > sj ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* rows (3 per selected box, caller frees); returns the count */
static int64_t nms_ref(const nms_in *in, int64_t **rows)
{
    int64_t maxo = in->has_maxo ? in->maxo : 0, total = 0;
    if (maxo < 0) maxo = 0;
    int64_t *res = malloc(sizeof *res * (size_t)(3 * in->B * in->C * in->S + 3));
    int64_t *cand = malloc(sizeof *cand * (size_t)(in->S + 1)), *sel = malloc(sizeof *sel * (size_t)(in->S + 1));
    for (int64_t b = 0; b < in->B; b++)
        for (int64_t c = 0; c < in->C; c++) {
            const float *sc = in->scores + (b * in->C + c) * in->S;
            const float *bx = in->boxes + b * in->S * 4;
            int64_t nc = 0, ns = 0;
            for (int64_t s = 0; s < in->S; s++)
                if (!in->has_sthr || sc[s] > in->sthr) cand[nc++] = s;
            g_scores = sc;
            qsort(cand, (size_t)nc, sizeof *cand, cmp_cand);
            for (int64_t i = 0; i < nc && ns < maxo; i++) {
                bool keep = true;
                for (int64_t k = 0; k < ns && keep; k++)
                    keep = !suppress(bx + 4 * cand[i], bx + 4 * sel[k], in->center, in->has_iou ? in->iou : 0);
                if (keep) {
                    sel[ns++] = cand[i];
                    res[3 * total] = b;
                    res[3 * total + 1] = c;
                    res[3 * total + 2] = cand[i];
                    total++;
                }
            }
        }
    free(cand);
    free(sel);
    *rows = res;
    return total;
}

/* ---- graph ---------------------------------------------------------------------------- */

enum { RT_BOXES = 1, RT_SCORES = 2, RT_LIMITS = 4 };

typedef struct nms_case {
    om_graph *g;
    om_value *v[5], *y;
    cg_jit *j;
} nms_case;

/* inputs with bit RT_* set are graph inputs, the others constants of in's values */
static void nms_build(nms_case *c, const nms_in *in, int64_t declared, int rt)
{
    memset(c, 0, sizeof *c);
    c->g = om_graph_create("t");
    int64_t db[3] = {in->B, in->S, 4}, ds[3] = {in->B, in->C, in->S}, one = 1, dy[2] = {declared, 3};
    om_shape sb = om_shape_make(3, db), ss = om_shape_make(3, ds), s1 = om_shape_make(1, &one);
    c->v[0] = (rt & RT_BOXES) ? cg_input(c->g, "boxes", OM_DT_FLOAT, 3, db)
                              : om_graph_add_constant(c->g, "boxes", OM_DT_FLOAT, &sb, in->boxes,
                                                      sizeof(float) * (size_t)(in->B * in->S * 4));
    c->v[1] = (rt & RT_SCORES) ? cg_input(c->g, "scores", OM_DT_FLOAT, 3, ds)
                               : om_graph_add_constant(c->g, "scores", OM_DT_FLOAT, &ss, in->scores,
                                                       sizeof(float) * (size_t)(in->B * in->C * in->S));
    bool lim = rt & RT_LIMITS;
    if (in->has_maxo)
        c->v[2] = lim ? cg_input(c->g, "maxo", OM_DT_INT64, 1, &one)
                      : om_graph_add_constant(c->g, "maxo", OM_DT_INT64, &s1, &in->maxo, 8);
    if (in->has_iou)
        c->v[3] = lim ? cg_input(c->g, "iou", OM_DT_FLOAT, 1, &one)
                      : om_graph_add_constant(c->g, "iou", OM_DT_FLOAT, &s1, &in->iou, 4);
    if (in->has_sthr)
        c->v[4] = lim ? cg_input(c->g, "sthr", OM_DT_FLOAT, 1, &one)
                      : om_graph_add_constant(c->g, "sthr", OM_DT_FLOAT, &s1, &in->sthr, 4);
    int nin = in->has_sthr ? 5 : in->has_iou ? 4 : in->has_maxo ? 3 : 2;
    c->y = cg_value(c->g, "sel", OM_DT_INT64, 2, dy);
    om_node *n = om_graph_add_node(c->g, OM_OP_NON_MAX_SUPPRESSION, "nms", c->v, nin, &c->y, 1);
    assert_non_null(n);
    if (in->center) om_node_set_int(c->g, n, "center_point_box", 1);
    assert_int_equal(om_graph_add_output(c->g, c->y), OM_OK);
    if (cg_jit_create(c->g, NULL, &c->j) != OM_OK) fail_msg("NonMaxSuppression: %s", om_last_error());
}

/* copies in's values into the graph-input buffers */
static void nms_feed(nms_case *c, const nms_in *in)
{
    if (c->v[0]->kind != OM_VALUE_CONSTANT)
        memcpy(cg_jit_buf(c->j, c->v[0]), in->boxes, sizeof(float) * (size_t)(in->B * in->S * 4));
    if (c->v[1]->kind != OM_VALUE_CONSTANT)
        memcpy(cg_jit_buf(c->j, c->v[1]), in->scores, sizeof(float) * (size_t)(in->B * in->C * in->S));
    if (c->v[2] && c->v[2]->kind != OM_VALUE_CONSTANT) memcpy(cg_jit_buf(c->j, c->v[2]), &in->maxo, 8);
    if (c->v[3] && c->v[3]->kind != OM_VALUE_CONSTANT) memcpy(cg_jit_buf(c->j, c->v[3]), &in->iou, 4);
    if (c->v[4] && c->v[4]->kind != OM_VALUE_CONSTANT) memcpy(cg_jit_buf(c->j, c->v[4]), &in->sthr, 4);
}

static void nms_destroy(nms_case *c)
{
    cg_jit_destroy(c->j);
    om_graph_destroy(c->g);
}

static void random_in(nms_in *in, int64_t B, int64_t C, int64_t S, bool center)
{
    memset(in, 0, sizeof *in);
    in->B = B;
    in->C = C;
    in->S = S;
    in->center = center;
    in->boxes = malloc(sizeof(float) * (size_t)(B * S * 4));
    in->scores = malloc(sizeof(float) * (size_t)(B * C * S));
    for (int64_t i = 0; i < B * S; i++) {
        float *b = in->boxes + 4 * i;
        if (center) {
            b[0] = (float)cg_uniform(0, 10);
            b[1] = (float)cg_uniform(0, 10);
            b[2] = (float)cg_uniform(0.2, 4);
            b[3] = (float)cg_uniform(0.2, 4);
        } else { /* corners in either order, a few empty boxes */
            for (int t = 0; t < 4; t++) b[t] = (float)cg_uniform(0, 10);
            if (i % 17 == 3) b[2] = b[0];
        }
    }
    for (int64_t i = 0; i < B * C * S; i++) in->scores[i] = (float)((int)cg_uniform(0, 10) / 10.0); /* ties */
    in->maxo = 4;
    in->iou = 0.2f;
    in->sthr = 0.25f;
    in->has_maxo = in->has_iou = in->has_sthr = true;
}

static void free_in(nms_in *in)
{
    free(in->boxes);
    free(in->scores);
}

/* (a): compiled with the reference count, the kernel's rows equal the reference's */
static void nms_check(const nms_in *in, int rt)
{
    int64_t *want;
    int64_t n = nms_ref(in, &want);
    nms_case c;
    nms_build(&c, in, n, rt);
    nms_feed(&c, in);
    cg_jit_run_checked(c.j);
    const int64_t *got = cg_jit_buf(c.j, c.y);
    for (int64_t i = 0; i < 3 * n; i++)
        if (got[i] != want[i])
            fail_msg("NMS B=%lld C=%lld S=%lld rt=%d: row %lld col %lld = %lld, want %lld", (long long)in->B,
                     (long long)in->C, (long long)in->S, rt, (long long)(i / 3), (long long)(i % 3), (long long)got[i],
                     (long long)want[i]);
    free(want);
    nms_destroy(&c);
}

static void test_nms_matches_reference(void **state)
{
    (void)state;
    nms_in in;
    for (int center = 0; center < 2; center++) {
        random_in(&in, 2, 3, 40, center);
        nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
        nms_check(&in, RT_BOXES);            /* limits constant */
        nms_check(&in, RT_LIMITS);           /* boxes and scores constant */
        in.has_sthr = false;                 /* every box is a candidate */
        nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
        in.maxo = 1000;                      /* no limit in effect */
        in.iou = 0.5f;
        nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
        in.maxo = 0;                         /* empty output */
        nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
        in.maxo = -3;                        /* negative: 0 */
        nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
        in.has_maxo = in.has_iou = false;    /* absent max_output: empty */
        nms_check(&in, RT_BOXES | RT_SCORES);
        free_in(&in);
    }
    /* many boxes (heap order), one class */
    random_in(&in, 1, 1, 3000, false);
    for (int64_t i = 0; i < 3000; i++) in.scores[i] = (float)cg_uniform(0, 1);
    in.maxo = 200;
    in.iou = 0.1f;
    in.sthr = 0.05f;
    nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
    free_in(&in);
    /* identical boxes and scores: the smallest index wins */
    random_in(&in, 1, 2, 10, false);
    for (int64_t i = 0; i < 10; i++) memcpy(in.boxes + 4 * i, (float[]){0, 0, 1, 1}, 16);
    for (int64_t i = 0; i < 20; i++) in.scores[i] = 0.9f;
    in.scores[15] = 0.95f;
    nms_check(&in, RT_BOXES | RT_SCORES | RT_LIMITS);
    free_in(&in);
}

/* (b): more or fewer rows than declared */
static void test_nms_count_check(void **state)
{
    (void)state;
    nms_in in;
    random_in(&in, 2, 2, 30, false);
    int64_t *rows;
    int64_t n = nms_ref(&in, &rows);
    free(rows);
    assert_true(n > 2);
    nms_in one_in = in;
    one_in.maxo = 1;
    int64_t n1 = nms_ref(&one_in, &rows);
    free(rows);
    for (int64_t declared = n - 2; declared <= n + 2; declared++) {
        nms_case c;
        nms_build(&c, &in, declared, RT_BOXES | RT_SCORES | RT_LIMITS);
        nms_feed(&c, &in);
        om_status want = declared == n ? OM_OK : OM_ERR_INVALID_ARGUMENT;
        assert_int_equal(cg_jit_run(c.j, 1), want);
        /* a limit that changes the count at run time */
        int64_t one = 1;
        memcpy(cg_jit_buf(c.j, c.v[2]), &one, 8);
        assert_int_equal(cg_jit_run(c.j, 1), declared == n1 ? OM_OK : OM_ERR_INVALID_ARGUMENT);
        nms_destroy(&c);
    }
    free_in(&in);
}

/* ---- MaxUnpool -------------------------------------------------------------------------- */

static void test_unpool_output_shape(void **state)
{
    (void)state;
    int64_t dx[4] = {1, 2, 2, 3}, dy[4] = {1, 2, 5, 7}, def[4] = {1, 2, 4, 6}, four = 4;
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *idx = cg_input(g, "i", OM_DT_INT64, 4, dx);
    om_value *os = cg_input(g, "os", OM_DT_INT64, 1, &four), *y = cg_value(g, "y", OM_DT_FLOAT, 4, dy);
    om_node *n = om_graph_add_node(g, OM_OP_MAX_UNPOOL, "mu", (om_value *[]){x, idx, os}, 3, &y, 1);
    assert_non_null(n);
    om_node_set_ints(g, n, "kernel_shape", (int64_t[]){2, 2}, 2);
    om_node_set_ints(g, n, "strides", (int64_t[]){2, 2}, 2);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK) fail_msg("MaxUnpool: %s", om_last_error());
    float *px = cg_jit_buf(j, x);
    int64_t *pi = cg_jit_buf(j, idx), *po = cg_jit_buf(j, os);
    for (int k = 0; k < 12; k++) {
        px[k] = (float)(k + 1);
        int64_t c = k / 6, r = (k % 6) / 3, col = k % 3;
        pi[k] = (c * 4 + r * 2 + (k & 1)) * 6 + col * 2 + (k % 2);
    }
    memcpy(po, dy, sizeof dy);
    cg_jit_run_checked(j);
    float *py = cg_jit_buf(j, y);
    int64_t ny = dy[1] * dy[2] * dy[3];
    float *want = calloc((size_t)ny, sizeof *want);
    for (int k = 0; k < 12; k++) {
        int64_t t = pi[k], w = t % def[3], h = (t / def[3]) % def[2], c = t / (def[2] * def[3]);
        want[(c * dy[2] + h) * dy[3] + w] = px[k];
    }
    for (int64_t e = 0; e < ny; e++)
        if (py[e] != want[e]) fail_msg("MaxUnpool y[%lld] = %g, want %g", (long long)e, py[e], want[e]);
    free(want);
    int64_t bad[][4] = {{1, 2, 4, 6}, {1, 2, 5, 8}, {2, 2, 5, 7}, {1, 2, 7, 5}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(po, bad[i], sizeof bad[i]);
        assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    }
    memcpy(po, dy, sizeof dy);
    assert_int_equal(cg_jit_run(j, 1), OM_OK);
    for (int t = 0; t < 3; t++) cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "MaxUnpool");
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_no_libcalls(void **state)
{
    (void)state;
    nms_in in;
    for (int center = 0; center < 2; center++) {
        random_in(&in, 1, 2, 8, center);
        nms_case c;
        nms_build(&c, &in, 3, RT_BOXES | RT_SCORES | RT_LIMITS);
        for (int t = 0; t < 3; t++) cg_jit_assert_no_libcalls(c.g, &cg_no_libcall_targets[t], "NonMaxSuppression");
        nms_destroy(&c);
        free_in(&in);
    }
}

static om_status infer(om_graph *g)
{
    om_pass_opts opts = {.pass_name = "infer-shapes"};
    bool changed = false;
    return om_pass_infer_shapes(g, &opts, &changed);
}

static void test_shape_rules(void **state)
{
    (void)state;
    int64_t db[3] = {1, 6, 4}, ds[3] = {1, 2, 6}, dy[2] = {5, 3}, dbad[2] = {5, 2};
    for (int m = 0; m < 3; m++) { /* declared [5,3]; declared [5,2]; not declared */
        om_graph *g = om_graph_create("t");
        om_value *b = cg_input(g, "boxes", OM_DT_FLOAT, 3, db), *s = cg_input(g, "scores", OM_DT_FLOAT, 3, ds);
        om_value *y = m == 0   ? cg_value(g, "sel", OM_DT_INT64, 2, dy)
                      : m == 1 ? cg_value(g, "sel", OM_DT_INT64, 2, dbad)
                               : om_graph_add_value(g, "sel", OM_DT_UNDEFINED, NULL);
        assert_non_null(om_graph_add_node(g, OM_OP_NON_MAX_SUPPRESSION, "nms", (om_value *[]){b, s}, 2, &y, 1));
        om_graph_add_output(g, y);
        om_status st = infer(g);
        if (m == 0) {
            if (st != OM_OK) fail_msg("declared NMS output: %s", om_last_error());
            assert_int_equal(y->dtype, OM_DT_INT64);
        } else {
            assert_int_not_equal(st, OM_OK);
            assert_non_null(strstr(om_last_error(), m == 1 ? "expected [num_selected, 3]" : "not a compile-time constant"));
        }
        om_graph_destroy(g);
    }
    int64_t dx[4] = {1, 1, 2, 2}, four = 4, duy[4] = {1, 1, 5, 5};
    for (int declared = 0; declared < 2; declared++) {
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, dx), *i = cg_input(g, "i", OM_DT_INT64, 4, dx);
        om_value *os = cg_input(g, "os", OM_DT_INT64, 1, &four);
        om_value *y = declared ? cg_value(g, "y", OM_DT_FLOAT, 4, duy) : om_graph_add_value(g, "y", OM_DT_UNDEFINED, NULL);
        om_node *n = om_graph_add_node(g, OM_OP_MAX_UNPOOL, "mu", (om_value *[]){x, i, os}, 3, &y, 1);
        om_node_set_ints(g, n, "kernel_shape", (int64_t[]){2, 2}, 2);
        om_graph_add_output(g, y);
        om_status st = infer(g);
        if (declared) {
            if (st != OM_OK) fail_msg("declared MaxUnpool output: %s", om_last_error());
        } else {
            assert_int_equal(st, OM_ERR_UNSUPPORTED);
            assert_non_null(strstr(om_last_error(), "must be a compile-time constant"));
        }
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nms_matches_reference),
        cmocka_unit_test(test_nms_count_check),
        cmocka_unit_test(test_unpool_output_shape),
        cmocka_unit_test(test_no_libcalls),
        cmocka_unit_test(test_shape_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
