/* Slice and Split with run-time shape inputs (codegen/kernels/tensor_slice.c): starts, ends,
 * axes, steps and split are graph INPUTS, the output shapes are the compiled (declared)
 * ones. Values that agree with those shapes give the plain C reference result (negative
 * starts/axes/steps, out-of-range starts/ends, INT64_MIN/MAX, i32 inputs); values that
 * disagree, a zero step, an out-of-range or repeated axis make the kernel's run-time check
 * fail (cg_jit_run returns OM_ERR_INVALID_ARGUMENT) instead of reading out of bounds. The
 * run-time paths (also Pad's and Compress's) make no library calls on any target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* Same clamping as ONNX's Slice reference. */
static void ref_axis(int64_t d, int64_t s, int64_t e, int64_t st, int64_t *s0, int64_t *c)
{
    if (s < 0)
        s += d;
    if (e < 0)
        e += d;
    if (st > 0) {
        s = s < 0 ? 0 : s > d ? d : s;
        e = e < 0 ? 0 : e > d ? d : e;
        *c = e > s ? (e - s + st - 1) / st : 0;
    } else {
        s = s < 0 ? 0 : s > d - 1 ? d - 1 : s;
        e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
        uint64_t m = (uint64_t)0 - (uint64_t)st; /* -st, also for INT64_MIN */
        *c = s > e ? (int64_t)(((uint64_t)(s - e) + m - 1) / m) : 0;
    }
    *s0 = s;
}

typedef struct slice_spec {
    int r;
    int64_t xd[4];
    int ns;
    int64_t starts[4], ends[4], axes[4], steps[4];
    bool has_axes, has_steps;
    om_dtype idt; /* i32 or i64 for the index inputs */
} slice_spec;

static om_value *idx_input(om_graph *g, const char *name, om_dtype dt, int n)
{
    int64_t d = n;
    return cg_input(g, name, dt, 1, &d);
}

static void set_idx(cg_jit *j, const om_value *v, const int64_t *vals, int n)
{
    for (int i = 0; i < n; i++) {
        if (v->dtype == OM_DT_INT32) {
            int32_t x = (int32_t)(vals[i] > INT32_MAX ? INT32_MAX : vals[i] < INT32_MIN ? INT32_MIN : vals[i]);
            memcpy((char *)cg_jit_buf(j, v) + 4 * i, &x, 4);
        } else {
            memcpy((char *)cg_jit_buf(j, v) + 8 * i, &vals[i], 8);
        }
    }
}

/* Builds Slice(x, starts, ends[, axes[, steps]]) with every index input a graph input and the
 * output shape from the reference clamping (or yd_override), runs it with the spec's values
 * (or `run`'s: values that may disagree) and returns cg_jit_run's status; on OM_OK compares
 * with the reference. */
static om_status slice_run(const slice_spec *sp, const slice_spec *run, const int64_t *yd_override)
{
    om_graph *g = om_graph_create("t");
    int r = sp->r;
    int64_t yd[4], s0[4] = {0}, step[4] = {1, 1, 1, 1};
    for (int a = 0; a < r; a++)
        yd[a] = sp->xd[a];
    for (int k = 0; k < sp->ns; k++) {
        int64_t a = sp->has_axes ? sp->axes[k] : k;
        if (a < 0)
            a += r;
        int64_t st = sp->has_steps ? sp->steps[k] : 1;
        ref_axis(sp->xd[a], sp->starts[k], sp->ends[k], st, &s0[a], &yd[a]);
        step[a] = st;
    }
    if (yd_override)
        memcpy(yd, yd_override, sizeof yd);
    om_value *ins[5] = {cg_input(g, "x", OM_DT_FLOAT, r, sp->xd), idx_input(g, "starts", sp->idt, sp->ns),
                        idx_input(g, "ends", sp->idt, sp->ns), NULL, NULL};
    int nin = 3;
    if (sp->has_axes || sp->has_steps) {
        ins[3] = idx_input(g, "axes", sp->idt, sp->ns);
        nin = 4;
    }
    if (sp->has_steps) {
        ins[4] = idx_input(g, "steps", sp->idt, sp->ns);
        nin = 5;
    }
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, r, yd);
    om_graph_add_node(g, OM_OP_SLICE, "sl", ins, nin, &y, 1);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Slice: %s", om_last_error());
    int64_t nx = om_shape_numel(&ins[0]->shape);
    float *px = cg_jit_buf(j, ins[0]);
    for (int64_t i = 0; i < nx; i++)
        px[i] = (float)i;
    const slice_spec *v = run ? run : sp;
    set_idx(j, ins[1], v->starts, sp->ns);
    set_idx(j, ins[2], v->ends, sp->ns);
    const int64_t dflt[4] = {0, 1, 2, 3};
    if (ins[3])
        set_idx(j, ins[3], sp->has_axes ? v->axes : dflt, sp->ns);
    if (ins[4])
        set_idx(j, ins[4], v->steps, sp->ns);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        assert_int_equal(cg_jit_run(j, 3), OM_OK);
        int64_t xs[4], ny = om_shape_numel(&y->shape);
        xs[r - 1] = 1;
        for (int a = r - 2; a >= 0; a--)
            xs[a] = xs[a + 1] * sp->xd[a + 1];
        const float *py = cg_jit_buf(j, y);
        for (int64_t e = 0; e < ny; e++) {
            int64_t rest = e, src = 0;
            for (int a = r - 1; a >= 0; a--) {
                int64_t c = rest % yd[a];
                rest /= yd[a];
                src += (s0[a] + (c ? c * step[a] : 0)) * xs[a];
            }
            if (py[e] != (float)src)
                fail_msg("Slice rank %d: element %lld = %g, want %lld", r, (long long)e, py[e], (long long)src);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    return st;
}

static void test_slice_agree(void **state)
{
    (void)state;
    const slice_spec cases[] = {
        /* the suite's test_slice: axes 0,1 steps 1 */
        {3, {20, 10, 5}, 2, {0, 0}, {3, 10}, {0, 1}, {1, 1}, true, true, OM_DT_INT64},
        /* negative steps and out-of-range starts */
        {3, {20, 10, 5}, 3, {20, 10, 4}, {0, 0, 1}, {0, 1, 2}, {-1, -3, -2}, true, true, OM_DT_INT64},
        /* negative axes, negative starts, i32 inputs */
        {3, {6, 7, 8}, 2, {-3, 1}, {100, -1}, {-1, -3}, {2, 1}, true, true, OM_DT_INT32},
        /* default axes (no axes input), a start beyond the dim gives 0 elements */
        {2, {5, 6}, 2, {1, 10}, {4, 20}, {0}, {1}, false, false, OM_DT_INT64},
        /* INT64_MIN / INT64_MAX ends and the most negative step */
        {2, {4, 9}, 2, {-1, 0}, {INT64_MIN, INT64_MAX}, {0, 1}, {INT64_MIN, 4}, true, true, OM_DT_INT64},
        /* rank 4, one sliced axis */
        {4, {2, 3, 4, 5}, 1, {1}, {4}, {2}, {2}, true, true, OM_DT_INT64},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(slice_run(&cases[i], NULL, NULL), OM_OK);
}

static void test_slice_disagree(void **state)
{
    (void)state;
    const slice_spec sp = {3, {20, 10, 5}, 2, {0, 0}, {3, 10}, {0, 1}, {1, 1}, true, true, OM_DT_INT64};
    slice_spec bad = sp;
    bad.ends[0] = 4; /* 4 rows, 3 compiled */
    assert_int_equal(slice_run(&sp, &bad, NULL), OM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.starts[0] = 17; /* the same count from another start: the result follows the start */
    bad.ends[0] = 20;
    assert_int_equal(slice_run(&bad, NULL, NULL), OM_OK);
    bad = sp;
    bad.steps[1] = 0;
    assert_int_equal(slice_run(&sp, &bad, NULL), OM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.axes[1] = 3; /* out of range */
    assert_int_equal(slice_run(&sp, &bad, NULL), OM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.axes[1] = -3; /* axis 0 twice */
    assert_int_equal(slice_run(&sp, &bad, NULL), OM_ERR_INVALID_ARGUMENT);
    bad = sp;
    bad.axes[0] = 2; /* slices axis 2 to [0, 3) and leaves axis 0 whole: another shape */
    assert_int_equal(slice_run(&sp, &bad, NULL), OM_ERR_INVALID_ARGUMENT);
    /* a compiled shape these values do not give */
    const int64_t yd[4] = {3, 10, 4, 0};
    assert_int_equal(slice_run(&sp, NULL, yd), OM_ERR_INVALID_ARGUMENT);
}

/* Split with a run-time split input along the last axis of [rows, p0 + p1]: agreeing values
 * give the two column blocks, others fail the check (also when the input is empty). */
static om_status split_run(int64_t rows, const int64_t *parts, const int64_t *given, om_dtype sdt)
{
    om_graph *g = om_graph_create("t");
    int64_t xd[2] = {rows, parts[0] + parts[1]};
    om_value *ins[2] = {cg_input(g, "x", OM_DT_INT16, 2, xd), idx_input(g, "split", sdt, 2)};
    int64_t y0d[2] = {rows, parts[0]}, y1d[2] = {rows, parts[1]};
    om_value *ys[2] = {cg_value(g, "y0", OM_DT_INT16, 2, y0d), cg_value(g, "y1", OM_DT_INT16, 2, y1d)};
    om_node *n = om_graph_add_node(g, OM_OP_SPLIT, "sp", ins, 2, ys, 2);
    assert_int_equal(om_node_set_int(g, n, "axis", -1), OM_OK);
    assert_int_equal(om_graph_add_output(g, ys[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, ys[1]), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Split: %s", om_last_error());
    int16_t *px = cg_jit_buf(j, ins[0]);
    for (int64_t i = 0; i < xd[0] * xd[1]; i++)
        px[i] = (int16_t)(i * 3 - 7);
    set_idx(j, ins[1], given, 2);
    om_status st = cg_jit_run(j, 1);
    if (st == OM_OK) {
        cg_jit_run_checked(j);
        for (int k = 0; k < 2; k++) {
            const int16_t *py = cg_jit_buf(j, ys[k]);
            for (int64_t i = 0; i < rows; i++)
                for (int64_t c = 0; c < parts[k]; c++)
                    assert_int_equal(py[i * parts[k] + c], px[i * xd[1] + (k ? parts[0] : 0) + c]);
        }
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    return st;
}

static void test_split(void **state)
{
    (void)state;
    const int64_t parts[2] = {2, 4}, other[2] = {3, 3}, neg[2] = {-1, 7}, zero[2] = {0, 0};
    assert_int_equal(split_run(3, parts, parts, OM_DT_INT64), OM_OK);
    assert_int_equal(split_run(3, parts, parts, OM_DT_INT32), OM_OK);
    assert_int_equal(split_run(3, parts, other, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(split_run(3, parts, neg, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
    /* an empty input is still checked */
    assert_int_equal(split_run(0, zero, zero, OM_DT_INT64), OM_OK);
    assert_int_equal(split_run(0, parts, other, OM_DT_INT64), OM_ERR_INVALID_ARGUMENT);
}

/* The run-time paths of Slice, Split, Pad (reflect) and Compress call nothing but
 * memcpy/memmove/memset on the host, baseline x86-64 and aarch64. */
static void test_no_libcalls(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    const int64_t xd[2] = {6, 4}, sd[2] = {2, 4}, pd[2] = {8, 9}, cd[2] = {3, 4}, six = 6;
    om_value *x = cg_input(g, "x", OM_DT_FLOAT16, 2, xd);
    om_value *sl[5] = {x, idx_input(g, "starts", OM_DT_INT64, 2), idx_input(g, "ends", OM_DT_INT64, 2),
                       idx_input(g, "axes", OM_DT_INT32, 2), idx_input(g, "steps", OM_DT_INT64, 2)};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT16, 2, sd);
    om_graph_add_node(g, OM_OP_SLICE, "sl", sl, 5, &y, 1);
    om_value *sp[2] = {x, idx_input(g, "split", OM_DT_INT64, 2)};
    om_value *ys[2] = {cg_value(g, "a", OM_DT_FLOAT16, 2, sd), cg_value(g, "b", OM_DT_FLOAT16, 2, (int64_t[]){4, 4})};
    om_graph_add_node(g, OM_OP_SPLIT, "sp", sp, 2, ys, 2);
    om_value *pa[2] = {x, idx_input(g, "pads", OM_DT_INT64, 4)};
    om_value *py = cg_value(g, "p", OM_DT_FLOAT16, 2, pd);
    om_node *pn = om_graph_add_node(g, OM_OP_PAD, "pd", pa, 2, &py, 1);
    assert_int_equal(om_node_set_string(g, pn, "mode", "reflect"), OM_OK);
    om_value *co[2] = {x, cg_input(g, "cond", OM_DT_BOOL, 1, &six)};
    om_value *cy = cg_value(g, "c", OM_DT_FLOAT16, 2, cd);
    om_node *cn = om_graph_add_node(g, OM_OP_COMPRESS, "co", co, 2, &cy, 1);
    assert_int_equal(om_node_set_int(g, cn, "axis", 0), OM_OK);
    om_value *outs[5] = {y, ys[0], ys[1], py, cy};
    for (int i = 0; i < 5; i++)
        assert_int_equal(om_graph_add_output(g, outs[i]), OM_OK);
    for (int t = 0; t < 3; t++)
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "run-time Slice/Split/Pad/Compress");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_agree),
        cmocka_unit_test(test_slice_disagree),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
