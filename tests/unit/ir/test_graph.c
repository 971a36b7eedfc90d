/* Unit tests for the graph API: values, constants, inputs/outputs, nodes (add, insert),
 * remove_dead, compact, toposort, replace_uses, count_uses, unique names, attributes,
 * the op table and the arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ir/ir.h"

static om_shape shape2(int64_t a, int64_t b)
{
    int64_t d[2] = {a, b};
    return om_shape_make(2, d);
}

static void test_create_destroy(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("main");
    assert_non_null(g);
    assert_string_equal(g->name, "main");
    assert_int_equal(g->n_values, 0);
    assert_int_equal(g->n_nodes, 0);
    assert_int_equal(g->arena_size, -1);
    om_graph_destroy(g);
    om_graph_destroy(NULL);
    g = om_graph_create(NULL);
    assert_non_null(g);
    assert_string_equal(g->name, "");
    om_graph_destroy(g);
}

static void test_alloc_aligned_zeroed(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    for (size_t size = 0; size < 300000; size = size * 3 + 1) {
        unsigned char *p = om_graph_alloc(g, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 64, 0);
        for (size_t i = 0; i < size; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, size); /* ASan catches overruns */
    }
    assert_string_equal(om_graph_strdup(g, "abc"), "abc");
    assert_null(om_graph_strdup(g, NULL));
    om_graph_destroy(g);
}

static void test_values_and_unique_names(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    om_shape s = shape2(2, 3);
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, &s);
    assert_non_null(x);
    assert_string_equal(x->name, "x");
    assert_int_equal(x->id, 0);
    assert_int_equal(x->kind, OM_VALUE_INTERMEDIATE);
    assert_int_equal(x->mem_offset, -1);
    assert_true(om_shape_equal(&x->shape, &s));
    om_value *x1 = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    assert_string_equal(x1->name, "x_1");
    assert_int_equal(x1->shape.rank, -1);
    om_value *x2 = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    assert_string_equal(x2->name, "x_2");
    /* a user-provided name that collides with a generated one */
    om_value *y = om_graph_add_value(g, "x_3", OM_DT_FLOAT, NULL);
    assert_string_equal(y->name, "x_3");
    om_value *x4 = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    assert_string_equal(x4->name, "x_4");
    om_value *a = om_graph_add_value(g, NULL, OM_DT_UNDEFINED, NULL);
    om_value *b = om_graph_add_value(g, NULL, OM_DT_UNDEFINED, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a->name, b->name);
    assert_ptr_equal(om_graph_find_value(g, "x_3"), y);
    assert_ptr_equal(om_graph_find_value(g, a->name), a);
    assert_null(om_graph_find_value(g, "nope"));
    for (size_t i = 0; i < g->n_values; i++)
        assert_int_equal(g->values[i]->id, i);
    /* many values with the same base stay unique and findable */
    for (int i = 0; i < 3000; i++)
        assert_non_null(om_graph_add_value(g, "t", OM_DT_FLOAT, NULL));
    assert_non_null(om_graph_find_value(g, "t_2999"));
    assert_null(om_graph_find_value(g, "t_3000"));
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_symbolic_shape_copied(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    char sym[16] = "batch";
    om_shape s = shape2(-1, 4);
    s.syms[0] = sym;
    om_value *v = om_graph_add_value(g, "v", OM_DT_FLOAT, &s);
    strcpy(sym, "XXXX"); /* the graph keeps its own copy */
    assert_string_equal(v->shape.syms[0], "batch");
    assert_int_equal(v->shape.dims[0], OM_DIM_UNKNOWN);
    om_shape bad = {.rank = 9};
    assert_null(om_graph_add_value(g, "bad", OM_DT_FLOAT, &bad));
    om_graph_destroy(g);
}

static void test_constants(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    float data[6] = {1, 2, 3, 4, 5, 6};
    om_shape s = shape2(2, 3);
    om_value *c = om_graph_add_constant(g, "w", OM_DT_FLOAT, &s, data, sizeof data);
    assert_non_null(c);
    assert_int_equal(c->kind, OM_VALUE_CONSTANT);
    assert_int_equal(c->nbytes, 24);
    assert_ptr_not_equal(c->data, data);
    assert_memory_equal(c->data, data, sizeof data);
    assert_int_equal((uintptr_t)c->data % 64, 0);
    /* wrong size */
    assert_null(om_graph_add_constant(g, "w2", OM_DT_FLOAT, &s, data, 20));
    assert_non_null(strstr(om_last_error(), "w2"));
    /* non-static shape */
    om_shape dyn = shape2(-1, 3);
    assert_null(om_graph_add_constant(g, "w3", OM_DT_FLOAT, &dyn, data, 24));
    /* strings have no element size */
    assert_null(om_graph_add_constant(g, "w4", OM_DT_STRING, &s, data, 0));
    /* scalar and empty tensors */
    int64_t one = 42;
    om_shape sc = om_shape_scalar();
    om_value *k = om_graph_add_constant(g, "k", OM_DT_INT64, &sc, &one, 8);
    assert_non_null(k);
    assert_int_equal(*(const int64_t *)k->data, 42);
    om_shape empty = shape2(0, 3);
    assert_non_null(om_graph_add_constant(g, "e", OM_DT_FLOAT, &empty, NULL, 0));
    assert_int_equal(g->n_values, 3);
    om_graph_destroy(g);
}

static void test_inputs_outputs(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    assert_int_equal(om_graph_add_input(g, x), OM_OK);
    assert_int_equal(x->kind, OM_VALUE_INPUT);
    assert_int_equal(g->n_inputs, 1);
    assert_int_not_equal(om_graph_add_input(g, x), OM_OK); /* twice */
    float f = 1;
    om_shape sc = om_shape_scalar();
    om_value *c = om_graph_add_constant(g, "c", OM_DT_FLOAT, &sc, &f, 4);
    assert_int_equal(om_graph_add_input(g, c), OM_ERR_INVALID_MODEL);
    assert_int_equal(om_graph_add_output(g, x), OM_OK);
    assert_true(x->is_output);
    assert_int_equal(g->n_outputs, 1);
    assert_int_equal(om_graph_add_output(g, NULL), OM_ERR_INVALID_ARGUMENT);
    /* a value of another graph */
    om_graph *h = om_graph_create("h");
    om_value *other = om_graph_add_value(h, "o", OM_DT_FLOAT, NULL);
    om_value *other2 = om_graph_add_value(h, "o2", OM_DT_FLOAT, NULL);
    (void)other;
    assert_int_equal(om_graph_add_output(g, other2), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(h);
    om_graph_destroy(g);
}

/* x -> Relu -> a -> Sigmoid -> b ; output b */
static om_graph *chain(om_value **x, om_value **a, om_value **b, om_node **n1, om_node **n2)
{
    om_graph *g = om_graph_create("chain");
    *x = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    om_graph_add_input(g, *x);
    *a = om_graph_add_value(g, "a", OM_DT_FLOAT, NULL);
    *b = om_graph_add_value(g, "b", OM_DT_FLOAT, NULL);
    *n1 = om_graph_add_node(g, OM_OP_RELU, "relu", x, 1, a, 1);
    *n2 = om_graph_add_node(g, OM_OP_SIGMOID, "sig", a, 1, b, 1);
    om_graph_add_output(g, *b);
    return g;
}

static void test_add_node(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    assert_non_null(n1);
    assert_non_null(n2);
    assert_int_equal(g->n_nodes, 2);
    assert_ptr_equal(g->nodes[0], n1);
    assert_ptr_equal(a->producer, n1);
    assert_int_equal(a->producer_output, 0);
    assert_string_equal(n1->name, "relu");
    assert_int_not_equal(n1->id, n2->id);
    assert_ptr_equal(om_node_input(n2, 0), a);
    assert_null(om_node_input(n2, 1));
    assert_null(om_node_input(n2, -1));
    assert_int_equal(om_ir_verify(g), OM_OK);
    /* NULL name becomes "" */
    om_value *c = om_graph_add_value(g, "c", OM_DT_FLOAT, NULL);
    om_node *n3 = om_graph_add_node(g, OM_OP_TANH, NULL, &b, 1, &c, 1);
    assert_string_equal(n3->name, "");
    /* optional input omitted */
    om_value *ins[3] = {x, x, NULL};
    om_value *d = om_graph_add_value(g, "d", OM_DT_FLOAT, NULL);
    om_node *conv = om_graph_add_node(g, OM_OP_CONV, "conv", ins, 3, &d, 1);
    assert_non_null(conv);
    assert_null(om_node_input(conv, 2));
    /* bad calls */
    assert_null(om_graph_add_node(g, OM_OP_COUNT, "bad", &x, 1, &d, 1));
    om_value *nullout = NULL;
    assert_null(om_graph_add_node(g, OM_OP_RELU, "bad", &x, 1, &nullout, 1));
    assert_null(om_graph_add_node(g, OM_OP_RELU, "bad", &x, -1, &d, 1));
    assert_int_equal(g->n_nodes, 4);
    om_graph_destroy(g);
}

static void test_insert_before_after(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    /* insert Identity between relu and sig: x -> relu -> a -> id -> a2 -> sig */
    om_value *a2 = om_graph_add_value(g, "a2", OM_DT_FLOAT, NULL);
    om_node *id = om_graph_insert_node_after(g, n1, OM_OP_IDENTITY, "id", &a, 1, &a2, 1);
    assert_non_null(id);
    n2->inputs[0] = a2;
    assert_int_equal(g->n_nodes, 3);
    assert_ptr_equal(g->nodes[1], id);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_value *x2 = om_graph_add_value(g, "x2", OM_DT_FLOAT, NULL);
    om_node *first = om_graph_insert_node_before(g, n1, OM_OP_RELU, "first", &x, 1, &x2, 1);
    assert_ptr_equal(g->nodes[0], first);
    assert_ptr_equal(g->nodes[1], n1);
    om_node *last = om_graph_insert_node_after(g, n2, OM_OP_RELU, "last", &x, 1,
                                               (om_value *[]){om_graph_add_value(g, "z", OM_DT_FLOAT, NULL)}, 1);
    assert_ptr_equal(g->nodes[g->n_nodes - 1], last);
    /* position not in the graph */
    om_node fake = {0};
    assert_null(om_graph_insert_node_before(g, &fake, OM_OP_RELU, "bad", &x, 1, &x2, 1));
    assert_null(om_graph_insert_node_after(g, NULL, OM_OP_RELU, "bad", &x, 1, &x2, 1));
    assert_int_equal(g->n_nodes, 5);
    om_graph_destroy(g);
}

static void test_remove_dead_and_compact(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    om_value *unused = om_graph_add_value(g, "unused", OM_DT_FLOAT, NULL);
    float f = 2;
    om_shape sc = om_shape_scalar();
    om_graph_add_constant(g, "dead_const", OM_DT_FLOAT, &sc, &f, 4);
    (void)unused;
    /* bypass relu: sig reads x directly; relu becomes dead */
    om_graph_replace_uses(g, a, x);
    assert_ptr_equal(n2->inputs[0], x);
    assert_int_equal(om_graph_count_uses(g, a), 0);
    n1->dead = true;
    om_graph_remove_dead(g);
    assert_int_equal(g->n_nodes, 1);
    assert_ptr_equal(g->nodes[0], n2);
    assert_null(a->producer);
    assert_int_equal(g->n_values, 5);
    om_graph_compact(g);
    assert_int_equal(g->n_values, 2); /* x, b */
    assert_ptr_equal(g->values[0], x);
    assert_ptr_equal(g->values[1], b);
    assert_int_equal(x->id, 0);
    assert_int_equal(b->id, 1);
    assert_null(om_graph_find_value(g, "unused"));
    assert_null(om_graph_find_value(g, "dead_const"));
    assert_ptr_equal(om_graph_find_value(g, "b"), b);
    /* names freed by compaction can be reused */
    om_value *u2 = om_graph_add_value(g, "unused", OM_DT_FLOAT, NULL);
    assert_string_equal(u2->name, "unused");
    assert_int_equal(u2->id, 2);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_compact_keeps_dead_marked_only_when_live(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    /* compact removes dead nodes itself */
    om_value *c = om_graph_add_value(g, "c", OM_DT_FLOAT, NULL);
    om_node *n3 = om_graph_add_node(g, OM_OP_TANH, "t", &a, 1, &c, 1);
    n3->dead = true;
    om_graph_compact(g);
    assert_int_equal(g->n_nodes, 2);
    assert_null(om_graph_find_value(g, "c"));
    assert_non_null(om_graph_find_value(g, "a"));
    om_graph_destroy(g);
}

static void test_replace_uses_outputs(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    om_graph_replace_uses(g, b, a);
    assert_ptr_equal(g->outputs[0], a);
    assert_true(a->is_output);
    assert_false(b->is_output);
    /* a is read by sig once */
    assert_int_equal(om_graph_count_uses(g, a), 1);
    assert_int_equal(om_graph_count_uses(g, x), 1);
    /* multiple uses in one node are each counted; dead nodes are not */
    om_value *ins[2] = {x, x};
    om_value *s = om_graph_add_value(g, "s", OM_DT_FLOAT, NULL);
    om_node *add = om_graph_add_node(g, OM_OP_ADD, "add", ins, 2, &s, 1);
    assert_int_equal(om_graph_count_uses(g, x), 3);
    add->dead = true;
    assert_int_equal(om_graph_count_uses(g, x), 1);
    om_graph_replace_uses(g, x, x); /* no-op */
    om_graph_destroy(g);
}

static void test_toposort(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("g");
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    om_graph_add_input(g, x);
    om_value *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = om_graph_add_value(g, NULL, OM_DT_FLOAT, NULL);
    /* added in reverse dependency order: n3 reads v2, n2 reads v1, n1 reads v0, n0 reads x */
    om_node *n3 = om_graph_add_node(g, OM_OP_RELU, "n3", &v[2], 1, &v[3], 1);
    om_node *n2 = om_graph_add_node(g, OM_OP_RELU, "n2", &v[1], 1, &v[2], 1);
    om_node *n1 = om_graph_add_node(g, OM_OP_RELU, "n1", &v[0], 1, &v[1], 1);
    om_node *n0 = om_graph_add_node(g, OM_OP_RELU, "n0", &x, 1, &v[0], 1);
    /* an independent node stays as early as it was */
    om_value *w = om_graph_add_value(g, "w", OM_DT_FLOAT, NULL);
    om_node *ind = om_graph_insert_node_before(g, n3, OM_OP_RELU, "ind", &x, 1, &w, 1);
    om_graph_add_output(g, v[3]);
    om_graph_add_output(g, w);
    assert_int_equal(om_ir_verify(g), OM_ERR_INVALID_MODEL);
    assert_int_equal(om_graph_toposort(g), OM_OK);
    assert_ptr_equal(g->nodes[0], ind);
    assert_ptr_equal(g->nodes[1], n0);
    assert_ptr_equal(g->nodes[2], n1);
    assert_ptr_equal(g->nodes[3], n2);
    assert_ptr_equal(g->nodes[4], n3);
    assert_int_equal(om_ir_verify(g), OM_OK);
    /* sorting a sorted graph changes nothing */
    assert_int_equal(om_graph_toposort(g), OM_OK);
    assert_ptr_equal(g->nodes[0], ind);
    assert_ptr_equal(g->nodes[4], n3);
    om_graph_destroy(g);
}

static void test_toposort_cycle(void **state)
{
    (void)state;
    om_graph *g = om_graph_create("cyc");
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, NULL);
    om_graph_add_input(g, x);
    om_value *a = om_graph_add_value(g, "a", OM_DT_FLOAT, NULL);
    om_value *b = om_graph_add_value(g, "b", OM_DT_FLOAT, NULL);
    om_value *c = om_graph_add_value(g, "c", OM_DT_FLOAT, NULL);
    om_node *pre = om_graph_add_node(g, OM_OP_RELU, "pre", &x, 1, &c, 1);
    om_node *p = om_graph_add_node(g, OM_OP_ADD, "p", (om_value *[]){c, b}, 2, &a, 1);
    om_node *q = om_graph_add_node(g, OM_OP_RELU, "q", &a, 1, &b, 1);
    (void)p;
    (void)q;
    assert_int_equal(om_graph_toposort(g), OM_ERR_INVALID_MODEL);
    const char *msg = om_last_error();
    assert_non_null(strstr(msg, "cycle"));
    assert_true(strstr(msg, "node 'p' (Add)") || strstr(msg, "node 'q' (Relu)"));
    /* the node list is left as it was */
    assert_ptr_equal(g->nodes[0], pre);
    assert_int_equal(g->n_nodes, 3);
    /* a self-loop */
    om_graph *h = om_graph_create("self");
    om_value *s = om_graph_add_value(h, "s", OM_DT_FLOAT, NULL);
    om_graph_add_node(h, OM_OP_RELU, "loop", &s, 1, &s, 1);
    assert_int_equal(om_graph_toposort(h), OM_ERR_INVALID_MODEL);
    assert_non_null(strstr(om_last_error(), "node 'loop' (Relu)"));
    om_graph_destroy(h);
    om_graph_destroy(g);
}

static void test_attrs(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    om_node *n = n1;
    assert_int_equal(om_node_set_int(g, n, "axis", 1), OM_OK);
    assert_int_equal(om_node_set_float(g, n, "alpha", 0.25f), OM_OK);
    assert_int_equal(om_node_set_string(g, n, "mode", "constant"), OM_OK);
    int64_t ks[2] = {3, 3};
    assert_int_equal(om_node_set_ints(g, n, "kernel_shape", ks, 2), OM_OK);
    ks[0] = 99; /* copied */
    float fs[3] = {0.5f, 1.5f, -2.0f};
    assert_int_equal(om_node_set_floats(g, n, "scales", fs, 3), OM_OK);
    const char *ss[2] = {"a", "b"};
    assert_int_equal(om_node_set_strings(g, n, "names", ss, 2), OM_OK);
    assert_int_equal(n->n_attrs, 6);
    assert_int_equal(om_node_int(n, "axis", -7), 1);
    assert_int_equal(om_node_int(n, "missing", -7), -7);
    assert_int_equal(om_node_int(n, "alpha", -7), -7); /* wrong kind -> default */
    assert_true(om_node_float(n, "alpha", 0) == 0.25f);
    assert_true(om_node_float(n, "axis", 9.0f) == 9.0f);
    assert_string_equal(om_node_string(n, "mode", "x"), "constant");
    assert_string_equal(om_node_string(n, "nope", "dflt"), "dflt");
    const int64_t *got;
    assert_int_equal(om_node_ints(n, "kernel_shape", &got), 2);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], 3);
    assert_int_equal(om_node_ints(n, "nope", &got), -1);
    assert_null(got);
    const om_attr *at = om_node_attr(n, "scales");
    assert_non_null(at);
    assert_int_equal(at->kind, OM_ATTR_FLOATS);
    assert_int_equal(at->count, 3);
    assert_true(at->floats[2] == -2.0f);
    at = om_node_attr(n, "names");
    assert_string_equal(at->strings[1], "b");
    /* replace keeps the position and changes the kind */
    assert_int_equal(om_node_set_string(g, n, "axis", "now a string"), OM_OK);
    assert_int_equal(n->n_attrs, 6);
    assert_string_equal(n->attrs[0].name, "axis");
    assert_int_equal(n->attrs[0].kind, OM_ATTR_STRING);
    assert_int_equal(om_node_int(n, "axis", 5), 5);
    /* empty lists */
    assert_int_equal(om_node_set_ints(g, n, "pads", NULL, 0), OM_OK);
    assert_int_equal(om_node_ints(n, "pads", &got), 0);
    /* bad arguments */
    assert_int_equal(om_node_set_ints(g, n, "bad", NULL, 2), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(om_node_set_floats(g, n, "bad", fs, -1), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(om_node_set_string(g, n, "bad", NULL), OM_ERR_INVALID_ARGUMENT);
    assert_null(om_node_attr(n, "bad"));
    /* remove */
    assert_int_equal(om_node_remove_attr(n, "alpha"), OM_OK);
    assert_null(om_node_attr(n, "alpha"));
    assert_int_equal(n->n_attrs, 6);
    assert_string_equal(n->attrs[1].name, "mode"); /* order kept */
    assert_int_equal(om_node_remove_attr(n, "alpha"), OM_ERR_INVALID_ARGUMENT);
    assert_int_equal(om_ir_verify(g), OM_OK);
    om_graph_destroy(g);
}

static void test_tensor_attr(void **state)
{
    (void)state;
    om_value *x, *a, *b;
    om_node *n1, *n2;
    om_graph *g = chain(&x, &a, &b, &n1, &n2);
    size_t before = g->n_values;
    float data[2] = {1.0f, 2.0f};
    int64_t d = 2;
    om_shape s = om_shape_make(1, &d);
    om_value *c = om_graph_add_constant(g, "value", OM_DT_FLOAT, &s, data, sizeof data);
    assert_int_equal(g->n_values, before + 1);
    assert_int_equal(om_node_set_tensor(g, n1, "value", c), OM_OK);
    /* the just-added unused constant is taken out of the graph's values */
    assert_int_equal(g->n_values, before);
    assert_null(om_graph_find_value(g, "value"));
    const om_attr *at = om_node_attr(n1, "value");
    assert_non_null(at);
    assert_int_equal(at->kind, OM_ATTR_TENSOR);
    assert_int_equal(at->tensor->kind, OM_VALUE_CONSTANT);
    assert_memory_equal(at->tensor->data, data, sizeof data);
    /* a constant that is in use stays a graph value */
    om_value *c2 = om_graph_add_constant(g, "used", OM_DT_FLOAT, &s, data, sizeof data);
    n2->inputs[0] = c2;
    assert_int_equal(om_node_set_tensor(g, n1, "t2", c2), OM_OK);
    assert_ptr_equal(om_graph_find_value(g, "used"), c2);
    /* not a constant */
    assert_int_equal(om_node_set_tensor(g, n1, "t3", x), OM_ERR_INVALID_ARGUMENT);
    om_graph_destroy(g);
}

static void test_op_table(void **state)
{
    (void)state;
    assert_string_equal(om_op_name(OM_OP_CONV), "Conv");
    assert_int_equal(om_op_lookup("Conv"), OM_OP_CONV);
    assert_int_equal(om_op_lookup("MaxPool"), OM_OP_MAX_POOL);
    assert_int_equal(om_op_lookup("conv"), OM_OP_COUNT);
    assert_int_equal(om_op_lookup(NULL), OM_OP_COUNT);
    assert_string_equal(om_op_name(OM_OP_COUNT), "?");
    assert_null(om_op_get(OM_OP_COUNT));
    assert_null(om_op_get((om_op)-1));
    const om_op_info *concat = om_op_get(OM_OP_CONCAT);
    assert_int_equal(concat->min_inputs, 1);
    assert_int_equal(concat->max_inputs, -1);
    const om_op_info *mp = om_op_get(OM_OP_MAX_POOL);
    assert_int_equal(mp->max_outputs, 2);
    for (int i = 0; i < OM_OP_COUNT; i++)
        assert_int_equal(om_op_lookup(om_op_name((om_op)i)), i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_destroy),
        cmocka_unit_test(test_alloc_aligned_zeroed),
        cmocka_unit_test(test_values_and_unique_names),
        cmocka_unit_test(test_symbolic_shape_copied),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_inputs_outputs),
        cmocka_unit_test(test_add_node),
        cmocka_unit_test(test_insert_before_after),
        cmocka_unit_test(test_remove_dead_and_compact),
        cmocka_unit_test(test_compact_keeps_dead_marked_only_when_live),
        cmocka_unit_test(test_replace_uses_outputs),
        cmocka_unit_test(test_toposort),
        cmocka_unit_test(test_toposort_cycle),
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_tensor_attr),
        cmocka_unit_test(test_op_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
