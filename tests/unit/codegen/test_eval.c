/* Compile-time evaluation (codegen/eval.c): om_cg_eval_node and an evaluator reused across
 * calls compute Add and Transpose of constants into caller buffers, like the plain C
 * reference; a node with a non-constant input is refused; 200 evaluations stay fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "codegen/codegen.h"
#include "tests/unit/codegen/cg_jit.h"

static om_value *const_f32(om_graph *g, const char *name, int rank, const int64_t *dims, const float *data)
{
    om_shape s = om_shape_make(rank, dims);
    om_value *v = om_graph_add_constant(g, name, OM_DT_FLOAT, &s, data, (size_t)om_shape_numel(&s) * sizeof(float));
    assert_non_null(v);
    return v;
}

static void *out_buf(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    assert_non_null(p);
    memset(p, 0xA5, (bytes + 63) / 64 * 64 + 64);
    return p;
}

static void test_add(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("eval_add");
    float a[6], b[3];
    for (int i = 0; i < 6; i++)
        a[i] = (float)i * 1.5f - 2.0f;
    for (int i = 0; i < 3; i++)
        b[i] = (float)(10 * (i + 1));
    om_value *va = const_f32(g, "a", 2, (int64_t[]){2, 3}, a);
    om_value *vb = const_f32(g, "b", 1, (int64_t[]){3}, b);
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 2, (int64_t[]){2, 3});
    om_node *n = om_graph_add_node(g, OM_OP_ADD, "add", (om_value *[]){va, vb}, 2, &y, 1);
    assert_non_null(n);
    float *out = out_buf(6 * sizeof(float));
    void *outs[1] = {out};
    if (om_cg_eval_node(g, n, outs) != OM_OK)
        fail_msg("%s", om_last_error());
    for (int i = 0; i < 6; i++)
        assert_float_equal(out[i], a[i] + b[i % 3], 0);
    free(out);
    om_graph_destroy(g);
}

static void test_transpose_i64_reused_evaluator(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("eval_transpose");
    int64_t x[24];
    for (int i = 0; i < 24; i++)
        x[i] = 1000 + i;
    om_shape s = om_shape_make(3, (int64_t[]){2, 3, 4});
    om_value *vx = om_graph_add_constant(g, "x", OM_DT_INT64, &s, x, sizeof x);
    assert_non_null(vx);
    om_value *y = cg_value(g, "y", OM_DT_INT64, 3, (int64_t[]){4, 2, 3});
    om_node *n = om_graph_add_node(g, OM_OP_TRANSPOSE, "t", &vx, 1, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_ints(g, n, "perm", (int64_t[]){2, 0, 1}, 3), OM_OK);
    om_cg_evaluator *e = NULL;
    assert_int_equal(om_cg_evaluator_create(&e), OM_OK);
    for (int rep = 0; rep < 3; rep++) {   /* same symbol each time: code is unloaded after a call */
        int64_t *out = out_buf(sizeof x);
        void *outs[1] = {out};
        if (om_cg_evaluator_run(e, g, n, outs) != OM_OK)
            fail_msg("%s", om_last_error());
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 3; j++)
                    assert_int_equal(out[(k * 2 + i) * 3 + j], x[(i * 3 + j) * 4 + k]);
        free(out);
    }
    om_cg_evaluator_destroy(e);
    om_graph_destroy(g);
}

static void test_non_constant_input_refused(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("eval_bad");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, (int64_t[]){4});
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, 1, (int64_t[]){4});
    om_node *n = om_graph_add_node(g, OM_OP_RELU, "relu", &x, 1, &y, 1);
    float out[4];
    void *outs[1] = {out};
    assert_int_equal(om_cg_eval_node(g, n, outs), OM_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(om_last_error(), "input 0 'x' is not a constant"));
    om_graph_destroy(g);
}

static void test_two_hundred_calls_are_fast(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("eval_many");
    int64_t a[4] = {1, 2, 3, 4};
    om_shape s = om_shape_make(1, (int64_t[]){4});
    om_value *va = om_graph_add_constant(g, "a", OM_DT_INT64, &s, a, sizeof a);
    om_value *y = cg_value(g, "y", OM_DT_INT64, 1, (int64_t[]){4});
    om_node *n = om_graph_add_node(g, OM_OP_MUL, "mul", (om_value *[]){va, va}, 2, &y, 1);
    om_cg_evaluator *e = NULL;
    assert_int_equal(om_cg_evaluator_create(&e), OM_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int rep = 0; rep < 200; rep++) {
        int64_t out[4 + 8];
        void *outs[1] = {out};
        assert_int_equal(om_cg_evaluator_run(e, g, n, outs), OM_OK);
        assert_int_equal(out[3], 16);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    print_message("200 evaluations: %.3f s\n", sec);
    /* generous bound for debug/sanitizer builds on a shared machine */
    if (sec > 20.0)
        fail_msg("200 evaluations took %.1f s", sec);
    om_cg_evaluator_destroy(e);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_transpose_i64_reused_evaluator),
        cmocka_unit_test(test_non_constant_input_refused),
        cmocka_unit_test(test_two_hundred_calls_are_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
