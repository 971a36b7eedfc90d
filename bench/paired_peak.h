/* paired_peak.h: the fp32 FMA peak loop that bench/gemm_ceiling.c and bench/gemm_libs.c time
 * right before each of their measurements (paired, so a slow spell of the shared machine hits
 * both alike), with the CPU-time clock and the median helper they share. Single-file tools:
 * everything is static. AVX-512 (callers check avx512f first).
 */
#ifndef OMC_BENCH_PAIRED_PEAK_H
#define OMC_BENCH_PAIRED_PEAK_H

#include <immintrin.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
    X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)
#define DECL(i) __m512 a##i = _mm512_set1_ps(1.0f + (float)(i) * 1e-3f);
#define SUM(i) s = _mm512_add_ps(s, a##i);
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, m, c);
#define STEPB(i) a##i = _mm512_fmadd_ps(a##i, _mm512_set1_ps(p[(i) / 2]), c);

/* 24 independent FMA chains (bench/peak.c's loop). q == NULL: the peak loop; else each
 * chain's multiplier is broadcast from q[i / 2] (12 scalar broadcast loads per 24 FMAs). */
__attribute__((target("avx512f"), noinline)) static float fma_loop(long iters, const float *q)
{
    CHAINS(DECL)
    __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f), s = _mm512_setzero_ps();
    if (!q) {
        for (long k = 0; k < iters; k++) {
            CHAINS(STEP)
        }
    } else {
        for (long k = 0; k < iters; k++) {
            const float *p = q + (k & 63) * 16;
            CHAINS(STEPB)
        }
    }
    CHAINS(SUM)
    return _mm512_reduce_add_ps(s);
}

/* GFLOP/s of the peak loop, best of 3, on CPU time */
static double peak_gflops(void)
{
    long iters = 400000;
    double best = 1e9;
    volatile float sink = 0;
    for (int t = 0; t < 3; t++) {
        double t0 = now();
        sink += fma_loop(iters, NULL);
        double d = now() - t0;
        if (d < best)
            best = d;
    }
    (void)sink;
    return 24.0 * 32 * (double)iters / best * 1e-9;
}

/* qsort comparator of doubles, for medians */
static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

#endif
