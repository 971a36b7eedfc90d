/* omdump: shows what is inside an .om artifact (model description, target and CPU
 * features, sections, memory plan, optimized graph), or the IR of an ONNX model / IR text
 * file straight from the frontend or parser. --format json gives the same content as JSON.
 *
 * An artifact is validated by om_art_parse (every offset, size, count and checksum) before
 * anything is printed; a damaged file is a one-line error. Exit status: 0 success, 1 bad
 * file, 2 usage error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "tools/cli.h"
#include "tools/omdump_print.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: omdump [options] FILE\n"
"\n"
"Prints what is inside a compiled .om artifact: model description (inputs and outputs\n"
"with names, dtypes, shapes, sizes), target triple, CPU and required CPU features,\n"
"format version and producer, the section table (each section's bytes stored in the\n"
"file and, for compressed sections, decoded), the memory plan (arena, tensors,\n"
"kernel steps) and the optimized graph. For an .onnx model or an IR text file it prints\n"
"the graph as the frontend (or the IR parser) reads it.\n"
"\n"
"  FILE                      an .om artifact, an .onnx model or IR text\n"
"  --format text|json        output format (default text); json holds the same content,\n"
"                            with the graph as a string\n"
"  --full                    for .onnx / IR input: print constants in full (default:\n"
"                            those above 64 elements are elided)\n"
"  -h, --help                this text\n"
"  --version                 version\n"
"\n"
"Examples:\n"
"  omdump model.om\n"
"  omdump model.om --format json > model.json\n"
"  omdump model.onnx\n");
}

/* Reads the whole file into a malloc'd buffer. */
static int read_file(const char *path, void **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        om_cli_error("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                om_cli_error("%s: out of memory", path);
                return -1;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        om_cli_error("%s: read error", path);
        return -1;
    }
    *out = buf;
    *size = n;
    return 0;
}

static int dump_artifact(const char *path, bool json)
{
    void *buf;
    size_t size;
    if (read_file(path, &buf, &size) != 0)
        return OM_CLI_EXIT_FAIL;
    om_art_model m;
    memset(&m, 0, sizeof m);
    char err[512] = "";
    if (om_art_parse(buf, size, &m, err, sizeof err) != 0) {
        om_cli_error("%s: %s", path, err);
        free(buf);
        return OM_CLI_EXIT_FAIL;
    }
    if (json)
        omdump_artifact_json(stdout, path, size, &m);
    else
        omdump_artifact_text(stdout, path, size, &m);
    om_art_model_free(&m);
    free(buf);
    return OM_CLI_EXIT_OK;
}

static int dump_model(const char *path, om_compile_format fmt, bool json, bool full)
{
    om_graph *g = NULL;
    char *text = NULL;
    om_status st = om_compile_load(path, &g);
    om_print_opts po = {.elide_above = full ? 0 : 64, .show_mem = true};
    if (st == OM_OK)
        st = om_ir_print_to_string(g, &po, &text);
    if (st != OM_OK) {
        om_cli_error("%s", om_last_error());
        om_graph_destroy(g);
        return OM_CLI_EXIT_FAIL;
    }
    const char *kind = fmt == OM_COMPILE_FORMAT_IR_TEXT ? "ir" : "onnx";
    if (json)
        omdump_graph_json(stdout, path, kind, g, text);
    else
        omdump_graph_text(stdout, path, kind, g, text);
    free(text);
    om_graph_destroy(g);
    return OM_CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    om_cli_tool = "omdump";
    const char *path = NULL;
    bool json = false, full = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        int m;
        if (om_cli_flag(arg, "-h") || om_cli_flag(arg, "--help")) {
            usage(stdout);
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--version")) {
            printf("omdump %s (reads artifact format %d.x)\n", OMC_VERSION, OM_ART_MAJOR);
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--full")) {
            full = true;
        } else if ((m = om_cli_value(argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (strcmp(v, "json") == 0)
                json = true;
            else if (strcmp(v, "text") == 0)
                json = false;
            else {
                om_cli_error("--format %s: expected text or json", v);
                return OM_CLI_EXIT_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            om_cli_error("unknown option '%s' (see --help)", arg);
            return OM_CLI_EXIT_USAGE;
        } else if (path) {
            om_cli_error("more than one file given ('%s' and '%s')", path, arg);
            return OM_CLI_EXIT_USAGE;
        } else {
            path = arg;
        }
    }
    if (!path) {
        om_cli_error("no file given (usage: omdump [options] FILE; see --help)");
        return OM_CLI_EXIT_USAGE;
    }
    om_compile_format fmt;
    if (om_compile_sniff(path, &fmt) != OM_OK) {
        om_cli_error("%s", om_last_error());
        return OM_CLI_EXIT_FAIL;
    }
    size_t n = strlen(path);
    bool named_om = n >= 3 && strcmp(path + n - 3, ".om") == 0;
    if (fmt == OM_COMPILE_FORMAT_OM || named_om)
        return dump_artifact(path, json);
    return dump_model(path, fmt, json, full);
}
