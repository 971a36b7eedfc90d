/* The norm group's kernels (softmax family, moments_norm incl. BatchNormalization training,
 * LRN, losses) call nothing but memcpy/memmove/memset, for every float dtype (f32, f64,
 * f16, bf16) on the host, the baseline x86-64 CPU (no F16C, no AVX512-BF16: 16-bit floats
 * are converted in software) and aarch64. A bf16 max/select that LLVM narrows into bf16
 * becomes a __truncsfbf2 call on baseline x86-64; this test catches that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static om_node *add(om_graph *g, om_op op, om_value *const *ins, int n_in, om_value *const *outs, int n_out)
{
    om_node *n = om_graph_add_node(g, op, NULL, ins, n_in, outs, n_out);
    assert_non_null(n);
    for (int o = 0; o < n_out; o++)
        assert_int_equal(om_graph_add_output(g, outs[o]), OM_OK);
    return n;
}

/* One graph with every kernel of the group on dtype dt. */
static om_graph *all_norm_graph(om_dtype dt)
{
    om_graph *g = om_graph_create("norm");
    int64_t d2[2] = {4, 33}, d3[3] = {3, 5, 4}, d4[4] = {2, 7, 4, 5}, c5 = 5, c7 = 7, t2[2] = {3, 4};
    int64_t m2[2] = {4, 1};
    om_value *x2 = cg_input(g, "x2", dt, 2, d2), *x3 = cg_input(g, "x3", dt, 3, d3), *x4 = cg_input(g, "x4", dt, 4, d4);
    static const om_op sm[3] = {OM_OP_SOFTMAX, OM_OP_LOG_SOFTMAX, OM_OP_HARDMAX};
    for (int i = 0; i < 3; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "sm%d", i);
        om_value *y = cg_value(g, nm, dt, 2, d2);
        add(g, sm[i], &x2, 1, &y, 1);
        snprintf(nm, sizeof nm, "smb%d", i);
        om_value *yb = cg_value(g, nm, dt, 4, d4);
        om_node *n = add(g, sm[i], &x4, 1, &yb, 1);
        assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);   /* blocked path */
    }
    om_value *s33 = cg_input(g, "s33", dt, 1, &d2[1]), *s7 = cg_input(g, "s7", dt, 1, &c7);
    om_value *ln[3] = {cg_value(g, "ln", dt, 2, d2), cg_value(g, "lnm", OM_DT_FLOAT, 2, m2),
                       cg_value(g, "lni", OM_DT_FLOAT, 2, m2)};
    add(g, OM_OP_LAYER_NORMALIZATION, (om_value *[]){x2, s33, s33}, 3, ln, 3);
    om_value *in = cg_value(g, "in", dt, 4, d4);
    add(g, OM_OP_INSTANCE_NORMALIZATION, (om_value *[]){x4, s7, s7}, 3, &in, 1);
    om_value *mvn = cg_value(g, "mvn", dt, 4, d4);
    add(g, OM_OP_MEAN_VARIANCE_NORMALIZATION, &x4, 1, &mvn, 1);
    om_value *bn[3] = {cg_value(g, "bn", dt, 4, d4), cg_value(g, "bnm", dt, 1, &c7), cg_value(g, "bnv", dt, 1, &c7)};
    om_node *b = add(g, OM_OP_BATCH_NORMALIZATION, (om_value *[]){x4, s7, s7, s7, s7}, 5, bn, 3);
    assert_int_equal(om_node_set_int(g, b, "training_mode", 1), OM_OK);
    om_value *bi = cg_value(g, "bni", dt, 4, d4);
    add(g, OM_OP_BATCH_NORMALIZATION, (om_value *[]){x4, s7, s7, s7, s7}, 5, &bi, 1);
    om_value *lrn[2] = {cg_value(g, "lrn", dt, 4, d4), cg_value(g, "lrn2", dt, 4, d4)};
    om_node *l1 = add(g, OM_OP_LRN, &x4, 1, &lrn[0], 1);
    assert_int_equal(om_node_set_int(g, l1, "size", 3), OM_OK);
    om_node *l2 = add(g, OM_OP_LRN, &x4, 1, &lrn[1], 1);
    assert_int_equal(om_node_set_int(g, l2, "size", 40), OM_OK);   /* runtime window loop */
    assert_int_equal(om_node_set_float(g, l2, "beta", 0.3f), OM_OK);  /* exp/log */
    om_value *t = cg_input(g, "t", OM_DT_INT64, 2, t2), *w = cg_input(g, "w", dt, 1, &c5);
    om_value *sce[2] = {cg_value(g, "sce", dt, 0, NULL), cg_value(g, "scelp", dt, 3, d3)};
    add(g, OM_OP_SOFTMAX_CROSS_ENTROPY_LOSS, (om_value *[]){x3, t, w}, 3, sce, 2);
    om_value *nll = cg_value(g, "nll", dt, 2, t2);
    om_node *nn = add(g, OM_OP_NEGATIVE_LOG_LIKELIHOOD_LOSS, (om_value *[]){x3, t}, 2, &nll, 1);
    assert_int_equal(om_node_set_string(g, nn, "reduction", "none"), OM_OK);
    return g;
}

static void test_no_libcalls(void **state)
{
    (void)state;
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16};
    for (size_t d = 0; d < 4; d++)
        for (size_t t = 0; t < 3; t++) {
            om_graph *g = all_norm_graph(dts[d]);
            cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], om_dtype_name(dts[d]));
            om_graph_destroy(g);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
