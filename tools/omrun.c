/* omrun: runs a compiled .om model with the omrt runtime, msame-style.
 *
 *   omrun model.om [--input a.npy,b.npy | --random [SEED]] [--output DIR] [--loop N] [--threads N]
 *
 * Inputs come from .npy (or raw .bin) files checked against the model, or are zeros, or
 * seeded random values. Outputs go to DIR/<output name>.npy, or a summary is printed.
 * Uses only runtime/include/omrt.h and the tools' libc helpers: no LLVM, no protobuf.
 * Exit status: 0 success, 1 load / input / run error, 2 usage error. A run whose inputs
 * fail one of the model's run-time checks (OMRT_ERR_EXECUTION: a shape input disagreeing
 * with the shapes omc compiled) prints the runtime's message, which names the step and
 * node, on one line and writes no output file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/include/omrt.h"
#include "tools/io_buffer.h"
#include "tools/cli.h"
#include "tools/omrun_data.h"
#include "tools/tensor_values.h"

#ifndef OMC_VERSION
#define OMC_VERSION "0.0.0"
#endif

typedef struct omrun_args {
    const char *model;
    const char *inputs[256];
    int n_inputs;
    bool random;
    uint64_t seed;
    const char *output_dir;
    long long loop, threads;
} omrun_args;

static void usage(FILE *out)
{
    fprintf(out,
"usage: omrun [options] MODEL.om\n"
"\n"
"Runs a compiled .om model on the CPU and prints its outputs and timing.\n"
"\n"
"  MODEL.om, --model FILE    the artifact to run\n"
"  --input A.npy,B.npy       input files in the model's input order (repeatable, appends);\n"
"                            .npy with the input's dtype and shape (float32 for a bfloat16\n"
"                            input: numpy has no bfloat16), or raw *.bin of its size\n"
"                            (default: all inputs zero, as msame does)\n"
"  --random [SEED]           seeded random inputs instead: floats in [-1, 1), ints in\n"
"                            [-4, 4] ([0, 8] unsigned), bools 0/1 (default seed 0)\n"
"  --output DIR              write each output as DIR/<output name>.npy (DIR is created;\n"
"                            bfloat16 outputs as float32, exactly);\n"
"                            without it a summary of each output is printed\n"
"  --loop N                  run N times; print the first run's time, then the average,\n"
"                            median and minimum of the other runs (default 1)\n"
"  --threads N               intra-op threads, including the caller (default 1)\n"
"  -h, --help                this text\n"
"  --version                 version\n"
"\n"
"Examples:\n"
"  omrun model.om\n"
"  omrun --model model.om --input x.npy --output out/\n"
"  omrun model.om --random 7 --loop 100 --threads 4\n");
}

static int add_inputs(omrun_args *a, char *list)
{
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if ((size_t)a->n_inputs == sizeof a->inputs / sizeof a->inputs[0]) {
            om_cli_error("--input: more than %zu files", sizeof a->inputs / sizeof a->inputs[0]);
            return OM_CLI_EXIT_USAGE;
        }
        a->inputs[a->n_inputs++] = tok;
    }
    return -1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, omrun_args *a)
{
    memset(a, 0, sizeof *a);
    a->loop = 1;
    a->threads = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int m;
#define VALUE(name) ((m = om_cli_value(argc, argv, &i, name, &v)) != 0)
        if (om_cli_flag(arg, "-h") || om_cli_flag(arg, "--help")) {
            usage(stdout);
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--version")) {
            printf("omrun %s\n", OMC_VERSION);
            return OM_CLI_EXIT_OK;
        } else if (om_cli_flag(arg, "--random") || strncmp(arg, "--random=", 9) == 0) {
            long long s = 0;
            const char *sv = arg[8] == '=' ? arg + 9 : (i + 1 < argc ? argv[i + 1] : NULL);
            bool ok = sv && om_cli_parse_int(sv, 0, INT64_MAX, &s);
            if (arg[8] == '=' && !ok) {
                om_cli_error("--random=%s: expected a seed >= 0", sv);
                return OM_CLI_EXIT_USAGE;
            }
            if (ok && arg[8] != '=')
                i++;
            a->random = true;
            a->seed = (uint64_t)s;
        } else if (VALUE("--model")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (a->model) {
                om_cli_error("more than one model given ('%s' and '%s')", a->model, v);
                return OM_CLI_EXIT_USAGE;
            }
            a->model = v;
        } else if (VALUE("--input")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            int rc = add_inputs(a, (char *)v); /* argv strings are writable */
            if (rc >= 0)
                return rc;
        } else if (VALUE("--output")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            a->output_dir = v;
        } else if (VALUE("--loop")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (!om_cli_parse_int(v, 1, 10000000, &a->loop)) {
                om_cli_error("--loop %s: expected a count >= 1", v);
                return OM_CLI_EXIT_USAGE;
            }
        } else if (VALUE("--threads")) {
            if (m < 0)
                return OM_CLI_EXIT_USAGE;
            if (!om_cli_parse_int(v, 1, 4096, &a->threads)) {
                om_cli_error("--threads %s: expected a count from 1 to 4096", v);
                return OM_CLI_EXIT_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            om_cli_error("unknown option '%s' (see --help)", arg);
            return OM_CLI_EXIT_USAGE;
        } else {
            if (a->model) {
                om_cli_error("more than one model given ('%s' and '%s')", a->model, arg);
                return OM_CLI_EXIT_USAGE;
            }
            a->model = arg;
        }
#undef VALUE
    }
    if (!a->model) {
        om_cli_error("no model given (usage: omrun [options] MODEL.om; see --help)");
        return OM_CLI_EXIT_USAGE;
    }
    if (a->random && a->n_inputs) {
        om_cli_error("--random and --input exclude each other");
        return OM_CLI_EXIT_USAGE;
    }
    return -1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void print_times(double *ms, long long n)
{
    printf("first run: %.4g ms\n", ms[0]);
    if (n < 2)
        return;
    double *rest = ms + 1, sum = 0;
    long long k = n - 1;
    for (long long i = 0; i < k; i++)
        sum += rest[i];
    qsort(rest, (size_t)k, sizeof *rest, cmp_double);
    double median = k % 2 ? rest[k / 2] : (rest[k / 2 - 1] + rest[k / 2]) / 2;
    printf("runs 2..%lld: average %.4g ms, median %.4g ms, min %.4g ms per inference\n", n,
           sum / (double)k, median, rest[0]);
}

int main(int argc, char **argv)
{
    om_cli_tool = "omrun";
    omrun_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = OM_CLI_EXIT_FAIL;
    omrt_model *model = NULL;
    omrt_context *ctx = NULL;
    void **in = NULL, **out = NULL;
    double *ms = NULL;
    size_t n_in = 0, n_out = 0;
    char err[1024];
    bool initialized = false;

    if (omrt_model_load_file(a.model, &model) != OMRT_OK) {
        om_cli_error("%s", omrt_last_error());
        goto done;
    }
    if (omrt_init(NULL) != OMRT_OK) {
        om_cli_error("%s", omrt_last_error());
        goto done;
    }
    initialized = true;
    n_in = omrt_model_num_inputs(model);
    n_out = omrt_model_num_outputs(model);
    in = calloc(n_in + 1, sizeof *in);
    out = calloc(n_out + 1, sizeof *out);
    ms = calloc((size_t)a.loop, sizeof *ms);
    if (!in || !out || !ms) {
        om_cli_error("out of memory");
        goto done;
    }
    if (a.n_inputs && (size_t)a.n_inputs != n_in) {
        char names[512] = "";
        size_t p = 0;
        for (size_t i = 0; i < n_in && p < sizeof names; i++)
            p += (size_t)snprintf(names + p, sizeof names - p, "%s'%s'", i ? ", " : "",
                                  omrt_model_input(model, i)->name);
        om_cli_error("the model has %zu input%s (%s), --input gives %d file%s", n_in,
                     n_in == 1 ? "" : "s", names, a.n_inputs, a.n_inputs == 1 ? "" : "s");
        goto done;
    }
    for (size_t i = 0; i < n_in; i++) {
        const omrt_tensor_info *info = omrt_model_input(model, i);
        in[i] = om_io_buffer(info->nbytes);
        if (!in[i]) {
            om_cli_error("out of memory for input '%s' (%zu bytes)", info->name, info->nbytes);
            goto done;
        }
        if (a.n_inputs && omrun_load_input(info, i, a.inputs[i], in[i], err, sizeof err) != 0) {
            om_cli_error("%s", err);
            goto done;
        }
        if (a.random)
            omrun_fill_random(info, i, a.seed, in[i]);
    }
    for (size_t i = 0; i < n_out; i++) {
        const omrt_tensor_info *info = omrt_model_output(model, i);
        out[i] = om_io_buffer(info->nbytes);
        if (!out[i]) {
            om_cli_error("out of memory for output '%s' (%zu bytes)", info->name, info->nbytes);
            goto done;
        }
    }
    omrt_context_opts copts = {.threads = (int)a.threads};
    if (omrt_context_create(model, &copts, &ctx) != OMRT_OK) {
        om_cli_error("%s", omrt_last_error());
        goto done;
    }
    for (long long r = 0; r < a.loop; r++) {
        double t0 = now_ms();
        omrt_status est = omrt_execute(ctx, (const void *const *)in, (void *const *)out);
        if (est == OMRT_ERR_EXECUTION && a.loop > 1) {
            /* a failed run-time check: the runtime's message names the step and node */
            om_cli_error("run %lld of %lld: %s", r + 1, a.loop, omrt_last_error());
            goto done;
        }
        if (est != OMRT_OK) {
            om_cli_error("%s", omrt_last_error());
            goto done;
        }
        ms[r] = now_ms() - t0;
    }

    printf("model: %s (%zu input%s, %zu output%s, %lld thread%s)\n", a.model, n_in,
           n_in == 1 ? "" : "s", n_out, n_out == 1 ? "" : "s", a.threads, a.threads == 1 ? "" : "s");
    for (size_t i = 0; i < n_in; i++) {
        const omrt_tensor_info *info = omrt_model_input(model, i);
        printf("input %zu: '%s' <- %s\n", i, info->name,
               a.n_inputs ? a.inputs[i] : a.random ? "random" : "zeros");
    }
    if (a.output_dir && omrun_make_dirs(a.output_dir, err, sizeof err) != 0) {
        om_cli_error("%s", err);
        goto done;
    }
    for (size_t i = 0; i < n_out; i++) {
        const omrt_tensor_info *info = omrt_model_output(model, i);
        if (!a.output_dir) {
            omrun_print_summary(stdout, "output", i, info, out[i]);
            continue;
        }
        /* unique file names even when two names sanitize alike */
        char name[200], other[200], path[4096];
        omrun_sanitize_name(info->name, i, name, sizeof name);
        bool clash = false;
        for (size_t j = 0; j < i && !clash; j++) {
            omrun_sanitize_name(omrt_model_output(model, j)->name, j, other, sizeof other);
            clash = strcmp(other, name) == 0;
        }
        char suffix[24] = "";
        if (clash)
            snprintf(suffix, sizeof suffix, "_%zu", i);
        snprintf(path, sizeof path, "%s/%s%s.npy", a.output_dir, name, suffix);
        if (omrun_write_output(info, out[i], path, err, sizeof err) != 0) {
            om_cli_error("output %zu '%s': %s", i, info->name, err);
            goto done;
        }
        printf("output %zu: '%s' -> %s%s\n", i, info->name, path,
               info->dtype == OM_TV_BF16 ? " (bfloat16, written as float32)" : "");
    }
    print_times(ms, a.loop);
    rc = OM_CLI_EXIT_OK;
done:
    omrt_context_destroy(ctx);
    for (size_t i = 0; in && i < n_in; i++)
        if (in[i])
            omrt_free_host(in[i]);
    for (size_t i = 0; out && i < n_out; i++)
        if (out[i])
            omrt_free_host(out[i]);
    if (initialized)
        omrt_finalize();
    free(in);
    free(out);
    free(ms);
    omrt_model_destroy(model);
    return rc;
}
