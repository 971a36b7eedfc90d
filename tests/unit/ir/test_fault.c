/* Allocation-failure tests (SQLite's *fault.test habit): the Nth malloc/calloc/realloc
 * made by om_ir fails (linked with -Wl,--wrap), for every N until the operation runs to
 * completion. Each run must end in the normal result or a clean OM_ERR_NO_MEMORY with a
 * message, never a crash, a wrong status or (under ASan) a leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ir/ir.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

static long fail_at = -1; /* index of the allocation that fails; -1: none */
static long count;

static bool should_fail(void)
{
    return fail_at >= 0 && count++ == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

static const char *text =
    "graph \"f\" opset 17 arena 64 {\n"
    "  input %x : f32[N,2]\n"
    "  const %w : f32[2,2] = [1.0, 2.0, 3.0, 4.0]\n"
    "  const %big : u8[100] = hex\""
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "60616263\"\n"
    "  %m : f32[N,2] mem(0) = MatMul(%x, %w) name \"mm\"\n"
    "  %c = Conv(%m, %w, _) {kernel_shape = [1, 1], alpha = 0.5, mode = \"a\", f = [1.0, 2.0], "
    "s = [\"p\", \"q\"], e = ints[], t = tensor<i64[2]> [1, 2]}\n"
    "  %a, %b = MaxPool(%c)\n"
    "  %s = Concat(%a, %b, %m) {axis = 1}\n"
    "  output %s\n"
    "}\n";

typedef om_status (*scenario)(void);

/* Runs fn with allocation n failing, for n = 0, 1, ... until a run does not reach n. */
static void run_faults(scenario fn, const char *what)
{
    long n;
    for (n = 0; n < 100000; n++) {
        count = 0;
        fail_at = n;
        om_status st = fn();
        bool hit = count > n;
        fail_at = -1;
        if (st != OM_OK && st != OM_ERR_NO_MEMORY)
            fail_msg("%s: failing allocation %ld gave status %d: %s", what, n, st, om_last_error());
        if (st == OM_ERR_NO_MEMORY)
            assert_true(om_last_error()[0] != '\0');
        if (!hit) {
            assert_int_equal(st, OM_OK);
            break;
        }
    }
    assert_true(n > 3); /* the scenario allocates, so failures were actually injected */
}

static om_status parse_print_verify(void)
{
    om_graph *g = NULL;
    om_status st = om_ir_parse(text, strlen(text), "f.ir", &g);
    if (st != OM_OK) {
        assert_null(g);
        return st;
    }
    char *s = NULL;
    if ((st = om_ir_print_to_string(g, &(om_print_opts){.show_mem = true}, &s)) == OM_OK) {
        assert_string_equal(s, text); /* the input is already canonical */
        free(s);
    } else {
        assert_null(s);
    }
    if (st == OM_OK)
        st = om_ir_verify(g);
    if (st == OM_OK)
        st = om_graph_toposort(g);
    om_graph_destroy(g);
    return st;
}

static om_status build_and_edit(void)
{
    om_status st = OM_OK;
    om_graph *g = om_graph_create("b");
    if (!g)
        return OM_ERR_NO_MEMORY;
    int64_t d[2] = {4, 4};
    om_shape s = om_shape_make(2, d);
    s.syms[0] = "sym";
    om_value *x = om_graph_add_value(g, "x", OM_DT_FLOAT, &s);
    if (!x || (st = om_graph_add_input(g, x)) != OM_OK)
        goto out;
    om_value *prev = x;
    for (int i = 0; i < 40; i++) { /* enough values to grow every table */
        om_value *y = om_graph_add_value(g, "y", OM_DT_FLOAT, &s);
        if (!y) {
            st = OM_ERR_NO_MEMORY;
            goto out;
        }
        om_node *n = om_graph_add_node(g, OM_OP_RELU, "r", &prev, 1, &y, 1);
        if (!n) {
            st = OM_ERR_NO_MEMORY;
            goto out;
        }
        int64_t ks[2] = {1, 2};
        float fs[1] = {0.5f};
        const char *ss[1] = {"z"};
        if ((st = om_node_set_int(g, n, "i", i)) != OM_OK || (st = om_node_set_ints(g, n, "k", ks, 2)) != OM_OK ||
            (st = om_node_set_floats(g, n, "f", fs, 1)) != OM_OK ||
            (st = om_node_set_strings(g, n, "s", ss, 1)) != OM_OK ||
            (st = om_node_set_string(g, n, "m", "mode")) != OM_OK)
            goto out;
        prev = y;
    }
    float data[16] = {0};
    om_value *c = om_graph_add_constant(g, "c", OM_DT_FLOAT, &s, data, sizeof data);
    if (!c) {
        st = OM_ERR_NO_MEMORY;
        goto out;
    }
    if ((st = om_node_set_tensor(g, g->nodes[0], "t", c)) != OM_OK || (st = om_graph_add_output(g, prev)) != OM_OK)
        goto out;
    om_value *z = om_graph_add_value(g, NULL, OM_DT_FLOAT, NULL);
    if (!z || !om_graph_insert_node_before(g, g->nodes[0], OM_OP_TANH, NULL, &x, 1, &z, 1)) {
        st = OM_ERR_NO_MEMORY;
        goto out;
    }
    g->nodes[5]->dead = true;
    om_graph_replace_uses(g, g->nodes[5]->outputs[0], g->nodes[5]->inputs[0]);
    om_graph_compact(g);
    if ((st = om_graph_toposort(g)) != OM_OK || (st = om_ir_verify(g)) != OM_OK)
        goto out;
    FILE *f = tmpfile();
    if (!f) {
        st = OM_ERR_NO_MEMORY; /* tmpfile itself may allocate */
        goto out;
    }
    st = om_ir_print(g, f, NULL);
    fclose(f);
out:
    om_graph_destroy(g);
    return st;
}

static void test_parse_print_verify_faults(void **state)
{
    (void)state;
    run_faults(parse_print_verify, "parse/print/verify");
}

static void test_build_and_edit_faults(void **state)
{
    (void)state;
    run_faults(build_and_edit, "build/edit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_print_verify_faults),
        cmocka_unit_test(test_build_and_edit_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
