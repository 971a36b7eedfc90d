/* The seq-group kernels call nothing but memcpy/memmove/memset — sigmoid/tanh/exp/log1p
 * polynomials of every RNN activation, f64 DFT accumulation with i64 remainders, f16
 * conversions, constant tables — on the host, on a baseline x86-64 CPU and on aarch64. One
 * graph holds RNN/GRU/LSTM (every activation), DFT, STFT, the windows, MelWeightMatrix and
 * TfIdfVectorizer in f32, f16 and f64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

#define D(...) ((const int64_t[]){__VA_ARGS__})

static int n_vals;

static om_value *out(om_graph *g, om_dtype dt, int r, const int64_t *d)
{
    char name[32];
    snprintf(name, sizeof name, "y%d", n_vals++);
    om_value *v = cg_value(g, name, dt, r, d);
    assert_int_equal(om_graph_add_output(g, v), OM_OK);
    return v;
}

static om_value *in(om_graph *g, om_dtype dt, int r, const int64_t *d)
{
    char name[32];
    snprintf(name, sizeof name, "x%d", n_vals++);
    return cg_input(g, name, dt, r, d);
}

static om_value *scalar(om_graph *g, om_dtype dt, double v)
{
    char name[32];
    snprintf(name, sizeof name, "c%d", n_vals++);
    int64_t i = (int64_t)v;
    int32_t i32 = (int32_t)v;
    float f = (float)v;
    const void *p = dt == OM_DT_INT64 ? (const void *)&i : dt == OM_DT_INT32 ? (const void *)&i32 : (const void *)&f;
    om_value *c = om_graph_add_constant(g, name, dt, &(om_shape){.rank = 0}, p, om_dtype_size(dt));
    assert_non_null(c);
    return c;
}

static void add_dtype(om_graph *g, om_dtype dt)
{
    static const char *const acts[] = {"Relu", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid",
                                       "Elu", "Softsign", "Softplus", "Sigmoid", "Tanh"};
    om_value *x = in(g, dt, 3, D(3, 2, 4));
    for (int op = 0; op < 3; op++) {
        om_op o = op == 0 ? OM_OP_RNN : op == 1 ? OM_OP_GRU : OM_OP_LSTM;
        int G = op == 0 ? 1 : op == 1 ? 3 : 4, per = op == 0 ? 1 : op == 1 ? 2 : 3;
        om_value *ins[8] = {x, in(g, dt, 3, D(2, G * 5, 4)), in(g, dt, 3, D(2, G * 5, 5)), in(g, dt, 2, D(2, 10 * G)),
                            in(g, OM_DT_INT32, 1, D(2)), in(g, dt, 3, D(2, 2, 5)), NULL, NULL};
        if (o == OM_OP_LSTM) {
            ins[6] = in(g, dt, 3, D(2, 2, 5));
            ins[7] = in(g, dt, 2, D(2, 15));
        }
        for (int k = 0; k < 11; k += per * 2) {
            om_value *outs[3] = {out(g, dt, 4, D(3, 2, 2, 5)), out(g, dt, 3, D(2, 2, 5)), NULL};
            if (o == OM_OP_LSTM)
                outs[2] = out(g, dt, 3, D(2, 2, 5));
            om_node *n = om_graph_add_node(g, o, NULL, ins, o == OM_OP_LSTM ? 8 : 6, outs, o == OM_OP_LSTM ? 3 : 2);
            assert_non_null(n);
            const char *a[6];
            for (int m = 0; m < per * 2; m++)
                a[m] = acts[(k + m) % 11];
            om_node_set_strings(g, n, "activations", a, per * 2);
            om_node_set_string(g, n, "direction", "bidirectional");
            om_node_set_int(g, n, "hidden_size", 5);
            om_node_set_float(g, n, "clip", 3.0f);
            om_node_set_int(g, n, "linear_before_reset", k & 1);
        }
    }
    om_value *s = in(g, dt, 3, D(2, 12, 2));
    om_node *n = om_graph_add_node(g, OM_OP_DFT, NULL, &s, 1, (om_value *[]){out(g, dt, 3, D(2, 12, 2))}, 1);
    om_node_set_int(g, n, "dft_length", 12);
    om_node_set_int(g, n, "inverse", 1);
    om_value *st[3] = {in(g, dt, 3, D(2, 40, 1)), scalar(g, OM_DT_INT64, 4), in(g, dt, 1, D(8))};
    n = om_graph_add_node(g, OM_OP_STFT, NULL, st, 3, (om_value *[]){out(g, dt, 4, D(2, 9, 5, 2))}, 1);
    om_node_set_int(g, n, "frame_step", 4);
    om_node_set_int(g, n, "frame_length", 8);
    om_node_set_int(g, n, "onesided", 1);
    n = om_graph_add_node(g, OM_OP_HANN_WINDOW, NULL, (om_value *[]){scalar(g, OM_DT_INT32, 10)}, 1,
                          (om_value *[]){out(g, dt, 1, D(10))}, 1);
    om_node_set_int(g, n, "output_datatype", dt);
    om_value *mel[5] = {scalar(g, OM_DT_INT32, 8), scalar(g, OM_DT_INT32, 16), scalar(g, OM_DT_INT32, 8192),
                        scalar(g, OM_DT_FLOAT, 0), scalar(g, OM_DT_FLOAT, 4096)};
    n = om_graph_add_node(g, OM_OP_MEL_WEIGHT_MATRIX, NULL, mel, 5, (om_value *[]){out(g, dt, 2, D(9, 8))}, 1);
    om_node_set_int(g, n, "output_datatype", dt);
}

static void add_tfidf(om_graph *g)
{
    static const int64_t pool[] = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7}, counts[] = {0, 4}, idx[] = {0, 1, 2, 3, 4, 5, 6};
    static const float w[7] = {1, 2, 3, 4, 5, 6, 7};
    om_node *n = om_graph_add_node(g, OM_OP_TF_IDF_VECTORIZER, NULL, (om_value *[]){in(g, OM_DT_INT32, 2, D(2, 12))}, 1,
                                   (om_value *[]){out(g, OM_DT_FLOAT, 2, D(2, 7))}, 1);
    om_node_set_ints(g, n, "pool_int64s", pool, 10);
    om_node_set_ints(g, n, "ngram_counts", counts, 2);
    om_node_set_ints(g, n, "ngram_indexes", idx, 7);
    om_node_set_int(g, n, "min_gram_length", 1);
    om_node_set_int(g, n, "max_gram_length", 2);
    om_node_set_int(g, n, "max_skip_count", 3);
    om_node_set_string(g, n, "mode", "TFIDF");
    om_node_set_floats(g, n, "weights", w, 7);
}

static void check(const om_cg_target_opts *t)
{
    om_graph *g = om_graph_create("seq");
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_FLOAT16, OM_DT_DOUBLE};
    for (int k = 0; k < 3; k++)
        add_dtype(g, dts[k]);
    add_tfidf(g);
    cg_jit_assert_no_libcalls(g, t, "seq");
    om_graph_destroy(g);
}

static void test_host(void **state) { check(NULL); }

static void test_baseline_x86(void **state)
{
    om_cg_target_opts t = {"x86_64-unknown-linux-gnu", "x86-64", "", 3};
    check(&t);
}

static void test_aarch64(void **state)
{
    om_cg_target_opts t = {"aarch64-linux-gnu", NULL, NULL, 3};
    check(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host),
        cmocka_unit_test(test_baseline_x86),
        cmocka_unit_test(test_aarch64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
