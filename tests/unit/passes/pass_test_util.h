/* Small builders shared by the pass tests: graphs are built with the IR API, shapes with
 * the S(...) macro, and errors are checked by status and message substring. */
#ifndef OM_TESTS_PASS_TEST_UTIL_H
#define OM_TESTS_PASS_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"
#include "passes/passes.h"

#define DIMS(...) ((const int64_t[]){__VA_ARGS__})
#define S(...) om_shape_make((int)(sizeof(DIMS(__VA_ARGS__)) / sizeof(int64_t)), DIMS(__VA_ARGS__))
#define U OM_DIM_UNKNOWN

static inline om_value *t_input(om_graph *g, const char *name, om_dtype dt, om_shape s) {
    om_value *v = om_graph_add_value(g, name, dt, &s);
    assert_non_null(v);
    assert_int_equal(om_graph_add_input(g, v), OM_OK);
    return v;
}

/* An untyped value (as the frontend leaves intermediates). */
static inline om_value *t_value(om_graph *g, const char *name) {
    om_value *v = om_graph_add_value(g, name, OM_DT_UNDEFINED, NULL);
    assert_non_null(v);
    return v;
}

static inline om_value *t_const_i64(om_graph *g, const char *name, int n, const int64_t *vals) {
    om_shape s = om_shape_make(1, (int64_t[]){n});
    om_value *v = om_graph_add_constant(g, name, OM_DT_INT64, &s, vals, (size_t)n * sizeof(int64_t));
    assert_non_null(v);
    return v;
}

static inline om_value *t_const_f32(om_graph *g, const char *name, om_shape s) {
    int64_t numel = om_shape_numel(&s);
    float *data = calloc((size_t)(numel > 0 ? numel : 1), sizeof(float));
    assert_non_null(data);
    om_value *v = om_graph_add_constant(g, name, OM_DT_FLOAT, &s, data, (size_t)numel * sizeof(float));
    free(data);
    assert_non_null(v);
    return v;
}

/* A node with one fresh untyped output named `out`. */
static inline om_node *t_node(om_graph *g, om_op op, const char *name, om_value *const *ins, int n_in,
                              const char *out) {
    om_value *o = t_value(g, out);
    om_node *n = om_graph_add_node(g, op, name, ins, n_in, &o, 1);
    assert_non_null(n);
    return n;
}

static inline void t_expect_shape(const om_value *v, om_shape s) {
    assert_int_equal(v->shape.rank, s.rank);
    for (int i = 0; i < s.rank; i++) {
        if (v->shape.dims[i] != s.dims[i])
            fail_msg("value '%s' dim %d: expected %lld, found %lld", v->name, i, (long long)s.dims[i],
                     (long long)v->shape.dims[i]);
    }
}

static inline void t_expect_ints(const om_node *n, const char *attr, om_shape expect) {
    const int64_t *v = NULL;
    int c = om_node_ints(n, attr, &v);
    if (c != expect.rank) fail_msg("attribute %s: expected %d values, found %d", attr, expect.rank, c);
    for (int i = 0; i < c; i++)
        if (v[i] != expect.dims[i])
            fail_msg("attribute %s[%d]: expected %lld, found %lld", attr, i, (long long)expect.dims[i], (long long)v[i]);
}

static inline void t_expect_error(om_status st, om_status code, const char *substr) {
    if (st != code) fail_msg("expected status %s, got %s (%s)", om_status_name(code), om_status_name(st), om_last_error());
    if (substr && !strstr(om_last_error(), substr))
        fail_msg("error message \"%s\" does not contain \"%s\"", om_last_error(), substr);
}

/* Value of "pass.counter" in stats, or -1 if absent (reads om_stats_print's output). */
static inline int64_t t_stat(const om_stats *s, const char *pass, const char *counter) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    om_stats_print(s, f);
    fclose(f);
    char key[256];
    snprintf(key, sizeof(key), "%s.%s = ", pass, counter);
    int64_t result = -1;
    for (char *line = buf; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, key, strlen(key)) == 0) {
            result = strtoll(line + strlen(key), NULL, 10);
            break;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    return result;
}

#endif
