/* The pass registry and manager.
 *
 * The registry is a constant table expanded from passes.def (no static-initializer
 * registration: the table references every pass, so a static library keeps them all).
 * Pipelines are named comma-separated lists. om_pass_run_list first parses and checks
 * the whole list (pass names, pipeline names, the disabled and print-after names), so an
 * unknown name fails before anything runs; then it runs each pass that is not disabled,
 * with opts->pass_name set to the pass's cli name, and after each one optionally
 * verifies the graph, writes `<dump_dir>/NN-<pass>.ir` (NN counts the passes actually
 * run, from 01) and prints the IR to stderr under a `# IR after <pass>` header.
 * A failing pass's message is prefixed with "pass '<name>'".
 */
#include "passes/passes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static const om_pass_info registry[] = {
#define OM_PASS(ident, cli, desc) {cli, desc, om_pass_##ident},
#include "passes/passes.def"
#undef OM_PASS
};

#define N_PASSES (sizeof(registry) / sizeof(registry[0]))

typedef struct pipeline {
    const char *name;
    const char *list;
} pipeline;

static const pipeline pipelines[] = {
    {"default", "propagate-declared-shapes,infer-shapes,simplify,cse,fold-batchnorm,fold-mul-add,matmul-add-to-gemm,layernorm-fusion,"
                "gelu-fusion,fuse-epilogue,fuse-elementwise,pack-bf16-weights,pack-gemm-weights,conv-winograd,conv-stride-slice,pack-conv-small,dce,finalize-io,plan-memory"},
    {"none", ""},
};

#define N_PIPELINES (sizeof(pipelines) / sizeof(pipelines[0]))

/* Dumps elide constants above this many elements: they keep dumps of real models small
 * (a dump with elided constants does not parse back; omc --emit ir prints in full). */
#define DUMP_ELIDE_ABOVE 256

size_t om_pass_count_registered(void) { return N_PASSES; }

const om_pass_info *om_pass_at(size_t i) { return i < N_PASSES ? &registry[i] : NULL; }

const om_pass_info *om_pass_find(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < N_PASSES; i++)
        if (strcmp(registry[i].name, name) == 0) return &registry[i];
    return NULL;
}

const char *om_pass_pipeline_get(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < N_PIPELINES; i++)
        if (strcmp(pipelines[i].name, name) == 0) return pipelines[i].list;
    return NULL;
}

/* "unknown pass 'x' (in <where>); known passes: a, b; pipelines: default, none" */
static om_status unknown_name(const char *name, size_t len, const char *where) {
    char known[512];
    size_t k = 0;
    known[0] = '\0';
    for (size_t i = 0; i < N_PASSES && k < sizeof(known); i++)
        k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s", i ? ", " : "", registry[i].name);
    char pipes[128];
    size_t p = 0;
    pipes[0] = '\0';
    for (size_t i = 0; i < N_PIPELINES && p < sizeof(pipes); i++)
        p += (size_t)snprintf(pipes + p, sizeof(pipes) - p, "%s%s", i ? ", " : "", pipelines[i].name);
    return om_error(OM_ERR_INVALID_ARGUMENT, "unknown pass '%.*s' in %s; known passes: %s; pipelines: %s",
                    (int)len, name, where, known, pipes);
}

typedef struct pass_list {
    const om_pass_info **items;
    size_t count, cap;
} pass_list;

static om_status list_push(pass_list *l, const om_pass_info *p) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const om_pass_info **items = realloc(l->items, cap * sizeof(*items));
        if (!items) return om_error(OM_ERR_NO_MEMORY, "out of memory parsing the pass list");
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = p;
    return OM_OK;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Appends the passes named in `list` to `out`. A token may be a pipeline name, expanded
 * one level (pipelines hold pass names only). */
static om_status parse_list(const char *list, pass_list *out, int depth) {
    const char *p = list;
    while (*p) {
        while (is_space(*p)) p++;
        const char *start = p;
        while (*p && *p != ',') p++;
        const char *end = p;
        while (end > start && is_space(end[-1])) end--;
        if (*p == ',') p++;
        size_t len = (size_t)(end - start);
        if (len == 0) continue;
        char name[64];
        if (len >= sizeof(name)) return unknown_name(start, len, "the pass list");
        memcpy(name, start, len);
        name[len] = '\0';
        const om_pass_info *info = om_pass_find(name);
        if (info) {
            om_status st = list_push(out, info);
            if (st != OM_OK) return st;
            continue;
        }
        const char *sub = om_pass_pipeline_get(name);
        if (sub && depth == 0) {
            om_status st = parse_list(sub, out, depth + 1);
            if (st != OM_OK) return st;
            continue;
        }
        return unknown_name(start, len, "the pass list");
    }
    return OM_OK;
}

static bool is_disabled(const om_pass_manager_opts *mo, const char *name) {
    for (int i = 0; i < mo->n_disabled; i++)
        if (mo->disabled && mo->disabled[i] && strcmp(mo->disabled[i], name) == 0) return true;
    return false;
}

/* mkdir -p: creates every missing component of path. */
static om_status make_dirs(const char *path) {
    size_t len = strlen(path);
    char *buf = malloc(len + 1);
    if (!buf) return om_error(OM_ERR_NO_MEMORY, "out of memory creating '%s'", path);
    memcpy(buf, path, len + 1);
    om_status st = OM_OK;
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            st = om_error(OM_ERR_IO, "cannot create dump folder '%s': %s", buf, strerror(errno));
            break;
        }
        buf[i] = saved;
    }
    free(buf);
    if (st != OM_OK) return st;
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return om_error(OM_ERR_IO, "dump folder '%s' is not a folder", path);
    return OM_OK;
}

static om_status dump_graph(const om_graph *g, const char *dir, int index, const char *pass) {
    size_t n = strlen(dir) + strlen(pass) + 16;
    char *path = malloc(n);
    if (!path) return om_error(OM_ERR_NO_MEMORY, "out of memory writing a dump");
    snprintf(path, n, "%s/%02d-%s.ir", dir, index, pass);
    om_status st = OM_OK;
    FILE *f = fopen(path, "w");
    if (!f) {
        st = om_error(OM_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        goto fail;
    }
    om_print_opts po = {.elide_above = DUMP_ELIDE_ABOVE, .show_mem = true};
    st = om_ir_print(g, f, &po);
    if (fclose(f) != 0 && st == OM_OK) st = om_error(OM_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    if (st != OM_OK) om_error_prefix(st, "%s", path);
fail:
    free(path);
    return st;
}

om_status om_pass_run_list(om_graph *g, const char *list, const om_pass_manager_opts *opts) {
    if (!g || !list) return om_error(OM_ERR_INVALID_ARGUMENT, "om_pass_run_list: graph and list are required");
    om_pass_manager_opts none = {0};
    const om_pass_manager_opts *mo = opts ? opts : &none;
    pass_list passes = {0};
    om_status st = parse_list(list, &passes, 0);
    if (st != OM_OK) goto fail;
    for (int i = 0; i < mo->n_disabled; i++) {
        const char *d = mo->disabled ? mo->disabled[i] : NULL;
        if (!d || !om_pass_find(d)) {
            st = unknown_name(d ? d : "(null)", strlen(d ? d : "(null)"), "the disabled passes");
            goto fail;
        }
    }
    if (mo->print_after && !om_pass_find(mo->print_after)) {
        st = unknown_name(mo->print_after, strlen(mo->print_after), "print-after");
        goto fail;
    }
    if (mo->dump_dir && (st = make_dirs(mo->dump_dir)) != OM_OK) goto fail;

    om_print_opts po = {.elide_above = DUMP_ELIDE_ABOVE, .show_mem = true};
    int run_index = 0;
    for (size_t i = 0; i < passes.count; i++) {
        const om_pass_info *p = passes.items[i];
        if (is_disabled(mo, p->name)) continue;
        om_pass_opts po_pass = mo->pass;
        po_pass.pass_name = p->name;
        bool changed = false;
        st = p->run(g, &po_pass, &changed);
        if (st != OM_OK) {
            om_error_prefix(st, "pass '%s'", p->name);
            goto fail;
        }
        run_index++;
        if (mo->verify_each && (st = om_ir_verify(g)) != OM_OK) {
            om_error_prefix(st, "IR invalid after pass '%s'", p->name);
            goto fail;
        }
        if (mo->dump_dir && (st = dump_graph(g, mo->dump_dir, run_index, p->name)) != OM_OK) goto fail;
        if (mo->print_after_all || (mo->print_after && strcmp(mo->print_after, p->name) == 0)) {
            fprintf(stderr, "# IR after %s\n", p->name);
            if ((st = om_ir_print(g, stderr, &po)) != OM_OK) goto fail;
        }
    }
fail:
    free(passes.items);
    return st;
}
