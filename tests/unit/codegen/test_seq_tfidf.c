/* TfIdfVectorizer's kernel (codegen/kernels/seq_tfidf.c) against a direct count of the
 * n-grams (onnxruntime's semantics: skip distances 1..max_skip_count+1, unigrams counted at
 * distance 1 only), over random tokens from a small alphabet so that matches are frequent:
 * modes TF / IDF / TFIDF with and without weights, min_gram_length 1 and 2, int32 and int64,
 * 1-D and 2-D input; plus the suite's uniandbigrams_skip5 case with its expected output. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* pool: unigrams {2,3,5,4}, bigrams {(5,6),(7,8),(6,7)}, trigram {(1,2,3)} */
static const int64_t POOL[] = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 1, 2, 3};
static const int64_t COUNTS[] = {0, 4, 10};
static const int64_t IDX[] = {0, 1, 2, 3, 4, 5, 6, 7};
static const float WEIGHTS[] = {0.5f, 1.5f, 2.0f, 0.25f, 3.0f, 1.0f, 0.75f, 4.0f};
#define NGRAMS 8

/* the (gram index) of tokens t[0..n) in the pool, or -1 */
static int lookup(const int64_t *t, int n)
{
    int gi = 0;
    for (int len = 1; len <= 3; len++) {
        int64_t b = COUNTS[len - 1], e = len < 3 ? COUNTS[len] : (int64_t)(sizeof POOL / sizeof POOL[0]);
        for (int64_t p = b; p < e; p += len, gi++)
            if (len == n && !memcmp(POOL + p, t, sizeof(int64_t) * (size_t)n))
                return gi;
    }
    return -1;
}

static void check(om_dtype dt, int r, int64_t rows, int64_t C, int mn, int mx, int skip, const char *mode, bool weights)
{
    om_graph *g = om_graph_create("t");
    int64_t xd[2] = {rows, C}, yd[2] = {rows, NGRAMS};
    om_value *x = r == 2 ? cg_input(g, "x", dt, 2, xd) : cg_input(g, "x", dt, 1, &C);
    om_value *y = r == 2 ? cg_value(g, "y", OM_DT_FLOAT, 2, yd) : cg_value(g, "y", OM_DT_FLOAT, 1, yd + 1);
    om_node *n = om_graph_add_node(g, OM_OP_TF_IDF_VECTORIZER, "tfidf", &x, 1, &y, 1);
    assert_int_equal(om_node_set_ints(g, n, "pool_int64s", POOL, (int)(sizeof POOL / sizeof POOL[0])), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_counts", COUNTS, 3), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_indexes", IDX, NGRAMS), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "min_gram_length", mn), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_gram_length", mx), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_skip_count", skip), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "mode", mode), OM_OK);
    if (weights)
        assert_int_equal(om_node_set_floats(g, n, "weights", WEIGHTS, NGRAMS), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("TfIdfVectorizer: %s", om_last_error());
    int64_t tok[256];
    for (int64_t i = 0; i < rows * C; i++) {
        tok[i] = (int64_t)(cg_rand() % 9);
        cg_set(dt, cg_jit_buf(j, x), i, (double)tok[i]);
    }
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    for (int64_t row = 0; row < rows; row++) {
        double cnt[NGRAMS] = {0};
        const int64_t *t = tok + row * C;
        for (int len = mn; len <= mx; len++)
            for (int d = 1; d <= (len == 1 ? 1 : skip + 1); d++)
                for (int64_t s = 0; s + (len - 1) * d < C; s++) {
                    int64_t gram[3];
                    for (int e = 0; e < len; e++)
                        gram[e] = t[s + e * d];
                    int gi = lookup(gram, len);
                    if (gi >= 0)
                        cnt[IDX[gi]] += 1;
                }
        for (int i = 0; i < NGRAMS; i++) {
            double w = weights ? WEIGHTS[i] : 1.0, want = cnt[i];
            if (!strcmp(mode, "IDF"))
                want = cnt[i] > 0 ? w : 0;
            else if (!strcmp(mode, "TFIDF"))
                want = cnt[i] * w;
            if (py[row * NGRAMS + i] != (float)want)
                fail_msg("%s min %d max %d skip %d row %lld col %d = %g, want %g", mode, mn, mx, skip, (long long)row, i,
                         py[row * NGRAMS + i], want);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_random(void **state)
{
    (void)state;
    for (int skip = 0; skip <= 3; skip++) {
        check(OM_DT_INT64, 2, 3, 20, 1, 3, skip, "TF", false);
        check(OM_DT_INT32, 2, 2, 17, 2, 3, skip, "TF", false);
        check(OM_DT_INT32, 1, 1, 30, 1, 2, skip, "IDF", true);
        check(OM_DT_INT64, 1, 1, 30, 1, 3, skip, "IDF", false);
        check(OM_DT_INT32, 2, 4, 9, 1, 3, skip, "TFIDF", true);
        check(OM_DT_INT32, 2, 2, 3, 3, 3, skip, "TFIDF", false);
    }
}

/* node/test_tfidfvectorizer_tf_uniandbigrams_skip5: expected [0, 3, 1, 0, 1, 3, 1] */
static void test_suite_case(void **state)
{
    (void)state;
    static const int64_t pool[] = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7};
    static const int64_t counts[] = {0, 4}, idx[] = {0, 1, 2, 3, 4, 5, 6};
    static const int32_t in[12] = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};
    static const float want[7] = {0, 3, 1, 0, 1, 3, 1};
    om_graph *g = om_graph_create("t");
    int64_t C = 12, W = 7;
    om_value *x = cg_input(g, "x", OM_DT_INT32, 1, &C), *y = cg_value(g, "y", OM_DT_FLOAT, 1, &W);
    om_node *n = om_graph_add_node(g, OM_OP_TF_IDF_VECTORIZER, "tfidf", &x, 1, &y, 1);
    assert_int_equal(om_node_set_ints(g, n, "pool_int64s", pool, 10), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_counts", counts, 2), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "ngram_indexes", idx, 7), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "min_gram_length", 1), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_gram_length", 2), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "max_skip_count", 5), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "mode", "TF"), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    memcpy(cg_jit_buf(j, x), in, sizeof in);
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    for (int i = 0; i < 7; i++)
        if (py[i] != want[i])
            fail_msg("column %d = %g, want %g", i, py[i], want[i]);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_suite_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
