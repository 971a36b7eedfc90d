/* The FusedElementwise kernel (codegen/kernels/fused_elementwise.c) against a C reference:
 * a broadcast tree exp(clip((x + b) * sigmoid(y), 0, 6)) with b [3,1] against [2,3,4], a
 * math_unary op (Sqrt of Abs) and a Div with a scalar input, chunked runs
 * (cg_jit_run_checked); an unknown op, a forward reference and a non-elementwise op are
 * refused with messages naming them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static om_node *fused(om_graph *g, om_value **ins, int nin, om_value *y, const char **ops, int nops,
                      const int64_t *args, const float *al, const float *be)
{
    om_node *n = om_graph_add_node(g, OM_OP_FUSED_ELEMENTWISE, "fe", ins, nin, &y, 1);
    assert_non_null(n);
    assert_int_equal(om_node_set_strings(g, n, "ops", ops, nops), OM_OK);
    assert_int_equal(om_node_set_ints(g, n, "args", args, 2 * nops), OM_OK);
    if (al)
        assert_int_equal(om_node_set_floats(g, n, "alphas", al, nops), OM_OK);
    if (be)
        assert_int_equal(om_node_set_floats(g, n, "betas", be, nops), OM_OK);
    om_graph_add_output(g, y);
    return n;
}

static void test_tree_broadcast(void **state)
{
    (void)state;
    int64_t dx[3] = {2, 3, 4}, db[2] = {3, 1};
    om_graph *g = om_graph_create("fe");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 3, dx), *b = cg_input(g, "b", OM_DT_FLOAT, 2, db);
    om_value *y = cg_input(g, "y", OM_DT_FLOAT, 3, dx), *z = cg_value(g, "z", OM_DT_FLOAT, 3, dx);
    om_value *ins[3] = {x, b, y};
    const char *ops[5] = {"Add", "Sigmoid", "Mul", "Clip", "Exp"};
    int64_t args[10] = {0, 1, 2, -1, 3, 4, 5, -1, 6, -1};
    float al[5] = {-INFINITY, -INFINITY, -INFINITY, 0.0f, -INFINITY};
    float be[5] = {INFINITY, INFINITY, INFINITY, 1.5f, INFINITY};
    fused(g, ins, 3, z, ops, 5, args, al, be);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *px = cg_jit_buf(j, x), *pb = cg_jit_buf(j, b), *py = cg_jit_buf(j, y);
    cg_fill_random(OM_DT_FLOAT, px, 24, -3, 3);
    cg_fill_random(OM_DT_FLOAT, pb, 3, -1, 1);
    cg_fill_random(OM_DT_FLOAT, py, 24, -4, 4);
    cg_jit_run_checked(j);
    const float *pz = cg_jit_buf(j, z);
    int clipped = 0;
    for (int i = 0; i < 24; i++) {
        int c = (i / 4) % 3;
        double m = ((double)px[i] + pb[c]) / (1 + exp(-(double)py[i]));
        double cl = m < 0 ? 0 : m > 1.5 ? 1.5 : m;
        clipped += m < 0 || m > 1.5;
        double want = exp(cl);
        if (fabs(pz[i] - want) > 1e-5 * fabs(want) + 1e-6)
            fail_msg("z[%d] = %.9g, want %.9g", i, pz[i], want);
    }
    assert_true(clipped > 0); /* the data exercises the bounds */
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_math_unary_and_scalar(void **state)
{
    (void)state;
    int64_t dx[1] = {37}, ds[1] = {1};
    om_graph *g = om_graph_create("fe");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, dx), *s = cg_input(g, "s", OM_DT_FLOAT, 1, ds);
    om_value *z = cg_value(g, "z", OM_DT_FLOAT, 1, dx);
    om_value *ins[2] = {x, s};
    const char *ops[3] = {"Abs", "Sqrt", "Div"};
    int64_t args[6] = {0, -1, 2, -1, 3, 1};
    fused(g, ins, 2, z, ops, 3, args, NULL, NULL);
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *px = cg_jit_buf(j, x), *ps = cg_jit_buf(j, s);
    cg_fill_random(OM_DT_FLOAT, px, 37, -9, 9);
    ps[0] = 4.0f;
    cg_jit_run_checked(j);
    const float *pz = cg_jit_buf(j, z);
    for (int i = 0; i < 37; i++) {
        double want = sqrt(fabs((double)px[i])) / 4.0;
        if (fabs(pz[i] - want) > 1e-6 * fabs(want) + 1e-7)
            fail_msg("z[%d] = %.9g, want %.9g", i, pz[i], want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void refused(const char *op0, int64_t arg0, const char *needle)
{
    int64_t dx[1] = {4};
    om_graph *g = om_graph_create("bad");
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, dx), *z = cg_value(g, "z", OM_DT_FLOAT, 1, dx);
    const char *ops[2] = {op0, "Relu"};
    int64_t args[4] = {arg0, -1, 1, -1};
    fused(g, &x, 1, z, ops, 2, args, NULL, NULL);
    cg_jit *j = NULL;
    assert_int_not_equal(cg_jit_create(g, NULL, &j), OM_OK);
    if (!strstr(om_last_error(), needle))
        fail_msg("message '%s' does not name '%s'", om_last_error(), needle);
    om_graph_destroy(g);
}

static void test_refused(void **state)
{
    (void)state;
    refused("Frobnicate", 0, "Frobnicate");
    refused("Neg", 1, "operand 0 is 1");
    refused("Transpose", 0, "Transpose");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_broadcast),
        cmocka_unit_test(test_math_unary_and_scalar),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
