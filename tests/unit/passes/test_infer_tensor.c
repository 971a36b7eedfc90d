/* Shape rules of the tensor op group (passes/infer/tensor_*.c): Shape/Size folding (and
 * not folding graph outputs), Squeeze/Unsqueeze axes, Expand, Tile, Slice clamping and
 * negative steps, Split (given and equal parts), Pad (crop, axes, modes), Gather family
 * output shapes, Compress with a constant condition, Range counts, OneHot, DepthToSpace,
 * NonZero and Unique folding, and the errors for non-constant shape inputs. */
#include "tests/unit/passes/pass_test_util.h"

static om_status infer(om_graph *g)
{
    bool changed = false;
    return om_pass_infer_shapes(g, NULL, &changed);
}

static const int64_t *ints_of(const om_value *v)
{
    assert_int_equal(v->kind, OM_VALUE_CONSTANT);
    assert_int_equal(v->dtype, OM_DT_INT64);
    return v->data;
}

static void test_shape_size_fold(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(3, 4, 5));
    om_node *sh = t_node(g, OM_OP_SHAPE, "sh", &x, 1, "s");
    assert_int_equal(om_node_set_int(g, sh, "start", -2), OM_OK);
    om_node *sz = t_node(g, OM_OP_SIZE, "sz", &x, 1, "n");
    om_value *s = sh->outputs[0];
    om_node *cat = t_node(g, OM_OP_CONCAT, "cat", &s, 1, "c");
    assert_int_equal(om_node_set_int(g, cat, "axis", 0), OM_OK);
    om_node *sh2 = t_node(g, OM_OP_SHAPE, "sh2", &x, 1, "out");
    assert_int_equal(om_graph_add_output(g, sh2->outputs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, cat->outputs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, sz->outputs[0]), OM_OK);
    assert_int_equal(infer(g), OM_OK);
    const int64_t *d = ints_of(s);
    t_expect_shape(s, S(2));
    assert_int_equal(d[0], 4);
    assert_int_equal(d[1], 5);
    assert_true(sh->dead);
    /* a graph output keeps its producer (and name); the kernel fills it */
    assert_false(sh2->dead);
    assert_int_equal(sh2->outputs[0]->kind, OM_VALUE_INTERMEDIATE);
    t_expect_shape(sh2->outputs[0], S(3));
    assert_false(sz->dead);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, U));
    sh = t_node(g, OM_OP_SHAPE, "sh", &x, 1, "s");
    assert_int_equal(om_node_set_int(g, sh, "end", 100), OM_OK);
    assert_int_equal(infer(g), OM_OK);
    assert_false(sh->dead); /* dynamic dim: not folded */
    t_expect_shape(sh->outputs[0], S(2));
    om_graph_destroy(g);
}

static void test_squeeze_unsqueeze(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 3, 1, 5));
    om_value *in1[2] = {x, t_const_i64(g, "ax", 1, DIMS(-2))};
    om_node *sq = t_node(g, OM_OP_SQUEEZE, "sq", in1, 2, "a");
    om_node *sq_all = t_node(g, OM_OP_SQUEEZE, "sqa", &x, 1, "b");
    om_value *in2[2] = {x, t_const_i64(g, "ax2", 3, DIMS(5, 0, -1))};
    om_node *un = t_node(g, OM_OP_UNSQUEEZE, "un", in2, 2, "c");
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(sq->outputs[0], S(1, 3, 5));
    t_expect_shape(sq_all->outputs[0], S(3, 5));
    t_expect_shape(un->outputs[0], S(1, 1, 3, 1, 5, 1, 1));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_value *in3[2] = {x, t_const_i64(g, "ax", 1, DIMS(1))};
    t_node(g, OM_OP_SQUEEZE, "bad", in3, 2, "a");
    t_expect_error(infer(g), OM_ERR_INVALID_MODEL, "cannot squeeze axis 1");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_value *in4[2] = {x, t_input(g, "axes", OM_DT_INT64, S(1))};
    t_node(g, OM_OP_UNSQUEEZE, "dyn", in4, 2, "a");
    t_expect_error(infer(g), OM_ERR_UNSUPPORTED,
                   "node 'dyn' (Unsqueeze): input 1 ('axes', axes) must be a compile-time constant: it determines the "
                   "output shape");
    om_graph_destroy(g);
}

static void test_expand_tile(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(3, 1));
    om_value *e1[2] = {x, t_const_i64(g, "s1", 3, DIMS(2, 1, 6))};
    om_value *e2[2] = {x, t_const_i64(g, "s2", 1, DIMS(1))};
    om_value *t1[2] = {x, t_const_i64(g, "r", 2, DIMS(2, 3))};
    om_node *a = t_node(g, OM_OP_EXPAND, "e1", e1, 2, "a");
    om_node *b = t_node(g, OM_OP_EXPAND, "e2", e2, 2, "b");
    om_node *c = t_node(g, OM_OP_TILE, "t", t1, 2, "c");
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(a->outputs[0], S(2, 3, 6));
    t_expect_shape(b->outputs[0], S(3, 1));
    t_expect_shape(c->outputs[0], S(6, 3));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(3, 2));
    om_value *e3[2] = {x, t_const_i64(g, "s", 2, DIMS(3, 4))};
    t_node(g, OM_OP_EXPAND, "e", e3, 2, "a");
    t_expect_error(infer(g), OM_ERR_INVALID_MODEL, "cannot be expanded to [3,4]");
    om_graph_destroy(g);
}

static void test_slice(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(20, 10, 5));
    om_value *a[5] = {x, t_const_i64(g, "s", 3, DIMS(20, 10, 4)), t_const_i64(g, "e", 3, DIMS(0, 0, 1)),
                      t_const_i64(g, "ax", 3, DIMS(0, 1, 2)), t_const_i64(g, "st", 3, DIMS(-1, -3, -2))};
    om_node *n1 = t_node(g, OM_OP_SLICE, "neg", a, 5, "y1");
    om_value *b[4] = {x, t_const_i64(g, "s2", 1, DIMS(1000)), t_const_i64(g, "e2", 1, DIMS(1000)),
                      t_const_i64(g, "ax2", 1, DIMS(-1))};
    om_node *n2 = t_node(g, OM_OP_SLICE, "oob", b, 4, "y2");
    om_value *c[3] = {x, t_const_i64(g, "s3", 2, DIMS(-3, INT64_MIN)), t_const_i64(g, "e3", 2, DIMS(INT64_MAX, -2))};
    om_node *n3 = t_node(g, OM_OP_SLICE, "dflt", c, 3, "y3");
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(n1->outputs[0], S(19, 3, 2));
    t_expect_shape(n2->outputs[0], S(20, 10, 0));
    t_expect_shape(n3->outputs[0], S(3, 8, 5));
    om_graph_destroy(g);
}

static void test_split_pad(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 7));
    om_value *outs[3] = {t_value(g, "a"), t_value(g, "b"), t_value(g, "c")};
    om_node *sp = om_graph_add_node(g, OM_OP_SPLIT, "sp", &x, 1, outs, 3);
    assert_int_equal(om_node_set_int(g, sp, "axis", -1), OM_OK);
    om_value *p[2] = {x, t_const_i64(g, "pads", 4, DIMS(1, -2, 0, 3))};
    om_node *pd = t_node(g, OM_OP_PAD, "pad", p, 2, "p");
    om_value *q[4] = {x, t_const_i64(g, "pads2", 2, DIMS(2, 2)), NULL, t_const_i64(g, "axes", 1, DIMS(0))};
    om_node *pd2 = t_node(g, OM_OP_PAD, "pad2", q, 4, "q");
    assert_int_equal(om_node_set_string(g, pd2, "mode", "reflect"), OM_OK);
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(outs[0], S(2, 3));
    t_expect_shape(outs[1], S(2, 3));
    t_expect_shape(outs[2], S(2, 1));
    t_expect_shape(pd->outputs[0], S(3, 8));
    t_expect_shape(pd2->outputs[0], S(6, 7));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(6));
    om_value *si[2] = {x, t_const_i64(g, "split", 2, DIMS(2, 3))};
    om_value *o2[2] = {t_value(g, "a"), t_value(g, "b")};
    om_graph_add_node(g, OM_OP_SPLIT, "sp", si, 2, o2, 2);
    t_expect_error(infer(g), OM_ERR_INVALID_MODEL, "split sums to 5");
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(2, 3));
    om_value *pw[2] = {x, t_const_i64(g, "pads", 4, DIMS(0, 0, 0, 0))};
    om_node *w = t_node(g, OM_OP_PAD, "w", pw, 2, "y");
    assert_int_equal(om_node_set_string(g, w, "mode", "circular"), OM_OK);
    t_expect_error(infer(g), OM_ERR_UNSUPPORTED, "mode 'circular' is not supported");
    om_graph_destroy(g);
}

static void test_gather_family(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(5, 4, 3));
    om_value *i = t_input(g, "i", OM_DT_INT64, S(2, 6));
    om_value *ga[2] = {x, i};
    om_node *gn = t_node(g, OM_OP_GATHER, "g", ga, 2, "a");
    assert_int_equal(om_node_set_int(g, gn, "axis", -2), OM_OK);
    om_value *ie = t_input(g, "ie", OM_DT_INT32, S(5, 2, 3));
    om_value *ge[2] = {x, ie};
    om_node *gen = t_node(g, OM_OP_GATHER_ELEMENTS, "ge", ge, 2, "b");
    om_value *ind = t_input(g, "ind", OM_DT_INT64, S(5, 7, 2));
    om_value *gnd[2] = {x, ind};
    om_node *gndn = t_node(g, OM_OP_GATHER_ND, "gnd", gnd, 2, "c");
    assert_int_equal(om_node_set_int(g, gndn, "batch_dims", 1), OM_OK);
    uint8_t cond[4] = {1, 0, 1, 1};
    om_shape cs = S(4);
    om_value *cv = om_graph_add_constant(g, "cond", OM_DT_BOOL, &cs, cond, 4);
    om_value *co[2] = {x, cv};
    om_node *cn = t_node(g, OM_OP_COMPRESS, "co", co, 2, "d");
    assert_int_equal(om_node_set_int(g, cn, "axis", 1), OM_OK);
    om_node *cflat = t_node(g, OM_OP_COMPRESS, "cf", co, 2, "e");
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(gn->outputs[0], S(5, 2, 6, 3));
    t_expect_shape(gen->outputs[0], S(5, 2, 3));
    t_expect_shape(gndn->outputs[0], S(5, 7));
    t_expect_shape(cn->outputs[0], S(5, 3, 3));
    t_expect_shape(cflat->outputs[0], S(3));
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(5));
    om_value *c2[2] = {x, t_input(g, "c", OM_DT_BOOL, S(5))};
    t_node(g, OM_OP_COMPRESS, "cmp", c2, 2, "y");
    t_expect_error(infer(g), OM_ERR_UNSUPPORTED, "data-dependent output shape");
    om_graph_destroy(g);
}

static void test_generators(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    om_shape sc = om_shape_scalar();
    int32_t rs[3] = {10, 6, -3};
    om_value *r[3];
    for (int k = 0; k < 3; k++) {
        char nm[4] = {'r', (char)('0' + k), 0};
        r[k] = om_graph_add_constant(g, nm, OM_DT_INT32, &sc, &rs[k], 4);
    }
    om_node *rn = t_node(g, OM_OP_RANGE, "range", r, 3, "a");
    float fs[3] = {1, 5, 2};
    om_value *f[3];
    for (int k = 0; k < 3; k++) {
        char nm[4] = {'f', (char)('0' + k), 0};
        f[k] = om_graph_add_constant(g, nm, OM_DT_FLOAT, &sc, &fs[k], 4);
    }
    om_node *fn = t_node(g, OM_OP_RANGE, "frange", f, 3, "b");
    om_value *cs = t_const_i64(g, "shape", 2, DIMS(4, 0));
    om_node *cos = t_node(g, OM_OP_CONSTANT_OF_SHAPE, "cos", &cs, 1, "c");
    om_value *idx = t_input(g, "idx", OM_DT_INT64, S(2, 3));
    float depth = 7.9f;
    om_value *oh[3] = {idx, om_graph_add_constant(g, "depth", OM_DT_FLOAT, &sc, &depth, 4),
                       t_input(g, "vals", OM_DT_INT32, S(2))};
    om_node *ohn = t_node(g, OM_OP_ONE_HOT, "oh", oh, 3, "d");
    assert_int_equal(om_node_set_int(g, ohn, "axis", 1), OM_OK);
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 8, 3, 3));
    om_node *d2s = t_node(g, OM_OP_DEPTH_TO_SPACE, "d2s", &x, 1, "e");
    assert_int_equal(om_node_set_int(g, d2s, "blocksize", 2), OM_OK);
    om_node *s2d = t_node(g, OM_OP_SPACE_TO_DEPTH, "s2d", &d2s->outputs[0], 1, "f");
    assert_int_equal(om_node_set_int(g, s2d, "blocksize", 3), OM_OK);
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(rn->outputs[0], S(2));
    t_expect_shape(fn->outputs[0], S(2));
    t_expect_shape(cos->outputs[0], S(4, 0));
    assert_int_equal(cos->outputs[0]->dtype, OM_DT_FLOAT);
    t_expect_shape(ohn->outputs[0], S(2, 7, 3));
    assert_int_equal(ohn->outputs[0]->dtype, OM_DT_INT32);
    t_expect_shape(d2s->outputs[0], S(2, 2, 6, 6));
    t_expect_shape(s2d->outputs[0], S(2, 18, 2, 2));
    om_graph_destroy(g);

    g = om_graph_create("t");
    om_value *rr[3] = {t_input(g, "a", OM_DT_FLOAT, S()), t_input(g, "b", OM_DT_FLOAT, S()),
                       t_input(g, "c", OM_DT_FLOAT, S())};
    t_node(g, OM_OP_RANGE, "rt", rr, 3, "y");
    t_expect_error(infer(g), OM_ERR_UNSUPPORTED, "input 0 ('a', start) must be a compile-time constant");
    om_graph_destroy(g);
}

static void test_nonzero_unique_fold(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("t");
    float xv[6] = {2, 0, 0, 1, 2, 3};
    om_shape xs = S(2, 3);
    om_value *x = om_graph_add_constant(g, "x", OM_DT_FLOAT, &xs, xv, sizeof xv);
    om_node *nz = t_node(g, OM_OP_NON_ZERO, "nz", &x, 1, "nz_out");
    om_value *outs[4] = {t_value(g, "y"), t_value(g, "idx"), t_value(g, "inv"), t_value(g, "cnt")};
    om_node *un = om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, outs, 4);
    assert_int_equal(infer(g), OM_OK);
    assert_true(nz->dead && un->dead);
    om_value *o = nz->outputs[0];
    t_expect_shape(o, S(2, 4));
    const int64_t *c = ints_of(o);
    const int64_t want_nz[8] = {0, 1, 1, 1, 0, 0, 1, 2};
    for (int i = 0; i < 8; i++)
        assert_int_equal(c[i], want_nz[i]);
    /* Unique of the flattened [2,0,0,1,2,3], sorted: [0,1,2,3] */
    t_expect_shape(outs[0], S(4));
    const float *y = outs[0]->data;
    const float want_y[4] = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++)
        assert_float_equal(y[i], want_y[i], 0);
    const int64_t want_idx[4] = {1, 3, 0, 5}, want_inv[6] = {2, 0, 0, 1, 2, 3}, want_cnt[4] = {2, 1, 2, 1};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ints_of(outs[1])[i], want_idx[i]);
        assert_int_equal(ints_of(outs[3])[i], want_cnt[i]);
    }
    for (int i = 0; i < 6; i++)
        assert_int_equal(ints_of(outs[2])[i], want_inv[i]);
    om_graph_destroy(g);

    /* Unique along an axis, not sorted: rows [1,2], [3,4], [1,2] */
    g = om_graph_create("t");
    int32_t rv[6] = {1, 2, 3, 4, 1, 2};
    om_shape rsh = S(3, 2);
    x = om_graph_add_constant(g, "x", OM_DT_INT32, &rsh, rv, sizeof rv);
    om_value *o2[3] = {t_value(g, "y"), t_value(g, "idx"), t_value(g, "inv")};
    un = om_graph_add_node(g, OM_OP_UNIQUE, "u", &x, 1, o2, 3);
    assert_int_equal(om_node_set_int(g, un, "axis", 0), OM_OK);
    assert_int_equal(om_node_set_int(g, un, "sorted", 0), OM_OK);
    assert_int_equal(infer(g), OM_OK);
    t_expect_shape(o2[0], S(2, 2));
    const int32_t *yy = o2[0]->data;
    assert_int_equal(yy[2], 3);
    assert_int_equal(ints_of(o2[2])[2], 0);
    om_graph_destroy(g);

    g = om_graph_create("t");
    x = t_input(g, "x", OM_DT_FLOAT, S(4));
    t_node(g, OM_OP_NON_ZERO, "nzr", &x, 1, "y");
    t_expect_error(infer(g), OM_ERR_UNSUPPORTED, "node 'nzr' (NonZero): data-dependent output shape");
    om_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_size_fold), cmocka_unit_test(test_squeeze_unsqueeze),
        cmocka_unit_test(test_expand_tile),     cmocka_unit_test(test_slice),
        cmocka_unit_test(test_split_pad),       cmocka_unit_test(test_gather_family),
        cmocka_unit_test(test_generators),      cmocka_unit_test(test_nonzero_unique_fold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
