/* The tensor-group kernels call nothing but memcpy/memmove/memset: index arithmetic,
 * f16/bf16 conversions (Pad's converted constant value, Scatter reductions, Range) and
 * float-to-int index conversions (OneHot) stay libcall-free on the host, on a baseline
 * x86-64 CPU and on aarch64. One graph holds every tensor kernel family. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

#define D(...) ((const int64_t[]){__VA_ARGS__})

static om_value *out(om_graph *g, const char *name, om_dtype dt, int r, const int64_t *d)
{
    om_value *v = cg_value(g, name, dt, r, d);
    assert_int_equal(om_graph_add_output(g, v), OM_OK);
    return v;
}

static om_value *ci(om_graph *g, const char *name, int n, const int64_t *vals)
{
    int64_t d = n;
    om_shape s = om_shape_make(1, &d);
    return om_graph_add_constant(g, name, OM_DT_INT64, &s, vals, (size_t)n * 8);
}

static om_node *node(om_graph *g, om_op op, om_value **ins, int n_in, om_value *y)
{
    om_node *n = om_graph_add_node(g, op, om_op_name(op), ins, n_in, &y, 1);
    assert_non_null(n);
    return n;
}

static om_graph *build(om_dtype ft)
{
    om_graph *g = om_graph_create("t");
    om_value *x = cg_input(g, "x", ft, 4, D(2, 8, 4, 6));
    om_value *i64 = cg_input(g, "i", OM_DT_INT64, 1, D(3));
    om_value *k = cg_input(g, "k", OM_DT_INT64, 0, NULL);
    om_value *in[5];
    in[0] = x, in[1] = ci(g, "shape", 5, D(3, 2, 8, 4, 6));
    node(g, OM_OP_EXPAND, in, 2, out(g, "expand", ft, 5, D(3, 2, 8, 4, 6)));
    in[1] = ci(g, "reps", 4, D(1, 2, 1, 3));
    node(g, OM_OP_TILE, in, 2, out(g, "tile", ft, 4, D(2, 16, 4, 18)));
    in[1] = ci(g, "st", 2, D(-1, 1)), in[2] = ci(g, "en", 2, D(INT64_MIN, 5)), in[3] = ci(g, "ax", 2, D(1, 3));
    in[4] = ci(g, "sp", 2, D(-2, 2));
    node(g, OM_OP_SLICE, in, 5, out(g, "slice", ft, 4, D(2, 4, 4, 2)));
    om_node *d2s = node(g, OM_OP_DEPTH_TO_SPACE, in, 1, out(g, "d2s", ft, 4, D(2, 2, 8, 12)));
    om_node_set_int(g, d2s, "blocksize", 2);
    om_node *s2d = node(g, OM_OP_SPACE_TO_DEPTH, in, 1, out(g, "s2d", ft, 4, D(2, 32, 2, 3)));
    om_node_set_int(g, s2d, "blocksize", 2);
    float cv = 1.5f;
    om_shape sc = om_shape_scalar();
    in[1] = ci(g, "pads", 8, D(0, 1, 2, 3, 0, 1, 2, 3));
    in[2] = om_graph_add_constant(g, "cv", OM_DT_FLOAT, &sc, &cv, 4);
    node(g, OM_OP_PAD, in, 3, out(g, "pad", ft, 4, D(2, 10, 8, 12)));
    om_node *pr = node(g, OM_OP_PAD, in, 2, out(g, "padr", ft, 4, D(2, 10, 8, 12)));
    om_node_set_string(g, pr, "mode", "reflect");
    in[1] = i64;
    om_node *ga = node(g, OM_OP_GATHER, in, 2, out(g, "gather", ft, 4, D(2, 3, 4, 6)));
    om_node_set_int(g, ga, "axis", 1);
    uint8_t cond[4] = {1, 0, 1, 1};
    om_shape cs = om_shape_make(1, D(4));
    in[1] = om_graph_add_constant(g, "cond", OM_DT_BOOL, &cs, cond, 4);
    om_node *co = node(g, OM_OP_COMPRESS, in, 2, out(g, "compress", ft, 4, D(2, 8, 3, 6)));
    om_node_set_int(g, co, "axis", 2);
    om_value *ie = cg_input(g, "ie", OM_DT_INT32, 4, D(2, 8, 4, 6));
    in[1] = ie;
    node(g, OM_OP_GATHER_ELEMENTS, in, 2, out(g, "ge", ft, 4, D(2, 8, 4, 6)));
    in[2] = cg_input(g, "upd", ft, 4, D(2, 8, 4, 6));
    om_node *se = node(g, OM_OP_SCATTER_ELEMENTS, in, 3, out(g, "se", ft, 4, D(2, 8, 4, 6)));
    om_node_set_string(g, se, "reduction", "mul");
    om_value *ind = cg_input(g, "ind", OM_DT_INT64, 2, D(5, 2));
    in[1] = ind;
    node(g, OM_OP_GATHER_ND, in, 2, out(g, "gnd", ft, 3, D(5, 4, 6)));
    in[2] = cg_input(g, "updnd", ft, 3, D(5, 4, 6));
    om_node *snd = node(g, OM_OP_SCATTER_ND, in, 3, out(g, "snd", ft, 4, D(2, 8, 4, 6)));
    om_node_set_string(g, snd, "reduction", "max");
    in[1] = cg_input(g, "lens", OM_DT_INT64, 1, D(8));
    node(g, OM_OP_REVERSE_SEQUENCE, in, 2, out(g, "rs", ft, 4, D(2, 8, 4, 6)));
    in[1] = k;
    node(g, OM_OP_TRILU, in, 2, out(g, "trilu", ft, 4, D(2, 8, 4, 6)));
    node(g, OM_OP_SHAPE, in, 1, out(g, "shape_out", OM_DT_INT64, 1, D(4)));
    om_value *r[3] = {cg_input(g, "r0", ft, 0, NULL), cg_input(g, "r1", ft, 0, NULL), cg_input(g, "r2", ft, 0, NULL)};
    node(g, OM_OP_RANGE, r, 3, out(g, "range", ft, 1, D(17)));
    om_value *fi = cg_input(g, "fi", ft, 2, D(3, 4));
    om_value *oh[3] = {fi, om_graph_add_constant(g, "depth", OM_DT_FLOAT, &sc, &cv, 4), cg_input(g, "vals", ft, 1, D(2))};
    node(g, OM_OP_ONE_HOT, oh, 3, out(g, "onehot", ft, 3, D(3, 4, 1)));
    om_node *eye = node(g, OM_OP_EYE_LIKE, &fi, 1, out(g, "eye", ft, 2, D(3, 4)));
    om_node_set_int(g, eye, "k", 1);
    in[0] = ci(g, "cshape", 2, D(3, 5));
    om_node *cos = node(g, OM_OP_CONSTANT_OF_SHAPE, in, 1, out(g, "cos", OM_DT_FLOAT, 2, D(3, 5)));
    om_node_set_float(g, cos, "unused", 0);
    om_value *sp[2] = {out(g, "s0", ft, 4, D(2, 3, 4, 6)), out(g, "s1", ft, 4, D(2, 5, 4, 6))};
    in[0] = x, in[1] = ci(g, "split", 2, D(3, 5));
    om_node *spn = om_graph_add_node(g, OM_OP_SPLIT, "split", in, 2, sp, 2);
    om_node_set_int(g, spn, "axis", 1);
    return g;
}

static void check(const om_cg_target_opts *t, om_dtype ft)
{
    om_graph *g = build(ft);
    cg_jit_assert_no_libcalls(g, t, om_dtype_name(ft));
    om_graph_destroy(g);
}

static void test_host(void **state)
{
    (void)state;
    check(NULL, OM_DT_FLOAT);
    check(NULL, OM_DT_FLOAT16);
    check(NULL, OM_DT_DOUBLE);
}

static void test_baseline_x86(void **state)
{
    (void)state;
    om_cg_target_opts t = {"x86_64-unknown-linux-gnu", "x86-64", "", 3};
    check(&t, OM_DT_FLOAT16);
    check(&t, OM_DT_BFLOAT16);
    check(&t, OM_DT_DOUBLE);
}

static void test_aarch64(void **state)
{
    (void)state;
    om_cg_target_opts t = {"aarch64-linux-gnu", NULL, NULL, 3};
    check(&t, OM_DT_FLOAT16);
    check(&t, OM_DT_FLOAT);
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
