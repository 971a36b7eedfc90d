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
 *
 * With --tools the same case goes through the real tools instead, as a user runs them:
 * `OMC model.onnx -o WORK_DIR/<case>/model.om [--input-shape <pins>]`, each data set's
 * inputs written as raw .bin files in the model's input order, `OMRUN model.om --input
 * a.bin,b.bin --output out_N`, and the .npy files omrun reports ("output K: 'name' -> path")
 * compared in the same way. A tool's failure reports the first line of its stderr.
 *
 * Prints one line per case: "PASS <case>" or "FAIL <case>: <stage>: <reason>", where a
 * mismatch names the output, the flat index, got and expected.
 *
 * Exit status: 0 when every case passed; 1 otherwise. With --expect-fail the sense is
 * inverted (0 when every case fails cleanly, 1 when one unexpectedly passes), so that
 * known failures are still run and must not crash. Nothing here calls exit() from a
 * helper: each case cleans up through one `goto done` path.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "compiler/compile.h"
#include "frontend/onnx_import.h"
#include "runtime/include/omrt.h"
#include "tests/e2e/npy_read.h"

#define RTOL 1e-3
#define ATOL 1e-7
#define MAX_FILES 64

static bool g_quiet;
static const char *g_omc, *g_omrun, *g_work;   /* --tools OMC OMRUN WORK_DIR */
static bool g_const_input[MAX_FILES];   /* --const-input K: input_K.pb becomes a constant */

typedef struct case_result {
    char msg[1024];
} case_result;

static bool failf(case_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool failf(case_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    return false;
}

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

/* Sorted list of "<prefix><N><suffix>" names in dir, N = 0, 1, ... until one is missing. */
static int count_numbered(const char *dir, const char *prefix, const char *suffix)
{
    int n = 0;
    for (;; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s%d%s", dir, prefix, n, suffix);
        FILE *f = fopen(path, "rb");
        if (!f)
            return n;
        fclose(f);
        if (n >= MAX_FILES)
            return n;
    }
}

static int count_datasets(const char *case_dir)
{
    int n = 0;
    for (;; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/test_data_set_%d", case_dir, n);
        DIR *d = opendir(path);
        if (!d)
            return n;
        closedir(d);
        if (n >= MAX_FILES)
            return n;
    }
}

static void free_tensors(om_fe_tensor *t, int n)
{
    for (int i = 0; i < n; i++)
        om_fe_tensor_free(&t[i]);
}

/* Loads <dir>/<prefix>K.pb for K in [0, n). */
static bool load_tensors(const char *dir, const char *prefix, int n, om_fe_tensor *out,
                         case_result *r)
{
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s%d.pb", dir, prefix, i);
        if (om_fe_load_tensor_file(path, &out[i]) != OM_OK)
            return failf(r, "read %s: %s", path, om_last_error());
    }
    return true;
}

static void shape_str(const int64_t *dims, int rank, char *buf, size_t len)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, len - o, "[");
    for (int i = 0; i < rank && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

static double half_to_double(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return s ? -v : v;
}

static double bf16_to_double(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Reads element i of a float-typed buffer as double. */
static double float_at(const void *data, om_dtype dt, size_t i)
{
    switch (dt) {
    case OM_DT_FLOAT: { float f; memcpy(&f, (const char *)data + 4 * i, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, (const char *)data + 8 * i, 8); return d; }
    case OM_DT_FLOAT16: { uint16_t h; memcpy(&h, (const char *)data + 2 * i, 2); return half_to_double(h); }
    case OM_DT_BFLOAT16: { uint16_t h; memcpy(&h, (const char *)data + 2 * i, 2); return bf16_to_double(h); }
    default: return NAN;
    }
}

/* Reads element i of an integer or bool buffer as a signed 64-bit value (uint64 wraps). */
static long long int_at(const void *data, om_dtype dt, size_t i)
{
    const char *p = data;
    switch (dt) {
    case OM_DT_UINT8: case OM_DT_BOOL: return ((const uint8_t *)p)[i];
    case OM_DT_INT8: return ((const int8_t *)p)[i];
    case OM_DT_UINT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case OM_DT_INT16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case OM_DT_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case OM_DT_UINT32: { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case OM_DT_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    case OM_DT_UINT64: { uint64_t v; memcpy(&v, p + 8 * i, 8); return (long long)v; }
    default: return 0;
    }
}

/* Compares one output buffer with the expected tensor. */
static bool compare_output(const char *what, const omrt_tensor_info *info, const void *got,
                           const om_fe_tensor *exp, case_result *r)
{
    char gs[256], es[256];
    shape_str(info->dims, info->rank, gs, sizeof gs);
    shape_str(exp->shape.dims, exp->shape.rank, es, sizeof es);
    if ((om_dtype)info->dtype != exp->dtype)
        return failf(r, "%s: dtype %s, expected %s", what, om_dtype_onnx_name((om_dtype)info->dtype),
                     om_dtype_onnx_name(exp->dtype));
    if (info->rank != exp->shape.rank ||
        memcmp(info->dims, exp->shape.dims, sizeof(int64_t) * (size_t)(info->rank > 0 ? info->rank : 0)) != 0)
        return failf(r, "%s: shape %s, expected %s", what, gs, es);
    if (info->nbytes != exp->nbytes)
        return failf(r, "%s: %zu bytes, expected %zu", what, info->nbytes, exp->nbytes);
    size_t es_size = om_dtype_size(exp->dtype);
    if (es_size == 0)
        return failf(r, "%s: cannot compare dtype %s", what, om_dtype_onnx_name(exp->dtype));
    size_t n = exp->nbytes / es_size;
    if (om_dtype_is_float(exp->dtype)) {
        for (size_t i = 0; i < n; i++) {
            double a = float_at(got, exp->dtype, i), b = float_at(exp->data, exp->dtype, i);
            if (a == b || (isnan(a) && isnan(b)))
                continue;
            if (!(fabs(a - b) <= ATOL + RTOL * fabs(b)))
                return failf(r, "%s %s: mismatch at index %zu: got %.9g, expected %.9g "
                             "(|diff| %.3g > atol %g + rtol %g * |expected|)",
                             what, es, i, a, b, fabs(a - b), ATOL, RTOL);
        }
        return true;
    }
    if (exp->dtype == OM_DT_BOOL || om_dtype_is_signed_int(exp->dtype) ||
        om_dtype_is_unsigned_int(exp->dtype)) {
        for (size_t i = 0; i < n; i++) {
            long long a = int_at(got, exp->dtype, i), b = int_at(exp->data, exp->dtype, i);
            if (a != b)
                return failf(r, "%s %s: mismatch at index %zu: got %lld, expected %lld", what, es,
                             i, a, b);
        }
        return true;
    }
    return failf(r, "%s: cannot compare dtype %s", what, om_dtype_onnx_name(exp->dtype));
}

/* Index of the model input that tensor k of a data set feeds: by name when the tensor has a
 * name the model knows, else by position. */
static int64_t graph_input_for(const om_graph *g, const om_fe_tensor *t, int k)
{
    if (t->name && t->name[0]) {
        for (size_t i = 0; i < g->n_inputs; i++)
            if (strcmp(g->inputs[i]->name, t->name) == 0)
                return (int64_t)i;
    }
    return k < (int64_t)g->n_inputs ? k : -1;
}

/* Turns graph input `gi` into a constant holding t (same value, so its name and uses stay). */
static bool freeze_input(om_graph *g, int64_t gi, const om_fe_tensor *t, case_result *r)
{
    om_value *v = g->inputs[gi];
    void *data = om_graph_alloc(g, t->nbytes ? t->nbytes : 1);
    if (!data)
        return failf(r, "setup: out of memory freezing input '%s'", v->name);
    if (t->nbytes)
        memcpy(data, t->data, t->nbytes);
    v->kind = OM_VALUE_CONSTANT;
    v->dtype = t->dtype;
    v->shape = t->shape;
    v->data = data;
    v->nbytes = t->nbytes;
    memmove(&g->inputs[gi], &g->inputs[gi + 1], sizeof(om_value *) * (g->n_inputs - (size_t)gi - 1));
    g->n_inputs--;
    return true;
}

static bool run_case(const char *case_dir, case_result *r)
{
    bool ok = false;
    om_graph *g = NULL;
    om_cg_result *cg = NULL;
    om_art_model art = {0};
    void *buf = NULL;
    size_t size = 0;
    omrt_model *model = NULL;
    omrt_context *ctx = NULL;
    om_fe_tensor ins[MAX_FILES], outs[MAX_FILES];
    int n_in = 0, n_out = 0;
    om_input_pin pins[MAX_FILES];
    int n_pins = 0;
    void *out_bufs[MAX_FILES] = {0};
    char path[4096], dir[4096];
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);

    int n_sets = count_datasets(case_dir);
    if (n_sets == 0) {
        failf(r, "setup: no test_data_set_0 in %s", case_dir);
        goto done;
    }

    /* 1. load and optimize, pinning dynamic inputs to the first data set's shapes */
    snprintf(path, sizeof path, "%s/model.onnx", case_dir);
    if (om_compile_load(path, &g) != OM_OK) {
        failf(r, "load: %s", om_last_error());
        goto done;
    }
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    n_in = count_numbered(dir, "input_", ".pb");
    if (!load_tensors(dir, "input_", n_in, ins, r))
        goto done;
    /* freeze first (positions shift), then pin */
    for (int k = n_in - 1; k >= 0; k--) {
        if (!g_const_input[k])
            continue;
        int64_t gi = graph_input_for(g, &ins[k], k);
        if (gi < 0) {
            failf(r, "setup: --const-input %d: no model input for input_%d.pb", k, k);
            goto done;
        }
        if (!freeze_input(g, gi, &ins[k], r))
            goto done;
    }
    for (int k = 0, pos = 0; k < n_in; k++) {
        if (g_const_input[k])
            continue;
        int64_t gi = graph_input_for(g, &ins[k], pos++);
        if (gi < 0)
            continue;
        const om_value *v = g->inputs[gi];
        if (om_shape_is_static(&v->shape))
            continue;
        pins[n_pins].name = v->name;
        pins[n_pins].shape = ins[k].shape;
        n_pins++;
    }
    om_compile_opts opts = {0};
    opts.pins = pins;
    opts.n_pins = n_pins;
    opts.target.opt_level = 3;   /* as omc */
    if (om_compile_optimize(g, &opts) != OM_OK) {
        failf(r, "optimize: %s", om_last_error());
        goto done;
    }

    /* 2. codegen, artifact bytes (as omc writes them), runtime load */
    if (om_cg_compile(g, &opts.target, &cg) != OM_OK) {
        failf(r, "codegen: %s", om_last_error());
        goto done;
    }
    if (om_compile_build_artifact(g, cg, &art) != OM_OK) {
        failf(r, "artifact: %s", om_last_error());
        goto done;
    }
    char err[512] = "";
    if (om_art_serialize(&art, &buf, &size, err, sizeof err) != 0) {
        failf(r, "serialize: %s", err);
        goto done;
    }
    if (omrt_model_load_memory(buf, size, &model) != OMRT_OK) {
        failf(r, "runtime load: %s", omrt_last_error());
        goto done;
    }
    omrt_context_opts copts = {.threads = 1};
    if (omrt_context_create(model, &copts, &ctx) != OMRT_OK) {
        failf(r, "context: %s", omrt_last_error());
        goto done;
    }

    size_t m_in = omrt_model_num_inputs(model), m_out = omrt_model_num_outputs(model);
    if (m_in > MAX_FILES || m_out > MAX_FILES) {
        failf(r, "setup: too many inputs/outputs (%zu/%zu)", m_in, m_out);
        goto done;
    }
    for (size_t i = 0; i < m_out; i++) {
        const omrt_tensor_info *oi = omrt_model_output(model, i);
        out_bufs[i] = malloc(oi->nbytes ? oi->nbytes : 1);
        if (!out_bufs[i]) {
            failf(r, "setup: out of memory");
            goto done;
        }
    }

    /* 3. every data set */
    for (int s = 0; s < n_sets; s++) {
        snprintf(dir, sizeof dir, "%s/test_data_set_%d", case_dir, s);
        if (s > 0) {
            free_tensors(ins, n_in);
            memset(ins, 0, sizeof ins);
            n_in = count_numbered(dir, "input_", ".pb");
            if (!load_tensors(dir, "input_", n_in, ins, r))
                goto done;
        }
        free_tensors(outs, n_out);
        memset(outs, 0, sizeof outs);
        n_out = count_numbered(dir, "output_", ".pb");
        if (!load_tensors(dir, "output_", n_out, outs, r))
            goto done;

        int n_fed = 0;
        for (int k = 0; k < n_in; k++)
            n_fed += !g_const_input[k];
        if ((size_t)n_fed != m_in) {
            failf(r, "inputs: data set %d feeds %d inputs, the compiled model has %zu", s, n_fed,
                  m_in);
            goto done;
        }
        const void *in_ptrs[MAX_FILES] = {0};
        for (int k = 0, pos = 0; k < n_in; k++) {
            if (g_const_input[k])
                continue;
            int64_t mi = -1;
            if (ins[k].name && ins[k].name[0])
                mi = omrt_model_input_index(model, ins[k].name);
            if (mi < 0)
                mi = pos;
            pos++;
            const omrt_tensor_info *ii = omrt_model_input(model, (size_t)mi);
            if ((om_dtype)ii->dtype != ins[k].dtype || ii->nbytes != ins[k].nbytes) {
                failf(r, "inputs: input_%d.pb (%s, %zu bytes) does not fit model input '%s' "
                      "(%s, %zu bytes)", k, om_dtype_onnx_name(ins[k].dtype), ins[k].nbytes,
                      ii->name, om_dtype_onnx_name((om_dtype)ii->dtype), ii->nbytes);
                goto done;
            }
            in_ptrs[mi] = ins[k].data ? ins[k].data : (const void *)"";
        }
        if ((size_t)n_out != m_out) {
            failf(r, "outputs: data set %d expects %d outputs, the compiled model has %zu", s,
                  n_out, m_out);
            goto done;
        }
        if (omrt_execute(ctx, in_ptrs, out_bufs) != OMRT_OK) {
            failf(r, "execute: %s", omrt_last_error());
            goto done;
        }
        for (int k = 0; k < n_out; k++) {
            int64_t mo = -1;
            if (outs[k].name && outs[k].name[0])
                mo = omrt_model_output_index(model, outs[k].name);
            if (mo < 0)
                mo = k;
            const omrt_tensor_info *oi = omrt_model_output(model, (size_t)mo);
            char what[512];
            snprintf(what, sizeof what, "data set %d output_%d '%s'", s, k, oi->name);
            if (!compare_output(what, oi, out_bufs[mo], &outs[k], r))
                goto done;
        }
    }
    ok = true;

done:
    for (size_t i = 0; i < MAX_FILES; i++)
        free(out_bufs[i]);
    free_tensors(ins, n_in);
    free_tensors(outs, n_out);
    omrt_context_destroy(ctx);
    omrt_model_destroy(model);
    free(buf);
    om_compile_artifact_free(&art);
    om_cg_result_destroy(cg);
    om_graph_destroy(g);
    return ok;
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
    return failf(r, "%s: exit status %d: %s", stage, st, line[0] ? line : "(no message)");
}

static bool write_file(const char *path, const void *data, size_t n, case_result *r)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return failf(r, "setup: cannot write %s", path);
    bool ok = (n == 0 || fwrite(data, 1, n, f) == n);
    if (fclose(f) != 0)
        ok = false;
    return ok ? true : failf(r, "setup: cannot write %s", path);
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
    om_fe_tensor ins[MAX_FILES], outs[MAX_FILES];
    int n_in = 0, n_out = 0;
    char dir[4096], work[4096], path[8192], om[8192], spec[8192] = "";
    static char cmd[65536];
    npy got = {0};
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);

    for (int k = 0; k < MAX_FILES; k++)
        if (g_const_input[k]) {
            failf(r, "setup: --const-input cannot be used with --tools (omc has no such option)");
            goto done;
        }
    snprintf(work, sizeof work, "%s/%s", g_work, base_name(case_dir));
    make_dirs(work);
    int n_sets = count_datasets(case_dir);
    if (n_sets == 0) {
        failf(r, "setup: no test_data_set_0 in %s", case_dir);
        goto done;
    }

    /* pins for the dynamic inputs, as a user would pass them */
    snprintf(path, sizeof path, "%s/model.onnx", case_dir);
    if (om_compile_load(path, &g) != OM_OK) {
        failf(r, "load: %s", om_last_error());
        goto done;
    }
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    n_in = count_numbered(dir, "input_", ".pb");
    if (!load_tensors(dir, "input_", n_in, ins, r))
        goto done;
    for (int k = 0; k < n_in; k++) {
        int64_t gi = graph_input_for(g, &ins[k], k);
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
            free_tensors(ins, n_in);
            memset(ins, 0, sizeof ins);
            n_in = count_numbered(dir, "input_", ".pb");
            if (!load_tensors(dir, "input_", n_in, ins, r))
                goto done;
        }
        free_tensors(outs, n_out);
        memset(outs, 0, sizeof outs);
        n_out = count_numbered(dir, "output_", ".pb");
        if (!load_tensors(dir, "output_", n_out, outs, r))
            goto done;

        /* inputs as raw .bin files, in the model's input order */
        char files[MAX_FILES][4200];
        int order[MAX_FILES];
        for (size_t i = 0; i < MAX_FILES; i++)
            order[i] = -1;
        if ((size_t)n_in != g->n_inputs) {
            failf(r, "inputs: data set %d has %d inputs, the model %zu", s, n_in, g->n_inputs);
            goto done;
        }
        for (int k = 0; k < n_in; k++) {
            int64_t gi = graph_input_for(g, &ins[k], k);
            if (gi < 0 || order[gi] >= 0) {
                failf(r, "inputs: cannot place input_%d.pb", k);
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

        tool_output touts[MAX_FILES];
        memset(touts, 0, sizeof touts);
        snprintf(path, sizeof path, "%s/omrun%d.out", work, s);
        int n_got = parse_omrun_outputs(path, touts, MAX_FILES);
        if (n_got != n_out) {
            failf(r, "outputs: omrun reported %d outputs, data set %d expects %d", n_got, s, n_out);
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
                failf(r, "outputs: cannot read %s", touts[m].path);
                goto done;
            }
            omrt_tensor_info info = {0};
            info.name = touts[m].name;
            info.dtype = (int32_t)dtype_of_descr(got.descr);
            info.rank = got.rank;
            if (got.rank > OMRT_MAX_RANK) {
                failf(r, "outputs: %s has rank %d", touts[m].path, got.rank);
                goto done;
            }
            for (int d = 0; d < got.rank; d++)
                info.dims[d] = got.dims[d];
            info.nbytes = got.numel * got.elem;
            char what[8192];
            snprintf(what, sizeof what, "data set %d output_%d '%s' (%s)", s, k, touts[m].name,
                     touts[m].path);
            if (!compare_output(what, &info, got.data, &outs[k], r))
                goto done;
        }
    }
    ok = true;
done:
    free(got.data);
    free_tensors(ins, n_in);
    free_tensors(outs, n_out);
    om_graph_destroy(g);
    return ok;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: onnx_case [--expect-fail] [--quiet] [--const-input K]... CASE_DIR...\n"
               "       onnx_case --tools OMC OMRUN WORK_DIR [--expect-fail] CASE_DIR...\n"
               "Compiles each ONNX backend test case with omc's library path, runs it with the\n"
               "runtime and compares with its output_*.pb (rtol %g, atol %g).\n", RTOL, ATOL);
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
            if (k < 0 || k >= MAX_FILES) {
                usage(stderr);
                return 2;
            }
            g_const_input[k] = true;
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
        bool ok = g_omc ? run_case_tools(argv[i], &r) : run_case(argv[i], &r);
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
            printf("unexpected pass: move the case(s) above from known_fail.txt to expected_pass.txt\n");
        return n_pass == 0 ? 0 : 1;
    }
    return n_fail == 0 ? 0 : 1;
}
