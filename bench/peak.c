/* peak: measures this core's fp32 FMA peak (GFLOP/s) for bench/run.py (not a test).
 *
 *   peak [SECONDS]    prints {"gflops_wall": x, "gflops_cpu": y, "isa": "avx512f"|"avx2"}
 *
 * 24 independent accumulator chains of vector FMAs (enough to cover latency x issue width of
 * current x86 cores), no memory traffic. gflops_cpu divides by the thread's CPU time, so it
 * stays meaningful on a loaded machine; gflops_wall is the best repetition by wall time.
 * Each kernel is compiled for its own ISA (target attribute) and picked at run time.
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
    X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

__attribute__((target("avx512f"))) static float run512(long iters)
{
#define DECL(i) __m512 a##i = _mm512_set1_ps(1.0f + (float)(i) * 1e-3f);
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, m, c);
#define SUM(i) s = _mm512_add_ps(s, a##i);
    CHAINS(DECL)
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f), s = _mm512_setzero_ps();
    for (long k = 0; k < iters; k++) {
        CHAINS(STEP)
    }
    CHAINS(SUM)
    return _mm512_reduce_add_ps(s);
#undef DECL
#undef STEP
#undef SUM
}

__attribute__((target("avx2,fma"))) static float run256(long iters)
{
#define DECL(i) __m256 a##i = _mm256_set1_ps(1.0f + (float)(i) * 1e-3f);
#define STEP(i) a##i = _mm256_fmadd_ps(a##i, m, c);
#define SUM(i) s = _mm256_add_ps(s, a##i);
    CHAINS(DECL)
    __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f), s = _mm256_setzero_ps();
    for (long k = 0; k < iters; k++) {
        CHAINS(STEP)
    }
    CHAINS(SUM)
    float o[8];
    _mm256_storeu_ps(o, s);
    return o[0] + o[1] + o[2] + o[3] + o[4] + o[5] + o[6] + o[7];
#undef DECL
#undef STEP
#undef SUM
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int wide = __builtin_cpu_supports("avx512f");
    if (!wide && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
        printf("{\"error\": \"peak: neither avx512f nor avx2+fma\"}\n");
        return 1;
    }
    double flops_per_iter = 24.0 * 2.0 * (wide ? 16 : 8);
    long iters = 1000000;
    double best_wall = 0, best_cpu = 0, spent = 0;
    volatile float sink = 0;
    while (spent < seconds) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        sink += wide ? run512(iters) : run256(iters);
        double w = now(CLOCK_MONOTONIC) - w0, c = now(CLOCK_THREAD_CPUTIME_ID) - c0;
        spent += w;
        double gw = flops_per_iter * (double)iters / w * 1e-9;
        double gc = flops_per_iter * (double)iters / c * 1e-9;
        if (gw > best_wall)
            best_wall = gw;
        if (gc > best_cpu)
            best_cpu = gc;
    }
    printf("{\"gflops_wall\": %.1f, \"gflops_cpu\": %.1f, \"isa\": \"%s\", \"sink\": %g}\n", best_wall,
           best_cpu, wide ? "avx512f" : "avx2", (double)sink);
    return 0;
}
