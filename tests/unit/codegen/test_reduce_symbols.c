/* The reduce-group kernels call nothing but memcpy/memmove/memset — exp/log polynomials,
 * llvm.sqrt/llvm.fabs, 64-bit integer division, wide vectors — on the host, on a baseline
 * x86-64 CPU and on aarch64. One graph holds every op of the group (both loop shapes of
 * Reduce*, the vector and blocked ArgMax paths, a run-time CumSum axis, both Einsum paths)
 * in float, f16, f64 and integer dtypes. */
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

static om_value *i64c(om_graph *g, int n, const int64_t *v)
{
    char name[32];
    snprintf(name, sizeof name, "c%d", n_vals++);
    int64_t dn = n;
    om_value *c = om_graph_add_constant(g, name, OM_DT_INT64, &(om_shape){1, {dn}}, v, (size_t)n * 8);
    assert_non_null(c);
    return c;
}

static void add(om_graph *g, om_op op, om_value *const *in, int nin, om_value *const *outs, int nout)
{
    assert_non_null(om_graph_add_node(g, op, NULL, in, nin, outs, nout));
}

static void add_dtype(om_graph *g, om_dtype dt)
{
    char name[32];
    snprintf(name, sizeof name, "x%d", n_vals++);
    om_value *x = cg_input(g, name, dt, 3, D(4, 6, 40));
    bool fl = om_dtype_is_float(dt);
    static const om_op ops[] = {OM_OP_REDUCE_SUM, OM_OP_REDUCE_MEAN, OM_OP_REDUCE_MAX, OM_OP_REDUCE_MIN,
                                OM_OP_REDUCE_PROD, OM_OP_REDUCE_L1, OM_OP_REDUCE_L2, OM_OP_REDUCE_LOG_SUM,
                                OM_OP_REDUCE_LOG_SUM_EXP, OM_OP_REDUCE_SUM_SQUARE};
    for (int o = 0; o < 10; o++) {
        if (!fl && (ops[o] == OM_OP_REDUCE_L2 || ops[o] == OM_OP_REDUCE_LOG_SUM || ops[o] == OM_OP_REDUCE_LOG_SUM_EXP))
            continue;
        om_value *inner[2] = {x, i64c(g, 1, D(2))}, *mid[2] = {x, i64c(g, 1, D(1))};
        add(g, ops[o], inner, 2, (om_value *[]){out(g, dt, 3, D(4, 6, 1))}, 1);  /* contiguous: vector path */
        add(g, ops[o], mid, 2, (om_value *[]){out(g, dt, 3, D(4, 1, 40))}, 1);   /* rows */
    }
    add(g, OM_OP_ARG_MAX, &x, 1, (om_value *[]){out(g, OM_DT_INT64, 3, D(1, 6, 40))}, 1);
    om_node *am = g->nodes[g->n_nodes - 1];
    om_node_set_int(g, am, "axis", 0);
    add(g, OM_OP_ARG_MIN, &x, 1, (om_value *[]){out(g, OM_DT_INT64, 3, D(4, 6, 1))}, 1);
    om_node_set_int(g, g->nodes[g->n_nodes - 1], "axis", 2);
    om_node_set_int(g, g->nodes[g->n_nodes - 1], "select_last_index", 1);
    om_value *tk[2] = {out(g, dt, 3, D(4, 6, 3)), out(g, OM_DT_INT64, 3, D(4, 6, 3))};
    add(g, OM_OP_TOP_K, (om_value *[]){x, i64c(g, 1, D(3))}, 2, tk, 2);
    snprintf(name, sizeof name, "ax%d", n_vals++);
    om_value *ax = cg_input(g, name, OM_DT_INT32, 0, NULL);
    add(g, OM_OP_CUM_SUM, (om_value *[]){x, ax}, 2, (om_value *[]){out(g, dt, 3, D(4, 6, 40))}, 1);
    om_node_set_int(g, g->nodes[g->n_nodes - 1], "reverse", 1);
    add(g, OM_OP_EINSUM, (om_value *[]){x, x}, 2, (om_value *[]){out(g, dt, 3, D(4, 6, 6))}, 1);
    om_node_set_string(g, g->nodes[g->n_nodes - 1], "equation", "bik,bjk->bij");
    add(g, OM_OP_EINSUM, (om_value *[]){x}, 1, (om_value *[]){out(g, dt, 2, D(4, 40))}, 1);
    om_node_set_string(g, g->nodes[g->n_nodes - 1], "equation", "bik->bk");
    if (fl) {
        snprintf(name, sizeof name, "m%d", n_vals++);
        om_value *m = cg_input(g, name, dt, 3, D(2, 5, 5));
        add(g, OM_OP_DET, &m, 1, (om_value *[]){out(g, dt, 1, D(2))}, 1);
    }
}

static void check(const om_cg_target_opts *t)
{
    om_graph *g = om_graph_create("reduce");
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_FLOAT16, OM_DT_DOUBLE, OM_DT_INT32, OM_DT_INT64, OM_DT_INT8};
    for (int k = 0; k < 6; k++)
        add_dtype(g, dts[k]);
    cg_jit_assert_no_libcalls(g, t, "reduce");
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
