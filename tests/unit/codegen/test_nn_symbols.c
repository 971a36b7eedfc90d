/* The nn-group kernels call nothing but memcpy/memmove/memset: their rounding (floor,
 * round-half-even) and saturation are libcall-free on the host, on a baseline x86-64 CPU
 * (no SSE4.1: llvm.floor/llvm.roundeven would become floorf/roundevenf calls there) and on
 * aarch64. One graph holds every nn op in the dtypes the suite uses. */
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

static om_node *node(om_graph *g, om_op op, const char *name, om_value *const *in, int nin, om_value *y)
{
    om_node *n = om_graph_add_node(g, op, name, in, nin, &y, 1);
    assert_non_null(n);
    return n;
}

static om_graph *nn_graph(om_dtype ft)
{
    om_graph *g = om_graph_create("nn");
    om_value *x = cg_input(g, "x", ft, 4, D(1, 2, 4, 4));
    om_value *xf = cg_input(g, "xf", OM_DT_FLOAT, 4, D(1, 2, 4, 4));
    om_value *u8 = cg_input(g, "u8", OM_DT_UINT8, 4, D(1, 2, 4, 4));
    om_value *w8 = cg_input(g, "w8", OM_DT_INT8, 4, D(3, 2, 3, 3));
    om_value *a8 = cg_input(g, "a8", OM_DT_UINT8, 2, D(4, 3)), *b8 = cg_input(g, "b8", OM_DT_INT8, 2, D(3, 5));
    om_value *sc = cg_input(g, "sc", OM_DT_FLOAT, 0, NULL), *zp = cg_input(g, "zp", OM_DT_UINT8, 0, NULL);
    om_value *zpi = cg_input(g, "zpi", OM_DT_INT8, 0, NULL);
    float scales[4] = {1, 1, 1.5f, 2.5f};
    om_value *vs = om_graph_add_constant(g, "scales", OM_DT_FLOAT, &(om_shape){1, {4}}, scales, sizeof scales);
    const char *modes[3] = {"nearest", "linear", "cubic"};
    for (int m = 0; m < 3; m++) {
        char nm[32];
        snprintf(nm, sizeof nm, "resize_%s", modes[m]);
        om_value *in[3] = {x, NULL, vs};
        om_node *n = node(g, OM_OP_RESIZE, nm, in, 3, out(g, nm, ft, 4, D(1, 2, 6, 10)));
        om_node_set_string(g, n, "mode", modes[m]);
    }
    om_value *wt = cg_input(g, "wt", ft, 4, D(2, 3, 3, 3));
    om_node *ct = node(g, OM_OP_CONV_TRANSPOSE, "convt", (om_value *[]){x, wt}, 2, out(g, "convt", ft, 4, D(1, 3, 9, 9)));
    om_node_set_ints(g, ct, "strides", D(2, 2), 2);
    om_node_set_ints(g, ct, "pads", D(0, 0, 0, 0), 4);
    om_value *grid = cg_input(g, "grid", ft, 4, D(1, 3, 5, 2));
    const char *gm[3] = {"nearest", "bilinear", "bicubic"}, *gp[3] = {"zeros", "border", "reflection"};
    for (int m = 0; m < 3; m++) {
        char nm[32];
        snprintf(nm, sizeof nm, "grid_%d", m);
        om_node *n = node(g, OM_OP_GRID_SAMPLE, nm, (om_value *[]){x, grid}, 2, out(g, nm, ft, 4, D(1, 2, 3, 5)));
        om_node_set_string(g, n, "mode", gm[m]);
        om_node_set_string(g, n, "padding_mode", gp[m]);
    }
    node(g, OM_OP_QUANTIZE_LINEAR, "q", (om_value *[]){xf, sc, zpi}, 3, out(g, "q", OM_DT_INT8, 4, D(1, 2, 4, 4)));
    node(g, OM_OP_DEQUANTIZE_LINEAR, "dq", (om_value *[]){u8, sc, zp}, 3, out(g, "dq", OM_DT_FLOAT, 4, D(1, 2, 4, 4)));
    om_value *dqo[3] = {cg_value(g, "dyq", OM_DT_UINT8, 4, D(1, 2, 4, 4)), cg_value(g, "dys", OM_DT_FLOAT, 0, NULL),
                        cg_value(g, "dyz", OM_DT_UINT8, 0, NULL)};
    assert_non_null(om_graph_add_node(g, OM_OP_DYNAMIC_QUANTIZE_LINEAR, "dyn", &xf, 1, dqo, 3));
    for (int i = 0; i < 3; i++) assert_int_equal(om_graph_add_output(g, dqo[i]), OM_OK);
    node(g, OM_OP_MATMUL_INTEGER, "mmi", (om_value *[]){a8, b8, zp, zpi}, 4, out(g, "mmi", OM_DT_INT32, 2, D(4, 5)));
    node(g, OM_OP_QLINEAR_MATMUL, "qmm", (om_value *[]){a8, sc, zp, b8, sc, zpi, sc, zp}, 8,
         out(g, "qmm", OM_DT_UINT8, 2, D(4, 5)));
    om_node *ci = node(g, OM_OP_CONV_INTEGER, "convi", (om_value *[]){u8, w8, zp, zpi}, 4,
                       out(g, "convi", OM_DT_INT32, 4, D(1, 3, 4, 4)));
    om_node_set_ints(g, ci, "pads", D(1, 1, 1, 1), 4);
    om_node *qc = node(g, OM_OP_QLINEAR_CONV, "qconv", (om_value *[]){u8, sc, zp, w8, sc, zpi, sc, zp}, 8,
                       out(g, "qconv", OM_DT_UINT8, 4, D(1, 3, 2, 2)));
    (void)qc;
    om_value *idx = cg_input(g, "idx", OM_DT_INT64, 4, D(1, 2, 4, 4));
    om_node *mu = node(g, OM_OP_MAX_UNPOOL, "unpool", (om_value *[]){x, idx}, 2, out(g, "unpool", ft, 4, D(1, 2, 8, 8)));
    om_node_set_ints(g, mu, "kernel_shape", D(2, 2), 2);
    om_node_set_ints(g, mu, "strides", D(2, 2), 2);
    om_value *rois = cg_input(g, "rois", ft, 2, D(3, 4)), *bi = cg_input(g, "bi", OM_DT_INT64, 1, D(3));
    for (int m = 0; m < 2; m++) {
        char nm[32];
        snprintf(nm, sizeof nm, "roi_%d", m);
        om_node *n = node(g, OM_OP_ROI_ALIGN, nm, (om_value *[]){x, rois, bi}, 3, out(g, nm, ft, 4, D(3, 2, 2, 2)));
        om_node_set_int(g, n, "output_height", 2);
        om_node_set_int(g, n, "output_width", 2);
        om_node_set_string(g, n, "mode", m ? "max" : "avg");
    }
    om_node *lp = node(g, OM_OP_LP_POOL, "lp", &x, 1, out(g, "lp", ft, 4, D(1, 2, 2, 2)));
    om_node_set_ints(g, lp, "kernel_shape", D(2, 2), 2);
    om_node_set_ints(g, lp, "strides", D(2, 2), 2);
    om_value *boxes = om_graph_add_constant(g, "boxes", OM_DT_FLOAT, &(om_shape){3, {1, 1, 4}}, (float[]){0, 0, 1, 1}, 16);
    om_value *scores = om_graph_add_constant(g, "scores", OM_DT_FLOAT, &(om_shape){3, {1, 1, 1}}, (float[]){1}, 4);
    om_node *nms = node(g, OM_OP_NON_MAX_SUPPRESSION, "nms", (om_value *[]){boxes, scores}, 2,
                        out(g, "nms", OM_DT_INT64, 2, D(1, 3)));
    om_node_set_ints(g, nms, "om_selected", D(0, 0, 0), 3);
    return g;
}

static void check(const om_cg_target_opts *t, om_dtype ft)
{
    om_graph *g = nn_graph(ft);
    cg_jit_assert_no_libcalls(g, t, om_dtype_name(ft));
    om_graph_destroy(g);
}

static void test_host(void **state)
{
    check(NULL, OM_DT_FLOAT);
    check(NULL, OM_DT_FLOAT16);
}

static void test_baseline_x86(void **state)
{
    om_cg_target_opts t = {"x86_64-unknown-linux-gnu", "x86-64", "", 3};
    check(&t, OM_DT_FLOAT);
    check(&t, OM_DT_FLOAT16);
    check(&t, OM_DT_DOUBLE);
}

static void test_aarch64(void **state)
{
    om_cg_target_opts t = {"aarch64-linux-gnu", NULL, NULL, 3};
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
