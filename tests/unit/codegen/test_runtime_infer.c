/* Shape rules for run-time shape inputs (passes/infer/tensor_index.c, tensor_fold.c), the
 * compile-time half of the kernels tested in test_runtime_{slice,pad,compress,unique}.c:
 * with a graph-input starts/split/pads/condition/data and DECLARED output shapes,
 * infer-shapes keeps the declared shapes; declared shapes no value could give are
 * OM_ERR_INVALID_MODEL naming the dim; without declared shapes the old errors stand
 * ("must be a compile-time constant", "data-dependent output shape"). Ends with one
 * inferred-then-compiled graph run through cg_jit (Slice + NonZero). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "passes/passes.h"
#include "tests/unit/codegen/cg_jit.h"

static om_status infer(om_graph *g)
{
    bool changed = false;
    return om_pass_infer_shapes(g, NULL, &changed);
}

static void expect(om_status got, om_status want, const char *msg)
{
    if (got != want)
        fail_msg("status %d, want %d (%s)", (int)got, (int)want, om_last_error());
    if (msg && !strstr(om_last_error(), msg))
        fail_msg("error '%s' lacks '%s'", om_last_error(), msg);
}

/* A declared output (static shape) or, with rank < 0, an untyped one. */
static om_value *out(om_graph *g, const char *name, om_dtype dt, int rank, const int64_t *dims)
{
    if (rank < 0)
        return om_graph_add_value(g, name, OM_DT_UNDEFINED, NULL);
    return cg_value(g, name, dt, rank, dims);
}

static om_value *i64_input(om_graph *g, const char *name, int64_t n)
{
    return cg_input(g, name, OM_DT_INT64, 1, &n);
}

static om_status slice_infer(int yrank, const int64_t *yd, bool const_axes)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd[3] = {20, 10, 5}, ax = 0;
    om_shape s1 = om_shape_make(1, (int64_t[]){1});
    om_value *ins[4] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), i64_input(g, "starts", 1), i64_input(g, "ends", 1),
                        const_axes ? om_graph_add_constant(g, "axes", OM_DT_INT64, &s1, &ax, 8) : NULL};
    om_value *y = out(g, "y", OM_DT_FLOAT, yrank, yd);
    om_graph_add_node(g, OM_OP_SLICE, "sl", ins, const_axes ? 4 : 3, &y, 1);
    om_status st = infer(g);
    if (st == OM_OK) {
        assert_int_equal(y->shape.rank, 3);
        for (int i = 0; i < 3; i++)
            assert_int_equal(y->shape.dims[i], yd[i]);
    }
    om_graph_destroy(g);
    return st;
}

static void test_slice(void **state)
{
    (void)state;
    const int64_t ok[3] = {3, 10, 5}, wide[3] = {21, 10, 5}, other[3] = {3, 11, 5}, cut[3] = {3, 9, 5};
    expect(slice_infer(3, ok, false), OM_OK, NULL);
    expect(slice_infer(3, ok, true), OM_OK, NULL);
    expect(slice_infer(3, wide, false), OM_ERR_INVALID_MODEL, "node 'sl' (Slice): the declared output dim 0 is 21");
    expect(slice_infer(3, other, false), OM_ERR_INVALID_MODEL, "the declared output dim 1 is 11");
    /* a constant axes list leaves dim 1 alone: it must stay 10 */
    expect(slice_infer(3, cut, true), OM_ERR_INVALID_MODEL, "the axis is not sliced");
    expect(slice_infer(2, ok, false), OM_ERR_INVALID_MODEL, "rank 2");
    expect(slice_infer(-1, NULL, false), OM_ERR_UNSUPPORTED,
           "input 1 ('starts', starts) must be a compile-time constant: it determines the output shape");
}

static om_status split_infer(int64_t p0, int64_t p1, bool declared, int64_t nsplit)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd = 6;
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, 1, &xd), i64_input(g, "split", nsplit)};
    om_value *ys[2] = {out(g, "a", OM_DT_FLOAT, declared ? 1 : -1, &p0), out(g, "b", OM_DT_FLOAT, declared ? 1 : -1, &p1)};
    om_graph_add_node(g, OM_OP_SPLIT, "sp", ins, 2, ys, 2);
    om_status st = infer(g);
    om_graph_destroy(g);
    return st;
}

static void test_split(void **state)
{
    (void)state;
    expect(split_infer(2, 4, true, 2), OM_OK, NULL);
    expect(split_infer(0, 6, true, 2), OM_OK, NULL);
    expect(split_infer(2, 3, true, 2), OM_ERR_INVALID_MODEL, "the declared outputs sum to 5 along axis 0");
    expect(split_infer(2, 4, true, 3), OM_ERR_INVALID_MODEL, "input 1 (split) has 3 values for 2 outputs");
    expect(split_infer(2, 4, false, 2), OM_ERR_UNSUPPORTED, "must be a compile-time constant");
}

static om_status pad_infer(int yrank, const int64_t *yd, int64_t npads, const char *mode, const int64_t *xd)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, 2, xd), i64_input(g, "pads", npads)};
    om_value *y = out(g, "y", OM_DT_FLOAT, yrank, yd);
    om_node *n = om_graph_add_node(g, OM_OP_PAD, "pd", ins, 2, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "mode", mode), OM_OK);
    om_status st = infer(g);
    om_graph_destroy(g);
    return st;
}

static void test_pad(void **state)
{
    (void)state;
    const int64_t xd[2] = {2, 3}, yd[2] = {4, 7}, empty[2] = {0, 3};
    expect(pad_infer(2, yd, 4, "constant", xd), OM_OK, NULL);
    expect(pad_infer(2, yd, 4, "reflect", xd), OM_OK, NULL);
    expect(pad_infer(2, yd, 6, "constant", xd), OM_ERR_INVALID_MODEL, "input 1 (pads) has 6 values, expected 4");
    expect(pad_infer(1, yd, 4, "constant", xd), OM_ERR_INVALID_MODEL, "rank 1");
    expect(pad_infer(2, yd, 4, "wrap", xd), OM_ERR_UNSUPPORTED, "mode 'wrap' is not supported");
    expect(pad_infer(2, yd, 4, "edge", empty), OM_ERR_INVALID_MODEL, "mode 'edge' cannot pad the empty axis 0");
    expect(pad_infer(-1, NULL, 4, "constant", xd), OM_ERR_UNSUPPORTED, "must be a compile-time constant");
}

static om_status compress_infer(int yrank, const int64_t *yd, bool axis)
{
    om_graph *g = om_graph_create("t");
    const int64_t xd[2] = {3, 2}, cl = 3;
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, 2, xd), cg_input(g, "c", OM_DT_BOOL, 1, &cl)};
    om_value *y = out(g, "y", OM_DT_FLOAT, yrank, yd);
    om_node *n = om_graph_add_node(g, OM_OP_COMPRESS, "co", ins, 2, &y, 1);
    if (axis)
        assert_int_equal(om_node_set_int(g, n, "axis", 0), OM_OK);
    om_status st = infer(g);
    om_graph_destroy(g);
    return st;
}

static void test_compress(void **state)
{
    (void)state;
    const int64_t ok[2] = {2, 2}, many[2] = {4, 2}, wide[2] = {2, 3}, flat[1] = {3};
    expect(compress_infer(2, ok, true), OM_OK, NULL);
    expect(compress_infer(1, flat, false), OM_OK, NULL);
    expect(compress_infer(2, many, true), OM_ERR_INVALID_MODEL, "more than the 3 entries the condition can select");
    expect(compress_infer(2, wide, true), OM_ERR_INVALID_MODEL, "the declared output dim 1 is 3");
    expect(compress_infer(2, ok, false), OM_ERR_INVALID_MODEL, "expected 1 (no axis)");
    expect(compress_infer(-1, NULL, true), OM_ERR_UNSUPPORTED, "data-dependent output shape");
}

static void test_nonzero_unique(void **state)
{
    (void)state;
    const int64_t xd[2] = {2, 2}, nz_ok[2] = {2, 3}, nz_bad[2] = {3, 3}, nz_many[2] = {2, 5};
    const int64_t *nz_dims[3] = {nz_ok, nz_bad, nz_many};
    const om_status nz_want[3] = {OM_OK, OM_ERR_INVALID_MODEL, OM_ERR_INVALID_MODEL};
    for (int c = 0; c < 4; c++) {
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_BOOL, 2, xd);
        om_value *y = out(g, "y", OM_DT_INT64, c < 3 ? 2 : -1, c < 3 ? nz_dims[c] : NULL);
        om_graph_add_node(g, OM_OP_NON_ZERO, "nz", &x, 1, &y, 1);
        if (c < 3)
            expect(infer(g), nz_want[c], c ? "cannot hold the coordinates" : NULL);
        else
            expect(infer(g), OM_ERR_UNSUPPORTED, "node 'nz' (NonZero): data-dependent output shape");
        om_graph_destroy(g);
    }
    /* Unique along axis 1 of [2, 4, 2]: Y [2, 3, 2], indices/counts [3], inverse [4] */
    const int64_t ud[3] = {2, 4, 2}, yd[3] = {2, 3, 2}, three = 3, four = 4, five = 5;
    for (int c = 0; c < 4; c++) {
        om_graph *g = om_graph_create("t");
        om_value *x = cg_input(g, "x", OM_DT_FLOAT, 3, ud);
        om_value *outs[4] = {out(g, "y", OM_DT_FLOAT, c == 3 ? -1 : 3, yd), out(g, "i", OM_DT_INT64, 1, &three),
                             out(g, "v", OM_DT_INT64, 1, c == 1 ? &five : &four),
                             out(g, "n", OM_DT_INT64, 1, c == 2 ? &four : &three)};
        om_node *n = om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, outs, 4);
        assert_int_equal(om_node_set_int(g, n, "axis", -2), OM_OK);
        if (c == 0)
            expect(infer(g), OM_OK, NULL);
        else if (c == 3)
            expect(infer(g), OM_ERR_UNSUPPORTED, "data-dependent output shape");
        else
            expect(infer(g), OM_ERR_INVALID_MODEL, c == 1 ? "output 2 'v' is declared with 5 values, expected 4"
                                                          : "output 3 'n' is declared with 4 values, expected 3");
        om_graph_destroy(g);
    }
}

/* Inferred, then compiled and run: Slice(x, starts, ends) -> NonZero. */
static void test_infer_then_run(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    const int64_t xd[2] = {4, 3}, sd[2] = {2, 3}, nd[2] = {2, 4};
    om_value *ins[3] = {cg_input(g, "x", OM_DT_INT32, 2, xd), i64_input(g, "starts", 1), i64_input(g, "ends", 1)};
    om_value *s = cg_value(g, "s", OM_DT_INT32, 2, sd), *y = cg_value(g, "y", OM_DT_INT64, 2, nd);
    om_graph_add_node(g, OM_OP_SLICE, "sl", ins, 3, &s, 1);
    om_graph_add_node(g, OM_OP_NON_ZERO, "nz", &s, 1, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    expect(infer(g), OM_OK, NULL);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s", om_last_error());
    const int32_t xv[12] = {0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 4, 5};
    memcpy(cg_jit_buf(j, ins[0]), xv, sizeof xv);
    const int64_t start = -2, end = 100;
    memcpy(cg_jit_buf(j, ins[1]), &start, 8);
    memcpy(cg_jit_buf(j, ins[2]), &end, 8);
    cg_jit_run_checked(j);
    /* rows 2..3: [2,0,3], [0,4,5] -> (0,0) (0,2) (1,1) (1,2) */
    const int64_t want[8] = {0, 0, 1, 1, 0, 2, 1, 2};
    const int64_t *py = cg_jit_buf(j, y);
    for (int i = 0; i < 8; i++)
        assert_int_equal(py[i], want[i]);
    /* rows 1..3 disagree with the compiled [2, 3] */
    const int64_t start1 = 1;
    memcpy(cg_jit_buf(j, ins[1]), &start1, 8);
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    /* rows 0..1 agree with the shape but hold 1 non-zero where 4 are compiled */
    const int64_t start0 = 0, end2 = 2;
    memcpy(cg_jit_buf(j, ins[1]), &start0, 8);
    memcpy(cg_jit_buf(j, ins[2]), &end2, 8);
    assert_int_equal(cg_jit_run(j, 1), OM_ERR_INVALID_ARGUMENT);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice),    cmocka_unit_test(test_split),          cmocka_unit_test(test_pad),
        cmocka_unit_test(test_compress), cmocka_unit_test(test_nonzero_unique), cmocka_unit_test(test_infer_then_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
