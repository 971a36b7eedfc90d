/* onnx_case: runs cases of ONNX's backend test suite (libonnx-testdata) through omc's
 * library path and the runtime, and compares the outputs with the suite's.
 *
 *   onnx_case [--expect-fail] [--quiet] [--const-input K]... CASE_DIR...
 *   onnx_case --tools OMC OMRUN WORK_DIR [--expect-fail] CASE_DIR...
 *
 * For each CASE_DIR (holding model.onnx and test_data_set_N/{input_K.pb,output_K.pb}):
 *   1. om_compile_load(model.onnx), then om_compile_optimize with pins taken from the
 *      shapes of test_data_set_0/input_K.pb for every model input that has a dynamic dim;
 *   2. om_cg_compile + om_compile_build_artifact + om_art_serialize (what omc writes),
 *      then omrt_model_load_memory;
 *      --const-input K freezes the model input fed by input_K.pb into a constant holding
 *      that tensor before optimizing (as onnx-mlir's backend runner does with its
 *      CONSTANT_INPUT marker): omc compiles static shapes, so a Reshape whose target shape
 *      is a graph input is only compilable once that input is known;
 *   3. for every test_data_set_N: feed input_K.pb (matched to model inputs by name, else
 *      by position), run omrt_execute, and compare every output_K.pb: dtype and shape must
 *      match exactly; floats pass when |got-exp| <= atol + rtol*|exp| (rtol 1e-3, atol 1e-7)
 *      or both are NaN (or equal infinities); integers and bools must be equal.
 * Steps 1-3 live in case_run.c (shared with the whole-suite runner, conformance.c).
 *
 * With --tools the same case goes through the real tools instead, as a user runs them:
 * `OMC model.onnx -o WORK_DIR/<case>/model.om [--input-shape <pins>]`, each data set's
 * inputs written as raw .bin files in the model's input order, `OMRUN model.om --input
 * a.bin,b.bin --output out_N`, and the .npy files omrun reports ("output K: 'name' -> path")
 * compared in the same way. A tool's failure reports the first line of its stderr.
 * Sequence and optional inputs are pinned as a user does (`--input-shape
 * "s:[[2,3],[4,3]]"`, "o:none") and their elements fed as the inputs "s.0", "s.1", ...;
 * sequence outputs are compared element by element (case_run.h).
 *
 * Prints one line per case: "PASS <case>" or "FAIL <case>: <stage>: <reason>", where a
 * mismatch names the output, the flat index, got and expected.
 *
 * Exit status: 0 when every case passed; 1 otherwise. With --expect-fail the sense is
 * inverted (0 when every case fails cleanly, 1 when one unexpectedly passes), so that
 * known failures are still run and must not crash. Nothing here calls exit() from a
 * helper: each case cleans up through one `goto done` path.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "compiler/compile.h"
#include "tests/e2e/case_run.h"
#include "tests/e2e/npy_read.h"

static bool g_quiet;
static const char *g_omc, *g_omrun, *g_work;   /* --tools OMC OMRUN WORK_DIR */
static case_opts g_opts;                         /* --const-input K */

static const char *base_name(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *end = path + n;
    const char *p = end;
    while (p > path && p[-1] != '/')
        p--;
    static char buf[512];
    snprintf(buf, sizeof buf, "%.*s", (int)(end - p), p);
    return buf;
}

/* ---- the real tools (--tools) ------------------------------------------------------- */

/* Runs cmd through sh; on failure puts the first line of err_path into r. */
static bool run_tool(const char *stage, const char *cmd, const char *err_path, case_result *r)
{
    int st = system(cmd);
    if (st == 0)
        return true;
    char line[600] = "";
    FILE *f = fopen(err_path, "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    return case_failf(r, "%s: exit status %d: %s", stage, st, line[0] ? line : "(no message)");
}

static bool write_file(const char *path, const void *data, size_t n, case_result *r)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return case_failf(r, "setup: cannot write %s", path);
    bool ok = (n == 0 || fwrite(data, 1, n, f) == n);
    if (fclose(f) != 0)
        ok = false;
    return ok ? true : case_failf(r, "setup: cannot write %s", path);
}

static om_dtype dtype_of_descr(const char *d)
{
    static const struct { const char *descr; om_dtype dt; } map[] = {
        {"<f4", OM_DT_FLOAT}, {"<f8", OM_DT_DOUBLE}, {"<f2", OM_DT_FLOAT16},
        {"|u1", OM_DT_UINT8}, {"|i1", OM_DT_INT8}, {"<u2", OM_DT_UINT16}, {"<i2", OM_DT_INT16},
        {"<i4", OM_DT_INT32}, {"<u4", OM_DT_UINT32}, {"<i8", OM_DT_INT64}, {"<u8", OM_DT_UINT64},
        {"|b1", OM_DT_BOOL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].descr, d) == 0)
            return map[i].dt;
    return OM_DT_UNDEFINED;
}

/* Appends ";name:[[d0,d1],[..]]" or ";name:none" for a sequence / optional file. */
static void append_value_pin(char *spec, size_t cap, const om_fe_input_pin *p)
{
    size_t o = strlen(spec);
    o += (size_t)snprintf(spec + o, o < cap ? cap - o : 0, "%s%s:", o ? ";" : "", p->name);
    if (p->kind == OM_FE_PIN_NONE) {
        snprintf(spec + o, o < cap ? cap - o : 0, "none");
        return;
    }
    o += (size_t)snprintf(spec + o, o < cap ? cap - o : 0, "[");
    for (int e = 0; e < p->n_elems && o < cap; e++) {
        o += (size_t)snprintf(spec + o, cap - o, "%s[", e ? "," : "");
        for (int i = 0; i < p->elems[e].rank && o < cap; i++)
            o += (size_t)snprintf(spec + o, cap - o, "%s%lld", i ? "," : "", (long long)p->elems[e].dims[i]);
        if (o < cap)
            o += (size_t)snprintf(spec + o, cap - o, "]");
    }
    if (o < cap)
        snprintf(spec + o, cap - o, "]");
}

/* Appends "name:d0,d1;" to spec. */
static void append_pin(char *spec, size_t cap, const char *name, const om_shape *sh)
{
    size_t o = strlen(spec);
    o += (size_t)snprintf(spec + o, o < cap ? cap - o : 0, "%s%s:", o ? ";" : "", name);
    for (int i = 0; i < sh->rank && o < cap; i++)
        o += (size_t)snprintf(spec + o, cap - o, "%s%lld", i ? "," : "", (long long)sh->dims[i]);
}

typedef struct tool_output {
    char name[256];
    char path[4096];
} tool_output;

/* mkdir -p; failures show up when the folder is used. */
static void make_dirs(const char *dir)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(buf, 0777);
        *p = '/';
    }
    mkdir(buf, 0777);
}

/* Parses omrun's "output K: 'NAME' -> PATH" lines. Returns the count, or -1. */
static int parse_omrun_outputs(const char *stdout_path, tool_output *outs, int cap)
{
    FILE *f = fopen(stdout_path, "r");
    if (!f)
        return -1;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        int k;
        int pos = 0;
        if (sscanf(line, "output %d: '%n", &k, &pos) != 1 || pos == 0)
            continue;
        char *arrow = strstr(line + pos, "' -> ");
        if (!arrow || k < 0 || k >= cap)
            continue;
        snprintf(outs[k].name, sizeof outs[k].name, "%.*s", (int)(arrow - (line + pos)), line + pos);
        snprintf(outs[k].path, sizeof outs[k].path, "%s", arrow + 5);
        if (k + 1 > n)
            n = k + 1;
    }
    fclose(f);
    return n;
}

static bool run_case_tools(const char *case_dir, case_result *r)
{
    bool ok = false;
    om_graph *g = NULL;
    om_fe_tensor ins[CASE_MAX_FILES], outs[CASE_MAX_FILES];
    int n_in = 0, n_out = 0;
    char dir[4096], work[4096], path[8192], om[8192], spec[8192] = "";
    static char cmd[65536];
    npy got = {0};
    om_fe_io_list io = {0};
    bool values = false;
    static case_value_info in_info[CASE_MAX_FILES];
    om_fe_input_pin vpins[CASE_MAX_FILES];
    om_shape velems[CASE_MAX_FILES];
    int n_vpins = 0;
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);

    for (int k = 0; k < CASE_MAX_FILES; k++)
        if (g_opts.const_input[k]) {
            case_failf(r, "setup: --const-input cannot be used with --tools (omc has no such option)");
            goto done;
        }
    snprintf(work, sizeof work, "%s/%s", g_work, base_name(case_dir));
    make_dirs(work);
    int n_sets = case_count_datasets(case_dir);
    if (n_sets == 0) {
        case_failf(r, "setup: no test_data_set_0 in %s", case_dir);
        goto done;
    }

    /* pins for the dynamic inputs, as a user would pass them */
    snprintf(path, sizeof path, "%s/model.onnx", case_dir);
    if (om_fe_onnx_io_kinds(path, &io) == OM_OK) {
        for (size_t i = 0; i < io.n_inputs; i++)
            values |= io.inputs[i].kind != OM_FE_IO_TENSOR;
        for (size_t i = 0; i < io.n_outputs; i++)
            values |= io.outputs[i].kind != OM_FE_IO_TENSOR;
    }
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    n_in = case_count_numbered(dir, "input_", ".pb");
    if (values) {
        int n_files = n_in;
        if (!case_load_values(dir, "input_", n_files, io.inputs, io.n_inputs, ins, &n_in, in_info, r))
            goto done;
        n_vpins = case_value_pins(in_info, n_files, ins, n_in, vpins, velems);
        for (int k = 0; k < n_vpins; k++)
            append_value_pin(spec, sizeof spec, &vpins[k]);
    } else if (!case_load_tensors(dir, "input_", n_in, ins, r)) {
        goto done;
    }
    om_compile_pins cpins = {0};
    cpins.values = vpins;
    cpins.n_values = n_vpins;
    if (om_compile_load_pinned(path, &cpins, &g) != OM_OK) {
        case_failf(r, "load: %s", om_last_error());
        goto done;
    }
    for (int k = 0; k < n_in; k++) {
        int64_t gi = case_graph_input_for(g, &ins[k], k);
        if (gi >= 0 && !om_shape_is_static(&g->inputs[gi]->shape))
            append_pin(spec, sizeof spec, g->inputs[gi]->name, &ins[k].shape);
    }

    snprintf(om, sizeof om, "%s/model.om", work);
    remove(om);
    snprintf(cmd, sizeof cmd, "'%s' '%s' -o '%s'%s%s%s 2>'%s/omc.err'", g_omc, path, om,
             spec[0] ? " --input-shape '" : "", spec, spec[0] ? "'" : "", work);
    snprintf(path, sizeof path, "%s/omc.err", work);
    if (!run_tool("omc", cmd, path, r))
        goto done;

    for (int s = 0; s < n_sets; s++) {
        snprintf(dir, sizeof dir, "%s/test_data_set_%d", case_dir, s);
        if (s > 0) {
            case_free_tensors(ins, n_in);
            memset(ins, 0, sizeof ins);
            n_in = case_count_numbered(dir, "input_", ".pb");
            int n_files = n_in;
            if (values ? !case_load_values(dir, "input_", n_files, io.inputs, io.n_inputs, ins, &n_in, NULL, r)
                       : !case_load_tensors(dir, "input_", n_in, ins, r))
                goto done;
        }
        case_free_tensors(outs, n_out);
        memset(outs, 0, sizeof outs);
        n_out = case_count_numbered(dir, "output_", ".pb");
        int n_out_files = n_out;
        if (values ? !case_load_values(dir, "output_", n_out_files, io.outputs, io.n_outputs, outs, &n_out, NULL, r)
                   : !case_load_tensors(dir, "output_", n_out, outs, r))
            goto done;

        /* inputs as raw .bin files, in the model's input order */
        char files[CASE_MAX_FILES][4200];
        int order[CASE_MAX_FILES];
        for (size_t i = 0; i < CASE_MAX_FILES; i++)
            order[i] = -1;
        if ((size_t)n_in != g->n_inputs) {
            case_failf(r, "inputs: data set %d has %d inputs, the model %zu", s, n_in, g->n_inputs);
            goto done;
        }
        for (int k = 0; k < n_in; k++) {
            int64_t gi = case_graph_input_for(g, &ins[k], k);
            if (gi < 0 || order[gi] >= 0) {
                case_failf(r, "inputs: cannot place input_%d.pb", k);
                goto done;
            }
            order[gi] = k;
            snprintf(files[gi], sizeof files[gi], "%s/in%d_%d.bin", work, s, k);
            if (!write_file(files[gi], ins[k].data, ins[k].nbytes, r))
                goto done;
        }
        size_t o = (size_t)snprintf(cmd, sizeof cmd, "'%s' '%s'", g_omrun, om);
        for (int i = 0; i < n_in && o < sizeof cmd; i++)
            o += (size_t)snprintf(cmd + o, sizeof cmd - o, "%s'%s'", i ? "," : " --input ", files[i]);
        snprintf(cmd + o, o < sizeof cmd ? sizeof cmd - o : 0,
                 " --output '%s/out%d' >'%s/omrun%d.out' 2>'%s/omrun.err'", work, s, work, s, work);
        snprintf(path, sizeof path, "%s/omrun.err", work);
        if (!run_tool("omrun", cmd, path, r))
            goto done;

        tool_output touts[CASE_MAX_FILES];
        memset(touts, 0, sizeof touts);
        snprintf(path, sizeof path, "%s/omrun%d.out", work, s);
        int n_got = parse_omrun_outputs(path, touts, CASE_MAX_FILES);
        if (n_got != n_out) {
            case_failf(r, "outputs: omrun reported %d outputs, data set %d expects %d", n_got, s, n_out);
            goto done;
        }
        for (int k = 0; k < n_out; k++) {
            int m = k;
            for (int j = 0; outs[k].name && outs[k].name[0] && j < n_got; j++)
                if (strcmp(touts[j].name, outs[k].name) == 0)
                    m = j;
            free(got.data);
            memset(&got, 0, sizeof got);
            if (npy_read(touts[m].path, &got) != 0) {
                case_failf(r, "outputs: cannot read %s", touts[m].path);
                goto done;
            }
            omrt_tensor_info info = {0};
            info.name = touts[m].name;
            info.dtype = (int32_t)dtype_of_descr(got.descr);
            info.rank = got.rank;
            if (got.rank > OMRT_MAX_RANK) {
                case_failf(r, "outputs: %s has rank %d", touts[m].path, got.rank);
                goto done;
            }
            for (int d = 0; d < got.rank; d++)
                info.dims[d] = got.dims[d];
            info.nbytes = got.numel * got.elem;
            char what[8192];
            snprintf(what, sizeof what, "data set %d output_%d '%s' (%s)", s, k, touts[m].name,
                     touts[m].path);
            if (!case_compare_output(what, &info, got.data, &outs[k], r))
                goto done;
        }
    }
    ok = true;
done:
    free(got.data);
    case_free_tensors(ins, n_in);
    case_free_tensors(outs, n_out);
    om_graph_destroy(g);
    om_fe_io_list_free(&io);
    return ok;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: onnx_case [--expect-fail] [--quiet] [--const-input K]... CASE_DIR...\n"
               "       onnx_case --tools OMC OMRUN WORK_DIR [--expect-fail] CASE_DIR...\n"
               "Compiles each ONNX backend test case with omc's library path, runs it with the\n"
               "runtime and compares with its output_*.pb (rtol %g, atol %g).\n", CASE_RTOL, CASE_ATOL);
}

int main(int argc, char **argv)
{
    bool expect_fail = false;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (strcmp(argv[first], "--expect-fail") == 0) {
            expect_fail = true;
        } else if (strcmp(argv[first], "--const-input") == 0 && first + 1 < argc) {
            int k = atoi(argv[++first]);
            if (k < 0 || k >= CASE_MAX_FILES) {
                usage(stderr);
                return 2;
            }
            g_opts.const_input[k] = true;
        } else if (strcmp(argv[first], "--tools") == 0 && first + 3 < argc) {
            g_omc = argv[first + 1];
            g_omrun = argv[first + 2];
            g_work = argv[first + 3];
            first += 3;
        } else if (strcmp(argv[first], "--quiet") == 0) {
            g_quiet = true;
        } else if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    int n_pass = 0, n_fail = 0;
    for (int i = first; i < argc; i++) {
        case_result r = {{0}};
        bool ok = g_omc ? run_case_tools(argv[i], &r) : case_run(argv[i], &g_opts, &r);
        const char *name = base_name(argv[i]);
        if (ok) {
            n_pass++;
            printf("PASS %s\n", name);
        } else {
            n_fail++;
            if (!g_quiet || !expect_fail)
                printf("FAIL %s: %s\n", name, r.msg);
        }
        fflush(stdout);
    }
    if (argc - first > 1)
        printf("%d passed, %d failed\n", n_pass, n_fail);
    if (expect_fail) {
        if (n_pass > 0)
            printf("unexpected pass: the case(s) above now pass\n");
        return n_pass == 0 ? 0 : 1;
    }
    return n_fail == 0 ? 0 : 1;
}
