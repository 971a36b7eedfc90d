/* omc_bench: the omc side of the benchmark (bench/run.py drives it; not a test).
 *
 *   omc_bench MODEL.om [--threads N] [--input NAME=FILE.bin ...] [--outdir DIR]
 *             [--runs N] [--serve]
 *
 * Loads the artifact with the public runtime API (runtime/include/omrt.h) and times the load
 * (omrt_model_load_file) and the context creation separately. Inputs are raw little-endian
 * files of exactly the input's byte size, matched by input name (missing inputs are zeros).
 *
 * Batch mode (--runs N): runs N times and prints one JSON object with every run's time.
 * Serve mode (--serve): prints one JSON line describing the model, then reads commands on
 * stdin, one per line, and answers each with one JSON line on stdout:
 *   run        execute once            -> {"ms": <wall ms of omrt_execute>, "cpu_ms": <process
 *                                          CPU ms during it, all threads>}
 *   out        write outputs to DIR    -> {"ok": true}
 *   quit       exit                    -> {"maxrss_kb": <peak RSS (VmHWM) of this process>}
 * bench/run.py alternates "run" between this process and bench/ort_bench.js so that noise
 * on the shared machine hits both runtimes alike. Outputs are written as DIR/out_<i>.bin
 * (raw bytes of output i); the description line gives each output's name, dtype and dims.
 * Invariants: nothing is timed but the runtime calls; every error is one JSON line with an
 * "error" key naming the thing and a non-zero exit status.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/include/omrt.h"
#include "tools/io_buffer.h"

#define MAX_INPUTS 64

static double clock_ms(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* Prints s as a JSON string (quotes included). */
static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void fail_json(const char *what, const char *detail)
{
    printf("{\"error\": ");
    char buf[2048];
    snprintf(buf, sizeof buf, "%s: %s", what, detail ? detail : "");
    json_str(buf);
    printf("}\n");
    fflush(stdout);
}

static int read_exact(const char *path, void *dst, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t got = fread(dst, 1, n, f);
    int extra = fgetc(f);
    fclose(f);
    return got == n && extra == EOF ? 0 : -2;
}

static int write_outputs(const omrt_model *m, void *const *out, const char *dir)
{
    for (size_t i = 0; i < omrt_model_num_outputs(m); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/out_%zu.bin", dir, i);
        FILE *f = fopen(path, "wb");
        if (!f)
            return -1;
        size_t n = omrt_model_output(m, i)->nbytes;
        size_t w = fwrite(out[i], 1, n, f);
        if (fclose(f) != 0 || w != n)
            return -1;
    }
    return 0;
}

static void print_tensors(const omrt_model *m, int outputs)
{
    size_t n = outputs ? omrt_model_num_outputs(m) : omrt_model_num_inputs(m);
    printf("[");
    for (size_t i = 0; i < n; i++) {
        const omrt_tensor_info *t = outputs ? omrt_model_output(m, i) : omrt_model_input(m, i);
        printf("%s{\"name\": ", i ? ", " : "");
        json_str(t->name);
        printf(", \"dtype\": %d, \"dims\": [", (int)t->dtype);
        for (int d = 0; d < t->rank; d++)
            printf("%s%lld", d ? ", " : "", (long long)t->dims[d]);
        printf("], \"nbytes\": %zu}", t->nbytes);
    }
    printf("]");
}

/* Peak RSS of this process image: VmHWM of /proc/self/status. (getrusage's ru_maxrss is
 * not used: Linux keeps the pre-exec peak of the forking parent in it, so a small model would
 * report the Python driver's size.) -1 when unavailable. */
static long maxrss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    const char *model_path = NULL, *outdir = ".";
    const char *in_names[MAX_INPUTS], *in_files[MAX_INPUTS];
    int n_given = 0, threads = 1, serve = 0;
    long runs = 10;
    int rc = 1;
    omrt_model *m = NULL;
    omrt_context *ctx = NULL;
    void **in = NULL, **out = NULL;
    size_t n_in = 0, n_out = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(a, "--runs") && i + 1 < argc) {
            runs = atol(argv[++i]);
        } else if (!strcmp(a, "--outdir") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(a, "--serve")) {
            serve = 1;
        } else if (!strcmp(a, "--input") && i + 1 < argc) {
            char *spec = argv[++i];
            char *eq = strchr(spec, '=');
            if (!eq || n_given == MAX_INPUTS) {
                fail_json("--input", "expected NAME=FILE (at most 64)");
                return 2;
            }
            *eq = '\0';
            in_names[n_given] = spec;
            in_files[n_given++] = eq + 1;
        } else if (a[0] != '-' && !model_path) {
            model_path = a;
        } else {
            fail_json("usage", "omc_bench MODEL.om [--threads N] [--input NAME=FILE] "
                               "[--outdir DIR] [--runs N] [--serve]");
            return 2;
        }
    }
    if (!model_path || threads < 1 || runs < 1) {
        fail_json("usage", "a model, --threads >= 1 and --runs >= 1 are required");
        return 2;
    }

    if (omrt_init(NULL) != OMRT_OK) {
        fail_json("omrt_init", omrt_last_error());
        return 1;
    }
    double t0 = now_ms();
    if (omrt_model_load_file(model_path, &m) != OMRT_OK) {
        fail_json(model_path, omrt_last_error());
        return 1;
    }
    double load_ms = now_ms() - t0;
    omrt_context_opts opts = {.threads = threads};
    t0 = now_ms();
    if (omrt_context_create(m, &opts, &ctx) != OMRT_OK) {
        fail_json("context", omrt_last_error());
        goto fail;
    }
    double ctx_ms = now_ms() - t0;

    n_in = omrt_model_num_inputs(m);
    n_out = omrt_model_num_outputs(m);
    in = calloc(n_in ? n_in : 1, sizeof *in);
    out = calloc(n_out ? n_out : 1, sizeof *out);
    if (!in || !out)
        goto fail;
    for (size_t i = 0; i < n_in; i++) {
        in[i] = om_io_buffer(omrt_model_input(m, i)->nbytes);
        if (!in[i])
            goto fail;
    }
    for (size_t i = 0; i < n_out; i++) {
        out[i] = om_io_buffer(omrt_model_output(m, i)->nbytes);
        if (!out[i])
            goto fail;
    }
    for (int g = 0; g < n_given; g++) {
        int64_t idx = omrt_model_input_index(m, in_names[g]);
        if (idx < 0) {
            fail_json(in_names[g], "the model has no input of this name");
            goto fail;
        }
        if (read_exact(in_files[g], in[idx], omrt_model_input(m, (size_t)idx)->nbytes) != 0) {
            char why[256];
            snprintf(why, sizeof why, "cannot read exactly %zu bytes",
                     omrt_model_input(m, (size_t)idx)->nbytes);
            fail_json(in_files[g], why);
            goto fail;
        }
    }

    printf("{\"runtime\": \"omc\", \"threads\": %d, \"load_ms\": %.4f, \"context_ms\": %.4f, "
           "\"work_bytes\": %zu, \"weight_bytes\": %zu, \"inputs\": ",
           threads, load_ms, ctx_ms, omrt_model_work_size(m), omrt_model_weight_size(m));
    print_tensors(m, 0);
    printf(", \"outputs\": ");
    print_tensors(m, 1);
    if (serve) {
        printf("}\n");
        fflush(stdout);
        char line[256];
        while (fgets(line, sizeof line, stdin)) {
            if (!strncmp(line, "run", 3)) {
                double c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
                t0 = now_ms();
                if (omrt_execute(ctx, (const void *const *)in, (void *const *)out) != OMRT_OK) {
                    fail_json("execute", omrt_last_error());
                    goto fail;
                }
                double wall = now_ms() - t0;
                printf("{\"ms\": %.6f, \"cpu_ms\": %.6f}\n", wall,
                       clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0);
            } else if (!strncmp(line, "out", 3)) {
                if (write_outputs(m, out, outdir) != 0) {
                    fail_json(outdir, "cannot write the outputs");
                    goto fail;
                }
                printf("{\"ok\": true}\n");
            } else if (!strncmp(line, "quit", 4)) {
                break;
            } else {
                fail_json("command", "expected run, out or quit");
                goto fail;
            }
            fflush(stdout);
        }
        printf("{\"maxrss_kb\": %ld}\n", maxrss_kb());
    } else {
        printf(", \"ms\": [");
        for (long r = 0; r < runs; r++) {
            t0 = now_ms();
            if (omrt_execute(ctx, (const void *const *)in, (void *const *)out) != OMRT_OK) {
                printf("]}\n");
                fail_json("execute", omrt_last_error());
                goto fail;
            }
            printf("%s%.6f", r ? ", " : "", now_ms() - t0);
        }
        if (write_outputs(m, out, outdir) != 0) {
            printf("]}\n");
            fail_json(outdir, "cannot write the outputs");
            goto fail;
        }
        printf("], \"maxrss_kb\": %ld}\n", maxrss_kb());
    }
    fflush(stdout);
    rc = 0;
fail:
    for (size_t i = 0; in && i < n_in; i++)
        if (in[i])
            omrt_free_host(in[i]);
    for (size_t i = 0; out && i < n_out; i++)
        if (out[i])
            omrt_free_host(out[i]);
    omrt_finalize();
    free(in);
    free(out);
    omrt_context_destroy(ctx);
    omrt_model_destroy(m);
    return rc;
}
