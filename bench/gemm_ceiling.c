/* gemm_ceiling: how close hand-written C (not omc) gets to this core's fp32 FMA peak, for
 * bench/run.py's GEMM section (not a test). Prints one JSON object.
 *
 *   gemm_ceiling [ROUNDS]
 *
 * Every figure is a median over ROUNDS (default 9) of (kernel GFLOP/s) / (peak GFLOP/s),
 * each round timing the peak loop (bench/peak.c's 24 independent FMA chains) right before
 * the kernel, so that a slow spell of the shared machine hits both alike:
 *   fma_bcast12   the peak loop plus 12 scalar broadcast loads per 24 FMAs (no vector loads):
 *                 what the broadcast traffic of a 12x32 micro-kernel costs by itself
 *   tile_12x32    the 12x32 micro-kernel (24 accumulators: 12 broadcasts of A, 2 vector
 *                 loads of B per k) with A packed k-major and every operand in L1: K = 128,
 *                 so A (6 KiB) and B (16 KiB) fit the 48 KiB L1 (until session 6 K was 512
 *                 and B streamed from L2)
 *   tile_6x64     the same for a 6x64 tile (6 broadcasts, 4 vector loads per k; B 32 KiB)
 *   blocked_1024  a blocked 1024^3 GEMM with the 12x32 tile: B in 32-column panels as omc's
 *                 artifacts hold it, K blocks of 256, each 12-row tile of A packed k-major
 *                 (the best of the loop orders and packings tried in session 5)
 * The bar is 85% of peak on large square GEMMs; these show how much of the gap is
 * the micro-kernel itself (tile_*) and how much the memory hierarchy (blocked_1024).
 * AVX-512 only (prints {"error": ...} elsewhere).
 */
#define _POSIX_C_SOURCE 200809L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paired_peak.h"

/* C[MR][16*NV] += Ap[k][MR] * Bp[k][16*NV], B rows bs apart (32 or 64 floats) */
#define TILE(NAME, MR, NV)                                                                          \
    __attribute__((target("avx512f"), noinline)) static void NAME(long kc, const float *restrict ap, \
        const float *restrict bp, long bs, float *restrict c, long ldc)                              \
    {                                                                                               \
        __m512 acc[MR][NV];                                                                         \
        _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                                    \
                acc[r][v] = _mm512_loadu_ps(c + r * ldc + 16 * v);                                  \
        for (long k = 0; k < kc; k++) {                                                             \
            __m512 b[NV];                                                                           \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                                    \
                b[v] = _mm512_loadu_ps(bp + k * bs + 16 * v);                                       \
            _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++) {                                 \
                __m512 a = _mm512_set1_ps(ap[k * MR + r]);                                          \
                _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                                \
                    acc[r][v] = _mm512_fmadd_ps(a, b[v], acc[r][v]);                                \
            }                                                                                       \
        }                                                                                           \
        _Pragma("GCC unroll 16") for (int r = 0; r < MR; r++)                                       \
            _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++)                                    \
                _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);                                  \
    }
TILE(tile_12x32, 12, 2)
TILE(tile_6x64, 6, 4)

typedef struct bufs {
    float *a, *b, *c, *q;
    float *ga, *gb, *gc; /* the 1024^3 problem (gb: 32-column panels [N/32][K][32]) */
    float *ap;           /* a packed 12 x 256 tile of ga */
} bufs;

enum { K_L1 = 128, TILE_REPS = 1600, N_BIG = 1024 };

/* GFLOP/s of one measurement `which` (best of 3) */
static double measure(int which, const bufs *m)
{
    double best = 1e9, flops = 0;
    volatile float sink = 0;
    for (int t = 0; t < 3; t++) {
        double t0 = now();
        switch (which) {
        case 0:
            sink += fma_loop(400000, m->q);
            flops = 24.0 * 32 * 400000;
            break;
        case 1:
            for (int r = 0; r < TILE_REPS; r++)
                tile_12x32(K_L1, m->a, m->b, 32, m->c, 32);
            flops = 2.0 * 12 * 32 * K_L1 * TILE_REPS;
            break;
        case 2:
            for (int r = 0; r < TILE_REPS; r++)
                tile_6x64(K_L1, m->a, m->b, 64, m->c, 64);
            flops = 2.0 * 6 * 64 * K_L1 * TILE_REPS;
            break;
        default: {
            /* K blocks of 256; per 12-row tile, A packed k-major (12 KiB, stays in L1) and
             * run against every 32-column panel of B (B's 256-row block, 1 MiB, in L2) */
            const long n = N_BIG, kc = 256, mu = n / 12 * 12;
            memset(m->gc, 0, (size_t)n * n * sizeof(float));
            for (long pc = 0; pc < n; pc += kc)
                for (long ir = 0; ir < mu; ir += 12) {
                    for (long k = 0; k < kc; k++)
                        for (int r = 0; r < 12; r++)
                            m->ap[k * 12 + r] = m->ga[(ir + r) * n + pc + k];
                    for (long jr = 0; jr < n; jr += 32)
                        tile_12x32(kc, m->ap, m->gb + jr * n + pc * 32, 32, m->gc + ir * n + jr, n);
                }
            flops = 2.0 * (double)mu * n * n;
            break;
        }
        }
        double d = now() - t0;
        if (d < best)
            best = d;
    }
    (void)sink;
    return flops / best * 1e-9;
}

int main(int argc, char **argv)
{
    if (!__builtin_cpu_supports("avx512f")) {
        printf("{\"error\": \"gemm_ceiling: needs avx512f\"}\n");
        return 1;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 9;
    if (rounds < 1 || rounds > 99)
        rounds = 9;
    bufs m;
    size_t big = (size_t)N_BIG * N_BIG * sizeof(float);
    m.a = aligned_alloc(64, K_L1 * 12 * sizeof(float));
    m.b = aligned_alloc(64, K_L1 * 64 * sizeof(float));
    m.c = aligned_alloc(64, 12 * 64 * sizeof(float));
    m.q = aligned_alloc(64, 65 * 16 * sizeof(float));
    m.ga = aligned_alloc(64, big);
    m.gb = aligned_alloc(64, big);
    m.gc = aligned_alloc(64, big);
    m.ap = aligned_alloc(64, 12 * 256 * sizeof(float));
    if (!m.a || !m.b || !m.c || !m.q || !m.ga || !m.gb || !m.gc || !m.ap) {
        printf("{\"error\": \"gemm_ceiling: out of memory\"}\n");
        return 1;
    }
    for (long i = 0; i < K_L1 * 12; i++)
        m.a[i] = 1e-3f;
    for (long i = 0; i < K_L1 * 64; i++)
        m.b[i] = 1e-3f;
    memset(m.c, 0, 12 * 64 * sizeof(float));
    for (long i = 0; i < 65 * 16; i++)
        m.q[i] = 0.999999f;
    for (long i = 0; i < (long)N_BIG * N_BIG; i++) {
        m.ga[i] = (float)(i % 7) * 0.1f;
        m.gb[i] = (float)(i % 5) * 0.1f;
    }
    enum { NW = 4 };
    static const char *names[NW] = {"fma_bcast12", "tile_12x32", "tile_6x64", "blocked_1024"};
    double ratio[NW][99];
    for (int r = 0; r < rounds; r++)
        for (int w = 0; w < NW; w++) {
            double p = peak_gflops();
            ratio[w][r] = measure(w, &m) / p;
        }
    printf("{\"rounds\": %d", rounds);
    for (int w = 0; w < NW; w++) {
        qsort(ratio[w], (size_t)rounds, sizeof(double), by_value);
        printf(", \"%s\": %.3f", names[w], ratio[w][rounds / 2]);
    }
    printf("}\n");
    free(m.a), free(m.b), free(m.c), free(m.q), free(m.ga), free(m.gb), free(m.gc), free(m.ap);
    return 0;
}
