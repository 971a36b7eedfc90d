/* Run-time shape inputs of the view kernels (issue 3): Reshape (0 / -1 / allowzero),
 * Squeeze / Unsqueeze (axes, negative axes), Expand (shape) and Tile (repeats) with the
 * shape-determining input a graph INPUT and the output shape compiled from the declared one.
 * (a) values that agree: the output equals a plain-C reference; (b) values that disagree:
 * the kernel's check fails the run (cg_jit_run gives OM_ERR_INVALID_ARGUMENT) and writes no
 * output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

/* One node `op` with data x (f32, dims xd) and a run-time int64 input of `ns` values;
 * output y with dims yd. */
typedef struct rt_case {
    om_graph *g;
    om_value *x, *s, *y;
    om_node *n;
    cg_jit *j;
} rt_case;

static void rt_open(rt_case *c, om_op op, int rx, const int64_t *xd, int64_t ns, int ry, const int64_t *yd,
                    om_dtype sdt)
{
    c->g = om_graph_create("t");
    c->x = cg_input(c->g, "x", OM_DT_FLOAT, rx, xd);
    c->s = cg_input(c->g, "s", sdt, 1, &ns);
    c->y = cg_value(c->g, "y", OM_DT_FLOAT, ry, yd);
    om_value *ins[2] = {c->x, c->s};
    c->n = om_graph_add_node(c->g, op, "y", ins, 2, &c->y, 1);
    assert_non_null(c->n);
    assert_int_equal(om_graph_add_output(c->g, c->y), OM_OK);
    c->j = NULL;
}

static void rt_compile(rt_case *c)
{
    if (cg_jit_create(c->g, NULL, &c->j) != OM_OK)
        fail_msg("%s: %s", om_op_name(c->n->op), om_last_error());
    float *x = cg_jit_buf(c->j, c->x);
    for (int64_t i = 0; i < om_shape_numel(&c->x->shape); i++)
        x[i] = (float)(i * 3 % 17) - 5.0f;
}

static void rt_set(rt_case *c, const int64_t *vals, int64_t ns)
{
    void *p = cg_jit_buf(c->j, c->s);
    for (int64_t k = 0; k < ns; k++)
        cg_set(c->s->dtype, p, k, (double)vals[k]);
}

/* Runs with agreeing values: returns the output buffer. */
static const float *rt_run_ok(rt_case *c, const int64_t *vals, int64_t ns)
{
    rt_set(c, vals, ns);
    cg_jit_run_checked(c->j);
    return cg_jit_buf(c->j, c->y);
}

/* Runs with disagreeing values: the check must fire and the output stay untouched. */
static void rt_run_bad(rt_case *c, const int64_t *vals, int64_t ns)
{
    rt_set(c, vals, ns);
    size_t bytes = (size_t)om_shape_numel(&c->y->shape) * sizeof(float);
    unsigned char *y = cg_jit_buf(c->j, c->y);
    memset(y, 0x7e, bytes);
    assert_int_equal(cg_jit_run(c->j, 1), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(cg_jit_run(c->j, 3), OM_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < bytes; i++)
        if (y[i] != 0x7e)
            fail_msg("%s: output byte %zu written although the check failed", om_op_name(c->n->op), i);
}

static void rt_close(rt_case *c)
{
    cg_jit_destroy(c->j);
    om_graph_destroy(c->g);
}

/* The copy kernels (Reshape, Squeeze, Unsqueeze): the output holds x's values. */
static void assert_copy(rt_case *c, const float *y)
{
    const float *x = cg_jit_buf(c->j, c->x);
    for (int64_t i = 0; i < om_shape_numel(&c->x->shape); i++)
        if (y[i] != x[i])
            fail_msg("%s: y[%lld] = %g, want %g", om_op_name(c->n->op), (long long)i, y[i], x[i]);
}

static void test_reshape(void **state)
{
    (void)state;
    int64_t xd[3] = {2, 3, 4};
    rt_case c;
    /* [2,3,4] -> [2,3,1,4]: 0 copies, -1 inferred, literal values */
    int64_t yd[4] = {2, 3, 1, 4};
    for (int dt = 0; dt < 2; dt++) {
        rt_open(&c, OM_OP_RESHAPE, 3, xd, 4, 4, yd, dt ? OM_DT_INT32 : OM_DT_INT64);
        rt_compile(&c);
        int64_t ok1[4] = {2, 3, 1, 4}, ok2[4] = {0, 0, 1, -1}, ok3[4] = {-1, 3, 1, 4}, ok4[4] = {2, 0, -1, 4};
        assert_copy(&c, rt_run_ok(&c, ok1, 4));
        assert_copy(&c, rt_run_ok(&c, ok2, 4));
        assert_copy(&c, rt_run_ok(&c, ok3, 4));
        assert_copy(&c, rt_run_ok(&c, ok4, 4));
        int64_t bad1[4] = {2, 3, 4, 1};   /* same count, other dims */
        int64_t bad2[4] = {-1, -1, 1, 4}; /* two -1 */
        int64_t bad3[4] = {2, 3, 0, 4};   /* 0 copies nothing at index 2 (x has rank 3: copies 4) */
        int64_t bad4[4] = {2, 3, 1, -2};  /* below -1 */
        int64_t bad5[4] = {0, 0, 0, 4};   /* 0 at index 2 copies x's 4, not 1 */
        rt_run_bad(&c, bad1, 4);
        rt_run_bad(&c, bad2, 4);
        rt_run_bad(&c, bad3, 4);
        rt_run_bad(&c, bad4, 4);
        rt_run_bad(&c, bad5, 4);
        assert_copy(&c, rt_run_ok(&c, ok2, 4)); /* still fine after failures */
        rt_close(&c);
    }
    /* allowzero = 1: 0 is a real zero. x [0,3,4] -> [3,4,0] */
    int64_t zd[3] = {0, 3, 4}, zy[3] = {3, 4, 0};
    rt_open(&c, OM_OP_RESHAPE, 3, zd, 3, 3, zy, OM_DT_INT64);
    assert_int_equal(om_node_set_int(c.g, c.n, "allowzero", 1), OM_OK);
    rt_compile(&c);
    int64_t z_ok[3] = {3, 4, 0}, z_bad1[3] = {3, -1, 0} /* 0 and -1 with allowzero */, z_bad2[3] = {0, 4, 3};
    rt_run_ok(&c, z_ok, 3);
    rt_run_bad(&c, z_bad1, 3);
    rt_run_bad(&c, z_bad2, 3);
    rt_close(&c);
    /* allowzero = 0: the same 0 copies dim 0 of x (0) -> [0,4,0]? declared [3,4,0] disagrees */
    rt_open(&c, OM_OP_RESHAPE, 3, zd, 3, 3, zy, OM_DT_INT64);
    rt_compile(&c);
    int64_t c_bad[3] = {0, 4, 0};
    rt_run_bad(&c, c_bad, 3);
    rt_close(&c);
}

static void test_squeeze_unsqueeze(void **state)
{
    (void)state;
    rt_case c;
    /* Squeeze [1,3,1,5] -> [1,3,5]: axis 2 (or -2) only; axis 0 gives [3,1,5] */
    int64_t xd[4] = {1, 3, 1, 5}, yd[3] = {1, 3, 5};
    rt_open(&c, OM_OP_SQUEEZE, 4, xd, 1, 3, yd, OM_DT_INT64);
    rt_compile(&c);
    int64_t a2 = 2, am2 = -2, a0 = 0, a1 = 1, a4 = 4, am5 = -5;
    assert_copy(&c, rt_run_ok(&c, &a2, 1));
    assert_copy(&c, rt_run_ok(&c, &am2, 1));
    rt_run_bad(&c, &a0, 1);  /* a valid squeeze, but of another shape */
    rt_run_bad(&c, &a1, 1);  /* dim 1 is 3 */
    rt_run_bad(&c, &a4, 1);  /* out of range */
    rt_run_bad(&c, &am5, 1); /* out of range */
    rt_close(&c);
    /* Squeeze [1,1,4] -> [4]: axes {0,1} in any order; a repeat is invalid */
    int64_t x2[3] = {1, 1, 4}, y2[1] = {4};
    rt_open(&c, OM_OP_SQUEEZE, 3, x2, 2, 1, y2, OM_DT_INT32);
    rt_compile(&c);
    int64_t s01[2] = {1, 0}, sneg[2] = {-3, -2}, sdup[2] = {0, 0}, s02[2] = {0, 2};
    assert_copy(&c, rt_run_ok(&c, s01, 2));
    assert_copy(&c, rt_run_ok(&c, sneg, 2));
    rt_run_bad(&c, sdup, 2);
    rt_run_bad(&c, s02, 2);
    rt_close(&c);
    /* Unsqueeze [3,4,5] -> [3,4,1,5,1,1]: axes {2,4,5}, negative ones count in the output rank */
    int64_t ux[3] = {3, 4, 5}, uy[6] = {3, 4, 1, 5, 1, 1};
    rt_open(&c, OM_OP_UNSQUEEZE, 3, ux, 3, 6, uy, OM_DT_INT64);
    rt_compile(&c);
    int64_t u1[3] = {5, 4, 2}, u2[3] = {-1, -2, -4}, ub1[3] = {2, 4, 4}, ub2[3] = {0, 4, 5}, ub3[3] = {2, 4, 6};
    assert_copy(&c, rt_run_ok(&c, u1, 3));
    assert_copy(&c, rt_run_ok(&c, u2, 3));
    rt_run_bad(&c, ub1, 3); /* repeated */
    rt_run_bad(&c, ub2, 3); /* another shape */
    rt_run_bad(&c, ub3, 3); /* out of range for rank 6 */
    rt_close(&c);
}

static void test_expand(void **state)
{
    (void)state;
    rt_case c;
    /* x [3,1] expanded by a 3-value shape to [2,3,6] */
    int64_t xd[2] = {3, 1}, yd[3] = {2, 3, 6};
    rt_open(&c, OM_OP_EXPAND, 2, xd, 3, 3, yd, OM_DT_INT64);
    rt_compile(&c);
    int64_t s1[3] = {2, 1, 6}, s2[3] = {2, 3, 6}, b1[3] = {2, 1, 5}, b2[3] = {1, 3, 6}, b3[3] = {2, 2, 6};
    const float *x = cg_jit_buf(c.j, c.x);
    for (int t = 0; t < 2; t++) {
        const float *y = rt_run_ok(&c, t ? s2 : s1, 3);
        for (int a = 0; a < 2; a++)
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < 6; k++)
                    assert_true(y[(a * 3 + i) * 6 + k] == x[i]);
    }
    rt_run_bad(&c, b1, 3); /* 5 != 6 */
    rt_run_bad(&c, b2, 3); /* 1 where the output has 2 */
    rt_run_bad(&c, b3, 3); /* 2 does not broadcast with 3 */
    rt_close(&c);
    /* a shorter shape: [1,3,1] by [3] -> [1,3,3] */
    int64_t x2[3] = {1, 3, 1}, y2[3] = {1, 3, 3};
    rt_open(&c, OM_OP_EXPAND, 3, x2, 1, 3, y2, OM_DT_INT64);
    rt_compile(&c);
    int64_t three = 3, one = 1;
    const float *y = rt_run_ok(&c, &three, 1);
    x = cg_jit_buf(c.j, c.x);
    for (int i = 0; i < 9; i++)
        assert_true(y[i] == x[i / 3]);
    rt_run_bad(&c, &one, 1);
    rt_close(&c);
}

static void test_tile(void **state)
{
    (void)state;
    rt_case c;
    int64_t xd[2] = {2, 3}, yd[2] = {4, 9};
    rt_open(&c, OM_OP_TILE, 2, xd, 2, 2, yd, OM_DT_INT64);
    rt_compile(&c);
    int64_t r_ok[2] = {2, 3}, r_b1[2] = {3, 2}, r_b2[2] = {2, 4}, r_b3[2] = {-2, 3};
    const float *y = rt_run_ok(&c, r_ok, 2), *x = cg_jit_buf(c.j, c.x);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 9; k++)
            assert_true(y[i * 9 + k] == x[(i % 2) * 3 + k % 3]);
    rt_run_bad(&c, r_b1, 2);
    rt_run_bad(&c, r_b2, 2);
    rt_run_bad(&c, r_b3, 2);
    rt_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reshape),
        cmocka_unit_test(test_squeeze_unsqueeze),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_tile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
