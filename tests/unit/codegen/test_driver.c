/* The codegen driver: object code has no undefined symbols besides memcpy/memmove/memset
 * (host, generic x86-64 and aarch64), cross-target compilation, required_cpu derivation,
 * step symbols/args/work items, LLVM IR emission, and errors for bad graphs/options. */
#include <elf.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/cg_target.h"
#include "tests/unit/codegen/cg_jit.h"

/* A graph using every kernel family of this test's owner, in several dtypes. */
static om_graph *all_ops_graph(void)
{
    om_graph *g = om_graph_create("all");
    int64_t d4[4] = {2, 3, 4, 5}, d1[1] = {3}, d2[2] = {2, 60}, dt4[4] = {5, 4, 3, 2}, dc[4] = {2, 6, 4, 5};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 4, d4);
    om_value *h = cg_input(g, "h", OM_DT_FLOAT16, 4, d4);
    om_value *u = cg_input(g, "u", OM_DT_UINT32, 4, d4);
    om_value *bf = cg_input(g, "bf", OM_DT_BFLOAT16, 4, d4);
    float ones[3] = {1, 2, 3};
    om_shape s1 = om_shape_make(1, d1);
    om_value *sc = om_graph_add_constant(g, "sc", OM_DT_FLOAT, &s1, ones, sizeof ones);
    float six = 6;
    om_shape s0 = om_shape_scalar();
    om_value *mx = om_graph_add_constant(g, "mx", OM_DT_FLOAT, &s0, &six, sizeof six);
    om_value *v[20];
    int k = 0;
#define NODE(op, nm, outdt, rank, dims, ...)                                                  \
    do {                                                                                      \
        om_value *ins_[] = {__VA_ARGS__};                                                     \
        v[k] = cg_value(g, nm, outdt, rank, dims);                                            \
        assert_non_null(om_graph_add_node(g, op, nm, ins_, sizeof ins_ / sizeof ins_[0], &v[k], 1)); \
        assert_int_equal(om_graph_add_output(g, v[k]), OM_OK);                                \
        k++;                                                                                  \
    } while (0)
    NODE(OM_OP_DIV, "div_u32", OM_DT_UINT32, 4, d4, u, u);
    NODE(OM_OP_ADD, "add_f16", OM_DT_FLOAT16, 4, d4, h, h);
    NODE(OM_OP_MUL, "mul_bf16", OM_DT_BFLOAT16, 4, d4, bf, bf);
    NODE(OM_OP_SIGMOID, "sig", OM_DT_FLOAT, 4, d4, x);
    NODE(OM_OP_TANH, "tanh_f16", OM_DT_FLOAT16, 4, d4, h);
    NODE(OM_OP_RELU, "relu", OM_DT_FLOAT, 4, d4, x);
    NODE(OM_OP_CLIP, "clip", OM_DT_FLOAT, 4, d4, x, NULL, mx);
    NODE(OM_OP_SOFTMAX, "softmax", OM_DT_FLOAT, 4, d4, x);
    NODE(OM_OP_SOFTMAX, "softmax_f16", OM_DT_FLOAT16, 4, d4, h);
    NODE(OM_OP_BATCH_NORMALIZATION, "bn", OM_DT_FLOAT, 4, d4, x, sc, sc, sc, sc);
    NODE(OM_OP_FLATTEN, "flat", OM_DT_FLOAT, 2, d2, x);
    NODE(OM_OP_TRANSPOSE, "tr", OM_DT_FLOAT, 4, dt4, x);
    NODE(OM_OP_CONCAT, "cat", OM_DT_FLOAT, 4, dc, x, x);
    NODE(OM_OP_IDENTITY, "id", OM_DT_FLOAT16, 4, d4, h);
#undef NODE
    om_node_set_int(g, g->nodes[12], "axis", 1);
    return g;
}

/* MatMul, Gemm, Conv and the pooling families (written elsewhere), for the symbol check. */
static om_graph *other_ops_graph(om_dtype dt)
{
    om_graph *g = om_graph_create("other");
    int64_t dx[4] = {1, 4, 8, 8}, dw[4] = {6, 4, 3, 3}, dy[4] = {1, 6, 6, 6}, dp[4] = {1, 4, 4, 4};
    int64_t dg[4] = {1, 4, 1, 1}, dm[2] = {5, 7}, dn[2] = {7, 3}, dmn[2] = {5, 3}, k2[2] = {2, 2};
    om_value *x = cg_input(g, "x", dt, 4, dx), *w = cg_input(g, "w", dt, 4, dw);
    om_value *a = cg_input(g, "a", dt, 2, dm), *b = cg_input(g, "b", dt, 2, dn);
    struct { om_op op; const char *name; int rank; const int64_t *dims; int nin; om_value *in[2]; bool win; } k[] = {
        {OM_OP_CONV, "conv", 4, dy, 2, {x, w}, false},
        {OM_OP_MAX_POOL, "maxpool", 4, dp, 1, {x}, true},
        {OM_OP_AVERAGE_POOL, "avgpool", 4, dp, 1, {x}, true},
        {OM_OP_GLOBAL_AVERAGE_POOL, "gap", 4, dg, 1, {x}, false},
        {OM_OP_GLOBAL_MAX_POOL, "gmp", 4, dg, 1, {x}, false},
        {OM_OP_MATMUL, "matmul", 2, dmn, 2, {a, b}, false},
        {OM_OP_GEMM, "gemm", 2, dmn, 2, {a, b}, false},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        om_value *y = cg_value(g, k[i].name, dt, k[i].rank, k[i].dims);
        om_node *n = om_graph_add_node(g, k[i].op, k[i].name, k[i].in, k[i].nin, &y, 1);
        assert_non_null(n);
        if (k[i].win) {
            om_node_set_ints(g, n, "kernel_shape", k2, 2);
            om_node_set_ints(g, n, "strides", k2, 2);
        }
        assert_int_equal(om_graph_add_output(g, y), OM_OK);
    }
    return g;
}

static void check_graph_no_libcalls(om_graph *g, const om_cg_target_opts *t, int want_machine)
{
    assert_int_equal(cg_jit_assert_no_libcalls(g, t, "driver"), want_machine);
    om_graph_destroy(g);
}

static void check_no_libcalls(const om_cg_target_opts *t, int want_machine)
{
    check_graph_no_libcalls(all_ops_graph(), t, want_machine);
    check_graph_no_libcalls(other_ops_graph(OM_DT_FLOAT), t, want_machine);
    check_graph_no_libcalls(other_ops_graph(OM_DT_FLOAT16), t, want_machine);
}

static void test_no_libcalls_host(void **state) { check_no_libcalls(NULL, EM_X86_64); }

static void test_no_libcalls_generic_x86(void **state)
{
    om_cg_target_opts t = {"x86_64-unknown-linux-gnu", "x86-64", "", 3};
    check_no_libcalls(&t, EM_X86_64);
}

static void test_no_libcalls_aarch64(void **state)
{
    om_cg_target_opts t = {"aarch64-linux-gnu", NULL, NULL, 3};
    check_no_libcalls(&t, EM_AARCH64);
}

static void test_cross_target_fields(void **state)
{
    om_graph *g = all_ops_graph();
    om_cg_target_opts t = {"aarch64-linux-gnu", NULL, NULL, 2};
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, &t, &r), OM_OK);
    assert_non_null(strstr(r->triple, "aarch64"));
    assert_string_equal(r->cpu, "generic");
    assert_string_equal(r->features, "");
    assert_string_equal(r->required_cpu, "");
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

/* s (malloc'd) equals want; frees s */
static void expect_str(char *s, const char *want)
{
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_required_cpu(void **state)
{
    const char *x86 = "x86_64-pc-linux-gnu";
    expect_str(om_cg_required_cpu(x86, "x", "+avx2,-avx512f,+fma,+sse4.2,+avx"), "avx avx2 fma sse4.2");
    expect_str(om_cg_required_cpu(x86, "skylake-avx512", ""), "avx avx2 fma f16c avx512f avx512bw avx512dq avx512vl");
    expect_str(om_cg_required_cpu("aarch64-linux-gnu", "generic", "+neon"), "");
    /* a known cpu name's features, edited by the feature string (once, a string that named
     * any feature replaced the cpu's: znver4 + "+avx512bf16" lost AVX-512); the last
     * mention of a feature wins, as in LLVM */
    expect_str(om_cg_required_cpu(x86, "znver4", "+avx512bf16"),
               "avx avx2 fma f16c avx512f avx512bw avx512dq avx512vl avx512bf16 avx512vnni");
    expect_str(om_cg_required_cpu(x86, "sapphirerapids", "-amx-tile,-amx-bf16,-avx512fp16,+bmi2"),
               "avx avx2 fma f16c avx512f avx512bw avx512dq avx512vl avx512bf16 avx512vnni bmi2");
    expect_str(om_cg_required_cpu(x86, "skylake-avx512", "-avx512bw,-avx512dq,-avx512vl,+avx512f,-avx512f"),
               "avx avx2 fma f16c");
    expect_str(om_cg_edit_features("+a,-b,+c,+dd", "-a,+d"), "-b,+c,+dd,-a,+d");
    expect_str(om_cg_edit_features("", "-a"), "-a");
    char *s;
    /* the host result is derived from the host features, less AMX, which only the bf16
     * tile kernels use */
    om_graph *g = all_ops_graph();
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_OK);
    s = om_cg_required_cpu(r->triple, r->cpu, r->features);
    char *amx = strstr(s, " amx-tile");
    if (amx)
        *amx = '\0';
    assert_string_equal(r->required_cpu, s);
    free(s);
    /* features for the host cpu edit the host's: "-amx-tile" keeps everything else (AVX-512
     * where the host has it; once the kernels lost it and BERT ran 3x slower) */
    bool host512 = strstr(r->required_cpu, "avx512f") != NULL;
    om_cg_result_destroy(r);
    om_cg_target_opts noamx = {NULL, NULL, "-amx-tile", 2};
    assert_int_equal(om_cg_compile(g, &noamx, &r), OM_OK);
    assert_true((strstr(r->required_cpu, "avx512f") != NULL) == host512);
    assert_null(strstr(r->required_cpu, "amx-tile"));
    assert_null(strstr(r->features, "+amx-tile"));
    assert_non_null(strstr(r->features, "-amx-tile"));
    om_cg_result_destroy(r);
    /* a Sapphire Rapids target: an f32 graph does not need AMX */
    om_cg_target_opts spr = {"x86_64-pc-linux-gnu", "sapphirerapids", NULL, 2};
    assert_int_equal(om_cg_compile(g, &spr, &r), OM_OK);
    assert_non_null(strstr(r->required_cpu, "avx512f"));
    assert_null(strstr(r->required_cpu, "amx"));
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

static void test_steps(void **state)
{
    om_graph *g = all_ops_graph();
    om_cg_result *r = NULL;
    /* by default these tiny steps (a few hundred floats each) are one work item each */
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_OK);
    for (size_t s = 0; s < r->n_steps; s++)
        assert_int_equal(r->steps[s].work_items, 1);
    om_cg_result_destroy(r);
    /* split_small_steps: each kernel's own split of its work loop */
    om_cg_target_opts split = {.opt_level = 3, .split_small_steps = true};
    assert_int_equal(om_cg_compile(g, &split, &r), OM_OK);
    assert_int_equal(r->n_steps, g->n_nodes);
    for (size_t s = 0; s < r->n_steps; s++) {
        const om_cg_step *st = &r->steps[s];
        char want[64];
        snprintf(want, sizeof want, "om_k%u_%s", g->nodes[s]->id, om_op_name(g->nodes[s]->op));
        assert_string_equal(st->symbol, want);
        assert_ptr_equal(st->node, g->nodes[s]);
        assert_true(st->work_items >= 1);
    }
    assert_int_equal(r->steps[0].work_items, 1);          /* Div: 120 floats, one ~16 KiB chunk */
    assert_int_equal(r->steps[6].n_args, 3);              /* Clip(x, <omitted>, max) -> x, max, y */
    assert_ptr_equal(r->steps[6].args[1], g->nodes[6]->inputs[2]);
    assert_ptr_equal(r->steps[6].args[2], g->nodes[6]->outputs[0]);
    assert_int_equal(r->steps[7].work_items, 24);         /* Softmax rows */
    assert_int_equal(r->steps[9].work_items, 6);          /* BatchNorm planes */
    assert_int_equal(r->steps[11].work_items, 60);        /* Transpose 2x3x4x5 reversed: 3 outer dims fused */
    assert_int_equal(r->steps[12].work_items, 2);         /* Concat on axis 1: outer = 2 */
    assert_int_equal(r->steps[13].work_items, 1);         /* Identity: one memmove */
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

/* A step estimated well above the serial threshold keeps its split by default: Relu over
 * 16 MiB, and the same op over 64 floats is one item. */
static void test_small_steps_serial(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("sizes");
    int64_t big[2] = {64, 65536}, small[2] = {2, 32};
    om_value *xb = cg_input(g, "xb", OM_DT_FLOAT, 2, big), *yb = cg_value(g, "yb", OM_DT_FLOAT, 2, big);
    om_value *xs = cg_input(g, "xs", OM_DT_FLOAT, 2, small), *ys = cg_value(g, "ys", OM_DT_FLOAT, 2, small);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "big", &xb, 1, &yb, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "small", &xs, 1, &ys, 1));
    assert_int_equal(om_graph_add_output(g, yb), OM_OK);
    assert_int_equal(om_graph_add_output(g, ys), OM_OK);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_OK);
    assert_true(r->steps[0].work_items > 1);
    assert_int_equal(r->steps[1].work_items, 1);
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

static void test_emit_llvm_ir(void **state)
{
    om_graph *g = all_ops_graph();
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(om_cg_emit_llvm_ir(g, NULL, f), OM_OK);
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "i32 @om_k%u_Sigmoid(", g->nodes[3]->id);
    assert_non_null(strstr(buf, want));
    assert_non_null(strstr(buf, "\"target-cpu\"="));
    assert_null(strstr(buf, "declare float @exp"));
    free(buf);
    om_graph_destroy(g);
}

static void test_opt_levels(void **state)
{
    om_graph *g = all_ops_graph();
    for (int o = 0; o <= 3; o++) {
        om_cg_target_opts t = {NULL, NULL, NULL, o};
        cg_jit *j;
        assert_int_equal(cg_jit_create(g, &t, &j), OM_OK);
        cg_jit_run_checked(j);
        cg_jit_destroy(j);
    }
    om_cg_target_opts bad = {NULL, NULL, NULL, 5};
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, &bad, &r), OM_ERR_INVALID_ARGUMENT);
    om_cg_target_opts unknown = {"sparc-sun-solaris", NULL, NULL, 3};
    assert_int_equal(om_cg_compile(g, &unknown, &r), OM_ERR_UNSUPPORTED);
    assert_null(r);
    om_graph_destroy(g);
}

static void test_missing_shape(void **state)
{
    om_graph *g = om_graph_create("t");
    int64_t d[1] = {3};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 1, d);
    om_value *y = om_graph_add_value(g, "y", OM_DT_FLOAT, NULL);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "r", &x, 1, &y, 1));
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "node 'r' (Relu): output 0 'y'"));
    assert_int_equal(om_cg_compile(NULL, NULL, &r), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(g);
    /* wrong arity is refused before any emitter runs */
    g = om_graph_create("t");
    x = cg_input(g, "x", OM_DT_FLOAT, 1, d);
    assert_non_null(om_graph_add_node(g, OM_OP_RELU, "no_out", &x, 1, NULL, 0));
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "node 'no_out' (Relu): 1 inputs and 0 outputs"));
    assert_null(r);
    om_graph_destroy(g);
}

static void test_print_host(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    om_cg_print_host(f);
    fclose(f);
    assert_non_null(strstr(buf, "host: x86_64"));
    free(buf);
}

/* Identical nodes share one kernel symbol (dedup by the kernels' LLVM IR); a different
 * shape or attribute gets its own, and each step keeps its own arguments. */
static void test_identical_kernels_shared(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("dedup");
    int64_t d[2] = {4, 33}, e[2] = {4, 34};
    om_value *x = cg_input(g, "x", OM_DT_FLOAT, 2, d), *z = cg_input(g, "z", OM_DT_FLOAT, 2, e);
    om_value *a = cg_value(g, "a", OM_DT_FLOAT, 2, d), *b = cg_value(g, "b", OM_DT_FLOAT, 2, d);
    om_value *c = cg_value(g, "c", OM_DT_FLOAT, 2, e), *t = cg_value(g, "t", OM_DT_FLOAT, 2, d);
    assert_non_null(om_graph_add_node(g, OM_OP_SIGMOID, "s1", &x, 1, &a, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_SIGMOID, "s2", &a, 1, &b, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_SIGMOID, "s3", &z, 1, &c, 1));
    assert_non_null(om_graph_add_node(g, OM_OP_TANH, "t1", &b, 1, &t, 1));
    assert_int_equal(om_graph_add_output(g, t), OM_OK);
    assert_int_equal(om_graph_add_output(g, c), OM_OK);
    om_cg_result *r = NULL;
    assert_int_equal(om_cg_compile(g, NULL, &r), OM_OK);
    assert_int_equal(r->n_steps, 4);
    assert_string_equal(r->steps[0].symbol, r->steps[1].symbol);      /* s2 calls s1's kernel */
    assert_string_not_equal(r->steps[0].symbol, r->steps[2].symbol);  /* other shape */
    assert_string_not_equal(r->steps[0].symbol, r->steps[3].symbol);  /* other op */
    assert_ptr_equal(r->steps[1].args[0], a);
    assert_ptr_equal(r->steps[1].args[1], b);
    /* and it computes: sigmoid(sigmoid(x)) then tanh */
    cg_jit *j;
    assert_int_equal(cg_jit_create(g, NULL, &j), OM_OK);
    float *px = cg_jit_buf(j, x), *pt = cg_jit_buf(j, t);
    for (int i = 0; i < 4 * 33; i++)
        px[i] = (float)(i % 7) - 3.0f;
    cg_jit_run_checked(j);
    for (int i = 0; i < 4 * 33; i++) {
        double s = 1 / (1 + exp(-(double)px[i]));
        s = 1 / (1 + exp(-s));
        assert_true(fabs(pt[i] - tanh(s)) < 1e-5);
    }
    cg_jit_destroy(j);
    om_cg_result_destroy(r);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_kernels_shared),
        cmocka_unit_test(test_no_libcalls_host),
        cmocka_unit_test(test_no_libcalls_generic_x86),
        cmocka_unit_test(test_no_libcalls_aarch64),
        cmocka_unit_test(test_cross_target_fields),
        cmocka_unit_test(test_required_cpu),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_small_steps_serial),
        cmocka_unit_test(test_emit_llvm_ir),
        cmocka_unit_test(test_opt_levels),
        cmocka_unit_test(test_missing_shape),
        cmocka_unit_test(test_print_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
