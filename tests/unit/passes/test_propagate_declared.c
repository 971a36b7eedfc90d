/* Tests for passes/propagate_declared.c: the window-function expansion (Range with a
 * run-time limit under scalar Mul, Cos, Sub/Add and Cast down to a declared y[10]) gets
 * y's shape on the Range and on every value between, and infer-shapes then accepts it;
 * what the declaration does not force (broadcasts against non-ones, two unknown operands,
 * lower-rank possibilities, graph inputs, known different shapes) keeps no shape; a model
 * infer-shapes accepted without the pass is inferred the same way with it; the pass is
 * idempotent and reports its counters. */
#include "pass_test_util.h"

static om_graph *parse(const char *text) {
    om_graph *g = NULL;
    om_status st = om_ir_parse(text, strlen(text), "test.ir", &g);
    if (st != OM_OK) fail_msg("parse: %s", om_last_error());
    return g;
}

static const om_value *val(const om_graph *g, const char *name) {
    const om_value *v = om_graph_find_value(g, name);
    if (!v) fail_msg("no value '%s'", name);
    return v;
}

static om_status run(om_graph *g, om_stats *st, bool *changed) {
    om_pass_opts opts = {.stats = st, .pass_name = "propagate-declared-shapes"};
    return om_pass_propagate_declared(g, &opts, changed);
}

static const char window_ir[] =
    "graph \"w\" opset 17 {\n"
    "  input %n : i64[]\n"
    "  const %zero : f32[] = [0.0]\n"
    "  const %one : f32[] = [1.0]\n"
    "  const %two : f32[] = [2.0]\n"
    "  const %half : f32[] = [0.5]\n"
    "  %nf = Cast(%n) {to = 1}\n"
    "  %r = Range(%zero, %nf, %one)\n"
    "  %inc = Div(%two, %nf)\n"
    "  %ang = Mul(%r, %inc)\n"
    "  %ang2 = Mul(%ang, %two)\n"
    "  %c1 = Cos(%ang)\n"
    "  %c2 = Cos(%ang2)\n"
    "  %t0 = Sub(%half, %c1)\n"
    "  %t1 = Add(%t0, %c2)\n"
    "  %y : f32[10] = Cast(%t1) {to = 1}\n"
    "  output %y\n"
    "}\n";

static void test_window_expansion(void **state) {
    (void)state;
    om_graph *g = parse(window_ir);
    om_stats *st = om_stats_create();
    bool changed = false;
    assert_int_equal(run(g, st, &changed), OM_OK);
    assert_true(changed);
    const char *forced[] = {"r", "ang", "ang2", "c1", "c2", "t0", "t1"};
    for (size_t i = 0; i < sizeof(forced) / sizeof(forced[0]); i++) {
        const om_value *v = val(g, forced[i]);
        t_expect_shape(v, S(10));
        assert_int_equal(v->dtype, OM_DT_UNDEFINED); /* the pass sets shapes only */
    }
    /* the scalar chain from n is left to infer-shapes */
    assert_int_equal(val(g, "nf")->shape.rank, -1);
    assert_int_equal(val(g, "inc")->shape.rank, -1);
    assert_int_equal(val(g, "n")->shape.rank, 0);
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "values-declared"), 7);
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "conflicts"), 0);

    /* idempotent */
    changed = true;
    assert_int_equal(run(g, st, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "values-declared"), 7);

    /* infer-shapes now takes the declared shape for the run-time Range limit */
    om_pass_opts io = {.pass_name = "infer-shapes"};
    assert_int_equal(om_pass_infer_shapes(g, &io, &changed), OM_OK);
    t_expect_shape(val(g, "r"), S(10));
    assert_int_equal(val(g, "r")->dtype, OM_DT_FLOAT);
    assert_int_equal(val(g, "inc")->shape.rank, 0);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_window_refused_without_pass(void **state) {
    (void)state;
    /* the reason for the pass: without it the Range output is not declared */
    om_graph *g = parse(window_ir);
    om_pass_opts io = {.pass_name = "infer-shapes"};
    bool changed;
    t_expect_error(om_pass_infer_shapes(g, &io, &changed), OM_ERR_UNSUPPORTED, "must be a compile-time constant");
    om_graph_destroy(g);
}

static void test_not_forced(void **state) {
    (void)state;
    om_graph *g = parse("graph \"s\" opset 17 {\n"
                        "  input %n : f32[]\n"
                        "  input %x : f32[10]\n"
                        "  input %u : f32[?]\n"
                        "  const %zero : f32[] = [0.0]\n"
                        "  const %one : f32[] = [1.0]\n"
                        "  const %col : f32[3,1] = [1.0, 2.0, 3.0]\n"
                        "  const %ones11 : f32[1,1] = [1.0]\n"
                        "  %r1 = Range(%zero, %n, %one)\n"
                        "  %y1 : f32[3,10] = Mul(%r1, %col)\n"      /* widening broadcast */
                        "  %r2 = Range(%zero, %n, %one)\n"
                        "  %y2 : f32[10] = Add(%r2, %x)\n"          /* r2 may be a scalar */
                        "  %r3 = Range(%zero, %n, %one)\n"
                        "  %r4 = Range(%one, %n, %one)\n"
                        "  %y3 : f32[10] = Sub(%r3, %r4)\n"         /* two unknowns */
                        "  %r5 = Range(%zero, %n, %one)\n"
                        "  %y4 : f32[1,10] = Mul(%r5, %ones11)\n"   /* r5 may be [10] */
                        "  %y5 : f32[4] = Relu(%u)\n"               /* graph input */
                        "  %r6 : ?[2,?] = Range(%zero, %n, %one)\n"
                        "  %y6 : f32[3] = Exp(%r6)\n"               /* known other rank */
                        "  output %y1, %y2, %y3, %y4, %y5, %y6\n"
                        "}\n");
    om_stats *st = om_stats_create();
    bool changed = true;
    assert_int_equal(run(g, st, &changed), OM_OK);
    assert_false(changed);
    const char *unknown[] = {"r1", "r2", "r3", "r4", "r5"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        if (val(g, unknown[i])->shape.rank != -1) fail_msg("'%s' got a shape", unknown[i]);
    assert_int_equal(val(g, "u")->shape.rank, 1);
    assert_int_equal(val(g, "u")->shape.dims[0], OM_DIM_UNKNOWN);
    assert_int_equal(val(g, "r6")->shape.rank, 2);
    assert_int_equal(val(g, "r6")->shape.dims[1], OM_DIM_UNKNOWN);
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "values-declared"), 0);
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "conflicts"), 1);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_forced_by_ones_and_later_sweep(void **state) {
    (void)state;
    om_graph *g = parse("graph \"o\" opset 17 {\n"
                        "  input %n : f32[]\n"
                        "  const %zero : f32[] = [0.0]\n"
                        "  const %one : f32[] = [1.0]\n"
                        "  const %ones1 : f32[1] = [1.0]\n"
                        "  const %ones11 : f32[1,1] = [1.0]\n"
                        "  %a = Range(%zero, %n, %one)\n"
                        "  %ya : f32[10] = Mul(%a, %ones1)\n"      /* [1] cannot widen [10] */
                        "  %b = Range(%zero, %n, %one)\n"
                        "  %yb : f32[3,10] = Add(%b, %ones11)\n"   /* leading 3: b is [3,10] */
                        "  %p = Range(%zero, %n, %one)\n"
                        "  %q = Range(%one, %n, %one)\n"
                        "  %yq : f32[1] = Relu(%q)\n"              /* sweep 1: q is [1] */
                        "  %yp : f32[10] = Mul(%p, %q)\n"          /* sweep 2: p is [10] */
                        "  output %ya, %yb, %yq, %yp\n"
                        "}\n");
    om_stats *st = om_stats_create();
    bool changed = false;
    assert_int_equal(run(g, st, &changed), OM_OK);
    assert_true(changed);
    t_expect_shape(val(g, "a"), S(10));
    t_expect_shape(val(g, "b"), S(3, 10));
    t_expect_shape(val(g, "q"), S(1));
    t_expect_shape(val(g, "p"), S(10));
    assert_int_equal(t_stat(st, "propagate-declared-shapes", "values-declared"), 4);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

/* A model infer-shapes handles alone comes out the same with the pass first: scalar
 * reductions, keepdims [1] and broadcasts next to declared outputs are never given the
 * output's shape. */
static void test_same_result_as_infer_alone(void **state) {
    (void)state;
    static const char text[] =
        "graph \"m\" opset 17 {\n"
        "  input %x : f32[2,10]\n"
        "  const %ax : i64[1] = [1]\n"
        "  const %ones : f32[1,1] = [1.0]\n"
        "  %s = ReduceSum(%x, %ax) {keepdims = 1}\n"
        "  %m = Mul(%s, %ones)\n"
        "  %e = Exp(%m)\n"
        "  %y1 : f32[2,10] = Add(%x, %e)\n"
        "  %k = ReduceMax(%x) {keepdims = 0}\n"
        "  %y2 : f32[2,10] = Sub(%x, %k)\n"
        "  %t = Transpose(%x) {perm = [1, 0]}\n"
        "  %y3 : f32[10,2] = Relu(%t)\n"
        "  output %y1, %y2, %y3\n"
        "}\n";
    om_graph *a = parse(text), *b = parse(text);
    bool changed;
    om_pass_opts io = {.pass_name = "infer-shapes"};
    assert_int_equal(om_pass_infer_shapes(a, &io, &changed), OM_OK);
    assert_int_equal(run(b, NULL, &changed), OM_OK);
    assert_true(changed); /* t gets [10,2] */
    t_expect_shape(val(b, "t"), S(10, 2));
    assert_int_equal(val(b, "s")->shape.rank, -1);
    assert_int_equal(val(b, "e")->shape.rank, -1);
    assert_int_equal(val(b, "k")->shape.rank, -1);
    assert_int_equal(om_pass_infer_shapes(b, &io, &changed), OM_OK);
    char *ta = NULL, *tb = NULL;
    om_print_opts po = {0};
    assert_int_equal(om_ir_print_to_string(a, &po, &ta), OM_OK);
    assert_int_equal(om_ir_print_to_string(b, &po, &tb), OM_OK);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    om_graph_destroy(a);
    om_graph_destroy(b);
}

static void test_bad_arguments(void **state) {
    (void)state;
    bool changed = true;
    t_expect_error(om_pass_propagate_declared(NULL, NULL, &changed), OM_ERR_INVALID_ARGUMENT, "no graph");
    om_graph *g = om_graph_create("empty");
    assert_non_null(g);
    assert_int_equal(om_pass_propagate_declared(g, NULL, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(om_pass_propagate_declared(g, NULL, NULL), OM_OK);
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_expansion),
        cmocka_unit_test(test_window_refused_without_pass),
        cmocka_unit_test(test_not_forced),
        cmocka_unit_test(test_forced_by_ones_and_later_sweep),
        cmocka_unit_test(test_same_result_as_infer_alone),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
