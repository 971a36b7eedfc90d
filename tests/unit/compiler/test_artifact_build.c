/* compiler/artifact_build.c and optimize.c's readiness check: a hand-planned graph and a
 * fake codegen result become the artifact's tensor table, steps, weights (aligned,
 * deduplicated by bytes) and description; the real reader (om_art_parse) accepts the
 * serialized result; and graphs that skipped infer-shapes, finalize-io or plan-memory are
 * refused with a message naming the pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compiler/compile.h"

typedef struct fixture {
    om_graph *g;
    om_value *x, *w, *w2, *w3, *t, *u, *y, *z;
    om_node *relu, *add1, *add2, *add3;
    om_cg_step steps[4];
    const om_value *args[4][3];
    om_cg_result r;
} fixture;

/* x -> Relu -> t; t + W -> u; u + W2 -> y (output 0); t + W3 -> z (output 1).
 * W2 has W's bytes (shared copy); W3 differs. Arena: t at 0, u at 64. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    om_graph *g = f->g = om_graph_create("g");
    int64_t d[2] = {2, 3};
    om_shape s = om_shape_make(2, d);
    float wd[6] = {1, 2, 3, 4, 5, 6}, w3d[6] = {6, 5, 4, 3, 2, 1};
    f->x = om_graph_add_value(g, "x", OM_DT_FLOAT, &s);
    om_graph_add_input(g, f->x);
    f->w = om_graph_add_constant(g, "W", OM_DT_FLOAT, &s, wd, sizeof wd);
    f->w2 = om_graph_add_constant(g, "W2", OM_DT_FLOAT, &s, wd, sizeof wd);
    f->w3 = om_graph_add_constant(g, "W3", OM_DT_FLOAT, &s, w3d, sizeof w3d);
    f->t = om_graph_add_value(g, "t", OM_DT_FLOAT, &s);
    f->u = om_graph_add_value(g, "u", OM_DT_FLOAT, &s);
    f->y = om_graph_add_value(g, "y", OM_DT_FLOAT, &s);
    f->z = om_graph_add_value(g, "z", OM_DT_FLOAT, &s);
    f->relu = om_graph_add_node(g, OM_OP_RELU, "relu", &f->x, 1, &f->t, 1);
    om_value *a1[2] = {f->t, f->w}, *a2[2] = {f->u, f->w2}, *a3[2] = {f->t, f->w3};
    f->add1 = om_graph_add_node(g, OM_OP_ADD, "add1", a1, 2, &f->u, 1);
    f->add2 = om_graph_add_node(g, OM_OP_ADD, "add2", a2, 2, &f->y, 1);
    f->add3 = om_graph_add_node(g, OM_OP_ADD, "add3", a3, 2, &f->z, 1);
    om_graph_add_output(g, f->y);
    om_graph_add_output(g, f->z);
    f->t->mem_offset = 0;
    f->u->mem_offset = 64;
    g->arena_size = 128;

    const om_node *nodes[4] = {f->relu, f->add1, f->add2, f->add3};
    const char *syms[4] = {"om_k1_Relu", "om_k2_Add", "om_k3_Add", "om_k2_Add"};
    for (int i = 0; i < 4; i++) {
        const om_node *n = nodes[i];
        int k = 0;
        for (int j = 0; j < n->n_inputs; j++)
            f->args[i][k++] = n->inputs[j];
        f->args[i][k++] = n->outputs[0];
        f->steps[i] = (om_cg_step){.symbol = syms[i], .node = n, .work_items = i + 1,
                                   .n_args = k, .args = f->args[i]};
    }
    static unsigned char object[16] = {0x7f, 'E', 'L', 'F'};
    f->r = (om_cg_result){.object = object, .object_size = sizeof object,
                          .triple = "x86_64-pc-linux-gnu", .cpu = "generic", .features = "+avx2",
                          .required_cpu = "avx2", .n_steps = 4, .steps = f->steps};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    om_graph_destroy(f->g);
    free(f);
    return 0;
}

static void test_tables(void **state)
{
    fixture *f = *state;
    om_art_model m;
    assert_int_equal(om_compile_build_artifact(f->g, &f->r, &m), OM_OK);
    /* inputs, outputs, then first use in step order: t, W, u, W2, W3 */
    assert_int_equal(m.n_tensors, 8);
    uint32_t kinds[8] = {OM_ART_TENSOR_INPUT, OM_ART_TENSOR_OUTPUT, OM_ART_TENSOR_OUTPUT,
                         OM_ART_TENSOR_ARENA, OM_ART_TENSOR_WEIGHT, OM_ART_TENSOR_ARENA,
                         OM_ART_TENSOR_WEIGHT, OM_ART_TENSOR_WEIGHT};
    for (int i = 0; i < 8; i++)
        assert_int_equal(m.tensors[i].kind, kinds[i]);
    assert_int_equal(m.tensors[1].index, 0);
    assert_int_equal(m.tensors[2].index, 1);
    assert_int_equal(m.tensors[3].offset, 0);
    assert_int_equal(m.tensors[5].offset, 64);
    assert_int_equal(m.tensors[4].offset, 0);   /* W */
    assert_int_equal(m.tensors[6].offset, 0);   /* W2: same bytes as W, shared */
    assert_int_equal(m.tensors[7].offset, 64);  /* W3: next 64-byte boundary */
    assert_int_equal(m.weights_size, 64 + 24);
    const float *wts = m.weights;
    assert_true(wts[0] == 1 && wts[5] == 6 && wts[16] == 6 && wts[21] == 1);
    assert_int_equal(m.tensors[4].nbytes, 24);
    /* kernels: each symbol once */
    assert_int_equal(m.n_kernels, 3);
    assert_string_equal(m.kernel_names[1], "om_k2_Add");
    assert_int_equal(m.n_steps, 4);
    assert_int_equal(m.steps[3].kernel, 1);
    assert_int_equal(m.steps[2].work_items, 3);
    uint32_t want2[3] = {5, 6, 1};              /* u, W2, y */
    assert_int_equal(m.steps[2].n_args, 3);
    assert_memory_equal(m.steps[2].args, want2, sizeof want2);
    /* description */
    assert_int_equal(m.n_inputs, 1);
    assert_string_equal(m.inputs[0].name, "x");
    assert_int_equal(m.inputs[0].rank, 2);
    assert_int_equal(m.inputs[0].dims[1], 3);
    assert_int_equal(m.inputs[0].nbytes, 24);
    assert_int_equal(m.outputs[1].tensor, 2);
    assert_string_equal(m.required_x86, "avx2");
    assert_int_equal(m.arena_size, 128);
    assert_non_null(m.graph_text);
    assert_non_null(strstr(m.graph_text, "Relu"));

    /* the real reader accepts it, and serialization is deterministic */
    void *a = NULL, *b = NULL;
    size_t na, nb;
    char err[256];
    assert_int_equal(om_art_serialize(&m, &a, &na, err, sizeof err), 0);
    assert_int_equal(om_art_serialize(&m, &b, &nb, err, sizeof err), 0);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    om_art_model back;
    if (om_art_parse(a, na, &back, err, sizeof err) != 0)
        fail_msg("reader refused the artifact: %s", err);
    assert_int_equal(back.n_tensors, 8);
    assert_int_equal(back.n_steps, 4);
    om_art_model_free(&back);
    free(a);
    free(b);
    om_compile_artifact_free(&m);
    assert_null(m.tensors);
}

static void expect_refused(fixture *f, const char *needle)
{
    om_art_model m;
    om_status st = om_compile_check_ready(f->g);
    if (st == OM_OK)
        st = om_compile_build_artifact(f->g, &f->r, &m);
    assert_int_not_equal(st, OM_OK);
    if (!strstr(om_last_error(), needle))
        fail_msg("error '%s' does not mention '%s'", om_last_error(), needle);
}

static void test_ready(void **state)
{
    fixture *f = *state;
    assert_int_equal(om_compile_check_ready(f->g), OM_OK);
}

static void test_refuses_unplanned_value(void **state)
{
    fixture *f = *state;
    f->u->mem_offset = -1;
    expect_refused(f, "plan-memory");
    assert_non_null(strstr(om_last_error(), "'u'"));
}

static void test_refuses_value_outside_arena(void **state)
{
    fixture *f = *state;
    f->u->mem_offset = 120;  /* 24 bytes from 120 pass the end (128) */
    om_art_model m;
    assert_int_not_equal(om_compile_build_artifact(f->g, &f->r, &m), OM_OK);
    assert_non_null(strstr(om_last_error(), "outside the arena"));
}

static void test_refuses_unplanned_graph(void **state)
{
    fixture *f = *state;
    f->g->arena_size = -1;
    expect_refused(f, "plan-memory");
}

static void test_refuses_unknown_shape(void **state)
{
    fixture *f = *state;
    f->t->shape.dims[0] = OM_DIM_UNKNOWN;
    expect_refused(f, "infer-shapes");
    assert_non_null(strstr(om_last_error(), "'t'"));
}

static void test_refuses_input_as_output(void **state)
{
    fixture *f = *state;
    assert_int_equal(om_graph_add_output(f->g, f->x), OM_OK);
    expect_refused(f, "finalize-io");
}

static void test_refuses_unwritten_output(void **state)
{
    fixture *f = *state;
    f->r.n_steps = 3;  /* nothing computes z */
    expect_refused(f, "'z'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_unplanned_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_value_outside_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_unplanned_graph, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_unknown_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_input_as_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_unwritten_output, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
