/* Tests for passes/plan_memory.c: no two values live at the same time overlap (checked
 * for all pairs against lifetimes recomputed here), offsets are 64-byte aligned, the
 * arena is between the peak of live bytes and the sum of sizes, a chain reuses memory,
 * and non-planned values keep mem_offset -1. */
#include "pass_test_util.h"

typedef struct life {
    long first, last;
} life;

/* Lifetime of v in node indices: [producer, last reader] inclusive. */
static life lifetime(const om_graph *g, const om_value *v) {
    life l = {-1, -1};
    for (size_t k = 0; k < g->n_nodes; k++) {
        const om_node *n = g->nodes[k];
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o] == v) l.first = l.last = (long)k;
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] == v && (long)k > l.last) l.last = (long)k;
    }
    return l;
}

static int64_t vsize(const om_value *v) {
    return om_shape_numel(&v->shape) * (int64_t)om_dtype_size(v->dtype);
}

static bool is_planned(const om_value *v) { return v->kind == OM_VALUE_INTERMEDIATE && !v->is_output; }

/* Checks the plan; returns the sum of the planned sizes rounded to 64. */
static int64_t check_plan(const om_graph *g) {
    int64_t sum = 0;
    assert_true(g->arena_size >= 0);
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *a = g->values[i];
        if (!is_planned(a)) {
            assert_int_equal(a->mem_offset, -1);
            continue;
        }
        assert_true(a->mem_offset >= 0);
        assert_int_equal(a->mem_offset % 64, 0);
        assert_true(a->mem_offset + vsize(a) <= g->arena_size);
        sum += (vsize(a) + 63) / 64 * 64;
        life la = lifetime(g, a);
        for (size_t j = i + 1; j < g->n_values; j++) {
            const om_value *b = g->values[j];
            if (!is_planned(b) || vsize(a) == 0 || vsize(b) == 0) continue;
            life lb = lifetime(g, b);
            bool live_together = la.first <= lb.last && lb.first <= la.last;
            bool overlap = a->mem_offset < b->mem_offset + vsize(b) && b->mem_offset < a->mem_offset + vsize(a);
            if (live_together && overlap)
                fail_msg("'%s' [%lld,+%lld) and '%s' [%lld,+%lld) are live together and overlap", a->name,
                         (long long)a->mem_offset, (long long)vsize(a), b->name, (long long)b->mem_offset,
                         (long long)vsize(b));
        }
    }
    return sum;
}

static void test_chain_reuses_memory(void **state) {
    enum { N = 20 };
    om_graph *g = om_graph_create("chain");
    om_value *v = t_input(g, "x", OM_DT_FLOAT, S(1000)); /* 4000 bytes -> 4032 rounded */
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        v = t_node(g, OM_OP_RELU, name, &v, 1, name)->outputs[0];
        v->dtype = OM_DT_FLOAT;
        v->shape = S(1000);
    }
    assert_int_equal(om_graph_add_output(g, v), OM_OK);
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "plan-memory"};
    bool changed = false;
    assert_int_equal(om_pass_plan_memory(g, &opts, &changed), OM_OK);
    assert_true(changed);
    int64_t sum = check_plan(g);
    assert_int_equal(sum, (N - 1) * 4032);
    assert_int_equal(g->arena_size, 2 * 4032); /* ping-pong */
    assert_int_equal(t_stat(st, "plan-memory", "arena-bytes"), 2 * 4032);
    assert_int_equal(t_stat(st, "plan-memory", "peak-live-bytes"), 2 * 4032);
    assert_int_equal(t_stat(st, "plan-memory", "intermediates-bytes"), sum);
    assert_int_equal(t_stat(st, "plan-memory", "values-planned"), N - 1);
    assert_int_equal(v->mem_offset, -1); /* the output has its own buffer */
    assert_int_equal(g->inputs[0]->mem_offset, -1);
    /* planning again gives the same plan */
    changed = true;
    assert_int_equal(om_pass_plan_memory(g, &opts, &changed), OM_OK);
    assert_false(changed);
    assert_int_equal(g->arena_size, 2 * 4032);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

/* A random DAG of Concat nodes over values of random sizes (seeded LCG). */
static void test_random_dags(void **state) {
    uint64_t seed = 12345;
#define RNG() (seed = seed * 6364136223846793005ull + 1442695040888963407ull, (unsigned)(seed >> 33))
    for (int round = 0; round < 20; round++) {
        om_graph *g = om_graph_create("dag");
        om_value *pool[64];
        int np = 0;
        for (int i = 0; i < 3; i++) {
            char name[16];
            snprintf(name, sizeof(name), "in%d", i);
            pool[np++] = t_input(g, name, OM_DT_FLOAT, S(1 + RNG() % 300));
        }
        int n_nodes = 10 + (int)(RNG() % 40);
        for (int k = 0; k < n_nodes && np < 64; k++) {
            om_value *ins[3];
            int nin = 1 + (int)(RNG() % 3);
            for (int i = 0; i < nin; i++) ins[i] = pool[np - 1 - (int)(RNG() % (np < 6 ? np : 6))];
            char name[16];
            snprintf(name, sizeof(name), "n%d", k);
            om_node *n;
            if (RNG() % 3 == 0) {
                n = t_node(g, OM_OP_RELU, name, ins, 1, name);
            } else {
                n = t_node(g, OM_OP_CONCAT, name, ins, nin, name);
                assert_int_equal(om_node_set_int(g, n, "axis", 0), OM_OK);
            }
            pool[np++] = n->outputs[0];
        }
        assert_int_equal(om_graph_add_output(g, pool[np - 1]), OM_OK);
        assert_int_equal(om_graph_add_output(g, pool[np - 3]), OM_OK);
        assert_int_equal(om_pass_infer_shapes(g, NULL, NULL), OM_OK);
        om_stats *st = om_stats_create();
        om_pass_opts opts = {.stats = st, .pass_name = "plan-memory"};
        assert_int_equal(om_pass_plan_memory(g, &opts, NULL), OM_OK);
        int64_t sum = check_plan(g);
        int64_t peak = t_stat(st, "plan-memory", "peak-live-bytes");
        assert_true(g->arena_size <= sum);
        assert_true(g->arena_size >= peak);
        assert_int_equal(t_stat(st, "plan-memory", "intermediates-bytes"), sum);
        om_stats_destroy(st);
        om_graph_destroy(g);
    }
#undef RNG
}

static void test_unread_and_empty_values(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(1, 1, 4, 4));
    om_value *outs[2] = {t_value(g, "y"), t_value(g, "idx")};
    om_node *mp = om_graph_add_node(g, OM_OP_MAX_POOL, "mp", &x, 1, outs, 2);
    assert_int_equal(om_node_set_ints(g, mp, "kernel_shape", DIMS(2, 2), 2), OM_OK);
    om_node *r = t_node(g, OM_OP_RELU, "r", &outs[0], 1, "r_out");
    om_value *z = t_input(g, "z", OM_DT_FLOAT, S(0, 3));
    om_node *e = t_node(g, OM_OP_RELU, "e", &z, 1, "empty");
    om_node *e2 = t_node(g, OM_OP_TANH, "e2", &e->outputs[0], 1, "empty2");
    assert_int_equal(om_graph_add_output(g, r->outputs[0]), OM_OK);
    assert_int_equal(om_graph_add_output(g, e2->outputs[0]), OM_OK);
    assert_int_equal(om_pass_infer_shapes(g, NULL, NULL), OM_OK);
    om_stats *st = om_stats_create();
    om_pass_opts opts = {.stats = st, .pass_name = "plan-memory"};
    assert_int_equal(om_pass_plan_memory(g, &opts, NULL), OM_OK);
    check_plan(g);
    assert_int_equal(e->outputs[0]->mem_offset, 0);
    /* y and idx are produced by the same node: disjoint (y 64 B, idx 128 B rounded) */
    assert_int_equal(g->arena_size, 64 + 128);
    assert_int_equal(t_stat(st, "plan-memory", "values-planned"), 3);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_dynamic_shape_is_an_error(void **state) {
    om_graph *g = om_graph_create("t");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 4));
    om_node *a = t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_RELU, "b", &a->outputs[0], 1, "b_out");
    assert_int_equal(om_graph_add_output(g, b->outputs[0]), OM_OK);
    assert_int_equal(om_pass_infer_shapes(g, NULL, NULL), OM_OK);
    t_expect_error(om_pass_plan_memory(g, NULL, NULL), OM_ERR_INVALID_MODEL,
                   "value 'a_out' (output of node 'a') has no static shape");
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_reuses_memory),
        cmocka_unit_test(test_random_dags),
        cmocka_unit_test(test_unread_and_empty_values),
        cmocka_unit_test(test_dynamic_shape_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
