/* gemm_libs: what established GEMM libraries reach on this core, for bench/run.py's GEMM
 * section (not a test). Prints one JSON object.
 *
 *   gemm_libs [ROUNDS]
 *
 * For each library found at run time (dlopen, so nothing is needed to build this) and each
 * of bench/run.py's GEMM shapes (squares 256..2048 and BERT-base's at sequence 128):
 * C[M,N] = A[M,K] * B[K,N], row-major fp32, 1 thread. Every figure is a median over
 * ROUNDS (default 7; bench/run.py asks for 9) of (library GFLOP/s) / (peak GFLOP/s), each round timing the peak loop
 * (bench/peak.c's 24 independent FMA chains) right before the library, on CPU time, like
 * bench/gemm_ceiling.c; beside each median, the lowest and highest round ("spread": the
 * shared machine moves these figures by several points within minutes). The libraries are the reference for issue 5's "85% of the measured
 * peak": oneDNN's JIT sgemm is Intel's own (the MKL kernel family), OpenBLAS's is
 * hand-written assembly. Debian packages: libdnnl2, libopenblas0 (any variant).
 * Threads: ONEDNN/OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to 1 before loading.
 *
 *   gemm_libs ROUNDS OMDIR
 *
 * also measures omc the same way: the artifacts OMDIR/gemm_<M>x<K>x<N>.om that bench/run.py
 * compiled (y = a * B, B constant and pre-packed in the artifact), run by libomrt on one
 * thread (omrt_execute on this thread, so its CPU time is the run's). Every operand of
 * every candidate sits on transparent huge pages (the libraries' A, B, C madvised here,
 * omc's input and output from omrt_malloc_host, its weights from the artifact's file
 * mapping), so no one pays TLB misses the others do not.
 */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "paired_peak.h"
#include "runtime/include/omrt.h"

/* dnnl_sgemm(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc), row-major */
typedef int (*dnnl_sgemm_fn)(char, char, long, long, long, float, const float *, long, const float *, long, float,
                             float *, long);
/* cblas_sgemm(order, transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) */
typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                               float *, int);

typedef struct lib {
    const char *name;
    const char *sonames[4];
    const char *symbol;
    void *fn;
} lib;

typedef struct shape {
    long m, k, n;
} shape;

static void run(const lib *l, shape s, const float *a, const float *b, float *c)
{
    if (l->symbol[0] == 'd')
        ((dnnl_sgemm_fn)l->fn)('N', 'N', s.m, s.n, s.k, 1.0f, a, s.k, b, s.n, 0.0f, c, s.n);
    else
        ((cblas_sgemm_fn)l->fn)(101, 111, 111, (int)s.m, (int)s.n, (int)s.k, 1.0f, a, (int)s.k, b, (int)s.n, 0.0f,
                                c, (int)s.n);
}

/* 1 if c = a*b on a few sampled elements (the library really computed the product) */
static int plausible(shape sh, const float *a, const float *b, const float *c)
{
    for (long s = 0; s < 5; s++) {
        long i = (s * 131) % sh.m, j = (s * 457 + 3) % sh.n;
        double ref = 0;
        for (long k = 0; k < sh.k; k++)
            ref += (double)a[i * sh.k + k] * b[k * sh.n + j];
        double d = ref - c[i * sh.n + j];
        if (d * d > 1e-8 * (ref * ref + 1))
            return 0;
    }
    return 1;
}

typedef void (*run_fn)(void *arg);

/* A candidate's fractions of the peak over the rounds: the median (the figure reported) and
 * the lowest and highest round (how much the shared machine moved it). */
typedef struct paired {
    double median, lo, hi;
} paired;

/* Over `rounds` rounds, (GFLOP/s of fn) / (peak GFLOP/s timed just before it): per round,
 * the best of 3 timings of `reps` back-to-back calls, after one warm-up call (a library's
 * JIT and packing buffers, page faults). */
static paired paired_fraction(run_fn fn, void *arg, double flops, int rounds)
{
    int reps = flops < 3e8 ? 20 : flops < 3e9 ? 3 : 1;
    fn(arg);
    double ratio[99];
    for (int r = 0; r < rounds; r++) {
        double p = peak_gflops(), best = 1e9;
        for (int t = 0; t < 3; t++) {
            double t0 = now();
            for (int q = 0; q < reps; q++)
                fn(arg);
            double d = (now() - t0) / reps;
            if (d < best)
                best = d;
        }
        ratio[r] = flops / best * 1e-9 / p;
    }
    qsort(ratio, (size_t)rounds, sizeof(double), by_value);
    return (paired){ratio[rounds / 2], ratio[0], ratio[rounds - 1]};
}

typedef struct lib_call {
    const lib *l;
    shape s;
    const float *a, *b;
    float *c;
} lib_call;

static void run_lib(void *arg)
{
    lib_call *x = arg;
    run(x->l, x->s, x->a, x->b, x->c);
}

typedef struct omc_call {
    omrt_context *ctx;
    void *in, *out;
} omc_call;

static void run_omc(void *arg)
{
    omc_call *x = arg;
    if (omrt_execute(x->ctx, (const void *const *)&x->in, (void *const *)&x->out) != OMRT_OK) {
        fprintf(stderr, "gemm_libs: %s\n", omrt_last_error());
        exit(1);
    }
}

/* 64-byte aligned, on transparent huge pages where the system has them */
static float *huge_floats(size_t n)
{
    size_t hp = (size_t)2 << 20, bytes = (n * sizeof(float) + hp - 1) / hp * hp;
    float *p = aligned_alloc(hp, bytes);
    if (p)
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

/* omc's fractions of the peak on OMDIR/gemm_MxKxN.om (all -1: not there or not loadable) */
static paired omc_fraction(const char *dir, shape sh, const float *a, int rounds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/gemm_%ldx%ldx%ld.om", dir, sh.m, sh.k, sh.n);
    omrt_model *m = NULL;
    omrt_context *ctx = NULL;
    omc_call x = {0};
    paired f = {-1, -1, -1};
    omrt_context_opts opts = {.threads = 1};
    if (omrt_model_load_file(path, &m) != OMRT_OK || omrt_model_num_inputs(m) != 1 ||
        omrt_model_num_outputs(m) != 1 || omrt_model_input(m, 0)->nbytes != (size_t)(sh.m * sh.k) * sizeof(float) ||
        omrt_context_create(m, &opts, &ctx) != OMRT_OK ||
        omrt_malloc_host(omrt_model_input(m, 0)->nbytes, &x.in) != OMRT_OK ||
        omrt_malloc_host(omrt_model_output(m, 0)->nbytes, &x.out) != OMRT_OK)
        goto done;
    memcpy(x.in, a, omrt_model_input(m, 0)->nbytes);
    x.ctx = ctx;
    f = paired_fraction(run_omc, &x, 2.0 * (double)sh.m * sh.k * sh.n, rounds);
done:
    if (x.in)
        omrt_free_host(x.in);
    if (x.out)
        omrt_free_host(x.out);
    omrt_context_destroy(ctx);
    omrt_model_destroy(m);
    return f;
}

/* "fraction": {"MxKxN": median, ...}, "spread": {"MxKxN": [lowest, highest], ...} (-1: no
 * figure: a library's wrong result, omc's artifact missing) */
static void print_fractions(const shape *shapes, const paired *f, int n)
{
    printf("\"fraction\": {");
    for (int si = 0; si < n; si++)
        printf("%s\"%ldx%ldx%ld\": %.3f", si ? ", " : "", shapes[si].m, shapes[si].k, shapes[si].n, f[si].median);
    printf("}, \"spread\": {");
    for (int si = 0; si < n; si++)
        printf("%s\"%ldx%ldx%ld\": [%.3f, %.3f]", si ? ", " : "", shapes[si].m, shapes[si].k, shapes[si].n, f[si].lo,
               f[si].hi);
    printf("}");
}

int main(int argc, char **argv)
{
    if (!__builtin_cpu_supports("avx512f")) {
        printf("{\"error\": \"gemm_libs: needs avx512f (the peak loop)\"}\n");
        return 1;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    if (rounds < 1 || rounds > 99)
        rounds = 7;
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    lib libs[] = {
        {"oneDNN", {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so", NULL}, "dnnl_sgemm", NULL},
        {"OpenBLAS", {"libopenblas.so.0", "libopenblas.so", NULL}, "cblas_sgemm", NULL},
    };
    static const shape shapes[] = {{256, 256, 256},  {512, 512, 512},   {1024, 1024, 1024}, {2048, 2048, 2048},
                                   {128, 768, 768},  {128, 768, 3072},  {128, 3072, 768}};
    enum { NSHAPES = 7, NLIBS = 2 };
    float *a = huge_floats(2048L * 2048), *b = huge_floats(2048L * 2048), *c = huge_floats(2048L * 2048);
    if (!a || !b || !c) {
        printf("{\"error\": \"gemm_libs: out of memory\"}\n");
        return 1;
    }
    for (long i = 0; i < 2048L * 2048; i++) {
        a[i] = (float)(i % 7) * 0.1f - 0.3f;
        b[i] = (float)(i % 5) * 0.1f - 0.2f;
    }
    printf("{\"rounds\": %d, \"libraries\": [", rounds);
    int first = 1;
    for (int li = 0; li < NLIBS; li++) {
        lib *l = &libs[li];
        void *h = NULL;
        const char *so = NULL;
        for (int s = 0; l->sonames[s] && !h; s++)
            if ((h = dlopen(l->sonames[s], RTLD_NOW | RTLD_LOCAL)))
                so = l->sonames[s];
        if (!h || !(l->fn = dlsym(h, l->symbol))) {
            printf("%s{\"name\": \"%s\", \"missing\": true}", first ? "" : ", ", l->name);
            first = 0;
            continue;
        }
        paired f[NSHAPES];
        for (int si = 0; si < NSHAPES; si++) {
            shape sh = shapes[si];
            lib_call x = {l, sh, a, b, c};
            f[si] = paired_fraction(run_lib, &x, 2.0 * (double)sh.m * sh.k * sh.n, rounds);
            if (!plausible(sh, a, b, c))
                f[si] = (paired){-1, -1, -1};
        }
        printf("%s{\"name\": \"%s\", \"so\": \"%s\", ", first ? "" : ", ", l->name, so);
        print_fractions(shapes, f, NSHAPES);
        printf("}");
        first = 0;
        fflush(stdout);
    }
    printf("]");
    if (argc > 2 && omrt_init(NULL) == OMRT_OK) {
        paired f[NSHAPES];
        for (int si = 0; si < NSHAPES; si++)
            f[si] = omc_fraction(argv[2], shapes[si], a, rounds);
        printf(", \"omc\": {");
        print_fractions(shapes, f, NSHAPES);
        printf("}");
        omrt_finalize();
    }
    printf("}\n");
    free(a), free(b), free(c);
    return 0;
}
