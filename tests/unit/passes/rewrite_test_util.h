/* Helpers for the rewrite-pass tests (simplify, cse, fold-batchnorm, fold-mul-add,
 * matmul-add-to-gemm, layernorm-fusion, gelu-fusion): graphs come from IR text, a pass is run
 * through the registry with a stats object, and results are read back by value name. */
#ifndef OM_TESTS_REWRITE_TEST_UTIL_H
#define OM_TESTS_REWRITE_TEST_UTIL_H

#include "tests/unit/passes/pass_test_util.h"

static inline om_graph *rw_parse(const char *text) {
    om_graph *g = NULL;
    om_status st = om_ir_parse(text, strlen(text), "test.ir", &g);
    if (st != OM_OK)
        fail_msg("parse: %s", om_last_error());
    return g;
}

/* Runs pass `name` (then verifies the graph); returns the counter `counter` of that pass. */
static inline int64_t rw_run(om_graph *g, const char *name, const char *counter, bool *changed) {
    const om_pass_info *p = om_pass_find(name);
    assert_non_null(p);
    om_stats *s = om_stats_create();
    om_pass_opts o;
    memset(&o, 0, sizeof o);
    o.stats = s;
    o.pass_name = name;
    bool ch = false;
    om_status st = p->run(g, &o, &ch);
    if (st != OM_OK)
        fail_msg("%s: %s", name, om_last_error());
    if (om_ir_verify(g) != OM_OK)
        fail_msg("verify after %s: %s", name, om_last_error());
    int64_t v = counter ? t_stat(s, name, counter) : 0;
    om_stats_destroy(s);
    if (changed)
        *changed = ch;
    return v;
}

static inline int rw_count_op(const om_graph *g, om_op op) {
    int n = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->dead && g->nodes[i]->op == op)
            n++;
    return n;
}

/* The live producer of value `name` (fails the test when absent). */
static inline om_node *rw_producer(const om_graph *g, const char *name) {
    om_value *v = om_graph_find_value(g, name);
    if (!v || !v->producer || v->producer->dead)
        fail_msg("value '%s' has no live producer", name);
    return v->producer;
}

/* Element i of an f32 constant. */
static inline float rw_f32(const om_value *v, int64_t i) {
    assert_non_null(v);
    assert_int_equal(v->kind, OM_VALUE_CONSTANT);
    assert_int_equal(v->dtype, OM_DT_FLOAT);
    assert_true(i >= 0 && (size_t)(i + 1) * 4 <= v->nbytes);
    float f;
    memcpy(&f, (const char *)v->data + i * 4, 4);
    return f;
}

#endif
