/* Gather-family kernels (codegen/kernels/tensor_gather.c) against plain C references:
 * Gather on every axis with i64/i32 indices, negative indices and out-of-range indices
 * (clamped), scalar indices; Compress with and without axis; GatherElements on every axis;
 * GatherND with batch_dims 0/1 and index depths 1..2; ReverseSequence in both layouts with
 * lengths 0..T and beyond (clamped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

static void fill_bytes(const om_value *x, void *buf)
{
    unsigned char *p = buf;
    int64_t bytes = om_shape_numel(&x->shape) * (int64_t)om_dtype_size(x->dtype);
    for (int64_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)cg_rand();
}

static void set_index(om_dtype dt, void *buf, int64_t i, int64_t v)
{
    if (dt == OM_DT_INT64)
        ((int64_t *)buf)[i] = v;
    else
        ((int32_t *)buf)[i] = (int32_t)v;
}

static int64_t clampi(int64_t i, int64_t n)
{
    if (i < 0)
        i += n;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

static cg_jit *jit(om_graph *g, const char *what)
{
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", what, om_last_error());
    return j;
}

/* ---- Gather ---- */

static void gather_case(om_dtype dt, om_dtype it, int r, const int64_t *xd, int axis, int q, const int64_t *id)
{
    om_graph *g = om_graph_create("t");
    int64_t yd[OM_MAX_RANK];
    int ry = 0;
    for (int i = 0; i < axis; i++)
        yd[ry++] = xd[i];
    for (int i = 0; i < q; i++)
        yd[ry++] = id[i];
    for (int i = axis + 1; i < r; i++)
        yd[ry++] = xd[i];
    om_value *ins[2] = {cg_input(g, "x", dt, r, xd), cg_input(g, "i", it, q, id)};
    om_value *y = cg_value(g, "y", dt, ry, yd);
    om_node *n = om_graph_add_node(g, OM_OP_GATHER, "g", ins, 2, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Gather");
    fill_bytes(ins[0], cg_jit_buf(j, ins[0]));
    int64_t N = xd[axis], M = om_shape_numel(&ins[1]->shape);
    for (int64_t m = 0; m < M; m++) /* in range, negative, and out of range both ways */
        set_index(it, cg_jit_buf(j, ins[1]), m, (int64_t)(cg_rand() % (uint64_t)(3 * N + 4)) - (3 * N + 4) / 2);
    cg_jit_run_checked(j);
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= xd[i];
    for (int i = axis + 1; i < r; i++)
        inner *= xd[i];
    size_t es = om_dtype_size(dt);
    const unsigned char *px = cg_jit_buf(j, ins[0]), *py = cg_jit_buf(j, y);
    const void *pi = cg_jit_buf(j, ins[1]);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t m = 0; m < M; m++) {
            int64_t raw = it == OM_DT_INT64 ? ((const int64_t *)pi)[m] : ((const int32_t *)pi)[m];
            int64_t src = (o * N + clampi(raw, N)) * inner, dst = (o * M + m) * inner;
            if (memcmp(py + dst * (int64_t)es, px + src * (int64_t)es, (size_t)inner * es))
                fail_msg("Gather axis %d: row (%lld, %lld) index %lld", axis, (long long)o, (long long)m,
                         (long long)raw);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_gather(void **state)
{
    (void)state;
    int64_t xd[4] = {5, 4, 3, 2}, id[2] = {3, 2};
    for (int r = 1; r <= 4; r++)
        for (int a = 0; a < r; a++) {
            gather_case(OM_DT_FLOAT, OM_DT_INT64, r, xd, a, 1, id);
            gather_case(OM_DT_INT16, OM_DT_INT32, r, xd, a, 2, id);
        }
    gather_case(OM_DT_DOUBLE, OM_DT_INT64, 2, xd, 1, 0, id); /* scalar index */
    int64_t big[2] = {1000, 3};
    gather_case(OM_DT_BOOL, OM_DT_INT64, 2, big, 0, 1, big); /* 1000 gathered rows of 3 */
}

/* ---- Compress ---- */

static void compress_case(bool with_axis, int axis, const uint8_t *cond, int64_t len)
{
    om_graph *g = om_graph_create("t");
    int64_t xd[3] = {3, 4, 2}, n_axis = with_axis ? xd[axis] : 24, cnt = 0;
    for (int64_t k = 0; k < len && k < n_axis; k++)
        cnt += cond[k] != 0;
    int64_t yd[3] = {3, 4, 2};
    int ry = 3;
    if (with_axis) {
        yd[axis] = cnt;
    } else {
        yd[0] = cnt;
        ry = 1;
    }
    om_shape cs = om_shape_make(1, &len);
    om_value *c = om_graph_add_constant(g, "cond", OM_DT_BOOL, &cs, cond, (size_t)len);
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, 3, xd), c};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, ry, yd);
    om_node *n = om_graph_add_node(g, OM_OP_COMPRESS, "c", ins, 2, &y, 1);
    if (with_axis)
        assert_int_equal(om_node_set_int(g, n, "axis", axis), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "Compress");
    float *px = cg_jit_buf(j, ins[0]);
    for (int i = 0; i < 24; i++)
        px[i] = (float)i;
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    int64_t outer = 1, inner = 1;
    for (int i = 0; with_axis && i < 3; i++) {
        if (i < axis)
            outer *= xd[i];
        else if (i > axis)
            inner *= xd[i];
    }
    int64_t e = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < len && k < n_axis; k++) {
            if (!cond[k])
                continue;
            for (int64_t i = 0; i < inner; i++, e++)
                assert_float_equal(py[e], px[(o * n_axis + k) * inner + i], 0);
        }
    assert_int_equal(e, om_shape_numel(&y->shape));
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_compress(void **state)
{
    (void)state;
    uint8_t c1[3] = {0, 1, 1}, c2[4] = {1, 0, 0, 1}, c3[5] = {0, 1, 0, 0, 1}, c4[2] = {1, 1};
    compress_case(true, 0, c1, 3);
    compress_case(true, 1, c2, 4);
    compress_case(true, 2, c4, 2);
    compress_case(true, 1, c1, 3); /* shorter condition */
    compress_case(false, 0, c3, 5);
}

/* ---- GatherElements ---- */

static void gather_elements_case(om_dtype it, int r, const int64_t *xd, const int64_t *id, int axis)
{
    om_graph *g = om_graph_create("t");
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, r, xd), cg_input(g, "i", it, r, id)};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, r, id);
    om_node *n = om_graph_add_node(g, OM_OP_GATHER_ELEMENTS, "ge", ins, 2, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "axis", axis - r), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "GatherElements");
    cg_fill_random(OM_DT_FLOAT, cg_jit_buf(j, ins[0]), om_shape_numel(&ins[0]->shape), -5, 5);
    int64_t N = xd[axis], M = om_shape_numel(&ins[1]->shape);
    for (int64_t m = 0; m < M; m++)
        set_index(it, cg_jit_buf(j, ins[1]), m, (int64_t)(cg_rand() % (uint64_t)(2 * N + 2)) - N - 1);
    cg_jit_run_checked(j);
    const float *px = cg_jit_buf(j, ins[0]), *py = cg_jit_buf(j, y);
    const void *pi = cg_jit_buf(j, ins[1]);
    for (int64_t e = 0; e < M; e++) {
        int64_t c[OM_MAX_RANK], rest = e;
        for (int i = r - 1; i >= 0; i--) {
            c[i] = rest % id[i];
            rest /= id[i];
        }
        int64_t raw = it == OM_DT_INT64 ? ((const int64_t *)pi)[e] : ((const int32_t *)pi)[e];
        c[axis] = clampi(raw, N);
        int64_t src = 0;
        for (int i = 0; i < r; i++)
            src = src * xd[i] + c[i];
        assert_float_equal(py[e], px[src], 0);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_gather_elements(void **state)
{
    (void)state;
    int64_t xd[3] = {4, 5, 6}, id[3] = {3, 5, 2};
    for (int a = 0; a < 3; a++) {
        gather_elements_case(OM_DT_INT64, 3, xd, id, a);
        gather_elements_case(OM_DT_INT32, 3, xd, id, a);
    }
    int64_t x1[1] = {7}, i1[1] = {10};
    gather_elements_case(OM_DT_INT64, 1, x1, i1, 0);
}

/* ---- GatherND ---- */

static void gather_nd_case(int r, const int64_t *xd, int q, const int64_t *id, int b)
{
    om_graph *g = om_graph_create("t");
    int64_t k = id[q - 1], yd[OM_MAX_RANK];
    int ry = 0;
    for (int i = 0; i < q - 1; i++)
        yd[ry++] = id[i];
    for (int i = b + (int)k; i < r; i++)
        yd[ry++] = xd[i];
    om_value *ins[2] = {cg_input(g, "x", OM_DT_INT32, r, xd), cg_input(g, "i", OM_DT_INT64, q, id)};
    om_value *y = cg_value(g, "y", OM_DT_INT32, ry, yd);
    om_node *n = om_graph_add_node(g, OM_OP_GATHER_ND, "gnd", ins, 2, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "batch_dims", b), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "GatherND");
    int32_t *px = cg_jit_buf(j, ins[0]);
    for (int64_t i = 0; i < om_shape_numel(&ins[0]->shape); i++)
        px[i] = (int32_t)i;
    int64_t *pi = cg_jit_buf(j, ins[1]);
    int64_t tuples = om_shape_numel(&ins[1]->shape) / k;
    for (int64_t t = 0; t < tuples; t++)
        for (int64_t jj = 0; jj < k; jj++) {
            int64_t d = xd[b + jj];
            pi[t * k + jj] = (int64_t)(cg_rand() % (uint64_t)(2 * d + 2)) - d - 1;
        }
    cg_jit_run_checked(j);
    const int32_t *py = cg_jit_buf(j, y);
    int64_t nb = 1, slice = 1, xstr[OM_MAX_RANK], acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xstr[i] = acc;
        acc *= xd[i];
    }
    for (int i = 0; i < b; i++)
        nb *= id[i];
    for (int i = b + (int)k; i < r; i++)
        slice *= xd[i];
    int64_t per_batch = tuples / nb;
    for (int64_t t = 0; t < tuples; t++) {
        int64_t src = (t / per_batch) * (b ? xstr[b - 1] : 0);
        for (int64_t jj = 0; jj < k; jj++)
            src += clampi(pi[t * k + jj], xd[b + jj]) * xstr[b + jj];
        for (int64_t s = 0; s < slice; s++)
            assert_int_equal(py[t * slice + s], px[src + s]);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_gather_nd(void **state)
{
    (void)state;
    int64_t x2[2] = {2, 2}, i2[2] = {2, 2};
    gather_nd_case(2, x2, 2, i2, 0);
    int64_t x3[3] = {2, 2, 2}, i3[3] = {2, 1, 2}, ib[2] = {2, 1};
    gather_nd_case(3, x3, 3, i3, 0);
    gather_nd_case(3, x3, 2, ib, 1);
    int64_t x4[4] = {3, 4, 5, 6}, i4[3] = {3, 7, 2}, i5[2] = {9, 1};
    gather_nd_case(4, x4, 3, i4, 1);
    gather_nd_case(4, x4, 2, i5, 0);
}

/* ---- ReverseSequence ---- */

static void reverse_case(int time_axis, const int64_t *xd, int r)
{
    om_graph *g = om_graph_create("t");
    int batch_axis = 1 - time_axis;
    int64_t B = xd[batch_axis], T = xd[time_axis];
    om_value *ins[2] = {cg_input(g, "x", OM_DT_FLOAT, r, xd), cg_input(g, "len", OM_DT_INT64, 1, &B)};
    om_value *y = cg_value(g, "y", OM_DT_FLOAT, r, xd);
    om_node *n = om_graph_add_node(g, OM_OP_REVERSE_SEQUENCE, "rs", ins, 2, &y, 1);
    assert_int_equal(om_node_set_int(g, n, "time_axis", time_axis), OM_OK);
    assert_int_equal(om_node_set_int(g, n, "batch_axis", batch_axis), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j = jit(g, "ReverseSequence");
    float *px = cg_jit_buf(j, ins[0]);
    for (int64_t i = 0; i < om_shape_numel(&ins[0]->shape); i++)
        px[i] = (float)i;
    int64_t *pl = cg_jit_buf(j, ins[1]);
    for (int64_t b = 0; b < B; b++)
        pl[b] = (b * 3) % (T + 3) - 1; /* -1 .. T+1: clamped */
    cg_jit_run_checked(j);
    const float *py = cg_jit_buf(j, y);
    int64_t inner = om_shape_numel(&ins[0]->shape) / (xd[0] * xd[1]);
    for (int64_t i0 = 0; i0 < xd[0]; i0++)
        for (int64_t i1 = 0; i1 < xd[1]; i1++) {
            int64_t b = batch_axis == 0 ? i0 : i1, t = time_axis == 0 ? i0 : i1;
            int64_t len = pl[b] < 0 ? 0 : pl[b] > T ? T : pl[b];
            int64_t st = t < len ? len - 1 - t : t;
            int64_t s0 = time_axis == 0 ? st : i0, s1 = time_axis == 0 ? i1 : st;
            for (int64_t k = 0; k < inner; k++)
                assert_float_equal(py[(i0 * xd[1] + i1) * inner + k], px[(s0 * xd[1] + s1) * inner + k], 0);
        }
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_reverse_sequence(void **state)
{
    (void)state;
    int64_t d2[2] = {4, 5}, d3[3] = {6, 3, 2};
    reverse_case(0, d2, 2);
    reverse_case(1, d2, 2);
    reverse_case(0, d3, 3);
    reverse_case(1, d3, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gather),        cmocka_unit_test(test_compress),
        cmocka_unit_test(test_gather_elements), cmocka_unit_test(test_gather_nd),
        cmocka_unit_test(test_reverse_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
