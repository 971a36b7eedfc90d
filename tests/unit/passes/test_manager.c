/* Tests for passes/manager.c and passes/stats.c: the registry, pipelines, list parsing
 * and the unknown-name error, disabled passes, dump files and their names, print-after
 * output, verify_each, error prefixes, counters. */
#include "pass_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* x -> relu -> y (output), plus a dead tanh. */
static om_graph *small_graph(void) {
    om_graph *g = om_graph_create("small");
    assert_non_null(g);
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(2, 8));
    om_node *r = t_node(g, OM_OP_RELU, "r", &x, 1, "y");
    t_node(g, OM_OP_TANH, "dead", &x, 1, "unused");
    assert_int_equal(om_graph_add_output(g, r->outputs[0]), OM_OK);
    return g;
}

static void test_registry(void **state) {
    /* the first five in passes.def order; later passes append to the registry */
    assert_true(om_pass_count_registered() >= 5);
    const char *names[] = {"infer-shapes", "dce", "finalize-io", "plan-memory", "fold-constants"};
    for (size_t i = 0; i < 5; i++) {
        const om_pass_info *p = om_pass_at(i);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
        assert_non_null(p->description);
        assert_ptr_equal(om_pass_find(names[i]), p);
    }
    assert_null(om_pass_at(om_pass_count_registered()));
    assert_null(om_pass_find("bogus"));
    assert_null(om_pass_find(NULL));
    assert_ptr_equal(om_pass_find("dce")->run, om_pass_dce);
    assert_ptr_equal(om_pass_find("plan-memory")->run, om_pass_plan_memory);
    /* default: starts with propagate-declared-shapes,infer-shapes, ends with
     * dce,finalize-io,plan-memory */
    const char *dflt = om_pass_pipeline_get("default");
    assert_non_null(dflt);
    assert_int_equal(strncmp(dflt, "propagate-declared-shapes,infer-shapes,", 39), 0);
    assert_non_null(strstr(dflt, ",dce,finalize-io,plan-memory"));
    assert_string_equal(strstr(dflt, ",dce,finalize-io,plan-memory"), ",dce,finalize-io,plan-memory");
    assert_string_equal(om_pass_pipeline_get("none"), "");
    assert_null(om_pass_pipeline_get("fast"));
}

static void test_unknown_pass(void **state) {
    om_graph *g = small_graph();
    om_pass_manager_opts mo = {0};
    t_expect_error(om_pass_run_list(g, "infer-shapes, bogus", &mo), OM_ERR_INVALID_ARGUMENT, "unknown pass 'bogus'");
    assert_non_null(strstr(om_last_error(), "known passes: infer-shapes, dce, finalize-io, plan-memory"));
    /* nothing ran: the list is checked before the first pass */
    assert_int_equal(g->outputs[0]->dtype, OM_DT_UNDEFINED);
    const char *dis[] = {"dcee"};
    mo.disabled = dis;
    mo.n_disabled = 1;
    t_expect_error(om_pass_run_list(g, "dce", &mo), OM_ERR_INVALID_ARGUMENT, "unknown pass 'dcee' in the disabled passes");
    mo = (om_pass_manager_opts){.print_after = "nope"};
    t_expect_error(om_pass_run_list(g, "dce", &mo), OM_ERR_INVALID_ARGUMENT, "unknown pass 'nope' in print-after");
    assert_int_equal(g->n_nodes, 2);
    om_graph_destroy(g);
}

static void test_default_pipeline_and_stats(void **state) {
    om_graph *g = small_graph();
    om_stats *st = om_stats_create();
    om_pass_manager_opts mo = {.pass = {.stats = st}, .verify_each = true};
    assert_int_equal(om_pass_run_list(g, "default", &mo), OM_OK);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->outputs[0]->dtype, OM_DT_FLOAT);
    assert_int_equal(g->arena_size, 0);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-inferred"), 2);
    assert_int_equal(t_stat(st, "dce", "nodes-removed"), 1);
    assert_int_equal(t_stat(st, "finalize-io", "copies-inserted"), 0);
    assert_int_equal(t_stat(st, "plan-memory", "arena-bytes"), 0);

    /* print format and order: first-touched */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    om_stats_print(st, f);
    fclose(f);
    assert_non_null(strstr(buf, "infer-shapes.nodes-inferred = 2\n"));
    assert_true(strstr(buf, "infer-shapes.") < strstr(buf, "dce.nodes-removed"));
    assert_true(strstr(buf, "dce.nodes-removed") < strstr(buf, "plan-memory.arena-bytes"));
    free(buf);

    /* "none" and an empty list run nothing */
    assert_int_equal(om_pass_run_list(g, "none", &mo), OM_OK);
    assert_int_equal(om_pass_run_list(g, " , ", &mo), OM_OK);
    assert_int_equal(t_stat(st, "dce", "nodes-removed"), 1);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static void test_stats_basics(void **state) {
    om_stats *st = om_stats_create();
    om_stats_add(st, "p", "c", 2);
    om_stats_add(st, "q", "c", 1);
    om_stats_add(st, "p", "c", 3);
    om_stats_add(NULL, "p", "c", 3); /* ignored */
    assert_int_equal(t_stat(st, "p", "c"), 5);
    assert_int_equal(t_stat(st, "q", "c"), 1);
    assert_int_equal(t_stat(st, "p", "d"), -1);
    om_pass_opts opts = {.stats = st, .pass_name = "r"};
    om_pass_count(&opts, "hits", 7);
    om_pass_count(NULL, "hits", 7);
    assert_int_equal(t_stat(st, "r", "hits"), 7);
    om_stats_destroy(st);
    om_stats_destroy(NULL);
}

static void test_disabled_pass_skipped(void **state) {
    om_graph *g = small_graph();
    om_stats *st = om_stats_create();
    const char *dis[] = {"dce", "plan-memory"};
    om_pass_manager_opts mo = {.pass = {.stats = st}, .disabled = dis, .n_disabled = 2};
    assert_int_equal(om_pass_run_list(g, "default", &mo), OM_OK);
    assert_int_equal(g->n_nodes, 2); /* the dead node stays */
    assert_int_equal(t_stat(st, "dce", "nodes-removed"), -1);
    assert_int_equal(t_stat(st, "plan-memory", "arena-bytes"), -1);
    assert_int_equal(t_stat(st, "infer-shapes", "nodes-inferred"), 2);
    assert_int_equal(g->arena_size, -1);
    om_stats_destroy(st);
    om_graph_destroy(g);
}

static int remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (!d) return unlink(path);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char sub[1024];
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        remove_tree(sub);
    }
    closedir(d);
    return rmdir(path);
}

static int count_entries(const char *path) {
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_dump_dir(void **state) {
    char root[] = "/tmp/om_passes_dump_XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/a/b", root); /* missing folders are created */
    om_graph *g = small_graph();
    const char *dis[] = {"finalize-io"};
    om_pass_manager_opts mo = {.dump_dir = dir, .disabled = dis, .n_disabled = 1};
    /* the base passes of the default pipeline (the rewrite passes between them are
     * covered by their own tests) */
    assert_int_equal(om_pass_run_list(g, "infer-shapes,dce,finalize-io,plan-memory", &mo), OM_OK);
    assert_int_equal(count_entries(dir), 3);
    char path[512];
    const char *expect[] = {"01-infer-shapes.ir", "02-dce.ir", "03-plan-memory.ir"};
    char *texts[3];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, expect[i]);
        texts[i] = read_all(path);
        if (!texts[i]) fail_msg("missing dump %s", path);
        assert_true(strlen(texts[i]) > 0);
    }
    /* after infer-shapes the dead node is there, after dce it is gone */
    assert_non_null(strstr(texts[0], "dead"));
    assert_null(strstr(texts[1], "dead"));
    /* the dump parses back */
    om_graph *back = NULL;
    assert_int_equal(om_ir_parse(texts[1], strlen(texts[1]), "02-dce.ir", &back), OM_OK);
    assert_int_equal(back->n_nodes, 1);
    om_graph_destroy(back);
    for (int i = 0; i < 3; i++) free(texts[i]);
    om_graph_destroy(g);

    /* a dump folder that is a file is an I/O error */
    snprintf(path, sizeof(path), "%s/file", root);
    FILE *f = fopen(path, "w");
    fclose(f);
    g = small_graph();
    mo = (om_pass_manager_opts){.dump_dir = path};
    t_expect_error(om_pass_run_list(g, "dce", &mo), OM_ERR_IO, "is not a folder");
    om_graph_destroy(g);
    assert_int_equal(remove_tree(root), 0);
}

/* Runs the list with stderr redirected to a temporary file; returns what was printed. */
static char *capture_stderr(om_graph *g, const char *list, const om_pass_manager_opts *mo, om_status *st) {
    char path[] = "/tmp/om_passes_err_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    *st = om_pass_run_list(g, list, mo);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = read_all(path);
    unlink(path);
    assert_non_null(text);
    return text;
}

static void test_print_after(void **state) {
    om_graph *g = small_graph();
    om_pass_manager_opts mo = {.print_after = "dce"};
    om_status st;
    char *text = capture_stderr(g, "infer-shapes,dce,finalize-io", &mo, &st);
    assert_int_equal(st, OM_OK);
    assert_non_null(strstr(text, "# IR after dce\n"));
    assert_null(strstr(text, "# IR after infer-shapes"));
    assert_null(strstr(text, "# IR after finalize-io"));
    free(text);
    om_graph_destroy(g);

    g = small_graph();
    mo = (om_pass_manager_opts){.print_after_all = true};
    text = capture_stderr(g, "infer-shapes,dce", &mo, &st);
    assert_int_equal(st, OM_OK);
    char *a = strstr(text, "# IR after infer-shapes\n"), *b = strstr(text, "# IR after dce\n");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    free(text);
    om_graph_destroy(g);
}

static void test_pass_failure_is_prefixed(void **state) {
    om_graph *g = om_graph_create("dyn");
    om_value *x = t_input(g, "x", OM_DT_FLOAT, S(U, 8));
    om_node *a = t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    om_node *b = t_node(g, OM_OP_RELU, "b", &a->outputs[0], 1, "b_out");
    assert_int_equal(om_graph_add_output(g, b->outputs[0]), OM_OK);
    om_pass_manager_opts mo = {.verify_each = true};
    t_expect_error(om_pass_run_list(g, "default", &mo), OM_ERR_INVALID_MODEL,
                   "pass 'plan-memory': value 'a_out' (output of node 'a') has no static shape");
    om_graph_destroy(g);

    g = om_graph_create("dyn");
    x = t_input(g, "x", OM_DT_FLOAT, S(U, 8));
    x->shape.syms[0] = "n";
    t_node(g, OM_OP_RELU, "a", &x, 1, "a_out");
    mo = (om_pass_manager_opts){.pass = {.require_static = true}};
    t_expect_error(om_pass_run_list(g, "infer-shapes", &mo), OM_ERR_INVALID_ARGUMENT,
                   "pass 'infer-shapes': input 'x' dim 0 ('n') is dynamic");
    om_graph_destroy(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_unknown_pass),
        cmocka_unit_test(test_default_pipeline_and_stats),
        cmocka_unit_test(test_stats_basics),
        cmocka_unit_test(test_disabled_pass_skipped),
        cmocka_unit_test(test_dump_dir),
        cmocka_unit_test(test_print_after),
        cmocka_unit_test(test_pass_failure_is_prefixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
