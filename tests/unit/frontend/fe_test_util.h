/* Shared helpers for the frontend unit tests: fixture paths (OM_FE_FIXTURES is the
 * committed fixtures folder, OM_ONNX_TESTDATA the backend test data of libonnx-testdata)
 * and a loader that fails the test with the frontend's message. Include after cmocka.h.
 */
#ifndef OM_TEST_FE_TEST_UTIL_H
#define OM_TEST_FE_TEST_UTIL_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "frontend/onnx_import.h"

static inline const char *fx_path(const char *name)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", OM_FE_FIXTURES, name);
    return p;
}

static inline const char *td_path(const char *rel)
{
    static char buf[4][1024];
    static int next;
    char *p = buf[next++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", OM_ONNX_TESTDATA, rel);
    return p;
}

/* Imports fixtures/<name>; fails the test (printing the message) unless it succeeds and
 * the graph passes the IR verifier. */
static inline om_graph *fx_load(const char *name)
{
    om_graph *g = NULL;
    om_status st = om_fe_import_onnx_file(fx_path(name), &g);
    if (st != OM_OK)
        print_error("%s: %s\n", name, om_last_error());
    assert_int_equal(st, OM_OK);
    assert_non_null(g);
    st = om_ir_verify(g);
    if (st != OM_OK)
        print_error("%s: verify: %s\n", name, om_last_error());
    assert_int_equal(st, OM_OK);
    return g;
}

/* Imports fixtures/<name> expecting `want`; returns the message (thread buffer). */
static inline const char *fx_fail(const char *name, om_status want)
{
    om_graph *g = (om_graph *)0x1;
    om_status st = om_fe_import_onnx_file(fx_path(name), &g);
    if (st != want)
        print_error("%s: got %s: %s\n", name, om_status_name(st), om_last_error());
    assert_int_equal(st, want);
    assert_null(g);
    const char *msg = om_last_error();
    assert_null(strchr(msg, '\n')); /* one line */
    return msg;
}

/* The first live node with op `op`, or NULL. */
static inline om_node *find_node(const om_graph *g, om_op op, int nth)
{
    for (size_t i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->dead && g->nodes[i]->op == op && nth-- == 0)
            return g->nodes[i];
    return NULL;
}

#endif
